//! Hard bounds (issue #15): whatever the input, `mutexcheck` ends with a clear error or an
//! honest "incomplete" within its time limit (plus a second) and its memory bound (plus
//! [`MARGIN_MB`]), measured from outside: the wall clock around the process, and the peak
//! resident memory the kernel reports for it. The bombs are generated here, not committed.
//!
//! One test runs them all in turn: the kernel's figure is the largest of every child this
//! test process has waited for, so no other test of this file may run a child beside them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The memory bound every bomb runs with.
const MAX_MEMORY_MB: u64 = 512;
/// What the process may use beyond `--max-memory` (README, "Limits").
const MARGIN_MB: u64 = 64;
/// How long past `--time-limit` a run may take to end (the issue: within one second; one
/// more for starting and ending a process on a busy machine).
const GRACE: Duration = Duration::from_secs(2);

fn scratch(name: &str, text: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The largest peak resident memory of any child waited for so far, in MB.
fn children_peak_mb() -> u64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0);
    usage.ru_maxrss as u64 / 1024
}

/// Runs `mutexcheck ARGS` with the memory bound and, when given, a time limit; asserts it
/// ended within the time limit plus [`GRACE`] and within the memory bound plus
/// [`MARGIN_MB`], and returns its output.
fn bounded(what: &str, args: &[&str], time_limit: Option<u64>) -> Output {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(["--max-memory".into(), MAX_MEMORY_MB.to_string()]);
    if let Some(t) = time_limit {
        all.extend(["--time-limit".into(), t.to_string()]);
    }
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_mutexcheck")).args(&all).output().unwrap();
    let took = start.elapsed();
    if let Some(t) = time_limit {
        assert!(took <= Duration::from_secs(t) + GRACE, "{what}: took {took:?} with --time-limit {t}");
    }
    let peak = children_peak_mb();
    assert!(peak <= MAX_MEMORY_MB + MARGIN_MB, "{what}: peak memory {peak} MB with --max-memory {MAX_MEMORY_MB}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The seed bug with `instances` workers.
fn seed_bug_with(instances: u32) -> String {
    let seed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/seed_bug.mc")).unwrap();
    assert!(seed.contains("process worker[2]"));
    seed.replace("process worker[2]", &format!("process worker[{instances}]"))
}

#[test]
fn bombs_end_within_the_time_limit_and_the_memory_bound() {
    // A thousand processes (the second finding: one expansion made thousands of
    // large successors, and the bounds were looked at every 1,024 expansions).
    let many = scratch("worker_1000.mc", &seed_bug_with(1000));
    let many = many.to_str().unwrap();
    for extra in [&[][..], &["--dfs"], &["--no-reduce"], &["--no-reduce", "--dfs"]] {
        let mut args = vec!["check", many, "--no-trace", "--max-states", "20000"];
        args.extend_from_slice(extra);
        let out = bounded(&format!("1000 processes {extra:?}"), &args, Some(3));
        // The leak, or an honest incomplete when a bound came first.
        match out.status.code() {
            Some(1) => assert!(stdout(&out).contains("verdict: violation (leaked_ownership)"), "{}", stdout(&out)),
            code => assert_eq!(code, Some(3), "{}", stdout(&out)),
        }
        assert!(stdout(&out).starts_with("model try_to_take: "), "{}", stdout(&out));
    }

    // Big states: four arrays of 1,024 elements written one element at a time.
    let arrays = scratch(
        "arrays.mc",
        "model arrays\ncrashes 0\nshared p: [0..3; 1024] = 0\nshared q: [0..3; 1024] = 0\n\
         shared r: [0..3; 1024] = 0\nshared s: [0..3; 1024] = 0\nprocess writer[3] {\n    var i: 0..1023 = 0\n\
         \x20   while true {\n        either { p[i] = (p[i] + 1) % 4 } or { q[i] = (q[i] + 1) % 4 }\n\
         \x20       or { r[i] = (r[i] + 1) % 4 } or { s[i] = (s[i] + 1) % 4 } or { i = (i + 1) % 1024 }\n    }\n}\n",
    );
    for extra in [&[][..], &["--dfs"], &["--fingerprints"]] {
        let mut args = vec!["check", arrays.to_str().unwrap(), "--no-trace"];
        args.extend_from_slice(extra);
        let out = bounded(&format!("arrays {extra:?}"), &args, Some(8));
        assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    }

    // A file of 1 MiB whose names are hundreds of thousands of characters long, one of them
    // misspelt (the first finding: the "did you mean" search took all the memory).
    let long = "x".repeat(400_000);
    let misspelt = format!("{}y", &long[1..]);
    let names = scratch(
        "long_names.mc",
        &format!("model long\nshared {long}: 0..1 = 0\nprocess p {{\n    {misspelt} = 1\n}}\n"),
    );
    let out = bounded("long names", &["check", names.to_str().unwrap()], Some(5));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error"));

    // Blocks nested as deep as a 1 MiB file allows.
    let depth = 100_000;
    let nested = scratch(
        "nested.mc",
        &format!("model nested\nprocess p {{\n{}skip\n{}}}\n", "while true {\n".repeat(depth), "}\n".repeat(depth)),
    );
    let out = bounded("deep nesting", &["check", nested.to_str().unwrap()], Some(5));
    assert_eq!(out.status.code(), Some(2));

    // The same bounds hold for the graph and for replay.
    let out = bounded("graph of 1000 processes", &["graph", many, "--max-nodes", "100000"], Some(3));
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));

    // Found by scripts/fuzz: one expansion of the initial state made 2,000 successors of
    // 60,000 values each (half a gigabyte) before any bound was looked at.
    let big = scratch("big_expansion.mc", BIG_EXPANSION);
    for extra in [&["--no-reduce"][..], &[]] {
        let mut args = vec!["check", big.to_str().unwrap(), "--no-trace", "--max-states", "2000"];
        args.extend_from_slice(extra);
        let out = bounded(&format!("big expansion {extra:?}"), &args, Some(2));
        assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    }
    // Found by scripts/fuzz: thirty templates of a thousand processes each.
    let wide: String = (1..=30).map(|k| format!("process p{k}[1000] {{ wait m; s = s + 1; release m }}\n")).collect();
    let wide = scratch("wide.mc", &format!("model wide\nmutex m\nshared s: 0..3 = 0\n{wide}"));
    let out = bounded("wide expansion", &["check", wide.to_str().unwrap(), "--no-trace"], Some(3));
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(stdout(&out).contains("incomplete (max_memory)"), "{}", stdout(&out));
    // Found by scripts/fuzz: a trace of 2,002 steps of one thread in a model of a thousand
    // large threads; replay made every thread's successors and described every item of
    // every state at every step (160 s). It replays in well under a second now.
    let (model, trace) = long_trace();
    let out = bounded("long replay", &["replay", trace.to_str().unwrap(), "--model", model.to_str().unwrap()], Some(5));
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("reproduced: violation (assert) at step 2002"), "{}", stdout(&out));
}

