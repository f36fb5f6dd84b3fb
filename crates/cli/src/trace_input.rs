//! Reading a saved trace and the model it belongs to, for the commands that take a trace
//! (`replay`, `view`): bounded reads, clear errors, and warnings when the model changed.

use mutexcheck_checker::prepare;
use mutexcheck_checker::trace::{model_hash, TraceFile};
use mutexcheck_core::System;

use crate::input::{load, read_limited, EXIT_BAD_INPUT, MAX_TRACE_BYTES};

/// A parsed trace with the validated system of its model.
pub struct TraceAndModel {
    /// The trace.
    pub trace: TraceFile,
    /// The model file used: `--model`, or the path recorded in the trace.
    pub model_path: String,
    /// The model, validated, with the trace's crash budget.
    pub system: System,
    /// The model file's bytes.
    pub source: Vec<u8>,
}

/// Reads the trace at `trace_path` and the model at `model` (default: the model the trace
/// names, relative to the trace's directory or else to the current one). Warns on stderr when the model's hash or name differs from the trace's, saying
/// what goes on anyway (`doing`: `replaying`, `showing it`); on an unreadable or malformed
/// input, prints the error on stderr and returns exit code 2.
pub fn load_trace(trace_path: &str, model: Option<&str>, doing: &str) -> Result<TraceAndModel, i32> {
    let bytes = match read_limited(trace_path, MAX_TRACE_BYTES) {
        Ok(b) if b.len() > MAX_TRACE_BYTES => {
            eprintln!(
                "error: `{trace_path}` is larger than {} MiB: not a trace mutexcheck writes",
                MAX_TRACE_BYTES >> 20
            );
            return Err(EXIT_BAD_INPUT);
        }
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read `{trace_path}`: {e}");
            return Err(EXIT_BAD_INPUT);
        }
    };
    let trace = TraceFile::parse(&bytes).map_err(|e| {
        if is_model(trace_path, &bytes) {
            let run = match doing {
                "showing it" => format!("mutexcheck check {trace_path} --html FILE"),
                _ => format!("mutexcheck check {trace_path}"),
            };
            eprintln!("error: `{trace_path}` is a model, not a trace: run `{run}`");
        } else {
            eprintln!("error: {trace_path}: {e}");
        }
        EXIT_BAD_INPUT
    })?;
    let model_path = match model {
        Some(model) => model.to_string(),
        None => crate::trace_paths::resolve_model(trace_path, &trace).map_err(|message| {
            eprintln!("error: {message}");
            EXIT_BAD_INPUT
        })?,
    };
    let loaded = load(&model_path).map_err(|message| {
        eprint!("{message}");
        EXIT_BAD_INPUT
    })?;
    if model_hash(&loaded.source) != trace.model.hash {
        eprintln!(
            "warning: `{model_path}` has changed since the trace was written (its SHA-256 differs); {doing} anyway"
        );
    }
    if loaded.model.name != trace.model.name {
        eprintln!(
            "warning: the trace is of model `{}`, but `{model_path}` is model `{}`",
            trace.model.name, loaded.model.name
        );
    }
    let semantics = loaded.model.semantics.name();
    if trace.options.semantics != semantics {
        eprintln!(
            "error: {trace_path}: the trace was found under semantics `{}`, but `{model_path}` uses semantics `{semantics}`",
            trace.options.semantics
        );
        return Err(EXIT_BAD_INPUT);
    }
    let max_crashes = mutexcheck_core::ir::MAX_CRASHES;
    if trace.options.crashes > max_crashes {
        eprintln!(
            "error: {trace_path}: the crash budget {} is above the largest, {max_crashes}",
            trace.options.crashes
        );
        return Err(EXIT_BAD_INPUT);
    }
    let system = prepare(loaded.model, Some(trace.options.crashes)).map_err(|e| {
        eprintln!("error: {model_path}: {e}");
        EXIT_BAD_INPUT
    })?;
    Ok(TraceAndModel { trace, model_path, system, source: loaded.source })
}

/// Whether a file given where a trace belongs is a model instead: named `.mc`, or not JSON
/// but a model the language compiles.
fn is_model(path: &str, bytes: &[u8]) -> bool {
    let named = std::path::Path::new(path).extension().is_some_and(|e| e == "mc");
    named
        || (serde_json::from_slice::<serde_json::Value>(bytes).is_err()
            && mutexcheck_lang::compile(path, bytes).is_ok())
}
