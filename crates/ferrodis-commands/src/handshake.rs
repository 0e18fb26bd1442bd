//! Connection setup: the commands sent on a new connection before it is handed out.
//!
//! A new connection must be authenticated, switched to RESP3 if possible, named, moved to
//! the configured database, and so on, in a sequence that depends on the server's
//! answers: `HELLO 3` may be refused by an old server, and then the same settings are
//! applied the RESP2 way. That sequence is the same for every transport, so it is written
//! once here, as a state machine that says what to send and reads what came back.
//!
//! ## The sequence
//!
//! 1. With [`Protocol::Resp3`] (the default): `HELLO 3 [AUTH user pass] [SETNAME name]`,
//!    alone. Only a password? The user is `default`. If the server answers with an error
//!    that means "no RESP3 here" (`NOPROTO`, or `ERR unknown command` from a server older
//!    than 6.0), the handshake falls back to RESP2 for step 2. With [`Protocol::Resp2`]
//!    no `HELLO` is sent at all.
//! 2. Everything else, **pipelined** (written together, then the replies read):
//!    - on RESP2 only: `AUTH [user] pass` and `CLIENT SETNAME name`, where HELLO did not;
//!    - `SELECT db` if the database is not 0;
//!    - `CLIENT SETINFO LIB-NAME ferrodis` and `CLIENT SETINFO LIB-VER <version>`, whose
//!      errors are ignored: servers before 7.2 (7.0 included) do not know `SETINFO`;
//!    - `READONLY`, when asked for (cluster replicas).
//!
//! Why pipeline step 2: it saves a round trip per setting, and it is safe. Redis runs a
//! connection's commands in order, so `SELECT` runs after `AUTH`; if `AUTH` fails, the
//! commands after it fail with `NOAUTH` and the handshake reports the `AUTH` failure (the
//! first error). `HELLO` is not pipelined with the rest because its answer decides what
//! the rest is. So: two round trips with RESP3, one with RESP2.
//!
//! ## Errors
//!
//! Authentication failures (`WRONGPASS`, `NOAUTH`, any error to `AUTH`, `HELLO`'s
//! `WRONGPASS`) are [`Error::Auth`] with the server's message; other errors are
//! [`Error::Server`]. The password never appears in either: should a server echo the
//! arguments in an error, the password is replaced with `***`. An error is returned only
//! once every reply to what was written has been read, so the connection is never left
//! half-read; still, a connection whose handshake failed should be closed.
//!
//! ## Driving it
//!
//! [`poll`](Handshake::poll) says what to do next ([`Step`]); [`on_reply`](Handshake::on_reply)
//! takes each reply, in order. A transport's loop:
//!
//! ```
//! use ferrodis_commands::config::{ConnectionConfig, Protocol};
//! use ferrodis_commands::handshake::{Handshake, Step};
//! use ferrodis_commands::Value;
//!
//! # fn fake_server(requests: &[u8]) -> Vec<Value> {
//! #     // What Redis 7.0 answers to SELECT 2, CLIENT SETINFO x2.
//! #     let _ = requests;
//! #     vec![
//! #         Value::SimpleString("OK".into()),
//! #         Value::SimpleError("ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.".into()),
//! #         Value::SimpleError("ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.".into()),
//! #     ]
//! # }
//! let config = ConnectionConfig::tcp("localhost", 6379).db(2).protocol(Protocol::Resp2);
//! let mut handshake = Handshake::new(&config);
//! let mut out = Vec::new();
//! let mut replies = Vec::new().into_iter();
//! let negotiated = loop {
//!     match handshake.poll()? {
//!         Step::Send(cmd) => cmd.write_to(&mut out),
//!         Step::Receive => {
//!             if !out.is_empty() {
//!                 // write `out` to the socket, then read replies
//!                 replies = fake_server(&out).into_iter();
//!                 out.clear();
//!             }
//!             handshake.on_reply(replies.next().unwrap());
//!         }
//!         Step::Done(negotiated) => break negotiated,
//!     }
//! };
//! assert_eq!(negotiated.protocol, Protocol::Resp2);
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::collections::VecDeque;
use std::fmt;

