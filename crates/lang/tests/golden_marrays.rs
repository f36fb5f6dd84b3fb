//! Golden tests for the diagnostics of mutex arrays (`mutex lock[N]`, `NAME[INDEX]`, `protect
//! lock[i]`), each with its exact message and position.
//!
//! Snippets are placed after a four-line header (`model t`, `mutex m`, `mutex lock[3]`,
//! `shared a: 0..4`), so their first line is line 5.

#[allow(dead_code)] // this file has its own header, not `with_header`
mod common;
use common::errors;

fn header(body: &str) -> String {
    format!("model t\nmutex m\nmutex lock[3]\nshared a: 0..4 = 0\n{body}")
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

golden!(index_on_a_single_mutex, "process w { wait m[0] }", ("`m` is a single mutex, not an array", 5, 18, 4));
golden!(
    index_on_a_single_mutex_in_a_query,
    "process w { assert !held(m[1]) }",
    ("`m` is a single mutex, not an array", 5, 26, 4)
);
golden!(
    array_without_index,
    "process w { wait lock }",
    ("`lock` is an array of 3 mutexes; name one element", 5, 18, 4)
);
golden!(
    array_without_index_in_a_query,
    "process w { assert count(lock) == 0 }",
    ("`lock` is an array of 3 mutexes; name one element", 5, 26, 4)
);
golden!(
    array_without_index_in_protect,
    "protect lock: a == 0\nprocess w { skip }",
    ("`lock` is an array of 3 mutexes; name one element", 5, 9, 4)
);
golden!(
    array_without_index_in_starvation,
    "starvation lock\nprocess w { skip }",
    ("`lock` is an array of 3 mutexes; name one element", 5, 12, 4)
);
golden!(
    boolean_index,
    "process w { release lock[a == 1] }",
    ("a mutex array index must be a number, but this is a boolean", 5, 26, 6)
);
golden!(
    constant_index_past_the_end,
    "process w { wait lock[3] }",
    ("index 3 is outside the mutex array `lock`, whose elements are 0..2", 5, 23, 1)
);
golden!(
    constant_arithmetic_index_below_zero,
    "process w { assert owns(lock[1 - 2]) }",
    ("index -1 is outside the mutex array `lock`, whose elements are 0..2", 5, 30, 5)
);
golden!(
    constant_index_out_of_range_in_protect,
    "protect lock[5]: a == 0\nprocess w { skip }",
    ("index 5 is outside the mutex array `lock`, whose elements are 0..2", 5, 14, 1)
);
golden!(
    index_out_of_range_for_one_element_of_protect,
    "protect lock[i]: count(lock[i + 1]) == 0\nprocess w { skip }",
    ("index 3 is outside the mutex array `lock`, whose elements are 0..2", 5, 29, 5)
);
golden!(size_zero, "mutex none[0]\nprocess w { skip }", ("an array has 1 to 1024 elements", 5, 12, 1));
golden!(size_too_large, "mutex many[1025]\nprocess w { skip }", ("an array has 1 to 1024 elements", 5, 12, 4));
golden!(size_not_a_number, "mutex few[true]\nprocess w { skip }", ("an array length must be a constant", 5, 11, 4));
golden!(size_unknown_constant, "mutex few[N]\nprocess w { skip }", ("unknown constant `N`", 5, 11, 1));
golden!(
    protect_binder_clashes_with_a_shared_variable,
    "protect lock[a]: a == 0\nprocess w { skip }",
    (
        "the index `a` of `protect lock[a]` names every element, but `a` is already declared as a shared variable (line 4)",
        5,
        14,
        1
    )
);
golden!(
    starvation_binder_clashes_with_a_mutex,
    "starvation lock[m]\nprocess w { skip }",
    (
        "the index `m` of `starvation lock[m]` names every element, but `m` is already declared as a mutex (line 2)",
        5,
        17,
        1
    )
);
golden!(
    protect_with_a_computed_index,
    "protect lock[a + 1]: a == 0\nprocess w { skip }",
    ("the index of `protect lock[...]` must be a number or a new name", 5, 14, 5)
);
golden!(
    protect_condition_error_is_reported_once_not_per_element,
    "protect lock[i]: b[i] == 0\nprocess w { skip }",
    ("unknown name `b`", 5, 18, 1)
);
golden!(unknown_array, "process w { wait locks[self] }", ("unknown mutex `locks`", 5, 18, 5));
golden!(variable_indexed_as_a_mutex, "process w { wait a[0] }", ("`a` is a variable, not a mutex", 5, 18, 1));
golden!(
    duplicate_array,
    "mutex lock[2]\nprocess w { skip }",
    ("`lock` is already declared as a mutex (line 3)", 5, 7, 4)
);
golden!(
    self_in_a_protect_index,
    "protect lock[self]: a == 0\nprocess w { skip }",
    ("`self` has no meaning in a property", 5, 14, 4)
);
golden!(
    owns_of_an_element_in_a_property,
    "invariant x: !owns(lock[0])\nprocess w { skip }",
    ("`owns(m)` has no meaning in a property", 5, 15, 12)
);
golden!(
    posix_operation_on_an_array_in_a_win32_model,
    "process w { wait lock[0]\n    unlock lock[0] }",
    ("`unlock` is a POSIX mutex operation, but this model uses Win32 semantics", 6, 5, 6)
);

#[test]
fn protect_binder_named_like_a_posix_result() {
    let src = "model t\nsemantics posix\nmutex lock[2]\nprotect lock[BUSY]: true\nprocess w { skip }\n";
    let got: Vec<(String, u32, u32, u32)> =
        errors(src).into_iter().map(|d| (d.message, d.line, d.col, d.len)).collect();
    let want = "the index `BUSY` of `protect lock[BUSY]` names every element, but `BUSY` is a POSIX result";
    assert_eq!(got, [(want.to_string(), 4, 14, 4)]);
}
