//! Symmetry reduction: the instances of a process template are interchangeable when nothing
//! tells them apart, so a checker may store one state per class of states that differ only
//! by which instance is which.
//!
//! A template's instances are interchangeable when it has at least two instances, its code
//! never reads `self` (the one thing that differs between instances), no expression asks
//! `alive(...)` of one of its instances (which names an instance by its index), no mutex is created
//! owned by one of its instances, and no property reads anything but shared variables and
//! mutexes (the language guarantees the last one; a hand-built IR might not). Swapping two
//! such instances — their threads' program counters and statuses, their process memory and
//! locals, and the thread ids in mutex owners and in the atomic slot — maps runs to runs and
//! violations to violations of the same kind, so checking one state per class gives the
//! same verdict and, breadth-first, counterexamples of the same length.

use crate::ir::{Expr, MutexQuery, Op, Place, Property, Scope, Value};
use crate::mutex::ThreadId;
use crate::state::{State, ATOMIC_SLOT};
use crate::System;

mod swap;
pub use swap::Swap;

/// Which process instances may be swapped, template by template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Symmetry {
    /// For each symmetric template: the indices (in [`crate::state::Layout::processes`]) of
    /// its instances, in instance order.
    groups: Vec<Vec<usize>>,
    /// Why each template with several instances is not symmetric, one sentence each.
    refused: Vec<String>,
    /// The refusals that come from a mutex array indexed by `self`, e.g. "mutex array lock
    /// is indexed by `self` in process worker": a report names them, since a model written
    /// with mutex arrays often loses symmetry this way.
    mutex_arrays: Vec<String>,
}

impl Symmetry {
    /// True when no template's instances can be swapped: reduction changes nothing.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Why each template with several instances was left out, e.g.
    /// "process worker: its code reads `self`".
    pub fn refused(&self) -> &[String] {
        &self.refused
    }

    /// Why templates that index a mutex array by `self` are left out, one sentence each.
    pub fn mutex_array_reasons(&self) -> &[String] {
        &self.mutex_arrays
    }

    /// The templates whose instances are swapped, by name.
    pub fn templates(&self, system: &System) -> Vec<String> {
        self.groups.iter().map(|g| system.model.processes[system.layout.processes[g[0]].decl].name.clone()).collect()
    }
}

fn expr_reads_self(e: &Expr) -> bool {
    match e {
        Expr::InstanceId => true,
        Expr::Index(_, i) | Expr::Unary(_, i) | Expr::Alive { index: i, .. } => expr_reads_self(i),
        Expr::Binary(_, a, b) => expr_reads_self(a) || expr_reads_self(b),
        Expr::ElementQuery(_, element) => expr_reads_self(&element.index),
        _ => false,
    }
}

/// The first mutex array (by its first element) an expression indexes by `self`.
fn expr_self_indexed_array(e: &Expr) -> Option<usize> {
    match e {
        Expr::ElementQuery(_, element) if expr_reads_self(&element.index) => Some(element.base),
        Expr::Index(_, i) | Expr::Unary(_, i) => expr_self_indexed_array(i),
        Expr::Binary(_, a, b) => expr_self_indexed_array(a).or_else(|| expr_self_indexed_array(b)),
        _ => None,
    }
}

/// The first mutex array (by its first element) an instruction indexes by `self`.
fn op_self_indexed_array(op: &Op) -> Option<usize> {
    match op {
        Op::OnElement { element, .. } if expr_reads_self(&element.index) => Some(element.base),
        Op::Assign { value: e, .. } | Op::Assert { cond: e } | Op::Branch { cond: e, .. } => expr_self_indexed_array(e),
        _ => None,
    }
}

fn place_reads_self(p: &Place) -> bool {
    p.index.as_deref().is_some_and(expr_reads_self)
}

/// True when the expression reads only shared variables, mutexes and constants.
fn expr_is_global(e: &Expr) -> bool {
    match e {
        Expr::Var(v) => v.scope == Scope::Shared,
        Expr::Index(v, i) => v.scope == Scope::Shared && expr_is_global(i),
        Expr::InstanceId | Expr::Owns(_) | Expr::ElementQuery(MutexQuery::Owns, _) => false,
        // Reads thread statuses only; which instance it names is decided in `symmetry`.
        Expr::Alive { index, .. } => expr_is_global(index),
        Expr::ElementQuery(_, element) => expr_is_global(&element.index),
        Expr::Unary(_, i) => expr_is_global(i),
        Expr::Binary(_, a, b) => expr_is_global(a) && expr_is_global(b),
        Expr::Const(_) | Expr::MutexCount(_) | Expr::MutexAbandoned(_) => true,
    }
}

