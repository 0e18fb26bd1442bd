//! Publish/subscribe on a connection of its own: [`Client::pubsub`] and [`PubSub`].
//!
//! A subscribed connection cannot serve ordinary commands (in RESP2 it may only send the
//! `SUBSCRIBE` family and `PING`), so a [`PubSub`] never borrows from the pool: it opens a
//! dedicated connection ([`Client::dedicated_connection`]) and keeps it for its whole
//! life, reopening it when it drops. Publishing is an ordinary command on the [`Client`].
//!
//! Everything that needs no socket lives in [`ferrodis_commands::pubsub`]: this module
//! only drives it, so that the blocking and async clients read pub/sub the same way.
//! [`classify`] sorts what arrives (RESP2 arrays and RESP3 push frames alike); the
//! [`Session`] keeps the state of the session (the [`Subscriptions`], which change only
//! when the *server* confirms a (un)subscription, the caller's requests with their
//! handlers, the pongs owed), dispatches each message to its handler, and says what a
//! new connection must send to restore exactly what was in effect
//! ([`Session::restore_cmds`]). What is left here is the IO: reading with timeouts,
//! health checks, reconnecting, and the background thread.
//!
//! What users need to know (reading, handlers, threads, reconnecting) is in the
//! [`PubSub`] docs.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use ferrodis_commands::pubsub::{self as core, classify, Family, Incoming, Session};
use ferrodis_commands::{Cmd, Error, Message, Protocol, Result, Subscriptions, ToArgs, Value};

// Only named in the docs (intra-doc links).
#[cfg(doc)]
use ferrodis_commands::MessageKind;

use crate::client::Client;
use crate::connection::Connection;

/// A message handler: called with every message of its channel, pattern or shard channel.
type Handler = Box<dyn FnMut(Message) + Send + 'static>;
/// The reconnect callback.
type ReconnectHandler = Box<dyn FnMut(&Reconnected) + Send + 'static>;
/// `run_in_thread`'s error handler.
type ErrorHandler = Box<dyn FnMut(&Error) -> ControlFlow<()> + Send + 'static>;
/// The callback for pushes that are not pub/sub.
type PushHandler = Box<dyn FnMut(Value) + Send + 'static>;

/// The notice given to the [`on_reconnect`](PubSub::on_reconnect) callback after the
/// connection dropped and a new one was opened (made by the sans-IO [`Session`]).
pub use ferrodis_commands::pubsub::Reconnected;

