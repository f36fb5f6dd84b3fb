//! The step checks' quick answer (`Checks::step_violation` deciding inline that a step
//! breaks nothing) against the rules themselves, on every step of the shipped models.

use std::collections::{HashSet, VecDeque};
use std::path::Path;

use super::*;

#[test]
fn the_quick_answer_of_the_step_checks_is_the_rules_answer_on_every_step_of_the_shipped_models() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    let mut files: Vec<_> = [root.clone(), root.join("case-studies")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mc"))
        .collect();
    files.sort();
    let (mut steps, mut violations) = (0, 0);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let sys = System::new(mutexcheck_lang::compile("m.mc", text.as_bytes()).unwrap()).unwrap();
        let checks = Checks::new(&sys);
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([sys.initial_state()]);
        let mut out = Vec::new();
        while let Some(s) = queue.pop_front() {
            if seen.len() == 2_000 || !seen.insert(s.clone()) {
                continue;
            }
            out.clear();
            sys.successors(&s, &mut out);
            for (step, next) in out.drain(..) {
                let rules = checks.step_rules(&s, &step, &next);
                assert_eq!(checks.step_violation(&s, &step, &next), rules, "{}: {step:?}", path.display());
                steps += 1;
                violations += rules.is_some() as usize;
                queue.push_back(next);
            }
        }
    }
    assert!(steps > 50_000, "{steps} steps");
    assert!(violations > 100, "{violations} steps that break a rule");
}
