//! Pipelines and transactions: many commands in one write, their replies matched back.
//!
//! Sending commands one at a time costs a round trip each; a pipeline writes them all at
//! once and reads the replies in order, which on a network is often ten or a hundred
//! times faster. A transaction is a pipeline wrapped in `MULTI` ... `EXEC`, so that Redis
//! runs its commands together, with nothing from other clients in between.
//!
//! A [`Pipeline`] only buffers commands and makes sense of the replies; a transport
//! writes [`encode`](Pipeline::encode)'s bytes, reads [`reply_count`](Pipeline::reply_count)
//! replies, and hands them to a [`ReplyCollector`] (one at a time, as they arrive) or to
//! [`collect`](Pipeline::collect) (all at once). What comes out is one reply per command,
//! in order:
//!
//! - In a plain pipeline, a command that failed has its error reply in its place
//!   (`Value::SimpleError` or `Value::BulkError`), and the others' replies are unaffected.
//! - In a transaction, the collector checks `+OK` for `MULTI` and `+QUEUED` for each
//!   command, and maps `EXEC`'s array back to the commands; a command that failed when it
//!   ran has its error in its place. A nil `EXEC` (a `WATCH`ed key changed) is
//!   [`Error::Watch`]; an `EXECABORT` (a command was refused when queued, such as a
//!   syntax error) is [`Error::ExecAbort`], listing each refused command's index and
//!   error.
//!
//! Whatever the outcome, the collector reads every reply before it returns, so the
//! connection stays in sync.
//!
//! [`Pipeline::new`] is a plain pipeline, as in redis-rs; [`Pipeline::transaction`] is a
//! transaction (the clients' `pipeline()` helpers, like redis-py's, default to a
//! transaction and build it with that).
//!
//! ```
//! use ferrodis_commands::pipeline::Pipeline;
//! use ferrodis_commands::{Cmd, PipelineCommands, Value};
//!
//! // redis-py's `pipe.set('foo', 'bar').incr('visits').get('bing').execute()`,
//! // with SET's reply left out of the results.
//! let mut pipe = Pipeline::transaction();
//! pipe.set("foo", "bar").ignore().incr("visits").get("bing");
//! // Any command can be added as a `Cmd`, too.
//! pipe.add_cmd(Cmd::new("EXPIRE").arg("visits").arg(60)).ignore();
//!
//! let mut request = Vec::new();
//! pipe.encode(&mut request); // MULTI, SET, INCR, GET, EXPIRE, EXEC: one write
//! assert_eq!(pipe.reply_count(), 6);
//!
//! // The replies a server sends, read back in order.
//! let replies = vec![
//!     Value::SimpleString("OK".into()),     // MULTI
//!     Value::SimpleString("QUEUED".into()), // SET
//!     Value::SimpleString("QUEUED".into()), // INCR
//!     Value::SimpleString("QUEUED".into()), // GET
//!     Value::SimpleString("QUEUED".into()), // EXPIRE
//!     Value::Array(vec![
//!         Value::SimpleString("OK".into()),
//!         Value::Integer(1),
//!         Value::Nil,
//!         Value::Integer(1),
//!     ]),
//! ];
//! let (visits, bing): (i64, Option<String>) = pipe.query(replies)?;
//! assert_eq!((visits, bing), (1, None));
//! # Ok::<(), ferrodis_commands::Error>(())
//! ```

use std::fmt;

use bytes::BufMut;

use crate::cmd::Cmd;
use crate::error::{Error, ErrorCode, ServerError};
use crate::from_value::FromValue;
use crate::script::{Script, ScriptInvocation};
use ferrodis_resp::Value;

