//! `cargo xtask gen-commands`: the command table and the typed command API of
//! `ferrodis-commands`, generated from what a real Redis says about itself.
//!
//! ## Why generate
//!
//! A Redis client needs, for each of some 370 commands and subcommands, its flags (is it
//! read-only? blocking? allowed in a script?), where its keys are (for cluster routing,
//! including the irregular ones: `EVAL` numkeys, `XREAD ... STREAMS`, `MIGRATE ... KEYS`),
//! and a method on every front end (blocking client, async client, pipeline). Written by
//! hand this is thousands of lines that drift from the server; here Redis is the source
//! of truth and the code is derived from it, so it cannot drift, and a new Redis release
//! is a re-capture and a diff.
//!
//! ## The two steps
//!
//! 1. **Capture** (needs redis-server 7.0.x, started privately on a free port): `HELLO 3`,
//!    `COMMAND INFO` and `COMMAND DOCS`, normalized into
//!    `crates/ferrodis-commands/commands/redis-7.0.json`: one object per command and per
//!    subcommand (`"CLIENT KILL"`, with `"container": "CLIENT"`), with its arity, flags,
//!    ACL categories, tips, legacy `first/last/step` keys, key specs (as the server gives
//!    them: `begin_search` index/keyword, `find_keys` range/keynum, flags), and from the
//!    docs its summary, since, group, complexity, doc flags, history, deprecation and the
//!    recursive argument tree (name, type, token, flags optional/multiple/multiple_token,
//!    key_spec_index, nested arguments of blocks and oneofs). Sets become sorted arrays and
//!    objects have sorted keys, so the file only changes when Redis does. The server's
//!    version is recorded as `redis_version`.
//! 2. **Generate** (no server): from that JSON and the hand-written wrappers listed in
//!    `crates/ferrodis-commands/commands/manual/*.json`, write (through rustfmt) the files
//!    of `crates/ferrodis-commands/src/generated/`:
//!    * `table.rs`: `COMMANDS`, the sorted `CommandInfo` table that `lookup`, `Cmd::info`,
//!      `Cmd::flags` and `Cmd::keys` use.
//!    * `constructors.rs`: one typed constructor per command, re-exported by
//!      `ferrodis_commands::commands`: `get(key) -> Typed<Option<Bytes>>`,
//!      `client_kill(filter)`, `restore_asking(..)`, `type_(key)`.
//!    * `commands.rs`: the traits `Commands`, `AsyncCommands` and `PipelineCommands`, one
//!      default method per constructor and per manual wrapper.
//!
//!    and, for the blocking client's smoke test, `crates/ferrodis-blocking/tests/smoke/
//!    generated.rs`: one call of every constructor with valid made-up arguments
//!    (see `gen_commands/smoke.rs`).
//!
//! `cargo xtask gen-commands --no-capture` runs step 2 alone (after editing a manual JSON
//! file, or the reply table below); `--check` runs it in memory and fails if the checked-in
//! files differ (it is a step of `cargo xtask test`, and needs no server).
//!
//! ## The constructors' shape
//!
//! Required arguments are positional generic `ToArgs` parameters named after the
//! documented argument (plural for `multiple` ones, which take any `ToArgs`: a value, a
//! slice, a `Vec`, a tuple). Tokens of required arguments (`STREAMS`, `GROUP`) and
//! subcommand names are written by the constructor. A required `oneof` (`LEFT | RIGHT`) is
//! one parameter. A required non-repeated block is flattened into its required parts. A
//! `numkeys` directly followed by the required keys is counted by the constructor
//! (`zunionstore(dst, ["a", "b"])` writes `ZUNIONSTORE dst 2 a b`); `EVAL`'s `numkeys`,
//! whose keys are optional, stays a parameter. Optional arguments are not parameters:
//! trailing ones are appended with `Typed::arg`, the others (`ZADD`'s `NX`, `XADD`'s
//! `MAXLEN`) are the hand-written wrappers' job.
//!
//! Names are snake_case (`CLIENT KILL` -> `client_kill`, `RESTORE-ASKING` ->
//! `restore_asking`), with a trailing `_` for Rust keywords (`type_`, `move_`, `where_`).
//!
//! ## What is left out
//!
//! Container commands (`CLIENT`, `CONFIG`, ...: they are called through a subcommand) have
//! no constructor, except `COMMAND`, which may be sent bare. The connection-state commands
//! of [`CONNECTION_STATE`] (`SELECT`, `AUTH`, `MULTI`, `SUBSCRIBE`, ...) have neither a
//! constructor nor a trait method: sending them as plain commands would change the
//! connection behind the client's back; the API that owns the connection offers them.
//! All of them are in the table.

mod capture;
mod emit;
mod manual;
mod model;
mod smoke;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitCode, Stdio};

use serde_json::Value as Json;

use crate::util::{project_root, Error, Result};

/// The checked-in capture, relative to the workspace root.
const JSON_PATH: &str = "crates/ferrodis-commands/commands/redis-7.0.json";
/// The hand-written wrappers' listings.
const MANUAL_DIR: &str = "crates/ferrodis-commands/commands/manual";
/// Where the generated Rust goes.
const GENERATED_DIR: &str = "crates/ferrodis-commands/src/generated";
/// The flag constants, read from `CommandFlags`'s definition.
const TABLE_TYPES: &str = "crates/ferrodis-commands/src/table.rs";
/// The hand-written constructors, scanned for clashes with generated names.
const MANUAL_SRC_DIR: &str = "crates/ferrodis-commands/src/commands/manual";

