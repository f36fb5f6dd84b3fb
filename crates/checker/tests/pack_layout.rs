//! The packed layout pinned: the exact words real models' states pack into.
//!
//! Hashes, fingerprints, shard order and therefore every search's order and output rest on
//! the packed words, so a faster packer must produce exactly the words the layout has always
//! had. Each case packs the first states of a breadth-first walk of a shipped model (raw
//! successors, no reduction) and pins their words: a few literally, all of them by a digest.

use mutexcheck_checker::prepare;
use mutexcheck_core::{State, System};
use std::collections::{HashSet, VecDeque};

fn system(path: &str) -> System {
    let file = format!("{}/../../models/{path}", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read(&file).unwrap();
    prepare(mutexcheck_lang::compile(path, &source).unwrap(), None).unwrap()
}

/// The first `limit` distinct states a breadth-first walk of `sys` reaches, in order.
fn first_states(sys: &System, limit: usize) -> Vec<State> {
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    let mut queue = VecDeque::from([sys.initial_state()]);
    let mut out = Vec::new();
    while let Some(s) = queue.pop_front() {
        if order.len() == limit {
            break;
        }
        if !seen.insert(s.clone()) {
            continue;
        }
        out.clear();
        sys.successors(&s, &mut out);
        queue.extend(out.drain(..).map(|(_, next)| next));
        order.push(s);
    }
    order
}

/// What a model's first `limit` states pack into: the packer's words and bits, how many
/// states were packed, the words of the first two and the last, and an FNV-1a digest of
/// every word in order. Checks on the
/// way that each state unpacks to itself, into a fresh state and over the one before.
fn packed(path: &str, limit: usize) -> (usize, u32, usize, Vec<Vec<u64>>, u64) {
    let sys = system(path);
    let packer = sys.packer();
    let states = first_states(&sys, limit);
    let mut digest = 0xcbf2_9ce4_8422_2325u64;
    let mut first = Vec::new();
    let mut reused = states[0].clone();
    for s in &states {
        let mut words = vec![!0u64; packer.words()];
        packer.pack(s, &mut words);
        assert_eq!(&packer.unpack(&words), s, "{path}: a state unpacks to itself");
        packer.unpack_into(&words, &mut reused);
        assert_eq!(&reused, s, "{path}: a state unpacks over the one before");
        for w in &words {
            for b in w.to_le_bytes() {
                digest = (digest ^ b as u64).wrapping_mul(0x100_0000_01b3);
            }
        }
        if first.len() < 2 || std::ptr::eq(s, states.last().unwrap()) {
            first.push(words);
        }
    }
    (packer.words(), packer.bits(), states.len(), first, digest)
}

#[test]
fn a_two_word_win32_model_with_one_mutex_packs_as_before() {
    // Five workers over one mutex: the walk reaches past a word's worth of fields.
    assert_eq!(
        packed("bench/repair_n5_k3_c1.mc", 30000),
        (2, 74, 30000, vec![vec![0, 0], vec![0x10000, 0], vec![0x1404640400c000a1, 0]], 0x2bb1808ba93daf65)
    );
}

#[test]
fn a_model_whose_later_workers_reach_the_second_word_packs_as_before() {
    // Seven workers: the last ones' fields lie in the second word.
    assert_eq!(
        packed("bench/repair_n7_k4_c1.mc", 30000),
        (2, 103, 30000, vec![vec![0, 0], vec![0x10000, 0], vec![0x8600000010400001, 0x4000]], 0xab2ac826c323c7d2)
    );
}

#[test]
fn negative_ranges_pack_as_before() {
    // Variables with negative lower bounds: what is packed is the offset from the bound.
    assert_eq!(
        packed("pid_reuse.mc", 3000),
        (1, 27, 674, vec![vec![0], vec![0x80008], vec![0x6b4ba51]], 0x67cd4ba2fa164d08)
    );
}

#[test]
fn a_posix_model_one_bit_past_a_word_packs_as_before() {
    // POSIX consistency fields (two bits each), and 65 bits: one field straddles into the second word.
    assert_eq!(
        packed("case-studies/boost_posix_mutex.mc", 3000),
        (2, 65, 3000, vec![vec![0, 0], vec![0x8000, 0], vec![0x40208001531a6001, 0]], 0xd8663417dde6d2ee)
    );
}

#[test]
fn a_model_filling_both_words_packs_as_before() {
    // Several processes and mutexes over 115 bits.
    assert_eq!(
        packed("case-studies/lmdb_writer.mc", 3000),
        (2, 115, 3000, vec![vec![0, 0], vec![0x20090, 0], vec![0x2410012204c100a1, 0x2000081]], 0xd50773d6c2108d7f)
    );
}

#[test]
fn a_model_of_several_templates_packs_as_before() {
    // Different templates with different code lengths and locals.
    assert_eq!(
        packed("case-studies/dotnet_named_mutex_flock.mc", 3000),
        (
            2,
            102,
            3000,
            vec![vec![0, 0], vec![0x10000090, 0], vec![0x80027350000b8001, 0x128000029]],
            0x7eb2abdda4ddc853
        )
    );
}

#[test]
fn a_mutex_array_model_packs_as_before() {
    // Five mutexes, one per fork.
    assert_eq!(
        packed("dining_ordered.mc", 3000),
        (2, 69, 3000, vec![vec![0, 0], vec![0x4000000000, 0], vec![0x280719e000000038, 0x11]], 0xd98ef63330542f5a)
    );
}

#[test]
fn a_model_of_threads_in_one_process_packs_as_before() {
    // Threads of one process sharing its variables; the whole state space (127 states).
    assert_eq!(
        packed("worker_threads.mc", 3000),
        (1, 36, 127, vec![vec![0], vec![0x4000], vec![0xb4e80001]], 0xb50af9e3ff9c0002)
    );
}
