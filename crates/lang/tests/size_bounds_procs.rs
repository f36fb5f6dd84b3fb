//! Hard bounds of procedures: copying each call into its caller must not turn a small or
//! a 1 MiB model into an exponential or quadratic amount of code, nor a deep chain of
//! procedures into a stack overflow. As in `size_bounds.rs`, nothing is timed: each input
//! would take minutes or gigabytes without its bound, and each test checks the report.

use mutexcheck_lang::{compile, Diagnostic, MAX_SOURCE_BYTES};

fn fails(src: &str) -> Vec<Diagnostic> {
    let err = compile("bomb.mc", src.as_bytes()).expect_err("the model must not compile");
    assert!(err.render("bomb.mc", src.as_bytes()).len() < 40_000);
    err.items
}

#[test]
fn procedures_that_each_call_the_next_twice_stop_at_the_code_bound() {
    // 40 levels of doubling would be 2^40 copies of `a = 1`.
    let mut src = String::from("model t\nshared a: 0..1 = 0\nproc p40() {\n    a = 1\n}\n");
    for i in (0..40).rev() {
        src.push_str(&format!("proc p{i}() {{\n    p{0}()\n    p{0}()\n}}\n", i + 1));
    }
    src.push_str("process w {\n    p0()\n}\n");
    let items = fails(&src);
    let got: Vec<(&str, u32)> = items.iter().map(|d| (d.message.as_str(), d.line)).collect();
    let last = src.lines().count() as u32 - 1;
    assert_eq!(got, vec![("with this call the thread's code would pass 100000 instructions", last)]);
}

#[test]
fn a_chain_of_procedures_deeper_than_the_limit_is_refused_without_overflowing_the_stack() {
    // Twenty thousand procedures, each calling the next: the recursion check and the size
    // count walk the chain without recursing, and copying stops at 32 nested calls.
    let n = 20_000;
    let mut src = String::from("model t\nshared a: 0..1 = 0\nprocess w {\n    p0()\n}\n");
    for i in 0..n {
        src.push_str(&format!("proc p{i}() {{ p{}() }}\n", i + 1));
    }
    src.push_str(&format!("proc p{n}() {{ a = 1 }}\n"));
    assert!(src.len() < MAX_SOURCE_BYTES);
    let items = fails(&src);
    let got: Vec<&str> = items.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(got, vec!["procedure calls nest deeper than 32 levels here (reached from the call at line 4)"]);
    // p0 is on line 6. The thread's call of p0 is the first level; p31's call of p32, on
    // line 6 + 31, would be the 33rd.
    assert_eq!(items[0].line, 37);
}

#[test]
fn a_long_recursive_cycle_is_found_without_overflowing_the_stack() {
    let n = 30_000;
    let mut src = String::from("model t\nprocess w {\n    p0()\n}\n");
    for i in 0..n {
        src.push_str(&format!("proc p{i}() {{ p{}() }}\n", (i + 1) % n));
    }
    let items = fails(&src);
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].message,
        format!(
            "recursive call: `p0` calls `p1`, which calls `p2`, which calls `p3`, ... ({} more), which calls `p{}`, which calls `p0` again (`p0` is declared at line 5); procedures cannot be recursive",
            n - 5,
            n - 1
        )
    );
    assert_eq!(items[0].line, 4 + n);
}

#[test]
fn many_threads_calling_one_large_procedure_stop_at_the_models_code_bound() {
    // One procedure of 20,000 statements and a thousand processes calling it would copy
    // 40 million instructions.
    let body: String = (0..20_000).map(|_| "    a = 1\n").collect();
    let mut src = format!("model t\nshared a: 0..1 = 0\nproc big() {{\n{body}}}\n");
    for i in 0..1000 {
        src.push_str(&format!("process w{i} {{ big() }}\n"));
    }
    assert!(src.len() < MAX_SOURCE_BYTES);
    let items = fails(&src);
    let first = &items[0];
    assert_eq!(first.message, "with this call the model's procedure calls would copy more than 1000000 instructions");
    // Each call copies at most 2 * 20,000 + 2 instructions: 24 calls fit in the bound.
    assert_eq!(first.line, 20_004 + 25);
}
