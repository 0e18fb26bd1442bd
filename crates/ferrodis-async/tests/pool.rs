//! The async `Client`'s pool against real servers, on tokio and on async-std: sharing,
//! the size bound, exhaustion, cancelled borrows, idle timeout, max lifetime, health
//! checks, and what is (not) returned to the pool.
//!
//! Ordinary commands of the async client go over its multiplexed connection, so these
//! tests borrow from the pool explicitly (`get_connection`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use ferrodis_async::{AsyncCommands, Client, PooledConnection};
use ferrodis_commands::{Cmd, ConnectionConfig, Error};
use ferrodis_tests::{shared_server, RedisServer};
use futures_util::future::join_all;

fn url() -> String {
    shared_server().url()
}

async fn sleep(d: Duration) {
    ferrodis_async::runtime::sleep(&*common::runtime(), d).await;
}

/// The server-side id of a pooled connection.
async fn conn_id(conn: &mut PooledConnection) -> i64 {
    conn.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap()
}

/// The id of the connection a fresh borrow gets (returned to the pool afterwards).
async fn pooled_id(client: &Client) -> i64 {
    let mut conn = client.get_connection().await.unwrap();
    conn_id(&mut conn).await
}

/// `cmdstat_<name>:calls=N` from `INFO commandstats`.
async fn calls(client: &Client, name: &str) -> u64 {
    let info: String = client
        .cmd("INFO")
        .arg("commandstats")
        .query()
        .await
        .unwrap();
    let prefix = format!("cmdstat_{name}:calls=");
    info.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|rest| rest.split(',').next().unwrap().parse().unwrap())
        .unwrap_or(0)
}

async fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(10)).await;
    }
}

fn assert_send<T: Send>(_: &T) {}

