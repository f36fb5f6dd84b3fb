//! Depth-first search, on one thread, over the visited store the breadth-first search uses:
//! [`SHARDS`] [`Shard`]s of whole packed states, or of fingerprints with `--fingerprints`, a
//! state's shard fixed by its hash (so a table grows a sixteenth at a time, as the
//! breadth-first search's do, and the stored figures of both searches compare).
//!
//! Every reachable state is stored once and expanded once, first successor first. Properties
//! are checked in the order [`Checkable`] documents. A counterexample found depth first need
//! not be a shortest one.
//!
//! The store keeps nothing but the states: no parent link, no depth. The search keeps what it
//! needs in its stack, sized by the depth rather than by the states stored: one [`Frame`] per
//! state on the run to the state being expanded, holding the new states its expansion found
//! (packed, in successor order) and which of them is taken. The taken state of each frame is
//! the run to the state being expanded, whose first discoverer each state on it is: the run
//! the parent links of the old store walked, so traces are the same; and no state is ever
//! read back from the store, so it may hold fingerprints.
//!
//! A state is expanded, and each target admitted as it is handed over, through
//! `expansion.rs` ([`Expander`], [`Admitter::admit_unpacked`]), as the breadth-first search
//! and the cluster expand and admit theirs: only the stack is this search's own.

use std::ops::ControlFlow;
use std::time::Instant;

use crate::allowed::{AllowedEvent, AllowedTally};
use crate::checkable::Checkable;
use crate::expansion::{Admitted, Admitter, Expander, Outcome, Transitions};
use crate::explore::{Progress, CHECK_EVERY};
use crate::fingerprint::hash_words;
use crate::guard::Guard;
use crate::limits::{Limit, Limits, Strategy};
use crate::properties::Violation;
use crate::request::Dfs;
use crate::result::{CheckResult, Counterexample, TraceStep, Verdict};
use crate::stats::{Stats, Storage};
use crate::visited::{shard_of, Shard, SHARDS};

/// Depth-first search of `model` with `engine`'s storage within `limits`, under `guard`; see
/// the module comment.
pub(crate) fn dfs<M: Checkable>(
    model: &M,
    engine: &Dfs,
    limits: &Limits,
    guard: &Guard,
    progress: &mut dyn FnMut(&Progress<'_>),
) -> CheckResult<M::State, M::Step> {
    let words = model.packed_words();
    let fingerprints = engine.stores_fingerprints();
    let mut search = Search {
        model,
        limits,
        words,
        store: (0..SHARDS).map(|_| Shard::new(words, fingerprints)).collect(),
        found: Vec::new(),
        frames: Vec::new(),
        stats: Stats { storage: Storage::of(fingerprints, words), ..Stats::default() },
        start: Instant::now(),
        guard,
        allowed: AllowedTally::default(),
    };
    let verdict = search.run(progress);
    let mut stats = search.stats;
    let bytes = search.store.iter().map(Shard::bytes).sum::<usize>();
    stats.wrap_up(search.start, bytes as u64, 1, search.allowed.into_counts());
    CheckResult { verdict, stats, strategy: Strategy::Dfs }
}

/// One level of the stack: the new states one expansion found, `found[start..end]`, of which
/// the one ending at `next` is being expanded (or its subtree is) and those after it wait.
#[derive(Clone, Copy)]
struct Frame {
    start: usize,
    next: usize,
    end: usize,
}

struct Search<'m, M: Checkable> {
    model: &'m M,
    limits: &'m Limits,
    /// Words per packed state.
    words: usize,
    /// The visited set: shard [`shard_of`] a state's hash holds it.
    store: Vec<Shard>,
    /// The frames' states, packed back to back, the top frame's last.
    found: Vec<u64>,
    /// The stack: frame `d` holds states of depth `d` (frame 0 the initial state alone).
    frames: Vec<Frame>,
    /// Counts so far: `states` is how many the store holds.
    stats: Stats,
    start: Instant,
    guard: &'m Guard,
    /// The allowed events of the transitions counted in `stats.transitions`.
    allowed: AllowedTally,
}

/// Where a search stopped early.
enum Stop<St, Sp> {
    /// A violation: in the state being expanded (`None`), in the new state it reached, packed,
    /// or on a step out of it.
    Violation(Violation, Option<Last<St, Sp>>),
    /// A bound.
    Limit(Limit),
}

