//! Golden tests for named constants and enums (issue #20): each misuse with its exact
//! message and position.
//!
//! Snippets marked `h` follow a seven-line header (`model t`, `mutex m`, `shared a: 0..4`,
//! `const N = 2`, `enum Phase { Idle, Writing, Done }`, `enum Color { Red, Green }`,
//! `shared phase: Phase = Idle`), so their first line is line 8.

#[allow(dead_code)] // `with_header` is the other golden file's header
#[macro_use]
mod common;
use common::errors;

fn with_header(body: &str) -> String {
    format!(
        "model t\nmutex m\nshared a: 0..4 = 0\nconst N = 2\nenum Phase {{ Idle, Writing, Done }}\n\
         enum Color {{ Red, Green }}\nshared phase: Phase = Idle\n{body}"
    )
}

fn check(src: &str, want: &[(&str, u32, u32, u32)]) {
    common::assert_errors(src, want)
}

/// The help line of the only diagnostic of `src`.
fn help(src: &str) -> String {
    let d = errors(src);
    assert_eq!(d.len(), 1, "{d:?}");
    d[0].help.clone().unwrap_or_default()
}

// Constants.
golden!(unknown_constant_in_an_array_length, h "shared s: [0..1; K] = 0\nprocess w { skip }", ("unknown constant `K`", 8, 18, 1));
golden!(unknown_constant_in_a_const, h "const M = NN + 1\nprocess w { skip }", ("unknown constant `NN`", 8, 11, 2));
golden!(
    const_cycle_names_both_constants,
    "model t\nconst A = B + 1\nconst B = A * 2\nprocess w { skip }",
    ("the constants `A` and `B` are defined in terms of each other", 3, 11, 1)
);
golden!(
    const_cycle_of_three_is_reported_once,
    "model t\nconst A = B\nconst B = C\nconst C = A\nshared x: 0..A = 0\nprocess w { skip }",
    ("the constants `A`, `B` and `C` are defined in terms of each other", 4, 11, 1)
);
golden!(
    const_defined_by_itself,
    "model t\nconst A = A\nprocess w { skip }",
    ("the constant `A` is defined in terms of itself", 2, 11, 1)
);
golden!(
    const_overflow,
    "model t\nconst BIG = 2147483647\nconst MORE = BIG + 1\nprocess w { skip }",
    ("arithmetic overflow in a constant expression", 3, 14, 7)
);
golden!(
    const_division_by_zero,
    "model t\nconst Z = 0\nconst Q = 10 / Z\nprocess w { skip }",
    ("division by zero in a constant expression", 3, 11, 6)
);
golden!(
    const_remainder_by_zero,
    h "shared s: [0..1; N % (N - 2)] = 0\nprocess w { skip }",
    ("division by zero in a constant expression", 8, 18, 11)
);
golden!(
    variable_where_a_constant_is_needed,
    h "process w[a] { skip }",
    ("an instance count must be a constant, but `a` is a variable", 8, 11, 1)
);
golden!(
    comparison_where_a_constant_is_needed,
    h "const C = N < 3\nprocess w { skip }",
    ("a constant's value must be a constant", 8, 11, 5)
);
golden!(self_where_a_constant_is_needed, h "shared s: [0..1; self] = 0\nprocess w { skip }", ("an array length must be a constant", 8, 18, 4));
golden!(
    zero_instances_from_a_const,
    "model t\nconst N = 1\nprocess w[N - 1] { skip }",
    ("a process has 1 to 1000 instances", 3, 11, 5)
);
golden!(
    negative_array_length_from_a_const,
    h "shared s: [0..1; 1 - N] = 0\nprocess w { skip }",
    ("an array has 1 to 1024 elements", 8, 18, 5)
);
golden!(
    crash_budget_from_a_const_out_of_range,
    h "crashes N * 1000\nprocess w { skip }",
    ("the crash budget must be between 0 and 1000", 8, 9, 8)
);
golden!(
    empty_range_from_constants,
    h "shared s: N..N - 1 = 2\nprocess w { skip }",
    ("the range 2..1 is empty", 8, 11, 8)
);
golden!(
    initial_value_from_a_const_out_of_range,
    h "shared s: 0..1 = N\nprocess w { skip }",
    ("the initial value 2 of `s` is outside its range 0..1", 8, 18, 1)
);
golden!(
    owned_by_instance_from_a_const_out_of_range,
    "model t\nconst N = 2\nmutex m owned_by w[N]\nprocess w[N] { skip }",
    ("process `w` has instances 0..1, not 2", 3, 20, 1)
);
golden!(assign_to_a_constant, h "process w { N = 1 }", ("`N` is a constant, not a variable", 8, 13, 1));
golden!(constant_used_as_a_mutex, h "process w { wait N }", ("`N` is a constant, not a mutex", 8, 18, 1));
golden!(constant_used_as_a_type, h "shared s: N = 0\nprocess w { skip }", ("`N` is a constant, not a type", 8, 11, 1));
golden!(const_named_like_a_mutex, h "const m = 1\nprocess w { skip }", ("`m` is already declared as a constant (line 8)", 2, 7, 1));
golden!(const_declared_twice, h "const N = 3\nprocess w { skip }", ("`N` is already declared as a constant (line 4)", 8, 7, 1));
golden!(
    const_reserved_word,
    "model t\nshared const: 0..1 = 0\nprocess w { skip }",
    ("expected a variable name, found the reserved word `const`", 2, 8, 5)
);
golden!(
    const_without_a_value,
    "model t\nconst N\nprocess w { skip }",
    ("expected `=` and the constant's value, found the end of the line", 2, 8, 0)
);
golden!(
    array_without_a_length,
    "model t\nshared x: [0..1; ] = 0\nprocess w { skip }",
    ("expected the array length, found `]`", 2, 18, 1)
);

