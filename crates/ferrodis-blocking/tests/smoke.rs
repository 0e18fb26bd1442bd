#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The smoke test of every command: each constructor of `ferrodis_commands::commands`
//! (the 326 generated ones and the 84 hand-written wrappers) runs once against a real
//! server through `Client::query(typed)`, which converts the reply to the constructor's
//! default type; all of it twice, in RESP3 and in RESP2 (about 2 s in all).
//!
//! ## How
//!
//! The calls are generated (`tests/smoke/generated.rs`, written by `cargo xtask
//! gen-commands` from the same plan as the constructors, and checked by `gen-commands
//! --check`): arguments are made up from the documented argument types, with overrides
//! for the commands where that is not a valid call (see `xtask/src/gen_commands/smoke.rs`).
//! This file holds what runs around them:
//!
//! * a **private server** (never the shared one): the list includes `FLUSHALL`,
//!   `SHUTDOWN`, `REPLICAOF`, `FAILOVER`, `CLIENT KILL`, `CLIENT PAUSE`, `ACL`,
//!   `CONFIG SET`, `DEBUG`, `SWAPDB`, `MIGRATE`, `SAVE`/`BGSAVE`/`BGREWRITEAOF`, `MODULE
//!   LOAD`... Dangerous ones get arguments that keep the server alive and as it was:
//!   `SHUTDOWN ABORT`, `FAILOVER ABORT`, `REPLICAOF NO ONE`, `CLIENT PAUSE 1` (ms),
//!   `CLIENT KILL ID <a connection of our own>`, `ACL SETUSER smoke-user` (never the
//!   default user), `MIGRATE ... COPY` to a second private server;
//! * **fixtures**, rebuilt before every call (one pipelined round trip): keys of every
//!   type under `smoke:` (every element, field and member is `"1"`, matching the made-up
//!   arguments), a stream with a consumer group whose consumer has one pending entry, a
//!   loaded function library, an ACL user, a latency event;
//! * **per-command setup** ([`setup`]) for the few that need a state of their own;
//! * the documented **expected errors** ([`EXPECTED_ERRORS`]): commands that cannot
//!   succeed on a standalone server (CLUSTER ..., `FAILOVER ABORT` with no failover,
//!   `MODULE LOAD` of a module that does not exist, ...). Getting exactly the expected error reply
//!   still proves the command is encoded right and that error replies come back as
//!   `Error::Server`;
//! * the **count**: the number of commands exercised must equal the number of generated
//!   constructors plus hand-written wrappers minus [`EXCLUDED`] (empty), every command of
//!   the table must have a call or be connection state, and every wrapper listed in
//!   `commands/manual/*.json` (the generated `MANUAL_WRAPPERS`) must have exactly one
//!   call in [`manual_calls`]; so a command or wrapper added fails this test until it
//!   runs.

use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrodis_blocking::{Client, Connection};
use ferrodis_commands::commands::{
    BitFieldOffset, BitFieldOps, BitFieldType, BitUnit, ClientKillFilter, ClientPauseMode,
    ClientType, CopyOptions, ExpireCondition, FailoverOptions, FlushMode, GeoAddOptions, GeoBy,
    GeoFrom, GeoSearchOptions, GeoSearchStoreOptions, GeoUnit, GetExOptions, LPosOptions, LexBound,
    ListEnd, MigrateOptions, RestoreOptions, ScoreBound, ScoreEnd, SetOptions, ShutdownOptions,
    SortOptions, StreamReadOptions, StreamTrim, XAddOptions, XAutoClaimOptions, XClaimOptions,
    XGroupCreateOptions, XPendingOptions, ZAddOptions, ZAggregate, ZCombineOptions, ZRange,
    ZRangeOptions,
};
use ferrodis_commands::{all_commands, commands, Cmd, Error, ErrorCode, ScanOptions, Value};
use ferrodis_tests::RedisServer;

#[path = "smoke/generated.rs"]
mod generated;

