//! [`Connection`]: one connection to one server, driven by one caller.
//!
//! A connection owns one read buffer and one write buffer for its whole life. Commands
//! are encoded straight into the write buffer by [`send`](Connection::send) (no IO), and
//! [`flush`](Connection::flush) writes everything buffered in one go, so a pipeline of a
//! thousand commands is one `write`. Replies are decoded by the resumable
//! `ferrodis_resp::Decoder` out of the read buffer, their strings sliced out of
//! it without copying.
//!
//! ## Staying in sync
//!
//! A reply must never reach the wrong caller. The connection counts the replies it owes
//! ([`pending_replies`](Connection::pending_replies)) and marks itself
//! [broken](Connection::is_broken) whenever it can no longer tell where the next reply
//! starts:
//!
//! - an IO error, or the server closing the connection;
//! - bytes that are not valid RESP;
//! - a timeout while a reply is owed, or in the middle of a value (the rest of the reply,
//!   or the late reply itself, would otherwise be read by the next caller).
//!
//! A broken connection refuses further IO and must be dropped; the pool never hands one
//! out again. [`recv_timeout`](Connection::recv_timeout) is the one way to wait without
//! breaking anything: when *nothing* arrived in time it returns `Ok(None)` and the
//! connection stays usable (pub/sub polling is built on it).
//!
//! ## Pushes
//!
//! RESP3 push frames (client-tracking invalidations, pub/sub messages) may arrive between
//! replies. While a reply is awaited they are queued, for
//! [`take_pushes`](Connection::take_pushes); in pub/sub mode
//! ([`deliver_pushes(true)`](Connection::deliver_pushes)) [`recv`](Connection::recv)
//! returns them as values. [`query`](Connection::query) always queues them, since its
//! caller waits for the reply to its own command.
//!
//! ## Timeouts
//!
//! - Connect: [`ConnectionConfig::connect_timeout`] bounds the TCP connect, the TLS
//!   handshake and the Redis handshake together.
//! - Response: [`ConnectionConfig::response_timeout`] bounds the wait for each reply
//!   (change it with [`set_response_timeout`](Connection::set_response_timeout)). A
//!   blocking command (`BLPOP`, `BLMOVE`, `BZPOPMIN`, `BLMPOP`, `XREAD ... BLOCK`, `WAIT`,
//!   ...) adds its own timeout to it, and one that blocks forever (timeout 0) waits
//!   forever, so that the response timeout does not cut it short.
//! - Write: the response timeout also bounds each write of a request.
//!
//! ## State
//!
//! The connection notes commands that change connection state ([`SELECT`], `MULTI`
//! without its `EXEC`, `WATCH` without `UNWATCH`, the `SUBSCRIBE` family, `MONITOR`,
//! `CLIENT REPLY`, `CLIENT TRACKING`, `HELLO`, `AUTH`, `RESET`, ...).
//! [`is_reusable`](Connection::is_reusable) is false after them, and the pool then
//! discards the connection instead of handing a changed one to the next caller.
//!
//! [`SELECT`]: https://redis.io/commands/select/

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use ferrodis_commands::handshake::{Handshake, ServerInfo, Step};
use ferrodis_commands::read_buf;
use ferrodis_commands::{
    Cmd, ConnectionConfig, ConnectionEffect, Error, FromValue, Protocol, Result, ServerError,
    TimeoutKind, Value,
};
use ferrodis_resp::Decoder;

use crate::connect::{connect_timeout_error, Connector};
use crate::stream::{Peek, Stream};

/// The write buffer's starting capacity.
const WRITE_CAPACITY: usize = 8 * 1024;

/// A write buffer grown beyond this by a huge pipeline is given back after the flush.
const WRITE_KEEP: usize = 4 * 1024 * 1024;

