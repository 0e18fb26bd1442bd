//! The runtime shim: the few things the client needs from an async runtime.
//!
//! Everything else in this crate is written against [`Runtime`] and [`AsyncIo`] and never
//! names tokio or async-std, so a runtime is one file: [`Tokio`] (feature `tokio`) and
//! [`AsyncStd`] (feature `async-std`) are about a hundred lines each. async-std is
//! discontinued upstream; smol would be one more file of the same shape as
//! `async_std.rs` (both sit on `async-io`).
//!
//! What a runtime provides:
//! - **connect**: a TCP stream (the caller sets `TCP_NODELAY` and keepalive through
//!   `socket2`) and a unix socket stream, as [`AsyncIo`]. TLS is layered on top of any
//!   [`AsyncIo`] by this crate (`rustls`), so runtimes know nothing of it;
//! - **spawn**: run a task in the background (the multiplexed connection's driver,
//!   `run_in_background`);
//! - **timers**: a resettable [`Timer`], from which [`sleep`] and [`timeout`] are built;
//! - **yield**: let the other ready tasks run first.
//!
//! The shim is object-safe: clients hold an [`RuntimeRef`] (`Arc<dyn Runtime>`), so the
//! runtime is chosen at run time ([`detect`]) and types carry no runtime parameter.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
#[cfg(unix)]
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ferrodis_commands::{Error, Result};

#[cfg(feature = "async-std")]
mod async_std;
#[cfg(feature = "tokio")]
mod tokio;

#[cfg(feature = "async-std")]
pub use self::async_std::AsyncStd;
#[cfg(feature = "tokio")]
pub use self::tokio::Tokio;

/// A boxed, `Send` future: what the object-safe [`Runtime`] trait returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A shared handle on a runtime: what connections and clients hold.
pub type RuntimeRef = Arc<dyn Runtime>;

/// A byte stream (TCP, unix socket, TLS) in the runtime's reactor.
///
/// The methods are those of `futures::io::AsyncRead`/`AsyncWrite` (and tokio's), reduced
/// to what the client uses: reads into an initialised slice, writes, flush, close.
pub trait AsyncIo: Send + Unpin + 'static {
    /// Reads into `buf`; `Ok(0)` is the end of the stream.
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    /// Writes some of `buf`, returning how much.
    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
    /// Flushes what the stream buffers (TLS records; a no-op for sockets).
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Shuts the write side down (TLS `close_notify`, then the socket's).
    fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
}

/// A boxed [`AsyncIo`].
pub type BoxedIo = Box<dyn AsyncIo>;

/// A timer that completes at a deadline and can be moved to another one.
pub trait Timer: Send + 'static {
    /// `Ready` once the deadline passed.
    fn poll_expired(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
    /// Moves the deadline (earlier or later); the timer is pending again until then.
    fn reset(self: Pin<&mut Self>, deadline: Instant);
}

/// What the client needs from an async runtime. See the [module docs](self).
pub trait Runtime: Send + Sync + fmt::Debug + 'static {
    /// The runtime's name, for `Debug` output and error messages (`"tokio"`, ...).
    fn name(&self) -> &'static str;

    /// Connects a TCP stream to `addr`, with `TCP_NODELAY` and TCP keepalive on (the
    /// runtime calls [`tune_tcp`] on the new socket).
    fn connect_tcp(&self, addr: SocketAddr) -> BoxFuture<'static, io::Result<BoxedIo>>;

    /// Connects a unix socket stream at `path`.
    #[cfg(unix)]
    fn connect_unix(&self, path: PathBuf) -> BoxFuture<'static, io::Result<BoxedIo>>;

    /// Runs `task` in the background; it is detached (runs to completion on its own).
    fn spawn(&self, task: BoxFuture<'static, ()>);

    /// A timer that fires at `deadline`.
    fn timer(&self, deadline: Instant) -> Pin<Box<dyn Timer>>;

    /// A future that is pending once and lets the other tasks that are ready run before
    /// the caller is polled again (the multiplexed driver yields this way after handing
    /// out replies, so that the callers it woke queue their next commands first and they
    /// leave in one write).
    fn yield_now(&self) -> BoxFuture<'static, ()>;
}

