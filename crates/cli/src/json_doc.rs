//! The JSON documents `--json` prints when a run ends without a check report: bad input (a
//! model that cannot be read or does not compile, every diagnostic in it, in the manner of
//! rustc's JSON diagnostics) and a run the backstop ends (the `incomplete` document with the
//! statistics so far). Shapes documented in the README, "JSON output".

use std::sync::{Arc, Mutex};

use mutexcheck_checker::report::{self, ReportOptions};
use mutexcheck_checker::{CheckResult, Guard, Limit, Stats, Strategy, Verdict};
use mutexcheck_core::System;
use mutexcheck_lang::{Diagnostic, Diagnostics};
use serde_json::{json, Value};

use crate::input::EXIT_BAD_INPUT;
use crate::output::print_out;

use crate::exit::INCOMPLETE as EXIT_INCOMPLETE;

/// One diagnostic of the model at `path`: where (line, column and length in characters, from
/// 1), what, and the help if any. `code` is reserved for stable error codes (none yet: null).
pub fn diagnostic(path: &str, d: &Diagnostic) -> Value {
    // Every field, named: a field added to `Diagnostic` must be added here too.
    let Diagnostic { message, line, col, len, label, help } = d;
    json!({
        "severity": "error",
        "code": null,
        "message": message,
        "file": path,
        "line": line,
        "column": col,
        "length": len,
        "label": label,
        "help": help,
    })
}

/// A diagnostic that belongs to no place in the model (an unreadable file, an invalid model).
pub fn unplaced(path: &str, message: &str) -> Value {
    json!({
        "severity": "error",
        "code": null,
        "message": message,
        "file": path,
        "line": null,
        "column": null,
        "length": null,
        "label": null,
        "help": null,
    })
}

/// Every diagnostic of a model that does not compile.
pub fn diagnostics(path: &str, d: &Diagnostics) -> Vec<Value> {
    d.items.iter().map(|d| diagnostic(path, d)).collect()
}

/// The document of a run refused for bad input (exit 2): `error` says what in one line,
/// `diagnostics` lists every problem, `rendered` is the text printed on stderr.
pub fn bad_input(path: &str, error: &str, diagnostics: Vec<Value>, rendered: &str) -> Value {
    json!({
        "model": null,
        "model_file": path,
        "verdict": "bad_input",
        "complete": false,
        "exit_code": EXIT_BAD_INPUT,
        "error": error,
        "diagnostics": diagnostics,
        "rendered": rendered,
    })
}

/// True when the command line (program name first) runs `check` or `test` with `--json`:
/// whether a usage error must be a JSON document too.
pub fn json_command(args: impl Iterator<Item = String>) -> bool {
    let args: Vec<String> = args.skip(1).collect();
    let command = args.iter().find(|a| !a.starts_with('-'));
    matches!(command.map(String::as_str), Some("check" | "test")) && args.iter().any(|a| a == "--json")
}

/// The document of a command line clap refuses (exit 2): `rendered` is clap's message as
/// printed on stderr, `error` its first line.
pub fn usage_error(rendered: &str) -> Value {
    let first = rendered.lines().next().unwrap_or_default();
    let error = first.strip_prefix("error: ").unwrap_or(first);
    json!({
        "model": null,
        "model_file": null,
        "verdict": "bad_input",
        "complete": false,
        "exit_code": EXIT_BAD_INPUT,
        "error": error,
        "diagnostics": [{
            "severity": "error", "code": null, "message": error, "file": null, "line": null,
            "column": null, "length": null, "label": null, "help": null,
        }],
        "rendered": rendered,
    })
}

/// Prints a JSON document on stdout, as every `--json` output is printed.
pub fn print(doc: &Value) {
    print_out(&format!("{}\n", serde_json::to_string_pretty(doc).unwrap_or_default()));
}

/// The counts of a search so far, kept where the backstop can read them.
#[derive(Clone, Default)]
pub struct SoFar(Arc<Mutex<Stats>>);

impl SoFar {
    /// Records the latest counts (a progress report, or a finished search's).
    pub fn set(&self, stats: &Stats) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = stats.clone();
    }

    fn get(&self) -> Stats {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The `incomplete` document of a run that the backstop ends: the same shape as a check's
/// report stopped by `limit`, with `incomplete.backstop` saying why the process was ended.
fn stopped(system: &System, strategy: Strategy, stats: Stats, limit: Limit, why: &str, timings: bool) -> Value {
    let result = CheckResult { verdict: Verdict::Incomplete(limit), stats, strategy };
    let mut doc = report::json(system, &result, &ReportOptions { timings, ..ReportOptions::default() });
    doc["exit_code"] = json!(EXIT_INCOMPLETE);
    doc["incomplete"]["backstop"] = json!(why);
    doc
}

/// Makes the backstop print the `incomplete` document of the check of `system` (the model
/// at `path`), with the counts `so_far` holds when it fires.
pub fn speak_on_backstop(
    guard: &Guard,
    path: &str,
    system: &System,
    strategy: Strategy,
    so_far: &SoFar,
    timings: bool,
) {
    let (path, system, so_far) = (path.to_string(), system.clone(), so_far.clone());
    guard.on_backstop(Some(Box::new(move |limit, why| {
        let mut doc = stopped(&system, strategy, so_far.get(), limit, why, timings);
        doc["model_file"] = json!(path);
        print(&doc);
    })));
}

/// Makes the backstop print an `incomplete` document before the model is loaded: no model,
/// no counts.
pub fn speak_on_backstop_before_loading(guard: &Guard, path: &str) {
    let path = path.to_string();
    guard.on_backstop(Some(Box::new(move |limit, why| {
        print(&json!({
            "model": null,
            "model_file": path,
            "verdict": "incomplete",
            "complete": false,
            "exit_code": EXIT_INCOMPLETE,
            "incomplete": { "limit": limit.name(), "message": limit.describe(), "backstop": why },
            "stats": { "states": 0, "transitions": 0, "max_depth": 0 },
        }));
    })));
}
