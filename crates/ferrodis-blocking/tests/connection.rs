//! `Connection` against real servers: transports, protocol negotiation, the handshake's
//! settings, replies, pushes and timeouts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use ferrodis_blocking::Connection;
use ferrodis_commands::{Cmd, ConnectionConfig, Error, Protocol, TimeoutKind, Value};
use ferrodis_tests::{shared_server, RedisServer};

fn config() -> ConnectionConfig {
    shared_server().url().parse().unwrap()
}

fn client_info(conn: &mut Connection) -> String {
    conn.query(&Cmd::new("CLIENT").arg("INFO")).unwrap()
}

#[test]
fn tcp_set_get_and_resp3_by_default() {
    let mut conn = Connection::open(&config()).unwrap();
    assert_eq!(conn.protocol(), Protocol::Resp3);
    let info = conn.server_info().expect("HELLO 3 reply");
    assert_eq!(info.proto, Some(3));
    conn.query::<()>(&Cmd::new("SET").arg("conn:tcp").arg("hello"))
        .unwrap();
    let value: String = conn.query(&Cmd::new("GET").arg("conn:tcp")).unwrap();
    assert_eq!(value, "hello");
    // RESP3: a hash is a map.
    conn.query::<()>(&Cmd::new("HSET").arg("conn:tcp:h").arg("f").arg("v"))
        .unwrap();
    let h = conn
        .query_value(&Cmd::new("HGETALL").arg("conn:tcp:h"))
        .unwrap();
    assert!(matches!(h, Value::Map(_)), "{h:?}");
    assert!(client_info(&mut conn).contains("resp=3"));
    assert_eq!(conn.pending_replies(), 0);
    assert!(!conn.is_broken());
    assert!(conn.is_reusable());
}

#[test]
fn resp2_forced() {
    let mut conn = Connection::open(&config().protocol(Protocol::Resp2)).unwrap();
    assert_eq!(conn.protocol(), Protocol::Resp2);
    assert!(conn.server_info().is_none());
    conn.query::<()>(&Cmd::new("HSET").arg("conn:resp2:h").arg("f").arg("v"))
        .unwrap();
    let h = conn
        .query_value(&Cmd::new("HGETALL").arg("conn:resp2:h"))
        .unwrap();
    assert!(matches!(h, Value::Array(_)), "{h:?}");
    assert!(client_info(&mut conn).contains("resp=2"));
}

#[test]
fn unix_socket() {
    let server = RedisServer::builder().unix_socket().start().unwrap();
    let path = server.unix_socket_path().unwrap();
    let mut conn = Connection::open(&ConnectionConfig::unix(path)).unwrap();
    conn.ping().unwrap();
    conn.query::<()>(&Cmd::new("SET").arg("k").arg("over unix"))
        .unwrap();
    let v: String = conn.query(&Cmd::new("GET").arg("k")).unwrap();
    assert_eq!(v, "over unix");
    // The URL form too.
    let url = format!("unix://{}?db=1", path.display());
    let mut conn = Connection::open(&url.parse().unwrap()).unwrap();
    assert!(client_info(&mut conn).contains(" db=1 "));
}

#[test]
fn db_is_selected_per_connection() {
    let mut db3 = Connection::open(&config().db(3)).unwrap();
    let mut db0 = Connection::open(&config()).unwrap();
    assert!(client_info(&mut db3).contains(" db=3 "));
    assert!(client_info(&mut db0).contains(" db=0 "));
    db3.query::<()>(&Cmd::new("SET").arg("conn:db:isolated").arg("in 3"))
        .unwrap();
    let in0: Option<String> = db0.query(&Cmd::new("GET").arg("conn:db:isolated")).unwrap();
    assert_eq!(in0, None);
    let in3: Option<String> = db3.query(&Cmd::new("GET").arg("conn:db:isolated")).unwrap();
    assert_eq!(in3.as_deref(), Some("in 3"));
    // Both protocols apply it.
    let mut resp2 = Connection::open(&config().db(3).protocol(Protocol::Resp2)).unwrap();
    assert!(client_info(&mut resp2).contains(" db=3 "));
}

#[test]
fn client_name_is_set() {
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        let mut conn = Connection::open(
            &config()
                .client_name("ferrodis-conn-test")
                .protocol(protocol),
        )
        .unwrap();
        let name: String = conn.query(&Cmd::new("CLIENT").arg("GETNAME")).unwrap();
        assert_eq!(name, "ferrodis-conn-test");
    }
}

#[test]
fn a_database_that_does_not_exist_fails_the_open() {
    let err = Connection::open(&config().db(100_000)).unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
}

#[test]
fn error_replies_leave_the_connection_usable() {
    let mut conn = Connection::open(&config()).unwrap();
    conn.query::<()>(&Cmd::new("SET").arg("conn:err").arg("text"))
        .unwrap();
    let err = conn
        .query::<i64>(&Cmd::new("INCR").arg("conn:err"))
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    // query_value keeps the error reply as a value.
    let v = conn.query_value(&Cmd::new("INCR").arg("conn:err")).unwrap();
    assert!(matches!(v, Value::SimpleError(_)), "{v:?}");
    assert!(!conn.is_broken());
    conn.ping().unwrap();
}

