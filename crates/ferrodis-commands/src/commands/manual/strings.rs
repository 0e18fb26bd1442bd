//! Hand-written wrappers for string, key and list commands whose options a generated
//! signature cannot express well: SET, GETEX, the EXPIRE family, LPOS, BITFIELD,
//! BITCOUNT/BITPOS ranges, COPY and LMPOP/BLMPOP.
//!
//! # Why these are written by hand
//!
//! The generated constructors follow Redis's syntax one argument at a time. That is fine
//! for `GET key`, but not for `SET key value [NX | XX] [GET] [EX seconds | PX ms | ...]`:
//! a signature with one `Option` per token accepts `NX` and `XX` together, makes the
//! caller remember which token goes where, and cannot say that `GET` changes what the
//! reply means. The wrappers here take a small builder instead, write its options in the
//! order Redis's syntax gives (whatever order the builder methods were called in), and
//! return a [`Typed`] whose reply type fits the form that was sent.
//!
//! # Naming convention (for every hand-written wrapper in this crate)
//!
//! A generated method is the command's snake_case name (`set`, `zadd`, `zrange`, `sort`,
//! `client_kill`). A hand-written wrapper never takes that name: it is the same name plus
//! a suffix that says what the wrapper adds, so both can live on the same client.
//!
//! | suffix | adds | examples |
//! |---|---|---|
//! | `_options` | an options builder or a flag enum | [`set_options`], [`zrange_options`](crate::commands::zrange_options), [`sort_options`](crate::commands::sort_options), [`expire_options`], [`flushall_options`](crate::commands::flushall_options) |
//! | `_keys` | a list of keys whose count is written as `numkeys` | [`lmpop_keys`], [`eval_keys`](crate::commands::eval_keys), [`zintercard_keys`](crate::commands::zintercard_keys) |
//! | `_get`, `_incr`, `_count`, `_withscores`, `_store` | a flag that changes the reply's shape; the wrapper's reply type follows it | [`set_get`], [`zadd_incr`](crate::commands::zadd_incr), [`lpos_count`], [`zrange_withscores`](crate::commands::zrange_withscores), [`sort_store`](crate::commands::sort_store) |
//! | `_ops`, `_range`, `_filter`, `_type`, `_ids` | what the command is about: BITFIELD operations, BITCOUNT/BITPOS ranges, CLIENT KILL filters, CLIENT LIST selections | [`bitfield_ops`], [`bitcount_range`], [`client_kill_filter`](crate::commands::client_kill_filter) |
//!
//! A flag that changes the reply's shape (SET's `GET`, ZADD's `INCR`, LPOS's `COUNT`,
//! `WITHSCORES`, SORT's `STORE`) is never an option of a builder: it is its own wrapper,
//! so that the default reply type is always right.
//!
//! Option builders are plain structs: `Default`, `Clone`, `Debug`, chainable methods that
//! take and return `Self`, and when two options exclude each other (`NX`/`XX`, `EX`/`PX`)
//! the last call wins. They also implement [`ToArgs`], so they can be appended to a
//! [`Cmd`] built by hand.
//!
//! ```
//! use ferrodis_commands::commands::{set_options, SetOptions};
//!
//! // Builder calls in any order; arguments in Redis's order.
//! let cmd = set_options("session", "token", &SetOptions::new().ex(60).nx());
//! assert_eq!(
//!     cmd.cmd().args().collect::<Vec<_>>(),
//!     [&b"SET"[..], b"session", b"token", b"NX", b"EX", b"60"]
//! );
//! ```

use bytes::Bytes;

use crate::{ArgWriter, Cmd, ToArgs, Typed};

/// Counts the arguments a value writes, without writing them: how `numkeys` is computed.
pub(crate) fn arg_count<T: ToArgs + ?Sized>(value: &T) -> usize {
    struct Counter(usize);
    impl ArgWriter for Counter {
        fn write_arg(&mut self, _arg: &[u8]) {
            self.0 += 1;
        }
        fn write_arg_i64(&mut self, _n: i64) {
            self.0 += 1;
        }
        fn write_arg_u64(&mut self, _n: u64) {
            self.0 += 1;
        }
        fn write_arg_f64(&mut self, _x: f64) {
            self.0 += 1;
        }
    }
    let mut counter = Counter(0);
    value.write_args(&mut counter);
    counter.0
}

