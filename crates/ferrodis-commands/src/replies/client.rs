//! CLIENT LIST and CLIENT INFO: one line of space-separated `key=value` fields per
//! connection.
//!
//! The fields every Redis since 3.2 sends are typed fields of [`ClientInfo`]; those added
//! later (`laddr`, `user`, `ssub`, `lib-name`, `lib-ver`) are `Option`s, and any field
//! this crate does not know lands in [`ClientInfo::other`], so a newer server never makes
//! the parse fail. The text comes as a bulk string in RESP2 and a verbatim string in
//! RESP3.

use std::collections::BTreeMap;
use std::time::Duration;

use ferrodis_resp::Value;

use super::util;
use crate::error::Error;
use crate::from_value::FromValue;

/// One connection as CLIENT LIST or CLIENT INFO describe it.
///
/// ```
/// use ferrodis_commands::replies::ClientInfo;
///
/// let c = ClientInfo::parse("id=7 addr=127.0.0.1:40714 laddr=127.0.0.1:6379 fd=9 name=worker age=41 idle=1 flags=P db=0 sub=1 psub=0 ssub=0 multi=-1 qbuf=0 cmd=subscribe user=default resp=2")?;
/// assert_eq!(c.id, 7);
/// assert_eq!(c.name.as_deref(), Some("worker"));
/// assert!(c.has_flag('P'));
/// assert_eq!(c.other.get("resp").map(String::as_str), Some("2"));
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientInfo {
    /// The connection's unique ID.
    pub id: u64,
    /// The client's address, `ip:port` (or a unix socket path).
    pub addr: String,
    /// The server-side address the client connected to (Redis 6.2+).
    pub laddr: Option<String>,
    /// The file descriptor (`-1` for internal clients).
    pub fd: i64,
    /// The name set with CLIENT SETNAME, if any.
    pub name: Option<String>,
    /// How long the connection has existed.
    pub age: Duration,
    /// How long it has been idle.
    pub idle: Duration,
    /// The flags, one letter each (`N` none, `P` pub/sub, `M` master, `S` replica, `x`
    /// in MULTI, ...): see [`has_flag`](ClientInfo::has_flag).
    pub flags: String,
    /// The selected database.
    pub db: i64,
    /// Number of channel subscriptions.
    pub sub: u64,
    /// Number of pattern subscriptions.
    pub psub: u64,
    /// Number of shard channel subscriptions (Redis 7.0.3+).
    pub ssub: Option<u64>,
    /// Number of commands queued in a MULTI (`-1` when not in one).
    pub multi: i64,
    /// The last command run (`client|info` for subcommands).
    pub cmd: String,
    /// The authenticated ACL user (Redis 6.0+).
    pub user: Option<String>,
    /// The client library's name, from CLIENT SETINFO (Redis 7.2+).
    pub lib_name: Option<String>,
    /// The client library's version, from CLIENT SETINFO (Redis 7.2+).
    pub lib_ver: Option<String>,
    /// Every other field (`qbuf`, `omem`, `events`, `resp`, `redir`, ...), as text.
    pub other: BTreeMap<String, String>,
}

impl ClientInfo {
    /// Parses one line of CLIENT LIST or CLIENT INFO.
    pub fn parse(line: &str) -> Result<ClientInfo, Error> {
        const T: &str = "ClientInfo";
        let mut fields: BTreeMap<String, String> = line
            .split_ascii_whitespace()
            .map(|part| {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        let mut take = |key: &str| fields.remove(key);
        let missing = |key: &str| {
            util::invalid(
                T,
                "bulk string",
                format!("missing field `{key}` in {line:?}"),
            )
        };
        macro_rules! req {
            ($key:literal) => {
                match take($key) {
                    Some(v) => util::parse_num(&v, T, $key)?,
                    None => return Err(missing($key)),
                }
            };
        }
        macro_rules! opt_num {
            ($key:literal) => {
                match take($key) {
                    Some(v) => Some(util::parse_num(&v, T, $key)?),
                    None => None,
                }
            };
        }
        let id = req!("id");
        let addr = take("addr").ok_or_else(|| missing("addr"))?;
        let laddr = take("laddr");
        let fd = req!("fd");
        let name = take("name").filter(|n| !n.is_empty());
        let age = Duration::from_secs(req!("age"));
        let idle = Duration::from_secs(req!("idle"));
        let flags = take("flags").ok_or_else(|| missing("flags"))?;
        let db = req!("db");
        let sub = req!("sub");
        let psub = req!("psub");
        let ssub = opt_num!("ssub");
        let multi = req!("multi");
        let cmd = take("cmd").ok_or_else(|| missing("cmd"))?;
        let user = take("user");
        let lib_name = take("lib-name").filter(|n| !n.is_empty());
        let lib_ver = take("lib-ver").filter(|n| !n.is_empty());
        Ok(ClientInfo {
            id,
            addr,
            laddr,
            fd,
            name,
            age,
            idle,
            flags,
            db,
            sub,
            psub,
            ssub,
            multi,
            cmd,
            user,
            lib_name,
            lib_ver,
            other: fields,
        })
    }

    /// Whether the flags include `flag` (such as `'P'` for pub/sub, `'x'` for MULTI).
    pub fn has_flag(&self, flag: char) -> bool {
        self.flags.contains(flag)
    }
}

impl FromValue for ClientInfo {
    fn from_value(value: Value) -> Result<Self, Error> {
        ClientInfo::parse(util::text(value, "ClientInfo")?.trim())
    }
}

/// The reply of CLIENT LIST: one [`ClientInfo`] per connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClientList {
    /// The connections, in the server's order.
    pub clients: Vec<ClientInfo>,
}

impl ClientList {
    /// Parses CLIENT LIST text, one client per line.
    pub fn parse(text: &str) -> Result<ClientList, Error> {
        let clients = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(ClientInfo::parse)
            .collect::<Result<_, _>>()?;
        Ok(ClientList { clients })
    }
}

impl IntoIterator for ClientList {
    type Item = ClientInfo;
    type IntoIter = std::vec::IntoIter<ClientInfo>;

    fn into_iter(self) -> Self::IntoIter {
        self.clients.into_iter()
    }
}

impl FromValue for ClientList {
    fn from_value(value: Value) -> Result<Self, Error> {
        ClientList::parse(&util::text(value, "ClientList")?)
    }
}
