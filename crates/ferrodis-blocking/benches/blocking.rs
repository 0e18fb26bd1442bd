//! The blocking client against a real, private redis-server, side by side with
//! `redis-benchmark` against the same server in the same run:
//!
//! - `get_sequential/connection`: `GET` of a 3-byte value, one at a time, on one
//!   connection (`Connection::query`): one round trip per command. Compare with
//!   `redis-benchmark -c 1 -P 1 -t get`.
//! - `get_sequential/client`: the same through `Client` (the `Commands` trait): each call
//!   borrows a pooled connection and gives it back.
//! - `set_pipeline_100/connection`: 100 `SET key:<i> xxx` sent in one write and their 100
//!   replies read (`send` x 100, `flush`, `recv` x 100). Compare with
//!   `redis-benchmark -c 1 -P 100 -t set`.
//! - `set_pipeline_100/pipeline`: the same through `client.plain_pipeline()` (the
//!   pipeline API: builds the commands, executes them, collects `Vec<Value>`).
//!
//! Throughput is in commands per second (criterion's "elem/s"). The server is started by
//! the bench (`ferrodis-tests`), with persistence off; `redis-benchmark` runs before and
//! after criterion, so the two figures also show how noisy the machine is, and at the end
//! five interleaved rounds of redis-benchmark and the same work through one ferrodis
//! connection print the medians side by side (the fairest comparison on a machine whose
//! round-trip time depends on what else runs).
//!
//! Run with `cargo xtask bench` (all benches) or
//! `cargo bench -p ferrodis-blocking --bench blocking`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

use bytes::Bytes;
use criterion::{Criterion, Throughput};
use ferrodis_blocking::Client;
use ferrodis_commands::{commands, Cmd, Commands, PipelineCommands};
use ferrodis_tests::RedisServer;

/// The key redis-benchmark's `GET` reads (without `-r` it is this literal name); we read
/// the same key, holding the same 3-byte value redis-benchmark's `SET` writes.
const KEY: &str = "key:__rand_int__";
const VALUE: &str = "xxx";

fn redis_benchmark(server: &RedisServer, when: &str) {
    let port = server.port().to_string();
    for (pipeline, test, n) in [("1", "get", "100000"), ("100", "set", "1000000")] {
        let output = Command::new("redis-benchmark")
            .args(["-h", "127.0.0.1", "-p", &port, "-c", "1", "-P", pipeline])
            .args(["-t", test, "-n", n, "-q"])
            .output();
        match output {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout);
                // -q prints progress lines ending in \r, then the summary.
                let summary = text.rsplit('\r').next().unwrap_or(&text).trim();
                println!("redis-benchmark -c 1 -P {pipeline:<3} -t {test} ({when}): {summary}");
            }
            Ok(out) => println!(
                "redis-benchmark -P {pipeline} -t {test} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => println!("redis-benchmark not run ({e}); install redis-tools to compare"),
        }
    }
}

