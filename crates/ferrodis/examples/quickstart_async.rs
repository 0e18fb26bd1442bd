//! Quickstart, async: aredis's getting-started in Rust, with the async client on tokio.
//!
//! The same walk as `quickstart.rs` (the blocking client), with `.await`, plus what only
//! an async client has:
//!
//! 1. set and get (the `AsyncCommands` trait, `cmd()`);
//! 2. automatic pipelining: many tasks share one `Client`, and their commands travel
//!    together over one connection; a `BLPOP` does not hold them up;
//! 3. a pipeline (a MULTI/EXEC transaction by default);
//! 4. a WATCH transaction with an async closure that is retried when the key changes;
//! 5. pub/sub: confirmations, a `Stream` of messages, and a handler run by a background
//!    task;
//! 6. a Lua script, called by SHA1 and loaded when the server does not know it;
//! 7. `scan_iter`: walking the keyspace as a `Stream`.
//!
//! Run it with `cargo xtask demo`, which starts a throwaway redis-server and sets
//! `FERRODIS_URL`; or against a server of your own:
//!
//! ```text
//! FERRODIS_URL=redis://127.0.0.1:6380 cargo run -p ferrodis --features tokio --example quickstart_async
//! ```
//!
//! It writes keys under `quickstart-async:` and deletes them when it ends.

use std::collections::BTreeSet;
use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrodis::aio::pipeline::Pipeline;
use ferrodis::aio::pubsub::PubSub;
use ferrodis::aio::{AsyncCommands, Client};
use ferrodis::commands::{Message, MessageKind, ScanOptions};
use ferrodis::{PipelineCommands, Value};
use futures_util::StreamExt;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

#[tokio::main]
async fn main() -> Result<()> {
    let Ok(url) = std::env::var("FERRODIS_URL") else {
        eprintln!(
            "This example talks to a Redis server and is meant to be run by `cargo xtask demo`,\n\
             which starts a throwaway redis-server for it. To use a server of your own, set\n\
             FERRODIS_URL=redis://host:port (it never assumes 6379: it writes keys)."
        );
        std::process::exit(2);
    };

    // aredis: client = StrictRedis(host='127.0.0.1', port=6379, db=0)
    let r = Client::open(url.as_str())?;
    println!("Client::open({url:?}): no connection yet; the first command opens it.");
    println!("It is Clone + Send + Sync: clone it into every task that needs Redis.");

    set_and_get(&r).await?;
    automatic_pipelining(&r).await?;
    pipeline(&r).await?;
    watch_transaction(&r).await?;
    pubsub(&r).await?;
    lua_script(&r).await?;
    scan(&r).await?;

    let mut keys: Vec<String> = Vec::new();
    let mut found =
        std::pin::pin!(r.scan_iter::<String>(ScanOptions::new().pattern("quickstart-async:*")));
    while let Some(key) = found.next().await {
        keys.push(key?);
    }
    let deleted: i64 = if keys.is_empty() {
        0
    } else {
        r.del(&keys).await?
    };
    println!("\nDone. Cleaned up {deleted} keys under quickstart-async:.");
    Ok(())
}

fn step(n: u32, title: &str) {
    println!("\n=== {n}. {title} ===\n");
}

fn show(code: &str, result: impl std::fmt::Debug) {
    println!("  {code}");
    println!("    -> {result:?}");
}

fn note(text: &str) {
    for line in text.lines() {
        println!("  # {line}");
    }
}

