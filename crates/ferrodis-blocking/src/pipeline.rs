//! Pipelines and transactions, with redis-py's semantics: buffered commands sent in one
//! round trip, `MULTI`/`EXEC` by default, and `WATCH` for optimistic locking.
//!
//! Why a pipeline: every command sent on its own costs a round trip; a [`Pipeline`]
//! buffers commands (with the same typed methods as the client, from
//! [`PipelineCommands`]) and writes them in one go, then reads the replies in order. By
//! default it is a transaction, as in redis-py: the commands are wrapped in `MULTI` ...
//! `EXEC`, so that nothing from other clients runs in between.
//! [`Client::plain_pipeline`] (or [`Pipeline::set_transaction`]`(false)`) leaves the
//! wrapper out, for plain batching.
//!
//! The logic of matching replies to commands (`+QUEUED` checks, `EXEC`'s array, nil
//! `EXEC`, `EXECABORT`) lives in [`ferrodis_commands::Pipeline`] and its
//! [`ReplyCollector`](ferrodis_commands::ReplyCollector); this module only writes and reads.
//! So, as there:
//!
//! - in a plain pipeline, a command that failed has its error reply in its place (a
//!   `Value::SimpleError`), and the others run and reply as usual;
//! - in a transaction, a command that failed when it ran has its error in its place; a
//!   command refused when queued (a wrong number of arguments, say) discards the whole
//!   transaction, [`Error::ExecAbort`] lists each refused command with its error;
//! - a nil `EXEC` (a watched key changed) is [`Error::Watch`].
//!
//! ## WATCH and immediate mode
//!
//! A transaction cannot read a value and write something computed from it: its commands
//! only run at `EXEC`. Redis's answer is optimistic locking, and this module follows
//! redis-py's shape for it:
//!
//! 1. [`Pipeline::watch`] sends `WATCH` at once, on a connection it takes from the pool and
//!    keeps (pins) until the pipeline is executed, [reset](Pipeline::reset) or dropped.
//! 2. The pipeline is now in *immediate mode*: commands run at once on that connection.
//!    Rust's chaining methods return the pipeline, not a reply, so read values with
//!    [`Pipeline::now`], which gives the whole [`Commands`] API on the pinned connection
//!    (`let n: i64 = pipe.now().get("counter")?;`), or with
//!    [`query_now`](Pipeline::query_now) for any command. A chaining method
//!    (`pipe.get("k")`) also runs at once in immediate mode; its reply is kept for
//!    [`take_reply`](Pipeline::take_reply), as redis-py's `pipe.get('k')` returns it.
//! 3. [`Pipeline::multi`] switches back to buffering; [`Pipeline::execute`] sends
//!    `MULTI` ... `EXEC`, and fails with [`Error::Watch`] if a watched key changed in the
//!    meantime: compute again and retry.
//!
//! [`Client::transaction`] runs that loop for you, as redis-py's `transaction()` does.
//!
//! Whatever happens, the pinned connection goes back to the pool in a known state: after
//! `EXEC` (which clears the watches on the server), or after `UNWATCH` when the pipeline is
//! reset or dropped while watching; a connection whose state is unknown (an IO error, a
//! timeout, a failed `UNWATCH`) is closed instead of being returned.
//!
//! ## Scripts
//!
//! A pipeline cannot recover from `NOSCRIPT` in its middle (later commands have run), so
//! the scripts added with [`Pipeline::invoke_script`] are loaded (`SCRIPT EXISTS`, then
//! `SCRIPT LOAD` for those missing, driving [`ScriptPreload`]) on the same connection just
//! before the pipeline is sent, as redis-py does.
//!
//! ```no_run
//! use ferrodis_blocking::Client;
//! use ferrodis_commands::{Commands, PipelineCommands, Value};
//!
//! let client = Client::open("redis://127.0.0.1:6380")?;
//! // redis-py's `pipe.set('foo', 'bar').sadd('faz', 'baz').incr('auto_number').execute()`
//! let mut pipe = client.pipeline();
//! let (set, added, n): (bool, bool, i64) =
//!     pipe.set("foo", "bar").sadd("faz", "baz").incr("auto_number").query()?;
//!
//! // A client-side INCR with WATCH, retried on conflicts.
//! let new: i64 = client.transaction("OUR-SEQUENCE-KEY", |pipe| {
//!     let current: Option<i64> = pipe.now().get("OUR-SEQUENCE-KEY")?;
//!     let next = current.unwrap_or(0) + 1;
//!     pipe.multi().set("OUR-SEQUENCE-KEY", next);
//!     pipe.execute()?;
//!     Ok(next)
//! })?;
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;

