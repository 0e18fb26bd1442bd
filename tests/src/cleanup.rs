//! Server directories: where they live, how they are named, and removing the ones that
//! crashed test runs left behind.
//!
//! Every server gets `<root>/<pid>-<n>`, where `<root>` is [`servers_root`], `<pid>` is the
//! test process that owns it and `<n>` counts the servers that process started. The
//! directory also holds a file `owner` with the owner's pid and start time (pids are
//! reused; a pid and a start time name one process).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;
use std::thread;
use std::time::{Duration, Instant};

use crate::error::ServerError;
use crate::procfs;

/// The name of the file, in a server directory, that names the owning test process.
pub const OWNER_FILE: &str = "owner";

/// The name of the file, in a server directory, where `redis-server` writes its pid.
pub const PID_FILE: &str = "redis.pid";

/// The directory under which every test server gets its own directory:
/// `std::env::temp_dir()/ferrodis-test-servers`.
pub fn servers_root() -> PathBuf {
    std::env::temp_dir().join("ferrodis-test-servers")
}

/// Creates a fresh directory for a server under [`servers_root`] and records this process
/// as its owner.
///
/// The first call in a process first removes what crashed runs left behind
/// ([`cleanup_stale_servers`]).
pub(crate) fn create_server_dir() -> Result<PathBuf, ServerError> {
    static FIRST_SCAN: Once = Once::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);

    let root = servers_root();
    FIRST_SCAN.call_once(|| {
        cleanup_stale_servers(&root);
    });
    fs::create_dir_all(&root)
        .map_err(|e| ServerError::io(format!("cannot create {}", root.display()), e))?;

    let pid = process::id();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = root.join(format!("{pid}-{n}"));
        match fs::create_dir(&dir) {
            Ok(()) => {
                write_owner(&dir, pid).map_err(|e| {
                    ServerError::io(format!("cannot write {}/{OWNER_FILE}", dir.display()), e)
                })?;
                return Ok(dir);
            }
            // Left by an earlier process that had our pid and is being cleaned up.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(ServerError::io(
                    format!("cannot create {}", dir.display()),
                    e,
                ))
            }
        }
    }
}

fn write_owner(dir: &Path, pid: u32) -> io::Result<()> {
    let start = procfs::start_time(pid).unwrap_or(0);
    fs::write(dir.join(OWNER_FILE), format!("{pid} {start}\n"))
}

/// The owner of a server directory, from its `owner` file or, failing that, its name.
struct Owner {
    pid: u32,
    /// `None` when the `owner` file is missing (the owner crashed right after creating the
    /// directory, or is writing the file right now).
    start_time: Option<u64>,
}

fn owner_of(dir: &Path) -> Option<Owner> {
    let name = dir.file_name()?.to_str()?;
    let (pid, n) = name.split_once('-')?;
    let pid: u32 = pid.parse().ok()?;
    let _: u64 = n.parse().ok()?;
    let recorded = fs::read_to_string(dir.join(OWNER_FILE))
        .ok()
        .and_then(|text| {
            let mut fields = text.split_whitespace();
            let pid: u32 = fields.next()?.parse().ok()?;
            let start: u64 = fields.next()?.parse().ok()?;
            Some(Owner {
                pid,
                start_time: Some(start),
            })
        });
    Some(recorded.unwrap_or(Owner {
        pid,
        start_time: None,
    }))
}

fn owner_is_alive(owner: &Owner) -> bool {
    if !procfs::is_alive(owner.pid) {
        return false;
    }
    match owner.start_time {
        // 0: the start time could not be read when the file was written.
        Some(recorded) if recorded != 0 => procfs::start_time(owner.pid) == Some(recorded),
        _ => true,
    }
}

/// Removes the server directories under `root` whose owning test process is gone (a test
/// run that crashed or was killed), after killing the `redis-server` each one records in
/// its `redis.pid`.
///
/// A directory is only touched if its name has the form `<pid>-<n>`; its owner is gone if
/// `/proc/<pid>` is absent (or a zombie, or a different process that reused the pid). The
/// recorded `redis-server` is killed only if `/proc/<pid>/cmdline` contains `redis-server`
/// and its working directory is that directory, so an unrelated process that reused the
/// pid is never touched.
///
/// Returns the directories removed. Errors are ignored: this is best-effort tidying, and a
/// directory that cannot be removed now is tried again by the next run.
pub fn cleanup_stale_servers(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let dir = entry.path();
        if !entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            continue;
        }
        let Some(owner) = owner_of(&dir) else {
            continue;
        };
        if owner_is_alive(&owner) {
            continue;
        }
        kill_recorded_server(&dir);
        if fs::remove_dir_all(&dir).is_ok() {
            removed.push(dir);
        }
    }
    removed
}

/// Kills the `redis-server` recorded in `dir/redis.pid`, if it still runs in `dir`.
fn kill_recorded_server(dir: &Path) {
    let Some(pid) = fs::read_to_string(dir.join(PID_FILE))
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
    else {
        return;
    };
    if !procfs::is_redis_server(pid) {
        return;
    }
    match procfs::cwd(pid) {
        Some(cwd) if procfs::same_dir(&cwd, dir) => {}
        _ => return,
    }
    procfs::signal(pid, "KILL");
    let deadline = Instant::now() + Duration::from_secs(2);
    while procfs::is_alive(pid) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
}
