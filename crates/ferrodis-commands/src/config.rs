//! Connection settings, and the URLs that spell them.
//!
//! Every client, blocking or async, standalone, cluster or sentinel, starts from a
//! [`ConnectionConfig`]: where the server is ([`Addr`]), which database to select, how to
//! authenticate, the name to give the connection, the RESP version to speak, the timeouts
//! and the TLS settings. It lives here, below the transports, because the
//! [handshake](crate::handshake) reads it and because a URL parser is pure string work
//! that deserves its own tests without a socket.
//!
//! The URL forms are those of redis-rs (and redis-py), so a URL that works with them works
//! here:
//!
//! ```text
//! redis://[[user]:password@]host[:port][/db][?option=value&...]
//! rediss://...                          (the same, over TLS)
//! unix:///path/to/redis.sock[?db=..&user=..&pass=..&...]
//! redis+unix:///path/to/redis.sock[?...]
//! ```
//!
//! The query options are `db`, `user` (or `username`), `pass` (or `password`),
//! `protocol` (`2`, `3`, `resp2`, `resp3`), `client_name`, and `connect_timeout` and
//! `response_timeout` in seconds (fractions allowed: `0.5`). `rediss://` URLs accept the
//! redis-rs fragment `#insecure`, which turns off certificate checks. The user, the
//! password, the path and query values are percent-decoded; an IPv6 host goes in brackets
//! (`redis://[::1]:6380`). The `valkey://`, `valkeys://` and `valkey+unix://` spellings
//! are accepted too.
//!
//! A URL that does not parse gives [`Error::Config`] naming the part that is wrong
//! (`"scheme"`, `"host"`, `"port"`, `"db"`, `"protocol"`, `"query"`, ...) and what is
//! expected there. Unknown query options are errors rather than silently ignored, so a
//! typo (`?protcol=2`) is caught.
//!
//! ## Passwords stay secret
//!
//! The password is a [`Password`], whose `Debug` and `Display` print `***`. The config's
//! `Debug` and `Display` (which prints a URL) therefore never show it, and no error built
//! here quotes it. Reading it takes an explicit [`Password::expose`].
//!
//! ```
//! use std::time::Duration;
//! use ferrodis_commands::config::{Addr, ConnectionConfig, Protocol};
//!
//! let config: ConnectionConfig = "redis://alice:s3cret@cache.internal:6380/2?protocol=resp2".parse()?;
//! assert_eq!(config.addr, Addr::tcp("cache.internal", 6380));
//! assert_eq!(config.db, 2);
//! assert_eq!(config.username.as_deref(), Some("alice"));
//! assert_eq!(config.password.as_ref().map(|p| p.expose()), Some("s3cret"));
//! assert_eq!(config.protocol, Protocol::Resp2);
//! assert_eq!(config.to_string(), "redis://alice:***@cache.internal:6380/2?protocol=resp2");
//!
//! // The same thing, built in code.
//! let built = ConnectionConfig::tcp("cache.internal", 6380)
//!     .db(2)
//!     .username("alice")
//!     .password("s3cret")
//!     .protocol(Protocol::Resp2);
//! assert_eq!(built, config);
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::error::Error;

/// The port of a `redis://` URL without one.
pub const DEFAULT_PORT: u16 = 6379;

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Addr {
    /// A TCP address. The host is a name or an IP address; an IPv6 address is written
    /// without brackets (`"::1"`).
    Tcp {
        /// Host name or IP address.
        host: String,
        /// TCP port.
        port: u16,
    },
    /// A unix domain socket.
    Unix(PathBuf),
}

impl Addr {
    /// A TCP address.
    pub fn tcp(host: impl Into<String>, port: u16) -> Addr {
        Addr::Tcp {
            host: host.into(),
            port,
        }
    }

    /// A unix socket address.
    pub fn unix(path: impl Into<PathBuf>) -> Addr {
        Addr::Unix(path.into())
    }
}

impl Default for Addr {
    /// `127.0.0.1:6379`.
    fn default() -> Addr {
        Addr::tcp("127.0.0.1", DEFAULT_PORT)
    }
}

