//! The streaming decoder: chunked input, pipelined replies, zero copy, resumability and
//! fail-stop behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use bytes::BytesMut;
use common::{bulk, same, valid_vectors};
use ferrodis_resp::{DecodeError, Decoder, Value};

fn all_vectors_concatenated() -> (Vec<u8>, Vec<Value>) {
    let mut wire = Vec::new();
    let mut values = Vec::new();
    for (bytes, value) in valid_vectors() {
        wire.extend_from_slice(bytes);
        values.push(value);
    }
    (wire, values)
}

fn decode_in_chunks(wire: &[u8], chunk: usize) -> Vec<Value> {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in wire.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(value) = decoder.decode(&mut buf).unwrap() {
            out.push(value);
        }
    }
    assert!(buf.is_empty());
    assert_eq!(decoder.pending(), 0);
    out
}

#[test]
fn byte_by_byte_gives_the_same_values() {
    let (wire, expected) = all_vectors_concatenated();
    for chunk in [1, 2, 3, 7, 64, wire.len()] {
        let got = decode_in_chunks(&wire, chunk);
        assert_eq!(got.len(), expected.len(), "chunk size {chunk}");
        for (g, e) in got.iter().zip(&expected) {
            assert!(same(g, e), "chunk size {chunk}: {g:?} != {e:?}");
        }
    }
}

#[test]
fn pipelined_replies_come_out_in_order() {
    let mut buf = BytesMut::from(&b"+OK\r\n:1\r\n$1\r\na\r\n*1\r\n_\r\n"[..]);
    let mut decoder = Decoder::new();
    let mut got = Vec::new();
    while let Some(v) = decoder.decode(&mut buf).unwrap() {
        got.push(v);
    }
    assert_eq!(
        got,
        vec![
            common::simple("OK"),
            Value::Integer(1),
            bulk("a"),
            Value::Array(vec![Value::Nil])
        ]
    );
}

/// Payloads are slices of the read buffer, not copies.
#[test]
fn payloads_share_the_read_buffer() {
    let mut buf = BytesMut::with_capacity(1024);
    buf.extend_from_slice(b"*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n$3\r\nfoo\r\n");
    let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
    let mut decoder = Decoder::new();
    let Some(Value::Array(items)) = decoder.decode(&mut buf).unwrap() else {
        panic!("expected an array")
    };
    let Some(Value::BulkString(top)) = decoder.decode(&mut buf).unwrap() else {
        panic!("expected a bulk string")
    };
    for item in &items {
        let Value::BulkString(b) = item else { panic!() };
        assert!(range.contains(&(b.as_ptr() as usize)), "copied: {b:?}");
    }
    assert!(range.contains(&(top.as_ptr() as usize)), "copied: {top:?}");
}

/// The decoder keeps its place: bytes already examined are not examined again.
#[test]
fn partial_progress_is_kept_between_calls() {
    let mut wire = b"*1000\r\n".to_vec();
    for i in 0..1000 {
        wire.extend_from_slice(format!("${}\r\n{i}\r\n", i.to_string().len()).as_bytes());
    }
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::new();
    let half = wire.len() / 2;
    buf.extend_from_slice(&wire[..half]);
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    let examined = decoder.pending();
    // Everything up to the last complete element has been examined already.
    assert!(
        examined > half - 16 && examined <= half,
        "{examined} of {half}"
    );
    buf.extend_from_slice(&wire[half..half + 1]);
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    assert!(decoder.pending() >= examined);
    buf.extend_from_slice(&wire[half + 1..]);
    let Some(Value::Array(items)) = decoder.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(items.len(), 1000);
    assert_eq!(items[999], bulk("999"));
}

/// A long simple-string line arriving in pieces is searched once, and progress shows.
#[test]
fn long_lines_resume_where_they_stopped() {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::new();
    buf.extend_from_slice(b"+");
    for _ in 0..100 {
        buf.extend_from_slice(&[b'a'; 100]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
    }
    buf.extend_from_slice(b"\r");
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    buf.extend_from_slice(b"\n");
    let value = decoder.decode(&mut buf).unwrap().unwrap();
    assert_eq!(value, Value::SimpleString(vec![b'a'; 10_000].into()));
}

#[test]
fn after_an_error_every_call_fails() {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::from(&b"+OK\r\n@bad\r\n"[..]);
    assert!(decoder.decode(&mut buf).unwrap().is_some());
    let err = decoder.decode(&mut buf).unwrap_err();
    assert_eq!(
        err,
        DecodeError::UnknownType {
            byte: b'@',
            offset: 0
        }
    );
    assert!(decoder.is_failed());
    buf.clear();
    buf.extend_from_slice(b"+OK\r\n");
    assert_eq!(decoder.decode(&mut buf), Err(err.clone()));
    assert_eq!(decoder.decode(&mut buf), Err(err));
}

#[test]
fn a_buffer_shrunk_behind_the_decoders_back_is_an_error() {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::from(&b"*2\r\n:1\r\n"[..]);
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    buf.clear();
    assert_eq!(
        decoder.decode(&mut buf),
        Err(DecodeError::BufferChanged {
            examined: 8,
            len: 0
        })
    );
}

#[test]
fn an_empty_buffer_is_incomplete() {
    let mut buf = BytesMut::new();
    assert_eq!(Decoder::new().decode(&mut buf), Ok(None));
}

/// Found by the fuzzer: a line whose LF had not arrived, then completed and taken by a
/// fast path, must not leave its CRLF search position behind for the next line.
#[test]
fn a_fast_path_after_a_partial_line_forgets_its_search_position() {
    let wire = b"+QUEUED\r\n+\r\n:1\r\n+x\r\n";
    for split in 1..wire.len() {
        let mut decoder = Decoder::new();
        let mut buf = BytesMut::from(&wire[..split]);
        let mut got = Vec::new();
        while let Some(v) = decoder.decode(&mut buf).unwrap() {
            got.push(v);
        }
        buf.extend_from_slice(&wire[split..]);
        while let Some(v) = decoder.decode(&mut buf).unwrap() {
            got.push(v);
        }
        assert_eq!(
            got,
            vec![
                common::simple("QUEUED"),
                common::simple(""),
                Value::Integer(1),
                common::simple("x")
            ],
            "split at {split}"
        );
    }
}