const BIG_EXPANSION: &str =
    "model big\nmutex m\nshared s: 0..3 = 0\nprocess p[1000] {\n    var a: [0..3; 60]\n    wait m\n    s = s + 1\n    release m\n}\n";

const LONG: &str = "model long\ncrashes 0\nshared c: 0..1000 = 0\nprocess q {\n    while c < 1000 { c = c + 1 }\n    assert false\n}\n\
process p[1000] {\n    var a: [0..3; 60]\n    while true { a[0] = 1 - a[0] }\n}\n";

/// The model [`LONG`] and a trace of its thread `q` counting to 1,000 and failing its assert,
/// written through the library.
fn long_trace() -> (PathBuf, PathBuf) {
    use mutexcheck_checker::trace::{TraceFile, TraceOptions};
    use mutexcheck_checker::{Checks, Counterexample, Reductions, Request, TraceStep};
    use mutexcheck_core::Actor;
    let model = scratch("long.mc", LONG);
    let compiled = mutexcheck_lang::compile("long.mc", LONG.as_bytes()).unwrap();
    let system = mutexcheck_checker::prepare(compiled, None).unwrap();
    let checks = Checks::new(&system);
    let q = (0..system.thread_count() as u16).find(|&t| system.thread_name(t) == "q").unwrap();
    let initial = system.initial_state();
    let mut steps: Vec<TraceStep> = Vec::new();
    let violation = loop {
        let state = steps.last().map_or(&initial, |s| &s.state);
        let mut successors = Vec::new();
        system.successors_of(state, Actor::Thread(q), &mut successors);
        let (step, next) = successors.remove(0);
        let violation = checks.step_violation(state, &step, &next);
        steps.push(TraceStep { step, state: next });
        if let Some(v) = violation {
            break v;
        }
    };
    assert_eq!(steps.len(), 2002);
    let cex = Counterexample::new(violation, initial, steps, false);
    let options = TraceOptions::new(&system, &Request::new().reductions(Reductions::NONE));
    let trace = TraceFile::new(&system, &model.to_string_lossy(), LONG.as_bytes(), options, &cex);
    (model, scratch("long.json", &trace.to_json()))
}
