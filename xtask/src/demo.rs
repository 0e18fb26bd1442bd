//! `cargo xtask demo`: the quickstart example against a throwaway redis-server.
//!
//! The example (`crates/ferrodis/examples/quickstart.rs`) walks through redis-py's
//! getting-started with the blocking client: set/get, a pipeline, a WATCH transaction,
//! pub/sub with a handler, a Lua script and `scan_iter`. It writes keys, so it never runs
//! against a server it did not get from here or from `FERRODIS_URL`: this starts a private
//! server on a free port, passes its URL in `FERRODIS_URL`, and stops it afterwards.

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

    let mut command = util::cargo([
        "run",
        "--quiet",
        "-p",
        "ferrodis",
        "--example",
        "quickstart",
    ]);
    command.env("FERRODIS_URL", server.url());
    let status = util::status(&mut command);
    drop(server); // stops the redis-server
    Ok(util::exit_code(status?))
}