runtime_tests! {
    async fn client_is_clone_send_sync_and_the_pool_is_shared() {
        fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<Client>();

        let client = Client::open(url()).unwrap();
        let key = common::key("pool:shared");
        let _: i64 = client.del(&key).await.unwrap();
        assert_send(&client.get_connection());
        let tasks = (0..8).map(|_| {
            let client = client.clone();
            let key = key.clone();
            async move {
                for _ in 0..50 {
                    let mut conn = client.get_connection().await.unwrap();
                    let _: i64 = conn.query(&Cmd::new("INCR").arg(&key)).await.unwrap();
                }
            }
        });
        join_all(tasks).await;
        let total: i64 = client.get(&key).await.unwrap();
        assert_eq!(total, 400);
        let status = client.pool_status();
        assert!(status.open <= 16 && status.open >= 1, "{status:?}");
        assert_eq!(status.open, status.idle);
    }

    async fn open_does_not_connect() {
        let port = ferrodis_tests::free_port().unwrap();
        let client = Client::open(format!("redis://127.0.0.1:{port}")).unwrap();
        assert_eq!(client.pool_status().open, 0);
        let err = client.get_connection().await.unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
        // The failed open freed its slot.
        assert_eq!(client.pool_status().open, 0);
    }

    async fn max_size_is_respected() {
        let client = Client::builder(url())
            .max_size(3)
            .pool_timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let tasks = (0..10).map(|_| {
            let client = client.clone();
            async move {
                let mut ids = Vec::new();
                for _ in 0..5 {
                    let mut conn = client.get_connection().await.unwrap();
                    assert!(client.pool_status().open <= 3);
                    ids.push(conn_id(&mut conn).await);
                    sleep(Duration::from_millis(5)).await;
                }
                ids
            }
        });
        let ids: HashSet<i64> = join_all(tasks).await.into_iter().flatten().collect();
        assert!(ids.len() <= 3, "{ids:?}");
        assert_eq!(client.pool_status().open, ids.len());
    }

    async fn pool_exhaustion_gives_the_pool_error() {
        let client = Client::builder(url())
            .max_size(2)
            .pool_timeout(Duration::from_millis(150))
            .build()
            .unwrap();
        let a = client.get_connection().await.unwrap();
        let b = client.get_connection().await.unwrap();
        let started = Instant::now();
        let err = client.get_connection().await.unwrap_err();
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
        assert!(text.contains(" ms on a pool"), "{text}");
        // A waiting borrower gets the connection that comes back.
        let waiter = async {
            let mut conn = client.get_connection().await?;
            conn.query::<String>(&Cmd::new("PING")).await
        };
        let giver = async move {
            sleep(Duration::from_millis(20)).await;
            drop(a);
        };
        let (pong, ()) = futures_util::join!(waiter, giver);
        assert_eq!(pong.unwrap(), "PONG");
        drop(b);
        assert_eq!(client.pool_status().open, 2);
    }

    async fn a_cancelled_waiter_does_not_leak_a_slot() {
        let client = Client::builder(url())
            .max_size(1)
            .pool_timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let mut held = client.get_connection().await.unwrap();
        let id = conn_id(&mut held).await;
        // Give up on a borrow while it waits.
        let rt = common::runtime();
        let gave_up = ferrodis_async::runtime::timeout(
            &*rt,
            Some(Duration::from_millis(50)),
            client.get_connection(),
        )
        .await;
        assert!(gave_up.is_none());
        assert_eq!(client.pool_status().open, 1);
        drop(held);
        // The slot is free, and the connection idle: borrowed again at once.
        let started = Instant::now();
        let mut again = client.get_connection().await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(conn_id(&mut again).await, id);
        assert_eq!(client.pool_status().open, 1);
    }

    async fn a_borrow_cancelled_while_opening_frees_its_slot() {
        // A listener that never answers: connecting works, the handshake hangs.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let client = Client::builder(format!("redis://127.0.0.1:{port}"))
            .max_size(1)
            .build()
            .unwrap();
        let rt = common::runtime();
        for _ in 0..3 {
            let gave_up = ferrodis_async::runtime::timeout(
                &*rt,
                Some(Duration::from_millis(100)),
                client.get_connection(),
            )
            .await;
            assert!(gave_up.is_none(), "the handshake cannot complete");
            assert_eq!(client.pool_status().open, 0, "the slot was freed");
        }
    }

    async fn idle_connections_are_closed_after_the_idle_timeout() {
        let client = Client::builder(url())
            .idle_timeout(Some(Duration::from_millis(200)))
            .build()
            .unwrap();
        let first = pooled_id(&client).await;
        assert_eq!(pooled_id(&client).await, first, "reused while fresh");
        assert_eq!(client.pool_status().idle, 1);
        // The reaper closes it without any activity on the client.
        assert!(eventually(Duration::from_secs(3), || client.pool_status().open == 0).await);
        let observer = Client::open(url()).unwrap();
        let list: String = observer.cmd("CLIENT").arg("LIST").query().await.unwrap();
        assert!(
            !list.contains(&format!("id={first} ")),
            "the idle connection is still open on the server"
        );
        assert_ne!(pooled_id(&client).await, first);
    }

    async fn connections_older_than_max_lifetime_are_replaced() {
        let client = Client::builder(url())
            .max_lifetime(Some(Duration::from_millis(300)))
            .idle_timeout(None)
            .build()
            .unwrap();
        let mut ids = vec![pooled_id(&client).await];
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(800) {
            ids.push(pooled_id(&client).await);
            sleep(Duration::from_millis(20)).await;
        }
        let distinct: HashSet<_> = ids.iter().collect();
        assert!(distinct.len() >= 2, "never replaced: {distinct:?}");
        assert!(distinct.len() <= 4, "replaced too often: {distinct:?}");
        // One connection at a time; the reaper may already have closed the last one if it
        // expired while idle (a loaded machine makes that likely).
        assert!(client.pool_status().open <= 1, "{:?}", client.pool_status());
    }

    async fn health_checks_ping_connections_idle_longer_than_the_interval() {
        let server = RedisServer::start().unwrap();
        let key = common::key("pool:health");
        let get = Cmd::new("GET").arg(&key);
        let checked = Client::builder(server.url())
            .health_check_interval(Some(Duration::ZERO))
            .build()
            .unwrap();
        let observer = Client::open(server.url()).unwrap();
        let before = calls(&observer, "ping").await;
        for _ in 0..3 {
            let mut conn = checked.get_connection().await.unwrap();
            let _: Option<String> = conn.query(&get).await.unwrap();
        }
        // The first borrow opened a fresh connection (no check); the next two were checked.
        assert_eq!(calls(&observer, "ping").await - before, 2);

        // A longer interval: no check for a connection used just now.
        let relaxed = Client::builder(server.url())
            .health_check_interval(Some(Duration::from_secs(60)))
            .build()
            .unwrap();
        let before = calls(&observer, "ping").await;
        for _ in 0..3 {
            let mut conn = relaxed.get_connection().await.unwrap();
            let _: Option<String> = conn.query(&get).await.unwrap();
        }
        assert_eq!(calls(&observer, "ping").await - before, 0);
    }

    async fn a_connection_killed_while_idle_is_replaced_unseen() {
        for health_check in [None, Some(Duration::ZERO)] {
            let client = Client::builder(url())
                .health_check_interval(health_check)
                .build()
                .unwrap();
            let first = pooled_id(&client).await;
            let killer = Client::open(url()).unwrap();
            let killed: i64 = killer
                .cmd("CLIENT")
                .arg("KILL")
                .arg("ID")
                .arg(first)
                .query()
                .await
                .unwrap();
            assert_eq!(killed, 1);
            sleep(Duration::from_millis(50)).await;
            // The next borrow works, on a new connection.
            let second = pooled_id(&client).await;
            assert_ne!(second, first);
            assert_eq!(client.pool_status().open, 1);
        }
    }

    async fn select_never_leaks_to_the_next_borrower() {
        let client = Client::open(format!("{}/2", url())).unwrap();
        {
            let mut conn = client.get_connection().await.unwrap();
            conn.query::<()>(&Cmd::new("SELECT").arg(5)).await.unwrap();
            assert!(!conn.is_reusable());
        }
        // That connection was closed, not returned.
        assert_eq!(client.pool_status().open, 0);
        let mut conn = client.get_connection().await.unwrap();
        let info: String = conn.query(&Cmd::new("CLIENT").arg("INFO")).await.unwrap();
        assert!(info.contains(" db=2 "), "{info}");
    }

    async fn connections_with_unread_replies_are_discarded() {
        let client = Client::open(url()).unwrap();
        let key = common::key("pool:unread");
        let id = pooled_id(&client).await;
        {
            let mut conn = client.get_connection().await.unwrap();
            conn.send(&Cmd::new("SET").arg(&key).arg("x"));
            conn.flush().await.unwrap();
            // Dropped with the +OK unread.
        }
        assert_eq!(client.pool_status().open, 0);
        assert_ne!(pooled_id(&client).await, id);
        let v: String = client.get(&key).await.unwrap();
        assert_eq!(v, "x");
    }

    async fn a_borrowed_connection_goes_back_and_detach_frees_its_slot() {
        let client = Client::builder(url()).max_size(1).build().unwrap();
        let id = pooled_id(&client).await;
        assert_eq!(client.pool_status().idle, 1);
        let conn = client.get_connection().await.unwrap();
        let mut detached = conn.detach();
        assert_eq!(client.pool_status().open, 0);
        let detached_id: i64 = detached.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap();
        assert_eq!(detached_id, id);
        // Its slot is free: the size-1 pool opens another.
        assert_ne!(pooled_id(&client).await, id);
    }

    async fn dedicated_connections_are_outside_the_pool() {
        let client = Client::builder(url())
            .max_size(1)
            .pool_timeout(Duration::from_millis(50))
            .build()
            .unwrap();
        let _held = client.get_connection().await.unwrap();
        let mut dedicated = client.dedicated_connection().await.unwrap();
        dedicated.ping().await.unwrap();
        assert_eq!(client.pool_status().open, 1);
    }

    async fn builder_refuses_a_zero_size_and_bad_urls() {
        // A pool of 0 could never lend anything: refused (as the blocking client does) or
        // raised to 1, never built as is.
        match Client::builder(url()).max_size(0).build() {
            Err(err) => assert!(
                matches!(err, Error::Config { part: "max_size", .. }),
                "{err:?}"
            ),
            Ok(client) => assert_eq!(client.pool_status().max_size, 1),
        }
        let err = Client::open("redis://localhost:99999").unwrap_err();
        assert!(matches!(err, Error::Config { part: "port", .. }), "{err:?}");
        let config = ConnectionConfig::tcp("127.0.0.1", shared_server().port());
        let client = Client::open(&config).unwrap();
        assert_eq!(client.config(), &config);
    }
}
