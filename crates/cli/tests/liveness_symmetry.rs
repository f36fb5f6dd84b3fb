//! Liveness under symmetry (issue #21): the same verdict with symmetry and partial-order
//! reduction on and off on every model, every lasso a real run that replays on the unreduced
//! model, quotient counts worked out by hand, and the fallback to the check without
//! symmetry when a quotient component's lasso does not lift to a fair run.

mod common;

use common::{assert_real_run, models_in, repo, verdict_and_length};

use mutexcheck_checker::report::{text, ReportOptions};
use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{prepare, CheckResult, Reductions, Request, Verdict};
use mutexcheck_core::System;

fn system_of(name: &str, source: &str) -> System {
    let model = mutexcheck_lang::compile(name, source.as_bytes())
        .unwrap_or_else(|d| panic!("{}", d.render(name, source.as_bytes())));
    prepare(model, None).unwrap()
}

fn run(system: &System, reductions: Reductions) -> CheckResult {
    let request = Request::new().reductions(reductions);
    request.check(system, &request.guard(), &mut |_| {})
}

const POR: Reductions = Reductions { partial_order: true, symmetry: false };
const SYMMETRY: Reductions = Reductions { partial_order: false, symmetry: true };
const EVERY: [Reductions; 4] = [Reductions::NONE, POR, SYMMETRY, Reductions::ALL];

/// The lasso, written as a trace, replays on the unreduced model: `replay` re-executes it
/// and confirms the cycle closes, is fair and breaks the property.
fn assert_lasso_replays(what: &str, system: &System, source: &str, r: &CheckResult) {
    let Some(c) = r.counterexample() else { return };
    let options = TraceOptions::new(system, &Request::new().reductions(Reductions::NONE));
    let trace = TraceFile::new(system, what, source.as_bytes(), options, c);
    let replayed = replay(system, &trace);
    assert!(
        matches!(&replayed.verdict, ReplayVerdict::Reproduced(f) if f.kind == c.violation.kind.name()),
        "{what}: {:?}",
        replayed.verdict
    );
}

#[test]
fn every_liveness_model_gets_the_same_verdict_with_symmetry_and_partial_order_on_and_off() {
    let mut paths = models_in(&repo().join("models"));
    paths.extend(models_in(&repo().join("models/case-studies")));
    let mut live = 0;
    let mut symmetric = 0;
    for path in paths {
        let name = path.to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let system = system_of(&name, &source);
        if !mutexcheck_checker::liveness::has_liveness(&system) {
            continue;
        }
        live += 1;
        let none = run(&system, Reductions::NONE);
        let (kind, _) = verdict_and_length(&none);
        for reductions in EVERY {
            let what = format!("{name} with {:?}", reductions.names());
            let r = run(&system, reductions);
            assert_eq!(verdict_and_length(&r).0, kind, "{what}");
            assert_real_run(&what, &system, &r);
            assert_lasso_replays(&what, &system, &source, &r);
            if reductions.symmetry && r.stats.liveness_reductions.is_some_and(|l| l.symmetry) {
                symmetric += 1;
            }
        }
    }
    assert!(live >= 5, "only {live} models with liveness properties");
    assert!(symmetric >= 2, "symmetry decided the liveness of only {symmetric} runs");
}

/// Three interchangeable spinners and one process that passes `progress` once.
const SPIN3: &str =
    "model spin3\ncrashes 0\nprocess w[3] {\n    while true {\n        skip\n    }\n}\nprocess p {\n    progress\n}\n";

#[test]
fn a_symmetric_livelock_is_found_in_the_quotient_and_lifted_to_a_fair_run() {
    // A state is p (before or after `progress`) and each spinner at `while` or `skip`.
    // Unreduced: 2 * 2^3 = 16 states; from each, a step per spinner and, before, p's: 8 * 4 +
    // 8 * 3 = 56 transitions. Quotient: how many spinners are at `skip` (0..=3): 2 * 4 = 8
    // states, 4 * 4 + 4 * 3 = 28 transitions. The component without `progress` where p has
    // not run is not fair to p (always able, never moving); the one after it is, entered
    // by p's `progress`. The lasso: p's step, then each spinner's `while` (one need each,
    // in thread order), then three `skip`s back to all at `while`: the real state the cycle
    // started from, after one round.
    let system = system_of("spin3.mc", SPIN3);
    let none = run(&system, Reductions::NONE);
    assert_eq!((none.stats.states, none.stats.transitions), (16, 56));
    let r = run(&system, SYMMETRY);
    assert_eq!((r.stats.states, r.stats.transitions), (8, 28));
    assert_eq!(r.stats.liveness_reductions, Some(SYMMETRY), "decided in the quotient");
    let Verdict::Violation(c) = &r.verdict else { panic!("{:?}", r.verdict) };
    let lines: Vec<String> = c.steps.iter().map(|s| system.step_text(&s.step)).collect();
    assert_eq!(c.cycle_start, Some(2));
    assert_eq!(lines.len(), 7, "{lines:?}");
    assert_eq!(
        lines[..4],
        [
            "p line 9: progress",
            "w[0] line 4: while true [true]",
            "w[1] line 4: while true [true]",
            "w[2] line 4: while true [true]"
        ]
    );
    let mut skips = lines[4..].to_vec();
    skips.sort();
    assert_eq!(skips, ["w[0] line 5: skip", "w[1] line 5: skip", "w[2] line 5: skip"]);
    assert_eq!(
        c.violation.message,
        "livelock: steps 2-7 repeat forever, a fair run that never passes a `progress` statement"
    );
    assert_lasso_replays("spin3", &system, SPIN3, &r);
    // With partial-order reduction as well: the quotient of the reduced moves, a livelock.
    let both = run(&system, Reductions::ALL);
    assert_eq!(both.stats.liveness_reductions, Some(Reductions::ALL));
    assert_eq!(verdict_and_length(&both).0, "livelock");
    assert_lasso_replays("spin3 with both", &system, SPIN3, &both);
    let report = text(&system, &r, &ReportOptions::default());
    assert!(report.contains("(reductions: symmetry, exact: a lasso is confirmed on the unreduced model, a doubt settled without symmetry)"), "{report}");
}

