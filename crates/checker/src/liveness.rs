//! Liveness: livelock and starvation, found as fair cycles of the state graph.
//!
//! A liveness violation is an infinite run, so a counterexample is a *lasso*: a prefix from
//! the initial state and a cycle that repeats forever. Runs are judged under **weak fairness
//! of threads**: a run in which some thread stays able to move from some point on, yet never
//! moves again, is not a real run of a scheduler and is ignored. Crashes and restarts are not
//! subject to fairness (a crash is optional) and cannot lie on a cycle (each one uses up the
//! crash budget, a counter that only grows).
//!
//! The check builds the whole reachable graph of the model without reductions (dead data is
//! still canonical: it is a bisimulation, so it keeps every infinite run), and looks at the
//! strongly connected components (petgraph's Tarjan) of a subgraph:
//! - **livelock**, when the model has `progress` statements: the subgraph without the
//!   `progress` steps. A run that from some point never passes `progress` stays, from that
//!   point, in one component of it.
//! - **starvation of `m`**, for each thread `t`: the subgraph without the steps where `t`
//!   acquires `m`; the component must also hold a step of another thread that acquires `m`,
//!   and `t` must be trying for `m` in it (blocked on it, or a wait on it that failed).
//!
//! A component holds a fair cycle exactly when every thread either moves inside it or is
//! unable to move (blocked, finished, dead, or held off by another thread's atomic block) in
//! one of its states: a cycle through all of it then gives every thread its due. The first
//! such component, in the order of the states' discovery, is reported, with a shortest
//! prefix to it and a cycle through the steps and states that make it fair.
//!
//! Partial-order reduction and symmetry are off here: neither is proved sound for these
//! properties in this checker (the cycle proviso of `core/por.rs` is for safety, and a
//! symmetry class may merge the thread that starves with one that does not).

use std::collections::{HashMap, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};

use mutexcheck_core::ir::{Liveness, Op};
use mutexcheck_core::posix::LockOutcome;
use mutexcheck_core::{Action, Outcome, State, Step, System, ThreadId, ThreadStatus, WaitOutcome};

use crate::allowed::AllowedTally;
use crate::guard::Guard;
use crate::limits::{Limit, Limits};
use crate::properties::{Violation, ViolationKind};
use crate::result::{Counterexample, TraceStep};
use crate::stats::Stats;

mod lift;
mod quotient;
mod symmetric;

pub use symmetric::check_symmetric;

/// True when the model states a liveness property (a `progress` statement or `starvation`).
pub fn has_liveness(system: &System) -> bool {
    system.model().has_progress() || !system.model().liveness.is_empty()
}

/// What one edge of the graph did, as far as liveness cares.
#[derive(Clone, Copy, Debug)]
struct EdgeFacts {
    /// The successor's number among its source's successors, to make the step again.
    ordinal: u32,
    /// The thread that moved (`None` for a crash or restart).
    thread: Option<ThreadId>,
    /// A `progress` statement.
    progress: bool,
    /// The mutex it acquired, if it is a successful wait or lock.
    acquired: Option<usize>,
    /// The mutex a wait or lock on it did not get (a timeout, `BUSY`, ...).
    missed: Option<usize>,
}

/// The reachable graph: states in discovery order, their out-edges, how each was reached.
struct Graph {
    states: Vec<State>,
    /// Edges out of each state, in successor order: (target, facts).
    out: Vec<Vec<(u32, EdgeFacts)>>,
    /// For each state but the first, the state it was discovered from and the edge's ordinal.
    parent: Vec<Option<(u32, u32)>>,
    /// `enabled[s][t]`: thread `t` has a step in state `s`.
    enabled: Vec<Vec<bool>>,
    transitions: u64,
    max_depth: u32,
    /// The allowed events of the graph's transitions (see [`crate::allowed`]).
    allowed: AllowedTally,
}

/// Why the graph could not be built whole.
enum Cut {
    Limit(Limit),
}

