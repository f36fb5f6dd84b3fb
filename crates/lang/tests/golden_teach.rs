//! Golden tests of the diagnostics that teach: a misspelt keyword, result or semantics gets
//! a "did you mean", a C habit gets the model language's way to write it, and name errors
//! are reported with syntax errors without a cascade.
//!
//! Snippets marked `h` are placed after the five-line header of `common::with_header`
//! (`model t`, `mutex m`, `shared a: 0..4`, `shared f: bool`, `shared arr: [0..3; 4]`), so
//! their first line is line 6.

#[macro_use]
mod common;
use common::{errors, with_header};
use mutexcheck_lang::compile;

fn check(src: &str, want: &[(&str, u32, u32, u32, &str)]) {
    let got: Vec<(String, u32, u32, u32, String)> =
        errors(src).into_iter().map(|d| (d.message, d.line, d.col, d.len, d.help.unwrap_or_default())).collect();
    let want: Vec<(String, u32, u32, u32, String)> =
        want.iter().map(|(m, l, c, n, h)| (m.to_string(), *l, *c, *n, h.to_string())).collect();
    assert_eq!(got, want, "source:\n{src}");
}

const POSIX: &str = "model t\nsemantics posix\nmutex m: robust\n";

// Misspelt statement keywords: one error each, at the word, and nothing for what follows.

golden!(
    misspelt_wait_is_one_error_with_did_you_mean,
    h "process w {\n    wiat m\n    release m\n}",
    ("unknown statement `wiat`", 7, 5, 4, "did you mean `wait`?")
);
golden!(
    misspelt_release,
    h "process w {\n    wait m\n    relase m\n}",
    ("unknown statement `relase`", 8, 5, 6, "did you mean `release`?")
);
golden!(
    misspelt_while_skips_its_block,
    h "process w {\n    whlie f {\n        a = b\n    }\n}",
    ("unknown statement `whlie`", 7, 5, 5, "did you mean `while`?")
);
golden!(
    misspelt_operation_after_let,
    h "process w {\n    let r = wiat m\n    if r == ABANDONED { skip }\n}",
    ("unknown mutex operation `wiat`", 7, 13, 4, "did you mean `wait`?")
);
golden!(
    posix_words_are_suggested_in_a_posix_model,
    &format!("{POSIX}process w {{\n    lokc m\n    unlcok m\n}}"),
    ("unknown statement `lokc`", 5, 5, 4, "did you mean `lock`?"),
    ("unknown statement `unlcok`", 6, 5, 6, "did you mean `unlock`?")
);
golden!(
    posix_words_are_not_suggested_in_a_win32_model,
    h "process w {\n    lokc m\n}",
    ("expected `=` (an assignment), found `m`", 7, 10, 1, "")
);

// Misspelt declaration keywords: a "did you mean", not "statements belong inside a process".

golden!(
    misspelt_process,
    h "proccess w {\n    wait m\n    release m\n}",
    ("expected a declaration, found `proccess`", 6, 1, 8, "did you mean `process`?")
);
golden!(
    misspelt_shared_hides_the_uses_of_its_variable,
    h "shraed b: 0..3 = 0\nprocess w { b = 1 }",
    ("expected a declaration, found `shraed`", 6, 1, 6, "did you mean `shared`?")
);
golden!(
    misspelt_mutex_hides_the_uses_of_its_mutex,
    h "mutx n\nprocess w {\n    wait n\n    release n\n}",
    ("expected a declaration, found `mutx`", 6, 1, 4, "did you mean `mutex`?")
);
golden!(
    misspelt_proc_hides_its_calls,
    h "porc p() { skip }\nprocess w { p() }",
    ("expected a declaration, found `porc`", 6, 1, 4, "did you mean `proc`?")
);
golden!(
    misspelt_const_hides_its_uses,
    "model t\ncosnt N = 2\nprocess w[N] { skip }",
    ("expected a declaration, found `cosnt`", 2, 1, 5, "did you mean `const`?")
);
golden!(
    a_statement_at_top_level_still_says_where_statements_go,
    h "a = 1",
    ("expected a declaration, found `a`", 6, 1, 1, "statements belong inside a `process` block")
);

