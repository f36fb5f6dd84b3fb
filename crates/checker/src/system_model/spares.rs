//! The buffers of dropped [`Move`]s, kept per thread for the next moves: a search builds a
//! move for every transition and drops it at the next expansion, and a partial-order move
//! through transient states, or one with allowed events, has a list of its own.

use mutexcheck_core::spare;
use mutexcheck_core::{Action, Outcome, Step};

use super::Move;
use crate::allowed::AllowedEvent;

/// How many emptied lists of each kind a thread keeps: more than one state's moves hold.
const KEPT: usize = 64;

thread_local! {
    static THROUGH: std::cell::RefCell<Vec<Vec<Step>>> = const { std::cell::RefCell::new(Vec::new()) };
    static ALLOWED: std::cell::RefCell<Vec<Vec<AllowedEvent>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty list for a move's steps through transient states: room for the usual chain.
pub(super) fn through() -> Vec<Step> {
    spare::take(&THROUGH, 4)
}

/// An empty list for a move's allowed events.
pub(super) fn allowed() -> Vec<AllowedEvent> {
    spare::take(&ALLOWED, 2)
}

/// Keeps `v` (emptied) for [`allowed`].
pub(super) fn keep_allowed(v: Vec<AllowedEvent>) {
    spare::keep(&ALLOWED, v, KEPT);
}

impl Drop for Move {
    /// Keeps the move's lists, if they have room, for the next moves.
    #[inline]
    fn drop(&mut self) {
        if self.through.capacity() != 0 {
            spare::keep(&THROUGH, std::mem::take(&mut self.through), KEPT);
        }
        if self.allowed.capacity() != 0 {
            keep_allowed(std::mem::take(&mut self.allowed));
        }
    }
}

/// A step that stands in, for an instant, for a move's last step taken out of it.
pub(super) const PLACEHOLDER: Step =
    Step { action: Action::Crash { process: 0 }, outcome: Outcome::Crashed, abandoned: Vec::new() };

/// Keeps `v` (emptied) for [`through`].
pub(super) fn keep_through(v: Vec<Step>) {
    spare::keep(&THROUGH, v, KEPT);
}

/// A copy of a move's steps so far, for another continuation of it.
pub(super) fn copy_through(steps: &[Step]) -> Vec<Step> {
    let mut copy = through();
    copy.extend_from_slice(steps);
    copy
}

/// A copy of a move's allowed events so far (none: no list), for another continuation of it.
pub(super) fn copy_allowed(events: &[AllowedEvent]) -> Vec<AllowedEvent> {
    if events.is_empty() {
        return Vec::new();
    }
    let mut copy = allowed();
    copy.extend_from_slice(events);
    copy
}
