//! Hand-written wrappers for server, scripting and key-management commands: CLIENT KILL
//! filters, CLIENT LIST selections, SORT, RESTORE, MIGRATE, the raw EVAL/FCALL family,
//! FLUSHALL/FLUSHDB/SCRIPT FLUSH/FUNCTION FLUSH modes, SHUTDOWN, FAILOVER and CLIENT
//! PAUSE.
//!
//! # Why these are written by hand
//!
//! These commands take keyword arguments that a positional signature handles badly:
//! CLIENT KILL's filters combine, SORT has seven optional clauses in a fixed order (one
//! of them repeatable), MIGRATE carries a password. The EVAL and FCALL families need
//! `numkeys`, which the wrappers count from the keys given: the keys and the other
//! arguments are separate parameters, so a key can never be sent where an argument is
//! expected (which would break cluster routing). The naming convention (a suffix on the
//! command's name) is described in [`strings`](crate::commands::set_options)'s module
//! docs.
//!
//! ```
//! use ferrodis_commands::commands::{eval_keys, sort_options, SortOptions};
//!
//! let cmd = eval_keys("return redis.call('GET', KEYS[1])", ["user:1"], [""; 0]);
//! assert_eq!(
//!     cmd.cmd().args().collect::<Vec<_>>(),
//!     [&b"EVAL"[..], b"return redis.call('GET', KEYS[1])", b"1", b"user:1"]
//! );
//!
//! let cmd = sort_options("ids", &SortOptions::new().alpha().desc().limit(0, 10).get("#").get("name_*"));
//! assert_eq!(
//!     cmd.cmd().args().collect::<Vec<_>>(),
//!     [&b"SORT"[..], b"ids", b"LIMIT", b"0", b"10", b"GET", b"#", b"GET", b"name_*", b"DESC", b"ALPHA"]
//! );
//! ```

use std::fmt;

use bytes::Bytes;

use super::strings::push_keys;
use crate::replies::ClientList;
use crate::{ArgWriter, Cmd, ToArgs, Typed, Value};

// ---------------------------------------------------------------------------------------
// CLIENT KILL, CLIENT LIST, CLIENT PAUSE
// ---------------------------------------------------------------------------------------

/// A type of client connection, as `CLIENT KILL TYPE` and `CLIENT LIST TYPE` take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientType {
    /// `normal`: ordinary clients.
    Normal,
    /// `master`: the connection to this replica's master.
    Master,
    /// `replica`: connections of replicas.
    Replica,
    /// `pubsub`: clients in subscribed mode.
    Pubsub,
}

impl ToArgs for ClientType {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(match self {
            ClientType::Normal => b"normal",
            ClientType::Master => b"master",
            ClientType::Replica => b"replica",
            ClientType::Pubsub => b"pubsub",
        });
    }
}

/// The filters of `CLIENT KILL`: a client is closed if it matches all of them. Setting a
/// filter twice keeps the last value.
///
/// ```
/// use ferrodis_commands::commands::{client_kill_filter, ClientKillFilter, ClientType};
///
/// let filter = ClientKillFilter::new().skipme(false).client_type(ClientType::Pubsub).user("app");
/// let cmd = client_kill_filter(&filter);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"CLIENT"[..], b"KILL", b"TYPE", b"pubsub", b"USER", b"app", b"SKIPME", b"no"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientKillFilter {
    id: Option<u64>,
    client_type: Option<ClientType>,
    user: Option<Bytes>,
    addr: Option<Bytes>,
    laddr: Option<Bytes>,
    skipme: Option<bool>,
    maxage: Option<u64>,
}

impl ClientKillFilter {
    /// No filter yet (Redis needs at least one).
    pub fn new() -> ClientKillFilter {
        ClientKillFilter::default()
    }

    /// `ID client-id`: the client with this id (see `CLIENT ID`).
    #[must_use]
    pub fn id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// `TYPE normal|master|replica|pubsub`.
    #[must_use]
    pub fn client_type(mut self, client_type: ClientType) -> Self {
        self.client_type = Some(client_type);
        self
    }

