//! TLS through rustls (the `tls` feature), on any runtime.
//!
//! Why not tokio-rustls or futures-rustls: each is tied to one family of IO traits
//! (tokio's, or futures'), so supporting both runtimes would take both crates and two
//! code paths. The shim hands this crate one kind of stream, [`AsyncIo`], whatever the
//! runtime; TLS is layered on top of it here, once: [`TlsStream`] drives a
//! `rustls::ClientConnection` by hand, the way those crates do.
//!
//! rustls is sans-IO: it reads TLS bytes from an `io::Read` (`read_tls`), writes them to
//! an `io::Write` (`write_tls`), and in between turns records into plaintext
//! (`process_new_packets`). Polling maps onto that with a small adapter, `SyncIo`, whose
//! `read` and `write` call the stream's `poll_read` and `poll_write` with the task's
//! context and turn `Pending` into `WouldBlock`: rustls then stops, and the waker the
//! socket registered wakes the task when it can go on. Everything else follows:
//!
//! - **reading**: plaintext rustls already decrypted comes first; when there is none, one
//!   more batch of TLS bytes is read and processed. Records that carry no data (TLS 1.3
//!   session tickets after the handshake, a key update) leave the read `Pending`, so an
//!   idle connection with such records waiting still looks alive to the pool's peek.
//! - **writing**: plaintext is encrypted into rustls's send buffer (bounded by rustls,
//!   64 KiB by default: when it is full, the write waits for the socket to drain it), and
//!   as much as the socket takes is sent at once; `poll_flush` sends the rest.
//! - **closing**: `close_notify` is queued, flushed, then the socket is closed.
//!
//! The rustls config (roots, client certificates, `dangerous_accept_invalid_certs`) is
//! built by [`ferrodis_commands::tls`], shared with the blocking client: the same
//! [`TlsConfig`] means the same thing on both. The handshake has no timer of its own:
//! the connect path runs it within the connect timeout, and dropping the future abandons
//! it.

use std::fmt;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use ferrodis_commands::tls::{self as shared, Roots};
use ferrodis_commands::{Error, Result, TlsConfig};
use rustls::{ClientConfig, ClientConnection};

use crate::runtime::{AsyncIo, BoxedIo};

/// Builds the rustls client config for `tls`: once per client, shared by its connections
/// (see [`ferrodis_commands::tls::client_config`]).
pub(crate) fn client_config(tls: &TlsConfig) -> Result<Arc<ClientConfig>> {
    shared::client_config(tls)
}

/// Runs the TLS handshake with `server_name` over `io` (a connected TCP stream) and
/// returns the encrypted stream.
///
/// `server_name` is sent as SNI (not for an IP address) and the certificate is checked
/// against it. No timeout of its own: the caller bounds it (the connect timeout).
///
/// # Errors
///
/// [`Error::Tls`] when `server_name` is not a DNS name or IP address, the server's
/// certificate does not verify, the handshake fails, or the server hangs up during it (a
/// port without TLS, a client certificate it wants and did not get); [`Error::Io`] for
/// other socket errors.
pub(crate) async fn handshake(
    io: BoxedIo,
    config: Arc<ClientConfig>,
    server_name: &str,
) -> Result<BoxedIo> {
    let name = shared::server_name(server_name)?;
    let session = ClientConnection::new(config, name).map_err(|e| shared::session_failed(&e))?;
    let mut stream = TlsStream {
        io,
        session,
        close_notify_sent: false,
    };
    poll_fn(|cx| stream.poll_handshake(cx))
        .await
        .map_err(|e| handshake_error(e, server_name))?;
    Ok(Box::new(stream))
}

fn handshake_error(e: io::Error, server_name: &str) -> Error {
    if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return shared::handshake_failed(inner, server_name, Roots::Unknown);
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => shared::closed_during_handshake(server_name, &e),
        _ => Error::from(e),
    }
}

/// TLS over any [`AsyncIo`]: a `rustls::ClientConnection` driven by polling. See the
/// [module docs](self).
pub(crate) struct TlsStream {
    io: BoxedIo,
    session: ClientConnection,
    close_notify_sent: bool,
}

