//! The generated command table against the capture it was made from
//! (`commands/redis-7.0.json`): every command is there, lookups work in any case, flags
//! and key specs are Redis's, and `Cmd::keys` finds the keys of the irregular commands.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ferrodis_commands::{all_commands, lookup, slot, Cmd, CommandFlags, KeySlot};

/// The capture the table is generated from.
const JSON: &str = include_str!("../commands/redis-7.0.json");

/// The names of the capture's commands: the keys of its `"commands"` object, which the
/// generator pretty-prints (two-space indent) with one key per line at depth two.
fn json_names() -> Vec<String> {
    JSON.lines()
        .filter(|line| line.starts_with("    \"") && line.ends_with("\": {"))
        .map(|line| {
            line.trim()
                .trim_end_matches(": {")
                .trim_matches('"')
                .to_owned()
        })
        .collect()
}

fn keys(cmd: &Cmd) -> Vec<String> {
    cmd.keys()
        .map(|k| String::from_utf8(k.to_vec()).unwrap())
        .collect()
}

fn cmd(args: &[&str]) -> Cmd {
    let (name, rest) = args.split_first().unwrap();
    let mut cmd = Cmd::new(name);
    for arg in rest {
        cmd.push_arg(*arg);
    }
    cmd
}

#[test]
fn every_command_of_the_capture_is_in_the_table() {
    let names = json_names();
    // Redis 7.0 has 240 commands and 126 subcommands.
    assert_eq!(names.len(), 366, "the JSON's command count");
    assert_eq!(all_commands().len(), names.len());
    let table: Vec<&str> = all_commands().iter().map(|c| c.name).collect();
    assert_eq!(table, names);
    assert!(JSON.contains("\"redis_version\": \"7.0."));
}

#[test]
fn the_table_is_sorted_and_unique() {
    for pair in all_commands().windows(2) {
        assert!(
            pair[0].name.as_bytes() < pair[1].name.as_bytes(),
            "{} then {}",
            pair[0].name,
            pair[1].name
        );
    }
}

#[test]
fn every_command_and_subcommand_is_found_in_any_case() {
    for name in json_names() {
        let (container, sub) = match name.split_once(' ') {
            Some((c, s)) => (c.to_owned(), Some(s.to_owned())),
            None => (name.clone(), None),
        };
        for case in [str::to_ascii_lowercase, str::to_ascii_uppercase] {
            let sub = sub.as_deref().map(case);
            let found = lookup(
                case(&container).as_bytes(),
                sub.as_deref().map(str::as_bytes),
            )
            .unwrap_or_else(|| panic!("{name} not found"));
            assert_eq!(found.name, name);
        }
    }
    // Mixed case, and a subcommand lookup that falls back to the command.
    assert_eq!(
        lookup(b"cLiEnT", Some(b"KiLl")).unwrap().name,
        "CLIENT KILL"
    );
    assert_eq!(lookup(b"get", Some(b"somekey")).unwrap().name, "GET");
    assert_eq!(
        lookup(b"Object", Some(b"encoding")).unwrap().name,
        "OBJECT ENCODING"
    );
    assert_eq!(
        lookup(b"restore-asking", None).unwrap().name,
        "RESTORE-ASKING"
    );
    assert!(lookup(b"NOSUCHCOMMAND", None).is_none());
    assert!(lookup(b"", None).is_none());
    assert!(lookup(&[b'x'; 200], None).is_none());
}

#[test]
fn entries_carry_the_docs() {
    let get = lookup(b"get", None).unwrap();
    assert_eq!((get.arity, get.group, get.since), (2, "string", "1.0.0"));
    assert_eq!(get.summary, "Get the value of a key");
    let kill = lookup(b"client", Some(b"kill")).unwrap();
    assert_eq!(
        (kill.arity, kill.group, kill.since),
        (-3, "connection", "2.4.0")
    );
    assert_eq!(lookup(b"lmpop", None).unwrap().since, "7.0.0");
}

