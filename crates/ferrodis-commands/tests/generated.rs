//! The generated constructors and front-end traits: they compile, build the right
//! commands, dispatch through the one required method of each trait, and cover every
//! command of the table but the excluded ones.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use bytes::Bytes;
use ferrodis_commands::{
    all_commands, commands, ArgWriter, AsyncCommands, Cmd, Commands, Error, FromValue,
    PipelineCommands, ToArgs, Typed, Value,
};

/// The connection-state commands: in the table, but with no constructor or method.
const EXCLUDED: &[&str] = &[
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

const CONSTRUCTORS: &str = include_str!("../src/generated/constructors.rs");
const TRAITS: &str = include_str!("../src/generated/commands.rs");

fn args(cmd: &Cmd) -> Vec<String> {
    cmd.args()
        .map(|a| String::from_utf8(a.to_vec()).unwrap())
        .collect()
}

/// A blocking "client" that records each command and answers with a canned reply.
struct Recorder {
    sent: RefCell<Vec<Vec<String>>>,
    reply: Value,
}

impl Recorder {
    fn new(reply: Value) -> Recorder {
        Recorder {
            sent: RefCell::new(Vec::new()),
            reply,
        }
    }

    fn last(&self) -> Vec<String> {
        self.sent.borrow().last().cloned().unwrap()
    }
}

impl Commands for Recorder {
    fn query_cmd<RV: FromValue>(&self, cmd: Cmd) -> Result<RV, Error> {
        self.sent.borrow_mut().push(args(&cmd));
        RV::from_value(self.reply.clone())
    }
}

#[test]
fn commands_dispatch_through_query_cmd() {
    let ok = Recorder::new(Value::SimpleString(Bytes::from_static(b"OK")));
    let () = ok.set("k", "v").unwrap();
    assert_eq!(ok.last(), ["SET", "k", "v"]);
    // The caller picks the reply type.
    let was_ok: bool = ok.set("k", 42).unwrap();
    assert!(was_ok);
    assert_eq!(ok.last(), ["SET", "k", "42"]);
    let () = ok.mset([("a", "1"), ("b", "2")]).unwrap();
    assert_eq!(ok.last(), ["MSET", "a", "1", "b", "2"]);

    let bulk = Recorder::new(Value::BulkString(Bytes::from_static(b"hello")));
    let v: Option<String> = bulk.get("greeting").unwrap();
    assert_eq!(v.as_deref(), Some("hello"));
    assert_eq!(bulk.last(), ["GET", "greeting"]);
    let v: Bytes = bulk.type_("k").unwrap();
    assert_eq!(v, "hello");
    assert_eq!(bulk.last(), ["TYPE", "k"]);
    let _: Value = bulk.object_encoding("k").unwrap();
    assert_eq!(bulk.last(), ["OBJECT", "ENCODING", "k"]);
    let _: Value = bulk.client_kill(("ID", 7)).unwrap();
    assert_eq!(bulk.last(), ["CLIENT", "KILL", "ID", "7"]);
    let _: Value = bulk.restore_asking("k", 0, "payload").unwrap();
    assert_eq!(bulk.last(), ["RESTORE-ASKING", "k", "0", "payload"]);

    let n = Recorder::new(Value::Integer(2));
    let count: i64 = n.zunionstore("dst", ["a", "b"]).unwrap();
    assert_eq!(count, 2);
    assert_eq!(n.last(), ["ZUNIONSTORE", "dst", "2", "a", "b"]);
    let _: i64 = n.del(vec!["a", "b", "c"]).unwrap();
    assert_eq!(n.last(), ["DEL", "a", "b", "c"]);
    let _: i64 = n.lmpop(["l1"], "LEFT").unwrap();
    assert_eq!(n.last(), ["LMPOP", "1", "l1", "LEFT"]);
    let _: i64 = n.move_("k", 1).unwrap();
    assert_eq!(n.last(), ["MOVE", "k", "1"]);
    let _: Value = n.xread(["s1", "s2"], ["0", "$"]).unwrap();
    assert_eq!(n.last(), ["XREAD", "STREAMS", "s1", "s2", "0", "$"]);
    let _: Value = n.xreadgroup("g", "c", "s", ">").unwrap();
    assert_eq!(
        n.last(),
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]
    );
    let _: Value = n.eval("return 1", 0).unwrap();
    assert_eq!(n.last(), ["EVAL", "return 1", "0"]);
    let _: Value = n.command().unwrap();
    assert_eq!(n.last(), ["COMMAND"]);
    let _: Value = n.config_set(("maxmemory", "10mb")).unwrap();
    assert_eq!(n.last(), ["CONFIG", "SET", "maxmemory", "10mb"]);

    // A conversion error is the caller's error, not a panic.
    let err = n.get::<_, Vec<String>>("k").unwrap_err();
    assert!(matches!(err, Error::Conversion { .. }), "{err:?}");
    assert_eq!(n.sent.borrow().len(), 10);
}