impl fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsStream")
            .field("handshaking", &self.session.is_handshaking())
            .field("close_notify_sent", &self.close_notify_sent)
            .finish_non_exhaustive()
    }
}

/// The blocking-style `Read` and `Write` rustls wants, over a polled stream: `Pending`
/// becomes `WouldBlock` (the stream has registered the task's waker).
struct SyncIo<'a, 'b> {
    io: &'a mut BoxedIo,
    cx: &'a mut Context<'b>,
}

fn would_block<T>(poll: Poll<io::Result<T>>) -> io::Result<T> {
    match poll {
        Poll::Ready(result) => result,
        Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
    }
}

impl Read for SyncIo<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        would_block(self.io.poll_read(self.cx, buf))
    }
}

impl Write for SyncIo<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        would_block(self.io.poll_write(self.cx, buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        would_block(self.io.poll_flush(self.cx))
    }
}

/// `WouldBlock` back to `Pending`.
fn pending<T>(result: io::Result<T>) -> Poll<io::Result<T>> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
        other => Poll::Ready(other),
    }
}

impl TlsStream {
    /// Reads one batch of TLS bytes from the socket and processes the records in it.
    /// `Ok(0)`: the socket reached its end (rustls then tells a clean close from a cut).
    fn poll_read_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let read = ready!(pending(self.session.read_tls(&mut SyncIo {
            io: &mut self.io,
            cx
        })))?;
        if let Err(error) = self.session.process_new_packets() {
            // rustls queued an alert telling the server why: send it if the socket takes
            // it now, without waiting.
            let _ = self.poll_write_tls(cx);
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, error)));
        }
        Poll::Ready(Ok(read))
    }

    /// Writes some of rustls's queued TLS bytes to the socket.
    fn poll_write_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let written = ready!(pending(self.session.write_tls(&mut SyncIo {
            io: &mut self.io,
            cx
        })))?;
        if written == 0 {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "the socket accepts no more bytes",
            )));
        }
        Poll::Ready(Ok(written))
    }

    /// Writes all of rustls's queued TLS bytes to the socket.
    fn poll_write_all_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.session.wants_write() {
            ready!(self.poll_write_tls(cx))?;
        }
        Poll::Ready(Ok(()))
    }

    /// Runs the handshake to its end, and flushes its last flight.
    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            ready!(self.poll_write_all_tls(cx))?;
            if !self.session.is_handshaking() {
                break;
            }
            if ready!(self.poll_read_tls(cx))? == 0 {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "end of stream",
                )));
            }
        }
        self.io.poll_flush(cx)
    }
}

impl AsyncIo for TlsStream {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut at_eof = false;
        loop {
            // Plaintext already decrypted; `Ok(0)` after the server's close_notify, and
            // `UnexpectedEof` when the socket ended without one.
            match self.session.reader().read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                result => return Poll::Ready(result),
            }
            if at_eof {
                return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
            }
            // Records rustls queued in answer to ones it read (a key update): sent on the
            // way if the socket takes them now; `poll_write`/`poll_flush` send the rest.
            if self.session.wants_write() {
                if let Poll::Ready(Err(e)) = self.poll_write_all_tls(cx) {
                    return Poll::Ready(Err(e));
                }
            }
            at_eof = ready!(self.poll_read_tls(cx))? == 0;
        }
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            let accepted = self.session.writer().write(buf)?;
            if accepted > 0 {
                // Send what the socket takes now; the rest goes on the next write or
                // flush.
                if let Poll::Ready(Err(e)) = self.poll_write_all_tls(cx) {
                    return Poll::Ready(Err(e));
                }
                return Poll::Ready(Ok(accepted));
            }
            // rustls's send buffer is full: drain some of it into the socket first.
            if !self.session.wants_write() {
                return Poll::Ready(Err(io::Error::other(
                    "the TLS session accepts no data and has nothing to send",
                )));
            }
            ready!(self.poll_write_tls(cx))?;
        }
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.session.writer().flush()?;
        ready!(self.poll_write_all_tls(cx))?;
        self.io.poll_flush(cx)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.close_notify_sent {
            self.session.send_close_notify();
            self.close_notify_sent = true;
        }
        ready!(self.poll_flush(cx))?;
        self.io.poll_close(cx)
    }
}

