//! The two things every search does for each state and each transition, written once:
//! expanding a stored state into its transitions ([`Expander`]), and admitting a transition's
//! target into the visited set ([`Admitter`]).
//!
//! The breadth-first search on one machine (`bfs.rs`, steps 1 and 2 of a batch), the
//! cluster's rounds (`mutexcheck_cluster`'s `search.rs`) and the depth-first search
//! (`dfs.rs`, which admits each target as it is handed over) differ in how they key, route,
//! merge and stack transitions; what happens to one state and one target is the same in all
//! three and is here:
//! - [`Expander::expand`]: unpacks the packed state into a state it reuses, lists its
//!   successors, asks the bounds before and after (a model cut short by a bound lists only
//!   part of them), and for each transition, in successor order, hands over its allowed
//!   events, checks [`Checkable::step_violation`] (stopping at the first violation), then
//!   packs and hashes the target and hands it over with its successor number (the receiver may
//!   stop the expansion there); [`Expander::load`] then [`Expander::expand_loaded`] is the
//!   same in two calls, for the depth-first search, whose new states go where the packed
//!   state lies;
//! - [`Admitter::admit`]: asks the memory bound for room when the shard's table is about to
//!   grow, inserts the target into its [`Shard`], and checks a new state
//!   ([`Checkable::check_state`]) unpacked into a state it reuses; [`Admitter::admit_unpacked`]
//!   does the same with the state limit first and the target the expansion unpacked already
//!   (the depth-first search's admission);
//! - [`Expander::has_successor`] and [`Expander::any_successor`]: whether a state at the depth
//!   limit has a successor, which tells a finished search cut by that limit from a complete
//!   one.
//!
//! So the hooks run in [`Checkable`]'s documented order, the same bounds are asked at the same
//! points and the unpacked states are reused the same way in every search; a new check or a
//! new bound is written here once. Both are generic over the caller's bounds and receiver and
//! inlined into its loop: no dynamic call and no allocation per state once the buffers have
//! grown.

use std::ops::ControlFlow;

use crate::allowed::AllowedEvent;
use crate::checkable::Checkable;
use crate::fingerprint::hash_words;
use crate::guard::{Guard, Interrupt};
use crate::limits::Limit;
use crate::properties::Violation;
use crate::visited::Shard;

/// The bounds an expansion and an admission ask about: the run's [`Guard`] on the machine that
/// owns it, an [`Interrupt`] handle on its flag elsewhere (the cluster's workers).
pub trait Bounds {
    /// The bound passed so far, if any ([`Guard::exceeded`]).
    fn exceeded(&self) -> Option<Limit>;
    /// `Err` with the memory limit when allocating `bytes` more would pass it
    /// ([`Guard::room_for`]).
    fn room_for(&self, bytes: usize) -> Result<(), Limit>;
}

impl Bounds for Guard {
    #[inline]
    fn exceeded(&self) -> Option<Limit> {
        Guard::exceeded(self)
    }
    fn room_for(&self, bytes: usize) -> Result<(), Limit> {
        Guard::room_for(self, bytes)
    }
}

impl Bounds for Interrupt {
    #[inline]
    fn exceeded(&self) -> Option<Limit> {
        Interrupt::exceeded(self)
    }
    fn room_for(&self, bytes: usize) -> Result<(), Limit> {
        Interrupt::room_for(self, bytes)
    }
}

/// What receives one expanded state's transitions, in successor order: the one-machine
/// search's buckets by shard, the cluster's messages by owner.
pub trait Transitions<M: Checkable> {
    /// The state and all its successors, once they are listed and before any is handed over
    /// (the breadth-first search counts them here, and labels them when it records the graph).
    #[inline]
    fn listed(&mut self, _state: &M::State, _successors: &[(M::Step, M::State)]) {}

    /// The allowed events of transition `ord`, when the expansion checks and it has some:
    /// handed over before its step check, so a transition that breaks a step property counts
    /// them too.
    fn allowed(&mut self, ord: u32, events: &[AllowedEvent]);

    /// Transition `ord`'s target, unpacked as the model listed it and packed, and its hash
    /// ([`hash_words`]); only after the transition passed its step check. `Break` stops the
    /// expansion after this transition (the depth-first search, at a violation or a bound).
    fn target(&mut self, ord: u32, state: &M::State, packed: &[u64], hash: u64) -> ControlFlow<()>;
}

/// How expanding one state ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The transitions were handed over, this many: all of them, or those up to the one whose
    /// target the receiver stopped at.
    Expanded(u32),
    /// Transition `ord` breaks a step property: the transitions before it were handed over,
    /// its allowed events too, its target and the later transitions not.
    StepViolation {
        /// The transition's successor number.
        ord: u32,
        /// What it broke.
        violation: Violation,
    },
    /// A bound was passed before the state was expanded, while its successors were listed
    /// (so they may be partial: nothing of the state was handed over), or while its targets
    /// were handed over (some were): the search stops at the bound either way.
    Interrupted(Limit),
}

