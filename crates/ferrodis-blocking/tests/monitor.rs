//! MONITOR against real servers: events from other clients, with their database and
//! arguments (binary ones included), timeouts, and the end of the stream.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use ferrodis_blocking::monitor::Monitor;
use ferrodis_blocking::Client;
use ferrodis_commands::{Commands, ConnectionConfig, MonitorEvent, Protocol};
use ferrodis_tests::{shared_server, RedisServer};

const WAIT: Duration = Duration::from_secs(5);

fn client_for(url: &str, protocol: Protocol, db: i64) -> Client {
    let config = ConnectionConfig::from_url(url)
        .unwrap()
        .protocol(protocol)
        .db(db);
    Client::open(config).unwrap()
}

/// Reads events until one whose arguments are `args` (the command name compared without
/// case); other clients' commands are skipped.
fn wait_for(monitor: &mut Monitor, args: &[&[u8]]) -> MonitorEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no event {args:?} within {WAIT:?}");
        let Some(event) = monitor.next_timeout(left).unwrap() else {
            continue;
        };
        let matches = event.command.len() == args.len()
            && event.command[0].eq_ignore_ascii_case(args[0])
            && event.command[1..]
                .iter()
                .zip(&args[1..])
                .all(|(a, b)| a == b);
        if matches {
            return event;
        }
    }
}

/// A SET by another client, on another database, shows up with its db and arguments.
#[test]
fn monitor_sees_another_clients_set() {
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let url = shared_server().url();
        let watcher = client_for(&url, protocol, 0);
        let mut monitor = watcher.monitor().unwrap();
        assert!(monitor.is_open());

        let key = format!("monitor-test:{}:{}", std::process::id(), protocol.version());
        let writer = client_for(&url, Protocol::Resp3, 5);
        let before = SystemTime::now() - Duration::from_secs(5);
        let _: () = writer.set(key.as_str(), "some value").unwrap();

        let event = wait_for(&mut monitor, &[b"SET", key.as_bytes(), b"some value"]);
        assert_eq!(event.db, 5);
        assert!(event.client.starts_with("127.0.0.1:"), "{}", event.client);
        assert!(event.time >= before, "{event:?}");
        assert!(event.timestamp() > 1.6e9);
    }
}

/// Binary and quoted arguments come back byte for byte (the line's escapes undone).
#[test]
fn monitor_unescapes_binary_arguments() {
    let url = shared_server().url();
    let mut monitor = client_for(&url, Protocol::Resp3, 0).monitor().unwrap();
    let key = format!("monitor-test:binary:{}", std::process::id());
    let value: &[u8] = b"quote\" backslash\\ newline\n tab\t nul\0 high\xff caf\xc3\xa9";
    let writer = client_for(&url, Protocol::Resp2, 0);
    let _: () = writer.set(key.as_str(), value).unwrap();
    let event = wait_for(&mut monitor, &[b"SET", key.as_bytes(), value]);
    assert_eq!(event.command[2], Bytes::copy_from_slice(value));
}

/// The iterator form (redis-py's `for command in m.listen()`), and `next_timeout`
/// returning `None` when the server runs nothing.
#[test]
fn monitor_iterates_and_times_out() {
    let server = RedisServer::builder().start().unwrap();
    let url = server.url();
    let mut monitor = client_for(&url, Protocol::Resp3, 0).monitor().unwrap();
    let started = Instant::now();
    assert_eq!(
        monitor.next_timeout(Duration::from_millis(150)).unwrap(),
        None
    );
    assert!(started.elapsed() >= Duration::from_millis(140));

    let writer = client_for(&url, Protocol::Resp2, 2);
    let _: i64 = writer.incr("counter").unwrap();
    let _: i64 = writer.incrby("counter", 2).unwrap();
    let incrs: Vec<MonitorEvent> = monitor
        .by_ref()
        .map(Result::unwrap)
        .filter(|e| {
            e.command[0].eq_ignore_ascii_case(b"INCRBY")
                || e.command[0].eq_ignore_ascii_case(b"INCR")
        })
        .take(2)
        .collect();
    assert_eq!(incrs.len(), 2);
    assert!(incrs.iter().all(|e| e.db == 2 && e.command[1] == "counter"));
    assert!(incrs[0].time <= incrs[1].time);
}

/// When the server goes away, the error is yielded once and the iterator ends.
#[test]
fn monitor_ends_when_the_server_stops() {
    let mut server = RedisServer::builder().start().unwrap();
    let mut monitor = client_for(&server.url(), Protocol::Resp3, 0)
        .monitor()
        .unwrap();
    server.stop();
    let first = monitor.next().unwrap();
    assert!(first.is_err(), "{first:?}");
    assert!(!monitor.is_open());
    assert!(monitor.next().is_none());
    assert!(monitor.next_timeout(Duration::from_millis(10)).is_err());
}
