//! The explored state graph as a petgraph graph, exported as Graphviz DOT.
//!
//! The graph is the one the search stores ([`SystemModel`]): every state once, with its dead
//! data at fixed values, and every transition between them (under partial-order reduction a
//! transition may take several steps; under symmetry reduction a state stands for its
//! class). It is recorded by the breadth-first search ([`crate::state_graph::record`], each
//! state's packed words kept as its mark), so node numbers (and so the DOT text) are the
//! same on every run; each state's moves are then made again to label its edges. A
//! counterexample can be drawn on top: its states and transitions are highlighted.

use std::fmt::Write as _;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::{FxHashMap, FxHashSet};

use mutexcheck_core::{Action, State, System, ThreadStatus};

use crate::checkable::Checkable;
use crate::guard::Guard;
use crate::limits::{Limit, Limits};
use crate::state_graph::{record, Recorder};
use crate::system_model::{Move, SystemModel};

/// Default cap on the states a graph export may hold: beyond a few thousand nodes a drawing
/// is unreadable and Graphviz slow.
pub const DEFAULT_MAX_NODES: usize = 2_000;

/// A reachable state graph: states as nodes, steps as edges.
pub struct StateGraph {
    /// The graph; node 0 is the initial state.
    pub graph: DiGraph<State, Move>,
    index: FxHashMap<State, NodeIndex>,
}

/// Why a graph cannot be exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TooLarge {
    /// It has more states than the cap.
    Nodes {
        /// The cap that was hit.
        max_nodes: usize,
    },
    /// A time or memory bound passed before it was complete.
    Bound(crate::Limit),
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TooLarge::Nodes { max_nodes } => write!(
                f,
                "the state graph has more than {max_nodes} states, too many to draw; raise --max-nodes, or shrink the \
                 model (fewer instances or rounds, smaller ranges, --crashes 0)"
            ),
            TooLarge::Bound(limit) => write!(f, "the graph is incomplete: {}", limit.describe()),
        }
    }
}

impl std::error::Error for TooLarge {}

/// Keeps each state whole (its packed words) and nothing of an edge: the edge's move is
/// made again when the petgraph graph is built.
struct Whole<'m, 'a>(&'m SystemModel<'a>);

impl<'a> Recorder<SystemModel<'a>> for Whole<'_, 'a> {
    type Label = ();
    fn label(&self, _: &State, _: u32, _: &Move, _: &State) {}
    fn mark_words(&self) -> usize {
        self.0.packed_words()
    }
    fn mark(&self, state: &State, out: &mut [u64]) {
        self.0.pack(state, out);
    }
}

impl StateGraph {
    /// Explores every state `model` stores breadth-first, refusing beyond `max_nodes` or
    /// when the model's time or memory bound passes (see [`SystemModel::with_interrupt`]).
    pub fn explore(model: &SystemModel<'_>, max_nodes: usize) -> Result<StateGraph, TooLarge> {
        StateGraph::explore_guarded(model, max_nodes, &Guard::new(&Limits::default()))
    }

    /// [`StateGraph::explore`] within the time and memory bounds of `guard` too.
    pub fn explore_guarded(model: &SystemModel<'_>, max_nodes: usize, guard: &Guard) -> Result<StateGraph, TooLarge> {
        let limits = Limits { max_states: Some(max_nodes as u64), ..Limits::default() };
        let recorded = record(model, &Whole(model), &limits, 1, guard);
        // A bound may have cut the model's successors short: no graph rather than a wrong one.
        match recorded.stopped.or_else(|| model.interrupt_limit()) {
            None => {}
            Some(Limit::MaxStates(_)) => return Err(TooLarge::Nodes { max_nodes }),
            Some(limit) => return Err(TooLarge::Bound(limit)),
        }
        let recorded = recorded.graph;
        let mut graph = DiGraph::with_capacity(recorded.states(), recorded.edge_count());
        let mut index = FxHashMap::default();
        for s in 0..recorded.states() as u32 {
            let state = model.unpack(recorded.mark(s));
            index.insert(state.clone(), graph.add_node(state));
        }
        let mut successors = Vec::new();
        for s in 0..recorded.states() as u32 {
            let node = NodeIndex::new(s as usize);
            successors.clear();
            model.successors(&graph[node], &mut successors);
            if successors.len() != recorded.edges(s).count() {
                // Only an interrupted model makes fewer moves the second time.
                return Err(TooLarge::Bound(model.interrupt_limit().unwrap_or(Limit::MaxMemory(0))));
            }
            for ((step, _), (_, target, ())) in successors.drain(..).zip(recorded.edges(s)) {
                graph.add_edge(node, NodeIndex::new(target as usize), step);
            }
        }
        Ok(StateGraph { graph, index })
    }

