//! `cargo xtask demo`: the quickstart example against a throwaway redis-server.

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
    command
        .env("FERRODIS_URL", server.url())
        .env("FERRODIS_ADDR", &addr);
    let status = util::status(&mut command);
    drop(server); // stops the redis-server
    Ok(util::exit_code(status?))
}
