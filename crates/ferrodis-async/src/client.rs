//! [`Client`]: the handle most programs use, and its [`ClientBuilder`].
//!
//! A `Client` is a cheap, cloneable handle (`Arc` inside), `Clone + Send + Sync`, shared
//! by every task of a program. Behind it:
//!
//! - **one [`MultiplexedConnection`]** that carries ordinary commands: concurrent
//!   requests from any number of tasks are written together (automatic pipelining) and
//!   their replies matched in order;
//! - **a bounded [pool](crate::pool) of exclusive connections** for what must not share
//!   a connection: commands that block on the server (`BLPOP`, `BRPOP`, `BLMOVE`,
//!   `BZPOPMIN`, `BLMPOP`, `XREAD ... BLOCK`, `WAIT`, ...: the command table's `blocking`
//!   flag, see [`Cmd::blocking_timeout`]) so that they never stall other callers, `WATCH`
//!   transactions (a lease for the transaction's life), and commands that change their
//!   connection (`SELECT`, `CLIENT TRACKING`, ...: that connection is then closed, not
//!   returned).
//!
//! [`Client::open`] and [`ClientBuilder::build`] do not connect: the first command opens
//! the first connection, as in redis-py and aredis. They pick the runtime they are called
//! from ([`runtime::detect`]) unless one is given ([`ClientBuilder::runtime`]).
//!
//! ## When the connection drops
//!
//! Requests in flight on a connection that drops get a typed error ([`Error::Io`],
//! [`Error::Protocol`]); none hangs. The next request opens a new connection. When that
//! fails (the server is still down), further attempts are spaced by an exponential
//! backoff with jitter ([`ClientBuilder::reconnect_backoff`]); requests arriving in
//! between fail at once with the last connect error instead of piling up.
//!
//! A peer that vanishes without closing the connection (a crashed host, a dropped NAT
//! entry) is noticed by TCP keepalive, by response timeouts, and, with
//! [`ClientBuilder::health_check_interval`], by a `PING` before a connection that was
//! quiet for longer than the interval is used again: one that gets no `PONG` in time is
//! closed and replaced.
//!
//! A request whose connection dropped is sent again, once, on a new connection only when
//! that cannot run it twice: it was still queued, never written to the socket (the
//! shared connection writes what callers queue while it waits for replies, so a drop
//! catches some requests unsent), or it is read-only (its `readonly` flag in the command
//! table) and [`ClientBuilder::retry_reads`] is on (the default). A write that may have
//! reached the server is never sent again: it may have run.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ferrodis_commands::{
    AsyncCommands, Cmd, ConnectionConfig, ConnectionEffect, Error, FromValue, IntoConnectionConfig,
    Result, TimeoutKind, ToArgs, Typed, Value,
};

use crate::connect::Connector;
use crate::connection::{error_reply_to_err, Connection};
use crate::multiplexed::{Failed, MultiplexedConnection, DEFAULT_MAX_IN_FLIGHT};
use crate::pool::{Pool, PoolSettings, PoolStatus, PooledConnection};
use crate::runtime::{self, Runtime, RuntimeRef};
use crate::spin::DEFAULT_SPIN_WAIT;

/// The default shortest wait between two failed connection attempts.
pub const DEFAULT_BACKOFF_MIN: Duration = Duration::from_millis(20);
/// The default longest wait between two failed connection attempts.
pub const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(2);
/// How long a health check's `PING` may take when the config sets no timeout.
pub const HEALTH_CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// An async Redis client: `Clone + Send + Sync`. See the [module docs](self) and the
/// [crate docs](crate).
///
/// ```no_run
/// use ferrodis_async::{AsyncCommands, Client};
///
/// # async fn demo() -> ferrodis_commands::Result<()> {
/// let client = Client::open("redis://127.0.0.1:6379/0")?;
/// client.set::<_, _, ()>("greeting", "hello").await?;
/// let greeting: String = client.get("greeting").await?;
/// let n: i64 = client.cmd("INCRBY").arg("visits").arg(5).query().await?;
/// # let _ = (greeting, n);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Arc<Pool>,
    max_in_flight: usize,
    spin_wait: Duration,
    retry_reads: bool,
    health_check_interval: Option<Duration>,
    backoff_min: Duration,
    backoff_max: Duration,
    /// The shared connection, and the reconnect state.
    mux: Mutex<MuxState>,
    /// Held while a connection is being opened, so that one caller opens it and the
    /// others wait for it.
    connecting: async_lock::Mutex<()>,
}

