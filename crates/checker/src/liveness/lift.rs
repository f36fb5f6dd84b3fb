//! From a component of the quotient graph to a lasso of the real model: a run of the
//! unreduced model, built by following quotient edges.
//!
//! The walk keeps three things: the quotient state `r` it is at, the real state `x` (dead
//! data canonical) it has reached, and the renaming `σ` with `σ(r) = x`. A quotient edge
//! from `r` is a move of `r` (one step, or under partial-order reduction a step and the
//! steps through the transient states after it) to a state `r''` whose canonical form `r'`
//! is the edge's target; since a renaming maps steps to steps, `x` has, step by step, the
//! steps of the renamed actors to the renamed states, ending in `σ(r'')`, which the walk
//! takes (each found among the real state's successors by its actor and target, so its
//! ordinal is known). If `ρ` canonicalized `r''` (`ρ(r'') = r'`), the walk is then at `r'`,
//! `σ(r'')`, with renaming `σ ∘ ρ⁻¹`. Every step taken is a real step, so whatever
//! the walk builds is a real run; nothing here needs to be trusted for soundness, since the
//! lasso is checked on the unreduced model by [`super::recheck`] before it is reported.
//!
//! What the walk aims for is a *fair* cycle that shows the violation. A label of a quotient
//! edge names a thread in the coordinates of its source, and the renaming changes along a
//! run, so the cycle is built need by need in real terms: for each thread of the model (its
//! fairness: it moves, or is unable to move in some state) and for the goal's own needs,
//! unless the cycle so far meets it, a breadth-first search of the component from where the
//! walk is finds the nearest quotient edge or state that meets it *under the renaming of the
//! search's own path to it* (each search node carries that renaming), and the walk follows
//! that path. Then it returns to the cycle's first quotient state. There the real state is
//! `Q(x₀)`-like: the same quotient state, the real state renamed by the cycle's accumulated
//! renaming `Q`. Following the same quotient cycle again renames again, so after at most
//! the order of `Q` rounds the real state is `x₀` itself and the real cycle closes; every
//! need met in the first round stays met. A need that a search cannot meet (possible: the
//! quotient component only promises that *some* member of each orbit moves) makes the lift
//! fail, and the caller falls back to the exact unreduced check.

use std::collections::{HashMap, VecDeque};

use mutexcheck_core::symmetry::{Swap, Symmetry};
use mutexcheck_core::{Actor, State, Step, System, ThreadId};

use crate::checkable::Checkable;
use crate::system_model::{Move, SystemModel};

use super::facts::{blocked_on, step_facts, unable, MoveFacts, StepFacts};
use super::scc::{Goal, LiveGraph};

/// At most this many real steps in a lifted lasso, and quotient states in one search of the
/// walk: beyond them the lift gives up (and the check without symmetry decides), so that a
/// large component or renaming order cannot make it take long.
const MAX_STEPS: usize = 200_000;

/// Something a lasso's cycle must pass to be fair and to show the violation, in real terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Need {
    /// A step of the thread, or a state where it cannot move.
    Fair(ThreadId),
    /// A step of a thread other than the second that acquires the mutex.
    OtherAcquires(usize, ThreadId),
    /// The thread trying for the mutex: a failed wait, or a state where it is blocked on it.
    Tries(usize, ThreadId),
}

/// A lifted lasso: successor ordinals of the real model from its initial state (a state and
/// its dead-data canonical form have the same successors in the same order); the cycle is
/// `ordinals[cycle_start..]`, and it returns to the state before its first step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Lifted {
    pub ordinals: Vec<u32>,
    pub cycle_start: usize,
}

/// The part of the quotient graph a lasso may use: a component of the goal's subgraph.
pub(super) struct Scope<'g> {
    pub graph: &'g LiveGraph,
    pub goal: Goal,
    /// True for the quotient states of the component.
    pub inside: &'g dyn Fn(u32) -> bool,
}

