//! Reading and compiling a model file, with errors rendered for the terminal.

use mutexcheck_core::Model;

/// Exit code for bad input: an unreadable file, a model that does not compile, bad arguments.
pub const EXIT_BAD_INPUT: i32 = 2;

/// A compiled model with the bytes it was compiled from (traces record their hash).
pub struct Loaded {
    /// The model's IR.
    pub model: Model,
    /// The file's bytes.
    pub source: Vec<u8>,
}

/// The model in the file at `path`, or the message to print on stderr (rendered diagnostics
/// for a model that does not compile).
pub fn load(path: &str) -> Result<Loaded, String> {
    let source = std::fs::read(path).map_err(|e| format!("error: cannot read `{path}`: {e}\n"))?;
    let model = mutexcheck_lang::compile(path, &source).map_err(|d| d.render(path, &source))?;
    Ok(Loaded { model, source })
}
