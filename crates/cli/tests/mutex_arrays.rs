//! Mutex arrays end to end (issue #20, item 4): exact state counts of tiny models worked out
//! by hand, an index out of range at run time as an `out_of_range` violation with its trace
//! and replay, element names (`lock[1]`) in reports and traces, and symmetry switched off,
//! with its reason in the report, for a model that indexes an array by `self`.

mod common;

use common::{assert_real_run, run_in, scratch_dir, system_of as system, text};

use mutexcheck_checker::{prepare, CheckResult, Reductions, Request};
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn run(system: &System, reductions: Reductions) -> CheckResult {
    let request = Request::new().reductions(reductions);
    request.check(system, &request.guard(), &mut |_| {})
}

fn counts(r: &CheckResult) -> (String, u64, u64) {
    (common::verdict_and_length(r).0, r.stats.states, r.stats.transitions)
}

const OWN_ELEMENT: &str =
    "model own\ncrashes 0\nmutex lock[2]\nprocess worker[2] {\n    wait lock[self]\n    release lock[self]\n}\n";

#[test]
fn two_workers_each_on_its_own_element_never_wait_for_each_other_nine_states() {
    // Each worker is before its wait, before its release, or finished (3 places), and its
    // element is owned exactly while it is before its release: 3 x 3 = 9 states. Every
    // state has one step per unfinished worker, never blocked: 2 x 3 for each worker = 12.
    let sys = system(OWN_ELEMENT);
    assert_eq!(counts(&run(&sys, Reductions::NONE)), ("ok".into(), 9, 12));
    // Symmetry cannot apply (the code reads `self`), and every step touches a mutex: the
    // same graph with every reduction asked for.
    assert_eq!(counts(&run(&sys, Reductions::ALL)), ("ok".into(), 9, 12));
}

#[test]
fn with_one_crash_each_element_is_abandoned_alone_twenty_one_states() {
    // Without a crash: the 9 states above. With the one crash used, the dead worker is
    // either crashed before its wait (its element free) or holding it (free and abandoned),
    // and the other worker is at any of its 3 places: 2 x 3 for each worker = 12 more.
    // Transitions: the 12 steps of the 9; a crash of each worker at its 2 running places,
    // whatever the other's 3: 12; then the survivor's 2 steps after each of the 2 deaths,
    // for each worker: 8. 21 states, 32 transitions.
    let mut sys_model = compile("t.mc", OWN_ELEMENT.as_bytes()).unwrap();
    sys_model.crashes = 1;
    let sys = prepare(sys_model, None).unwrap();
    assert_eq!(counts(&run(&sys, Reductions::NONE)), ("ok".into(), 21, 32));
}

const SHARED_INDEX: &str =
    "model shared_index\ncrashes 0\nmutex lock[2]\nshared x: 0..1 = 0\nprocess worker[2] {\n    wait lock[x]\n    release lock[x]\n}\n";

#[test]
fn two_workers_on_the_element_a_shared_index_chooses_exclude_each_other_eight_states() {
    // x stays 0: both wait for lock[0]. Of the 3 x 3 places, both before their release is
    // impossible: 8 states. Steps: (0,0) has 2; (0,1), (1,0) have 1 each (the waiter is
    // blocked); (0,2), (2,0), (1,2), (2,1) have 1 each; (2,2) none: 8 transitions.
    let sys = system(SHARED_INDEX);
    assert_eq!(counts(&run(&sys, Reductions::NONE)), ("ok".into(), 8, 8));
    // The index does not read `self`: the workers stay interchangeable. The classes are
    // (0,0), {(0,1),(1,0)}, {(0,2),(2,0)}, {(1,2),(2,1)}, (2,2): 5 states, and 2 + 1 + 1 + 1
    // transitions.
    let sym = Reductions { partial_order: false, symmetry: true };
    let r = run(&sys, sym);
    assert_eq!(counts(&r), ("ok".into(), 5, 5));
    assert!(r.stats.symmetry && r.stats.symmetry_off.is_none());
}

const OUT_OF_RANGE: &str = "model oor\ncrashes 0\nmutex lock[2]\nprocess worker[2] {\n    wait lock[self + 1]\n    release lock[self + 1]\n}\n";

