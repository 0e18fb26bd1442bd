//! Publish/subscribe on a connection of its own: [`Client::pubsub`] and [`PubSub`].
//!
//! A subscribed connection cannot serve ordinary commands (in RESP2 it may only send the
//! `SUBSCRIBE` family and `PING`), so a [`PubSub`] neither borrows from the pool nor
//! shares the multiplexed connection: it opens a dedicated [`Connection`]
//! ([`Client::dedicated_connection`]) and keeps it for its whole life, reopening it when
//! it drops. Publishing is an ordinary command on the [`Client`].
//!
//! Everything that needs no socket lives in [`ferrodis_commands::pubsub`], the sans-IO
//! core that the blocking client drives too: [`classify`] sorts what arrives (RESP2
//! arrays and RESP3 push frames alike); the [`Session`] keeps the state of the session
//! (the [`Subscriptions`], which change only when the *server* confirms a
//! (un)subscription, the caller's requests with their handlers, the pongs owed),
//! dispatches each message to its handler, and says what a new connection must send to
//! restore exactly what was in effect ([`Session::restore_cmds`]). This module is the
//! async loop around it, and has the same semantics as `ferrodis_blocking::pubsub`, with
//! `.await`.
//!
//! Two things are specific to async:
//!
//! - **Cancellation.** Every read is a future that may be dropped (a `select!`, a
//!   timeout around it, a stream dropped mid-read). State only changes once a whole frame
//!   was read, and a half-read frame stays in the connection's buffer, so dropping
//!   [`PubSub::get_message`] (or a [`Messages`] stream) loses nothing and leaves the
//!   `PubSub` usable; a dropped reconnect is simply tried again by the next read.
//! - **Background tasks.** [`PubSub::run_in_background`] is redis-py's `run_in_thread`
//!   as a task spawned on the client's runtime (tokio or async-std). It stops at once
//!   when asked (the stop request wakes it; there is no polling interval), and
//!   [`PubSubTask::join`] gives the `PubSub` back.
//!
//! What users need to know (reading, handlers, streams, reconnecting) is in the
//! [`PubSub`] docs.

use std::any::Any;
use std::borrow::{Borrow, BorrowMut};
use std::fmt;
use std::future::{poll_fn, Future};
use std::ops::ControlFlow;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use ferrodis_commands::pubsub::{self as core, classify, Family, Incoming, Session};
use ferrodis_commands::{
    Cmd, Error, Message, Protocol, Result, Subscriptions, TimeoutKind, ToArgs, Value,
};
use futures_core::Stream;

// Only named in the docs (intra-doc links).
#[cfg(doc)]
use ferrodis_commands::MessageKind;

use crate::client::Client;
use crate::connection::Connection;
use crate::runtime::{self, BoxFuture};

/// A message handler: called with every message of its channel, pattern or shard channel.
type Handler = Box<dyn FnMut(Message) + Send + 'static>;
/// The reconnect callback.
type ReconnectHandler = Box<dyn FnMut(&Reconnected) + Send + 'static>;
/// `run_in_background`'s error handler.
type ErrorHandler = Box<dyn FnMut(&Error) -> ControlFlow<()> + Send + 'static>;
/// The callback for pushes that are not pub/sub.
type PushHandler = Box<dyn FnMut(Value) + Send + 'static>;

/// The notice given to the [`on_reconnect`](PubSub::on_reconnect) callback after the
/// connection dropped and a new one was opened (made by the sans-IO [`Session`]).
pub use ferrodis_commands::pubsub::Reconnected;

