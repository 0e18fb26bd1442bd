//! [`Connection`]: one connection to a server, for one caller at a time.
//!
//! The async twin of the blocking crate's `Connection`: one read buffer and one write
//! buffer for its whole life, the [handshake](ferrodis_commands::handshake) on open,
//! `send` (encode into the write buffer) / `flush` / `recv`, and `query` for a round trip.
//! The pool lends these out for blocking commands, `WATCH` transactions and anything else
//! that needs a connection of its own; pub/sub and monitor take one each.
//!
//! ## Cancel safety
//!
//! A future of this type may be dropped at any `.await` (a `select!`, a timeout, a task
//! being aborted) without ever handing a reply to the wrong caller:
//!
//! - Bytes are taken out of the write buffer only once the socket accepted them, so a
//!   write cut short is finished by the next operation, and the server never sees half a
//!   command followed by another one.
//! - A reply cut short stays in the read buffer; the decoder resumes where it stopped.
//! - The connection keeps a queue of the replies it is owed. When a round trip
//!   ([`query`](Connection::query), a pipeline) is abandoned, or times out, the replies it
//!   still owed are marked, and the next operation reads and discards them first. The
//!   connection stays usable: a slow reply costs the caller that gave up on it, no one
//!   else.
//!
//! A connection whose stream failed (an IO error, the server closing it, bytes that are
//! not RESP) is broken for good: every later operation returns that error, and the pool
//! discards it.

use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use ferrodis_commands::handshake::{Handshake, ServerInfo, Step};
use ferrodis_commands::read_buf;
use ferrodis_commands::{
    Cmd, ConnectionConfig, ConnectionEffect, Error, FromValue, IntoConnectionConfig, Protocol,
    Result, ServerError, TimeoutKind, Value,
};
use ferrodis_resp::Decoder;

use crate::connect::{connect_timeout_error, within, Connector};
use crate::multiplexed::MultiplexedConnection;
use crate::runtime::{self, BoxedIo, RuntimeRef};

/// The write buffer's starting capacity.
const WRITE_CAPACITY: usize = 8 * 1024;

/// A write buffer grown beyond this by a huge pipeline is given back after the flush.
const WRITE_KEEP: usize = 4 * 1024 * 1024;

/// One connection to a server. See the [module docs](self).
///
/// ```no_run
/// use ferrodis_async::Connection;
/// use ferrodis_commands::{Cmd, FromValue};
///
/// # async fn demo() -> ferrodis_commands::Result<()> {
/// let mut conn = Connection::open("redis://127.0.0.1:6379/0").await?;
/// conn.query::<()>(&Cmd::new("SET").arg("greeting").arg("hello")).await?;
/// let greeting: String = conn.query(&Cmd::new("GET").arg("greeting")).await?;
/// assert_eq!(greeting, "hello");
///
/// // Pipelining by hand: send several, flush once, read each reply.
/// conn.send(&Cmd::new("INCR").arg("visits"));
/// conn.send(&Cmd::new("INCR").arg("visits"));
/// conn.flush().await?;
/// let first = i64::from_value(conn.recv().await?)?;
/// let second = i64::from_value(conn.recv().await?)?;
/// assert_eq!(second, first + 1);
/// # Ok(())
/// # }
/// ```
pub struct Connection {
    io: BoxedIo,
    runtime: RuntimeRef,
    config: ConnectionConfig,
    protocol: Protocol,
    server: Option<ServerInfo>,

    decoder: Decoder,
    read_buf: BytesMut,
    write_buf: BytesMut,

    /// The replies the server owes, oldest first: `true` for one nobody waits for any
    /// more (read and discarded).
    owed: VecDeque<bool>,
    /// The sequence number of `owed`'s front (replies are numbered as they are sent).
    first_owed: u64,
    /// A round trip in progress: the sequence number of its first reply. Still set when
    /// the next operation starts means the round trip was abandoned.
    open_call: Option<u64>,
    /// The extra wait that blocking commands in flight add to the response timeout;
    /// `None`: one of them may block forever.
    block_extra: Option<Duration>,
    pushes: VecDeque<Value>,
    deliver_pushes: bool,
    /// Why the connection broke, if it did.
    broken: Option<Error>,