    /// `USER username`: clients authenticated as this ACL user.
    #[must_use]
    pub fn user<U: AsRef<[u8]>>(mut self, user: U) -> Self {
        self.user = Some(Bytes::copy_from_slice(user.as_ref()));
        self
    }

    /// `ADDR ip:port`: the client connected from this address.
    #[must_use]
    pub fn addr<A: AsRef<[u8]>>(mut self, addr: A) -> Self {
        self.addr = Some(Bytes::copy_from_slice(addr.as_ref()));
        self
    }

    /// `LADDR ip:port`: clients connected to this local address of the server.
    #[must_use]
    pub fn laddr<A: AsRef<[u8]>>(mut self, laddr: A) -> Self {
        self.laddr = Some(Bytes::copy_from_slice(laddr.as_ref()));
        self
    }

    /// `SKIPME yes|no`: whether to spare the connection sending the command (Redis's
    /// default: yes).
    #[must_use]
    pub fn skipme(mut self, skip: bool) -> Self {
        self.skipme = Some(skip);
        self
    }

    /// `MAXAGE seconds` (Redis 7.4+): clients connected for longer than this.
    #[must_use]
    pub fn maxage(mut self, seconds: u64) -> Self {
        self.maxage = Some(seconds);
        self
    }
}

impl ToArgs for ClientKillFilter {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(id) = self.id {
            out.write_arg(b"ID");
            out.write_arg_u64(id);
        }
        if let Some(client_type) = &self.client_type {
            out.write_arg(b"TYPE");
            client_type.write_args(out);
        }
        let strings = [
            (&b"USER"[..], &self.user),
            (b"ADDR", &self.addr),
            (b"LADDR", &self.laddr),
        ];
        for (token, value) in strings {
            if let Some(value) = value {
                out.write_arg(token);
                out.write_arg(value);
            }
        }
        if let Some(skip) = self.skipme {
            out.write_arg(b"SKIPME");
            out.write_arg(if skip { b"yes" } else { b"no" });
        }
        if let Some(seconds) = self.maxage {
            out.write_arg(b"MAXAGE");
            out.write_arg_u64(seconds);
        }
    }
}

/// `CLIENT KILL filter value ...`: the number of clients closed.
pub fn client_kill_filter(filter: &ClientKillFilter) -> Typed<i64> {
    Typed::new(Cmd::new("CLIENT").arg("KILL").arg(filter))
}

/// `CLIENT LIST TYPE type`: the clients of that type, parsed (ask for a `String` to get
/// the text: one `id=... addr=... ...` line per client).
pub fn client_list_type(client_type: ClientType) -> Typed<ClientList> {
    Typed::new(Cmd::new("CLIENT").arg("LIST").arg("TYPE").arg(client_type))
}

/// `CLIENT LIST ID id...`: the clients among these ids, parsed (ask for a `String` to get
/// the text).
pub fn client_list_ids<I: ToArgs>(ids: I) -> Typed<ClientList> {
    Typed::new(Cmd::new("CLIENT").arg("LIST").arg("ID").arg(ids))
}

/// What `CLIENT PAUSE` pauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientPauseMode {
    /// `WRITE`: only commands that may write (reads go on).
    Write,
    /// `ALL`: every command (the default).
    All,
}

impl ToArgs for ClientPauseMode {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(match self {
            ClientPauseMode::Write => b"WRITE",
            ClientPauseMode::All => b"ALL",
        });
    }
}

/// `CLIENT PAUSE timeout WRITE|ALL`: pauses clients for `timeout_ms` milliseconds.
pub fn client_pause_options(timeout_ms: u64, mode: ClientPauseMode) -> Typed<()> {
    Typed::new(Cmd::new("CLIENT").arg("PAUSE").arg(timeout_ms).arg(mode))
}

// ---------------------------------------------------------------------------------------
// SORT, SORT_RO
// ---------------------------------------------------------------------------------------

