//! One page of `SCAN`, `SSCAN`, `HSCAN` or `ZSCAN`: the command methods `scan_page`,
//! `sscan_page`, `hscan_page` and `zscan_page`.
//!
//! They return a [`ScanPage`](crate::scan::ScanPage) (the next cursor and the items), for
//! callers who keep the cursor themselves, such as a web page that shows one page per
//! request. To iterate over everything, the clients' `scan_iter`-style helpers drive a
//! [`ScanCursor`](crate::scan::ScanCursor) instead.

use bytes::Bytes;

use crate::args::ToArgs;
use crate::cmd::{Cmd, Typed};
use crate::scan::{ScanOptions, ScanPage};

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`: one page of the keys.
///
/// ```
/// use ferrodis_commands::commands::scan_page;
/// use ferrodis_commands::scan::ScanOptions;
///
/// let cmd = scan_page(0, &ScanOptions::new().pattern("user:*").count(100).type_("hash"));
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"SCAN"[..], b"0", b"MATCH", b"user:*", b"COUNT", b"100", b"TYPE", b"hash"]
/// );
/// ```
pub fn scan_page(cursor: u64, options: &ScanOptions) -> Typed<ScanPage<Bytes>> {
    Typed::new(Cmd::new("SCAN").arg(cursor).arg(options))
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`: one page of a set's members.
pub fn sscan_page<K: ToArgs>(key: K, cursor: u64, options: &ScanOptions) -> Typed<ScanPage<Bytes>> {
    Typed::new(Cmd::new("SSCAN").arg(key).arg(cursor).arg(options))
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`: one page of a hash's fields and
/// values.
pub fn hscan_page<K: ToArgs>(
    key: K,
    cursor: u64,
    options: &ScanOptions,
) -> Typed<ScanPage<(Bytes, Bytes)>> {
    Typed::new(Cmd::new("HSCAN").arg(key).arg(cursor).arg(options))
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`: one page of a sorted set's members
/// and scores.
pub fn zscan_page<K: ToArgs>(
    key: K,
    cursor: u64,
    options: &ScanOptions,
) -> Typed<ScanPage<(Bytes, f64)>> {
    Typed::new(Cmd::new("ZSCAN").arg(key).arg(cursor).arg(options))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn args<R>(typed: &Typed<R>) -> Vec<Vec<u8>> {
        typed.cmd().args().map(<[u8]>::to_vec).collect()
    }

    fn v(items: &[&str]) -> Vec<Vec<u8>> {
        items.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn scan_page_encodes_its_options_in_order() {
        let options = ScanOptions::new();
        assert_eq!(args(&scan_page(0, &options)), v(&["SCAN", "0"]));
        let options = ScanOptions::new().count(10);
        assert_eq!(
            args(&scan_page(17, &options)),
            v(&["SCAN", "17", "COUNT", "10"])
        );
        let options = ScanOptions::new().type_("zset").pattern(b"k\xff*");
        assert_eq!(
            args(&scan_page(u64::MAX, &options)),
            vec![
                b"SCAN".to_vec(),
                b"18446744073709551615".to_vec(),
                b"MATCH".to_vec(),
                b"k\xff*".to_vec(),
                b"TYPE".to_vec(),
                b"zset".to_vec()
            ]
        );
    }

    #[test]
    fn key_scans_put_the_key_before_the_cursor() {
        let options = ScanOptions::new().pattern("a*").count(5);
        assert_eq!(
            args(&sscan_page("s", 3, &options)),
            v(&["SSCAN", "s", "3", "MATCH", "a*", "COUNT", "5"])
        );
        assert_eq!(
            args(&hscan_page("h", 0, &ScanOptions::new())),
            v(&["HSCAN", "h", "0"])
        );
        assert_eq!(
            args(&zscan_page(b"z".to_vec(), 9, &ScanOptions::new().count(1))),
            v(&["ZSCAN", "z", "9", "COUNT", "1"])
        );
    }
}