    response_timeout: Option<Duration>,
    in_multi: bool,
    watching: bool,
    state_changed: bool,
    created: Instant,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("addr", &self.config.addr)
            .field("runtime", &self.runtime.name())
            .field("protocol", &self.protocol)
            .field("owed", &self.owed.len())
            .field("broken", &self.broken.is_some())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Opens a connection on the runtime the caller runs on
    /// ([`runtime::detect`]): TCP (with `TCP_NODELAY` and
    /// keepalive), a unix socket or TLS, within the config's `connect_timeout`, then the
    /// [handshake](ferrodis_commands::handshake) (`HELLO`, `AUTH`, `CLIENT SETNAME`,
    /// `SELECT`, ...).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a bad URL or no runtime, [`Error::Io`] when the server cannot
    /// be reached, [`Error::Timeout`] (connect) when it takes too long, [`Error::Tls`] when
    /// TLS fails, [`Error::Auth`] when the credentials are refused, [`Error::Server`] when
    /// another setup command fails.
    pub async fn open(config: impl IntoConnectionConfig) -> Result<Connection> {
        let config = config.into_connection_config()?;
        Connection::open_with(&config, runtime::detect()?).await
    }

    /// [`open`](Connection::open) on the given runtime.
    ///
    /// # Errors
    ///
    /// As [`open`](Connection::open).
    pub async fn open_with(config: &ConnectionConfig, runtime: RuntimeRef) -> Result<Connection> {
        let connector = Connector::new(config)?;
        Connection::open_with_connector(config, &runtime, &connector).await
    }

    /// [`open`](Connection::open) with a prepared connector (the client's).
    pub(crate) async fn open_with_connector(
        config: &ConnectionConfig,
        runtime: &RuntimeRef,
        connector: &Connector,
    ) -> Result<Connection> {
        let deadline = config.connect_timeout.map(|t| Instant::now() + t);
        let io = connector.connect(config, runtime, deadline).await?;
        let mut conn = Connection {
            io,
            runtime: runtime.clone(),
            config: config.clone(),
            protocol: config.protocol,
            server: None,
            decoder: Decoder::new(),
            read_buf: BytesMut::with_capacity(read_buf::READ_CHUNK),
            write_buf: BytesMut::with_capacity(WRITE_CAPACITY),
            owed: VecDeque::new(),
            first_owed: 0,
            open_call: None,
            block_extra: Some(Duration::ZERO),
            pushes: VecDeque::new(),
            deliver_pushes: false,
            broken: None,
            response_timeout: config.response_timeout,
            in_multi: false,
            watching: false,
            state_changed: false,
            created: Instant::now(),
        };
        let timeout = config.connect_timeout;
        match within(runtime, deadline, conn.handshake()).await {
            None => Err(connect_timeout_error(timeout)),
            Some(Err(e)) => Err(e),
            Some(Ok(())) => Ok(conn),
        }
    }

    /// Drives the sans-IO handshake, pipelining each batch of commands it asks for.
    async fn handshake(&mut self) -> Result<()> {
        let mut handshake = Handshake::new(&self.config);
        loop {
            match handshake.poll()? {
                Step::Send(cmd) => cmd.write_to(&mut self.write_buf),
                Step::Receive => {
                    self.write_all().await?;
                    let reply = loop {
                        match self.next_value().await? {
                            Value::Push(items) => self.pushes.push_back(Value::Push(items)),
                            value => break value,
                        }
                    };
                    handshake.on_reply(reply);
                }
                Step::Done(negotiated) => {
                    self.protocol = negotiated.protocol;
                    self.server = negotiated.server;
                    return Ok(());
                }
            }
        }
    }

    /// The runtime the connection lives on.
    pub fn runtime(&self) -> &RuntimeRef {
        &self.runtime
    }

    /// The config the connection was opened with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// The RESP version negotiated: [`Protocol::Resp3`] when the server accepted
    /// `HELLO 3`, [`Protocol::Resp2`] otherwise.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// What the server said about itself in reply to `HELLO` (`None` without `HELLO`).
    pub fn server_info(&self) -> Option<&ServerInfo> {
        self.server.as_ref()
    }

    /// How long ago the connection was opened.
    pub fn age(&self) -> Duration {
        self.created.elapsed()
    }

