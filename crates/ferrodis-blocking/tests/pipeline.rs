//! Pipelines against a real server: redis-py's documented examples, per-command errors,
//! EXECABORT, typed results.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use ferrodis_blocking::Client;
use ferrodis_commands::{Cmd, Commands, Error, ErrorCode, PipelineCommands, Value};
use ferrodis_tests::shared_server;

fn client() -> Client {
    Client::open(shared_server().url()).unwrap()
}

/// A RESP3 client (the default) and a RESP2 one, for the tests whose replies differ.
fn clients() -> [Client; 2] {
    [
        client(),
        Client::open(format!("{}?protocol=resp2", shared_server().url())).unwrap(),
    ]
}

fn ok() -> Value {
    Value::SimpleString("OK".into())
}

fn bulk(s: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
}

fn is_error(v: &Value) -> bool {
    matches!(v, Value::SimpleError(_) | Value::BulkError(_))
}

/// redis-py: `pipe.set('foo', 'bar'); pipe.get('bing'); pipe.execute()` gives
/// `[True, b'baz']`.
#[test]
fn buffered_commands_redis_py_example() {
    let r = client();
    r.set::<_, _, ()>("pipe:first:bing", "baz").unwrap();
    let mut pipe = r.pipeline();
    pipe.set("pipe:first:foo", "bar");
    pipe.get("pipe:first:bing");
    assert_eq!(pipe.len(), 2);
    let results = pipe.execute().unwrap();
    assert_eq!(results, vec![ok(), bulk("baz")]);
    assert!(pipe.is_empty(), "execute empties the pipeline");
    let (set, bing): (bool, String) = {
        pipe.set("pipe:first:foo", "bar").get("pipe:first:bing");
        pipe.query().unwrap()
    };
    assert!(set);
    assert_eq!(bing, "baz");
}

/// redis-py: `pipe.set('foo', 'bar').sadd('faz', 'baz').incr('auto_number').execute()`
/// gives `[True, True, 6]`.
#[test]
fn chaining_redis_py_example() {
    for r in clients() {
        r.del::<_, ()>(["pipe:chain:faz"]).unwrap();
        r.set::<_, _, ()>("pipe:chain:auto_number", 5).unwrap();
        let mut pipe = r.pipeline();
        let results: (bool, bool, i64) = pipe
            .set("pipe:chain:foo", "bar")
            .sadd("pipe:chain:faz", "baz")
            .incr("pipe:chain:auto_number")
            .query()
            .unwrap();
        assert_eq!(results, (true, true, 6));

        // The same, as values.
        r.del::<_, ()>(["pipe:chain:faz"]).unwrap();
        r.set::<_, _, ()>("pipe:chain:auto_number", 5).unwrap();
        let values = pipe
            .set("pipe:chain:foo", "bar")
            .sadd("pipe:chain:faz", "baz")
            .incr("pipe:chain:auto_number")
            .execute()
            .unwrap();
        assert_eq!(values, vec![ok(), Value::Integer(1), Value::Integer(6)]);
    }
}

#[test]
fn plain_pipeline_keeps_errors_in_place() {
    for r in clients() {
        let mut pipe = r.plain_pipeline();
        assert!(!pipe.is_transaction());
        let results = pipe
            .set("pipe:plainerr:k", "not a number")
            .incr("pipe:plainerr:k")
            .add_cmd(Cmd::new("NOSUCHCOMMAND").arg("x"))
            .get("pipe:plainerr:k")
            .execute()
            .unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(results[0], ok());
        assert!(is_error(&results[1]), "{:?}", results[1]);
        assert!(is_error(&results[2]), "{:?}", results[2]);
        assert_eq!(results[3], bulk("not a number"));

        // Typed, the first error is the error.
        let typed: Result<(bool, i64), Error> = pipe
            .set("pipe:plainerr:k", "still not")
            .incr("pipe:plainerr:k")
            .query();
        assert!(matches!(typed, Err(Error::Server(_))), "{typed:?}");
        // And the connection is still in sync: the next command gets its own reply.
        let v: String = r.get("pipe:plainerr:k").unwrap();
        assert_eq!(v, "still not");
    }
}

#[test]
fn transaction_runtime_error_stays_in_place() {
    for r in clients() {
        let mut pipe = r.pipeline();
        assert!(pipe.is_transaction());
        let results = pipe
            .set("pipe:txerr:k", "abc")
            .incr("pipe:txerr:k")
            .append("pipe:txerr:k", "def")
            .get("pipe:txerr:k")
            .execute()
            .unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(results[0], ok());
        assert!(is_error(&results[1]));
        assert_eq!(results[2], Value::Integer(6));
        assert_eq!(results[3], bulk("abcdef"));
    }
}

