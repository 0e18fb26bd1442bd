//! Pass 1: a resumable scanner that finds where a complete value ends.
//!
//! The scanner validates a value's bytes without building anything, so it allocates
//! nothing but its stack of open aggregates (bounded by [`Limits::max_depth`]). It keeps
//! its place between calls: when a reply arrives in k pieces, every byte is examined once,
//! not k times. Only once the whole value is known to be present and valid does
//! [`build`](crate::build) turn it into a [`Value`](crate::Value), which is why no header
//! can make the decoder allocate more than the received bytes justify.

use alloc::vec::Vec;

use crate::error::DecodeError;
use crate::header::{read_header, Header};
use crate::limits::Limits;

/// An aggregate (or streamed string) the scanner is inside of.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// The type byte that opened it.
    ty: u8,
    /// Elements still expected; unused for streamed frames.
    remaining: u64,
    /// Opened with `?`: ends with `.` (aggregates) or `;0` (strings).
    streamed: bool,
    /// Elements (or string bytes) seen so far in a streamed frame.
    seen: u64,
    /// Where the frame's header starts, for error offsets.
    offset: usize,
}

/// The resumable scanner. See the [module docs](self).
#[derive(Debug, Clone, Default)]
pub(crate) struct Scanner {
    /// How many bytes of the current value have been validated.
    pos: usize,
    /// Open aggregates, innermost last.
    stack: Vec<Frame>,
    /// How far a partially received long line has been searched.
    hint: usize,
}

impl Scanner {
    /// How many bytes of the value under way have been examined.
    pub(crate) fn examined(&self) -> usize {
        self.pos
    }

    /// The long-line search position, for a header read outside [`scan`](Self::scan).
    pub(crate) fn hint(&mut self) -> &mut usize {
        &mut self.hint
    }

    /// Forgets the long-line search position once a header has been read.
    pub(crate) fn reset_hint(&mut self) {
        self.hint = 0;
    }

    /// Whether the scanner is between values.
    pub(crate) fn is_idle(&self) -> bool {
        self.pos == 0 && self.stack.is_empty()
    }

    /// Continues scanning the value that starts at `buf[0]`. Returns its length once it
    /// is complete, and resets for the next value.
    pub(crate) fn scan(
        &mut self,
        buf: &[u8],
        limits: &Limits,
    ) -> Result<Option<usize>, DecodeError> {
        if buf.len() < self.pos {
            return Err(DecodeError::BufferChanged {
                examined: self.pos,
                len: buf.len(),
            });
        }
        loop {
            self.skip_plain_elements(buf, limits);
            let pos = self.pos;
            let Some((header, next)) = read_header(buf, pos, limits, &mut self.hint)? else {
                return Ok(None);
            };
            let in_string_stream = matches!(self.stack.last(), Some(f) if f.ty == b'$');
            if in_string_stream && !matches!(header, Header::Blob { ty: b';', .. }) {
                return Err(DecodeError::ExpectedChunk { offset: pos });
            }
            let done = match header {
                Header::Integer(_)
                | Header::Double(_)
                | Header::Boolean(_)
                | Header::Nil
                | Header::Line { .. } => {
                    self.advance(next);
                    self.complete(limits)?
                }
                // `;0` ends a streamed string; it has no payload and no second CRLF.
                Header::Blob { ty: b';', len: 0 } => {
                    self.advance(next);
                    self.chunk(0, pos, limits)?
                }
                Header::Blob { ty, len } => {
                    if ty == b';' {
                        self.check_chunk(len, pos, limits)?;
                    }
                    let Some(end) = blob_end(buf, pos, next, ty, len)? else {
                        return Ok(None);
                    };
                    self.advance(end + 2);
                    if ty == b';' {
                        self.chunk(len, pos, limits)?
                    } else {
                        self.complete(limits)?
                    }
                }
                Header::Aggregate { ty, len } => {
                    let elements = if ty == b'%' || ty == b'|' {
                        (len as u64) * 2
                    } else {
                        len as u64
                    };
                    // An attribute annotates the value that follows it: one more element.
                    let elements = elements + u64::from(ty == b'|');
                    if elements == 0 {
                        self.advance(next);
                        self.complete(limits)?
                    } else {
                        self.push(ty, elements, false, pos, limits)?;
                        self.advance(next);
                        false
                    }
                }
                Header::Streamed { ty } => {
                    if ty != b'$' {
                        self.push(ty, 0, true, pos, limits)?;
                    } else {
                        self.stack.push(Frame {
                            ty,
                            remaining: 0,
                            streamed: true,
                            seen: 0,
                            offset: pos,
                        });
                    }
                    self.advance(next);
                    false
                }
                Header::End => match self.stack.last() {
                    Some(f) if f.streamed && f.ty != b'$' => {
                        if f.ty == b'%' && f.seen % 2 == 1 {
                            return Err(DecodeError::OddMapLength { offset: pos });
                        }
                        self.stack.pop();
                        self.advance(next);
                        self.complete(limits)?
                    }
                    _ => return Err(DecodeError::EndOutsideStream { offset: pos }),
                },
            };
            if done {
                let len = self.pos;
                self.pos = 0;
                self.hint = 0;
                return Ok(Some(len));
            }
        }
    }

