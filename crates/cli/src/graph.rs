//! `mutexcheck graph MODEL`: the reachable state graph as Graphviz DOT.

use clap::Args;
use mutexcheck_checker::graph::{StateGraph, DEFAULT_MAX_NODES};
use mutexcheck_checker::{Limit, Limits, Reductions, Request, SystemModel, Verdict};

use crate::input::{load_system, BoundArgs, EXIT_BAD_INPUT};
use crate::output::print_out;

/// Exit code when the graph is larger than `--max-nodes`, or a bound stopped a phase.
const EXIT_TOO_LARGE: i32 = 3;

/// Options of `mutexcheck graph`.
#[derive(Args, Debug)]
pub struct GraphArgs {
    /// The model file (`.mc`).
    pub model: String,
    /// How many process crashes (and `may_die` thread deaths) one run may contain, 0 to 1000
    /// (overrides the model's `crashes N`).
    #[arg(long, value_name = "N", value_parser = crate::input::parse_crashes)]
    pub crashes: Option<u32>,
    /// Refuse graphs with more states than this (a larger drawing is unreadable).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_NODES)]
    pub max_nodes: usize,
    /// Draw the graph the reduced search stores: partial-order reduction (transitions may
    /// take several steps; transient states are not drawn). Off by default: one step per edge.
    #[arg(long)]
    pub por: bool,
    /// Draw one state per class of states that differ only by a swap of interchangeable
    /// process instances (off by default).
    #[arg(long)]
    pub symmetry: bool,
    /// Write the DOT text to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<String>,
    #[command(flatten)]
    pub bounds: BoundArgs,
}

/// Runs `graph` and returns the exit code: 0 when the graph was written, 2 for bad input,
/// 3 when the graph is larger than `--max-nodes` or a bound stopped it (nothing written), or
/// when the graph was written but a bound stopped the check that finds the counterexample to
/// draw (a warning says so).
pub fn run(args: &GraphArgs) -> i32 {
    let limits = args.bounds.limits();
    // Every phase keeps to the time and memory bounds; past them the process ends (exit 3).
    let guard = crate::backstop::guard(&limits);
    crate::interrupt::stop_on_ctrl_c(&guard);
    let (system, _) = match load_system(&args.model, args.crashes) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let reductions = Reductions { partial_order: args.por, symmetry: args.symmetry };
    let model = SystemModel::new(&system, reductions).with_interrupt(guard.interrupt());
    let graph = match StateGraph::explore_guarded(&model, args.max_nodes, &guard) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {}: {e}", args.model);
            return EXIT_TOO_LARGE;
        }
    };
    // The counterexample of a check with the same reductions is drawn in red. Its safety
    // search stores the states drawn, at most --max-nodes; the liveness check after it, of a
    // model with liveness properties, may need more: --max-nodes bounds it too.
    let limits = Limits { max_states: Some(args.max_nodes as u64), ..limits };
    let result = Request::new().reductions(reductions).limits(limits).check(&system, &guard, &mut |_| {});
    let (path, code): (Vec<_>, i32) = match &result.verdict {
        Verdict::Violation(cex) => (cex.steps.iter().map(|s| s.state.clone()).collect(), 0),
        Verdict::Ok => (Vec::new(), 0),
        Verdict::Incomplete(limit) => {
            let why = match limit {
                Limit::MaxStates(n) => format!("it needs more than {n} states (raise --max-nodes)"),
                limit => limit.describe(),
            };
            eprintln!(
                "warning: {}: no counterexample is drawn: the check that looks for one stopped: {why}",
                args.model
            );
            (Vec::new(), EXIT_TOO_LARGE)
        }
    };
    let dot = graph.to_dot(&model, &path);
    match &args.output {
        Some(file) => {
            if let Err(e) = std::fs::write(file, dot) {
                eprintln!("error: cannot write `{file}`: {e}");
                return EXIT_BAD_INPUT;
            }
            // DOT says nothing to a reader who does not know Graphviz: say how to draw it.
            let n = graph.graph.node_count();
            let states = if n == 1 { "state" } else { "states" };
            eprintln!("wrote the graph of {n} {states} to {file} (Graphviz DOT: `dot -Tsvg {file} -o graph.svg`)");
        }
        None => print_out(&dot),
    }
    code
}