/// A publish/subscribe session on a connection of its own, created by
/// [`Client::pubsub`].
///
/// Publishing is an ordinary command: `client.publish(channel, message)` on the
/// [`Client`] (and `spublish`, `pubsub_channels`, `pubsub_numsub`, `pubsub_numpat`,
/// `pubsub_shardchannels`, `pubsub_shardnumsub`; see
/// [`Commands`](ferrodis_commands::Commands)).
///
/// ## Reading messages
///
/// As in redis-py, there are three ways to read:
///
/// - [`get_message`](PubSub::get_message) waits up to a timeout and returns one
///   [`Message`], or `None` when nothing arrived in time (the connection stays usable);
/// - [`listen`](PubSub::listen) is an iterator that blocks for each message, and ends
///   when nothing is subscribed any more;
/// - [`run_in_thread`](PubSub::run_in_thread) moves the `PubSub` into a thread that
///   hands every message to its handler, until [`PubSubThread::stop`].
///
/// A *handler* is a closure registered per channel, pattern or shard channel
/// ([`subscribe_with`](PubSub::subscribe_with), [`psubscribe_with`](PubSub::psubscribe_with),
/// [`ssubscribe_with`](PubSub::ssubscribe_with)). A message a handler took is not also
/// returned. Subscription confirmations are returned as messages too (kinds
/// [`MessageKind::Subscribe`], ...; their [`count`](Message::count) is the number of
/// subscriptions left), unless [`ignore_subscribe_messages`](PubSub::ignore_subscribe_messages)
/// is set. RESP2 and RESP3 behave the same; RESP3 pushes that are not pub/sub (client
/// tracking's `invalidate`) are never taken for messages (see [`on_push`](PubSub::on_push)).
///
/// ## Reconnecting
///
/// When the connection drops (the server restarted, a network error, a timeout in the
/// middle of a frame), the next read (or [`ping`](PubSub::ping)) opens a new connection
/// and subscribes again to everything that was in effect (the commands come from
/// [`Subscriptions::resubscribe_cmds`]), plus the (un)subscriptions that were requested
/// but not yet confirmed. The caller is told in two ways: the callback given to
/// [`on_reconnect`](PubSub::on_reconnect) is called with a [`Reconnected`] notice
/// (and [`reconnects`](PubSub::reconnects) counts), and the server's confirmations of
/// the new subscriptions arrive as `subscribe`/`psubscribe`/`ssubscribe` messages
/// (unless ignored). If the new connection cannot be opened, the read returns that error
/// and the next read tries again.
///
/// **Messages published while the connection was down are lost**: Redis pub/sub is
/// fire-and-forget and keeps nothing for absent subscribers (use streams for that).
///
/// ## Threads
///
/// A `PubSub` is `Send` (handlers must be), so it can be moved into a thread, which
/// [`run_in_thread`](PubSub::run_in_thread) does for you. Handlers run in the thread
/// that reads.
///
/// ## Example
///
/// ```no_run
/// use std::time::Duration;
/// use ferrodis_blocking::Client;
/// use ferrodis_commands::{Commands, MessageKind};
///
/// # fn main() -> ferrodis_commands::Result<()> {
/// let client = Client::open("redis://127.0.0.1:6379")?;
/// let mut pubsub = client.pubsub()?;
/// pubsub.subscribe(("my-first-channel", "my-second-channel"))?;
/// pubsub.psubscribe("my-*")?;
/// for _ in 0..3 {
///     let confirmation = pubsub.get_message(Some(Duration::from_secs(1)))?;
///     println!("{confirmation:?}"); // subscribe, subscribe, psubscribe: counts 1, 2, 3
/// }
/// let receivers: i64 = client.publish("my-first-channel", "some data")?;
/// assert_eq!(receivers, 2); // the channel and the pattern
/// let message = pubsub.get_message(Some(Duration::from_secs(1)))?;
/// assert!(message.is_some_and(|m| m.kind == MessageKind::Message));
///
/// // A handler, and a thread that runs it.
/// pubsub.subscribe_with("my-channel", |message| println!("got {:?}", message.payload))?;
/// pubsub.unsubscribe(("my-first-channel", "my-second-channel"))?;
/// pubsub.punsubscribe("my-*")?;
/// let thread = pubsub
///     .ignore_subscribe_messages(true)
///     .run_in_thread(Duration::from_millis(10))?;
/// // ...
/// thread.stop();
/// let pubsub = thread.join()?; // the PubSub comes back, still subscribed
/// # drop(pubsub);
/// # Ok(())
/// # }
/// ```
pub struct PubSub {
    client: Client,
    /// `None` after [`close`](PubSub::close), or when the connection dropped and could
    /// not be reopened yet.
    conn: Option<Connection>,
    /// The sans-IO state: subscriptions confirmed and requested, handlers, pongs owed,
    /// messages read early, and the lost connection (while it is not reopened, the next
    /// read reconnects and resubscribes) with the count of reconnects.
    session: Session<Handler>,
    health_check_interval: Option<Duration>,
    /// When something last arrived (or the connection was opened).
    last_read: Instant,
    on_reconnect: Option<ReconnectHandler>,
    on_push: Option<PushHandler>,
}

