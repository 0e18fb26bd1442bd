//! `FromValue`: every target type, from RESP2 and RESP3 shapes alike; failures are
//! typed, never panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use bytes::Bytes;
use ferrodis_commands::{Error, ErrorCode, FromValue};
use ferrodis_resp::Value;

fn bulk(s: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
}

fn conv<T: FromValue>(v: Value) -> Result<T, Error> {
    T::from_value(v)
}

fn is_conversion<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::Conversion { .. }))
}

#[test]
fn unit_accepts_any_reply_but_errors() {
    assert!(conv::<()>(Value::Nil).is_ok());
    assert!(conv::<()>(Value::SimpleString("OK".into())).is_ok());
    assert!(conv::<()>(Value::Array(vec![])).is_ok());
    assert!(matches!(
        conv::<()>(Value::SimpleError("ERR x".into())),
        Err(Error::Server(_))
    ));
}

#[test]
fn strings() {
    assert_eq!(conv::<String>(bulk("hé")).unwrap(), "hé");
    assert_eq!(
        conv::<String>(Value::SimpleString("OK".into())).unwrap(),
        "OK"
    );
    assert_eq!(
        conv::<String>(Value::VerbatimString {
            format: *b"txt",
            text: "v".into()
        })
        .unwrap(),
        "v"
    );
    assert_eq!(conv::<String>(Value::Integer(5)).unwrap(), "5");
    assert!(is_conversion(conv::<String>(Value::BulkString(
        vec![0xff, 0xfe].into()
    ))));
    assert!(is_conversion(conv::<String>(Value::Nil)));
    assert_eq!(conv::<Vec<u8>>(bulk("ab")).unwrap(), b"ab");
    assert_eq!(
        conv::<Bytes>(bulk("ab")).unwrap(),
        Bytes::from_static(b"ab")
    );
    assert!(is_conversion(conv::<Bytes>(Value::Integer(1))));
}

#[test]
fn integers_are_range_checked() {
    assert_eq!(conv::<i64>(Value::Integer(-3)).unwrap(), -3);
    assert_eq!(conv::<u8>(Value::Integer(255)).unwrap(), 255);
    assert!(is_conversion(conv::<u8>(Value::Integer(256))));
    assert!(is_conversion(conv::<u32>(Value::Integer(-1))));
    assert_eq!(conv::<i64>(bulk("42")).unwrap(), 42);
    assert!(is_conversion(conv::<i64>(bulk("4.2"))));
    assert!(is_conversion(conv::<i64>(Value::Nil)));
    assert_eq!(conv::<usize>(Value::Boolean(true)).unwrap(), 1);
    assert_eq!(
        conv::<i128>(Value::Integer(i64::MIN)).unwrap(),
        i128::from(i64::MIN)
    );
    let err = conv::<u8>(Value::Integer(300)).unwrap_err().to_string();
    assert!(err.contains("u8") && err.contains("300"), "{err}");
}

#[test]
fn floats_from_text_or_doubles() {
    assert_eq!(conv::<f64>(bulk("1.5")).unwrap(), 1.5);
    assert_eq!(conv::<f64>(Value::Double(2.5)).unwrap(), 2.5);
    assert_eq!(conv::<f64>(Value::Integer(3)).unwrap(), 3.0);
    assert_eq!(conv::<f64>(bulk("inf")).unwrap(), f64::INFINITY);
    assert_eq!(conv::<f64>(bulk("-inf")).unwrap(), f64::NEG_INFINITY);
    assert_eq!(conv::<f32>(bulk("0.5")).unwrap(), 0.5);
    assert!(is_conversion(conv::<f64>(bulk("abc"))));
    assert_eq!(conv::<Option<f64>>(Value::Nil).unwrap(), None);
}

#[test]
fn booleans() {
    assert!(conv::<bool>(Value::Integer(1)).unwrap());
    assert!(!conv::<bool>(Value::Integer(0)).unwrap());
    assert!(conv::<bool>(Value::Boolean(true)).unwrap());
    assert!(conv::<bool>(Value::SimpleString("OK".into())).unwrap());
    assert!(!conv::<bool>(Value::Nil).unwrap());
    assert!(is_conversion(conv::<bool>(Value::Integer(2))));
    assert!(is_conversion(conv::<bool>(Value::Array(vec![]))));
}

#[test]
fn options_map_nil_to_none() {
    assert_eq!(conv::<Option<String>>(Value::Nil).unwrap(), None);
    assert_eq!(
        conv::<Option<String>>(bulk("x")).unwrap().as_deref(),
        Some("x")
    );
    assert!(matches!(
        conv::<Option<String>>(Value::SimpleError("WRONGTYPE x".into())),
        Err(Error::Server(e)) if e.code() == &ErrorCode::WrongType
    ));
}

