//! `mutexcheck check MODEL`: run the checker and print the verdict, trace and statistics.

use clap::Args;
use mutexcheck_checker::report::{self, ReportOptions};
use mutexcheck_checker::{Bfs, Dfs, Engine, Limits, Reductions, Request, Verdict};

use mutexcheck_checker::trace::{TraceFile, TraceOptions};

use crate::exit::{self, TRACE_NOT_WRITTEN as EXIT_TRACE_NOT_WRITTEN};
use crate::input::{load_system_or_why, BoundArgs, EXIT_BAD_INPUT};
use crate::interrupt::stop_on_ctrl_c;
use crate::json_doc::{self, SoFar};
use crate::output::print_out;
use crate::progress::ProgressLine;

/// Options of `mutexcheck check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The model file (`.mc`).
    pub model: String,
    /// How many process crashes (and deaths of `may_die` threads) one run may contain, 0 to
    /// 1000 (overrides the model's `crashes N`; 0 for none).
    #[arg(long, value_name = "N", value_parser = crate::input::parse_crashes)]
    pub crashes: Option<u32>,
    /// Breadth-first search: the counterexample is a shortest one (the default).
    #[arg(long, conflicts_with = "dfs")]
    pub bfs: bool,
    /// Depth-first search.
    #[arg(long)]
    pub dfs: bool,
    /// Print the whole report as one JSON document, on every path: bad input (every
    /// diagnostic), a bound, Ctrl-C and the backstop too (docs/json-output.md).
    #[arg(long)]
    pub json: bool,
    /// Leave out time, states per second and memory, so output is identical run to run.
    #[arg(long)]
    pub no_timings: bool,
    /// Stop after storing this many states (exit 3).
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,
    /// Do not explore beyond this many transitions from the initial state (exit 3 if states
    /// were left out). Under partial-order reduction a transition may take several steps.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,
    #[command(flatten)]
    pub bounds: BoundArgs,
    /// Print only the verdict and the violation, no trace, statistics or progress line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write a violation's JSON trace to PATH instead of the default,
    /// `traces/<model>[.<options>].json` under the current directory (see the README).
    #[arg(long, value_name = "PATH", conflicts_with = "no_trace")]
    pub trace_out: Option<String>,
    /// Do not write a trace file for a violation.
    #[arg(long)]
    pub no_trace: bool,
    /// After a violation, also write the trace viewer page (one self-contained HTML file,
    /// as `mutexcheck view` writes it) to FILE.
    #[arg(long, value_name = "FILE.html")]
    pub html: Option<String>,
    /// The most threads for breadth-first search (default: every core). The search starts
    /// on one thread and spreads a level over more only when it is large enough to pay for
    /// them; `--threads 1` runs on exactly one. The verdict, the counterexample and every
    /// count are the same for any number of threads. Depth-first search runs on one thread:
    /// --dfs refuses it.
    #[arg(long, value_name = "N", conflicts_with = "dfs", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Store 64-bit fingerprints instead of whole states (breadth-first or depth-first):
    /// less memory, with a small, printed probability that a fingerprint collision hid a state.
    #[arg(long)]
    pub fingerprints: bool,
    /// Turn partial-order reduction off (it is on by default: a thread's steps on its own
    /// variables run alone, and states inside them and inside atomic blocks are not stored).
    #[arg(long)]
    pub no_por: bool,
    /// Turn symmetry reduction off (it is on by default where a process template has
    /// interchangeable instances: one state is stored per swap of them).
    #[arg(long)]
    pub no_symmetry: bool,
    /// Turn every reduction off (--no-por --no-symmetry).
    #[arg(long)]
    pub no_reduce: bool,
    /// Find an exact shortest counterexample: breadth-first search with no reduction (stores
    /// more states). Without it a counterexample found under partial-order reduction is
    /// shortened, but need not be a shortest one.
    #[arg(long, conflicts_with_all = ["dfs", "por", "symmetry"])]
    pub shortest: bool,
    /// Partial-order reduction: on by default; kept so that older scripts still run.
    #[arg(long, hide = true, conflicts_with_all = ["no_por", "no_reduce"])]
    pub por: bool,
    /// Symmetry reduction: on by default; given explicitly, a note says which templates it
    /// leaves alone and why.
    #[arg(long, hide = true, conflicts_with_all = ["no_symmetry", "no_reduce"])]
    pub symmetry: bool,
    /// Fail (exit 1, verdict `unreached`) when the complete search left a statement that no
    /// run executed: dead code, or a recovery branch the options never let run.
    #[arg(long)]
    pub deny_unreached: bool,
    #[command(flatten)]
    pub cluster: crate::cluster::ClusterArgs,
}

