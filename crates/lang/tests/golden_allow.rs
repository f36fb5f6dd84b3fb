//! Golden diagnostics of `allow KIND [m]` (issue #20, item 7): every misuse with its exact
//! message, position and help, and what a correct declaration lowers to.

mod common;
use common::{errors, with_header};
use mutexcheck_core::allow::{Allow, AllowKind};
use mutexcheck_lang::compile;

/// The (message, line, column, length, help) of each diagnostic of `src`.
fn diags(src: &str) -> Vec<(String, u32, u32, u32, Option<String>)> {
    errors(src).into_iter().map(|d| (d.message, d.line, d.col, d.len, d.help)).collect()
}

fn one(message: &str, line: u32, col: u32, len: u32, help: &str) -> Vec<(String, u32, u32, u32, Option<String>)> {
    vec![(message.to_string(), line, col, len, Some(help.to_string()))]
}

const POSIX: &str = "model t\nsemantics posix\nmutex m: robust\nmutex n\n";

#[test]
fn a_misspelt_kind_is_unknown_with_a_did_you_mean() {
    assert_eq!(
        diags(&with_header("allow leaked_ownershp m\nprocess w { skip }")),
        one("unknown outcome `leaked_ownershp`", 6, 7, 15, "did you mean `leaked_ownership`?")
    );
}

#[test]
fn an_unknown_kind_far_from_any_lists_the_allowable_ones() {
    assert_eq!(
        diags(&with_header("allow crash\nprocess w { skip }")),
        one(
            "unknown outcome `crash`",
            6,
            7,
            5,
            "the outcomes that can be allowed are `leaked_ownership`, `not_recoverable`"
        )
    );
}

#[test]
fn a_kind_that_cannot_be_allowed_says_why_and_lists_the_allowable_ones() {
    let help = "the outcomes that can be allowed are `leaked_ownership`, `not_recoverable`";
    assert_eq!(
        diags(&with_header("allow deadlock\nprocess w { skip }")),
        one("`deadlock` cannot be allowed", 6, 7, 8, help)
    );
    // A reserved word is read as a kind, to say the same.
    assert_eq!(
        diags(&with_header("allow assert\nprocess w { skip }")),
        one("`assert` cannot be allowed", 6, 7, 6, help)
    );
    let d = errors(&with_header("allow release_not_owner m\nprocess w { skip }"));
    assert_eq!((d[0].message.as_str(), d[0].line, d[0].col), ("`release_not_owner` cannot be allowed", 6, 7));
    assert_eq!(
        d[0].label,
        "store the result to handle NOT_OWNER/PERM: `let r = release m` (POSIX: `let r = unlock m`)"
    );
}

#[test]
fn an_unknown_mutex_is_reported_with_a_did_you_mean() {
    assert_eq!(
        diags(&with_header("mutex lock_a\nallow leaked_ownership lock_b\nprocess w { skip }")),
        one("unknown mutex `lock_b`", 7, 24, 6, "did you mean `lock_a`?")
    );
    let d = diags(&with_header("allow leaked_ownership a\nprocess w { skip }"));
    assert_eq!(d, vec![("`a` is a variable, not a mutex".to_string(), 6, 24, 1, None)]);
}

#[test]
fn not_recoverable_in_a_win32_model_is_an_error() {
    assert_eq!(
        diags(&with_header("allow not_recoverable m\nprocess w { skip }")),
        one(
            "a Win32 mutex never becomes not recoverable",
            6,
            7,
            15,
            "`not_recoverable` is a POSIX robust mutex's outcome: add `semantics posix`, or remove this line"
        )
    );
}

#[test]
fn not_recoverable_of_a_mutex_that_is_not_robust_is_an_error() {
    assert_eq!(
        diags(&format!("{POSIX}allow not_recoverable n\nprocess w {{ skip }}")),
        one(
            "`n` is not robust: it never becomes not recoverable",
            5,
            23,
            1,
            "declare it robust (`mutex n: robust`), or remove this line"
        )
    );
}

#[test]
fn a_duplicate_allow_is_an_error_naming_the_first() {
    assert_eq!(
        diags(&with_header("allow leaked_ownership m\nallow leaked_ownership m\nprocess w { skip }")),
        one("this outcome is already allowed (line 6)", 7, 1, 24, "remove one of the two lines")
    );
    assert_eq!(
        diags(&with_header("allow leaked_ownership\nallow leaked_ownership\nprocess w { skip }")),
        one("this outcome is already allowed (line 6)", 7, 1, 22, "remove one of the two lines")
    );
    // Allowed for every mutex already covers one mutex.
    assert_eq!(
        diags(&with_header("allow leaked_ownership\nallow leaked_ownership m\nprocess w { skip }")),
        one(
            "`leaked_ownership` is already allowed for every mutex (line 6), so also for `m`",
            7,
            1,
            24,
            "remove one of the two lines"
        )
    );
}

#[test]
fn allow_is_a_reserved_word() {
    let d = diags(&with_header("shared allow: 0..1 = 0\nprocess w { skip }"));
    assert_eq!(d[0].0, "expected a variable name, found the reserved word `allow`");
    assert_eq!((d[0].1, d[0].2, d[0].3), (6, 8, 5));
}

#[test]
fn a_missing_kind_is_a_syntax_error_at_the_end_of_the_line() {
    let d = diags(&with_header("allow\nprocess w { skip }"));
    assert_eq!(
        d[0].0,
        "expected an outcome to allow (`leaked_ownership` or `not_recoverable`), found the end of the line"
    );
    assert_eq!((d[0].1, d[0].2), (6, 6));
}

#[test]
fn the_rendered_diagnostic_points_at_the_kind_with_carets() {
    let src = with_header("allow deadlock\nprocess w { skip }");
    let rendered = match compile("t.mc", src.as_bytes()) {
        Ok(_) => panic!("compiled"),
        Err(d) => d.render("t.mc", src.as_bytes()),
    };
    assert_eq!(
        rendered,
        "error: `deadlock` cannot be allowed\n --> t.mc:6:7\n  |\n6 | allow deadlock\n  |       ^^^^^^^^ no thread can move after it: there is nothing left to check\n  = help: the outcomes that can be allowed are `leaked_ownership`, `not_recoverable`\n\nerror: could not compile `t.mc`: 1 error\n"
    );
}

#[test]
fn declarations_lower_to_the_ir_in_order_and_a_mutex_name_must_stand_on_the_allow_line() {
    // `starvation` on the next line is a declaration of its own, not the mutex of `allow`.
    let src = format!("{POSIX}allow not_recoverable m\nallow leaked_ownership\nstarvation m\nprocess w {{ skip }}");
    let model = compile("t.mc", src.as_bytes()).unwrap();
    let got: Vec<(AllowKind, Option<usize>, u32)> =
        model.allowed.iter().map(|a: &Allow| (a.kind, a.mutex, a.span.line)).collect();
    assert_eq!(got, vec![(AllowKind::NotRecoverable, Some(0), 5), (AllowKind::LeakedOwnership, None, 6)]);
    assert_eq!(model.liveness.len(), 1);
    assert!(model.allows(AllowKind::LeakedOwnership, 1));
    assert!(model.allows(AllowKind::NotRecoverable, 0));
    assert!(!model.allows(AllowKind::NotRecoverable, 1));
}