/// One generated call.
pub(crate) struct Call {
    /// The Redis command: `CLIENT KILL`.
    pub(crate) command: &'static str,
    /// The constructor: `client_kill`.
    pub(crate) constructor: &'static str,
    /// Runs it through `Client::query` and renders the converted reply.
    pub(crate) run: fn(&Client) -> Result<String, Error>,
}

/// Commands whose call is not run at all, with why. Empty: everything runs, the
/// dangerous commands with harmless arguments on a private server.
const EXCLUDED: &[(&str, &str)] = &[];

/// Commands that cannot succeed on a standalone test server: (command, the start of the
/// error reply expected, why).
const EXPECTED_ERRORS: &[(&str, &str, &str)] = &[
    (
        "CONFIG REWRITE",
        "ERR The server is running without a config file",
        "the test support starts redis-server with command-line options only",
    ),
    (
        "FAILOVER",
        "ERR No failover in progress",
        "FAILOVER ABORT: a real failover needs a replica",
    ),
    (
        "SHUTDOWN",
        "ERR No shutdown in progress",
        "SHUTDOWN ABORT: the test must keep its server",
    ),
    (
        "MODULE LOAD",
        "ERR Error loading the extension",
        "no module ships with redis-server: the path does not exist",
    ),
    (
        "MODULE LOADEX",
        "ERR Error loading the extension",
        "no module ships with redis-server: the path does not exist",
    ),
    (
        "MODULE UNLOAD",
        "ERR Error unloading module",
        "no module is loaded",
    ),
];

/// The start of the reply of every CLUSTER subcommand on a server without cluster mode.
const CLUSTER_DISABLED: &str = "ERR This instance has cluster support disabled";

