//! One worker's part of the cluster's breadth-first search, with the one-machine answer.
//!
//! Each worker owns the states whose hash maps to it ([`owner`]) and holds that shard of
//! the visited set (a [`Shard`], packed states or fingerprints as on one machine). One
//! breadth-first level is a few rounds of the [`Channel`]:
//! 1. every worker expands its share of the level, in key order, and routes each
//!    transition's target, with the transition's key, to the target's owner;
//! 2. each owner takes what it received in key order: a state not yet visited is new for
//!    the transition with the smallest key that reaches it; a new state's properties are
//!    checked;
//! 3. the workers exchange where they would stop (the first step violation, the first new
//!    state that breaks a property), take the smallest, and add up the states and
//!    transitions a one-machine search counts up to there (cut at `--max-states` if it
//!    passes it).
//!
//! What happens to one state in step 1 and to one target in step 2 is the one-machine
//! search's own, from the checker's [`mutexcheck_checker::expansion`]: the [`Expander`]
//! lists a state's transitions, asks the bounds, hands over allowed events and stops at the
//! first step violation, exactly as the breadth-first search's step 1 does; the [`Admitter`]
//! asks the memory bound for room, inserts into the [`Shard`] and checks a new state, as its
//! step 2 does. This module only keys the transitions, routes them (`Route`) and merges
//! the round; a new check or counterexample field is written there once, for both.
//!
//! The key of a state is the ordinals of the transitions from the initial state along the
//! path that found it ([`crate::key`]): one-machine breadth-first order is exactly the
//! order of these paths, level by level (a level is sorted by (parent's position, successor
//! number), the parent's position by its own key, and so on), so comparing keys compares
//! positions without any worker knowing the positions. The key of the first violation is
//! also the whole counterexample: the successor numbers to follow from the initial state,
//! which process 0 re-runs as the one-machine search re-runs its trail.

use std::ops::ControlFlow;

use mutexcheck_checker::expansion::{Admitted, Admitter, Expander, Outcome, Transitions};
use mutexcheck_checker::fingerprint::{hash_words, mix64};
use mutexcheck_checker::visited::Shard;
use mutexcheck_checker::{Checkable, Interrupt, Limit};
use timely::worker::Worker;

use crate::allowed::WorkerTally;
use crate::comm::Channel;
use crate::key::{compare, push_ord, split_last, Reader, Writer};
use mutexcheck_checker::allowed::AllowedEvent;

/// Which hook a stop's key names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// The transition at the key breaks a step property.
    Step,
    /// The state the transition at the key reaches, new, breaks a state property.
    State,
}

/// How a worker's search ended (the same on every worker).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// Every reachable state was visited without a violation.
    Ok,
    /// A bound stopped the search.
    Limit(Limit),
    /// A violation: at the initial state (`None`) or at the transition with this key.
    Violation(Option<Vec<u8>>, Hook),
}

/// What a worker's search found: the end, the one-machine counts, and this worker's figures.
#[derive(Clone, Debug)]
pub struct Found {
    /// How the search ended.
    pub end: End,
    /// Distinct states, counted as one machine counts them.
    pub states: u64,
    /// Transitions generated, counted as one machine counts them.
    pub transitions: u64,
    /// The deepest level with a counted state (or the violation's depth).
    pub max_depth: u32,
    /// States in this worker's shard.
    pub held: u64,
    /// Bytes of this worker's shard.
    pub stored_bytes: u64,
    /// The most new states one level had over the whole cluster: the level whose transitions
    /// take the most memory while they are exchanged.
    pub widest: u64,
    /// This worker's allowed events, counted as one machine counts them.
    pub allowed: WorkerTally,
}

/// The worker that owns a state with this hash. Its own mix of the hash, so that the bits
/// the visited set's table uses stay spread within a worker's shard.
pub fn owner(hash: u64, peers: usize) -> usize {
    (mix64(hash ^ 0x9e37_79b9_7f4a_7c15) % peers as u64) as usize
}

/// A level's states held by one worker, in key order: packed states back to back, and keys.
#[derive(Default)]
struct Level {
    packed: Vec<u64>,
    keys: Vec<u8>,
    /// End of each state's key in `keys`.
    ends: Vec<usize>,
}

