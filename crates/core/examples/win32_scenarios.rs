//! The model side of the Win32 conformance check (`scripts/conformance-win32`): prints, one
//! line per step, what the core's `MutexState` says each step of the Win32 scenarios returns
//! (`crates/core/tests/win32_conformance/scenarios.txt`). The OS side, `scenarios.c` run under
//! Wine, prints the same table from a real named mutex; the script diffs the two.
//!
//! Run: `cargo run -q -p mutexcheck-core --example win32_scenarios`

// Shared with the test `win32_scenarios`, which also reads the documented results.
#[allow(dead_code)]
#[path = "../tests/win32_conformance/model.rs"]
mod model;

fn main() {
    let table = model::parse(model::SCENARIOS).and_then(|scenarios| model::table(&scenarios));
    match table {
        Ok(lines) => lines.iter().for_each(|line| println!("{line}")),
        Err(error) => {
            eprintln!("win32_scenarios: {error}");
            std::process::exit(2);
        }
    }
}