fn op_reads_self(op: &Op) -> bool {
    match op {
        Op::Assign { place, value } => place_reads_self(place) || expr_reads_self(value),
        Op::Wait { result, .. } | Op::Release { result, .. } | Op::Consistent { result, .. } => {
            result.as_ref().is_some_and(place_reads_self)
        }
        Op::Assert { cond } | Op::Branch { cond, .. } => expr_reads_self(cond),
        Op::OnElement { element, op } => expr_reads_self(&element.index) || op_reads_self(op),
        Op::Choose { .. } | Op::Goto { .. } | Op::Skip | Op::AtomicBegin | Op::AtomicEnd | Op::Exit | Op::Progress => {
            false
        }
    }
}

impl System {
    /// The templates whose instances are interchangeable (see the module comment), with the
    /// reason each other template of several instances is not.
    pub fn symmetry(&self) -> Symmetry {
        let mut sym = Symmetry::default();
        let global_properties = self.model.properties.iter().all(|p| match p {
            Property::Protect { cond, .. } | Property::Invariant { cond, .. } | Property::AtEnd { cond, .. } => {
                expr_is_global(cond)
            }
        });
        let alive_asked = crate::death::alive_asked(&self.model);
        for (decl, p) in self.model.processes.iter().enumerate() {
            if p.instances < 2 {
                continue;
            }
            let reason = if p.threads.iter().any(|t| t.code.iter().any(|i| op_reads_self(&i.op))) {
                Some("its code reads `self`")
            } else if alive_asked[decl] {
                Some("`alive(...)` names its instances one by one")
            } else if self.model.mutexes.iter().any(|m| m.initial_owner.is_some_and(|r| r.process == decl)) {
                Some("a mutex is created owned by one of its instances")
            } else if !global_properties {
                Some("a property reads process or thread data")
            } else {
                None
            };
            let code = || p.threads.iter().flat_map(|t| &t.code);
            if let Some(base) = code().find_map(|i| op_self_indexed_array(&i.op)) {
                let first = &self.model.mutexes[base].name;
                let array = first.strip_suffix("[0]").unwrap_or(first);
                sym.mutex_arrays.push(format!("mutex array {array} is indexed by `self` in process {}", p.name));
            }
            match reason {
                Some(r) => sym.refused.push(format!("process {}: {r}", p.name)),
                None => sym.groups.push(
                    (0..self.layout.processes.len()).filter(|&i| self.layout.processes[i].decl == decl).collect(),
                ),
            }
        }
        sym
    }

    /// Rewrites `s` into the one state of its class that reduction stores: within each
    /// symmetric template, instances sorted by what they hold (thread program counters and
    /// statuses, memory and locals, the mutexes their threads own, the atomic slot), with
    /// mutex owners and the atomic holder renamed to match. States that differ only by a
    /// swap of interchangeable instances get the same result.
    pub fn canonicalize(&self, sym: &Symmetry, s: &mut State) {
        for group in &sym.groups {
            self.canonicalize_group(group, &mut s.0);
        }
    }

    /// Who in `s` plays the part of `actor` in the canonical form of `s` (see
    /// [`System::canonicalize`]): a thread or process of an interchangeable instance maps to
    /// the instance of `s` that the canonical form puts in its place (instances that hold
    /// exactly the same are interchangeable: any of them is right); anyone else is
    /// themselves. `s` must have its dead data canonical ([`System::canonicalize_dead`]),
    /// as the search's states do. A story rebuilding a real run from the search's uses it
    /// to make only the right actor's steps.
    pub fn canonical_actor(&self, sym: &Symmetry, s: &State, actor: crate::Actor) -> crate::Actor {
        let l = &self.layout;
        for group in &sym.groups {
            let first_thread = l.processes[group[0]].threads.start as usize;
            let per_instance = l.processes[group[0]].threads.len();
            let position = match actor {
                crate::Actor::Thread(t) | crate::Actor::Death(t) => {
                    let t = t as usize;
                    (first_thread..first_thread + group.len() * per_instance)
                        .contains(&t)
                        .then(|| (t - first_thread) / per_instance)
                }
                crate::Actor::Process(p) => group.iter().position(|&q| q == p),
            };
            let Some(k) = position else { continue };
            let mut order = vec![0; group.len()];
            self.group_order(group, &s.0, &mut order);
            return match actor {
                crate::Actor::Thread(t) | crate::Actor::Death(t) => {
                    let within = (t as usize - first_thread) % per_instance;
                    let moved = (first_thread + order[k] * per_instance + within) as ThreadId;
                    match actor {
                        crate::Actor::Death(_) => crate::Actor::Death(moved),
                        _ => crate::Actor::Thread(moved),
                    }
                }
                crate::Actor::Process(_) => crate::Actor::Process(group[order[k]]),
            };
        }
        actor
    }

    /// Where instance `p`'s data lies: its threads, and its memory and locals (one block).
    fn instance_slots(&self, p: usize) -> (std::ops::Range<ThreadId>, std::ops::Range<usize>) {
        let info = &self.layout.processes[p];
        let threads = info.threads.clone();
        let end = match self.layout.processes.get(p + 1) {
            Some(next) => next.var_base,
            None => self.layout.slots,
        };
        (threads, info.var_base..end)
    }

