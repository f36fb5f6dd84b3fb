//! Hard bounds (issue #15): a hostile model of up to 1 MiB compiles, or fails with a short
//! report, in time and memory linear in its size.
//!
//! No test here is timed (the project allows no timed unit tests). Each input is generated
//! at about the size limit, so that the super-linear work it guards against takes minutes
//! or tens of gigabytes (the old "did you mean" table for the first test was 160 billion
//! cells) and the test hangs or is killed; and each test checks the shape of the report,
//! whose size is bounded. The work spent on hints is also counted exactly by the unit tests
//! in `src/check/mod.rs`.

use mutexcheck_lang::{compile, Diagnostic, MAX_DEPTH, MAX_SOURCE_BYTES};

/// `head`, then `unit(0)`, `unit(1)`, ... as long as the file, `tail` included, stays
/// within the size limit.
fn fill(head: &str, unit: impl Fn(usize) -> String, tail: &str) -> String {
    let mut src = head.to_string();
    for i in 0.. {
        let u = unit(i);
        if src.len() + u.len() + tail.len() > MAX_SOURCE_BYTES {
            break;
        }
        src.push_str(&u);
    }
    src.push_str(tail);
    src
}

/// The diagnostics of a model that must fail, and its rendered report, which stays short
/// whatever the input: at most 51 errors of a few hundred characters each.
fn fails(src: &str) -> (Vec<Diagnostic>, String) {
    let err = compile("bomb.mc", src.as_bytes()).expect_err("the model must not compile");
    let out = err.render("bomb.mc", src.as_bytes());
    assert!(out.len() < 40_000, "a report of {} bytes", out.len());
    (err.items, out)
}

fn messages(items: &[Diagnostic]) -> Vec<&str> {
    items.iter().map(|d| d.message.as_str()).collect()
}

#[test]
fn a_misspelt_name_of_400000_letters_gets_one_error_with_its_name_cut() {
    let x = "x".repeat(400_000);
    let src = format!("model t\nshared {x}: 0..1 = 0\nprocess w {{\n    {}y = 1\n}}\n", &x[1..]);
    let (items, out) = fails(&src);
    let cut = "x".repeat(24);
    assert_eq!(items.len(), 1);
    let d = &items[0];
    assert_eq!(
        (d.message.as_str(), d.line, d.col, d.len),
        (format!("unknown name `{cut}...xxxxxxxy`").as_str(), 4, 5, 400_000)
    );
    assert_eq!(d.help.as_deref(), Some(format!("did you mean `{cut}...xxxxxxxx`?").as_str()));
    // The line is cut after 240 characters: four spaces and 236 letters.
    let shown = format!("4 |     {}...\n  |     {} not declared\n", "x".repeat(236), "^".repeat(236));
    assert!(out.contains(&shown), "{out}");
}

#[test]
fn a_file_of_one_identifier_a_mebibyte_long_is_two_short_errors() {
    let (items, out) = fails(&"y".repeat(MAX_SOURCE_BYTES));
    let cut = format!("{}...yyyyyyyy", "y".repeat(24));
    assert_eq!(
        messages(&items),
        ["a model file must start with `model NAME`", &format!("expected a declaration, found `{cut}`")]
    );
    assert!(out.contains(&format!("1 | {}...\n  | {} expected `model`\n", "y".repeat(240), "^".repeat(240))), "{out}");
}

#[test]
fn a_hundred_thousand_misspelt_names_get_hints_on_the_errors_shown() {
    let decls: String = (0..2000).map(|i| format!("shared v{i:04}: 0..1 = 0\n")).collect();
    let src = fill(&format!("model t\n{decls}process w {{\n"), |i| format!("w{:04}=1\n", i % 2000), "}\n");
    let (items, _) = fails(&src);
    assert_eq!(items.len(), 51);
    for (i, d) in items[..50].iter().enumerate() {
        assert_eq!(d.message, format!("unknown name `w{i:04}`"));
        assert_eq!(d.help, Some(format!("did you mean `v{i:04}`?")));
    }
    let uses = src.matches("=1\n").count();
    assert_eq!(items[50].message, format!("{} more errors not shown", uses - 50));
}

#[test]
fn a_mebibyte_line_with_an_error_at_its_end_shows_a_window_of_the_line() {
    let src = fill("model t shared a: 0..1 = 0 process w {", |_| " a = 1".into(), " a = true }");
    let (items, out) = fails(&src);
    let col = src.len() - "true }".len() + 1;
    assert_eq!((items.len(), items[0].line, items[0].col as usize, items[0].len), (1, 1, col, 4));
    // 80 characters before the column, cut before them; the line ends within the window.
    let want = format!(
        "error: `a` holds a number, but this value is a boolean\n --> bomb.mc:1:{col}\n  |\n1 | ...{}\n  | {}^^^^ a boolean here\n\n",
        &src[src.len() - 86..],
        " ".repeat(83),
    );
    assert!(out.starts_with(&want), "{out}");
}