use ferrodis_commands::pipeline::{self as core_pipeline};
use ferrodis_commands::script::ScriptPreload;
use ferrodis_commands::{Cmd, Commands, Error, FromValue, PipelineCommands, Result, Value};

use crate::client::Client;
use crate::connection::Connection;
use crate::pool::PooledConnection;
use crate::script::{check_no_pending, drive, run_script, Invocation};

/// A buffer of commands sent in one round trip, as a transaction (the default) or a plain
/// pipeline, with `WATCH` support. Made by [`Client::pipeline`]; see the
/// [module docs](self).
///
/// The typed command methods come from [`PipelineCommands`] and chain:
/// `pipe.set("a", 1).get("a").incr("n")`. Commands are buffered until
/// [`execute`](Pipeline::execute) or [`query`](Pipeline::query), except in immediate mode
/// (after [`watch`](Pipeline::watch), before [`multi`](Pipeline::multi)), where they run at
/// once.
///
/// After `execute` (successful or not) the pipeline is empty, not watching, and can be
/// used again; its transaction setting is kept. Dropping it resets it (sending `UNWATCH`
/// if it was watching) and returns its connection.
pub struct Pipeline<'a> {
    client: &'a Client,
    /// The buffered commands (and the scripts they call).
    inner: core_pipeline::Pipeline,
    /// MULTI/EXEC unless turned off (redis-py's `transaction=True`).
    transaction: bool,
    /// `multi()` was called: buffered commands run as a transaction whatever `transaction`.
    explicit_multi: bool,
    /// `WATCH` is in effect on `conn`.
    watching: bool,
    /// The connection pinned by `watch`.
    conn: Option<PooledConnection>,
    /// The replies of chaining methods called in immediate mode, oldest first.
    replies: VecDeque<Result<Value>>,
    /// The last execution failed after its commands were sent: they may have run.
    outcome_unknown: bool,
}

impl fmt::Debug for Pipeline<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("transaction", &self.transaction)
            .field("explicit_multi", &self.explicit_multi)
            .field("watching", &self.watching)
            .field("pinned", &self.conn.is_some())
            .field("cmds", &self.inner.cmds())
            .field("unread_replies", &self.replies.len())
            .finish()
    }
}

