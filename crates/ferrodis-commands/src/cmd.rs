//! [`Cmd`]: one command, encoded as it is built.

use std::fmt;

use bytes::BufMut;

use crate::args::{ArgWriter, ToArgs};
use crate::table::{self, CommandFlags, CommandInfo};

/// A command: its name and arguments, already encoded as RESP bulk strings.
///
/// Each argument is written into one buffer as it is added, so building a command costs
/// no allocation per argument, and a `Cmd` that is [cleared](Cmd::clear) and reused costs
/// none at all once its buffer has grown. [`write_to`](Cmd::write_to) copies the request
/// into a connection's write buffer.
///
/// A `Cmd` knows its [`info`](Cmd::info) from the command table: its
/// [flags](Cmd::flags) and which arguments are [keys](Cmd::keys).
///
/// ```
/// use ferrodis_commands::Cmd;
///
/// let cmd = Cmd::new("SET").arg("greeting").arg("hello").arg("EX").arg(60);
/// let mut out = Vec::new();
/// cmd.write_to(&mut out);
/// assert_eq!(out, b"*5\r\n$3\r\nSET\r\n$8\r\ngreeting\r\n$5\r\nhello\r\n$2\r\nEX\r\n$2\r\n60\r\n");
/// assert_eq!(cmd.keys().collect::<Vec<_>>(), [&b"greeting"[..]]);
/// assert!(cmd.flags().is_write());
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cmd {
    /// The arguments, each as `$<len>\r\n<bytes>\r\n`.
    buf: Vec<u8>,
    /// How many arguments `buf` holds.
    argc: usize,
}

impl Cmd {
    /// A command named `name` (`"GET"`, `"CLIENT"`, ...) with no arguments yet.
    pub fn new(name: &str) -> Cmd {
        let mut cmd = Cmd::with_capacity(64);
        cmd.write_arg(name.as_bytes());
        cmd
    }

    /// An empty command whose buffer has room for `bytes` bytes of encoded arguments.
    pub fn with_capacity(bytes: usize) -> Cmd {
        Cmd {
            buf: Vec::with_capacity(bytes),
            argc: 0,
        }
    }

    /// Adds argument(s) and returns the command, for chaining.
    #[inline]
    #[must_use]
    pub fn arg<A: ToArgs>(mut self, arg: A) -> Cmd {
        arg.write_args(&mut self);
        self
    }

    /// Adds argument(s) in place.
    #[inline]
    pub fn push_arg<A: ToArgs>(&mut self, arg: A) -> &mut Cmd {
        arg.write_args(self);
        self
    }

    /// Removes every argument, keeping the buffer for reuse.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.argc = 0;
    }

    /// How many arguments, the name included.
    pub fn argc(&self) -> usize {
        self.argc
    }

    /// Whether the command has no arguments, not even a name.
    pub fn is_empty(&self) -> bool {
        self.argc == 0
    }

    /// How many bytes [`write_to`](Cmd::write_to) writes.
    pub fn encoded_len(&self) -> usize {
        let mut digits = [0u8; 20];
        1 + ferrodis_resp::format_u64(self.argc as u64, &mut digits).len() + 2 + self.buf.len()
    }

    /// Writes the command as a RESP array of bulk strings.
    #[inline]
    pub fn write_to<B: BufMut + ?Sized>(&self, out: &mut B) {
        ferrodis_resp::write_array_header(out, self.argc);
        out.put_slice(&self.buf);
    }

    /// The arguments, the name first.
    pub fn args(&self) -> Args<'_> {
        Args {
            rest: &self.buf,
            left: self.argc,
        }
    }

    /// Argument `i` (0 is the name).
    pub fn arg_at(&self, i: usize) -> Option<&[u8]> {
        self.args().nth(i)
    }

    /// The command's name as given (`"GET"`, `"client"`), or empty.
    pub fn name(&self) -> &[u8] {
        self.arg_at(0).unwrap_or_default()
    }

    /// The table entry of this command, or of its subcommand (`CLIENT KILL`), if known.
    pub fn info(&self) -> Option<&'static CommandInfo> {
        let mut args = self.args();
        let name = args.next()?;
        table::lookup(name, args.next())
    }

    /// The command's flags from the table; empty for a command the table does not know.
    pub fn flags(&self) -> CommandFlags {
        self.info().map(|i| i.flags).unwrap_or_default()
    }

    /// The arguments that are keys, found with the table's key specs (which cover the
    /// irregular commands: `EVAL` numkeys, `XREAD ... STREAMS`, `ZUNIONSTORE` numkeys,
    /// `MIGRATE ... KEYS`, `SORT ... STORE`, ...). None for an unknown command.
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let args: Vec<&[u8]> = match self.info() {
            Some(info) if !info.key_specs.is_empty() => self.args().collect(),
            _ => Vec::new(),
        };
        let positions = match self.info() {
            Some(info) => crate::keys::key_positions(info, &args),
            None => Vec::new(),
        };
        positions.into_iter().filter_map(move |i| self.arg_at(i))
    }
}