#[test]
fn flags_are_redis_s() {
    let flags = |name: &str| Cmd::new(name).flags();
    let get = flags("GET");
    assert!(get.is_readonly() && get.is_fast() && !get.is_write());
    let set = flags("SET");
    assert!(set.is_write() && set.is_denyoom() && !set.is_readonly());
    for blocking in [
        "BLPOP", "BRPOP", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP",
    ] {
        assert!(flags(blocking).is_blocking(), "{blocking}");
    }
    // XREAD and XREADGROUP block only with BLOCK, but Redis flags them blocking.
    assert!(flags("XREAD").is_blocking() && flags("XREAD").is_readonly());
    assert!(flags("XREADGROUP").is_blocking() && flags("XREADGROUP").is_write());
    assert!(!flags("LPOP").is_blocking());
    for pubsub in [
        "SUBSCRIBE",
        "PSUBSCRIBE",
        "SSUBSCRIBE",
        "UNSUBSCRIBE",
        "PUBLISH",
    ] {
        assert!(flags(pubsub).is_pubsub(), "{pubsub}");
    }
    for noscript in [
        "EVAL", "EVALSHA", "FCALL", "MULTI", "EXEC", "WATCH", "BLPOP",
    ] {
        assert!(flags(noscript).is_noscript(), "{noscript}");
    }
    assert!(!flags("GET").is_noscript() && !flags("LPOP").is_noscript());
    assert!(flags("EVAL").is_movablekeys() && flags("EVAL").is_skip_monitor());
    assert!(flags("SUBSCRIBE").is_noscript() && flags("SUBSCRIBE").is_loading());
    assert!(flags("FLUSHALL").is_write());
    assert!(flags("SHUTDOWN").is_admin() && flags("SHUTDOWN").is_no_multi());
    assert!(flags("AUTH").is_no_auth() && flags("HELLO").is_no_auth());
    assert!(flags("PING").is_fast());
    assert!(flags("EVAL_RO").is_readonly());
    // A subcommand has its own flags: CLIENT KILL is admin, CLIENT ID is not.
    assert!(cmd(&["CLIENT", "KILL", "ID", "1"]).flags().is_admin());
    assert!(!cmd(&["client", "id"]).flags().is_admin());
    assert!(cmd(&["config", "set", "x", "y"]).flags().is_admin());
    assert_eq!(Cmd::new("NOSUCHCOMMAND").flags(), CommandFlags::empty());
    assert!(lookup(b"acl", None).unwrap().flags.names().next().is_none());
}

#[test]
fn key_specs_of_plain_commands() {
    assert_eq!(keys(&cmd(&["GET", "k"])), ["k"]);
    assert_eq!(keys(&cmd(&["SET", "k", "v", "EX", "10"])), ["k"]);
    assert_eq!(keys(&cmd(&["DEL", "a", "b", "c"])), ["a", "b", "c"]);
    assert_eq!(keys(&cmd(&["MGET", "a", "b"])), ["a", "b"]);
    // MSET: every other argument.
    assert_eq!(
        keys(&cmd(&["MSET", "a", "1", "b", "2", "c", "3"])),
        ["a", "b", "c"]
    );
    assert_eq!(keys(&cmd(&["HSET", "h", "f", "v"])), ["h"]);
    assert_eq!(keys(&cmd(&["RENAME", "from", "to"])), ["from", "to"]);
    assert_eq!(
        keys(&cmd(&["LMOVE", "src", "dst", "LEFT", "RIGHT"])),
        ["src", "dst"]
    );
    assert_eq!(keys(&cmd(&["BLPOP", "a", "b", "0"])), ["a", "b"]);
    // BITOP: the destination, then the sources.
    assert_eq!(
        keys(&cmd(&["BITOP", "AND", "dest", "s1", "s2"])),
        ["dest", "s1", "s2"]
    );
    // No keys.
    assert!(keys(&cmd(&["PING"])).is_empty());
    assert!(keys(&cmd(&["PUBLISH", "channel", "message"])).is_empty());
    assert!(keys(&cmd(&["NOSUCHCOMMAND", "k"])).is_empty());
}

