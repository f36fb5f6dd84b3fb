//! mutexcheck's transition system as a [`Checkable`]: every built-in and declared property.
//!
//! The order in which properties are checked, which decides the one reported when a state or
//! a step breaks several:
//! - a step: its fault (assert, out_of_range, recursion_limit: a faulting step does nothing
//!   else), then an ignored `NOT_OWNER` release (release_not_owner), then mutexes its thread
//!   left owned by ending (leaked_ownership), then `protect` predicates of the mutex a first
//!   wait took with `OK`, in declaration order;
//! - a state: `invariant` and `protect` properties in declaration order (a protect predicate
//!   only while its mutex is free and not abandoned), then deadlock, then `at end` properties
//!   in declaration order (only in final states).
//!
//! A property whose predicate cannot be evaluated (division by zero, index out of bounds) is
//! reported as out_of_range.

use mutexcheck_core::ir::{Expr, Op, Property, Scope};
use mutexcheck_core::pack::Packer;
use mutexcheck_core::symmetry::Symmetry;
use mutexcheck_core::{
    Action, Fault, Outcome, ReleaseOutcome, State, Step, System, ThreadId, ThreadStatus, WaitOutcome,
};

use crate::checkable::Checkable;
use crate::properties::{Violation, ViolationKind};

/// A validated mutexcheck [`System`] seen by the search.
pub struct SystemModel<'a> {
    system: &'a System,
    packer: Packer,
    /// With symmetry reduction, the instances that packing sorts into one order.
    symmetry: Option<Symmetry>,
}

