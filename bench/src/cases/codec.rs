//! Parser and encoding cases (no IO).
//!
//! **Parser** (issue 2): the three buffers of the project's benchmark plan, fed 16 KiB at
//! a time as a socket would deliver them. Each contender copies each chunk into its own
//! read buffer and decodes every complete reply out of it, dropping the values; the time
//! covers the copying, the decoding and the dropping.
//!
//! - `ferrodis`: [`ferrodis_resp::Decoder`] on a [`BytesMut`] (the loop of
//!   `crates/ferrodis-resp/benches/decode.rs`);
//! - `redis-rs`: `redis::ValueCodec`, the `tokio_util` decoder of redis-rs's async
//!   connections, on a [`BytesMut`];
//! - `hiredis`: the C reference reader (`redisReaderFeed` copies the chunk into the
//!   reader's buffer, `redisReaderGetReply` until it yields nothing; every reply freed).
//!
//! Issue 2 asks the ferrodis parser for at least twice hiredis's throughput; without
//! hiredis on the machine, the target compares with issue 2's hiredis figures instead.
//!
//! **Encoding**: `SET key value` and a pipeline of 100 `SET key:<i> value`, built and
//! encoded into a reused buffer, by ferrodis and redis-rs (reported side by side, no
//! target).
//!
//! Every contender checks its own result at the end of each run (the number of replies
//! decoded and an empty buffer; the bytes encoded), so that a broken contender cannot
//! look fast.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use ferrodis_commands::{commands, PipelineCommands as _};

use crate::harness::{Against, Case, Contender, Group, Metric, Mode, Sample, Target, Unavailable};
use crate::hiredis::{Hiredis, Reader, Reply, ReplyType};

/// What a socket read delivers at a time.
const CHUNK: usize = 16 * 1024;

/// The encoding of `SET key value`.
const SET_KEY_VALUE: &[u8] = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";

/// Commands per pipeline in `encode-pipeline-100`.
const PIPELINE_LEN: usize = 100;

/// The parser and encoding cases.
pub(crate) fn cases(mode: Mode) -> Vec<Case> {
    settle_malloc();
    let hiredis = Hiredis::load();
    let mut cases: Vec<Case> = parse_specs(mode)
        .into_iter()
        .map(|spec| parse_case(spec, &hiredis))
        .collect();
    cases.push(encode_set_case(mode));
    cases.push(encode_pipeline_case(mode));
    cases
}

// ---------------------------------------------------------------------------------------
// Parser cases
// ---------------------------------------------------------------------------------------

/// Puts the C allocator in the state a long-running program is in, before anything is
/// measured, so that hiredis's figures do not depend on which cases ran before.
///
/// glibc's `malloc` starts with a 128 KiB mmap threshold and a 128 KiB trim threshold,
/// and raises both (for good) the first time the program frees a block it had mmapped.
/// Until then, every free of a 64 KiB reply at the top of the heap hands the memory back
/// to the kernel and the next reply faults it in again: hiredis's reader (which mallocs
/// each reply) then decodes the 64 KiB bulk strings of case (b) 3 to 4 times slower
/// (about 2.5 GB/s, issue 2's figure, against 6 to 10 GB/s once settled, on the 2-core
/// EPYC VM in November 2026). Any program that has run a while has freed such a block,
/// and so has this one once a few contenders have warmed up; freeing one here makes it
/// so from the start, whatever `--case` selects. ferrodis's decoder is not affected (its
/// read buffer is reused, and its values are slices of it). Elsewhere than glibc this is
/// one allocation and nothing more.
fn settle_malloc() {
    let block: Vec<u8> = Vec::with_capacity(4 << 20);
    drop(black_box(block));
}

/// A parser input: replies back to back, shared by a case's contenders.
#[derive(Debug)]
struct Input {
    /// The bytes, as a server would send them.
    bytes: Vec<u8>,
    /// How many replies they hold.
    replies: u64,
}

