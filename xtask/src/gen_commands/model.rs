//! The command table as read back from the checked-in JSON.

use serde_json::{Map, Value as Json};

use crate::util::{Error, Result};

/// One command or subcommand.
#[derive(Debug)]
pub(super) struct Command {
    /// `"GET"`, `"CLIENT KILL"`.
    pub(super) name: String,
    /// `"CLIENT"` for `"CLIENT KILL"`.
    pub(super) container: Option<String>,
    /// Whether it has subcommands (`CLIENT`, `CONFIG`, ...).
    pub(super) is_container: bool,
    pub(super) arity: i64,
    pub(super) flags: Vec<String>,
    pub(super) key_specs: Vec<KeySpec>,
    pub(super) group: String,
    pub(super) since: String,
    pub(super) summary: String,
    pub(super) complexity: Option<String>,
    pub(super) deprecated_since: Option<String>,
    pub(super) replaced_by: Option<String>,
    pub(super) arguments: Vec<Arg>,
}

/// A key spec, as `generated/table.rs` spells it.
#[derive(Debug)]
pub(super) struct KeySpec {
    pub(super) begin_search: BeginSearch,
    pub(super) find_keys: FindKeys,
    pub(super) flags: Vec<String>,
}

#[derive(Debug)]
pub(super) enum BeginSearch {
    Index(i64),
    Keyword { keyword: String, start_from: i64 },
    Unknown,
}

#[derive(Debug)]
pub(super) enum FindKeys {
    Range {
        last_key: i64,
        step: i64,
        limit: i64,
    },
    KeyNum {
        key_num_idx: i64,
        first_key: i64,
        step: i64,
    },
    Unknown,
}

/// One argument of `COMMAND DOCS`.
#[derive(Debug, Clone)]
pub(super) struct Arg {
    pub(super) name: String,
    /// `key`, `string`, `integer`, `double`, `pattern`, `unix-time`, `pure-token`,
    /// `oneof`, `block`.
    pub(super) kind: String,
    pub(super) token: Option<String>,
    pub(super) optional: bool,
    pub(super) multiple: bool,
    pub(super) multiple_token: bool,
    pub(super) arguments: Vec<Arg>,
}

/// The parsed file: the server version and the commands, sorted by name.
pub(super) struct Table {
    pub(super) redis_version: String,
    pub(super) commands: Vec<Command>,
}

fn bad(what: &str) -> Error {
    Error::Failed(format!(
        "commands JSON: {what} (re-create it with `cargo xtask gen-commands`)"
    ))
}

fn str_field(obj: &Map<String, Json>, field: &str) -> Option<String> {
    obj.get(field).and_then(Json::as_str).map(str::to_owned)
}

fn int_field(obj: &Map<String, Json>, field: &str, ctx: &str) -> Result<i64> {
    obj.get(field)
        .and_then(Json::as_i64)
        .ok_or_else(|| bad(&format!("{ctx}: `{field}` is missing or not an integer")))
}