golden!(
    misspelt_model_line_is_one_error,
    "modle t\nmutex m\nprocess w { wait m\nrelease m }",
    ("expected a declaration, found `modle`", 1, 1, 5, "did you mean `model`?")
);
golden!(
    c_declarations,
    "model t\nint n = 0\nHANDLE m\nprocess w {\n    int i = 0\n}",
    (
        "expected a declaration, found `int`",
        2,
        1,
        3,
        "a shared variable is declared as `shared NAME: LO..HI = INIT` (or `: bool`)"
    ),
    ("expected a declaration, found `HANDLE`", 3, 1, 6, "a mutex is declared as `mutex NAME`"),
    (
        "a variable is declared with `var`",
        5,
        5,
        3,
        "`var NAME: LO..HI = INIT` (or `var NAME: bool = false`) at the top of a process, thread or procedure body"
    )
);

golden!(
    statements_after_a_brace_too_many_are_one_error,
    h "process w {\n    wait m\n}\n    a = 1\n    release m\n}\nprocess v { a = zz }",
    ("expected a declaration, found `a`", 9, 5, 1, "statements belong inside a `process` block"),
    ("unknown name `zz`", 12, 17, 2, "")
);
golden!(
    posix_operations_in_a_win32_model_are_one_error,
    h "process w {\n    lock m\n    let r = trylock m\n    unlock m\n}",
    (
        "`lock` is a POSIX mutex operation, but this model uses Win32 semantics",
        7,
        5,
        4,
        "add `semantics posix` at the top of the model for POSIX mutexes, or use `wait`, `try` and `release`"
    )
);

// Semantics.

golden!(
    misspelt_semantics_keyword_still_sets_the_semantics,
    "model t\nsemntics posix\nmutex m: robust\nprocess w {\n    let r = lock m\n    if r == OWNERDEAD { consistent m }\n    unlock m\n}",
    ("expected a declaration, found `semntics`", 2, 1, 8, "did you mean `semantics`?")
);

golden!(
    misspelt_semantics_is_reported_at_the_word_and_read_as_the_closest,
    "model t\nsemantics posx\nmutex m: robust\nprocess w {\n    let r = lock m\n    if r == OWNERDEAD { consistent m }\n    unlock m\n}",
    ("unknown semantics `posx`", 2, 11, 4, "did you mean `posix`?")
);
golden!(
    unknown_semantics_lists_the_two,
    "model t\nsemantics linux\nprocess w { skip }",
    ("unknown semantics `linux`", 2, 11, 5, "the semantics are `win32` (the default) and `posix`")
);

// Result names.

golden!(
    win32_results_under_their_c_names,
    h "process w {\n    let r = wait m timeout\n    if r == WAIT_ABANDONED { skip }\n    if r == WAIT_TIMEOUT { skip }\n}",
    ("unknown name `WAIT_ABANDONED`", 8, 13, 14, "did you mean `ABANDONED`? Results are named without C's prefix"),
    ("unknown name `WAIT_TIMEOUT`", 9, 13, 12, "did you mean `TIMEOUT`? Results are named without C's prefix")
);
golden!(
    posix_results_under_their_c_names,
    &format!("{POSIX}process w {{\n    let r = trylock m\n    if r == EOWNERDEAD {{ consistent m }}\n    if r == EBUSY {{ skip }}\n    if r == ENOTRECOVERABLE || r == ETIMEDOUT {{ skip }}\n}}"),
    ("unknown name `EOWNERDEAD`", 6, 13, 10, "did you mean `OWNERDEAD`? Results are named without C's prefix"),
    ("unknown name `EBUSY`", 7, 13, 5, "did you mean `BUSY`? Results are named without C's prefix"),
    ("unknown name `ENOTRECOVERABLE`", 8, 13, 15, "did you mean `NOTRECOVERABLE`? Results are named without C's prefix"),
    ("unknown name `ETIMEDOUT`", 8, 37, 9, "did you mean `TIMEDOUT`? Results are named without C's prefix")
);
golden!(
    a_posix_c_result_in_a_win32_model_names_the_win32_one,
    h "process w {\n    let r = wait m\n    if r == EOWNERDEAD { skip }\n}",
    ("unknown name `EOWNERDEAD`", 8, 13, 10, "`EOWNERDEAD` is a POSIX result; in this Win32 model write `ABANDONED`")
);
golden!(
    a_win32_c_result_in_a_posix_model_names_the_posix_one,
    &format!("{POSIX}process w {{\n    let r = lock m\n    if r == WAIT_ABANDONED {{ consistent m }}\n}}"),
    (
        "unknown name `WAIT_ABANDONED`",
        6,
        13,
        14,
        "`WAIT_ABANDONED` is a Win32 result; in this POSIX model write `OWNERDEAD`"
    )
);
golden!(
    a_win32_result_in_a_posix_model_names_the_posix_one,
    &format!("{POSIX}process w {{\n    let r = lock m\n    if r == ABANDONED {{ consistent m }}\n}}"),
    (
        "`ABANDONED` is a Win32 result, but this model uses POSIX semantics",
        6,
        13,
        9,
        "in POSIX semantics this is `OWNERDEAD`; the POSIX results are OK, OWNERDEAD, NOTRECOVERABLE, DEADLK, BUSY, TIMEDOUT, PERM, INVAL, AGAIN"
    )
);
golden!(
    misspelt_result,
    h "process w {\n    let r = wait m\n    if r == ABANDONDE { skip }\n}",
    ("unknown name `ABANDONDE`", 8, 13, 9, "did you mean `ABANDONED`?")
);

