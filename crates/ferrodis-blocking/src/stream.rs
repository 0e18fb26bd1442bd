//! [`Stream`]: the byte stream under a connection, whichever the transport.
//!
//! A connection reads and writes through one enum rather than a `Box<dyn Read + Write>`,
//! so that each call is a direct match (no virtual call) and the transport-specific
//! operations (timeouts, the idle liveness probe, shutdown) are at hand.

use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, TcpStream};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// What a non-blocking look at an idle connection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Peek {
    /// Nothing to read: the connection looks alive.
    Nothing,
    /// Bytes are waiting (pushes, or something unexpected): read them.
    Data,
    /// The peer closed the connection.
    Closed,
}

/// A connected stream: TCP, a unix socket, or TLS over TCP.
#[derive(Debug)]
pub(crate) enum Stream {
    /// Plain TCP.
    Tcp(TcpStream),
    /// A unix domain socket.
    #[cfg(unix)]
    Unix(UnixStream),
    /// TLS over TCP (rustls).
    #[cfg(feature = "tls")]
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    /// Sets the timeout of each `read` (`None`: wait forever).
    pub(crate) fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let timeout = timeout.map(non_zero);
        match self {
            Stream::Tcp(s) => s.set_read_timeout(timeout),
            #[cfg(unix)]
            Stream::Unix(s) => s.set_read_timeout(timeout),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.sock.set_read_timeout(timeout),
        }
    }

    /// Sets the timeout of each `write` (`None`: wait forever).
    pub(crate) fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        let timeout = timeout.map(non_zero);
        match self {
            Stream::Tcp(s) => s.set_write_timeout(timeout),
            #[cfg(unix)]
            Stream::Unix(s) => s.set_write_timeout(timeout),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.sock.set_write_timeout(timeout),
        }
    }

    /// Switches non-blocking mode on or off.
    pub(crate) fn set_nonblocking(&self, yes: bool) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_nonblocking(yes),
            #[cfg(unix)]
            Stream::Unix(s) => s.set_nonblocking(yes),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.sock.set_nonblocking(yes),
        }
    }

    /// Looks, without blocking and without consuming anything, at whether the socket has
    /// bytes waiting or was closed by the peer. One `recv(MSG_PEEK | MSG_DONTWAIT)`.
    pub(crate) fn peek(&self) -> io::Result<Peek> {
        let mut byte = [MaybeUninit::<u8>::uninit(); 1];
        let result = match self {
            Stream::Tcp(s) => peek_socket(socket2::SockRef::from(s), &mut byte),
            #[cfg(unix)]
            Stream::Unix(s) => peek_socket(socket2::SockRef::from(s), &mut byte),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => peek_socket(socket2::SockRef::from(&s.sock), &mut byte),
        };
        match result {
            Ok(0) => Ok(Peek::Closed),
            Ok(_) => Ok(Peek::Data),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Peek::Nothing),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Peek::Nothing),
            Err(e) => Err(e),
        }
    }

    /// Shuts both directions down (best effort; the socket is closed on drop anyway).
    pub(crate) fn shutdown(&mut self) {
        match self {
            Stream::Tcp(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            #[cfg(unix)]
            Stream::Unix(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            #[cfg(feature = "tls")]
            Stream::Tls(s) => {
                s.conn.send_close_notify();
                let _ = s.conn.complete_io(&mut s.sock);
                let _ = s.sock.shutdown(Shutdown::Both);
            }
        }
    }

    /// The transport's name, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Stream::Tcp(_) => "tcp",
            #[cfg(unix)]
            Stream::Unix(_) => "unix",
            #[cfg(feature = "tls")]
            Stream::Tls(_) => "tls",
        }
    }
}

/// The standard library rejects a zero timeout; treat it as the shortest one.
fn non_zero(timeout: Duration) -> Duration {
    timeout.max(Duration::from_micros(1))
}

#[cfg(unix)]
fn peek_socket(sock: socket2::SockRef<'_>, buf: &mut [MaybeUninit<u8>]) -> io::Result<usize> {
    sock.recv_with_flags(buf, libc::MSG_PEEK | libc::MSG_DONTWAIT)
}

#[cfg(not(unix))]
fn peek_socket(sock: socket2::SockRef<'_>, buf: &mut [MaybeUninit<u8>]) -> io::Result<usize> {
    // No MSG_DONTWAIT: switch the socket to non-blocking mode around the peek.
    sock.set_nonblocking(true)?;
    let result = sock.peek(buf);
    sock.set_nonblocking(false)?;
    result
}

impl Read for Stream {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.read(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.write(buf),
        }
    }

    #[inline]
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            #[cfg(unix)]
            Stream::Unix(s) => s.flush(),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.flush(),
        }
    }
}
