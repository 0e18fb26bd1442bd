#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! redis-py's documented basics, reproduced with the blocking client against real servers:
//! getting started (set/get), bytes versus decoded strings, `Client::open(url)` and the
//! shared pool, the database in the URL (redis-py's answer to `SELECT`), health checks,
//! the argument orders of redis-py 3's "upgrading" notes, and how redis-py's exceptions
//! map onto [`Error`].
//!
//! Pipelines, transactions, scripts and scan iterators are in `pipeline.rs`,
//! `transaction.rs`, `script.rs` and `scan.rs`; pub/sub in `pubsub.rs`.
//!
//! Tests on the shared server write keys under `redis-py:<test name>:`.

use std::time::Duration;

use bytes::Bytes;
use ferrodis_blocking::Client;
use ferrodis_commands::replies::{PTtl, Ttl};
use ferrodis_commands::{commands, Commands, ConnectionConfig, Error, ErrorCode, TimeoutKind};
use ferrodis_tests::{shared_server, RedisServer};

fn shared_client() -> Client {
    Client::open(shared_server().url().as_str()).unwrap()
}

fn server_code(result: Result<impl std::fmt::Debug, Error>) -> ErrorCode {
    match result {
        Err(Error::Server(e)) => e.code().clone(),
        other => panic!("expected a server error, got {other:?}"),
    }
}

/// ```pycon
/// >>> r = redis.Redis(host='localhost', port=6379, db=0)
/// >>> r.set('foo', 'bar')
/// True
/// >>> r.get('foo')
/// b'bar'
/// ```
#[test]
fn getting_started_set_and_get() {
    let r = shared_client();
    let ok: bool = r.set("redis-py:getting-started:foo", "bar").unwrap();
    assert!(ok);
    let value: Option<Bytes> = r.get("redis-py:getting-started:foo").unwrap();
    assert_eq!(value.as_deref(), Some(&b"bar"[..]));
    // The default reply types: SET is `()`, GET is `Option<Bytes>`.
    r.query(commands::set("redis-py:getting-started:foo", "baz"))
        .unwrap();
    let value = r
        .query(commands::get("redis-py:getting-started:foo"))
        .unwrap();
    assert_eq!(value, Some(Bytes::from_static(b"baz")));
    let missing = r
        .query(commands::get("redis-py:getting-started:nope"))
        .unwrap();
    assert_eq!(missing, None);
}

/// "By default, all responses are returned as bytes ... If all string responses from a
/// client should be decoded, the user can specify `decode_responses=True`": here the reply
/// type decides, per call.
#[test]
fn responses_are_bytes_unless_a_string_is_asked_for() {
    let r = shared_client();
    let key = "redis-py:decode:text";
    let _: () = r.set(key, "héllo").unwrap();
    let raw: Bytes = r.get(key).unwrap();
    assert_eq!(&raw[..], "héllo".as_bytes());
    let vec: Vec<u8> = r.get(key).unwrap();
    assert_eq!(vec, "héllo".as_bytes());
    let text: String = r.get(key).unwrap();
    assert_eq!(text, "héllo");

    // Keys and values are bytes too: any ToArgs (str, String, &[u8], numbers).
    let binary = "redis-py:decode:binary";
    let _: () = r.set(binary, &[0xff_u8, 0xfe, 0x00][..]).unwrap();
    let bytes: Vec<u8> = r.get(binary).unwrap();
    assert_eq!(bytes, [0xff, 0xfe, 0x00]);
    // Not UTF-8: decoding fails with a conversion error, as decode_responses would raise.
    let not_text: Result<String, Error> = r.get(binary);
    assert!(
        matches!(not_text, Err(Error::Conversion { .. })),
        "{not_text:?}"
    );
    // Numbers are written as their decimal text and read back as numbers.
    let _: () = r.set("redis-py:decode:number", 42).unwrap();
    let n: i64 = r.get("redis-py:decode:number").unwrap();
    assert_eq!(n, 42);
    let missing: Option<String> = r.get("redis-py:decode:nope").unwrap();
    assert_eq!(missing, None);
}

