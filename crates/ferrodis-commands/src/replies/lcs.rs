//! LCS with `IDX`: the matching ranges of the longest common subsequence.
//!
//! Plain LCS replies with the subsequence (ask for `Bytes` or `String`) and `LEN` with
//! an integer; `IDX` replies with a `matches`/`len` map (an array in RESP2), which
//! [`LcsMatches`] reads, with or without `WITHMATCHLEN`.

use std::ops::RangeInclusive;

use ferrodis_resp::Value;

use super::util::{self, Fields};
use crate::error::Error;
use crate::from_value::FromValue;

/// The reply of LCS ... IDX.
///
/// ```
/// use ferrodis_commands::FromValue;
/// use ferrodis_commands::replies::LcsMatches;
///
/// let (value, _) = ferrodis_resp::decode(
///     b"%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n",
/// )?.unwrap();
/// let lcs = LcsMatches::from_value(value)?;
/// assert_eq!(lcs.len, 6);
/// assert_eq!(lcs.matches[0].key1, 4..=7);
/// assert_eq!(lcs.matches[0].len, Some(4));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LcsMatches {
    /// The matching ranges, from the end of the strings backwards (as Redis lists them).
    pub matches: Vec<LcsMatch>,
    /// The length of the longest common subsequence.
    pub len: usize,
}

/// One match of [`LcsMatches`]: a range of each string (byte offsets, inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LcsMatch {
    /// The range in the first key's value.
    pub key1: RangeInclusive<usize>,
    /// The range in the second key's value.
    pub key2: RangeInclusive<usize>,
    /// The match's length, with `WITHMATCHLEN`.
    pub len: Option<usize>,
}

fn range(value: Value) -> Result<RangeInclusive<usize>, Error> {
    let (start, end): (usize, usize) = util::convert(value, "LcsMatch", "range")?;
    Ok(start..=end)
}

impl FromValue for LcsMatch {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "LcsMatch";
        let items = util::array(value, T)?;
        if items.len() != 2 && items.len() != 3 {
            return Err(util::invalid(
                T,
                "array",
                format!("{} elements, expected 2 or 3", items.len()),
            ));
        }
        let mut it = items.into_iter();
        Ok(LcsMatch {
            key1: range(it.next().unwrap_or(Value::Nil))?,
            key2: range(it.next().unwrap_or(Value::Nil))?,
            len: it
                .next()
                .map(|v| util::convert(v, T, "match length"))
                .transpose()?,
        })
    }
}

impl FromValue for LcsMatches {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "LcsMatches")?;
        Ok(LcsMatches {
            matches: f.req("matches")?,
            len: f.req("len")?,
        })
    }
}