    /// The fast path: inside a counted aggregate, steps over a run of plain elements,
    /// `$<digits>\r\n<payload>\r\n` and `:<digits>\r\n`, which make up most replies.
    ///
    /// It accepts a strict subset of what the general path accepts and stops at anything
    /// else (a sign, a long number, a missing CRLF, an incomplete element, a length over
    /// the limit), leaving that element to the general path, which validates it and names
    /// any error. It also leaves the aggregate's last element to the general path, which
    /// closes the aggregate.
    #[inline]
    fn skip_plain_elements(&mut self, buf: &[u8], limits: &Limits) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        if frame.streamed {
            return;
        }
        let mut p = self.pos;
        while frame.remaining > 1 {
            let Some(&ty @ (b'$' | b':')) = buf.get(p) else {
                break;
            };
            let mut i = p + 1;
            let mut n: u64 = 0;
            while let Some(&d) = buf.get(i) {
                if d.is_ascii_digit() && i - p <= 18 {
                    n = n * 10 + u64::from(d - b'0');
                    i += 1;
                } else {
                    break;
                }
            }
            if i == p + 1 || buf.get(i) != Some(&b'\r') || buf.get(i + 1) != Some(&b'\n') {
                break;
            }
            let next = i + 2;
            if ty == b':' {
                p = next;
            } else {
                if n > limits.max_bulk_len as u64 {
                    break;
                }
                let end = next + n as usize;
                if buf.get(end..end + 2) != Some(b"\r\n") {
                    break;
                }
                p = end + 2;
            }
            frame.remaining -= 1;
        }
        if p != self.pos {
            self.pos = p;
            self.hint = 0;
        }
    }

    #[inline]
    fn advance(&mut self, next: usize) {
        self.pos = next;
        self.hint = 0;
    }

    fn push(
        &mut self,
        ty: u8,
        remaining: u64,
        streamed: bool,
        offset: usize,
        limits: &Limits,
    ) -> Result<(), DecodeError> {
        // A streamed string's frame only ever holds chunks, so it is never below this one:
        // the stack's length is the depth of the aggregate being opened.
        if self.stack.len() >= limits.max_depth {
            return Err(DecodeError::TooDeep {
                max: limits.max_depth,
                offset,
            });
        }
        self.stack.push(Frame {
            ty,
            remaining,
            streamed,
            seen: 0,
            offset,
        });
        Ok(())
    }

    /// Checks a `;` chunk header of `len` bytes before its payload arrives: it must be
    /// inside a streamed string, and keep that string within `max_bulk_len`.
    fn check_chunk(&self, len: usize, pos: usize, limits: &Limits) -> Result<(), DecodeError> {
        match self.stack.last() {
            Some(frame) if frame.ty == b'$' => {
                let total = frame.seen + len as u64;
                if total > limits.max_bulk_len as u64 {
                    return Err(DecodeError::BulkTooLong {
                        len: total,
                        max: limits.max_bulk_len,
                        offset: frame.offset,
                    });
                }
                Ok(())
            }
            _ => Err(DecodeError::ChunkOutsideStream { offset: pos }),
        }
    }

    /// A complete `;` chunk of `len` bytes was read; `;0` ends the streamed string.
    fn chunk(&mut self, len: usize, pos: usize, limits: &Limits) -> Result<bool, DecodeError> {
        self.check_chunk(len, pos, limits)?;
        if len == 0 {
            self.stack.pop();
            return self.complete(limits);
        }
        if let Some(frame) = self.stack.last_mut() {
            frame.seen += len as u64;
        }
        Ok(false)
    }

    /// An element has completed. Closes every aggregate it completes in turn; returns
    /// `true` when the top-level value is complete.
    #[inline]
    fn complete(&mut self, limits: &Limits) -> Result<bool, DecodeError> {
        loop {
            let Some(frame) = self.stack.last_mut() else {
                return Ok(true);
            };
            if frame.streamed {
                frame.seen += 1;
                let len = if frame.ty == b'%' {
                    frame.seen.div_ceil(2)
                } else {
                    frame.seen
                };
                if len > limits.max_aggregate_len as u64 {
                    return Err(DecodeError::AggregateTooLong {
                        len,
                        max: limits.max_aggregate_len,
                        offset: frame.offset,
                    });
                }
                return Ok(false);
            }
            frame.remaining -= 1;
            if frame.remaining > 0 {
                return Ok(false);
            }
            self.stack.pop();
        }
    }
}

/// Where the payload of a blob (`$`, `!`, `=`, `;`) whose header starts at `pos` and ends
/// at `next` ends, once all of it and its CRLF have arrived. Checks the CRLF, and the `:`
/// of a verbatim string.
#[inline]
pub(crate) fn blob_end(
    buf: &[u8],
    pos: usize,
    next: usize,
    ty: u8,
    len: usize,
) -> Result<Option<usize>, DecodeError> {
    let end = match next.checked_add(len) {
        Some(end) if end.saturating_add(2) <= buf.len() => end,
        Some(_) => return Ok(None),
        None => return Err(DecodeError::InvalidLength { offset: pos + 1 }),
    };
    if &buf[end..end + 2] != b"\r\n" {
        return Err(DecodeError::MissingCrlf { offset: end });
    }
    if ty == b'=' && buf[next + 3] != b':' {
        return Err(DecodeError::InvalidVerbatim { offset: pos });
    }
    Ok(Some(end))
}