/// The liveness verdict of `system` within `limits`: the counterexample of the first fair
/// cycle that breaks a liveness property, or none; `Err` when a bound stopped the search.
pub fn check(system: &System, limits: &Limits, guard: &Guard) -> (Result<Option<Counterexample>, Limit>, Stats) {
    check_goals(system, &goals(system), limits, guard)
}

/// [`check`] for `goals` only, in their order.
fn check_goals(
    system: &System,
    goals: &[Goal],
    limits: &Limits,
    guard: &Guard,
) -> (Result<Option<Counterexample>, Limit>, Stats) {
    let start = std::time::Instant::now();
    let graph = match explore(system, limits, guard) {
        Ok(g) => g,
        Err(cut) => {
            let (Cut::Limit(limit), stats) = *cut;
            return (Err(limit), stats);
        }
    };
    let mut stats = Stats {
        states: graph.states.len() as u64,
        transitions: graph.transitions,
        max_depth: graph.max_depth,
        threads: 1,
        allowed: graph.allowed.clone().into_counts(),
        ..Stats::default()
    };
    let found = find(system, &graph, goals, guard);
    stats.elapsed = start.elapsed();
    stats.peak_rss_kb = crate::stats::peak_rss_kb();
    match found {
        Ok(c) => (Ok(c), stats),
        Err(limit) => (Err(limit), stats),
    }
}

/// What the step from `before` did that fairness and starvation look at.
fn facts(system: &System, before: &State, ordinal: usize, step: &Step) -> EdgeFacts {
    let thread = match step.action {
        Action::Run { thread, .. } => Some(thread),
        _ => None,
    };
    let op = system.op_in(before, &step.action);
    let mutex = match op.as_deref() {
        Some(Op::Wait { mutex, .. }) => Some(*mutex),
        _ => None,
    };
    let acquired = match step.outcome {
        Outcome::Wait { outcome: WaitOutcome::Ok | WaitOutcome::Abandoned, .. } => mutex,
        Outcome::Lock { outcome: LockOutcome::Ok | LockOutcome::OwnerDead, count } if count > 0 => mutex,
        _ => None,
    };
    let missed = match step.outcome {
        Outcome::Wait { outcome: WaitOutcome::Timeout, .. } => mutex,
        Outcome::Lock { .. } if acquired.is_none() => mutex,
        _ => None,
    };
    EdgeFacts { ordinal: ordinal as u32, thread, progress: op.as_deref() == Some(&Op::Progress), acquired, missed }
}