fn strings(value: Option<&Json>) -> Vec<String> {
    value
        .and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn parse(json: &Json) -> Result<Table> {
    let redis_version = json
        .get("redis_version")
        .and_then(Json::as_str)
        .ok_or_else(|| bad("`redis_version` is missing"))?
        .to_owned();
    let commands = json
        .get("commands")
        .and_then(Json::as_object)
        .ok_or_else(|| bad("`commands` is missing or not an object"))?;
    let mut out = Vec::with_capacity(commands.len());
    for (name, command) in commands {
        let obj = command
            .as_object()
            .ok_or_else(|| bad(&format!("{name} is not an object")))?;
        let key_specs = obj
            .get("key_specs")
            .and_then(Json::as_array)
            .map(|specs| {
                specs
                    .iter()
                    .map(|spec| key_spec(name, spec))
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        let arguments = obj
            .get("arguments")
            .and_then(Json::as_array)
            .map(|args| {
                args.iter()
                    .map(|a| arg(name, a))
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        out.push(Command {
            name: name.clone(),
            container: str_field(obj, "container"),
            is_container: obj.contains_key("subcommands"),
            arity: int_field(obj, "arity", name)?,
            flags: strings(obj.get("flags")),
            key_specs,
            group: str_field(obj, "group").unwrap_or_default(),
            since: str_field(obj, "since").unwrap_or_default(),
            summary: str_field(obj, "summary").unwrap_or_default(),
            complexity: str_field(obj, "complexity"),
            deprecated_since: str_field(obj, "deprecated_since"),
            replaced_by: str_field(obj, "replaced_by"),
            arguments,
        });
    }
    // The object's keys are sorted already (serde_json's map is a BTreeMap); make sure.
    out.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok(Table {
        redis_version,
        commands: out,
    })
}

fn key_spec(name: &str, spec: &Json) -> Result<KeySpec> {
    let ctx = format!("{name} key spec");
    let obj = spec
        .as_object()
        .ok_or_else(|| bad(&format!("{ctx} is not an object")))?;
    let part = |field: &str| -> Result<(String, Map<String, Json>)> {
        let part = obj
            .get(field)
            .and_then(Json::as_object)
            .ok_or_else(|| bad(&format!("{ctx}: `{field}` is missing")))?;
        let kind = str_field(part, "type").unwrap_or_default();
        let spec = part
            .get("spec")
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default();
        Ok((kind, spec))
    };
    let (kind, s) = part("begin_search")?;
    let begin_search = match kind.as_str() {
        "index" => BeginSearch::Index(int_field(&s, "index", &ctx)?),
        "keyword" => BeginSearch::Keyword {
            keyword: str_field(&s, "keyword")
                .ok_or_else(|| bad(&format!("{ctx}: the keyword is missing")))?,
            start_from: int_field(&s, "startfrom", &ctx)?,
        },
        "unknown" => BeginSearch::Unknown,
        other => return Err(bad(&format!("{ctx}: unknown begin_search type `{other}`"))),
    };
    let (kind, s) = part("find_keys")?;
    let find_keys = match kind.as_str() {
        "range" => FindKeys::Range {
            last_key: int_field(&s, "lastkey", &ctx)?,
            step: int_field(&s, "keystep", &ctx)?,
            limit: int_field(&s, "limit", &ctx)?,
        },
        "keynum" => FindKeys::KeyNum {
            key_num_idx: int_field(&s, "keynumidx", &ctx)?,
            first_key: int_field(&s, "firstkey", &ctx)?,
            step: int_field(&s, "keystep", &ctx)?,
        },
        "unknown" => FindKeys::Unknown,
        other => return Err(bad(&format!("{ctx}: unknown find_keys type `{other}`"))),
    };
    Ok(KeySpec {
        begin_search,
        find_keys,
        flags: strings(obj.get("flags")),
    })
}

fn arg(command: &str, value: &Json) -> Result<Arg> {
    let obj = value
        .as_object()
        .ok_or_else(|| bad(&format!("an argument of {command} is not an object")))?;
    let name = str_field(obj, "name")
        .ok_or_else(|| bad(&format!("an argument of {command} has no name")))?;
    let kind = str_field(obj, "type")
        .ok_or_else(|| bad(&format!("argument {name} of {command} has no type")))?;
    let flags = strings(obj.get("flags"));
    let arguments = obj
        .get("arguments")
        .and_then(Json::as_array)
        .map(|args| {
            args.iter()
                .map(|a| arg(command, a))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok(Arg {
        name,
        kind,
        token: str_field(obj, "token"),
        optional: flags.iter().any(|f| f == "optional"),
        multiple: flags.iter().any(|f| f == "multiple"),
        multiple_token: flags.iter().any(|f| f == "multiple_token"),
        arguments,
    })
}
