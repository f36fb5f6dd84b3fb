//! Helpers shared by the end-to-end tests that sweep every model.

#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};

use mutexcheck_checker::{CheckResult, Verdict};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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
