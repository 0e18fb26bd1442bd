//! Server introspection replies (TTL, TYPE, INFO, CLIENT LIST/INFO, SLOWLOG, ROLE, MEMORY
//! STATS, LATENCY, ACL LOG), decoded from bytes captured from redis-server 7.0.15 over
//! RESP2 and RESP3 (`HELLO 3`): INFO, CLIENT and LATENCY DOCTOR text is a bulk string in
//! RESP2 and a verbatim string in RESP3; ACL LOG's age and MEMORY STATS' ratios are bulk
//! strings in RESP2 and doubles in RESP3.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, UNIX_EPOCH};

use ferrodis_commands::replies::{
    AclLogEntry, ClientInfo, ClientList, ExpireTime, Info, KeyType, LatencyEvent, LatencySample,
    MemoryStats, PExpireTime, PTtl, Role, SlowLogEntry, Ttl,
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

#[test]
fn ttl_family() {
    assert_eq!(
        both::<Ttl>(b":100\r\n", b":100\r\n"),
        Ttl::Expires(Duration::from_secs(100))
    );
    assert_eq!(both::<Ttl>(b":-1\r\n", b":-1\r\n"), Ttl::NoExpiry);
    assert_eq!(both::<Ttl>(b":-2\r\n", b":-2\r\n"), Ttl::NoKey);
    assert_eq!(Ttl::NoKey.as_duration(), None);

    let pttl: PTtl = both(b":99999\r\n", b":99999\r\n");
    assert_eq!(pttl, PTtl::Expires(Duration::from_millis(99_999)));
    assert_eq!(
        Ttl::from(pttl).as_duration(),
        Some(Duration::from_millis(99_999))
    );
    assert_eq!(parse::<PTtl>(b":-2\r\n"), PTtl::NoKey);

    let at: ExpireTime = both(b":1795257200\r\n", b":1795257200\r\n");
    assert_eq!(
        at,
        ExpireTime::At(UNIX_EPOCH + Duration::from_secs(1_795_257_200))
    );
    let at: PExpireTime = both(b":1795257199913\r\n", b":1795257199913\r\n");
    assert_eq!(
        at.as_system_time(),
        Some(UNIX_EPOCH + Duration::from_millis(1_795_257_199_913))
    );
    assert_eq!(parse::<PExpireTime>(b":-1\r\n"), PExpireTime::NoExpiry);
    assert_eq!(parse::<ExpireTime>(b":-2\r\n"), ExpireTime::NoKey);

    // Anything else negative is not a TTL.
    assert!(matches!(
        Ttl::from_value(Value::Integer(-3)),
        Err(Error::Conversion { .. })
    ));
    assert!(matches!(
        Ttl::from_value(Value::Nil),
        Err(Error::Conversion { .. })
    ));
}

#[test]
fn key_type() {
    assert_eq!(
        both::<KeyType>(b"+string\r\n", b"+string\r\n"),
        KeyType::String
    );
    let none: KeyType = both(b"+none\r\n", b"+none\r\n");
    assert_eq!(none, KeyType::None);
    assert!(!none.exists());
    assert_eq!(
        parse::<KeyType>(b"+ReJSON-RL\r\n"),
        KeyType::Other("ReJSON-RL".into())
    );
    assert_eq!(KeyType::Stream.to_string(), "stream");
    for t in ["none", "string", "list", "set", "zset", "hash", "stream"] {
        assert_eq!(KeyType::parse(t).as_str(), t);
    }
}

#[test]
fn info_bulk_and_verbatim() {
    let info: Info = parse(b"$2673\r\n# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:ae4d7c971a948f0\r\nredis_mode:standalone\r\nos:Linux 6.18.44-fc-v445 x86_64\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\nprocess_id:2269\r\nprocess_supervised:no\r\nrun_id:01251c0b439c08247a1154bea8682e31b47462e8\r\ntcp_port:27391\r\nserver_time_usec:1795257099914989\r\nuptime_in_seconds:49\r\nuptime_in_days:0\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:94987\r\nexecutable:/tmp/engb/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\n\r\n# Clients\r\nconnected_clients:6\r\ncluster_connections:0\r\nmaxclients:10000\r\nclient_recent_max_input_buffer:20480\r\nclient_recent_max_output_buffer:20504\r\nblocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n\r\n# Memory\r\nused_memory:1966064\r\nused_memory_human:1.87M\r\nused_memory_rss:12726272\r\nused_memory_rss_human:12.14M\r\nused_memory_peak:1966064\r\nused_memory_peak_human:1.87M\r\nused_memory_peak_perc:100.12%\r\nused_memory_overhead:987476\r\nused_memory_startup:876184\r\nused_memory_dataset:978588\r\nused_memory_dataset_perc:89.79%\r\nallocator_allocated:2497528\r\nallocator_active:2879488\r\nallocator_resident:5681152\r\ntotal_system_memory:25274793984\r\ntotal_system_memory_human:23.54G\r\nused_memory_lua:32768\r\nused_memory_vm_eval:32768\r\nused_memory_lua_human:32.00K\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:33792\r\nused_memory_vm_total:66560\r\nused_memory_vm_total_human:65.00K\r\nused_memory_functions:200\r\nused_memory_scripts:200\r\nused_memory_scripts_human:200B\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\nallocator_frag_ratio:1.15\r\nallocator_frag_bytes:381960\r\nallocator_rss_ratio:1.97\r\nallocator_rss_bytes:2801664\r\nrss_overhead_ratio:2.24\r\nrss_overhead_bytes:7045120\r\nmem_fragmentation_ratio:7.32\r\nmem_fragmentation_bytes:10987200\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:20508\r\nmem_total_replication_buffers:20504\r\nmem_clients_slaves:0\r\nmem_clients_normal:90224\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=27392,state=online,offset=9919,lag=0\r\nmaster_failover_state:no-failover\r\nmaster_replid:6be629785f7c7680241269da15d554ab96e02d47\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:10003\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:10003\r\n\r\n# Keyspace\r\ndb0:keys=6,expires=1,avg_ttl=0\r\n\r\n");
    let info3: Info = parse(b"=2677\r\ntxt:# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:ae4d7c971a948f0\r\nredis_mode:standalone\r\nos:Linux 6.18.44-fc-v445 x86_64\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\nprocess_id:2269\r\nprocess_supervised:no\r\nrun_id:01251c0b439c08247a1154bea8682e31b47462e8\r\ntcp_port:27391\r\nserver_time_usec:1795257099915081\r\nuptime_in_seconds:49\r\nuptime_in_days:0\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:94987\r\nexecutable:/tmp/engb/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\n\r\n# Clients\r\nconnected_clients:6\r\ncluster_connections:0\r\nmaxclients:10000\r\nclient_recent_max_input_buffer:20480\r\nclient_recent_max_output_buffer:20504\r\nblocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n\r\n# Memory\r\nused_memory:1966064\r\nused_memory_human:1.87M\r\nused_memory_rss:12726272\r\nused_memory_rss_human:12.14M\r\nused_memory_peak:1966064\r\nused_memory_peak_human:1.87M\r\nused_memory_peak_perc:100.00%\r\nused_memory_overhead:987476\r\nused_memory_startup:876184\r\nused_memory_dataset:978588\r\nused_memory_dataset_perc:89.79%\r\nallocator_allocated:2497528\r\nallocator_active:2879488\r\nallocator_resident:5681152\r\ntotal_system_memory:25274793984\r\ntotal_system_memory_human:23.54G\r\nused_memory_lua:32768\r\nused_memory_vm_eval:32768\r\nused_memory_lua_human:32.00K\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:33792\r\nused_memory_vm_total:66560\r\nused_memory_vm_total_human:65.00K\r\nused_memory_functions:200\r\nused_memory_scripts:200\r\nused_memory_scripts_human:200B\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\nallocator_frag_ratio:1.15\r\nallocator_frag_bytes:381960\r\nallocator_rss_ratio:1.97\r\nallocator_rss_bytes:2801664\r\nrss_overhead_ratio:2.24\r\nrss_overhead_bytes:7045120\r\nmem_fragmentation_ratio:7.32\r\nmem_fragmentation_bytes:10987200\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:20508\r\nmem_total_replication_buffers:20504\r\nmem_clients_slaves:0\r\nmem_clients_normal:90224\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=27392,state=online,offset=9919,lag=0\r\nmaster_failover_state:no-failover\r\nmaster_replid:6be629785f7c7680241269da15d554ab96e02d47\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:10003\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:10003\r\n\r\n# Keyspace\r\ndb0:keys=6,expires=1,avg_ttl=0\r\n\r\n");
    for info in [&info, &info3] {
        assert_eq!(info.redis_version(), Some("7.0.15"));
        assert_eq!(info.role(), Some("master"));
        assert_eq!(info.connected_clients(), Some(6));
        assert!(info.used_memory().unwrap() > 1_000_000);
        let names: Vec<&str> = info.sections().iter().map(|s| s.name()).collect();
        assert_eq!(
            names,
            ["Server", "Clients", "Memory", "Replication", "Keyspace"]
        );
        assert_eq!(info.get("server", "redis_mode"), Some("standalone"));
        assert_eq!(info.get("SERVER", "redis_mode"), Some("standalone"));
        assert_eq!(info.get("clients", "redis_mode"), None);
        assert_eq!(
            info.get("server", "os"),
            Some("Linux 6.18.44-fc-v445 x86_64")
        );
        assert_eq!(
            info.get("server", "executable").map(|e| e.contains('/')),
            Some(true)
        );
        assert_eq!(
            info.section("memory")
                .unwrap()
                .get_parsed::<u64>("mem_aof_buffer"),
            Some(0)
        );
        let slave0 = info
            .section("replication")
            .unwrap()
            .subfields("slave0")
            .unwrap();
        assert_eq!(slave0[0], ("ip", "127.0.0.1"));
        assert_eq!(slave0[1], ("port", "27392"));
        let keyspace = info.keyspace();
        assert_eq!(keyspace.len(), 1);
        assert_eq!(
            (keyspace[0].db, keyspace[0].keys, keyspace[0].expires),
            (0, 6, 1)
        );
        assert_eq!(keyspace[0].avg_ttl, Some(0));
    }
    // A replica.
    let info: Info = parse(b"=597\r\ntxt:# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:27391\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:1\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:11226\r\nslave_repl_offset:11226\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:6be629785f7c7680241269da15d554ab96e02d47\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:11226\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:11226\r\n\r\n");
    assert_eq!(info.role(), Some("slave"));
    assert_eq!(info.get("replication", "master_port"), Some("27391"));
    assert!(info.keyspace().is_empty());
    // Not text.
    assert!(matches!(
        Info::from_value(Value::Integer(1)),
        Err(Error::Conversion { .. })
    ));
}

#[test]
fn info_edge_cases() {
    let info = Info::parse(
        "no_header:1\nflag\n# Keyspace\ndb12:keys=3,expires=0,avg_ttl=5,subexpiry=0\ndbx:keys=1\n",
    );
    assert_eq!(info.sections()[0].name(), "");
    assert_eq!(info.find("no_header"), Some("1"));
    assert_eq!(info.find("flag"), Some(""));
    let ks = info.keyspace();
    assert_eq!(ks.len(), 1);
    assert_eq!((ks[0].db, ks[0].keys, ks[0].avg_ttl), (12, 3, Some(5)));
    assert_eq!(ks[0].fields.len(), 4);
    assert_eq!(Info::parse("").sections().len(), 0);
}

#[test]
fn client_info() {
    let c2: ClientInfo = parse(b"$275\r\nid=14 addr=127.0.0.1:32952 laddr=127.0.0.1:27391 fd=13 name=cap2 age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=client|info user=default redir=-1 resp=2\n\r\n");
    let c3: ClientInfo = parse(b"=279\r\ntxt:id=15 addr=127.0.0.1:32956 laddr=127.0.0.1:27391 fd=14 name=cap3 age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=client|info user=default redir=-1 resp=3\n\r\n");
    assert_eq!(c2.id, 14);
    assert_eq!(c2.addr, "127.0.0.1:32952");
    assert_eq!(c2.laddr.as_deref(), Some("127.0.0.1:27391"));
    assert_eq!(c2.fd, 13);
    assert_eq!(c2.name.as_deref(), Some("cap2"));
    assert_eq!(c2.age, Duration::ZERO);
    assert_eq!(c2.flags, "N");
    assert_eq!(
        (c2.db, c2.sub, c2.psub, c2.ssub, c2.multi),
        (0, 0, 0, Some(0), -1)
    );
    assert_eq!(c2.cmd, "client|info");
    assert_eq!(c2.user.as_deref(), Some("default"));
    assert_eq!(
        (c2.lib_name.as_deref(), c2.lib_ver.as_deref()),
        (None, None)
    );
    assert_eq!(c2.other.get("resp").map(String::as_str), Some("2"));
    assert_eq!(c2.other.get("qbuf-free").map(String::as_str), Some("20448"));
    assert!(!c2.other.contains_key("id"));
    assert_eq!(c3.id, 15);
    assert_eq!(c3.name.as_deref(), Some("cap3"));
    assert_eq!(c3.other.get("resp").map(String::as_str), Some("3"));
}

#[test]
fn client_list() {
    let list: ClientList = parse(b"$1945\r\nid=7 addr=127.0.0.1:40714 laddr=127.0.0.1:27391 fd=9 name=sentinel-f865eb59-pubsub age=41 idle=1 flags=P db=0 sub=1 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=134 obl=0 oll=0 omem=0 tot-mem=22328 events=r cmd=subscribe user=default redir=-1 resp=2\nid=8 addr=127.0.0.1:40724 laddr=127.0.0.1:27391 fd=11 name=sentinel-fc055c8d-cmd age=41 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=2048 rbp=1024 obl=0 oll=0 omem=0 tot-mem=23296 events=r cmd=ping user=default redir=-1 resp=2\nid=9 addr=127.0.0.1:40728 laddr=127.0.0.1:27391 fd=12 name=sentinel-fc055c8d-pubsub age=41 idle=1 flags=P db=0 sub=1 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=134 obl=0 oll=0 omem=0 tot-mem=22328 events=r cmd=subscribe user=default redir=-1 resp=2\nid=3 addr=127.0.0.1:40688 laddr=127.0.0.1:27391 fd=7 name= age=49 idle=0 flags=S db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=1 omem=20504 tot-mem=42776 events=r cmd=replconf user=default redir=-1 resp=2\nid=6 addr=127.0.0.1:40706 laddr=127.0.0.1:27391 fd=8 name=sentinel-f865eb59-cmd age=41 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=7 obl=0 oll=0 omem=0 tot-mem=22272 events=r cmd=ping user=default redir=-1 resp=2\nid=14 addr=127.0.0.1:32952 laddr=127.0.0.1:27391 fd=13 name=cap2 age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=client|list user=default redir=-1 resp=2\nid=15 addr=127.0.0.1:32956 laddr=127.0.0.1:27391 fd=14 name=cap3 age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37632 events=r cmd=client|info user=default redir=-1 resp=3\n\r\n");
    let list3: ClientList = parse(b"=1949\r\ntxt:id=7 addr=127.0.0.1:40714 laddr=127.0.0.1:27391 fd=9 name=sentinel-f865eb59-pubsub age=41 idle=1 flags=P db=0 sub=1 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=134 obl=0 oll=0 omem=0 tot-mem=22328 events=r cmd=subscribe user=default redir=-1 resp=2\nid=8 addr=127.0.0.1:40724 laddr=127.0.0.1:27391 fd=11 name=sentinel-fc055c8d-cmd age=41 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=2048 rbp=1024 obl=0 oll=0 omem=0 tot-mem=23296 events=r cmd=ping user=default redir=-1 resp=2\nid=9 addr=127.0.0.1:40728 laddr=127.0.0.1:27391 fd=12 name=sentinel-fc055c8d-pubsub age=41 idle=1 flags=P db=0 sub=1 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=134 obl=0 oll=0 omem=0 tot-mem=22328 events=r cmd=subscribe user=default redir=-1 resp=2\nid=3 addr=127.0.0.1:40688 laddr=127.0.0.1:27391 fd=7 name= age=49 idle=0 flags=S db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=1 omem=20504 tot-mem=42776 events=r cmd=replconf user=default redir=-1 resp=2\nid=6 addr=127.0.0.1:40706 laddr=127.0.0.1:27391 fd=8 name=sentinel-f865eb59-cmd age=41 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=1024 rbp=7 obl=0 oll=0 omem=0 tot-mem=22272 events=r cmd=ping user=default redir=-1 resp=2\nid=14 addr=127.0.0.1:32952 laddr=127.0.0.1:27391 fd=13 name=cap2 age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=20474 argv-mem=0 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37632 events=r cmd=client|list user=default redir=-1 resp=2\nid=15 addr=127.0.0.1:32956 laddr=127.0.0.1:27391 fd=14 name=cap3 age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=client|list user=default redir=-1 resp=3\n\r\n");
    // Captured a moment apart: the two capturing clients' own lines differ.
    assert_eq!(list.clients[..5], list3.clients[..5]);
    assert_eq!(list.clients.len(), 7);
    assert_eq!(list3.clients[6].cmd, "client|list");
    let pubsub = &list.clients[0];
    assert_eq!(pubsub.name.as_deref(), Some("sentinel-f865eb59-pubsub"));
    assert!(pubsub.has_flag('P'));
    assert_eq!(pubsub.sub, 1);
    assert_eq!(pubsub.age, Duration::from_secs(41));
    assert!(list.clients.iter().any(|c| c.has_flag('S')), "the replica");
    let ids: Vec<u64> = list.into_iter().map(|c| c.id).collect();
    assert_eq!(ids.last(), Some(&15));
}

#[test]
fn client_info_versions() {
    // Redis 7.2: lib-name and lib-ver; an unnamed client has `name=`.
    let c = ClientInfo::parse("id=3 addr=10.0.0.1:5000 laddr=10.0.0.2:6379 fd=8 name= age=10 idle=2 flags=x db=1 sub=0 psub=0 ssub=0 multi=2 watch=0 cmd=set user=app lib-name=ferrodis lib-ver=0.1.0 io-thread=0").unwrap();
    assert_eq!(c.name, None);
    assert_eq!(c.multi, 2);
    assert!(c.has_flag('x'));
    assert_eq!(c.lib_name.as_deref(), Some("ferrodis"));
    assert_eq!(c.lib_ver.as_deref(), Some("0.1.0"));
    assert_eq!(c.other.get("watch").map(String::as_str), Some("0"));
    // Redis 6.0: no laddr, no ssub.
    let c = ClientInfo::parse("id=3 addr=10.0.0.1:5000 fd=8 name=x age=10 idle=2 flags=N db=0 sub=0 psub=0 multi=-1 qbuf=0 cmd=get user=default").unwrap();
    assert_eq!((c.laddr, c.ssub), (None, None));
    // Broken lines are conversion errors naming the field.
    for (line, field) in [
        ("addr=1.2.3.4:5 fd=1", "id"),
        ("id=x addr=1.2.3.4:5", "id"),
        ("id=1 fd=1", "addr"),
        (
            "id=1 addr=a fd=1 name=n age=-1 idle=0 flags=N db=0 sub=0 psub=0 multi=-1 cmd=get",
            "age",
        ),
    ] {
        let err = ClientInfo::parse(line).unwrap_err();
        assert!(matches!(
            err,
            Error::Conversion {
                expected: "ClientInfo",
                ..
            }
        ));
        assert!(err.to_string().contains(field), "{line}: {err}");
    }
    assert!(ClientList::parse("").unwrap().clients.is_empty());
}

#[test]
fn slowlog() {
    let log: Vec<SlowLogEntry> = both(b"*3\r\n*6\r\n:2\r\n:1795257099\r\n:1\r\n*2\r\n$3\r\nGET\r\n$4\r\nslow\r\n$15\r\n127.0.0.1:32956\r\n$4\r\ncap3\r\n*6\r\n:1\r\n:1795257099\r\n:2\r\n*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$5\r\nxxxxx\r\n$15\r\n127.0.0.1:32952\r\n$4\r\ncap2\r\n*6\r\n:0\r\n:1795257099\r\n:4\r\n*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$23\r\nslowlog-log-slower-than\r\n$1\r\n0\r\n$15\r\n127.0.0.1:32952\r\n$4\r\ncap2\r\n", b"*3\r\n*6\r\n:2\r\n:1795257099\r\n:1\r\n*2\r\n$3\r\nGET\r\n$4\r\nslow\r\n$15\r\n127.0.0.1:32956\r\n$4\r\ncap3\r\n*6\r\n:1\r\n:1795257099\r\n:2\r\n*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$5\r\nxxxxx\r\n$15\r\n127.0.0.1:32952\r\n$4\r\ncap2\r\n*6\r\n:0\r\n:1795257099\r\n:4\r\n*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$23\r\nslowlog-log-slower-than\r\n$1\r\n0\r\n$15\r\n127.0.0.1:32952\r\n$4\r\ncap2\r\n");
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].id, 2);
    assert_eq!(log[0].timestamp, 1_795_257_099);
    assert_eq!(log[0].duration, Duration::from_micros(1));
    assert_eq!(log[0].args, ["GET", "slow"]);
    assert_eq!(log[0].client_addr.as_deref(), Some("127.0.0.1:32956"));
    assert_eq!(log[0].client_name.as_deref(), Some("cap3"));
    assert_eq!(log[1].args, ["SET", "slow", "xxxxx"]);
    assert_eq!(log[2].duration, Duration::from_micros(4));
    // Redis before 4.0: four elements; an unnamed client: an empty name.
    let old: Vec<SlowLogEntry> = parse(b"*1\r\n*4\r\n:1\r\n:100\r\n:5\r\n*1\r\n$4\r\nPING\r\n");
    assert_eq!(
        (old[0].client_addr.as_deref(), old[0].client_name.as_deref()),
        (None, None)
    );
    let unnamed: SlowLogEntry =
        parse(b"*6\r\n:1\r\n:100\r\n:5\r\n*1\r\n$4\r\nPING\r\n$9\r\n1.2.3.4:5\r\n$0\r\n\r\n");
    assert_eq!(unnamed.client_name, None);
    assert!(matches!(
        SlowLogEntry::from_value(decode(b"*2\r\n:1\r\n:2\r\n")),
        Err(Error::Conversion { .. })
    ));
}

