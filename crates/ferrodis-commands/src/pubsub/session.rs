//! The state of one pub/sub session, kept apart from its connection: [`Session`].
//!
//! Why here: a pub/sub client (blocking or async) must remember more than what the
//! server confirmed ([`Subscriptions`]). It must know what the *caller* asked for (a
//! subscription requested but not yet confirmed is restored after a reconnect too), which
//! handler takes the messages of each channel, pattern or shard channel, how many `PING`s
//! still owe a pong, and which messages were read early (while waiting for a pong).
//! None of it needs a socket, and every rule of it (when a handler is forgotten, what a
//! new connection must send, which frames reach the reader) must be the same for every
//! transport, so it lives here, once, and the transports only read and write.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use super::{
    psubscribe, punsubscribe, ssubscribe, subscribe, sunsubscribe, unsubscribe, Incoming, Message,
    MessageKind, Subscriptions,
};
use crate::cmd::Cmd;
use crate::error::Error;
use crate::from_value::FromValue;
use ferrodis_resp::Value;

/// Which family a subscription belongs to: channels (`SUBSCRIBE`), patterns
/// (`PSUBSCRIBE`) or shard channels (`SSUBSCRIBE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Channels: `SUBSCRIBE`, `UNSUBSCRIBE`, `message` frames.
    Channel,
    /// Glob-style patterns: `PSUBSCRIBE`, `PUNSUBSCRIBE`, `pmessage` frames.
    Pattern,
    /// Shard channels (Redis 7): `SSUBSCRIBE`, `SUNSUBSCRIBE`, `smessage` frames.
    Shard,
}

impl Family {
    /// The subscribe command of this family for `names`.
    pub fn subscribe(self, names: &[Bytes]) -> Cmd {
        match self {
            Family::Channel => subscribe(names),
            Family::Pattern => psubscribe(names),
            Family::Shard => ssubscribe(names),
        }
    }

    /// The unsubscribe command of this family for `names` (none: all of the family).
    pub fn unsubscribe(self, names: &[Bytes]) -> Cmd {
        match self {
            Family::Channel => unsubscribe(names),
            Family::Pattern => punsubscribe(names),
            Family::Shard => sunsubscribe(names),
        }
    }

    /// What one name of this family is called in messages to users: `"channel"`,
    /// `"pattern"` or `"shard channel"`.
    pub fn noun(self) -> &'static str {
        match self {
            Family::Channel => "channel",
            Family::Pattern => "pattern",
            Family::Shard => "shard channel",
        }
    }

    /// The prefix of this family's commands and client methods: `""`, `"p"` or `"s"`
    /// (`subscribe`, `psubscribe`, `ssubscribe`).
    pub fn prefix(self) -> &'static str {
        match self {
            Family::Channel => "",
            Family::Pattern => "p",
            Family::Shard => "s",
        }
    }
}

/// What the caller asked for on one channel, pattern or shard channel.
struct Entry<H> {
    /// Its handler, if any.
    handler: Option<H>,
    /// `true` from a subscribe request, `false` from an unsubscribe request (the entry
    /// stays, with its handler, until the server confirms the unsubscription, so that
    /// messages still in flight reach the handler).
    wanted: bool,
}

/// The notice a pub/sub client gives its `on_reconnect` callback after the connection
/// dropped and a new one was opened (made by [`Session::reconnected`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reconnected {
    /// Why the old connection was given up.
    pub cause: Error,
    /// How many times this session has reconnected, this time included.
    pub reconnects: u64,
    /// What was in effect on the old connection, and is being subscribed to again (the
    /// confirmations arrive as messages). Subscriptions requested but not yet confirmed
    /// are requested again too.
    pub resubscribed: Subscriptions,
}