impl Input {
    /// `count` arrays of 100 bulk strings of 16 bytes (workload (a)).
    fn arrays(count: u64) -> Input {
        let mut one = b"*100\r\n".to_vec();
        for i in 0..100u32 {
            one.extend_from_slice(b"$16\r\n");
            one.extend_from_slice(format!("value-{i:010}").as_bytes());
            one.extend_from_slice(b"\r\n");
        }
        Input::repeat(&one, count)
    }

    /// `count` bulk strings of 64 KiB (workload (b)).
    fn bulks(count: u64) -> Input {
        let mut one = format!("${}\r\n", 64 * 1024).into_bytes();
        one.extend((0..64 * 1024).map(|i| b'a' + (i % 26) as u8));
        one.extend_from_slice(b"\r\n");
        Input::repeat(&one, count)
    }

    /// `count` times `:12345\r\n` (workload (c)).
    fn integers(count: u64) -> Input {
        Input::repeat(b":12345\r\n", count)
    }

    /// `count` copies of one reply.
    fn repeat(reply: &[u8], count: u64) -> Input {
        let count_usize = usize::try_from(count).expect("reply count fits in memory");
        Input {
            bytes: reply.repeat(count_usize),
            replies: count,
        }
    }
}

/// The work of one run of a parser contender: the input, `reps` times over.
#[derive(Debug, Clone)]
struct ParseWork {
    /// The input, shared by the case's contenders.
    input: Arc<Input>,
    /// How many times a run decodes it.
    reps: u64,
}

impl ParseWork {
    /// Replies a run must decode.
    fn expected(&self) -> u64 {
        self.input.replies * self.reps
    }

    /// Checks a run's count and makes its sample: replies, and MB/s of input.
    fn sample(&self, client: &str, decoded: u64, elapsed: Duration) -> Sample {
        assert_eq!(
            decoded,
            self.expected(),
            "{client} decoded {decoded} replies instead of {}",
            self.expected()
        );
        let bytes = self.input.bytes.len() as f64 * self.reps as f64;
        let secs = elapsed.as_secs_f64();
        let mb_per_s = if secs > 0.0 {
            bytes / secs / 1e6
        } else {
            f64::NAN
        };
        Sample::new(decoded, elapsed).with("mb_per_s", mb_per_s)
    }
}

