//! Reading and compiling a model file, with errors rendered for the terminal.

use mutexcheck_core::{Model, System};

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
    let model = mutexcheck_lang::compile(path, &source).map_err(|d| {
        let mut text = d.render(path, &source);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    })?;
    Ok(Loaded { model, source })
}

/// The validated system of the model at `path` (crash budget overridden by `crashes`) and
/// the file's bytes; on failure the error is already printed on stderr and the exit code
/// for bad input is returned.
pub fn load_system(path: &str, crashes: Option<u32>) -> Result<(System, Vec<u8>), i32> {
    let loaded = load(path).map_err(|message| {
        eprint!("{message}");
        EXIT_BAD_INPUT
    })?;
    let system = mutexcheck_checker::prepare(loaded.model, crashes).map_err(|e| {
        eprintln!("error: {path}: {e}");
        EXIT_BAD_INPUT
    })?;
    Ok((system, loaded.source))
}
