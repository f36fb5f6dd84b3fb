//! Golden tests for `alive(P[i])` and `thread NAME may_die`: the exact message, position
//! and help of each misuse.
//!
//! Snippets are placed after the five-line header of `common::with_header`, so their first
//! line is line 6.

mod common;
use common::{errors, with_header};

/// Asserts the exact list of (message, line, column, length, help) of a snippet's
/// diagnostics.
fn check(body: &str, want: &[(&str, u32, u32, u32, Option<&str>)]) {
    let src = with_header(body);
    let got: Vec<(String, u32, u32, u32, Option<String>)> =
        errors(&src).into_iter().map(|d| (d.message, d.line, d.col, d.len, d.help)).collect();
    let want: Vec<(String, u32, u32, u32, Option<String>)> =
        want.iter().map(|(m, l, c, n, h)| (m.to_string(), *l, *c, *n, h.map(str::to_string))).collect();
    assert_eq!(got, want, "source:\n{src}");
}

#[test]
fn alive_of_an_unknown_process() {
    check(
        "process worker { assert alive(wroker) }",
        &[("unknown process `wroker`", 6, 31, 6, Some("did you mean `worker`?"))],
    );
    check(
        "process w { assert alive(m) }",
        &[(
            "unknown process `m`",
            6,
            26,
            1,
            Some("`alive(P)` asks whether an instance of a declared process P still runs"),
        )],
    );
}

#[test]
fn alive_of_a_process_of_several_instances_needs_an_index() {
    check(
        "process w[2] { assert alive(w) }",
        &[("process `w` has 2 instances; say which one", 6, 23, 8, Some("write e.g. `alive(w[0])`"))],
    );
}

#[test]
fn alive_of_a_single_instance_takes_no_index() {
    check(
        "process w { assert alive(w[0]) }",
        &[("process `w` has a single instance: it takes no index", 6, 28, 1, Some("write `alive(w)`"))],
    );
}

#[test]
fn alive_with_a_constant_index_out_of_range() {
    check("process w[2] { assert alive(w[2]) }", &[("process `w` has instances 0..1, not 2", 6, 31, 1, None)]);
    check("process w[2] { assert alive(w[-1]) }", &[("process `w` has instances 0..1, not -1", 6, 31, 2, None)]);
}

#[test]
fn alive_with_an_index_that_is_not_a_number() {
    check(
        "process w[2] { assert alive(w[f]) }",
        &[("an instance index must be a number, but this is a boolean", 6, 31, 1, None)],
    );
}

#[test]
fn alive_is_a_boolean() {
    check("process w { a = alive(w) }", &[("`a` holds a number, but this value is a boolean", 6, 17, 8, None)]);
}

#[test]
fn alive_in_a_property_cannot_index_by_self() {
    check(
        "process w[2] { skip }\ninvariant up: alive(w[self])",
        &[(
            "`self` has no meaning in a property",
            7,
            23,
            4,
            Some("properties are checked outside any process; they read shared variables and mutexes"),
        )],
    );
}

#[test]
fn may_die_marks_a_thread_not_a_process() {
    check(
        "process w may_die { skip }",
        &[(
            "`may_die` marks a thread, not a process",
            6,
            11,
            7,
            Some("write it on a thread block, `thread NAME may_die { ... }`; a whole process dies by a crash (`crashes N`)"),
        )],
    );
}

#[test]
fn a_misspelt_may_die_is_an_unexpected_word() {
    check("process w {\n    thread t may_dye { skip }\n}", &[("expected `{`, found `may_dye`", 7, 14, 7, None)]);
}