/// A parser case before its contenders are made.
struct ParseSpec {
    /// See [`Case::id`].
    id: &'static str,
    /// See [`Case::title`].
    title: String,
    /// See [`Case::headline`].
    headline: Metric,
    /// What each run decodes.
    work: ParseWork,
    /// Issue 2's hiredis figure in the headline's unit, and its description, for the
    /// target when hiredis cannot run here.
    figure: (f64, &'static str),
}

/// The three parser cases' sizes for a mode. A full run decodes each buffer 10 or 20
/// times (about 0.2 s per run for ferrodis on a 2-core EPYC VM, 0.2-0.6 s for hiredis,
/// up to 2 s for redis-rs on the arrays); `--quick` decodes the same buffers a tenth as
/// many times (at least once); smoke runs decode a hundredth of each buffer once.
fn parse_specs(mode: Mode) -> Vec<ParseSpec> {
    /// (replies in a run, reps) for a buffer of `full` replies decoded `full_reps` times
    /// in a full run.
    fn size(mode: Mode, full: u64, full_reps: u64, smoke_min: u64) -> (u64, u64) {
        match mode {
            Mode::Full | Mode::Quick => (full, mode.scale(full_reps, 1)),
            Mode::Smoke => (mode.scale(full, smoke_min), 1),
        }
    }
    let (arrays, arrays_reps) = size(mode, 10_000, 10, 10);
    let (bulks, bulks_reps) = size(mode, 1_000, 20, 5);
    let (integers, integers_reps) = size(mode, 1_000_000, 10, 1_000);
    vec![
        ParseSpec {
            id: "parse-arrays",
            title: format!(
                "Parse (a): {} arrays of 100 16-byte bulk strings, fed 16 KiB at a time",
                thousands(arrays)
            ),
            headline: Metric::Extra("mb_per_s"),
            work: ParseWork {
                input: Arc::new(Input::arrays(arrays)),
                reps: arrays_reps,
            },
            figure: (536.0, "hiredis's 536 MB/s from issue 2"),
        },
        ParseSpec {
            id: "parse-bulks",
            title: format!(
                "Parse (b): {} bulk strings of 64 KiB, fed 16 KiB at a time",
                thousands(bulks)
            ),
            headline: Metric::Extra("mb_per_s"),
            work: ParseWork {
                input: Arc::new(Input::bulks(bulks)),
                reps: bulks_reps,
            },
            figure: (2_780.0, "hiredis's 2,780 MB/s from issue 2"),
        },
        ParseSpec {
            id: "parse-integers",
            title: format!(
                "Parse (c): {} integers (`:12345`), fed 16 KiB at a time",
                thousands(integers)
            ),
            headline: Metric::OpsPerS,
            work: ParseWork {
                input: Arc::new(Input::integers(integers)),
                reps: integers_reps,
            },
            figure: (29.5e6, "hiredis's 29.5 M replies/s from issue 2"),
        },
    ]
}

/// A parser case: its three contenders and issue 2's target.
fn parse_case(spec: ParseSpec, hiredis: &Result<Hiredis, String>) -> Case {
    let against = match hiredis {
        Ok(_) => Against::Peer {
            peer: "hiredis",
            factor: 2.0,
        },
        Err(_) => Against::Figure {
            value: spec.figure.0,
            factor: 2.0,
            what: spec.figure.1,
        },
    };
    Case {
        id: spec.id,
        title: spec.title,
        group: Group::Parser,
        unit: "reply",
        headline: spec.headline,
        contenders: vec![
            Box::new(FerrodisParser::new(spec.work.clone())),
            Box::new(RedisRsParser::new(spec.work.clone())),
            Box::new(HiredisParser::new(spec.work, hiredis.clone())),
        ],
        targets: vec![Target {
            client: "ferrodis",
            against,
            metric: spec.headline,
            source: "issue 2",
        }],
    }
}

/// `ferrodis`: [`ferrodis_resp::Decoder`] over a read buffer kept across runs.
struct FerrodisParser {
    /// What a run decodes.
    work: ParseWork,
    /// The read buffer.
    buf: BytesMut,
}

impl FerrodisParser {
    /// A contender for `work`.
    fn new(work: ParseWork) -> FerrodisParser {
        FerrodisParser {
            work,
            buf: BytesMut::with_capacity(4 * CHUNK),
        }
    }
}

impl Contender for FerrodisParser {
    fn client(&self) -> &str {
        "ferrodis"
    }

    fn run(&mut self) -> Result<Sample, Unavailable> {
        let input = &self.work.input.bytes;
        let buf = &mut self.buf;
        let start = Instant::now();
        let mut decoder = ferrodis_resp::Decoder::new();
        let mut decoded = 0u64;
        for _ in 0..self.work.reps {
            for chunk in input.chunks(CHUNK) {
                buf.extend_from_slice(chunk);
                while let Some(value) = decoder.decode(buf).expect("ferrodis: decode error") {
                    black_box(value);
                    decoded += 1;
                }
            }
        }
        let elapsed = start.elapsed();
        assert!(
            buf.is_empty(),
            "ferrodis left {} bytes undecoded",
            buf.len()
        );
        Ok(self.work.sample(self.client(), decoded, elapsed))
    }
}

/// `redis-rs`: `redis::ValueCodec` (a `tokio_util::codec::Decoder`) over a read buffer
/// kept across runs.
struct RedisRsParser {
    /// What a run decodes.
    work: ParseWork,
    /// The read buffer.
    buf: BytesMut,
}

impl RedisRsParser {
    /// A contender for `work`.
    fn new(work: ParseWork) -> RedisRsParser {
        RedisRsParser {
            work,
            buf: BytesMut::with_capacity(4 * CHUNK),
        }
    }
}

impl Contender for RedisRsParser {
    fn client(&self) -> &str {
        "redis-rs"
    }