/// The first instance to run its atomic block becomes a spinner that never passes
/// `progress`; the other passes `progress` forever.
const ROLES: &str = "model roles\ncrashes 0\nshared taken: bool = false\nprocess w[2] {\n    var spinner: bool = false\n    atomic {\n        if !taken {\n            taken = true\n            spinner = true\n        }\n    }\n    while spinner {\n        skip\n    }\n    while true {\n        progress\n    }\n}\n";

#[test]
fn a_quotient_component_whose_lasso_does_not_lift_is_settled_without_symmetry() {
    // Without `progress` steps, the spinner's loop is a component where some spinner moves
    // (what the quotient can prove of the orbit {w[0], w[1]}), but the real thread that
    // passes `progress` is able to move in every state of it and never moves there: no
    // real fair cycle. The lift cannot meet that thread's need, and the check without
    // symmetry says ok.
    let system = system_of("roles.mc", ROLES);
    let none = run(&system, Reductions::NONE);
    assert_eq!(none.verdict, Verdict::Ok);
    let r = run(&system, SYMMETRY);
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(r.stats.liveness_reductions, Some(Reductions::NONE), "settled by the check without symmetry");
    // The quotient's states, then the unreduced graph's.
    assert!(r.stats.states > none.stats.states, "{} <= {}", r.stats.states, none.stats.states);
    let report = text(&system, &r, &ReportOptions::default());
    assert!(report.contains("(reductions: none; symmetry left a doubt, settled by the check without it)"), "{report}");
}

/// Roles by order of arrival: the first loops on m until `stop`, the second sets `stop`,
/// the third takes m once.
const STARVE_ROLES: &str = "model starve_roles\ncrashes 0\nmutex m\nstarvation m\nshared arrived: 0..3 = 0\nshared stop: bool = false\nprocess w[3] {\n    var role: 0..2 = 0\n    atomic {\n        role = arrived\n        arrived = arrived + 1\n    }\n    if role == 0 {\n        while !stop {\n            wait m\n            release m\n        }\n    } else {\n        if role == 1 {\n            stop = true\n        } else {\n            wait m\n            release m\n        }\n    }\n}\n";

#[test]
fn a_starvation_whose_quotient_component_does_not_lift_is_settled_without_symmetry() {
    // With w[0] pinned as the third to arrive (blocked on m while the first loops on it),
    // the component of the first one's loop has another thread acquiring m, w[0] trying,
    // and a moving member of the orbit {w[1], w[2]}: the quotient's condition holds. But the
    // second to arrive can always set `stop` there and never does: no real fair cycle, and
    // once it does, the loop ends and w[0] gets m. The lift cannot be fair; the check
    // without symmetry says ok.
    let system = system_of("starve_roles.mc", STARVE_ROLES);
    let none = run(&system, Reductions::NONE);
    assert_eq!(none.verdict, Verdict::Ok);
    let r = run(&system, SYMMETRY);
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(r.stats.liveness_reductions, Some(Reductions::NONE), "settled by the check without symmetry");
    assert!(r.stats.states > none.stats.states, "the quotient's states, then the unreduced graph's");
    let both = run(&system, Reductions::ALL);
    assert_eq!((both.verdict.clone(), both.stats.liveness_reductions), (Verdict::Ok, Some(POR)));
}

#[test]
fn starvation_of_one_worker_is_found_with_its_instance_pinned() {
    // models/starvation.mc: three workers, one starves. Only worker[0]'s starvation is
    // searched (the others are its images), in the quotient that keeps worker[0] in place:
    // fewer states than the unreduced graph, and a lasso that replays.
    let path = repo().join("models/starvation.mc");
    let source = std::fs::read_to_string(&path).unwrap();
    let system = system_of("starvation.mc", &source);
    let none = run(&system, Reductions::NONE);
    let r = run(&system, SYMMETRY);
    assert_eq!(r.stats.liveness_reductions, Some(SYMMETRY));
    assert!(r.stats.states < none.stats.states, "{} >= {}", r.stats.states, none.stats.states);
    let Verdict::Violation(c) = &r.verdict else { panic!("{:?}", r.verdict) };
    assert!(c.violation.message.starts_with("starvation: worker[0] waits for m forever"), "{}", c.violation.message);
    assert_lasso_replays("starvation.mc", &system, &source, &r);
}

/// `n` restartable instances looping on one mutex with `progress` in the loop.
fn loop_model(n: u32) -> String {
    format!(
        "model loop{n}\nmutex m\nprocess w[{n}] restart {{\n    while true {{\n        let r = wait m\n        progress\n        release m\n    }}\n}}\n"
    )
}

#[test]
fn four_looping_instances_have_no_livelock_in_a_quotient_smaller_than_the_graph() {
    let source = loop_model(4);
    let system = system_of("loop4.mc", &source);
    let none = run(&system, Reductions::NONE);
    let r = run(&system, SYMMETRY);
    assert_eq!((none.verdict.clone(), r.verdict.clone()), (Verdict::Ok, Verdict::Ok));
    assert_eq!(r.stats.liveness_reductions, Some(SYMMETRY));
    assert!(r.stats.states * 4 < none.stats.states, "{} vs {}", r.stats.states, none.stats.states);
}
