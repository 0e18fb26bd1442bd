//! The vocabulary every case shares: a [`Case`] has [`Contender`]s (ferrodis and its
//! peers), each of which does a fixed amount of work per [`Contender::run`] and says what
//! it measured in a [`Sample`]. `main` runs the contenders of a case one after another
//! within each round (A B A B ..., the order reversed in odd rounds), so that a ratio
//! always compares runs taken under the same conditions; every run becomes one
//! [`Measurement`], printed as a JSON line.
//!
//! Why interleave: on a small VM the round-trip time and the memory bandwidth swing by
//! 2x within minutes (neighbours, steal time). Figures taken minutes apart do not compare;
//! figures taken seconds apart, alternating, do.

use std::fmt::Write as _;
use std::time::Duration;

/// What one timed run of one contender measured.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    /// Operations done (replies decoded, commands encoded, round trips, ...: the case's
    /// unit).
    pub ops: u64,
    /// Wall-clock seconds the operations took.
    pub secs: f64,
    /// Further figures of this run, as (JSON key, value): `("mb_per_s", 1234.5)`,
    /// `("allocs_per_op", 3.0)`, ...
    pub extra: Vec<(&'static str, f64)>,
}

impl Sample {
    /// `ops` operations done in `elapsed`.
    pub(crate) fn new(ops: u64, elapsed: Duration) -> Sample {
        Sample {
            ops,
            secs: elapsed.as_secs_f64(),
            extra: Vec::new(),
        }
    }

    /// Adds a further figure.
    #[must_use]
    pub(crate) fn with(mut self, key: &'static str, value: f64) -> Sample {
        self.extra.push((key, value));
        self
    }

    /// Operations per second.
    pub(crate) fn ops_per_s(&self) -> f64 {
        if self.secs > 0.0 {
            self.ops as f64 / self.secs
        } else {
            f64::NAN
        }
    }

    /// The value of a metric: `ops_per_s`, or one of the extras.
    pub(crate) fn metric(&self, metric: Metric) -> Option<f64> {
        match metric {
            Metric::OpsPerS => Some(self.ops_per_s()),
            Metric::Extra(key) => self.extra.iter().find(|(k, _)| *k == key).map(|(_, v)| *v),
        }
    }
}

/// Why a contender cannot run here (a tool or a library is missing), with what to
/// install. Reported in the output and the report, never skipped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unavailable(pub String);

/// One client taking part in a case.
pub(crate) trait Contender {
    /// The client's name in the output: `ferrodis`, `ferrodis (async-std)`, `redis-rs`,
    /// `hiredis`, `redis-benchmark`, ...
    fn client(&self) -> &str;

    /// Does the case's work once (a fixed amount, chosen when the contender was built from
    /// the [`Mode`]) and reports it. Panics only on a bug or a broken server: a benchmark
    /// has nothing to recover.
    fn run(&mut self) -> Result<Sample, Unavailable>;

    /// Untimed work before the first round (buffers grown, connections opened, caches
    /// warm). By default one run whose figures are dropped.
    fn warm_up(&mut self) -> Result<(), Unavailable> {
        self.run().map(|_| ())
    }
}

/// How much work a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `cargo test`: only checks that every case runs.
    Smoke,
    /// `--quick`: a smoke check of the whole benchmark in under 2 minutes; its figures are
    /// rough.
    Quick,
    /// The full run, whose figures go into docs/benchmarks.md.
    Full,
}

impl Mode {
    /// The amount of work for a run in this mode, given the full run's: all of it, a
    /// tenth (`Quick`), or a hundredth (`Smoke`), never less than `min`.
    pub(crate) fn scale(self, full: u64, min: u64) -> u64 {
        let n = match self {
            Mode::Full => full,
            Mode::Quick => full / 10,
            Mode::Smoke => full / 100,
        };
        n.max(min)
    }

    /// The mode's name in the output.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::Smoke => "smoke",
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }
}

/// The groups of cases, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Group {
    /// Decoding replies from a buffer (no IO).
    Parser,
    /// Encoding commands into a buffer (no IO).
    Encoding,
    /// Round trips to a real server.
    Network,
    /// Heap allocations per round trip.
    Allocations,
    /// Large values over the network.
    LargeValues,
}

impl Group {
    /// The group's name in JSON and headings.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Group::Parser => "parser",
            Group::Encoding => "encoding",
            Group::Network => "network",
            Group::Allocations => "allocations",
            Group::LargeValues => "large values",
        }
    }
}

/// A figure a case reports per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    /// Operations per second (every case has it).
    OpsPerS,
    /// One of [`Sample::extra`]'s keys.
    Extra(&'static str),
}

impl Metric {
    /// The JSON key.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Metric::OpsPerS => "ops_per_s",
            Metric::Extra(key) => key,
        }
    }
}

/// What a case must show, from the issues.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    /// The client the target is about (a ferrodis contender's name).
    pub client: &'static str,
    /// What it is compared with.
    pub against: Against,
    /// The figure compared.
    pub metric: Metric,
    /// Where the target comes from ("issue 2", ...), for the report.
    pub source: &'static str,
}

/// The comparison of a [`Target`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Against {
    /// The client's median is at least `factor` times the peer's median, measured in the
    /// same run.
    Peer {
        /// The peer's client name.
        peer: &'static str,
        /// The factor (1.5 = "at least 1.5x").
        factor: f64,
    },
    /// The client's median is within the noise of the peer's: at least the peer's
    /// slowest round.
    WithinNoise {
        /// The peer's client name.
        peer: &'static str,
    },
    /// The client's median is at least `factor` times a figure measured elsewhere, used
    /// when the peer cannot run here (hiredis without its library).
    Figure {
        /// The reference figure, in the metric's unit.
        value: f64,
        /// The factor.
        factor: f64,
        /// What the figure is ("hiredis's 536 MB/s from issue 2").
        what: &'static str,
    },
}

