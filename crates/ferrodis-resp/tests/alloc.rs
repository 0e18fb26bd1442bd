//! Allocation bounds, measured with a counting global allocator: a header announcing a
//! huge aggregate or blob must not make the decoder reserve memory for it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unsafe_code
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use bytes::BytesMut;
use ferrodis_resp::{decode, Decoder, Value};

struct Counting;

thread_local! {
    // Only the measuring thread counts, so the test harness and other tests running on
    // other threads cannot disturb a measurement. Const-initialized: no allocation.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn count(size: usize) {
    if MEASURING.with(Cell::get) {
        ALLOCATED.with(|a| a.set(a.get() + size));
        LARGEST.with(|l| l.set(l.get().max(size)));
    }
}

// SAFETY: forwards to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns (total bytes allocated on this thread, largest allocation).
fn measure(f: impl FnOnce()) -> (usize, usize) {
    ALLOCATED.with(|a| a.set(0));
    LARGEST.with(|l| l.set(0));
    MEASURING.with(|m| m.set(true));
    f();
    MEASURING.with(|m| m.set(false));
    (ALLOCATED.with(Cell::get), LARGEST.with(Cell::get))
}

#[test]
fn a_huge_array_header_reserves_nothing() {
    let mut buf = BytesMut::with_capacity(4096);
    let mut decoder = Decoder::new();
    let (total, largest) = measure(|| {
        buf.extend_from_slice(b"*4294967295\r\n");
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        buf.extend_from_slice(b":1\r\n:2\r\n$3\r\nabc\r\n");
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        for nested in [
            &b"%4294967295\r\n"[..],
            b"~4294967295\r\n",
            b">4294967295\r\n",
        ] {
            assert_eq!(decode(nested), Ok(None));
        }
    });
    assert!(total < 4096, "allocated {total} bytes (largest {largest})");
}

#[test]
fn a_huge_blob_header_reserves_nothing() {
    let mut buf = BytesMut::with_capacity(4096);
    let mut decoder = Decoder::new();
    let (total, _) = measure(|| {
        buf.extend_from_slice(b"$536870912\r\nabc");
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        assert_eq!(decode(b"*1\r\n$536870912\r\nabc"), Ok(None));
    });
    assert!(total < 4096, "allocated {total} bytes");
}

#[test]
fn a_complete_array_allocates_in_proportion_to_its_bytes() {
    let mut wire = b"*1000\r\n".to_vec();
    for _ in 0..1000 {
        wire.extend_from_slice(b":1\r\n");
    }
    let mut buf = BytesMut::from(&wire[..]);
    let mut decoder = Decoder::new();
    let mut value = None;
    let (total, _) = measure(|| value = decoder.decode(&mut buf).unwrap());
    let Some(Value::Array(items)) = value else {
        panic!()
    };
    assert_eq!(items.len(), 1000);
    // One Vec of 1000 values, plus small change.
    let exact = 1000 * std::mem::size_of::<Value>();
    assert!(
        total <= exact + 1024,
        "allocated {total}, expected about {exact}"
    );
}
