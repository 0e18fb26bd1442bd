//! Quickstart: redis-py's "Getting Started", in Rust, with the blocking client.
//!
//! Six steps, each printing what it does and what Redis answered:
//!
//! 1. set and get (and bytes versus strings);
//! 2. a pipeline: several commands, one round trip;
//! 3. a WATCH transaction that retries when someone else changes the key;
//! 4. pub/sub, with a handler per channel and a background thread;
//! 5. a Lua script, called by SHA1 and loaded when the server does not know it;
//! 6. `scan_iter`: walking the keyspace without blocking the server.
//!
//! Run it with `cargo xtask demo`, which starts a throwaway redis-server and sets
//! `FERRODIS_URL`; or against a server of your own:
//!
//! ```text
//! FERRODIS_URL=redis://127.0.0.1:6380 cargo run -p ferrodis --example quickstart
//! ```
//!
//! It writes keys under `quickstart:` (in databases 0 and 1) and deletes them when it ends.

use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use ferrodis::blocking::pubsub::PubSub;
use ferrodis::commands::{Message, MessageKind, ScanOptions};
use ferrodis::{Client, Commands, PipelineCommands, Value};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let Ok(url) = std::env::var("FERRODIS_URL") else {
        eprintln!(
            "This example talks to a Redis server and is meant to be run by `cargo xtask demo`,\n\
             which starts a throwaway redis-server for it. To use a server of your own, set\n\
             FERRODIS_URL=redis://host:port (it never assumes 6379: it writes keys)."
        );
        std::process::exit(2);
    };

    // redis-py: r = redis.Redis(host='localhost', port=6379, db=0)
    let r = Client::open(url.as_str())?;
    println!("Client::open({url:?}): a client with a pool of connections.");
    println!("It is Clone + Send + Sync: share it between threads instead of reconnecting.");

    set_and_get(&r)?;
    pipeline(&r)?;
    watch_transaction(&r)?;
    pubsub(&r)?;
    lua_script(&r, &url)?;
    scan(&r)?;

    let keys: Vec<String> = r
        .scan_iter::<String>(ScanOptions::new().pattern("quickstart:*"))
        .collect::<std::result::Result<_, _>>()?;
    let deleted: i64 = if keys.is_empty() { 0 } else { r.del(&keys)? };
    println!("\nDone. Cleaned up {deleted} keys under quickstart:.");
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

