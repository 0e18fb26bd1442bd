//! The `Client` against real servers, on tokio and async-std.
//!
//! - **Basics**: the generated `AsyncCommands`, `cmd()`, `query` with a `Typed` command,
//!   on RESP2 and RESP3; the client and its futures are `Send`.
//! - **BLPOP isolation** (redis-rs #361): a `BLPOP` on the Client goes to a pooled
//!   connection of its own, so concurrent `GET`s on the same Client finish while it is
//!   still blocked on the server, and an `RPUSH` from the same Client can wake it.
//!   Shown by ordering (the server reports the BLPOP blocked before and after the GETs
//!   ran), never by timing.
//! - **Server restart under load**: while many tasks loop over commands, the server is
//!   stopped and started again; every request gets exactly one outcome (a value, or a
//!   typed error), none hangs, and every task is served again once the server is back.
//! - **Timeouts**: a `BLPOP` longer than the response timeout does not time out (it
//!   waits its own timeout on top); a response timeout is `Error::Timeout` and leaves
//!   the client usable, every later request getting its own reply.
//! - **Retries**: when the multiplexed connection is killed with requests on it, a
//!   read-only `GET` is sent again and succeeds; a write (`INCR`, `SET`) is not (it gets
//!   the error, and did not run); with `retry_reads(false)` neither is.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod tasks;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrodis_async::{
    AsyncCommands, Client, Cmd, Connection, ConnectionConfig, Error, Protocol, Value,
};
use ferrodis_commands::{commands, ErrorCode, TimeoutKind};
use ferrodis_tests::{shared_server, RedisServer};

/// A bound for anything that must finish: reaching it means a hang, never slowness.
const HANG: Duration = Duration::from_secs(60);

fn assert_send<T: Send>(_: &T) {}
fn assert_client_traits<T: Clone + Send + Sync + 'static>() {}

/// The `CLIENT LIST` line of the connection with this id, or named `name`.
fn client_list_lines<'a>(list: &'a str, filter: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    list.lines()
        .filter(move |line| line.split(' ').any(|field| field == filter))
}

/// A field of a `CLIENT LIST` line (`flags`, `cmd`, `qbuf`, ...).
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    line.split(' ')
        .find_map(|f| f.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
        .unwrap_or("")
}

/// Whether the server reports a connection named `name` blocked in `BLPOP`.
async fn blpop_is_blocked(observer: &Client, name: &str) -> bool {
    let list: String = observer.cmd("CLIENT").arg("LIST").query().await.unwrap();
    let name = format!("name={name}");
    let blocked = client_list_lines(&list, &name)
        .any(|line| field(line, "cmd") == "blpop" && field(line, "flags").contains('b'));
    blocked
}

/// Waits until the server reports the `BLPOP` of connection `name` blocked.
async fn wait_blocked(observer: &Client, name: &str) {
    let started = Instant::now();
    while !blpop_is_blocked(observer, name).await {
        assert!(started.elapsed() < HANG, "the BLPOP never blocked");
        tasks::sleep(Duration::from_millis(5)).await;
    }
}

