//! Scan iterators against real servers: redis-py's `scan_iter` over A, B, C, and
//! `sscan_iter`, `hscan_iter`, `zscan_iter` with MATCH, COUNT and TYPE.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;
use ferrodis_blocking::Client;
use ferrodis_commands::{Commands, Error, PipelineCommands, ScanOptions};
use ferrodis_tests::{shared_server, RedisServer};

fn client() -> Client {
    Client::open(shared_server().url()).unwrap()
}

/// redis-py: after `r.set(key, value)` for A 1, B 2, C 3, `for key in r.scan_iter():
/// print(key, r.get(key))` prints the three (a private server, so that they are the only
/// keys).
#[test]
fn scan_iter_redis_py_example() {
    let server = RedisServer::start().unwrap();
    let r = Client::open(server.url()).unwrap();
    for (key, value) in [("A", "1"), ("B", "2"), ("C", "3")] {
        r.set::<_, _, ()>(key, value).unwrap();
    }
    let mut seen = Vec::new();
    for key in r.scan_iter::<String>(ScanOptions::new()) {
        let key = key.unwrap();
        let value: String = r.get(&key).unwrap();
        seen.push((key, value));
    }
    seen.sort();
    let expected: Vec<(String, String)> = [("A", "1"), ("B", "2"), ("C", "3")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn scan_iter_with_match_count_and_type() {
    let r = client();
    let mut pipe = r.plain_pipeline();
    for i in 0..250 {
        pipe.set(format!("scan:mct:str:{i}"), i).ignore();
    }
    for i in 0..20 {
        pipe.hset(format!("scan:mct:hash:{i}"), [("f", "v")])
            .ignore();
    }
    pipe.execute().unwrap();

    let keys: BTreeSet<String> = r
        .scan_iter::<String>(ScanOptions::new().pattern("scan:mct:*").count(25))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(keys.len(), 270);

    let strings: BTreeSet<Bytes> = r
        .scan_iter::<Bytes>(ScanOptions::new().pattern("scan:mct:str:1*").count(1000))
        .collect::<Result<_, _>>()
        .unwrap();
    // 1, 10..19, 100..199
    assert_eq!(strings.len(), 1 + 10 + 100);

    let hashes: BTreeSet<String> = r
        .scan_iter::<String>(
            ScanOptions::new()
                .pattern("scan:mct:*")
                .count(50)
                .type_("hash"),
        )
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: BTreeSet<String> = (0..20).map(|i| format!("scan:mct:hash:{i}")).collect();
    assert_eq!(hashes, expected);
}

#[test]
fn sscan_hscan_zscan_iterate_over_every_item() {
    let resp2 = Client::open(format!("{}?protocol=resp2", shared_server().url())).unwrap();
    for r in [client(), resp2] {
        let key_set = "scan:coll:set";
        let key_hash = "scan:coll:hash";
        let key_zset = "scan:coll:zset";
        r.del::<_, ()>([key_set, key_hash, key_zset]).unwrap();
        // Big enough to be hashtables, scanned over several pages.
        let members: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
        let fields: Vec<(String, String)> = (0..300)
            .map(|i| (format!("f{i}"), format!("v{i}")))
            .collect();
        let scored: Vec<(f64, String)> = (0..300)
            .map(|i| (f64::from(i) + 0.5, format!("z{i}")))
            .collect();
        let mut pipe = r.plain_pipeline();
        pipe.sadd(key_set, &members)
            .hset(key_hash, &fields)
            .zadd(key_zset, &scored);
        let (added, hset, zadded): (i64, i64, i64) = pipe.query().unwrap();
        assert_eq!((added, hset, zadded), (300, 300, 300));

        let set: BTreeSet<String> = r
            .sscan_iter::<String>(key_set, ScanOptions::new().count(20))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(set, members.iter().cloned().collect());

        let hash: BTreeMap<String, String> = r
            .hscan_iter::<String, String>(key_hash, ScanOptions::new().count(20))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(hash, fields.iter().cloned().collect());

        let zset: BTreeMap<String, f64> = r
            .zscan_iter::<String>(key_zset, ScanOptions::new().count(20))
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(zset.len(), 300);
        for (score, member) in &scored {
            assert_eq!(zset.get(member), Some(score), "{member}");
        }

        // MATCH on a collection.
        let matched: BTreeSet<String> = r
            .sscan_iter::<String>(key_set, ScanOptions::new().pattern("m29*"))
            .collect::<Result<_, _>>()
            .unwrap();
        let expected: BTreeSet<String> = [
            "m29", "m290", "m291", "m292", "m293", "m294", "m295", "m296", "m297", "m298", "m299",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(matched, expected);

        // Small collections (listpack-encoded, one page).
        let small: Vec<(String, f64)> = {
            r.zadd::<_, _, i64>("scan:coll:smallz", [(1.5, "a"), (2.5, "b")])
                .unwrap();
            r.zscan_iter::<String>("scan:coll:smallz", ScanOptions::new())
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(small, vec![("a".to_string(), 1.5), ("b".to_string(), 2.5)]);
    }
}

#[test]
fn missing_key_scans_nothing() {
    let r = client();
    assert_eq!(
        r.sscan_iter::<String>("scan:missing:set", ScanOptions::new())
            .count(),
        0
    );
    assert_eq!(
        r.hscan_iter::<String, String>("scan:missing:hash", ScanOptions::new())
            .count(),
        0
    );
}

#[test]
fn a_failed_page_is_yielded_once_then_the_iteration_ends() {
    let r = client();
    r.set::<_, _, ()>("scan:wrongtype:k", "a string").unwrap();
    let mut iter = r.sscan_iter::<String>("scan:wrongtype:k", ScanOptions::new());
    match iter.next() {
        Some(Err(Error::Server(e))) => assert!(e.text().contains("WRONGTYPE"), "{e:?}"),
        other => panic!("expected WRONGTYPE, got {other:?}"),
    }
    assert!(iter.next().is_none());
    // TYPE is for SCAN only: the server refuses it on SSCAN.
    let mut iter = r.sscan_iter::<String>("scan:wrongtype:k", ScanOptions::new().type_("set"));
    assert!(matches!(iter.next(), Some(Err(Error::Server(_)))));
    assert!(iter.next().is_none());
}

/// Each page borrows a connection for that page only: with a pool of one, other commands
/// run between pages.
#[test]
fn iteration_does_not_pin_a_connection() {
    let r = Client::builder(shared_server().url())
        .max_size(1)
        .pool_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let members: Vec<String> = (0..200).map(|i| format!("p{i}")).collect();
    r.del::<_, ()>(["scan:pin:set"]).unwrap();
    r.sadd::<_, _, i64>("scan:pin:set", &members).unwrap();
    let mut seen = BTreeSet::new();
    let mut pages_between = 0;
    for member in r.sscan_iter::<String>("scan:pin:set", ScanOptions::new().count(10)) {
        seen.insert(member.unwrap());
        // The only connection is free in between.
        let card: i64 = r.scard("scan:pin:set").unwrap();
        assert_eq!(card, 200);
        pages_between += 1;
    }
    assert_eq!(seen.len(), 200);
    assert_eq!(pages_between, 200);
}