#[test]
fn lists_and_sets() {
    let arr = Value::Array(vec![bulk("a"), bulk("b")]);
    assert_eq!(conv::<Vec<String>>(arr.clone()).unwrap(), ["a", "b"]);
    assert_eq!(
        conv::<Vec<String>>(Value::Set(vec![bulk("a")])).unwrap(),
        ["a"]
    );
    assert_eq!(
        conv::<Vec<String>>(Value::Nil).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        conv::<HashSet<String>>(Value::Set(vec![bulk("a"), bulk("a")]))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        conv::<BTreeSet<i64>>(Value::Array(vec![Value::Integer(2), Value::Integer(1)]))
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        conv::<Vec<Option<String>>>(Value::Array(vec![bulk("a"), Value::Nil])).unwrap(),
        [Some("a".to_string()), None]
    );
    assert!(is_conversion(conv::<Vec<i64>>(Value::Integer(1))));
}

#[test]
fn maps_from_resp3_maps_and_resp2_flat_arrays() {
    let resp3 = Value::Map(vec![
        (bulk("a"), Value::Integer(1)),
        (bulk("b"), Value::Integer(2)),
    ]);
    let resp2 = Value::Array(vec![
        bulk("a"),
        Value::Integer(1),
        bulk("b"),
        Value::Integer(2),
    ]);
    let pairs = Value::Array(vec![
        Value::Array(vec![bulk("a"), Value::Integer(1)]),
        Value::Array(vec![bulk("b"), Value::Integer(2)]),
    ]);
    for v in [resp3, resp2, pairs] {
        let m: HashMap<String, i64> = conv(v.clone()).unwrap();
        assert_eq!(m["a"], 1);
        assert_eq!(m["b"], 2);
        let b: BTreeMap<String, i64> = conv(v.clone()).unwrap();
        assert_eq!(b.len(), 2);
        let list: Vec<(String, i64)> = conv(v).unwrap();
        assert_eq!(list, [("a".to_string(), 1), ("b".to_string(), 2)]);
    }
    assert!(is_conversion(conv::<HashMap<String, i64>>(Value::Array(
        vec![bulk("a")]
    ))));
    assert!(conv::<HashMap<String, i64>>(Value::Nil).unwrap().is_empty());
}

#[test]
fn tuples_from_arrays() {
    let v = Value::Array(vec![bulk("x"), Value::Integer(2), Value::Nil]);
    let (a, b, c): (String, i64, Option<String>) = conv(v).unwrap();
    assert_eq!((a.as_str(), b, c), ("x", 2, None));
    assert!(is_conversion(conv::<(i64, i64)>(Value::Array(vec![
        Value::Integer(1)
    ]))));
    // ZRANGE WITHSCORES: flat in RESP2, pairs with doubles in RESP3.
    let resp2 = Value::Array(vec![bulk("m1"), bulk("1.5"), bulk("m2"), bulk("2")]);
    let resp3 = Value::Array(vec![
        Value::Array(vec![bulk("m1"), Value::Double(1.5)]),
        Value::Array(vec![bulk("m2"), Value::Double(2.0)]),
    ]);
    for v in [resp2, resp3] {
        let scored: Vec<(String, f64)> = conv(v).unwrap();
        assert_eq!(scored, [("m1".to_string(), 1.5), ("m2".to_string(), 2.0)]);
    }
    assert!(is_conversion(conv::<Vec<(String, f64)>>(Value::Array(
        vec![bulk("m1")]
    ))));
    let twelve = Value::Array((0..12).map(Value::Integer).collect());
    let t: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) = conv(twelve).unwrap();
    assert_eq!(t.11, 11);
}

#[test]
fn values_are_kept_as_they_are_errors_included() {
    let err = Value::SimpleError("ERR x".into());
    assert_eq!(conv::<Value>(err.clone()).unwrap(), err);
    let in_list = Value::Array(vec![Value::Integer(1), err]);
    assert!(matches!(
        conv::<Vec<i64>>(in_list.clone()),
        Err(Error::Server(_))
    ));
    assert_eq!(conv::<Vec<Value>>(in_list).unwrap().len(), 2);
}

#[test]
fn attributes_are_looked_through() {
    let v = Value::Attribute {
        attributes: vec![(bulk("ttl"), Value::Integer(1))],
        value: Box::new(bulk("7")),
    };
    assert_eq!(conv::<i64>(v).unwrap(), 7);
}

#[test]
fn flat_maps_whose_values_are_aggregates() {
    // FUNCTION LIST / XINFO in RESP2: a flat array whose values are arrays.
    let resp2 = Value::Array(vec![
        bulk("name"),
        bulk("lib"),
        bulk("functions"),
        Value::Array(vec![bulk("f1"), bulk("f2")]),
    ]);
    let m: HashMap<String, Value> = conv(resp2.clone()).unwrap();
    assert_eq!(m["name"], bulk("lib"));
    assert_eq!(m["functions"], Value::Array(vec![bulk("f1"), bulk("f2")]));
    let pairs: Vec<(String, Value)> = conv(resp2).unwrap();
    assert_eq!(pairs.len(), 2);
}