/// Options of `SORT` and `SORT_RO`: `BY`, `LIMIT`, `GET` (repeatable), `ASC`/`DESC` and
/// `ALPHA`, written in that order. `STORE` changes the reply to a count, so it is the
/// parameter of [`sort_store`] instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SortOptions {
    by: Option<Bytes>,
    limit: Option<(i64, i64)>,
    get: Vec<Bytes>,
    order: Option<&'static str>,
    alpha: bool,
}

impl SortOptions {
    /// No options: numeric, ascending, the elements themselves.
    pub fn new() -> SortOptions {
        SortOptions::default()
    }

    /// `BY pattern`: sort by the values of other keys (`weight_*`, or a hash field
    /// `object_*->weight`), `*` standing for the element. `nosort` skips sorting.
    #[must_use]
    pub fn by<P: AsRef<[u8]>>(mut self, pattern: P) -> Self {
        self.by = Some(Bytes::copy_from_slice(pattern.as_ref()));
        self
    }

    /// `LIMIT offset count`.
    #[must_use]
    pub fn limit(mut self, offset: i64, count: i64) -> Self {
        self.limit = Some((offset, count));
        self
    }

    /// `GET pattern`: reply with the values of other keys instead of the elements (`#`:
    /// the element itself). Repeatable: each call adds one `GET`, and the reply has one
    /// entry per `GET` per element, nil where a key is missing.
    #[must_use]
    pub fn get<P: AsRef<[u8]>>(mut self, pattern: P) -> Self {
        self.get.push(Bytes::copy_from_slice(pattern.as_ref()));
        self
    }

    /// `ASC` (the default).
    #[must_use]
    pub fn asc(mut self) -> Self {
        self.order = Some("ASC");
        self
    }

    /// `DESC`.
    #[must_use]
    pub fn desc(mut self) -> Self {
        self.order = Some("DESC");
        self
    }

    /// `ALPHA`: sort as strings rather than numbers.
    #[must_use]
    pub fn alpha(mut self) -> Self {
        self.alpha = true;
        self
    }
}

impl ToArgs for SortOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(pattern) = &self.by {
            out.write_arg(b"BY");
            out.write_arg(pattern);
        }
        if let Some((offset, count)) = self.limit {
            out.write_arg(b"LIMIT");
            out.write_arg_i64(offset);
            out.write_arg_i64(count);
        }
        for pattern in &self.get {
            out.write_arg(b"GET");
            out.write_arg(pattern);
        }
        if let Some(order) = self.order {
            out.write_arg(order.as_bytes());
        }
        if self.alpha {
            out.write_arg(b"ALPHA");
        }
    }
}

/// `SORT key [BY ...] [LIMIT ...] [GET ...]... [ASC|DESC] [ALPHA]`: the sorted elements
/// (or the `GET` values, nil where a key is missing).
pub fn sort_options<K: ToArgs>(key: K, options: &SortOptions) -> Typed<Vec<Option<Bytes>>> {
    Typed::new(Cmd::new("SORT").arg(key).arg(options))
}

/// `SORT_RO key ...` (Redis 7.0+): the read-only [`sort_options`], usable on replicas.
pub fn sort_ro_options<K: ToArgs>(key: K, options: &SortOptions) -> Typed<Vec<Option<Bytes>>> {
    Typed::new(Cmd::new("SORT_RO").arg(key).arg(options))
}

/// `SORT key ... STORE destination`: stores the result as a list in `destination`,
/// replying with its length.
pub fn sort_store<K: ToArgs, D: ToArgs>(
    key: K,
    destination: D,
    options: &SortOptions,
) -> Typed<i64> {
    Typed::new(
        Cmd::new("SORT")
            .arg(key)
            .arg(options)
            .arg("STORE")
            .arg(destination),
    )
}

// ---------------------------------------------------------------------------------------
// RESTORE, MIGRATE
// ---------------------------------------------------------------------------------------

/// Options of `RESTORE`: `REPLACE`, `ABSTTL`, and one of `IDLETIME` or `FREQ` (Redis
/// refuses both; the last method called wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    replace: bool,
    absttl: bool,
    idletime: Option<u64>,
    freq: Option<u8>,
}

