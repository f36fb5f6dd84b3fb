//! ARCHITECTURE.md's invariant "the breadth-first search and the cluster expand a state and
//! admit a target through one piece", checked on the source: both build the checker's
//! `expansion::Expander` and `expansion::Admitter`, and neither calls the hooks those wrap
//! (the step check, the allowed events, the unpacking into a reused state, the room check of a
//! growing shard), which a copy of the expansion or the admission would have to call.

use std::path::Path;

#[test]
fn the_breadth_first_search_and_the_cluster_expand_and_admit_only_through_expansion_rs() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |file: &str| std::fs::read_to_string(crates.join(file)).unwrap();
    for file in ["checker/src/bfs.rs", "cluster/src/search.rs"] {
        let text = read(file);
        for user in ["Expander::new(", "Admitter::new("] {
            assert!(text.contains(user), "{file} no longer builds an {user}");
        }
    }
    let files =
        ["checker/src/bfs.rs", "checker/src/bfs/chunk.rs", "checker/src/bfs/merge.rs", "checker/src/bfs/record.rs"];
    for file in files.iter().chain(&["cluster/src/search.rs"]) {
        let text = read(file);
        for own in ["step_violation(", "allowed_events(", "unpack_into(", "growth_bytes("] {
            assert!(!text.contains(own), "{file} calls {own} itself: expand and admit with expansion.rs");
        }
    }
}
