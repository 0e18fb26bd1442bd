//! Pass 2: turning a complete, validated value's bytes into a [`Value`].
//!
//! By the time the builder runs, the scanner has checked every byte of the value and the
//! decoder has frozen those bytes into one [`Bytes`]. Each string payload becomes a slice
//! of it (a reference-count increment, no copy), and every `Vec` is sized from a count
//! whose elements are all present in the buffer. The builder recurses once per nesting
//! level, which [`Limits::max_depth`] bounds.

use alloc::boxed::Box;
use alloc::vec::Vec;
use bytes::Bytes;

use crate::error::DecodeError;
use crate::header::{read_header, Header};
use crate::limits::Limits;
use crate::value::Value;

/// Builds the value starting at `*pos` in `src`, and moves `*pos` past it.
pub(crate) fn build(src: &Bytes, pos: &mut usize, limits: &Limits) -> Result<Value, DecodeError> {
    let (header, next) = header_at(src, *pos, limits)?;
    let start = *pos;
    *pos = next;
    Ok(match header {
        Header::Integer(n) => Value::Integer(n),
        Header::Double(d) => Value::Double(d),
        Header::Boolean(b) => Value::Boolean(b),
        Header::Nil => Value::Nil,
        Header::Line { ty, start, end } => {
            let text = slice(src, start, end)?;
            match ty {
                b'+' => Value::SimpleString(text),
                b'-' => Value::SimpleError(text),
                _ => Value::BigNumber(text),
            }
        }
        Header::Blob { ty, len } => {
            let end = next + len;
            *pos = end + 2;
            match ty {
                b'$' => Value::BulkString(slice(src, next, end)?),
                b'!' => Value::BulkError(slice(src, next, end)?),
                b'=' => {
                    let format = src
                        .get(next..next + 3)
                        .and_then(|f| <[u8; 3]>::try_from(f).ok())
                        .ok_or(DecodeError::InvalidVerbatim { offset: start })?;
                    Value::VerbatimString {
                        format,
                        text: slice(src, next + 4, end)?,
                    }
                }
                _ => return Err(DecodeError::ChunkOutsideStream { offset: start }),
            }
        }
        Header::Aggregate { ty, len } => {
            let room = (src.len() - next) / 3 + 1;
            match ty {
                b'%' | b'|' => {
                    let mut pairs = Vec::with_capacity(len.min(room / 2));
                    for _ in 0..len {
                        let key = build(src, pos, limits)?;
                        let value = build(src, pos, limits)?;
                        pairs.push((key, value));
                    }
                    if ty == b'%' {
                        Value::Map(pairs)
                    } else {
                        Value::Attribute {
                            attributes: pairs,
                            value: Box::new(build(src, pos, limits)?),
                        }
                    }
                }
                _ => {
                    let mut items = Vec::with_capacity(len.min(room));
                    build_items(src, pos, len, limits, &mut items)?;
                    aggregate(ty, items)
                }
            }
        }
        Header::Streamed { ty: b'$' } => {
            let mut text = Vec::new();
            loop {
                let chunk_at = *pos;
                match header_at(src, chunk_at, limits)? {
                    (Header::Blob { ty: b';', len: 0 }, after) => {
                        *pos = after;
                        break;
                    }
                    (Header::Blob { ty: b';', len }, after) => {
                        let chunk = src
                            .get(after..after + len)
                            .ok_or(DecodeError::MissingCrlf { offset: after })?;
                        text.extend_from_slice(chunk);
                        *pos = after + len + 2;
                    }
                    _ => return Err(DecodeError::ExpectedChunk { offset: chunk_at }),
                }
            }
            Value::BulkString(Bytes::from(text))
        }
        Header::Streamed { ty } => {
            let mut items = Vec::new();
            while src.get(*pos) != Some(&b'.') {
                items.push(build(src, pos, limits)?);
            }
            // Step over the `.\r\n` the scanner has validated.
            *pos += 3;
            if ty == b'%' {
                let mut pairs = Vec::with_capacity(items.len() / 2);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    pairs.push((k, v));
                }
                Value::Map(pairs)
            } else {
                aggregate(ty, items)
            }
        }
        Header::End => return Err(DecodeError::EndOutsideStream { offset: start }),
    })
}

