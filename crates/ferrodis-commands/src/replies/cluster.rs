//! Cluster topology replies: CLUSTER SLOTS, CLUSTER SHARDS and CLUSTER NODES.
//!
//! - CLUSTER SLOTS lists slot ranges, each with its master and replicas. Redis 7.0 adds
//!   a fourth element per node: a map (RESP2: flat array) of extra networking metadata,
//!   `hostname` and `ip`, holding what the first element (the *preferred endpoint*, set
//!   by `cluster-preferred-endpoint-type`) does not.
//! - CLUSTER SHARDS (7.0+) is the map-based successor: per shard, its slot ranges and
//!   its nodes with their role and health.
//! - CLUSTER NODES is text: one line per node, `<id> <ip:port@cport[,hostname]> <flags>
//!   <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> <slot> ...`,
//!   where a slot is `N`, `A-B`, `[N->-<node>]` (migrating) or `[N-<-<node>]`
//!   (importing). CLUSTER REPLICAS answers with such lines, one string each.

use ferrodis_resp::Value;

use super::util::{self, Fields};
use crate::error::Error;
use crate::from_value::FromValue;

/// One slot range of CLUSTER SLOTS. Ask for `Vec<SlotRange>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SlotRange {
    /// The first slot.
    pub start: u16,
    /// The last slot (inclusive).
    pub end: u16,
    /// The master serving it.
    pub master: SlotNode,
    /// Its replicas.
    pub replicas: Vec<SlotNode>,
}

impl FromValue for SlotRange {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "SlotRange";
        let items = util::array(value, T)?;
        if items.len() < 3 {
            return Err(util::invalid(
                T,
                "array",
                format!("{} elements, expected start, end and a master", items.len()),
            ));
        }
        let mut it = items.into_iter();
        let mut next = || it.next().unwrap_or(Value::Nil);
        let start = util::convert(next(), T, "start slot")?;
        let end = util::convert(next(), T, "end slot")?;
        let master = util::convert(next(), T, "master")?;
        let replicas = it
            .map(|r| util::convert(r, T, "replica"))
            .collect::<Result<_, _>>()?;
        Ok(SlotRange {
            start,
            end,
            master,
            replicas,
        })
    }
}

/// A node in CLUSTER SLOTS.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SlotNode {
    /// The preferred endpoint: the IP by default, or the hostname, per
    /// `cluster-preferred-endpoint-type`; `?` when unknown.
    pub endpoint: String,
    /// The port.
    pub port: u16,
    /// The node ID (Redis 4.0+).
    pub id: Option<String>,
    /// The IP, when the endpoint is not the IP (Redis 7.0+ metadata).
    pub ip: Option<String>,
    /// The node's announced hostname, when set (Redis 7.0+ metadata).
    pub hostname: Option<String>,
}

impl FromValue for SlotNode {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "SlotNode";
        let items = util::array(value, T)?;
        if items.len() < 2 {
            return Err(util::invalid(
                T,
                "array",
                format!("{} elements, expected endpoint and port", items.len()),
            ));
        }
        let mut it = items.into_iter();
        let mut next = || it.next();
        let endpoint = util::convert(next().unwrap_or(Value::Nil), T, "endpoint")?;
        let port = util::convert(next().unwrap_or(Value::Nil), T, "port")?;
        let id = next().map(|v| util::convert(v, T, "node ID")).transpose()?;
        let (mut ip, mut hostname) = (None, None);
        if let Some(meta) = next() {
            let mut f = Fields::new(meta, T)?;
            ip = f.opt("ip")?;
            hostname = f.opt::<String>("hostname")?.filter(|h| !h.is_empty());
        }
        Ok(SlotNode {
            endpoint,
            port,
            id,
            ip,
            hostname,
        })
    }
}

/// One shard of CLUSTER SHARDS. Ask for `Vec<ClusterShard>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClusterShard {
    /// The slot ranges it serves, `(start, end)` inclusive.
    pub slots: Vec<(u16, u16)>,
    /// Its nodes: the master and replicas.
    pub nodes: Vec<ShardNode>,
}

impl ClusterShard {
    /// The master, if the shard has one.
    pub fn master(&self) -> Option<&ShardNode> {
        self.nodes.iter().find(|n| n.is_master())
    }
}

impl FromValue for ClusterShard {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "ClusterShard";
        let mut f = Fields::new(value, T)?;
        let bounds: Vec<u16> = f.req("slots")?;
        if bounds.len() % 2 != 0 {
            return Err(util::invalid(
                T,
                "array",
                format!("{} slot bounds, expected pairs", bounds.len()),
            ));
        }
        Ok(ClusterShard {
            slots: bounds
                .chunks_exact(2)
                .filter_map(|c| match c {
                    [start, end] => Some((*start, *end)),
                    _ => None,
                })
                .collect(),
            nodes: f.req("nodes")?,
        })
    }
}

