//! `cargo xtask bench`: ferrodis side by side with its peers, on this machine, in one run.
//!
//! # Overview
//!
//! Performance claims count only when measured side by side: on a small VM the
//! round-trip time and the memory bandwidth swing by 2x within minutes. So this binary
//! starts one private `redis-server`, builds every [`harness::Case`] (the same work
//! for ferrodis and for each peer: redis-rs 1.8, hiredis, `redis-benchmark`), and runs
//! them in rounds: within a round, the contenders of a case run one right after another
//! (A B C, then C B A in the next round), so a ratio always compares runs taken under the
//! same conditions. It reports medians over the rounds (at least 3).
//!
//! The cases: the parser on the three buffers of issue 2 (ferrodis, redis-rs, hiredis),
//! encoding (`SET key value`, a 100-command pipeline), the network cases (sequential GET,
//! pipelines of 100 SETs, 50 tasks on one multiplexed connection and on a pool), the
//! allocations per GET round trip (a counting allocator), and GETs of 1 MiB values.
//!
//! # Output
//!
//! - One JSON line per run on stdout and in `<out>/results.jsonl`:
//!   `{"client","case","group","round","ops","secs","ops_per_s", ...}`.
//! - `<out>/report.md`: tables of medians, ratios and the issues' targets.
//! - `<out>/chart.svg`: ops/s per case per client.
//! - With `--docs`: the report replaces the generated section of `docs/benchmarks.md`,
//!   and the chart goes to `docs/bench/chart.svg` (linked from the README).
//!
//! # Usage
//!
//! `cargo xtask bench [--quick] [--case ID]... [--rounds N]`; see [`USAGE`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod alloc_count;
mod cases;
mod chart;
mod harness;
mod hiredis;
mod report;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use harness::{Case, Measurement, Mode, Results};

/// Counts heap allocations for the allocation cases (a relaxed load per allocation
/// while no count is running).
#[global_allocator]
static ALLOCATOR: alloc_count::Counting = alloc_count::Counting;

/// `--help`.
const USAGE: &str = "\
Usage: ferrodis-bench [OPTIONS]   (run it as `cargo xtask bench [OPTIONS]`)

Options:
  --quick        A smoke check of every case, in under 2 minutes (rough figures).
  --smoke        Tiny sizes: only checks that every case runs (seconds).
  --rounds N     Rounds to run (default 5; 3 with --quick or --smoke; at least 3).
  --case ID      Run only the cases whose id contains ID (repeatable).
  --out DIR      Where results.jsonl, report.md and chart.svg go
                 (default: target/ferrodis-bench).
  --docs         Also write the report into docs/benchmarks.md (between its generated
                 markers) and the chart to docs/bench/chart.svg.
  --list         List the cases and their clients, and exit.
";

/// The command line.
#[derive(Debug)]
struct Options {
    mode: Mode,
    rounds: usize,
    filters: Vec<String>,
    out: PathBuf,
    docs: bool,
    list: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut mode = Mode::Full;
        let mut rounds = None;
        let mut filters = Vec::new();
        let mut out = repo_root().join("target").join("ferrodis-bench");
        let mut docs = false;
        let mut list = false;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => mode = Mode::Quick,
                "--smoke" => mode = Mode::Smoke,
                "--docs" => docs = true,
                "--list" => list = true,
                "--rounds" => {
                    let n = args.next().ok_or("--rounds needs a number")?;
                    let n: usize = n
                        .parse()
                        .map_err(|_| format!("--rounds: `{n}` is not a number"))?;
                    if n < 3 {
                        return Err("--rounds: at least 3 (medians need them)".into());
                    }
                    rounds = Some(n);
                }
                "--case" => filters.push(args.next().ok_or("--case needs an id")?.clone()),
                "--out" => out = PathBuf::from(args.next().ok_or("--out needs a directory")?),
                // `cargo bench` passes `--bench`.
                "--bench" => {}
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        if docs && mode != Mode::Full {
            return Err("--docs takes a full run's figures only (drop --quick/--smoke)".into());
        }
        let rounds = rounds.unwrap_or(match mode {
            Mode::Full => 5,
            Mode::Quick | Mode::Smoke => 3,
        });
        Ok(Options {
            mode,
            rounds,
            filters,
            out,
            docs,
            list,
        })
    }
}

