//! Thread death (`thread NAME may_die`) and process liveness (`alive(P[i])`): exact state
//! counts worked out by hand, what a death abandons under each mutex flavor, the restart of
//! a process whose threads all ended, the `die` step in reports, traces and replay, and the
//! reductions on models that ask `alive`.

use std::path::Path;
use std::process::{Command, Output};

use mutexcheck_checker::trace::{replay, ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{prepare, CheckResult, Reductions, Request, Verdict};
use mutexcheck_core::{Action, Outcome, State, Step, System};

fn system(source: &str, crashes: Option<u32>) -> System {
    let model = mutexcheck_lang::compile("test.mc", source.as_bytes())
        .unwrap_or_else(|d| panic!("{}", d.render("test.mc", source.as_bytes())));
    prepare(model, crashes).unwrap()
}

fn check(source: &str, crashes: Option<u32>, reductions: Reductions) -> CheckResult {
    let request = Request::new().reductions(reductions);
    request.check(&system(source, crashes), &request.guard(), &mut |_| {})
}

fn counts(r: &CheckResult) -> (u64, u64, u32) {
    (r.stats.states, r.stats.transitions, r.stats.max_depth)
}

/// The verdict word and, for a violation, its kind and the counterexample's step texts.
fn story(system: &System, r: &CheckResult) -> (String, Vec<String>) {
    match &r.verdict {
        Verdict::Ok => ("ok".into(), vec![]),
        Verdict::Violation(c) => {
            (c.violation.kind.name().to_string(), c.steps.iter().map(|s| system.step_text(&s.step)).collect())
        }
        other => panic!("unexpected verdict {other:?}"),
    }
}

fn successors(system: &System, s: &State) -> Vec<(Step, State)> {
    let mut out = Vec::new();
    system.successors(s, &mut out);
    out
}

/// Thread `a` may die; both threads take and release m once.
const TINY: &str = "model tiny
mutex m
process app {
    thread a may_die {
        wait m
        release m
    }
    thread b {
        wait m
        release m
    }
}
";

#[test]
fn a_mortal_thread_adds_exactly_its_deaths_to_the_hand_counted_state_space() {
    // Without crashes: (pc a, pc b) in {0,1,2}^2 (1: holding m, 2: finished) but not (1,1):
    // 8 states, 8 transitions (two from (0,0) and from each state with one thread at 1 and the
    // other at 0 or 2 ... one each, none from (2,2)), 4 deep. A death needs the budget: none.
    assert_eq!(counts(&check(TINY, Some(0), Reductions::NONE)), (8, 8, 4));
    // With one crash, without `may_die`: the process crashes from any of the 7 states with a
    // running thread, reaching 6 states (each thread dead or finished, not both finished; m
    // free or abandoned: free from (0,0), (0,2), (2,0), abandoned from (1,0), (0,1), (1,2),
    // (2,1), where dead-dead is reached twice): 14 states, 8 + 7 = 15 transitions.
    let immortal = TINY.replace(" may_die", "");
    assert_eq!(counts(&check(&immortal, Some(1), Reductions::NONE)), (14, 15, 4));
    // With `may_die`: a dies from the 5 states where it runs, (0,0) (0,1) (0,2) (1,0) (1,2).
    // From (0,2) and (1,2) that is the crash's state (a dead, b finished, one crash used);
    // the others are new: a dead with b at 0 and m free, b at 0 and m abandoned, b at 1
    // owning m. b then moves on: from each of the three one step (to b at 1 owning m, twice,
    // and to b finished with m free). 17 states, 15 + 5 + 3 = 23 transitions.
    let r = check(TINY, Some(1), Reductions::NONE);
    assert_eq!(r.verdict, Verdict::Ok, "a death owning m is a crash of one thread, not a leak");
    assert_eq!(counts(&r), (17, 23, 4));
    // No step here is invisible and there is one instance: the reductions change nothing.
    assert_eq!(counts(&check(TINY, Some(1), Reductions::ALL)), (17, 23, 4));
}

#[test]
fn a_death_is_a_step_of_its_own_within_the_crash_budget_after_the_crashes() {
    let sys = system(TINY, Some(1));
    let s0 = sys.initial_state();
    let steps: Vec<Action> = successors(&sys, &s0).into_iter().map(|(st, _)| st.action).collect();
    // Threads by id, then crashes, then deaths, then restarts.
    assert_eq!(
        steps,
        [
            Action::Run { thread: 0, pc: 0 },
            Action::Run { thread: 1, pc: 0 },
            Action::Crash { process: 0 },
            Action::Die { thread: 0 }
        ]
    );
    // a takes m, then dies owning it: m is abandoned, b goes on, the budget is spent.
    let (_, s1) = successors(&sys, &s0).into_iter().next().unwrap();
    let (death, s2) = successors(&sys, &s1).into_iter().find(|(st, _)| st.action == Action::Die { thread: 0 }).unwrap();
    assert_eq!(death.outcome, Outcome::Died);
    assert_eq!((death.abandoned.len(), death.abandoned[0].by_crash), (1, true));
    assert_eq!(sys.step_text(&death), "app.a died");
    assert_eq!(sys.crashes_used(&s2), 1);
    assert!(sys.process_alive(&s2, 0), "b still runs");
    let after: Vec<String> = successors(&sys, &s2).iter().map(|(st, _)| sys.step_text(st)).collect();
    assert_eq!(after, ["app.b line 9: wait m [ABANDONED (count 1)]"], "no crash or death left");
}

#[test]
fn a_blocked_mortal_thread_can_die_and_an_ended_one_cannot() {
    let sys = system(TINY, Some(1));
    let s0 = sys.initial_state();
    // b takes m: a is blocked on it, and may still die (TerminateThread on a waiting thread).
    let (_, s1) = successors(&sys, &s0).into_iter().nth(1).unwrap();
    assert_eq!(sys.thread_status(&s1, 0), mutexcheck_core::ThreadStatus::Blocked);
    assert!(successors(&sys, &s1).iter().any(|(st, _)| st.action == Action::Die { thread: 0 }));
    // a runs to its end: no death any more.
    let s2 = successors(&sys, &s0).into_iter().next().unwrap().1;
    let s3 = successors(&sys, &s2).into_iter().next().unwrap().1;
    assert!(!successors(&sys, &s3).iter().any(|(st, _)| matches!(st.action, Action::Die { .. })));
}

const POSIX: &str = "model posix_death
semantics posix
crashes 1
mutex m: robust
process app {
    thread a may_die {
        lock m
        unlock m
    }
    thread b {
        let r = lock m
        assert r == OK
        unlock m
    }
}
";

#[test]
fn a_thread_dying_holding_a_robust_mutex_hands_it_to_its_sibling_with_ownerdead() {
    let sys = system(POSIX, None);
    let r = check(POSIX, None, Reductions::NONE);
    let (kind, steps) = story(&sys, &r);
    assert_eq!(kind, "assert");
    assert_eq!(
        steps,
        [
            "app.a line 7: lock m [OK (count 1)]",
            "app.a died",
            "app.b line 11: let r = lock m [OWNERDEAD (count 1)]",
            "app.b line 12: assert r == OK [assertion failed]",
        ]
    );
}

#[test]
fn a_thread_dying_holding_a_mutex_that_is_not_robust_deadlocks_its_sibling() {
    let source = POSIX.replace("mutex m: robust", "mutex m");
    let sys = system(&source, None);
    let (kind, steps) = story(&sys, &check(&source, None, Reductions::NONE));
    assert_eq!(kind, "deadlock");
    assert_eq!(steps, ["app.a line 7: lock m [OK (count 1)]", "app.a died"]);
}

#[test]
fn a_process_whose_threads_all_ended_one_by_a_death_is_not_alive_and_restarts() {
    // One thread block, `may_die`: its death ends the process (as ExitThread of the last
    // thread does). `restart` then applies as after a crash.
    let source = "model r
crashes 2
shared started: 0..3 = 0
process app restart {
    thread only may_die {
        started = started + 1
    }
}
invariant up: alive(app)
";
    let sys = system(source, None);
    let s0 = sys.initial_state();
    let (death, s1) =
        successors(&sys, &s0).into_iter().find(|(st, _)| matches!(st.action, Action::Die { .. })).unwrap();
    assert_eq!(sys.step_text(&death), "app died", "one thread: the thread's name is the process's");
    assert!(!sys.process_alive(&s1, 0));
    let next: Vec<Action> = successors(&sys, &s1).into_iter().map(|(st, _)| st.action).collect();
    assert_eq!(next, [Action::Restart { process: 0 }]);
    // The invariant breaks after one step: the thread's own last step, its death or the
    // crash all end the process.
    let (kind, steps) = story(&sys, &check(source, None, Reductions::NONE));
    assert_eq!((kind.as_str(), steps.len()), ("invariant", 1));
}

#[test]
fn alive_is_true_until_every_thread_of_the_instance_ended() {
    // Two threads: both must end before the process is not alive; the shortest run is 2.
    let two = "model t
process app {
    thread a {
        skip
    }
    thread b {
        skip
    }
}
invariant up: alive(app)
";
    let sys = system(two, Some(0));
    let (kind, steps) = story(&sys, &check(two, Some(0), Reductions::NONE));
    assert_eq!(
        (kind.as_str(), steps),
        ("invariant", vec!["app.a line 4: skip".to_string(), "app.b line 7: skip".into()])
    );
    // A thread blocked forever keeps its process alive: the run deadlocks instead.
    let blocked = "model t
mutex m owned_by holder
mutex n owned_by app
process holder {
    wait n
}
process app {
    wait m
}
invariant up: alive(app)
";
    let sys = system(blocked, Some(0));
    let (kind, _) = story(&sys, &check(blocked, Some(0), Reductions::NONE));
    assert_eq!(kind, "deadlock");
}

#[test]
fn an_instance_index_outside_the_template_is_an_out_of_range_violation() {
    let source = "model t
process worker[2] {
    var i: 0..3 = 0
    i = 2
    assert alive(worker[i])
}
";
    let r = check(source, Some(0), Reductions::NONE);
    let Verdict::Violation(c) = &r.verdict else { panic!("{:?}", r.verdict) };
    assert_eq!(c.violation.kind.name(), "out_of_range");
    assert_eq!(
        c.violation.message,
        "worker[0] at line 5 (`assert alive(worker[i])`): index 2 is outside `worker` (length 2)"
    );
}

#[test]
fn partial_order_reduction_keeps_the_end_of_a_thread_that_alive_observes() {
    // app's only step is invisible (a local) and ends it. Run alone first, it would hide the
    // run where watcher asks before app ends: the only violating one.
    let source = "model t
process app {
    var x: 0..1 = 0
    x = 1
}
process watcher {
    assert !alive(app)
}
";
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let sys = system(source, Some(0));
        let (kind, steps) = story(&sys, &check(source, Some(0), reductions));
        assert_eq!((kind.as_str(), steps.len()), ("assert", 1), "{:?}", reductions.names());
    }
}

