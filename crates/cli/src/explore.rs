//! `mutexcheck explore MODEL`: play the model by hand on a local web page.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Args;
use mutexcheck_explore::{Server, Session};

use crate::input::{load_system, EXIT_BAD_INPUT};
use crate::output::print_out;
use crate::trace_input::{load_trace, TraceAndModel};

/// Options of `mutexcheck explore`.
#[derive(Args, Debug)]
#[command(after_help = "The page lists every enabled move (each thread's step with each outcome it may have, \
each crash, each restart) in the words of the text report; pick one, undo, go back to any step and branch off, \
and save the run as a trace once it breaks a property. The server listens on 127.0.0.1 only; Ctrl-C stops it. \
See docs/explore.md.")]
pub struct ExploreArgs {
    /// The model file (`.mc`).
    pub model: String,
    /// The port to listen on, on 127.0.0.1 only (0: a free port; the address is printed).
    #[arg(long, value_name = "P", default_value_t = 0)]
    pub port: u16,
    /// Start at the end of this trace (its steps as the history: go back and branch off at
    /// any step). The trace's crash budget is used.
    #[arg(long, value_name = "TRACE")]
    pub trace: Option<String>,
    /// How many process crashes one run may contain, 0 to 1000 (overrides the model's
    /// `crashes N`; not with --trace).
    #[arg(long, value_name = "N", value_parser = crate::input::parse_crashes, conflicts_with = "trace")]
    pub crashes: Option<u32>,
    /// Where "Save trace" writes the run (default: `traces/<model>.explore.json`, which no
    /// other command writes, so a golden trace is never overwritten).
    #[arg(long, value_name = "PATH")]
    pub save_to: Option<String>,
    /// Open the page in the default browser (with `xdg-open`, where there is one).
    #[arg(long)]
    pub open: bool,
}

/// Runs `explore` until Ctrl-C; returns 0 then, 2 on bad input (model, trace, port).
pub fn run(args: &ExploreArgs) -> i32 {
    let stem = std::path::Path::new(&args.model).file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    let save_to = args.save_to.clone().unwrap_or_else(|| format!("traces/{stem}.explore.json"));
    let session = match &args.trace {
        Some(trace_path) => {
            let TraceAndModel { trace, system, source, .. } =
                match load_trace(trace_path, Some(&args.model), "exploring it") {
                    Ok(loaded) => loaded,
                    Err(code) => return code,
                };
            match Session::from_trace(system, source, &args.model, &save_to, &trace) {
                Ok(session) => session,
                Err(message) => {
                    eprintln!("error: {trace_path}: {message}");
                    return EXIT_BAD_INPUT;
                }
            }
        }
        None => match load_system(&args.model, args.crashes) {
            Ok((system, source)) => Session::new(system, source, &args.model, &save_to),
            Err(code) => return code,
        },
    };
    let server = match Server::bind(args.port) {
        Ok(server) => server,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_BAD_INPUT;
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)) {
        eprintln!("warning: Ctrl-C will end the server without a clean stop: {e}");
    }
    let url = server.url();
    print_out(&format!(
        "exploring {} on {url} (127.0.0.1 only, port {}); Ctrl-C stops the server\n",
        args.model,
        server.port()
    ));
    if args.open {
        open_browser(&url);
    }
    let mut session = session;
    server.serve(&mut session, &stop);
    print_out("explore: stopped\n");
    0
}

/// Opens `url` with `xdg-open` when the machine has one; says so when it cannot.
fn open_browser(url: &str) {
    let spawned = std::process::Command::new("xdg-open")
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("note: cannot open a browser ({e}); open {url} yourself");
    }
}