/// `redis.Redis(connection_pool=...)` / `redis.from_url(...)`: one client, one pool,
/// shared by threads (redis-py's clients are thread-safe; `Client` is `Clone + Send +
/// Sync`).
#[test]
fn client_open_url_shares_one_pool_between_threads() {
    let r = Client::builder(shared_server().url().as_str())
        .max_size(2)
        .build()
        .unwrap();
    let key = "redis-py:pool:counter";
    let _: i64 = r.del(key).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let r = r.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let _: i64 = r.incr(key).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let total: i64 = r.get(key).unwrap();
    assert_eq!(total, 400);
    // Eight threads, two connections: the rest waited their turn.
    let status = r.pool_status();
    assert_eq!(status.max_size, 2);
    assert!(status.open <= 2 && status.idle <= status.open, "{status:?}");
}

/// redis-py: "SELECT: Not implemented. See the explanation in the Thread Safety section":
/// the database belongs to the client's config (`redis://host:port/3`, redis-py's
/// `db=3`), is applied on every pooled connection, and a `SELECT` sent by hand never
/// leaks to the next caller.
#[test]
fn the_database_comes_from_the_url() {
    let server = shared_server();
    let db3 = Client::open(format!("{}/3", server.url()).as_str()).unwrap();
    let db0 = Client::open(server.url().as_str()).unwrap();
    assert_eq!(db3.config().db, 3);
    let key = "redis-py:select:where";
    let _: () = db3.set(key, "db3").unwrap();
    let _: i64 = db0.del(key).unwrap();
    let from_db0: Option<String> = db0.get(key).unwrap();
    assert_eq!(from_db0, None);
    let from_db3: Option<String> = db3.get(key).unwrap();
    assert_eq!(from_db3.as_deref(), Some("db3"));
    let info = db3.query(commands::client_info()).unwrap();
    assert_eq!(info.db, 3);

    // A SELECT sent by hand changes its connection only, which is then not reused.
    let _: () = db3.cmd("SELECT").arg(5).query().unwrap();
    let again: Option<String> = db3.get(key).unwrap();
    assert_eq!(again.as_deref(), Some("db3"));
}

/// `health_check_interval`: "a connection idle for longer is PINGed, and the PONG
/// awaited, before use". Counted with `INFO commandstats` on a private server.
#[test]
fn health_checks_ping_connections_idle_for_longer_than_the_interval() {
    let server = RedisServer::start().unwrap();
    let pings = |admin: &Client| -> i64 {
        let stats: String = admin.cmd("INFO").arg("commandstats").query().unwrap();
        stats
            .lines()
            .find_map(|line| line.strip_prefix("cmdstat_ping:calls="))
            .and_then(|rest| rest.split(',').next())
            .map_or(0, |n| n.parse().unwrap())
    };
    let admin = Client::open(server.url().as_str()).unwrap();

    let checked = Client::builder(server.url().as_str())
        .max_size(1)
        .health_check_interval(Some(Duration::from_millis(250)))
        .build()
        .unwrap();
    let _: Option<String> = checked.get("redis-py:health").unwrap();
    let before = pings(&admin);
    // Used again at once: no check.
    let _: Option<String> = checked.get("redis-py:health").unwrap();
    assert_eq!(pings(&admin), before);
    // Idle for longer than the interval: PINGed before use.
    std::thread::sleep(Duration::from_millis(400));
    let _: Option<String> = checked.get("redis-py:health").unwrap();
    assert_eq!(pings(&admin), before + 1);

    // Without an interval, no PING however long the connection sat idle.
    let unchecked = Client::builder(server.url().as_str())
        .max_size(1)
        .health_check_interval(None)
        .build()
        .unwrap();
    let _: Option<String> = unchecked.get("redis-py:health").unwrap();
    let before = pings(&admin);
    std::thread::sleep(Duration::from_millis(400));
    let _: Option<String> = unchecked.get("redis-py:health").unwrap();
    assert_eq!(pings(&admin), before);

    // A connection the server closed while it sat idle is replaced, unseen by the caller.
    let victim_id: i64 = checked.query(commands::client_id()).unwrap();
    let _: () = admin
        .cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(victim_id)
        .query()
        .map(|_: i64| ())
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let pong: String = checked.query(commands::ping()).unwrap();
    assert_eq!(pong, "PONG");
    let new_id: i64 = checked.query(commands::client_id()).unwrap();
    assert_ne!(new_id, victim_id);
}

