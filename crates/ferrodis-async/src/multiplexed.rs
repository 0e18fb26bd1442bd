//! [`MultiplexedConnection`]: one connection shared by many tasks, with automatic
//! pipelining.
//!
//! ## How it works
//!
//! A driver task (spawned on the connection's runtime) owns the socket. A caller does
//! not talk to the socket at all: under one short lock it encodes its command into the
//! shared write buffer and appends an entry to the queue of pending requests, then waits
//! for its entry's slot to be completed. The driver swaps the whole write buffer out and
//! writes it in one go, so the commands of every caller that arrived since the last write
//! leave in one syscall (automatic pipelining); it reads replies as they come, decodes all
//! that a read brought, and completes the slots of the queue's front entries in order
//! (Redis answers each connection in order, so FIFO matching is exact).
//!
//! Because the bytes of a request and its queue entry are added under the same lock, the
//! order of the queue is the order on the wire, and a request's bytes are contiguous: a
//! `MULTI` ... `EXEC` pipeline stays one atomic block even with other callers around.
//!
//! ## Write batching
//!
//! The driver writes what callers queued as soon as it is idle, but while replies are on
//! their way it lets new commands gather: the arrival of those replies wakes it anyway,
//! and everything queued meanwhile then leaves in one write (a caller wakes it early only
//! once 64 KiB are queued). After handing out a batch of replies it also yields once to
//! the runtime, so that the callers it just woke queue their next commands before it
//! writes. Under load, batches grow with the number of concurrent callers at no cost in
//! latency: Redis answers a connection in order, so a command written earlier would only
//! have waited on the server, behind the replies in flight.
//!
//! ## Cancel safety: tombstones
//!
//! A caller may stop waiting at any time (its future dropped, its own timeout). Its entry
//! stays in the queue as a tombstone: the reply is still read when it arrives and then
//! dropped, so the replies behind it still reach their own callers. The same holds for a
//! request whose response timeout passed: its caller gets [`Error::Timeout`] at once, its
//! entry turns into a tombstone, and the connection stays usable. No reply ever reaches
//! another caller.
//!
//! ## Timeouts and backpressure
//!
//! Each request gets the connection's response timeout, counted from when it was queued.
//! The driver keeps a single timer, armed for the oldest request still waiting (requests
//! are queued in order with the same timeout, so deadlines are in queue order too). The
//! number of requests in flight (tombstones included) is bounded
//! ([`DEFAULT_MAX_IN_FLIGHT`], or the client's `max_in_flight`): past the bound, callers
//! wait for room, in order, before their command is even encoded.
//!
//! ## Pushes
//!
//! With RESP3, the server may send push frames at any time (client-side caching's
//! `invalidate`, pub/sub messages). The driver never matches a push to a request: pushes
//! go to the [`PushStream`]s of [`pushes`](MultiplexedConnection::pushes) (a bounded queue;
//! with no stream open they are dropped).
//!
//! ## When the connection drops
//!
//! An IO error, the server closing the connection or a protocol error ends the driver:
//! every request in flight gets that error, later ones get it at once, and
//! [`is_closed`](MultiplexedConnection::is_closed) turns true. The [`Client`](crate::Client)
//! then opens a new one. When the last handle is dropped, the driver closes the socket.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io;
use std::mem;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use ferrodis_commands::pipeline::Pipeline as CorePipeline;
use ferrodis_commands::pubsub;
use ferrodis_commands::{
    AsyncCommands, Cmd, ConnectionConfig, ConnectionEffect, Error, FromValue, IntoConnectionConfig,
    Protocol, Result, TimeoutKind, ToArgs, Value,
};
use ferrodis_resp::Decoder;
use futures_core::Stream;

use crate::connection::{error_reply_to_err, is_push, read_more, Connection};
use crate::runtime::{self, BoxedIo, RuntimeRef, Timer};
use crate::slot::Slot;
use crate::spin::{SpinPolicy, SPIN_MIN_OWED};

/// The default bound on requests in flight on one multiplexed connection.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4096;

/// At most this many pushes wait in the queue of [`PushStream`]s; older ones are dropped
/// beyond it (and counted, see [`MultiplexedConnection::pushes_dropped`]).
pub const PUSH_QUEUE_LIMIT: usize = 4096;

/// Callers wake a driver that waits for replies anyway once this much is queued (see
/// "Write batching" in the module docs).
const EAGER_WRITE_BYTES: usize = 64 * 1024;

/// The driver yields to the runtime after this many busy rounds in a row.
const DRIVER_BUDGET: usize = 64;

/// A connection many tasks share: `Clone + Send + Sync`. See the [module docs](self).
///
/// ```no_run
/// use ferrodis_async::{AsyncCommands, MultiplexedConnection};
///
/// # async fn demo() -> ferrodis_commands::Result<()> {
/// let conn = MultiplexedConnection::open("redis://127.0.0.1:6379/0").await?;
/// // Concurrent requests from clones share one socket; their commands are written
/// // together and each reply reaches its own caller.
/// let (a, b) = (conn.clone(), conn.clone());
/// let (x, y): (Option<String>, Option<String>) = (a.get("x").await?, b.get("y").await?);
/// # let _ = (x, y);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct MultiplexedConnection {
    handle: Arc<Handle>,
}