impl RestoreOptions {
    /// No options.
    pub fn new() -> RestoreOptions {
        RestoreOptions::default()
    }

    /// `REPLACE`: overwrite the key if it exists.
    #[must_use]
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }

    /// `ABSTTL`: the ttl is a Unix time in milliseconds, not a duration.
    #[must_use]
    pub fn absttl(mut self) -> Self {
        self.absttl = true;
        self
    }

    /// `IDLETIME seconds`: the key's idle time (for LRU eviction).
    #[must_use]
    pub fn idletime(mut self, seconds: u64) -> Self {
        self.idletime = Some(seconds);
        self.freq = None;
        self
    }

    /// `FREQ frequency`: the key's access frequency (for LFU eviction).
    #[must_use]
    pub fn freq(mut self, frequency: u8) -> Self {
        self.freq = Some(frequency);
        self.idletime = None;
        self
    }
}

impl ToArgs for RestoreOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if self.replace {
            out.write_arg(b"REPLACE");
        }
        if self.absttl {
            out.write_arg(b"ABSTTL");
        }
        if let Some(seconds) = self.idletime {
            out.write_arg(b"IDLETIME");
            out.write_arg_u64(seconds);
        }
        if let Some(frequency) = self.freq {
            out.write_arg(b"FREQ");
            out.write_arg_u64(u64::from(frequency));
        }
    }
}

/// `RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME s | FREQ f]`: creates
/// the key from a `DUMP` payload; `ttl` is in milliseconds (0: no expiry).
pub fn restore_options<K: ToArgs, V: ToArgs>(
    key: K,
    ttl_ms: u64,
    serialized_value: V,
    options: &RestoreOptions,
) -> Typed<()> {
    Typed::new(
        Cmd::new("RESTORE")
            .arg(key)
            .arg(ttl_ms)
            .arg(serialized_value)
            .arg(options),
    )
}

/// The credentials MIGRATE authenticates with on the target; `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
enum MigrateAuth {
    Password(Bytes),
    UserPassword(Bytes, Bytes),
}

impl fmt::Debug for MigrateAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigrateAuth::Password(_) => f
                .debug_struct("Auth")
                .field("password", &"<redacted>")
                .finish(),
            MigrateAuth::UserPassword(user, _) => f
                .debug_struct("Auth2")
                .field("username", &String::from_utf8_lossy(user))
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// Options of `MIGRATE`: `COPY`, `REPLACE`, and credentials for the target (`AUTH
/// password` or `AUTH2 username password`; the last method called wins).
///
/// `Debug` does not print the password.
///
/// ```
/// use ferrodis_commands::commands::MigrateOptions;
///
/// let options = MigrateOptions::new().replace().auth2("mover", "s3cret");
/// assert!(!format!("{options:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateOptions {
    copy: bool,
    replace: bool,
    auth: Option<MigrateAuth>,
}

impl MigrateOptions {
    /// No options: move the key(s), failing if they exist on the target.
    pub fn new() -> MigrateOptions {
        MigrateOptions::default()
    }

    /// `COPY`: keep the key(s) on this server too.
    #[must_use]
    pub fn copy(mut self) -> Self {
        self.copy = true;
        self
    }

    /// `REPLACE`: overwrite keys that exist on the target.
    #[must_use]
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }

    /// `AUTH password`: authenticate on the target as the default user.
    #[must_use]
    pub fn auth<P: AsRef<[u8]>>(mut self, password: P) -> Self {
        self.auth = Some(MigrateAuth::Password(Bytes::copy_from_slice(
            password.as_ref(),
        )));
        self
    }

    /// `AUTH2 username password` (Redis 6.0+): authenticate on the target as an ACL user.
    #[must_use]
    pub fn auth2<U: AsRef<[u8]>, P: AsRef<[u8]>>(mut self, username: U, password: P) -> Self {
        self.auth = Some(MigrateAuth::UserPassword(
            Bytes::copy_from_slice(username.as_ref()),
            Bytes::copy_from_slice(password.as_ref()),
        ));
        self
    }
}

