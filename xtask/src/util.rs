//! Small helpers shared by the commands: errors, paths, running cargo.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};

/// Why a command could not do its job.
#[derive(Debug)]
pub(crate) enum Error {
    /// The command line is wrong: `main` points to the help and exits with 2.
    Usage(String),
    /// Something failed: `main` prints the message and exits with 1.
    Failed(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Failed(message) => f.write_str(message),
        }
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// The workspace root (the parent of this crate's directory).
pub(crate) fn project_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The cargo that runs us (`$CARGO`, set by `cargo run`), or `cargo` from `PATH`.
pub(crate) fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

/// A `cargo <args>` command that runs in the workspace root.
pub(crate) fn cargo<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::new(cargo_program());
    command.args(args).current_dir(project_root());
    default_cargo_color(&mut command);
    command
}

/// The command line as a shell user would type it, with `cargo` for the cargo path.
pub(crate) fn display(command: &Command) -> String {
    let program = command.get_program();
    let mut line = if program == cargo_program() {
        "cargo".to_owned()
    } else {
        program.to_string_lossy().into_owned()
    };
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// Runs `command` with inherited stdio and waits for it.
pub(crate) fn status(command: &mut Command) -> Result<ExitStatus> {
    command
        .status()
        .map_err(|e| Error::Failed(format!("could not run `{}`: {e}", display(command))))
}

/// The exit code to pass on for a child's exit status (1 if it was killed by a signal).
pub(crate) fn exit_code(status: ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).ok().filter(|&c| c != 0).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}

/// Sets `CARGO_TERM_COLOR` on `command` unless the user chose already: colours when
/// stderr is a terminal or we run under CI (whose log viewers render them).
fn default_cargo_color(command: &mut Command) {
    use std::io::IsTerminal;
    if std::env::var_os("CARGO_TERM_COLOR").is_none() {
        let color = if std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
            "always"
        } else {
            "never"
        };
        command.env("CARGO_TERM_COLOR", color);
    }
}
