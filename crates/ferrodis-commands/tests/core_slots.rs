//! Hash slots: CRC16/XMODEM test vectors and Redis's hash-tag rules.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use ferrodis_commands::{hash_tag, slot, SLOT_COUNT};

#[test]
fn crc16_xmodem_check_value() {
    // CRC-16/XMODEM of "123456789" is 0x31C3 (the standard check value).
    assert_eq!(slot(b"123456789"), 0x31C3 % SLOT_COUNT);
}

#[test]
fn known_slots_from_the_redis_docs_and_a_real_cluster() {
    assert_eq!(slot(b"foo"), 12182);
    assert_eq!(slot(b"bar"), 5061);
    assert_eq!(slot(b"hello"), 866);
    assert_eq!(slot(b""), 0);
}

#[test]
fn hash_tags_follow_the_cluster_spec() {
    assert_eq!(hash_tag(b"{user1000}.following"), b"user1000");
    assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}"); // empty first tag: the whole key
    assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar"); // from the first { to the next }
    assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar"); // only the first tag counts
    assert_eq!(hash_tag(b"no-tag"), b"no-tag");
    assert_eq!(hash_tag(b"open{only"), b"open{only");
    assert_eq!(hash_tag(b"}{x}"), b"x");
    assert_eq!(slot(b"{user1000}.following"), slot(b"{user1000}.followers"));
    for key in [&b"a"[..], b"{a}b", b"\xff\x00"] {
        assert!(slot(key) < SLOT_COUNT);
    }
}
