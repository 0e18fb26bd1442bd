//! Capturing `COMMAND INFO` and `COMMAND DOCS` from a private redis-server into the
//! normalized JSON file.
//!
//! The server speaks RESP3 (`HELLO 3`), so every map arrives as a map and converts to a
//! JSON object without knowing which arrays are "really" maps. `COMMAND INFO` is the one
//! reply that is positional (an array of ten fields per command); it is given names here.
//! Sets (flags, ACL categories) become sorted arrays, objects are sorted by key
//! (`serde_json`'s default map is a `BTreeMap`), and subcommands are flattened to
//! `"CONTAINER SUB"` entries, so the file is the same whatever order the server used.

use bytes::BytesMut;
use ferrodis_resp::{Decoder, Value};
use serde_json::{json, Map, Value as Json};

use crate::util::{Error, Result};

/// The Redis release the checked-in JSON describes; capturing from another one is refused.
pub(super) const REDIS_SERIES: &str = "7.0.";

/// Starts a private redis-server and returns the normalized JSON of its command table.
pub(super) fn capture() -> Result<Json> {
    let binary = crate::redis::ensure_redis_server()?;
    let server = ferrodis_tests::RedisServer::builder()
        .binary(binary)
        .start()
        .map_err(|e| Error::Failed(format!("could not start a redis-server: {e}")))?;
    let mut stream = server
        .connect()
        .map_err(|e| Error::Failed(format!("could not connect to the redis-server: {e}")))?;
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::new();
    let mut query = |args: &[&[u8]]| -> Result<Value> {
        let value = ferrodis_tests::raw_roundtrip(&mut stream, &mut decoder, &mut buf, args)
            .map_err(|e| Error::Failed(format!("redis-server did not answer: {e}")))?;
        if let Value::SimpleError(text) | Value::BulkError(text) = &value {
            return Err(Error::Failed(format!(
                "redis-server answered {} with an error: {}",
                String::from_utf8_lossy(&args.join(&b' ')),
                String::from_utf8_lossy(text)
            )));
        }
        Ok(value)
    };

    let hello = to_json(query(&[b"HELLO", b"3"])?);
    let version = hello
        .get("version")
        .and_then(Json::as_str)
        .ok_or_else(|| Error::Failed("HELLO 3 did not give the server version".to_owned()))?
        .to_owned();
    if !version.starts_with(REDIS_SERIES) {
        return Err(Error::Failed(format!(
            "redis-server {version} is not a {REDIS_SERIES}x release, and the checked-in file \
             describes {REDIS_SERIES}x; point FERRODIS_REDIS_SERVER at a redis-server \
             {REDIS_SERIES}x, or run `cargo xtask gen-commands --no-capture` to regenerate \
             the Rust code from the checked-in JSON"
        )));
    }
    let info = query(&[b"COMMAND", b"INFO"])?;
    let docs = query(&[b"COMMAND", b"DOCS"])?;
    drop(server);
    normalize(&version, info, docs)
}

/// Builds the file's JSON from the two replies.
fn normalize(version: &str, info: Value, docs: Value) -> Result<Json> {
    let mut commands = Map::new();
    let Value::Array(infos) = info else {
        return Err(Error::Failed(format!(
            "COMMAND INFO answered a {}, not an array",
            info.type_name()
        )));
    };
    for entry in infos {
        add_info(&mut commands, entry, None)?;
    }
    let Json::Object(docs) = to_json(docs) else {
        return Err(Error::Failed(
            "COMMAND DOCS did not answer a map".to_owned(),
        ));
    };
    for (name, doc) in docs {
        add_docs(&mut commands, &name, doc, None)?;
    }
    for (name, command) in &commands {
        if command.get("group").is_none() {
            return Err(Error::Failed(format!(
                "{name} is in COMMAND INFO but not in COMMAND DOCS"
            )));
        }
        if command.get("arity").is_none() {
            return Err(Error::Failed(format!(
                "{name} is in COMMAND DOCS but not in COMMAND INFO"
            )));
        }
    }
    Ok(json!({
        "generated_by": "cargo xtask gen-commands (COMMAND INFO and COMMAND DOCS over RESP3)",
        "redis_version": version,
        "commands": commands,
    }))
}

