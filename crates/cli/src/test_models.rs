//! `mutexcheck test [PATH...]`: check every model under the paths and compare each verdict
//! with the `// expect:` line of its header — a test runner for users who keep models next
//! to their code and check them in their own CI.
//!
//! Directories are walked recursively in sorted order (symbolic links to directories are
//! not followed, so a link cycle cannot loop), so the output is the same on every machine.
//! Each model is checked as `mutexcheck check` checks it by default, with its own crash
//! budget. A model passes when its verdict is the one it expects; one with no (or a
//! malformed) expect line, one that does not compile and one whose search was incomplete
//! fail. Exit code: 0 all passed, 1 some failed, 2 a path could not be read or held no model.

use std::path::Path;

use clap::Args;
use mutexcheck_checker::{prepare, Bfs, Guard, Limits, Request, Verdict};
use mutexcheck_lang::{expected_verdict, Expect, MAX_SOURCE_BYTES};

use crate::input::{read_limited, BoundArgs, EXIT_BAD_INPUT};
use crate::output::print_out;

/// Options of `mutexcheck test`.
#[derive(Args, Debug)]
pub struct TestArgs {
    /// Model files and directories (searched recursively for `.mc` files). Default: `models/`.
    pub paths: Vec<String>,
    /// Print the results as one JSON document instead of one line per model (also when the
    /// backstop ends the run: docs/json-output.md).
    #[arg(long)]
    pub json: bool,
    /// Stop each model's search after storing this many states (the model then fails:
    /// an incomplete search proves nothing).
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,
    #[command(flatten)]
    pub bounds: BoundArgs,
    /// A model whose complete search leaves a statement that no run executed fails (its
    /// verdict is then `unreached`, whatever it expects).
    #[arg(long)]
    pub deny_unreached: bool,
}

/// The result of one model.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ModelResult {
    /// The model file, as found under the path given.
    pub path: String,
    /// The expected verdict (`ok`, `violation KIND`), if the header declares one.
    pub expected: Option<String>,
    /// The verdict found (`ok`, `violation KIND`, `incomplete (LIMIT)`), if the model was
    /// checked.
    pub verdict: Option<String>,
    /// `pass`, `fail`, or `unreadable` (the file could not be read).
    pub result: &'static str,
    /// What the line says after the path.
    pub detail: String,
    /// For a model that does not compile, every diagnostic (as `check --json` gives them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<serde_json::Value>>,
}

/// Runs `test` and returns the exit code.
pub fn run(args: &TestArgs) -> i32 {
    let limits = Limits { max_states: args.max_states, ..args.bounds.limits() };
    // The time and memory bounds count for the whole run, from the start of the process.
    let guard = crate::backstop::guard(&limits);
    // With --json, the results so far, for the backstop to print.
    let done = SoFar::default();
    if args.json {
        speak_on_backstop(&guard, &done);
    }
    let paths = if args.paths.is_empty() { vec!["models/".to_string()] } else { args.paths.clone() };
    let mut found = Vec::new();
    for path in &paths {
        collect(Path::new(path), path.clone(), true, &mut found);
    }
    let request = Request::new().engine(Bfs::new().threads(Bfs::EVERY_CORE)).limits(limits);
    let mut results = Vec::with_capacity(found.len());
    for entry in found {
        let result = match entry {
            Found::Model(path) => test_model(path, &request, &guard, args.deny_unreached),
            Found::Unreadable(path, error) => ModelResult {
                path,
                expected: None,
                verdict: None,
                result: "unreadable",
                detail: format!("cannot read: {error}"),
                diagnostics: None,
            },
        };
        if !args.json {
            print_out(&format!("{}\n", line(&result)));
        }
        if args.json {
            done.push(&result);
        }
        results.push(result);
    }
    guard.on_backstop(None);
    let passed = results.iter().filter(|r| r.result == "pass").count();
    let failed = results.len() - passed;
    let unreadable = results.iter().any(|r| r.result == "unreadable");
    if args.json {
        let doc = serde_json::json!({ "models": results, "passed": passed, "failed": failed });
        print_out(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
    } else {
        print_out(&format!("{passed} passed, {failed} failed\n"));
    }
    if results.is_empty() {
        eprintln!("error: no `.mc` model files under {}", paths.join(", "));
        return EXIT_BAD_INPUT;
    }
    match (unreadable, failed) {
        (true, _) => EXIT_BAD_INPUT,
        (false, 0) => 0,
        (false, _) => 1,
    }
}

/// The results of the models tested so far, where the backstop can read them.
#[derive(Clone, Default)]
struct SoFar(std::sync::Arc<std::sync::Mutex<Vec<ModelResult>>>);

impl SoFar {
    fn push(&self, result: &ModelResult) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(result.clone());
    }
}

/// With `--json`, makes the backstop print the results of the models done so far, the
/// model it stopped in left out, and why the run stopped (the exit code is 3).
fn speak_on_backstop(guard: &Guard, done: &SoFar) {
    let done = done.clone();
    guard.on_backstop(Some(Box::new(move |limit, why| {
        let done = done.0.lock().unwrap_or_else(|e| e.into_inner());
        let passed = done.iter().filter(|r| r.result == "pass").count();
        let doc = serde_json::json!({
            "models": *done,
            "passed": passed,
            "failed": done.len() - passed,
            "complete": false,
            "exit_code": crate::exit::INCOMPLETE,
            "incomplete": { "limit": limit.name(), "message": limit.describe(), "backstop": why },
        });
        crate::json_doc::print(&doc);
    })));
}

