//! The `SCAN` family: iterating over keys, set members, hash fields and sorted-set
//! members a page at a time.
//!
//! `KEYS *` and `HGETALL` of a big hash block the server while they run; `SCAN`,
//! `SSCAN`, `HSCAN` and `ZSCAN` return a page of results and a cursor to continue from,
//! until the cursor is 0 again. The loop is the same for every client, so it lives here:
//! [`ScanCursor`] says which command to send next and takes its reply, and the clients
//! wrap it in iterators (or streams).
//!
//! A page may hold items already seen, and may be empty while the scan is not over;
//! [`ScanCursor`] passes items on as they come (deduplicate if you must), and only a
//! cursor of 0 ends the scan. [`ScanOptions`] carries `MATCH`, `COUNT` and (for `SCAN`)
//! `TYPE`.
//!
//! ```
//! use bytes::Bytes;
//! use ferrodis_commands::scan::{ScanCursor, ScanOptions};
//! use ferrodis_commands::Value;
//!
//! let mut scan = ScanCursor::<Bytes>::scan(&ScanOptions::new().pattern("user:*").count(100));
//! let mut seen = Vec::new();
//! while let Some(cmd) = scan.next_cmd() {
//!     // send `cmd`, read the reply; here, a server with one page of two keys:
//!     # let _ = cmd;
//!     let reply = Value::Array(vec![
//!         Value::BulkString("0".into()),
//!         Value::Array(vec![Value::BulkString("user:1".into()), Value::BulkString("user:2".into())]),
//!     ]);
//!     seen.extend(scan.on_reply(reply)?);
//! }
//! assert_eq!(seen, ["user:1", "user:2"]);
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::marker::PhantomData;

use crate::args::{ArgWriter, ToArgs};
use crate::cmd::Cmd;
use crate::error::Error;
use crate::from_value::FromValue;
use ferrodis_resp::Value;

/// The options of a scan: `MATCH pattern`, `COUNT n` and `TYPE type`.
///
/// `TYPE` exists for `SCAN` only; `SSCAN`, `HSCAN` and `ZSCAN` with a type fail with the
/// server's `ERR syntax error`.
///
/// As [`ToArgs`], it writes the options that are set, in that order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOptions {
    pattern: Option<Vec<u8>>,
    count: Option<u64>,
    type_: Option<String>,
}

impl ScanOptions {
    /// No options: every item, at the server's default page size.
    pub fn new() -> ScanOptions {
        ScanOptions::default()
    }

    /// Only items matching a glob-style pattern (`MATCH`), such as `user:*`.
    #[must_use]
    pub fn pattern(mut self, pattern: impl AsRef<[u8]>) -> ScanOptions {
        self.pattern = Some(pattern.as_ref().to_vec());
        self
    }

    /// A hint of how many items to look at per page (`COUNT`; the server's default is
    /// 10).
    #[must_use]
    pub fn count(mut self, count: u64) -> ScanOptions {
        self.count = Some(count);
        self
    }

    /// Only keys of a type (`TYPE`: `string`, `list`, `set`, `zset`, `hash`, `stream`,
    /// or a module type's name). `SCAN` only.
    #[must_use]
    pub fn type_(mut self, type_: impl Into<String>) -> ScanOptions {
        self.type_ = Some(type_.into());
        self
    }

    /// The `MATCH` pattern, if set.
    pub fn get_pattern(&self) -> Option<&[u8]> {
        self.pattern.as_deref()
    }

    /// The `COUNT`, if set.
    pub fn get_count(&self) -> Option<u64> {
        self.count
    }

    /// The `TYPE`, if set.
    pub fn get_type(&self) -> Option<&str> {
        self.type_.as_deref()
    }
}

impl ToArgs for ScanOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(pattern) = &self.pattern {
            out.write_arg(b"MATCH");
            out.write_arg(pattern);
        }
        if let Some(count) = self.count {
            out.write_arg(b"COUNT");
            out.write_arg_u64(count);
        }
        if let Some(type_) = &self.type_ {
            out.write_arg(b"TYPE");
            out.write_arg(type_.as_bytes());
        }
    }
}

/// One page of a scan: the cursor to continue from (0 when the scan is over) and the
/// items.
///
/// The reply is `[cursor, [items...]]`, the cursor a bulk string. For `HSCAN` the items
/// are field/value pairs (`T = (Bytes, Bytes)`), for `ZSCAN` member/score pairs
/// (`T = (Bytes, f64)`): pairs are read from the flat list the server sends.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanPage<T> {
    /// The cursor for the next page; 0 when the scan is over.
    pub cursor: u64,
    /// The items of this page.
    pub items: Vec<T>,
}