/// The sans-IO state of a pub/sub session: what the server confirmed, what the caller
/// requested (with a handler of type `H` per channel, pattern or shard channel), the
/// pongs still owed, the messages read early, and the lost connection to restore.
///
/// A transport drives it so:
///
/// 1. a (un)subscription request: [`Session::request_subscribe`] or
///    [`Session::request_unsubscribe`] records it, then the transport writes the command;
/// 2. every value read: [`classify`](super::classify) it, then [`Session::process`]
///    updates the state, runs the handler it is for, and says whether the reader gets a
///    message;
/// 3. the connection dropped: [`Session::connection_lost`]; on the new one, send
///    [`Session::restore_cmds`], then [`Session::reconnected`] gives the notice for the
///    user's callback;
/// 4. a `PING`: [`Session::ping_sent`], then read until
///    [`Session::pings_outstanding`] is 0, keeping the messages read meanwhile with
///    [`Session::queue`] for the next read ([`Session::pop_queued`]).
///
/// ```
/// use ferrodis_commands::config::Protocol;
/// use ferrodis_commands::pubsub::{self, classify, Family, Session};
/// use ferrodis_commands::Value;
///
/// let mut session: Session<Box<dyn FnMut(pubsub::Message)>> = Session::new();
/// let cmd = pubsub::subscribe("news");
/// session.request_subscribe(Family::Channel, &cmd, None)?;
/// // ... the transport writes `cmd`; the server confirms (RESP3: a push frame).
/// let confirmation = Value::Push(vec![
///     Value::BulkString("subscribe".into()),
///     Value::BulkString("news".into()),
///     Value::Integer(1),
/// ]);
/// let incoming = classify(confirmation, Protocol::Resp3)?;
/// let for_reader = session.process(incoming, |_other_push| {})?;
/// assert!(for_reader.is_some()); // the confirmation, as a message
/// assert_eq!(session.subscriptions().channels().count(), 1);
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
///
/// `H` is the transport's handler type, typically `Box<dyn FnMut(Message) + Send>`;
/// [`process`](Session::process) needs `H: FnMut(Message)`.
pub struct Session<H> {
    /// Confirmed by the server.
    subs: Subscriptions,
    /// Requested by the caller, with the handlers.
    entries: BTreeMap<(Family, Bytes), Entry<H>>,
    /// Messages read (and already processed) while waiting for something else, such as
    /// a pong.
    queued: VecDeque<Message>,
    /// PINGs sent whose answers have not arrived.
    pings_outstanding: usize,
    ignore_subscribe_messages: bool,
    /// Why the connection was lost, while it is not reopened.
    lost: Option<Error>,
    /// How many times the connection was reopened after a loss.
    reconnects: u64,
}

impl<H> Default for Session<H> {
    fn default() -> Session<H> {
        Session {
            subs: Subscriptions::new(),
            entries: BTreeMap::new(),
            queued: VecDeque::new(),
            pings_outstanding: 0,
            ignore_subscribe_messages: false,
            lost: None,
            reconnects: 0,
        }
    }
}

impl<H> fmt::Debug for Session<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("subscriptions", &self.subs)
            .field("requests", &self.entries.len())
            .field("queued", &self.queued.len())
            .field("pings_outstanding", &self.pings_outstanding)
            .field("ignore_subscribe_messages", &self.ignore_subscribe_messages)
            .field("lost", &self.lost)
            .field("reconnects", &self.reconnects)
            .finish()
    }
}

/// The names a subscription command carries (its arguments after the command name).
fn names_of(cmd: &Cmd) -> Vec<Bytes> {
    cmd.args().skip(1).map(Bytes::copy_from_slice).collect()
}

impl<H> Session<H> {
    /// A session with nothing subscribed or requested.
    pub fn new() -> Session<H> {
        Session::default()
    }

    /// The subscriptions the server has confirmed.
    pub fn subscriptions(&self) -> &Subscriptions {
        &self.subs
    }

    /// Whether anything is subscribed, or requested and not yet confirmed (redis-py's
    /// `subscribed`).
    pub fn is_subscribed(&self) -> bool {
        self.subs.is_subscribed() || self.entries.values().any(|e| e.wanted)
    }

    /// Whether subscription confirmations are kept from the reader (they still update
    /// the state).
    pub fn ignores_subscribe_messages(&self) -> bool {
        self.ignore_subscribe_messages
    }

    /// Keeps subscription confirmations from the reader, or not (redis-py's
    /// `ignore_subscribe_messages`).
    pub fn set_ignore_subscribe_messages(&mut self, ignore: bool) {
        self.ignore_subscribe_messages = ignore;
    }

