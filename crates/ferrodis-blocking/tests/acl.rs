//! Authentication against a real server with an ACL user: the right password works with
//! both protocols, a wrong one is `Error::Auth` and never shows the password.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use ferrodis_blocking::{Client, Commands, Connection};
use ferrodis_commands::{Cmd, ConnectionConfig, Error, Protocol};
use ferrodis_tests::RedisServer;

const PASSWORD: &str = "s3cret-alice";
const WRONG: &str = "not-the-password-9f8e7d";

fn server() -> &'static RedisServer {
    static SERVER: OnceLock<RedisServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        RedisServer::builder()
            .acl_user("alice", PASSWORD)
            .start()
            .unwrap()
    })
}

fn config() -> ConnectionConfig {
    server().url().parse().unwrap()
}

fn assert_secret_hidden(err: &Error) {
    for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!text.contains(WRONG), "the password leaked: {text}");
        assert!(!text.contains(PASSWORD), "the password leaked: {text}");
    }
}

#[test]
fn the_right_password_authenticates_with_both_protocols() {
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        let config = config()
            .username("alice")
            .password(PASSWORD)
            .protocol(protocol);
        let mut conn = Connection::open(&config).unwrap();
        let me: String = conn.query(&Cmd::new("ACL").arg("WHOAMI")).unwrap();
        assert_eq!(me, "alice");
        assert_eq!(conn.protocol(), protocol);
    }
    // From a URL, through a client.
    let url = format!("redis://alice:{PASSWORD}@127.0.0.1:{}", server().port());
    let client = Client::open(url.as_str()).unwrap();
    let me: String = client.acl_whoami().unwrap();
    assert_eq!(me, "alice");
    assert!(!format!("{client:?}").contains(PASSWORD));
}

#[test]
fn a_wrong_password_is_an_auth_error_without_the_password() {
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        let config = config()
            .username("alice")
            .password(WRONG)
            .protocol(protocol);
        let err = Connection::open(&config).unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{protocol:?}: {err:?}");
        assert!(err.to_string().contains("WRONGPASS"), "{err}");
        assert_secret_hidden(&err);
    }
}

#[test]
fn a_wrong_password_through_a_client_is_an_auth_error_without_the_password() {
    let url = format!("redis://alice:{WRONG}@127.0.0.1:{}", server().port());
    let client = Client::open(url.as_str()).unwrap();
    assert!(!format!("{client:?}").contains(WRONG));
    let err = client.ping::<String>().unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert_secret_hidden(&err);
    assert_eq!(client.pool_status().open, 0);
}

#[test]
fn an_unknown_user_is_an_auth_error() {
    let config = config().username("mallory").password(WRONG);
    let err = Connection::open(&config).unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert_secret_hidden(&err);
}
