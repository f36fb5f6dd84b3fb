//! The readable report: verdict, violation sentence, numbered trace, statistics.

use std::fmt::Write;

use mutexcheck_core::describe::Change;
use mutexcheck_core::{State, Step, System};

use super::ReportOptions;
use crate::result::{CheckResult, Counterexample, Verdict};
use crate::stats::Storage;

/// The verdict in one line: `violation (leaked_ownership)`, `ok: no violation in 8 states
/// (complete)`, `incomplete (max_states): ...`.
/// With `unreached_fail` (the caller fails the check because statements never ran, see
/// [`super::ReportOptions::unreached_fail`]), a complete search with no violation reads
/// `unreached: ...`.
pub fn verdict_line(result: &CheckResult, unreached_fail: bool) -> String {
    let states = match result.stats.states {
        1 => "1 state".to_string(),
        n => format!("{n} states"),
    };
    match &result.verdict {
        Verdict::Ok => match Some(result.unreached().len()).filter(|&n| unreached_fail && n > 0) {
            Some(n) => {
                let plural = if n == 1 { "" } else { "s" };
                format!("unreached: no violation in {states} (complete), but {n} statement{plural} never ran (--deny-unreached)")
            }
            None => format!("ok: no violation in {states} (complete)"),
        },
        Verdict::Violation(c) => format!("violation ({})", c.violation.kind),
        Verdict::Incomplete(limit) => {
            format!("incomplete ({}): no violation in {states}, but {}", limit.name(), limit.describe())
        }
    }
}

/// One numbered line of a trace: `  3. worker[0] line 12: a = a + 1    a: 0 -> 1`, the
/// number right-aligned to `width` digits; a crash or death says where each thread it killed
/// was in `before`, the state the step left. Check reports and replay print the same lines.
pub fn trace_line(
    system: &System,
    index: usize,
    width: usize,
    before: &State,
    step: &Step,
    changes: &[Change],
) -> String {
    let line = system.step_text_in(before, step);
    if changes.is_empty() {
        format!("  {index:>width$}. {line}")
    } else {
        let changes: Vec<String> =
            changes.iter().map(|ch| format!("{}: {} -> {}", ch.name, ch.before, ch.after)).collect();
        format!("  {index:>width$}. {line}    {}", changes.join(", "))
    }
}

/// The counterexample's heading: whether it is a shortest run, and how it was shortened.
pub fn trace_heading(c: &Counterexample) -> String {
    let n = c.steps.len();
    let plural = if n == 1 { "" } else { "s" };
    if let Some(start) = c.cycle_start {
        let cycle = n + 1 - start;
        return format!(
            "lasso counterexample ({n} step{plural}: {} to reach the cycle, then a cycle of {cycle} that repeats forever)",
            start - 1
        );
    }
    // A run known shortest gets no `--shortest` hint: that option could not shorten it.
    match (c.shortest, c.shortened_from) {
        (true, Some(m)) => format!("shortest counterexample ({n} step{plural}, shortened from the {m} the search found)"),
        (true, None) => format!("shortest counterexample ({n} step{plural})"),
        (false, Some(m)) if c.shortening_stopped.is_some() => format!(
            "counterexample ({n} step{plural}, shortened from the {m} the search found until {}; --shortest gives a shortest one)",
            c.shortening_stopped.map(|l| l.describe()).unwrap_or_default()
        ),
        (false, None) if c.shortening_stopped.is_some() => format!(
            "counterexample ({n} step{plural}, not shortened: {}; --shortest gives a shortest one)",
            c.shortening_stopped.map(|l| l.describe()).unwrap_or_default()
        ),
        (false, Some(m)) => {
            format!("counterexample ({n} step{plural}, shortened from the {m} the search found; --shortest gives a shortest one)")
        }
        (false, None) => format!("counterexample ({n} step{plural}; --shortest gives a shortest one)"),
    }
}

/// The reductions a search ran with, as the first line of a report names them.
pub fn reductions_text(stats: &crate::Stats) -> String {
    let on: String = match (stats.partial_order, stats.symmetry) {
        (true, true) => "partial-order, symmetry".into(),
        (true, false) => "partial-order".into(),
        (false, true) => "symmetry".into(),
        (false, false) => "none".into(),
    };
    match &stats.symmetry_off {
        Some(why) => format!("{on} (symmetry off: {why})"),
        None => on,
    }
}

fn trace(system: &System, out: &mut String, c: &Counterexample) {
    let _ = writeln!(out, "\n{}:", trace_heading(c));
    trace_body(system, out, c);
}

