//! Publish/subscribe: the messages a subscribed connection receives, and what it is
//! subscribed to.
//!
//! A subscribed connection is different from a normal one. In RESP2 it may only send
//! `(P|S)SUBSCRIBE`, `(P|S)UNSUBSCRIBE`, `PING`, `QUIT` and `RESET`, and everything it
//! receives is an array: a message (`message`, `pmessage`, `smessage`), a confirmation
//! (`subscribe`, `unsubscribe`, ... with the number of subscriptions left) or a `pong`.
//! In RESP3, pub/sub traffic arrives as out-of-band push frames, and the connection can
//! run any command in between, whose replies are ordinary values; other pushes share the
//! connection too, such as client-side caching's `invalidate`.
//!
//! This module turns both into one [`Message`] type ([`classify`] sorts what arrives into
//! messages, other pushes and ordinary replies), builds the subscription commands, and
//! keeps the [`Subscriptions`]: the channels, patterns and shard channels the *server*
//! has confirmed. Confirmations, not requests, update it, so that after a reconnect
//! [`Subscriptions::resubscribe_cmds`] restores exactly what was in effect.
//!
//! What a client session keeps beyond the confirmed subscriptions (the caller's requests,
//! the handler of each channel, pongs owed, messages read early) is the [`Session`], in
//! its own submodule: the blocking and async `PubSub`s both drive it.
//!
//! `PING` on a subscribed connection: in RESP2 the server answers with a
//! `["pong", message]` array, which [`classify`] reads as a [`MessageKind::Pong`]
//! message; in RESP3 it answers an ordinary `+PONG` (or the message as a bulk string),
//! which [`classify`] returns as an [`Incoming::Reply`].
//!
//! ```
//! use ferrodis_commands::config::Protocol;
//! use ferrodis_commands::pubsub::{classify, Incoming, MessageKind, Subscriptions};
//! use ferrodis_commands::Value;
//!
//! let mut subs = Subscriptions::new();
//! // The server confirms `SUBSCRIBE news` (RESP3: a push frame).
//! let confirmation = Value::Push(vec![
//!     Value::BulkString("subscribe".into()),
//!     Value::BulkString("news".into()),
//!     Value::Integer(1),
//! ]);
//! let Incoming::Message(message) = classify(confirmation, Protocol::Resp3)? else { panic!() };
//! assert_eq!(message.kind, MessageKind::Subscribe);
//! subs.apply(&message);
//! assert!(subs.is_subscribed());
//! assert_eq!(subs.channels().count(), 1);
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;

use crate::args::ToArgs;
use crate::cmd::Cmd;
use crate::config::Protocol;
use crate::error::Error;
use crate::from_value::FromValue;
use ferrodis_resp::Value;

mod session;
pub use session::{read_wait, Family, Reconnected, Session};

/// What a pub/sub frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// A message published to a channel subscribed to.
    Message,
    /// A message published to a channel matching a pattern subscribed to.
    PMessage,
    /// A message published to a shard channel subscribed to (`SPUBLISH`).
    SMessage,
    /// `SUBSCRIBE` confirmed, for one channel.
    Subscribe,
    /// `UNSUBSCRIBE` confirmed, for one channel.
    Unsubscribe,
    /// `PSUBSCRIBE` confirmed, for one pattern.
    PSubscribe,
    /// `PUNSUBSCRIBE` confirmed, for one pattern.
    PUnsubscribe,
    /// `SSUBSCRIBE` confirmed, for one shard channel.
    SSubscribe,
    /// `SUNSUBSCRIBE` confirmed, for one shard channel (also sent when the shard's slot
    /// moves to another node).
    SUnsubscribe,
    /// The answer to `PING` on a subscribed RESP2 connection.
    Pong,
}

impl MessageKind {
    /// The kind named by a frame's first element (`b"message"`, `b"psubscribe"`, ...).
    pub fn from_name(name: &[u8]) -> Option<MessageKind> {
        Some(match name {
            b"message" => MessageKind::Message,
            b"pmessage" => MessageKind::PMessage,
            b"smessage" => MessageKind::SMessage,
            b"subscribe" => MessageKind::Subscribe,
            b"unsubscribe" => MessageKind::Unsubscribe,
            b"psubscribe" => MessageKind::PSubscribe,
            b"punsubscribe" => MessageKind::PUnsubscribe,
            b"ssubscribe" => MessageKind::SSubscribe,
            b"sunsubscribe" => MessageKind::SUnsubscribe,
            b"pong" => MessageKind::Pong,
            _ => return None,
        })
    }

