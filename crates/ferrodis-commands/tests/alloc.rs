//! Allocation counts of building and encoding commands, measured with a counting global
//! allocator: a reused `Cmd` and output buffer cost nothing per command, and a generated
//! constructor costs exactly one buffer (the `Cmd`'s own).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unsafe_code
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

use ferrodis_commands::{commands, Cmd};

struct Counting;

thread_local! {
    // Only the measuring thread counts, so the test harness and other tests running on
    // other threads cannot disturb a measurement. Const-initialized: no allocation.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn count(size: usize) {
    if MEASURING.with(Cell::get) {
        BYTES.with(|b| b.set(b.get() + size));
        COUNT.with(|c| c.set(c.get() + 1));
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

/// Runs `f` and returns (bytes allocated on this thread, number of allocations).
fn measure<T>(f: impl FnOnce() -> T) -> (usize, usize, T) {
    BYTES.with(|b| b.set(0));
    COUNT.with(|c| c.set(0));
    MEASURING.with(|m| m.set(true));
    let out = f();
    MEASURING.with(|m| m.set(false));
    (BYTES.with(Cell::get), COUNT.with(Cell::get), out)
}

const SET: &[u8] = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";

#[test]
fn a_reused_cmd_and_buffer_allocate_nothing() {
    let mut cmd = Cmd::with_capacity(256);
    let mut out: Vec<u8> = Vec::with_capacity(256);
    for round in 0..3 {
        let (bytes, count, ()) = measure(|| {
            cmd.clear();
            cmd.push_arg("SET").push_arg("key").push_arg("value");
            out.clear();
            cmd.write_to(&mut out);
        });
        assert_eq!((bytes, count), (0, 0), "round {round}");
        assert_eq!(out, SET);
    }
    // Integers and floats are formatted on the stack.
    let (bytes, _, ()) = measure(|| {
        cmd.clear();
        cmd.push_arg("SET")
            .push_arg("key")
            .push_arg(-1234567890i64)
            .push_arg(60u32)
            .push_arg(2.5f64);
        out.clear();
        cmd.write_to(&mut out);
    });
    assert_eq!(bytes, 0);
    assert_eq!(cmd.argc(), 5);
}

#[test]
fn a_constructor_allocates_one_buffer() {
    let mut out: Vec<u8> = Vec::with_capacity(256);
    let (bytes, count, typed) = measure(|| black_box(commands::set("key", "value")));
    assert_eq!(count, 1, "{bytes} bytes in {count} allocations");
    assert_eq!(typed.cmd().argc(), 3);
    // Encoding it into a buffer with room costs nothing more.
    let (bytes, count, ()) = measure(|| typed.cmd().write_to(&mut out));
    assert_eq!((bytes, count), (0, 0));
    assert_eq!(out, SET);
    // Counting numkeys does not allocate either.
    let (_, count, typed) = measure(|| black_box(commands::zunionstore("dst", ["a", "b"])));
    assert_eq!(count, 1);
    assert_eq!(typed.cmd().argc(), 5);
    // Neither does converting to a plain Cmd.
    let (_, count, cmd) = measure(|| Cmd::from(typed));
    assert_eq!(count, 0);
    assert_eq!(cmd.name(), b"ZUNIONSTORE");
}
