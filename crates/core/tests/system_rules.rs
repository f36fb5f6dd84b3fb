//! The transition system's rules, pinned on small models built directly as IR.

use mutexcheck_core::ir::{result, BinOp, Expr, Model, Op, Scope, Span, ThreadDecl, ThreadRef, Ty, VarRef};
use mutexcheck_core::{
    Action, Fault, MutexState, Outcome, ReleaseOutcome, State, Step, System, ThreadStatus, WaitMode, WaitOutcome,
};

mod ir_builder;
use ir_builder::*;

#[test]
fn seed_story_ignored_abandoned_still_owns_and_one_release_leaves_it_owned() {
    // worker[0]: wait m; (crashes here). worker[1]: r = wait m; wait m; release m; end.
    let owner = process("owner", 1, vec![], vec![wait(WaitMode::Infinite, None), instr(Op::Skip)]);
    let victim = process(
        "worker",
        1,
        vec![result_var("r")],
        vec![wait(WaitMode::Infinite, Some(0)), wait(WaitMode::Infinite, None), release()],
    );
    let sys = System::new(model(1, vec![owner, victim])).unwrap();
    let s0 = sys.initial_state();
    let (_, s1) = step_of(&sys, &s0, 0);
    assert_eq!(sys.mutex(&s1, 0), MutexState::owned_by(0));
    let (crash, s2) =
        successors(&sys, &s1).into_iter().find(|(st, _)| st.action == Action::Crash { process: 0 }).unwrap();
    assert_eq!(crash.abandoned.len(), 1);
    assert!(crash.abandoned[0].by_crash);
    assert_eq!(sys.mutex(&s2, 0), MutexState { owner: None, count: 0, abandoned: true });
    assert_eq!(sys.thread_status(&s2, 0), ThreadStatus::Dead);

    let (w1, s3) = step_of(&sys, &s2, 1);
    assert_eq!(w1.outcome, Outcome::Wait { outcome: WaitOutcome::Abandoned, count: 1 });
    let (w2, s4) = step_of(&sys, &s3, 1);
    assert_eq!(w2.outcome, Outcome::Wait { outcome: WaitOutcome::Ok, count: 2 });
    let (rel, s5) = step_of(&sys, &s4, 1);
    assert_eq!(rel.outcome, Outcome::Release { outcome: ReleaseOutcome::Ok, checked: false });
    // The release was the thread's last instruction: it ends still owning m, which leaks.
    assert_eq!(rel.abandoned.len(), 1);
    assert_eq!((rel.abandoned[0].count, rel.abandoned[0].by_crash), (1, false));
    assert_eq!(sys.thread_status(&s5, 1), ThreadStatus::Finished);
    assert!(sys.mutex(&s5, 0).abandoned);
    assert!(sys.is_final(&s5));
}

#[test]
fn infinite_wait_on_a_held_mutex_blocks() {
    let p = process("w", 2, vec![], vec![wait(WaitMode::Infinite, None), release()]);
    let sys = System::new(model(0, vec![p])).unwrap();
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    assert_eq!(sys.thread_status(&s1, 1), ThreadStatus::Blocked);
    assert!(!has_step_of(&sys, &s1, 1));
}

#[test]
fn timed_wait_on_a_held_mutex_may_time_out() {
    let p = process("w", 2, vec![result_var("r")], vec![wait(WaitMode::Timeout, Some(0)), instr(Op::Skip)]);
    let sys = System::new(model(0, vec![p])).unwrap();
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    assert_eq!(sys.thread_status(&s1, 1), ThreadStatus::Running);
    let (st, s2) = step_of(&sys, &s1, 1);
    assert_eq!(st.outcome, Outcome::Wait { outcome: WaitOutcome::Timeout, count: 0 });
    assert_eq!(sys.mutex(&s2, 0), MutexState::owned_by(0), "a timeout takes nothing");
    let r = sys.items(&s2).into_iter().find(|i| i.name == "w[1].r").unwrap();
    assert_eq!(r.value, "TIMEOUT");
}

#[test]
fn a_timed_waiter_that_keeps_waiting_takes_the_mutex_once_it_is_released() {
    let p = process("w", 2, vec![result_var("r")], vec![wait(WaitMode::Timeout, Some(0)), release()]);
    let sys = System::new(model(0, vec![p])).unwrap();
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    let mut waiting = Vec::new();
    sys.thread_successors(&s1, 1, &mut waiting);
    assert_eq!(waiting.len(), 1, "while held: only TIMEOUT is a step; waiting on is not moving");
    assert_eq!(waiting[0].0.outcome, Outcome::Wait { outcome: WaitOutcome::Timeout, count: 0 });
    let (_, s2) = step_of(&sys, &s1, 0); // the holder releases and ends
    let mut now = Vec::new();
    sys.thread_successors(&s2, 1, &mut now);
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].0.outcome, Outcome::Wait { outcome: WaitOutcome::Ok, count: 1 });
}

