//! [`Client`]: the handle most programs use, and its [`ClientBuilder`].
//!
//! A `Client` is a cheap, cloneable handle (`Arc` inside) on a bounded pool of
//! connections, shared by all its clones and safe to use from many threads at once. Each
//! command borrows a connection for its round trip and gives it back. The generated
//! [`Commands`] trait gives it one method per Redis command; [`Client::cmd`] sends any
//! other.
//!
//! [`Client::open`] and [`ClientBuilder::build`] do not connect: they check the config
//! (and load TLS certificates), and the first command opens the first connection, as in
//! redis-py. A server that cannot be reached is therefore reported by the first command.
//!
//! ## When a command is sent again
//!
//! A pooled connection may have been closed by the server while idle without the pool's
//! peek noticing in time (the close raced with the borrow). When a command fails on a
//! *reused* connection because the connection dropped, it is sent again, once, on a new
//! connection, but only when that cannot run it twice:
//!
//! - writing the request failed, so the server did not receive all of it and cannot have
//!   run it; or
//! - the command is read-only (its `readonly` flag in the command table), so running it
//!   twice changes nothing.
//!
//! A write (`INCR`, `LPUSH`, ...) whose reply was lost after it was sent is never sent
//! again: the error is returned, since the command may have run.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ferrodis_commands::{
    Cmd, Commands, ConnectionConfig, Error, FromValue, IntoConnectionConfig, Result, ToArgs, Typed,
    Value,
};

use crate::connect::Connector;
use crate::connection::{error_reply_to_err, Connection};
pub use crate::pool::PooledConnection;
use crate::pool::{Pool, PoolSettings, PoolStatus};

/// A Redis client on a bounded connection pool: `Clone + Send + Sync`. See the
/// [module docs](self) and the [crate docs](crate).
///
/// ```no_run
/// use ferrodis_blocking::Client;
/// use ferrodis_commands::Commands;
///
/// let client = Client::open("redis://127.0.0.1:6379/0")?;
/// client.set::<_, _, ()>("greeting", "hello")?;
/// let greeting: String = client.get("greeting")?;
/// let n: i64 = client.cmd("INCRBY").arg("visits").arg(5).query()?;
/// # let _ = (greeting, n);
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pool: Arc<Pool>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.pool.config)
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl Client {
    /// A client with the default pool settings (see [`ClientBuilder`]), from a URL or a
    /// [`ConnectionConfig`]. Does not connect.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a URL that does not parse; [`Error::Tls`] for TLS settings
    /// that cannot be loaded (or TLS without the `tls` feature).
    pub fn open(config: impl IntoConnectionConfig) -> Result<Client> {
        Client::builder(config).build()
    }

    /// A builder, to set the pool's size and timeouts.
    pub fn builder(config: impl IntoConnectionConfig) -> ClientBuilder {
        ClientBuilder {
            config: config.into_connection_config(),
            settings: PoolSettings::default(),
        }
    }

    /// The connection config.
    pub fn config(&self) -> &ConnectionConfig {
        &self.pool.config
    }

    /// The pool's counters now.
    pub fn pool_status(&self) -> PoolStatus {
        self.pool.status()
    }

    /// Borrows a connection from the pool, waiting up to the pool timeout for one.
    ///
    /// # Errors
    ///
    /// [`Error::Pool`] when none became free in time; the errors of
    /// [`Connection::open`] when a new one had to be opened.
    pub fn get_connection(&self) -> Result<PooledConnection> {
        self.pool.get(true)
    }

    /// Opens a new connection outside the pool (for pub/sub, monitor, or anything that
    /// holds a connection for long), with the client's config.
    ///
    /// # Errors
    ///
    /// As [`Connection::open`].
    pub fn dedicated_connection(&self) -> Result<Connection> {
        Connection::open_with(&self.pool.config, &self.pool.connector)
    }

    /// Any command, by name: `client.cmd("OBJECT").arg("ENCODING").arg("k").query::<String>()`.
    pub fn cmd(&self, name: &str) -> ClientCmd<'_> {
        ClientCmd {
            client: self,
            cmd: Cmd::new(name),
        }
    }

    /// Runs a typed command (from [`ferrodis_commands::commands`]) and converts its reply
    /// to the command's default type.
    ///
    /// # Errors
    ///
    /// As [`query_as`](Client::query_as).
    pub fn query<T: FromValue>(&self, cmd: Typed<T>) -> Result<T> {
        self.query_as(cmd.into_cmd())
    }

    /// Runs a command and converts its reply to `T`.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] for an error reply (whatever `T`, [`Value`] included; use
    /// [`query_value`](Client::query_value) to get it as a value), [`Error::Conversion`] when the reply does not
    /// fit `T`, and the connection errors ([`Error::Io`], [`Error::Timeout`],
    /// [`Error::Pool`], ...).
    pub fn query_as<T: FromValue>(&self, cmd: impl Into<Cmd>) -> Result<T> {
        T::from_value(error_reply_to_err(self.query_value(&cmd.into())?)?)
    }

    /// Runs a command and returns its reply as it came (an error reply included, as a
    /// [`Value`]), sending it again on a new connection only where that is safe (see the
    /// [module docs](self#when-a-command-is-sent-again)).
    ///
    /// # Errors
    ///
    /// The connection errors, as [`query_as`](Client::query_as).
    pub fn query_value(&self, cmd: &Cmd) -> Result<Value> {
        let mut conn = self.get_connection()?;
        match round_trip(&mut conn, cmd) {
            Ok(value) => Ok(value),
            Err((error, written)) => {
                if may_resend(conn.reused, &error, written, cmd) {
                    drop(conn);
                    let mut fresh = self.pool.get(false)?;
                    round_trip(&mut fresh, cmd).map_err(|(e, _)| e)
                } else {
                    Err(error)
                }
            }
        }
    }
}

