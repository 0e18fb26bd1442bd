//! ROLE: what this server is (master, replica or sentinel) and what it knows of its peers.
//!
//! The reply is an array whose first element names the role and decides the rest; the
//! same in RESP2 and RESP3. Ports come as bulk strings in a master's replica list and as
//! integers in a replica's reply; both read.

use ferrodis_resp::Value;

use super::util;
use crate::error::Error;
use crate::from_value::FromValue;

/// The reply of ROLE.
///
/// ```
/// use ferrodis_commands::FromValue;
/// use ferrodis_commands::replies::Role;
/// use ferrodis_resp::Value;
///
/// let reply = Value::Array(vec![
///     Value::BulkString("slave".into()),
///     Value::BulkString("10.0.0.1".into()),
///     Value::Integer(6379),
///     Value::BulkString("connected".into()),
///     Value::Integer(11226),
/// ]);
/// let role = Role::from_value(reply)?;
/// assert!(matches!(role, Role::Replica { master_port: 6379, offset: 11226, .. }));
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// A master.
    #[non_exhaustive]
    Master {
        /// The master's replication offset.
        repl_offset: u64,
        /// Its connected replicas.
        replicas: Vec<RoleReplica>,
    },
    /// A replica.
    #[non_exhaustive]
    Replica {
        /// The master's host.
        master_host: String,
        /// The master's port.
        master_port: u16,
        /// The replication state: `connect`, `connecting`, `handshake`, `sync` or
        /// `connected`.
        state: String,
        /// The replication offset received so far (`-1` while not yet known).
        offset: i64,
    },
    /// A sentinel.
    #[non_exhaustive]
    Sentinel {
        /// The names of the masters it monitors.
        master_names: Vec<String>,
    },
}

/// A replica in a master's ROLE reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleReplica {
    /// Its IP address.
    pub ip: String,
    /// Its port.
    pub port: u16,
    /// The replication offset it acknowledged.
    pub offset: u64,
}

impl FromValue for RoleReplica {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "RoleReplica";
        let [ip, port, offset] = util::exact::<3>(value, T)?;
        Ok(RoleReplica {
            ip: util::convert(ip, T, "ip")?,
            port: util::convert(port, T, "port")?,
            offset: util::convert(offset, T, "offset")?,
        })
    }
}

impl FromValue for Role {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "Role";
        let items = util::array(value, T)?;
        let len = items.len();
        let mut it = items.into_iter();
        let role: String = util::convert(it.next().unwrap_or(Value::Nil), T, "role")?;
        let mut next = || it.next().unwrap_or(Value::Nil);
        let want = |n: usize| {
            if len == n {
                Ok(())
            } else {
                Err(util::invalid(
                    T,
                    "array",
                    format!("{len} elements for role {role:?}, expected {n}"),
                ))
            }
        };
        match role.as_str() {
            "master" => {
                want(3)?;
                Ok(Role::Master {
                    repl_offset: util::convert(next(), T, "replication offset")?,
                    replicas: util::convert(next(), T, "replicas")?,
                })
            }
            "slave" | "replica" => {
                want(5)?;
                Ok(Role::Replica {
                    master_host: util::convert(next(), T, "master host")?,
                    master_port: util::convert(next(), T, "master port")?,
                    state: util::convert(next(), T, "state")?,
                    offset: util::convert(next(), T, "offset")?,
                })
            }
            "sentinel" => {
                want(2)?;
                Ok(Role::Sentinel {
                    master_names: util::convert(next(), T, "master names")?,
                })
            }
            other => Err(util::invalid(T, "array", format!("unknown role {other:?}"))),
        }
    }
}
