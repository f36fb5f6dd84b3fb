//! Golden tests of an element of a mutex array passed to a procedure's `mutex` parameter:
//! one per misuse, with its exact message and position (line, column, length).
//!
//! Every snippet follows the same four-line header (`model t`, `const N = 3`, `mutex lock[N]`,
//! `mutex g`), so its first line is line 5.

#[allow(dead_code)] // `with_header`: this file's snippets need an array, so it has its own
mod common;
use common::errors;

const HEADER: &str = "model t\nconst N = 3\nmutex lock[N]\nmutex g\n";

fn check(body: &str, want: &[(&str, u32, u32, u32)]) {
    let src = format!("{HEADER}{body}");
    let got: Vec<(String, u32, u32, u32)> =
        errors(&src).into_iter().map(|d| (d.message, d.line, d.col, d.len)).collect();
    let want: Vec<(String, u32, u32, u32)> = want.iter().map(|(m, l, c, n)| (m.to_string(), *l, *c, *n)).collect();
    assert_eq!(got, want, "source:\n{src}");
}

const TAKE: &str = "proc take(m: mutex) {\n    wait m\n    release m\n}\n";

#[test]
fn a_whole_array_as_a_mutex_argument_asks_for_an_element() {
    check(
        &format!("{TAKE}process w {{ take(lock) }}\n"),
        &[("`lock` is an array of 3 mutexes; name one element", 9, 18, 4)],
    );
}

#[test]
fn an_index_on_a_single_mutex_argument_is_refused() {
    check(&format!("{TAKE}process w {{ take(g[0]) }}\n"), &[("`g` is a single mutex, not an array", 9, 18, 4)]);
}

#[test]
fn a_constant_index_outside_the_array_is_an_error_at_the_index() {
    check(
        &format!("{TAKE}process w {{ take(lock[N]) }}\n"),
        &[("index 3 is outside the mutex array `lock`, whose elements are 0..2", 9, 23, 1)],
    );
    check(
        &format!("{TAKE}process w {{ take(lock[1 - 2]) }}\n"),
        &[("index -1 is outside the mutex array `lock`, whose elements are 0..2", 9, 23, 5)],
    );
}

#[test]
fn an_index_reading_a_shared_variable_is_refused() {
    check(
        &format!("shared turn: 0..2 = 0\n{TAKE}process w {{ take(lock[(turn + 1) % N]) }}\n"),
        &[("the index of a mutex argument cannot read the shared variable `turn`", 10, 24, 4)],
    );
}

#[test]
fn an_index_reading_a_mutex_is_refused() {
    check(
        &format!("{TAKE}process w {{ take(lock[count(g)]) }}\n"),
        &[("the index of a mutex argument cannot read the state of mutex `g`", 9, 23, 8)],
    );
}

#[test]
fn an_index_of_the_wrong_type_is_one_error() {
    check(
        &format!("{TAKE}process w {{ take(lock[alive(w)]) }}\n"),
        &[("a mutex array index must be a number, but this is a boolean", 9, 23, 8)],
    );
}

#[test]
fn an_index_on_a_mutex_parameter_is_refused() {
    check(
        "proc take(m: mutex) {\n    wait m[0]\n}\nprocess w { take(lock[0]) }\n",
        &[("`m` is a mutex parameter: one mutex, not an array", 6, 12, 1)],
    );
}

#[test]
fn a_value_argument_cannot_read_liveness() {
    check(
        "proc p(x: bool) {\n    assert x\n}\nprocess w { p(alive(w)) }\n",
        &[("an argument cannot read whether `w` is alive", 8, 15, 8)],
    );
}

#[test]
fn a_constant_in_an_integer_argument_has_its_value_as_range() {
    // `N - 1` is 2, which fits 0..2; `N` is 3, which does not.
    let fits = format!("{HEADER}shared a: 0..2 = 0\nproc put(x: 0..2) {{\n    a = x\n}}\nprocess w {{ put(N - 1) }}\n");
    assert!(mutexcheck_lang::compile("t.mc", fits.as_bytes()).is_ok(), "{fits}");
    check(
        "shared a: 0..2 = 0\nproc put(x: 0..2) {\n    a = x\n}\nprocess w { put(N) }\n",
        &[("`x` (argument 1 of `put`) is in 0..2, but it can be 3..3", 9, 17, 1)],
    );
}

#[test]
fn an_element_where_a_value_is_expected_is_called_a_mutex() {
    check(
        "proc p(x: 0..3) {\n    skip\n}\nprocess w { p(lock[1]) }\n",
        &[("`x` (argument 1 of `p`) is a number, but `lock[...]` is a mutex", 8, 15, 7)],
    );
}
