//! The run being played: a path of moves from the initial state, each named by its index in
//! the canonical order of [`System::successors`], so the same clicks always give the same run.

use mutexcheck_checker::trace::format::outcome_fields;
use mutexcheck_checker::trace::{replay_run, ReplayVerdict, TraceFile, TraceOptions};
use mutexcheck_checker::{Checks, Counterexample, Dfs, Reductions, Request, TraceStep, Violation};
use mutexcheck_core::{Action, State, Step, System};
use mutexcheck_view::snapshot::{RunInfo, ViewData, ViolationView};
use serde::Serialize;

/// A model being played by hand: the moves taken so far and the states they led to.
pub struct Session {
    system: System,
    source: Vec<u8>,
    model_path: String,
    /// Where `save` writes the run as a trace.
    save_path: String,
    /// The move taken at each step: its index among the successors of the state before it.
    path: Vec<usize>,
    /// The initial state, then the state after each step.
    states: Vec<State>,
    /// The steps taken.
    steps: Vec<Step>,
}

/// Why a request cannot be carried out in the current state (the server answers 409).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

/// One enabled move, as the page lists it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct MoveView {
    /// Its index among the successors of the current state (canonical order).
    pub index: usize,
    /// The step in one line, as the text report writes it:
    /// `worker[1] line 22: let r = wait m timeout [ABANDONED (count 1)]`, `worker[0] crashed`.
    pub text: String,
    /// Who moves: a thread, or the process that crashes or restarts.
    pub actor: String,
    /// `run`, `crash` or `restart`.
    pub action: String,
    /// What the operation returns, as a trace writes it: `OK`, `TIMEOUT`, `true`, ...
    pub outcome: String,
}

/// Everything the page shows after a request: the run drawn as the viewer draws it, what
/// state the run is in, and the moves it may take next.
#[derive(Clone, Debug, Serialize)]
pub struct StateView {
    /// The run so far, as the trace viewer draws it.
    pub view: ViewData,
    /// `running` (moves to pick), `violation` (a property is broken: the run stops, as a
    /// search's and a trace's do) or `ended` (nothing can move, nothing is broken).
    pub status: &'static str,
    /// The violation of the current state, if any.
    pub violation: Option<ViolationView>,
    /// The number of steps taken.
    pub steps: usize,
    /// The move index taken at each step.
    pub path: Vec<usize>,
    /// The enabled moves (none once a property is broken).
    pub moves: Vec<MoveView>,
}

impl Session {
    /// A session at the initial state of `system` (whose model file is `model_path`, with
    /// bytes `source`); `save` writes to `save_path`.
    pub fn new(system: System, source: Vec<u8>, model_path: &str, save_path: &str) -> Session {
        let initial = system.initial_state();
        Session {
            system,
            source,
            model_path: model_path.to_string(),
            save_path: save_path.to_string(),
            path: Vec::new(),
            states: vec![initial],
            steps: Vec::new(),
        }
    }

    /// A session at the end of `trace`, its steps as the history (so the user can go back and
    /// branch off anywhere); refused when the trace does not replay on the model.
    pub fn from_trace(
        system: System,
        source: Vec<u8>,
        model_path: &str,
        save_path: &str,
        trace: &TraceFile,
    ) -> Result<Session, String> {
        let run = replay_run(&system, trace);
        if let ReplayVerdict::Diverged { step, reason } = run.replay.verdict {
            return Err(format!("the trace does not replay on this model: step {step}: {reason}"));
        }
        let mut session = Session::new(system, source, model_path, save_path);
        for (k, taken) in run.steps.iter().enumerate() {
            let index = mutexcheck_checker::path::find(&session.successors(), |step, next| {
                *step == taken.step && *next == taken.state
            })
            .ok_or_else(|| format!("step {} of the trace is not a move of the model", k + 1))?;
            session.take(index);
        }
        Ok(session)
    }

    /// The system being played.
    pub fn system(&self) -> &System {
        &self.system
    }

    fn current(&self) -> &State {
        self.states.last().expect("the initial state is always there")
    }

    fn successors(&self) -> Vec<(Step, State)> {
        let mut out = Vec::new();
        self.system.successors(self.current(), &mut out);
        out
    }

    fn take(&mut self, index: usize) {
        let (step, next) = self.successors().swap_remove(index);
        self.path.push(index);
        self.steps.push(step);
        self.states.push(next);
    }