impl Cmd {
    /// How long this command may block on the server: `None` for a command that does not
    /// block, `Some(None)` for one that may block forever (a timeout of 0), and
    /// `Some(Some(d))` for one that blocks up to `d` (`BLPOP`, `BRPOP`, `BLMOVE`,
    /// `BRPOPLPUSH`, `BZPOPMIN`/`MAX`, `BLMPOP`, `BZMPOP`, `WAIT`, `WAITAOF`, and
    /// `XREAD`/`XREADGROUP` with `BLOCK`).
    ///
    /// Transports add it to their response timeout, and route such commands away from
    /// connections other callers share. A timeout the server cannot read counts as
    /// "not at all" (`Some(Some(0))`): the server refuses the command at once.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ferrodis_commands::Cmd;
    ///
    /// let blpop = Cmd::new("BLPOP").arg("queue").arg(1.5);
    /// assert_eq!(blpop.blocking_timeout(), Some(Some(Duration::from_millis(1500))));
    /// assert_eq!(Cmd::new("GET").arg("k").blocking_timeout(), None);
    /// ```
    pub fn blocking_timeout(&self) -> Option<Option<std::time::Duration>> {
        use std::time::Duration;
        let arg = |i: usize| self.arg_at(i);
        let last = || self.arg_at(self.argc().checked_sub(1)?);
        let seconds = |a: Option<&[u8]>| -> Option<Duration> {
            let secs: f64 = std::str::from_utf8(a?).ok()?.parse().ok()?;
            Duration::try_from_secs_f64(secs).ok()
        };
        let millis = |a: Option<&[u8]>| -> Option<Duration> {
            let ms: u64 = std::str::from_utf8(a?).ok()?.parse().ok()?;
            Some(Duration::from_millis(ms))
        };
        let mut upper = [0u8; 16];
        let name = self.name();
        let upper = upper.get_mut(..name.len())?;
        upper.copy_from_slice(name);
        upper.make_ascii_uppercase();
        let block = match &*upper {
            b"BLPOP" | b"BRPOP" | b"BZPOPMIN" | b"BZPOPMAX" | b"BRPOPLPUSH" | b"BLMOVE" => {
                seconds(last())
            }
            b"BLMPOP" | b"BZMPOP" => seconds(arg(1)),
            b"WAIT" | b"WAITAOF" => millis(last()),
            b"XREAD" | b"XREADGROUP" => {
                let at = self.args().position(|a| a.eq_ignore_ascii_case(b"BLOCK"))?;
                millis(arg(at + 1))
            }
            _ => return None,
        };
        // An unreadable timeout is left to the server to refuse; 0 blocks forever.
        Some(match block {
            Some(d) if d.is_zero() => None,
            Some(d) => Some(d),
            None => Some(Duration::ZERO),
        })
    }
}

/// What a command does to the connection it runs on, beyond its reply: what a transport
/// must know to keep a shared or pooled connection safe for the next caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionEffect {
    /// Nothing: any caller may use the connection afterwards.
    None,
    /// `MULTI`: commands are queued until `EXEC` or `DISCARD`.
    Multi,
    /// `EXEC` or `DISCARD`: ends a transaction, and any `WATCH`.
    EndTransaction,
    /// `WATCH`: the next `EXEC` on this connection depends on the watched keys.
    Watch,
    /// `UNWATCH`.
    Unwatch,
    /// Changes what later commands on this connection see: `SELECT`, `AUTH`, `HELLO`,
    /// `READONLY`/`READWRITE`/`ASKING`, `CLIENT REPLY|SETNAME|TRACKING|NO-EVICT|NO-TOUCH|SETINFO`.
    State,
    /// Turns the connection into something else or ends it: the `SUBSCRIBE` family
    /// (pub/sub mode), `MONITOR`, `RESET`, `QUIT`.
    Takeover,
}