/// Connection-state commands: no constructor by design (the command layer's contract;
/// `CONNECTION_STATE` in xtask/src/gen_commands.rs). The pieces of the client that own
/// the connection send them (pipeline, pub/sub, monitor, the handshake).
const CONNECTION_STATE: &[&str] = &[
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

/// The function library the fixtures load (FCALL, FCALL_RO, FUNCTION DELETE/DUMP/...).
pub(crate) const SMOKE_LIBRARY: &str = "#!lua name=smokelib\n\
     redis.register_function('smoke_fn', function(keys, args) return 1 end)\n\
     redis.register_function{function_name='smoke_fn_ro', \
     callback=function(keys, args) return 1 end, flags={'no-writes'}}\n\
     redis.register_function{function_name='smoke_loop', \
     callback=function(keys, args) while true do end end, flags={'no-writes'}}";

/// The second private server, the target of MIGRATE.
static MIGRATE_TARGET: OnceLock<u16> = OnceLock::new();

/// Connections of our own kept open for CLIENT KILL and CLIENT UNBLOCK to aim at.
static VICTIMS: Mutex<Vec<Connection>> = Mutex::new(Vec::new());

pub(crate) fn migrate_target_port() -> u16 {
    *MIGRATE_TARGET
        .get()
        .expect("the MIGRATE target is started first")
}

/// The id of another connection of ours (opened for the purpose and kept open).
pub(crate) fn other_client_id(c: &Client) -> Result<i64, Error> {
    let mut conn = c.dedicated_connection()?;
    let id: i64 = conn.query(&Cmd::new("CLIENT").arg("ID"))?;
    VICTIMS.lock().unwrap().push(conn);
    Ok(id)
}

/// The serialized value of `smoke:string` (for RESTORE).
pub(crate) fn dump(c: &Client) -> Result<Bytes, Error> {
    let dumped = c.query(commands::dump("smoke:string"))?;
    dumped.ok_or_else(|| Error::conversion::<Bytes>("nil", Some("smoke:string is missing".into())))
}

/// The SHA1 of a script the server knows.
pub(crate) fn script_sha(c: &Client) -> Result<String, Error> {
    c.query(commands::script_load("return 1"))
}

/// The serialized function libraries (for FUNCTION RESTORE).
pub(crate) fn function_dump(c: &Client) -> Result<Bytes, Error> {
    c.query(commands::function_dump())
}

fn cmd(args: &[&str]) -> Cmd {
    let mut cmd = Cmd::new(args[0]);
    for arg in &args[1..] {
        cmd.push_arg(*arg);
    }
    cmd
}

/// Sends `cmds` in one round trip and fails the test on any error reply.
fn run_all(c: &Client, what: &str, cmds: &[Cmd]) {
    let mut conn = c.get_connection().unwrap();
    for cmd in cmds {
        conn.send(cmd);
    }
    conn.flush().unwrap();
    for cmd in cmds {
        let reply = conn.recv().unwrap();
        if let Value::SimpleError(e) | Value::BulkError(e) = &reply {
            panic!(
                "{what}: {cmd:?} failed: {}",
                String::from_utf8_lossy(e.as_ref())
            );
        }
    }
}

/// The state every call starts from.
fn fixtures() -> Vec<Cmd> {
    let mut cmds = vec![
        cmd(&["FLUSHALL"]),
        cmd(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]),
        cmd(&["CLIENT", "UNPAUSE"]),
        cmd(&["FUNCTION", "LOAD", "REPLACE", SMOKE_LIBRARY]),
        cmd(&[
            "ACL",
            "SETUSER",
            "smoke-user",
            "on",
            "nopass",
            "~smoke:*",
            "+get",
        ]),
    ];
    for suffix in ["", ":2"] {
        let key = |t: &str| format!("smoke:{t}{suffix}");
        cmds.extend([
            cmd(&["SET", &key("string"), "1"]),
            cmd(&["RPUSH", &key("list"), "1", "2", "3"]),
            cmd(&["HSET", &key("hash"), "1", "1"]),
            cmd(&["SADD", &key("set"), "1", "2"]),
            cmd(&["ZADD", &key("zset"), "1", "1", "2", "2"]),
            cmd(&["PFADD", &key("hll"), "1", "2"]),
            cmd(&[
                "GEOADD",
                &key("geo"),
                "13.361389",
                "38.115556",
                "1",
                "15.087269",
                "37.502669",
                "2",
            ]),
            cmd(&["XADD", &key("stream"), "1-1", "1", "1"]),
            cmd(&["XADD", &key("stream"), "2-2", "1", "1"]),
        ]);
    }
    cmds.extend([
        cmd(&["XGROUP", "CREATE", "smoke:stream", "smoke-group", "0"]),
        // One pending entry (1-1) for XACK/XCLAIM/XPENDING; 2-2 is left for `>`.
        cmd(&[
            "XREADGROUP",
            "GROUP",
            "smoke-group",
            "smoke-consumer",
            "COUNT",
            "1",
            "STREAMS",
            "smoke:stream",
            ">",
        ]),
    ]);
    cmds
}

