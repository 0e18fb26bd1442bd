//! Stream replies: entry IDs, entries, XREAD/XREADGROUP, XPENDING, XINFO, XCLAIM and
//! XAUTOCLAIM.
//!
//! Streams are where RESP2 and RESP3 differ most (XREAD is an array of `[key, entries]`
//! pairs in RESP2 and a map in RESP3; XINFO is a flat array or a map), and where replies
//! have grown fields release by release (7.0 added `entries-read`, `lag`,
//! `max-deleted-entry-id`; 7.2 added `inactive`). The types here read every form, and
//! fields a given server version may not send are `Option`s.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;
use ferrodis_resp::Value;

use super::util::{self, Fields};
use crate::args::{ArgWriter, ToArgs};
use crate::error::Error;
use crate::from_value::FromValue;

/// A stream entry ID: a millisecond timestamp and a sequence number, written `ms-seq`.
///
/// IDs order as Redis orders them (by time, then sequence), and are written as
/// arguments in their `ms-seq` form.
///
/// ```
/// use ferrodis_commands::replies::StreamId;
///
/// let id: StreamId = "1526919030474-55".parse()?;
/// assert_eq!((id.ms, id.seq), (1526919030474, 55));
/// assert_eq!(id.to_string(), "1526919030474-55");
/// assert!(id < StreamId::new(1526919030474, 56));
/// assert_eq!("42".parse::<StreamId>()?, StreamId::new(42, 0));
/// # Ok::<(), ferrodis_commands::replies::ParseStreamIdError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    /// The milliseconds part.
    pub ms: u64,
    /// The sequence number within that millisecond.
    pub seq: u64,
}

impl StreamId {
    /// The smallest ID, `0-0`.
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The largest ID, `18446744073709551615-18446744073709551615`.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// An ID from its parts.
    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// Parses `ms-seq`, or `ms` alone (sequence 0).
    pub fn from_bytes(bytes: &[u8]) -> Result<StreamId, ParseStreamIdError> {
        let err = || ParseStreamIdError {
            input: String::from_utf8_lossy(bytes).into_owned(),
        };
        let s = std::str::from_utf8(bytes).map_err(|_| err())?;
        let (ms, seq) = match s.split_once('-') {
            Some((ms, seq)) => (ms, Some(seq)),
            None => (s, None),
        };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(ms) || !seq.is_none_or(digits) {
            return Err(err());
        }
        let ms = ms.parse().map_err(|_| err())?;
        let seq = match seq {
            Some(seq) => seq.parse().map_err(|_| err())?,
            None => 0,
        };
        Ok(StreamId { ms, seq })
    }

    /// The ID just after this one (for paging through a range exclusively), or `None`
    /// after [`StreamId::MAX`].
    pub fn next(self) -> Option<StreamId> {
        match self.seq.checked_add(1) {
            Some(seq) => Some(StreamId { ms: self.ms, seq }),
            None => self.ms.checked_add(1).map(|ms| StreamId { ms, seq: 0 }),
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

impl FromStr for StreamId {
    type Err = ParseStreamIdError;

    fn from_str(s: &str) -> Result<StreamId, ParseStreamIdError> {
        StreamId::from_bytes(s.as_bytes())
    }
}

impl ToArgs for StreamId {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        // "<20 digits>-<20 digits>" fits in 41 bytes.
        let mut buf = [0u8; 41];
        let mut ms = [0u8; 20];
        let mut seq = [0u8; 20];
        let ms = ferrodis_resp::format_u64(self.ms, &mut ms);
        let seq = ferrodis_resp::format_u64(self.seq, &mut seq);
        let len = ms.len() + 1 + seq.len();
        buf[..ms.len()].copy_from_slice(ms);
        buf[ms.len()] = b'-';
        buf[ms.len() + 1..len].copy_from_slice(seq);
        out.write_arg(&buf[..len]);
    }
}

impl FromValue for StreamId {
    fn from_value(value: Value) -> Result<Self, Error> {
        let bytes = util::text_bytes(value, "StreamId")?;
        StreamId::from_bytes(&bytes)
            .map_err(|e| util::invalid("StreamId", "bulk string", e.to_string()))
    }
}

/// A string that is not a stream ID (`ms-seq` or `ms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseStreamIdError {
    input: String,
}

impl fmt::Display for ParseStreamIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a stream ID: expected <milliseconds>-<sequence>, such as 1526919030474-0",
            self.input
        )
    }
}

impl std::error::Error for ParseStreamIdError {}

