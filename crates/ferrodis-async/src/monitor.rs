//! `MONITOR` on a connection of its own: [`Client::monitor`] and [`Monitor`].
//!
//! After `MONITOR`, a connection receives a line for every command the server runs, from
//! every client, and can do nothing else; so a [`Monitor`] takes a dedicated connection
//! ([`Client::dedicated_connection`]), never a pooled or the multiplexed one. The lines
//! are parsed by the sans-IO [`MonitorEvent`] of `ferrodis-commands` (so every client of
//! ferrodis reads them the same way); this module only reads them off the socket.
//!
//! A [`Monitor`] is a [`Stream`]. Its read is a boxed future that owns the connection
//! and gives it back with the line it read, and it is kept across polls: a
//! [`next_timeout`](Monitor::next_timeout) that runs out of time, or a `select!` that
//! drops a `next()`, leaves the read where it was instead of cancelling it, so no line is
//! ever lost or cut in half, whatever the connection does on cancellation.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use ferrodis_commands::monitor::monitor;
use ferrodis_commands::{Error, FromValue, MonitorEvent, Result, Value};
use futures_core::Stream;

use crate::client::Client;
use crate::connection::Connection;
use crate::runtime::{self, BoxFuture, RuntimeRef};

/// A read in progress: it owns the connection and gives it back with what it read.
type Read = BoxFuture<'static, (Connection, Result<Option<Value>>)>;

/// A monitoring connection: a [`Stream`] of the commands the server runs, created by
/// [`Client::monitor`].
///
/// A `Monitor` is a `Stream` of `Result<MonitorEvent>` (aredis's `monitor().listen()`),
/// each item waiting for the next event; [`next_timeout`](Monitor::next_timeout) waits
/// for a bounded time instead. A line that does not parse is yielded as an
/// [`Error::Conversion`] and the monitor goes on (the connection is still in sync). When
/// the connection breaks, the error is yielded and the stream ends: a monitor does not
/// reconnect (what the server ran meanwhile would be missing without a trace); open a
/// new one with [`Client::monitor`].
///
/// Dropping a `next()` (or a `next_timeout`) before it completes loses nothing: the read
/// goes on at the next call.
///
/// Monitoring costs the server: every command is formatted for every monitor. Use it to
/// debug, not in production paths.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use ferrodis_async::Client;
///
/// # async fn example() -> ferrodis_commands::Result<()> {
/// let client = Client::open("redis://127.0.0.1:6379")?;
/// let mut events = client.monitor().await?.take(10);
/// while let Some(event) = events.next().await {
///     let event = event?;
///     println!("{:.6} [{} {}] {:?}", event.timestamp(), event.db, event.client, event.command);
/// }
/// # Ok(())
/// # }
/// ```
pub struct Monitor {
    /// The connection, while no read is in progress. `None` with no read in progress:
    /// the connection broke and the stream has ended.
    conn: Option<Connection>,
    /// The read in progress, kept across polls.
    reading: Option<Read>,
    runtime: RuntimeRef,
}

impl fmt::Debug for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Monitor")
            .field("open", &self.is_open())
            .field("reading", &self.reading.is_some())
            .field("runtime", &self.runtime.name())
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
    pub async fn monitor(&self) -> Result<Monitor> {
        let mut conn = self.dedicated_connection().await?;
        conn.query::<()>(&monitor()).await?;
        Ok(Monitor {
            runtime: Arc::clone(conn.runtime()),
            conn: Some(conn),
            reading: None,
        })
    }
}

impl Monitor {
    /// Waits up to `timeout` for the next event; `Ok(None)` when none came in time (the
    /// monitor stays usable, and a line that had started arriving is finished by the next
    /// call). `Duration::ZERO` returns only what already arrived.
    ///
    /// # Errors
    ///
    /// [`Error::Conversion`] for a line that does not parse (the monitor goes on); an IO
    /// error or a timeout in the middle of a line when the connection broke (the monitor
    /// is closed then, and later calls fail too).
    pub async fn next_timeout(&mut self, timeout: Duration) -> Result<Option<MonitorEvent>> {
        if !self.is_open() {
            return Err(closed());
        }
        let runtime = Arc::clone(&self.runtime);
        let next = poll_fn(|cx| self.poll_event(cx));
        match runtime::timeout(&*runtime, Some(timeout), next).await {
            None => Ok(None),
            Some(None) => Err(closed()),
            Some(Some(event)) => event.map(Some),
        }
    }

    /// Whether the connection is still open (it is closed when it broke).
    pub fn is_open(&self) -> bool {
        self.conn.is_some() || self.reading.is_some()
    }

    /// Polls the read in progress (starting one if needed). `None` once the connection
    /// broke.
    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<MonitorEvent>>> {
        loop {
            if self.reading.is_none() {
                let Some(mut conn) = self.conn.take() else {
                    return Poll::Ready(None);
                };
                self.reading = Some(Box::pin(async move {
                    let read = conn.recv_timeout(None).await;
                    (conn, read)
                }));
            }
            let Some(reading) = self.reading.as_mut() else {
                return Poll::Ready(None);
            };
            let (conn, read) = match reading.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(done) => done,
            };
            self.reading = None;
            match read {
                Ok(Some(value)) => {
                    self.conn = Some(conn);
                    return Poll::Ready(Some(MonitorEvent::from_value(value)));
                }
                // Only with a time limit, and there is none: read again.
                Ok(None) => self.conn = Some(conn),
                Err(e) => {
                    if !conn.is_broken() {
                        self.conn = Some(conn);
                    }
                    return Poll::Ready(Some(Err(e)));
                }
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

impl Stream for Monitor {
    type Item = Result<MonitorEvent>;

    /// Waits for the next event. After the connection broke (the error was yielded
    /// once), returns `None`.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}
