//! WATCH transactions against a real server: redis-py's retry loop and `transaction()`
//! helper, nil EXEC, UNWATCH on drop and reset, immediate mode.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ferrodis_blocking::Client;
use ferrodis_commands::{Cmd, Commands, Error, PipelineCommands, Value};
use ferrodis_tests::shared_server;

fn client() -> Client {
    Client::open(shared_server().url()).unwrap()
}

/// A client with a pool of one connection, so that the next user gets the very connection
/// the last one returned.
fn single_connection_client() -> Client {
    Client::builder(shared_server().url())
        .max_size(1)
        .pool_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

/// redis-py's WATCH/MULTI loop: a client-side INCR of `OUR-SEQUENCE-KEY`, raced by
/// another client on the first attempt, fails with a Watch error and succeeds on retry.
#[test]
fn watch_multi_retry_loop_redis_py_example() {
    const KEY: &str = "tx:loop:OUR-SEQUENCE-KEY";
    let r = client();
    let other = client();
    r.set::<_, _, ()>(KEY, 10).unwrap();

    let mut pipe = r.pipeline();
    let mut attempts = 0;
    let mut watch_errors = 0;
    loop {
        attempts += 1;
        pipe.watch(KEY).unwrap();
        assert!(pipe.is_watching() && pipe.is_immediate());
        // Immediate mode: the value comes back at once.
        let current: i64 = pipe.now().get(KEY).unwrap();
        let next_value = current + 1;
        if attempts == 1 {
            // Another client changes the key between WATCH and EXEC.
            other.set::<_, _, ()>(KEY, 100).unwrap();
        }
        pipe.multi();
        assert!(!pipe.is_immediate());
        pipe.set(KEY, next_value);
        match pipe.execute() {
            Ok(results) => {
                assert_eq!(results, vec![Value::SimpleString("OK".into())]);
                break;
            }
            Err(Error::Watch) => {
                watch_errors += 1;
                continue;
            }
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!((attempts, watch_errors), (2, 1));
    let value: i64 = r.get(KEY).unwrap();
    assert_eq!(value, 101);
    assert!(!pipe.is_watching());
}

#[test]
fn nil_exec_is_a_watch_error() {
    const KEY: &str = "tx:nil:k";
    let resp2 = Client::open(format!("{}?protocol=resp2", shared_server().url())).unwrap();
    for r in [client(), resp2] {
        r.set::<_, _, ()>(KEY, "before").unwrap();
        let mut pipe = r.pipeline();
        pipe.watch(KEY).unwrap();
        r.set::<_, _, ()>(KEY, "changed").unwrap();
        pipe.multi().set(KEY, "mine").get(KEY);
        let err = pipe.execute().unwrap_err();
        assert!(matches!(err, Error::Watch), "{err:?}");
        assert!(err.to_string().contains("WATCH"), "{err}");
        let v: String = r.get(KEY).unwrap();
        assert_eq!(v, "changed");
        // The pipeline is reset and can run again.
        assert!(!pipe.is_watching() && pipe.is_empty());
        let (v,): (String,) = pipe.get(KEY).query().unwrap();
        assert_eq!(v, "changed");
    }
}

/// redis-py's `r.transaction(client_side_incr, 'OUR-SEQUENCE-KEY')` returning `[True]`,
/// with a concurrent writer forcing retries.
#[test]
fn transaction_helper_retries_on_concurrent_writes() {
    const KEY: &str = "tx:helper:OUR-SEQUENCE-KEY";
    let r = client();
    let writer = client();
    r.set::<_, _, ()>(KEY, 0).unwrap();
    let mut attempts = 0;
    let results: Vec<Value> = r
        .transaction(KEY, |pipe| {
            attempts += 1;
            let current: i64 = pipe.now().get(KEY)?;
            if attempts <= 2 {
                // A concurrent writer, twice.
                writer.incr::<_, i64>(KEY)?;
            }
            pipe.multi();
            pipe.set(KEY, current + 1);
            pipe.execute()
        })
        .unwrap();
    assert_eq!(results, vec![Value::SimpleString("OK".into())]);
    assert_eq!(attempts, 3);
    let value: i64 = r.get(KEY).unwrap();
    // 0, +1 and +1 by the writer, then the transaction's +1.
    assert_eq!(value, 3);
}

/// Threads racing with client-side INCRs through `transaction()`: no increment is lost.
#[test]
fn transaction_helper_is_atomic_under_contention() {
    const KEY: &str = "tx:race:counter";
    let r = client();
    r.set::<_, _, ()>(KEY, 0).unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let r = r.clone();
            std::thread::spawn(move || {
                for _ in 0..25 {
                    let (ok,): (bool,) = r
                        .transaction(KEY, |pipe| {
                            let current: i64 = pipe.now().get(KEY)?;
                            pipe.multi().set(KEY, current + 1);
                            pipe.query()
                        })
                        .unwrap();
                    assert!(ok);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let value: i64 = r.get(KEY).unwrap();
    assert_eq!(value, 100);
}

/// The closure may leave its writes queued: the helper executes them, and returns the
/// closure's value.
#[test]
fn transaction_helper_executes_what_the_closure_queued() {
    const KEY: &str = "tx:queued:k";
    let r = client();
    r.set::<_, _, ()>(KEY, 20).unwrap();
    let doubled: i64 = r
        .transaction([KEY], |pipe| {
            let current: i64 = pipe.now().get(KEY)?;
            pipe.multi().set(KEY, current * 2);
            Ok(current * 2)
        })
        .unwrap();
    assert_eq!(doubled, 40);
    let v: i64 = r.get(KEY).unwrap();
    assert_eq!(v, 40);
}

#[test]
fn transaction_with_retries_gives_up_with_watch_error() {
    const KEY: &str = "tx:giveup:k";
    let r = client();
    let writer = client();
    r.set::<_, _, ()>(KEY, 0).unwrap();
    let mut attempts = 0;
    let result: Result<Vec<Value>, Error> = r.transaction_with_retries(KEY, 2, |pipe| {
        attempts += 1;
        let _: i64 = pipe.now().get(KEY)?;
        writer.incr::<_, i64>(KEY)?;
        pipe.multi().incr(KEY);
        pipe.execute()
    });
    assert!(matches!(result, Err(Error::Watch)), "{result:?}");
    assert_eq!(attempts, 3, "one attempt and two retries");
    let v: i64 = r.get(KEY).unwrap();
    assert_eq!(v, 3, "only the writer's increments");
}

#[test]
fn transaction_helper_returns_other_errors_at_once() {
    let r = client();
    let mut attempts = 0;
    let result: Result<(), Error> = r.transaction("tx:othererr:k", |pipe| {
        attempts += 1;
        pipe.multi().add_cmd(Cmd::new("SET").arg("tx:othererr:k"));
        pipe.execute().map(drop)
    });
    assert!(matches!(result, Err(Error::ExecAbort { .. })), "{result:?}");
    assert_eq!(attempts, 1);
}

#[test]
fn transaction_helper_without_keys_does_not_watch() {
    let r = client();
    let (a, b): (i64, i64) = r
        .transaction([""; 0], |pipe| {
            assert!(!pipe.is_watching());
            pipe.incr("tx:nokeys:n").incr("tx:nokeys:n");
            pipe.query()
        })
        .unwrap();
    assert_eq!(b, a + 1);
}

/// Dropping a watching pipeline sends UNWATCH before its connection goes back to the pool:
/// the next transaction on that very connection is not aborted by the old watch.
#[test]
fn dropping_a_watching_pipeline_unwatches_its_connection() {
    const KEY: &str = "tx:dropunwatch:watched";
    let r = single_connection_client();
    let other = client();
    let id_before: i64 = r.client_id().unwrap();

    let mut pipe = r.pipeline();
    pipe.watch(KEY).unwrap();
    drop(pipe);
    // The watched key changes after the drop.
    other.set::<_, _, ()>(KEY, "changed").unwrap();

    // Same connection (the pool holds one), a transaction without WATCH.
    let mut pipe = r.pipeline();
    let id_in_pipe: i64 = pipe.now().client_id().unwrap();
    assert_eq!(id_in_pipe, id_before, "the connection was reused");
    let (ok,): (bool,) = pipe.set("tx:dropunwatch:other", 1).query().unwrap();
    assert!(ok, "EXEC must not be aborted by a stale WATCH");
    let id_after: i64 = r.client_id().unwrap();
    assert_eq!(id_after, id_before);
}

/// The same through `reset()`, and the pinned connection is back in the pool after it.
#[test]
fn reset_unwatches_and_returns_the_connection() {
    const KEY: &str = "tx:resetunwatch:watched";
    let r = single_connection_client();
    let other = client();
    let id_before: i64 = r.client_id().unwrap();

    let mut pipe = r.pipeline();
    pipe.watch(KEY).unwrap();
    // While watching, the pipeline holds the only connection.
    let busy = r.get::<_, Option<String>>(KEY);
    assert!(matches!(busy, Err(Error::Pool { size: 1, .. })), "{busy:?}");
    pipe.reset().unwrap();
    assert!(!pipe.is_watching());
    other.set::<_, _, ()>(KEY, "changed").unwrap();

    let id: i64 = r.client_id().unwrap();
    assert_eq!(id, id_before);
    pipe.multi().set("tx:resetunwatch:other", 1);
    assert_eq!(
        pipe.execute().unwrap(),
        vec![Value::SimpleString("OK".into())]
    );
}

/// After a successful EXEC the connection is not watching any more either.
#[test]
fn exec_clears_the_watch_before_the_connection_is_reused() {
    const KEY: &str = "tx:execclears:watched";
    let r = single_connection_client();
    let other = client();
    let mut pipe = r.pipeline();
    pipe.watch(KEY).unwrap();
    pipe.multi().set(KEY, 1);
    pipe.execute().unwrap();
    other.set::<_, _, ()>(KEY, 2).unwrap();
    let (ok,): (bool,) = pipe.set("tx:execclears:other", 1).query().unwrap();
    assert!(ok);
}

/// In immediate mode, chaining methods run at once and keep their replies.
#[test]
fn immediate_mode_chaining_keeps_replies() {
    const KEY: &str = "tx:immediate:k";
    let r = client();
    r.set::<_, _, ()>(KEY, "v1").unwrap();
    let mut pipe = r.pipeline();
    pipe.watch(KEY).unwrap().get(KEY).strlen(KEY).incr(KEY);
    assert!(pipe.is_empty(), "nothing buffered in immediate mode");
    let v: String = pipe.take_reply().unwrap();
    let len: i64 = pipe.take_reply().unwrap();
    assert_eq!((v.as_str(), len), ("v1", 2));
    let incr = pipe.take_reply::<i64>();
    assert!(matches!(incr, Err(Error::Server(_))), "{incr:?}");
    assert!(matches!(
        pipe.take_reply::<Value>(),
        Err(Error::Conversion { .. })
    ));
    let n: i64 = pipe.query_now(Cmd::new("STRLEN").arg(KEY)).unwrap();
    assert_eq!(n, 2);
    pipe.multi().set(KEY, "v2");
    assert_eq!(pipe.len(), 1);
    pipe.execute().unwrap();
    let v: String = r.get(KEY).unwrap();
    assert_eq!(v, "v2");
}

/// Watching more keys, and a change to any one of them aborts.
#[test]
fn watch_several_keys() {
    let r = client();
    let mut pipe = r.pipeline();
    pipe.watch(["tx:several:a", "tx:several:b"]).unwrap();
    pipe.watch("tx:several:c").unwrap();
    r.set::<_, _, ()>("tx:several:c", 1).unwrap();
    pipe.multi().set("tx:several:d", 1);
    assert!(matches!(pipe.execute(), Err(Error::Watch)));
}

/// The pinned connection is killed while watching: the immediate command fails, and
/// `execute` reports a Watch error (the watch is lost) without sending anything.
#[test]
fn lost_pinned_connection_is_a_watch_error() {
    const KEY: &str = "tx:killed:k";
    let r = client();
    let killer = client();
    r.set::<_, _, ()>(KEY, "before").unwrap();
    let mut pipe = r.pipeline();
    pipe.watch(KEY).unwrap();
    let id: i64 = pipe.now().client_id().unwrap();
    killer
        .cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(id)
        .query::<()>()
        .unwrap();
    let read = pipe.now().get::<_, Option<String>>(KEY);
    assert!(
        matches!(&read, Err(e) if e.is_connection_dropped()),
        "{read:?}"
    );
    pipe.multi().set(KEY, "mine");
    assert!(matches!(pipe.execute(), Err(Error::Watch)));
    let v: String = r.get(KEY).unwrap();
    assert_eq!(v, "before");
    // The pipeline works again, on another connection.
    let (ok,): (bool,) = pipe.set(KEY, "after").query().unwrap();
    assert!(ok);
}

/// The transaction helper tries again, once, when the connection drops before EXEC.
#[test]
fn transaction_helper_retries_after_a_dropped_connection() {
    const KEY: &str = "tx:dropretry:k";
    let r = client();
    let killer = client();
    r.set::<_, _, ()>(KEY, 1).unwrap();
    let mut attempts = 0;
    let (ok,): (bool,) = r
        .transaction(KEY, |pipe| {
            attempts += 1;
            if attempts == 1 {
                let id: i64 = pipe.now().client_id()?;
                killer
                    .cmd("CLIENT")
                    .arg("KILL")
                    .arg("ID")
                    .arg(id)
                    .query::<()>()?;
            }
            let current: i64 = pipe.now().get(KEY)?;
            pipe.multi().set(KEY, current + 1);
            pipe.query()
        })
        .unwrap();
    assert!(ok);
    assert_eq!(attempts, 2);
    let v: i64 = r.get(KEY).unwrap();
    assert_eq!(v, 2);

    // Twice in a row: the error is returned.
    let mut attempts = 0;
    let result: Result<(), Error> = r.transaction(KEY, |pipe| {
        attempts += 1;
        let id: i64 = pipe.now().client_id()?;
        killer
            .cmd("CLIENT")
            .arg("KILL")
            .arg("ID")
            .arg(id)
            .query::<()>()?;
        pipe.now().get::<_, i64>(KEY).map(drop)
    });
    assert!(
        matches!(&result, Err(e) if e.is_connection_dropped()),
        "{result:?}"
    );
    assert_eq!(attempts, 2);
}

/// A server restarted under the client: pipelines and transactions go on, on new
/// connections.
#[test]
fn pipelines_and_transactions_survive_a_server_restart() {
    let mut server = ferrodis_tests::RedisServer::start().unwrap();
    let r = Client::open(server.url()).unwrap();
    let (n,): (i64,) = r.pipeline().incr("n").query().unwrap();
    assert_eq!(n, 1);
    server.restart().unwrap();
    // Persistence is off: the key is gone.
    let (n, m): (i64, i64) = r.pipeline().incr("n").incr("n").query().unwrap();
    assert_eq!((n, m), (1, 2));
    server.restart().unwrap();
    let mut plain = r.plain_pipeline();
    let (n,): (i64,) = plain.incr("n").query().unwrap();
    assert_eq!(n, 1);
    server.restart().unwrap();
    let (ok,): (bool,) = r
        .transaction("n", |pipe| {
            let n: Option<i64> = pipe.now().get("n")?;
            pipe.multi().set("n", n.unwrap_or(0) + 10);
            pipe.query()
        })
        .unwrap();
    assert!(ok);
    let v: i64 = r.get("n").unwrap();
    assert_eq!(v, 10);
}