/// One stream entry: its ID and its field/value pairs, in the order they were added.
///
/// XRANGE, XREVRANGE and XCLAIM reply with a list of these (`Vec<StreamEntry>`).
///
/// An entry that was deleted after a consumer group delivered it comes back from
/// XREADGROUP (reading the pending list) and from older XCLAIM/XAUTOCLAIM with nil
/// instead of its fields; it converts into an entry with no fields, which
/// [`is_deleted`](StreamEntry::is_deleted) tells apart (Redis never stores an entry with
/// no fields).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamEntry {
    /// The entry's ID.
    pub id: StreamId,
    /// The field/value pairs; empty if the entry was deleted.
    pub fields: Vec<(Bytes, Bytes)>,
}

impl StreamEntry {
    /// An entry from its parts.
    pub fn new(id: StreamId, fields: Vec<(Bytes, Bytes)>) -> StreamEntry {
        StreamEntry { id, fields }
    }

    /// The value of the first field named `field`.
    pub fn get(&self, field: impl AsRef<[u8]>) -> Option<&Bytes> {
        let field = field.as_ref();
        self.fields
            .iter()
            .find(|(f, _)| &f[..] == field)
            .map(|(_, v)| v)
    }

    /// Whether the entry was deleted after delivery (it came back without fields).
    pub fn is_deleted(&self) -> bool {
        self.fields.is_empty()
    }
}

impl FromValue for StreamEntry {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "StreamEntry";
        let [id, fields] = util::exact::<2>(value, T)?;
        let id = util::convert(id, T, "entry ID")?;
        let fields = match util::plain(fields)? {
            Value::Nil => Vec::new(),
            other => util::convert(other, T, "entry fields")?,
        };
        Ok(StreamEntry { id, fields })
    }
}

/// The entries read from one stream by XREAD or XREADGROUP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamEntries {
    /// The stream's key.
    pub key: Bytes,
    /// The entries, in ID order. With XREADGROUP reading a consumer's pending entries,
    /// an entry deleted since delivery has no fields ([`StreamEntry::is_deleted`]).
    pub entries: Vec<StreamEntry>,
}

/// The reply of XREAD and XREADGROUP: per stream, the entries that were read.
///
/// When nothing arrived (or a BLOCK timed out) Redis replies nil, which converts into
/// an empty reply. Streams with nothing new are left out of the reply.
///
/// ```
/// use ferrodis_commands::FromValue;
/// use ferrodis_commands::replies::StreamReadReply;
///
/// let (value, _) = ferrodis_resp::decode(
///     b"%1\r\n$6\r\norders\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$4\r\nitem\r\n$3\r\ntea\r\n",
/// )?.unwrap();
/// let reply = StreamReadReply::from_value(value)?;
/// let entries = reply.get("orders").unwrap();
/// assert_eq!(entries[0].get("item").unwrap(), "tea");
///
/// let timed_out = StreamReadReply::from_value(ferrodis_resp::Value::Nil)?;
/// assert!(timed_out.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct StreamReadReply {
    /// The streams that had entries, in reply order.
    pub streams: Vec<StreamEntries>,
}

impl StreamReadReply {
    /// Whether no entries were read (nil reply, or timeout).
    pub fn is_empty(&self) -> bool {
        self.streams.iter().all(|s| s.entries.is_empty())
    }

    /// The entries read from `key`, if it is in the reply.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<&[StreamEntry]> {
        let key = key.as_ref();
        self.streams
            .iter()
            .find(|s| &s.key[..] == key)
            .map(|s| &s.entries[..])
    }

    /// The last ID read from each stream: what to pass to the next XREAD.
    pub fn last_ids(&self) -> Vec<(Bytes, StreamId)> {
        self.streams
            .iter()
            .filter_map(|s| s.entries.last().map(|e| (s.key.clone(), e.id)))
            .collect()
    }
}

impl IntoIterator for StreamReadReply {
    type Item = StreamEntries;
    type IntoIter = std::vec::IntoIter<StreamEntries>;

    fn into_iter(self) -> Self::IntoIter {
        self.streams.into_iter()
    }
}

