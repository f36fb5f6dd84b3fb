//! Outcomes the model declares intended (`allow KIND [m]`): the events that are not
//! violations, and how the search counts them.
//!
//! An allowed event is never dropped silently: every search counts, for each kind and mutex,
//! the transitions it explored in which the event happened, and keeps the first such
//! transition's event (in the search's own deterministic order) as an example. The counts are
//! of explored transitions, so they depend on the reductions (a partial-order move may take
//! several steps; symmetry stores one state per class), never on the number of threads.

use std::collections::BTreeMap;

use serde::Serialize;

use mutexcheck_core::allow::{Allow, AllowKind};
use mutexcheck_core::ir::{MutexId, Pc};
use mutexcheck_core::{Action, System, ThreadId};

/// One allowed event of one step: a thread that ended owning a mutex, or a POSIX robust mutex
/// unlocked while inconsistent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct AllowedEvent {
    /// Which outcome.
    pub kind: AllowKind,
    /// The mutex it happened to.
    pub mutex: MutexId,
    /// The thread whose step it was.
    pub thread: ThreadId,
    /// The instruction that thread ran.
    pub pc: Pc,
    /// The recursion count dropped (a leak) or 1 (an unlock).
    pub count: u32,
}

/// How often one kind of allowed event happened to one mutex during a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AllowedCount {
    /// Which outcome.
    pub kind: AllowKind,
    /// Which mutex.
    pub mutex: MutexId,
    /// Transitions the search explored in which it happened.
    pub transitions: u64,
    /// The event of the first of them, in the search's order.
    pub example: AllowedEvent,
}

/// The counts of a search so far, by kind and mutex.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowedTally {
    counts: BTreeMap<(AllowKind, MutexId), AllowedCount>,
}

impl AllowedTally {
    /// Counts one explored transition with these events (each kind and mutex once, however
    /// many steps of the transition it happened in).
    pub fn add_transition(&mut self, events: &[AllowedEvent]) {
        for (i, e) in events.iter().enumerate() {
            if events[..i].iter().any(|d| (d.kind, d.mutex) == (e.kind, e.mutex)) {
                continue;
            }
            self.counts.entry((e.kind, e.mutex)).and_modify(|c| c.transitions += 1).or_insert(AllowedCount {
                kind: e.kind,
                mutex: e.mutex,
                transitions: 1,
                example: *e,
            });
        }
    }

    /// Adds the counts of a search that comes after this one in the search's order (its
    /// examples lose to ours).
    pub fn merge_after(&mut self, later: &[AllowedCount]) {
        for c in later {
            self.counts.entry((c.kind, c.mutex)).and_modify(|mine| mine.transitions += c.transitions).or_insert(*c);
        }
    }

    /// True when nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The counts, by kind then mutex.
    pub fn into_counts(self) -> Vec<AllowedCount> {
        self.counts.into_values().collect()
    }
}

/// `worker[1] at line 14 (`skip`) ended owning m (count 1)`: who did what to which mutex.
pub fn describe_event(system: &System, e: &AllowedEvent) -> String {
    let action = Action::Run { thread: e.thread, pc: e.pc };
    let who = match system.instr(&action) {
        Some(i) if i.span.line > 0 => format!("{} at line {} (`{}`)", system.actor(&action), i.span.line, i.text),
        _ => system.thread_name(e.thread).to_string(),
    };
    let m = &system.model().mutexes[e.mutex].name;
    match e.kind {
        AllowKind::LeakedOwnership => format!("{who} ended owning {m} (count {})", e.count),
        AllowKind::NotRecoverable => {
            format!("{who} unlocked {m} while it was inconsistent: {m} is not recoverable")
        }
    }
}

/// A declaration of the model that no explored transition used: `allow KIND [m]` with no
/// count of that kind (for that mutex).
pub fn unused<'s>(system: &'s System, counts: &[AllowedCount]) -> impl Iterator<Item = &'s Allow> + use<'s> {
    let seen: Vec<(AllowKind, MutexId)> = counts.iter().map(|c| (c.kind, c.mutex)).collect();
    system
        .model()
        .allowed
        .iter()
        .filter(move |a| !seen.iter().any(|&(k, m)| k == a.kind && a.mutex.is_none_or(|am| am == m)))
}

/// `leaked_ownership m` or `leaked_ownership (any mutex)`: a declaration as a report names it.
pub fn declaration_name(system: &System, a: &Allow) -> String {
    match a.mutex {
        Some(m) => format!("{} {}", a.kind.name(), system.model().mutexes[m].name),
        None => format!("{} (any mutex)", a.kind.name()),
    }
}

/// The text report's `allowed (by design):` section (from its heading line): one line per
/// kind and mutex that happened, then one per declaration that never did. Empty for a model
/// without `allow`.
pub fn report_section(system: &System, counts: &[AllowedCount]) -> Vec<String> {
    if system.model().allowed.is_empty() {
        return Vec::new();
    }
    let mut lines = vec!["allowed (by design):".to_string()];
    for c in counts {
        let plural = if c.transitions == 1 { "" } else { "s" };
        lines.push(format!(
            "  {} {}: in {} explored transition{plural}, e.g. {}",
            c.kind.name(),
            system.model().mutexes[c.mutex].name,
            c.transitions,
            describe_event(system, &c.example)
        ));
    }
    for a in unused(system, counts) {
        lines.push(format!("  {}: did not happen", declaration_name(system, a)));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: AllowKind, mutex: MutexId, thread: ThreadId) -> AllowedEvent {
        AllowedEvent { kind, mutex, thread, pc: 0, count: 1 }
    }

    #[test]
    fn a_transition_counts_once_per_kind_and_mutex_and_the_first_event_is_the_example() {
        let (leak, nr) = (AllowKind::LeakedOwnership, AllowKind::NotRecoverable);
        let mut t = AllowedTally::default();
        // A partial-order move in which two threads leak m, and one leaks n.
        t.add_transition(&[event(leak, 0, 1), event(leak, 0, 2), event(leak, 1, 2)]);
        t.add_transition(&[event(nr, 0, 3)]);
        t.add_transition(&[event(leak, 0, 4)]);
        let counts: Vec<(AllowKind, MutexId, u64, ThreadId)> =
            t.clone().into_counts().iter().map(|c| (c.kind, c.mutex, c.transitions, c.example.thread)).collect();
        assert_eq!(counts, [(leak, 0, 2, 1), (leak, 1, 1, 2), (nr, 0, 1, 3)]);
        // Counts of a later search add up; its examples lose.
        let mut later = AllowedTally::default();
        later.add_transition(&[event(leak, 0, 9)]);
        t.merge_after(&later.into_counts());
        assert_eq!(t.into_counts()[0].transitions, 3);
    }
}
