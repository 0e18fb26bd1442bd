//! SENTINEL MASTERS / MASTER / REPLICAS (SLAVES) / SENTINELS: what a sentinel knows
//! about each instance.
//!
//! Each instance is a field map (RESP3) or flat array (RESP2) whose values are all
//! strings, with a field set that differs between masters, replicas and sentinels and
//! grows between versions. [`SentinelInstance`] keeps every field, with typed getters
//! for the ones failover logic needs.

use ferrodis_resp::Value;

use super::util::{self, Fields};
use crate::error::Error;
use crate::from_value::FromValue;

/// One instance (master, replica or sentinel) as a sentinel reports it.
///
/// SENTINEL MASTER replies with one; SENTINEL MASTERS, REPLICAS and SENTINELS with a
/// list (`Vec<SentinelInstance>`).
///
/// ```
/// use ferrodis_commands::FromValue;
/// use ferrodis_commands::replies::SentinelInstance;
/// use ferrodis_resp::Value;
///
/// let s = |t: &str| Value::BulkString(t.to_owned().into());
/// let reply = Value::Array(vec![
///     s("name"), s("mymaster"), s("ip"), s("10.0.0.1"), s("port"), s("6379"),
///     s("flags"), s("master,s_down"), s("quorum"), s("2"),
/// ]);
/// let master = SentinelInstance::from_value(reply)?;
/// assert_eq!(master.name(), Some("mymaster"));
/// assert_eq!(master.port(), Some(6379));
/// assert!(master.is_down());
/// assert_eq!(master.quorum(), Some(2));
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SentinelInstance {
    fields: Vec<(String, String)>,
}

impl SentinelInstance {
    /// Every field, in reply order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The value of a field, such as `"runid"` or `"master-link-status"`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn num<T: std::str::FromStr>(&self, key: &str) -> Option<T> {
        self.get(key)?.parse().ok()
    }

    /// `name`: the master's name; for a replica or sentinel, `ip:port` or its run ID.
    pub fn name(&self) -> Option<&str> {
        self.get("name")
    }

    /// `ip`.
    pub fn ip(&self) -> Option<&str> {
        self.get("ip")
    }

    /// `port`.
    pub fn port(&self) -> Option<u16> {
        self.num("port")
    }

    /// `runid`.
    pub fn run_id(&self) -> Option<&str> {
        self.get("runid")
    }

    /// `flags`, split: `master`, `slave`, `sentinel`, `s_down`, `o_down`,
    /// `disconnected`, `master_down`, `failover_in_progress`, ...
    pub fn flags(&self) -> impl Iterator<Item = &str> + '_ {
        self.get("flags")
            .unwrap_or("")
            .split(',')
            .filter(|f| !f.is_empty())
    }

    /// Whether `flags` includes `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags().any(|f| f == flag)
    }

    /// Whether the instance is subjectively or objectively down (`s_down` or `o_down`).
    pub fn is_down(&self) -> bool {
        self.has_flag("s_down") || self.has_flag("o_down")
    }

    /// Whether the sentinel's link to the instance is down (`disconnected`).
    pub fn is_disconnected(&self) -> bool {
        self.has_flag("disconnected")
    }

    /// `num-slaves`: the master's replicas.
    pub fn num_slaves(&self) -> Option<u64> {
        self.num("num-slaves")
    }

    /// `num-other-sentinels`: the other sentinels monitoring the master.
    pub fn num_other_sentinels(&self) -> Option<u64> {
        self.num("num-other-sentinels")
    }

    /// `quorum`: sentinels needed to agree that the master is down.
    pub fn quorum(&self) -> Option<u64> {
        self.num("quorum")
    }

    /// `config-epoch` (masters).
    pub fn config_epoch(&self) -> Option<u64> {
        self.num("config-epoch")
    }

    /// `master-link-status` (replicas): `ok` or `err`.
    pub fn master_link_status(&self) -> Option<&str> {
        self.get("master-link-status")
    }

    /// `master-host` (replicas).
    pub fn master_host(&self) -> Option<&str> {
        self.get("master-host")
    }

    /// `master-port` (replicas).
    pub fn master_port(&self) -> Option<u16> {
        self.num("master-port")
    }

    /// `slave-priority` (replicas).
    pub fn replica_priority(&self) -> Option<i64> {
        self.num("slave-priority")
    }

    /// `slave-repl-offset` (replicas).
    pub fn replica_repl_offset(&self) -> Option<u64> {
        self.num("slave-repl-offset")
    }

    /// `role-reported`: the role the instance itself reports.
    pub fn role_reported(&self) -> Option<&str> {
        self.get("role-reported")
    }
}

impl FromValue for SentinelInstance {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "SentinelInstance";
        let fields = Fields::new(value, T)?
            .into_rest()
            .into_iter()
            .map(|(k, v)| {
                let key = String::from_utf8_lossy(&k).into_owned();
                let value = match util::plain(v)? {
                    Value::Nil => String::new(),
                    v => util::text(v, T)?,
                };
                Ok((key, value))
            })
            .collect::<Result<_, Error>>()?;
        Ok(SentinelInstance { fields })
    }
}