/// A node of CLUSTER SHARDS.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShardNode {
    /// The node ID.
    pub id: String,
    /// The plain TCP port, if the node listens on one.
    pub port: Option<u16>,
    /// The TLS port, if the node listens on one.
    pub tls_port: Option<u16>,
    /// The IP.
    pub ip: String,
    /// The preferred endpoint (see [`SlotNode::endpoint`]).
    pub endpoint: String,
    /// The announced hostname, if set.
    pub hostname: Option<String>,
    /// `master` or `replica`.
    pub role: String,
    /// The replication offset.
    pub replication_offset: u64,
    /// `online`, `failed` or `loading`.
    pub health: String,
}

impl ShardNode {
    /// Whether the role is `master`.
    pub fn is_master(&self) -> bool {
        self.role == "master"
    }

    /// Whether the health is `online`.
    pub fn is_online(&self) -> bool {
        self.health == "online"
    }
}

impl FromValue for ShardNode {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "ShardNode")?;
        Ok(ShardNode {
            id: f.req("id")?,
            port: f.opt("port")?,
            tls_port: f.opt("tls-port")?,
            ip: f.req("ip")?,
            endpoint: f.req("endpoint")?,
            hostname: f.opt::<String>("hostname")?.filter(|h| !h.is_empty()),
            role: f.req("role")?,
            replication_offset: f.req("replication-offset")?,
            health: f.req("health")?,
        })
    }
}

/// A slot entry of a CLUSTER NODES line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeSlot {
    /// The node serves slots `start..=end` (a single slot has `start == end`).
    Range {
        /// The first slot.
        start: u16,
        /// The last slot (inclusive).
        end: u16,
    },
    /// The slot is migrating from this node to node `to`.
    Migrating {
        /// The slot.
        slot: u16,
        /// The target node's ID.
        to: String,
    },
    /// The slot is being imported into this node from node `from`.
    Importing {
        /// The slot.
        slot: u16,
        /// The source node's ID.
        from: String,
    },
}

/// One line of CLUSTER NODES (or one element of CLUSTER REPLICAS).
///
/// ```
/// use ferrodis_commands::replies::{ClusterNode, NodeSlot};
///
/// let node = ClusterNode::parse("913e2f7f 127.0.0.1:7001@17001,db1.example myself,master - 0 1795257102000 3 connected 0-8000 [5->-74033aaa]")?;
/// assert_eq!((node.ip.as_str(), node.port, node.cport), ("127.0.0.1", 7001, Some(17001)));
/// assert_eq!(node.hostname.as_deref(), Some("db1.example"));
/// assert!(node.is_myself() && node.is_master());
/// assert_eq!(node.slots[1], NodeSlot::Migrating { slot: 5, to: "74033aaa".into() });
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClusterNode {
    /// The node ID.
    pub id: String,
    /// The IP (empty for a node with no known address, `:0@0`).
    pub ip: String,
    /// The client port.
    pub port: u16,
    /// The cluster bus port (Redis 4.0+).
    pub cport: Option<u16>,
    /// The announced hostname (Redis 7.0+), if set.
    pub hostname: Option<String>,
    /// Auxiliary `key=value` address fields (Redis 7.2+: `shard-id`, `tls-port`, ...).
    pub aux: Vec<(String, String)>,
    /// The flags: `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`, `noaddr`,
    /// `nofailover`; empty for `noflags`.
    pub flags: Vec<String>,
    /// The master's ID, for a replica.
    pub master_id: Option<String>,
    /// When the last ping was sent, in Unix milliseconds (0 if none is pending).
    pub ping_sent: u64,
    /// When the last pong was received, in Unix milliseconds.
    pub pong_recv: u64,
    /// The node's configuration epoch.
    pub config_epoch: u64,
    /// `connected` or `disconnected` (the cluster bus link).
    pub link_state: String,
    /// The slots it serves, and those migrating or importing.
    pub slots: Vec<NodeSlot>,
}

