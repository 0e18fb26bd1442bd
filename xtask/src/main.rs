//! `cargo xtask`: the project's automation, written in Rust so it runs wherever cargo does.
//!
//! In the style of rust-analyzer's xtask: a `publish = false` binary with no dependencies
//! beyond std, the project's own crates (test support, the RESP decoder) and `serde_json`
//! (for the command-table JSON of `gen-commands`), and no argument-parsing crate. Run
//! `cargo xtask help` for the commands; `.cargo/config.toml` defines the `xtask` alias.

mod bench;
mod demo;
mod fuzz;
mod gen_commands;
mod redis;
mod test;
mod util;

use std::process::ExitCode;

use util::Error;

const HELP: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  test      Run everything CI checks, in order: rustfmt, gen-commands --check, clippy
            (-D warnings), the no_std and alloc builds of ferrodis-resp, and all tests
            (unit, integration against real redis-server processes, doc), and rustdoc
            with -D warnings. Keeps going after a failure, prints a summary, and exits non-zero if any step failed.
            Installs redis-server with apt-get first if it is missing and this is
            Debian/Ubuntu run as root.
  demo      Start a throwaway redis-server and run the quickstart example against it
            (crates/ferrodis/examples/quickstart.rs). The server stops when it ends.
  bench [--quick | --smoke] [--case ID]... [--rounds N] [--list]
            Run ferrodis side by side with redis-rs, hiredis and redis-benchmark
            (bench/, in release mode) against a private redis-server, in interleaved
            rounds: JSON lines, bench report and chart in target/ferrodis-bench/. A full
            run with no --case also writes the report into docs/benchmarks.md and the
            chart to docs/bench/chart.svg. --quick: every case, smaller, under 2 minutes
            (a step of `cargo xtask test`). Installs libhiredis0.14 with apt-get when
            root on Debian/Ubuntu.
  bench --criterion [ARGS...]
            Run the criterion micro-benchmarks (decoder, command encoding); ARGS go to
            criterion.
  fuzz [--seconds N] [--target NAME]
            Fuzz with cargo-fuzz (needs the nightly toolchain) for N seconds (default 60).
            Targets: decoder (the default).
  gen-commands [--no-capture | --check]
            Generate the command table and the typed command API of ferrodis-commands.
            By default: start a private redis-server 7.0.x, capture COMMAND INFO and
            COMMAND DOCS into crates/ferrodis-commands/commands/redis-7.0.json, then
            generate src/generated/{table,constructors,commands}.rs from that JSON and
            the hand-written wrappers listed in commands/manual/*.json (through rustfmt).
            --no-capture: generate from the checked-in JSON only (no server; run it after
            editing a manual/*.json file). --check: generate in memory and fail if the
            checked-in files differ (no server; a step of `cargo xtask test`).
  help      Print this message.

Environment:
  FERRODIS_REDIS_SERVER  path of the redis-server binary to use (default: PATH, /usr/bin,
                         /usr/sbin)
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let result = match command.as_deref() {
        Some("test") => test::run(&rest),
        Some("demo") => demo::run(&rest),
        Some("bench") => bench::run(&rest),
        Some("fuzz") => fuzz::run(&rest),
        Some("gen-commands") => gen_commands::run(&rest),
        Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("xtask: unknown command `{other}`\n");
            eprint!("{HELP}");
            return ExitCode::from(2);
        }
        None => {
            eprintln!("xtask: no command given\n");
            eprint!("{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(code) => code,
        Err(Error::Usage(message)) => {
            eprintln!("xtask: {message} (see `cargo xtask help`)");
            ExitCode::from(2)
        }
        Err(Error::Failed(message)) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}
