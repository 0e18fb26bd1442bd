//! [`RedisServer`], a real `redis-server` process owned by a test, and its
//! [`ServerBuilder`].

use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::binary::{check_binary, redis_server_binary};
use crate::cleanup::{create_server_dir, PID_FILE};
use crate::error::ServerError;
use crate::ports::free_port;
use crate::procfs;
use crate::tls::TlsFiles;
use crate::watchdog::{Watchdog, STDOUT_FILE, WATCHDOG_LOG};

/// The host every test server listens on.
pub const HOST: &str = "127.0.0.1";

/// The name of the log file in a server directory.
pub const LOG_FILE: &str = "redis.log";

/// The name of the unix socket in a server directory (see [`ServerBuilder::unix_socket`]).
pub const SOCKET_FILE: &str = "redis.sock";

/// How many ports [`ServerBuilder::start`] tries when other processes keep taking them.
const PORT_ATTEMPTS: usize = 5;

/// How long [`ServerBuilder::start`] waits for `PING` by default.
const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// How long stopping a server may take before it is killed outright.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// How many log lines an error carries.
const ERROR_LOG_LINES: usize = 30;

/// A real `redis-server` process, listening on a free port of `127.0.0.1`, with its own
/// directory under [`servers_root`](crate::servers_root).
///
/// It is always stopped: by [`Drop`] (which also removes its directory) and, should the
/// test process crash or be killed, by the watchdog shell that runs it; directories left
/// by killed runs are removed by the next run.
///
/// Start one with [`RedisServer::builder`], or share one per test binary with
/// [`shared_server`](crate::shared_server).
#[derive(Debug)]
pub struct RedisServer {
    binary: PathBuf,
    /// Everything after the binary: our own arguments, then the caller's.
    args: Vec<OsString>,
    port: u16,
    dir: PathBuf,
    unix_socket: Option<PathBuf>,
    /// The certificates, for a TLS server (which then listens on TLS only).
    tls: Option<TlsFiles>,
    startup_timeout: Duration,
    pid: u32,
    watchdog: Option<Watchdog>,
    /// Whether [`Drop`] removes the directory (not while `start` still tries ports in it).
    owns_dir: bool,
}

/// Configures and starts a private [`RedisServer`]; see [`RedisServer::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct ServerBuilder {
    binary: Option<PathBuf>,
    args: Vec<OsString>,
    unix_socket: bool,
    tls: Option<TlsClientAuth>,
    startup_timeout: Duration,
}

/// Whether a TLS test server requires clients to present a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsClientAuth {
    No,
    Required,
}

impl ServerBuilder {
    fn new() -> Self {
        Self {
            binary: None,
            args: Vec::new(),
            unix_socket: false,
            tls: None,
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
        }
    }

    /// Runs this binary instead of the one [`redis_server_binary`] finds (and
    /// `$FERRODIS_REDIS_SERVER` names); starting fails with
    /// [`ServerError::NotInstalled`] if it is not an executable file.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Passes a configuration directive on the command line: `.arg("--maxmemory", "10mb")`.
    ///
    /// Later directives override earlier ones, including the builder's own (`--save`,
    /// `--appendonly`); the port, bind address and directory must not be overridden.
    pub fn arg(mut self, name: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.args.push(name.into());
        self.args.push(value.into());
        self
    }

    /// Passes raw command-line arguments, as they are.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Enables the `DEBUG` command (`--enable-debug-command yes`, Redis 7 and later).
    pub fn enable_debug_command(self) -> Self {
        self.arg("--enable-debug-command", "yes")
    }

    /// Also listens on a unix socket, `<dir>/redis.sock`, with permissions 700; see
    /// [`RedisServer::unix_socket_path`].
    pub fn unix_socket(mut self) -> Self {
        self.unix_socket = true;
        self
    }