#[test]
fn try_on_a_held_mutex_returns_timeout_at_once() {
    let p = process("w", 2, vec![result_var("r")], vec![wait(WaitMode::Try, Some(0)), instr(Op::Skip)]);
    let sys = System::new(model(0, vec![p])).unwrap();
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    let (st, _) = step_of(&sys, &s1, 1);
    assert_eq!(st.outcome, Outcome::Wait { outcome: WaitOutcome::Timeout, count: 0 });
}

#[test]
fn any_waiter_may_get_a_released_mutex() {
    // Holder h releases; two waiters are both enabled afterwards, in either order.
    let holder = process("h", 1, vec![], vec![wait(WaitMode::Infinite, None), release()]);
    let waiters = process("w", 2, vec![], vec![wait(WaitMode::Infinite, None), instr(Op::Skip)]);
    let sys = System::new(model(0, vec![holder, waiters])).unwrap();
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    assert!(!has_step_of(&sys, &s1, 1) && !has_step_of(&sys, &s1, 2));
    let (_, s2) = step_of(&sys, &s1, 0);
    let (_, a) = step_of(&sys, &s2, 1);
    let (_, b) = step_of(&sys, &s2, 2);
    assert_eq!(sys.mutex(&a, 0).owner, Some(1));
    assert_eq!(sys.mutex(&b, 0).owner, Some(2));
}

#[test]
fn release_by_non_owner_reports_not_owner_and_changes_nothing() {
    let holder = process("h", 1, vec![], vec![wait(WaitMode::Infinite, None), instr(Op::Skip)]);
    let other = process(
        "o",
        1,
        vec![result_var("r")],
        vec![release(), instr(Op::Release { mutex: 0, result: Some(local(0)) })],
    );
    let sys = System::new(model(0, vec![holder, other])).unwrap();
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    let (st, s2) = step_of(&sys, &s1, 1);
    assert_eq!(st.outcome, Outcome::Release { outcome: ReleaseOutcome::NotOwner, checked: false });
    assert_eq!(sys.mutex(&s2, 0), MutexState::owned_by(0));
    let (st, s3) = step_of(&sys, &s2, 1);
    assert_eq!(st.outcome, Outcome::Release { outcome: ReleaseOutcome::NotOwner, checked: true });
    let r = sys.items(&s3).into_iter().find(|i| i.name == "o.r").unwrap();
    assert_eq!(r.value, "NOT_OWNER");
}

#[test]
fn crash_kills_every_thread_of_the_process_within_the_budget() {
    let mut p = process("w", 1, vec![], vec![wait(WaitMode::Infinite, None), release()]);
    p.threads.push(ThreadDecl { name: "t2".into(), locals: vec![], code: vec![instr(Op::Skip)], may_die: false });
    let sys = System::new(model(1, vec![p.clone()])).unwrap();
    let s0 = sys.initial_state();
    let crashes: Vec<_> =
        successors(&sys, &s0).into_iter().filter(|(st, _)| matches!(st.action, Action::Crash { .. })).collect();
    assert_eq!(crashes.len(), 1, "one crash per live process instance");
    let s1 = &crashes[0].1;
    assert_eq!(sys.thread_status(s1, 0), ThreadStatus::Dead);
    assert_eq!(sys.thread_status(s1, 1), ThreadStatus::Dead);
    assert_eq!(sys.crashes_used(s1), 1);
    assert!(successors(&sys, s1).is_empty(), "budget spent and every thread dead");

    let none = System::new(model(0, vec![p])).unwrap();
    assert!(successors(&none, &none.initial_state()).iter().all(|(st, _)| !matches!(st.action, Action::Crash { .. })));
}