/// A buffer of commands sent together, as a plain pipeline or as a transaction. See the
/// [module docs](self).
#[derive(Clone, Default)]
pub struct Pipeline {
    cmds: Vec<Cmd>,
    /// Per command: whether its reply is dropped from the results.
    ignored: Vec<bool>,
    transaction: bool,
    /// The scripts of the `EVALSHA`s added with `invoke_script`, to load beforehand.
    scripts: Vec<Script>,
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("transaction", &self.transaction)
            .field("cmds", &self.cmds)
            .field("ignored", &self.ignored)
            .field("scripts", &self.scripts.len())
            .finish()
    }
}

impl Pipeline {
    /// An empty plain (non-transactional) pipeline.
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    /// An empty plain pipeline: the same as [`new`](Pipeline::new), for symmetry with
    /// [`transaction`](Pipeline::transaction).
    pub fn plain() -> Pipeline {
        Pipeline::default()
    }

    /// An empty transaction: its commands are wrapped in `MULTI` ... `EXEC`.
    pub fn transaction() -> Pipeline {
        Pipeline {
            transaction: true,
            ..Pipeline::default()
        }
    }

    /// Makes this pipeline a transaction (redis-rs's name).
    pub fn atomic(&mut self) -> &mut Pipeline {
        self.transaction = true;
        self
    }

    /// Makes this pipeline a transaction, or a plain pipeline.
    pub fn set_transaction(&mut self, transaction: bool) -> &mut Pipeline {
        self.transaction = transaction;
        self
    }

    /// Whether this pipeline is a transaction.
    pub fn is_transaction(&self) -> bool {
        self.transaction
    }

    /// Adds a command.
    pub fn add_cmd(&mut self, cmd: Cmd) -> &mut Pipeline {
        self.cmds.push(cmd);
        self.ignored.push(false);
        self
    }

    /// Drops the reply of the command added last from the results (redis-rs's
    /// `.ignore()`). Its error, in a transaction that fails, is still reported.
    pub fn ignore(&mut self) -> &mut Pipeline {
        if let Some(last) = self.ignored.last_mut() {
            *last = true;
        }
        self
    }

    /// Adds a script's `EVALSHA`, and remembers the script so that the driver can make
    /// sure it is loaded before the pipeline runs (see
    /// [`ScriptPreload`](crate::script::ScriptPreload) and [`scripts`](Pipeline::scripts)).
    pub fn invoke_script(&mut self, invocation: &ScriptInvocation<'_>) -> &mut Pipeline {
        let script = invocation.script();
        if !self.scripts.iter().any(|s| s.sha() == script.sha()) {
            self.scripts.push(script.clone());
        }
        self.add_cmd(invocation.evalsha_cmd())
    }

    /// The scripts added with [`invoke_script`](Pipeline::invoke_script), each once.
    pub fn scripts(&self) -> &[Script] {
        &self.scripts
    }

    /// The commands, in order (without `MULTI` and `EXEC`).
    pub fn cmds(&self) -> &[Cmd] {
        &self.cmds
    }

    /// How many commands (without `MULTI` and `EXEC`).
    pub fn len(&self) -> usize {
        self.cmds.len()
    }

    /// Whether there are no commands.
    pub fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    /// Removes every command and script, keeping the mode and the allocations, for reuse.
    pub fn clear(&mut self) {
        self.cmds.clear();
        self.ignored.clear();
        self.scripts.clear();
    }

    /// Writes every command (inside `MULTI` ... `EXEC` for a transaction) into `out`.
    /// An empty pipeline writes nothing, even as a transaction: a driver should then not
    /// read anything either ([`reply_count`](Pipeline::reply_count) is 0).
    pub fn encode<B: BufMut + ?Sized>(&self, out: &mut B) {
        if self.cmds.is_empty() {
            return;
        }
        if self.transaction {
            out.put_slice(b"*1\r\n$5\r\nMULTI\r\n");
        }
        for cmd in &self.cmds {
            cmd.write_to(out);
        }
        if self.transaction {
            out.put_slice(b"*1\r\n$4\r\nEXEC\r\n");
        }
    }

