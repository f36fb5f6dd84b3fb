//! Reading and compiling a model file, with errors rendered for the terminal.

use mutexcheck_core::Model;

/// Exit code for bad input: an unreadable file, a model that does not compile, bad arguments.
pub const EXIT_BAD_INPUT: i32 = 2;

/// The model in the file at `path`, or the message to print on stderr (rendered diagnostics
/// for a model that does not compile).
pub fn load(path: &str) -> Result<Model, String> {
    let source = std::fs::read(path).map_err(|e| format!("error: cannot read `{path}`: {e}\n"))?;
    mutexcheck_lang::compile(path, &source).map_err(|d| d.render(path, &source))
}
