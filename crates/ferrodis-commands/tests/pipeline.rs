#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Byte scripts of pipelines and transactions. Replies are what redis-server 7.0.15 sent
//! (captured).

use bytes::Bytes;
use ferrodis_commands::pipeline::{convert, Pipeline};
use ferrodis_commands::script::Script;
use ferrodis_commands::{Cmd, Error, ErrorCode, PipelineCommands, Value};

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

fn encoded(pipe: &Pipeline) -> Vec<u8> {
    let mut out = Vec::new();
    pipe.encode(&mut out);
    assert_eq!(out.len(), pipe.encoded_len());
    out
}

/// Feeds the replies one by one through a collector, checking that nothing comes out
/// before the last one; and checks `collect` agrees.
fn feed(pipe: &Pipeline, server_bytes: &[u8]) -> Result<Vec<Value>, Error> {
    let replies = decode_all(server_bytes);
    assert_eq!(replies.len(), pipe.reply_count());
    let mut collector = pipe.collector();
    let n = replies.len();
    let mut result = None;
    for (i, reply) in replies.clone().into_iter().enumerate() {
        assert_eq!(collector.remaining(), n - i);
        match collector.on_reply(reply) {
            Ok(None) => assert!(i + 1 < n, "no result after the last reply"),
            other => {
                assert_eq!(i + 1, n, "a result before the last reply: {other:?}");
                result = Some(other.map(Option::unwrap));
            }
        }
    }
    assert!(collector.is_complete());
    assert!(
        collector.on_reply(Value::Nil).is_err(),
        "a reply after the last"
    );
    let result = result.unwrap();
    let all_at_once = pipe.collect(replies);
    assert_eq!(format!("{result:?}"), format!("{all_at_once:?}"));
    result
}

fn ok() -> Value {
    Value::SimpleString(Bytes::from_static(b"OK"))
}

fn bulk(s: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
}

/// redis-py's example: `pipe.set('foo', 'bar').sadd('faz', 'baz').incr('auto_number').get('bing')`.
fn redis_py_example(pipe: &mut Pipeline) {
    pipe.add_cmd(Cmd::new("SET").arg("foo").arg("bar"))
        .add_cmd(Cmd::new("SADD").arg("faz").arg("baz"))
        .add_cmd(Cmd::new("INCR").arg("auto_number"))
        .add_cmd(Cmd::new("GET").arg("bing"));
}

#[test]
fn plain_pipeline_of_the_redis_py_example() {
    let mut pipe = Pipeline::new();
    redis_py_example(&mut pipe);
    assert!(!pipe.is_transaction());
    assert_eq!(pipe.len(), 4);
    assert_eq!(pipe.reply_count(), 4);
    assert_eq!(
        encoded(&pipe),
        req(&[
            &["SET", "foo", "bar"],
            &["SADD", "faz", "baz"],
            &["INCR", "auto_number"],
            &["GET", "bing"]
        ])
    );
    let server = b"+OK\r\n:1\r\n:1\r\n$-1\r\n";
    let results = feed(&pipe, server).unwrap();
    assert_eq!(
        results,
        [ok(), Value::Integer(1), Value::Integer(1), Value::Nil]
    );
    let typed: (bool, i64, i64, Option<String>) = pipe.query(decode_all(server)).unwrap();
    assert_eq!(typed, (true, 1, 1, None));
}

#[test]
fn plain_pipeline_keeps_errors_in_place() {
    let mut pipe = Pipeline::plain();
    pipe.add_cmd(Cmd::new("SET").arg("foo").arg("bar"))
        .add_cmd(Cmd::new("INCR").arg("foo"))
        .add_cmd(Cmd::new("GET").arg("foo"));
    let server = b"+OK\r\n-ERR value is not an integer or out of range\r\n$3\r\nbar\r\n";
    let results = feed(&pipe, server).unwrap();
    assert_eq!(
        results,
        [
            ok(),
            Value::SimpleError(Bytes::from_static(
                b"ERR value is not an integer or out of range"
            )),
            bulk("bar")
        ]
    );
    // As values, the error stays; as typed results, it is the error.
    let values: Vec<Value> = pipe.query(decode_all(server)).unwrap();
    assert_eq!(values.len(), 3);
    match pipe.query::<(bool, i64, String)>(decode_all(server)) {
        Err(Error::Server(e)) => assert_eq!(e.code(), &ErrorCode::Err),
        other => panic!("{other:?}"),
    }
}

#[test]
fn transaction_of_the_redis_py_example() {
    let mut pipe = Pipeline::transaction();
    redis_py_example(&mut pipe);
    assert!(pipe.is_transaction());
    assert_eq!(pipe.reply_count(), 6);
    assert_eq!(
        encoded(&pipe),
        req(&[
            &["MULTI"],
            &["SET", "foo", "bar"],
            &["SADD", "faz", "baz"],
            &["INCR", "auto_number"],
            &["GET", "bing"],
            &["EXEC"]
        ])
    );
    let server =
        b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n:0\r\n:2\r\n$-1\r\n";
    let results = feed(&pipe, server).unwrap();
    assert_eq!(
        results,
        [ok(), Value::Integer(0), Value::Integer(2), Value::Nil]
    );
    let typed: (bool, i64, i64, Option<String>) = pipe.query(decode_all(server)).unwrap();
    assert_eq!(typed, (true, 0, 2, None));
}

