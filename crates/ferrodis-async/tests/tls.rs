//! TLS against a real TLS-only server with a certificate generated for the test, on tokio
//! and async-std (the same TLS layer drives rustls over either runtime's sockets):
//! verified connections, refused ones, client certificates, the pool and the multiplexed
//! connection over TLS, restarts.
#![cfg(feature = "tls")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use ferrodis_async::{Client, Connection};
use ferrodis_commands::{AsyncCommands, Cmd, ConnectionConfig, Error, TlsConfig};
use ferrodis_tests::{RedisServer, TlsFiles};

fn server() -> &'static RedisServer {
    static SERVER: OnceLock<RedisServer> = OnceLock::new();
    SERVER.get_or_init(|| RedisServer::builder().tls().start().unwrap())
}

fn files() -> &'static TlsFiles {
    server().tls_files().unwrap()
}

fn config(host: &str, tls: TlsConfig) -> ConnectionConfig {
    ConnectionConfig::tcp(host, server().port())
        .connect_timeout(Duration::from_secs(5))
        .tls(tls)
}

fn verified() -> TlsConfig {
    TlsConfig::new().ca_file(&files().ca_cert)
}

runtime_tests! {
    async fn a_verified_connection_with_the_ca_file() {
        for host in ["127.0.0.1", "localhost"] {
            let mut conn = Connection::open(&config(host, verified())).await.unwrap();
            conn.ping().await.unwrap();
            let key = common::key("tls:k");
            conn.query::<()>(&Cmd::new("SET").arg(&key).arg("over tls"))
                .await
                .unwrap();
            let v: String = conn.query(&Cmd::new("GET").arg(&key)).await.unwrap();
            assert_eq!(v, "over tls");
            // A large value spans many TLS records, both ways.
            let big_key = common::key("tls:big");
            let big = vec![b'z'; 1 << 20];
            conn.query::<()>(&Cmd::new("SET").arg(&big_key).arg(&big[..]))
                .await
                .unwrap();
            let back: Vec<u8> = conn.query(&Cmd::new("GET").arg(&big_key)).await.unwrap();
            assert_eq!(back, big);
            conn.close().await;
        }
    }

    async fn without_the_ca_the_certificate_is_refused() {
        // The system's roots do not know the test CA.
        let err = Connection::open(&config("127.0.0.1", TlsConfig::new()))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Tls { .. }), "{err:?}");
        assert!(err.to_string().contains("certificate"), "{err}");

        // Nor does another CA.
        let other = TlsConfig::new().ca_file(&files().other_ca_cert);
        let err = Connection::open(&config("127.0.0.1", other)).await.unwrap_err();
        assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    }

    async fn the_host_name_is_verified() {
        let wrong_name = verified().server_name("redis.example.com");
        let err = Connection::open(&config("127.0.0.1", wrong_name))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Tls { .. }), "{err:?}");
        assert!(err.to_string().contains("redis.example.com"), "{err}");
        // The name the certificate is for, while connecting by address.
        let right_name = verified().server_name("localhost");
        Connection::open(&config("127.0.0.1", right_name))
            .await
            .unwrap()
            .ping()
            .await
            .unwrap();
    }

    async fn dangerous_accept_invalid_certs_connects() {
        let insecure = TlsConfig::new().dangerous_accept_invalid_certs(true);
        Connection::open(&config("127.0.0.1", insecure))
            .await
            .unwrap()
            .ping()
            .await
            .unwrap();
        // The URL form: rediss://...#insecure.
        let url = format!("rediss://127.0.0.1:{}/#insecure", server().port());
        let client = Client::open(url.as_str()).unwrap();
        let pong: String = client.ping().await.unwrap();
        assert_eq!(pong, "PONG");
    }

    async fn plain_tcp_to_a_tls_port_fails_cleanly() {
        let plain = ConnectionConfig::tcp("127.0.0.1", server().port())
            .connect_timeout(Duration::from_secs(2))
            .response_timeout(Duration::from_secs(2));
        assert!(Connection::open(&plain).await.is_err());
    }

    /// The other way round: a plain server takes the ClientHello for an unfinished inline
    /// command and never answers; the connect timeout ends the handshake.
    async fn tls_to_a_plain_port_fails_within_the_connect_timeout() {
        let plain = ferrodis_tests::shared_server();
        let tls = ConnectionConfig::tcp("127.0.0.1", plain.port())
            .connect_timeout(Duration::from_millis(500))
            .tls(TlsConfig::new().dangerous_accept_invalid_certs(true));
        let err = Connection::open(&tls).await.unwrap_err();
        assert!(
            err.is_timeout() || matches!(err, Error::Tls { .. }),
            "{err:?}"
        );
    }

    async fn missing_ca_file_is_a_tls_error_at_build_time() {
        let missing = TlsConfig::new().ca_file("/nonexistent/ca.pem");
        let err = Client::open(config("127.0.0.1", missing)).unwrap_err();
        assert!(matches!(err, Error::Tls { .. }), "{err:?}");
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }

    async fn client_certificates() {
        let server = RedisServer::builder()
            .tls_require_client_cert()
            .start()
            .unwrap();
        let files = server.tls_files().unwrap();
        let base = ConnectionConfig::tcp("127.0.0.1", server.port())
            .connect_timeout(Duration::from_secs(5))
            .response_timeout(Duration::from_secs(5));
        let with_cert = TlsConfig::new()
            .ca_file(&files.ca_cert)
            .client_cert(&files.client_cert, &files.client_key);
        let mut conn = Connection::open(&base.clone().tls(with_cert)).await.unwrap();
        conn.ping().await.unwrap();
        // Without one, the server hangs up (during the handshake or right after it).
        let without = TlsConfig::new().ca_file(&files.ca_cert);
        assert!(Connection::open(&base.tls(without)).await.is_err());
    }

    /// Idle pooled TLS connections may have post-handshake records (TLS 1.3 session
    /// tickets) waiting: the idle check reads them without discarding the connection.
    async fn the_pool_over_tls_reuses_its_connections() {
        let client = Client::open(config("localhost", verified())).unwrap();
        let id: i64 = {
            let mut lease = client.get_connection().await.unwrap();
            lease.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap()
        };
        ferrodis_async::runtime::sleep(&**client.runtime(), Duration::from_millis(100)).await;
        let again: i64 = {
            let mut lease = client.get_connection().await.unwrap();
            lease.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap()
        };
        assert_eq!(again, id);
    }

    /// Many concurrent callers share the multiplexed connection over TLS: requests and
    /// replies interleave across TLS records.
    async fn the_multiplexed_connection_over_tls() {
        let client = Client::open(config("localhost", verified())).unwrap();
        let tasks = (0..8).map(|i| {
            let client = client.clone();
            async move {
                let key = common::key(&format!("tls:mux:{i}"));
                for j in 0..50_i64 {
                    let _: () = client.set(&key, j).await.unwrap();
                    assert_eq!(client.get::<_, i64>(&key).await.unwrap(), j);
                }
                // And a value larger than rustls's send buffer.
                let big = vec![b'a' + u8::try_from(i).unwrap(); 300_000];
                let _: () = client.set(&key, &big[..]).await.unwrap();
                let back: Vec<u8> = client.get(&key).await.unwrap();
                assert_eq!(back, big);
            }
        });
        futures_util::future::join_all(tasks).await;
    }

    async fn a_tls_server_restart_is_survived() {
        let mut server = RedisServer::builder().tls().start().unwrap();
        let tls = TlsConfig::new().ca_file(&server.tls_files().unwrap().ca_cert);
        let client =
            Client::open(ConnectionConfig::tcp("127.0.0.1", server.port()).tls(tls)).unwrap();
        let _: () = client.set("tls:restart", 1).await.unwrap();
        server.restart().unwrap();
        // The first command after the restart may find the old connection closed; the
        // client reconnects (reads are retried; a write may fail once).
        let mut tries = 0;
        loop {
            match client.set::<_, _, ()>("tls:restart", 2).await {
                Ok(()) => break,
                Err(e) if e.is_connection_dropped() && tries < 3 => tries += 1,
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!(client.get::<_, i64>("tls:restart").await.unwrap(), 2);
    }
}
