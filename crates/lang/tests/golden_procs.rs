//! Golden tests of procedures: one per misuse, with its exact message and position.
//!
//! Snippets marked `h` are placed after the five-line header of `common::with_header`
//! (`model t`, `mutex m`, `shared a: 0..4`, `shared f: bool`, `shared arr: [0..3; 4]`), so
//! their first line is line 6.

mod common;
use common::{errors, with_header};

macro_rules! golden {
    ($name:ident, h $src:expr, $($d:expr),+) => {
        #[test]
        fn $name() {
            check(&with_header($src), &[$($d),+]);
        }
    };
}

fn check(src: &str, want: &[(&str, u32, u32, u32)]) {
    common::assert_errors(src, want)
}

/// The help line of the only error of `src` (after the header).
fn help(src: &str) -> String {
    let e = errors(&with_header(src));
    assert_eq!(e.len(), 1, "{e:?}");
    e[0].help.clone().unwrap_or_default()
}

golden!(unknown_procedure, h "process w { nope(m) }", ("unknown procedure `nope`", 6, 13, 4));
golden!(
    misspelt_procedure_gets_a_hint,
    h "proc acquire() { skip }\nprocess w { aquire() }",
    ("unknown procedure `aquire`", 7, 13, 6)
);
golden!(
    too_many_arguments,
    h "proc p(x: 0..3) { skip }\nprocess w { p(1, 2) }",
    ("`p` takes 1 argument, but 2 are given", 7, 13, 7)
);
golden!(
    too_few_arguments,
    h "proc p(n: mutex, x: 0..3) { skip }\nprocess w { p(m) }",
    ("`p` takes 2 arguments, but 1 is given", 7, 13, 4)
);
golden!(
    mutex_where_a_value_is_expected,
    h "proc p(x: 0..3) { skip }\nprocess w { p(m) }",
    ("`x` (argument 1 of `p`) is a number, but `m` is a mutex", 7, 15, 1)
);
golden!(
    value_where_a_mutex_is_expected,
    h "proc p(x: mutex) { wait x }\nprocess w { p(1) }",
    ("`x` (argument 1 of `p`) is a mutex, but this is a number", 7, 15, 1)
);
golden!(
    argument_of_the_wrong_value_type,
    h "proc p(x: 0..3) { skip }\nprocess w { p(true) }",
    ("`x` (argument 1 of `p`) is a number, but this is a boolean", 7, 15, 4)
);
golden!(
    unknown_mutex_argument,
    h "proc p(x: mutex) { wait x }\nprocess w { p(n) }",
    ("unknown mutex `n`", 7, 15, 1)
);
golden!(
    argument_reads_a_shared_variable,
    h "proc p(x: 0..3) { skip }\nprocess w { p(a) }",
    ("an argument cannot read the shared variable `a`", 7, 15, 1)
);
golden!(
    argument_reads_process_memory,
    h "proc p(x: 0..3) { skip }\nprocess w {\n    var mem: 0..3 = 0\n    thread t { p(mem + 1) }\n}",
    ("an argument cannot read the process variable `mem`", 9, 18, 3)
);
golden!(
    argument_queries_a_mutex,
    h "proc p(x: bool) { skip }\nprocess w { p(held(m)) }",
    ("an argument cannot read the state of mutex `m`", 7, 15, 7)
);
golden!(
    argument_may_be_out_of_the_parameters_range,
    h "proc p(x: 0..1) { skip }\nprocess w[3] { p(self) }",
    ("`x` (argument 1 of `p`) is in 0..1, but it can be 0..2", 7, 18, 4)
);
golden!(
    argument_range_is_worked_out_from_the_locals_it_reads,
    h "proc p(x: 0..3) { skip }\nprocess w {\n    var i: 0..3 = 0\n    p(i + 1)\n}",
    ("`x` (argument 1 of `p`) is in 0..3, but it can be 1..4", 9, 7, 5)
);
golden!(
    value_used_from_a_procedure_without_return_type,
    h "proc p() { skip }\nprocess w { let r = p() }",
    ("`p` returns no value", 7, 21, 1)
);
golden!(
    plain_return_in_a_procedure_with_a_value,
    h "proc p(): result { return }\nprocess w { let r = p() }",
    ("missing return value: `p` returns a result", 6, 20, 6)
);
golden!(
    procedure_may_end_without_a_value,
    h "proc p(): result {\n    let r = wait m\n    if r == OK { return r }\n}\nprocess w { let r = p() }",
    ("`p` may reach its end without returning a value", 6, 6, 1)
);
golden!(
    return_with_a_value_in_a_procedure_without_one,
    h "proc p() { return 1 }\nprocess w { p() }",
    ("`p` returns no value, but this `return` gives one", 6, 19, 1)
);
golden!(
    return_value_of_the_wrong_type,
    h "proc p(): 0..3 { return OK }\nprocess w { p() }",
    ("the value `p` returns must be a number, but this is a result", 6, 25, 2)
);
golden!(
    returned_value_stored_into_a_variable_of_another_type,
    h "proc p(): 0..3 { return 1 }\nprocess w {\n    var x: bool = false\n    x = p()\n}",
    ("`x` holds a boolean, but `p` returns a number", 9, 9, 3)
);
golden!(
    let_of_a_value_into_a_local_of_another_range,
    h "proc p(): 0..3 { return 1 }\nprocess w {\n    var x: 0..1 = 0\n    let x = p()\n}",
    ("`x` holds 0..1, but `let` needs a variable of type 0..3", 9, 9, 1)
);
golden!(
    direct_recursion_names_the_call_and_the_procedure,
    h "proc p() {\n    p()\n}\nprocess w { p() }",
    ("`p` calls itself: procedures cannot be recursive (`p` is declared at line 6)", 7, 5, 3)
);
golden!(
    mutual_recursion_names_the_call_and_the_procedure,
    h "proc p() { q() }\nproc q() { skip; p() }\nprocess w { p() }",
    ("recursive call: `p` calls `q`, which calls `p` again (`p` is declared at line 6); procedures cannot be recursive", 7, 18, 3)
);
golden!(
    recursion_through_three_procedures,
    h "proc p() { q() }\nproc q() { r() }\nproc r() { p() }\nprocess w { skip }",
    ("recursive call: `p` calls `q`, which calls `r`, which calls `p` again (`p` is declared at line 6); procedures cannot be recursive", 8, 12, 3)
);
golden!(
    let_of_an_expression_that_is_not_a_call,
    h "process w { let r = a + 1 }",
    ("`let` stores the result of `wait`, `try`, `release` or of a procedure call", 6, 21, 5)
);
golden!(
    procedure_named_progress_is_called_not_marked,
    h "proc progress() { a = 1 }\nprocess w { progress() }\nprocess v { progress(1) }",
    ("`progress` takes 0 arguments, but 1 is given", 8, 13, 11)
);
golden!(
    semantics_after_a_procedure,
    h "proc p() { skip }\nsemantics posix\nprocess w { p() }",
    ("`semantics` must come before the first procedure", 7, 1, 15)
);
golden!(return_outside_a_procedure, h "process w { return }", ("`return` outside a procedure", 6, 13, 6));
golden!(
    return_inside_an_atomic_block,
    h "proc p() { atomic { return } }\nprocess w { p() }",
    ("`return` inside an `atomic` block", 6, 21, 6)
);
golden!(
    duplicate_procedure,
    h "proc p() { skip }\nproc p() { skip }\nprocess w { p() }",
    ("`p` is already declared as a procedure (line 6)", 7, 6, 1)
);
golden!(
    duplicate_parameter,
    h "proc p(x: 0..1, x: 0..1) { skip }\nprocess w { p(0, 0) }",
    ("`x` is already declared as a parameter of this procedure (line 6)", 6, 17, 1)
);
golden!(
    procedure_var_reuses_a_parameter_name,
    h "proc p(x: 0..1) {\n    var x: 0..1 = 0\n}\nprocess w { p(0) }",
    ("`x` is already declared as a parameter or variable of this procedure (line 6)", 7, 9, 1)
);
golden!(
    parameter_reuses_a_shared_name,
    h "proc p(a: 0..1) { skip }\nprocess w { p(0) }",
    ("`a` is already declared as a shared variable (line 3)", 6, 8, 1)
);
golden!(
    let_reuses_a_mutex_parameter_name,
    h "proc p(n: mutex) { let n = wait n }\nprocess w { p(m) }",
    ("`n` is already declared as a parameter (line 6)", 6, 24, 1)
);
golden!(
    parameter_is_read_only,
    h "proc p(x: 0..3) { x = 1 }\nprocess w { p(1) }",
    ("`x` is a parameter: it can be read, not assigned", 6, 19, 1)
);
golden!(
    value_parameter_used_as_a_mutex,
    h "proc p(x: 0..3) { wait x }\nprocess w { p(1) }",
    ("`x` is a parameter holding a value, not a mutex", 6, 24, 1)
);
golden!(
    procedure_cannot_see_the_callers_locals,
    h "proc p() { a = round }\nprocess w {\n    var round: 0..3 = 0\n    p()\n}",
    ("unknown name `round`", 6, 16, 5)
);
golden!(
    call_inside_an_expression,
    h "proc p(): result {\n    let r = wait m\n    return r\n}\nprocess w { if p() == OK { skip } }",
    ("a procedure call cannot be part of an expression", 10, 16, 3)
);
golden!(
    procedure_with_atomic_called_inside_atomic,
    h "proc p() { atomic { skip } }\nprocess w { atomic { p() } }",
    ("`p` runs an `atomic` block (line 6), so it cannot be called inside an `atomic` block", 7, 22, 3)
);
golden!(
    procedure_calling_one_with_atomic_called_inside_atomic,
    h "proc inner() { atomic { skip } }\nproc outer() { inner() }\nprocess w { atomic { outer() } }",
    ("`outer` runs an `atomic` block (line 6), so it cannot be called inside an `atomic` block", 8, 22, 7)
);
golden!(
    call_inside_atomic_in_an_uncalled_procedure,
    h "proc inner() { atomic { skip } }\nproc outer() { atomic { inner() } }\nprocess w { skip }",
    ("`inner` runs an `atomic` block (line 6), so it cannot be called inside an `atomic` block", 7, 25, 7)
);
golden!(
    array_parameter,
    h "proc p(x: [0..1; 2]) { skip }\nprocess w { skip }",
    ("a parameter cannot be an array", 6, 11, 9)
);
golden!(
    procedure_named_like_a_query,
    h "proc held() { skip }\nprocess w { skip }",
    ("`held` is a mutex query, not a procedure name", 6, 6, 4)
);
golden!(
    proc_is_a_reserved_word,
    h "shared proc: 0..1 = 0\nprocess w { skip }",
    ("expected a variable name, found the reserved word `proc`", 6, 8, 4)
);
golden!(
    missing_parenthesis_after_the_procedure_name,
    h "proc p { skip }\nprocess w { skip }",
    ("expected `(` and the parameters, found `{`", 6, 8, 1)
);

