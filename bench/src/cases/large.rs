//! `GET` of a 1 MiB value, one at a time on one connection: what the clients cost when
//! the reply is large (reading it in, handing it out) rather than the round trip.
//!
//! ferrodis returns `Bytes` sliced out of its read buffer; redis-rs returns the bulk
//! string's `Vec<u8>`. `redis-benchmark` runs the same `GET` (its own command line).

use std::sync::Arc;

use bytes::Bytes;
use ferrodis_async::AsyncCommands as _;
use ferrodis_commands::Commands as _;

use super::network::{contender, redis_benchmark, timed, Env};
use crate::harness::{Case, Group, Metric, Mode, Sample, Unavailable};

/// The key of the large value.
const LARGE_KEY: &str = "bench:large:1mib";
/// Its size.
const SIZE: usize = 1 << 20;

/// Adds the input rate in MB/s (10^6 bytes) to a run.
fn with_mb(sample: Result<Sample, Unavailable>) -> Result<Sample, Unavailable> {
    sample.map(|s| {
        let mb = s.ops as f64 * SIZE as f64 / 1e6 / s.secs;
        s.with("mb_per_s", mb)
    })
}

/// The large-value cases.
pub(crate) fn cases(env: &Env, mode: Mode) -> Vec<Case> {
    let ops = mode.scale(1_000, 5);
    let value = Bytes::from(vec![b'v'; SIZE]);
    let client = ferrodis_blocking::Client::open(env.url.as_str()).expect("ferrodis client");
    let _: () = client
        .set(LARGE_KEY, value)
        .expect("SET of the large value");
    let mut con = redis::Client::open(env.url.as_str())
        .and_then(|c| c.get_connection())
        .expect("redis-rs connection");
    let rt = Arc::clone(&env.tokio);
    let (ferrodis_async, redis_rs_async) = env.tokio_clients();
    let rt_redis_rs = Arc::clone(&rt);
    let port = env.port();
    vec![Case {
        id: "get-1mib",
        title: "GET of a 1 MiB value, sequential".into(),
        group: Group::LargeValues,
        unit: "GET",
        headline: Metric::Extra("mb_per_s"),
        contenders: vec![
            contender("ferrodis", move || {
                with_mb(timed(ops, || {
                    for _ in 0..ops {
                        let value: Option<Bytes> = client.get(LARGE_KEY).expect("GET");
                        assert_eq!(value.map(|v| v.len()), Some(SIZE));
                    }
                }))
            }),
            contender("ferrodis (tokio)", move || {
                with_mb(timed(ops, || {
                    rt.block_on(async {
                        for _ in 0..ops {
                            let value: Option<Bytes> =
                                ferrodis_async.get(LARGE_KEY).await.expect("GET");
                            assert_eq!(value.map(|v| v.len()), Some(SIZE));
                        }
                    });
                }))
            }),
            contender("redis-rs", move || {
                let get = redis::cmd("GET").arg(LARGE_KEY).to_owned();
                with_mb(timed(ops, || {
                    for _ in 0..ops {
                        let value: Option<Vec<u8>> = get.query(&mut con).expect("GET");
                        assert_eq!(value.map(|v| v.len()), Some(SIZE));
                    }
                }))
            }),
            contender("redis-rs (tokio)", move || {
                let mut con = redis_rs_async.clone();
                let get = redis::cmd("GET").arg(LARGE_KEY).to_owned();
                with_mb(timed(ops, || {
                    rt_redis_rs.block_on(async {
                        for _ in 0..ops {
                            let value: Option<Vec<u8>> =
                                get.query_async(&mut con).await.expect("GET");
                            assert_eq!(value.map(|v| v.len()), Some(SIZE));
                        }
                    });
                }))
            }),
            contender("redis-benchmark", move || {
                with_mb(redis_benchmark(
                    port,
                    &["-c", "1", "-P", "1", "GET", LARGE_KEY],
                    ops,
                ))
            }),
        ],
        targets: Vec::new(),
    }]
}
