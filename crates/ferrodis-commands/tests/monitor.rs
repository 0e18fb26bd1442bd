#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! MONITOR lines, as redis-server 7.0.15 sent them (captured over a unix socket, TCP on
//! IPv4 and IPv6, and from a Lua script).

use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use ferrodis_commands::monitor::{monitor, MonitorEvent};
use ferrodis_commands::{Error, FromValue, Value};

fn decode_all(mut bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (value, used) = ferrodis_resp::decode(bytes).unwrap().unwrap();
        out.push(value);
        bytes = &bytes[used..];
    }
    out
}

/// What the server sent after `MONITOR`'s `+OK`, in one read.
const CAPTURED: &[u8] = b"+1795257180.343002 [0 unix:/tmp/a.sock] \"SET\" \"k\" \"a \\\"quoted\\\" \\\\ back\\n\\r\\t\\a\\b \\x01\\xc3\\xbf end\"\r\n+1795257180.593549 [0 unix:/tmp/a.sock] \"EVAL\" \"return redis.call('set', KEYS[1], ARGV[1])\" \"1\" \"lk\" \"lv\"\r\n+1795257180.593630 [0 lua] \"set\" \"lk\" \"lv\"\r\n+1795257180.844185 [3 unix:/tmp/a.sock] \"SELECT\" \"3\"\r\n+1795257181.096428 [3 unix:/tmp/a.sock] \"GET\" \"k3\"\r\n+1795257181.347056 [3 unix:/tmp/a.sock] \"SET\" \"\" \"\"\r\n+1795257181.597617 [3 unix:/tmp/a.sock] \"SET\" \"utf\" \"h\\xc3\\x83\\xc2\\xa9\"\r\n+1795257213.839356 [0 127.0.0.1:46662] \"KEYS\" \"*\"\r\n+1795257213.940063 [0 [::1]:60436] \"KEYS\" \"*\"\r\n";

fn event(secs: u64, micros: u32, db: i64, client: &str, command: &[&[u8]]) -> MonitorEvent {
    MonitorEvent {
        time: UNIX_EPOCH + Duration::new(secs, micros * 1000),
        db,
        client: client.to_owned(),
        command: command.iter().map(|a| Bytes::copy_from_slice(a)).collect(),
    }
}

#[test]
fn captured_lines() {
    let sock = "unix:/tmp/a.sock";
    let expected = [
        event(
            1795257180,
            343002,
            0,
            sock,
            &[
                b"SET",
                b"k",
                b"a \"quoted\" \\ back\n\r\t\x07\x08 \x01\xc3\xbf end",
            ],
        ),
        event(
            1795257180,
            593549,
            0,
            sock,
            &[
                b"EVAL",
                b"return redis.call('set', KEYS[1], ARGV[1])",
                b"1",
                b"lk",
                b"lv",
            ],
        ),
        event(1795257180, 593630, 0, "lua", &[b"set", b"lk", b"lv"]),
        event(1795257180, 844185, 3, sock, &[b"SELECT", b"3"]),
        event(1795257181, 96428, 3, sock, &[b"GET", b"k3"]),
        event(1795257181, 347056, 3, sock, &[b"SET", b"", b""]),
        event(
            1795257181,
            597617,
            3,
            sock,
            &[b"SET", b"utf", "hÃ©".as_bytes()],
        ),
        event(1795257213, 839356, 0, "127.0.0.1:46662", &[b"KEYS", b"*"]),
        event(1795257213, 940063, 0, "[::1]:60436", &[b"KEYS", b"*"]),
    ];
    let values = decode_all(CAPTURED);
    assert_eq!(values.len(), expected.len());
    for (value, expected) in values.into_iter().zip(expected) {
        assert!(matches!(value, Value::SimpleString(_)));
        let got = MonitorEvent::from_value(value).unwrap();
        assert_eq!(got, expected);
    }
}

#[test]
fn the_documented_example() {
    let e = MonitorEvent::parse(b"1339518083.107412 [0 127.0.0.1:60866] \"keys\" \"*\"").unwrap();
    assert_eq!(e.client, "127.0.0.1:60866");
    assert_eq!(e.command, [Bytes::from("keys"), Bytes::from("*")]);
    assert!((e.timestamp() - 1339518083.107412).abs() < 1e-6);
    // A trailing CRLF is fine too.
    assert!(MonitorEvent::parse(b"1.5 [0 lua] \"PING\"\r\n").is_ok());
}

#[test]
fn every_escape() {
    let e =
        MonitorEvent::parse(br#"1.000001 [15 lua] "\"\\\n\r\t\a\b\x00\xFF\x7f" "plain""#).unwrap();
    assert_eq!(e.db, 15);
    assert_eq!(e.time, UNIX_EPOCH + Duration::new(1, 1000));
    assert_eq!(
        e.command,
        [
            Bytes::from_static(b"\"\\\n\r\t\x07\x08\x00\xff\x7f"),
            Bytes::from("plain")
        ]
    );
}

#[test]
fn malformed_lines_are_conversion_errors() {
    let bad: &[&[u8]] = &[
        b"",
        b"1339518083.107412",
        b"x.1 [0 lua] \"a\"",
        b"1.2.3 [0 lua] \"a\"",
        b"1.1234567890 [0 lua] \"a\"",
        b"1.1 0 lua] \"a\"",
        b"1.1 [x lua] \"a\"",
        b"1.1 [0lua] \"a\"",
        b"1.1 [0 lua]",
        b"1.1 [0 lua] a",
        b"1.1 [0 lua] \"a",
        b"1.1 [0 lua] \"a\"\"b\"",
        b"1.1 [0 lua] \"a\" ",
        b"1.1 [0 lua] \"a\\q\"",
        b"1.1 [0 lua] \"a\\x4\"",
        b"1.1 [0 lua] \"a\\xzz\"",
        b"1.1 [0 lua] \"a\\",
    ];
    for line in bad {
        match MonitorEvent::parse(line) {
            Err(Error::Conversion {
                expected, detail, ..
            }) => {
                assert!(expected.ends_with("MonitorEvent"));
                assert!(detail.is_some());
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(line)),
        }
    }
    assert!(matches!(
        MonitorEvent::from_value(Value::Integer(1)),
        Err(Error::Conversion { .. })
    ));
    assert!(matches!(
        MonitorEvent::from_value(Value::SimpleError("ERR nope".into())),
        Err(Error::Server(_))
    ));
}

#[test]
fn the_monitor_command() {
    let mut out = Vec::new();
    monitor().write_to(&mut out);
    assert_eq!(out, b"*1\r\n$7\r\nMONITOR\r\n");
}