/// Alive while any clone of a [`MultiplexedConnection`] is; its drop stops the driver.
struct Handle {
    shared: Arc<Shared>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        let waker = {
            let mut state = self.shared.lock();
            state.shutdown = true;
            state.driver.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// What callers, the driver and push streams share.
struct Shared {
    state: Mutex<State>,
    protocol: Protocol,
    runtime: RuntimeRef,
    config: ConnectionConfig,
    max_in_flight: usize,
    response_timeout: Option<Duration>,
    closed: AtomicBool,
    in_flight: AtomicUsize,
    /// When the driver started, and when it last read something (microseconds after
    /// `started`): how long the connection has been quiet.
    started: Instant,
    last_read: AtomicU64,
}

/// A request's outcome: its replies (one, or all of a pipeline's), or why it failed.
type Outcome = std::result::Result<Replies, Failed>;

/// The replies of one request. A single reply travels on its own, not in a `Vec`: the
/// driver completes requests on one thread and their callers read them on others, and
/// a `Vec` allocated by the driver and freed by the caller costs a cross-thread free per
/// request (with glibc's allocator, contention on its arena locks: futex calls, context
/// switches), measured on the 50-task benchmark.
#[derive(Debug)]
pub(crate) enum Replies {
    /// The one reply of a single command.
    One(Value),
    /// The replies of a pipeline, or of a pub/sub command (errors before its `PONG`).
    Many(Vec<Value>),
}

impl Replies {
    /// The only (or first) reply, if any.
    fn into_one(self) -> Option<Value> {
        match self {
            Replies::One(value) => Some(value),
            Replies::Many(values) => values.into_iter().next(),
        }
    }

    /// Every reply, in order.
    fn into_vec(self) -> Vec<Value> {
        match self {
            Replies::One(value) => vec![value],
            Replies::Many(values) => values,
        }
    }
}

/// A request that failed, and whether it certainly never reached the server (it was
/// still queued when the connection ended: sending it again cannot run it twice).
#[derive(Debug)]
pub(crate) struct Failed {
    pub(crate) error: Error,
    pub(crate) unsent: bool,
}

impl From<Failed> for Error {
    fn from(failed: Failed) -> Error {
        failed.error
    }
}

struct State {
    /// Commands encoded by callers, not yet taken by the driver.
    write_buf: BytesMut,
    /// Requests in wire order.
    pending: VecDeque<Entry>,
    /// How many entries at the front of `pending` already failed with a timeout.
    expired: usize,
    /// The driver's waker, when it sleeps.
    driver: Option<Waker>,
    /// Whether a caller that queues a command must wake the driver: only when no reply
    /// is expected (otherwise the reply's arrival wakes it, and it writes then).
    eager: bool,
    /// Why the connection ended.
    closed: Option<Error>,
    /// Every handle was dropped.
    shutdown: bool,
    /// The client gave up on the connection (a failed health check): end it with this.
    aborted: Option<Error>,
    /// Callers waiting for room (backpressure), in arrival order.
    waiters: VecDeque<(u64, Waker)>,
    next_waiter: u64,
    pushes: VecDeque<Value>,
    push_wakers: Vec<Waker>,
    push_streams: usize,
    pushes_dropped: u64,
}

/// One request in flight.
struct Entry {
    slot: Arc<Slot<Outcome>>,
    /// Replies still to come.
    remaining: usize,
    /// The replies so far.
    replies: Vec<Value>,
    deadline: Option<Instant>,
    /// A pub/sub command followed by a `PING`: its replies are the errors the server
    /// may send for it, up to the `PONG` that closes it (in RESP3 its confirmations are
    /// pushes, so the number of replies is not known in advance).
    until_pong: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Critical sections only move values between fields; a panic inside one (an
        // allocation failure) leaves nothing half-done that later users could misread.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn closed_error(&self, state: &State) -> Error {
        state.closed.clone().unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the multiplexed connection is closed",
            )
            .into()
        })
    }
}

