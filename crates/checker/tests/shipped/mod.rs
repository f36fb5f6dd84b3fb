//! The models of `models/` as the trace tests load them, and the trace `mutexcheck check`
//! writes for one of them: shared by `trace.rs` and `trace_versions.rs`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use mutexcheck_checker::trace::{TraceFile, TraceOptions};
use mutexcheck_checker::{prepare, Reductions, Request, Verdict};
use mutexcheck_core::System;

/// The repository's `models/` directory.
pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")
}

/// The model `file` of `models/`, compiled and prepared, with its source.
pub fn system_of(file: &str) -> (System, Vec<u8>) {
    let source = std::fs::read(models_dir().join(file)).unwrap();
    let model = mutexcheck_lang::compile(file, &source).unwrap();
    (prepare(model, None).unwrap(), source)
}

/// The trace `mutexcheck check` would write for a violating model.
pub fn trace_of(file: &str) -> TraceFile {
    let (system, source) = system_of(file);
    let request = Request::new();
    let result = request.check(&system, &request.guard(), &mut |_| {});
    let Verdict::Violation(cex) = &result.verdict else { panic!("{file} should have a violation") };
    TraceFile::new(
        &system,
        &format!("models/{file}"),
        &source,
        TraceOptions::new(&system, &Request::new().reductions(Reductions::NONE)),
        cex,
    )
}