#[test]
fn key_specs_of_irregular_commands() {
    // EVAL, EVALSHA, FCALL: numkeys.
    assert_eq!(
        keys(&cmd(&["EVAL", "return 1", "2", "k1", "k2", "arg1"])),
        ["k1", "k2"]
    );
    assert!(keys(&cmd(&["EVAL", "return 1", "0", "arg1"])).is_empty());
    assert_eq!(keys(&cmd(&["EVALSHA", "abc", "1", "k", "a"])), ["k"]);
    assert_eq!(keys(&cmd(&["FCALL", "f", "2", "a", "b", "c"])), ["a", "b"]);
    assert_eq!(keys(&cmd(&["FCALL_RO", "f", "1", "a", "b"])), ["a"]);
    // XREAD / XREADGROUP: the keys after STREAMS, not the ids.
    assert_eq!(
        keys(&cmd(&[
            "XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"
        ])),
        ["s1", "s2"]
    );
    assert_eq!(
        keys(&cmd(&["XREAD", "BLOCK", "0", "STREAMS", "s1", "$"])),
        ["s1"]
    );
    assert_eq!(
        keys(&cmd(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "1",
            "STREAMS",
            "s1",
            "s2",
            ">",
            ">"
        ])),
        ["s1", "s2"]
    );
    // ZUNIONSTORE / ZINTERSTORE: the destination and numkeys sources, not the weights.
    assert_eq!(
        keys(&cmd(&[
            "ZUNIONSTORE",
            "dst",
            "2",
            "a",
            "b",
            "WEIGHTS",
            "1",
            "2"
        ])),
        ["dst", "a", "b"]
    );
    assert_eq!(
        keys(&cmd(&["ZINTERSTORE", "dst", "1", "a", "AGGREGATE", "MAX"])),
        ["dst", "a"]
    );
    assert_eq!(
        keys(&cmd(&["ZUNION", "2", "a", "b", "WITHSCORES"])),
        ["a", "b"]
    );
    // LMPOP / ZMPOP / BLMPOP: numkeys.
    assert_eq!(
        keys(&cmd(&["LMPOP", "2", "a", "b", "LEFT", "COUNT", "3"])),
        ["a", "b"]
    );
    assert_eq!(keys(&cmd(&["ZMPOP", "1", "z", "MIN"])), ["z"]);
    assert_eq!(
        keys(&cmd(&["BLMPOP", "0", "2", "a", "b", "RIGHT"])),
        ["a", "b"]
    );
    assert_eq!(
        keys(&cmd(&["SINTERCARD", "2", "a", "b", "LIMIT", "1"])),
        ["a", "b"]
    );
    // MIGRATE: the single key, or the KEYS list (with "" in the key position).
    assert_eq!(
        keys(&cmd(&["MIGRATE", "host", "6379", "k", "0", "1000"])),
        ["k"]
    );
    // With KEYS, the keys are found after it (the "" placeholder: see below).
    let migrate = keys(&cmd(&[
        "MIGRATE", "host", "6379", "", "0", "1000", "COPY", "REPLACE", "KEYS", "a", "b",
    ]));
    assert!(
        migrate.ends_with(&["a".to_owned(), "b".to_owned()]),
        "{migrate:?}"
    );
    // SORT: the key, and the STORE destination.
    assert_eq!(keys(&cmd(&["SORT", "list", "LIMIT", "0", "10"])), ["list"]);
    // (SORT ... STORE dst: see below.)
    // GEORADIUS ... STORE / STOREDIST.
    assert_eq!(
        keys(&cmd(&[
            "GEORADIUS",
            "geo",
            "0",
            "0",
            "10",
            "km",
            "STORE",
            "dst"
        ])),
        ["geo", "dst"]
    );
    assert_eq!(
        keys(&cmd(&[
            "GEORADIUS",
            "geo",
            "0",
            "0",
            "10",
            "km",
            "STOREDIST",
            "d2"
        ])),
        ["geo", "d2"]
    );
    // OBJECT ENCODING: a subcommand's key, indexed from the container.
    assert_eq!(keys(&cmd(&["OBJECT", "ENCODING", "k"])), ["k"]);
    assert_eq!(keys(&cmd(&["MEMORY", "USAGE", "k", "SAMPLES", "5"])), ["k"]);
    assert_eq!(keys(&cmd(&["XINFO", "STREAM", "s"])), ["s"]);
    assert_eq!(keys(&cmd(&["XGROUP", "CREATE", "s", "g", "$"])), ["s"]);
}

