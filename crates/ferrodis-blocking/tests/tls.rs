//! TLS against a real TLS-only server with a certificate generated for the test: verified
//! connections, refused ones, client certificates, and the pool over TLS.
#![cfg(feature = "tls")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

use ferrodis_blocking::{Client, Commands, Connection};
use ferrodis_commands::{Cmd, ConnectionConfig, Error, TlsConfig};
use ferrodis_tests::{RedisServer, TlsFiles};

fn server() -> &'static RedisServer {
    static SERVER: OnceLock<RedisServer> = OnceLock::new();
    SERVER.get_or_init(|| RedisServer::builder().tls().start().unwrap())
}

fn files() -> &'static TlsFiles {
    server().tls_files().unwrap()
}

fn config(host: &str, tls: TlsConfig) -> ConnectionConfig {
    ConnectionConfig::tcp(host, server().port()).tls(tls)
}

fn verified() -> TlsConfig {
    TlsConfig::new().ca_file(&files().ca_cert)
}

#[test]
fn a_verified_connection_with_the_ca_file() {
    for host in ["127.0.0.1", "localhost"] {
        let mut conn = Connection::open(&config(host, verified())).unwrap();
        conn.ping().unwrap();
        conn.query::<()>(&Cmd::new("SET").arg("tls:k").arg("over tls"))
            .unwrap();
        let v: String = conn.query(&Cmd::new("GET").arg("tls:k")).unwrap();
        assert_eq!(v, "over tls");
        // A large reply spans many TLS records.
        let big = vec![b'z'; 1 << 20];
        conn.query::<()>(&Cmd::new("SET").arg("tls:big").arg(&big[..]))
            .unwrap();
        let back: Vec<u8> = conn.query(&Cmd::new("GET").arg("tls:big")).unwrap();
        assert_eq!(back, big);
    }
}

#[test]
fn without_the_ca_the_certificate_is_refused() {
    // The system's roots do not know the test CA.
    let err = Connection::open(&config("127.0.0.1", TlsConfig::new())).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("certificate"), "{err}");

    // Nor does another CA.
    let other = TlsConfig::new().ca_file(&files().other_ca_cert);
    let err = Connection::open(&config("127.0.0.1", other)).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
}

#[test]
fn the_host_name_is_verified() {
    let wrong_name = verified().server_name("redis.example.com");
    let err = Connection::open(&config("127.0.0.1", wrong_name)).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    // The name the certificate is for, while connecting by address.
    let right_name = verified().server_name("localhost");
    Connection::open(&config("127.0.0.1", right_name))
        .unwrap()
        .ping()
        .unwrap();
}

#[test]
fn dangerous_accept_invalid_certs_connects() {
    let insecure = TlsConfig::new().dangerous_accept_invalid_certs(true);
    Connection::open(&config("127.0.0.1", insecure))
        .unwrap()
        .ping()
        .unwrap();
    // The URL form: rediss://...#insecure.
    let url = format!("rediss://127.0.0.1:{}/#insecure", server().port());
    let client = Client::open(url.as_str()).unwrap();
    let pong: String = client.ping().unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn plain_tcp_to_a_tls_port_fails_cleanly() {
    let plain = ConnectionConfig::tcp("127.0.0.1", server().port())
        .connect_timeout(Duration::from_secs(2))
        .response_timeout(Duration::from_secs(2));
    assert!(Connection::open(&plain).is_err());
}

#[test]
fn missing_ca_file_is_a_tls_error_at_build_time() {
    let missing = TlsConfig::new().ca_file("/nonexistent/ca.pem");
    let err = Client::open(config("127.0.0.1", missing)).unwrap_err();
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
}

#[test]
fn client_certificates() {
    let server = RedisServer::builder()
        .tls_require_client_cert()
        .start()
        .unwrap();
    let files = server.tls_files().unwrap();
    let base =
        ConnectionConfig::tcp("127.0.0.1", server.port()).response_timeout(Duration::from_secs(5));
    let with_cert = TlsConfig::new()
        .ca_file(&files.ca_cert)
        .client_cert(&files.client_cert, &files.client_key);
    let mut conn = Connection::open(&base.clone().tls(with_cert)).unwrap();
    conn.ping().unwrap();
    // Without one, the server hangs up (during the handshake or right after it).
    let without = TlsConfig::new().ca_file(&files.ca_cert);
    assert!(Connection::open(&base.tls(without)).is_err());
}

#[test]
fn the_pool_over_tls_reuses_its_connections() {
    let client = Client::open(config("localhost", verified())).unwrap();
    let id: i64 = client.cmd("CLIENT").arg("ID").query().unwrap();
    // Idle TLS connections may have post-handshake records (session tickets) waiting:
    // the idle check must read them without discarding the connection.
    thread::sleep(Duration::from_millis(100));
    let again: i64 = client.cmd("CLIENT").arg("ID").query().unwrap();
    assert_eq!(again, id);
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            thread::spawn(move || {
                for j in 0..20 {
                    let key = format!("tls:pool:{i}");
                    let _: () = client.set(&key, j).unwrap();
                    assert_eq!(client.get::<_, i64>(&key).unwrap(), j);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn a_tls_server_restart_is_survived() {
    let mut server = RedisServer::builder().tls().start().unwrap();
    let tls = TlsConfig::new().ca_file(&server.tls_files().unwrap().ca_cert);
    let client = Client::open(ConnectionConfig::tcp("127.0.0.1", server.port()).tls(tls)).unwrap();
    let _: () = client.set("tls:restart", 1).unwrap();
    server.restart().unwrap();
    let _: () = client.set("tls:restart", 2).unwrap();
    assert_eq!(client.get::<_, i64>("tls:restart").unwrap(), 2);
}
