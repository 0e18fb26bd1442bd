//! Wire limits: how much a peer may make the decoder buffer, allocate or recurse.
//!
//! A Redis client talks to servers it trusts, but a bug, a proxy or a hostile endpoint
//! can still send `*4294967295\r\n`. The decoder rejects a length beyond these limits as
//! soon as the header is read, and never allocates more than the bytes it has actually
//! received justify, whatever the header says.

/// Limits enforced by the decoder: a length beyond one is rejected as soon as its header
/// is read, and nothing is allocated that the received bytes do not justify.
///
/// ```
/// use ferrodis_resp::{decode_with, DecodeError, Limits};
///
/// let limits = Limits { max_depth: 2, ..Limits::default() };
/// assert!(decode_with(b"*1\r\n*1\r\n:1\r\n", &limits).is_ok());
/// assert!(matches!(
///     decode_with(b"*1\r\n*1\r\n*1\r\n:1\r\n", &limits),
///     Err(DecodeError::TooDeep { .. })
/// ));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest payload of one blob (`$`, `!`, `=`), or of one streamed string once its
    /// chunks are put together. Also the longest accepted line of a simple string, simple
    /// error, big number or double. Default: 512 MiB, Redis's own `proto-max-bulk-len`.
    pub max_bulk_len: usize,
    /// Most elements of one array, set or push, or pairs of one map or attribute.
    /// Default: 2^32 - 1.
    pub max_aggregate_len: usize,
    /// Deepest nesting. A top-level value is at depth 0; in `*1\r\n:1\r\n` the integer is at
    /// depth 1. An aggregate whose elements would lie deeper than this is rejected.
    /// Default: 128. This also bounds the recursion of `Drop`, `Clone` and encoding of a
    /// decoded [`Value`](crate::Value), so keep it in the hundreds.
    pub max_depth: usize,
}

impl Limits {
    /// The default limits, usable in `const` contexts.
    pub const DEFAULT: Limits = Limits {
        max_bulk_len: 512 * 1024 * 1024,
        max_aggregate_len: u32::MAX as usize,
        max_depth: 128,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
