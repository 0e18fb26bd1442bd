//! Lua scripts and Redis functions on the async client.
//!
//! Why a [`Script`] object rather than `EVAL`: sending a script's source with every call
//! wastes bandwidth, and calling it by SHA1 (`EVALSHA`) fails with `NOSCRIPT` on a server
//! that has not seen it (another server, a restart, a `SCRIPT FLUSH`). A [`Script`], made
//! by [`Client::register_script`] as in redis-py and aredis, calls `EVALSHA` and, on
//! `NOSCRIPT`, `SCRIPT LOAD` + `EVALSHA` again in one round trip: the state machine is
//! [`ScriptCall`](core_script::ScriptCall) in ferrodis-commands, the same one the
//! blocking client drives. It runs on any [`Client`], including one pointing at another
//! server, and in [pipelines](crate::pipeline), which load their scripts before they run.
//!
//! A call through a [`Client`] goes over its [multiplexed
//! connection](crate::MultiplexedConnection), like any other non-blocking command:
//! concurrent script calls share one socket and are pipelined together, and the `SCRIPT
//! LOAD` + `EVALSHA` pair of a `NOSCRIPT` retry is written as one block, so nothing comes
//! between them.
//!
//! ```no_run
//! use ferrodis_async::Client;
//! use ferrodis_commands::{AsyncCommands, PipelineCommands};
//!
//! # async fn demo() -> ferrodis_commands::Result<()> {
//! let r = Client::open("redis://127.0.0.1:6380")?;
//! let multiply = r.register_script(
//!     "local value = redis.call('GET', KEYS[1])\n\
//!      value = tonumber(value)\n\
//!      return value * ARGV[1]",
//! );
//! r.set::<_, _, ()>("foo", 2).await?;
//! // aredis: await multiply.execute(keys=['foo'], args=[5])
//! let ten: i64 = multiply.key("foo").arg(5).run().await?;
//! // On another client (another server): multiply.execute(keys=['foo'], args=[5], client=r2)
//! let r2 = Client::open("redis://127.0.0.1:6381")?;
//! r2.set::<_, _, ()>("foo", 3).await?;
//! let fifteen: i64 = multiply.key("foo").arg(5).invoke(&r2).await?;
//! // In a pipeline: [True, 25]
//! let mut pipe = r.pipeline();
//! pipe.set("foo", 5);
//! multiply.key("foo").arg(5).queue(&mut pipe);
//! let (ok, product): (bool, i64) = pipe.query().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Redis 7 functions need no such dance (a library is loaded once, by name, and
//! persisted): [`Client::call_function`], [`Client::call_function_ro`],
//! [`Client::load_function`] and [`Client::list_functions`] are thin helpers over
//! [`ferrodis_commands::script`]'s constructors.

use std::collections::VecDeque;
use std::future::Future;
use std::io;

use ferrodis_commands::replies::FunctionLibrary;
use ferrodis_commands::script::{
    self as core_script, fcall, fcall_ro, function_list, function_load, function_load_replace,
};
use ferrodis_commands::{Cmd, Error, FromValue, Result, Step, ToArgs, Value};

use crate::client::Client;
use crate::connection::Connection;
use crate::multiplexed::MultiplexedConnection;
use crate::pipeline::Pipeline;

// `Script` and `Invocation`, with their IO-free methods (accessors, builders): written
// once for both clients in the sans-IO core. The methods that do IO follow.
ferrodis_commands::__script_handles! {
    /// A Lua script bound to the client that registered it, called by SHA1 and loaded on
    /// `NOSCRIPT`. Made by [`Client::register_script`]; cheap to clone (it holds a clone of
    /// that client, a handle on its connections). See the [module docs](self).
    pub struct Script for Client;
}

impl Client {
    /// A [`Script`] with this Lua source (redis-py's and aredis's `register_script`).
    /// Nothing is sent yet: the script is loaded on the first call that finds it missing.
    pub fn register_script(&self, lua: &str) -> Script {
        Script {
            inner: core_script::Script::new(lua),
            client: self.clone(),
        }
    }

