//! Fair components: the strongly connected components of one goal's subgraph of the
//! recorded graph that hold a fair cycle meeting the goal.
//!
//! The subgraph is never built: the components are found by Tarjan's algorithm run on the
//! recorded graph's rows with the goal's filter on each edge's facts. It is written here
//! without recursion (petgraph 0.6.5's `tarjan_scc` recurses once per state on a path, which
//! overflows the stack on graphs of millions of states), and it holds 9 bytes a state.

use mutexcheck_core::ThreadId;

use super::facts::MoveFacts;
use crate::state_graph::{EdgeLabel, RecordedGraph};

/// The recorded graph of a liveness check with what its labels and marks mean.
pub struct LiveGraph {
    /// States, edges and marks (see [`super::facts::LiveRecorder`]); each edge's label is
    /// the index of its facts in `facts`.
    pub graph: RecordedGraph<u32>,
    /// The distinct facts of the graph's moves.
    pub facts: Vec<MoveFacts>,
    /// Threads of the model.
    pub threads: usize,
    /// The mutexes of `starvation` properties, in mark order.
    pub mutexes: Vec<usize>,
    /// Words of one bit set of threads in a mark.
    pub set_words: usize,
}

impl LiveGraph {
    fn bit(&self, s: u32, set: usize, t: ThreadId) -> bool {
        let t = t as usize;
        self.graph.mark(s)[set * self.set_words + t / 64] >> (t % 64) & 1 == 1
    }

    /// True when `t` cannot move in state `s` (see [`super::facts::unable`]).
    pub fn unable(&self, s: u32, t: ThreadId) -> bool {
        self.bit(s, 0, t)
    }

    /// True when `t` is blocked on `mutex` in state `s` (a mutex of a `starvation` property).
    pub fn blocked_on(&self, s: u32, t: ThreadId, mutex: usize) -> bool {
        match self.mutexes.binary_search(&mutex) {
            Ok(i) => self.bit(s, 1 + i, t),
            Err(_) => false,
        }
    }

    /// The facts of edge `e` (an index into the graph's edge arrays); where its source is
    /// known, [`LiveGraph::facts_in`] is quicker.
    pub fn edge_facts(&self, e: usize) -> &MoveFacts {
        &self.facts[self.graph.label(e) as usize]
    }

    /// The facts of edge `e`, one of `state`'s out-edges.
    #[inline]
    pub fn facts_in(&self, state: u32, e: usize) -> &MoveFacts {
        &self.facts[self.graph.label_in(state, e) as usize]
    }

    /// [`components`] of the subgraph of edges whose facts `keep` allows (by fact index).
    pub fn components(&self, keep: &[bool], buf: &mut Tarjan, found: &mut dyn FnMut(&[u32])) {
        components(&self.graph, &|label| keep[label as usize], buf, found)
    }
}

/// What a component must hold for the property it is searched for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// Any fair cycle (of the subgraph without `progress` steps).
    Livelock,
    /// A fair cycle where `starving` tries for `mutex` and others acquire it (of the
    /// subgraph without `starving`'s acquisitions of `mutex`).
    Starvation {
        /// The mutex of the `starvation` property.
        mutex: usize,
        /// The thread that never gets it.
        starving: ThreadId,
    },
}

impl Goal {
    /// True when an edge with these facts belongs to the goal's subgraph.
    pub fn keeps(&self, f: &MoveFacts) -> bool {
        !f.fault
            && match *self {
                Goal::Livelock => !f.progress,
                Goal::Starvation { mutex, starving } => !f.acquires(starving, mutex),
            }
    }
}

/// The goal's filter, evaluated once per distinct facts.
fn filter(g: &LiveGraph, goal: Goal) -> Vec<bool> {
    g.facts.iter().map(|f| goal.keeps(f)).collect()
}

/// Reused buffers of [`components`].
#[derive(Default)]
pub struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    /// (state, next edge, end of its row, its labels' offset) of each state being visited.
    calls: Vec<(u32, usize, usize, usize)>,
    component: Vec<u32>,
}

const UNSEEN: u32 = u32::MAX;

