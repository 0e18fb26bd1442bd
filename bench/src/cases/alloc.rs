//! Heap allocations per `GET` round trip, counted by the binary's global allocator
//! ([`crate::alloc_count`]), for ferrodis and redis-rs: blocking/sync on one connection,
//! and async (one task, one multiplexed connection, tokio).
//!
//! The count covers the whole process while the GETs run: for the async clients that
//! includes what the runtime allocates on the way (task wake-ups, the driver), since a
//! user pays for it too. Each run does a fixed number of sequential GETs of the 3-byte
//! value and divides.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use ferrodis_async::AsyncCommands as _;
use ferrodis_commands::Commands as _;

use super::network::{contender, Env, KEY, VALUE};
use crate::alloc_count;
use crate::harness::{Case, Group, Metric, Mode, Sample};

/// The allocation cases.
pub(crate) fn cases(env: &Env, mode: Mode) -> Vec<Case> {
    vec![blocking(env, mode), multiplexed(env, mode)]
}

/// Counts the allocations of `ops` calls of `get` and makes a sample of them.
fn counted(ops: u64, mut get: impl FnMut()) -> Sample {
    let started = Instant::now();
    let ((), allocations, bytes) = alloc_count::count(|| {
        for _ in 0..ops {
            get();
        }
    });
    let elapsed = started.elapsed();
    Sample::new(ops, elapsed)
        .with("allocs_per_op", allocations as f64 / ops as f64)
        .with("bytes_per_op", bytes as f64 / ops as f64)
}

/// The sync clients on one connection each.
fn blocking(env: &Env, mode: Mode) -> Case {
    let ops = mode.scale(5_000, 50);
    let client = ferrodis_blocking::Client::open(env.url.as_str()).expect("ferrodis client");
    let mut con = redis::Client::open(env.url.as_str())
        .and_then(|c| c.get_connection())
        .expect("redis-rs connection");
    let get = redis::cmd("GET").arg(KEY).to_owned();
    Case {
        id: "allocs-get-blocking",
        title: "Allocations per GET round trip, blocking".into(),
        group: Group::Allocations,
        unit: "GET",
        headline: Metric::Extra("allocs_per_op"),
        contenders: vec![
            contender("ferrodis", move || {
                Ok(counted(ops, || {
                    let value: Option<Bytes> = client.get(KEY).expect("GET");
                    assert_eq!(value.map(|v| v.len()), Some(VALUE.len()));
                }))
            }),
            contender("redis-rs", move || {
                Ok(counted(ops, || {
                    let value: Option<Vec<u8>> = get.query(&mut con).expect("GET");
                    assert_eq!(value.map(|v| v.len()), Some(VALUE.len()));
                }))
            }),
        ],
        targets: Vec::new(),
    }
}

/// The async clients, one task awaiting each GET in turn, on tokio.
fn multiplexed(env: &Env, mode: Mode) -> Case {
    let ops = mode.scale(5_000, 50);
    let rt = Arc::clone(&env.tokio);
    let (ferrodis, redis_rs) = env.tokio_clients();
    let rt_redis_rs = Arc::clone(&rt);
    Case {
        id: "allocs-get-async",
        title: "Allocations per GET round trip, async (tokio, one multiplexed connection)".into(),
        group: Group::Allocations,
        unit: "GET",
        headline: Metric::Extra("allocs_per_op"),
        contenders: vec![
            contender("ferrodis", move || {
                Ok(counted(ops, || {
                    let value: Option<Bytes> = rt.block_on(ferrodis.get(KEY)).expect("GET");
                    black_box(value);
                }))
            }),
            contender("redis-rs", move || {
                let mut con = redis_rs.clone();
                let get = redis::cmd("GET").arg(KEY).to_owned();
                Ok(counted(ops, || {
                    let value: Option<Vec<u8>> = rt_redis_rs
                        .block_on(get.query_async(&mut con))
                        .expect("GET");
                    black_box(value);
                }))
            }),
        ],
        targets: Vec::new(),
    }
}