    /// The name as the server writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Message => "message",
            MessageKind::PMessage => "pmessage",
            MessageKind::SMessage => "smessage",
            MessageKind::Subscribe => "subscribe",
            MessageKind::Unsubscribe => "unsubscribe",
            MessageKind::PSubscribe => "psubscribe",
            MessageKind::PUnsubscribe => "punsubscribe",
            MessageKind::SSubscribe => "ssubscribe",
            MessageKind::SUnsubscribe => "sunsubscribe",
            MessageKind::Pong => "pong",
        }
    }

    /// Whether this is a published message (`message`, `pmessage`, `smessage`).
    pub fn is_message(self) -> bool {
        matches!(
            self,
            MessageKind::Message | MessageKind::PMessage | MessageKind::SMessage
        )
    }

    /// Whether this confirms a (un)subscription.
    pub fn is_confirmation(self) -> bool {
        !self.is_message() && self != MessageKind::Pong
    }
}

/// A pub/sub frame: a published message, a (un)subscription confirmation, or a pong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What this is.
    pub kind: MessageKind,
    /// The channel (or, for `psubscribe` and `punsubscribe`, the pattern). Empty for a
    /// pong, and for the confirmation of an unsubscribe-from-all while subscribed to
    /// nothing (the server sends a nil channel then).
    pub channel: Bytes,
    /// For `pmessage`: the pattern that matched.
    pub pattern: Option<Bytes>,
    /// For messages: the payload. For a pong: the `PING` argument (empty without one).
    pub payload: Option<Bytes>,
    /// For confirmations: how many subscriptions the connection has left (channels and
    /// patterns together, or shard channels for `ssubscribe`/`sunsubscribe`).
    pub count: Option<i64>,
}

fn frame_error(detail: String) -> Error {
    Error::conversion::<Message>("array", Some(detail))
}

fn bulk(value: Value, what: &str) -> Result<Bytes, Error> {
    match value {
        Value::Nil => Ok(Bytes::new()),
        other => {
            Bytes::from_value(other).map_err(|_| frame_error(format!("the {what} is not a string")))
        }
    }
}

impl Message {
    /// Parses a pub/sub frame: a RESP3 push or a RESP2 array. Other values are an
    /// [`Error::Conversion`]; [`classify`] sorts them out without an error.
    pub fn parse(value: Value) -> Result<Message, Error> {
        let items = match value {
            Value::Push(items) | Value::Array(items) => items,
            Value::Attribute { value, .. } => return Message::parse(*value),
            other => {
                return Err(Error::conversion::<Message>(
                    other.type_name(),
                    Some("a pub/sub frame is a push or an array".to_owned()),
                ))
            }
        };
        let Some(kind) = items.first().and_then(kind_of) else {
            return Err(frame_error("not a pub/sub frame".to_owned()));
        };
        let len = items.len();
        let expected = match kind {
            MessageKind::PMessage => 4,
            MessageKind::Pong => 2,
            _ => 3,
        };
        if len != expected && !(kind == MessageKind::Pong && len == 1) {
            return Err(frame_error(format!(
                "a {} frame has {expected} elements, not {len}",
                kind.as_str()
            )));
        }
        let mut it = items.into_iter().skip(1);
        let mut next = || it.next().unwrap_or(Value::Nil);
        let mut message = Message {
            kind,
            channel: Bytes::new(),
            pattern: None,
            payload: None,
            count: None,
        };
        match kind {
            MessageKind::Message | MessageKind::SMessage => {
                message.channel = bulk(next(), "channel")?;
                message.payload = Some(bulk(next(), "payload")?);
            }
            MessageKind::PMessage => {
                message.pattern = Some(bulk(next(), "pattern")?);
                message.channel = bulk(next(), "channel")?;
                message.payload = Some(bulk(next(), "payload")?);
            }
            MessageKind::Pong => {
                message.payload = Some(bulk(next(), "payload")?);
            }
            _ => {
                message.channel = bulk(next(), "channel")?;
                message.count = Some(
                    i64::from_value(next())
                        .map_err(|_| frame_error("the count is not an integer".to_owned()))?,
                );
            }
        }
        Ok(message)
    }
}