impl fmt::Display for Addr {
    /// `host:port` (`[::1]:6379` for IPv6), or the socket's path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Addr::Tcp { host, port } => write!(f, "{host}:{port}"),
            Addr::Unix(path) => write!(f, "{}", path.display()),
        }
    }
}

/// The RESP version to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// RESP2 only: the handshake does not send `HELLO`.
    Resp2,
    /// RESP3 (the default): the handshake sends `HELLO 3`, and falls back to RESP2 when
    /// the server does not know `HELLO` (Redis before 6) or refuses version 3.
    #[default]
    Resp3,
}

impl Protocol {
    /// `2` or `3`.
    pub fn version(self) -> u8 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }

    /// Reads `2`, `3`, `resp2` or `resp3` (any case).
    fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_lowercase().as_str() {
            "2" | "resp2" => Some(Protocol::Resp2),
            "3" | "resp3" => Some(Protocol::Resp3),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    /// `resp2` or `resp3`, as in a URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Resp2 => "resp2",
            Protocol::Resp3 => "resp3",
        })
    }
}

/// A password: its `Debug` and `Display` print `***`, so that it does not end up in logs.
///
/// ```
/// use ferrodis_commands::config::Password;
///
/// let p = Password::new("hunter2");
/// assert_eq!(format!("{p} {p:?}"), "*** ***");
/// assert_eq!(p.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    /// The password itself. Take care where it goes.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Password {
    fn from(password: &str) -> Password {
        Password::new(password)
    }
}

impl From<String> for Password {
    fn from(password: String) -> Password {
        Password(password)
    }
}

/// TLS settings. This crate does no TLS itself: the transports read these.
///
/// A `rediss://` URL gives the defaults (verify the server against the system's roots,
/// using the host name of the URL); `#insecure` sets
/// [`dangerous_accept_invalid_certs`](TlsConfig::dangerous_accept_invalid_certs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsConfig {
    /// The name to verify the server's certificate against (and to send as SNI), when it
    /// is not the host connected to.
    pub server_name: Option<String>,
    /// A PEM file of CA certificates to trust instead of the system's roots.
    pub ca_file: Option<PathBuf>,
    /// A PEM client certificate (chain), for servers that require client auth.
    pub client_cert: Option<PathBuf>,
    /// The PEM private key of [`client_cert`](TlsConfig::client_cert).
    pub client_key: Option<PathBuf>,
    /// Accept any certificate, and any host name. Only for tests: this allows anyone on
    /// the path to read and change the traffic.
    pub dangerous_accept_invalid_certs: bool,
}

impl TlsConfig {
    /// The defaults: verify the server against the system's roots.
    pub fn new() -> TlsConfig {
        TlsConfig::default()
    }

    /// Sets the name to verify the server against.
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> TlsConfig {
        self.server_name = Some(name.into());
        self
    }

    /// Trusts the CA certificates in a PEM file.
    #[must_use]
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> TlsConfig {
        self.ca_file = Some(path.into());
        self
    }

    /// Authenticates with a client certificate and its key (PEM files).
    #[must_use]
    pub fn client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> TlsConfig {
        self.client_cert = Some(cert.into());
        self.client_key = Some(key.into());
        self
    }

    /// Turns certificate checks off (or on again). See the field's warning.
    #[must_use]
    pub fn dangerous_accept_invalid_certs(mut self, accept: bool) -> TlsConfig {
        self.dangerous_accept_invalid_certs = accept;
        self
    }
}

/// Everything needed to open and set up one connection. See the [module docs](self).
///
/// The fields are public to read (and to set); the setters of the same names chain.
/// `Debug` and `Display` never show the password.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// Where the server listens.
    pub addr: Addr,
    /// The database to `SELECT` after connecting (0, the default, sends nothing).
    pub db: i64,
    /// The ACL user. Without one, a password authenticates the `default` user.
    pub username: Option<String>,
    /// The password.
    pub password: Option<Password>,
    /// The name to give the connection (`CLIENT SETNAME`).
    pub client_name: Option<String>,
    /// The RESP version to speak.
    pub protocol: Protocol,
    /// How long opening the connection (TCP, TLS and handshake) may take; `None` waits
    /// as long as the operating system does.
    pub connect_timeout: Option<Duration>,
    /// How long to wait for a reply; `None` waits forever. Blocking commands (`BLPOP`,
    /// `XREAD BLOCK`) add their own timeout to this.
    pub response_timeout: Option<Duration>,
    /// TLS settings; `Some` turns TLS on.
    pub tls: Option<TlsConfig>,
}