/// redis-py 3.0's "upgrading" notes, in ferrodis's argument orders (which follow Redis's):
/// SETEX (name, time, value), LREM (name, num, value), ZINCRBY (name, amount, value),
/// MSET and ZADD with a list of pairs, TTL and PTTL telling "no expiry" from "no key".
#[test]
fn redis_py_3_argument_orders() {
    let r = shared_client();
    let k = |name: &str| format!("redis-py:upgrading:{name}");

    let _: () = r.setex(k("setex"), 60, "value").unwrap();
    let ttl = r.query(commands::ttl(k("setex"))).unwrap();
    assert!(matches!(ttl, Ttl::Expires(d) if d <= Duration::from_secs(60) && d > Duration::ZERO));

    let _: i64 = r.del(k("list")).unwrap();
    let _: i64 = r.rpush(k("list"), ["a", "b", "a", "c", "a"]).unwrap();
    let removed: i64 = r.lrem(k("list"), 2, "a").unwrap();
    assert_eq!(removed, 2);
    let left: Vec<String> = r.lrange(k("list"), 0, -1).unwrap();
    assert_eq!(left, ["b", "c", "a"]);

    // mset(mapping) and zadd(name, mapping): pairs, in Redis's order.
    let _: () = r
        .mset([(k("m1").as_str(), "1"), (k("m2").as_str(), "2")])
        .unwrap();
    let both: Vec<Option<String>> = r.mget([k("m1"), k("m2")]).unwrap();
    assert_eq!(both, [Some("1".to_owned()), Some("2".to_owned())]);
    let _: i64 = r.del(k("zset")).unwrap();
    let added: i64 = r.zadd(k("zset"), [(1.0, "one"), (2.0, "two")]).unwrap();
    assert_eq!(added, 2);
    let score = r.query(commands::zincrby(k("zset"), 5, "one")).unwrap();
    assert_eq!(score, 6.0);

    // TTL and PTTL: always an answer, never an exception; -1 and -2 are named.
    let _: () = r.set(k("forever"), "x").unwrap();
    assert_eq!(r.query(commands::ttl(k("forever"))).unwrap(), Ttl::NoExpiry);
    assert_eq!(r.query(commands::ttl(k("nope"))).unwrap(), Ttl::NoKey);
    assert_eq!(r.query(commands::pttl(k("nope"))).unwrap(), PTtl::NoKey);
    let raw: i64 = r.ttl(k("nope")).unwrap();
    assert_eq!(raw, -2);
}

