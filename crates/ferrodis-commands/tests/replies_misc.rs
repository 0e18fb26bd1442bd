//! LCS, COMMAND DOCS and FUNCTION LIST replies, decoded from bytes captured from
//! redis-server 7.0.15 over RESP2 and RESP3 (`HELLO 3`), where maps are flat arrays and
//! flag sets are arrays in RESP2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use ferrodis_commands::replies::{ArgType, CommandDocs, FunctionLibrary, LcsMatch, LcsMatches};
use ferrodis_commands::{Error, FromValue, Value};

fn decode(bytes: &[u8]) -> Value {
    let (value, used) = ferrodis_resp::decode(bytes).unwrap().unwrap();
    assert_eq!(used, bytes.len(), "trailing bytes");
    value
}

fn parse<T: FromValue>(bytes: &[u8]) -> T {
    T::from_value(decode(bytes)).unwrap()
}

fn both<T: FromValue + PartialEq + std::fmt::Debug>(resp2: &[u8], resp3: &[u8]) -> T {
    let a: T = parse(resp2);
    let b: T = parse(resp3);
    assert_eq!(a, b, "RESP2 and RESP3 forms differ");
    a
}

#[test]
fn lcs_plain_and_len() {
    // LCS of "ohmytext" and "mynewtext".
    assert_eq!(
        both::<Bytes>(b"$6\r\nmytext\r\n", b"$6\r\nmytext\r\n"),
        "mytext"
    );
    assert_eq!(both::<u64>(b":6\r\n", b":6\r\n"), 6);
}

