//! Free loopback ports.

use std::io;
use std::net::{Ipv4Addr, TcpListener};

/// The port a developer's own Redis most likely listens on: never handed out.
pub const DEFAULT_REDIS_PORT: u16 = 6379;

/// Returns a TCP port that is free on `127.0.0.1` right now.
///
/// The port is found by binding `127.0.0.1:0` and releasing it, so another process may
/// take it before `redis-server` binds it: [`RedisServer`](crate::RedisServer) notices
/// ("Address already in use") and retries with another port. Port 6379 is never returned.
///
/// # Errors
///
/// The error of `bind` if the kernel hands out no port (or only 6379, repeatedly).
pub fn free_port() -> io::Result<u16> {
    for _ in 0..16 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        drop(listener);
        if port != DEFAULT_REDIS_PORT && port != 0 {
            return Ok(port);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrNotAvailable,
        "the kernel kept offering port 6379, which the tests never use",
    ))
}
