//! Faults against real servers: a server restarted under the client, replies that come
//! too late or stop in the middle, connections that break while borrowed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use ferrodis_blocking::{Client, Commands, Connection};
use ferrodis_commands::{Cmd, ConnectionConfig, Error, TimeoutKind};
use ferrodis_tests::{raw_command, RedisServer};

fn debug_server() -> RedisServer {
    RedisServer::builder()
        .enable_debug_command()
        .start()
        .unwrap()
}

/// Makes the whole server sleep for `seconds`, from a raw connection whose reply is not
/// awaited; returns the connection (keep it open until the sleep is over).
fn server_sleeps(server: &RedisServer, seconds: f64) -> TcpStream {
    let mut raw = server.connect().unwrap();
    raw_command(
        &mut raw,
        &[b"DEBUG", b"SLEEP", seconds.to_string().as_bytes()],
    )
    .unwrap();
    raw.flush().unwrap();
    raw
}

fn client_id(client: &Client) -> i64 {
    client.cmd("CLIENT").arg("ID").query().unwrap()
}

#[test]
fn the_next_command_after_a_server_restart_succeeds() {
    let mut server = RedisServer::start().unwrap();
    let client = Client::builder(server.url()).max_size(4).build().unwrap();
    // Fill the pool with several idle connections.
    let held: Vec<_> = (0..4).map(|_| client.get_connection().unwrap()).collect();
    drop(held);
    assert_eq!(client.pool_status().idle, 4);
    let _: () = client.set("faults:restart", "before").unwrap();

    server.restart().unwrap();

    // Every idle connection is dead; none of that reaches the caller.
    let _: () = client.set("faults:restart", "after").unwrap();
    let v: String = client.get("faults:restart").unwrap();
    assert_eq!(v, "after");
    // And from several threads at once.
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            thread::spawn(move || {
                let key = format!("faults:restart:{i}");
                let _: () = client.set(&key, i).unwrap();
                client.get::<_, i64>(&key).unwrap()
            })
        })
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        assert_eq!(t.join().unwrap(), i as i64);
    }
}

#[test]
fn a_restart_while_borrowed_is_an_error_and_the_connection_is_discarded() {
    let mut server = RedisServer::start().unwrap();
    let client = Client::open(server.url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    conn.ping().unwrap();
    server.restart().unwrap();
    // A write on a borrowed connection whose server went away is not resent: the error
    // reaches the caller (it could have run), and the connection is broken.
    let err = conn
        .query::<i64>(&Cmd::new("INCR").arg("faults:borrowed"))
        .unwrap_err();
    assert!(err.is_connection_dropped(), "{err:?}");
    assert!(conn.is_broken());
    drop(conn);
    assert_eq!(client.pool_status().open, 0);
    let n: i64 = client.incr("faults:borrowed").unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_timeout_in_the_middle_of_a_reply_breaks_the_connection() {
    let server = debug_server();
    let config: ConnectionConfig = server.url().parse().unwrap();
    let big = vec![b'x'; 32 << 20];
    let mut setup = Connection::open(&config).unwrap();
    setup
        .query::<()>(&Cmd::new("SET").arg("faults:big").arg(&big[..]))
        .unwrap();
    setup
        .query::<()>(&Cmd::new("SET").arg("faults:small").arg("small value"))
        .unwrap();

    let mut conn =
        Connection::open(&config.clone().response_timeout(Duration::from_millis(300))).unwrap();
    conn.send(&Cmd::new("GET").arg("faults:big"));
    conn.flush().unwrap();
    // Let the server fill the socket buffers with the start of the reply, then stall it
    // for a second: the reply stops in the middle.
    thread::sleep(Duration::from_millis(200));
    let _sleeper = server_sleeps(&server, 1.0);
    thread::sleep(Duration::from_millis(50));
    let err = conn.recv().unwrap_err();
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
    // Nothing more comes out of it: not the rest of the big value, not a later reply.
    assert!(conn.recv().unwrap_err().is_connection_dropped());
    assert!(conn
        .query::<String>(&Cmd::new("GET").arg("faults:small"))
        .unwrap_err()
        .is_connection_dropped());
}

#[test]
fn a_reply_cut_by_a_timeout_never_reaches_a_later_caller_of_the_pool() {
    let server = debug_server();
    let client = Client::builder(server.url()).max_size(1).build().unwrap();
    let big = vec![b'y'; 32 << 20];
    let _: () = client.set("faults:big", &big[..]).unwrap();
    let _: () = client.set("faults:small", "small value").unwrap();
    let first_id = client_id(&client);

    {
        let mut conn = client.get_connection().unwrap();
        conn.set_response_timeout(Some(Duration::from_millis(300)));
        conn.send(&Cmd::new("GET").arg("faults:big"));
        conn.flush().unwrap();
        thread::sleep(Duration::from_millis(200));
        let _sleeper = server_sleeps(&server, 1.0);
        thread::sleep(Duration::from_millis(50));
        let err = conn.recv().unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert!(conn.is_broken());
    }
    // The broken connection was discarded, not returned.
    assert_eq!(client.pool_status().open, 0);
    // The next caller gets its own reply (after the server wakes up), on a new connection.
    let small: String = client.get("faults:small").unwrap();
    assert_eq!(small, "small value");
    assert_ne!(client_id(&client), first_id);
}

#[test]
fn a_late_reply_never_reaches_a_later_caller_of_the_client() {
    let server = debug_server();
    let config: ConnectionConfig = server.url().parse().unwrap();
    let client = Client::builder(config.response_timeout(Duration::from_millis(200)))
        .max_size(1)
        .build()
        .unwrap();
    let _: () = client.set("faults:late", "mine").unwrap();
    let first_id = client_id(&client);
    // The server sleeps before it can answer this GET...
    let _sleeper = server_sleeps(&server, 0.6);
    thread::sleep(Duration::from_millis(50));
    let err = client.get::<_, String>("faults:other").unwrap_err();
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
    assert_eq!(
        client.pool_status().open,
        0,
        "the timed-out connection was kept"
    );
    // ...and its late nil is never handed to this GET.
    thread::sleep(Duration::from_millis(600));
    let mine: String = client.get("faults:late").unwrap();
    assert_eq!(mine, "mine");
    assert_ne!(client_id(&client), first_id);
}

#[test]
fn a_connection_closed_by_the_server_timeout_is_replaced() {
    let server = RedisServer::builder()
        .arg("--timeout", "1")
        .start()
        .unwrap();
    let client = Client::open(server.url()).unwrap();
    let first = client_id(&client);
    // The server closes clients idle for more than a second (checked about every 100ms).
    thread::sleep(Duration::from_millis(2500));
    let second = client_id(&client);
    assert_ne!(first, second);
}
