//! The search's shortcuts in core give the answers of the general paths they stand in for,
//! on every state of the shipped models: dead data made canonical after a move from
//! precomputed masks (`System::canonicalize_dead_after_move`), the wait tables that say
//! whether a thread can block where it stands, and `is_final`'s answer without restarts.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};

use mutexcheck_checker::system_model::{Reductions, SystemModel};
use mutexcheck_checker::Checkable;
use mutexcheck_core::{Action, State, System, ThreadId, ThreadStatus};

/// Every model in `models/` and `models/case-studies/`, by path.
fn shipped_models() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let mut files: Vec<PathBuf> = [root.clone(), root.join("case-studies")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mc"))
        .collect();
    files.sort();
    files
}

fn system(path: &Path) -> System {
    let text = std::fs::read_to_string(path).unwrap();
    System::new(mutexcheck_lang::compile(&path.display().to_string(), text.as_bytes()).unwrap()).unwrap()
}

/// Up to `most` states with canonical dead data the model reaches, breadth first: the states
/// a search stores (without symmetry), each with its successors as the core makes them.
fn canonical_states(sys: &System, most: usize, mut visit: impl FnMut(&State, &[(mutexcheck_core::Step, State)])) {
    let mut initial = sys.initial_state();
    sys.canonicalize_dead(&mut initial);
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([initial]);
    let mut out = Vec::new();
    while let Some(s) = queue.pop_front() {
        if seen.len() == most || !seen.insert(s.clone()) {
            continue;
        }
        out.clear();
        sys.successors(&s, &mut out);
        visit(&s, &out);
        for (_, next) in out.drain(..) {
            let mut next = next;
            sys.canonicalize_dead(&mut next);
            queue.push_back(next);
        }
    }
}

#[test]
fn dead_data_after_one_step_from_the_masks_equals_the_whole_state_made_canonical_in_every_shipped_model() {
    let (mut steps, mut reset_by_masks, mut crashes) = (0, 0, 0);
    for path in shipped_models() {
        let sys = system(&path);
        canonical_states(&sys, 3_000, |_, successors| {
            for (step, next) in successors {
                let mut fast = next.clone();
                sys.canonicalize_dead_after_move(&mut fast, &[], step);
                let mut whole = next.clone();
                sys.canonicalize_dead(&mut whole);
                assert_eq!(fast, whole, "{}: after {step:?}", path.display());
                steps += 1;
                crashes += matches!(step.action, Action::Crash { .. }) as usize;
                // A thread step that left its thread running and dead data to reset: the
                // masks' own work, not the general path's.
                if let Action::Run { thread, .. } = step.action {
                    if sys.thread_status(next, thread) != ThreadStatus::Finished && whole != *next {
                        reset_by_masks += 1;
                    }
                }
            }
        });
    }
    assert!(steps > 100_000, "{steps} steps");
    assert!(reset_by_masks > 1_000, "{reset_by_masks} steps whose dead data the masks reset");
    assert!(crashes > 10_000, "{crashes} crashes");
}

#[test]
fn a_thread_has_a_step_exactly_when_its_operation_does_not_block_and_final_states_are_those_where_all_ended() {
    let (mut blocked, mut finals) = (0, 0);
    for path in shipped_models() {
        let sys = system(&path);
        canonical_states(&sys, 3_000, |s, successors| {
            for t in 0..sys.thread_count() as ThreadId {
                let status = sys.thread_status(s, t);
                let has_step =
                    successors.iter().any(|(step, _)| step.action.actor() == mutexcheck_core::Actor::Thread(t));
                // A running thread has a step (unless an atomic holder that can move hides
                // the others'), a blocked, finished or dead one none.
                if sys.is_observable(s) {
                    assert_eq!(has_step, status == ThreadStatus::Running, "{}: thread {t} in {s:?}", path.display());
                }
                blocked += (status == ThreadStatus::Blocked) as usize;
            }
            let running = (0..sys.thread_count() as ThreadId).any(|t| sys.thread_status(s, t) == ThreadStatus::Running);
            assert_eq!(sys.some_thread_running(s), running, "{}: {s:?}", path.display());
            // Final: every thread ended, and none dead in a process that will restart.
            let layout = sys.layout();
            let ended = |t: ThreadId| match sys.thread_status(s, t) {
                ThreadStatus::Finished => true,
                ThreadStatus::Dead => {
                    !sys.model().processes[layout.processes[layout.threads[t as usize].process].decl].restart
                }
                _ => false,
            };
            let is_final = (0..sys.thread_count() as ThreadId).all(ended);
            assert_eq!(sys.is_final(s), is_final, "{}: {s:?}", path.display());
            finals += is_final as usize;
        });
    }
    assert!(blocked > 10_000, "{blocked} blocked threads");
    assert!(finals > 100, "{finals} final states");
}

#[test]
fn every_move_reaches_its_real_state_made_wholly_canonical_with_and_without_symmetry_in_every_shipped_model() {
    let (mut chains, mut reset_by_masks) = (0, 0);
    for (path, symmetry) in shipped_models().into_iter().flat_map(|p| [(p.clone(), false), (p, true)]) {
        let sys = system(&path);
        let model = SystemModel::new(&sys, Reductions { partial_order: true, symmetry });
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([model.initial_state()]);
        let (mut moves, mut real) = (Vec::new(), Vec::new());
        while let Some(s) = queue.pop_front() {
            if seen.len() == 2_000 || !seen.insert(s.clone()) {
                continue;
            }
            moves.clear();
            model.successors(&s, &mut moves);
            for (mv, stored) in moves.drain(..) {
                // The move's steps replayed on the unreduced model, then made canonical whole.
                let mut at = s.clone();
                for step in mv.steps() {
                    real.clear();
                    sys.successors(&at, &mut real);
                    let i = real.iter().position(|(st, _)| st == step).expect("the move's step is a real step");
                    at = real.swap_remove(i).1;
                }
                let mut whole = at.clone();
                model.canonicalize(&mut whole);
                let steps: Vec<_> = mv.steps().collect();
                assert_eq!(stored, whole, "{} (symmetry {symmetry}): after {steps:?}", path.display());
                let mut dead_only = at.clone();
                sys.canonicalize_dead(&mut dead_only);
                if !mv.through.is_empty() {
                    chains += 1;
                    reset_by_masks += (dead_only != at) as usize;
                }
                queue.push_back(stored);
            }
        }
    }
    assert!(chains > 10_000, "{chains} moves through transient states");
    assert!(reset_by_masks > 1_000, "{reset_by_masks} of them left dead data to reset");
}