/// The run of a counterexample under its heading: the initial state and one numbered line
/// per step ([`trace_line`]), as a check report prints it (simulation prints its runs so).
pub fn trace_body(system: &System, out: &mut String, c: &Counterexample) {
    let initial: Vec<String> = system.items(&c.initial).iter().map(|i| format!("{} = {}", i.name, i.value)).collect();
    let _ = writeln!(out, "  initial state: {}", initial.join(", "));
    let width = c.steps.len().to_string().len();
    let mut before = &c.initial;
    for (k, ts) in c.steps.iter().enumerate() {
        if c.cycle_start == Some(k + 1) {
            let _ = writeln!(
                out,
                "  -- the cycle starts here: steps {}-{} repeat forever (the last returns to the state before step {}) --",
                k + 1,
                c.steps.len(),
                k + 1
            );
        }
        let _ =
            writeln!(out, "{}", trace_line(system, k + 1, width, before, &ts.step, &system.changes(before, &ts.state)));
        before = &ts.state;
    }
}

/// The note a report gives when the verdict comes from the liveness check: what it checked
/// and the reductions it ran with (`stats`' own are the safety search's).
pub fn liveness_note(system: &System, stats: &crate::Stats) -> String {
    let model = system.model();
    let mut checked = Vec::new();
    if model.has_progress() {
        checked.push("livelock (progress)".to_string());
    }
    for l in &model.liveness {
        let mutexcheck_core::ir::Liveness::Starvation { mutex, .. } = l;
        checked.push(format!("starvation {}", model.mutexes[*mutex].name));
    }
    let live = stats.liveness_reductions.unwrap_or(crate::Reductions::NONE);
    let mut reductions = match (live.partial_order, live.symmetry) {
        (true, true) => "partial-order, symmetry",
        (false, true) => "symmetry",
        (true, false) => "partial-order",
        (false, false) => "none",
    }
    .to_string();
    if live.symmetry {
        reductions.push_str(", exact: a lasso is confirmed on the unreduced model, a doubt settled without symmetry");
    }
    if stats.symmetry && !live.symmetry {
        // The symmetric check ran and left a doubt (a component whose lasso did not lift to
        // a fair run): the verdict is the check's without symmetry.
        reductions.push_str("; symmetry left a doubt, settled by the check without it");
    }
    format!(
        "liveness: {} checked on the whole state graph under weak fairness of threads, after the safety check found nothing (reductions: {reductions})",
        checked.join(", ")
    )
}

/// Renders a check of `system` for a terminal or a log: deterministic byte for byte when
/// `options.timings` is false.
pub fn text(system: &System, result: &CheckResult, options: &ReportOptions) -> String {
    let model = system.model();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "model {}: {} search, crashes allowed: {}, reductions: {}",
        model.name,
        result.strategy.describe(),
        model.crashes,
        reductions_text(&result.stats)
    );
    if result.stats.liveness {
        let _ = writeln!(out, "{}", liveness_note(system, &result.stats));
    }
    let _ = writeln!(out, "verdict: {}", verdict_line(result, options.unreached_fail));
    if let Verdict::Violation(c) = &result.verdict {
        let _ = writeln!(out, "{}", c.violation.message);
        trace(system, &mut out, c);
    }
    let s = &result.stats;
    let allowed = crate::allowed::report_section(system, &s.allowed);
    if !allowed.is_empty() {
        let _ = writeln!(out, "\n{}", allowed.join("\n"));
    }
    let unreached = crate::coverage::report_section(s.unreached.as_deref().unwrap_or_default());
    if !unreached.is_empty() {
        let _ = writeln!(out, "\n{}", unreached.join("\n"));
    }
    let _ = writeln!(out, "\nstatistics:");
    let _ = writeln!(out, "  states:      {}", s.states);
    let _ = writeln!(out, "  transitions: {}", s.transitions);
    let _ = writeln!(out, "  max depth:   {}", s.max_depth);
    match s.storage {
        Storage::Full => {}
        Storage::Fingerprints { exact: true } => {
            let _ = writeln!(out, "  fingerprints: exact (every state packs into 64 bits)");
        }
        Storage::Fingerprints { exact: false } => {
            let p = s.collision_probability().unwrap_or(0.0);
            let _ =
                writeln!(out, "  fingerprints: 64-bit; estimated probability that a collision hid a state: {p:.1e}");
        }
    }
    if options.timings {
        let _ = writeln!(out, "  time:        {:.3} s", s.elapsed.as_secs_f64());
        let _ = writeln!(out, "  states/s:    {}", s.states_per_second());
        let _ = writeln!(out, "  stored:      {:.1} bytes/state", s.bytes_per_state());
        let _ = writeln!(out, "  threads:     {}", s.threads);
        if let Some(kb) = s.peak_rss_kb {
            let _ = writeln!(out, "  peak memory: {:.1} MB", kb as f64 / 1024.0);
        }
    }
    out
}
