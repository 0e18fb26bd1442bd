//! Encoding: commands, headers, integers and values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use bytes::BytesMut;
use ferrodis_resp::{
    decode, encode_command, encode_command_exact, write_array_header, write_bulk, write_bulk_i64,
    write_bulk_u64, write_integer, Value,
};

#[test]
fn commands_are_arrays_of_bulk_strings() {
    let mut out = Vec::new();
    encode_command(&mut out, ["SET", "key", "value"]);
    assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");

    out.clear();
    encode_command(&mut out, [&b"GET"[..], b"\r\n\x00"]);
    assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$3\r\n\r\n\x00\r\n");

    out.clear();
    encode_command_exact(&mut out, vec![String::from("PING")]);
    assert_eq!(out, b"*1\r\n$4\r\nPING\r\n");

    // An iterator without an exact length is gathered first; the result is the same.
    out.clear();
    encode_command(
        &mut out,
        ["DEL", "a", "", "b"].into_iter().filter(|s| !s.is_empty()),
    );
    assert_eq!(out, b"*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n");

    out.clear();
    encode_command(&mut out, std::iter::empty::<&str>());
    assert_eq!(out, b"*0\r\n");
}

#[test]
fn header_and_integer_helpers() {
    let mut out = BytesMut::new();
    write_array_header(&mut out, 3);
    write_bulk(&mut out, b"INCRBY");
    write_bulk_i64(&mut out, -15);
    write_bulk_u64(&mut out, u64::MAX);
    assert_eq!(
        &out[..],
        b"*3\r\n$6\r\nINCRBY\r\n$3\r\n-15\r\n$20\r\n18446744073709551615\r\n"
    );
    out.clear();
    write_integer(&mut out, i64::MIN);
    assert_eq!(&out[..], b":-9223372036854775808\r\n");
}

#[test]
fn values_encode_in_resp3_form() {
    let cases: Vec<(Value, &[u8])> = vec![
        (Value::Nil, b"_\r\n"),
        (Value::SimpleString("OK".into()), b"+OK\r\n"),
        (Value::SimpleError("ERR x".into()), b"-ERR x\r\n"),
        (Value::BulkError("E".into()), b"!1\r\nE\r\n"),
        (Value::Integer(-3), b":-3\r\n"),
        (Value::BulkString("ab".into()), b"$2\r\nab\r\n"),
        (Value::Double(1.5), b",1.5\r\n"),
        (Value::Double(f64::INFINITY), b",inf\r\n"),
        (Value::Double(f64::NEG_INFINITY), b",-inf\r\n"),
        (Value::Double(f64::NAN), b",nan\r\n"),
        (Value::Double(1e300), b",1e300\r\n"),
        (Value::Boolean(true), b"#t\r\n"),
        (Value::BigNumber("123".into()), b"(123\r\n"),
        (
            Value::VerbatimString {
                format: *b"txt",
                text: "hi".into(),
            },
            b"=6\r\ntxt:hi\r\n",
        ),
        (
            Value::Map(vec![(Value::Integer(1), Value::Nil)]),
            b"%1\r\n:1\r\n_\r\n",
        ),
        (Value::Set(vec![]), b"~0\r\n"),
        (Value::Push(vec![Value::Integer(1)]), b">1\r\n:1\r\n"),
        (
            Value::Attribute {
                attributes: vec![],
                value: Box::new(Value::Integer(2)),
            },
            b"|0\r\n:2\r\n",
        ),
    ];
    for (value, wire) in cases {
        let mut out = Vec::new();
        value.encode(&mut out);
        assert_eq!(out, wire, "{value:?}");
    }
}

/// A simple string cannot hold CR or LF on the wire; it is written as a blob instead, so
/// the output always decodes.
#[test]
fn lines_with_crlf_are_written_as_blobs() {
    let mut out = Vec::new();
    Value::SimpleString("a\r\nb".into()).encode(&mut out);
    assert_eq!(out, b"$4\r\na\r\nb\r\n");
    out.clear();
    Value::SimpleError("E\n".into()).encode(&mut out);
    assert_eq!(out, b"!2\r\nE\n\r\n");
    assert_eq!(
        decode(&out).unwrap().unwrap().0,
        Value::BulkError("E\n".into())
    );
}

#[test]
fn type_names_for_error_messages() {
    assert_eq!(Value::Nil.type_name(), "nil");
    assert_eq!(Value::Map(vec![]).type_name(), "map");
    assert!(Value::SimpleError("x".into()).is_error());
    assert!(Value::Nil.is_nil());
}
