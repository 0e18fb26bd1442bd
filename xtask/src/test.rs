//! `cargo xtask test`: everything CI checks, in one command with an honest exit code.

use std::process::ExitCode;
use std::time::Instant;

use crate::util::{self, Error, Result};

/// One check: a short name for the summary, the `cargo` arguments that run it, and any
/// environment it needs.
struct Step {
    name: &'static str,
    cargo: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

/// What `cargo xtask test` runs, in order: a new check is one line here. The `xtask` alias
/// works as a cargo command too: `step("gen-commands", &["xtask", "gen-commands", "--check"])`.
#[rustfmt::skip]
const STEPS: &[Step] = &[
    step("fmt", &["fmt", "--all", "--", "--check"]),
    step("gen-commands", &["xtask", "gen-commands", "--check"]),
    step("clippy", &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"]),
    step("build resp no_std", &["build", "-p", "ferrodis-resp", "--no-default-features"]),
    step("build resp alloc", &["build", "-p", "ferrodis-resp", "--no-default-features", "--features", "alloc"]),
    step("test", &["test", "--workspace", "--all-features"]),
    step("bench --quick", &["xtask", "bench", "--quick"]),
    Step { name: "doc", cargo: &["doc", "--workspace", "--no-deps", "--all-features"], env: &[("RUSTDOCFLAGS", "-D warnings")] },
];

const fn step(name: &'static str, cargo: &'static [&'static str]) -> Step {
    Step {
        name,
        cargo,
        env: &[],
    }
}

struct Outcome {
    name: &'static str,
    ok: bool,
    seconds: f64,
}

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    if let Some(arg) = args.first() {
        return Err(Error::Usage(format!(
            "`cargo xtask test` takes no arguments, got `{arg}`"
        )));
    }
    let redis_server = crate::redis::ensure_redis_server()?;

    let started = Instant::now();
    let mut outcomes = Vec::with_capacity(STEPS.len());
    for (i, step) in STEPS.iter().enumerate() {
        let mut command = util::cargo(step.cargo);
        command.envs(step.env.iter().copied());
        // Tell the test support which binary we found (it may be off PATH, in /usr/sbin).
        if std::env::var_os(crate::redis::ENV).is_none() {
            command.env(crate::redis::ENV, &redis_server);
        }
        eprintln!(
            "\n==> [{}/{}] {}: {}",
            i + 1,
            STEPS.len(),
            step.name,
            util::display(&command)
        );
        let step_started = Instant::now();
        let ok = match util::status(&mut command) {
            Ok(status) => status.success(),
            Err(e) => {
                eprintln!("xtask: {e}");
                false
            }
        };
        let seconds = step_started.elapsed().as_secs_f64();
        eprintln!(
            "<== {}: {} in {seconds:.1} s",
            step.name,
            if ok { "ok" } else { "FAILED" }
        );
        outcomes.push(Outcome {
            name: step.name,
            ok,
            seconds,
        });
    }

    let passed = outcomes.iter().filter(|o| o.ok).count();
    let failed = outcomes.len() - passed;
    let width = outcomes
        .iter()
        .map(|o| o.name.len())
        .max()
        .unwrap_or(0)
        .max("step".len());
    println!();
    println!("{:<width$}  {:<6}  {:>8}", "step", "status", "seconds");
    for o in &outcomes {
        println!(
            "{:<width$}  {:<6}  {:>8.1}",
            o.name,
            if o.ok { "ok" } else { "FAILED" },
            o.seconds
        );
    }
    println!(
        "{:<width$}  {:<6}  {:>8.1}",
        "total",
        "",
        started.elapsed().as_secs_f64()
    );
    println!("xtask test: {passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