impl<'a> SystemModel<'a> {
    /// Wraps a system for checking.
    pub fn new(system: &'a System) -> SystemModel<'a> {
        SystemModel { system, packer: system.packer(), symmetry: None }
    }

    /// Wraps a system for checking with symmetry reduction: states that differ only by a swap
    /// of interchangeable process instances (see [`System::symmetry`]) pack the same, so the
    /// search stores one of them. Without interchangeable instances this is [`SystemModel::new`].
    pub fn with_symmetry(system: &'a System) -> SystemModel<'a> {
        let symmetry = Some(system.symmetry()).filter(|s| !s.is_empty());
        SystemModel { system, packer: system.packer(), symmetry }
    }

    /// `worker[0] at line 12 (`a = a + 1`)`: who ran which statement.
    fn at(&self, action: &Action) -> String {
        let actor = self.system.actor(action);
        match self.system.instr(action) {
            Some(i) if i.span.line > 0 => format!("{actor} at line {} (`{}`)", i.span.line, i.text),
            Some(i) if !i.text.is_empty() => format!("{actor} at `{}`", i.text),
            _ => actor.to_string(),
        }
    }

    /// The values a predicate reads, as `a = 1, b = 0`, in the order it first reads them.
    fn values_read(&self, state: &State, cond: &Expr) -> String {
        let mut names: Vec<String> = Vec::new();
        collect_names(self.system, cond, &mut names);
        let items = self.system.items(state);
        let mut shown = Vec::new();
        for name in &names {
            let prefix = format!("{name}[");
            for item in items.iter().filter(|i| i.name == *name || i.name.starts_with(&prefix)) {
                shown.push(format!("{} = {}", item.name, item.value));
            }
        }
        shown.join(", ")
    }

    /// Evaluates a property, turning an evaluation fault into an out_of_range violation.
    fn eval(&self, state: &State, property: &Property, text: &str) -> Result<bool, Violation> {
        self.system.holds(state, property).map_err(|f| {
            Violation::new(
                ViolationKind::OutOfRange,
                format!("property `{text}` cannot be evaluated: {}", self.system.fault_text(&f)),
            )
        })
    }

    fn mutex_name(&self, m: usize) -> &str {
        &self.system.model().mutexes[m].name
    }

    /// `cond` with the values it reads, for a violation message.
    fn false_with_values(&self, state: &State, cond: &Expr, text: &str) -> String {
        let values = self.values_read(state, cond);
        if values.is_empty() {
            format!("`{text}` is false")
        } else {
            format!("`{text}` is false ({values})")
        }
    }

    fn fault_violation(&self, action: &Action, fault: &Fault) -> Violation {
        let at = self.at(action);
        let kind = match fault {
            Fault::AssertFailed => ViolationKind::Assert,
            Fault::RecursionLimit { .. } => ViolationKind::RecursionLimit,
            Fault::OutOfRange { .. }
            | Fault::IndexOutOfBounds { .. }
            | Fault::Overflow { .. }
            | Fault::DivisionByZero => ViolationKind::OutOfRange,
        };
        let message = match fault {
            Fault::AssertFailed => format!("assertion failed in {at}"),
            f => format!("{}: {}", at, self.system.fault_text(f)),
        };
        Violation::new(kind, message)
    }
}

/// Names of the shared variables and mutexes an expression reads, without repeats.
fn collect_names(system: &System, e: &Expr, out: &mut Vec<String>) {
    let mut push = |name: &str| {
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    };
    match e {
        Expr::Var(v) | Expr::Index(v, _) if v.scope == Scope::Shared => {
            push(&system.model().shared[v.index].name);
        }
        Expr::MutexCount(m) | Expr::Owns(m) | Expr::MutexAbandoned(m) => push(&system.model().mutexes[*m].name),
        _ => {}
    }
    match e {
        Expr::Index(_, i) | Expr::Unary(_, i) => collect_names(system, i, out),
        Expr::Binary(_, a, b) => {
            collect_names(system, a, out);
            collect_names(system, b, out);
        }
        _ => {}
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Checkable for SystemModel<'_> {
    type State = State;
    type Step = Step;

    fn packed_words(&self) -> usize {
        self.packer.words()
    }

    fn pack(&self, state: &State, out: &mut [u64]) {
        match &self.symmetry {
            None => self.packer.pack(state, out),
            Some(sym) => {
                let mut canonical = state.clone();
                self.system.canonicalize(sym, &mut canonical);
                self.packer.pack(&canonical, out)
            }
        }
    }

    fn reduced(&self) -> bool {
        self.symmetry.is_some()
    }

    fn unpack(&self, packed: &[u64]) -> State {
        self.packer.unpack(packed)
    }

    fn unpack_into(&self, packed: &[u64], state: &mut State) {
        self.packer.unpack_into(packed, state)
    }

    fn initial_state(&self) -> State {
        self.system.initial_state()
    }

    fn successors(&self, state: &State, out: &mut Vec<(Step, State)>) {
        self.system.successors(state, out)
    }

    fn step_violation(&self, _before: &State, step: &Step, after: &State) -> Option<Violation> {
        let sys = self.system;
        if let Outcome::Fault(f) = &step.outcome {
            return Some(self.fault_violation(&step.action, f));
        }
        if let Outcome::Release { outcome: ReleaseOutcome::NotOwner, checked: false } = step.outcome {
            let mutex = match sys.instr(&step.action).map(|i| &i.op) {
                Some(Op::Release { mutex, .. }) => self.mutex_name(*mutex).to_string(),
                _ => "a mutex".to_string(),
            };
            return Some(Violation::new(
                ViolationKind::ReleaseNotOwner,
                format!("{} released {mutex} without owning it and ignored the NOT_OWNER result", self.at(&step.action)),
            ));
        }
        let leaked: Vec<String> = step
            .abandoned
            .iter()
            .filter(|a| !a.by_crash)
            .map(|a| format!("{} (count {})", self.mutex_name(a.mutex), a.count))
            .collect();
        if let Some(owner) = step.abandoned.iter().find(|a| !a.by_crash).map(|a| a.owner) {
            return Some(Violation::new(
                ViolationKind::LeakedOwnership,
                format!("{} ended owning {}", sys.thread_name(owner), and_list(&leaked)),
            ));
        }
        if let Outcome::Wait { outcome: WaitOutcome::Ok, count: 1 } = step.outcome {
            if let Some(Op::Wait { mutex, .. }) = sys.instr(&step.action).map(|i| &i.op) {
                for p in &sys.model().properties {
                    if let Property::Protect { mutex: m, cond, text, .. } = p {
                        if m != mutex {
                            continue;
                        }
                        match self.eval(after, p, text) {
                            Err(v) => return Some(v),
                            Ok(true) => continue,
                            Ok(false) => {}
                        }
                        {
                            return Some(Violation::new(
                                ViolationKind::Protect,
                                format!(
                                    "{} acquired {} with OK while its protected condition {}",
                                    self.at(&step.action),
                                    self.mutex_name(*m),
                                    self.false_with_values(after, cond, text)
                                ),
                            ));
                        }
                    }
                }
            }
        }
        None
    }

    fn state_violation(&self, state: &State) -> Option<Violation> {
        for p in &self.system.model().properties {
            match p {
                Property::Invariant { name, cond, text, .. } => match self.eval(state, p, text) {
                    Err(v) => return Some(v),
                    Ok(false) => {
                        return Some(Violation::new(
                            ViolationKind::Invariant,
                            format!("invariant {name}: {}", self.false_with_values(state, cond, text)),
                        ))
                    }
                    Ok(true) => {}
                },
                Property::Protect { mutex, cond, text, .. } => {
                    let m = self.system.mutex(state, *mutex);
                    if !m.is_free() || m.abandoned {
                        continue;
                    }
                    match self.eval(state, p, text) {
                        Err(v) => return Some(v),
                        Ok(false) => {
                            return Some(Violation::new(
                                ViolationKind::Protect,
                                format!(
                                    "{} is free and not abandoned but its protected condition {}",
                                    self.mutex_name(*mutex),
                                    self.false_with_values(state, cond, text)
                                ),
                            ))
                        }
                        Ok(true) => {}
                    }
                }
                Property::AtEnd { .. } => {}
            }
        }
        None
    }

    /// A thread whose status is `Running` always has an enabled step (the core enumerates
    /// one for every instruction of a running thread except an infinite wait on a mutex
    /// another thread owns, which is exactly `Blocked`), so "no thread step is enabled" is
    /// "no thread is `Running`". Crashes and restarts are not progress.
    fn deadlock(&self, state: &State) -> Option<Violation> {
        let sys = self.system;
        let threads = 0..sys.thread_count() as ThreadId;
        if threads.clone().any(|t| sys.thread_status(state, t) == ThreadStatus::Running) {
            return None;
        }
        let waits: Vec<String> = threads
            .filter(|&t| sys.thread_status(state, t) == ThreadStatus::Blocked)
            .map(|t| {
                let action = Action::Run { thread: t, pc: sys.pc(state, t) };
                match sys.instr(&action).map(|i| &i.op) {
                    Some(Op::Wait { mutex, .. }) => format!(
                        "{} waits forever for {} ({})",
                        self.at(&action),
                        self.mutex_name(*mutex),
                        sys.mutex_text(sys.mutex(state, *mutex))
                    ),
                    _ => format!("{} waits forever", self.at(&action)),
                }
            })
            .collect();
        if waits.is_empty() {
            return None;
        }
        Some(Violation::new(ViolationKind::Deadlock, format!("deadlock: {}", and_list(&waits))))
    }

    fn final_violation(&self, state: &State) -> Option<Violation> {
        if !self.system.is_final(state) {
            return None;
        }
        for p in &self.system.model().properties {
            if let Property::AtEnd { cond, text, .. } = p {
                match self.eval(state, p, text) {
                    Err(v) => return Some(v),
                    Ok(false) => {
                        return Some(Violation::new(
                            ViolationKind::AtEnd,
                            format!("at the end of the run {}", self.false_with_values(state, cond, text)),
                        ))
                    }
                    Ok(true) => {}
                }
            }
        }
        None
    }
}
