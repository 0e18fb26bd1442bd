//! Replies: converting a [`Value`] into the Rust type the caller asked for.
//!
//! [`FromValue`] replaces redis-py's response callbacks: the caller picks the type at the
//! call site (`let n: i64 = ...`), and anyone can implement it for their own types. A
//! conversion that does not fit is an [`Error::Conversion`] naming the expected Rust type
//! and the RESP type received; it never panics.
//!
//! RESP2 and RESP3 replies convert alike: a map converts from a RESP3 map or a RESP2
//! flat array, a set from a RESP3 set or an array, a float from a bulk string or a RESP3
//! double. An error reply converts into [`Error::Server`] for every target but
//! [`Value`] itself, which keeps it. Attributes are looked through.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use bytes::Bytes;
use ferrodis_resp::Value;

use crate::error::{Error, ServerError};

/// Conversion from a reply: implemented for the standard types, for the typed replies of
/// [`replies`](crate::replies), and by users for their own types.
///
/// ```
/// use ferrodis_commands::FromValue;
/// use ferrodis_resp::Value;
///
/// let n = i64::from_value(Value::Integer(42))?;
/// assert_eq!(n, 42);
/// let name: Option<String> = FromValue::from_value(Value::Nil)?;
/// assert_eq!(name, None);
/// assert!(u8::from_value(Value::Integer(300)).is_err());
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
///
/// Implementing it for a type of your own:
///
/// ```
/// use ferrodis_commands::{Error, FromValue};
/// use ferrodis_resp::Value;
///
/// struct Celsius(f64);
///
/// impl FromValue for Celsius {
///     fn from_value(value: Value) -> Result<Self, Error> {
///         f64::from_value(value).map(Celsius)
///     }
/// }
/// ```
pub trait FromValue: Sized {
    /// Converts the reply.
    fn from_value(value: Value) -> Result<Self, Error>;

    /// Converts a string payload into a `Vec<Self>`: only `u8` does, which is how
    /// `Vec<u8>` is bytes while `Vec<i64>` is a list.
    #[doc(hidden)]
    fn from_bulk_vec(_bytes: &Bytes) -> Option<Vec<Self>> {
        None
    }

    /// The element count of a tuple type, so that `Vec<(K, V)>` converts from a flat
    /// RESP2 array (`[k1, v1, k2, v2]`) as well as from an array of pairs or a map.
    #[doc(hidden)]
    fn tuple_arity() -> Option<usize> {
        None
    }
}

/// Looks through attributes, and turns an error reply into an error.
#[inline]
fn plain(value: Value) -> Result<Value, Error> {
    match value {
        Value::SimpleError(text) | Value::BulkError(text) => {
            Err(Error::Server(ServerError::parse(&text)))
        }
        Value::Attribute { value, .. } => plain(*value),
        other => Ok(other),
    }
}

fn mismatch<T>(value: &Value) -> Error {
    Error::conversion::<T>(value.type_name(), None)
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, Error> {
        Ok(value)
    }
}

impl FromValue for () {
    fn from_value(value: Value) -> Result<Self, Error> {
        plain(value).map(drop)
    }
}

/// The bytes of a string reply (bulk, simple or verbatim), if it is one.
fn string_bytes(value: Value) -> Result<Bytes, Value> {
    match value {
        Value::BulkString(b) | Value::SimpleString(b) | Value::BigNumber(b) => Ok(b),
        Value::VerbatimString { text, .. } => Ok(text),
        other => Err(other),
    }
}

