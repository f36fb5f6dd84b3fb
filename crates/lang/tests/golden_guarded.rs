//! Golden tests for the diagnostics of guarded variables (`shared a: 0..3 guarded_by m`),
//! each with its exact message and position.
//!
//! Snippets are placed after a four-line header (`model t`, `mutex m`, `mutex lock[3]`,
//! `shared b: 0..1`), so their first line is line 5.

#[allow(dead_code)] // this file has its own header, not `with_header`
mod common;
use common::errors;

fn header(body: &str) -> String {
    format!("model t\nmutex m\nmutex lock[3]\nshared b: 0..1 = 0\n{body}")
}

/// Asserts the exact list of (message, line, column, length) of a snippet's diagnostics.
macro_rules! golden {
    ($name:ident, $src:expr, $($d:expr),+) => {
        #[test]
        fn $name() {
            common::assert_errors(&header($src), &[$($d),+]);
        }
    };
}

golden!(
    guard_names_an_unknown_mutex,
    "shared a: 0..3 = 0 guarded_by mm\nprocess w { skip }",
    ("unknown mutex `mm`", 5, 31, 2)
);
golden!(
    guard_names_a_variable,
    "shared a: 0..3 = 0 guarded_by b\nprocess w { skip }",
    ("`b` is a variable, not a mutex", 5, 31, 1)
);
golden!(
    guard_without_a_mutex,
    "shared a: 0..3 = 0 guarded_by\nprocess w { skip }",
    ("expected the mutex that guards the variable, found the end of the line", 5, 30, 0)
);
golden!(
    guard_on_a_local_variable,
    "process w {\n    var x: 0..1 = 0 guarded_by m\n    skip\n}",
    ("`x` is a local variable of its thread: only a `shared` variable can be `guarded_by` a mutex", 6, 21, 12)
);
golden!(
    guard_on_process_memory,
    "process w {\n    var x: 0..1 guarded_by m\n    thread t { skip }\n}",
    ("`x` is process memory: only a `shared` variable can be `guarded_by` a mutex", 6, 17, 12)
);
golden!(
    guard_on_a_procedure_local,
    "proc f() {\n    var x: 0..1 guarded_by m\n    skip\n}\nprocess w { f() }",
    ("`x` is a local variable of its procedure: only a `shared` variable can be `guarded_by` a mutex", 6, 17, 12)
);
golden!(
    guard_by_a_mutex_array_without_index,
    "shared a: 0..3 guarded_by lock\nprocess w { skip }",
    ("`lock` is an array of 3 mutexes; name one element", 5, 27, 4)
);
golden!(
    guard_by_an_element_outside_the_array,
    "shared a: 0..3 guarded_by lock[3]\nprocess w { skip }",
    ("index 3 is outside the mutex array `lock`, whose elements are 0..2", 5, 32, 1)
);
golden!(
    elementwise_guard_of_an_array_of_another_length,
    "shared a: [0..3; 2] guarded_by lock[i]\nprocess w { skip }",
    (
        "`guarded_by lock[i]` guards element `k` of `a` by `lock[k]`, but `a` is an array of 2 and `lock` has 3 mutexes",
        5,
        32,
        7
    )
);
golden!(
    elementwise_guard_of_a_scalar,
    "shared a: 0..3 guarded_by lock[i]\nprocess w { skip }",
    (
        "`guarded_by lock[i]` guards element `k` of `a` by `lock[k]`, but `a` is a single variable and `lock` has 3 mutexes",
        5,
        27,
        7
    )
);
golden!(
    elementwise_guard_index_already_declared,
    "shared a: [0..3; 3] guarded_by lock[b]\nprocess w { skip }",
    ("the index `b` of `guarded_by lock[b]` names every element, but `b` is already declared as a shared variable (line 4)", 5, 37, 1)
);
golden!(
    guard_on_a_single_mutex_with_an_index,
    "shared a: 0..3 guarded_by m[0]\nprocess w { skip }",
    ("`m` is a single mutex, not an array", 5, 27, 4)
);
golden!(
    guarded_by_is_reserved,
    "shared guarded_by: 0..1\nprocess w { skip }",
    ("expected a variable name, found the reserved word `guarded_by`", 5, 8, 10)
);
golden!(
    unguarded_access_cannot_be_allowed,
    "allow unguarded_access\nprocess w { skip }",
    ("`unguarded_access` cannot be allowed", 5, 7, 16)
);

/// The label and help of a diagnostic, which say why and what to write instead.
fn label_and_help(body: &str) -> (String, Option<String>) {
    let d = errors(&header(body)).remove(0);
    (d.label, d.help)
}

#[test]
fn unguarded_access_cannot_be_allowed_and_says_why() {
    assert_eq!(
        label_and_help("allow unguarded_access\nprocess w { skip }"),
        (
            "it is a property the model states: remove the `guarded_by` of the variable instead".into(),
            Some("the outcomes that can be allowed are `leaked_ownership`, `not_recoverable`".into())
        )
    );
}

#[test]
fn a_guard_on_a_local_says_how_to_guard_shared_data() {
    assert_eq!(
        label_and_help("process w {\n    var x: 0..1 = 0 guarded_by m\n    skip\n}"),
        (
            "not shared".into(),
            Some("declare it at the top level as `shared x: ... guarded_by M`, or drop `guarded_by`".into())
        )
    );
}

#[test]
fn a_mutex_array_without_index_as_a_guard_shows_both_spellings() {
    assert_eq!(
        label_and_help("shared a: [0..3; 3] guarded_by lock\nprocess w { skip }"),
        (
            "which element?".into(),
            Some("index it: `guarded_by lock[i]` guards element `k` of an array of 3 by `lock[k]`, `guarded_by lock[0]` the whole variable by one".into())
        )
    );
}
