//! The RESP layer (`ferrodis::resp`) against a real `redis-server`: commands encoded with
//! `encode_command`, replies decoded with `Decoder`, over a plain `TcpStream`, in RESP2
//! and in RESP3.
//!
//! The expected values were taken from Redis 7.0's actual replies (`DEBUG PROTOCOL <type>`
//! over a raw socket), not from the specification alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{self, Read};
use std::net::TcpStream;

use bytes::{Bytes, BytesMut};
use ferrodis::resp::{encode_command, Decoder, Value};
use ferrodis_tests::{raw_command, read_value, shared_server, RedisServer};

/// A raw connection: a socket, a decoder and its read buffer.
struct Conn {
    stream: TcpStream,
    decoder: Decoder,
    buf: BytesMut,
}

impl Conn {
    fn to(server: &RedisServer) -> Self {
        Self {
            stream: server.connect().unwrap(),
            decoder: Decoder::new(),
            buf: BytesMut::new(),
        }
    }

    /// Sends one command and reads one reply; nothing may follow the reply.
    fn cmd(&mut self, args: &[&[u8]]) -> Value {
        raw_command(&mut self.stream, args).unwrap();
        let value = self.read();
        assert!(
            self.buf.is_empty(),
            "bytes left after the reply to {:?}: {:?}",
            args,
            self.buf
        );
        value
    }

    fn read(&mut self) -> Value {
        read_value(&mut self.stream, &mut self.decoder, &mut self.buf).unwrap()
    }

    /// Switches to RESP3 and returns `HELLO 3`'s reply.
    fn hello3(&mut self) -> Value {
        let reply = self.cmd(&[b"HELLO", b"3"]);
        assert!(matches!(reply, Value::Map(_)), "{reply:?}");
        reply
    }
}

fn bulk(s: &'static str) -> Value {
    Value::BulkString(Bytes::from_static(s.as_bytes()))
}

fn int(n: i64) -> Value {
    Value::Integer(n)
}

fn debug_server() -> RedisServer {
    RedisServer::builder()
        .enable_debug_command()
        .start()
        .unwrap()
}

const ATTRIB_REPLY: &str = "Some real reply following the attribute";
const PUSH_REPLY: &str = "Some real reply following the push reply";
const BIGNUM: &str = "1234567999999999999999999999999999999";

#[test]
fn debug_protocol_resp2() {
    let server = debug_server();
    let mut conn = Conn::to(&server);
    let expected: Vec<(&str, Value)> = vec![
        ("string", bulk("Hello World")),
        ("integer", int(12345)),
        // RESP2 has no double: a bulk string of its text.
        ("double", bulk("3.141")),
        ("bignum", bulk(BIGNUM)),
        ("null", Value::Nil),
        ("array", Value::Array(vec![int(0), int(1), int(2)])),
        ("set", Value::Array(vec![int(0), int(1), int(2)])),
        // A flat array of keys and values; the boolean values degrade to 0 and 1.
        (
            "map",
            Value::Array(vec![int(0), int(0), int(1), int(1), int(2), int(0)]),
        ),
        // The attribute is dropped: only the annotated reply remains.
        ("attrib", bulk(ATTRIB_REPLY)),
        // Not an array: Redis 7.0 refuses a push on a RESP2 connection.
        (
            "push",
            Value::SimpleError(Bytes::from_static(
                b"ERR RESP2 is not supported by this command",
            )),
        ),
        // The verbatim string loses its `txt:` format.
        ("verbatim", bulk("This is a verbatim\nstring")),
        ("true", int(1)),
        ("false", int(0)),
    ];
    for (kind, value) in expected {
        assert_eq!(
            conn.cmd(&[b"DEBUG", b"PROTOCOL", kind.as_bytes()]),
            value,
            "DEBUG PROTOCOL {kind} in RESP2"
        );
    }
}

