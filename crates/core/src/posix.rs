//! The semantics of one process-shared POSIX mutex (`pthread_mutex_t`), as a pure value.
//!
//! A POSIX mutex has a *type* (normal, errorcheck, recursive, or default) and may be
//! *robust*. A robust mutex whose owner dies is handed to the next locker with `EOWNERDEAD`:
//! the locker owns it, the data may be half written, and the mutex stays *inconsistent*
//! until `pthread_mutex_consistent` is called (by its owner, normally; see below). Unlocked
//! while inconsistent, it becomes
//! *not recoverable* for good: every later lock, by any thread of any process, fails with
//! `ENOTRECOVERABLE`. A non-robust mutex whose owner dies stays locked by the dead thread:
//! whoever waits for it waits forever.
//!
//! Where POSIX leaves a behaviour undefined this follows Linux with glibc (measured on Linux
//! 6.18 with glibc 2.36, and re-measured by the conformance test against the machine's own
//! libc, `crates/core/tests/posix_conformance.rs`):
//! - the default type is the normal type (glibc's `PTHREAD_MUTEX_DEFAULT` is
//!   `PTHREAD_MUTEX_NORMAL`);
//! - a normal mutex relocked by its owner blocks forever with `lock`, fails with `EBUSY`
//!   with `trylock` and `ETIMEDOUT` with `timedlock`;
//! - `unlock` of a non-robust normal mutex by a thread that does not own it unlocks it all
//!   the same and returns 0, and so does `unlock` of such a mutex that is free: it stays free
//!   (POSIX: undefined); every robust type and the errorcheck and recursive types report
//!   `EPERM`;
//! - `pthread_mutex_consistent` repairs an inconsistent robust mutex whoever calls it, not
//!   only its owner: POSIX's only error is `EINVAL` for a mutex that is not robust or not
//!   inconsistent, and glibc checks nothing else; the owner still owns it;
//! - a recursive robust mutex whose owner dies at any count is handed over with `EOWNERDEAD`
//!   and count 1; unlocked while inconsistent at count 2 it returns `ENOTRECOVERABLE`, drops
//!   to count 1 and stays owned; at count 1 it is unlocked and becomes not recoverable.
//!
//! Where POSIX defines a behaviour and glibc does otherwise, this follows POSIX; the
//! conformance test records each such glibc deviation and checks that glibc shows exactly it:
//! - when the first call after a mutex became not recoverable is a `trylock`, glibc returns
//!   `ENOTRECOVERABLE` but leaves the mutex locked by the caller. So does a `trylock` after
//!   `lock` and `timedlock` calls (which do return `ENOTRECOVERABLE` and leave it unlocked):
//!   glibc's `trylock` keeps the lock it took whenever it finds the mutex not recoverable.
//!   Others then get `EBUSY` or time out; the caller's own `unlock` crashes in glibc unless the
//!   mutex is recursive. Here, as POSIX says, the caller does not own it and every later call
//!   is `ENOTRECOVERABLE`;
//! - the owner's `trylock` of an errorcheck mutex is `EBUSY`, as POSIX says (`trylock` returns
//!   at once if the mutex is locked, by any thread, including the caller) and as glibc does for
//!   a non-robust one; glibc returns `EDEADLK` for a robust one;
//! - after a non-owner's `consistent` on a recursive robust mutex, glibc refuses the owner's
//!   `unlock` with `EPERM` (it took the caller for the owner), and the mutex stays locked.
//!   Here the owner unlocks it as POSIX says.
//!
//! The recursion limit, [`MAX_RECURSION`], is the checker's bound, shared with Win32 mutexes;
//! glibc's is 2^32 - 1. The conformance test does not compare it.
//!
//! As for Win32 mutexes, nothing here knows about scheduling: blocking, and whether a timed
//! lock times out, are choices the transition system enumerates.

use serde::{Deserialize, Serialize};

use crate::mutex::{ThreadId, MAX_RECURSION};

