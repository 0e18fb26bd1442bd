//! Server error parsing, error accessors, and messages that say what to do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io;
use std::time::Duration;

use ferrodis_commands::{Error, ErrorCode, RedirectKind, ServerError, TimeoutKind};

#[test]
fn every_listed_code_is_parsed() {
    let cases: &[(&str, ErrorCode)] = &[
        ("ERR unknown command 'FOO'", ErrorCode::Err),
        (
            "WRONGTYPE Operation against a key holding the wrong kind of value",
            ErrorCode::WrongType,
        ),
        (
            "NOSCRIPT No matching script. Please use EVAL.",
            ErrorCode::NoScript,
        ),
        (
            "TRYAGAIN Multiple keys request during rehashing of slot",
            ErrorCode::TryAgain,
        ),
        ("CLUSTERDOWN The cluster is down", ErrorCode::ClusterDown),
        (
            "CROSSSLOT Keys in request don't hash to the same slot",
            ErrorCode::CrossSlot,
        ),
        (
            "LOADING Redis is loading the dataset in memory",
            ErrorCode::Loading,
        ),
        ("BUSY Redis is busy running a script.", ErrorCode::Busy),
        (
            "READONLY You can't write against a read only replica.",
            ErrorCode::ReadOnly,
        ),
        ("NOAUTH Authentication required.", ErrorCode::NoAuth),
        (
            "WRONGPASS invalid username-password pair or user is disabled.",
            ErrorCode::WrongPass,
        ),
        (
            "NOPERM this user has no permissions to run the 'get' command",
            ErrorCode::NoPerm,
        ),
        (
            "EXECABORT Transaction discarded because of previous errors.",
            ErrorCode::ExecAbort,
        ),
        ("MASTERDOWN Link with MASTER is down", ErrorCode::MasterDown),
        (
            "NOREPLICAS Not enough good replicas to write.",
            ErrorCode::NoReplicas,
        ),
        (
            "OOM command not allowed when used memory > 'maxmemory'.",
            ErrorCode::Oom,
        ),
        ("NOPROTO unsupported protocol version", ErrorCode::NoProto),
        (
            "UNBLOCKED client unblocked via CLIENT UNBLOCK",
            ErrorCode::Unblocked,
        ),
        (
            "BUSYGROUP Consumer Group name already exists",
            ErrorCode::BusyGroup,
        ),
        (
            "NOGROUP No such key 'k' or consumer group 'g'",
            ErrorCode::NoGroup,
        ),
        ("WEIRD something new", ErrorCode::Other("WEIRD".into())),
        ("", ErrorCode::Other(String::new())),
    ];
    for (text, code) in cases {
        let e = ServerError::parse(text.as_bytes());
        assert_eq!(e.code(), code, "{text}");
        assert_eq!(e.text(), *text);
    }
    assert_eq!(
        ServerError::parse(b"WRONGTYPE Operation against a key").detail(),
        "Operation against a key"
    );
}

#[test]
fn redirects_carry_slot_and_address() {
    let moved = Error::Server(ServerError::parse(b"MOVED 3999 127.0.0.1:6381"));
    let r = moved.redirect().unwrap();
    assert_eq!(
        (r.kind, r.slot, r.addr),
        (RedirectKind::Moved, 3999, "127.0.0.1:6381")
    );
    let ask = Error::Server(ServerError::parse(b"ASK 16383 [::1]:7000"));
    let r = ask.redirect().unwrap();
    assert_eq!(
        (r.kind, r.slot, r.addr),
        (RedirectKind::Ask, 16383, "[::1]:7000")
    );
    assert!(moved.is_retryable() && ask.is_retryable());
    // Malformed redirects are not redirects.
    for bad in ["MOVED", "MOVED x 1.2.3.4:5", "MOVED 16384 h:1", "ASK 1"] {
        assert!(
            Error::Server(ServerError::parse(bad.as_bytes()))
                .redirect()
                .is_none(),
            "{bad}"
        );
    }
    assert!(Error::Watch.redirect().is_none());
}

#[test]
fn accessors_classify_errors() {
    let reset: Error = io::Error::new(io::ErrorKind::ConnectionReset, "reset").into();
    assert!(reset.is_connection_dropped() && reset.is_retryable() && !reset.is_timeout());
    let eof: Error = io::Error::from(io::ErrorKind::UnexpectedEof).into();
    assert!(eof.is_connection_dropped());
    let timeout = Error::Timeout {
        kind: TimeoutKind::Response,
        after: Duration::from_millis(250),
    };
    assert!(timeout.is_timeout() && !timeout.is_connection_dropped() && !timeout.is_retryable());
    let io_timeout: Error = io::Error::from(io::ErrorKind::TimedOut).into();
    assert!(io_timeout.is_timeout());
    let pool = Error::Pool {
        size: 4,
        waited: Duration::from_secs(1),
    };
    assert!(pool.is_timeout());
    let protocol = Error::Protocol(ferrodis_resp::DecodeError::InvalidInteger { offset: 1 });
    assert!(protocol.is_connection_dropped());
    let loading = Error::Server(ServerError::parse(b"LOADING wait"));
    assert!(loading.is_retryable() && !loading.is_connection_dropped());
    let wrongtype = Error::Server(ServerError::parse(b"WRONGTYPE x"));
    assert!(!wrongtype.is_retryable());
    assert!(wrongtype.server_error().is_some());
}

#[test]
fn messages_say_what_happened_and_what_to_do() {
    let refused: Error = io::Error::from(io::ErrorKind::ConnectionRefused).into();
    assert!(
        refused.to_string().contains("is redis-server running"),
        "{refused}"
    );
    let pool = Error::Pool {
        size: 4,
        waited: Duration::from_millis(1500),
    };
    let text = pool.to_string();
    assert!(
        text.contains("pool of 4") && text.contains("1500 ms") && text.contains("raise"),
        "{text}"
    );
    let conv = Error::conversion::<u8>("integer", Some("300 is out of range".into()));
    assert_eq!(
        conv.to_string(),
        "cannot convert a integer reply into `u8`: 300 is out of range"
    );
    let cross = Error::Server(ServerError::parse(
        b"CROSSSLOT Keys in request don't hash to the same slot",
    ));
    assert!(cross.to_string().contains("hash tag"), "{cross}");
    assert!(
        Error::Watch.to_string().contains("retry") || Error::Watch.to_string().contains("again")
    );
    let abort = Error::ExecAbort {
        errors: vec![(1, ServerError::parse(b"ERR unknown command 'NOPE'"))],
    };
    assert!(
        abort.to_string().contains("command #1 failed to queue"),
        "{abort}"
    );
    let config = Error::Config {
        part: "port",
        reason: "\"abc\" is not a number from 1 to 65535".into(),
    };
    assert_eq!(
        config.to_string(),
        "invalid configuration: port: \"abc\" is not a number from 1 to 65535"
    );
    let timeout = Error::Timeout {
        kind: TimeoutKind::Connect,
        after: Duration::from_secs(2),
    };
    assert!(
        timeout.to_string().starts_with("connect timeout after 2s"),
        "{timeout}"
    );
}

#[test]
fn errors_are_clone_and_send() {
    fn assert_traits<T: Clone + Send + Sync + std::error::Error + 'static>() {}
    assert_traits::<Error>();
    let e: Error = io::Error::other("boom").into();
    let copy = e.clone();
    assert_eq!(e.to_string(), copy.to_string());
}
