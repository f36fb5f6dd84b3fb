//! Coverage (issue #24, item 1): after a complete search, the statements no run executed,
//! with the never-taken branches on a wait result singled out and explained; the same list
//! whatever the engine, threads and reductions; `--deny-unreached` for `check` and `test`.

mod common;

use common::{repo, run_in, scratch_dir, text};

use mutexcheck_checker::coverage::Unreached;
use mutexcheck_checker::report::{text as text_report, ReportOptions};
use mutexcheck_checker::{prepare, Bfs, CheckResult, Engine, Limits, Reductions, Request, Spread, Strategy, Verdict};
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn system_with(source: &str, crashes: Option<u32>) -> System {
    let model =
        compile("t.mc", source.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", source.as_bytes())));
    prepare(model, crashes).unwrap()
}

fn check(system: &System, strategy: Strategy, threads: usize, reductions: Reductions, limits: Limits) -> CheckResult {
    let engine = match strategy {
        Strategy::Bfs => Engine::Bfs(Bfs::new().threads(threads).spread(Spread::Always)),
        Strategy::Dfs => Engine::Dfs(mutexcheck_checker::Dfs::new()),
    };
    let request = Request::new().engine(engine).reductions(reductions).limits(limits);
    request.check(system, &request.guard(), &mut |_| {})
}

fn bfs(system: &System) -> CheckResult {
    check(system, Strategy::Bfs, 1, Reductions::ALL, Limits::default())
}

/// (template, line, statement) of each unreached statement.
fn lines(r: &CheckResult) -> Vec<(String, u32, String)> {
    let unreached = r.stats.unreached.as_ref().expect("a complete search reports its coverage");
    unreached.iter().map(|u| (u.template.clone(), u.line, u.statement.clone())).collect()
}

fn owned(v: &[(&str, u32, &str)]) -> Vec<(String, u32, String)> {
    v.iter().map(|&(t, l, s)| (t.to_string(), l, s.to_string())).collect()
}

/// Two workers that repair the pair when `wait` returns ABANDONED.
const REPAIR: &str = "model repair
mutex m
shared a: 0..3 = 0
shared b: 0..3 = 0

process worker[2] {
    let r = wait m
    if r == ABANDONED {
        b = a
    }
    a = a + 1
    b = b + 1
    release m
}
";

#[test]
fn the_abandoned_branch_is_unreached_with_no_crash_and_reached_with_one() {
    let none = bfs(&system_with(REPAIR, Some(0)));
    assert_eq!(none.verdict, Verdict::Ok);
    // Without a crash nobody dies owning m: `b = a` (line 9) is the one statement never run.
    assert_eq!(lines(&none), owned(&[("worker", 9, "b = a")]));
    let u = &none.stats.unreached.as_ref().unwrap()[0];
    assert_eq!(
        u.branch.as_deref(),
        Some("the ABANDONED branch of `if r == ABANDONED` (line 8) never ran: with --crashes 0 no owner can die (try --crashes 1)")
    );
    // One crash of the owner in its critical section hands m over ABANDONED: all ran.
    let one = bfs(&system_with(REPAIR, Some(1)));
    assert_eq!(one.verdict, Verdict::Ok);
    assert_eq!(lines(&one), []);
}

#[test]
fn the_text_report_lists_the_unreached_statement_with_its_branch() {
    let system = system_with(REPAIR, Some(0));
    let report = text_report(&system, &bfs(&system), &ReportOptions::default());
    assert!(
        report.contains(
            "\nunreached: 1 statement that no run of the complete search executed:\n  worker line 9: b = a -- the ABANDONED branch of `if r == ABANDONED` (line 8) never ran: with --crashes 0 no owner can die (try --crashes 1)\n\nstatistics:"
        ),
        "{report}"
    );
    // Every statement ran: no section at all.
    let system = system_with(REPAIR, Some(1));
    let report = text_report(&system, &bfs(&system), &ReportOptions::default());
    assert!(!report.contains("unreached"), "{report}");
}

/// A condition that is always true: the `else` arm is dead code.
const DEAD_ELSE: &str = "model dead_else
crashes 0
shared x: 0..2 = 0

process p {
    x = 1
    if x == 1 {
        x = 2
    } else {
        x = 0
    }
}
";

#[test]
fn a_dead_else_branch_is_unreached_and_named_as_the_false_arm() {
    let r = bfs(&system_with(DEAD_ELSE, None));
    assert_eq!(lines(&r), owned(&[("p", 10, "x = 0")]));
    assert_eq!(
        r.stats.unreached.as_ref().unwrap()[0].branch.as_deref(),
        Some("the branch of `if x == 1` (line 7) where the condition is false never ran")
    );
}

/// A loop that never ends: the statement after it is dead.
const FOREVER: &str = "model forever
crashes 0
shared x: 0..1 = 0

process p {
    while true {
        x = 1 - x
    }
    x = 0
}
";

#[test]
fn a_statement_after_an_infinite_loop_is_unreached() {
    let r = bfs(&system_with(FOREVER, None));
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(lines(&r), owned(&[("p", 9, "x = 0")]));
    assert_eq!(
        r.stats.unreached.as_ref().unwrap()[0].branch.as_deref(),
        Some("the branch of `while true` (line 6) where the condition is false never ran")
    );
}

/// A procedure whose ABANDONED arm never runs with no crash, called from two places, with
/// thread-local steps (invisible: partial-order reduction runs them inside moves).
const PROCS: &str = "model procs
crashes 0
mutex m
shared a: 0..3 = 0

proc take(mx: mutex) {
    let r = wait mx
    if r == ABANDONED {
        a = 0
    }
}

process worker[2] {
    var n: 0..2 = 0
    n = n + 1
    take(m)
    a = a + 1
    release m
    n = n + 1
    take(m)
    release m
}
";

#[test]
fn a_statement_of_a_procedure_is_reported_at_its_line_with_each_call_site() {
    let r = bfs(&system_with(PROCS, None));
    assert_eq!(r.verdict, Verdict::Ok);
    let unreached = r.stats.unreached.as_ref().unwrap();
    let at: Vec<String> = unreached.iter().map(Unreached::location).collect();
    assert_eq!(at, ["line 9 in take, called at line 16", "line 9 in take, called at line 20"]);
    assert_eq!(
        unreached[1].branch.as_deref(),
        Some("the ABANDONED branch of `if r == ABANDONED` (line 8 in take, called at line 20) never ran: with --crashes 0 no owner can die (try --crashes 1)")
    );
}

/// The same unreached list, byte for byte in the report, for every engine and reduction.
fn assert_same_everywhere(name: &str, system: &System) {
    let reference = bfs(system);
    let want = reference.stats.unreached.clone();
    assert!(want.is_some(), "{name}: complete");
    for (strategy, threads, reductions) in [
        (Strategy::Bfs, 2, Reductions::ALL),
        (Strategy::Bfs, 1, Reductions::NONE),
        (Strategy::Bfs, 2, Reductions::NONE),
        (Strategy::Bfs, 1, Reductions { partial_order: true, symmetry: false }),
        (Strategy::Bfs, 1, Reductions { partial_order: false, symmetry: true }),
        (Strategy::Dfs, 1, Reductions::ALL),
        (Strategy::Dfs, 1, Reductions::NONE),
    ] {
        let r = check(system, strategy, threads, reductions, Limits::default());
        assert_eq!(r.stats.unreached, want, "{name}: {strategy:?} on {threads} threads with {reductions:?}");
    }
}

#[test]
fn reductions_threads_and_depth_first_report_the_same_unreached_statements() {
    assert_same_everywhere("repair, no crash", &system_with(REPAIR, Some(0)));
    assert_same_everywhere("repair, one crash", &system_with(REPAIR, Some(1)));
    assert_same_everywhere("dead else", &system_with(DEAD_ELSE, None));
    assert_same_everywhere("forever", &system_with(FOREVER, None));
    assert_same_everywhere("procs", &system_with(PROCS, None));
    // Partial-order reduction did skip states here (the locals' steps ran inside moves), and
    // symmetry stored one of the two workers' orders: neither hid a statement.
    let procs = system_with(PROCS, None);
    let reduced = bfs(&procs);
    let full = check(&procs, Strategy::Bfs, 1, Reductions::NONE, Limits::default());
    assert!(reduced.stats.states < full.stats.states, "{} vs {}", reduced.stats.states, full.stats.states);
    for name in
        ["worker_threads.mc", "case-studies/lmdb_writer_win32.mc", "case-studies/boost_robust_emulation_fixed.mc"]
    {
        let path = repo().join("models").join(name);
        let source = std::fs::read(&path).unwrap();
        let system = prepare(compile(name, &source).unwrap(), None).unwrap();
        assert_same_everywhere(name, &system);
    }
}

#[test]
fn coverage_is_not_reported_after_a_violation_or_a_bound() {
    // The crash between `a = a + 1` and `b = b + 1` breaks the invariant: the search stops.
    let broken = REPAIR.replace("shared b: 0..3 = 0", "shared b: 0..3 = 0\ninvariant pair: a == b || held(m)");
    let r = bfs(&system_with(&broken.replace("        b = a\n", "        skip\n"), Some(1)));
    assert!(matches!(r.verdict, Verdict::Violation(_)), "{:?}", r.verdict);
    assert_eq!(r.stats.unreached, None);
    let limits = Limits { max_states: Some(3), ..Limits::default() };
    let r = check(&system_with(REPAIR, Some(0)), Strategy::Bfs, 1, Reductions::ALL, limits);
    assert!(matches!(r.verdict, Verdict::Incomplete(_)));
    assert_eq!(r.stats.unreached, None);
}

#[test]
fn deny_unreached_makes_check_fail_with_its_own_verdict_in_text_and_json() {
    let dir = scratch_dir("coverage", "deny_check");
    std::fs::write(dir.join("repair.mc"), format!("// expect: ok\n{REPAIR}")).unwrap();
    // Without the flag: ok, exit 0, the section printed.
    let out = run_in(&dir, &["check", "repair.mc", "--crashes", "0", "--no-timings"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("verdict: ok: no violation in"), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("  worker line 10: b = a -- the ABANDONED branch"), "{}", text(&out.stdout));
    // With it: exit 1 and the verdict `unreached`.
    let out = run_in(&dir, &["check", "repair.mc", "--crashes", "0", "--no-timings", "--deny-unreached"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let verdict = stdout.lines().find(|l| l.starts_with("verdict:")).unwrap();
    assert!(
        verdict.starts_with("verdict: unreached: no violation in ")
            && verdict.ends_with(" states (complete), but 1 statement never ran (--deny-unreached)"),
        "{verdict}"
    );
    // Quiet: the verdict and what fails it, as a violation's message.
    let out = run_in(&dir, &["check", "repair.mc", "--crashes", "0", "-q", "--deny-unreached"]);
    assert_eq!(out.status.code(), Some(1));
    let quiet = text(&out.stdout);
    assert!(quiet.ends_with("\nunreached: 1 statement that no run of the complete search executed:\n  worker line 10: b = a -- the ABANDONED branch of `if r == ABANDONED` (line 9) never ran: with --crashes 0 no owner can die (try --crashes 1)\n"), "{quiet}");
    let out = run_in(&dir, &["check", "repair.mc", "--crashes", "0", "--json", "--deny-unreached"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["verdict"], "unreached");
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(doc["complete"], true);
    assert_eq!(doc["unreached"][0]["template"], "worker");
    assert_eq!(doc["unreached"][0]["line"], 10);
    assert_eq!(doc["unreached"][0]["statement"], "b = a");
    // With a crash everything runs: the flag changes nothing, and the list is empty.
    let out = run_in(&dir, &["check", "repair.mc", "--crashes", "1", "--json", "--deny-unreached"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((doc["verdict"].as_str(), doc["unreached"].as_array().map(Vec::len)), (Some("ok"), Some(0)));
}

#[test]
fn deny_unreached_makes_mutexcheck_test_fail_a_model_with_dead_code() {
    let dir = scratch_dir("coverage", "deny_test");
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(dir.join("m/dead_else.mc"), format!("// expect: ok\n{DEAD_ELSE}")).unwrap();
    std::fs::write(dir.join("m/repair.mc"), format!("// expect: ok\n{REPAIR}")).unwrap();
    let out = run_in(&dir, &["test", "m"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = run_in(&dir, &["test", "m", "--deny-unreached"]);
    assert_eq!(out.status.code(), Some(1));
    // repair.mc keeps its default crash budget (1): every statement runs.
    assert_eq!(
        text(&out.stdout),
        "FAIL  m/dead_else.mc: expected ok, got unreached (1 statement, first: p line 11: x = 0)\n\
         pass  m/repair.mc: ok\n\
         1 passed, 1 failed\n"
    );
}

/// POSIX: a timed lock of a robust mutex, with a branch per result.
const POSIX: &str = "model posix_cov
semantics posix
crashes 0
mutex m: robust
shared a: 0..2 = 0

process worker[2] {
    let r = timedlock m
    if r == OWNERDEAD {
        consistent m
    }
    if r != TIMEDOUT {
        a = a + 1
        unlock m
    }
}
";

#[test]
fn posix_result_branches_are_named_with_their_reason() {
    // No crash: OWNERDEAD never; but a timed lock of m while the other worker holds it does
    // time out, so the TIMEDOUT way of line 12 ran and both of its arms are covered.
    let r = bfs(&system_with(POSIX, None));
    assert_eq!(lines(&r), owned(&[("worker", 10, "consistent m")]));
    assert_eq!(
        r.stats.unreached.as_ref().unwrap()[0].branch.as_deref(),
        Some("the OWNERDEAD branch of `if r == OWNERDEAD` (line 9) never ran: with --crashes 0 no owner can die (try --crashes 1)")
    );
    // One process that crashes whole: its threads never see each other die.
    let path = repo().join("models/worker_threads.mc");
    let source = std::fs::read(&path).unwrap();
    let r = bfs(&prepare(compile("worker_threads.mc", &source).unwrap(), None).unwrap());
    assert_eq!(lines(&r), owned(&[("app.writer", 29, "b = a"), ("app.reader", 39, "b = a")]));
    assert_eq!(
        r.stats.unreached.as_ref().unwrap()[1].branch.as_deref(),
        Some("the ABANDONED branch of `if r == ABANDONED` (line 39) never ran: a crash kills every thread of the model's one process at once, and no thread is `may_die`: no thread outlives an owner")
    );
}

#[test]
fn models_with_unreached_statements_under_default_options_are_the_known_ones() {
    // worker_threads.mc's repair lines are dead by design (its header says so: a crash
    // kills the reader with the writer); the case studies model real code's defensive
    // branches, which these configurations never take.
    let mut found = Vec::new();
    for dir in ["models", "models/case-studies"] {
        for path in common::models_in(&repo().join(dir)) {
            let source = std::fs::read(&path).unwrap();
            let system = prepare(compile(&path.to_string_lossy(), &source).unwrap(), None).unwrap();
            let r = bfs(&system);
            if r.stats.unreached.as_ref().is_some_and(|u| !u.is_empty()) {
                found.push(format!("{dir}/{}", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert_eq!(
        found,
        [
            "models/worker_threads.mc",
            "models/case-studies/boost_robust_emulation_fixed.mc",
            "models/case-studies/dotnet_named_mutex.mc",
            "models/case-studies/dotnet_named_mutex_flock.mc",
            "models/case-studies/lmdb_reader_check.mc",
            "models/case-studies/lmdb_writer.mc",
            "models/case-studies/lmdb_writer_win32.mc",
        ]
    );
}
