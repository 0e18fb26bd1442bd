//! SLOWLOG GET: the commands that ran longer than `slowlog-log-slower-than`.
//!
//! Each entry is an array of six (four before Redis 4.0, which lacked the client's
//! address and name); the same in RESP2 and RESP3.

use std::time::Duration;

use bytes::Bytes;
use ferrodis_resp::Value;

use super::util;
use crate::error::Error;
use crate::from_value::FromValue;

/// One entry of SLOWLOG GET. Ask for `Vec<SlowLogEntry>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SlowLogEntry {
    /// The entry's unique, increasing ID.
    pub id: u64,
    /// When the command ran, in Unix seconds.
    pub timestamp: u64,
    /// How long it took to execute (without I/O).
    pub duration: Duration,
    /// The command and its arguments (Redis truncates long ones).
    pub args: Vec<Bytes>,
    /// The client's address (Redis 4.0+).
    pub client_addr: Option<String>,
    /// The client's name, if it set one (Redis 4.0+).
    pub client_name: Option<String>,
}

impl FromValue for SlowLogEntry {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "SlowLogEntry";
        let items = util::array(value, T)?;
        if items.len() < 4 {
            return Err(util::invalid(
                T,
                "array",
                format!(
                    "{} elements, expected 6 (or 4 before Redis 4.0)",
                    items.len()
                ),
            ));
        }
        let mut it = items.into_iter();
        let mut next = || it.next().unwrap_or(Value::Nil);
        let id = util::convert(next(), T, "ID")?;
        let timestamp = util::convert(next(), T, "timestamp")?;
        let micros: u64 = util::convert(next(), T, "duration")?;
        let args = util::convert(next(), T, "arguments")?;
        let client_addr: Option<String> = util::convert(next(), T, "client address")?;
        let client_name: Option<String> = util::convert(next(), T, "client name")?;
        Ok(SlowLogEntry {
            id,
            timestamp,
            duration: Duration::from_micros(micros),
            args,
            client_addr: client_addr.filter(|s| !s.is_empty()),
            client_name: client_name.filter(|s| !s.is_empty()),
        })
    }
}
