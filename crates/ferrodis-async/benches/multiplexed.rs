//! The async client's automatic pipelining, side by side with redis-rs 1.8's
//! `MultiplexedConnection`, against the same private redis-server in the same run.
//!
//! Cases (each a fixed amount of work, timed from the first request to the last reply):
//!
//! - `GET, 50 tasks`: 50 tasks each sending `GET` of a 3-byte value in a loop, all
//!   through one ferrodis `Client` (its one multiplexed connection: concurrent requests
//!   are coalesced into one write), on tokio (multi-thread, 2 workers) and on async-std;
//!   and the same through one redis-rs `MultiplexedConnection` (cloned into each task),
//!   on the same tokio runtime.
//! - `redis-benchmark -c 1 -P 50 -t get` against the same server, in the same rounds: one
//!   connection with 50 GETs in flight, like the 50 tasks, from a C client that writes
//!   pre-built buffers. It is the ceiling the server and the machine allow for that much
//!   concurrency on one connection: a client that beats redis-rs by far cannot beat this.
//! - `SET pipelines of 100`: one task sending pipelines of 100 `SET key:<i> xxx` and
//!   waiting for each: ferrodis `client.plain_pipeline()` (`execute()` collects the 100
//!   replies as `Vec<Value>`) versus `redis::pipe()` (`query_async::<Vec<redis::Value>>`).
//!
//! Both clients use their defaults (ferrodis speaks RESP3, redis-rs RESP2; for `GET` and
//! `SET` the replies are the same bytes but for the `+OK`/`$3` framing).
//!
//! The cases run in interleaved rounds (A B A B, the order alternating between rounds),
//! so that both clients see the same machine: on a small VM the round-trip time swings
//! with the load of the other core, and only figures taken side by side compare. Each
//! round prints its rates; at the end the medians and the ratios ferrodis/redis-rs.
//!
//! Run with `cargo bench -p ferrodis-async --bench multiplexed` (about half a minute),
//! or `-- --quick` for a smaller run; `-- --case NAME` runs only the named case(s)
//! (`get-ferrodis`, `get-redis-rs`, `get-ferrodis-async-std`, `get-redis-benchmark-p50`,
//! `pipe-ferrodis`,
//! `pipe-redis-rs`), for profiling one client alone. Under `cargo test --benches` it
//! does a tiny run, only to check that it works.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrodis_async::{AsyncCommands, Client, PipelineCommands};
use ferrodis_tests::RedisServer;

/// The key and value redis-benchmark's `GET` and `SET` use.
const KEY: &str = "key:__rand_int__";
const VALUE: &str = "xxx";
/// Concurrent tasks of the `GET` case.
const TASKS: usize = 50;
/// Commands per pipeline.
const PIPELINE: usize = 100;

/// How much work a run does.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    rounds: usize,
    /// `GET`s per task and round.
    gets_per_task: usize,
    /// Pipelines per round.
    pipelines: usize,
}

impl Sizes {
    fn from_args() -> (Sizes, &'static str) {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|a| a == "--quick") {
            let sizes = Sizes {
                rounds: 3,
                gets_per_task: 1_000,
                pipelines: 500,
            };
            (sizes, "quick")
        } else if args.iter().any(|a| a == "--bench") {
            let sizes = Sizes {
                rounds: 5,
                gets_per_task: 6_000,
                pipelines: 3_000,
            };
            (sizes, "full")
        } else {
            // `cargo test --benches`: check that it runs, no more.
            let sizes = Sizes {
                rounds: 3,
                gets_per_task: 20,
                pipelines: 10,
            };
            (sizes, "smoke test")
        }
    }
}

/// The rates of one case, one per round, in operations per second.
#[derive(Debug, Default)]
struct Rates(Vec<f64>);

impl Rates {
    fn push(&mut self, ops: usize, elapsed: Duration) -> f64 {
        let rate = ops as f64 / elapsed.as_secs_f64();
        self.0.push(rate);
        rate
    }

    fn median(&self) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return f64::NAN;
        }
        v[v.len() / 2]
    }
}

/// Runs `TASKS` copies of `task` (given its index) on tokio, and returns the elapsed time.
async fn tokio_tasks<F, Fut>(task: F) -> Duration
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let started = Instant::now();
    let handles: Vec<_> = (0..TASKS).map(|i| tokio::spawn(task(i))).collect();
    for handle in handles {
        handle.await.unwrap();
    }
    started.elapsed()
}

/// `GET` through one ferrodis `Client` from `TASKS` tokio tasks.
async fn ferrodis_get_tokio(client: &Client, gets: usize) -> Duration {
    tokio_tasks(|_| {
        let client = client.clone();
        async move {
            for _ in 0..gets {
                let value: Option<Bytes> = client.get(KEY).await.unwrap();
                black_box(value);
            }
        }
    })
    .await
}

