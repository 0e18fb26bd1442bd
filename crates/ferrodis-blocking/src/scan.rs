//! Scan iterators: `SCAN`, `SSCAN`, `HSCAN` and `ZSCAN` as Rust [`Iterator`]s (redis-py's
//! `scan_iter`, `sscan_iter`, `hscan_iter` and `zscan_iter`).
//!
//! Why iterators: `KEYS *` or `HGETALL` on a big keyspace or hash blocks the server while it
//! runs; the `*SCAN` commands return a page and a cursor instead, and the cursor loop is the
//! same every time. [`ScanCursor`] in ferrodis-commands runs that loop; a [`ScanIter`]
//! drives it, fetching the next page when the current one is used up.
//!
//! Each page is fetched on a connection borrowed from the pool for that page only, so a
//! long iteration (with slow work per item) pins no connection; a cursor is valid on any
//! connection to the same server.
//!
//! As with the commands themselves, an item may come more than once (if the keyspace
//! changes during the scan; deduplicate if that matters), and items added or removed
//! during the scan may or may not be returned. A failed page ends the iteration: the error
//! is yielded once, then the iterator returns `None`.
//!
//! ```no_run
//! use ferrodis_blocking::Client;
//! use ferrodis_commands::ScanOptions;
//!
//! let client = Client::open("redis://127.0.0.1:6380")?;
//! for key in client.scan_iter::<String>(ScanOptions::new().pattern("user:*").count(100)) {
//!     println!("{}", key?);
//! }
//! for pair in client.hscan_iter::<String, String>("user:1", ScanOptions::new()) {
//!     let (field, value) = pair?;
//!     println!("{field} = {value}");
//! }
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::collections::VecDeque;
use std::fmt;

use ferrodis_commands::{FromValue, Result, ScanCursor, ScanOptions, ToArgs, Value};

use crate::client::Client;

/// An iterator over the items of a `SCAN`, `SSCAN`, `HSCAN` or `ZSCAN`, fetching a page at
/// a time. Made by [`Client::scan_iter`] and its siblings; see the [module docs](self).
///
/// Yields `Err` once if a page fails (a connection error, `WRONGTYPE`, an item that does
/// not convert into `T`), then ends.
pub struct ScanIter<'a, T> {
    client: &'a Client,
    cursor: ScanCursor<T>,
    page: VecDeque<T>,
    failed: bool,
}

impl<T> fmt::Debug for ScanIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScanIter")
            .field("cursor", &self.cursor)
            .field("buffered", &self.page.len())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl<'a, T: FromValue> ScanIter<'a, T> {
    /// An iterator driving any scan cursor on `client`.
    pub fn new(client: &'a Client, cursor: ScanCursor<T>) -> ScanIter<'a, T> {
        ScanIter {
            client,
            cursor,
            page: VecDeque::new(),
            failed: false,
        }
    }

    /// The cursor the next page will be fetched from (0 before the first page).
    pub fn cursor(&self) -> u64 {
        self.cursor.cursor()
    }
}

impl<T: FromValue> Iterator for ScanIter<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.page.pop_front() {
                return Some(Ok(item));
            }
            if self.failed {
                return None;
            }
            // `None` once the server has returned cursor 0. A page may be empty while the
            // scan goes on: then fetch the next.
            let cmd = self.cursor.next_cmd()?;
            let page = self
                .client
                .query_as::<Value>(cmd)
                .and_then(|reply| self.cursor.on_reply(reply));
            match page {
                Ok(items) => self.page.extend(items),
                Err(error) => {
                    self.failed = true;
                    return Some(Err(error));
                }
            }
        }
    }
}

impl Client {
    /// Iterates over the keys of the database (`SCAN`), with the options' `MATCH`,
    /// `COUNT` and `TYPE`: redis-py's `scan_iter`. `T` is the key type (`String`,
    /// `bytes::Bytes`, `Vec<u8>`, ...).
    pub fn scan_iter<T: FromValue>(&self, options: ScanOptions) -> ScanIter<'_, T> {
        ScanIter::new(self, ScanCursor::scan(&options))
    }

    /// Iterates over the members of the set at `key` (`SSCAN`), with `MATCH` and `COUNT`
    /// (a `TYPE` is refused by the server).
    pub fn sscan_iter<T: FromValue>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanIter<'_, T> {
        ScanIter::new(self, ScanCursor::sscan(key, &options))
    }

    /// Iterates over the (field, value) pairs of the hash at `key` (`HSCAN`).
    pub fn hscan_iter<F: FromValue, V: FromValue>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanIter<'_, (F, V)> {
        ScanIter::new(self, ScanCursor::hscan(key, &options))
    }

    /// Iterates over the (member, score) pairs of the sorted set at `key` (`ZSCAN`).
    pub fn zscan_iter<M: FromValue>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanIter<'_, (M, f64)> {
        ScanIter::new(self, ScanCursor::zscan(key, &options))
    }
}