/// The idle time after which TCP keepalive probes start.
pub const KEEPALIVE_TIME: Duration = Duration::from_secs(60);

/// Sets the options every TCP connection gets: `TCP_NODELAY` (a request is one write and
/// must leave at once) and TCP keepalive (so that a peer that vanished without closing is
/// eventually noticed, even on an idle connection).
///
/// # Errors
///
/// The `setsockopt` errors.
pub fn tune_tcp(socket: socket2::SockRef<'_>) -> io::Result<()> {
    socket.set_tcp_nodelay(true)?;
    let keepalive = socket2::TcpKeepalive::new().with_time(KEEPALIVE_TIME);
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    let keepalive = keepalive.with_interval(Duration::from_secs(10));
    socket.set_tcp_keepalive(&keepalive)
}

/// The runtime to use when none is given: tokio when called from inside a tokio runtime
/// (and the `tokio` feature is on), otherwise async-std (feature `async-std`).
///
/// # Errors
///
/// [`Error::Config`] when no runtime feature is on, or only `tokio` is and the caller is
/// not inside a tokio runtime.
pub fn detect() -> Result<RuntimeRef> {
    #[cfg(feature = "tokio")]
    if let Some(tokio) = Tokio::current() {
        return Ok(Arc::new(tokio));
    }
    #[cfg(feature = "async-std")]
    {
        return Ok(Arc::new(AsyncStd));
    }
    #[allow(unreachable_code)]
    Err(Error::Config {
        part: "runtime",
        reason: if cfg!(feature = "tokio") {
            "not inside a tokio runtime: call from a task of a tokio runtime, or pick a \
             runtime explicitly (ClientBuilder::runtime)"
                .to_owned()
        } else {
            "no async runtime: enable the `tokio` or the `async-std` feature of ferrodis \
             (or ferrodis-async)"
                .to_owned()
        },
    })
}

/// Waits until `duration` has passed.
pub async fn sleep(runtime: &dyn Runtime, duration: Duration) {
    let mut timer = runtime.timer(Instant::now() + duration);
    std::future::poll_fn(|cx| timer.as_mut().poll_expired(cx)).await;
}

/// Runs `future` for at most `limit` (`None`: no limit); `None` if the time ran out first
/// (the future is then dropped).
pub async fn timeout<F: Future>(
    runtime: &dyn Runtime,
    limit: Option<Duration>,
    future: F,
) -> Option<F::Output> {
    let Some(limit) = limit else {
        return Some(future.await);
    };
    deadline(runtime, Instant::now() + limit, future).await
}

/// Runs `future` until `at` at the latest; `None` if the deadline passed first.
pub async fn deadline<F: Future>(
    runtime: &dyn Runtime,
    at: Instant,
    future: F,
) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut timer: Option<Pin<Box<dyn Timer>>> = None;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        let timer = timer.get_or_insert_with(|| runtime.timer(at));
        match timer.as_mut().poll_expired(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// A future that is pending once (waking itself) and then ready: the task goes to the back
/// of its executor's run queue, behind the tasks that are ready now.
///
/// This is not `tokio::task::yield_now`, which defers the wake-up until the worker has
/// polled its IO driver (an extra `epoll_wait` per yield); a task that wakes itself while
/// being polled is simply queued again, last, by tokio and by async-executor alike.
#[derive(Debug, Default)]
pub struct YieldOnce {
    yielded: bool,
}

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// A `Waker` that does nothing: for polling a stream once to see whether it has anything
/// to say (the pool's liveness peek).
pub(crate) fn noop_waker() -> std::task::Waker {
    std::task::Waker::noop().clone()
}
