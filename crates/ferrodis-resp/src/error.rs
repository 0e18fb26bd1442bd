//! Decoding errors: what was wrong, and at which byte.
//!
//! Every error names the byte offset where the problem was found, counted from the first
//! byte of the value being decoded (the front of the buffer handed to the decoder). A
//! decoding error means the byte stream can no longer be trusted: the only safe reaction
//! is to close the connection, which is why [`Decoder`](crate::Decoder) keeps returning
//! the error once it has seen one.

use core::fmt;

/// Malformed or over-limit RESP input, with the byte offset where the problem was found
/// (from the start of the value being decoded). After one, close the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// A value started with a byte that is not a RESP2 or RESP3 type marker.
    UnknownType {
        /// The offending byte.
        byte: u8,
        /// Where it was.
        offset: usize,
    },
    /// An integer (`:`) or a length was empty, had a stray character (a space, a second
    /// sign, a letter), or does not fit in 64 bits.
    InvalidInteger {
        /// Where the number starts.
        offset: usize,
    },
    /// A length was negative (only `$-1` and `*-1`, RESP2's null, are allowed), or a `?`
    /// streaming marker was used on a type that cannot be streamed.
    InvalidLength {
        /// Where the length starts.
        offset: usize,
    },
    /// A line or a payload was not followed by `\r\n`.
    MissingCrlf {
        /// Where `\r\n` was expected.
        offset: usize,
    },
    /// A simple string, simple error, big number or double line held a lone `\r` or `\n`.
    InvalidLine {
        /// Where the stray byte is.
        offset: usize,
    },
    /// A boolean was not exactly `#t` or `#f`.
    InvalidBoolean {
        /// Where the boolean's payload starts.
        offset: usize,
    },
    /// A double was not a number (`1.5`, `-2`, `1e10`), `inf`, `-inf` or `nan`.
    InvalidDouble {
        /// Where the double's payload starts.
        offset: usize,
    },
    /// A big number held something other than an optional sign and digits.
    InvalidBigNumber {
        /// Where the big number's payload starts.
        offset: usize,
    },
    /// A RESP3 null (`_`) was followed by a payload.
    NullWithPayload {
        /// Where the payload starts.
        offset: usize,
    },
    /// A verbatim string was shorter than 4 bytes, or had no `:` after its 3-byte format.
    InvalidVerbatim {
        /// Where the verbatim string's header starts.
        offset: usize,
    },
    /// A streamed-string chunk (`;`) appeared outside a streamed string (`$?`).
    ChunkOutsideStream {
        /// Where the chunk starts.
        offset: usize,
    },
    /// An end marker (`.`) appeared outside a streamed aggregate.
    EndOutsideStream {
        /// Where the marker is.
        offset: usize,
    },
    /// A streamed string (`$?`) held something other than `;` chunks.
    ExpectedChunk {
        /// Where the unexpected value starts.
        offset: usize,
    },
    /// A streamed map (`%?`) ended after an odd number of elements.
    OddMapLength {
        /// Where the end marker is.
        offset: usize,
    },
    /// A blob, streamed string or line is longer than [`Limits::max_bulk_len`](crate::Limits).
    BulkTooLong {
        /// The announced (or reached) length.
        len: u64,
        /// The limit in force.
        max: usize,
        /// Where the header starts.
        offset: usize,
    },
    /// An aggregate has more elements (pairs, for maps and attributes) than
    /// [`Limits::max_aggregate_len`](crate::Limits).
    AggregateTooLong {
        /// The announced (or reached) length.
        len: u64,
        /// The limit in force.
        max: usize,
        /// Where the header starts.
        offset: usize,
    },
    /// Aggregates are nested deeper than [`Limits::max_depth`](crate::Limits).
    TooDeep {
        /// The limit in force.
        max: usize,
        /// Where the aggregate that would go too deep starts.
        offset: usize,
    },
    /// The buffer handed to [`Decoder::decode`](crate::Decoder::decode) is shorter than
    /// the bytes the decoder had already examined: something other than the decoder took
    /// bytes off its front. Hand the decoder the same buffer every time.
    BufferChanged {
        /// How many bytes the decoder had examined.
        examined: usize,
        /// How many bytes the buffer held.
        len: usize,
    },
}