impl Cmd {
    /// What this command does to its connection (see [`ConnectionEffect`]).
    ///
    /// ```
    /// use ferrodis_commands::{Cmd, ConnectionEffect};
    ///
    /// assert_eq!(Cmd::new("GET").arg("k").connection_effect(), ConnectionEffect::None);
    /// assert_eq!(Cmd::new("select").arg(2).connection_effect(), ConnectionEffect::State);
    /// assert_eq!(
    ///     Cmd::new("CLIENT").arg("TRACKING").arg("ON").connection_effect(),
    ///     ConnectionEffect::State
    /// );
    /// ```
    pub fn connection_effect(&self) -> ConnectionEffect {
        let name = self.name();
        if name.len() < 4 || name.len() > 10 {
            return ConnectionEffect::None;
        }
        let mut upper = [0u8; 10];
        let upper = &mut upper[..name.len()];
        upper.copy_from_slice(name);
        upper.make_ascii_uppercase();
        match &*upper {
            b"MULTI" => ConnectionEffect::Multi,
            b"EXEC" | b"DISCARD" => ConnectionEffect::EndTransaction,
            b"WATCH" => ConnectionEffect::Watch,
            b"UNWATCH" => ConnectionEffect::Unwatch,
            b"SELECT" | b"HELLO" | b"AUTH" | b"READONLY" | b"READWRITE" | b"ASKING" => {
                ConnectionEffect::State
            }
            b"SUBSCRIBE" | b"PSUBSCRIBE" | b"SSUBSCRIBE" | b"MONITOR" | b"RESET" | b"QUIT" => {
                ConnectionEffect::Takeover
            }
            b"CLIENT" => {
                let sub = self.arg_at(1).unwrap_or_default();
                if [
                    &b"REPLY"[..],
                    b"SETNAME",
                    b"TRACKING",
                    b"NO-EVICT",
                    b"NO-TOUCH",
                    b"SETINFO",
                ]
                .iter()
                .any(|s| s.eq_ignore_ascii_case(sub))
                {
                    ConnectionEffect::State
                } else {
                    ConnectionEffect::None
                }
            }
            _ => ConnectionEffect::None,
        }
    }
}

impl ArgWriter for Cmd {
    #[inline]
    fn write_arg(&mut self, arg: &[u8]) {
        ferrodis_resp::write_bulk(&mut self.buf, arg);
        self.argc += 1;
    }
}

impl fmt::Debug for Cmd {
    /// Shows the arguments as text where they are printable. Note that this prints
    /// arguments as they are: do not log commands that carry secrets (`AUTH`, `HELLO`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for arg in self.args() {
            match std::str::from_utf8(arg) {
                Ok(s) => list.entry(&s),
                Err(_) => list.entry(&arg),
            };
        }
        list.finish()
    }
}

/// The arguments of a [`Cmd`], as byte slices.
#[derive(Debug, Clone)]
pub struct Args<'a> {
    rest: &'a [u8],
    left: usize,
}

impl<'a> Iterator for Args<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        // The buffer only ever holds `$<len>\r\n<bytes>\r\n` written by `write_arg`.
        let digits_end = self.rest.iter().position(|&b| b == b'\r')?;
        let len: usize = std::str::from_utf8(self.rest.get(1..digits_end)?)
            .ok()?
            .parse()
            .ok()?;
        let start = digits_end + 2;
        let arg = self.rest.get(start..start + len)?;
        self.rest = self.rest.get(start + len + 2..)?;
        self.left -= 1;
        Some(arg)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Args<'_> {}

/// A [`Cmd`] together with the reply type it converts to by default.
///
/// The generated constructors in [`commands`](crate::commands) return one, so that
/// `client.query(commands::get("k"))` needs no type annotation, while the client's
/// command methods let the caller pick any [`FromValue`](crate::FromValue) type.
pub struct Typed<R> {
    cmd: Cmd,
    _reply: std::marker::PhantomData<fn() -> R>,
}

impl<R> Typed<R> {
    /// Wraps a command.
    pub fn new(cmd: Cmd) -> Typed<R> {
        Typed {
            cmd,
            _reply: std::marker::PhantomData,
        }
    }

    /// Adds argument(s), keeping the reply type.
    #[must_use]
    pub fn arg<A: ToArgs>(self, arg: A) -> Typed<R> {
        Typed::new(self.cmd.arg(arg))
    }

    /// The command.
    pub fn cmd(&self) -> &Cmd {
        &self.cmd
    }

    /// The command, without its reply type.
    pub fn into_cmd(self) -> Cmd {
        self.cmd
    }

    /// The same command, converting to another reply type.
    pub fn with_reply<T>(self) -> Typed<T> {
        Typed::new(self.cmd)
    }
}

impl<R> From<Typed<R>> for Cmd {
    fn from(typed: Typed<R>) -> Cmd {
        typed.cmd
    }
}

impl<R> Clone for Typed<R> {
    fn clone(&self) -> Self {
        Typed::new(self.cmd.clone())
    }
}

impl<R> fmt::Debug for Typed<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Typed")
            .field(&self.cmd)
            .field(&std::any::type_name::<R>())
            .finish()
    }
}
