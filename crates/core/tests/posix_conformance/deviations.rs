//! The known deviations of glibc from POSIX, where the model follows POSIX, and how a
//! scenario's run is judged against them.

use mutexcheck_core::posix::MutexType;

use super::driver::StepRecord;
use super::scenario::Reply;
use super::scenarios::mutex_name;

/// A glibc behaviour that POSIX defines otherwise: in scenario `scenario`, glibc answers the
/// listed steps (index in the scenario; the probe is the last) with these return values, and
/// every other step as the model does.
pub struct KnownDeviation {
    pub scenario: String,
    pub what: &'static str,
    pub glibc_replies: Vec<(usize, i32)>,
}

const TRYLOCK_ON_NOT_RECOVERABLE: &str = "glibc's trylock on a mutex no longer recoverable returns \
     ENOTRECOVERABLE but leaves the caller holding the mutex: another process's trylock then gets \
     EBUSY and the probe's timedlock times out";

const ERRORCHECK_ROBUST_TRYLOCK: &str = "glibc's trylock by the owner of a robust errorcheck mutex \
     returns EDEADLK; POSIX, and glibc for a non-robust one, say EBUSY";

const CONSISTENT_BY_NON_OWNER_RECURSIVE: &str = "after a non-owner's consistent on a recursive \
     robust mutex, glibc refuses the owner's unlock with EPERM, so the mutex stays locked (another \
     process's trylock gets EBUSY)";

/// Every known deviation (see the module doc of `posix_conformance.rs`).
pub fn known_deviations() -> Vec<KnownDeviation> {
    let deviation = |scenario: &str, kind, what, glibc_replies: &[(usize, i32)]| KnownDeviation {
        scenario: format!("{scenario} [{}]", mutex_name(kind, true)),
        what,
        glibc_replies: glibc_replies.to_vec(),
    };
    let mut deviations = Vec::new();
    for kind in [MutexType::Normal, MutexType::ErrorCheck, MutexType::Recursive, MutexType::Default] {
        deviations.push(deviation(
            "first call after not recoverable is a trylock",
            kind,
            TRYLOCK_ON_NOT_RECOVERABLE,
            &[(5, libc::EBUSY), (6, libc::ETIMEDOUT)],
        ));
        deviations.push(deviation(
            "a trylock after locks on a not recoverable mutex",
            kind,
            TRYLOCK_ON_NOT_RECOVERABLE,
            &[(7, libc::EBUSY), (8, libc::ETIMEDOUT)],
        ));
    }
    deviations.push(deviation(
        "the owner relocks",
        MutexType::ErrorCheck,
        ERRORCHECK_ROBUST_TRYLOCK,
        &[(2, libc::EDEADLK)],
    ));
    deviations.push(deviation(
        "consistent by a non-owner",
        MutexType::Recursive,
        CONSISTENT_BY_NON_OWNER_RECURSIVE,
        &[(5, libc::EPERM), (6, libc::EBUSY)],
    ));
    deviations
}

/// How a scenario's run compares with the model.
pub enum Verdict<'a> {
    /// Every step as the model says.
    Conforms,
    /// Exactly the known deviation of this scenario.
    ShowsKnownDeviation(&'a KnownDeviation),
    /// Any other difference: the steps (index, record) that differ from the model.
    Differs(Vec<usize>),
}

/// Judges one scenario's run against the model and the known deviations.
pub fn judge<'a>(scenario: &str, records: &[StepRecord], known: &'a [KnownDeviation]) -> Verdict<'a> {
    let differing: Vec<usize> = (0..records.len()).filter(|&i| records[i].expected != records[i].found).collect();
    if differing.is_empty() {
        return Verdict::Conforms;
    }
    let found: Vec<(usize, Reply)> = differing.iter().map(|&i| (i, records[i].found)).collect();
    for deviation in known.iter().filter(|deviation| deviation.scenario == scenario) {
        let known: Vec<(usize, Reply)> =
            deviation.glibc_replies.iter().map(|&(i, code)| (i, Reply::Code(code))).collect();
        if found == known {
            return Verdict::ShowsKnownDeviation(deviation);
        }
    }
    Verdict::Differs(differing)
}