#[test]
fn a_restartable_process_starts_again_from_its_first_statement_with_fresh_locals() {
    let mut p = process(
        "svc",
        1,
        vec![int_var("n", 0, 3, 0)],
        vec![instr(Op::Assign { place: local(0), value: Expr::Const(2) }), wait(WaitMode::Infinite, None), release()],
    );
    p.restart = true;
    let sys = System::new(model(1, vec![p])).unwrap();
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    let (_, s2) = step_of(&sys, &s1, 0);
    let (_, s3) = successors(&sys, &s2).into_iter().find(|(st, _)| st.action == Action::Crash { process: 0 }).unwrap();
    let succ = successors(&sys, &s3);
    assert_eq!(succ.len(), 1);
    assert_eq!(succ[0].0.action, Action::Restart { process: 0 });
    let s4 = &succ[0].1;
    assert_eq!(sys.pc(s4, 0), 0);
    assert_eq!(sys.thread_status(s4, 0), ThreadStatus::Running);
    assert_eq!(sys.items(s4).into_iter().find(|i| i.name == "svc.n").unwrap().value, "0");
    assert!(sys.mutex(s4, 0).abandoned, "a restart does not repair the mutex");
    assert_eq!(sys.crashes_used(s4), 1);
    assert!(!sys.is_final(&s3), "a restart is still due");
}

#[test]
fn a_mutex_created_initially_owned_belongs_to_its_creator_thread() {
    let a = process("a", 1, vec![], vec![release()]);
    let b = process("b", 1, vec![], vec![wait(WaitMode::Infinite, None), release()]);
    let mut m = model(0, vec![a, b]);
    m.mutexes[0].initial_owner = Some(ThreadRef { process: 0, instance: 0, thread: 0 });
    let sys = System::new(m).unwrap();
    let s0 = sys.initial_state();
    assert_eq!(sys.mutex(&s0, 0), MutexState::owned_by(0));
    assert_eq!(sys.thread_status(&s0, 1), ThreadStatus::Blocked);
    let (st, s1) = step_of(&sys, &s0, 0);
    assert_eq!(st.outcome, Outcome::Release { outcome: ReleaseOutcome::Ok, checked: false });
    assert!(has_step_of(&sys, &s1, 1));
}

#[test]
fn inside_atomic_only_that_thread_moves_and_nothing_crashes() {
    let code = vec![
        instr(Op::AtomicBegin),
        instr(Op::Assign { place: shared(0), value: Expr::Const(1) }),
        instr(Op::Assign { place: shared(0), value: Expr::Const(2) }),
        instr(Op::AtomicEnd),
        instr(Op::Skip),
    ];
    let sys = System::new(model(1, vec![process("w", 2, vec![], code)])).unwrap();
    let (_, s1) = step_of(&sys, &sys.initial_state(), 0);
    let succ = successors(&sys, &s1);
    assert_eq!(succ.len(), 1, "only thread 0, no crash, inside atomic");
    assert_eq!(succ[0].0.action, Action::Run { thread: 0, pc: 2 });
    // After the block, everyone may move again and crashes are back.
    let s2 = &succ[0].1;
    assert_eq!(successors(&sys, s2).len(), 4);
}

#[test]
fn a_value_outside_the_declared_range_is_a_fault() {
    let inc = Expr::Binary(
        BinOp::Add,
        Box::new(Expr::Var(VarRef { scope: Scope::Shared, index: 0 })),
        Box::new(Expr::Const(4)),
    );
    let code = vec![instr(Op::Assign { place: shared(0), value: inc })];
    let sys = System::new(model(0, vec![process("w", 1, vec![], code)])).unwrap();
    let s0 = sys.initial_state();
    let (st, s1) = step_of(&sys, &s0, 0);
    assert_eq!(st.outcome, Outcome::Fault(Box::new(Fault::OutOfRange { var: "a".into(), value: 4, lo: 0, hi: 3 })));
    assert_eq!(s1, s0, "a fault changes nothing");
}

#[test]
fn a_false_assertion_is_a_fault() {
    let code = vec![instr(Op::Assert { cond: Expr::Const(0) })];
    let sys = System::new(model(0, vec![process("w", 1, vec![], code)])).unwrap();
    let (st, _) = step_of(&sys, &sys.initial_state(), 0);
    assert_eq!(st.outcome, Outcome::Fault(Box::new(Fault::AssertFailed)));
}

#[test]
fn choice_offers_every_alternative() {
    let code = vec![
        instr(Op::Choose { targets: vec![1, 3] }),
        instr(Op::Assign { place: shared(0), value: Expr::Const(1) }),
        instr(Op::Goto { target: 4 }),
        instr(Op::Assign { place: shared(0), value: Expr::Const(2) }),
    ];
    let sys = System::new(model(0, vec![process("w", 1, vec![], code)])).unwrap();
    let succ = successors(&sys, &sys.initial_state());
    assert_eq!(succ.len(), 2);
    assert_eq!(succ[0].0.outcome, Outcome::Choice { index: 0 });
    assert_eq!(sys.pc(&succ[0].1, 0), 1);
    assert_eq!(sys.pc(&succ[1].1, 0), 3);
}