// Enums.
golden!(
    enum_members_without_a_comma,
    "model t\nenum E { A B }\nprocess w { skip }",
    ("expected `}`, found `B`", 2, 12, 1)
);
golden!(empty_enum, "model t\nenum E {}\nprocess w { skip }", ("enum `E` has no members", 2, 1, 9));
golden!(
    duplicate_enum_member,
    "model t\nenum E { A, B, A }\nprocess w { skip }",
    ("enum `E` lists `A` twice (first on line 2)", 2, 16, 1)
);
golden!(
    enum_member_named_like_a_member_of_another_enum,
    h "enum Light { Red }\nprocess w { skip }",
    ("`Red` is already declared as an enum member (line 6)", 8, 14, 3)
);
golden!(
    enum_member_named_like_a_const,
    h "enum E { N }\nprocess w { skip }",
    ("`N` is already declared as a constant (line 4)", 8, 10, 1)
);
golden!(
    variable_named_like_an_enum_member,
    h "shared Idle: 0..1 = 0\nprocess w { skip }",
    ("`Idle` is already declared as an enum member (line 5)", 8, 8, 4)
);
golden!(
    compare_enum_with_number,
    h "process w { if phase == 1 { skip } }",
    ("cannot compare a `Phase` value with a number", 8, 16, 10)
);
golden!(
    compare_members_of_two_enums,
    h "process w { assert phase != Red }",
    ("cannot compare a `Phase` value with a `Color` value", 8, 20, 12)
);
golden!(
    assign_number_to_enum_variable,
    h "process w { phase = 1 }",
    ("`phase` holds a `Phase` value, but this value is a number", 8, 21, 1)
);
golden!(
    assign_wrong_enums_member,
    h "process w { phase = Green }",
    ("`phase` holds a `Phase` value, but this value is a `Color` value", 8, 21, 5)
);
golden!(
    initial_value_of_the_wrong_enum,
    h "shared c: Color = Done\nprocess w { skip }",
    ("`c` holds a `Color` value, but its initial value is a `Phase` value", 8, 19, 4)
);
golden!(
    number_as_initial_value_of_an_enum,
    h "shared c: Color = 0\nprocess w { skip }",
    ("`c` holds a `Color` value, but its initial value is a number", 8, 19, 1)
);
golden!(
    arithmetic_on_an_enum,
    h "process w { phase = phase + 1 }",
    ("`+` needs a number on both sides, but one side is a `Phase` value", 8, 21, 9)
);
golden!(
    ordering_enum_values,
    h "process w { assert phase < Done }",
    ("`<` needs a number on both sides, but one side is a `Phase` value", 8, 20, 12)
);
golden!(
    enum_member_as_a_number,
    h "shared s: [0..1; Writing] = 0\nprocess w { skip }",
    ("`Writing` is a member of enum `Phase`, not a number", 8, 18, 7)
);
golden!(enum_member_as_an_index, h "shared s: [0..1; 3] = 0\nprocess w { s[Idle] = 1 }", ("an array index must be a number, but this is a `Phase` value", 9, 15, 4));
golden!(enum_type_as_a_value, h "process w { phase = Phase }", ("`Phase` is an enum type, not a value", 8, 21, 5));
golden!(unknown_type, h "shared p: Phse = Idle\nprocess w { skip }", ("unknown type `Phse`", 8, 11, 4));
golden!(
    enum_reserved_word,
    "model t\nprocess enum { skip }",
    ("expected a process name, found the reserved word `enum`", 2, 9, 4)
);

#[test]
fn enum_type_errors_list_the_members() {
    assert_eq!(help(&with_header("process w { phase = 1 }")), "a `Phase` value is one of Idle, Writing, Done");
    assert_eq!(help(&with_header("process w { assert phase == 2 }")), "a `Phase` value is one of Idle, Writing, Done");
    assert_eq!(
        help(&with_header("shared c: Color = Done\nprocess w { skip }")),
        "a `Color` value is one of Red, Green"
    );
    assert_eq!(help(&with_header("shared p: Phse = Idle\nprocess w { skip }")), "did you mean `Phase`?");
    assert_eq!(help("model t\nconst SIZE = 2\nshared s: [0..1; SIZ] = 0\nprocess w { skip }"), "did you mean `SIZE`?");
    assert_eq!(
        help(&with_header("shared s: [0..1; K] = 0\nprocess w { skip }")),
        "declare it at the top level: `const K = 3`"
    );
    assert_eq!(
        help("model t\nconst A = B\nconst B = A\nprocess w { skip }"),
        "a constant's value must come from numbers and constants defined without it"
    );
}

#[test]
fn a_bound_from_an_expression_says_its_value() {
    assert_eq!(help("model t\nconst N = 1\nprocess w[N - 1] { skip }"), "this is 0");
    // A plain number needs no such line.
    assert_eq!(help("model t\nprocess w[0] { skip }"), "");
}