#[test]
fn an_index_past_the_array_at_run_time_is_an_out_of_range_violation_of_that_step() {
    let sys = system(OUT_OF_RANGE);
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let r = run(&sys, reductions);
        assert_real_run("oor", &sys, &r);
        let c = r.counterexample().expect("a violation");
        assert_eq!(c.violation.kind.name(), "out_of_range");
        assert_eq!(
            c.violation.message,
            "worker[1] at line 5 (`wait lock[self + 1]`): index 2 is outside `lock` (length 2)"
        );
        // worker[1]'s first step: nothing before it is needed.
        assert_eq!(c.steps.len(), 1);
    }
}

#[test]
fn a_query_on_an_element_out_of_range_is_an_out_of_range_violation() {
    let src = "model q\ncrashes 0\nmutex lock[2]\nshared x: 0..2 = 0\nprocess worker {\n    x = 2\n    assert !held(lock[x])\n}\n";
    let r = run(&system(src), Reductions::NONE);
    let c = r.counterexample().expect("a violation");
    assert_eq!(
        (c.violation.kind.name(), c.violation.message.as_str(), c.steps.len()),
        ("out_of_range", "worker at line 7 (`assert !held(lock[x])`): index 2 is outside `lock` (length 2)", 2)
    );
}

/// Each worker marks its slot in use and forgets to clear it before the release.
const PROTECT_EVERY_ELEMENT: &str = "model pv\ncrashes 0\nmutex lock[2]\nshared slot: [0..1; 2] = 0\nprotect lock[i]: slot[i] == 0\nprocess worker[2] {\n    wait lock[self]\n    slot[self] = 1\n    release lock[self]\n}\n";

#[test]
fn protect_of_every_element_names_the_element_and_the_index_value() {
    let r = run(&system(PROTECT_EVERY_ELEMENT), Reductions::NONE);
    let c = r.counterexample().expect("a violation");
    assert_eq!(c.violation.kind.name(), "protect");
    assert_eq!(
        c.violation.message,
        "lock[0] is free and not abandoned but its protected condition `slot[i] == 0 (i = 0)` is false (slot[0] = 1, slot[1] = 0)"
    );
    assert_eq!(c.steps.len(), 3);
}

