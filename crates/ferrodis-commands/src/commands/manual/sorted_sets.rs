//! Hand-written wrappers for sorted-set commands: ZADD with its flags, ZRANGE with typed
//! bounds, the legacy ZRANGEBYSCORE family, ZUNION/ZINTER/ZDIFF with weights and
//! aggregation, ZMPOP, ZRANDMEMBER and the INTERCARD commands.
//!
//! # Why these are written by hand
//!
//! Sorted-set ranges are strings with a grammar: `1.5` is inclusive, `(1.5` exclusive,
//! `-inf`/`+inf` unbounded, and by member `[a`, `(a`, `-`, `+`. Passed as plain strings,
//! a typo (`[1.5` by score) is only found by the server. Here a score bound is a
//! [`ScoreBound`] and a member bound a [`LexBound`], and [`ZRange`] says which kind of
//! range it is, so that `BYSCORE`/`BYLEX` cannot disagree with the bounds.
//!
//! `WITHSCORES` doubles the reply (a flat `[member, score, ...]` array in RESP2, an array
//! of `[member, score]` pairs in RESP3), so every command that takes it has a
//! `_withscores` wrapper whose reply type is `Vec<(Bytes, f64)>`: both shapes convert to
//! it. Commands with `numkeys` count it from the keys given. The naming convention is
//! described in [`strings`](crate::commands::set_options)'s module docs: a suffix on the
//! command's name, never the name alone.
//!
//! ```
//! use ferrodis_commands::commands::{zrange_withscores, ScoreBound, ZRange, ZRangeOptions};
//!
//! // The ten best scores above 1.5 (exclusive), highest first.
//! let cmd = zrange_withscores(
//!     "board",
//!     ZRange::score(ScoreBound::Exclusive(1.5), ScoreBound::PosInf),
//!     &ZRangeOptions::new().limit(0, 10).rev(),
//! );
//! assert_eq!(
//!     cmd.cmd().args().collect::<Vec<_>>(),
//!     // With REV, Redis takes the range high to low: the wrapper writes it so.
//!     [&b"ZRANGE"[..], b"board", b"+inf", b"(1.5", b"BYSCORE", b"REV", b"LIMIT", b"0", b"10",
//!      b"WITHSCORES"]
//! );
//! ```

use bytes::Bytes;

use super::strings::{push_count, push_keys};
use crate::args::format_f64;
use crate::{ArgWriter, Cmd, ToArgs, Typed};

// ---------------------------------------------------------------------------------------
// ZADD
// ---------------------------------------------------------------------------------------

/// Options of `ZADD`: `NX` or `XX`, `GT` or `LT`, and `CH`. Of `NX`/`XX`, and of
/// `GT`/`LT`, the last method called wins. Redis refuses `NX` with `GT` or `LT`.
///
/// `INCR` changes the reply to the member's new score, so it is its own wrapper,
/// [`zadd_incr`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZAddOptions {
    existence: Option<&'static str>,
    comparison: Option<&'static str>,
    ch: bool,
}

impl ZAddOptions {
    /// No options.
    pub fn new() -> ZAddOptions {
        ZAddOptions::default()
    }

    /// `NX`: only add new members, never update scores.
    #[must_use]
    pub fn nx(mut self) -> Self {
        self.existence = Some("NX");
        self
    }

    /// `XX`: only update members that exist, never add.
    #[must_use]
    pub fn xx(mut self) -> Self {
        self.existence = Some("XX");
        self
    }

    /// `GT`: only update a score if the new one is greater (new members are still added).
    #[must_use]
    pub fn gt(mut self) -> Self {
        self.comparison = Some("GT");
        self
    }

    /// `LT`: only update a score if the new one is less (new members are still added).
    #[must_use]
    pub fn lt(mut self) -> Self {
        self.comparison = Some("LT");
        self
    }

    /// `CH`: reply with the number of members added *or changed*, not only added.
    #[must_use]
    pub fn ch(mut self) -> Self {
        self.ch = true;
        self
    }
}

impl ToArgs for ZAddOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(existence) = self.existence {
            out.write_arg(existence.as_bytes());
        }
        if let Some(comparison) = self.comparison {
            out.write_arg(comparison.as_bytes());
        }
        if self.ch {
            out.write_arg(b"CH");
        }
    }
}