fn explore(system: &System, limits: &Limits, guard: &Guard) -> Result<Graph, Box<(Cut, Stats)>> {
    let threads = system.thread_count();
    let mut initial = system.initial_state();
    system.canonicalize_dead(&mut initial);
    let mut g = Graph {
        states: vec![initial],
        out: Vec::new(),
        parent: vec![None],
        enabled: Vec::new(),
        transitions: 0,
        max_depth: 0,
        allowed: AllowedTally::default(),
    };
    let mut index: HashMap<State, u32> = HashMap::new();
    index.insert(g.states[0].clone(), 0);
    let mut depth = vec![0u32];
    let mut successors = Vec::new();
    let checks = crate::checks::Checks::new(system);
    let mut allowed = Vec::new();
    let stopped = |g: &Graph, limit: Limit| {
        let stats = Stats {
            states: g.states.len() as u64,
            transitions: g.transitions,
            max_depth: g.max_depth,
            threads: 1,
            allowed: g.allowed.clone().into_counts(),
            ..Stats::default()
        };
        Err(Box::new((Cut::Limit(limit), stats)))
    };
    let mut next = 0usize;
    while next < g.states.len() {
        if let Some(limit) = guard.exceeded() {
            return stopped(&g, limit);
        }
        // All of a state's successors are held at once: the memory bound must have room
        // (a step per thread and a crash per process, as most states have).
        let state_bytes = std::mem::size_of_val(g.states[next].slots());
        if let Err(limit) = guard.room_for((threads + system.layout().processes.len()) * state_bytes) {
            return stopped(&g, limit);
        }
        successors.clear();
        system.successors_until(&g.states[next], &mut successors, &|| guard.exceeded().is_some());
        if let Some(limit) = guard.exceeded() {
            return stopped(&g, limit);
        }
        let mut enabled = vec![false; threads];
        let mut edges = Vec::with_capacity(successors.len());
        for (ordinal, (step, mut target)) in successors.drain(..).enumerate() {
            allowed.clear();
            checks.allowed_events(&g.states[next], &step, &target, &mut allowed);
            // Dead data is canonical, as for safety: it keeps every infinite run, and the
            // lasso is re-executed on real states below.
            system.canonicalize_dead_after(&mut target, [&step]);
            if let Outcome::Fault(_) = step.outcome {
                continue; // A fault is a safety violation, checked before; no run goes on.
            }
            let f = facts(system, &g.states[next], ordinal, &step);
            if let Some(t) = f.thread {
                enabled[t as usize] = true;
            }
            let to = match index.get(&target) {
                Some(&i) => i,
                None => {
                    if limits.max_states.is_some_and(|m| g.states.len() as u64 >= m) {
                        return stopped(&g, Limit::MaxStates(limits.max_states.unwrap_or(0)));
                    }
                    let i = g.states.len() as u32;
                    index.insert(target.clone(), i);
                    g.states.push(target);
                    g.parent.push(Some((next as u32, ordinal as u32)));
                    depth.push(depth[next] + 1);
                    g.max_depth = g.max_depth.max(depth[next] + 1);
                    i
                }
            };
            g.transitions += 1;
            if !allowed.is_empty() {
                g.allowed.add_transition(&allowed);
            }
            edges.push((to, f));
        }
        g.out.push(edges);
        g.enabled.push(enabled);
        next += 1;
    }
    Ok(g)
}

/// What a component must hold for the property it is searched for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Goal {
    /// Any fair cycle (of the subgraph without `progress` steps).
    Livelock,
    /// A fair cycle where `starving` tries for `mutex` and others acquire it (of the
    /// subgraph without `starving`'s acquisitions of `mutex`).
    Starvation { mutex: usize, starving: ThreadId },
}

impl Goal {
    fn keeps(&self, f: &EdgeFacts) -> bool {
        match *self {
            Goal::Livelock => !f.progress,
            Goal::Starvation { mutex, starving } => !(f.thread == Some(starving) && f.acquired == Some(mutex)),
        }
    }
}

/// Every goal of the model's liveness properties, in the order they are searched for:
/// livelock, then starvation of each mutex (in declaration order) by each thread.
fn goals(system: &System) -> Vec<Goal> {
    let mut goals = Vec::new();
    if system.model().has_progress() {
        goals.push(Goal::Livelock);
    }
    for l in &system.model().liveness {
        let Liveness::Starvation { mutex, .. } = l;
        for t in 0..system.thread_count() as ThreadId {
            goals.push(Goal::Starvation { mutex: *mutex, starving: t });
        }
    }
    goals
}

fn find(system: &System, g: &Graph, goals: &[Goal], guard: &Guard) -> Result<Option<Counterexample>, Limit> {
    for &goal in goals {
        if let Some(limit) = guard.exceeded() {
            return Err(limit);
        }
        if let Some(cycle) = fair_cycle(system, g, goal) {
            return Ok(Some(lasso(system, g, goal, &cycle)));
        }
    }
    Ok(None)
}

/// A component of the goal's subgraph that holds a fair cycle meeting the goal: its states,
/// sorted, or `None`.
fn fair_cycle(system: &System, g: &Graph, goal: Goal) -> Option<Vec<u32>> {
    let mut sub: DiGraph<(), ()> = DiGraph::with_capacity(g.states.len(), g.transitions as usize);
    for _ in 0..g.states.len() {
        sub.add_node(());
    }
    for (from, edges) in g.out.iter().enumerate() {
        for (to, f) in edges {
            if goal.keeps(f) {
                sub.add_edge(NodeIndex::new(from), NodeIndex::new(*to as usize), ());
            }
        }
    }
    let mut candidates: Vec<Vec<u32>> = petgraph::algo::tarjan_scc(&sub)
        .into_iter()
        .map(|c| {
            let mut c: Vec<u32> = c.into_iter().map(|n| n.index() as u32).collect();
            c.sort_unstable();
            c
        })
        .filter(|c| meets(system, g, goal, c))
        .collect();
    // The component found first in breadth-first order: deterministic, and near the start.
    candidates.sort_unstable_by_key(|c| c[0]);
    candidates.into_iter().next()
}