    /// Records a subscription request: `cmd` is the family's subscribe command (for
    /// instance [`subscribe`](super::subscribe)`(channels)`), which the transport sends
    /// next. A `handler` takes the messages of the one name subscribed to; without one,
    /// subscribing again to a name drops its handler, as in redis-py.
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] (nothing recorded) when `cmd` names nothing, or names more than
    /// one while a handler is given.
    pub fn request_subscribe(
        &mut self,
        family: Family,
        cmd: &Cmd,
        handler: Option<H>,
    ) -> Result<(), Error> {
        let names = names_of(cmd);
        if names.is_empty() {
            return Err(Error::PubSub {
                message: format!(
                    "subscribing needs at least one {}; none was given",
                    family.noun()
                ),
            });
        }
        if handler.is_some() && names.len() != 1 {
            return Err(Error::PubSub {
                message: format!(
                    "a handler is registered for one {} at a time; {} were given",
                    family.noun(),
                    names.len()
                ),
            });
        }
        let mut handler = handler;
        for name in names {
            self.entries.insert(
                (family, name),
                Entry {
                    handler: handler.take(),
                    wanted: true,
                },
            );
        }
        Ok(())
    }

    /// Records an unsubscription request (`cmd` is the family's unsubscribe command; one
    /// without names means all of the family). The handlers stay until the server
    /// confirms, so that messages already on their way still reach them.
    pub fn request_unsubscribe(&mut self, family: Family, cmd: &Cmd) {
        let names = names_of(cmd);
        for ((f, name), entry) in self.entries.iter_mut() {
            if *f == family && (names.is_empty() || names.contains(name)) {
                entry.wanted = false;
            }
        }
    }

    /// What a new connection must send to restore the session: everything confirmed
    /// ([`Subscriptions::resubscribe_cmds`]), then the requests not confirmed yet:
    /// subscriptions asked for, and unsubscriptions asked for. Shard channels not yet
    /// confirmed go one per command (in a cluster, the shard channels of one command
    /// must share a slot).
    pub fn restore_cmds(&self) -> Vec<Cmd> {
        let mut cmds = self.subs.resubscribe_cmds();
        let confirmed = |family: Family, name: &Bytes| match family {
            Family::Channel => self.subs.channels().any(|c| c == name),
            Family::Pattern => self.subs.patterns().any(|c| c == name),
            Family::Shard => self.subs.shard_channels().any(|c| c == name),
        };
        let mut to_subscribe: BTreeMap<Family, Vec<Bytes>> = BTreeMap::new();
        let mut to_unsubscribe: BTreeMap<Family, Vec<Bytes>> = BTreeMap::new();
        for ((family, name), entry) in &self.entries {
            let is_confirmed = confirmed(*family, name);
            if entry.wanted && !is_confirmed {
                to_subscribe.entry(*family).or_default().push(name.clone());
            } else if !entry.wanted && is_confirmed {
                to_unsubscribe
                    .entry(*family)
                    .or_default()
                    .push(name.clone());
            }
        }
        let mut push = |family: Family, names: Vec<Bytes>, build: fn(Family, &[Bytes]) -> Cmd| {
            if family == Family::Shard {
                // One per command: in a cluster, shard channels of one command must
                // share a slot.
                cmds.extend(names.chunks(1).map(|n| build(family, n)));
            } else {
                cmds.push(build(family, &names));
            }
        };
        for (family, names) in to_subscribe {
            push(family, names, Family::subscribe);
        }
        for (family, names) in to_unsubscribe {
            push(family, names, Family::unsubscribe);
        }
        cmds
    }

    /// Checks that every subscription (requested or confirmed) has a handler, as a
    /// background reader requires: it can only hand messages to handlers. `runner` names
    /// it in the error (`"run_in_thread"`, `"run_in_background"`).
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] naming the first channel or pattern without a handler.
    pub fn check_handlers(&self, runner: &str) -> Result<(), Error> {
        let no_handler = |family: Family, name: &Bytes| {
            self.entries
                .get(&(family, name.clone()))
                .is_none_or(|e| e.handler.is_none())
        };
        let unhandled = self
            .entries
            .iter()
            .find(|(_, e)| e.wanted && e.handler.is_none())
            .map(|((family, name), _)| (*family, name.clone()))
            .or_else(|| {
                let confirmed = self
                    .subs
                    .channels()
                    .map(|c| (Family::Channel, c))
                    .chain(self.subs.patterns().map(|p| (Family::Pattern, p)))
                    .chain(self.subs.shard_channels().map(|c| (Family::Shard, c)));
                confirmed
                    .filter(|(family, name)| no_handler(*family, name))
                    .map(|(family, name)| (family, name.clone()))
                    .next()
            });
        match unhandled {
            None => Ok(()),
            Some((family, name)) => Err(Error::PubSub {
                message: format!(
                    "{} {:?} has no handler registered; {runner} can only hand messages to \
                     handlers: subscribe with {}subscribe_with(..) or unsubscribe from it first",
                    family.noun(),
                    String::from_utf8_lossy(&name),
                    family.prefix(),
                ),
            }),
        }
    }

    /// Counts a `PING` about to be sent (count it before writing: if the write is
    /// abandoned after the command left, its pong still finds its count; a count without
    /// a `PING` only floors at zero).
    pub fn ping_sent(&mut self) {
        self.pings_outstanding += 1;
    }

    /// How many `PING`s still owe their pong.
    pub fn pings_outstanding(&self) -> usize {
        self.pings_outstanding
    }

    /// The connection was given up because of `cause`: the pongs it owed will never
    /// come. The first cause is kept (for the [`Reconnected`] notice) until
    /// [`reconnected`](Session::reconnected); everything else stays, for
    /// [`restore_cmds`](Session::restore_cmds).
    pub fn connection_lost(&mut self, cause: Error) {
        self.pings_outstanding = 0;
        if self.lost.is_none() {
            self.lost = Some(cause);
        }
    }

    /// Whether the connection was lost and not reopened yet.
    pub fn is_lost(&self) -> bool {
        self.lost.is_some()
    }

    /// A new connection was opened and [`restore_cmds`](Session::restore_cmds) sent on
    /// it. After a loss, counts the reconnect and returns the notice for the
    /// `on_reconnect` callback; `None` when no connection had been lost (the first one,
    /// or one opened after [`clear`](Session::clear)).
    pub fn reconnected(&mut self) -> Option<Reconnected> {
        let cause = self.lost.take()?;
        self.reconnects += 1;
        Some(Reconnected {
            cause,
            reconnects: self.reconnects,
            resubscribed: self.subs.clone(),
        })
    }

    /// How many times the connection was reopened after it was lost.
    pub fn reconnects(&self) -> u64 {
        self.reconnects
    }

    /// Keeps a message read early (while waiting for a pong) for the next read.
    pub fn queue(&mut self, message: Message) {
        self.queued.push_back(message);
    }

    /// The oldest message read early, if any.
    pub fn pop_queued(&mut self) -> Option<Message> {
        self.queued.pop_front()
    }

    /// Whether messages read early wait for the reader.
    pub fn has_queued(&self) -> bool {
        !self.queued.is_empty()
    }

    /// Forgets every subscription, request, handler, queued message, pong owed and lost
    /// connection (the session's connection was closed on purpose). The count of
    /// reconnects stays.
    pub fn clear(&mut self) {
        self.lost = None;
        self.subs.clear();
        self.entries.clear();
        self.queued.clear();
        self.pings_outstanding = 0;
    }

    /// Drops the entries whose unsubscription the server just confirmed (unless the
    /// caller subscribed again meanwhile).
    fn forget_unsubscribed(&mut self, message: &Message) {
        let family = match message.kind {
            MessageKind::Unsubscribe => Family::Channel,
            MessageKind::PUnsubscribe => Family::Pattern,
            MessageKind::SUnsubscribe => Family::Shard,
            _ => return,
        };
        let key = (family, message.channel.clone());
        if self.entries.get(&key).is_some_and(|e| !e.wanted) {
            self.entries.remove(&key);
        }
        if message.count == Some(0) {
            // Nothing of these families is left on the server.
            let cleared: &[Family] = match family {
                Family::Shard => &[Family::Shard],
                _ => &[Family::Channel, Family::Pattern],
            };
            self.entries
                .retain(|(f, _), entry| entry.wanted || !cleared.contains(f));
        }
    }
}

