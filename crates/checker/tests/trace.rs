//! The JSON trace format, replay and state graphs, on the models in models/.

use std::path::Path;

use mutexcheck_checker::graph::{StateGraph, TooLarge};
use mutexcheck_checker::trace::{replay, replay_run, ReplayVerdict, TraceError, TraceFile, TraceOptions};
use mutexcheck_checker::{Reductions, Request, SystemModel, Verdict};

mod shipped;

use shipped::{models_dir, system_of, trace_of};

fn violating_models() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(models_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".mc"))
        .filter(|f| {
            let text = std::fs::read_to_string(models_dir().join(f)).unwrap();
            matches!(mutexcheck_lang::expected_verdict(&text), Some(mutexcheck_lang::Expect::Violation(_)))
        })
        .collect();
    files.sort();
    files
}

fn diverged(system_file: &str, trace: &TraceFile) -> (usize, String) {
    let (system, _) = system_of(system_file);
    match replay(&system, trace).verdict {
        ReplayVerdict::Diverged { step, reason } => (step, reason),
        other => panic!("expected a divergence, got {other:?}"),
    }
}

#[test]
fn every_trace_validates_against_the_schema_and_round_trips() {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/trace.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let files = violating_models();
    assert!(files.len() >= 10, "models/ should hold at least ten violating models");
    for file in files {
        let trace = trace_of(&file);
        let text = trace.to_json();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path)).collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
        assert_eq!(TraceFile::parse(text.as_bytes()).unwrap(), trace, "{file}");
        assert_eq!(trace.violation.step, trace.steps.len(), "{file}");
    }
}

#[test]
fn the_schema_rejects_a_trace_with_a_wrong_shape() {
    // The schema test above cannot pass vacuously: a broken trace must fail it.
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/trace.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut value = serde_json::to_value(trace_of("seed_bug.mc")).unwrap();
    value["steps"][0]["action"] = "jump".into();
    assert!(!validator.is_valid(&value));
    let mut value = serde_json::to_value(trace_of("seed_bug.mc")).unwrap();
    value["violation"]["kind"] = "leak".into();
    assert!(!validator.is_valid(&value));
}

#[test]
fn the_seed_bugs_trace_replays_and_reproduces_its_violation() {
    let trace = trace_of("seed_bug.mc");
    let (system, _) = system_of("seed_bug.mc");
    let result = replay(&system, &trace);
    assert_eq!(result.lines.len(), 12);
    assert_eq!(
        result.lines[8],
        "   9. worker[1] line 22: let r = wait m timeout [ABANDONED (count 1)]    m: free (abandoned) -> owned by worker[1] (count 1), worker[1].r: TIMEOUT -> ABANDONED"
    );
    match result.verdict {
        ReplayVerdict::Reproduced(found) => {
            assert_eq!(found.kind, "leaked_ownership");
            assert_eq!(found.message, "worker[1] ended owning m (count 1)");
        }
        other => panic!("{other:?}"),
    }
}

/// `replay_run` gives the same replay and, besides, the model's own states along the way:
/// each one the successor the recorded step names, ending in the violating state.
#[test]
fn replay_run_returns_the_replay_and_the_real_state_after_every_step() {
    let trace = trace_of("seed_bug.mc");
    let (system, _) = system_of("seed_bug.mc");
    let run = replay_run(&system, &trace);
    assert_eq!(run.replay, replay(&system, &trace));
    assert_eq!(run.initial, system.initial_state());
    assert_eq!(run.steps.len(), 12);
    let mut before = &run.initial;
    for (recorded, replayed) in trace.steps.iter().zip(&run.steps) {
        assert_eq!(system.actor(&replayed.step.action), recorded.actor);
        assert_eq!(system.changes(before, &replayed.state), recorded.changes, "step {}", recorded.index);
        before = &replayed.state;
    }
    let m = |k: usize| system.mutex_text(system.mutex(&run.steps[k - 1].state, 0));
    assert_eq!(m(7), "owned by worker[0] (count 1)");
    assert_eq!(m(8), "free (abandoned)", "worker[0] crashed");
    assert_eq!(m(11), "owned by worker[1] (count 1)");
    assert_eq!(m(12), "free (abandoned)", "worker[1] ended owning m");

    let mut cut = trace.clone();
    cut.steps[8].outcome = "OK".into();
    let run = replay_run(&system, &cut);
    assert_eq!(run.steps.len(), 8, "the steps before the one that diverges");
}