/// The edges of the goal's subgraph inside `component` (sorted), as (from, to, facts).
fn inner_edges<'g>(g: &'g Graph, goal: Goal, component: &[u32]) -> Vec<(u32, u32, &'g EdgeFacts)> {
    let inside = |s: u32| component.binary_search(&s).is_ok();
    let mut edges = Vec::new();
    for &from in component {
        for (to, f) in &g.out[from as usize] {
            if inside(*to) && goal.keeps(f) {
                edges.push((from, *to, f));
            }
        }
    }
    edges
}

/// True when `component` holds a fair cycle that meets `goal`.
fn meets(system: &System, g: &Graph, goal: Goal, component: &[u32]) -> bool {
    let edges = inner_edges(g, goal, component);
    if edges.is_empty() {
        return false; // A single state without a loop: no cycle.
    }
    let fair = (0..system.thread_count()).all(|t| {
        edges.iter().any(|(_, _, f)| f.thread == Some(t as ThreadId))
            || component.iter().any(|&s| !g.enabled[s as usize][t])
    });
    fair && match goal {
        Goal::Livelock => true,
        Goal::Starvation { mutex, starving } => {
            let others_acquire = edges.iter().any(|(_, _, f)| f.acquired == Some(mutex) && f.thread != Some(starving));
            let tries = edges.iter().any(|(_, _, f)| f.thread == Some(starving) && f.missed == Some(mutex))
                || component.iter().any(|&s| blocked_on(system, &g.states[s as usize], starving, mutex));
            others_acquire && tries
        }
    }
}

fn blocked_on(system: &System, state: &State, t: ThreadId, mutex: usize) -> bool {
    system.thread_status(state, t) == ThreadStatus::Blocked
        && matches!(
            system.op_in(state, &Action::Run { thread: t, pc: system.pc(state, t) }).as_deref(),
            Some(Op::Wait { mutex: m, .. }) if *m == mutex
        )
}

