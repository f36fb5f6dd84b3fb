//! Reading and compiling a model file, with errors rendered for the terminal.

use mutexcheck_core::{Model, System};

/// Exit code for bad input: an unreadable file, a model that does not compile, bad arguments.
pub const EXIT_BAD_INPUT: i32 = 2;

/// The longest `--time-limit`: a year. Longer would overflow the clock arithmetic and means
/// "no limit" anyway.
const MAX_TIME_LIMIT_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// The largest trace file `replay` reads: a trace holds a few hundred bytes a step, so this
/// is a run of some hundred thousand steps.
pub const MAX_TRACE_BYTES: usize = 64 << 20;

/// The time and memory bounds shared by the commands that explore a model.
#[derive(clap::Args, Debug, Clone)]
pub struct BoundArgs {
    /// Stop when the process uses this much memory (exit 3); 0 stops at once. Default: 80%
    /// of the memory available when it starts. Every phase keeps to it: reading, compiling,
    /// the search, the counterexample.
    #[arg(long, value_name = "MB")]
    pub max_memory: Option<u64>,
    /// Stop after this many seconds (exit 3), counted from the start of the process;
    /// fractions allowed (`0.5`), 0 stops at once.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub time_limit: Option<std::time::Duration>,
}

/// `--crashes`' value: 0 to [`MAX_CRASHES`](mutexcheck_core::ir::MAX_CRASHES), as in a
/// model's `crashes N`.
pub fn parse_crashes(text: &str) -> Result<u32, String> {
    let max = mutexcheck_core::ir::MAX_CRASHES;
    match text.trim().parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("the crash budget must be a whole number from 0 to {max}")),
    }
}

/// `--time-limit`'s value: a non-negative decimal number of seconds, at most a year.
fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = text.trim().parse().map_err(|_| "not a number of seconds (e.g. 10 or 0.5)".to_string())?;
    if !secs.is_finite() || secs < 0.0 {
        return Err("the time limit must be a number of seconds, 0 or more".into());
    }
    if secs > MAX_TIME_LIMIT_SECS {
        return Err(format!("the time limit may be at most {MAX_TIME_LIMIT_SECS} seconds (a year)"));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

impl BoundArgs {
    /// The bounds as the checker's limits (no state or depth bound).
    pub fn limits(&self) -> mutexcheck_checker::Limits {
        mutexcheck_checker::Limits {
            max_memory_mb: self.max_memory.or_else(mutexcheck_checker::Limits::default_memory_mb),
            time_limit: self.time_limit,
            ..mutexcheck_checker::Limits::default()
        }
    }
}

/// A compiled model with the bytes it was compiled from (traces record their hash).
pub struct Loaded {
    /// The model's IR.
    pub model: Model,
    /// The file's bytes.
    pub source: Vec<u8>,
}

/// The bytes of the file at `path`, reading at most `max` + 1 of them: a larger file (or an
/// endless one, like a device) is refused by its reader without being read whole.
pub fn read_limited(path: &str, max: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Why a model could not be loaded: the text printed on stderr, and the same as the JSON
/// document `--json` prints ([`crate::json_doc::bad_input`]).
pub struct BadInput {
    /// The rendered error (diagnostics for a model that does not compile), ending in a
    /// newline.
    pub text: String,
    /// The `bad_input` JSON document.
    pub doc: serde_json::Value,
}

impl BadInput {
    /// An error that belongs to no place in the model.
    fn unplaced(path: &str, message: String) -> BadInput {
        let text = format!("error: {message}\n");
        let diagnostics = vec![crate::json_doc::unplaced(path, &message)];
        BadInput { doc: crate::json_doc::bad_input(path, &message, diagnostics, &text), text }
    }
}

/// The model in the file at `path`, or why not.
pub fn load_or_why(path: &str) -> Result<Loaded, BadInput> {
    if std::path::Path::new(path).is_dir() {
        let message = format!("`{path}` is a directory: to check every model in it run `mutexcheck test {path}`");
        return Err(BadInput::unplaced(path, message));
    }
    // One byte past the language's limit is enough for it to say the file is too large.
    let source = read_limited(path, mutexcheck_lang::MAX_SOURCE_BYTES)
        .map_err(|e| BadInput::unplaced(path, format!("cannot read `{path}`: {e}")))?;
    let model = mutexcheck_lang::compile(path, &source).map_err(|d| {
        let mut text = d.render(path, &source);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let n = d.items.len();
        let error = format!("could not compile `{path}`: {n} error{}", if n == 1 { "" } else { "s" });
        let doc = crate::json_doc::bad_input(path, &error, crate::json_doc::diagnostics(path, &d), &text);
        BadInput { text, doc }
    })?;
    Ok(Loaded { model, source })
}

/// The model in the file at `path`, or the message to print on stderr (rendered diagnostics
/// for a model that does not compile).
pub fn load(path: &str) -> Result<Loaded, String> {
    load_or_why(path).map_err(|bad| bad.text)
}

/// The validated system of the model at `path` (crash budget overridden by `crashes`) and
/// the file's bytes, or why not.
pub fn load_system_or_why(path: &str, crashes: Option<u32>) -> Result<(System, Vec<u8>), BadInput> {
    let loaded = load_or_why(path)?;
    let system = mutexcheck_checker::prepare(loaded.model, crashes)
        .map_err(|e| BadInput::unplaced(path, format!("{path}: {e}")))?;
    Ok((system, loaded.source))
}

/// [`load_system_or_why`]; on failure the error is already printed on stderr and the exit
/// code for bad input is returned.
pub fn load_system(path: &str, crashes: Option<u32>) -> Result<(System, Vec<u8>), i32> {
    load_system_or_why(path, crashes).map_err(|bad| {
        eprint!("{}", bad.text);
        EXIT_BAD_INPUT
    })
}