impl<T: FromValue> FromValue for ScanPage<T> {
    fn from_value(value: Value) -> Result<Self, Error> {
        let items = match value {
            Value::Array(items) | Value::Push(items) => items,
            Value::Attribute { value, .. } => return ScanPage::from_value(*value),
            error @ (Value::SimpleError(_) | Value::BulkError(_)) => {
                // The server's error, as Error::Server.
                return Err(<()>::from_value(error)
                    .err()
                    .unwrap_or_else(|| Error::conversion::<ScanPage<T>>("error", None)));
            }
            other => return Err(Error::conversion::<ScanPage<T>>(other.type_name(), None)),
        };
        if items.len() != 2 {
            return Err(Error::conversion::<ScanPage<T>>(
                "array",
                Some(format!(
                    "{} elements; a scan page is [cursor, [items]]",
                    items.len()
                )),
            ));
        }
        let mut items = items.into_iter();
        let cursor = u64::from_value(items.next().unwrap_or(Value::Nil))?;
        let items = Vec::<T>::from_value(items.next().unwrap_or(Value::Nil))?;
        Ok(ScanPage { cursor, items })
    }
}

/// The cursor loop of `SCAN`, `SSCAN`, `HSCAN` or `ZSCAN`, yielding items of type `T`.
/// See the [module docs](self).
///
/// [`next_cmd`](ScanCursor::next_cmd) gives the command for the current cursor (the
/// same one until a reply moves the cursor on, so that a driver can send it again after
/// a dropped connection), or `None` once the server has returned cursor 0.
/// [`on_reply`](ScanCursor::on_reply) takes its reply and returns the page's items; an
/// error reply leaves the cursor where it was.
pub struct ScanCursor<T> {
    /// The command up to the cursor: `SCAN`, or `HSCAN key`, ...
    prefix: Cmd,
    options: ScanOptions,
    cursor: u64,
    finished: bool,
    _item: PhantomData<fn() -> T>,
}

// By hand: `T` only names the item type, so it needs to be neither `Clone` nor `Debug`.
impl<T> Clone for ScanCursor<T> {
    fn clone(&self) -> Self {
        ScanCursor {
            prefix: self.prefix.clone(),
            options: self.options.clone(),
            cursor: self.cursor,
            finished: self.finished,
            _item: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for ScanCursor<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanCursor")
            .field("prefix", &self.prefix)
            .field("options", &self.options)
            .field("cursor", &self.cursor)
            .field("finished", &self.finished)
            .finish()
    }
}

impl<T: FromValue> ScanCursor<T> {
    /// A scan with any `*SCAN`-shaped command: `prefix` is the command up to the cursor
    /// (`Cmd::new("HSCAN").arg("myhash")`), after which come the cursor and the options.
    pub fn new(prefix: Cmd, options: &ScanOptions) -> ScanCursor<T> {
        ScanCursor {
            prefix,
            options: options.clone(),
            cursor: 0,
            finished: false,
            _item: PhantomData,
        }
    }

    /// `SCAN`: the keys of the database (`T = Bytes`, `String`, ...).
    pub fn scan(options: &ScanOptions) -> ScanCursor<T> {
        ScanCursor::new(Cmd::new("SCAN"), options)
    }

    /// `SSCAN key`: the members of a set.
    pub fn sscan<K: ToArgs>(key: K, options: &ScanOptions) -> ScanCursor<T> {
        ScanCursor::new(Cmd::new("SSCAN").arg(key), options)
    }

    /// `HSCAN key`: the fields and values of a hash (`T = (Bytes, Bytes)`, ...).
    pub fn hscan<K: ToArgs>(key: K, options: &ScanOptions) -> ScanCursor<T> {
        ScanCursor::new(Cmd::new("HSCAN").arg(key), options)
    }

    /// `ZSCAN key`: the members and scores of a sorted set (`T = (Bytes, f64)`, ...).
    pub fn zscan<K: ToArgs>(key: K, options: &ScanOptions) -> ScanCursor<T> {
        ScanCursor::new(Cmd::new("ZSCAN").arg(key), options)
    }

    /// The command for the next page, or `None` when the scan is over.
    pub fn next_cmd(&self) -> Option<Cmd> {
        if self.finished {
            return None;
        }
        Some(self.prefix.clone().arg(self.cursor).arg(&self.options))
    }

    /// Takes the reply to [`next_cmd`](ScanCursor::next_cmd)'s command: moves the cursor
    /// on and returns the page's items.
    pub fn on_reply(&mut self, reply: Value) -> Result<Vec<T>, Error> {
        if self.finished {
            return Err(Error::Conversion {
                expected: "no reply",
                received: reply.type_name(),
                detail: Some("the scan is over; no page was asked for".to_owned()),
            });
        }
        let page = ScanPage::<T>::from_value(reply)?;
        self.cursor = page.cursor;
        self.finished = page.cursor == 0;
        Ok(page.items)
    }

    /// The cursor the next command continues from.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Whether the server has returned cursor 0.
    pub fn is_finished(&self) -> bool {
        self.finished
    }
}
