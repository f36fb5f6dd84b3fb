//! Outcomes a model declares intended (`allow KIND [m]`): the checker does what the operating
//! system does and goes on, instead of reporting a violation.
//!
//! Only outcomes after which the run is well defined can be allowed: a thread that ends
//! owning a mutex (the system abandons it, as [`crate::System`] always does), and a POSIX
//! robust mutex unlocked while inconsistent (it becomes not recoverable, as
//! [`crate::posix::PosixMutexState::unlock`] always makes it). Which kinds these are, and how
//! an allowed event is counted, is the checker's business; the IR only records the
//! declarations.

use serde::{Deserialize, Serialize};

use crate::ir::{MutexId, Span};

/// An outcome that can be declared intended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowKind {
    /// A thread ends (runs off its end or executes `exit`) owning a mutex: it is abandoned
    /// (Win32: the next wait returns `ABANDONED`; POSIX robust: the next lock `OWNERDEAD`).
    LeakedOwnership,
    /// A POSIX robust mutex is unlocked at count 1 while inconsistent: it becomes not
    /// recoverable, and every later lock returns `NOTRECOVERABLE`.
    NotRecoverable,
}

impl AllowKind {
    /// Every kind, in declaration order.
    pub const ALL: [AllowKind; 2] = [AllowKind::LeakedOwnership, AllowKind::NotRecoverable];

    /// The snake_case name users write after `allow`, the name of the violation it allows.
    pub fn name(self) -> &'static str {
        match self {
            AllowKind::LeakedOwnership => "leaked_ownership",
            AllowKind::NotRecoverable => "not_recoverable",
        }
    }

    /// The kind with this name, if any.
    pub fn from_name(name: &str) -> Option<AllowKind> {
        AllowKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One `allow KIND [m]` declaration: `mutex` is `None` for every mutex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Allow {
    /// Which outcome.
    pub kind: AllowKind,
    /// Only for this mutex, or for every mutex.
    pub mutex: Option<MutexId>,
    /// Where it is declared.
    pub span: Span,
}

/// True when `allows` declares `kind` intended for `mutex`.
pub fn is_allowed(allows: &[Allow], kind: AllowKind, mutex: MutexId) -> bool {
    allows.iter().any(|a| a.kind == kind && a.mutex.is_none_or(|m| m == mutex))
}
