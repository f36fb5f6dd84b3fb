//! The semantics of one Win32 named mutex, as a pure value.
//!
//! This follows the "Mutex Objects" rules of the Win32 documentation: a mutex is signaled when
//! no thread owns it; it has one owner thread and a recursion count; a wait by the owner
//! succeeds at once and increments the count; `ReleaseMutex` by the owner decrements it and
//! frees the mutex at zero, and by anyone else fails; when the owner ends while owning, the
//! mutex is *abandoned* and the next successful wait returns `WAIT_ABANDONED`, which is a
//! success that hands over full ownership.
//!
//! Nothing here knows about scheduling: whether a blocked waiter keeps waiting or times out is
//! a choice the transition system enumerates (see [`crate::system`]). Waiters are never queued,
//! so no order among them is assumed.

use serde::{Deserialize, Serialize};

/// Index of a thread in the flattened thread table of a [`crate::System`].
pub type ThreadId = u16;

/// The largest recursion count a mutex may reach in a model.
///
/// Win32 allows about 2^31 recursive acquisitions; a model that gets anywhere near this many is
/// almost certainly looping on a recursive wait, and a bound keeps the state space finite.
pub const MAX_RECURSION: u32 = 255;

/// How a thread waits for a mutex.
///
/// In an interleaving model a timed wait and a zero-timeout try enumerate the same outcomes
/// (acquire when available, `TIMEOUT` when not); they differ only in the source that wrote them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitMode {
    /// `WaitForSingleObject(m, INFINITE)`: blocks until the mutex can be taken.
    Infinite,
    /// A wait with a finite timeout: may take the mutex, or give up with `TIMEOUT` while the
    /// mutex is held by another thread.
    Timeout,
    /// A wait with a zero timeout: takes the mutex if it can, else returns `TIMEOUT` at once.
    Try,
}

/// What a successful or timed-out wait returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WaitOutcome {
    /// `WAIT_OBJECT_0`: the caller now owns the mutex (or owns it once more).
    Ok,
    /// `WAIT_ABANDONED`: the caller now owns the mutex, whose previous owner ended without
    /// releasing it; the data it protects may be half written.
    Abandoned,
    /// `WAIT_TIMEOUT`: the mutex was not available; the caller does not own it.
    Timeout,
}

/// What `ReleaseMutex` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReleaseOutcome {
    /// The owner's count went down by one (and the mutex is free if it reached zero).
    Ok,
    /// `ERROR_NOT_OWNER`: the caller does not own the mutex; nothing changed.
    NotOwner,
}

/// Why a wait cannot complete now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// Another live thread owns the mutex: the waiter blocks (or times out).
    HeldByOther(ThreadId),
    /// The owner would exceed [`MAX_RECURSION`].
    RecursionLimit,
}

/// The state of one mutex: its owner, recursion count and abandoned flag.
///
/// Invariant: `owner.is_some() == (count > 0)`, and an owned mutex is never marked abandoned
/// (the flag is consumed by the wait that reports `WAIT_ABANDONED`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MutexState {
    /// The thread that owns the mutex, if any.
    pub owner: Option<ThreadId>,
    /// How many successful waits the owner has not yet matched with a release.
    pub count: u32,
    /// The previous owner ended while owning it and nobody has acquired it since.
    pub abandoned: bool,
}

impl MutexState {
    /// A mutex created without an initial owner: free and signaled.
    pub fn free() -> MutexState {
        MutexState::default()
    }

    /// A mutex created with `bInitialOwner = TRUE` by `thread`: owned with count 1.
    pub fn owned_by(thread: ThreadId) -> MutexState {
        MutexState { owner: Some(thread), count: 1, abandoned: false }
    }

    /// True when no thread owns the mutex (it is signaled), abandoned or not.
    pub fn is_free(&self) -> bool {
        self.owner.is_none()
    }

    /// `thread` waits on the mutex and succeeds if it can.
    ///
    /// A free mutex is taken with count 1 and the wait returns `Ok`, or `Abandoned` if the
    /// previous owner ended while owning it (which clears the flag: the mutex is normal again
    /// for every later wait). The owner's own wait is a recursive success. Otherwise the caller
    /// cannot have the mutex now and nothing changes.
    pub fn acquire(&mut self, thread: ThreadId) -> Result<WaitOutcome, Unavailable> {
        match self.owner {
            None => {
                let outcome = if self.abandoned { WaitOutcome::Abandoned } else { WaitOutcome::Ok };
                *self = MutexState::owned_by(thread);
                Ok(outcome)
            }
            Some(owner) if owner == thread => {
                if self.count >= MAX_RECURSION {
                    return Err(Unavailable::RecursionLimit);
                }
                self.count += 1;
                Ok(WaitOutcome::Ok)
            }
            Some(owner) => Err(Unavailable::HeldByOther(owner)),
        }
    }

    /// `thread` calls `ReleaseMutex`.
    ///
    /// The owner's count goes down by one and the mutex is freed at zero; a release by any
    /// other thread fails with `NotOwner` and changes nothing.
    pub fn release(&mut self, thread: ThreadId) -> ReleaseOutcome {
        match self.owner {
            Some(owner) if owner == thread => {
                self.count -= 1;
                if self.count == 0 {
                    self.owner = None;
                }
                ReleaseOutcome::Ok
            }
            _ => ReleaseOutcome::NotOwner,
        }
    }