#[test]
fn lcs_idx() {
    let lcs: LcsMatches = both(b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n", b"%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
    assert_eq!(lcs.len, 6);
    assert_eq!(lcs.matches.len(), 2);
    assert_eq!(
        (lcs.matches[0].key1.clone(), lcs.matches[0].key2.clone()),
        (4..=7, 5..=8)
    );
    assert_eq!(lcs.matches[0].len, None);
    assert_eq!(
        (lcs.matches[1].key1.clone(), lcs.matches[1].key2.clone()),
        (2..=3, 0..=1)
    );
}

#[test]
fn lcs_idx_withmatchlen() {
    let lcs: LcsMatches = both(b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n", b"%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n");
    assert_eq!(lcs.len, 6);
    assert_eq!(lcs.matches.len(), 1);
    assert_eq!(lcs.matches[0].len, Some(4));
    assert!(matches!(
        LcsMatch::from_value(decode(b"*1\r\n*2\r\n:1\r\n:2\r\n")),
        Err(Error::Conversion { .. })
    ));
    assert!(matches!(
        LcsMatches::from_value(decode(b"%1\r\n$3\r\nlen\r\n:1\r\n")),
        Err(Error::Conversion { .. })
    ));
}

#[test]
fn command_docs() {
    let docs: CommandDocs = both(b"*6\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$6\r\nobject\r\n*10\r\n$7\r\nsummary\r\n$45\r\nA container for object introspection commands\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$22\r\nDepends on subcommand.\r\n$11\r\nsubcommands\r\n*10\r\n$15\r\nobject|idletime\r\n*10\r\n$7\r\nsummary\r\n$51\r\nGet the time since a Redis object was last accessed\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$11\r\nobject|help\r\n*8\r\n$7\r\nsummary\r\n$49\r\nShow helpful text about the different subcommands\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$11\r\nobject|freq\r\n*10\r\n$7\r\nsummary\r\n$62\r\nGet the logarithmic access frequency counter of a Redis object\r\n$5\r\nsince\r\n$5\r\n4.0.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$15\r\nobject|encoding\r\n*10\r\n$7\r\nsummary\r\n$47\r\nInspect the internal encoding of a Redis object\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$15\r\nobject|refcount\r\n*10\r\n$7\r\nsummary\r\n$52\r\nGet the number of references to the value of the key\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$3\r\nset\r\n*12\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n*4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\nAdded the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\nAdded the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\nAllowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n*10\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n*10\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n*8\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nPX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\nname\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nKEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n", b"%3\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$6\r\nobject\r\n%5\r\n$7\r\nsummary\r\n$45\r\nA container for object introspection commands\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$22\r\nDepends on subcommand.\r\n$11\r\nsubcommands\r\n%5\r\n$15\r\nobject|idletime\r\n%5\r\n$7\r\nsummary\r\n$51\r\nGet the time since a Redis object was last accessed\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$11\r\nobject|help\r\n%4\r\n$7\r\nsummary\r\n$49\r\nShow helpful text about the different subcommands\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$11\r\nobject|freq\r\n%5\r\n$7\r\nsummary\r\n$62\r\nGet the logarithmic access frequency counter of a Redis object\r\n$5\r\nsince\r\n$5\r\n4.0.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$15\r\nobject|encoding\r\n%5\r\n$7\r\nsummary\r\n$47\r\nInspect the internal encoding of a Redis object\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$15\r\nobject|refcount\r\n%5\r\n$7\r\nsummary\r\n$52\r\nGet the number of references to the value of the key\r\n$5\r\nsince\r\n$5\r\n2.2.3\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$3\r\nset\r\n%6\r\n$7\r\nsummary\r\n$29\r\nSet the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n$27\r\nAdded the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\nAdded the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\nAllowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n%5\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%5\r\n$4\r\nname\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*5\r\n%4\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\nPX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\nname\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\nKEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n");
    assert_eq!(docs.commands.len(), 3);

    let get = docs.get("GET").unwrap();
    assert_eq!(get.name, "get");
    assert_eq!(get.summary.as_deref(), Some("Get the value of a key"));
    assert_eq!(get.since.as_deref(), Some("1.0.0"));
    assert_eq!(get.group.as_deref(), Some("string"));
    assert_eq!(get.complexity.as_deref(), Some("O(1)"));
    assert_eq!(get.arguments.len(), 1);
    assert_eq!(get.arguments[0].name, "key");
    assert_eq!(get.arguments[0].arg_type, ArgType::Key);
    assert_eq!(get.arguments[0].key_spec_index, Some(0));
    assert!(get.subcommands.is_empty());
    assert!(!get.is_deprecated());

    let object = docs.get("object").unwrap();
    assert!(object.arguments.is_empty());
    let names: Vec<&str> = object.subcommands.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"object|encoding"), "{names:?}");
    let freq = object
        .subcommands
        .iter()
        .find(|s| s.name == "object|freq")
        .unwrap();
    assert_eq!(freq.since.as_deref(), Some("4.0.0"));
    assert_eq!(freq.arguments[0].arg_type, ArgType::Key);

    let set = docs.get("set").unwrap();
    assert_eq!(set.history.len(), 4);
    assert_eq!(set.history[0].0, "2.6.12");
    assert!(set.history[3].1.contains("NX"));
    let condition = set
        .arguments
        .iter()
        .find(|a| a.name == "condition")
        .unwrap();
    assert_eq!(condition.arg_type, ArgType::OneOf);
    assert!(condition.is_optional());
    assert_eq!(condition.since.as_deref(), Some("2.6.12"));
    assert_eq!(condition.arguments.len(), 2);
    assert_eq!(condition.arguments[0].token.as_deref(), Some("NX"));
    assert_eq!(condition.arguments[0].arg_type, ArgType::PureToken);
    let expiration = set
        .arguments
        .iter()
        .find(|a| a.name == "expiration")
        .unwrap();
    let exat = expiration
        .arguments
        .iter()
        .find(|a| a.name == "unix-time-seconds")
        .unwrap();
    assert_eq!(exat.arg_type, ArgType::UnixTime);
    assert_eq!(exat.token.as_deref(), Some("EXAT"));
    assert_eq!(exat.since.as_deref(), Some("6.2.0"));
}

