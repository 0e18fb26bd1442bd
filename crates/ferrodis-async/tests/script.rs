//! Lua scripts and functions against real servers, on tokio and async-std: redis-py's and
//! aredis's multiply example on two servers and in a pipeline, NOSCRIPT loading, errors,
//! FCALL and FUNCTION helpers, concurrent calls over the multiplexed connection.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use ferrodis_async::Client;
use ferrodis_commands::{AsyncCommands, Error, PipelineCommands, Value};
use ferrodis_tests::RedisServer;

const MULTIPLY: &str = "
local value = redis.call('GET', KEYS[1])
value = tonumber(value)
return value * ARGV[1]";

async fn script_exists(client: &Client, sha: &str) -> bool {
    let flags: Vec<bool> = client.script_exists([sha]).await.unwrap();
    flags == [true]
}

/// Busy for 250 ms (on a private server: it blocks the server meanwhile), then returns
/// its argument.
const SLOW_ECHO: &str = "local t = redis.call('TIME'); local start = t[1] * 1000000 + t[2]; \
     repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > 250000; \
     return ARGV[1]";

/// Runs `future` for 10 ms at most (`None`: cut short).
async fn cut_short<F: std::future::Future>(future: F) -> Option<F::Output> {
    let rt = common::runtime();
    ferrodis_async::runtime::timeout(&*rt, Some(std::time::Duration::from_millis(10)), future).await
}

const LIBRARY: &str = "#!lua name=e2lib
redis.register_function('e2_echo', function(keys, args) return args[1] end)
redis.register_function{
  function_name = 'e2_get',
  callback = function(keys, args) return redis.call('GET', keys[1]) end,
  flags = { 'no-writes' },
}";