impl Level {
    fn len(&self) -> usize {
        self.ends.len()
    }
    fn key(&self, i: usize) -> &[u8] {
        &self.keys[if i == 0 { 0 } else { self.ends[i - 1] }..self.ends[i]]
    }
    fn push(&mut self, packed: &[u64], key: &[u8]) {
        self.packed.extend_from_slice(packed);
        self.keys.extend_from_slice(key);
        self.ends.push(self.keys.len());
    }
}

/// Where step 1 puts one worker's transitions: each target, with its key (its source's key
/// and its successor number), in the message to the target's owner; the allowed events with
/// their keys.
struct Route<'l> {
    /// One message per worker: `packed words, key length, key` per transition.
    out: Vec<Vec<u8>>,
    /// The key of the state being expanded.
    parent: &'l [u8],
    /// The key of the last transition handed over.
    key: Vec<u8>,
    /// The allowed events of the transitions handed over, in key order.
    allowed: Vec<(Vec<u8>, AllowedEvent)>,
}

impl Route<'_> {
    /// Makes `key` the key of transition `ord` of the state being expanded.
    fn key_of(&mut self, ord: u32) {
        self.key.clear();
        self.key.extend_from_slice(self.parent);
        push_ord(&mut self.key, ord);
    }
}

impl<M: Checkable> Transitions<M> for Route<'_> {
    fn allowed(&mut self, ord: u32, events: &[AllowedEvent]) {
        self.key_of(ord);
        self.allowed.extend(events.iter().map(|e| (self.key.clone(), *e)));
    }

    fn target(&mut self, ord: u32, _: &M::State, packed: &[u64], hash: u64) -> ControlFlow<()> {
        self.key_of(ord);
        let peers = self.out.len();
        let blob = &mut self.out[owner(hash, peers)];
        for word in packed {
            blob.extend_from_slice(&word.to_le_bytes());
        }
        blob.extend_from_slice(&(self.key.len() as u32).to_le_bytes());
        blob.extend_from_slice(&self.key);
        ControlFlow::Continue(())
    }
}

/// One worker's search state.
struct Search<'a, M: Checkable> {
    model: &'a M,
    interrupt: &'a Interrupt,
    words: usize,
    shard: Shard,
    level: Level,
    /// Successors counted for each state of `level` expanded so far (up to and including a
    /// step violation).
    successors: Vec<u32>,
    states: u64,
    transitions: u64,
    max_depth: u32,
    widest: u64,
    /// The allowed events of the transitions `expand` went through in this level, in key order.
    level_allowed: Vec<(Vec<u8>, AllowedEvent)>,
    allowed: WorkerTally,
}

/// Runs this worker's part of the search of `model`; every worker of the cluster must call
/// it with the same arguments.
pub fn search<M: Checkable>(
    model: &M,
    request: &crate::ClusterRequest,
    interrupt: &Interrupt,
    ch: &mut Channel,
    worker: &mut Worker,
) -> Found {
    let words = model.packed_words();
    let mut s = Search {
        model,
        interrupt,
        words,
        shard: Shard::new(words, request.fingerprints),
        level: Level::default(),
        successors: Vec::new(),
        states: 1,
        transitions: 0,
        max_depth: 0,
        widest: 1,
        level_allowed: Vec::new(),
        allowed: WorkerTally::default(),
    };
    let end = s.run(&request.limits, ch, worker);
    Found {
        end,
        states: s.states,
        transitions: s.transitions,
        max_depth: s.max_depth,
        held: s.shard.len() as u64,
        stored_bytes: (s.shard.bytes() + s.level.packed.len() * 8 + s.level.keys.len()) as u64,
        widest: s.widest,
        allowed: s.allowed,
    }
}

