//! Reading one RESP header: the type byte and its line, validated.
//!
//! Both decoding passes (the resumable scanner and the value builder) read the wire
//! through this one function, so what is accepted and what is rejected is decided in a
//! single place.

use crate::error::DecodeError;
use crate::limits::Limits;

/// Numeric lines (integers, lengths, booleans, nulls, end markers) are never longer than
/// this; a longer one is rejected without waiting for its end.
const MAX_NUMERIC_LINE: usize = 32;

/// One header, as read from the wire. Offsets are absolute indexes into the buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Header {
    /// `:` integer.
    Integer(i64),
    /// `,` double.
    Double(f64),
    /// `#` boolean.
    Boolean(bool),
    /// `_`, `$-1` or `*-1`.
    Nil,
    /// `+`, `-` or `(`: the payload is `start..end`.
    Line { ty: u8, start: usize, end: usize },
    /// `$`, `!`, `=` or `;` with its length; the payload starts at the header's end.
    Blob { ty: u8, len: usize },
    /// `*`, `%`, `~`, `>` or `|` with its element (or pair) count.
    Aggregate { ty: u8, len: usize },
    /// `$?`, `*?`, `%?` or `~?`.
    Streamed { ty: u8 },
    /// `.`: the end of a streamed aggregate.
    End,
}

/// Reads the header at `pos`. Returns the header and the index just past its CRLF, or
/// `None` if the header is not complete yet.
///
/// `hint` remembers how far a long line (simple string, error, big number, double) has
/// been searched for its CRLF, so that a line arriving in many pieces is searched once.
/// It must be `pos` (or less) when a new header starts; the scanner resets it.
#[inline]
pub(crate) fn read_header(
    buf: &[u8],
    pos: usize,
    limits: &Limits,
    hint: &mut usize,
) -> Result<Option<(Header, usize)>, DecodeError> {
    let Some(&ty) = buf.get(pos) else {
        return Ok(None);
    };
    let start = pos + 1;
    match ty {
        b'$' | b'*' | b'!' | b'=' | b'%' | b'~' | b'>' | b'|' | b';' => {
            read_length(buf, ty, pos, limits)
        }
        b':' => {
            let Some((digits, next)) = numeric_line(buf, start)? else {
                return Ok(None);
            };
            match parse_i64(digits) {
                Some(n) => Ok(Some((Header::Integer(n), next))),
                None => Err(DecodeError::InvalidInteger { offset: start }),
            }
        }
        b'+' | b'-' | b'(' | b',' => {
            let Some(end) = long_line(buf, pos, limits, hint)? else {
                return Ok(None);
            };
            let line = &buf[start..end];
            let header = match ty {
                b',' => Header::Double(
                    parse_double(line).ok_or(DecodeError::InvalidDouble { offset: start })?,
                ),
                b'(' if !is_big_number(line) => {
                    return Err(DecodeError::InvalidBigNumber { offset: start })
                }
                _ => Header::Line { ty, start, end },
            };
            Ok(Some((header, end + 2)))
        }
        b'#' => {
            let Some((line, next)) = numeric_line(buf, start)? else {
                return Ok(None);
            };
            match line {
                b"t" => Ok(Some((Header::Boolean(true), next))),
                b"f" => Ok(Some((Header::Boolean(false), next))),
                _ => Err(DecodeError::InvalidBoolean { offset: start }),
            }
        }
        b'_' => match buf.get(start) {
            None => Ok(None),
            Some(b'\r') => match buf.get(start + 1) {
                None => Ok(None),
                Some(b'\n') => Ok(Some((Header::Nil, start + 2))),
                Some(_) => Err(DecodeError::MissingCrlf { offset: start }),
            },
            Some(_) => Err(DecodeError::NullWithPayload { offset: start }),
        },
        b'.' => {
            let Some((line, next)) = numeric_line(buf, start)? else {
                return Ok(None);
            };
            if line.is_empty() {
                Ok(Some((Header::End, next)))
            } else {
                Err(DecodeError::MissingCrlf { offset: start })
            }
        }
        _ => Err(DecodeError::UnknownType {
            byte: ty,
            offset: pos,
        }),
    }
}

/// Reads a length header (`$`, `*`, `%`, ...) at `pos`.
#[inline]
fn read_length(
    buf: &[u8],
    ty: u8,
    pos: usize,
    limits: &Limits,
) -> Result<Option<(Header, usize)>, DecodeError> {
    let start = pos + 1;
    // Fast path: a small length made of plain digits, as nearly every header is.
    let mut i = start;
    let mut n: u64 = 0;
    while let Some(&b) = buf.get(i) {
        if b.is_ascii_digit() && i - start < 18 {
            n = n * 10 + u64::from(b - b'0');
            i += 1;
        } else {
            break;
        }
    }
    let next = if i > start && buf.get(i) == Some(&b'\r') {
        match buf.get(i + 1) {
            Some(b'\n') => i + 2,
            Some(_) => return Err(DecodeError::MissingCrlf { offset: i }),
            None => return Ok(None),
        }
    } else {
        // The slow path: a sign, `?`, an incomplete line, or garbage.
        let Some((line, next)) = numeric_line(buf, start)? else {
            return Ok(None);
        };
        if line == b"?" {
            return match ty {
                b'$' | b'*' | b'%' | b'~' => Ok(Some((Header::Streamed { ty }, next))),
                _ => Err(DecodeError::InvalidLength { offset: start }),
            };
        }
        let v = parse_i64(line).ok_or(DecodeError::InvalidInteger { offset: start })?;
        if v == -1 && (ty == b'$' || ty == b'*') {
            return Ok(Some((Header::Nil, next)));
        }
        n = u64::try_from(v).map_err(|_| DecodeError::InvalidLength { offset: start })?;
        next
    };
    let header = match ty {
        b'$' | b'!' | b'=' | b';' => {
            if n > limits.max_bulk_len as u64 {
                return Err(DecodeError::BulkTooLong {
                    len: n,
                    max: limits.max_bulk_len,
                    offset: pos,
                });
            }
            if ty == b'=' && n < 4 {
                return Err(DecodeError::InvalidVerbatim { offset: pos });
            }
            Header::Blob {
                ty,
                len: n as usize,
            }
        }
        _ => {
            if n > limits.max_aggregate_len as u64 {
                return Err(DecodeError::AggregateTooLong {
                    len: n,
                    max: limits.max_aggregate_len,
                    offset: pos,
                });
            }
            Header::Aggregate {
                ty,
                len: n as usize,
            }
        }
    };
    Ok(Some((header, next)))
}

