//! Hand-written wrappers for stream commands: XADD, XREAD, XREADGROUP, XTRIM, XPENDING
//! (extended form), XCLAIM, XAUTOCLAIM, XGROUP CREATE and XINFO STREAM FULL.
//!
//! # Why these are written by hand
//!
//! Stream commands put their options *between* required arguments (`XADD key [NOMKSTREAM]
//! [MAXLEN ~ n] id field value`, `XREADGROUP GROUP g c [COUNT n] STREAMS k id`), combine
//! keywords that only make sense together (`LIMIT` only after `~`), and change their
//! reply with a flag (`JUSTID`, `FULL`). A generated signature, one parameter per Redis
//! argument in order, cannot say any of that. The wrappers here take the required
//! arguments as parameters and the rest from a small builder, write everything in the
//! order Redis documents, and return a [`Typed`] whose reply type is a structure from
//! [`replies`](crate::replies) that reads the RESP2 and the RESP3 form alike.
//!
//! # Naming convention
//!
//! The crate-wide rule (the table is in the docs of the string wrappers, `strings.rs`):
//! a generated method is the command's snake_case name (`xadd`, `xread`, `xclaim`,
//! `xgroup_create`, `xinfo_stream`, `geosearch`), and a hand-written wrapper is that name
//! plus a suffix saying what it adds, so that both live side by side on every client:
//!
//! | suffix | adds | here |
//! |---|---|---|
//! | `_options` | an options builder | [`xadd_options`], [`xread_options`], [`xreadgroup_options`], [`xtrim_options`], [`xclaim_options`], [`xautoclaim_options`], [`xgroup_create_options`]; GEO: [`geoadd_options`](crate::commands::geoadd_options), [`geosearch_options`](crate::commands::geosearch_options), [`geosearchstore_options`](crate::commands::geosearchstore_options), [`georadius_options`](crate::commands::georadius_options), [`georadiusbymember_options`](crate::commands::georadiusbymember_options) |
//! | `_justid`, `_full` | a flag that changes the reply's shape; the wrapper's reply type follows it | [`xclaim_justid`], [`xautoclaim_justid`], [`xinfo_stream_full`] |
//! | `_range` | the optional range form of a command | [`xpending_range`] |
//!
//! Flags that change a reply's shape are wrappers of their own, not builder options, so
//! the default reply type always fits. One exception is deliberate: the `WITH*` flags of
//! GEOSEARCH and GEORADIUS are options, because
//! [`GeoSearchResult`](crate::replies::GeoSearchResult) reads every combination from the
//! reply itself. Builders are plain `Default + Clone + Debug` structs with chainable
//! methods; of options that exclude each other, the last call wins. Durations are
//! milliseconds (`u64`), as Redis takes them.
//!
//! ```
//! use ferrodis_commands::commands::{xadd_options, StreamTrim, XAddOptions};
//!
//! let options = XAddOptions::new().trim(StreamTrim::maxlen(1000).approx());
//! let cmd = xadd_options("events", "*", [("kind", "login")], &options);
//! assert_eq!(
//!     cmd.cmd().args().collect::<Vec<_>>(),
//!     [&b"XADD"[..], b"events", b"MAXLEN", b"~", b"1000", b"*", b"kind", b"login"]
//! );
//! ```

use bytes::Bytes;

use crate::replies::{
    AutoClaimReply, PendingEntry, StreamEntry, StreamId, StreamInfoFull, StreamReadReply,
};
use crate::{ArgWriter, Cmd, ToArgs, Typed};

