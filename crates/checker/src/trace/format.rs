//! The versioned JSON trace format: a counterexample as a durable, self-describing artefact.
//!
//! A trace names the model it came from (path and SHA-256 of its bytes), the options that
//! change the result, the violation, and every step with its actor, operation, outcome, source
//! span and the items of the state it changed. `docs/trace-format.md` documents the format and
//! `docs/trace.schema.json` is its JSON Schema; both are kept true by the tests.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use mutexcheck_core::describe::Change;
use mutexcheck_core::ir::{CallSite, Span};
use mutexcheck_core::{Action, Outcome, State, Step, System};

use crate::limits::Strategy;
use crate::request::Request;
use crate::result::Counterexample;

/// The value of the `format` field: what kind of file this is.
pub const FORMAT_NAME: &str = "mutexcheck-trace";

/// The version of the format this build writes. Version 2 added `violation.cycle_start`
/// (lasso counterexamples of liveness properties); version 3 the step action `die` (a
/// `may_die` thread died alone) and a step's `called_from` (the procedure calls a statement
/// sits in); version 4 `model.from_trace_dir` (the model's path relative to the trace's
/// directory), the typed values of changes (`before_value`, `after_value`) and a crash or
/// death step's `killed` (where each thread it killed was). Older traces are read as they are.
pub const FORMAT_VERSION: u32 = 4;

/// The oldest version this build reads.
pub const OLDEST_VERSION: u32 = 1;

/// A counterexample trace as stored on disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceFile {
    /// Always [`FORMAT_NAME`].
    pub format: String,
    /// The format version, [`FORMAT_VERSION`] for this build.
    pub version: u32,
    /// The model the trace was found in.
    pub model: ModelRef,
    /// The options that change which states exist and which trace is found.
    pub options: TraceOptions,
    /// What went wrong, and at which step.
    pub violation: TraceViolation,
    /// The steps from the initial state to the violation, in order.
    pub steps: Vec<StepRecord>,
}

/// Which model a trace belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelRef {
    /// The model file's path as given on the command line (relative to the directory `check`
    /// ran in).
    pub path: String,
    /// Version 4: the model file's path relative to the directory the trace was written to
    /// (with `/` separators), so that `replay` and `view` find it from any directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_trace_dir: Option<String>,
    /// The name after `model` in the file.
    pub name: String,
    /// `sha256:` and the hex SHA-256 of the model file's bytes.
    pub hash: String,
}

/// The options a trace was found under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceOptions {
    /// The crash budget.
    pub crashes: u32,
    /// The mutex semantics, e.g. `win32`.
    pub semantics: String,
    /// `bfs` or `dfs`.
    pub search: String,
    /// Reductions that were on: `symmetry`, `partial_order`, or none.
    pub reductions: Vec<String>,
}

/// The violation a trace ends in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceViolation {
    /// The violation kind, e.g. `leaked_ownership`.
    pub kind: String,
    /// The violation in one sentence.
    pub message: String,
    /// The step (from 1) at which it happens; 0 when the initial state already violates.
    /// For a liveness violation, the last step of the cycle.
    pub step: usize,
    /// Liveness violations (version 2): the first step of the cycle. The steps from there to
    /// the last repeat forever: the last one returns to the state before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle_start: Option<usize>,
}

/// One step of a trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRecord {
    /// The step's number, from 1.
    pub index: usize,
    /// The thread that moved or died, or the process that crashed or restarted.
    pub actor: String,
    /// `run`, `crash`, `restart` or (version 3) `die`.
    pub action: String,
    /// For `run`: the instruction index in the thread's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc: Option<usize>,
    /// For `run`: the statement's source text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// What the operation returned: `OK`, `ABANDONED`, `TIMEOUT`, `NOT_OWNER`, `done`, `true`,
    /// `false`, `alternative N`, `crashed`, `restarted`, `died`, or a fault's sentence.
    pub outcome: String,
    /// The recursion count after a successful wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Where the statement is in the model (absent for crashes and restarts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// Version 3: for a statement of a procedure, the calls it sits in, outermost first
    /// (the last names the procedure `span` is in). Absent for a statement of the thread.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub called_from: Vec<CallSite>,
    /// Version 4: for a `crash` or `die` step, each thread it killed and the statement the
    /// thread was at (had not yet run, or was blocked in). Absent for other steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub killed: Vec<KilledRecord>,
    /// The items of the state this step changed.
    pub changes: Vec<Change>,
}

