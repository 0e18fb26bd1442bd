//! FUNCTION LIST: the loaded function libraries.

use ferrodis_resp::Value;

use super::util::{self, Fields};
use crate::error::Error;
use crate::from_value::FromValue;

/// One library of FUNCTION LIST. Ask for `Vec<FunctionLibrary>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FunctionLibrary {
    /// The library's name.
    pub name: String,
    /// Its engine (`LUA`).
    pub engine: String,
    /// Its functions.
    pub functions: Vec<FunctionInfo>,
    /// Its source code, with `WITHCODE`.
    pub code: Option<String>,
}

impl FromValue for FunctionLibrary {
    fn from_value(value: Value) -> Result<Self, Error> {
        let mut f = Fields::new(value, "FunctionLibrary")?;
        Ok(FunctionLibrary {
            name: f.req("library_name")?,
            engine: f.req("engine")?,
            functions: f.opt("functions")?.unwrap_or_default(),
            code: f.opt("library_code")?,
        })
    }
}

/// One function of a [`FunctionLibrary`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FunctionInfo {
    /// The function's name.
    pub name: String,
    /// Its description, if it was registered with one.
    pub description: Option<String>,
    /// Its flags (`no-writes`, `allow-oom`, `allow-stale`, `no-cluster`,
    /// `allow-cross-slot-keys`).
    pub flags: Vec<String>,
}

impl FunctionInfo {
    /// Whether the function has `flag`, such as `"no-writes"` (which lets FCALL_RO and
    /// replicas run it).
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }
}

impl FromValue for FunctionInfo {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "FunctionInfo";
        let mut f = Fields::new(value, T)?;
        Ok(FunctionInfo {
            name: f.req("name")?,
            description: f.opt("description")?,
            flags: f
                .opt_with("flags", |v| util::strings(v, T))?
                .unwrap_or_default(),
        })
    }
}
