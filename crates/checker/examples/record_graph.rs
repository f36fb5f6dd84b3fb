//! Measures what recording the whole state graph costs beside the safety search of the same
//! model (issue #21: the liveness check built on the recording should take at most twice
//! the time and memory of the unreduced safety search). Not a test: run it on a quiet
//! machine, each mode in its own process, so that peak memory is the mode's own:
//!
//! ```text
//! cargo run --release -p mutexcheck-checker --example record_graph -- MODEL.mc safety|record THREADS [CRASHES] [--no-reduce | --no-symmetry]
//! ```

use mutexcheck_checker::state_graph::{record, Recorder};
use mutexcheck_checker::{Bfs, Guard, Limits, Move, Reductions, Request, SystemModel};
use mutexcheck_core::State;

/// A two-byte label per edge (the size a liveness label needs), no marks.
struct Ordinal;

impl<'a> Recorder<SystemModel<'a>> for Ordinal {
    type Label = u16;
    fn label(&self, _: &State, ordinal: u32, _: &Move, _: &State) -> u16 {
        ordinal as u16
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: record_graph MODEL.mc safety|record THREADS [CRASHES] [--no-reduce | --no-symmetry]";
    let (Some(path), Some(mode), Some(threads)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let threads: usize = threads.parse().expect("THREADS is a number");
    let text = std::fs::read(path).expect("a readable model");
    let mut model = mutexcheck_lang::compile(path, &text).expect("a valid model");
    if let Some(c) = args.get(4).and_then(|c| c.parse().ok()) {
        model.crashes = c;
    }
    let reductions = Reductions {
        partial_order: !args.iter().any(|a| a == "--no-reduce"),
        symmetry: !args.iter().any(|a| a == "--no-reduce" || a == "--no-symmetry"),
    };
    let system = mutexcheck_core::System::new(model).expect("a valid model");
    let checkable = SystemModel::new(&system, reductions);
    let limits = Limits::default();
    let stats = match mode.as_str() {
        "safety" => {
            let request = Request::new().engine(Bfs::new().threads(threads)).reductions(reductions).limits(limits);
            request.check(&system, &request.guard(), &mut |_| {}).stats
        }
        "record" => {
            let recorded = record(&checkable, &Ordinal, &limits, threads, &Guard::new(&limits));
            assert_eq!(recorded.stopped, None);
            recorded.stats
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    println!(
        "{mode} threads {threads}: {} states, {} transitions, depth {}, {:.2} s, peak {} MB, stored {} MB",
        stats.states,
        stats.transitions,
        stats.max_depth,
        stats.elapsed.as_secs_f64(),
        stats.peak_rss_kb.unwrap_or(0) / 1024,
        stats.stored_bytes >> 20
    );
}