impl ToArgs for MigrateOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if self.copy {
            out.write_arg(b"COPY");
        }
        if self.replace {
            out.write_arg(b"REPLACE");
        }
        match &self.auth {
            Some(MigrateAuth::Password(password)) => {
                out.write_arg(b"AUTH");
                out.write_arg(password);
            }
            Some(MigrateAuth::UserPassword(user, password)) => {
                out.write_arg(b"AUTH2");
                out.write_arg(user);
                out.write_arg(password);
            }
            None => {}
        }
    }
}

/// `MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH ...]`: moves one key to
/// another server; `timeout_ms` bounds each step of the transfer. The reply is `OK`, or
/// `NOKEY` if the key does not exist.
///
/// The command sent carries the password given to [`MigrateOptions::auth`]: do not log it.
pub fn migrate_options<H: ToArgs, K: ToArgs>(
    host: H,
    port: u16,
    key: K,
    db: i64,
    timeout_ms: u64,
    options: &MigrateOptions,
) -> Typed<String> {
    Typed::new(
        Cmd::new("MIGRATE")
            .arg(host)
            .arg(port)
            .arg(key)
            .arg(db)
            .arg(timeout_ms)
            .arg(options),
    )
}

/// `MIGRATE host port "" db timeout [COPY] [REPLACE] [AUTH ...] KEYS key...`: moves
/// several keys at once. The reply is `OK`, or `NOKEY` if none of the keys exists.
pub fn migrate_keys<H: ToArgs, K: ToArgs>(
    host: H,
    port: u16,
    keys: K,
    db: i64,
    timeout_ms: u64,
    options: &MigrateOptions,
) -> Typed<String> {
    let cmd = Cmd::new("MIGRATE")
        .arg(host)
        .arg(port)
        .arg("")
        .arg(db)
        .arg(timeout_ms);
    Typed::new(cmd.arg(options).arg("KEYS").arg(keys))
}

// ---------------------------------------------------------------------------------------
// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL, FCALL_RO
// ---------------------------------------------------------------------------------------

fn numkeys_cmd<S: ToArgs, K: ToArgs, A: ToArgs>(name: &str, script: S, keys: K, args: A) -> Cmd {
    let mut cmd = Cmd::new(name).arg(script);
    push_keys(&mut cmd, &keys);
    cmd.arg(args)
}

/// `EVAL script numkeys key... arg...`: runs a Lua script; the reply is whatever it
/// returns. `numkeys` is counted from `keys` (pass `[""; 0]` for none).
///
/// This is the raw command: [`Script`](crate::script) caches the script's SHA1 and falls
/// back from EVALSHA to EVAL.
pub fn eval_keys<S: ToArgs, K: ToArgs, A: ToArgs>(script: S, keys: K, args: A) -> Typed<Value> {
    Typed::new(numkeys_cmd("EVAL", script, keys, args))
}

/// `EVALSHA sha1 numkeys key... arg...`: runs a cached script (a `NOSCRIPT` error if the
/// server does not have it).
pub fn evalsha_keys<S: ToArgs, K: ToArgs, A: ToArgs>(sha1: S, keys: K, args: A) -> Typed<Value> {
    Typed::new(numkeys_cmd("EVALSHA", sha1, keys, args))
}

/// `EVAL_RO script numkeys key... arg...` (Redis 7.0+): a script that may not write,
/// usable on replicas.
pub fn eval_ro_keys<S: ToArgs, K: ToArgs, A: ToArgs>(script: S, keys: K, args: A) -> Typed<Value> {
    Typed::new(numkeys_cmd("EVAL_RO", script, keys, args))
}

/// `EVALSHA_RO sha1 numkeys key... arg...` (Redis 7.0+).
pub fn evalsha_ro_keys<S: ToArgs, K: ToArgs, A: ToArgs>(sha1: S, keys: K, args: A) -> Typed<Value> {
    Typed::new(numkeys_cmd("EVALSHA_RO", sha1, keys, args))
}