/// A publish/subscribe session on a connection of its own, created by
/// [`Client::pubsub`].
///
/// Publishing is an ordinary command: `client.publish(channel, message).await` on the
/// [`Client`] (and `spublish`, `pubsub_channels`, `pubsub_numsub_of`, `pubsub_numpat`,
/// `pubsub_shardchannels`, `pubsub_shardnumsub`; see
/// [`AsyncCommands`](ferrodis_commands::AsyncCommands)).
///
/// ## Reading messages
///
/// As in redis-py and aredis, there are three ways to read:
///
/// - [`get_message`](PubSub::get_message) waits up to a timeout and returns one
///   [`Message`], or `None` when nothing arrived in time (the connection stays usable);
/// - [`stream`](PubSub::stream) (or [`into_stream`](PubSub::into_stream)) is a
///   [`Stream`] of messages (aredis's `listen()`), which ends when nothing is subscribed
///   any more;
/// - [`run_in_background`](PubSub::run_in_background) moves the `PubSub` into a task
///   that hands every message to its handler, until [`PubSubTask::stop`].
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
/// Handlers are plain closures, called inside the read (they must not block: they run
/// on the runtime's threads). To do async work with a message, send it to a task of your
/// own through a channel.
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
/// ## Cancellation
///
/// Every future of a `PubSub` may be dropped before it completes (a `select!`, a
/// timeout) without losing a message or leaving the connection out of sync: the next
/// read goes on where the dropped one stopped.
///
/// ## Example
///
/// ```no_run
/// use std::time::Duration;
/// use ferrodis_async::Client;
/// use ferrodis_commands::{AsyncCommands, MessageKind};
///
/// # async fn example() -> ferrodis_commands::Result<()> {
/// let client = Client::open("redis://127.0.0.1:6379")?;
/// let mut pubsub = client.pubsub().await?;
/// pubsub.subscribe(("my-first-channel", "my-second-channel")).await?;
/// pubsub.psubscribe("my-*").await?;
/// for _ in 0..3 {
///     let confirmation = pubsub.get_message(Some(Duration::from_secs(1))).await?;
///     println!("{confirmation:?}"); // subscribe, subscribe, psubscribe: counts 1, 2, 3
/// }
/// let receivers: i64 = client.publish("my-first-channel", "some data").await?;
/// assert_eq!(receivers, 2); // the channel and the pattern
/// let message = pubsub.get_message(Some(Duration::from_secs(1))).await?;
/// assert!(message.is_some_and(|m| m.kind == MessageKind::Message));
///
/// // A handler, and a background task that runs it.
/// pubsub
///     .subscribe_with("my-channel", |message| println!("got {:?}", message.payload))
///     .await?;
/// pubsub.unsubscribe(("my-first-channel", "my-second-channel")).await?;
/// pubsub.punsubscribe("my-*").await?;
/// let task = pubsub.ignore_subscribe_messages(true).run_in_background()?;
/// // ...
/// task.stop();
/// let pubsub = task.join().await?; // the PubSub comes back, still subscribed
/// # drop(pubsub);
/// # Ok(())
/// # }
/// ```
///
/// The stream form:
///
/// ```no_run
/// use futures_util::StreamExt;
/// # async fn example(client: ferrodis_async::Client) -> ferrodis_commands::Result<()> {
/// let mut pubsub = client.pubsub().await?.ignore_subscribe_messages(true);
/// pubsub.subscribe("news").await?;
/// let mut messages = pubsub.stream();
/// while let Some(message) = messages.next().await {
///     println!("{:?}", message?.payload);
/// }
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
    pub async fn pubsub(&self) -> Result<PubSub> {
        let conn = open(self).await?;
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

/// A dedicated connection in pub/sub mode: push frames are returned by `recv_timeout`.
async fn open(client: &Client) -> Result<Connection> {
    let mut conn = client.dedicated_connection().await?;
    conn.deliver_pushes(true);
    Ok(conn)
}

impl PubSub {
    /// Hides subscription confirmations (`subscribe`, `unsubscribe`, ...): they still
    /// update the state, but [`get_message`](PubSub::get_message) and the
    /// [`stream`](PubSub::stream) no longer return them (aredis's
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
    /// the [`stream`](PubSub::stream) or the background task waits), so that a dead
    /// connection is noticed and replaced. `None` (the default) turns it off;
    /// [`check_health`](PubSub::check_health) still works.
    #[must_use]
    pub fn health_check_interval(mut self, interval: Option<Duration>) -> PubSub {
        self.health_check_interval = interval.filter(|i| !i.is_zero());
        self
    }

    /// Sets the callback told about every reconnect (see
    /// [Reconnecting](PubSub#reconnecting)). It runs inside the read that reconnected,
    /// after the subscription commands were sent on the new connection.
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
    /// The command is built at once (`channels` need not be `Send`); nothing is recorded
    /// or sent until the future is awaited.
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] without any channel. When the connection is found dead, a new
    /// one is opened at once (see [Reconnecting](PubSub#reconnecting)); the error of
    /// opening it, if that fails (the request is kept, and sent by the next read that
    /// manages to reconnect).
    pub fn subscribe<C: ToArgs>(
        &mut self,
        channels: C,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.request_subscribe(Family::Channel, core::subscribe(channels), None)
    }

    /// Subscribes to one channel and routes its messages to `handler` (aredis's
    /// `subscribe(**{channel: handler})`); they are not returned by the readers. The
    /// handler runs inside the read ([`get_message`](PubSub::get_message), the
    /// [`stream`](PubSub::stream), [`ping`](PubSub::ping), or
    /// [`run_in_background`](PubSub::run_in_background)'s task).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](PubSub::subscribe); [`Error::PubSub`] if `channel` is not
    /// exactly one name.
    pub fn subscribe_with<C, F>(
        &mut self,
        channel: C,
        handler: F,
    ) -> impl Future<Output = Result<()>> + Send + '_
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
    pub fn psubscribe<P: ToArgs>(
        &mut self,
        patterns: P,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.request_subscribe(Family::Pattern, core::psubscribe(patterns), None)
    }

    /// Subscribes to one pattern and routes its messages to `handler`.
    ///
    /// # Errors
    ///
    /// As [`subscribe_with`](PubSub::subscribe_with).
    pub fn psubscribe_with<P, F>(
        &mut self,
        pattern: P,
        handler: F,
    ) -> impl Future<Output = Result<()>> + Send + '_
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
    pub fn ssubscribe<C: ToArgs>(
        &mut self,
        channels: C,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.request_subscribe(Family::Shard, core::ssubscribe(channels), None)
    }

    /// Subscribes to one shard channel and routes its messages to `handler`.
    ///
    /// # Errors
    ///
    /// As [`subscribe_with`](PubSub::subscribe_with).
    pub fn ssubscribe_with<C, F>(
        &mut self,
        channel: C,
        handler: F,
    ) -> impl Future<Output = Result<()>> + Send + '_
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
    pub fn unsubscribe<C: ToArgs>(
        &mut self,
        channels: C,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.request_unsubscribe(Family::Channel, core::unsubscribe(channels))
    }

    /// Unsubscribes from every channel (`UNSUBSCRIBE` without arguments).
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub async fn unsubscribe_all(&mut self) -> Result<()> {
        self.request_unsubscribe(Family::Channel, core::unsubscribe_all())
            .await
    }

    /// Unsubscribes from patterns; with none, from every pattern.
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub fn punsubscribe<P: ToArgs>(
        &mut self,
        patterns: P,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.request_unsubscribe(Family::Pattern, core::punsubscribe(patterns))
    }

    /// Unsubscribes from every pattern (`PUNSUBSCRIBE` without arguments).
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub async fn punsubscribe_all(&mut self) -> Result<()> {
        self.request_unsubscribe(Family::Pattern, core::punsubscribe_all())
            .await
    }

    /// Unsubscribes from shard channels; with none, from every shard channel.
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub fn sunsubscribe<C: ToArgs>(
        &mut self,
        channels: C,
    ) -> impl Future<Output = Result<()>> + Send + '_ {
        self.request_unsubscribe(Family::Shard, core::sunsubscribe(channels))
    }

    /// Unsubscribes from every shard channel (`SUNSUBSCRIBE` without arguments).
    ///
    /// # Errors
    ///
    /// As [`unsubscribe`](PubSub::unsubscribe).
    pub async fn sunsubscribe_all(&mut self) -> Result<()> {
        self.request_unsubscribe(Family::Shard, core::sunsubscribe_all())
            .await
    }

    /// The subscriptions the server has confirmed.
    pub fn subscriptions(&self) -> &Subscriptions {
        self.session.subscriptions()
    }

    /// Whether anything is subscribed, or requested and not yet confirmed (redis-py's
    /// `subscribed`). The [`stream`](PubSub::stream) ends when this turns false.
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
    /// hidden confirmation (as aredis's `get_message`); the connection stays usable.
    ///
    /// Handlers run inside this call. If the connection dropped, this reconnects and
    /// resubscribes first (see [Reconnecting](PubSub#reconnecting)), then goes on waiting.
    /// Dropping the future before it completes loses nothing (see
    /// [Cancellation](PubSub#cancellation)).
    ///
    /// # Errors
    ///
    /// - an IO error when the connection dropped and a new one could not be opened (the
    ///   next call tries again);
    /// - [`Error::Server`] when the server refused a command of this session (for
    ///   instance a channel the ACL user may not use);
    /// - [`Error::Conversion`] for a malformed pub/sub frame (the connection stays in
    ///   sync).
    pub async fn get_message(&mut self, timeout: Option<Duration>) -> Result<Option<Message>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if let Some(message) = self.session.pop_queued() {
                return Ok(Some(message));
            }
            self.ensure_connected().await?;
            let now = Instant::now();
            let remaining = deadline.map(|d| d.saturating_duration_since(now));
            // Wake up for the next health check, if one is due before the deadline.
            let since_last_read = now.saturating_duration_since(self.last_read);
            let wait = core::read_wait(remaining, self.health_check_interval, since_last_read);
            match self.read_one(wait).await {
                // Something arrived: a message for the caller, or something consumed here
                // (a handler took it, a hidden confirmation, a pong): `None`, as redis-py.
                Ok(Some(incoming)) => return self.process(incoming),
                Ok(None) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(None);
                    }
                    if self.health_check_due() {
                        self.ping().await?;
                    }
                }
                Err(e) => self.on_read_error(e).await?,
            }
        }
    }

    /// A [`Stream`] of messages borrowing this `PubSub` (aredis's `listen()`): each item
    /// waits until a message arrives (health checks and reconnects happen meanwhile, as
    /// in [`get_message`](PubSub::get_message)). It ends when nothing is subscribed any
    /// more; an error is yielded as `Some(Err(..))`, and polling again goes on
    /// (reconnecting if needed). Dropping the stream mid-read loses nothing.
    pub fn stream(&mut self) -> Messages<'_> {
        Messages {
            inner: Unfold::new(self),
        }
    }

    /// As [`stream`](PubSub::stream), owning the `PubSub`: a `'static` stream that can be
    /// handed to another task.
    pub fn into_stream(self) -> IntoMessages {
        IntoMessages {
            inner: Unfold::new(Box::new(self)),
        }
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
    pub async fn ping(&mut self) -> Result<()> {
        let first = self.ping_once().await;
        if first.is_err() && self.session.is_lost() {
            // The connection was dead: reopen, resubscribe, and try once more.
            self.ensure_connected().await?;
            return self.ping_once().await;
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
    pub async fn check_health(&mut self) -> Result<()> {
        if self.health_check_interval.is_none() || self.health_check_due() {
            self.ping().await
        } else {
            Ok(())
        }
    }

    /// Closes the connection and forgets every subscription and handler (aredis's
    /// `close()`). Subscribing again afterwards opens a new connection.
    pub async fn close(&mut self) {
        self.session.clear();
        if let Some(conn) = self.conn.take() {
            conn.close().await;
        }
    }

    /// Checks that every subscription has a handler, as
    /// [`run_in_background`](PubSub::run_in_background) requires.
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] naming the first channel or pattern without a handler.
    pub fn check_handlers(&self) -> Result<()> {
        self.session.check_handlers("run_in_background")
    }

    /// Spawns a task on the client's runtime that reads messages and hands them to their
    /// handlers (aredis's `run_in_thread`), and returns its handle. Confirmations and
    /// messages without a handler are dropped. [`PubSubTask::stop`] ends it at once (the
    /// read in progress is dropped, which loses nothing), and [`PubSubTask::join`] gives
    /// the `PubSub` back.
    ///
    /// Without an error handler, the task stops at the first error, and
    /// [`PubSubTask::join`] returns it; see
    /// [`run_in_background_with_error_handler`](PubSub::run_in_background_with_error_handler).
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] naming a channel or pattern without a handler (as redis-py
    /// refuses): the task could do nothing with its messages. The `PubSub` is dropped
    /// then; call [`check_handlers`](PubSub::check_handlers) first to keep it.
    pub fn run_in_background(self) -> Result<PubSubTask> {
        self.spawn(Duration::ZERO, None)
    }

    /// As [`run_in_background`](PubSub::run_in_background), calling `on_error` with each
    /// error instead of stopping: return [`ControlFlow::Continue`] to go on after waiting
    /// `retry_after` (a dropped connection is reopened and resubscribed by the next
    /// read), or [`ControlFlow::Break`] to stop the task (its `join` then returns the
    /// `PubSub`).
    ///
    /// # Errors
    ///
    /// As [`run_in_background`](PubSub::run_in_background).
    pub fn run_in_background_with_error_handler<F>(
        self,
        retry_after: Duration,
        on_error: F,
    ) -> Result<PubSubTask>
    where
        F: FnMut(&Error) -> ControlFlow<()> + Send + 'static,
    {
        self.spawn(retry_after, Some(Box::new(on_error)))
    }

    fn spawn(self, retry_after: Duration, on_error: Option<ErrorHandler>) -> Result<PubSubTask> {
        self.check_handlers()?;
        let shared = Arc::new(TaskShared::default());
        let task_shared = Arc::clone(&shared);
        let runtime = Arc::clone(self.client.runtime());
        let body = run_background(self, Arc::clone(&shared), retry_after, on_error);
        runtime.spawn(Box::pin(async move {
            let outcome = match CatchUnwind(Box::pin(body)).await {
                Ok(outcome) => outcome,
                Err(panic) => Err(Error::PubSub {
                    message: format!(
                        "a message handler panicked in the pub/sub task: {}",
                        panic_message(panic.as_ref())
                    ),
                }),
            };
            task_shared.finish(outcome);
        }));
        Ok(PubSubTask { shared })
    }

    // --- internals -------------------------------------------------------------------

    /// Records a subscription request and sends it. Nothing happens before the first
    /// poll: a future dropped unpolled leaves no trace, and one dropped mid-write leaves
    /// the rest of the command buffered for the connection's next write.
    async fn request_subscribe(
        &mut self,
        family: Family,
        cmd: Cmd,
        handler: Option<Handler>,
    ) -> Result<()> {
        self.record_subscribe(family, &cmd, handler)?;
        self.send_request(&cmd).await
    }

    fn record_subscribe(
        &mut self,
        family: Family,
        cmd: &Cmd,
        handler: Option<Handler>,
    ) -> Result<()> {
        self.session.request_subscribe(family, cmd, handler)
    }

    /// Records an unsubscription request and sends it (as `request_subscribe`).
    async fn request_unsubscribe(&mut self, family: Family, cmd: Cmd) -> Result<()> {
        self.session.request_unsubscribe(family, &cmd);
        self.send_request(&cmd).await
    }

    /// Sends a (un)subscription request, already recorded in `entries`. Without a
    /// connection (or when writing fails), opening a new one sends it, with everything
    /// else to restore.
    async fn send_request(&mut self, cmd: &Cmd) -> Result<()> {
        if self.conn.is_none() {
            return self.ensure_connected().await;
        }
        match self.write(cmd).await {
            Ok(()) => Ok(()),
            Err(e) => {
                self.connection_lost(e);
                self.ensure_connected().await
            }
        }
    }

    /// Writes a command on the current connection. Untracked: subscription requests are
    /// confirmed by pub/sub frames, and the pong of a subscribed RESP2 connection is one.
    async fn write(&mut self, cmd: &Cmd) -> Result<()> {
        let conn = self.conn.as_mut().ok_or_else(not_connected)?;
        conn.send_untracked(cmd);
        conn.flush().await
    }

    fn health_check_due(&self) -> bool {
        self.health_check_interval
            .is_some_and(|i| self.last_read.elapsed() >= i)
    }

    /// Reads one value (waiting up to `wait`, `None`: forever) and sorts it.
    async fn read_one(&mut self, wait: Option<Duration>) -> Result<Option<Incoming>> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(not_connected());
        };
        let protocol = conn.protocol();
        match conn.recv_timeout(wait).await? {
            None => Ok(None),
            Some(value) => {
                self.last_read = Instant::now();
                classify(value, protocol).map(Some)
            }
        }
    }

    /// After a read failed: a broken connection is given up (the next read reconnects)
    /// and the error is returned unless reconnecting succeeds at once.
    async fn on_read_error(&mut self, e: Error) -> Result<()> {
        let broken = self.conn.as_ref().is_none_or(Connection::is_broken);
        if !broken {
            return Err(e);
        }
        self.connection_lost(e);
        self.ensure_connected().await
    }

    fn connection_lost(&mut self, cause: Error) {
        self.conn = None;
        self.session.connection_lost(cause);
    }

    /// Opens a connection if there is none: after a drop, resubscribes and tells the
    /// `on_reconnect` callback. If this future is dropped halfway, the new connection is
    /// dropped with it and the next read starts over.
    async fn ensure_connected(&mut self) -> Result<()> {
        if self.conn.is_some() {
            return Ok(());
        }
        let mut conn = open(&self.client).await?;
        for cmd in self.session.restore_cmds() {
            conn.send_untracked(&cmd);
        }
        conn.flush().await?;
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
    async fn ping_once(&mut self) -> Result<()> {
        self.ensure_connected().await?;
        // Counted before the write: if this future is dropped after the PING left, its
        // pong still finds its count (a count without a PING only floors at zero).
        self.session.ping_sent();
        if let Err(e) = self.write(&core::ping(None)).await {
            self.connection_lost(e.clone());
            return Err(e);
        }
        let timeout = self.client.config().response_timeout;
        let deadline = timeout.map(|t| Instant::now() + t);
        while self.session.pings_outstanding() > 0 {
            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            match self.read_one(remaining).await {
                Ok(Some(incoming)) => {
                    if let Some(message) = self.process(incoming)? {
                        self.session.queue(message);
                    }
                }
                Ok(None) => {
                    return Err(Error::Timeout {
                        kind: TimeoutKind::Response,
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

    /// The next message for a stream: `None` once nothing is subscribed (nor queued).
    async fn next_item(&mut self) -> Option<Result<Message>> {
        loop {
            if !self.session.has_queued() && !self.is_subscribed() {
                return None;
            }
            match self.get_message(None).await {
                Ok(Some(message)) => return Some(Ok(message)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

fn not_connected() -> Error {
    Error::from(std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "the pub/sub connection is closed",
    ))
}

// --- streams -----------------------------------------------------------------------------

/// One step of a stream: the read, owning the `PubSub` (or the borrow of it) and giving
/// it back with the item.
type Step<'a, P> = BoxFuture<'a, (P, Option<Result<Message>>)>;

/// A stream over a `PubSub` held as `P` (`&mut PubSub` or `Box<PubSub>`): each item is
/// one [`PubSub::next_item`], run as a boxed future that takes `P` and gives it back, so
/// the stream needs no self-reference.
struct Unfold<'a, P> {
    /// The `PubSub`, while no read is in progress.
    idle: Option<P>,
    /// The read in progress.
    reading: Option<Step<'a, P>>,
}

impl<'a, P> Unfold<'a, P>
where
    P: BorrowMut<PubSub> + Send + 'a,
{
    fn new(pubsub: P) -> Self {
        Unfold {
            idle: Some(pubsub),
            reading: None,
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message>>> {
        if self.reading.is_none() {
            let Some(mut pubsub) = self.idle.take() else {
                // Only after a read panicked: the `PubSub` went with it.
                return Poll::Ready(None);
            };
            self.reading = Some(Box::pin(async move {
                let item = pubsub.borrow_mut().next_item().await;
                (pubsub, item)
            }));
        }
        let Some(reading) = self.reading.as_mut() else {
            return Poll::Ready(None);
        };
        match reading.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready((pubsub, item)) => {
                self.reading = None;
                self.idle = Some(pubsub);
                Poll::Ready(item)
            }
        }
    }

    fn pubsub(&self) -> Option<&PubSub> {
        self.idle.as_ref().map(<P as Borrow<PubSub>>::borrow)
    }
}

/// The [`Stream`] of [`PubSub::stream`]: messages, until nothing is subscribed.
pub struct Messages<'a> {
    inner: Unfold<'a, &'a mut PubSub>,
}

impl fmt::Debug for Messages<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Messages")
            .field("pubsub", &self.inner.pubsub())
            .field("reading", &self.inner.reading.is_some())
            .finish()
    }
}

impl Stream for Messages<'_> {
    type Item = Result<Message>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Message>>> {
        self.get_mut().inner.poll_next(cx)
    }
}

/// The `'static` [`Stream`] of [`PubSub::into_stream`]: messages, until nothing is
/// subscribed.
pub struct IntoMessages {
    inner: Unfold<'static, Box<PubSub>>,
}

impl IntoMessages {
    /// The `PubSub` back, unless a read is in progress (a poll returned `Pending`: the
    /// read holds it, and dropping the stream drops it).
    pub fn into_inner(self) -> Option<PubSub> {
        self.inner.idle.map(|p| *p)
    }
}

impl fmt::Debug for IntoMessages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoMessages")
            .field("pubsub", &self.inner.pubsub())
            .field("reading", &self.inner.reading.is_some())
            .finish()
    }
}

impl Stream for IntoMessages {
    type Item = Result<Message>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Message>>> {
        self.get_mut().inner.poll_next(cx)
    }
}

// --- the background task -----------------------------------------------------------------

/// What the background task and its [`PubSubTask`] handle share.
#[derive(Default)]
struct TaskShared {
    state: Mutex<TaskState>,
}

#[derive(Default)]
struct TaskState {
    stop: bool,
    /// The task, waiting for a message (woken by `stop`).
    task_waker: Option<Waker>,
    /// Set once when the task ends.
    outcome: Option<Result<PubSub>>,
    finished: bool,
    /// `join`, waiting for the outcome.
    join_waker: Option<Waker>,
}

impl TaskShared {
    /// The state; a panic while it was locked cannot leave it inconsistent (every
    /// critical section is a few assignments), so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, TaskState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn request_stop(&self) {
        let waker = {
            let mut state = self.lock();
            state.stop = true;
            state.task_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn poll_stopped(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.lock();
        if state.stop {
            return Poll::Ready(());
        }
        if !state
            .task_waker
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            state.task_waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    fn finish(&self, outcome: Result<PubSub>) {
        let waker = {
            let mut state = self.lock();
            state.outcome = Some(outcome);
            state.finished = true;
            state.join_waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn poll_outcome(&self, cx: &mut Context<'_>) -> Poll<Result<PubSub>> {
        let mut state = self.lock();
        if let Some(outcome) = state.outcome.take() {
            return Poll::Ready(outcome);
        }
        if state.finished {
            return Poll::Ready(Err(Error::PubSub {
                message: "the pub/sub task's outcome was already taken".to_owned(),
            }));
        }
        if !state
            .join_waker
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            state.join_waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Runs `future` until it completes (`Some`) or a stop is requested (`None`, the future
/// is dropped).
async fn unless_stopped<F: Future>(shared: &TaskShared, future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    poll_fn(|cx| {
        if shared.poll_stopped(cx).is_ready() {
            return Poll::Ready(None);
        }
        future.as_mut().poll(cx).map(Some)
    })
    .await
}

/// The body of [`PubSub::run_in_background`]'s task.
async fn run_background(
    mut pubsub: PubSub,
    shared: Arc<TaskShared>,
    retry_after: Duration,
    mut on_error: Option<ErrorHandler>,
) -> Result<PubSub> {
    let runtime = Arc::clone(pubsub.client.runtime());
    loop {
        // Unhandled messages cannot go anywhere: dropped.
        let error = match unless_stopped(&shared, pubsub.get_message(None)).await {
            None => break,
            Some(Ok(_)) => continue,
            Some(Err(e)) => e,
        };
        let Some(handler) = on_error.as_mut() else {
            return Err(error);
        };
        if handler(&error).is_break() {
            break;
        }
        let pause = runtime::sleep(&*runtime, retry_after);
        if unless_stopped(&shared, pause).await.is_none() {
            break;
        }
    }
    Ok(pubsub)
}

/// Catches a panic of the future it polls (a message handler's), so that the task can
/// report it to `join` instead of taking a runtime thread down.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.get_mut().0.as_mut();
        match panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic".to_owned())
}

/// The handle of [`PubSub::run_in_background`]'s task.
///
/// Dropping it asks the task to stop (without waiting); [`join`](PubSubTask::join) to
/// wait for it and get the `PubSub` back.
pub struct PubSubTask {
    shared: Arc<TaskShared>,
}

impl fmt::Debug for PubSubTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("PubSubTask")
            .field("stop_requested", &state.stop)
            .field("finished", &state.finished)
            .finish()
    }
}

impl PubSubTask {
    /// Asks the task to stop (aredis's `thread.stop()`). It stops at its next poll,
    /// dropping the read in progress (which loses nothing). Does not wait: see
    /// [`join`](PubSubTask::join).
    pub fn stop(&self) {
        self.shared.request_stop();
    }

    /// Whether the task has ended (stopped, or ended by an error or a panic).
    pub fn is_finished(&self) -> bool {
        self.shared.lock().finished
    }

    /// Waits for the task to end (call [`stop`](PubSubTask::stop) first, or it runs
    /// until an error) and returns the `PubSub`, still subscribed. Dropping this future
    /// before it completes stops the task (as dropping the handle does).
    ///
    /// # Errors
    ///
    /// The error that ended the task (without an error handler); [`Error::PubSub`] if
    /// a handler panicked. The `PubSub` is dropped (its connection closed) then.
    pub async fn join(self) -> Result<PubSub> {
        poll_fn(|cx| self.shared.poll_outcome(cx)).await
    }
}

impl Drop for PubSubTask {
    fn drop(&mut self) {
        self.stop();
    }
}
