//! Arbitrary bytes as a model file: lexer, parser, name and type checks, lowering, the
//! rendering of diagnostics, and the static analyses `System::new` runs on what compiles.
//!
//! Promise (issue #15): any input ends in diagnostics or a model, never a panic, an abort,
//! a stack overflow or a hang.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = mutexcheck_lang::expected_verdict(text);
    }
    let Some(model) = common::compile(data) else { return };
    let system = common::system(model, None);
    // One step of the transition system: the initial state and its successors.
    let initial = system.initial_state();
    let mut successors = Vec::new();
    system.successors(&initial, &mut successors);
});