#[test]
// Redis sends `,3.141`: a literal, not an approximation of pi.
#[allow(clippy::approx_constant)]
fn debug_protocol_resp3() {
    let server = debug_server();
    let mut conn = Conn::to(&server);
    conn.hello3();
    let expected: Vec<(&str, Value)> = vec![
        ("string", bulk("Hello World")),
        ("integer", int(12345)),
        ("double", Value::Double(3.141)),
        (
            "bignum",
            Value::BigNumber(Bytes::from_static(BIGNUM.as_bytes())),
        ),
        ("null", Value::Nil),
        ("array", Value::Array(vec![int(0), int(1), int(2)])),
        ("set", Value::Set(vec![int(0), int(1), int(2)])),
        (
            "map",
            Value::Map(vec![
                (int(0), Value::Boolean(false)),
                (int(1), Value::Boolean(true)),
                (int(2), Value::Boolean(false)),
            ]),
        ),
        // Redis 7.0 sends the attribute key as a bulk string (`$14\r\nkey-popularity`).
        (
            "attrib",
            Value::Attribute {
                attributes: vec![(
                    bulk("key-popularity"),
                    Value::Array(vec![bulk("key:123"), int(90)]),
                )],
                value: Box::new(bulk(ATTRIB_REPLY)),
            },
        ),
        (
            "verbatim",
            Value::VerbatimString {
                format: *b"txt",
                text: Bytes::from_static(b"This is a verbatim\nstring"),
            },
        ),
        ("true", Value::Boolean(true)),
        ("false", Value::Boolean(false)),
    ];
    for (kind, value) in expected {
        assert_eq!(
            conn.cmd(&[b"DEBUG", b"PROTOCOL", kind.as_bytes()]),
            value,
            "DEBUG PROTOCOL {kind} in RESP3"
        );
    }

    // A push is a separate frame, sent before the command's own reply: two values.
    raw_command(&mut conn.stream, &[b"DEBUG", b"PROTOCOL", b"push"]).unwrap();
    assert_eq!(
        conn.read(),
        Value::Push(vec![bulk("server-cpu-usage"), int(42)])
    );
    assert_eq!(conn.read(), bulk(PUSH_REPLY));
    assert!(conn.buf.is_empty());

    // Still in sync afterwards.
    assert_eq!(
        conn.cmd(&[b"PING"]),
        Value::SimpleString(Bytes::from_static(b"PONG"))
    );
}

#[test]
fn hello_3_replies_with_a_map() {
    let mut conn = Conn::to(shared_server());
    let Value::Map(fields) = conn.hello3() else {
        unreachable!()
    };
    let keys: Vec<&Value> = fields.iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        ["server", "version", "proto", "id", "mode", "role", "modules"]
            .map(bulk)
            .iter()
            .collect::<Vec<_>>()
    );
    let get = |key: &'static str| &fields.iter().find(|(k, _)| *k == bulk(key)).unwrap().1;
    assert_eq!(get("server"), &bulk("redis"));
    assert_eq!(get("proto"), &int(3));
    assert!(matches!(get("id"), Value::Integer(id) if *id > 0));
    assert_eq!(get("mode"), &bulk("standalone"));
    assert_eq!(get("role"), &bulk("master"));
    assert_eq!(get("modules"), &Value::Array(vec![]));
    let Value::BulkString(version) = get("version") else {
        panic!("version: {:?}", get("version"));
    };
    let major: u32 = std::str::from_utf8(version)
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(major >= 7, "{version:?}");

    // In RESP3, a missing key is `_`.
    assert_eq!(
        conn.cmd(&[b"GET", b"resp_real_server:hello:missing"]),
        Value::Nil
    );

    // Back to RESP2: the same fields as a flat array.
    let Value::Array(flat) = conn.cmd(&[b"HELLO", b"2"]) else {
        panic!("HELLO 2 did not reply with an array");
    };
    assert_eq!(flat.len(), 14);
    assert_eq!(flat[4], bulk("proto"));
    assert_eq!(flat[5], int(2));
    // In RESP2, a missing key is `$-1`.
    assert_eq!(
        conn.cmd(&[b"GET", b"resp_real_server:hello:missing"]),
        Value::Nil
    );
}

