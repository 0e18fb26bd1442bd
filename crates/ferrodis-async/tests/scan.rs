//! Scan streams against real servers, on tokio and async-std: redis-py's and aredis's
//! `scan_iter` over A, B, C, and `sscan_iter`, `hscan_iter`, `zscan_iter` with MATCH,
//! COUNT and TYPE.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;
use ferrodis_async::Client;
use ferrodis_commands::{AsyncCommands, Error, PipelineCommands, ScanOptions};
use ferrodis_tests::{shared_server, RedisServer};
use futures_util::{StreamExt, TryStreamExt};

runtime_tests! {
    /// redis-py / aredis: after `r.set(key, value)` for A 1, B 2, C 3, `async for key in
    /// r.scan_iter(): print(key, await r.get(key))` prints the three (a private server,
    /// so that they are the only keys).
    async fn scan_iter_redis_py_example() {
        let server = RedisServer::start().unwrap();
        let r = Client::open(server.url()).unwrap();
        for (key, value) in [("A", "1"), ("B", "2"), ("C", "3")] {
            r.set::<_, _, ()>(key, value).await.unwrap();
        }
        let mut seen = Vec::new();
        let mut keys = r.scan_iter::<String>(ScanOptions::new());
        while let Some(key) = keys.next().await {
            let key = key.unwrap();
            let value: String = r.get(&key).await.unwrap();
            seen.push((key, value));
        }
        seen.sort();
        let expected: Vec<(String, String)> = [("A", "1"), ("B", "2"), ("C", "3")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(seen, expected);
    }

    async fn scan_iter_with_match_count_and_type() {
        let r = common::client().await;
        let prefix = common::key("scan:mct");
        let mut pipe = r.plain_pipeline();
        for i in 0..250 {
            pipe.set(format!("{prefix}:str:{i}"), i).ignore();
        }
        for i in 0..20 {
            pipe.hset(format!("{prefix}:hash:{i}"), [("f", "v")]).ignore();
        }
        pipe.execute().await.unwrap();

        let keys: BTreeSet<String> = r
            .scan_iter::<String>(ScanOptions::new().pattern(format!("{prefix}:*")).count(25))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(keys.len(), 270);

        let strings: BTreeSet<Bytes> = r
            .scan_iter::<Bytes>(
                ScanOptions::new()
                    .pattern(format!("{prefix}:str:1*"))
                    .count(1000),
            )
            .try_collect()
            .await
            .unwrap();
        // 1, 10..19, 100..199
        assert_eq!(strings.len(), 1 + 10 + 100);

        let hashes: BTreeSet<String> = r
            .scan_iter::<String>(
                ScanOptions::new()
                    .pattern(format!("{prefix}:*"))
                    .count(50)
                    .type_("hash"),
            )
            .try_collect()
            .await
            .unwrap();
        let expected: BTreeSet<String> = (0..20).map(|i| format!("{prefix}:hash:{i}")).collect();
        assert_eq!(hashes, expected);
    }

    async fn sscan_hscan_zscan_iterate_over_every_item() {
        for r in [common::client().await, common::client_resp2().await] {
            let key_set = common::key("scan:coll:set");
            let key_hash = common::key("scan:coll:hash");
            let key_zset = common::key("scan:coll:zset");
            r.del::<_, ()>([&key_set, &key_hash, &key_zset]).await.unwrap();
            // Big enough to be hashtables, scanned over several pages.
            let members: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
            let fields: Vec<(String, String)> = (0..300)
                .map(|i| (format!("f{i}"), format!("v{i}")))
                .collect();
            let scored: Vec<(f64, String)> = (0..300)
                .map(|i| (f64::from(i) + 0.5, format!("z{i}")))
                .collect();
            let mut pipe = r.plain_pipeline();
            pipe.sadd(&key_set, &members)
                .hset(&key_hash, &fields)
                .zadd(&key_zset, &scored);
            let (added, hset, zadded): (i64, i64, i64) = pipe.query().await.unwrap();
            assert_eq!((added, hset, zadded), (300, 300, 300));

            let set: BTreeSet<String> = r
                .sscan_iter::<String>(&key_set, ScanOptions::new().count(20))
                .try_collect()
                .await
                .unwrap();
            assert_eq!(set, members.iter().cloned().collect());

            let hash: BTreeMap<String, String> = r
                .hscan_iter::<String, String>(&key_hash, ScanOptions::new().count(20))
                .try_collect()
                .await
                .unwrap();
            assert_eq!(hash, fields.iter().cloned().collect());

            let zset: BTreeMap<String, f64> = r
                .zscan_iter::<String>(&key_zset, ScanOptions::new().count(20))
                .try_collect()
                .await
                .unwrap();
            assert_eq!(zset.len(), 300);
            for (score, member) in &scored {
                assert_eq!(zset.get(member), Some(score), "{member}");
            }

            // MATCH on a collection.
            let matched: BTreeSet<String> = r
                .sscan_iter::<String>(&key_set, ScanOptions::new().pattern("m29*"))
                .try_collect()
                .await
                .unwrap();
            let expected: BTreeSet<String> = [
                "m29", "m290", "m291", "m292", "m293", "m294", "m295", "m296", "m297", "m298",
                "m299",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            assert_eq!(matched, expected);

            // Small collections (listpack-encoded, one page).
            let small_key = common::key("scan:coll:smallz");
            r.del::<_, ()>(&small_key).await.unwrap();
            r.zadd::<_, _, i64>(&small_key, [(1.5, "a"), (2.5, "b")])
                .await
                .unwrap();
            let small: Vec<(String, f64)> = r
                .zscan_iter::<String>(&small_key, ScanOptions::new())
                .try_collect()
                .await
                .unwrap();
            assert_eq!(small, vec![("a".to_string(), 1.5), ("b".to_string(), 2.5)]);
        }
    }

    async fn missing_key_scans_nothing() {
        let r = common::client().await;
        let set = common::key("scan:missing:set");
        let hash = common::key("scan:missing:hash");
        assert_eq!(r.sscan_iter::<String>(&set, ScanOptions::new()).count().await, 0);
        assert_eq!(
            r.hscan_iter::<String, String>(&hash, ScanOptions::new())
                .count()
                .await,
            0
        );
    }

    async fn a_failed_page_is_yielded_once_then_the_stream_ends() {
        let r = common::client().await;
        let key = common::key("scan:wrongtype:k");
        r.set::<_, _, ()>(&key, "a string").await.unwrap();
        let mut stream = r.sscan_iter::<String>(&key, ScanOptions::new());
        match stream.next().await {
            Some(Err(Error::Server(e))) => assert!(e.text().contains("WRONGTYPE"), "{e:?}"),
            other => panic!("expected WRONGTYPE, got {other:?}"),
        }
        assert!(stream.next().await.is_none());
        assert!(futures_util::stream::FusedStream::is_terminated(&stream));
        // TYPE is for SCAN only: the server refuses it on SSCAN.
        let mut stream = r.sscan_iter::<String>(&key, ScanOptions::new().type_("set"));
        assert!(matches!(stream.next().await, Some(Err(Error::Server(_)))));
        assert!(stream.next().await.is_none());
    }

    /// Pages go over the multiplexed connection: with a pool of one connection held
    /// by someone else for the whole iteration, the scan still runs, and commands run
    /// between pages.
    async fn iteration_holds_no_connection() {
        let r = Client::builder(shared_server().url())
            .max_size(1)
            .pool_timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        let key = common::key("scan:pin:set");
        let members: Vec<String> = (0..200).map(|i| format!("p{i}")).collect();
        r.del::<_, ()>(&key).await.unwrap();
        r.sadd::<_, _, i64>(&key, &members).await.unwrap();
        let lease = r.get_connection().await.unwrap();
        let mut seen = BTreeSet::new();
        let mut between = 0;
        let mut stream = r.sscan_iter::<String>(&key, ScanOptions::new().count(10));
        while let Some(member) = stream.next().await {
            seen.insert(member.unwrap());
            let card: i64 = r.scard(&key).await.unwrap();
            assert_eq!(card, 200);
            between += 1;
        }
        drop(lease);
        assert_eq!(seen.len(), 200);
        assert_eq!(between, 200);
    }

    /// A stream dropped while a page is in flight leaves the client in sync.
    async fn a_stream_dropped_mid_page_leaves_the_client_usable() {
        let r = common::client().await;
        let key = common::key("scan:dropped:set");
        let members: Vec<String> = (0..500).map(|i| format!("d{i}")).collect();
        r.del::<_, ()>(&key).await.unwrap();
        r.sadd::<_, _, i64>(&key, &members).await.unwrap();
        for _ in 0..20 {
            let mut stream = r.sscan_iter::<String>(&key, ScanOptions::new().count(10));
            // Start a fetch, then drop the stream before it completes (poll once).
            let first = futures_util::poll!(stream.next());
            drop(first);
            drop(stream);
        }
        let card: i64 = r.scard(&key).await.unwrap();
        assert_eq!(card, 500);
        let all: BTreeSet<String> = r
            .sscan_iter::<String>(&key, ScanOptions::new().count(100))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 500);
    }
}
