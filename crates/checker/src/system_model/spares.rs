//! The lists of dropped [`Move`]s, kept for the next moves of the same thread: a search builds
//! a move for every transition and drops it at its next expansion, and a partial-order move
//! through transient states, one with allowed events, or one whose step abandons a mutex has a
//! list of its own that would otherwise be allocated and freed for each.

use mutexcheck_core::{step, Step};

use super::{Move, SCRATCH};
use crate::allowed::AllowedEvent;

/// How many emptied lists of each kind a thread keeps: more than one state's moves hold.
const KEPT: usize = 64;

/// Emptied lists of dropped moves, one set per thread (in [`SCRATCH`]).
pub(super) struct Spares {
    through: Vec<Vec<Step>>,
    allowed: Vec<Vec<AllowedEvent>>,
}

impl Spares {
    pub(super) const fn new() -> Spares {
        Spares { through: Vec::new(), allowed: Vec::new() }
    }

    /// An empty list for a move's steps through transient states: room for the usual chain.
    #[inline]
    pub(super) fn through(&mut self) -> Vec<Step> {
        self.through.pop().unwrap_or_else(|| Vec::with_capacity(4))
    }

    /// Gives `through`, a move's list of steps, room from the spares when it has none.
    #[inline(always)]
    pub(super) fn room_for_through(&mut self, through: &mut Vec<Step>) {
        if through.capacity() == 0 {
            // A list without room holds nothing to free: forgotten rather than dropped (an
            // out-of-line drop call per transient state otherwise).
            std::mem::forget(std::mem::replace(through, self.through()));
        }
    }

    /// Lists a move no longer needs, usually taken by its last continuation already (no room:
    /// nothing to free, forgotten rather than dropped), otherwise kept.
    #[inline(always)]
    pub(super) fn put_back(&mut self, through: Vec<Step>, allowed: Vec<AllowedEvent>) {
        if through.capacity() == 0 {
            std::mem::forget(through);
        } else {
            self.keep_through(through);
        }
        if allowed.capacity() == 0 {
            std::mem::forget(allowed);
        } else {
            self.keep_allowed(allowed);
        }
    }

    /// A copy of a move's steps so far, for another continuation of it.
    pub(super) fn copy_through(&mut self, steps: &[Step]) -> Vec<Step> {
        let mut copy = self.through();
        copy.extend_from_slice(steps);
        copy
    }

    /// An empty list for a move's allowed events.
    #[inline]
    pub(super) fn allowed(&mut self) -> Vec<AllowedEvent> {
        self.allowed.pop().unwrap_or_else(|| Vec::with_capacity(2))
    }

    /// A copy of a move's allowed events so far (none: no list), for another continuation.
    pub(super) fn copy_allowed(&mut self, events: &[AllowedEvent]) -> Vec<AllowedEvent> {
        if events.is_empty() {
            return Vec::new();
        }
        let mut copy = self.allowed();
        copy.extend_from_slice(events);
        copy
    }

    /// Keeps `steps` (emptied, their abandonment lists back to core) for [`Spares::through`].
    pub(super) fn keep_through(&mut self, mut steps: Vec<Step>) {
        if steps.capacity() == 0 || self.through.len() == KEPT {
            return;
        }
        for s in &mut steps {
            keep_abandoned(s);
        }
        steps.clear();
        self.through.push(steps);
    }

    /// Keeps `events` (emptied) for [`Spares::allowed`].
    pub(super) fn keep_allowed(&mut self, mut events: Vec<AllowedEvent>) {
        if events.capacity() != 0 && self.allowed.len() < KEPT {
            events.clear();
            self.allowed.push(events);
        }
    }
}

/// Gives the abandonment list of `step`, about to be dropped, back to core for its next steps
/// ([`step::keep_abandoned`]).
#[inline]
fn keep_abandoned(step: &mut Step) {
    if step.abandoned.capacity() != 0 {
        step::keep_abandoned(std::mem::take(&mut step.abandoned));
    }
}

impl Drop for Move {
    /// Keeps the move's lists, if it has any, for the next moves of this thread.
    #[inline]
    fn drop(&mut self) {
        if self.through.capacity() != 0 || self.allowed.capacity() != 0 || self.last.abandoned.capacity() != 0 {
            keep_lists(self);
        }
    }
}

/// [`Move`]'s drop with lists to keep. Inside [`super::SystemModel::successors`] (the scratch
/// borrowed) or during thread teardown they are simply freed.
#[inline(never)]
fn keep_lists(mv: &mut Move) {
    keep_abandoned(&mut mv.last);
    let _ = SCRATCH.try_with(|scratch| {
        if let Ok(mut scratch) = scratch.try_borrow_mut() {
            scratch.spares.keep_through(std::mem::take(&mut mv.through));
            scratch.spares.keep_allowed(std::mem::take(&mut mv.allowed));
        }
    });
}

#[cfg(test)]
mod tests {
    use mutexcheck_core::allow::AllowKind;
    use mutexcheck_core::{Action, Outcome};

    use super::*;

    fn step(thread: u16) -> Step {
        Step { action: Action::Run { thread, pc: 0 }, outcome: Outcome::Done, abandoned: Vec::new() }
    }

    fn event(thread: u16) -> AllowedEvent {
        AllowedEvent { kind: AllowKind::LeakedOwnership, mutex: 0, thread, pc: 0, count: 1 }
    }

    /// This thread's spares: how many lists of steps and of events.
    fn held() -> (usize, usize) {
        SCRATCH.with(|s| {
            let s = s.borrow();
            (s.spares.through.len(), s.spares.allowed.len())
        })
    }

    #[test]
    fn a_dropped_moves_lists_are_the_next_moves_lists_emptied() {
        let (through, allowed) = (vec![step(1), step(2)], vec![event(1)]);
        let at = (through.as_ptr(), allowed.as_ptr());
        let before = held();
        drop(Move { through, last: step(3), violation: None, allowed });
        assert_eq!(held(), (before.0 + 1, before.1 + 1));
        let (through, allowed) = SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            (s.spares.through(), s.spares.allowed())
        });
        assert!(through.is_empty() && allowed.is_empty());
        assert_eq!((through.as_ptr(), allowed.as_ptr()), at);
    }

    #[test]
    fn a_move_without_lists_keeps_nothing_and_the_spares_are_bounded() {
        let before = held();
        drop(Move { through: Vec::new(), last: step(0), violation: None, allowed: Vec::new() });
        assert_eq!(held(), before);
        for t in 0..2 * KEPT as u16 {
            drop(Move { through: vec![step(t)], last: step(t), violation: None, allowed: vec![event(t)] });
        }
        assert_eq!(held(), (KEPT, KEPT));
    }

    #[test]
    fn copies_of_a_moves_lists_are_equal_and_no_events_is_no_list() {
        let mut spares = Spares::new();
        let steps = [step(1), step(2)];
        assert_eq!(spares.copy_through(&steps), steps);
        assert_eq!(spares.copy_allowed(&[event(4)]), [event(4)]);
        assert_eq!(spares.copy_allowed(&[]).capacity(), 0);
        // Lists put back without room are not kept; with room they are.
        spares.put_back(Vec::new(), Vec::new());
        assert_eq!((spares.through.len(), spares.allowed.len()), (0, 0));
        spares.put_back(Vec::with_capacity(3), Vec::with_capacity(3));
        assert_eq!((spares.through.len(), spares.allowed.len()), (1, 1));
    }
}