/// Writes `numkeys` and then the keys.
pub(crate) fn push_keys<K: ToArgs + ?Sized>(cmd: &mut Cmd, keys: &K) {
    cmd.push_arg(arg_count(keys));
    cmd.push_arg(keys);
}

/// Writes `COUNT n` if a count is given.
pub(crate) fn push_count(cmd: &mut Cmd, count: Option<u64>) {
    if let Some(count) = count {
        cmd.push_arg("COUNT").push_arg(count);
    }
}

// ---------------------------------------------------------------------------------------
// SET, GETEX
// ---------------------------------------------------------------------------------------

/// `NX` or `XX`: set only if the key does not, or does, exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existence {
    Nx,
    Xx,
}

impl Existence {
    fn token(self) -> &'static str {
        match self {
            Existence::Nx => "NX",
            Existence::Xx => "XX",
        }
    }
}

/// An expiry as SET and GETEX take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    Ex(u64),
    Px(u64),
    ExAt(u64),
    PxAt(u64),
    /// SET only.
    KeepTtl,
    /// GETEX only.
    Persist,
}

impl ToArgs for Expiry {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        let (token, n) = match *self {
            Expiry::Ex(n) => ("EX", n),
            Expiry::Px(n) => ("PX", n),
            Expiry::ExAt(n) => ("EXAT", n),
            Expiry::PxAt(n) => ("PXAT", n),
            Expiry::KeepTtl => return out.write_arg(b"KEEPTTL"),
            Expiry::Persist => return out.write_arg(b"PERSIST"),
        };
        out.write_arg(token.as_bytes());
        out.write_arg_u64(n);
    }
}

/// Options of `SET`: a condition (`NX` or `XX`) and an expiry (`EX`, `PX`, `EXAT`,
/// `PXAT` or `KEEPTTL`). Of each group, the last method called wins.
///
/// `GET` is not an option here: it changes the reply from "was it set" to "the old
/// value", so it is its own wrapper, [`set_get`].
///
/// ```
/// use ferrodis_commands::commands::{set_options, SetOptions};
///
/// let options = SetOptions::new().px(1500).xx();
/// let cmd = set_options("k", "v", &options);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"SET"[..], b"k", b"v", b"XX", b"PX", b"1500"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetOptions {
    condition: Option<Existence>,
    expiry: Option<Expiry>,
}

impl SetOptions {
    /// No options: a plain `SET key value`.
    pub fn new() -> SetOptions {
        SetOptions::default()
    }

    /// `NX`: set only if the key does not exist.
    #[must_use]
    pub fn nx(mut self) -> Self {
        self.condition = Some(Existence::Nx);
        self
    }

    /// `XX`: set only if the key already exists.
    #[must_use]
    pub fn xx(mut self) -> Self {
        self.condition = Some(Existence::Xx);
        self
    }

    /// `EX seconds`: expire after this many seconds.
    #[must_use]
    pub fn ex(mut self, seconds: u64) -> Self {
        self.expiry = Some(Expiry::Ex(seconds));
        self
    }

    /// `PX milliseconds`: expire after this many milliseconds.
    #[must_use]
    pub fn px(mut self, milliseconds: u64) -> Self {
        self.expiry = Some(Expiry::Px(milliseconds));
        self
    }

    /// `EXAT unix-time-seconds`: expire at this Unix time, in seconds.
    #[must_use]
    pub fn exat(mut self, unix_seconds: u64) -> Self {
        self.expiry = Some(Expiry::ExAt(unix_seconds));
        self
    }

    /// `PXAT unix-time-milliseconds`: expire at this Unix time, in milliseconds.
    #[must_use]
    pub fn pxat(mut self, unix_milliseconds: u64) -> Self {
        self.expiry = Some(Expiry::PxAt(unix_milliseconds));
        self
    }

    /// `KEEPTTL`: keep the time to live the key already has (a plain SET removes it).
    #[must_use]
    pub fn keepttl(mut self) -> Self {
        self.expiry = Some(Expiry::KeepTtl);
        self
    }

    fn write<W: ArgWriter + ?Sized>(&self, out: &mut W, get: bool) {
        if let Some(condition) = self.condition {
            out.write_arg(condition.token().as_bytes());
        }
        if get {
            out.write_arg(b"GET");
        }
        if let Some(expiry) = &self.expiry {
            expiry.write_args(out);
        }
    }
}

