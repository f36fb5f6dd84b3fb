//! Breadth-first search, level by level, on one or more threads, with the result of a
//! one-thread search byte for byte.
//!
//! The states of a level are expanded in batches. For a batch:
//! 1. threads claim chunks of the batch and expand them: each transition gets the key
//!    `(position of its source in the level, number among the source's successors)`, is
//!    checked by [`Checkable::step_violation`], and its target is packed, hashed and put in
//!    the bucket of its visited-set shard; a chunk stops at its first step violation;
//! 2. threads claim shards and insert their buckets' targets in key order: a state is new
//!    for the transition with the smallest key that reaches it, exactly the one a one-thread
//!    breadth-first search meets first; each new state's state properties are checked;
//! 3. one thread merges the new states and the step violations in key order, counts states
//!    against the state limit and stops at the first event a one-thread search would stop
//!    at (module `merge`). The new states, in key order, are the next level; their keys
//!    go on the [`Trail`].
//!
//! What steps 1 and 2 do to one state and one target is [`crate::expansion`]'s, which the
//! cluster's rounds and the depth-first search share.
//!
//! The three steps of consecutive batches of a level do not depend on one another, so one
//! hand-off to the threads runs step 1 of a batch, step 2 of the batch before and, on the
//! calling thread beside them, step 3 of the batch before that ([`Search::advance`]): the
//! threads meet once per batch, and none waits while one merges. A stop found by a merge is
//! still the first, its keys being before those of the batches behind it. A batch on one
//! thread runs its three steps one after the other ([`Search::drain`]). The last merge of a
//! level runs beside step 1 of the next level's first batch, cut from the next level's
//! states merged so far (module `level_end`), and step 1 cuts a batch into chunks that
//! shrink towards its end, so that the threads finish a hand-off together (module `split`).
//!
//! How many threads a batch runs on, and so how many states it takes, is
//! [`crate::spread`]'s choice (a level's rest in equal batches); the threads are
//! [`Workers`], parked between batches.
//!
//! So the verdict, the counterexample and every count are those of the one-thread search,
//! whatever the number of threads. Only the time limit, the memory limit and the progress
//! reports, which are checked between batches, depend on timing.
//!
//! The same search records the whole state graph when its [`Mode`] says so (module
//! `record`): then step 3 numbers the new states and writes every transition in key order
//! instead, and the properties are checked only when the recording asks for it (a batch
//! with a violation then stops the recording).

use std::time::Instant;

use crate::allowed::{AllowedEvent, AllowedTally};
use crate::checkable::Checkable;
use crate::expansion::{Admitted, Admitter, Expander, Outcome};
use crate::explore::Progress;
use crate::fingerprint::hash_words;
use crate::guard::Guard;
use crate::handoff::{lock, Mutex, Workers};
use crate::limits::{Limit, Limits, Strategy};
use crate::properties::Violation;
use crate::request::Bfs;
use crate::result::{CheckResult, Counterexample, Verdict};
use crate::spread::{batch_threads, spread_batch, Spread};
use crate::stats::{Stats, Storage};
use crate::trail::{Key, Trail};
use crate::visited::{shard_of, Shard, SHARDS};

mod buffers;
mod chunk;
mod level_end;
mod merge;
mod record;
mod split;
use buffers::MergeBuffers;
use chunk::Chunk;
use merge::{Done, Expansion, Merging, Pending, Stages};
pub(crate) use record::{record, record_checked};
use record::{Mode, Unrecorded};