#[test]
fn an_error_in_a_procedure_body_is_reported_once_however_often_it_is_called() {
    let src = with_header("proc p() { a = nope }\nprocess w[2] { p(); p() }\nprocess v { p() }");
    let e = errors(&src);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].message.as_str(), e[0].line, e[0].col), ("unknown name `nope`", 6, 16));
}

#[test]
fn an_uncalled_procedure_is_checked_too() {
    let e = errors(&with_header("proc p() { a = f }\nprocess w { skip }"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].message, "`a` holds a number, but this value is a boolean");
}

#[test]
fn help_lines_say_what_to_do() {
    assert_eq!(help("proc acquire() { skip }\nprocess w { aquire() }"), "did you mean `acquire`?");
    assert_eq!(help("process w { nope() }"), "declare it at the top level: `proc nope(...) { ... }`");
    assert!(help("proc p(x: 0..3) { skip }\nprocess w { p(a) }").starts_with("copy it into a local first"));
    assert_eq!(
        help("proc p() { skip }\nprocess w { let r = p() }"),
        "call it as a statement, `p(...)`, or give it a return type: `proc p(...): TYPE`"
    );
    assert_eq!(help("proc p(x: 0..3) { skip }\nprocess w { p(1, 2) }"), "`proc p(x: 0..3)` is declared at line 6");
    assert_eq!(
        help("proc p() { p() }\nprocess w { p() }"),
        "procedures are copied into each call, so a call cannot lead back to itself; use a `while` loop"
    );
}