impl ConnectionConfig {
    /// A config for `addr` with every other setting at its default.
    pub fn new(addr: Addr) -> ConnectionConfig {
        ConnectionConfig {
            addr,
            ..ConnectionConfig::default()
        }
    }

    /// A config for a TCP server.
    pub fn tcp(host: impl Into<String>, port: u16) -> ConnectionConfig {
        ConnectionConfig::new(Addr::tcp(host, port))
    }

    /// A config for a unix socket.
    pub fn unix(path: impl Into<PathBuf>) -> ConnectionConfig {
        ConnectionConfig::new(Addr::unix(path))
    }

    /// Parses a URL. See the [module docs](self) for the forms.
    ///
    /// ```
    /// use ferrodis_commands::config::ConnectionConfig;
    /// use ferrodis_commands::Error;
    ///
    /// let err = ConnectionConfig::from_url("redis://localhost:99999").unwrap_err();
    /// assert!(matches!(err, Error::Config { part: "port", .. }));
    /// ```
    pub fn from_url(url: &str) -> Result<ConnectionConfig, Error> {
        parse_url(url)
    }

    /// Sets the address.
    #[must_use]
    pub fn addr(mut self, addr: Addr) -> ConnectionConfig {
        self.addr = addr;
        self
    }

    /// Sets the database.
    #[must_use]
    pub fn db(mut self, db: i64) -> ConnectionConfig {
        self.db = db;
        self
    }

    /// Sets the ACL user.
    #[must_use]
    pub fn username(mut self, username: impl Into<String>) -> ConnectionConfig {
        self.username = Some(username.into());
        self
    }

    /// Sets the password.
    #[must_use]
    pub fn password(mut self, password: impl Into<Password>) -> ConnectionConfig {
        self.password = Some(password.into());
        self
    }

    /// Sets the connection name.
    #[must_use]
    pub fn client_name(mut self, name: impl Into<String>) -> ConnectionConfig {
        self.client_name = Some(name.into());
        self
    }

    /// Sets the RESP version.
    #[must_use]
    pub fn protocol(mut self, protocol: Protocol) -> ConnectionConfig {
        self.protocol = protocol;
        self
    }

    /// Sets the connect timeout.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> ConnectionConfig {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the response timeout.
    #[must_use]
    pub fn response_timeout(mut self, timeout: Duration) -> ConnectionConfig {
        self.response_timeout = Some(timeout);
        self
    }

    /// Turns TLS on with these settings.
    #[must_use]
    pub fn tls(mut self, tls: TlsConfig) -> ConnectionConfig {
        self.tls = Some(tls);
        self
    }

    /// Whether TLS is on.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// What every transport refuses before it opens anything: a unix socket on a
    /// platform without them, TLS from a transport built without TLS support
    /// (`tls_available` false; `transport` is its crate, named in the error so that the
    /// user knows whose `tls` feature to enable), and TLS over a unix socket. Written
    /// once here so that the blocking and async clients refuse the same configs with the
    /// same errors.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] (part `"addr"`) for a unix socket on a platform without them;
    /// [`Error::Tls`] when TLS is asked for and not available; [`Error::Config`] (part
    /// `"tls"`) for TLS over a unix socket.
    pub fn check_transport(&self, tls_available: bool, transport: &str) -> Result<(), Error> {
        #[cfg(not(unix))]
        if matches!(self.addr, Addr::Unix(_)) {
            return Err(Error::Config {
                part: "addr",
                reason: "unix sockets are not available on this platform".to_owned(),
            });
        }
        if self.tls.is_none() {
            return Ok(());
        }
        if !tls_available {
            return Err(Error::Tls {
                message: format!(
                    "this config asks for TLS (a rediss:// URL or ConnectionConfig::tls), \
                     but ferrodis was built without TLS support: enable the `tls` feature \
                     (of `ferrodis` or `{transport}`)"
                ),
            });
        }
        if matches!(self.addr, Addr::Unix(_)) {
            return Err(Error::Config {
                part: "tls",
                reason: "TLS over a unix socket is not supported; use a TCP address".to_owned(),
            });
        }
        Ok(())
    }
}