#[test]
fn command_docs_deprecated_and_nested_blocks() {
    let docs: CommandDocs = both(b"*2\r\n$7\r\nslaveof\r\n*16\r\n$7\r\nsummary\r\n$71\r\nMake the server a replica of another instance, or promote it as master.\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\ndoc_flags\r\n*1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n5.0.0\r\n$11\r\nreplaced_by\r\n$11\r\n`REPLICAOF`\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$4\r\nargs\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$9\r\nhost-port\r\n$4\r\ntype\r\n$5\r\nblock\r\n$9\r\narguments\r\n*2\r\n*4\r\n$4\r\nname\r\n$4\r\nhost\r\n$4\r\ntype\r\n$6\r\nstring\r\n*4\r\n$4\r\nname\r\n$4\r\nport\r\n$4\r\ntype\r\n$7\r\ninteger\r\n*6\r\n$4\r\nname\r\n$6\r\nno-one\r\n$4\r\ntype\r\n$5\r\nblock\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nno\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNO\r\n*6\r\n$4\r\nname\r\n$3\r\none\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nONE\r\n", b"%1\r\n$7\r\nslaveof\r\n%8\r\n$7\r\nsummary\r\n$71\r\nMake the server a replica of another instance, or promote it as master.\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\ndoc_flags\r\n~1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n5.0.0\r\n$11\r\nreplaced_by\r\n$11\r\n`REPLICAOF`\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$4\r\nargs\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$9\r\nhost-port\r\n$4\r\ntype\r\n$5\r\nblock\r\n$9\r\narguments\r\n*2\r\n%2\r\n$4\r\nname\r\n$4\r\nhost\r\n$4\r\ntype\r\n$6\r\nstring\r\n%2\r\n$4\r\nname\r\n$4\r\nport\r\n$4\r\ntype\r\n$7\r\ninteger\r\n%3\r\n$4\r\nname\r\n$6\r\nno-one\r\n$4\r\ntype\r\n$5\r\nblock\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\nno\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNO\r\n%3\r\n$4\r\nname\r\n$3\r\none\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nONE\r\n");
    let slaveof = docs.get("slaveof").unwrap();
    assert!(slaveof.is_deprecated());
    assert_eq!(slaveof.doc_flags, ["deprecated"]);
    assert_eq!(slaveof.deprecated_since.as_deref(), Some("5.0.0"));
    assert_eq!(slaveof.replaced_by.as_deref(), Some("`REPLICAOF`"));
    let args = &slaveof.arguments[0];
    assert_eq!(args.arg_type, ArgType::OneOf);
    let host_port = &args.arguments[0];
    assert_eq!(host_port.arg_type, ArgType::Block);
    assert_eq!(host_port.arguments[1].name, "port");
    assert_eq!(host_port.arguments[1].arg_type, ArgType::Integer);
    assert_eq!(args.arguments[1].arguments[1].token.as_deref(), Some("ONE"));
    assert!(!args.is_multiple());

    assert!(parse::<CommandDocs>(b"*0\r\n").commands.is_empty());
    assert!(matches!(
        CommandDocs::from_value(decode(b":1\r\n")),
        Err(Error::Conversion { .. })
    ));
    // An argument without a type is an error naming the field.
    let err = CommandDocs::from_value(decode(
        b"%1\r\n$1\r\nx\r\n%1\r\n$9\r\narguments\r\n*1\r\n%1\r\n$4\r\nname\r\n$1\r\na\r\n",
    ))
    .unwrap_err();
    assert!(err.to_string().contains("type"), "{err}");
}

#[test]
fn function_list() {
    let libs: Vec<FunctionLibrary> = both(b"*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nf2\r\n$11\r\ndescription\r\n$10\r\nsecond one\r\n$5\r\nflags\r\n*2\r\n+no-writes\r\n+allow-stale\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n", b"*1\r\n%3\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\nf2\r\n$11\r\ndescription\r\n$10\r\nsecond one\r\n$5\r\nflags\r\n~2\r\n+no-writes\r\n+allow-stale\r\n%3\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n_\r\n$5\r\nflags\r\n~0\r\n");
    assert_eq!(libs.len(), 1);
    let lib = &libs[0];
    assert_eq!(lib.name, "mylib");
    assert_eq!(lib.engine, "LUA");
    assert_eq!(lib.code, None);
    assert_eq!(lib.functions.len(), 2);
    let f2 = &lib.functions[0];
    assert_eq!(f2.name, "f2");
    assert_eq!(f2.description.as_deref(), Some("second one"));
    assert_eq!(f2.flags, ["no-writes", "allow-stale"]);
    assert!(f2.has_flag("no-writes"));
    let f1 = &lib.functions[1];
    assert_eq!((f1.name.as_str(), f1.description.as_deref()), ("f1", None));
    assert!(f1.flags.is_empty());
}

#[test]
fn function_list_withcode() {
    let libs: Vec<FunctionLibrary> = both(b"*1\r\n*8\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nf2\r\n$11\r\ndescription\r\n$10\r\nsecond one\r\n$5\r\nflags\r\n*2\r\n+no-writes\r\n+allow-stale\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n$12\r\nlibrary_code\r\n$231\r\n#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\nredis.register_function{function_name='f2', callback=function(keys, args) return 2 end, flags={'no-writes','allow-stale'}, description='second one'}\n\r\n", b"*1\r\n%4\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\nf2\r\n$11\r\ndescription\r\n$10\r\nsecond one\r\n$5\r\nflags\r\n~2\r\n+no-writes\r\n+allow-stale\r\n%3\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n_\r\n$5\r\nflags\r\n~0\r\n$12\r\nlibrary_code\r\n$231\r\n#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\nredis.register_function{function_name='f2', callback=function(keys, args) return 2 end, flags={'no-writes','allow-stale'}, description='second one'}\n\r\n");
    let code = libs[0].code.as_deref().unwrap();
    assert!(code.starts_with("#!lua name=mylib\n"));
    assert!(code.contains("register_function"));
    assert!(both::<Vec<FunctionLibrary>>(b"*0\r\n", b"*0\r\n").is_empty());
}