/// One connection to a server. See the [module docs](self).
///
/// ```no_run
/// use ferrodis_blocking::Connection;
/// use ferrodis_commands::{Cmd, ConnectionConfig, FromValue};
///
/// let config: ConnectionConfig = "redis://127.0.0.1:6379/0".parse()?;
/// let mut conn = Connection::open(&config)?;
/// conn.query::<()>(&Cmd::new("SET").arg("greeting").arg("hello"))?;
/// let greeting: String = conn.query(&Cmd::new("GET").arg("greeting"))?;
/// assert_eq!(greeting, "hello");
///
/// // Pipelining by hand: send several, flush once, read each reply.
/// conn.send(&Cmd::new("INCR").arg("visits"));
/// conn.send(&Cmd::new("INCR").arg("visits"));
/// conn.flush()?;
/// let first = i64::from_value(conn.recv()?)?;
/// let second = i64::from_value(conn.recv()?)?;
/// assert_eq!(second, first + 1);
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
pub struct Connection {
    stream: Stream,
    config: ConnectionConfig,
    protocol: Protocol,
    server: Option<ServerInfo>,

    decoder: Decoder,
    read_buf: BytesMut,
    write_buf: BytesMut,

    /// Replies owed by the server for tracked commands.
    pending: usize,
    /// The extra wait that blocking commands in flight add to the response timeout;
    /// `None`: one of them may block forever.
    block_extra: Option<Duration>,
    pushes: VecDeque<Value>,
    deliver_pushes: bool,
    /// Why the connection broke, if it did.
    broken: Option<Error>,

    response_timeout: Option<Duration>,
    /// The read timeout currently set on the socket (to skip redundant syscalls).
    socket_read_timeout: Option<Duration>,

    in_multi: bool,
    watching: bool,
    state_changed: bool,

    created: Instant,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the buffers: the write buffer may hold an AUTH command.
        f.debug_struct("Connection")
            .field("addr", &self.config.addr)
            .field("transport", &self.stream.kind())
            .field("protocol", &self.protocol)
            .field("pending_replies", &self.pending)
            .field("queued_pushes", &self.pushes.len())
            .field("broken", &self.broken.is_some())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Opens a connection: TCP (with `TCP_NODELAY` and keepalive), a unix socket or TLS,
    /// within the config's `connect_timeout`, then runs the
    /// [handshake](ferrodis_commands::handshake) (`HELLO`, `AUTH`, `CLIENT SETNAME`,
    /// `SELECT`, ...).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the server cannot be reached, [`Error::Timeout`] (connect) when
    /// it takes too long, [`Error::Tls`] when TLS fails (or the `tls` feature is off),
    /// [`Error::Auth`] when the credentials are refused, [`Error::Server`] when another
    /// setup command fails (`SELECT` of a database that does not exist, say).
    pub fn open(config: &ConnectionConfig) -> Result<Connection> {
        Connection::open_with(config, &Connector::new(config)?)
    }

    /// [`open`](Connection::open) with a prepared connector (the pool's).
    pub(crate) fn open_with(
        config: &ConnectionConfig,
        connector: &Connector,
    ) -> Result<Connection> {
        let deadline = config.connect_timeout.map(|t| Instant::now() + t);
        let stream = connector.connect(config, deadline)?;
        let mut conn = Connection {
            stream,
            config: config.clone(),
            protocol: config.protocol,
            server: None,
            decoder: Decoder::new(),
            read_buf: BytesMut::with_capacity(read_buf::READ_CHUNK),
            write_buf: BytesMut::with_capacity(WRITE_CAPACITY),
            pending: 0,
            block_extra: Some(Duration::ZERO),
            pushes: VecDeque::new(),
            deliver_pushes: false,
            broken: None,
            response_timeout: config.response_timeout,
            socket_read_timeout: None,
            in_multi: false,
            watching: false,
            state_changed: false,
            created: Instant::now(),
        };
        conn.handshake(deadline)?;
        conn.stream.set_write_timeout(conn.response_timeout)?;
        Ok(conn)
    }

