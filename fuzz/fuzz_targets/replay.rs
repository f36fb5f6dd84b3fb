//! Arbitrary bytes as a model and a trace: trace parsing, the trace's JSON round trip, and
//! replay of the trace against the model, as `mutexcheck replay TRACE --model MODEL` does.
//!
//! Input: `MODEL \0 TRACE` (split at the first NUL byte); without a NUL byte the whole input
//! is the trace, replayed against models/seed_bug.mc. The seed corpus that `scripts/fuzz`
//! builds pairs each trace of traces/ with its model.
//!
//! Promise (issue #15): any trace ends in a clear error, a reproduced violation or a
//! divergence at a named step, never a panic, an abort or a hang.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

const DEFAULT_MODEL: &[u8] = include_bytes!("../../models/seed_bug.mc");

fuzz_target!(|data: &[u8]| {
    let (model, trace) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (DEFAULT_MODEL, data),
    };
    let _ = common::replay_bytes(model, trace);
});
