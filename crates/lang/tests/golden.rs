//! Golden tests: one per kind of diagnostic, with its exact message and position.
//!
//! Snippets marked `h` are placed after a five-line header (`model t`, `mutex m`, `shared a:
//! 0..4`, `shared f: bool`, `shared arr: [0..3; 4]`), so their first line is line 6.

#[macro_use]
mod common;
use common::with_header;

fn check(src: &str, want: &[(&str, u32, u32, u32)]) {
    common::assert_errors(src, want)
}

golden!(empty_file, "", ("the model is empty", 1, 1, 0));
golden!(missing_model_line, "process w { skip }", ("a model file must start with `model NAME`", 1, 1, 7));
golden!(unexpected_character, h "process w { a = a # 1 }", ("unexpected character `#`", 6, 19, 1), ("expected a statement, found the number `1`", 6, 21, 1));
golden!(unclosed_comment, h "/* never closed", ("this comment is never closed", 6, 1, 2));
golden!(number_too_large, h "process w { a = 99999999999 }", ("the number 99999999999 is too large; values are 32-bit integers", 6, 17, 11));
golden!(expected_token_found_other, h "process w { a = ) }", ("expected an expression, found `)`", 6, 17, 1));
golden!(missing_at_end_of_line, h "process w {\n    a = a +\n}", ("expected an expression, found the end of the line", 7, 12, 0));
golden!(chained_comparison, h "process w { assert a < 1 < 2 }", ("comparisons cannot be chained", 6, 26, 1));
golden!(comparison_as_statement, h "process w { a == 1 }", ("a comparison is not a statement", 6, 15, 2));
golden!(let_without_mutex_operation, h "process w { let r = 5 }", ("`let` stores the result of `wait`, `try` or `release`", 6, 21, 1));
golden!(var_inside_block, h "process w { if f { var x: 0..1 = 0 } }", ("variables are declared at the top level of a process or thread body", 6, 20, 3));
golden!(else_without_if, h "process w { else { skip } }", ("`else` without an `if`", 6, 13, 4));
golden!(block_never_closed, h "process w {\n    while f {\n        skip\n}", ("this process is never closed", 6, 11, 1));
golden!(either_without_or, h "process w { either { skip } }", ("`either` needs at least one `or` alternative", 6, 29, 1));
golden!(statement_at_top_level, h "a = 1", ("expected a declaration, found `a`", 6, 1, 1));
golden!(statement_outside_thread, h "process w {\n    skip\n    thread t { skip }\n}", ("process `w` has `thread` blocks, so its statements must be inside one", 7, 5, 4));
golden!(reserved_word_as_name, h "shared wait: 0..1 = 0\nprocess w { skip }", ("expected a variable name, found the reserved word `wait`", 6, 8, 4));
golden!(unknown_name, h "process w { a = b }", ("unknown name `b`", 6, 17, 1));
golden!(release_of_undeclared_mutex, h "process w { release n }", ("unknown mutex `n`", 6, 21, 1));
golden!(duplicate_mutex, h "mutex m\nprocess w { skip }", ("`m` is already declared as a mutex (line 2)", 6, 7, 1));
golden!(duplicate_shared_variable, h "shared a: 0..1 = 0\nprocess w { skip }", ("`a` is already declared as a shared variable (line 3)", 6, 8, 1));
golden!(local_shadowing_shared, h "process w {\n    var a: 0..1 = 0\n}", ("`a` is already declared as a shared variable (line 3)", 7, 9, 1));
golden!(duplicate_thread, h "process w {\n    thread t { skip }\n    thread t { skip }\n}", ("`t` is already declared as a thread of this process (line 7)", 8, 12, 1));
golden!(duplicate_process, h "process w { skip }\nprocess w { skip }", ("`w` is already declared as a process (line 6)", 7, 9, 1));
golden!(duplicate_invariant, h "invariant i: a == 0\ninvariant i: a < 4\nprocess w { skip }", ("`i` is already declared as an invariant (line 6)", 7, 11, 1));
golden!(let_reuses_shared_name, h "process w { let a = wait m }", ("`a` is already declared as a shared variable (line 3)", 6, 17, 1));
golden!(variable_used_as_mutex, h "process w { wait a }", ("`a` is a variable, not a mutex", 6, 18, 1));
golden!(mutex_used_as_value, h "process w { a = m }", ("`m` is a mutex, not a variable", 6, 17, 1));
golden!(unknown_function, h "process w { assert locked(m) }", ("unknown function `locked`", 6, 20, 6));
golden!(
    owned_by_unknown_process,
    "model t\nmutex m owned_by nobody\nprocess w { skip }",
    ("unknown process `nobody`", 2, 18, 6)
);
golden!(
    owned_by_missing_instance,
    "model t\nmutex m owned_by w\nprocess w[2] { skip }",
    ("process `w` has 2 instances; say which one owns the mutex", 2, 18, 1)
);
golden!(
    owned_by_instance_out_of_range,
    "model t\nmutex m owned_by w[2]\nprocess w[2] { skip }",
    ("process `w` has instances 0..1, not 2", 2, 20, 1)
);
golden!(
    owned_by_missing_thread,
    "model t\nmutex m owned_by w\nprocess w {\n    thread a { skip }\n    thread b { skip }\n}",
    ("process `w` has 2 threads; say which one owns the mutex", 2, 9, 10)
);
golden!(property_reads_local, h "protect m: round == 0\nprocess w {\n    var round: 0..1 = 0\n}", ("a property cannot read `round`, a variable of process `w`", 6, 12, 5));
golden!(property_uses_owns, h "invariant mine: owns(m)\nprocess w { skip }", ("`owns(m)` has no meaning in a property", 6, 17, 6));
golden!(property_uses_self, h "at end: self == 0\nprocess w { skip }", ("`self` has no meaning in a property", 6, 9, 4));
golden!(compare_result_with_number, h "process w {\n    let r = wait m\n    if r == 1 { release m }\n}", ("cannot compare a result with a number", 8, 8, 6));
golden!(assign_bool_to_int, h "process w { a = true }", ("`a` holds a number, but this value is a boolean", 6, 17, 4));
golden!(arithmetic_on_bool, h "process w { a = a + f }", ("`+` needs a number on both sides, but one side is a boolean", 6, 17, 5));
golden!(condition_not_bool, h "process w { while a { skip } }", ("a `while` condition must be a boolean, but this is a number", 6, 19, 1));
golden!(index_of_non_array, h "process w { a = a[0] }", ("`a` is not an array", 6, 17, 1));
golden!(array_without_index, h "process w { arr = 1 }", ("`arr` is an array; assign one element", 6, 13, 3));
golden!(array_read_without_index, h "process w { a = arr }", ("`arr` is an array; read one element", 6, 17, 3));
golden!(index_not_number, h "process w { a = arr[f] }", ("an array index must be a number, but this is a boolean", 6, 21, 1));
golden!(let_into_int_variable, h "process w {\n    var n: 0..1 = 0\n    let n = wait m\n}", ("`n` holds a number, but `let` needs a result variable", 8, 9, 1));
golden!(result_into_int_place, h "process w { a = wait m }", ("`a` holds a number, but `wait` returns a result", 6, 13, 1));
golden!(negate_bool, h "process w { f = -f }", ("`-` needs a number, but this is a boolean", 6, 17, 2));
golden!(not_of_number, h "process w { f = !a }", ("`!` needs a boolean, but this is a number", 6, 17, 2));
golden!(
    initial_value_out_of_range,
    "model t\nshared a: 0..4 = 5\nprocess w { skip }",
    ("the initial value 5 of `a` is outside its range 0..4", 2, 18, 1)
);
golden!(
    initial_value_wrong_type,
    "model t\nshared a: 0..4 = true\nprocess w { skip }",
    ("`a` holds a number, but its initial value is a boolean", 2, 18, 4)
);
golden!(
    initial_value_not_constant,
    // `1 + 1` is a constant expression since constants came (issue #20); a comparison is not.
    "model t\nshared a: 0..4 = 1 < 2\nprocess w { skip }",
    ("an initial value must be a constant", 2, 18, 5)
);
golden!(variable_without_bounds, "model t\nshared x = 0\nprocess w { skip }", ("variable `x` has no bounds", 2, 8, 1));
golden!(
    int_type_without_bounds,
    "model t\nshared x: int = 0\nprocess w { skip }",
    ("an integer variable needs bounds", 2, 11, 3)
);
golden!(empty_range, "model t\nshared x: 3..1 = 2\nprocess w { skip }", ("the range 3..1 is empty", 2, 11, 4));
golden!(
    array_length_zero,
    "model t\nshared x: [0..1; 0] = 0\nprocess w { skip }",
    ("an array has 1 to 1024 elements", 2, 18, 1)
);
golden!(unknown_semantics, "model t\nsemantics linux\nprocess w { skip }", ("unknown semantics `linux`", 2, 11, 5));
// POSIX (issue #11): a model's operations, results and mutex attributes are of one flavor.
golden!(
    semantics_after_a_process,
    "model t\nprocess w { skip }\nsemantics posix",
    ("`semantics` must come before the first process", 3, 1, 15)
);
golden!(
    posix_operation_in_a_win32_model,
    h "process w { lock m }",
    ("`lock` is a POSIX mutex operation, but this model uses Win32 semantics", 6, 13, 4)
);
golden!(
    posix_let_in_a_win32_model,
    h "process w { let r = trylock m }",
    ("`trylock` is a POSIX mutex operation, but this model uses Win32 semantics", 6, 21, 7)
);
golden!(
    win32_operation_in_a_posix_model,
    "model t\nsemantics posix\nmutex m\nprocess w { wait m }",
    ("`wait` is a Win32 operation, but this model uses POSIX semantics", 4, 18, 1)
);
golden!(
    win32_result_in_a_posix_model,
    "model t\nsemantics posix\nmutex m\nprocess w { let r = lock m\n assert r != ABANDONED }",
    ("`ABANDONED` is a Win32 result, but this model uses POSIX semantics", 5, 14, 9)
);
golden!(
    posix_result_in_a_win32_model,
    h "process w { let r = wait m\n assert r != OWNERDEAD }",
    ("unknown name `OWNERDEAD`", 7, 14, 9)
);
golden!(
    abandoned_query_in_a_posix_model,
    "model t\nsemantics posix\nmutex m\nprocess w { assert !abandoned(m) }",
    ("`abandoned(m)` is a Win32 query, but this model uses POSIX semantics", 4, 21, 11)
);
golden!(
    mutex_attributes_in_a_win32_model,
    "model t\nmutex m: recursive robust\nprocess w { skip }",
    ("mutex attributes are POSIX attributes, but this model uses Win32 semantics", 2, 10, 16)
);
golden!(
    unknown_mutex_attribute,
    "model t\nsemantics posix\nmutex m: sturdy\nprocess w { skip }",
    ("unknown mutex attribute `sturdy`", 3, 10, 6)
);
golden!(
    two_mutex_types,
    "model t\nsemantics posix\nmutex m: normal recursive\nprocess w { skip }",
    ("a mutex has one type, but `recursive` follows `normal`", 3, 17, 9)
);
golden!(
    robust_twice,
    "model t\nsemantics posix\nmutex m: robust robust\nprocess w { skip }",
    ("`robust` is given twice (first on line 3)", 3, 17, 6)
);
golden!(
    posix_mutex_with_an_initial_owner,
    "model t\nsemantics posix\nmutex m owned_by w\nprocess w { skip }",
    ("a POSIX mutex starts unlocked", 3, 9, 10)
);
golden!(
    crash_budget_negative,
    "model t\ncrashes -1\nprocess w { skip }",
    ("the crash budget must be between 0 and 1000", 2, 9, 2)
);
golden!(zero_instances, "model t\nprocess w[0] { skip }", ("a process has 1 to 1000 instances", 2, 11, 1));
golden!(nested_atomic, h "process w { atomic { atomic { skip } } }", ("`atomic` blocks cannot be nested", 6, 22, 6));
golden!(no_process, "model t\nmutex m", ("the model has no process", 1, 7, 1));
golden!(model_named_twice, "model t\nmodel u\nprocess w { skip }", ("the model is named twice", 2, 1, 7));