use crate::cmd::Cmd;
use crate::config::{ConnectionConfig, Password, Protocol};
use crate::error::{Error, ErrorCode, ServerError};
use crate::from_value::FromValue;
use ferrodis_resp::Value;

/// The library name sent with `CLIENT SETINFO LIB-NAME`.
pub const LIB_NAME: &str = "ferrodis";

/// The library version sent with `CLIENT SETINFO LIB-VER`.
pub const LIB_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a sans-IO state machine wants done next.
///
/// Used by [`Handshake`], [`ScriptCall`](crate::script::ScriptCall) and
/// [`ScriptPreload`](crate::script::ScriptPreload). The loop that drives one:
/// on `Send`, append the command to the write buffer; on `Receive`, flush the write
/// buffer if it holds anything, read one reply and pass it to the machine's `on_reply`;
/// on `Done`, stop. Several `Send`s in a row are meant to be pipelined.
pub enum Step<T> {
    /// Write this command (and keep polling: more may follow before the next read).
    Send(Cmd),
    /// Flush what was written, read one reply and pass it to `on_reply`.
    Receive,
    /// Finished, with this result.
    Done(T),
}

impl<T: fmt::Debug> fmt::Debug for Step<T> {
    /// Shows only the command's name: a handshake's commands carry the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Send(cmd) => f
                .debug_tuple("Send")
                .field(&String::from_utf8_lossy(cmd.name()))
                .finish(),
            Step::Receive => f.write_str("Receive"),
            Step::Done(t) => f.debug_tuple("Done").field(t).finish(),
        }
    }
}

/// What the handshake established.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Negotiated {
    /// The RESP version the connection speaks.
    pub protocol: Protocol,
    /// What the server said about itself in its `HELLO` reply; `None` when no `HELLO`
    /// was sent or it was refused.
    pub server: Option<ServerInfo>,
}

/// The server's description of itself, from its `HELLO` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerInfo {
    /// `"redis"` (or another implementation's name).
    pub server: Option<String>,
    /// The version, such as `"7.0.15"`.
    pub version: Option<String>,
    /// The protocol version the server confirmed.
    pub proto: Option<i64>,
    /// The connection's id (as in `CLIENT ID`).
    pub id: Option<i64>,
    /// `"standalone"`, `"cluster"` or `"sentinel"`.
    pub mode: Option<String>,
    /// `"master"` or `"replica"`.
    pub role: Option<String>,
}

impl ServerInfo {
    /// Reads a `HELLO` reply: a map (RESP3) or a flat array of pairs (RESP2). Fields that
    /// are missing or of an unexpected type are left `None`.
    pub fn from_hello(reply: &Value) -> ServerInfo {
        let mut info = ServerInfo::default();
        let pairs: Vec<(&Value, &Value)> = match reply {
            Value::Map(pairs) => pairs.iter().map(|(k, v)| (k, v)).collect(),
            Value::Array(items) => items.chunks_exact(2).map(|kv| (&kv[0], &kv[1])).collect(),
            Value::Attribute { value, .. } => return ServerInfo::from_hello(value),
            _ => Vec::new(),
        };
        for (key, value) in pairs {
            let Ok(key) = String::from_value(key.clone()) else {
                continue;
            };
            let text = || String::from_value(value.clone()).ok();
            let number = || i64::from_value(value.clone()).ok();
            match key.as_str() {
                "server" => info.server = text(),
                "version" => info.version = text(),
                "proto" => info.proto = number(),
                "id" => info.id = number(),
                "mode" => info.mode = text(),
                "role" => info.role = text(),
                _ => {}
            }
        }
        info
    }
}

/// What a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Hello,
    Auth,
    SetName,
    Select,
    SetInfo,
    ReadOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Nothing sent yet.
    Start,
    /// `HELLO` sent.
    Hello,
    /// The rest sent.
    Setup,
    /// `Done` or an error was returned.
    Finished,
}

/// The connection setup state machine. See the [module docs](self).
pub struct Handshake {
    username: Option<String>,
    password: Option<Password>,
    client_name: Option<String>,
    db: i64,
    protocol: Protocol,
    read_only: bool,
    lib_info: Option<(String, String)>,