impl Client {
    /// A pipeline that runs its commands as a transaction (`MULTI` ... `EXEC`), as
    /// redis-py's `pipeline()` does. See [`Pipeline`].
    pub fn pipeline(&self) -> Pipeline<'_> {
        Pipeline::new(self, true)
    }

    /// A plain pipeline: its commands are sent in one round trip, without `MULTI`/`EXEC`
    /// (redis-py's `pipeline(transaction=False)`).
    pub fn plain_pipeline(&self) -> Pipeline<'_> {
        Pipeline::new(self, false)
    }

    /// Runs `f` in a `WATCH` transaction on `keys`, retrying as long as a watched key
    /// changes before `EXEC` (redis-py's `transaction()`); see
    /// [`transaction_with_retries`](Client::transaction_with_retries) for a limit.
    ///
    /// For each attempt, the pipeline `WATCH`es `keys` (no keys: no `WATCH`) and calls `f`,
    /// which reads what it needs in immediate mode ([`Pipeline::now`]), calls
    /// [`Pipeline::multi`], and queues its writes. If `f` executes the pipeline itself
    /// (ending with `pipe.execute()?` or `pipe.query()?`), its results are `f`'s to return;
    /// commands `f` queued but did not execute are executed after it returns (their results
    /// are then not returned). An [`Error::Watch`], from `f` or from that execution, starts
    /// the next attempt; so does, once, a dropped connection before `EXEC` could have run
    /// (the watch is lost with the connection; redis-py turns that into a `WatchError`).
    /// Any other error ends the transaction and is returned.
    ///
    /// ```no_run
    /// # use ferrodis_blocking::Client;
    /// use ferrodis_commands::{Commands, PipelineCommands};
    /// # let client = Client::open("redis://127.0.0.1:6380")?;
    /// // redis-py's client_side_incr.
    /// let (ok,): (bool,) = client.transaction("OUR-SEQUENCE-KEY", |pipe| {
    ///     let current: Option<i64> = pipe.now().get("OUR-SEQUENCE-KEY")?;
    ///     pipe.multi().set("OUR-SEQUENCE-KEY", current.unwrap_or(0) + 1);
    ///     pipe.query()
    /// })?;
    /// assert!(ok);
    /// # Ok::<(), ferrodis_commands::Error>(())
    /// ```
    pub fn transaction<T, K, F>(&self, keys: K, f: F) -> Result<T>
    where
        K: ferrodis_commands::ToArgs,
        F: FnMut(&mut Pipeline<'_>) -> Result<T>,
    {
        self.run_transaction(keys, None, f)
    }

    /// [`transaction`](Client::transaction), giving up after `max_retries` retries (so
    /// `max_retries + 1` attempts) with the last [`Error::Watch`].
    pub fn transaction_with_retries<T, K, F>(&self, keys: K, max_retries: usize, f: F) -> Result<T>
    where
        K: ferrodis_commands::ToArgs,
        F: FnMut(&mut Pipeline<'_>) -> Result<T>,
    {
        self.run_transaction(keys, Some(max_retries), f)
    }

    fn run_transaction<T, K, F>(&self, keys: K, max_retries: Option<usize>, mut f: F) -> Result<T>
    where
        K: ferrodis_commands::ToArgs,
        F: FnMut(&mut Pipeline<'_>) -> Result<T>,
    {
        let watch = Cmd::new("WATCH").arg(keys);
        let has_keys = watch.argc() > 1;
        let mut pipe = self.pipeline();
        let mut retries = 0usize;
        let mut reconnected = false;
        loop {
            pipe.outcome_unknown = false;
            let attempt = (|| {
                if has_keys {
                    pipe.watch_cmd(&watch)?;
                }
                let value = f(&mut pipe)?;
                if !pipe.inner.is_empty() {
                    pipe.execute()?;
                }
                Ok(value)
            })();
            let retry = match &attempt {
                Err(Error::Watch) => max_retries.is_none_or(|max| retries < max),
                // The connection dropped before EXEC could have run (during WATCH, the
                // reads, or the write of the transaction): nothing was committed, and the
                // watch is gone with the connection. redis-py turns this into a
                // WatchError and tries again; so does this, once, on a new connection.
                Err(error) if error.is_connection_dropped() && !pipe.outcome_unknown => {
                    !std::mem::replace(&mut reconnected, true)
                }
                _ => false,
            };
            // Clears what `f` left behind and UNWATCHes if needed. Its own failure (an
            // UNWATCH that failed closed the connection) does not change the outcome.
            let _ = pipe.reset();
            if !retry {
                return attempt;
            }
            retries += 1;
        }
    }
}

impl<'a> Pipeline<'a> {
    fn new(client: &'a Client, transaction: bool) -> Pipeline<'a> {
        Pipeline {
            client,
            inner: if transaction {
                core_pipeline::Pipeline::transaction()
            } else {
                core_pipeline::Pipeline::plain()
            },
            transaction,
            explicit_multi: false,
            watching: false,
            conn: None,
            replies: VecDeque::new(),
            outcome_unknown: false,
        }
    }

    /// The client this pipeline runs on.
    pub fn client(&self) -> &'a Client {
        self.client
    }

    /// Makes this pipeline a transaction (`MULTI` ... `EXEC`, the default) or a plain
    /// pipeline. [`multi`](Pipeline::multi) makes the next execution a transaction either
    /// way.
    pub fn set_transaction(&mut self, transaction: bool) -> &mut Self {
        self.transaction = transaction;
        self
    }

    /// Whether the next [`execute`](Pipeline::execute) sends `MULTI` ... `EXEC`.
    pub fn is_transaction(&self) -> bool {
        self.transaction || self.explicit_multi
    }

    /// Whether `WATCH` is in effect (on the pinned connection).
    pub fn is_watching(&self) -> bool {
        self.watching
    }

    /// Whether commands run at once: after [`watch`](Pipeline::watch), before
    /// [`multi`](Pipeline::multi).
    pub fn is_immediate(&self) -> bool {
        self.watching && !self.explicit_multi
    }

    /// How many commands are buffered.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether no command is buffered.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The buffered commands, in order (without `MULTI` and `EXEC`).
    pub fn cmds(&self) -> &[Cmd] {
        self.inner.cmds()
    }

    /// `WATCH keys` (one key, or a slice, `Vec`, array or tuple of them), sent at once on a
    /// connection taken from the pool and pinned to this pipeline until it is executed,
    /// reset or dropped. The pipeline switches to immediate mode, until
    /// [`multi`](Pipeline::multi). May be called again to watch more keys.
    pub fn watch<K: ferrodis_commands::ToArgs>(&mut self, keys: K) -> Result<&mut Self> {
        self.watch_cmd(&Cmd::new("WATCH").arg(keys))?;
        Ok(self)
    }

    fn watch_cmd(&mut self, watch: &Cmd) -> Result<()> {
        let mut retried = false;
        loop {
            let conn = match &mut self.conn {
                Some(conn) => conn,
                None => self.conn.insert(self.client.get_connection()?),
            };
            let error = match conn.query::<()>(watch) {
                Ok(()) => {
                    self.watching = true;
                    return Ok(());
                }
                Err(error) => error,
            };
            // A connection reused from the pool may have been closed by the server
            // unnoticed; WATCH changes nothing yet, so it is sent again, once, on another
            // connection, unless keys were already watched on this one.
            let stale = conn.reused && error.is_connection_dropped();
            if !in_sync(conn) || !self.watching {
                // Closed on drop if broken (what was watched on it is gone with it),
                // returned otherwise.
                self.conn = None;
                if stale && !self.watching && !retried {
                    retried = true;
                    continue;
                }
                self.watching = false;
            }
            return Err(error);
        }
    }

    /// `UNWATCH`: forgets the watched keys, leaves immediate mode and returns the pinned
    /// connection to the pool. Buffered commands are kept.
    pub fn unwatch(&mut self) -> Result<()> {
        self.release()
    }

    /// Switches back to buffering after [`watch`](Pipeline::watch) (redis-py's
    /// `pipe.multi()`): the commands that follow are buffered, and the next
    /// [`execute`](Pipeline::execute) runs them as a transaction, whatever
    /// [`set_transaction`](Pipeline::set_transaction) says. `MULTI` itself is sent with them,
    /// by `execute`.
    pub fn multi(&mut self) -> &mut Self {
        self.explicit_multi = true;
        self
    }

    /// Drops the reply of the command added last from the results (redis-rs's `ignore`).
    /// In immediate mode, drops the last kept reply instead.
    pub fn ignore(&mut self) -> &mut Self {
        if self.is_immediate() {
            self.replies.pop_back();
        } else {
            self.inner.ignore();
        }
        self
    }

    /// Adds a script call (an `EVALSHA`); the script is loaded before the pipeline runs if
    /// the server does not have it. In immediate mode, the script runs at once (loading it
    /// on `NOSCRIPT`), and its reply is kept for [`take_reply`](Pipeline::take_reply).
    /// Same as [`Invocation::queue`].
    pub fn invoke_script(&mut self, invocation: &Invocation<'_>) -> &mut Self {
        if self.is_immediate() {
            let reply = match self.conn.as_mut() {
                Some(conn) => run_script(conn, invocation.core()),
                None => invocation.invoke::<Value>(self.client),
            };
            self.replies.push_back(reply);
        } else {
            self.inner.invoke_script(invocation.core());
        }
        self
    }

    /// The immediate-mode handle: every [`Commands`] method, run at once on the pinned
    /// connection (on a pooled connection when not watching), returning its reply.
    ///
    /// ```no_run
    /// # use ferrodis_blocking::Client;
    /// use ferrodis_commands::Commands;
    /// # let client = Client::open("redis://127.0.0.1:6380")?;
    /// let mut pipe = client.pipeline();
    /// pipe.watch("balance")?;
    /// let balance: i64 = pipe.now().get("balance")?;
    /// # Ok::<(), ferrodis_commands::Error>(())
    /// ```
    pub fn now(&mut self) -> Immediate<'_, 'a> {
        Immediate {
            pipe: RefCell::new(self),
        }
    }

    /// Runs one command at once and converts its reply: on the pinned connection while
    /// watching, else on a pooled connection. An error reply is an [`Error::Server`].
    pub fn query_now<T: FromValue>(&mut self, cmd: impl Into<Cmd>) -> Result<T> {
        let cmd = cmd.into();
        match self.conn.as_mut() {
            Some(conn) => conn.query(&cmd),
            None => self.client.query_as(cmd),
        }
    }

    /// The oldest reply not yet taken of a chaining method called in immediate mode
    /// (`pipe.watch("k")?.get("k"); let v: Option<String> = pipe.take_reply()?;`).
    /// Failing when there is none.
    pub fn take_reply<T: FromValue>(&mut self) -> Result<T> {
        match self.replies.pop_front() {
            Some(reply) => T::from_value(reply?),
            None => Err(Error::Conversion {
                expected: std::any::type_name::<T>(),
                received: "nothing",
                detail: Some(
                    "no immediate-mode reply is left: chaining methods run at once only \
                     after watch() and before multi()"
                        .to_owned(),
                ),
            }),
        }
    }

    /// Sends the buffered commands in one round trip (wrapped in `MULTI` ... `EXEC` for a
    /// transaction) and returns one reply per command not [ignored](Pipeline::ignore), in
    /// order; an empty pipeline sends nothing and returns an empty `Vec`. Errors of single
    /// commands are in their places (`Value::SimpleError`); see the
    /// [module docs](self) for [`Error::Watch`] and [`Error::ExecAbort`].
    ///
    /// Afterwards the pipeline is empty and not watching (it sends `UNWATCH` if it was
    /// watching without a transaction), and its connection is back in the pool.
    ///
    /// If the pinned connection broke while watching, the watch is lost with it, and
    /// nothing is sent: that is an [`Error::Watch`], so that a retry loop runs again (as
    /// in redis-py).
    pub fn execute(&mut self) -> Result<Vec<Value>> {
        let result = self.run();
        let reset = self.reset();
        let results = result?;
        reset?;
        Ok(results)
    }

    /// [`execute`](Pipeline::execute), and converts the results, as one array, into `T`: a
    /// tuple with one element per (not ignored) command, a `Vec`, a `Vec<Value>`, ... An
    /// error reply among them becomes an [`Error::Server`] unless `T` keeps [`Value`]s.
    pub fn query<T: FromValue>(&mut self) -> Result<T> {
        core_pipeline::convert(self.execute()?)
    }

    fn run(&mut self) -> Result<Vec<Value>> {
        self.outcome_unknown = false;
        let result = self.run_inner();
        result.map_err(|failure| {
            self.outcome_unknown = failure.phase == Phase::Read;
            failure.error
        })
    }

    fn run_inner(&mut self) -> std::result::Result<Vec<Value>, Failure> {
        if self.inner.is_empty() {
            return Ok(Vec::new());
        }
        let transaction = self.is_transaction();
        self.inner.set_transaction(transaction);
        if !self.watching {
            let mut conn = self.client.get_connection().map_err(Failure::before)?;
            return match execute_on(&mut conn, &self.inner) {
                // A connection reused from the pool may have been closed by the server
                // unnoticed. Sent again, once, on another connection only when nothing
                // can have run: the failure came while loading scripts, or while writing
                // a transaction (the server discards a MULTI without its EXEC).
                Err(Failure { error, phase })
                    if conn.reused
                        && error.is_connection_dropped()
                        && (phase == Phase::Preload || (phase == Phase::Write && transaction)) =>
                {
                    drop(conn);
                    let mut conn = self.client.get_connection().map_err(Failure::before)?;
                    execute_on(&mut conn, &self.inner)
                }
                other => other,
            };
        }
        let Some(conn) = self.conn.as_mut().filter(|conn| in_sync(conn)) else {
            self.conn = None;
            self.watching = false;
            return Err(Failure::before(Error::Watch));
        };
        let result = execute_on(conn, &self.inner);
        if transaction && in_sync(conn) {
            // EXEC was read, whatever it said: the server has dropped the watches.
            self.watching = false;
        }
        result
    }

    /// Empties the pipeline (commands, scripts, unread immediate-mode replies), leaves
    /// `MULTI` mode, and, if it was watching, sends `UNWATCH` and returns the pinned
    /// connection to the pool (redis-py's `reset()`). The transaction setting is kept.
    ///
    /// A pinned connection whose state is unknown (it broke, or `UNWATCH` failed) is closed
    /// instead; an `UNWATCH` failure is returned, the pipeline being reset all the same.
    pub fn reset(&mut self) -> Result<()> {
        self.inner.clear();
        self.replies.clear();
        self.explicit_multi = false;
        self.release()
    }

    /// Sends UNWATCH if watching, and gives the pinned connection back (closing it if its
    /// state is unknown).
    fn release(&mut self) -> Result<()> {
        let watching = std::mem::replace(&mut self.watching, false);
        let Some(mut conn) = self.conn.take() else {
            return Ok(());
        };
        if watching && in_sync(&conn) {
            if let Err(error) = conn.query::<()>(&Cmd::new("UNWATCH")) {
                // The connection may still be watching keys: close it.
                drop(conn.detach());
                return Err(error);
            }
        }
        // Back to the pool if in sync, closed otherwise (PooledConnection's Drop).
        drop(conn);
        Ok(())
    }
}

impl Drop for Pipeline<'_> {
    fn drop(&mut self) {
        // An UNWATCH that fails closes the connection; nothing else to do about it here.
        let _ = self.release();
    }
}

/// The typed command methods, buffering (or, in immediate mode, running) each command.
impl PipelineCommands for Pipeline<'_> {
    fn add_cmd(&mut self, cmd: Cmd) -> &mut Self {
        if self.is_immediate() {
            let reply = match self.conn.as_mut() {
                Some(conn) => conn.query_value(&cmd),
                None => self.client.query_as::<Value>(cmd),
            };
            self.replies.push_back(reply);
        } else {
            self.inner.add_cmd(cmd);
        }
        self
    }
}