/// Calls `found` with each strongly connected component (sorted) of the subgraph of edges
/// that `keep` allows (by label), iteratively (see the module comment).
pub fn components<L: EdgeLabel, K: Fn(L) -> bool>(
    g: &RecordedGraph<L>,
    keep: &K,
    buf: &mut Tarjan,
    found: &mut dyn FnMut(&[u32]),
) {
    let n = g.states();
    let Tarjan { index, low, on_stack, stack, calls, component } = buf;
    index.clear();
    index.resize(n, UNSEEN);
    low.clear();
    low.resize(n, 0);
    on_stack.clear();
    on_stack.resize(n, false);
    let mut counter = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        let mut pending = Some(root);
        loop {
            if let Some(v) = pending.take() {
                index[v as usize] = counter;
                low[v as usize] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v as usize] = true;
                let row = g.row(v);
                calls.push((v, row.start, row.end, g.label_offset(v, row.start)));
            }
            let Some(&mut (v, ref mut e, end, offset)) = calls.last_mut() else { break };
            let mut descended = None;
            while *e < end {
                let (w, label) = (g.target(*e), g.label_at(e.wrapping_add(offset)));
                *e += 1;
                if !keep(label) {
                    continue;
                }
                if index[w as usize] == UNSEEN {
                    descended = Some(w);
                    break;
                }
                if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
            }
            if descended.is_some() {
                pending = descended;
                continue;
            }
            calls.pop();
            if let Some(&(parent, _, _, _)) = calls.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                component.clear();
                loop {
                    let w = stack.pop().expect("the component's states are on the stack");
                    on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                found(component);
            }
        }
    }
}

/// The edges of the goal's subgraph inside `component` (sorted), as (from, edge index), in
/// row order.
pub fn inner_edges(g: &LiveGraph, keep: &[bool], component: &[u32]) -> Vec<(u32, usize)> {
    let inside = |s: u32| component.binary_search(&s).is_ok();
    let mut edges = Vec::new();
    for &from in component {
        for e in g.graph.row(from) {
            let (target, label) = g.graph.edge_in(from, e);
            if keep[label as usize] && inside(target) {
                edges.push((from, e));
            }
        }
    }
    edges
}

/// True when `component` holds a fair cycle that meets `goal`: every thread moves in it or
/// cannot move in one of its states (or in a transient state one of its moves passes), and
/// for starvation, another thread acquires the mutex and the starving one tries for it.
pub fn meets(g: &LiveGraph, goal: Goal, keep: &[bool], component: &[u32]) -> bool {
    if let [s] = *component {
        // Most components are one state without a loop: no cycle, and nothing to collect.
        if !g.graph.row(s).any(|e| {
            let (target, label) = g.graph.edge_in(s, e);
            target == s && keep[label as usize]
        }) {
            return false;
        }
    }
    let edges = inner_edges(g, keep, component);
    if edges.is_empty() {
        return false; // A single state without a loop: no cycle.
    }
    let threads = g.threads as ThreadId;
    let fair = (0..threads)
        .all(|t| edges.iter().any(|&(s, e)| g.facts_in(s, e).fair_to(t)) || component.iter().any(|&s| g.unable(s, t)));
    fair && match goal {
        Goal::Livelock => true,
        Goal::Starvation { mutex, starving } => {
            let others_acquire = edges.iter().any(|&(s, e)| g.facts_in(s, e).other_acquires(starving, mutex));
            let tries = edges.iter().any(|&(s, e)| g.facts_in(s, e).tries(starving, mutex))
                || component.iter().any(|&s| g.blocked_on(s, starving, mutex));
            others_acquire && tries
        }
    }
}

