//! Hostile input: each gives one clear error, never a panic, a hang or a stack overflow.

use mutexcheck_lang::{compile, Diagnostic, MAX_DEPTH, MAX_SOURCE_BYTES};

fn first(src: &[u8]) -> Diagnostic {
    compile("bad.mc", src).unwrap_err().items.remove(0)
}

#[test]
fn empty_file_says_the_model_is_empty() {
    let d = first(b"");
    assert_eq!((d.message.as_str(), d.line, d.col), ("the model is empty", 1, 1));
    assert_eq!(first(b"  \n// only a comment\n").message, "the model is empty");
}

#[test]
fn non_utf8_text_names_the_byte_and_its_position() {
    let d = first(b"model t\nshared a: 0..1 = 0 // caf\xe9\n");
    assert_eq!(d.message, "the file is not UTF-8 text (byte 0xE9 cannot start a character here)");
    assert_eq!((d.line, d.col), (2, 26));
}

#[test]
fn binary_garbage_is_rejected_with_one_error() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let err = compile("bad.mc", &garbage).unwrap_err();
    assert_eq!(err.items.len(), 1);
    assert!(err.items[0].message.starts_with("the file is not UTF-8 text"), "{}", err);
}

#[test]
fn control_characters_in_utf8_are_reported_once_per_run() {
    let err = compile("bad.mc", b"model t\n\x00\x01\x02\x7f\nprocess w { skip }\n").unwrap_err();
    assert_eq!(err.to_string(), "2:1: unexpected character U+0000");
}

#[test]
fn a_ten_megabyte_file_is_refused_by_size() {
    let big = vec![b' '; 10 * 1024 * 1024];
    let d = first(&big);
    assert_eq!(
        d.message,
        format!("the file is longer than {MAX_SOURCE_BYTES} bytes (1 MiB), the most a model may have")
    );
}

#[test]
fn a_file_just_under_the_size_limit_is_parsed_quickly() {
    let mut src = String::from("model t\nshared a: 0..1 = 0\nprocess w {\n");
    while src.len() < MAX_SOURCE_BYTES - 100 {
        src.push_str("    a = 1 - a\n");
    }
    src.push_str("}\n");
    let model = compile("big.mc", src.as_bytes()).expect("a long flat model compiles");
    assert!(model.processes[0].threads[0].code.len() > 70_000);
}

fn nesting_error(src: &str) {
    let err = compile("deep.mc", src.as_bytes()).unwrap_err();
    assert_eq!(err.items.len(), 1, "{err}");
    assert_eq!(err.items[0].message, format!("nesting is deeper than {MAX_DEPTH} levels"));
}

#[test]
fn blocks_nested_ten_thousand_deep_give_a_nesting_error() {
    let n = 10_000;
    let src = format!("model t\nprocess w {{\n{}{}}}\n", "atomic {\n".repeat(n), "}\n".repeat(n));
    nesting_error(&src);
    let src =
        format!("model t\nshared f: bool = true\nprocess w {{ {} skip {} }}", "while f { ".repeat(n), "}".repeat(n));
    nesting_error(&src);
    nesting_error(&format!("model t\nprocess w {{ {}", "if true {".repeat(n)));
}

#[test]
fn parentheses_and_unary_operators_ten_thousand_deep_give_a_nesting_error() {
    let n = 10_000;
    nesting_error(&format!("model t\nshared a: 0..1 = 0\nprocess w {{ a = {}1{} }}", "(".repeat(n), ")".repeat(n)));
    nesting_error(&format!("model t\nshared a: 0..1 = 0\nprocess w {{ a = {}1 }}", "- ".repeat(n)));
    nesting_error(&format!("model t\nshared f: bool = true\nprocess w {{ f = {}f }}", "!".repeat(n)));
    nesting_error(&format!(
        "model t\nshared a: [0..1; 2] = 0\nprocess w {{ a[0] = {}0{} }}",
        "a[".repeat(n),
        "]".repeat(n)
    ));
}

#[test]
fn nesting_up_to_the_limit_compiles() {
    let n = MAX_DEPTH - 1; // the process body is one level
    let src = format!(
        "model t\nprocess w {{ {} skip {} }}",
        "atomic { ".to_string() + &"if true { ".repeat(n - 1),
        "}".repeat(n)
    );
    compile("ok.mc", src.as_bytes()).expect("nesting at the limit is fine");
}

#[test]
fn a_long_operator_chain_is_refused_instead_of_building_a_deep_tree() {
    let src = format!("model t\nshared a: 0..1 = 0\nprocess w {{ a = {}0 }}", "a + ".repeat(100_000));
    let err = compile("long.mc", src.as_bytes()).unwrap_err();
    assert_eq!(err.to_string(), "3:17: this expression has more than 256 operators");
}

#[test]
fn a_long_else_if_chain_is_flat_and_compiles() {
    let arms: String = (0..2000).map(|i| format!(" else if a == {i} && true {{ }}")).collect();
    let src = format!("model t\nshared a: 0..1 = 0\nprocess w {{ if a == 0 {{ skip }}{arms} }}");
    let model = compile("chain.mc", src.as_bytes()).expect("else-if chains do not nest");
    mutexcheck_core::System::new(model).expect("core accepts it");
}

#[test]
fn many_errors_stop_at_fifty() {
    let src = format!("model t\nprocess w {{\n{}}}\n", "    x = )\n".repeat(500));
    assert_eq!(compile("many.mc", src.as_bytes()).unwrap_err().items.len(), 50);
}

#[test]
fn thousands_of_name_errors_are_cut_at_fifty_with_a_count() {
    let src = format!("model t\nprocess w {{\n{}}}\n", "    x = 1\n".repeat(1000));
    let err = compile("many.mc", src.as_bytes()).unwrap_err();
    assert_eq!(err.items.len(), 51);
    assert_eq!(err.items[49].message, "unknown name `x`");
    assert_eq!((err.items[50].message.as_str(), err.items[50].line), ("950 more errors not shown", 52));
}