impl FromStr for ConnectionConfig {
    type Err = Error;

    fn from_str(url: &str) -> Result<ConnectionConfig, Error> {
        parse_url(url)
    }
}

impl TryFrom<&str> for ConnectionConfig {
    type Error = Error;

    fn try_from(url: &str) -> Result<ConnectionConfig, Error> {
        parse_url(url)
    }
}

/// What a client can be opened from: a [`ConnectionConfig`], or a URL to parse.
///
/// Clients take `impl IntoConnectionConfig`, so that both
/// `Client::open("redis://localhost")` and `Client::open(config)` work.
pub trait IntoConnectionConfig {
    /// The config, or the URL's parse error.
    fn into_connection_config(self) -> Result<ConnectionConfig, Error>;
}

impl IntoConnectionConfig for ConnectionConfig {
    fn into_connection_config(self) -> Result<ConnectionConfig, Error> {
        Ok(self)
    }
}

impl IntoConnectionConfig for &ConnectionConfig {
    fn into_connection_config(self) -> Result<ConnectionConfig, Error> {
        Ok(self.clone())
    }
}

impl IntoConnectionConfig for &str {
    fn into_connection_config(self) -> Result<ConnectionConfig, Error> {
        parse_url(self)
    }
}

impl IntoConnectionConfig for String {
    fn into_connection_config(self) -> Result<ConnectionConfig, Error> {
        parse_url(&self)
    }
}

impl IntoConnectionConfig for &String {
    fn into_connection_config(self) -> Result<ConnectionConfig, Error> {
        parse_url(self)
    }
}

impl fmt::Display for ConnectionConfig {
    /// The config as a URL that [`from_url`](ConnectionConfig::from_url) reads back, with
    /// the password shown as `***`. TLS settings other than on/off and `#insecure` are not
    /// part of URLs and are not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut query: Vec<(&str, String)> = Vec::new();
        match &self.addr {
            Addr::Tcp { host, port } => {
                f.write_str(if self.tls.is_some() {
                    "rediss://"
                } else {
                    "redis://"
                })?;
                if self.username.is_some() || self.password.is_some() {
                    if let Some(user) = &self.username {
                        f.write_str(&percent_encode(user, USERINFO_SAFE))?;
                    }
                    if self.password.is_some() {
                        f.write_str(":***")?;
                    }
                    f.write_str("@")?;
                }
                if host.contains(':') {
                    write!(f, "[{host}]:{port}")?;
                } else {
                    write!(f, "{host}:{port}")?;
                }
                if self.db != 0 {
                    write!(f, "/{}", self.db)?;
                }
            }
            Addr::Unix(path) => {
                f.write_str("unix://")?;
                f.write_str(&percent_encode(&path.to_string_lossy(), PATH_SAFE))?;
                if self.db != 0 {
                    query.push(("db", self.db.to_string()));
                }
                if let Some(user) = &self.username {
                    query.push(("user", percent_encode(user, QUERY_SAFE)));
                }
                if self.password.is_some() {
                    query.push(("pass", "***".to_owned()));
                }
            }
        }
        if self.protocol == Protocol::Resp2 {
            query.push(("protocol", "resp2".to_owned()));
        }
        if let Some(name) = &self.client_name {
            query.push(("client_name", percent_encode(name, QUERY_SAFE)));
        }
        if let Some(t) = self.connect_timeout {
            query.push(("connect_timeout", t.as_secs_f64().to_string()));
        }
        if let Some(t) = self.response_timeout {
            query.push(("response_timeout", t.as_secs_f64().to_string()));
        }
        for (i, (key, value)) in query.iter().enumerate() {
            write!(f, "{}{key}={value}", if i == 0 { '?' } else { '&' })?;
        }
        if matches!(&self.addr, Addr::Tcp { .. })
            && self
                .tls
                .as_ref()
                .is_some_and(|t| t.dangerous_accept_invalid_certs)
        {
            f.write_str("#insecure")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The URL parser. Hand-written: the crate's dependencies are fixed, and a Redis URL is a
// small grammar.

fn config_error(part: &'static str, reason: impl Into<String>) -> Error {
    Error::Config {
        part,
        reason: reason.into(),
    }
}

const SCHEMES: &str = "redis://, rediss://, unix:// or redis+unix://";
const QUERY_KEYS: &str = "db, user, pass, protocol, client_name, connect_timeout, response_timeout";

enum Kind {
    Tcp { tls: bool },
    Unix,
}

fn parse_url(url: &str) -> Result<ConnectionConfig, Error> {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(config_error(
            "scheme",
            format!("the URL has no scheme; expected {SCHEMES}"),
        ));
    };
    let kind = match scheme.to_ascii_lowercase().as_str() {
        "redis" | "valkey" => Kind::Tcp { tls: false },
        "rediss" | "valkeys" => Kind::Tcp { tls: true },
        "unix" | "redis+unix" | "valkey+unix" => Kind::Unix,
        other => {
            // Never quote a "scheme" that is really a `user:password` pasted first.
            let shown = if !rest.contains('@')
                && other
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                format!("{other:?}")
            } else {
                "the scheme".to_owned()
            };
            return Err(config_error(
                "scheme",
                format!("{shown} is not a Redis URL scheme; expected {SCHEMES}"),
            ));
        }
    };
    // Texts taken from the authority are quoted in errors only when the URL has no `@`:
    // if it has one, a password with an unescaped `/`, `?` or `#` may have been cut into
    // what looks like a host or a port, and must not be echoed.
    let may_quote = !rest.contains('@');

