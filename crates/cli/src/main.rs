//! `mutexcheck`: the command line. Wiring only: arguments are parsed here and handed to the
//! libraries (language front end, checker, reports); each subcommand lives in its own module
//! and returns the process exit code.
//!
//! Exit codes: 0 no violation and the search complete; 1 violation found; 2 bad input (model
//! or arguments, including clap's own usage errors); 3 incomplete (a bound was hit, or
//! Ctrl-C); 4 a violation was found but its trace file could not be written.

mod backstop;
mod check;
mod cluster;
mod exit;
mod explore;
mod graph;
mod input;
mod interrupt;
mod json_doc;
mod malloc;
mod output;
mod progress;
mod replay;
mod simulate;
mod test_models;
mod trace_input;
mod trace_paths;
mod view;

use clap::{Parser, Subcommand};

/// Model checker for mutex protocols with abandonment (Win32 named mutexes, POSIX robust mutexes).
#[derive(Parser, Debug)]
#[command(name = "mutexcheck", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One subcommand per module; add a variant and a module to add a subcommand.
#[derive(Subcommand, Debug)]
enum Command {
    /// Explore every interleaving and crash point of a model and report the verdict.
    Check(check::CheckArgs),
    /// Re-execute a JSON trace against its model and confirm the violation still happens.
    Replay(replay::ReplayArgs),
    /// Export the reachable state graph as Graphviz DOT, the counterexample in red (draw it
    /// with `dot -Tsvg FILE -o graph.svg`).
    Graph(graph::GraphArgs),
    /// Write a trace as one self-contained HTML page: threads, mutex owners and state by step.
    View(view::ViewArgs),
    /// Random runs of a model, each property checked along the way (proves nothing; samples).
    Simulate(simulate::SimulateArgs),
    /// Play a model by hand on a local web page: every enabled move, undo, branch, save.
    Explore(explore::ExploreArgs),
    /// Check every model under the paths and compare each verdict with its `// expect:` line.
    Test(test_models::TestArgs),
}

fn main() {
    malloc::keep_large_blocks_mapped();
    let cli = Cli::try_parse_from(cluster::hostfile_spelling(std::env::args_os().collect())).unwrap_or_else(|e| {
        // A usage error of `check --json` or `test --json` is bad input like any other:
        // its one document too (help and version are not errors).
        if e.use_stderr() && json_doc::json_command(std::env::args()) {
            json_doc::print(&json_doc::usage_error(&e.render().to_string()));
        }
        e.exit()
    });
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::View(args) => view::run(&args),
        Command::Test(args) => test_models::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Explore(args) => explore::run(&args),
    };
    std::process::exit(code);
}
