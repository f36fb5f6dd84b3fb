//! Hostile model files through the binary: each is a clear error and exit code 2, never a
//! panic or a stack overflow.

use std::path::Path;
use std::process::Command;

fn check_file(name: &str, bytes: &[u8]) -> (Option<i32>, String) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bad-input-{name}.mc"));
    std::fs::write(&path, bytes).unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_mutexcheck")).arg("check").arg(&path).arg("--no-trace").output().unwrap();
    assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn assert_clear_error(name: &str, bytes: &[u8], says: &str) {
    let (code, stderr) = check_file(name, bytes);
    assert_eq!(code, Some(2), "{name}: {stderr}");
    assert!(stderr.starts_with("error: "), "{name}: {stderr}");
    assert!(stderr.contains(says), "{name}: expected {says:?} in\n{stderr}");
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    assert!(
        stderr.ends_with("error\n") || stderr.ends_with("errors\n"),
        "{name}: ends with the error count line: {stderr}"
    );
}

#[test]
fn an_empty_file_is_a_clear_error() {
    assert_clear_error("empty", b"", "empty");
}

#[test]
fn binary_garbage_is_a_clear_error() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    assert_clear_error("garbage", &garbage, "UTF-8");
}

#[test]
fn non_utf8_text_is_a_clear_error_at_its_position() {
    assert_clear_error("latin1", b"model m\n// caf\xe9\n", "UTF-8");
}

#[test]
fn a_ten_megabyte_file_is_a_clear_error() {
    let big = "// padding line of a very large model file\n".repeat(10 * 1024 * 1024 / 44 + 1);
    assert_clear_error("big", big.as_bytes(), "longer than 1048576 bytes (1 MiB)");
}

#[test]
fn blocks_nested_ten_thousand_deep_are_a_clear_error() {
    let mut src = String::from("model deep\nmutex m\nprocess p {\n");
    src.push_str(&"if true {\n".repeat(10_000));
    src.push_str(&"}\n".repeat(10_000));
    src.push_str("}\n");
    assert_clear_error("deep", src.as_bytes(), "nest");
}