// C habits.

const FOR_HELP: &str =
    "count with a variable: `var i: 0..N = 0` at the top of the body, then `while i < N { ...; i = i + 1 }`";

golden!(
    c_for_loop,
    h "process w {\n    for (i = 0; i < 3; i++) { skip }\n    for i in 0..3 { skip }\n}",
    ("there is no `for` loop: write a `while` loop", 7, 5, 3, FOR_HELP),
    ("there is no `for` loop: write a `while` loop", 8, 5, 3, FOR_HELP)
);
golden!(
    c_elif,
    h "process w {\n    if f { skip } elif a == 1 { skip }\n}",
    ("write `else if`, not `elif`", 7, 19, 4, "`if A { ... } else if B { ... } else { ... }`")
);
golden!(
    c_break_and_continue,
    h "process w {\n    while true {\n        break\n    }\n    while true { continue }\n}",
    (
        "there is no `break`: a `while` loop ends when its condition is false",
        8,
        9,
        5,
        "set a flag the loop tests (`while running { ... running = false }`), or end the thread with `exit`"
    ),
    (
        "there is no `continue`: the rest of a loop's body always runs",
        10,
        18,
        8,
        "put the rest of the body in an `if`, or set a flag the loop tests"
    )
);

#[test]
fn a_procedure_named_like_a_c_word_is_still_called() {
    let src = "model t\nmutex m\nproc char(n: mutex) {\n    wait n\n    release n\n}\nprocess w { char(m) }\n";
    assert!(compile("t.mc", src.as_bytes()).is_ok());
}

const WRITTEN_OUT: &str = "every assignment is written out: `NAME = EXPR`";

golden!(
    c_increment_and_decrement,
    h "process w {\n    a++\n    arr[1]--\n}",
    ("`++` is not in the model language: write `a = a + 1`", 7, 6, 2, WRITTEN_OUT),
    ("`--` is not in the model language: write `arr[1] = arr[1] - 1`", 8, 11, 2, WRITTEN_OUT)
);
golden!(
    c_compound_assignments,
    h "process w {\n    a += 2\n    a -= a + 1\n    a *= 2\n}",
    ("`+=` is not in the model language: write `a = a + 2`", 7, 7, 2, WRITTEN_OUT),
    ("`-=` is not in the model language: write `a = a - (a + 1)`", 8, 7, 2, WRITTEN_OUT),
    ("`*=` is not in the model language: write `a = a * 2`", 9, 7, 2, WRITTEN_OUT)
);
golden!(
    c_compound_assignment_is_checked_as_the_assignment_it_means,
    h "process w {\n    b += 1\n    f += 1\n}",
    ("unknown name `b`", 7, 5, 1, ""),
    ("`+=` is not in the model language: write `b = b + 1`", 7, 7, 2, WRITTEN_OUT),
    ("`+` needs a number on both sides, but one side is a boolean", 8, 5, 6, ""),
    ("`+=` is not in the model language: write `f = f + 1`", 8, 7, 2, WRITTEN_OUT)
);
golden!(
    return_outside_a_procedure_says_what_return_is_for,
    h "process w {\n    return\n}",
    (
        "`return` outside a procedure",
        7,
        5,
        6,
        "`return` ends a procedure (`proc NAME(...) { ... }`); a thread ends with `exit`, or by running off its end"
    )
);

