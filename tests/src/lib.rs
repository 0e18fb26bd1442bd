//! # ferrodis-tests
//!
//! The integration tests of ferrodis (in `tests/`), and the support code they share: it
//! starts real `redis-server` processes, so that the tests talk to Redis itself, never to
//! a mock.
//!
//! ## Overview
//!
//! | item | what it does |
//! |---|---|
//! | [`shared_server`] | one standalone server per test binary, started on first use; tests using it must use distinct keys |
//! | [`RedisServer::builder`] | a private server, for tests that restart or reconfigure it |
//! | [`RedisServer`] | its port, address, URL, directory, log; `stop`, `restart` |
//! | [`redis_server_binary`] | finds `redis-server` (`$FERRODIS_REDIS_SERVER`, `PATH`, `/usr/bin`, ...) |
//! | [`raw_command`], [`read_value`] | a raw RESP client built on `ferrodis::resp` alone |
//! | [`cleanup_stale_servers`] | removes what crashed test runs left behind (done automatically) |
//!
//! Every server listens on a free port of `127.0.0.1` (never 6379) and lives in its own
//! directory under [`servers_root`] (`$TMPDIR/ferrodis-test-servers/<pid>-<n>`), with
//! persistence off. It is always stopped: when its [`RedisServer`] is dropped; by the
//! watchdog shell that runs it, when the test process exits, crashes or is killed; and a
//! server left behind anyway (its watchdog was killed too) is killed, and its directory
//! removed, when the next test process starts its first server.
//!
//! This crate needs Linux (it reads `/proc`) and a `redis-server` (Redis 7.0 or later);
//! without one, starting a server fails with a message that says how to install it.
//!
//! ## Example
//!
//! ```no_run
//! use bytes::BytesMut;
//! use ferrodis::resp::{Decoder, Value};
//! use ferrodis_tests::{raw_command, read_value, shared_server, RedisServer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The shared server: use keys no other test uses.
//! let server = shared_server();
//! let mut stream = server.connect()?;
//! let (mut decoder, mut buf) = (Decoder::new(), BytesMut::new());
//! raw_command(&mut stream, &[b"SET", b"example:key", b"value"])?;
//! assert_eq!(
//!     read_value(&mut stream, &mut decoder, &mut buf)?,
//!     Value::SimpleString("OK".into())
//! );
//!
//! // A private server, to restart at will.
//! let mut private = RedisServer::builder()
//!     .arg("--maxmemory", "10mb")
//!     .enable_debug_command()
//!     .start()?;
//! private.restart()?;
//! assert!(private.is_running());
//! # Ok(())
//! # }
//! ```

mod binary;
mod cleanup;
mod error;
mod ports;
mod procfs;
mod raw;
mod server;
mod shared;
mod watchdog;

pub use binary::{redis_server_binary, BINARY_ENV};
pub use cleanup::{cleanup_stale_servers, servers_root, OWNER_FILE, PID_FILE};
pub use error::{ServerError, INSTALL_HINT};
pub use ports::{free_port, DEFAULT_REDIS_PORT};
pub use raw::{raw_command, raw_roundtrip, read_value};
pub use server::{RedisServer, ServerBuilder, HOST, LOG_FILE, SOCKET_FILE};
pub use shared::shared_server;