    /// How many bytes [`encode`](Pipeline::encode) writes.
    pub fn encoded_len(&self) -> usize {
        if self.cmds.is_empty() {
            return 0;
        }
        let wrapper = if self.transaction {
            // *1\r\n$5\r\nMULTI\r\n and *1\r\n$4\r\nEXEC\r\n
            15 + 14
        } else {
            0
        };
        wrapper + self.cmds.iter().map(Cmd::encoded_len).sum::<usize>()
    }

    /// How many replies the server sends: one per command, plus `MULTI`'s and `EXEC`'s
    /// in a transaction. 0 for an empty pipeline.
    pub fn reply_count(&self) -> usize {
        match (self.cmds.len(), self.transaction) {
            (0, _) => 0,
            (n, true) => n + 2,
            (n, false) => n,
        }
    }

    /// A collector for this pipeline's replies, to feed one by one.
    pub fn collector(&self) -> ReplyCollector {
        ReplyCollector {
            transaction: self.transaction,
            ignored: self.ignored.clone(),
            expected: self.reply_count(),
            received: 0,
            results: Vec::with_capacity(self.cmds.len()),
            multi_error: None,
            queue_errors: Vec::new(),
            unexpected: None,
            done: self.cmds.is_empty(),
        }
    }

    /// Makes sense of all the replies at once: one result per command not
    /// [ignored](Pipeline::ignore). See the [module docs](self) for the errors.
    pub fn collect(&self, replies: Vec<Value>) -> Result<Vec<Value>, Error> {
        if replies.len() != self.reply_count() {
            return Err(Error::Conversion {
                expected: "pipeline replies",
                received: "array",
                detail: Some(format!(
                    "{} replies for a pipeline that expects {}",
                    replies.len(),
                    self.reply_count()
                )),
            });
        }
        let mut collector = self.collector();
        let mut out = Ok(Vec::new());
        for reply in replies {
            if let Some(results) = collector.on_reply(reply).transpose() {
                out = results;
            }
        }
        out
    }

    /// [`collect`](Pipeline::collect), then converts the results, as one array, into `T`:
    /// a tuple with one element per (not ignored) command, a `Vec`, or `Vec<Value>`.
    pub fn query<T: FromValue>(&self, replies: Vec<Value>) -> Result<T, Error> {
        convert(self.collect(replies)?)
    }
}

/// The typed command methods (`pipe.set(k, v).incr(k, 1)`), each queuing its command.
impl crate::PipelineCommands for Pipeline {
    fn add_cmd(&mut self, cmd: Cmd) -> &mut Self {
        Pipeline::add_cmd(self, cmd)
    }
}

/// Converts a pipeline's results, as one array, into `T` (a tuple, a `Vec`, ...). An
/// error reply among them becomes an [`Error::Server`] unless `T` keeps [`Value`]s.
pub fn convert<T: FromValue>(results: Vec<Value>) -> Result<T, Error> {
    T::from_value(Value::Array(results))
}

/// Takes a pipeline's replies as they arrive, and gives its results once the last one is
/// in. Made by [`Pipeline::collector`].
///
/// ```
/// use ferrodis_commands::pipeline::Pipeline;
/// use ferrodis_commands::{Cmd, Value};
///
/// let mut pipe = Pipeline::new();
/// pipe.add_cmd(Cmd::new("INCR").arg("a")).add_cmd(Cmd::new("INCR").arg("b"));
/// let mut collector = pipe.collector();
/// assert_eq!(collector.on_reply(Value::Integer(1))?, None); // more to come
/// let results = collector.on_reply(Value::Integer(7))?;
/// assert_eq!(results, Some(vec![Value::Integer(1), Value::Integer(7)]));
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReplyCollector {
    transaction: bool,
    ignored: Vec<bool>,
    expected: usize,
    received: usize,
    results: Vec<Value>,
    multi_error: Option<ServerError>,
    queue_errors: Vec<(usize, ServerError)>,
    unexpected: Option<Error>,
    done: bool,
}

impl ReplyCollector {
    /// How many replies are still to come.
    pub fn remaining(&self) -> usize {
        self.expected - self.received
    }