/// The type of a POSIX mutex (`pthread_mutexattr_settype`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MutexType {
    /// `PTHREAD_MUTEX_NORMAL`: no error checks; the owner's relock deadlocks.
    Normal,
    /// `PTHREAD_MUTEX_ERRORCHECK`: the owner's relock fails with `EDEADLK`, an unlock by a
    /// non-owner with `EPERM`.
    ErrorCheck,
    /// `PTHREAD_MUTEX_RECURSIVE`: the owner's relock counts up; each lock needs an unlock.
    Recursive,
    /// `PTHREAD_MUTEX_DEFAULT`: behaves as [`MutexType::Normal`] (as glibc defines it).
    #[default]
    Default,
}

/// How a POSIX mutex was created: its type and whether it is robust.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PosixAttributes {
    /// The mutex type.
    pub kind: MutexType,
    /// `PTHREAD_MUTEX_ROBUST`: the owner's death is reported to the next locker.
    pub robust: bool,
}

impl PosixAttributes {
    /// The type as it behaves: default is normal.
    fn behaves_as(&self) -> MutexType {
        match self.kind {
            MutexType::Default => MutexType::Normal,
            kind => kind,
        }
    }
}

/// Which locking call a thread makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockCall {
    /// `pthread_mutex_lock`: blocks until the mutex can be taken.
    Lock,
    /// `pthread_mutex_trylock`: takes the mutex if it can, else `EBUSY` at once.
    TryLock,
    /// `pthread_mutex_timedlock`: may take the mutex, or give up with `ETIMEDOUT` while it is
    /// held.
    TimedLock,
}

/// What a locking call returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LockOutcome {
    /// 0: the caller owns the mutex (or owns it once more).
    Ok,
    /// `EOWNERDEAD`: the caller owns the mutex, whose previous owner died holding it; the
    /// mutex is inconsistent until the caller calls `pthread_mutex_consistent`.
    OwnerDead,
    /// `ENOTRECOVERABLE`: the mutex can never be locked again; the caller does not own it.
    NotRecoverable,
    /// `EDEADLK`: the caller already owns this errorcheck mutex (`lock` and `timedlock`).
    Deadlock,
    /// `EBUSY`: `trylock` found the mutex held (by another thread, or by the caller unless the
    /// mutex is recursive).
    Busy,
    /// `ETIMEDOUT`: `timedlock` gave up while the mutex was held.
    TimedOut,
    /// `EAGAIN`: the owner's recursion count is at its maximum.
    Again,
}

/// What `pthread_mutex_unlock` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnlockOutcome {
    /// 0: the count went down by one (and the mutex is free, or not recoverable, at zero).
    Ok,
    /// `EPERM`: the caller does not own the mutex; nothing changed.
    Perm,
    /// `ENOTRECOVERABLE`: an inconsistent recursive mutex's count went down but is not
    /// zero; the caller still owns it.
    NotRecoverable,
}

/// What `pthread_mutex_consistent` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConsistentOutcome {
    /// 0: the mutex is consistent again; the caller still owns it.
    Ok,
    /// `EINVAL`: the mutex is not robust, or not inconsistent.
    Inval,
}

/// Where a robust mutex stands after owner deaths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    /// Nothing to report.
    #[default]
    Consistent,
    /// The owner died holding it; the next locker gets `EOWNERDEAD`. The mutex is free.
    OwnerDied,
    /// Owned by a thread that got `EOWNERDEAD` and has not called `consistent` yet.
    Inconsistent,
    /// Unlocked while inconsistent: every lock fails with `ENOTRECOVERABLE`, forever.
    NotRecoverable,
}

/// Why a locking call cannot return now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// Another thread owns the mutex (alive or dead): `lock` waits.
    HeldBy(ThreadId),
    /// The owner relocks a normal mutex: it waits for itself, forever.
    SelfDeadlock,
}

/// The state of one POSIX mutex: owner, recursion count and consistency.
///
/// Invariants: `owner.is_some() == (count > 0)`; `OwnerDied` and `NotRecoverable` only
/// when free; `Inconsistent` only when owned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PosixMutexState {
    /// The owning thread, if any; it may be dead (a non-robust mutex keeps a dead owner).
    pub owner: Option<ThreadId>,
    /// Locks the owner has not matched with unlocks.
    pub count: u32,
    /// Where the mutex stands after owner deaths.
    pub consistency: Consistency,
}

