//! MEMORY STATS: the server's memory accounting.
//!
//! The reply is a map (RESP3) or flat array (RESP2) of dotted names to integers, ratios
//! (RESP3 doubles, RESP2 bulk strings) and, per database, a `db.N` sub-map. Its fields
//! change between versions, so [`MemoryStats`] keeps them all, with typed getters for the
//! main ones.

use bytes::Bytes;
use ferrodis_resp::Value;

use super::util::{self, Fields};
use crate::error::Error;
use crate::from_value::FromValue;

/// The reply of MEMORY STATS: every field by name ([`get`](MemoryStats::get),
/// [`get_as`](MemoryStats::get_as)), typed getters for the main ones, and the `db.N`
/// sub-maps as [`DbMemoryStats`]. Ratios are RESP3 doubles or RESP2 bulk strings; the
/// getters read both.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryStats {
    fields: Vec<(String, Value)>,
    dbs: Vec<DbMemoryStats>,
}

/// The `db.N` part of MEMORY STATS: the overhead of one database's dictionaries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DbMemoryStats {
    /// The database number.
    pub db: u32,
    /// Bytes of the main key dictionary's overhead.
    pub overhead_hashtable_main: Option<u64>,
    /// Bytes of the expires dictionary's overhead.
    pub overhead_hashtable_expires: Option<u64>,
    /// Bytes of the cluster slot-to-keys mapping (Redis 7.0).
    pub overhead_hashtable_slot_to_keys: Option<u64>,
}

macro_rules! getters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty = $key:literal;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Option<$ty> {
            self.get_as::<$ty>($key)
        }
    )*};
}

impl MemoryStats {
    /// Every field except the `db.N` ones, in reply order.
    pub fn fields(&self) -> &[(String, Value)] {
        &self.fields
    }

    /// The value of a field, such as `"allocator.resident"`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of a field, converted (`None` if missing or of another type).
    pub fn get_as<T: FromValue>(&self, key: &str) -> Option<T> {
        T::from_value(self.get(key)?.clone()).ok()
    }

    /// The per-database parts, in reply order.
    pub fn dbs(&self) -> &[DbMemoryStats] {
        &self.dbs
    }

    /// The part of database `db`.
    pub fn db(&self, db: u32) -> Option<&DbMemoryStats> {
        self.dbs.iter().find(|d| d.db == db)
    }

    getters! {
        /// `peak.allocated`: the peak of used memory, in bytes.
        peak_allocated: u64 = "peak.allocated";
        /// `total.allocated`: used memory, in bytes.
        total_allocated: u64 = "total.allocated";
        /// `startup.allocated`: memory used at startup, in bytes.
        startup_allocated: u64 = "startup.allocated";
        /// `replication.backlog`: the replication backlog's size, in bytes.
        replication_backlog: u64 = "replication.backlog";
        /// `clients.slaves`: memory of replica connections' buffers, in bytes.
        clients_slaves: u64 = "clients.slaves";
        /// `clients.normal`: memory of other connections' buffers, in bytes.
        clients_normal: u64 = "clients.normal";
        /// `aof.buffer`: the AOF buffers, in bytes.
        aof_buffer: u64 = "aof.buffer";
        /// `lua.caches`: the Lua scripts' cache, in bytes.
        lua_caches: u64 = "lua.caches";
        /// `functions.caches`: the functions' overhead, in bytes (Redis 7.0+).
        functions_caches: u64 = "functions.caches";
        /// `overhead.total`: all overheads, in bytes.
        overhead_total: u64 = "overhead.total";
        /// `keys.count`: keys in all databases.
        keys_count: u64 = "keys.count";
        /// `keys.bytes-per-key`: net memory per key.
        keys_bytes_per_key: u64 = "keys.bytes-per-key";
        /// `dataset.bytes`: memory of the data itself.
        dataset_bytes: u64 = "dataset.bytes";
        /// `dataset.percentage`: the data's share of net memory, in percent.
        dataset_percentage: f64 = "dataset.percentage";
        /// `peak.percentage`: used memory as a percentage of the peak.
        peak_percentage: f64 = "peak.percentage";
        /// `allocator.allocated`: bytes the allocator handed out.
        allocator_allocated: u64 = "allocator.allocated";
        /// `allocator.resident`: bytes resident according to the allocator.
        allocator_resident: u64 = "allocator.resident";
        /// `fragmentation`: the fragmentation ratio (as INFO's `mem_fragmentation_ratio`).
        fragmentation: f64 = "fragmentation";
        /// `fragmentation.bytes`: the bytes lost to fragmentation.
        fragmentation_bytes: i64 = "fragmentation.bytes";
    }
}

impl FromValue for DbMemoryStats {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "DbMemoryStats")?;
        Ok(DbMemoryStats {
            db: 0,
            overhead_hashtable_main: f.opt("overhead.hashtable.main")?,
            overhead_hashtable_expires: f.opt("overhead.hashtable.expires")?,
            overhead_hashtable_slot_to_keys: f.opt("overhead.hashtable.slot-to-keys")?,
        })
    }
}

impl FromValue for MemoryStats {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "MemoryStats";
        let f = Fields::new(value, T)?;
        let mut fields = Vec::new();
        let mut dbs = Vec::new();
        for (key, value) in f.into_rest() {
            let key = key_text(&key);
            let db = key.strip_prefix("db.").and_then(|n| n.parse::<u32>().ok());
            match db {
                Some(db) => {
                    let mut stats: DbMemoryStats =
                        util::convert(value, T, &format!("field `{key}`"))?;
                    stats.db = db;
                    dbs.push(stats);
                }
                None => fields.push((key, value)),
            }
        }
        Ok(MemoryStats { fields, dbs })
    }
}

fn key_text(key: &Bytes) -> String {
    String::from_utf8_lossy(key).into_owned()
}