// ---------------------------------------------------------------------------------------
// Trimming: XADD and XTRIM
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrimStrategy {
    MaxLen(u64),
    MinId(StreamId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TrimOperator {
    Exact,
    Approx,
}

/// How to trim a stream, for XTRIM and XADD: by length (`MAXLEN`) or by ID (`MINID`),
/// exactly (`=`, the default) or approximately (`~`, much cheaper), with an optional
/// `LIMIT` on the entries evicted (approximate trimming only).
///
/// ```
/// use ferrodis_commands::commands::{xtrim_options, StreamTrim};
/// use ferrodis_commands::replies::StreamId;
///
/// let cmd = xtrim_options("events", &StreamTrim::minid(StreamId::new(1700000000000, 0)).approx().limit(100));
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XTRIM"[..], b"events", b"MINID", b"~", b"1700000000000-0", b"LIMIT", b"100"]
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamTrim {
    strategy: TrimStrategy,
    operator: Option<TrimOperator>,
    limit: Option<u64>,
}

impl StreamTrim {
    /// `MAXLEN threshold`: keep at most `threshold` entries.
    pub fn maxlen(threshold: u64) -> StreamTrim {
        StreamTrim {
            strategy: TrimStrategy::MaxLen(threshold),
            operator: None,
            limit: None,
        }
    }

    /// `MINID threshold`: evict entries with IDs below `threshold`.
    pub fn minid(threshold: StreamId) -> StreamTrim {
        StreamTrim {
            strategy: TrimStrategy::MinId(threshold),
            operator: None,
            limit: None,
        }
    }

    /// `=`: trim exactly (what Redis does without an operator, written explicitly).
    #[must_use]
    pub fn exact(mut self) -> Self {
        self.operator = Some(TrimOperator::Exact);
        self
    }

    /// `~`: trim approximately, only whole macro nodes: far cheaper, and the stream may
    /// keep a few more entries than asked.
    #[must_use]
    pub fn approx(mut self) -> Self {
        self.operator = Some(TrimOperator::Approx);
        self
    }

    /// `LIMIT count`: evict at most `count` entries per call (with [`approx`] only;
    /// Redis rejects it otherwise). 0 means no limit.
    ///
    /// [`approx`]: StreamTrim::approx
    #[must_use]
    pub fn limit(mut self, count: u64) -> Self {
        self.limit = Some(count);
        self
    }
}

impl ToArgs for StreamTrim {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match self.strategy {
            TrimStrategy::MaxLen(_) => out.write_arg(b"MAXLEN"),
            TrimStrategy::MinId(_) => out.write_arg(b"MINID"),
        }
        match self.operator {
            Some(TrimOperator::Exact) => out.write_arg(b"="),
            Some(TrimOperator::Approx) => out.write_arg(b"~"),
            None => {}
        }
        match self.strategy {
            TrimStrategy::MaxLen(n) => out.write_arg_u64(n),
            TrimStrategy::MinId(id) => id.write_args(out),
        }
        if let Some(limit) = self.limit {
            out.write_arg(b"LIMIT");
            out.write_arg_u64(limit);
        }
    }
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]`: trims a stream; replies with
/// the number of entries evicted.
pub fn xtrim_options<K: ToArgs>(key: K, trim: &StreamTrim) -> Typed<u64> {
    let mut cmd = Cmd::new("XTRIM");
    cmd.push_arg(key).push_arg(trim);
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// XADD
// ---------------------------------------------------------------------------------------

/// Options of XADD: `NOMKSTREAM` and trimming.
///
/// ```
/// use ferrodis_commands::commands::{xadd_options, StreamTrim, XAddOptions};
/// use ferrodis_commands::replies::StreamId;
///
/// let options = XAddOptions::new().nomkstream().trim(StreamTrim::maxlen(100).approx().limit(10));
/// let cmd = xadd_options("events", StreamId::new(5, 1), [("a", "1"), ("b", "2")], &options);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XADD"[..], b"events", b"NOMKSTREAM", b"MAXLEN", b"~", b"100", b"LIMIT", b"10", b"5-1", b"a", b"1", b"b", b"2"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XAddOptions {
    nomkstream: bool,
    trim: Option<StreamTrim>,
}

impl XAddOptions {
    /// No options.
    pub fn new() -> XAddOptions {
        XAddOptions::default()
    }

    /// `NOMKSTREAM`: do not create the stream if it does not exist (the reply is then
    /// nil).
    #[must_use]
    pub fn nomkstream(mut self) -> Self {
        self.nomkstream = true;
        self
    }

    /// Trims the stream as the entry is added.
    #[must_use]
    pub fn trim(mut self, trim: StreamTrim) -> Self {
        self.trim = Some(trim);
        self
    }
}