    fn run(&mut self) -> Result<Sample, Unavailable> {
        use tokio_util::codec::Decoder as _;
        let input = &self.work.input.bytes;
        let buf = &mut self.buf;
        let start = Instant::now();
        let mut codec = redis::ValueCodec::default();
        let mut decoded = 0u64;
        for _ in 0..self.work.reps {
            for chunk in input.chunks(CHUNK) {
                buf.extend_from_slice(chunk);
                while let Some(value) = codec.decode(buf).expect("redis-rs: decode error") {
                    black_box(value);
                    decoded += 1;
                }
            }
        }
        let elapsed = start.elapsed();
        assert!(
            buf.is_empty(),
            "redis-rs left {} bytes undecoded",
            buf.len()
        );
        Ok(self.work.sample(self.client(), decoded, elapsed))
    }
}

/// `hiredis`: a `redisReader` kept across runs, fed each chunk, every reply taken out and
/// freed.
struct HiredisParser {
    /// What a run decodes.
    work: ParseWork,
    /// The library, or why it cannot be loaded.
    hiredis: Result<Hiredis, String>,
    /// The reader, made on the first run.
    reader: Option<Reader>,
}

impl HiredisParser {
    /// A contender for `work`.
    fn new(work: ParseWork, hiredis: Result<Hiredis, String>) -> HiredisParser {
        HiredisParser {
            work,
            hiredis,
            reader: None,
        }
    }
}

impl Contender for HiredisParser {
    fn client(&self) -> &str {
        "hiredis"
    }

