//! `mutexcheck replay TRACE`: re-execute a stored counterexample against its model.

use clap::Args;
use mutexcheck_checker::trace::{replay, ReplayVerdict};

use crate::input::{BoundArgs, EXIT_BAD_INPUT};
use crate::output::print_out;
use crate::trace_input::{load_trace, TraceAndModel};

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
    let _guard = crate::backstop::guard(&args.bounds.limits());
    let TraceAndModel { trace, model_path, system, .. } =
        match load_trace(&args.trace, args.model.as_deref(), "replaying") {
            Ok(loaded) => loaded,
            Err(code) => return code,
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
            // A lasso's violation is no one step: the cycle that repeats forever.
            let at = match trace.violation.cycle_start {
                Some(start) => format!(": the cycle of steps {start}-{} repeats forever", trace.violation.step),
                None => format!(" at step {}", trace.violation.step),
            };
            text.push_str(&format!("reproduced: violation ({}){at}\n{}\n", found.kind, found.message));
            if let Some(start) = trace.violation.cycle_start {
                let end = trace.violation.step;
                text.push_str(&format!(
                    "the cycle closes: step {end} returns to the state before step {start}, so steps {start}-{end} repeat forever (a fair run)\n"
                ));
            }
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
