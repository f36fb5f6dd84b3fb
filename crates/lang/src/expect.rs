//! The verdict a model's header says it should get, for tests and the CLI's `--expect` checks.

/// What a model's header comment promises the checker will find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `// expect: ok`: no violation.
    Ok,
    /// `// expect: violation KIND`: a violation of this kind (e.g. `leaked_ownership`).
    Violation(String),
}

/// The expectation a model's header declares: `// expect: ok` or `// expect: violation <kind>`.
///
/// Only the header is read: the leading run of comment and blank lines. The first `expect:`
/// line found there counts; a malformed one (unknown word, missing or extra kind) gives `None`.
pub fn expected_verdict(source: &str) -> Option<Expect> {
    for line in source.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let comment = line.strip_prefix("//")?;
        let Some(rest) = comment.trim().strip_prefix("expect:") else { continue };
        let words: Vec<&str> = rest.split_whitespace().collect();
        return match words.as_slice() {
            ["ok"] => Some(Expect::Ok),
            ["violation", kind] => Some(Expect::Violation((*kind).to_string())),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ok_and_violation_from_the_header() {
        assert_eq!(expected_verdict("// a model\n// expect: ok\nmodel x\n"), Some(Expect::Ok));
        assert_eq!(
            expected_verdict("\n// expect: violation leaked_ownership\n"),
            Some(Expect::Violation("leaked_ownership".into()))
        );
    }

    #[test]
    fn ignores_expect_lines_after_the_header_and_malformed_ones() {
        assert_eq!(expected_verdict("model x\n// expect: ok\n"), None);
        assert_eq!(expected_verdict("// expect: maybe\n"), None);
        assert_eq!(expected_verdict("// expect: violation\n"), None);
        assert_eq!(expected_verdict("// expect: violation a b\n"), None);
        assert_eq!(expected_verdict(""), None);
    }
}
