//! Issue #24 item 5: a classroom model whose header promises progress ("every worker gets
//! m", "recovers the lock", "passes `progress`") checks that promise with a `progress`
//! statement or a `starvation` property, and passes; and the broken variant the header
//! describes fails it, so the check is not vacuous. (starvation_fixed.mc once passed while a
//! crash left the other workers spinning forever on the dead worker's turn.)

mod common;

use mutexcheck_checker::{prepare, CheckResult, Request, Verdict};

/// Phrases with which a header promises that workers keep getting the mutex.
const PROMISES: &[&str] =
    &["gets m again", "every worker gets", "recovers the lock", "passes `progress`", "spinning forever"];

fn check_source(name: &str, source: &str) -> CheckResult {
    let model = mutexcheck_lang::compile(name, source.as_bytes()).unwrap_or_else(|d| panic!("{name}: {d:?}"));
    let system = prepare(model, None).unwrap();
    let request = Request::new();
    request.check(&system, &request.guard(), &mut |_| {})
}

fn kind(r: &CheckResult) -> String {
    match &r.verdict {
        Verdict::Ok => "ok".into(),
        Verdict::Violation(c) => c.violation.kind.name().into(),
        Verdict::Incomplete(_) => "incomplete".into(),
    }
}

/// The header: the comment lines before `model`, as one line of words (a phrase may wrap).
fn header(source: &str) -> String {
    let lines = source.lines().take_while(|l| !l.starts_with("model "));
    lines.map(|l| l.trim_start_matches("//").trim()).collect::<Vec<_>>().join(" ")
}

fn states_progress(source: &str) -> bool {
    source.lines().any(|l| {
        let code = l.split("//").next().unwrap().trim();
        code == "progress" || code.starts_with("starvation ")
    })
}

fn source(file: &str) -> String {
    std::fs::read_to_string(common::repo().join("models").join(file)).unwrap()
}

#[test]
fn every_header_that_promises_progress_checks_it_and_passes() {
    let mut promising = Vec::new();
    for path in common::models_in(&common::repo().join("models")) {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let head = header(&text);
        if !head.contains("expect: ok") || !PROMISES.iter().any(|p| head.contains(p)) {
            continue;
        }
        assert!(
            states_progress(&text),
            "{file}: its header promises progress, but it has no `progress` or `starvation`"
        );
        assert_eq!(kind(&check_source(&file, &text)), "ok", "{file}");
        promising.push(file);
    }
    promising.sort();
    // The phrases find the models they are meant for (a list that found none would pass).
    assert_eq!(promising, ["livelock_fixed.mc", "pid_lock_fixed.mc", "pid_reuse.mc", "starvation_fixed.mc"]);
}

#[test]
fn starvation_fixed_without_skipping_a_dead_workers_turn_is_a_livelock() {
    // The model before issue #24: after one crash the others spin on the dead worker's turn.
    let text = source("starvation_fixed.mc");
    let skip = "            atomic {\n                if !alive(worker[turn]) {\n                    turn = (turn + 1) % 3    // its owner is dead: pass its turn on\n                }\n            }\n";
    assert!(text.contains(skip));
    let broken = text.replace(skip, "            skip\n");
    assert_eq!(kind(&check_source("starvation_fixed.mc", &broken)), "livelock");
    // Without crashes the turn never stops at a dead worker: ok either way.
    assert_eq!(
        kind(&check_source(
            "starvation_fixed.mc",
            &broken.replace("model starvation_fixed\n", "model starvation_fixed\ncrashes 0\n")
        )),
        "ok"
    );
}

#[test]
fn the_pid_locks_without_their_staleness_test_are_livelocks() {
    // pid_lock_fixed.mc's hint: with `false` for the `alive` test, a worker whose owner
    // crashed inside spins forever.
    let text = source("pid_lock_fixed.mc");
    let broken = text.replace("if owner == -1 || !alive(worker[owner]) {", "if owner == -1 || false {");
    assert_ne!(broken, text);
    assert_eq!(kind(&check_source("pid_lock_fixed.mc", &broken)), "livelock");
    // pid_reuse.mc's exercise: without the generation test, the restarted worker[0] waits
    // for its own dead incarnation.
    let text = source("pid_reuse.mc");
    let broken = text.replace(" || generation[owner] != owner_generation", "");
    assert_ne!(broken, text);
    assert_eq!(kind(&check_source("pid_reuse.mc", &broken)), "livelock");
}
