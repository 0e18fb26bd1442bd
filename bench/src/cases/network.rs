//! Round trips to a real server: the private `redis-server` every network case shares,
//! and the cases of issue 6's network table.
//!
//! | case | ferrodis | compared with |
//! |---|---|---|
//! | `get-sequential` | blocking `Client` | redis-rs sync `Connection`; `redis-benchmark -c 1 -P 1` |
//! | `set-pipeline-100` | blocking `plain_pipeline()` | `redis::pipe()`; `redis-benchmark -c 1 -P 100` |
//! | `get-50-tasks` | async `Client` on tokio and on async-std | redis-rs `MultiplexedConnection`; `redis-benchmark -c 1 -P 50` (the ceiling) |
//! | `get-50-tasks-pool` | async `Client::get_connection` (a pool of 50) on tokio and async-std | `redis-benchmark -c 50 -P 1` (the ceiling) |
//!
//! Every client uses its defaults (ferrodis speaks RESP3, redis-rs RESP2; for `GET` and
//! `SET` the replies differ only in `+OK` against `$3` framing). `redis-benchmark` is the
//! C reference: pre-built buffers, no parsing to speak of; it shows what the server and
//! the machine allow, so "within noise of redis-benchmark" means the client costs
//! nothing that shows.

use std::future::Future;
use std::hint::black_box;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrodis_async::AsyncCommands as _;
use ferrodis_commands::{Commands as _, PipelineCommands as _};
use ferrodis_tests::RedisServer;

use crate::harness::{Against, Case, Contender, Group, Metric, Mode, Sample, Target, Unavailable};

/// The key redis-benchmark's `GET` reads (without `-r` it is this literal name); the
/// clients read the same key, holding the same 3-byte value redis-benchmark's `SET`
/// writes.
pub(crate) const KEY: &str = "key:__rand_int__";
/// The value at [`KEY`] (redis-benchmark's `SET` writes another 3-byte value there).
pub(crate) const VALUE: &str = "xxx";
/// Concurrent tasks of the 50-task cases.
const TASKS: usize = 50;
/// Commands per pipeline.
const PIPELINE: usize = 100;

/// What the network cases share: the private server and a tokio runtime.
pub(crate) struct Env {
    /// The private redis-server (stopped when dropped).
    pub(crate) server: RedisServer,
    /// Its `redis://` URL.
    pub(crate) url: String,
    /// The tokio runtime (multi-thread, 2 workers: one per core here) the tokio
    /// contenders run on, ferrodis's and redis-rs's alike.
    pub(crate) tokio: Arc<tokio::runtime::Runtime>,
}

impl Env {
    /// Starts the server (persistence off) and the runtime, and stores [`VALUE`] at
    /// [`KEY`].
    pub(crate) fn start() -> Result<Env, String> {
        let server = RedisServer::builder().start().map_err(|e| {
            format!("{e} (the benchmark needs redis-server: apt-get install redis-server)")
        })?;
        let url = server.url();
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
        let client = ferrodis_blocking::Client::open(url.as_str()).map_err(|e| e.to_string())?;
        let _: () = client.set(KEY, VALUE).map_err(|e| e.to_string())?;
        Ok(Env {
            server,
            url,
            tokio: Arc::new(tokio),
        })
    }

    /// A ferrodis async `Client` and a redis-rs `MultiplexedConnection`, both opened on
    /// the tokio runtime (ferrodis detects the runtime it is created in).
    pub(crate) fn tokio_clients(
        &self,
    ) -> (ferrodis_async::Client, redis::aio::MultiplexedConnection) {
        let url = self.url.as_str();
        self.tokio.block_on(async {
            let client = ferrodis_async::Client::open(url).expect("ferrodis client");
            let con = redis::Client::open(url)
                .expect("redis-rs client")
                .get_multiplexed_async_connection()
                .await
                .expect("redis-rs multiplexed connection");
            (client, con)
        })
    }

    /// The server's port.
    pub(crate) fn port(&self) -> u16 {
        self.server.port()
    }

