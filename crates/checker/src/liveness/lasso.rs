//! The lasso of a fair component: a shortest prefix from the initial state to the
//! component's first state, then a cycle from it through what makes the component fair (and,
//! for starvation, what shows the starvation) back to it, re-executed as a run of the model
//! on real states.

use std::collections::{HashMap, VecDeque};

use mutexcheck_core::{State, ThreadId};

use super::facts::MoveFacts;
use super::recheck::describe;
use super::scc::{inner_edges, Goal, LiveGraph};
use crate::checkable::Checkable;
use crate::result::{Counterexample, TraceStep};
use crate::system_model::SystemModel;

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

/// A step of a path inside the component: (from, to, edge index).
type PathStep = (u32, u32, usize);

/// A lasso into `component` (a fair component of `goal`'s subgraph, sorted): the shortest
/// prefix to its first state, then a cycle from it through a step or a disabled state of
/// every thread (and, for starvation, a step where another thread acquires the mutex and a
/// witness of the starving thread's trying) back; each need is met at the nearest place from
/// where the cycle is. The run is re-executed on real states of `model` (the recorded model).
pub fn build_lasso(model: &SystemModel<'_>, g: &LiveGraph, goal: Goal, component: &[u32]) -> Counterexample {
    let system = model.system();
    let entry = component[0];
    let keep: Vec<bool> = g.facts.iter().map(|f| goal.keeps(f)).collect();
    let mut needs: Vec<Need> = (0..g.threads as ThreadId).map(Need::Fair).collect();
    if let Goal::Starvation { mutex, starving } = goal {
        needs.push(Need::OtherAcquires(mutex, starving));
        needs.push(Need::Tries(mutex, starving));
    }
    let state_meets = |need: Need, s: u32| match need {
        Need::Fair(t) => g.unable(s, t),
        Need::OtherAcquires(..) => false,
        Need::Tries(m, t) => g.blocked_on(s, t, m),
    };
    let step_meets = |need: Need, f: &MoveFacts| match need {
        Need::Fair(t) => f.fair_to(t),
        Need::OtherAcquires(m, t) => f.other_acquires(t, m),
        Need::Tries(m, t) => f.tries(t, m),
    };
    // Adjacency inside the component (lookups only: the map's order never shows).
    let mut adjacent: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
    for (from, e) in inner_edges(g, &keep, component) {
        adjacent.entry(from).or_default().push((g.graph.target(e), e));
    }
    let mut cycle: Vec<PathStep> = Vec::new();
    let mut here = entry;
    for need in needs {
        let met = state_meets(need, here)
            || cycle.iter().any(|&(s, _, _)| state_meets(need, s))
            || cycle.iter().any(|&(_, _, e)| step_meets(need, g.edge_facts(e)));
        if met {
            continue;
        }
        let (path, end) = nearest(&adjacent, here, &|s| state_meets(need, s), &|e| step_meets(need, g.edge_facts(e)));
        cycle.extend(path);
        here = end;
    }
    if cycle.is_empty() {
        // Every need is met in the entry state itself: leave it by its first step.
        let &(to, e) = adjacent.get(&entry).and_then(|v| v.first()).expect("a component with a cycle");
        cycle.push((entry, to, e));
        here = to;
    }
    if here != entry {
        let (home, _) = nearest(&adjacent, here, &|s| s == entry, &|_| false);
        cycle.extend(home);
    }
    let ordinal = |(from, _, e): PathStep| (e - g.graph.row(from).start) as u32;
    let prefix = g.graph.ordinals_to(entry);
    let cycle: Vec<u32> = cycle.into_iter().map(ordinal).collect();
    let (initial, steps, cycle_start) = real_run(model, &prefix, &cycle);
    let violation = describe(system, goal, cycle_start, steps.len());
    Counterexample { cycle_start: Some(cycle_start), ..Counterexample::new(violation, initial, steps, false) }
}

/// The run of the moves numbered `prefix` then `cycle` (successor ordinals in the recorded
/// model) on real states: the recorded states have canonical dead data, and a trace shows
/// the values the program really holds. A state and its canonical form have the same moves
/// in the same order, so the ordinals lead the same way. Returns the real initial state, the
/// steps, and the number of the cycle's first step.
fn real_run(model: &SystemModel<'_>, prefix: &[u32], cycle: &[u32]) -> (State, Vec<TraceStep>, usize) {
    let system = model.system();
    let initial = system.initial_state();
    let mut steps: Vec<TraceStep> = Vec::new();
    let mut moves = Vec::new();
    let mut successors = Vec::new();
    let mut cycle_start = 0;
    for (k, &ordinal) in prefix.iter().chain(cycle).enumerate() {
        if k == prefix.len() {
            cycle_start = steps.len() + 1;
        }
        let state = steps.last().map_or(&initial, |s| &s.state).clone();
        moves.clear();
        model.successors(&state, &mut moves);
        let Some((mv, _)) = moves.get(ordinal as usize) else {
            debug_assert!(false, "a recorded move is missing from the real state's moves");
            break;
        };
        let mut at = state;
        for step in mv.steps() {
            successors.clear();
            system.successors_of(&at, step.action.actor(), &mut successors);
            let Some(i) = crate::path::find(&successors, |s, _| s == step) else {
                debug_assert!(false, "a move's step is not a step of the state it leaves");
                break;
            };
            let (step, next) = successors.swap_remove(i);
            at = next.clone();
            steps.push(TraceStep { step, state: next });
        }
    }
    (initial, steps, cycle_start)
}

/// The shortest path from `from` (breadth first over `adjacent`) to the first place that
/// meets a need: a state where `state_ok` holds (the path ends there), or an edge where
/// `step_ok` holds (the path ends with it). Returns the path and where it ends. Every state
/// of a strongly connected component reaches every other, so a need the component meets is
/// always found.
fn nearest(
    adjacent: &HashMap<u32, Vec<(u32, usize)>>,
    from: u32,
    state_ok: &dyn Fn(u32) -> bool,
    step_ok: &dyn Fn(usize) -> bool,
) -> (Vec<PathStep>, u32) {
    let mut came: HashMap<u32, PathStep> = HashMap::new();
    let walk_back = |came: &HashMap<u32, PathStep>, mut at: u32| {
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
        for &(b, e) in adjacent.get(&s).map_or(&[][..], |v| &v[..]) {
            if step_ok(e) {
                let mut path = walk_back(&came, s);
                path.push((s, b, e));
                return (path, b);
            }
            if b != from && !came.contains_key(&b) {
                came.insert(b, (s, b, e));
                queue.push_back(b);
            }
        }
    }
    unreachable!("a need the component meets is met somewhere in it")
}
