//! The scenarios: at least one per rule of `posix.rs`, and every fact issue #11 measured.

use mutexcheck_core::posix::MutexType;

use super::scenario::Actor::{A, A2, B, B2, C};
use super::scenario::Op::{
    Consistent, EndThread, ExitProcess, ExitThread, KillProcess, Lock, TimedLock, TryLock, Unlock,
};
use super::scenario::{Actor, Op, Scenario};

const TYPES: [MutexType; 4] = [MutexType::Normal, MutexType::ErrorCheck, MutexType::Recursive, MutexType::Default];

/// A short name for a mutex: its type, and `robust` if it is.
pub fn mutex_name(kind: MutexType, robust: bool) -> String {
    let kind = match kind {
        MutexType::Normal => "normal",
        MutexType::ErrorCheck => "errorcheck",
        MutexType::Recursive => "recursive",
        MutexType::Default => "default",
    };
    if robust {
        format!("{kind} robust")
    } else {
        kind.to_string()
    }
}

/// Every scenario, in the order they run.
pub fn all() -> Vec<Scenario> {
    let mut scenarios = Vec::new();
    for kind in TYPES {
        for robust in [false, true] {
            scenarios.extend(every_type(kind, robust));
        }
    }
    for kind in TYPES {
        scenarios.extend(robust_owner_death(kind));
        scenarios.extend(not_recoverable(kind));
        scenarios.push(non_robust_owner_death(kind));
        scenarios.extend(thread_death(kind));
    }
    scenarios.extend(recursive_robust());
    scenarios.extend(consistent());
    scenarios
}

fn named(what: &str, kind: MutexType, robust: bool, steps: &[(Actor, Op)]) -> Scenario {
    Scenario::new(format!("{what} [{}]", mutex_name(kind, robust)), kind, robust, steps)
}

/// The rules that hold for every type, robust or not: a free mutex, a held one, the owner's
/// relock, an unlock by a non-owner.
fn every_type(kind: MutexType, robust: bool) -> Vec<Scenario> {
    vec![
        named(
            "every call takes a free mutex",
            kind,
            robust,
            &[(A, Lock), (A, Unlock), (B, TryLock), (B, Unlock), (C, TimedLock), (C, Unlock)],
        ),
        named(
            "held by another: trylock busy, lock and timedlock wait",
            kind,
            robust,
            &[(A, Lock), (B, TryLock), (B, TimedLock), (B, Lock), (A2, TryLock), (A, Unlock), (B, TryLock)],
        ),
        named(
            "the owner relocks",
            kind,
            robust,
            &[(A, Lock), (A, Lock), (A, TryLock), (A, TimedLock), (B, TryLock), (A, Unlock), (B, TryLock)],
        ),
        named(
            "relocks, then more unlocks than locks",
            kind,
            robust,
            &[
                (A, TryLock),
                (A, TimedLock),
                (A, Lock),
                (A, Unlock),
                (A, Unlock),
                (B, TryLock),
                (A, Unlock),
                (A, Unlock),
            ],
        ),
        named(
            "unlock by a non-owner",
            kind,
            robust,
            &[(B, Unlock), (A, Lock), (B, Unlock), (A2, Unlock), (C, TryLock), (A, Unlock)],
        ),
    ]
}

/// A robust mutex's owner dies: by `_exit`, by SIGKILL, by its thread's end; the next locker
/// gets EOWNERDEAD with each call; the next owner dying before `consistent` reports it again.
fn robust_owner_death(kind: MutexType) -> Vec<Scenario> {
    vec![
        named(
            "owner's process exits holding it",
            kind,
            true,
            &[(A, Lock), (A, ExitProcess), (B, Unlock), (B, Lock), (C, TryLock), (B, Consistent), (B, Unlock)],
        ),
        named(
            "owner's process is killed holding it",
            kind,
            true,
            &[(A, TimedLock), (A, KillProcess), (B, TryLock), (B, Consistent), (B, Unlock), (C, TryLock)],
        ),
        named(
            "owner's thread ends holding it",
            kind,
            true,
            &[(A2, TryLock), (A2, EndThread), (A, TimedLock), (A, Consistent), (A, Unlock), (B, Lock)],
        ),
        named(
            "the next owner dies before consistent",
            kind,
            true,
            &[(A, Lock), (A, ExitProcess), (B, Lock), (B, KillProcess), (C, TimedLock), (C, Consistent), (C, Unlock)],
        ),
        named(
            "the owner dies, nobody has locked it yet",
            kind,
            true,
            &[(A, Lock), (A, ExitProcess), (B, Consistent), (B, Unlock), (C, Lock), (C, Consistent)],
        ),
    ]
}

