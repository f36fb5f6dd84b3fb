//! Every built-in and declared property of a model, checked on one step or one state of its
//! transition system: what the search ([`crate::SystemModel`]), the story of a counterexample
//! and replay all use.
//!
//! The order in which properties are checked, which decides the one reported when a state or
//! a step breaks several:
//! - a step: its fault (assert, out_of_range, recursion_limit: a faulting step does nothing
//!   else), then a read or write of a `guarded_by` variable without its mutex
//!   (unguarded_access, see [`mutexcheck_core::guarded`]), then an ignored `NOT_OWNER` release (release_not_owner), then mutexes its thread
//!   left owned by ending (leaked_ownership), then `protect` predicates of the mutex a first
//!   wait took with `OK`, in declaration order;
//! - a state: `invariant` and `protect` properties in declaration order (a protect predicate
//!   only while its mutex is free and not abandoned), then deadlock, then `at end` properties
//!   in declaration order (only in final states).
//!
//! State properties (`invariant`, `protect`'s free-mutex check, `at end`) are evaluated only
//! in states between steps ([`System::is_observable`]): never inside an `atomic` block whose
//! thread can go on, a state no other thread, no crash and no property can see. Every user
//! of these checks (the search, transient states of a move, the story, replay, the viewer)
//! gets the rule here, so they agree. Step checks stand where their step is: an `assert` and
//! a first `OK` wait's `protect` check inside a block see the block's own writes so far,
//! as the thread running it does.
//!
//! A property whose predicate cannot be evaluated (division by zero, index out of bounds) is
//! reported as out_of_range.
//!
//! An outcome the model allows (`allow leaked_ownership [m]`, `allow not_recoverable [m]`) is
//! not a violation of the step: [`Checks::allowed_events`] reports it instead, for the search
//! to count (see [`crate::allowed`]).

use mutexcheck_core::ir::{Expr, Op, Property, Scope, Semantics};
use mutexcheck_core::posix::{Consistency, LockOutcome, UnlockOutcome};
use mutexcheck_core::{
    Action, Fault, Outcome, ReleaseOutcome, State, Step, System, ThreadId, ThreadStatus, WaitOutcome,
};

use crate::allowed::AllowedEvent;
use crate::properties::{Violation, ViolationKind};
use mutexcheck_core::allow::AllowKind;
use mutexcheck_core::guarded::UnguardedAccess;
use mutexcheck_core::Abandonment;

/// The properties of one validated [`System`], checked on single steps and states.
#[derive(Clone, Copy)]
pub struct Checks<'a> {
    system: &'a System,
}

