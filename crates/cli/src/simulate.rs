//! `mutexcheck simulate MODEL`: random runs of a model, each property checked along the way.

use clap::Args;
use mutexcheck_checker::report;
use mutexcheck_checker::simulate::{simulate, SimOptions, SimSummary};
use mutexcheck_checker::trace::{TraceFile, TraceOptions};
use mutexcheck_checker::{Counterexample, Dfs, Reductions, Request};
use serde_json::json;

use crate::input::{load_system, BoundArgs};
use crate::output::print_out;

/// Options of `mutexcheck simulate`.
#[derive(Args, Debug)]
#[command(after_help = "Each move is chosen uniformly among every enabled one: each thread's step with each \
outcome it may have, each crash within the budget, each restart. A run that breaks a property is printed as a \
counterexample and written to traces/<model>.sim-seed<S>-run<K>.json (replay and view accept it).\n\n\
A simulation proves nothing: `mutexcheck check` explores every run. Use it on models too large to check, or to \
see typical runs. Exit codes: 0 no run broke a property, 1 one did, 2 bad input. See docs/explore.md.")]
pub struct SimulateArgs {
    /// The model file (`.mc`).
    pub model: String,
    /// The seed of the random choices: the same seed gives the same runs, byte for byte.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// How many runs.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub runs: u64,
    /// Stop a run that has not ended after this many steps.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_steps: u64,
    /// How many process crashes one run may contain, 0 to 1000 (overrides the model's
    /// `crashes N`).
    #[arg(long, value_name = "N", value_parser = crate::input::parse_crashes)]
    pub crashes: Option<u32>,
    /// Print the whole report as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Do not write a trace file for the runs that break a property.
    #[arg(long)]
    pub no_trace: bool,
    #[command(flatten)]
    pub bounds: BoundArgs,
}

/// One violating run, as reported.
struct Found {
    text: String,
    json: serde_json::Value,
}

/// Runs `simulate` and returns the exit code: 1 when a run broke a property, 0 when none
/// did, 2 on bad input, 4 when a trace could not be written.
pub fn run(args: &SimulateArgs) -> i32 {
    let _guard = crate::backstop::guard(&args.bounds.limits());
    let (system, source) = match load_system(&args.model, args.crashes) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let options = SimOptions { seed: args.seed, runs: args.runs, max_steps: args.max_steps };
    let mut found: Vec<Found> = Vec::new();
    let mut trace_failed = false;
    let summary = simulate(&system, &options, &mut |run, c: &Counterexample| {
        let trace_path = (!args.no_trace).then(|| trace_path(args, run));
        let written = trace_path.as_ref().and_then(|path| {
            // A random run is one path followed to its end: depth-first, no reduction.
            let options = TraceOptions::new(&system, &Request::new().engine(Dfs::new()).reductions(Reductions::NONE));
            let mut trace = TraceFile::new(&system, &args.model, &source, options, c);
            trace.model.from_trace_dir = crate::trace_paths::model_from_trace_dir(path, &args.model);
            match write(path, &trace) {
                Ok(()) => Some(path.clone()),
                Err(e) => {
                    eprintln!("error: cannot write the trace to `{path}`: {e}");
                    trace_failed = true;
                    None
                }
            }
        });
        let n = c.steps.len();
        let mut text = format!(
            "\nrun {run}: violation ({})\n{}\nrandom run ({n} step{}):\n",
            c.violation.kind,
            c.violation.message,
            if n == 1 { "" } else { "s" }
        );
        report::trace_body(&system, &mut text, c);
        if let Some(path) = &written {
            text.push_str(&format!("trace written to {path} (replay: mutexcheck replay {path})\n"));
        }
        let mut doc = json!({
            "run": run,
            "violation": { "kind": c.violation.kind, "message": c.violation.message },
            "trace": report::trace_json(&system, c),
        });
        if let Some(path) = written {
            doc["trace_file"] = json!(path);
        }
        found.push(Found { text, json: doc });
    });
    let crashes = system.model().crashes;
    let name = &system.model().name;
    if args.json {
        let doc = json!({
            "model": name,
            "seed": args.seed,
            "runs": args.runs,
            "max_steps": args.max_steps,
            "crashes": crashes,
            "violations": found.iter().map(|f| f.json.clone()).collect::<Vec<_>>(),
            "summary": summary_json(&summary),
            "verdict": if summary.violating_runs() > 0 { "violation" } else { "no_violation_seen" },
            "exit_code": exit_code(&summary, trace_failed),
        });
        print_out(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
    } else {
        let mut text = format!(
            "model {name}: random simulation, seed {}, {} run{} of at most {} steps, crashes allowed: {crashes}\n",
            args.seed,
            args.runs,
            if args.runs == 1 { "" } else { "s" },
            args.max_steps
        );
        for f in &found {
            text.push_str(&f.text);
        }
        text.push_str(&summary_text(&summary));
        print_out(&text);
    }
    exit_code(&summary, trace_failed)
}

fn exit_code(summary: &SimSummary, trace_failed: bool) -> i32 {
    match (summary.violating_runs() > 0, trace_failed) {
        (_, true) => crate::exit::TRACE_NOT_WRITTEN,
        (true, false) => 1,
        (false, false) => 0,
    }
}

/// `traces/<model file stem>[.crashes-N].sim-seed<S>-run<K>.json`: never the name of a
/// trace `check` writes, so a simulation never overwrites a golden trace.
fn trace_path(args: &SimulateArgs, run: u64) -> String {
    let stem = std::path::Path::new(&args.model).file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    let crashes = args.crashes.map(|n| format!(".crashes-{n}")).unwrap_or_default();
    format!("traces/{stem}{crashes}.sim-seed{}-run{run}.json", args.seed)
}

fn write(path: &str, trace: &TraceFile) -> std::io::Result<()> {
    if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, trace.to_json())
}

fn violations_text(summary: &SimSummary) -> String {
    let n = summary.violating_runs();
    if n == 0 {
        return "0".to_string();
    }
    let kinds: Vec<String> = summary.violations.iter().map(|(k, n)| format!("{k} {n}")).collect();
    format!("{n} ({})", kinds.join(", "))
}

fn summary_text(s: &SimSummary) -> String {
    let verdict = match s.violating_runs() {
        0 => format!(
            "no violation in {} random runs (a simulation proves nothing: `mutexcheck check` explores every run)",
            s.runs
        ),
        n => format!("violation in {n} of {} random runs", s.runs),
    };
    format!(
        "\nsummary:\n  runs:            {}\n  steps:           {}\n  distinct states: {}\n  violations:      {}\n  ended:           {} (every thread finished or died)\n  deadlocked:      {}\n  hit --max-steps: {}\nverdict: {verdict}\n",
        s.runs,
        s.steps,
        s.distinct_states,
        violations_text(s),
        s.ended,
        s.deadlocked,
        s.max_steps
    )
}

fn summary_json(s: &SimSummary) -> serde_json::Value {
    json!({
        "runs": s.runs,
        "steps": s.steps,
        "distinct_states": s.distinct_states,
        "violating_runs": s.violating_runs(),
        "violations": s.violations,
        "ended": s.ended,
        "deadlocked": s.deadlocked,
        "max_steps": s.max_steps,
    })
}