#[test]
fn fifty_errors_on_one_mebibyte_line_render_in_a_few_kilobytes() {
    let src = fill("model t process w {", |_| " a=1".into(), " }");
    let (items, out) = fails(&src);
    assert_eq!(items.len(), 51);
    assert_eq!((items[49].message.as_str(), items[49].col), ("unknown name `a`", 21 + 49 * 4));
    let shown: Vec<&str> = out.lines().filter(|l| l.starts_with("1 | ")).collect();
    assert_eq!(shown.len(), 51);
    assert!(shown.iter().all(|l| l.len() <= 4 + 3 + 240 + 3), "{out}");
}

#[test]
fn a_hundred_thousand_duplicates_on_one_line_each_name_the_first_line() {
    let src = fill("model t process w { skip }", |_| " mutex m".into(), "");
    let (items, _) = fails(&src);
    assert_eq!(items.len(), 51);
    assert!(items[..50].iter().all(|d| d.message == "`m` is already declared as a mutex (line 1)"));
}

#[test]
fn thirty_six_thousand_declarations_and_their_uses_compile() {
    let n = 36_000;
    let name = |i: usize| -> String { (0..4).map(|k| (b'a' + (i / 26usize.pow(k) % 26) as u8) as char).collect() };
    let decls: String = (0..n).map(|i| format!("shared {}=true\n", name(i))).collect();
    let uses: String = (0..n).map(|i| format!("{}=!{}\n", name(i), name(n - 1 - i))).collect();
    let model = compile("big.mc", format!("model t\n{decls}process w {{\n{uses}}}\n").as_bytes()).expect("compiles");
    assert_eq!((model.shared.len(), model.processes[0].threads[0].code.len()), (n, n));
}

#[test]
fn fifty_thousand_invariants_and_processes_are_checked_by_name_not_by_scans() {
    let src = fill("model t\nprocess w { skip }\n", |i| format!("invariant i{i:05}: true\n"), "");
    let model = compile("inv.mc", src.as_bytes()).expect("compiles");
    assert!(model.properties.len() > 45_000);
    // Processes (and `owned_by` lookups) by name; the last line names a process again.
    let src =
        fill("model t\n", |i| format!("mutex m{i:05} owned_by p{i:05}\nprocess p{i:05} {{}}\n"), "process p00000 {}\n");
    let (items, _) = fails(&src);
    let last = src.lines().count() as u32;
    assert_eq!((messages(&items), items[0].line), (vec!["`p00000` is already declared as a process (line 3)"], last));
}

#[test]
fn a_long_name_is_not_copied_into_every_error_that_quotes_it() {
    // A property reading a process variable names the process in its message.
    let p = "p".repeat(500_000);
    let reads = "&&".to_string() + &["v"; 200].join("&&");
    let src = fill(
        &format!("model t\nprocess {p} {{\n    var v: bool\n}}\n"),
        |i| format!("invariant i{i:05}: v{reads}\n"),
        "",
    );
    let (items, _) = fails(&src);
    assert_eq!(items.len(), 51);
    let cut = format!("{}...pppppppp", "p".repeat(24));
    assert_eq!(items[0].message, format!("a property cannot read `v`, a variable of process `{cut}`"));
    // `owned_by` a process of several threads names its first thread in the help.
    let t = "t".repeat(500_000);
    let src = fill(
        &format!("model t\nprocess p {{\n    thread {t} {{ skip }}\n    thread u {{ skip }}\n}}\n"),
        |i| format!("mutex m{i:05} owned_by p\n"),
        "",
    );
    let (items, _) = fails(&src);
    assert_eq!(items.len(), 51);
    assert_eq!(
        items[0].help.as_deref(),
        Some(format!("write e.g. `owned_by p.{}...tttttttt`", "t".repeat(24)).as_str())
    );
}

#[test]
fn a_mebibyte_of_bad_numbers_is_fifty_errors_and_a_count() {
    let src = fill("model t\nprocess w {\n", |_| "3x ".into(), "}\n");
    let (items, _) = fails(&src);
    // Every `3x` is a lexical error; the first one is also a syntax error, after which the
    // parser skips the line.
    let bad = src.matches("3x").count();
    assert_eq!(messages(&items[..2]), ["`3x` is not a number", "expected a statement, found the number `3x`"]);
    assert_eq!(items[50].message, format!("{} more errors not shown", bad + 1 - 50));
}

