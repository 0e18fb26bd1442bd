//! Scan streams: `SCAN`, `SSCAN`, `HSCAN` and `ZSCAN` as [`Stream`]s (redis-py's and
//! aredis's `scan_iter`, `sscan_iter`, `hscan_iter` and `zscan_iter`).
//!
//! Why streams: `KEYS *` or `HGETALL` on a big keyspace or hash blocks the server while it
//! runs; the `*SCAN` commands return a page and a cursor instead, and the cursor loop is the
//! same every time. [`ScanCursor`] in ferrodis-commands runs that loop (the blocking
//! client's iterators drive the same one); a [`ScanStream`] drives it, fetching the next
//! page when the current one is used up, and yields the items one by one (aredis's `async
//! for key in client.scan_iter()` is `while let Some(key) = stream.next().await`).
//!
//! Each page is one command on the client's [multiplexed
//! connection](crate::MultiplexedConnection), so a long iteration (with slow work per
//! item) holds no connection, and other tasks' commands run between pages; a cursor is
//! valid on any connection to the same server. Dropping the stream while a page is in
//! flight is fine: its reply is discarded when it comes.
//!
//! As with the commands themselves, an item may come more than once (if the keyspace
//! changes during the scan; deduplicate if that matters), and items added or removed
//! during the scan may or may not be returned. A failed page ends the stream: the error
//! is yielded once, then the stream returns `None`.
//!
//! ```no_run
//! use ferrodis_async::Client;
//! use ferrodis_commands::ScanOptions;
//! use futures_util::StreamExt;
//!
//! # async fn demo() -> ferrodis_commands::Result<()> {
//! let client = Client::open("redis://127.0.0.1:6380")?;
//! let mut keys = client.scan_iter::<String>(ScanOptions::new().pattern("user:*").count(100));
//! while let Some(key) = keys.next().await {
//!     println!("{}", key?);
//! }
//! let mut fields = client.hscan_iter::<String, String>("user:1", ScanOptions::new());
//! while let Some(pair) = fields.next().await {
//!     let (field, value) = pair?;
//!     println!("{field} = {value}");
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use ferrodis_commands::{FromValue, Result, ScanCursor, ScanOptions, ToArgs, Value};
use futures_core::{FusedStream, Stream};

use crate::client::Client;
use crate::runtime::BoxFuture;

/// A stream of the items of a `SCAN`, `SSCAN`, `HSCAN` or `ZSCAN`, fetching a page at
/// a time. Made by [`Client::scan_iter`] and its siblings; see the [module docs](self).
///
/// Yields `Err` once if a page fails (a connection error, `WRONGTYPE`, an item that does
/// not convert into `T`), then ends.
pub struct ScanStream<'a, T> {
    client: &'a Client,
    cursor: ScanCursor<T>,
    page: VecDeque<T>,
    /// The page being fetched.
    fetch: Option<BoxFuture<'a, Result<Value>>>,
    failed: bool,
}

// The items are only ever moved out of the buffer, never pinned.
impl<T> Unpin for ScanStream<'_, T> {}

impl<T> fmt::Debug for ScanStream<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScanStream")
            .field("cursor", &self.cursor)
            .field("buffered", &self.page.len())
            .field("fetching", &self.fetch.is_some())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl<'a, T: FromValue> ScanStream<'a, T> {
    /// A stream driving any scan cursor on `client`.
    pub fn new(client: &'a Client, cursor: ScanCursor<T>) -> ScanStream<'a, T> {
        ScanStream {
            client,
            cursor,
            page: VecDeque::new(),
            fetch: None,
            failed: false,
        }
    }

    /// The cursor the next page will be fetched from (0 before the first page).
    pub fn cursor(&self) -> u64 {
        self.cursor.cursor()
    }
}

impl<T: FromValue> Stream for ScanStream<'_, T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.page.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.failed {
                return Poll::Ready(None);
            }
            let reply = match &mut this.fetch {
                Some(fetch) => ready!(fetch.as_mut().poll(cx)),
                None => {
                    // `None` once the server has returned cursor 0. A page may be empty
                    // while the scan goes on: then fetch the next.
                    let Some(cmd) = this.cursor.next_cmd() else {
                        return Poll::Ready(None);
                    };
                    let client = this.client;
                    this.fetch = Some(Box::pin(client.query_as::<Value>(cmd)));
                    continue;
                }
            };
            this.fetch = None;
            match reply.and_then(|reply| this.cursor.on_reply(reply)) {
                Ok(items) => this.page.extend(items),
                Err(error) => {
                    this.failed = true;
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }
}

impl<T: FromValue> FusedStream for ScanStream<'_, T> {
    fn is_terminated(&self) -> bool {
        self.page.is_empty() && self.fetch.is_none() && (self.failed || self.cursor.is_finished())
    }
}

impl Client {
    /// Streams the keys of the database (`SCAN`), with the options' `MATCH`, `COUNT` and
    /// `TYPE`: redis-py's and aredis's `scan_iter`. `T` is the key type (`String`,
    /// `bytes::Bytes`, `Vec<u8>`, ...).
    pub fn scan_iter<T: FromValue>(&self, options: ScanOptions) -> ScanStream<'_, T> {
        ScanStream::new(self, ScanCursor::scan(&options))
    }

    /// Streams the members of the set at `key` (`SSCAN`), with `MATCH` and `COUNT` (a
    /// `TYPE` is refused by the server).
    pub fn sscan_iter<T: FromValue>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanStream<'_, T> {
        ScanStream::new(self, ScanCursor::sscan(key, &options))
    }

    /// Streams the (field, value) pairs of the hash at `key` (`HSCAN`).
    pub fn hscan_iter<F: FromValue, V: FromValue>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanStream<'_, (F, V)> {
        ScanStream::new(self, ScanCursor::hscan(key, &options))
    }

    /// Streams the (member, score) pairs of the sorted set at `key` (`ZSCAN`).
    pub fn zscan_iter<M: FromValue>(
        &self,
        key: impl ToArgs,
        options: ScanOptions,
    ) -> ScanStream<'_, (M, f64)> {
        ScanStream::new(self, ScanCursor::zscan(key, &options))
    }
}
