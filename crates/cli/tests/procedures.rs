//! Procedures end to end: a call adds no state and no step (the same counts as the code
//! pasted inline), and reports, JSON traces, `replay` and the viewer say which procedure
//! line ran and from which call.

mod common;
use common::{run_in as run, scratch_with_models, system_of, text, verdict_and_length};

use mutexcheck_checker::{CheckResult, Reductions, Request};
use mutexcheck_lang::compile;

fn run_check(source: &str, reductions: Reductions) -> CheckResult {
    let request = Request::new().reductions(reductions);
    request.check(&system_of(source), &request.guard(), &mut |_| {})
}

/// (verdict, counterexample length, states) without reductions and with the default ones.
fn counts(source: &str) -> [(String, Option<usize>, u64); 2] {
    [Reductions::NONE, Reductions::default()].map(|r| {
        let result = run_check(source, r);
        let (verdict, length) = verdict_and_length(&result);
        (verdict, length, result.stats.states)
    })
}

fn ok(states: u64) -> (String, Option<usize>, u64) {
    ("ok".into(), None, states)
}

#[test]
fn a_call_adds_no_state_on_a_model_counted_by_hand() {
    // Each worker's pc is 0, 1 or 2 (finished) and `a` is the number of increments done,
    // so a state is a pair of pcs: 3 x 3 = 9 states without reductions, whether the
    // increment is written in place or in a procedure.
    let inline = "model t\ncrashes 0\nshared a: 0..4 = 0\nprocess w[2] {\n    a = a + 1\n    a = a + 1\n}\n";
    let with_proc =
        "model t\ncrashes 0\nshared a: 0..4 = 0\nproc inc() {\n    a = a + 1\n}\nprocess w[2] {\n    inc()\n    inc()\n}\n";
    assert_eq!(counts(inline)[0], ok(9));
    assert_eq!(counts(with_proc), counts(inline));
}

#[test]
fn a_returned_value_is_one_assignment_step_on_a_model_counted_by_hand() {
    // One thread: (pc 0, x 0, a 0), (pc 1, x 1, a 0) after `return a + 1` stored 1 in x,
    // and (finished, a 1), where x is dead: 3 states, as with `x = a + 1` in place.
    let inline =
        "model t\ncrashes 0\nshared a: 0..4 = 0\nprocess w {\n    var x: 0..4 = 0\n    x = a + 1\n    a = x\n}\n";
    let with_proc = "model t\ncrashes 0\nshared a: 0..4 = 0\nproc next(): 0..4 {\n    return a + 1\n}\n\
                     process w {\n    var x: 0..4 = 0\n    x = next()\n    a = x\n}\n";
    assert_eq!(counts(inline)[0], ok(3));
    assert_eq!(counts(with_proc), counts(inline));
}

/// The classroom model `models/<file>` with `acquire` and `update` pasted into the worker,
/// `return` written as the assignment it is, and `acquire` returning `returned`.
fn pasted(returned: &str) -> String {
    format!(
        "model pasted\nmutex m\nshared a: 0..4 = 0\nshared b: 0..4 = 0\nprotect m: a == b\n\
         process worker[2] {{\n    var round: 0..2 = 0\n    var owned: bool = false\n    while round < 2 {{\n        \
         let r = wait m timeout\n{}        owned = {returned}\n        if owned {{\n            a = a + 1\n            \
         b = b + 1\n            release m\n        }}\n        round = round + 1\n    }}\n}}\n",
        if returned == "r != TIMEOUT" { "        if r == ABANDONED {\n            b = a\n        }\n" } else { "" }
    )
}

fn model_file(name: &str) -> String {
    std::fs::read_to_string(common::repo().join("models").join(name)).unwrap()
}

#[test]
fn seed_fixed_written_with_procedures_has_the_states_of_the_code_pasted_inline() {
    let fixed = model_file("proc_acquire_fixed.mc");
    assert_eq!(counts(&pasted("r != TIMEOUT")), [ok(1273), ok(111)]);
    assert_eq!(counts(&fixed), counts(&pasted("r != TIMEOUT")));
}