/// `FCALL function numkeys key... arg...` (Redis 7.0+): calls a library function.
pub fn fcall_keys<F: ToArgs, K: ToArgs, A: ToArgs>(function: F, keys: K, args: A) -> Typed<Value> {
    Typed::new(numkeys_cmd("FCALL", function, keys, args))
}

/// `FCALL_RO function numkeys key... arg...` (Redis 7.0+): calls a read-only function.
pub fn fcall_ro_keys<F: ToArgs, K: ToArgs, A: ToArgs>(
    function: F,
    keys: K,
    args: A,
) -> Typed<Value> {
    Typed::new(numkeys_cmd("FCALL_RO", function, keys, args))
}

// ---------------------------------------------------------------------------------------
// FLUSHALL, FLUSHDB, SCRIPT FLUSH, FUNCTION FLUSH
// ---------------------------------------------------------------------------------------

/// Whether a flush frees memory in the background (`ASYNC`) or before replying (`SYNC`).
/// Without either, the server's `lazyfree-lazy-user-flush` setting decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlushMode {
    /// `ASYNC`: reply at once, free in a background thread.
    Async,
    /// `SYNC`: free before replying.
    Sync,
}

impl ToArgs for FlushMode {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(match self {
            FlushMode::Async => b"ASYNC",
            FlushMode::Sync => b"SYNC",
        });
    }
}

/// `FLUSHALL ASYNC|SYNC`: deletes every key of every database.
pub fn flushall_options(mode: FlushMode) -> Typed<()> {
    Typed::new(Cmd::new("FLUSHALL").arg(mode))
}

/// `FLUSHDB ASYNC|SYNC`: deletes every key of the current database.
pub fn flushdb_options(mode: FlushMode) -> Typed<()> {
    Typed::new(Cmd::new("FLUSHDB").arg(mode))
}

/// `SCRIPT FLUSH ASYNC|SYNC`: empties the script cache.
pub fn script_flush_options(mode: FlushMode) -> Typed<()> {
    Typed::new(Cmd::new("SCRIPT").arg("FLUSH").arg(mode))
}

/// `FUNCTION FLUSH ASYNC|SYNC` (Redis 7.0+): deletes every function library.
pub fn function_flush_options(mode: FlushMode) -> Typed<()> {
    Typed::new(Cmd::new("FUNCTION").arg("FLUSH").arg(mode))
}

// ---------------------------------------------------------------------------------------
// SHUTDOWN, FAILOVER
// ---------------------------------------------------------------------------------------

/// Options of `SHUTDOWN`: `NOSAVE` or `SAVE` (the last method called wins), `NOW`,
/// `FORCE` and `ABORT` (7.0+ for the last three).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShutdownOptions {
    save: Option<bool>,
    now: bool,
    force: bool,
    abort: bool,
}

impl ShutdownOptions {
    /// No options: save if save points are configured, wait for lagging replicas.
    pub fn new() -> ShutdownOptions {
        ShutdownOptions::default()
    }

    /// `NOSAVE`: do not save the dataset, even with save points configured.
    #[must_use]
    pub fn nosave(mut self) -> Self {
        self.save = Some(false);
        self
    }

    /// `SAVE`: save the dataset, even with no save point configured.
    #[must_use]
    pub fn save(mut self) -> Self {
        self.save = Some(true);
        self
    }

    /// `NOW`: do not wait for lagging replicas.
    #[must_use]
    pub fn now(mut self) -> Self {
        self.now = true;
        self
    }

    /// `FORCE`: shut down even if saving the dataset fails.
    #[must_use]
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }

    /// `ABORT`: cancel a shutdown in progress (no other option goes with it).
    #[must_use]
    pub fn abort(mut self) -> Self {
        self.abort = true;
        self
    }
}

impl ToArgs for ShutdownOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match self.save {
            Some(false) => out.write_arg(b"NOSAVE"),
            Some(true) => out.write_arg(b"SAVE"),
            None => {}
        }
        if self.now {
            out.write_arg(b"NOW");
        }
        if self.force {
            out.write_arg(b"FORCE");
        }
        if self.abort {
            out.write_arg(b"ABORT");
        }
    }
}