/// A case: the same work done by every contender.
pub(crate) struct Case {
    /// The short name (`parse-arrays`, `get-50-tasks`): JSON's `case`, `--case`'s filter.
    pub id: &'static str,
    /// The title in the report ("Parse (a): 10,000 arrays of 100 16-byte bulk strings").
    pub title: String,
    /// The group it belongs to.
    pub group: Group,
    /// What one operation is, for the report ("reply", "command", "GET").
    pub unit: &'static str,
    /// The figure the report shows first and the chart plots (`ops_per_s` for most; the
    /// allocation cases show `allocs_per_op`).
    pub headline: Metric,
    /// The clients, ferrodis first.
    pub contenders: Vec<Box<dyn Contender>>,
    /// What the issues ask of it.
    pub targets: Vec<Target>,
}

impl Case {
    /// What the report needs to know of the case once the contenders are gone.
    pub(crate) fn info(&self) -> CaseInfo {
        CaseInfo {
            id: self.id,
            title: self.title.clone(),
            group: self.group,
            unit: self.unit,
            headline: self.headline,
            clients: self
                .contenders
                .iter()
                .map(|c| c.client().to_string())
                .collect(),
            targets: self.targets.clone(),
        }
    }
}

/// A case as the report sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CaseInfo {
    /// See [`Case::id`].
    pub id: &'static str,
    /// See [`Case::title`].
    pub title: String,
    /// See [`Case::group`].
    pub group: Group,
    /// See [`Case::unit`].
    pub unit: &'static str,
    /// See [`Case::headline`].
    pub headline: Metric,
    /// The clients, in the case's order (ferrodis first).
    pub clients: Vec<String>,
    /// See [`Case::targets`].
    pub targets: Vec<Target>,
}

/// One run of one contender in one round: a JSON line of the output.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measurement {
    /// The case's id.
    pub case: &'static str,
    /// The case's group.
    pub group: Group,
    /// The client.
    pub client: String,
    /// The round, from 1.
    pub round: usize,
    /// What it measured, or why it could not run.
    pub outcome: Result<Sample, Unavailable>,
}

impl Measurement {
    /// The JSON line: `{"client","case","group","round","ops","secs","ops_per_s", extras}`,
    /// or `{"client","case","group","round","unavailable"}`.
    pub(crate) fn to_json(&self) -> String {
        let mut line = String::from("{");
        let _ = write!(
            line,
            "\"client\":{},\"case\":{},\"group\":{},\"round\":{}",
            json_string(&self.client),
            json_string(self.case),
            json_string(self.group.name()),
            self.round
        );
        match &self.outcome {
            Ok(sample) => {
                let _ = write!(
                    line,
                    ",\"ops\":{},\"secs\":{},\"ops_per_s\":{}",
                    sample.ops,
                    json_number(sample.secs),
                    json_number(sample.ops_per_s())
                );
                for (key, value) in &sample.extra {
                    let _ = write!(line, ",{}:{}", json_string(key), json_number(*value));
                }
            }
            Err(Unavailable(why)) => {
                let _ = write!(line, ",\"unavailable\":{}", json_string(why));
            }
        }
        line.push('}');
        line
    }
}

/// Everything a run produced, for the report and the chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Results {
    /// The mode the run used.
    pub mode: Mode,
    /// Rounds run.
    pub rounds: usize,
    /// The cases, in run order.
    pub cases: Vec<CaseInfo>,
    /// Every run of every round.
    pub measurements: Vec<Measurement>,
    /// Where and when ("2 x AMD EPYC 7B13, Linux 6.1, 2026-11-21 15:02 UTC; redis-server
    /// 7.0.15").
    pub machine: String,
}

/// A JSON string literal.
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number (`null` for NaN and infinities, which JSON cannot express).
pub(crate) fn json_number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        "null".to_string()
    }
}

/// The median of some figures (the upper one of an even count); NaN when empty.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_carry_the_issue_fields_and_extras() {
        let m = Measurement {
            case: "get-sequential",
            group: Group::Network,
            client: "ferrodis".into(),
            round: 2,
            outcome: Ok(Sample::new(1000, Duration::from_millis(500)).with("mb_per_s", 1.5)),
        };
        assert_eq!(
            m.to_json(),
            "{\"client\":\"ferrodis\",\"case\":\"get-sequential\",\"group\":\"network\",\
             \"round\":2,\"ops\":1000,\"secs\":0.5,\"ops_per_s\":2000,\"mb_per_s\":1.5}"
        );
        let m = Measurement {
            outcome: Err(Unavailable("install \"redis-tools\"".into())),
            ..m
        };
        assert_eq!(
            m.to_json(),
            "{\"client\":\"ferrodis\",\"case\":\"get-sequential\",\"group\":\"network\",\
             \"round\":2,\"unavailable\":\"install \\\"redis-tools\\\"\"}"
        );
    }

    #[test]
    fn non_finite_numbers_become_null() {
        assert_eq!(json_number(f64::NAN), "null");
        assert_eq!(json_number(f64::INFINITY), "null");
        assert_eq!(json_number(0.25), "0.25");
    }

    #[test]
    fn median_ignores_nan_and_takes_the_middle() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 3.0);
        assert_eq!(median(&[f64::NAN, 5.0]), 5.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn modes_scale_the_work() {
        assert_eq!(Mode::Full.scale(1000, 1), 1000);
        assert_eq!(Mode::Quick.scale(1000, 1), 100);
        assert_eq!(Mode::Smoke.scale(1000, 50), 50);
    }
}
