//! The bounded connection pool behind [`Client`](crate::Client).
//!
//! The pool holds at most `max_size` connections, borrowed ones included. A borrow
//! ([`Client::get_connection`](crate::Client::get_connection), and every command run on
//! the client) takes the most recently returned idle connection, opens a new one if the
//! pool is below its size, or waits up to `pool_timeout` for one to come back, then
//! fails with [`Error::Pool`] naming the size and the wait.
//!
//! ## What comes back, and what does not
//!
//! A [`PooledConnection`] goes back to the pool when dropped only if
//! [`Connection::is_reusable`]: not broken, no reply unread, not inside `MULTI` or
//! `WATCH`, and no connection state changed (`SELECT`, `SUBSCRIBE`, `CLIENT REPLY`, ...).
//! Anything else is closed, and its slot freed. The database, credentials and name of
//! the config are applied by the handshake of every connection the pool opens, so a
//! `SELECT` never leaks from one caller to the next.
//!
//! ## Before a connection is handed out
//!
//! - It is dropped if it is older than `max_lifetime`, or was idle longer than
//!   `idle_timeout`.
//! - A non-blocking peek checks that the server has not closed it while it sat idle (a
//!   server restart, the server's `timeout`, `CLIENT KILL`); one `recv` syscall.
//! - If it was idle longer than `health_check_interval`, a `PING` is sent and the `PONG`
//!   awaited.
//!
//! A connection failing any check is closed and the borrow carries on (with another idle
//! connection or a new one), so the caller never sees these failures.
//!
//! ## Idle connections are closed
//!
//! When `idle_timeout` or `max_lifetime` is set, a small background thread
//! (`ferrodis-pool-reaper`, one per pool) closes idle connections as they expire, so an
//! idle client does not hold server connections forever. It holds no strong reference to
//! the pool and exits when the last [`Client`](crate::Client) clone is dropped.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::thread;
use std::time::{Duration, Instant};

use ferrodis_commands::{ConnectionConfig, Error, Result};

use crate::connect::Connector;
use crate::connection::Connection;

/// The pool's settings; see [`ClientBuilder`](crate::ClientBuilder). What they mean
/// (defaults, expiry, health checks) is shared with the other transport, in
/// [`ferrodis_commands::pool`].
pub(crate) use ferrodis_commands::pool::PoolConfig as PoolSettings;
pub use ferrodis_commands::pool::{
    PoolStatus, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_SIZE, DEFAULT_POOL_TIMEOUT,
};

struct Idle {
    conn: Connection,
    since: Instant,
}

struct State {
    /// A stack: the most recently returned connection is borrowed first, so that the
    /// others age and the idle timeout shrinks the pool after a burst.
    idle: Vec<Idle>,
    /// Every connection counted against `max_size`: idle, borrowed, being opened.
    open: usize,
    /// Borrowers waiting for a connection (no wake-up syscall when there are none).
    waiters: usize,
}