    /// Encodes `cmd` into the write buffer (nothing is sent until [`flush`](Self::flush));
    /// its reply is owed, and read by [`recv`](Self::recv).
    pub fn send(&mut self, cmd: &Cmd) {
        self.reap();
        self.observe(cmd, true);
        cmd.write_to(&mut self.write_buf);
        self.owed.push_back(false);
    }

    /// Encodes `cmd` without counting a reply: for commands whose answers are not
    /// replies (the `SUBSCRIBE` family's confirmations, `MONITOR`'s stream).
    pub fn send_untracked(&mut self, cmd: &Cmd) {
        self.reap();
        self.observe(cmd, false);
        cmd.write_to(&mut self.write_buf);
    }

    /// Writes everything sent so far, within the response timeout.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] (the connection is then broken), [`Error::Timeout`] (write) if the
    /// socket did not take the bytes in time (what was not written stays buffered).
    pub async fn flush(&mut self) -> Result<()> {
        self.reap();
        self.check_usable()?;
        let limit = self.response_timeout;
        let runtime = self.runtime.clone();
        match runtime::timeout(&*runtime, limit, self.write_all()).await {
            Some(result) => result,
            None => Err(Error::Timeout {
                kind: TimeoutKind::Write,
                after: limit.unwrap_or_default(),
            }),
        }
    }