#[derive(Default)]
struct MuxState {
    conn: Option<MultiplexedConnection>,
    /// Failed attempts in a row.
    failures: u32,
    /// No new attempt before this.
    next_attempt: Option<Instant>,
    last_error: Option<Error>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("addr", &self.config().addr)
            .field("runtime", &self.runtime().name())
            .field("pool", &self.pool_status())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config` (a [`ConnectionConfig`] or a `redis://` URL) with the
    /// default settings, on the runtime this is called from. Connects nothing yet.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a bad URL or no runtime, [`Error::Tls`] for unreadable TLS
    /// files.
    pub fn open(config: impl IntoConnectionConfig) -> Result<Client> {
        Client::builder(config).build()
    }

    /// A builder, for the pool and reconnect settings.
    pub fn builder(config: impl IntoConnectionConfig) -> ClientBuilder {
        ClientBuilder {
            config: config.into_connection_config(),
            settings: PoolSettings::default(),
            runtime: None,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            spin_wait: DEFAULT_SPIN_WAIT,
            retry_reads: true,
            backoff: (DEFAULT_BACKOFF_MIN, DEFAULT_BACKOFF_MAX),
        }
    }

    /// The config every connection is opened with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.inner.pool.config
    }

    /// The runtime the client's connections live on.
    pub fn runtime(&self) -> &RuntimeRef {
        &self.inner.pool.runtime
    }

    /// The pool's counters.
    pub fn pool_status(&self) -> PoolStatus {
        self.inner.pool.status()
    }

    pub(crate) fn pool(&self) -> &Arc<Pool> {
        &self.inner.pool
    }

    pub(crate) fn connector(&self) -> &Connector {
        &self.inner.pool.connector
    }

    /// Borrows an exclusive connection from the pool (given back when dropped, if it is
    /// still in a state the next caller can use).
    ///
    /// # Errors
    ///
    /// [`Error::Pool`] when none became free within the pool timeout; the connect errors.
    pub async fn get_connection(&self) -> Result<PooledConnection> {
        self.inner.pool.get().await
    }

    /// Opens a new connection outside the pool (for pub/sub, monitor, or anything that
    /// keeps a connection for long).
    ///
    /// # Errors
    ///
    /// The connect errors of [`Connection::open`].
    pub async fn dedicated_connection(&self) -> Result<Connection> {
        Connection::open_with_connector(self.config(), self.runtime(), self.connector()).await
    }

    /// The shared connection, opened (again) if there is none or it dropped.
    ///
    /// # Errors
    ///
    /// The connect errors; while reconnecting after failures, the last connect error at
    /// once until the backoff allows the next attempt.
    pub async fn multiplexed(&self) -> Result<MultiplexedConnection> {
        if let Some(conn) = self.current() {
            match self.inner.health_check_interval {
                Some(interval) if conn.idle_for() >= interval => {
                    if self.check_health(&conn).await {
                        return Ok(conn);
                    }
                }
                _ => return Ok(conn),
            }
        }
        let _opening = self.inner.connecting.lock().await;
        if let Some(conn) = self.current() {
            return Ok(conn);
        }
        let now = Instant::now();
        {
            let mux = self.mux();
            if let (Some(at), Some(error)) = (mux.next_attempt, &mux.last_error) {
                if now < at {
                    return Err(error.clone());
                }
            }
        }
        let opened =
            Connection::open_with_connector(self.config(), self.runtime(), self.connector()).await;
        let mut mux = self.mux();
        match opened {
            Ok(conn) => {
                let conn = MultiplexedConnection::from_connection(
                    conn,
                    self.inner.max_in_flight,
                    self.inner.spin_wait,
                );
                mux.conn = Some(conn.clone());
                mux.failures = 0;
                mux.next_attempt = None;
                mux.last_error = None;
                Ok(conn)
            }
            Err(error) => {
                mux.failures = mux.failures.saturating_add(1);
                let wait = backoff(self.inner.backoff_min, self.inner.backoff_max, mux.failures);
                mux.next_attempt = Some(Instant::now() + wait);
                mux.last_error = Some(error.clone());
                mux.conn = None;
                Err(error)
            }
        }
    }

    /// `PING` on a shared connection that was quiet for longer than the health-check
    /// interval, within the response timeout (or the connect timeout, or 5 s); a
    /// connection that fails it is ended, and the caller opens a new one.
    async fn check_health(&self, conn: &MultiplexedConnection) -> bool {
        let config = self.config();
        let limit = config
            .response_timeout
            .or(config.connect_timeout)
            .unwrap_or(HEALTH_CHECK_TIMEOUT);
        let ping = Cmd::new("PING");
        let outcome =
            runtime::timeout(&**self.runtime(), Some(limit), conn.query_value(&ping)).await;
        let error = match outcome {
            Some(Ok(Value::SimpleString(_) | Value::BulkString(_))) => return true,
            Some(Ok(other)) => match error_reply_to_err(other) {
                Err(e) => e,
                Ok(_) => return true,
            },
            Some(Err(e)) => e,
            None => Error::Timeout {
                kind: TimeoutKind::Response,
                after: limit,
            },
        };
        conn.abort(error);
        false
    }

    fn mux(&self) -> MutexGuard<'_, MuxState> {
        // Only plain assignments happen under this lock.
        self.inner
            .mux
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The shared connection if it is open.
    fn current(&self) -> Option<MultiplexedConnection> {
        self.mux().conn.as_ref().filter(|c| !c.is_closed()).cloned()
    }

    /// Starts a command by name: `client.cmd("INCRBY").arg("k").arg(5).query::<i64>().await`.
    pub fn cmd(&self, name: &str) -> ClientCmd<'_> {
        ClientCmd {
            client: self,
            cmd: Cmd::new(name),
        }
    }

    /// Runs a typed command (from [`ferrodis_commands::commands`]) and converts its reply
    /// to the command's reply type.
    ///
    /// # Errors
    ///
    /// As [`query_value`](Client::query_value), the server's error, [`Error::Conversion`].
    pub async fn query<T: FromValue>(&self, cmd: Typed<T>) -> Result<T> {
        self.query_as(cmd.into_cmd()).await
    }

    /// Runs any command and converts its reply to `T`; an error reply is
    /// [`Error::Server`].
    ///
    /// # Errors
    ///
    /// As [`query_value`](Client::query_value), the server's error, [`Error::Conversion`].
    pub async fn query_as<T: FromValue>(&self, cmd: impl Into<Cmd>) -> Result<T> {
        let cmd = cmd.into();
        T::from_value(error_reply_to_err(self.query_value(&cmd).await?)?)
    }

    /// Runs a command and returns its reply as it came (an error reply is a value): on the
    /// shared connection, or on a pooled one for blocking and connection-changing
    /// commands (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// [`Error::Io`]/[`Error::Protocol`] when the connection dropped (after the retry the
    /// module docs describe), [`Error::Timeout`], [`Error::Pool`], the connect errors.
    pub async fn query_value(&self, cmd: &Cmd) -> Result<Value> {
        if needs_own_connection(cmd) {
            return self.query_exclusive(cmd).await;
        }
        let conn = self.multiplexed().await?;
        match conn.query_value_tracked(cmd).await {
            Ok(value) => Ok(value),
            Err(failed) if self.may_resend(&failed, cmd, &conn) => {
                self.multiplexed().await?.query_value(cmd).await
            }
            Err(failed) => Err(failed.error),
        }
    }

    /// Whether a request that failed on `conn` because it dropped is sent again: if it
    /// never left, or it is read-only and `retry_reads` is on.
    fn may_resend(&self, failed: &Failed, cmd: &Cmd, conn: &MultiplexedConnection) -> bool {
        failed.error.is_connection_dropped()
            && conn.is_closed()
            && (failed.unsent || (self.inner.retry_reads && cmd.flags().is_readonly()))
    }

    /// A command on a pooled connection of its own, with the blocking crate's resend rule.
    async fn query_exclusive(&self, cmd: &Cmd) -> Result<Value> {
        let mut conn = self.inner.pool.get().await?;
        match conn.query_value(cmd).await {
            Err(error)
                if conn.reused
                    && error.is_connection_dropped()
                    && self.inner.retry_reads
                    && cmd.flags().is_readonly() =>
            {
                drop(conn);
                let mut fresh = self.inner.pool.get_new().await?;
                fresh.query_value(cmd).await
            }
            other => other,
        }
    }
}