/// A lasso into `component`: the shortest prefix to its first state, then a cycle from it
/// through a step or a disabled state of every thread (and, for starvation, a step where
/// another thread acquires the mutex and a witness of the starving thread's trying) back.
fn lasso(system: &System, g: &Graph, goal: Goal, component: &[u32]) -> Counterexample {
    let entry = component[0];
    let edges = inner_edges(g, goal, component);
    // What the cycle must pass: for every thread a step of it or a state where it cannot
    // move (fairness), and for starvation another thread's acquisition and the starving
    // thread's trying. Each need is met at the nearest place from where the cycle is.
    let mut needs: Vec<Need> = (0..system.thread_count() as ThreadId).map(Need::Fair).collect();
    if let Goal::Starvation { mutex, starving } = goal {
        needs.push(Need::OtherAcquires(mutex, starving));
        needs.push(Need::Tries(mutex, starving));
    }
    let state_meets = |need: Need, s: u32| match need {
        Need::Fair(t) => !g.enabled[s as usize][t as usize],
        Need::OtherAcquires(..) => false,
        Need::Tries(m, t) => blocked_on(system, &g.states[s as usize], t, m),
    };
    let step_meets = |need: Need, f: &EdgeFacts| match need {
        Need::Fair(t) => f.thread == Some(t),
        Need::OtherAcquires(m, t) => f.acquired == Some(m) && f.thread != Some(t),
        Need::Tries(m, t) => f.thread == Some(t) && f.missed == Some(m),
    };
    // The prefix: parent links from the entry back to the initial state.
    let mut prefix: Vec<(u32, u32)> = Vec::new();
    let mut at = entry;
    while let Some((p, ordinal)) = g.parent[at as usize] {
        prefix.push((p, ordinal));
        at = p;
    }
    prefix.reverse();
    // Adjacency inside the component (lookups only: the map's order never shows).
    let mut adjacent: HashMap<u32, Vec<(u32, &EdgeFacts)>> = HashMap::new();
    for &(from, to, f) in &edges {
        adjacent.entry(from).or_default().push((to, f));
    }
    let mut cycle: Vec<(u32, u32)> = Vec::new();
    let mut passed: Vec<&EdgeFacts> = Vec::new();
    let mut here = entry;
    for need in needs {
        let met = state_meets(need, here)
            || cycle.iter().any(|&(s, _)| state_meets(need, s))
            || passed.iter().any(|f| step_meets(need, f));
        if met {
            continue;
        }
        let (path, end) = nearest(&adjacent, here, &|s| state_meets(need, s), &|f| step_meets(need, f));
        for &(from, _, f) in &path {
            cycle.push((from, f.ordinal));
            passed.push(f);
        }
        here = end;
    }
    if cycle.is_empty() {
        // Every need is met in the entry state itself: leave it by its first step.
        let &(to, f) = adjacent.get(&entry).and_then(|v| v.first()).expect("a component with a cycle");
        cycle.push((entry, f.ordinal));
        here = to;
    }
    if here != entry {
        let (home, _) = nearest(&adjacent, here, &|s| s == entry, &|_| false);
        cycle.extend(home.iter().map(|&(from, _, f)| (from, f.ordinal)));
    }
    let cycle_start = prefix.len() + 1;
    // The run on real states: the graph's states have canonical dead data, and a trace
    // shows the values the program really holds. A state and its canonical form have the
    // same successors in the same order, so the ordinals lead the same way.
    let initial = system.initial_state();
    let mut steps: Vec<TraceStep> = Vec::new();
    let mut successors = Vec::new();
    for &(_, ordinal) in prefix.iter().chain(cycle.iter()) {
        successors.clear();
        system.successors(steps.last().map_or(&initial, |s| &s.state), &mut successors);
        let (step, state) = successors.swap_remove(ordinal as usize);
        steps.push(TraceStep { step, state });
    }
    let violation = describe(system, goal, cycle_start, steps.len());
    Counterexample { cycle_start: Some(cycle_start), ..Counterexample::new(violation, initial, steps, false) }
}

/// Something a lasso's cycle must pass to be fair and to show the violation.
#[derive(Clone, Copy)]
enum Need {
    /// A step of the thread, or a state where it cannot move.
    Fair(ThreadId),
    /// A step of a thread other than the second that acquires the mutex.
    OtherAcquires(usize, ThreadId),
    /// The thread trying for the mutex: a failed wait, or a state where it is blocked on it.
    Tries(usize, ThreadId),
}

/// A step of a path: from, to, and what the edge did.
type PathStep<'g> = (u32, u32, &'g EdgeFacts);

/// The shortest path from `from` (breadth first over `adjacent`) to the first place that
/// meets a need: a state where `state_ok` holds (the path ends there), or an edge where
/// `step_ok` holds (the path ends with it). Returns the path and where it ends. Every state
/// of a strongly connected component reaches every other, so a need the component meets is
/// always found.
fn nearest<'g>(
    adjacent: &HashMap<u32, Vec<(u32, &'g EdgeFacts)>>,
    from: u32,
    state_ok: &dyn Fn(u32) -> bool,
    step_ok: &dyn Fn(&EdgeFacts) -> bool,
) -> (Vec<PathStep<'g>>, u32) {
    let mut came: HashMap<u32, PathStep<'g>> = HashMap::new();
    let walk_back = |came: &HashMap<u32, PathStep<'g>>, mut at: u32| {
        let mut out = Vec::new();
        while at != from {
            let step = came[&at];
            out.push(step);
            at = step.0;
        }
        out.reverse();
        out
    };
    let mut queue = VecDeque::from([from]);
    while let Some(s) = queue.pop_front() {
        if state_ok(s) {
            return (walk_back(&came, s), s);
        }
        for &(b, f) in adjacent.get(&s).map_or(&[][..], |v| &v[..]) {
            if step_ok(f) {
                let mut path = walk_back(&came, s);
                path.push((s, b, f));
                return (path, b);
            }
            if b != from && !came.contains_key(&b) {
                came.insert(b, (s, b, f));
                queue.push_back(b);
            }
        }
    }
    unreachable!("a need the component meets is met somewhere in it")
}

