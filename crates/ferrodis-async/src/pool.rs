//! The bounded pool of exclusive connections behind [`Client`](crate::Client).
//!
//! Most commands of an async client go over its one multiplexed connection; the pool
//! serves what cannot share a connection: blocking commands (`BLPOP`, `XREAD BLOCK`, ...),
//! commands that change connection state, `WATCH` transactions
//! ([`Pipeline::watch`](crate::pipeline::Pipeline::watch)), and
//! [`Client::get_connection`](crate::Client::get_connection).
//!
//! The pool holds at most `max_size` connections, borrowed ones included. A borrow takes
//! the most recently returned idle connection, opens a new one if the pool is below its
//! size, or waits up to `pool_timeout` for one to come back, then fails with
//! [`Error::Pool`] naming the size and the wait.
//!
//! ## Waiting without leaking
//!
//! A borrow first takes one of `max_size` permits of an [`async_lock::Semaphore`], then an
//! idle connection or a new one. The permit travels with the [`PooledConnection`] and is
//! given back when it is dropped, after its connection went back to the idle list, so the
//! next waiter finds it there. Waiting is bounded by `pool_timeout`, and a borrow whose
//! future is dropped (a `select!`, a timeout around it, a cancelled task) gives back its
//! permit and closes the connection it was checking or opening: no slot is ever lost.
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
//!   server restart, the server's `timeout`, `CLIENT KILL`); no waiting.
//! - If it was idle longer than `health_check_interval`, a `PING` is sent and the `PONG`
//!   awaited.
//!
//! A connection failing any check is closed and the borrow carries on (with another idle
//! connection or a new one), so the caller never sees these failures.
//!
//! ## Idle connections are closed
//!
//! When `idle_timeout` or `max_lifetime` is set, a small task (one per pool, spawned on
//! the client's runtime at the first borrow) closes idle connections as they expire, so
//! an idle client does not hold server connections forever. It holds no strong reference
//! to the pool and ends when the last [`Client`](crate::Client) clone is dropped.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use async_lock::{Semaphore, SemaphoreGuardArc};
use ferrodis_commands::{ConnectionConfig, Error, Result};

use crate::connect::Connector;
use crate::connection::Connection;
use crate::runtime::{self, RuntimeRef};

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
    /// Connections out of the idle list: borrowed, being checked, or being opened.
    active: usize,
}

/// The pool shared by a client's clones.
pub(crate) struct Pool {
    pub(crate) config: ConnectionConfig,
    pub(crate) runtime: RuntimeRef,
    pub(crate) connector: Connector,
    pub(crate) settings: PoolSettings,
    state: Mutex<State>,
    /// `max_size` permits: one per borrow (see the module docs).
    permits: Arc<Semaphore>,
    /// Whether the reaper task was started (at the first borrow, inside the runtime).
    reaper_started: AtomicBool,
    /// Gets a permit when the pool is dropped: tells the reaper task to end at once.
    reaper_stop: Arc<Semaphore>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("config", &self.config)
            .field("runtime", &self.runtime.name())
            .field("settings", &self.settings)
            .field("status", &self.status())
            .finish()
    }
}

