//! `check --cluster` (issue #14): 2 and 3 real `mutexcheck` processes on 127.0.0.1, with 1
//! or 2 workers each, print byte for byte what one process prints and write the same trace
//! file, and all exit with its exit code; a peer that is missing, or killed in the middle of
//! the search, ends the others with a clear error and exit 2 within a bound, never a hang.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::repo;

/// No run of these tests may take longer than this: a hang is a failure, not a stuck CI.
const RUN_BOUND: Duration = Duration::from_secs(120);

/// A fresh empty directory under the system's temporary directory.
fn temp_dir(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mutexcheck-cluster-{}-{tag}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A host file of `n` free ports on 127.0.0.1 in `dir` (each found by binding port 0; all
/// bound at once so they differ, then released for the processes to take).
fn host_file(dir: &Path, n: usize) -> PathBuf {
    let listeners: Vec<TcpListener> = (0..n).map(|_| TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    let lines: Vec<String> = listeners.iter().map(|l| format!("{}\n", l.local_addr().unwrap())).collect();
    let path = dir.join("hosts.txt");
    std::fs::write(&path, lines.concat()).unwrap();
    path
}

fn mutexcheck(dir: &Path, model: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutexcheck"));
    cmd.current_dir(dir).arg("check").arg(model).args(args).stdin(Stdio::null());
    cmd
}

/// Waits for `child` at most until `deadline`; `None` (after killing it) if it did not end.
fn wait_until(mut child: Child, deadline: Instant) -> Option<Output> {
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Process `p` of a cluster of `n` with `w` workers each.
fn spawn(dir: &Path, model: &Path, args: &[&str], hosts: &Path, n: usize, p: usize, w: usize) -> Child {
    let (n, p, w) = (n.to_string(), p.to_string(), w.to_string());
    let hosts = hosts.to_str().unwrap();
    let cluster = ["--cluster", "-n", &n, "-p", &p, "-w", &w, "-h", hosts, "--connect-timeout", "30"];
    mutexcheck(dir, model, args).args(cluster).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

/// What a run gives a user: exit code, standard output and the trace file's bytes.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    code: Option<i32>,
    stdout: String,
    trace: Option<Vec<u8>>,
}

fn one_process(model: &Path, args: &[&str]) -> Seen {
    let dir = temp_dir("one");
    let out = mutexcheck(&dir, model, args).output().unwrap();
    let trace = std::fs::read(dir.join("t.json")).ok();
    let _ = std::fs::remove_dir_all(&dir);
    Seen { code: out.status.code(), stdout: String::from_utf8(out.stdout).unwrap(), trace }
}

/// Runs a cluster of `n` processes of `w` workers; returns what process 0 gave, after
/// checking that every other process printed nothing on stdout and exited with its code.
fn cluster(model: &Path, args: &[&str], n: usize, w: usize) -> Seen {
    let dir = temp_dir("cluster");
    let hosts = host_file(&dir, n);
    // Other processes first, in their own directories, so a trace they wrote would show.
    let others: Vec<(PathBuf, Child)> = (1..n)
        .map(|p| {
            let own = dir.join(format!("p{p}"));
            std::fs::create_dir_all(&own).unwrap();
            let child = spawn(&own, model, args, &hosts, n, p, w);
            (own, child)
        })
        .collect();
    let deadline = Instant::now() + RUN_BOUND;
    let zero = wait_until(spawn(&dir, model, args, &hosts, n, 0, w), deadline).expect("process 0 did not end");
    let what = format!("{} {args:?} on {n} processes × {w} workers", model.display());
    for (own, child) in others {
        let out = wait_until(child, deadline).unwrap_or_else(|| panic!("{what}: a process did not end"));
        assert_eq!(out.status.code(), zero.status.code(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "{what}: another process printed {}", String::from_utf8_lossy(&out.stdout));
        assert!(!own.join("t.json").exists(), "{what}: another process wrote a trace");
    }
    let trace = std::fs::read(dir.join("t.json")).ok();
    let stderr = String::from_utf8_lossy(&zero.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!stderr.contains("error"), "{what}: {stderr}");
    Seen { code: zero.status.code(), stdout: String::from_utf8(zero.stdout).unwrap(), trace }
}

/// Every model and option set, on 2 × 1, 2 × 2 and 3 × 1 processes × workers, against one
/// process.
fn assert_same_as_one_process(model: &str, args: &[&str]) {
    let model = repo().join("models").join(model);
    let mut args = args.to_vec();
    args.extend(["--no-timings", "--trace-out", "t.json"]);
    let one = one_process(&model, &args);
    assert!(matches!(one.code, Some(0 | 1 | 3)), "{}: {one:?}", model.display());
    for (n, w) in [(2, 1), (2, 2), (3, 1)] {
        let seen = cluster(&model, &args, n, w);
        assert_eq!(seen.code, one.code, "{} {args:?} on {n} × {w}", model.display());
        assert_eq!(seen.stdout, one.stdout, "{} {args:?} on {n} × {w}", model.display());
        assert!(seen.trace == one.trace, "{} {args:?} on {n} × {w}: the trace files differ", model.display());
    }
}

#[test]
fn violations_are_found_with_the_same_counterexample_counts_and_trace() {
    assert_same_as_one_process("seed_bug.mc", &[]);
    assert_same_as_one_process("lock_order_deadlock.mc", &[]);
    assert_same_as_one_process("posix_seed_bug.mc", &[]);
    assert_same_as_one_process("bench/seed_bug_n4_k3_c2.mc", &[]);
    assert_same_as_one_process("bench/naive_n5_k3_c2.mc", &["--json"]);
}

#[test]
fn complete_searches_count_the_same_states_and_transitions() {
    assert_same_as_one_process("seed_fixed.mc", &[]);
    assert_same_as_one_process("bench/bench_two_n4_k2.mc", &[]);
    assert_same_as_one_process("bench/repair_n5_k3_c1.mc", &["--fingerprints"]);
}

#[test]
fn options_and_bounds_give_the_one_process_answer() {
    // Reductions off: a shortest counterexample, and thousands of states.
    assert_same_as_one_process("seed_bug.mc", &["--no-reduce"]);
    assert_same_as_one_process("bench/bench_one_n3_k4.mc", &["--no-por"]);
    // The state bound cuts a level exactly where one process cuts it, and before a violation.
    assert_same_as_one_process("seed_bug.mc", &["--max-states", "17"]);
    assert_same_as_one_process("bench/bench_two_n4_k2.mc", &["--max-states", "1000"]);
    // The depth bound, below and at the depth of a violation.
    assert_same_as_one_process("seed_bug.mc", &["--max-depth", "5"]);
    assert_same_as_one_process("seed_bug.mc", &["--max-depth", "6"]);
    // Liveness runs after the distributed safety search, on process 0, as on one process.
    assert_same_as_one_process("livelock.mc", &["-q"]);
}

#[test]
fn allowed_outcomes_are_counted_as_one_process_counts_them() {
    assert_same_as_one_process("posix_unlock_and_throw.mc", &["--no-reduce"]);
    assert_same_as_one_process("abandon_by_design.mc", &["--max-states", "20", "--json"]);
    // The seed bug benchmark with its leak allowed: leaks in many levels, on every worker,
    // and a state bound that cuts a level with leaks on both sides.
    let dir = temp_dir("allowed");
    let model = dir.join("seed_bug_allowed.mc");
    let source = std::fs::read_to_string(repo().join("models/bench/seed_bug_n4_k3_c2.mc")).unwrap();
    std::fs::write(&model, format!("{source}\nallow leaked_ownership\n")).unwrap();
    assert_same_as_one_process(model.to_str().unwrap(), &[]);
    assert_same_as_one_process(model.to_str().unwrap(), &["--max-states", "2000"]);
}

#[test]
fn unreached_statements_are_the_union_of_every_workers_moves() {
    // Each worker runs the moves of the states it owns: process 0 alone would miss most
    // statements. worker_threads.mc has two dead repair lines, the rest ran somewhere.
    assert_same_as_one_process("worker_threads.mc", &["--deny-unreached"]);
    assert_same_as_one_process("worker_threads.mc", &["--json"]);
    assert_same_as_one_process("case-studies/lmdb_writer_win32.mc", &["--deny-unreached", "--json"]);
    assert_same_as_one_process("seed_fixed.mc", &["--deny-unreached"]);
}

#[test]
fn every_model_gives_the_one_process_answer_on_two_processes_of_two_workers() {
    for path in common::models_in(&repo().join("models")) {
        let model = path.file_name().unwrap().to_str().unwrap().to_string();
        let args = ["--no-timings", "--trace-out", "t.json"];
        let one = one_process(&path, &args);
        let seen = cluster(&path, &args, 2, 2);
        assert_eq!(seen, one, "{model}");
    }
}

/// A model that takes seconds in a debug build: all reductions off on the largest quick
/// bench model (656,560 states).
const SLOW: &str = "bench/bench_two_n4_k2.mc";

#[test]
fn a_missing_peer_is_a_clear_error_after_the_connect_timeout() {
    let dir = temp_dir("missing");
    let hosts = host_file(&dir, 2);
    let model = repo().join("models/seed_bug.mc");
    for p in ["0", "1"] {
        let start = Instant::now();
        let cluster = ["--cluster", "-n", "2", "-p", p, "-h", hosts.to_str().unwrap(), "--connect-timeout", "1"];
        let child = mutexcheck(&dir, &model, &cluster).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let out = wait_until(child, Instant::now() + Duration::from_secs(20)).expect("a lone process hung");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "process {p}: {stderr}");
        assert!(stderr.contains("error: cluster: process"), "process {p}: {stderr}");
        assert!(out.stdout.is_empty(), "process {p}");
        assert!(start.elapsed() < Duration::from_secs(15), "process {p} took {:?}", start.elapsed());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn processes_that_disagree_on_the_model_or_workers_refuse_to_run() {
    let dir = temp_dir("mismatch");
    let model = repo().join("models/seed_bug.mc");
    for (other, workers) in [(&["--crashes", "2"][..], 1), (&[][..], 2)] {
        let hosts = host_file(&dir, 2);
        let one = spawn(&dir, &model, other, &hosts, 2, 1, workers);
        let zero = spawn(&dir, &model, &[], &hosts, 2, 0, 1);
        let deadline = Instant::now() + Duration::from_secs(60);
        let zero = wait_until(zero, deadline).expect("process 0 hung");
        let one = wait_until(one, deadline).expect("process 1 hung");
        assert_eq!((zero.status.code(), one.status.code()), (Some(2), Some(2)), "{other:?} -w {workers}");
        let both = format!("{}{}", String::from_utf8_lossy(&zero.stderr), String::from_utf8_lossy(&one.stderr));
        assert!(both.contains("every process must"), "{other:?} -w {workers}: {both}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn killing_a_process_mid_search_ends_the_others_with_a_clear_error() {
    let dir = temp_dir("kill");
    let hosts = host_file(&dir, 3);
    let model = repo().join("models").join(SLOW);
    let args = ["--no-reduce", "--no-timings"];
    let mut children: Vec<Child> = (0..3).map(|p| spawn(&dir, &model, &args, &hosts, 3, p, 1)).collect();
    std::thread::sleep(Duration::from_millis(2500));
    for (p, child) in children.iter_mut().enumerate() {
        assert!(child.try_wait().unwrap().is_none(), "process {p} ended before the kill: the model is too small");
    }
    let mut victim = children.remove(1);
    victim.kill().unwrap();
    victim.wait().unwrap();
    let killed = Instant::now();
    for (p, child) in children.into_iter().enumerate() {
        let out =
            wait_until(child, killed + Duration::from_secs(20)).expect("a process hung after its peer was killed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "process {p}: {stderr}");
        assert!(stderr.contains("error: cluster: lost the connection"), "process {p}: {stderr}");
        assert!(out.stdout.is_empty(), "process {p} printed a report: {}", String::from_utf8_lossy(&out.stdout));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
