//! The transition system under `semantics posix`, pinned on small models built as IR: what
//! each call returns and stores, owner death by crash and by thread end, blocking, and the
//! facts the issue measured on Linux with glibc, step by step.

mod ir_builder;
use ir_builder::*;

use mutexcheck_core::ir::{posix_result, Instr, Op, PosixAttributes};
use mutexcheck_core::posix::{Consistency, ConsistentOutcome, LockOutcome, MutexType, PosixMutexState, UnlockOutcome};
use mutexcheck_core::{Action, Outcome, State, System, ThreadStatus, WaitMode};

fn attrs(kind: MutexType, robust: bool) -> PosixAttributes {
    PosixAttributes { kind, robust }
}

/// `lock m`, `timedlock m` or `trylock m`: the IR's wait, read under POSIX semantics.
fn lock(mode: WaitMode, into: Option<usize>) -> Instr {
    wait(mode, into)
}

fn skip() -> Instr {
    instr(Op::Skip)
}

/// Process `p`'s crash from `s`.
fn crash(sys: &System, s: &State, p: usize) -> (mutexcheck_core::Step, State) {
    successors(sys, s).into_iter().find(|(st, _)| st.action == Action::Crash { process: p }).expect("a crash step")
}

fn lock_outcome(outcome: LockOutcome, count: u32) -> Outcome {
    Outcome::Lock { outcome, count }
}

/// The value of thread `t`'s first local in `s` (its result variable in these models).
fn first_local(sys: &System, s: &State, t: u16) -> i32 {
    let items = sys.items(s);
    let name = format!("{}.r", sys.thread_name(t));
    let item = items.iter().find(|i| i.name == name).expect("the result variable");
    posix_result::NAMES.iter().position(|n| *n == item.value).expect("a POSIX result") as i32
}

#[test]
fn a_recursive_robust_mutex_whose_owner_dies_at_count_two_is_handed_over_with_ownerdead_at_count_one() {
    let owner =
        process("owner", 1, vec![], vec![lock(WaitMode::Infinite, None), lock(WaitMode::Infinite, None), skip()]);
    let taker = process("taker", 1, vec![posix_result_var("r")], vec![lock(WaitMode::Infinite, Some(0)), skip()]);
    let sys = System::new(posix_model(attrs(MutexType::Recursive, true), 1, vec![owner, taker])).unwrap();
    let (_, s) = step_of(&sys, &sys.initial_state(), 0);
    let (second, s) = step_of(&sys, &s, 0);
    assert_eq!(second.outcome, lock_outcome(LockOutcome::Ok, 2));
    assert_eq!(sys.thread_status(&s, 1), ThreadStatus::Blocked);
    let (died, s) = crash(&sys, &s, 0);
    assert_eq!((died.abandoned[0].count, died.abandoned[0].by_crash), (2, true));
    assert_eq!(sys.posix_mutex(&s, 0), PosixMutexState { owner: None, count: 0, consistency: Consistency::OwnerDied });
    assert_eq!(sys.mutex_state_text(&s, 0), "free (owner died)");
    let (took, s) = step_of(&sys, &s, 1);
    assert_eq!(took.outcome, lock_outcome(LockOutcome::OwnerDead, 1));
    assert_eq!(first_local(&sys, &s, 1), posix_result::OWNERDEAD);
    assert_eq!(sys.mutex_state_text(&s, 0), "owned by taker (count 1, inconsistent)");
}

#[test]
fn a_robust_owner_that_ends_its_thread_holding_the_mutex_hands_it_over_too() {
    let owner = process("owner", 1, vec![], vec![lock(WaitMode::Infinite, None)]);
    let taker = process("taker", 1, vec![posix_result_var("r")], vec![lock(WaitMode::Try, Some(0))]);
    let sys = System::new(posix_model(attrs(MutexType::Normal, true), 0, vec![owner, taker])).unwrap();
    let (ended, s) = step_of(&sys, &sys.initial_state(), 0);
    assert_eq!(sys.thread_status(&s, 0), ThreadStatus::Finished);
    assert_eq!((ended.abandoned[0].count, ended.abandoned[0].by_crash), (1, false));
    let (took, _) = step_of(&sys, &s, 1);
    assert_eq!(took.outcome, lock_outcome(LockOutcome::OwnerDead, 1));
}