    /// The property the current state (or the step into it) breaks, checked as the search
    /// checks it ([`Checks`]).
    pub fn violation(&self) -> Option<Violation> {
        let checks = Checks::new(&self.system);
        let n = self.steps.len();
        let step_violation = match n {
            0 => None,
            _ => checks.step_violation(&self.states[n - 1], &self.steps[n - 1], &self.states[n]),
        };
        step_violation.or_else(|| checks.state_hooks(self.current()))
    }

    /// The enabled moves of the current state, in canonical order; none once a property is
    /// broken (a run stops at its first violation).
    pub fn moves(&self) -> Vec<MoveView> {
        if self.violation().is_some() {
            return Vec::new();
        }
        self.successors()
            .iter()
            .enumerate()
            .map(|(index, (step, _))| MoveView {
                index,
                text: self.system.step_text(step),
                actor: self.system.actor(&step.action).to_string(),
                action: match step.action {
                    Action::Run { .. } => "run",
                    Action::Crash { .. } => "crash",
                    Action::Restart { .. } => "restart",
                    Action::Die { .. } => "die",
                }
                .to_string(),
                outcome: outcome_fields(&self.system, &step.outcome).0,
            })
            .collect()
    }

    /// Takes move `index` of the current state.
    pub fn play(&mut self, index: usize) -> Result<(), Refused> {
        if let Some(v) = self.violation() {
            return Err(Refused(format!(
                "the run has already broken a property ({}): it stops there; undo or go back to branch off",
                v.kind
            )));
        }
        let n = self.successors().len();
        if index >= n {
            return Err(Refused(format!("there is no move {index} here: {n} moves are enabled")));
        }
        self.take(index);
        Ok(())
    }

    /// Takes back the last move.
    pub fn undo(&mut self) -> Result<(), Refused> {
        if self.path.is_empty() {
            return Err(Refused("nothing to undo: the run is at its initial state".into()));
        }
        self.back_to(self.path.len() - 1)
    }

    /// Goes back to the state after step `n` (0: the initial state), forgetting the steps
    /// after it, so that the next move branches off there.
    pub fn back_to(&mut self, n: usize) -> Result<(), Refused> {
        if n > self.path.len() {
            return Err(Refused(format!("there is no step {n}: the run has {} steps", self.path.len())));
        }
        self.path.truncate(n);
        self.steps.truncate(n);
        self.states.truncate(n + 1);
        Ok(())
    }

    /// Each step taken with the state after it.
    fn run_steps(&self) -> Vec<TraceStep> {
        self.steps
            .iter()
            .zip(&self.states[1..])
            .map(|(step, state)| TraceStep { step: step.clone(), state: state.clone() })
            .collect()
    }

    /// The run so far as a counterexample, when it breaks a property.
    fn counterexample(&self) -> Option<Counterexample> {
        let violation = self.violation()?;
        Some(Counterexample::new(violation, self.states[0].clone(), self.run_steps(), false))
    }

    /// The run as a trace `replay` accepts; refused while it breaks no property (a trace is
    /// a counterexample: replay checks that its violation happens).
    pub fn trace(&self) -> Result<TraceFile, Refused> {
        let Some(c) = self.counterexample() else {
            return Err(Refused(
                "the run breaks no property yet: a trace is a counterexample, so there is nothing to save".into(),
            ));
        };
        // A played run is one path followed to its end: depth-first, no reduction.
        let options = TraceOptions::new(&self.system, &Request::new().engine(Dfs::new()).reductions(Reductions::NONE));
        Ok(TraceFile::new(&self.system, &self.model_path, &self.source, options, &c))
    }

    /// Writes the run as a trace to the save path and returns that path.
    pub fn save(&self) -> Result<String, Refused> {
        let trace = self.trace()?;
        let path = &self.save_path;
        let written = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, trace.to_json()));
        written.map_err(|e| Refused(format!("cannot write the trace to `{path}`: {e}")))?;
        Ok(path.clone())
    }

    /// What the page shows now.
    pub fn view(&self) -> StateView {
        let violation = self.violation().map(|v| ViolationView {
            kind: v.kind.name().to_string(),
            message: v.message,
            step: self.steps.len(),
            cycle_start: None,
        });
        let moves = self.moves();
        let status = match (&violation, moves.is_empty()) {
            (Some(_), _) => "violation",
            (None, true) => "ended",
            (None, false) => "running",
        };
        let info = RunInfo {
            model_path: self.model_path.clone(),
            options: format!("explore · crashes allowed: {}", self.system.model().crashes),
            violation: violation.clone(),
        };
        StateView {
            view: ViewData::of_run(&self.system, info, &self.source, &self.states[0], &self.run_steps()),
            status,
            violation,
            steps: self.path.len(),
            path: self.path.clone(),
            moves,
        }
    }
}
