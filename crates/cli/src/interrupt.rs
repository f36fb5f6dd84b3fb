//! Ctrl-C: the first one stops the run cleanly, the second one ends the process.

use std::sync::atomic::{AtomicBool, Ordering};

use mutexcheck_checker::Guard;

/// Exit code of a process ended by a second Ctrl-C (128 + SIGINT, as a shell reports it).
const EXIT_SECOND_INTERRUPT: i32 = 130;

/// Makes Ctrl-C (SIGINT) raise `guard`'s stop flag: the search, and every other phase that
/// watches the guard, stops as at a bound, and the command prints what it has — the verdict
/// `incomplete (interrupted)` and the statistics so far — and exits 3. A second Ctrl-C ends
/// the process at once, for a phase that would not stop. A handler can be set once per
/// process; a failure to set it only costs the clean stop, so it is reported, not fatal.
pub fn stop_on_ctrl_c(guard: &Guard) {
    let interrupt = guard.interrupt();
    let pressed = AtomicBool::new(false);
    let handler = move || {
        if pressed.swap(true, Ordering::Relaxed) {
            eprintln!("\ninterrupted again: stopping at once");
            std::process::exit(EXIT_SECOND_INTERRUPT);
        }
        eprintln!("\ninterrupted: stopping (Ctrl-C again to stop at once)");
        interrupt.stop_now();
    };
    if let Err(e) = ctrlc::set_handler(handler) {
        eprintln!("warning: Ctrl-C will end the run without its statistics: {e}");
    }
}