impl fmt::Debug for MultiplexedConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = &self.handle.shared;
        f.debug_struct("MultiplexedConnection")
            .field("addr", &shared.config.addr)
            .field("runtime", &shared.runtime.name())
            .field("protocol", &shared.protocol)
            .field("in_flight", &self.in_flight())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl MultiplexedConnection {
    /// Opens a connection (as [`Connection::open`]) and starts its driver on the runtime
    /// the caller runs on.
    ///
    /// # Errors
    ///
    /// As [`Connection::open`].
    pub async fn open(config: impl IntoConnectionConfig) -> Result<MultiplexedConnection> {
        let config = config.into_connection_config()?;
        MultiplexedConnection::open_with(&config, runtime::detect()?).await
    }

    /// [`open`](Self::open) on the given runtime.
    ///
    /// # Errors
    ///
    /// As [`Connection::open`].
    pub async fn open_with(
        config: &ConnectionConfig,
        runtime: RuntimeRef,
    ) -> Result<MultiplexedConnection> {
        Ok(Connection::open_with(config, runtime)
            .await?
            .into_multiplexed())
    }

    /// Takes over `conn` (replies it still owed are discarded) and spawns the driver,
    /// which spins for at most `spin_wait` while replies are owed (see [`crate::spin`]).
    pub(crate) fn from_connection(
        conn: Connection,
        max_in_flight: usize,
        spin_wait: Duration,
    ) -> MultiplexedConnection {
        let parts = conn.into_parts();
        let mut pending = VecDeque::new();
        for _ in 0..parts.owed {
            let (slot, _) = Slot::new();
            pending.push_back(Entry {
                slot,
                remaining: 1,
                replies: Vec::new(),
                deadline: None,
                until_pong: false,
            });
        }
        let closed = parts.broken.clone();
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                write_buf: parts.write_buf,
                pending,
                expired: 0,
                driver: None,
                eager: true,
                closed: closed.clone(),
                shutdown: false,
                aborted: None,
                waiters: VecDeque::new(),
                next_waiter: 0,
                pushes: parts.pushes,
                push_wakers: Vec::new(),
                push_streams: 0,
                pushes_dropped: 0,
            }),
            protocol: parts.protocol,
            runtime: parts.runtime.clone(),
            response_timeout: parts.config.response_timeout,
            config: parts.config,
            max_in_flight: max_in_flight.max(1),
            closed: AtomicBool::new(closed.is_some()),
            in_flight: AtomicUsize::new(parts.owed),
            started: Instant::now(),
            last_read: AtomicU64::new(0),
        });
        if closed.is_none() {
            let driver = Driver {
                shared: shared.clone(),
                io: parts.io,
                decoder: parts.decoder,
                read_buf: parts.read_buf,
                out: BytesMut::with_capacity(8 * 1024),
                timer: None,
                timer_at: None,
                values: Vec::new(),
                wakers: Vec::new(),
                sent: parts.owed,
                needs_flush: false,
                yield_before_write: false,
                yielding: None,
                spin: SpinPolicy::new(spin_wait),
            };
            parts.runtime.spawn(Box::pin(driver));
        }
        MultiplexedConnection {
            handle: Arc::new(Handle { shared }),
        }
    }

    /// Sends `cmd` and returns its reply as it came (an error reply is a value).
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] (response) when no reply came within the response timeout (the
    /// connection stays usable; the late reply is discarded), [`Error::Io`] or
    /// [`Error::Protocol`] when the connection dropped, and an error naming the right API
    /// for commands that cannot share a connection (`MULTI`, `WATCH`, `SUBSCRIBE`,
    /// `MONITOR`, `CLIENT REPLY`, ...) or would stall it (`BLPOP` and the other blocking
    /// commands).
    pub async fn query_value(&self, cmd: &Cmd) -> Result<Value> {
        refuse_unshareable(cmd)?;
        Ok(self.query_value_tracked(cmd).await?)
    }

    /// Sends `cmd` and converts its reply; an error reply is [`Error::Server`].
    ///
    /// # Errors
    ///
    /// As [`query_value`](Self::query_value), the server's error, [`Error::Conversion`].
    pub async fn query<T: FromValue>(&self, cmd: &Cmd) -> Result<T> {
        T::from_value(error_reply_to_err(self.query_value(cmd).await?)?)
    }

    /// Runs a pipeline (a `MULTI`/`EXEC` one stays atomic: its commands are written as
    /// one block) and returns its results, as
    /// [`Pipeline::collect`](ferrodis_commands::pipeline::Pipeline::collect) makes them.
    ///
    /// # Errors
    ///
    /// As [`query_value`](Self::query_value), and the pipeline's own errors
    /// ([`Error::ExecAbort`], [`Error::Watch`]).
    pub async fn execute_pipeline(&self, pipe: &CorePipeline) -> Result<Vec<Value>> {
        if pipe.is_empty() {
            return Ok(Vec::new());
        }
        for cmd in pipe.cmds() {
            refuse_unshareable(cmd)?;
        }
        let replies = self
            .exchange(|buf| pipe.encode(buf), pipe.reply_count())
            .await?;
        pipe.collect(replies)
    }

    /// Writes what `request` encodes as one block and returns its `replies` replies
    /// (error replies as values). Waits for room first if the in-flight bound is reached.
    pub(crate) async fn exchange(
        &self,
        request: impl FnOnce(&mut BytesMut),
        replies: usize,
    ) -> Result<Vec<Value>> {
        Ok(self
            .exchange_with(request, replies, false)
            .await?
            .into_vec())
    }

    /// [`query_value`](Self::query_value) for a command the caller already routed here
    /// (the client sends only shareable commands, so it is not checked again), telling a
    /// request that never left from one that may have run (the client's resend rule).
    pub(crate) async fn query_value_tracked(
        &self,
        cmd: &Cmd,
    ) -> std::result::Result<Value, Failed> {
        debug_assert!(refuse_unshareable(cmd).is_ok());
        let replies = self
            .exchange_with(|buf| cmd.write_to(buf), 1, false)
            .await?;
        replies.into_one().ok_or_else(|| Failed {
            error: io::Error::new(io::ErrorKind::InvalidData, "no reply was read").into(),
            unsent: false,
        })
    }

    async fn exchange_with(
        &self,
        request: impl FnOnce(&mut BytesMut),
        replies: usize,
        until_pong: bool,
    ) -> std::result::Result<Replies, Failed> {
        let shared = &self.handle.shared;
        if replies == 0 {
            return Ok(Replies::Many(Vec::new()));
        }
        let (slot, answer) = Slot::new();
        Enqueue {
            shared,
            request: Some(request),
            replies,
            slot: Some(slot),
            waiter: None,
            until_pong,
        }
        .await
        .map_err(|error| Failed {
            error,
            unsent: true,
        })?;
        match answer.await {
            Some(outcome) => outcome,
            None => Err(Failed {
                error: shared.closed_error(&shared.lock()),
                unsent: false,
            }),
        }
    }

    /// `SUBSCRIBE` on this connection (RESP3 only): the messages, and the confirmations,
    /// arrive on [`pushes`](Self::pushes) while the connection goes on serving ordinary
    /// commands. Subscriptions end with the connection: unlike
    /// [`PubSub`](crate::pubsub::PubSub), nothing resubscribes after a reconnect (the
    /// push streams end, which tells their readers).
    ///
    /// # Errors
    ///
    /// [`Error::PubSub`] on a RESP2 connection (use `client.pubsub()`); the server's
    /// refusal ([`Error::Server`], e.g. `NOPERM`); the connection errors.
    pub async fn subscribe<C: ToArgs>(&self, channels: C) -> Result<()> {
        self.pubsub_command(pubsub::subscribe(channels)).await
    }

    /// `PSUBSCRIBE` on this connection; see [`subscribe`](Self::subscribe).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn psubscribe<P: ToArgs>(&self, patterns: P) -> Result<()> {
        self.pubsub_command(pubsub::psubscribe(patterns)).await
    }

    /// `SSUBSCRIBE` on this connection; see [`subscribe`](Self::subscribe).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn ssubscribe<C: ToArgs>(&self, channels: C) -> Result<()> {
        self.pubsub_command(pubsub::ssubscribe(channels)).await
    }

    /// `UNSUBSCRIBE` (the given channels; all with an empty list).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn unsubscribe<C: ToArgs>(&self, channels: C) -> Result<()> {
        self.pubsub_command(pubsub::unsubscribe(channels)).await
    }

    /// `PUNSUBSCRIBE` (the given patterns; all with an empty list).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn punsubscribe<P: ToArgs>(&self, patterns: P) -> Result<()> {
        self.pubsub_command(pubsub::punsubscribe(patterns)).await
    }

    /// `SUNSUBSCRIBE` (the given channels; all with an empty list).
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub async fn sunsubscribe<C: ToArgs>(&self, channels: C) -> Result<()> {
        self.pubsub_command(pubsub::sunsubscribe(channels)).await
    }

    /// Sends a pub/sub command followed by `PING`: the server answers the command with
    /// pushes (or an error reply), then the `PING` with `PONG`, which closes the entry.
    async fn pubsub_command(&self, cmd: Cmd) -> Result<()> {
        if self.protocol() != Protocol::Resp3 {
            return Err(Error::PubSub {
                message: "subscribing on a multiplexed connection needs RESP3 (its messages \
                          are pushes); with RESP2 use client.pubsub()"
                    .to_owned(),
            });
        }
        let ping = Cmd::new("PING");
        let replies = self
            .exchange_with(
                |buf| {
                    cmd.write_to(buf);
                    ping.write_to(buf);
                },
                1,
                true,
            )
            .await?;
        for reply in replies.into_vec() {
            error_reply_to_err(reply)?;
        }
        Ok(())
    }

    /// Whether the connection ended (requests fail at once; open a new one).
    pub fn is_closed(&self) -> bool {
        self.handle.shared.closed.load(Ordering::Acquire)
    }

    /// The RESP version negotiated.
    pub fn protocol(&self) -> Protocol {
        self.handle.shared.protocol
    }

    /// The runtime the driver runs on.
    pub fn runtime(&self) -> &RuntimeRef {
        &self.handle.shared.runtime
    }

    /// The config the connection was opened with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.handle.shared.config
    }

    /// Requests in flight (sent or queued, replies not all read), tombstones included.
    pub fn in_flight(&self) -> usize {
        self.handle.shared.in_flight.load(Ordering::Relaxed)
    }

    /// How long the connection has been quiet: nothing in flight, and nothing read for
    /// this long (zero while requests are in flight).
    pub fn idle_for(&self) -> Duration {
        let shared = &self.handle.shared;
        if shared.in_flight.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_micros(shared.last_read.load(Ordering::Relaxed));
        shared.started.elapsed().saturating_sub(last)
    }

    /// Ends the connection with `error`: every request in flight gets it, and the
    /// connection reports [`is_closed`](Self::is_closed) (a client then opens a new one).
    pub(crate) fn abort(&self, error: Error) {
        let shared = &self.handle.shared;
        let waker = {
            let mut state = shared.lock();
            // Closed at once for everyone (new requests fail, `is_closed` is true); the
            // driver fails the requests in flight when it wakes.
            state.closed = Some(error.clone());
            shared.closed.store(true, Ordering::Release);
            state.aborted = Some(error);
            state.driver.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The bound on requests in flight.
    pub fn max_in_flight(&self) -> usize {
        self.handle.shared.max_in_flight
    }

    /// A stream of the RESP3 pushes that arrive on this connection (client-side caching
    /// invalidations, pub/sub messages): never mistaken for replies. Pushes are queued
    /// only while at least one stream is open; with several, each push goes to one of
    /// them. The stream ends when the connection does.
    pub fn pushes(&self) -> PushStream {
        let shared = self.handle.shared.clone();
        shared.lock().push_streams += 1;
        PushStream { shared }
    }

    /// Pushes dropped because the queue of [`pushes`](Self::pushes) was full
    /// ([`PUSH_QUEUE_LIMIT`]).
    pub fn pushes_dropped(&self) -> u64 {
        self.handle.shared.lock().pushes_dropped
    }
}

impl AsyncCommands for MultiplexedConnection {
    /// Error replies are [`Error::Server`], whatever `RV`.
    async fn query_cmd<RV: FromValue + Send>(&self, cmd: Cmd) -> Result<RV> {
        RV::from_value(error_reply_to_err(self.query_value(&cmd).await?)?)
    }
}

/// Whether `value` is the `PONG` of a `PING` (`+PONG` in RESP3).
fn is_pong(value: &Value) -> bool {
    matches!(value, Value::SimpleString(s) if s.eq_ignore_ascii_case(b"PONG"))
}

/// An error for a command that would break a connection other callers share, naming the
/// API to use instead; `Ok` for the others.
pub(crate) fn refuse_unshareable(cmd: &Cmd) -> Result<()> {
    let reason = match cmd.connection_effect() {
        ConnectionEffect::None if cmd.blocking_timeout().is_some() => {
            "a blocking command (BLPOP, BRPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, WAIT, ...) holds \
             its connection on the server: on a shared one it would stall every other \
             caller. Send it through a Client (which gives it a pooled connection of its \
             own) or on a Connection of your own"
        }
        ConnectionEffect::None => return Ok(()),
        ConnectionEffect::Multi | ConnectionEffect::EndTransaction => {
            "MULTI/EXEC/DISCARD cannot run alone on a shared connection: other callers' \
             commands would join the transaction. Use a pipeline (client.pipeline())"
        }
        ConnectionEffect::Watch | ConnectionEffect::Unwatch => {
            "WATCH cannot run on a shared connection: another caller's EXEC would depend \
             on it. Use pipeline.watch(..) or client.transaction(..), which take a \
             connection of their own"
        }
        ConnectionEffect::Takeover => {
            if cmd.name().to_ascii_uppercase().ends_with(b"SUBSCRIBE") {
                return Err(Error::PubSub {
                    message: "SUBSCRIBE as a plain command would leave its confirmations \
                              unaccounted for: use MultiplexedConnection::subscribe (RESP3) \
                              or client.pubsub()"
                        .to_owned(),
                });
            }
            "MONITOR, RESET and QUIT take over or end the connection: use client.monitor() \
             or a connection of your own (client.get_connection())"
        }
        ConnectionEffect::State => {
            let sub = cmd.arg_at(1).unwrap_or_default();
            let name = cmd.name();
            if name.eq_ignore_ascii_case(b"CLIENT") && sub.eq_ignore_ascii_case(b"REPLY") {
                "CLIENT REPLY would desynchronise the replies of every caller of a shared \
                 connection: use a connection of your own (client.get_connection())"
            } else if name.eq_ignore_ascii_case(b"HELLO") {
                "HELLO would change the protocol under every caller of a shared \
                 connection: set the protocol in the ConnectionConfig"
            } else {
                return Ok(());
            }
        }
        _ => "this command changes the connection in a way other callers would see",
    };
    Err(Error::Config {
        part: "command",
        reason: reason.to_owned(),
    })
}

/// Waits for room under the in-flight bound, then encodes the request and queues its
/// entry (atomically, so wire order is queue order).
struct Enqueue<'a, F> {
    shared: &'a Arc<Shared>,
    request: Option<F>,
    replies: usize,
    slot: Option<Arc<Slot<Outcome>>>,
    /// Our id in the waiters' list, once registered.
    waiter: Option<u64>,
    until_pong: bool,
}

