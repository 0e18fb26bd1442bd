//! The one error type of the client, and the server's error replies parsed into codes.
//!
//! Its kinds mirror redis-py's exception hierarchy (`ConnectionError`, `TimeoutError`,
//! `ResponseError`, `WatchError`, `AuthenticationError`, ...), each carrying its context
//! in fields, so that code can match on what happened and a message can say what to do
//! about it. `Error` is `Clone`: one broken connection's error can be handed to every
//! request that was waiting on it.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use ferrodis_resp::DecodeError;

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Anything that can go wrong talking to Redis. Its kinds mirror redis-py's exception
/// hierarchy; it is `Clone`, so one broken connection's error reaches every waiting request.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection failed: it could not be opened, or it broke.
    #[error("connection error: {source}{}", io_hint(source))]
    Io {
        /// The underlying error.
        #[source]
        source: Arc<io::Error>,
    },
    /// A timeout fired. The command may or may not have run on the server.
    #[error("{kind} timeout after {after:?}: {}", kind.hint())]
    Timeout {
        /// Which timeout fired.
        kind: TimeoutKind,
        /// The configured duration.
        after: Duration,
    },
    /// The server sent bytes that are not valid RESP. The connection was closed.
    #[error(transparent)]
    Protocol(#[from] DecodeError),
    /// The server answered with an error reply.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// A reply could not be converted into the requested Rust type.
    #[error("cannot convert a {received} reply into `{expected}`{}{}", detail_sep(detail), detail.as_deref().unwrap_or(""))]
    Conversion {
        /// The Rust type asked for.
        expected: &'static str,
        /// The RESP type received (see `Value::type_name`).
        received: &'static str,
        /// More about what did not fit, such as an integer out of range.
        detail: Option<String>,
    },
    /// Authentication failed. The message is the server's; it never holds the password.
    #[error("authentication failed: {message}; check the username and password in the connection config")]
    Auth {
        /// What the server said.
        message: String,
    },
    /// A transaction was aborted because a watched key changed (`EXEC` returned nil).
    #[error("transaction aborted: a WATCHed key changed before EXEC; run it again (the transaction helper retries for you)")]
    Watch,
    /// A transaction was discarded (`EXECABORT`) because commands failed to queue; each
    /// failed command's position in the transaction and its error.
    #[error("transaction discarded (EXECABORT): {}", exec_abort_summary(errors))]
    ExecAbort {
        /// The commands that failed to queue: (index in the transaction, error).
        errors: Vec<(usize, ServerError)>,
    },
    /// Pub/sub was used wrongly, such as a regular command on a subscribed connection.
    #[error("pub/sub misuse: {message}")]
    PubSub {
        /// What was wrong.
        message: String,
    },
    /// No pooled connection became free in time.
    #[error("no connection free after waiting {} ms on a pool of {size}: raise the pool's max size or its pool_timeout, or hold connections for less time", waited.as_millis())]
    Pool {
        /// The pool's maximum size.
        size: usize,
        /// How long the borrow waited.
        waited: Duration,
    },
    /// A URL or an option is invalid.
    #[error("invalid configuration: {part}: {reason}")]
    Config {
        /// Which part: `"port"`, `"db"`, `"scheme"`, `"protocol"`, ...
        part: &'static str,
        /// What is wrong with it, and what is expected.
        reason: String,
    },
    /// TLS could not be set up or failed.
    #[error("TLS error: {message}")]
    Tls {
        /// What went wrong.
        message: String,
    },
}

fn exec_abort_summary(errors: &[(usize, ServerError)]) -> String {
    let mut out = String::new();
    for (i, (index, e)) in errors.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&format!("command #{index} failed to queue: {}", e.text()));
    }
    if out.is_empty() {
        out.push_str("a command failed to queue");
    }
    out
}

fn detail_sep(detail: &Option<String>) -> &'static str {
    if detail.is_some() {
        ": "
    } else {
        ""
    }
}

fn io_hint(e: &Arc<io::Error>) -> &'static str {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => {
            " (is redis-server running at that address, and is the port right?)"
        }
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::ConnectionAborted => {
            " (the server closed the connection; it may have restarted, or timed out an idle client)"
        }
        _ => "",
    }
}

impl From<io::Error> for Error {
    fn from(source: io::Error) -> Self {
        Error::Io {
            source: Arc::new(source),
        }
    }
}

impl Error {
    /// A conversion error for `T` from a reply of the given RESP type.
    pub fn conversion<T: ?Sized>(received: &'static str, detail: Option<String>) -> Self {
        Error::Conversion {
            expected: std::any::type_name::<T>(),
            received,
            detail,
        }
    }