/// Whether `cmd` must not run on the shared connection: exactly the commands the
/// multiplexed connection would refuse, which is why the client's path does not check
/// them a second time there.
fn needs_own_connection(cmd: &Cmd) -> bool {
    cmd.blocking_timeout().is_some() || cmd.connection_effect() != ConnectionEffect::None
}

/// The wait before attempt `failures + 1`: exponential from `min`, capped at `max`, with
/// jitter (a random point in its upper half), so that many clients do not reconnect in
/// step.
fn backoff(min: Duration, max: Duration, failures: u32) -> Duration {
    let exp = min.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    let ceiling = exp.min(max).max(min);
    let half = ceiling / 2;
    let jitter = half.mul_f64(fastrand::f64());
    half + jitter
}

impl AsyncCommands for Client {
    /// Error replies are [`Error::Server`], whatever `RV`.
    async fn query_cmd<RV: FromValue + Send>(&self, cmd: Cmd) -> Result<RV> {
        RV::from_value(error_reply_to_err(self.query_value(&cmd).await?)?)
    }
}

/// A command being built by [`Client::cmd`]; `.arg(..)` adds arguments,
/// `.query::<T>().await` runs it.
#[derive(Debug)]
#[must_use = "a command does nothing until `query` is awaited"]
pub struct ClientCmd<'a> {
    client: &'a Client,
    cmd: Cmd,
}