    stage: Stage,
    /// `HELLO` failed in a way that means RESP2: AUTH and SETNAME go in the setup batch.
    fell_back: bool,
    outbox: VecDeque<(Cmd, Expect)>,
    in_flight: VecDeque<Expect>,
    negotiated: Protocol,
    server: Option<ServerInfo>,
    error: Option<Error>,
}

impl fmt::Debug for Handshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handshake")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("client_name", &self.client_name)
            .field("db", &self.db)
            .field("protocol", &self.protocol)
            .field("read_only", &self.read_only)
            .field("stage", &self.stage)
            .field("fell_back", &self.fell_back)
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

impl Handshake {
    /// A handshake for `config`, sending `CLIENT SETINFO` with this library's name and
    /// version, and no `READONLY`.
    pub fn new(config: &ConnectionConfig) -> Handshake {
        Handshake {
            username: config.username.clone(),
            password: config.password.clone(),
            client_name: config.client_name.clone(),
            db: config.db,
            protocol: config.protocol,
            read_only: false,
            lib_info: Some((LIB_NAME.to_owned(), LIB_VERSION.to_owned())),
            stage: Stage::Start,
            fell_back: false,
            outbox: VecDeque::new(),
            in_flight: VecDeque::new(),
            negotiated: config.protocol,
            server: None,
            error: None,
        }
    }

    /// Sends `READONLY` at the end, so that a cluster replica serves reads.
    #[must_use]
    pub fn read_only(mut self, read_only: bool) -> Handshake {
        self.read_only = read_only;
        self
    }

    /// Sends this name and version with `CLIENT SETINFO` instead of ferrodis's (a
    /// wrapper library may call itself `ferrodis(mylib)`), or, with `None`, sends no
    /// `CLIENT SETINFO`.
    #[must_use]
    pub fn lib_info(mut self, info: Option<(&str, &str)>) -> Handshake {
        self.lib_info = info.map(|(name, version)| (name.to_owned(), version.to_owned()));
        self
    }

    /// What to do next. See [`Step`]. After `Done` or an error, polling again is an
    /// error.
    pub fn poll(&mut self) -> Result<Step<Negotiated>, Error> {
        loop {
            if let Some((cmd, expect)) = self.outbox.pop_front() {
                self.in_flight.push_back(expect);
                return Ok(Step::Send(cmd));
            }
            if !self.in_flight.is_empty() {
                return Ok(Step::Receive);
            }
            if let Some(error) = self.error.take() {
                self.stage = Stage::Finished;
                return Err(error);
            }
            match self.stage {
                Stage::Start => match self.protocol {
                    Protocol::Resp3 => {
                        self.stage = Stage::Hello;
                        let hello = self.hello_cmd();
                        self.outbox.push_back((hello, Expect::Hello));
                    }
                    Protocol::Resp2 => {
                        self.fell_back = true;
                        self.negotiated = Protocol::Resp2;
                        self.queue_setup();
                    }
                },
                Stage::Hello => self.queue_setup(),
                Stage::Setup => {
                    self.stage = Stage::Finished;
                    return Ok(Step::Done(Negotiated {
                        protocol: self.negotiated,
                        server: self.server.take(),
                    }));
                }
                Stage::Finished => {
                    return Err(Error::Conversion {
                        expected: "a handshake step",
                        received: "nothing",
                        detail: Some("the handshake was polled after it finished".to_owned()),
                    })
                }
            }
        }
    }