/// Version 4: one thread a crash or a death killed, and where it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KilledRecord {
    /// The thread's name.
    pub thread: String,
    /// The instruction index of the statement it was at.
    pub pc: usize,
    /// That statement's source text.
    pub operation: String,
    /// Where that statement is in the model.
    pub span: Span,
    /// For a statement of a procedure, the calls it sits in, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub called_from: Vec<CallSite>,
    /// True when the thread was blocked in that statement (an infinite wait).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
}

/// The killed threads of a step taken from `before`, as a trace records them.
pub fn killed_records(system: &System, before: &State, step: &Step) -> Vec<KilledRecord> {
    system
        .killed(before, &step.action)
        .iter()
        .map(|k| {
            let (span, text, calls) = system.killed_at(k);
            KilledRecord {
                thread: system.thread_name(k.thread).to_string(),
                pc: k.pc,
                operation: text.to_string(),
                span,
                called_from: calls.to_vec(),
                blocked: k.blocked,
            }
        })
        .collect()
}

/// `sha256:<hex>` of a model file's bytes.
pub fn model_hash(source: &[u8]) -> String {
    let digest = Sha256::digest(source);
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// The outcome word of a step and the count it carries, as written in a trace.
pub fn outcome_fields(system: &System, outcome: &Outcome) -> (String, Option<u32>) {
    match outcome {
        Outcome::Wait { outcome, count } => {
            let word = match outcome {
                mutexcheck_core::WaitOutcome::Ok => "OK",
                mutexcheck_core::WaitOutcome::Abandoned => "ABANDONED",
                mutexcheck_core::WaitOutcome::Timeout => "TIMEOUT",
            };
            let count = (*outcome != mutexcheck_core::WaitOutcome::Timeout).then_some(*count);
            (word.to_string(), count)
        }
        Outcome::Lock { outcome, count } => {
            let word =
                mutexcheck_core::ir::Ty::PosixResult.render(mutexcheck_core::ir::posix_result::of_lock(*outcome));
            (word, (*count > 0).then_some(*count))
        }
        other => (system.outcome_text(other), None),
    }
}

/// The trace record of one step from `before` to `after`.
pub fn step_record(system: &System, index: usize, step: &Step, before: &State, after: &State) -> StepRecord {
    let (outcome, count) = outcome_fields(system, &step.outcome);
    let (action, pc) = match step.action {
        Action::Run { pc, .. } => ("run", Some(pc)),
        Action::Crash { .. } => ("crash", None),
        Action::Restart { .. } => ("restart", None),
        Action::Die { .. } => ("die", None),
    };
    let instr = system.instr(&step.action);
    StepRecord {
        index,
        actor: system.actor(&step.action).to_string(),
        action: action.to_string(),
        pc,
        operation: instr.map(|i| i.text.clone()),
        outcome,
        count,
        span: instr.map(|i| i.span),
        called_from: instr.map(|i| i.called_from.clone()).unwrap_or_default(),
        killed: killed_records(system, before, step),
        changes: system.changes(before, after),
    }
}

impl TraceOptions {
    /// The options of a trace that `request` found in `system`: what a reader needs to find
    /// the same trace again. The one place a trace's options are made: the crash budget and
    /// the semantics are the system's, the search and the reductions the request's (after a
    /// check, [`Request::in_effect`]: the reductions that took effect).
    pub fn new(system: &System, request: &Request) -> TraceOptions {
        TraceOptions {
            crashes: system.model().crashes,
            semantics: system.model().semantics.name().to_string(),
            search: match request.strategy() {
                Strategy::Bfs => "bfs",
                Strategy::Dfs => "dfs",
            }
            .to_string(),
            reductions: request.reductions.names().iter().map(|r| r.to_string()).collect(),
        }
    }
}

impl TraceFile {
    /// Builds the trace of a counterexample: `path` and `source` name the model file.
    pub fn new(system: &System, path: &str, source: &[u8], options: TraceOptions, cex: &Counterexample) -> TraceFile {
        let mut before = &cex.initial;
        let mut steps = Vec::with_capacity(cex.steps.len());
        for (i, s) in cex.steps.iter().enumerate() {
            steps.push(step_record(system, i + 1, &s.step, before, &s.state));
            before = &s.state;
        }
        let violation = TraceViolation {
            kind: cex.violation.kind.name().to_string(),
            message: cex.violation.message.clone(),
            step: cex.steps.len(),
            cycle_start: cex.cycle_start,
        };
        TraceFile {
            format: FORMAT_NAME.to_string(),
            version: FORMAT_VERSION,
            model: ModelRef {
                path: path.to_string(),
                from_trace_dir: None,
                name: system.model().name.clone(),
                hash: model_hash(source),
            },
            options,
            violation,
            steps,
        }
    }

    /// The trace as pretty JSON with a final newline (stable: the same trace gives the same
    /// bytes).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a trace always serializes");
        text.push('\n');
        text
    }

    /// Reads a trace, with an error that says what is wrong: not JSON, truncated, another kind
    /// of file, a version this build cannot read, or a field of the wrong shape.
    pub fn parse(bytes: &[u8]) -> Result<TraceFile, TraceError> {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            if e.is_eof() {
                TraceError::Truncated { line: e.line(), column: e.column() }
            } else {
                TraceError::NotJson { message: e.to_string() }
            }
        })?;
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(FORMAT_NAME) {
            return Err(TraceError::NotATrace { found: format.map(str::to_string) });
        }
        let version = match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if (OLDEST_VERSION as u64..=FORMAT_VERSION as u64).contains(&v) => v,
            other => return Err(TraceError::UnknownVersion { found: other }),
        };
        let trace: TraceFile =
            serde_json::from_value(value).map_err(|e| TraceError::Malformed { message: e.to_string() })?;
        if version < 2 && trace.violation.cycle_start.is_some() {
            let message = "`violation.cycle_start` is a version 2 field, but the trace says version 1".to_string();
            return Err(TraceError::Malformed { message });
        }
        if let Some(step) = trace.steps.iter().find(|s| version < 3 && s.action == "die") {
            let message = format!(
                "step {} is a `die` step, a version 3 action, but the trace says version {version}",
                step.index
            );
            return Err(TraceError::Malformed { message });
        }
        if version < 3 && trace.steps.iter().any(|s| !s.called_from.is_empty()) {
            let message = format!("`called_from` is a version 3 field, but the trace says version {version}");
            return Err(TraceError::Malformed { message });
        }
        if version < 4 && trace.model.from_trace_dir.is_some() {
            let message = format!("`model.from_trace_dir` is a version 4 field, but the trace says version {version}");
            return Err(TraceError::Malformed { message });
        }
        let typed = |c: &Change| c.before_value.is_some() || c.after_value.is_some();
        if version < 4 && trace.steps.iter().flat_map(|s| &s.changes).any(typed) {
            let message =
                format!("`before_value` and `after_value` are version 4 fields, but the trace says version {version}");
            return Err(TraceError::Malformed { message });
        }
        if version < 4 && trace.steps.iter().any(|s| !s.killed.is_empty()) {
            let message = format!("`killed` is a version 4 field, but the trace says version {version}");
            return Err(TraceError::Malformed { message });
        }
        Ok(trace)
    }
}