impl Scope<'_> {
    /// The edges out of `node` that stay in the component and the goal's subgraph, as
    /// (ordinal, target, facts).
    fn edges(&self, node: u32) -> impl Iterator<Item = (u32, u32, &MoveFacts)> + '_ {
        let g = &self.graph.graph;
        let from = g.row(node).start;
        g.row(node).filter_map(move |e| {
            let f = self.graph.facts_in(node, e);
            let target = g.target(e);
            (self.goal.keeps(f) && (self.inside)(target)).then_some(((e - from) as u32, target, f))
        })
    }
}

/// The quotient model, with its symmetry.
struct Quotient<'m, 'a> {
    model: &'m SystemModel<'a>,
    sym: &'m Symmetry,
    pinned: Option<usize>,
}

/// One quotient edge followed from a representative: the move, the states after each of its
/// steps (dead data canonical, not renamed), the canonical target and the renaming to it.
struct Expanded {
    mv: Move,
    after: Vec<State>,
    target: State,
    rho: Swap,
}

impl<'m, 'a> Quotient<'m, 'a> {
    fn system(&self) -> &'a System {
        self.model.system()
    }

    /// Follows move `ordinal` out of `rep` (see [`Expanded`]).
    fn expand(&self, rep: &State, ordinal: u32) -> Option<Expanded> {
        let system = self.system();
        let mut successors = Vec::new();
        self.model.successors(rep, &mut successors);
        let (mv, _) = successors.into_iter().nth(ordinal as usize)?;
        let mut at = rep.clone();
        let mut after = Vec::with_capacity(mv.len());
        let mut out = Vec::new();
        for step in mv.steps() {
            out.clear();
            system.successors_of(&at, step.action.actor(), &mut out);
            let i = out.iter().position(|(s, _)| s == step)?;
            at = out.swap_remove(i).1;
            let mut dead = at.clone();
            system.canonicalize_dead(&mut dead);
            after.push(dead);
        }
        let mut target = after.last()?.clone();
        let rho = system.canonicalize_swap(self.sym, self.pinned, &mut target);
        Some(Expanded { mv, after, target, rho })
    }
}

/// A real state of the walk, as the cycle's needs look at it.
struct Visited {
    state: State,
    /// `unable[t]`: thread `t` cannot move here ([`unable`]).
    unable: Vec<bool>,
}

/// The walk of the module comment.
struct Walker<'q, 'm, 'a> {
    q: &'q Quotient<'m, 'a>,
    node: u32,
    rep: State,
    real: State,
    sigma: Swap,
    ordinals: Vec<u32>,
    /// The quotient ordinals of the cycle so far, to follow it again.
    quotient_cycle: Vec<u32>,
    /// The real steps of the cycle so far, and the real states it passed (its first and the
    /// one it is at included).
    steps: Vec<StepFacts>,
    states: Vec<Visited>,
    successors: Vec<(Step, State)>,
}

impl<'q, 'm, 'a> Walker<'q, 'm, 'a> {
    fn new(q: &'q Quotient<'m, 'a>) -> Walker<'q, 'm, 'a> {
        let system = q.system();
        let mut real = system.initial_state();
        system.canonicalize_dead(&mut real);
        let mut rep = real.clone();
        let sigma = system.canonicalize_swap(q.sym, q.pinned, &mut rep).inverse();
        let mut w = Walker {
            q,
            node: 0,
            rep,
            real,
            sigma,
            ordinals: Vec::new(),
            quotient_cycle: Vec::new(),
            steps: Vec::new(),
            states: Vec::new(),
            successors: Vec::new(),
        };
        w.visit();
        w
    }

    fn system(&self) -> &'a System {
        self.q.system()
    }

    /// Records the real state the walk is at as one the cycle passes.
    fn visit(&mut self) {
        let system = self.system();
        let unable = (0..system.thread_count() as ThreadId).map(|t| unable(system, &self.real, t)).collect();
        self.states.push(Visited { state: self.real.clone(), unable });
    }