/// Immediate mode: every [`Commands`] method of a [`Pipeline`], run at once on its pinned
/// connection and returning its reply. Made by [`Pipeline::now`].
pub struct Immediate<'p, 'a> {
    pipe: RefCell<&'p mut Pipeline<'a>>,
}

impl fmt::Debug for Immediate<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Immediate").finish_non_exhaustive()
    }
}

impl Commands for Immediate<'_, '_> {
    fn query_cmd<RV: FromValue>(&self, cmd: Cmd) -> Result<RV> {
        match self.pipe.try_borrow_mut() {
            Ok(mut pipe) => pipe.query_now(cmd),
            Err(_) => Err(Error::Conversion {
                expected: std::any::type_name::<RV>(),
                received: "nothing",
                detail: Some("the pipeline is already running a command".to_owned()),
            }),
        }
    }
}

/// Whether a connection can be used (and returned to the pool): not broken, no reply owed.
fn in_sync(conn: &Connection) -> bool {
    !conn.is_broken() && conn.pending_replies() == 0
}

/// Where a pipeline's execution failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before its commands were written (borrowing a connection, loading its scripts):
    /// none of them was sent.
    Preload,
    /// Writing its commands: some may not have reached the server.
    Write,
    /// Reading the replies: every command was sent, and may have run.
    Read,
}