/// Expansions between two progress reports, as in the depth-first search; a one-thread batch
/// is at most this long.
const CHECK_EVERY: usize = crate::explore::CHECK_EVERY as usize;
/// Source states per batch spread over several threads (fewer, longer batches wake the
/// workers fewer times).
const PARALLEL_BATCH: usize = 16 * CHECK_EVERY;
/// Source states per batch with [`Spread::Always`].
const ALWAYS_BATCH: usize = 256;
/// Source states per chunk, the unit of work of step 1, at most.
const CHUNK: usize = 512;
/// About how many bytes one batch's transitions may take before they are inserted, at most:
/// batches shrink to fit (a state of a thousand processes packs into a kilobyte and has
/// thousands of successors), and to a sixteenth of the memory bound, so that a batch never
/// holds a large part of it.
const BATCH_BYTES: usize = 32 << 20;
/// How many states ahead of the one it inserts the fill step prefetches a table slot: enough
/// that the slot has come from memory when its turn comes, few enough that it is still cached.
const PREFETCH_AHEAD: usize = 8;
/// How many targets the fill step inserts between two looks at the bounds (an atomic load):
/// often enough that a bound stops even a batch of thousand-process states within its slack.
const BOUND_LOOK_EVERY: usize = 256;

/// Fewer transitions than this in a batch are inserted on one thread.
const MIN_PARALLEL_FILL: usize = 4096;

/// One shard's share of a chunk's transitions, in key order.
#[derive(Default)]
struct Bucket {
    keys: Vec<Key>,
    hashes: Vec<u64>,
    packed: Vec<u64>,
}

/// What expanding one chunk produced.
struct Expanded<L> {
    /// How many source states the chunk covers (its positions in the level, whether or not
    /// a violation or a bound stopped it before the last).
    states: usize,
    /// A time or memory bound was passed while the chunk was being expanded: it is partial.
    interrupted: bool,
    buckets: Vec<Bucket>,
    /// Successor count of each source state of the chunk, up to a step violation.
    successors: Vec<u32>,
    /// The chunk's first step violation.
    violation: Option<(Key, Violation)>,
    /// The allowed events of the chunk's transitions, in key order.
    allowed: Vec<(Key, AllowedEvent)>,
    /// When recording: each transition's label and shard, in key order, and the marks of
    /// each source state (empty otherwise).
    labels: Vec<L>,
    shards: Vec<u8>,
    marks: Vec<u64>,
}

/// A state that step 2 found new.
struct New {
    key: Key,
    violation: Option<Violation>,
}

/// What filling one shard from a batch produced: new states in key order, packed back to back.
struct Filled {
    news: Vec<New>,
    packed: Vec<u64>,
    /// The shard's table had to grow and the memory bound had no room for it.
    stopped: Option<Limit>,
    /// When recording: the shard's number of each target of the batch, in key order, and how
    /// many states the shard held before the batch (states numbered from there are new).
    locals: Vec<u32>,
    base: u32,
}

/// Where the search stopped early.
enum Stop {
    /// A violation in the initial state (no key) or at this transition of the current level
    /// (by the transition itself or in the new state it reaches).
    Violation(Violation, Option<Key>),
    /// A bound.
    Limit(Limit),
}

struct Search<'m, M: Checkable, G: Mode<M> = Unrecorded> {
    model: &'m M,
    limits: &'m Limits,
    threads: usize,
    spread: Spread,
    /// Threads of the current batch (see [`crate::spread`]).
    batch_threads: usize,
    workers: Workers,
    words: usize,
    shards: Vec<Mutex<Shard>>,
    trail: Trail,
    stats: Stats,
    start: Instant,
    max_states: u64,
    /// Transitions per expanded state in the last batch, rounded up: how much room a chunk's
    /// buckets get, and how many states the next batch takes.
    successors_per_state: usize,
    /// Source states per chunk in the current batch, at most (see [`split`]).
    chunk: usize,
    /// Where the current batch's chunks begin ([`split::chunk_bounds`]), kept from batch to
    /// batch.
    chunk_bounds: Vec<usize>,
    guard: &'m Guard,
    /// The allowed events of the transitions counted in `stats.transitions`.
    allowed: AllowedTally,
    /// Checking only, or recording the graph too.
    mode: G,
    /// Step 3's scratch vectors, kept from batch to batch.
    merge_buffers: MergeBuffers,
    /// Of the targets step 2 inserted in the last batch, how many in 1024 were new: how much
    /// room a fill's vectors get, so that they do not grow by doubling, copying what they
    /// hold, a dozen times a batch.
    new_share: usize,
    /// States expanded ahead, beside the last merge of the level before (what the tests of
    /// module `level_end` look at).
    #[cfg(test)]
    ahead: usize,
}

