//! The rendered form of diagnostics, several errors in one run, and the short Display form.

use mutexcheck_lang::compile;

const TWO_ERRORS: &str =
    "model t\nmutex m\nprocess w {\n    let r = wait m\n    if r == 1 {\n        release n\n    }\n}\n";

#[test]
fn render_shows_message_position_source_line_carets_label_help_and_count() {
    let err = compile("models/t.mc", TWO_ERRORS.as_bytes()).unwrap_err();
    let want = "\
error: cannot compare a result with a number
 --> models/t.mc:5:8
  |
5 |     if r == 1 {
  |        ^^^^^^ a result `==` a number
  = help: a result is one of OK, ABANDONED, TIMEOUT, NOT_OWNER

error: unknown mutex `n`
 --> models/t.mc:6:17
  |
6 |         release n
  |                 ^ not declared
  = help: declare it at the top level: `mutex n`

error: could not compile `models/t.mc`: 2 errors
";
    assert_eq!(err.render("models/t.mc", TWO_ERRORS.as_bytes()), want);
}

#[test]
fn display_is_one_line_per_error_without_path() {
    let err = compile("x.mc", TWO_ERRORS.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "5:8: cannot compare a result with a number\n6:17: unknown mutex `n`");
}

#[test]
fn gutter_widens_for_two_digit_lines_and_a_point_gets_one_caret() {
    let src = format!("model t\n{}process w {{\n    skip\n", "\n".repeat(8));
    let err = compile("t.mc", src.as_bytes()).unwrap_err();
    let want = "\
error: this process is never closed
  --> t.mc:10:11
   |
10 | process w {
   |           ^ `{` without a matching `}`
   = help: add a `}` at the end of the block

error: could not compile `t.mc`: 1 error
";
    assert_eq!(err.render("t.mc", src.as_bytes()), want);
}

#[test]
fn tabs_in_the_source_line_keep_the_carets_aligned() {
    let src = "model t\nprocess w {\n\tx = 1\n}\n";
    let out = compile("t.mc", src.as_bytes()).unwrap_err().render("t.mc", src.as_bytes());
    assert!(out.contains("3 | \tx = 1\n  | \t^ not declared\n"), "{out}");
}

#[test]
fn columns_count_characters_not_bytes() {
    let src = "model t\n// überprüft\nprocess w { /* ä */ x = 1 }\n";
    let err = compile("t.mc", src.as_bytes()).unwrap_err();
    assert_eq!((err.items[0].line, err.items[0].col, err.items[0].len), (3, 21, 1));
}

#[test]
fn independent_errors_are_all_reported_in_source_order() {
    let src = "model t\nmutex m\nmutex m\nshared a: 0..4 = 7\nshared x = 3\n\
               protect q: a == 0\nprocess w {\n    var round: 0..2 = 0\n    let r = wait m\n\
               if r == 1 { skip }\n    release n\n    a = true\n    wait a\n}\n";
    let err = compile("t.mc", src.as_bytes()).unwrap_err();
    let lines: Vec<(u32, &str)> = err.items.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(
        lines,
        vec![
            (3, "`m` is already declared as a mutex (line 2)"),
            (4, "the initial value 7 of `a` is outside its range 0..4"),
            (5, "variable `x` has no bounds"),
            (6, "unknown mutex `q`"),
            (10, "cannot compare a result with a number"),
            (11, "unknown mutex `n`"),
            (12, "`a` holds a number, but this value is a boolean"),
            (13, "`a` is a variable, not a mutex"),
        ]
    );
}

#[test]
fn several_syntax_errors_are_reported_after_recovery() {
    let src =
        "model t\nshared a: 0..4 = 0\nprocess w {\n    a = a +\n    if a < 1 < 2 { skip }\n    a == 1\n    skip\n}\n";
    let err = compile("t.mc", src.as_bytes()).unwrap_err();
    let lines: Vec<(u32, u32, &str)> = err.items.iter().map(|d| (d.line, d.col, d.message.as_str())).collect();
    assert_eq!(
        lines,
        vec![
            (4, 12, "expected an expression, found the end of the line"),
            (5, 14, "comparisons cannot be chained"),
            (6, 7, "a comparison is not a statement"),
        ]
    );
}

#[test]
fn render_never_panics_on_positions_outside_the_source() {
    use mutexcheck_lang::{Diagnostic, Diagnostics};
    let d = |line, col, len| Diagnostic { message: "m".into(), line, col, len, label: String::new(), help: None };
    let all = Diagnostics { items: vec![d(0, 0, 0), d(99, 5, 3), d(1, 500, 7), d(1, 1, u32::MAX)] };
    let out = all.render("x.mc", b"abc");
    assert!(out.contains("1 | abc\n  | ^^^\n"), "{out}");
    assert!(out.ends_with("error: could not compile `x.mc`: 4 errors\n"));
}

#[test]
fn misspelt_names_get_a_did_you_mean_hint() {
    let src = "model t\nmutex lock\nshared count_a: 0..4 = 0\nprocess w {\n    var round: 0..2 = 0\n    rnd = 1\n    count_b = 2\n    wait lokc\n    release other\n    zz = 1\n}\n";
    let err = compile("t.mc", src.as_bytes()).unwrap_err();
    let got: Vec<(&str, Option<&str>)> = err.items.iter().map(|d| (d.message.as_str(), d.help.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            ("unknown name `rnd`", None),
            ("unknown name `count_b`", Some("did you mean `count_a`?")),
            ("unknown mutex `lokc`", Some("did you mean `lock`?")),
            ("unknown mutex `other`", Some("declare it at the top level: `mutex other`")),
            ("unknown name `zz`", None),
        ]
    );
}

#[test]
fn crlf_line_endings_compile_and_render_like_lf() {
    let src = "model t\r\nmutex m\r\nprocess w {\r\n    release n\r\n}\r\n";
    let err = compile("t.mc", src.as_bytes()).unwrap_err();
    let out = err.render("t.mc", src.as_bytes());
    assert!(out.contains(" --> t.mc:4:13\n  |\n4 |     release n\n  |             ^ not declared\n"), "{out}");
    let ok = src.replace("release n", "release m");
    let model = compile("t.mc", ok.as_bytes()).expect("CRLF is fine");
    assert_eq!(model.processes[0].threads[0].code[0].text, "release m");
    assert_eq!(model.processes[0].threads[0].code[0].span.len, 9);
}