impl FromValue for Bytes {
    fn from_value(value: Value) -> Result<Self, Error> {
        string_bytes(plain(value)?).map_err(|v| mismatch::<Self>(&v))
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, Error> {
        match plain(value)? {
            Value::Integer(n) => Ok(n.to_string()),
            Value::Double(d) => Ok(d.to_string()),
            other => {
                let bytes = string_bytes(other).map_err(|v| mismatch::<Self>(&v))?;
                String::from_utf8(bytes.to_vec()).map_err(|e| {
                    Error::conversion::<Self>(
                        "bulk string",
                        Some(format!("not UTF-8 ({e}); ask for Vec<u8> or Bytes instead")),
                    )
                })
            }
        }
    }
}

/// Parses an integer from an integer reply, or a string reply holding one.
fn integer<T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr>(value: Value) -> Result<T, Error> {
    let out_of_range = |n: &dyn std::fmt::Display| {
        Error::conversion::<T>("integer", Some(format!("{n} is out of range")))
    };
    match plain(value)? {
        Value::Integer(n) => T::try_from(n).map_err(|_| out_of_range(&n)),
        Value::Boolean(b) => T::try_from(i64::from(b)).map_err(|_| out_of_range(&b)),
        other => {
            let kind = other.type_name();
            let bytes = string_bytes(other).map_err(|_| Error::conversion::<T>(kind, None))?;
            std::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| s.parse::<T>().ok())
                .ok_or_else(|| {
                    Error::conversion::<T>(
                        kind,
                        Some(format!(
                            "{:?} is not an integer in range",
                            String::from_utf8_lossy(&bytes)
                        )),
                    )
                })
        }
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, Error> {
                integer::<$t>(value)
            }
        }
    )*};
}

int_from_value!(i8, i16, i32, i64, i128, isize, u16, u32, u64, u128, usize);

impl FromValue for u8 {
    fn from_value(value: Value) -> Result<Self, Error> {
        integer::<u8>(value)
    }

    fn from_bulk_vec(bytes: &Bytes) -> Option<Vec<u8>> {
        Some(bytes.to_vec())
    }
}

impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self, Error> {
        match plain(value)? {
            Value::Double(d) => Ok(d),
            Value::Integer(n) => Ok(n as f64),
            other => {
                let kind = other.type_name();
                let bytes =
                    string_bytes(other).map_err(|_| Error::conversion::<f64>(kind, None))?;
                parse_float(&bytes).ok_or_else(|| {
                    Error::conversion::<f64>(
                        kind,
                        Some(format!(
                            "{:?} is not a number",
                            String::from_utf8_lossy(&bytes)
                        )),
                    )
                })
            }
        }
    }
}

/// Redis writes floats as `1.5`, `inf`, `-inf`, `+inf`, `nan`.
fn parse_float(bytes: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(bytes).ok()?;
    match s {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok(),
    }
}