/// Builds `len` elements of an array, set or push into `items`. Bulk strings and
/// integers, which make up most replies, take a short path.
///
/// This loop is kept small, with the general path outlined, so that `Vec::push` is
/// inlined and each value is written straight into the vector. Built inside the large
/// `build`, every element was copied through a temporary, and the copy stalled on store
/// forwarding: a third of the time spent decoding arrays of short strings.
#[inline(never)]
fn build_items(
    src: &Bytes,
    pos: &mut usize,
    len: usize,
    limits: &Limits,
    items: &mut Vec<Value>,
) -> Result<(), DecodeError> {
    let bytes: &[u8] = src;
    for _ in 0..len {
        let p = *pos;
        if let Some(&ty @ (b'$' | b':')) = bytes.get(p) {
            // Plain digits only (no sign, no `?`, at most 18 digits): the scanner has
            // validated the rest; the general path handles anything else.
            let mut i = p + 1;
            let mut n: u64 = 0;
            while let Some(&d) = bytes.get(i) {
                if d.is_ascii_digit() && i - p <= 18 {
                    n = n * 10 + u64::from(d - b'0');
                    i += 1;
                } else {
                    break;
                }
            }
            if i > p + 1 && bytes.get(i) == Some(&b'\r') {
                let start = i + 2;
                if ty == b':' {
                    *pos = start;
                    items.push(Value::Integer(n as i64));
                    continue;
                }
                let end = start + n as usize;
                if end + 2 <= bytes.len() {
                    *pos = end + 2;
                    push_in_place(items, || Value::BulkString(src.slice(start..end)));
                    continue;
                }
            }
        }
        build_into(src, pos, limits, items)?;
    }
    Ok(())
}

/// `items.push(make())`, with the value written straight into the vector's spare
/// capacity: the destination is known before `make` runs, so the compiler builds the
/// value in place instead of assembling it on the stack and copying it (which stalls on
/// store forwarding, see [`build_items`]).
#[inline(always)]
fn push_in_place(items: &mut Vec<Value>, make: impl FnOnce() -> Value) {
    if items.len() == items.capacity() {
        items.reserve(1);
    }
    let len = items.len();
    if let Some(slot) = items.spare_capacity_mut().first_mut() {
        slot.write(make());
        #[allow(unsafe_code)]
        // SAFETY: the element at index `len`, the first of the spare capacity, was
        // initialized on the line above, and `len + 1 <= capacity`.
        unsafe {
            items.set_len(len + 1);
        }
    }
}

/// The general path of [`build_items`], outlined.
#[inline(never)]
fn build_into(
    src: &Bytes,
    pos: &mut usize,
    limits: &Limits,
    items: &mut Vec<Value>,
) -> Result<(), DecodeError> {
    let value = build(src, pos, limits)?;
    items.push(value);
    Ok(())
}

#[inline]
fn aggregate(ty: u8, items: Vec<Value>) -> Value {
    match ty {
        b'~' => Value::Set(items),
        b'>' => Value::Push(items),
        _ => Value::Array(items),
    }
}

/// Reads a header the scanner has already validated.
#[inline]
fn header_at(src: &Bytes, pos: usize, limits: &Limits) -> Result<(Header, usize), DecodeError> {
    let mut hint = 0;
    read_header(src, pos, limits, &mut hint)?.ok_or(DecodeError::MissingCrlf { offset: src.len() })
}

/// A zero-copy slice, checked so that a logic error cannot panic.
#[inline]
fn slice(src: &Bytes, start: usize, end: usize) -> Result<Bytes, DecodeError> {
    if start <= end && end <= src.len() {
        Ok(src.slice(start..end))
    } else {
        Err(DecodeError::MissingCrlf { offset: start })
    }
}