fn describe(system: &System, goal: Goal, start: usize, end: usize) -> Violation {
    let repeat = if start == end { format!("step {start} repeats") } else { format!("steps {start}-{end} repeat") };
    match goal {
        Goal::Livelock => Violation::new(
            ViolationKind::Livelock,
            format!("livelock: {repeat} forever, a fair run that never passes a `progress` statement"),
        ),
        Goal::Starvation { mutex, starving } => Violation::new(
            ViolationKind::Starvation,
            format!(
                "starvation: {} waits for {} forever while other threads keep acquiring it ({repeat} forever, a fair run)",
                system.thread_name(starving),
                system.model().mutexes[mutex].name
            ),
        ),
    }
}

/// Re-checks a lasso step by step, as replay does: `states[0]` is the state before the first
/// step and `states[i]` the state after step `i`; the cycle is steps `start..=steps.len()`.
/// Returns the violation the cycle shows (a fair cycle back to its first state that breaks a
/// liveness property of the model), or why it shows none.
pub fn recheck(system: &System, states: &[State], steps: &[Step], start: usize) -> Result<Violation, String> {
    let n = steps.len();
    if start == 0 || start > n {
        return Err(format!("the cycle is said to start at step {start}, but the trace has {n} steps"));
    }
    let canonical = |s: &State| {
        let mut s = s.clone();
        system.canonicalize_dead(&mut s);
        s
    };
    // Values no later step reads (dead data) may differ: the state is the same for every
    // future, so the cycle closes.
    if canonical(&states[n]) != canonical(&states[start - 1]) {
        return Err(format!("the last step does not return to the state before step {start}, where the cycle starts"));
    }
    let cycle_states = &states[start - 1..n];
    let cycle: Vec<EdgeFacts> =
        steps[start - 1..].iter().zip(cycle_states).map(|(s, before)| facts(system, before, 0, s)).collect();
    let mut successors = Vec::new();
    let disabled_somewhere = |t: ThreadId, successors: &mut Vec<(Step, State)>| {
        cycle_states.iter().any(|s| {
            successors.clear();
            system.successors_of(s, mutexcheck_core::Actor::Thread(t), successors);
            successors.iter().all(|(step, _)| matches!(step.outcome, Outcome::Fault(_)))
        })
    };
    let unfair = (0..system.thread_count() as ThreadId)
        .find(|&t| !cycle.iter().any(|f| f.thread == Some(t)) && !disabled_somewhere(t, &mut successors));
    if let Some(t) = unfair {
        return Err(format!(
            "the cycle is not fair: {} can move in every state of it but never does",
            system.thread_name(t)
        ));
    }
    let end = n;
    if system.model().has_progress() && !cycle.iter().any(|f| f.progress) {
        return Ok(describe(system, Goal::Livelock, start, end));
    }
    for l in &system.model().liveness {
        let Liveness::Starvation { mutex, .. } = l;
        for t in 0..system.thread_count() as ThreadId {
            let never = !cycle.iter().any(|f| f.thread == Some(t) && f.acquired == Some(*mutex));
            let others = cycle.iter().any(|f| f.thread != Some(t) && f.acquired == Some(*mutex));
            let tries = cycle.iter().any(|f| f.thread == Some(t) && f.missed == Some(*mutex))
                || cycle_states.iter().any(|s| blocked_on(system, s, t, *mutex));
            if never && others && tries {
                return Ok(describe(system, Goal::Starvation { mutex: *mutex, starving: t }, start, end));
            }
        }
    }
    Err("the cycle passes a `progress` statement and starves no thread: it breaks no liveness property".into())
}
