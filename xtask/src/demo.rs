//! `cargo xtask demo`: the quickstart examples against a throwaway redis-server.
//!
//! Two walkthroughs, one after the other:
//! - `crates/ferrodis/examples/quickstart.rs`: redis-py's getting-started with the
//!   blocking client: set/get, a pipeline, a WATCH transaction, pub/sub with a handler, a
//!   Lua script and `scan_iter`;
//! - `crates/ferrodis/examples/quickstart_async.rs`: the same ground with the async
//!   client on tokio (aredis's documentation), plus automatic pipelining of many tasks
//!   over one connection and a blocking command that stalls no one.
//!
//! They write keys, so they never run against a server they did not get from here or
//! from `FERRODIS_URL`: this starts a private server on a free port, passes its URL in
//! `FERRODIS_URL`, and stops it afterwards.

use std::process::ExitCode;

use crate::util::{self, Error, Result};

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    if let Some(arg) = args.first() {
        return Err(Error::Usage(format!(
            "`cargo xtask demo` takes no arguments, got `{arg}`"
        )));
    }
    let binary = crate::redis::ensure_redis_server()?;
    let server = ferrodis_tests::RedisServer::builder()
        .binary(binary)
        .start()
        .map_err(|e| Error::Failed(format!("could not start a redis-server: {e}")))?;
    let addr = server.addr().to_string();
    eprintln!(
        "xtask demo: started a throwaway redis-server on {addr}; it stops when the demo ends\n"
    );

    let mut status = Ok(ExitCode::SUCCESS);
    for (example, features) in [("quickstart", "blocking"), ("quickstart_async", "tokio")] {
        eprintln!("xtask demo: running the `{example}` example\n");
        let mut command = util::cargo([
            "run",
            "--quiet",
            "-p",
            "ferrodis",
            "--features",
            features,
            "--example",
            example,
        ]);
        command.env("FERRODIS_URL", server.url());
        match util::status(&mut command) {
            Ok(s) if s.success() => {}
            other => {
                status = other.map(util::exit_code);
                break;
            }
        }
    }
    drop(server); // stops the redis-server
    status
}