impl ToArgs for XAddOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if self.nomkstream {
            out.write_arg(b"NOMKSTREAM");
        }
        if let Some(trim) = &self.trim {
            trim.write_args(out);
        }
    }
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] id field value
/// [field value ...]`: appends an entry.
///
/// `id` is `"*"` for an ID chosen by the server, an explicit [`StreamId`], or `"<ms>-*"`.
/// `fields` is the field/value pairs, such as `[("name", "ada")]` or a `Vec` of pairs.
/// Replies with the new entry's ID, or `None` when `NOMKSTREAM` is given and the stream
/// does not exist.
pub fn xadd_options<K: ToArgs, I: ToArgs, F: ToArgs>(
    key: K,
    id: I,
    fields: F,
    options: &XAddOptions,
) -> Typed<Option<StreamId>> {
    let mut cmd = Cmd::new("XADD");
    cmd.push_arg(key)
        .push_arg(options)
        .push_arg(id)
        .push_arg(fields);
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// XREAD, XREADGROUP
// ---------------------------------------------------------------------------------------

/// Options of XREAD and XREADGROUP: `COUNT`, `BLOCK`, and (XREADGROUP only) `NOACK`.
///
/// ```
/// use ferrodis_commands::commands::{xreadgroup_options, StreamReadOptions};
///
/// let options = StreamReadOptions::new().count(10).block(5000).noack();
/// let cmd = xreadgroup_options("workers", "w1", ["jobs"], [">"], &options);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XREADGROUP"[..], b"GROUP", b"workers", b"w1", b"COUNT", b"10", b"BLOCK", b"5000", b"NOACK", b"STREAMS", b"jobs", b">"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamReadOptions {
    count: Option<u64>,
    block: Option<u64>,
    noack: bool,
}

impl StreamReadOptions {
    /// No options: read what is there, without blocking.
    pub fn new() -> StreamReadOptions {
        StreamReadOptions::default()
    }

    /// `COUNT count`: at most `count` entries per stream.
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// `BLOCK milliseconds`: wait up to this long for entries when there are none; `0`
    /// waits forever. A timeout replies nil, which reads as an empty
    /// [`StreamReadReply`]. Give the connection's response timeout room for the wait.
    #[must_use]
    pub fn block(mut self, milliseconds: u64) -> Self {
        self.block = Some(milliseconds);
        self
    }

    /// `NOACK`: do not add the entries read to the pending list (XREADGROUP only;
    /// [`xread_options`] leaves it out, as XREAD rejects it).
    #[must_use]
    pub fn noack(mut self) -> Self {
        self.noack = true;
        self
    }

    fn write_count_block<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(count) = self.count {
            out.write_arg(b"COUNT");
            out.write_arg_u64(count);
        }
        if let Some(block) = self.block {
            out.write_arg(b"BLOCK");
            out.write_arg_u64(block);
        }
    }
}

impl ToArgs for StreamReadOptions {
    /// Writes `[COUNT count] [BLOCK ms] [NOACK]`.
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        self.write_count_block(out);
        if self.noack {
            out.write_arg(b"NOACK");
        }
    }
}

/// `XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]`: reads entries
/// after the given IDs (`$` for only new ones) from one or more streams.
///
/// `keys` and `ids` are lists of the same length, such as `["a", "b"]` and
/// `["0-0", "$"]`. [`StreamReadOptions::noack`] does not apply and is left out.
///
/// ```
/// use ferrodis_commands::commands::{xread_options, StreamReadOptions};
///
/// let cmd = xread_options(["a", "b"], ["0", "$"], &StreamReadOptions::new().block(100));
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XREAD"[..], b"BLOCK", b"100", b"STREAMS", b"a", b"b", b"0", b"$"]
/// );
/// ```
pub fn xread_options<K: ToArgs, I: ToArgs>(
    keys: K,
    ids: I,
    options: &StreamReadOptions,
) -> Typed<StreamReadReply> {
    let mut cmd = Cmd::new("XREAD");
    options.write_count_block(&mut cmd);
    cmd.push_arg("STREAMS").push_arg(keys).push_arg(ids);
    Typed::new(cmd)
}

/// `XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key [key
/// ...] id [id ...]`: reads entries as a consumer of a group.
///
/// An ID of `>` reads entries never delivered to the group; any other ID reads this
/// consumer's pending entries after it, where entries deleted since delivery come back
/// without fields ([`StreamEntry::is_deleted`]).
pub fn xreadgroup_options<G: ToArgs, C: ToArgs, K: ToArgs, I: ToArgs>(
    group: G,
    consumer: C,
    keys: K,
    ids: I,
    options: &StreamReadOptions,
) -> Typed<StreamReadReply> {
    let mut cmd = Cmd::new("XREADGROUP");
    cmd.push_arg("GROUP")
        .push_arg(group)
        .push_arg(consumer)
        .push_arg(options);
    cmd.push_arg("STREAMS").push_arg(keys).push_arg(ids);
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// XPENDING (extended form)
// ---------------------------------------------------------------------------------------

/// Options of the extended XPENDING: `IDLE` and a consumer filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XPendingOptions {
    idle: Option<u64>,
    consumer: Option<Bytes>,
}