    /// Drives the sans-IO handshake, pipelining each batch of commands it asks for.
    fn handshake(&mut self, deadline: Option<Instant>) -> Result<()> {
        let timeout = self.config.connect_timeout;
        let mut handshake = Handshake::new(&self.config);
        loop {
            match handshake.poll()? {
                Step::Send(cmd) => {
                    cmd.write_to(&mut self.write_buf);
                }
                Step::Receive => {
                    if !self.write_buf.is_empty() {
                        let left = crate::connect::remaining(deadline, timeout)?;
                        self.stream.set_write_timeout(left)?;
                        self.write_out().map_err(|e| match e {
                            Error::Timeout { .. } => connect_timeout_error(timeout),
                            other => other,
                        })?;
                    }
                    let reply = loop {
                        match self.next_value(deadline, timeout, TimeoutKind::Connect)? {
                            Some(Value::Push(items)) => self.pushes.push_back(Value::Push(items)),
                            Some(value) => break value,
                            None => {
                                self.broken = Some(connect_timeout_error(timeout));
                                return Err(connect_timeout_error(timeout));
                            }
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

    /// The config the connection was opened with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// The RESP version negotiated: [`Protocol::Resp3`] when the server accepted
    /// `HELLO 3`, [`Protocol::Resp2`] otherwise.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// What the server said about itself in its `HELLO` reply (RESP3 only): its version,
    /// this connection's id, its role.
    pub fn server_info(&self) -> Option<&ServerInfo> {
        self.server.as_ref()
    }

    /// How long ago the connection was opened.
    pub fn age(&self) -> Duration {
        self.created.elapsed()
    }

    /// Encodes a command into the write buffer (no IO) and counts one reply to read.
    pub fn send(&mut self, cmd: &Cmd) {
        cmd.write_to(&mut self.write_buf);
        self.pending += 1;
        self.observe(cmd, true);
    }

    /// Encodes a command without counting a reply: for commands that get none
    /// (`CLIENT REPLY OFF`), or whose confirmations arrive as messages (the `SUBSCRIBE`
    /// family in RESP2).
    pub fn send_untracked(&mut self, cmd: &Cmd) {
        cmd.write_to(&mut self.write_buf);
        self.observe(cmd, false);
    }

    /// Writes everything buffered by [`send`](Connection::send).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] or [`Error::Timeout`] (write); the connection is then broken (part of
    /// a request may have been written).
    pub fn flush(&mut self) -> Result<()> {
        if self.write_buf.is_empty() {
            return Ok(());
        }
        self.check_usable()?;
        self.write_out()
    }

    fn write_out(&mut self) -> Result<()> {
        let result = self
            .stream
            .write_all(&self.write_buf)
            .and_then(|()| self.stream.flush());
        self.write_buf.clear();
        if self.write_buf.capacity() > WRITE_KEEP {
            self.write_buf = BytesMut::with_capacity(WRITE_CAPACITY);
        }
        result.map_err(|e| {
            let error = match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Error::Timeout {
                    kind: TimeoutKind::Write,
                    after: self.response_timeout.unwrap_or_default(),
                },
                _ => Error::from(e),
            };
            self.broken = Some(error.clone());
            error
        })
    }

    /// Reads the next reply, waiting up to the response timeout (plus what blocking
    /// commands in flight add). RESP3 pushes that arrive meanwhile are queued, or
    /// returned, with [`deliver_pushes(true)`](Connection::deliver_pushes).
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] (response) when nothing came in time, [`Error::Io`] when the
    /// connection failed, [`Error::Protocol`] for bytes that are not RESP. All of these
    /// leave the connection broken when a reply was owed. An error *reply* is not an
    /// error here: it is returned as a [`Value`].
    pub fn recv(&mut self) -> Result<Value> {
        let timeout = self.effective_timeout();
        match self.recv_inner(timeout, self.deliver_pushes)? {
            Some(value) => Ok(value),
            None => {
                let error = Error::Timeout {
                    kind: TimeoutKind::Response,
                    after: timeout.unwrap_or_default(),
                };
                if self.pending > 0 {
                    // The reply may still come: it must not reach the next caller.
                    self.broken = Some(error.clone());
                }
                Err(error)
            }
        }
    }

    /// Waits up to `timeout` (`None`: forever) for the next value. `Ok(None)` when
    /// nothing at all arrived in time: the connection stays usable, and a reply still
    /// owed is read by the next call. A timeout in the *middle* of a value breaks the
    /// connection ([`Error::Timeout`]).
    ///
    /// # Errors
    ///
    /// As [`recv`](Connection::recv).
    pub fn recv_timeout(&mut self, timeout: Option<Duration>) -> Result<Option<Value>> {
        // A poll (pub/sub, monitor) may end just as a value starts arriving: the rest of
        // it gets the response timeout, instead of the connection being broken for it.
        let grace = Some(self.response_timeout());
        self.recv_polling(timeout, self.deliver_pushes, grace)
    }

    fn recv_inner(&mut self, timeout: Option<Duration>, deliver: bool) -> Result<Option<Value>> {
        self.recv_polling(timeout, deliver, None)
    }

    /// Receives with `timeout`; `grace`, if given, is how long the rest of a value that
    /// has started arriving may take once `timeout` is over.
    fn recv_polling(
        &mut self,
        timeout: Option<Duration>,
        deliver: bool,
        grace: Option<Option<Duration>>,
    ) -> Result<Option<Value>> {
        self.check_usable()?;
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            match self.next_value_with_grace(deadline, timeout, TimeoutKind::Response, grace)? {
                Some(Value::Push(items)) if !deliver => self.pushes.push_back(Value::Push(items)),
                Some(value) => {
                    if !matches!(value, Value::Push(_)) && self.pending > 0 {
                        self.pending -= 1;
                        if self.pending == 0 {
                            self.block_extra = Some(Duration::ZERO);
                        }
                    }
                    return Ok(Some(value));
                }
                None => return Ok(None),
            }
        }
    }

    /// The next value off the wire: `Ok(None)` if nothing at all arrived before
    /// `deadline`. Marks the connection broken on every error.
    fn next_value(
        &mut self,
        deadline: Option<Instant>,
        timeout: Option<Duration>,
        kind: TimeoutKind,
    ) -> Result<Option<Value>> {
        self.next_value_with_grace(deadline, timeout, kind, None)
    }

    /// [`next_value`](Self::next_value), where a value that has started arriving when
    /// `deadline` passes gets `grace` more time (`Some(None)`: no limit) instead of
    /// breaking the connection.
    fn next_value_with_grace(
        &mut self,
        mut deadline: Option<Instant>,
        mut timeout: Option<Duration>,
        kind: TimeoutKind,
        mut grace: Option<Option<Duration>>,
    ) -> Result<Option<Value>> {
        let mut first_read = true;
        loop {
            // Out of time with part of a value in hand: take the grace period, once.
            let expired = deadline.is_some_and(|d| d <= Instant::now());
            if expired && !self.read_buf.is_empty() {
                if let Some(more) = grace.take() {
                    timeout = more;
                    deadline = more.map(|t| Instant::now() + t);
                    first_read = true;
                }
            }
            match self.decoder.decode(&mut self.read_buf) {
                Ok(Some(value)) => return Ok(Some(value)),
                Ok(None) => {}
                Err(e) => {
                    let error = Error::Protocol(e);
                    self.broken = Some(error.clone());
                    return Err(error);
                }
            }
            // Wait for more. The first read uses the nominal timeout (usually already
            // set on the socket: no syscall); later ones what is left of it.
            let wait = match deadline {
                None => None,
                Some(_) if first_read => timeout,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        if !self.read_buf.is_empty() && grace.is_some() {
                            continue;
                        }
                        return self.timed_out(timeout, kind);
                    }
                    Some(left)
                }
            };
            first_read = false;
            if self.socket_read_timeout != wait {
                if let Err(e) = self.stream.set_read_timeout(wait) {
                    return Err(self.break_with(e));
                }
                self.socket_read_timeout = wait;
            }
            let start = read_buf::prepare(&mut self.read_buf);
            let result = self.stream.read(&mut self.read_buf[start..]);
            let n = *result.as_ref().unwrap_or(&0);
            self.read_buf.truncate(start + n);
            match result {
                Ok(0) => {
                    let what = if self.read_buf.is_empty() {
                        "the server closed the connection"
                    } else {
                        "the server closed the connection in the middle of a reply"
                    };
                    return Err(self.break_with(io::Error::new(io::ErrorKind::UnexpectedEof, what)));
                }
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if deadline.is_none() {
                        // No timeout was asked for; the socket should not time out.
                        return Err(self.break_with(e));
                    }
                    if !self.read_buf.is_empty() && grace.is_some() {
                        continue;
                    }
                    return self.timed_out(timeout, kind);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.break_with(e)),
            }
        }
    }