/// `ZADD key [NX|XX] [GT|LT] [CH] score member [score member ...]`: the number of members
/// added (with `CH`, added or changed).
///
/// `members` is written as is: score/member pairs such as `[(1.5, "alice"), (2.0, "bob")]`
/// or a `&[(f64, M)]` (Redis's order, score first; redis-py's mapping is member to score).
///
/// ```
/// use ferrodis_commands::commands::{zadd_options, ZAddOptions};
///
/// let cmd = zadd_options("board", [(1.5, "alice"), (2.0, "bob")], &ZAddOptions::new().ch().gt());
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"ZADD"[..], b"board", b"GT", b"CH", b"1.5", b"alice", b"2.0", b"bob"]
/// );
/// ```
pub fn zadd_options<K: ToArgs, M: ToArgs>(key: K, members: M, options: &ZAddOptions) -> Typed<i64> {
    Typed::new(Cmd::new("ZADD").arg(key).arg(options).arg(members))
}

/// `ZADD key [NX|XX] [GT|LT] [CH] INCR increment member`: adds `increment` to the
/// member's score (like `ZINCRBY`, with ZADD's conditions) and returns the new score, or
/// `None` if a condition stopped it.
pub fn zadd_incr<K: ToArgs, M: ToArgs>(
    key: K,
    increment: f64,
    member: M,
    options: &ZAddOptions,
) -> Typed<Option<f64>> {
    Typed::new(
        Cmd::new("ZADD")
            .arg(key)
            .arg(options)
            .arg("INCR")
            .arg(increment)
            .arg(member),
    )
}

// ---------------------------------------------------------------------------------------
// Bounds and ranges
// ---------------------------------------------------------------------------------------

/// One end of a score range.
///
/// Converts from `f64` (inclusive). Infinite floats are written `inf`/`-inf`, which Redis
/// reads as unbounded too.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScoreBound {
    /// The score itself is in the range (`1.5`).
    Inclusive(f64),
    /// The score itself is not in the range (`(1.5`).
    Exclusive(f64),
    /// No lower limit (`-inf`).
    NegInf,
    /// No upper limit (`+inf`).
    PosInf,
}

impl From<f64> for ScoreBound {
    fn from(score: f64) -> Self {
        ScoreBound::Inclusive(score)
    }
}

/// So that `ZRange::score(1, 10)` reads as it should: an inclusive bound.
impl From<i32> for ScoreBound {
    fn from(score: i32) -> Self {
        ScoreBound::Inclusive(f64::from(score))
    }
}

/// An inclusive bound (scores are doubles: integers beyond 2^53 are rounded).
impl From<i64> for ScoreBound {
    fn from(score: i64) -> Self {
        ScoreBound::Inclusive(score as f64)
    }
}

impl ToArgs for ScoreBound {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match *self {
            ScoreBound::Inclusive(score) => out.write_arg_f64(score),
            ScoreBound::Exclusive(score) => {
                let mut buf = [0u8; 41];
                let mut digits = [0u8; 40];
                let digits = format_f64(score, &mut digits);
                buf[0] = b'(';
                buf[1..1 + digits.len()].copy_from_slice(digits);
                out.write_arg(&buf[..1 + digits.len()]);
            }
            ScoreBound::NegInf => out.write_arg(b"-inf"),
            ScoreBound::PosInf => out.write_arg(b"+inf"),
        }
    }
}

/// One end of a lexicographical (by member) range; only meaningful when every member has
/// the same score.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LexBound {
    /// This member is in the range (`[member`).
    Inclusive(Bytes),
    /// This member is not in the range (`(member`).
    Exclusive(Bytes),
    /// No lower limit (`-`).
    NegInf,
    /// No upper limit (`+`).
    PosInf,
}

impl LexBound {
    /// `[member`.
    pub fn inclusive<M: AsRef<[u8]>>(member: M) -> LexBound {
        LexBound::Inclusive(Bytes::copy_from_slice(member.as_ref()))
    }

    /// `(member`.
    pub fn exclusive<M: AsRef<[u8]>>(member: M) -> LexBound {
        LexBound::Exclusive(Bytes::copy_from_slice(member.as_ref()))
    }
}

impl ToArgs for LexBound {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        let (prefix, member) = match self {
            LexBound::Inclusive(member) => (b'[', member),
            LexBound::Exclusive(member) => (b'(', member),
            LexBound::NegInf => return out.write_arg(b"-"),
            LexBound::PosInf => return out.write_arg(b"+"),
        };
        let mut arg = Vec::with_capacity(member.len() + 1);
        arg.push(prefix);
        arg.extend_from_slice(member);
        out.write_arg(&arg);
    }
}

