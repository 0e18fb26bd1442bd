//! Looking at and signalling other processes through `/proc` and `kill` (Linux only; no
//! `libc`, no `unsafe`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Fields of `/proc/<pid>/stat` after the command name: `(state, start time)`.
fn stat(pid: u32) -> Option<(char, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may itself contain spaces and parentheses.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `fields[0]` is field 3 (state); field 22 (start time, in clock ticks) is `fields[19]`.
    let state = fields.first()?.chars().next()?;
    let start = fields.get(19)?.parse().ok()?;
    Some((state, start))
}

/// Whether `pid` names a live process (not a zombie waiting to be reaped).
pub(crate) fn is_alive(pid: u32) -> bool {
    matches!(stat(pid), Some((state, _)) if state != 'Z' && state != 'X')
}

/// When `pid` started, in clock ticks after boot: with the pid, it names a process uniquely
/// (pids are reused, start times are not).
pub(crate) fn start_time(pid: u32) -> Option<u64> {
    stat(pid).map(|(_, start)| start)
}

/// Whether the live process `pid` runs `redis-server`.
pub(crate) fn is_redis_server(pid: u32) -> bool {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|cmdline| {
            cmdline
                .windows(b"redis-server".len())
                .any(|w| w == b"redis-server")
        })
        .unwrap_or(false)
        && is_alive(pid)
}

/// The working directory of `pid`, if we may read it.
pub(crate) fn cwd(pid: u32) -> Option<PathBuf> {
    fs::read_link(format!("/proc/{pid}/cwd")).ok()
}

/// Whether `a` and `b` name the same directory (after resolving symbolic links).
pub(crate) fn same_dir(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Sends `signal` (`"TERM"`, `"KILL"`, ...) to `pid` with the shell's `kill` builtin;
/// returns whether it was delivered.
pub(crate) fn signal(pid: u32, signal: &str) -> bool {
    Command::new("sh")
        .args(["-c", "kill -s \"$1\" \"$2\"", "sh", signal])
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
