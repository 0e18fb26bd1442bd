//! `cargo xtask bench`: the side-by-side benchmark (the `ferrodis-bench` crate, in
//! release mode), and on request the criterion micro-benchmarks.

use std::process::ExitCode;

use crate::util::{self, Error, Result};

/// The criterion micro-benchmarks `--criterion` runs: (package, `[[bench]]` target).
/// They time one piece (the decoder, command encoding) for profiling; the comparisons
/// with other clients are in `ferrodis-bench`.
const CRITERION: &[(&str, &str)] = &[("ferrodis-resp", "decode"), ("ferrodis-commands", "encode")];

/// `[--quick | --smoke] [--case ID]... [--rounds N] [--criterion]`.
///
/// A full run with no `--case` filter writes its report into docs/benchmarks.md and the
/// chart to docs/bench/chart.svg (`--docs`); `--quick` and filtered runs write only to
/// target/ferrodis-bench.
pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    if args.iter().any(|a| a == "--criterion") {
        return criterion(args);
    }
    if args.iter().any(|a| a == "--docs") {
        return Err(Error::Usage(
            "`--docs` is implied by a full, unfiltered run; do not pass it".into(),
        ));
    }
    let redis_server = crate::redis::ensure_redis_server()?;
    crate::redis::ensure_hiredis();
    let partial = args
        .iter()
        .any(|a| matches!(a.as_str(), "--quick" | "--smoke" | "--case" | "--list"));
    let mut command = util::cargo(["run", "--release", "-p", "ferrodis-bench", "--"]);
    command.args(args);
    if !partial {
        command.arg("--docs");
    }
    if std::env::var_os(crate::redis::ENV).is_none() {
        command.env(crate::redis::ENV, &redis_server);
    }
    eprintln!("==> {}", util::display(&command));
    Ok(util::exit_code(util::status(&mut command)?))
}

/// `--criterion [--quick] [ARGS...]`: the criterion benches; other arguments go to
/// criterion after `--`.
fn criterion(args: &[String]) -> Result<ExitCode> {
    let rest: Vec<&String> = args.iter().filter(|a| *a != "--criterion").collect();
    let mut failed = Vec::new();
    for &(package, bench) in CRITERION {
        let mut command = util::cargo(["bench", "-p", package, "--bench", bench]);
        if !rest.is_empty() {
            command.arg("--").args(&rest);
        }
        eprintln!("\n==> {}", util::display(&command));
        if !util::status(&mut command)?.success() {
            failed.push(format!("{package}/{bench}"));
        }
    }
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("xtask bench: failed: {}", failed.join(", "));
        Ok(ExitCode::FAILURE)
    }
}