impl PosixMutexState {
    /// A mutex after `pthread_mutex_init`: free and consistent.
    pub fn free() -> PosixMutexState {
        PosixMutexState::default()
    }

    /// True when no thread owns the mutex.
    pub fn is_free(&self) -> bool {
        self.owner.is_none()
    }

    /// True when the mutex is free and its data may be trusted: not after an owner's death
    /// that nobody repaired, and not when it is not recoverable. (`protect` holds then.)
    pub fn is_free_and_consistent(&self) -> bool {
        self.is_free() && self.consistency == Consistency::Consistent
    }

    /// `thread` makes the locking call `call` on a mutex with attributes `attrs`: the
    /// outcome, with the state changed as the call does, or why the call cannot return now.
    /// A `timedlock` on a mutex held by another thread is `Blocked` here: whether it then
    /// times out is the transition system's choice ([`PosixMutexState::time_out`]).
    pub fn lock(&mut self, attrs: PosixAttributes, thread: ThreadId, call: LockCall) -> Result<LockOutcome, Blocked> {
        if self.consistency == Consistency::NotRecoverable {
            return Ok(LockOutcome::NotRecoverable);
        }
        match self.owner {
            None => {
                let outcome = match self.consistency {
                    Consistency::OwnerDied => {
                        self.consistency = Consistency::Inconsistent;
                        LockOutcome::OwnerDead
                    }
                    _ => LockOutcome::Ok,
                };
                self.owner = Some(thread);
                self.count = 1;
                Ok(outcome)
            }
            Some(owner) if owner == thread => match attrs.behaves_as() {
                MutexType::Recursive if self.count >= MAX_RECURSION => Ok(LockOutcome::Again),
                MutexType::Recursive => {
                    self.count += 1;
                    Ok(LockOutcome::Ok)
                }
                MutexType::ErrorCheck if call == LockCall::TryLock => Ok(LockOutcome::Busy),
                MutexType::ErrorCheck => Ok(LockOutcome::Deadlock),
                _ => match call {
                    LockCall::Lock => Err(Blocked::SelfDeadlock),
                    LockCall::TryLock => Ok(LockOutcome::Busy),
                    LockCall::TimedLock => Ok(LockOutcome::TimedOut),
                },
            },
            Some(owner) => match call {
                LockCall::TryLock => Ok(LockOutcome::Busy),
                LockCall::Lock | LockCall::TimedLock => Err(Blocked::HeldBy(owner)),
            },
        }
    }

    /// A `timedlock` blocked on a mutex held by another thread gives up: `ETIMEDOUT`, and
    /// nothing changes.
    pub fn time_out(&self) -> LockOutcome {
        LockOutcome::TimedOut
    }

    /// `thread` calls `pthread_mutex_unlock`.
    pub fn unlock(&mut self, attrs: PosixAttributes, thread: ThreadId) -> UnlockOutcome {
        let owns = self.owner == Some(thread);
        if !owns {
            // Only a non-robust normal mutex lets anyone unlock it, held or free (glibc does
            // not look).
            if attrs.robust || attrs.behaves_as() != MutexType::Normal {
                return UnlockOutcome::Perm;
            }
            self.owner = None;
            self.count = 0;
            return UnlockOutcome::Ok;
        }
        let inconsistent = self.consistency == Consistency::Inconsistent;
        if self.count > 1 {
            self.count -= 1;
            return if inconsistent { UnlockOutcome::NotRecoverable } else { UnlockOutcome::Ok };
        }
        self.owner = None;
        self.count = 0;
        if inconsistent {
            self.consistency = Consistency::NotRecoverable;
        }
        UnlockOutcome::Ok
    }