/// Writes the options as `SET` takes them: `[NX | XX] [EX ... | KEEPTTL]`.
impl ToArgs for SetOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        self.write(out, false);
    }
}

/// `SET key value [NX | XX] [expiry]`.
///
/// The reply is `OK`, or nil when `NX` or `XX` kept the value from being set; the default
/// reply type, `bool`, says whether the value was set.
pub fn set_options<K: ToArgs, V: ToArgs>(key: K, value: V, options: &SetOptions) -> Typed<bool> {
    let mut cmd = Cmd::new("SET").arg(key).arg(value);
    options.write(&mut cmd, false);
    Typed::new(cmd)
}

/// `SET key value [NX | XX] GET [expiry]`: sets the value and returns the old one.
///
/// The reply is the value the key held before, or nil if it held none (with `NX`, a
/// non-nil reply means the key existed and was left alone; with `XX`, nil means it did not
/// exist and nothing was set). A key holding a non-string is an error.
pub fn set_get<K: ToArgs, V: ToArgs>(
    key: K,
    value: V,
    options: &SetOptions,
) -> Typed<Option<Bytes>> {
    let mut cmd = Cmd::new("SET").arg(key).arg(value);
    options.write(&mut cmd, true);
    Typed::new(cmd)
}

/// Options of `GETEX`: one of `EX`, `PX`, `EXAT`, `PXAT` or `PERSIST`; the last method
/// called wins. With none, `GETEX` is a `GET`.
///
/// ```
/// use ferrodis_commands::commands::{getex_options, GetExOptions};
///
/// let cmd = getex_options("k", &GetExOptions::new().persist());
/// assert_eq!(cmd.cmd().args().collect::<Vec<_>>(), [&b"GETEX"[..], b"k", b"PERSIST"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetExOptions {
    expiry: Option<Expiry>,
}

impl GetExOptions {
    /// No options.
    pub fn new() -> GetExOptions {
        GetExOptions::default()
    }

    /// `EX seconds`.
    #[must_use]
    pub fn ex(mut self, seconds: u64) -> Self {
        self.expiry = Some(Expiry::Ex(seconds));
        self
    }

    /// `PX milliseconds`.
    #[must_use]
    pub fn px(mut self, milliseconds: u64) -> Self {
        self.expiry = Some(Expiry::Px(milliseconds));
        self
    }

    /// `EXAT unix-time-seconds`.
    #[must_use]
    pub fn exat(mut self, unix_seconds: u64) -> Self {
        self.expiry = Some(Expiry::ExAt(unix_seconds));
        self
    }

    /// `PXAT unix-time-milliseconds`.
    #[must_use]
    pub fn pxat(mut self, unix_milliseconds: u64) -> Self {
        self.expiry = Some(Expiry::PxAt(unix_milliseconds));
        self
    }

    /// `PERSIST`: remove the key's time to live.
    #[must_use]
    pub fn persist(mut self) -> Self {
        self.expiry = Some(Expiry::Persist);
        self
    }
}

impl ToArgs for GetExOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(expiry) = &self.expiry {
            expiry.write_args(out);
        }
    }
}

/// `GETEX key [EX ... | PERSIST]`: the value (nil if the key does not exist), changing
/// its expiry.
pub fn getex_options<K: ToArgs>(key: K, options: &GetExOptions) -> Typed<Option<Bytes>> {
    Typed::new(Cmd::new("GETEX").arg(key).arg(options))
}

// ---------------------------------------------------------------------------------------
// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT
// ---------------------------------------------------------------------------------------

/// When `EXPIRE` and its kin (Redis 7.0+) set the expiry.
///
/// A key with no expiry counts as having an infinite one for `Gt` and `Lt`. Redis accepts
/// `XX` together with `GT` or `LT`, hence [`XxGt`](ExpireCondition::XxGt) and
/// [`XxLt`](ExpireCondition::XxLt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpireCondition {
    /// `NX`: only if the key has no expiry.
    Nx,
    /// `XX`: only if the key has an expiry.
    Xx,
    /// `GT`: only if the new expiry is later than the current one.
    Gt,
    /// `LT`: only if the new expiry is earlier than the current one.
    Lt,
    /// `XX GT`: only if the key has an expiry and the new one is later.
    XxGt,
    /// `XX LT`: only if the key has an expiry and the new one is earlier.
    XxLt,
}