impl FromValue for f32 {
    fn from_value(value: Value) -> Result<Self, Error> {
        f64::from_value(value).map(|d| d as f32)
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, Error> {
        match plain(value)? {
            Value::Boolean(b) => Ok(b),
            Value::Nil => Ok(false),
            Value::Integer(0) => Ok(false),
            Value::Integer(1) => Ok(true),
            Value::SimpleString(s) if &s[..] == b"OK" => Ok(true),
            Value::BulkString(s) | Value::SimpleString(s) if &s[..] == b"1" => Ok(true),
            Value::BulkString(s) | Value::SimpleString(s) if &s[..] == b"0" => Ok(false),
            Value::Integer(n) => Err(Error::conversion::<bool>(
                "integer",
                Some(format!(
                    "{n} is neither 0 nor 1; ask for an integer type instead"
                )),
            )),
            other => Err(mismatch::<bool>(&other)),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, Error> {
        match plain(value)? {
            Value::Nil => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The elements of an aggregate reply: arrays, sets and pushes; maps give their keys and
/// values in turn (`k1, v1, k2, v2`). Nil is empty.
fn elements<T>(value: Value) -> Result<Vec<Value>, Error> {
    match value {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => Ok(items),
        Value::Map(pairs) => Ok(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()),
        Value::Nil => Ok(Vec::new()),
        other => Err(mismatch::<T>(&other)),
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self, Error> {
        let value = plain(value)?;
        if let Value::BulkString(bytes) | Value::SimpleString(bytes) = &value {
            if let Some(v) = T::from_bulk_vec(bytes) {
                return Ok(v);
            }
        }
        // A map, or a flat array, converts into a Vec of pairs (or wider tuples).
        if let Some(n) = T::tuple_arity().filter(|n| *n > 1) {
            match value {
                Value::Map(pairs) if n == 2 => {
                    return pairs
                        .into_iter()
                        .map(|(k, v)| T::from_value(Value::Array(vec![k, v])))
                        .collect();
                }
                Value::Array(items) if !is_nested(&items, n) => {
                    if items.len() % n != 0 {
                        return Err(Error::conversion::<Self>(
                            "array",
                            Some(format!(
                                "{} elements do not divide into tuples of {n}",
                                items.len()
                            )),
                        ));
                    }
                    let mut out = Vec::with_capacity(items.len() / n);
                    let mut it = items.into_iter();
                    loop {
                        let chunk: Vec<Value> = it.by_ref().take(n).collect();
                        if chunk.is_empty() {
                            break;
                        }
                        out.push(T::from_value(Value::Array(chunk))?);
                    }
                    return Ok(out);
                }
                other => {
                    return elements::<Self>(other)?
                        .into_iter()
                        .map(T::from_value)
                        .collect()
                }
            }
        }
        elements::<Self>(value)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

/// Whether an array holds tuples of `n` as arrays of `n` (`[[k1, v1], [k2, v2]]`, as
/// RESP3 sends `WITHSCORES` replies) rather than flat (`[k1, v1, k2, v2]`, RESP2). A flat
/// array's values may be aggregates themselves (`FUNCTION LIST`, `XINFO` in RESP2), so
/// only "every element is an array of `n`" counts as nested.
fn is_nested(items: &[Value], n: usize) -> bool {
    !items.is_empty()
        && items
            .iter()
            .all(|v| matches!(v, Value::Array(inner) if inner.len() == n))
}

/// The pairs of a map reply: a RESP3 map, a RESP2 flat array, or an array of pairs.
fn pairs<T>(value: Value) -> Result<Vec<(Value, Value)>, Error> {
    match plain(value)? {
        Value::Map(pairs) => Ok(pairs),
        Value::Nil => Ok(Vec::new()),
        Value::Array(items) if !is_nested(&items, 2) => {
            if items.len() % 2 != 0 {
                return Err(Error::conversion::<T>(
                    "array",
                    Some(format!(
                        "{} elements cannot be key/value pairs",
                        items.len()
                    )),
                ));
            }
            let mut out = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            Ok(out)
        }
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::Array(mut kv) if kv.len() == 2 => {
                    let v = kv.pop().unwrap_or(Value::Nil);
                    let k = kv.pop().unwrap_or(Value::Nil);
                    Ok((k, v))
                }
                other => Err(mismatch::<T>(&other)),
            })
            .collect(),
        other => Err(mismatch::<T>(&other)),
    }
}

impl<K: FromValue + Eq + Hash, V: FromValue, S: BuildHasher + Default> FromValue
    for HashMap<K, V, S>
{
    fn from_value(value: Value) -> Result<Self, Error> {
        pairs::<Self>(value)?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    fn from_value(value: Value) -> Result<Self, Error> {
        pairs::<Self>(value)?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

impl<T: FromValue + Eq + Hash, S: BuildHasher + Default> FromValue for HashSet<T, S> {
    fn from_value(value: Value) -> Result<Self, Error> {
        elements::<Self>(plain(value)?)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<T: FromValue + Ord> FromValue for BTreeSet<T> {
    fn from_value(value: Value) -> Result<Self, Error> {
        elements::<Self>(plain(value)?)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

macro_rules! tuple_from_value {
    ($n:literal: $($name:ident)+) => {
        impl<$($name: FromValue),+> FromValue for ($($name,)+) {
            fn from_value(value: Value) -> Result<Self, Error> {
                let items = match plain(value)? {
                    Value::Array(items) | Value::Set(items) | Value::Push(items) => items,
                    Value::Map(pairs) => pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
                    other => return Err(mismatch::<Self>(&other)),
                };
                if items.len() != $n {
                    return Err(Error::conversion::<Self>(
                        "array",
                        Some(format!("{} elements, expected {}", items.len(), $n)),
                    ));
                }
                let mut it = items.into_iter();
                Ok(($($name::from_value(it.next().unwrap_or(Value::Nil))?,)+))
            }

            fn tuple_arity() -> Option<usize> {
                Some($n)
            }
        }
    };
}

tuple_from_value!(1: A);
tuple_from_value!(2: A B);
tuple_from_value!(3: A B C);
tuple_from_value!(4: A B C D);
tuple_from_value!(5: A B C D E);
tuple_from_value!(6: A B C D E F);
tuple_from_value!(7: A B C D E F G);
tuple_from_value!(8: A B C D E F G H);
tuple_from_value!(9: A B C D E F G H I);
tuple_from_value!(10: A B C D E F G H I J);
tuple_from_value!(11: A B C D E F G H I J K);
tuple_from_value!(12: A B C D E F G H I J K L);