/// What a violation's run has after the state being expanded.
enum Last<St, Sp> {
    /// A new state, packed, in which a property failed.
    State(Vec<u64>),
    /// A step on which a property failed, and the state it reaches.
    Step(Sp, St),
}

/// The receiver of one expansion's transitions: counts their allowed events, and admits each
/// target into the store as it is handed over, pushing a new one onto the top of `found`;
/// stops the expansion at a new state that breaks a property or at a bound.
struct Admit<'s, 'm, M: Checkable> {
    store: &'s mut [Shard],
    found: &'s mut Vec<u64>,
    stats: &'s mut Stats,
    allowed: &'s mut AllowedTally,
    admitter: &'s mut Admitter<'m, M>,
    guard: &'s Guard,
    max_states: u64,
    /// The depth of the state being expanded.
    depth: u32,
    /// Where the expansion stopped, boxed so that an expansion that did not stop moves one
    /// word out of the receiver.
    stop: Option<Box<Stop<M::State, M::Step>>>,
}

impl<M: Checkable> Transitions<M> for Admit<'_, '_, M> {
    #[inline]
    fn allowed(&mut self, _: u32, events: &[AllowedEvent]) {
        self.allowed.add_transition(events);
    }

    #[inline]
    fn target(&mut self, _: u32, state: &M::State, packed: &[u64], hash: u64) -> ControlFlow<()> {
        let shard = &mut self.store[shard_of(hash)];
        let held = self.stats.states;
        match self.admitter.admit_unpacked(shard, packed, hash, state, self.guard, held, self.max_states) {
            Ok(Admitted::Known) => ControlFlow::Continue(()),
            Ok(Admitted::New(violation)) => {
                self.stats.states += 1;
                self.stats.max_depth = self.stats.max_depth.max(self.depth + 1);
                if let Some(v) = violation {
                    self.stop = Some(Box::new(Stop::Violation(v, Some(Last::State(packed.to_vec())))));
                    return ControlFlow::Break(());
                }
                self.found.extend_from_slice(packed);
                ControlFlow::Continue(())
            }
            Err(limit) => {
                self.stop = Some(Box::new(Stop::Limit(limit)));
                ControlFlow::Break(())
            }
        }
    }
}