impl CheckArgs {
    fn limits(&self) -> Limits {
        Limits { max_states: self.max_states, max_depth: self.max_depth, ..self.bounds.limits() }
    }

    fn reductions(&self) -> Reductions {
        let off = self.no_reduce || self.shortest;
        Reductions { partial_order: !(off || self.no_por), symmetry: !(off || self.no_symmetry) }
    }

    /// The run the command line asks for (clap refuses `--dfs` with `--threads`, so nothing
    /// given here is left unused).
    fn request(&self) -> Request {
        let engine = if self.dfs {
            Engine::Dfs(Dfs::new().fingerprints(self.fingerprints))
        } else {
            let threads = self.threads.map_or(Bfs::EVERY_CORE, |n| n as usize);
            Engine::Bfs(Bfs::new().threads(threads).fingerprints(self.fingerprints))
        };
        Request::new().engine(engine).reductions(self.reductions()).limits(self.limits())
    }

    /// The cluster's run (clap refuses `--cluster` with `--dfs` and `--threads`).
    fn cluster_request(&self) -> mutexcheck_cluster::ClusterRequest {
        mutexcheck_cluster::ClusterRequest::new()
            .fingerprints(self.fingerprints)
            .reductions(self.reductions())
            .limits(self.limits())
    }
}