    fn run(&mut self) -> Result<Sample, Unavailable> {
        let hiredis = self
            .hiredis
            .as_ref()
            .map_err(|why| Unavailable(why.clone()))?;
        let reader = self.reader.get_or_insert_with(|| hiredis.reader());
        let input = &self.work.input.bytes;
        let start = Instant::now();
        let mut decoded = 0u64;
        for _ in 0..self.work.reps {
            for chunk in input.chunks(CHUNK) {
                reader.feed(chunk).expect("hiredis: feed error");
                decoded += reader.take_replies().expect("hiredis: decode error");
            }
        }
        let elapsed = start.elapsed();
        // Bytes left over would turn the next reply into something else: check there are
        // none.
        reader.feed(b"+OK\r\n").expect("hiredis: feed error");
        let next = reader.next_reply().expect("hiredis: decode error");
        assert_eq!(
            next.as_ref().map(Reply::kind),
            Some(ReplyType::Status),
            "hiredis left bytes undecoded"
        );
        drop(next);
        assert!(reader
            .next_reply()
            .expect("hiredis: decode error")
            .is_none());
        Ok(self.work.sample(self.client(), decoded, elapsed))
    }
}

// ---------------------------------------------------------------------------------------
// Encoding cases
// ---------------------------------------------------------------------------------------

/// Iterations of an encoding run: `full` in a full run (about 0.3 s for ferrodis), a
/// tenth with `--quick`, and a thousandth for smoke runs (a debug build encodes 50 times
/// slower).
fn encode_iterations(mode: Mode, full: u64) -> u64 {
    match mode {
        Mode::Full | Mode::Quick => mode.scale(full, 1),
        Mode::Smoke => (full / 1_000).max(1),
    }
}

/// `encode-set`: `SET key value` built and encoded into a reused `Vec<u8>`, `n` times a
/// run.
fn encode_set_case(mode: Mode) -> Case {
    let n = encode_iterations(mode, 5_000_000);
    Case {
        id: "encode-set",
        title: format!(
            "Encode `SET key value`: {} commands built and encoded into a reused buffer",
            thousands(n)
        ),
        group: Group::Encoding,
        unit: "command",
        headline: Metric::OpsPerS,
        contenders: vec![
            Box::new(Encoder::new(
                "ferrodis",
                n,
                Box::new(|out: &mut Vec<u8>| {
                    commands::set(black_box("key"), black_box("value"))
                        .cmd()
                        .write_to(out);
                }),
                SET_KEY_VALUE.to_vec(),
            )),
            Box::new(Encoder::new(
                "redis-rs",
                n,
                Box::new(|out: &mut Vec<u8>| {
                    let mut cmd = redis::cmd("SET");
                    cmd.arg(black_box("key")).arg(black_box("value"));
                    cmd.write_packed_command(out);
                }),
                SET_KEY_VALUE.to_vec(),
            )),
        ],
        targets: Vec::new(),
    }
}

/// `encode-pipeline-100`: a pipeline of 100 `SET key:<i> value` built and encoded into a
/// reused `Vec<u8>`; the keys are built beforehand, shared by both sides.
///
/// - `ferrodis`: a new `ferrodis_commands::Pipeline` (plain), 100 `pipe.set(key,
///   "value")` (each builds a `Cmd`), then `Pipeline::encode` into the buffer.
/// - `redis-rs`: a new `redis::pipe()`, 100 `.cmd("SET").arg(key).arg("value")`, then
///   each command's `write_packed_command` into the buffer: the same bytes as
///   `get_packed_pipeline()` (redis-rs has no public method that writes a whole pipeline
///   into a caller's buffer; `get_packed_pipeline` returns a new `Vec` each time).
fn encode_pipeline_case(mode: Mode) -> Case {
    let pipelines = encode_iterations(mode, 50_000);
    let keys: Arc<Vec<String>> = Arc::new((0..PIPELINE_LEN).map(|i| format!("key:{i}")).collect());
    let expected = expected_pipeline(&keys);
    let ferrodis_keys = Arc::clone(&keys);
    let redis_keys = keys;
    Case {
        id: "encode-pipeline-100",
        title: format!(
            "Encode a pipeline of 100 `SET key:<i> value`: {} pipelines built and encoded \
             into a reused buffer",
            thousands(pipelines)
        ),
        group: Group::Encoding,
        unit: "command",
        headline: Metric::OpsPerS,
        contenders: vec![
            Box::new(
                Encoder::new(
                    "ferrodis",
                    pipelines,
                    Box::new(move |out: &mut Vec<u8>| {
                        let mut pipe = ferrodis_commands::Pipeline::new();
                        for key in ferrodis_keys.iter() {
                            pipe.set(key.as_str(), black_box("value"));
                        }
                        pipe.encode(out);
                    }),
                    expected.clone(),
                )
                .per_iteration(PIPELINE_LEN as u64),
            ),
            Box::new(
                Encoder::new(
                    "redis-rs",
                    pipelines,
                    Box::new(move |out: &mut Vec<u8>| {
                        let mut pipe = redis::pipe();
                        for key in redis_keys.iter() {
                            pipe.cmd("SET").arg(key.as_str()).arg(black_box("value"));
                        }
                        for cmd in pipe.cmd_iter() {
                            cmd.write_packed_command(out);
                        }
                    }),
                    expected,
                )
                .per_iteration(PIPELINE_LEN as u64),
            ),
        ],
        targets: Vec::new(),
    }
}

/// The encoding of the pipeline of `encode-pipeline-100`, written out by hand.
fn expected_pipeline(keys: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for key in keys {
        out.extend_from_slice(
            format!(
                "*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n$5\r\nvalue\r\n",
                key.len()
            )
            .as_bytes(),
        );
    }
    out
}

/// Appends one iteration's encoding to the buffer.
type EncodeFn = Box<dyn FnMut(&mut Vec<u8>)>;

/// An encoding contender: `iterations` times a run, clears the buffer and appends one
/// iteration's encoding to it; the last iteration's bytes are checked.
struct Encoder {
    /// See [`Contender::client`].
    client: &'static str,
    /// Iterations a run.
    iterations: u64,
    /// Operations (commands) per iteration.
    ops_per_iteration: u64,
    /// Appends one iteration's bytes.
    encode: EncodeFn,
    /// What one iteration must append.
    expected: Vec<u8>,
    /// The reused buffer.
    out: Vec<u8>,
}

impl Encoder {
    /// A contender named `client` running `encode` `iterations` times a run, each of
    /// which must produce `expected`.
    fn new(client: &'static str, iterations: u64, encode: EncodeFn, expected: Vec<u8>) -> Encoder {
        Encoder {
            client,
            iterations,
            ops_per_iteration: 1,
            encode,
            out: Vec::with_capacity(expected.len().max(256)),
            expected,
        }
    }

    /// Counts `ops` operations per iteration (the commands of a pipeline).
    fn per_iteration(mut self, ops: u64) -> Encoder {
        self.ops_per_iteration = ops;
        self
    }
}

impl Contender for Encoder {
    fn client(&self) -> &str {
        self.client
    }