#[test]
fn wait_results_are_stored_as_result_constants() {
    assert_eq!(Ty::Result.render(result::ABANDONED), "ABANDONED");
    assert_eq!(Ty::Bool.render(1), "true");
}

mod ill_formed_ir_is_an_error_not_a_panic {
    use super::*;

    fn error_of(m: Model) -> String {
        System::new(m).unwrap_err().message
    }

    #[test]
    fn unknown_mutex() {
        let code = vec![instr(Op::Wait { mutex: 7, mode: WaitMode::Infinite, result: None })];
        let msg = error_of(model(0, vec![process("w", 1, vec![], code)]));
        assert!(msg.contains("names mutex #7 but only 1 are declared"), "{msg}");
    }

    #[test]
    fn initial_value_out_of_range() {
        let mut m = model(0, vec![process("w", 1, vec![], vec![])]);
        m.shared[0].init = 9;
        assert_eq!(error_of(m), "shared variable `a` starts at 9, outside 0..3");
    }

    #[test]
    fn jump_outside_the_program() {
        let code = vec![instr(Op::Goto { target: 5 })];
        let msg = error_of(model(0, vec![process("w", 1, vec![], code)]));
        assert!(msg.contains("jumps to 5, outside the program (0..=1)"), "{msg}");
    }

    #[test]
    fn jump_cycle_without_a_step() {
        let code = vec![instr(Op::Goto { target: 0 })];
        let msg = error_of(model(0, vec![process("w", 1, vec![], code)]));
        assert!(msg.contains("loops through jumps"), "{msg}");
    }

    #[test]
    fn unknown_variable() {
        let code = vec![instr(Op::Assign { place: local(3), value: Expr::Const(0) })];
        let msg = error_of(model(0, vec![process("w", 1, vec![], code)]));
        assert!(msg.contains("names Local variable #3 but only 0 are declared"), "{msg}");
    }

    #[test]
    fn result_stored_in_a_non_result_variable() {
        let code = vec![wait(WaitMode::Infinite, Some(0))];
        let msg = error_of(model(0, vec![process("w", 1, vec![int_var("n", 0, 3, 0)], code)]));
        assert!(msg.contains("not of type result"), "{msg}");
    }

    #[test]
    fn property_reading_a_local() {
        let mut m = model(0, vec![process("w", 1, vec![int_var("n", 0, 1, 0)], vec![])]);
        m.properties.push(mutexcheck_core::ir::Property::Invariant {
            name: "i".into(),
            cond: Expr::Var(VarRef { scope: Scope::Local, index: 0 }),
            text: "n == 0".into(),
            span: Span::default(),
        });
        assert!(error_of(m).contains("only shared variables are visible"));
    }

    #[test]
    fn initial_owner_that_does_not_exist() {
        let mut m = model(0, vec![process("w", 1, vec![], vec![])]);
        m.mutexes[0].initial_owner = Some(ThreadRef { process: 0, instance: 3, thread: 0 });
        assert!(error_of(m).contains("initially owned by a thread that does not exist"));
    }
}

#[test]
fn every_reachable_state_packs_into_its_bits_and_unpacks_to_itself() {
    // Two workers, each: r = wait m timeout; a = a + 1; release m — with one crash.
    let inc = Expr::Binary(
        BinOp::Add,
        Box::new(Expr::Var(VarRef { scope: Scope::Shared, index: 0 })),
        Box::new(Expr::Const(1)),
    );
    let code = vec![wait(WaitMode::Timeout, Some(0)), instr(Op::Assign { place: shared(0), value: inc }), release()];
    let sys = System::new(model(1, vec![process("w", 2, vec![result_var("r")], code)])).unwrap();
    let packer = sys.packer();
    assert_eq!(packer.words(), 1);
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![sys.initial_state()];
    let mut words = vec![0u64; packer.words()];
    let mut packed = std::collections::HashSet::new();
    while let Some(s) = todo.pop() {
        if !seen.insert(s.clone()) {
            continue;
        }
        packer.pack(&s, &mut words);
        assert_eq!(packer.unpack(&words), s);
        packed.insert(words.clone());
        todo.extend(successors(&sys, &s).into_iter().map(|(_, n)| n));
    }
    assert!(seen.len() > 20);
    assert_eq!(packed.len(), seen.len(), "packing is injective on reachable states");
}

