//! Building and encoding commands:
//!
//! - `set/reused_cmd`: `SET key value` into a cleared, reused `Cmd` and output buffer (the
//!   path of a connection that keeps one `Cmd` around: no allocation);
//! - `set/constructor`: `commands::set("key", "value")` encoded into a reused buffer (one
//!   allocation: the `Cmd`'s buffer);
//! - `pipeline_100/*`: 100 `SET key:<i> value` commands encoded back to back into one
//!   buffer, with constructors and with a reused `Cmd`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ferrodis_commands::{commands, Cmd};

fn set(c: &mut Criterion) {
    let mut group = c.benchmark_group("set");
    group.throughput(Throughput::Elements(1));
    let mut cmd = Cmd::with_capacity(256);
    let mut out: Vec<u8> = Vec::with_capacity(256);
    group.bench_function("reused_cmd", |b| {
        b.iter(|| {
            cmd.clear();
            cmd.push_arg(black_box("SET"))
                .push_arg(black_box("key"))
                .push_arg(black_box("value"));
            out.clear();
            cmd.write_to(&mut out);
            black_box(&out);
        })
    });
    group.bench_function("constructor", |b| {
        b.iter(|| {
            out.clear();
            commands::set(black_box("key"), black_box("value"))
                .cmd()
                .write_to(&mut out);
            black_box(&out);
        })
    });
    group.finish();
}

fn pipeline(c: &mut Criterion) {
    let keys: Vec<String> = (0..100).map(|i| format!("key:{i}")).collect();
    let mut group = c.benchmark_group("pipeline_100");
    group.throughput(Throughput::Elements(keys.len() as u64));
    let mut out: Vec<u8> = Vec::with_capacity(64 * 1024);
    group.bench_function("constructors", |b| {
        b.iter(|| {
            out.clear();
            for key in &keys {
                commands::set(key.as_str(), black_box("value"))
                    .cmd()
                    .write_to(&mut out);
            }
            black_box(&out);
        })
    });
    let mut cmd = Cmd::with_capacity(256);
    group.bench_function("reused_cmd", |b| {
        b.iter(|| {
            out.clear();
            for key in &keys {
                cmd.clear();
                cmd.push_arg("SET")
                    .push_arg(key.as_str())
                    .push_arg(black_box("value"));
                cmd.write_to(&mut out);
            }
            black_box(&out);
        })
    });
    group.finish();
}

criterion_group!(benches, set, pipeline);
criterion_main!(benches);