impl ToArgs for ExpireCondition {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match self {
            ExpireCondition::Nx => out.write_arg(b"NX"),
            ExpireCondition::Xx => out.write_arg(b"XX"),
            ExpireCondition::Gt => out.write_arg(b"GT"),
            ExpireCondition::Lt => out.write_arg(b"LT"),
            ExpireCondition::XxGt => {
                out.write_arg(b"XX");
                out.write_arg(b"GT");
            }
            ExpireCondition::XxLt => {
                out.write_arg(b"XX");
                out.write_arg(b"LT");
            }
        }
    }
}

/// `EXPIRE key seconds NX|XX|GT|LT`: whether the expiry was set.
pub fn expire_options<K: ToArgs>(key: K, seconds: i64, condition: ExpireCondition) -> Typed<bool> {
    Typed::new(Cmd::new("EXPIRE").arg(key).arg(seconds).arg(condition))
}

/// `PEXPIRE key milliseconds NX|XX|GT|LT`: whether the expiry was set.
pub fn pexpire_options<K: ToArgs>(
    key: K,
    milliseconds: i64,
    condition: ExpireCondition,
) -> Typed<bool> {
    Typed::new(
        Cmd::new("PEXPIRE")
            .arg(key)
            .arg(milliseconds)
            .arg(condition),
    )
}

/// `EXPIREAT key unix-time-seconds NX|XX|GT|LT`: whether the expiry was set.
pub fn expireat_options<K: ToArgs>(
    key: K,
    unix_seconds: i64,
    condition: ExpireCondition,
) -> Typed<bool> {
    Typed::new(
        Cmd::new("EXPIREAT")
            .arg(key)
            .arg(unix_seconds)
            .arg(condition),
    )
}

/// `PEXPIREAT key unix-time-milliseconds NX|XX|GT|LT`: whether the expiry was set.
pub fn pexpireat_options<K: ToArgs>(
    key: K,
    unix_milliseconds: i64,
    condition: ExpireCondition,
) -> Typed<bool> {
    Typed::new(
        Cmd::new("PEXPIREAT")
            .arg(key)
            .arg(unix_milliseconds)
            .arg(condition),
    )
}

// ---------------------------------------------------------------------------------------
// LPOS
// ---------------------------------------------------------------------------------------

/// Options of `LPOS`: `RANK` (which match to start from; negative counts from the tail)
/// and `MAXLEN` (how many elements to compare at most). `COUNT` changes the reply to a
/// list, so it is the parameter of [`lpos_count`] instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LPosOptions {
    rank: Option<i64>,
    maxlen: Option<u64>,
}

impl LPosOptions {
    /// No options: the first match from the head, scanning the whole list.
    pub fn new() -> LPosOptions {
        LPosOptions::default()
    }

    /// `RANK rank`: skip to the `rank`-th match (1 is the first; -1 the last, scanning
    /// from the tail).
    #[must_use]
    pub fn rank(mut self, rank: i64) -> Self {
        self.rank = Some(rank);
        self
    }

    /// `MAXLEN len`: compare at most `len` elements (0: no limit).
    #[must_use]
    pub fn maxlen(mut self, len: u64) -> Self {
        self.maxlen = Some(len);
        self
    }

    fn write(&self, cmd: &mut Cmd, count: Option<u64>) {
        if let Some(rank) = self.rank {
            cmd.push_arg("RANK").push_arg(rank);
        }
        push_count(cmd, count);
        if let Some(len) = self.maxlen {
            cmd.push_arg("MAXLEN").push_arg(len);
        }
    }
}

/// `LPOS key element [RANK rank] [MAXLEN len]`: the index of the match, or `None`.
pub fn lpos_options<K: ToArgs, E: ToArgs>(
    key: K,
    element: E,
    options: &LPosOptions,
) -> Typed<Option<i64>> {
    let mut cmd = Cmd::new("LPOS").arg(key).arg(element);
    options.write(&mut cmd, None);
    Typed::new(cmd)
}

