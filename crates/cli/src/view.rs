//! `mutexcheck view TRACE`: write a saved trace as one self-contained HTML page.

use clap::Args;
use mutexcheck_checker::trace::TraceFile;
use mutexcheck_core::System;

use crate::input::{BoundArgs, EXIT_BAD_INPUT};
use crate::output::print_out;
use crate::trace_input::{load_trace, TraceAndModel};

/// Options of `mutexcheck view`.
#[derive(Args, Debug)]
pub struct ViewArgs {
    /// The JSON trace written by `mutexcheck check`.
    pub trace: String,
    /// Where to write the page (default: the trace's path with `.html`).
    #[arg(short, long, value_name = "FILE.html")]
    pub output: Option<String>,
    /// The model the trace is of (default: the path recorded in the trace).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    #[command(flatten)]
    pub bounds: BoundArgs,
}

/// Runs `view` and returns the exit code: 0 when the page is written, 2 when the trace or
/// model cannot be read, the trace no longer replays on the model, or the page cannot be
/// written.
pub fn run(args: &ViewArgs) -> i32 {
    // Every phase keeps to the time and memory bounds; past them the process ends (exit 3).
    let _guard = crate::backstop::guard(&args.bounds.limits());
    let TraceAndModel { trace, system, source, .. } = match load_trace(&args.trace, args.model.as_deref(), "showing it")
    {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let out = args.output.clone().unwrap_or_else(|| default_page_path(&args.trace));
    match write_page(&system, &trace, &source, &out) {
        Ok(()) => {
            print_out(&format!("trace viewer written to {out} ({} steps; open it in a browser)\n", trace.steps.len()));
            0
        }
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_BAD_INPUT
        }
    }
}

/// Renders the page of `trace` and writes it to `path`; the error is a sentence to print.
pub fn write_page(system: &System, trace: &TraceFile, source: &[u8], path: &str) -> Result<(), String> {
    let page = mutexcheck_view::render(system, trace, source).map_err(|e| e.to_string())?;
    write_html(&page, path)
}

/// Writes `page` to `path`, making its directory; the error is a sentence to print.
pub fn write_html(page: &str, path: &str) -> Result<(), String> {
    if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot write the page to `{path}`: {e}"))?;
    }
    std::fs::write(path, page).map_err(|e| format!("cannot write the page to `{path}`: {e}"))
}

/// The trace's path with the extension `.html`: `traces/seed_bug.json` gives
/// `traces/seed_bug.html` (and a trace named `x.html` gives `x.html.html`, never itself).
fn default_page_path(trace: &str) -> String {
    let page = std::path::Path::new(trace).with_extension("html").to_string_lossy().into_owned();
    if page == trace {
        format!("{trace}.html")
    } else {
        page
    }
}

#[cfg(test)]
mod tests {
    use super::default_page_path;

    #[test]
    fn the_page_goes_next_to_the_trace_and_never_over_it() {
        assert_eq!(default_page_path("traces/seed_bug.json"), "traces/seed_bug.html");
        assert_eq!(default_page_path("trace"), "trace.html");
        assert_eq!(default_page_path("saved.html"), "saved.html.html");
    }
}