#[test]
fn a_million_tokens_and_a_mebibyte_number_are_one_error_each() {
    let (items, _) = fails(&fill("model t\nprocess w {\n", |_| ";".into(), "}\n"));
    assert_eq!(messages(&items), ["expected a statement, found `;`"]);
    let src = format!("model t\nshared a: 0..1 = {}\n", "9".repeat(MAX_SOURCE_BYTES - 40));
    let (items, _) = fails(&src);
    assert_eq!(
        messages(&items),
        [format!("the number {}...99999999 is too large; values are 32-bit integers", "9".repeat(24))]
    );
}

#[test]
fn long_expressions_fill_a_mebibyte_and_compile() {
    let sum = ["a"; 257].join("+");
    let src = fill("model t\nshared a: 0..1 = 0\nprocess w {\n", |_| format!("a = {sum} - {sum}\n"), "}\n");
    compile("sum.mc", src.as_bytes()).expect_err("256 operators per expression at most");
    let src = fill("model t\nshared a: 0..1 = 0\nprocess w {\n", |_| format!("a = {}\n", ["a"; 128].join("+")), "}\n");
    let model = compile("sum.mc", src.as_bytes()).expect("compiles");
    assert!(model.processes[0].threads[0].code.len() > 3000);
}

/// A model with `n` levels of one construct (or as many as fit in the size limit); `{}` in
/// `wrap` is where the inner level goes.
fn nested(head: &str, wrap: &str, inner: &str, n: usize, tail: &str) -> String {
    let (open, close) = wrap.split_once("{}").expect("a hole");
    let room = (MAX_SOURCE_BYTES - head.len() - inner.len() - tail.len()) / (open.len() + close.len());
    let n = n.min(room);
    format!("{head}{}{inner}{}{tail}", open.repeat(n), close.repeat(n))
}

#[test]
fn every_construct_nests_up_to_the_limit_and_no_further() {
    let shared = "model t\nmutex m\nshared a: [0..1; 2] = 0\nshared f: bool = true\n";
    // (head, one level, innermost, tail, levels the head already uses)
    let cases = [
        (format!("{shared}invariant i: "), "({})", "f", "\nprocess w { skip }\n", 0),
        (format!("{shared}process w {{\n a[0] = "), "({})", "1", "\n}\n", 1),
        (format!("{shared}process w {{\n a[0] = "), "-{}", "1", "\n}\n", 1),
        (format!("{shared}process w {{\n f = "), "!{}", "f", "\n}\n", 1),
        (format!("{shared}process w {{\n a[0] = "), "a[{}]", "0", "\n}\n", 1),
        (format!("{shared}process w {{\n a["), "a[{}]", "0", "] = 1\n}\n", 2),
        (format!("{shared}process w {{\n"), "while f {{}}\n", "skip", "}\n", 1),
        (format!("{shared}process w {{\n"), "if f { skip } else if f {{}}", "skip", "}\n", 1),
        (format!("{shared}process w {{\n"), "if f { skip } else {{}}", "skip", "}\n", 1),
        (format!("{shared}process w {{\n"), "either { skip } or {{}}", "skip", "}\n", 1),
        (format!("{shared}process w {{\n thread t {{\n"), "either {{}} or { skip }", "skip", "}\n}\n", 2),
    ];
    for (head, wrap, inner, tail, used) in &cases {
        let at_limit = nested(head, wrap, inner, MAX_DEPTH - used, tail);
        if let Err(e) = compile("deep.mc", at_limit.as_bytes()) {
            panic!("{wrap} nested {} deep: {e}", MAX_DEPTH - used);
        }
        let beyond = nested(head, wrap, inner, MAX_DEPTH - used + 1, tail);
        let (items, _) = fails(&beyond);
        assert_eq!(messages(&items), [format!("nesting is deeper than {MAX_DEPTH} levels")], "{wrap}");
        let far_beyond = nested(head, wrap, inner, 20_000, tail);
        let (items, _) = fails(&far_beyond);
        assert_eq!(messages(&items), [format!("nesting is deeper than {MAX_DEPTH} levels")], "{wrap}");
    }
    // Array types nest in the grammar (an array of arrays is then refused by the checker).
    let types = |n| format!("model t\nprocess w {{\n var a: {}bool{}\n}}\n", "[".repeat(n), "; 2]".repeat(n));
    assert_eq!(messages(&fails(&types(MAX_DEPTH - 1)).0), ["arrays of arrays are not supported"]);
    assert_eq!(messages(&fails(&types(MAX_DEPTH)).0), [format!("nesting is deeper than {MAX_DEPTH} levels")]);
    // `atomic` blocks do not nest at all, but the depth limit still holds first.
    let atomic = nested("model t\nprocess w {\n", "atomic {{}}", "skip", 20_000, "}\n");
    assert_eq!(messages(&fails(&atomic).0), [format!("nesting is deeper than {MAX_DEPTH} levels")]);
}