    /// Nothing complete arrived in time: `Ok(None)` if nothing at all did, else broken.
    fn timed_out(&mut self, timeout: Option<Duration>, kind: TimeoutKind) -> Result<Option<Value>> {
        if self.read_buf.is_empty() {
            return Ok(None);
        }
        let error = Error::Timeout {
            kind,
            after: timeout.unwrap_or_default(),
        };
        self.broken = Some(error.clone());
        Err(error)
    }

    fn break_with(&mut self, e: io::Error) -> Error {
        let error = Error::from(e);
        self.broken = Some(error.clone());
        error
    }

    fn check_usable(&self) -> Result<()> {
        match &self.broken {
            None => Ok(()),
            Some(cause) => Err(io::Error::new(
                io::ErrorKind::NotConnected,
                format!("this connection is broken by an earlier error ({cause}); open a new one"),
            )
            .into()),
        }
    }

    /// Pub/sub mode: with `true`, [`recv`](Connection::recv) and
    /// [`recv_timeout`](Connection::recv_timeout) return RESP3 push frames as values
    /// instead of queueing them.
    pub fn deliver_pushes(&mut self, yes: bool) {
        self.deliver_pushes = yes;
    }

    /// Takes the queued RESP3 pushes (client-tracking invalidations, say).
    pub fn take_pushes(&mut self) -> Vec<Value> {
        self.pushes.drain(..).collect()
    }