runtime_tests! {
    async fn commands_cmd_and_typed_queries_on_resp3_and_resp2() {
        assert_client_traits::<Client>();
        for (client, protocol) in [
            (common::client().await, Protocol::Resp3),
            (common::client_resp2().await, Protocol::Resp2),
        ] {
            let key = common::key(&format!("basics:{protocol:?}"));
            let hash = format!("{key}:hash");
            let _: i64 = client.del((&key, &hash)).await.unwrap();

            // aredis's first example: set, exists, incr to 101, expire, ttl.
            let ok: bool = client.set(&key, 100).await.unwrap();
            assert!(ok);
            let exists: i64 = client.exists(&key).await.unwrap();
            assert_eq!(exists, 1);
            let n: i64 = client.incr(&key).await.unwrap();
            assert_eq!(n, 101);
            let set: bool = client.expire(&key, 100).await.unwrap();
            assert!(set);
            let ttl: i64 = client.ttl(&key).await.unwrap();
            assert!((1..=100).contains(&ttl), "{ttl}");

            // Reply types are the caller's choice.
            let bytes: Option<Bytes> = client.get(&key).await.unwrap();
            assert_eq!(bytes.as_deref(), Some(&b"101"[..]));
            let text: String = client.get(&key).await.unwrap();
            assert_eq!(text, "101");
            let missing: Option<String> = client.get(format!("{key}:missing")).await.unwrap();
            assert_eq!(missing, None);
            let _: i64 = client.hset(&hash, ("a", "1")).await.unwrap();
            let _: i64 = client.hset(&hash, ("b", "2")).await.unwrap();
            let all: HashMap<String, i64> = client.hgetall(&hash).await.unwrap();
            assert_eq!(
                all,
                HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)])
            );

            // An error reply is a typed error; the client stays usable.
            let err = client.incr::<_, i64>(&hash).await.unwrap_err();
            match &err {
                Error::Server(e) => assert_eq!(e.code(), &ErrorCode::WrongType),
                other => panic!("expected a WRONGTYPE server error, got {other:?}"),
            }

            // Commands by name, typed constructors, and `query_as`.
            let pong: String = client.cmd("PING").arg("hello").query().await.unwrap();
            assert_eq!(pong, "hello");
            let typed: Option<Bytes> = client.query(commands::get(&key)).await.unwrap();
            assert_eq!(typed.as_deref(), Some(&b"101"[..]));
            let n: i64 = client
                .query_as(Cmd::new("INCRBY").arg(&key).arg(9))
                .await
                .unwrap();
            assert_eq!(n, 110);
            let value = client
                .query_value(&Cmd::new("GET").arg(&key))
                .await
                .unwrap();
            assert_eq!(value, Value::BulkString(Bytes::from_static(b"110")));

            // The protocol asked for is the one spoken.
            assert_eq!(client.multiplexed().await.unwrap().protocol(), protocol);

            // The futures are Send: they run on spawned tasks.
            let future = client.get::<_, Option<String>>(&key);
            assert_send(&future);
            drop(future);
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let (client, key) = (client.clone(), format!("{key}:{i}"));
                    tasks::spawn(async move {
                        let _: () = client.set(&key, i).await.unwrap();
                        let got: i64 = client.get(&key).await.unwrap();
                        let _: i64 = client.del(&key).await.unwrap();
                        got
                    })
                })
                .collect();
            assert_eq!(tasks::join_all(handles).await, (0..8).collect::<Vec<i64>>());
            let _: i64 = client.del((&key, &hash)).await.unwrap();
        }
    }

    async fn gets_finish_while_a_blpop_on_the_same_client_is_still_waiting() {
        let name = format!(
            "blpop-isolation-{}-{}",
            common::runtime_name(),
            std::process::id()
        );
        let config = ConnectionConfig::from_url(&shared_server().url())
            .unwrap()
            .client_name(name.as_str());
        let client = Client::open(config).unwrap();
        let list = common::key("blpop:empty");
        let key = common::key("blpop:value");
        let _: () = client.set(&key, "v").await.unwrap();
        let _: i64 = client.del(&list).await.unwrap();

        let blpop_done = Arc::new(AtomicBool::new(false));
        let blpop = {
            let (client, list, done) = (client.clone(), list.clone(), blpop_done.clone());
            tasks::spawn(async move {
                let popped: Option<(String, String)> = client.blpop(&list, 2).await.unwrap();
                done.store(true, Ordering::SeqCst);
                (popped, Instant::now())
            })
        };
        // The server says the BLPOP is blocked.
        wait_blocked(&client, &name).await;

        // Many GETs on the same Client, from many tasks.
        let handles: Vec<_> = (0..50)
            .map(|_| {
                let (client, key) = (client.clone(), key.clone());
                tasks::spawn(async move {
                    for _ in 0..20 {
                        let got: String = client.get(&key).await.unwrap();
                        assert_eq!(got, "v");
                    }
                    Instant::now()
                })
            })
            .collect();
        let finished = tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("the GETs hung");

        // They all finished while the BLPOP was still waiting: it has not returned, and
        // the server still has it blocked.
        assert!(
            !blpop_done.load(Ordering::SeqCst),
            "the BLPOP returned before the GETs finished"
        );
        assert!(
            blpop_is_blocked(&client, &name).await,
            "the BLPOP is no longer blocked"
        );
        let (popped, blpop_finished) = tasks::timeout(HANG, blpop).await.expect("the BLPOP hung");
        assert_eq!(
            popped, None,
            "the BLPOP should time out: nothing was pushed"
        );
        assert!(finished.iter().all(|&at| at < blpop_finished));
        // It ran on a pooled connection, not the shared multiplexed one.
        assert!(client.pool_status().open >= 1);
    }

    async fn a_push_from_the_same_client_wakes_its_blpop() {
        let name = format!(
            "blpop-wake-{}-{}",
            common::runtime_name(),
            std::process::id()
        );
        let config = ConnectionConfig::from_url(&shared_server().url())
            .unwrap()
            .client_name(name.as_str());
        let client = Client::open(config).unwrap();
        let list = common::key("blpop:wake");
        let _: i64 = client.del(&list).await.unwrap();
        let blpop = {
            let (client, list) = (client.clone(), list.clone());
            tasks::spawn(async move {
                client
                    .blpop::<_, _, Option<(String, String)>>(&list, 2)
                    .await
                    .unwrap()
            })
        };
        wait_blocked(&client, &name).await;
        // Were the BLPOP in the way of the Client's other commands, this RPUSH would wait
        // for its 2 s timeout, and the BLPOP would return nothing.
        let len: i64 = client.rpush(&list, "wake up").await.unwrap();
        assert_eq!(len, 1);
        let popped = tasks::timeout(HANG, blpop).await.expect("the BLPOP hung");
        assert_eq!(popped, Some((list.clone(), "wake up".to_owned())));
    }

    async fn a_blpop_longer_than_the_response_timeout_does_not_time_out() {
        // Blocking commands wait their own timeout on top of the response timeout.
        // (The setup goes through a client without a timeout, so that a loaded machine
        // cannot fail it; only the BLPOPs run with the short one.)
        let config = ConnectionConfig::from_url(&shared_server().url())
            .unwrap()
            .response_timeout(Duration::from_millis(500));
        let client = Client::open(config).unwrap();
        let setup = common::client().await;
        let list = common::key("blpop:long");
        let _: i64 = setup.del(&list).await.unwrap();
        let popped: Option<(String, String)> = client.blpop(&list, 1.5).await.unwrap();
        assert_eq!(popped, None);
        // And the BLPOP's connection went back to the pool in a usable state.
        let _: i64 = setup.rpush(&list, "x").await.unwrap();
        let popped: Option<(String, String)> = client.blpop(&list, 1).await.unwrap();
        assert_eq!(popped, Some((list.clone(), "x".to_owned())));
    }

    async fn a_response_timeout_on_the_client_leaves_it_usable() {
        let server = RedisServer::builder()
            .enable_debug_command()
            .start()
            .unwrap();
        let config = ConnectionConfig::from_url(&server.url())
            .unwrap()
            .response_timeout(Duration::from_millis(500));
        let client = Client::open(config).unwrap();
        let _: () = client.set("timeout:key", "mine").await.unwrap();
        let err = client
            .cmd("DEBUG")
            .arg("SLEEP")
            .arg("1.5")
            .query::<()>()
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Timeout {
                    kind: TimeoutKind::Response,
                    ..
                }
            ),
            "{err:?}"
        );
        // Once the server is awake, every request gets its own reply (not the late `+OK`).
        tasks::sleep(Duration::from_millis(1_800)).await;
        for _ in 0..10 {
            let got: String = client.get("timeout:key").await.unwrap();
            assert_eq!(got, "mine");
        }
        drop(server);
    }

    async fn every_request_gets_one_outcome_across_a_server_restart() {
        let server = RedisServer::start().unwrap();
        let config = ConnectionConfig::from_url(&server.url())
            .unwrap()
            .connect_timeout(Duration::from_secs(2))
            .response_timeout(Duration::from_secs(5));
        let client = Client::builder(config)
            .reconnect_backoff(Duration::from_millis(10), Duration::from_millis(200))
            .build()
            .unwrap();
        let _: () = client.set(common::key("restart:warm"), 1).await.unwrap();

        /// What one task saw.
        #[derive(Debug, Default)]
        struct Outcomes {
            ok: usize,
            errors: HashMap<String, usize>,
            /// Requests that neither answered nor failed within the generous bound.
            hung: usize,
            /// Values that were not what the request asked for.
            wrong: Vec<String>,
            /// Successes of requests started after the restart.
            ok_after_restart: usize,
        }
        let restarted = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        // Tasks that got a value for a request started after the restart.
        let recovered = Arc::new(AtomicUsize::new(0));
        const TASKS: usize = 24;
        let handles: Vec<_> = (0..TASKS)
            .map(|task| {
                let (client, restarted, stop, recovered) = (
                    client.clone(),
                    restarted.clone(),
                    stop.clone(),
                    recovered.clone(),
                );
                tasks::spawn(async move {
                    let mut seen = Outcomes::default();
                    let key = common::key(&format!("restart:{task}"));
                    let mut i = 0u64;
                    while !stop.load(Ordering::SeqCst) {
                        let after_restart = restarted.load(Ordering::SeqCst);
                        let outcome = match i % 3 {
                            0 => {
                                let expected = format!("{task}:{i}");
                                tasks::timeout(HANG, client.echo::<_, String>(&expected))
                                    .await
                                    .map(|r| {
                                        r.map(|got| {
                                            (got == expected)
                                                .then_some(())
                                                .ok_or(format!("echo {expected} -> {got}"))
                                        })
                                    })
                            }
                            1 => tasks::timeout(HANG, client.set::<_, _, ()>(&key, i))
                                .await
                                .map(|r| r.map(Ok)),
                            _ => tasks::timeout(HANG, client.get::<_, Option<u64>>(&key))
                                .await
                                .map(|r| {
                                    // The last SET, or nothing if the restart lost it (or it
                                    // failed): never another task's value.
                                    r.map(|got| match got {
                                        None => Ok(()),
                                        Some(v) if v < i => Ok(()),
                                        Some(v) => Err(format!("get {key} -> {v} at {i}")),
                                    })
                                }),
                        };
                        match outcome {
                            None => seen.hung += 1,
                            Some(Ok(Ok(()))) => {
                                seen.ok += 1;
                                if after_restart {
                                    if seen.ok_after_restart == 0 {
                                        recovered.fetch_add(1, Ordering::SeqCst);
                                    }
                                    seen.ok_after_restart += 1;
                                }
                            }
                            Some(Ok(Err(wrong))) => seen.wrong.push(wrong),
                            Some(Err(e)) => {
                                let kind = match &e {
                                    Error::Io { source } => format!("io {:?}", source.kind()),
                                    Error::Timeout { kind, .. } => format!("timeout {kind:?}"),
                                    other => format!("other: {other}"),
                                };
                                *seen.errors.entry(kind).or_default() += 1;
                                // Do not spin while the server is away.
                                tasks::sleep(Duration::from_millis(5)).await;
                            }
                        }
                        i += 1;
                    }
                    seen
                })
            })
            .collect();

        // Load first, then the server goes away for a while, then comes back. Blocking
        // here is fine: the test body is not one of the runtime's workers.
        let mut server = server;
        tasks::sleep(Duration::from_millis(300)).await;
        let mut server = tasks::spawn_blocking(move || {
            server.stop();
            server
        })
        .await;
        tasks::sleep(Duration::from_millis(500)).await;
        let server = tasks::spawn_blocking(move || {
            server.restart().unwrap();
            server
        })
        .await;
        restarted.store(true, Ordering::SeqCst);

        // Every task is served again once the server is back.
        let probe = {
            let started = Instant::now();
            loop {
                if client.ping::<()>().await.is_ok() {
                    break started.elapsed();
                }
                assert!(started.elapsed() < HANG, "the client never recovered");
                tasks::sleep(Duration::from_millis(20)).await;
            }
        };
        let started = Instant::now();
        while recovered.load(Ordering::SeqCst) < TASKS {
            assert!(
                started.elapsed() < HANG,
                "some tasks were never served again"
            );
            tasks::sleep(Duration::from_millis(10)).await;
        }
        stop.store(true, Ordering::SeqCst);
        let outcomes = tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("a load task hung");
        let mut errors: HashMap<String, usize> = HashMap::new();
        for seen in outcomes.iter() {
            for (kind, n) in &seen.errors {
                *errors.entry(kind.clone()).or_default() += n;
            }
        }
        let ok: usize = outcomes.iter().map(|s| s.ok).sum();
        println!(
            "restart under load: {ok} ok, errors {errors:?}, recovered {probe:?} after the restart"
        );
        for (task, seen) in outcomes.iter().enumerate() {
            assert_eq!(seen.hung, 0, "task {task}: requests hung: {seen:?}");
            assert!(seen.wrong.is_empty(), "task {task}: wrong values: {seen:?}");
            assert!(
                seen.ok_after_restart > 0,
                "task {task} never recovered: {seen:?}"
            );
        }
        // The only errors are those of a server going away (I/O errors: the connection
        // dropped, or was refused while the server was down; timeouts): typed.
        assert!(
            errors.keys().all(|kind| !kind.starts_with("other")),
            "unexpected errors: {errors:?}"
        );
        // And the client works as before.
        let _: () = client
            .set(common::key("restart:after"), "yes")
            .await
            .unwrap();
        let got: String = client.get(common::key("restart:after")).await.unwrap();
        assert_eq!(got, "yes");
        drop(server);
    }

    async fn an_idle_killed_multiplexed_connection_is_replaced_transparently() {
        let client = common::client().await;
        let key = common::key("killed:idle");
        let _: () = client.set(&key, "still here").await.unwrap();
        let id: i64 = client
            .multiplexed()
            .await
            .unwrap()
            .query(&Cmd::new("CLIENT").arg("ID"))
            .await
            .unwrap();
        let admin = Connection::open(shared_server().url()).await.unwrap();
        kill(admin, id).await;
        for _ in 0..10 {
            let got: String = client.get(&key).await.unwrap();
            assert_eq!(got, "still here");
        }
        let new_id: i64 = client
            .multiplexed()
            .await
            .unwrap()
            .query(&Cmd::new("CLIENT").arg("ID"))
            .await
            .unwrap();
        assert_ne!(new_id, id);
    }

    async fn a_read_in_flight_on_a_killed_connection_is_retried_and_a_write_is_not() {
        in_flight_when_killed(true).await;
    }

    async fn with_retry_reads_off_a_read_in_flight_on_a_killed_connection_fails() {
        in_flight_when_killed(false).await;
    }

    async fn a_quiet_shared_connection_is_pinged_before_it_is_used_again() {
        let server = RedisServer::start().unwrap();
        let client = Client::builder(server.url())
            .health_check_interval(Some(Duration::from_millis(100)))
            .build()
            .unwrap();
        let observer = Client::open(server.url()).unwrap();
        let _: Option<String> = client.get("health:key").await.unwrap();
        let before = ping_calls(&observer).await;
        // Busy: no check between back-to-back requests.
        for _ in 0..20 {
            let _: Option<String> = client.get("health:key").await.unwrap();
        }
        assert_eq!(ping_calls(&observer).await, before);
        // Quiet for longer than the interval: one PING before the next request.
        tasks::sleep(Duration::from_millis(250)).await;
        let _: Option<String> = client.get("health:key").await.unwrap();
        assert_eq!(ping_calls(&observer).await, before + 1);
    }

    async fn a_shared_connection_that_fails_its_health_check_is_replaced() {
        let server = RedisServer::start().unwrap();
        let config = ConnectionConfig::from_url(&server.url())
            .unwrap()
            .response_timeout(Duration::from_millis(300));
        let client = Client::builder(config)
            .health_check_interval(Some(Duration::from_millis(100)))
            .build()
            .unwrap();
        let first_mux: i64 = client
            .multiplexed()
            .await
            .unwrap()
            .query(&Cmd::new("CLIENT").arg("ID"))
            .await
            .unwrap();
        // The server stops answering for a while: the next health check's PING gets no
        // PONG in time, so the connection is given up and a new one opened (its
        // handshake waits for the pause to end).
        let mut admin = Connection::open(server.url()).await.unwrap();
        let _: () = admin
            .query(&Cmd::new("CLIENT").arg("PAUSE").arg(1_000).arg("ALL"))
            .await
            .unwrap();
        tasks::sleep(Duration::from_millis(150)).await;
        let checked = tasks::timeout(HANG, client.multiplexed())
            .await
            .expect("hung")
            .unwrap();
        // Once the pause is over, the connection in use is another one.
        tasks::sleep(Duration::from_millis(1_100)).await;
        let after: i64 = checked.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap();
        assert_ne!(after, first_mux, "the unresponsive connection was kept");
    }
}

