//! Tests of the test support itself: starting, stopping, restarting and cleaning up real
//! `redis-server` processes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use ferrodis::resp::{Decoder, Value};
use ferrodis_tests::{
    cleanup_stale_servers, raw_roundtrip, redis_server_binary, servers_root, shared_server,
    RedisServer, ServerError, OWNER_FILE, PID_FILE,
};

/// Sends a raw PING and expects `+PONG`.
fn assert_pong(stream: &mut (impl Read + Write)) {
    stream.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
    let mut reply = [0; 7];
    stream.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"+PONG\r\n");
}

fn process_exists(pid: u32) -> bool {
    // A zombie is not running any more; the watchdog reaps redis-server right away, but
    // a process re-parented to an init that does not reap would stay a zombie.
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat[stat.rfind(')').unwrap() + 1..]
                .split_whitespace()
                .next();
            state != Some("Z")
        }
        Err(_) => false,
    }
}

/// Waits up to `timeout` for `condition`.
fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// The pid of a process that has exited (and been reaped).
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    assert!(!process_exists(pid));
    pid
}

/// A child process killed (and reaped) when dropped, even if the test panics.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A scratch root for cleanup tests, so they never touch other tests' servers.
fn scratch_root(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!(
        "ferrodis-tests-scratch-{}-{name}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();
    root
}

#[test]
fn server_starts_and_answers_ping() {
    let server = RedisServer::start().unwrap();
    assert_ne!(server.port(), 6379);
    assert_eq!(server.host(), "127.0.0.1");
    assert_eq!(
        server.addr().to_string(),
        format!("127.0.0.1:{}", server.port())
    );
    assert_eq!(server.url(), format!("redis://127.0.0.1:{}", server.port()));
    assert!(server.is_running());
    assert!(process_exists(server.pid()));
    assert_eq!(server.unix_socket_path(), None);

    // Its own directory, named after this process, with the redis files in it.
    assert!(server.dir().starts_with(servers_root()));
    let name = server.dir().file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with(&format!("{}-", std::process::id())),
        "{name}"
    );
    assert!(server.dir().join(OWNER_FILE).is_file());
    let recorded: u32 = fs::read_to_string(server.dir().join(PID_FILE))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(recorded, server.pid());
    assert!(server.log_tail(50).contains("Ready to accept connections"));

    let mut stream = server.connect().unwrap();
    assert_pong(&mut stream);
    // Bound to loopback only.
    assert!(stream.peer_addr().unwrap().ip().is_loopback());
}

#[test]
fn stop_frees_the_port_and_is_idempotent() {
    let mut server = RedisServer::start().unwrap();
    let pid = server.pid();
    let addr = server.addr();
    server.stop();
    assert!(!server.is_running());
    assert!(!process_exists(pid), "redis-server {pid} still runs");
    assert!(TcpStream::connect(addr).is_err(), "{addr} still accepts");
    // The directory stays for a restart.
    assert!(server.dir().is_dir());
    server.stop();
    assert!(!server.is_running());
}

