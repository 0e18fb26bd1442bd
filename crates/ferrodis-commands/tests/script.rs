#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Byte scripts of script calls, script preloading and function commands. Replies are
//! what redis-server 7.0.15 sent (captured).

use bytes::Bytes;
use ferrodis_commands::handshake::Step;
use ferrodis_commands::script::{
    fcall, fcall_ro, function_list, function_load, function_load_replace, Script, ScriptCall,
    ScriptPreload,
};
use ferrodis_commands::{Error, ErrorCode, FromValue, Value};

const GET_LUA: &str = "return redis.call('GET', KEYS[1])";
const GET_SHA: &str = "d3c21d0c2b9ca22f82737626a27bcaf5d288f99f";
const ARGV_LUA: &str = "return ARGV[1]";
const ARGV_SHA: &str = "098e0f0d1448c0a81dafe820f66d460eb09263da";
const NOSCRIPT: &[u8] = b"-NOSCRIPT No matching script. Please use EVAL.\r\n";

fn decode_all(mut bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (value, used) = ferrodis_resp::decode(bytes).unwrap().unwrap();
        out.push(value);
        bytes = &bytes[used..];
    }
    out
}

fn req(cmds: &[&[&str]]) -> Vec<u8> {
    let mut out = Vec::new();
    for cmd in cmds {
        out.extend_from_slice(format!("*{}\r\n", cmd.len()).as_bytes());
        for arg in *cmd {
            out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
        }
    }
    out
}

trait Machine {
    type Out;
    fn poll(&mut self) -> Result<Step<Self::Out>, Error>;
    fn on_reply(&mut self, reply: Value);
}

impl Machine for ScriptCall {
    type Out = Value;
    fn poll(&mut self) -> Result<Step<Value>, Error> {
        ScriptCall::poll(self)
    }
    fn on_reply(&mut self, reply: Value) {
        ScriptCall::on_reply(self, reply);
    }
}

impl Machine for ScriptPreload {
    type Out = ();
    fn poll(&mut self) -> Result<Step<()>, Error> {
        ScriptPreload::poll(self)
    }
    fn on_reply(&mut self, reply: Value) {
        ScriptPreload::on_reply(self, reply);
    }
}

/// Drives a machine like a transport: each round trip's writes are checked, then the
/// server's bytes decoded and fed back. Nothing may be left over at the end.
fn run<M: Machine>(machine: &mut M, script: &[(Vec<u8>, &[u8])]) -> Result<M::Out, Error> {
    let mut script = script.iter();
    let mut written = Vec::new();
    let mut replies = Vec::new().into_iter();
    loop {
        let step = machine.poll();
        if !matches!(step, Ok(Step::Send(_)) | Ok(Step::Receive)) {
            assert!(written.is_empty());
            assert_eq!(replies.len(), 0, "replies left unread");
            assert!(script.next().is_none(), "round trips left over");
        }
        match step? {
            Step::Send(cmd) => cmd.write_to(&mut written),
            Step::Receive => {
                if !written.is_empty() {
                    let (expected, answer) = script.next().expect("an unexpected write");
                    assert_eq!(
                        String::from_utf8_lossy(&written),
                        String::from_utf8_lossy(expected)
                    );
                    written.clear();
                    assert_eq!(replies.len(), 0);
                    replies = decode_all(answer).into_iter();
                }
                machine.on_reply(replies.next().expect("the machine reads too much"));
            }
            Step::Done(out) => return Ok(out),
        }
    }
}

fn bulk(s: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
}

#[test]
fn sha_and_commands() {
    let script = Script::new(GET_LUA);
    assert_eq!(script.sha(), GET_SHA);
    assert_eq!(script.code(), GET_LUA);
    assert_eq!(Script::new(ARGV_LUA).sha(), ARGV_SHA);
    // Keys and arguments may be added in any order; keys come first, counted.
    let invocation = script.arg("a1").key("k1").arg(2).key(["k2", "k3"]);
    let mut out = Vec::new();
    invocation.evalsha_cmd().write_to(&mut out);
    assert_eq!(
        out,
        req(&[&["EVALSHA", GET_SHA, "3", "k1", "k2", "k3", "a1", "2"]])
    );
    out.clear();
    invocation.eval_cmd().write_to(&mut out);
    assert_eq!(
        out,
        req(&[&["EVAL", GET_LUA, "3", "k1", "k2", "k3", "a1", "2"]])
    );
    out.clear();
    script
        .invocation()
        .read_only()
        .evalsha_cmd()
        .write_to(&mut out);
    assert_eq!(out, req(&[&["EVALSHA_RO", GET_SHA, "0"]]));
    out.clear();
    script.load_cmd().cmd().write_to(&mut out);
    assert_eq!(out, req(&[&["SCRIPT", "LOAD", GET_LUA]]));

    let mut inv = script.invocation();
    inv.push_key("k").push_arg("v");
    assert_eq!(inv.evalsha_cmd().args().count(), 5);
    assert!(!format!("{script:?}").contains("redis.call"));
}