    /// The node of a state as the graph stores it (canonical), if it was reached.
    pub fn node(&self, state: &State) -> Option<NodeIndex> {
        self.index.get(state).copied()
    }

    /// The graph in Graphviz DOT. `path`, a run of the model from the initial state (the
    /// states it passes, as the model holds them), is drawn in red, its last state with a
    /// double border; states the graph does not store (transient ones) are passed over.
    pub fn to_dot(&self, model: &SystemModel<'_>, path: &[State]) -> String {
        let system = model.system();
        let mut on_path_nodes = FxHashSet::default();
        let mut on_path_edges = FxHashSet::default();
        let mut here = NodeIndex::new(0);
        on_path_nodes.insert(here);
        for state in path {
            let mut stored = state.clone();
            model.canonicalize(&mut stored);
            let Some(next) = self.node(&stored) else { continue };
            if let Some(e) = self.graph.edges(here).find(|e| e.target() == next) {
                on_path_edges.insert(e.id());
            }
            on_path_nodes.insert(next);
            here = next;
        }
        let mut out = String::new();
        let _ = writeln!(out, "digraph \"{}\" {{", escape(&system.model().name));
        let _ = writeln!(out, "  node [shape=box, fontname=\"monospace\", fontsize=10];");
        let _ = writeln!(out, "  edge [fontname=\"monospace\", fontsize=9];");
        for n in self.graph.node_indices() {
            // The final `\l` left-aligns the last line too.
            let mut attrs = format!("label=\"{}\\l\"", escape(&state_label(system, &self.graph[n])));
            if n.index() == 0 {
                attrs.push_str(", penwidth=2");
            }
            if on_path_nodes.contains(&n) {
                attrs.push_str(", color=red, fontcolor=red");
                if !path.is_empty() && n == here {
                    // Where the counterexample ends: the violating state.
                    attrs.push_str(", peripheries=2");
                }
            }
            let _ = writeln!(out, "  s{} [{attrs}];", n.index());
        }
        for e in self.graph.edge_references() {
            let mut steps: Vec<String> = e.weight().steps().map(|s| system.step_text(s)).collect();
            // An outcome the model allows is marked where it happens, never left out.
            for a in &e.weight().allowed {
                steps.push(format!("allowed: {} {}", a.kind.name(), system.model().mutexes[a.mutex].name));
            }
            let mut attrs = format!("label=\"{}\"", escape(&steps.join("\n")));
            if on_path_edges.contains(&e.id()) {
                attrs.push_str(", color=red, fontcolor=red, penwidth=2");
            }
            let _ = writeln!(out, "  s{} -> s{} [{attrs}];", e.source().index(), e.target().index());
        }
        out.push_str("}\n");
        out
    }
}

/// A node's label: where each thread is, then every variable and mutex.
fn state_label(system: &System, s: &State) -> String {
    let mut lines = Vec::new();
    for t in 0..system.thread_count() as u16 {
        let name = system.thread_name(t);
        let status = system.thread_status(s, t);
        let line = match status {
            ThreadStatus::Finished => format!("{name}: finished"),
            ThreadStatus::Dead => format!("{name}: dead"),
            _ => {
                let at = system.instr(&Action::Run { thread: t, pc: system.pc(s, t) });
                let what = if status == ThreadStatus::Blocked { "blocked at" } else { "at" };
                match at {
                    Some(i) if i.span.line > 0 => format!("{name}: {what} {}", i.location()),
                    _ => format!("{name}: {what} instruction {}", system.pc(s, t)),
                }
            }
        };
        lines.push(line);
    }
    let threads: FxHashSet<&str> = (0..system.thread_count() as u16).map(|t| system.thread_name(t)).collect();
    for item in system.items(s) {
        if !threads.contains(item.name.as_str()) {
            lines.push(format!("{} = {}", item.name, item.value));
        }
    }
    lines.join("\n")
}

/// Escapes text for a quoted DOT string; a newline becomes `\l`, a left-aligned line break.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\l")
}
