//! Limits: lengths beyond them are rejected at the header, depth is bounded, and no header
//! can make the decoder allocate more than the received bytes justify.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use bytes::BytesMut;
use ferrodis_resp::{decode, decode_with, DecodeError, Decoder, Limits};

#[test]
fn defaults_are_those_documented() {
    let l = Limits::default();
    assert_eq!(l.max_bulk_len, 512 * 1024 * 1024);
    assert_eq!(l.max_aggregate_len, (1usize << 32) - 1);
    assert_eq!(l.max_depth, 128);
}

#[test]
fn depth_counts_from_the_top_level_value() {
    let l = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    assert!(decode_with(b"*1\r\n*1\r\n:1\r\n", &l).unwrap().is_some());
    assert_eq!(
        decode_with(b"*1\r\n*1\r\n*1\r\n:1\r\n", &l),
        Err(DecodeError::TooDeep { max: 2, offset: 8 })
    );
    // Every aggregate type counts.
    assert!(decode_with(b"%1\r\n~1\r\n:1\r\n>1\r\n:2\r\n", &l)
        .unwrap()
        .is_some());
    assert!(matches!(
        decode_with(b"*1\r\n%1\r\n+k\r\n>1\r\n:1\r\n", &l),
        Err(DecodeError::TooDeep { .. })
    ));
    let zero = Limits {
        max_depth: 0,
        ..Limits::default()
    };
    assert!(decode_with(b":1\r\n", &zero).unwrap().is_some());
    assert!(decode_with(b"*1\r\n:1\r\n", &zero).is_err());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let wire = b"*1\r\n".repeat(100_000);
    assert_eq!(
        decode(&wire),
        Err(DecodeError::TooDeep {
            max: 128,
            offset: 128 * 4
        })
    );
    let mut buf = BytesMut::from(&wire[..]);
    assert!(matches!(
        Decoder::new().decode(&mut buf),
        Err(DecodeError::TooDeep { .. })
    ));
    let streamed = b"*?\r\n".repeat(100_000);
    assert!(matches!(
        decode(&streamed),
        Err(DecodeError::TooDeep { .. })
    ));
}

#[test]
fn long_blobs_are_rejected_at_the_header() {
    let l = Limits {
        max_bulk_len: 10,
        ..Limits::default()
    };
    for (wire, ty_offset) in [
        (&b"$11\r\n"[..], 0),
        (b"!11\r\n", 0),
        (b"=11\r\n", 0),
        (b"*1\r\n$11\r\n", 4),
    ] {
        assert_eq!(
            decode_with(wire, &l),
            Err(DecodeError::BulkTooLong {
                len: 11,
                max: 10,
                offset: ty_offset
            }),
            "{wire:?}"
        );
    }
    assert!(decode_with(b"$10\r\n0123456789\r\n", &l).unwrap().is_some());
    // Streamed strings count their chunks together.
    assert!(matches!(
        decode_with(b"$?\r\n;6\r\naaaaaa\r\n;6\r\n", &l),
        Err(DecodeError::BulkTooLong { len: 12, .. })
    ));
    // Long lines are rejected before their end arrives.
    assert!(matches!(
        decode_with(b"+aaaaaaaaaaaa", &l),
        Err(DecodeError::BulkTooLong { .. })
    ));
    assert!(decode_with(b"+aaaaaaaaaa\r\n", &l).unwrap().is_some());
}

#[test]
fn long_aggregates_are_rejected_at_the_header() {
    let l = Limits {
        max_aggregate_len: 3,
        ..Limits::default()
    };
    for wire in [&b"*4\r\n"[..], b"~4\r\n", b">4\r\n", b"%4\r\n", b"|4\r\n"] {
        assert_eq!(
            decode_with(wire, &l),
            Err(DecodeError::AggregateTooLong {
                len: 4,
                max: 3,
                offset: 0
            }),
            "{wire:?}"
        );
    }
    // Maps count pairs.
    assert!(
        decode_with(b"%3\r\n:1\r\n:1\r\n:2\r\n:2\r\n:3\r\n:3\r\n", &l)
            .unwrap()
            .is_some()
    );
    // Streamed aggregates are counted as they arrive.
    assert!(matches!(
        decode_with(b"*?\r\n:1\r\n:2\r\n:3\r\n:4\r\n", &l),
        Err(DecodeError::AggregateTooLong { len: 4, .. })
    ));
    assert!(matches!(
        decode_with(b"%?\r\n:1\r\n:1\r\n:2\r\n:2\r\n:3\r\n:3\r\n:4\r\n", &l),
        Err(DecodeError::AggregateTooLong { len: 4, .. })
    ));
}

#[test]
fn integers_and_lengths_cannot_grow_without_end() {
    let wire = vec![b'1'; 64];
    let mut with_type = b":".to_vec();
    with_type.extend_from_slice(&wire);
    assert!(matches!(
        decode(&with_type),
        Err(DecodeError::InvalidInteger { .. })
    ));
    let mut len = b"$".to_vec();
    len.extend_from_slice(&wire);
    assert!(matches!(
        decode(&len),
        Err(DecodeError::InvalidInteger { .. })
    ));
}

/// Feeds `wire` one byte at a time and returns how decoding ended.
fn byte_by_byte(wire: &[u8], limits: Limits) -> Result<Option<ferrodis_resp::Value>, DecodeError> {
    let mut decoder = Decoder::with_limits(limits);
    let mut buf = BytesMut::new();
    let mut last = Ok(None);
    for &b in wire {
        buf.extend_from_slice(&[b]);
        last = decoder.decode(&mut buf);
        if !matches!(last, Ok(None)) {
            break;
        }
    }
    last
}

/// Found by the fuzzer: the verdict on a line must not depend on how its bytes arrive,
/// in particular when its CR has arrived and its LF has not.
#[test]
fn verdicts_do_not_depend_on_chunking() {
    // A 33-character length line.
    let mut long_len = b"*".to_vec();
    long_len.extend_from_slice(&[b'0'; 32]);
    long_len.extend_from_slice(b"6\r");
    let expected = Err(DecodeError::InvalidInteger { offset: 1 });
    assert_eq!(decode(&long_len).map(|v| v.map(|(v, _)| v)), expected);
    assert_eq!(byte_by_byte(&long_len, Limits::default()), expected);

    // A line over max_bulk_len whose CR has arrived.
    let small = Limits {
        max_bulk_len: 16,
        ..Limits::default()
    };
    let mut long_line = b",".to_vec();
    long_line.extend_from_slice(&[b'1'; 20]);
    long_line.push(b'\r');
    let whole = decode_with(&long_line, &small);
    assert!(
        matches!(whole, Err(DecodeError::BulkTooLong { .. })),
        "{whole:?}"
    );
    assert!(matches!(
        byte_by_byte(&long_line, small),
        Err(DecodeError::BulkTooLong { .. })
    ));
}
