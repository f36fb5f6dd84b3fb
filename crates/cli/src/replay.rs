//! `mutexcheck replay TRACE`: re-execute a stored counterexample against its model.

use clap::Args;
use mutexcheck_checker::trace::{model_hash, replay, ReplayVerdict, TraceFile};
use mutexcheck_checker::{prepare, Guard};

use crate::input::{load, read_limited, BoundArgs, EXIT_BAD_INPUT, MAX_TRACE_BYTES};
use crate::output::print_out;

/// Exit code when the trace reproduces its violation.
const EXIT_REPRODUCED: i32 = 1;

/// Options of `mutexcheck replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The JSON trace written by `mutexcheck check`.
    pub trace: String,
    /// The model to replay against (default: the path recorded in the trace).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    #[command(flatten)]
    pub bounds: BoundArgs,
}

/// Runs `replay` and returns the exit code: 1 when the violation reproduces, 2 when the
/// trace or model cannot be read or a step no longer matches.
pub fn run(args: &ReplayArgs) -> i32 {
    // Every phase keeps to the time and memory bounds; past them the process ends (exit 3).
    let _guard = Guard::with_backstop(&args.bounds.limits());
    let bytes = match read_limited(&args.trace, MAX_TRACE_BYTES) {
        Ok(b) if b.len() > MAX_TRACE_BYTES => {
            eprintln!(
                "error: `{}` is larger than {} MiB: not a trace mutexcheck writes",
                args.trace,
                MAX_TRACE_BYTES >> 20
            );
            return EXIT_BAD_INPUT;
        }
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.trace);
            return EXIT_BAD_INPUT;
        }
    };
    let trace = match TraceFile::parse(&bytes) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", args.trace);
            return EXIT_BAD_INPUT;
        }
    };
    let model_path = args.model.clone().unwrap_or_else(|| trace.model.path.clone());
    let loaded = match load(&model_path) {
        Ok(l) => l,
        Err(message) => {
            eprint!("{message}");
            return EXIT_BAD_INPUT;
        }
    };
    if model_hash(&loaded.source) != trace.model.hash {
        eprintln!(
            "warning: `{model_path}` has changed since the trace was written (its SHA-256 differs); replaying anyway"
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
            "error: {}: the trace was found under semantics `{}`, but `{model_path}` uses semantics `{semantics}`",
            args.trace, trace.options.semantics
        );
        return EXIT_BAD_INPUT;
    }
    let max_crashes = mutexcheck_core::ir::MAX_CRASHES;
    if trace.options.crashes > max_crashes {
        eprintln!(
            "error: {}: the crash budget {} is above the largest, {max_crashes}",
            args.trace, trace.options.crashes
        );
        return EXIT_BAD_INPUT;
    }
    let system = match prepare(loaded.model, Some(trace.options.crashes)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {model_path}: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let result = replay(&system, &trace);
    let mut text = format!(
        "replaying {} ({} steps) against {model_path}, crashes allowed: {}\n",
        args.trace,
        trace.steps.len(),
        trace.options.crashes
    );
    for line in &result.lines {
        text.push_str(&format!("{line}\n"));
    }
    let code = match &result.verdict {
        ReplayVerdict::Reproduced(found) => {
            text.push_str(&format!(
                "reproduced: violation ({}) at step {}\n{}\n",
                found.kind, trace.violation.step, found.message
            ));
            EXIT_REPRODUCED
        }
        ReplayVerdict::Diverged { step, reason } => {
            text.push_str(&format!("does not reproduce: step {step}: {reason}\n"));
            EXIT_BAD_INPUT
        }
    };
    print_out(&text);
    code
}