/// The component of the goal's subgraph that holds a fair cycle meeting the goal and whose
/// first state comes first in discovery order (deterministic, and near the start): its
/// states, sorted; `None` when there is none. `stop` is asked between components.
pub fn find_fair_component(g: &LiveGraph, goal: Goal, buf: &mut Tarjan, stop: &dyn Fn() -> bool) -> Option<Vec<u32>> {
    let keep = filter(g, goal);
    let mut best: Option<Vec<u32>> = None;
    let mut stopped = false;
    g.components(&keep, buf, &mut |c| {
        if stopped || best.as_ref().is_some_and(|b| b[0] <= c[0]) {
            return;
        }
        if stop() {
            stopped = true;
            return;
        }
        if meets(g, goal, &keep, c) {
            best = Some(c.to_vec());
        }
    });
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A graph of `rows` (targets per state), every edge labelled 0.
    fn graph(rows: &[&[u32]]) -> RecordedGraph<u32> {
        labelled(rows, &|_, _| 0, &|_| 0)
    }

    /// A graph of `rows` with edge `k` of row `s` labelled `label(s, k)` and state `s`
    /// marked `mark(s)` (one word).
    fn labelled(rows: &[&[u32]], label: &dyn Fn(u32, usize) -> u32, mark: &dyn Fn(u32) -> u64) -> RecordedGraph<u32> {
        let guard = crate::guard::Guard::new(&crate::limits::Limits::default());
        let mut g = RecordedGraph::new(1);
        for (s, row) in rows.iter().enumerate() {
            for (k, &t) in row.iter().enumerate() {
                g.push_edge(t as u64, label(s as u32, k), &guard).unwrap();
            }
            g.end_row(&[mark(s as u32)], &guard).unwrap();
        }
        g.sealed()
    }

    fn all(g: &RecordedGraph<u32>) -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        components(g, &|_| true, &mut Tarjan::default(), &mut |c| out.push(c.to_vec()));
        out.sort();
        out
    }

    #[test]
    fn components_of_a_small_graph_are_its_cycles_and_lone_states() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3, 3 -> 3, 4 alone.
        let g = graph(&[&[1], &[2], &[1, 3], &[3], &[]]);
        assert_eq!(all(&g), [vec![0], vec![1, 2], vec![3], vec![4]]);
    }

    #[test]
    fn a_path_of_a_million_states_needs_no_deep_stack() {
        // A recursive Tarjan overflows the stack here; the whole path is one cycle.
        let n = 1_000_000u32;
        let rows: Vec<Vec<u32>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let refs: Vec<&[u32]> = rows.iter().map(|r| &r[..]).collect();
        let found = all(&graph(&refs));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), n as usize);
    }

    /// Two threads; every edge is a move of both (label 0) or a `progress` of both (label 1).
    /// State `marked` (if any) has mark 0b10: thread 1 cannot move there.
    fn live(rows: &[&[u32]], progress: &[(u32, u32)], marked: Option<u32>) -> LiveGraph {
        let label = |from: u32, k: usize| progress.contains(&(from, rows[from as usize][k])) as u32;
        let graph = labelled(rows, &label, &|s| if Some(s) == marked { 0b10 } else { 0 });
        let both = MoveFacts { movers: vec![0, 1], ..MoveFacts::default() };
        let facts = vec![both.clone(), MoveFacts { progress: true, ..both }];
        LiveGraph { graph, facts, threads: 2, mutexes: Vec::new(), set_words: 1 }
    }

    #[test]
    fn the_fair_component_found_first_in_discovery_order_is_the_one_reported() {
        // 0 -> 1 <-> 2, 0 -> 3 -> 3: two fair components without progress; {1, 2} starts
        // first. With 2 -> 1 a progress step, {1, 2} is no cycle of the subgraph: {3}.
        let rows: &[&[u32]] = &[&[1, 3], &[2], &[1], &[3]];
        let mut buf = Tarjan::default();
        let g = live(rows, &[], None);
        assert_eq!(find_fair_component(&g, Goal::Livelock, &mut buf, &|| false), Some(vec![1, 2]));
        let g = live(rows, &[(2, 1)], None);
        assert_eq!(find_fair_component(&g, Goal::Livelock, &mut buf, &|| false), Some(vec![3]));
        // Thread 1 never moves in {3} and can always move there: unfair, so none at all.
        let mut g = live(rows, &[(2, 1)], None);
        g.facts[0].movers = vec![0];
        assert_eq!(find_fair_component(&g, Goal::Livelock, &mut buf, &|| false), None);
        // Unless it cannot move in state 3 (its mark's bit 1).
        let mut g = live(rows, &[(2, 1)], Some(3));
        g.facts[0].movers = vec![0];
        assert_eq!(find_fair_component(&g, Goal::Livelock, &mut buf, &|| false), Some(vec![3]));
    }

    #[test]
    fn a_filtered_edge_splits_a_cycle() {
        // 1 -> 0 is labelled 1, filtered out by keep[1] = false.
        let g = labelled(&[&[1], &[0]], &|s, _| s, &|_| 0);
        let mut out = Vec::new();
        components(&g, &|label| [true, false][label as usize], &mut Tarjan::default(), &mut |c| out.push(c.to_vec()));
        out.sort();
        assert_eq!(out, [vec![0], vec![1]]);
    }
}
