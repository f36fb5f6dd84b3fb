//! The core's POSIX mutex semantics (`mutexcheck_core::posix`) against this machine's libc.
//!
//! `posix.rs` models one process-shared POSIX mutex as a pure value, and follows Linux with
//! glibc wherever POSIX leaves a behaviour undefined. This test checks that claim on the real
//! thing: each scenario (a mutex type, robust or not, and a list of steps) runs both on the
//! model and on a real `pthread_mutex_t`, initialised `PTHREAD_PROCESS_SHARED` with the
//! scenario's type and robustness in a file that every actor maps `MAP_SHARED`. Each actor
//! (thread A, B, C of the model) is its own OS process, a re-execution of this test binary
//! (see `posix_conformance_actor`); A2 and B2 are second threads of A's and B's processes.
//! Every step's return value is compared with the model's, and after the last step a fresh
//! process's `timedlock` probes who holds the mutex.
//!
//! Owners die for real: by `_exit` or SIGKILL of their process, or by the end of their thread,
//! returning or calling `pthread_exit` (the kernel's robust list releases what they held). The test never blocks for real: a
//! `lock` the model says blocks is made as a 50 ms `timedlock`, which must time out.
//!
//! Measured on Linux 6.18 with glibc 2.36 (the test prints the kernel and glibc it ran on):
//! - a recursive robust mutex whose owner dies at count 2 is handed over with `EOWNERDEAD`
//!   and count 1 (after `consistent`, one unlock frees it);
//! - after an unlock without `consistent`, every later lock and timedlock, from any process,
//!   returns `ENOTRECOVERABLE`;
//! - the seed bug's recursive pattern (`EOWNERDEAD` taken as failure, relock, one unlock): the
//!   unlock returns `ENOTRECOVERABLE` and the mutex stays owned (another process's trylock gets
//!   `EBUSY`);
//! - a non-robust normal (or default) mutex is unlocked by any thread, held or free, with 0;
//! - the owner's trylock of a non-robust errorcheck mutex is `EBUSY`;
//! - `pthread_mutex_consistent` by a thread that does not own the mutex returns 0 and repairs
//!   it;
//! - a thread that returns or calls `pthread_exit` holding a robust mutex, while its process
//!   and sibling thread live on (a `may_die` thread's death in a model), hands it over with
//!   `EOWNERDEAD` to the next locker, its sibling or another process;
//! - a non-robust mutex whose owner's process or thread dies stays locked for ever: others'
//!   timedlock times out, trylock is `EBUSY`;
//! - the next owner dying before `consistent` hands the mutex over with `EOWNERDEAD` again.
//!
//! Known deviations, where POSIX defines the behaviour, the model follows POSIX and glibc does
//! not ([`deviations::known_deviations`]; a scenario passes when glibc shows exactly its known
//! deviation, or conforms, and the test says which it saw):
//! - when the first call after the mutex became not recoverable is a trylock, glibc returns
//!   `ENOTRECOVERABLE` but leaves the mutex locked by the caller, and so does a trylock after
//!   lock and timedlock calls (every glibc trylock that takes a not recoverable mutex keeps it):
//!   another process's trylock then gets `EBUSY`, a timedlock times out (the caller's own
//!   unlock crashes in glibc, in its robust list, unless the mutex is recursive: no scenario
//!   makes it);
//! - the owner's trylock of a robust errorcheck mutex returns `EDEADLK`, not `EBUSY`;
//! - after a non-owner's `consistent` on a recursive robust mutex, the owner's unlock returns
//!   `EPERM` and the mutex stays locked.
//!
//! Not compared: the recursion limit (the model's is the checker's bound, glibc's 2^32 - 1).
//!
//! The table of every scenario, model beside OS, shows with
//! `cargo test -p mutexcheck-core --test posix_conformance -- --nocapture`.
#![cfg(target_os = "linux")]

#[path = "posix_conformance/actor.rs"]
mod actor;
#[path = "posix_conformance/deviations.rs"]
mod deviations;
#[path = "posix_conformance/driver.rs"]
mod driver;
#[path = "posix_conformance/scenario.rs"]
mod scenario;
#[path = "posix_conformance/scenarios.rs"]
mod scenarios;
#[path = "posix_conformance/shared_mutex.rs"]
mod shared_mutex;