    let (rest, fragment) = match rest.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };

    let mut config = ConnectionConfig::default();
    let mut path_db: Option<i64> = None;
    let mut url_user: Option<String> = None;
    let mut url_password: Option<Password> = None;
    match kind {
        Kind::Tcp { tls } => {
            let Some(rest) = rest.strip_prefix("//") else {
                return Err(config_error(
                    "host",
                    format!("expected `//host` after `{scheme}:`, as in {scheme}://localhost:6379"),
                ));
            };
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            };
            let hostport = match authority.rfind('@') {
                Some(i) => {
                    let (user, password) = parse_userinfo(&authority[..i])?;
                    url_user = user;
                    url_password = password;
                    &authority[i + 1..]
                }
                None => authority,
            };
            let (host, port) = parse_hostport(hostport, may_quote)?;
            config.addr = Addr::Tcp { host, port };
            path_db = parse_path_db(path, may_quote)?;
            match (tls, fragment) {
                (_, None | Some("")) => {}
                (true, Some("insecure")) => {}
                (true, Some(_)) => {
                    return Err(config_error(
                        "fragment",
                        "the only fragment a rediss:// URL takes is #insecure",
                    ))
                }
                (false, Some(_)) => {
                    return Err(config_error(
                        "fragment",
                        "a redis:// URL takes no #fragment (#insecure is for rediss:// only)",
                    ))
                }
            }
            if tls {
                config.tls = Some(TlsConfig {
                    dangerous_accept_invalid_certs: fragment == Some("insecure"),
                    ..TlsConfig::default()
                });
            }
        }
        Kind::Unix => {
            let path = match rest.strip_prefix("//") {
                Some(rest) => {
                    let (host, path) = match rest.find('/') {
                        Some(i) => (&rest[..i], &rest[i..]),
                        None => (rest, ""),
                    };
                    if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
                        return Err(config_error(
                            "host",
                            "a unix socket URL has no host: write unix:///path/to/redis.sock",
                        ));
                    }
                    path
                }
                None => rest,
            };
            if path.is_empty() || path == "/" {
                return Err(config_error(
                    "path",
                    "the socket path is missing: write unix:///path/to/redis.sock",
                ));
            }
            let path = percent_decode(path, false)
                .map_err(|reason| config_error("path", format!("{reason} in the socket path")))?;
            config.addr = Addr::Unix(PathBuf::from(path));
            if fragment.is_some_and(|f| !f.is_empty()) {
                return Err(config_error(
                    "fragment",
                    "a unix socket URL takes no #fragment",
                ));
            }
        }
    }
    let mut query_db: Option<i64> = None;
    let mut query_user: Option<String> = None;
    let mut query_password: Option<Password> = None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            let key = percent_decode(pair, true).unwrap_or_default();
            return Err(config_error(
                "query",
                format!("option {key:?} has no value; write {key}=<value>"),
            ));
        };
        let key = percent_decode(key, true)
            .map_err(|reason| config_error("query", format!("{reason} in an option name")))?;
        match key.as_str() {
            "db" => {
                let value = percent_decode(value, true)
                    .map_err(|reason| config_error("db", format!("{reason} in the db option")))?;
                query_db = Some(parse_db(&value, true)?);
            }
            "user" | "username" => {
                query_user = Some(percent_decode(value, true).map_err(|reason| {
                    config_error("username", format!("{reason} in the username"))
                })?);
            }
            "pass" | "password" => {
                query_password = Some(Password(percent_decode(value, true).map_err(|reason| {
                    config_error("password", format!("{reason} in the password"))
                })?));
            }
            "protocol" => {
                let value = percent_decode(value, true).unwrap_or_default();
                config.protocol = Protocol::parse(&value).ok_or_else(|| {
                    config_error(
                        "protocol",
                        format!("{value:?} is not a protocol; expected 2, 3, resp2 or resp3"),
                    )
                })?;
            }
            "client_name" => {
                let name = percent_decode(value, true).map_err(|reason| {
                    config_error("client_name", format!("{reason} in the client name"))
                })?;
                config.client_name = Some(name);
            }
            "connect_timeout" => {
                config.connect_timeout = Some(parse_timeout("connect_timeout", value)?)
            }
            "response_timeout" => {
                config.response_timeout = Some(parse_timeout("response_timeout", value)?)
            }
            other => {
                return Err(config_error(
                    "query",
                    format!("unknown option {other:?}; the options are {QUERY_KEYS}"),
                ))
            }
        }
    }

    config.db = match (path_db, query_db) {
        (Some(_), Some(_)) => {
            return Err(config_error(
                "db",
                "the database is given twice, in the path and in the query; keep one",
            ))
        }
        (Some(db), None) | (None, Some(db)) => db,
        (None, None) => 0,
    };
    config.username = match (url_user, query_user) {
        (Some(_), Some(_)) => {
            return Err(config_error(
                "username",
                "the username is given twice, before the host and in the query; keep one",
            ))
        }
        (a, b) => a.or(b),
    };
    config.password = match (url_password, query_password) {
        (Some(_), Some(_)) => {
            return Err(config_error(
                "password",
                "the password is given twice, before the host and in the query; keep one",
            ))
        }
        (a, b) => a.or(b),
    };
    Ok(config)
}

