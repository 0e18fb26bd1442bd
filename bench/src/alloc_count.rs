//! A global allocator that counts allocations, for the allocation cases.
//!
//! It forwards to the system allocator. While no count is running it costs one relaxed
//! atomic load per allocation, so the timed cases in the same binary are not skewed;
//! while [`count`] runs, every allocation in the process (every thread: runtime workers
//! included, since their work is part of a round trip) bumps two counters.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The counting allocator (see the [module docs](self)).
#[derive(Debug)]
pub(crate) struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

#[inline]
fn record(size: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(size as u64, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees hold; counting touches only atomics and never allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded as is (see the impl).
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded as is (see the impl).
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A reallocation counts as one allocation of the new size.
        record(new_size);
        // SAFETY: forwarded as is (see the impl).
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is (see the impl).
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations and bytes allocated while `f` ran (reallocations included), in the whole
/// process. Counts do not nest: one count at a time.
pub(crate) fn count<R>(f: impl FnOnce() -> R) -> (R, u64, u64) {
    let (a0, b0) = (
        ALLOCATIONS.load(Ordering::SeqCst),
        BYTES.load(Ordering::SeqCst),
    );
    COUNTING.store(true, Ordering::SeqCst);
    let result = f();
    COUNTING.store(false, Ordering::SeqCst);
    let (a1, b1) = (
        ALLOCATIONS.load(Ordering::SeqCst),
        BYTES.load(Ordering::SeqCst),
    );
    (result, a1 - a0, b1 - b0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_allocations_made_inside_only() {
        let before = vec![0u8; 10];
        let (v, allocations, bytes) = count(|| {
            let a = vec![1u8; 100];
            let b = Box::new(7u64);
            (a, b)
        });
        drop(before);
        // Test threads may allocate meanwhile, so at least ours.
        assert!(allocations >= 2, "{allocations}");
        assert!(bytes >= 108, "{bytes}");
        assert_eq!(v.0.len(), 100);
        let ((), allocations, _) = count(|| {});
        assert!(allocations <= 2, "nothing allocated, yet {allocations}");
    }
}