impl XPendingOptions {
    /// No options.
    pub fn new() -> XPendingOptions {
        XPendingOptions::default()
    }

    /// `IDLE min-idle-time`: only entries idle for at least this many milliseconds.
    #[must_use]
    pub fn idle(mut self, milliseconds: u64) -> Self {
        self.idle = Some(milliseconds);
        self
    }

    /// Only the entries pending for this consumer.
    #[must_use]
    pub fn consumer(mut self, consumer: impl AsRef<[u8]>) -> Self {
        self.consumer = Some(Bytes::copy_from_slice(consumer.as_ref()));
        self
    }
}

/// `XPENDING key group [IDLE min-idle-time] start end count [consumer]`: the pending
/// entries of a group between two IDs (`-` and `+` for all; `(id` excludes `id`).
///
/// The summary form (`XPENDING key group`) is the generated `xpending`; ask for a
/// [`PendingSummary`](crate::replies::PendingSummary).
///
/// ```
/// use ferrodis_commands::commands::{xpending_range, XPendingOptions};
///
/// let cmd = xpending_range("jobs", "workers", "-", "+", 10, &XPendingOptions::new().idle(60000).consumer("w1"));
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XPENDING"[..], b"jobs", b"workers", b"IDLE", b"60000", b"-", b"+", b"10", b"w1"]
/// );
/// ```
pub fn xpending_range<K: ToArgs, G: ToArgs, S: ToArgs, E: ToArgs>(
    key: K,
    group: G,
    start: S,
    end: E,
    count: u64,
    options: &XPendingOptions,
) -> Typed<Vec<PendingEntry>> {
    let mut cmd = Cmd::new("XPENDING");
    cmd.push_arg(key).push_arg(group);
    if let Some(idle) = options.idle {
        cmd.push_arg("IDLE").push_arg(idle);
    }
    cmd.push_arg(start).push_arg(end).push_arg(count);
    if let Some(consumer) = &options.consumer {
        cmd.push_arg(consumer);
    }
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// XCLAIM, XAUTOCLAIM
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeliveryTime {
    Idle(u64),
    Time(u64),
}

/// Options of XCLAIM: the claimed entries' idle time (`IDLE` or `TIME`), `RETRYCOUNT`,
/// `FORCE` and `LASTID`. (`JUSTID` changes the reply: see [`xclaim_justid`].)
///
/// ```
/// use ferrodis_commands::commands::{xclaim_options, XClaimOptions};
/// use ferrodis_commands::replies::StreamId;
///
/// let options = XClaimOptions::new().idle(0).retrycount(3).force();
/// let cmd = xclaim_options("jobs", "workers", "w2", 60000, [StreamId::new(1, 0)], &options);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XCLAIM"[..], b"jobs", b"workers", b"w2", b"60000", b"1-0", b"IDLE", b"0", b"RETRYCOUNT", b"3", b"FORCE"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XClaimOptions {
    delivery: Option<DeliveryTime>,
    retrycount: Option<u64>,
    force: bool,
    lastid: Option<StreamId>,
}

impl XClaimOptions {
    /// No options.
    pub fn new() -> XClaimOptions {
        XClaimOptions::default()
    }

    /// `IDLE ms`: set the entries' idle time (default 0: just delivered).
    #[must_use]
    pub fn idle(mut self, milliseconds: u64) -> Self {
        self.delivery = Some(DeliveryTime::Idle(milliseconds));
        self
    }

    /// `TIME unix-time-milliseconds`: set the idle time as of this Unix time.
    #[must_use]
    pub fn time(mut self, unix_milliseconds: u64) -> Self {
        self.delivery = Some(DeliveryTime::Time(unix_milliseconds));
        self
    }

    /// `RETRYCOUNT count`: set the delivery counter (default: incremented).
    #[must_use]
    pub fn retrycount(mut self, count: u64) -> Self {
        self.retrycount = Some(count);
        self
    }