    /// Serves TLS only (`--port 0 --tls-port <port>`), with certificates generated for
    /// this server ([`TlsFiles`]: a CA, and a server certificate for `127.0.0.1` and
    /// `localhost` signed by it), not asking clients for a certificate
    /// (`--tls-auth-clients no`). [`RedisServer::port`] is then the TLS port,
    /// [`RedisServer::url`] a `rediss://` URL, and [`RedisServer::tls_files`] says where
    /// the certificates are. Needs a `redis-server` built with TLS (Debian's is), and the
    /// `tls` feature of this crate (without it, `start` fails saying so).
    pub fn tls(mut self) -> Self {
        self.tls = Some(TlsClientAuth::No);
        self
    }

    /// As [`tls`](Self::tls), but clients must present a certificate signed by the test
    /// CA (`--tls-auth-clients yes`); [`TlsFiles::client_cert`] is one.
    pub fn tls_require_client_cert(mut self) -> Self {
        self.tls = Some(TlsClientAuth::Required);
        self
    }

    /// Adds an ACL user with this password, allowed every command, key and channel
    /// (`--user <name> on ><password> ~* &* +@all`). The `default` user is left as it is
    /// (no password), so the server still answers the readiness `PING`.
    pub fn acl_user(self, name: &str, password: &str) -> Self {
        self.args([
            "--user".to_owned(),
            name.to_owned(),
            "on".to_owned(),
            format!(">{password}"),
            "~*".to_owned(),
            "&*".to_owned(),
            "+@all".to_owned(),
        ])
    }

    /// How long to wait for the server to answer `PING` (10 seconds by default).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Starts the server and waits until it answers `PING`.
    ///
    /// # Errors
    ///
    /// [`ServerError::NotInstalled`] without a `redis-server`; [`ServerError::Exited`]
    /// or [`ServerError::NotReady`] (with the end of its log) if it does not come up;
    /// [`ServerError::PortsExhausted`] if other processes took every free port found
    /// before `redis-server` could bind it.
    pub fn start(self) -> Result<RedisServer, ServerError> {
        let binary = match &self.binary {
            Some(path) => check_binary(path)?,
            None => redis_server_binary()?,
        };
        let dir = create_server_dir()?;
        let result = self.start_in(binary, &dir);
        if result.is_err() {
            let _ = fs::remove_dir_all(&dir);
        }
        result
    }