/// `LPOS key element [RANK rank] COUNT count [MAXLEN len]`: the indexes of up to `count`
/// matches (0: all of them); empty if there is none.
pub fn lpos_count<K: ToArgs, E: ToArgs>(
    key: K,
    element: E,
    count: u64,
    options: &LPosOptions,
) -> Typed<Vec<i64>> {
    let mut cmd = Cmd::new("LPOS").arg(key).arg(element);
    options.write(&mut cmd, Some(count));
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// BITFIELD, BITFIELD_RO
// ---------------------------------------------------------------------------------------

/// The integer type of a `BITFIELD` operation: `i1` to `i64`, `u1` to `u63`, written as
/// Redis spells it (`"u8"`, `"i5"`). Widths are checked by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitFieldType {
    /// A signed integer of this many bits (`i<bits>`).
    Signed(u8),
    /// An unsigned integer of this many bits (`u<bits>`).
    Unsigned(u8),
}

impl BitFieldType {
    /// `u8`.
    pub const U8: BitFieldType = BitFieldType::Unsigned(8);
    /// `i8`.
    pub const I8: BitFieldType = BitFieldType::Signed(8);
    /// `u16`.
    pub const U16: BitFieldType = BitFieldType::Unsigned(16);
    /// `i16`.
    pub const I16: BitFieldType = BitFieldType::Signed(16);
    /// `u32`.
    pub const U32: BitFieldType = BitFieldType::Unsigned(32);
    /// `i32`.
    pub const I32: BitFieldType = BitFieldType::Signed(32);
    /// `i64`.
    pub const I64: BitFieldType = BitFieldType::Signed(64);

    /// The type's width in bits.
    pub fn bits(self) -> u8 {
        match self {
            BitFieldType::Signed(bits) | BitFieldType::Unsigned(bits) => bits,
        }
    }
}

impl ToArgs for BitFieldType {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        let (sign, bits) = match *self {
            BitFieldType::Signed(bits) => (b'i', bits),
            BitFieldType::Unsigned(bits) => (b'u', bits),
        };
        let mut buf = [0u8; 4];
        buf[0] = sign;
        let mut digits = [0u8; 20];
        let digits = ferrodis_resp::format_u64(u64::from(bits), &mut digits);
        buf[1..1 + digits.len()].copy_from_slice(digits);
        out.write_arg(&buf[..1 + digits.len()]);
    }
}

/// Where a `BITFIELD` integer starts: at a bit offset (`100`), or at the n-th integer of
/// the operation's type (`#2`, which is bit `2 * width`).
///
/// Converts from `u64` (a bit offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitFieldOffset {
    /// A bit offset.
    Bit(u64),
    /// The n-th integer of the operation's width, written `#n`.
    Index(u64),
}

impl From<u64> for BitFieldOffset {
    fn from(bit: u64) -> Self {
        BitFieldOffset::Bit(bit)
    }
}

impl ToArgs for BitFieldOffset {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match *self {
            BitFieldOffset::Bit(n) => out.write_arg_u64(n),
            BitFieldOffset::Index(n) => {
                let mut buf = [0u8; 21];
                buf[0] = b'#';
                let mut digits = [0u8; 20];
                let digits = ferrodis_resp::format_u64(n, &mut digits);
                buf[1..1 + digits.len()].copy_from_slice(digits);
                out.write_arg(&buf[..1 + digits.len()]);
            }
        }
    }
}

/// What `SET` and `INCRBY` operations that follow do on overflow (`OVERFLOW ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitFieldOverflow {
    /// `WRAP` (the default): wrap around.
    Wrap,
    /// `SAT`: saturate at the type's minimum or maximum.
    Sat,
    /// `FAIL`: do nothing; the operation's reply is nil.
    Fail,
}

impl ToArgs for BitFieldOverflow {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(match self {
            BitFieldOverflow::Wrap => b"WRAP",
            BitFieldOverflow::Sat => b"SAT",
            BitFieldOverflow::Fail => b"FAIL",
        });
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum BitFieldOp {
    Get(BitFieldType, BitFieldOffset),
    Set(BitFieldType, BitFieldOffset, i64),
    IncrBy(BitFieldType, BitFieldOffset, i64),
    Overflow(BitFieldOverflow),
}

/// The operations of one `BITFIELD` command, sent in the order they were added (unlike
/// option builders, order matters here: `OVERFLOW` applies to the operations after it).
///
/// ```
/// use ferrodis_commands::commands::{bitfield_ops, BitFieldOffset, BitFieldOps, BitFieldOverflow, BitFieldType};
///
/// let ops = BitFieldOps::new()
///     .set(BitFieldType::U8, BitFieldOffset::Index(1), 200)
///     .overflow(BitFieldOverflow::Fail)
///     .incrby(BitFieldType::Signed(5), 100u64, 1)
///     .get(BitFieldType::U8, 0u64);
/// let cmd = bitfield_ops("counters", &ops);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"BITFIELD"[..], b"counters", b"SET", b"u8", b"#1", b"200", b"OVERFLOW", b"FAIL",
///      b"INCRBY", b"i5", b"100", b"1", b"GET", b"u8", b"0"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BitFieldOps {
    ops: Vec<BitFieldOp>,
}

