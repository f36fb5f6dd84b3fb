//! Every model shipped in `models/` compiles, declares its expected verdict, and is accepted
//! by the core.

use mutexcheck_lang::{compile, expected_verdict, Expect};
use std::path::PathBuf;

const KINDS: [&str; 13] = [
    "protect",
    "invariant",
    "assert",
    "deadlock",
    "leaked_ownership",
    "release_not_owner",
    "out_of_range",
    "recursion_limit",
    "at_end",
    "not_recoverable",
    "livelock",
    "starvation",
    "unguarded_access",
];

fn model_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("models/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mc"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_model_compiles_and_the_core_accepts_it() {
    let files = model_files();
    assert!(files.len() >= 5, "expected the shipped models, found {files:?}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let shown = path.display().to_string();
        match compile(&shown, &bytes) {
            Ok(model) => {
                if let Err(e) = mutexcheck_core::System::new(model) {
                    panic!("{shown}: core rejects the compiled model: {e}");
                }
            }
            Err(d) => panic!("{}", d.render(&shown, &bytes)),
        }
    }
}

#[test]
fn every_model_declares_a_known_expected_verdict() {
    for path in model_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        match expected_verdict(&text) {
            Some(Expect::Ok) => {}
            Some(Expect::Violation(kind)) => {
                assert!(KINDS.contains(&kind.as_str()), "{}: unknown violation kind `{kind}`", path.display())
            }
            None => panic!("{}: no `// expect: ...` line in the header", path.display()),
        }
    }
}

#[test]
fn the_required_models_are_present_with_their_verdicts() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let want = [
        ("seed_bug.mc", Expect::Violation("leaked_ownership".into())),
        ("seed_fixed.mc", Expect::Ok),
        ("ignore_abandoned.mc", Expect::Violation("protect".into())),
        ("lock_order_deadlock.mc", Expect::Violation("deadlock".into())),
        ("lock_order_fixed.mc", Expect::Ok),
        ("posix_seed_bug.mc", Expect::Violation("leaked_ownership".into())),
        ("posix_forgot_consistent.mc", Expect::Violation("not_recoverable".into())),
        ("posix_fixed.mc", Expect::Ok),
    ];
    for (name, expect) in want {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(expected_verdict(&text), Some(expect), "{name}");
    }
}