// C mutex calls, in the model's flavor.

golden!(
    win32_c_calls_in_a_win32_model,
    h "process w {\n    WaitForSingleObject(m, INFINITE)\n    ReleaseMutex(m)\n}",
    (
        "`WaitForSingleObject` is a C function; the model writes `wait m`",
        7,
        5,
        19,
        "a mutex operation is a statement, `wait m`, or `let r = wait m` to keep its result"
    ),
    (
        "`ReleaseMutex` is a C function; the model writes `release m`",
        8,
        5,
        12,
        "a mutex operation is a statement, `release m`, or `let r = release m` to keep its result"
    )
);
golden!(
    posix_c_calls_in_a_posix_model,
    &format!("{POSIX}process w {{\n    let r = pthread_mutex_lock(m)\n    pthread_mutex_consistent(m)\n    pthread_mutex_unlock(m)\n}}"),
    (
        "`pthread_mutex_lock` is a C function; the model writes `lock m`",
        5,
        13,
        18,
        "a mutex operation is a statement, `lock m`, or `let r = lock m` to keep its result"
    ),
    (
        "`pthread_mutex_consistent` is a C function; the model writes `consistent m`",
        6,
        5,
        24,
        "a mutex operation is a statement, `consistent m`, or `let r = consistent m` to keep its result"
    ),
    (
        "`pthread_mutex_unlock` is a C function; the model writes `unlock m`",
        7,
        5,
        20,
        "a mutex operation is a statement, `unlock m`, or `let r = unlock m` to keep its result"
    )
);
golden!(
    c_calls_of_the_other_flavor,
    h "process w {\n    pthread_mutex_lock(m)\n    pthread_mutex_consistent(m)\n}",
    (
        "`pthread_mutex_lock` is a C function; this Win32 model writes `wait m`",
        7,
        5,
        18,
        "`lock m` is the POSIX operation, for a model with `semantics posix`"
    ),
    (
        "`pthread_mutex_consistent` is a C function; the model writes `consistent m`, a POSIX operation",
        8,
        5,
        24,
        "this model uses Win32 semantics: add `semantics posix` at the top of the model"
    )
);
golden!(
    win32_c_call_in_a_posix_model,
    &format!("{POSIX}process w {{\n    WaitForSingleObject(m, 100)\n}}"),
    (
        "`WaitForSingleObject` is a C function; this POSIX model writes `lock m`",
        5,
        5,
        19,
        "`wait m` is the Win32 operation, for a model with `semantics win32`"
    )
);

golden!(
    mutex_operations_take_no_parentheses,
    h "process w {\n    let r = wait(m)\n    if r == OK { release(m) }\n}",
    (
        "a mutex operation names its mutex without parentheses: write `wait m`",
        7,
        17,
        3,
        "mutex operations are statements, not calls: `wait m`, `let r = wait m`"
    ),
    (
        "a mutex operation names its mutex without parentheses: write `release m`",
        8,
        25,
        3,
        "mutex operations are statements, not calls: `wait m`, `let r = wait m`"
    )
);

// Timeouts and conditions.

golden!(
    timeout_takes_no_value_and_the_wait_is_kept,
    h "process w {\n    let r = wait m timeout 100\n    if r == TIMEOUT { skip }\n}",
    (
        "`timeout` takes no value: every timeout is explored",
        7,
        28,
        3,
        "write `wait m timeout`: the checker tries both outcomes, the mutex taken and the timeout"
    )
);
golden!(
    timedlock_takes_no_value,
    &format!("{POSIX}process w {{\n    let r = timedlock m 50\n    if r == OK {{ unlock m }}\n}}"),
    (
        "`timedlock` takes no value: every timeout is explored",
        5,
        25,
        2,
        "write `timedlock m`: the checker tries both outcomes, the mutex taken and the timeout"
    )
);
golden!(
    c_address_of_a_mutex,
    &format!("{POSIX}process w {{\n    pthread_mutex_lock(&m)\n}}"),
    (
        "`pthread_mutex_lock` is a C function; the model writes `lock m`",
        5,
        5,
        18,
        "a mutex operation is a statement, `lock m`, or `let r = lock m` to keep its result"
    ),
    (
        "unexpected character `&`",
        5,
        24,
        1,
        "a mutex is named without `&`; \"and\" is `&&`, \"or\" is `||` (`&` alone means nothing)"
    )
);