impl FromValue for StreamReadReply {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "StreamReadReply";
        let pairs: Vec<(Value, Value)> = match util::plain(value)? {
            Value::Nil => Vec::new(),
            Value::Map(pairs) => pairs,
            Value::Array(items) => items
                .into_iter()
                .map(|item| util::exact::<2>(item, T).map(|[k, v]| (k, v)))
                .collect::<Result<_, _>>()?,
            other => {
                return Err(util::mismatch(
                    T,
                    &other,
                    "expected a map or an array of [key, entries] pairs",
                ))
            }
        };
        let streams = pairs
            .into_iter()
            .map(|(key, entries)| {
                Ok(StreamEntries {
                    key: util::convert(key, T, "stream key")?,
                    entries: util::convert(entries, T, "stream entries")?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(StreamReadReply { streams })
    }
}

/// The summary form of XPENDING (`XPENDING key group`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingSummary {
    /// How many entries are pending in the group.
    pub count: u64,
    /// The smallest pending ID; `None` when nothing is pending.
    pub min_id: Option<StreamId>,
    /// The largest pending ID; `None` when nothing is pending.
    pub max_id: Option<StreamId>,
    /// Each consumer with pending entries, and how many it has.
    pub consumers: Vec<(Bytes, u64)>,
}

impl FromValue for PendingSummary {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "PendingSummary";
        let [count, min, max, consumers] = util::exact::<4>(value, T)?;
        Ok(PendingSummary {
            count: util::convert(count, T, "count")?,
            min_id: util::convert(min, T, "smallest ID")?,
            max_id: util::convert(max, T, "largest ID")?,
            consumers: util::array_or_nil(consumers, T)?
                .into_iter()
                .map(|c| util::convert::<(Bytes, u64)>(c, T, "consumer"))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// One entry of the extended form of XPENDING (`XPENDING key group [IDLE t] start end
/// count [consumer]`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingEntry {
    /// The entry's ID.
    pub id: StreamId,
    /// The consumer it was delivered to.
    pub consumer: Bytes,
    /// Time since it was last delivered.
    pub idle: Duration,
    /// How many times it was delivered.
    pub delivery_count: u64,
}

impl FromValue for PendingEntry {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "PendingEntry";
        let [id, consumer, idle, count] = util::exact::<4>(value, T)?;
        Ok(PendingEntry {
            id: util::convert(id, T, "ID")?,
            consumer: util::convert(consumer, T, "consumer")?,
            idle: util::millis(util::convert(idle, T, "idle time")?),
            delivery_count: util::convert(count, T, "delivery count")?,
        })
    }
}

/// The reply of XINFO STREAM (without FULL).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamInfo {
    /// Number of entries.
    pub length: u64,
    /// Keys in the underlying radix tree.
    pub radix_tree_keys: u64,
    /// Nodes in the underlying radix tree.
    pub radix_tree_nodes: u64,
    /// Number of consumer groups.
    pub groups: u64,
    /// The ID of the last entry added (or the `XSETID` one).
    pub last_generated_id: StreamId,
    /// The largest ID ever deleted (Redis 7.0+).
    pub max_deleted_entry_id: Option<StreamId>,
    /// How many entries were ever added (Redis 7.0+).
    pub entries_added: Option<u64>,
    /// The first entry's recorded ID (Redis 7.0+).
    pub recorded_first_entry_id: Option<StreamId>,
    /// The first entry, if the stream is not empty.
    pub first_entry: Option<StreamEntry>,
    /// The last entry, if the stream is not empty.
    pub last_entry: Option<StreamEntry>,
}

impl FromValue for StreamInfo {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "StreamInfo")?;
        Ok(StreamInfo {
            length: f.req("length")?,
            radix_tree_keys: f.req("radix-tree-keys")?,
            radix_tree_nodes: f.req("radix-tree-nodes")?,
            groups: f.req("groups")?,
            last_generated_id: f.req("last-generated-id")?,
            max_deleted_entry_id: f.opt("max-deleted-entry-id")?,
            entries_added: f.opt("entries-added")?,
            recorded_first_entry_id: f.opt("recorded-first-entry-id")?,
            first_entry: f.opt("first-entry")?,
            last_entry: f.opt("last-entry")?,
        })
    }
}

/// The reply of XINFO STREAM key FULL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamInfoFull {
    /// Number of entries.
    pub length: u64,
    /// Keys in the underlying radix tree.
    pub radix_tree_keys: u64,
    /// Nodes in the underlying radix tree.
    pub radix_tree_nodes: u64,
    /// The ID of the last entry added (or the `XSETID` one).
    pub last_generated_id: StreamId,
    /// The largest ID ever deleted (Redis 7.0+).
    pub max_deleted_entry_id: Option<StreamId>,
    /// How many entries were ever added (Redis 7.0+).
    pub entries_added: Option<u64>,
    /// The first entry's recorded ID (Redis 7.0+).
    pub recorded_first_entry_id: Option<StreamId>,
    /// The entries (the first COUNT of them; 10 by default).
    pub entries: Vec<StreamEntry>,
    /// The consumer groups.
    pub groups: Vec<StreamGroupFull>,
}

