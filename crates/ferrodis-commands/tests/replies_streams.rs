//! Stream replies, decoded from bytes captured from redis-server 7.0.15 over RESP2 and
//! RESP3 (`HELLO 3`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use ferrodis_commands::replies::{
    AutoClaimReply, ClaimReply, ConsumerInfo, GroupInfo, PendingEntry, PendingSummary, StreamEntry,
    StreamId, StreamInfo, StreamInfoFull, StreamReadReply,
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

/// Parses the RESP2 and RESP3 captures and checks that they agree.
fn both<T: FromValue + PartialEq + std::fmt::Debug>(resp2: &[u8], resp3: &[u8]) -> T {
    let a: T = parse(resp2);
    let b: T = parse(resp3);
    assert_eq!(a, b, "RESP2 and RESP3 forms differ");
    a
}

fn id(ms: u64, seq: u64) -> StreamId {
    StreamId::new(ms, seq)
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(Bytes, Bytes)> {
    pairs.iter().map(|(f, v)| (b(f), b(v))).collect()
}

#[test]
fn stream_id_parse_display_order() {
    assert_eq!("1-1".parse::<StreamId>().unwrap(), id(1, 1));
    assert_eq!(
        "1526919030474".parse::<StreamId>().unwrap(),
        id(1526919030474, 0)
    );
    assert_eq!(
        "18446744073709551615-18446744073709551615"
            .parse::<StreamId>()
            .unwrap(),
        StreamId::MAX
    );
    for bad in [
        "",
        "-",
        "1-",
        "-1",
        "a-1",
        "1-b",
        "1-2-3",
        "+",
        "*",
        "18446744073709551616-0",
        " 1-1",
    ] {
        let err = bad.parse::<StreamId>().unwrap_err();
        assert!(
            err.to_string().contains("not a stream ID"),
            "{bad:?}: {err}"
        );
    }
    assert_eq!(id(5, 7).to_string(), "5-7");
    assert!(id(1, 9) < id(2, 0));
    assert_eq!(id(1, u64::MAX).next(), Some(id(2, 0)));
    assert_eq!(StreamId::MAX.next(), None);
    // As a reply: bulk or simple string.
    assert_eq!(StreamId::from_value(decode(b"+3-4\r\n")).unwrap(), id(3, 4));
    assert_eq!(StreamId::from_value(decode(b":3\r\n")).unwrap(), id(3, 0));
    assert!(matches!(
        StreamId::from_value(decode(b"$3\r\nabc\r\n")),
        Err(Error::Conversion {
            expected: "StreamId",
            ..
        })
    ));
}

#[test]
fn xrange_and_xrevrange() {
    let entries: Vec<StreamEntry> = both(b"*3\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n", b"*3\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    assert_eq!(
        entries,
        vec![
            StreamEntry::new(id(1, 1), fields(&[("a", "1"), ("b", "2")])),
            StreamEntry::new(id(2, 1), fields(&[("c", "3")])),
            StreamEntry::new(id(3, 0), fields(&[("d", "4")])),
        ]
    );
    assert_eq!(entries[0].get("b").unwrap(), "2");
    assert_eq!(entries[0].get(b"zz"), None);
    assert!(!entries[0].is_deleted());

    let rev: Vec<StreamEntry> = both(
        b"*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n",
        b"*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n",
    );
    assert_eq!(rev, vec![StreamEntry::new(id(3, 0), fields(&[("d", "4")]))]);

    let empty: Vec<StreamEntry> = both(b"*0\r\n", b"*0\r\n");
    assert!(empty.is_empty());
}

#[test]
fn xread_resp2_array_and_resp3_map() {
    // RESP2: [[key, entries], ...]; RESP3: {key: entries}.
    let reply: StreamReadReply = both(b"*2\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$2\r\ns2\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n", b"%2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\ns2\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n");
    assert_eq!(reply.streams.len(), 2);
    assert_eq!(reply.streams[0].key, "s");
    assert_eq!(
        reply.get("s").unwrap(),
        &[
            StreamEntry::new(id(1, 1), fields(&[("a", "1"), ("b", "2")])),
            StreamEntry::new(id(2, 1), fields(&[("c", "3")])),
        ]
    );
    assert_eq!(reply.get("s2").unwrap()[0].get("x").unwrap(), "y");
    assert_eq!(reply.get("nope"), None);
    assert_eq!(
        reply.last_ids(),
        vec![(b("s"), id(2, 1)), (b("s2"), id(5, 0))]
    );
    assert!(!reply.is_empty());
    let keys: Vec<Bytes> = reply.into_iter().map(|s| s.key).collect();
    assert_eq!(keys, [b("s"), b("s2")]);
}

#[test]
fn xread_nil_is_empty() {
    // Nothing newer than the ID: RESP2 `*-1`, RESP3 `_`.
    let reply: StreamReadReply = both(b"*-1\r\n", b"_\r\n");
    assert!(reply.is_empty());
    // BLOCK timed out.
    let reply: StreamReadReply = both(b"*-1\r\n", b"_\r\n");
    assert!(reply.is_empty());
    assert_eq!(reply, StreamReadReply::default());
    let reply: StreamReadReply = both(b"*-1\r\n", b"_\r\n");
    assert!(reply.is_empty());
}

#[test]
fn xreadgroup() {
    let r2: StreamReadReply = parse(b"*1\r\n*2\r\n$1\r\ns\r\n*3\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    assert_eq!(r2.get("s").unwrap().len(), 3);
    let r3: StreamReadReply =
        parse(b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n");
    assert_eq!(
        r3.get("s").unwrap(),
        &[StreamEntry::new(id(4, 0), fields(&[("e", "5")]))]
    );
}

#[test]
fn xreadgroup_history_with_deleted_entry() {
    // Entry 1-1 was deleted (XDEL) after delivery: its fields come back nil.
    let reply: StreamReadReply = both(b"*1\r\n*2\r\n$1\r\ns\r\n*3\r\n*2\r\n$3\r\n1-1\r\n*-1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n", b"%1\r\n$1\r\ns\r\n*3\r\n*2\r\n$3\r\n1-1\r\n_\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    let entries = reply.get("s").unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].id, id(1, 1));
    assert!(entries[0].is_deleted());
    assert!(entries[0].fields.is_empty());
    assert!(!entries[1].is_deleted());
    assert_eq!(entries[2].get("d").unwrap(), "4");
}

#[test]
fn xpending_summary() {
    let s: PendingSummary = both(b"*4\r\n:4\r\n$3\r\n1-1\r\n$3\r\n4-0\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n3\r\n*2\r\n$2\r\nc2\r\n$1\r\n1\r\n", b"*4\r\n:4\r\n$3\r\n1-1\r\n$3\r\n4-0\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n3\r\n*2\r\n$2\r\nc2\r\n$1\r\n1\r\n");
    assert_eq!(s.count, 4);
    assert_eq!(s.min_id, Some(id(1, 1)));
    assert_eq!(s.max_id, Some(id(4, 0)));
    assert_eq!(s.consumers, vec![(b("c1"), 3), (b("c2"), 1)]);

    // Nothing pending: [0, nil, nil, nil].
    let s: PendingSummary = both(
        b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n",
        b"*4\r\n:0\r\n_\r\n_\r\n_\r\n",
    );
    assert_eq!(s.count, 0);
    assert_eq!(s.min_id, None);
    assert_eq!(s.max_id, None);
    assert!(s.consumers.is_empty());
}

#[test]
fn xpending_extended() {
    let list: Vec<PendingEntry> = both(b"*4\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:0\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc1\r\n:0\r\n:3\r\n*4\r\n$3\r\n3-0\r\n$2\r\nc1\r\n:0\r\n:3\r\n*4\r\n$3\r\n4-0\r\n$2\r\nc2\r\n:0\r\n:1\r\n", b"*4\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:0\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc1\r\n:0\r\n:3\r\n*4\r\n$3\r\n3-0\r\n$2\r\nc1\r\n:0\r\n:3\r\n*4\r\n$3\r\n4-0\r\n$2\r\nc2\r\n:0\r\n:1\r\n");
    assert_eq!(list.len(), 4);
    assert_eq!(list[0].id, id(1, 1));
    assert_eq!(list[0].consumer, "c1");
    assert_eq!(list[0].delivery_count, 1);
    assert_eq!(list[1].delivery_count, 3);
    assert_eq!(list[3].consumer, "c2");

    let list: Vec<PendingEntry> = both(b"*3\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:0\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc1\r\n:0\r\n:3\r\n*4\r\n$3\r\n3-0\r\n$2\r\nc1\r\n:0\r\n:3\r\n", b"*3\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:0\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc1\r\n:0\r\n:3\r\n*4\r\n$3\r\n3-0\r\n$2\r\nc1\r\n:0\r\n:3\r\n");
    assert_eq!(
        list.iter().map(|p| p.id).collect::<Vec<_>>(),
        [id(1, 1), id(2, 1), id(3, 0)]
    );
}

#[test]
fn xinfo_stream() {
    let info: StreamInfo = both(b"*20\r\n$6\r\nlength\r\n:3\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n4-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n", b"%10\r\n$6\r\nlength\r\n:3\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n4-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n");
    assert_eq!(info.length, 3);
    assert_eq!(info.radix_tree_keys, 1);
    assert_eq!(info.radix_tree_nodes, 2);
    assert_eq!(info.groups, 1);
    assert_eq!(info.last_generated_id, id(4, 0));
    assert_eq!(info.max_deleted_entry_id, Some(id(1, 1)));
    assert_eq!(info.entries_added, Some(4));
    assert_eq!(info.recorded_first_entry_id, Some(id(2, 1)));
    assert_eq!(
        info.first_entry,
        Some(StreamEntry::new(id(2, 1), fields(&[("c", "3")])))
    );
    assert_eq!(
        info.last_entry,
        Some(StreamEntry::new(id(4, 0), fields(&[("e", "5")])))
    );
}

#[test]
fn xinfo_stream_empty() {
    // An emptied stream: first-entry and last-entry are nil.
    let info: StreamInfo = both(b"*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n1-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n", b"%10\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n1-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n_\r\n$10\r\nlast-entry\r\n_\r\n");
    assert_eq!(info.length, 0);
    assert_eq!(info.first_entry, None);
    assert_eq!(info.last_entry, None);
    assert_eq!(info.recorded_first_entry_id, Some(id(0, 0)));
}

#[test]
fn xinfo_stream_6_2_form() {
    // Before 7.0 the stream had no max-deleted-entry-id, entries-added or
    // recorded-first-entry-id.
    let reply = b"*14\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n";
    let info: StreamInfo = parse(reply);
    assert_eq!(info.max_deleted_entry_id, None);
    assert_eq!(info.entries_added, None);
}

#[test]
fn xinfo_stream_full() {
    let full: StreamInfoFull = parse(b"*18\r\n$6\r\nlength\r\n:3\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n4-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n$7\r\nentries\r\n*3\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n$6\r\ngroups\r\n*1\r\n*14\r\n$4\r\nname\r\n$1\r\ng\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-0\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:0\r\n$9\r\npel-count\r\n:4\r\n$7\r\npending\r\n*4\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:1795257086694\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc1\r\n:1795257086694\r\n:3\r\n*4\r\n$3\r\n3-0\r\n$2\r\nc1\r\n:1795257086694\r\n:3\r\n*4\r\n$3\r\n4-0\r\n$2\r\nc2\r\n:1795257086694\r\n:1\r\n$9\r\nconsumers\r\n*2\r\n*8\r\n$4\r\nname\r\n$2\r\nc1\r\n$9\r\nseen-time\r\n:1795257086694\r\n$9\r\npel-count\r\n:3\r\n$7\r\npending\r\n*3\r\n*3\r\n$3\r\n1-1\r\n:1795257086694\r\n:1\r\n*3\r\n$3\r\n2-1\r\n:1795257086694\r\n:3\r\n*3\r\n$3\r\n3-0\r\n:1795257086694\r\n:3\r\n*8\r\n$4\r\nname\r\n$2\r\nc2\r\n$9\r\nseen-time\r\n:1795257086694\r\n$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n4-0\r\n:1795257086694\r\n:1\r\n");
    let full3: StreamInfoFull = parse(b"%9\r\n$6\r\nlength\r\n:3\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n4-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n$7\r\nentries\r\n*3\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n$6\r\ngroups\r\n*1\r\n%7\r\n$4\r\nname\r\n$1\r\ng\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-0\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:0\r\n$9\r\npel-count\r\n:4\r\n$7\r\npending\r\n*4\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:1795257086694\r\n:1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc1\r\n:1795257086694\r\n:3\r\n*4\r\n$3\r\n3-0\r\n$2\r\nc1\r\n:1795257086694\r\n:3\r\n*4\r\n$3\r\n4-0\r\n$2\r\nc2\r\n:1795257086694\r\n:1\r\n$9\r\nconsumers\r\n*2\r\n%4\r\n$4\r\nname\r\n$2\r\nc1\r\n$9\r\nseen-time\r\n:1795257086694\r\n$9\r\npel-count\r\n:3\r\n$7\r\npending\r\n*3\r\n*3\r\n$3\r\n1-1\r\n:1795257086694\r\n:1\r\n*3\r\n$3\r\n2-1\r\n:1795257086694\r\n:3\r\n*3\r\n$3\r\n3-0\r\n:1795257086694\r\n:3\r\n%4\r\n$4\r\nname\r\n$2\r\nc2\r\n$9\r\nseen-time\r\n:1795257086694\r\n$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n4-0\r\n:1795257086694\r\n:1\r\n");
    assert_eq!(full, full3);
    assert_eq!(full.length, 3);
    assert_eq!(full.entries.len(), 3);
    assert_eq!(full.entries[2].get("e").unwrap(), "5");
    assert_eq!(full.groups.len(), 1);
    let g = &full.groups[0];
    assert_eq!(g.name, "g");
    assert_eq!(g.last_delivered_id, id(4, 0));
    assert_eq!(g.entries_read, Some(4));
    assert_eq!(g.lag, Some(0));
    assert_eq!(g.pel_count, 4);
    assert_eq!(g.pending.len(), 4);
    assert_eq!(g.pending[0].id, id(1, 1));
    assert_eq!(g.pending[0].consumer, "c1");
    assert_eq!(g.pending[1].delivery_count, 3);
    assert!(g.pending[0].delivery_time > 1_700_000_000_000);
    assert_eq!(g.consumers.len(), 2);
    assert_eq!(g.consumers[0].name, "c1");
    assert_eq!(g.consumers[0].pel_count, 3);
    assert_eq!(g.consumers[0].active_time, None);
    assert_eq!(g.consumers[0].pending.len(), 3);
    assert_eq!(g.consumers[0].pending[2].id, id(3, 0));
    assert_eq!(g.consumers[1].pending[0].delivery_count, 1);
}

#[test]
fn xinfo_stream_full_count() {
    let full: StreamInfoFull = both(b"*18\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n10-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n$6\r\ngroups\r\n*1\r\n*14\r\n$4\r\nname\r\n$1\r\ng\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-0\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:1\r\n$9\r\npel-count\r\n:3\r\n$7\r\npending\r\n*1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc4\r\n:1795257086696\r\n:7\r\n$9\r\nconsumers\r\n*4\r\n*8\r\n$4\r\nname\r\n$2\r\nc1\r\n$9\r\nseen-time\r\n:1795257086694\r\n$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n*8\r\n$4\r\nname\r\n$2\r\nc2\r\n$9\r\nseen-time\r\n:1795257086694\r\n$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n*8\r\n$4\r\nname\r\n$2\r\nc3\r\n$9\r\nseen-time\r\n:1795257086695\r\n$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n4-0\r\n:1795257086695\r\n:1\r\n*8\r\n$4\r\nname\r\n$2\r\nc4\r\n$9\r\nseen-time\r\n:1795257086696\r\n$9\r\npel-count\r\n:2\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n2-1\r\n:1795257086696\r\n:7\r\n", b"%9\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n10-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-1\r\n$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n$6\r\ngroups\r\n*1\r\n%7\r\n$4\r\nname\r\n$1\r\ng\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-0\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:1\r\n$9\r\npel-count\r\n:3\r\n$7\r\npending\r\n*1\r\n*4\r\n$3\r\n2-1\r\n$2\r\nc4\r\n:1795257086696\r\n:7\r\n$9\r\nconsumers\r\n*4\r\n%4\r\n$4\r\nname\r\n$2\r\nc1\r\n$9\r\nseen-time\r\n:1795257086694\r\n$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n%4\r\n$4\r\nname\r\n$2\r\nc2\r\n$9\r\nseen-time\r\n:1795257086694\r\n$9\r\npel-count\r\n:0\r\n$7\r\npending\r\n*0\r\n%4\r\n$4\r\nname\r\n$2\r\nc3\r\n$9\r\nseen-time\r\n:1795257086695\r\n$9\r\npel-count\r\n:1\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n4-0\r\n:1795257086695\r\n:1\r\n%4\r\n$4\r\nname\r\n$2\r\nc4\r\n$9\r\nseen-time\r\n:1795257086696\r\n$9\r\npel-count\r\n:2\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n2-1\r\n:1795257086696\r\n:7\r\n");
    assert_eq!(full.entries.len(), 1);
    let g = &full.groups[0];
    assert_eq!(g.lag, Some(1));
    assert_eq!(g.pending.len(), 1);
    assert_eq!(g.consumers.len(), 4);
    assert!(g.consumers[0].pending.is_empty());
}

#[test]
fn xinfo_groups() {
    let groups: Vec<GroupInfo> = both(b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-0\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:0\r\n", b"*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:4\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-0\r\n$12\r\nentries-read\r\n:4\r\n$3\r\nlag\r\n:0\r\n");
    assert_eq!(groups.len(), 1);
    let g = &groups[0];
    assert_eq!(g.name, "g");
    assert_eq!((g.consumers, g.pending), (2, 4));
    assert_eq!(g.last_delivered_id, id(4, 0));
    assert_eq!((g.entries_read, g.lag), (Some(4), Some(0)));

    // entries-read and lag are nil when unknown.
    let reply = b"*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n_\r\n$3\r\nlag\r\n_\r\n";
    let groups: Vec<GroupInfo> = parse(reply);
    assert_eq!((groups[0].entries_read, groups[0].lag), (None, None));
}

#[test]
fn xinfo_consumers() {
    let consumers: Vec<ConsumerInfo> = both(b"*2\r\n*6\r\n$4\r\nname\r\n$2\r\nc1\r\n$7\r\npending\r\n:3\r\n$4\r\nidle\r\n:1\r\n*6\r\n$4\r\nname\r\n$2\r\nc2\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:1\r\n", b"*2\r\n%3\r\n$4\r\nname\r\n$2\r\nc1\r\n$7\r\npending\r\n:3\r\n$4\r\nidle\r\n:1\r\n%3\r\n$4\r\nname\r\n$2\r\nc2\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:1\r\n");
    assert_eq!(consumers.len(), 2);
    assert_eq!(consumers[0].name, "c1");
    assert_eq!(consumers[0].pending, 3);
    assert_eq!(consumers[0].idle.as_millis(), 1);
    assert_eq!(consumers[0].inactive, None);

    // Redis 7.2 adds `inactive` (-1 if the consumer never read).
    let reply = b"*2\r\n%4\r\n$4\r\nname\r\n$1\r\na\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:5\r\n$8\r\ninactive\r\n:7\r\n%4\r\n$4\r\nname\r\n$1\r\nb\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:5\r\n$8\r\ninactive\r\n:-1\r\n";
    let consumers: Vec<ConsumerInfo> = parse(reply);
    assert_eq!(consumers[0].inactive.unwrap().as_millis(), 7);
    assert_eq!(consumers[1].inactive, None);
}

#[test]
fn xautoclaim_with_deleted_ids() {
    // RESP2 capture: 1-1 was deleted, so it is reported in the third element.
    let r: AutoClaimReply = parse(b"*3\r\n$3\r\n3-0\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*1\r\n$3\r\n1-1\r\n");
    assert_eq!(r.next_id, id(3, 0));
    assert_eq!(r.ids, [id(2, 1)]);
    assert_eq!(
        r.entries,
        [StreamEntry::new(id(2, 1), fields(&[("c", "3")]))]
    );
    assert_eq!(r.deleted, [id(1, 1)]);

    let r: AutoClaimReply = parse(b"*3\r\n$3\r\n4-0\r\n*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*0\r\n");
    assert_eq!(r.next_id, id(4, 0));
    assert_eq!(r.ids, [id(2, 1), id(3, 0)]);
    assert!(r.deleted.is_empty());

    let r: AutoClaimReply = both(b"*3\r\n$3\r\n0-0\r\n*3\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n*0\r\n", b"*3\r\n$3\r\n0-0\r\n*3\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n*0\r\n");
    assert_eq!(r.next_id, StreamId::MIN);
    assert_eq!(r.entries.len(), 3);
}

#[test]
fn xautoclaim_justid() {
    let r: AutoClaimReply = both(
        b"*3\r\n$3\r\n0-0\r\n*3\r\n$3\r\n2-1\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n*0\r\n",
        b"*3\r\n$3\r\n0-0\r\n*3\r\n$3\r\n2-1\r\n$3\r\n3-0\r\n$3\r\n4-0\r\n*0\r\n",
    );
    assert_eq!(r.next_id, id(0, 0));
    assert_eq!(r.ids, [id(2, 1), id(3, 0), id(4, 0)]);
    assert!(r.entries.is_empty());
    assert!(r.deleted.is_empty());
}

#[test]
fn xautoclaim_6_2_form() {
    // Redis 6.2: two elements, and deleted entries as nil in the list.
    let reply = b"*2\r\n$3\r\n0-0\r\n*2\r\n*-1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n";
    let r: AutoClaimReply = parse(reply);
    assert_eq!(r.ids, [id(2, 1)]);
    assert!(r.deleted.is_empty());
    assert!(matches!(
        AutoClaimReply::from_value(decode(b"*1\r\n$3\r\n0-0\r\n")),
        Err(Error::Conversion {
            expected: "AutoClaimReply",
            ..
        })
    ));
}

#[test]
fn xclaim_entries_and_justid() {
    let entries: Vec<StreamEntry> = both(b"*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n", b"*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].get("d").unwrap(), "4");
    let r: ClaimReply = both(b"*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n", b"*2\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    assert_eq!(r.ids, [id(2, 1), id(3, 0)]);
    assert_eq!(r.entries, entries);

    let ids: Vec<StreamId> = both(
        b"*2\r\n$3\r\n2-1\r\n$3\r\n3-0\r\n",
        b"*2\r\n$3\r\n2-1\r\n$3\r\n3-0\r\n",
    );
    assert_eq!(ids, [id(2, 1), id(3, 0)]);
    let r: ClaimReply = both(
        b"*2\r\n$3\r\n2-1\r\n$3\r\n3-0\r\n",
        b"*2\r\n$3\r\n2-1\r\n$3\r\n3-0\r\n",
    );
    assert_eq!(r.ids, ids);
    assert!(r.entries.is_empty());
}

#[test]
fn xadd_reply() {
    let added: Option<StreamId> = both(b"$4\r\n10-0\r\n", b"$4\r\n10-0\r\n");
    assert_eq!(added, Some(id(10, 0)));
    // NOMKSTREAM on a missing stream.
    let none: Option<StreamId> = both(b"$-1\r\n", b"_\r\n");
    assert_eq!(none, None);
    // An error reply converts into a server error.
    let err = Option::<StreamId>::from_value(decode(
        b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n",
    ))
    .unwrap_err();
    assert!(err
        .server_error()
        .unwrap()
        .text()
        .contains("equal or smaller"));
}

#[test]
fn unexpected_shapes_are_conversion_errors() {
    let cases: &[&[u8]] = &[
        b":1\r\n",
        b"*1\r\n:1\r\n",
        b"*2\r\n$3\r\n1-0\r\n:5\r\n",
        b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    ];
    for case in cases {
        assert!(
            matches!(
                StreamEntry::from_value(decode(case)),
                Err(Error::Conversion { .. })
            ),
            "{case:?}"
        );
        assert!(
            matches!(
                StreamReadReply::from_value(decode(case)),
                Err(Error::Conversion { .. })
            ),
            "{case:?}"
        );
        assert!(
            matches!(
                PendingSummary::from_value(decode(case)),
                Err(Error::Conversion { .. })
            ),
            "{case:?}"
        );
        assert!(
            matches!(
                StreamInfo::from_value(decode(case)),
                Err(Error::Conversion { .. })
            ),
            "{case:?}"
        );
    }
    // A missing field is named.
    let err = StreamInfo::from_value(decode(b"%1\r\n$6\r\nlength\r\n:1\r\n")).unwrap_err();
    match err {
        Error::Conversion {
            expected, detail, ..
        } => {
            assert_eq!(expected, "StreamInfo");
            assert!(detail.unwrap().contains("radix-tree-keys"));
        }
        other => panic!("{other:?}"),
    }
    // A bad field value is named too.
    let err = GroupInfo::from_value(decode(
        b"%4\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n$3\r\nabc\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n",
    ))
    .unwrap_err();
    assert!(err.to_string().contains("consumers"), "{err}");
    // Errors inside a reply surface as server errors.
    let err = StreamReadReply::from_value(decode(b"-NOGROUP No such key\r\n")).unwrap_err();
    assert!(err.server_error().is_some());
}