#[test]
fn server_errors_come_back_as_errors() {
    let err = Recorder::new(Value::SimpleError(Bytes::from_static(
        b"WRONGTYPE Operation against a key holding the wrong kind of value",
    )));
    let result: Result<Option<Bytes>, Error> = err.get("k");
    assert!(matches!(result, Err(Error::Server(_))), "{result:?}");
}

/// A pipeline that only collects commands.
#[derive(Default)]
struct Pipe(Vec<Cmd>);

impl PipelineCommands for Pipe {
    fn add_cmd(&mut self, cmd: Cmd) -> &mut Self {
        self.0.push(cmd);
        self
    }
}

#[test]
fn pipeline_commands_chain() {
    let mut pipe = Pipe::default();
    pipe.set("a", 1)
        .incr("a")
        .get("a")
        .hset("h", [("f", "v")])
        .client_setname("me");
    let sent: Vec<Vec<String>> = pipe.0.iter().map(args).collect();
    assert_eq!(
        sent,
        [
            vec!["SET", "a", "1"],
            vec!["INCR", "a"],
            vec!["GET", "a"],
            vec!["HSET", "h", "f", "v"],
            vec!["CLIENT", "SETNAME", "me"],
        ]
    );
    // Commands carry their table entry.
    assert!(pipe.0[0].flags().is_write());
    assert_eq!(pipe.0[4].info().unwrap().name, "CLIENT SETNAME");
}

/// An async "client" whose futures are ready at once.
struct Ready {
    sent: Mutex<Vec<Vec<String>>>,
    reply: Value,
}

impl AsyncCommands for Ready {
    fn query_cmd<RV: FromValue + Send>(
        &self,
        cmd: Cmd,
    ) -> impl Future<Output = Result<RV, Error>> + Send {
        self.sent.lock().unwrap().push(args(&cmd));
        std::future::ready(RV::from_value(self.reply.clone()))
    }
}

struct NoopWaker;

impl Wake for NoopWaker {
    fn wake(self: Arc<Self>) {}
}

/// Polls a future that is ready at the first poll.
fn poll_once<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(NoopWaker));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future was not ready"),
    }
}

/// A key that cannot cross threads.
struct NotSend(std::rc::Rc<String>);

