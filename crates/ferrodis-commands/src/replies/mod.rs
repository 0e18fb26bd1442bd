//! Typed replies for structured results: streams, GEO, TTLs, INFO, CLIENT LIST, SLOWLOG,
//! ROLE, cluster and sentinel topology, LCS, MEMORY STATS, COMMAND DOCS, FUNCTION LIST,
//! ACL LOG and LATENCY.
//!
//! ## Why these types exist
//!
//! Most replies are a string, a number or a list, and convert into plain Rust types
//! through [`FromValue`](crate::FromValue). The replies here are structures encoded in
//! RESP: positional arrays (`[id, [field, value, ...]]`), field maps, or text that has to
//! be parsed (`INFO`, `CLIENT LIST`, `CLUSTER NODES`). Reading them by hand is where
//! clients go wrong, because:
//!
//! - **RESP2 and RESP3 differ.** RESP3 sends field maps as maps, ratios as doubles, flag
//!   lists as sets and text as verbatim strings, where RESP2 sends flat arrays and bulk
//!   strings. Every type here reads both forms, so code does not change when a
//!   connection switches protocol.
//! - **Replies grow.** Redis adds fields release by release (`entries-read` and `lag` in
//!   7.0, `ssub` in 7.0.3, `lib-name` in 7.2). Fields that a supported server may omit are
//!   `Option`s, and the structs are `#[non_exhaustive]`, so new ones can be added without
//!   a breaking change.
//! - **Special values hide in numbers.** TTL's `-2` and `-1`, a nil XREAD after a
//!   timeout, a deleted entry's nil fields: each has its own variant or documented form
//!   instead of a number or a panic.
//!
//! A reply of an unexpected shape is an [`Error::Conversion`](crate::Error::Conversion)
//! that names the type expected and the part that did not fit; parsing never panics.
//!
//! ## Example
//!
//! ```
//! use ferrodis_commands::FromValue;
//! use ferrodis_commands::replies::{StreamEntry, StreamId};
//!
//! // The raw bytes of an XRANGE reply.
//! let (value, _) = ferrodis_resp::decode(
//!     b"*1\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
//! )?.unwrap();
//! let entries = Vec::<StreamEntry>::from_value(value)?;
//! assert_eq!(entries[0].id, StreamId::new(1, 1));
//! assert_eq!(entries[0].get("b").unwrap(), "2");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Which type for which command
//!
//! | command | reply type |
//! |---|---|
//! | XRANGE, XREVRANGE | `Vec<`[`StreamEntry`]`>` |
//! | XREAD, XREADGROUP | [`StreamReadReply`] |
//! | XADD | `Option<`[`StreamId`]`>` |
//! | XPENDING (summary / extended) | [`PendingSummary`] / `Vec<`[`PendingEntry`]`>` |
//! | XINFO STREAM (FULL), GROUPS, CONSUMERS | [`StreamInfo`] ([`StreamInfoFull`]), `Vec<`[`GroupInfo`]`>`, `Vec<`[`ConsumerInfo`]`>` |
//! | XCLAIM, XAUTOCLAIM | [`ClaimReply`], [`AutoClaimReply`] |
//! | GEOPOS | `Vec<Option<`[`GeoPos`]`>>` |
//! | GEOSEARCH, GEORADIUS, GEORADIUSBYMEMBER | `Vec<`[`GeoSearchResult`]`>` |
//! | GEODIST | `Option<f64>` |
//! | TTL, PTTL, EXPIRETIME, PEXPIRETIME | [`Ttl`], [`PTtl`], [`ExpireTime`], [`PExpireTime`] |
//! | TYPE | [`KeyType`] |
//! | INFO | [`Info`] |
//! | CLIENT LIST, CLIENT INFO | [`ClientList`], [`ClientInfo`] |
//! | SLOWLOG GET | `Vec<`[`SlowLogEntry`]`>` |
//! | ROLE | [`Role`] |
//! | CLUSTER SLOTS, SHARDS, NODES, REPLICAS | `Vec<`[`SlotRange`]`>`, `Vec<`[`ClusterShard`]`>`, [`ClusterNodes`], `Vec<`[`ClusterNode`]`>` |
//! | SENTINEL MASTERS, REPLICAS, SENTINELS / MASTER | `Vec<`[`SentinelInstance`]`>` / [`SentinelInstance`] |
//! | LCS / LCS LEN / LCS IDX | `Bytes` / `u64` / [`LcsMatches`] |
//! | MEMORY STATS | [`MemoryStats`] |
//! | COMMAND DOCS | [`CommandDocs`] |
//! | FUNCTION LIST | `Vec<`[`FunctionLibrary`]`>` |
//! | ACL LOG | `Vec<`[`AclLogEntry`]`>` |
//! | LATENCY LATEST, HISTORY, DOCTOR | `Vec<`[`LatencyEvent`]`>`, `Vec<`[`LatencySample`]`>`, `String` |

mod acl;
mod client;
mod cluster;
mod command_docs;
mod function;
mod geo;
mod info;
mod keys;
mod latency;
mod lcs;
mod memory;
mod role;
mod sentinel;
mod slowlog;
mod streams;
mod util;

pub use self::acl::AclLogEntry;
pub use self::client::{ClientInfo, ClientList};
pub use self::cluster::{
    ClusterNode, ClusterNodes, ClusterShard, NodeSlot, ShardNode, SlotNode, SlotRange,
};
pub use self::command_docs::{ArgType, CommandArgument, CommandDoc, CommandDocs};
pub use self::function::{FunctionInfo, FunctionLibrary};
pub use self::geo::{GeoPos, GeoSearchResult};
pub use self::info::{Info, InfoSection, KeyspaceInfo};
pub use self::keys::{ExpireTime, KeyType, PExpireTime, PTtl, Ttl};
pub use self::latency::{LatencyEvent, LatencySample};
pub use self::lcs::{LcsMatch, LcsMatches};
pub use self::memory::{DbMemoryStats, MemoryStats};
pub use self::role::{Role, RoleReplica};
pub use self::sentinel::SentinelInstance;
pub use self::slowlog::SlowLogEntry;
pub use self::streams::{
    AutoClaimReply, ClaimReply, ConsumerInfo, ConsumerPendingEntry, GroupInfo, GroupPendingEntry,
    ParseStreamIdError, PendingEntry, PendingSummary, StreamConsumerFull, StreamEntries,
    StreamEntry, StreamGroupFull, StreamId, StreamInfo, StreamInfoFull, StreamReadReply,
};