    /// Whether a timeout fired.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Pool { .. } => true,
            Error::Io { source } => {
                matches!(
                    source.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                )
            }
            _ => false,
        }
    }

    /// Whether the connection broke (or the server closed it), so that it must be
    /// discarded and a new one opened.
    pub fn is_connection_dropped(&self) -> bool {
        match self {
            Error::Io { source } => matches!(
                source.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::NotConnected
            ),
            Error::Protocol(_) => true,
            _ => false,
        }
    }

    /// Whether the same command may succeed if sent again, perhaps elsewhere: a dropped
    /// connection, or a transient server state (`TRYAGAIN`, `LOADING`, `CLUSTERDOWN`,
    /// `MASTERDOWN`, `MOVED`, `ASK`, `READONLY` after a failover).
    ///
    /// This says nothing about whether retrying is safe: a write whose connection dropped
    /// may have run already. Retry automatically only commands that are idempotent.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Server(e) => matches!(
                e.code(),
                ErrorCode::TryAgain
                    | ErrorCode::Loading
                    | ErrorCode::ClusterDown
                    | ErrorCode::MasterDown
                    | ErrorCode::Moved { .. }
                    | ErrorCode::Ask { .. }
                    | ErrorCode::ReadOnly
            ),
            _ => self.is_connection_dropped(),
        }
    }

    /// The cluster redirection, for a `MOVED` or `ASK` error.
    pub fn redirect(&self) -> Option<Redirect<'_>> {
        match self {
            Error::Server(e) => e.redirect(),
            _ => None,
        }
    }

    /// The server error, if this is one.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }
}

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Opening the connection (TCP, TLS and the handshake).
    Connect,
    /// Waiting for a reply.
    Response,
    /// Writing a request.
    Write,
}

impl TimeoutKind {
    fn hint(self) -> &'static str {
        match self {
            TimeoutKind::Connect => "the server did not accept the connection in time; check the address and that it is reachable, or raise connect_timeout",
            TimeoutKind::Response => "no reply in time; the command may still have run. Raise response_timeout for slow commands (blocking ones take their own timeout)",
            TimeoutKind::Write => "the request could not be written in time; the server may be overloaded or unreachable",
        }
    }
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Response => "response",
            TimeoutKind::Write => "write",
        })
    }
}

/// An error reply from the server, with its code parsed.
///
/// ```
/// use ferrodis_commands::{ErrorCode, ServerError};
///
/// let e = ServerError::parse(b"MOVED 3999 127.0.0.1:6381");
/// assert_eq!(e.code(), &ErrorCode::Moved { slot: 3999, addr: "127.0.0.1:6381".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    code: ErrorCode,
    text: String,
}

impl ServerError {
    /// Parses an error reply's text, such as `WRONGTYPE Operation against a key ...`.
    pub fn parse(text: &[u8]) -> ServerError {
        let text = String::from_utf8_lossy(text).into_owned();
        let code = ErrorCode::parse(&text);
        ServerError { code, text }
    }

    /// The parsed code.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// The whole text the server sent, code included.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text after the code.
    pub fn detail(&self) -> &str {
        match self.text.split_once(' ') {
            Some((_, rest)) => rest,
            None => "",
        }
    }