/// `GET` through one redis-rs `MultiplexedConnection` from `TASKS` tokio tasks.
async fn redis_rs_get(con: &redis::aio::MultiplexedConnection, gets: usize) -> Duration {
    tokio_tasks(|_| {
        let mut con = con.clone();
        async move {
            let get = redis::cmd("GET").arg(KEY).to_owned();
            for _ in 0..gets {
                let value: Option<Vec<u8>> = get.query_async(&mut con).await.unwrap();
                black_box(value);
            }
        }
    })
    .await
}

/// `GET` through one ferrodis `Client` from `TASKS` async-std tasks.
async fn ferrodis_get_async_std(client: &Client, gets: usize) -> Duration {
    let started = Instant::now();
    let handles: Vec<_> = (0..TASKS)
        .map(|_| {
            let client = client.clone();
            async_std::task::spawn(async move {
                for _ in 0..gets {
                    let value: Option<Bytes> = client.get(KEY).await.unwrap();
                    black_box(value);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await;
    }
    started.elapsed()
}

/// Pipelines of `PIPELINE` `SET`s through `client.plain_pipeline()`, one after another.
async fn ferrodis_pipelines(client: &Client, keys: &[String], pipelines: usize) -> Duration {
    let started = Instant::now();
    for _ in 0..pipelines {
        let mut pipe = client.plain_pipeline();
        for key in keys {
            pipe.set(key.as_str(), VALUE);
        }
        black_box(pipe.execute().await.unwrap());
    }
    started.elapsed()
}

/// The same through `redis::pipe()` on a redis-rs `MultiplexedConnection`.
async fn redis_rs_pipelines(
    con: &redis::aio::MultiplexedConnection,
    keys: &[String],
    pipelines: usize,
) -> Duration {
    let mut con = con.clone();
    let started = Instant::now();
    for _ in 0..pipelines {
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("SET").arg(key.as_str()).arg(VALUE);
        }
        let replies: Vec<redis::Value> = pipe.query_async(&mut con).await.unwrap();
        black_box(replies);
    }
    started.elapsed()
}

/// The cases, in the order a round runs them (ferrodis and redis-rs swap places in odd
/// rounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    GetFerrodis,
    GetRedisRs,
    GetFerrodisAsyncStd,
    GetRedisBenchmark,
    PipeFerrodis,
    PipeRedisRs,
}

impl Case {
    const ALL: [Case; 6] = [
        Case::GetFerrodis,
        Case::GetRedisRs,
        Case::GetFerrodisAsyncStd,
        Case::GetRedisBenchmark,
        Case::PipeFerrodis,
        Case::PipeRedisRs,
    ];

    /// The name `--case` takes.
    fn name(self) -> &'static str {
        match self {
            Case::GetFerrodis => "get-ferrodis",
            Case::GetRedisRs => "get-redis-rs",
            Case::GetFerrodisAsyncStd => "get-ferrodis-async-std",
            Case::GetRedisBenchmark => "get-redis-benchmark-p50",
            Case::PipeFerrodis => "pipe-ferrodis",
            Case::PipeRedisRs => "pipe-redis-rs",
        }
    }

    /// The cases to run: all, or those named by `--case NAME` (repeatable), to profile
    /// one client alone (`perf record ... multiplexed --bench --case get-ferrodis`).
    fn selected() -> Vec<Case> {
        let args: Vec<String> = std::env::args().collect();
        let named: Vec<&str> = args
            .windows(2)
            .filter(|w| w[0] == "--case")
            .map(|w| w[1].as_str())
            .collect();
        if named.is_empty() {
            return Case::ALL.to_vec();
        }
        for name in &named {
            assert!(
                Case::ALL.iter().any(|c| c.name() == *name),
                "unknown case {name:?}; the cases are {:?}",
                Case::ALL.map(Case::name)
            );
        }
        Case::ALL
            .into_iter()
            .filter(|c| named.contains(&c.name()))
            .collect()
    }
}

/// `redis-benchmark -c 1 -P 50 -t get`: one connection with 50 GETs in flight, as the
/// 50 tasks keep at most; the rate the server reaches with a client that costs almost
/// nothing. Its rate, as (ops, time); NaN-rate (zero ops) when redis-benchmark is missing.
fn redis_benchmark_get(port: u16, ops: usize) -> (usize, Duration) {
    let output = std::process::Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-c", "1"])
        .args([
            "-P",
            &TASKS.to_string(),
            "-t",
            "get",
            "-n",
            &ops.to_string(),
            "--csv",
        ])
        .output();
    let rate = output.ok().and_then(|out| {
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find(|line| line.starts_with("\"GET\""))
            .and_then(|line| line.split(',').nth(1))
            .and_then(|rps| rps.trim_matches('"').parse::<f64>().ok())
    });
    match rate {
        Some(rate) if rate > 0.0 => (ops, Duration::from_secs_f64(ops as f64 / rate)),
        _ => (0, Duration::from_secs(1)),
    }
}

fn main() {
    let (sizes, mode) = Sizes::from_args();
    let cases = Case::selected();
    let server = RedisServer::builder()
        .start()
        .expect("could not start a redis-server for the benchmark");
    let url = server.url();
    let keys: Vec<String> = (0..PIPELINE).map(|i| format!("key:{i}")).collect();

    let tokio_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Each client is built inside the runtime it runs on (ferrodis detects it).
    let (ferrodis, redis_rs) = tokio_rt.block_on(async {
        let client = Client::open(url.as_str()).unwrap();
        let _: () = client.set(KEY, VALUE).await.unwrap();
        let con = redis::Client::open(url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        (client, con)
    });
    let ferrodis_async_std =
        async_std::task::block_on(async { Client::open(url.as_str()).unwrap() });

    println!(
        "multiplexed ({mode}): {} rounds; GET: {TASKS} tasks x {} per round; \
         SET: {} pipelines of {PIPELINE} per round",
        sizes.rounds, sizes.gets_per_task, sizes.pipelines
    );

    // Runs one case with `gets` GETs per task or `pipelines` pipelines; its ops and time.
    let run = |case: Case, gets: usize, pipelines: usize| -> (usize, Duration) {
        match case {
            Case::GetFerrodis => (
                TASKS * gets,
                tokio_rt.block_on(ferrodis_get_tokio(&ferrodis, gets)),
            ),
            Case::GetRedisRs => (
                TASKS * gets,
                tokio_rt.block_on(redis_rs_get(&redis_rs, gets)),
            ),
            Case::GetFerrodisAsyncStd => (
                TASKS * gets,
                async_std::task::block_on(ferrodis_get_async_std(&ferrodis_async_std, gets)),
            ),
            Case::GetRedisBenchmark => redis_benchmark_get(server.port(), TASKS * gets),
            Case::PipeFerrodis => (
                PIPELINE * pipelines,
                tokio_rt.block_on(ferrodis_pipelines(&ferrodis, &keys, pipelines)),
            ),
            Case::PipeRedisRs => (
                PIPELINE * pipelines,
                tokio_rt.block_on(redis_rs_pipelines(&redis_rs, &keys, pipelines)),
            ),
        }
    };

    // A short warm-up of every case (connections opened, buffers grown), not counted.
    for &case in &cases {
        run(
            case,
            (sizes.gets_per_task / 10).max(1),
            (sizes.pipelines / 10).max(1),
        );
    }

    let mut rates: Vec<(Case, Rates)> = cases.iter().map(|&c| (c, Rates::default())).collect();
    for round in 0..sizes.rounds {
        // A B in even rounds, B A in odd ones: neither client always goes first.
        let mut order = cases.clone();
        if round % 2 == 1 {
            for pair in [
                (Case::GetFerrodis, Case::GetRedisRs),
                (Case::PipeFerrodis, Case::PipeRedisRs),
            ] {
                let a = order.iter().position(|&c| c == pair.0);
                let b = order.iter().position(|&c| c == pair.1);
                if let (Some(a), Some(b)) = (a, b) {
                    order.swap(a, b);
                }
            }
        }
        let mut line = format!("round {}:", round + 1);
        for case in order {
            let (ops, elapsed) = run(case, sizes.gets_per_task, sizes.pipelines);
            if let Some((_, r)) = rates.iter_mut().find(|(c, _)| *c == case) {
                let rate = r.push(ops, elapsed);
                line.push_str(&format!(" {} {rate:.0};", case.name()));
            }
        }
        let last = |case: Case| {
            rates
                .iter()
                .find(|(c, _)| *c == case)
                .and_then(|(_, r)| r.0.last().copied())
        };
        for (what, ours, theirs) in [
            ("GET", Case::GetFerrodis, Case::GetRedisRs),
            ("SET pipelines", Case::PipeFerrodis, Case::PipeRedisRs),
        ] {
            if let (Some(a), Some(b)) = (last(ours), last(theirs)) {
                line.push_str(&format!(" {what} ferrodis/redis-rs {:.2}x;", a / b));
            }
        }
        println!("{line}");
    }

    let median = |case: Case| {
        rates
            .iter()
            .find(|(c, _)| *c == case)
            .map_or(f64::NAN, |(_, r)| r.median())
    };
    println!("medians over {} interleaved rounds (ops/s):", sizes.rounds);
    let (gf, gr, ga) = (
        median(Case::GetFerrodis),
        median(Case::GetRedisRs),
        median(Case::GetFerrodisAsyncStd),
    );
    let (pf, pr) = (median(Case::PipeFerrodis), median(Case::PipeRedisRs));
    let gb = median(Case::GetRedisBenchmark);
    println!(
        "  GET, {TASKS} tasks, one connection:  ferrodis (tokio) {gf:>9.0}   redis-rs {gr:>9.0}   \
         ferrodis/redis-rs {:.2}x   ferrodis (async-std) {ga:>9.0}",
        gf / gr
    );
    println!(
        "  the same 50 in flight from redis-benchmark -c 1 -P {TASKS} (C, one pre-built buffer, \
         no tasks): {gb:>9.0}   ferrodis/redis-benchmark {:.2}x",
        gf / gb
    );
    println!(
        "  SET, pipelines of {PIPELINE}:           ferrodis         {pf:>9.0}   redis-rs {pr:>9.0}   \
         ferrodis/redis-rs {:.2}x",
        pf / pr
    );
    drop(tokio_rt);
    drop(server);
}