#[test]
fn symmetry_is_off_for_a_template_whose_instances_alive_names() {
    let source = "model t
process worker[2] {
    assert alive(worker[0]) || true
}
";
    let sys = system(source, Some(0));
    let sym = sys.symmetry();
    assert!(sym.is_empty());
    assert_eq!(sym.refused(), ["process worker: `alive(...)` names its instances one by one"]);
}

fn mutexcheck(args: &[&str]) -> Output {
    let cwd = Path::new(env!("CARGO_TARGET_TMPDIR")).join("death-cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    Command::new(env!("CARGO_BIN_EXE_mutexcheck")).current_dir(cwd).args(args).output().unwrap()
}

fn repo_model(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models").join(name).to_string_lossy().into_owned()
}

#[test]
fn a_death_is_a_die_step_in_the_trace_and_replays() {
    let path = repo_model("thread_death_bug.mc");
    let source = std::fs::read(&path).unwrap();
    let sys = system(std::str::from_utf8(&source).unwrap(), None);
    let r = check(std::str::from_utf8(&source).unwrap(), None, Reductions::NONE);
    let Verdict::Violation(c) = &r.verdict else { panic!() };
    let trace =
        TraceFile::new(&sys, &path, &source, TraceOptions::new(&sys, &Request::new().reductions(Reductions::NONE)), c);
    assert_eq!(trace.version, 4);
    let die = trace.steps.iter().find(|s| s.action == "die").expect("a die step");
    assert_eq!((die.actor.as_str(), die.outcome.as_str(), die.pc, die.span), ("server.writer", "died", None, None));
    assert!(matches!(replay(&sys, &trace).verdict, ReplayVerdict::Reproduced(_)));
    // A `die` step cannot be in a version 2 trace.
    let old = trace.to_json().replacen("\"version\": 4", "\"version\": 2", 1);
    assert_eq!(
        TraceFile::parse(old.as_bytes()).unwrap_err().to_string(),
        format!(
            "the trace is malformed: step {} is a `die` step, a version 3 action, but the trace says version 2",
            die.index
        )
    );
}

#[test]
fn the_report_and_the_graph_name_the_thread_that_died() {
    let path = repo_model("thread_death_bug.mc");
    let out = mutexcheck(&["check", &path, "--no-timings", "--no-trace"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("  3. server.writer died at line 27, before: b = 1    m: owned by server.writer (count 1) -> free (abandoned), server.writer: running -> dead, server.reader: blocked -> running\n"), "{text}");
    let graph = mutexcheck(&["graph", &path]);
    let dot = String::from_utf8(graph.stdout).unwrap();
    assert!(dot.contains("server.writer died"), "{dot}");
}

#[test]
fn the_viewer_draws_a_death_on_the_dead_threads_lane_only() {
    let path = repo_model("thread_death_bug.mc");
    let source = std::fs::read(&path).unwrap();
    let sys = system(std::str::from_utf8(&source).unwrap(), None);
    let r = check(std::str::from_utf8(&source).unwrap(), None, Reductions::NONE);
    let Verdict::Violation(c) = &r.verdict else { panic!() };
    let trace =
        TraceFile::new(&sys, &path, &source, TraceOptions::new(&sys, &Request::new().reductions(Reductions::NONE)), c);
    let run = mutexcheck_checker::trace::replay_run(&sys, &trace);
    let view = mutexcheck_view::snapshot::ViewData::new(&sys, &trace, &source, &run.initial, &run.steps);
    let die = view.steps.iter().find(|s| s.action == "die").unwrap();
    // Lanes are threads by id: server.writer is 0, server.reader 1.
    assert_eq!((die.actor.as_str(), die.lanes.clone()), ("server.writer", vec![0]));
}

#[test]
fn a_dead_thread_is_not_owed_a_step_by_fairness() {
    // If setter dies before its step, waiter spins forever without passing `progress`: a
    // fair livelock, because a dead thread is not enabled. Without the death budget, setter
    // must move in any fair run, and no livelock exists; a crash kills waiter too.
    let source = "model t
shared go: bool = false
process app {
    thread setter may_die {
        go = true
    }
    thread waiter {
        while !go {
            skip
        }
        progress
    }
}
";
    let sys = system(source, Some(1));
    let (kind, steps) = story(&sys, &check(source, Some(1), Reductions::ALL));
    assert_eq!(kind, "livelock");
    assert_eq!(steps[0], "app.setter died");
    assert_eq!(story(&system(source, Some(0)), &check(source, Some(0), Reductions::ALL)).0, "ok");
    let immortal = source.replace(" may_die", "");
    assert_eq!(story(&system(&immortal, Some(1)), &check(&immortal, Some(1), Reductions::ALL)).0, "ok");
}

#[test]
fn symmetry_swaps_instances_with_mortal_threads_and_keeps_the_violation() {
    // The reader repairs an abandoned m unless its own process's writer was busy: "had our
    // writer died, we would be dead too". Only a thread's death breaks that.
    let source = "model t
crashes 1
mutex m
shared a: 0..1 = 0
shared b: 0..1 = 0
protect m: a == b
process server[2] {
    var busy: bool = false
    thread writer may_die {
        wait m
        busy = true
        a = 1
        b = 1
        busy = false
        release m
    }
    thread reader {
        let r = wait m
        if r == ABANDONED && !busy {
            b = a
        }
        release m
    }
}
";
    let sys = system(source, None);
    assert_eq!(sys.symmetry().templates(&sys), ["server"]);
    for reductions in [Reductions::NONE, Reductions::ALL] {
        let (kind, steps) = story(&sys, &check(source, None, reductions));
        assert_eq!(kind, "protect", "{:?}", reductions.names());
        assert!(steps.iter().any(|s| s.ends_with(".writer died")), "{steps:?}");
    }
    let none = check(source, None, Reductions::NONE);
    let all = check(source, None, Reductions::ALL);
    assert!(all.stats.states < none.stats.states, "{} < {}", all.stats.states, none.stats.states);
}
