//! The INFO reply, parsed into sections.
//!
//! INFO is text meant for people: `# Section` headers followed by `key:value` lines, some
//! of whose values are themselves `k=v,k=v` lists (`db0:keys=1,expires=0`,
//! `slave0:ip=...,port=...`, `cmdstat_get:calls=...`). Every value stays a string here,
//! reachable by section and key, with typed getters for the fields clients use most.
//! RESP2 sends it as a bulk string and RESP3 as a verbatim string; both convert.

use std::str::FromStr;

use ferrodis_resp::Value;

use super::util;
use crate::error::Error;
use crate::from_value::FromValue;

/// The reply of INFO: its `# Section`s, each with its `key:value` lines as strings, and
/// typed getters for the fields clients use most. Values that are themselves `k=v,k=v`
/// lists (`db0`, `slave0`, `cmdstat_get`) split with [`InfoSection::subfields`]; the
/// keyspace section parses into [`KeyspaceInfo`]. Reads RESP2 bulk and RESP3 verbatim
/// strings alike.
///
/// ```
/// use ferrodis_commands::replies::Info;
///
/// let info = Info::parse("# Server\r\nredis_version:7.0.15\r\n\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n");
/// assert_eq!(info.redis_version(), Some("7.0.15"));
/// assert_eq!(info.get("server", "redis_version"), Some("7.0.15"));
/// let db0 = &info.keyspace()[0];
/// assert_eq!((db0.db, db0.keys, db0.expires), (0, 3, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Info {
    sections: Vec<InfoSection>,
}

/// One `# Section` of INFO, with its `key:value` lines in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfoSection {
    name: String,
    entries: Vec<(String, String)>,
}

impl InfoSection {
    /// The section's name as the server wrote it (`"Server"`, `"Keyspace"`); empty for
    /// lines that came before any header.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `key:value` lines, in order.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key`, parsed (`None` if missing or if it does not parse).
    pub fn get_parsed<T: FromStr>(&self, key: &str) -> Option<T> {
        self.get(key)?.parse().ok()
    }

    /// The `k=v,k=v` parts of the value of `key`, such as those of `db0` or `slave0`.
    pub fn subfields(&self, key: &str) -> Option<Vec<(&str, &str)>> {
        self.get(key).map(subfields)
    }
}

/// Splits `k=v,k=v` into pairs (a part without `=` has an empty value).
fn subfields(value: &str) -> Vec<(&str, &str)> {
    value
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect()
}

/// One database of INFO's `keyspace` section (`db0:keys=1,expires=0,avg_ttl=0`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyspaceInfo {
    /// The database number.
    pub db: u32,
    /// Number of keys.
    pub keys: u64,
    /// Number of keys with an expiry.
    pub expires: u64,
    /// The estimated average TTL of the keys with an expiry, in milliseconds.
    pub avg_ttl: Option<u64>,
    /// Every `k=v` part as sent, including those above.
    pub fields: Vec<(String, String)>,
}

impl Info {
    /// Parses INFO text.
    pub fn parse(text: &str) -> Info {
        let mut sections: Vec<InfoSection> = Vec::new();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('#') {
                sections.push(InfoSection {
                    name: name.trim().to_owned(),
                    entries: Vec::new(),
                });
                continue;
            }
            let (key, value) = line.split_once(':').unwrap_or((line, ""));
            if sections.is_empty() {
                sections.push(InfoSection {
                    name: String::new(),
                    entries: Vec::new(),
                });
            }
            if let Some(section) = sections.last_mut() {
                section.entries.push((key.to_owned(), value.to_owned()));
            }
        }
        Info { sections }
    }

    /// The sections, in order.
    pub fn sections(&self) -> &[InfoSection] {
        &self.sections
    }

    /// The section named `name`, compared without regard to case (`"server"` finds
    /// `# Server`).
    pub fn section(&self, name: &str) -> Option<&InfoSection> {
        self.sections
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The value of `key` in section `section` (case-insensitive section name).
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.section(section)?.get(key)
    }

    /// The value of `key` in whichever section has it.
    pub fn find(&self, key: &str) -> Option<&str> {
        self.sections.iter().find_map(|s| s.get(key))
    }

    /// `redis_version` (server section).
    pub fn redis_version(&self) -> Option<&str> {
        self.find("redis_version")
    }

    /// `role` (replication section): `"master"` or `"slave"`.
    pub fn role(&self) -> Option<&str> {
        self.find("role")
    }

    /// `connected_clients` (clients section).
    pub fn connected_clients(&self) -> Option<u64> {
        self.find("connected_clients")?.parse().ok()
    }

    /// `used_memory` in bytes (memory section).
    pub fn used_memory(&self) -> Option<u64> {
        self.find("used_memory")?.parse().ok()
    }

    /// The databases of the keyspace section, in order.
    pub fn keyspace(&self) -> Vec<KeyspaceInfo> {
        let Some(section) = self.section("keyspace") else {
            return Vec::new();
        };
        section
            .entries
            .iter()
            .filter_map(|(k, v)| {
                let db = k.strip_prefix("db")?.parse().ok()?;
                let fields: Vec<(String, String)> = subfields(v)
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                let num = |name: &str| {
                    fields
                        .iter()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.parse().ok())
                };
                Some(KeyspaceInfo {
                    db,
                    keys: num("keys").unwrap_or(0),
                    expires: num("expires").unwrap_or(0),
                    avg_ttl: num("avg_ttl"),
                    fields,
                })
            })
            .collect()
    }
}

impl FromValue for Info {
    fn from_value(value: Value) -> Result<Self, Error> {
        match util::plain(value)? {
            v @ (Value::BulkString(_) | Value::VerbatimString { .. } | Value::SimpleString(_)) => {
                Ok(Info::parse(&util::text(v, "Info")?))
            }
            other => Err(util::mismatch("Info", &other, "expected INFO text")),
        }
    }
}