/// Expands packed states of one model, one after another, reusing one unpacked state, one
/// successor list and one packing buffer for all of them.
pub struct Expander<'m, M: Checkable> {
    model: &'m M,
    state: Option<M::State>,
    successors: Vec<(M::Step, M::State)>,
    packed: Vec<u64>,
}

impl<'m, M: Checkable> Expander<'m, M> {
    /// An expander of `model`'s states, its buffers empty.
    pub fn new(model: &'m M) -> Self {
        Expander { model, state: None, successors: Vec::new(), packed: vec![0; model.packed_words()] }
    }

    /// Expands the state `packed` holds into `out` (see the module comment); `checks` false
    /// skips the allowed events and the step checks (a recording that checks nothing).
    #[inline]
    pub fn expand<B: Bounds + ?Sized, T: Transitions<M>>(
        &mut self,
        packed: &[u64],
        bounds: &B,
        checks: bool,
        out: &mut T,
    ) -> Outcome {
        if let Some(limit) = bounds.exceeded() {
            return Outcome::Interrupted(limit);
        }
        let state = unpack_reusing(self.model, packed, &mut self.state);
        transitions(self.model, state, &mut self.successors, &mut self.packed, bounds, checks, out)
    }

    /// Unpacks the state `packed` holds, for [`Expander::expand_loaded`] to expand: the
    /// depth-first search's packed copy of it lies where the expansion's new states go.
    #[inline]
    pub fn load(&mut self, packed: &[u64]) {
        unpack_reusing(self.model, packed, &mut self.state);
    }

    /// [`Expander::expand`] of the state [`Expander::load`]ed last (none loaded: no
    /// transition).
    #[inline]
    pub fn expand_loaded<B: Bounds + ?Sized, T: Transitions<M>>(
        &mut self,
        bounds: &B,
        checks: bool,
        out: &mut T,
    ) -> Outcome {
        if let Some(limit) = bounds.exceeded() {
            return Outcome::Interrupted(limit);
        }
        let Some(state) = &self.state else { return Outcome::Expanded(0) };
        transitions(self.model, state, &mut self.successors, &mut self.packed, bounds, checks, out)
    }

    /// Transition `ord` of the state expanded last, taken out of the expander (its next
    /// expansion lists afresh): the step and target of a step violation's counterexample.
    pub fn take(&mut self, ord: u32) -> (M::Step, M::State) {
        self.successors.swap_remove(ord as usize)
    }

    /// Whether the state `packed` holds has a successor, listed as [`Expander::expand`] lists
    /// them (bounds asked before and after, the unpacked state reused): `Err` with the bound
    /// when one passed, so the answer may be wrong.
    pub fn has_successor<B: Bounds + ?Sized>(&mut self, packed: &[u64], bounds: &B) -> Result<bool, Limit> {
        if let Some(limit) = bounds.exceeded() {
            return Err(limit);
        }
        let state = unpack_reusing(self.model, packed, &mut self.state);
        self.successors.clear();
        self.model.successors(state, &mut self.successors);
        if let Some(limit) = bounds.exceeded() {
            return Err(limit);
        }
        Ok(!self.successors.is_empty())
    }

    /// Whether some state of `level` has a successor, so that a depth limit at this level cut
    /// something. True as soon as a bound has passed before a state is looked at: a search
    /// that did not look says a state was cut, the honest answer.
    pub fn any_successor<'p, B: Bounds + ?Sized>(
        &mut self,
        level: impl IntoIterator<Item = &'p [u64]>,
        bounds: &B,
    ) -> bool {
        level.into_iter().any(|packed| {
            if bounds.exceeded().is_some() {
                return true;
            }
            let state = unpack_reusing(self.model, packed, &mut self.state);
            self.successors.clear();
            self.model.successors(state, &mut self.successors);
            !self.successors.is_empty()
        })
    }
}

/// How many targets of one state [`Expander::expand`] packs between two looks at the bounds
/// (an atomic load): a state of a thousand processes has thousands of targets.
const BOUND_LOOK_EVERY: u32 = 64;

/// [`Expander::expand`] once `state` is unpacked, into the expander's `successors` and
/// `packed` buffers.
#[inline(always)]
fn transitions<M: Checkable, B: Bounds + ?Sized, T: Transitions<M>>(
    model: &M,
    state: &M::State,
    successors: &mut Vec<(M::Step, M::State)>,
    packed: &mut [u64],
    bounds: &B,
    checks: bool,
    out: &mut T,
) -> Outcome {
    successors.clear();
    model.successors(state, successors);
    if let Some(limit) = bounds.exceeded() {
        // The model stops listing successors early when a bound passes.
        return Outcome::Interrupted(limit);
    }
    out.listed(state, successors);
    for (ord, (step, target)) in successors.iter().enumerate() {
        let ord = ord as u32;
        if checks {
            let events = model.allowed_events(step);
            if !events.is_empty() {
                out.allowed(ord, events);
            }
            if let Some(violation) = model.step_violation(state, step, target) {
                return Outcome::StepViolation { ord, violation };
            }
        }
        // Packing thousands of large targets can outlast a bound's slack: look now and then.
        if ord % BOUND_LOOK_EVERY == BOUND_LOOK_EVERY - 1 {
            if let Some(limit) = bounds.exceeded() {
                return Outcome::Interrupted(limit);
            }
        }
        model.pack(target, packed);
        if out.target(ord, target, packed, hash_words(packed)).is_break() {
            return Outcome::Expanded(ord + 1);
        }
    }
    Outcome::Expanded(successors.len() as u32)
}