    /// `FCALL function numkeys keys... args...`: calls a Redis 7 function, converting its
    /// reply into `T`. `keys` and `args` may each be one value or a slice, `Vec`, array or
    /// tuple of them (`numkeys` is counted); for none, pass `[""; 0]`.
    ///
    /// # Errors
    ///
    /// The function's error reply as [`Error::Server`] (unless `T` is [`Value`]), the
    /// connection's errors, [`Error::Conversion`].
    pub async fn call_function<T: FromValue>(
        &self,
        function: impl ToArgs,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> Result<T> {
        self.query_as(fcall(function, keys, args)).await
    }

    /// `FCALL_RO`: calls a function flagged `no-writes` (which a replica serves). See
    /// [`call_function`](Client::call_function).
    ///
    /// # Errors
    ///
    /// As [`call_function`](Client::call_function); the server refuses a function without
    /// the `no-writes` flag.
    pub async fn call_function_ro<T: FromValue>(
        &self,
        function: impl ToArgs,
        keys: impl ToArgs,
        args: impl ToArgs,
    ) -> Result<T> {
        self.query_as(fcall_ro(function, keys, args)).await
    }

    /// `FUNCTION LOAD code`: loads a library and returns its name.
    ///
    /// # Errors
    ///
    /// The server's error if a library of that name exists (see
    /// [`load_function_replace`](Client::load_function_replace)) or the code is invalid.
    pub async fn load_function(&self, code: &str) -> Result<String> {
        self.query(function_load(code)).await
    }

    /// `FUNCTION LOAD REPLACE code`: loads a library, replacing one of the same name.
    ///
    /// # Errors
    ///
    /// The server's error if the code is invalid; the connection's errors.
    pub async fn load_function_replace(&self, code: &str) -> Result<String> {
        self.query(function_load_replace(code)).await
    }

    /// `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]`: the libraries (whose names match
    /// the pattern) with their functions, and their code if `with_code`.
    ///
    /// # Errors
    ///
    /// The connection's errors, [`Error::Conversion`] for a reply of another shape.
    pub async fn list_functions(
        &self,
        library_pattern: Option<&str>,
        with_code: bool,
    ) -> Result<Vec<FunctionLibrary>> {
        self.query_as(function_list(library_pattern, with_code))
            .await
    }
}

impl Script {
    /// `SCRIPT LOAD`s the script on `client`'s server now (rarely needed: calls load it
    /// when missing). Returns the SHA1.
    ///
    /// # Errors
    ///
    /// The server's error for a script that does not compile; the connection's errors.
    pub async fn load(&self, client: &Client) -> Result<String> {
        client.query(self.inner.load_cmd()).await
    }
}

impl<'s> Invocation<'s> {
    /// Runs the script on the client that registered it (aredis's `await
    /// multiply.execute(keys=..., args=...)`), loading it on `NOSCRIPT`, and converts its
    /// reply.
    ///
    /// # Errors
    ///
    /// An error the script raised is an [`Error::Server`], unless `T` is [`Value`],
    /// which keeps error replies; a script that does not compile is an `Error::Server`
    /// from `SCRIPT LOAD`; the connection's errors; [`Error::Conversion`].
    pub async fn run<T: FromValue>(&self) -> Result<T> {
        self.invoke(self.client).await
    }

    /// Runs the script on `client` (aredis's `client=` argument), which may point at
    /// another server: the script is loaded there on `NOSCRIPT`. The call goes over the
    /// client's multiplexed connection.
    ///
    /// If that connection drops during the call, a [read-only](Invocation::read_only)
    /// call is made again, once, on a new connection (it cannot have written anything); a
    /// call that may write is not, since the server may have run it.
    ///
    /// # Errors
    ///
    /// As [`run`](Invocation::run).
    pub async fn invoke<T: FromValue>(&self, client: &Client) -> Result<T> {
        let reply = match run_script_multiplexed(&client.multiplexed().await?, &self.inner).await {
            Err(error) if error.is_connection_dropped() && self.is_read_only() => {
                run_script_multiplexed(&client.multiplexed().await?, &self.inner).await?
            }
            other => other?,
        };
        T::from_value(reply)
    }

    /// Runs the script on a connection (a dedicated one, or a pooled lease).
    ///
    /// # Errors
    ///
    /// As [`run`](Invocation::run); [`Error::Config`] if replies to earlier
    /// [`send`](Connection::send)s are still unread on `conn`.
    pub async fn invoke_on<T: FromValue>(&self, conn: &mut Connection) -> Result<T> {
        T::from_value(run_script(conn, &self.inner).await?)
    }

    /// Adds the call to a pipeline (aredis's `client=pipe`); the script is loaded before
    /// the pipeline runs if the server lacks it. Same as [`Pipeline::invoke_script`].
    pub fn queue<'p, 'c>(&self, pipe: &'p mut Pipeline<'c>) -> &'p mut Pipeline<'c> {
        pipe.invoke_script(self)
    }

