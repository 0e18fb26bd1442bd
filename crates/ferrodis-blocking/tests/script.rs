//! Lua scripts and functions against real servers: redis-py's multiply example on two
//! servers and in a pipeline, NOSCRIPT loading, errors, FCALL and FUNCTION helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ferrodis_blocking::Client;
use ferrodis_commands::{Commands, Error, PipelineCommands, Value};
use ferrodis_tests::{shared_server, RedisServer};

const MULTIPLY: &str = "
local value = redis.call('GET', KEYS[1])
value = tonumber(value)
return value * ARGV[1]";

fn script_exists(client: &Client, sha: &str) -> bool {
    let flags: Vec<bool> = client.script_exists([sha]).unwrap();
    flags == [true]
}

/// redis-py: `multiply(keys=['foo'], args=[5])` is 10; on a client of another server,
/// 15; in a pipeline after `pipe.set('foo', 5)`, `[True, 25]`.
#[test]
fn multiply_redis_py_example() {
    let server = RedisServer::start().unwrap();
    let server2 = RedisServer::start().unwrap();
    let r = Client::open(server.url()).unwrap();
    let r2 = Client::open(server2.url()).unwrap();

    let multiply = r.register_script(MULTIPLY);
    assert!(!script_exists(&r, multiply.sha()));

    r.set::<_, _, ()>("foo", 2).unwrap();
    let ten: i64 = multiply.key("foo").arg(5).run().unwrap();
    assert_eq!(ten, 10);
    assert!(script_exists(&r, multiply.sha()), "loaded on NOSCRIPT");

    // Another server, which has never seen the script: NOSCRIPT, loaded, run.
    assert!(!script_exists(&r2, multiply.sha()));
    r2.set::<_, _, ()>("foo", 3).unwrap();
    let fifteen: i64 = multiply.key("foo").arg(5).invoke(&r2).unwrap();
    assert_eq!(fifteen, 15);
    assert!(script_exists(&r2, multiply.sha()));

    // In a pipeline, after the script cache was flushed: loaded before the pipeline runs.
    r.script_flush::<()>().unwrap();
    let mut pipe = r.pipeline();
    pipe.set("foo", 5);
    multiply.key("foo").arg(5).queue(&mut pipe);
    let results = pipe.execute().unwrap();
    assert_eq!(
        results,
        vec![Value::SimpleString("OK".into()), Value::Integer(25)]
    );
    // Typed, as redis-py's [True, 25].
    let mut pipe = r.pipeline();
    pipe.set("foo", 5);
    pipe.invoke_script(&multiply.key("foo").arg(5));
    let (ok, product): (bool, i64) = pipe.query().unwrap();
    assert_eq!((ok, product), (true, 25));
}

#[test]
fn plain_pipeline_preloads_scripts_once() {
    let server = RedisServer::start().unwrap();
    let r = Client::open(server.url()).unwrap();
    let incr_by = r.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    let echo = r.register_script("return ARGV[1]");
    let mut pipe = r.plain_pipeline();
    for i in 1..=3 {
        incr_by.key("n").arg(i).queue(&mut pipe);
        echo.arg(format!("e{i}")).queue(&mut pipe);
    }
    let results: (i64, String, i64, String, i64, String) = pipe.query().unwrap();
    assert_eq!(results, (1, "e1".into(), 3, "e2".into(), 6, "e3".into()));
    assert!(script_exists(&r, incr_by.sha()) && script_exists(&r, echo.sha()));
}

#[test]
fn script_errors_are_server_errors_and_leave_the_client_usable() {
    let r = Client::open(shared_server().url()).unwrap();
    let raises = r.register_script("return redis.error_reply('MYERR boom')");
    let err = raises.invocation().run::<()>().unwrap_err();
    match &err {
        Error::Server(e) => assert!(e.text().contains("boom"), "{e:?}"),
        other => panic!("expected a server error, got {other:?}"),
    }
    // As a value, the error reply is kept.
    let mut conn = r.get_connection().unwrap();
    let value: Value = raises
        .invocation()
        .invoke_on::<Value>(&mut conn)
        .unwrap_or(Value::Nil);
    assert!(
        matches!(value, Value::SimpleError(_) | Value::BulkError(_)),
        "{value:?}"
    );
    drop(conn);

    // A syntax error: SCRIPT LOAD fails, and its error is returned.
    let broken = r.register_script("return (((");
    let err = broken.invocation().run::<Value>().unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");

    // The same connections work afterwards.
    r.set::<_, _, ()>("script:errors:k", "fine").unwrap();
    let v: String = r.get("script:errors:k").unwrap();
    assert_eq!(v, "fine");
}

#[test]
fn script_with_several_keys_and_args() {
    let r = Client::open(shared_server().url()).unwrap();
    let script = r.register_script(
        "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[2]); \
         return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}",
    );
    let (k1, k2, a1, a2, nkeys, nargs): (String, String, String, String, i64, i64) = script
        .key(["script:multi:a", "script:multi:b"])
        .arg("x")
        .arg(7)
        .run()
        .unwrap();
    assert_eq!(
        (
            k1.as_str(),
            k2.as_str(),
            a1.as_str(),
            a2.as_str(),
            nkeys,
            nargs
        ),
        ("script:multi:a", "script:multi:b", "x", "7", 2, 2)
    );
    let b: i64 = r.get("script:multi:b").unwrap();
    assert_eq!(b, 7);
}