use std::ffi::CStr;
use std::time::Instant;

use deviations::{judge, Verdict};
use driver::{StepRecord, ACTOR_ENV};

/// Not a test: the body of an actor process (see `posix_conformance/actor.rs`). Returns at
/// once unless the driver started this binary as an actor.
#[test]
fn posix_conformance_actor() {
    if let Some(shared_file) = std::env::var_os(ACTOR_ENV) {
        actor::serve(std::path::Path::new(&shared_file));
    }
}

#[test]
fn posix_semantics_match_the_real_libc() {
    let started = Instant::now();
    println!("POSIX conformance on Linux {}, glibc {}", kernel_release(), glibc_version());
    let mut failures = Vec::new();
    let mut steps = 0;
    let scenarios = scenarios::all();
    let known = deviations::known_deviations();
    for scenario in &scenarios {
        let records = driver::run(scenario);
        steps += records.len();
        let verdict = judge(&scenario.name, &records, &known);
        print_row(&scenario.name, &records, &verdict);
        match verdict {
            Verdict::Conforms => {}
            Verdict::ShowsKnownDeviation(deviation) => {
                eprintln!("known glibc deviation seen in {:?}: {}", scenario.name, deviation.what)
            }
            Verdict::Differs(differing) => {
                failures.extend(differing.iter().map(|&i| describe(&scenario.name, i, &records[i])))
            }
        }
    }
    for deviation in &known {
        let seen = scenarios.iter().any(|scenario| scenario.name == deviation.scenario);
        assert!(seen, "a known deviation names no scenario: {:?}", deviation.scenario);
    }
    println!("{} scenarios, {steps} steps, in {:.1?}", scenarios.len(), started.elapsed());
    assert!(failures.is_empty(), "glibc differs from the model:\n{}", failures.join("\n"));
}

/// The failure message for one step: scenario, step, actor, operation, model and OS.
fn describe(scenario: &str, index: usize, record: &StepRecord) -> String {
    format!(
        "  {scenario:?}, step {index}: {:?} {}{}: model says {}, the OS did {}",
        record.step.actor,
        record.step.op.name(),
        if record.note.is_empty() { String::new() } else { format!(" ({})", record.note) },
        record.expected,
        record.found
    )
}

/// One line of the table (shown with `--nocapture`): the steps, `model≠os` where they differ.
fn print_row(scenario: &str, records: &[StepRecord], verdict: &Verdict) {
    let verdict = match verdict {
        Verdict::Conforms => "conforms",
        Verdict::ShowsKnownDeviation(_) => "KNOWN DEVIATION",
        Verdict::Differs(_) => "DIFFERS",
    };
    let steps: Vec<String> = records
        .iter()
        .map(|record| {
            let result = if record.expected == record.found {
                record.found.to_string()
            } else {
                format!("{}≠os {}", record.expected, record.found)
            };
            format!("{:?} {} {result}", record.step.actor, record.step.op.name())
        })
        .collect();
    println!("{verdict:<15} {scenario}: {}", steps.join(", "));
}

fn kernel_release() -> String {
    let mut name = std::mem::MaybeUninit::<libc::utsname>::zeroed();
    // SAFETY: uname fills the utsname it is given; zeroed, its strings end in NUL anyway.
    let name = unsafe {
        libc::uname(name.as_mut_ptr());
        name.assume_init()
    };
    // SAFETY: `release` is a NUL-terminated string inside `name`.
    unsafe { CStr::from_ptr(name.release.as_ptr()) }.to_string_lossy().into_owned()
}

#[cfg(target_env = "gnu")]
fn glibc_version() -> String {
    // SAFETY: gnu_get_libc_version returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(libc::gnu_get_libc_version()) }.to_string_lossy().into_owned()
}

#[cfg(not(target_env = "gnu"))]
fn glibc_version() -> String {
    "none (not a glibc target)".to_string()
}
