//! The watchdog: a tiny shell that runs `redis-server` and kills it when the test process
//! goes away, however it goes away.
//!
//! The test process holds the only write end of the watchdog's stdin. The watchdog reads a
//! line from it:
//! - a line (`stop`) means "stop the server": the test process is stopping it (`stop()`,
//!   `restart()`, `Drop`) and takes care of the directory itself;
//! - end of file means the test process is gone, or is exiting with the server still up
//!   (the shared server is a `static`, never dropped): the watchdog kills the server and
//!   removes its directory.
//!
//! The watchdog itself exits as soon as `redis-server` exits, so the test process learns
//! of an early exit (a port already in use, a bad argument) with `try_wait`.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::error::ServerError;
use crate::procfs;

/// The name of the file, in the server directory, that gets whatever `redis-server` prints
/// (before it opens its log file: bad arguments, for one).
pub(crate) const STDOUT_FILE: &str = "redis.stdout";

/// The name of the file, in the server directory, that gets the watchdog's own errors.
pub(crate) const WATCHDOG_LOG: &str = "watchdog.log";

/// `sh -c SCRIPT sh <dir> <redis-server> <args...>`.
const SCRIPT: &str = r#"
dir=$1
bin=$2
shift 2
"$bin" "$@" >>"$dir/redis.stdout" 2>&1 &
pid=$!
echo "$pid"
exec >/dev/null
exec 3<&0
(
    if read -r _line <&3; then
        kill -TERM "$pid" 2>/dev/null
    else
        : >"$dir/owner-gone"
        kill -TERM "$pid" 2>/dev/null
        i=0
        while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
            sleep 0.05
            i=$((i + 1))
        done
        kill -KILL "$pid" 2>/dev/null
        rm -rf "$dir"
    fi
) &
watcher=$!
wait "$pid"
status=$?
if [ -e "$dir/owner-gone" ]; then
    wait "$watcher"
else
    kill "$watcher" 2>/dev/null
fi
exit "$status"
"#;

/// A running watchdog and the `redis-server` it runs.
#[derive(Debug)]
pub(crate) struct Watchdog {
    child: Child,
    /// The write end of the watchdog's stdin; dropping it (or the process dying) is the
    /// signal to kill the server.
    control: Option<ChildStdin>,
    redis_pid: u32,
}

impl Watchdog {
    /// Starts `binary args...` in `dir` under a watchdog.
    pub(crate) fn spawn(binary: &Path, dir: &Path, args: &[OsString]) -> Result<Self, ServerError> {
        let spawn_error = |source| ServerError::Spawn {
            binary: binary.to_path_buf(),
            source,
        };
        let stderr = open_append(&dir.join(WATCHDOG_LOG)).map_err(spawn_error)?;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(SCRIPT)
            .arg("sh")
            .arg(dir)
            .arg(binary)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(spawn_error)?;
        let control = child.stdin.take();
        let pid_line = child.stdout.take().map(|stdout| {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        });
        let redis_pid = match pid_line {
            Some(Ok(line)) => line.trim().parse::<u32>().ok(),
            _ => None,
        };
        let mut watchdog = Self {
            child,
            control,
            redis_pid: redis_pid.unwrap_or(0),
        };
        if redis_pid.is_none() {
            watchdog.stop(Duration::from_secs(5));
            return Err(spawn_error(std::io::Error::other(
                "the watchdog shell did not report the pid of redis-server",
            )));
        }
        Ok(watchdog)
    }

    /// The pid of `redis-server`.
    pub(crate) fn redis_pid(&self) -> u32 {
        self.redis_pid
    }

    /// The exit status of the watchdog (that of `redis-server`) if it has exited.
    pub(crate) fn try_exit(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops `redis-server` and reaps the watchdog, killing both if they do not go within
    /// `timeout`. The server directory is left alone.
    pub(crate) fn stop(&mut self, timeout: Duration) {
        if let Some(mut control) = self.control.take() {
            // Fails if the watchdog is already gone: nothing left to stop then.
            let _ = control.write_all(b"stop\n");
            let _ = control.flush();
        }
        let deadline = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
                _ => break,
            }
        }
        // Overdue (or `try_wait` failed): kill both the server and the watchdog.
        if self.redis_pid != 0 && procfs::is_redis_server(self.redis_pid) {
            procfs::signal(self.redis_pid, "KILL");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if self.control.is_some() {
            self.stop(Duration::from_secs(10));
        }
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}
