//! Shared test vectors: valid RESP2/RESP3 byte strings and the values they decode to.
#![allow(dead_code)]

use ferrodis_resp::Value;

pub(crate) fn bulk(s: &str) -> Value {
    Value::BulkString(s.as_bytes().to_vec().into())
}

pub(crate) fn simple(s: &str) -> Value {
    Value::SimpleString(s.as_bytes().to_vec().into())
}

/// NaN-aware equality: `Value::Double(NaN)` equals itself here.
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => (x.is_nan() && y.is_nan()) || x == y,
        (Value::Array(x), Value::Array(y))
        | (Value::Set(x), Value::Set(y))
        | (Value::Push(x), Value::Push(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Map(x), Value::Map(y)) => same_pairs(x, y),
        (
            Value::Attribute {
                attributes: xa,
                value: xv,
            },
            Value::Attribute {
                attributes: ya,
                value: yv,
            },
        ) => same_pairs(xa, ya) && same(xv, yv),
        _ => a == b,
    }
}

fn same_pairs(x: &[(Value, Value)], y: &[(Value, Value)]) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb))
}

/// Every RESP type, in its plain and its edge-case forms.
pub(crate) fn valid_vectors() -> Vec<(&'static [u8], Value)> {
    vec![
        // Simple strings and errors.
        (b"+OK\r\n", simple("OK")),
        (b"+QUEUED\r\n", simple("QUEUED")),
        (b"+PONG\r\n", simple("PONG")),
        (b"+OKAY\r\n", simple("OKAY")),
        (b"+OK \r\n", simple("OK ")),
        (b"+\r\n", simple("")),
        (b"+hello world\r\n", simple("hello world")),
        (
            b"-ERR unknown command\r\n",
            Value::SimpleError("ERR unknown command".into()),
        ),
        (b"-\r\n", Value::SimpleError("".into())),
        // Integers.
        (b":0\r\n", Value::Integer(0)),
        (b":12345\r\n", Value::Integer(12345)),
        (b":-42\r\n", Value::Integer(-42)),
        (b":+7\r\n", Value::Integer(7)),
        (b":9223372036854775807\r\n", Value::Integer(i64::MAX)),
        (b":-9223372036854775808\r\n", Value::Integer(i64::MIN)),
        // Bulk strings, including binary payloads with CRLF inside.
        (b"$5\r\nhello\r\n", bulk("hello")),
        (b"$0\r\n\r\n", bulk("")),
        (b"$4\r\n\r\n\r\n\r\n", bulk("\r\n\r\n")),
        (
            b"$3\r\n\x00\xff\x01\r\n",
            Value::BulkString(vec![0, 255, 1].into()),
        ),
        (b"$-1\r\n", Value::Nil),
        // Bulk errors and verbatim strings.
        (
            b"!21\r\nSYNTAX invalid syntax\r\n",
            Value::BulkError("SYNTAX invalid syntax".into()),
        ),
        (b"!0\r\n\r\n", Value::BulkError("".into())),
        (
            b"=15\r\ntxt:Some string\r\n",
            Value::VerbatimString {
                format: *b"txt",
                text: "Some string".into(),
            },
        ),
        (
            b"=4\r\nmkd:\r\n",
            Value::VerbatimString {
                format: *b"mkd",
                text: "".into(),
            },
        ),
        // Nulls.
        (b"_\r\n", Value::Nil),
        (b"*-1\r\n", Value::Nil),
        // Doubles.
        (b",1.5\r\n", Value::Double(1.5)),
        (b",10\r\n", Value::Double(10.0)),
        (b",-0.25\r\n", Value::Double(-0.25)),
        (b",1.23e-4\r\n", Value::Double(1.23e-4)),
        (b",6E+23\r\n", Value::Double(6e23)),
        (b",inf\r\n", Value::Double(f64::INFINITY)),
        (b",-inf\r\n", Value::Double(f64::NEG_INFINITY)),
        (b",nan\r\n", Value::Double(f64::NAN)),
        // Booleans.
        (b"#t\r\n", Value::Boolean(true)),
        (b"#f\r\n", Value::Boolean(false)),
        // Big numbers.
        (
            b"(3492890328409238509324850943850943825024385\r\n",
            Value::BigNumber("3492890328409238509324850943850943825024385".into()),
        ),
        (b"(-12\r\n", Value::BigNumber("-12".into())),
        // Arrays, sets, maps, pushes.
        (b"*0\r\n", Value::Array(vec![])),
        (
            b"*3\r\n$3\r\nfoo\r\n:1\r\n*-1\r\n",
            Value::Array(vec![bulk("foo"), Value::Integer(1), Value::Nil]),
        ),
        (
            b"*2\r\n*1\r\n+a\r\n*0\r\n",
            Value::Array(vec![Value::Array(vec![simple("a")]), Value::Array(vec![])]),
        ),
        (
            b"~2\r\n:1\r\n:2\r\n",
            Value::Set(vec![Value::Integer(1), Value::Integer(2)]),
        ),
        (b"~0\r\n", Value::Set(vec![])),
        (
            b"%2\r\n+first\r\n:1\r\n+second\r\n#f\r\n",
            Value::Map(vec![
                (simple("first"), Value::Integer(1)),
                (simple("second"), Value::Boolean(false)),
            ]),
        ),
        (b"%0\r\n", Value::Map(vec![])),
        (
            b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
            Value::Push(vec![bulk("message"), bulk("ch"), bulk("hi")]),
        ),
        // Attributes, top-level and nested, annotate the value that follows.
        (
            b"|1\r\n+key-popularity\r\n*2\r\n$1\r\na\r\n,0.19\r\n*2\r\n:1\r\n:2\r\n",
            Value::Attribute {
                attributes: vec![(
                    simple("key-popularity"),
                    Value::Array(vec![bulk("a"), Value::Double(0.19)]),
                )],
                value: Box::new(Value::Array(vec![Value::Integer(1), Value::Integer(2)])),
            },
        ),
        (
            b"*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:9\r\n",
            Value::Array(vec![
                Value::Attribute {
                    attributes: vec![(simple("ttl"), Value::Integer(3600))],
                    value: Box::new(bulk("v")),
                },
                Value::Integer(9),
            ]),
        ),
        (
            b"|0\r\n:1\r\n",
            Value::Attribute {
                attributes: vec![],
                value: Box::new(Value::Integer(1)),
            },
        ),
        // Streamed strings and aggregates arrive assembled.
        (
            b"$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n",
            bulk("Hello word"),
        ),
        (b"$?\r\n;0\r\n", bulk("")),
        (
            b"*?\r\n:1\r\n$?\r\n;2\r\nab\r\n;0\r\n*?\r\n.\r\n.\r\n",
            Value::Array(vec![Value::Integer(1), bulk("ab"), Value::Array(vec![])]),
        ),
        (
            b"%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n",
            Value::Map(vec![
                (simple("a"), Value::Integer(1)),
                (simple("b"), Value::Integer(2)),
            ]),
        ),
        (b"~?\r\n+x\r\n.\r\n", Value::Set(vec![simple("x")])),
    ]
}