const COMPARE: &str = "a condition compares: `if x == 1 { ... }`";

golden!(
    assignment_in_a_condition,
    h "process w {\n    if a = 1 { skip } else if a = 2 { skip }\n    while f = true { skip }\n    assert a = c\n}",
    ("`=` assigns; to compare write `==`", 7, 10, 1, COMPARE),
    ("`=` assigns; to compare write `==`", 7, 33, 1, COMPARE),
    ("`=` assigns; to compare write `==`", 8, 13, 1, COMPARE),
    ("`=` assigns; to compare write `==`", 9, 14, 1, COMPARE),
    ("unknown name `c`", 9, 16, 1, "")
);

// Syntax and name errors in one run, in source order, without a cascade.

golden!(
    a_syntax_error_and_a_name_error_in_two_processes,
    h "process w {\n    wait m\n    relase m\n}\nprocess v {\n    wait q\n    release m\n}",
    ("unknown statement `relase`", 8, 5, 6, "did you mean `release`?"),
    ("unknown mutex `q`", 11, 10, 1, "declare it at the top level: `mutex q`")
);
golden!(
    a_name_error_before_a_syntax_error_comes_first,
    h "process v { a = b }\nprocess w {\n    a = )\n}",
    ("unknown name `b`", 6, 17, 1, ""),
    ("expected an expression, found `)`", 8, 9, 1, "")
);
golden!(
    a_name_error_in_a_procedure_with_a_syntax_error_in_a_thread,
    h "proc p(n: mutex) {\n    wait n\n    relese n\n    a = zz\n}\nprocess w {\n    thread t may_die { p(m) }\n    thread u { a += 1 }\n}",
    ("unknown statement `relese`", 8, 5, 6, "did you mean `release`?"),
    ("unknown name `zz`", 9, 9, 2, ""),
    ("`+=` is not in the model language: write `a = a + 1`", 13, 18, 2, WRITTEN_OUT)
);
golden!(
    a_failed_let_hides_its_result_variable,
    h "process w {\n    let r = wait\n    if r == OK { release m }\n}",
    ("expected a mutex name, found the end of the line", 7, 17, 0, "")
);
golden!(
    a_model_whose_only_process_is_broken_is_not_said_to_have_none,
    "model t\nmutex m\nproccess w { wait m }",
    ("expected a declaration, found `proccess`", 3, 1, 8, "did you mean `process`?")
);
golden!(
    recovery_works_with_arrays_consts_enums_alive_and_allow,
    "model t\nsemantics posix\nconst N = 2\nenum Phase { idle, busy }\nmutex locks[N]: robust\nshared ph: Phase = idle\nallow not_recoverable\nprocess w[N] {\n    lock locks[self]\n    ph = bsy\n    whiel alive(w[0]) { skip }\n    unlock locks[self]\n}",
    ("unknown name `bsy`", 10, 10, 3, "did you mean `busy`?"),
    ("unknown statement `whiel`", 11, 5, 5, "did you mean `while`?")
);

golden!(
    after_a_syntax_error_an_unknown_name_is_reported_once,
    "model t\nmutex\nprocess w {\n    wait m\n    release m\n}",
    ("expected a mutex name, found the end of the line", 2, 6, 0, ""),
    ("unknown mutex `m`", 4, 10, 1, "declare it at the top level: `mutex m`")
);

// A byte-order mark.

#[test]
fn a_byte_order_mark_is_skipped() {
    let src = "\u{feff}model t\nmutex m\nprocess w {\n    wait m\n    release m\n}\n";
    assert!(compile("t.mc", src.as_bytes()).is_ok());
}

#[test]
fn positions_after_a_byte_order_mark_are_counted_as_an_editor_shows_them() {
    let src = "\u{feff}modle t\nprocess w { skip }\n";
    let d = errors(src);
    let got: Vec<(&str, u32, u32)> = d.iter().map(|d| (d.message.as_str(), d.line, d.col)).collect();
    assert_eq!(got, [("expected a declaration, found `modle`", 1, 1)]);
    let shown = mutexcheck_lang::Diagnostics { items: d }.render("t.mc", src.as_bytes());
    assert!(shown.contains("1 | modle t\n  | ^^^^^ expected `mutex`"), "{shown}");
    assert!(shown.contains("= help: did you mean `model`?"), "{shown}");
}
