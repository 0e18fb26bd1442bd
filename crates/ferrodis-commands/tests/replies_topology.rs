//! Cluster and sentinel topology replies, decoded from bytes captured over RESP2 and RESP3
//! (`HELLO 3`) from redis-server 7.0.15: a three-node cluster (two masters, one replica,
//! announced hostnames, slot 5 migrating) and two sentinels monitoring a master with one
//! replica. Forms of other versions and states are written after the Redis docs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ferrodis_commands::replies::{
    ClusterNode, ClusterNodes, ClusterShard, NodeSlot, SentinelInstance, SlotNode, SlotRange,
};
use ferrodis_commands::{Error, FromValue, Value};

fn decode(bytes: &[u8]) -> Value {
    let (value, used) = ferrodis_resp::decode(bytes).unwrap().unwrap();
    assert_eq!(used, bytes.len(), "trailing bytes");
    value
}

fn parse<T: FromValue>(bytes: &[u8]) -> T {
    T::from_value(decode(bytes)).unwrap()
}

fn both<T: FromValue + PartialEq + std::fmt::Debug>(resp2: &[u8], resp3: &[u8]) -> T {
    let a: T = parse(resp2);
    let b: T = parse(resp3);
    assert_eq!(a, b, "RESP2 and RESP3 forms differ");
    a
}

const A: &str = "913e2f7fc9991127f06ac4c10cb5a32eafafbc73";
const B: &str = "74033aaabe7ebc4684b9063e32cf6dc34c29c961";
const R: &str = "07abd33f77fa73ea3a41daf19920c68e8a1b41f3";

#[test]
fn cluster_slots() {
    let slots: Vec<SlotRange> = both(b"*2\r\n*4\r\n:0\r\n:8000\r\n*4\r\n$9\r\n127.0.0.1\r\n:27401\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n*2\r\n$8\r\nhostname\r\n$18\r\nhost-27401.example\r\n*4\r\n$9\r\n127.0.0.1\r\n:27403\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n*2\r\n$8\r\nhostname\r\n$18\r\nhost-27403.example\r\n*3\r\n:8001\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:27402\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n*2\r\n$8\r\nhostname\r\n$18\r\nhost-27402.example\r\n", b"*2\r\n*4\r\n:0\r\n:8000\r\n*4\r\n$9\r\n127.0.0.1\r\n:27401\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n%1\r\n$8\r\nhostname\r\n$18\r\nhost-27401.example\r\n*4\r\n$9\r\n127.0.0.1\r\n:27403\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n%1\r\n$8\r\nhostname\r\n$18\r\nhost-27403.example\r\n*3\r\n:8001\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:27402\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n%1\r\n$8\r\nhostname\r\n$18\r\nhost-27402.example\r\n");
    assert_eq!(slots.len(), 2);
    assert_eq!((slots[0].start, slots[0].end), (0, 8000));
    let m = &slots[0].master;
    assert_eq!((m.endpoint.as_str(), m.port), ("127.0.0.1", 27401));
    assert_eq!(m.id.as_deref(), Some(A));
    assert_eq!(m.hostname.as_deref(), Some("host-27401.example"));
    assert_eq!(m.ip, None);
    assert_eq!(slots[0].replicas.len(), 1);
    assert_eq!(slots[0].replicas[0].port, 27403);
    assert_eq!(slots[0].replicas[0].id.as_deref(), Some(R));
    assert_eq!((slots[1].start, slots[1].end), (8001, 16383));
    assert!(slots[1].replicas.is_empty());
}

