//! Cluster hash slots: CRC16 (XMODEM) of the key, or of its `{hash tag}`, modulo 16384.

use crate::cmd::Cmd;

/// The number of hash slots in a Redis cluster.
pub const SLOT_COUNT: u16 = 16384;

/// The hash slot of a key. A `{tag}` with at least one byte between the first `{` and
/// the next `}` is hashed instead of the whole key, so that related keys share a slot.
///
/// ```
/// use ferrodis_commands::slot;
///
/// assert_eq!(slot(b"foo"), 12182);
/// assert_eq!(slot(b"{user1000}.following"), slot(b"{user1000}.followers"));
/// assert_eq!(slot(b"foo{}{bar}"), slot(b"foo{}{bar}")); // empty tag: the whole key
/// ```
pub fn slot(key: &[u8]) -> u16 {
    crc16::State::<crc16::XMODEM>::calculate(hash_tag(key)) % SLOT_COUNT
}

/// The part of a key that is hashed: its `{tag}` if it has a non-empty one, else itself.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = memchr_byte(b'{', key) {
        if let Some(len) = memchr_byte(b'}', &key[open + 1..]) {
            if len > 0 {
                return &key[open + 1..open + 1 + len];
            }
        }
    }
    key
}

fn memchr_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// Where a command's keys hash to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySlot {
    /// The command has no keys (or is not in the table): any node can serve it.
    NoKeys,
    /// Every key hashes to this slot.
    Single(u16),
    /// The keys hash to different slots: a cluster refuses it with `CROSSSLOT`.
    Cross,
}

impl Cmd {
    /// The slot of this command's keys, and whether they share one.
    ///
    /// ```
    /// use ferrodis_commands::{Cmd, KeySlot};
    ///
    /// let same = Cmd::new("MSET").arg("{u1}.name").arg("Ada").arg("{u1}.born").arg(1815);
    /// assert!(matches!(same.key_slot(), KeySlot::Single(_)));
    /// let cross = Cmd::new("MSET").arg("a").arg(1).arg("b").arg(2);
    /// assert_eq!(cross.key_slot(), KeySlot::Cross);
    /// ```
    pub fn key_slot(&self) -> KeySlot {
        let mut result = KeySlot::NoKeys;
        for key in self.keys() {
            let s = slot(key);
            match result {
                KeySlot::NoKeys => result = KeySlot::Single(s),
                KeySlot::Single(prev) if prev != s => return KeySlot::Cross,
                _ => {}
            }
        }
        result
    }
}