/// Why a trace file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceError {
    /// The bytes are not JSON.
    NotJson { message: String },
    /// The JSON ends before the document does: the file was cut short.
    Truncated { line: usize, column: usize },
    /// The document is JSON but not a mutexcheck trace.
    NotATrace { found: Option<String> },
    /// A trace of a format version this build does not read.
    UnknownVersion { found: Option<u64> },
    /// A trace with a missing, extra or ill-typed field.
    Malformed { message: String },
}

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceError::NotJson { message } => write!(f, "the trace is not valid JSON: {message}"),
            TraceError::Truncated { line, column } => {
                write!(f, "the trace file is truncated: the JSON ends at line {line}, column {column}")
            }
            TraceError::NotATrace { found: Some(name) } => {
                write!(f, "this is not a mutexcheck trace: its format is \"{name}\", expected \"{FORMAT_NAME}\"")
            }
            TraceError::NotATrace { found: None } => {
                write!(f, "this is not a mutexcheck trace: it has no \"format\": \"{FORMAT_NAME}\" field")
            }
            TraceError::UnknownVersion { found: Some(v) } => write!(
                f,
                "trace format version {v} is not supported by this mutexcheck (it reads versions {OLDEST_VERSION} to {FORMAT_VERSION})"
            ),
            TraceError::UnknownVersion { found: None } => {
                write!(
                    f,
                    "the trace has no numeric \"version\" field (this mutexcheck reads versions {OLDEST_VERSION} to {FORMAT_VERSION})"
                )
            }
            TraceError::Malformed { message } => write!(f, "the trace is malformed: {message}"),
        }
    }
}

impl std::error::Error for TraceError {}