impl<F> Unpin for Enqueue<'_, F> {}

impl<F: FnOnce(&mut BytesMut)> Future for Enqueue<'_, F> {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = &mut *self;
        let shared = this.shared;
        let mut state = shared.lock();
        if state.closed.is_some() || state.shutdown {
            let error = shared.closed_error(&state);
            if let Some(id) = this.waiter.take() {
                state.waiters.retain(|(w, _)| *w != id);
            }
            return Poll::Ready(Err(error));
        }
        let room = state.pending.len() < shared.max_in_flight || state.pending.is_empty();
        // Waiters go in order: a newcomer does not overtake callers already waiting.
        let first_in_line = match this.waiter {
            None => state.waiters.is_empty(),
            Some(id) => state.waiters.front().is_none_or(|(w, _)| *w == id),
        };
        if room && first_in_line {
            if let Some(id) = this.waiter.take() {
                state.waiters.retain(|(w, _)| *w != id);
            }
            let (Some(request), Some(slot)) = (this.request.take(), this.slot.take()) else {
                return Poll::Ready(Ok(()));
            };
            request(&mut state.write_buf);
            let deadline = shared.response_timeout.map(|t| Instant::now() + t);
            state.pending.push_back(Entry {
                slot,
                remaining: this.replies,
                replies: Vec::new(),
                deadline,
                until_pong: this.until_pong,
            });
            shared
                .in_flight
                .store(state.pending.len(), Ordering::Relaxed);
            // Room left: let the next waiter try too.
            let next = if state.pending.len() < shared.max_in_flight {
                state.waiters.front().map(|(_, w)| w.clone())
            } else {
                None
            };
            let driver = if state.eager || state.write_buf.len() >= EAGER_WRITE_BYTES {
                state.driver.take()
            } else {
                None
            };
            drop(state);
            if let Some(waker) = driver {
                waker.wake();
            }
            if let Some(waker) = next {
                waker.wake();
            }
            return Poll::Ready(Ok(()));
        }
        match this.waiter {
            Some(id) => {
                if let Some(entry) = state.waiters.iter_mut().find(|(w, _)| *w == id) {
                    if !entry.1.will_wake(cx.waker()) {
                        entry.1 = cx.waker().clone();
                    }
                } else {
                    state.waiters.push_back((id, cx.waker().clone()));
                }
            }
            None => {
                let id = state.next_waiter;
                state.next_waiter += 1;
                state.waiters.push_back((id, cx.waker().clone()));
                this.waiter = Some(id);
            }
        }
        Poll::Pending
    }
}