#[test]
fn a_step_with_another_outcome_is_named_with_both_outcomes() {
    let mut trace = trace_of("seed_bug.mc");
    assert_eq!(trace.steps[8].outcome, "ABANDONED");
    trace.steps[8].outcome = "OK".into();
    assert_eq!(
        diverged("seed_bug.mc", &trace),
        (9, "worker[1] `let r = wait m timeout` now returns ABANDONED (count 1), the trace says OK (count 1)".into())
    );
}

#[test]
fn a_step_with_other_changes_is_named_with_both_changes() {
    let mut trace = trace_of("seed_bug.mc");
    trace.steps[5].changes[0].after = "2".into();
    assert_eq!(
        diverged("seed_bug.mc", &trace),
        (
            6,
            "worker[1] `round = round + 1` now changes worker[1].round: 0 -> 1, the trace says it changes worker[1].round: 0 -> 2"
                .into()
        )
    );
}

#[test]
fn a_step_of_a_thread_that_is_elsewhere_says_where_it_is() {
    let mut trace = trace_of("seed_bug.mc");
    trace.steps.remove(4); // worker[1] skips `if r == OK`: step 5 is now its `round = round + 1`
    for (i, s) in trace.steps.iter_mut().enumerate() {
        s.index = i + 1;
    }
    trace.violation.step -= 1;
    assert_eq!(
        diverged("seed_bug.mc", &trace),
        (5, "worker[1] is at instruction 2 (line 23, `if r == OK`); the trace expects it at instruction 6 (line 28, `round = round + 1`): the model's code or the trace has changed".into())
    );
}

#[test]
fn a_crash_beyond_the_budget_says_the_budget_is_used_up() {
    let mut trace = trace_of("seed_bug.mc");
    let crash = trace.steps[7].clone();
    assert_eq!(crash.action, "crash");
    let mut again = crash.clone();
    again.actor = "worker[1]".into();
    again.index = 9;
    trace.steps.insert(8, again);
    assert_eq!(diverged("seed_bug.mc", &trace), (9, "worker[1] cannot crash: the crash budget of 1 is used up".into()));
}

#[test]
fn a_trace_replayed_on_the_fixed_model_says_the_violation_no_longer_happens() {
    // seed_fixed has a longer header (every line moves by one) and tests ABANDONED first.
    let trace = trace_of("seed_bug.mc");
    assert_eq!(
        diverged("seed_fixed.mc", &trace),
        (5, "worker[1]'s instruction 2 is now line 24, `if r == ABANDONED`; the trace expects `if r == OK` there (line 23, as recorded): the model's code has changed".into())
    );
}

#[test]
fn a_trace_of_another_model_names_the_missing_thread() {
    let trace = trace_of("seed_bug.mc");
    assert_eq!(diverged("lock_order_deadlock.mc", &trace), (1, "the model has no thread named worker[0]".into()));
}

#[test]
fn a_trace_cut_before_its_violation_says_the_violation_no_longer_happens() {
    let mut trace = trace_of("seed_bug.mc");
    trace.steps.truncate(11);
    trace.violation.step = 11;
    assert_eq!(
        diverged("seed_bug.mc", &trace),
        (11, "all 11 steps replay, but the violation (leaked_ownership: worker[1] ended owning m (count 1)) no longer happens".into())
    );
}

