//! Hard bounds for constants and enums (issues #15 and #20): a chain of constants, a long
//! cycle or a huge enum as large as a model file may be compiles or fails quickly, without
//! deep recursion (constants are resolved with a stack of their own).

use mutexcheck_lang::{compile, MAX_SOURCE_BYTES};

/// `head`, then `unit(0)`, `unit(1)`, ... while the file stays within the size limit
/// (leaving room for `tail`). Returns the text and how many units it holds.
fn fill(head: &str, unit: impl Fn(usize) -> String, tail: &str) -> (String, usize) {
    let mut src = head.to_string();
    let mut n = 0;
    while src.len() + unit(n).len() + tail.len() + 40 <= MAX_SOURCE_BYTES {
        src.push_str(&unit(n));
        n += 1;
    }
    src.push_str(tail);
    (src, n)
}

#[test]
fn a_mebibyte_chain_of_constants_compiles_to_its_value() {
    // C0 = C1 + 0, C1 = C2 + 0, ...: about 45,000 constants, each resolved after the next.
    let (mut src, n) = fill("model t\n", |i| format!("const C{i} = C{} + 0\n", i + 1), "process w { skip }\n");
    src.push_str(&format!("const C{n} = 1\nshared x: 0..C0 = C0\n"));
    assert!(n > 40_000, "{n}");
    let m = compile("chain.mc", src.as_bytes()).unwrap_or_else(|d| panic!("{:?}", &d.items[..1]));
    assert_eq!(m.shared[0].init, 1);
}

#[test]
fn a_mebibyte_cycle_of_constants_is_one_error() {
    let (mut src, n) = fill("model t\n", |i| format!("const C{i} = C{}\n", i + 1), "process w { skip }\n");
    src.push_str(&format!("const C{n} = C0\n"));
    let d = compile("cycle.mc", src.as_bytes()).expect_err("a cycle").items;
    assert_eq!(d.len(), 1);
    let others = n + 1 - 7;
    assert_eq!(
        d[0].message,
        format!("the constants `C0`, `C1`, `C2`, `C3`, `C4`, `C5`, `C6` and {others} others are defined in terms of each other")
    );
}

#[test]
fn an_enum_of_a_hundred_thousand_members_compiles_and_errors_list_eight() {
    let (src, n) = fill("model t\nenum Big {", |i| format!(" M{i},"), " }\nshared b: Big = M0\nprocess w { b = 1 }\n");
    assert!(n > 100_000, "{n}");
    let d = compile("big.mc", src.as_bytes()).expect_err("a number is not a member").items;
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].help.as_deref(),
        Some(format!("a `Big` value is one of M0, M1, M2, M3, M4, M5, M6, M7 and {} more", n - 8).as_str())
    );
}
