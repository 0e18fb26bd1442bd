//! Fuzzes the streaming `Decoder` against the one-shot `decode_with` and the encoder.
//!
//! Input: one control byte, then the bytes "from the server". The control byte's low six
//! bits pick the chunk size (1..=64) in which the bytes reach the streaming decoder; its top
//! two bits pick the limits (the defaults, or a small depth, aggregate or bulk limit).
//!
//! Invariants checked:
//! - nothing panics (libFuzzer reports a panic as a crash);
//! - the streaming decoder yields what repeated one-shot decoding of the whole input
//!   yields: the same values ending at the same offsets, then the same end (an error, or
//!   the same number of leftover bytes of an incomplete value). Fed everything at once,
//!   it reports the very same error; fed in chunks, it may report a different one, found
//!   earlier in a partial line;
//! - after an error, the decoder returns that same error on every later call;
//! - while a value is incomplete, `pending()` never exceeds the bytes buffered;
//! - every decoded value, encoded with `Value::encode`, decodes back to an equal value
//!   (NaN doubles count as equal to NaN) taking exactly the encoded bytes.
#![no_main]

use bytes::BytesMut;
use ferrodis_resp::{decode, decode_with, DecodeError, Decoder, Limits, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(control & 0x3f) + 1;
    let limits = match control >> 6 {
        0 => Limits::DEFAULT,
        1 => Limits {
            max_depth: 3,
            ..Limits::DEFAULT
        },
        2 => Limits {
            max_aggregate_len: 4,
            ..Limits::DEFAULT
        },
        _ => Limits {
            max_bulk_len: 16,
            ..Limits::DEFAULT
        },
    };

    let one_shot = one_shot(input, &limits);
    // All at once, the streaming decoder sees what the one-shot decoder sees: it must
    // agree exactly, down to the error (offsets count from the start of the value).
    let whole = streaming(input, input.len().max(1), limits);
    agree(&whole, &one_shot, "streaming in one piece", true);
    // In pieces, an error may show up as another error, found earlier in a partial line;
    // everything else must agree.
    let streamed = streaming(input, chunk, limits);
    agree(
        &streamed,
        &one_shot,
        &format!("streaming in chunks of {chunk}"),
        false,
    );

    for (value, _) in &streamed.values {
        round_trip(value);
    }
});

/// Asserts that `a` found what `one_shot` found; the same error too if `same_error`.
fn agree(a: &Outcome, one_shot: &Outcome, what: &str, same_error: bool) {
    assert_eq!(
        a.values.len(),
        one_shot.values.len(),
        "{what} and one-shot decoding found different numbers of values"
    );
    for (i, ((a, a_end), (b, b_end))) in a.values.iter().zip(&one_shot.values).enumerate() {
        assert!(
            same(a, b),
            "value {i} differs: {what}: {a:?}, one-shot: {b:?}"
        );
        assert_eq!(
            a_end, b_end,
            "value {i} ends at different offsets ({what}, one-shot)"
        );
    }
    match (&a.end, &one_shot.end) {
        (End::Error(a), End::Error(b)) => {
            if same_error {
                assert_eq!(a, b, "different errors ({what}, one-shot)");
            }
        }
        (End::Leftover(a), End::Leftover(b)) => {
            assert_eq!(a, b, "different leftover bytes ({what}, one-shot)")
        }
        (a, b) => panic!("{what} ended with {a:?} but one-shot decoding with {b:?}"),
    }
}

#[derive(Debug)]
enum End {
    /// Decoding stopped at an error.
    Error(DecodeError),
    /// Decoding stopped for want of bytes, with this many left undecoded.
    Leftover(usize),
}

struct Outcome {
    /// Each value and the input offset just past it.
    values: Vec<(Value, usize)>,
    end: End,
}

/// Feeds `input` to a `Decoder` in chunks of `chunk` bytes, decoding all it can each time.
fn streaming(input: &[u8], chunk: usize, limits: Limits) -> Outcome {
    let mut decoder = Decoder::with_limits(limits);
    let mut buf = BytesMut::new();
    let mut fed = 0;
    let mut values = Vec::new();
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        fed += piece.len();
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(value)) => values.push((value, fed - buf.len())),
                Ok(None) => {
                    assert!(
                        decoder.pending() <= buf.len(),
                        "pending() = {} but only {} bytes are buffered",
                        decoder.pending(),
                        buf.len()
                    );
                    break;
                }
                Err(err) => {
                    assert!(decoder.is_failed());
                    // Fail-stop: the same error forever, whatever arrives next.
                    for more in [&b""[..], b"+OK\r\n", b":1\r\n"] {
                        buf.extend_from_slice(more);
                        assert_eq!(decoder.decode(&mut buf), Err(err.clone()));
                    }
                    return Outcome {
                        values,
                        end: End::Error(err),
                    };
                }
            }
        }
    }
    Outcome {
        values,
        end: End::Leftover(buf.len()),
    }
}

/// Decodes `input` value after value with the one-shot `decode_with`.
fn one_shot(input: &[u8], limits: &Limits) -> Outcome {
    let mut pos = 0;
    let mut values = Vec::new();
    loop {
        match decode_with(&input[pos..], limits) {
            Ok(Some((value, len))) => {
                assert!(
                    len > 0 && pos + len <= input.len(),
                    "bad length {len} at {pos}"
                );
                pos += len;
                values.push((value, pos));
            }
            Ok(None) => {
                return Outcome {
                    values,
                    end: End::Leftover(input.len() - pos),
                }
            }
            Err(err) => {
                return Outcome {
                    values,
                    end: End::Error(err),
                }
            }
        }
    }
}

/// Encodes `value` and decodes it back (with the default limits).
fn round_trip(value: &Value) {
    let mut encoded = Vec::new();
    value.encode(&mut encoded);
    match decode(&encoded) {
        Ok(Some((again, len))) => {
            assert!(
                same(value, &again),
                "round trip changed {value:?} into {again:?}"
            );
            assert_eq!(
                len,
                encoded.len(),
                "round trip of {value:?} left bytes over"
            );
        }
        other => panic!(
            "{value:?} encoded as {:?} decodes as {other:?}",
            encoded.escape_ascii().to_string()
        ),
    }
}

/// `a == b`, except that a NaN double equals a NaN double.
fn same(a: &Value, b: &Value) -> bool {
    fn all_same(a: &[Value], b: &[Value]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
    }
    fn pairs_same(a: &[(Value, Value)], b: &[(Value, Value)]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|((ak, av), (bk, bv))| same(ak, bk) && same(av, bv))
    }
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Value::Array(x), Value::Array(y))
        | (Value::Set(x), Value::Set(y))
        | (Value::Push(x), Value::Push(y)) => all_same(x, y),
        (Value::Map(x), Value::Map(y)) => pairs_same(x, y),
        (
            Value::Attribute {
                attributes: xa,
                value: xv,
            },
            Value::Attribute {
                attributes: ya,
                value: yv,
            },
        ) => pairs_same(xa, ya) && same(xv, yv),
        _ => a == b,
    }
}
