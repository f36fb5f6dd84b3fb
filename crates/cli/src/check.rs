//! `mutexcheck check MODEL`: run the checker and print the verdict, trace and statistics.

use std::time::Duration;

use clap::Args;
use mutexcheck_checker::report::{self, ReportOptions};
use mutexcheck_checker::{check, prepare, Limits, SearchOptions, Strategy, Verdict};

use crate::input::{load, EXIT_BAD_INPUT};
use crate::progress::ProgressLine;

/// Options of `mutexcheck check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The model file (`.mc`).
    pub model: String,
    /// How many process crashes one run may contain (overrides the model's `crashes N`;
    /// 0 for none).
    #[arg(long, value_name = "N")]
    pub crashes: Option<u32>,
    /// Breadth-first search: the counterexample is a shortest one (the default).
    #[arg(long, conflicts_with = "dfs")]
    pub bfs: bool,
    /// Depth-first search.
    #[arg(long)]
    pub dfs: bool,
    /// Print the whole report as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Leave out time, states per second and memory, so output is identical run to run.
    #[arg(long)]
    pub no_timings: bool,
    /// Stop after storing this many states (exit 3).
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,
    /// Do not explore beyond this many steps (exit 3 if states were left out).
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,
    /// Stop when the process uses this much memory (exit 3). Default: 80% of the memory
    /// available when the search starts.
    #[arg(long, value_name = "MB")]
    pub max_memory: Option<u64>,
    /// Stop after this many seconds (exit 3).
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<u64>,
    /// Print only the verdict and the violation, no trace, statistics or progress line.
    #[arg(long)]
    pub quiet: bool,
}

impl CheckArgs {
    fn search_options(&self) -> SearchOptions {
        let strategy = if self.dfs { Strategy::Dfs } else { Strategy::Bfs };
        let limits = Limits {
            max_states: self.max_states,
            max_depth: self.max_depth,
            max_memory_mb: self.max_memory.or_else(Limits::default_memory_mb),
            time_limit: self.time_limit.map(Duration::from_secs),
        };
        SearchOptions { strategy, limits }
    }
}

/// Runs `check` and returns the exit code.
pub fn run(args: &CheckArgs) -> i32 {
    let model = match load(&args.model) {
        Ok(m) => m,
        Err(message) => {
            eprint!("{message}");
            return EXIT_BAD_INPUT;
        }
    };
    let system = match prepare(model, args.crashes) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}: {e}", args.model);
            return EXIT_BAD_INPUT;
        }
    };
    let progress = ProgressLine::new(args.quiet);
    let result = check(&system, &args.search_options(), &mut |p| progress.update(p));
    progress.finish();
    let options = ReportOptions { timings: !args.no_timings };
    if args.json {
        let doc = report::json(&system, &result, &options);
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else if args.quiet {
        println!("verdict: {}", report::verdict_line(&result));
        if let Verdict::Violation(c) = &result.verdict {
            println!("{}", c.violation.message);
        }
    } else {
        print!("{}", report::text(&system, &result, &options));
    }
    result.exit_code()
}
