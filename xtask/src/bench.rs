//! `cargo xtask bench`: the criterion benchmarks.

use std::process::ExitCode;

use crate::util::{self, Result};

/// The benchmarks `cargo xtask bench` runs, in order: (package, `[[bench]]` target).
/// `ferrodis-blocking/blocking` starts its own redis-server and runs `redis-benchmark`
/// against it before and after, so its figures come with the reference side by side;
/// `ferrodis-async/multiplexed` runs ferrodis and redis-rs in interleaved rounds against
/// its own redis-server (it takes `--quick` too).
const BENCHES: &[(&str, &str)] = &[
    ("ferrodis-resp", "decode"),
    ("ferrodis-blocking", "blocking"),
    ("ferrodis-async", "multiplexed"),
];

/// `[--quick] [ARGS...]`: `--quick` and ARGS are handed to criterion after `--`.
pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    let mut failed = Vec::new();
    for &(package, bench) in BENCHES {
        let mut command = util::cargo(["bench", "-p", package, "--bench", bench]);
        if !args.is_empty() {
            command.arg("--").args(args);
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