    fn start_in(self, binary: PathBuf, dir: &Path) -> Result<RedisServer, ServerError> {
        let unix_socket = self.unix_socket.then(|| dir.join(SOCKET_FILE));
        let tls = match self.tls {
            Some(_) => Some(TlsFiles::generate(dir)?),
            None => None,
        };
        let mut last_log = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()
                .map_err(|e| ServerError::io("cannot find a free port on 127.0.0.1", e))?;
            let mut args: Vec<OsString> = match (&tls, self.tls) {
                (Some(files), Some(auth)) => vec![
                    "--port".into(),
                    "0".into(),
                    "--tls-port".into(),
                    port.to_string().into(),
                    "--tls-cert-file".into(),
                    files.server_cert.clone().into(),
                    "--tls-key-file".into(),
                    files.server_key.clone().into(),
                    "--tls-ca-cert-file".into(),
                    files.ca_cert.clone().into(),
                    "--tls-auth-clients".into(),
                    match auth {
                        TlsClientAuth::No => "no".into(),
                        TlsClientAuth::Required => "yes".into(),
                    },
                ],
                _ => vec!["--port".into(), port.to_string().into()],
            };
            args.extend([
                "--bind".into(),
                HOST.into(),
                "--dir".into(),
                dir.into(),
                "--save".into(),
                "".into(),
                "--appendonly".into(),
                "no".into(),
                "--daemonize".into(),
                "no".into(),
                "--logfile".into(),
                dir.join(LOG_FILE).into(),
                "--pidfile".into(),
                dir.join(PID_FILE).into(),
            ]);
            if let Some(socket) = &unix_socket {
                args.extend([
                    "--unixsocket".into(),
                    socket.into(),
                    "--unixsocketperm".into(),
                    "700".into(),
                ]);
            }
            args.extend(self.args.iter().cloned());
            let mut server = RedisServer {
                binary: binary.clone(),
                args,
                port,
                dir: dir.to_path_buf(),
                unix_socket: unix_socket.clone(),
                tls: tls.clone(),
                startup_timeout: self.startup_timeout,
                pid: 0,
                watchdog: None,
                owns_dir: false,
            };
            match server.launch() {
                Ok(()) => {
                    server.owns_dir = true;
                    return Ok(server);
                }
                Err(ServerError::Exited { log_tail, .. })
                    if log_tail.contains("Address already in use") =>
                {
                    last_log = log_tail;
                    // Start afresh on another port, with empty logs.
                    drop(server);
                    for file in [LOG_FILE, STDOUT_FILE, WATCHDOG_LOG, PID_FILE] {
                        let _ = fs::remove_file(dir.join(file));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(ServerError::PortsExhausted {
            attempts: PORT_ATTEMPTS,
            log_tail: last_log,
        })
    }
}

impl RedisServer {
    /// A builder for a private server, for tests that restart or reconfigure it.
    ///
    /// ```no_run
    /// use ferrodis_tests::RedisServer;
    ///
    /// let server = RedisServer::builder()
    ///     .arg("--maxmemory", "10mb")
    ///     .enable_debug_command()
    ///     .start()?;
    /// println!("listening on {}", server.url());
    /// # Ok::<(), ferrodis_tests::ServerError>(())
    /// ```
    pub fn builder() -> ServerBuilder {
        ServerBuilder::new()
    }

    /// Starts a private server with the default configuration.
    ///
    /// # Errors
    ///
    /// As [`ServerBuilder::start`].
    pub fn start() -> Result<Self, ServerError> {
        Self::builder().start()
    }

    /// The TCP port it listens on (never 6379).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The host it listens on: `"127.0.0.1"`.
    pub fn host(&self) -> &'static str {
        HOST
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// `redis://127.0.0.1:<port>`, or `rediss://127.0.0.1:<port>` for a TLS server (whose
    /// certificate a client verifies with [`TlsFiles::ca_cert`]).
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        format!("{scheme}://{HOST}:{}", self.port)
    }

    /// The certificates of a TLS server (see [`ServerBuilder::tls`]).
    pub fn tls_files(&self) -> Option<&TlsFiles> {
        self.tls.as_ref()
    }

    /// The unix socket it also listens on, if built with [`ServerBuilder::unix_socket`].
    pub fn unix_socket_path(&self) -> Option<&Path> {
        self.unix_socket.as_deref()
    }

    /// Its directory (its working directory, `--dir`, and where its log is).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The pid of the `redis-server` process most recently started (it may have been
    /// stopped since; see [`is_running`](Self::is_running)).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Whether the server process is running (it may still be starting, or shutting down).
    pub fn is_running(&self) -> bool {
        self.watchdog.is_some() && procfs::is_alive(self.pid)
    }

    /// Opens a TCP connection to it, with `TCP_NODELAY` and 10-second read and write
    /// timeouts, so that a test waiting for a reply that never comes fails instead of
    /// hanging. (A TLS server needs a TLS client on top of it.)
    ///
    /// # Errors
    ///
    /// The error of `connect` (the server is stopped, say).
    pub fn connect(&self) -> io::Result<TcpStream> {
        let stream = TcpStream::connect(self.addr())?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_write_timeout(Some(Duration::from_secs(10)))?;
        Ok(stream)
    }

    /// The last `lines` lines of its log file (empty if there is none yet).
    pub fn log_tail(&self, lines: usize) -> String {
        file_tail(&self.dir.join(LOG_FILE), lines)
    }

    /// Stops the server (`SIGTERM`, then `SIGKILL` after 10 seconds) and waits for it to
    /// exit. Its directory stays, for [`restart`](Self::restart). Stopping a stopped
    /// server does nothing.
    pub fn stop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            watchdog.stop(STOP_TIMEOUT);
        }
    }

    /// Stops the server if it runs, and starts it again with the same port, directory and
    /// arguments; waits until it answers `PING`.
    ///
    /// # Errors
    ///
    /// As [`ServerBuilder::start`] (another process may have taken the port meanwhile:
    /// there is no retry on another port here).
    pub fn restart(&mut self) -> Result<(), ServerError> {
        self.stop();
        self.launch()
    }

