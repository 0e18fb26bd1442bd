//! Spawning and joining tasks on whichever runtime the test runs on (see `common`).
//!
//! The crate's [`Runtime::spawn`](ferrodis_async::Runtime::spawn) detaches its tasks;
//! tests need to join them and see their panics, so this wraps each runtime's own
//! `spawn`: tokio's when the test runs inside tokio, async-std's otherwise. A panic in a
//! task resurfaces in the test when the handle is awaited (on async-std it is caught in
//! the task, so that it never takes down an executor thread).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::panic::{resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt;

/// A spawned task; awaiting it gives the task's output, or resumes its panic.
pub(crate) struct JoinHandle<T>(Inner<T>);

enum Inner<T> {
    Tokio(tokio::task::JoinHandle<T>),
    AsyncStd(async_std::task::JoinHandle<std::thread::Result<T>>),
}

/// Spawns `future` on the runtime the caller runs on.
pub(crate) fn spawn<T, F>(future: F) -> JoinHandle<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        JoinHandle(Inner::Tokio(tokio::spawn(future)))
    } else {
        JoinHandle(Inner::AsyncStd(async_std::task::spawn(
            AssertUnwindSafe(future).catch_unwind(),
        )))
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match &mut self.0 {
            Inner::Tokio(handle) => match Pin::new(handle).poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(value)) => Poll::Ready(value),
                Poll::Ready(Err(e)) if e.is_panic() => resume_unwind(e.into_panic()),
                Poll::Ready(Err(e)) => panic!("a test task was cancelled: {e}"),
            },
            Inner::AsyncStd(handle) => match Pin::new(handle).poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(value)) => Poll::Ready(value),
                Poll::Ready(Err(panic)) => resume_unwind(panic),
            },
        }
    }
}

/// Awaits every handle, in order.
pub(crate) async fn join_all<T>(handles: Vec<JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await);
    }
    out
}

/// Waits `duration` on the current runtime (through the crate's own shim).
pub(crate) async fn sleep(duration: Duration) {
    let rt = ferrodis_async::runtime::detect().expect("a runtime");
    ferrodis_async::runtime::sleep(&*rt, duration).await;
}

/// Runs `future` for at most `limit`; `None` if the time ran out (the future is dropped).
pub(crate) async fn timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    let rt = ferrodis_async::runtime::detect().expect("a runtime");
    ferrodis_async::runtime::timeout(&*rt, Some(limit), future).await
}

/// Lets the scheduler run other tasks once.
pub(crate) async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

/// Polls `future` at most `polls` times (yielding to the scheduler in between), and
/// returns its output if it completed; otherwise drops it, unfinished, and returns
/// `None`. `polls == 1` is "poll once, then drop".
pub(crate) async fn poll_at_most<F: Future>(future: F, polls: usize) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut left = polls.max(1);
    std::future::poll_fn(|cx| match future.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending => {
            left -= 1;
            if left == 0 {
                Poll::Ready(None)
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    })
    .await
}

/// Runs `f` on a thread where blocking is fine (stopping or restarting a server).
pub(crate) async fn spawn_blocking<T, F>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        match tokio::task::spawn_blocking(f).await {
            Ok(value) => value,
            Err(e) if e.is_panic() => resume_unwind(e.into_panic()),
            Err(e) => panic!("a blocking test task was cancelled: {e}"),
        }
    } else {
        async_std::task::spawn_blocking(f).await
    }
}
