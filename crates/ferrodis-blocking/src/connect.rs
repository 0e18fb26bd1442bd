//! Opening the socket: name resolution, the connect timeout, socket options, TLS.
//!
//! Every resolved address of a host is tried in turn (a name such as `localhost` often
//! resolves to `::1` first while the server listens on `127.0.0.1` only), within one
//! overall `connect_timeout`. TCP sockets get `TCP_NODELAY` (a request is one write and
//! must leave at once) and TCP keepalive (so that a peer that vanished without closing
//! is eventually noticed by the kernel even on an idle pooled connection), both through
//! `socket2`.
//!
//! A [`Connector`] holds what is worth building once per client rather than once per
//! connection: the rustls client config (loading the system's roots or a CA file and
//! parsing PEM is far more expensive than a TCP connect).

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use ferrodis_commands::{Addr, ConnectionConfig, Error, Result, TimeoutKind};
use socket2::{Domain, Protocol as SockProtocol, SockAddr, Socket, TcpKeepalive, Type};

use crate::stream::Stream;

/// The idle time after which TCP keepalive probes start.
pub(crate) const KEEPALIVE_TIME: Duration = Duration::from_secs(60);

/// The interval between TCP keepalive probes.
#[cfg(any(target_os = "linux", target_os = "macos"))]
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);

/// What a client builds once and reuses for every connection it opens.
#[derive(Clone, Default)]
pub(crate) struct Connector {
    #[cfg(feature = "tls")]
    tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("Connector");
        #[cfg(feature = "tls")]
        s.field("tls", &self.tls.is_some());
        s.finish()
    }
}

impl Connector {
    /// Checks the config (the checks every transport makes, in
    /// [`ConnectionConfig::check_transport`]), and prepares TLS if it asks for it.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] when the TLS files cannot be read or parsed, or when TLS is asked
    /// for and the `tls` feature is off; [`Error::Config`] for TLS over a unix socket, or
    /// a unix socket on a platform without them.
    pub(crate) fn new(config: &ConnectionConfig) -> Result<Connector> {
        config.check_transport(cfg!(feature = "tls"), env!("CARGO_PKG_NAME"))?;
        #[cfg(feature = "tls")]
        if let Some(tls) = &config.tls {
            return Ok(Connector {
                tls: Some(crate::tls::client_config(tls)?),
            });
        }
        Ok(Connector::default())
    }

    /// Opens the transport (no handshake yet) before `deadline`.
    pub(crate) fn connect(
        &self,
        config: &ConnectionConfig,
        deadline: Option<Instant>,
    ) -> Result<Stream> {
        match &config.addr {
            Addr::Tcp { host, port } => {
                let tcp = connect_tcp(host, *port, config.connect_timeout, deadline)?;
                #[cfg(feature = "tls")]
                if let (Some(tls_config), Some(tls)) = (&self.tls, &config.tls) {
                    let name = tls.server_name.as_deref().unwrap_or(host);
                    return crate::tls::handshake(tls_config, name, tcp, config, deadline);
                }
                Ok(Stream::Tcp(tcp))
            }
            #[cfg(unix)]
            Addr::Unix(path) => {
                let stream = std::os::unix::net::UnixStream::connect(path).map_err(|e| {
                    let hint = match e.kind() {
                        io::ErrorKind::NotFound => " (no such socket: is redis-server running with `unixsocket` set to this path?)",
                        io::ErrorKind::PermissionDenied => " (permission denied: check `unixsocketperm` and the directory's permissions)",
                        _ => "",
                    };
                    io::Error::new(
                        e.kind(),
                        format!("cannot connect to unix socket {}: {e}{hint}", path.display()),
                    )
                })?;
                Ok(Stream::Unix(stream))
            }
            #[cfg(not(unix))]
            Addr::Unix(_) => Err(Error::Config {
                part: "addr",
                reason: "unix sockets are not available on this platform".to_owned(),
            }),
        }
    }
}

/// The time left before `deadline`, or a connect timeout error if it passed.
pub(crate) fn remaining(
    deadline: Option<Instant>,
    timeout: Option<Duration>,
) -> Result<Option<Duration>> {
    match deadline {
        None => Ok(None),
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                Err(connect_timeout_error(timeout))
            } else {
                Ok(Some(left))
            }
        }
    }
}

pub(crate) fn connect_timeout_error(timeout: Option<Duration>) -> Error {
    Error::Timeout {
        kind: TimeoutKind::Connect,
        after: timeout.unwrap_or_default(),
    }
}

/// Resolves `host:port` and connects to each address in turn until one accepts.
fn connect_tcp(
    host: &str,
    port: u16,
    timeout: Option<Duration>,
    deadline: Option<Instant>,
) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot resolve {host}:{port}: {e} (check the host name)"),
            )
        })?
        .collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host}:{port} resolved to no address (check the host name)"),
        )
        .into());
    }
    let mut last_error = None;
    for addr in &addrs {
        let left = remaining(deadline, timeout)?;
        match connect_one(addr, left) {
            Ok(stream) => return Ok(stream),
            Err(e)
                if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock =>
            {
                last_error = Some(connect_timeout_error(timeout));
            }
            Err(e) => {
                last_error =
                    Some(io::Error::new(e.kind(), format!("cannot connect to {addr}: {e}")).into());
            }
        }
    }
    Err(last_error.unwrap_or_else(|| connect_timeout_error(timeout)))
}

fn connect_one(addr: &SocketAddr, timeout: Option<Duration>) -> io::Result<TcpStream> {
    let socket = Socket::new(
        Domain::for_address(*addr),
        Type::STREAM,
        Some(SockProtocol::TCP),
    )?;
    let target = SockAddr::from(*addr);
    match timeout {
        Some(timeout) => socket.connect_timeout(&target, timeout)?,
        None => socket.connect(&target)?,
    }
    socket.set_tcp_nodelay(true)?;
    let keepalive = TcpKeepalive::new().with_time(KEEPALIVE_TIME);
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    let keepalive = keepalive.with_interval(KEEPALIVE_INTERVAL);
    socket.set_tcp_keepalive(&keepalive)?;
    Ok(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The socket options, checked on a plain local listener (no Redis protocol here).
    #[test]
    fn tcp_sockets_get_nodelay_and_keepalive() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stream = connect_tcp(
            "127.0.0.1",
            port,
            Some(Duration::from_secs(5)),
            Some(Instant::now() + Duration::from_secs(5)),
        )
        .unwrap();
        assert!(stream.nodelay().unwrap());
        let sock = socket2::SockRef::from(&stream);
        assert!(sock.keepalive().unwrap());
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        assert_eq!(sock.tcp_keepalive_time().unwrap(), KEEPALIVE_TIME);
    }

    #[test]
    fn an_expired_deadline_is_a_connect_timeout() {
        let past = Instant::now();
        std::thread::sleep(Duration::from_millis(2));
        let err = remaining(Some(past), Some(Duration::from_millis(1))).unwrap_err();
        assert!(matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Connect,
                ..
            }
        ));
    }
}
