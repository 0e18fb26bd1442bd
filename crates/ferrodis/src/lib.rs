//! # ferrodis
//!
//! A Redis client for Rust that aims to be complete (everything redis-py and aredis
//! document: single node, sentinel and cluster), correct (a reply never reaches the wrong
//! caller; bad input is a typed error, never a panic or a hang) and fast.
//!
//! This crate is the facade: it re-exports the layered `ferrodis-*` crates behind feature
//! flags, so most users depend on `ferrodis` alone.
//!
//! ## Overview
//!
//! | module | crate | what it holds |
//! |---|---|---|
//! | [`resp`] | `ferrodis-resp` | the `no_std` RESP2/RESP3 [`resp::Value`], [`resp::Decoder`] and encoder |
//! | [`commands`] | `ferrodis-commands` | the sans-IO command layer: [`Cmd`], [`ToArgs`], [`FromValue`], [`Error`], the command table, config and URLs, pipelines, scripts, scan, pub/sub, key slots |
//! | [`blocking`] | `ferrodis-blocking` | the blocking client on `std::net`: [`Client`] and its pool, [`blocking::Connection`], pipelines and transactions, pub/sub, monitor, scripts, scan iterators |
//! | `aio` | `ferrodis-async` | the async client on tokio or async-std: `aio::Client` (a multiplexed connection with automatic pipelining, and a pool for blocking commands and `WATCH`), `aio::MultiplexedConnection`, `aio::Connection`, pipelines and transactions, pub/sub, monitor, scripts, scan streams |
//!
//! Cluster and sentinel support arrive as further modules; the project README keeps an
//! honest status table.
//!
//! ## Connecting
//!
//! ```no_run
//! use ferrodis::{Client, Commands};
//!
//! # fn main() -> ferrodis::Result<()> {
//! let client = Client::open("redis://127.0.0.1:6379/0")?;
//! client.set::<_, _, ()>("greeting", "hello")?;
//! let greeting: String = client.get("greeting")?;
//! assert_eq!(greeting, "hello");
//! # Ok(())
//! # }
//! ```
//!
//! ## Example
//!
//! Encode a command, and decode a reply as it arrives from a socket:
//!
//! ```
//! use bytes::BytesMut;
//! use ferrodis::resp::{encode_command, Decoder, Value};
//!
//! let mut out = Vec::new();
//! encode_command(&mut out, ["SET", "greeting", "hello"]);
//! assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$5\r\nhello\r\n");
//!
//! let mut decoder = Decoder::new();
//! let mut buf = BytesMut::from(&b"+O"[..]);
//! assert_eq!(decoder.decode(&mut buf)?, None); // not complete yet
//! buf.extend_from_slice(b"K\r\n");
//! assert_eq!(decoder.decode(&mut buf)?, Some(Value::SimpleString("OK".into())));
//! # Ok::<(), ferrodis::resp::DecodeError>(())
//! ```
//!
//! ## Crate features
//!
//! * `std` (default): `std::error::Error` implementations.
//! * `commands` (default): the command layer, [`commands`], and its main types at the root.
//! * `blocking` (default): the blocking client, [`blocking`], and [`Client`] at the root.
//! * `tokio`, `async-std`: the async client, `aio`, on that runtime (both may be on; a
//!   client uses the runtime it is created in). `async` alone builds it without a runtime.
//! * `tls`: TLS through rustls for the clients (`rediss://` URLs, `ConnectionConfig::tls`).
#![cfg_attr(not(feature = "std"), no_std)]

/// RESP2/RESP3 values, the streaming decoder and the encoder (the `ferrodis-resp` crate).
pub use ferrodis_resp as resp;

/// The sans-IO command layer (the `ferrodis-commands` crate).
#[cfg(feature = "commands")]
pub use ferrodis_commands as commands;

#[cfg(feature = "commands")]
pub use ferrodis_commands::{
    Cmd, Commands, ConnectionConfig, Error, FromValue, PipelineCommands, Result, ToArgs, Value,
};

/// The blocking client on `std::net` (the `ferrodis-blocking` crate).
#[cfg(feature = "blocking")]
pub use ferrodis_blocking as blocking;

#[cfg(feature = "blocking")]
pub use ferrodis_blocking::Client;

/// The async client, on tokio or async-std (the `ferrodis-async` crate): features
/// `tokio`, `async-std`.
#[cfg(feature = "async")]
pub use ferrodis_async as aio;

#[cfg(feature = "async")]
pub use ferrodis_commands::AsyncCommands;

/// The README's examples, compiled and run as doctests so they stay true (with the
/// features they use: `cargo xtask test` builds all of them).
#[cfg(all(doctest, feature = "blocking", feature = "tokio"))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