impl DecodeError {
    /// The byte offset the error points at, from the start of the value being decoded.
    pub fn offset(&self) -> usize {
        match *self {
            DecodeError::UnknownType { offset, .. }
            | DecodeError::InvalidInteger { offset }
            | DecodeError::InvalidLength { offset }
            | DecodeError::MissingCrlf { offset }
            | DecodeError::InvalidLine { offset }
            | DecodeError::InvalidBoolean { offset }
            | DecodeError::InvalidDouble { offset }
            | DecodeError::InvalidBigNumber { offset }
            | DecodeError::NullWithPayload { offset }
            | DecodeError::InvalidVerbatim { offset }
            | DecodeError::ChunkOutsideStream { offset }
            | DecodeError::EndOutsideStream { offset }
            | DecodeError::ExpectedChunk { offset }
            | DecodeError::OddMapLength { offset }
            | DecodeError::BulkTooLong { offset, .. }
            | DecodeError::AggregateTooLong { offset, .. }
            | DecodeError::TooDeep { offset, .. } => offset,
            DecodeError::BufferChanged { examined, .. } => examined,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid RESP from the server: ")?;
        match *self {
            DecodeError::UnknownType { byte, offset } => {
                write!(f, "unknown type byte 0x{byte:02x}")?;
                if byte.is_ascii_graphic() {
                    write!(f, " ({:?})", byte as char)?;
                }
                write!(f, " at offset {offset}")?;
            }
            DecodeError::InvalidInteger { offset } => {
                write!(f, "malformed or overflowing integer at offset {offset}")?
            }
            DecodeError::InvalidLength { offset } => write!(
                f,
                "invalid length at offset {offset} (negative lengths other than -1, or `?` on a type that cannot be streamed)"
            )?,
            DecodeError::MissingCrlf { offset } => write!(f, "expected CRLF at offset {offset}")?,
            DecodeError::InvalidLine { offset } => {
                write!(f, "stray CR or LF inside a line at offset {offset}")?
            }
            DecodeError::InvalidBoolean { offset } => {
                write!(f, "boolean is neither `t` nor `f` at offset {offset}")?
            }
            DecodeError::InvalidDouble { offset } => write!(f, "malformed double at offset {offset}")?,
            DecodeError::InvalidBigNumber { offset } => {
                write!(f, "malformed big number at offset {offset}")?
            }
            DecodeError::NullWithPayload { offset } => {
                write!(f, "null followed by a payload at offset {offset}")?
            }
            DecodeError::InvalidVerbatim { offset } => write!(
                f,
                "verbatim string at offset {offset} is shorter than 4 bytes or lacks `:` after its format"
            )?,
            DecodeError::ChunkOutsideStream { offset } => write!(
                f,
                "streamed-string chunk outside a streamed string at offset {offset}"
            )?,
            DecodeError::EndOutsideStream { offset } => {
                write!(f, "end marker outside a streamed aggregate at offset {offset}")?
            }
            DecodeError::ExpectedChunk { offset } => write!(
                f,
                "a streamed string may only hold `;` chunks, found something else at offset {offset}"
            )?,
            DecodeError::OddMapLength { offset } => write!(
                f,
                "streamed map ended after an odd number of elements at offset {offset}"
            )?,
            DecodeError::BulkTooLong { len, max, offset } => write!(
                f,
                "string of {len} bytes at offset {offset} exceeds the limit of {max} bytes (raise Limits::max_bulk_len if this is expected)"
            )?,
            DecodeError::AggregateTooLong { len, max, offset } => write!(
                f,
                "aggregate of {len} elements at offset {offset} exceeds the limit of {max} (raise Limits::max_aggregate_len if this is expected)"
            )?,
            DecodeError::TooDeep { max, offset } => write!(
                f,
                "nesting deeper than {max} levels at offset {offset} (raise Limits::max_depth if this is expected)"
            )?,
            DecodeError::BufferChanged { examined, len } => {
                return write!(
                    f,
                    "the read buffer shrank to {len} bytes after the decoder had examined {examined}: \
                     only the decoder may take bytes off its front"
                )
            }
        }
        f.write_str("; the connection cannot be trusted any more and must be closed")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for DecodeError {}