fn lock(mutex: &Mutex<State>) -> MutexGuard<'_, State> {
    // No code holding this lock panics; should one, its data is still consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Pool {
    /// A pool for `config`. Opens nothing and spawns nothing: connections are opened by
    /// borrows, and the reaper task is started by the first one.
    pub(crate) fn new(
        config: ConnectionConfig,
        runtime: RuntimeRef,
        connector: Connector,
        settings: PoolSettings,
    ) -> Arc<Pool> {
        Arc::new(Pool {
            config,
            runtime,
            connector,
            permits: Arc::new(Semaphore::new(settings.max_size)),
            settings,
            state: Mutex::new(State {
                idle: Vec::new(),
                active: 0,
            }),
            reaper_started: AtomicBool::new(false),
            reaper_stop: Arc::new(Semaphore::new(0)),
        })
    }

    pub(crate) fn status(&self) -> PoolStatus {
        let state = lock(&self.state);
        PoolStatus::new(
            self.settings.max_size,
            state.idle.len() + state.active,
            state.idle.len(),
        )
    }

    /// Borrows a connection: an idle one that passes its checks, else a new one, waiting
    /// up to `pool_timeout` while `max_size` are borrowed.
    ///
    /// # Errors
    ///
    /// [`Error::Pool`] when none became free in time; the errors of opening a connection.
    pub(crate) async fn get(self: &Arc<Self>) -> Result<PooledConnection> {
        self.get_with(true).await
    }

    /// Borrows a newly opened connection, never an idle one (closing an idle one to make
    /// room if the pool is full): for sending again what failed on a reused connection
    /// that the server had closed unseen, since the other idle ones may be just as stale
    /// (after a server restart, say).
    ///
    /// # Errors
    ///
    /// As [`get`](Pool::get).
    pub(crate) async fn get_new(self: &Arc<Self>) -> Result<PooledConnection> {
        self.get_with(false).await
    }

    async fn get_with(self: &Arc<Self>, allow_idle: bool) -> Result<PooledConnection> {
        self.start_reaper();
        let started = Instant::now();
        let permit = match self.permits.try_acquire_arc() {
            Some(permit) => permit,
            None => {
                let wait = self.permits.acquire_arc();
                let at = started + self.settings.pool_timeout;
                match runtime::deadline(&*self.runtime, at, wait).await {
                    Some(permit) => permit,
                    None => {
                        return Err(Error::Pool {
                            size: self.settings.max_size,
                            waited: started.elapsed(),
                        })
                    }
                }
            }
        };
        loop {
            let now = Instant::now();
            let (candidate, expired) = {
                let mut state = lock(&self.state);
                let mut expired = self.take_expired(&mut state, now);
                let candidate = if allow_idle {
                    state.idle.pop()
                } else {
                    // Holding a permit, this borrow may own one connection: if the pool
                    // is full, an idle one makes room (the others are borrowed).
                    if state.idle.len() + state.active >= self.settings.max_size {
                        if let Some(idle) = state.idle.pop() {
                            expired.push(idle.conn);
                        }
                    }
                    None
                };
                // Counted as active from here: if this future is dropped while the
                // connection is checked or opened, the token's drop uncounts it.
                state.active += 1;
                (candidate, expired)
            };
            drop(expired);
            let token = Token {
                pool: self.clone(),
                armed: true,
            };
            match candidate {
                Some(idle) => {
                    if let Some(conn) = self.validate(idle, now).await {
                        return Ok(PooledConnection::new(conn, token, permit, true));
                    }
                    // Closed; the token's drop uncounts it. Try the next one.
                    drop(token);
                }
                None => {
                    let conn = Connection::open_with_connector(
                        &self.config,
                        &self.runtime,
                        &self.connector,
                    )
                    .await?;
                    return Ok(PooledConnection::new(conn, token, permit, false));
                }
            }
        }
    }

    /// Spawns the reaper task if connections expire and it is not running yet.
    fn start_reaper(self: &Arc<Self>) {
        let Some(every) = self.reap_interval() else {
            return;
        };
        if self.reaper_started.swap(true, Ordering::Relaxed) {
            return;
        }
        let pool = Arc::downgrade(self);
        let stop = self.reaper_stop.clone();
        let rt = self.runtime.clone();
        self.runtime
            .spawn(Box::pin(async move { reaper(pool, rt, stop, every).await }));
    }

    /// How often the reaper looks for expired connections; `None` when none expire.
    fn reap_interval(&self) -> Option<Duration> {
        self.settings.reap_interval()
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
    async fn validate(&self, idle: Idle, now: Instant) -> Option<Connection> {
        let Idle { mut conn, since } = idle;
        if !conn.peek_alive() {
            return None;
        }
        if self
            .settings
            .needs_health_check(now.saturating_duration_since(since))
        {
            conn.ping().await.ok()?;
        }
        Some(conn)
    }

    /// Takes a connection back (uncounting it as active), or closes it if it cannot serve
    /// another caller.
    fn put(&self, mut conn: Connection) {
        let configured = conn.config().response_timeout;
        if conn.response_timeout() != configured {
            conn.set_response_timeout(configured);
        }
        let mut state = lock(&self.state);
        state.active -= 1;
        if conn.is_reusable() && !self.too_old(&conn) {
            state.idle.push(Idle {
                conn,
                since: Instant::now(),
            });
        } else {
            drop(state);
            drop(conn);
        }
    }

    /// An active connection was closed or detached.
    fn uncount(&self) {
        lock(&self.state).active -= 1;
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
        self.reaper_stop.add_permits(1);
    }
}