impl ClientCmd<'_> {
    /// Adds an argument (or several: a slice, a `Vec`, a tuple).
    pub fn arg<A: ToArgs>(mut self, arg: A) -> Self {
        self.cmd.push_arg(arg);
        self
    }

    /// The command built so far.
    pub fn as_cmd(&self) -> &Cmd {
        &self.cmd
    }

    /// The command built so far, taken out.
    pub fn into_cmd(self) -> Cmd {
        self.cmd
    }

    /// Runs the command and converts its reply to `T`.
    ///
    /// # Errors
    ///
    /// As [`Client::query_as`].
    pub async fn query<T: FromValue>(self) -> Result<T> {
        self.client.query_as(self.cmd).await
    }
}

/// Settings of a [`Client`]: from [`Client::builder`].
///
/// ```no_run
/// use std::time::Duration;
/// use ferrodis_async::Client;
///
/// # fn demo() -> ferrodis_commands::Result<()> {
/// let client = Client::builder("redis://127.0.0.1:6379/0")
///     .max_size(32)                          // exclusive connections (blocking commands, WATCH)
///     .pool_timeout(Duration::from_secs(2))
///     .max_in_flight(10_000)                 // requests on the shared connection
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[must_use = "call build() to get a Client"]
pub struct ClientBuilder {
    config: Result<ConnectionConfig>,
    settings: PoolSettings,
    runtime: Option<RuntimeRef>,
    max_in_flight: usize,
    spin_wait: Duration,
    retry_reads: bool,
    backoff: (Duration, Duration),
}

impl ClientBuilder {
    /// The most exclusive connections the pool holds, borrowed ones included (default
    /// 16). The shared connection is not counted.
    pub fn max_size(mut self, max_size: usize) -> Self {
        self.settings.max_size = max_size;
        self
    }

