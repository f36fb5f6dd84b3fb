//! The values a wait, lock, release or unlock stores in a model's result variable, Win32's
//! and POSIX's, with their names as a model writes them (re-exported by [`crate::ir`]).

/// The value a wait or release stores in its result variable.
///
/// Values of [`Ty::Result`](crate::ir::Ty::Result): the constants a model compares a result with.
pub mod result {
    use crate::ir::Value;
    /// `WAIT_OBJECT_0` (a wait) or success (a release).
    pub const OK: Value = 0;
    /// `WAIT_ABANDONED`.
    pub const ABANDONED: Value = 1;
    /// `WAIT_TIMEOUT`.
    pub const TIMEOUT: Value = 2;
    /// `ERROR_NOT_OWNER` from a release.
    pub const NOT_OWNER: Value = 3;
    /// The names of the result values, indexed by value.
    pub const NAMES: [&str; 4] = ["OK", "ABANDONED", "TIMEOUT", "NOT_OWNER"];
}

/// Values of [`Ty::PosixResult`](crate::ir::Ty::PosixResult): what the POSIX calls return, under `semantics posix`.
pub mod posix_result {
    use crate::ir::Value;
    /// 0: success.
    pub const OK: Value = 0;
    /// `EOWNERDEAD`: locked, but the previous owner died holding it.
    pub const OWNERDEAD: Value = 1;
    /// `ENOTRECOVERABLE`.
    pub const NOTRECOVERABLE: Value = 2;
    /// `EDEADLK`: an errorcheck mutex relocked by its owner.
    pub const DEADLK: Value = 3;
    /// `EBUSY`: `trylock` on a held mutex.
    pub const BUSY: Value = 4;
    /// `ETIMEDOUT`: `timedlock` gave up.
    pub const TIMEDOUT: Value = 5;
    /// `EPERM`: unlock by a thread that does not own the mutex.
    pub const PERM: Value = 6;
    /// `EINVAL`: `consistent` on a mutex that is not inconsistent (or not robust).
    pub const INVAL: Value = 7;
    /// `EAGAIN`: the recursion count is at its maximum.
    pub const AGAIN: Value = 8;
    /// The names of the result values, indexed by value.
    pub const NAMES: [&str; 9] =
        ["OK", "OWNERDEAD", "NOTRECOVERABLE", "DEADLK", "BUSY", "TIMEDOUT", "PERM", "INVAL", "AGAIN"];

    use crate::posix::{ConsistentOutcome, LockOutcome, UnlockOutcome};

    /// The value a locking call stores.
    pub fn of_lock(outcome: LockOutcome) -> Value {
        match outcome {
            LockOutcome::Ok => OK,
            LockOutcome::OwnerDead => OWNERDEAD,
            LockOutcome::NotRecoverable => NOTRECOVERABLE,
            LockOutcome::Deadlock => DEADLK,
            LockOutcome::Busy => BUSY,
            LockOutcome::TimedOut => TIMEDOUT,
            LockOutcome::Again => AGAIN,
        }
    }

    /// The value an unlock stores.
    pub fn of_unlock(outcome: UnlockOutcome) -> Value {
        match outcome {
            UnlockOutcome::Ok => OK,
            UnlockOutcome::Perm => PERM,
            UnlockOutcome::NotRecoverable => NOTRECOVERABLE,
        }
    }

    /// The value `consistent` stores.
    pub fn of_consistent(outcome: ConsistentOutcome) -> Value {
        match outcome {
            ConsistentOutcome::Ok => OK,
            ConsistentOutcome::Inval => INVAL,
        }
    }
}