    /// Follows quotient edge `ordinal` out of the current quotient state, to `target`.
    fn take(&mut self, ordinal: u32, target: u32) -> Option<()> {
        let (system, sym) = (self.system(), self.q.sym);
        let Expanded { mv, after, target: rep, rho } = self.q.expand(&self.rep, ordinal)?;
        for (step, raw) in mv.steps().zip(&after) {
            let mut next_real = raw.clone();
            system.swap_state(sym, &self.sigma, &mut next_real);
            let actor = system.swap_actor(sym, &self.sigma, step.action.actor());
            self.successors.clear();
            system.successors(&self.real, &mut self.successors);
            let j = crate::path::find(&self.successors, |s, t| {
                s.action.actor() == actor && {
                    let mut t = t.clone();
                    system.canonicalize_dead_after(&mut t, [s]);
                    t == next_real
                }
            })?;
            self.steps.push(step_facts(system, &self.real, &self.successors[j].0));
            self.ordinals.push(j as u32);
            self.real = next_real;
            self.visit();
        }
        self.quotient_cycle.push(ordinal);
        self.sigma = rho.inverse().then(&self.sigma);
        self.rep = rep;
        self.node = target;
        (self.ordinals.len() <= MAX_STEPS).then_some(())
    }

    /// Starts the cycle here: what was walked so far is the prefix.
    fn start_cycle(&mut self) {
        self.quotient_cycle.clear();
        self.steps.clear();
        self.states.drain(..self.states.len() - 1);
    }

    /// True when the cycle so far meets `need` in real terms.
    fn met(&self, need: Need) -> bool {
        let system = self.system();
        match need {
            Need::Fair(t) => {
                self.steps.iter().any(|f| f.thread == Some(t)) || self.states.iter().any(|v| v.unable[t as usize])
            }
            Need::OtherAcquires(m, t) => self.steps.iter().any(|f| f.acquired == Some(m) && f.thread != Some(t)),
            Need::Tries(m, t) => {
                self.steps.iter().any(|f| f.thread == Some(t) && f.missed == Some(m))
                    || self.states.iter().any(|v| blocked_on(system, &v.state, t, m))
            }
        }
    }
}

/// Who plays real thread `t` in the coordinates of a quotient state whose renaming has
/// inverse `sigma_inverse`.
fn in_coordinates(q: &Quotient<'_, '_>, sigma_inverse: &Swap, t: ThreadId) -> ThreadId {
    match q.system().swap_actor(q.sym, sigma_inverse, Actor::Thread(t)) {
        Actor::Thread(v) => v,
        _ => t,
    }
}

/// The nearest place (breadth first from where `w` is, inside `scope`) that meets `need`
/// under the renaming of the search's path to it: the quotient path there, as (ordinal,
/// target) pairs, or `None` when no such place is found.
fn search(w: &Walker<'_, '_, '_>, scope: &Scope<'_>, need: Need) -> Option<Vec<(u32, u32)>> {
    let (q, g) = (w.q, scope.graph);
    let state_ok = |node: u32, sigma_inverse: &Swap| -> bool {
        let v = |t| in_coordinates(q, sigma_inverse, t);
        match need {
            Need::Fair(t) => g.unable(node, v(t)),
            Need::OtherAcquires(..) => false,
            Need::Tries(m, t) => g.blocked_on(node, v(t), m),
        }
    };
    let step_ok = |f: &MoveFacts, sigma_inverse: &Swap| -> bool {
        let v = |t| in_coordinates(q, sigma_inverse, t);
        match need {
            Need::Fair(t) => f.fair_to(v(t)),
            Need::OtherAcquires(m, t) => f.other_acquires(v(t), m),
            Need::Tries(m, t) => f.tries(v(t), m),
        }
    };
    // For each quotient state reached: how (parent, ordinal), the state and its renaming.
    let mut came: HashMap<u32, (u32, u32, State, Swap)> = HashMap::new();
    let path_to = |came: &HashMap<u32, (u32, u32, State, Swap)>, mut at: u32| {
        let mut path = Vec::new();
        while at != w.node {
            let (parent, ordinal, _, _) = &came[&at];
            path.push((*ordinal, at));
            at = *parent;
        }
        path.reverse();
        path
    };
    let mut queue = VecDeque::from([w.node]);
    while let Some(node) = queue.pop_front() {
        let (rep, sigma) = match came.get(&node) {
            Some((_, _, rep, sigma)) => (rep.clone(), sigma.clone()),
            None => (w.rep.clone(), w.sigma.clone()),
        };
        let sigma_inverse = sigma.inverse();
        if state_ok(node, &sigma_inverse) {
            return Some(path_to(&came, node));
        }
        for (ordinal, to, f) in scope.edges(node) {
            if step_ok(f, &sigma_inverse) {
                let mut path = path_to(&came, node);
                path.push((ordinal, to));
                return Some(path);
            }
            if to == w.node || came.contains_key(&to) || came.len() >= MAX_STEPS {
                continue;
            }
            let Expanded { target, rho, .. } = q.expand(&rep, ordinal)?;
            came.insert(to, (node, ordinal, target, rho.inverse().then(&sigma)));
            queue.push_back(to);
        }
    }
    None
}

