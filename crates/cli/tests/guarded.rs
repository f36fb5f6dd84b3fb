//! Guarded variables end to end (issue #24, item 2): `shared a ... guarded_by m` and the
//! `unguarded_access` violation, with exact verdicts, messages and steps on tiny models, a
//! hand-counted state count, every reduction, replay of a trace and the JSON kind.

mod common;

use common::{assert_real_run, run_in, scratch_dir, system_of as system, text};

use mutexcheck_checker::{CheckResult, Reductions, Request};
use mutexcheck_core::System;

fn run(system: &System, reductions: Reductions) -> CheckResult {
    let request = Request::new().reductions(reductions);
    request.check(system, &request.guard(), &mut |_| {})
}

const EVERY_REDUCTION: [Reductions; 4] = [
    Reductions::NONE,
    Reductions { partial_order: true, symmetry: false },
    Reductions { partial_order: false, symmetry: true },
    Reductions::ALL,
];

/// The kind and message of the violation found with every reduction (the same for each),
/// and the steps of the shortest run (no reduction); the run is a real run each time.
fn violation(src: &str) -> (String, String, usize) {
    let sys = system(src);
    let mut found = Vec::new();
    for reductions in EVERY_REDUCTION {
        let r = run(&sys, reductions);
        assert_real_run("guarded", &sys, &r);
        let c = r.counterexample().unwrap_or_else(|| panic!("a violation with {reductions:?}"));
        found.push((c.violation.kind.name().to_string(), c.steps.len()));
    }
    let shortest = run(&sys, Reductions::NONE);
    let c = shortest.counterexample().unwrap();
    for (kind, _) in &found {
        assert_eq!(kind, c.violation.kind.name(), "the same kind with every reduction");
    }
    (c.violation.kind.name().to_string(), c.violation.message.clone(), c.steps.len())
}

const LOCKED_UPDATE: &str = "model locked\ncrashes 0\nmutex m\nshared a: 0..2 = 0 guarded_by m\nprocess worker[2] {\n    wait m\n    a = a + 1\n    release m\n}\n";

#[test]
fn an_update_inside_wait_and_release_is_ok_twelve_states_as_without_the_guard() {
    // Each worker is before its wait, before its update, before its release or finished
    // (4 places); it owns m at the middle two, so both there at once is impossible:
    // 16 - 4 = 12 states (a is the number of workers past their update). Worker 0 can move
    // in the 4 states where it owns m (the other before its wait or finished) and in the 2
    // where it is before its wait and m is free (the other the same or finished): 6 steps,
    // as many for worker 1: 12 transitions. A guard adds no state: the same graph without it.
    let sys = system(LOCKED_UPDATE);
    let r = run(&sys, Reductions::NONE);
    assert_eq!(common::verdict_and_length(&r).0, "ok");
    assert_eq!((r.stats.states, r.stats.transitions), (12, 12));
    let plain = run(&system(&LOCKED_UPDATE.replace(" guarded_by m", "")), Reductions::NONE);
    assert_eq!((plain.stats.states, plain.stats.transitions), (12, 12));
    for reductions in EVERY_REDUCTION {
        assert_eq!(common::verdict_and_length(&run(&sys, reductions)).0, "ok", "{reductions:?}");
    }
}

const UPDATE_AFTER_TIMEOUT: &str = "model after_timeout\ncrashes 0\nmutex m\nshared a: 0..2 = 0 guarded_by m\nprocess worker[2] {\n    let r = wait m timeout\n    if r != TIMEOUT {\n        a = a + 1\n        release m\n    } else {\n        a = a + 1\n    }\n}\n";

