//! Property tests: whatever the input, `compile` returns a model the core accepts or
//! diagnostics that render; it never panics. Inputs are arbitrary bytes, arbitrary sequences
//! of the language's own tokens, and small mutations of a real model.

use mutexcheck_lang::compile;
use proptest::prelude::*;

const SEED: &str = include_str!("../../../models/seed_fixed.mc");

/// Every token the lexer knows, plus a few near misses.
const VOCAB: &[&str] = &[
    "model",
    "semantics",
    "win32",
    "crashes",
    "mutex",
    "owned_by",
    "shared",
    "process",
    "thread",
    "restart",
    "var",
    "let",
    "wait",
    "try",
    "release",
    "timeout",
    "assert",
    "skip",
    "atomic",
    "either",
    "or",
    "exit",
    "if",
    "else",
    "while",
    "protect",
    "invariant",
    "at",
    "end",
    "true",
    "false",
    "self",
    "OK",
    "ABANDONED",
    "TIMEOUT",
    "NOT_OWNER",
    "held",
    "count",
    "owns",
    "abandoned",
    "bool",
    "result",
    "int",
    "m",
    "a",
    "b",
    "r",
    "w",
    "t",
    "main",
    "0",
    "1",
    "2",
    "4",
    "-1",
    "2147483648",
    "99999999999",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ":",
    ";",
    ",",
    ".",
    "..",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "&&",
    "||",
    "!",
    "\n",
    "//",
    "/*",
    "*/",
    "&",
    "|",
    "@",
    "é",
];

/// Compiles and, on success, checks that the core accepts the model; on failure, renders.
fn run(bytes: &[u8]) -> Result<(), TestCaseError> {
    match compile("fuzz.mc", bytes) {
        Ok(model) => {
            prop_assert!(mutexcheck_core::System::new(model).is_ok());
        }
        Err(d) => {
            prop_assert!(!d.items.is_empty());
            let out = d.render("fuzz.mc", bytes);
            prop_assert!(out.starts_with("error: "));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run(&bytes)?;
    }

    #[test]
    fn arbitrary_token_sequences_never_panic(
        toks in proptest::collection::vec(proptest::sample::select(VOCAB), 0..400),
        seps in proptest::collection::vec(proptest::sample::select(&[" ", "\n", ""][..]), 400),
    ) {
        let mut src = String::new();
        for (t, s) in toks.iter().zip(seps.iter()) {
            src.push_str(t);
            src.push_str(s);
        }
        run(src.as_bytes())?;
    }

    #[test]
    fn token_sequences_after_a_valid_header_never_panic(
        toks in proptest::collection::vec(proptest::sample::select(VOCAB), 0..200),
    ) {
        let src = format!("model t\nmutex m\nshared a: 0..4 = 0\nprocess w {{\n{}\n}}\n", toks.join(" "));
        run(src.as_bytes())?;
    }

    #[test]
    fn mutations_of_a_real_model_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, proptest::sample::select(VOCAB)), 1..8),
    ) {
        let mut src = SEED.as_bytes().to_vec();
        for (at, kind, tok) in edits {
            let i = at.index(src.len() + 1);
            match kind {
                0 if i < src.len() => { src.remove(i); }
                1 => { src.splice(i..i, tok.bytes()); }
                _ => { src.truncate(i); }
            }
        }
        run(&src)?;
    }
}