#[test]
fn cluster_slots_endpoint_types() {
    // 27402's hostname unset: an empty metadata map (RESP2 `*0`, RESP3 `%0`).
    let slots: Vec<SlotRange> = both(b"*2\r\n*4\r\n:0\r\n:8000\r\n*4\r\n$9\r\n127.0.0.1\r\n:27401\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n*2\r\n$8\r\nhostname\r\n$18\r\nhost-27401.example\r\n*4\r\n$9\r\n127.0.0.1\r\n:27403\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n*2\r\n$8\r\nhostname\r\n$18\r\nhost-27403.example\r\n*3\r\n:8001\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:27402\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n*0\r\n", b"*2\r\n*4\r\n:0\r\n:8000\r\n*4\r\n$9\r\n127.0.0.1\r\n:27401\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n%1\r\n$8\r\nhostname\r\n$18\r\nhost-27401.example\r\n*4\r\n$9\r\n127.0.0.1\r\n:27403\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n%1\r\n$8\r\nhostname\r\n$18\r\nhost-27403.example\r\n*3\r\n:8001\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:27402\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n%0\r\n");
    let b = &slots[1].master;
    assert_eq!(
        (
            b.endpoint.as_str(),
            b.port,
            b.hostname.as_deref(),
            b.ip.as_deref()
        ),
        ("127.0.0.1", 27402, None, None)
    );
    assert_eq!(
        slots[0].master.hostname.as_deref(),
        Some("host-27401.example")
    );

    // cluster-preferred-endpoint-type hostname: the hostname is the endpoint, the IP moves
    // to the metadata, and a node without a hostname has endpoint `?`.
    let slots: Vec<SlotRange> = both(b"*2\r\n*4\r\n:0\r\n:8000\r\n*4\r\n$18\r\nhost-27401.example\r\n:27401\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n*2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n*4\r\n$18\r\nhost-27403.example\r\n:27403\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n*2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n*3\r\n:8001\r\n:16383\r\n*4\r\n$1\r\n?\r\n:27402\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n*2\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n", b"*2\r\n*4\r\n:0\r\n:8000\r\n*4\r\n$18\r\nhost-27401.example\r\n:27401\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n%1\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n*4\r\n$18\r\nhost-27403.example\r\n:27403\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n%1\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n*3\r\n:8001\r\n:16383\r\n*4\r\n$1\r\n?\r\n:27402\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n%1\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n");
    let a = &slots[0].master;
    assert_eq!(
        (a.endpoint.as_str(), a.ip.as_deref(), a.hostname.as_deref()),
        ("host-27401.example", Some("127.0.0.1"), None)
    );
    assert_eq!(slots[0].replicas[0].endpoint, "host-27403.example");
    let b = &slots[1].master;
    assert_eq!(
        (b.endpoint.as_str(), b.ip.as_deref()),
        ("?", Some("127.0.0.1"))
    );

    let shards: Vec<ClusterShard> = parse(b"*2\r\n%2\r\n$5\r\nslots\r\n*2\r\n:0\r\n:8000\r\n$5\r\nnodes\r\n*2\r\n%8\r\n$2\r\nid\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n$4\r\nport\r\n:27401\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$18\r\nhost-27401.example\r\n$8\r\nhostname\r\n$18\r\nhost-27401.example\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:1344\r\n$6\r\nhealth\r\n$6\r\nonline\r\n%8\r\n$2\r\nid\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n$4\r\nport\r\n:27403\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$18\r\nhost-27403.example\r\n$8\r\nhostname\r\n$18\r\nhost-27403.example\r\n$4\r\nrole\r\n$7\r\nreplica\r\n$18\r\nreplication-offset\r\n:1330\r\n$6\r\nhealth\r\n$6\r\nonline\r\n%2\r\n$5\r\nslots\r\n*2\r\n:8001\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n%7\r\n$2\r\nid\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n$4\r\nport\r\n:27402\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$1\r\n?\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n");
    assert_eq!(shards[0].nodes[0].endpoint, "host-27401.example");
    assert_eq!(shards[0].nodes[0].ip, "127.0.0.1");
    let b = shards[1].master().unwrap();
    assert_eq!((b.endpoint.as_str(), b.hostname.as_deref()), ("?", None));

    let nodes: ClusterNodes = parse(b"$448\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3 127.0.0.1:27403@37403,host-27403.example slave 913e2f7fc9991127f06ac4c10cb5a32eafafbc73 0 1795258042330 0 connected\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73 127.0.0.1:27401@37401,host-27401.example myself,master - 0 1795258042000 0 connected 0-8000 [5->-74033aaabe7ebc4684b9063e32cf6dc34c29c961]\n74033aaabe7ebc4684b9063e32cf6dc34c29c961 127.0.0.1:27402@37402 master - 0 1795258043333 1 connected 8001-16383\n\r\n");
    assert_eq!(nodes.nodes[2].hostname, None);
    assert_eq!(nodes.nodes[2].cport, Some(37402));
}