#[test]
fn binary_safe_set_and_get() {
    let key: &[u8] = b"resp_real_server:binary:\r\n\0key";
    let value: &[u8] = b"a\r\nb\0c\xff\xfe\r\n$3\r\n*1\r\n:1\r\n\r\n";
    for resp3 in [false, true] {
        let mut conn = Conn::to(shared_server());
        if resp3 {
            conn.hello3();
        }
        assert_eq!(
            conn.cmd(&[b"SET", key, value]),
            Value::SimpleString(Bytes::from_static(b"OK"))
        );
        assert_eq!(
            conn.cmd(&[b"GET", key]),
            Value::BulkString(Bytes::copy_from_slice(value))
        );
        assert_eq!(conn.cmd(&[b"STRLEN", key]), int(value.len() as i64));
        // An empty value is not a null.
        assert_eq!(
            conn.cmd(&[b"SET", key, b""]),
            Value::SimpleString(Bytes::from_static(b"OK"))
        );
        assert_eq!(conn.cmd(&[b"GET", key]), Value::BulkString(Bytes::new()));
        assert_eq!(conn.cmd(&[b"DEL", key]), int(1));
    }
}

/// A reader that returns at most `max` bytes per read, and counts its reads.
struct Trickle<'a> {
    inner: &'a mut TcpStream,
    max: usize,
    reads: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        let len = buf.len().min(self.max);
        self.inner.read(&mut buf[..len])
    }
}

#[test]
fn one_mebibyte_value_arrives_in_many_pieces() {
    let key: &[u8] = b"resp_real_server:mebibyte";
    // Every byte value, CR LF pairs included.
    let value: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let mut conn = Conn::to(shared_server());
    assert_eq!(
        conn.cmd(&[b"SET", key, &value]),
        Value::SimpleString(Bytes::from_static(b"OK"))
    );
    raw_command(&mut conn.stream, &[b"GET", key]).unwrap();
    let mut trickle = Trickle {
        inner: &mut conn.stream,
        max: 1000,
        reads: 0,
    };
    let reply = read_value(&mut trickle, &mut conn.decoder, &mut conn.buf).unwrap();
    assert!(trickle.reads > 1000, "only {} reads", trickle.reads);
    let Value::BulkString(got) = reply else {
        panic!("not a bulk string");
    };
    assert_eq!(got.len(), value.len());
    assert!(got == value, "the value came back changed");
    assert!(conn.buf.is_empty());
    assert_eq!(conn.cmd(&[b"DEL", key]), int(1));
}

#[test]
fn error_replies_are_simple_errors() {
    for resp3 in [false, true] {
        let mut conn = Conn::to(shared_server());
        if resp3 {
            conn.hello3();
        }
        let reply = conn.cmd(&[b"NO-SUCH-COMMAND", b"x"]);
        let Value::SimpleError(message) = &reply else {
            panic!("not a simple error: {reply:?}");
        };
        assert!(
            message.starts_with(b"ERR unknown command 'NO-SUCH-COMMAND'"),
            "{reply:?}"
        );
        assert!(reply.is_error());
        let key: &[u8] = b"resp_real_server:error:not-a-number";
        conn.cmd(&[b"SET", key, b"abc"]);
        assert_eq!(
            conn.cmd(&[b"INCR", key]),
            Value::SimpleError(Bytes::from_static(
                b"ERR value is not an integer or out of range"
            ))
        );
        // The connection is still in sync.
        assert_eq!(
            conn.cmd(&[b"PING"]),
            Value::SimpleString(Bytes::from_static(b"PONG"))
        );
        conn.cmd(&[b"DEL", key]);
    }
}

#[test]
fn pipelined_replies_decode_in_order() {
    let key: &[u8] = b"resp_real_server:pipeline";
    let mut conn = Conn::to(shared_server());
    let mut out = Vec::new();
    encode_command(&mut out, [&b"DEL"[..], key]);
    for _ in 0..100 {
        encode_command(&mut out, [&b"INCR"[..], key]);
    }
    encode_command(&mut out, [&b"GET"[..], key]);
    encode_command(&mut out, [&b"LPUSH"[..], key, b"x"]);
    encode_command(&mut out, [&b"DEL"[..], key]);
    io::Write::write_all(&mut conn.stream, &out).unwrap();

    assert!(matches!(conn.read(), Value::Integer(0 | 1)));
    for n in 1..=100 {
        assert_eq!(conn.read(), int(n));
    }
    assert_eq!(conn.read(), bulk("100"));
    assert_eq!(
        conn.read(),
        Value::SimpleError(Bytes::from_static(
            b"WRONGTYPE Operation against a key holding the wrong kind of value"
        ))
    );
    assert_eq!(conn.read(), int(1));
    assert!(conn.buf.is_empty());
}