impl<F> Drop for Enqueue<'_, F> {
    fn drop(&mut self) {
        // A waiter that gives up leaves the line, and passes on a wake-up it may have
        // received, so that room is never left unused while others wait.
        if let Some(id) = self.waiter.take() {
            let next = {
                let mut state = self.shared.lock();
                state.waiters.retain(|(w, _)| *w != id);
                state.waiters.front().map(|(_, w)| w.clone())
            };
            if let Some(waker) = next {
                waker.wake();
            }
        }
    }
}

/// The task that owns the socket. See the [module docs](self).
struct Driver {
    shared: Arc<Shared>,
    io: BoxedIo,
    decoder: Decoder,
    read_buf: BytesMut,
    /// Bytes being written (swapped out of the shared write buffer).
    out: BytesMut,
    timer: Option<Pin<Box<dyn Timer>>>,
    timer_at: Option<Instant>,
    /// Values decoded from the last read, before dispatch.
    values: Vec<Value>,
    /// Wakers to wake once the lock is released.
    wakers: Vec<Waker>,
    /// Requests handed to the driver (taken from the shared buffer) whose replies have
    /// not all arrived.
    sent: usize,
    /// Bytes were written since the last flush (TLS buffers records).
    needs_flush: bool,
    /// Replies were handed out: yield before the next write, so that the callers woken
    /// queue their next commands first (one write for all of them).
    yield_before_write: bool,
    /// The yield in progress.
    yielding: Option<runtime::BoxFuture<'static, ()>>,
    /// Whether to poll again at once rather than park while replies are owed.
    spin: SpinPolicy,
}