impl FromValue for StreamInfoFull {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "StreamInfoFull")?;
        Ok(StreamInfoFull {
            length: f.req("length")?,
            radix_tree_keys: f.req("radix-tree-keys")?,
            radix_tree_nodes: f.req("radix-tree-nodes")?,
            last_generated_id: f.req("last-generated-id")?,
            max_deleted_entry_id: f.opt("max-deleted-entry-id")?,
            entries_added: f.opt("entries-added")?,
            recorded_first_entry_id: f.opt("recorded-first-entry-id")?,
            entries: f.opt("entries")?.unwrap_or_default(),
            groups: f.opt("groups")?.unwrap_or_default(),
        })
    }
}

/// A consumer group as XINFO STREAM FULL describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamGroupFull {
    /// The group's name.
    pub name: Bytes,
    /// The last ID delivered to the group.
    pub last_delivered_id: StreamId,
    /// The logical read counter (Redis 7.0+; `None` when unknown).
    pub entries_read: Option<u64>,
    /// Entries not yet delivered to the group (Redis 7.0+; `None` when unknown).
    pub lag: Option<u64>,
    /// Entries delivered and not acknowledged.
    pub pel_count: u64,
    /// The pending entries (up to COUNT).
    pub pending: Vec<GroupPendingEntry>,
    /// The consumers.
    pub consumers: Vec<StreamConsumerFull>,
}

impl FromValue for StreamGroupFull {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "StreamGroupFull")?;
        Ok(StreamGroupFull {
            name: f.req("name")?,
            last_delivered_id: f.req("last-delivered-id")?,
            entries_read: f.opt("entries-read")?,
            lag: f.opt("lag")?,
            pel_count: f.req("pel-count")?,
            pending: f.opt("pending")?.unwrap_or_default(),
            consumers: f.opt("consumers")?.unwrap_or_default(),
        })
    }
}

/// A pending entry of a group in XINFO STREAM FULL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupPendingEntry {
    /// The entry's ID.
    pub id: StreamId,
    /// The consumer it was delivered to.
    pub consumer: Bytes,
    /// When it was last delivered, in Unix milliseconds.
    pub delivery_time: u64,
    /// How many times it was delivered.
    pub delivery_count: u64,
}

impl FromValue for GroupPendingEntry {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "GroupPendingEntry";
        let [id, consumer, time, count] = util::exact::<4>(value, T)?;
        Ok(GroupPendingEntry {
            id: util::convert(id, T, "ID")?,
            consumer: util::convert(consumer, T, "consumer")?,
            delivery_time: util::convert(time, T, "delivery time")?,
            delivery_count: util::convert(count, T, "delivery count")?,
        })
    }
}

/// A consumer as XINFO STREAM FULL describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamConsumerFull {
    /// The consumer's name.
    pub name: Bytes,
    /// When it last tried to read or claim, in Unix milliseconds.
    pub seen_time: u64,
    /// When it last read or claimed successfully, in Unix milliseconds (Redis 7.2+).
    pub active_time: Option<u64>,
    /// Entries delivered to it and not acknowledged.
    pub pel_count: u64,
    /// Its pending entries (up to COUNT).
    pub pending: Vec<ConsumerPendingEntry>,
}

impl FromValue for StreamConsumerFull {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "StreamConsumerFull")?;
        Ok(StreamConsumerFull {
            name: f.req("name")?,
            seen_time: f.req("seen-time")?,
            active_time: f
                .opt::<i64>("active-time")?
                .and_then(|t| u64::try_from(t).ok()),
            pel_count: f.req("pel-count")?,
            pending: f.opt("pending")?.unwrap_or_default(),
        })
    }
}

/// A pending entry of a consumer in XINFO STREAM FULL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerPendingEntry {
    /// The entry's ID.
    pub id: StreamId,
    /// When it was last delivered, in Unix milliseconds.
    pub delivery_time: u64,
    /// How many times it was delivered.
    pub delivery_count: u64,
}

impl FromValue for ConsumerPendingEntry {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "ConsumerPendingEntry";
        let [id, time, count] = util::exact::<3>(value, T)?;
        Ok(ConsumerPendingEntry {
            id: util::convert(id, T, "ID")?,
            delivery_time: util::convert(time, T, "delivery time")?,
            delivery_count: util::convert(count, T, "delivery count")?,
        })
    }
}

