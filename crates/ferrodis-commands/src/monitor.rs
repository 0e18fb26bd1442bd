//! `MONITOR`: every command the server runs, as it runs it, parsed.
//!
//! After `MONITOR` (answered `+OK`), the connection receives one simple string per
//! command the server processes, from every client:
//!
//! ```text
//! +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"
//! +1339518083.107499 [0 lua] "set" "k" "v"
//! +1339518083.107600 [3 unix:/tmp/redis.sock] "GET" "caf\xc3\xa9"
//! ```
//!
//! that is: the time (seconds and microseconds since the Unix epoch), the database, the
//! client (`ip:port`, `[ipv6]:port`, `unix:<path>`, or `lua` for a command a script
//! ran), and the arguments, each quoted, with the escapes of Redis's `sdscatrepr`
//! (`\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, and `\xHH` for other bytes). This module
//! turns such a line into a [`MonitorEvent`], so that every client's monitor reads it
//! the same way; a transport sends [`monitor`] (expecting `+OK`) and then converts each
//! value it reads with [`MonitorEvent::from_value`](crate::FromValue::from_value).
//!
//! A line that does not parse is an [`Error::Conversion`] (expected `MonitorEvent`,
//! with a detail saying what is wrong), not a protocol error: the RESP framing was fine
//! and the connection is still in sync, so the monitor may skip the line and go on.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use ferrodis_commands::monitor::MonitorEvent;
//!
//! let event = MonitorEvent::parse(br#"1339518083.107412 [0 127.0.0.1:60866] "keys" "*""#)?;
//! assert_eq!(event.time, UNIX_EPOCH + Duration::new(1339518083, 107_412_000));
//! assert_eq!(event.db, 0);
//! assert_eq!(event.client, "127.0.0.1:60866");
//! assert_eq!(event.command, ["keys", "*"]);
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::cmd::Cmd;
use crate::error::Error;
use crate::from_value::FromValue;
use ferrodis_resp::Value;

/// `MONITOR`. The server answers `+OK`, then sends one line per command it runs.
pub fn monitor() -> Cmd {
    Cmd::new("MONITOR")
}

/// One command the server ran, from a `MONITOR` line. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorEvent {
    /// When the server ran the command (its clock, to the microsecond).
    pub time: SystemTime,
    /// The database the client had selected.
    pub db: i64,
    /// Who sent it: `127.0.0.1:60866`, `[::1]:60866`, `unix:/tmp/redis.sock`, or `lua`
    /// for a command run by a script.
    pub client: String,
    /// The command's name and arguments, unescaped.
    pub command: Vec<Bytes>,
}

fn malformed(detail: impl Into<String>) -> Error {
    Error::conversion::<MonitorEvent>("simple string", Some(detail.into()))
}

impl MonitorEvent {
    /// Parses a line (without the leading `+` and the trailing CRLF).
    pub fn parse(line: &[u8]) -> Result<MonitorEvent, Error> {
        let line = line.strip_suffix(b"\r\n").unwrap_or(line);
        // The time: `<secs>.<micros>`.
        let space = line
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| malformed("no space after the timestamp"))?;
        let time = parse_time(&line[..space])?;
        // `[<db> <client>]`.
        let rest = line[space + 1..]
            .strip_prefix(b"[")
            .ok_or_else(|| malformed("expected `[db client]` after the timestamp"))?;
        let space = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| malformed("expected `[db client]` after the timestamp"))?;
        let db = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| malformed("the database is not a number"))?;
        let rest = &rest[space + 1..];
        // The client ends at the first `] "` (an IPv6 client holds a `]` of its own).
        let end =
            find(rest, b"] \"").ok_or_else(|| malformed("expected `] \"` after the client"))?;
        let client = String::from_utf8_lossy(&rest[..end]).into_owned();
        let command = parse_args(&rest[end + 2..])?;
        Ok(MonitorEvent {
            time,
            db,
            client,
            command,
        })
    }

    /// The seconds since the Unix epoch, with the microseconds as a fraction (as printed
    /// in the line).
    pub fn timestamp(&self) -> f64 {
        self.time
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
}

impl FromValue for MonitorEvent {
    fn from_value(value: Value) -> Result<Self, Error> {
        match value {
            Value::SimpleString(line) | Value::BulkString(line) => MonitorEvent::parse(&line),
            Value::VerbatimString { text, .. } => MonitorEvent::parse(&text),
            Value::Attribute { value, .. } => MonitorEvent::from_value(*value),
            error @ (Value::SimpleError(_) | Value::BulkError(_)) => Err(<()>::from_value(error)
                .err()
                .unwrap_or_else(|| malformed("an error reply"))),
            other => Err(Error::conversion::<MonitorEvent>(other.type_name(), None)),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_time(text: &[u8]) -> Result<SystemTime, Error> {
    let bad = || malformed("the timestamp is not `<seconds>.<microseconds>`");
    let text = std::str::from_utf8(text).map_err(|_| bad())?;
    let (secs, frac) = text.split_once('.').unwrap_or((text, ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let secs: u64 = secs.parse().map_err(|_| bad())?;
    // Right-pad the fraction to nanoseconds: "107412" -> 107412000.
    let mut nanos: u32 = 0;
    for i in 0..9 {
        let digit = frac.as_bytes().get(i).map_or(0, |d| u32::from(d - b'0'));
        nanos = nanos * 10 + digit;
    }
    UNIX_EPOCH
        .checked_add(Duration::new(secs, nanos))
        .ok_or_else(bad)
}

/// Parses `"arg" "arg" ...`, unescaping each.
fn parse_args(mut rest: &[u8]) -> Result<Vec<Bytes>, Error> {
    let mut args = Vec::new();
    loop {
        rest = rest.strip_prefix(b"\"").ok_or_else(|| {
            malformed(format!(
                "argument {} does not start with a quote",
                args.len() + 1
            ))
        })?;
        let mut arg = Vec::new();
        let mut i = 0;
        loop {
            match rest.get(i) {
                None => {
                    return Err(malformed(format!(
                        "argument {} has no closing quote",
                        args.len() + 1
                    )))
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    let (byte, used) = unescape(&rest[i + 1..]).ok_or_else(|| {
                        malformed(format!("a bad escape in argument {}", args.len() + 1))
                    })?;
                    arg.push(byte);
                    i += 1 + used;
                }
                Some(&b) => {
                    arg.push(b);
                    i += 1;
                }
            }
        }
        args.push(Bytes::from(arg));
        rest = &rest[i + 1..];
        if rest.is_empty() {
            return Ok(args);
        }
        rest = rest
            .strip_prefix(b" ")
            .ok_or_else(|| malformed(format!("no space after argument {}", args.len())))?;
    }
}

/// The byte an escape (after its backslash) stands for, and how many bytes it took.
fn unescape(after_backslash: &[u8]) -> Option<(u8, usize)> {
    Some(match *after_backslash.first()? {
        b'\\' => (b'\\', 1),
        b'"' => (b'"', 1),
        b'n' => (b'\n', 1),
        b'r' => (b'\r', 1),
        b't' => (b'\t', 1),
        b'a' => (0x07, 1),
        b'b' => (0x08, 1),
        b'x' => {
            let hex = after_backslash.get(1..3)?;
            let high = (hex[0] as char).to_digit(16)?;
            let low = (hex[1] as char).to_digit(16)?;
            (u8::try_from(high << 4 | low).ok()?, 3)
        }
        _ => return None,
    })
}