impl<M: Checkable> Search<'_, M> {
    fn run(&mut self, limits: &mutexcheck_checker::Limits, ch: &mut Channel, worker: &mut Worker) -> End {
        let max_states = limits.max_states.unwrap_or(u64::MAX).min(u32::MAX as u64 - 1);
        let initial = self.model.initial_state();
        let mut packed = vec![0u64; self.words];
        self.model.pack(&initial, &mut packed);
        let hash = hash_words(&packed);
        if owner(hash, ch.peers()) == ch.me() {
            self.shard.insert(&packed, hash);
            self.level.push(&packed, &[]);
        }
        if self.model.check_state(&initial).is_some() {
            return End::Violation(None, Hook::State);
        }
        let mut depth = 0u32;
        let mut total = 1u64; // states in the level, over all workers
        while total > 0 {
            if limits.max_depth.is_some_and(|max| depth >= max) {
                let any = self.any_successor();
                let all = ch.all_gather(worker, vec![any as u8]);
                return if all.iter().any(|b| b.first() == Some(&1)) {
                    End::Limit(Limit::MaxDepth(depth))
                } else {
                    End::Ok
                };
            }
            // Steps 1 and 2.
            let (step_stop, interrupted, out) = self.expand(ch.peers());
            let inbound = ch.exchange(worker, out);
            let (next, state_stop, full) = self.insert(inbound);
            let interrupted = interrupted.or(full);
            // Step 3: where the cluster stops, if anywhere.
            let local_stop = match (step_stop, state_stop) {
                (Some(a), Some(b)) => Some(if compare(&a, &b).is_le() { (a, Hook::Step) } else { (b, Hook::State) }),
                (a, b) => a.map(|k| (k, Hook::Step)).or(b.map(|k| (k, Hook::State))),
            };
            let mut w = Writer::default();
            w.limit(interrupted);
            w.stop(local_stop.as_ref());
            let mut limit = None;
            let mut stop: Option<(Vec<u8>, Hook)> = None;
            for blob in ch.all_gather(worker, w.0) {
                let mut r = Reader::new(&blob);
                let (l, s) = (r.limit(), r.stop());
                limit = limit.or(l);
                if let Some(s) = s {
                    if stop.as_ref().is_none_or(|(k, _)| compare(&s.0, k).is_lt()) {
                        stop = Some(s);
                    }
                }
            }
            if let Some(limit) = limit {
                return End::Limit(limit);
            }
            let key = stop.as_ref().map(|(k, _)| k.as_slice());
            let counted = next
                .ends
                .iter()
                .enumerate()
                .filter(|&(i, _)| key.is_none_or(|k| compare(next.key(i), k).is_le()))
                .count();
            let sums = self.sum(ch, worker, &[counted as u64, self.transitions_upto(key), next.len() as u64]);
            let (counted, transitions, new) = (sums[0], sums[1], sums[2]);
            if self.states + counted > max_states {
                let room = max_states - self.states;
                let cut = self.nth_key(ch, worker, &next, room as usize, key);
                self.transitions += self.sum(ch, worker, &[self.transitions_upto(Some(&cut))])[0];
                self.allowed.count(&self.level_allowed, Some(&cut));
                self.states = max_states;
                if room > 0 {
                    self.max_depth = depth + 1;
                }
                return End::Limit(Limit::MaxStates(max_states));
            }
            self.states += counted;
            self.transitions += transitions;
            self.allowed.count(&self.level_allowed, key);
            if counted > 0 {
                self.max_depth = depth + 1;
            }
            if let Some((key, hook)) = stop {
                self.max_depth = depth + 1;
                return End::Violation(Some(key), hook);
            }
            self.level = next;
            self.widest = self.widest.max(new);
            total = new;
            depth += 1;
        }
        End::Ok
    }

    /// True when some state of this worker's level has a successor
    /// ([`Expander::any_successor`]).
    fn any_successor(&self) -> bool {
        let level = (0..self.level.len()).map(|i| &self.level.packed[i * self.words..(i + 1) * self.words]);
        Expander::new(self.model).any_successor(level, self.interrupt)
    }

    /// Step 1: expands this worker's level in key order up to its first step violation (no
    /// later transition can come before the cluster's first stop), and routes each target
    /// with its key to its owner: `packed words, key length, key` per transition.
    #[allow(clippy::type_complexity)]
    fn expand(&mut self, peers: usize) -> (Option<Vec<u8>>, Option<Limit>, Vec<Vec<u8>>) {
        let mut route = Route { out: vec![Vec::new(); peers], parent: &[], key: Vec::new(), allowed: Vec::new() };
        self.successors.clear();
        let mut expander = Expander::new(self.model);
        for i in 0..self.level.len() {
            route.parent = self.level.key(i);
            let from = &self.level.packed[i * self.words..(i + 1) * self.words];
            match expander.expand(from, self.interrupt, true, &mut route) {
                Outcome::Expanded(n) => self.successors.push(n),
                Outcome::StepViolation { ord, .. } => {
                    self.successors.push(ord + 1);
                    route.key_of(ord);
                    self.level_allowed = route.allowed;
                    return (Some(route.key), None, route.out);
                }
                Outcome::Interrupted(limit) => {
                    self.level_allowed = route.allowed;
                    return (None, Some(limit), route.out);
                }
            }
        }
        self.level_allowed = route.allowed;
        (None, None, route.out)
    }

    /// Step 2: inserts the received targets in key order; returns the new states (the next
    /// level's share of this worker), the key of the first new state that breaks a state
    /// property, and the memory bound if the shard had no room to grow.
    fn insert(&mut self, inbound: Vec<Vec<u8>>) -> (Level, Option<Vec<u8>>, Option<Limit>) {
        let record = self.words * 8;
        let mut received: Vec<(&[u8], &[u8])> = Vec::new();
        for blob in &inbound {
            let mut at = 0;
            while at < blob.len() {
                let packed = &blob[at..at + record];
                let len =
                    u32::from_le_bytes(blob[at + record..at + record + 4].try_into().unwrap_or_default()) as usize;
                let key = &blob[at + record + 4..at + record + 4 + len];
                received.push((key, packed));
                at += record + 4 + len;
            }
        }
        received.sort_unstable_by(|a, b| compare(a.0, b.0));
        let mut next = Level::default();
        let mut stop = None;
        let mut packed = vec![0u64; self.words];
        let mut admitter = Admitter::new(self.model);
        for (key, bytes) in received {
            for (word, b) in packed.iter_mut().zip(bytes.chunks_exact(8)) {
                *word = u64::from_le_bytes(b.try_into().unwrap_or_default());
            }
            // Only the first violation matters: later new states are not checked.
            match admitter.admit(&mut self.shard, &packed, hash_words(&packed), self.interrupt, stop.is_none()) {
                Err(limit) => return (next, stop, Some(limit)),
                Ok(Admitted::Known) => {}
                Ok(Admitted::New(violation)) => {
                    if violation.is_some() {
                        stop = Some(key.to_vec());
                    }
                    next.push(&packed, key);
                }
            }
        }
        (next, stop, None)
    }

    /// Transitions of this worker's level up to and including the one at `key` (all of them
    /// for `None`), as one machine counts them.
    fn transitions_upto(&self, key: Option<&[u8]>) -> u64 {
        let Some(key) = key else {
            return self.successors.iter().map(|&n| n as u64).sum();
        };
        let (parent, ord) = split_last(key);
        let mut sum = 0;
        for (i, &n) in self.successors.iter().enumerate() {
            match compare(self.level.key(i), parent) {
                std::cmp::Ordering::Less => sum += n as u64,
                std::cmp::Ordering::Equal => sum += ord as u64 + 1,
                std::cmp::Ordering::Greater => break,
            }
        }
        sum
    }

    /// Sums `values` over all workers.
    fn sum(&self, ch: &mut Channel, worker: &mut Worker, values: &[u64]) -> Vec<u64> {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut sums = vec![0u64; values.len()];
        for blob in ch.all_gather(worker, bytes) {
            for (sum, b) in sums.iter_mut().zip(blob.chunks_exact(8)) {
                *sum += u64::from_le_bytes(b.try_into().unwrap_or_default());
            }
        }
        sums
    }

    /// The key of the new state at position `n` (from 0) of the level over all workers,
    /// among those up to `upto`: where `--max-states` cuts the level. Each worker sends its
    /// first `n + 1` keys to worker 0, which picks the key and tells every worker.
    fn nth_key(&self, ch: &mut Channel, worker: &mut Worker, next: &Level, n: usize, upto: Option<&[u8]>) -> Vec<u8> {
        let mut first = Writer::default();
        for i in (0..next.len().min(n + 1)).filter(|&i| upto.is_none_or(|k| compare(next.key(i), k).is_le())) {
            first.bytes(next.key(i));
        }
        let mut out = vec![Vec::new(); ch.peers()];
        out[0] = first.0;
        let gathered = ch.exchange(worker, out);
        let mut chosen = Vec::new();
        if ch.me() == 0 {
            let mut keys: Vec<Vec<u8>> = Vec::new();
            for blob in &gathered {
                let mut r = Reader::new(blob);
                while !r.done() {
                    keys.push(r.bytes());
                }
            }
            keys.sort_unstable_by(|a, b| compare(a, b));
            chosen = keys.swap_remove(n.min(keys.len().saturating_sub(1)));
        }
        ch.all_gather(worker, chosen).swap_remove(0)
    }
}