impl FromValue for Message {
    fn from_value(value: Value) -> Result<Self, Error> {
        match value {
            error @ (Value::SimpleError(_) | Value::BulkError(_)) => Err(<()>::from_value(error)
                .err()
                .unwrap_or_else(|| frame_error("an error reply".to_owned()))),
            other => Message::parse(other),
        }
    }
}

fn kind_of(first: &Value) -> Option<MessageKind> {
    match first {
        Value::BulkString(name) | Value::SimpleString(name) => MessageKind::from_name(name),
        _ => None,
    }
}

/// Whether a RESP3 push frame is pub/sub traffic (a message, a confirmation), as opposed
/// to another push sharing the connection, such as client-side caching's `invalidate`.
pub fn is_pubsub_push(value: &Value) -> bool {
    match value {
        Value::Push(items) => items
            .first()
            .and_then(kind_of)
            .is_some_and(|kind| kind != MessageKind::Pong),
        Value::Attribute { value, .. } => is_pubsub_push(value),
        _ => false,
    }
}

/// What arrived on a subscribed connection, sorted by [`classify`].
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// Pub/sub traffic: a message, a confirmation, or (RESP2) a pong.
    Message(Message),
    /// A RESP3 push that is not pub/sub, such as `["invalidate", [keys]]`.
    Push(Value),
    /// An ordinary reply to a command sent on the connection (in RESP3, `+PONG`; in
    /// either, an error reply such as a refused command).
    Reply(Value),
}

/// Sorts what a subscribed connection received. `protocol` matters: in RESP3, only push
/// frames are pub/sub (an array is a command's reply, even one starting with
/// `"message"`), while in RESP2 pub/sub frames are arrays.
///
/// A push or (RESP2) an array that names a pub/sub kind but is malformed is an error.
pub fn classify(value: Value, protocol: Protocol) -> Result<Incoming, Error> {
    let inner = match &value {
        Value::Attribute { value, .. } => value.as_ref(),
        other => other,
    };
    let is_frame = match (inner, protocol) {
        (Value::Push(items), _) => items.first().and_then(kind_of).is_some(),
        (Value::Array(items), Protocol::Resp2) => items.first().and_then(kind_of).is_some(),
        _ => false,
    };
    if is_frame {
        return Message::parse(value).map(Incoming::Message);
    }
    Ok(match value {
        push @ Value::Push(_) => Incoming::Push(push),
        Value::Attribute { value, .. } if matches!(*value, Value::Push(_)) => {
            Incoming::Push(*value)
        }
        other => Incoming::Reply(other),
    })
}

/// `SUBSCRIBE channel...`. The server confirms each channel with a `subscribe` frame.
pub fn subscribe<C: ToArgs>(channels: C) -> Cmd {
    Cmd::new("SUBSCRIBE").arg(channels)
}

/// `UNSUBSCRIBE channel...`. Confirmed per channel with an `unsubscribe` frame.
pub fn unsubscribe<C: ToArgs>(channels: C) -> Cmd {
    Cmd::new("UNSUBSCRIBE").arg(channels)
}

/// `UNSUBSCRIBE` without arguments: from every channel (confirmed per channel, or once
/// with a nil channel when there were none).
pub fn unsubscribe_all() -> Cmd {
    Cmd::new("UNSUBSCRIBE")
}

/// `PSUBSCRIBE pattern...`.
pub fn psubscribe<P: ToArgs>(patterns: P) -> Cmd {
    Cmd::new("PSUBSCRIBE").arg(patterns)
}

/// `PUNSUBSCRIBE pattern...`.
pub fn punsubscribe<P: ToArgs>(patterns: P) -> Cmd {
    Cmd::new("PUNSUBSCRIBE").arg(patterns)
}

/// `PUNSUBSCRIBE` without arguments: from every pattern.
pub fn punsubscribe_all() -> Cmd {
    Cmd::new("PUNSUBSCRIBE")
}

/// `SSUBSCRIBE shardchannel...` (Redis 7). In a cluster, the channels of one command must
/// hash to one slot.
pub fn ssubscribe<C: ToArgs>(channels: C) -> Cmd {
    Cmd::new("SSUBSCRIBE").arg(channels)
}

/// `SUNSUBSCRIBE shardchannel...`.
pub fn sunsubscribe<C: ToArgs>(channels: C) -> Cmd {
    Cmd::new("SUNSUBSCRIBE").arg(channels)
}

