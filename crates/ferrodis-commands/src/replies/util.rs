//! Helpers shared by the reply parsers: looking through attributes, reading the field
//! maps that RESP3 sends as maps and RESP2 as flat arrays, and wrapping conversion errors
//! with the name of the reply and the field that did not fit.

use std::time::Duration;

use bytes::Bytes;
use ferrodis_resp::Value;

use crate::error::{Error, ServerError};
use crate::from_value::FromValue;

/// Looks through attributes, and turns an error reply into an error.
pub(crate) fn plain(value: Value) -> Result<Value, Error> {
    match value {
        Value::SimpleError(text) | Value::BulkError(text) => {
            Err(Error::Server(ServerError::parse(&text)))
        }
        Value::Attribute { value, .. } => plain(*value),
        other => Ok(other),
    }
}

/// A conversion error for the reply type `expected`.
pub(crate) fn mismatch(expected: &'static str, value: &Value, detail: impl Into<String>) -> Error {
    let detail = detail.into();
    Error::Conversion {
        expected,
        received: value.type_name(),
        detail: if detail.is_empty() {
            None
        } else {
            Some(detail)
        },
    }
}

/// A conversion error about content (not about the RESP type).
pub(crate) fn invalid(expected: &'static str, received: &'static str, detail: String) -> Error {
    Error::Conversion {
        expected,
        received,
        detail: Some(detail),
    }
}

/// Re-labels a conversion error from an inner `FromValue` call so that it names the
/// reply type and the part being read; other errors pass through.
pub(crate) fn context<'a>(
    expected: &'static str,
    part: &'a str,
) -> impl FnOnce(Error) -> Error + 'a {
    move |e| match e {
        Error::Conversion {
            expected: inner,
            received,
            detail,
        } => {
            let mut text = format!("{part}: expected {inner}");
            if let Some(d) = detail {
                text.push_str(" (");
                text.push_str(&d);
                text.push(')');
            }
            Error::Conversion {
                expected,
                received,
                detail: Some(text),
            }
        }
        other => other,
    }
}

/// Converts `value` with `T`'s `FromValue`, labelling a failure with `part`.
pub(crate) fn convert<T: FromValue>(
    value: Value,
    expected: &'static str,
    part: &str,
) -> Result<T, Error> {
    T::from_value(value).map_err(context(expected, part))
}

/// The elements of an array, set or push reply (not nil: see [`array_or_nil`]).
pub(crate) fn array(value: Value, expected: &'static str) -> Result<Vec<Value>, Error> {
    match plain(value)? {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => Ok(items),
        other => Err(mismatch(expected, &other, "expected an array")),
    }
}

/// The elements of an array reply, or none for nil.
pub(crate) fn array_or_nil(value: Value, expected: &'static str) -> Result<Vec<Value>, Error> {
    match plain(value)? {
        Value::Nil => Ok(Vec::new()),
        other => array(other, expected),
    }
}

/// Exactly `N` elements of an array reply.
pub(crate) fn exact<const N: usize>(
    value: Value,
    expected: &'static str,
) -> Result<[Value; N], Error> {
    let items = array(value, expected)?;
    let len = items.len();
    <[Value; N]>::try_from(items)
        .map_err(|_| invalid(expected, "array", format!("{len} elements, expected {N}")))
}

/// The payload of a string reply: bulk, simple or verbatim (and numbers, as text).
pub(crate) fn text_bytes(value: Value, expected: &'static str) -> Result<Bytes, Error> {
    match plain(value)? {
        Value::BulkString(b) | Value::SimpleString(b) | Value::BigNumber(b) => Ok(b),
        Value::VerbatimString { text, .. } => Ok(text),
        Value::Integer(n) => Ok(Bytes::from(n.to_string())),
        Value::Double(d) => Ok(Bytes::from(d.to_string())),
        other => Err(mismatch(expected, &other, "expected a string")),
    }
}