    /// `FORCE`: create pending entries for IDs not pending yet (if they exist).
    #[must_use]
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }

    /// `LASTID id`: also advance the group's last-delivered ID (used by replication).
    #[must_use]
    pub fn lastid(mut self, id: StreamId) -> Self {
        self.lastid = Some(id);
        self
    }

    fn write(&self, cmd: &mut Cmd, justid: bool) {
        match self.delivery {
            Some(DeliveryTime::Idle(ms)) => {
                cmd.push_arg("IDLE").push_arg(ms);
            }
            Some(DeliveryTime::Time(ms)) => {
                cmd.push_arg("TIME").push_arg(ms);
            }
            None => {}
        }
        if let Some(n) = self.retrycount {
            cmd.push_arg("RETRYCOUNT").push_arg(n);
        }
        if self.force {
            cmd.push_arg("FORCE");
        }
        if justid {
            cmd.push_arg("JUSTID");
        }
        if let Some(id) = self.lastid {
            cmd.push_arg("LASTID").push_arg(id);
        }
    }
}

impl ToArgs for XClaimOptions {
    /// Writes `[IDLE ms | TIME ms] [RETRYCOUNT n] [FORCE] [LASTID id]`.
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match self.delivery {
            Some(DeliveryTime::Idle(ms)) => {
                out.write_arg(b"IDLE");
                out.write_arg_u64(ms);
            }
            Some(DeliveryTime::Time(ms)) => {
                out.write_arg(b"TIME");
                out.write_arg_u64(ms);
            }
            None => {}
        }
        if let Some(n) = self.retrycount {
            out.write_arg(b"RETRYCOUNT");
            out.write_arg_u64(n);
        }
        if self.force {
            out.write_arg(b"FORCE");
        }
        if let Some(id) = self.lastid {
            out.write_arg(b"LASTID");
            id.write_args(out);
        }
    }
}

fn xclaim_cmd<K: ToArgs, G: ToArgs, C: ToArgs, I: ToArgs>(
    key: K,
    group: G,
    consumer: C,
    min_idle_time: u64,
    ids: I,
    options: &XClaimOptions,
    justid: bool,
) -> Cmd {
    let mut cmd = Cmd::new("XCLAIM");
    cmd.push_arg(key)
        .push_arg(group)
        .push_arg(consumer)
        .push_arg(min_idle_time)
        .push_arg(ids);
    options.write(&mut cmd, justid);
    cmd
}

/// `XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT
/// count] [FORCE] [LASTID id]`: takes over pending entries idle for at least
/// `min_idle_time` milliseconds; replies with the claimed entries.
pub fn xclaim_options<K: ToArgs, G: ToArgs, C: ToArgs, I: ToArgs>(
    key: K,
    group: G,
    consumer: C,
    min_idle_time: u64,
    ids: I,
    options: &XClaimOptions,
) -> Typed<Vec<StreamEntry>> {
    Typed::new(xclaim_cmd(
        key,
        group,
        consumer,
        min_idle_time,
        ids,
        options,
        false,
    ))
}

/// XCLAIM with `JUSTID`: claims the entries without delivering them (the delivery
/// counter is not incremented); replies with their IDs only.
///
/// ```
/// use ferrodis_commands::commands::{xclaim_justid, XClaimOptions};
/// use ferrodis_commands::replies::StreamId;
///
/// let options = XClaimOptions::new().time(1700000000000).lastid(StreamId::new(9, 0));
/// let cmd = xclaim_justid("jobs", "workers", "w2", 0, ["1-0", "2-0"], &options);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XCLAIM"[..], b"jobs", b"workers", b"w2", b"0", b"1-0", b"2-0", b"TIME", b"1700000000000", b"JUSTID", b"LASTID", b"9-0"]
/// );
/// ```
pub fn xclaim_justid<K: ToArgs, G: ToArgs, C: ToArgs, I: ToArgs>(
    key: K,
    group: G,
    consumer: C,
    min_idle_time: u64,
    ids: I,
    options: &XClaimOptions,
) -> Typed<Vec<StreamId>> {
    Typed::new(xclaim_cmd(
        key,
        group,
        consumer,
        min_idle_time,
        ids,
        options,
        true,
    ))
}

/// Options of XAUTOCLAIM: `COUNT`. (`JUSTID` changes the reply: see
/// [`xautoclaim_justid`].)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XAutoClaimOptions {
    count: Option<u64>,
}

impl XAutoClaimOptions {
    /// No options (Redis claims up to 100 entries).
    pub fn new() -> XAutoClaimOptions {
        XAutoClaimOptions::default()
    }

    /// `COUNT count`: claim at most this many entries.
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }
}

impl ToArgs for XAutoClaimOptions {
    /// Writes `[COUNT count]`.
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(count) = self.count {
            out.write_arg(b"COUNT");
            out.write_arg_u64(count);
        }
    }
}