#[test]
fn pipelining_by_hand() {
    let mut conn = Connection::open(&config()).unwrap();
    conn.send(&Cmd::new("DEL").arg("conn:pipe"));
    for _ in 0..100 {
        conn.send(&Cmd::new("INCR").arg("conn:pipe"));
    }
    assert_eq!(conn.pending_replies(), 101);
    assert!(!conn.is_reusable());
    conn.flush().unwrap();
    assert_eq!(conn.recv().unwrap(), Value::Integer(0));
    for i in 1..=100 {
        assert_eq!(conn.recv().unwrap(), Value::Integer(i));
    }
    assert_eq!(conn.pending_replies(), 0);
    assert!(conn.is_reusable());
}

#[test]
fn query_refuses_to_run_with_replies_pending() {
    let mut conn = Connection::open(&config()).unwrap();
    conn.send(&Cmd::new("PING"));
    conn.flush().unwrap();
    let err = conn
        .query::<String>(&Cmd::new("ECHO").arg("x"))
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    // Nothing was sent, nothing lost: the PONG is still the next reply.
    assert_eq!(conn.recv().unwrap(), Value::SimpleString("PONG".into()));
    let echo: String = conn.query(&Cmd::new("ECHO").arg("x")).unwrap();
    assert_eq!(echo, "x");
}

#[test]
fn large_values_round_trip() {
    let mut conn = Connection::open(&config()).unwrap();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    conn.query::<()>(&Cmd::new("SET").arg("conn:big").arg(&big[..]))
        .unwrap();
    let back: Vec<u8> = conn.query(&Cmd::new("GET").arg("conn:big")).unwrap();
    assert_eq!(back, big);
}

#[test]
fn resp3_pushes_are_queued_while_waiting_for_replies() {
    let mut conn = Connection::open(&config()).unwrap();
    let mut other = Connection::open(&config()).unwrap();
    // Client tracking changes connection state: it is no longer reusable by a pool.
    conn.query::<()>(&Cmd::new("CLIENT").arg("TRACKING").arg("ON"))
        .unwrap();
    assert!(!conn.is_reusable());
    conn.query::<()>(&Cmd::new("SET").arg("conn:tracked").arg("1"))
        .unwrap();
    let _: String = conn.query(&Cmd::new("GET").arg("conn:tracked")).unwrap();
    other
        .query::<()>(&Cmd::new("SET").arg("conn:tracked").arg("2"))
        .unwrap();
    // The invalidation arrives before (or with) the reply to the next command; the reply
    // is still the PING's.
    let pong: String = conn.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut pushes = conn.take_pushes();
    while pushes.is_empty() && Instant::now() < deadline {
        let _: String = conn.query(&Cmd::new("PING")).unwrap();
        pushes = conn.take_pushes();
    }
    assert_eq!(pushes.len(), 1, "{pushes:?}");
    let Value::Push(items) = &pushes[0] else {
        panic!("{pushes:?}")
    };
    assert_eq!(items[0], Value::BulkString("invalidate".into()));
}

#[test]
fn deliver_pushes_returns_them_from_recv() {
    let mut sub = Connection::open(&config()).unwrap();
    let mut publisher = Connection::open(&config()).unwrap();
    sub.deliver_pushes(true);
    sub.send_untracked(&Cmd::new("SUBSCRIBE").arg("conn:push:chan"));
    sub.flush().unwrap();
    let confirm = sub
        .recv_timeout(Some(Duration::from_secs(5)))
        .unwrap()
        .unwrap();
    assert!(matches!(confirm, Value::Push(_)), "{confirm:?}");
    let n: i64 = publisher
        .query(&Cmd::new("PUBLISH").arg("conn:push:chan").arg("hi"))
        .unwrap();
    assert_eq!(n, 1);
    let message = sub
        .recv_timeout(Some(Duration::from_secs(5)))
        .unwrap()
        .unwrap();
    let Value::Push(items) = message else {
        panic!("{message:?}")
    };
    assert_eq!(items[0], Value::BulkString("message".into()));
    assert_eq!(items[2], Value::BulkString("hi".into()));
    assert!(!sub.is_reusable());
}

#[test]
fn recv_timeout_with_nothing_leaves_the_connection_usable() {
    let mut conn = Connection::open(&config()).unwrap();
    let started = Instant::now();
    assert_eq!(
        conn.recv_timeout(Some(Duration::from_millis(100))).unwrap(),
        None
    );
    assert!(started.elapsed() >= Duration::from_millis(90));
    assert!(!conn.is_broken());
    conn.ping().unwrap();
}

