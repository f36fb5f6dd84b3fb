//! Writing results to stdout without panicking when the reader goes away.

use std::io::{ErrorKind, Write};

/// Writes `text` to stdout. A closed pipe (`mutexcheck check … | head -1`) ends the output
/// quietly: the exit code still tells the verdict. Any other write error is reported on
/// stderr.
pub fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() != ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to standard output: {e}");
        }
    }
}
