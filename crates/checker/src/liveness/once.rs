//! A model with liveness properties explored once: the safety search and the recording of
//! the liveness graph as one breadth-first search.
//!
//! After a safety search that finds nothing, the liveness check records the whole graph
//! ([`super::check`]). When that recording would have exactly the safety search's reductions
//! (no symmetry took effect: the liveness check's own graph, without symmetry, is then the
//! safety search's graph) and the engine is breadth-first with no depth limit, one recording
//! that also checks every property as the safety search does ([`crate::bfs::record_checked`])
//! gives both: when it finds no violation, safety holds and its graph goes straight to the
//! component search ([`super::judge`]); its counts are the ones the liveness pass reports,
//! and its batches are the safety search's, so the threads it reports are too.
//!
//! The output stays the two-pass one byte for byte. A violation is left to the two passes
//! ([`check_once`] says `None`): its shortest run, and the counts up to it, are the plain
//! safety search's, which a violation found in the middle of a batch of the recording does
//! not give. A bound stops the single pass as it stops the safety search: the verdict is
//! incomplete, with the safety search's counts (at the state limit: the state and the
//! transition where that search stops, not the recording's whole rows), and no liveness
//! check ran. Only the memory bound, which the single pass (holding the graph too) meets
//! sooner than the safety search, runs the two passes when the process is back under it
//! ([`Guard::rearm_memory`]): their safety search may find a violation within it.

use mutexcheck_core::{State, System};

use super::{goals, has_liveness, judge, record_labels, How, LiveOutcome, Violated};
use crate::explore::Progress;
use crate::guard::Guard;
use crate::limits::{Limit, Strategy};
use crate::request::{Engine, Request};
use crate::result::{CheckResult, Verdict};
use crate::stats::{Stats, Storage};
use crate::system_model::{Move, SystemModel};
use crate::Checkable;

/// What the single pass found: the safety search's result (with the figures of it the
/// report keeps: storage and threads), and the liveness check's outcome when safety holds.
pub(crate) struct Once {
    /// Safety holds ([`Verdict::Ok`]), or a time or memory bound stopped the pass.
    pub found: CheckResult<State, Move>,
    /// The liveness check's outcome, when safety holds.
    pub live: Option<LiveOutcome>,
}

/// True when `request` on `model` (of `system`, made with the request's reductions) is
/// checked in one pass: breadth-first with no depth limit, a model with liveness
/// properties, and no symmetry in effect (with symmetry, the liveness check records graphs
/// of its own: see `symmetric.rs`).
pub(crate) fn applies(system: &System, model: &SystemModel<'_>, request: &Request) -> bool {
    matches!(request.engine, Engine::Bfs(_))
        && request.limits.max_depth.is_none()
        && !model.reductions().symmetry
        && has_liveness(system)
}

