//! Table tests: every RESP type decodes to the expected value, every strict prefix is
//! incomplete (never an error), and every malformed input is the expected error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use bytes::BytesMut;
use common::{same, valid_vectors};
use ferrodis_resp::{decode, DecodeError, Decoder};

#[test]
fn valid_vectors_decode_to_their_values() {
    for (wire, expected) in valid_vectors() {
        let (value, used) = decode(wire)
            .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(wire)))
            .unwrap_or_else(|| panic!("{:?} reported incomplete", String::from_utf8_lossy(wire)));
        assert!(same(&value, &expected), "{wire:?}: got {value:?}");
        assert_eq!(used, wire.len(), "{wire:?}");
    }
}

#[test]
fn valid_vectors_decode_through_the_decoder() {
    for (wire, expected) in valid_vectors() {
        let mut buf = BytesMut::from(wire);
        let value = Decoder::new().decode(&mut buf).unwrap().unwrap();
        assert!(same(&value, &expected), "{wire:?}: got {value:?}");
        assert!(buf.is_empty(), "{wire:?} left {buf:?}");
    }
}

#[test]
fn trailing_bytes_are_left_for_the_next_value() {
    for (wire, expected) in valid_vectors() {
        let mut input = wire.to_vec();
        input.extend_from_slice(b"+NEXT\r\n");
        let (value, used) = decode(&input).unwrap().unwrap();
        assert!(same(&value, &expected));
        assert_eq!(used, wire.len());
    }
}

#[test]
fn every_strict_prefix_is_incomplete() {
    for (wire, _) in valid_vectors() {
        for end in 0..wire.len() {
            let prefix = &wire[..end];
            assert_eq!(
                decode(prefix),
                Ok(None),
                "prefix {:?} of {:?}",
                String::from_utf8_lossy(prefix),
                String::from_utf8_lossy(wire)
            );
            let mut buf = BytesMut::from(prefix);
            assert_eq!(Decoder::new().decode(&mut buf), Ok(None));
            assert_eq!(
                buf.len(),
                end,
                "an incomplete value must stay in the buffer"
            );
        }
    }
}