#[test]
fn the_report_says_why_symmetry_is_off_and_the_trace_names_elements_and_replays() {
    let dir = scratch_dir("mutex_arrays", "report_and_replay");
    std::fs::write(dir.join("oor.mc"), OUT_OF_RANGE).unwrap();
    let out = run_in(&dir, &["check", "--no-timings", "--trace-out", "oor.json", "oor.mc"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stdout.lines().next().unwrap(),
        "model oor: breadth-first search, crashes allowed: 0, reductions: partial-order (symmetry off: mutex array lock is indexed by `self` in process worker)"
    );
    assert!(stdout.contains("initial state: lock[0] = free, lock[1] = free, worker[0] = running, worker[1] = running"));
    assert!(stdout.contains("  1. worker[1] line 5: wait lock[self + 1] [index 2 is outside `lock` (length 2)]"));
    let replay = run_in(&dir, &["replay", "oor.json"]);
    assert_eq!(replay.status.code(), Some(1), "{}", text(&replay.stderr));
    assert!(text(&replay.stdout).contains("reproduced: violation (out_of_range) at step 1"));
    // A trace names each element where it changes, and replays by those names.
    std::fs::write(dir.join("pv.mc"), PROTECT_EVERY_ELEMENT).unwrap();
    let out = run_in(&dir, &["check", "--no-timings", "--trace-out", "pv.json", "pv.mc"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let trace: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("pv.json")).unwrap()).unwrap();
    assert_eq!(
        trace["steps"][0]["changes"],
        serde_json::json!([{
            "name": "lock[0]", "before": "free", "after": "owned by worker[0] (count 1)",
            "before_value": { "owner": null, "count": 0, "abandoned": false },
            "after_value": { "owner": "worker[0]", "count": 1, "abandoned": false }
        }])
    );
    let replay = run_in(&dir, &["replay", "pv.json"]);
    assert_eq!(replay.status.code(), Some(1), "{}", text(&replay.stderr));
    assert!(text(&replay.stdout).contains("reproduced: violation (protect) at step 3"), "{}", text(&replay.stdout));

    let json = run_in(&dir, &["check", "--json", "--no-trace", "oor.mc"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["symmetry_off"], "mutex array lock is indexed by `self` in process worker");
    assert_eq!(doc["reductions"], serde_json::json!(["partial_order"]));
    // Asked not to use symmetry, the report gives no reason why it is off.
    let off = run_in(&dir, &["check", "--no-symmetry", "--no-timings", "--no-trace", "oor.mc"]);
    assert_eq!(
        text(&off.stdout).lines().next().unwrap(),
        "model oor: breadth-first search, crashes allowed: 0, reductions: partial-order"
    );
}

#[test]
fn posix_arrays_have_their_attributes_per_element_and_owner_death_per_element() {
    // worker[0] may crash holding lock[0]: the robust element hands OWNERDEAD to worker[1]'s
    // lock of lock[0], which repairs and marks it consistent; lock[1] is never touched.
    let src = "model px\nsemantics posix\ncrashes 1\nmutex lock[2]: robust\nshared v: 0..1 = 0\nprotect lock[0]: v == 0\nprocess worker[2] {\n    let r = lock lock[0]\n    if r == OWNERDEAD {\n        v = 0\n        consistent lock[0]\n    }\n    v = 1\n    v = 0\n    unlock lock[0]\n    assert count(lock[1]) == 0\n}\n";
    let sys = system(src);
    let r = run(&sys, Reductions::NONE);
    assert_eq!(common::verdict_and_length(&r).0, "ok");
    // The same model that forgets `consistent`: unlocking an inconsistent element makes it
    // not recoverable, named by its element.
    let broken = src.replace("        consistent lock[0]\n", "");
    let r = run(&system(&broken), Reductions::NONE);
    let c = r.counterexample().expect("a violation");
    assert_eq!(c.violation.kind.name(), "not_recoverable");
    assert!(c.violation.message.contains("unlocked lock[0] while it was inconsistent"), "{}", c.violation.message);
}

#[test]
fn a_dining_philosophers_deadlock_names_the_forks_each_waits_for() {
    let src = std::fs::read_to_string(common::repo().join("models/dining_deadlock.mc")).unwrap();
    let r = run(&system(&src), Reductions::ALL);
    let c = r.counterexample().expect("a violation");
    assert_eq!(c.violation.kind.name(), "deadlock");
    assert_eq!(
        c.violation.message,
        "deadlock: philosopher[0] at line 20 (`wait fork[(self + 1) % 3]`) waits forever for fork[1] (owned by philosopher[1] (count 1)), philosopher[1] at line 20 (`wait fork[(self + 1) % 3]`) waits forever for fork[2] (owned by philosopher[2] (count 1)) and philosopher[2] at line 20 (`wait fork[(self + 1) % 3]`) waits forever for fork[0] (owned by philosopher[0] (count 1))"
    );
    // Each philosopher takes its first fork: three steps, the shortest run to the cycle.
    assert_eq!(c.steps.len(), 3);
}

#[test]
fn the_example_of_the_language_guide_checks_ok_with_the_symmetry_reason_it_quotes() {
    let doc = std::fs::read_to_string(common::repo().join("docs/language.md")).unwrap();
    let section = doc.split("## Arrays of mutexes").nth(1).expect("the section");
    let example = section.split("```\n").nth(1).expect("its example");
    let dir = scratch_dir("mutex_arrays", "language_guide");
    std::fs::write(dir.join("dining.mc"), example).unwrap();
    let out = run_in(&dir, &["check", "--no-timings", "--no-trace", "dining.mc"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let first = stdout.lines().next().unwrap();
    let quoted = section.split("e.g. ``").nth(1).and_then(|q| q.split("``").next()).expect("the quoted first line");
    assert!(first.ends_with(&quoted.replace("\n  ", " ")), "{first}\n{quoted}");
}

#[test]
fn starvation_of_every_element_finds_the_element_a_computed_index_starves() {
    // x = 1: every worker loops on lock[1]; two can take turns while the third waits.
    let src = "model st\ncrashes 0\nmutex lock[2]\nshared x: 0..1 = 1\nstarvation lock[i]\nprocess worker[3] {\n    while true {\n        wait lock[x]\n        skip\n        release lock[x]\n    }\n}\n";
    let r = run(&system(src), Reductions::NONE);
    let c = r.counterexample().expect("a violation");
    assert_eq!(c.violation.kind.name(), "starvation");
    assert_eq!(
        c.violation.message,
        "starvation: worker[0] waits for lock[1] forever while other threads keep acquiring it (steps 2-9 repeat forever, a fair run)"
    );
    // lock[0] alone is never used: nobody starves on it.
    let only_first = src.replace("starvation lock[i]", "starvation lock[0]");
    assert_eq!(common::verdict_and_length(&run(&system(&only_first), Reductions::NONE)).0, "ok");
}