    /// Whether every reply is in.
    pub fn is_complete(&self) -> bool {
        self.done
    }

    /// Takes the next reply. Returns `Ok(None)` while more are to come, and the results
    /// (or the error) with the last one, never before: every reply is read whatever
    /// happens. A reply after the last is an error.
    pub fn on_reply(&mut self, reply: Value) -> Result<Option<Vec<Value>>, Error> {
        if self.done {
            return Err(Error::Conversion {
                expected: "no more pipeline replies",
                received: reply.type_name(),
                detail: Some(format!(
                    "all {} replies of the pipeline were already read",
                    self.expected
                )),
            });
        }
        let index = self.received;
        self.received += 1;
        let last = self.received == self.expected;
        if !self.transaction {
            if !self.ignored.get(index).copied().unwrap_or(false) {
                self.results.push(reply);
            }
            if last {
                self.done = true;
                return Ok(Some(std::mem::take(&mut self.results)));
            }
            return Ok(None);
        }
        if index == 0 {
            self.on_multi(reply);
        } else if !last {
            self.on_queued(index - 1, reply);
        } else {
            self.done = true;
            return self.on_exec(reply).map(Some);
        }
        Ok(None)
    }

    fn on_multi(&mut self, reply: Value) {
        match reply {
            Value::SimpleString(s) if &s[..] == b"OK" => {}
            Value::SimpleError(text) | Value::BulkError(text) => {
                self.multi_error = Some(ServerError::parse(&text));
            }
            other => self.note_unexpected("+OK to MULTI", &other),
        }
    }

    fn on_queued(&mut self, command: usize, reply: Value) {
        if self.multi_error.is_some() {
            // MULTI failed, so the commands ran at once; the MULTI error is reported.
            return;
        }
        match reply {
            Value::SimpleString(s) if &s[..] == b"QUEUED" => {}
            Value::SimpleError(text) | Value::BulkError(text) => {
                self.queue_errors.push((command, ServerError::parse(&text)));
            }
            other => self.note_unexpected("+QUEUED", &other),
        }
    }

    fn note_unexpected(&mut self, expected: &str, got: &Value) {
        if self.unexpected.is_none() {
            self.unexpected = Some(Error::Conversion {
                expected: "a transaction reply",
                received: got.type_name(),
                detail: Some(format!("expected {expected}, got {got:?}")),
            });
        }
    }

    fn on_exec(&mut self, reply: Value) -> Result<Vec<Value>, Error> {
        if let Some(error) = self.multi_error.take() {
            return Err(Error::Server(error));
        }
        if let Some(error) = self.unexpected.take() {
            return Err(error);
        }
        let reply = match reply {
            Value::Attribute { value, .. } => *value,
            other => other,
        };
        match reply {
            Value::Nil => Err(Error::Watch),
            Value::SimpleError(text) | Value::BulkError(text) => {
                let error = ServerError::parse(&text);
                if *error.code() == ErrorCode::ExecAbort || !self.queue_errors.is_empty() {
                    Err(Error::ExecAbort {
                        errors: std::mem::take(&mut self.queue_errors),
                    })
                } else {
                    Err(Error::Server(error))
                }
            }
            Value::Array(items) => {
                let commands = self.expected - 2;
                if items.len() != commands {
                    return Err(Error::Conversion {
                        expected: "EXEC results",
                        received: "array",
                        detail: Some(format!(
                            "EXEC returned {} results for {commands} commands",
                            items.len()
                        )),
                    });
                }
                Ok(items
                    .into_iter()
                    .zip(&self.ignored)
                    .filter(|(_, ignored)| !**ignored)
                    .map(|(item, _)| item)
                    .collect())
            }
            other => Err(Error::Conversion {
                expected: "EXEC results",
                received: other.type_name(),
                detail: Some("EXEC should return an array, nil or an error".to_owned()),
            }),
        }
    }
}