/// `r.set('foo', 'bar')` / `r.get('foo')`.
fn set_and_get(r: &Client) -> Result<()> {
    step(1, "set and get");
    // The command methods come from the `Commands` trait; the last type parameter is the
    // reply type you want (its default is in each method's docs).
    let ok: bool = r.set("quickstart:foo", "bar")?;
    show(r#"let ok: bool = r.set("quickstart:foo", "bar")?"#, ok);
    let value: Option<Bytes> = r.get("quickstart:foo")?;
    show(
        r#"let value: Option<Bytes> = r.get("quickstart:foo")?"#,
        &value,
    );
    note(
        "Like redis-py, replies are bytes unless you ask for something else: the reply type\n\
         decides. Ask for a String and it is decoded as UTF-8 (redis-py's decode_responses).",
    );
    let text: Option<String> = r.get("quickstart:foo")?;
    show(
        r#"let text: Option<String> = r.get("quickstart:foo")?"#,
        &text,
    );
    let missing: Option<String> = r.get("quickstart:nope")?;
    show(
        r#"let missing: Option<String> = r.get("quickstart:nope")?"#,
        &missing,
    );
    let n: i64 = r.incr("quickstart:counter")?;
    show(r#"let n: i64 = r.incr("quickstart:counter")?"#, n);
    note("An error reply is an Err, with the server's text; the connection stays usable:");
    let wrong: ferrodis::Result<i64> = r.incr("quickstart:foo");
    match wrong {
        Err(e) => show(r#"r.incr("quickstart:foo") on "bar""#, format!("Err: {e}")),
        Ok(n) => show(r#"r.incr("quickstart:foo") on "bar""#, n),
    }
    // Commands without a method (modules, brand-new commands): build them by name.
    let pong: String = r.cmd("PING").arg("hello").query()?;
    show(
        r#"let pong: String = r.cmd("PING").arg("hello").query()?"#,
        pong,
    );
    Ok(())
}

/// `pipe = r.pipeline(); pipe.set('foo', 'bar').sadd('faz', 'baz').incr('auto_number').execute()`.
fn pipeline(r: &Client) -> Result<()> {
    step(2, "a pipeline");
    note(
        "A pipeline buffers commands and sends them in one round trip. Like redis-py's, it\n\
         is a MULTI/EXEC transaction by default (r.plain_pipeline() is not).",
    );
    let _: () = r.set("quickstart:auto_number", 5)?;
    let mut pipe = r.pipeline();
    pipe.set("quickstart:foo", "bar")
        .sadd("quickstart:faz", "baz")
        .incr("quickstart:auto_number");
    let results: (bool, bool, i64) = pipe.query()?;
    show(
        r#"pipe.set("quickstart:foo", "bar").sadd("quickstart:faz", "baz").incr("quickstart:auto_number");
  let results: (bool, bool, i64) = pipe.query()?"#,
        results,
    );
    note("redis-py prints [True, True, 6]. execute() gives the raw replies instead:");
    pipe.get("quickstart:foo").get("quickstart:nope");
    let raw: Vec<Value> = pipe.execute()?;
    show(
        r#"pipe.get("quickstart:foo").get("quickstart:nope"); pipe.execute()?"#,
        raw,
    );
    Ok(())
}

/// redis-py's `client_side_incr` with `r.transaction(...)`, and the WATCH/MULTI loop.
fn watch_transaction(r: &Client) -> Result<()> {
    step(3, "a WATCH transaction");
    note(
        "Read a value, compute, write it back, atomically: WATCH the key, read it, MULTI,\n\
         queue the write, EXEC. If another client changed the key in between, EXEC fails\n\
         and the whole thing runs again. r.transaction() is that loop (redis-py's\n\
         transaction()); here another client changes the key during the first attempt.",
    );
    let _: () = r.set("quickstart:sequence", 41)?;
    let other = r.clone();
    let mut attempts = 0;
    let (ok,): (bool,) = r.transaction("quickstart:sequence", |pipe| {
        attempts += 1;
        let current: Option<i64> = pipe.now().get("quickstart:sequence")?;
        let current = current.unwrap_or(0);
        println!("    attempt {attempts}: read {current}");
        if attempts == 1 {
            // Someone else gets there first: our EXEC will be refused.
            let _: i64 = other.incrby("quickstart:sequence", 100)?;
            println!("    (meanwhile another client adds 100)");
        }
        pipe.multi().set("quickstart:sequence", current + 1);
        pipe.query()
    })?;
    let value: i64 = r.get("quickstart:sequence")?;
    show(
        r#"r.transaction("quickstart:sequence", |pipe| { let current = pipe.now().get(..)?; pipe.multi().set(.., current + 1); pipe.query() })"#,
        (ok, attempts),
    );
    println!("    quickstart:sequence is now {value} (41 + 100 + 1: no update was lost)");

    note("The same by hand, as in redis-py's docs: watch, read, multi, execute, retry on Watch.");
    let mut pipe = r.pipeline();
    loop {
        pipe.watch("quickstart:sequence")?;
        let current: i64 = pipe.now().get("quickstart:sequence")?;
        pipe.multi().set("quickstart:sequence", current + 1);
        match pipe.execute() {
            Ok(results) => {
                show(
                    "pipe.watch(..)?; pipe.now().get(..)?; pipe.multi().set(..); pipe.execute()",
                    results,
                );
                break;
            }
            Err(ferrodis::Error::Watch) => continue, // someone changed it: go again
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// `p = r.pubsub(); p.subscribe(**{'my-channel': handler}); p.psubscribe('my-*'); ...`
fn pubsub(r: &Client) -> Result<()> {
    step(4, "pub/sub with a handler");
    let mut p = r.pubsub()?;
    note("A PubSub has a connection of its own. Subscribe with a handler for one channel,\nand to a pattern without one:");
    let handled: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&handled);
    p.subscribe_with("quickstart-news", move |message| {
        let text =
            String::from_utf8_lossy(message.payload.as_deref().unwrap_or_default()).into_owned();
        println!(
            "    handler got {text:?} on {}",
            String::from_utf8_lossy(&message.channel)
        );
        if let Ok(mut seen) = seen.lock() {
            seen.push(text);
        }
    })?;
    p.psubscribe("quickstart-*")?;
    // The confirmations come first, with the subscription counts 1 and 2.
    for kind in [MessageKind::Subscribe, MessageKind::PSubscribe] {
        let message = next_message(&mut p, kind)?;
        show(
            "p.get_message(..)",
            (
                message.kind,
                String::from_utf8_lossy(&message.channel).into_owned(),
                message.count,
            ),
        );
    }
    let receivers: i64 = r.publish("quickstart-news", "hello")?;
    show(
        r#"let receivers: i64 = r.publish("quickstart-news", "hello")?"#,
        receivers,
    );
    note(
        "2 receivers: the channel subscription and the pattern. The handler takes the\n\
         channel's copy (get_message returns None for it); the pattern's copy has no\n\
         handler, so get_message returns it:",
    );
    let message = next_message(&mut p, MessageKind::PMessage)?;
    show(
        "p.get_message(..)",
        (
            message.kind,
            message.pattern.as_deref().map(String::from_utf8_lossy),
            message.payload.as_deref().map(String::from_utf8_lossy),
        ),
    );

    note("run_in_thread: a thread dispatches messages to handlers (every subscription needs one).");
    p.punsubscribe("quickstart-*")?;
    next_message(&mut p, MessageKind::PUnsubscribe)?;
    let thread = p.run_in_thread(Duration::from_millis(20))?;
    for text in ["one", "two", "three"] {
        let _: i64 = r.publish("quickstart-news", text)?;
    }
    // Give the thread a moment to dispatch them, then stop it.
    for _ in 0..100 {
        if handled.lock().map(|h| h.len()).unwrap_or(0) >= 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    thread.stop();
    let mut p = thread.join()?;
    p.close();
    show(
        "thread.stop(); thread.join()?: the handler saw",
        handled.lock().map(|h| h.clone()).unwrap_or_default(),
    );
    Ok(())
}

/// Reads messages until one of `kind` arrives (messages taken by handlers come back as
/// `None` and are skipped); gives up after two seconds.
fn next_message(p: &mut PubSub, kind: MessageKind) -> Result<Message> {
    for _ in 0..20 {
        if let Some(message) = p.get_message(Some(Duration::from_millis(100)))? {
            if message.kind == kind {
                return Ok(message);
            }
        }
    }
    Err(format!("no {kind:?} message arrived").into())
}

/// redis-py's multiply script: 10, then 15 on another client, then `[True, 25]` in a pipeline.
fn lua_script(r: &Client, url: &str) -> Result<()> {
    step(5, "a Lua script");
    let multiply = r.register_script(
        "local value = redis.call('GET', KEYS[1])\n\
         value = tonumber(value)\n\
         return value * ARGV[1]",
    );
    show(
        "let multiply = r.register_script(lua); multiply.sha()",
        multiply.sha(),
    );
    note("It is called with EVALSHA; a server that does not know it answers NOSCRIPT, and the\nscript is loaded and called again, in the same round trip.");
    let _: () = r.set("quickstart:foo", 2)?;
    let ten: i64 = multiply.key("quickstart:foo").arg(5).run()?;
    show(
        r#"r.set("quickstart:foo", 2); multiply.key("quickstart:foo").arg(5).run()?"#,
        ten,
    );

    // Another client: here the same server's database 1 (redis-py's example uses another
    // server; the script works the same).
    let r2 = Client::open(db_url(url, 1).as_str())?;
    let _: () = r2.set("quickstart:foo", 3)?;
    let fifteen: i64 = multiply.key("quickstart:foo").arg(5).invoke(&r2)?;
    show(
        r#"r2.set("quickstart:foo", 3); multiply.key("quickstart:foo").arg(5).invoke(&r2)?"#,
        fifteen,
    );
    let _: i64 = r2.del("quickstart:foo")?;

    let mut pipe = r.pipeline();
    pipe.set("quickstart:foo", 5);
    multiply.key("quickstart:foo").arg(5).queue(&mut pipe);
    let results: (bool, i64) = pipe.query()?;
    show(
        r#"pipe.set("quickstart:foo", 5); multiply.key(..).arg(5).queue(&mut pipe); pipe.query()?"#,
        results,
    );
    Ok(())
}

/// `for key in r.scan_iter('quickstart:letter:*'): print(key)`.
fn scan(r: &Client) -> Result<()> {
    step(6, "scan_iter");
    for letter in ["A", "B", "C"] {
        let _: () = r.set(format!("quickstart:letter:{letter}"), letter)?;
    }
    note("SCAN walks the keyspace a page at a time (KEYS * would block the server); scan_iter\nis an Iterator that follows the cursor for you.");
    let mut keys: Vec<String> = Vec::new();
    for key in r.scan_iter::<String>(ScanOptions::new().pattern("quickstart:letter:*").count(100)) {
        keys.push(key?);
    }
    keys.sort();
    show(
        r#"r.scan_iter::<String>(ScanOptions::new().pattern("quickstart:letter:*"))"#,
        keys,
    );
    Ok(())
}

/// `url` with its database replaced by `db`.
fn db_url(url: &str, db: u32) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    format!("{base}/{db}{query}")
}
