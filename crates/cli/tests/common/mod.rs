//! Helpers shared by the end-to-end tests: the repository, scratch directories, running the
//! binary, and the checks that sweep every model.

#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};

use mutexcheck_checker::{CheckResult, Verdict};
use mutexcheck_core::System;

/// The model `source` (named `t.mc` in diagnostics) compiled and prepared at its own crash
/// budget; a compile error fails the test with the rendered diagnostics.
pub fn system_of(source: &str) -> System {
    let model = mutexcheck_lang::compile("t.mc", source.as_bytes())
        .unwrap_or_else(|d| panic!("{}", d.render("t.mc", source.as_bytes())));
    mutexcheck_checker::prepare(model, None).unwrap()
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh, empty scratch directory `area/test` of the tests' own (runs of the binary write
/// traces under their working directory, never into the repository).
pub fn scratch_dir(area: &str, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(area).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// [`scratch_dir`] holding a copy of `models/<name>` for each of `models`.
pub fn scratch_with_models(area: &str, test: &str, models: &[&str]) -> PathBuf {
    let dir = scratch_dir(area, test);
    std::fs::create_dir_all(dir.join("models")).unwrap();
    for m in models {
        std::fs::copy(repo().join("models").join(m), dir.join("models").join(m)).unwrap();
    }
    dir
}

/// Runs the `mutexcheck` binary in `cwd` with `args`.
pub fn run_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mutexcheck")).current_dir(cwd).args(args).output().unwrap()
}

/// Output bytes as text (lossy: a test failure should show them, whatever they are).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `.mc` files directly in `dir`, sorted.
pub fn models_in(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mc"))
        .collect();
    paths.sort();
    paths
}

/// What a reduction must keep: the verdict, and the length of a breadth-first
/// counterexample.
pub fn verdict_and_length(r: &CheckResult) -> (String, Option<usize>) {
    match &r.verdict {
        Verdict::Ok => ("ok".into(), None),
        Verdict::Violation(c) => (c.violation.kind.name().into(), Some(c.steps.len())),
        Verdict::Incomplete(l) => (format!("incomplete {}", l.name()), None),
    }
}

/// Every step of the counterexample is a transition the model really has, from the state
/// before it, starting from the model's real initial state: whatever the reductions, a
/// counterexample is a run of the model itself.
pub fn assert_real_run(name: &str, system: &System, r: &CheckResult) {
    let Some(c) = r.counterexample() else { return };
    let mut state = c.initial.clone();
    assert_eq!(state, system.initial_state(), "{name}");
    for (k, ts) in c.steps.iter().enumerate() {
        let mut successors = Vec::new();
        system.successors(&state, &mut successors);
        assert!(
            successors.iter().any(|(step, next)| *step == ts.step && *next == ts.state),
            "{name}: step {} is not a transition of the model",
            k + 1
        );
        state = ts.state.clone();
    }
}
