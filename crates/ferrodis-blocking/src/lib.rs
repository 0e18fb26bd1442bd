//! # ferrodis-blocking
//!
//! The blocking client of ferrodis, on `std::net`: connections over TCP, unix sockets
//! and TLS, a bounded connection pool, every Redis command as a method, pipelines and
//! transactions, pub/sub, monitor, Lua scripts and functions, and scan iterators.
//!
//! All of the protocol logic (commands, reply conversion, the connection handshake,
//! transactions, script loading, the scan cursor, pub/sub frames) lives in the sans-IO
//! crate `ferrodis-commands`; this crate only moves bytes between sockets and those state
//! machines, so the async client behaves the same way.
//!
//! ## Overview
//!
//! | item | what it is |
//! |---|---|
//! | [`Client`], [`ClientBuilder`] | the handle to use: `Clone + Send + Sync`, on a bounded pool; one method per command through [`Commands`] |
//! | [`Client::cmd`] | any other command: `client.cmd("NAME").arg(..).query::<T>()` |
//! | [`Connection`] | one connection, for one caller: send, flush, recv, query; pushes; timeouts |
//! | [`PooledConnection`], [`PoolStatus`] | a connection borrowed from a client's pool; the pool's counters |
//! | [`pipeline`] | pipelines and `MULTI`/`EXEC` transactions, `WATCH`, the `transaction` helper |
//! | [`pubsub`] | publish/subscribe on a connection of its own, with handlers and a thread |
//! | [`monitor`] | `MONITOR` as an iterator of parsed events |
//! | [`script`] | Lua scripts (`EVALSHA`, loaded on `NOSCRIPT`) and functions (`FCALL`) |
//! | [`scan`] | `SCAN`, `SSCAN`, `HSCAN`, `ZSCAN` as iterators |
//!
//! ## Connections
//!
//! - TCP with `TCP_NODELAY` and TCP keepalive (60 s) on, each resolved address tried in
//!   turn; unix sockets; TLS through rustls (feature `tls`): a CA file or the system's
//!   roots, a client certificate, SNI, hostname verification.
//! - Timeouts from the [`ConnectionConfig`]: `connect_timeout` (TCP, TLS and handshake
//!   together), `response_timeout` (each reply, and each write; blocking commands add
//!   their own timeout to it).
//! - One read buffer and one write buffer per connection, for its whole life.
//! - A connection that cannot tell where the next reply starts (an IO error, a timeout
//!   in the middle of a reply) is broken and discarded, never reused: a reply never
//!   reaches the wrong caller.
//!
//! ## The pool
//!
//! See [`ClientBuilder`] for the settings (`max_size`, `pool_timeout`, `idle_timeout`,
//! `max_lifetime`, `health_check_interval`) and the [`pool`] module for the rules: what
//! is returned to the pool, what is checked before a connection is handed out (a peek
//! that notices connections the server closed while idle, e.g. after a restart), and when
//! a command is sent again on a new connection (only when it cannot run twice).
//!
//! ## Example
//!
//! ```no_run
//! use std::time::Duration;
//! use ferrodis_blocking::{Client, Commands};
//!
//! # fn main() -> ferrodis_blocking::Result<()> {
//! let client = Client::builder("redis://127.0.0.1:6379/0")
//!     .max_size(8)
//!     .pool_timeout(Duration::from_secs(1))
//!     .build()?;
//!
//! // Every command is a method; the caller picks the reply type.
//! client.set::<_, _, ()>("greeting", "hello")?;
//! let greeting: String = client.get("greeting")?;
//! assert_eq!(greeting, "hello");
//!
//! // Anything else, by name.
//! let encoding: String = client.cmd("OBJECT").arg("ENCODING").arg("greeting").query()?;
//!
//! // The client is Clone + Send + Sync: share it between threads.
//! let handles: Vec<_> = (0..4)
//!     .map(|_| {
//!         let client = client.clone();
//!         std::thread::spawn(move || client.incr::<_, i64>("visits"))
//!     })
//!     .collect();
//! for handle in handles {
//!     let _visits = handle.join().expect("thread")?;
//! }
//! # let _ = encoding;
//! # Ok(())
//! # }
//! ```
//!
//! ## Crate features
//!
//! * `tls` (off by default): TLS through rustls with the `ring` provider, for
//!   `rediss://` URLs and [`ConnectionConfig::tls`]. Without it, a TLS config fails with
//!   [`Error::Tls`] saying to enable the feature.

mod connect;
mod stream;
#[cfg(feature = "tls")]
mod tls;

pub mod client;
pub mod connection;
pub mod monitor;
pub mod pipeline;
pub mod pool;
pub mod pubsub;
pub mod scan;
pub mod script;

pub use client::{Client, ClientBuilder, ClientCmd};
pub use connection::Connection;
pub use monitor::Monitor;
pub use pipeline::{Immediate, Pipeline};
pub use pool::{PoolStatus, PooledConnection};
pub use pubsub::{PubSub, PubSubThread, Reconnected};
pub use scan::ScanIter;
pub use script::{Invocation, Script};

pub use ferrodis_commands::{
    Cmd, Commands, ConnectionConfig, Error, FromValue, IntoConnectionConfig, Message, MessageKind,
    MonitorEvent, PipelineCommands, Protocol, Result, ScanOptions, TlsConfig, ToArgs, Value,
};
