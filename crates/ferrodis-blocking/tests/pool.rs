//! `Client` and its pool against real servers: sharing, the size bound, exhaustion,
//! idle timeout, max lifetime, health checks, and what is (not) returned to the pool.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use ferrodis_blocking::{Client, Commands};
use ferrodis_commands::{Cmd, ConnectionConfig, Error};
use ferrodis_tests::{shared_server, RedisServer};

fn url() -> String {
    shared_server().url()
}

fn client_id(client: &Client) -> i64 {
    client.cmd("CLIENT").arg("ID").query().unwrap()
}

/// `cmdstat_<name>:calls=N` from `INFO commandstats`.
fn calls(client: &Client, name: &str) -> u64 {
    let info: String = client.cmd("INFO").arg("commandstats").query().unwrap();
    let prefix = format!("cmdstat_{name}:calls=");
    info.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|rest| rest.split(',').next().unwrap().parse().unwrap())
        .unwrap_or(0)
}

fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn client_is_clone_send_sync_and_shared_across_threads() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();

    let client = Client::open(url()).unwrap();
    let _: i64 = client.del("pool:shared").unwrap();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || {
                for _ in 0..50 {
                    let _: i64 = client.incr("pool:shared").unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let total: i64 = client.get("pool:shared").unwrap();
    assert_eq!(total, 400);
    let status = client.pool_status();
    assert!(status.open <= 16 && status.open >= 1, "{status:?}");
    assert_eq!(status.open, status.idle);
}

#[test]
fn open_does_not_connect() {
    let port = ferrodis_tests::free_port().unwrap();
    let client = Client::open(format!("redis://127.0.0.1:{port}")).unwrap();
    assert_eq!(client.pool_status().open, 0);
    let err = client.ping::<String>().unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    // The failed open freed its slot.
    assert_eq!(client.pool_status().open, 0);
}

#[test]
fn commands_and_cmd_and_typed_queries() {
    let client = Client::open(url()).unwrap();
    let _: () = client.set("pool:cmds", "v").unwrap();
    let v: String = client.get("pool:cmds").unwrap();
    assert_eq!(v, "v");
    let n: i64 = client
        .cmd("APPEND")
        .arg("pool:cmds")
        .arg("w")
        .query()
        .unwrap();
    assert_eq!(n, 2);
    let typed = client
        .query(ferrodis_commands::commands::get("pool:cmds"))
        .unwrap();
    let _: Option<bytes::Bytes> = typed;
    let s: String = client.query_as(Cmd::new("GET").arg("pool:cmds")).unwrap();
    assert_eq!(s, "vw");
    let err = client.incr::<_, i64>("pool:cmds").unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    // The error reply did not cost the connection.
    assert_eq!(client.pool_status().open, 1);
}

#[test]
fn max_size_is_respected() {
    let client = Client::builder(url())
        .max_size(3)
        .pool_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let barrier = Arc::new(Barrier::new(10));
    let threads: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            let barrier = barrier.clone();
            thread::spawn(move || {
                barrier.wait();
                let mut ids = Vec::new();
                for _ in 0..5 {
                    let mut conn = client.get_connection().unwrap();
                    assert!(client.pool_status().open <= 3);
                    ids.push(conn.query::<i64>(&Cmd::new("CLIENT").arg("ID")).unwrap());
                    thread::sleep(Duration::from_millis(5));
                }
                ids
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for t in threads {
        ids.extend(t.join().unwrap());
    }
    assert!(ids.len() <= 3, "{ids:?}");
    assert_eq!(client.pool_status().open, ids.len());
}

#[test]
fn pool_exhaustion_gives_the_pool_error() {
    let client = Client::builder(url())
        .max_size(2)
        .pool_timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let a = client.get_connection().unwrap();
    let b = client.get_connection().unwrap();
    let started = Instant::now();
    let err = client.get_connection().unwrap_err();
    let elapsed = started.elapsed();
    match &err {
        Error::Pool { size, waited } => {
            assert_eq!(*size, 2);
            assert!(*waited >= Duration::from_millis(150), "{waited:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(elapsed >= Duration::from_millis(150));
    let text = err.to_string();
    assert!(text.contains("pool of 2"), "{text}");
    // The actual wait, in whole milliseconds (at least the 150 ms asked for).
    assert!(text.contains(" ms on a pool"), "{text}");
    // Commands fail the same way...
    assert!(matches!(
        client.ping::<String>().unwrap_err(),
        Error::Pool { .. }
    ));
    // ...until a connection comes back; a waiting borrower gets it.
    let waiter = {
        let client = client.clone();
        thread::spawn(move || {
            client
                .get_connection()
                .map(|mut c| c.query::<String>(&Cmd::new("PING")).unwrap())
        })
    };
    thread::sleep(Duration::from_millis(20));
    drop(a);
    assert_eq!(waiter.join().unwrap().unwrap(), "PONG");
    drop(b);
}

#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let client = Client::builder(url())
        .idle_timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    let first = client_id(&client);
    assert_eq!(client_id(&client), first, "reused while fresh");
    assert_eq!(client.pool_status().idle, 1);
    // The reaper closes it without any activity on the client.
    assert!(eventually(Duration::from_secs(3), || client
        .pool_status()
        .open
        == 0));
    let observer = Client::open(url()).unwrap();
    let list: String = observer.cmd("CLIENT").arg("LIST").query().unwrap();
    assert!(
        !list.contains(&format!("id={first} ")),
        "the idle connection is still open on the server"
    );
    assert_ne!(client_id(&client), first);
}

#[test]
fn connections_older_than_max_lifetime_are_replaced() {
    let client = Client::builder(url())
        .max_lifetime(Some(Duration::from_millis(300)))
        .idle_timeout(None)
        .build()
        .unwrap();
    let first = client_id(&client);
    let mut ids = vec![first];
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(800) {
        ids.push(client_id(&client));
        thread::sleep(Duration::from_millis(20));
    }
    let distinct: HashSet<_> = ids.iter().collect();
    assert!(distinct.len() >= 2, "never replaced: {distinct:?}");
    assert!(distinct.len() <= 4, "replaced too often: {distinct:?}");
    // One connection at a time; the reaper may already have closed the last one if it
    // expired while idle (a loaded machine makes that likely).
    assert!(client.pool_status().open <= 1, "{:?}", client.pool_status());
}

#[test]
fn health_checks_ping_connections_idle_longer_than_the_interval() {
    let server = RedisServer::start().unwrap();
    let checked = Client::builder(server.url())
        .health_check_interval(Some(Duration::ZERO))
        .build()
        .unwrap();
    let unchecked = Client::open(server.url()).unwrap();
    let _: String = unchecked.ping().unwrap();
    let before = calls(&unchecked, "ping");
    for _ in 0..3 {
        let _: Option<String> = checked.get("pool:health").unwrap();
    }
    // The first GET opened a fresh connection (no check); the next two were checked.
    assert_eq!(calls(&unchecked, "ping") - before, 2);

    // A longer interval: no check for a connection used just now.
    let relaxed = Client::builder(server.url())
        .health_check_interval(Some(Duration::from_secs(60)))
        .build()
        .unwrap();
    let before = calls(&unchecked, "ping");
    for _ in 0..3 {
        let _: Option<String> = relaxed.get("pool:health").unwrap();
    }
    assert_eq!(calls(&unchecked, "ping") - before, 0);
}

#[test]
fn a_connection_killed_while_idle_is_replaced_unseen() {
    for health_check in [None, Some(Duration::ZERO)] {
        let client = Client::builder(url())
            .health_check_interval(health_check)
            .build()
            .unwrap();
        let first = client_id(&client);
        let killer = Client::open(url()).unwrap();
        let killed: i64 = killer
            .cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(first)
            .query()
            .unwrap();
        assert_eq!(killed, 1);
        thread::sleep(Duration::from_millis(50));
        // The next command succeeds, on a new connection.
        let second = client_id(&client);
        assert_ne!(second, first);
        assert_eq!(client.pool_status().open, 1);
    }
}

#[test]
fn select_never_leaks_to_the_next_borrower() {
    let client = Client::open(format!("{}/2", url())).unwrap();
    {
        let mut conn = client.get_connection().unwrap();
        conn.query::<()>(&Cmd::new("SELECT").arg(5)).unwrap();
        assert!(!conn.is_reusable());
    }
    // That connection was closed, not returned.
    assert_eq!(client.pool_status().open, 0);
    let info: String = client.cmd("CLIENT").arg("INFO").query().unwrap();
    assert!(info.contains(" db=2 "), "{info}");
}

#[test]
fn connections_with_unread_replies_are_discarded() {
    let client = Client::open(url()).unwrap();
    let id = client_id(&client);
    {
        let mut conn = client.get_connection().unwrap();
        conn.send(&Cmd::new("SET").arg("pool:unread").arg("x"));
        conn.flush().unwrap();
        // Dropped with the +OK unread.
    }
    assert_eq!(client.pool_status().open, 0);
    let next = client_id(&client);
    assert_ne!(next, id);
    let v: String = client.get("pool:unread").unwrap();
    assert_eq!(v, "x");
}

#[test]
fn a_borrowed_connection_goes_back_and_detach_frees_its_slot() {
    let client = Client::builder(url()).max_size(1).build().unwrap();
    let id = {
        let mut conn = client.get_connection().unwrap();
        conn.query::<i64>(&Cmd::new("CLIENT").arg("ID")).unwrap()
    };
    assert_eq!(client.pool_status().idle, 1);
    let conn = client.get_connection().unwrap();
    let mut detached = conn.detach();
    assert_eq!(client.pool_status().open, 0);
    assert_eq!(
        detached
            .query::<i64>(&Cmd::new("CLIENT").arg("ID"))
            .unwrap(),
        id
    );
    // Its slot is free: the size-1 pool opens another.
    assert_ne!(client_id(&client), id);
}

#[test]
fn dedicated_connections_are_outside_the_pool() {
    let client = Client::builder(url())
        .max_size(1)
        .pool_timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let _held = client.get_connection().unwrap();
    let mut dedicated = client.dedicated_connection().unwrap();
    dedicated.ping().unwrap();
    assert_eq!(client.pool_status().open, 1);
}

#[test]
fn builder_rejects_a_zero_size_and_bad_urls() {
    let err = Client::builder(url()).max_size(0).build().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Config {
                part: "max_size",
                ..
            }
        ),
        "{err:?}"
    );
    let err = Client::open("redis://localhost:99999").unwrap_err();
    assert!(matches!(err, Error::Config { part: "port", .. }), "{err:?}");
    let config = ConnectionConfig::tcp("127.0.0.1", shared_server().port());
    let client = Client::open(&config).unwrap();
    assert_eq!(client.config(), &config);
}