impl<'a> Checks<'a> {
    /// The properties of `system`.
    pub fn new(system: &'a System) -> Checks<'a> {
        Checks { system }
    }

    /// `worker[0] at line 12 (`a = a + 1`)`: who ran which statement.
    fn at(&self, action: &Action) -> String {
        let actor = self.system.actor(action);
        match self.system.instr(action) {
            Some(i) if i.span.line > 0 => format!("{actor} at {} (`{}`)", i.location(), i.text),
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

    /// Evaluates the model's `i`-th property (`text` is its text), turning an evaluation
    /// fault into an out_of_range violation. Asked of every state: no look-up of the property.
    #[inline]
    fn eval_at(&self, state: &State, i: usize, text: &str) -> Result<bool, Violation> {
        self.system.property_holds(state, i).map_err(|f| self.unevaluable(text, &f))
    }

    /// The violation of a property whose condition faults (`f`) when evaluated.
    #[cold]
    fn unevaluable(&self, text: &str, f: &Fault) -> Violation {
        Violation::new(
            ViolationKind::OutOfRange,
            format!("property `{text}` cannot be evaluated: {}", self.system.fault_text(f)),
        )
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

impl Checks<'_> {
    /// `worker[1] at line 14 (`a = a + 1`) wrote a, which is guarded by m, while m is owned
    /// by worker[0] (count 1)`: the mutex as it was when the access was judged.
    fn unguarded_violation(&self, before: &State, step: &Step, after: &State, access: &UnguardedAccess) -> Violation {
        let model = self.system.model();
        let mut var = model.shared[access.var].name.clone();
        if let Some(k) = access.element {
            var = format!("{var}[{k}]");
        }
        let mutex = self.mutex_name(access.mutex);
        let state = if access.after { after } else { before };
        let verb = if access.write { "wrote" } else { "read" };
        let owner = self.system.mutex_state_text(state, access.mutex);
        let at = self.at(&step.action);
        let message = if access.after {
            format!("{at} wrote {var}, which is guarded by {mutex}, with the result of a wait that did not take {mutex} ({mutex} is {owner})")
        } else {
            format!("{at} {verb} {var}, which is guarded by {mutex}, while {mutex} is {owner}")
        };
        Violation::new(ViolationKind::UnguardedAccess, message)
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
        // An element chosen when the condition is evaluated: every element may be the one.
        Expr::ElementQuery(_, element) => {
            for m in &system.model().mutexes[element.base..element.base + element.len as usize] {
                push(&m.name);
            }
        }
        _ => {}
    }
    match e {
        Expr::Index(_, i) | Expr::Unary(_, i) | Expr::Alive { index: i, .. } => collect_names(system, i, out),
        Expr::ElementQuery(_, element) => collect_names(system, &element.index, out),
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

impl Checks<'_> {
    /// The state hooks in their documented order: state properties, deadlock, end of run.
    pub fn state_hooks(&self, state: &State) -> Option<Violation> {
        self.state_violation(state).or_else(|| self.deadlock(state)).or_else(|| self.final_violation(state))
    }

    /// A violation the step `before --step--> after` itself commits: its fault, an ignored
    /// `NOT_OWNER`, a leak when its thread ends, a first `OK` wait on a protected mutex whose
    /// condition is false.
    ///
    /// Asked of every step a search takes: the quick answer for the steps that can break
    /// nothing is decided inline, where the search calls it.
    #[inline]
    pub fn step_violation(&self, before: &State, step: &Step, after: &State) -> Option<Violation> {
        // Most steps (an assignment, a branch, a choice, a crash, a release that returned OK,
        // a wait that did not take a mutex for the first time) can break none of the rules
        // below when they abandon nothing and the model guards no variable: no need to look.
        // Only these can: a fault, an unlock, an ignored NOT_OWNER, a first OK wait or lock.
        if step.abandoned.is_empty()
            && self.system.model().guards.is_empty()
            && !matches!(
                step.outcome,
                Outcome::Fault(_)
                    | Outcome::Unlock { .. }
                    | Outcome::Release { outcome: ReleaseOutcome::NotOwner, checked: false }
                    | Outcome::Wait { outcome: WaitOutcome::Ok, count: 1 }
                    | Outcome::Lock { outcome: LockOutcome::Ok, count: 1 }
            )
        {
            return None;
        }
        self.step_rules(before, step, after)
    }

    /// [`Checks::step_violation`] for a step that may break a rule.
    #[inline(never)]
    fn step_rules(&self, before: &State, step: &Step, after: &State) -> Option<Violation> {
        let sys = self.system;
        if let Outcome::Fault(f) = &step.outcome {
            return Some(self.fault_violation(&step.action, f));
        }
        if let Some(access) = sys.unguarded_access(before, step, after) {
            return Some(self.unguarded_violation(before, step, after, &access));
        }
        if let Outcome::Unlock { .. } = step.outcome {
            if let Some(v) = self.posix_unlock_violation(before, step, after) {
                return Some(v);
            }
        }
        if let Outcome::Release { outcome: ReleaseOutcome::NotOwner, checked: false } = step.outcome {
            let mutex = match sys.op_in(before, &step.action).as_deref() {
                Some(Op::Release { mutex, .. }) => self.mutex_name(*mutex).to_string(),
                _ => "a mutex".to_string(),
            };
            return Some(Violation::new(
                ViolationKind::ReleaseNotOwner,
                format!(
                    "{} released {mutex} without owning it and ignored the NOT_OWNER result",
                    self.at(&step.action)
                ),
            ));
        }
        // A leak of a mutex the model allows to leak is an allowed event, not a violation.
        let leak = |a: &&Abandonment| !a.by_crash && !sys.model().allows(AllowKind::LeakedOwnership, a.mutex);
        let leaked: Vec<String> = step
            .abandoned
            .iter()
            .filter(leak)
            .map(|a| format!("{} (count {})", self.mutex_name(a.mutex), a.count))
            .collect();
        if let Some(owner) = step.abandoned.iter().find(leak).map(|a| a.owner) {
            return Some(Violation::new(
                ViolationKind::LeakedOwnership,
                format!("{} ended owning {}", sys.thread_name(owner), and_list(&leaked)),
            ));
        }
        if let Outcome::Wait { outcome: WaitOutcome::Ok, count: 1 }
        | Outcome::Lock { outcome: LockOutcome::Ok, count: 1 } = step.outcome
        {
            if let Some(Op::Wait { mutex, .. }) = sys.op_in(before, &step.action).as_deref() {
                for (i, p) in sys.model().properties.iter().enumerate() {
                    if let Property::Protect { mutex: m, cond, text, .. } = p {
                        if m != mutex {
                            continue;
                        }
                        match self.eval_at(after, i, text) {
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

    /// The allowed events of the step `before --step--> after` (see [`crate::allowed`]):
    /// exactly what [`Checks::step_violation`] does not report because the model allows it.
    /// Asked of every step a search takes: decided inline for a model that allows nothing.
    #[inline]
    pub fn allowed_events(&self, before: &State, step: &Step, after: &State, out: &mut Vec<AllowedEvent>) {
        if !self.system.model().allowed.is_empty() {
            self.allowed_events_of(before, step, after, out);
        }
    }

    /// [`Checks::allowed_events`] in a model that allows something.
    #[inline(never)]
    fn allowed_events_of(&self, before: &State, step: &Step, after: &State, out: &mut Vec<AllowedEvent>) {
        let model = self.system.model();
        let Action::Run { pc, .. } = step.action else { return };
        for a in step.abandoned.iter().filter(|a| !a.by_crash) {
            if model.allows(AllowKind::LeakedOwnership, a.mutex) {
                let kind = AllowKind::LeakedOwnership;
                out.push(AllowedEvent { kind, mutex: a.mutex, thread: a.owner, pc, count: a.count });
            }
        }
        if let (Outcome::Unlock { .. }, Action::Run { thread, .. }) = (&step.outcome, step.action) {
            // The element of a mutex array the unlock chose, as its violation check finds it.
            let mutex = match self.system.op_in(before, &step.action).as_deref() {
                Some(Op::Release { mutex, .. }) => *mutex,
                _ => return,
            };
            let (was, now) = (self.system.posix_mutex(before, mutex), self.system.posix_mutex(after, mutex));
            if was.consistency != Consistency::NotRecoverable
                && now.consistency == Consistency::NotRecoverable
                && model.allows(AllowKind::NotRecoverable, mutex)
            {
                out.push(AllowedEvent { kind: AllowKind::NotRecoverable, mutex, thread, pc, count: 1 });
            }
        }
    }

    /// What a POSIX unlock may do wrong: unlock a mutex the thread does not own (`PERM`
    /// ignored, or a non-robust normal mutex silently unlocked: undefined in POSIX), or
    /// unlock it while inconsistent, which makes it not recoverable.
    fn posix_unlock_violation(&self, before: &State, step: &Step, after: &State) -> Option<Violation> {
        let Outcome::Unlock { outcome, checked } = step.outcome else { return None };
        let sys = self.system;
        let mutex = match sys.op_in(before, &step.action).as_deref() {
            Some(Op::Release { mutex, .. }) => *mutex,
            _ => return None,
        };
        let Action::Run { thread, .. } = step.action else { return None };
        let name = self.mutex_name(mutex);
        let (was, now) = (sys.posix_mutex(before, mutex), sys.posix_mutex(after, mutex));
        if outcome == UnlockOutcome::Perm && !checked {
            let message =
                format!("{} unlocked {name} without owning it and ignored the PERM result", self.at(&step.action));
            return Some(Violation::new(ViolationKind::ReleaseNotOwner, message));
        }
        if outcome == UnlockOutcome::Ok && was.owner != Some(thread) {
            let owner = match was.owner {
                Some(t) => format!("owned by {}", sys.thread_name(t)),
                None => "free".to_string(),
            };
            let message = format!(
                "{} unlocked {name} ({owner}) without owning it: undefined in POSIX, and glibc unlocks it for its owner",
                self.at(&step.action)
            );
            return Some(Violation::new(ViolationKind::ReleaseNotOwner, message));
        }
        if was.consistency != Consistency::NotRecoverable
            && now.consistency == Consistency::NotRecoverable
            && !sys.model().allows(AllowKind::NotRecoverable, mutex)
        {
            let message = format!(
                "{} unlocked {name} while it was inconsistent (OWNERDEAD, then no `consistent`): {name} is not recoverable, every later lock fails with NOTRECOVERABLE",
                self.at(&step.action)
            );
            return Some(Violation::new(ViolationKind::NotRecoverable, message));
        }
        None
    }

    /// A broken `invariant`, or a broken `protect` while its mutex is free and not abandoned.
    pub fn state_violation(&self, state: &State) -> Option<Violation> {
        if !self.system.is_observable(state) {
            return None;
        }
        for (i, p) in self.system.model().properties.iter().enumerate() {
            match p {
                Property::Invariant { name, cond, text, .. } => match self.eval_at(state, i, text) {
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
                    let trusted = match self.system.model().semantics {
                        Semantics::Win32 => {
                            let m = self.system.mutex(state, *mutex);
                            m.is_free() && !m.abandoned
                        }
                        Semantics::Posix => self.system.posix_mutex(state, *mutex).is_free_and_consistent(),
                    };
                    if !trusted {
                        continue;
                    }
                    match self.eval_at(state, i, text) {
                        Err(v) => return Some(v),
                        Ok(false) => {
                            return Some(Violation::new(
                                ViolationKind::Protect,
                                format!(
                                    "{} is free and {} but its protected condition {}",
                                    self.mutex_name(*mutex),
                                    match self.system.model().semantics {
                                        Semantics::Win32 => "not abandoned",
                                        Semantics::Posix => "consistent",
                                    },
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

    /// A deadlock: no thread can move and some thread waits forever.
    ///
    /// A thread whose status is `Running` always has an enabled step (the core enumerates
    /// one for every instruction of a running thread except an infinite wait on a mutex
    /// another thread owns, which is exactly `Blocked`), so "no thread step is enabled" is
    /// "no thread is `Running`". Crashes and restarts are not progress.
    pub fn deadlock(&self, state: &State) -> Option<Violation> {
        let sys = self.system;
        // Asked of every state reached: the cheap answer first, the names only for a deadlock.
        if sys.some_thread_running(state) {
            return None;
        }
        let threads = 0..sys.thread_count() as ThreadId;
        let waits: Vec<String> = threads
            .filter(|&t| sys.thread_status(state, t) == ThreadStatus::Blocked)
            .map(|t| {
                let action = Action::Run { thread: t, pc: sys.pc(state, t) };
                match sys.op_in(state, &action).as_deref() {
                    Some(Op::Wait { mutex, .. }) => format!(
                        "{} waits forever for {} ({})",
                        self.at(&action),
                        self.mutex_name(*mutex),
                        sys.mutex_state_text(state, *mutex)
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

    /// A broken `at end` property in a state where the run is over.
    pub fn final_violation(&self, state: &State) -> Option<Violation> {
        // A final state has no thread left to hold a block; asked all the same, so that the
        // rule reads in one place.
        if !self.system.is_final(state) || !self.system.is_observable(state) {
            return None;
        }
        for (i, p) in self.system.model().properties.iter().enumerate() {
            if let Property::AtEnd { cond, text, .. } = p {
                match self.eval_at(state, i, text) {
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

#[cfg(test)]
mod tests;