/// One group of XINFO GROUPS.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupInfo {
    /// The group's name.
    pub name: Bytes,
    /// Number of consumers.
    pub consumers: u64,
    /// Entries delivered and not acknowledged.
    pub pending: u64,
    /// The last ID delivered to the group.
    pub last_delivered_id: StreamId,
    /// The logical read counter (Redis 7.0+; `None` when unknown).
    pub entries_read: Option<u64>,
    /// Entries not yet delivered to the group (Redis 7.0+; `None` when unknown).
    pub lag: Option<u64>,
}

impl FromValue for GroupInfo {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "GroupInfo")?;
        Ok(GroupInfo {
            name: f.req("name")?,
            consumers: f.req("consumers")?,
            pending: f.req("pending")?,
            last_delivered_id: f.req("last-delivered-id")?,
            entries_read: f.opt("entries-read")?,
            lag: f.opt("lag")?,
        })
    }
}

/// One consumer of XINFO CONSUMERS.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConsumerInfo {
    /// The consumer's name.
    pub name: Bytes,
    /// Entries delivered to it and not acknowledged.
    pub pending: u64,
    /// Time since it last tried to read or claim.
    pub idle: Duration,
    /// Time since it last read or claimed successfully (Redis 7.2+; `None` if it never
    /// did, or on older servers).
    pub inactive: Option<Duration>,
}

impl FromValue for ConsumerInfo {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "ConsumerInfo")?;
        Ok(ConsumerInfo {
            name: f.req("name")?,
            pending: f.req("pending")?,
            idle: util::millis(f.req("idle")?),
            inactive: f
                .opt::<i64>("inactive")?
                .filter(|ms| *ms >= 0)
                .map(util::millis),
        })
    }
}

/// The reply of XCLAIM: the claimed entries, or only their IDs with JUSTID.
///
/// [`ids`](ClaimReply::ids) is always filled; [`entries`](ClaimReply::entries) only
/// without JUSTID.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClaimReply {
    /// The IDs of the claimed entries.
    pub ids: Vec<StreamId>,
    /// The claimed entries (empty with JUSTID).
    pub entries: Vec<StreamEntry>,
}

/// Reads a list of claimed entries or IDs; nil elements (entries deleted meanwhile, as
/// Redis before 7.0 sent them) are skipped.
fn claimed(value: Value, t: &'static str) -> Result<ClaimReply, Error> {
    let mut out = ClaimReply::default();
    for item in util::array_or_nil(value, t)? {
        match util::plain(item)? {
            Value::Nil => {}
            entry @ Value::Array(_) => {
                let entry: StreamEntry = util::convert(entry, t, "claimed entry")?;
                out.ids.push(entry.id);
                out.entries.push(entry);
            }
            id => out.ids.push(util::convert(id, t, "claimed ID")?),
        }
    }
    Ok(out)
}

impl FromValue for ClaimReply {
    fn from_value(value: Value) -> Result<Self, Error> {
        claimed(value, "ClaimReply")
    }
}

/// The reply of XAUTOCLAIM.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AutoClaimReply {
    /// Where the next XAUTOCLAIM should start; `0-0` once the whole list was scanned.
    pub next_id: StreamId,
    /// The IDs of the claimed entries.
    pub ids: Vec<StreamId>,
    /// The claimed entries (empty with JUSTID).
    pub entries: Vec<StreamEntry>,
    /// Pending IDs whose entries no longer exist, removed from the pending list (Redis
    /// 7.0+; empty before).
    pub deleted: Vec<StreamId>,
}

impl FromValue for AutoClaimReply {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "AutoClaimReply";
        let items = util::array(value, T)?;
        if items.len() != 2 && items.len() != 3 {
            return Err(util::invalid(
                T,
                "array",
                format!(
                    "{} elements, expected 3 (or 2 before Redis 7.0)",
                    items.len()
                ),
            ));
        }
        let mut it = items.into_iter();
        let next_id = util::convert(it.next().unwrap_or(Value::Nil), T, "next ID")?;
        let ClaimReply { ids, entries } = claimed(it.next().unwrap_or(Value::Nil), T)?;
        let deleted = match it.next() {
            Some(v) => util::convert(v, T, "deleted IDs")?,
            None => Vec::new(),
        };
        Ok(AutoClaimReply {
            next_id,
            ids,
            entries,
            deleted,
        })
    }
}
