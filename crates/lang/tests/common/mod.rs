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

/// Asserts the exact list of (message, line, column, length) of a source's diagnostics: the
/// check every golden test file makes.
#[allow(dead_code)] // not every test file that shares these helpers has golden tests
pub fn assert_errors(src: &str, want: &[(&str, u32, u32, u32)]) {
    let got: Vec<(String, u32, u32, u32)> =
        errors(src).into_iter().map(|d| (d.message, d.line, d.col, d.len)).collect();
    let want: Vec<(String, u32, u32, u32)> = want.iter().map(|(m, l, c, n)| (m.to_string(), *l, *c, *n)).collect();
    assert_eq!(got, want, "source:\n{src}");
}

/// One golden test per invocation: `golden!(name, SOURCE, expected...)` calls the invoking
/// file's own `check(SOURCE, &[expected...])`; with `h` before the source, the source goes
/// after the file's `with_header` first. (`check` and `with_header` are the invoking file's:
/// each golden file compares the fields it pins down.)
#[allow(unused_macros)] // the golden files with their own shape of test do not use it
macro_rules! golden {
    ($name:ident, h $src:expr, $($d:expr),+) => {
        #[test]
        fn $name() {
            check(&with_header($src), &[$($d),+]);
        }
    };
    ($name:ident, $src:expr, $($d:expr),+) => {
        #[test]
        fn $name() {
            check($src, &[$($d),+]);
        }
    };
}
