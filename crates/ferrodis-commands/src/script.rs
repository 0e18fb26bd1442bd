//! Lua scripts and functions: calling them by SHA1, and loading them when the server
//! does not have them.
//!
//! Sending a script's source with every call (`EVAL`) wastes bandwidth; calling it by its
//! SHA1 (`EVALSHA`) does not, but fails with `NOSCRIPT` when the server has not seen the
//! script (it restarted, failed over, or ran `SCRIPT FLUSH`). A [`Script`] knows its
//! source and SHA1, and [`ScriptCall`] is the state machine every client uses to call
//! one:
//!
//! 1. `EVALSHA sha numkeys keys... args...`;
//! 2. on `NOSCRIPT`: `SCRIPT LOAD source` and the same `EVALSHA` again, pipelined (one
//!    round trip), and the second `EVALSHA`'s reply is the result.
//!
//! Why `SCRIPT LOAD` + `EVALSHA` rather than falling back to `EVAL` (which also costs one
//! round trip): a script loaded with `SCRIPT LOAD` stays in the server's cache, while
//! since Redis 7.4 scripts cached by `EVAL` may be evicted, so `SCRIPT LOAD` makes the
//! next `EVALSHA`s succeed. This is what redis-py and redis-rs do.
//!
//! A pipeline cannot recover from `NOSCRIPT` in its middle (the commands after it have
//! already run), so scripts are loaded before a pipeline runs: [`ScriptPreload`] sends
//! `SCRIPT EXISTS` for the scripts the pipeline uses
//! ([`Pipeline::scripts`](crate::pipeline::Pipeline::scripts)) and `SCRIPT LOAD` for those
//! missing, exactly as redis-py does.
//!
//! Redis 7 functions need no such dance (they are loaded once, by name, and persisted);
//! [`fcall`], [`fcall_ro`], [`function_load`] and [`function_list`] build their commands.
//!
//! ```
//! use ferrodis_commands::script::Script;
//!
//! let script = Script::new("return redis.call('GET', KEYS[1])");
//! assert_eq!(script.sha(), "d3c21d0c2b9ca22f82737626a27bcaf5d288f99f");
//! let cmd = script.key("greeting").evalsha_cmd();
//! assert_eq!(
//!     cmd.args().collect::<Vec<_>>(),
//!     [&b"EVALSHA"[..], b"d3c21d0c2b9ca22f82737626a27bcaf5d288f99f", b"1", b"greeting"]
//! );
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use crate::args::{ArgWriter, ToArgs};
use crate::cmd::{Cmd, Typed};
use crate::error::{Error, ErrorCode, ServerError};
use crate::handshake::Step;
use ferrodis_resp::Value;

/// A Lua script and its SHA1. Cheap to clone. See the [module docs](self).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Script {
    code: Arc<str>,
    sha: String,
}

impl fmt::Debug for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Script")
            .field("sha", &self.sha)
            .finish_non_exhaustive()
    }
}

impl Script {
    /// A script with this Lua source.
    pub fn new(code: &str) -> Script {
        let sha = sha1_smol::Sha1::from(code).digest().to_string();
        Script {
            code: Arc::from(code),
            sha,
        }
    }

    /// The SHA1 of the source, in lowercase hex, as `SCRIPT LOAD` returns it.
    pub fn sha(&self) -> &str {
        &self.sha
    }

    /// The Lua source.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// `SCRIPT LOAD source`, whose reply is the SHA1.
    pub fn load_cmd(&self) -> Typed<String> {
        Typed::new(Cmd::new("SCRIPT").arg("LOAD").arg(&*self.code))
    }

