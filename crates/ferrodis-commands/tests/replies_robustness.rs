//! No reply parser panics, whatever the server sends: arbitrary RESP values (and arbitrary
//! text for the text-based replies) either convert or give an error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use ferrodis_commands::replies::*;
use ferrodis_commands::{FromValue, Value};
use proptest::prelude::*;

/// Strings that look like the pieces of real replies, so that conversions get deep.
fn text() -> impl Strategy<Value = Bytes> {
    const PIECES: &[&str] = &[
        "1-1",
        "0-0",
        "name",
        "length",
        "groups",
        "entries",
        "pending",
        "consumers",
        "flags",
        "slots",
        "nodes",
        "id",
        "port",
        "ip",
        "matches",
        "len",
        "master",
        "slave",
        "sentinel",
        "db.0",
        "library_name",
        "engine",
        "functions",
        "arguments",
        "subcommands",
        "type",
        "-1",
        "12.5",
        "",
        "id=1 addr=a fd=1 name= age=1 idle=1 flags=N db=0 sub=0 psub=0 multi=-1 cmd=x",
        "a 1.2.3.4:1@2 master - 0 0 1 connected 0-5 [5->-b]",
        "# Keyspace\r\ndb0:keys=1,expires=0\r\n",
    ];
    prop_oneof![
        prop::sample::select(PIECES).prop_map(|s| Bytes::from_static(s.as_bytes())),
        "[ -~]{0,12}".prop_map(Bytes::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Nil),
        any::<i64>().prop_map(Value::Integer),
        (-3i64..20).prop_map(Value::Integer),
        text().prop_map(Value::BulkString),
        text().prop_map(Value::SimpleString),
        any::<f64>().prop_map(Value::Double),
        any::<bool>().prop_map(Value::Boolean),
        text().prop_map(|t| Value::VerbatimString {
            format: *b"txt",
            text: t
        }),
        Just(Value::SimpleError(Bytes::from_static(b"ERR nope"))),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Set),
            prop::collection::vec((text().prop_map(Value::BulkString), inner.clone()), 0..6)
                .prop_map(Value::Map),
            (
                prop::collection::vec((inner.clone(), inner.clone()), 0..2),
                inner
            )
                .prop_map(|(attributes, value)| Value::Attribute {
                    attributes,
                    value: Box::new(value)
                }),
        ]
    })
}

fn all(v: &Value) {
    macro_rules! each {
        ($($t:ty),* $(,)?) => {$(
            let _ = <$t>::from_value(v.clone());
            let _ = <Vec<$t>>::from_value(v.clone());
        )*};
    }
    each!(
        StreamId,
        StreamEntry,
        StreamReadReply,
        PendingSummary,
        PendingEntry,
        StreamInfo,
        StreamInfoFull,
        GroupInfo,
        ConsumerInfo,
        ClaimReply,
        AutoClaimReply,
        GeoPos,
        GeoSearchResult,
        Ttl,
        PTtl,
        ExpireTime,
        PExpireTime,
        KeyType,
        Info,
        ClientInfo,
        ClientList,
        SlowLogEntry,
        Role,
        SlotRange,
        ClusterShard,
        ClusterNode,
        ClusterNodes,
        SentinelInstance,
        LcsMatches,
        MemoryStats,
        CommandDocs,
        FunctionLibrary,
        AclLogEntry,
        LatencyEvent,
        LatencySample,
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_value_panics(v in value()) {
        all(&v);
    }

    #[test]
    fn no_text_panics(s in "[ -~\\n\\[\\]@,:=>-]{0,80}") {
        let _ = ClientInfo::parse(&s);
        let _ = ClientList::parse(&s);
        let _ = ClusterNode::parse(&s);
        let _ = ClusterNodes::parse(&s);
        let info = Info::parse(&s);
        let _ = info.keyspace();
        let _ = s.parse::<StreamId>();
    }
}