/// Input, and the error it must produce (the offset included).
fn malformed_vectors() -> Vec<(&'static [u8], DecodeError)> {
    use DecodeError::*;
    vec![
        // Unknown type bytes.
        (
            b"@foo\r\n",
            UnknownType {
                byte: b'@',
                offset: 0,
            },
        ),
        (
            b"x\r\n",
            UnknownType {
                byte: b'x',
                offset: 0,
            },
        ),
        (
            b"\r\n",
            UnknownType {
                byte: b'\r',
                offset: 0,
            },
        ),
        (
            b"*1\r\nQ\r\n",
            UnknownType {
                byte: b'Q',
                offset: 4,
            },
        ),
        // Bad or overflowing integers, spaces inside.
        (b":abc\r\n", InvalidInteger { offset: 1 }),
        (b":1 2\r\n", InvalidInteger { offset: 1 }),
        (b": 12\r\n", InvalidInteger { offset: 1 }),
        (b":12 \r\n", InvalidInteger { offset: 1 }),
        (b":\r\n", InvalidInteger { offset: 1 }),
        (b":-\r\n", InvalidInteger { offset: 1 }),
        (b":--1\r\n", InvalidInteger { offset: 1 }),
        (b":12a\r\n", InvalidInteger { offset: 1 }),
        (b":9223372036854775808\r\n", InvalidInteger { offset: 1 }),
        (b":-9223372036854775809\r\n", InvalidInteger { offset: 1 }),
        (
            b":123456789012345678901234567890123456789\r\n",
            InvalidInteger { offset: 1 },
        ),
        (b"$abc\r\n", InvalidInteger { offset: 1 }),
        (b"$ 3\r\nfoo\r\n", InvalidInteger { offset: 1 }),
        (b"$\r\n", InvalidInteger { offset: 1 }),
        (b"*99999999999999999999\r\n", InvalidInteger { offset: 1 }),
        (b"*1x\r\n", InvalidInteger { offset: 1 }),
        // Negative lengths other than -1, and `?` where streaming is not allowed.
        (b"$-2\r\n", InvalidLength { offset: 1 }),
        (b"*-5\r\n", InvalidLength { offset: 1 }),
        (b"%-1\r\n", InvalidLength { offset: 1 }),
        (b"~-1\r\n", InvalidLength { offset: 1 }),
        (b">-1\r\n", InvalidLength { offset: 1 }),
        (b"!-1\r\n", InvalidLength { offset: 1 }),
        (b"=-1\r\n", InvalidLength { offset: 1 }),
        (b"|-1\r\n", InvalidLength { offset: 1 }),
        (b"!?\r\n", InvalidLength { offset: 1 }),
        (b">?\r\n", InvalidLength { offset: 1 }),
        (b"|?\r\n", InvalidLength { offset: 1 }),
        (b"=?\r\n", InvalidLength { offset: 1 }),
        // A missing CRLF after a payload or a line.
        (b"$3\r\nfooXY", MissingCrlf { offset: 7 }),
        (b"$3\r\nfoo\rX", MissingCrlf { offset: 7 }),
        (b"$3\r\nfoo\n\r", MissingCrlf { offset: 7 }),
        (b"!1\r\nxyz", MissingCrlf { offset: 5 }),
        (b"*1\r\n$1\r\nab\r\n", MissingCrlf { offset: 9 }),
        (b":1\rX", MissingCrlf { offset: 2 }),
        (b":1\n", MissingCrlf { offset: 2 }),
        (b"$3\rx", MissingCrlf { offset: 2 }),
        (b"_\rx", MissingCrlf { offset: 1 }),
        (b".x\r\n", MissingCrlf { offset: 1 }),
        // CR or LF inside a simple string, error, double or big number.
        (b"+O\rK\r\n", InvalidLine { offset: 2 }),
        (b"+O\nK\r\n", InvalidLine { offset: 2 }),
        (b"+OK\n", InvalidLine { offset: 3 }),
        (b"-ERR\nx\r\n", InvalidLine { offset: 4 }),
        (b"(12\r3\r\n", InvalidLine { offset: 3 }),
        // Bad booleans.
        (b"#x\r\n", InvalidBoolean { offset: 1 }),
        (b"#tt\r\n", InvalidBoolean { offset: 1 }),
        (b"#T\r\n", InvalidBoolean { offset: 1 }),
        (b"#\r\n", InvalidBoolean { offset: 1 }),
        // Malformed doubles.
        (b",\r\n", InvalidDouble { offset: 1 }),
        (b",1.2.3\r\n", InvalidDouble { offset: 1 }),
        (b",1e\r\n", InvalidDouble { offset: 1 }),
        (b",1e+\r\n", InvalidDouble { offset: 1 }),
        (b",abc\r\n", InvalidDouble { offset: 1 }),
        (b",3.14x\r\n", InvalidDouble { offset: 1 }),
        (b",.\r\n", InvalidDouble { offset: 1 }),
        (b",--1\r\n", InvalidDouble { offset: 1 }),
        (b", 1\r\n", InvalidDouble { offset: 1 }),
        (b",infx\r\n", InvalidDouble { offset: 1 }),
        // Malformed big numbers.
        (b"(\r\n", InvalidBigNumber { offset: 1 }),
        (b"(12a\r\n", InvalidBigNumber { offset: 1 }),
        (b"(1.5\r\n", InvalidBigNumber { offset: 1 }),
        // A null with a payload.
        (b"_x\r\n", NullWithPayload { offset: 1 }),
        (b"_ \r\n", NullWithPayload { offset: 1 }),
        // Verbatim strings too short or without the `:`.
        (b"=3\r\ntxt\r\n", InvalidVerbatim { offset: 0 }),
        (b"=0\r\n\r\n", InvalidVerbatim { offset: 0 }),
        (b"=7\r\ntxt;abc\r\n", InvalidVerbatim { offset: 0 }),
        (b"*1\r\n=4\r\nabcd\r\n", InvalidVerbatim { offset: 4 }),
        // Streamed chunks and END markers outside a stream.
        (b";3\r\nabc\r\n", ChunkOutsideStream { offset: 0 }),
        (b"*1\r\n;3\r\nabc\r\n", ChunkOutsideStream { offset: 4 }),
        (b";0\r\n", ChunkOutsideStream { offset: 0 }),
        (b".\r\n", EndOutsideStream { offset: 0 }),
        (b"*2\r\n:1\r\n.\r\n", EndOutsideStream { offset: 8 }),
        (b"$?\r\n.\r\n", ExpectedChunk { offset: 4 }),
        (b"$?\r\n+a\r\n", ExpectedChunk { offset: 4 }),
        (b"$?\r\n$1\r\na\r\n", ExpectedChunk { offset: 4 }),
        // A streamed map with an odd element count.
        (b"%?\r\n+a\r\n.\r\n", OddMapLength { offset: 8 }),
        (
            b"%?\r\n+a\r\n:1\r\n+b\r\n.\r\n",
            OddMapLength { offset: 16 },
        ),
    ]
}

#[test]
fn malformed_inputs_are_named_errors() {
    for (wire, expected) in malformed_vectors() {
        let shown = String::from_utf8_lossy(wire);
        assert_eq!(decode(wire), Err(expected.clone()), "decode({shown:?})");
        let mut buf = BytesMut::from(wire);
        assert_eq!(
            Decoder::new().decode(&mut buf),
            Err(expected.clone()),
            "Decoder on {shown:?}"
        );
        assert_eq!(expected.offset(), expected.offset());
        assert!(expected.to_string().contains("invalid RESP"));
    }
}

#[test]
fn malformed_inputs_fail_the_same_way_byte_by_byte() {
    for (wire, expected) in malformed_vectors() {
        let mut decoder = Decoder::new();
        let mut buf = BytesMut::new();
        let mut outcome = Ok(None);
        for &b in wire {
            buf.extend_from_slice(&[b]);
            outcome = decoder.decode(&mut buf);
            if outcome.is_err() {
                break;
            }
        }
        assert_eq!(
            outcome,
            Err(expected),
            "{:?}",
            String::from_utf8_lossy(wire)
        );
    }
}

#[test]
fn error_messages_say_what_to_do() {
    // An incomplete header-only aggregate is not an error.
    assert_eq!(decode(b"*99\r\n"), Ok(None));
    let limits = ferrodis_resp::Limits {
        max_aggregate_len: 2,
        ..Default::default()
    };
    let err = ferrodis_resp::decode_with(b"*3\r\n", &limits).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("3 elements"), "{text}");
    assert!(text.contains("Limits::max_aggregate_len"), "{text}");
    assert!(text.contains("must be closed"), "{text}");
    let text = decode(b"@\r\n").unwrap_err().to_string();
    assert!(text.contains("0x40 ('@') at offset 0"), "{text}");
}