/// A failed execution: the error and where it happened.
struct Failure {
    error: Error,
    phase: Phase,
}

impl Failure {
    /// A failure before anything of the pipeline was sent.
    fn before(error: Error) -> Failure {
        Failure {
            error,
            phase: Phase::Preload,
        }
    }
}

/// Loads the pipeline's scripts if needed, writes its commands in one go and reads their
/// replies. The replies are all read whatever they say, so the connection stays in sync
/// unless the connection itself fails.
fn execute_on(
    conn: &mut Connection,
    pipe: &core_pipeline::Pipeline,
) -> std::result::Result<Vec<Value>, Failure> {
    let failed = |phase| move |error| Failure { error, phase };
    if pipe.is_empty() {
        return Ok(Vec::new());
    }
    check_no_pending(conn).map_err(failed(Phase::Preload))?;
    if !pipe.scripts().is_empty() {
        drive(conn, &mut ScriptPreload::new(pipe.scripts())).map_err(failed(Phase::Preload))?;
    }
    let transaction = pipe.is_transaction();
    if transaction {
        conn.send(&Cmd::new("MULTI"));
    }
    for cmd in pipe.cmds() {
        conn.send(cmd);
    }
    if transaction {
        conn.send(&Cmd::new("EXEC"));
    }
    conn.flush().map_err(failed(Phase::Write))?;
    let mut collector = pipe.collector();
    loop {
        let reply = conn.recv().map_err(failed(Phase::Read))?;
        if let Some(results) = collector.on_reply(reply).map_err(failed(Phase::Read))? {
            return Ok(results);
        }
    }
}

impl Connection {
    /// Runs a sans-IO [`Pipeline`](ferrodis_commands::Pipeline) (plain or transaction) on
    /// this connection in one round trip, loading its scripts first: one reply per command
    /// not ignored. See [`Pipeline::execute`] for the errors.
    pub fn execute_pipeline(&mut self, pipe: &core_pipeline::Pipeline) -> Result<Vec<Value>> {
        execute_on(self, pipe).map_err(|f| f.error)
    }

    /// [`execute_pipeline`](Connection::execute_pipeline), converting the results into `T`
    /// (a tuple, a `Vec`, ...).
    pub fn query_pipeline<T: FromValue>(&mut self, pipe: &core_pipeline::Pipeline) -> Result<T> {
        core_pipeline::convert(self.execute_pipeline(pipe)?)
    }
}