/// The rule of the [module docs](self#when-a-command-is-sent-again): a command that
/// failed on a reused connection because it dropped is sent again only if the request
/// was not fully written, or the command is read-only.
fn may_resend(reused: bool, error: &Error, written: bool, cmd: &Cmd) -> bool {
    reused && error.is_connection_dropped() && (!written || cmd.flags().is_readonly())
}

/// One command's round trip; on error, whether the request was fully written.
fn round_trip(conn: &mut Connection, cmd: &Cmd) -> std::result::Result<Value, (Error, bool)> {
    conn.send(cmd);
    conn.flush().map_err(|e| (e, false))?;
    conn.recv().map_err(|e| (e, true))
}

impl Commands for Client {
    /// Error replies are [`Error::Server`], whatever `RV`.
    fn query_cmd<RV: FromValue>(&self, cmd: Cmd) -> Result<RV> {
        RV::from_value(error_reply_to_err(self.query_value(&cmd)?)?)
    }
}

/// A command being built by [`Client::cmd`]; `.arg(..)` adds arguments,
/// `.query::<T>()` runs it.
#[derive(Debug)]
#[must_use = "a command does nothing until `query` is called"]
pub struct ClientCmd<'a> {
    client: &'a Client,
    cmd: Cmd,
}

impl ClientCmd<'_> {
    /// Adds argument(s).
    pub fn arg<A: ToArgs>(mut self, arg: A) -> Self {
        self.cmd.push_arg(arg);
        self
    }

    /// The command built so far.
    pub fn as_cmd(&self) -> &Cmd {
        &self.cmd
    }

    /// The command, without the client.
    pub fn into_cmd(self) -> Cmd {
        self.cmd
    }

    /// Runs the command and converts the reply to `T`.
    ///
    /// # Errors
    ///
    /// As [`Client::query_as`].
    pub fn query<T: FromValue>(self) -> Result<T> {
        self.client.query_as(self.cmd)
    }
}

/// Builds a [`Client`], with the pool's settings:
///
/// | setting | default | behaviour |
/// |---|---|---|
/// | [`max_size`](ClientBuilder::max_size) | 16 | the most connections open at once, borrowed or idle |
/// | [`pool_timeout`](ClientBuilder::pool_timeout) | 5 s | how long a borrow waits for a free connection before [`Error::Pool`] |
/// | [`idle_timeout`](ClientBuilder::idle_timeout) | 5 min | idle connections are closed after this |
/// | [`max_lifetime`](ClientBuilder::max_lifetime) | none | connections older than this are replaced |
/// | [`health_check_interval`](ClientBuilder::health_check_interval) | none | a connection idle longer than this is `PING`ed before use |
///
/// ```no_run
/// use std::time::Duration;
/// use ferrodis_blocking::Client;
///
/// let client = Client::builder("redis://127.0.0.1:6379")
///     .max_size(32)
///     .pool_timeout(Duration::from_secs(2))
///     .max_lifetime(Some(Duration::from_secs(3600)))
///     .health_check_interval(Some(Duration::from_secs(30)))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    config: Result<ConnectionConfig>,
    settings: PoolSettings,
}

impl ClientBuilder {
    /// The most connections open at once (borrowed, idle or being opened); at least 1.
    pub fn max_size(mut self, max_size: usize) -> Self {
        self.settings.max_size = max_size;
        self
    }

    /// How long a borrow waits for a free connection before failing with
    /// [`Error::Pool`].
    pub fn pool_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pool_timeout = timeout;
        self
    }

    /// Idle connections are closed after this long (`None`: kept open).
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// Connections older than this are closed when returned or found idle, and replaced
    /// by new ones when needed (`None`: no limit).
    pub fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.settings.max_lifetime = lifetime;
        self
    }

    /// A connection idle for longer than this is `PING`ed, and the `PONG` awaited, before
    /// it is handed out; a failed check closes it and another is used (`None`: no
    /// check beyond the free liveness peek).
    pub fn health_check_interval(mut self, interval: Option<Duration>) -> Self {
        self.settings.health_check_interval = interval;
        self
    }

    /// Builds the client. Does not connect.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for a URL that does not parse or a `max_size` of 0;
    /// [`Error::Tls`] for TLS settings that cannot be loaded.
    pub fn build(self) -> Result<Client> {
        let config = self.config?;
        if self.settings.max_size == 0 {
            return Err(Error::Config {
                part: "max_size",
                reason: "a pool needs room for at least 1 connection".to_owned(),
            });
        }
        let connector = Connector::new(&config)?;
        Ok(Client {
            pool: Pool::new(config, connector, self.settings),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn only_commands_that_cannot_run_twice_are_resent() {
        let dropped = Error::from(io::Error::from(io::ErrorKind::ConnectionReset));
        let get = Cmd::new("GET").arg("k");
        let incr = Cmd::new("INCR").arg("k");
        // Read-only: resent whether or not the request went out.
        assert!(may_resend(true, &dropped, true, &get));
        assert!(may_resend(true, &dropped, false, &get));
        // A write: only if the request was not fully written.
        assert!(!may_resend(true, &dropped, true, &incr));
        assert!(may_resend(true, &dropped, false, &incr));
        // Never on a connection opened for this command, nor for other errors.
        assert!(!may_resend(false, &dropped, false, &get));
        let timeout = Error::Timeout {
            kind: ferrodis_commands::TimeoutKind::Response,
            after: Duration::from_secs(1),
        };
        assert!(!may_resend(true, &timeout, true, &get));
        let server = Error::Server(ferrodis_commands::ServerError::parse(b"ERR nope"));
        assert!(!may_resend(true, &server, true, &get));
    }
}
