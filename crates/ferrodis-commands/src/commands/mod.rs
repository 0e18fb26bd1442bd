//! Typed command constructors: one function per Redis command, returning a
//! [`Typed`](crate::Typed) command that knows its default reply type.
//!
//! ```
//! use bytes::Bytes;
//! use ferrodis_commands::{commands, Typed};
//!
//! let get: Typed<Option<Bytes>> = commands::get("greeting");
//! assert_eq!(get.cmd().args().collect::<Vec<_>>(), [&b"GET"[..], b"greeting"]);
//!
//! // Subcommands are `container_sub`; `numkeys` is counted for you.
//! let cmd = commands::zunionstore("dst", ["a", "b"]).into_cmd();
//! assert_eq!(cmd.args().collect::<Vec<_>>(), [&b"ZUNIONSTORE"[..], b"dst", b"2", b"a", b"b"]);
//!
//! // Trailing options are appended with `Typed::arg`.
//! let set = commands::set("greeting", "hello").arg("EX").arg(60);
//! assert_eq!(set.cmd().argc(), 5);
//! ```
//!
//! ## Why two kinds of constructor
//!
//! Most of them are generated (`cargo xtask gen-commands`) from what Redis 7.0 says about
//! its own commands, so there is one for every command and none can be misspelt or go
//! missing: required arguments are positional [`ToArgs`](crate::ToArgs) parameters named
//! as in the Redis docs (`multiple` ones take a slice, a `Vec` or a tuple as well as a
//! single value), tokens and subcommand names are written for you, and optional
//! arguments are left to [`Typed::arg`](crate::Typed::arg). Names are the command's in
//! snake case: `CLIENT KILL` is `client_kill`, `RESTORE-ASKING` is `restore_asking`, and
//! Rust keywords take a trailing underscore (`type_`, `move_`).
//!
//! Where the generated signature cannot be ergonomic (options before required arguments,
//! or options that change the reply: `SET ... GET`, `ZADD NX INCR`, `XADD MAXLEN`, the
//! scan family), a hand-written wrapper (in [`manual`]) adds option builders. Both kinds
//! are methods of every front end: [`Commands`](crate::Commands),
//! [`AsyncCommands`](crate::AsyncCommands) and [`PipelineCommands`](crate::PipelineCommands).
//!
//! Commands that change the connection's state (`SELECT`, `AUTH`, `HELLO`, `MULTI`/`EXEC`,
//! `WATCH`, the `SUBSCRIBE` family, `MONITOR`, `RESET`, `QUIT`, `CLIENT REPLY`/`TRACKING`/
//! `CACHING`, `READONLY`, `ASKING`, replication) have no constructor here: the API that
//! owns the connection offers them:
//!
//! ```compile_fail
//! let multi = ferrodis_commands::commands::multi(); // error: no `multi` here
//! ```

pub mod manual;
pub use manual::*;

pub use crate::generated::constructors::*;