impl Future for Driver {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        match this.drive(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(end) => {
                this.fail_all(end);
                let _ = this.io.poll_close(cx);
                Poll::Ready(())
            }
        }
    }
}

impl Driver {
    /// Runs until the connection ends (`Ready(None)`: every handle was dropped) or has
    /// nothing to do.
    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<Option<Error>> {
        for _ in 0..DRIVER_BUDGET {
            let mut progress = false;

            // 1. Write what callers queued, in one go; after handing out replies, first
            // let the woken callers run (see `yield_before_write`).
            if let Some(yielding) = &mut self.yielding {
                if yielding.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.yielding = None;
            } else if self.yield_before_write {
                self.yield_before_write = false;
                let mut yielding = self.shared.runtime.yield_now();
                if yielding.as_mut().poll(cx).is_pending() {
                    self.yielding = Some(yielding);
                    return Poll::Pending;
                }
            }
            if self.out.is_empty() {
                let mut state = self.shared.lock();
                if !state.write_buf.is_empty() {
                    mem::swap(&mut self.out, &mut state.write_buf);
                    self.sent = state.pending.len();
                }
            }
            while !self.out.is_empty() {
                match self.io.poll_write(cx, &self.out) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Some(
                            io::Error::new(
                                io::ErrorKind::WriteZero,
                                "the connection accepted no more bytes",
                            )
                            .into(),
                        ))
                    }
                    Poll::Ready(Ok(n)) => {
                        self.out.advance(n);
                        self.needs_flush = true;
                        progress = true;
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Some(e.into())),
                    Poll::Pending => break,
                }
            }
            if self.out.is_empty() && self.needs_flush {
                match self.io.poll_flush(cx) {
                    Poll::Ready(Ok(())) => self.needs_flush = false,
                    Poll::Ready(Err(e)) => return Poll::Ready(Some(e.into())),
                    Poll::Pending => {}
                }
            }

            // 2. Read, decode and hand out the replies.
            match read_more(&mut self.io, &mut self.read_buf, cx) {
                Poll::Ready(Ok(0)) => {
                    let what = if self.read_buf.is_empty() {
                        "the server closed the connection"
                    } else {
                        "the server closed the connection in the middle of a reply"
                    };
                    return Poll::Ready(Some(
                        io::Error::new(io::ErrorKind::UnexpectedEof, what).into(),
                    ));
                }
                Poll::Ready(Ok(_)) => {
                    progress = true;
                    let now = Instant::now();
                    self.spin.replies_arrived(now);
                    let since = now.duration_since(self.shared.started).as_micros();
                    self.shared
                        .last_read
                        .store(u64::try_from(since).unwrap_or(u64::MAX), Ordering::Relaxed);
                    loop {
                        match self.decoder.decode(&mut self.read_buf) {
                            Ok(Some(value)) => self.values.push(value),
                            Ok(None) => break,
                            Err(e) => return Poll::Ready(Some(Error::Protocol(e))),
                        }
                    }
                    if !self.values.is_empty() {
                        if let Err(e) = self.dispatch() {
                            return Poll::Ready(Some(e));
                        }
                    }
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Some(e.into())),
                Poll::Pending => {}
            }

            // 3. Response timeouts.
            if self.shared.response_timeout.is_some() && self.poll_timeouts(cx) {
                progress = true;
            }

            if !progress {
                let mut state = self.shared.lock();
                if !state.write_buf.is_empty() {
                    continue;
                }
                if state.shutdown {
                    return Poll::Ready(None);
                }
                if let Some(error) = state.aborted.take() {
                    return Poll::Ready(Some(error));
                }
                match &state.driver {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    _ => state.driver = Some(cx.waker().clone()),
                }
                // With replies on their way, their arrival wakes the driver, and what
                // callers queue meanwhile leaves in one write then.
                state.eager = self.sent == 0;
                drop(state);
                if self.sent < SPIN_MIN_OWED {
                    self.spin.idle();
                } else if self.spin.keep_spinning(Instant::now()) {
                    // Replies are due soon: poll again at once rather than let this
                    // worker park (see `crate::spin`). The waker stays registered.
                    cx.waker().wake_by_ref();
                }
                return Poll::Pending;
            }
        }
        // Busy for a while: let other tasks run, and come back at once.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Matches the decoded values to the requests at the front of the queue.
    fn dispatch(&mut self) -> Result<()> {
        let resp3 = self.shared.protocol == Protocol::Resp3;
        let mut state = self.shared.lock();
        let mut freed = 0;
        let mut pushed = false;
        for value in self.values.drain(..) {
            if resp3 && is_push(&value) {
                if state.push_streams > 0 {
                    if state.pushes.len() >= PUSH_QUEUE_LIMIT {
                        state.pushes.pop_front();
                        state.pushes_dropped += 1;
                    }
                    state.pushes.push_back(value);
                    pushed = true;
                }
                continue;
            }
            let Some(entry) = state.pending.front_mut() else {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the server sent a reply no request was waiting for; the connection \
                     is out of step and is closed",
                )
                .into());
            };
            if entry.until_pong && !is_pong(&value) {
                entry.replies.push(value);
                continue;
            }
            entry.remaining -= 1;
            if entry.remaining > 0 {
                if !entry.slot.is_abandoned() {
                    entry.replies.push(value);
                }
                continue;
            }
            let Some(mut entry) = state.pending.pop_front() else {
                continue;
            };
            freed += 1;
            self.sent = self.sent.saturating_sub(1);
            if state.expired > 0 {
                // A tombstone of a timed-out request: its outcome was given already.
                state.expired -= 1;
                continue;
            }
            if entry.slot.is_abandoned() {
                continue;
            }
            let replies = if entry.until_pong {
                Replies::Many(entry.replies)
            } else if entry.replies.is_empty() {
                Replies::One(value)
            } else {
                entry.replies.push(value);
                Replies::Many(entry.replies)
            };
            if let Some(waker) = entry.slot.complete(Ok(replies)) {
                self.wakers.push(waker);
            }
        }
        if freed > 0 {
            self.shared
                .in_flight
                .store(state.pending.len(), Ordering::Relaxed);
            let room = self
                .shared
                .max_in_flight
                .saturating_sub(state.pending.len());
            for (_, waker) in state.waiters.iter().take(room.min(freed)) {
                self.wakers.push(waker.clone());
            }
        }
        if pushed {
            self.wakers.append(&mut state.push_wakers);
        }
        drop(state);
        if !self.wakers.is_empty() {
            self.yield_before_write = true;
        }
        for waker in self.wakers.drain(..) {
            waker.wake();
        }
        Ok(())
    }

    /// Fails the requests whose response timeout passed and arms the timer for the next
    /// one; `true` if the timer fired.
    fn poll_timeouts(&mut self, cx: &mut Context<'_>) -> bool {
        let now = Instant::now();
        let mut state = self.shared.lock();
        let after = self.shared.response_timeout.unwrap_or_default();
        let mut next = None;
        while let Some(entry) = state.pending.get(state.expired) {
            match entry.deadline {
                Some(deadline) if deadline <= now => {
                    if let Some(waker) = entry.slot.complete(Err(Failed {
                        error: Error::Timeout {
                            kind: TimeoutKind::Response,
                            after,
                        },
                        unsent: false,
                    })) {
                        self.wakers.push(waker);
                    }
                    state.expired += 1;
                }
                deadline => {
                    next = deadline;
                    break;
                }
            }
        }
        drop(state);
        for waker in self.wakers.drain(..) {
            waker.wake();
        }
        let Some(next) = next else {
            return false;
        };
        // The timer may fire early (then it is re-armed), never late.
        let timer = match (&mut self.timer, self.timer_at) {
            (Some(timer), Some(at)) if at <= next => timer,
            (Some(timer), _) => {
                timer.as_mut().reset(next);
                self.timer_at = Some(next);
                timer
            }
            (slot @ None, _) => {
                self.timer_at = Some(next);
                slot.insert(self.shared.runtime.timer(next))
            }
        };
        if timer.as_mut().poll_expired(cx).is_pending() {
            return false;
        }
        // It fired early (armed for an earlier request that has since been answered):
        // re-arm it for the next deadline, which registers the waker again.
        timer.as_mut().reset(next);
        self.timer_at = Some(next);
        timer.as_mut().poll_expired(cx).is_ready()
    }

    /// Ends the connection: every request in flight and every waiter gets `error`.
    fn fail_all(&mut self, error: Option<Error>) {
        let mut state = self.shared.lock();
        let error = error.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the multiplexed connection was closed (every handle was dropped)",
            )
            .into()
        });
        state.closed = Some(error.clone());
        self.shared.closed.store(true, Ordering::Release);
        // The first `sent` requests were handed to the socket (perhaps in part); the
        // others were still queued, never sent.
        for (i, entry) in state.pending.drain(..).enumerate() {
            let failed = Failed {
                error: error.clone(),
                unsent: i >= self.sent,
            };
            if let Some(waker) = entry.slot.complete(Err(failed)) {
                self.wakers.push(waker);
            }
        }
        state.expired = 0;
        self.shared.in_flight.store(0, Ordering::Relaxed);
        self.wakers.extend(state.waiters.drain(..).map(|(_, w)| w));
        self.wakers.append(&mut state.push_wakers);
        state.driver = None;
        drop(state);
        for waker in self.wakers.drain(..) {
            waker.wake();
        }
    }
}

/// The RESP3 pushes of a [`MultiplexedConnection`]: see
/// [`pushes`](MultiplexedConnection::pushes).
pub struct PushStream {
    shared: Arc<Shared>,
}

impl fmt::Debug for PushStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushStream").finish_non_exhaustive()
    }
}

impl Stream for PushStream {
    type Item = Value;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Value>> {
        let mut state = self.shared.lock();
        if let Some(value) = state.pushes.pop_front() {
            return Poll::Ready(Some(value));
        }
        if state.closed.is_some() {
            return Poll::Ready(None);
        }
        if !state.push_wakers.iter().any(|w| w.will_wake(cx.waker())) {
            state.push_wakers.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for PushStream {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.push_streams = state.push_streams.saturating_sub(1);
        if state.push_streams == 0 {
            state.pushes.clear();
            state.push_wakers.clear();
        }
    }
}
