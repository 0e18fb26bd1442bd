//! # ferrodis-async
//!
//! The async client of ferrodis, on tokio or async-std: everything the blocking client
//! does (every Redis command as a method, pipelines and transactions, pub/sub, monitor,
//! Lua scripts and functions, scan iterators), plus automatic pipelining of concurrent
//! requests over one shared connection.
//!
//! All of the protocol logic (commands, reply conversion, the handshake, transactions,
//! script loading, the scan cursor, pub/sub frames) lives in the sans-IO crate
//! `ferrodis-commands`; this crate moves bytes between sockets and those state machines,
//! so it behaves as the blocking client does. It names no runtime outside of
//! [`runtime`]: a small object-safe shim with one file per runtime.
//!
//! ## Overview
//!
//! | item | what it is |
//! |---|---|
//! | [`Client`], [`ClientBuilder`] | the handle to use: `Clone + Send + Sync`; ordinary commands share one multiplexed connection, blocking commands and `WATCH` get pooled connections of their own; one method per command through [`AsyncCommands`] |
//! | [`MultiplexedConnection`] | one connection many tasks share: a driver task, automatic pipelining, FIFO reply matching, cancel-safe, bounded in-flight, RESP3 pushes on a [`PushStream`] |
//! | [`Connection`] | one connection for one caller: send, flush, recv, query; cancel-safe |
//! | [`PooledConnection`], [`PoolStatus`] | an exclusive connection borrowed from a client's pool |
//! | [`pipeline`] | pipelines and `MULTI`/`EXEC` transactions, `WATCH`, the async `transaction` helper |
//! | [`pubsub`] | publish/subscribe: a `Stream` of messages, handlers, `run_in_background` |
//! | [`monitor`] | `MONITOR` as a `Stream` of parsed events |
//! | [`script`] | Lua scripts (`EVALSHA`, loaded on `NOSCRIPT`) and functions (`FCALL`) |
//! | [`scan`] | `SCAN`, `SSCAN`, `HSCAN`, `ZSCAN` as `Stream`s |
//! | [`runtime`] | the runtime shim: [`runtime::Tokio`], [`runtime::AsyncStd`] |
//!
//! ## A reply never reaches the wrong caller
//!
//! Every future of this crate may be dropped at any `.await` (a timeout, a `select!`, an
//! aborted task). A request abandoned that way, or one whose response timeout passed,
//! leaves a tombstone: its reply is read when it comes and discarded, and the connection
//! goes on serving the others (see [`multiplexed`] and [`connection`]). Connections that
//! fail (an IO error, a protocol error) fail every request in flight with a typed error,
//! and the [`Client`] opens a new one with backoff.
//!
//! ## Example
//!
//! ```no_run
//! use ferrodis_async::{AsyncCommands, Client};
//!
//! # async fn demo() -> ferrodis_async::Result<()> {
//! let client = Client::open("redis://127.0.0.1:6379/0")?;
//! client.set::<_, _, ()>("greeting", "hello").await?;
//! let greeting: String = client.get("greeting").await?;
//! assert_eq!(greeting, "hello");
//!
//! // Concurrent requests from many tasks share one connection: their commands are
//! // written together, and each reply goes to its own caller.
//! let mut tasks = Vec::new();
//! for i in 0..100 {
//!     let client = client.clone();
//!     tasks.push(tokio::spawn(async move { client.incr::<_, i64>(format!("counter:{i}")).await }));
//! }
//! for task in tasks {
//!     let _count = task.await.expect("task")?;
//! }
//!
//! // A blocking command gets a pooled connection of its own: it stalls no one.
//! let job: Option<(String, String)> = client.blpop("jobs", 0.5).await?;
//! # let _ = job;
//! # Ok(())
//! # }
//! ```
//!
//! ## Crate features
//!
//! * `tokio`: the tokio runtime ([`runtime::Tokio`]).
//! * `async-std`: the async-std runtime ([`runtime::AsyncStd`]). With both on, a client
//!   uses the one it is created in ([`runtime::detect`]) unless told otherwise.
//! * `tls`: TLS through rustls (ring), on any runtime, for `rediss://` URLs and
//!   [`ConnectionConfig::tls`]. Without it, a TLS config fails with [`Error::Tls`].

mod connect;
mod slot;
#[cfg(feature = "tls")]
mod tls;

pub mod client;
pub mod connection;
pub mod monitor;
pub mod multiplexed;
pub mod pipeline;
pub mod pool;
pub mod pubsub;
pub mod runtime;
pub mod scan;
pub mod script;
pub mod spin;

pub use client::{Client, ClientBuilder, ClientCmd};
pub use connection::Connection;
pub use monitor::Monitor;
pub use multiplexed::{MultiplexedConnection, PushStream};
pub use pipeline::{Immediate, Pipeline};
pub use pool::{PoolStatus, PooledConnection};
pub use pubsub::{IntoMessages, Messages, PubSub, PubSubTask, Reconnected};
pub use runtime::{Runtime, RuntimeRef};
pub use scan::ScanStream;
pub use script::{Invocation, Script};

pub use ferrodis_commands::{
    AsyncCommands, Cmd, ConnectionConfig, Error, FromValue, IntoConnectionConfig, Message,
    MessageKind, MonitorEvent, PipelineCommands, Protocol, Result, ScanOptions, TlsConfig, ToArgs,
    Value,
};