#[test]
fn drop_stops_the_process_and_removes_the_dir() {
    let server = RedisServer::start().unwrap();
    let pid = server.pid();
    let dir = server.dir().to_path_buf();
    let addr = server.addr();
    assert!(dir.is_dir());
    drop(server);
    assert!(!process_exists(pid), "redis-server {pid} still runs");
    assert!(!dir.exists(), "{} still exists", dir.display());
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn restart_keeps_the_port_and_the_dir() {
    let mut server = RedisServer::builder()
        .arg("--maxmemory", "10mb")
        .start()
        .unwrap();
    let (port, dir, old_pid) = (server.port(), server.dir().to_path_buf(), server.pid());
    server.restart().unwrap();
    assert_eq!(server.port(), port);
    assert_eq!(server.dir(), dir);
    assert_ne!(server.pid(), old_pid);
    assert!(!process_exists(old_pid));
    assert!(server.is_running());
    let mut stream = server.connect().unwrap();
    assert_pong(&mut stream);
    // Same arguments.
    let reply = raw_roundtrip(
        &mut stream,
        &mut Decoder::new(),
        &mut BytesMut::new(),
        &[b"CONFIG", b"GET", b"maxmemory"],
    )
    .unwrap();
    assert_eq!(
        reply,
        Value::Array(vec![
            Value::BulkString("maxmemory".into()),
            Value::BulkString("10485760".into()),
        ])
    );

    // Restarting a stopped server works too.
    server.stop();
    server.restart().unwrap();
    assert_eq!(server.port(), port);
    assert_pong(&mut server.connect().unwrap());
}

#[test]
fn unix_socket_answers_ping() {
    let server = RedisServer::builder().unix_socket().start().unwrap();
    let path = server.unix_socket_path().unwrap();
    assert_eq!(path, server.dir().join("redis.sock"));
    let mut stream = UnixStream::connect(path).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert_pong(&mut stream);
}

#[test]
fn missing_binary_is_not_installed() {
    let err = RedisServer::builder()
        .binary("/nonexistent/redis-server")
        .start()
        .unwrap_err();
    assert!(matches!(err, ServerError::NotInstalled { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("apt-get install redis-server"),
        "{message}"
    );
    assert!(message.contains("FERRODIS_REDIS_SERVER"), "{message}");
    assert!(message.contains("/nonexistent/redis-server"), "{message}");
}

#[test]
fn binary_is_found() {
    let binary = redis_server_binary().unwrap();
    assert!(
        binary.ends_with("redis-server") || std::env::var_os("FERRODIS_REDIS_SERVER").is_some()
    );
}

#[test]
fn bad_argument_fails_with_the_log() {
    let err = RedisServer::builder()
        .arg("--no-such-directive", "1")
        .start()
        .unwrap_err();
    assert!(matches!(err, ServerError::Exited { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("no-such-directive"), "{message}");
}

#[test]
fn not_ready_in_time_is_an_error_and_stops_the_server() {
    let err = RedisServer::builder()
        .startup_timeout(Duration::ZERO)
        .start()
        .unwrap_err();
    let ServerError::NotReady { port, .. } = err else {
        panic!("expected NotReady, got {err:?}");
    };
    assert_ne!(port, 6379);
    // Whatever was started is stopped again.
    assert!(eventually(Duration::from_secs(5), || TcpStream::connect((
        "127.0.0.1",
        port
    ))
    .is_err()));
}

#[test]
fn stale_cleanup_removes_dirs_of_dead_owners() {
    let root = scratch_root("dead-owners");
    let own = std::process::id();
    let dead = dead_pid();

    // Owner gone: removed, whatever it holds (its redis.pid names a dead process too).
    let stale = root.join(format!("{dead}-0"));
    fs::create_dir(&stale).unwrap();
    fs::write(stale.join(OWNER_FILE), format!("{dead} 12345\n")).unwrap();
    fs::write(stale.join(PID_FILE), format!("{}\n", dead_pid())).unwrap();
    fs::write(stale.join("redis.log"), "a log\n").unwrap();
    // Owner gone, no owner file: the pid of the name decides.
    let stale_unnamed = root.join(format!("{dead}-1"));
    fs::create_dir(&stale_unnamed).unwrap();
    // Our pid, but another start time: a process that had our pid before us.
    let reused = root.join(format!("{own}-7"));
    fs::create_dir(&reused).unwrap();
    fs::write(reused.join(OWNER_FILE), format!("{own} 1\n")).unwrap();
    // Ours (a live owner without an owner file yet): kept.
    let live = root.join(format!("{own}-8"));
    fs::create_dir(&live).unwrap();
    // Not a server directory: kept.
    let other = root.join("not-a-server-dir");
    fs::create_dir(&other).unwrap();

    let mut removed = cleanup_stale_servers(&root);
    removed.sort();
    let mut expected = vec![stale.clone(), stale_unnamed.clone(), reused.clone()];
    expected.sort();
    assert_eq!(removed, expected);
    assert!(!stale.exists() && !stale_unnamed.exists() && !reused.exists());
    assert!(live.is_dir() && other.is_dir());
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn stale_cleanup_kills_an_orphaned_server() {
    let root = scratch_root("orphan");
    let dead = dead_pid();
    let dir = root.join(format!("{dead}-0"));
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join(OWNER_FILE), format!("{dead} 12345\n")).unwrap();

    // A redis-server started without a watchdog, as if its owner and watchdog had both
    // been killed.
    let port = ferrodis_tests::free_port().unwrap();
    let mut orphan = KillOnDrop(
        Command::new(redis_server_binary().unwrap())
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--logfile", "redis.log"])
            .arg("--dir")
            .arg(&dir)
            .arg("--pidfile")
            .arg(dir.join(PID_FILE))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let recorded = || {
        fs::read_to_string(dir.join(PID_FILE))
            .ok()
            .and_then(|pid| pid.trim().parse::<u32>().ok())
    };
    let ready = eventually(Duration::from_secs(10), || {
        recorded() == Some(orphan.0.id())
            && TcpStream::connect(("127.0.0.1", port))
                .map(|mut s| {
                    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
                    assert_pong(&mut s);
                })
                .is_ok()
    });
    assert!(ready, "the orphan did not start");
    assert!(orphan.0.try_wait().unwrap().is_none(), "the orphan exited");

    let removed = cleanup_stale_servers(&root);
    assert_eq!(removed, vec![dir.clone()]);
    assert!(
        eventually(Duration::from_secs(5), || orphan
            .0
            .try_wait()
            .unwrap()
            .is_some()),
        "the cleanup did not kill the orphaned redis-server"
    );
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn stale_cleanup_spares_a_server_running_elsewhere() {
    // A stale directory whose redis.pid names a live redis-server that runs in another
    // directory (a reused pid, say): the directory goes, the server stays.
    let root = scratch_root("elsewhere");
    let server = RedisServer::start().unwrap();
    let dead = dead_pid();
    let dir = root.join(format!("{dead}-0"));
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join(PID_FILE), format!("{}\n", server.pid())).unwrap();

    assert_eq!(cleanup_stale_servers(&root), vec![dir]);
    assert!(server.is_running());
    assert_pong(&mut server.connect().unwrap());
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn shared_server_is_one_instance() {
    let a = shared_server();
    let b = shared_server();
    assert!(std::ptr::eq(a, b));
    assert_eq!(a.port(), b.port());
    assert!(a.is_running());
    assert_pong(&mut a.connect().unwrap());
}

/// The environment variable that turns [`helper_owner_to_be_killed`] on.
const HELPER_ENV: &str = "FERRODIS_TESTS_HELPER_OWNER";

/// Not a test: the child process of [`watchdog_stops_the_server_when_its_owner_is_killed`].
/// It starts a server, prints its pid and directory, and waits to be killed.
#[test]
fn helper_owner_to_be_killed() {
    if std::env::var_os(HELPER_ENV).is_none() {
        return;
    }
    let server = RedisServer::start().unwrap();
    println!("SERVER {} {}", server.pid(), server.dir().display());
    std::io::stdout().flush().unwrap();
    // Also the shared server, which is never dropped.
    let shared = shared_server();
    println!("SHARED {} {}", shared.pid(), shared.dir().display());
    std::io::stdout().flush().unwrap();
    thread::sleep(Duration::from_secs(60));
    panic!("the helper was not killed");
}

#[test]
fn watchdog_stops_the_server_when_its_owner_is_killed() {
    let mut owner = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "helper_owner_to_be_killed", "--nocapture"])
        .args(["--test-threads", "1"])
        .env(HELPER_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(owner.stdout.take().unwrap()).lines();
    let mut servers: Vec<(u32, PathBuf)> = Vec::new();
    while servers.len() < 2 {
        let Some(line) = lines.next() else {
            break;
        };
        let line = line.unwrap();
        // libtest may print "test helper_owner_to_be_killed ... " on the same line.
        let Some(start) = line.find("SERVER ").or_else(|| line.find("SHARED ")) else {
            continue;
        };
        let mut fields = line[start..].splitn(3, ' ').skip(1);
        if let (Some(pid), Some(dir)) = (fields.next(), fields.next()) {
            servers.push((pid.parse().unwrap(), PathBuf::from(dir)));
        }
    }
    // SIGKILL: no destructor runs in the owner.
    owner.kill().unwrap();
    owner.wait().unwrap();
    assert_eq!(servers.len(), 2, "the helper did not start its servers");
    for (pid, dir) in &servers {
        assert!(
            eventually(Duration::from_secs(15), || !process_exists(*pid)),
            "redis-server {pid} survived its owner"
        );
        assert!(
            eventually(Duration::from_secs(15), || !dir.exists()),
            "{} survived its owner",
            dir.display()
        );
    }
}