    /// `thread` calls `pthread_mutex_consistent`. Any thread may repair the mutex, not only
    /// its owner (POSIX asks nothing of the caller; glibc checks only the state).
    pub fn make_consistent(&mut self, attrs: PosixAttributes, _thread: ThreadId) -> ConsistentOutcome {
        if attrs.robust && self.consistency == Consistency::Inconsistent {
            self.consistency = Consistency::Consistent;
            ConsistentOutcome::Ok
        } else {
            ConsistentOutcome::Inval
        }
    }

    /// `thread` died (its process crashed, or the thread ended): a robust mutex it owned is
    /// free and reports the death to its next locker, whatever the count was; a non-robust
    /// one stays locked by the dead thread. Returns the count `thread` held (0 if none).
    pub fn owner_died(&mut self, attrs: PosixAttributes, thread: ThreadId) -> u32 {
        if self.owner != Some(thread) {
            return 0;
        }
        let held = self.count;
        if attrs.robust {
            *self = PosixMutexState { owner: None, count: 0, consistency: Consistency::OwnerDied };
        }
        held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: ThreadId = 0;
    const B: ThreadId = 1;
    const C: ThreadId = 2;

    fn attrs(kind: MutexType, robust: bool) -> PosixAttributes {
        PosixAttributes { kind, robust }
    }
    const TYPES: [MutexType; 4] = [MutexType::Normal, MutexType::ErrorCheck, MutexType::Recursive, MutexType::Default];
    const CALLS: [LockCall; 3] = [LockCall::Lock, LockCall::TryLock, LockCall::TimedLock];

    fn owned(thread: ThreadId, count: u32) -> PosixMutexState {
        PosixMutexState { owner: Some(thread), count, consistency: Consistency::Consistent }
    }

    #[test]
    fn every_call_on_a_free_mutex_takes_it_with_count_one() {
        for kind in TYPES {
            for robust in [false, true] {
                for call in CALLS {
                    let mut m = PosixMutexState::free();
                    assert_eq!(m.lock(attrs(kind, robust), A, call), Ok(LockOutcome::Ok));
                    assert_eq!(m, owned(A, 1));
                }
            }
        }
    }

    #[test]
    fn a_mutex_held_by_another_thread_blocks_lock_and_timedlock_and_is_busy_for_trylock() {
        for kind in TYPES {
            let mut m = owned(A, 1);
            let a = attrs(kind, true);
            assert_eq!(m.lock(a, B, LockCall::Lock), Err(Blocked::HeldBy(A)));
            assert_eq!(m.lock(a, B, LockCall::TimedLock), Err(Blocked::HeldBy(A)));
            assert_eq!(m.time_out(), LockOutcome::TimedOut);
            assert_eq!(m.lock(a, B, LockCall::TryLock), Ok(LockOutcome::Busy));
            assert_eq!(m, owned(A, 1));
        }
    }

    #[test]
    fn the_owners_relock_deadlocks_a_normal_or_default_mutex() {
        for kind in [MutexType::Normal, MutexType::Default] {
            for robust in [false, true] {
                let mut m = owned(A, 1);
                let a = attrs(kind, robust);
                assert_eq!(m.lock(a, A, LockCall::Lock), Err(Blocked::SelfDeadlock));
                assert_eq!(m.lock(a, A, LockCall::TryLock), Ok(LockOutcome::Busy));
                assert_eq!(m.lock(a, A, LockCall::TimedLock), Ok(LockOutcome::TimedOut));
                assert_eq!(m, owned(A, 1));
            }
        }
    }

    #[test]
    fn the_owners_relock_of_an_errorcheck_mutex_fails_with_edeadlk_or_ebusy_for_trylock() {
        for robust in [false, true] {
            for call in CALLS {
                let mut m = owned(A, 1);
                let expected = if call == LockCall::TryLock { LockOutcome::Busy } else { LockOutcome::Deadlock };
                assert_eq!(m.lock(attrs(MutexType::ErrorCheck, robust), A, call), Ok(expected));
                assert_eq!(m, owned(A, 1));
            }
        }
    }

    #[test]
    fn the_owners_relock_of_a_recursive_mutex_counts_up_to_the_limit() {
        let a = attrs(MutexType::Recursive, false);
        let mut m = owned(A, 1);
        assert_eq!(m.lock(a, A, LockCall::TryLock), Ok(LockOutcome::Ok));
        assert_eq!(m, owned(A, 2));
        let mut full = owned(A, MAX_RECURSION);
        assert_eq!(full.lock(a, A, LockCall::Lock), Ok(LockOutcome::Again));
        assert_eq!(full, owned(A, MAX_RECURSION));
    }

    #[test]
    fn unlock_by_the_owner_counts_down_and_frees_at_zero() {
        let a = attrs(MutexType::Recursive, true);
        let mut m = owned(A, 2);
        assert_eq!(m.unlock(a, A), UnlockOutcome::Ok);
        assert_eq!(m, owned(A, 1));
        assert_eq!(m.unlock(a, A), UnlockOutcome::Ok);
        assert_eq!(m, PosixMutexState::free());
    }

    #[test]
    fn unlock_by_a_non_owner_is_eperm_except_for_a_non_robust_normal_mutex() {
        for kind in TYPES {
            for robust in [false, true] {
                let a = attrs(kind, robust);
                let mut m = owned(A, 1);
                let reports = robust || matches!(kind, MutexType::ErrorCheck | MutexType::Recursive);
                if reports {
                    assert_eq!(m.unlock(a, B), UnlockOutcome::Perm, "{a:?}");
                    assert_eq!(m, owned(A, 1));
                } else {
                    assert_eq!(m.unlock(a, B), UnlockOutcome::Ok, "{a:?}");
                    assert_eq!(m, PosixMutexState::free());
                }
                let mut free = PosixMutexState::free();
                let expected = if reports { UnlockOutcome::Perm } else { UnlockOutcome::Ok };
                assert_eq!(free.unlock(a, B), expected, "{a:?}");
                assert_eq!(free, PosixMutexState::free());
            }
        }
    }

    #[test]
    fn a_robust_owners_death_hands_the_mutex_over_with_eownerdead() {
        for kind in TYPES {
            let a = attrs(kind, true);
            let mut m = owned(A, 1);
            assert_eq!(m.owner_died(a, A), 1);
            assert_eq!(m, PosixMutexState { owner: None, count: 0, consistency: Consistency::OwnerDied });
            assert!(m.is_free() && !m.is_free_and_consistent());
            assert_eq!(m.lock(a, B, LockCall::TryLock), Ok(LockOutcome::OwnerDead));
            assert_eq!(m, PosixMutexState { owner: Some(B), count: 1, consistency: Consistency::Inconsistent });
        }
    }

    #[test]
    fn a_recursive_robust_mutex_whose_owner_dies_at_count_two_is_handed_over_at_count_one() {
        let a = attrs(MutexType::Recursive, true);
        let mut m = owned(A, 2);
        assert_eq!(m.owner_died(a, A), 2);
        assert_eq!(m.lock(a, B, LockCall::Lock), Ok(LockOutcome::OwnerDead));
        assert_eq!((m.owner, m.count), (Some(B), 1));
    }

    #[test]
    fn a_non_robust_owners_death_leaves_the_mutex_locked_by_the_dead_thread() {
        for kind in TYPES {
            let a = attrs(kind, false);
            let mut m = owned(A, 1);
            assert_eq!(m.owner_died(a, A), 1);
            assert_eq!(m, owned(A, 1));
            assert_eq!(m.lock(a, B, LockCall::Lock), Err(Blocked::HeldBy(A)));
        }
    }

    #[test]
    fn the_death_of_a_thread_that_owns_nothing_changes_nothing() {
        let mut m = owned(A, 1);
        assert_eq!(m.owner_died(attrs(MutexType::Normal, true), B), 0);
        assert_eq!(m, owned(A, 1));
    }

    #[test]
    fn consistent_by_the_inconsistent_owner_repairs_the_mutex() {
        let a = attrs(MutexType::Normal, true);
        let mut m = owned(A, 1);
        m.owner_died(a, A);
        m.lock(a, B, LockCall::Lock).unwrap();
        assert_eq!(m.make_consistent(a, B), ConsistentOutcome::Ok);
        assert_eq!(m, owned(B, 1));
        assert_eq!(m.make_consistent(a, B), ConsistentOutcome::Inval, "already consistent");
        assert_eq!(m.unlock(a, B), UnlockOutcome::Ok);
        assert!(m.is_free_and_consistent());
        assert_eq!(m.lock(a, C, LockCall::Lock), Ok(LockOutcome::Ok));
    }

    #[test]
    fn consistent_by_a_non_owner_repairs_the_mutex_too() {
        let a = attrs(MutexType::Recursive, true);
        let mut m = owned(A, 1);
        m.owner_died(a, A);
        m.lock(a, B, LockCall::Lock).unwrap();
        assert_eq!(m.make_consistent(a, C), ConsistentOutcome::Ok);
        assert_eq!(m, owned(B, 1));
        assert_eq!(m.make_consistent(a, B), ConsistentOutcome::Inval, "already consistent");
        assert_eq!(m.unlock(a, B), UnlockOutcome::Ok);
        assert!(m.is_free_and_consistent());
    }

    #[test]
    fn consistent_on_a_non_robust_mutex_is_einval() {
        let mut m = owned(A, 1);
        assert_eq!(m.make_consistent(attrs(MutexType::Normal, false), A), ConsistentOutcome::Inval);
        assert_eq!(m, owned(A, 1));
    }

    #[test]
    fn unlock_without_consistent_makes_the_mutex_not_recoverable_for_every_call() {
        let a = attrs(MutexType::ErrorCheck, true);
        let mut m = owned(A, 1);
        m.owner_died(a, A);
        assert_eq!(m.lock(a, B, LockCall::Lock), Ok(LockOutcome::OwnerDead));
        assert_eq!(m.unlock(a, B), UnlockOutcome::Ok);
        assert_eq!(m, PosixMutexState { owner: None, count: 0, consistency: Consistency::NotRecoverable });
        assert!(!m.is_free_and_consistent());
        for thread in [A, B, C] {
            for call in CALLS {
                assert_eq!(m.lock(a, thread, call), Ok(LockOutcome::NotRecoverable));
            }
        }
        // Not the glibc defect: a first trylock after it leaves the mutex unowned.
        assert!(m.is_free());
        assert_eq!(m.unlock(a, B), UnlockOutcome::Perm);
        assert_eq!(m.make_consistent(a, B), ConsistentOutcome::Inval);
    }

    #[test]
    fn the_seed_bug_pattern_on_a_recursive_robust_mutex_leaves_it_owned_and_lost() {
        // EOWNERDEAD taken as failure, a relock, one unlock: ENOTRECOVERABLE, still owned.
        let a = attrs(MutexType::Recursive, true);
        let mut m = owned(A, 1);
        m.owner_died(a, A);
        assert_eq!(m.lock(a, B, LockCall::Lock), Ok(LockOutcome::OwnerDead));
        assert_eq!(m.lock(a, B, LockCall::Lock), Ok(LockOutcome::Ok));
        assert_eq!(m.count, 2);
        assert_eq!(m.unlock(a, B), UnlockOutcome::NotRecoverable);
        assert_eq!(m, PosixMutexState { owner: Some(B), count: 1, consistency: Consistency::Inconsistent });
        assert_eq!(m.lock(a, C, LockCall::TryLock), Ok(LockOutcome::Busy));
        // The second unlock loses the mutex for good.
        assert_eq!(m.unlock(a, B), UnlockOutcome::Ok);
        assert_eq!(m.lock(a, C, LockCall::Lock), Ok(LockOutcome::NotRecoverable));
    }

    #[test]
    fn the_next_owner_dying_before_consistent_reports_the_death_again() {
        let a = attrs(MutexType::Normal, true);
        let mut m = owned(A, 1);
        m.owner_died(a, A);
        m.lock(a, B, LockCall::Lock).unwrap();
        assert_eq!(m.owner_died(a, B), 1);
        assert_eq!(m.lock(a, C, LockCall::Lock), Ok(LockOutcome::OwnerDead));
    }
}
