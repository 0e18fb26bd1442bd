//! Decoding: the streaming [`Decoder`] over a connection's read buffer, and the one-shot
//! [`decode`] over a slice.
//!
//! Both run the same two passes. The [scanner](crate::scan) walks the value's bytes as
//! they arrive, validating them and remembering its place; once the value is complete its
//! bytes are taken off the buffer and the [builder](crate::build) turns them into a
//! [`Value`]. A top-level scalar or string skips the second pass: it is built from its
//! header directly, so that a stream of small replies costs one parse each.

use bytes::{Buf, Bytes, BytesMut};

use crate::build::build;
use crate::error::DecodeError;
use crate::header::{read_header, Header};
use crate::limits::Limits;
use crate::scan::{blob_end, Scanner};
use crate::value::Value;

/// A streaming RESP decoder for one connection.
///
/// Append what the socket delivers to a [`BytesMut`] and call [`decode`](Self::decode)
/// until it returns `Ok(None)`. Each complete value's bytes are taken off the front of
/// the buffer; string payloads are sliced out of it without copying.
///
/// - **Resumable**: a value arriving in k pieces costs O(its length), not O(k × length).
///   Partial progress is kept between calls, so hand the decoder the same buffer every
///   time and take nothing off its front yourself.
/// - **Bounded**: lengths beyond [`Limits`] are rejected as soon as their header is read,
///   and nothing is allocated for a value until all of its bytes have arrived.
/// - **Fail-stop**: after an error the decoder returns that error forever, since the
///   stream can no longer be trusted; close the connection.
///
/// ```
/// use bytes::BytesMut;
/// use ferrodis_resp::{Decoder, Value};
///
/// let mut decoder = Decoder::new();
/// let mut buf = BytesMut::new();
/// buf.extend_from_slice(b"*2\r\n$5\r\nhello\r\n:4");
/// assert_eq!(decoder.decode(&mut buf)?, None);
/// buf.extend_from_slice(b"2\r\n+OK\r\n");
/// assert_eq!(
///     decoder.decode(&mut buf)?,
///     Some(Value::Array(vec![Value::BulkString("hello".into()), Value::Integer(42)]))
/// );
/// assert_eq!(decoder.decode(&mut buf)?, Some(Value::SimpleString("OK".into())));
/// assert_eq!(decoder.decode(&mut buf)?, None);
/// # Ok::<(), ferrodis_resp::DecodeError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    limits: Limits,
    scanner: Scanner,
    failed: Option<DecodeError>,
}