/// The table name of a command: `"GET"`, or `"CLIENT KILL"` for the server's `client|kill`.
fn table_name(server_name: &str) -> String {
    server_name.replace('|', " ").to_ascii_uppercase()
}

/// Adds one `COMMAND INFO` entry (and its subcommands).
fn add_info(commands: &mut Map<String, Json>, entry: Value, container: Option<&str>) -> Result<()> {
    let Value::Array(fields) = entry else {
        return Err(Error::Failed(format!(
            "a COMMAND INFO entry is a {}, not an array",
            entry.type_name()
        )));
    };
    if fields.len() < 10 {
        return Err(Error::Failed(format!(
            "a COMMAND INFO entry has {} fields, not 10 (is this Redis 7?)",
            fields.len()
        )));
    }
    let mut fields = fields.into_iter();
    let mut next = || fields.next().map(to_json).unwrap_or(Json::Null);
    let server_name = next();
    let name = table_name(server_name.as_str().unwrap_or_default());
    let mut command = Map::new();
    command.insert("arity".into(), next());
    command.insert("flags".into(), next());
    let first = next();
    let last = next();
    let step = next();
    command.insert(
        "legacy_keys".into(),
        json!({ "first": first, "last": last, "step": step }),
    );
    command.insert("acl_categories".into(), next());
    command.insert("tips".into(), next());
    command.insert("key_specs".into(), next());
    if let Some(container) = container {
        command.insert("container".into(), Json::from(container));
    }
    if let Some(Value::Array(subs)) = fields.next() {
        for sub in subs {
            add_info(commands, sub, Some(&name))?;
        }
    }
    commands.insert(name, Json::Object(command));
    Ok(())
}

/// Merges one `COMMAND DOCS` entry (and its subcommands) into its command.
fn add_docs(
    commands: &mut Map<String, Json>,
    server_name: &str,
    doc: Json,
    container: Option<&str>,
) -> Result<()> {
    let name = table_name(server_name);
    let Json::Object(mut doc) = doc else {
        return Err(Error::Failed(format!(
            "COMMAND DOCS of {name} is not a map"
        )));
    };
    let subcommands = doc.remove("subcommands");
    let command = commands
        .entry(name.clone())
        .or_insert_with(|| Json::Object(Map::new()));
    if let Json::Object(command) = command {
        if let Some(container) = container {
            command.insert("container".into(), Json::from(container));
        }
        for (field, value) in doc {
            command.insert(field, value);
        }
    }
    if let Some(Json::Object(subs)) = subcommands {
        let mut names: Vec<String> = subs.keys().map(|s| table_name(s)).collect();
        names.sort();
        if let Some(Json::Object(command)) = commands.get_mut(&name) {
            command.insert("subcommands".into(), Json::from(names));
        }
        for (sub, sub_doc) in subs {
            add_docs(commands, &sub, sub_doc, Some(&name))?;
        }
    }
    Ok(())
}

/// Converts a RESP3 reply to JSON: maps to objects (keys sorted), sets to sorted arrays,
/// strings to strings.
pub(super) fn to_json(value: Value) -> Json {
    match value {
        Value::Nil => Json::Null,
        Value::SimpleString(s)
        | Value::BulkString(s)
        | Value::SimpleError(s)
        | Value::BulkError(s)
        | Value::BigNumber(s)
        | Value::VerbatimString { text: s, .. } => {
            Json::String(String::from_utf8_lossy(&s).into_owned())
        }
        Value::Integer(n) => Json::from(n),
        Value::Double(d) => Json::from(d),
        Value::Boolean(b) => Json::Bool(b),
        Value::Array(items) | Value::Push(items) => {
            Json::Array(items.into_iter().map(to_json).collect())
        }
        Value::Set(items) => {
            let mut items: Vec<Json> = items.into_iter().map(to_json).collect();
            items.sort_by_key(|item| item.to_string());
            Json::Array(items)
        }
        Value::Map(pairs) => Json::Object(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let key = match to_json(k) {
                        Json::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Value::Attribute { value, .. } => to_json(*value),
    }
}