/// Unlocked without `consistent`, a robust mutex is lost: every later lock and timedlock, by
/// every process, fails with ENOTRECOVERABLE (trylock: see the known deviations).
fn not_recoverable(kind: MutexType) -> Vec<Scenario> {
    vec![
        named(
            "unlock without consistent: not recoverable",
            kind,
            true,
            &[
                (A, Lock),
                (A, ExitProcess),
                (B, Lock),
                (B, Unlock),
                (B, Lock),
                (B, TimedLock),
                (C, Lock),
                (C, TimedLock),
                (B2, Lock),
                (B, Unlock),
                (C, Consistent),
            ],
        ),
        named(
            "a trylock after locks on a not recoverable mutex",
            kind,
            true,
            &[
                (A, Lock),
                (A, ExitProcess),
                (B, Lock),
                (B, Unlock),
                (C, Lock),
                (B, TimedLock),
                (C, TryLock),
                (B, TryLock),
            ],
        ),
        named(
            "first call after not recoverable is a trylock",
            kind,
            true,
            // Not C's unlock: glibc crashes in it (it takes the mutex off C's robust list, where
            // the mutex never was).
            &[(A, Lock), (A, ExitProcess), (B, Lock), (B, Unlock), (C, TryLock), (B, TryLock)],
        ),
    ]
}

/// A non-robust mutex's owner dies: the mutex stays locked by the dead owner, for ever.
fn non_robust_owner_death(kind: MutexType) -> Scenario {
    named(
        "owner dies, not robust: held for ever",
        kind,
        false,
        &[
            (A, Lock),
            (A, ExitProcess),
            (B, TimedLock),
            (C, TryLock),
            (B, Lock),
            (B2, Lock),
            (B2, EndThread),
            (C, TryLock),
        ],
    )
}

/// A thread dies alone (`thread NAME may_die` in a model) holding the mutex, by
/// `pthread_exit` or by returning, while its process and its sibling thread live on: a
/// robust mutex goes to the next locker, the sibling or another process, with `EOWNERDEAD`;
/// one that is not robust stays locked by the dead thread, for its sibling too.
fn thread_death(kind: MutexType) -> Vec<Scenario> {
    vec![
        named(
            "a thread calls pthread_exit holding it: its sibling gets EOWNERDEAD",
            kind,
            true,
            &[(A2, Lock), (A2, ExitThread), (A, Lock), (A, Consistent), (A, Unlock), (B, TryLock), (B, Unlock)],
        ),
        named(
            "a thread calls pthread_exit holding it: another process gets EOWNERDEAD",
            kind,
            true,
            &[(A2, Lock), (A2, ExitThread), (B, Lock), (B, Consistent), (B, Unlock), (A, TryLock), (A, Unlock)],
        ),
        named(
            "a thread returns holding it: another process gets EOWNERDEAD",
            kind,
            true,
            &[(A2, Lock), (A2, EndThread), (B, TimedLock), (B, Consistent), (B, Unlock), (A, Lock), (A, Unlock)],
        ),
        named(
            "a thread calls pthread_exit holding it, not robust: held for ever",
            kind,
            false,
            &[(A2, Lock), (A2, ExitThread), (A, TimedLock), (B, TryLock), (A, Lock)],
        ),
    ]
}

/// The recursive robust facts: death at count 2 is handed over at count 1; the seed bug's
/// pattern (EOWNERDEAD taken as failure, relock, one unlock) leaves it owned and lost.
fn recursive_robust() -> Vec<Scenario> {
    let kind = MutexType::Recursive;
    vec![
        named(
            "owner's process dies at count 2: handed over at count 1",
            kind,
            true,
            &[(A, Lock), (A, Lock), (A, ExitProcess), (B, Lock), (B, Consistent), (B, Unlock), (C, TryLock)],
        ),
        named(
            "owner's thread ends at count 2: handed over at count 1",
            kind,
            true,
            &[(A2, Lock), (A2, TryLock), (A2, EndThread), (B, TryLock), (B, Consistent), (B, Unlock), (C, TryLock)],
        ),
        named(
            "the seed bug's pattern: relock, one unlock",
            kind,
            true,
            &[
                (A, Lock),
                (A, KillProcess),
                (B, Lock),
                (B, Lock),
                (B, Unlock),
                (C, TryLock),
                (C, TimedLock),
                (B, Unlock),
                (C, Lock),
            ],
        ),
        named(
            "EOWNERDEAD, relock, consistent, two unlocks",
            kind,
            true,
            &[
                (A, Lock),
                (A, ExitProcess),
                (B, Lock),
                (B, Lock),
                (B, Consistent),
                (B, Unlock),
                (C, TryLock),
                (B, Unlock),
                (C, TryLock),
            ],
        ),
    ]
}

/// `pthread_mutex_consistent` where it does not apply.
fn consistent() -> Vec<Scenario> {
    let mut scenarios = Vec::new();
    for kind in TYPES {
        scenarios.push(named(
            "consistent by a non-owner",
            kind,
            true,
            &[(A, Lock), (A, ExitProcess), (B, Lock), (C, Consistent), (B, Consistent), (B, Unlock), (C, TryLock)],
        ));
        scenarios.push(named(
            "consistent on a non-robust mutex",
            kind,
            false,
            &[(A, Consistent), (A, Lock), (A, Consistent), (A, Unlock)],
        ));
        scenarios.push(named(
            "consistent when already consistent",
            kind,
            true,
            &[(A, Consistent), (A, Lock), (A, Consistent), (A, Unlock)],
        ));
    }
    scenarios
}