#[test]
fn cluster_slots_other_forms() {
    // Redis 7.0 without hostnames: an empty metadata map.
    let n: SlotNode = parse(b"*4\r\n$8\r\n10.0.0.1\r\n:7000\r\n$2\r\nid\r\n%0\r\n");
    assert_eq!((n.hostname, n.ip), (None, None));
    let n: SlotNode = parse(b"*4\r\n$8\r\n10.0.0.1\r\n:7000\r\n$2\r\nid\r\n*0\r\n");
    assert_eq!(n.endpoint, "10.0.0.1");
    // Redis 4.0 to 6.2: three elements; 3.x: two.
    let n: SlotNode = parse(b"*3\r\n$8\r\n10.0.0.1\r\n:7000\r\n$2\r\nid\r\n");
    assert_eq!(n.id.as_deref(), Some("id"));
    let n: SlotNode = parse(b"*2\r\n$8\r\n10.0.0.1\r\n:7000\r\n");
    assert_eq!(n.id, None);
    // cluster-preferred-endpoint-type hostname: the IP moves to the metadata.
    let n: SlotNode = parse(
        b"*4\r\n$10\r\nh1.example\r\n:7000\r\n$2\r\nid\r\n%1\r\n$2\r\nip\r\n$8\r\n10.0.0.1\r\n",
    );
    assert_eq!(
        (n.endpoint.as_str(), n.ip.as_deref()),
        ("h1.example", Some("10.0.0.1"))
    );
    // Unknown endpoint.
    let n: SlotNode =
        parse(b"*4\r\n$1\r\n?\r\n:7000\r\n$2\r\nid\r\n*2\r\n$2\r\nip\r\n$8\r\n10.0.0.1\r\n");
    assert_eq!(n.endpoint, "?");
    assert_eq!(n.ip.as_deref(), Some("10.0.0.1"));
    for bad in [
        &b"*1\r\n:1\r\n"[..],
        b"*3\r\n:0\r\n:1\r\n:2\r\n",
        b"*3\r\n:0\r\n:99999\r\n*2\r\n$1\r\na\r\n:1\r\n",
    ] {
        assert!(
            matches!(
                SlotRange::from_value(decode(bad)),
                Err(Error::Conversion { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn cluster_shards() {
    let shards: Vec<ClusterShard> = both(b"*2\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:8000\r\n$5\r\nnodes\r\n*2\r\n*16\r\n$2\r\nid\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n$4\r\nport\r\n:27401\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$8\r\nhostname\r\n$18\r\nhost-27401.example\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:42\r\n$6\r\nhealth\r\n$6\r\nonline\r\n*16\r\n$2\r\nid\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n$4\r\nport\r\n:27403\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$8\r\nhostname\r\n$18\r\nhost-27403.example\r\n$4\r\nrole\r\n$7\r\nreplica\r\n$18\r\nreplication-offset\r\n:42\r\n$6\r\nhealth\r\n$6\r\nonline\r\n*4\r\n$5\r\nslots\r\n*2\r\n:8001\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n*16\r\n$2\r\nid\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n$4\r\nport\r\n:27402\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$8\r\nhostname\r\n$18\r\nhost-27402.example\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n", b"*2\r\n%2\r\n$5\r\nslots\r\n*2\r\n:0\r\n:8000\r\n$5\r\nnodes\r\n*2\r\n%8\r\n$2\r\nid\r\n$40\r\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73\r\n$4\r\nport\r\n:27401\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$8\r\nhostname\r\n$18\r\nhost-27401.example\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:42\r\n$6\r\nhealth\r\n$6\r\nonline\r\n%8\r\n$2\r\nid\r\n$40\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3\r\n$4\r\nport\r\n:27403\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$8\r\nhostname\r\n$18\r\nhost-27403.example\r\n$4\r\nrole\r\n$7\r\nreplica\r\n$18\r\nreplication-offset\r\n:42\r\n$6\r\nhealth\r\n$6\r\nonline\r\n%2\r\n$5\r\nslots\r\n*2\r\n:8001\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n%8\r\n$2\r\nid\r\n$40\r\n74033aaabe7ebc4684b9063e32cf6dc34c29c961\r\n$4\r\nport\r\n:27402\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$8\r\nhostname\r\n$18\r\nhost-27402.example\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n");
    assert_eq!(shards.len(), 2);
    assert_eq!(shards[0].slots, [(0, 8000)]);
    assert_eq!(shards[0].nodes.len(), 2);
    let master = shards[0].master().unwrap();
    assert_eq!(master.id, A);
    assert_eq!(master.port, Some(27401));
    assert_eq!(master.tls_port, None);
    assert_eq!(
        (master.ip.as_str(), master.endpoint.as_str()),
        ("127.0.0.1", "127.0.0.1")
    );
    assert_eq!(master.hostname.as_deref(), Some("host-27401.example"));
    assert_eq!(master.replication_offset, 42);
    assert!(master.is_online());
    let replica = &shards[0].nodes[1];
    assert_eq!(replica.role, "replica");
    assert!(!replica.is_master());
    assert_eq!(shards[1].slots, [(8001, 16383)]);
    assert_eq!(shards[1].master().unwrap().id, B);

    // TLS only, several ranges, a failed node.
    let shard: ClusterShard = parse(b"%2\r\n$5\r\nslots\r\n*4\r\n:0\r\n:10\r\n:20\r\n:30\r\n$5\r\nnodes\r\n*1\r\n%8\r\n$2\r\nid\r\n$1\r\nx\r\n$8\r\ntls-port\r\n:7443\r\n$2\r\nip\r\n$8\r\n10.0.0.1\r\n$8\r\nendpoint\r\n$8\r\n10.0.0.1\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nfailed\r\n$8\r\nhostname\r\n$0\r\n\r\n");
    assert_eq!(shard.slots, [(0, 10), (20, 30)]);
    assert_eq!(
        (shard.nodes[0].port, shard.nodes[0].tls_port),
        (None, Some(7443))
    );
    assert_eq!(shard.nodes[0].hostname, None);
    assert!(!shard.nodes[0].is_online());
    let odd = ClusterShard::from_value(decode(
        b"%2\r\n$5\r\nslots\r\n*1\r\n:0\r\n$5\r\nnodes\r\n*0\r\n",
    ));
    assert!(matches!(odd, Err(Error::Conversion { .. })));
}

#[test]
fn cluster_nodes() {
    let nodes: ClusterNodes = both(b"$467\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3 127.0.0.1:27403@37403,host-27403.example slave 913e2f7fc9991127f06ac4c10cb5a32eafafbc73 0 1795257104865 0 connected\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73 127.0.0.1:27401@37401,host-27401.example myself,master - 0 1795257102000 0 connected 0-8000 [5->-74033aaabe7ebc4684b9063e32cf6dc34c29c961]\n74033aaabe7ebc4684b9063e32cf6dc34c29c961 127.0.0.1:27402@37402,host-27402.example master - 0 1795257105867 1 connected 8001-16383\n\r\n", b"=471\r\ntxt:07abd33f77fa73ea3a41daf19920c68e8a1b41f3 127.0.0.1:27403@37403,host-27403.example slave 913e2f7fc9991127f06ac4c10cb5a32eafafbc73 0 1795257104865 0 connected\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73 127.0.0.1:27401@37401,host-27401.example myself,master - 0 1795257102000 0 connected 0-8000 [5->-74033aaabe7ebc4684b9063e32cf6dc34c29c961]\n74033aaabe7ebc4684b9063e32cf6dc34c29c961 127.0.0.1:27402@37402,host-27402.example master - 0 1795257105867 1 connected 8001-16383\n\r\n");
    assert_eq!(nodes.nodes.len(), 3);
    let replica = &nodes.nodes[0];
    assert_eq!(replica.id, R);
    assert_eq!(
        (replica.ip.as_str(), replica.port, replica.cport),
        ("127.0.0.1", 27403, Some(37403))
    );
    assert_eq!(replica.hostname.as_deref(), Some("host-27403.example"));
    assert!(replica.is_replica() && !replica.is_master() && !replica.is_myself());
    assert_eq!(replica.master_id.as_deref(), Some(A));
    assert!(replica.pong_recv > 1_700_000_000_000);
    assert_eq!(replica.config_epoch, 0);
    assert!(replica.is_connected());
    assert!(replica.slots.is_empty());
    assert_eq!(replica.addr(), "127.0.0.1:27403");

    let me = nodes.myself().unwrap();
    assert_eq!(me.id, A);
    assert!(me.is_master());
    assert_eq!(me.master_id, None);
    assert_eq!(
        me.slots,
        [
            NodeSlot::Range {
                start: 0,
                end: 8000
            },
            NodeSlot::Migrating {
                slot: 5,
                to: B.into()
            }
        ]
    );
    assert_eq!(nodes.nodes[2].config_epoch, 1);

    // The other side of the migration.
    let nodes: ClusterNodes = both(b"$467\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3 127.0.0.1:27403@37403,host-27403.example slave 913e2f7fc9991127f06ac4c10cb5a32eafafbc73 0 1795257105867 0 connected\n74033aaabe7ebc4684b9063e32cf6dc34c29c961 127.0.0.1:27402@37402,host-27402.example myself,master - 0 1795257103000 1 connected 8001-16383 [5-<-913e2f7fc9991127f06ac4c10cb5a32eafafbc73]\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73 127.0.0.1:27401@37401,host-27401.example master - 0 1795257104864 0 connected 0-8000\n\r\n", b"=471\r\ntxt:07abd33f77fa73ea3a41daf19920c68e8a1b41f3 127.0.0.1:27403@37403,host-27403.example slave 913e2f7fc9991127f06ac4c10cb5a32eafafbc73 0 1795257105867 0 connected\n74033aaabe7ebc4684b9063e32cf6dc34c29c961 127.0.0.1:27402@37402,host-27402.example myself,master - 0 1795257103000 1 connected 8001-16383 [5-<-913e2f7fc9991127f06ac4c10cb5a32eafafbc73]\n913e2f7fc9991127f06ac4c10cb5a32eafafbc73 127.0.0.1:27401@37401,host-27401.example master - 0 1795257104864 0 connected 0-8000\n\r\n");
    assert_eq!(
        nodes.myself().unwrap().slots,
        [
            NodeSlot::Range {
                start: 8001,
                end: 16383
            },
            NodeSlot::Importing {
                slot: 5,
                from: A.into()
            }
        ]
    );
    assert_eq!(nodes.into_iter().count(), 3);
}

#[test]
fn cluster_replicas_lines() {
    let replicas: Vec<ClusterNode> = both(b"*1\r\n$163\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3 127.0.0.1:27403@37403,host-27403.example myself,slave 913e2f7fc9991127f06ac4c10cb5a32eafafbc73 0 1795257103000 0 connected\r\n", b"*1\r\n$163\r\n07abd33f77fa73ea3a41daf19920c68e8a1b41f3 127.0.0.1:27403@37403,host-27403.example myself,slave 913e2f7fc9991127f06ac4c10cb5a32eafafbc73 0 1795257103000 0 connected\r\n");
    assert_eq!(replicas.len(), 1);
    assert!(replicas[0].is_myself() && replicas[0].is_replica());
    assert_eq!(replicas[0].master_id.as_deref(), Some(A));
}

#[test]
fn cluster_nodes_other_forms() {
    // No address yet, no flags, a suspected failure, a single slot, IPv6, pre-4.0 address
    // without bus port, and Redis 7.2's auxiliary fields with an empty hostname.
    let text = "\
a :0@0 master,noaddr - 1 2 0 disconnected\n\
b 10.0.0.2:7001@17001 noflags - 0 0 3 connected 5 7-9\n\
c ::1:7002@17002 slave,fail? b 0 0 3 connected\n\
d 10.0.0.4:7003 master - 0 0 4 connected 100-200\n\
e 10.0.0.5:7004@17004,,tls-port=0,shard-id=f00 myself,master - 0 0 5 connected\n\
f 10.0.0.6:7005@17005,h6.example,shard-id=f00 slave e 0 0 5 connected\n";
    let nodes = ClusterNodes::parse(text).unwrap().nodes;
    assert_eq!(
        (nodes[0].ip.as_str(), nodes[0].port, nodes[0].cport),
        ("", 0, Some(0))
    );
    assert!(nodes[0].has_flag("noaddr") && !nodes[0].is_connected());
    assert!(nodes[1].flags.is_empty());
    assert_eq!(
        nodes[1].slots,
        [
            NodeSlot::Range { start: 5, end: 5 },
            NodeSlot::Range { start: 7, end: 9 }
        ]
    );
    assert_eq!((nodes[2].ip.as_str(), nodes[2].port), ("::1", 7002));
    assert_eq!(nodes[2].addr(), "[::1]:7002");
    assert!(nodes[2].is_failing() && nodes[2].is_replica());
    assert_eq!(nodes[3].cport, None);
    assert_eq!(nodes[4].hostname, None);
    assert_eq!(
        nodes[4].aux,
        [
            ("tls-port".to_owned(), "0".to_owned()),
            ("shard-id".to_owned(), "f00".to_owned())
        ]
    );
    assert_eq!(nodes[5].hostname.as_deref(), Some("h6.example"));
    assert_eq!(nodes[5].aux.len(), 1);

    for bad in [
        "a 1.2.3.4:7000@17000 master - 0 0",
        "a 1.2.3.4 master - 0 0 1 connected",
        "a 1.2.3.4:x@1 master - 0 0 1 connected",
        "a 1.2.3.4:1@1 master - 0 0 1 connected 5-x",
        "a 1.2.3.4:1@1 master - 0 0 1 connected [5-?-b]",
        "a 1.2.3.4:1@1 master - 0 0 1 connected 99999",
        "a 1.2.3.4:1@1 master - x 0 1 connected",
    ] {
        let err = ClusterNode::parse(bad).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Conversion {
                    expected: "ClusterNode",
                    ..
                }
            ),
            "{bad}"
        );
    }
}

#[test]
fn sentinel_masters() {
    let masters: Vec<SentinelInstance> = both(b"*1\r\n*40\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27391\r\n$5\r\nrunid\r\n$40\r\n01251c0b439c08247a1154bea8682e31b47462e8\r\n$5\r\nflags\r\n$6\r\nmaster\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n517\r\n$15\r\nlast-ping-reply\r\n$3\r\n517\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$12\r\ninfo-refresh\r\n$4\r\n7805\r\n$13\r\nrole-reported\r\n$6\r\nmaster\r\n$18\r\nrole-reported-time\r\n$5\r\n48032\r\n$12\r\nconfig-epoch\r\n$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n1\r\n$19\r\nnum-other-sentinels\r\n$1\r\n1\r\n$6\r\nquorum\r\n$1\r\n2\r\n$16\r\nfailover-timeout\r\n$6\r\n180000\r\n$14\r\nparallel-syncs\r\n$1\r\n1\r\n", b"*1\r\n%20\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27391\r\n$5\r\nrunid\r\n$40\r\n01251c0b439c08247a1154bea8682e31b47462e8\r\n$5\r\nflags\r\n$6\r\nmaster\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n517\r\n$15\r\nlast-ping-reply\r\n$3\r\n517\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$12\r\ninfo-refresh\r\n$4\r\n7805\r\n$13\r\nrole-reported\r\n$6\r\nmaster\r\n$18\r\nrole-reported-time\r\n$5\r\n48032\r\n$12\r\nconfig-epoch\r\n$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n1\r\n$19\r\nnum-other-sentinels\r\n$1\r\n1\r\n$6\r\nquorum\r\n$1\r\n2\r\n$16\r\nfailover-timeout\r\n$6\r\n180000\r\n$14\r\nparallel-syncs\r\n$1\r\n1\r\n");
    assert_eq!(masters.len(), 1);
    let m = &masters[0];
    assert_eq!(m.name(), Some("mymaster"));
    assert_eq!(m.ip(), Some("127.0.0.1"));
    assert_eq!(m.port(), Some(27391));
    assert_eq!(m.run_id(), Some("01251c0b439c08247a1154bea8682e31b47462e8"));
    assert_eq!(m.flags().collect::<Vec<_>>(), ["master"]);
    assert!(!m.is_down() && !m.is_disconnected());
    assert_eq!(m.num_slaves(), Some(1));
    assert_eq!(m.num_other_sentinels(), Some(1));
    assert_eq!(m.quorum(), Some(2));
    assert_eq!(m.config_epoch(), Some(0));
    assert_eq!(m.get("failover-timeout"), Some("180000"));
    assert_eq!(m.fields().len(), 20);

    let single: SentinelInstance = parse(b"*40\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27391\r\n$5\r\nrunid\r\n$40\r\n01251c0b439c08247a1154bea8682e31b47462e8\r\n$5\r\nflags\r\n$6\r\nmaster\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n517\r\n$15\r\nlast-ping-reply\r\n$3\r\n517\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$12\r\ninfo-refresh\r\n$4\r\n7805\r\n$13\r\nrole-reported\r\n$6\r\nmaster\r\n$18\r\nrole-reported-time\r\n$5\r\n48032\r\n$12\r\nconfig-epoch\r\n$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n1\r\n$19\r\nnum-other-sentinels\r\n$1\r\n1\r\n$6\r\nquorum\r\n$1\r\n2\r\n$16\r\nfailover-timeout\r\n$6\r\n180000\r\n$14\r\nparallel-syncs\r\n$1\r\n1\r\n");
    assert_eq!(single.name(), Some("mymaster"));
    let single3: SentinelInstance = parse(b"%20\r\n$4\r\nname\r\n$8\r\nmymaster\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27391\r\n$5\r\nrunid\r\n$40\r\n01251c0b439c08247a1154bea8682e31b47462e8\r\n$5\r\nflags\r\n$6\r\nmaster\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n518\r\n$15\r\nlast-ping-reply\r\n$3\r\n518\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$12\r\ninfo-refresh\r\n$4\r\n7806\r\n$13\r\nrole-reported\r\n$6\r\nmaster\r\n$18\r\nrole-reported-time\r\n$5\r\n48033\r\n$12\r\nconfig-epoch\r\n$1\r\n0\r\n$10\r\nnum-slaves\r\n$1\r\n1\r\n$19\r\nnum-other-sentinels\r\n$1\r\n1\r\n$6\r\nquorum\r\n$1\r\n2\r\n$16\r\nfailover-timeout\r\n$6\r\n180000\r\n$14\r\nparallel-syncs\r\n$1\r\n1\r\n");
    assert_eq!(single3.quorum(), Some(2));
}

#[test]
fn sentinel_replicas_and_slaves() {
    let replicas: Vec<SentinelInstance> = both(b"*1\r\n*42\r\n$4\r\nname\r\n$15\r\n127.0.0.1:27392\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27392\r\n$5\r\nrunid\r\n$40\r\neef56a14686de1a15e6f454d4f01d82849f1a275\r\n$5\r\nflags\r\n$5\r\nslave\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n518\r\n$15\r\nlast-ping-reply\r\n$3\r\n518\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$12\r\ninfo-refresh\r\n$4\r\n7806\r\n$13\r\nrole-reported\r\n$5\r\nslave\r\n$18\r\nrole-reported-time\r\n$5\r\n48023\r\n$21\r\nmaster-link-down-time\r\n$1\r\n0\r\n$18\r\nmaster-link-status\r\n$2\r\nok\r\n$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n$11\r\nmaster-port\r\n$5\r\n27391\r\n$14\r\nslave-priority\r\n$3\r\n100\r\n$17\r\nslave-repl-offset\r\n$4\r\n9651\r\n$17\r\nreplica-announced\r\n$1\r\n1\r\n", b"*1\r\n%21\r\n$4\r\nname\r\n$15\r\n127.0.0.1:27392\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27392\r\n$5\r\nrunid\r\n$40\r\neef56a14686de1a15e6f454d4f01d82849f1a275\r\n$5\r\nflags\r\n$5\r\nslave\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n518\r\n$15\r\nlast-ping-reply\r\n$3\r\n518\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$12\r\ninfo-refresh\r\n$4\r\n7806\r\n$13\r\nrole-reported\r\n$5\r\nslave\r\n$18\r\nrole-reported-time\r\n$5\r\n48023\r\n$21\r\nmaster-link-down-time\r\n$1\r\n0\r\n$18\r\nmaster-link-status\r\n$2\r\nok\r\n$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n$11\r\nmaster-port\r\n$5\r\n27391\r\n$14\r\nslave-priority\r\n$3\r\n100\r\n$17\r\nslave-repl-offset\r\n$4\r\n9651\r\n$17\r\nreplica-announced\r\n$1\r\n1\r\n");
    let slaves: Vec<SentinelInstance> = both(b"*1\r\n*42\r\n$4\r\nname\r\n$15\r\n127.0.0.1:27392\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27392\r\n$5\r\nrunid\r\n$40\r\neef56a14686de1a15e6f454d4f01d82849f1a275\r\n$5\r\nflags\r\n$5\r\nslave\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n518\r\n$15\r\nlast-ping-reply\r\n$3\r\n518\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$12\r\ninfo-refresh\r\n$4\r\n7806\r\n$13\r\nrole-reported\r\n$5\r\nslave\r\n$18\r\nrole-reported-time\r\n$5\r\n48023\r\n$21\r\nmaster-link-down-time\r\n$1\r\n0\r\n$18\r\nmaster-link-status\r\n$2\r\nok\r\n$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n$11\r\nmaster-port\r\n$5\r\n27391\r\n$14\r\nslave-priority\r\n$3\r\n100\r\n$17\r\nslave-repl-offset\r\n$4\r\n9651\r\n$17\r\nreplica-announced\r\n$1\r\n1\r\n", b"*1\r\n%21\r\n$4\r\nname\r\n$15\r\n127.0.0.1:27392\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27392\r\n$5\r\nrunid\r\n$40\r\neef56a14686de1a15e6f454d4f01d82849f1a275\r\n$5\r\nflags\r\n$5\r\nslave\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n518\r\n$15\r\nlast-ping-reply\r\n$3\r\n518\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$12\r\ninfo-refresh\r\n$4\r\n7806\r\n$13\r\nrole-reported\r\n$5\r\nslave\r\n$18\r\nrole-reported-time\r\n$5\r\n48023\r\n$21\r\nmaster-link-down-time\r\n$1\r\n0\r\n$18\r\nmaster-link-status\r\n$2\r\nok\r\n$11\r\nmaster-host\r\n$9\r\n127.0.0.1\r\n$11\r\nmaster-port\r\n$5\r\n27391\r\n$14\r\nslave-priority\r\n$3\r\n100\r\n$17\r\nslave-repl-offset\r\n$4\r\n9651\r\n$17\r\nreplica-announced\r\n$1\r\n1\r\n");
    assert_eq!(replicas, slaves);
    let r = &replicas[0];
    assert_eq!(r.name(), Some("127.0.0.1:27392"));
    assert_eq!(r.port(), Some(27392));
    assert!(r.has_flag("slave"));
    assert_eq!(r.master_link_status(), Some("ok"));
    assert_eq!(r.master_host(), Some("127.0.0.1"));
    assert_eq!(r.master_port(), Some(27391));
    assert_eq!(r.replica_priority(), Some(100));
    assert_eq!(r.replica_repl_offset(), Some(9651));
    assert_eq!(r.role_reported(), Some("slave"));
}

#[test]
fn sentinel_sentinels() {
    let sentinels: Vec<SentinelInstance> = both(b"*1\r\n*28\r\n$4\r\nname\r\n$40\r\nf865eb597ee11bf715e04f89a1e8de16f96fafbe\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27394\r\n$5\r\nrunid\r\n$40\r\nf865eb597ee11bf715e04f89a1e8de16f96fafbe\r\n$5\r\nflags\r\n$8\r\nsentinel\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n519\r\n$15\r\nlast-ping-reply\r\n$3\r\n519\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$18\r\nlast-hello-message\r\n$4\r\n1151\r\n$12\r\nvoted-leader\r\n$1\r\n?\r\n$18\r\nvoted-leader-epoch\r\n$1\r\n0\r\n", b"*1\r\n%14\r\n$4\r\nname\r\n$40\r\nf865eb597ee11bf715e04f89a1e8de16f96fafbe\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nport\r\n$5\r\n27394\r\n$5\r\nrunid\r\n$40\r\nf865eb597ee11bf715e04f89a1e8de16f96fafbe\r\n$5\r\nflags\r\n$8\r\nsentinel\r\n$21\r\nlink-pending-commands\r\n$1\r\n0\r\n$13\r\nlink-refcount\r\n$1\r\n1\r\n$14\r\nlast-ping-sent\r\n$1\r\n0\r\n$18\r\nlast-ok-ping-reply\r\n$3\r\n519\r\n$15\r\nlast-ping-reply\r\n$3\r\n519\r\n$23\r\ndown-after-milliseconds\r\n$4\r\n5000\r\n$18\r\nlast-hello-message\r\n$4\r\n1151\r\n$12\r\nvoted-leader\r\n$1\r\n?\r\n$18\r\nvoted-leader-epoch\r\n$1\r\n0\r\n");
    assert_eq!(sentinels.len(), 1);
    let s = &sentinels[0];
    assert_eq!(s.port(), Some(27394));
    assert!(s.has_flag("sentinel"));
    assert_eq!(s.get("voted-leader"), Some("?"));
    assert_eq!(s.num_slaves(), None);
}

#[test]
fn sentinel_down_flags() {
    let s = |t: &str| Value::BulkString(t.to_owned().into());
    let down = SentinelInstance::from_value(Value::Map(vec![(
        s("flags"),
        s("master,o_down,s_down,disconnected"),
    )]))
    .unwrap();
    assert!(down.is_down() && down.is_disconnected());
    let up = SentinelInstance::from_value(Value::Array(vec![s("flags"), s("slave")])).unwrap();
    assert!(!up.is_down());
    assert_eq!(up.port(), None);
    assert!(matches!(
        SentinelInstance::from_value(Value::Array(vec![s("flags")])),
        Err(Error::Conversion { .. })
    ));
}
