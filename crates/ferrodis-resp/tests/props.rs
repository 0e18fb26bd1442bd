//! Property tests: encoding then decoding gives the value back, in any chunking, and
//! random bytes never make the decoder panic or disagree with itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use bytes::{Bytes, BytesMut};
use common::same;
use ferrodis_resp::{decode, encode_command, format_i64, format_u64, Decoder, Value};
use proptest::prelude::*;

fn bytes_strategy() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..40).prop_map(Bytes::from)
}

/// A line payload: no CR or LF.
fn line_strategy() -> impl Strategy<Value = Bytes> {
    "[^\r\n]{0,20}".prop_map(|s| Bytes::from(s.into_bytes()))
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Nil),
        line_strategy().prop_map(Value::SimpleString),
        line_strategy().prop_map(Value::SimpleError),
        bytes_strategy().prop_map(Value::BulkError),
        any::<i64>().prop_map(Value::Integer),
        bytes_strategy().prop_map(Value::BulkString),
        any::<f64>().prop_map(Value::Double),
        any::<bool>().prop_map(Value::Boolean),
        ("-?[1-9][0-9]{0,60}").prop_map(|s| Value::BigNumber(s.into_bytes().into())),
        ([any::<u8>(); 3], bytes_strategy())
            .prop_map(|(format, text)| Value::VerbatimString { format, text }),
    ]
}

fn value_strategy() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Set),
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Push),
            prop::collection::vec((inner.clone(), inner.clone()), 0..6).prop_map(Value::Map),
            (
                prop::collection::vec((inner.clone(), inner.clone()), 0..3),
                inner
            )
                .prop_map(|(attributes, value)| Value::Attribute {
                    attributes,
                    value: Box::new(value)
                }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_inverts_encode(v in value_strategy()) {
        let mut wire = Vec::new();
        v.encode(&mut wire);
        let (back, used) = decode(&wire).unwrap().unwrap();
        prop_assert!(same(&back, &v), "{:?} != {:?}", back, v);
        prop_assert_eq!(used, wire.len());
    }

    #[test]
    fn any_chunking_gives_the_same_values(
        values in prop::collection::vec(value_strategy(), 1..6),
        cuts in prop::collection::vec(1usize..50, 1..40),
    ) {
        let mut wire = Vec::new();
        for v in &values {
            v.encode(&mut wire);
        }
        let mut decoder = Decoder::new();
        let mut buf = BytesMut::new();
        let mut got = Vec::new();
        let mut rest = &wire[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = cuts[i % cuts.len()].min(rest.len());
            buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            i += 1;
            while let Some(v) = decoder.decode(&mut buf).unwrap() {
                got.push(v);
            }
        }
        prop_assert_eq!(got.len(), values.len());
        for (g, v) in got.iter().zip(&values) {
            prop_assert!(same(g, v));
        }
    }

    #[test]
    fn random_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..256), chunk in 1usize..16) {
        let one_shot = decode(&input);
        let mut decoder = Decoder::new();
        let mut buf = BytesMut::new();
        let mut first = None;
        let mut failed = false;
        for piece in input.chunks(chunk) {
            buf.extend_from_slice(piece);
            match decoder.decode(&mut buf) {
                Ok(Some(v)) => { if first.is_none() { first = Some(v); } }
                Ok(None) => {}
                Err(_) => { failed = true; break; }
            }
        }
        // The streaming decoder and the one-shot decoder agree on the first value.
        match one_shot {
            Ok(Some((v, _))) => prop_assert!(first.as_ref().is_some_and(|f| same(f, &v))),
            Ok(None) => prop_assert!(first.is_none() && !failed),
            Err(_) => prop_assert!(first.is_none() && failed),
        }
        if failed {
            prop_assert!(decoder.decode(&mut buf).is_err());
        }
    }

    /// Mostly-valid input: a valid encoding with one byte changed.
    #[test]
    fn mutated_encodings_never_panic(v in value_strategy(), at in any::<usize>(), byte in any::<u8>()) {
        let mut wire = Vec::new();
        v.encode(&mut wire);
        let i = at % wire.len();
        wire[i] = byte;
        let _ = decode(&wire);
        let mut buf = BytesMut::from(&wire[..]);
        let _ = Decoder::new().decode(&mut buf);
    }

    #[test]
    fn integers_format_like_std(n in any::<i64>(), u in any::<u64>()) {
        let mut buf = [0u8; 20];
        let (n_text, u_text) = (n.to_string(), u.to_string());
        prop_assert_eq!(format_i64(n, &mut buf), n_text.as_bytes());
        prop_assert_eq!(format_u64(u, &mut buf), u_text.as_bytes());
    }

    #[test]
    fn commands_decode_as_arrays_of_bulk_strings(args in prop::collection::vec(bytes_strategy(), 1..10)) {
        let mut wire = BytesMut::new();
        encode_command(&mut wire, &args);
        let (v, used) = decode(&wire).unwrap().unwrap();
        prop_assert_eq!(used, wire.len());
        prop_assert_eq!(v, Value::Array(args.into_iter().map(Value::BulkString).collect()));
    }
}
