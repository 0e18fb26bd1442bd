//! The RESP value: every RESP2 and RESP3 type, with string payloads as [`Bytes`].

use alloc::boxed::Box;
use alloc::vec::Vec;
use bytes::{BufMut, Bytes};
use core::fmt::Write as _;

use crate::encode::{format_i64, write_header};

/// One RESP2 or RESP3 value.
///
/// String payloads are [`Bytes`]: values decoded by [`Decoder`](crate::Decoder) share
/// the connection's read buffer instead of copying out of it. Streamed strings (`$?`) and
/// streamed aggregates (`*?`, `%?`, `~?`) arrive assembled, as their plain forms.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Null: `$-1` and `*-1` in RESP2, `_` in RESP3.
    Nil,
    /// `+`: a short status reply such as `OK`.
    SimpleString(Bytes),
    /// `-`: an error reply such as `ERR unknown command`.
    SimpleError(Bytes),
    /// `!`: a RESP3 error whose text may hold any byte.
    BulkError(Bytes),
    /// `:`: a signed 64-bit integer.
    Integer(i64),
    /// `$`: a binary-safe string.
    BulkString(Bytes),
    /// `*`: an ordered list.
    Array(Vec<Value>),
    /// `%`: a RESP3 map, in the order the server sent it.
    Map(Vec<(Value, Value)>),
    /// `~`: a RESP3 set.
    Set(Vec<Value>),
    /// `,`: a RESP3 double, including `inf`, `-inf` and `nan`.
    Double(f64),
    /// `#`: a RESP3 boolean.
    Boolean(bool),
    /// `(`: a RESP3 big number: its digits, sign included.
    BigNumber(Bytes),
    /// `=`: a RESP3 verbatim string with its three-byte format (`txt`, `mkd`).
    VerbatimString {
        /// The format, such as `*b"txt"`.
        format: [u8; 3],
        /// The text after `format:`.
        text: Bytes,
    },
    /// `>`: a RESP3 out-of-band push (pub/sub messages, client-tracking invalidations).
    Push(Vec<Value>),
    /// `|`: RESP3 attributes and the value they annotate.
    Attribute {
        /// The attribute map, in wire order.
        attributes: Vec<(Value, Value)>,
        /// The value the attributes annotate.
        value: Box<Value>,
    },
}

impl Value {
    /// A short name of the value's RESP type, for error messages: `"bulk string"`,
    /// `"map"`, ...
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::SimpleString(_) => "simple string",
            Value::SimpleError(_) => "simple error",
            Value::BulkError(_) => "bulk error",
            Value::Integer(_) => "integer",
            Value::BulkString(_) => "bulk string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Set(_) => "set",
            Value::Double(_) => "double",
            Value::Boolean(_) => "boolean",
            Value::BigNumber(_) => "big number",
            Value::VerbatimString { .. } => "verbatim string",
            Value::Push(_) => "push",
            Value::Attribute { .. } => "attribute",
        }
    }

    /// Whether this is [`Value::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Whether this is an error reply (simple or bulk).
    pub fn is_error(&self) -> bool {
        matches!(self, Value::SimpleError(_) | Value::BulkError(_))
    }

    /// Writes the value in RESP3 form.
    ///
    /// A simple string or simple error holding CR or LF cannot be written as a line; it
    /// is written as a bulk string or bulk error instead, so the output always parses.
    ///
    /// ```
    /// use ferrodis_resp::Value;
    ///
    /// let mut out = Vec::new();
    /// Value::Array(vec![Value::Integer(1), Value::Nil]).encode(&mut out);
    /// assert_eq!(out, b"*2\r\n:1\r\n_\r\n");
    /// ```
    pub fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Value::Nil => out.put_slice(b"_\r\n"),
            Value::SimpleString(s) => write_line_or_blob(out, b'+', b'$', s),
            Value::SimpleError(s) => write_line_or_blob(out, b'-', b'!', s),
            Value::BulkError(s) => write_blob(out, b'!', s),
            Value::BulkString(s) => write_blob(out, b'$', s),
            Value::Integer(n) => {
                let mut digits = [0u8; 20];
                out.put_u8(b':');
                out.put_slice(format_i64(*n, &mut digits));
                out.put_slice(b"\r\n");
            }
            Value::Array(items) => write_items(out, b'*', items),
            Value::Set(items) => write_items(out, b'~', items),
            Value::Push(items) => write_items(out, b'>', items),
            Value::Map(pairs) => write_pairs(out, b'%', pairs),
            Value::Double(d) => {
                out.put_u8(b',');
                write_double(out, *d);
                out.put_slice(b"\r\n");
            }
            Value::Boolean(b) => out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
            Value::BigNumber(digits) => {
                out.put_u8(b'(');
                out.put_slice(digits);
                out.put_slice(b"\r\n");
            }
            Value::VerbatimString { format, text } => {
                write_header(out, b'=', text.len() + 4);
                out.put_slice(format);
                out.put_u8(b':');
                out.put_slice(text);
                out.put_slice(b"\r\n");
            }
            Value::Attribute { attributes, value } => {
                write_pairs(out, b'|', attributes);
                value.encode(out);
            }
        }
    }
}

fn write_blob<B: BufMut>(out: &mut B, ty: u8, data: &[u8]) {
    write_header(out, ty, data.len());
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

fn write_line_or_blob<B: BufMut>(out: &mut B, line_ty: u8, blob_ty: u8, data: &[u8]) {
    if memchr::memchr2(b'\r', b'\n', data).is_some() {
        write_blob(out, blob_ty, data);
    } else {
        out.put_u8(line_ty);
        out.put_slice(data);
        out.put_slice(b"\r\n");
    }
}

fn write_items<B: BufMut>(out: &mut B, ty: u8, items: &[Value]) {
    write_header(out, ty, items.len());
    for item in items {
        item.encode(out);
    }
}

fn write_pairs<B: BufMut>(out: &mut B, ty: u8, pairs: &[(Value, Value)]) {
    write_header(out, ty, pairs.len());
    for (k, v) in pairs {
        k.encode(out);
        v.encode(out);
    }
}

/// Writes a double the way RESP3 spells it: `inf`, `-inf`, `nan`, or the shortest
/// decimal that reads back as the same `f64`.
fn write_double<B: BufMut>(out: &mut B, d: f64) {
    if d.is_nan() {
        out.put_slice(b"nan");
    } else if d.is_infinite() {
        out.put_slice(if d > 0.0 { b"inf" } else { b"-inf" });
    } else {
        // `{:?}` is the shortest round-trip form, with an exponent for very large or
        // small magnitudes; writing to a BufMut cannot fail.
        let _ = write!(FmtWriter(out), "{d:?}");
    }
}

/// Lets `core::fmt` write into a `BufMut`.
struct FmtWriter<'a, B>(&'a mut B);

impl<B: BufMut> core::fmt::Write for FmtWriter<'_, B> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.put_slice(s.as_bytes());
        Ok(())
    }
}
