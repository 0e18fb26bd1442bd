//! Shared by the async integration tests: every test runs on tokio and on async-std.
//!
//! ```text
//! mod common;
//! runtime_tests! {
//!     async fn set_then_get() {
//!         let client = common::client().await;
//!         ...
//!     }
//! }
//! ```
//! expands to `on_tokio::set_then_get` (a multi-thread tokio runtime with 2 workers) and
//! `on_async_std::set_then_get` (`async_std::task::block_on`). Inside, `Client::builder`
//! picks the runtime it runs on (`runtime::detect`): tokio in the first, async-std in the
//! second; [`runtime_name`] tells which.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::future::Future;

use ferrodis_async::{Client, RuntimeRef};
use ferrodis_tests::shared_server;

/// Runs `future` to completion on a fresh multi-thread tokio runtime.
pub fn on_tokio<F: Future<Output = ()>>(future: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future);
}

/// Runs `future` to completion on async-std.
pub fn on_async_std<F: Future<Output = ()>>(future: F) {
    async_std::task::block_on(future);
}

/// The runtime the current test runs on.
pub fn runtime() -> RuntimeRef {
    ferrodis_async::runtime::detect().expect("a runtime")
}

/// `"tokio"` or `"async-std"`.
pub fn runtime_name() -> &'static str {
    runtime().name()
}

/// A client of the shared server (RESP3, the default).
pub async fn client() -> Client {
    Client::open(shared_server().url()).expect("client")
}

/// A client of the shared server speaking RESP2.
pub async fn client_resp2() -> Client {
    Client::open(format!("{}?protocol=resp2", shared_server().url())).expect("client")
}

/// A key unique to this test and runtime, so the two instances of a test do not meet.
pub fn key(name: &str) -> String {
    format!("{}:{}:{name}", runtime_name(), std::process::id())
}

/// Instantiates each `async fn` twice: in `mod on_tokio` and in `mod on_async_std`.
#[macro_export]
macro_rules! runtime_tests {
    ($( $(#[$meta:meta])* async fn $name:ident() $body:block )*) => {
        mod on_tokio {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])* #[test] fn $name() { $crate::common::on_tokio(async $body) } )*
        }
        mod on_async_std {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])* #[test] fn $name() { $crate::common::on_async_std(async $body) } )*
        }
    };
}