/// Runs `check` and returns the exit code.
pub fn run(args: &CheckArgs) -> i32 {
    let request = args.request();
    // From here on every phase keeps to the time and memory bounds, and Ctrl-C stops them.
    let guard = std::sync::Arc::new(crate::backstop::guard(&request.limits));
    stop_on_ctrl_c(&guard);
    // With --json every way out prints one document: the backstop's too.
    if args.json {
        json_doc::speak_on_backstop_before_loading(&guard, &args.model);
    }
    let (system, source) = match load_system_or_why(&args.model, args.crashes) {
        Ok(loaded) => loaded,
        Err(bad) => {
            eprint!("{}", bad.text);
            if args.json {
                guard.on_backstop(None);
                json_doc::print(&bad.doc);
            }
            return EXIT_BAD_INPUT;
        }
    };
    let so_far = SoFar::default();
    if args.json {
        json_doc::speak_on_backstop(&guard, &args.model, &system, request.strategy(), &so_far, !args.no_timings);
    }
    // The counts so far carry the reductions that take effect, as the report's do.
    let effective = args.json.then(|| mutexcheck_checker::SystemModel::new(&system, request.reductions).reductions());
    let record = |stats: &mutexcheck_checker::Stats| {
        if let Some(effective) = effective {
            let mut stats = stats.clone();
            (stats.partial_order, stats.symmetry) = (effective.partial_order, effective.symmetry);
            so_far.set(&stats);
        }
    };
    if args.symmetry {
        // Say which templates stay unreduced and why, so a user knows what the flag did.
        for reason in system.symmetry().refused() {
            eprintln!("note: --symmetry leaves {reason}");
        }
    }
    // The run as it goes: the cluster's is its one-process equivalent (what the trace records).
    let (result, request) = if args.cluster.cluster {
        // The cluster's workers share a copy of the system; the report keeps this one.
        let shared = std::sync::Arc::clone(&guard);
        let cluster = args.cluster_request();
        let run = match args.cluster.run(system.clone(), &source, args.crashes, cluster, shared) {
            Ok(run) => run,
            Err(message) => {
                eprintln!("error: {message}");
                if args.json {
                    guard.on_backstop(None);
                    let doc = json_doc::bad_input(
                        &args.model,
                        &message,
                        vec![json_doc::unplaced(&args.model, &message)],
                        &format!("error: {message}\n"),
                    );
                    json_doc::print(&doc);
                }
                return EXIT_BAD_INPUT;
            }
        };
        if !args.quiet {
            eprintln!("{}", run.summary);
        }
        match run.result {
            Some(result) => (result, cluster.one_process()),
            // Not process 0: the report is its business.
            None => {
                let unreached_fail = args.deny_unreached && run.unreached;
                return run.verdict.map_or(exit::BAD_INPUT, |kind| exit::of_verdict(kind, unreached_fail));
            }
        }
    } else {
        let progress = ProgressLine::new(args.quiet);
        let result = request.check(&system, &guard, &mut |p| {
            record(p.stats);
            progress.update(p)
        });
        progress.finish();
        (result, request)
    };
    record(&result.stats);
    let unreached_fail = exit::unreached_fail(&result, args.deny_unreached);
    let code = exit::of_check(&result, args.deny_unreached);
    let options = ReportOptions { timings: !args.no_timings, unreached_fail };
    // Why the trace (or the page) could not be written, if it could not: exit 4.
    let mut trace_error: Option<String> = None;
    let mut trace = match &result.verdict {
        Verdict::Violation(cex) if !args.no_trace || args.html.is_some() => {
            let options = TraceOptions::new(&system, &request.in_effect(&result.stats));
            Some(TraceFile::new(&system, &args.model, &source, options, cex))
        }
        _ => None,
    };
    let trace_file = match &mut trace {
        Some(trace) if !args.no_trace => {
            let path = args.trace_out.clone().unwrap_or_else(|| default_trace_path(args));
            trace.model.from_trace_dir = crate::trace_paths::model_from_trace_dir(&path, &args.model);
            // Only the default name is guarded: --trace-out says where, on purpose.
            let guard = args.trace_out.is_none().then_some(args.model.as_str());
            match write_trace(&path, trace, guard) {
                Ok(written) => Some((path, written)),
                Err(e) => {
                    let message = format!("cannot write the trace to `{path}`: {e}");
                    eprintln!("error: {message}");
                    trace_error = Some(message);
                    None
                }
            }
        }
        _ => None,
    };
    let html_file = match (&args.html, &trace, &result.verdict) {
        // The page is made from the counterexample the trace was built from: its states are
        // at hand, so the trace need not be replayed (as `view` must).
        (Some(path), Some(trace), Verdict::Violation(cex)) => {
            match crate::view::write_html(&mutexcheck_view::render_counterexample(&system, trace, &source, cex), path) {
                Ok(()) => Some(path.clone()),
                Err(message) => {
                    eprintln!("error: {message}");
                    trace_error = Some(message);
                    None
                }
            }
        }
        (Some(path), _, _) => {
            eprintln!("note: no violation, so no trace to show: `{path}` not written");
            None
        }
        _ => None,
    };
    if args.json {
        // The report is printed now: the backstop has nothing to add.
        guard.on_backstop(None);
        let mut doc = report::json(&system, &result, &options);
        if let Some(map) = doc.as_object_mut() {
            map.insert("model_file".into(), args.model.clone().into());
            map.insert("exit_code".into(), code.into());
        }
        if let (Some((path, _)), Some(map)) = (&trace_file, doc.as_object_mut()) {
            map.insert("trace_file".into(), path.clone().into());
        }
        if let (Some(path), Some(map)) = (&html_file, doc.as_object_mut()) {
            map.insert("html_file".into(), path.clone().into());
        }
        if let (Some(message), Some(map)) = (&trace_error, doc.as_object_mut()) {
            map.insert("trace_error".into(), message.clone().into());
            map.insert("exit_code".into(), EXIT_TRACE_NOT_WRITTEN.into());
        }
        print_out(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
    } else if args.quiet {
        let mut text = format!("verdict: {}\n", report::verdict_line(&result, unreached_fail));
        if let Verdict::Violation(c) = &result.verdict {
            text.push_str(&format!("{}\n", c.violation.message));
        }
        if unreached_fail {
            // What fails the check, as a violation's message would say it.
            let unreached = result.stats.unreached.as_deref().unwrap_or_default();
            for line in mutexcheck_checker::coverage::report_section(unreached) {
                text.push_str(&format!("{line}\n"));
            }
        }
        print_out(&text);
    } else {
        let mut text = report::text(&system, &result, &options);
        if let Some((path, written)) = &trace_file {
            let replaced = match written {
                Written::Replaced => ", replacing a different trace",
                Written::New | Written::Unchanged => "",
            };
            text.push_str(&format!("\ntrace written to {path}{replaced} (replay: mutexcheck replay {path})\n"));
        }
        if let Some(path) = &html_file {
            text.push_str(&format!("trace viewer written to {path} (open it in a browser)\n"));
        }
        print_out(&text);
    }
    if trace_error.is_some() {
        return EXIT_TRACE_NOT_WRITTEN;
    }
    code
}

/// `traces/[<dir>.]<model file stem>[.<options>].json`, relative to the working directory.
/// `<dir>` is the name of the model's directory unless that is `models` or the current
/// directory ([`crate::trace_paths::directory_prefix`]). Options
/// that change which counterexample is found get their own name (`.dfs`, `.no-por`,
/// `.no-symmetry`, `.no-reduce`, `.crashes-N`, `.depth-N` for a bounded depth-first search),
/// so a run with other options never overwrites the trace of a default run, such as the
/// golden traces this repository keeps under `traces/`.
fn default_trace_path(args: &CheckArgs) -> String {
    let stem = std::path::Path::new(&args.model).file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    let mut name = format!("{}{stem}", crate::trace_paths::directory_prefix(&args.model));
    if args.dfs {
        name.push_str(".dfs");
        if let Some(depth) = args.max_depth {
            name.push_str(&format!(".depth-{depth}"));
        }
    }
    let reductions = args.reductions();
    match (reductions.partial_order, reductions.symmetry) {
        (true, true) => {}
        (false, true) => name.push_str(".no-por"),
        (true, false) => name.push_str(".no-symmetry"),
        (false, false) => name.push_str(".no-reduce"),
    }
    if let Some(n) = args.crashes {
        name.push_str(&format!(".crashes-{n}"));
    }
    format!("traces/{name}.json")
}

/// What writing a trace did to the file that was there.
enum Written {
    /// There was no file.
    New,
    /// The file held this very trace.
    Unchanged,
    /// The file held something else, now replaced: the output says so.
    Replaced,
}

/// Writes `trace` to `path`. With `guard` (the model file, for a default path), a file there
/// that holds a trace of another model file is left alone: an error says so.
fn write_trace(path: &str, trace: &TraceFile, guard: Option<&str>) -> std::io::Result<Written> {
    if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let json = trace.to_json();
    if let Some(model) = guard {
        let old = crate::input::read_limited(path, crate::input::MAX_TRACE_BYTES).ok();
        if let Some(other) = old.and_then(|old| crate::trace_paths::trace_of_another_model(path, &old, model)) {
            return Err(std::io::Error::other(format!(
                "it holds the trace of another model file, {other}, and is not replaced (give another path with --trace-out PATH, or delete it)"
            )));
        }
    }
    // Only a file of about a trace's size is worth comparing; read no more than that.
    let old = crate::input::read_limited(path, json.len()).ok();
    std::fs::write(path, &json)?;
    Ok(match old {
        None => Written::New,
        Some(bytes) if bytes == json.as_bytes() => Written::Unchanged,
        Some(_) => Written::Replaced,
    })
}