#[test]
fn unreadable_trace_files_get_a_clear_error() {
    let good = trace_of("seed_bug.mc").to_json();
    let truncated = &good.as_bytes()[..good.len() / 2];
    assert!(matches!(TraceFile::parse(truncated), Err(TraceError::Truncated { .. })));
    assert!(TraceFile::parse(truncated)
        .unwrap_err()
        .to_string()
        .starts_with("the trace file is truncated: the JSON ends at line "));
    assert_eq!(
        TraceFile::parse(b"not json").unwrap_err().to_string(),
        "the trace is not valid JSON: expected ident at line 1 column 2"
    );
    assert_eq!(
        TraceFile::parse(br#"{"format": "something-else", "version": 1}"#).unwrap_err().to_string(),
        "this is not a mutexcheck trace: its format is \"something-else\", expected \"mutexcheck-trace\""
    );
    assert_eq!(
        TraceFile::parse(br#"[1, 2]"#).unwrap_err().to_string(),
        "this is not a mutexcheck trace: it has no \"format\": \"mutexcheck-trace\" field"
    );
    let future = good.replacen("\"version\": 4", "\"version\": 7", 1);
    assert_eq!(
        TraceFile::parse(future.as_bytes()).unwrap_err().to_string(),
        "trace format version 7 is not supported by this mutexcheck (it reads versions 1 to 4)"
    );
    let extra = good.replacen("\"version\": 4,", "\"version\": 4, \"colour\": \"red\",", 1);
    let err = TraceFile::parse(extra.as_bytes()).unwrap_err().to_string();
    assert!(err.starts_with("the trace is malformed: unknown field `colour`"), "{err}");
    let wrong = good.replacen("\"crashes\": 1", "\"crashes\": \"one\"", 1);
    let err = TraceFile::parse(wrong.as_bytes()).unwrap_err().to_string();
    assert!(err.starts_with("the trace is malformed: invalid type: string \"one\""), "{err}");
}

#[test]
fn traces_are_byte_identical_run_to_run() {
    assert_eq!(trace_of("seed_bug.mc").to_json(), trace_of("seed_bug.mc").to_json());
}

#[test]
fn the_lock_order_graph_has_every_state_once_and_the_deadlock_path_in_red() {
    // Two threads, each: wait x; wait y; release y; release x (opposite orders), no crashes:
    // 19 reachable states and 22 transitions (see models/lock_order_deadlock.mc).
    let (system, _) = system_of("lock_order_deadlock.mc");
    let model = SystemModel::new(&system, Reductions::NONE);
    let graph = StateGraph::explore(&model, 100).unwrap();
    assert_eq!((graph.graph.node_count(), graph.graph.edge_count()), (19, 22));
    let request = Request::new().reductions(Reductions::NONE);
    let result = request.check(&system, &request.guard(), &mut |_| {});
    let Verdict::Violation(cex) = &result.verdict else { panic!() };
    let path: Vec<_> = cex.steps.iter().map(|s| s.state.clone()).collect();
    let dot = graph.to_dot(&model, &path);
    assert!(dot.starts_with("digraph \"lock_order_deadlock\" {\n"));
    assert_eq!(dot.matches(" -> ").count(), 22);
    assert_eq!(dot.matches("penwidth=2];").count(), 2, "the two steps to the deadlock are red");
    assert_eq!(
        dot.matches("color=red, fontcolor=red];").count()
            + dot.matches("color=red, fontcolor=red, peripheries=2];").count(),
        3
    );
    assert_eq!(dot, graph.to_dot(&model, &path), "deterministic");
}

#[test]
fn a_graph_larger_than_its_cap_is_refused() {
    let (system, _) = system_of("seed_fixed.mc");
    let err = StateGraph::explore(&SystemModel::new(&system, Reductions::NONE), 100).err().unwrap();
    assert_eq!(err, TooLarge::Nodes { max_nodes: 100 });
    assert!(err.to_string().starts_with("the state graph has more than 100 states, too many to draw"));
}

#[test]
fn an_edited_pc_on_the_same_line_names_both_instructions() {
    // Issue #16: the message once read "is at line 21 (`while round < 2`), not at line 21
    // (`while round < 2`)" — the same words twice. The instruction numbers tell them apart.
    let mut trace = trace_of("seed_bug.mc");
    assert_eq!(trace.steps[0].pc, Some(0));
    trace.steps[0].pc = Some(4);
    assert_eq!(
        diverged("seed_bug.mc", &trace),
        (1, "worker[0] is at instruction 0 (line 21, `while round < 2`); the trace expects it at instruction 4 (line 21, `while round < 2`): the model's code or the trace has changed".into())
    );
}

#[test]
fn a_step_after_the_violation_does_not_reproduce() {
    let mut trace = trace_of("seed_bug.mc");
    let mut extra = trace.steps[11].clone();
    extra.index = 13;
    trace.steps.push(extra);
    assert_eq!(
        diverged("seed_bug.mc", &trace),
        (13, "the violation (leaked_ownership) happens at step 12 as the trace says, but the trace goes on for 1 more step after it; a trace ends at its violation".into())
    );
}

#[test]
fn a_version_1_trace_still_reads_and_replays() {
    // Versions 2 to 4 only added `violation.cycle_start`, the `die` action, a step's
    // `called_from`, `model.from_trace_dir`, typed values and a crash's `killed`: a trace
    // without them, written before them, is the same document with `"version": 1`, 2 or 3.
    let mut trace = trace_of("seed_bug.mc");
    for change in trace.steps.iter_mut().flat_map(|s| &mut s.changes) {
        (change.before_value, change.after_value) = (None, None);
    }
    trace.steps.iter_mut().for_each(|s| s.killed.clear());
    let v4 = trace.to_json();
    let (system, _) = system_of("seed_bug.mc");
    for old in [1, 2, 3] {
        let text = v4.replacen("\"version\": 4", &format!("\"version\": {old}"), 1);
        let trace = TraceFile::parse(text.as_bytes()).unwrap();
        assert_eq!(trace.version, old);
        assert!(matches!(replay(&system, &trace).verdict, ReplayVerdict::Reproduced(_)));
    }
}

#[test]
fn a_lasso_round_trips_and_a_version_1_trace_cannot_have_a_cycle() {
    let lasso = trace_of("livelock.mc");
    // Found with partial-order reduction (the default): a prefix of 2, a cycle of 12.
    assert_eq!((lasso.violation.cycle_start, lasso.violation.step), (Some(3), 14));
    let text = lasso.to_json();
    assert_eq!(TraceFile::parse(text.as_bytes()).unwrap(), lasso);
    let v1 = text.replacen("\"version\": 4", "\"version\": 1", 1);
    assert_eq!(
        TraceFile::parse(v1.as_bytes()).unwrap_err().to_string(),
        "the trace is malformed: `violation.cycle_start` is a version 2 field, but the trace says version 1"
    );
}

#[test]
fn a_lasso_whose_cycle_does_not_close_does_not_reproduce() {
    let mut trace = trace_of("livelock.mc");
    trace.violation.cycle_start = Some(2);
    assert_eq!(
        diverged("livelock.mc", &trace),
        (14, "the last step does not return to the state before step 2, where the cycle starts".into())
    );
}

#[test]
fn a_lasso_without_its_last_round_is_an_unfair_or_open_cycle() {
    // Cut the starvation lasso after its first step of the cycle: the cycle no longer closes.
    let mut trace = trace_of("starvation.mc");
    let start = trace.violation.cycle_start.unwrap();
    trace.steps.truncate(start);
    trace.violation.step = start;
    assert_eq!(
        diverged("starvation.mc", &trace),
        (start, format!("the last step does not return to the state before step {start}, where the cycle starts"))
    );
}

#[test]
fn typed_values_and_from_trace_dir_in_a_version_3_trace_are_malformed() {
    let text = trace_of("seed_bug.mc").to_json();
    let v3 = text.replacen("\"version\": 4", "\"version\": 3", 1);
    assert_eq!(
        TraceFile::parse(v3.as_bytes()).unwrap_err().to_string(),
        "the trace is malformed: `before_value` and `after_value` are version 4 fields, but the trace says version 3"
    );
    let mut trace = trace_of("seed_bug.mc");
    trace.model.from_trace_dir = Some("../models/seed_bug.mc".into());
    let v3 = trace.to_json().replacen("\"version\": 4", "\"version\": 3", 1);
    assert_eq!(
        TraceFile::parse(v3.as_bytes()).unwrap_err().to_string(),
        "the trace is malformed: `model.from_trace_dir` is a version 4 field, but the trace says version 3"
    );
}

/// What a check of `file` under `request` records as the trace's options.
fn options_as_run(file: &str, request: Request) -> (String, Vec<String>) {
    let (system, _) = system_of(file);
    let result = request.check(&system, &request.guard(), &mut |_| {});
    assert!(matches!(result.verdict, Verdict::Violation(_)), "{file}");
    let options = TraceOptions::new(&system, &request.in_effect(&result.stats));
    (options.search, options.reductions)
}

#[test]
fn a_trace_records_the_search_of_its_request_and_only_the_reductions_that_took_effect() {
    let names = |r: &[&str]| r.iter().map(|r| r.to_string()).collect::<Vec<_>>();
    // Every reduction on, both take effect (seed_bug has interchangeable workers).
    assert_eq!(options_as_run("seed_bug.mc", Request::new()), ("bfs".into(), names(&["partial_order", "symmetry"])));
    // The philosophers are not interchangeable (each takes its own forks): no symmetry.
    assert_eq!(options_as_run("dining_deadlock.mc", Request::new()), ("bfs".into(), names(&["partial_order"])));
    // The liveness check, which found this lasso, records its own reductions: partial order
    // (symmetry is the safety search's alone).
    assert_eq!(options_as_run("livelock.mc", Request::new()), ("bfs".into(), names(&["partial_order"])));
    // Asked off, never recorded; depth-first is recorded as such.
    let dfs = Request::new().engine(mutexcheck_checker::Dfs::new()).reductions(Reductions::NONE);
    assert_eq!(options_as_run("seed_bug.mc", dfs), ("dfs".into(), names(&[])));
}