/// `await client.set('foo', 'bar')` / `await client.get('foo')`.
async fn set_and_get(r: &Client) -> Result<()> {
    step(1, "set and get");
    note(
        "The command methods come from the AsyncCommands trait: the blocking client's\n\
         methods, returning futures. The reply type you ask for decides the conversion.",
    );
    let ok: bool = r.set("quickstart-async:foo", "bar").await?;
    show(
        r#"let ok: bool = r.set("quickstart-async:foo", "bar").await?"#,
        ok,
    );
    let value: Option<Bytes> = r.get("quickstart-async:foo").await?;
    show(
        r#"let value: Option<Bytes> = r.get("quickstart-async:foo").await?"#,
        &value,
    );
    let text: Option<String> = r.get("quickstart-async:foo").await?;
    show(
        r#"let text: Option<String> = r.get("quickstart-async:foo").await?"#,
        &text,
    );
    // aredis's example: incr to 101, expire, ttl.
    let _: () = r.set("quickstart-async:counter", 100).await?;
    let n: i64 = r.incr("quickstart-async:counter").await?;
    show(
        r#"let n: i64 = r.incr("quickstart-async:counter").await?"#,
        n,
    );
    let _: bool = r.expire("quickstart-async:counter", 60).await?;
    let ttl: i64 = r.ttl("quickstart-async:counter").await?;
    show(
        r#"r.expire("quickstart-async:counter", 60).await?; r.ttl(..).await?"#,
        ttl,
    );
    note("An error reply is an Err, with the server's text; the client stays usable:");
    match r.incr::<_, i64>("quickstart-async:foo").await {
        Err(e) => show(
            r#"r.incr("quickstart-async:foo") on "bar""#,
            format!("Err: {e}"),
        ),
        Ok(n) => show(r#"r.incr("quickstart-async:foo") on "bar""#, n),
    }
    let pong: String = r.cmd("PING").arg("hello").query().await?;
    show(
        r#"let pong: String = r.cmd("PING").arg("hello").query().await?"#,
        pong,
    );
    Ok(())
}

/// 100 tasks, one `Client`, one connection; and a `BLPOP` that does not get in the way.
async fn automatic_pipelining(r: &Client) -> Result<()> {
    step(2, "automatic pipelining");
    note(
        "Ordinary commands share one multiplexed connection: the commands of every task\n\
         that is waiting are written together, and each reply goes back to its caller.\n\
         100 tasks, 100 INCRs each, on clones of one Client:",
    );
    let _: i64 = r.del("quickstart-async:hits").await?;
    let started = Instant::now();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let r = r.clone();
            tokio::spawn(async move {
                let id: i64 = r.client_id().await?;
                for _ in 0..100 {
                    let _: i64 = r.incr("quickstart-async:hits").await?;
                }
                Ok::<i64, ferrodis::Error>(id)
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for task in tasks {
        ids.insert(task.await??);
    }
    let hits: i64 = r.get("quickstart-async:hits").await?;
    show(
        "100 tasks x r.incr(\"quickstart-async:hits\").await?",
        format!(
            "{hits} after {:.0?}, over {} connection(s): CLIENT ID {ids:?}",
            started.elapsed(),
            ids.len()
        ),
    );

    note(
        "Commands that block on the server (BLPOP, XREAD BLOCK, WAIT, ...) take a pooled\n\
         connection of their own, so they never stall the shared one:",
    );
    let _: i64 = r.del("quickstart-async:queue").await?;
    let blpop = {
        let r = r.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let popped: Option<(String, String)> = r.blpop("quickstart-async:queue", 1).await?;
            Ok::<_, ferrodis::Error>((popped, started.elapsed()))
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    for _ in 0..10 {
        let _: Option<i64> = r.get("quickstart-async:hits").await?;
    }
    let gets = started.elapsed();
    let (popped, waited) = blpop.await??;
    show(
        "r.blpop(\"quickstart-async:queue\", 1) meanwhile: 10 x r.get(..)",
        format!("the GETs took {gets:.1?}; the BLPOP returned {popped:?} after {waited:.1?}"),
    );
    Ok(())
}

/// `pipe = await client.pipeline(); await pipe.set(..); ...; await pipe.execute()`.
async fn pipeline(r: &Client) -> Result<()> {
    step(3, "a pipeline");
    note(
        "A pipeline buffers commands and sends them in one round trip; like aredis's, it is\n\
         a MULTI/EXEC transaction by default (r.plain_pipeline() is not).",
    );
    let _: () = r.set("quickstart-async:auto_number", 5).await?;
    let mut pipe = r.pipeline();
    pipe.set("quickstart-async:foo", "bar")
        .sadd("quickstart-async:faz", "baz")
        .incr("quickstart-async:auto_number");
    let results: (bool, bool, i64) = pipe.query().await?;
    show(
        r#"pipe.set(..).sadd(..).incr(..); let results: (bool, bool, i64) = pipe.query().await?"#,
        results,
    );
    note("execute() gives the raw replies instead:");
    pipe.get("quickstart-async:foo")
        .get("quickstart-async:nope");
    let raw: Vec<Value> = pipe.execute().await?;
    show(
        r#"pipe.get("quickstart-async:foo").get("quickstart-async:nope"); pipe.execute().await?"#,
        raw,
    );
    Ok(())
}

/// aredis's `client_side_incr` with `client.transaction(...)`.
async fn watch_transaction(r: &Client) -> Result<()> {
    step(4, "a WATCH transaction");
    note(
        "WATCH the key, read it, MULTI, queue the write, EXEC; if another client changed\n\
         the key in between, EXEC fails and the async closure runs again. The WATCH holds a\n\
         pooled connection of its own, never the shared one. Here another client adds 100\n\
         during the first attempt.",
    );
    let _: () = r.set("quickstart-async:sequence", 41).await?;
    let other = r.clone();
    let mut attempts = 0;
    let (ok,): (bool,) = r
        .transaction(
            "quickstart-async:sequence",
            async |pipe: &mut Pipeline<'_>| {
                attempts += 1;
                let current: Option<i64> = pipe.now().get("quickstart-async:sequence").await?;
                let current = current.unwrap_or(0);
                println!("    attempt {attempts}: read {current}");
                if attempts == 1 {
                    let _: i64 = other.incrby("quickstart-async:sequence", 100).await?;
                    println!("    (meanwhile another client adds 100)");
                }
                pipe.multi().set("quickstart-async:sequence", current + 1);
                pipe.query().await
            },
        )
        .await?;
    let value: i64 = r.get("quickstart-async:sequence").await?;
    show(
        r#"r.transaction("quickstart-async:sequence", async |pipe| { .. pipe.now().get(..).await? .. pipe.query().await }).await?"#,
        (ok, attempts),
    );
    println!("    quickstart-async:sequence is now {value} (41 + 100 + 1: no update was lost)");
    Ok(())
}

/// `p = client.pubsub(); await p.subscribe('my-first-channel'); await p.get_message()`.
async fn pubsub(r: &Client) -> Result<()> {
    step(5, "pub/sub");
    let mut p = r.pubsub().await?;
    note("A PubSub has a connection of its own. Subscribe to a channel and a pattern:");
    p.subscribe("quickstart-async-news").await?;
    p.psubscribe("quickstart-async-*").await?;
    for kind in [MessageKind::Subscribe, MessageKind::PSubscribe] {
        let message = next_message(&mut p, kind).await?;
        show(
            "p.get_message(Some(timeout)).await?",
            (
                message.kind,
                String::from_utf8_lossy(&message.channel).into_owned(),
                message.count,
            ),
        );
    }
    let receivers: i64 = r.publish("quickstart-async-news", "hello").await?;
    show(
        r#"let receivers: i64 = r.publish("quickstart-async-news", "hello").await?"#,
        receivers,
    );
    note("p.stream() is a Stream of messages: the channel's copy, then the pattern's.");
    {
        let mut messages = p.stream();
        for _ in 0..receivers {
            let message = tokio::time::timeout(Duration::from_secs(2), messages.next())
                .await?
                .ok_or("the stream ended")??;
            show(
                "messages.next().await",
                (
                    message.kind,
                    message.pattern.as_deref().map(String::from_utf8_lossy),
                    message.payload.as_deref().map(String::from_utf8_lossy),
                ),
            );
        }
    }
    p.close().await;

    note("run_in_background: a task dispatches messages to handlers (aredis's run_in_thread).");
    let handled: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&handled);
    let mut p = r.pubsub().await?;
    p.subscribe_with("quickstart-async-news", move |message: Message| {
        let text =
            String::from_utf8_lossy(message.payload.as_deref().unwrap_or_default()).into_owned();
        println!("    handler got {text:?}");
        if let Ok(mut seen) = seen.lock() {
            seen.push(text);
        }
    })
    .await?;
    next_message(&mut p, MessageKind::Subscribe).await?;
    let task = p.run_in_background()?;
    for text in ["one", "two", "three"] {
        let _: i64 = r.publish("quickstart-async-news", text).await?;
    }
    for _ in 0..200 {
        if handled.lock().map(|h| h.len()).unwrap_or(0) >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    task.stop();
    let mut p = task.join().await?;
    p.close().await;
    show(
        "task.stop(); task.join().await?: the handler saw",
        handled.lock().map(|h| h.clone()).unwrap_or_default(),
    );
    Ok(())
}

/// Reads messages until one of `kind` arrives; gives up after two seconds.
async fn next_message(p: &mut PubSub, kind: MessageKind) -> Result<Message> {
    for _ in 0..20 {
        if let Some(message) = p.get_message(Some(Duration::from_millis(100))).await? {
            if message.kind == kind {
                return Ok(message);
            }
        }
    }
    Err(format!("no {kind:?} message arrived").into())
}

/// aredis's multiply script.
async fn lua_script(r: &Client) -> Result<()> {
    step(6, "a Lua script");
    let multiply = r.register_script(
        "local value = redis.call('GET', KEYS[1])\n\
         value = tonumber(value)\n\
         return value * ARGV[1]",
    );
    show(
        "let multiply = r.register_script(lua); multiply.sha()",
        multiply.sha(),
    );
    note("It is called with EVALSHA; a server that does not know it answers NOSCRIPT, and the\nscript is loaded and called again.");
    let _: () = r.set("quickstart-async:foo", 2).await?;
    let ten: i64 = multiply
        .key("quickstart-async:foo")
        .arg(5)
        .invoke(r)
        .await?;
    show(
        r#"r.set("quickstart-async:foo", 2); multiply.key("quickstart-async:foo").arg(5).invoke(&r).await?"#,
        ten,
    );
    let mut pipe = r.pipeline();
    pipe.set("quickstart-async:foo", 5);
    multiply.key("quickstart-async:foo").arg(5).queue(&mut pipe);
    let results: (bool, i64) = pipe.query().await?;
    show(
        r#"pipe.set("quickstart-async:foo", 5); multiply.key(..).arg(5).queue(&mut pipe); pipe.query().await?"#,
        results,
    );
    Ok(())
}

/// `async for key in client.scan_iter('quickstart-async:letter:*')`.
async fn scan(r: &Client) -> Result<()> {
    step(7, "scan_iter");
    for letter in ["A", "B", "C"] {
        let _: () = r
            .set(format!("quickstart-async:letter:{letter}"), letter)
            .await?;
    }
    note("SCAN walks the keyspace a page at a time; scan_iter is a Stream that follows the\ncursor for you.");
    let mut keys: Vec<String> = Vec::new();
    let mut stream = std::pin::pin!(r.scan_iter::<String>(
        ScanOptions::new()
            .pattern("quickstart-async:letter:*")
            .count(100)
    ));
    while let Some(key) = stream.next().await {
        keys.push(key?);
    }
    keys.sort();
    show(
        r#"r.scan_iter::<String>(ScanOptions::new().pattern("quickstart-async:letter:*"))"#,
        keys,
    );
    Ok(())
}