#[test]
fn evalsha_when_the_script_is_loaded() {
    let script = Script::new(GET_LUA);
    let mut call = script.key("k").call();
    let reply = run(
        &mut call,
        &[(req(&[&["EVALSHA", GET_SHA, "1", "k"]]), b"$1\r\nv\r\n")],
    )
    .unwrap();
    assert_eq!(reply, bulk("v"));
    assert!(call.poll().is_err(), "polled after it finished");
}

#[test]
fn noscript_loads_then_retries_in_one_round_trip() {
    let script = Script::new(GET_LUA);
    let mut call = script.key("k").call();
    let reply = run(
        &mut call,
        &[
            (req(&[&["EVALSHA", GET_SHA, "1", "k"]]), NOSCRIPT),
            (
                req(&[
                    &["SCRIPT", "LOAD", GET_LUA],
                    &["EVALSHA", GET_SHA, "1", "k"],
                ]),
                format!("$40\r\n{GET_SHA}\r\n$1\r\nv\r\n").as_bytes(),
            ),
        ],
    )
    .unwrap();
    assert_eq!(String::from_value(reply).unwrap(), "v");
}

#[test]
fn a_script_that_does_not_compile_is_an_error() {
    let bad = Script::new("return (");
    let sha = bad.sha().to_owned();
    let mut call = bad.invocation().call();
    let result = run(
        &mut call,
        &[
            (req(&[&["EVALSHA", &sha, "0"]]), NOSCRIPT),
            (
                req(&[&["SCRIPT", "LOAD", "return ("], &["EVALSHA", &sha, "0"]]),
                b"-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n-NOSCRIPT No matching script. Please use EVAL.\r\n",
            ),
        ],
    );
    match result {
        Err(Error::Server(e)) => assert!(e.text().starts_with("ERR Error compiling script")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_second_noscript_is_returned_not_retried() {
    // The script was flushed again between the load and the retry.
    let script = Script::new(GET_LUA);
    let mut call = script.key("k").call();
    let reply = run(
        &mut call,
        &[
            (req(&[&["EVALSHA", GET_SHA, "1", "k"]]), NOSCRIPT),
            (
                req(&[
                    &["SCRIPT", "LOAD", GET_LUA],
                    &["EVALSHA", GET_SHA, "1", "k"],
                ]),
                &[format!("$40\r\n{GET_SHA}\r\n").as_bytes(), NOSCRIPT].concat(),
            ),
        ],
    )
    .unwrap();
    match String::from_value(reply) {
        Err(Error::Server(e)) => assert_eq!(e.code(), &ErrorCode::NoScript),
        other => panic!("{other:?}"),
    }
}

#[test]
fn script_errors_at_run_time_are_the_reply() {
    let script = Script::new("return redis.call('INCR', KEYS[1])");
    let sha = script.sha().to_owned();
    let mut call = script.key("s").call();
    let reply = run(
        &mut call,
        &[(
            req(&[&["EVALSHA", &sha, "1", "s"]]),
            b"-ERR value is not an integer or out of range script: 1234, on @user_script:1.\r\n",
        )],
    )
    .unwrap();
    assert!(reply.is_error());
}

#[test]
fn preload_loads_only_the_missing_scripts() {
    let get = Script::new(GET_LUA);
    let argv = Script::new(ARGV_LUA);
    let mut preload = ScriptPreload::new([&get, &argv, &get]);
    assert_eq!(
        preload.exists_cmd().unwrap().args().count(),
        4,
        "each script once"
    );
    run(
        &mut preload,
        &[
            (
                req(&[&["SCRIPT", "EXISTS", GET_SHA, ARGV_SHA]]),
                b"*2\r\n:1\r\n:0\r\n",
            ),
            (
                req(&[&["SCRIPT", "LOAD", ARGV_LUA]]),
                format!("$40\r\n{ARGV_SHA}\r\n").as_bytes(),
            ),
        ],
    )
    .unwrap();
}

#[test]
fn preload_pipelines_several_loads() {
    let get = Script::new(GET_LUA);
    let argv = Script::new(ARGV_LUA);
    let mut preload = ScriptPreload::new([&get, &argv]);
    run(
        &mut preload,
        &[
            (
                req(&[&["SCRIPT", "EXISTS", GET_SHA, ARGV_SHA]]),
                b"*2\r\n:0\r\n:0\r\n",
            ),
            (
                req(&[&["SCRIPT", "LOAD", GET_LUA], &["SCRIPT", "LOAD", ARGV_LUA]]),
                format!("$40\r\n{GET_SHA}\r\n$40\r\n{ARGV_SHA}\r\n").as_bytes(),
            ),
        ],
    )
    .unwrap();
}

#[test]
fn preload_with_everything_loaded_or_nothing_to_load() {
    let get = Script::new(GET_LUA);
    let mut preload = ScriptPreload::new([&get]);
    run(
        &mut preload,
        &[(req(&[&["SCRIPT", "EXISTS", GET_SHA]]), b"*1\r\n:1\r\n")],
    )
    .unwrap();

    let mut none = ScriptPreload::new([]);
    assert!(none.exists_cmd().is_none());
    run(&mut none, &[]).unwrap();
    assert!(none.poll().is_err(), "polled after it finished");
}

#[test]
fn preload_errors_come_after_every_reply() {
    let bad = Script::new("return (");
    let get = Script::new(GET_LUA);
    let mut preload = ScriptPreload::new([&bad, &get]);
    let result = run(
        &mut preload,
        &[
            (
                req(&[&["SCRIPT", "EXISTS", bad.sha(), GET_SHA]]),
                b"*2\r\n:0\r\n:0\r\n",
            ),
            (
                req(&[&["SCRIPT", "LOAD", "return ("], &["SCRIPT", "LOAD", GET_LUA]]),
                format!("-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n$40\r\n{GET_SHA}\r\n").as_bytes(),
            ),
        ],
    );
    assert!(matches!(result, Err(Error::Server(_))), "{result:?}");

    // A SCRIPT EXISTS reply of the wrong size.
    let mut preload = ScriptPreload::new([&get]);
    let result = run(
        &mut preload,
        &[(
            req(&[&["SCRIPT", "EXISTS", GET_SHA]]),
            b"*2\r\n:0\r\n:0\r\n",
        )],
    );
    assert!(
        matches!(result, Err(Error::Conversion { .. })),
        "{result:?}"
    );
}

const LIB: &str =
    "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)";

#[test]
fn function_commands() {
    let args =
        |cmd: &ferrodis_commands::Cmd| -> Vec<Vec<u8>> { cmd.args().map(<[u8]>::to_vec).collect() };
    let v =
        |items: &[&str]| -> Vec<Vec<u8>> { items.iter().map(|s| s.as_bytes().to_vec()).collect() };
    assert_eq!(
        args(fcall("myfunc", [""; 0], "hello").cmd()),
        v(&["FCALL", "myfunc", "0", "hello"])
    );
    assert_eq!(
        args(fcall_ro("myro", "kk", [""; 0]).cmd()),
        v(&["FCALL_RO", "myro", "1", "kk"])
    );
    assert_eq!(
        args(fcall("f", vec!["a", "b"], (1, 2.5)).cmd()),
        v(&["FCALL", "f", "2", "a", "b", "1", "2.5"])
    );
    assert_eq!(
        args(function_load(LIB).cmd()),
        v(&["FUNCTION", "LOAD", LIB])
    );
    assert_eq!(
        args(function_load_replace(LIB).cmd()),
        v(&["FUNCTION", "LOAD", "REPLACE", LIB])
    );
    assert_eq!(
        args(function_list(None, false).cmd()),
        v(&["FUNCTION", "LIST"])
    );
    assert_eq!(
        args(function_list(None, true).cmd()),
        v(&["FUNCTION", "LIST", "WITHCODE"])
    );
    assert_eq!(
        args(function_list(Some("my*"), false).cmd()),
        v(&["FUNCTION", "LIST", "LIBRARYNAME", "my*"])
    );

    // The replies convert to the default reply types.
    let name = String::from_value(decode_all(b"$5\r\nmylib\r\n").remove(0)).unwrap();
    assert_eq!(name, "mylib");
    let exists =
        String::from_value(decode_all(b"-ERR Library 'mylib' already exists\r\n").remove(0));
    assert!(matches!(exists, Err(Error::Server(_))));
    let list = decode_all(b"*1\r\n*8\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*2\r\n*6\r\n$4\r\nname\r\n$6\r\nmyfunc\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n*6\r\n$4\r\nname\r\n$4\r\nmyro\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n$12\r\nlibrary_code\r\n$5\r\nx = 1\r\n").remove(0);
    // One library: a RESP2 flat list of fields and values.
    let libraries: Vec<Vec<Value>> = FromValue::from_value(list).unwrap();
    assert_eq!(libraries[0][0], bulk("library_name"));
    assert_eq!(libraries[0][1], bulk("mylib"));
}