/// Commands that change the state of the connection they are sent on: no constructor, no
/// trait method (the contract of the command layer). They stay in the table.
pub(crate) const CONNECTION_STATE: &[&str] = &[
    "ASKING",
    "AUTH",
    "CLIENT CACHING",
    "CLIENT REPLY",
    "CLIENT TRACKING",
    "DISCARD",
    "EXEC",
    "HELLO",
    "MONITOR",
    "MULTI",
    "PSUBSCRIBE",
    "PSYNC",
    "PUNSUBSCRIBE",
    "QUIT",
    "READONLY",
    "READWRITE",
    "REPLCONF",
    "RESET",
    "SELECT",
    "SSUBSCRIBE",
    "SUBSCRIBE",
    "SUNSUBSCRIBE",
    "SYNC",
    "UNSUBSCRIBE",
    "UNWATCH",
    "WATCH",
];

/// The default reply type of each constructor (`Typed<R>`), for the positional form the
/// constructor sends (options added with `Typed::arg` may change what Redis answers; the
/// hand-written wrappers have their own types). A command not listed gets `Value`.
///
/// Conventions (close to redis-py's, in Rust terms):
/// * a status reply (`+OK`) is `()`; redis-py's `True` would say nothing more (ask for
///   `bool` or `String` if you want the text);
/// * an integer is `i64`; an integer that is a yes/no (0 or 1: `EXPIRE`, `SETNX`,
///   `HEXISTS`, `SISMEMBER`, `PFADD`, ...) is `bool`; `EXISTS`, `DEL` and `TOUCH` count
///   keys, so they stay `i64`;
/// * a string that may be missing is `Option<Bytes>`; data is `Bytes`; text the server
///   makes up (`INFO`, `CLIENT LIST`, `TYPE`, encodings, help lines) is `String`;
/// * a float is `f64` (`Option<f64>` where it may be missing: `ZSCORE`, `GEODIST`);
/// * lists are `Vec<Bytes>` (`Vec<Option<Bytes>>` where elements may be nil: `MGET`);
///   sets (`SMEMBERS`, `SINTER`, ...) are `HashSet<Bytes>`; hashes are
///   `HashMap<Bytes, Bytes>`; member-score lists are `Vec<(Bytes, f64)>`;
/// * replies with a structure of their own are the typed replies of `crate::replies`
///   (`XRANGE` -> `Vec<StreamEntry>`, `XREAD` -> `StreamReadReply`, `TTL` -> `Ttl`, `TYPE`
///   -> `KeyType`, `INFO` -> `Info`, `ROLE` -> `Role`, ...) and `crate::scan::ScanPage`
///   for the `SCAN` family;
/// * what stays `Value`: script and function calls (`EVAL`, `FCALL`: whatever the script
///   returns), `CLIENT KILL` (`OK` or a count, by form), and replies that have no typed
///   form yet (`DEBUG`, `COMMAND`, `COMMAND INFO`, `CLUSTER LINKS`, `ACL GETUSER`,
///   `CLIENT TRACKINGINFO`, `MODULE LIST`, `FUNCTION STATS`, `LATENCY HISTOGRAM`, ...).
#[rustfmt::skip]
const REPLIES: &[(&str, &str)] = &[
    // --- string
    ("APPEND", "i64"),
    ("DECR", "i64"),
    ("DECRBY", "i64"),
    ("GET", "Option<Bytes>"),
    ("GETDEL", "Option<Bytes>"),
    ("GETEX", "Option<Bytes>"),
    ("GETRANGE", "Bytes"),
    ("GETSET", "Option<Bytes>"),
    ("INCR", "i64"),
    ("INCRBY", "i64"),
    ("INCRBYFLOAT", "f64"),
    ("LCS", "Bytes"),
    ("MGET", "Vec<Option<Bytes>>"),
    ("MSET", "()"),
    ("MSETNX", "bool"),
    ("PSETEX", "()"),
    ("SET", "()"),
    ("SETEX", "()"),
    ("SETNX", "bool"),
    ("SETRANGE", "i64"),
    ("STRLEN", "i64"),
    ("SUBSTR", "Bytes"),
    // --- bitmap
    ("BITCOUNT", "i64"),
    ("BITFIELD", "Vec<Option<i64>>"),
    ("BITFIELD_RO", "Vec<i64>"),
    ("BITOP", "i64"),
    ("BITPOS", "i64"),
    ("GETBIT", "i64"),
    ("SETBIT", "i64"),
    // --- generic (keys)
    ("COPY", "bool"),
    ("DEL", "i64"),
    ("DUMP", "Option<Bytes>"),
    ("EXISTS", "i64"),
    ("EXPIRE", "bool"),
    ("EXPIREAT", "bool"),
    ("EXPIRETIME", "crate::replies::ExpireTime"),
    ("KEYS", "Vec<Bytes>"),
    ("MIGRATE", "String"),
    ("MOVE", "bool"),
    ("OBJECT ENCODING", "Option<String>"),
    ("OBJECT FREQ", "Option<i64>"),
    ("OBJECT HELP", "Vec<String>"),
    ("OBJECT IDLETIME", "Option<i64>"),
    ("OBJECT REFCOUNT", "Option<i64>"),
    ("PERSIST", "bool"),
    ("PEXPIRE", "bool"),
    ("PEXPIREAT", "bool"),
    ("PEXPIRETIME", "crate::replies::PExpireTime"),
    ("PTTL", "crate::replies::PTtl"),
    ("RANDOMKEY", "Option<Bytes>"),
    ("RENAME", "()"),
    ("RENAMENX", "bool"),
    ("RESTORE", "()"),
    ("SORT", "Vec<Bytes>"),
    ("SORT_RO", "Vec<Bytes>"),
    ("TOUCH", "i64"),
    ("TTL", "crate::replies::Ttl"),
    ("TYPE", "crate::replies::KeyType"),
    ("UNLINK", "i64"),
    ("WAIT", "i64"),
    ("SCAN", "crate::scan::ScanPage<Bytes>"),
    // --- list
    ("BLMOVE", "Option<Bytes>"),
    ("BLMPOP", "Option<(Bytes, Vec<Bytes>)>"),
    ("BLPOP", "Option<(Bytes, Bytes)>"),
    ("BRPOP", "Option<(Bytes, Bytes)>"),
    ("BRPOPLPUSH", "Option<Bytes>"),
    ("LINDEX", "Option<Bytes>"),
    ("LINSERT", "i64"),
    ("LLEN", "i64"),
    ("LMOVE", "Option<Bytes>"),
    ("LMPOP", "Option<(Bytes, Vec<Bytes>)>"),
    ("LPOP", "Option<Bytes>"),
    ("LPOS", "Option<i64>"),
    ("LPUSH", "i64"),
    ("LPUSHX", "i64"),
    ("LRANGE", "Vec<Bytes>"),
    ("LREM", "i64"),
    ("LSET", "()"),
    ("LTRIM", "()"),
    ("RPOP", "Option<Bytes>"),
    ("RPOPLPUSH", "Option<Bytes>"),
    ("RPUSH", "i64"),
    ("RPUSHX", "i64"),
    // --- hash
    ("HDEL", "i64"),
    ("HEXISTS", "bool"),
    ("HGET", "Option<Bytes>"),
    ("HGETALL", "HashMap<Bytes, Bytes>"),
    ("HINCRBY", "i64"),
    ("HINCRBYFLOAT", "f64"),
    ("HKEYS", "Vec<Bytes>"),
    ("HLEN", "i64"),
    ("HMGET", "Vec<Option<Bytes>>"),
    ("HMSET", "()"),
    ("HRANDFIELD", "Option<Bytes>"),
    ("HSET", "i64"),
    ("HSETNX", "bool"),
    ("HSTRLEN", "i64"),
    ("HSCAN", "crate::scan::ScanPage<(Bytes, Bytes)>"),
    ("HVALS", "Vec<Bytes>"),
    // --- set
    ("SADD", "i64"),
    ("SCARD", "i64"),
    ("SDIFF", "HashSet<Bytes>"),
    ("SDIFFSTORE", "i64"),
    ("SINTER", "HashSet<Bytes>"),
    ("SINTERCARD", "i64"),
    ("SINTERSTORE", "i64"),
    ("SISMEMBER", "bool"),
    ("SMEMBERS", "HashSet<Bytes>"),
    ("SMISMEMBER", "Vec<bool>"),
    ("SMOVE", "bool"),
    ("SPOP", "Option<Bytes>"),
    ("SRANDMEMBER", "Option<Bytes>"),
    ("SREM", "i64"),
    ("SSCAN", "crate::scan::ScanPage<Bytes>"),
    ("SUNION", "HashSet<Bytes>"),
    ("SUNIONSTORE", "i64"),
    // --- sorted set
    ("BZMPOP", "Option<(Bytes, Vec<(Bytes, f64)>)>"),
    ("BZPOPMAX", "Option<(Bytes, Bytes, f64)>"),
    ("BZPOPMIN", "Option<(Bytes, Bytes, f64)>"),
    ("ZADD", "i64"),
    ("ZCARD", "i64"),
    ("ZCOUNT", "i64"),
    ("ZDIFF", "Vec<Bytes>"),
    ("ZDIFFSTORE", "i64"),
    ("ZINCRBY", "f64"),
    ("ZINTER", "Vec<Bytes>"),
    ("ZINTERCARD", "i64"),
    ("ZINTERSTORE", "i64"),
    ("ZLEXCOUNT", "i64"),
    ("ZMPOP", "Option<(Bytes, Vec<(Bytes, f64)>)>"),
    ("ZMSCORE", "Vec<Option<f64>>"),
    ("ZPOPMAX", "Vec<(Bytes, f64)>"),
    ("ZPOPMIN", "Vec<(Bytes, f64)>"),
    ("ZRANDMEMBER", "Option<Bytes>"),
    ("ZRANGE", "Vec<Bytes>"),
    ("ZRANGEBYLEX", "Vec<Bytes>"),
    ("ZRANGEBYSCORE", "Vec<Bytes>"),
    ("ZRANGESTORE", "i64"),
    ("ZRANK", "Option<i64>"),
    ("ZREM", "i64"),
    ("ZREMRANGEBYLEX", "i64"),
    ("ZREMRANGEBYRANK", "i64"),
    ("ZREMRANGEBYSCORE", "i64"),
    ("ZREVRANGE", "Vec<Bytes>"),
    ("ZREVRANGEBYLEX", "Vec<Bytes>"),
    ("ZREVRANGEBYSCORE", "Vec<Bytes>"),
    ("ZREVRANK", "Option<i64>"),
    ("ZSCAN", "crate::scan::ScanPage<(Bytes, f64)>"),
    ("ZSCORE", "Option<f64>"),
    ("ZUNION", "Vec<Bytes>"),
    ("ZUNIONSTORE", "i64"),
    // --- hyperloglog
    ("PFADD", "bool"),
    ("PFCOUNT", "i64"),
    ("PFMERGE", "()"),
    ("PFSELFTEST", "()"),
    // --- geo (the positional forms: no WITH* options, no STORE)
    ("GEOADD", "i64"),
    ("GEODIST", "Option<f64>"),
    ("GEOHASH", "Vec<Option<String>>"),
    ("GEOPOS", "Vec<Option<crate::replies::GeoPos>>"),
    ("GEORADIUS", "Vec<crate::replies::GeoSearchResult>"),
    ("GEORADIUSBYMEMBER", "Vec<crate::replies::GeoSearchResult>"),
    ("GEORADIUSBYMEMBER_RO", "Vec<crate::replies::GeoSearchResult>"),
    ("GEORADIUS_RO", "Vec<crate::replies::GeoSearchResult>"),
    ("GEOSEARCH", "Vec<crate::replies::GeoSearchResult>"),
    ("GEOSEARCHSTORE", "i64"),
    // --- stream
    ("XACK", "i64"),
    ("XAUTOCLAIM", "crate::replies::AutoClaimReply"),
    ("XCLAIM", "crate::replies::ClaimReply"),
    ("XADD", "crate::replies::StreamId"),
    ("XDEL", "i64"),
    ("XGROUP CREATE", "()"),
    ("XGROUP CREATECONSUMER", "bool"),
    ("XGROUP DELCONSUMER", "i64"),
    ("XGROUP DESTROY", "bool"),
    ("XGROUP HELP", "Vec<String>"),
    ("XGROUP SETID", "()"),
    ("XINFO CONSUMERS", "Vec<crate::replies::ConsumerInfo>"),
    ("XINFO GROUPS", "Vec<crate::replies::GroupInfo>"),
    ("XINFO HELP", "Vec<String>"),
    ("XINFO STREAM", "crate::replies::StreamInfo"),
    ("XLEN", "i64"),
    ("XPENDING", "crate::replies::PendingSummary"),
    ("XRANGE", "Vec<crate::replies::StreamEntry>"),
    ("XREAD", "crate::replies::StreamReadReply"),
    ("XREADGROUP", "crate::replies::StreamReadReply"),
    ("XREVRANGE", "Vec<crate::replies::StreamEntry>"),
    ("XSETID", "()"),
    ("XTRIM", "i64"),
    // --- pub/sub (the subscribe family is connection state)
    ("PUBLISH", "i64"),
    ("PUBSUB CHANNELS", "Vec<Bytes>"),
    ("PUBSUB HELP", "Vec<String>"),
    ("PUBSUB NUMPAT", "i64"),
    ("PUBSUB NUMSUB", "Vec<(Bytes, i64)>"),
    ("PUBSUB SHARDCHANNELS", "Vec<Bytes>"),
    ("PUBSUB SHARDNUMSUB", "Vec<(Bytes, i64)>"),
    ("SPUBLISH", "i64"),
    // --- scripting and functions (script replies are whatever the script returns)
    ("FUNCTION DELETE", "()"),
    ("FUNCTION DUMP", "Bytes"),
    ("FUNCTION FLUSH", "()"),
    ("FUNCTION HELP", "Vec<String>"),
    ("FUNCTION KILL", "()"),
    ("FUNCTION LIST", "Vec<crate::replies::FunctionLibrary>"),
    ("FUNCTION LOAD", "String"),
    ("FUNCTION RESTORE", "()"),
    ("SCRIPT DEBUG", "()"),
    ("SCRIPT EXISTS", "Vec<bool>"),
    ("SCRIPT FLUSH", "()"),
    ("SCRIPT HELP", "Vec<String>"),
    ("SCRIPT KILL", "()"),
    ("SCRIPT LOAD", "String"),
    // --- connection
    ("CLIENT GETNAME", "Option<String>"),
    ("CLIENT GETREDIR", "i64"),
    ("CLIENT HELP", "Vec<String>"),
    ("CLIENT ID", "i64"),
    ("CLIENT INFO", "crate::replies::ClientInfo"),
    ("CLIENT LIST", "crate::replies::ClientList"),
    ("CLIENT NO-EVICT", "()"),
    ("CLIENT PAUSE", "()"),
    ("CLIENT SETNAME", "()"),
    ("CLIENT UNBLOCK", "bool"),
    ("CLIENT UNPAUSE", "()"),
    ("ECHO", "Bytes"),
    ("PING", "String"),
    // --- cluster
    ("CLUSTER ADDSLOTS", "()"),
    ("CLUSTER ADDSLOTSRANGE", "()"),
    ("CLUSTER BUMPEPOCH", "String"),
    ("CLUSTER COUNT-FAILURE-REPORTS", "i64"),
    ("CLUSTER COUNTKEYSINSLOT", "i64"),
    ("CLUSTER DELSLOTS", "()"),
    ("CLUSTER DELSLOTSRANGE", "()"),
    ("CLUSTER FAILOVER", "()"),
    ("CLUSTER FLUSHSLOTS", "()"),
    ("CLUSTER FORGET", "()"),
    ("CLUSTER GETKEYSINSLOT", "Vec<Bytes>"),
    ("CLUSTER HELP", "Vec<String>"),
    ("CLUSTER INFO", "String"),
    ("CLUSTER KEYSLOT", "i64"),
    ("CLUSTER MEET", "()"),
    ("CLUSTER MYID", "String"),
    ("CLUSTER NODES", "crate::replies::ClusterNodes"),
    ("CLUSTER REPLICAS", "Vec<crate::replies::ClusterNode>"),
    ("CLUSTER REPLICATE", "()"),
    ("CLUSTER RESET", "()"),
    ("CLUSTER SAVECONFIG", "()"),
    ("CLUSTER SET-CONFIG-EPOCH", "()"),
    ("CLUSTER SETSLOT", "()"),
    ("CLUSTER SHARDS", "Vec<crate::replies::ClusterShard>"),
    ("CLUSTER SLAVES", "Vec<crate::replies::ClusterNode>"),
    ("CLUSTER SLOTS", "Vec<crate::replies::SlotRange>"),
    // --- server
    ("ACL CAT", "Vec<String>"),
    ("ACL DELUSER", "i64"),
    ("ACL DRYRUN", "String"),
    ("ACL GENPASS", "String"),
    ("ACL HELP", "Vec<String>"),
    ("ACL LIST", "Vec<String>"),
    ("ACL LOAD", "()"),
    ("ACL LOG", "Vec<crate::replies::AclLogEntry>"),
    ("ACL SAVE", "()"),
    ("ACL SETUSER", "()"),
    ("ACL USERS", "Vec<String>"),
    ("ACL WHOAMI", "String"),
    ("BGREWRITEAOF", "String"),
    ("BGSAVE", "String"),
    ("COMMAND COUNT", "i64"),
    ("COMMAND DOCS", "crate::replies::CommandDocs"),
    ("COMMAND GETKEYS", "Vec<Bytes>"),
    ("COMMAND HELP", "Vec<String>"),
    ("COMMAND LIST", "Vec<String>"),
    ("CONFIG GET", "HashMap<String, String>"),
    ("CONFIG HELP", "Vec<String>"),
    ("CONFIG RESETSTAT", "()"),
    ("CONFIG REWRITE", "()"),
    ("CONFIG SET", "()"),
    ("DBSIZE", "i64"),
    ("FAILOVER", "()"),
    ("FLUSHALL", "()"),
    ("FLUSHDB", "()"),
    ("INFO", "crate::replies::Info"),
    ("LASTSAVE", "i64"),
    ("LATENCY DOCTOR", "String"),
    ("LATENCY GRAPH", "String"),
    ("LATENCY HELP", "Vec<String>"),
    ("LATENCY HISTORY", "Vec<crate::replies::LatencySample>"),
    ("LATENCY LATEST", "Vec<crate::replies::LatencyEvent>"),
    ("LATENCY RESET", "i64"),
    ("LOLWUT", "String"),
    ("MEMORY DOCTOR", "String"),
    ("MEMORY HELP", "Vec<String>"),
    ("MEMORY MALLOC-STATS", "String"),
    ("MEMORY PURGE", "()"),
    ("MEMORY STATS", "crate::replies::MemoryStats"),
    ("MEMORY USAGE", "Option<i64>"),
    ("MODULE HELP", "Vec<String>"),
    ("MODULE LOAD", "()"),
    ("MODULE LOADEX", "()"),
    ("MODULE UNLOAD", "()"),
    ("ROLE", "crate::replies::Role"),
    ("REPLICAOF", "()"),
    ("RESTORE-ASKING", "()"),
    ("SAVE", "()"),
    ("SHUTDOWN", "()"),
    ("SLAVEOF", "()"),
    ("SLOWLOG GET", "Vec<crate::replies::SlowLogEntry>"),
    ("SLOWLOG HELP", "Vec<String>"),
    ("SLOWLOG LEN", "i64"),
    ("SLOWLOG RESET", "()"),
    ("SWAPDB", "()"),
    ("TIME", "(i64, i64)"),
];