    fn run(&mut self) -> Result<Sample, Unavailable> {
        let out = &mut self.out;
        let encode = &mut self.encode;
        let start = Instant::now();
        for _ in 0..self.iterations {
            out.clear();
            encode(out);
            black_box(&mut *out);
        }
        let elapsed = start.elapsed();
        assert!(
            *out == self.expected,
            "{} encoded {:?}",
            self.client,
            String::from_utf8_lossy(out)
        );
        Ok(Sample::new(
            self.iterations * self.ops_per_iteration,
            elapsed,
        ))
    }
}

/// `n` with thousands separators: `10,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hiredis::NOT_INSTALLED;

    fn case<'a>(cases: &'a mut [Case], id: &str) -> &'a mut Case {
        cases.iter_mut().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn the_cases_are_the_five_of_the_plan_with_their_contenders() {
        let cases = cases(Mode::Smoke);
        let ids: Vec<&str> = cases.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "parse-arrays",
                "parse-bulks",
                "parse-integers",
                "encode-set",
                "encode-pipeline-100"
            ]
        );
        for case in &cases {
            let clients: Vec<&str> = case.contenders.iter().map(|c| c.client()).collect();
            if case.group == Group::Parser {
                assert_eq!(clients, ["ferrodis", "redis-rs", "hiredis"]);
                assert_eq!(case.targets.len(), 1);
                assert_eq!(case.targets[0].client, "ferrodis");
                assert_eq!(case.targets[0].metric, case.headline);
            } else {
                assert_eq!(case.group, Group::Encoding);
                assert_eq!(clients, ["ferrodis", "redis-rs"]);
                assert!(case.targets.is_empty());
            }
        }
        assert_eq!(cases[0].headline, Metric::Extra("mb_per_s"));
        assert_eq!(cases[1].headline, Metric::Extra("mb_per_s"));
        assert_eq!(cases[2].headline, Metric::OpsPerS);
    }

    #[test]
    fn every_parser_decodes_every_reply_in_smoke_mode() {
        let mut cases = cases(Mode::Smoke);
        let hiredis = Hiredis::load();
        for (id, replies, bytes) in [
            ("parse-arrays", 100, 100 * (6 + 100 * 23)),
            ("parse-bulks", 10, 10 * (8 + 65_536 + 2)),
            ("parse-integers", 10_000, 10_000 * 8),
        ] {
            let case = case(&mut cases, id);
            for contender in &mut case.contenders {
                let client = contender.client().to_string();
                // Twice: the second run reuses the buffers the first one left.
                for _ in 0..2 {
                    match contender.run() {
                        Ok(sample) => {
                            assert_eq!(sample.ops, replies, "{id} / {client}");
                            let mb_per_s = sample.metric(Metric::Extra("mb_per_s")).unwrap();
                            let expected = bytes as f64 / sample.secs / 1e6;
                            assert!((mb_per_s - expected).abs() <= expected * 1e-9);
                        }
                        Err(Unavailable(why)) => {
                            assert_eq!(client, "hiredis");
                            assert!(hiredis.is_err());
                            assert_eq!(why, NOT_INSTALLED);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn parser_targets_follow_hiredis_availability() {
        let cases = cases(Mode::Smoke);
        let against = &cases[2].targets[0].against;
        match Hiredis::load() {
            Ok(_) => assert_eq!(
                *against,
                Against::Peer {
                    peer: "hiredis",
                    factor: 2.0
                }
            ),
            Err(_) => assert!(matches!(
                against,
                Against::Figure { value, factor, .. } if *value == 29.5e6 && *factor == 2.0
            )),
        }
    }

    #[test]
    fn hiredis_without_its_library_is_unavailable() {
        let work = ParseWork {
            input: Arc::new(Input::integers(10)),
            reps: 1,
        };
        let missing = Hiredis::load_from(&["libhiredis-not-here.so.0"]);
        let mut contender = HiredisParser::new(work, missing);
        let expected = Err(Unavailable(NOT_INSTALLED.to_string()));
        assert_eq!(contender.warm_up(), expected.clone().map(|_: Sample| ()));
        assert_eq!(contender.run(), expected);
    }

    #[test]
    fn a_parser_that_loses_replies_fails_its_check() {
        let work = ParseWork {
            input: Arc::new(Input::integers(10)),
            reps: 2,
        };
        assert_eq!(work.expected(), 20);
        let lost = std::panic::catch_unwind(|| work.sample("broken", 19, Duration::from_secs(1)));
        assert!(lost.is_err());
    }

    #[test]
    fn inputs_hold_the_plan_replies() {
        let arrays = Input::arrays(2);
        assert_eq!(arrays.replies, 2);
        assert!(arrays
            .bytes
            .starts_with(b"*100\r\n$16\r\nvalue-0000000000\r\n$16\r\n"));
        assert_eq!(arrays.bytes.len(), 2 * (6 + 100 * 23));
        let (value, used) = ferrodis_resp::decode(&arrays.bytes).unwrap().unwrap();
        assert_eq!(used, 6 + 100 * 23);
        match value {
            ferrodis_resp::Value::Array(items) => {
                assert_eq!(items.len(), 100);
                assert_eq!(
                    items[99],
                    ferrodis_resp::Value::BulkString("value-0000000099".into())
                );
            }
            other => panic!("not an array: {other:?}"),
        }
        let bulks = Input::bulks(1);
        assert!(bulks.bytes.starts_with(b"$65536\r\nabc"));
        assert!(bulks.bytes.ends_with(b"\r\n"));
        assert_eq!(Input::integers(3).bytes, b":12345\r\n:12345\r\n:12345\r\n");
    }

    #[test]
    fn both_clients_encode_set_key_value_identically() {
        let mut ferrodis = Vec::new();
        commands::set("key", "value").cmd().write_to(&mut ferrodis);
        let mut redis_rs = Vec::new();
        redis::cmd("SET")
            .arg("key")
            .arg("value")
            .write_packed_command(&mut redis_rs);
        assert_eq!(ferrodis, SET_KEY_VALUE);
        assert_eq!(redis_rs, SET_KEY_VALUE);
    }

    #[test]
    fn both_clients_encode_the_pipeline_identically() {
        let keys: Vec<String> = (0..PIPELINE_LEN).map(|i| format!("key:{i}")).collect();
        let mut ferrodis_pipe = ferrodis_commands::Pipeline::new();
        let mut redis_pipe = redis::pipe();
        for key in &keys {
            ferrodis_pipe.set(key.as_str(), "value");
            redis_pipe.cmd("SET").arg(key.as_str()).arg("value");
        }
        let mut ferrodis = Vec::new();
        ferrodis_pipe.encode(&mut ferrodis);
        let mut redis_rs = Vec::new();
        for cmd in redis_pipe.cmd_iter() {
            cmd.write_packed_command(&mut redis_rs);
        }
        let expected = expected_pipeline(&keys);
        assert!(expected.starts_with(b"*3\r\n$3\r\nSET\r\n$5\r\nkey:0\r\n$5\r\nvalue\r\n"));
        assert!(expected.ends_with(b"*3\r\n$3\r\nSET\r\n$6\r\nkey:99\r\n$5\r\nvalue\r\n"));
        assert_eq!(ferrodis, expected);
        assert_eq!(redis_rs, expected);
        assert_eq!(redis_pipe.get_packed_pipeline(), expected);
    }

    #[test]
    fn encoders_count_commands_and_check_their_bytes() {
        let mut cases = cases(Mode::Smoke);
        for (id, ops) in [("encode-set", 5_000), ("encode-pipeline-100", 50 * 100)] {
            for contender in &mut case(&mut cases, id).contenders {
                let sample = contender.run().unwrap();
                assert_eq!(sample.ops, ops, "{id} / {}", contender.client());
            }
        }
        let mut wrong = Encoder::new(
            "broken",
            3,
            Box::new(|out: &mut Vec<u8>| out.extend_from_slice(b"*1\r\n")),
            SET_KEY_VALUE.to_vec(),
        );
        assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| wrong.run())).is_err());
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(10_000), "10,000");
    }
}
