//! # ferrodis-commands
//!
//! The sans-IO core of the ferrodis Redis client: everything about talking to Redis that
//! does not need a socket. It names no runtime and opens nothing; the blocking, async,
//! cluster and sentinel clients are thin drivers around it, so a behaviour is written
//! (and fixed, and tested without a server) once.
//!
//! ## Overview
//!
//! | item | what it is |
//! |---|---|
//! | [`Cmd`], [`ToArgs`] | a command, its arguments encoded as they are added |
//! | [`FromValue`] | converting a reply into the type the caller asks for |
//! | [`Error`], [`ServerError`], [`ErrorCode`] | the one error type, with parsed server error codes |
//! | [`lookup`], [`CommandInfo`], [`CommandFlags`] | the command table, generated from a real server |
//! | [`slot`], [`KeySlot`] | cluster hash slots of keys and commands |
//! | [`Commands`], [`AsyncCommands`], [`PipelineCommands`] | one method per Redis command, generated from the table, for every front end |
//! | [`commands`] | typed constructors: one per command, with its default reply type, and hand-written wrappers with option builders |
//! | [`replies`] | typed replies for structured results (streams, GEO, INFO, CLIENT LIST, ROLE, CLUSTER, ...) |
//! | [`ConnectionConfig`] | address, database, credentials, protocol, timeouts; parsed from `redis://` URLs |
//! | [`Handshake`] | the connection setup state machine (HELLO, AUTH, SELECT, ...) |
//! | [`Pipeline`] | pipelines and MULTI/EXEC transactions, and their replies |
//! | [`Script`] | Lua scripts: EVALSHA first, SCRIPT LOAD on NOSCRIPT |
//! | [`ScanCursor`] | the SCAN/SSCAN/HSCAN/ZSCAN cursor loop |
//! | [`pubsub`] | subscription state and messages; a pub/sub [`Session`](pubsub::Session) with its handlers |
//! | [`pool`] | connection pool settings, their rules (expiry, health checks) and status |
//! | [`MonitorEvent`] | parsed MONITOR lines |
//!
//! Connection-state commands (SELECT, AUTH, HELLO, CLIENT REPLY, MULTI, WATCH, the
//! SUBSCRIBE family, MONITOR, RESET, QUIT) are not methods of [`Commands`]: on a pooled
//! client they would change one connection behind everyone's back. Each is offered by the
//! API that owns the connection: the database, credentials and name belong in the
//! [`ConnectionConfig`], and are applied to every connection a pool opens; transactions,
//! pub/sub and monitor take a connection of their own.
//!
//! ## Example
//!
//! ```
//! use ferrodis_commands::{Cmd, FromValue};
//! use ferrodis_resp::Value;
//!
//! let cmd = Cmd::new("INCRBY").arg("visits").arg(5);
//! let mut request = Vec::new();
//! cmd.write_to(&mut request); // what a transport sends
//! assert_eq!(request, b"*3\r\n$6\r\nINCRBY\r\n$6\r\nvisits\r\n$1\r\n5\r\n");
//!
//! // ...and what it makes of the reply.
//! let visits: u64 = FromValue::from_value(Value::Integer(6))?;
//! assert_eq!(visits, 6);
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```
//!
//! ## Crate features
//!
//! * `rustls` (off by default): the [`tls`] module, the rustls client config of a
//!   [`TlsConfig`], which the `tls` features of the blocking and async clients turn on.
//!   Everything else is always there: the crate is `std`.

mod args;
mod cmd;
mod error;
mod from_value;
mod generated;
mod keys;
mod slot;
mod table;

pub mod commands;
pub mod config;
pub mod handshake;
pub mod monitor;
pub mod pipeline;
pub mod pool;
pub mod pubsub;
pub mod read_buf;
pub mod replies;
pub mod scan;
pub mod script;
#[cfg(feature = "rustls")]
pub mod tls;

pub use args::{ArgWriter, ToArgs};
pub use cmd::{Args, Cmd, ConnectionEffect, Typed};
pub use config::{Addr, ConnectionConfig, IntoConnectionConfig, Password, Protocol, TlsConfig};
pub use error::{Error, ErrorCode, Redirect, RedirectKind, Result, ServerError, TimeoutKind};
pub use from_value::FromValue;
pub use generated::commands::{AsyncCommands, Commands, PipelineCommands};
pub use handshake::{Handshake, Negotiated, ServerInfo, Step};
pub use monitor::MonitorEvent;
pub use pipeline::{Pipeline, ReplyCollector};
pub use pubsub::{Message, MessageKind, Subscriptions};
pub use replies::{Info, KeyType, StreamEntry, StreamId, StreamReadReply, Ttl};
pub use scan::{ScanCursor, ScanOptions, ScanPage};
pub use script::{Script, ScriptCall, ScriptInvocation, ScriptPreload};
pub use slot::{hash_tag, slot, KeySlot, SLOT_COUNT};
pub use table::{all_commands, lookup, BeginSearch, CommandFlags, CommandInfo, FindKeys, KeySpec};

/// Re-exported: the RESP value replies are made of.
pub use ferrodis_resp::Value;