/// The workspace root (this crate is `bench/` in it).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match Options::parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("ferrodis-bench: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ferrodis-bench: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), String> {
    let env = cases::network::Env::start()?;
    let mut all: Vec<Case> = Vec::new();
    all.extend(cases::codec::cases(options.mode));
    all.extend(cases::network::cases(&env, options.mode));
    all.extend(cases::alloc::cases(&env, options.mode));
    all.extend(cases::large::cases(&env, options.mode));
    let mut cases: Vec<Case> = all
        .into_iter()
        .filter(|c| options.filters.is_empty() || options.filters.iter().any(|f| c.id.contains(f)))
        .collect();
    if cases.is_empty() {
        return Err(format!("no case matches {:?}; see --list", options.filters));
    }
    if options.list {
        for case in &cases {
            let clients: Vec<&str> = case.contenders.iter().map(|c| c.client()).collect();
            println!("{:<24} {} [{}]", case.id, case.title, clients.join(", "));
        }
        return Ok(());
    }

    std::fs::create_dir_all(&options.out)
        .map_err(|e| format!("cannot create {}: {e}", options.out.display()))?;
    let jsonl_path = options.out.join("results.jsonl");
    let mut jsonl = std::fs::File::create(&jsonl_path)
        .map_err(|e| format!("cannot create {}: {e}", jsonl_path.display()))?;
    let machine = env.machine();
    eprintln!(
        "ferrodis-bench ({} mode): {} cases, {} rounds; {machine}",
        options.mode.name(),
        cases.len(),
        options.rounds
    );

    // Warm-ups: connections opened, buffers grown, caches warm; not counted. A
    // contender that cannot run here says so now and in every round.
    for case in &mut cases {
        for contender in &mut case.contenders {
            if let Err(why) = contender.warm_up() {
                eprintln!(
                    "  {} / {}: unavailable: {}",
                    case.id,
                    contender.client(),
                    why.0
                );
            }
        }
    }

    let mut measurements = Vec::new();
    for round in 1..=options.rounds {
        for case in &mut cases {
            let n = case.contenders.len();
            let order: Vec<usize> = if round % 2 == 1 {
                (0..n).collect()
            } else {
                (0..n).rev().collect()
            };
            for i in order {
                let contender = &mut case.contenders[i];
                let measurement = Measurement {
                    case: case.id,
                    group: case.group,
                    client: contender.client().to_string(),
                    round,
                    outcome: contender.run(),
                };
                let line = measurement.to_json();
                println!("{line}");
                writeln!(jsonl, "{line}")
                    .map_err(|e| format!("cannot write {}: {e}", jsonl_path.display()))?;
                measurements.push(measurement);
            }
        }
    }

    let results = Results {
        mode: options.mode,
        rounds: options.rounds,
        cases: cases.iter().map(Case::info).collect(),
        measurements,
        machine,
    };
    drop(cases);
    let section = report::markdown(&results);
    let report_path = options.out.join("report.md");
    std::fs::write(&report_path, &section)
        .map_err(|e| format!("cannot write {}: {e}", report_path.display()))?;
    let chart_path = options.out.join("chart.svg");
    chart::write_svg(&chart_path, &results)?;
    println!("\n{section}");
    eprintln!(
        "wrote {}, {} and {}",
        jsonl_path.display(),
        report_path.display(),
        chart_path.display()
    );
    if options.docs {
        let root = repo_root();
        let docs = root.join("docs").join("benchmarks.md");
        report::update_docs(&docs, &section)
            .map_err(|e| format!("cannot update {}: {e}", docs.display()))?;
        let dir = root.join("docs").join("bench");
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        chart::write_svg(&dir.join("chart.svg"), &results)?;
        eprintln!(
            "updated {} and {}",
            docs.display(),
            dir.join("chart.svg").display()
        );
    }
    Ok(())
}