impl<H: FnMut(Message)> Session<H> {
    /// Applies what arrived (sorted by [`classify`](super::classify)): confirmations
    /// update the subscriptions, messages go to their handler, pongs are counted off,
    /// and pushes that are not pub/sub go to `on_push`. Returns the message for the
    /// reader: `None` when a handler took it, it was a hidden confirmation, a pong or
    /// another push.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] for an error reply: the server refused a command of this
    /// session (a channel the ACL user may not use, ...).
    pub fn process(
        &mut self,
        incoming: Incoming,
        on_push: impl FnOnce(Value),
    ) -> Result<Option<Message>, Error> {
        match incoming {
            Incoming::Message(message) => Ok(self.process_message(message)),
            // Not pub/sub (client tracking's `invalidate`, ...): never a message.
            Incoming::Push(push) => {
                on_push(push);
                Ok(None)
            }
            Incoming::Reply(value) => match value {
                Value::SimpleError(_) | Value::BulkError(_) => {
                    // A refused command of this session: conversion makes it an
                    // `Error::Server`.
                    <()>::from_value(value).map(|()| None)
                }
                _ => {
                    // RESP3's `PONG` (or RESP2's, when nothing was subscribed).
                    self.pings_outstanding = self.pings_outstanding.saturating_sub(1);
                    Ok(None)
                }
            },
        }
    }

