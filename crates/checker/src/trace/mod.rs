//! Counterexample traces: the JSON format, and replay against a model.

pub mod format;
pub mod replay;

pub use format::{model_hash, StepRecord, TraceError, TraceFile, TraceOptions, TraceViolation};
pub use replay::{replay, replay_run, replay_with, Found, Replay, ReplayRun, ReplayVerdict};
