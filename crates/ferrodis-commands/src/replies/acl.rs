//! ACL LOG: the security events (denied commands, keys, channels, failed AUTH).
//!
//! Each entry is a field map (RESP3) or flat array (RESP2). `age-seconds` is a RESP3
//! double or a RESP2 bulk string; Redis 7.2 added `entry-id` and the two timestamps.

use ferrodis_resp::Value;

use super::client::ClientInfo;
use super::util::Fields;
use crate::error::Error;
use crate::from_value::FromValue;

/// One entry of ACL LOG. Ask for `Vec<AclLogEntry>`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AclLogEntry {
    /// How many times this event happened within the merge window.
    pub count: u64,
    /// Why it was logged: `command`, `key`, `channel` or `auth`.
    pub reason: String,
    /// Where: `toplevel`, `multi`, `lua` or `module`.
    pub context: String,
    /// The command, key or channel denied (for `auth`, the string `AUTH`).
    pub object: String,
    /// The user involved.
    pub username: String,
    /// Seconds since the entry was last updated.
    pub age_seconds: f64,
    /// The client, as one line of CLIENT LIST: see [`client`](AclLogEntry::client).
    pub client_info: String,
    /// A unique ID of the entry (Redis 7.2+).
    pub entry_id: Option<u64>,
    /// When the entry was created, in Unix milliseconds (Redis 7.2+).
    pub timestamp_created: Option<u64>,
    /// When the entry was last updated, in Unix milliseconds (Redis 7.2+).
    pub timestamp_last_updated: Option<u64>,
}

impl AclLogEntry {
    /// The client info, parsed.
    pub fn client(&self) -> Result<ClientInfo, Error> {
        ClientInfo::parse(&self.client_info)
    }
}

impl FromValue for AclLogEntry {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "AclLogEntry")?;
        Ok(AclLogEntry {
            count: f.req("count")?,
            reason: f.req("reason")?,
            context: f.req("context")?,
            object: f.req("object")?,
            username: f.req("username")?,
            age_seconds: f.req("age-seconds")?,
            client_info: f.req("client-info")?,
            entry_id: f.opt("entry-id")?,
            timestamp_created: f.opt("timestamp-created")?,
            timestamp_last_updated: f.opt("timestamp-last-updated")?,
        })
    }
}
