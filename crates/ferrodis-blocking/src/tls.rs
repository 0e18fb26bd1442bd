//! TLS through rustls (the `tls` feature): the handshake over a TCP stream.
//!
//! The rustls client config built from a [`TlsConfig`](ferrodis_commands::TlsConfig)
//! (roots, client certificates, the `dangerous_accept_invalid_certs` verifier, and what
//! each of them means) is [`ferrodis_commands::tls`]'s, shared with the async client;
//! this module runs the handshake on a blocking socket, within the connect timeout.

use std::io;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

use ferrodis_commands::tls::{self as shared, Roots};
use ferrodis_commands::{ConnectionConfig, Error, Result, TlsConfig};
use rustls::{ClientConfig, ClientConnection};

use crate::connect::{connect_timeout_error, remaining};
use crate::stream::Stream;

/// Builds the rustls client config for `tls` (see [`ferrodis_commands::tls::client_config`]).
pub(crate) fn client_config(tls: &TlsConfig) -> Result<Arc<ClientConfig>> {
    shared::client_config(tls)
}

/// Runs the TLS handshake over `tcp`, before `deadline`.
pub(crate) fn handshake(
    tls_config: &Arc<ClientConfig>,
    name: &str,
    mut tcp: TcpStream,
    config: &ConnectionConfig,
    deadline: Option<Instant>,
) -> Result<Stream> {
    let server_name = shared::server_name(name)?;
    let mut conn = ClientConnection::new(tls_config.clone(), server_name)
        .map_err(|e| shared::session_failed(&e))?;
    while conn.is_handshaking() {
        let left = remaining(deadline, config.connect_timeout)?;
        tcp.set_read_timeout(left)?;
        tcp.set_write_timeout(left)?;
        if let Err(e) = conn.complete_io(&mut tcp) {
            return Err(handshake_error(e, name, config));
        }
    }
    Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
}

fn handshake_error(e: io::Error, name: &str, config: &ConnectionConfig) -> Error {
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        let roots = config.tls.as_ref().map_or(Roots::Unknown, Roots::of);
        return shared::handshake_failed(inner, name, roots);
    }
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            connect_timeout_error(config.connect_timeout)
        }
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => {
            shared::closed_during_handshake(name, &e)
        }
        _ => Error::from(e),
    }
}
