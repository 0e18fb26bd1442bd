//! MONITOR against real servers, on tokio and on async-std: events from other clients,
//! with their database and arguments (binary ones included), timeouts, dropped reads, and
//! the end of the stream.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use ferrodis_async::monitor::Monitor;
use ferrodis_async::{runtime, Client};
use ferrodis_commands::{AsyncCommands, ConnectionConfig, MonitorEvent, Protocol};
use ferrodis_tests::{shared_server, RedisServer};
use futures_util::StreamExt;

const WAIT: Duration = Duration::from_secs(5);

fn client_for(url: &str, protocol: Protocol, db: i64) -> Client {
    let config = ConnectionConfig::from_url(url)
        .unwrap()
        .protocol(protocol)
        .db(db);
    Client::open(config).unwrap()
}

/// Whether `event` is the command `args` (the name compared without case).
fn is(event: &MonitorEvent, args: &[&[u8]]) -> bool {
    event.command.len() == args.len()
        && event.command[0].eq_ignore_ascii_case(args[0])
        && event.command[1..]
            .iter()
            .zip(&args[1..])
            .all(|(a, b)| a == b)
}

/// Reads events until one whose arguments are `args`; other clients' commands are
/// skipped.
async fn wait_for(monitor: &mut Monitor, args: &[&[u8]]) -> MonitorEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no event {args:?} within {WAIT:?}");
        let Some(event) = monitor.next_timeout(left).await.unwrap() else {
            continue;
        };
        if is(&event, args) {
            return event;
        }
    }
}

runtime_tests! {
    /// A SET by another client, on another database, shows up with its db and
    /// arguments.
    async fn monitor_sees_another_clients_set() {
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let url = shared_server().url();
            let watcher = client_for(&url, protocol, 0);
            let mut monitor = watcher.monitor().await.unwrap();
            assert!(monitor.is_open());

            let key = common::key(&format!("monitor-test:{}", protocol.version()));
            let writer = client_for(&url, Protocol::Resp3, 5);
            let before = SystemTime::now() - Duration::from_secs(5);
            let _: () = writer.set(key.as_str(), "some value").await.unwrap();

            let event = wait_for(&mut monitor, &[b"SET", key.as_bytes(), b"some value"]).await;
            assert_eq!(event.db, 5);
            assert!(event.client.starts_with("127.0.0.1:"), "{}", event.client);
            assert!(event.time >= before, "{event:?}");
            assert!(event.timestamp() > 1.6e9);
        }
    }

    /// Binary and quoted arguments come back byte for byte (the line's escapes undone).
    async fn monitor_unescapes_binary_arguments() {
        let url = shared_server().url();
        let mut monitor = client_for(&url, Protocol::Resp3, 0).monitor().await.unwrap();
        let key = common::key("monitor-test:binary");
        let value: &[u8] = b"quote\" backslash\\ newline\n tab\t nul\0 high\xff caf\xc3\xa9";
        let writer = client_for(&url, Protocol::Resp2, 0);
        let _: () = writer.set(key.as_str(), value).await.unwrap();
        let event = wait_for(&mut monitor, &[b"SET", key.as_bytes(), value]).await;
        assert_eq!(event.command[2], Bytes::copy_from_slice(value));
    }

    /// The stream form (aredis's `async for command in m.listen()`), and `next_timeout`
    /// returning `None` when the server runs nothing.
    async fn monitor_streams_and_times_out() {
        let server = RedisServer::builder().start().unwrap();
        let url = server.url();
        let mut monitor = client_for(&url, Protocol::Resp3, 0).monitor().await.unwrap();
        let started = Instant::now();
        assert_eq!(monitor.next_timeout(Duration::from_millis(150)).await.unwrap(), None);
        assert!(started.elapsed() >= Duration::from_millis(140));
        assert_eq!(monitor.next_timeout(Duration::ZERO).await.unwrap(), None);

        let writer = client_for(&url, Protocol::Resp2, 2);
        let _: i64 = writer.incr("counter").await.unwrap();
        let _: i64 = writer.incrby("counter", 2).await.unwrap();
        let incrs: Vec<MonitorEvent> = monitor
            .by_ref()
            .map(Result::unwrap)
            .filter(|e| {
                let name = &e.command[0];
                std::future::ready(
                    name.eq_ignore_ascii_case(b"INCRBY") || name.eq_ignore_ascii_case(b"INCR"),
                )
            })
            .take(2)
            .collect()
            .await;
        assert_eq!(incrs.len(), 2);
        assert!(incrs.iter().all(|e| e.db == 2 && e.command[1] == "counter"));
        assert!(incrs[0].time <= incrs[1].time);
    }

    /// A `next()` dropped while waiting (a timeout around it, as `select!` does) leaves
    /// its read in place: the next call finishes it, and no event is lost.
    async fn dropped_reads_lose_no_event() {
        let server = RedisServer::builder().start().unwrap();
        let url = server.url();
        let mut monitor = client_for(&url, Protocol::Resp2, 0).monitor().await.unwrap();
        let rt = common::runtime();
        for _ in 0..3 {
            let wait = Some(Duration::from_millis(20));
            let dropped = runtime::timeout(&*rt, wait, monitor.next()).await;
            assert!(dropped.is_none(), "{dropped:?}");
        }
        assert!(monitor.is_open());

        // Long arguments, so that lines arrive in pieces; reads dropped every millisecond.
        let writer = client_for(&url, Protocol::Resp3, 0);
        let values: Vec<String> = (0..10).map(|i| format!("{i}:{}", "v".repeat(100_000))).collect();
        let sent = values.clone();
        let writes = async move {
            for (i, value) in sent.iter().enumerate() {
                let _: () = writer.set(format!("big:{i}"), value.as_str()).await.unwrap();
            }
        };
        let reads = async {
            let mut seen = Vec::new();
            let deadline = Instant::now() + WAIT * 2;
            while seen.len() < values.len() {
                assert!(Instant::now() < deadline, "{} of {} seen", seen.len(), values.len());
                if let Some(event) =
                    runtime::timeout(&*rt, Some(Duration::from_millis(1)), monitor.next()).await
                {
                    let event = event.unwrap().unwrap();
                    if event.command[0].eq_ignore_ascii_case(b"SET") {
                        seen.push(event.command[2].clone());
                    }
                }
            }
            seen
        };
        let ((), seen) = futures_util::join!(writes, reads);
        for (got, value) in seen.iter().zip(&values) {
            assert_eq!(got.as_ref(), value.as_bytes());
        }
    }

    /// When the server goes away, the error is yielded once and the stream ends.
    async fn monitor_ends_when_the_server_stops() {
        let mut server = RedisServer::builder().start().unwrap();
        let mut monitor = client_for(&server.url(), Protocol::Resp3, 0)
            .monitor()
            .await
            .unwrap();
        server.stop();
        let first = monitor.next().await.unwrap();
        assert!(first.is_err(), "{first:?}");
        assert!(!monitor.is_open());
        assert!(monitor.next().await.is_none());
        assert!(monitor.next_timeout(Duration::from_millis(10)).await.is_err());
    }
}
