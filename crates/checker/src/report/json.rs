//! The whole check as one JSON document, for tools.

use mutexcheck_core::{State, System};
use serde_json::{json, Value};

use super::ReportOptions;
use crate::result::{CheckResult, Counterexample, Verdict};
use crate::stats::Storage;

/// The reductions that ran, as traces name them: `partial_order`, `symmetry`.
pub fn reduction_names(stats: &crate::Stats) -> Vec<&'static str> {
    crate::Reductions { partial_order: stats.partial_order, symmetry: stats.symmetry }.names()
}

/// The reductions of the search that found the counterexample, as a trace records them: the
/// liveness check's when it ran (a lasso comes from it), else the safety search's.
pub fn counterexample_reduction_names(stats: &crate::Stats) -> Vec<&'static str> {
    stats.liveness_reductions.map_or_else(|| reduction_names(stats), |r| r.names())
}

/// Every item of a state, in the order the text report lists them.
fn items(system: &System, state: &State) -> Value {
    system
        .items(state)
        .into_iter()
        .map(|i| json!({ "name": i.name, "value": i.value, "typed_value": i.typed_value }))
        .collect()
}

/// A counterexample's run as the JSON report's `trace` member: initial items, steps with
/// actor, line, statement, outcome, text and changes.
pub fn trace(system: &System, c: &Counterexample) -> Value {
    let mut before = &c.initial;
    let steps: Vec<Value> = c
        .steps
        .iter()
        .enumerate()
        .map(|(k, ts)| {
            let instr = system.instr(&ts.step.action);
            let changes: Vec<Value> = system
                .changes(before, &ts.state)
                .into_iter()
                .map(|ch| {
                    json!({
                        "name": ch.name,
                        "before": ch.before,
                        "after": ch.after,
                        "before_value": ch.before_value,
                        "after_value": ch.after_value,
                    })
                })
                .collect();
            let mut step = json!({
                "index": k + 1,
                "actor": system.actor(&ts.step.action),
                "action": ts.step.action,
                "line": instr.map(|i| i.span.line).filter(|&l| l > 0),
                "statement": instr.map(|i| i.text.clone()),
                "outcome": system.outcome_text(&ts.step.outcome),
                "text": system.step_text_in(before, &ts.step),
                "changes": changes,
            });
            // A crash or death: where each thread it killed was.
            let killed = killed(system, before, &ts.step);
            if !killed.is_empty() {
                step["killed"] = json!(killed);
            }
            before = &ts.state;
            // A statement of a procedure: the calls it sits in, outermost first.
            if let Some(i) = instr.filter(|i| !i.called_from.is_empty()) {
                step["called_from"] = json!(i.called_from);
            }
            step
        })
        .collect();
    let mut trace = json!({ "initial": items(system, &c.initial), "steps": steps, "shortest": c.shortest });
    if let Some(start) = c.cycle_start {
        trace["cycle_start"] = json!(start);
    }
    if let Some(limit) = c.shortening_stopped {
        trace["shortening_stopped"] = json!(limit.name());
    }
    if let Some(found) = c.shortened_from {
        trace["shortened_from"] = json!(found);
    }
    trace
}

/// The threads a crash or death step kills from `before`: `{thread, line, statement,
/// called_from?, blocked}` each.
fn killed(system: &System, before: &State, step: &mutexcheck_core::Step) -> Vec<Value> {
    system
        .killed(before, &step.action)
        .iter()
        .map(|k| {
            let (span, text, calls) = system.killed_at(k);
            let mut v = json!({
                "thread": system.thread_name(k.thread),
                "line": (span.line > 0).then_some(span.line),
                "statement": text,
                "blocked": k.blocked,
            });
            if !calls.is_empty() {
                v["called_from"] = json!(calls);
            }
            v
        })
        .collect()
}

/// Renders a check of `system` as one JSON document: model, options, verdict, violation,
/// trace and statistics. Without `options.timings` it is deterministic byte for byte.
pub fn json(system: &System, result: &CheckResult, options: &ReportOptions) -> Value {
    let s = &result.stats;
    let mut stats = json!({
        "states": s.states,
        "transitions": s.transitions,
        "max_depth": s.max_depth,
    });
    if let Storage::Fingerprints { exact } = s.storage {
        stats["fingerprints"] = json!({
            "exact": exact,
            "collision_probability": s.collision_probability().unwrap_or(0.0),
        });
    }
    if options.timings {
        stats["elapsed_seconds"] = json!(s.elapsed.as_secs_f64());
        stats["states_per_second"] = json!(s.states_per_second());
        stats["peak_memory_kb"] = json!(s.peak_rss_kb);
        stats["stored_bytes"] = json!(s.stored_bytes);
        stats["bytes_per_state"] = json!((s.bytes_per_state() * 10.0).round() / 10.0);
        stats["threads"] = json!(s.threads);
    }
    let mut doc = json!({
        "model": system.model().name,
        "strategy": result.strategy,
        "crashes": system.model().crashes,
        "reductions": reduction_names(s),
        "verdict": match result.verdict {
            Verdict::Ok if result.unreached_failure().is_some() => "unreached",
            Verdict::Ok => "ok",
            Verdict::Violation(_) => "violation",
            Verdict::Incomplete(_) => "incomplete",
        },
        "complete": !matches!(result.verdict, Verdict::Incomplete(_)),
        "exit_code": result.exit_code(),
    });
    if let Some(r) = s.liveness_reductions {
        // The first line's reductions are the safety search's; the liveness check's differ.
        doc["liveness_reductions"] = json!(r.names());
    }
    if let Some(why) = &s.symmetry_off {
        // Why symmetry, asked for, left templates out: they index a mutex array by `self`.
        doc["symmetry_off"] = json!(why);
    }
    match &result.verdict {
        Verdict::Ok => {}
        Verdict::Violation(c) => {
            doc["violation"] = json!({ "kind": c.violation.kind, "message": c.violation.message });
            doc["trace"] = trace(system, c);
        }
        Verdict::Incomplete(limit) => {
            doc["incomplete"] = json!({ "limit": limit.name(), "message": limit.describe() });
        }
    }
    if !system.model().allowed.is_empty() {
        doc["allowed"] = allowed(system, &s.allowed);
    }
    if let Some(unreached) = &s.unreached {
        // Known only after a complete search with no violation (possibly empty).
        doc["unreached"] = json!(unreached);
    }
    doc["stats"] = stats;
    doc
}

/// The allowed outcomes: each kind and mutex that happened, with its count of explored
/// transitions and an example, then each declaration that never did (`transitions` 0).
fn allowed(system: &System, counts: &[crate::allowed::AllowedCount]) -> Value {
    let mutex = |m: usize| system.model().mutexes[m].name.clone();
    let happened = counts.iter().map(|c| {
        json!({
            "kind": c.kind,
            "mutex": mutex(c.mutex),
            "transitions": c.transitions,
            "example": crate::allowed::describe_event(system, &c.example),
        })
    });
    let unused = crate::allowed::unused(system, counts)
        .map(|a| json!({ "kind": a.kind, "mutex": a.mutex.map(mutex), "transitions": 0, "example": Value::Null }));
    happened.chain(unused).collect()
}