impl BitFieldOps {
    /// No operations yet.
    pub fn new() -> BitFieldOps {
        BitFieldOps::default()
    }

    /// `GET type offset`.
    #[must_use]
    pub fn get<O: Into<BitFieldOffset>>(mut self, ty: BitFieldType, offset: O) -> Self {
        self.ops.push(BitFieldOp::Get(ty, offset.into()));
        self
    }

    /// `SET type offset value`: its reply is the old value.
    #[must_use]
    pub fn set<O: Into<BitFieldOffset>>(mut self, ty: BitFieldType, offset: O, value: i64) -> Self {
        self.ops.push(BitFieldOp::Set(ty, offset.into(), value));
        self
    }

    /// `INCRBY type offset increment`: its reply is the new value.
    #[must_use]
    pub fn incrby<O: Into<BitFieldOffset>>(
        mut self,
        ty: BitFieldType,
        offset: O,
        increment: i64,
    ) -> Self {
        self.ops
            .push(BitFieldOp::IncrBy(ty, offset.into(), increment));
        self
    }

    /// `OVERFLOW WRAP|SAT|FAIL`, for the `SET` and `INCRBY` operations after it.
    #[must_use]
    pub fn overflow(mut self, overflow: BitFieldOverflow) -> Self {
        self.ops.push(BitFieldOp::Overflow(overflow));
        self
    }

    /// How many operations have been added (`OVERFLOW` counts).
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether no operation has been added.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

impl ToArgs for BitFieldOps {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        for op in &self.ops {
            match op {
                BitFieldOp::Get(ty, offset) => {
                    out.write_arg(b"GET");
                    ty.write_args(out);
                    offset.write_args(out);
                }
                BitFieldOp::Set(ty, offset, value) => {
                    out.write_arg(b"SET");
                    ty.write_args(out);
                    offset.write_args(out);
                    out.write_arg_i64(*value);
                }
                BitFieldOp::IncrBy(ty, offset, increment) => {
                    out.write_arg(b"INCRBY");
                    ty.write_args(out);
                    offset.write_args(out);
                    out.write_arg_i64(*increment);
                }
                BitFieldOp::Overflow(overflow) => {
                    out.write_arg(b"OVERFLOW");
                    overflow.write_args(out);
                }
            }
        }
    }
}

/// `BITFIELD key op...`: one reply per `GET`, `SET` and `INCRBY` (not `OVERFLOW`), nil
/// where `OVERFLOW FAIL` stopped the operation.
pub fn bitfield_ops<K: ToArgs>(key: K, ops: &BitFieldOps) -> Typed<Vec<Option<i64>>> {
    Typed::new(Cmd::new("BITFIELD").arg(key).arg(ops))
}

/// `BITFIELD_RO key GET type offset ...`: the read-only form (usable on replicas), which
/// only takes `GET`s; one integer per `GET`.
pub fn bitfield_ro_ops<K: ToArgs>(
    key: K,
    gets: &[(BitFieldType, BitFieldOffset)],
) -> Typed<Vec<i64>> {
    let mut cmd = Cmd::new("BITFIELD_RO").arg(key);
    for (ty, offset) in gets {
        cmd.push_arg("GET").push_arg(ty).push_arg(offset);
    }
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// BITCOUNT, BITPOS
// ---------------------------------------------------------------------------------------

/// The unit of a `BITCOUNT`/`BITPOS` range.
///
/// `Byte` is Redis's default and is not written, so byte ranges also work on servers
/// before 7.0; `Bit` (7.0+) writes `BIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BitUnit {
    /// Start and end are byte indexes.
    #[default]
    Byte,
    /// Start and end are bit indexes (Redis 7.0+).
    Bit,
}

