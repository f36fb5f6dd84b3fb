//! ARCHITECTURE.md's invariant "every engine stores states through `visited::Shard`", checked on the
//! source: each engine builds its visited set from `visited::Shard`, and no file outside the
//! store's own tables (`visited.rs`, `pairs.rs`, `numbered.rs`) names hashbrown, the general
//! table an engine would reach for to keep a visited set of its own (the store's tables are
//! written for packed states and only compare themselves with it).

use std::path::{Path, PathBuf};

/// The `crates/` directory.
fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, with its text.
fn rust_files(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
}

#[test]
fn every_engine_builds_its_visited_set_from_shards_and_only_the_store_names_hashbrown() {
    let crates = crates_dir();
    for (file, constructor) in [
        ("checker/src/bfs.rs", "Shard::new("),
        ("checker/src/bfs/record.rs", "Shard::indexed"),
        ("checker/src/dfs.rs", "Shard::new("),
        ("cluster/src/search.rs", "Shard::new("),
    ] {
        let text = std::fs::read_to_string(crates.join(file)).unwrap();
        assert!(text.contains(constructor), "{file} no longer builds its states' store with {constructor}");
    }
    let mut files = Vec::new();
    rust_files(&crates.join("checker/src"), &mut files);
    rust_files(&crates.join("cluster/src"), &mut files);
    let store = ["visited.rs", "pairs.rs", "numbered.rs"];
    let outside: Vec<_> = files
        .iter()
        .filter(|(path, text)| text.contains("hashbrown") && !store.iter().any(|s| path.ends_with(s)))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(outside.is_empty(), "a hash table of states outside the store: {outside:?}");
    assert!(files.len() > 40, "the walk found the sources ({} files)", files.len());
}