impl<M: Checkable> Search<'_, M> {
    fn run(&mut self, progress: &mut dyn FnMut(&Progress<'_>)) -> Verdict<M::State, M::Step> {
        match self.search(progress) {
            Ok(None) => Verdict::Ok,
            Ok(Some(limit)) | Err(Stop::Limit(limit)) => Verdict::Incomplete(limit),
            Err(Stop::Violation(violation, last)) => match self.counterexample(violation, last) {
                Some(c) => Verdict::Violation(c),
                // A bound passed while the run was rebuilt, and the model stopped early.
                None => Verdict::Incomplete(self.guard.cut_short_by()),
            },
        }
    }

    /// Runs the search; `Ok(Some(limit))` when it finished but skipped states beyond the
    /// depth limit.
    #[allow(clippy::type_complexity)]
    fn search(&mut self, progress: &mut dyn FnMut(&Progress<'_>)) -> Result<Option<Limit>, Stop<M::State, M::Step>> {
        let limits = *self.limits;
        let words = self.words;
        let mut packed = vec![0u64; words];
        let initial = self.model.initial_state();
        self.model.pack(&initial, &mut packed);
        let hash = hash_words(&packed);
        self.store[shard_of(hash)].insert(&packed, hash);
        self.stats.states = 1;
        self.found.extend_from_slice(&packed);
        self.frames.push(Frame { start: 0, next: words, end: words });
        if let Some(v) = self.model.check_state(&initial) {
            return Err(Stop::Violation(v, None));
        }
        let max_states = limits.max_states.unwrap_or(u64::MAX).min(u32::MAX as u64 - 1);
        let mut depth_cut = None;
        let mut expanded: u64 = 0;
        let mut expander = Expander::new(self.model);
        let mut admitter = Admitter::new(self.model);
        loop {
            // Expands the top frame's taken state.
            expanded += 1;
            if expanded & (CHECK_EVERY - 1) == 0 {
                // The expansion asks the bound too; asked first here, a passed bound is not
                // reported as progress.
                if let Some(limit) = self.guard.exceeded() {
                    return Err(Stop::Limit(limit));
                }
                self.stats.elapsed = self.start.elapsed();
                let frontier = self.frames.iter().map(|f| (f.end - f.next) / words).sum();
                progress(&Progress { stats: &self.stats, frontier });
            }
            let depth = (self.frames.len() - 1) as u32;
            let at = self.frames[depth as usize].next - words;
            if limits.max_depth.is_some_and(|max| depth >= max) {
                if expander.has_successor(&self.found[at..at + words], self.guard).map_err(Stop::Limit)? {
                    depth_cut = Some(Limit::MaxDepth(depth));
                }
            } else {
                let start = self.found.len();
                // Unpacked first: its new states extend `found`, which holds it packed.
                expander.load(&self.found[at..at + words]);
                let mut admit = Admit {
                    store: &mut self.store,
                    found: &mut self.found,
                    stats: &mut self.stats,
                    allowed: &mut self.allowed,
                    admitter: &mut admitter,
                    guard: self.guard,
                    max_states,
                    depth,
                    stop: None,
                };
                let outcome = expander.expand_loaded(self.guard, true, &mut admit);
                let stop = admit.stop;
                match outcome {
                    Outcome::Expanded(n) => self.stats.transitions += n as u64,
                    Outcome::StepViolation { ord, violation } => {
                        self.stats.transitions += ord as u64 + 1;
                        // The run reached depth + 1, though its last state is not stored.
                        self.stats.max_depth = self.stats.max_depth.max(depth + 1);
                        let (step, next) = expander.take(ord);
                        return Err(Stop::Violation(violation, Some(Last::Step(step, next))));
                    }
                    Outcome::Interrupted(limit) => return Err(Stop::Limit(limit)),
                }
                if let Some(stop) = stop {
                    return Err(*stop);
                }
                if self.found.len() > start {
                    // The first new state is expanded next.
                    self.frames.push(Frame { start, next: start + words, end: self.found.len() });
                    continue;
                }
            }
            // Back up to the deepest frame with a state left, and take it.
            loop {
                let Some(top) = self.frames.last_mut() else { return Ok(depth_cut) };
                if top.next < top.end {
                    top.next += words;
                    break;
                }
                self.found.truncate(top.start);
                self.frames.pop();
            }
        }
    }

    /// The packed states of the run from the initial state to the state being expanded: the
    /// taken state of each frame.
    fn path(&self) -> impl Iterator<Item = &[u64]> {
        self.frames.iter().map(|f| &self.found[f.next - self.words..f.next])
    }

    /// Rebuilds the run to the state being expanded, and `last` after it, from its successor
    /// numbers, with [`crate::path::rebuild`]. `None` when a bound passed meanwhile and the
    /// model's successors stopped early.
    fn counterexample(
        &self,
        violation: Violation,
        last: Option<Last<M::State, M::Step>>,
    ) -> Option<Counterexample<M::State, M::Step>> {
        let mut states: Vec<&[u64]> = self.path().collect();
        if let Some(Last::State(packed)) = &last {
            states.push(packed);
        }
        let mut run = crate::path::rebuild(self.model, &self.ordinals(&states)?)?;
        if let Some(Last::Step(step, state)) = last {
            run.steps.push(TraceStep { step, state });
        }
        Some(run.into_counterexample(violation, false))
    }

    /// The successor numbers along the packed `states`: at each, the first successor that
    /// packs to the next, which is the one that discovered it (a state's successors are met
    /// in order). Worked out once, for a counterexample, rather than kept for every state.
    /// `None` when a bound cut the successors short.
    fn ordinals(&self, states: &[&[u64]]) -> Option<Vec<u32>> {
        let mut ordinals = Vec::with_capacity(states.len());
        let mut successors = Vec::new();
        let mut packed = vec![0u64; self.words];
        for pair in states.windows(2) {
            let parent = self.model.unpack(pair[0]);
            successors.clear();
            self.model.successors(&parent, &mut successors);
            let ord = crate::path::find(&successors, |_, next| {
                self.model.pack(next, &mut packed);
                packed == pair[1]
            })?;
            ordinals.push(ord as u32);
        }
        Some(ordinals)
    }
}

#[cfg(test)]
mod tests {
    use mutexcheck_core::{Action, System};

    use crate::explore::explore;
    use crate::limits::{Limits, Strategy};
    use crate::request::{Dfs, Engine, Request};
    use crate::result::Verdict;
    use crate::stats::Storage;
    use crate::system_model::{Move, Reductions, SystemModel};
    use crate::test_model::Doubling;

    #[test]
    fn depth_first_follows_the_first_successor_first() {
        // It expands 0, 1, 2 (finding 3 and 4), then 3 (4 is known; finds 6), 6 (finds 7),
        // 7 (finds 8), 8 (finds 9): the discovery path of 9 goes through 3, not 4.
        let request = Request::new().engine(Strategy::Dfs);
        let r = explore(&Doubling { n: 10, target: 9 }, &request, &request.guard(), &mut |_| {});
        let path: Vec<u64> = r.counterexample().unwrap().steps.iter().map(|s| s.state).collect();
        assert_eq!(path, vec![1, 2, 3, 6, 7, 8, 9]);
    }

    /// The system of `file` in `models/`.
    fn shipped(file: &str) -> System {
        let text =
            std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models").join(file)).unwrap();
        System::new(mutexcheck_lang::compile(file, &text).unwrap()).unwrap()
    }

    /// Each step of a move as its actor and, for a statement, its program counter.
    fn steps(system: &System, m: &Move) -> Vec<String> {
        m.through
            .iter()
            .chain([&m.last])
            .map(|s| match s.action {
                Action::Run { pc, .. } => format!("{}@{pc}", system.actor(&s.action)),
                _ => format!("{} {}", system.actor(&s.action), system.outcome_text(&s.outcome)),
            })
            .collect()
    }

    /// What the depth-first search on `engine` finds in `system`, before the run is told as a
    /// story: the run's steps (none without a violation) and the counts.
    fn found(system: &System, reductions: Reductions, engine: Engine, limits: Limits) -> (Vec<String>, [u64; 3]) {
        let model = SystemModel::new(system, reductions);
        let request = Request::new().engine(engine).limits(limits);
        let r = explore(&model, &request, &request.guard(), &mut |_| {});
        let run = match &r.verdict {
            Verdict::Violation(c) => c.steps.iter().flat_map(|s| steps(system, &s.step)).collect(),
            _ => Vec::new(),
        };
        (run, [r.stats.states, r.stats.transitions, r.stats.max_depth as u64])
    }

    /// Whole states and fingerprints.
    fn both_storages() -> [Engine; 2] {
        [Dfs::new().into(), Dfs::new().fingerprints(true).into()]
    }

    #[test]
    fn depth_first_finds_the_runs_and_counts_of_the_search_over_its_own_arena_whatever_it_stores() {
        // Pinned from the search over an arena with a parent link and a depth per state that
        // the visited store replaced (main at af0b30a): the same states, met in the same order,
        // reached by the same runs, under every bound, with whole states or fingerprints.
        let seed = shipped("seed_bug.mc");
        let sections = shipped("two_sections_crash.mc");
        let dining = shipped("dining_deadlock.mc");
        let repair = shipped("restart_repair.mc");
        let at = |states, depth| Limits { max_states: states, max_depth: depth, ..Limits::default() };
        let w = |steps: &[&str]| steps.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let seed_run = w(&[
            "worker[0]@0",
            "worker[0]@1",
            "worker[0]@2",
            "worker[0]@3",
            "worker[0]@4",
            "worker[0]@5",
            "worker[0]@6",
            "worker[0]@0",
            "worker[0]@1",
            "worker[0]@2",
            "worker[0]@3",
            "worker[0]@4",
            "worker[1]@0",
            "worker[1]@1",
            "worker[1]@2",
            "worker[1]@6",
            "worker[1]@0",
            "worker[0] crashed",
            "worker[1]@1",
            "worker[1]@2",
            "worker[1]@6",
            "worker[1]@0",
        ]);
        let sections_run = w(&[
            "transfer@0",
            "transfer@1",
            "transfer@2",
            "audit@0",
            "audit@1",
            "audit@2",
            "audit@4",
            "audit@5",
            "transfer crashed",
        ]);
        let dining_run = w(&["philosopher[0]@0", "philosopher[1]@0", "philosopher[2]@0"]);
        let cases = [
            (&seed, Reductions::NONE, at(None, None), seed_run, [214, 429, 30]),
            (&seed, Reductions::ALL, at(Some(20), None), vec![], [20, 24, 9]),
            (&seed, Reductions::NONE, at(None, Some(5)), vec![], [43, 74, 5]),
            (&sections, Reductions::ALL, at(None, None), sections_run.clone(), [56, 75, 11]),
            (&sections, Reductions::NONE, at(None, None), sections_run, [61, 82, 12]),
            (&dining, Reductions::ALL, at(None, Some(5)), dining_run, [18, 21, 5]),
            (&repair, Reductions::NONE, at(None, None), vec![], [175, 311, 17]),
            (&repair, Reductions::NONE, at(Some(20), None), vec![], [20, 21, 5]),
            (&repair, Reductions::ALL, at(None, Some(5)), vec![], [53, 74, 5]),
        ];
        for (i, (system, reductions, limits, run, counts)) in cases.into_iter().enumerate() {
            for engine in both_storages() {
                assert_eq!(found(system, reductions, engine, limits), (run.clone(), counts), "case {i}, {engine:?}");
            }
        }
    }

    #[test]
    fn depth_first_with_fingerprints_gets_the_whole_state_result_on_every_model() {
        // Every kind of shard is met: one-word states (stored as exact hashes either way), two
        // words (a table of pairs against fingerprints) and more (an arena against them).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        let mut files: Vec<String> = ["", "case-studies/"]
            .iter()
            .flat_map(|sub| {
                std::fs::read_dir(dir.join(sub))
                    .unwrap()
                    .map(move |e| format!("{sub}{}", e.unwrap().file_name().into_string().unwrap()))
            })
            .filter(|f| f.ends_with(".mc"))
            .collect();
        files.sort();
        let mut words_seen = std::collections::BTreeSet::new();
        for file in &files {
            let system = shipped(file);
            let words = system.packer().words();
            words_seen.insert(words.min(3));
            for reductions in [Reductions::ALL, Reductions::NONE] {
                let model = SystemModel::new(&system, reductions);
                let [whole, fingerprints] = both_storages().map(|engine| {
                    let request = Request::new().engine(engine);
                    explore(&model, &request, &request.guard(), &mut |_| {})
                });
                assert_eq!(fingerprints.verdict, whole.verdict, "{file}");
                let counts = |r: &crate::CheckResult<_, _>| (r.stats.states, r.stats.transitions, r.stats.max_depth);
                assert_eq!(counts(&fingerprints), counts(&whole), "{file}");
                assert_eq!(whole.stats.storage, Storage::Full, "{file}");
                assert_eq!(fingerprints.stats.storage, Storage::Fingerprints { exact: words == 1 }, "{file}");
            }
        }
        assert_eq!(words_seen.into_iter().collect::<Vec<_>>(), [1, 2], "models of one and of two words");
    }

    #[test]
    fn depth_first_over_states_of_three_words_finds_the_same_run_with_whole_states_and_fingerprints() {
        // Ten 16-bit variables: three words a state, kept in an arena (or as fingerprints). p
        // sets v0..v4, q sets v5..v9; the states are the pairs of their pcs. Depth first runs
        // p to its end first, meeting (i, 0) and (i, 1) for i < 5 and (5, 0); then (5, 1),
        // whose expansion finds (5, 2), and so on to (5, 5), where the end property fails:
        // 1 + 2 * 5 + 5 = 16 states, 2 * 5 + 1 + 4 = 15 transitions, depth 10.
        let mut text = String::from("model wide\ncrashes 0\n");
        for v in 0..10 {
            text.push_str(&format!("shared v{v}: 0..60000 = 0\n"));
        }
        text.push_str("at end: v0 < 60000\nprocess p {\n");
        for v in 0..10 {
            text.push_str(&format!("    v{v} = 60000\n{}", if v == 4 { "}\nprocess q {\n" } else { "" }));
        }
        text.push_str("}\n");
        let system = System::new(mutexcheck_lang::compile("wide.mc", text.as_bytes()).unwrap()).unwrap();
        assert_eq!(system.packer().words(), 3);
        let run: Vec<String> = (0..5).map(|pc| format!("p@{pc}")).chain((0..5).map(|pc| format!("q@{pc}"))).collect();
        // With room for five states: (0, 0); (1, 0), (0, 1); (2, 0), (1, 1); then (3, 0) is new
        // and stops the search, on its fifth transition.
        let five = Limits { max_states: Some(5), ..Limits::default() };
        for engine in both_storages() {
            assert_eq!(found(&system, Reductions::NONE, engine, Limits::default()), (run.clone(), [16, 15, 10]));
            assert_eq!(found(&system, Reductions::NONE, engine, five), (vec![], [5, 5, 2]));
        }
    }
}
