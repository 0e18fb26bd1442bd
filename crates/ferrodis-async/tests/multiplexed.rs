//! The multiplexed connection under abuse, against real servers, on tokio and async-std.
//!
//! - **Cancellation storm**: 200,000 `ECHO`s of unique payloads from 200 tasks on one
//!   connection; a random 10% are dropped before they complete (polled once, or a few
//!   times so that some are dropped with their request on the wire) and 10% race a random
//!   short timeout. Every reply that does arrive must be the caller's own payload
//!   (redis-py #2624, redis-rs #1252: a late reply handed to the next caller), and the
//!   connection still works afterwards.
//!   The same, smaller, through a `Client` speaking RESP2.
//! - **RESP3 pushes**: client-tracking invalidations, and pub/sub messages (on a
//!   connection subscribed with `MultiplexedConnection::subscribe`, or subscribed before
//!   it was shared), arrive on `pushes()` while other tasks keep getting their own
//!   replies: a push is never taken for a reply. A raw `SUBSCRIBE` through `query`, and
//!   `subscribe` on RESP2, are refused with `Error::PubSub`.
//! - **Backpressure**: with a small `max_in_flight`, many callers all complete, the bound
//!   holds, and callers dropped while waiting for room leak nothing.
//! - **Spinning**: with the driver's spin off, at the default limit and at a long one,
//!   replies that come long after the spin gave up (`DEBUG SLEEP`) still reach every
//!   caller.
//! - **Response timeout**: a request the server sits on (`DEBUG SLEEP`, private server)
//!   fails with `Error::Timeout`; its late reply is discarded and the next request gets
//!   its own reply.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod tasks;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ferrodis_async::{
    AsyncCommands, Client, Cmd, Connection, ConnectionConfig, Error, MultiplexedConnection,
    Protocol, PushStream, Value,
};
use ferrodis_commands::TimeoutKind;
use ferrodis_tests::{shared_server, RedisServer};
use futures_util::StreamExt;

/// A bound for anything that must finish: reaching it means a hang, never slowness.
const HANG: Duration = Duration::from_secs(60);

/// `ECHO payload`.
fn echo(payload: &[u8]) -> Cmd {
    Cmd::new("ECHO").arg(payload)
}

/// A payload unique to (`task`, `i`), of random length: mostly short, sometimes tens of
/// kilobytes so that replies arrive across several reads.
fn payload(rng: &mut fastrand::Rng, task: usize, i: usize) -> Bytes {
    let mut text = format!("{task}:{i}:").into_bytes();
    let filler = match rng.u32(0..1000) {
        0..5 => rng.usize(8_000..40_000),
        5..100 => rng.usize(100..2_000),
        _ => rng.usize(0..48),
    };
    text.extend(std::iter::repeat_with(|| rng.alphanumeric() as u8).take(filler));
    Bytes::from(text)
}

/// What one task of the storm saw.
#[derive(Debug, Default)]
struct Tally {
    completed: usize,
    dropped: usize,
    timed_out: usize,
    /// Replies that were not the caller's own payload (must stay empty).
    wrong: Vec<String>,
    /// Errors (must stay empty: nothing here should fail).
    errors: Vec<String>,
}

impl Tally {
    fn check(&mut self, expected: &Bytes, reply: Result<Bytes, Error>) {
        match reply {
            Ok(got) if got == *expected => self.completed += 1,
            Ok(got) => self.wrong.push(format!(
                "expected {:?}, got {:?}",
                String::from_utf8_lossy(&expected[..expected.len().min(40)]),
                String::from_utf8_lossy(&got[..got.len().min(40)])
            )),
            Err(e) => self.errors.push(e.to_string()),
        }
    }
}

