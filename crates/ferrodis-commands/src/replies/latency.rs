//! LATENCY LATEST and LATENCY HISTORY (LATENCY DOCTOR is plain text: ask for a
//! `String`, which reads RESP2 bulk and RESP3 verbatim strings alike).

use std::time::Duration;

use ferrodis_resp::Value;

use super::util;
use crate::error::Error;
use crate::from_value::FromValue;

/// One event of LATENCY LATEST. Ask for `Vec<LatencyEvent>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LatencyEvent {
    /// The event's name (`command`, `fast-command`, `expire-cycle`, `fork`, ...).
    pub name: String,
    /// When the latest spike happened, in Unix seconds.
    pub timestamp: u64,
    /// The latest spike.
    pub latest: Duration,
    /// The largest spike recorded.
    pub max: Duration,
}

impl FromValue for LatencyEvent {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "LatencyEvent";
        let items = util::array(value, T)?;
        if items.len() < 4 {
            return Err(util::invalid(
                T,
                "array",
                format!("{} elements, expected 4", items.len()),
            ));
        }
        let mut it = items.into_iter();
        let mut next = || it.next().unwrap_or(Value::Nil);
        Ok(LatencyEvent {
            name: util::convert(next(), T, "event name")?,
            timestamp: util::convert(next(), T, "timestamp")?,
            latest: util::millis(util::convert(next(), T, "latest latency")?),
            max: util::millis(util::convert(next(), T, "max latency")?),
        })
    }
}

/// One sample of LATENCY HISTORY. Ask for `Vec<LatencySample>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LatencySample {
    /// When it happened, in Unix seconds.
    pub timestamp: u64,
    /// The latency.
    pub latency: Duration,
}

impl FromValue for LatencySample {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "LatencySample";
        let [timestamp, latency] = util::exact::<2>(value, T)?;
        Ok(LatencySample {
            timestamp: util::convert(timestamp, T, "timestamp")?,
            latency: util::millis(util::convert(latency, T, "latency")?),
        })
    }
}
