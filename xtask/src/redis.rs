//! Making sure a `redis-server` binary is available, installing it where we safely can.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{Error, Result};

/// The environment variable that names the redis-server binary to use.
pub(crate) const ENV: &str = ferrodis_tests::BINARY_ENV;

const INSTALL_HINT: &str = "\
redis-server was not found (looked in $FERRODIS_REDIS_SERVER, PATH, /usr/bin, /usr/sbin).
The integration tests, the demo and CI start throwaway redis-server processes; install it:
    Debian/Ubuntu:   sudo apt-get install redis-server
    Fedora/RHEL:     sudo dnf install redis        (or valkey, which provides redis-server)
    Arch Linux:      sudo pacman -S redis          (or valkey)
    macOS:           brew install redis
    elsewhere:       the package that provides redis-server 7.x (https://redis.io/downloads)
or point FERRODIS_REDIS_SERVER at a redis-server binary.";

/// Finds redis-server, installing it with apt-get when we are root on Debian/Ubuntu.
///
/// Prints which binary (and version) will be used. Errors with installation instructions
/// when it is missing and we cannot install it.
pub(crate) fn ensure_redis_server() -> Result<PathBuf> {
    let path = match find()? {
        Some(path) => path,
        None if can_apt_install() => {
            eprintln!(
                "xtask: redis-server not found; installing it with apt-get (running as root)"
            );
            apt_install()?;
            find()?.ok_or_else(|| {
                Error::Failed(format!(
                    "apt-get installed redis-server, but it is still not found\n{INSTALL_HINT}"
                ))
            })?
        }
        None => return Err(Error::Failed(INSTALL_HINT.to_owned())),
    };
    let version = Command::new(&path)
        .arg("--version")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    match version {
        Some(version) => {
            eprintln!("xtask: using {} ({version})", path.display());
            if let Some(major) = major_version(&version).filter(|&major| major < 7) {
                eprintln!(
                    "xtask: warning: redis-server {major}.x is older than the 7.x the tests \
                     expect; RESP3 and newer commands may fail"
                );
            }
        }
        None => eprintln!(
            "xtask: using {} (`--version` did not answer)",
            path.display()
        ),
    }
    Ok(path)
}

/// Where the test support finds redis-server: `$FERRODIS_REDIS_SERVER` if set (it must
/// then exist), else `PATH`, /usr/bin, /usr/sbin, /usr/local/bin.
fn find() -> Result<Option<PathBuf>> {
    match ferrodis_tests::redis_server_binary() {
        Ok(path) => Ok(Some(path)),
        Err(_) if std::env::var_os(ENV).is_some_and(|path| !path.is_empty()) => {
            Err(Error::Failed(format!(
                "{ENV}={} is not an executable file; fix or unset it",
                std::env::var_os(ENV).unwrap_or_default().to_string_lossy()
            )))
        }
        Err(_) => Ok(None),
    }
}

/// The first executable `name` on `PATH`.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|path| is_executable(path))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// The Debian package of hiredis, the C parser `cargo xtask bench` compares with.
const HIREDIS_PACKAGE: &str = "libhiredis0.14";

/// Makes hiredis available to the benchmark if we can: installs it with apt-get when it
/// is missing and we are root on Debian/Ubuntu. The benchmark runs without it (its
/// hiredis rows then say what to install), so this never fails the run.
pub(crate) fn ensure_hiredis() {
    if has_hiredis() {
        return;
    }
    if can_apt_install() {
        eprintln!(
            "xtask: hiredis not found; installing {HIREDIS_PACKAGE} with apt-get (running as root)"
        );
        if let Err(e) = apt_install_package(HIREDIS_PACKAGE) {
            eprintln!("xtask: warning: {e}; the benchmark's hiredis rows will be unavailable");
        }
    } else {
        eprintln!(
            "xtask: hiredis not found; to compare the parser with it: \
             sudo apt-get install {HIREDIS_PACKAGE} (Debian/Ubuntu)"
        );
    }
}

/// Whether the dynamic linker knows a libhiredis.
fn has_hiredis() -> bool {
    Command::new("ldconfig")
        .arg("-p")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("libhiredis.so"))
        .unwrap_or(false)
}

/// Root, on Debian or Ubuntu, with apt-get at hand.
fn can_apt_install() -> bool {
    is_root() && Path::new("/etc/debian_version").exists() && which("apt-get").is_some()
}

/// Whether the effective user id is 0: from /proc/self/status, else from `id -u`.
fn is_root() -> bool {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        // "Uid:\t<real>\t<effective>\t<saved>\t<fs>"
        if let Some(line) = status.lines().find(|line| line.starts_with("Uid:")) {
            return line.split_whitespace().nth(2) == Some("0");
        }
    }
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| out.status.success() && out.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

fn apt_install() -> Result<()> {
    apt_install_package("redis-server")
}

/// `apt-get update` then `apt-get install -y <package>`.
fn apt_install_package(package: &str) -> Result<()> {
    let steps: [&[&str]; 2] = [&["update"], &["install", "-y", package]];
    for args in steps {
        let mut command = Command::new("apt-get");
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        eprintln!("$ apt-get {}", args.join(" "));
        let status = crate::util::status(&mut command)?;
        if !status.success() {
            return Err(Error::Failed(format!(
                "`apt-get {}` failed ({status})",
                args.join(" ")
            )));
        }
    }
    Ok(())
}

/// The major version from `redis-server --version` ("Redis server v=7.0.15 sha=...").
fn major_version(version: &str) -> Option<u32> {
    let v = version
        .split_whitespace()
        .find_map(|word| word.strip_prefix("v="))?;
    v.split('.').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::major_version;

    #[test]
    fn parses_the_major_version() {
        assert_eq!(
            major_version("Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64"),
            Some(7)
        );
        assert_eq!(major_version("Redis server v=6.2.6 sha=0"), Some(6));
        assert_eq!(major_version("Valkey server v=8.0.1 sha=0"), Some(8));
        assert_eq!(major_version("something else"), None);
    }
}