/// The reply type of commands not in [`REPLIES`].
const FALLBACK_REPLY: &str = "Value";

const USAGE: &str = "`cargo xtask gen-commands` takes --check or --no-capture";

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    let (mut check, mut capture) = (false, true);
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "--no-capture" => capture = false,
            other => {
                return Err(Error::Usage(format!("{USAGE}, not `{other}`")));
            }
        }
    }
    let root = project_root();
    let json_path = root.join(JSON_PATH);

    if capture && !check {
        let json = capture::capture()?;
        let text = pretty(&json)?;
        write_if_changed(&json_path, &text)?;
        eprintln!("xtask gen-commands: captured {JSON_PATH}");
    }

    let text = std::fs::read_to_string(&json_path).map_err(|e| {
        Error::Failed(format!(
            "could not read {} ({e}); capture it with `cargo xtask gen-commands`",
            json_path.display()
        ))
    })?;
    let json: Json = serde_json::from_str(&text)
        .map_err(|e| Error::Failed(format!("{JSON_PATH} is not valid JSON: {e}")))?;
    if check && pretty(&json)? != text {
        return Err(Error::Failed(format!(
            "{JSON_PATH} is not in the generator's normalized form (was it edited by hand?); \
             run `cargo xtask gen-commands` to capture it again"
        )));
    }
    let files = generate(&root, &json)?;

    if check {
        let stale: Vec<&str> = files
            .iter()
            .filter(|(path, text)| {
                std::fs::read_to_string(root.join(path)).ok().as_ref() != Some(text)
            })
            .map(|(path, _)| path.as_str())
            .collect();
        if !stale.is_empty() {
            return Err(Error::Failed(format!(
                "the generated command code is out of date ({} not what {JSON_PATH} and \
                 {MANUAL_DIR}/*.json give); run `cargo xtask gen-commands --no-capture` \
                 (or `cargo xtask gen-commands` to capture the server again) and commit the \
                 result",
                stale.join(", ")
            )));
        }
        eprintln!("xtask gen-commands: the generated files are up to date");
    } else {
        for (path, text) in &files {
            if write_if_changed(&root.join(path), text)? {
                eprintln!("xtask gen-commands: wrote {path}");
            }
        }
        eprintln!("xtask gen-commands: done");
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON as the file holds it: pretty-printed, keys sorted, with a final newline.
fn pretty(json: &Json) -> Result<String> {
    let mut text = serde_json::to_string_pretty(json)
        .map_err(|e| Error::Failed(format!("could not serialize the command JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Writes `text` unless the file holds it already; says whether it wrote.
fn write_if_changed(path: &Path, text: &str) -> Result<bool> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Failed(format!("could not create {}: {e}", dir.display())))?;
    }
    std::fs::write(path, text)
        .map_err(|e| Error::Failed(format!("could not write {}: {e}", path.display())))?;
    Ok(true)
}

/// The generated files (path relative to the root, formatted text).
fn generate(root: &Path, json: &Json) -> Result<Vec<(String, String)>> {
    let table = model::parse(json)?;
    let manual = manual::read_all(&root.join(MANUAL_DIR))?;
    let flag_consts = flag_consts(&root.join(TABLE_TYPES))?;

    let replies: BTreeMap<&str, &str> = REPLIES.iter().copied().collect();
    for name in replies.keys().chain(CONNECTION_STATE) {
        if !table.commands.iter().any(|c| c.name == *name) {
            return Err(Error::Failed(format!(
                "the generator names `{name}` (REPLIES or CONNECTION_STATE in \
                 xtask/src/gen_commands.rs), which is not a command of {JSON_PATH}"
            )));
        }
    }
    if let Some(name) = CONNECTION_STATE.iter().find(|n| replies.contains_key(*n)) {
        return Err(Error::Failed(format!(
            "`{name}` is connection state and has no constructor; remove it from REPLIES"
        )));
    }

    let mut methods = Vec::new();
    for cmd in &table.commands {
        if CONNECTION_STATE.contains(&cmd.name.as_str()) {
            continue;
        }
        // A container is called through its subcommands; COMMAND alone may be sent bare.
        if cmd.is_container && cmd.arity != -1 {
            continue;
        }
        let reply = replies
            .get(cmd.name.as_str())
            .copied()
            .unwrap_or(FALLBACK_REPLY);
        methods.push((cmd, emit::plan(cmd, reply)?));
    }
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (cmd, m) in &methods {
        if let Some(other) = seen.insert(m.name.as_str(), cmd.name.as_str()) {
            return Err(Error::Failed(format!(
                "{other} and {} both make a function named `{}`",
                cmd.name, m.name
            )));
        }
    }
    check_manual(root, &table, &methods, &manual)?;

    let unknown = smoke::unknown_overrides(&methods);
    if !unknown.is_empty() {
        return Err(Error::Failed(format!(
            "xtask/src/gen_commands/smoke.rs overrides {unknown:?}, which have no constructor"
        )));
    }

    let files = [
        (
            format!("{GENERATED_DIR}/table.rs"),
            emit::table_rs(&table, &flag_consts)?,
        ),
        (
            format!("{GENERATED_DIR}/constructors.rs"),
            emit::constructors_rs(&table, &methods),
        ),
        (
            format!("{GENERATED_DIR}/commands.rs"),
            emit::commands_rs(&table, &methods, &manual),
        ),
        (
            smoke::SMOKE_PATH.to_owned(),
            smoke::smoke_rs(&table, &methods, &manual),
        ),
    ];
    files
        .into_iter()
        .map(|(path, text)| {
            let text = rustfmt(root, &text).map_err(|e| Error::Failed(format!("{path}: {e}")))?;
            Ok((path, text))
        })
        .collect()
}

/// Rejects manual wrappers whose names clash with generated ones (or each other), or that
/// name an unknown or connection-state command.
fn check_manual(
    root: &Path,
    table: &model::Table,
    methods: &[(&model::Command, emit::Method)],
    manual: &[manual::Manual],
) -> Result<()> {
    let generated = emit::method_names(methods);
    check_manual_entries(table, &generated, manual)?;
    check_manual_sources(root, &generated)
}

fn check_manual_entries(
    table: &model::Table,
    generated: &BTreeSet<String>,
    manual: &[manual::Manual],
) -> Result<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for w in manual {
        if generated.contains(&w.method) {
            return Err(Error::Failed(format!(
                "{}: the wrapper `{}` has the name of a generated command method; name it \
                 after what it adds (`{}_options`, `{}_with`, ...)",
                w.file, w.method, w.method, w.method
            )));
        }
        if let Some(other) = seen.insert(&w.method, &w.file) {
            return Err(Error::Failed(format!(
                "`{}` is listed twice: in {other} and in {}",
                w.method, w.file
            )));
        }
        if !table.commands.iter().any(|c| c.name == w.command) {
            return Err(Error::Failed(format!(
                "{}: `{}` wraps `{}`, which is not a Redis command of {JSON_PATH} (write \
                 subcommands as \"CLIENT KILL\")",
                w.file, w.method, w.command
            )));
        }
        if CONNECTION_STATE.contains(&w.command.as_str()) {
            return Err(Error::Failed(format!(
                "{}: `{}` wraps {}, a connection-state command, which the contract keeps off \
                 the command traits",
                w.file, w.method, w.command
            )));
        }
    }
    Ok(())
}

/// Rejects hand-written constructors (`pub fn` in src/commands/manual) with generated names.
fn check_manual_sources(root: &Path, generated: &BTreeSet<String>) -> Result<()> {
    // A hand-written constructor with a generated name would make `crate::commands::*`
    // ambiguous: say so here rather than through a glob-import error.
    let dir = root.join(MANUAL_SRC_DIR);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let Ok(src) = std::fs::read_to_string(&path) else {
                continue;
            };
            for line in src.lines() {
                let Some(rest) = line.strip_prefix("pub fn ") else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if generated.contains(&name) {
                    return Err(Error::Failed(format!(
                        "{}: `pub fn {name}` has the name of a generated constructor; rename \
                         it (`{name}_options`, ...)",
                        path.display()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The `CommandFlags` constants by flag name (`"readonly"` -> `READONLY`), read from the
/// `flags!` invocation in src/table.rs, so the generator never names a flag that is not
/// there.
fn flag_consts(path: &Path) -> Result<BTreeMap<String, String>> {
    let src = std::fs::read_to_string(path)
        .map_err(|e| Error::Failed(format!("could not read {}: {e}", path.display())))?;
    let mut out = BTreeMap::new();
    for line in src.lines() {
        // `    WRITE = 0, "write", is_write;`
        let line = line.trim();
        let Some((name, rest)) = line.split_once(" = ") else {
            continue;
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            continue;
        }
        let mut quoted = rest.split('"');
        if let (Some(_), Some(text)) = (quoted.next(), quoted.next()) {
            out.insert(text.to_owned(), name.to_owned());
        }
    }
    if out.is_empty() {
        return Err(Error::Failed(format!(
            "found no CommandFlags constants in {}",
            path.display()
        )));
    }
    Ok(out)
}

/// Formats Rust source with rustfmt, using the workspace's rustfmt.toml.
fn rustfmt(root: &Path, source: &str) -> Result<String> {
    let mut child = Process::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .arg("--config-path")
        .arg(root.join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir(root)
        .spawn()
        .map_err(|e| {
            Error::Failed(format!(
                "could not run rustfmt ({e}); install it with `rustup component add rustfmt`"
            ))
        })?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::Failed("rustfmt has no stdin".to_owned()))?;
    let input = source.to_owned();
    // Write from another thread: rustfmt may fill its stdout pipe before reading all input.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| Error::Failed(format!("rustfmt failed: {e}")))?;
    let written = writer.join();
    if !output.status.success() {
        return Err(Error::Failed(format!(
            "rustfmt rejected the generated code (a generator bug): {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    match written {
        Ok(Ok(())) => {}
        _ => return Err(Error::Failed("could not write to rustfmt".to_owned())),
    }
    String::from_utf8(output.stdout)
        .map_err(|_| Error::Failed("rustfmt wrote something that is not UTF-8".to_owned()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn table() -> model::Table {
        model::parse(&json!({
            "redis_version": "7.0.15",
            "commands": {
                "SET": {
                    "arity": -3, "flags": ["denyoom", "write"], "group": "string",
                    "since": "1.0.0", "summary": "Set the string value of a key",
                    "key_specs": [{
                        "begin_search": {"type": "index", "spec": {"index": 1}},
                        "find_keys": {"type": "range", "spec": {"lastkey": 0, "keystep": 1, "limit": 0}},
                        "flags": ["RW"]
                    }],
                    "arguments": [
                        {"name": "key", "type": "key", "key_spec_index": 0},
                        {"name": "value", "type": "string"},
                        {"name": "condition", "type": "oneof", "flags": ["optional"], "arguments": [
                            {"name": "nx", "type": "pure-token", "token": "NX"},
                            {"name": "xx", "type": "pure-token", "token": "XX"}
                        ]},
                        {"name": "expiration", "type": "oneof", "flags": ["optional"], "arguments": [
                            {"name": "seconds", "type": "integer", "token": "EX"},
                            {"name": "keepttl", "type": "pure-token", "token": "KEEPTTL"}
                        ]}
                    ]
                },
                "ZUNIONSTORE": {
                    "arity": -4, "flags": ["movablekeys", "write"], "group": "sorted-set",
                    "since": "2.0.0", "summary": "Add sorted sets",
                    "arguments": [
                        {"name": "destination", "type": "key"},
                        {"name": "numkeys", "type": "integer"},
                        {"name": "key", "type": "key", "flags": ["multiple"]},
                        {"name": "weight", "type": "integer", "token": "WEIGHTS", "flags": ["multiple", "optional"]}
                    ]
                },
                "XREAD": {
                    "arity": -4, "flags": ["blocking"], "group": "stream", "since": "5.0.0",
                    "summary": "Read",
                    "arguments": [
                        {"name": "count", "type": "integer", "token": "COUNT", "flags": ["optional"]},
                        {"name": "streams", "type": "block", "token": "STREAMS", "arguments": [
                            {"name": "key", "type": "key", "flags": ["multiple"]},
                            {"name": "id", "type": "string", "flags": ["multiple"]}
                        ]}
                    ]
                },
                "LINSERT": {
                    "arity": 5, "flags": ["write"], "group": "list", "since": "2.2.0",
                    "summary": "Insert",
                    "arguments": [
                        {"name": "key", "type": "key"},
                        {"name": "where", "type": "oneof", "arguments": [
                            {"name": "before", "type": "pure-token", "token": "BEFORE"},
                            {"name": "after", "type": "pure-token", "token": "AFTER"}
                        ]},
                        {"name": "pivot", "type": "string"},
                        {"name": "element", "type": "string"}
                    ]
                },
                "CLIENT": {"arity": -2, "flags": [], "group": "connection", "since": "2.4.0",
                           "summary": "A container", "subcommands": ["CLIENT KILL"]},
                "CLIENT KILL": {"arity": -3, "flags": ["admin"], "group": "connection",
                                "since": "2.4.0", "summary": "Kill", "container": "CLIENT",
                                "arguments": [{"name": "ip:port", "type": "string"}]}
            }
        }))
        .unwrap()
    }

    fn command<'t>(table: &'t model::Table, name: &str) -> &'t model::Command {
        table.commands.iter().find(|c| c.name == name).unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(emit::snake("CLIENT KILL"), "client_kill");
        assert_eq!(emit::snake("RESTORE-ASKING"), "restore_asking");
        assert_eq!(
            emit::snake("CLUSTER COUNT-FAILURE-REPORTS"),
            "cluster_count_failure_reports"
        );
        assert_eq!(emit::snake("TYPE"), "type_");
        assert_eq!(emit::snake("MOVE"), "move_");
        assert_eq!(emit::snake("ip:port"), "ip_port");
        assert_eq!(emit::snake("where"), "where_");
        assert_eq!(emit::snake("yes/no"), "yes_no");
    }

    #[test]
    fn doc_text_is_escaped_outside_code() {
        assert_eq!(emit::md("a [b] <c>  d\n e"), "a \\[b\\] \\<c\\> d e");
        assert_eq!(emit::md("use `X [Y]` instead"), "use `X [Y]` instead");
        assert_eq!(emit::md("odd `tick"), "odd `tick`");
    }

    #[test]
    fn usage_lines() {
        let table = table();
        assert_eq!(
            emit::usage(command(&table, "SET")),
            "SET key value [NX | XX] [EX seconds | KEEPTTL]"
        );
        assert_eq!(
            emit::usage(command(&table, "ZUNIONSTORE")),
            "ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]]"
        );
        assert_eq!(
            emit::usage(command(&table, "XREAD")),
            "XREAD [COUNT count] STREAMS key [key ...] id [id ...]"
        );
        assert_eq!(
            emit::usage(command(&table, "LINSERT")),
            "LINSERT key <BEFORE | AFTER> pivot element"
        );
    }

    #[test]
    fn constructors() {
        let table = table();
        let methods: Vec<_> = table
            .commands
            .iter()
            .filter(|c| !c.is_container)
            .map(|c| (c, emit::plan(c, "Value").unwrap()))
            .collect();
        let src = emit::constructors_rs(&table, &methods);
        assert!(src.starts_with(emit::HEADER));
        for expected in [
            "pub fn set<K: ToArgs, A: ToArgs>(key: K, value: A) -> Typed<Value> {\nTyped::new(Cmd::new(\"SET\").arg(key).arg(value))",
            "pub fn zunionstore<K1: ToArgs, K2: ToArgs>(destination: K1, keys: K2) -> Typed<Value> {\nTyped::new(Cmd::new(\"ZUNIONSTORE\").arg(destination).arg(arg_count(&keys)).arg(keys))",
            "pub fn xread<K: ToArgs, A: ToArgs>(keys: K, ids: A) -> Typed<Value> {\nTyped::new(Cmd::new(\"XREAD\").arg(\"STREAMS\").arg(keys).arg(ids))",
            "pub fn linsert<K: ToArgs, A1: ToArgs, A2: ToArgs, A3: ToArgs>(key: K, where_: A1, pivot: A2, element: A3)",
            "pub fn client_kill<A: ToArgs>(ip_port: A) -> Typed<Value> {\nTyped::new(Cmd::new(\"CLIENT\").arg(\"KILL\").arg(ip_port))",
        ] {
            assert!(src.contains(expected), "missing {expected}\n{src}");
        }
        assert!(src.contains("come before required ones"), "XREAD's note");
        let traits = emit::commands_rs(&table, &methods, &[]);
        assert!(traits.contains("fn set<K: ToArgs, A: ToArgs, RV: FromValue>(&self, key: K, value: A) -> Result<RV, Error> { self.query_cmd(crate::commands::set(key, value).into()) }"));
        assert!(!traits.contains("fn client<"), "containers have no method");
        assert!(traits.contains("fn set<K: ToArgs, A: ToArgs>(&mut self, key: K, value: A) -> &mut Self { self.add_cmd(crate::commands::set(key, value).into()) }"));
    }

    fn wrapper(method: &str, command: &str) -> manual::Manual {
        manual::Manual {
            file: "commands/manual/test.json".to_owned(),
            method: method.to_owned(),
            generics: String::new(),
            params: String::new(),
            args: String::new(),
            reply: "()".to_owned(),
            command: command.to_owned(),
            doc: "A wrapper.".to_owned(),
        }
    }

    #[test]
    fn manual_wrappers_are_checked() {
        let table = table();
        let generated: BTreeSet<String> = ["set".to_owned()].into();
        assert!(check_manual_entries(&table, &generated, &[wrapper("set_options", "SET")]).is_ok());
        let clash = check_manual_entries(&table, &generated, &[wrapper("set", "SET")]);
        assert!(
            matches!(&clash, Err(Error::Failed(m)) if m.contains("name of a generated command method")),
            "{clash:?}"
        );
        let twice = [wrapper("a", "SET"), wrapper("a", "SET")];
        assert!(check_manual_entries(&table, &generated, &twice).is_err());
        assert!(check_manual_entries(&table, &generated, &[wrapper("a", "NOPE")]).is_err());
        assert!(check_manual_entries(&table, &generated, &[wrapper("a", "CLIENT KILL")]).is_ok());
    }

    #[test]
    fn manual_directory_may_be_missing_or_empty() {
        let dir = std::env::temp_dir().join(format!("xtask-gen-commands-{}", std::process::id()));
        assert!(manual::read_all(&dir).unwrap().is_empty());
        std::fs::create_dir_all(&dir).unwrap();
        assert!(manual::read_all(&dir).unwrap().is_empty());
        std::fs::write(dir.join("empty.json"), "").unwrap();
        std::fs::write(dir.join("none.json"), "[]").unwrap();
        assert!(manual::read_all(&dir).unwrap().is_empty());
        std::fs::write(
            dir.join("b.json"),
            r#"[{"method": "b", "reply": "()", "command": "SET", "doc": "B."}]"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("a.json"),
            r#"[{"method": "a2", "reply": "()", "command": "set", "doc": "A2."},
                {"method": "a1", "reply": "()", "command": "SET", "doc": "A1."}]"#,
        )
        .unwrap();
        let all = manual::read_all(&dir).unwrap();
        let names: Vec<&str> = all.iter().map(|m| m.method.as_str()).collect();
        assert_eq!(names, ["a2", "a1", "b"]);
        assert_eq!(all[0].command, "SET");
        std::fs::write(
            dir.join("c.json"),
            r#"[{"method": "c", "generics": "RV: FromValue", "reply": "()", "command": "SET", "doc": "C."}]"#,
        )
        .unwrap();
        let reserved = manual::read_all(&dir);
        assert!(
            matches!(&reserved, Err(Error::Failed(m)) if m.contains("reserved")),
            "{reserved:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_reply_table_names_real_commands() {
        let root = project_root();
        let text = std::fs::read_to_string(root.join(JSON_PATH)).unwrap();
        let json: Json = serde_json::from_str(&text).unwrap();
        // The checked-in capture is in normalized form.
        assert_eq!(pretty(&json).unwrap(), text);
        let table = model::parse(&json).unwrap();
        for (name, _) in REPLIES {
            assert!(table.commands.iter().any(|c| c.name == *name), "{name}");
        }
        for name in CONNECTION_STATE {
            assert!(table.commands.iter().any(|c| c.name == *name), "{name}");
        }
    }
}