    /// The next reply, within the response timeout (plus the wait of blocking commands
    /// in flight). RESP3 pushes that arrive meanwhile are set aside
    /// ([`take_pushes`](Self::take_pushes)) unless [`deliver_pushes`](Self::deliver_pushes)
    /// is on. Error replies are values ([`Value::SimpleError`]).
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] (response; the reply is still owed and a later `recv` reads it),
    /// [`Error::Io`] or [`Error::Protocol`] (the connection is then broken).
    pub async fn recv(&mut self) -> Result<Value> {
        self.reap();
        let limit = self.reply_wait();
        match self.recv_within(limit).await? {
            Some(value) => Ok(value),
            None => Err(Error::Timeout {
                kind: TimeoutKind::Response,
                after: limit.unwrap_or_default(),
            }),
        }
    }

    /// The next reply or push (with [`deliver_pushes`](Self::deliver_pushes)), waiting at
    /// most `timeout` (`None`: as long as it takes). `Ok(None)` when nothing complete
    /// arrived in time; the connection stays in sync (a value cut short is finished by
    /// the next read).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] or [`Error::Protocol`] (the connection is then broken).
    pub async fn recv_timeout(&mut self, timeout: Option<Duration>) -> Result<Option<Value>> {
        self.reap();
        self.recv_within(timeout).await
    }

    /// Whether [`recv`](Self::recv) also returns RESP3 pushes (pub/sub uses this).
    pub fn deliver_pushes(&mut self, yes: bool) {
        self.deliver_pushes = yes;
    }

    /// The RESP3 pushes set aside while [`deliver_pushes`](Self::deliver_pushes) was off.
    pub fn take_pushes(&mut self) -> Vec<Value> {
        self.pushes.drain(..).collect()
    }

    /// Sends `cmd` and converts its reply; an error reply is [`Error::Server`].
    ///
    /// # Errors
    ///
    /// The server's error, the connection errors of [`recv`](Self::recv) and
    /// [`flush`](Self::flush), [`Error::Conversion`].
    pub async fn query<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        T::from_value(error_reply_to_err(self.query_value(cmd).await?)?)
    }

    /// Sends `cmd` and returns its reply as it came (an error reply is a value).
    ///
    /// Cancel-safe: if this future is dropped or times out, the reply is discarded when
    /// it arrives (see the [module docs](self#cancel-safety)).
    ///
    /// # Errors
    ///
    /// The connection errors of [`recv`](Self::recv) and [`flush`](Self::flush).
    pub async fn query_value(&mut self, cmd: &Cmd) -> Result<Value> {
        self.reap();
        self.observe(cmd, true);
        let block = cmd.blocking_timeout();
        let mut replies = self.exchange(|buf| cmd.write_to(buf), 1, block).await?;
        replies.pop().ok_or_else(|| {
            Error::from(io::Error::new(
                io::ErrorKind::InvalidData,
                "no reply was read",
            ))
        })
    }

    /// Writes what `request` encodes, then reads exactly `replies` replies (error replies
    /// as values). `block` is the extra wait of blocking commands among them.
    ///
    /// Cancel-safe: if dropped (or timed out), the replies still owed are discarded by
    /// the next operation.
    pub(crate) async fn exchange(
        &mut self,
        request: impl FnOnce(&mut BytesMut),
        replies: usize,
        block: Option<Option<Duration>>,
    ) -> Result<Vec<Value>> {
        self.reap();
        self.check_usable()?;
        request(&mut self.write_buf);
        let first = self.first_owed + self.owed.len() as u64;
        self.owed.extend(std::iter::repeat_n(false, replies));
        self.open_call = Some(first);
        if let Some(block) = block {
            self.block_extra = match (self.block_extra, block) {
                (Some(a), Some(b)) => Some(a.saturating_add(b)),
                _ => None,
            };
        }
        let limit = self.reply_wait();
        let runtime = self.runtime.clone();
        let outcome = runtime::timeout(&*runtime, limit, self.exchange_inner(replies)).await;
        match outcome {
            Some(Ok(values)) => {
                self.open_call = None;
                Ok(values)
            }
            Some(Err(e)) => {
                self.reap();
                Err(e)
            }
            None => {
                // What was not written stays buffered (the next flush completes it); the
                // replies still owed are discarded when they come.
                self.reap();
                Err(Error::Timeout {
                    kind: TimeoutKind::Response,
                    after: limit.unwrap_or_default(),
                })
            }
        }
    }

    async fn exchange_inner(&mut self, replies: usize) -> Result<Vec<Value>> {
        self.write_all().await?;
        let mut values = Vec::with_capacity(replies);
        while values.len() < replies {
            // Replies before `first` were owed to abandoned calls: next_reply discards
            // them, so the ones it returns here are ours.
            values.push(self.next_reply(false).await?);
        }
        Ok(values)
    }

    /// Replies still owed to the caller (sent, not yet read). Those of abandoned round
    /// trips are not counted: the connection reads and discards them itself.
    pub fn pending_replies(&self) -> usize {
        let abandoned_from = self.open_call.unwrap_or(u64::MAX);
        self.owed
            .iter()
            .zip(self.first_owed..)
            .filter(|(discard, seq)| !**discard && *seq < abandoned_from)
            .count()
    }

    /// Whether the connection failed and must be discarded.
    pub fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// Whether the next caller may use this connection as if it were new: not broken,
    /// nothing owed or unsent, not inside `MULTI` or `WATCH`, and no connection state
    /// changed (`SELECT`, `CLIENT TRACKING`, ...).
    pub fn is_reusable(&self) -> bool {
        self.broken.is_none()
            && self.owed.is_empty()
            && self.open_call.is_none()
            && self.write_buf.is_empty()
            && !self.in_multi
            && !self.watching
            && !self.state_changed
    }

    /// Notes that `WATCH` is over (`EXEC`, `DISCARD` or `UNWATCH` ran in a pipeline).
    pub(crate) fn set_watching(&mut self, watching: bool) {
        self.watching = watching;
        if !watching {
            self.in_multi = false;
        }
    }

    /// Sets how long [`recv`](Self::recv) and round trips wait for a reply (`None`: no
    /// limit).
    pub fn set_response_timeout(&mut self, timeout: Option<Duration>) {
        self.response_timeout = timeout;
    }

    /// How long [`recv`](Self::recv) and round trips wait for a reply.
    pub fn response_timeout(&self) -> Option<Duration> {
        self.response_timeout
    }

    /// `PING`, expecting `PONG`.
    ///
    /// # Errors
    ///
    /// The connection errors, or [`Error::Server`].
    pub async fn ping(&mut self) -> Result<()> {
        self.query::<()>(&Cmd::new("PING")).await
    }

    /// A liveness probe that does not wait: `false` if the server closed the connection
    /// or sent something nobody asked for (the connection is then broken).
    pub(crate) fn peek_alive(&mut self) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let waker = runtime::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut probe = [0u8; 64];
        match self.io.poll_read(&mut cx, &mut probe) {
            Poll::Pending => true,
            Poll::Ready(Ok(0)) => {
                self.break_with(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection while it was idle",
                ));
                false
            }
            Poll::Ready(Ok(_)) => {
                self.break_with(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the server sent data nobody asked for on an idle connection",
                ));
                false
            }
            Poll::Ready(Err(e)) => {
                self.break_with(e);
                false
            }
        }
    }

    /// Closes the connection (`QUIT` is not sent: closing the socket is enough).
    pub async fn close(mut self) {
        let io = &mut self.io;
        let _ = poll_fn(|cx| io.poll_close(cx)).await;
    }

    /// Hands the connection to a driver task and returns a shared handle on it: see
    /// [`MultiplexedConnection`].
    pub fn into_multiplexed(self) -> MultiplexedConnection {
        MultiplexedConnection::from_connection(
            self,
            crate::multiplexed::DEFAULT_MAX_IN_FLIGHT,
            crate::spin::DEFAULT_SPIN_WAIT,
        )
    }

    /// The parts a multiplexed driver takes over.
    pub(crate) fn into_parts(mut self) -> Parts {
        self.reap();
        Parts {
            io: self.io,
            runtime: self.runtime,
            config: self.config,
            protocol: self.protocol,
            decoder: self.decoder,
            read_buf: self.read_buf,
            write_buf: self.write_buf,
            owed: self.owed.len(),
            pushes: self.pushes,
            broken: self.broken,
        }
    }

    // ---- internals ----

    fn check_usable(&self) -> Result<()> {
        match &self.broken {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// If a round trip was abandoned, marks the replies it still owes to be discarded.
    fn reap(&mut self) {
        if let Some(first) = self.open_call.take() {
            let skip = first.saturating_sub(self.first_owed);
            let skip = usize::try_from(skip).unwrap_or(usize::MAX);
            for discard in self.owed.iter_mut().skip(skip) {
                *discard = true;
            }
        }
    }

    /// The response timeout plus what blocking commands in flight may add.
    fn reply_wait(&self) -> Option<Duration> {
        match (self.response_timeout, self.block_extra) {
            (Some(timeout), Some(extra)) => Some(timeout.saturating_add(extra)),
            _ => None,
        }
    }

    /// Writes the whole write buffer (cancel-safe: only written bytes leave the buffer).
    async fn write_all(&mut self) -> Result<()> {
        self.check_usable()?;
        let result = poll_fn(|cx| {
            while !self.write_buf.is_empty() {
                match self.io.poll_write(cx, &self.write_buf) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::WriteZero,
                            "the connection accepted no more bytes",
                        )))
                    }
                    Poll::Ready(Ok(n)) => self.write_buf.advance(n),
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                }
            }
            self.io.poll_flush(cx)
        })
        .await;
        match result {
            Ok(()) => {
                if self.write_buf.capacity() > WRITE_KEEP {
                    self.write_buf = BytesMut::with_capacity(WRITE_CAPACITY);
                }
                Ok(())
            }
            Err(e) => Err(self.break_with(e)),
        }
    }

    /// The next reply owed to a live caller, discarding those of abandoned calls.
    /// Pushes are returned with `deliver`, otherwise set aside. Cancel-safe.
    async fn next_reply(&mut self, deliver: bool) -> Result<Value> {
        loop {
            let value = self.next_value().await?;
            if is_push(&value) {
                if deliver {
                    return Ok(value);
                }
                self.pushes.push_back(value);
                continue;
            }
            match self.owed.pop_front() {
                Some(discard) => {
                    self.first_owed += 1;
                    if self.owed.is_empty() {
                        self.block_extra = Some(Duration::ZERO);
                    }
                    if !discard {
                        return Ok(value);
                    }
                }
                // A reply nobody is owed: hand it on (manual `recv` after
                // `send_untracked`, e.g. pub/sub frames in RESP2).
                None => return Ok(value),
            }
        }
    }

    /// [`recv`](Self::recv) and [`recv_timeout`](Self::recv_timeout).
    async fn recv_within(&mut self, timeout: Option<Duration>) -> Result<Option<Value>> {
        self.check_usable()?;
        if !self.write_buf.is_empty() {
            self.flush().await?;
        }
        let deliver = self.deliver_pushes;
        if deliver {
            if let Some(push) = self.pushes.pop_front() {
                return Ok(Some(push));
            }
        }
        let runtime = self.runtime.clone();
        runtime::timeout(&*runtime, timeout, self.next_reply(deliver))
            .await
            .transpose()
    }

    /// The next value off the wire (reply or push), reading as needed. Cancel-safe.
    async fn next_value(&mut self) -> Result<Value> {
        loop {
            match self.decoder.decode(&mut self.read_buf) {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => {}
                Err(e) => {
                    let error = Error::Protocol(e);
                    self.broken = Some(error.clone());
                    return Err(error);
                }
            }
            let read = poll_fn(|cx| read_more(&mut self.io, &mut self.read_buf, cx)).await;
            match read {
                Ok(0) => {
                    let what = if self.read_buf.is_empty() {
                        "the server closed the connection"
                    } else {
                        "the server closed the connection in the middle of a reply"
                    };
                    return Err(self.break_with(io::Error::new(io::ErrorKind::UnexpectedEof, what)));
                }
                Ok(_) => {}
                Err(e) => return Err(self.break_with(e)),
            }
        }
    }

    fn break_with(&mut self, e: io::Error) -> Error {
        let error = Error::from(e);
        self.broken = Some(error.clone());
        error
    }

    /// Notes what a command does to connection state and to reply timing.
    fn observe(&mut self, cmd: &Cmd, tracked: bool) {
        match cmd.connection_effect() {
            ConnectionEffect::Multi => self.in_multi = true,
            ConnectionEffect::EndTransaction => {
                self.in_multi = false;
                self.watching = false;
            }
            ConnectionEffect::Watch => self.watching = true,
            ConnectionEffect::Unwatch => self.watching = false,
            ConnectionEffect::None if tracked => {
                if let Some(block) = cmd.blocking_timeout() {
                    self.block_extra = match (self.block_extra, block) {
                        (Some(a), Some(b)) => Some(a.saturating_add(b)),
                        _ => None,
                    };
                }
            }
            ConnectionEffect::None => {}
            _ => self.state_changed = true,
        }
    }
}