runtime_tests! {
    async fn cancellation_storm_never_hands_a_reply_to_the_wrong_caller() {
        let conn = MultiplexedConnection::open(shared_server().url())
            .await
            .unwrap();
        storm(&conn, 200, 1_000).await;

        // The connection still works: sequentially, and concurrently.
        assert!(!conn.is_closed());
        for i in 0..100 {
            let expected = format!("after:{i}");
            let got: String = conn.query(&echo(expected.as_bytes())).await.unwrap();
            assert_eq!(got, expected);
        }
        let handles: Vec<_> = (0..50)
            .map(|task| {
                let conn = conn.clone();
                tasks::spawn(async move {
                    for i in 0..20 {
                        let expected = format!("after:{task}:{i}");
                        let got: String = conn.query(&echo(expected.as_bytes())).await.unwrap();
                        assert_eq!(got, expected);
                    }
                })
            })
            .collect();
        tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("hung after the storm");
        // Every late reply was read and discarded: nothing is owed any more.
        wait_until(|| conn.in_flight() == 0).await;
    }

    async fn a_storm_through_the_client_on_resp2_never_mixes_up_replies() {
        let client = common::client_resp2().await;
        let conn = client.multiplexed().await.unwrap();
        assert_eq!(conn.protocol(), Protocol::Resp2);
        storm(&client, 50, 400).await;
        for i in 0..20 {
            let expected = format!("after:{i}");
            let got: String = client.echo(&expected).await.unwrap();
            assert_eq!(got, expected);
        }
        let conn = client.multiplexed().await.unwrap();
        wait_until(|| conn.in_flight() == 0).await;
    }

    async fn tracking_invalidations_arrive_on_pushes_between_replies() {
        let url = shared_server().url();
        let conn = MultiplexedConnection::open(url.as_str()).await.unwrap();
        assert_eq!(conn.protocol(), Protocol::Resp3);
        let mut pushes = conn.pushes();
        let writer = MultiplexedConnection::open(url.as_str()).await.unwrap();
        let key = common::key("tracked");
        let _: () = conn
            .query(&Cmd::new("CLIENT").arg("TRACKING").arg("ON"))
            .await
            .unwrap();

        // Other tasks keep the connection busy the whole time.
        let stop = Arc::new(AtomicBool::new(false));
        let echoes = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..8)
            .map(|task| {
                let (conn, stop, echoes) = (conn.clone(), stop.clone(), echoes.clone());
                tasks::spawn(async move {
                    let mut i = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let expected = format!("busy:{task}:{i}");
                        let got: String = conn.query(&echo(expected.as_bytes())).await.unwrap();
                        assert_eq!(got, expected, "a reply went to the wrong caller");
                        echoes.fetch_add(1, Ordering::Relaxed);
                        i += 1;
                    }
                })
            })
            .collect();

        for round in 0..20i64 {
            // The key is not tracked here (the last invalidation ended that): no push.
            let _: () = writer.set(&key, round).await.unwrap();
            // Reading it on `conn` starts tracking it; the reply is the GET's own.
            let got: i64 = conn.get(&key).await.unwrap();
            assert_eq!(got, round);
            // Another connection changes it: the server pushes an invalidation to `conn`.
            let _: () = writer.set(&key, round + 1_000).await.unwrap();
            let push = tasks::timeout(Duration::from_secs(10), pushes.next())
                .await
                .unwrap_or_else(|| panic!("round {round}: no invalidation arrived"))
                .expect("the push stream ended");
            let items = push_items(&push);
            assert_eq!(
                items.first(),
                Some(&Value::BulkString(Bytes::from_static(b"invalidate"))),
                "{push:?}"
            );
            assert_eq!(
                items.get(1),
                Some(&Value::Array(vec![Value::BulkString(Bytes::from(
                    key.clone()
                ))])),
                "{push:?}"
            );
        }

        stop.store(true, Ordering::Relaxed);
        tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("the echo tasks hung");
        assert!(echoes.load(Ordering::Relaxed) > 0);
        // Nothing else was pushed, and no reply was taken for a push.
        assert!(
            tasks::poll_at_most(pushes.next(), 1).await.is_none(),
            "an unexpected push"
        );
        let got: String = conn.query(&echo(b"still in sync")).await.unwrap();
        assert_eq!(got, "still in sync");
    }

    async fn subscribe_on_a_multiplexed_connection_is_refused_and_replies_stay_in_step() {
        let conn = MultiplexedConnection::open(shared_server().url())
            .await
            .unwrap();
        let channel = common::key("refused");
        for name in ["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"] {
            let err = conn
                .query_value(&Cmd::new(name).arg(&channel))
                .await
                .unwrap_err();
            assert!(matches!(err, Error::PubSub { .. }), "{name}: {err:?}");
        }
        let got: String = conn.query(&echo(b"in step")).await.unwrap();
        assert_eq!(got, "in step");
        assert_eq!(conn.in_flight(), 0);
    }

    async fn subscriptions_on_a_resp3_multiplexed_connection_arrive_on_pushes() {
        let url = shared_server().url();
        let conn = MultiplexedConnection::open(url.as_str()).await.unwrap();
        let mut pushes = conn.pushes();
        let publisher = common::client().await;
        let channel = common::key("mux-sub");
        let prefix = common::key("mux-psub");
        let pattern = format!("{prefix}:*");

        // Other tasks keep the connection busy the whole time.
        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = (0..8)
            .map(|task| {
                let (conn, stop) = (conn.clone(), stop.clone());
                tasks::spawn(async move {
                    let mut i = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let expected = format!("mux-sub:{task}:{i}");
                        let got: String = conn.query(&echo(expected.as_bytes())).await.unwrap();
                        assert_eq!(got, expected, "a reply went to the wrong caller");
                        i += 1;
                    }
                    i
                })
            })
            .collect();

        // The confirmations are pushes too, in order.
        conn.subscribe(&channel).await.unwrap();
        conn.psubscribe(&pattern).await.unwrap();
        assert_eq!(
            next_push(&mut pushes).await,
            [bulk("subscribe"), bulk(&channel), Value::Integer(1)]
        );
        assert_eq!(
            next_push(&mut pushes).await,
            [bulk("psubscribe"), bulk(&pattern), Value::Integer(2)]
        );

        for i in 0..30 {
            let text = format!("message {i}");
            let receivers: i64 = publisher.publish(&channel, &text).await.unwrap();
            assert_eq!(receivers, 1);
            assert_eq!(
                next_push(&mut pushes).await,
                [bulk("message"), bulk(&channel), bulk(&text)]
            );
            let matching = format!("{prefix}:{i}");
            let receivers: i64 = publisher.publish(&matching, &text).await.unwrap();
            assert_eq!(receivers, 1);
            assert_eq!(
                next_push(&mut pushes).await,
                [
                    bulk("pmessage"),
                    bulk(&pattern),
                    bulk(&matching),
                    bulk(&text)
                ]
            );
        }

        conn.unsubscribe(&channel).await.unwrap();
        assert_eq!(
            next_push(&mut pushes).await,
            [bulk("unsubscribe"), bulk(&channel), Value::Integer(1)]
        );
        let receivers: i64 = publisher.publish(&channel, "nobody").await.unwrap();
        assert_eq!(receivers, 0);

        stop.store(true, Ordering::Relaxed);
        let echoed: u64 = tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("the echo tasks hung")
            .into_iter()
            .sum();
        assert!(echoed > 0);
        let got: String = conn.query(&echo(b"still in step")).await.unwrap();
        assert_eq!(got, "still in step");
    }

    async fn subscribe_on_a_resp2_multiplexed_connection_is_refused() {
        let url = format!("{}?protocol=resp2", shared_server().url());
        let conn = MultiplexedConnection::open(url).await.unwrap();
        assert_eq!(conn.protocol(), Protocol::Resp2);
        let err = conn.subscribe(common::key("resp2-sub")).await.unwrap_err();
        assert!(matches!(err, Error::PubSub { .. }), "{err:?}");
        let got: String = conn.query(&echo(b"in step")).await.unwrap();
        assert_eq!(got, "in step");
    }

    async fn commands_that_would_stall_or_change_a_shared_connection_are_refused() {
        let conn = MultiplexedConnection::open(shared_server().url()).await.unwrap();
        let list = common::key("refused-blpop");
        for cmd in [
            Cmd::new("BLPOP").arg(&list).arg(1),
            Cmd::new("XREAD").arg("BLOCK").arg(100).arg("STREAMS").arg(&list).arg("$"),
            Cmd::new("WAIT").arg(0).arg(100),
            Cmd::new("WATCH").arg(&list),
            Cmd::new("MULTI"),
            Cmd::new("CLIENT").arg("REPLY").arg("OFF"),
            Cmd::new("MONITOR"),
        ] {
            let err = conn.query::<Value>(&cmd).await.unwrap_err();
            assert!(matches!(err, Error::Config { part: "command", .. }), "{err:?}");
        }
        // Nothing was sent: the connection is as it was.
        let got: String = conn.query(&echo(b"untouched")).await.unwrap();
        assert_eq!(got, "untouched");
        assert_eq!(conn.in_flight(), 0);
    }

    async fn pubsub_pushes_on_a_subscribed_resp3_connection_never_pass_for_replies() {
        // A RESP3 connection may run ordinary commands while subscribed: subscribe on an
        // exclusive connection, then share it. Messages are pushes, interleaved with the
        // replies of the tasks that keep using it.
        let url = shared_server().url();
        let channel = common::key("pushes");
        let mut exclusive = Connection::open(url.as_str()).await.unwrap();
        assert_eq!(exclusive.protocol(), Protocol::Resp3);
        exclusive.send_untracked(&Cmd::new("SUBSCRIBE").arg(&channel));
        exclusive.flush().await.unwrap();
        let conn = exclusive.into_multiplexed();
        let mut pushes = conn.pushes();
        let publisher = common::client().await;
        wait_subscribed(&publisher, &channel).await;

        let stop = Arc::new(AtomicBool::new(false));
        let handles: Vec<_> = (0..8)
            .map(|task| {
                let (conn, stop) = (conn.clone(), stop.clone());
                tasks::spawn(async move {
                    let mut i = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let expected = format!("sub:{task}:{i}");
                        let got: String = conn.query(&echo(expected.as_bytes())).await.unwrap();
                        assert_eq!(got, expected, "a reply went to the wrong caller");
                        i += 1;
                    }
                    i
                })
            })
            .collect();
        for i in 0..50 {
            let text = format!("message {i}");
            let receivers: i64 = publisher.publish(&channel, &text).await.unwrap();
            assert_eq!(receivers, 1);
            // Skip the subscription's confirmation (also a push), if it is still queued.
            let message = loop {
                let push = tasks::timeout(Duration::from_secs(10), pushes.next())
                    .await
                    .unwrap_or_else(|| panic!("message {i} never arrived"))
                    .expect("the push stream ended");
                let items = push_items(&push).to_vec();
                if items.first() == Some(&Value::BulkString(Bytes::from_static(b"message"))) {
                    break items;
                }
            };
            assert_eq!(
                message,
                [
                    Value::BulkString(Bytes::from_static(b"message")),
                    Value::BulkString(Bytes::from(channel.clone())),
                    Value::BulkString(Bytes::from(text)),
                ]
            );
        }
        stop.store(true, Ordering::Relaxed);
        let echoed: u64 = tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("the echo tasks hung")
            .into_iter()
            .sum();
        assert!(echoed > 0);
        let got: String = conn.query(&echo(b"still in step")).await.unwrap();
        assert_eq!(got, "still in step");
    }

    async fn a_killed_connection_fails_every_request_and_ends_the_push_stream() {
        // A private server paused for writes holds the SETs: they are in flight (on the
        // wire or queued) when the connection is killed.
        let server = RedisServer::start().unwrap();
        let conn = MultiplexedConnection::open(server.url()).await.unwrap();
        let mut pushes = conn.pushes();
        let id: i64 = conn.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap();
        let mut admin = Connection::open(server.url()).await.unwrap();
        let _: () = admin
            .query(&Cmd::new("CLIENT").arg("PAUSE").arg(60_000).arg("WRITE"))
            .await
            .unwrap();
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let conn = conn.clone();
                tasks::spawn(async move { conn.set::<_, _, ()>(format!("killed:{i}"), i).await })
            })
            .collect();
        let started = std::time::Instant::now();
        while conn.in_flight() < 20 {
            assert!(started.elapsed() < HANG, "the SETs were never queued");
            tasks::sleep(Duration::from_millis(5)).await;
        }
        let killed: i64 = admin
            .query(&Cmd::new("CLIENT").arg("KILL").arg("ID").arg(id))
            .await
            .unwrap();
        assert_eq!(killed, 1);

        // Every request in flight gets a typed error; none hangs.
        for outcome in tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("hung")
        {
            let err = outcome.unwrap_err();
            assert!(err.is_connection_dropped(), "{err:?}");
        }
        assert!(conn.is_closed());
        assert_eq!(conn.in_flight(), 0);
        // Later requests fail at once; the push stream ends.
        let err = tasks::timeout(HANG, conn.query::<String>(&echo(b"late")))
            .await
            .expect("a request on a closed connection hung")
            .unwrap_err();
        assert!(err.is_connection_dropped(), "{err:?}");
        let end = tasks::timeout(HANG, pushes.next())
            .await
            .expect("the push stream hung");
        assert_eq!(end, None);
        let _: () = admin
            .query(&Cmd::new("CLIENT").arg("UNPAUSE"))
            .await
            .unwrap();
    }

    async fn dropping_every_handle_closes_the_socket() {
        let url = shared_server().url();
        let conn = MultiplexedConnection::open(url.as_str()).await.unwrap();
        let id: i64 = conn.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap();
        let clones: Vec<_> = (0..4).map(|_| conn.clone()).collect();
        let mut observer = Connection::open(url.as_str()).await.unwrap();
        let id_field = format!("id={id}");
        let listed = |list: &str| list.lines().any(|l| l.split(' ').any(|f| f == id_field));
        let list: String = observer
            .query(&Cmd::new("CLIENT").arg("LIST"))
            .await
            .unwrap();
        assert!(listed(&list));
        drop(conn);
        drop(clones);
        // The driver closes the socket: the server forgets the connection.
        let started = std::time::Instant::now();
        loop {
            let list: String = observer
                .query(&Cmd::new("CLIENT").arg("LIST"))
                .await
                .unwrap();
            if !listed(&list) {
                break;
            }
            assert!(started.elapsed() < HANG, "the connection was never closed");
            tasks::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn backpressure_bounds_in_flight_requests_and_every_caller_completes() {
        const BOUND: usize = 4;
        let client = Client::builder(shared_server().url())
            .max_in_flight(BOUND)
            .build()
            .unwrap();
        let conn = client.multiplexed().await.unwrap();

        // A watcher samples the number of requests on the wire the whole time.
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = {
            let (conn, stop) = (conn.clone(), stop.clone());
            tasks::spawn(async move {
                let mut most = 0;
                while !stop.load(Ordering::Relaxed) {
                    most = most.max(conn.in_flight());
                    tasks::yield_now().await;
                }
                most
            })
        };
        let handles: Vec<_> = (0..200)
            .map(|task| {
                let client = client.clone();
                tasks::spawn(async move {
                    for i in 0..50 {
                        let expected = format!("bp:{task}:{i}");
                        let got: String = client.echo(&expected).await.unwrap();
                        assert_eq!(got, expected);
                    }
                })
            })
            .collect();
        tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("callers hung behind the bound");
        stop.store(true, Ordering::Relaxed);
        let most = watcher.await;
        assert!(most <= BOUND, "{most} requests in flight, bound {BOUND}");
    }

    async fn callers_dropped_while_waiting_for_room_leak_nothing() {
        const BOUND: usize = 2;
        let client = Client::builder(shared_server().url())
            .max_in_flight(BOUND)
            .build()
            .unwrap();
        // Many callers at once, most abandoned after a poll or a few: some while waiting
        // for room, some with their request on the wire.
        let handles: Vec<_> = (0..100)
            .map(|task| {
                let client = client.clone();
                tasks::spawn(async move {
                    let mut rng = fastrand::Rng::with_seed(task);
                    for i in 0..100 {
                        let expected = format!("room:{task}:{i}");
                        let polls = match rng.u32(0..3) {
                            0 => 1,
                            1 => rng.usize(2..20),
                            _ => usize::MAX,
                        };
                        if let Some(reply) =
                            tasks::poll_at_most(client.echo::<_, String>(&expected), polls).await
                        {
                            assert_eq!(reply.unwrap(), expected);
                        }
                    }
                })
            })
            .collect();
        tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("callers hung");
        // Had an abandoned caller kept its room, these would wait forever.
        let handles: Vec<_> = (0..BOUND * 4)
            .map(|task| {
                let client = client.clone();
                tasks::spawn(async move {
                    let expected = format!("room:after:{task}");
                    let got: String = client.echo(&expected).await.unwrap();
                    assert_eq!(got, expected);
                })
            })
            .collect();
        tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("room leaked");
        let conn = client.multiplexed().await.unwrap();
        wait_until(|| conn.in_flight() == 0).await;
    }

    async fn a_response_timeout_fails_that_request_and_the_next_gets_its_own_reply() {
        let server = RedisServer::builder()
            .enable_debug_command()
            .start()
            .unwrap();
        let config = ConnectionConfig::from_url(&server.url())
            .unwrap()
            .response_timeout(Duration::from_millis(500));
        let conn = MultiplexedConnection::open(config).await.unwrap();
        let got: String = conn.query(&echo(b"before")).await.unwrap();
        assert_eq!(got, "before");

        // The server sleeps for 1.5 s: this request times out; its `+OK` comes later.
        let err = conn
            .query::<Value>(&Cmd::new("DEBUG").arg("SLEEP").arg("1.5"))
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
        // Requests sent while it sleeps: each times out, or gets its own reply.
        let handles: Vec<_> = (0..10)
            .map(|task| {
                let conn = conn.clone();
                tasks::spawn(async move {
                    let expected = format!("during:{task}");
                    match conn.query::<String>(&echo(expected.as_bytes())).await {
                        Ok(got) => assert_eq!(got, expected),
                        Err(e) => assert!(e.is_timeout(), "{e:?}"),
                    }
                })
            })
            .collect();
        tasks::timeout(HANG, tasks::join_all(handles))
            .await
            .expect("hung");

        // Once the server is awake, the next request gets its own reply, not the
        // `+OK` of `DEBUG SLEEP` nor an echo of the requests above.
        tasks::sleep(Duration::from_millis(2_000)).await;
        assert!(
            !conn.is_closed(),
            "a response timeout must not close the connection"
        );
        for i in 0..10 {
            let expected = format!("next:{i}");
            let got: String = conn.query(&echo(expected.as_bytes())).await.unwrap();
            assert_eq!(got, expected);
        }
        drop(server);
    }

    async fn a_spinning_driver_parks_and_still_gets_replies_that_come_late() {
        // The driver spins while replies are owed (`ferrodis_async::spin`), for at most
        // its limit; replies that take longer must still wake it once it has parked.
        let server = RedisServer::builder()
            .enable_debug_command()
            .start()
            .unwrap();
        for limit in [Duration::ZERO, Duration::from_micros(100), Duration::from_millis(5)] {
            let client = Client::builder(server.url())
                .spin_wait(limit)
                .build()
                .unwrap();
            let _: Value = client.ping().await.unwrap();
            // The server sleeps 300 ms: everything queued behind it waits that long,
            // far past any spin, with many requests owed (the driver spins, then parks).
            let sleeper = {
                let client = client.clone();
                tasks::spawn(async move {
                    let reply: Value = client
                        .query_as(Cmd::new("DEBUG").arg("SLEEP").arg("0.3"))
                        .await
                        .unwrap();
                    assert_eq!(reply, Value::SimpleString(Bytes::from_static(b"OK")));
                })
            };
            let handles: Vec<_> = (0..20)
                .map(|task| {
                    let client = client.clone();
                    tasks::spawn(async move {
                        for i in 0..50 {
                            let expected = format!("spin:{task}:{i}");
                            let got: String = client.echo(&expected).await.unwrap();
                            assert_eq!(got, expected, "spin limit {limit:?}");
                        }
                    })
                })
                .collect();
            tasks::timeout(HANG, tasks::join_all(handles))
                .await
                .expect("a caller hung behind a parked driver");
            tasks::timeout(HANG, sleeper).await.expect("DEBUG SLEEP hung");
        }
        drop(server);
    }
}

/// The cancellation storm: `tasks` tasks each send `per_task` `ECHO`s of unique payloads
/// through `conn`; 5% are polled once and dropped, 5% polled a few times (yielding in
/// between) and dropped if not done, 10% raced against a timeout of 0 to 2 ms, the rest
/// awaited. Fails the test if any reply is not its caller's payload, or any request
/// fails.
async fn storm<C>(conn: &C, tasks: usize, per_task: usize)
where
    C: AsyncCommands + Clone + Send + Sync + 'static,
{
    let seed = fastrand::u64(..);
    println!(
        "cancellation storm on {}: {tasks} tasks x {per_task} requests, seed {seed}",
        common::runtime_name()
    );
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let conn = conn.clone();
            tasks::spawn(async move {
                let mut rng =
                    fastrand::Rng::with_seed(seed ^ (task as u64).wrapping_mul(0x9E37_79B9));
                let mut tally = Tally::default();
                for i in 0..per_task {
                    let expected = payload(&mut rng, task, i);
                    let request = || conn.echo::<_, Bytes>(&expected);
                    match rng.u32(0..100) {
                        // Polled once (the request is queued, perhaps not yet written),
                        // then dropped.
                        0..5 => match tasks::poll_at_most(request(), 1).await {
                            Some(reply) => tally.check(&expected, reply),
                            None => tally.dropped += 1,
                        },
                        // Polled a few times, yielding in between: often dropped with the
                        // request written and its reply on the way.
                        5..10 => {
                            let polls = rng.usize(2..40);
                            match tasks::poll_at_most(request(), polls).await {
                                Some(reply) => tally.check(&expected, reply),
                                None => tally.dropped += 1,
                            }
                        }
                        // A random short timeout, from nothing to 2 ms.
                        10..20 => {
                            let limit = Duration::from_micros(rng.u64(0..2_000));
                            match tasks::timeout(limit, request()).await {
                                Some(reply) => tally.check(&expected, reply),
                                None => tally.timed_out += 1,
                            }
                        }
                        _ => {
                            let reply = request().await;
                            tally.check(&expected, reply);
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let tallies = tasks::timeout(Duration::from_secs(600), tasks::join_all(handles))
        .await
        .expect("the storm hung");

    let mut total = Tally::default();
    for mut t in tallies {
        total.completed += t.completed;
        total.dropped += t.dropped;
        total.timed_out += t.timed_out;
        total.wrong.append(&mut t.wrong);
        total.errors.append(&mut t.errors);
    }
    println!(
        "completed {}, dropped {}, timed out {}, wrong {}, errors {}",
        total.completed,
        total.dropped,
        total.timed_out,
        total.wrong.len(),
        total.errors.len()
    );
    assert!(
        total.wrong.is_empty(),
        "replies reached the wrong caller: {:?}",
        &total.wrong[..total.wrong.len().min(10)]
    );
    assert!(
        total.errors.is_empty(),
        "requests failed: {:?}",
        &total.errors[..total.errors.len().min(10)]
    );
    let requests = tasks * per_task;
    assert_eq!(total.completed + total.dropped + total.timed_out, requests);
    // About 5 to 10% dropped, up to 10% timed out, and most completed.
    assert!(total.dropped > requests / 40, "too few dropped: {total:?}");
    assert!(
        total.completed > requests / 2,
        "too few completed: {total:?}"
    );
}

/// A bulk string value.
fn bulk(text: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(text.as_bytes()))
}

/// The next push of `pushes` (its elements), failing the test if none comes within 10 s.
async fn next_push(pushes: &mut PushStream) -> Vec<Value> {
    let push = tasks::timeout(Duration::from_secs(10), pushes.next())
        .await
        .expect("no push arrived")
        .expect("the push stream ended");
    push_items(&push).to_vec()
}

/// The elements of a push (`>` on the wire; an array if the stream hands them over
/// unwrapped).
fn push_items(push: &Value) -> &[Value] {
    match push {
        Value::Push(items) | Value::Array(items) => items,
        other => panic!("not a push: {other:?}"),
    }
}

/// Waits until the server counts one subscriber of `channel`.
async fn wait_subscribed(publisher: &Client, channel: &str) {
    let started = std::time::Instant::now();
    loop {
        let counts: Value = publisher
            .cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(channel)
            .query()
            .await
            .unwrap();
        let count = match &counts {
            Value::Array(items) => items.get(1),
            Value::Map(pairs) => pairs.first().map(|(_, count)| count),
            _ => None,
        };
        if count == Some(&Value::Integer(1)) {
            return;
        }
        assert!(
            started.elapsed() < HANG,
            "the subscription never took: {counts:?}"
        );
        tasks::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until `condition` holds; fails the test if it does not within [`HANG`].
async fn wait_until(condition: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !condition() {
        assert!(started.elapsed() < HANG, "the condition never held");
        tasks::sleep(Duration::from_millis(5)).await;
    }
}