impl Decoder {
    /// A decoder with the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder with explicit limits.
    pub fn with_limits(limits: Limits) -> Self {
        Decoder {
            limits,
            ..Self::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the decoder has seen an error and will only return errors from now on.
    pub fn is_failed(&self) -> bool {
        self.failed.is_some()
    }

    /// How many bytes at the front of the buffer belong to a value that is not complete
    /// yet (and have been examined already).
    pub fn pending(&self) -> usize {
        self.scanner.examined()
    }

    /// Takes the next complete value off the front of `buf`, or returns `Ok(None)` if
    /// `buf` does not hold one yet. See the [type docs](Self).
    #[inline]
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Value>, DecodeError> {
        if self.failed.is_none() && self.scanner.is_idle() {
            // The fast paths consume a value the general path may have started reading
            // (a line whose LF had not arrived): forget its CRLF search position too.
            if let Some((n, used)) = plain_integer(buf) {
                buf.advance(used);
                self.scanner.reset_hint();
                return Ok(Some(Value::Integer(n)));
            }
            if let Some((text, used)) = common_status(buf) {
                buf.advance(used);
                self.scanner.reset_hint();
                return Ok(Some(Value::SimpleString(Bytes::from_static(text))));
            }
        }
        self.decode_general(buf)
    }

    fn decode_general(&mut self, buf: &mut BytesMut) -> Result<Option<Value>, DecodeError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let result = self.decode_inner(buf);
        if let Err(err) = &result {
            self.failed = Some(err.clone());
        }
        result
    }

    #[inline]
    fn decode_inner(&mut self, buf: &mut BytesMut) -> Result<Option<Value>, DecodeError> {
        if self.scanner.is_idle() {
            let Some((header, next)) = read_header(buf, 0, &self.limits, self.scanner.hint())?
            else {
                return Ok(None);
            };
            if let Some(value) = scalar(header) {
                buf.advance(next);
                self.scanner.reset_hint();
                return Ok(Some(value));
            }
            match header {
                Header::Line { ty, start, end } => {
                    buf.advance(start);
                    let text = buf.split_to(end - start).freeze();
                    buf.advance(2);
                    self.scanner.reset_hint();
                    return Ok(Some(line_value(ty, text)));
                }
                Header::Blob { ty, len } if ty != b';' => {
                    let Some(end) = blob_end(buf, 0, next, ty, len)? else {
                        return Ok(None);
                    };
                    buf.advance(next);
                    let payload = buf.split_to(end - next).freeze();
                    buf.advance(2);
                    return blob_value(ty, payload).map(Some);
                }
                _ => {}
            }
        }
        let Some(len) = self.scanner.scan(buf, &self.limits)? else {
            return Ok(None);
        };
        let src = buf.split_to(len).freeze();
        let mut pos = 0;
        build(&src, &mut pos, &self.limits).map(Some)
    }
}

/// Decodes one value from the front of `buf` with the default [`Limits`]. Returns the
/// value and how many bytes it took, or `Ok(None)` if `buf` holds only part of a value.
///
/// String payloads are copied out of `buf` (into one allocation per value); to decode
/// from a socket without copying, use [`Decoder`].
///
/// ```
/// use ferrodis_resp::{decode, Value};
///
/// assert_eq!(decode(b":42\r\n+OK\r\n")?, Some((Value::Integer(42), 5)));
/// assert_eq!(decode(b"$5\r\nhel")?, None);
/// # Ok::<(), ferrodis_resp::DecodeError>(())
/// ```
pub fn decode(buf: &[u8]) -> Result<Option<(Value, usize)>, DecodeError> {
    decode_with(buf, &Limits::DEFAULT)
}

/// [`decode`] with explicit limits.
pub fn decode_with(buf: &[u8], limits: &Limits) -> Result<Option<(Value, usize)>, DecodeError> {
    if let Some((header, next)) = read_header(buf, 0, limits, &mut 0)? {
        if let Some(value) = scalar(header) {
            return Ok(Some((value, next)));
        }
    }
    let Some(len) = Scanner::default().scan(buf, limits)? else {
        return Ok(None);
    };
    let src = Bytes::copy_from_slice(&buf[..len]);
    let mut pos = 0;
    Ok(Some((build(&src, &mut pos, limits)?, len)))
}

/// A complete `:<digits>\r\n` or `:-<digits>\r\n` of at most 18 digits, the commonest
/// reply of all. Anything else (a longer number, an incomplete or malformed line) is left
/// to the general path, which decides what it is.
#[inline(always)]
fn plain_integer(b: &[u8]) -> Option<(i64, usize)> {
    if b.first() != Some(&b':') {
        return None;
    }
    let negative = b.get(1) == Some(&b'-');
    let start = 1 + usize::from(negative);
    let mut i = start;
    let mut n: i64 = 0;
    while let Some(&d) = b.get(i) {
        if d.is_ascii_digit() && i - start < 18 {
            n = n * 10 + i64::from(d - b'0');
            i += 1;
        } else {
            break;
        }
    }
    if i == start || b.get(i) != Some(&b'\r') || b.get(i + 1) != Some(&b'\n') {
        return None;
    }
    Some((if negative { -n } else { n }, i + 2))
}

/// The status replies a pipeline or transaction mostly consists of, returned as static
/// `Bytes`: no slice of the read buffer, so no reference count to update and release.
#[inline(always)]
fn common_status(b: &[u8]) -> Option<(&'static [u8], usize)> {
    const COMMON: [(&[u8], &[u8]); 3] = [
        (b"+OK\r\n", b"OK"),
        (b"+QUEUED\r\n", b"QUEUED"),
        (b"+PONG\r\n", b"PONG"),
    ];
    if b.first() != Some(&b'+') {
        return None;
    }
    COMMON
        .iter()
        .find(|(wire, _)| b.starts_with(wire))
        .map(|(wire, text)| (*text, wire.len()))
}

/// A value that is complete in its header alone.
#[inline]
fn scalar(header: Header) -> Option<Value> {
    match header {
        Header::Integer(n) => Some(Value::Integer(n)),
        Header::Double(d) => Some(Value::Double(d)),
        Header::Boolean(b) => Some(Value::Boolean(b)),
        Header::Nil => Some(Value::Nil),
        _ => None,
    }
}

#[inline]
fn line_value(ty: u8, text: Bytes) -> Value {
    match ty {
        b'+' => Value::SimpleString(text),
        b'-' => Value::SimpleError(text),
        _ => Value::BigNumber(text),
    }
}

#[inline]
fn blob_value(ty: u8, payload: Bytes) -> Result<Value, DecodeError> {
    Ok(match ty {
        b'$' => Value::BulkString(payload),
        b'!' => Value::BulkError(payload),
        _ => {
            // `=`: blob_end has checked the length and the `:` at index 3.
            let format = payload
                .get(..3)
                .and_then(|f| <[u8; 3]>::try_from(f).ok())
                .ok_or(DecodeError::InvalidVerbatim { offset: 0 })?;
            Value::VerbatimString {
                format,
                text: payload.slice(4..),
            }
        }
    })
}