    /// Spawns the server under its watchdog and waits for `PING`; on failure, the server
    /// is stopped and the error says why.
    fn launch(&mut self) -> Result<(), ServerError> {
        let watchdog = Watchdog::spawn(&self.binary, &self.dir, &self.args)?;
        self.pid = watchdog.redis_pid();
        self.watchdog = Some(watchdog);
        let result = self.wait_ready();
        if result.is_err() {
            self.stop();
        }
        result
    }

    fn wait_ready(&mut self) -> Result<(), ServerError> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.watchdog.as_mut().and_then(Watchdog::try_exit) {
                self.watchdog = None;
                return Err(ServerError::Exited {
                    port: self.port,
                    code: status.code(),
                    log_tail: self.failure_log(),
                });
            }
            if probe(self.addr(), self.pid, self.tls.as_ref()) {
                return Ok(());
            }
            let waited = started.elapsed();
            if waited >= self.startup_timeout {
                return Err(ServerError::NotReady {
                    port: self.port,
                    waited,
                    log_tail: self.failure_log(),
                });
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The end of the log, and of whatever the server and its watchdog printed.
    fn failure_log(&self) -> String {
        let mut text = file_tail(&self.dir.join(LOG_FILE), ERROR_LOG_LINES);
        for (file, label) in [
            (STDOUT_FILE, "redis-server printed"),
            (WATCHDOG_LOG, "the watchdog printed"),
        ] {
            let tail = file_tail(&self.dir.join(file), ERROR_LOG_LINES);
            let tail = tail.trim_start_matches(['\r', '\n']);
            if !tail.trim().is_empty() {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&format!("[{label}]\n{tail}"));
            }
        }
        text
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        if self.owns_dir {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Whether the server at `addr` answers `PING` and is the process `pid` (not another
/// server that took the port before ours could bind it).
fn probe(addr: SocketAddr, pid: u32, tls: Option<&TlsFiles>) -> bool {
    match tls {
        None => {
            let attempt = || -> io::Result<bool> {
                let stream = TcpStream::connect_timeout(&addr, Duration::from_millis(250))?;
                stream.set_read_timeout(Some(Duration::from_secs(1)))?;
                stream.set_write_timeout(Some(Duration::from_secs(1)))?;
                probe_stream(stream, pid)
            };
            attempt().unwrap_or(false)
        }
        #[cfg(feature = "tls")]
        Some(files) => crate::tls::connect_tls(addr, files, Duration::from_secs(1))
            .and_then(|stream| probe_stream(stream, pid))
            .unwrap_or(false),
        #[cfg(not(feature = "tls"))]
        Some(_) => false,
    }
}

/// `PING`, then `INFO server` to check the pid.
fn probe_stream(mut stream: impl Read + Write, pid: u32) -> io::Result<bool> {
    stream.write_all(b"*1\r\n$4\r\nPING\r\n")?;
    stream.flush()?;
    let mut pong = [0; 7];
    stream.read_exact(&mut pong)?;
    if &pong != b"+PONG\r\n" {
        return Ok(false);
    }
    stream.write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")?;
    stream.flush()?;
    let info = read_bulk(&mut BufReader::new(stream))?;
    let needle = format!("\nprocess_id:{pid}\r\n");
    Ok(info.windows(needle.len()).any(|w| w == needle.as_bytes()))
}

/// Reads one RESP2 bulk string (the reply of `INFO`).
fn read_bulk(reader: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut header = String::new();
    reader.read_line(&mut header)?;
    let len: usize = header
        .strip_prefix('$')
        .and_then(|len| len.trim_end().parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, header.clone()))?;
    let mut body = vec![0; len + 2];
    reader.read_exact(&mut body)?;
    body.truncate(len);
    Ok(body)
}

/// The last `lines` lines of a text file, or an empty string if it cannot be read.
fn file_tail(path: &Path, lines: usize) -> String {
    let Ok(bytes) = fs::read(path) else {
        return String::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
