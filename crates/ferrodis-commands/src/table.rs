//! The command table's types: what ferrodis knows about each Redis command.
//!
//! The data itself is generated (`generated/table.rs`, by `cargo xtask gen-commands`) from
//! a real server's `COMMAND INFO` and `COMMAND DOCS`, checked in as
//! `commands/redis-7.0.json`: flags and key specs come from Redis, not from memory.

use std::fmt;

/// One command or subcommand of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandInfo {
    /// The name in upper case; a subcommand is `"CONTAINER SUB"`, like `"CLIENT KILL"`.
    pub name: &'static str,
    /// Redis's arity: positive is exact, negative is a minimum (the name counts).
    pub arity: i16,
    /// The flags (`readonly`, `write`, `blocking`, ...).
    pub flags: CommandFlags,
    /// How to find the keys among the arguments.
    pub key_specs: &'static [KeySpec],
    /// The group (`string`, `list`, `server`, ...).
    pub group: &'static str,
    /// The Redis version that introduced it.
    pub since: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
}

/// Where the key specs of a command start searching, per Redis's key-spec model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginSearch {
    /// At this argument index (the name is index 0).
    Index(usize),
    /// After this keyword, searching from `start_from` (negative: from the end).
    Keyword {
        /// The keyword, such as `"STREAMS"`.
        keyword: &'static str,
        /// Where to start looking for it.
        start_from: isize,
    },
    /// The keys cannot be found from the arguments alone.
    Unknown,
}

/// How the key specs of a command find the keys once the search has begun.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindKeys {
    /// A range: up to `last_key` (relative to the first key; negative counts from the
    /// end), every `step`th argument; `limit` > 1 divides the remaining arguments.
    Range {
        /// The last key, relative to the first one.
        last_key: isize,
        /// The distance between keys.
        step: usize,
        /// 0 or 1: no limit; n: only 1/n of the remaining arguments.
        limit: usize,
    },
    /// A count of keys given by an argument (`EVAL script numkeys k1 k2 ...`).
    KeyNum {
        /// Where the count is, relative to the begin-search position.
        key_num_idx: usize,
        /// Where the first key is, relative to the begin-search position.
        first_key: usize,
        /// The distance between keys.
        step: usize,
    },
    /// The keys cannot be found from the arguments alone.
    Unknown,
}

/// One of a command's key specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// Where the search begins.
    pub begin_search: BeginSearch,
    /// How keys are found from there.
    pub find_keys: FindKeys,
    /// Flags of the keys found (`RO`, `RW`, `OW`, `RM`, `access`, `update`, ...), as
    /// Redis names them.
    pub flags: &'static [&'static str],
}