/// Runs `redis-benchmark` once with `-q` and returns its requests per second.
fn redis_benchmark_rate(port: u16, pipeline: u32, test: &str, n: u32) -> Option<f64> {
    let out = Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-c", "1"])
        .args([
            "-P",
            &pipeline.to_string(),
            "-t",
            test,
            "-n",
            &n.to_string(),
            "-q",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let summary = text.rsplit('\r').next()?;
    let rate = summary.split(": ").nth(1)?.split(' ').next()?;
    rate.parse().ok()
}

/// Interleaved rounds of redis-benchmark and the same work done by ferrodis, so that both
/// see the same machine (this VM's round-trip latency swings by 3x with the load of the
/// other core): the medians of the rates, side by side.
fn side_by_side(server: &RedisServer, client: &Client) {
    const ROUNDS: usize = 5;
    let port = server.port();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut conn = client.get_connection().unwrap();
    let get = commands::get(KEY).into_cmd();
    let sets: Vec<Cmd> = (0..100)
        .map(|i| commands::set(format!("key:{i}"), VALUE).into_cmd())
        .collect();
    let (mut bench_get, mut ours_get, mut bench_set, mut ours_set) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        if let Some(rate) = redis_benchmark_rate(port, 1, "get", 20_000) {
            bench_get.push(rate);
        }
        let started = Instant::now();
        for _ in 0..20_000 {
            let value: Option<Bytes> = conn.query(&get).unwrap();
            black_box(value);
        }
        ours_get.push(20_000.0 / started.elapsed().as_secs_f64());

        if let Some(rate) = redis_benchmark_rate(port, 100, "set", 500_000) {
            bench_set.push(rate);
        }
        let started = Instant::now();
        for _ in 0..5_000 {
            for cmd in &sets {
                conn.send(cmd);
            }
            conn.flush().unwrap();
            for _ in 0..sets.len() {
                black_box(conn.recv().unwrap());
            }
        }
        ours_set.push(500_000.0 / started.elapsed().as_secs_f64());
    }
    if bench_get.is_empty() || bench_set.is_empty() {
        println!("side by side: redis-benchmark did not run");
        return;
    }
    println!("side by side, {ROUNDS} interleaved rounds, median ops/s:");
    println!(
        "  GET sequential (-c 1 -P 1):   redis-benchmark {:>10.0}   ferrodis {:>10.0}   ({:+.1}%)",
        median(bench_get.clone()),
        median(ours_get.clone()),
        (median(ours_get.clone()) / median(bench_get.clone()) - 1.0) * 100.0
    );
    println!(
        "  SET pipelines of 100 (-P 100): redis-benchmark {:>10.0}   ferrodis {:>10.0}   ({:+.1}%)",
        median(bench_set.clone()),
        median(ours_set.clone()),
        (median(ours_set.clone()) / median(bench_set.clone()) - 1.0) * 100.0
    );
    println!("  (each round: GET {bench_get:.0?} vs {ours_get:.0?}; SET {bench_set:.0?} vs {ours_set:.0?})");
}

fn get_sequential(c: &mut Criterion, client: &Client) {
    let mut group = c.benchmark_group("get_sequential");
    group.throughput(Throughput::Elements(1));
    let mut conn = client.get_connection().unwrap();
    let get = commands::get(KEY).into_cmd();
    group.bench_function("connection", |b| {
        b.iter(|| {
            let value: Option<Bytes> = conn.query(&get).unwrap();
            black_box(value);
        })
    });
    drop(conn);
    group.bench_function("client", |b| {
        b.iter(|| {
            let value: Option<Bytes> = client.get(black_box(KEY)).unwrap();
            black_box(value);
        })
    });
    group.finish();
}

fn set_pipeline_100(c: &mut Criterion, client: &Client) {
    let mut group = c.benchmark_group("set_pipeline_100");
    group.throughput(Throughput::Elements(100));
    let keys: Vec<String> = (0..100).map(|i| format!("key:{i}")).collect();
    let cmds: Vec<Cmd> = keys
        .iter()
        .map(|k| commands::set(k.as_str(), VALUE).into_cmd())
        .collect();
    let mut conn = client.get_connection().unwrap();
    group.bench_function("connection", |b| {
        b.iter(|| {
            for cmd in &cmds {
                conn.send(cmd);
            }
            conn.flush().unwrap();
            for _ in 0..cmds.len() {
                black_box(conn.recv().unwrap());
            }
        })
    });
    drop(conn);
    group.bench_function("pipeline", |b| {
        b.iter(|| {
            let mut pipe = client.plain_pipeline();
            for k in &keys {
                pipe.set(k.as_str(), VALUE);
            }
            black_box(pipe.execute().unwrap());
        })
    });
    group.finish();
}

fn main() {
    let server = RedisServer::builder()
        .start()
        .expect("could not start a redis-server for the benchmarks");
    let client = Client::open(server.url().as_str()).unwrap();
    client.set::<_, _, ()>(KEY, VALUE).unwrap();

    // Compare only in a real `cargo bench` run (criterion gets `--bench`): not under
    // `cargo test --benches` (each bench runs once), `--list` or `--profile-time`.
    let args: Vec<String> = std::env::args().collect();
    let compare = args.iter().any(|a| a == "--bench")
        && !args
            .iter()
            .any(|a| a == "--test" || a == "--list" || a == "--profile-time");
    if compare {
        redis_benchmark(&server, "before");
        client.set::<_, _, ()>(KEY, VALUE).unwrap();
    }

    let mut criterion = Criterion::default().configure_from_args();
    get_sequential(&mut criterion, &client);
    set_pipeline_100(&mut criterion, &client);
    criterion.final_summary();

    if compare {
        redis_benchmark(&server, "after");
        side_by_side(&server, &client);
    }
}