    /// Sends a command and reads its reply, converted into `T`. An error reply becomes
    /// [`Error::Server`] (whatever `T`, [`Value`] included), and the connection stays
    /// usable.
    ///
    /// Call it with no replies pending (see [`pending_replies`](Connection::pending_replies)).
    ///
    /// # Errors
    ///
    /// As [`query_value`](Connection::query_value), and [`Error::Server`] or
    /// [`Error::Conversion`] from the conversion.
    pub fn query<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        T::from_value(error_reply_to_err(self.query_value(cmd)?)?)
    }

    /// Sends a command and reads its reply, keeping an error reply as a [`Value`]. RESP3
    /// pushes that arrive before it are queued (see [`take_pushes`](Connection::take_pushes)).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] (part `"connection"`) when replies to earlier sends are still
    /// unread (the next reply would be theirs); otherwise as
    /// [`flush`](Connection::flush) and [`recv`](Connection::recv).
    pub fn query_value(&mut self, cmd: &Cmd) -> Result<Value> {
        self.check_usable()?;
        if self.pending > 0 {
            return Err(Error::Config {
                part: "connection",
                reason: format!(
                    "query called while {} replies to earlier sends are unread; read them with recv first",
                    self.pending
                ),
            });
        }
        self.send(cmd);
        self.flush()?;
        let timeout = self.effective_timeout();
        match self.recv_inner(timeout, false)? {
            Some(value) => Ok(value),
            None => {
                let error = Error::Timeout {
                    kind: TimeoutKind::Response,
                    after: timeout.unwrap_or_default(),
                };
                self.broken = Some(error.clone());
                Err(error)
            }
        }
    }

    /// How many replies to [`send`](Connection::send)s are still unread.
    pub fn pending_replies(&self) -> usize {
        self.pending
    }

    /// Whether the connection broke (IO error, bytes that are not RESP, a timeout while a
    /// reply was owed): it must be dropped.
    pub fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// Whether the connection may serve another caller as it is: not broken, no reply
    /// unread, no push queued, not in `MULTI` or `WATCH`, no connection state changed by
    /// a command (see the [module docs](self#state)), pushes not delivered.
    pub fn is_reusable(&self) -> bool {
        self.broken.is_none()
            && self.pending == 0
            && self.pushes.is_empty()
            && !self.in_multi
            && !self.watching
            && !self.state_changed
            && !self.deliver_pushes
            && self.write_buf.is_empty()
    }

    /// Sets how long to wait for each reply (`None`: forever); also bounds each write.
    pub fn set_response_timeout(&mut self, timeout: Option<Duration>) {
        self.response_timeout = timeout;
        // Only fails on a dead socket, which the next IO reports.
        let _ = self.stream.set_write_timeout(timeout);
    }

    /// The response timeout in force.
    pub fn response_timeout(&self) -> Option<Duration> {
        self.response_timeout
    }

    /// Sends `PING` and waits for the `PONG`.
    ///
    /// # Errors
    ///
    /// As [`query`](Connection::query).
    pub fn ping(&mut self) -> Result<()> {
        self.query::<()>(&Cmd::new("PING"))
    }

    /// Closes the connection (for TLS, with a `close_notify`).
    pub fn close(mut self) {
        self.stream.shutdown();
    }

    /// Checks an idle connection before it is handed out: has the server closed it (a
    /// restart, `timeout`, `CLIENT KILL`), or sent something? Pushes are queued; an
    /// unsolicited reply breaks the connection. Costs one non-blocking `recv` when
    /// nothing is waiting.
    pub(crate) fn check_idle(&mut self) -> Result<()> {
        self.check_usable()?;
        match self.stream.peek() {
            Ok(Peek::Nothing) => Ok(()),
            Ok(Peek::Closed) => Err(self.break_with(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection while it was idle",
            ))),
            Ok(Peek::Data) => self.drain_idle(),
            Err(e) => Err(self.break_with(e)),
        }
    }

    fn drain_idle(&mut self) -> Result<()> {
        if let Err(e) = self.stream.set_nonblocking(true) {
            return Err(self.break_with(e));
        }
        let result = self.drain_nonblocking();
        if let Err(e) = self.stream.set_nonblocking(false) {
            return Err(self.break_with(e));
        }
        result?;
        loop {
            match self.decoder.decode(&mut self.read_buf) {
                Ok(Some(Value::Push(items))) => self.pushes.push_back(Value::Push(items)),
                Ok(Some(_)) => {
                    return Err(self.break_with(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the server sent a reply nobody asked for on an idle connection",
                    )))
                }
                Ok(None) => return Ok(()),
                Err(e) => {
                    let error = Error::Protocol(e);
                    self.broken = Some(error.clone());
                    return Err(error);
                }
            }
        }
    }

    fn drain_nonblocking(&mut self) -> Result<()> {
        loop {
            let start = read_buf::prepare(&mut self.read_buf);
            let result = self.stream.read(&mut self.read_buf[start..]);
            let n = *result.as_ref().unwrap_or(&0);
            self.read_buf.truncate(start + n);
            match result {
                Ok(0) => {
                    return Err(self.break_with(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the server closed the connection while it was idle",
                    )))
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.break_with(e)),
            }
        }
    }

    /// Restores what a pool borrower may have changed without changing server state.
    pub(crate) fn reset_for_pool(&mut self) {
        if self.response_timeout != self.config.response_timeout {
            self.set_response_timeout(self.config.response_timeout);
        }
    }

    /// The response timeout plus what blocking commands in flight add.
    fn effective_timeout(&self) -> Option<Duration> {
        match (self.response_timeout, self.block_extra) {
            (Some(timeout), Some(extra)) => Some(timeout.saturating_add(extra)),
            _ => None,
        }
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
