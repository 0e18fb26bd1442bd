//! The async-std runtime (feature `async-std`).
//!
//! Tasks go to `async_std::task::spawn`; sockets (`async_io::Async`) and timers
//! (`async_io::Timer`) come from `async-io`, the reactor async-std itself runs on. async-std is discontinued upstream: smol, on the same
//! `async-io` reactor, would be a copy of this file with `smol::spawn`.

use std::io;
use std::net::SocketAddr;
#[cfg(unix)]
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_io::{AsyncRead, AsyncWrite};

use super::{tune_tcp, AsyncIo, BoxFuture, BoxedIo, Runtime, Timer};

/// The async-std runtime: tasks on `async_std::task`, sockets and timers from `async-io`.
/// See the [`runtime`](crate::runtime) module.
#[derive(Debug, Clone, Copy, Default)]
pub struct AsyncStd;

/// A futures-io stream as an [`AsyncIo`].
struct Io<S>(S);

impl<S: AsyncRead + AsyncWrite + Send + Unpin + 'static> AsyncIo for Io<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}

/// `async_io::Timer` as a [`Timer`].
struct IoTimer(async_io::Timer);

impl Timer for IoTimer {
    fn poll_expired(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match std::future::Future::poll(Pin::new(&mut self.0), cx) {
            Poll::Ready(_) => Poll::Ready(()),
            Poll::Pending => Poll::Pending,
        }
    }

    fn reset(mut self: Pin<&mut Self>, deadline: Instant) {
        self.0.set_at(deadline);
    }
}

impl Runtime for AsyncStd {
    fn name(&self) -> &'static str {
        "async-std"
    }

    fn connect_tcp(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<BoxedIo>> {
        Box::pin(async move {
            let stream = async_io::Async::<std::net::TcpStream>::connect(addr).await?;
            tune_tcp(socket2::SockRef::from(stream.get_ref()))?;
            Ok(Box::new(Io(stream)) as BoxedIo)
        })
    }

    #[cfg(unix)]
    fn connect_unix(&self, path: PathBuf) -> BoxFuture<'static, io::Result<BoxedIo>> {
        Box::pin(async move {
            let stream = async_io::Async::<std::os::unix::net::UnixStream>::connect(path).await?;
            Ok(Box::new(Io(stream)) as BoxedIo)
        })
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        drop(async_std::task::spawn(task));
    }

    fn yield_now(&self) -> BoxFuture<'static, ()> {
        Box::pin(async_std::task::yield_now())
    }

    fn timer(&self, deadline: Instant) -> Pin<Box<dyn Timer>> {
        Box::pin(IoTimer(async_io::Timer::at(deadline)))
    }
}