/// How many `PING`s the server has run (`INFO commandstats`).
async fn ping_calls(observer: &Client) -> u64 {
    let info: String = observer
        .cmd("INFO")
        .arg("commandstats")
        .query()
        .await
        .unwrap();
    info.lines()
        .find_map(|line| line.strip_prefix("cmdstat_ping:calls="))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `CLIENT KILL ID id` from `admin`.
async fn kill(mut admin: Connection, id: i64) {
    let killed: i64 = admin
        .query(&Cmd::new("CLIENT").arg("KILL").arg("ID").arg(id))
        .await
        .unwrap();
    assert_eq!(killed, 1);
}

/// Kills the Client's multiplexed connection while a `SET`, an `INCR` and a `GET` are
/// on it, unanswered: a private server is paused for writes (`CLIENT PAUSE WRITE`), so
/// the `SET` is held, and the `INCR` and the `GET` queued behind it cannot run before it.
/// Then the connection is killed: the writes fail (they are never sent
/// again: the client cannot know they did not run), the `GET` is sent again when
/// `retry_reads` is on, and fails otherwise. After `CLIENT UNPAUSE`, the counter shows
/// that the `INCR` never ran.
async fn in_flight_when_killed(retry_reads: bool) {
    let server = RedisServer::start().unwrap();
    let client = Client::builder(server.url())
        .retry_reads(retry_reads)
        .build()
        .unwrap();
    let (key, counter, blocked) = ("retry:value", "retry:counter", "retry:blocked");
    let _: () = client.set(key, "value").await.unwrap();
    let mux = client.multiplexed().await.unwrap();
    let id: i64 = mux.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap();
    let mut admin = Connection::open(server.url()).await.unwrap();
    let _: () = admin
        .query(&Cmd::new("CLIENT").arg("PAUSE").arg(60_000).arg("WRITE"))
        .await
        .unwrap();

    // The SET is held by the pause; the server reports the connection blocked in it.
    let set = {
        let client = client.clone();
        tasks::spawn(async move { client.set::<_, _, ()>(blocked, "x").await })
    };
    let id_field = format!("id={id}");
    wait_for_client(&mut admin, &id_field, |line| {
        field(line, "flags").contains('b') && field(line, "cmd") == "set"
    })
    .await;
    // The INCR and the GET are queued behind it, on the same connection (on the wire,
    // unread by the paused server, or still in the client's write buffer: either way
    // they are the connection's, and die with it).
    let incr = {
        let client = client.clone();
        tasks::spawn(async move { client.incr::<_, i64>(counter).await })
    };
    let get = {
        let client = client.clone();
        tasks::spawn(async move { client.get::<_, Option<String>>(key).await })
    };
    let started = Instant::now();
    while mux.in_flight() < 3 {
        assert!(
            started.elapsed() < HANG,
            "the INCR and the GET were never queued"
        );
        tasks::sleep(Duration::from_millis(5)).await;
    }

    let _: i64 = admin
        .query(&Cmd::new("CLIENT").arg("KILL").arg("ID").arg(id))
        .await
        .unwrap();

    let get = tasks::timeout(HANG, get).await.expect("the GET hung");
    let incr = tasks::timeout(HANG, incr).await.expect("the INCR hung");
    let set = tasks::timeout(HANG, set).await.expect("the SET hung");
    if retry_reads {
        // Sent again on a new connection (reads are not held by PAUSE WRITE).
        assert_eq!(get.unwrap(), Some("value".to_owned()));
    } else {
        let err = get.unwrap_err();
        assert!(err.is_connection_dropped(), "{err:?}");
    }
    let err = incr.unwrap_err();
    assert!(err.is_connection_dropped(), "{err:?}");
    let err = set.unwrap_err();
    assert!(err.is_connection_dropped(), "{err:?}");

    let _: () = admin
        .query(&Cmd::new("CLIENT").arg("UNPAUSE"))
        .await
        .unwrap();
    // The INCR never ran, and was not sent again.
    let count: Option<i64> = client.get(counter).await.unwrap();
    assert_eq!(count, None);
    let n: i64 = client.incr(counter).await.unwrap();
    assert_eq!(n, 1);
    drop(server);
}

/// Waits until the `CLIENT LIST` line with `filter` satisfies `condition`.
async fn wait_for_client(admin: &mut Connection, filter: &str, condition: impl Fn(&str) -> bool) {
    let started = Instant::now();
    loop {
        let list: String = admin.query(&Cmd::new("CLIENT").arg("LIST")).await.unwrap();
        if client_list_lines(&list, filter).any(&condition) {
            return;
        }
        assert!(
            started.elapsed() < HANG,
            "no client `{filter}` in the expected state:\n{list}"
        );
        tasks::sleep(Duration::from_millis(5)).await;
    }
}
