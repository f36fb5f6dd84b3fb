//! The renamings behind symmetry reduction, made explicit: which permutation of
//! interchangeable instances canonicalization applied, and canonicalization that keeps one
//! instance where it is.
//!
//! The safety search needs only the canonical form of a state. Liveness needs more:
//! - a lasso found among representatives is *lifted* to a real run by following each
//!   representative step with the step of whoever plays its part in the real state, and a
//!   cycle of representatives closes in the real model only after its accumulated renaming
//!   has been applied often enough (its [`Swap::order`]); both need the renaming itself
//!   ([`System::canonicalize_swap`], [`System::swap_state`], [`System::swap_actor`]);
//! - starvation of one thread is not a property of a class (the class merges the thread that
//!   starves with one that does not), but it is a property of a class under the renamings
//!   that leave the thread's instance in place (the stabilizer of that instance). Pinned
//!   canonicalization sorts the other instances of the template and never moves the pinned
//!   one, so its classes are exactly the stabilizer's orbits: two states get the same pinned
//!   form exactly when a renaming that fixes the pinned instance maps one to the other
//!   (sorting by the same key as [`System::canonicalize`], and instances that compare equal
//!   hold exactly the same, so exchanging them changes nothing).
//!
//! A renaming maps runs to runs (the module comment of [`crate::symmetry`]); a thread of the
//! instance at position `i` of its template's group becomes the same thread of the instance
//! at position `to[i]`.

use super::Symmetry;
use crate::mutex::ThreadId;
use crate::state::{State, ATOMIC_SLOT};
use crate::{Actor, System};

/// A permutation of the interchangeable instances of every symmetric template: for each
/// group of [`Symmetry`], the instance at position `i` goes to position `to[i]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Swap {
    to: Vec<Vec<usize>>,
}

impl Swap {
    /// True when no instance moves.
    pub fn is_identity(&self) -> bool {
        self.to.iter().all(|g| g.iter().enumerate().all(|(i, &t)| i == t))
    }

    /// The renaming that undoes this one.
    pub fn inverse(&self) -> Swap {
        let to = self
            .to
            .iter()
            .map(|g| {
                let mut inv = vec![0; g.len()];
                for (i, &t) in g.iter().enumerate() {
                    inv[t] = i;
                }
                inv
            })
            .collect();
        Swap { to }
    }

    /// This renaming, then `next`.
    pub fn then(&self, next: &Swap) -> Swap {
        let to = self.to.iter().zip(&next.to).map(|(a, b)| a.iter().map(|&t| b[t]).collect()).collect();
        Swap { to }
    }

    /// How many times the renaming must be applied to give back the identity: the least
    /// common multiple of its cycles' lengths.
    pub fn order(&self) -> u64 {
        fn gcd(a: u64, b: u64) -> u64 {
            if b == 0 {
                a
            } else {
                gcd(b, a % b)
            }
        }
        let mut order = 1u64;
        for g in &self.to {
            let mut seen = vec![false; g.len()];
            for start in 0..g.len() {
                let mut len = 0u64;
                let mut at = start;
                while !seen[at] {
                    seen[at] = true;
                    at = g[at];
                    len += 1;
                }
                if len > 0 {
                    order = order / gcd(order, len) * len;
                }
            }
        }
        order
    }
}

impl Symmetry {
    /// The renaming that moves nobody.
    pub fn identity(&self) -> Swap {
        Swap { to: self.groups.iter().map(|g| (0..g.len()).collect()).collect() }
    }

    /// The symmetric group of process instance `p` and its position in it, if it is
    /// interchangeable.
    fn position_of(&self, p: usize) -> Option<(usize, usize)> {
        self.groups.iter().enumerate().find_map(|(g, group)| group.iter().position(|&q| q == p).map(|k| (g, k)))
    }

    /// True when process instance `p` (by index in the layout) is one of several
    /// interchangeable instances.
    pub fn is_interchangeable(&self, p: usize) -> bool {
        self.position_of(p).is_some()
    }

    /// Which threads the renamings can exchange: for each thread, the smallest thread id of
    /// its orbit (itself for a thread of no symmetric template). With `pinned`, only the
    /// renamings that leave that process instance in place count: its threads are alone in
    /// their orbits, while the other instances of its template still exchange theirs.
    pub fn thread_orbits(&self, system: &System, pinned: Option<usize>) -> Vec<ThreadId> {
        let l = &system.layout;
        let mut orbit: Vec<ThreadId> = (0..l.threads.len() as ThreadId).collect();
        for group in &self.groups {
            let first = group.iter().find(|&&p| Some(p) != pinned).map(|&p| l.processes[p].threads.start);
            for &p in group.iter().filter(|&&p| Some(p) != pinned) {
                for (within, t) in l.processes[p].threads.clone().enumerate() {
                    orbit[t as usize] = first.unwrap_or(t) + within as ThreadId;
                }
            }
        }
        orbit
    }
}

