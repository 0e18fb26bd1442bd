//! aredis's documented examples, reproduced with the async client against real servers,
//! on tokio and async-std: getting started (flushdb, set, exists, incr, expire, ttl), the
//! list example of its cluster section (lpush, rpoplpush, rpop) on a single node, the
//! "Thread Safety" and "Connections" notes (no SELECT, `del`, unix sockets), Lua
//! scripting (`register_script`, `execute` with keys and args, with another client, in a
//! pipeline), the scan iterators, and streams (xadd with max_len, xrange/xrevrange,
//! consumer groups).
//!
//! aredis is redis-py ported to asyncio, so its examples are redis-py's with `await`; so
//! are ours, with the blocking client's calls awaited. Tests that flush run on a private
//! server of their own; the others write keys under [`common::key`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use ferrodis_async::{runtime, Client};
use ferrodis_commands::commands::{
    self, xadd_options, xreadgroup_options, StreamReadOptions, StreamTrim, XAddOptions,
};
use ferrodis_commands::replies::{StreamId, Ttl};
use ferrodis_commands::{AsyncCommands, ConnectionConfig, PipelineCommands, ScanOptions};
use ferrodis_tests::RedisServer;
use futures_util::{StreamExt, TryStreamExt};

const MULTIPLY: &str = "
local value = redis.call('GET', KEYS[1])
value = tonumber(value)
return value * ARGV[1]";

async fn sleep(d: Duration) {
    runtime::sleep(&*common::runtime(), d).await;
}