    /// Sorts `order` (the instances of `group`, by index in the group) into the order the
    /// canonical form puts them in: by what each holds.
    fn group_order(&self, group: &[usize], s: &[Value], order: &mut [usize]) {
        order.iter_mut().enumerate().for_each(|(k, o)| *o = k);
        self.sort_instances(group, s, order);
    }

    /// Sorts `order`, some instances of `group` (by index in the group), by what each holds:
    /// the order of [`System::group_order`].
    fn sort_instances(&self, group: &[usize], s: &[Value], order: &mut [usize]) {
        let l = &self.layout;
        let mutexes = l.mutex_count();
        let first_thread = l.processes[group[0]].threads.start as usize;
        let per_instance = l.processes[group[0]].threads.len();
        let (_, first_vars) = self.instance_slots(group[0]);
        let var_len = first_vars.len();
        // A holder (thread id + 1, or 0) as seen from instance `k` of the group: 1 + its
        // thread's index within the instance when it is one of the instance's threads, else 0.
        let local = |holder: Value, k: usize| -> Value {
            let t = holder as usize;
            let from = first_thread + k * per_instance;
            if holder != 0 && (from..from + per_instance).contains(&(t - 1)) {
                (t - from) as Value
            } else {
                0
            }
        };
        let view: &[Value] = s;
        // Instances in order of what they hold: their threads' pcs and statuses (one block of
        // slots per instance), their memory and locals (one block), then per mutex and for the
        // atomic slot which of their threads holds it.
        let thread_block = |k: usize| {
            let from = l.pc_slot((first_thread + k * per_instance) as ThreadId);
            &view[from..from + crate::state::THREAD_SLOTS * per_instance]
        };
        let vars = |k: usize| &view[first_vars.start + k * var_len..first_vars.start + (k + 1) * var_len];
        let compare = |a: usize, b: usize| -> std::cmp::Ordering {
            thread_block(a).cmp(thread_block(b)).then_with(|| vars(a).cmp(vars(b))).then_with(|| {
                for m in 0..mutexes {
                    let holder = view[l.mutex_base + 3 * m];
                    match local(holder, a).cmp(&local(holder, b)) {
                        std::cmp::Ordering::Equal => {}
                        unequal => return unequal,
                    }
                }
                local(view[ATOMIC_SLOT], a).cmp(&local(view[ATOMIC_SLOT], b))
            })
        };
        order.sort_unstable_by(|&a, &b| compare(a, b));
    }

    fn canonicalize_group(&self, group: &[usize], s: &mut [Value]) {
        let l = &self.layout;
        let mutexes = l.mutex_count();
        let first_thread = l.processes[group[0]].threads.start as usize;
        let per_instance = l.processes[group[0]].threads.len();
        let (_, first_vars) = self.instance_slots(group[0]);
        let var_len = first_vars.len();
        let n = group.len();
        // On the stack for the usual group sizes: the search canonicalizes every transition's
        // target.
        let (mut small, mut small_place) = ([0usize; 32], [0usize; 32]);
        let (mut large, mut large_place) = (Vec::new(), Vec::new());
        let (order, place): (&mut [usize], &mut [usize]) = if n <= small.len() {
            (&mut small[..n], &mut small_place[..n])
        } else {
            large.resize(n, 0);
            large_place.resize(n, 0);
            (&mut large, &mut large_place)
        };
        self.group_order(group, s, order);
        if order.iter().enumerate().all(|(k, &o)| k == o) {
            return;
        }
        // A dropped state's slice (see `State`'s drop), back to the spares at the end.
        let spare = State(crate::state::spare_copy(s));
        let old = &spare.0;
        // Instance order[k] moves to place k; `place[i]` is where instance i goes.
        for (k, &from) in order.iter().enumerate() {
            place[from] = k;
            let to_thread = first_thread + k * per_instance;
            let from_thread = first_thread + from * per_instance;
            for i in 0..per_instance {
                let (to, from) = ((to_thread + i) as ThreadId, (from_thread + i) as ThreadId);
                s[l.pc_slot(to)] = old[l.pc_slot(from)];
                s[l.status_slot(to)] = old[l.status_slot(from)];
            }
            let to_vars = first_vars.start + k * var_len;
            let from_vars = first_vars.start + from * var_len;
            s[to_vars..to_vars + var_len].copy_from_slice(&old[from_vars..from_vars + var_len]);
        }
        let renamed = |holder: Value| -> Value {
            let t = holder as usize;
            // Holders are thread ids plus one (0: free); only the template's threads move.
            let Some(thread) = t.checked_sub(1) else { return holder };
            if !(first_thread..first_thread + n * per_instance).contains(&thread) {
                return holder;
            }
            let (instance, within) = ((t - 1 - first_thread) / per_instance, (t - 1 - first_thread) % per_instance);
            (first_thread + place[instance] * per_instance + within + 1) as Value
        };
        for m in 0..mutexes {
            let at = l.mutex_base + 3 * m;
            s[at] = renamed(old[at]);
        }
        s[ATOMIC_SLOT] = renamed(old[ATOMIC_SLOT]);
    }
}