    fn process_message(&mut self, message: Message) -> Option<Message> {
        let key = match message.kind {
            MessageKind::Pong => {
                self.pings_outstanding = self.pings_outstanding.saturating_sub(1);
                return None;
            }
            MessageKind::Message => (Family::Channel, message.channel.clone()),
            MessageKind::SMessage => (Family::Shard, message.channel.clone()),
            MessageKind::PMessage => (Family::Pattern, message.pattern.clone().unwrap_or_default()),
            _ => {
                self.subs.apply(&message);
                self.forget_unsubscribed(&message);
                return (!self.ignore_subscribe_messages).then_some(message);
            }
        };
        match self.entries.get_mut(&key).and_then(|e| e.handler.as_mut()) {
            Some(handler) => {
                handler(message);
                None
            }
            None => Some(message),
        }
    }
}

/// How long one read of a pub/sub reader may wait: until its own deadline
/// (`remaining`, `None`: none) or until the next health check is due (`health_check_interval`
/// after the last read, `since_last_read` ago), whichever comes first. `None`: forever.
pub fn read_wait(
    remaining: Option<Duration>,
    health_check_interval: Option<Duration>,
    since_last_read: Duration,
) -> Option<Duration> {
    let health_due = health_check_interval.map(|i| i.saturating_sub(since_last_read));
    match (remaining, health_due) {
        (Some(r), Some(h)) => Some(r.min(h)),
        (r, h) => r.or(h),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::config::Protocol;
    use crate::pubsub::classify;

    type Handler = Box<dyn FnMut(Message)>;

    fn frame(items: &[&str], count: Option<i64>) -> Incoming {
        let mut values: Vec<Value> = items
            .iter()
            .map(|s| Value::BulkString(Bytes::copy_from_slice(s.as_bytes())))
            .collect();
        if let Some(count) = count {
            values.push(Value::Integer(count));
        }
        match classify(Value::Push(values), Protocol::Resp3) {
            Ok(incoming) => incoming,
            Err(e) => panic!("bad test frame {items:?}: {e}"),
        }
    }

    fn args(cmd: &Cmd) -> Vec<String> {
        cmd.args()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    }

    fn recorder() -> (Rc<RefCell<Vec<Message>>>, Handler) {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&seen);
        (seen, Box::new(move |m| sink.borrow_mut().push(m)))
    }

    fn no_push(_: Value) {
        panic!("no other push expected");
    }

    #[test]
    fn subscribe_needs_a_name_and_one_name_per_handler() {
        let mut session: Session<Handler> = Session::new();
        let err = session
            .request_subscribe(Family::Pattern, &psubscribe(Vec::<&str>::new()), None)
            .unwrap_err();
        assert!(err.to_string().contains("at least one pattern"), "{err}");
        let (_, handler) = recorder();
        let err = session
            .request_subscribe(Family::Channel, &subscribe(("a", "b")), Some(handler))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("one channel at a time; 2 were given"),
            "{err}"
        );
        assert!(!session.is_subscribed());
    }

    #[test]
    fn requested_then_confirmed() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        session.request_subscribe(Family::Channel, &subscribe(("a", "b")), None)?;
        assert!(session.is_subscribed());
        assert!(session.subscriptions().is_empty());
        let confirmation = session.process(frame(&["subscribe", "a"], Some(1)), no_push)?;
        assert_eq!(confirmation.map(|m| m.kind), Some(MessageKind::Subscribe));
        assert_eq!(session.subscriptions().len(), 1);
        // Hidden confirmations still update the state.
        session.set_ignore_subscribe_messages(true);
        assert!(session.ignores_subscribe_messages());
        assert_eq!(
            session.process(frame(&["subscribe", "b"], Some(2)), no_push)?,
            None
        );
        assert_eq!(session.subscriptions().len(), 2);
        Ok(())
    }

    #[test]
    fn handlers_take_their_messages() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        let (seen, handler) = recorder();
        session.request_subscribe(Family::Channel, &subscribe("news"), Some(handler))?;
        let (pseen, phandler) = recorder();
        session.request_subscribe(Family::Pattern, &psubscribe("n*"), Some(phandler))?;
        let taken = session.process(frame(&["message", "news", "hello"], None), no_push)?;
        assert_eq!(taken, None);
        let taken = session.process(frame(&["pmessage", "n*", "nope", "x"], None), no_push)?;
        assert_eq!(taken, None);
        // A channel without a handler: the reader gets it.
        let other = session.process(frame(&["message", "other", "hi"], None), no_push)?;
        assert_eq!(other.map(|m| m.channel), Some(Bytes::from_static(b"other")));
        assert_eq!(seen.borrow().len(), 1);
        assert_eq!(pseen.borrow()[0].channel, Bytes::from_static(b"nope"));
        // Subscribing again without a handler drops it.
        session.request_subscribe(Family::Channel, &subscribe("news"), None)?;
        let back = session.process(frame(&["message", "news", "again"], None), no_push)?;
        assert!(back.is_some());
        Ok(())
    }

    #[test]
    fn a_handler_stays_until_the_unsubscription_is_confirmed() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        let (seen, handler) = recorder();
        session.request_subscribe(Family::Shard, &ssubscribe("s"), Some(handler))?;
        session.process(frame(&["ssubscribe", "s"], Some(1)), no_push)?;
        session.request_unsubscribe(Family::Shard, &sunsubscribe("s"));
        assert!(session.is_subscribed(), "confirmed, still in effect");
        session.process(frame(&["smessage", "s", "in flight"], None), no_push)?;
        assert_eq!(seen.borrow().len(), 1);
        session.process(frame(&["sunsubscribe", "s"], Some(0)), no_push)?;
        assert!(!session.is_subscribed());
        let after = session.process(frame(&["smessage", "s", "late"], None), no_push)?;
        assert!(after.is_some(), "the handler is gone");
        Ok(())
    }

    #[test]
    fn count_zero_forgets_unwanted_entries_of_the_families() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        session.request_subscribe(Family::Channel, &subscribe("a"), None)?;
        session.request_subscribe(Family::Pattern, &psubscribe("p*"), None)?;
        session.request_unsubscribe(Family::Channel, &unsubscribe(Vec::<&str>::new()));
        session.request_unsubscribe(Family::Pattern, &punsubscribe("p*"));
        // An unsubscribe-from-all while nothing was confirmed: nil channel, count 0.
        session.process(
            Incoming::Message(Message {
                kind: MessageKind::Unsubscribe,
                channel: Bytes::new(),
                pattern: None,
                payload: None,
                count: Some(0),
            }),
            no_push,
        )?;
        assert!(!session.is_subscribed());
        assert!(session.restore_cmds().is_empty());
        Ok(())
    }

    #[test]
    fn restore_cmds_restore_confirmed_and_requested() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        session.request_subscribe(Family::Channel, &subscribe(("a", "b")), None)?;
        session.process(frame(&["subscribe", "a"], Some(1)), no_push)?;
        session.process(frame(&["subscribe", "b"], Some(2)), no_push)?;
        session.request_unsubscribe(Family::Channel, &unsubscribe("b"));
        session.request_subscribe(Family::Pattern, &psubscribe("p*"), None)?;
        session.request_subscribe(Family::Shard, &ssubscribe(("s1", "s2")), None)?;
        let cmds: Vec<Vec<String>> = session.restore_cmds().iter().map(args).collect();
        assert_eq!(
            cmds,
            vec![
                vec!["SUBSCRIBE", "a", "b"],
                vec!["PSUBSCRIBE", "p*"],
                vec!["SSUBSCRIBE", "s1"],
                vec!["SSUBSCRIBE", "s2"],
                vec!["UNSUBSCRIBE", "b"],
            ]
        );
        Ok(())
    }

    #[test]
    fn check_handlers_names_the_first_without_one() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        let (_, handler) = recorder();
        session.request_subscribe(Family::Channel, &subscribe("a"), Some(handler))?;
        session.check_handlers("run_in_thread")?;
        session.request_subscribe(Family::Pattern, &psubscribe("p*"), None)?;
        let err = session.check_handlers("run_in_background").unwrap_err();
        assert_eq!(
            err.to_string(),
            Error::PubSub {
                message: "pattern \"p*\" has no handler registered; run_in_background can \
                          only hand messages to handlers: subscribe with psubscribe_with(..) \
                          or unsubscribe from it first"
                    .to_owned()
            }
            .to_string()
        );
        Ok(())
    }

    #[test]
    fn pongs_pushes_errors_and_the_queue() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        session.ping_sent();
        session.ping_sent();
        assert_eq!(session.pings_outstanding(), 2);
        session.process(frame(&["pong", ""], None), no_push)?;
        session.process(Incoming::Reply(Value::SimpleString("PONG".into())), no_push)?;
        assert_eq!(session.pings_outstanding(), 0);
        session.process(Incoming::Reply(Value::SimpleString("PONG".into())), no_push)?;
        assert_eq!(session.pings_outstanding(), 0, "floors at zero");
        session.ping_sent();
        session.connection_lost(Error::from(std::io::Error::other("gone")));
        assert_eq!(session.pings_outstanding(), 0);

        let mut pushed = Vec::new();
        let invalidate = Value::Push(vec![Value::BulkString("invalidate".into())]);
        let incoming = classify(invalidate, Protocol::Resp3)?;
        assert_eq!(session.process(incoming, |v| pushed.push(v))?, None);
        assert_eq!(pushed.len(), 1);

        let refused = Incoming::Reply(Value::SimpleError("NOPERM no".into()));
        assert!(matches!(
            session.process(refused, no_push),
            Err(Error::Server(_))
        ));

        let Incoming::Message(message) = frame(&["message", "c", "m"], None) else {
            panic!("a message")
        };
        session.queue(message.clone());
        assert!(session.has_queued());
        assert_eq!(session.pop_queued(), Some(message));
        assert!(!session.has_queued());
        Ok(())
    }

    #[test]
    fn reconnects_are_counted_with_their_first_cause() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        assert!(session.reconnected().is_none(), "nothing was lost");
        session.request_subscribe(Family::Channel, &subscribe("a"), None)?;
        session.process(frame(&["subscribe", "a"], Some(1)), no_push)?;
        session.connection_lost(Error::from(std::io::Error::other("first")));
        session.connection_lost(Error::from(std::io::Error::other("second")));
        assert!(session.is_lost());
        let notice = session.reconnected().expect("a notice");
        assert!(
            notice.cause.to_string().contains("first"),
            "{}",
            notice.cause
        );
        assert_eq!(notice.reconnects, 1);
        assert_eq!(notice.resubscribed.len(), 1);
        assert!(!session.is_lost());
        assert!(session.reconnected().is_none());
        session.connection_lost(Error::from(std::io::Error::other("again")));
        session.clear();
        assert!(!session.is_lost(), "closing forgets the loss");
        assert_eq!(session.reconnects(), 1);
        Ok(())
    }

    #[test]
    fn clear_forgets_everything() -> Result<(), Error> {
        let mut session: Session<Handler> = Session::new();
        session.request_subscribe(Family::Channel, &subscribe("a"), None)?;
        session.process(frame(&["subscribe", "a"], Some(1)), no_push)?;
        session.ping_sent();
        session.clear();
        assert!(!session.is_subscribed());
        assert_eq!(session.pings_outstanding(), 0);
        assert!(session.restore_cmds().is_empty());
        Ok(())
    }

    #[test]
    fn read_wait_is_the_earlier_of_deadline_and_health_check() {
        let s = Duration::from_secs;
        assert_eq!(read_wait(None, None, s(5)), None);
        assert_eq!(read_wait(Some(s(3)), None, s(5)), Some(s(3)));
        assert_eq!(read_wait(None, Some(s(10)), s(4)), Some(s(6)));
        assert_eq!(read_wait(Some(s(3)), Some(s(10)), s(4)), Some(s(3)));
        assert_eq!(read_wait(Some(s(3)), Some(s(10)), s(20)), Some(s(0)));
    }
}