#[test]
fn an_unlock_without_consistent_makes_every_later_call_of_every_process_notrecoverable() {
    let owner = process("owner", 1, vec![], vec![lock(WaitMode::Infinite, None), skip()]);
    let taker = process(
        "taker",
        1,
        vec![posix_result_var("r")],
        vec![
            lock(WaitMode::Infinite, Some(0)),
            release(),
            lock(WaitMode::Infinite, Some(0)),
            lock(WaitMode::Try, Some(0)),
            lock(WaitMode::Timeout, Some(0)),
        ],
    );
    let other = process("other", 1, vec![posix_result_var("r")], vec![lock(WaitMode::Try, Some(0))]);
    let sys = System::new(posix_model(attrs(MutexType::ErrorCheck, true), 1, vec![owner, taker, other])).unwrap();
    let (_, s) = step_of(&sys, &sys.initial_state(), 0);
    let (_, s) = crash(&sys, &s, 0);
    let (_, s) = step_of(&sys, &s, 1);
    let (unlocked, mut s) = step_of(&sys, &s, 1);
    assert_eq!(unlocked.outcome, Outcome::Unlock { outcome: UnlockOutcome::Ok, checked: false });
    assert_eq!(sys.mutex_state_text(&s, 0), "not recoverable");
    for _ in 0..3 {
        let (call, next) = step_of(&sys, &s, 1);
        assert_eq!(call.outcome, lock_outcome(LockOutcome::NotRecoverable, 0));
        assert_eq!(first_local(&sys, &next, 1), posix_result::NOTRECOVERABLE);
        s = next;
    }
    let (call, s) = step_of(&sys, &s, 2);
    assert_eq!(call.outcome, lock_outcome(LockOutcome::NotRecoverable, 0));
    assert!(sys.posix_mutex(&s, 0).is_free(), "a trylock that fails leaves the mutex unowned (not glibc's defect)");
}

#[test]
fn the_seed_bug_pattern_single_unlock_returns_notrecoverable_and_leaves_the_mutex_owned() {
    // OWNERDEAD taken as failure, a relock, one unlock.
    let owner = process("owner", 1, vec![], vec![lock(WaitMode::Infinite, None), skip()]);
    let taker = process(
        "taker",
        1,
        vec![posix_result_var("r")],
        vec![lock(WaitMode::Timeout, Some(0)), lock(WaitMode::Timeout, Some(0)), release_into(0), skip()],
    );
    let sys = System::new(posix_model(attrs(MutexType::Recursive, true), 1, vec![owner, taker])).unwrap();
    let (_, s) = step_of(&sys, &sys.initial_state(), 0);
    let (_, s) = crash(&sys, &s, 0);
    let (first, s) = step_of(&sys, &s, 1);
    assert_eq!(first.outcome, lock_outcome(LockOutcome::OwnerDead, 1));
    let (relock, s) = step_of(&sys, &s, 1);
    assert_eq!(relock.outcome, lock_outcome(LockOutcome::Ok, 2));
    let (unlock, s) = step_of(&sys, &s, 1);
    assert_eq!(unlock.outcome, Outcome::Unlock { outcome: UnlockOutcome::NotRecoverable, checked: true });
    assert_eq!(first_local(&sys, &s, 1), posix_result::NOTRECOVERABLE);
    assert_eq!(
        sys.posix_mutex(&s, 0),
        PosixMutexState { owner: Some(1), count: 1, consistency: Consistency::Inconsistent }
    );
}

#[test]
fn consistent_repairs_the_mutex_and_a_second_call_is_einval() {
    let owner = process("owner", 1, vec![], vec![lock(WaitMode::Infinite, None), skip()]);
    let taker = process(
        "taker",
        1,
        vec![posix_result_var("r")],
        vec![
            lock(WaitMode::Infinite, Some(0)),
            consistent(),
            instr(Op::Consistent { mutex: 0, result: Some(local(0)) }),
            release(),
        ],
    );
    let sys = System::new(posix_model(attrs(MutexType::Normal, true), 1, vec![owner, taker])).unwrap();
    let (_, s) = step_of(&sys, &sys.initial_state(), 0);
    let (_, s) = crash(&sys, &s, 0);
    let (_, s) = step_of(&sys, &s, 1);
    let (repaired, s) = step_of(&sys, &s, 1);
    assert_eq!(repaired.outcome, Outcome::Consistent { outcome: ConsistentOutcome::Ok, checked: false });
    assert_eq!(sys.mutex_state_text(&s, 0), "owned by taker (count 1)");
    let (again, s) = step_of(&sys, &s, 1);
    assert_eq!(again.outcome, Outcome::Consistent { outcome: ConsistentOutcome::Inval, checked: true });
    assert_eq!(first_local(&sys, &s, 1), posix_result::INVAL);
    let (_, s) = step_of(&sys, &s, 1);
    assert!(sys.posix_mutex(&s, 0).is_free_and_consistent());
}