#[test]
fn transaction_runtime_errors_stay_in_place() {
    let mut pipe = Pipeline::transaction();
    pipe.add_cmd(Cmd::new("SET").arg("foo").arg("bar"))
        .add_cmd(Cmd::new("INCR").arg("foo"))
        .add_cmd(Cmd::new("GET").arg("foo"));
    let server = b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$3\r\nbar\r\n";
    let results = feed(&pipe, server).unwrap();
    assert!(results[1].is_error());
    assert_eq!(results[2], bulk("bar"));
}

#[test]
fn resp3_transaction() {
    let mut pipe = Pipeline::transaction();
    pipe.add_cmd(Cmd::new("SET").arg("foo").arg("bar"))
        .add_cmd(Cmd::new("INCR").arg("foo"))
        .add_cmd(Cmd::new("GET").arg("foo"))
        .add_cmd(Cmd::new("HGETALL").arg("nokey"));
    let server = b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$3\r\nbar\r\n%0\r\n";
    let results = feed(&pipe, server).unwrap();
    assert_eq!(results[3], Value::Map(vec![]));
}

#[test]
fn execabort_lists_the_commands_that_failed_to_queue() {
    let mut pipe = Pipeline::transaction();
    pipe.add_cmd(Cmd::new("SET").arg("a").arg("1"))
        .add_cmd(Cmd::new("SET").arg("a"))
        .add_cmd(Cmd::new("GET").arg("a"))
        .add_cmd(Cmd::new("NOSUCHCMD"));
    let server = b"+OK\r\n+QUEUED\r\n-ERR wrong number of arguments for 'set' command\r\n+QUEUED\r\n-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n-EXECABORT Transaction discarded because of previous errors.\r\n";
    match feed(&pipe, server) {
        Err(Error::ExecAbort { errors }) => {
            assert_eq!(errors.len(), 2);
            assert_eq!(errors[0].0, 1);
            assert_eq!(
                errors[0].1.text(),
                "ERR wrong number of arguments for 'set' command"
            );
            assert_eq!(errors[1].0, 3);
            assert!(errors[1]
                .1
                .text()
                .starts_with("ERR unknown command 'NOSUCHCMD'"));
            let message = Error::ExecAbort { errors }.to_string();
            assert!(message.contains("command #1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nil_exec_is_a_watch_error() {
    let mut pipe = Pipeline::transaction();
    pipe.add_cmd(Cmd::new("SET").arg("wk").arg("1"));
    assert_eq!(
        encoded(&pipe),
        req(&[&["MULTI"], &["SET", "wk", "1"], &["EXEC"]])
    );
    // RESP2 and RESP3 forms of the nil.
    for server in [
        &b"+OK\r\n+QUEUED\r\n*-1\r\n"[..],
        b"+OK\r\n+QUEUED\r\n_\r\n",
    ] {
        assert!(matches!(feed(&pipe, server), Err(Error::Watch)));
    }
}

#[test]
fn nested_multi_is_a_server_error() {
    // On a connection already in MULTI (misuse), MULTI fails and the rest is queued in
    // the outer transaction.
    let mut pipe = Pipeline::transaction();
    pipe.add_cmd(Cmd::new("GET").arg("x"));
    let server = b"-ERR MULTI calls can not be nested\r\n+QUEUED\r\n*1\r\n$-1\r\n";
    match feed(&pipe, server) {
        Err(Error::Server(e)) => assert_eq!(e.text(), "ERR MULTI calls can not be nested"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unexpected_transaction_replies_are_errors() {
    let mut pipe = Pipeline::transaction();
    pipe.add_cmd(Cmd::new("GET").arg("x"));
    // Not QUEUED.
    let r = feed(&pipe, b"+OK\r\n$3\r\nbar\r\n*1\r\n$-1\r\n");
    assert!(matches!(r, Err(Error::Conversion { .. })), "{r:?}");
    // EXEC with the wrong number of results.
    let r = feed(&pipe, b"+OK\r\n+QUEUED\r\n*2\r\n$-1\r\n$-1\r\n");
    assert!(matches!(r, Err(Error::Conversion { .. })), "{r:?}");
    // EXEC failing otherwise.
    let r = feed(&pipe, b"+OK\r\n+QUEUED\r\n-ERR EXEC without MULTI\r\n");
    assert!(matches!(r, Err(Error::Server(_))), "{r:?}");
    // collect() with the wrong number of replies.
    assert!(pipe.collect(vec![ok()]).is_err());
}

#[test]
fn ignored_replies_are_dropped() {
    for transaction in [false, true] {
        let mut pipe = Pipeline::new();
        pipe.set_transaction(transaction);
        pipe.add_cmd(Cmd::new("SET").arg("foo").arg("bar"))
            .ignore()
            .add_cmd(Cmd::new("INCR").arg("n"))
            .add_cmd(Cmd::new("EXPIRE").arg("n").arg(60))
            .ignore()
            .add_cmd(Cmd::new("GET").arg("foo"));
        let server: &[u8] = if transaction {
            b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n:1\r\n:1\r\n$3\r\nbar\r\n"
        } else {
            b"+OK\r\n:1\r\n:1\r\n$3\r\nbar\r\n"
        };
        let results = feed(&pipe, server).unwrap();
        assert_eq!(results, [Value::Integer(1), bulk("bar")]);
        let (n, foo): (i64, String) = pipe.query(decode_all(server)).unwrap();
        assert_eq!((n, foo.as_str()), (1, "bar"));
    }
    // `ignore` on an empty pipeline does nothing.
    let mut pipe = Pipeline::new();
    pipe.ignore();
    assert!(pipe.is_empty());
}

#[test]
fn typed_tuple_results() {
    let mut pipe = Pipeline::transaction();
    pipe.add_cmd(Cmd::new("SET").arg("k").arg("v"))
        .add_cmd(Cmd::new("INCR").arg("n"))
        .add_cmd(Cmd::new("GET").arg("missing"));
    let server = b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n:5\r\n$-1\r\n";
    let r: (bool, i64, Option<String>) = pipe.query(decode_all(server)).unwrap();
    assert_eq!(r, (true, 5, None));
    let results = pipe.collect(decode_all(server)).unwrap();
    let again: (bool, i64, Option<String>) = convert(results).unwrap();
    assert_eq!(again, r);
}

#[test]
fn empty_pipelines_send_and_read_nothing() {
    for pipe in [Pipeline::new(), Pipeline::transaction()] {
        assert_eq!(encoded(&pipe), b"");
        assert_eq!(pipe.reply_count(), 0);
        assert!(pipe.collector().is_complete());
        assert_eq!(pipe.collect(vec![]).unwrap(), Vec::<Value>::new());
    }
}

#[test]
fn clear_keeps_the_mode_for_reuse() {
    let mut pipe = Pipeline::transaction();
    pipe.add_cmd(Cmd::new("INCR").arg("a")).ignore();
    pipe.clear();
    assert!(pipe.is_empty());
    assert!(pipe.is_transaction());
    pipe.add_cmd(Cmd::new("INCR").arg("b"));
    assert_eq!(
        encoded(&pipe),
        req(&[&["MULTI"], &["INCR", "b"], &["EXEC"]])
    );
    let results = feed(&pipe, b"+OK\r\n+QUEUED\r\n*1\r\n:1\r\n").unwrap();
    assert_eq!(results, [Value::Integer(1)]); // the old `ignore` is gone
    pipe.atomic().set_transaction(false);
    assert_eq!(encoded(&pipe), req(&[&["INCR", "b"]]));
}

#[test]
fn scripts_in_a_pipeline_are_remembered_once() {
    let script = Script::new("return redis.call('GET', KEYS[1])");
    let mut pipe = Pipeline::new();
    pipe.invoke_script(&script.key("a"))
        .invoke_script(&script.key("b"))
        .add_cmd(Cmd::new("PING"));
    assert_eq!(pipe.scripts().len(), 1);
    assert_eq!(pipe.scripts()[0].sha(), script.sha());
    assert_eq!(
        encoded(&pipe),
        req(&[
            &[
                "EVALSHA",
                "d3c21d0c2b9ca22f82737626a27bcaf5d288f99f",
                "1",
                "a"
            ],
            &[
                "EVALSHA",
                "d3c21d0c2b9ca22f82737626a27bcaf5d288f99f",
                "1",
                "b"
            ],
            &["PING"]
        ])
    );
    assert_eq!(pipe.cmds().len(), 3);
    pipe.clear();
    assert!(pipe.scripts().is_empty());
}

#[test]
fn typed_methods_chain_like_redis_py() {
    // redis-py: `pipe.set('foo', 'bar').sadd('faz', 'baz').incr('auto_number').get('bing')`
    let mut pipe = Pipeline::transaction();
    pipe.set("foo", "bar")
        .sadd("faz", "baz")
        .incr("auto_number")
        .get("bing");
    let mut by_hand = Pipeline::transaction();
    redis_py_example(&mut by_hand);
    assert_eq!(encoded(&pipe), encoded(&by_hand));
    let server =
        b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*4\r\n+OK\r\n:1\r\n:1\r\n$-1\r\n";
    let (set, added, n, bing): (bool, i64, i64, Option<String>) =
        pipe.query(decode_all(server)).unwrap();
    assert_eq!((set, added, n, bing), (true, 1, 1, None));
    // `ignore` chains after a typed method too.
    let mut pipe = Pipeline::new();
    pipe.set("k", "v").ignore().get("k");
    let (v,): (String,) = pipe.query(decode_all(b"+OK\r\n$1\r\nv\r\n")).unwrap();
    assert_eq!(v, "v");
}