runtime_tests! {
    /// ```pycon
    /// >>> client = StrictRedis(host='127.0.0.1', port=6379, db=0)
    /// >>> await client.flushdb()
    /// >>> await client.set('foo', 1)
    /// >>> assert await client.exists('foo') is True
    /// >>> await client.incr('foo', 100)
    /// >>> assert int(await client.get('foo')) == 101
    /// >>> await client.expire('foo', 1)
    /// >>> await asyncio.sleep(0.1)
    /// >>> await client.ttl('foo')
    /// >>> await asyncio.sleep(1)
    /// >>> assert not await client.exists('foo')
    /// ```
    /// (aredis's `incr(name, amount)` is `INCRBY`: ferrodis names it `incrby`.)
    async fn getting_started_single_node_client() {
        let server = RedisServer::start().unwrap();
        let client = Client::open(format!("{}/0", server.url())).unwrap();
        let _: () = client.flushdb().await.unwrap();
        let _: () = client.set("foo", 1).await.unwrap();
        let exists: bool = client.exists("foo").await.unwrap();
        assert!(exists);
        let foo: i64 = client.incrby("foo", 100).await.unwrap();
        assert_eq!(foo, 101);
        let foo: i64 = client.get("foo").await.unwrap();
        assert_eq!(foo, 101);
        let set: bool = client.expire("foo", 1).await.unwrap();
        assert!(set);
        sleep(Duration::from_millis(100)).await;
        let ttl = client.query(commands::ttl("foo")).await.unwrap();
        assert!(
            matches!(ttl, Ttl::Expires(d) if d <= Duration::from_secs(1)),
            "{ttl:?}"
        );
        let raw_ttl: i64 = client.ttl("foo").await.unwrap();
        assert!((0..=1).contains(&raw_ttl), "{raw_ttl}");
        sleep(Duration::from_millis(1000)).await;
        // Expired keys go within the second (lazily on access at the latest).
        let exists: bool = client.exists("foo").await.unwrap();
        assert!(!exists);
    }

    /// The list part of aredis's cluster example, on one node:
    /// ```pycon
    /// >>> await client.flushdb()
    /// >>> await client.set('foo', 1)
    /// >>> await client.lpush('a', 1)
    /// >>> await client.rpoplpush('a', 'b')
    /// >>> assert await client.rpop('b') == b'1'
    /// ```
    async fn lpush_rpoplpush_rpop() {
        let server = RedisServer::start().unwrap();
        let client = Client::open(server.url()).unwrap();
        let _: () = client.flushdb().await.unwrap();
        let _: () = client.set("foo", 1).await.unwrap();
        let len: i64 = client.lpush("a", 1).await.unwrap();
        assert_eq!(len, 1);
        let moved: Option<Bytes> = client.rpoplpush("a", "b").await.unwrap();
        assert_eq!(moved.as_deref(), Some(&b"1"[..]));
        let popped: Option<Bytes> = client.rpop("b").await.unwrap();
        assert_eq!(popped.as_deref(), Some(&b"1"[..]));
        // Both lists are gone now.
        let left: i64 = client.exists(["a", "b"]).await.unwrap();
        assert_eq!(left, 0);
    }

    /// "SELECT: Not implemented" (the database is the client's, in the URL: `db=0`), and
    /// "DEL: 'del' is a reserved keyword ... aredis uses 'delete'": in Rust it is `del`.
    async fn database_in_the_url_and_del() {
        let db0 = common::client().await;
        let db2 = Client::open(format!("{}/2", ferrodis_tests::shared_server().url())).unwrap();
        assert_eq!(db2.config().db, 2);
        let key = common::key("aredis:select");
        let _: () = db2.set(&key, "in db 2").await.unwrap();
        let in_db0: Option<String> = db0.get(&key).await.unwrap();
        assert_eq!(in_db0, None);
        let in_db2: Option<String> = db2.get(&key).await.unwrap();
        assert_eq!(in_db2.as_deref(), Some("in db 2"));
        let removed: i64 = db2.del(&key).await.unwrap();
        assert_eq!(removed, 1);
    }

    /// ```pycon
    /// >>> r = redis.StrictRedis(unix_socket_path='/tmp/redis.sock')
    /// ```
    async fn unix_domain_socket_connection() {
        let server = RedisServer::builder().unix_socket().start().unwrap();
        let path = server.unix_socket_path().unwrap();
        let r = Client::open(ConnectionConfig::unix(path)).unwrap();
        let _: () = r.set("over-unix", "yes").await.unwrap();
        let v: String = r.get("over-unix").await.unwrap();
        assert_eq!(v, "yes");
        let url = format!("unix://{}", path.display());
        let by_url = Client::open(url.as_str()).unwrap();
        let v: String = by_url.get("over-unix").await.unwrap();
        assert_eq!(v, "yes");
    }

    /// ```pycon
    /// >>> multiply = r.register_script(lua)
    /// >>> await r.set('foo', 2)
    /// >>> await multiply.execute(keys=['foo'], args=[5])
    /// 10
    /// >>> r2 = redis.StrictRedis('redis2.example.com')
    /// >>> await r2.set('foo', 3)
    /// >>> multiply.execute(keys=['foo'], args=[5], client=r2)
    /// 15
    /// >>> pipe = await r.pipeline()
    /// >>> await pipe.set('foo', 5)
    /// >>> await multiply(keys=['foo'], args=[5], client=pipe)
    /// >>> await pipe.execute()
    /// [True, 25]
    /// ```
    async fn lua_scripting() {
        let server = RedisServer::start().unwrap();
        let server2 = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        let multiply = r.register_script(MULTIPLY);
        let _: () = r.set("foo", 2).await.unwrap();
        let ten: i64 = multiply.key("foo").arg(5).run().await.unwrap();
        assert_eq!(ten, 10);

        let r2 = Client::open(server2.url()).unwrap();
        let _: () = r2.set("foo", 3).await.unwrap();
        let fifteen: i64 = multiply.key("foo").arg(5).invoke(&r2).await.unwrap();
        assert_eq!(fifteen, 15);

        // A flushed script cache: the pipeline loads the script just before it runs.
        let _: () = r.script_flush().await.unwrap();
        let mut pipe = r.pipeline();
        pipe.set("foo", 5);
        multiply.key("foo").arg(5).queue(&mut pipe);
        let (ok, product): (bool, i64) = pipe.query().await.unwrap();
        assert_eq!((ok, product), (true, 25));
    }

    /// "each command has an equivalent iterator method": `scan_iter`, `sscan_iter`,
    /// `hscan_iter`, `zscan_iter`, as streams.
    async fn scan_iterators() {
        let server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        for (key, value) in [("A", "1"), ("B", "2"), ("C", "3")] {
            let _: () = r.set(key, value).await.unwrap();
        }
        let _: i64 = r.sadd("set", ["x", "y", "z"]).await.unwrap();
        let _: i64 = r.hset("hash", [("f1", "v1"), ("f2", "v2")]).await.unwrap();
        let _: i64 = r.zadd("zset", [(1.0, "one"), (2.0, "two")]).await.unwrap();

        let mut keys: Vec<String> = r.scan_iter(ScanOptions::new()).try_collect().await.unwrap();
        keys.sort();
        assert_eq!(keys, ["A", "B", "C", "hash", "set", "zset"]);
        let mut strings = Vec::new();
        let mut stream = r.scan_iter::<String>(ScanOptions::new().type_("string"));
        while let Some(key) = stream.next().await {
            let key = key.unwrap();
            let value: String = r.get(&key).await.unwrap();
            strings.push(format!("{key}={value}"));
        }
        strings.sort();
        assert_eq!(strings, ["A=1", "B=2", "C=3"]);

        let mut members: Vec<String> = r
            .sscan_iter("set", ScanOptions::new())
            .try_collect()
            .await
            .unwrap();
        members.sort();
        assert_eq!(members, ["x", "y", "z"]);
        let mut fields: Vec<(String, String)> = r
            .hscan_iter("hash", ScanOptions::new().pattern("f*"))
            .try_collect()
            .await
            .unwrap();
        fields.sort();
        assert_eq!(
            fields,
            [("f1".to_owned(), "v1".to_owned()), ("f2".to_owned(), "v2".to_owned())]
        );
        let scored: Vec<(String, f64)> = r
            .zscan_iter("zset", ScanOptions::new())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(scored, [("one".to_owned(), 1.0), ("two".to_owned(), 2.0)]);
    }

    /// ```pycon
    /// >>> entry = dict(event=1, user='usr1')
    /// >>> stream_id = await client.xadd('example_stream', entry, max_len=10)
    /// >>> entries = await client.xrevrange(stream, start='10-0', end='1-0', count=count)
    /// >>> entries = await client.xrange(stream, start='1-0', end='10-0', count=count)
    /// ```
    async fn streams_append_and_fetch_entries() {
        let r = common::client().await;
        let stream = common::key("aredis:example_stream");
        let _: i64 = r.del(&stream).await.unwrap();
        // max_len=10: the stream keeps the last ten entries (MAXLEN, exact).
        let options = XAddOptions::new().trim(StreamTrim::maxlen(10));
        let mut ids = Vec::new();
        for i in 1..=15_u64 {
            let id = r
                .query(xadd_options(
                    &stream,
                    StreamId::new(i, 0),
                    [("event", i.to_string().as_str()), ("user", "usr1")],
                    &options,
                ))
                .await
                .unwrap()
                .unwrap();
            ids.push(id);
        }
        assert_eq!(ids.last(), Some(&StreamId::new(15, 0)));
        // "The XADD command will auto-generate a unique id for you if the id argument
        // specified is the '*' character."
        let auto = r
            .query(xadd_options(&stream, "*", [("event", "16"), ("user", "usr1")], &options))
            .await
            .unwrap()
            .unwrap();
        assert!(auto > StreamId::new(15, 0));
        let len: i64 = r.xlen(&stream).await.unwrap();
        assert_eq!(len, 10);

        // fetch_entries(client, stream, count=10): IDs 7-0 .. 15-0 and the auto one are
        // left; between 1-0 and 10-0, that is 7, 8, 9, 10.
        let forward = r
            .query(commands::xrange(&stream, "1-0", "10-0").arg("COUNT").arg(10))
            .await
            .unwrap();
        let forward_ids: Vec<StreamId> = forward.iter().map(|e| e.id).collect();
        assert_eq!(
            forward_ids,
            (7..=10).map(|ms| StreamId::new(ms, 0)).collect::<Vec<_>>()
        );
        assert_eq!(forward[0].get("user").map(|v| &v[..]), Some(&b"usr1"[..]));
        assert_eq!(forward[0].get("event").map(|v| &v[..]), Some(&b"7"[..]));
        // reverse=True: XREVRANGE takes the high end first.
        let backward = r
            .query(commands::xrevrange(&stream, "10-0", "1-0").arg("COUNT").arg(2))
            .await
            .unwrap();
        let backward_ids: Vec<StreamId> = backward.iter().map(|e| e.id).collect();
        assert_eq!(backward_ids, [StreamId::new(10, 0), StreamId::new(9, 0)]);
    }

    /// ```pycon
    /// >>> for idx in range(20):
    /// >>>     await client.xadd('test_stream', {'k1': 'v1', 'k2': 1}, stream_id=idx)
    /// >>> await r.xgroup_create('test_stream', 'test_group', '0')
    /// >>> entries = await r.xreadgroup('test_group', 'consumer1', count=5, test_stream='1')
    /// ```
    /// (Stream IDs must be greater than `0-0`, so the entries get IDs 1 to 20.)
    async fn streams_consumer_group() {
        let r = common::client().await;
        let stream = common::key("aredis:test_stream");
        let _: i64 = r.del(&stream).await.unwrap();
        for idx in 1..=20_u64 {
            let _: StreamId = r
                .xadd(&stream, StreamId::new(idx, 0), [("k1", "v1"), ("k2", "1")])
                .await
                .unwrap();
        }
        // "if given '0', group will consume the stream from the beginning"
        let _: () = r.xgroup_create(&stream, "test_group", "0").await.unwrap();

        // New entries for consumer1: `>`, five at a time.
        let five = StreamReadOptions::new().count(5);
        let read = r
            .query(xreadgroup_options("test_group", "consumer1", [&stream], [">"], &five))
            .await
            .unwrap();
        let entries = read.get(&stream).unwrap();
        let read_ids: Vec<StreamId> = entries.iter().map(|e| e.id).collect();
        assert_eq!(read_ids, (1..=5).map(|ms| StreamId::new(ms, 0)).collect::<Vec<_>>());
        assert_eq!(entries[0].get("k1").map(|v| &v[..]), Some(&b"v1"[..]));
        assert_eq!(entries[0].get("k2").map(|v| &v[..]), Some(&b"1"[..]));
        let next = r
            .query(xreadgroup_options("test_group", "consumer1", [&stream], [">"], &five))
            .await
            .unwrap();
        let next_ids: Vec<StreamId> = next.get(&stream).unwrap().iter().map(|e| e.id).collect();
        assert_eq!(next_ids, (6..=10).map(|ms| StreamId::new(ms, 0)).collect::<Vec<_>>());

        // aredis's `test_stream='1'`: any ID other than `>` reads this consumer's pending
        // entries after it: delivered, not yet acknowledged, 1-0 excluded.
        let pending = r
            .query(xreadgroup_options("test_group", "consumer1", [&stream], ["1"], &five))
            .await
            .unwrap();
        let pending_ids: Vec<StreamId> =
            pending.get(&stream).unwrap().iter().map(|e| e.id).collect();
        assert_eq!(pending_ids, (2..=6).map(|ms| StreamId::new(ms, 0)).collect::<Vec<_>>());

        // Acknowledged entries leave the pending list.
        let acked: i64 = r
            .xack(&stream, "test_group", [StreamId::new(1, 0), StreamId::new(2, 0)])
            .await
            .unwrap();
        assert_eq!(acked, 2);
        let summary = r.query(commands::xpending(&stream, "test_group")).await.unwrap();
        assert_eq!(summary.count, 8);
        assert_eq!(summary.min_id, Some(StreamId::new(3, 0)));
    }
}