/// Two workers, each: `n = 1`, `n = n + 1` (two local steps), then `a = 1` (a shared one).
fn locals_then_shared(crashes: u32) -> System {
    let n = Expr::Var(VarRef { scope: Scope::Local, index: 0 });
    let code = vec![
        instr(Op::Assign { place: local(0), value: Expr::Const(1) }),
        instr(Op::Assign { place: local(0), value: Expr::Binary(BinOp::Add, Box::new(n), Box::new(Expr::Const(1))) }),
        instr(Op::Assign { place: shared(0), value: Expr::Const(1) }),
    ];
    System::new(model(crashes, vec![process("w", 2, vec![int_var("n", 0, 2, 0)], code)])).unwrap()
}

fn reachable(sys: &System) -> usize {
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![sys.initial_state()];
    while let Some(s) = todo.pop() {
        if seen.insert(s.clone()) {
            todo.extend(successors(sys, &s).into_iter().map(|(_, n)| n));
        }
    }
    seen.len()
}

fn reduced(sys: &System, s: &State) -> Option<Vec<(Step, State)>> {
    let mut out = Vec::new();
    sys.reduced_successors(s, &mut out).then_some(out)
}

#[test]
fn an_invisible_step_of_the_lowest_such_thread_stands_for_every_successor() {
    let sys = locals_then_shared(1);
    let s0 = sys.initial_state();
    assert_eq!(successors(&sys, &s0).len(), 4, "either thread may start, or either process crash");
    let only = reduced(&sys, &s0).expect("w[0]'s `n = 1` is invisible");
    assert_eq!(only.len(), 1, "no other thread and no crash");
    assert_eq!(only[0].0.action, Action::Run { thread: 0, pc: 0 });
    let s1 = &only[0].1;
    let (_, s2) = &reduced(&sys, s1).expect("w[0]'s `n = n + 1` is invisible")[0];
    let next = reduced(&sys, s2).expect("w[0] stands at a shared step; w[1]'s first step is invisible");
    assert_eq!(next[0].0.action, Action::Run { thread: 1, pc: 0 });
    let (_, s3) = &next[0];
    let (_, s4) = &reduced(&sys, s3).unwrap()[0];
    assert_eq!(reduced(&sys, s4), None, "both stand at `a = 1`: every successor is explored");
}

#[test]
fn partial_order_reduction_explores_fewer_states() {
    // Without crashes a state is the pair of positions (each 0 to 3; `n` and `a` follow from
    // them): all 16 are reachable. Exploring only the reduced successors, the positions go
    // (0,0) (1,0) (2,0) (2,1) (2,2), then each thread's shared step in either order: (3,2)
    // (2,3) (3,3): 8 states.
    assert_eq!(reachable(&locals_then_shared(0)), 16);
    let sys = locals_then_shared(0);
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![sys.initial_state()];
    while let Some(s) = todo.pop() {
        if seen.insert(s.clone()) {
            todo.extend(reduced(&sys, &s).unwrap_or_else(|| successors(&sys, &s)).into_iter().map(|(_, n)| n));
        }
    }
    assert_eq!(seen.len(), 8);
}

#[test]
fn a_dead_thread_and_dead_locals_are_stored_at_fixed_values() {
    // w[0] runs `n = 1` and crashes; w[1] crashes at once: the two dead threads held
    // different positions and values of `n`, and look alike once canonical.
    let sys = locals_then_shared(2);
    let s0 = sys.initial_state();
    let (_, s1) = step_of(&sys, &s0, 0);
    let crash = |s: &State, p: usize| {
        successors(&sys, s).into_iter().find(|(step, _)| step.action == Action::Crash { process: p }).unwrap().1
    };
    let (mut a, mut b) = (crash(&crash(&s1, 0), 1), crash(&crash(&s0, 0), 1));
    assert_ne!(a, b, "w[0] died at another line with another n");
    sys.canonicalize_dead(&mut a);
    sys.canonicalize_dead(&mut b);
    assert_eq!(a, b);
    // A running thread at `a = 1` never reads `n` again: its value is dead there.
    let (_, mut x) = step_of(&sys, &step_of(&sys, &s0, 0).1, 0);
    assert_eq!((sys.pc(&x, 0), sys.slot(&x, sys.layout().slots - 2)), (2, 2));
    sys.canonicalize_dead(&mut x);
    assert_eq!(sys.slot(&x, sys.layout().slots - 2), 0, "w[0].n back at its initial value");
    let mut twice = x.clone();
    sys.canonicalize_dead(&mut twice);
    assert_eq!(twice, x, "a canonical state stays as it is");
}
