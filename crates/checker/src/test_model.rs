//! A tiny [`Checkable`] the search tests share: not a mutex model at all, only the hooks.

use crate::checkable::Checkable;
use crate::properties::{Violation, ViolationKind};

/// Numbers mod `n`; from `i` one may go to `i + 1` or `2 * i`. Reaching `target` is a
/// violation. Not a mutex model at all: the search only sees the [`Checkable`] hooks.
pub(crate) struct Doubling {
    pub n: u64,
    pub target: u64,
}

impl Checkable for Doubling {
    type State = u64;
    type Step = &'static str;
    fn packed_words(&self) -> usize {
        1
    }
    fn pack(&self, state: &u64, out: &mut [u64]) {
        out[0] = *state;
    }
    fn unpack(&self, packed: &[u64]) -> u64 {
        packed[0]
    }
    fn initial_state(&self) -> u64 {
        0
    }
    fn successors(&self, s: &u64, out: &mut Vec<(&'static str, u64)>) {
        out.push(("+1", (s + 1) % self.n));
        out.push(("*2", (s * 2) % self.n));
    }
    fn step_violation(&self, _: &u64, _: &&'static str, _: &u64) -> Option<Violation> {
        None
    }
    fn state_violation(&self, s: &u64) -> Option<Violation> {
        (*s == self.target).then(|| Violation::new(ViolationKind::Invariant, format!("reached {s}")))
    }
    fn deadlock(&self, _: &u64) -> Option<Violation> {
        None
    }
    fn final_violation(&self, _: &u64) -> Option<Violation> {
        None
    }
}
