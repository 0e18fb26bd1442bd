//! Pipelines against a real server, on tokio and on async-std: redis-py's and aredis's
//! documented examples, per-command errors, EXECABORT, typed results, which connection a
//! pipeline runs on, atomicity over the shared connection, cancellation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use ferrodis_async::{AsyncCommands, Client, PipelineCommands};
use ferrodis_commands::{Cmd, Error, ErrorCode, Value};
use ferrodis_tests::RedisServer;
use futures_util::future::join_all;

fn ok() -> Value {
    Value::SimpleString("OK".into())
}

fn bulk(s: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
}

fn is_error(v: &Value) -> bool {
    matches!(v, Value::SimpleError(_) | Value::BulkError(_))
}

/// A RESP3 client (the default) and a RESP2 one, for the tests whose replies differ.
async fn clients() -> [Client; 2] {
    [common::client().await, common::client_resp2().await]
}

fn assert_send<T: Send>(_: &T) {}

runtime_tests! {
    /// redis-py: `pipe.set('foo', 'bar'); pipe.get('bing'); pipe.execute()` gives
    /// `[True, b'baz']`.
    async fn buffered_commands_redis_py_example() {
        let r = common::client().await;
        let (foo, bing) = (common::key("pipe:first:foo"), common::key("pipe:first:bing"));
        r.set::<_, _, ()>(&bing, "baz").await.unwrap();
        let mut pipe = r.pipeline();
        pipe.set(&foo, "bar");
        pipe.get(&bing);
        assert_eq!(pipe.len(), 2);
        let results = pipe.execute().await.unwrap();
        assert_eq!(results, vec![ok(), bulk("baz")]);
        assert!(pipe.is_empty(), "execute empties the pipeline");
        pipe.set(&foo, "bar").get(&bing);
        let (set, bing): (bool, String) = pipe.query().await.unwrap();
        assert!(set);
        assert_eq!(bing, "baz");
    }

    /// redis-py: `pipe.set('foo', 'bar').sadd('faz', 'baz').incr('auto_number').execute()`
    /// gives `[True, True, 6]`.
    async fn chaining_redis_py_example() {
        for r in clients().await {
            let (foo, faz, n) = (
                common::key("pipe:chain:foo"),
                common::key("pipe:chain:faz"),
                common::key("pipe:chain:auto_number"),
            );
            r.del::<_, ()>(&faz).await.unwrap();
            r.set::<_, _, ()>(&n, 5).await.unwrap();
            let mut pipe = r.pipeline();
            let results: (bool, bool, i64) = pipe
                .set(&foo, "bar")
                .sadd(&faz, "baz")
                .incr(&n)
                .query()
                .await
                .unwrap();
            assert_eq!(results, (true, true, 6));

            // The same, as values.
            r.del::<_, ()>(&faz).await.unwrap();
            r.set::<_, _, ()>(&n, 5).await.unwrap();
            let values = pipe
                .set(&foo, "bar")
                .sadd(&faz, "baz")
                .incr(&n)
                .execute()
                .await
                .unwrap();
            assert_eq!(values, vec![ok(), Value::Integer(1), Value::Integer(6)]);
        }
    }

    /// aredis: a transactional pipeline of `flushdb`, `set('foo', 'bar')`,
    /// `set('bar', 'foo')` and `keys('*')` gives `[True, True, True, [b'bar', b'foo']]`.
    /// FLUSHDB on a private server, not the shared one.
    async fn transactional_pipeline_aredis_example() {
        let server = RedisServer::start().unwrap();
        let client = Client::open(server.url()).unwrap();
        client.set::<_, _, ()>("leftover", 1).await.unwrap();
        let mut pipe = client.pipeline();
        assert!(pipe.is_transaction());
        pipe.flushdb().set("foo", "bar");
        pipe.set("bar", "foo");
        pipe.keys("*");
        let (flushed, set_foo, set_bar, mut keys): (bool, bool, bool, Vec<String>) =
            pipe.query().await.unwrap();
        // KEYS has no order: sorted, it is aredis's [b'bar', b'foo'].
        keys.sort();
        assert_eq!((flushed, set_foo, set_bar), (true, true, true));
        assert_eq!(keys, ["bar", "foo"]);

        // The same on the shared server, with this test's own keys instead of FLUSHDB.
        let r = common::client().await;
        let prefix = common::key("pipe:aredis:");
        let (foo, bar) = (format!("{prefix}foo"), format!("{prefix}bar"));
        r.del::<_, ()>([&foo, &bar]).await.unwrap();
        let mut pipe = r.pipeline();
        pipe.del([&foo, &bar]).ignore().set(&foo, "bar").set(&bar, "foo").keys(format!("{prefix}*"));
        let (a, b, mut keys): (bool, bool, Vec<String>) = pipe.query().await.unwrap();
        keys.sort();
        assert!(a && b);
        assert_eq!(keys, [bar, foo]);
    }

    async fn plain_pipeline_keeps_errors_in_place() {
        for r in clients().await {
            let k = common::key("pipe:plainerr:k");
            let mut pipe = r.plain_pipeline();
            assert!(!pipe.is_transaction());
            let results = pipe
                .set(&k, "not a number")
                .incr(&k)
                .add_cmd(Cmd::new("NOSUCHCOMMAND").arg("x"))
                .get(&k)
                .execute()
                .await
                .unwrap();
            assert_eq!(results.len(), 4);
            assert_eq!(results[0], ok());
            assert!(is_error(&results[1]), "{:?}", results[1]);
            assert!(is_error(&results[2]), "{:?}", results[2]);
            assert_eq!(results[3], bulk("not a number"));

            // Typed, the first error is the error.
            let typed: Result<(bool, i64), Error> =
                pipe.set(&k, "still not").incr(&k).query().await;
            assert!(matches!(typed, Err(Error::Server(_))), "{typed:?}");
            // And the connection is still in sync: the next command gets its own reply.
            let v: String = r.get(&k).await.unwrap();
            assert_eq!(v, "still not");
        }
    }

    async fn transaction_runtime_error_stays_in_place() {
        for r in clients().await {
            let k = common::key("pipe:txerr:k");
            let mut pipe = r.pipeline();
            assert!(pipe.is_transaction());
            let results = pipe
                .set(&k, "abc")
                .incr(&k)
                .append(&k, "def")
                .get(&k)
                .execute()
                .await
                .unwrap();
            assert_eq!(results.len(), 4);
            assert_eq!(results[0], ok());
            assert!(is_error(&results[1]));
            assert_eq!(results[2], Value::Integer(6));
            assert_eq!(results[3], bulk("abcdef"));
        }
    }

    async fn execabort_lists_queue_errors_and_runs_nothing() {
        for r in clients().await {
            let (a, b) = (common::key("pipe:abort:a"), common::key("pipe:abort:b"));
            r.del::<_, ()>([&a, &b]).await.unwrap();
            let mut pipe = r.pipeline();
            let err = pipe
                .set(&a, 1)
                // Wrong number of arguments: refused when queued.
                .add_cmd(Cmd::new("SET").arg(&b))
                .incr(&a)
                .add_cmd(Cmd::new("NOSUCHCOMMAND"))
                .execute()
                .await
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
            let exists: i64 = r.exists([&a, &b]).await.unwrap();
            assert_eq!(exists, 0);
            assert!(pipe.is_empty());
            let (n,): (i64,) = pipe.incr(&a).query().await.unwrap();
            assert_eq!(n, 1);
        }
    }

    async fn typed_tuple_with_ignored_replies() {
        let r = common::client().await;
        let (n, s, missing, list) = (
            common::key("pipe:typed:n"),
            common::key("pipe:typed:s"),
            common::key("pipe:typed:missing"),
            common::key("pipe:typed:list"),
        );
        r.del::<_, ()>([&n, &missing]).await.unwrap();
        let mut pipe = r.pipeline();
        let (got_n, got_s, got_missing, got_list): (i64, String, Option<String>, Vec<String>) =
            pipe.set(&s, "hello")
                .ignore()
                .incrby(&n, 41)
                .incr(&n)
                .ignore()
                .add_cmd(Cmd::new("INCR").arg(&n))
                .ignore()
                .get(&s)
                .get(&missing)
                .rpush(&list, ["a", "b"])
                .ignore()
                .lrange(&list, 0, -1)
                .del(&list)
                .ignore()
                .query()
                .await
                .unwrap();
        assert_eq!((got_n, got_s.as_str(), got_missing), (41, "hello", None));
        assert_eq!(got_list, ["a", "b"]);
        let now: i64 = r.get(&n).await.unwrap();
        assert_eq!(now, 43);
    }

    async fn empty_pipeline_sends_nothing() {
        let r = common::client().await;
        let mut pipe = r.pipeline();
        assert_eq!(pipe.execute().await.unwrap(), Vec::<Value>::new());
        let mut plain = r.plain_pipeline();
        assert_eq!(plain.execute().await.unwrap(), Vec::<Value>::new());
        let unit: Vec<i64> = plain.query().await.unwrap();
        assert!(unit.is_empty());
    }

    async fn large_plain_pipeline_in_one_round_trip() {
        let r = common::client().await;
        let prefix = common::key("pipe:large:");
        let mut pipe = r.plain_pipeline();
        for i in 0..2000 {
            pipe.set(format!("{prefix}{i}"), i).ignore();
        }
        for i in (0..2000).step_by(100) {
            pipe.get(format!("{prefix}{i}"));
        }
        let values: Vec<i64> = pipe.query().await.unwrap();
        assert_eq!(values, (0..2000).step_by(100).collect::<Vec<i64>>());
    }

    async fn multi_makes_a_plain_pipeline_transactional() {
        let r = common::client().await;
        let k = common::key("pipe:multi:n");
        let mut pipe = r.plain_pipeline();
        pipe.multi();
        assert!(pipe.is_transaction());
        let (a, b): (i64, i64) = pipe.incr(&k).incr(&k).query().await.unwrap();
        assert_eq!(b, a + 1);
        // execute leaves MULTI mode.
        assert!(!pipe.is_transaction());
    }

    async fn connection_runs_a_sans_io_pipeline() {
        let r = common::client().await;
        let k = common::key("pipe:conn:k");
        let mut conn = r.get_connection().await.unwrap();
        let mut core = ferrodis_commands::Pipeline::transaction();
        core.set(&k, "v").ignore().append(&k, "w").get(&k);
        let (len, v): (i64, String) = conn.query_pipeline(&core).await.unwrap();
        assert_eq!((len, v.as_str()), (2, "vw"));
        let values = conn
            .execute_pipeline(&ferrodis_commands::Pipeline::new())
            .await
            .unwrap();
        assert!(values.is_empty());
        assert!(conn.is_reusable(), "MULTI/EXEC left the connection clean");
    }

    async fn reset_discards_buffered_commands() {
        let r = common::client().await;
        let k = common::key("pipe:reset:k");
        r.del::<_, ()>(&k).await.unwrap();
        let mut pipe = r.pipeline();
        pipe.set(&k, 1).set(&k, 2);
        pipe.reset().await.unwrap();
        assert!(pipe.is_empty());
        assert_eq!(pipe.execute().await.unwrap(), Vec::<Value>::new());
        drop(pipe);
        let v: Option<i64> = r.get(&k).await.unwrap();
        assert_eq!(v, None);
    }

    /// A connection with unread replies refuses to run a pipeline: their replies would be
    /// taken for the pipeline's.
    async fn connection_with_unread_replies_refuses_a_pipeline() {
        let r = common::client().await;
        let mut conn = r.dedicated_connection().await.unwrap();
        conn.send(&Cmd::new("PING"));
        let mut core = ferrodis_commands::Pipeline::new();
        core.add_cmd(Cmd::new("ECHO").arg("x"));
        let err = conn.execute_pipeline(&core).await.unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        conn.flush().await.unwrap();
        assert_eq!(conn.recv().await.unwrap(), Value::SimpleString("PONG".into()));
        let values = conn.execute_pipeline(&core).await.unwrap();
        assert_eq!(values, vec![bulk("x")]);
    }

    /// Pipelines go over the multiplexed connection; the pool is not touched.
    async fn pipelines_share_the_multiplexed_connection() {
        let r = common::client().await;
        let k = common::key("pipe:mux:k");
        let (ok, v): (bool, String) = r.pipeline().set(&k, "v").get(&k).query().await.unwrap();
        assert!(ok);
        assert_eq!(v, "v");
        let (n,): (i64,) = r.plain_pipeline().strlen(&k).query().await.unwrap();
        assert_eq!(n, 1);
        assert_eq!(r.pool_status().open, 0, "no pooled connection was needed");
    }

    /// Transactions from many tasks at once over the one shared connection: each
    /// `MULTI` ... `EXEC` is written as one block, so nothing runs inside another.
    async fn concurrent_transactions_stay_atomic_on_the_shared_connection() {
        let r = common::client().await;
        let k = common::key("pipe:atomic:k");
        let tasks = (0..64).map(|i| {
            let r = r.clone();
            let k = k.clone();
            async move {
                let mut pipe = r.pipeline();
                let (ok, v, len): (bool, i64, i64) =
                    pipe.set(&k, i).get(&k).strlen(&k).query().await.unwrap();
                assert!(ok);
                assert_eq!(v, i, "another task's SET ran inside this transaction");
                assert_eq!(len, i.to_string().len() as i64);
            }
        });
        join_all(tasks).await;
        assert_eq!(r.pool_status().open, 0);
    }

    /// A pipeline with a blocking command runs on a pooled connection of its own, so it
    /// holds up nobody else's replies.
    async fn blocking_commands_run_on_a_pooled_connection() {
        let r = common::client().await;
        let list = common::key("pipe:blocking:list");
        r.del::<_, ()>(&list).await.unwrap();
        let mut pipe = r.plain_pipeline();
        pipe.blpop(&list, 0.3);
        let popper = pipe.query::<(Option<(String, String)>,)>();
        let pusher = async {
            // Runs on the multiplexed connection while the BLPOP blocks.
            let pong: String = r.ping().await.unwrap();
            assert_eq!(pong, "PONG");
            r.rpush::<_, _, i64>(&list, "x").await.unwrap()
        };
        let ((popped,), pushed) = {
            let (popped, pushed) = futures_util::join!(popper, pusher);
            (popped.unwrap(), pushed)
        };
        assert_eq!(pushed, 1);
        // Either the BLPOP saw the push, or it timed out before it.
        match popped {
            Some((key, value)) => assert_eq!((key.as_str(), value.as_str()), (list.as_str(), "x")),
            None => {
                let left: Option<String> = r.lpop(&list).await.unwrap();
                assert_eq!(left.as_deref(), Some("x"));
            }
        }
        drop(pipe);
        assert_eq!(r.pool_status().open, 1, "the pooled connection went back");
        assert_eq!(r.pool_status().idle, 1);
    }

    /// A pipeline that changes connection state runs on a pooled connection, which is
    /// then closed rather than returned; the client's own connection is not changed.
    async fn state_changing_pipelines_do_not_change_the_shared_connection() {
        let r = common::client().await;
        let k = common::key("pipe:state:k");
        r.set::<_, _, ()>(&k, "db0").await.unwrap();
        let (selected, v): (bool, Option<String>) =
            r.plain_pipeline().add_cmd(Cmd::new("SELECT").arg(9)).get(&k).query().await.unwrap();
        assert!(selected);
        assert_eq!(v, None, "the GET ran in db 9");
        assert_eq!(r.pool_status().open, 0, "the SELECTed connection was closed");
        let v: String = r.get(&k).await.unwrap();
        assert_eq!(v, "db0");
    }

    /// Dropping a pipeline's future in the middle leaves the client in sync.
    async fn a_dropped_execution_leaves_the_client_in_sync() {
        let r = common::client().await;
        let prefix = common::key("pipe:dropped:");
        let rt = common::runtime();
        for attempt in 0..5u64 {
            let mut pipe = r.plain_pipeline();
            for i in 0..5000 {
                pipe.set(format!("{prefix}{i}"), i).ignore();
            }
            pipe.get(format!("{prefix}1"));
            let _ = ferrodis_async::runtime::timeout(
                &*rt,
                Some(Duration::from_micros(200 * attempt)),
                pipe.execute(),
            )
            .await;
            drop(pipe);
            let echo: String = r.echo(format!("after {attempt}")).await.unwrap();
            assert_eq!(echo, format!("after {attempt}"));
            let mut pipe = r.pipeline();
            let (a, b): (String, String) =
                pipe.echo("a").echo("b").query().await.unwrap();
            assert_eq!((a.as_str(), b.as_str()), ("a", "b"));
        }
    }

    /// aredis: a script queued in a pipeline is loaded just before the pipeline runs:
    /// `pipe.set('foo', 5); multiply(keys=['foo'], args=[5], client=pipe)` gives
    /// `[True, 25]`. The script's source is unique to this test, so the server has
    /// surely not seen it (no SCRIPT FLUSH on the shared server).
    async fn scripts_in_a_pipeline_are_loaded_first_aredis_example() {
        let r = common::client().await;
        let foo = common::key("pipe:script:foo");
        let multiply = r.register_script(&format!(
            "-- {foo} {}\n\
             local value = redis.call('GET', KEYS[1])\n\
             value = tonumber(value)\n\
             return value * ARGV[1]",
            fastrand::u64(..)
        ));
        let exists: Vec<bool> = r
            .cmd("SCRIPT")
            .arg("EXISTS")
            .arg(multiply.sha())
            .query()
            .await
            .unwrap();
        assert_eq!(exists, [false]);
        // A transaction, over the shared connection.
        let mut pipe = r.pipeline();
        pipe.set(&foo, 5);
        multiply.key(&foo).arg(5).queue(&mut pipe);
        let (ok, product): (bool, i64) = pipe.query().await.unwrap();
        assert!(ok);
        assert_eq!(product, 25);
        // A plain pipeline, and one on a pooled connection (a blocking command in it).
        let mut plain = r.plain_pipeline();
        plain.invoke_script(&multiply.key(&foo).arg(3));
        plain.blpop(common::key("pipe:script:nothing"), 0.01);
        let (product, nothing): (i64, Option<(String, String)>) = plain.query().await.unwrap();
        assert_eq!((product, nothing), (15, None));
        // In immediate mode, the script runs at once.
        let mut pipe = r.pipeline();
        pipe.watch(&foo).await.unwrap();
        multiply.key(&foo).arg(2).queue(&mut pipe);
        assert!(pipe.is_empty());
        let product: i64 = pipe.take_reply().await.unwrap();
        assert_eq!(product, 10);
        pipe.reset().await.unwrap();
    }

    async fn pipeline_futures_are_send() {
        let r = common::client().await;
        let mut pipe = r.pipeline();
        pipe.ping();
        assert_send(&pipe);
        {
            let execute = pipe.execute();
            assert_send(&execute);
            let pong: Vec<Value> = execute.await.unwrap();
            assert_eq!(pong, vec![Value::SimpleString("PONG".into())]);
        }
        let watch = pipe.watch("k");
        assert_send(&watch);
        drop(watch);
        let reset = pipe.reset();
        assert_send(&reset);
        reset.await.unwrap();
    }
}