/// The pool shared by a client's clones.
pub(crate) struct Pool {
    pub(crate) config: ConnectionConfig,
    pub(crate) connector: Connector,
    pub(crate) settings: PoolSettings,
    state: Mutex<State>,
    freed: Condvar,
    /// Tells the reaper thread to exit.
    reaper_stop: Arc<(Mutex<bool>, Condvar)>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("config", &self.config)
            .field("settings", &self.settings)
            .field("status", &self.status())
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code holding these locks panics; should one, its data is still consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pool {
    /// A pool for `config`; starts the reaper thread if connections expire.
    pub(crate) fn new(
        config: ConnectionConfig,
        connector: Connector,
        settings: PoolSettings,
    ) -> Arc<Pool> {
        let pool = Arc::new(Pool {
            config,
            connector,
            settings,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
                waiters: 0,
            }),
            freed: Condvar::new(),
            reaper_stop: Arc::new((Mutex::new(false), Condvar::new())),
        });
        if let Some(every) = pool.settings.reap_interval() {
            let weak = Arc::downgrade(&pool);
            let stop = pool.reaper_stop.clone();
            // Without the thread, expired connections are still closed at the next borrow.
            let _ = thread::Builder::new()
                .name("ferrodis-pool-reaper".to_owned())
                .spawn(move || reaper(weak, stop, every));
        }
        pool
    }

    pub(crate) fn status(&self) -> PoolStatus {
        let state = lock(&self.state);
        PoolStatus::new(self.settings.max_size, state.open, state.idle.len())
    }

    /// Borrows a connection: an idle one that passes its checks, else a new one if there
    /// is room, else waits for one. `allow_idle: false` always opens a new one.
    pub(crate) fn get(self: &Arc<Self>, allow_idle: bool) -> Result<PooledConnection> {
        let started = Instant::now();
        let mut state = lock(&self.state);
        loop {
            let now = Instant::now();
            let mut expired = self.take_expired(&mut state, now);
            let candidate = if allow_idle { state.idle.pop() } else { None };
            if let Some(idle) = candidate {
                drop(state);
                expired.clear();
                match self.validate(idle, now) {
                    Some(conn) => return Ok(self.wrap(conn, true)),
                    None => {
                        state = lock(&self.state);
                        state.open -= 1;
                        continue;
                    }
                }
            }
            if state.open < self.settings.max_size {
                state.open += 1;
                drop(state);
                drop(expired);
                return match Connection::open_with(&self.config, &self.connector) {
                    Ok(conn) => Ok(self.wrap(conn, false)),
                    Err(e) => {
                        self.release_slot();
                        Err(e)
                    }
                };
            }
            if !allow_idle && !state.idle.is_empty() {
                // Make room for a new connection by closing an idle one.
                if let Some(idle) = state.idle.pop() {
                    state.open -= 1;
                    expired.push(idle.conn);
                    continue;
                }
            }
            let waited = started.elapsed();
            if waited >= self.settings.pool_timeout {
                return Err(Error::Pool {
                    size: self.settings.max_size,
                    waited,
                });
            }
            let left = self.settings.pool_timeout - waited;
            drop(expired);
            state.waiters += 1;
            state = self
                .freed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            state.waiters -= 1;
        }
    }

    fn wrap(self: &Arc<Self>, conn: Connection, reused: bool) -> PooledConnection {
        PooledConnection {
            conn: Some(conn),
            pool: self.clone(),
            reused,
        }
    }

    /// The idle connections past their idle timeout or lifetime, taken out of the pool
    /// (close them after unlocking).
    fn take_expired(&self, state: &mut State, now: Instant) -> Vec<Connection> {
        let mut expired = Vec::new();
        if !self.settings.expires() {
            return expired;
        }
        let mut i = 0;
        while i < state.idle.len() {
            if self.is_expired(&state.idle[i], now) {
                expired.push(state.idle.remove(i).conn);
            } else {
                i += 1;
            }
        }
        state.open -= expired.len();
        if !expired.is_empty() && state.waiters > 0 {
            self.freed.notify_all();
        }
        expired
    }

    fn is_expired(&self, idle: &Idle, now: Instant) -> bool {
        let idle_for = now.saturating_duration_since(idle.since);
        self.settings.is_expired(idle_for, idle.conn.age())
    }

    fn too_old(&self, conn: &Connection) -> bool {
        self.settings.is_too_old(conn.age())
    }

    /// The checks before an idle connection is handed out; `None`: it was closed.
    fn validate(&self, idle: Idle, now: Instant) -> Option<Connection> {
        let Idle { mut conn, since } = idle;
        conn.check_idle().ok()?;
        if self
            .settings
            .needs_health_check(now.saturating_duration_since(since))
        {
            conn.ping().ok()?;
        }
        Some(conn)
    }

    /// Takes a connection back, or closes it if it cannot serve another caller.
    fn put(&self, mut conn: Connection) {
        conn.reset_for_pool();
        if conn.is_reusable() && !self.too_old(&conn) {
            let mut state = lock(&self.state);
            state.idle.push(Idle {
                conn,
                since: Instant::now(),
            });
            let wake = state.waiters > 0;
            drop(state);
            if wake {
                self.freed.notify_one();
            }
        } else {
            drop(conn);
            self.release_slot();
        }
    }

    /// A counted connection was closed or detached: its slot is free.
    fn release_slot(&self) {
        let mut state = lock(&self.state);
        state.open -= 1;
        let wake = state.waiters > 0;
        drop(state);
        if wake {
            self.freed.notify_one();
        }
    }

    /// Closes the idle connections that expired.
    fn reap(&self) {
        let mut state = lock(&self.state);
        let expired = self.take_expired(&mut state, Instant::now());
        drop(state);
        drop(expired);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let (stopped, wake) = &*self.reaper_stop;
        *lock(stopped) = true;
        wake.notify_all();
    }
}

fn reaper(pool: Weak<Pool>, stop: Arc<(Mutex<bool>, Condvar)>, every: Duration) {
    let (stopped, wake) = &*stop;
    let mut guard = lock(stopped);
    loop {
        guard = wake
            .wait_timeout(guard, every)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        if *guard {
            return;
        }
        drop(guard);
        match pool.upgrade() {
            Some(pool) => pool.reap(),
            None => return,
        }
        guard = lock(stopped);
    }
}

/// A connection borrowed from a [`Client`](crate::Client)'s pool; derefs to
/// [`Connection`].
///
/// Dropping it returns the connection to the pool if it can serve another caller (see
/// [`Connection::is_reusable`]), and closes it otherwise.
/// [`detach`](PooledConnection::detach) takes it out of the pool for good.
pub struct PooledConnection {
    conn: Option<Connection>,
    pool: Arc<Pool>,
    /// Whether it came from the idle list (it may have gone stale unnoticed) rather than
    /// being opened for this borrow.
    pub(crate) reused: bool,
}

impl fmt::Debug for PooledConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledConnection")
            .field("conn", &self.conn)
            .field("reused", &self.reused)
            .finish()
    }
}

impl PooledConnection {
    /// Takes the connection out of the pool: its slot is freed, and it is yours to keep
    /// (or drop).
    pub fn detach(mut self) -> Connection {
        let conn = self.take();
        self.pool.release_slot();
        conn
    }

    fn take(&mut self) -> Connection {
        match self.conn.take() {
            Some(conn) => conn,
            // `conn` is only taken by `detach` and `drop`, which consume `self`.
            None => unreachable!("a PooledConnection used after it was detached"),
        }
    }
}

impl Deref for PooledConnection {
    type Target = Connection;

    #[inline]
    fn deref(&self) -> &Connection {
        match &self.conn {
            Some(conn) => conn,
            None => unreachable!("a PooledConnection used after it was detached"),
        }
    }
}

impl DerefMut for PooledConnection {
    #[inline]
    fn deref_mut(&mut self) -> &mut Connection {
        match &mut self.conn {
            Some(conn) => conn,
            None => unreachable!("a PooledConnection used after it was detached"),
        }
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put(conn);
        }
    }
}