/// Finds a short line starting at `start`: returns its content and the index past CRLF.
#[inline]
fn numeric_line(buf: &[u8], start: usize) -> Result<Option<(&[u8], usize)>, DecodeError> {
    let rest = buf.get(start..).unwrap_or_default();
    let window = &rest[..rest.len().min(MAX_NUMERIC_LINE + 2)];
    match memchr::memchr2(b'\r', b'\n', window) {
        Some(i) => {
            if window[i] == b'\n' {
                return Err(DecodeError::MissingCrlf { offset: start + i });
            }
            // Judge the length before waiting for the LF, so that the verdict does not
            // depend on how the bytes were split into reads.
            if i > MAX_NUMERIC_LINE {
                return Err(DecodeError::InvalidInteger { offset: start });
            }
            match rest.get(i + 1) {
                None => Ok(None),
                Some(b'\n') => Ok(Some((&rest[..i], start + i + 2))),
                Some(_) => Err(DecodeError::MissingCrlf { offset: start + i }),
            }
        }
        None if window.len() > MAX_NUMERIC_LINE => {
            Err(DecodeError::InvalidInteger { offset: start })
        }
        None => Ok(None),
    }
}

/// Finds the CRLF ending a long line whose type byte is at `pos`; returns the index of
/// its CR. Rejects a lone CR or LF, and a line longer than `max_bulk_len`.
#[inline]
fn long_line(
    buf: &[u8],
    pos: usize,
    limits: &Limits,
    hint: &mut usize,
) -> Result<Option<usize>, DecodeError> {
    let start = pos + 1;
    let from = (*hint).max(start);
    let hay = buf.get(from..).unwrap_or_default();
    match memchr::memchr2(b'\r', b'\n', hay) {
        Some(i) => {
            let at = from + i;
            if hay[i] == b'\n' {
                return Err(DecodeError::InvalidLine { offset: at });
            }
            match buf.get(at + 1) {
                None => {
                    check_line_len(at - start, pos, limits)?;
                    *hint = at;
                    Ok(None)
                }
                Some(b'\n') => {
                    check_line_len(at - start, pos, limits)?;
                    Ok(Some(at))
                }
                Some(_) => Err(DecodeError::InvalidLine { offset: at }),
            }
        }
        None => {
            *hint = buf.len();
            check_line_len(buf.len() - start, pos, limits)?;
            Ok(None)
        }
    }
}

#[inline]
fn check_line_len(len: usize, pos: usize, limits: &Limits) -> Result<(), DecodeError> {
    if len > limits.max_bulk_len {
        Err(DecodeError::BulkTooLong {
            len: len as u64,
            max: limits.max_bulk_len,
            offset: pos,
        })
    } else {
        Ok(())
    }
}

/// Parses an optionally signed decimal `i64`. No spaces, no empty digits, no overflow.
#[inline]
pub(crate) fn parse_i64(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = i64::from(b - b'0');
        // Accumulate negatively so that i64::MIN parses.
        n = n.checked_mul(10)?.checked_sub(d)?;
    }
    if negative {
        Some(n)
    } else {
        n.checked_neg()
    }
}

/// Parses a RESP3 double: `[sign] digits [. digits] [e [sign] digits]`, `inf`, `-inf`,
/// `nan` (case-insensitive, as servers differ).
pub(crate) fn parse_double(s: &[u8]) -> Option<f64> {
    let unsigned = match s.first() {
        Some(b'-' | b'+') => &s[1..],
        _ => s,
    };
    let special = unsigned.eq_ignore_ascii_case(b"inf")
        || unsigned.eq_ignore_ascii_case(b"infinity")
        || unsigned.eq_ignore_ascii_case(b"nan");
    if !special && !is_decimal_number(unsigned) {
        return None;
    }
    let text = core::str::from_utf8(s).ok()?;
    text.parse::<f64>().ok()
}

/// `digits [. digits] [e [sign] digits]`, with at least one digit before the exponent.
fn is_decimal_number(s: &[u8]) -> bool {
    let mut i = 0;
    let mut mantissa_digits = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return false;
    }
    if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
        i += 1;
        if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == s.len()
}

/// `[sign] digits`.
fn is_big_number(s: &[u8]) -> bool {
    let digits = match s.first() {
        Some(b'-' | b'+') => &s[1..],
        _ => s,
    };
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}