/// `user:password`, `:password`, `user`, `user:`. Empty parts are `None`.
fn parse_userinfo(userinfo: &str) -> Result<(Option<String>, Option<Password>), Error> {
    let (user, password) = match userinfo.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (userinfo, None),
    };
    let user = percent_decode(user, false)
        .map_err(|reason| config_error("username", format!("{reason} in the username")))?;
    let password = match password {
        Some(p) => percent_decode(p, false)
            .map_err(|reason| config_error("password", format!("{reason} in the password")))?,
        None => String::new(),
    };
    Ok((
        Some(user).filter(|u| !u.is_empty()),
        Some(password).filter(|p| !p.is_empty()).map(Password),
    ))
}

fn parse_hostport(hostport: &str, may_quote: bool) -> Result<(String, u16), Error> {
    let quoted = |text: &str| {
        if may_quote {
            format!("{text:?}")
        } else {
            "the text after the @".to_owned()
        }
    };
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err(config_error(
                "host",
                "an IPv6 address lacks its closing bracket: write redis://[::1]:6379",
            ));
        };
        let host = &rest[..end];
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(config_error(
                "host",
                format!("{} is not an IPv6 address", quoted(host)),
            ));
        }
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => {
                return Err(config_error(
                    "host",
                    "unexpected text after the IPv6 address; write redis://[::1]:6379",
                ))
            }
        };
        (host, port)
    } else {
        match hostport.split_once(':') {
            Some((_, port)) if port.contains(':') => {
                return Err(config_error(
                    "host",
                    "an IPv6 address must be in brackets: write redis://[::1]:6379",
                ));
            }
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return Err(config_error(
            "host",
            "the host is missing: write redis://hostname[:port]",
        ));
    }
    if !hostport.starts_with('[')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        return Err(config_error(
            "host",
            format!(
                "{} is not a host name (letters, digits, '-', '.' and '_'); an IPv6 address goes in brackets",
                quoted(host)
            ),
        ));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(text) => match text.parse::<u16>() {
            Ok(0) | Err(_) => {
                return Err(config_error(
                    "port",
                    format!("{} is not a port number (1 to 65535)", quoted(text)),
                ))
            }
            Ok(port) => port,
        },
    };
    Ok((host.to_owned(), port))
}

