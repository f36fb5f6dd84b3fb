//! Reports of a check: readable text and one JSON document.

mod json;
mod text;

pub use json::{counterexample_reduction_names, json, reduction_names, trace as trace_json};
pub use text::{reductions_text, text, trace_body, trace_heading, trace_line, verdict_line};

/// What a report includes besides the verdict. The default: no timings, unreached
/// statements do not fail the check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Include time, states per second and peak memory. Without them, the same model and
    /// options give byte-identical reports.
    pub timings: bool,
    /// The caller fails the check because statements never ran (`--deny-unreached` and
    /// [`crate::CheckResult::unreached`] not empty): the verdict reads `unreached`.
    pub unreached_fail: bool,
}
