//! Pipelines and transactions, with redis-py's (and aredis's) semantics: buffered
//! commands sent in one round trip, `MULTI`/`EXEC` by default, and `WATCH` for optimistic
//! locking.
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
//! ## Which connection
//!
//! A pipeline that is not watching goes over the client's multiplexed connection, like
//! any other command: its bytes are written as one block, so a `MULTI` ... `EXEC` stays
//! atomic even with other tasks' commands around it. A pipeline holding a blocking
//! command (`BLPOP`, ...) or one that changes connection state (`SELECT`, `CLIENT
//! TRACKING`, ...) runs on a connection borrowed from the pool for the round trip
//! instead, so that it delays or changes nobody else's commands. A watching pipeline runs
//! on the connection it pinned with `WATCH`.
//!
//! ## WATCH and immediate mode
//!
//! A transaction cannot read a value and write something computed from it: its commands
//! only run at `EXEC`. Redis's answer is optimistic locking, and this module follows
//! redis-py's shape for it:
//!
//! 1. [`Pipeline::watch`] sends `WATCH` at once, on a connection it takes from the pool and
//!    keeps (pins) until the pipeline is executed, [reset](Pipeline::reset) or dropped.
//!    `WATCH` is a property of a connection, so it can never go over the shared one.
//! 2. The pipeline is now in *immediate mode*: commands run at once on that connection.
//!    Rust's chaining methods return the pipeline, not a reply, so read values with
//!    [`Pipeline::now`], which gives the whole [`AsyncCommands`] API on the pinned
//!    connection (`let n: i64 = pipe.now().get("counter").await?;`), or with
//!    [`query_now`](Pipeline::query_now) for any command. A chaining method
//!    (`pipe.get("k")`) also runs in immediate mode: it cannot wait, so its command is
//!    encoded into the pinned connection's write buffer at once and sent with the
//!    pipeline's next awaited call (in order, before anything that call sends); its reply is kept for [`take_reply`](Pipeline::take_reply), as redis-py's
//!    `pipe.get('k')` returns it. (A pipeline dropped before that next call never sends
//!    it.)
//! 3. [`Pipeline::multi`] switches back to buffering; [`Pipeline::execute`] sends
//!    `MULTI` ... `EXEC`, and fails with [`Error::Watch`] if a watched key changed in the
//!    meantime: compute again and retry.
//!
//! [`Client::transaction`] runs that loop for you, as redis-py's `transaction()` does.
//!
//! The pinned connection goes back to the pool in a known state: after `EXEC` (which
//! clears the watches on the server), or after `UNWATCH` when the pipeline is
//! [reset](Pipeline::reset) while watching. A pipeline *dropped* while watching cannot
//! send `UNWATCH` (a destructor cannot wait), so its connection is closed instead, which
//! ends the watch just as surely; `reset().await` keeps the connection. A connection whose
//! state is unknown (an IO error, a timeout, a failed `UNWATCH`, a future dropped in the
//! middle of a round trip) is closed as well, never returned.
//!
//! ## Scripts
//!
//! A pipeline cannot recover from `NOSCRIPT` in its middle (later commands have run), so
//! the scripts added with [`Pipeline::invoke_script`] are loaded (`SCRIPT EXISTS`, then
//! `SCRIPT LOAD` for those missing, driving [`ScriptPreload`]) just before the pipeline is
//! sent, as redis-py does.
//!
//! ```no_run
//! use ferrodis_async::Client;
//! use ferrodis_commands::{AsyncCommands, PipelineCommands};
//!
//! # async fn demo() -> ferrodis_commands::Result<()> {
//! let client = Client::open("redis://127.0.0.1:6380")?;
//! // redis-py's `pipe.set('foo', 'bar').sadd('faz', 'baz').incr('auto_number').execute()`
//! let mut pipe = client.pipeline();
//! let (set, added, n): (bool, bool, i64) = pipe
//!     .set("foo", "bar")
//!     .sadd("faz", "baz")
//!     .incr("auto_number")
//!     .query()
//!     .await?;
//!
//! // A client-side INCR with WATCH, retried on conflicts.
//! let new: i64 = client
//!     .transaction("OUR-SEQUENCE-KEY", async |pipe| {
//!         let current: Option<i64> = pipe.now().get("OUR-SEQUENCE-KEY").await?;
//!         let next = current.unwrap_or(0) + 1;
//!         pipe.multi().set("OUR-SEQUENCE-KEY", next);
//!         pipe.execute().await?;
//!         Ok(next)
//!     })
//!     .await?;
//! # let _ = (set, added, n, new);
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::fmt;

