//! The hand-written wrappers listed in `commands/manual/*.json`, which the generator puts
//! on the three front-end traits next to the generated methods.

use std::path::Path;

use serde_json::Value as Json;

use crate::util::{Error, Result};

/// One entry of a `commands/manual/<topic>.json` file.
#[derive(Debug)]
pub(super) struct Manual {
    /// The file it came from, for messages.
    pub(super) file: String,
    /// The method (and constructor) name: `set_options`.
    pub(super) method: String,
    /// `K: ToArgs, V: ToArgs`, possibly empty.
    pub(super) generics: String,
    /// `key: K, value: V, options: &SetOptions`, possibly empty.
    pub(super) params: String,
    /// `key, value, options`: the constructor's arguments.
    pub(super) args: String,
    /// The constructor's default reply type, for the docs.
    pub(super) reply: String,
    /// The Redis command, such as `SET` or `CLIENT KILL`.
    pub(super) command: String,
    /// The doc comment (may span lines).
    pub(super) doc: String,
}

/// Reads every `*.json` of `dir`, sorted by file name, entries in file order. A missing or
/// empty directory is no wrappers.
pub(super) fn read_all(dir: &Path) -> Result<Vec<Manual>> {
    let mut files = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect::<Vec<_>>(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(Error::Failed(format!(
                "could not list {}: {e}",
                dir.display()
            )))
        }
    };
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let file = path
            .file_name()
            .map(|name| format!("commands/manual/{}", name.to_string_lossy()))
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Failed(format!("could not read {}: {e}", path.display())))?;
        if text.trim().is_empty() {
            continue;
        }
        let json: Json = serde_json::from_str(&text)
            .map_err(|e| Error::Failed(format!("{file} is not valid JSON: {e}")))?;
        let entries = json.as_array().ok_or_else(|| {
            Error::Failed(format!("{file} must hold a JSON array of wrapper objects"))
        })?;
        for (i, entry) in entries.iter().enumerate() {
            out.push(entry_of(&file, i, entry)?);
        }
    }
    Ok(out)
}

fn entry_of(file: &str, i: usize, entry: &Json) -> Result<Manual> {
    let obj = entry
        .as_object()
        .ok_or_else(|| Error::Failed(format!("{file}: entry {i} is not an object")))?;
    let field = |name: &str, required: bool| -> Result<String> {
        match obj.get(name) {
            Some(Json::String(s)) => Ok(s.clone()),
            None | Some(Json::Null) if !required => Ok(String::new()),
            _ => Err(Error::Failed(format!(
                "{file}: entry {i} needs a string field `{name}`"
            ))),
        }
    };
    let method = field("method", true)?;
    let ctx = format!("{file}: `{method}`");
    if method.is_empty()
        || !method
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        || method.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(Error::Failed(format!(
            "{ctx}: a method name must be a snake_case identifier"
        )));
    }
    let generics = field("generics", false)?;
    if generics
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|word| word == "RV")
    {
        return Err(Error::Failed(format!(
            "{ctx}: the generic name `RV` is reserved for the reply type; rename it"
        )));
    }
    let unknown: Vec<&String> = obj
        .keys()
        .filter(|k| {
            ![
                "method", "generics", "params", "args", "reply", "command", "doc",
            ]
            .contains(&k.as_str())
        })
        .collect();
    if !unknown.is_empty() {
        return Err(Error::Failed(format!("{ctx}: unknown fields {unknown:?}")));
    }
    Ok(Manual {
        file: file.to_owned(),
        method,
        generics,
        params: field("params", false)?,
        args: field("args", false)?,
        reply: field("reply", true)?,
        command: field("command", true)?.to_ascii_uppercase(),
        doc: field("doc", true)?,
    })
}