macro_rules! flags {
    ($($(#[$doc:meta])* $name:ident = $bit:expr, $text:literal, $is:ident;)*) => {
        /// Command flags, from `COMMAND INFO`.
        #[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct CommandFlags(u32);

        impl CommandFlags {
            $($(#[$doc])* pub const $name: CommandFlags = CommandFlags(1 << $bit);)*

            /// No flags.
            pub const fn empty() -> CommandFlags {
                CommandFlags(0)
            }

            /// Both sets of flags.
            pub const fn union(self, other: CommandFlags) -> CommandFlags {
                CommandFlags(self.0 | other.0)
            }

            /// Whether every flag of `other` is set.
            pub const fn contains(self, other: CommandFlags) -> bool {
                self.0 & other.0 == other.0
            }

            /// The flag called `name` in `COMMAND INFO` (`"readonly"`, `"blocking"`, ...).
            pub fn from_name(name: &str) -> Option<CommandFlags> {
                match name {
                    $($text => Some(CommandFlags::$name),)*
                    _ => None,
                }
            }

            /// The names of the flags that are set.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                [$((CommandFlags::$name, $text)),*]
                    .into_iter()
                    .filter(move |(f, _)| self.contains(*f))
                    .map(|(_, n)| n)
            }

            $(
                #[doc = concat!("Whether `", $text, "` is set.")]
                pub const fn $is(self) -> bool {
                    self.contains(CommandFlags::$name)
                }
            )*
        }
    };
}

flags! {
    /// Writes data.
    WRITE = 0, "write", is_write;
    /// Only reads data.
    READONLY = 1, "readonly", is_readonly;
    /// May use more memory; refused when out of memory.
    DENYOOM = 2, "denyoom", is_denyoom;
    /// Administrative.
    ADMIN = 3, "admin", is_admin;
    /// Pub/sub.
    PUBSUB = 4, "pubsub", is_pubsub;
    /// Not allowed in scripts.
    NOSCRIPT = 5, "noscript", is_noscript;
    /// May block the client on the server.
    BLOCKING = 6, "blocking", is_blocking;
    /// Allowed while the server loads its data.
    LOADING = 7, "loading", is_loading;
    /// Allowed on a replica with stale data.
    STALE = 8, "stale", is_stale;
    /// Not shown by MONITOR.
    SKIP_MONITOR = 9, "skip_monitor", is_skip_monitor;
    /// Not logged in the slow log.
    SKIP_SLOWLOG = 10, "skip_slowlog", is_skip_slowlog;
    /// O(1) or O(log N).
    FAST = 11, "fast", is_fast;
    /// Allowed before authentication.
    NO_AUTH = 12, "no_auth", is_no_auth;
    /// May be replicated even from a read-only context.
    MAY_REPLICATE = 13, "may_replicate", is_may_replicate;
    /// May take no key even though it has key specs.
    NO_MANDATORY_KEYS = 14, "no_mandatory_keys", is_no_mandatory_keys;
    /// Not allowed inside MULTI.
    NO_MULTI = 15, "no_multi", is_no_multi;
    /// Keys cannot be found from the legacy first/last/step.
    MOVABLEKEYS = 16, "movablekeys", is_movablekeys;
    /// Allowed while a script is busy.
    ALLOW_BUSY = 17, "allow_busy", is_allow_busy;
    /// Runs in the server's module context (module commands).
    MODULE = 18, "module", is_module;
    /// Not propagated to replicas or the AOF.
    NO_PROPAGATE = 19, "no_propagate", is_no_propagate;
    /// Not allowed in async loading.
    NO_ASYNC_LOADING = 20, "no_async_loading", is_no_async_loading;
    /// Only in a sentinel.
    ONLY_SENTINEL = 21, "only_sentinel", is_only_sentinel;
    /// Allowed in sentinel mode.
    SENTINEL = 22, "sentinel", is_sentinel;
    /// Served during a slot migration after `ASKING` (`RESTORE-ASKING`).
    ASKING = 23, "asking", is_asking;
}

impl fmt::Debug for CommandFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// Finds a command, or a subcommand of a container command (`CLIENT KILL`), by name,
/// in any case.
///
/// ```
/// let info = ferrodis_commands::lookup(b"get", None).unwrap();
/// assert_eq!(info.name, "GET");
/// assert!(info.flags.is_readonly());
/// let info = ferrodis_commands::lookup(b"client", Some(b"kill")).unwrap();
/// assert_eq!(info.name, "CLIENT KILL");
/// ```
pub fn lookup(name: &[u8], subcommand: Option<&[u8]>) -> Option<&'static CommandInfo> {
    // Names are short: upper-case them on the stack.
    let mut buf = [0u8; 64];
    let upper = upper_into(name, &mut buf)?;
    if let Some(sub) = subcommand {
        let mut full = [0u8; 64];
        let sub_upper = upper_into(sub, &mut full[upper.len() + 1..])
            .map(<[u8]>::len)
            .filter(|_| upper.len() + 1 < 64);
        if let Some(sub_len) = sub_upper {
            full[..upper.len()].copy_from_slice(upper);
            full[upper.len()] = b' ';
            if let Some(info) = find(&full[..upper.len() + 1 + sub_len]) {
                return Some(info);
            }
        }
    }
    find(upper)
}

/// Every command and subcommand in the table, sorted by name.
pub fn all_commands() -> &'static [CommandInfo] {
    crate::generated::table::COMMANDS
}

fn find(name: &[u8]) -> Option<&'static CommandInfo> {
    let table = all_commands();
    table
        .binary_search_by(|c| c.name.as_bytes().cmp(name))
        .ok()
        .and_then(|i| table.get(i))
}

fn upper_into<'b>(name: &[u8], buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let dst = buf.get_mut(..name.len())?;
    for (d, s) in dst.iter_mut().zip(name) {
        *d = s.to_ascii_uppercase();
    }
    Some(dst)
}
