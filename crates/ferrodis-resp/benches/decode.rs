//! Decoder throughput on the three workloads of the project's benchmark plan, fed to
//! [`Decoder`] 16 KiB at a time as a socket would deliver them:
//!
//! - (a) 10,000 replies, each an array of 100 bulk strings of 16 bytes;
//! - (b) 1,000 bulk strings of 64 KiB;
//! - (c) 1,000,000 `:12345\r\n`.
//!
//! Each workload is measured twice: in MB/s of input (`decode_bytes/*`) and in replies
//! per second (`decode_replies/*`). `encode/*` measures writing commands.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ferrodis_resp::{encode_command, Decoder};

const CHUNK: usize = 16 * 1024;

struct Workload {
    name: &'static str,
    input: Vec<u8>,
    replies: u64,
}

fn workloads() -> Vec<Workload> {
    let mut arrays = Vec::new();
    for _ in 0..10_000 {
        arrays.extend_from_slice(b"*100\r\n");
        for i in 0..100u32 {
            arrays.extend_from_slice(b"$16\r\n");
            arrays.extend_from_slice(format!("value-{i:010}").as_bytes());
            arrays.extend_from_slice(b"\r\n");
        }
    }
    let mut bulks = Vec::new();
    let payload = vec![b'x'; 64 * 1024];
    for _ in 0..1_000 {
        bulks.extend_from_slice(b"$65536\r\n");
        bulks.extend_from_slice(&payload);
        bulks.extend_from_slice(b"\r\n");
    }
    let integers = b":12345\r\n".repeat(1_000_000);
    vec![
        Workload {
            name: "a_arrays_100x16B",
            input: arrays,
            replies: 10_000,
        },
        Workload {
            name: "b_bulk_64KiB",
            input: bulks,
            replies: 1_000,
        },
        Workload {
            name: "c_integers",
            input: integers,
            replies: 1_000_000,
        },
    ]
}

/// Feeds `input` 16 KiB at a time and decodes every reply; returns the count.
fn run(input: &[u8], buf: &mut BytesMut) -> u64 {
    let mut decoder = Decoder::new();
    let mut count = 0;
    for chunk in input.chunks(CHUNK) {
        buf.extend_from_slice(chunk);
        while let Some(value) = decoder.decode(buf).unwrap() {
            black_box(value);
            count += 1;
        }
    }
    count
}

fn decode(c: &mut Criterion) {
    let workloads = workloads();
    for (group_name, by_bytes) in [("decode_bytes", true), ("decode_replies", false)] {
        let mut group = c.benchmark_group(group_name);
        group.sample_size(20);
        for w in &workloads {
            group.throughput(if by_bytes {
                Throughput::Bytes(w.input.len() as u64)
            } else {
                Throughput::Elements(w.replies)
            });
            let mut buf = BytesMut::with_capacity(4 * CHUNK);
            assert_eq!(run(&w.input, &mut buf), w.replies);
            group.bench_function(w.name, |b| b.iter(|| run(&w.input, &mut buf)));
        }
        group.finish();
    }
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Elements(1));
    let mut out = BytesMut::with_capacity(1024);
    group.bench_function("set_key_value", |b| {
        b.iter(|| {
            out.clear();
            encode_command(&mut out, black_box(["SET", "key:000000001", "value"]));
            black_box(&out);
        })
    });
    group.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);