/// A result as one line: `pass  models/a.mc: ok`, `FAIL  models/b.mc: expected ok, got ...`.
fn line(r: &ModelResult) -> String {
    let word = if r.result == "pass" { "pass" } else { "FAIL" };
    format!("{word}  {}: {}", r.path, r.detail)
}

/// What a walk finds: a model file to test, or a path it could not read.
enum Found {
    Model(String),
    Unreadable(String, String),
}

/// Adds the models at `path` (shown as `shown`) to `out`: the file itself when it was named
/// on the command line (`named`), else `.mc` files only; directories recursively, entries
/// sorted by name.
fn collect(path: &Path, shown: String, named: bool, out: &mut Vec<Found>) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return out.push(Found::Unreadable(shown, e.to_string())),
    };
    if !meta.is_dir() {
        if named || path.extension().is_some_and(|e| e == "mc") {
            out.push(Found::Model(shown));
        }
        return;
    }
    let entries = match std::fs::read_dir(path).and_then(|dir| dir.collect::<Result<Vec<_>, _>>()) {
        Ok(entries) => entries,
        Err(e) => return out.push(Found::Unreadable(shown, e.to_string())),
    };
    // `file_type` does not follow symbolic links: a link to a directory is not walked (a
    // link cycle would never end), a link to a `.mc` file is tested.
    let mut entries: Vec<(String, bool)> = entries
        .iter()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.file_type().is_ok_and(|t| t.is_dir())))
        .collect();
    entries.sort();
    for (name, is_dir) in entries {
        let child = path.join(&name);
        let child_shown = child.to_string_lossy().into_owned();
        if is_dir {
            collect(&child, child_shown, false, out);
        } else if name.ends_with(".mc") && std::fs::metadata(&child).map_or(true, |m| m.is_file()) {
            out.push(Found::Model(child_shown));
        }
    }
}

/// Reads, compiles and checks one model and compares its verdict with its expect line.
fn test_model(path: String, request: &Request, guard: &Guard, deny_unreached: bool) -> ModelResult {
    let fail = |path: String, expected: Option<String>, verdict: Option<String>, detail: String| ModelResult {
        path,
        expected,
        verdict,
        result: "fail",
        detail,
        diagnostics: None,
    };
    let source = match read_limited(&path, MAX_SOURCE_BYTES) {
        Ok(s) => s,
        Err(e) => {
            let detail = format!("cannot read: {e}");
            return ModelResult {
                path,
                expected: None,
                verdict: None,
                result: "unreadable",
                detail,
                diagnostics: None,
            };
        }
    };
    let expect = std::str::from_utf8(&source).ok().and_then(expected_verdict);
    let expected = expect.as_ref().map(expect_text);
    let model = match mutexcheck_lang::compile(&path, &source) {
        Ok(m) => m,
        Err(d) => {
            let first = d
                .items
                .first()
                .map_or("unknown error".to_string(), |d| format!("line {}:{}: {}", d.line, d.col, d.message));
            let diagnostics = Some(crate::json_doc::diagnostics(&path, &d));
            return ModelResult { diagnostics, ..fail(path, expected, None, format!("does not compile: {first}")) };
        }
    };
    let system = match prepare(model, None) {
        Ok(s) => s,
        Err(e) => {
            let message = format!("does not compile: {e}");
            let diagnostics = Some(vec![crate::json_doc::unplaced(&path, &e.to_string())]);
            return ModelResult { diagnostics, ..fail(path, expected, None, message) };
        }
    };
    let result = request.check(&system, guard, &mut |_| {});
    let unreached = result.unreached();
    let verdict = match &result.verdict {
        Verdict::Ok => match (crate::exit::unreached_fail(&result, deny_unreached), unreached.first()) {
            (true, Some(first)) => {
                let n = unreached.len();
                let plural = if n == 1 { "" } else { "s" };
                format!(
                    "unreached ({n} statement{plural}, first: {} {}: {})",
                    first.template,
                    first.location(),
                    first.statement
                )
            }
            _ => "ok".to_string(),
        },
        Verdict::Violation(c) => format!("violation {}", c.violation.kind.name()),
        Verdict::Incomplete(limit) => format!("incomplete ({})", limit.name()),
    };
    // An incomplete search matches no expectation: it proves neither ok nor a violation.
    let Some(want) = expected.clone() else {
        let detail = format!("no `// expect: ok` or `// expect: violation KIND` line in its header (got {verdict})");
        return fail(path, None, Some(verdict), detail);
    };
    if want == verdict {
        ModelResult {
            path,
            expected,
            verdict: Some(verdict.clone()),
            result: "pass",
            detail: verdict,
            diagnostics: None,
        }
    } else {
        let detail = format!("expected {want}, got {verdict}");
        fail(path, expected, Some(verdict), detail)
    }
}

/// An expectation in the words of a verdict: `ok`, `violation leaked_ownership`.
fn expect_text(expect: &Expect) -> String {
    match expect {
        Expect::Ok => "ok".to_string(),
        Expect::Violation(kind) => format!("violation {kind}"),
    }
}