fn xautoclaim_cmd<K: ToArgs, G: ToArgs, C: ToArgs, S: ToArgs>(
    key: K,
    group: G,
    consumer: C,
    min_idle_time: u64,
    start: S,
    options: &XAutoClaimOptions,
) -> Cmd {
    let mut cmd = Cmd::new("XAUTOCLAIM");
    cmd.push_arg(key)
        .push_arg(group)
        .push_arg(consumer)
        .push_arg(min_idle_time)
        .push_arg(start)
        .push_arg(options);
    cmd
}

/// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count]`: claims pending
/// entries idle for at least `min_idle_time` milliseconds, scanning from `start` (`0-0`
/// at first, then the reply's [`next_id`](AutoClaimReply::next_id) until it is `0-0`).
///
/// ```
/// use ferrodis_commands::commands::{xautoclaim_options, XAutoClaimOptions};
///
/// let cmd = xautoclaim_options("jobs", "workers", "w2", 60000, "0-0", &XAutoClaimOptions::new().count(25));
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XAUTOCLAIM"[..], b"jobs", b"workers", b"w2", b"60000", b"0-0", b"COUNT", b"25"]
/// );
/// ```
pub fn xautoclaim_options<K: ToArgs, G: ToArgs, C: ToArgs, S: ToArgs>(
    key: K,
    group: G,
    consumer: C,
    min_idle_time: u64,
    start: S,
    options: &XAutoClaimOptions,
) -> Typed<AutoClaimReply> {
    Typed::new(xautoclaim_cmd(
        key,
        group,
        consumer,
        min_idle_time,
        start,
        options,
    ))
}

/// XAUTOCLAIM with `JUSTID`: claims without delivering; the reply's
/// [`ids`](AutoClaimReply::ids) are filled and its entries are empty.
pub fn xautoclaim_justid<K: ToArgs, G: ToArgs, C: ToArgs, S: ToArgs>(
    key: K,
    group: G,
    consumer: C,
    min_idle_time: u64,
    start: S,
    options: &XAutoClaimOptions,
) -> Typed<AutoClaimReply> {
    let mut cmd = xautoclaim_cmd(key, group, consumer, min_idle_time, start, options);
    cmd.push_arg("JUSTID");
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// XGROUP CREATE, XINFO STREAM FULL
// ---------------------------------------------------------------------------------------

/// Options of XGROUP CREATE: `MKSTREAM` and `ENTRIESREAD`.
///
/// ```
/// use ferrodis_commands::commands::{xgroup_create_options, XGroupCreateOptions};
///
/// let cmd = xgroup_create_options("jobs", "workers", "$", &XGroupCreateOptions::new().mkstream().entries_read(0));
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XGROUP"[..], b"CREATE", b"jobs", b"workers", b"$", b"MKSTREAM", b"ENTRIESREAD", b"0"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XGroupCreateOptions {
    mkstream: bool,
    entries_read: Option<u64>,
}

impl XGroupCreateOptions {
    /// No options.
    pub fn new() -> XGroupCreateOptions {
        XGroupCreateOptions::default()
    }

    /// `MKSTREAM`: create the stream (empty) if it does not exist.
    #[must_use]
    pub fn mkstream(mut self) -> Self {
        self.mkstream = true;
        self
    }

    /// `ENTRIESREAD n`: the group's read counter, so that its lag is known (Redis 7.0+).
    #[must_use]
    pub fn entries_read(mut self, n: u64) -> Self {
        self.entries_read = Some(n);
        self
    }
}

impl ToArgs for XGroupCreateOptions {
    /// Writes `[MKSTREAM] [ENTRIESREAD n]`.
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if self.mkstream {
            out.write_arg(b"MKSTREAM");
        }
        if let Some(n) = self.entries_read {
            out.write_arg(b"ENTRIESREAD");
            out.write_arg_u64(n);
        }
    }
}

/// `XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]`: creates a consumer group
/// that starts after `id` (`$`: only new entries; `0`: the whole stream). A group that
/// exists already is a `BUSYGROUP` error.
pub fn xgroup_create_options<K: ToArgs, G: ToArgs, I: ToArgs>(
    key: K,
    group: G,
    id: I,
    options: &XGroupCreateOptions,
) -> Typed<()> {
    let mut cmd = Cmd::new("XGROUP");
    cmd.push_arg("CREATE")
        .push_arg(key)
        .push_arg(group)
        .push_arg(id)
        .push_arg(options);
    Typed::new(cmd)
}