/// The shortest quotient path inside `scope` from `from` to `to`, as (ordinal, target).
fn path_home(scope: &Scope<'_>, from: u32, to: u32) -> Option<Vec<(u32, u32)>> {
    let mut came: HashMap<u32, (u32, u32)> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        for (ordinal, next, _) in scope.edges(node) {
            if next == from || came.contains_key(&next) {
                continue;
            }
            came.insert(next, (node, ordinal));
            if next == to {
                let mut path = Vec::new();
                let mut at = to;
                while at != from {
                    let (parent, ordinal) = came[&at];
                    path.push((ordinal, at));
                    at = parent;
                }
                path.reverse();
                return Some(path);
            }
            queue.push_back(next);
        }
    }
    None
}

/// Lifts a lasso into `scope`'s component of the quotient `model` (a [`SystemModel`] with
/// symmetry), entered at quotient state `entry` (reached from the initial state by the
/// recorded graph's discovery path), meeting `needs` in real terms; see the module comment.
/// `None` when the walk cannot meet a need or close the cycle within [`MAX_STEPS`].
pub(super) fn lift(model: &SystemModel<'_>, scope: &Scope<'_>, entry: u32, needs: &[Need]) -> Option<Lifted> {
    let (sym, pinned) = model.symmetry()?;
    let q = Quotient { model, sym, pinned };
    let graph = &scope.graph.graph;
    let mut w = Walker::new(&q);
    // The prefix: the discovery path to the entry, node by node.
    for (ordinal, to) in graph.discovery_path(entry) {
        w.take(ordinal, to)?;
    }
    w.start_cycle();
    let cycle_start = w.ordinals.len();
    let (start_real, start_sigma) = (w.real.clone(), w.sigma.clone());
    for &need in needs {
        if w.met(need) {
            continue;
        }
        for (ordinal, to) in search(&w, scope, need)? {
            w.take(ordinal, to)?;
        }
    }
    if w.ordinals.len() == cycle_start {
        // Every need is met in the entry state itself: leave it by its first edge.
        let (ordinal, to, _) = scope.edges(entry).next()?;
        w.take(ordinal, to)?;
    }
    if w.node != entry {
        for (ordinal, to) in path_home(scope, w.node, entry)? {
            w.take(ordinal, to)?;
        }
    }
    close(&mut w, scope.graph, entry, &start_real, &start_sigma)?;
    Some(Lifted { ordinals: w.ordinals, cycle_start })
}