#[test]
fn a_reply_owed_past_the_response_timeout_breaks_the_connection() {
    let server = RedisServer::builder()
        .enable_debug_command()
        .start()
        .unwrap();
    let config: ConnectionConfig = server.url().parse().unwrap();
    let mut conn = Connection::open(&config.response_timeout(Duration::from_millis(100))).unwrap();
    let err = conn
        .query::<()>(&Cmd::new("DEBUG").arg("SLEEP").arg(0.5))
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
    assert!(conn.is_broken());
    // The late +OK can never be read as the reply to something else.
    let again = conn
        .query::<String>(&Cmd::new("ECHO").arg("x"))
        .unwrap_err();
    assert!(again.is_connection_dropped(), "{again:?}");
}

#[test]
fn blocking_commands_extend_the_response_timeout() {
    let mut conn =
        Connection::open(&config().response_timeout(Duration::from_millis(100))).unwrap();
    let started = Instant::now();
    let popped: Option<(String, String)> = conn
        .query(&Cmd::new("BLPOP").arg("conn:blpop:empty").arg(0.4))
        .unwrap();
    assert_eq!(popped, None);
    assert!(started.elapsed() >= Duration::from_millis(350));
    assert!(!conn.is_broken());
    conn.ping().unwrap();
}

#[test]
fn select_marks_the_connection_not_reusable() {
    let mut conn = Connection::open(&config()).unwrap();
    assert!(conn.is_reusable());
    conn.query::<()>(&Cmd::new("SELECT").arg(2)).unwrap();
    assert!(!conn.is_reusable());

    let mut conn = Connection::open(&config()).unwrap();
    conn.query::<()>(&Cmd::new("WATCH").arg("conn:watched"))
        .unwrap();
    assert!(!conn.is_reusable());
    conn.query::<()>(&Cmd::new("UNWATCH")).unwrap();
    assert!(conn.is_reusable());
    conn.query::<()>(&Cmd::new("MULTI")).unwrap();
    assert!(!conn.is_reusable());
    conn.query::<()>(&Cmd::new("DISCARD")).unwrap();
    assert!(conn.is_reusable());
}

#[test]
fn connection_refused_is_an_io_error_with_a_hint() {
    let port = ferrodis_tests::free_port().unwrap();
    let err = Connection::open(&ConnectionConfig::tcp("127.0.0.1", port)).unwrap_err();
    match &err {
        Error::Io { source } => {
            assert_eq!(source.kind(), std::io::ErrorKind::ConnectionRefused)
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("is redis-server running"), "{err}");
}

#[test]
fn every_resolved_address_is_tried() {
    // `localhost` may resolve to ::1 first; the server listens on 127.0.0.1 only.
    let port = shared_server().port();
    let mut conn = Connection::open(&ConnectionConfig::tcp("localhost", port)).unwrap();
    conn.ping().unwrap();
}

#[cfg(not(feature = "tls"))]
#[test]
fn tls_without_the_feature_says_to_enable_it() {
    let config: ConnectionConfig = "rediss://127.0.0.1:6380".parse().unwrap();
    let err = Connection::open(&config).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("`tls` feature"), "{err}");
    let err = ferrodis_blocking::Client::open("rediss://127.0.0.1:6380").unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
}

/// A zero poll timeout means "only what has already arrived": it must not break the
/// connection (the socket itself refuses a zero timeout).
#[test]
fn a_zero_poll_timeout_leaves_the_connection_usable() {
    let mut conn = Connection::open(&config()).unwrap();
    assert_eq!(conn.recv_timeout(Some(Duration::ZERO)).unwrap(), None);
    assert!(!conn.is_broken());
    let pong: String = conn.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");
}

/// A poll that ends while a large value is still arriving gives the rest of the value
/// the response timeout, rather than breaking the connection (and losing the message).
#[test]
fn a_poll_that_ends_mid_value_waits_for_the_rest() {
    let mut sub = Connection::open(&config()).unwrap();
    sub.deliver_pushes(true);
    sub.send_untracked(&Cmd::new("SUBSCRIBE").arg("conn:grace"));
    sub.flush().unwrap();
    let confirmation = sub.recv_timeout(Some(Duration::from_secs(5))).unwrap();
    assert!(confirmation.is_some());

    // Below the server's pub/sub output buffer limit (32 MB hard, 8 MB soft).
    let payload = vec![b'x'; 6 * 1024 * 1024];
    let mut publisher = Connection::open(&config()).unwrap();
    let receivers: i64 = publisher
        .query(&Cmd::new("PUBLISH").arg("conn:grace").arg(&payload[..]))
        .unwrap();
    assert_eq!(receivers, 1);

    // Poll every 50 µs: 6 MiB takes far longer than that to arrive.
    let started = Instant::now();
    let message = loop {
        if let Some(v) = sub.recv_timeout(Some(Duration::from_micros(50))).unwrap() {
            break v;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no message");
    };
    let items = match message {
        Value::Push(items) | Value::Array(items) => items,
        other => panic!("{other:?}"),
    };
    assert_eq!(items.len(), 3);
    assert!(matches!(&items[2], Value::BulkString(b) if b.len() == payload.len()));
    assert!(!sub.is_broken());
}
