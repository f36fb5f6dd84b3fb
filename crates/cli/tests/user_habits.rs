//! Issue #16, "input handling, messages and habits a user expects": each finding of that
//! issue, end to end through the binary, with the input that showed it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

mod common;
use common::{repo as root, run_in as run, scratch_with_models, text};

/// A scratch directory of this test's own, holding a copy of `models/<names>`.
fn scratch(test: &str, models: &[&str]) -> std::path::PathBuf {
    scratch_with_models("user-habits", test, models)
}

fn mutexcheck(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mutexcheck"));
    command.current_dir(cwd);
    command
}

const TOO_LARGE: &str = "the file is longer than 1048576 bytes (1 MiB), the most a model may have";

// Whole files were read before the size check: `/dev/zero` ran until memory ran out.

#[test]
fn an_endless_device_is_refused_after_one_mebibyte_with_a_short_error() {
    for command in ["check", "graph"] {
        let out = run(&root(), &[command, "/dev/zero", "--max-memory", "256"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with(&format!("error: {TOO_LARGE}\n")), "{command}: {stderr}");
        assert!(stderr.len() < 1024, "{command}: {} bytes of error", stderr.len());
    }
    let out = run(&root(), &["replay", "/dev/zero", "--max-memory", "256"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "error: `/dev/zero` is larger than 64 MiB: not a trace mutexcheck writes\n");
}

#[test]
fn an_endless_pipe_is_read_only_up_to_the_limit() {
    let mut child = mutexcheck(&root())
        .args(["check", "/dev/stdin", "--max-memory", "256"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The writer stops when the reader goes away (a broken pipe), or after 64 MiB if it never
    // does: the finding was a reader that never stopped.
    let writer = std::thread::spawn(move || {
        let block = vec![b'x'; 1 << 16];
        let mut written = 0usize;
        while written < 64 << 20 && stdin.write_all(&block).is_ok() {
            written += block.len();
        }
        written
    });
    let out = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with(&format!("error: {TOO_LARGE}\n")), "{}", text(&out.stderr));
    assert!(written < 4 << 20, "the pipe took {written} bytes");
}

#[test]
fn a_long_one_line_file_is_quoted_in_a_short_excerpt() {
    // The finding: a 64 MiB one-line file gave 201 MB of error output. 3 MiB shows the same.
    let dir = scratch("long-line", &[]);
    let model = dir.join("models/long.mc");
    std::fs::write(&model, "x".repeat(3 << 20)).unwrap();
    let out = run(&dir, &["check", "models/long.mc"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with(&format!("error: {TOO_LARGE}\n")), "{stderr}");
    assert!(stderr.len() < 1024, "{} bytes of error", stderr.len());
    // A line the compiler reads (under the limit) is clamped too.
    std::fs::write(&model, format!("model m\n{}", "y".repeat(500_000))).unwrap();
    let out = run(&dir, &["check", "models/long.mc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stderr.len() < 2048, "{} bytes of error", out.stderr.len());
}

// Replay messages.

/// The golden seed-bug trace with `edit` applied, written to `dir/traces/edited.json`.
fn edited_trace(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let golden = std::fs::read_to_string(root().join("traces/seed_bug.json")).unwrap();
    let mut trace: serde_json::Value = serde_json::from_str(&golden).unwrap();
    edit(&mut trace);
    std::fs::create_dir_all(dir.join("traces")).unwrap();
    std::fs::write(dir.join("traces/edited.json"), serde_json::to_string_pretty(&trace).unwrap()).unwrap();
}

#[test]
fn replay_of_an_edited_pc_names_the_expected_and_the_found_instruction() {
    let dir = scratch("edited-pc", &["seed_bug.mc"]);
    edited_trace(&dir, |t| t["steps"][0]["pc"] = 4.into());
    let out = run(&dir, &["replay", "traces/edited.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).ends_with(
        "does not reproduce: step 1: worker[0] is at instruction 0 (line 21, `while round < 2`); \
         the trace expects it at instruction 4 (line 21, `while round < 2`): the model's code or the trace has changed\n"
    ));
}

#[test]
fn replay_of_a_trace_with_a_step_after_its_violation_is_an_error() {
    let dir = scratch("extra-step", &["seed_bug.mc"]);
    edited_trace(&dir, |t| {
        let steps = t["steps"].as_array_mut().unwrap();
        let mut extra = steps[11].clone();
        extra["index"] = 13.into();
        steps.push(extra);
    });
    let out = run(&dir, &["replay", "traces/edited.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).ends_with(
        "does not reproduce: step 13: the violation (leaked_ownership) happens at step 12 as the trace says, \
         but the trace goes on for 1 more step after it; a trace ends at its violation\n"
    ));
}

#[test]
fn replay_refuses_a_trace_whose_crash_budget_is_out_of_range() {
    let dir = scratch("budget", &["seed_bug.mc"]);
    edited_trace(&dir, |t| t["options"]["crashes"] = 5000.into());
    let out = run(&dir, &["replay", "traces/edited.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr), "error: traces/edited.json: the crash budget 5000 is above the largest, 1000\n");
}

// Options.

#[test]
fn crashes_beyond_the_languages_range_are_refused() {
    let out = run(&root(), &["check", "models/seed_bug.mc", "--crashes", "1001", "--no-trace"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with(
        "error: invalid value '1001' for '--crashes <N>': the crash budget must be a whole number from 0 to 1000\n"
    ));
    let out = run(&root(), &["graph", "models/seed_bug.mc", "--crashes", "1001"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&root(), &["check", "models/seed_bug.mc", "--crashes", "1000", "--no-trace", "-q"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_time_limit_takes_fractions_and_refuses_negative_or_non_numbers() {
    let out = run(&root(), &["check", "models/seed_bug.mc", "--time-limit", "0.5", "--no-trace", "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    for bad in ["-1", "nan", "inf", "ten"] {
        let out = run(&root(), &["check", "models/seed_bug.mc", &format!("--time-limit={bad}")]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(text(&out.stderr).starts_with(&format!("error: invalid value '{bad}' for '--time-limit <SECS>'")));
    }
}

#[test]
fn zero_time_or_memory_stops_at_once_even_on_a_small_model() {
    let out = run(&root(), &["check", "models/seed_bug.mc", "--time-limit", "0", "--no-timings", "--no-trace"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stdout).contains(
        "verdict: incomplete (time_limit): no violation in 1 state, but the time limit of 0 s was reached\n"
    ));
    let out = run(&root(), &["check", "models/seed_bug.mc", "--max-memory", "0", "--no-timings", "--no-trace"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stdout).contains(
        "verdict: incomplete (max_memory): no violation in 1 state, but the memory limit of 0 MB was reached\n"
    ));
}

#[test]
fn a_trace_that_cannot_be_written_exits_4_after_the_verdict() {
    let dir = scratch("unwritable", &["seed_bug.mc"]);
    std::fs::write(dir.join("not-a-dir"), "").unwrap();
    let out = run(&dir, &["check", "models/seed_bug.mc", "--trace-out", "not-a-dir/t.json", "-q"]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(text(&out.stdout), "verdict: violation (leaked_ownership)\nworker[1] ended owning m (count 1)\n");
    assert!(text(&out.stderr).starts_with("error: cannot write the trace to `not-a-dir/t.json`: "));
}

#[test]
fn ctrl_c_stops_the_search_with_its_statistics_and_exit_3() {
    // Far more states than a debug build explores in a second.
    let child = mutexcheck(&root())
        .args(["check", "models/bench/repair_n7_k4_c1.mc", "--no-reduce", "--threads", "1", "--no-timings"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // SAFETY: kill(2) on our own child's pid, which has not been waited for yet.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed().as_secs() < 10, "took {:?} to stop", started.elapsed());
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("verdict: incomplete (interrupted): no violation in "), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains(" states, but the run was interrupted (Ctrl-C)\n"), "{stdout}");
    assert!(stdout.contains("\nstatistics:\n  states:"), "{stdout}");
    assert!(text(&out.stderr).contains("interrupted: stopping (Ctrl-C again to stop at once)\n"));
}

// Where traces go.

#[test]
fn other_options_write_other_trace_files_and_never_replace_the_default_silently() {
    let dir = scratch("names", &["seed_bug.mc"]);
    let written = |args: &[&str]| {
        let mut all = vec!["check", "models/seed_bug.mc", "--no-timings"];
        all.extend_from_slice(args);
        let out = run(&dir, &all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stdout = text(&out.stdout);
        stdout.lines().last().unwrap().to_string()
    };
    let golden = std::fs::read_to_string(root().join("traces/seed_bug.json")).unwrap();
    let default = dir.join("traces/seed_bug.json");
    assert_eq!(written(&[]), "trace written to traces/seed_bug.json (replay: mutexcheck replay traces/seed_bug.json)");
    for (args, name) in [
        (&["--dfs"][..], "seed_bug.dfs"),
        (&["--dfs", "--max-depth", "40"], "seed_bug.dfs.depth-40"),
        (&["--no-por"], "seed_bug.no-por"),
        (&["--no-symmetry"], "seed_bug.no-symmetry"),
        (&["--shortest"], "seed_bug.no-reduce"),
        (&["--crashes", "1"], "seed_bug.crashes-1"),
    ] {
        let line = written(args);
        assert_eq!(line, format!("trace written to traces/{name}.json (replay: mutexcheck replay traces/{name}.json)"));
        assert_eq!(std::fs::read_to_string(&default).unwrap(), golden, "{args:?} touched the default trace");
        let replay = run(&dir, &["replay", &format!("traces/{name}.json")]);
        assert_eq!(replay.status.code(), Some(1), "{name}: {}", text(&replay.stdout));
    }
    // The same run again writes the same bytes and says nothing more; a different file is
    // replaced, and the output says so.
    assert_eq!(written(&[]), "trace written to traces/seed_bug.json (replay: mutexcheck replay traces/seed_bug.json)");
    std::fs::write(&default, "{}").unwrap();
    assert_eq!(
        written(&[]),
        "trace written to traces/seed_bug.json, replacing a different trace (replay: mutexcheck replay traces/seed_bug.json)"
    );
    assert_eq!(std::fs::read_to_string(&default).unwrap(), golden);
}

// Docs.

#[test]
fn the_worked_example_gives_the_length_of_a_real_shortest_run() {
    // docs/language.md once called a 17-step story "shortest"; the shortest has 12 steps.
    let doc = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let claim = doc.split("A shortest run to the violation has ").nth(1).expect("the worked example's claim");
    let steps: usize = claim.split(' ').next().unwrap().parse().unwrap();
    let out = run(&root(), &["check", "models/seed_bug.mc", "--shortest", "--no-trace", "--no-timings"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains(&format!("\nshortest counterexample ({steps} steps):\n")), "{steps}");
}

#[test]
fn the_readme_says_how_to_install_the_binary_on_the_path() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("cargo install --locked --path crates/cli"));
    let manifest = std::fs::read_to_string(root().join("crates/cli/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"mutexcheck\"\npath = \"src/main.rs\""), "the binary is crates/cli's");
}
