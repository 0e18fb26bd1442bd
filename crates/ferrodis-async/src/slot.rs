//! A one-shot rendezvous between one producer and one waiting task: where the
//! multiplexed connection's driver leaves a request's outcome.
//!
//! Runtime-agnostic (a mutex and a `Waker`), so the crate needs no runtime's channels.
//! Whoever completes the slot first wins; later completions are ignored, so a response
//! timeout and a late reply cannot both reach the caller. The waiting side may be dropped
//! at any time: the producer then completes a slot nobody reads, which is how an
//! abandoned request's reply is discarded.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// The shared half: completed by the producer.
#[derive(Debug)]
pub(crate) struct Slot<T> {
    state: Mutex<State<T>>,
}

#[derive(Debug)]
struct State<T> {
    value: Option<T>,
    completed: bool,
    waker: Option<Waker>,
}

impl<T> Slot<T> {
    /// A new, empty slot and the future that waits for it.
    pub(crate) fn new() -> (Arc<Slot<T>>, SlotFuture<T>) {
        let slot = Arc::new(Slot {
            state: Mutex::new(State {
                value: None,
                completed: false,
                waker: None,
            }),
        });
        (slot.clone(), SlotFuture { slot })
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic while holding this lock cannot leave the state half-changed (every
        // critical section is a few assignments), so a poisoned lock is still sound.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Completes the slot with `value`, unless it was completed already; returns the
    /// waker to wake (outside of any lock the caller holds).
    #[must_use = "wake the returned waker"]
    pub(crate) fn complete(&self, value: T) -> Option<Waker> {
        let mut state = self.lock();
        if state.completed {
            return None;
        }
        state.completed = true;
        state.value = Some(value);
        state.waker.take()
    }

    /// Whether the slot was completed.
    #[cfg(test)]
    pub(crate) fn is_completed(&self) -> bool {
        self.lock().completed
    }

    /// Whether the waiting side is gone (nobody will read the outcome).
    pub(crate) fn is_abandoned(self: &Arc<Self>) -> bool {
        Arc::strong_count(self) == 1
    }
}

/// The waiting half: resolves to the value the slot was completed with.
#[derive(Debug)]
pub(crate) struct SlotFuture<T> {
    slot: Arc<Slot<T>>,
}

impl<T> Future for SlotFuture<T> {
    /// `None` if the slot was completed and its value already taken (cannot happen
    /// through this API, but never panics).
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut state = self.slot.lock();
        if state.completed {
            return Poll::Ready(state.value.take());
        }
        match &mut state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            waker => *waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        let waker = crate::runtime::noop_waker();
        Pin::new(f).poll(&mut Context::from_waker(&waker))
    }

    #[test]
    fn the_first_completion_wins() {
        let (slot, mut fut) = Slot::new();
        assert!(poll_once(&mut fut).is_pending());
        drop(slot.complete(1));
        drop(slot.complete(2));
        assert_eq!(poll_once(&mut fut), Poll::Ready(Some(1)));
    }

    #[test]
    fn a_dropped_waiter_is_seen_as_abandoned() {
        let (slot, fut) = Slot::<u8>::new();
        assert!(!slot.is_abandoned());
        drop(fut);
        assert!(slot.is_abandoned());
        assert!(slot.complete(7).is_none());
        assert!(slot.is_completed());
    }
}
