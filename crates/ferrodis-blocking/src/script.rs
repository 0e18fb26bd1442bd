//! Lua scripts and Redis functions on the blocking client.
//!
//! Why a [`Script`] object rather than `EVAL`: sending a script's source with every call
//! wastes bandwidth, and calling it by SHA1 (`EVALSHA`) fails with `NOSCRIPT` on a server
//! that has not seen it (another server, a restart, a `SCRIPT FLUSH`). A [`Script`], made
//! by [`Client::register_script`] as in redis-py, calls `EVALSHA` and, on `NOSCRIPT`,
//! `SCRIPT LOAD` + `EVALSHA` again in one round trip: the state machine is
//! [`ScriptCall`](core_script::ScriptCall) in ferrodis-commands, driven here on a pooled
//! connection. It runs on any [`Client`],
//! including one pointing at another server, and in [pipelines](crate::pipeline), which
//! load their scripts before they run.
//!
//! ```no_run
//! use ferrodis_blocking::Client;
//! use ferrodis_commands::{Commands, PipelineCommands};
//!
//! let r = Client::open("redis://127.0.0.1:6380")?;
//! let multiply = r.register_script(
//!     "local value = redis.call('GET', KEYS[1])\n\
//!      value = tonumber(value)\n\
//!      return value * ARGV[1]",
//! );
//! r.set::<_, _, ()>("foo", 2)?;
//! // redis-py: multiply(keys=['foo'], args=[5])
//! let ten: i64 = multiply.key("foo").arg(5).run()?;
//! // On another client (another server): multiply(keys=['foo'], args=[5], client=r2)
//! let r2 = Client::open("redis://127.0.0.1:6381")?;
//! r2.set::<_, _, ()>("foo", 3)?;
//! let fifteen: i64 = multiply.key("foo").arg(5).invoke(&r2)?;
//! // In a pipeline: [True, 25]
//! let mut pipe = r.pipeline();
//! pipe.set("foo", 5);
//! multiply.key("foo").arg(5).queue(&mut pipe);
//! let (ok, product): (bool, i64) = pipe.query()?;
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```
//!
//! Redis 7 functions need no such dance (a library is loaded once, by name, and
//! persisted): [`Client::call_function`], [`Client::call_function_ro`],
//! [`Client::load_function`] and [`Client::list_functions`] are thin helpers over
//! [`ferrodis_commands::script`]'s constructors.

use ferrodis_commands::replies::FunctionLibrary;
use ferrodis_commands::script::{
    self as core_script, fcall, fcall_ro, function_list, function_load, function_load_replace,
};
use ferrodis_commands::{FromValue, Result, Step, ToArgs, Value};

use crate::client::Client;
use crate::connection::Connection;
use crate::pipeline::Pipeline;

// `Script` and `Invocation`, with their IO-free methods (accessors, builders): written
// once for both clients in the sans-IO core. The methods that do IO follow.
ferrodis_commands::__script_handles! {
    /// A Lua script bound to the client that registered it, called by SHA1 and loaded on
    /// `NOSCRIPT`. Made by [`Client::register_script`]; cheap to clone (it holds a clone of
    /// that client, a handle on its pool). See the [module docs](self).
    pub struct Script for Client;
}

impl Client {
    /// A [`Script`] with this Lua source (redis-py's `register_script`). Nothing is sent
    /// yet: the script is loaded on the first call that finds it missing.
    pub fn register_script(&self, lua: &str) -> Script {
        Script {
            inner: core_script::Script::new(lua),
            client: self.clone(),
        }
    }

    /// `FCALL function numkeys keys... args...`: calls a Redis 7 function, converting its
    /// reply into `T`. `keys` and `args` may each be one value or a slice, `Vec`, array or
    /// tuple of them (`numkeys` is counted); for none, pass `[""; 0]`.
    pub fn call_function<T: FromValue>(
        &self,
        function: impl ToArgs,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> Result<T> {
        self.query_as(fcall(function, keys, args))
    }

    /// `FCALL_RO`: calls a function flagged `no-writes` (which a replica serves). See
    /// [`call_function`](Client::call_function).
    pub fn call_function_ro<T: FromValue>(
        &self,
        function: impl ToArgs,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> Result<T> {
        self.query_as(fcall_ro(function, keys, args))
    }

    /// `FUNCTION LOAD code`: loads a library and returns its name. Fails with the server's
    /// error if a library of that name exists (see
    /// [`load_function_replace`](Client::load_function_replace)) or the code is invalid.
    pub fn load_function(&self, code: &str) -> Result<String> {
        self.query(function_load(code))
    }

    /// `FUNCTION LOAD REPLACE code`: loads a library, replacing one of the same name.
    pub fn load_function_replace(&self, code: &str) -> Result<String> {
        self.query(function_load_replace(code))
    }

    /// `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]`: the libraries (whose names match
    /// the pattern) with their functions, and their code if `with_code`.
    pub fn list_functions(
        &self,
        library_pattern: Option<&str>,
        with_code: bool,
    ) -> Result<Vec<FunctionLibrary>> {
        self.query_as(function_list(library_pattern, with_code))
    }
}

impl Script {
    /// `SCRIPT LOAD`s the script on `client`'s server now (rarely needed: calls load it
    /// when missing). Returns the SHA1.
    pub fn load(&self, client: &Client) -> Result<String> {
        client.query(self.inner.load_cmd())
    }
}

impl<'s> Invocation<'s> {
    /// Runs the script on the client that registered it (redis-py's `multiply(keys=...,
    /// args=...)`), loading it on `NOSCRIPT`, and converts its reply. An error the script
    /// raised is an [`Error::Server`](ferrodis_commands::Error::Server), unless `T` is
    /// [`Value`], which keeps error replies; a script that does not compile is an
    /// `Error::Server` from `SCRIPT LOAD`.
    pub fn run<T: FromValue>(&self) -> Result<T> {
        self.invoke(self.client)
    }

    /// Runs the script on `client` (redis-py's `client=` argument), which may point at
    /// another server: the script is loaded there on `NOSCRIPT`.
    ///
    /// A connection reused from the pool may have been closed by the server unnoticed:
    /// the call is then made again on another connection, once, if the script cannot have
    /// run (the request was not written) or cannot have written (a
    /// [read-only](Invocation::read_only) call), as for single commands.
    pub fn invoke<T: FromValue>(&self, client: &Client) -> Result<T> {
        let mut conn = client.get_connection()?;
        let reply = match drive_tracked(&mut conn, &mut self.inner.call()) {
            Ok(reply) => reply,
            Err((error, written))
                if conn.reused
                    && error.is_connection_dropped()
                    && (!written || self.inner.evalsha_cmd().flags().is_readonly()) =>
            {
                drop(conn);
                let mut conn = client.get_connection()?;
                run_script(&mut conn, &self.inner)?
            }
            Err((error, _)) => return Err(error),
        };
        T::from_value(reply)
    }

    /// Runs the script on a connection (a dedicated one, say).
    pub fn invoke_on<T: FromValue>(&self, conn: &mut Connection) -> Result<T> {
        T::from_value(run_script(conn, &self.inner)?)
    }

    /// Adds the call to a pipeline (redis-py's `client=pipe`); the script is loaded before
    /// the pipeline runs if the server lacks it. Same as [`Pipeline::invoke_script`].
    pub fn queue<'p, 'c>(&self, pipe: &'p mut Pipeline<'c>) -> &'p mut Pipeline<'c> {
        pipe.invoke_script(self)
    }
}

