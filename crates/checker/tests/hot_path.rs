//! The search's hot-path shortcuts give the answers of the slow paths they replace: the
//! deadlock check's first question (is any thread running?), and moves built in buffers
//! reused from dropped moves.

use std::collections::{HashSet, VecDeque};
use std::path::Path;

use mutexcheck_checker::system_model::{Move, Reductions, SystemModel};
use mutexcheck_checker::{Checkable, Checks};
use mutexcheck_core::{Action, State, System, ThreadId, ThreadStatus};

fn compile(name: &str, text: &str) -> System {
    System::new(mutexcheck_lang::compile(name, text.as_bytes()).unwrap()).unwrap()
}

fn shipped(file: &str) -> System {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models").join(file);
    compile(file, &std::fs::read_to_string(path).unwrap())
}

/// Up to `most` states reached from `initial` through `successors`, breadth first.
fn breadth_first<T>(initial: State, most: usize, successors: impl Fn(&State, &mut Vec<(T, State)>)) -> Vec<State> {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([initial]);
    let mut states = Vec::new();
    let mut out = Vec::new();
    while let Some(s) = queue.pop_front() {
        if states.len() == most || !seen.insert(s.clone()) {
            continue;
        }
        out.clear();
        successors(&s, &mut out);
        queue.extend(out.drain(..).map(|(_, next)| next));
        states.push(s);
    }
    states
}

/// Up to `most` states the model reaches, breadth first.
fn reachable(sys: &System, most: usize) -> Vec<State> {
    breadth_first(sys.initial_state(), most, |s, out| sys.successors(s, out))
}

#[test]
fn some_thread_running_is_thread_status_running_of_some_thread_in_every_reachable_state() {
    let mut deadlocks = 0;
    for file in [
        "lock_order_deadlock.mc",
        "dining_deadlock.mc",
        "repair_abandoned.mc",
        "restart_repair.mc",
        "thread_death_bug.mc",
        "posix_not_robust.mc",
        "posix_fixed.mc",
        "recursive_release_once.mc",
        "timeout_retry.mc",
    ] {
        let sys = shipped(file);
        let mut out = Vec::new();
        for s in reachable(&sys, 20_000) {
            let threads = 0..sys.thread_count() as ThreadId;
            let slow = threads.clone().any(|t| sys.thread_status(&s, t) == ThreadStatus::Running);
            assert_eq!(sys.some_thread_running(&s), slow, "{file}: {s:?}");
            // Running is having a step: no thread step where no thread runs.
            out.clear();
            sys.successors(&s, &mut out);
            let thread_steps = out.iter().filter(|(step, _)| matches!(step.action, Action::Run { .. })).count();
            assert_eq!(thread_steps > 0, slow, "{file}: {s:?}");
            if !slow && threads.clone().any(|t| sys.thread_status(&s, t) == ThreadStatus::Blocked) {
                deadlocks += 1;
                assert!(Checks::new(&sys).deadlock(&s).is_some(), "{file}: {s:?}");
            }
        }
    }
    // Both deadlocking models and the non-robust POSIX one reach deadlocks: the cases above ran.
    assert!(deadlocks >= 3, "{deadlocks} deadlocked states");
}

const LOCK_ORDER: &str = "model lock_order
crashes 0
mutex a
mutex b
process one {
    wait a
    wait b
    release b
    release a
}
process two {
    wait b
    wait a
    release a
    release b
}
";

/// The state `sys` reaches from its initial state by the thread steps `threads`, in order.
fn after(sys: &System, threads: &[ThreadId]) -> State {
    let mut s = sys.initial_state();
    let mut out = Vec::new();
    for &t in threads {
        out.clear();
        sys.successors(&s, &mut out);
        let i = out.iter().position(|(step, _)| matches!(step.action, Action::Run { thread, .. } if thread == t));
        s = out.swap_remove(i.expect("the thread has a step")).1;
    }
    s
}

#[test]
fn deadlock_is_reported_only_where_no_thread_runs_and_some_thread_waits() {
    let sys = compile("lock_order.mc", LOCK_ORDER);
    let checks = Checks::new(&sys);
    // Each holds its first mutex and waits for the other's.
    let stuck = after(&sys, &[0, 1]);
    assert!(!sys.some_thread_running(&stuck));
    let message = checks.deadlock(&stuck).map(|v| v.message);
    assert_eq!(
        message.as_deref(),
        Some(
            "deadlock: one at line 7 (`wait b`) waits forever for b (owned by two (count 1)) and \
             two at line 13 (`wait a`) waits forever for a (owned by one (count 1))"
        )
    );
    // One waits, the other can still move: no deadlock.
    let one_blocked = after(&sys, &[0, 0]);
    assert_eq!(sys.thread_status(&one_blocked, 1), ThreadStatus::Blocked);
    assert!(sys.some_thread_running(&one_blocked));
    assert!(checks.deadlock(&one_blocked).is_none());
    // Both ended: nothing runs, but nothing waits either.
    let done = after(&sys, &[0, 0, 0, 0, 1, 1, 1, 1]);
    assert!(!sys.some_thread_running(&done));
    assert!(checks.deadlock(&done).is_none());
}

/// Every state the search stores, up to `most`, breadth first through `model`'s moves.
fn stored(model: &SystemModel, most: usize) -> Vec<State> {
    breadth_first(model.initial_state(), most, |s, out| model.successors(s, out))
}

fn moves(model: &SystemModel, s: &State) -> Vec<(Move, State)> {
    let mut out = Vec::new();
    model.successors(s, &mut out);
    out
}

#[test]
fn moves_built_in_reused_buffers_equal_moves_built_on_a_fresh_thread() {
    // Chains through transient states (repair), and alternatives of an `either` in them.
    for file in ["bench/repair_n5_k3_c1.mc", "error_path_exit.mc", "config_unguarded.mc", "restart_repair.mc"] {
        let sys = shipped(file);
        let model = SystemModel::new(&sys, Reductions { partial_order: true, symmetry: false });
        let states = stored(&model, 3_000);
        // This thread has dropped thousands of moves by now: its buffers are all reused.
        let warm: Vec<Vec<(Move, State)>> = states.iter().map(|s| moves(&model, s)).collect();
        let through = warm.iter().flatten().filter(|(mv, _)| !mv.through.is_empty()).count();
        assert!(through > 0, "{file}: no move through a transient state");
        for (s, warm) in states.iter().zip(&warm) {
            let fresh = std::thread::scope(|scope| scope.spawn(|| moves(&model, s)).join().unwrap());
            assert_eq!(&fresh, warm, "{file}: {s:?}");
        }
    }
}

#[test]
fn one_pass_reduced_or_all_successors_equal_the_two_passes_in_every_reachable_state() {
    let mut transient = 0;
    for file in [
        "bench/repair_n5_k3_c1.mc",
        "atomic_update.mc",
        "error_path_exit.mc",
        "restart_repair.mc",
        "thread_death_bug.mc",
        "posix_fixed.mc",
        "config_unguarded.mc",
    ] {
        let sys = shipped(file);
        for s in reachable(&sys, 20_000) {
            let mut two = Vec::new();
            let reduced = sys.reduced_successors(&s, &mut two);
            if !reduced {
                sys.successors(&s, &mut two);
            }
            let mut one = Vec::new();
            assert_eq!(sys.reduced_or_all_successors_until(&s, &mut one, &|| false), reduced, "{file}: {s:?}");
            assert_eq!(one, two, "{file}: {s:?}");
            transient += reduced as usize;
        }
    }
    assert!(transient > 1000, "{transient} transient states: the reduced case ran");
}
