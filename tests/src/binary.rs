//! Finding the `redis-server` binary.

use std::env;
use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::ServerError;

/// The environment variable that names the `redis-server` binary to use, overriding the
/// search of `PATH`.
pub const BINARY_ENV: &str = "FERRODIS_REDIS_SERVER";

/// Directories searched after `PATH` (a root's `PATH` may lack them, and Debian installs
/// `redis-server` in `/usr/bin`).
const EXTRA_DIRS: [&str; 3] = ["/usr/bin", "/usr/sbin", "/usr/local/bin"];

/// Finds the `redis-server` binary.
///
/// `$FERRODIS_REDIS_SERVER` wins when it is set (and must then name an executable file);
/// otherwise `PATH` is searched, then `/usr/bin`, `/usr/sbin` and `/usr/local/bin`.
///
/// # Errors
///
/// [`ServerError::NotInstalled`], whose message says how to install `redis-server`.
pub fn redis_server_binary() -> Result<PathBuf, ServerError> {
    match env::var_os(BINARY_ENV) {
        Some(path) if !path.is_empty() => check_binary(Path::new(&path)),
        _ => search_path(env::var_os("PATH").as_deref()),
    }
}

/// Checks that `path` is an executable file, or explains how to install `redis-server`.
pub(crate) fn check_binary(path: &Path) -> Result<PathBuf, ServerError> {
    if is_executable(path) {
        Ok(path.to_path_buf())
    } else {
        Err(ServerError::NotInstalled {
            searched: vec![path.to_path_buf()],
        })
    }
}

fn search_path(path_var: Option<&OsStr>) -> Result<PathBuf, ServerError> {
    let mut searched = Vec::new();
    let dirs = path_var
        .map(|p| env::split_paths(p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(EXTRA_DIRS.iter().map(PathBuf::from));
    for dir in dirs {
        if dir.as_os_str().is_empty() {
            continue;
        }
        let candidate = dir.join("redis-server");
        if searched.contains(&candidate) {
            continue;
        }
        if is_executable(&candidate) {
            return Ok(candidate);
        }
        searched.push(candidate);
    }
    Err(ServerError::NotInstalled { searched })
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