/// What [`Connection::into_parts`] hands to a multiplexed driver.
pub(crate) struct Parts {
    pub(crate) io: BoxedIo,
    pub(crate) runtime: RuntimeRef,
    pub(crate) config: ConnectionConfig,
    pub(crate) protocol: Protocol,
    pub(crate) decoder: Decoder,
    pub(crate) read_buf: BytesMut,
    pub(crate) write_buf: BytesMut,
    /// Replies still owed (all to be discarded).
    pub(crate) owed: usize,
    pub(crate) pushes: VecDeque<Value>,
    pub(crate) broken: Option<Error>,
}

/// Reads once into the room at the end of `buf` (see [`read_buf::prepare`]); the number
/// of bytes read, `0` at the end of the stream.
pub(crate) fn read_more(
    io: &mut BoxedIo,
    buf: &mut BytesMut,
    cx: &mut Context<'_>,
) -> Poll<io::Result<usize>> {
    let start = read_buf::prepare(buf);
    let result = io.poll_read(cx, &mut buf[start..]);
    let n = match &result {
        Poll::Ready(Ok(n)) => *n,
        _ => 0,
    };
    buf.truncate(start + n);
    result
}

/// Whether `value` is a RESP3 push (possibly behind attributes).
pub(crate) fn is_push(value: &Value) -> bool {
    match value {
        Value::Push(_) => true,
        Value::Attribute { value, .. } => is_push(value),
        _ => false,
    }
}

/// A top-level error reply as [`Error::Server`]; other values as they are. (Errors nested
/// in arrays, as in `EXEC`'s reply, stay values.)
pub(crate) fn error_reply_to_err(value: Value) -> Result<Value> {
    match value {
        Value::SimpleError(text) | Value::BulkError(text) => {
            Err(Error::Server(ServerError::parse(&text)))
        }
        Value::Attribute { value, .. }
            if matches!(*value, Value::SimpleError(_) | Value::BulkError(_)) =>
        {
            error_reply_to_err(*value)
        }
        other => Ok(other),
    }
}