#[cfg(all(test, feature = "tokio"))]
mod tests {
    //! The TLS layer against a rustls server on a thread, through a socket wrapper that
    //! hands out a few bytes at a time and says `Pending` at random: every `WouldBlock`
    //! path of the adapters is taken. (The integration tests run it against redis-server
    //! on both runtimes.)
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::future::Future;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener};
    use std::path::PathBuf;
    use std::thread::{self, JoinHandle};

    use ferrodis_tests::TlsFiles;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    use super::*;
    use crate::runtime::{Runtime, Tokio};

    /// A socket that reads and writes at most 7 bytes at a time and, one call in four,
    /// returns `Pending` (waking the task at once, as a socket that became ready would).
    struct Choppy {
        inner: BoxedIo,
        rng: fastrand::Rng,
    }

    impl Choppy {
        fn stall(&mut self, cx: &mut Context<'_>) -> bool {
            if self.rng.u8(..4) == 0 {
                cx.waker().wake_by_ref();
                return true;
            }
            false
        }
    }

    impl AsyncIo for Choppy {
        fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
            if self.stall(cx) {
                return Poll::Pending;
            }
            let n = buf.len().min(self.rng.usize(1..=7));
            self.inner.poll_read(cx, &mut buf[..n])
        }

        fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
            if self.stall(cx) {
                return Poll::Pending;
            }
            let n = buf.len().min(self.rng.usize(1..=7));
            self.inner.poll_write(cx, &buf[..n])
        }

        fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.inner.poll_flush(cx)
        }

        fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.inner.poll_close(cx)
        }
    }

    #[derive(Clone, Copy)]
    enum Mode {
        /// Echo everything until the client closes; returns whether it sent close_notify.
        Echo,
        /// Echo one read, then close_notify.
        CloseNotify,
        /// Echo one read, then drop the TCP connection without close_notify.
        Cut,
        /// Drop the TCP connection at once, before any handshake.
        Refuse,
    }

    struct Fixture {
        dir: PathBuf,
        files: TlsFiles,
    }

    impl Fixture {
        fn new(name: &str) -> Fixture {
            let dir = std::env::temp_dir()
                .join(format!("ferrodis-async-tls-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let files = TlsFiles::generate(&dir).unwrap();
            Fixture { dir, files }
        }

        /// A one-connection server on a thread; its result is whether the client ended
        /// the session with close_notify (clean) rather than a cut.
        fn serve(&self, mode: Mode) -> (SocketAddr, JoinHandle<bool>) {
            let certs = CertificateDer::pem_file_iter(&self.files.server_cert)
                .unwrap()
                .collect::<std::result::Result<Vec<_>, _>>()
                .unwrap();
            let key = PrivateKeyDer::from_pem_file(&self.files.server_key).unwrap();
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .unwrap();
            let config = Arc::new(config);
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let server = thread::spawn(move || {
                let (tcp, _) = listener.accept().unwrap();
                if matches!(mode, Mode::Refuse) {
                    return false;
                }
                let session = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(session, tcp);
                let mut buf = vec![0; 64 * 1024];
                loop {
                    let n = match tls.read(&mut buf) {
                        Ok(0) => return true,
                        Ok(n) => n,
                        Err(_) => return false,
                    };
                    tls.write_all(&buf[..n]).unwrap();
                    tls.flush().unwrap();
                    match mode {
                        Mode::Echo | Mode::Refuse => {}
                        Mode::CloseNotify => {
                            tls.conn.send_close_notify();
                            tls.flush().unwrap();
                            return true;
                        }
                        Mode::Cut => return true,
                    }
                }
            });
            (addr, server)
        }

        fn config(&self) -> Arc<ClientConfig> {
            client_config(&TlsConfig::new().ca_file(&self.files.ca_cert)).unwrap()
        }
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        ::tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    async fn connect(fixture: &Fixture, addr: SocketAddr, seed: u64) -> Result<BoxedIo> {
        let tcp = Tokio::current().unwrap().connect_tcp(addr).await.unwrap();
        let choppy = Box::new(Choppy {
            inner: tcp,
            rng: fastrand::Rng::with_seed(seed),
        });
        handshake(choppy, fixture.config(), "localhost").await
    }

    async fn write_all(io: &mut BoxedIo, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let n = poll_fn(|cx| io.poll_write(cx, data)).await?;
            data = &data[n..];
        }
        poll_fn(|cx| io.poll_flush(cx)).await
    }

    async fn read_exact(io: &mut BoxedIo, len: usize) -> io::Result<Vec<u8>> {
        let mut out = vec![0; len];
        let mut filled = 0;
        while filled < len {
            let n = poll_fn(|cx| io.poll_read(cx, &mut out[filled..])).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            filled += n;
        }
        Ok(out)
    }

    #[test]
    fn data_survives_a_choppy_socket_both_ways() {
        let fixture = Fixture::new("choppy");
        for seed in 0..3 {
            let (addr, server) = fixture.serve(Mode::Echo);
            block_on(async {
                let mut io = connect(&fixture, addr, seed).await.unwrap();
                let mut rng = fastrand::Rng::with_seed(seed);
                for _ in 0..8 {
                    let chunk: Vec<u8> = (0..rng.usize(1..20_000)).map(|_| rng.u8(..)).collect();
                    write_all(&mut io, &chunk).await.unwrap();
                    assert_eq!(read_exact(&mut io, chunk.len()).await.unwrap(), chunk);
                }
                // close_notify, then the socket's close.
                poll_fn(|cx| io.poll_close(cx)).await.unwrap();
            });
            assert!(server.join().unwrap(), "the server saw no close_notify");
        }
    }

    #[test]
    fn close_notify_reads_as_the_end_of_the_stream() {
        let fixture = Fixture::new("close-notify");
        let (addr, server) = fixture.serve(Mode::CloseNotify);
        block_on(async {
            let mut io = connect(&fixture, addr, 7).await.unwrap();
            write_all(&mut io, b"PING\r\n").await.unwrap();
            assert_eq!(read_exact(&mut io, 6).await.unwrap(), b"PING\r\n");
            let mut buf = [0; 16];
            let n = poll_fn(|cx| io.poll_read(cx, &mut buf)).await.unwrap();
            assert_eq!(n, 0);
        });
        server.join().unwrap();
    }

    #[test]
    fn a_cut_without_close_notify_is_an_unexpected_eof() {
        let fixture = Fixture::new("cut");
        let (addr, server) = fixture.serve(Mode::Cut);
        block_on(async {
            let mut io = connect(&fixture, addr, 11).await.unwrap();
            write_all(&mut io, b"PING\r\n").await.unwrap();
            assert_eq!(read_exact(&mut io, 6).await.unwrap(), b"PING\r\n");
            let mut buf = [0; 16];
            let err = poll_fn(|cx| io.poll_read(cx, &mut buf)).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
            assert!(Error::from(err).is_connection_dropped());
        });
        server.join().unwrap();
    }

    #[test]
    fn a_hang_up_during_the_handshake_is_a_tls_error() {
        let fixture = Fixture::new("refuse");
        let (addr, server) = fixture.serve(Mode::Refuse);
        let err = block_on(connect(&fixture, addr, 3)).err().unwrap();
        server.join().unwrap();
        match &err {
            Error::Tls { message } => {
                assert!(message.contains("is TLS enabled on that port"), "{message}");
            }
            other => panic!("expected Error::Tls, got {other:?}"),
        }
    }

    #[test]
    fn a_bad_server_name_is_refused_before_connecting() {
        let fixture = Fixture::new("name");
        let err = block_on(async {
            let (addr, _server) = fixture.serve(Mode::Refuse);
            let tcp = Tokio::current().unwrap().connect_tcp(addr).await.unwrap();
            handshake(tcp, fixture.config(), "not a host name!").await
        })
        .err()
        .unwrap();
        assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    }
}