    /// The owner thread ended, or its process died: if `thread` owns the mutex it is abandoned,
    /// dropping ownership and count. Returns the count that was dropped (0 if `thread` did not
    /// own it, in which case nothing changes).
    pub fn abandon_if_owned_by(&mut self, thread: ThreadId) -> u32 {
        match self.owner {
            Some(owner) if owner == thread => {
                let dropped = self.count;
                *self = MutexState { owner: None, count: 0, abandoned: true };
                dropped
            }
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: ThreadId = 0;
    const B: ThreadId = 1;

    #[test]
    fn a_new_mutex_is_free_and_not_abandoned() {
        let m = MutexState::free();
        assert!(m.is_free());
        assert_eq!((m.owner, m.count, m.abandoned), (None, 0, false));
    }

    #[test]
    fn wait_on_free_mutex_takes_ownership_with_count_one_and_returns_ok() {
        let mut m = MutexState::free();
        assert_eq!(m.acquire(A), Ok(WaitOutcome::Ok));
        assert_eq!(m, MutexState { owner: Some(A), count: 1, abandoned: false });
        assert!(!m.is_free());
    }

    #[test]
    fn wait_by_owner_is_recursive_and_increments_count() {
        let mut m = MutexState::owned_by(A);
        assert_eq!(m.acquire(A), Ok(WaitOutcome::Ok));
        assert_eq!(m.acquire(A), Ok(WaitOutcome::Ok));
        assert_eq!(m.count, 3);
        assert_eq!(m.owner, Some(A));
    }

    #[test]
    fn wait_on_mutex_held_by_another_thread_is_unavailable_and_changes_nothing() {
        let mut m = MutexState::owned_by(A);
        let before = m;
        assert_eq!(m.acquire(B), Err(Unavailable::HeldByOther(A)));
        assert_eq!(m, before);
    }

    #[test]
    fn recursion_beyond_the_limit_is_refused() {
        let mut m = MutexState { owner: Some(A), count: MAX_RECURSION, abandoned: false };
        assert_eq!(m.acquire(A), Err(Unavailable::RecursionLimit));
        assert_eq!(m.count, MAX_RECURSION);
    }

    #[test]
    fn release_by_owner_decrements_and_frees_at_zero() {
        let mut m = MutexState::owned_by(A);
        m.acquire(A).unwrap();
        assert_eq!(m.release(A), ReleaseOutcome::Ok);
        assert_eq!((m.owner, m.count), (Some(A), 1));
        assert_eq!(m.release(A), ReleaseOutcome::Ok);
        assert_eq!(m, MutexState::free());
    }

    #[test]
    fn release_by_non_owner_fails_with_not_owner_and_changes_nothing() {
        let mut m = MutexState::owned_by(A);
        assert_eq!(m.release(B), ReleaseOutcome::NotOwner);
        assert_eq!(m, MutexState::owned_by(A));
        let mut free = MutexState::free();
        assert_eq!(free.release(A), ReleaseOutcome::NotOwner);
        assert_eq!(free, MutexState::free());
    }

    #[test]
    fn owner_death_abandons_dropping_ownership_and_count() {
        let mut m = MutexState::owned_by(A);
        m.acquire(A).unwrap();
        assert_eq!(m.abandon_if_owned_by(A), 2);
        assert_eq!(m, MutexState { owner: None, count: 0, abandoned: true });
        assert!(m.is_free());
    }

    #[test]
    fn death_of_a_non_owner_does_not_abandon() {
        let mut m = MutexState::owned_by(A);
        assert_eq!(m.abandon_if_owned_by(B), 0);
        assert_eq!(m, MutexState::owned_by(A));
    }

    #[test]
    fn next_wait_after_abandonment_returns_abandoned_with_full_ownership() {
        let mut m = MutexState::owned_by(A);
        m.abandon_if_owned_by(A);
        assert_eq!(m.acquire(B), Ok(WaitOutcome::Abandoned));
        assert_eq!(m, MutexState { owner: Some(B), count: 1, abandoned: false });
    }

    #[test]
    fn abandonment_is_reported_once_then_the_mutex_is_normal_again() {
        let mut m = MutexState::owned_by(A);
        m.abandon_if_owned_by(A);
        assert_eq!(m.acquire(B), Ok(WaitOutcome::Abandoned));
        assert_eq!(m.release(B), ReleaseOutcome::Ok);
        assert_eq!(m.acquire(A), Ok(WaitOutcome::Ok));
    }

    #[test]
    fn ignoring_abandoned_still_owns_and_next_wait_is_recursive_so_one_release_leaves_it_held() {
        // The seed bug: the thread treats WAIT_ABANDONED as failure and carries on.
        let mut m = MutexState::owned_by(A);
        m.abandon_if_owned_by(A);
        assert_eq!(m.acquire(B), Ok(WaitOutcome::Abandoned)); // "failed", yet B owns it
        assert_eq!(m.acquire(B), Ok(WaitOutcome::Ok)); // recursive success
        assert_eq!(m.count, 2);
        assert_eq!(m.release(B), ReleaseOutcome::Ok);
        assert_eq!(m, MutexState { owner: Some(B), count: 1, abandoned: false });
        assert_eq!(m.acquire(A), Err(Unavailable::HeldByOther(B)));
    }

    #[test]
    fn a_mutex_created_initially_owned_belongs_to_its_creator() {
        let mut m = MutexState::owned_by(B);
        assert_eq!(m.acquire(A), Err(Unavailable::HeldByOther(B)));
        assert_eq!(m.release(B), ReleaseOutcome::Ok);
        assert!(m.is_free());
    }
}
