//! What `guarded_by` compiles to: one [`Guard`] per guarded shared variable, naming its
//! index among the shared variables and the mutex (or, element-wise, the mutex array).

use mutexcheck_core::ir::*;
use mutexcheck_core::System;
use mutexcheck_lang::compile;

fn guards(decls: &str) -> Vec<(usize, GuardedBy)> {
    let src = format!("model t\nmutex m\nmutex lock[3]\n{decls}\nprocess w {{ skip }}\n");
    let m = compile("t.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{}", d.render("t.mc", src.as_bytes())));
    System::new(m.clone()).expect("core accepts every compiled model");
    m.guards.iter().map(|g| (g.var, g.by.clone())).collect()
}

#[test]
fn a_guard_names_the_shared_variable_by_index_and_its_mutex() {
    let got = guards("shared x: 0..1\nshared a: 0..3 = 0 guarded_by m\nshared ready = false guarded_by lock[2]");
    assert_eq!(got, [(1, GuardedBy::Mutex(0)), (2, GuardedBy::Mutex(3))]);
}

#[test]
fn an_array_guarded_by_one_mutex_and_one_guarded_element_by_element() {
    let got = guards("shared all: [0..1; 2] guarded_by m\nshared slot: [0..1; 3] = 0 guarded_by lock[k]");
    assert_eq!(got, [(0, GuardedBy::Mutex(0)), (1, GuardedBy::Elementwise { base: 1, len: 3 })]);
}

#[test]
fn a_model_without_guarded_by_has_no_guards() {
    assert_eq!(guards("shared a: 0..3"), []);
}

#[test]
fn guarded_by_spans_from_the_keyword_to_the_mutex() {
    let src = "model t\nmutex lock[3]\nshared a: 0..3 = 0 guarded_by lock[1]\nprocess w { skip }\n";
    let m = compile("t.mc", src.as_bytes()).unwrap();
    assert_eq!(m.guards[0].span, Span { line: 3, col: 20, len: 18 });
}
