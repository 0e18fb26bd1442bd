//! `cargo xtask fuzz`: run a cargo-fuzz target of `crates/ferrodis-resp/fuzz` for a while.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use crate::util::{self, Error, Result};

/// The fuzz targets (`fuzz/fuzz_targets/<name>.rs`); the first is the default.
const TARGETS: &[&str] = &["decoder"];

const DEFAULT_SECONDS: u64 = 60;

/// Environment variables `cargo run` or rustup set for us that must not leak into the
/// nightly cargo: they would pin it to the stable toolchain.
const TOOLCHAIN_ENV: &[&str] = &["CARGO", "RUSTUP_TOOLCHAIN", "RUSTC", "RUSTDOC"];

pub(crate) fn run(args: &[String]) -> Result<ExitCode> {
    let (seconds, target) = parse_args(args)?;
    check_tools()?;

    let fuzz_dir = util::project_root().join("crates/ferrodis-resp/fuzz");
    let corpus = fuzz_dir.join("corpus").join(target);
    let seeded = seed_corpus(&fuzz_dir.join("seeds").join(target), &corpus)?;
    if seeded > 0 {
        eprintln!(
            "xtask fuzz: copied {seeded} seed(s) into {}",
            corpus.display()
        );
    }

    let mut command = nightly_cargo();
    command
        .args(["fuzz", "run", target, "--"])
        .arg(format!("-max_total_time={seconds}"))
        .args(["-rss_limit_mb=4096", "-timeout=10", "-print_final_stats=1"])
        .current_dir(&fuzz_dir);
    if fuzz_dir.join("resp.dict").is_file() {
        command.arg("-dict=resp.dict");
    }
    eprintln!(
        "==> (in {}) {}",
        fuzz_dir.display(),
        util::display(&command)
    );

    // libFuzzer reports on stderr: pass it through line by line, keeping what we need.
    command.stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| Error::Failed(format!("could not run cargo +nightly fuzz: {e}")))?;
    let mut report = Report::default();
    if let Some(stderr) = child.stderr.take() {
        let mut reader = BufReader::new(stderr);
        let mut line = Vec::new();
        let mut out = std::io::stderr().lock();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    // A closed stderr must not stop us from reaping the child.
                    let _ = out.write_all(&line);
                    report.scan(&String::from_utf8_lossy(&line));
                }
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| Error::Failed(format!("waiting for cargo fuzz: {e}")))?;

    eprintln!();
    match (report.runs, report.exec_per_sec) {
        (Some(runs), Some(rate)) => eprintln!("xtask fuzz: {target}: {runs} execs, {rate} exec/s"),
        (Some(runs), None) => eprintln!("xtask fuzz: {target}: {runs} execs"),
        _ => eprintln!("xtask fuzz: {target}: libFuzzer printed no final statistics"),
    }
    if let Some(seconds) = report.seconds {
        eprintln!("xtask fuzz: {target}: ran {seconds} s");
    }
    if status.success() && !report.crashed {
        eprintln!("xtask fuzz: {target}: no crash found");
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(artifact) = &report.artifact {
        eprintln!(
            "xtask fuzz: {target}: FAILED, the input is in {}",
            fuzz_dir.join(artifact).display()
        );
        eprintln!(
            "xtask fuzz: reproduce with: cd {} && cargo +nightly fuzz run {target} {artifact}",
            fuzz_dir.display()
        );
    } else {
        eprintln!("xtask fuzz: {target}: FAILED ({status})");
    }
    Ok(ExitCode::FAILURE)
}

fn parse_args(args: &[String]) -> Result<(u64, &'static str)> {
    let mut seconds = DEFAULT_SECONDS;
    let mut target = TARGETS[0];
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| Error::Usage(format!("`{flag}` needs a value")))
        };
        match flag {
            "--seconds" => {
                let v = value()?;
                seconds = v.parse().ok().filter(|&s| s > 0).ok_or_else(|| {
                    Error::Usage(format!("--seconds wants a positive number, got `{v}`"))
                })?;
            }
            "--target" => {
                let v = value()?;
                target = TARGETS.iter().copied().find(|&t| t == v).ok_or_else(|| {
                    Error::Usage(format!(
                        "unknown fuzz target `{v}`; targets: {}",
                        TARGETS.join(", ")
                    ))
                })?;
            }
            _ => {
                return Err(Error::Usage(format!(
                    "`cargo xtask fuzz`: unknown argument `{arg}`"
                )))
            }
        }
    }
    Ok((seconds, target))
}

/// `cargo +nightly`, through rustup's `cargo` proxy (the `$CARGO` we run under is a
/// toolchain's own cargo, which does not understand `+nightly`).
fn nightly_cargo() -> Command {
    let mut command = Command::new("cargo");
    command.arg("+nightly");
    for var in TOOLCHAIN_ENV {
        command.env_remove(var);
    }
    command
}

/// Checks for the nightly toolchain and cargo-fuzz; says what to install if missing.
fn check_tools() -> Result<()> {
    let works = |args: &[&str]| {
        let mut command = nightly_cargo();
        command
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command.status().map(|s| s.success()).unwrap_or(false)
    };
    if !works(&["--version"]) {
        return Err(Error::Failed(
            "fuzzing needs the nightly toolchain (through rustup) and cargo-fuzz; install them with\n    \
             rustup toolchain install nightly\n    cargo install cargo-fuzz"
                .to_owned(),
        ));
    }
    if !works(&["fuzz", "--version"]) {
        return Err(Error::Failed(
            "fuzzing needs cargo-fuzz; install it with\n    cargo install cargo-fuzz".to_owned(),
        ));
    }
    Ok(())
}