#[test]
fn the_seed_bug_written_with_procedures_has_the_states_of_the_code_pasted_inline() {
    let bug = model_file("proc_acquire_bug.mc");
    let leak = |len, states| ("leaked_ownership".to_string(), Some(len), states);
    assert_eq!(counts(&pasted("r == OK")), [leak(14, 365), leak(14, 30)]);
    assert_eq!(counts(&bug), counts(&pasted("r == OK")));
}

/// The third step of the counterexample of `proc_acquire_bug.mc`, as the report prints it.
const STEP_3: &str = "   3. worker[0] line 24 in acquire, called at line 30 in update, called at line 41: let r = wait mx timeout [OK (count 1)]    m: free -> owned by worker[0] (count 1)\n";

#[test]
fn reports_traces_and_replay_name_the_procedure_line_and_the_call() {
    let dir = scratch_with_models("procedures", "trace", &["proc_acquire_bug.mc"]);
    let out = run(&dir, &["check", "models/proc_acquire_bug.mc", "--no-timings"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains(STEP_3), "{report}");
    assert!(report.contains("  6. worker[1] line 31 in update, called at line 41: if owned [false]\n"), "{report}");
    assert!(report.contains("  7. worker[1] line 42: round = round + 1"), "{report}");

    let trace: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("traces/proc_acquire_bug.json")).unwrap()).unwrap();
    assert_eq!(trace["version"], 4);
    let step = &trace["steps"][2];
    assert_eq!(step["operation"], "let r = wait mx timeout");
    assert_eq!(step["span"], serde_json::json!({ "line": 24, "col": 5, "len": 23 }));
    assert_eq!(
        step["called_from"],
        serde_json::json!([
            { "proc": "update", "span": { "line": 41, "col": 9, "len": 9 } },
            { "proc": "acquire", "span": { "line": 30, "col": 5, "len": 23 } }
        ])
    );
    // A statement of the thread itself has no `called_from`.
    assert_eq!(trace["steps"][0]["operation"], "while round < 2");
    assert!(trace["steps"][0].get("called_from").is_none());

    let out = run(&dir, &["replay", "traces/proc_acquire_bug.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let replayed = text(&out.stdout);
    assert!(replayed.contains(STEP_3), "{replayed}");
    assert!(replayed.contains("reproduced: violation (leaked_ownership) at step 14\n"), "{replayed}");
}

#[test]
fn replay_of_a_trace_whose_call_moved_to_another_procedure_names_the_step() {
    let dir = scratch_with_models("procedures", "replay-moved", &["proc_acquire_bug.mc"]);
    let out = run(&dir, &["check", "models/proc_acquire_bug.mc", "--no-timings"]);
    assert_eq!(out.status.code(), Some(1));
    let path = dir.join("traces/proc_acquire_bug.json");
    let edited = std::fs::read_to_string(&path).unwrap().replacen("\"proc\": \"acquire\"", "\"proc\": \"take\"", 1);
    std::fs::write(&path, edited).unwrap();
    let out = run(&dir, &["replay", "traces/proc_acquire_bug.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).contains(
            "worker[0]'s instruction 1, `let r = wait mx timeout`, is now at line 24 in acquire, called at line 30 in update, called at line 41, but the trace has it at line 24 in take, called at line 30 in update, called at line 41: the model's code has changed"
        ),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn the_json_report_and_the_viewer_show_the_call_too() {
    let dir = scratch_with_models("procedures", "json-view", &["proc_acquire_bug.mc"]);
    let out = run(&dir, &["check", "models/proc_acquire_bug.mc", "--json", "--html", "out.html"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let step = &doc["trace"]["steps"][2];
    assert_eq!(step["line"], 24);
    assert_eq!(step["called_from"][1]["proc"], "acquire");
    assert_eq!(
        step["text"],
        "worker[0] line 24 in acquire, called at line 30 in update, called at line 41: let r = wait mx timeout [OK (count 1)]"
    );
    let page = std::fs::read_to_string(dir.join("out.html")).unwrap();
    assert!(page.contains(
        "worker[0] line 24 in acquire, called at line 30 in update, called at line 41: let r = wait mx timeout"
    ));
    // A thread about to run a statement of a procedure says so in the state panel.
    assert!(page
        .contains(r#""next_line":24,"next_at":"line 24 in acquire, called at line 30 in update, called at line 41""#));
    assert!(page.contains(r#""next_line":40,"next_at":"line 40""#));
}

#[test]
fn the_example_of_the_language_reference_compiles_and_checks() {
    let doc = std::fs::read_to_string(common::repo().join("docs/language.md")).unwrap();
    let section = doc.split("\n## Procedures\n").nth(1).expect("a Procedures section");
    let example = section.split("```\n").nth(1).expect("an example");
    assert!(example.starts_with("proc acquire(mx: mutex, who: 0..3): result {"), "{example}");
    let source = format!("model doc\nmutex m\nshared a: 0..4 = 0\nshared b: 0..4 = 0\n{example}");
    // Two workers, one crash: acquire, repair on ABANDONED, release. Nothing is violated.
    assert_eq!(counts(&source)[1].0, "ok");
}

#[test]
fn violation_messages_and_state_graphs_name_the_procedure_line_and_the_call() {
    let dir = common::scratch_dir("procedures", "message-graph");
    std::fs::write(
        dir.join("r.mc"),
        "model r\nmutex m\nproc done(n: mutex) {\n    release n\n}\nprocess w {\n    done(m)\n}\n",
    )
    .unwrap();
    let out = run(&dir, &["check", "r.mc", "--no-timings", "--no-trace"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(
        report.contains(
            "\nw at line 4 in done, called at line 7 (`release n`) released m without owning it and ignored the NOT_OWNER result\n"
        ),
        "{report}"
    );
    let out = run(&dir, &["graph", "r.mc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dot = text(&out.stdout);
    assert!(dot.contains(r#"s0 [label="w: at line 4 in done, called at line 7\lm = free\l""#), "{dot}");
}

#[test]
fn a_posix_procedure_takes_a_robust_mutex_and_makes_it_consistent() {
    let model = |repair: &str| {
        format!(
            "model px\nsemantics posix\nmutex m: robust\nshared a: 0..2 = 0\n\
             proc take(mx: mutex): result {{\n    let r = lock mx\n    if r == OWNERDEAD {{\n        {repair}\n    }}\n    return r\n}}\n\
             process w[2] {{\n    let r = take(m)\n    a = 1\n    unlock m\n}}\n"
        )
    };
    assert_eq!(counts(&model("consistent mx"))[1].0, "ok");
    // Without `consistent`, unlocking after OWNERDEAD leaves m not recoverable.
    assert_eq!(counts(&model("skip"))[1].0, "not_recoverable");
}

/// A named constant is an argument like the number it stands for: its range is its value.
/// States, by hand: `set(ONE)` is one step from x = 0 to x = 1, so 2 states; `at end`
/// holds. With `ONE = 2` the argument is out of the parameter's range: a compile error.
#[test]
fn a_constant_argument_is_in_range_as_its_value_is() {
    let source = "model constarg
crashes 0
const ONE = 1
shared x: 0..1 = 0
proc set(t: 0..1) { x = t }
process p { set(ONE) }
at end: x == 1
";
    assert_eq!(counts(source), [ok(2), ok(2)]);
    let errors = compile("t.mc", source.replace("ONE = 1", "ONE = 2").as_bytes()).unwrap_err();
    assert!(format!("{errors:?}").contains("is in 0..1, but it can be 2..2"), "{errors:?}");
}