/// With `KEYS`, MIGRATE's key position holds `""`, which is no key: `COMMAND GETKEYS`
/// answers `a b`. Redis finds that out with a special key-finding function
/// (`migrateGetKeys`), not with the key specs alone; so must we.
#[test]
fn migrate_with_keys_has_no_placeholder_key() {
    assert_eq!(
        keys(&cmd(&[
            "MIGRATE", "host", "6379", "", "0", "1000", "COPY", "REPLACE", "KEYS", "a", "b"
        ])),
        ["a", "b"]
    );
    assert_eq!(
        cmd(&["MIGRATE", "h", "1", "", "0", "1", "KEYS", "{t}a", "{t}b"]).key_slot(),
        KeySlot::Single(slot(b"t"))
    );
}

/// SORT's `STORE dst` key spec is of the `unknown` kind ("the keyword can appear anywhere
/// in the argument array"); Redis finds it with `sortGetKeys`, and so must we.
#[test]
fn sort_store_destination_is_a_key() {
    assert_eq!(
        keys(&cmd(&["SORT", "list", "ALPHA", "STORE", "dst"])),
        ["list", "dst"]
    );
    assert_eq!(
        keys(&cmd(&[
            "SORT", "list", "BY", "w_*", "LIMIT", "0", "5", "STORE", "dst"
        ])),
        ["list", "dst"]
    );
    assert_eq!(keys(&cmd(&["SORT_RO", "list", "ALPHA"])), ["list"]);
}

#[test]
fn key_specs_are_from_the_capture() {
    use ferrodis_commands::{BeginSearch, FindKeys};
    let xread = lookup(b"XREAD", None).unwrap();
    assert_eq!(xread.key_specs.len(), 1);
    assert_eq!(
        xread.key_specs[0].begin_search,
        BeginSearch::Keyword {
            keyword: "STREAMS",
            start_from: 1
        }
    );
    assert_eq!(
        xread.key_specs[0].find_keys,
        FindKeys::Range {
            last_key: -1,
            step: 1,
            limit: 2
        }
    );
    let eval = lookup(b"EVAL", None).unwrap();
    assert_eq!(eval.key_specs[0].begin_search, BeginSearch::Index(2));
    assert_eq!(
        eval.key_specs[0].find_keys,
        FindKeys::KeyNum {
            key_num_idx: 0,
            first_key: 1,
            step: 1
        }
    );
    let set = lookup(b"SET", None).unwrap();
    assert!(set.key_specs[0].flags.contains(&"RW"));
    let mset = lookup(b"MSET", None).unwrap();
    assert_eq!(
        mset.key_specs[0].find_keys,
        FindKeys::Range {
            last_key: -1,
            step: 2,
            limit: 0
        }
    );
    assert!(lookup(b"PING", None).unwrap().key_specs.is_empty());
}

#[test]
fn key_slots_and_crossslot() {
    assert_eq!(
        cmd(&["GET", "foo"]).key_slot(),
        KeySlot::Single(slot(b"foo"))
    );
    assert_eq!(cmd(&["PING"]).key_slot(), KeySlot::NoKeys);
    assert_eq!(cmd(&["MGET", "a", "b"]).key_slot(), KeySlot::Cross);
    assert!(matches!(
        cmd(&["MGET", "{u}a", "{u}b"]).key_slot(),
        KeySlot::Single(_)
    ));
    // Ids after STREAMS are not keys, so they do not make the command cross-slot.
    assert_eq!(
        cmd(&["XREAD", "STREAMS", "{s}1", "{s}2", "0", "0"]).key_slot(),
        KeySlot::Single(slot(b"s"))
    );
    assert_eq!(
        cmd(&["XREAD", "STREAMS", "s1", "s2", "0", "0"]).key_slot(),
        KeySlot::Cross
    );
    // EVAL's arguments after the keys are not keys.
    assert_eq!(
        cmd(&["EVAL", "return 1", "1", "foo", "bar"]).key_slot(),
        KeySlot::Single(slot(b"foo"))
    );
    assert_eq!(
        cmd(&["ZUNIONSTORE", "{z}dst", "2", "{z}a", "b"]).key_slot(),
        KeySlot::Cross
    );
    assert_eq!(
        cmd(&["MSET", "a", "x", "b", "x"]).key_slot(),
        KeySlot::Cross
    );
    assert_eq!(
        cmd(&["MSET", "{t}a", "1", "{t}b", "2"]).key_slot(),
        KeySlot::Single(slot(b"t"))
    );
}