impl ClusterNode {
    /// Parses one line of CLUSTER NODES.
    pub fn parse(line: &str) -> Result<ClusterNode, Error> {
        const T: &str = "ClusterNode";
        let bad = |what: String| util::invalid(T, "bulk string", format!("{what} in {line:?}"));
        let parts: Vec<&str> = line.split_ascii_whitespace().collect();
        if parts.len() < 8 {
            return Err(bad(format!("{} fields, expected at least 8", parts.len())));
        }
        let (addr, bus) = match parts[1].split_once('@') {
            Some((addr, bus)) => (addr, Some(bus)),
            None => (parts[1], None),
        };
        let (ip, port) = addr
            .rsplit_once(':')
            .ok_or_else(|| bad(format!("address {addr:?} has no port")))?;
        let port = util::parse_num(port, T, "port")?;
        let (mut cport, mut hostname, mut aux) = (None, None, Vec::new());
        if let Some(bus) = bus {
            let mut it = bus.split(',');
            cport = Some(util::parse_num(
                it.next().unwrap_or(""),
                T,
                "cluster bus port",
            )?);
            for (i, part) in it.enumerate() {
                match part.split_once('=') {
                    Some((k, v)) => aux.push((k.to_owned(), v.to_owned())),
                    None if i == 0 && !part.is_empty() => hostname = Some(part.to_owned()),
                    None => {}
                }
            }
        }
        let flags = parts[2]
            .split(',')
            .filter(|f| !f.is_empty() && *f != "noflags")
            .map(str::to_owned)
            .collect();
        let master_id = Some(parts[3]).filter(|m| *m != "-").map(str::to_owned);
        let slots = parts[8..]
            .iter()
            .map(|s| parse_slot(s).ok_or_else(|| bad(format!("bad slot entry {s:?}"))))
            .collect::<Result<_, _>>()?;
        Ok(ClusterNode {
            id: parts[0].to_owned(),
            ip: ip.to_owned(),
            port,
            cport,
            hostname,
            aux,
            flags,
            master_id,
            ping_sent: util::parse_num(parts[4], T, "ping-sent")?,
            pong_recv: util::parse_num(parts[5], T, "pong-recv")?,
            config_epoch: util::parse_num(parts[6], T, "config-epoch")?,
            link_state: parts[7].to_owned(),
            slots,
        })
    }

    /// `ip:port`.
    pub fn addr(&self) -> String {
        if self.ip.contains(':') {
            format!("[{}]:{}", self.ip, self.port)
        } else {
            format!("{}:{}", self.ip, self.port)
        }
    }

    /// Whether the flags include `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// Whether this is the node that answered.
    pub fn is_myself(&self) -> bool {
        self.has_flag("myself")
    }

    /// Whether it is a master.
    pub fn is_master(&self) -> bool {
        self.has_flag("master")
    }

    /// Whether it is a replica.
    pub fn is_replica(&self) -> bool {
        self.has_flag("slave") || self.has_flag("replica")
    }

    /// Whether it is failing or suspected to (`fail` or `fail?`).
    pub fn is_failing(&self) -> bool {
        self.has_flag("fail") || self.has_flag("fail?")
    }

    /// Whether the cluster bus link is up.
    pub fn is_connected(&self) -> bool {
        self.link_state == "connected"
    }
}

fn parse_slot(s: &str) -> Option<NodeSlot> {
    if let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        if let Some((slot, to)) = inner.split_once("->-") {
            return Some(NodeSlot::Migrating {
                slot: slot.parse().ok()?,
                to: to.to_owned(),
            });
        }
        let (slot, from) = inner.split_once("-<-")?;
        return Some(NodeSlot::Importing {
            slot: slot.parse().ok()?,
            from: from.to_owned(),
        });
    }
    let (start, end) = s.split_once('-').unwrap_or((s, s));
    Some(NodeSlot::Range {
        start: start.parse().ok()?,
        end: end.parse().ok()?,
    })
}

impl FromValue for ClusterNode {
    fn from_value(value: Value) -> Result<Self, Error> {
        ClusterNode::parse(util::text(value, "ClusterNode")?.trim())
    }
}

/// The reply of CLUSTER NODES: one [`ClusterNode`] per line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClusterNodes {
    /// The nodes, in the server's order.
    pub nodes: Vec<ClusterNode>,
}

impl ClusterNodes {
    /// Parses CLUSTER NODES text.
    pub fn parse(text: &str) -> Result<ClusterNodes, Error> {
        let nodes = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(ClusterNode::parse)
            .collect::<Result<_, _>>()?;
        Ok(ClusterNodes { nodes })
    }

    /// The node that answered (flag `myself`).
    pub fn myself(&self) -> Option<&ClusterNode> {
        self.nodes.iter().find(|n| n.is_myself())
    }
}

impl IntoIterator for ClusterNodes {
    type Item = ClusterNode;
    type IntoIter = std::vec::IntoIter<ClusterNode>;

    fn into_iter(self) -> Self::IntoIter {
        self.nodes.into_iter()
    }
}

impl FromValue for ClusterNodes {
    fn from_value(value: Value) -> Result<Self, Error> {
        ClusterNodes::parse(&util::text(value, "ClusterNodes")?)
    }
}
