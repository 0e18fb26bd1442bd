//! TLS through rustls (the `tls` feature): the client config built from a
//! [`TlsConfig`](ferrodis_commands::TlsConfig), and the handshake over a TCP stream.
//!
//! - **Roots**: the PEM file of [`ca_file`](ferrodis_commands::TlsConfig::ca_file) when
//!   given, otherwise the operating system's roots (`rustls-native-certs`).
//! - **Client authentication**: [`client_cert`](ferrodis_commands::TlsConfig::client_cert)
//!   (a PEM chain) with its PEM key, for servers started with `tls-auth-clients yes`.
//! - **Server name**: the host connected to, or
//!   [`server_name`](ferrodis_commands::TlsConfig::server_name); sent as SNI (rustls sends
//!   none for an IP address) and checked against the certificate. Hostname verification
//!   is always on, except with `dangerous_accept_invalid_certs`.
//! - **`dangerous_accept_invalid_certs`**: installs a verifier that accepts **any**
//!   certificate for **any** name (it still checks that the server holds the key of the
//!   certificate it sent, which proves nothing about who it is). Anyone on the network
//!   path can then read and change the traffic, passwords included. It exists for tests
//!   against throwaway servers with self-signed certificates; never use it in production.
//!
//! The crypto provider is rustls's `ring` provider, passed explicitly, so nothing depends
//! on a process-wide default provider being installed.

use std::io;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use ferrodis_commands::{ConnectionConfig, Error, Result, TlsConfig};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::connect::{connect_timeout_error, remaining};
use crate::stream::Stream;

fn tls_error(message: impl Into<String>) -> Error {
    Error::Tls {
        message: message.into(),
    }
}

/// Builds the rustls client config for `tls`.
pub(crate) fn client_config(tls: &TlsConfig) -> Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(format!("cannot set up the TLS protocol versions: {e}")))?;
    let builder = if tls.dangerous_accept_invalid_certs {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate {
                algorithms: provider.signature_verification_algorithms,
            }))
    } else {
        builder.with_root_certificates(root_store(tls)?)
    };
    let config = match (&tls.client_cert, &tls.client_key) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(cert, "client certificate")?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                tls_error(format!(
                    "cannot read the client key from {}: {e} (expected a PEM private key)",
                    key.display()
                ))
            })?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                tls_error(format!("the client certificate and key do not work: {e}"))
            })?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => {
            return Err(tls_error(
                "a client certificate needs its key, and a key its certificate: set both",
            ))
        }
    };
    Ok(Arc::new(config))
}

fn root_store(tls: &TlsConfig) -> Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    match &tls.ca_file {
        Some(path) => {
            for cert in read_certs(path, "CA certificate")? {
                roots.add(cert).map_err(|e| {
                    tls_error(format!(
                        "a CA certificate in {} is invalid: {e}",
                        path.display()
                    ))
                })?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                return Err(tls_error(format!(
                    "no usable root certificates found on this system{why}: install the CA \
                     certificates (ca-certificates), or set TlsConfig::ca_file"
                )));
            }
        }
    }
    Ok(roots)
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| {
            tls_error(format!(
                "cannot read the {what} file {}: {e}",
                path.display()
            ))
        })?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| {
            tls_error(format!(
                "cannot parse the {what} file {}: {e}",
                path.display()
            ))
        })?;
    if certs.is_empty() {
        return Err(tls_error(format!(
            "the {what} file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        )));
    }
    Ok(certs)
}

/// Runs the TLS handshake over `tcp`, before `deadline`.
pub(crate) fn handshake(
    tls_config: &Arc<ClientConfig>,
    name: &str,
    mut tcp: TcpStream,
    config: &ConnectionConfig,
    deadline: Option<Instant>,
) -> Result<Stream> {
    let server_name = ServerName::try_from(name.to_owned()).map_err(|e| {
        tls_error(format!(
            "{name:?} is not a valid TLS server name ({e}); set TlsConfig::server_name"
        ))
    })?;
    let mut conn = ClientConnection::new(tls_config.clone(), server_name)
        .map_err(|e| tls_error(format!("cannot start the TLS session: {e}")))?;
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
        let hint = match inner {
            rustls::Error::InvalidCertificate(_) => {
                if config.tls.as_ref().is_some_and(|t| t.ca_file.is_some()) {
                    " (the server's certificate does not verify against the CA file, or is not for this host name)"
                } else {
                    " (the server's certificate is not signed by a CA this system trusts, or is not for this host name: set TlsConfig::ca_file to the CA that signed it)"
                }
            }
            _ => "",
        };
        return tls_error(format!("TLS handshake with {name} failed: {inner}{hint}"));
    }
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            connect_timeout_error(config.connect_timeout)
        }
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => tls_error(format!(
            "the server closed the connection during the TLS handshake with {name} ({e}): is TLS enabled on that port?"
        )),
        _ => Error::from(e),
    }
}

/// The verifier of `dangerous_accept_invalid_certs`: any certificate, any name. See the
/// [module docs](self).
#[derive(Debug)]
struct AcceptAnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
