//! COMMAND DOCS: each command's documentation, with its arguments and subcommands as
//! trees.
//!
//! The reply maps command names to docs (a RESP3 map, a RESP2 flat array); arguments
//! nest (`oneof` and `block` arguments hold arguments) and containers hold subcommands
//! documented the same way. RESP3 sends `doc_flags` and argument `flags` as sets.

use ferrodis_resp::Value;

use super::util::{self, Fields};
use crate::error::Error;
use crate::from_value::FromValue;

/// The reply of COMMAND DOCS.
///
/// ```
/// use ferrodis_commands::FromValue;
/// use ferrodis_commands::replies::{ArgType, CommandDocs};
///
/// let (value, _) = ferrodis_resp::decode(
///     b"%1\r\n$3\r\nget\r\n%2\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n",
/// )?.unwrap();
/// let docs = CommandDocs::from_value(value)?;
/// let get = docs.get("get").unwrap();
/// assert_eq!(get.summary.as_deref(), Some("Get the value of a key"));
/// assert_eq!(get.arguments[0].arg_type, ArgType::Key);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CommandDocs {
    /// The commands, in reply order.
    pub commands: Vec<CommandDoc>,
}

impl CommandDocs {
    /// The doc of `name` (compared without regard to case).
    pub fn get(&self, name: &str) -> Option<&CommandDoc> {
        self.commands
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

impl FromValue for CommandDocs {
    fn from_value(value: Value) -> Result<Self, Error> {
        Ok(CommandDocs {
            commands: docs(value)?,
        })
    }
}

/// The documentation of one command or subcommand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CommandDoc {
    /// The name, lower case; subcommands are `container|sub` (`object|encoding`).
    pub name: String,
    /// One line on what it does.
    pub summary: Option<String>,
    /// The version that introduced it.
    pub since: Option<String>,
    /// Its group (`string`, `generic`, `server`, ...).
    pub group: Option<String>,
    /// Its time complexity.
    pub complexity: Option<String>,
    /// The module that provides it, for module commands.
    pub module: Option<String>,
    /// Documentation flags: `deprecated`, `syscmd`.
    pub doc_flags: Vec<String>,
    /// The version that deprecated it.
    pub deprecated_since: Option<String>,
    /// What replaces it, if deprecated.
    pub replaced_by: Option<String>,
    /// Changes by version: (version, description).
    pub history: Vec<(String, String)>,
    /// Its arguments.
    pub arguments: Vec<CommandArgument>,
    /// Its subcommands, for containers (`CLIENT`, `OBJECT`, ...).
    pub subcommands: Vec<CommandDoc>,
}

impl CommandDoc {
    /// Whether it is deprecated.
    pub fn is_deprecated(&self) -> bool {
        self.doc_flags.iter().any(|f| f == "deprecated")
    }
}

/// The type of a [`CommandArgument`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArgType {
    /// `string`
    String,
    /// `integer`
    Integer,
    /// `double`
    Double,
    /// `key`: a key name (see `key_spec_index`).
    Key,
    /// `pattern`: a glob-style pattern.
    Pattern,
    /// `unix-time`: a Unix timestamp.
    UnixTime,
    /// `pure-token`: a keyword alone.
    PureToken,
    /// `oneof`: exactly one of the nested arguments.
    OneOf,
    /// `block`: the nested arguments together.
    Block,
    /// A type this crate does not know.
    Other(String),
}

impl ArgType {
    fn parse(s: &str) -> ArgType {
        match s {
            "string" => ArgType::String,
            "integer" => ArgType::Integer,
            "double" => ArgType::Double,
            "key" => ArgType::Key,
            "pattern" => ArgType::Pattern,
            "unix-time" => ArgType::UnixTime,
            "pure-token" => ArgType::PureToken,
            "oneof" => ArgType::OneOf,
            "block" => ArgType::Block,
            other => ArgType::Other(other.to_owned()),
        }
    }
}

/// One argument in a [`CommandDoc`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandArgument {
    /// The argument's name.
    pub name: String,
    /// Its type (the reply's `type` field).
    pub arg_type: ArgType,
    /// The name to show, where it differs from `name`.
    pub display_text: Option<String>,
    /// For `key` arguments, the index of the key spec in COMMAND INFO.
    pub key_spec_index: Option<u64>,
    /// The keyword that precedes it (`EX`, `COUNT`), if any.
    pub token: Option<String>,
    /// A short description.
    pub summary: Option<String>,
    /// The version that introduced it.
    pub since: Option<String>,
    /// The version that deprecated it.
    pub deprecated_since: Option<String>,
    /// Its flags: `optional`, `multiple`, `multiple_token`.
    pub flags: Vec<String>,
    /// For a `pure-token`-like value, its literal.
    pub value: Option<String>,
    /// The nested arguments, for `oneof` and `block`.
    pub arguments: Vec<CommandArgument>,
}

impl CommandArgument {
    /// Whether the argument may be left out.
    pub fn is_optional(&self) -> bool {
        self.flags.iter().any(|f| f == "optional")
    }

    /// Whether it may be repeated.
    pub fn is_multiple(&self) -> bool {
        self.flags.iter().any(|f| f == "multiple")
    }
}

impl FromValue for CommandArgument {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "CommandArgument";
        let mut f = Fields::new(value, T)?;
        Ok(CommandArgument {
            name: f.req("name")?,
            arg_type: ArgType::parse(&f.req::<String>("type")?),
            display_text: f.opt("display_text")?,
            key_spec_index: f.opt("key_spec_index")?,
            token: f.opt("token")?,
            summary: f.opt("summary")?,
            since: f.opt("since")?,
            deprecated_since: f.opt("deprecated_since")?,
            flags: f
                .opt_with("flags", |v| util::strings(v, T))?
                .unwrap_or_default(),
            value: f.opt("value")?,
            arguments: f.opt("arguments")?.unwrap_or_default(),
        })
    }
}

/// Reads a name → doc map (the top level, and `subcommands`).
fn docs(value: Value) -> Result<Vec<CommandDoc>, Error> {
    const T: &str = "CommandDocs";
    if let Value::Nil = value {
        return Ok(Vec::new());
    }
    Fields::new(value, T)?
        .into_rest()
        .into_iter()
        .map(|(name, value)| doc(String::from_utf8_lossy(&name).into_owned(), value))
        .collect()
}

fn doc(name: String, value: Value) -> Result<CommandDoc, Error> {
    const T: &str = "CommandDoc";
    let mut f = Fields::new(value, T)?;
    Ok(CommandDoc {
        summary: f.opt("summary")?,
        since: f.opt("since")?,
        group: f.opt("group")?,
        complexity: f.opt("complexity")?,
        module: f.opt("module")?,
        doc_flags: f
            .opt_with("doc_flags", |v| util::strings(v, T))?
            .unwrap_or_default(),
        deprecated_since: f.opt("deprecated_since")?,
        replaced_by: f.opt("replaced_by")?,
        history: f.opt("history")?.unwrap_or_default(),
        arguments: f.opt("arguments")?.unwrap_or_default(),
        subcommands: f.opt_with("subcommands", docs)?.unwrap_or_default(),
        name,
    })
}