/// Calls a script on a connection, driving [`ScriptCall`](core_script::ScriptCall): its
/// reply, an error reply included (as a value).
pub(crate) fn run_script(
    conn: &mut Connection,
    invocation: &core_script::ScriptInvocation<'_>,
) -> Result<Value> {
    drive(conn, &mut invocation.call())
}

/// The machines' shared shape, from the sans-IO core (re-exported for the drivers of
/// this crate).
pub(crate) use ferrodis_commands::script::StepMachine;

/// Drives a state machine on a connection: writes what it sends, flushes and reads when
/// it waits for a reply, until it is done. The machines read every reply they asked for
/// before finishing, even on errors, so the connection stays in sync unless it fails.
pub(crate) fn drive<M: StepMachine>(conn: &mut Connection, machine: &mut M) -> Result<M::Output> {
    drive_tracked(conn, machine).map_err(|(error, _)| error)
}

/// [`drive`], telling with an error whether a request had been written in full before it
/// (if not, the server has run nothing: a single command written in part is not run).
pub(crate) fn drive_tracked<M: StepMachine>(
    conn: &mut Connection,
    machine: &mut M,
) -> std::result::Result<M::Output, (ferrodis_commands::Error, bool)> {
    check_no_pending(conn).map_err(|e| (e, false))?;
    let mut written = false;
    loop {
        match machine.poll().map_err(|e| (e, written))? {
            Step::Send(cmd) => conn.send(&cmd),
            Step::Receive => {
                conn.flush().map_err(|e| (e, written))?;
                written = true;
                let reply = conn.recv().map_err(|e| (e, true))?;
                machine.on_reply(reply);
            }
            Step::Done(output) => return Ok(output),
        }
    }
}

/// Fails if replies to earlier sends are still unread on `conn`: the next reply read would
/// be theirs, not the answer to what is sent next.
pub(crate) fn check_no_pending(conn: &Connection) -> Result<()> {
    core_script::check_no_pending(conn.pending_replies())
}