/// What admitting a target found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admitted {
    /// The shard held the state already: nothing was checked.
    Known,
    /// The state is new (now in the shard), with the violation [`Checkable::check_state`]
    /// found in it (`None` when it holds every state property, or was not checked).
    New(Option<Violation>),
}

/// Admits targets of one model into visited-set shards, checking the new ones in one
/// unpacked state it reuses.
pub struct Admitter<'m, M: Checkable> {
    model: &'m M,
    state: Option<M::State>,
}

impl<'m, M: Checkable> Admitter<'m, M> {
    /// An admitter of `model`'s states.
    pub fn new(model: &'m M) -> Self {
        Admitter { model, state: None }
    }

    /// Inserts the packed state `packed` (of hash `hash`) into `shard`, and checks it with
    /// [`Checkable::check_state`] when it is new and `check` is true. `Err` with the memory
    /// limit, the shard unchanged, when the shard's table must grow and `bounds` has no room
    /// for it.
    #[inline(always)]
    pub fn admit<B: Bounds + ?Sized>(
        &mut self,
        shard: &mut Shard,
        packed: &[u64],
        hash: u64,
        bounds: &B,
        check: bool,
    ) -> Result<Admitted, Limit> {
        room(shard, bounds)?;
        if !shard.insert(packed, hash) {
            return Ok(Admitted::Known);
        }
        Ok(Admitted::New(if check { self.check(packed) } else { None }))
    }

    /// [`Admitter::admit`] into a shard that numbers its states ([`Shard::indexed`]), with the
    /// state's number in the shard. A shard that cannot number it (2^32 states already; the
    /// search's state limit `max_states` is below that) is the state limit.
    #[inline(always)]
    pub fn admit_numbered<B: Bounds + ?Sized>(
        &mut self,
        shard: &mut Shard,
        packed: &[u64],
        hash: u64,
        bounds: &B,
        check: bool,
        max_states: u64,
    ) -> Result<(u32, Admitted), Limit> {
        room(shard, bounds)?;
        let Some((number, new)) = shard.insert_indexed(packed, hash) else {
            return Err(Limit::MaxStates(max_states));
        };
        if !new {
            return Ok((number, Admitted::Known));
        }
        Ok((number, Admitted::New(if check { self.check(packed) } else { None })))
    }

    /// [`Admitter::admit`] of a target the caller has unpacked already (`state`, which `packed`
    /// packs), always checked, within the state limit: `Err` with [`Limit::MaxStates`], the
    /// shard unchanged, when `held` states (over all shards) reach `max_states` and the target
    /// is not in `shard` yet; a known target is admitted at the limit. The depth-first search's
    /// admission.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub fn admit_unpacked<B: Bounds + ?Sized>(
        &mut self,
        shard: &mut Shard,
        packed: &[u64],
        hash: u64,
        state: &M::State,
        bounds: &B,
        held: u64,
        max_states: u64,
    ) -> Result<Admitted, Limit> {
        if held >= max_states && !shard.contains(packed, hash) {
            return Err(Limit::MaxStates(max_states));
        }
        room(shard, bounds)?;
        if !shard.insert(packed, hash) {
            return Ok(Admitted::Known);
        }
        Ok(Admitted::New(self.model.check_state(state)))
    }

    /// The violation [`Checkable::check_state`] finds in the state `packed` holds. Always
    /// inlined: in the search's loop it costs as much as its body (measured with callgrind).
    #[inline(always)]
    fn check(&mut self, packed: &[u64]) -> Option<Violation> {
        self.model.check_state(unpack_reusing(self.model, packed, &mut self.state))
    }
}

/// `Err` with the memory limit when the next insertion into `shard` grows its table and
/// `bounds` has no room for the new table.
#[inline]
fn room<B: Bounds + ?Sized>(shard: &Shard, bounds: &B) -> Result<(), Limit> {
    let growth = shard.growth_bytes();
    if growth > 0 {
        bounds.room_for(growth)?;
    }
    Ok(())
}

/// The state `packed` holds, unpacked into `state`'s memory once there is one.
#[inline]
fn unpack_reusing<'s, M: Checkable>(model: &M, packed: &[u64], state: &'s mut Option<M::State>) -> &'s mut M::State {
    match state {
        Some(state) => {
            model.unpack_into(packed, state);
            state
        }
        None => state.insert(model.unpack(packed)),
    }
}

#[cfg(test)]
mod tests;