#[test]
fn role_master() {
    match both::<Role>(b"*3\r\n$6\r\nmaster\r\n:10037\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$5\r\n27392\r\n$4\r\n9919\r\n", b"*3\r\n$6\r\nmaster\r\n:10037\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$5\r\n27392\r\n$4\r\n9919\r\n") {
        Role::Master { repl_offset, replicas, .. } => {
            assert_eq!(repl_offset, 10037);
            assert_eq!(replicas.len(), 1);
            assert_eq!(replicas[0].ip, "127.0.0.1");
            assert_eq!(replicas[0].port, 27392);
            assert_eq!(replicas[0].offset, 9919);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn role_replica() {
    match both::<Role>(
        b"*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:27391\r\n$9\r\nconnected\r\n:11226\r\n",
        b"*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:27391\r\n$9\r\nconnected\r\n:11226\r\n",
    ) {
        Role::Replica {
            master_host,
            master_port,
            state,
            offset,
            ..
        } => {
            assert_eq!((master_host.as_str(), master_port), ("127.0.0.1", 27391));
            assert_eq!(state, "connected");
            assert_eq!(offset, 11226);
        }
        other => panic!("{other:?}"),
    }
    // While the handshake runs the offset is -1.
    let r: Role =
        parse(b"*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:6379\r\n$9\r\nhandshake\r\n:-1\r\n");
    assert!(matches!(r, Role::Replica { offset: -1, .. }));
}

#[test]
fn role_sentinel() {
    match both::<Role>(
        b"*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n",
        b"*2\r\n$8\r\nsentinel\r\n*1\r\n$8\r\nmymaster\r\n",
    ) {
        Role::Sentinel { master_names, .. } => assert_eq!(master_names, ["mymaster"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn role_errors() {
    for case in [
        &b"*1\r\n$6\r\nmaster\r\n"[..],
        b"*2\r\n$5\r\nother\r\n:1\r\n",
        b"*0\r\n",
        b"$6\r\nmaster\r\n",
    ] {
        assert!(
            matches!(
                Role::from_value(decode(case)),
                Err(Error::Conversion { .. })
            ),
            "{case:?}"
        );
    }
}

#[test]
fn memory_stats() {
    let m2: MemoryStats = parse(b"*56\r\n$14\r\npeak.allocated\r\n:2158816\r\n$15\r\ntotal.allocated\r\n:2138064\r\n$17\r\nstartup.allocated\r\n:876184\r\n$19\r\nreplication.backlog\r\n:20508\r\n$14\r\nclients.slaves\r\n:0\r\n$14\r\nclients.normal\r\n:90224\r\n$13\r\ncluster.links\r\n:0\r\n$10\r\naof.buffer\r\n:0\r\n$10\r\nlua.caches\r\n:0\r\n$16\r\nfunctions.caches\r\n:200\r\n$4\r\ndb.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:488\r\n$26\r\noverhead.hashtable.expires\r\n:56\r\n$31\r\noverhead.hashtable.slot-to-keys\r\n:0\r\n$14\r\noverhead.total\r\n:987660\r\n$10\r\nkeys.count\r\n:9\r\n$18\r\nkeys.bytes-per-key\r\n:140208\r\n$13\r\ndataset.bytes\r\n:1150404\r\n$18\r\ndataset.percentage\r\n$18\r\n91.165878295898438\r\n$15\r\npeak.percentage\r\n$18\r\n99.038734436035156\r\n$19\r\nallocator.allocated\r\n:2497528\r\n$16\r\nallocator.active\r\n:2879488\r\n$18\r\nallocator.resident\r\n:5681152\r\n$29\r\nallocator-fragmentation.ratio\r\n$17\r\n1.152935266494751\r\n$29\r\nallocator-fragmentation.bytes\r\n:381960\r\n$19\r\nallocator-rss.ratio\r\n$18\r\n1.9729729890823364\r\n$19\r\nallocator-rss.bytes\r\n:2801664\r\n$18\r\nrss-overhead.ratio\r\n$17\r\n2.240086555480957\r\n$18\r\nrss-overhead.bytes\r\n:7045120\r\n$13\r\nfragmentation\r\n$18\r\n7.3178524971008301\r\n$19\r\nfragmentation.bytes\r\n:10987200\r\n");
    let m3: MemoryStats = parse(b"%28\r\n$14\r\npeak.allocated\r\n:2162784\r\n$15\r\ntotal.allocated\r\n:2162720\r\n$17\r\nstartup.allocated\r\n:876184\r\n$19\r\nreplication.backlog\r\n:20508\r\n$14\r\nclients.slaves\r\n:0\r\n$14\r\nclients.normal\r\n:90224\r\n$13\r\ncluster.links\r\n:0\r\n$10\r\naof.buffer\r\n:0\r\n$10\r\nlua.caches\r\n:0\r\n$16\r\nfunctions.caches\r\n:200\r\n$4\r\ndb.0\r\n%3\r\n$23\r\noverhead.hashtable.main\r\n:488\r\n$26\r\noverhead.hashtable.expires\r\n:56\r\n$31\r\noverhead.hashtable.slot-to-keys\r\n:0\r\n$14\r\noverhead.total\r\n:987660\r\n$10\r\nkeys.count\r\n:9\r\n$18\r\nkeys.bytes-per-key\r\n:142948\r\n$13\r\ndataset.bytes\r\n:1175060\r\n$18\r\ndataset.percentage\r\n,91.335182189941406\r\n$15\r\npeak.percentage\r\n,99.997039794921875\r\n$19\r\nallocator.allocated\r\n:2497528\r\n$16\r\nallocator.active\r\n:2879488\r\n$18\r\nallocator.resident\r\n:5681152\r\n$29\r\nallocator-fragmentation.ratio\r\n,1.152935266494751\r\n$29\r\nallocator-fragmentation.bytes\r\n:381960\r\n$19\r\nallocator-rss.ratio\r\n,1.9729729890823364\r\n$19\r\nallocator-rss.bytes\r\n:2801664\r\n$18\r\nrss-overhead.ratio\r\n,2.240086555480957\r\n$18\r\nrss-overhead.bytes\r\n:7045120\r\n$13\r\nfragmentation\r\n,7.3178524971008301\r\n$19\r\nfragmentation.bytes\r\n:10987200\r\n");
    for m in [&m2, &m3] {
        assert_eq!(m.startup_allocated(), Some(876_184));
        assert_eq!(m.replication_backlog(), Some(20_508));
        assert_eq!(m.clients_normal(), Some(90_224));
        assert_eq!(m.functions_caches(), Some(200));
        assert_eq!(m.keys_count(), Some(9));
        assert_eq!(m.overhead_total(), Some(987_660));
        assert!(m.peak_allocated().unwrap() > 2_000_000);
        assert!(m.total_allocated().unwrap() > 2_000_000);
        assert!(m.dataset_percentage().unwrap() > 91.0);
        assert!(m.peak_percentage().unwrap() > 99.0);
        assert!((m.fragmentation().unwrap() - 7.317_852_497_100_83).abs() < 1e-9);
        assert_eq!(m.fragmentation_bytes(), Some(10_987_200));
        assert_eq!(
            m.get_as::<f64>("allocator-rss.ratio").map(|r| r > 1.9),
            Some(true)
        );
        assert_eq!(m.get_as::<u64>("nope"), None);
        assert_eq!(m.dbs().len(), 1);
        let db0 = m.db(0).unwrap();
        assert_eq!(db0.overhead_hashtable_main, Some(488));
        assert_eq!(db0.overhead_hashtable_expires, Some(56));
        assert_eq!(db0.overhead_hashtable_slot_to_keys, Some(0));
        assert!(m.db(1).is_none());
        assert!(m.get("db.0").is_none(), "db parts are not plain fields");
        assert_eq!(m.fields().len(), 27);
    }
}

#[test]
fn latency() {
    let latest: Vec<LatencyEvent> = both(
        b"*1\r\n*4\r\n$7\r\ncommand\r\n:1795257101\r\n:30\r\n:30\r\n",
        b"*1\r\n*4\r\n$7\r\ncommand\r\n:1795257101\r\n:30\r\n:30\r\n",
    );
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].name, "command");
    assert_eq!(latest[0].timestamp, 1_795_257_101);
    assert_eq!(latest[0].latest, Duration::from_millis(30));
    assert_eq!(latest[0].max, Duration::from_millis(30));

    let history: Vec<LatencySample> = both(
        b"*2\r\n*2\r\n:1795257099\r\n:20\r\n*2\r\n:1795257101\r\n:30\r\n",
        b"*2\r\n*2\r\n:1795257099\r\n:20\r\n*2\r\n:1795257101\r\n:30\r\n",
    );
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].timestamp, 1_795_257_099);
    assert_eq!(history[0].latency, Duration::from_millis(20));

    // DOCTOR is text: a String reads both forms.
    let doctor: String = both(b"$835\r\nDave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n1. command: 2 latency spikes (average 25ms, mean deviation 5ms, period 1.00 sec). Worst all time event 30ms.\n\nI have a few advices for you:\n\n- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 1000'.\n- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n\r\n", b"=839\r\ntxt:Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n1. command: 2 latency spikes (average 25ms, mean deviation 5ms, period 1.00 sec). Worst all time event 30ms.\n\nI have a few advices for you:\n\n- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 1000'.\n- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n\r\n");
    assert!(doctor.starts_with("Dave, I have observed latency spikes"));
}

#[test]
fn acl_log() {
    let log2: Vec<AclLogEntry> = parse(b"*3\r\n*14\r\n$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$3\r\nkey\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$9\r\nforbidden\r\n$8\r\nusername\r\n$7\r\nlimited\r\n$11\r\nage-seconds\r\n$1\r\n0\r\n$11\r\nclient-info\r\n$262\r\nid=16 addr=127.0.0.1:32958 laddr=127.0.0.1:27391 fd=15 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=28 qbuf-free=20446 argv-mem=12 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37660 events=r cmd=get user=limited redir=-1 resp=2\r\n*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$7\r\ncommand\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$3\r\nset\r\n$8\r\nusername\r\n$7\r\nlimited\r\n$11\r\nage-seconds\r\n$5\r\n0.001\r\n$11\r\nclient-info\r\n$262\r\nid=16 addr=127.0.0.1:32958 laddr=127.0.0.1:27391 fd=15 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=34 qbuf-free=20440 argv-mem=12 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37668 events=r cmd=set user=limited redir=-1 resp=2\r\n*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$4\r\nAUTH\r\n$8\r\nusername\r\n$7\r\nlimited\r\n$11\r\nage-seconds\r\n$5\r\n0.001\r\n$11\r\nclient-info\r\n$263\r\nid=16 addr=127.0.0.1:32958 laddr=127.0.0.1:27391 fd=15 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=38 qbuf-free=20436 argv-mem=16 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37672 events=r cmd=auth user=default redir=-1 resp=2\r\n");
    let log3: Vec<AclLogEntry> = parse(b"*3\r\n%7\r\n$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$3\r\nkey\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$9\r\nforbidden\r\n$8\r\nusername\r\n$7\r\nlimited\r\n$11\r\nage-seconds\r\n,0\r\n$11\r\nclient-info\r\n$262\r\nid=16 addr=127.0.0.1:32958 laddr=127.0.0.1:27391 fd=15 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=28 qbuf-free=20446 argv-mem=12 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37660 events=r cmd=get user=limited redir=-1 resp=2\r\n%7\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$7\r\ncommand\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$3\r\nset\r\n$8\r\nusername\r\n$7\r\nlimited\r\n$11\r\nage-seconds\r\n,0.001\r\n$11\r\nclient-info\r\n$262\r\nid=16 addr=127.0.0.1:32958 laddr=127.0.0.1:27391 fd=15 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=34 qbuf-free=20440 argv-mem=12 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37668 events=r cmd=set user=limited redir=-1 resp=2\r\n%7\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$4\r\nAUTH\r\n$8\r\nusername\r\n$7\r\nlimited\r\n$11\r\nage-seconds\r\n,0.001\r\n$11\r\nclient-info\r\n$263\r\nid=16 addr=127.0.0.1:32958 laddr=127.0.0.1:27391 fd=15 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=38 qbuf-free=20436 argv-mem=16 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37672 events=r cmd=auth user=default redir=-1 resp=2\r\n");
    assert_eq!(log2, log3);
    assert_eq!(log2.len(), 3);
    let key = &log2[0];
    assert_eq!(key.count, 2);
    assert_eq!(key.reason, "key");
    assert_eq!(key.context, "toplevel");
    assert_eq!(key.object, "forbidden");
    assert_eq!(key.username, "limited");
    assert_eq!(key.age_seconds, 0.0);
    assert_eq!(key.entry_id, None);
    let client = key.client().unwrap();
    assert_eq!(client.user.as_deref(), Some("limited"));
    assert_eq!(client.cmd, "get");
    assert_eq!(log2[1].reason, "command");
    assert_eq!(log2[1].object, "set");
    assert_eq!(log2[1].age_seconds, 0.001);
    assert_eq!(log2[2].reason, "auth");
    assert_eq!(log2[2].object, "AUTH");

    // Redis 7.2 adds entry-id and the timestamps.
    let entry: AclLogEntry = parse(b"%10\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$4\r\nAUTH\r\n$8\r\nusername\r\n$1\r\nu\r\n$11\r\nage-seconds\r\n,1.5\r\n$11\r\nclient-info\r\n$4\r\nid=1\r\n$8\r\nentry-id\r\n:4\r\n$17\r\ntimestamp-created\r\n:1700000000000\r\n$22\r\ntimestamp-last-updated\r\n:1700000000001\r\n");
    assert_eq!(entry.entry_id, Some(4));
    assert_eq!(entry.timestamp_created, Some(1_700_000_000_000));
    assert_eq!(entry.timestamp_last_updated, Some(1_700_000_000_001));
    assert_eq!(entry.age_seconds, 1.5);
    assert!(entry.client().is_err(), "client-info is incomplete here");
}
