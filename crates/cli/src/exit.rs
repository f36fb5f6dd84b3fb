//! The exit codes of `mutexcheck`, decided here and nowhere else: the libraries report
//! facts (a verdict, the statements no run executed) and never end the process.

use mutexcheck_checker::{CheckResult, VerdictKind};

/// Complete, and nothing failed.
pub const OK: i32 = 0;
/// A violation, or (under `--deny-unreached`) statements that no run executed.
pub const FAILED: i32 = 1;
/// Bad input: the command line, the model or the trace; also a cluster that did not run.
pub const BAD_INPUT: i32 = crate::input::EXIT_BAD_INPUT;
/// A bound (or Ctrl-C) stopped the run before it was complete; also what the backstop ends
/// the process with.
pub const INCOMPLETE: i32 = 3;

/// A violation was found but its trace (or `--html` page) could not be written: a script
/// that goes on to replay it must not take exit 1 to mean the file is there.
pub const TRACE_NOT_WRITTEN: i32 = 4;

/// The exit code of a check with verdict `kind`; `unreached_fail`: the check fails because
/// statements never ran ([`unreached_fail`]).
pub fn of_verdict(kind: VerdictKind, unreached_fail: bool) -> i32 {
    match kind {
        VerdictKind::Ok if unreached_fail => FAILED,
        VerdictKind::Ok => OK,
        VerdictKind::Violation => FAILED,
        VerdictKind::Incomplete => INCOMPLETE,
    }
}

/// Whether `result` fails under `--deny-unreached` (`deny`): a complete search with no
/// violation left statements that no run executed.
pub fn unreached_fail(result: &CheckResult, deny: bool) -> bool {
    deny && !result.unreached().is_empty()
}

/// The exit code of a finished check: [`of_verdict`] of its verdict.
pub fn of_check(result: &CheckResult, deny_unreached: bool) -> i32 {
    of_verdict(result.verdict.kind(), unreached_fail(result, deny_unreached))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_is_0_a_violation_1_incomplete_3_and_unreached_fails_only_an_ok_check() {
        assert_eq!(of_verdict(VerdictKind::Ok, false), 0);
        assert_eq!(of_verdict(VerdictKind::Ok, true), 1);
        assert_eq!(of_verdict(VerdictKind::Violation, false), 1);
        assert_eq!(of_verdict(VerdictKind::Incomplete, false), 3);
        assert_eq!(of_verdict(VerdictKind::Incomplete, true), 3);
        assert_eq!(BAD_INPUT, 2);
    }
}