/// Checks safety and liveness of `model` (of `system`) in one recording when [`applies`]
/// says so; `None` when the two passes must run (see the module comment).
pub(crate) fn check_once(
    system: &System,
    model: &SystemModel<'_>,
    request: &Request,
    guard: &Guard,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> Option<Once> {
    let Engine::Bfs(engine) = request.engine else {
        return None;
    };
    if !applies(system, model, request) {
        return None;
    }
    let start = std::time::Instant::now();
    let (graph, stats) = match record_labels(model, &request.limits, &mut How::Checked { engine, progress }, guard) {
        Err(Violated) => return None,
        // The single pass holds more than the safety search: with its memory given back,
        // the two passes may find a violation within the bound, as they do today.
        Ok((Err(Limit::MaxMemory(_)), _)) if guard.rearm_memory() => return None,
        Ok(recorded) => recorded,
    };
    // What the safety search would report of its storage and threads.
    let storage = Storage::of(engine.stores_fingerprints(), model.packed_words());
    Some(match graph {
        Err(limit) => {
            let stats = Stats { storage, ..stats };
            Once {
                found: CheckResult { verdict: Verdict::Incomplete(limit), stats, strategy: Strategy::Bfs },
                live: None,
            }
        }
        Ok(graph) => {
            let safety = Stats { storage, threads: stats.threads, ..Stats::default() };
            let live = judge(model, Ok(graph), stats, &goals(system), guard, start);
            Once {
                found: CheckResult { verdict: Verdict::Ok, stats: safety, strategy: Strategy::Bfs },
                live: Some(live),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::system_model::{Reductions, EXPANSIONS};
    use crate::{Bfs, Spread};

    fn system(source: &str) -> System {
        let model = mutexcheck_lang::compile("t.mc", source.as_bytes()).unwrap();
        System::new(model).unwrap()
    }

    /// p loops through `progress`, q runs `skip` once: 2 places of p times 2 of q, 4 states;
    /// p moves in all 4, q in 2: 6 transitions. Every fair cycle passes `progress`.
    const LOOP: &str =
        "model loop\ncrashes 0\nprocess p {\n    while true {\n        progress\n    }\n}\nprocess q {\n    skip\n}\n";
    /// After q's one `progress`, p spins forever: a livelock.
    const SPIN: &str =
        "model spin\ncrashes 0\nprocess p {\n    while true {\n        skip\n    }\n}\nprocess q {\n    progress\n}\n";
    /// Two workers take turns on m: one can starve (symmetric instances).
    const STARVE: &str = "model starve\ncrashes 0\nmutex m\nstarvation m\nprocess w[2] {\n    while true {\n        wait m\n        skip\n        release m\n    }\n}\n";
    /// p's assert fails on its second round (8 steps of p); q only spins.
    const BAD: &str = "model bad\ncrashes 0\nshared x: 0..2 = 0\nprocess p {\n    while true {\n        x = (x + 1) % 3\n        progress\n        assert x != 2\n    }\n}\nprocess q {\n    while true {\n        skip\n    }\n}\n";

    /// Four restartable workers repairing after a crash (issue #21's model, smaller): 3,120
    /// states unreduced, over several batches.
    const WORKERS: &str = "model workers\ncrashes 1\nmutex m\nshared a: 0..2 = 0\nshared b: 0..2 = 0\nprotect m: a == b\nprocess worker[4] restart {\n    while true {\n        let r = wait m\n        if r == ABANDONED { b = a }\n        a = (a + 1) % 3\n        progress\n        b = (b + 1) % 3\n        release m\n    }\n}\n";

    /// `request` on `source` in one pass where it applies ([`Request::check`]) and in the
    /// two passes, with the states each expanded.
    fn both(source: &str, request: Request) -> ((crate::CheckResult, u64), (crate::CheckResult, u64)) {
        let system = system(source);
        let run = |two: bool| {
            let before = EXPANSIONS.with(|n| n.get());
            let guard = request.guard();
            let result = if two {
                let model = SystemModel::new(&system, request.reductions).with_interrupt(guard.interrupt());
                request.check_in_two_passes(&system, &model, &guard, &mut |_| {})
            } else {
                request.check(&system, &guard, &mut |_| {})
            };
            (result, EXPANSIONS.with(|n| n.get()) - before)
        };
        (run(false), run(true))
    }

    /// Everything of a result the report prints but time and memory.
    fn printed(r: &crate::CheckResult) -> String {
        let s = &r.stats;
        format!(
            "{:?} {} {} {} {} {:?} {:?} {} {} {:?} {:?} {:?} {:?}",
            r.verdict,
            s.states,
            s.transitions,
            s.max_depth,
            s.threads,
            s.storage,
            s.allowed,
            s.symmetry,
            s.partial_order,
            s.symmetry_off,
            s.liveness,
            s.liveness_reductions,
            s.unreached,
        )
    }

    #[test]
    fn one_pass_expands_each_state_once_where_two_passes_expand_it_twice() {
        let request = Request::new().reductions(Reductions::NONE);
        let ((one, once), (two, twice)) = both(LOOP, request);
        assert_eq!((one.verdict.clone(), one.stats.states, one.stats.transitions), (Verdict::Ok, 4, 6));
        assert_eq!((once, twice), (4, 8));
        assert_eq!(printed(&one), printed(&two));
    }

    #[test]
    fn one_pass_reports_the_verdict_lasso_and_counts_of_the_two_passes() {
        let engines = [
            Bfs::new(),
            Bfs::new().threads(2).spread(Spread::Always),
            Bfs::new().threads(3).fingerprints(true).spread(Spread::Always),
        ];
        let reductions = [Reductions::NONE, Reductions { partial_order: true, symmetry: false }];
        for source in [LOOP, SPIN, STARVE] {
            for engine in engines {
                for r in reductions {
                    let ((one, once), (two, twice)) = both(source, Request::new().engine(engine).reductions(r));
                    assert_eq!(printed(&one), printed(&two), "{source} {engine:?} {r:?}");
                    if engine.thread_count() == 1 {
                        // The second pass expands every state once more (a lasso's run is
                        // re-executed the same in both).
                        assert_eq!(twice - once, one.stats.states, "{source} {engine:?} {r:?}: one pass, not two");
                    }
                }
            }
        }
        let ((spin, _), _) = both(SPIN, Request::new().reductions(Reductions::NONE));
        let lasso = spin.counterexample().expect("a livelock");
        // q's `progress`, then p's `while` and `skip` forever (the cycle from step 2).
        assert_eq!((lasso.steps.len(), lasso.cycle_start), (3, Some(2)));
    }

    #[test]
    fn with_symmetry_in_effect_or_a_depth_limit_or_depth_first_the_two_passes_run() {
        let system = system(STARVE);
        let model = SystemModel::new(&system, Reductions::ALL);
        assert!(!applies(&system, &model, &Request::new()));
        let model = SystemModel::new(&system, Reductions::NONE);
        let none = Request::new().reductions(Reductions::NONE);
        assert!(applies(&system, &model, &none));
        assert!(!applies(&system, &model, &none.engine(Engine::Dfs(crate::request::Dfs::new()))));
        assert!(!applies(&system, &model, &none.limits(Limits { max_depth: Some(9), ..Limits::default() })));
        // LOOP has no instances to swap: symmetry asked takes no effect, one pass applies.
        let system = self::system(LOOP);
        assert!(applies(&system, &SystemModel::new(&system, Reductions::ALL), &Request::new()));
    }

    #[test]
    fn a_liveness_model_whose_safety_fails_reports_the_shortest_counterexample_of_the_safety_search() {
        for engine in [Bfs::new(), Bfs::new().threads(2).spread(Spread::Always)] {
            let ((one, _), (two, _)) = both(BAD, Request::new().engine(engine).reductions(Reductions::NONE));
            assert_eq!(printed(&one), printed(&two));
            let c = one.counterexample().expect("the assert fails");
            // p's first round (4 steps), then `while`, `x = 2`, `progress`, the assert.
            assert_eq!(c.steps.len(), 8);
            assert_eq!(c.violation.message, two.counterexample().unwrap().violation.message);
            assert!(!one.stats.liveness);
        }
    }

    #[test]
    fn a_state_limit_or_no_memory_or_time_stops_one_pass_with_the_counts_of_the_safety_search() {
        for source in [LOOP, SPIN, STARVE, BAD] {
            for limits in [
                Limits { max_states: Some(1), ..Limits::default() },
                Limits { max_states: Some(3), ..Limits::default() },
                Limits { max_states: Some(7), ..Limits::default() },
                Limits { max_memory_mb: Some(0), ..Limits::default() },
                Limits { time_limit: Some(std::time::Duration::ZERO), ..Limits::default() },
            ] {
                let request = Request::new().reductions(Reductions::NONE).limits(limits);
                let ((one, _), (two, _)) = both(source, request);
                assert_eq!(printed(&one), printed(&two), "{source} {limits:?}");
            }
        }
        for engine in [Bfs::new(), Bfs::new().threads(2).spread(Spread::Always)] {
            for max in [1_000, 2_500, 3_119, 3_120] {
                let limits = Limits { max_states: Some(max), ..Limits::default() };
                let request = Request::new().engine(engine).reductions(Reductions::NONE).limits(limits);
                let ((one, _), (two, _)) = both(WORKERS, request);
                assert_eq!(printed(&one), printed(&two), "{engine:?} {max}");
                assert_eq!(one.stats.states, max);
            }
        }
        // LOOP's 4 states: a limit of 3 stops the safety search at its fourth state.
        let request =
            Request::new().reductions(Reductions::NONE).limits(Limits { max_states: Some(3), ..Limits::default() });
        let ((one, _), _) = both(LOOP, request);
        assert_eq!((one.verdict, one.stats.states), (Verdict::Incomplete(Limit::MaxStates(3)), 3));
    }
}
