//! The core of mutexcheck: what a named mutex does, the model IR, and the transition system
//! a checker explores.
//!
//! Data flows one way through the project: model text → [`ir::Model`] → [`System`] (a
//! validated model with its state layout) → [`State`]s and their successors ([`Step`]s) →
//! a verdict and a trace. This crate does no I/O and no parsing.
//!
//! - [`mutex`]: the Win32 mutex rules as a pure value ([`MutexState`]).
//! - [`ir`]: the model IR the language produces.
//! - [`System`]: validation, the initial state and the successor function.

pub mod allow;
mod compiled;
mod crash;
mod dead_step;
mod death;
pub mod describe;
mod eval;
mod flow;
pub mod guarded;
pub mod ir;
pub mod killed;
mod liveness;
pub mod mutex;
pub mod pack;
pub mod por;
pub mod posix;
mod posix_steps;
mod result_values;
mod running;
pub mod spare;
pub mod state;
pub mod step;
pub mod symmetry;
pub mod system;
pub mod typed;
mod validate;

pub use ir::Model;
pub use mutex::{MutexState, ReleaseOutcome, ThreadId, WaitMode, WaitOutcome};
pub use state::{State, ThreadStatus};
pub use step::{Abandonment, Action, Actor, Fault, Outcome, Step};
pub use system::System;

/// An ill-formed IR: an index that names nothing, a value outside its type, a jump outside
/// the program. The language never produces one; a model built by hand may.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrError {
    /// What is wrong, in one sentence that names the offending item.
    pub message: String,
}

impl std::fmt::Display for IrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid model: {}", self.message)
    }
}

impl std::error::Error for IrError {}