    /// A call of this script with no keys or arguments yet.
    pub fn invocation(&self) -> ScriptInvocation<'_> {
        ScriptInvocation {
            script: self,
            keys: Cmd::with_capacity(0),
            args: Cmd::with_capacity(0),
            read_only: false,
        }
    }

    /// A call of this script with a first key (redis-rs's `script.key(k)`).
    pub fn key<K: ToArgs>(&self, key: K) -> ScriptInvocation<'_> {
        self.invocation().key(key)
    }

    /// A call of this script with a first argument.
    pub fn arg<A: ToArgs>(&self, arg: A) -> ScriptInvocation<'_> {
        self.invocation().arg(arg)
    }
}

/// A call of a [`Script`] with its keys and arguments.
#[derive(Clone)]
pub struct ScriptInvocation<'a> {
    script: &'a Script,
    /// The keys, encoded (a `Cmd` used as an argument buffer).
    keys: Cmd,
    args: Cmd,
    read_only: bool,
}

impl fmt::Debug for ScriptInvocation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptInvocation")
            .field("sha", &self.script.sha)
            .field("keys", &self.keys)
            .field("args", &self.args)
            .field("read_only", &self.read_only)
            .finish()
    }
}

impl<'a> ScriptInvocation<'a> {
    /// Adds key(s): `KEYS[1]`, `KEYS[2]`, ... in the script. Each argument a value
    /// writes is one key (a slice of keys adds them all).
    #[must_use]
    pub fn key<K: ToArgs>(mut self, key: K) -> ScriptInvocation<'a> {
        key.write_args(&mut self.keys);
        self
    }

    /// Adds argument(s): `ARGV[1]`, `ARGV[2]`, ... in the script.
    #[must_use]
    pub fn arg<A: ToArgs>(mut self, arg: A) -> ScriptInvocation<'a> {
        arg.write_args(&mut self.args);
        self
    }

    /// Adds key(s) in place.
    pub fn push_key<K: ToArgs>(&mut self, key: K) -> &mut ScriptInvocation<'a> {
        key.write_args(&mut self.keys);
        self
    }

    /// Adds argument(s) in place.
    pub fn push_arg<A: ToArgs>(&mut self, arg: A) -> &mut ScriptInvocation<'a> {
        arg.write_args(&mut self.args);
        self
    }

    /// Calls the script with `EVALSHA_RO` / `EVAL_RO` (Redis 7), which a replica serves
    /// and which fails if the script writes.
    #[must_use]
    pub fn read_only(mut self) -> ScriptInvocation<'a> {
        self.read_only = true;
        self
    }

    /// The script.
    pub fn script(&self) -> &'a Script {
        self.script
    }

    /// `EVALSHA sha numkeys keys... args...` (or `EVALSHA_RO`).
    pub fn evalsha_cmd(&self) -> Cmd {
        let name = if self.read_only {
            "EVALSHA_RO"
        } else {
            "EVALSHA"
        };
        self.build(Cmd::new(name).arg(self.script.sha.as_str()))
    }

    /// `EVAL source numkeys keys... args...` (or `EVAL_RO`).
    pub fn eval_cmd(&self) -> Cmd {
        let name = if self.read_only { "EVAL_RO" } else { "EVAL" };
        self.build(Cmd::new(name).arg(&*self.script.code))
    }

    fn build(&self, mut cmd: Cmd) -> Cmd {
        cmd.write_arg_u64(self.keys.argc() as u64);
        for key in self.keys.args() {
            cmd.write_arg(key);
        }
        for arg in self.args.args() {
            cmd.write_arg(arg);
        }
        cmd
    }

    /// The state machine that calls the script, loading it on `NOSCRIPT`.
    pub fn call(&self) -> ScriptCall {
        ScriptCall {
            evalsha: self.evalsha_cmd(),
            load: self.script.load_cmd().into_cmd(),
            state: CallState::Start,
            in_flight: 0,
            result: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallState {
    Start,
    /// The first `EVALSHA` was sent.
    First,
    /// `SCRIPT LOAD` and the second `EVALSHA` were sent; the load's reply is awaited.
    Load,
    /// The load's reply is in; the second `EVALSHA`'s is awaited.
    Retry,
    Finished,
}

/// Calls a script: `EVALSHA`, and on `NOSCRIPT`, `SCRIPT LOAD` + `EVALSHA` pipelined. See
/// the [module docs](self); drive it like a [`Handshake`](crate::handshake::Handshake)
/// (its [`Step`]s). The result is the script's reply, an error reply included (convert
/// it with [`FromValue`](crate::FromValue), which turns that into [`Error::Server`]);
/// a failed `SCRIPT LOAD` (a syntax error in the script) is an `Err`.
///
/// ```
/// use ferrodis_commands::handshake::Step;
/// use ferrodis_commands::script::Script;
/// use ferrodis_commands::Value;
///
/// let script = Script::new("return 1");
/// let mut call = script.invocation().call();
/// assert!(matches!(call.poll()?, Step::Send(_))); // EVALSHA
/// assert!(matches!(call.poll()?, Step::Receive));
/// call.on_reply(Value::SimpleError("NOSCRIPT No matching script. Please use EVAL.".into()));
/// assert!(matches!(call.poll()?, Step::Send(_))); // SCRIPT LOAD
/// assert!(matches!(call.poll()?, Step::Send(_))); // EVALSHA again
/// assert!(matches!(call.poll()?, Step::Receive));
/// call.on_reply(Value::BulkString(script.sha().to_owned().into()));
/// assert!(matches!(call.poll()?, Step::Receive));
/// call.on_reply(Value::Integer(1));
/// assert!(matches!(call.poll()?, Step::Done(Value::Integer(1))));
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ScriptCall {
    evalsha: Cmd,
    load: Cmd,
    state: CallState,
    /// Commands handed out by `poll` in the current state and not yet sent.
    in_flight: u8,
    result: Option<Result<Value, Error>>,
}

impl ScriptCall {
    /// What to do next. See [`Step`].
    pub fn poll(&mut self) -> Result<Step<Value>, Error> {
        match self.state {
            CallState::Start => {
                self.state = CallState::First;
                self.in_flight = 1;
                Ok(Step::Send(self.evalsha.clone()))
            }
            CallState::First | CallState::Retry => Ok(Step::Receive),
            CallState::Load => match self.in_flight {
                0 => {
                    self.in_flight = 1;
                    Ok(Step::Send(self.load.clone()))
                }
                1 => {
                    self.in_flight = 2;
                    Ok(Step::Send(self.evalsha.clone()))
                }
                _ => Ok(Step::Receive),
            },
            CallState::Finished => match self.result.take() {
                Some(Ok(value)) => Ok(Step::Done(value)),
                Some(Err(error)) => Err(error),
                None => Err(Error::Conversion {
                    expected: "a script call step",
                    received: "nothing",
                    detail: Some("the script call was polled after it finished".to_owned()),
                }),
            },
        }
    }

    /// Takes the reply to the oldest command sent and not yet answered.
    pub fn on_reply(&mut self, reply: Value) {
        match self.state {
            CallState::First => {
                if is_noscript(&reply) {
                    self.state = CallState::Load;
                    self.in_flight = 0;
                } else {
                    self.finish(Ok(reply));
                }
            }
            CallState::Load => {
                self.state = CallState::Retry;
                if let Value::SimpleError(text) | Value::BulkError(text) = &reply {
                    self.result = Some(Err(Error::Server(ServerError::parse(text))));
                }
            }
            CallState::Retry => {
                let result = self.result.take().unwrap_or(Ok(reply));
                self.finish(result);
            }
            CallState::Start | CallState::Finished => {
                self.finish(Err(Error::Conversion {
                    expected: "no reply",
                    received: reply.type_name(),
                    detail: Some("the script call received a reply it did not ask for".to_owned()),
                }));
            }
        }
    }

    fn finish(&mut self, result: Result<Value, Error>) {
        self.state = CallState::Finished;
        self.result = Some(result);
    }
}

fn is_noscript(reply: &Value) -> bool {
    match reply {
        Value::SimpleError(text) | Value::BulkError(text) => {
            *ServerError::parse(text).code() == ErrorCode::NoScript
        }
        _ => false,
    }
}

/// Makes sure scripts are loaded before a pipeline that calls them runs: `SCRIPT EXISTS`
/// for all of them, then `SCRIPT LOAD` (pipelined) for each one missing. Drive it like a
/// [`Handshake`](crate::handshake::Handshake); it is done at once when there are no
/// scripts.
///
/// ```
/// use ferrodis_commands::handshake::Step;
/// use ferrodis_commands::pipeline::Pipeline;
/// use ferrodis_commands::script::{Script, ScriptPreload};
/// use ferrodis_commands::Value;
///
/// let script = Script::new("return 1");
/// let mut pipe = Pipeline::new();
/// pipe.invoke_script(&script.invocation());
/// let mut preload = ScriptPreload::new(pipe.scripts());
/// assert!(matches!(preload.poll()?, Step::Send(_))); // SCRIPT EXISTS <sha>
/// assert!(matches!(preload.poll()?, Step::Receive));
/// preload.on_reply(Value::Array(vec![Value::Integer(1)])); // it is loaded
/// assert!(matches!(preload.poll()?, Step::Done(())));
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ScriptPreload {
    scripts: Vec<Script>,
    outbox: VecDeque<Cmd>,
    /// Replies awaited: `None` for `SCRIPT EXISTS`, the script's index for a load.
    in_flight: VecDeque<Option<usize>>,
    started: bool,
    error: Option<Error>,
    finished: bool,
}

impl ScriptPreload {
    /// A preload of these scripts (each SHA1 once).
    pub fn new<'s, I: IntoIterator<Item = &'s Script>>(scripts: I) -> ScriptPreload {
        let mut unique: Vec<Script> = Vec::new();
        for script in scripts {
            if !unique.iter().any(|s| s.sha == script.sha) {
                unique.push(script.clone());
            }
        }
        ScriptPreload {
            scripts: unique,
            outbox: VecDeque::new(),
            in_flight: VecDeque::new(),
            started: false,
            error: None,
            finished: false,
        }
    }

    /// `SCRIPT EXISTS sha...` for the scripts, or `None` when there are none.
    pub fn exists_cmd(&self) -> Option<Cmd> {
        if self.scripts.is_empty() {
            return None;
        }
        let mut cmd = Cmd::new("SCRIPT").arg("EXISTS");
        for script in &self.scripts {
            cmd.push_arg(script.sha.as_str());
        }
        Some(cmd)
    }

    /// From the reply to [`exists_cmd`](ScriptPreload::exists_cmd), the `SCRIPT LOAD`s
    /// needed (with the indexes of their scripts).
    fn loads_needed(&self, exists: Value) -> Result<Vec<(usize, Cmd)>, Error> {
        let flags: Vec<bool> = crate::FromValue::from_value(exists)?;
        if flags.len() != self.scripts.len() {
            return Err(Error::Conversion {
                expected: "SCRIPT EXISTS flags",
                received: "array",
                detail: Some(format!(
                    "{} flags for {} scripts",
                    flags.len(),
                    self.scripts.len()
                )),
            });
        }
        Ok(flags
            .into_iter()
            .enumerate()
            .filter(|(_, exists)| !exists)
            .map(|(i, _)| (i, self.scripts[i].load_cmd().into_cmd()))
            .collect())
    }

    /// What to do next. See [`Step`].
    pub fn poll(&mut self) -> Result<Step<()>, Error> {
        if self.finished {
            return Err(Error::Conversion {
                expected: "a script preload step",
                received: "nothing",
                detail: Some("the script preload was polled after it finished".to_owned()),
            });
        }
        if !self.started {
            self.started = true;
            if let Some(cmd) = self.exists_cmd() {
                self.outbox.push_back(cmd);
                self.in_flight.push_back(None);
            }
        }
        if let Some(cmd) = self.outbox.pop_front() {
            return Ok(Step::Send(cmd));
        }
        if !self.in_flight.is_empty() {
            return Ok(Step::Receive);
        }
        self.finished = true;
        match self.error.take() {
            Some(error) => Err(error),
            None => Ok(Step::Done(())),
        }
    }

    /// Takes the reply to the oldest command sent and not yet answered.
    pub fn on_reply(&mut self, reply: Value) {
        let Some(expect) = self.in_flight.pop_front() else {
            if self.error.is_none() {
                self.error = Some(Error::Conversion {
                    expected: "no reply",
                    received: reply.type_name(),
                    detail: Some(
                        "the script preload received a reply it did not ask for".to_owned(),
                    ),
                });
            }
            return;
        };
        if self.error.is_some() {
            return;
        }
        match expect {
            None => match self.loads_needed(reply) {
                Ok(loads) => {
                    for (index, cmd) in loads {
                        self.outbox.push_back(cmd);
                        self.in_flight.push_back(Some(index));
                    }
                }
                Err(error) => self.error = Some(error),
            },
            Some(_) => {
                if let Value::SimpleError(text) | Value::BulkError(text) = &reply {
                    self.error = Some(Error::Server(ServerError::parse(text)));
                }
            }
        }
    }
}

/// Writes `keys` into `cmd` after their count (`numkeys`), then `args`.
fn push_keys_and_args<K: ToArgs, A: ToArgs>(mut cmd: Cmd, keys: K, args: A) -> Cmd {
    let mut key_buf = Cmd::with_capacity(0);
    keys.write_args(&mut key_buf);
    cmd.write_arg_u64(key_buf.argc() as u64);
    for key in key_buf.args() {
        cmd.write_arg(key);
    }
    args.write_args(&mut cmd);
    cmd
}

/// A sans-IO state machine of the `poll` / `on_reply` shape ([`Step`]): what a transport's
/// one generic driver loop runs, whatever the machine.
///
/// Why a trait here: [`ScriptCall`] and [`ScriptPreload`] (and any machine of this shape)
/// are driven the same way by every transport: add what `poll` says to `Send` to the
/// write buffer, and on `Receive` flush, read one reply and hand it to `on_reply`, until
/// `Done`. With the trait, each transport writes that loop once, generically, instead of
/// once per machine, and the blocking and async clients share the list of machines.
///
/// ```
/// use ferrodis_commands::script::{Script, StepMachine};
/// use ferrodis_commands::{Step, Value};
///
/// fn drive<M: StepMachine>(machine: &mut M, mut server: impl FnMut() -> Value)
///     -> ferrodis_commands::Result<M::Output>
/// {
///     loop {
///         match machine.poll()? {
///             Step::Send(_cmd) => {}                      // write it
///             Step::Receive => machine.on_reply(server()), // flush, read one reply
///             Step::Done(output) => return Ok(output),
///         }
///     }
/// }
///
/// let script = Script::new("return 1");
/// let reply = drive(&mut script.invocation().call(), || Value::Integer(1))?;
/// assert_eq!(reply, Value::Integer(1));
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
pub trait StepMachine {
    /// What the machine finishes with.
    type Output;

    /// What to do next.
    ///
    /// # Errors
    ///
    /// The machine's own error, once every reply to what it sent has been read.
    fn poll(&mut self) -> Result<Step<Self::Output>, Error>;

    /// The reply to the oldest command sent and not yet answered.
    fn on_reply(&mut self, reply: Value);
}

impl StepMachine for ScriptCall {
    type Output = Value;

    fn poll(&mut self) -> Result<Step<Value>, Error> {
        ScriptCall::poll(self)
    }

    fn on_reply(&mut self, reply: Value) {
        ScriptCall::on_reply(self, reply);
    }
}

impl StepMachine for ScriptPreload {
    type Output = ();

    fn poll(&mut self) -> Result<Step<()>, Error> {
        ScriptPreload::poll(self)
    }

    fn on_reply(&mut self, reply: Value) {
        ScriptPreload::on_reply(self, reply);
    }
}

/// Refuses to drive a [`StepMachine`] on a connection that still owes
/// `pending_replies` replies to earlier sends: the machine would take the first of them
/// for the answer to its own command.
///
/// # Errors
///
/// [`Error::Config`] (part `"connection"`) saying how many replies are unread.
pub fn check_no_pending(pending_replies: usize) -> Result<(), Error> {
    match pending_replies {
        0 => Ok(()),
        pending => Err(Error::Config {
            part: "connection",
            reason: format!(
                "{pending} replies to earlier sends are unread; read them with recv first"
            ),
        }),
    }
}

/// `FCALL function numkeys keys... args...`: calls a Redis 7 function. `keys` and `args`
/// may each be one value or a slice, `Vec`, array or tuple of them; `numkeys` is counted.
/// For none, pass an empty array: `[""; 0]`.
///
/// ```
/// use ferrodis_commands::script::fcall;
///
/// let cmd = fcall("myfunc", ["key1", "key2"], 42);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"FCALL"[..], b"myfunc", b"2", b"key1", b"key2", b"42"]
/// );
/// ```
pub fn fcall<F: ToArgs, K: ToArgs, A: ToArgs>(function: F, keys: K, args: A) -> Typed<Value> {
    Typed::new(push_keys_and_args(
        Cmd::new("FCALL").arg(function),
        keys,
        args,
    ))
}

/// `FCALL_RO function numkeys keys... args...`: calls a function flagged `no-writes`
/// (which a replica serves). See [`fcall`].
pub fn fcall_ro<F: ToArgs, K: ToArgs, A: ToArgs>(function: F, keys: K, args: A) -> Typed<Value> {
    Typed::new(push_keys_and_args(
        Cmd::new("FCALL_RO").arg(function),
        keys,
        args,
    ))
}

/// `FUNCTION LOAD code`: loads a library; the reply is the library's name. Fails if a
/// library of that name exists (see [`function_load_replace`]).
pub fn function_load<C: ToArgs>(code: C) -> Typed<String> {
    Typed::new(Cmd::new("FUNCTION").arg("LOAD").arg(code))
}

/// `FUNCTION LOAD REPLACE code`: loads a library, replacing one of the same name.
pub fn function_load_replace<C: ToArgs>(code: C) -> Typed<String> {
    Typed::new(Cmd::new("FUNCTION").arg("LOAD").arg("REPLACE").arg(code))
}

/// `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]`: the libraries (matching the
/// pattern) and their functions (and code).
///
/// ```
/// use ferrodis_commands::script::function_list;
///
/// let cmd = function_list(Some("my*"), true);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"FUNCTION"[..], b"LIST", b"LIBRARYNAME", b"my*", b"WITHCODE"]
/// );
/// ```
pub fn function_list(library_pattern: Option<&str>, with_code: bool) -> Typed<Value> {
    let mut cmd = Cmd::new("FUNCTION").arg("LIST");
    if let Some(pattern) = library_pattern {
        cmd.push_arg("LIBRARYNAME").push_arg(pattern);
    }
    if with_code {
        cmd.push_arg("WITHCODE");
    }
    Typed::new(cmd)
}

/// Writes, inside a transport crate, the IO-free half of its script handles: its
/// `Script` type (a [`Script`] bound to the registering client, documented by the
/// attributes given), with its accessors, and its `Invocation<'s>` type (a
/// [`ScriptInvocation`] and a `&'s Client`) with its builder methods. The transport adds
/// what does IO (`load`, `run`, `invoke`, ...) in impl blocks of its own.
///
/// ```text
/// ferrodis_commands::__script_handles! {
///     /// A Lua script bound to the client that registered it, ...
///     pub struct Script for Client;
/// }
/// ```
///
/// Why a macro: the blocking and async `Script` and `Invocation` are different types
/// (each is bound to its own `Client`), and inherent methods cannot be added to a type of
/// another crate, so a shared generic type would have forced a trait import on every
/// user. The macro writes the methods once, with their docs, for both; a fix here is a fix
/// in both clients. Not a public API: its shape may change with the transports.
#[doc(hidden)]
#[macro_export]
macro_rules! __script_handles {
    ($(#[$meta:meta])* pub struct Script for $client:ty;) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct Script {
            inner: $crate::script::Script,
            client: $client,
        }

        impl ::std::fmt::Debug for Script {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Script")
                    .field("sha", &self.inner.sha())
                    .finish_non_exhaustive()
            }
        }

        impl Script {
            /// The SHA1 of the source, in lowercase hex.
            pub fn sha(&self) -> &str {
                self.inner.sha()
            }

            /// The Lua source.
            pub fn code(&self) -> &str {
                self.inner.code()
            }

            /// The sans-IO script (for a [`ferrodis_commands::Pipeline`] or another driver).
            pub fn core(&self) -> &$crate::script::Script {
                &self.inner
            }

            /// The client that registered the script, which [`Invocation::run`] uses.
            pub fn client(&self) -> &$client {
                &self.client
            }

            /// A call of this script with no keys or arguments yet.
            pub fn invocation(&self) -> Invocation<'_> {
                Invocation {
                    inner: self.inner.invocation(),
                    client: &self.client,
                }
            }

            /// A call of this script with a first key (`KEYS[1]`); a slice or `Vec` adds
            /// several.
            pub fn key<K: $crate::ToArgs>(&self, key: K) -> Invocation<'_> {
                self.invocation().key(key)
            }

            /// A call of this script with a first argument (`ARGV[1]`).
            pub fn arg<A: $crate::ToArgs>(&self, arg: A) -> Invocation<'_> {
                self.invocation().arg(arg)
            }
        }

        /// One call of a [`Script`]: its keys and arguments, then where to run it:
        /// [`run`](Invocation::run) (the registering client), [`invoke`](Invocation::invoke)
        /// (any client), [`invoke_on`](Invocation::invoke_on) (a connection) or
        /// [`queue`](Invocation::queue) (a pipeline).
        #[derive(Clone)]
        pub struct Invocation<'s> {
            inner: $crate::script::ScriptInvocation<'s>,
            client: &'s $client,
        }

        impl ::std::fmt::Debug for Invocation<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Invocation")
                    .field("call", &self.inner)
                    .finish_non_exhaustive()
            }
        }

        impl<'s> Invocation<'s> {
            /// Adds key(s): `KEYS[1]`, `KEYS[2]`, ... in the script.
            #[must_use]
            pub fn key<K: $crate::ToArgs>(mut self, key: K) -> Invocation<'s> {
                self.inner = self.inner.key(key);
                self
            }

            /// Adds argument(s): `ARGV[1]`, `ARGV[2]`, ... in the script.
            #[must_use]
            pub fn arg<A: $crate::ToArgs>(mut self, arg: A) -> Invocation<'s> {
                self.inner = self.inner.arg(arg);
                self
            }

            /// Calls the script with `EVALSHA_RO` (Redis 7): a replica serves it, and it
            /// fails if the script writes.
            #[must_use]
            pub fn read_only(mut self) -> Invocation<'s> {
                self.inner = self.inner.read_only();
                self
            }

            /// The sans-IO invocation.
            pub fn core(&self) -> &$crate::script::ScriptInvocation<'s> {
                &self.inner
            }
        }
    };
}