/// What a `ZRANGE`/`ZRANGESTORE` selects: ranks, scores (`BYSCORE`) or members
/// (`BYLEX`).
///
/// Score and member ranges are always given low to high (`min`, `max`); with
/// [`ZRangeOptions::rev`] the wrapper writes them high to low, as Redis wants for `REV`.
/// Rank ranges are written as given (with `REV`, rank 0 is the highest score).
#[derive(Debug, Clone, PartialEq)]
pub enum ZRange {
    /// By rank: `start` and `stop` are 0-based indexes, inclusive; negative ones count
    /// from the end (`0, -1` is everything).
    Rank {
        /// The first rank.
        start: i64,
        /// The last rank.
        stop: i64,
    },
    /// `BYSCORE`: members whose scores are between the bounds.
    Score {
        /// The low end.
        min: ScoreBound,
        /// The high end.
        max: ScoreBound,
    },
    /// `BYLEX`: members between the bounds, by member.
    Lex {
        /// The low end.
        min: LexBound,
        /// The high end.
        max: LexBound,
    },
}

impl ZRange {
    /// By rank, `start` to `stop` inclusive.
    pub fn rank(start: i64, stop: i64) -> ZRange {
        ZRange::Rank { start, stop }
    }

    /// Every member, by rank (`0 -1`).
    pub fn all() -> ZRange {
        ZRange::Rank { start: 0, stop: -1 }
    }

    /// By score; a plain `f64` is an inclusive bound.
    pub fn score<L: Into<ScoreBound>, H: Into<ScoreBound>>(min: L, max: H) -> ZRange {
        ZRange::Score {
            min: min.into(),
            max: max.into(),
        }
    }

    /// By member.
    pub fn lex(min: LexBound, max: LexBound) -> ZRange {
        ZRange::Lex { min, max }
    }

    fn write(&self, cmd: &mut Cmd, rev: bool) {
        match self {
            ZRange::Rank { start, stop } => {
                cmd.push_arg(start).push_arg(stop);
            }
            ZRange::Score { min, max } => {
                let (first, second) = if rev { (max, min) } else { (min, max) };
                cmd.push_arg(first).push_arg(second).push_arg("BYSCORE");
            }
            ZRange::Lex { min, max } => {
                let (first, second) = if rev { (max, min) } else { (min, max) };
                cmd.push_arg(first).push_arg(second).push_arg("BYLEX");
            }
        }
    }
}

/// Options of `ZRANGE`/`ZRANGESTORE`: `REV` and `LIMIT`.
///
/// `LIMIT` only goes with score and member ranges (Redis refuses it with ranks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZRangeOptions {
    rev: bool,
    limit: Option<(i64, i64)>,
}

impl ZRangeOptions {
    /// No options: ascending, unlimited.
    pub fn new() -> ZRangeOptions {
        ZRangeOptions::default()
    }

    /// `REV`: highest scores (or last members) first.
    #[must_use]
    pub fn rev(mut self) -> Self {
        self.rev = true;
        self
    }

    /// `LIMIT offset count`: skip `offset` matches and return at most `count` (a negative
    /// count: all the rest).
    #[must_use]
    pub fn limit(mut self, offset: i64, count: i64) -> Self {
        self.limit = Some((offset, count));
        self
    }
}

fn push_limit(cmd: &mut Cmd, limit: Option<(i64, i64)>) {
    if let Some((offset, count)) = limit {
        cmd.push_arg("LIMIT").push_arg(offset).push_arg(count);
    }
}

