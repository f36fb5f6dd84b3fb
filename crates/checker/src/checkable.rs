//! The one abstraction the search is generic over.
//!
//! The search knows nothing about mutexes, parsing or display: it asks a [`Checkable`] for an
//! initial state, for successors, and whether a state or a transition breaks a property. The
//! mutexcheck transition system plugs in through [`crate::SystemModel`]; tests plug in tiny
//! graphs of their own.

use crate::allowed::AllowedEvent;
use crate::properties::Violation;

/// A finite transition system with properties: what the explicit-state search explores.
///
/// States are stored packed (a few machine words each) and unpacked when expanded, so the
/// memory a search needs is about the packed size times the number of states.
///
/// The search calls the hooks in a fixed order, so that a state or a transition with several
/// violations always reports the same one: for each transition, [`Checkable::step_violation`];
/// then, for a state seen for the first time, [`Checkable::check_state`]: the three state
/// hooks [`Checkable::state_violation`], [`Checkable::deadlock`] and
/// [`Checkable::final_violation`], the first `Some` winning. The initial state goes through
/// [`Checkable::check_state`] before anything else.
pub trait Checkable {
    /// A global state. Equal states are explored once.
    type State: Clone + Eq;
    /// What one transition did, as shown in a trace.
    type Step: Clone;

    /// How many 64-bit words [`Checkable::pack`] writes: the stored size of a state.
    fn packed_words(&self) -> usize;

    /// Writes `state` into `out` (of [`Checkable::packed_words`] words). Packing must be
    /// one-to-one: two states pack equal exactly when they are equal. (A model that
    /// explores representatives of classes of states returns representatives from
    /// [`Checkable::initial_state`] and [`Checkable::successors`].)
    fn pack(&self, state: &Self::State, out: &mut [u64]);

    /// Rebuilds the state `packed` was made from.
    fn unpack(&self, packed: &[u64]) -> Self::State;

    /// Rebuilds the state `packed` was made from in `state` (a state of this model), reusing
    /// its memory where the state type allows; the search calls it for every state it expands.
    fn unpack_into(&self, packed: &[u64], state: &mut Self::State) {
        *state = self.unpack(packed);
    }

    /// The state before any step.
    fn initial_state(&self) -> Self::State;

    /// Appends every transition enabled in `state`, in a deterministic order, to `out`.
    fn successors(&self, state: &Self::State, out: &mut Vec<(Self::Step, Self::State)>);

    /// A violation the transition `before --step--> after` itself commits (a failed assert,
    /// a leaked mutex, ...), checked on every transition, new target state or not.
    fn step_violation(&self, before: &Self::State, step: &Self::Step, after: &Self::State) -> Option<Violation>;

    /// The allowed events a transition had (see [`crate::allowed`]): outcomes the model
    /// declares intended, which the search counts instead of reporting. None by default.
    fn allowed_events<'s>(&self, _step: &'s Self::Step) -> &'s [AllowedEvent] {
        &[]
    }

    /// A violation of a state property (an invariant) in a reachable state.
    fn state_violation(&self, state: &Self::State) -> Option<Violation>;

    /// The state is a deadlock: nothing can make progress, yet some thread waits.
    fn deadlock(&self, state: &Self::State) -> Option<Violation>;

    /// A violation of an end-of-run property, for a state where the run is over.
    fn final_violation(&self, state: &Self::State) -> Option<Violation>;

    /// The state hooks in their documented order (state properties, deadlock, end of run),
    /// the first `Some` winning: what every search asks of a state it reaches first. Written
    /// once here, so that every engine reports the same violation for the same state.
    fn check_state(&self, state: &Self::State) -> Option<Violation> {
        self.state_violation(state).or_else(|| self.deadlock(state)).or_else(|| self.final_violation(state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::properties::ViolationKind;

    /// States are bit sets of the hooks that fire: 1 state property, 2 deadlock, 4 end of run.
    struct Hooks;

    impl Checkable for Hooks {
        type State = u8;
        type Step = ();
        fn packed_words(&self) -> usize {
            1
        }
        fn pack(&self, state: &u8, out: &mut [u64]) {
            out[0] = *state as u64;
        }
        fn unpack(&self, packed: &[u64]) -> u8 {
            packed[0] as u8
        }
        fn initial_state(&self) -> u8 {
            0
        }
        fn successors(&self, _: &u8, _: &mut Vec<((), u8)>) {}
        fn step_violation(&self, _: &u8, _: &(), _: &u8) -> Option<Violation> {
            None
        }
        fn state_violation(&self, s: &u8) -> Option<Violation> {
            (s & 1 != 0).then(|| Violation::new(ViolationKind::Invariant, "invariant"))
        }
        fn deadlock(&self, s: &u8) -> Option<Violation> {
            (s & 2 != 0).then(|| Violation::new(ViolationKind::Deadlock, "deadlock"))
        }
        fn final_violation(&self, s: &u8) -> Option<Violation> {
            (s & 4 != 0).then(|| Violation::new(ViolationKind::AtEnd, "at end"))
        }
    }

    #[test]
    fn check_state_reports_state_property_then_deadlock_then_end_of_run() {
        let message = |s: u8| Hooks.check_state(&s).map(|v| v.message);
        assert_eq!(message(0), None);
        assert_eq!(message(7).as_deref(), Some("invariant"));
        assert_eq!(message(6).as_deref(), Some("deadlock"));
        assert_eq!(message(4).as_deref(), Some("at end"));
    }
}