#[test]
fn the_same_update_after_a_timeout_is_an_unguarded_access_at_that_step() {
    // worker[0] takes m, worker[1] times out, tests its result and updates anyway: the 4th
    // step, the first that writes a without m (a TIMEOUT needs m owned: no shorter run).
    assert_eq!(
        violation(UPDATE_AFTER_TIMEOUT),
        (
            "unguarded_access".into(),
            "worker[1] at line 11 (`a = a + 1`) wrote a, which is guarded by m, while m is owned by worker[0] (count 1)"
                .into(),
            4
        )
    );
}

#[test]
fn a_read_without_the_lock_is_an_unguarded_access_and_a_short_circuit_read_is_not() {
    // Step 1 tests `owns(m) && a == 1`: m is not owned, so `a` is not read. Step 2 reads it.
    let src = "model reader\ncrashes 0\nmutex m\nshared a: 0..1 = 0 guarded_by m\nprocess writer {\n    wait m\n    a = 1\n    release m\n}\nprocess reader {\n    if owns(m) && a == 1 { skip }\n    while a == 0 { skip }\n}\n";
    assert_eq!(
        violation(src),
        (
            "unguarded_access".into(),
            "reader at line 12 (`while a == 0`) read a, which is guarded by m, while m is free".into(),
            2
        )
    );
}

#[test]
fn a_wait_result_stored_in_a_guarded_variable_is_judged_as_the_wait_returns() {
    // `r = wait m timeout`: with OK it owns m as it stores r (fine); with TIMEOUT it does not.
    let src = "model result\ncrashes 0\nmutex m\nshared r: result = OK guarded_by m\nprocess worker[2] {\n    r = wait m timeout\n    if owns(m) { release m }\n}\n";
    assert_eq!(
        violation(src),
        (
            "unguarded_access".into(),
            "worker[1] at line 6 (`r = wait m timeout`) wrote r, which is guarded by m, with the result of a wait that did not take m (m is owned by worker[0] (count 1))".into(),
            2
        )
    );
}

#[test]
fn an_atomic_block_does_not_take_the_guard_and_a_procedure_names_its_line_and_call() {
    let src = "model atomic_proc\ncrashes 0\nmutex m\nshared a: 0..2 = 0 guarded_by m\nproc bump() {\n    a = a + 1\n}\nprocess worker {\n    wait m\n    bump()\n    release m\n    atomic {\n        bump()\n    }\n}\n";
    assert_eq!(
        violation(src),
        (
            "unguarded_access".into(),
            "worker at line 6 in bump, called at line 13 (`a = a + 1`) wrote a, which is guarded by m, while m is free"
                .into(),
            4
        )
    );
}

#[test]
fn an_array_guarded_element_by_element_names_the_element_and_its_mutex() {
    let src = "model slots\ncrashes 0\nmutex lock[2]\nshared slot: [0..1; 2] = 0 guarded_by lock[i]\nprocess worker[2] {\n    wait lock[self]\n    slot[self] = 1\n    release lock[self]\n    if slot[1 - self] == 1 { skip }\n}\n";
    assert_eq!(
        violation(src),
        (
            "unguarded_access".into(),
            "worker[0] at line 9 (`if slot[1 - self] == 1`) read slot[1], which is guarded by lock[1], while lock[1] is free"
                .into(),
            4
        )
    );
}

#[test]
fn owning_an_inconsistent_posix_mutex_counts_as_owning_it() {
    // worker[0] may crash holding m; worker[1] then locks it with OWNERDEAD and repairs `a`
    // before `consistent`: it owns m, so no violation. Writing `a` before the lock is one.
    let src = "model inconsistent\nsemantics posix\ncrashes 1\nmutex m: robust\nshared a: 0..1 = 0 guarded_by m\nprocess worker[2] {\n    let r = lock m\n    a = 1\n    if r == OWNERDEAD {\n        consistent m\n    }\n    a = 0\n    unlock m\n}\n";
    let sys = system(src);
    for reductions in EVERY_REDUCTION {
        assert_eq!(common::verdict_and_length(&run(&sys, reductions)).0, "ok", "{reductions:?}");
    }
    let early = src.replace("    let r = lock m\n    a = 1\n", "    a = 1\n    let r = lock m\n");
    assert_eq!(
        violation(&early),
        (
            "unguarded_access".into(),
            "worker[0] at line 7 (`a = 1`) wrote a, which is guarded by m, while m is free".into(),
            1
        )
    );
}

