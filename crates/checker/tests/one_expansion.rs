//! ARCHITECTURE.md's invariant "every search expands a state and admits a target through
//! `expansion.rs`", checked on the source: the breadth-first search, the cluster and the depth-first
//! search build the checker's `expansion::Expander` and `expansion::Admitter`, and none calls
//! the hooks those wrap (the step check, the allowed events, the unpacking into a reused state,
//! the room check of a growing shard, the state check of a target, the listing at the depth
//! limit), which a copy of the expansion or the admission would have to call.

use std::path::Path;

/// The searches, each with the files of its loop.
const SEARCHES: [&[&str]; 3] = [
    &["checker/src/bfs.rs", "checker/src/bfs/chunk.rs", "checker/src/bfs/merge.rs", "checker/src/bfs/record.rs"],
    &["cluster/src/search.rs"],
    &["checker/src/dfs.rs"],
];

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file)).unwrap()
}

#[test]
fn every_search_expands_and_admits_only_through_expansion_rs() {
    for files in SEARCHES {
        let text = read(files[0]);
        for user in ["Expander::new(", "Admitter::new("] {
            assert!(text.contains(user), "{} no longer builds an {user}", files[0]);
        }
        for file in files {
            let text = read(file);
            for own in ["step_violation(", "allowed_events(", "unpack_into(", "growth_bytes("] {
                assert!(!text.contains(own), "{file} calls {own} itself: expand and admit with expansion.rs");
            }
        }
    }
}

#[test]
fn every_search_checks_states_through_expansion_rs_but_its_initial_one() {
    // Each search checks its initial state itself (it is admitted before any expansion); a
    // second call is a copy of the admission's check.
    for files in SEARCHES {
        let calls: usize = files.iter().map(|file| read(file).matches("check_state(").count()).sum();
        assert_eq!(calls, 1, "{files:?} call check_state( {calls} times: admit with expansion.rs");
    }
}

#[test]
fn every_search_asks_whether_a_state_at_the_depth_limit_has_a_successor_through_expansion_rs() {
    for files in SEARCHES {
        let text = read(files[0]);
        assert!(
            text.contains(".any_successor(") || text.contains(".has_successor("),
            "{} no longer asks the Expander at the depth limit",
            files[0]
        );
        assert!(!text.contains(".unpack(packed)"), "{} unpacks a level's state itself", files[0]);
    }
}