    /// Takes the reply to the oldest command sent and not yet answered.
    pub fn on_reply(&mut self, reply: Value) {
        let Some(expect) = self.in_flight.pop_front() else {
            if self.error.is_none() {
                self.error = Some(Error::Conversion {
                    expected: "no reply",
                    received: reply.type_name(),
                    detail: Some("the handshake received a reply it did not ask for".to_owned()),
                });
            }
            return;
        };
        if self.error.is_some() {
            // Only the first error is reported; the rest are read to stay in sync.
            return;
        }
        let reply = match reply {
            Value::Attribute { value, .. } => *value,
            other => other,
        };
        let error_text = match &reply {
            Value::SimpleError(text) | Value::BulkError(text) => Some(text.clone()),
            _ => None,
        };
        match (expect, error_text) {
            (Expect::Hello, None) => {
                let info = ServerInfo::from_hello(&reply);
                self.negotiated = match info.proto {
                    Some(2) => Protocol::Resp2,
                    _ => Protocol::Resp3,
                };
                self.server = Some(info);
            }
            (Expect::Hello, Some(text)) => {
                let error = ServerError::parse(&text);
                let unknown = error
                    .text()
                    .to_ascii_lowercase()
                    .starts_with("err unknown command");
                if *error.code() == ErrorCode::NoProto || unknown {
                    self.fell_back = true;
                    self.negotiated = Protocol::Resp2;
                } else if is_auth_failure(&error) {
                    self.error = Some(self.auth_error(&error));
                } else {
                    self.error = Some(self.server_error(&error));
                }
            }
            (Expect::Auth, Some(text)) => {
                let error = ServerError::parse(&text);
                self.error = Some(self.auth_error(&error));
            }
            (Expect::SetName | Expect::Select | Expect::ReadOnly, Some(text)) => {
                let error = ServerError::parse(&text);
                self.error = Some(if is_auth_failure(&error) {
                    self.auth_error(&error)
                } else {
                    self.server_error(&error)
                });
            }
            (Expect::SetInfo, Some(_)) => {}
            (_, None) => {}
        }
    }

    fn hello_cmd(&self) -> Cmd {
        let mut hello = Cmd::new("HELLO").arg("3");
        if let Some(password) = &self.password {
            let user = self.username.as_deref().unwrap_or("default");
            hello
                .push_arg("AUTH")
                .push_arg(user)
                .push_arg(password.expose());
        }
        if let Some(name) = &self.client_name {
            hello.push_arg("SETNAME").push_arg(name.as_str());
        }
        hello
    }

    fn queue_setup(&mut self) {
        self.stage = Stage::Setup;
        if self.fell_back {
            if let Some(password) = &self.password {
                let mut auth = Cmd::new("AUTH");
                if let Some(user) = &self.username {
                    auth.push_arg(user.as_str());
                }
                auth.push_arg(password.expose());
                self.outbox.push_back((auth, Expect::Auth));
            }
            if let Some(name) = &self.client_name {
                let setname = Cmd::new("CLIENT").arg("SETNAME").arg(name.as_str());
                self.outbox.push_back((setname, Expect::SetName));
            }
        }
        if self.db != 0 {
            self.outbox
                .push_back((Cmd::new("SELECT").arg(self.db), Expect::Select));
        }
        if let Some((name, version)) = &self.lib_info {
            for (attr, value) in [("LIB-NAME", name), ("LIB-VER", version)] {
                let cmd = Cmd::new("CLIENT")
                    .arg("SETINFO")
                    .arg(attr)
                    .arg(value.as_str());
                self.outbox.push_back((cmd, Expect::SetInfo));
            }
        }
        if self.read_only {
            self.outbox
                .push_back((Cmd::new("READONLY"), Expect::ReadOnly));
        }
    }

    /// The server's text with the password (should a server echo it) masked.
    fn redact(&self, text: &str) -> String {
        match &self.password {
            Some(p) if !p.expose().is_empty() => text.replace(p.expose(), "***"),
            _ => text.to_owned(),
        }
    }

    fn auth_error(&self, error: &ServerError) -> Error {
        Error::Auth {
            message: self.redact(error.text()),
        }
    }

    fn server_error(&self, error: &ServerError) -> Error {
        Error::Server(ServerError::parse(self.redact(error.text()).as_bytes()))
    }
}

/// Whether an error to `HELLO` (or to a command after a failed `AUTH`) is about
/// authentication.
fn is_auth_failure(error: &ServerError) -> bool {
    match error.code() {
        ErrorCode::WrongPass | ErrorCode::NoAuth => true,
        ErrorCode::Err => {
            let text = error.text().to_ascii_lowercase();
            text.contains("invalid password")
                || text.contains("no password is set")
                || text.contains("without any password configured")
        }
        _ => false,
    }
}