#[test]
fn read_only_scripts_run_with_evalsha_ro() {
    let r = Client::open(shared_server().url()).unwrap();
    r.set::<_, _, ()>("script:ro:k", "value").unwrap();
    let reader = r.register_script("return redis.call('GET', KEYS[1])");
    let v: String = reader.key("script:ro:k").read_only().run().unwrap();
    assert_eq!(v, "value");
    let writer = r.register_script("return redis.call('SET', KEYS[1], 'x')");
    let err = writer
        .key("script:ro:k")
        .read_only()
        .run::<()>()
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
}

/// A script in immediate mode (after WATCH) runs at once.
#[test]
fn script_in_a_watch_transaction() {
    let r = Client::open(shared_server().url()).unwrap();
    r.set::<_, _, ()>("script:watch:k", 4).unwrap();
    let multiply = r.register_script(MULTIPLY);
    let mut pipe = r.pipeline();
    pipe.watch("script:watch:k").unwrap();
    pipe.invoke_script(&multiply.key("script:watch:k").arg(3));
    let twelve: i64 = pipe.take_reply().unwrap();
    assert_eq!(twelve, 12);
    pipe.multi().set("script:watch:k", twelve);
    multiply.key("script:watch:k").arg(2).queue(&mut pipe);
    let (ok, product): (bool, i64) = pipe.query().unwrap();
    assert_eq!((ok, product), (true, 24));
}

const LIBRARY: &str = "#!lua name=e2lib
redis.register_function('e2_echo', function(keys, args) return args[1] end)
redis.register_function{
  function_name = 'e2_get',
  callback = function(keys, args) return redis.call('GET', keys[1]) end,
  flags = { 'no-writes' },
}";

#[test]
fn functions_load_call_and_list() {
    let server = RedisServer::start().unwrap();
    let r = Client::open(server.url()).unwrap();
    assert_eq!(r.load_function(LIBRARY).unwrap(), "e2lib");
    // Loading it again fails; REPLACE works.
    assert!(matches!(r.load_function(LIBRARY), Err(Error::Server(_))));
    assert_eq!(r.load_function_replace(LIBRARY).unwrap(), "e2lib");

    let echoed: String = r.call_function("e2_echo", [""; 0], "hello").unwrap();
    assert_eq!(echoed, "hello");
    r.set::<_, _, ()>("fk", "fv").unwrap();
    let got: String = r.call_function_ro("e2_get", "fk", [""; 0]).unwrap();
    assert_eq!(got, "fv");
    let got: Option<String> = r.call_function("e2_get", ["missing"], [""; 0]).unwrap();
    assert_eq!(got, None);
    // FCALL_RO refuses a function without no-writes.
    let err = r
        .call_function_ro::<String>("e2_echo", [""; 0], "x")
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");

    let libraries = r.list_functions(None, false).unwrap();
    assert_eq!(libraries.len(), 1);
    let lib = &libraries[0];
    assert_eq!((lib.name.as_str(), lib.engine.as_str()), ("e2lib", "LUA"));
    assert_eq!(lib.code, None);
    let mut names: Vec<&str> = lib.functions.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["e2_echo", "e2_get"]);
    let get = lib.functions.iter().find(|f| f.name == "e2_get").unwrap();
    assert!(get.has_flag("no-writes"));

    let with_code = r.list_functions(Some("e2*"), true).unwrap();
    assert_eq!(with_code.len(), 1);
    assert_eq!(with_code[0].code.as_deref(), Some(LIBRARY));
    assert!(r
        .list_functions(Some("nomatch*"), false)
        .unwrap()
        .is_empty());
}

/// A server restarted under the client forgets its scripts: the next call reconnects and
/// loads the script again.
#[test]
fn script_is_loaded_again_after_a_server_restart() {
    let mut server = RedisServer::start().unwrap();
    let r = Client::open(server.url()).unwrap();
    let multiply = r.register_script(MULTIPLY);
    r.set::<_, _, ()>("foo", 6).unwrap();
    assert_eq!(multiply.key("foo").arg(7).run::<i64>().unwrap(), 42);
    server.restart().unwrap();
    assert!(!script_exists(&r, multiply.sha()));
    r.set::<_, _, ()>("foo", 2).unwrap();
    assert_eq!(multiply.key("foo").arg(7).run::<i64>().unwrap(), 14);
    server.restart().unwrap();
    let mut pipe = r.pipeline();
    pipe.set("foo", 3);
    multiply.key("foo").arg(7).queue(&mut pipe);
    let (ok, product): (bool, i64) = pipe.query().unwrap();
    assert_eq!((ok, product), (true, 21));
    // Explicit load.
    r.script_flush::<()>().unwrap();
    assert_eq!(multiply.load(&r).unwrap(), multiply.sha());
    assert!(script_exists(&r, multiply.sha()));
}