use ferrodis_commands::pipeline::{self as core_pipeline};
use ferrodis_commands::script::ScriptPreload;
use ferrodis_commands::{
    AsyncCommands, Cmd, ConnectionEffect, Error, FromValue, PipelineCommands, Result, ToArgs, Value,
};

use crate::client::Client;
use crate::connection::Connection;
use crate::multiplexed::MultiplexedConnection;
use crate::pool::PooledConnection;
use crate::script::{check_no_pending, drive, drive_multiplexed, Invocation};

/// A buffer of commands sent in one round trip, as a transaction (the default) or a plain
/// pipeline, with `WATCH` support. Made by [`Client::pipeline`]; see the
/// [module docs](self).
///
/// The typed command methods come from [`PipelineCommands`] and chain:
/// `pipe.set("a", 1).get("a").incr("n")`. Commands are buffered until
/// [`execute`](Pipeline::execute) or [`query`](Pipeline::query), except in immediate mode
/// (after [`watch`](Pipeline::watch), before [`multi`](Pipeline::multi)), where they run on
/// the pinned connection.
///
/// After `execute` (successful or not) the pipeline is empty, not watching, and can be
/// used again; its transaction setting is kept. Dropping it while watching closes its
/// pinned connection (see the [module docs](self#watch-and-immediate-mode)).
///
/// A `Pipeline` is `Send`: it may be held across `.await`s in a spawned task.
pub struct Pipeline<'a> {
    client: &'a Client,
    /// The buffered commands (and the scripts they call).
    inner: core_pipeline::Pipeline,
    /// MULTI/EXEC unless turned off (redis-py's `transaction=True`).
    transaction: bool,
    /// `multi()` was called: buffered commands run as a transaction whatever `transaction`.
    explicit_multi: bool,
    /// `WATCH` is in effect on `conn` (which is then `Some`).
    watching: bool,
    /// The connection pinned by `watch`.
    conn: Option<PooledConnection>,
    /// The replies of chaining methods called in immediate mode, oldest first.
    replies: VecDeque<Result<Value>>,
    /// Commands written to `conn` in immediate mode whose replies are not read yet,
    /// oldest first: whether to keep each reply (`false` once [ignored](Pipeline::ignore)).
    unread: VecDeque<bool>,
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
            .field("unread_replies", &(self.replies.len() + self.unread.len()))
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
    /// changes before `EXEC` (redis-py's and aredis's `transaction()`); see
    /// [`transaction_with_retries`](Client::transaction_with_retries) for a limit.
    ///
    /// For each attempt, the pipeline `WATCH`es `keys` (no keys: no `WATCH`) and calls `f`,
    /// an async closure, which reads what it needs in immediate mode ([`Pipeline::now`]),
    /// calls [`Pipeline::multi`], and queues its writes. If `f` executes the pipeline
    /// itself (ending with `pipe.execute().await` or `pipe.query().await`), its results
    /// are `f`'s to return; commands `f` queued but did not execute are executed after it
    /// returns (their results are then not returned). An [`Error::Watch`], from `f` or
    /// from that execution, starts the next attempt; so does, once, a dropped connection
    /// before `EXEC` could have run (the watch is lost with the connection; redis-py turns
    /// that into a `WatchError`). Any other error ends the transaction and is returned.
    ///
    /// ```no_run
    /// # use ferrodis_async::Client;
    /// use ferrodis_commands::{AsyncCommands, PipelineCommands};
    /// # async fn demo(client: Client) -> ferrodis_commands::Result<()> {
    /// // aredis's client_side_incr.
    /// let (ok,): (bool,) = client
    ///     .transaction("OUR-SEQUENCE-KEY", async |pipe| {
    ///         let current: Option<i64> = pipe.now().get("OUR-SEQUENCE-KEY").await?;
    ///         pipe.multi().set("OUR-SEQUENCE-KEY", current.unwrap_or(0) + 1);
    ///         pipe.query().await
    ///     })
    ///     .await?;
    /// assert!(ok);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// ## In a spawned task
    ///
    /// The future is `Send` when `f`'s futures are, so it can run in `tokio::spawn` (or
    /// any runtime's spawn). There, write `f` as an `async move` closure that owns what it
    /// uses (clone it first): the compiler cannot yet prove `Send` for a closure that
    /// borrows from its surroundings across an `.await` (a known limitation of async
    /// closures, rust-lang/rust#100013 and #139475; the error reads "implementation of
    /// `Send` is not general enough").
    ///
    /// ```no_run
    /// # use ferrodis_async::Client;
    /// use ferrodis_commands::{AsyncCommands, PipelineCommands};
    /// # async fn demo(client: Client) {
    /// let key = String::from("OUR-SEQUENCE-KEY");
    /// tokio::spawn(async move {
    ///     let k = key.clone();
    ///     let next: ferrodis_commands::Result<i64> = client
    ///         .transaction(&key, async move |pipe| {
    ///             let current: Option<i64> = pipe.now().get(&k).await?;
    ///             let next = current.unwrap_or(0) + 1;
    ///             pipe.multi().set(&k, next);
    ///             Ok(next)
    ///         })
    ///         .await;
    ///     # let _ = next;
    /// });
    /// # }
    /// ```
    pub async fn transaction<T, K, F>(&self, keys: K, f: F) -> Result<T>
    where
        K: ToArgs,
        F: AsyncFnMut(&mut Pipeline<'_>) -> Result<T>,
    {
        self.run_transaction(Cmd::new("WATCH").arg(keys), None, f)
            .await
    }

    /// [`transaction`](Client::transaction), giving up after `max_retries` retries (so
    /// `max_retries + 1` attempts) with the last [`Error::Watch`].
    pub async fn transaction_with_retries<T, K, F>(
        &self,
        keys: K,
        max_retries: usize,
        f: F,
    ) -> Result<T>
    where
        K: ToArgs,
        F: AsyncFnMut(&mut Pipeline<'_>) -> Result<T>,
    {
        self.run_transaction(Cmd::new("WATCH").arg(keys), Some(max_retries), f)
            .await
    }

    async fn run_transaction<T, F>(
        &self,
        watch: Cmd,
        max_retries: Option<usize>,
        mut f: F,
    ) -> Result<T>
    where
        F: AsyncFnMut(&mut Pipeline<'_>) -> Result<T>,
    {
        let has_keys = watch.argc() > 1;
        let mut pipe = self.pipeline();
        let mut retries = 0usize;
        let mut reconnected = false;
        loop {
            pipe.outcome_unknown = false;
            let attempt = async {
                if has_keys {
                    pipe.watch_cmd(&watch).await?;
                }
                let value = f(&mut pipe).await?;
                if !pipe.inner.is_empty() {
                    pipe.execute().await?;
                }
                Ok(value)
            }
            .await;
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
            let _ = pipe.reset().await;
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
            unread: VecDeque::new(),
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
    ///
    /// # Errors
    ///
    /// [`Error::Pool`] when no connection is free in time, the connection errors, or the
    /// server's error (`WATCH` inside `MULTI`).
    pub async fn watch<K: ToArgs>(&mut self, keys: K) -> Result<&mut Self> {
        self.watch_cmd(&Cmd::new("WATCH").arg(keys)).await?;
        Ok(self)
    }

    async fn watch_cmd(&mut self, watch: &Cmd) -> Result<()> {
        self.settle().await;
        let mut retried = false;
        loop {
            let conn = match &mut self.conn {
                Some(conn) => conn,
                // A retry takes a new connection: the other idle ones may be as stale.
                None if retried => self.conn.insert(self.client.pool().get_new().await?),
                None => self.conn.insert(self.client.get_connection().await?),
            };
            let error = match conn.query::<()>(watch).await {
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
    ///
    /// # Errors
    ///
    /// The `UNWATCH`'s own failure (the connection is then closed, which ends the watch
    /// all the same).
    pub async fn unwatch(&mut self) -> Result<()> {
        self.release().await
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
            match self.unread.back_mut() {
                Some(keep) if *keep => *keep = false,
                _ => {
                    self.replies.pop_back();
                }
            }
        } else {
            self.inner.ignore();
        }
        self
    }

    /// Adds a script call (an `EVALSHA`); the script is loaded before the pipeline runs if
    /// the server does not have it. In immediate mode, the script runs on the pinned
    /// connection instead (as an `EVAL`, which needs no loading), and its reply is kept for
    /// [`take_reply`](Pipeline::take_reply). Same as [`Invocation::queue`].
    pub fn invoke_script(&mut self, invocation: &Invocation<'_>) -> &mut Self {
        if self.is_immediate() {
            self.send_immediate(&invocation.core().eval_cmd());
        } else {
            self.inner.invoke_script(invocation.core());
        }
        self
    }

    /// Writes a command of a chaining method called in immediate mode; its reply is read
    /// by the next awaited call ([`settle`](Pipeline::settle)).
    fn send_immediate(&mut self, cmd: &Cmd) {
        match self.conn.as_mut() {
            Some(conn) => {
                conn.send(cmd);
                self.unread.push_back(true);
            }
            // Watching implies a pinned connection; should that ever not hold, the
            // command fails rather than running elsewhere.
            None => self.replies.push_back(Err(Error::Config {
                part: "pipeline",
                reason: "immediate mode without a pinned connection: call watch() first".to_owned(),
            })),
        }
    }

    /// Sends the commands written in immediate mode and reads their replies into
    /// `replies`. Cancel-safe: a reply not read yet stays owed and is read next time.
    ///
    /// On a failure (the connection broke, a reply timed out) that command and every
    /// later one get the error: a late reply would be taken for the next command's, so
    /// the connection is left out of sync (and is closed rather than reused).
    async fn settle(&mut self) {
        if self.unread.is_empty() {
            return;
        }
        let Some(conn) = self.conn.as_mut() else {
            self.unread.clear();
            return;
        };
        let mut failure = conn.flush().await.err();
        while failure.is_none() && !self.unread.is_empty() {
            match conn.recv().await {
                Ok(reply) => {
                    if self.unread.pop_front() == Some(true) {
                        self.replies.push_back(Ok(reply));
                    }
                }
                Err(error) => failure = Some(error),
            }
        }
        if let Some(error) = failure {
            for keep in self.unread.drain(..) {
                if keep {
                    self.replies.push_back(Err(error.clone()));
                }
            }
        }
    }

    /// The immediate-mode handle: every [`AsyncCommands`] method, run at once on the pinned
    /// connection (on the client when not watching), returning its reply.
    ///
    /// ```no_run
    /// # use ferrodis_async::Client;
    /// use ferrodis_commands::AsyncCommands;
    /// # async fn demo(client: Client) -> ferrodis_commands::Result<()> {
    /// let mut pipe = client.pipeline();
    /// pipe.watch("balance").await?;
    /// let balance: i64 = pipe.now().get("balance").await?;
    /// # let _ = balance;
    /// # Ok(())
    /// # }
    /// ```
    pub fn now(&mut self) -> Immediate<'_, 'a> {
        Immediate {
            pipe: async_lock::Mutex::new(self),
        }
    }

    /// Runs one command at once and converts its reply: on the pinned connection while
    /// watching, else on the client. An error reply is an [`Error::Server`].
    ///
    /// # Errors
    ///
    /// The server's error, the connection errors, [`Error::Conversion`].
    pub async fn query_now<T: FromValue>(&mut self, cmd: impl Into<Cmd>) -> Result<T> {
        let cmd = cmd.into();
        self.settle().await;
        match self.conn.as_mut() {
            Some(conn) => conn.query(&cmd).await,
            None => self.client.query_as(cmd).await,
        }
    }

    /// The oldest reply not yet taken of a chaining method called in immediate mode
    /// (`pipe.watch("k").await?.get("k"); let v: Option<String> = pipe.take_reply().await?;`),
    /// reading it first if needed.
    ///
    /// # Errors
    ///
    /// The command's own error (an error reply is an [`Error::Server`]), or
    /// [`Error::Conversion`] when there is no reply left or it does not fit `T`.
    pub async fn take_reply<T: FromValue>(&mut self) -> Result<T> {
        self.settle().await;
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
    ///
    /// # Errors
    ///
    /// As above, and the connection errors; a failed `UNWATCH` afterwards.
    pub async fn execute(&mut self) -> Result<Vec<Value>> {
        let result = self.run().await;
        let reset = self.reset().await;
        let results = result?;
        reset?;
        Ok(results)
    }

    /// [`execute`](Pipeline::execute), and converts the results, as one array, into `T`: a
    /// tuple with one element per (not ignored) command, a `Vec`, a `Vec<Value>`, ... An
    /// error reply among them becomes an [`Error::Server`] unless `T` keeps [`Value`]s.
    ///
    /// # Errors
    ///
    /// As [`execute`](Pipeline::execute), and [`Error::Conversion`].
    pub async fn query<T: FromValue>(&mut self) -> Result<T> {
        core_pipeline::convert(self.execute().await?)
    }

    async fn run(&mut self) -> Result<Vec<Value>> {
        self.outcome_unknown = false;
        // Immediate-mode commands written before multi() go first.
        self.settle().await;
        let result = self.run_inner().await;
        result.map_err(|failure| {
            self.outcome_unknown = failure.phase == Phase::Read;
            failure.error
        })
    }

    async fn run_inner(&mut self) -> std::result::Result<Vec<Value>, Failure> {
        if self.inner.is_empty() {
            return Ok(Vec::new());
        }
        let transaction = self.is_transaction();
        self.inner.set_transaction(transaction);
        if !self.watching {
            if !needs_own_connection(&self.inner) {
                let mux = self.client.multiplexed().await.map_err(Failure::before)?;
                return execute_on_multiplexed(&mux, &self.inner).await;
            }
            let mut conn = self
                .client
                .get_connection()
                .await
                .map_err(Failure::before)?;
            return match execute_on(&mut conn, &self.inner).await {
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
                    let mut conn = self
                        .client
                        .pool()
                        .get_new()
                        .await
                        .map_err(Failure::before)?;
                    execute_on(&mut conn, &self.inner).await
                }
                other => other,
            };
        }
        let Some(conn) = self.conn.as_mut().filter(|conn| in_sync(conn)) else {
            self.conn = None;
            self.watching = false;
            return Err(Failure::before(Error::Watch));
        };
        let result = execute_on(conn, &self.inner).await;
        if transaction && in_sync(conn) {
            // EXEC was read, whatever it said: the server has dropped the watches.
            conn.set_watching(false);
            self.watching = false;
        }
        result
    }

    /// Empties the pipeline (commands, scripts, unread immediate-mode replies), leaves
    /// `MULTI` mode, and, if it was watching, sends `UNWATCH` and returns the pinned
    /// connection to the pool (redis-py's `reset()`). The transaction setting is kept.
    ///
    /// A pinned connection whose state is unknown (it broke, or `UNWATCH` failed) is closed
    /// instead.
    ///
    /// # Errors
    ///
    /// An `UNWATCH` failure; the pipeline is reset all the same.
    pub async fn reset(&mut self) -> Result<()> {
        self.inner.clear();
        self.explicit_multi = false;
        let released = self.release().await;
        self.replies.clear();
        released
    }

    /// Reads what immediate mode left unread, sends UNWATCH if watching, and gives the
    /// pinned connection back (closing it if its state is unknown).
    async fn release(&mut self) -> Result<()> {
        self.settle().await;
        let watching = std::mem::replace(&mut self.watching, false);
        let Some(mut conn) = self.conn.take() else {
            return Ok(());
        };
        if watching && in_sync(&conn) {
            match conn.query::<()>(&Cmd::new("UNWATCH")).await {
                Ok(()) => conn.set_watching(false),
                Err(error) => {
                    // The connection may still be watching keys: close it.
                    drop(conn.detach());
                    return Err(error);
                }
            }
        }
        // Back to the pool if reusable, closed otherwise (PooledConnection's Drop).
        drop(conn);
        Ok(())
    }
}

/// The typed command methods, buffering (or, in immediate mode, sending) each command.
impl PipelineCommands for Pipeline<'_> {
    fn add_cmd(&mut self, cmd: Cmd) -> &mut Self {
        if self.is_immediate() {
            self.send_immediate(&cmd);
        } else {
            self.inner.add_cmd(cmd);
        }
        self
    }
}

/// Immediate mode: every [`AsyncCommands`] method of a [`Pipeline`], run at once on its
/// pinned connection and returning its reply. Made by [`Pipeline::now`].
///
/// Calls made through one `Immediate` concurrently (`join!`) run one after the other.
pub struct Immediate<'p, 'a> {
    pipe: async_lock::Mutex<&'p mut Pipeline<'a>>,
}

impl fmt::Debug for Immediate<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Immediate").finish_non_exhaustive()
    }
}

impl AsyncCommands for Immediate<'_, '_> {
    async fn query_cmd<RV: FromValue + Send>(&self, cmd: Cmd) -> Result<RV> {
        self.pipe.lock().await.query_now(cmd).await
    }
}

/// Whether a connection can be used (and returned to the pool): not broken, no reply owed.
fn in_sync(conn: &Connection) -> bool {
    !conn.is_broken() && conn.pending_replies() == 0
}

/// Whether a pipeline must run on a connection of its own rather than the shared one: it
/// holds a blocking command (it would hold up everyone's replies) or one that changes
/// connection state (everyone would see the change).
fn needs_own_connection(pipe: &core_pipeline::Pipeline) -> bool {
    pipe.cmds().iter().any(|cmd| {
        cmd.blocking_timeout().is_some() || cmd.connection_effect() != ConnectionEffect::None
    })
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

    /// A failure once the commands may have been sent.
    fn read(error: Error) -> Failure {
        Failure {
            error,
            phase: Phase::Read,
        }
    }
}

/// Runs `pipe` over the multiplexed connection: its bytes are written as one block, so a
/// transaction stays atomic.
async fn execute_on_multiplexed(
    mux: &MultiplexedConnection,
    pipe: &core_pipeline::Pipeline,
) -> std::result::Result<Vec<Value>, Failure> {
    if !pipe.scripts().is_empty() {
        drive_multiplexed(mux, &mut ScriptPreload::new(pipe.scripts()))
            .await
            .map_err(Failure::before)?;
    }
    let replies = mux
        .exchange(|buf| pipe.encode(buf), pipe.reply_count())
        .await
        .map_err(Failure::read)?;
    pipe.collect(replies).map_err(Failure::read)
}

/// Loads the pipeline's scripts if needed, writes its commands in one go and reads their
/// replies. The replies are all read whatever they say, so the connection stays in sync
/// unless the connection itself fails (or this future is dropped).
async fn execute_on(
    conn: &mut Connection,
    pipe: &core_pipeline::Pipeline,
) -> std::result::Result<Vec<Value>, Failure> {
    let failed = |phase| move |error| Failure { error, phase };
    if pipe.is_empty() {
        return Ok(Vec::new());
    }
    check_no_pending(conn).map_err(failed(Phase::Preload))?;
    if !pipe.scripts().is_empty() {
        drive(conn, &mut ScriptPreload::new(pipe.scripts()))
            .await
            .map_err(failed(Phase::Preload))?;
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
    conn.flush().await.map_err(failed(Phase::Write))?;
    let mut collector = pipe.collector();
    loop {
        let reply = conn.recv().await.map_err(failed(Phase::Read))?;
        if let Some(results) = collector.on_reply(reply).map_err(failed(Phase::Read))? {
            return Ok(results);
        }
    }
}

impl Connection {
    /// Runs a sans-IO [`Pipeline`](ferrodis_commands::Pipeline) (plain or transaction) on
    /// this connection in one round trip, loading its scripts first: one reply per command
    /// not ignored. See [`Pipeline::execute`] for the errors.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when replies to earlier sends are unread; as
    /// [`Pipeline::execute`].
    pub async fn execute_pipeline(&mut self, pipe: &core_pipeline::Pipeline) -> Result<Vec<Value>> {
        execute_on(self, pipe).await.map_err(|f| f.error)
    }

    /// [`execute_pipeline`](Connection::execute_pipeline), converting the results into `T`
    /// (a tuple, a `Vec`, ...).
    ///
    /// # Errors
    ///
    /// As [`execute_pipeline`](Connection::execute_pipeline), and [`Error::Conversion`].
    pub async fn query_pipeline<T: FromValue>(
        &mut self,
        pipe: &core_pipeline::Pipeline,
    ) -> Result<T> {
        core_pipeline::convert(self.execute_pipeline(pipe).await?)
    }
}
