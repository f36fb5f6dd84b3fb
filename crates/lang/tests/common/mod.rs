//! Helpers shared by the integration tests.

use mutexcheck_lang::{compile, Diagnostic};

/// The diagnostics of a source that must fail to compile.
pub fn errors(src: &str) -> Vec<Diagnostic> {
    match compile("t.mc", src.as_bytes()) {
        Ok(_) => panic!("expected errors, but this compiled:\n{src}"),
        Err(d) => d.items,
    }
}

/// A model header that declares everything the snippets use, followed by `body`.
pub fn with_header(body: &str) -> String {
    format!("model t\nmutex m\nshared a: 0..4 = 0\nshared f: bool = false\nshared arr: [0..3; 4] = 0\n{body}")
}
