//! Opening the transport: name resolution, the connect timeout, TCP/unix, TLS.
//!
//! Every resolved address of a host is tried in turn (`localhost` often resolves to `::1`
//! first while the server listens on `127.0.0.1` only), within one overall
//! `connect_timeout`. Socket options (`TCP_NODELAY`, keepalive) are set by the runtime
//! shim ([`tune_tcp`](crate::runtime::tune_tcp)).
//!
//! Host names are resolved on a short-lived thread (`std`'s resolver blocks and no
//! runtime-neutral async resolver exists); IP addresses, the common case, skip it.
//!
//! A [`Connector`] holds what is built once per client rather than once per connection:
//! the rustls client config (loading roots and parsing PEM files costs far more than a
//! TCP connect).

use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use ferrodis_commands::{Addr, ConnectionConfig, Error, Result, TimeoutKind};

use crate::runtime::{BoxedIo, RuntimeRef};
use crate::slot::Slot;

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
    pub(crate) async fn connect(
        &self,
        config: &ConnectionConfig,
        runtime: &RuntimeRef,
        deadline: Option<Instant>,
    ) -> Result<BoxedIo> {
        let timeout = config.connect_timeout;
        match &config.addr {
            Addr::Tcp { host, port } => {
                let addrs = resolve(host, *port).await?;
                let mut last_error = None;
                let mut io = None;
                for addr in addrs {
                    let attempt = runtime.connect_tcp(addr);
                    match within(runtime, deadline, attempt).await {
                        None => return Err(connect_timeout_error(timeout)),
                        Some(Ok(stream)) => {
                            io = Some(stream);
                            break;
                        }
                        Some(Err(e)) => {
                            last_error = Some(io::Error::new(
                                e.kind(),
                                format!("cannot connect to {addr}: {e} (is redis-server running and listening there?)"),
                            ));
                        }
                    }
                }
                let Some(io) = io else {
                    return Err(last_error
                        .map(Error::from)
                        .unwrap_or_else(|| connect_timeout_error(timeout)));
                };
                #[cfg(feature = "tls")]
                if let (Some(tls_config), Some(tls)) = (&self.tls, &config.tls) {
                    let name = tls.server_name.as_deref().unwrap_or(host);
                    let handshake = crate::tls::handshake(io, tls_config.clone(), name);
                    return match within(runtime, deadline, handshake).await {
                        None => Err(connect_timeout_error(timeout)),
                        Some(result) => result,
                    };
                }
                Ok(io)
            }
            #[cfg(unix)]
            Addr::Unix(path) => {
                let attempt = runtime.connect_unix(path.clone());
                match within(runtime, deadline, attempt).await {
                    None => Err(connect_timeout_error(timeout)),
                    Some(Ok(io)) => Ok(io),
                    Some(Err(e)) => {
                        let hint = match e.kind() {
                            io::ErrorKind::NotFound => " (no such socket: is redis-server running with `unixsocket` set to this path?)",
                            io::ErrorKind::PermissionDenied => " (permission denied: check `unixsocketperm` and the directory's permissions)",
                            _ => "",
                        };
                        Err(io::Error::new(
                            e.kind(),
                            format!(
                                "cannot connect to unix socket {}: {e}{hint}",
                                path.display()
                            ),
                        )
                        .into())
                    }
                }
            }
            #[cfg(not(unix))]
            Addr::Unix(_) => Err(Error::Config {
                part: "addr",
                reason: "unix sockets are not available on this platform".to_owned(),
            }),
        }
    }
}

/// Runs `future` until `deadline` (if any); `None` when the deadline passed first.
pub(crate) async fn within<F: std::future::Future>(
    runtime: &RuntimeRef,
    deadline: Option<Instant>,
    future: F,
) -> Option<F::Output> {
    match deadline {
        None => Some(future.await),
        Some(at) => crate::runtime::deadline(&**runtime, at, future).await,
    }
}

/// The error of a connect (TCP, TLS, handshake) that took longer than `timeout`.
pub(crate) fn connect_timeout_error(timeout: Option<Duration>) -> Error {
    Error::Timeout {
        kind: TimeoutKind::Connect,
        after: timeout.unwrap_or_default(),
    }
}

/// The addresses of `host:port`: at once for an IP address, otherwise from the system's
/// resolver on a helper thread.
async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (slot, answer) = Slot::new();
    let name = host.to_owned();
    std::thread::Builder::new()
        .name("ferrodis-resolve".to_owned())
        .spawn(move || {
            let result = (name.as_str(), port)
                .to_socket_addrs()
                .map(|addrs| addrs.collect::<Vec<_>>());
            if let Some(waker) = slot.complete(result) {
                waker.wake();
            }
        })?;
    let addrs = match answer.await {
        Some(Ok(addrs)) => addrs,
        Some(Err(e)) => {
            return Err(io::Error::new(
                e.kind(),
                format!("cannot resolve {host}:{port}: {e} (check the host name)"),
            )
            .into())
        }
        None => Vec::new(),
    };
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host}:{port} resolved to no address (check the host name)"),
        )
        .into());
    }
    Ok(addrs)
}
