//! Reports of a check: readable text and one JSON document.

mod json;
mod text;

pub use json::{counterexample_reduction_names, json, reduction_names, trace as trace_json};
pub use text::{reductions_text, text, trace_body, trace_heading, trace_line, verdict_line};

/// What a report includes besides the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// Include time, states per second and peak memory. Without them, the same model and
    /// options give byte-identical reports.
    pub timings: bool,
}
