//! `crates/ferrodis-blocking/tests/smoke/generated.rs`: one call of every generated
//! constructor, with arguments made up from the documented argument types, for the
//! blocking client's smoke test (`tests/smoke.rs`, which runs them against a real server).
//!
//! ## Why generated
//!
//! The smoke test must exercise every constructor, and a command added to the table must
//! show up in it without anyone remembering to add it. So the calls are derived from the
//! same plan as the constructors: each parameter gets a value from its documented type
//! ([`default_value`]), and the commands for which that is not a valid call get an
//! override in [`OVERRIDES`] (whole parameter list and/or options appended with
//! `Typed::arg`). Fixtures (keys of the right type under `smoke:`, a consumer group, a
//! loaded function, ...) and the documented expected errors live in `tests/smoke.rs`.
//!
//! Values follow one convention so that fixtures can be tiny: every string argument is
//! `"1"` (list elements, hash fields, set and sorted-set members, stream fields are all
//! `"1"` in the fixtures), integers are `1`, doubles `1.5` (timeouts `0.01`), patterns
//! `*`, unix times the year 2100, and a key argument is `smoke:<type>` where the type
//! comes from the command's group (a second key of the same command is `smoke:<type>:2`).

use std::fmt::Write as _;

use super::emit::{Method, HEADER};
use super::manual::Manual;
use super::model::{Arg, Command, Table};

/// Where the generated file goes, relative to the workspace root.
pub(super) const SMOKE_PATH: &str = "crates/ferrodis-blocking/tests/smoke/generated.rs";

