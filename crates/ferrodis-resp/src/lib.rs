//! # ferrodis-resp
//!
//! A `no_std` encoder and decoder for RESP2 and RESP3, the Redis serialization
//! protocols, with no dependencies beyond `bytes` and `memchr`. It is the bottom layer of
//! the ferrodis Redis client, and is meant to be embedded on its own too: in a proxy, a
//! server, a tool that reads a capture.
//!
//! ## Overview
//!
//! - [`Value`]: every RESP2 and RESP3 type, with string payloads as [`bytes::Bytes`].
//! - [`Decoder`]: the streaming decoder for a connection's read buffer. It is resumable
//!   (a reply arriving in many pieces is examined once), zero-copy (payloads are slices of
//!   the read buffer), bounded by [`Limits`] (a header cannot make it allocate more than
//!   the received bytes justify, nor nest deeper than `max_depth`), and strict: malformed
//!   input is a [`DecodeError`] naming what was wrong and at which byte.
//! - [`decode`] / [`decode_with`]: one value from a byte slice.
//! - [`encode_command`], [`Value::encode`] and the `write_*` helpers: writing RESP into any
//!   [`bytes::BufMut`] with no intermediate allocation and fast integer formatting.
//!
//! ## Example
//!
//! ```
//! use bytes::BytesMut;
//! use ferrodis_resp::{encode_command, Decoder, Value};
//!
//! // What a client sends...
//! let mut request = Vec::new();
//! encode_command(&mut request, ["HGETALL", "user:1"]);
//! assert_eq!(request, b"*2\r\n$7\r\nHGETALL\r\n$6\r\nuser:1\r\n");
//!
//! // ...and what it reads back, in whatever pieces the socket delivers.
//! let mut decoder = Decoder::new();
//! let mut buf = BytesMut::new();
//! for piece in [&b"%1\r\n$4\r\nname"[..], b"\r\n$3\r\nAda\r\n"] {
//!     buf.extend_from_slice(piece);
//!     if let Some(value) = decoder.decode(&mut buf)? {
//!         assert_eq!(
//!             value,
//!             Value::Map(vec![(Value::BulkString("name".into()), Value::BulkString("Ada".into()))])
//!         );
//!     }
//! }
//! # Ok::<(), ferrodis_resp::DecodeError>(())
//! ```
//!
//! ## Crate features
//!
//! - `std` (default): implements `std::error::Error` for [`DecodeError`]. Implies `alloc`.
//! - `alloc`: [`Value`], [`Decoder`], [`decode`] and [`encode_command`]. Without it the
//!   crate still offers [`Limits`], [`DecodeError`], [`encode_command_exact`] and the
//!   header and integer writers.
//!
//! ## Wire rules worth knowing
//!
//! - RESP2's `$-1` and `*-1` and RESP3's `_` all decode to [`Value::Nil`].
//! - Streamed strings and aggregates (`$?`, `*?`, `%?`, `~?`) arrive assembled.
//! - An attribute (`|`) is returned together with the value it annotates, as
//!   [`Value::Attribute`].
//! - Simple-string lines, doubles and big numbers are bounded by
//!   [`Limits::max_bulk_len`]; integers and lengths by 32 bytes.
#![no_std]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod encode;
mod error;
mod limits;

#[cfg(feature = "alloc")]
mod build;
#[cfg(feature = "alloc")]
mod decoder;
#[cfg(feature = "alloc")]
mod header;
#[cfg(feature = "alloc")]
mod scan;
#[cfg(feature = "alloc")]
mod value;

#[cfg(feature = "alloc")]
pub use decoder::{decode, decode_with, Decoder};
#[cfg(feature = "alloc")]
pub use encode::encode_command;
pub use encode::{
    encode_command_exact, format_i64, format_u64, write_array_header, write_bulk,
    write_bulk_header, write_bulk_i64, write_bulk_u64, write_header, write_integer,
};
pub use error::DecodeError;
pub use limits::Limits;
#[cfg(feature = "alloc")]
pub use value::Value;

/// Re-exported so that users need not depend on `bytes` to name payloads.
pub use bytes;
