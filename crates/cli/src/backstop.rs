//! The command line's guard: the checker's [`Guard`] with the backstop that ends the
//! process. The library never ends the process itself; every command installs this.

use mutexcheck_checker::{Guard, LastWords, Limit, Limits};

/// A guard on `limits`, the time limit counted from now, whose backstop ends the process
/// when a bound is passed by the margin: a message on stderr, the last words set with
/// [`Guard::on_backstop`] (on stdout), then exit code 3.
pub fn guard(limits: &Limits) -> Guard {
    Guard::with_backstop(limits, Box::new(end))
}

/// The backstop: says why on stderr, lets the command speak, ends the process.
fn end(limit: Limit, why: &str, last_words: Option<&LastWords>) {
    eprintln!("error: stopped: {why}; the run is incomplete");
    if let Some(speak) = last_words {
        speak(limit, why);
    }
    std::process::exit(crate::exit::INCOMPLETE)
}