#[test]
fn a_non_robust_mutex_keeps_its_dead_owner_and_its_waiters_block_forever() {
    let owner = process("owner", 1, vec![], vec![lock(WaitMode::Infinite, None), skip()]);
    let taker = process("taker", 1, vec![posix_result_var("r")], vec![lock(WaitMode::Infinite, Some(0))]);
    let sys = System::new(posix_model(attrs(MutexType::Default, false), 1, vec![owner, taker])).unwrap();
    let (_, s) = step_of(&sys, &sys.initial_state(), 0);
    let (died, s) = crash(&sys, &s, 0);
    assert_eq!(died.abandoned.len(), 1, "recorded, though nothing is handed over");
    assert_eq!(sys.posix_mutex(&s, 0).owner, Some(0));
    assert_eq!(sys.mutex_state_text(&s, 0), "owned by owner (count 1, dead owner)");
    assert_eq!(sys.thread_status(&s, 1), ThreadStatus::Blocked);
    assert!(successors(&sys, &s).is_empty());
}

#[test]
fn the_owners_relock_blocks_a_normal_mutex_and_fails_an_errorcheck_one_with_deadlk() {
    let code = vec![lock(WaitMode::Infinite, None), lock(WaitMode::Infinite, Some(0))];
    let normal = System::new(posix_model(
        attrs(MutexType::Normal, false),
        0,
        vec![process("w", 1, vec![posix_result_var("r")], code.clone())],
    ))
    .unwrap();
    let (_, s) = step_of(&normal, &normal.initial_state(), 0);
    assert_eq!(normal.thread_status(&s, 0), ThreadStatus::Blocked);
    assert!(!has_step_of(&normal, &s, 0));

    let errorcheck = System::new(posix_model(
        attrs(MutexType::ErrorCheck, false),
        0,
        vec![process("w", 1, vec![posix_result_var("r")], code)],
    ))
    .unwrap();
    let (_, s) = step_of(&errorcheck, &errorcheck.initial_state(), 0);
    let (relock, s) = step_of(&errorcheck, &s, 0);
    assert_eq!(relock.outcome, lock_outcome(LockOutcome::Deadlock, 1));
    assert_eq!(first_local(&errorcheck, &s, 0), posix_result::DEADLK);
}

#[test]
fn timedlock_on_a_held_mutex_times_out_and_trylock_is_busy() {
    let owner = process("owner", 1, vec![], vec![lock(WaitMode::Infinite, None), skip()]);
    let timed = process("timed", 1, vec![posix_result_var("r")], vec![lock(WaitMode::Timeout, Some(0))]);
    let tries = process("tries", 1, vec![posix_result_var("r")], vec![lock(WaitMode::Try, Some(0))]);
    let sys = System::new(posix_model(attrs(MutexType::Recursive, true), 0, vec![owner, timed, tries])).unwrap();
    let (_, s) = step_of(&sys, &sys.initial_state(), 0);
    let (t, after) = step_of(&sys, &s, 1);
    assert_eq!(t.outcome, lock_outcome(LockOutcome::TimedOut, 0));
    assert_eq!(first_local(&sys, &after, 1), posix_result::TIMEDOUT);
    let (b, after) = step_of(&sys, &s, 2);
    assert_eq!(b.outcome, lock_outcome(LockOutcome::Busy, 0));
    assert_eq!(first_local(&sys, &after, 2), posix_result::BUSY);
}

#[test]
fn unlock_by_a_non_owner_is_perm_for_a_robust_mutex_and_silent_for_a_plain_normal_one() {
    let owner = process("owner", 1, vec![], vec![lock(WaitMode::Infinite, None), skip()]);
    let other = process("other", 1, vec![posix_result_var("r")], vec![release_into(0)]);
    for (robust, outcome, freed) in [(true, UnlockOutcome::Perm, false), (false, UnlockOutcome::Ok, true)] {
        let sys =
            System::new(posix_model(attrs(MutexType::Normal, robust), 0, vec![owner.clone(), other.clone()])).unwrap();
        let (_, s) = step_of(&sys, &sys.initial_state(), 0);
        let (unlock, s) = step_of(&sys, &s, 1);
        assert_eq!(unlock.outcome, Outcome::Unlock { outcome, checked: true }, "robust: {robust}");
        assert_eq!(sys.posix_mutex(&s, 0).is_free(), freed, "robust: {robust}");
    }
}
