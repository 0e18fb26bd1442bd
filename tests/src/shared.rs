//! The server shared by all the tests of one test binary.

use std::sync::OnceLock;

use crate::server::RedisServer;

/// The standalone server shared by every test of this test binary, started on first use.
///
/// Tests run in parallel threads against it, so each test must use its own keys (prefix
/// them with the test's name) and must not run commands that change the whole server
/// (`FLUSHALL`, `CONFIG SET`, `DEBUG`, `SHUTDOWN`; `HELLO` is fine, it is per connection).
/// A test that needs to restart or reconfigure a server starts a private one with
/// [`RedisServer::builder`].
///
/// The server is never dropped; the watchdog stops it, and removes its directory, when
/// the test process exits.
///
/// # Panics
///
/// If the server cannot be started (no `redis-server` installed, say), with the reason:
/// a test that needs a server must fail, never pass without one.
pub fn shared_server() -> &'static RedisServer {
    static SHARED: OnceLock<RedisServer> = OnceLock::new();
    SHARED.get_or_init(|| match RedisServer::start() {
        Ok(server) => server,
        // Failing the test loudly is the point: there is no server to test against.
        #[allow(clippy::panic)]
        Err(e) => panic!("cannot start the shared redis-server: {e}"),
    })
}