    /// How long a borrow waits for a free connection before failing with
    /// [`Error::Pool`] (default 5 s).
    pub fn pool_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pool_timeout = timeout;
        self
    }

    /// Idle pooled connections older than this are closed (default 5 minutes; `None`:
    /// never).
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// Pooled connections older than this are closed when they come back or before they
    /// are handed out (default `None`: no limit).
    pub fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.settings.max_lifetime = lifetime;
        self
    }

    /// A connection quiet for longer than this gets a `PING` before it is used again
    /// (default `None`: only the pool's non-blocking liveness peek, and TCP keepalive):
    /// pooled connections before they are handed out, and the shared connection before
    /// the next command. A shared connection that fails its check (no `PONG` within the
    /// response timeout) is closed and a new one opened, so a peer that vanished without
    /// closing the connection costs one check, not every request.
    pub fn health_check_interval(mut self, interval: Option<Duration>) -> Self {
        self.settings.health_check_interval = interval;
        self
    }

    /// The runtime to use (default: the one [`build`](Self::build) is called from, see
    /// [`runtime::detect`]).
    pub fn runtime(mut self, runtime: impl Runtime) -> Self {
        self.runtime = Some(Arc::new(runtime));
        self
    }

    /// The runtime to use, shared.
    pub fn runtime_ref(mut self, runtime: RuntimeRef) -> Self {
        self.runtime = Some(runtime);
        self
    }

    /// The bound on requests in flight on the shared connection (default
    /// [`DEFAULT_MAX_IN_FLIGHT`]); past it, callers wait for room.
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max.max(1);
        self
    }

    /// The longest the shared connection's driver polls again at once, rather than
    /// parking its worker thread, while replies are owed (default [`DEFAULT_SPIN_WAIT`],
    /// 100 µs; `Duration::ZERO` turns it off). It spins only while several requests are
    /// owed and only while spinning pays (replies usually come within the limit), so a
    /// lone caller or a distant server costs next to no CPU. See [`crate::spin`] for why
    /// this pays on a busy connection to a near server.
    pub fn spin_wait(mut self, limit: Duration) -> Self {
        self.spin_wait = limit;
        self
    }

    /// Whether read-only commands whose connection dropped are sent again, once, on a new
    /// connection (default `true`).
    pub fn retry_reads(mut self, retry: bool) -> Self {
        self.retry_reads = retry;
        self
    }

    /// The waits between failed connection attempts: from `min`, doubling, capped at
    /// `max`, with jitter (defaults [`DEFAULT_BACKOFF_MIN`], [`DEFAULT_BACKOFF_MAX`]).
    pub fn reconnect_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = (min, max.max(min));
        self
    }

    /// The client. Connects nothing yet.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a bad URL, a `max_size` of 0, or when no runtime was given
    /// and none can be detected; [`Error::Tls`] for unreadable TLS files.
    pub fn build(self) -> Result<Client> {
        let config = self.config?;
        if self.settings.max_size == 0 {
            return Err(Error::Config {
                part: "max_size",
                reason: "a pool needs room for at least one connection; set max_size to 1 or more"
                    .to_owned(),
            });
        }
        let runtime = match self.runtime {
            Some(runtime) => runtime,
            None => runtime::detect()?,
        };
        let connector = Connector::new(&config)?;
        let health_check_interval = self.settings.health_check_interval;
        let pool = Pool::new(config, runtime, connector, self.settings);
        Ok(Client {
            inner: Arc::new(Inner {
                pool,
                max_in_flight: self.max_in_flight,
                spin_wait: self.spin_wait,
                retry_reads: self.retry_reads,
                health_check_interval,
                backoff_min: self.backoff.0,
                backoff_max: self.backoff.1,
                mux: Mutex::new(MuxState::default()),
                connecting: async_lock::Mutex::new(()),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let (min, max) = (Duration::from_millis(20), Duration::from_secs(2));
        for failures in 1..40 {
            let wait = backoff(min, max, failures);
            assert!(wait <= max, "{failures}: {wait:?}");
            assert!(wait >= min / 2, "{failures}: {wait:?}");
        }
        assert!(backoff(min, max, 30) >= max / 2);
    }

    #[test]
    fn the_client_routes_away_exactly_what_the_shared_connection_refuses() {
        let cmds = [
            Cmd::new("GET").arg("k"),
            Cmd::new("BLPOP").arg("q").arg(1),
            Cmd::new("XREAD")
                .arg("BLOCK")
                .arg(0)
                .arg("STREAMS")
                .arg("s")
                .arg("$"),
            Cmd::new("XREAD").arg("STREAMS").arg("s").arg("0"),
            Cmd::new("WAIT").arg(0).arg(10),
            Cmd::new("MULTI"),
            Cmd::new("EXEC"),
            Cmd::new("WATCH").arg("k"),
            Cmd::new("SUBSCRIBE").arg("c"),
            Cmd::new("MONITOR"),
            Cmd::new("CLIENT").arg("REPLY").arg("OFF"),
            Cmd::new("HELLO").arg(3),
            Cmd::new("CLIENT").arg("LIST"),
        ];
        for cmd in &cmds {
            if crate::multiplexed::refuse_unshareable(cmd).is_err() {
                assert!(needs_own_connection(cmd), "{:?}", cmd.name());
            }
        }
    }

    #[test]
    fn blocking_and_state_changing_commands_get_their_own_connection() {
        assert!(needs_own_connection(&Cmd::new("BLPOP").arg("q").arg(1)));
        assert!(needs_own_connection(
            &Cmd::new("XREAD")
                .arg("BLOCK")
                .arg(0)
                .arg("STREAMS")
                .arg("s")
                .arg("$")
        ));
        assert!(needs_own_connection(&Cmd::new("SELECT").arg(1)));
        assert!(needs_own_connection(&Cmd::new("WATCH").arg("k")));
        assert!(!needs_own_connection(&Cmd::new("GET").arg("k")));
        assert!(!needs_own_connection(
            &Cmd::new("XREAD").arg("STREAMS").arg("s").arg("0")
        ));
    }
}