#[test]
fn properties_read_guarded_variables_without_an_access() {
    // An invariant and an `at end` read `a` in every state, and nobody owns m then.
    let src = LOCKED_UPDATE.replace("process", "invariant small: a <= 2\nat end: a == 2\nprocess");
    assert_eq!(common::verdict_and_length(&run(&system(&src), Reductions::NONE)).0, "ok");
}

#[test]
fn the_trace_replays_the_violation_and_json_names_its_kind() {
    let dir = scratch_dir("guarded", "replay_and_json");
    std::fs::write(dir.join("t.mc"), format!("// expect: violation unguarded_access\n{UPDATE_AFTER_TIMEOUT}")).unwrap();
    let out = run_in(&dir, &["check", "--no-timings", "--trace-out", "t.json", "t.mc"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("verdict: violation (unguarded_access)"), "{stdout}");
    let replay = run_in(&dir, &["replay", "t.json"]);
    assert_eq!(replay.status.code(), Some(1), "{}", text(&replay.stderr));
    assert!(
        text(&replay.stdout).contains("reproduced: violation (unguarded_access) at step"),
        "{}",
        text(&replay.stdout)
    );
    let trace: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("t.json")).unwrap()).unwrap();
    assert_eq!(trace["violation"]["kind"], "unguarded_access");
    let json = run_in(&dir, &["check", "--json", "--no-trace", "t.mc"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["violation"]["kind"], "unguarded_access");
    // `mutexcheck test` reads the expect line and agrees.
    let test = run_in(&dir, &["test", "t.mc"]);
    assert_eq!(test.status.code(), Some(0), "{}{}", text(&test.stdout), text(&test.stderr));
}

#[test]
fn the_example_of_the_language_guide_reports_the_message_it_quotes() {
    let doc = std::fs::read_to_string(common::repo().join("docs/language.md")).unwrap();
    let section = doc.split("## Guarded variables").nth(1).expect("the section");
    let mut blocks = section.split("```\n").skip(1).step_by(2);
    let example = blocks.next().expect("its example");
    let quoted = blocks.next().expect("the report it quotes");
    let r = run(&system(example), Reductions::ALL);
    let c = r.counterexample().expect("a violation");
    assert_eq!(quoted, format!("verdict: violation ({})\n{}\n", c.violation.kind.name(), c.violation.message));
    // Without the guards the same model passes, as the guide says.
    assert_eq!(
        common::verdict_and_length(&run(&system(&example.replace(" guarded_by m", "")), Reductions::ALL)).0,
        "ok"
    );
}

#[test]
fn a_fault_of_the_step_comes_before_its_unguarded_access_and_that_before_a_leak() {
    // `a = a + 5` overflows a's range without the lock: the step faults, nothing is written.
    let fault = "model fault\ncrashes 0\nmutex m\nshared a: 0..3 = 0 guarded_by m\nprocess w {\n    a = a + 5\n}\n";
    assert_eq!(
        violation(fault),
        ("out_of_range".into(), "w at line 6 (`a = a + 5`): value 5 is outside 0..3, the range of `a`".into(), 1)
    );
    // The last step writes `a` without m while owning n, and ends the thread owning n.
    let leak = "model leak\ncrashes 0\nmutex m\nmutex n\nshared a: 0..3 = 0 guarded_by m\nprocess w {\n    wait n\n    a = 1\n}\n";
    assert_eq!(
        violation(leak),
        ("unguarded_access".into(), "w at line 8 (`a = 1`) wrote a, which is guarded by m, while m is free".into(), 2)
    );
}
