//! What the fuzz targets share: compiling a model as the command line does, and replaying a
//! trace as `mutexcheck replay` does, with the promises of issue #15 as assertions.
//!
//! A failed assertion here is a finding: it panics, and libFuzzer saves the input.

#![allow(dead_code)]

use mutexcheck_checker::prepare;
use mutexcheck_checker::trace::{model_hash, replay, ReplayVerdict, TraceFile};
use mutexcheck_core::System;

/// The file name the models are compiled under (it only appears in messages).
pub const PATH: &str = "fuzz.mc";

/// Compiles `source` as `mutexcheck` does; on failure renders the diagnostics as the command
/// line would print them and checks that they are well-formed.
pub fn compile(source: &[u8]) -> Option<mutexcheck_core::Model> {
    match mutexcheck_lang::compile(PATH, source) {
        Ok(model) => Some(model),
        Err(diagnostics) => {
            assert!(!diagnostics.items.is_empty(), "a model that does not compile has no diagnostic");
            for d in &diagnostics.items {
                assert!(
                    d.line >= 1 && d.col >= 1,
                    "diagnostic at {}:{} (positions count from 1): {}",
                    d.line,
                    d.col,
                    d.message
                );
                assert!(!d.message.is_empty(), "diagnostic with an empty message at {}:{}", d.line, d.col);
            }
            let text = diagnostics.render(PATH, source);
            assert!(text.starts_with("error: "), "rendered diagnostics do not start with `error: `:\n{text}");
            None
        }
    }
}

/// The validated system of a model `compile` accepted: its documentation promises that
/// `System::new` accepts every model it returns, so a refusal is a finding.
pub fn system(model: mutexcheck_core::Model, crashes: Option<u32>) -> System {
    match prepare(model, crashes) {
        Ok(system) => system,
        Err(e) => panic!("mutexcheck_lang::compile returned a model that System::new refuses: {e}"),
    }
}

/// Reads `trace_bytes` and replays it against the model `model_source`, as `mutexcheck
/// replay TRACE --model MODEL` does. Returns the replay's verdict when both could be read.
pub fn replay_bytes(model_source: &[u8], trace_bytes: &[u8]) -> Option<ReplayVerdict> {
    let trace = match TraceFile::parse(trace_bytes) {
        Ok(trace) => trace,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return None;
        }
    };
    round_trip(&trace);
    let _ = model_hash(model_source);
    let model = compile(model_source)?;
    if trace.options.semantics != "win32" {
        return None; // the command line refuses it before replaying
    }
    // The command line turns an IrError here into exit 2, so it is not a finding (a crash
    // budget from the trace may be out of the model's range).
    let system = prepare(model, Some(trace.options.crashes)).ok()?;
    let result = replay(&system, &trace);
    match &result.verdict {
        ReplayVerdict::Reproduced(found) => {
            assert_eq!(found.kind, trace.violation.kind, "replay reproduced another violation than the trace's");
            assert_eq!(result.lines.len(), trace.violation.step, "replay reproduced at another step than the trace's");
        }
        ReplayVerdict::Diverged { step, reason } => {
            assert!(!reason.is_empty(), "replay diverged at step {step} without a reason");
            assert!(
                *step <= trace.steps.len().max(trace.violation.step),
                "replay diverged at step {step} of a trace of {} steps",
                trace.steps.len()
            );
        }
    }
    Some(result.verdict)
}

/// A trace written and read back is the same trace ("the same trace gives the same bytes").
pub fn round_trip(trace: &TraceFile) {
    let json = trace.to_json();
    match TraceFile::parse(json.as_bytes()) {
        Ok(again) => assert!(again == *trace, "a trace read back from its own JSON differs:\n{json}"),
        Err(e) => panic!("a trace cannot read its own JSON back: {e}\n{json}"),
    }
}
