//! Test certificates for TLS servers, generated with rcgen: a CA, a server certificate for
//! `127.0.0.1` and `localhost` signed by it, and a client certificate signed by it.
//!
//! They are generated afresh for every server, into its directory, so no key is ever
//! checked in, and each test's CA trusts only its own server. Generating them (and TLS
//! servers) needs the `tls` feature of this crate.

#[cfg(feature = "tls")]
use std::fs;
#[cfg(feature = "tls")]
use std::io::{self, Read, Write};
#[cfg(feature = "tls")]
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
#[cfg(feature = "tls")]
use std::sync::Arc;
#[cfg(feature = "tls")]
use std::time::Duration;

#[cfg(feature = "tls")]
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::error::ServerError;

/// The PEM files of a TLS test server, in its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The CA certificate that signed the server and client certificates: give it to a
    /// client as its trusted root (`ca_file`).
    pub ca_cert: PathBuf,
    /// The server's certificate, for `127.0.0.1` and `localhost`.
    pub server_cert: PathBuf,
    /// The server's private key.
    pub server_key: PathBuf,
    /// A client certificate signed by the CA, for servers that require one.
    pub client_cert: PathBuf,
    /// The client certificate's private key.
    pub client_key: PathBuf,
    /// A CA that signed nothing here: a client trusting only it must refuse the server.
    pub other_ca_cert: PathBuf,
}

/// The names the server certificate is valid for.
pub const TLS_SERVER_NAMES: [&str; 2] = ["127.0.0.1", "localhost"];

impl TlsFiles {
    /// Generates the CA, server and client certificates into `dir`.
    ///
    /// # Errors
    ///
    /// [`ServerError::Io`] if generating or writing them fails, or if this crate was
    /// built without its `tls` feature.
    #[cfg(not(feature = "tls"))]
    pub fn generate(dir: &Path) -> Result<TlsFiles, ServerError> {
        let _ = dir;
        Err(ServerError::io(
            "cannot generate TLS test certificates",
            std::io::Error::other(
                "TLS test servers need the `tls` feature of ferrodis-tests \
                 (ferrodis-tests = { ..., features = [\"tls\"] })",
            ),
        ))
    }

    /// Generates the CA, server and client certificates into `dir`.
    ///
    /// # Errors
    ///
    /// [`ServerError::Io`] if generating or writing them fails.
    #[cfg(feature = "tls")]
    pub fn generate(dir: &Path) -> Result<TlsFiles, ServerError> {
        let fail = |what: &str, e: rcgen::Error| {
            ServerError::io(
                format!("cannot generate the test {what}"),
                io::Error::other(e.to_string()),
            )
        };
        let ca = new_ca("ferrodis test CA").map_err(|e| fail("CA", e))?;
        let other_ca = new_ca("ferrodis unrelated CA").map_err(|e| fail("CA", e))?;

        let server_key = KeyPair::generate().map_err(|e| fail("server key", e))?;
        let mut server = CertificateParams::new(
            TLS_SERVER_NAMES
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>(),
        )
        .map_err(|e| fail("server certificate", e))?;
        server
            .distinguished_name
            .push(DnType::CommonName, "ferrodis test server");
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server = server
            .signed_by(&server_key, &ca)
            .map_err(|e| fail("server certificate", e))?;

        let client_key = KeyPair::generate().map_err(|e| fail("client key", e))?;
        let mut client = CertificateParams::new(Vec::<String>::new())
            .map_err(|e| fail("client certificate", e))?;
        client
            .distinguished_name
            .push(DnType::CommonName, "ferrodis test client");
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client = client
            .signed_by(&client_key, &ca)
            .map_err(|e| fail("client certificate", e))?;

        let files = TlsFiles {
            ca_cert: dir.join("tls-ca.crt"),
            server_cert: dir.join("tls-server.crt"),
            server_key: dir.join("tls-server.key"),
            client_cert: dir.join("tls-client.crt"),
            client_key: dir.join("tls-client.key"),
            other_ca_cert: dir.join("tls-other-ca.crt"),
        };
        for (path, pem) in [
            (&files.ca_cert, ca.pem()),
            (&files.server_cert, server.pem()),
            (&files.server_key, server_key.serialize_pem()),
            (&files.client_cert, client.pem()),
            (&files.client_key, client_key.serialize_pem()),
            (&files.other_ca_cert, other_ca.pem()),
        ] {
            fs::write(path, pem)
                .map_err(|e| ServerError::io(format!("cannot write {}", path.display()), e))?;
        }
        Ok(files)
    }
}

#[cfg(feature = "tls")]
fn new_ca(name: &str) -> Result<CertifiedIssuer<'static, KeyPair>, rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, key)
}

/// Opens a verified TLS connection to a test server (trusting `ca_cert`, with the client
/// certificate), for the readiness probe.
#[cfg(feature = "tls")]
pub(crate) fn connect_tls(
    addr: SocketAddr,
    files: &TlsFiles,
    timeout: Duration,
) -> io::Result<impl Read + Write> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    let ca = fs::read(&files.ca_cert)?;
    for cert in rustls_pemfile_certs(&ca)? {
        roots.add(cert).map_err(io::Error::other)?;
    }
    let client_chain = rustls_pemfile_certs(&fs::read(&files.client_cert)?)?;
    let client_key = {
        use rustls::pki_types::pem::PemObject;
        rustls::pki_types::PrivateKeyDer::from_pem_slice(&fs::read(&files.client_key)?)
            .map_err(io::Error::other)?
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_client_auth_cert(client_chain, client_key)
        .map_err(io::Error::other)?;
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").map_err(io::Error::other)?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(io::Error::other)?;
    let tcp = TcpStream::connect_timeout(&addr, timeout)?;
    tcp.set_read_timeout(Some(timeout))?;
    tcp.set_write_timeout(Some(timeout))?;
    Ok(rustls::StreamOwned::new(conn, tcp))
}

#[cfg(feature = "tls")]
fn rustls_pemfile_certs(pem: &[u8]) -> io::Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(io::Error::other)
}