    /// Where and when: CPU, cores, kernel, date, redis-server version.
    pub(crate) fn machine(&self) -> String {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|s| s.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".into(), |s| s.trim().to_string());
        let date = command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
        let redis = ferrodis_tests::redis_server_binary()
            .ok()
            .map(|path| command_line(&path.to_string_lossy(), &["--version"]))
            .and_then(|v| {
                v.split_whitespace()
                    .find(|w| w.starts_with("v="))
                    .map(|w| w.trim_start_matches("v=").to_string())
            })
            .unwrap_or_else(|| "?".into());
        format!("{cores} x {cpu}, Linux {kernel}, redis-server {redis}, {date}")
    }
}

/// Issue 6's target for the blocking cases: ferrodis within noise of redis-benchmark.
fn within_noise_of_redis_benchmark() -> Target {
    Target {
        client: "ferrodis",
        against: Against::WithinNoise {
            peer: "redis-benchmark",
        },
        metric: Metric::OpsPerS,
        source: "issue 6",
    }
}

/// The first line a command prints, or "?".
fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .and_then(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "?".into())
}

/// Runs `redis-benchmark` against the server with `args` and `-n ops --csv`, and turns
/// its rate into a [`Sample`] (redis-benchmark times itself; the sample's time is
/// `ops / rate`).
pub(crate) fn redis_benchmark(port: u16, args: &[&str], ops: u64) -> Result<Sample, Unavailable> {
    let output = Command::new("redis-benchmark")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-n", &ops.to_string(), "--csv"])
        .args(args)
        .output()
        .map_err(|e| {
            Unavailable(format!(
                "redis-benchmark could not run ({e}): apt-get install redis-tools"
            ))
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    // The CSV header, then one line per test: "GET","12345.67",...
    let rate = text
        .lines()
        .filter(|line| !line.starts_with("\"test\""))
        .find_map(|line| line.split(',').nth(1))
        .and_then(|rps| rps.trim_matches('"').parse::<f64>().ok())
        .filter(|rate| *rate > 0.0);
    match rate {
        Some(rate) => Ok(Sample::new(ops, Duration::from_secs_f64(ops as f64 / rate))),
        None => panic!(
            "redis-benchmark {args:?} printed no rate: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// A contender from a name and a closure that does one run.
pub(crate) struct FnContender<F> {
    client: &'static str,
    run: F,
}

impl<F: FnMut() -> Result<Sample, Unavailable>> Contender for FnContender<F> {
    fn client(&self) -> &str {
        self.client
    }

    fn run(&mut self) -> Result<Sample, Unavailable> {
        (self.run)()
    }
}

/// Boxes a [`FnContender`].
pub(crate) fn contender(
    client: &'static str,
    run: impl FnMut() -> Result<Sample, Unavailable> + 'static,
) -> Box<dyn Contender> {
    Box::new(FnContender { client, run })
}

/// Times `ops` operations done by `f`.
pub(crate) fn timed(ops: u64, f: impl FnOnce()) -> Result<Sample, Unavailable> {
    let started = Instant::now();
    f();
    Ok(Sample::new(ops, started.elapsed()))
}

/// Times `ops` operations done by `f`, and adds the CPU time this process spent on them
/// per operation (`cpu_us_per_op`, user and system, every thread): what a client costs,
/// besides how fast it goes. (redis-server and redis-benchmark are other processes.)
pub(crate) fn timed_cpu(ops: u64, f: impl FnOnce()) -> Result<Sample, Unavailable> {
    let cpu = process_cpu();
    let sample = timed(ops, f)?;
    let used = process_cpu().saturating_sub(cpu);
    Ok(sample.with("cpu_us_per_op", used.as_secs_f64() * 1e6 / ops as f64))
}

/// The CPU time (user + system) of this process so far.
#[allow(unsafe_code)]
fn process_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a rusage struct; RUSAGE_SELF is always valid.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `TASKS` copies of `task` (given its index) on tokio and waits for them all.
pub(crate) async fn tokio_tasks<F, Fut>(task: F)
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let handles: Vec<_> = (0..TASKS).map(|i| tokio::spawn(task(i))).collect();
    for handle in handles {
        handle.await.expect("a benchmark task panicked");
    }
}

/// Runs `TASKS` copies of `task` on async-std and waits for them all.
pub(crate) async fn async_std_tasks<F, Fut>(task: F)
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let handles: Vec<_> = (0..TASKS)
        .map(|i| async_std::task::spawn(task(i)))
        .collect();
    for handle in handles {
        handle.await;
    }
}

/// The network cases.
pub(crate) fn cases(env: &Env, mode: Mode) -> Vec<Case> {
    vec![
        get_sequential(env, mode),
        set_pipeline(env, mode),
        get_50_tasks(env, mode),
        get_50_tasks_pool(env, mode),
    ]
}

/// `GET`, one at a time, on one connection: one round trip per command.
fn get_sequential(env: &Env, mode: Mode) -> Case {
    let ops = mode.scale(20_000, 100);
    let client = ferrodis_blocking::Client::open(env.url.as_str()).expect("ferrodis client");
    let mut con = redis::Client::open(env.url.as_str())
        .and_then(|c| c.get_connection())
        .expect("redis-rs connection");
    let port = env.port();
    Case {
        id: "get-sequential",
        title: "GET, sequential, one connection".into(),
        group: Group::Network,
        unit: "GET",
        headline: Metric::OpsPerS,
        contenders: vec![
            contender("ferrodis", move || {
                timed(ops, || {
                    for _ in 0..ops {
                        let value: Option<Bytes> = client.get(KEY).expect("GET");
                        assert_eq!(value.map(|v| v.len()), Some(VALUE.len()));
                    }
                })
            }),
            contender("redis-rs", move || {
                let get = redis::cmd("GET").arg(KEY).to_owned();
                timed(ops, || {
                    for _ in 0..ops {
                        let value: Option<Vec<u8>> = get.query(&mut con).expect("GET");
                        assert_eq!(value.map(|v| v.len()), Some(VALUE.len()));
                    }
                })
            }),
            contender("redis-benchmark", move || {
                redis_benchmark(port, &["-c", "1", "-P", "1", "-t", "get"], ops)
            }),
        ],
        targets: vec![within_noise_of_redis_benchmark()],
    }
}

/// Pipelines of 100 `SET key:<i> xxx`, one after another, each waited for.
fn set_pipeline(env: &Env, mode: Mode) -> Case {
    let pipelines = mode.scale(3_000, 10);
    let ops = pipelines * PIPELINE as u64;
    let keys: Arc<Vec<String>> = Arc::new((0..PIPELINE).map(|i| format!("key:{i}")).collect());
    let client = ferrodis_blocking::Client::open(env.url.as_str()).expect("ferrodis client");
    let mut con = redis::Client::open(env.url.as_str())
        .and_then(|c| c.get_connection())
        .expect("redis-rs connection");
    let port = env.port();
    let ours = Arc::clone(&keys);
    Case {
        id: "set-pipeline-100",
        title: format!("SET, pipelines of {PIPELINE}"),
        group: Group::Network,
        unit: "SET",
        headline: Metric::OpsPerS,
        contenders: vec![
            contender("ferrodis", move || {
                timed(ops, || {
                    for _ in 0..pipelines {
                        let mut pipe = client.plain_pipeline();
                        for key in ours.iter() {
                            pipe.set(key.as_str(), VALUE);
                        }
                        let replies = pipe.execute().expect("pipeline");
                        assert_eq!(replies.len(), PIPELINE);
                    }
                })
            }),
            contender("redis-rs", move || {
                timed(ops, || {
                    for _ in 0..pipelines {
                        let mut pipe = redis::pipe();
                        for key in keys.iter() {
                            pipe.cmd("SET").arg(key.as_str()).arg(VALUE);
                        }
                        let replies: Vec<redis::Value> = pipe.query(&mut con).expect("pipeline");
                        assert_eq!(replies.len(), PIPELINE);
                    }
                })
            }),
            contender("redis-benchmark", move || {
                let p = PIPELINE.to_string();
                redis_benchmark(port, &["-c", "1", "-P", &p, "-t", "set"], ops)
            }),
        ],
        targets: vec![within_noise_of_redis_benchmark()],
    }
}

/// 50 tasks each sending `GET` in a loop through one shared connection.
fn get_50_tasks(env: &Env, mode: Mode) -> Case {
    let per_task = mode.scale(6_000, 20);
    let ops = per_task * TASKS as u64;
    let rt = Arc::clone(&env.tokio);
    let url = env.url.clone();
    // Each client is built inside the runtime it runs on (ferrodis detects it).
    let (ferrodis, redis_rs) = env.tokio_clients();
    let ferrodis_async_std = async_std::task::block_on(async {
        ferrodis_async::Client::open(url.as_str()).expect("ferrodis client")
    });
    let port = env.port();
    let rt_redis_rs = Arc::clone(&rt);
    Case {
        id: "get-50-tasks",
        title: format!("{TASKS} tasks GET on one shared connection"),
        group: Group::Network,
        unit: "GET",
        headline: Metric::OpsPerS,
        contenders: vec![
            contender("ferrodis", move || {
                timed_cpu(ops, || {
                    rt.block_on(tokio_tasks(|_| shared_gets(ferrodis.clone(), per_task)));
                })
            }),
            contender("ferrodis (async-std)", move || {
                timed_cpu(ops, || {
                    async_std::task::block_on(async_std_tasks(|_| {
                        shared_gets(ferrodis_async_std.clone(), per_task)
                    }));
                })
            }),
            contender("redis-rs", move || {
                timed_cpu(ops, || {
                    rt_redis_rs.block_on(tokio_tasks(|_| {
                        let mut con = redis_rs.clone();
                        async move {
                            let get = redis::cmd("GET").arg(KEY).to_owned();
                            for _ in 0..per_task {
                                let value: Option<Vec<u8>> =
                                    get.query_async(&mut con).await.expect("GET");
                                black_box(value);
                            }
                        }
                    }));
                })
            }),
            contender("redis-benchmark", move || {
                let p = TASKS.to_string();
                redis_benchmark(port, &["-c", "1", "-P", &p, "-t", "get"], ops)
            }),
        ],
        targets: vec![Target {
            client: "ferrodis",
            against: Against::Peer {
                peer: "redis-rs",
                factor: 1.5,
            },
            metric: Metric::OpsPerS,
            source: "issue 5",
        }],
    }
}

/// One task of `get-50-tasks`: `per_task` GETs through the client's shared connection.
async fn shared_gets(client: ferrodis_async::Client, per_task: u64) {
    for _ in 0..per_task {
        let value: Option<Bytes> = client.get(KEY).await.expect("GET");
        black_box(value);
    }
}

/// One task of `get-50-tasks-pool`: `per_task` GETs, each on a connection borrowed from
/// the client's pool.
async fn pooled_gets(client: ferrodis_async::Client, per_task: u64) {
    let get: ferrodis_commands::Cmd = ferrodis_commands::commands::get(KEY).into();
    for _ in 0..per_task {
        let mut con = client.get_connection().await.expect("borrow");
        let value: Option<Bytes> = con.query(&get).await.expect("GET");
        black_box(value);
    }
}

/// 50 tasks each borrowing a connection from a pool of 50 for every `GET`.
fn get_50_tasks_pool(env: &Env, mode: Mode) -> Case {
    let per_task = mode.scale(2_000, 20);
    let ops = per_task * TASKS as u64;
    let rt = Arc::clone(&env.tokio);
    let url = env.url.clone();
    // Each client is built inside the runtime it runs on (ferrodis detects it).
    let pooled = || {
        ferrodis_async::Client::builder(url.as_str())
            .max_size(TASKS)
            .build()
            .expect("ferrodis client")
    };
    let ferrodis = rt.block_on(async { pooled() });
    let ferrodis_async_std = async_std::task::block_on(async { pooled() });
    let port = env.port();
    Case {
        id: "get-50-tasks-pool",
        title: format!("{TASKS} tasks GET on a pool of {TASKS} connections"),
        group: Group::Network,
        unit: "GET",
        headline: Metric::OpsPerS,
        contenders: vec![
            contender("ferrodis", move || {
                timed(ops, || {
                    rt.block_on(tokio_tasks(|_| pooled_gets(ferrodis.clone(), per_task)));
                })
            }),
            contender("ferrodis (async-std)", move || {
                timed(ops, || {
                    async_std::task::block_on(async_std_tasks(|_| {
                        pooled_gets(ferrodis_async_std.clone(), per_task)
                    }));
                })
            }),
            contender("redis-benchmark", move || {
                let c = TASKS.to_string();
                redis_benchmark(port, &["-c", &c, "-P", "1", "-t", "get"], ops)
            }),
        ],
        targets: Vec::new(),
    }
}