/// A string reply as text; bytes that are not UTF-8 are replaced (these are replies
/// made of server-generated text: INFO, CLIENT LIST, CLUSTER NODES).
pub(crate) fn text(value: Value, expected: &'static str) -> Result<String, Error> {
    let bytes = text_bytes(value, expected)?;
    Ok(match String::from_utf8(bytes.to_vec()) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// A duration from a count of milliseconds; negative counts are zero.
pub(crate) fn millis(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// The key/value pairs of a reply that RESP3 sends as a map and RESP2 as a flat array
/// (`[k1, v1, k2, v2, ...]`), in wire order, with text keys.
pub(crate) struct Fields {
    expected: &'static str,
    pairs: Vec<(Bytes, Value)>,
}

impl Fields {
    /// Reads the pairs of `value`, which must be a map or an array of even length whose
    /// keys are strings.
    pub(crate) fn new(value: Value, expected: &'static str) -> Result<Fields, Error> {
        let raw: Vec<(Value, Value)> = match plain(value)? {
            Value::Map(pairs) => pairs,
            Value::Array(items) => {
                if items.len() % 2 != 0 {
                    return Err(invalid(
                        expected,
                        "array",
                        format!("{} elements cannot be field/value pairs", items.len()),
                    ));
                }
                let mut pairs = Vec::with_capacity(items.len() / 2);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    pairs.push((k, v));
                }
                pairs
            }
            other => {
                return Err(mismatch(
                    expected,
                    &other,
                    "expected a map or a flat array of field/value pairs",
                ))
            }
        };
        let mut pairs = Vec::with_capacity(raw.len());
        for (k, v) in raw {
            let key = match plain(k)? {
                Value::BulkString(b) | Value::SimpleString(b) => b,
                Value::VerbatimString { text, .. } => text,
                other => return Err(mismatch(expected, &other, "a field name is not a string")),
            };
            pairs.push((key, v));
        }
        Ok(Fields { expected, pairs })
    }

    /// Removes and returns the value of `key`.
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        let i = self
            .pairs
            .iter()
            .position(|(k, _)| &k[..] == key.as_bytes())?;
        Some(self.pairs.remove(i).1)
    }

    /// The value of a field that must be there, converted.
    pub(crate) fn req<T: FromValue>(&mut self, key: &str) -> Result<T, Error> {
        match self.take(key) {
            Some(v) => convert(v, self.expected, &format!("field `{key}`")),
            None => Err(Error::Conversion {
                expected: self.expected,
                received: "map",
                detail: Some(format!("missing field `{key}`")),
            }),
        }
    }

    /// The value of a field that may be missing or nil, converted.
    pub(crate) fn opt<T: FromValue>(&mut self, key: &str) -> Result<Option<T>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => match plain(v)? {
                Value::Nil => Ok(None),
                v => convert(v, self.expected, &format!("field `{key}`")).map(Some),
            },
        }
    }

    /// The value of a field that may be missing, read with a custom parser.
    pub(crate) fn opt_with<T>(
        &mut self,
        key: &str,
        parse: impl FnOnce(Value) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => parse(v)
                .map(Some)
                .map_err(context(self.expected, &format!("field `{key}`"))),
        }
    }

    /// The fields not taken yet.
    pub(crate) fn into_rest(self) -> Vec<(Bytes, Value)> {
        self.pairs
    }
}

/// A list of strings (an array, or a RESP3 set such as `doc_flags`).
pub(crate) fn strings(value: Value, expected: &'static str) -> Result<Vec<String>, Error> {
    array_or_nil(value, expected)?
        .into_iter()
        .map(|v| text(v, expected))
        .collect()
}

/// Parses an integer from text, as a conversion error naming `what` on failure.
pub(crate) fn parse_num<T: std::str::FromStr>(
    s: &str,
    expected: &'static str,
    what: &str,
) -> Result<T, Error> {
    s.trim().parse::<T>().map_err(|_| {
        invalid(
            expected,
            "bulk string",
            format!("{what}: {s:?} is not a number in range"),
        )
    })
}
