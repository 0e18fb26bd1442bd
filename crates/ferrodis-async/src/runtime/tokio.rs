//! The tokio runtime (feature `tokio`).
//!
//! [`Tokio`] holds a handle on a tokio runtime (any flavour): tasks are spawned on it and
//! timers registered with it even from outside the runtime (a `Drop` on another thread,
//! say), so nothing here panics for want of a runtime context. Timers are
//! `tokio::time::Sleep`.

use std::io;
use std::net::SocketAddr;
#[cfg(unix)]
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{tune_tcp, AsyncIo, BoxFuture, BoxedIo, Runtime, Timer};

/// The tokio runtime, through a handle on it: tasks are spawned and timers registered on
/// that runtime even from outside it (a `Drop` on another thread, say). See the
/// [`runtime`](crate::runtime) module.
///
/// ```no_run
/// # async fn demo() -> ferrodis_commands::Result<()> {
/// use ferrodis_async::{runtime::Tokio, Client};
///
/// let tokio = Tokio::current().expect("inside a tokio runtime");
/// let client = Client::builder("redis://127.0.0.1:6379/0").runtime(tokio).build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Tokio {
    handle: tokio::runtime::Handle,
}

impl Tokio {
    /// The tokio runtime the caller runs in; `None` outside of one.
    pub fn current() -> Option<Tokio> {
        tokio::runtime::Handle::try_current()
            .ok()
            .map(Tokio::from_handle)
    }

    /// The runtime of `handle`.
    pub fn from_handle(handle: tokio::runtime::Handle) -> Tokio {
        Tokio { handle }
    }
}

/// A tokio stream as an [`AsyncIo`].
struct Io<S>(S);

impl<S: AsyncRead + AsyncWrite + Send + Unpin + 'static> AsyncIo for Io<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut self.0).poll_read(cx, &mut buf) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(buf.filled().len())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl Timer for tokio::time::Sleep {
    fn poll_expired(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        std::future::Future::poll(self, cx)
    }

    fn reset(self: Pin<&mut Self>, deadline: Instant) {
        tokio::time::Sleep::reset(self, tokio::time::Instant::from_std(deadline));
    }
}

impl Runtime for Tokio {
    fn name(&self) -> &'static str {
        "tokio"
    }

    fn connect_tcp(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<BoxedIo>> {
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            tune_tcp(socket2::SockRef::from(&stream))?;
            Ok(Box::new(Io(stream)) as BoxedIo)
        })
    }

    #[cfg(unix)]
    fn connect_unix(&self, path: PathBuf) -> BoxFuture<'static, io::Result<BoxedIo>> {
        Box::pin(async move {
            let stream = tokio::net::UnixStream::connect(path).await?;
            Ok(Box::new(Io(stream)) as BoxedIo)
        })
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        drop(self.handle.spawn(task));
    }

    fn yield_now(&self) -> BoxFuture<'static, ()> {
        Box::pin(super::YieldOnce::default())
    }

    fn timer(&self, deadline: Instant) -> Pin<Box<dyn Timer>> {
        let _inside = self.handle.enter();
        Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(
            deadline,
        )))
    }
}
