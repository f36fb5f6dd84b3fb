//! The kinds of violation a model can commit, and the violation a checker reports.

use serde::{Deserialize, Serialize};

/// What kind of property a run broke. The snake_case names are the ones users write in
/// `// expect: violation KIND` lines and read in JSON and in the verdict line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// A `protect m: cond` predicate is false while `m` is free and not abandoned, or when a
    /// first (non-recursive) wait on `m` returns `OK`: the shared state stayed inconsistent.
    Protect,
    /// An `invariant` is false in a reachable state.
    Invariant,
    /// An `assert` statement failed.
    Assert,
    /// No thread can move and some thread waits forever.
    Deadlock,
    /// A thread ended (not crashed) while owning a mutex (unless the model allows it:
    /// `allow leaked_ownership`).
    LeakedOwnership,
    /// A release by a thread that does not own the mutex, whose `NOT_OWNER` result the model
    /// ignores.
    ReleaseNotOwner,
    /// A value outside its declared range, an index out of bounds, arithmetic overflow or a
    /// division by zero.
    OutOfRange,
    /// A recursive wait beyond the recursion count limit.
    RecursionLimit,
    /// An `at end` predicate is false when every thread has finished or died.
    AtEnd,
    /// A POSIX robust mutex became not recoverable: its owner unlocked it while it was
    /// inconsistent (after `OWNERDEAD`, without `consistent`). Every later lock fails.
    /// (Unless the model allows it: `allow not_recoverable`.)
    NotRecoverable,
    /// A fair infinite run that from some point never passes a `progress` statement.
    Livelock,
    /// A fair infinite run in which a thread waits for or retries a mutex named by
    /// `starvation m` forever while other threads keep acquiring it.
    Starvation,
    /// A thread read or wrote a shared variable declared `guarded_by m` while it did not own
    /// `m`.
    UnguardedAccess,
}

impl ViolationKind {
    /// Every kind, in declaration order.
    pub const ALL: [ViolationKind; 13] = [
        ViolationKind::Protect,
        ViolationKind::Invariant,
        ViolationKind::Assert,
        ViolationKind::Deadlock,
        ViolationKind::LeakedOwnership,
        ViolationKind::ReleaseNotOwner,
        ViolationKind::OutOfRange,
        ViolationKind::RecursionLimit,
        ViolationKind::AtEnd,
        ViolationKind::NotRecoverable,
        ViolationKind::Livelock,
        ViolationKind::Starvation,
        ViolationKind::UnguardedAccess,
    ];

    /// The snake_case name: `leaked_ownership`.
    pub fn name(&self) -> &'static str {
        match self {
            ViolationKind::Protect => "protect",
            ViolationKind::Invariant => "invariant",
            ViolationKind::Assert => "assert",
            ViolationKind::Deadlock => "deadlock",
            ViolationKind::LeakedOwnership => "leaked_ownership",
            ViolationKind::ReleaseNotOwner => "release_not_owner",
            ViolationKind::OutOfRange => "out_of_range",
            ViolationKind::RecursionLimit => "recursion_limit",
            ViolationKind::AtEnd => "at_end",
            ViolationKind::NotRecoverable => "not_recoverable",
            ViolationKind::Livelock => "livelock",
            ViolationKind::Starvation => "starvation",
            ViolationKind::UnguardedAccess => "unguarded_access",
        }
    }

    /// The kind with this snake_case name, if any.
    pub fn from_name(name: &str) -> Option<ViolationKind> {
        ViolationKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken property: its kind and one sentence that names the threads, mutexes and values
/// involved, e.g. `worker[1] ended owning m (count 1)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Which property.
    pub kind: ViolationKind,
    /// What happened, in one sentence without a final period.
    pub message: String,
}

impl Violation {
    /// A violation of `kind` described by `message`.
    pub fn new(kind: ViolationKind, message: impl Into<String>) -> Violation {
        Violation { kind, message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_and_match_the_agreed_spelling() {
        let names: Vec<&str> = ViolationKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(
            names,
            [
                "protect",
                "invariant",
                "assert",
                "deadlock",
                "leaked_ownership",
                "release_not_owner",
                "out_of_range",
                "recursion_limit",
                "at_end",
                "not_recoverable",
                "livelock",
                "starvation",
                "unguarded_access"
            ]
        );
        for k in ViolationKind::ALL {
            assert_eq!(ViolationKind::from_name(k.name()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::String(k.name().into()));
        }
        assert_eq!(ViolationKind::from_name("leak"), None);
    }
}