    /// The cluster redirection, for `MOVED` and `ASK`.
    pub fn redirect(&self) -> Option<Redirect<'_>> {
        match &self.code {
            ErrorCode::Moved { slot, addr } => Some(Redirect {
                kind: RedirectKind::Moved,
                slot: *slot,
                addr,
            }),
            ErrorCode::Ask { slot, addr } => Some(Redirect {
                kind: RedirectKind::Ask,
                slot: *slot,
                addr,
            }),
            _ => None,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server error: {}", self.text)?;
        if let Some(hint) = self.code.hint() {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ServerError {}

/// The code at the start of an error reply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `ERR`: a generic error.
    Err,
    /// `WRONGTYPE`: the key holds another type.
    WrongType,
    /// `NOSCRIPT`: no script with that SHA1 is loaded.
    NoScript,
    /// `MOVED`: the slot lives on another node, permanently.
    Moved {
        /// The hash slot.
        slot: u16,
        /// The node that serves it, `host:port`.
        addr: String,
    },
    /// `ASK`: the slot is migrating; ask that node, once, after `ASKING`.
    Ask {
        /// The hash slot.
        slot: u16,
        /// The node to ask, `host:port`.
        addr: String,
    },
    /// `TRYAGAIN`: a multi-key command during resharding; retry later.
    TryAgain,
    /// `CLUSTERDOWN`: the cluster cannot serve the request now.
    ClusterDown,
    /// `CROSSSLOT`: the keys of a command hash to different slots.
    CrossSlot,
    /// `LOADING`: the server is loading its dataset.
    Loading,
    /// `BUSY`: a script or function is running too long.
    Busy,
    /// `READONLY`: a write sent to a replica.
    ReadOnly,
    /// `NOAUTH`: authentication is required.
    NoAuth,
    /// `WRONGPASS`: bad username or password.
    WrongPass,
    /// `NOPERM`: the ACL user may not run this command or touch this key.
    NoPerm,
    /// `EXECABORT`: a transaction was discarded because a command failed to queue.
    ExecAbort,
    /// `MASTERDOWN`: a replica lost its master and `replica-serve-stale-data` is off.
    MasterDown,
    /// `NOREPLICAS`: not enough good replicas for `min-replicas-to-write`.
    NoReplicas,
    /// `OOM`: `maxmemory` was reached.
    Oom,
    /// `NOPROTO`: the server does not speak the RESP version asked for in `HELLO`.
    NoProto,
    /// `UNBLOCKED`: a blocked client was unblocked by `CLIENT UNBLOCK ... ERROR`.
    Unblocked,
    /// `BUSYGROUP`: the consumer group already exists.
    BusyGroup,
    /// `NOGROUP`: no such key or consumer group.
    NoGroup,
    /// Any other code.
    Other(String),
}

impl ErrorCode {
    /// Parses the code at the start of an error text.
    pub fn parse(text: &str) -> ErrorCode {
        let (code, rest) = text.split_once(' ').unwrap_or((text, ""));
        match code {
            "ERR" => ErrorCode::Err,
            "WRONGTYPE" => ErrorCode::WrongType,
            "NOSCRIPT" => ErrorCode::NoScript,
            "MOVED" | "ASK" => match parse_redirect(rest) {
                Some((slot, addr)) if code == "MOVED" => ErrorCode::Moved { slot, addr },
                Some((slot, addr)) => ErrorCode::Ask { slot, addr },
                None => ErrorCode::Other(code.to_owned()),
            },
            "TRYAGAIN" => ErrorCode::TryAgain,
            "CLUSTERDOWN" => ErrorCode::ClusterDown,
            "CROSSSLOT" => ErrorCode::CrossSlot,
            "LOADING" => ErrorCode::Loading,
            "BUSY" => ErrorCode::Busy,
            "READONLY" => ErrorCode::ReadOnly,
            "NOAUTH" => ErrorCode::NoAuth,
            "WRONGPASS" => ErrorCode::WrongPass,
            "NOPERM" => ErrorCode::NoPerm,
            "EXECABORT" => ErrorCode::ExecAbort,
            "MASTERDOWN" => ErrorCode::MasterDown,
            "NOREPLICAS" => ErrorCode::NoReplicas,
            "OOM" => ErrorCode::Oom,
            "NOPROTO" => ErrorCode::NoProto,
            "UNBLOCKED" => ErrorCode::Unblocked,
            "BUSYGROUP" => ErrorCode::BusyGroup,
            "NOGROUP" => ErrorCode::NoGroup,
            other => ErrorCode::Other(other.to_owned()),
        }
    }

    fn hint(&self) -> Option<&'static str> {
        Some(match self {
            ErrorCode::NoScript => "load the script first, or run it through Script, which loads it on NOSCRIPT",
            ErrorCode::CrossSlot => "in a cluster, keys of one command must hash to one slot: give them a common {hash tag}",
            ErrorCode::Loading => "the server is loading its data set; retry shortly",
            ErrorCode::ReadOnly => "this is a replica: send writes to the master",
            ErrorCode::NoAuth => "set a password (and username) in the connection config",
            ErrorCode::Oom => "the server reached maxmemory: free memory, raise maxmemory, or set an eviction policy",
            ErrorCode::ExecAbort => "a command failed to queue, so the whole transaction was discarded",
            _ => return None,
        })
    }
}

/// `MOVED 3999 127.0.0.1:6381` → (3999, "127.0.0.1:6381").
fn parse_redirect(rest: &str) -> Option<(u16, String)> {
    let (slot, addr) = rest.split_once(' ')?;
    let slot = slot.parse::<u16>().ok().filter(|s| *s < 16384)?;
    let addr = addr.trim();
    (!addr.is_empty()).then(|| (slot, addr.to_owned()))
}

/// Where a cluster redirection points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redirect<'a> {
    /// `MOVED` or `ASK`.
    pub kind: RedirectKind,
    /// The hash slot.
    pub slot: u16,
    /// The node, `host:port`.
    pub addr: &'a str,
}

/// The kind of a cluster redirection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectKind {
    /// The slot has moved for good: update the slot map.
    Moved,
    /// The slot is migrating: send `ASKING` and the command to that node, once.
    Ask,
}