impl fmt::Debug for PubSub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PubSub")
            .field("addr", &self.client.config().addr)
            .field("connected", &self.conn.is_some())
            .field("subscriptions", self.session.subscriptions())
            .field(
                "ignore_subscribe_messages",
                &self.session.ignores_subscribe_messages(),
            )
            .field("health_check_interval", &self.health_check_interval)
            .field("reconnects", &self.session.reconnects())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Opens a [`PubSub`] on a new connection of its own (outside the pool). See the
    /// [`PubSub`] docs.
    ///
    /// # Errors
    ///
    /// When the connection cannot be opened (as [`Client::dedicated_connection`]).
    pub fn pubsub(&self) -> Result<PubSub> {
        let conn = open(self)?;
        Ok(PubSub {
            client: self.clone(),
            conn: Some(conn),
            session: Session::new(),
            health_check_interval: None,
            last_read: Instant::now(),
            on_reconnect: None,
            on_push: None,
        })
    }
}

/// A dedicated connection in pub/sub mode: push frames are returned by `recv`.
fn open(client: &Client) -> Result<Connection> {
    let mut conn = client.dedicated_connection()?;
    conn.deliver_pushes(true);
    Ok(conn)
}

impl PubSub {
    /// Hides subscription confirmations (`subscribe`, `unsubscribe`, ...): they still
    /// update the state, but [`get_message`](PubSub::get_message) and
    /// [`listen`](PubSub::listen) no longer return them (redis-py's
    /// `pubsub(ignore_subscribe_messages=True)`).
    #[must_use]
    pub fn ignore_subscribe_messages(mut self, ignore: bool) -> PubSub {
        self.session.set_ignore_subscribe_messages(ignore);
        self
    }

    /// As [`ignore_subscribe_messages`](PubSub::ignore_subscribe_messages), on a `&mut`.
    pub fn set_ignore_subscribe_messages(&mut self, ignore: bool) {
        self.session.set_ignore_subscribe_messages(ignore);
    }

    /// PINGs the server whenever nothing arrived for `interval` while reading (also while
    /// [`listen`](PubSub::listen) blocks), so that a dead connection is noticed and
    /// replaced. `None` (the default) turns it off; [`check_health`](PubSub::check_health)
    /// still works.
    #[must_use]
    pub fn health_check_interval(mut self, interval: Option<Duration>) -> PubSub {
        self.health_check_interval = interval.filter(|i| !i.is_zero());
        self
    }

    /// Sets the callback told about every reconnect (see
    /// [Reconnecting](PubSub#reconnecting)). It runs in the thread that reads, after the
    /// subscription commands were sent on the new connection.
    #[must_use]
    pub fn on_reconnect<F>(mut self, callback: F) -> PubSub
    where
        F: FnMut(&Reconnected) + Send + 'static,
    {
        self.on_reconnect = Some(Box::new(callback));
        self
    }

    /// Sets the callback for RESP3 pushes that are not pub/sub traffic, such as the
    /// `["invalidate", [keys]]` of client-side caching when another connection's
    /// `CLIENT TRACKING ... REDIRECT` points at this one. Without a callback they are
    /// dropped; they are never returned as messages.
    #[must_use]
    pub fn on_push<F>(mut self, callback: F) -> PubSub
    where
        F: FnMut(Value) + Send + 'static,
    {
        self.on_push = Some(Box::new(callback));
        self
    }