fn zrange_cmd(mut cmd: Cmd, range: &ZRange, options: &ZRangeOptions) -> Cmd {
    range.write(&mut cmd, options.rev);
    if options.rev {
        cmd.push_arg("REV");
    }
    push_limit(&mut cmd, options.limit);
    cmd
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]`: the members.
pub fn zrange_options<K: ToArgs>(
    key: K,
    range: ZRange,
    options: &ZRangeOptions,
) -> Typed<Vec<Bytes>> {
    Typed::new(zrange_cmd(Cmd::new("ZRANGE").arg(key), &range, options))
}

/// `ZRANGE ... WITHSCORES`: members with their scores. Redis refuses `WITHSCORES` with a
/// [`ZRange::Lex`] range.
pub fn zrange_withscores<K: ToArgs>(
    key: K,
    range: ZRange,
    options: &ZRangeOptions,
) -> Typed<Vec<(Bytes, f64)>> {
    let cmd = zrange_cmd(Cmd::new("ZRANGE").arg(key), &range, options);
    Typed::new(cmd.arg("WITHSCORES"))
}

/// `ZRANGESTORE dst src start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]`: stores
/// the range in `destination`, replying with its size.
pub fn zrangestore_options<D: ToArgs, S: ToArgs>(
    destination: D,
    source: S,
    range: ZRange,
    options: &ZRangeOptions,
) -> Typed<i64> {
    let cmd = Cmd::new("ZRANGESTORE").arg(destination).arg(source);
    Typed::new(zrange_cmd(cmd, &range, options))
}

// ---------------------------------------------------------------------------------------
// ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX
// ---------------------------------------------------------------------------------------

fn by_score<K: ToArgs>(
    name: &str,
    key: K,
    first: ScoreBound,
    second: ScoreBound,
    withscores: bool,
    limit: Option<(i64, i64)>,
) -> Cmd {
    let mut cmd = Cmd::new(name).arg(key).arg(first).arg(second);
    if withscores {
        cmd.push_arg("WITHSCORES");
    }
    push_limit(&mut cmd, limit);
    cmd
}

/// `ZRANGEBYSCORE key min max [LIMIT offset count]`: the members, lowest score first.
/// (`ZRANGE` with [`ZRange::score`] is the 6.2+ form.)
pub fn zrangebyscore_options<K: ToArgs>(
    key: K,
    min: ScoreBound,
    max: ScoreBound,
    limit: Option<(i64, i64)>,
) -> Typed<Vec<Bytes>> {
    Typed::new(by_score("ZRANGEBYSCORE", key, min, max, false, limit))
}

/// `ZRANGEBYSCORE key min max WITHSCORES [LIMIT offset count]`.
pub fn zrangebyscore_withscores<K: ToArgs>(
    key: K,
    min: ScoreBound,
    max: ScoreBound,
    limit: Option<(i64, i64)>,
) -> Typed<Vec<(Bytes, f64)>> {
    Typed::new(by_score("ZRANGEBYSCORE", key, min, max, true, limit))
}

/// `ZREVRANGEBYSCORE key max min [LIMIT offset count]`: the members, highest score first
/// (note Redis's order: `max` first).
pub fn zrevrangebyscore_options<K: ToArgs>(
    key: K,
    max: ScoreBound,
    min: ScoreBound,
    limit: Option<(i64, i64)>,
) -> Typed<Vec<Bytes>> {
    Typed::new(by_score("ZREVRANGEBYSCORE", key, max, min, false, limit))
}

/// `ZREVRANGEBYSCORE key max min WITHSCORES [LIMIT offset count]`.
pub fn zrevrangebyscore_withscores<K: ToArgs>(
    key: K,
    max: ScoreBound,
    min: ScoreBound,
    limit: Option<(i64, i64)>,
) -> Typed<Vec<(Bytes, f64)>> {
    Typed::new(by_score("ZREVRANGEBYSCORE", key, max, min, true, limit))
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`.
pub fn zrangebylex_options<K: ToArgs>(
    key: K,
    min: LexBound,
    max: LexBound,
    limit: Option<(i64, i64)>,
) -> Typed<Vec<Bytes>> {
    let mut cmd = Cmd::new("ZRANGEBYLEX").arg(key).arg(min).arg(max);
    push_limit(&mut cmd, limit);
    Typed::new(cmd)
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]` (note Redis's order: `max` first).
pub fn zrevrangebylex_options<K: ToArgs>(
    key: K,
    max: LexBound,
    min: LexBound,
    limit: Option<(i64, i64)>,
) -> Typed<Vec<Bytes>> {
    let mut cmd = Cmd::new("ZREVRANGEBYLEX").arg(key).arg(max).arg(min);
    push_limit(&mut cmd, limit);
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF and their STORE forms
// ---------------------------------------------------------------------------------------

/// How `ZUNION`/`ZINTER` combine the scores of a member found in several sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZAggregate {
    /// `SUM` (the default).
    Sum,
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
}

impl ToArgs for ZAggregate {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(match self {
            ZAggregate::Sum => b"SUM",
            ZAggregate::Min => b"MIN",
            ZAggregate::Max => b"MAX",
        });
    }
}

/// Options of `ZUNION`, `ZINTER` and their `STORE` forms: `WEIGHTS` and `AGGREGATE`.
///
/// Give one weight per key, in the keys' order (Redis refuses any other count).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZCombineOptions {
    weights: Vec<f64>,
    aggregate: Option<ZAggregate>,
}

impl ZCombineOptions {
    /// No options: weights of 1, scores summed.
    pub fn new() -> ZCombineOptions {
        ZCombineOptions::default()
    }

    /// `WEIGHTS weight...`: each set's scores are multiplied by its weight.
    #[must_use]
    pub fn weights<I: IntoIterator<Item = f64>>(mut self, weights: I) -> Self {
        self.weights = weights.into_iter().collect();
        self
    }

    /// `AGGREGATE SUM|MIN|MAX`.
    #[must_use]
    pub fn aggregate(mut self, aggregate: ZAggregate) -> Self {
        self.aggregate = Some(aggregate);
        self
    }
}

impl ToArgs for ZCombineOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if !self.weights.is_empty() {
            out.write_arg(b"WEIGHTS");
            for weight in &self.weights {
                out.write_arg_f64(*weight);
            }
        }
        if let Some(aggregate) = self.aggregate {
            out.write_arg(b"AGGREGATE");
            aggregate.write_args(out);
        }
    }
}

/// Finishes `cmd` (the name, and the destination of a STORE form) with numkeys, the
/// keys, the options and WITHSCORES.
fn combine<K: ToArgs>(
    mut cmd: Cmd,
    keys: &K,
    options: Option<&ZCombineOptions>,
    withscores: bool,
) -> Cmd {
    push_keys(&mut cmd, keys);
    if let Some(options) = options {
        cmd.push_arg(options);
    }
    if withscores {
        cmd.push_arg("WITHSCORES");
    }
    cmd
}

/// `ZUNION numkeys key... [WEIGHTS ...] [AGGREGATE ...]`: the members of the union.
pub fn zunion_options<K: ToArgs>(keys: K, options: &ZCombineOptions) -> Typed<Vec<Bytes>> {
    Typed::new(combine(Cmd::new("ZUNION"), &keys, Some(options), false))
}

/// `ZUNION ... WITHSCORES`: the union's members with their combined scores.
pub fn zunion_withscores<K: ToArgs>(
    keys: K,
    options: &ZCombineOptions,
) -> Typed<Vec<(Bytes, f64)>> {
    Typed::new(combine(Cmd::new("ZUNION"), &keys, Some(options), true))
}

/// `ZUNIONSTORE destination numkeys key... [WEIGHTS ...] [AGGREGATE ...]`: the size of
/// the stored union.
pub fn zunionstore_options<D: ToArgs, K: ToArgs>(
    destination: D,
    keys: K,
    options: &ZCombineOptions,
) -> Typed<i64> {
    Typed::new(combine(
        Cmd::new("ZUNIONSTORE").arg(destination),
        &keys,
        Some(options),
        false,
    ))
}

/// `ZINTER numkeys key... [WEIGHTS ...] [AGGREGATE ...]`: the members of the
/// intersection.
pub fn zinter_options<K: ToArgs>(keys: K, options: &ZCombineOptions) -> Typed<Vec<Bytes>> {
    Typed::new(combine(Cmd::new("ZINTER"), &keys, Some(options), false))
}

/// `ZINTER ... WITHSCORES`: the intersection's members with their combined scores.
pub fn zinter_withscores<K: ToArgs>(
    keys: K,
    options: &ZCombineOptions,
) -> Typed<Vec<(Bytes, f64)>> {
    Typed::new(combine(Cmd::new("ZINTER"), &keys, Some(options), true))
}

/// `ZINTERSTORE destination numkeys key... [WEIGHTS ...] [AGGREGATE ...]`: the size of
/// the stored intersection.
pub fn zinterstore_options<D: ToArgs, K: ToArgs>(
    destination: D,
    keys: K,
    options: &ZCombineOptions,
) -> Typed<i64> {
    Typed::new(combine(
        Cmd::new("ZINTERSTORE").arg(destination),
        &keys,
        Some(options),
        false,
    ))
}

/// `ZDIFF numkeys key...`: the members of the first set that are in none of the others.
pub fn zdiff_keys<K: ToArgs>(keys: K) -> Typed<Vec<Bytes>> {
    Typed::new(combine(Cmd::new("ZDIFF"), &keys, None, false))
}

/// `ZDIFF numkeys key... WITHSCORES`.
pub fn zdiff_withscores<K: ToArgs>(keys: K) -> Typed<Vec<(Bytes, f64)>> {
    Typed::new(combine(Cmd::new("ZDIFF"), &keys, None, true))
}

/// `ZDIFFSTORE destination numkeys key...`: the size of the stored difference.
pub fn zdiffstore_keys<D: ToArgs, K: ToArgs>(destination: D, keys: K) -> Typed<i64> {
    Typed::new(combine(
        Cmd::new("ZDIFFSTORE").arg(destination),
        &keys,
        None,
        false,
    ))
}

// ---------------------------------------------------------------------------------------
// ZMPOP, BZMPOP, ZRANDMEMBER, ZINTERCARD, SINTERCARD
// ---------------------------------------------------------------------------------------

/// Which end of a sorted set to pop from: the lowest (`MIN`) or highest (`MAX`) scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScoreEnd {
    /// `MIN`: the lowest scores.
    Min,
    /// `MAX`: the highest scores.
    Max,
}

impl ToArgs for ScoreEnd {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(match self {
            ScoreEnd::Min => b"MIN",
            ScoreEnd::Max => b"MAX",
        });
    }
}

/// `ZMPOP numkeys key... MIN|MAX [COUNT count]` (Redis 7.0+): pops up to `count` members
/// (default 1) from the first non-empty set. The reply is that set's name and the members
/// popped with their scores, or `None` if every set is empty.
// The reply type spelt out is clearer in the docs than an alias would be.
#[allow(clippy::type_complexity)]
pub fn zmpop_keys<K: ToArgs>(
    keys: K,
    end: ScoreEnd,
    count: Option<u64>,
) -> Typed<Option<(Bytes, Vec<(Bytes, f64)>)>> {
    let mut cmd = Cmd::new("ZMPOP");
    push_keys(&mut cmd, &keys);
    cmd.push_arg(end);
    push_count(&mut cmd, count);
    Typed::new(cmd)
}

/// `BZMPOP timeout numkeys key... MIN|MAX [COUNT count]` (Redis 7.0+): [`zmpop_keys`]
/// that waits up to `timeout` seconds (0: forever); `None` on timeout.
// The reply type spelt out is clearer in the docs than an alias would be.
#[allow(clippy::type_complexity)]
pub fn bzmpop_keys<K: ToArgs>(
    timeout: f64,
    keys: K,
    end: ScoreEnd,
    count: Option<u64>,
) -> Typed<Option<(Bytes, Vec<(Bytes, f64)>)>> {
    let mut cmd = Cmd::new("BZMPOP").arg(timeout);
    push_keys(&mut cmd, &keys);
    cmd.push_arg(end);
    push_count(&mut cmd, count);
    Typed::new(cmd)
}

/// `ZRANDMEMBER key count`: up to `count` distinct random members, or with a negative
/// count exactly `-count` members, possibly repeated.
pub fn zrandmember_count<K: ToArgs>(key: K, count: i64) -> Typed<Vec<Bytes>> {
    Typed::new(Cmd::new("ZRANDMEMBER").arg(key).arg(count))
}

/// `ZRANDMEMBER key count WITHSCORES`: like [`zrandmember_count`], with scores.
pub fn zrandmember_withscores<K: ToArgs>(key: K, count: i64) -> Typed<Vec<(Bytes, f64)>> {
    Typed::new(
        Cmd::new("ZRANDMEMBER")
            .arg(key)
            .arg(count)
            .arg("WITHSCORES"),
    )
}

fn intercard<K: ToArgs>(name: &str, keys: &K, limit: Option<u64>) -> Cmd {
    let mut cmd = Cmd::new(name);
    push_keys(&mut cmd, keys);
    if let Some(limit) = limit {
        cmd.push_arg("LIMIT").push_arg(limit);
    }
    cmd
}

/// `ZINTERCARD numkeys key... [LIMIT limit]` (Redis 7.0+): the size of the intersection,
/// counting stopped at `limit` (0: no limit).
pub fn zintercard_keys<K: ToArgs>(keys: K, limit: Option<u64>) -> Typed<i64> {
    Typed::new(intercard("ZINTERCARD", &keys, limit))
}

/// `SINTERCARD numkeys key... [LIMIT limit]` (Redis 7.0+): the size of the intersection
/// of sets, counting stopped at `limit` (0: no limit).
pub fn sintercard_keys<K: ToArgs>(keys: K, limit: Option<u64>) -> Typed<i64> {
    Typed::new(intercard("SINTERCARD", &keys, limit))
}
