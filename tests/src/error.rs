//! [`ServerError`]: why a test server could not be found, started or reached.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// The advice printed when no `redis-server` binary can be found.
pub const INSTALL_HINT: &str =
    "redis-server not found: install it with `sudo apt-get install redis-server` \
(Debian/Ubuntu), or run `cargo xtask test`, which installs it when run as root; \
or set FERRODIS_REDIS_SERVER to its path";

/// Why a test `redis-server` could not be found, started or reached.
///
/// Every variant that involves a started server carries the tail of its log, so a failing
/// test says why the server failed without anyone having to find its (already removed)
/// directory.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerError {
    /// No `redis-server` binary was found; the message says how to install one.
    NotInstalled {
        /// The paths that were tried, in order.
        searched: Vec<PathBuf>,
    },
    /// The watchdog shell that runs `redis-server` could not be spawned.
    Spawn {
        /// The binary that was to be run.
        binary: PathBuf,
        /// The error from the operating system.
        source: io::Error,
    },
    /// `redis-server` exited before it answered `PING`.
    Exited {
        /// The port it was asked to listen on.
        port: u16,
        /// Its exit code, if it exited normally.
        code: Option<i32>,
        /// The last lines of its log (and of anything it printed).
        log_tail: String,
    },
    /// Every attempt to start `redis-server` lost its port to another process.
    PortsExhausted {
        /// How many ports were tried.
        attempts: usize,
        /// The last lines of the last attempt's log.
        log_tail: String,
    },
    /// `redis-server` kept running but did not answer `PING` in time.
    NotReady {
        /// The port it was asked to listen on.
        port: u16,
        /// How long we waited.
        waited: Duration,
        /// The last lines of its log.
        log_tail: String,
    },
    /// Another I/O operation failed (creating the server directory, finding a free port, ...).
    Io {
        /// What was being done.
        context: String,
        /// The error from the operating system.
        source: io::Error,
    },
}

impl ServerError {
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotInstalled { searched } => {
                f.write_str(INSTALL_HINT)?;
                if !searched.is_empty() {
                    f.write_str(" (looked for: ")?;
                    for (i, path) in searched.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{}", path.display())?;
                    }
                    f.write_str(")")?;
                }
                Ok(())
            }
            Self::Spawn { binary, source } => {
                write!(f, "could not start {}: {source}", binary.display())
            }
            Self::Exited {
                port,
                code,
                log_tail,
            } => {
                match code {
                    Some(code) => write!(
                        f,
                        "redis-server (port {port}) exited with code {code} before it answered PING"
                    )?,
                    None => write!(
                        f,
                        "redis-server (port {port}) was killed by a signal before it answered PING"
                    )?,
                }
                write_log_tail(f, log_tail)
            }
            Self::PortsExhausted { attempts, log_tail } => {
                write!(
                    f,
                    "redis-server could not bind a free port in {attempts} attempts (each port \
                     was taken by another process before redis-server could bind it)"
                )?;
                write_log_tail(f, log_tail)
            }
            Self::NotReady {
                port,
                waited,
                log_tail,
            } => {
                write!(
                    f,
                    "redis-server (port {port}) did not answer PING within {waited:?}"
                )?;
                write_log_tail(f, log_tail)
            }
            Self::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

fn write_log_tail(f: &mut fmt::Formatter<'_>, log_tail: &str) -> fmt::Result {
    if log_tail.trim().is_empty() {
        f.write_str("; its log is empty")
    } else {
        write!(f, "; the end of its log:\n{log_tail}")
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Spawn { source, .. } | Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