/// Calls whose made-up arguments would not be valid: (command, the parameters as Rust
/// expressions (`None`: the made-up ones), options appended with `.arg(..)`). The
/// expressions may use `c` (the `&Client`) and the helpers of `tests/smoke.rs`.
#[rustfmt::skip]
const OVERRIDES: &[(&str, Option<&str>, &str)] = &[
    // ACL: a user of our own, created by the setup; never the default user.
    ("ACL DELUSER", Some(r#""smoke-user""#), ""),
    ("ACL DRYRUN", Some(r#""smoke-user", "get""#), r#".arg("smoke:string")"#),
    ("ACL GETUSER", Some(r#""smoke-user""#), ""),
    ("ACL SETUSER", Some(r#""smoke-user""#), r#".arg("on").arg("nopass").arg("~smoke:*").arg("+get")"#),
    // bitmaps
    ("BITFIELD", None, r#".arg(("GET", "u8", 0))"#),
    ("BITFIELD_RO", None, r#".arg(("GET", "u8", 0))"#),
    ("BITOP", Some(r#""AND", "smoke:string:3", ["smoke:string", "smoke:string:2"]"#), ""),
    ("BITPOS", Some(r#""smoke:string", 1"#), ""),
    // blocking list and sorted-set pops: the keys are full, the timeouts tiny anyway
    ("BLMPOP", Some(r#"0.01, "smoke:list", "LEFT""#), ""),
    ("BZMPOP", Some(r#"0.01, "smoke:zset", "MIN""#), ""),
    // connection
    ("CLIENT KILL", Some(r#"("ID", other_client_id(c)?)"#), ""),
    ("CLIENT NO-EVICT", Some(r#""off""#), ""),
    ("CLIENT PAUSE", Some("1"), ""),
    ("CLIENT SETNAME", Some(r#""smoke""#), ""),
    ("CLIENT UNBLOCK", Some("other_client_id(c)?"), ""),
    // cluster: the node ids and slots of a standalone server are refused anyway
    ("CLUSTER ADDSLOTSRANGE", Some("(1, 2)"), ""),
    ("CLUSTER DELSLOTSRANGE", Some("(1, 2)"), ""),
    ("CLUSTER SETSLOT", Some(r#"1, "STABLE""#), ""),
    ("CLUSTER MEET", Some(r#""127.0.0.1", 1"#), ""),
    // COMMAND's subcommands whose arguments the server does not document
    ("COMMAND GETKEYS", None, r#".arg(("GET", "smoke:string"))"#),
    ("COMMAND GETKEYSANDFLAGS", None, r#".arg(("GET", "smoke:string"))"#),
    ("COMMAND INFO", None, r#".arg("get")"#),
    ("COMMAND DOCS", None, r#".arg("get")"#),
    // config: read and set one harmless parameter
    ("BGSAVE", None, r#".arg("SCHEDULE")"#),
    ("CONFIG GET", Some(r#""maxmemory-policy""#), ""),
    ("CONFIG SET", Some(r#"("maxmemory-policy", "noeviction")"#), ""),
    ("COPY", Some(r#""smoke:string", "smoke:copy""#), ""),
    ("DEBUG", None, r#".arg("SLEEP").arg(0)"#),
    // scripting: scripts that exist, with their keys
    ("EVAL", Some(r#""return 1", 0"#), ""),
    ("EVAL_RO", Some(r#""return 1", 0"#), ""),
    ("EVALSHA", Some("script_sha(c)?, 0"), ""),
    ("EVALSHA_RO", Some("script_sha(c)?, 0"), ""),
    ("FCALL", Some(r#""smoke_fn", 0"#), ""),
    ("FCALL_RO", Some(r#""smoke_fn_ro", 0"#), ""),
    ("FUNCTION DELETE", Some(r#""smokelib""#), ""),
    ("FUNCTION LOAD", Some("SMOKE_LIBRARY"), ""),
    ("FUNCTION RESTORE", Some("function_dump(c)?"), r#".arg("REPLACE")"#),
    ("SCRIPT DEBUG", Some(r#""NO""#), ""),
    ("SCRIPT EXISTS", Some("script_sha(c)?"), ""),
    ("SCRIPT LOAD", Some(r#""return 1""#), ""),
    // harmless forms of dangerous commands (the server is the test's own)
    ("FAILOVER", None, r#".arg("ABORT")"#),
    ("SHUTDOWN", None, r#".arg("ABORT")"#),
    ("REPLICAOF", Some(r#"("NO", "ONE")"#), ""),
    ("SLAVEOF", Some(r#"("NO", "ONE")"#), ""),
    ("MIGRATE", Some(r#""127.0.0.1", migrate_target_port(), "smoke:string", 0, 5000"#), r#".arg("COPY").arg("REPLACE")"#),
    ("SWAPDB", Some("1, 2"), ""),
    ("MOVE", Some(r#""smoke:string", 1"#), ""),
    ("WAIT", Some("0, 1"), ""),
    // geo
    ("GEOADD", Some(r#""smoke:geo", (13.361389, 38.115556, "1")"#), ""),
    ("GEORADIUS", Some(r#""smoke:geo", 15, 37, 200, "km""#), ""),
    ("GEORADIUS_RO", Some(r#""smoke:geo", 15, 37, 200, "km""#), ""),
    ("GEORADIUSBYMEMBER", Some(r#""smoke:geo", "1", 200, "km""#), ""),
    ("GEORADIUSBYMEMBER_RO", Some(r#""smoke:geo", "1", 200, "km""#), ""),
    ("GEOSEARCH", Some(r#""smoke:geo", ("FROMMEMBER", "1"), ("BYRADIUS", 200, "km")"#), ""),
    ("GEOSEARCHSTORE", Some(r#""smoke:geo:3", "smoke:geo", ("FROMMEMBER", "1"), ("BYRADIUS", 200, "km")"#), ""),
    // hashes: the fixture's field holds a number
    ("HMSET", Some(r#""smoke:hash", ("1", "1")"#), ""),
    ("HSET", Some(r#""smoke:hash", ("1", "1")"#), ""),
    ("HSETNX", Some(r#""smoke:hash", "2", "1""#), ""),
    ("INCRBYFLOAT", Some(r#""smoke:string", 1.5"#), ""),
    ("HINCRBYFLOAT", Some(r#""smoke:hash", "1", 1.5"#), ""),
    // latency events: the setup makes one named `command`
    ("LATENCY GRAPH", Some(r#""command""#), ""),
    ("LATENCY HISTORY", Some(r#""command""#), ""),
    ("LCS", Some(r#""smoke:string", "smoke:string:2""#), ""),
    ("LINSERT", Some(r#""smoke:list", "BEFORE", "1", "0""#), ""),
    ("LMPOP", Some(r#""smoke:list", "LEFT""#), ""),
    ("MODULE LOAD", Some(r#""/nonexistent/smoke-module.so""#), ""),
    ("MODULE LOADEX", Some(r#""/nonexistent/smoke-module.so""#), ""),
    ("MODULE UNLOAD", Some(r#""smoke-no-such-module""#), ""),
    ("MSET", Some(r#"("smoke:string", "1", "smoke:string:2", "2")"#), ""),
    ("MSETNX", Some(r#"("smoke:new", "1", "smoke:new:2", "2")"#), ""),
    ("PFDEBUG", Some(r#""GETREG", "smoke:hll""#), ""),
    ("PFMERGE", Some(r#""smoke:hll:3", ["smoke:hll", "smoke:hll:2"]"#), ""),
    ("RENAMENX", Some(r#""smoke:string", "smoke:new""#), ""),
    ("RESTORE", Some(r#""smoke:restored", 0, dump(c)?"#), ""),
    ("RESTORE-ASKING", Some(r#""smoke:restored", 0, dump(c)?"#), ""),
    ("SETBIT", Some(r#""smoke:string", 7, 1"#), ""),
    ("SORT", Some(r#""smoke:list""#), ""),
    ("SORT_RO", Some(r#""smoke:list""#), ""),
    ("SPUBLISH", Some(r#""smoke-channel", "1""#), ""),
    ("PUBLISH", Some(r#""smoke-channel", "1""#), ""),
    ("SMOVE", Some(r#""smoke:set", "smoke:set:2", "1""#), ""),
    // streams: ids that exist, the group and consumer of the setup
    ("XACK", Some(r#""smoke:stream", "smoke-group", "1-1""#), ""),
    ("XADD", Some(r#""smoke:stream", "*", ("1", "1")"#), ""),
    ("XAUTOCLAIM", Some(r#""smoke:stream", "smoke-group", "smoke-consumer", 0, "0-0""#), ""),
    ("XCLAIM", Some(r#""smoke:stream", "smoke-group", "smoke-consumer", 0, "1-1""#), ""),
    ("XDEL", Some(r#""smoke:stream", "1-1""#), ""),
    ("XGROUP CREATE", Some(r#""smoke:stream", "smoke-group-2", "$""#), ""),
    ("XGROUP CREATECONSUMER", Some(r#""smoke:stream", "smoke-group", "smoke-consumer-2""#), ""),
    ("XGROUP DELCONSUMER", Some(r#""smoke:stream", "smoke-group", "smoke-consumer""#), ""),
    ("XGROUP DESTROY", Some(r#""smoke:stream", "smoke-group""#), ""),
    ("XGROUP SETID", Some(r#""smoke:stream", "smoke-group", "0""#), ""),
    ("XINFO CONSUMERS", Some(r#""smoke:stream", "smoke-group""#), ""),
    ("XPENDING", Some(r#""smoke:stream", "smoke-group""#), ""),
    ("XRANGE", Some(r#""smoke:stream", "-", "+""#), ""),
    ("XREVRANGE", Some(r#""smoke:stream", "+", "-""#), ""),
    ("XREAD", Some(r#""smoke:stream", "0""#), ""),
    ("XREADGROUP", Some(r#""smoke-group", "smoke-consumer", "smoke:stream", ">""#), ""),
    ("XSETID", Some(r#""smoke:stream", "9-9""#), ""),
    ("XTRIM", Some(r#""smoke:stream", "MAXLEN", 10"#), ""),
    // sorted sets: score and lex ranges
    ("ZADD", Some(r#""smoke:zset", (1.5, "1")"#), ""),
    ("ZCOUNT", Some(r#""smoke:zset", "-inf", "+inf""#), ""),
    ("ZINCRBY", Some(r#""smoke:zset", 1.5, "1""#), ""),
    ("ZLEXCOUNT", Some(r#""smoke:zset", "-", "+""#), ""),
    ("ZMPOP", Some(r#""smoke:zset", "MIN""#), ""),
    ("ZRANGEBYLEX", Some(r#""smoke:zset", "-", "+""#), ""),
    ("ZRANGEBYSCORE", Some(r#""smoke:zset", "-inf", "+inf""#), ""),
    ("ZRANGESTORE", Some(r#""smoke:zset:3", "smoke:zset", 0, -1"#), ""),
    ("ZREMRANGEBYLEX", Some(r#""smoke:zset", "-", "+""#), ""),
    ("ZREMRANGEBYSCORE", Some(r#""smoke:zset", "-inf", "+inf""#), ""),
    ("ZREVRANGEBYLEX", Some(r#""smoke:zset", "+", "-""#), ""),
    ("ZREVRANGEBYSCORE", Some(r#""smoke:zset", "+inf", "-inf""#), ""),
];

/// The fixture key of a command's group: `smoke:list` for the list commands, ...
fn key_type(cmd: &Command) -> &'static str {
    match cmd.group.as_str() {
        "list" => "list",
        "hash" => "hash",
        "set" => "set",
        "sorted-set" => "zset",
        "hyperloglog" => "hll",
        "geo" => "geo",
        "stream" => "stream",
        _ => "string",
    }
}

/// A Rust expression for a valid value of `arg` (see the module docs), `nth_key` counting
/// the key parameters of the command so far.
pub(super) fn default_value(cmd: &Command, arg: &Arg, nth_key: &mut usize) -> String {
    match arg.kind.as_str() {
        "key" => {
            *nth_key += 1;
            let base = format!("smoke:{}", key_type(cmd));
            if *nth_key == 1 {
                format!("{base:?}")
            } else {
                format!("\"{base}:{nth_key}\"")
            }
        }
        "integer" => "1".to_owned(),
        "double" if arg.name.contains("timeout") => "0.01".to_owned(),
        "double" => "1.5".to_owned(),
        "pattern" => "\"*\"".to_owned(),
        "unix-time" if arg.name.contains("milliseconds") => "4_102_444_800_000_i64".to_owned(),
        "unix-time" => "4_102_444_800_i64".to_owned(),
        "pure-token" => format!("{:?}", arg.token.as_deref().unwrap_or(&arg.name)),
        "oneof" => match arg.arguments.first() {
            Some(first) => with_token(first, default_value(cmd, first, nth_key)),
            None => "\"1\"".to_owned(),
        },
        "block" => {
            let parts: Vec<String> = arg
                .arguments
                .iter()
                .filter(|a| !a.optional)
                .map(|a| with_token(a, default_value(cmd, a, nth_key)))
                .collect();
            format!("({},)", parts.join(", "))
        }
        _ => "\"1\"".to_owned(),
    }
}

/// `value`, preceded by the argument's token if it has one and is not a pure token.
fn with_token(arg: &Arg, value: String) -> String {
    match &arg.token {
        Some(token) if arg.kind != "pure-token" => format!("({token:?}, {value})"),
        _ => value,
    }
}

/// The generated file (before rustfmt).
pub(super) fn smoke_rs(table: &Table, methods: &[(&Command, Method)], manual: &[Manual]) -> String {
    let mut out = String::from(HEADER);
    let _ = writeln!(
        out,
        "//! One call of every generated constructor of Redis {} (`xtask/src/gen_commands/smoke.rs`), \
         run by `tests/smoke.rs`.\n",
        table.redis_version
    );
    out.push_str("use super::*;\n\n");
    let _ = writeln!(
        out,
        "/// The number of generated constructors.\npub(crate) const CONSTRUCTORS: usize = {};\n",
        methods.len()
    );
    out.push_str(
        "/// The hand-written wrappers (`commands/manual/*.json`): (method, command). \
         `tests/smoke.rs` calls them by hand and checks it calls each of them.\n\
         pub(crate) const MANUAL_WRAPPERS: &[(&str, &str)] = &[\n",
    );
    for w in manual {
        let _ = writeln!(out, "({:?}, {:?}),", w.method, w.command);
    }
    out.push_str("];\n\n");
    out.push_str(
        "/// One call per generated constructor, in command order.\n\
         pub(crate) fn calls() -> Vec<Call> {\nvec![\n",
    );
    for (cmd, method) in methods {
        let over = OVERRIDES.iter().find(|(name, _, _)| *name == cmd.name);
        let args = match over.and_then(|(_, args, _)| *args) {
            Some(args) => args.to_owned(),
            None => {
                let mut nth_key = 0;
                method
                    .param_sources()
                    .map(|(_, arg)| default_value(cmd, arg, &mut nth_key))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let suffix = over.map(|(_, _, suffix)| *suffix).unwrap_or("");
        let _ = writeln!(
            out,
            "Call {{ command: {:?}, constructor: {:?}, run: |c| Ok(format!(\"{{:?}}\", \
             c.query(commands::{}({args}){suffix})?)) }},",
            cmd.name, method.name, method.name
        );
    }
    out.push_str("]\n}\n");
    out
}

/// Commands of [`OVERRIDES`] that have no constructor (a typo, or a command gone).
pub(super) fn unknown_overrides(methods: &[(&Command, Method)]) -> Vec<&'static str> {
    OVERRIDES
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| !methods.iter().any(|(cmd, _)| cmd.name == *name))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{emit, model};
    use super::*;

    #[test]
    fn made_up_values_follow_the_documented_types() {
        let table = model::parse(&json!({
            "redis_version": "7.0.15",
            "commands": {
                "BLMOVE": {
                    "arity": 6, "flags": ["write"], "group": "list", "since": "6.2.0",
                    "summary": "Move",
                    "arguments": [
                        {"name": "source", "type": "key"},
                        {"name": "destination", "type": "key"},
                        {"name": "wherefrom", "type": "oneof", "arguments": [
                            {"name": "left", "type": "pure-token", "token": "LEFT"},
                            {"name": "right", "type": "pure-token", "token": "RIGHT"}
                        ]},
                        {"name": "timeout", "type": "double"}
                    ]
                },
                "PEXPIREAT": {
                    "arity": -3, "flags": ["write"], "group": "generic", "since": "2.6.0",
                    "summary": "Expire",
                    "arguments": [
                        {"name": "key", "type": "key"},
                        {"name": "unix-time-milliseconds", "type": "unix-time"}
                    ]
                },
                "HSMOKE": {
                    "arity": -4, "flags": ["write"], "group": "hash", "since": "2.0.0",
                    "summary": "Set",
                    "arguments": [
                        {"name": "key", "type": "key"},
                        {"name": "data", "type": "block", "flags": ["multiple"], "arguments": [
                            {"name": "field", "type": "string"},
                            {"name": "value", "type": "string"}
                        ]}
                    ]
                }
            }
        }))
        .unwrap();
        let methods: Vec<_> = table
            .commands
            .iter()
            .map(|c| (c, emit::plan(c, "Value").unwrap()))
            .collect();
        let src = smoke_rs(&table, &methods, &[]);
        for expected in [
            r#"commands::blmove("smoke:list", "smoke:list:2", "LEFT", 0.01)"#,
            r#"commands::pexpireat("smoke:string", 4_102_444_800_000_i64)"#,
            r#"commands::hsmoke("smoke:hash", ("1", "1",))"#,
            "pub(crate) const CONSTRUCTORS: usize = 3;",
        ] {
            assert!(src.contains(expected), "missing {expected}\n{src}");
        }
        assert!(unknown_overrides(&methods).contains(&"XADD"));
    }
}