/// `XINFO STREAM key FULL [COUNT count]`: the stream with its entries, groups, consumers
/// and pending lists. `count` bounds the entries and pending entries listed (Redis's
/// default is 10; `Some(0)` lists all, which can be slow on big streams).
///
/// ```
/// use ferrodis_commands::commands::xinfo_stream_full;
///
/// let cmd = xinfo_stream_full("jobs", Some(5));
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"XINFO"[..], b"STREAM", b"jobs", b"FULL", b"COUNT", b"5"]
/// );
/// ```
pub fn xinfo_stream_full<K: ToArgs>(key: K, count: Option<u64>) -> Typed<StreamInfoFull> {
    let mut cmd = Cmd::new("XINFO");
    cmd.push_arg("STREAM").push_arg(key).push_arg("FULL");
    if let Some(count) = count {
        cmd.push_arg("COUNT").push_arg(count);
    }
    Typed::new(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args<R>(t: &Typed<R>) -> Vec<Vec<u8>> {
        t.cmd().args().map(<[u8]>::to_vec).collect()
    }

    fn v(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn xadd_plain_and_with_options() {
        let t = xadd_options("s", "*", [("f", "v")], &XAddOptions::new());
        assert_eq!(args(&t), v(&["XADD", "s", "*", "f", "v"]));

        let t = xadd_options(
            "s",
            "7-*",
            vec![("a", 1), ("b", 2)],
            &XAddOptions::new().nomkstream(),
        );
        assert_eq!(
            args(&t),
            v(&["XADD", "s", "NOMKSTREAM", "7-*", "a", "1", "b", "2"])
        );

        let opts = XAddOptions::new().trim(StreamTrim::maxlen(10).exact());
        let t = xadd_options("s", StreamId::new(1, 2), [("f", "v")], &opts);
        assert_eq!(
            args(&t),
            v(&["XADD", "s", "MAXLEN", "=", "10", "1-2", "f", "v"])
        );

        let opts = XAddOptions::new()
            .trim(StreamTrim::minid(StreamId::new(100, 0)).approx().limit(5))
            .nomkstream();
        let t = xadd_options("s", "*", [("f", "v")], &opts);
        assert_eq!(
            args(&t),
            v(&[
                "XADD",
                "s",
                "NOMKSTREAM",
                "MINID",
                "~",
                "100-0",
                "LIMIT",
                "5",
                "*",
                "f",
                "v"
            ])
        );
    }

    #[test]
    fn xtrim() {
        assert_eq!(
            args(&xtrim_options("s", &StreamTrim::maxlen(0))),
            v(&["XTRIM", "s", "MAXLEN", "0"])
        );
        assert_eq!(
            args(&xtrim_options(
                "s",
                &StreamTrim::maxlen(1000).approx().limit(0)
            )),
            v(&["XTRIM", "s", "MAXLEN", "~", "1000", "LIMIT", "0"])
        );
        assert_eq!(
            args(&xtrim_options(
                "s",
                &StreamTrim::minid(StreamId::new(5, 6)).exact()
            )),
            v(&["XTRIM", "s", "MINID", "=", "5-6"])
        );
    }

    #[test]
    fn xread() {
        let t = xread_options(["a"], ["0"], &StreamReadOptions::new());
        assert_eq!(args(&t), v(&["XREAD", "STREAMS", "a", "0"]));

        // NOACK is not written for XREAD.
        let opts = StreamReadOptions::new().noack().block(0).count(2);
        let t = xread_options(
            vec!["a", "b"],
            vec![StreamId::new(1, 0), StreamId::new(2, 0)],
            &opts,
        );
        assert_eq!(
            args(&t),
            v(&["XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "a", "b", "1-0", "2-0"])
        );
    }

    #[test]
    fn xreadgroup() {
        let t = xreadgroup_options("g", "c", ["s"], [">"], &StreamReadOptions::new());
        assert_eq!(
            args(&t),
            v(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"])
        );

        let opts = StreamReadOptions::new().noack().count(1);
        let t = xreadgroup_options("g", "c", ["s1", "s2"], ["0", "0"], &opts);
        assert_eq!(
            args(&t),
            v(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "COUNT",
                "1",
                "NOACK",
                "STREAMS",
                "s1",
                "s2",
                "0",
                "0"
            ])
        );
    }

    #[test]
    fn xpending() {
        let t = xpending_range("s", "g", "-", "+", 10, &XPendingOptions::new());
        assert_eq!(args(&t), v(&["XPENDING", "s", "g", "-", "+", "10"]));

        let t = xpending_range(
            "s",
            "g",
            StreamId::new(1, 0),
            "(5-0",
            3,
            &XPendingOptions::new().consumer(b"c1"),
        );
        assert_eq!(
            args(&t),
            v(&["XPENDING", "s", "g", "1-0", "(5-0", "3", "c1"])
        );

        let t = xpending_range("s", "g", "-", "+", 1, &XPendingOptions::new().idle(9));
        assert_eq!(
            args(&t),
            v(&["XPENDING", "s", "g", "IDLE", "9", "-", "+", "1"])
        );
    }

    #[test]
    fn xclaim() {
        let t = xclaim_options("s", "g", "c", 100, ["1-0"], &XClaimOptions::new());
        assert_eq!(args(&t), v(&["XCLAIM", "s", "g", "c", "100", "1-0"]));

        // IDLE and TIME exclude each other: the last call wins.
        let opts = XClaimOptions::new()
            .lastid(StreamId::new(3, 0))
            .force()
            .time(5)
            .idle(7)
            .retrycount(2);
        let t = xclaim_options("s", "g", "c", 0, ["1-0", "2-0"], &opts);
        assert_eq!(
            args(&t),
            v(&[
                "XCLAIM",
                "s",
                "g",
                "c",
                "0",
                "1-0",
                "2-0",
                "IDLE",
                "7",
                "RETRYCOUNT",
                "2",
                "FORCE",
                "LASTID",
                "3-0"
            ])
        );

        let t = xclaim_justid(
            "s",
            "g",
            "c",
            0,
            [StreamId::new(1, 0)],
            &XClaimOptions::new(),
        );
        assert_eq!(
            args(&t),
            v(&["XCLAIM", "s", "g", "c", "0", "1-0", "JUSTID"])
        );

        // As ToArgs, for a hand-built command.
        let cmd = Cmd::new("XCLAIM").arg(XClaimOptions::new().time(1).lastid(StreamId::new(2, 0)));
        assert_eq!(
            cmd.args().map(<[u8]>::to_vec).collect::<Vec<_>>(),
            v(&["XCLAIM", "TIME", "1", "LASTID", "2-0"])
        );
    }

    #[test]
    fn xautoclaim() {
        let t = xautoclaim_options("s", "g", "c", 10, "0-0", &XAutoClaimOptions::new());
        assert_eq!(args(&t), v(&["XAUTOCLAIM", "s", "g", "c", "10", "0-0"]));

        let t = xautoclaim_justid(
            "s",
            "g",
            "c",
            10,
            StreamId::MIN,
            &XAutoClaimOptions::new().count(5),
        );
        assert_eq!(
            args(&t),
            v(&[
                "XAUTOCLAIM",
                "s",
                "g",
                "c",
                "10",
                "0-0",
                "COUNT",
                "5",
                "JUSTID"
            ])
        );
    }

    #[test]
    fn xgroup_create() {
        let t = xgroup_create_options("s", "g", "$", &XGroupCreateOptions::new());
        assert_eq!(args(&t), v(&["XGROUP", "CREATE", "s", "g", "$"]));
        let t = xgroup_create_options("s", "g", 0, &XGroupCreateOptions::new().mkstream());
        assert_eq!(
            args(&t),
            v(&["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"])
        );
    }

    #[test]
    fn xinfo_full() {
        assert_eq!(
            args(&xinfo_stream_full("s", None)),
            v(&["XINFO", "STREAM", "s", "FULL"])
        );
        assert_eq!(
            args(&xinfo_stream_full("s", Some(0))),
            v(&["XINFO", "STREAM", "s", "FULL", "COUNT", "0"])
        );
    }

    #[test]
    fn stream_id_as_argument() {
        let cmd = Cmd::new("X").arg(StreamId::MAX).arg(StreamId::MIN);
        assert_eq!(
            cmd.args().map(<[u8]>::to_vec).collect::<Vec<_>>(),
            v(&["X", "18446744073709551615-18446744073709551615", "0-0"])
        );
    }

    #[test]
    fn keys_are_found_by_the_table() {
        // The command table knows where the keys are, even after options.
        let t = xreadgroup_options(
            "g",
            "c",
            ["s1", "s2"],
            [">", ">"],
            &StreamReadOptions::new().count(1),
        );
        if t.cmd().info().is_some() {
            assert_eq!(t.cmd().keys().collect::<Vec<_>>(), [&b"s1"[..], b"s2"]);
        }
    }
}
