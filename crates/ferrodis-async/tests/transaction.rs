//! WATCH transactions against a real server, on tokio and on async-std: redis-py's and
//! aredis's retry loop and `transaction()` helper, nil EXEC, UNWATCH on reset, what a
//! dropped watching pipeline does, immediate mode, and the helper in spawned tasks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::future::Future;
use std::time::Duration;

use ferrodis_async::pipeline::Pipeline;
use ferrodis_async::{AsyncCommands, Client, PipelineCommands};
use ferrodis_commands::{Cmd, Error, Value};
use ferrodis_tests::{shared_server, RedisServer};
use futures_util::future::join_all;

/// A client with a pool of one connection, so that the next borrower gets the very
/// connection the last one returned.
fn single_connection_client() -> Client {
    Client::builder(shared_server().url())
        .max_size(1)
        .pool_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

/// The id of the connection a fresh borrow gets (returned to the pool afterwards).
async fn pooled_id(client: &Client) -> i64 {
    let mut conn = client.get_connection().await.unwrap();
    conn.query(&Cmd::new("CLIENT").arg("ID")).await.unwrap()
}

/// Runs `future` in a task of the current runtime: it must be `Send + 'static`.
async fn spawn<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> T {
    if common::runtime_name() == "tokio" {
        tokio::spawn(future).await.unwrap()
    } else {
        async_std::task::spawn(future).await
    }
}

async fn kill(killer: &Client, id: i64) -> Result<(), Error> {
    killer
        .cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(id)
        .query::<()>()
        .await
}

runtime_tests! {
    /// aredis's WATCH/MULTI loop: a client-side INCR of `OUR-SEQUENCE-KEY`, raced by
    /// another client on the first attempt, fails with a Watch error and succeeds on
    /// retry; `reset` in the end, as the docs say.
    async fn watch_multi_retry_loop_aredis_example() {
        let key = common::key("tx:loop:OUR-SEQUENCE-KEY");
        let r = common::client().await;
        let other = common::client().await;
        r.set::<_, _, ()>(&key, 10).await.unwrap();

        let mut pipe = r.pipeline();
        let mut attempts = 0;
        let mut watch_errors = 0;
        loop {
            attempts += 1;
            // Put a WATCH on the key that holds our sequence value.
            pipe.watch(&key).await.unwrap();
            assert!(pipe.is_watching() && pipe.is_immediate());
            // Immediate mode: the value comes back at once.
            let current_value: String = pipe.now().get(&key).await.unwrap();
            let next_value = current_value.parse::<i64>().unwrap() + 1;
            if attempts == 1 {
                // Another client changes the key between WATCH and EXEC.
                other.set::<_, _, ()>(&key, 100).await.unwrap();
            }
            // Back to buffered mode with MULTI.
            pipe.multi();
            assert!(!pipe.is_immediate());
            pipe.set(&key, next_value);
            match pipe.execute().await {
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
        pipe.reset().await.unwrap();
        assert_eq!((attempts, watch_errors), (2, 1));
        let value: i64 = r.get(&key).await.unwrap();
        assert_eq!(value, 101);
        assert!(!pipe.is_watching());
    }

    async fn nil_exec_is_a_watch_error() {
        let key = common::key("tx:nil:k");
        for r in [common::client().await, common::client_resp2().await] {
            r.set::<_, _, ()>(&key, "before").await.unwrap();
            let mut pipe = r.pipeline();
            pipe.watch(&key).await.unwrap();
            r.set::<_, _, ()>(&key, "changed").await.unwrap();
            pipe.multi().set(&key, "mine").get(&key);
            let err = pipe.execute().await.unwrap_err();
            assert!(matches!(err, Error::Watch), "{err:?}");
            assert!(err.to_string().contains("WATCH"), "{err}");
            let v: String = r.get(&key).await.unwrap();
            assert_eq!(v, "changed");
            // The pipeline is reset and can run again.
            assert!(!pipe.is_watching() && pipe.is_empty());
            let (v,): (String,) = pipe.get(&key).query().await.unwrap();
            assert_eq!(v, "changed");
        }
    }

    /// aredis's `await r.transaction(client_side_incr, 'OUR-SEQUENCE-KEY')` returning
    /// `[True]`.
    async fn transaction_helper_aredis_example() {
        let key = common::key("tx:aredis:OUR-SEQUENCE-KEY");
        let r = common::client().await;
        r.set::<_, _, ()>(&key, 41).await.unwrap();
        let client_side_incr = async |pipe: &mut Pipeline<'_>| {
            let current_value: String = pipe.now().get(&key).await?;
            let next_value = current_value.parse::<i64>().unwrap() + 1;
            pipe.multi();
            pipe.set(&key, next_value);
            pipe.execute().await
        };
        let results = r.transaction(&key, client_side_incr).await.unwrap();
        assert_eq!(results, vec![Value::SimpleString("OK".into())]);
        let (ok,): (bool,) = r
            .transaction(&key, async |pipe: &mut Pipeline<'_>| {
                let current: i64 = pipe.now().get(&key).await?;
                pipe.multi().set(&key, current + 1);
                pipe.query().await
            })
            .await
            .unwrap();
        assert!(ok, "[True]");
        let value: i64 = r.get(&key).await.unwrap();
        assert_eq!(value, 43);
    }

    /// Concurrent writers force retries; the closure's state (`attempts`) lives across
    /// them.
    async fn transaction_helper_retries_on_concurrent_writes() {
        let key = common::key("tx:helper:OUR-SEQUENCE-KEY");
        let r = common::client().await;
        let writer = common::client().await;
        r.set::<_, _, ()>(&key, 0).await.unwrap();
        let mut attempts = 0;
        let results: Vec<Value> = r
            .transaction(&key, async |pipe: &mut Pipeline<'_>| {
                attempts += 1;
                let current: i64 = pipe.now().get(&key).await?;
                if attempts <= 2 {
                    // A concurrent writer, twice.
                    writer.incr::<_, i64>(&key).await?;
                }
                pipe.multi();
                pipe.set(&key, current + 1);
                pipe.execute().await
            })
            .await
            .unwrap();
        assert_eq!(results, vec![Value::SimpleString("OK".into())]);
        assert_eq!(attempts, 3);
        let value: i64 = r.get(&key).await.unwrap();
        // 0, +1 and +1 by the writer, then the transaction's +1.
        assert_eq!(value, 3);
    }

    /// Tasks racing with client-side INCRs through `transaction()`: no increment is lost.
    async fn transaction_helper_is_atomic_under_contention() {
        let key = common::key("tx:race:counter");
        let r = common::client().await;
        r.set::<_, _, ()>(&key, 0).await.unwrap();
        let tasks = (0..4).map(|_| {
            let r = r.clone();
            let key = key.clone();
            spawn(async move {
                for _ in 0..25 {
                    // In a spawned task: an `async move` closure owning what it uses
                    // (see `Client::transaction`).
                    let k = key.clone();
                    let (ok,): (bool,) = r
                        .transaction(&key, async move |pipe: &mut Pipeline<'_>| {
                            let current: i64 = pipe.now().get(&k).await?;
                            pipe.multi().set(&k, current + 1);
                            pipe.query().await
                        })
                        .await
                        .unwrap();
                    assert!(ok);
                }
            })
        });
        join_all(tasks).await;
        let value: i64 = r.get(&key).await.unwrap();
        assert_eq!(value, 100);
    }

    /// `client.transaction(..)` in a spawned task: its future is `Send`.
    async fn transaction_helper_runs_in_a_spawned_task() {
        let key = common::key("tx:spawned:k");
        let r = common::client().await;
        r.set::<_, _, ()>(&key, 1).await.unwrap();
        let task = {
            let r = r.clone();
            let key = key.clone();
            spawn(async move {
                let k = key.clone();
                r.transaction(&key, async move |pipe: &mut Pipeline<'_>| {
                    let current: i64 = pipe.now().get(&k).await?;
                    pipe.multi().set(&k, current * 10);
                    Ok(current * 10)
                })
                .await
            })
        };
        assert_eq!(task.await.unwrap(), 10);
        let v: i64 = r.get(&key).await.unwrap();
        assert_eq!(v, 10);
    }

    /// The closure may leave its writes queued: the helper executes them, and returns
    /// the closure's value.
    async fn transaction_helper_executes_what_the_closure_queued() {
        let key = common::key("tx:queued:k");
        let r = common::client().await;
        r.set::<_, _, ()>(&key, 20).await.unwrap();
        let doubled: i64 = r
            .transaction([&key], async |pipe: &mut Pipeline<'_>| {
                let current: i64 = pipe.now().get(&key).await?;
                pipe.multi().set(&key, current * 2);
                Ok(current * 2)
            })
            .await
            .unwrap();
        assert_eq!(doubled, 40);
        let v: i64 = r.get(&key).await.unwrap();
        assert_eq!(v, 40);
    }

    async fn transaction_with_retries_gives_up_with_watch_error() {
        let key = common::key("tx:giveup:k");
        let r = common::client().await;
        let writer = common::client().await;
        r.set::<_, _, ()>(&key, 0).await.unwrap();
        let mut attempts = 0;
        let result: Result<Vec<Value>, Error> = r
            .transaction_with_retries(&key, 2, async |pipe: &mut Pipeline<'_>| {
                attempts += 1;
                let _: i64 = pipe.now().get(&key).await?;
                writer.incr::<_, i64>(&key).await?;
                pipe.multi().incr(&key);
                pipe.execute().await
            })
            .await;
        assert!(matches!(result, Err(Error::Watch)), "{result:?}");
        assert_eq!(attempts, 3, "one attempt and two retries");
        let v: i64 = r.get(&key).await.unwrap();
        assert_eq!(v, 3, "only the writer's increments");
    }

    async fn transaction_helper_returns_other_errors_at_once() {
        let key = common::key("tx:othererr:k");
        let r = common::client().await;
        let mut attempts = 0;
        let result: Result<(), Error> = r
            .transaction(&key, async |pipe: &mut Pipeline<'_>| {
                attempts += 1;
                pipe.multi().add_cmd(Cmd::new("SET").arg(&key));
                pipe.execute().await.map(drop)
            })
            .await;
        assert!(matches!(result, Err(Error::ExecAbort { .. })), "{result:?}");
        assert_eq!(attempts, 1);
    }

    async fn transaction_helper_without_keys_does_not_watch() {
        let key = common::key("tx:nokeys:n");
        let r = common::client().await;
        let (a, b): (i64, i64) = r
            .transaction([""; 0], async |pipe: &mut Pipeline<'_>| {
                assert!(!pipe.is_watching());
                pipe.incr(&key).incr(&key);
                pipe.query().await
            })
            .await
            .unwrap();
        assert_eq!(b, a + 1);
        // Without WATCH, it ran over the shared connection.
        assert_eq!(r.pool_status().open, 0);
    }

    /// Dropping a watching pipeline cannot send UNWATCH (a destructor cannot wait): its
    /// connection is closed instead, so no stale watch reaches the next borrower.
    async fn dropping_a_watching_pipeline_closes_its_connection() {
        let key = common::key("tx:dropunwatch:watched");
        let r = single_connection_client();
        let other = common::client().await;
        let id_before = pooled_id(&r).await;

        let mut pipe = r.pipeline();
        pipe.watch(&key).await.unwrap();
        drop(pipe);
        assert_eq!(r.pool_status().open, 0, "closed, not returned");
        // The watched key changes after the drop.
        other.set::<_, _, ()>(&key, "changed").await.unwrap();

        // A new connection (the pool holds one); a WATCH transaction on another key is
        // not aborted by the old watch.
        let mut pipe = r.pipeline();
        pipe.watch(common::key("tx:dropunwatch:other")).await.unwrap();
        let id_in_pipe: i64 = pipe.now().client_id().await.unwrap();
        assert_ne!(id_in_pipe, id_before);
        let (ok,): (bool,) = pipe
            .multi()
            .set(common::key("tx:dropunwatch:other"), 1)
            .query()
            .await
            .unwrap();
        assert!(ok, "EXEC must not be aborted by a stale WATCH");
        assert_eq!(pooled_id(&r).await, id_in_pipe, "returned after EXEC");
    }

    /// `reset()` sends UNWATCH, and the pinned connection is back in the pool after it.
    async fn reset_unwatches_and_returns_the_connection() {
        let key = common::key("tx:resetunwatch:watched");
        let r = single_connection_client();
        let other = common::client().await;
        let id_before = pooled_id(&r).await;

        let mut pipe = r.pipeline();
        pipe.watch(&key).await.unwrap();
        // While watching, the pipeline holds the only connection.
        let busy = r.get_connection().await;
        assert!(matches!(busy, Err(Error::Pool { size: 1, .. })), "{busy:?}");
        pipe.reset().await.unwrap();
        assert!(!pipe.is_watching());
        other.set::<_, _, ()>(&key, "changed").await.unwrap();

        assert_eq!(pooled_id(&r).await, id_before);
        // The same connection, watching something else: the old watch is gone.
        pipe.watch(common::key("tx:resetunwatch:other")).await.unwrap();
        let id: i64 = pipe.now().client_id().await.unwrap();
        assert_eq!(id, id_before);
        pipe.multi().set(common::key("tx:resetunwatch:other"), 1);
        assert_eq!(
            pipe.execute().await.unwrap(),
            vec![Value::SimpleString("OK".into())]
        );
    }

    /// After a successful EXEC the connection is not watching any more either.
    async fn exec_clears_the_watch_before_the_connection_is_reused() {
        let key = common::key("tx:execclears:watched");
        let other_key = common::key("tx:execclears:other");
        let r = single_connection_client();
        let other = common::client().await;
        let mut pipe = r.pipeline();
        pipe.watch(&key).await.unwrap();
        pipe.multi().set(&key, 1);
        pipe.execute().await.unwrap();
        assert_eq!(r.pool_status().idle, 1, "returned after EXEC");
        other.set::<_, _, ()>(&key, 2).await.unwrap();
        pipe.watch(&other_key).await.unwrap();
        let (ok,): (bool,) = pipe.multi().set(&other_key, 1).query().await.unwrap();
        assert!(ok);
    }

    /// In immediate mode, chaining methods are sent with the next awaited call and keep
    /// their replies.
    async fn immediate_mode_chaining_keeps_replies() {
        let key = common::key("tx:immediate:k");
        let r = common::client().await;
        r.set::<_, _, ()>(&key, "v1").await.unwrap();
        let mut pipe = r.pipeline();
        pipe.watch(&key).await.unwrap().get(&key).strlen(&key).incr(&key).echo("dropped").ignore();
        assert!(pipe.is_empty(), "nothing buffered in immediate mode");
        let v: String = pipe.take_reply().await.unwrap();
        let len: i64 = pipe.take_reply().await.unwrap();
        assert_eq!((v.as_str(), len), ("v1", 2));
        let incr = pipe.take_reply::<i64>().await;
        assert!(matches!(incr, Err(Error::Server(_))), "{incr:?}");
        assert!(matches!(
            pipe.take_reply::<Value>().await,
            Err(Error::Conversion { .. })
        ));
        let n: i64 = pipe.query_now(Cmd::new("STRLEN").arg(&key)).await.unwrap();
        assert_eq!(n, 2);
        // A chaining method's command runs before the transaction that follows it (on
        // another key: a write to a watched key, even from this connection, aborts EXEC).
        let other = common::key("tx:immediate:other");
        r.set::<_, _, ()>(&other, "o").await.unwrap();
        pipe.append(&other, "+");
        pipe.multi().get(&other).set(&key, "v2");
        assert_eq!(pipe.len(), 2);
        let (appended, ok): (String, bool) = pipe.query().await.unwrap();
        assert_eq!(appended, "o+");
        assert!(ok);
        let v: String = r.get(&key).await.unwrap();
        assert_eq!(v, "v2");
    }

    /// Several `now()` calls at once on one handle run one after the other.
    async fn immediate_handle_serialises_concurrent_calls() {
        let (a, b) = (common::key("tx:nowjoin:a"), common::key("tx:nowjoin:b"));
        let r = common::client().await;
        r.set::<_, _, ()>(&a, "A").await.unwrap();
        r.set::<_, _, ()>(&b, "B").await.unwrap();
        let mut pipe = r.pipeline();
        pipe.watch([&a, &b]).await.unwrap();
        let now = pipe.now();
        let (x, y): (Result<String, Error>, Result<String, Error>) =
            futures_util::join!(now.get(&a), now.get(&b));
        assert_eq!((x.unwrap().as_str(), y.unwrap().as_str()), ("A", "B"));
        drop(now);
        pipe.reset().await.unwrap();
    }

    /// Watching more keys, and a change to any one of them aborts.
    async fn watch_several_keys() {
        let r = common::client().await;
        let keys = [
            common::key("tx:several:a"),
            common::key("tx:several:b"),
            common::key("tx:several:c"),
            common::key("tx:several:d"),
        ];
        let mut pipe = r.pipeline();
        pipe.watch([&keys[0], &keys[1]]).await.unwrap();
        pipe.watch(&keys[2]).await.unwrap();
        r.set::<_, _, ()>(&keys[2], 1).await.unwrap();
        pipe.multi().set(&keys[3], 1);
        assert!(matches!(pipe.execute().await, Err(Error::Watch)));
    }

    /// The pinned connection is killed while watching: the immediate command fails, and
    /// `execute` reports a Watch error (the watch is lost) without sending anything.
    async fn lost_pinned_connection_is_a_watch_error() {
        let key = common::key("tx:killed:k");
        let r = common::client().await;
        let killer = common::client().await;
        r.set::<_, _, ()>(&key, "before").await.unwrap();
        let mut pipe = r.pipeline();
        pipe.watch(&key).await.unwrap();
        let id: i64 = pipe.now().client_id().await.unwrap();
        kill(&killer, id).await.unwrap();
        let read = pipe.now().get::<_, Option<String>>(&key).await;
        assert!(matches!(&read, Err(e) if e.is_connection_dropped()), "{read:?}");
        pipe.multi().set(&key, "mine");
        assert!(matches!(pipe.execute().await, Err(Error::Watch)));
        let v: String = r.get(&key).await.unwrap();
        assert_eq!(v, "before");
        // The pipeline works again.
        let (ok,): (bool,) = pipe.set(&key, "after").query().await.unwrap();
        assert!(ok);
    }

    /// The transaction helper tries again, once, when the connection drops before EXEC.
    async fn transaction_helper_retries_after_a_dropped_connection() {
        let key = common::key("tx:dropretry:k");
        let r = common::client().await;
        let killer = common::client().await;
        r.set::<_, _, ()>(&key, 1).await.unwrap();
        let mut attempts = 0;
        let (ok,): (bool,) = r
            .transaction(&key, async |pipe: &mut Pipeline<'_>| {
                attempts += 1;
                if attempts == 1 {
                    let id: i64 = pipe.now().client_id().await?;
                    kill(&killer, id).await?;
                }
                let current: i64 = pipe.now().get(&key).await?;
                pipe.multi().set(&key, current + 1);
                pipe.query().await
            })
            .await
            .unwrap();
        assert!(ok);
        assert_eq!(attempts, 2);
        let v: i64 = r.get(&key).await.unwrap();
        assert_eq!(v, 2);

        // Twice in a row: the error is returned.
        let mut attempts = 0;
        let result: Result<(), Error> = r
            .transaction(&key, async |pipe: &mut Pipeline<'_>| {
                attempts += 1;
                let id: i64 = pipe.now().client_id().await?;
                kill(&killer, id).await?;
                pipe.now().get::<_, i64>(&key).await.map(drop)
            })
            .await;
        assert!(matches!(&result, Err(e) if e.is_connection_dropped()), "{result:?}");
        assert_eq!(attempts, 2);
    }

    /// A server restarted under the client: pipelines and transactions go on, on new
    /// connections.
    async fn pipelines_and_transactions_survive_a_server_restart() {
        let mut server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        let (n,): (i64,) = r.pipeline().incr("n").query().await.unwrap();
        assert_eq!(n, 1);
        // A pooled connection too, idle in the pool during the restart.
        let (ok,): (bool,) = r
            .transaction("m", async |pipe: &mut Pipeline<'_>| {
                pipe.multi().set("m", 1);
                pipe.query().await
            })
            .await
            .unwrap();
        assert!(ok);
        server.restart().unwrap();
        // Persistence is off: the key is gone.
        let (n, m): (i64, i64) = r.pipeline().incr("n").incr("n").query().await.unwrap();
        assert_eq!((n, m), (1, 2));
        server.restart().unwrap();
        let mut plain = r.plain_pipeline();
        let (n,): (i64,) = plain.incr("n").query().await.unwrap();
        assert_eq!(n, 1);
        server.restart().unwrap();
        let (ok,): (bool,) = r
            .transaction("n", async |pipe: &mut Pipeline<'_>| {
                let n: Option<i64> = pipe.now().get("n").await?;
                pipe.multi().set("n", n.unwrap_or(0) + 10);
                pipe.query().await
            })
            .await
            .unwrap();
        assert!(ok);
        let v: i64 = r.get("n").await.unwrap();
        assert_eq!(v, 10);
    }
}