    fn is_read_only(&self) -> bool {
        self.inner.evalsha_cmd().flags().is_readonly()
    }
}

/// Calls a script on a connection, driving [`ScriptCall`](core_script::ScriptCall): its
/// reply, an error reply included (as a value).
pub(crate) async fn run_script(
    conn: &mut Connection,
    invocation: &core_script::ScriptInvocation<'_>,
) -> Result<Value> {
    drive(conn, &mut invocation.call()).await
}

/// [`run_script`] over a multiplexed connection.
pub(crate) async fn run_script_multiplexed(
    conn: &MultiplexedConnection,
    invocation: &core_script::ScriptInvocation<'_>,
) -> Result<Value> {
    drive_multiplexed(conn, &mut invocation.call()).await
}

/// The machines' shared shape, from the sans-IO core (re-exported for the drivers of
/// this crate).
pub(crate) use ferrodis_commands::script::StepMachine;

/// Where a machine's commands go: a batch of commands written together, and their
/// replies (error replies as values), in order.
trait Exchange {
    fn exchange(&mut self, cmds: Vec<Cmd>) -> impl Future<Output = Result<Vec<Value>>> + Send;
}

fn encode(cmds: &[Cmd]) -> impl FnOnce(&mut bytes::BytesMut) + '_ {
    move |buf| {
        for cmd in cmds {
            cmd.write_to(buf);
        }
    }
}

impl Exchange for &mut Connection {
    async fn exchange(&mut self, cmds: Vec<Cmd>) -> Result<Vec<Value>> {
        (**self).exchange(encode(&cmds), cmds.len(), None).await
    }
}

impl Exchange for &MultiplexedConnection {
    async fn exchange(&mut self, cmds: Vec<Cmd>) -> Result<Vec<Value>> {
        (**self).exchange(encode(&cmds), cmds.len()).await
    }
}

/// Drives a state machine on a connection: the commands it sends are written together
/// when it first waits for a reply, and their replies read in one round trip, until it is
/// done. The machines read every reply they asked for before finishing, even on errors,
/// so the connection stays in sync unless it fails; a call dropped half-way leaves the
/// replies it still owed to be discarded by the connection.
///
/// Fails at once if replies to earlier [`send`](Connection::send)s are unread on `conn`:
/// they would be taken for the machine's.
pub(crate) async fn drive<M: StepMachine>(
    conn: &mut Connection,
    machine: &mut M,
) -> Result<M::Output> {
    check_no_pending(conn)?;
    drive_on(conn, machine).await
}

/// [`drive`] over a multiplexed connection: each batch is written as one block, so no
/// other caller's command comes between a machine's commands.
pub(crate) async fn drive_multiplexed<M: StepMachine>(
    conn: &MultiplexedConnection,
    machine: &mut M,
) -> Result<M::Output> {
    drive_on(conn, machine).await
}

async fn drive_on<X: Exchange, M: StepMachine>(
    mut target: X,
    machine: &mut M,
) -> Result<M::Output> {
    let mut unsent: Vec<Cmd> = Vec::new();
    let mut replies: VecDeque<Value> = VecDeque::new();
    loop {
        match machine.poll()? {
            Step::Send(cmd) => unsent.push(cmd),
            Step::Receive => {
                if replies.is_empty() && !unsent.is_empty() {
                    let batch = std::mem::take(&mut unsent);
                    let count = batch.len();
                    let values = target.exchange(batch).await?;
                    if values.len() != count {
                        return Err(out_of_step(format!(
                            "{count} replies were due, {} came",
                            values.len()
                        )));
                    }
                    replies.extend(values);
                }
                match replies.pop_front() {
                    Some(reply) => machine.on_reply(reply),
                    None => return Err(out_of_step("a reply was awaited, but nothing was sent")),
                }
            }
            Step::Done(output) => return Ok(output),
        }
    }
}

/// A driver and its state machine disagree on the replies (a bug, not a server fault).
fn out_of_step(detail: impl Into<String>) -> Error {
    Error::from(io::Error::new(
        io::ErrorKind::InvalidData,
        format!("script driver out of step: {}", detail.into()),
    ))
}

/// Fails if replies to earlier sends are still unread on `conn`: the next reply read would
/// be theirs, not the answer to what is sent next.
pub(crate) fn check_no_pending(conn: &Connection) -> Result<()> {
    core_script::check_no_pending(conn.pending_replies())
}