/// redis-py's exceptions and their ferrodis counterparts:
///
/// | redis-py | ferrodis |
/// |---|---|
/// | `ResponseError` | `Error::Server`, `ErrorCode::Err` (and the other codes) |
/// | `ResponseError` (WRONGTYPE) | `Error::Server`, `ErrorCode::WrongType` |
/// | `NoScriptError` | `Error::Server`, `ErrorCode::NoScript` |
/// | `ConnectionError` | `Error::Io` (`is_connection_dropped()`) |
/// | `TimeoutError` | `Error::Timeout { kind: Response, .. }` (`is_timeout()`) |
/// | `AuthenticationError` | `Error::Auth` |
/// | `DataError` (a value of the wrong type) | a compile error: arguments are `ToArgs` |
/// | `WatchError`, `ExecAbortError`, `PubSubError` | `Error::Watch`, `Error::ExecAbort`, `Error::PubSub` (tests of pipelines and pub/sub) |
#[test]
fn redis_py_exceptions_map_to_error_kinds() {
    let r = shared_client();
    let _: () = r.set("redis-py:errors:text", "bar").unwrap();
    let not_a_number: Result<i64, Error> = r.incr("redis-py:errors:text");
    assert_eq!(server_code(not_a_number), ErrorCode::Err);
    let wrong_type: Result<i64, Error> = r.lpush("redis-py:errors:text", "x");
    assert_eq!(server_code(wrong_type), ErrorCode::WrongType);
    let no_script: Result<i64, Error> = r.evalsha("0".repeat(40), 0);
    assert_eq!(server_code(no_script), ErrorCode::NoScript);
    // After an error reply the client goes on.
    let _: () = r.set("redis-py:errors:text", "ok").unwrap();

    // ConnectionError: nothing listens there.
    let port = ferrodis_tests::free_port().unwrap();
    let config = ConnectionConfig::tcp("127.0.0.1", port).connect_timeout(Duration::from_secs(2));
    let nowhere = Client::open(config).and_then(|c| c.query(commands::ping()));
    match nowhere {
        Err(e @ Error::Io { .. }) => assert!(
            e.is_connection_dropped() || e.to_string().contains("refused"),
            "{e}"
        ),
        other => panic!("expected an IO error, got {other:?}"),
    }

    // TimeoutError: a reply slower than the response timeout.
    let server = RedisServer::builder()
        .enable_debug_command()
        .start()
        .unwrap();
    let config = ConnectionConfig::from_url(&server.url())
        .unwrap()
        .response_timeout(Duration::from_millis(100));
    let impatient = Client::open(config).unwrap();
    let slow: Result<(), Error> = impatient.cmd("DEBUG").arg("SLEEP").arg(0.5).query();
    match slow {
        Err(
            e @ Error::Timeout {
                kind: TimeoutKind::Response,
                ..
            },
        ) => assert!(e.is_timeout()),
        other => panic!("expected a response timeout, got {other:?}"),
    }
    // The late reply is never handed to the next caller.
    std::thread::sleep(Duration::from_millis(500));
    let pong: String = impatient.query(commands::ping()).unwrap();
    assert_eq!(pong, "PONG");

    // AuthenticationError: a wrong password; the password is not in the message.
    // (The password is set once the server is up: the test support's readiness PING
    // has no password.)
    let locked = RedisServer::start().unwrap();
    let admin = Client::open(locked.url().as_str()).unwrap();
    let _: () = admin
        .cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("right-password")
        .query()
        .unwrap();
    let config = ConnectionConfig::from_url(&locked.url())
        .unwrap()
        .password("wrong-password");
    let denied = Client::open(config).and_then(|c| c.query(commands::ping()));
    match denied {
        Err(e @ Error::Auth { .. }) => {
            assert!(!e.to_string().contains("wrong-password"), "{e}");
            assert!(!format!("{e:?}").contains("wrong-password"), "{e:?}");
        }
        other => panic!("expected an Auth error, got {other:?}"),
    }
    let config = ConnectionConfig::from_url(&locked.url())
        .unwrap()
        .password("right-password");
    let allowed = Client::open(config).unwrap();
    assert_eq!(allowed.query(commands::ping()).unwrap(), "PONG");
    let _: () = allowed
        .cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("")
        .query()
        .unwrap();
}

/// redis-py raises `ResponseError` for an error reply whatever the command: a script that
/// fails, or a command whose default reply type is [`Value`](ferrodis_commands::Value)
/// (`EVAL`, `EVALSHA`, `FCALL`, `COMMAND`, ...), is an `Err` too (the contract of
/// `Client::query`: error replies become `Error::Server`), not an `Ok(Value::SimpleError)`.
#[test]
fn error_replies_are_errors_whatever_the_reply_type() {
    let r = shared_client();
    let failed = r.query(commands::eval(
        "return redis.error_reply('BOOM it failed')",
        0,
    ));
    assert_eq!(server_code(failed), ErrorCode::Other("BOOM".to_owned()));
    let no_script = r.query(commands::evalsha("0".repeat(40), 0));
    assert_eq!(server_code(no_script), ErrorCode::NoScript);
    let as_value: Result<ferrodis_commands::Value, Error> = r
        .cmd("INCR")
        .arg("redis-py:errors:value")
        .arg("extra")
        .query();
    assert_eq!(server_code(as_value), ErrorCode::Err);
}