/// The reaper task: closes expired idle connections every `every`, until the pool is
/// gone.
async fn reaper(pool: Weak<Pool>, rt: RuntimeRef, stop: Arc<Semaphore>, every: Duration) {
    loop {
        if runtime::timeout(&*rt, Some(every), stop.acquire())
            .await
            .is_some()
        {
            return;
        }
        match pool.upgrade() {
            Some(pool) => pool.reap(),
            None => return,
        }
    }
}

/// Counts one connection as active (out of the idle list) until dropped or disarmed.
struct Token {
    pool: Arc<Pool>,
    armed: bool,
}

impl Drop for Token {
    fn drop(&mut self) {
        if self.armed {
            self.pool.uncount();
        }
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
    token: Token,
    /// Given back (dropped) after the connection, so that a waiter finds it idle.
    permit: Option<SemaphoreGuardArc>,
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
    fn new(
        conn: Connection,
        token: Token,
        permit: SemaphoreGuardArc,
        reused: bool,
    ) -> PooledConnection {
        PooledConnection {
            conn: Some(conn),
            token,
            permit: Some(permit),
            reused,
        }
    }

    /// Takes the connection out of the pool: its slot is freed, and it is yours to keep
    /// (or drop).
    pub fn detach(mut self) -> Connection {
        let conn = self.take();
        // The token's and the permit's drops (with `self`) free the slot.
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
            self.token.armed = false;
            self.token.pool.put(conn);
        }
        // Then the permit, so that a waiter woken by it finds the connection idle.
        drop(self.permit.take());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use ferrodis_commands::{Cmd, IntoConnectionConfig};

    fn pool(max_size: usize) -> Arc<Pool> {
        let config = ferrodis_tests::shared_server()
            .url()
            .into_connection_config()
            .unwrap();
        let connector = Connector::new(&config).unwrap();
        let settings = PoolSettings {
            max_size,
            pool_timeout: Duration::from_millis(200),
            ..PoolSettings::default()
        };
        Pool::new(config, runtime::detect().unwrap(), connector, settings)
    }

    async fn id(conn: &mut PooledConnection) -> i64 {
        conn.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap()
    }

    /// `get_new` never hands out an idle connection, and makes room by closing one when
    /// the pool is full.
    async fn get_new_opens_a_new_connection() {
        let pool = pool(2);
        let (mut a, mut b) = (pool.get().await.unwrap(), pool.get().await.unwrap());
        let ids = [id(&mut a).await, id(&mut b).await];
        drop((a, b));
        assert_eq!(pool.status().idle, 2);
        let mut fresh = pool.get_new().await.unwrap();
        assert!(!fresh.reused);
        assert!(!ids.contains(&id(&mut fresh).await));
        let status = pool.status();
        assert_eq!((status.open, status.idle), (2, 1), "{status:?}");
        // The idle one left is one of the old ones, borrowed as reused.
        let mut old = pool.get().await.unwrap();
        assert!(old.reused);
        assert!(ids.contains(&id(&mut old).await));
        // Full, nothing idle: get_new waits like get, then fails.
        assert!(matches!(
            pool.get_new().await,
            Err(Error::Pool { size: 2, .. })
        ));
        drop((fresh, old));
        assert_eq!(pool.status().open, 2);
    }

    #[test]
    fn get_new_on_tokio() {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(get_new_opens_a_new_connection());
    }

    #[test]
    fn get_new_on_async_std() {
        async_std::task::block_on(get_new_opens_a_new_connection());
    }
}
