//! What a connection pool is configured with, and its rules: [`PoolConfig`],
//! [`PoolStatus`].
//!
//! Why here, in the sans-IO crate: the blocking and the async client each keep a bounded
//! pool of their own connections (a thread-safe stack with a condition variable, or a
//! semaphore and a task), but what the settings mean must not depend on which one reads
//! them: the defaults, when an idle connection has expired, when it needs a `PING`
//! before it is handed out, how often expired connections are looked for. Those rules
//! are written here, once, and take durations the transport measured (this crate reads
//! no clock); the transports keep the waiting, the sockets and the threads or tasks.
//!
//! The transports re-export these types under their own names
//! (`ferrodis_blocking::PoolStatus`, `ferrodis_async::PoolStatus`), and their client
//! builders set the fields of a [`PoolConfig`].
//!
//! ```
//! use std::time::Duration;
//! use ferrodis_commands::pool::PoolConfig;
//!
//! let mut config = PoolConfig::default();
//! assert_eq!(config.max_size, 16);
//! config.max_lifetime = Some(Duration::from_secs(60));
//! // Idle for a minute, opened two minutes ago: past its lifetime.
//! assert!(config.is_expired(Duration::from_secs(60), Duration::from_secs(120)));
//! // The reaper looks every 30 s (half the shortest expiry, at most 30 s).
//! assert_eq!(config.reap_interval(), Some(Duration::from_secs(30)));
//! ```

use std::time::Duration;

/// The default maximum number of connections of a pool.
pub const DEFAULT_MAX_SIZE: usize = 16;
/// The default wait for a free connection.
pub const DEFAULT_POOL_TIMEOUT: Duration = Duration::from_secs(5);
/// The default idle timeout: connections idle for 5 minutes are closed.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// The shortest interval between two looks for expired idle connections.
const MIN_REAP_INTERVAL: Duration = Duration::from_millis(10);
/// The longest interval between two looks for expired idle connections.
const MAX_REAP_INTERVAL: Duration = Duration::from_secs(30);

/// A pool's settings. The client builders of the transports set them
/// (`max_size`, `pool_timeout`, ...); [`Default`] gives [`DEFAULT_MAX_SIZE`] connections,
/// a [`DEFAULT_POOL_TIMEOUT`] wait, a [`DEFAULT_IDLE_TIMEOUT`] idle timeout, no lifetime
/// limit and no health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    /// The most connections open at once, borrowed ones included.
    pub max_size: usize,
    /// How long a borrow waits for a free connection before it fails.
    pub pool_timeout: Duration,
    /// Idle connections are closed after this long unused (`None`: never).
    pub idle_timeout: Option<Duration>,
    /// Connections are closed once this old, when next idle (`None`: never).
    pub max_lifetime: Option<Duration>,
    /// An idle connection unused for this long is `PING`ed before it is handed out
    /// (`None`: never).
    pub health_check_interval: Option<Duration>,
}

impl Default for PoolConfig {
    fn default() -> PoolConfig {
        PoolConfig {
            max_size: DEFAULT_MAX_SIZE,
            pool_timeout: DEFAULT_POOL_TIMEOUT,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            max_lifetime: None,
            health_check_interval: None,
        }
    }
}

impl PoolConfig {
    /// Whether connections expire at all (an idle timeout or a lifetime is set): without
    /// either, no reaper is needed and nothing is ever expired.
    pub fn expires(&self) -> bool {
        self.idle_timeout.is_some() || self.max_lifetime.is_some()
    }

    /// How often a reaper should look for expired idle connections: half the shorter of
    /// the idle timeout and the lifetime, between 10 ms and 30 s. `None` when nothing
    /// expires.
    pub fn reap_interval(&self) -> Option<Duration> {
        let expiry = match (self.idle_timeout, self.max_lifetime) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        expiry.map(|t| (t / 2).clamp(MIN_REAP_INTERVAL, MAX_REAP_INTERVAL))
    }

    /// Whether an idle connection must be closed rather than handed out: idle for
    /// `idle_for` (at least the idle timeout), or opened `age` ago (at least the
    /// lifetime).
    pub fn is_expired(&self, idle_for: Duration, age: Duration) -> bool {
        let idle_too_long = self.idle_timeout.is_some_and(|t| idle_for >= t);
        idle_too_long || self.is_too_old(age)
    }

    /// Whether a connection opened `age` ago is past its lifetime (it is closed instead
    /// of going back to the pool).
    pub fn is_too_old(&self, age: Duration) -> bool {
        self.max_lifetime.is_some_and(|t| age >= t)
    }

    /// Whether a connection idle for `idle_for` must answer a `PING` before it is
    /// handed out.
    pub fn needs_health_check(&self, idle_for: Duration) -> bool {
        self.health_check_interval.is_some_and(|i| idle_for >= i)
    }
}

/// A snapshot of a pool's counters, from `Client::pool_status` (blocking or async).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStatus {
    /// The maximum number of connections.
    pub max_size: usize,
    /// Connections open now: idle, borrowed, or being opened.
    pub open: usize,
    /// Idle connections, ready to be borrowed.
    pub idle: usize,
}

impl PoolStatus {
    /// A snapshot (for the transports, which count).
    pub fn new(max_size: usize, open: usize, idle: usize) -> PoolStatus {
        PoolStatus {
            max_size,
            open,
            idle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn defaults() {
        let config = PoolConfig::default();
        assert_eq!(config.max_size, DEFAULT_MAX_SIZE);
        assert_eq!(config.pool_timeout, DEFAULT_POOL_TIMEOUT);
        assert_eq!(config.idle_timeout, Some(DEFAULT_IDLE_TIMEOUT));
        assert_eq!(config.max_lifetime, None);
        assert_eq!(config.health_check_interval, None);
        assert!(config.expires());
    }

    #[test]
    fn reap_interval_is_half_the_shortest_expiry_clamped() {
        let mut config = PoolConfig {
            idle_timeout: None,
            ..PoolConfig::default()
        };
        assert_eq!(config.reap_interval(), None);
        assert!(!config.expires());
        config.max_lifetime = Some(secs(10));
        assert_eq!(config.reap_interval(), Some(secs(5)));
        config.idle_timeout = Some(secs(4));
        assert_eq!(config.reap_interval(), Some(secs(2)));
        config.idle_timeout = Some(Duration::from_millis(4));
        assert_eq!(config.reap_interval(), Some(Duration::from_millis(10)));
        config.idle_timeout = Some(secs(3600));
        config.max_lifetime = None;
        assert_eq!(config.reap_interval(), Some(secs(30)));
    }

    #[test]
    fn expiry_and_health_checks() {
        let mut config = PoolConfig::default();
        assert!(!config.is_expired(secs(299), secs(10_000)));
        assert!(config.is_expired(secs(300), secs(0)));
        config.max_lifetime = Some(secs(60));
        assert!(config.is_too_old(secs(60)));
        assert!(!config.is_too_old(secs(59)));
        assert!(config.is_expired(secs(0), secs(60)));
        assert!(!config.needs_health_check(secs(1_000)));
        config.health_check_interval = Some(secs(5));
        assert!(config.needs_health_check(secs(5)));
        assert!(!config.needs_health_check(secs(4)));
    }

    #[test]
    fn status() {
        let status = PoolStatus::new(4, 3, 1);
        assert_eq!((status.max_size, status.open, status.idle), (4, 3, 1));
    }
}