#[test]
fn execabort_lists_queue_errors_and_runs_nothing() {
    for r in clients() {
        r.del::<_, ()>(["pipe:abort:a", "pipe:abort:b"]).unwrap();
        let mut pipe = r.pipeline();
        let err = pipe
            .set("pipe:abort:a", 1)
            // Wrong number of arguments: refused when queued.
            .add_cmd(Cmd::new("SET").arg("pipe:abort:b"))
            .incr("pipe:abort:a")
            .add_cmd(Cmd::new("NOSUCHCOMMAND"))
            .execute()
            .unwrap_err();
        match &err {
            Error::ExecAbort { errors } => {
                let indexes: Vec<usize> = errors.iter().map(|(i, _)| *i).collect();
                assert_eq!(indexes, [1, 3], "{errors:?}");
                assert!(errors.iter().all(|(_, e)| *e.code() == ErrorCode::Err));
            }
            other => panic!("expected ExecAbort, got {other:?}"),
        }
        assert!(err.to_string().contains("EXECABORT"), "{err}");
        // Nothing ran, and the client is fine.
        let exists: i64 = r.exists(["pipe:abort:a", "pipe:abort:b"]).unwrap();
        assert_eq!(exists, 0);
        assert!(pipe.is_empty());
        let (n,): (i64,) = pipe.incr("pipe:abort:a").query().unwrap();
        assert_eq!(n, 1);
    }
}

#[test]
fn typed_tuple_with_ignored_replies() {
    let r = client();
    r.del::<_, ()>(["pipe:typed:n", "pipe:typed:missing"])
        .unwrap();
    let mut pipe = r.pipeline();
    let (n, s, missing, list): (i64, String, Option<String>, Vec<String>) = pipe
        .set("pipe:typed:s", "hello")
        .ignore()
        .incrby("pipe:typed:n", 41)
        .incr("pipe:typed:n")
        .ignore()
        .add_cmd(Cmd::new("INCR").arg("pipe:typed:n"))
        .ignore()
        .get("pipe:typed:s")
        .get("pipe:typed:missing")
        .rpush("pipe:typed:list", ["a", "b"])
        .ignore()
        .lrange("pipe:typed:list", 0, -1)
        .del(["pipe:typed:list"])
        .ignore()
        .query()
        .unwrap();
    assert_eq!((n, s.as_str(), missing), (41, "hello", None));
    assert_eq!(list, ["a", "b"]);
    let n: i64 = r.get("pipe:typed:n").unwrap();
    assert_eq!(n, 43);
}

#[test]
fn empty_pipeline_sends_nothing() {
    let r = client();
    let mut pipe = r.pipeline();
    assert_eq!(pipe.execute().unwrap(), Vec::<Value>::new());
    let mut plain = r.plain_pipeline();
    assert_eq!(plain.execute().unwrap(), Vec::<Value>::new());
    let unit: Vec<i64> = plain.query().unwrap();
    assert!(unit.is_empty());
}

#[test]
fn large_plain_pipeline_in_one_round_trip() {
    let r = client();
    let mut pipe = r.plain_pipeline();
    for i in 0..2000 {
        pipe.set(format!("pipe:large:{i}"), i).ignore();
    }
    for i in (0..2000).step_by(100) {
        pipe.get(format!("pipe:large:{i}"));
    }
    let values: Vec<i64> = pipe.query().unwrap();
    assert_eq!(values, (0..2000).step_by(100).collect::<Vec<i64>>());
}

#[test]
fn multi_makes_a_plain_pipeline_transactional() {
    let r = client();
    let mut pipe = r.plain_pipeline();
    pipe.multi();
    assert!(pipe.is_transaction());
    let (a, b): (i64, i64) = pipe
        .incr("pipe:multi:n")
        .incr("pipe:multi:n")
        .query()
        .unwrap();
    assert_eq!(b, a + 1);
    // execute leaves MULTI mode.
    assert!(!pipe.is_transaction());
}

#[test]
fn connection_runs_a_sans_io_pipeline() {
    let r = client();
    let mut conn = r.get_connection().unwrap();
    let mut core = ferrodis_commands::Pipeline::transaction();
    core.set("pipe:conn:k", "v")
        .ignore()
        .append("pipe:conn:k", "w")
        .get("pipe:conn:k");
    let (len, v): (i64, String) = conn.query_pipeline(&core).unwrap();
    assert_eq!((len, v.as_str()), (2, "vw"));
    let values = conn
        .execute_pipeline(&ferrodis_commands::Pipeline::new())
        .unwrap();
    assert!(values.is_empty());
}

#[test]
fn reset_discards_buffered_commands() {
    let r = client();
    r.del::<_, ()>(["pipe:reset:k"]).unwrap();
    let mut pipe = r.pipeline();
    pipe.set("pipe:reset:k", 1).set("pipe:reset:k", 2);
    pipe.reset().unwrap();
    assert!(pipe.is_empty());
    assert_eq!(pipe.execute().unwrap(), Vec::<Value>::new());
    drop(pipe);
    let v: Option<i64> = r.get("pipe:reset:k").unwrap();
    assert_eq!(v, None);
}

/// A connection with unread replies refuses to run a pipeline: their replies would be
/// taken for the pipeline's.
#[test]
fn connection_with_unread_replies_refuses_a_pipeline() {
    let r = client();
    let mut conn = r.dedicated_connection().unwrap();
    conn.send(&Cmd::new("PING"));
    let mut core = ferrodis_commands::Pipeline::new();
    core.add_cmd(Cmd::new("ECHO").arg("x"));
    let err = conn.execute_pipeline(&core).unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    conn.flush().unwrap();
    assert_eq!(conn.recv().unwrap(), Value::SimpleString("PONG".into()));
    let values = conn.execute_pipeline(&core).unwrap();
    assert_eq!(values, vec![bulk("x")]);
}