/// Extra state for one command, after the fixtures. Returns, for SCRIPT KILL and
/// FUNCTION KILL, the end of the busy script they kill (to wait for after the call).
fn setup(c: &Client, command: &str) -> Option<mpsc::Receiver<()>> {
    let extra: Vec<Cmd> = match command {
        // A library of the same name is loaded by the fixtures.
        "FUNCTION LOAD" => vec![cmd(&["FUNCTION", "FLUSH"])],
        // Access frequencies are only tracked under an LFU policy.
        "OBJECT FREQ" => vec![cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"])],
        // A latency event named `command`: a 20 ms command over a 1 ms threshold.
        "LATENCY GRAPH" | "LATENCY HISTORY" | "LATENCY LATEST" | "LATENCY DOCTOR" => vec![
            cmd(&["CONFIG", "SET", "latency-monitor-threshold", "1"]),
            cmd(&["DEBUG", "SLEEP", "0.02"]),
        ],
        // SAVE and BGREWRITEAOF refuse to run next to a background save or rewrite.
        "SAVE" | "BGSAVE" | "BGREWRITEAOF" => {
            wait_for_no_child(c);
            vec![]
        }
        // Something to kill: a script (or function) looping forever on another
        // connection, past the threshold after which the server answers BUSY.
        "SCRIPT KILL" => return Some(busy_loop(c, &["EVAL", "while true do end", "0"])),
        "FUNCTION KILL" => return Some(busy_loop(c, &["FCALL", "smoke_loop", "0"])),
        _ => vec![],
    };
    if !extra.is_empty() {
        run_all(c, command, &extra);
    }
    None
}

/// Starts `args` (a script that never ends) on a connection of its own, and returns once
/// the server answers BUSY; the receiver hears when the script's call has returned.
fn busy_loop(c: &Client, args: &[&str]) -> mpsc::Receiver<()> {
    run_all(
        c,
        "busy-reply-threshold",
        &[cmd(&["CONFIG", "SET", "busy-reply-threshold", "20"])],
    );
    let mut conn = c.dedicated_connection().unwrap();
    let looping = cmd(args);
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || {
        // Killed: an error reply ("... killed by user ...").
        let _ = conn.query_value(&looping);
        let _ = done.send(());
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match c.cmd("PING").query::<String>() {
            Err(Error::Server(e)) if e.code() == &ErrorCode::Busy => return ended,
            _ => {
                assert!(Instant::now() < deadline, "the script never got busy");
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

/// Waits until no background save or AOF rewrite runs.
fn wait_for_no_child(c: &Client) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let info: String = c.cmd("INFO").arg("persistence").query().unwrap();
        if info.contains("rdb_bgsave_in_progress:0") && info.contains("aof_rewrite_in_progress:0") {
            return;
        }
        assert!(Instant::now() < deadline, "a background save never ended");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A call of a hand-written wrapper: `call!(c => "COMMAND", constructor(args...))`, `c`
/// being the client inside the arguments.
macro_rules! call {
    ($c:ident => $command:literal, $name:ident($($arg:expr),* $(,)?)) => {
        Call {
            command: $command,
            constructor: stringify!($name),
            run: |$c| Ok(format!("{:?}", $c.query(commands::$name($($arg),*))?)),
        }
    };
}

/// One call per hand-written wrapper (`ferrodis_commands::commands::manual`), with some
/// of its options: they are not generated, so this list is checked against the
/// generated `MANUAL_WRAPPERS`.
fn manual_calls() -> Vec<Call> {
    vec![
        // geo
        call!(c => "GEOADD", geoadd_options("smoke:geo", (13.5, 38.0, "3"), &GeoAddOptions::new().nx().ch())),
        call!(c => "GEOSEARCH", geosearch_options("smoke:geo", GeoFrom::member("1"), GeoBy::radius(200.0, GeoUnit::Kilometers), &GeoSearchOptions::new().with_coord().with_dist().with_hash().asc().count(10))),
        call!(c => "GEOSEARCHSTORE", geosearchstore_options("smoke:geo:3", "smoke:geo", GeoFrom::lonlat(15.0, 37.0), GeoBy::box_(400.0, 400.0, GeoUnit::Kilometers), &GeoSearchStoreOptions::new().storedist())),
        call!(c => "GEORADIUS", georadius_options("smoke:geo", 15.0, 37.0, 200.0, GeoUnit::Kilometers, &GeoSearchOptions::new().with_dist().desc())),
        call!(c => "GEORADIUSBYMEMBER", georadiusbymember_options("smoke:geo", "1", 200.0, GeoUnit::Miles, &GeoSearchOptions::new().with_coord().count_any(1))),
        // connection and server
        call!(c => "CLIENT KILL", client_kill_filter(&ClientKillFilter::new().id(other_client_id(c)?.unsigned_abs()).skipme(true))),
        call!(c => "CLIENT LIST", client_list_type(ClientType::Normal)),
        call!(c => "CLIENT LIST", client_list_ids(other_client_id(c)?)),
        call!(c => "CLIENT PAUSE", client_pause_options(1, ClientPauseMode::Write)),
        call!(c => "SORT", sort_options("smoke:list", &SortOptions::new().limit(0, 2).desc())),
        call!(c => "SORT_RO", sort_ro_options("smoke:list", &SortOptions::new().alpha())),
        call!(c => "SORT", sort_store("smoke:list", "smoke:list:3", &SortOptions::new())),
        call!(c => "RESTORE", restore_options("smoke:string", 0, dump(c)?, &RestoreOptions::new().replace().idletime(10))),
        call!(c => "MIGRATE", migrate_options("127.0.0.1", migrate_target_port(), "smoke:string", 0, 5000, &MigrateOptions::new().copy().replace())),
        call!(c => "MIGRATE", migrate_keys("127.0.0.1", migrate_target_port(), ["smoke:string", "smoke:list"], 0, 5000, &MigrateOptions::new().copy().replace())),
        call!(c => "EVAL", eval_keys("return {KEYS[1], ARGV[1]}", ["smoke:string"], ["1"])),
        call!(c => "EVALSHA", evalsha_keys(script_sha(c)?, ["smoke:string"], ["1"])),
        call!(c => "EVAL_RO", eval_ro_keys("return redis.call('GET', KEYS[1])", ["smoke:string"], Vec::<&str>::new())),
        call!(c => "EVALSHA_RO", evalsha_ro_keys(script_sha(c)?, ["smoke:string"], ["1"])),
        call!(c => "FCALL", fcall_keys("smoke_fn", ["smoke:string"], ["1"])),
        call!(c => "FCALL_RO", fcall_ro_keys("smoke_fn_ro", ["smoke:string"], ["1"])),
        call!(c => "FLUSHALL", flushall_options(FlushMode::Async)),
        call!(c => "FLUSHDB", flushdb_options(FlushMode::Sync)),
        call!(c => "SCRIPT FLUSH", script_flush_options(FlushMode::Sync)),
        call!(c => "FUNCTION FLUSH", function_flush_options(FlushMode::Async)),
        call!(c => "SHUTDOWN", shutdown_options(&ShutdownOptions::new().abort())),
        call!(c => "FAILOVER", failover_options(&FailoverOptions::new().abort())),
        // pub/sub introspection
        call!(c => "PUBSUB CHANNELS", pubsub_channels_matching("smoke*")),
        call!(c => "PUBSUB NUMSUB", pubsub_numsub_of(["smoke:a", "smoke:b"])),
        call!(c => "PUBSUB SHARDCHANNELS", pubsub_shardchannels_matching("smoke*")),
        call!(c => "PUBSUB SHARDNUMSUB", pubsub_shardnumsub_of("smoke:a")),
        // scan pages
        call!(c => "SCAN", scan_page(0, &ScanOptions::new().pattern("smoke:*").count(100).type_("string"))),
        call!(c => "SSCAN", sscan_page("smoke:set", 0, &ScanOptions::new().pattern("*"))),
        call!(c => "HSCAN", hscan_page("smoke:hash", 0, &ScanOptions::new().count(10))),
        call!(c => "ZSCAN", zscan_page("smoke:zset", 0, &ScanOptions::new())),
        // sorted sets
        call!(c => "ZADD", zadd_options("smoke:zset", [(3.0, "3")], &ZAddOptions::new().nx().ch())),
        call!(c => "ZADD", zadd_incr("smoke:zset", 1.5, "1", &ZAddOptions::new().xx())),
        call!(c => "ZRANGE", zrange_options("smoke:zset", ZRange::all(), &ZRangeOptions::new().rev())),
        call!(c => "ZRANGE", zrange_withscores("smoke:zset", ZRange::score(ScoreBound::NegInf, ScoreBound::PosInf), &ZRangeOptions::new().limit(0, 10))),
        call!(c => "ZRANGESTORE", zrangestore_options("smoke:zset:3", "smoke:zset", ZRange::lex(LexBound::NegInf, LexBound::PosInf), &ZRangeOptions::new())),
        call!(c => "ZRANGEBYSCORE", zrangebyscore_options("smoke:zset", ScoreBound::NegInf, ScoreBound::PosInf, Some((0, 10)))),
        call!(c => "ZRANGEBYSCORE", zrangebyscore_withscores("smoke:zset", ScoreBound::Inclusive(1.0), ScoreBound::Exclusive(3.0), None)),
        call!(c => "ZREVRANGEBYSCORE", zrevrangebyscore_options("smoke:zset", ScoreBound::PosInf, ScoreBound::NegInf, None)),
        call!(c => "ZREVRANGEBYSCORE", zrevrangebyscore_withscores("smoke:zset", ScoreBound::PosInf, ScoreBound::NegInf, Some((0, 1)))),
        call!(c => "ZRANGEBYLEX", zrangebylex_options("smoke:zset", LexBound::inclusive("1"), LexBound::PosInf, None)),
        call!(c => "ZREVRANGEBYLEX", zrevrangebylex_options("smoke:zset", LexBound::PosInf, LexBound::exclusive("1"), Some((0, 1)))),
        call!(c => "ZUNION", zunion_options(["smoke:zset", "smoke:zset:2"], &ZCombineOptions::new().weights([1.0, 2.0]).aggregate(ZAggregate::Max))),
        call!(c => "ZUNION", zunion_withscores(["smoke:zset", "smoke:zset:2"], &ZCombineOptions::new())),
        call!(c => "ZUNIONSTORE", zunionstore_options("smoke:zset:3", ["smoke:zset", "smoke:zset:2"], &ZCombineOptions::new().aggregate(ZAggregate::Sum))),
        call!(c => "ZINTER", zinter_options(["smoke:zset", "smoke:zset:2"], &ZCombineOptions::new().aggregate(ZAggregate::Min))),
        call!(c => "ZINTER", zinter_withscores(["smoke:zset", "smoke:zset:2"], &ZCombineOptions::new().weights([2.0, 1.0]))),
        call!(c => "ZINTERSTORE", zinterstore_options("smoke:zset:3", ["smoke:zset", "smoke:zset:2"], &ZCombineOptions::new())),
        call!(c => "ZDIFF", zdiff_keys(["smoke:zset", "smoke:zset:2"])),
        call!(c => "ZDIFF", zdiff_withscores(["smoke:zset", "smoke:zset:2"])),
        call!(c => "ZDIFFSTORE", zdiffstore_keys("smoke:zset:3", ["smoke:zset", "smoke:zset:2"])),
        call!(c => "ZMPOP", zmpop_keys(["smoke:zset"], ScoreEnd::Max, Some(2))),
        call!(c => "BZMPOP", bzmpop_keys(0.01, ["smoke:zset"], ScoreEnd::Min, None)),
        call!(c => "ZRANDMEMBER", zrandmember_count("smoke:zset", 2)),
        call!(c => "ZRANDMEMBER", zrandmember_withscores("smoke:zset", -3)),
        call!(c => "ZINTERCARD", zintercard_keys(["smoke:zset", "smoke:zset:2"], Some(1))),
        call!(c => "SINTERCARD", sintercard_keys(["smoke:set", "smoke:set:2"], None)),
        // streams
        call!(c => "XADD", xadd_options("smoke:stream", "*", [("1", "1")], &XAddOptions::new().nomkstream())),
        call!(c => "XTRIM", xtrim_options("smoke:stream", &StreamTrim::maxlen(1).approx())),
        call!(c => "XREAD", xread_options(["smoke:stream"], ["0"], &StreamReadOptions::new().count(1))),
        call!(c => "XREADGROUP", xreadgroup_options("smoke-group", "smoke-consumer", ["smoke:stream"], [">"], &StreamReadOptions::new().count(1))),
        call!(c => "XPENDING", xpending_range("smoke:stream", "smoke-group", "-", "+", 10, &XPendingOptions::new().idle(0))),
        call!(c => "XCLAIM", xclaim_options("smoke:stream", "smoke-group", "smoke-consumer", 0, ["1-1"], &XClaimOptions::new())),
        call!(c => "XCLAIM", xclaim_justid("smoke:stream", "smoke-group", "smoke-consumer", 0, ["1-1"], &XClaimOptions::new())),
        call!(c => "XAUTOCLAIM", xautoclaim_options("smoke:stream", "smoke-group", "smoke-consumer", 0, "0-0", &XAutoClaimOptions::new().count(10))),
        call!(c => "XAUTOCLAIM", xautoclaim_justid("smoke:stream", "smoke-group", "smoke-consumer", 0, "0-0", &XAutoClaimOptions::new())),
        call!(c => "XGROUP CREATE", xgroup_create_options("smoke:stream:new", "smoke-group", "$", &XGroupCreateOptions::new().mkstream())),
        call!(c => "XINFO STREAM", xinfo_stream_full("smoke:stream", Some(10))),
        // strings, keys, lists, bitmaps
        call!(c => "SET", set_options("smoke:string", "2", &SetOptions::new().xx().ex(60))),
        call!(c => "SET", set_get("smoke:string", "2", &SetOptions::new().keepttl())),
        call!(c => "GETEX", getex_options("smoke:string", &GetExOptions::new().ex(60))),
        call!(c => "EXPIRE", expire_options("smoke:string", 60, ExpireCondition::Nx)),
        call!(c => "PEXPIRE", pexpire_options("smoke:string", 60_000, ExpireCondition::Gt)),
        call!(c => "EXPIREAT", expireat_options("smoke:string", 4_102_444_800, ExpireCondition::Xx)),
        call!(c => "PEXPIREAT", pexpireat_options("smoke:string", 4_102_444_800_000, ExpireCondition::Lt)),
        call!(c => "LPOS", lpos_options("smoke:list", "2", &LPosOptions::new().rank(1))),
        call!(c => "LPOS", lpos_count("smoke:list", "2", 0, &LPosOptions::new())),
        call!(c => "BITFIELD", bitfield_ops("smoke:string", &BitFieldOps::new().get(BitFieldType::Unsigned(8), 0))),
        call!(c => "BITFIELD_RO", bitfield_ro_ops("smoke:string", &[(BitFieldType::Signed(8), BitFieldOffset::Index(0))])),
        call!(c => "BITCOUNT", bitcount_range("smoke:string", 0, -1, BitUnit::Byte)),
        call!(c => "BITPOS", bitpos_range("smoke:string", true, 0, Some(-1), BitUnit::Bit)),
        call!(c => "COPY", copy_options("smoke:string", "smoke:copy", &CopyOptions::new().db(1))),
        call!(c => "LMPOP", lmpop_keys(["smoke:list"], ListEnd::Left, Some(2))),
        call!(c => "BLMPOP", blmpop_keys(0.01, ["smoke:list"], ListEnd::Right, None)),
    ]
}

/// The start of the error `command` is expected to fail with, if any.
fn expected_error(command: &str) -> Option<&'static str> {
    if command.starts_with("CLUSTER ") {
        return Some(CLUSTER_DISABLED);
    }
    EXPECTED_ERRORS
        .iter()
        .find(|(name, _, _)| *name == command)
        .map(|(_, error, _)| *error)
}

/// Runs every call once through `client`; returns how many were exercised and the
/// failures.
fn run_every_call(client: &Client, calls: &[Call], label: &str) -> (usize, Vec<String>) {
    let mut exercised = 0;
    let mut failures = Vec::new();
    for call in calls {
        if EXCLUDED.iter().any(|(name, _)| *name == call.command) {
            continue;
        }
        run_all(client, "fixtures", &fixtures());
        let busy = setup(client, call.command);
        let t = Instant::now();
        let result = (call.run)(client);
        let took = t.elapsed();
        if let Some(ended) = busy {
            assert!(
                ended.recv_timeout(Duration::from_secs(10)).is_ok(),
                "{}: the busy script was not killed",
                call.command
            );
        }
        match (result, expected_error(call.command)) {
            (Ok(mut reply), None) => {
                exercised += 1;
                if reply.len() > 100 {
                    reply.truncate(reply.floor_char_boundary_compat(100));
                    reply.push_str("...");
                }
                println!("{label} ok    {:<28} {took:>10.2?}  {reply}", call.command);
            }
            (Err(Error::Server(e)), Some(expected)) if e.text().starts_with(expected) => {
                exercised += 1;
                println!(
                    "{label} error {:<28} {took:>10.2?}  (expected) {}",
                    call.command,
                    e.text()
                );
            }
            (Ok(reply), Some(expected)) => {
                let hint = if reply.starts_with("SimpleError") || reply.starts_with("BulkError") {
                    " (Client::query kept the error reply as a Value; the contract says error \
                     replies become Err(Error::Server) whatever the reply type)"
                } else {
                    ""
                };
                failures.push(format!(
                    "{label} {} ({}): expected the error `{expected}`, got {reply}{hint}",
                    call.command, call.constructor
                ));
            }
            (Err(e), _) => failures.push(format!(
                "{label} {} ({}): {e} [{e:?}]",
                call.command, call.constructor
            )),
        }
    }
    (exercised, failures)
}

#[test]
fn every_generated_command_runs_against_a_real_server() {
    let started = Instant::now();
    let acl_file = std::env::temp_dir().join(format!("ferrodis-smoke-{}.acl", std::process::id()));
    std::fs::write(&acl_file, "").unwrap();
    let server = RedisServer::builder()
        .enable_debug_command()
        .arg("--enable-module-command", "yes")
        .arg("--aclfile", acl_file.as_os_str())
        .start()
        .unwrap();
    let target = RedisServer::builder().start().unwrap();
    MIGRATE_TARGET.set(target.port()).unwrap();

    let mut calls = generated::calls();
    assert_eq!(calls.len(), generated::CONSTRUCTORS);
    // Every hand-written wrapper has its call, once.
    let manual = manual_calls();
    for (method, command) in generated::MANUAL_WRAPPERS {
        assert_eq!(
            manual
                .iter()
                .filter(|c| c.constructor == *method && c.command == *command)
                .count(),
            1,
            "the hand-written wrapper {method} ({command}) needs one call in manual_calls()"
        );
    }
    assert_eq!(manual.len(), generated::MANUAL_WRAPPERS.len());
    calls.extend(manual);
    let excluded = calls
        .iter()
        .filter(|c| EXCLUDED.iter().any(|(name, _)| *name == c.command))
        .count();

    // Every command of the table has a call, or is connection state (no constructor).
    let called: Vec<&str> = calls.iter().map(|c| c.command).collect();
    let table: Vec<&str> = all_commands().iter().map(|info| info.name).collect();
    for name in &table {
        let is_container = *name != "COMMAND"
            && table.iter().any(|n| {
                n.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with(' '))
            });
        if !is_container && !CONNECTION_STATE.contains(name) {
            assert!(
                called.contains(name),
                "{name} is in the command table but has no smoke call: run `cargo xtask \
                 gen-commands --no-capture`"
            );
        }
    }

    // Both protocols: the default conversions must accept RESP3's and RESP2's shapes.
    let mut failures = Vec::new();
    for protocol in ["resp3", "resp2"] {
        let client =
            Client::open(format!("{}/0?protocol={protocol}", server.url()).as_str()).unwrap();
        let (exercised, failed) = run_every_call(&client, &calls, protocol);
        println!(
            "{protocol}: {exercised} commands, {:.2?} so far",
            started.elapsed()
        );
        failures.extend(failed);
        if failures.is_empty() {
            assert_eq!(
                exercised,
                generated::CONSTRUCTORS + generated::MANUAL_WRAPPERS.len() - excluded,
                "every constructor but the documented exclusions runs"
            );
        }
        // The dangerous ones left the server as it was.
        let pong: String = client.query(commands::ping()).unwrap();
        assert_eq!(pong, "PONG");
    }
    let _ = std::fs::remove_file(&acl_file);
    assert!(
        failures.is_empty(),
        "{} calls failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(server.is_running());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the smoke test should stay under 30 s"
    );
}

/// `str::floor_char_boundary` is unstable: the largest char boundary at or below `at`.
trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, at: usize) -> usize;
}

impl FloorCharBoundary for String {
    fn floor_char_boundary_compat(&self, at: usize) -> usize {
        let mut at = at.min(self.len());
        while !self.is_char_boundary(at) {
            at -= 1;
        }
        at
    }
}