fn parse_path_db(path: &str, may_quote: bool) -> Result<Option<i64>, Error> {
    let db = path.trim_matches('/');
    if db.is_empty() {
        return Ok(None);
    }
    parse_db(db, may_quote).map(Some)
}

fn parse_db(text: &str, may_quote: bool) -> Result<i64, Error> {
    match text.parse::<i64>() {
        Ok(db) if db >= 0 => Ok(db),
        _ => Err(config_error(
            "db",
            if may_quote {
                format!("{text:?} is not a database number (0, 1, 2, ...)")
            } else {
                "the path is not a database number (0, 1, 2, ...)".to_owned()
            },
        )),
    }
}

fn parse_timeout(part: &'static str, value: &str) -> Result<Duration, Error> {
    let text = percent_decode(value, true).unwrap_or_default();
    let seconds: f64 = text.parse().map_err(|_| {
        config_error(
            part,
            format!("{text:?} is not a number of seconds (such as 5 or 0.25)"),
        )
    })?;
    if seconds <= 0.0 {
        return Err(config_error(
            part,
            format!(
                "{text:?} seconds: a timeout must be more than 0; leave it out to wait forever"
            ),
        ));
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        config_error(
            part,
            format!("{text:?} is not a number of seconds (such as 5 or 0.25)"),
        )
    })
}

/// Decodes `%XX` escapes (and `+` as a space, in query values). The error says what is
/// wrong without quoting the text, which may be a password.
fn percent_decode(text: &str, plus_is_space: bool) -> Result<String, &'static str> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or("an incomplete %-escape")?;
                let high = hex_digit(hex[0]).ok_or("an invalid %-escape")?;
                let low = hex_digit(hex[1]).ok_or("an invalid %-escape")?;
                out.push(high << 4 | low);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "%-escapes that are not UTF-8")
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Characters written as they are (besides ASCII letters and digits).
const USERINFO_SAFE: &str = "-._~!$&'()*+,;=";
const PATH_SAFE: &str = "-._~/!$&'()*+,;=:@";
const QUERY_SAFE: &str = "-._~!$'()*,;:@/";

fn percent_encode(text: &str, safe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || safe.as_bytes().contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod check_transport_tests {
    use super::*;

    fn tcp_tls() -> ConnectionConfig {
        ConnectionConfig::new(Addr::Tcp {
            host: "localhost".to_owned(),
            port: 6380,
        })
        .tls(TlsConfig::default())
    }

    #[test]
    fn plain_configs_pass() {
        let config = ConnectionConfig::default();
        assert!(config.check_transport(false, "ferrodis-blocking").is_ok());
        assert!(tcp_tls().check_transport(true, "ferrodis-async").is_ok());
    }

    #[test]
    fn tls_without_support_names_the_transport() {
        let Err(Error::Tls { message }) = tcp_tls().check_transport(false, "ferrodis-async") else {
            panic!("a TLS error")
        };
        assert!(
            message.contains("(of `ferrodis` or `ferrodis-async`)"),
            "{message}"
        );
        assert!(message.starts_with("this config asks for TLS"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn tls_over_a_unix_socket_is_refused() {
        let config = ConnectionConfig::new(Addr::Unix(PathBuf::from("/tmp/redis.sock")))
            .tls(TlsConfig::default());
        let Err(Error::Config { part, reason }) = config.check_transport(true, "ferrodis-blocking")
        else {
            panic!("a config error")
        };
        assert_eq!(part, "tls");
        assert!(reason.contains("unix socket"), "{reason}");
        // Without TLS support, the missing feature is what is reported first.
        assert!(matches!(
            config.check_transport(false, "ferrodis-blocking"),
            Err(Error::Tls { .. })
        ));
    }
}