/// Copies the committed seeds into the (git-ignored) corpus directory, keeping what the
/// fuzzer found already. Returns how many files were new.
fn seed_corpus(seeds: &Path, corpus: &Path) -> Result<usize> {
    let io = |what: &str, path: &Path, e: std::io::Error| {
        Error::Failed(format!("{what} {}: {e}", path.display()))
    };
    std::fs::create_dir_all(corpus).map_err(|e| io("creating", corpus, e))?;
    let entries = match std::fs::read_dir(seeds) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io("reading", seeds, e)),
    };
    let mut copied = 0;
    for entry in entries {
        let entry = entry.map_err(|e| io("reading", seeds, e))?;
        let from = entry.path();
        let to: PathBuf = corpus.join(entry.file_name());
        if from.is_file() && !to.exists() {
            std::fs::copy(&from, &to).map_err(|e| io("copying", &from, e))?;
            copied += 1;
        }
    }
    Ok(copied)
}

/// What we learn from libFuzzer's output.
#[derive(Debug, Default, PartialEq)]
struct Report {
    runs: Option<u64>,
    seconds: Option<u64>,
    exec_per_sec: Option<u64>,
    crashed: bool,
    /// The crashing input, relative to the fuzz directory.
    artifact: Option<String>,
}

impl Report {
    fn scan(&mut self, line: &str) {
        let line = line.trim_end();
        // "#1234567\tDONE   cov: 512 ft: 2048 corp: 300/9Kb lim: 4096 exec/s: 61728 rss: 80Mb"
        if line.starts_with('#') && line.contains("DONE") {
            if let Some(runs) = line[1..]
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
            {
                self.runs = Some(runs);
            }
            if let Some(rate) = field_after(line, "exec/s:") {
                self.exec_per_sec = Some(rate);
            }
        }
        // "Done 1234567 runs in 20 second(s)"
        if let Some(rest) = line.strip_prefix("Done ") {
            let words: Vec<&str> = rest.split_whitespace().collect();
            if let [runs, "runs", "in", seconds, ..] = words[..] {
                self.runs = runs.parse().ok().or(self.runs);
                self.seconds = seconds.parse().ok();
            }
        }
        // With -print_final_stats=1, also after a crash:
        // "stat::number_of_executed_units: 1234567", "stat::average_exec_per_sec:     61728"
        if let Some(runs) = line.strip_prefix("stat::number_of_executed_units:") {
            self.runs = self.runs.or(runs.trim().parse().ok());
        }
        if let Some(rate) = line.strip_prefix("stat::average_exec_per_sec:") {
            self.exec_per_sec = self.exec_per_sec.or(rate.trim().parse().ok());
        }
        if line.contains("ERROR: libFuzzer")
            || line.contains("ERROR: AddressSanitizer")
            || line.starts_with("SUMMARY: libFuzzer")
            || line.starts_with("SUMMARY: AddressSanitizer")
        {
            self.crashed = true;
        }
        // "artifact_prefix='...'; Test unit written to artifacts/decoder/crash-<sha1>"
        if let Some((_, path)) = line.split_once("Test unit written to ") {
            self.crashed = true;
            self.artifact = Some(path.trim().to_owned());
        }
    }
}

/// The number after `key` in a libFuzzer status line.
fn field_after(line: &str, key: &str) -> Option<u64> {
    let (_, rest) = line.split_once(key)?;
    rest.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(lines: &str) -> Report {
        let mut report = Report::default();
        lines.lines().for_each(|line| report.scan(line));
        report
    }

    #[test]
    fn reads_a_clean_run() {
        let report = scan(
            "#1048576\tpulse  cov: 500 ft: 2000 corp: 300/9Kb exec/s: 52428 rss: 80Mb\n\
             #1234567\tDONE   cov: 512 ft: 2048 corp: 301/9Kb lim: 4096 exec/s: 61728 rss: 81Mb\n\
             Done 1234567 runs in 20 second(s)\n\
             stat::number_of_executed_units: 1234567\n\
             stat::average_exec_per_sec:     61728\n",
        );
        assert_eq!(
            report,
            Report {
                runs: Some(1_234_567),
                seconds: Some(20),
                exec_per_sec: Some(61_728),
                crashed: false,
                artifact: None
            }
        );
    }

    #[test]
    fn reads_a_crash() {
        let report = scan(
            "==4242== ERROR: libFuzzer: deadly signal\n\
             SUMMARY: libFuzzer: deadly signal\n\
             MS: 1 ChangeBit-; base unit: 0000\n\
             artifact_prefix='/x/fuzz/artifacts/decoder/'; Test unit written to /x/fuzz/artifacts/decoder/crash-abc\n\
             stat::number_of_executed_units: 9778\n",
        );
        assert!(report.crashed);
        assert_eq!(report.runs, Some(9778));
        assert_eq!(
            report.artifact.as_deref(),
            Some("/x/fuzz/artifacts/decoder/crash-abc")
        );
    }

    #[test]
    fn parses_flags() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(parse_args(&[]).ok(), Some((60, "decoder")));
        assert_eq!(
            parse_args(&args(&["--seconds", "20"])).ok(),
            Some((20, "decoder"))
        );
        assert_eq!(
            parse_args(&args(&["--seconds=5", "--target=decoder"])).ok(),
            Some((5, "decoder"))
        );
        assert!(matches!(
            parse_args(&args(&["--seconds", "0"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            parse_args(&args(&["--target", "nope"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            parse_args(&args(&["--seconds"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            parse_args(&args(&["extra"])),
            Err(Error::Usage(_))
        ));
    }
}