    /// Subscribes to channels: one name, or several (a tuple, a slice, a `Vec`). Sends
    /// `SUBSCRIBE` and returns: the server's confirmations arrive as messages (kind
    /// [`MessageKind::Subscribe`], with the number of subscriptions so far).
    ///
    /// Messages of these channels are returned by the readers; to have a closure take
    /// them instead, use [`subscribe_with`](PubSub::subscribe_with). Subscribing again
    /// to a channel that has a handler removes the handler, as in redis-py.
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] without any channel. When the connection is found dead, a new
    /// one is opened at once (see [Reconnecting](PubSub#reconnecting)); the error of
    /// opening it, if that fails (the request is kept, and sent by the next read that
    /// manages to reconnect).
    pub fn subscribe<C: ToArgs>(&mut self, channels: C) -> Result<()> {
        self.request_subscribe(Family::Channel, core::subscribe(channels), None)
    }

    /// Subscribes to one channel and routes its messages to `handler` (redis-py's
    /// `subscribe(**{channel: handler})`); they are not returned by the readers. The
    /// handler runs in the thread that reads ([`get_message`](PubSub::get_message),
    /// [`listen`](PubSub::listen), [`ping`](PubSub::ping), or
    /// [`run_in_thread`](PubSub::run_in_thread)'s thread).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](PubSub::subscribe); [`Error::PubSub`] if `channel` is not
    /// exactly one name.
    pub fn subscribe_with<C, F>(&mut self, channel: C, handler: F) -> Result<()>
    where
        C: ToArgs,
        F: FnMut(Message) + Send + 'static,
    {
        self.request_subscribe(
            Family::Channel,
            core::subscribe(channel),
            Some(Box::new(handler)),
        )
    }

    /// Subscribes to glob-style patterns (`PSUBSCRIBE`): messages of every matching
    /// channel arrive as [`MessageKind::PMessage`], with the [`pattern`](Message::pattern)
    /// that matched.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](PubSub::subscribe).
    pub fn psubscribe<P: ToArgs>(&mut self, patterns: P) -> Result<()> {
        self.request_subscribe(Family::Pattern, core::psubscribe(patterns), None)
    }

    /// Subscribes to one pattern and routes its messages to `handler`.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](PubSub::subscribe).
    pub fn psubscribe_with<P, F>(&mut self, pattern: P, handler: F) -> Result<()>
    where
        P: ToArgs,
        F: FnMut(Message) + Send + 'static,
    {
        self.request_subscribe(
            Family::Pattern,
            core::psubscribe(pattern),
            Some(Box::new(handler)),
        )
    }

    /// Subscribes to shard channels (`SSUBSCRIBE`, Redis 7): their messages (published
    /// with `SPUBLISH`) arrive as [`MessageKind::SMessage`].
    ///
    /// # Errors
    ///
    /// As [`subscribe`](PubSub::subscribe). A server older than 7.0 answers with an error
    /// reply, which the next read returns as [`Error::Server`].
    pub fn ssubscribe<C: ToArgs>(&mut self, channels: C) -> Result<()> {
        self.request_subscribe(Family::Shard, core::ssubscribe(channels), None)
    }

    /// Subscribes to one shard channel and routes its messages to `handler`.
    ///
    /// # Errors
    ///
    /// As [`ssubscribe`](PubSub::ssubscribe).
    pub fn ssubscribe_with<C, F>(&mut self, channel: C, handler: F) -> Result<()>
    where
        C: ToArgs,
        F: FnMut(Message) + Send + 'static,
    {
        self.request_subscribe(
            Family::Shard,
            core::ssubscribe(channel),
            Some(Box::new(handler)),
        )
    }

    /// Unsubscribes from channels; with no channel at all (an empty slice), from every
    /// channel, like [`unsubscribe_all`](PubSub::unsubscribe_all). The confirmations
    /// arrive as [`MessageKind::Unsubscribe`] messages, with the number of subscriptions
    /// left. A handler keeps receiving the channel's messages until the server confirms.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](PubSub::subscribe), but never for an empty list.
    pub fn unsubscribe<C: ToArgs>(&mut self, channels: C) -> Result<()> {
        self.request_unsubscribe(Family::Channel, core::unsubscribe(channels))
    }

    /// Unsubscribes from every channel (`UNSUBSCRIBE` without arguments).
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub fn unsubscribe_all(&mut self) -> Result<()> {
        self.request_unsubscribe(Family::Channel, core::unsubscribe_all())
    }

    /// Unsubscribes from patterns; with none, from every pattern.
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub fn punsubscribe<P: ToArgs>(&mut self, patterns: P) -> Result<()> {
        self.request_unsubscribe(Family::Pattern, core::punsubscribe(patterns))
    }

    /// Unsubscribes from every pattern (`PUNSUBSCRIBE` without arguments).
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub fn punsubscribe_all(&mut self) -> Result<()> {
        self.request_unsubscribe(Family::Pattern, core::punsubscribe_all())
    }

    /// Unsubscribes from shard channels; with none, from every shard channel.
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub fn sunsubscribe<C: ToArgs>(&mut self, channels: C) -> Result<()> {
        self.request_unsubscribe(Family::Shard, core::sunsubscribe(channels))
    }

    /// Unsubscribes from every shard channel (`SUNSUBSCRIBE` without arguments).
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub fn sunsubscribe_all(&mut self) -> Result<()> {
        self.request_unsubscribe(Family::Shard, core::sunsubscribe_all())
    }

    /// The subscriptions the server has confirmed.
    pub fn subscriptions(&self) -> &Subscriptions {
        self.session.subscriptions()
    }

    /// Whether anything is subscribed, or requested and not yet confirmed (redis-py's
    /// `subscribed`). [`listen`](PubSub::listen) ends when this turns false.
    pub fn is_subscribed(&self) -> bool {
        self.session.is_subscribed()
    }

    /// How many times the connection was reopened after it dropped.
    pub fn reconnects(&self) -> u64 {
        self.session.reconnects()
    }

    /// The protocol of the current connection (`None` while there is none).
    pub fn protocol(&self) -> Option<Protocol> {
        self.conn.as_ref().map(Connection::protocol)
    }

    /// The server's id for the current connection (`CLIENT ID`), as told by the RESP3
    /// handshake: `None` in RESP2 or while disconnected. It changes on reconnect.
    pub fn client_id(&self) -> Option<i64> {
        self.conn
            .as_ref()
            .and_then(|c| c.server_info())
            .and_then(|info| info.id)
    }

    /// Reads the next message, waiting up to `timeout` (`None`: as long as it takes;
    /// `Some(Duration::ZERO)`: only what already arrived). Returns `Ok(None)` when
    /// nothing arrived in time, or when what arrived was taken by a handler or was a
    /// hidden confirmation (as redis-py's `get_message`); the connection stays usable.
    ///
    /// Handlers run inside this call. If the connection dropped, this reconnects and
    /// resubscribes first (see [Reconnecting](PubSub#reconnecting)), then goes on waiting.
    ///
    /// # Errors
    ///
    /// - an IO error when the connection dropped and a new one could not be opened (the
    ///   next call tries again);
    /// - [`Error::Server`] when the server refused a command of this session (for
    ///   instance a channel the ACL user may not use);
    /// - [`Error::Conversion`] for a malformed pub/sub frame (the connection stays in
    ///   sync).
    pub fn get_message(&mut self, timeout: Option<Duration>) -> Result<Option<Message>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if let Some(message) = self.session.pop_queued() {
                return Ok(Some(message));
            }
            self.ensure_connected()?;
            let now = Instant::now();
            let remaining = deadline.map(|d| d.saturating_duration_since(now));
            // Wake up for the next health check, if one is due before the deadline.
            let since_last_read = now.saturating_duration_since(self.last_read);
            let wait = core::read_wait(remaining, self.health_check_interval, since_last_read);
            match self.read_one(wait) {
                // Something arrived: a message for the caller, or something consumed here
                // (a handler took it, a hidden confirmation, a pong): `None`, as redis-py.
                Ok(Some(incoming)) => return self.process(incoming),
                Ok(None) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(None);
                    }
                    if self.health_check_due() {
                        self.ping()?;
                    }
                }
                Err(e) => self.on_read_error(e)?,
            }
        }
    }

    /// An iterator over messages: each `next` blocks until a message arrives (health
    /// checks and reconnects happen meanwhile, as in [`get_message`](PubSub::get_message)).
    /// It ends when nothing is subscribed any more (redis-py's `listen()`); an error is
    /// yielded as `Some(Err(..))`, and iterating again goes on (reconnecting if needed).
    pub fn listen(&mut self) -> Listen<'_> {
        Listen { pubsub: self }
    }

    /// Sends `PING` and waits for its answer (up to the connection's response timeout),
    /// also while subscribed: in RESP2 the answer comes as a `pong` frame, in RESP3 as an
    /// ordinary `PONG`. Messages that arrive meanwhile go to their handlers or are kept
    /// for the readers. Neither the pong nor anything else is returned as a message.
    ///
    /// If the connection turns out to be dead, this reconnects and resubscribes (see
    /// [Reconnecting](PubSub#reconnecting)) and pings the new connection.
    ///
    /// # Errors
    ///
    /// A timeout or IO error when no answer came (and, after a drop, the new connection
    /// could not be opened or did not answer either).
    pub fn ping(&mut self) -> Result<()> {
        let first = self.ping_once();
        if first.is_err() && self.session.is_lost() {
            // The connection was dead: reopen, resubscribe, and try once more.
            self.ensure_connected()?;
            return self.ping_once();
        }
        first
    }

    /// redis-py's `check_health()`: with a
    /// [`health_check_interval`](PubSub::health_check_interval), pings when nothing arrived
    /// for that long; without one, always pings. Call it regularly when messages are read
    /// rarely, so that a dead connection is found (and replaced) early.
    ///
    /// # Errors
    ///
    /// As [`ping`](PubSub::ping).
    pub fn check_health(&mut self) -> Result<()> {
        if self.health_check_interval.is_none() || self.health_check_due() {
            self.ping()
        } else {
            Ok(())
        }
    }

    /// Closes the connection and forgets every subscription and handler (redis-py's
    /// `close()`). Subscribing again afterwards opens a new connection.
    pub fn close(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.close();
        }
        self.session.clear();
    }

    /// Checks that every subscription has a handler, as
    /// [`run_in_thread`](PubSub::run_in_thread) requires.
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] naming the first channel or pattern without a handler.
    pub fn check_handlers(&self) -> Result<()> {
        self.session.check_handlers("run_in_thread")
    }

    /// Starts a thread that reads messages and hands them to their handlers (redis-py's
    /// `run_in_thread(sleep_time)`), and returns its handle. Each round waits up to
    /// `sleep` for a message, so `sleep` is also how long [`PubSubThread::stop`] may take
    /// to be noticed (zero polls without waiting). Confirmations and messages without a
    /// handler are dropped.
    ///
    /// Without an error handler, the thread stops at the first error, and
    /// [`PubSubThread::join`] returns it; see
    /// [`run_in_thread_with_error_handler`](PubSub::run_in_thread_with_error_handler).
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] naming a channel or pattern without a handler (as redis-py
    /// refuses): the thread could do nothing with its messages. The `PubSub` is dropped
    /// then; call [`check_handlers`](PubSub::check_handlers) first to keep it.
    pub fn run_in_thread(self, sleep: Duration) -> Result<PubSubThread> {
        self.spawn(sleep, None)
    }

    /// As [`run_in_thread`](PubSub::run_in_thread), calling `on_error` with each error
    /// instead of stopping: return [`ControlFlow::Continue`] to go on (after waiting
    /// `sleep`; a dropped connection is reopened and resubscribed by the next round), or
    /// [`ControlFlow::Break`] to stop the thread (its `join` then returns the `PubSub`).
    ///
    /// # Errors
    ///
    /// As [`run_in_thread`](PubSub::run_in_thread).
    pub fn run_in_thread_with_error_handler<F>(
        self,
        sleep: Duration,
        on_error: F,
    ) -> Result<PubSubThread>
    where
        F: FnMut(&Error) -> ControlFlow<()> + Send + 'static,
    {
        self.spawn(sleep, Some(Box::new(on_error)))
    }

    fn spawn(
        mut self,
        sleep: Duration,
        mut on_error: Option<ErrorHandler>,
    ) -> Result<PubSubThread> {
        self.check_handlers()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let handle = thread::Builder::new()
            .name("ferrodis-pubsub".to_owned())
            .spawn(move || {
                while !stopped.load(Ordering::Acquire) {
                    // Unhandled messages cannot go anywhere: dropped.
                    if let Err(e) = self.get_message(Some(sleep)) {
                        match on_error.as_mut() {
                            None => return Err(e),
                            Some(handler) => {
                                if handler(&e).is_break() {
                                    break;
                                }
                                thread::sleep(sleep);
                            }
                        }
                    }
                }
                Ok(self)
            })
            .map_err(Error::from)?;
        Ok(PubSubThread {
            stop,
            handle: Some(handle),
        })
    }

    // --- internals -------------------------------------------------------------------

    fn request_subscribe(
        &mut self,
        family: Family,
        cmd: Cmd,
        handler: Option<Handler>,
    ) -> Result<()> {
        self.session.request_subscribe(family, &cmd, handler)?;
        self.send_request(&cmd)
    }

    fn request_unsubscribe(&mut self, family: Family, cmd: Cmd) -> Result<()> {
        self.session.request_unsubscribe(family, &cmd);
        self.send_request(&cmd)
    }

    /// Sends a (un)subscription request, already recorded in `entries`. Without a
    /// connection (or when writing fails), opening a new one sends it, with everything
    /// else to restore.
    fn send_request(&mut self, cmd: &Cmd) -> Result<()> {
        if self.conn.is_none() {
            return self.ensure_connected();
        }
        match self.write(cmd) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.connection_lost(e);
                self.ensure_connected()
            }
        }
    }

    /// Writes a command on the current connection. Untracked: subscription requests are
    /// confirmed by pub/sub frames, and the pong of a subscribed RESP2 connection is one.
    fn write(&mut self, cmd: &Cmd) -> Result<()> {
        let conn = self.conn.as_mut().ok_or_else(not_connected)?;
        conn.send_untracked(cmd);
        conn.flush()
    }

    fn health_check_due(&self) -> bool {
        self.health_check_interval
            .is_some_and(|i| self.last_read.elapsed() >= i)
    }

    /// Reads one value (waiting up to `wait`) and sorts it.
    fn read_one(&mut self, wait: Option<Duration>) -> Result<Option<Incoming>> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(not_connected());
        };
        let protocol = conn.protocol();
        match conn.recv_timeout(poll_wait(wait))? {
            None => Ok(None),
            Some(value) => {
                self.last_read = Instant::now();
                classify(value, protocol).map(Some)
            }
        }
    }

    /// After a read failed: a broken connection is given up (the next read reconnects)
    /// and the error is returned unless reconnecting succeeds at once.
    fn on_read_error(&mut self, e: Error) -> Result<()> {
        let broken = self.conn.as_ref().is_none_or(Connection::is_broken);
        if !broken {
            return Err(e);
        }
        self.connection_lost(e);
        self.ensure_connected()
    }

    fn connection_lost(&mut self, cause: Error) {
        self.conn = None;
        self.session.connection_lost(cause);
    }

    /// Opens a connection if there is none: after a drop, resubscribes and tells the
    /// `on_reconnect` callback.
    fn ensure_connected(&mut self) -> Result<()> {
        if self.conn.is_some() {
            return Ok(());
        }
        let mut conn = open(&self.client)?;
        for cmd in self.session.restore_cmds() {
            conn.send_untracked(&cmd);
        }
        conn.flush()?;
        self.conn = Some(conn);
        self.last_read = Instant::now();
        if let Some(notice) = self.session.reconnected() {
            if let Some(callback) = self.on_reconnect.as_mut() {
                callback(&notice);
            }
        }
        Ok(())
    }

    /// Applies what arrived (the session updates the subscriptions, runs handlers,
    /// consumes pongs; pushes that are not pub/sub go to the `on_push` callback).
    /// Returns the message to hand to the reader, if any.
    fn process(&mut self, incoming: Incoming) -> Result<Option<Message>> {
        let on_push = &mut self.on_push;
        self.session.process(incoming, |push| {
            if let Some(callback) = on_push.as_mut() {
                callback(push);
            }
        })
    }

    /// One PING round trip on the current connection.
    fn ping_once(&mut self) -> Result<()> {
        self.ensure_connected()?;
        if let Err(e) = self.write(&core::ping(None)) {
            self.connection_lost(e.clone());
            return Err(e);
        }
        self.session.ping_sent();
        let timeout = self.client.config().response_timeout;
        let deadline = timeout.map(|t| Instant::now() + t);
        while self.session.pings_outstanding() > 0 {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            match self.read_one(remaining) {
                Ok(Some(incoming)) => {
                    if let Some(message) = self.process(incoming)? {
                        self.session.queue(message);
                    }
                }
                Ok(None) => {
                    return Err(Error::Timeout {
                        kind: ferrodis_commands::TimeoutKind::Response,
                        after: timeout.unwrap_or_default(),
                    })
                }
                Err(e) => {
                    if self.conn.as_ref().is_none_or(Connection::is_broken) {
                        self.connection_lost(e.clone());
                    }
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// A wait for `Connection::recv_timeout`: a zero wait (a poll) becomes the smallest
/// one, since a socket read timeout cannot be zero (zero means "forever" to the OS).
pub(crate) fn poll_wait(wait: Option<Duration>) -> Option<Duration> {
    wait.map(|w| w.max(Duration::from_micros(1)))
}

fn not_connected() -> Error {
    Error::from(std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "the pub/sub connection is closed",
    ))
}

/// The iterator of [`PubSub::listen`].
#[derive(Debug)]
pub struct Listen<'a> {
    pubsub: &'a mut PubSub,
}

impl Iterator for Listen<'_> {
    type Item = Result<Message>;

    fn next(&mut self) -> Option<Result<Message>> {
        loop {
            if !self.pubsub.session.has_queued() && !self.pubsub.is_subscribed() {
                return None;
            }
            match self.pubsub.get_message(None) {
                Ok(Some(message)) => return Some(Ok(message)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// The handle of [`PubSub::run_in_thread`]'s thread.
///
/// Dropping it asks the thread to stop (without waiting); [`join`](PubSubThread::join)
/// to wait for it and get the `PubSub` back.
#[derive(Debug)]
pub struct PubSubThread {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Result<PubSub>>>,
}

impl PubSubThread {
    /// Asks the thread to stop; it notices within its `sleep` (redis-py's
    /// `thread.stop()`). Does not wait: see [`join`](PubSubThread::join).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
    }

    /// Whether the thread has ended (stopped, or ended by an error).
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the thread to end (call [`stop`](PubSubThread::stop) first, or it
    /// runs until an error) and returns the `PubSub`, still subscribed.
    ///
    /// # Errors
    ///
    /// The error that ended the thread (without an error handler); [`Error::PubSub`] if
    /// a handler panicked. The `PubSub` is dropped (its connection closed) then.
    pub fn join(mut self) -> Result<PubSub> {
        let Some(handle) = self.handle.take() else {
            return Err(Error::PubSub {
                message: "the pub/sub thread was already joined".to_owned(),
            });
        };
        match handle.join() {
            Ok(result) => result,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a non-string panic".to_owned());
                Err(Error::PubSub {
                    message: format!("a message handler panicked in the pub/sub thread: {what}"),
                })
            }
        }
    }
}

impl Drop for PubSubThread {
    fn drop(&mut self) {
        self.stop();
    }
}