/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`.
///
/// A server that shuts down closes the connection instead of replying, so success shows
/// as a closed connection (an I/O error); an error reply means it did not shut down.
/// With `ABORT` the reply is `OK`.
pub fn shutdown_options(options: &ShutdownOptions) -> Typed<()> {
    Typed::new(Cmd::new("SHUTDOWN").arg(options))
}

/// Options of `FAILOVER`: the replica to fail over to (`TO host port`, with `FORCE`),
/// `ABORT` and `TIMEOUT`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailoverOptions {
    to: Option<(String, u16)>,
    force: bool,
    abort: bool,
    timeout_ms: Option<u64>,
}

impl FailoverOptions {
    /// No options: fail over to any replica that catches up.
    pub fn new() -> FailoverOptions {
        FailoverOptions::default()
    }

    /// `TO host port`: fail over to this replica.
    #[must_use]
    pub fn to<H: Into<String>>(mut self, host: H, port: u16) -> Self {
        self.to = Some((host.into(), port));
        self
    }

    /// `FORCE`: fail over even if the replica has not caught up when the timeout
    /// elapses (Redis requires [`to`](Self::to) and [`timeout`](Self::timeout) with it).
    #[must_use]
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }

    /// `ABORT`: cancel a failover in progress.
    #[must_use]
    pub fn abort(mut self) -> Self {
        self.abort = true;
        self
    }

    /// `TIMEOUT milliseconds`: give up (or, with `FORCE`, go ahead) after this long.
    #[must_use]
    pub fn timeout(mut self, milliseconds: u64) -> Self {
        self.timeout_ms = Some(milliseconds);
        self
    }
}

impl ToArgs for FailoverOptions {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some((host, port)) = &self.to {
            out.write_arg(b"TO");
            out.write_arg(host.as_bytes());
            out.write_arg_u64(u64::from(*port));
        }
        if self.force {
            out.write_arg(b"FORCE");
        }
        if self.abort {
            out.write_arg(b"ABORT");
        }
        if let Some(ms) = self.timeout_ms {
            out.write_arg(b"TIMEOUT");
            out.write_arg_u64(ms);
        }
    }
}

/// `FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]`: starts (or aborts) a
/// coordinated failover from this master to a replica.
pub fn failover_options(options: &FailoverOptions) -> Typed<()> {
    Typed::new(Cmd::new("FAILOVER").arg(options))
}

// ---------------------------------------------------------------------------------------
// PUBSUB introspection with its optional arguments (the generated methods take none).

/// `PUBSUB CHANNELS pattern`: the active channels matching a glob pattern.
pub fn pubsub_channels_matching<P: ToArgs>(pattern: P) -> Typed<Vec<Bytes>> {
    Typed::new(Cmd::new("PUBSUB").arg("CHANNELS").arg(pattern))
}

/// `PUBSUB NUMSUB channel [channel ...]`: the subscriber count of each channel, in order.
pub fn pubsub_numsub_of<C: ToArgs>(channels: C) -> Typed<Vec<(Bytes, i64)>> {
    Typed::new(Cmd::new("PUBSUB").arg("NUMSUB").arg(channels))
}

/// `PUBSUB SHARDCHANNELS pattern`: the active shard channels matching a glob pattern.
pub fn pubsub_shardchannels_matching<P: ToArgs>(pattern: P) -> Typed<Vec<Bytes>> {
    Typed::new(Cmd::new("PUBSUB").arg("SHARDCHANNELS").arg(pattern))
}

/// `PUBSUB SHARDNUMSUB shardchannel [shardchannel ...]`: the subscriber count of each
/// shard channel, in order.
pub fn pubsub_shardnumsub_of<C: ToArgs>(channels: C) -> Typed<Vec<(Bytes, i64)>> {
    Typed::new(Cmd::new("PUBSUB").arg("SHARDNUMSUB").arg(channels))
}