impl ToArgs for NotSend {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(self.0.as_bytes());
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[test]
fn async_commands_return_send_futures() {
    let client = Ready {
        sent: Mutex::new(Vec::new()),
        reply: Value::Array(vec![
            Value::BulkString(Bytes::from_static(b"f")),
            Value::BulkString(Bytes::from_static(b"v")),
        ]),
    };
    // The argument need not be Send: the command is built before the future.
    let key = NotSend(std::rc::Rc::new("h".to_owned()));
    let future = assert_send(client.hgetall::<_, HashMap<String, String>>(key));
    let map = poll_once(future).unwrap();
    assert_eq!(map.get("f").map(String::as_str), Some("v"));
    let _: Value = poll_once(client.zunionstore("d", ("a", "b", "c"))).unwrap();
    assert_eq!(
        *client.sent.lock().unwrap(),
        [
            vec!["HGETALL", "h"],
            vec!["ZUNIONSTORE", "d", "3", "a", "b", "c"]
        ]
    );
}

fn expects_option_bytes(_: Typed<Option<Bytes>>) {}
fn expects_unit(_: Typed<()>) {}
fn expects_i64(_: Typed<i64>) {}
fn expects_bool(_: Typed<bool>) {}
fn expects_map(_: Typed<HashMap<Bytes, Bytes>>) {}
fn expects_option_f64(_: Typed<Option<f64>>) {}
fn expects_vec(_: Typed<Vec<Bytes>>) {}

#[test]
fn constructors_have_their_default_reply_types() {
    // These are compile-time checks: a wrong default reply type does not compile.
    expects_option_bytes(commands::get("k"));
    expects_unit(commands::set("k", "v"));
    expects_i64(commands::incr("k"));
    expects_i64(commands::exists("k"));
    expects_bool(commands::expire("k", 10));
    expects_bool(commands::setnx("k", "v"));
    expects_map(commands::hgetall("h"));
    expects_option_f64(commands::zscore("z", "m"));
    expects_vec(commands::lrange("l", 0, -1));
    let _: Typed<Value> = commands::eval("return 1", 0);
    let _: Typed<ferrodis_commands::replies::Ttl> = commands::ttl("k");
    let _: Typed<ferrodis_commands::replies::StreamReadReply> = commands::xread("s", "0");
    let _: Typed<ferrodis_commands::scan::ScanPage<(Bytes, Bytes)>> = commands::hscan("h", 0);
    // And they build what the trait methods send.
    assert_eq!(args(commands::get("k").cmd()), ["GET", "k"]);
    assert_eq!(
        args(&commands::set("k", "v").arg("EX").arg(10).into_cmd()),
        ["SET", "k", "v", "EX", "10"]
    );
    assert_eq!(
        args(commands::linsert("l", "BEFORE", "p", "e").cmd()),
        ["LINSERT", "l", "BEFORE", "p", "e"]
    );
    assert_eq!(
        args(commands::geoadd("g", (13.4, 52.5, "Berlin")).cmd()),
        ["GEOADD", "g", "13.4", "52.5", "Berlin"]
    );
    assert_eq!(
        args(commands::xadd("s", "*", [("f", "v")]).cmd()),
        ["XADD", "s", "*", "f", "v"]
    );
    assert_eq!(
        args(commands::zinter(["a", "b"]).arg("WITHSCORES").cmd()),
        ["ZINTER", "2", "a", "b", "WITHSCORES"]
    );
    assert_eq!(
        args(commands::cluster_addslotsrange([(0, 100), (200, 300)]).cmd()),
        ["CLUSTER", "ADDSLOTSRANGE", "0", "100", "200", "300"]
    );
    // An empty list of keys still writes its numkeys (Redis then refuses it).
    let no_keys: [&str; 0] = [];
    assert_eq!(args(commands::zunion(no_keys).cmd()), ["ZUNION", "0"]);
}

/// The names of the functions a generated file defines at the top level (`pub fn x`).
fn pub_fns(src: &str) -> Vec<&str> {
    src.lines()
        .filter_map(|line| line.strip_prefix("pub fn "))
        .map(|rest| {
            rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap()
        })
        .collect()
}

#[test]
fn one_constructor_per_command_but_containers_and_connection_state() {
    let table = all_commands();
    let containers: Vec<&str> = table
        .iter()
        .filter(|c| !c.name.contains(' '))
        .filter(|c| {
            table
                .iter()
                .any(|s| s.name.starts_with(&format!("{} ", c.name)))
        })
        .map(|c| c.name)
        .collect();
    assert_eq!(containers.len(), 15, "{containers:?}");
    // COMMAND may be sent bare, so it keeps its constructor.
    let expected = table.len() - (containers.len() - 1) - EXCLUDED.len();
    let constructors = pub_fns(CONSTRUCTORS);
    assert_eq!(constructors.len(), expected);
    for name in EXCLUDED {
        let function = name.to_ascii_lowercase().replace([' ', '-'], "_");
        assert!(!constructors.contains(&function.as_str()), "{function}");
    }
    for name in ["client_kill", "restore_asking", "type_", "move_", "command"] {
        assert!(constructors.contains(&name), "{name}");
    }
    assert!(!constructors.contains(&"client"));
    assert!(CONSTRUCTORS.starts_with("// generated by cargo xtask gen-commands, do not edit\n"));
}

#[test]
fn each_trait_has_a_method_per_constructor_and_manual_wrapper() {
    assert!(TRAITS.starts_with("// generated by cargo xtask gen-commands, do not edit\n"));
    let constructors = pub_fns(CONSTRUCTORS).len();
    // Manual wrappers are documented as hand-written, once per trait.
    let manual = TRAITS.matches(", hand-written. Default reply:").count();
    assert_eq!(manual % 3, 0);
    let traits: Vec<&str> = TRAITS.split("\npub trait ").skip(1).collect();
    assert_eq!(traits.len(), 3);
    for body in traits {
        let methods = body.lines().filter(|l| l.starts_with("    fn ")).count();
        // Plus the one required method.
        assert_eq!(methods, constructors + manual / 3 + 1, "{}", &body[..40]);
    }
}