/// `SUNSUBSCRIBE` without arguments: from every shard channel.
pub fn sunsubscribe_all() -> Cmd {
    Cmd::new("SUNSUBSCRIBE")
}

/// `PING [message]`, which a subscribed connection may send to check the connection. See
/// the [module docs](self) for its answers.
pub fn ping(message: Option<&[u8]>) -> Cmd {
    match message {
        Some(message) => Cmd::new("PING").arg(message),
        None => Cmd::new("PING"),
    }
}

/// The subscriptions the server has confirmed. See the [module docs](self).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subscriptions {
    channels: BTreeSet<Bytes>,
    patterns: BTreeSet<Bytes>,
    shard_channels: BTreeSet<Bytes>,
}

impl Subscriptions {
    /// No subscriptions.
    pub fn new() -> Subscriptions {
        Subscriptions::default()
    }

    /// Updates the state from a confirmation. Returns whether `message` was one
    /// (messages and pongs change nothing).
    ///
    /// An unsubscribe confirmation whose count is 0 clears that family entirely, which
    /// covers the nil-channel confirmation of an unsubscribe-from-all.
    pub fn apply(&mut self, message: &Message) -> bool {
        let channel = &message.channel;
        let zero = message.count == Some(0);
        match message.kind {
            MessageKind::Subscribe => {
                self.channels.insert(channel.clone());
            }
            MessageKind::PSubscribe => {
                self.patterns.insert(channel.clone());
            }
            MessageKind::SSubscribe => {
                self.shard_channels.insert(channel.clone());
            }
            MessageKind::Unsubscribe | MessageKind::PUnsubscribe => {
                let set = if message.kind == MessageKind::Unsubscribe {
                    &mut self.channels
                } else {
                    &mut self.patterns
                };
                set.remove(channel);
                if zero {
                    // 0 counts channels and patterns together: none of either is left.
                    self.channels.clear();
                    self.patterns.clear();
                }
            }
            MessageKind::SUnsubscribe => {
                self.shard_channels.remove(channel);
                if zero {
                    self.shard_channels.clear();
                }
            }
            MessageKind::Message
            | MessageKind::PMessage
            | MessageKind::SMessage
            | MessageKind::Pong => return false,
        }
        true
    }

    /// Whether any subscription is in effect (the connection is in subscribed mode).
    pub fn is_subscribed(&self) -> bool {
        !(self.channels.is_empty() && self.patterns.is_empty() && self.shard_channels.is_empty())
    }

    /// The channels subscribed to, in byte order.
    pub fn channels(&self) -> impl Iterator<Item = &Bytes> + '_ {
        self.channels.iter()
    }

    /// The patterns subscribed to.
    pub fn patterns(&self) -> impl Iterator<Item = &Bytes> + '_ {
        self.patterns.iter()
    }

    /// The shard channels subscribed to.
    pub fn shard_channels(&self) -> impl Iterator<Item = &Bytes> + '_ {
        self.shard_channels.iter()
    }

    /// How many subscriptions of all three kinds.
    pub fn len(&self) -> usize {
        self.channels.len() + self.patterns.len() + self.shard_channels.len()
    }

    /// Whether there are none (the opposite of [`is_subscribed`](Subscriptions::is_subscribed)).
    pub fn is_empty(&self) -> bool {
        !self.is_subscribed()
    }

    /// Forgets everything (when a connection is closed for good).
    pub fn clear(&mut self) {
        *self = Subscriptions::default();
    }

    /// The commands that restore every subscription on a new connection: one
    /// `SUBSCRIBE` for all channels, one `PSUBSCRIBE` for all patterns, and one
    /// `SSUBSCRIBE` per hash slot of the shard channels (a cluster refuses shard channels
    /// of different slots in one command). Each is confirmed per channel, and the
    /// confirmations rebuild this state.
    pub fn resubscribe_cmds(&self) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if !self.channels.is_empty() {
            cmds.push(subscribe(self.channels.iter().collect::<Vec<_>>()));
        }
        if !self.patterns.is_empty() {
            cmds.push(psubscribe(self.patterns.iter().collect::<Vec<_>>()));
        }
        let mut by_slot: BTreeMap<u16, Vec<&Bytes>> = BTreeMap::new();
        for channel in &self.shard_channels {
            by_slot
                .entry(crate::slot(channel))
                .or_default()
                .push(channel);
        }
        for channels in by_slot.into_values() {
            cmds.push(ssubscribe(channels));
        }
        cmds
    }
}