impl System {
    /// [`System::canonicalize`], returning the renaming it applied (the new state is the
    /// renaming applied to the old). With `pinned` (a process instance), only the other
    /// instances of its template are sorted and it stays in place: states get the same
    /// result exactly when a renaming that fixes `pinned` maps one to the other (see the
    /// module comment). Without `pinned` the result is [`System::canonicalize`]'s.
    pub fn canonicalize_swap(&self, sym: &Symmetry, pinned: Option<usize>, s: &mut State) -> Swap {
        let mut swap = sym.identity();
        let fixed = pinned.and_then(|p| sym.position_of(p));
        for (g, group) in sym.groups.iter().enumerate() {
            let n = group.len();
            let kept = fixed.filter(|&(fg, _)| fg == g).map(|(_, k)| k);
            let slots: Vec<usize> = (0..n).filter(|&k| Some(k) != kept).collect();
            let mut order = slots.clone();
            self.sort_instances(group, &s.0, &mut order);
            let to = &mut swap.to[g];
            for (&from, &slot) in order.iter().zip(&slots) {
                to[from] = slot;
            }
        }
        self.swap_state(sym, &swap, s);
        swap
    }

    /// Applies a renaming to `s`: each instance's threads' program counters and statuses,
    /// its memory and locals move to its new place, and mutex owners and the atomic holder
    /// are renamed to match.
    pub fn swap_state(&self, sym: &Symmetry, swap: &Swap, s: &mut State) {
        let l = &self.layout;
        for (group, to) in sym.groups.iter().zip(&swap.to) {
            if to.iter().enumerate().all(|(i, &t)| i == t) {
                continue;
            }
            let first_thread = l.processes[group[0]].threads.start as usize;
            let per_instance = l.processes[group[0]].threads.len();
            let (_, first_vars) = self.instance_slots(group[0]);
            let var_len = first_vars.len();
            let old = s.0.to_vec();
            for (from, &k) in to.iter().enumerate() {
                for i in 0..per_instance {
                    let to_thread = (first_thread + k * per_instance + i) as ThreadId;
                    let from_thread = (first_thread + from * per_instance + i) as ThreadId;
                    s.0[l.pc_slot(to_thread)] = old[l.pc_slot(from_thread)];
                    s.0[l.status_slot(to_thread)] = old[l.status_slot(from_thread)];
                }
                let to_vars = first_vars.start + k * var_len;
                let from_vars = first_vars.start + from * var_len;
                s.0[to_vars..to_vars + var_len].copy_from_slice(&old[from_vars..from_vars + var_len]);
            }
            let n = group.len();
            // Holders are thread ids plus one (0: free); only the template's threads move.
            let renamed = |holder: i32| -> i32 {
                let Some(thread) = (holder as usize).checked_sub(1) else { return holder };
                if !(first_thread..first_thread + n * per_instance).contains(&thread) {
                    return holder;
                }
                let (instance, within) =
                    ((thread - first_thread) / per_instance, (thread - first_thread) % per_instance);
                (first_thread + to[instance] * per_instance + within + 1) as i32
            };
            for m in 0..l.mutex_count() {
                let at = l.mutex_base + 3 * m;
                s.0[at] = renamed(old[at]);
            }
            s.0[ATOMIC_SLOT] = renamed(old[ATOMIC_SLOT]);
        }
    }

    /// Who plays `actor`'s part after the renaming: a thread or process of an
    /// interchangeable instance moves with its instance; anyone else stays.
    pub fn swap_actor(&self, sym: &Symmetry, swap: &Swap, actor: Actor) -> Actor {
        let l = &self.layout;
        let thread = |t: ThreadId| -> ThreadId {
            let p = l.threads[t as usize].process;
            match sym.position_of(p) {
                Some((g, k)) => {
                    let group = &sym.groups[g];
                    let within = t - l.processes[p].threads.start;
                    l.processes[group[swap.to[g][k]]].threads.start + within
                }
                None => t,
            }
        };
        match actor {
            Actor::Thread(t) => Actor::Thread(thread(t)),
            Actor::Death(t) => Actor::Death(thread(t)),
            Actor::Process(p) => match sym.position_of(p) {
                Some((g, k)) => Actor::Process(sym.groups[g][swap.to[g][k]]),
                None => Actor::Process(p),
            },
        }
    }
}

impl Symmetry {
    /// The renaming that sends, in each symmetric group (in [`Symmetry`]'s order), the
    /// instance at position `i` to position `to[g][i]`; `None` unless every `to[g]` is a
    /// permutation of its group's positions.
    pub fn swap_of(&self, to: Vec<Vec<usize>>) -> Option<Swap> {
        let fits = to.len() == self.groups.len()
            && to.iter().zip(&self.groups).all(|(t, g)| {
                let mut seen = vec![false; g.len()];
                t.len() == g.len() && t.iter().all(|&k| k < g.len() && !std::mem::replace(&mut seen[k], true))
            });
        fits.then_some(Swap { to })
    }
}