/// Follows the quotient cycle walked since [`Walker::start_cycle`] (from `entry`, where the
/// real state was `start_real` and the renaming `start_sigma`) round after round until the
/// real state comes back: at most the order of the round's accumulated renaming.
fn close(w: &mut Walker<'_, '_, '_>, g: &LiveGraph, entry: u32, start_real: &State, start_sigma: &Swap) -> Option<()> {
    let round = w.quotient_cycle.clone();
    let mut node = entry;
    let targets: Vec<u32> = round
        .iter()
        .map(|&o| {
            node = g.graph.edges(node).nth(o as usize).map_or(node, |(_, t, _)| t);
            node
        })
        .collect();
    let accumulated = w.sigma.then(&start_sigma.inverse());
    for _ in 1..accumulated.order() {
        if w.real == *start_real {
            break;
        }
        for (&ordinal, &to) in round.iter().zip(&targets) {
            w.take(ordinal, to)?;
        }
    }
    (w.real == *start_real).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::Guard;
    use crate::limits::Limits;
    use crate::liveness::record_graph;
    use crate::system_model::Reductions;

    /// Three interchangeable spinners (`while true { skip }`: at `while` or at `skip`) and
    /// one process `p` that passes `progress` once (thread 3).
    const SPIN3: &str = "model spin3\ncrashes 0\nprocess w[3] {\n    while true {\n        skip\n    }\n}\nprocess p {\n    progress\n}\n";

    fn system(source: &str) -> System {
        let model = mutexcheck_lang::compile("t.mc", source.as_bytes()).unwrap();
        System::new(model).unwrap()
    }

    /// The quotient edge out of `node` with `ordinal`: (ordinal, target).
    fn edge(graph: &LiveGraph, node: u32, ordinal: u32) -> (u32, u32) {
        let (_, to, _) = graph.graph.edges(node).nth(ordinal as usize).unwrap();
        (ordinal, to)
    }

    #[test]
    fn a_round_whose_renaming_is_a_rotation_closes_after_three_rounds() {
        // Quotient states: p before or after `progress`, and how many spinners are at `skip`.
        // Canonical order puts instances at `while` first; instances that hold the same keep
        // their order (the sort of a few instances is an insertion sort).
        let system = system(SPIN3);
        let guard = Guard::new(&Limits::default());
        let model = SystemModel::new(&system, Reductions { partial_order: false, symmetry: true });
        let (graph, _) = record_graph(&model, &Limits::default(), 1, &guard);
        let graph = graph.unwrap();
        assert_eq!(graph.graph.states(), 8);
        let (sym, pinned) = model.symmetry().unwrap();
        let q = Quotient { model: &model, sym, pinned };
        let mut w = Walker::new(&q);
        // Prefix: w[0]'s `while` (real: w[0] at skip; representative: the last instance at
        // skip, so representative 0 is w[1], 1 is w[2], 2 is w[0]), then p's `progress`.
        let (o, to) = edge(&graph, 0, 0);
        w.take(o, to).unwrap();
        let (o, entry) = edge(&graph, w.node, 3);
        w.take(o, entry).unwrap();
        assert_eq!(w.ordinals, [0, 3]);
        w.start_cycle();
        let (start_real, start_sigma) = (w.real.clone(), w.sigma.clone());
        // The round: representative 0's `while` (w[1]: now w[1], w[0] at skip, in that
        // order as representatives 1 and 2), then representative 2's `skip` (w[0]). The real
        // state has w[1] at skip, not w[0]: the round renamed w[0] -> w[1] -> w[2] -> w[0].
        let (o, to) = edge(&graph, entry, 0);
        w.take(o, to).unwrap();
        let (o, back) = edge(&graph, w.node, 2);
        w.take(o, back).unwrap();
        assert_eq!(back, entry);
        assert_eq!(w.ordinals[2..], [1, 0]);
        assert_ne!(w.real, start_real);
        assert_eq!(w.sigma.then(&start_sigma.inverse()).order(), 3);
        close(&mut w, &graph, entry, &start_real, &start_sigma).unwrap();
        // Rounds 2 and 3: w[2]'s `while` and w[1]'s `skip`, then w[0]'s `while` and w[2]'s
        // `skip`: the real state is back where the cycle started (w[0] at skip).
        assert_eq!(w.ordinals[2..], [1, 0, 2, 1, 0, 2]);
        assert_eq!(w.real, start_real);
        // p finished in the prefix, so the cycle is fair: a real livelock of steps 3-8.
        let lasso = crate::liveness::symmetric::confirm(&system, Goal::Livelock, &w.ordinals, 2).unwrap();
        assert_eq!(lasso.cycle_start, Some(3));
        assert_eq!(
            lasso.violation.message,
            "livelock: steps 3-8 repeat forever, a fair run that never passes a `progress` statement"
        );
    }
}
