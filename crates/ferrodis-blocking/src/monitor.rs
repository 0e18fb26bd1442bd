//! `MONITOR` on a connection of its own: [`Client::monitor`] and [`Monitor`].
//!
//! After `MONITOR`, a connection receives a line for every command the server runs, from
//! every client, and can do nothing else; so a [`Monitor`] takes a dedicated connection
//! ([`Client::dedicated_connection`]), never a pooled one. The lines are parsed by the
//! sans-IO [`MonitorEvent`] of `ferrodis-commands` (so every client of ferrodis reads
//! them the same way); this module only reads them off the socket.

use std::fmt;
use std::time::Duration;

use ferrodis_commands::monitor::monitor;
use ferrodis_commands::{Error, FromValue, MonitorEvent, Result};

use crate::client::Client;
use crate::connection::Connection;

/// A monitoring connection: an iterator of the commands the server runs, created by
/// [`Client::monitor`].
///
/// A `Monitor` is an iterator of `Result<MonitorEvent>` (redis-py's
/// `monitor().listen()`), blocking for each event; [`next_timeout`](Monitor::next_timeout)
/// waits for a bounded time instead. A line that does not parse is yielded as an
/// [`Error::Conversion`] and the monitor goes on (the connection is still in sync). When
/// the connection breaks, the error is yielded and the iterator ends: a monitor does not
/// reconnect (what the server ran meanwhile would be missing without a trace); open a
/// new one with [`Client::monitor`].
///
/// Monitoring costs the server: every command is formatted for every monitor. Use it to
/// debug, not in production paths.
///
/// ```no_run
/// use ferrodis_blocking::Client;
///
/// # fn main() -> ferrodis_commands::Result<()> {
/// let client = Client::open("redis://127.0.0.1:6379")?;
/// for event in client.monitor()?.take(10) {
///     let event = event?;
///     println!("{:.6} [{} {}] {:?}", event.timestamp(), event.db, event.client, event.command);
/// }
/// # Ok(())
/// # }
/// ```
pub struct Monitor {
    /// `None` once the connection broke: the iterator has ended.
    conn: Option<Connection>,
}

impl fmt::Debug for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Monitor")
            .field("open", &self.conn.is_some())
            .finish()
    }
}

impl Client {
    /// Opens a new connection (outside the pool), sends `MONITOR` and waits for its `OK`.
    /// See the [`Monitor`] docs.
    ///
    /// # Errors
    ///
    /// When the connection cannot be opened, or the server refuses `MONITOR` (for
    /// instance an ACL user without the permission: [`Error::Server`]).
    pub fn monitor(&self) -> Result<Monitor> {
        let mut conn = self.dedicated_connection()?;
        conn.query::<()>(&monitor())?;
        Ok(Monitor { conn: Some(conn) })
    }
}

impl Monitor {
    /// Waits up to `timeout` for the next event; `Ok(None)` when none came in time (the
    /// monitor stays usable).
    ///
    /// # Errors
    ///
    /// [`Error::Conversion`] for a line that does not parse (the monitor goes on); an IO
    /// error or a timeout in the middle of a line when the connection broke (the monitor
    /// is closed then, and later calls fail too).
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<MonitorEvent>> {
        self.read(Some(timeout))
    }

    /// Whether the connection is still open (it is closed when it broke).
    pub fn is_open(&self) -> bool {
        self.conn.is_some()
    }

    fn read(&mut self, timeout: Option<Duration>) -> Result<Option<MonitorEvent>> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(closed());
        };
        match conn.recv_timeout(crate::pubsub::poll_wait(timeout)) {
            Ok(None) => Ok(None),
            Ok(Some(value)) => MonitorEvent::from_value(value).map(Some),
            Err(e) => {
                if conn.is_broken() {
                    self.conn = None;
                }
                Err(e)
            }
        }
    }
}

fn closed() -> Error {
    Error::from(std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "the monitor connection is closed (it broke); open a new one with Client::monitor",
    ))
}

impl Iterator for Monitor {
    type Item = Result<MonitorEvent>;

    /// Blocks until the next event. After the connection broke (the error was yielded
    /// once), returns `None`.
    fn next(&mut self) -> Option<Result<MonitorEvent>> {
        loop {
            self.conn.as_ref()?;
            match self.read(None) {
                Ok(Some(event)) => return Some(Ok(event)),
                // Cannot happen without a timeout; wait again.
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
