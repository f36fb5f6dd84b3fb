//! The Win32 conformance scenarios (`win32_conformance/scenarios.txt`) on the model alone: the
//! file parses, and the core's `MutexState` gives every step the result the file writes after
//! `->`, which is what the Win32 documentation says. Needs no Wine; the comparison with a real
//! Win32 (Wine) is `scripts/conformance-win32`, which runs the same scenarios on both sides.

#[path = "win32_conformance/model.rs"]
mod model;

use model::{ActorKind, Op};

#[test]
fn the_model_gives_every_win32_scenario_step_its_documented_result() {
    let scenarios = model::parse(model::SCENARIOS).unwrap();
    let mut differing = Vec::new();
    for scenario in &scenarios {
        let results = model::run(scenario).unwrap();
        for (step, result) in scenario.steps.iter().zip(&results) {
            if *result != step.documented {
                differing.push(format!(
                    "  scenarios.txt:{}: {}: {} {}: documented {}, the model says {result}",
                    step.line, scenario.name, scenario.actors[step.actor].0, step.op, step.documented
                ));
            }
        }
    }
    assert!(differing.is_empty(), "the model differs from the documented results:\n{}", differing.join("\n"));
}

/// The issue's list, in Win32 terms: each item has a scenario that shows it.
#[test]
fn the_scenarios_cover_the_issues_list() {
    let scenarios = model::parse(model::SCENARIOS).unwrap();
    let shows = |wanted: &dyn Fn(&model::Scenario, &model::Step) -> bool| {
        scenarios.iter().any(|scenario| scenario.steps.iter().any(|step| wanted(scenario, step)))
    };
    let abandoned_after = |end: Op| {
        move |scenario: &model::Scenario, step: &model::Step| {
            let mut earlier = scenario.steps.iter().take_while(|earlier| !std::ptr::eq(*earlier, step));
            step.documented == "WAIT_ABANDONED" && earlier.any(|earlier| earlier.op == end)
        }
    };
    assert!(shows(&abandoned_after(Op::Terminate)), "WAIT_ABANDONED after TerminateProcess");
    assert!(shows(&abandoned_after(Op::ExitThread)), "WAIT_ABANDONED after a thread's exit");
    assert!(shows(&abandoned_after(Op::CallExitThread)), "WAIT_ABANDONED after ExitThread");
    assert!(shows(&abandoned_after(Op::KillThread)), "WAIT_ABANDONED after TerminateThread");
    assert!(shows(&|_, step| step.op == Op::Release && step.documented == "ERROR_NOT_OWNER"), "ERROR_NOT_OWNER");
    assert!(shows(&|_, step| step.op == Op::Wait(0) && step.documented == "WAIT_TIMEOUT"), "zero-timeout timeout");
    assert!(
        scenarios
            .iter()
            .any(|s| s.name.contains("recursion") && s.steps.iter().filter(|t| t.op == Op::Release).count() >= 3),
        "recursion"
    );
    assert!(scenarios.iter().any(|s| s.name == "abandonment-cleared-after-release"), "abandonment cleared");
    let kinds: Vec<ActorKind> = scenarios.iter().flat_map(|s| s.actors.iter().map(|a| a.1)).collect();
    assert!(kinds.contains(&ActorKind::Thread) && kinds.contains(&ActorKind::Process));
}

#[test]
fn the_table_has_one_line_per_step() {
    let scenarios = model::parse(model::SCENARIOS).unwrap();
    let steps: usize = scenarios.iter().map(|s| s.steps.len()).sum();
    let table = model::table(&scenarios).unwrap();
    assert_eq!(table.len(), steps);
    assert_eq!(
        table[0],
        model::table_line(&scenarios[0].name, 1, &scenarios[0].actors[0].0, "wait 0", "WAIT_OBJECT_0")
    );
}

#[test]
fn malformed_scenario_files_are_refused_with_their_line() {
    let refused = |text: &str| model::parse(text).err().unwrap_or_default();
    assert!(refused("thread A\n").contains(":1:"));
    assert!(refused("scenario s\n thread A\n A wait 0\n").contains("without `-> RESULT`"));
    assert!(refused("scenario s\n thread A\n B wait 0 -> WAIT_OBJECT_0\n").contains("undeclared"));
    assert!(refused("scenario s\n thread A\n A terminate -> ended\n").contains("process actors"));
    assert!(refused("scenario s\n thread A\n A wait -> WAIT_OBJECT_0\n").contains("unknown operation"));
    assert!(refused("scenario s\nscenario s\n").contains("second scenario"));
}