/// Breadth-first search of `model` within `limits` on `engine`'s threads; see the module
/// comment.
pub(crate) fn bfs<M: Checkable + Sync>(
    model: &M,
    limits: &Limits,
    engine: &Bfs,
    guard: &Guard,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> CheckResult<M::State, M::Step> {
    let words = model.packed_words();
    let storage = Storage::of(engine.stores_fingerprints(), words);
    let fingerprints = engine.stores_fingerprints();
    let shard = |words| Shard::new(words, fingerprints);
    let mut search =
        Search::new(model, limits, engine.thread_count(), engine.spreads(), shard, storage, guard, Unrecorded);
    let verdict = match search.search(progress) {
        Ok(None) => Verdict::Ok,
        Ok(Some(limit)) | Err(Stop::Limit(limit)) => Verdict::Incomplete(limit),
        Err(Stop::Violation(v, key)) => match search.counterexample(v, key) {
            Some(c) => Verdict::Violation(c),
            // A bound passed while the run was rebuilt, and the model stopped early.
            None => Verdict::Incomplete(guard.cut_short_by()),
        },
    };
    let stored_bytes = search.stored_bytes() as u64;
    let mut stats = search.stats;
    // The threads reported are the most one batch used (see crate::spread).
    let used = stats.threads;
    stats.wrap_up(search.start, stored_bytes, used, search.allowed.into_counts());
    CheckResult { verdict, stats, strategy: Strategy::Bfs }
}

impl<'m, M: Checkable + Sync, G: Mode<M>> Search<'m, M, G> {
    /// A search of `model` that has stored nothing yet, its visited set made of
    /// [`SHARDS`] shards from `shard` (given the words per state): the one place a `Search` is
    /// made, for the safety search and the recording alike, so a new field is written once.
    #[allow(clippy::too_many_arguments)]
    fn new(
        model: &'m M,
        limits: &'m Limits,
        threads: usize,
        spread: Spread,
        shard: impl Fn(usize) -> Shard,
        storage: Storage,
        guard: &'m Guard,
        mode: G,
    ) -> Self {
        let words = model.packed_words();
        Search {
            model,
            limits,
            threads,
            spread,
            batch_threads: 1,
            workers: Workers::new(),
            words,
            shards: (0..SHARDS).map(|_| Mutex::new(shard(words))).collect(),
            trail: Trail::new(),
            stats: Stats { storage, threads: 1, ..Stats::default() },
            start: Instant::now(),
            max_states: limits.max_states.unwrap_or(u64::MAX).min(u32::MAX as u64 - 1),
            successors_per_state: 2,
            chunk: CHUNK,
            chunk_bounds: Vec::new(),
            guard,
            allowed: AllowedTally::default(),
            mode,
            merge_buffers: MergeBuffers::default(),
            new_share: 1024,
            #[cfg(test)]
            ahead: 0,
        }
    }

    fn stored_bytes(&self) -> usize {
        self.shards.iter().map(|s| lock(s).bytes()).sum::<usize>() + self.trail.bytes()
    }

    /// Runs the search; `Ok(Some(limit))` when it finished but left states beyond the depth
    /// limit unexpanded.
    fn search(&mut self, progress: &mut dyn FnMut(&Progress<'_>)) -> Result<Option<Limit>, Stop> {
        let mut level = vec![0u64; self.words];
        let initial = self.model.initial_state();
        self.model.pack(&initial, &mut level);
        let shard = shard_of(hash_words(&level));
        if G::RECORDS {
            lock(&self.shards[shard]).insert_indexed(&level, hash_words(&level));
            self.mode.initial(shard);
        } else {
            lock(&self.shards[shard]).insert(&level, hash_words(&level));
        }
        self.stats.states = 1;
        if let Some(v) = self.model.check_state(&initial).filter(|_| self.mode.checks()) {
            return Err(Stop::Violation(v, None));
        }
        let mut depth = 0u32;
        let mut expanded = 0usize;
        // The batches in flight: one expanded, waiting for step 2; one filled, waiting for
        // step 3. At the start of a level, its first batch may be expanded already, beside
        // the last merge of the level before (module `level_end`): `ahead` states.
        let mut stages = Stages { expansion: None, pending: None };
        let mut ahead = 0;
        while !level.is_empty() {
            let count = level.len() / self.words;
            if self.limits.max_depth.is_some_and(|max| depth >= max) {
                return Ok(self.any_successor(&level).then_some(Limit::MaxDepth(depth)));
            }
            self.trail.open_level();
            let mut next = Vec::new();
            let mut level_has_new = false;
            let mut first = ahead;
            expanded += ahead;
            // A memory bound met before a batch: the batches before it finish first.
            let mut bound = None;
            let mut merged_to = 0;
            loop {
                let mut batch = None;
                if first < count && bound.is_none() {
                    let (states, threads) = self.batch_plan(count - first);
                    let end = first + states;
                    self.batch_threads = threads;
                    self.stats.threads = self.stats.threads.max(threads as u32);
                    // A batch's buffers come at once: make sure the memory bound has room
                    // for them (twice: the buckets, then the new states copied out of them).
                    match self.guard.room_for(2 * (end - first) * self.bytes_per_state()) {
                        Ok(()) => batch = Some((first, end)),
                        Err(limit) => bound = Some(limit),
                    }
                    self.chunk = CHUNK.min((end - first).div_ceil(threads));
                }
                if batch.is_none() && stages.expansion.is_none() {
                    break;
                }
                // A one-thread batch has no other thread to overlap with: its three steps
                // run one after the other, each on buffers the step before just wrote.
                let alone = batch.is_some() && self.batch_threads == 1;
                if alone {
                    self.drain(&level, &mut stages, &mut next, &mut level_has_new, depth)?;
                }
                let merging = stages.pending.as_ref().map(|p| p.end);
                self.advance(&level, batch, &mut stages, &mut next, &mut level_has_new, depth)?;
                merged_to = merging.unwrap_or(merged_to);
                if alone {
                    self.drain(&level, &mut stages, &mut next, &mut level_has_new, depth)?;
                    merged_to = batch.map_or(merged_to, |(_, end)| end);
                }
                let Some((_, end)) = batch else { continue };
                let crossed = (expanded + end - first) / CHECK_EVERY > expanded / CHECK_EVERY;
                expanded += end - first;
                first = end;
                if crossed {
                    self.stats.elapsed = self.start.elapsed();
                    let frontier = count - merged_to + next.len() / self.words;
                    progress(&Progress { stats: &self.stats, frontier });
                }
            }
            if let Some(limit) = bound {
                self.drain(&level, &mut stages, &mut next, &mut level_has_new, depth)?;
                return Err(Stop::Limit(limit));
            }
            ahead = self.end_level(std::mem::take(&mut level), &mut stages, &mut next, &mut level_has_new, depth)?;
            level = next;
            depth += 1;
        }
        Ok(None)
    }

    /// How many of the `remaining` states of the level the next batch takes, and on how
    /// many threads: as many as fit in its byte budget (see [`BATCH_BYTES`]) of transitions at
    /// the last batch's rate; up to [`PARALLEL_BATCH`], the level's rest cut into equal
    /// batches, when they have the work to spread (see [`spread_batch`]), else up to a
    /// one-thread batch of [`CHECK_EVERY`].
    fn batch_plan(&mut self, remaining: usize) -> (usize, usize) {
        // A recording that checks plans the safety search's batches (without its own bytes
        // per edge), so that the threads it reports are that search's.
        let edge_bytes = if self.mode.checks() { 0 } else { G::EDGE_BYTES };
        let fit = (self.batch_bytes() / self.bytes_per_state_with(edge_bytes)).max(1);
        // Spreading always is for the tests that compare thread counts: small batches give
        // their small models levels of several batches, each merged beside the next.
        let most = if self.spread == Spread::Always { ALWAYS_BATCH } else { PARALLEL_BATCH }.min(fit);
        if let Some(states) = spread_batch(self.spread, remaining, most, self.successors_per_state, self.threads) {
            let mut threads = batch_threads(self.spread, states, self.successors_per_state, self.threads);
            if self.threads == Bfs::EVERY_CORE {
                self.threads = Bfs::all_cores();
                threads = threads.min(self.threads);
            }
            if threads > 1 {
                return (states, threads);
            }
        }
        (remaining.min(CHECK_EVERY).min(fit), 1)
    }

    /// The byte budget of a batch's transitions.
    fn batch_bytes(&self) -> usize {
        let bound = self.limits.max_memory_mb.map_or(usize::MAX, |mb| (mb as usize) << 16);
        BATCH_BYTES.min(bound).max(1)
    }

    /// What the transitions of one expanded state take while a batch holds them: packed
    /// target, key and hash in a bucket.
    fn bytes_per_state(&self) -> usize {
        self.bytes_per_state_with(G::EDGE_BYTES)
    }

    /// [`Search::bytes_per_state`] with `edge_bytes` per transition beyond the safety search's.
    fn bytes_per_state_with(&self, edge_bytes: usize) -> usize {
        (self.successors_per_state * (self.words * 8 + 16 + edge_bytes)).max(1)
    }

    /// True when some state of `level` has a successor (so a depth limit cut something).
    fn any_successor(&self, level: &[u64]) -> bool {
        Expander::new(self.model).any_successor(level.chunks(self.words), self.guard)
    }

    /// One hand-off to the threads that moves every batch in flight one step on: step 1 for
    /// `batch` (positions `first..end` of `level`), step 2 for the batch expanded before it,
    /// and, on this thread beside them, step 3 for the batch filled before that. The three
    /// do not depend on one another (a shard is filled by one task, batch after batch in key
    /// order), so the threads meet once per batch instead of at every step, and no thread
    /// waits while one merges. A stop comes from the earliest batch that has one, as the
    /// one-thread search meets them.
    fn advance(
        &mut self,
        level: &[u64],
        batch: Option<(usize, usize)>,
        stages: &mut Stages<G::Label>,
        next: &mut Vec<u64>,
        level_has_new: &mut bool,
        depth: u32,
    ) -> Result<(), Stop> {
        if G::RECORDS {
            // Recording merges into the mode, which expanding reads: one after the other.
            self.merge_pending(&mut stages.pending, next, level_has_new, depth)?;
        }
        let filling = stages.expansion.take();
        let (fills, fill_threads, candidates) = match &filling {
            None => (0, 1, 0),
            Some(f) => {
                let candidates: usize = f.expanded.iter().flat_map(|e| &e.buckets).map(|b| b.keys.len()).sum();
                // Waking threads costs tens of microseconds: not worth it for a few transitions.
                (SHARDS, if candidates < MIN_PARALLEL_FILL { 1 } else { f.threads }, candidates)
            }
        };
        let (first, end) = batch.unwrap_or((0, 0));
        let mut bounds = std::mem::take(&mut self.chunk_bounds);
        split::chunk_bounds(end - first, self.batch_threads, self.chunk, &mut bounds);
        let chunks = bounds.len() - 1;
        let threads = fill_threads.max(if chunks > 0 { self.batch_threads } else { 1 });
        let (words, max_states) = (self.words, self.max_states);
        // What the merge adds to leaves the search meanwhile, which the other tasks read.
        let mut merging = Merging {
            stats: std::mem::take(&mut self.stats),
            trail: std::mem::take(&mut self.trail),
            allowed: std::mem::take(&mut self.allowed),
        };
        let mut buffers = std::mem::take(&mut self.merge_buffers);
        let search = &*self;
        let pending = &mut stages.pending;
        let (done, merged) = search.workers.run_beside(
            threads,
            fills + chunks,
            |task| match &filling {
                Some(f) if task < fills => Done::Filled(search.fill(task, &f.expanded)),
                _ => {
                    let c = task - fills;
                    Done::Expanded(search.expand(level, first + bounds[c], first + bounds[c + 1]))
                }
            },
            // The merged batch's buffers are freed here too, beside the other tasks.
            || {
                pending
                    .take()
                    .map_or(Ok(()), |b| merging.merge(&b, &mut buffers, words, max_states, next, level_has_new))
            },
        );
        self.merge_buffers = buffers;
        self.chunk_bounds = bounds;
        (self.stats, self.trail, self.allowed) = (merging.stats, merging.trail, merging.allowed);
        if *level_has_new {
            self.stats.max_depth = depth + 1;
        }
        merged?;
        let (mut filled, mut expanded) = (Vec::with_capacity(fills), Vec::with_capacity(chunks));
        for d in done {
            match d {
                Done::Filled(f) => filled.push(f),
                Done::Expanded(e) => expanded.push(e),
            }
        }
        if let Some(f) = filling {
            if let Some(limit) = filled.iter().find_map(|f| f.stopped) {
                return Err(Stop::Limit(limit));
            }
            let news: usize = filled.iter().map(|f| f.news.len()).sum();
            self.new_share = (news * 1024).div_ceil(candidates.max(1)).clamp(1, 1024);
            stages.pending = Some(Pending { first: f.first, end: f.end, expanded: f.expanded, filled });
        }
        if batch.is_none() {
            return Ok(());
        }
        if expanded.iter().any(|e| e.interrupted) {
            // The batch filled meanwhile may stop the search before this one.
            self.merge_pending(&mut stages.pending, next, level_has_new, depth)?;
            return Err(Stop::Limit(self.guard.cut_short_by()));
        }
        if !G::RECORDS || self.mode.checks() {
            // A recording that checks plans as the safety search does (see `batch_plan`).
            let total: usize = expanded.iter().flat_map(|e| &e.successors).map(|&n| n as usize).sum();
            self.successors_per_state = (total.div_ceil(end - first)).clamp(1, 64);
        }
        stages.expansion = Some(Expansion { first, end, threads: self.batch_threads, expanded });
        Ok(())
    }

    /// Step 1 for the states at positions `from..to` of `level`.
    fn expand(&self, level: &[u64], from: usize, to: usize) -> Expanded<G::Label> {
        // Room for about as many successors per state as the search has seen so far, so that
        // the buckets rarely grow.
        let expect = ((to - from) * self.successors_per_state).div_ceil(SHARDS) + 8;
        let bucket = || Bucket {
            keys: Vec::with_capacity(expect),
            hashes: Vec::with_capacity(expect),
            packed: Vec::with_capacity(expect * self.words),
        };
        let mut out = Expanded {
            states: to - from,
            interrupted: false,
            buckets: (0..SHARDS).map(|_| bucket()).collect(),
            successors: Vec::with_capacity(to - from),
            violation: None,
            allowed: Vec::new(),
            labels: Vec::new(),
            shards: Vec::new(),
            marks: Vec::new(),
        };
        let mut expander = Expander::new(self.model);
        for pos in from..to {
            let source = &level[pos * self.words..(pos + 1) * self.words];
            let mut chunk = Chunk { out: &mut out, mode: &self.mode, pos: pos as u32 };
            match expander.expand(source, self.guard, self.mode.checks(), &mut chunk) {
                Outcome::Expanded(_) => {}
                Outcome::StepViolation { ord, violation } => {
                    out.violation = Some((Key { pos: pos as u32, ord }, violation));
                    return out;
                }
                Outcome::Interrupted(_) => {
                    out.interrupted = true;
                    return out;
                }
            }
        }
        out
    }

    /// Step 2 for shard `s`: its targets from every chunk, in key order.
    fn fill(&self, s: usize, expanded: &[Expanded<G::Label>]) -> Filled {
        let mut shard = lock(&self.shards[s]);
        let base = shard.len() as u32;
        // Room for as many new states as the last batch's share of new targets promises, and
        // an eighth more.
        let targets: usize = expanded.iter().map(|e| e.buckets[s].keys.len()).sum();
        let room = (targets * self.new_share).div_ceil(1024);
        let room = if G::RECORDS { 0 } else { room + room / 8 };
        let news = Vec::with_capacity(room);
        let packed = Vec::with_capacity(room * self.words);
        let mut filled = Filled { news, packed, stopped: None, locals: Vec::new(), base };
        let mut admitter = Admitter::new(self.model);
        for e in expanded {
            let b = &e.buckets[s];
            for (i, (&key, &hash)) in b.keys.iter().zip(&b.hashes).enumerate() {
                // A batch of large states can take seconds to insert and check: a bound that
                // passed meanwhile stops it here, within its slack.
                if i % BOUND_LOOK_EVERY == 0 {
                    if let Some(limit) = self.guard.exceeded() {
                        filled.stopped = Some(limit);
                        return filled;
                    }
                }
                // The table slot of a state a few ahead: its cache miss overlaps this one's
                // insertion instead of following it.
                if let Some(&ahead) = b.hashes.get(i + PREFETCH_AHEAD) {
                    shard.prefetch(ahead);
                }
                // And, for a shard of numbered states, the stored state a lookup half as far
                // ahead compares, from its slot fetched meanwhile.
                if let Some(&ahead) = b.hashes.get(i + PREFETCH_AHEAD / 2) {
                    shard.prefetch_state(ahead);
                }
                let packed = &b.packed[i * self.words..(i + 1) * self.words];
                let checks = self.mode.checks();
                let admitted = if G::RECORDS {
                    let numbered =
                        admitter.admit_numbered(&mut shard, packed, hash, self.guard, checks, self.max_states);
                    numbered.map(|(local, admitted)| {
                        filled.locals.push(local);
                        admitted
                    })
                } else {
                    admitter.admit(&mut shard, packed, hash, self.guard, checks)
                };
                match admitted {
                    Err(limit) => {
                        filled.stopped = Some(limit);
                        return filled;
                    }
                    Ok(Admitted::Known) => {}
                    Ok(Admitted::New(Some(violation))) if G::RECORDS => {
                        // The batch stops the recording: the rest of it is not needed.
                        filled.news.push(New { key, violation: Some(violation) });
                        return filled;
                    }
                    Ok(Admitted::New(violation)) => {
                        // A recording finds its new states by their numbers (`locals`).
                        if !G::RECORDS {
                            filled.news.push(New { key, violation });
                        }
                        filled.packed.extend_from_slice(packed);
                    }
                }
            }
        }
        filled
    }

    /// Rebuilds the run to the violation from the successor numbers the trail names (and,
    /// for a violation at a transition of the current level, that transition last), with
    /// [`crate::path::rebuild`]. `None` when a bound passed meanwhile and the model's
    /// successors stopped early.
    fn counterexample(&self, violation: Violation, key: Option<Key>) -> Option<Counterexample<M::State, M::Step>> {
        let mut ordinals = Vec::new();
        if let Some(key) = key {
            let depth = self.trail.levels() - 1;
            ordinals = self.trail.ordinals_to(depth, key.pos);
            ordinals.push(key.ord);
        }
        Some(crate::path::rebuild(self.model, &ordinals)?.into_counterexample(violation, true))
    }
}