/// `BITCOUNT key start end [BIT]`: the number of set bits in the range (negative indexes
/// count from the end).
pub fn bitcount_range<K: ToArgs>(key: K, start: i64, end: i64, unit: BitUnit) -> Typed<i64> {
    let mut cmd = Cmd::new("BITCOUNT").arg(key).arg(start).arg(end);
    if unit == BitUnit::Bit {
        cmd.push_arg("BIT");
    }
    Typed::new(cmd)
}

/// `BITPOS key bit start [end [BIT]]`: the position of the first bit set to `bit` in the
/// range, or -1. With no `end` the range runs to the end of the string (in bits, `end` is
/// written as `-1`, which means the same).
pub fn bitpos_range<K: ToArgs>(
    key: K,
    bit: bool,
    start: i64,
    end: Option<i64>,
    unit: BitUnit,
) -> Typed<i64> {
    let mut cmd = Cmd::new("BITPOS").arg(key).arg(u8::from(bit)).arg(start);
    match (end, unit) {
        (Some(end), BitUnit::Byte) => cmd.push_arg(end),
        (None, BitUnit::Byte) => &mut cmd,
        (end, BitUnit::Bit) => cmd.push_arg(end.unwrap_or(-1)).push_arg("BIT"),
    };
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// COPY
// ---------------------------------------------------------------------------------------

/// Options of `COPY`: the destination database and `REPLACE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyOptions {
    db: Option<i64>,
    replace: bool,
}

impl CopyOptions {
    /// No options: copy within the current database, failing if the destination exists.
    pub fn new() -> CopyOptions {
        CopyOptions::default()
    }

    /// `DB destination-db`: copy into another database.
    #[must_use]
    pub fn db(mut self, db: i64) -> Self {
        self.db = Some(db);
        self
    }

    /// `REPLACE`: overwrite the destination if it exists.
    #[must_use]
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }
}

impl ToArgs for CopyOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(db) = self.db {
            out.write_arg(b"DB");
            out.write_arg_i64(db);
        }
        if self.replace {
            out.write_arg(b"REPLACE");
        }
    }
}

/// `COPY source destination [DB db] [REPLACE]`: whether the key was copied.
pub fn copy_options<S: ToArgs, D: ToArgs>(
    source: S,
    destination: D,
    options: &CopyOptions,
) -> Typed<bool> {
    Typed::new(Cmd::new("COPY").arg(source).arg(destination).arg(options))
}

// ---------------------------------------------------------------------------------------
// LMPOP, BLMPOP
// ---------------------------------------------------------------------------------------

/// An end of a list: `LEFT` (the head) or `RIGHT` (the tail). Also usable as the
/// `wherefrom`/`whereto` of the generated `LMOVE` and `BLMOVE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListEnd {
    /// `LEFT`: the head.
    Left,
    /// `RIGHT`: the tail.
    Right,
}

impl ToArgs for ListEnd {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(match self {
            ListEnd::Left => b"LEFT",
            ListEnd::Right => b"RIGHT",
        });
    }
}

/// `LMPOP numkeys key... LEFT|RIGHT [COUNT count]` (Redis 7.0+): pops up to `count`
/// elements (default 1) from the first non-empty list. The reply is that list's name and
/// the elements popped, or `None` if every list is empty. `numkeys` is counted from
/// `keys`.
pub fn lmpop_keys<K: ToArgs>(
    keys: K,
    end: ListEnd,
    count: Option<u64>,
) -> Typed<Option<(Bytes, Vec<Bytes>)>> {
    let mut cmd = Cmd::new("LMPOP");
    push_keys(&mut cmd, &keys);
    cmd.push_arg(end);
    push_count(&mut cmd, count);
    Typed::new(cmd)
}

/// `BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT count]` (Redis 7.0+): [`lmpop_keys`]
/// that waits up to `timeout` seconds (0: forever) for an element; `None` on timeout.
///
/// A blocking command holds its connection until it returns: give the connection a read
/// timeout longer than `timeout`.
pub fn blmpop_keys<K: ToArgs>(
    timeout: f64,
    keys: K,
    end: ListEnd,
    count: Option<u64>,
) -> Typed<Option<(Bytes, Vec<Bytes>)>> {
    let mut cmd = Cmd::new("BLMPOP").arg(timeout);
    push_keys(&mut cmd, &keys);
    cmd.push_arg(end);
    push_count(&mut cmd, count);
    Typed::new(cmd)
}
