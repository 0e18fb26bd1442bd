//! The rustls client config of a [`TlsConfig`], and the errors of a failed handshake
//! (feature `rustls`).
//!
//! Why here, in the sans-IO crate: what a [`TlsConfig`] means (which roots to trust,
//! which client certificate to present, what `dangerous_accept_invalid_certs` allows)
//! must not depend on whether the blocking or the async client reads it. Both build their
//! `rustls::ClientConfig` with [`client_config`] and explain a failed handshake with
//! [`handshake_failed`]; each drives the handshake over its own sockets. The work done
//! here is config-time only: reading PEM files and the system's root store, never a
//! socket.
//!
//! - **Roots**: the PEM file of [`ca_file`](TlsConfig::ca_file) when given, otherwise the
//!   operating system's roots (`rustls-native-certs`).
//! - **Client authentication**: [`client_cert`](TlsConfig::client_cert) (a PEM chain)
//!   with its PEM key, for servers started with `tls-auth-clients yes`.
//! - **Server name**: the host connected to, or [`server_name`](TlsConfig::server_name);
//!   sent as SNI (rustls sends none for an IP address) and checked against the
//!   certificate. Hostname verification is always on, except with
//!   `dangerous_accept_invalid_certs`.
//! - **`dangerous_accept_invalid_certs`**: installs a verifier that accepts **any**
//!   certificate for **any** name (it still checks that the server holds the key of the
//!   certificate it sent, which proves nothing about who it is). Anyone on the network
//!   path can then read and change the traffic, passwords included. It exists for tests
//!   against throwaway servers with self-signed certificates; never use it in production.
//!
//! The crypto provider is rustls's `ring` provider, passed explicitly, so nothing depends
//! on a process-wide default provider being installed.
//!
//! ```no_run
//! use ferrodis_commands::{tls, TlsConfig};
//!
//! let config = tls::client_config(&TlsConfig::new().ca_file("/etc/redis/ca.pem"))?;
//! let name = tls::server_name("redis.internal")?;
//! let session = rustls::ClientConnection::new(config, name);
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::{Error, Result, TlsConfig};

fn tls_error(message: impl Into<String>) -> Error {
    Error::Tls {
        message: message.into(),
    }
}

/// Builds the rustls client config for `tls`: its roots (a CA file or the system's), its
/// client certificate, or the accept-anything verifier. Build it once per client: it
/// reads files, and every connection shares it.
///
/// # Errors
///
/// [`Error::Tls`] when a PEM file cannot be read or parsed, holds no certificate, a client
/// certificate comes without its key (or the reverse), or the system has no usable roots.
pub fn client_config(tls: &TlsConfig) -> Result<Arc<ClientConfig>> {
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

/// The name to send as SNI and to verify the certificate against: a DNS name or an IP
/// address (the host connected to, or [`TlsConfig::server_name`]).
///
/// # Errors
///
/// [`Error::Tls`] when `name` is neither.
pub fn server_name(name: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(name.to_owned()).map_err(|e| {
        tls_error(format!(
            "{name:?} is not a valid TLS server name ({e}); set TlsConfig::server_name"
        ))
    })
}

/// Which roots verified (or failed to verify) the server, for the hint of
/// [`handshake_failed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// [`TlsConfig::ca_file`] was given.
    CaFile,
    /// The operating system's roots.
    System,
    /// Not known to the caller (it holds only the built `ClientConfig`).
    Unknown,
}

impl Roots {
    /// The roots `tls` asks for.
    pub fn of(tls: &TlsConfig) -> Roots {
        if tls.ca_file.is_some() {
            Roots::CaFile
        } else {
            Roots::System
        }
    }
}

/// The [`Error::Tls`] of a handshake with `server_name` that rustls refused, with a hint
/// of what to fix when the server's certificate did not verify.
pub fn handshake_failed(error: &rustls::Error, server_name: &str, roots: Roots) -> Error {
    let hint = match (error, roots) {
        (rustls::Error::InvalidCertificate(_), Roots::CaFile) => {
            " (the server's certificate does not verify against the CA file, or is not for this host name)"
        }
        (rustls::Error::InvalidCertificate(_), Roots::System) => {
            " (the server's certificate is not signed by a CA this system trusts, or is not for this host name: set TlsConfig::ca_file to the CA that signed it)"
        }
        (rustls::Error::InvalidCertificate(_), Roots::Unknown) => {
            " (the server's certificate is not signed by a trusted CA (TlsConfig::ca_file, or the system's roots without it), or is not for this host name)"
        }
        _ => "",
    };
    tls_error(format!(
        "TLS handshake with {server_name} failed: {error}{hint}"
    ))
}

/// The [`Error::Tls`] of a connection the server closed during the TLS handshake: most
/// often a plain-text port.
pub fn closed_during_handshake(server_name: &str, cause: &dyn fmt::Display) -> Error {
    tls_error(format!(
        "the server closed the connection during the TLS handshake with {server_name} ({cause}): is TLS enabled on that port?"
    ))
}

/// The [`Error::Tls`] of a TLS session rustls could not start.
pub fn session_failed(error: &rustls::Error) -> Error {
    tls_error(format!("cannot start the TLS session: {error}"))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    fn message(error: Error) -> String {
        match error {
            Error::Tls { message } => message,
            other => panic!("expected Error::Tls, got {other:?}"),
        }
    }

    #[test]
    fn accept_any_certificate_needs_no_files() {
        let config = client_config(&TlsConfig::new().dangerous_accept_invalid_certs(true));
        assert!(config.is_ok());
    }

    #[test]
    fn missing_files_are_named_in_the_error() {
        let err = client_config(&TlsConfig::new().ca_file("/nonexistent/ca.pem")).unwrap_err();
        assert!(message(err).contains("/nonexistent/ca.pem"));
    }

    #[test]
    fn a_certificate_without_its_key_is_refused() {
        let mut tls = TlsConfig::new().dangerous_accept_invalid_certs(true);
        tls.client_cert = Some("/nonexistent/cert.pem".into());
        let err = client_config(&tls).unwrap_err();
        assert!(message(err).contains("set both"));
    }

    #[test]
    fn server_names() {
        assert!(server_name("localhost").is_ok());
        assert!(server_name("127.0.0.1").is_ok());
        let err = server_name("not a name!").unwrap_err();
        assert!(message(err).contains("TlsConfig::server_name"));
    }

    #[test]
    fn certificate_failures_get_a_hint() {
        let error = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let text = message(handshake_failed(&error, "localhost", Roots::System));
        assert!(text.contains("TlsConfig::ca_file"), "{text}");
        let text = message(handshake_failed(&error, "localhost", Roots::CaFile));
        assert!(text.contains("CA file"), "{text}");
        let other = rustls::Error::HandshakeNotComplete;
        let text = message(handshake_failed(&other, "localhost", Roots::Unknown));
        assert!(!text.contains('('), "{text}");
    }
}