runtime_tests! {
    /// redis-py / aredis: `multiply(keys=['foo'], args=[5])` is 10; on a client of another
    /// server, 15; in a pipeline after `pipe.set('foo', 5)`, `[True, 25]`.
    async fn multiply_redis_py_example() {
        let server = RedisServer::start().unwrap();
        let server2 = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        let r2 = Client::open(server2.url()).unwrap();

        let multiply = r.register_script(MULTIPLY);
        assert!(!script_exists(&r, multiply.sha()).await);

        r.set::<_, _, ()>("foo", 2).await.unwrap();
        let ten: i64 = multiply.key("foo").arg(5).run().await.unwrap();
        assert_eq!(ten, 10);
        assert!(script_exists(&r, multiply.sha()).await, "loaded on NOSCRIPT");

        // Another server, which has never seen the script: NOSCRIPT, loaded, run.
        assert!(!script_exists(&r2, multiply.sha()).await);
        r2.set::<_, _, ()>("foo", 3).await.unwrap();
        let fifteen: i64 = multiply.key("foo").arg(5).invoke(&r2).await.unwrap();
        assert_eq!(fifteen, 15);
        assert!(script_exists(&r2, multiply.sha()).await);

        // In a pipeline, after the script cache was flushed: loaded before the pipeline runs.
        r.script_flush::<()>().await.unwrap();
        let mut pipe = r.pipeline();
        pipe.set("foo", 5);
        multiply.key("foo").arg(5).queue(&mut pipe);
        let results = pipe.execute().await.unwrap();
        assert_eq!(
            results,
            vec![Value::SimpleString("OK".into()), Value::Integer(25)]
        );
        // Typed, as redis-py's [True, 25].
        let mut pipe = r.pipeline();
        pipe.set("foo", 5);
        pipe.invoke_script(&multiply.key("foo").arg(5));
        let (ok, product): (bool, i64) = pipe.query().await.unwrap();
        assert_eq!((ok, product), (true, 25));
    }

    async fn plain_pipeline_preloads_scripts_once() {
        let server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        let incr_by = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
        let echo = r.register_script("return ARGV[1]");
        let mut pipe = r.plain_pipeline();
        for i in 1..=3 {
            incr_by.key("n").arg(i).queue(&mut pipe);
            echo.arg(format!("e{i}")).queue(&mut pipe);
        }
        let results: (i64, String, i64, String, i64, String) = pipe.query().await.unwrap();
        assert_eq!(results, (1, "e1".into(), 3, "e2".into(), 6, "e3".into()));
        assert!(script_exists(&r, incr_by.sha()).await);
        assert!(script_exists(&r, echo.sha()).await);
    }

    async fn script_errors_are_server_errors_and_leave_the_client_usable() {
        let r = common::client().await;
        let raises = r.register_script("return redis.error_reply('MYERR boom')");
        let err = raises.invocation().run::<()>().await.unwrap_err();
        match &err {
            Error::Server(e) => assert!(e.text().contains("boom"), "{e:?}"),
            other => panic!("expected a server error, got {other:?}"),
        }
        // As a value, the error reply is kept; on a connection of one's own too.
        let value: Value = raises.invocation().run().await.unwrap();
        assert!(
            matches!(value, Value::SimpleError(_) | Value::BulkError(_)),
            "{value:?}"
        );
        let mut conn = r.get_connection().await.unwrap();
        let value: Value = raises.invocation().invoke_on(&mut conn).await.unwrap();
        assert!(
            matches!(value, Value::SimpleError(_) | Value::BulkError(_)),
            "{value:?}"
        );
        drop(conn);

        // A syntax error: SCRIPT LOAD fails, and its error is returned.
        let broken = r.register_script("return (((");
        let err = broken.invocation().run::<Value>().await.unwrap_err();
        assert!(matches!(err, Error::Server(_)), "{err:?}");

        // The same connections work afterwards.
        let key = common::key("script:errors:k");
        r.set::<_, _, ()>(&key, "fine").await.unwrap();
        let v: String = r.get(&key).await.unwrap();
        assert_eq!(v, "fine");
    }

    async fn script_with_several_keys_and_args() {
        let r = common::client().await;
        let (a, b) = (common::key("script:multi:a"), common::key("script:multi:b"));
        let script = r.register_script(
            "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[2]); \
             return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}",
        );
        let (k1, k2, a1, a2, nkeys, nargs): (String, String, String, String, i64, i64) = script
            .key([a.as_str(), b.as_str()])
            .arg("x")
            .arg(7)
            .run()
            .await
            .unwrap();
        assert_eq!((k1, k2), (a.clone(), b.clone()));
        assert_eq!((a1.as_str(), a2.as_str(), nkeys, nargs), ("x", "7", 2, 2));
        let stored: i64 = r.get(&b).await.unwrap();
        assert_eq!(stored, 7);
    }

    async fn read_only_scripts_run_with_evalsha_ro() {
        let r = common::client().await;
        let key = common::key("script:ro:k");
        r.set::<_, _, ()>(&key, "value").await.unwrap();
        let reader = r.register_script("return redis.call('GET', KEYS[1])");
        let v: String = reader.key(&key).read_only().run().await.unwrap();
        assert_eq!(v, "value");
        let writer = r.register_script("return redis.call('SET', KEYS[1], 'x')");
        let err = writer.key(&key).read_only().run::<()>().await.unwrap_err();
        assert!(matches!(err, Error::Server(_)), "{err:?}");
    }

    /// Many tasks call the same script at once over the one multiplexed connection, right
    /// after a `SCRIPT FLUSH`: every `NOSCRIPT` retry pairs its `SCRIPT LOAD` and
    /// `EVALSHA`, and every caller gets its own answer.
    async fn concurrent_calls_after_a_flush_get_their_own_replies() {
        let server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        let echo = r.register_script("return {ARGV[1], redis.call('INCR', KEYS[1])}");
        r.script_flush::<()>().await.unwrap();
        let calls = (0..50).map(|i| {
            let echo = echo.clone();
            async move {
                let (back, _n): (i64, i64) = echo.key("calls").arg(i).run().await.unwrap();
                assert_eq!(back, i);
            }
        });
        futures_util::future::join_all(calls).await;
        let total: i64 = r.get("calls").await.unwrap();
        assert_eq!(total, 50);
    }

    /// A script in immediate mode (after WATCH) runs at once.
    async fn script_in_a_watch_transaction() {
        let r = common::client().await;
        let key = common::key("script:watch:k");
        r.set::<_, _, ()>(&key, 4).await.unwrap();
        let multiply = r.register_script(MULTIPLY);
        let mut pipe = r.pipeline();
        pipe.watch(&key).await.unwrap();
        pipe.invoke_script(&multiply.key(&key).arg(3));
        let twelve: i64 = pipe.take_reply().await.unwrap();
        assert_eq!(twelve, 12);
        pipe.multi().set(&key, twelve);
        multiply.key(&key).arg(2).queue(&mut pipe);
        let (ok, product): (bool, i64) = pipe.query().await.unwrap();
        assert_eq!((ok, product), (true, 24));
    }

    async fn functions_load_call_and_list() {
        let server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        assert_eq!(r.load_function(LIBRARY).await.unwrap(), "e2lib");
        // Loading it again fails; REPLACE works.
        assert!(matches!(r.load_function(LIBRARY).await, Err(Error::Server(_))));
        assert_eq!(r.load_function_replace(LIBRARY).await.unwrap(), "e2lib");

        let echoed: String = r.call_function("e2_echo", [""; 0], "hello").await.unwrap();
        assert_eq!(echoed, "hello");
        r.set::<_, _, ()>("fk", "fv").await.unwrap();
        let got: String = r.call_function_ro("e2_get", "fk", [""; 0]).await.unwrap();
        assert_eq!(got, "fv");
        let got: Option<String> = r.call_function("e2_get", ["missing"], [""; 0]).await.unwrap();
        assert_eq!(got, None);
        // FCALL_RO refuses a function without no-writes.
        let err = r
            .call_function_ro::<String>("e2_echo", [""; 0], "x")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Server(_)), "{err:?}");

        let libraries = r.list_functions(None, false).await.unwrap();
        assert_eq!(libraries.len(), 1);
        let lib = &libraries[0];
        assert_eq!((lib.name.as_str(), lib.engine.as_str()), ("e2lib", "LUA"));
        assert_eq!(lib.code, None);
        let mut names: Vec<&str> = lib.functions.iter().map(|f| f.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["e2_echo", "e2_get"]);
        let get = lib.functions.iter().find(|f| f.name == "e2_get").unwrap();
        assert!(get.has_flag("no-writes"));

        let with_code = r.list_functions(Some("e2*"), true).await.unwrap();
        assert_eq!(with_code.len(), 1);
        assert_eq!(with_code[0].code.as_deref(), Some(LIBRARY));
        assert!(r.list_functions(Some("nomatch*"), false).await.unwrap().is_empty());
    }

    /// A server restarted under the client forgets its scripts: the next call reconnects
    /// and loads the script again.
    async fn script_is_loaded_again_after_a_server_restart() {
        let mut server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        let multiply = r.register_script(MULTIPLY);
        r.set::<_, _, ()>("foo", 6).await.unwrap();
        assert_eq!(multiply.key("foo").arg(7).run::<i64>().await.unwrap(), 42);
        server.restart().unwrap();
        assert!(!script_exists(&r, multiply.sha()).await);
        r.set::<_, _, ()>("foo", 2).await.unwrap();
        assert_eq!(multiply.key("foo").arg(7).run::<i64>().await.unwrap(), 14);
        server.restart().unwrap();
        let mut pipe = r.pipeline();
        pipe.set("foo", 3);
        multiply.key("foo").arg(7).queue(&mut pipe);
        let (ok, product): (bool, i64) = pipe.query().await.unwrap();
        assert_eq!((ok, product), (true, 21));
        // Explicit load.
        r.script_flush::<()>().await.unwrap();
        assert_eq!(multiply.load(&r).await.unwrap(), multiply.sha());
        assert!(script_exists(&r, multiply.sha()).await);
    }

    /// A script call dropped half-way (a timeout around it) leaves the multiplexed
    /// connection in sync: the next calls get their own replies.
    async fn a_cancelled_call_leaves_the_client_in_sync() {
        let server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        let slow = r.register_script(SLOW_ECHO);
        let cancelled = cut_short(slow.arg("late").run::<String>()).await;
        assert!(cancelled.is_none(), "the call should have been cut short");
        let echo = r.register_script("return ARGV[1]");
        for i in 0..5 {
            let back: String = echo.arg(format!("e{i}")).run().await.unwrap();
            assert_eq!(back, format!("e{i}"));
        }
    }

    /// The same on a connection of one's own: the replies the dropped call still owed
    /// are discarded, and do not count as unread replies of earlier sends.
    async fn a_cancelled_call_leaves_a_connection_in_sync() {
        let server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        let slow = r.register_script(SLOW_ECHO);
        let echo = r.register_script("return ARGV[1]");
        let mut conn = r.get_connection().await.unwrap();
        let cancelled = cut_short(slow.arg("late").invoke_on::<String>(&mut conn)).await;
        assert!(cancelled.is_none(), "the call should have been cut short");
        let back: String = echo.arg("mine").invoke_on(&mut conn).await.unwrap();
        assert_eq!(back, "mine");
        // Replies to sends not yet read are refused, not taken for the script's.
        conn.send(&ferrodis_commands::Cmd::new("PING"));
        let err = echo.arg("x").invoke_on::<String>(&mut conn).await.unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        conn.flush().await.unwrap();
        let pong: Value = conn.recv().await.unwrap();
        assert_eq!(pong, Value::SimpleString("PONG".into()));
        let back: String = echo.arg("again").invoke_on(&mut conn).await.unwrap();
        assert_eq!(back, "again");
    }
}
