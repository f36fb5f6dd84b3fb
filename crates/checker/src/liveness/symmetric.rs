//! Liveness under symmetry: livelock and starvation searched in the quotient graph (one
//! state per class of states that differ by a renaming of interchangeable instances), with
//! verdicts that are always those of the unreduced check.
//!
//! **Why a quotient component cannot simply be judged like a component of the real graph.**
//! A quotient edge is labelled with the thread that moved in the coordinates of its source
//! representative, and the renaming that canonicalizes changes along a run: "thread p moves
//! somewhere in the component" does not mean that one real thread moves. What does hold:
//!
//! - **Projection.** A real fair cycle `s₀ → … → sₖ = s₀` that breaks a property projects,
//!   state by state, onto a closed walk of quotient states; if `ρᵢ(sᵢ)` is the canonical form
//!   of `sᵢ`, the real step of thread `u` from `sᵢ` is the quotient edge of thread `ρᵢ(u)`
//!   from `ρᵢ(sᵢ)` with the same operation and outcome. So the walk lies in one strongly
//!   connected component of the goal's quotient subgraph, provided the goal's edge filter is
//!   the same for a step and its renamings. Livelock's filter (no `progress` step) is.
//!   Starvation's ("thread t does not acquire m") is not under all renamings, but it is under
//!   those that leave t's instance in place: starvation of t is searched in the quotient of
//!   that subgroup (pinned canonicalization, [`System::canonicalize_swap`]), where t keeps
//!   its coordinates and "others acquire m" and "t tries for m" are exact too. And since a
//!   renaming maps a run where t starves to one where its image starves, one thread per
//!   orbit is enough: the threads of the first instance of each symmetric template (and every
//!   thread of a template without symmetry).
//! - **Necessary condition.** Fairness of the real cycle says each real thread u moves or is
//!   unable to move in some `sᵢ`; then `ρᵢ(u)`, a member of u's orbit, moves or is unable to
//!   move in `ρᵢ(sᵢ)`. So the component holds, for every orbit of threads (under the group
//!   the quotient was made with), a step of some member or a state where some member cannot
//!   move. For a thread in no orbit with others, that is exactly the unreduced condition.
//!
//! Hence when no component of the quotient meets the necessary condition and the goal's
//! needs, there is no violation of the goal: that answer is exact. When one does, the
//! component need not hold a real fair cycle (the members that move may be the wrong ones),
//! so a lasso is *lifted* from it to a real run (`lift.rs`) and checked on the unreduced
//! model with [`super::recheck`], the check `replay` runs. A lasso that passes is a real
//! violation and is reported; if no lift of the first components passes, the goal and every
//! later one are decided by the check without symmetry (`check_goals`), which is exact.
//! Either way the verdict is the unreduced one; symmetry only makes the common cases (no
//! violation; a violation whose lift is fair) fast. Goals are tried in the unreduced order
//! (livelock, then starvation mutex by mutex), so the kind of violation reported is the same
//! too; which thread a starvation names may differ (another of the same orbit).
//!
//! **With partial-order reduction as well**, the quotient's edges are the moves of the
//! representatives ([`SystemModel`] with both reductions). The projection still holds: take
//! a real fair violating run from a representative `r`; if `r` is transient, the argument
//! of the module comment of [`super`] turns it into a fair run that starts with `r`'s
//! reduced step, passes the same `progress` steps and acquisitions, and keeps every other
//! thread able or unable to move in the same places (that argument is about one real state
//! and its threads, and needs no symmetry); follow the move to its end, rename the rest of
//! the run by the renaming that canonicalizes the move's last state, and repeat. The moves
//! taken form an infinite run of the quotient whose suffix stays in one component, in which
//! every real thread's steps and unable places appear renamed: on moves (their movers, and
//! the threads unable in their transient states) and on states. The necessary condition is
//! judged on exactly those facts, so it stays necessary; and whatever is lifted is checked
//! on the unreduced model as before.

use std::collections::BTreeMap;

use mutexcheck_core::symmetry::Symmetry;
use mutexcheck_core::{State, System, ThreadId};

use crate::guard::Guard;
use crate::limits::{Limit, Limits};
use crate::result::{Counterexample, TraceStep};
use crate::stats::Stats;
use crate::system_model::{Reductions, SystemModel};

use super::lift::{lift, Need, Scope};
use super::scc::{LiveGraph, Tarjan};
use super::{check_goals, goals, record_graph, Goal, LiveOptions, LiveOutcome};

/// How many components meeting the necessary condition a goal tries to lift a lasso from
/// before it leaves the goal to the check without symmetry.
const TRIED_COMPONENTS: usize = 8;

/// The quotient model of a goal: symmetry (pinned for a starving interchangeable thread)
/// and partial-order reduction as asked.
fn quotient<'a>(system: &'a System, options: &LiveOptions, pinned: Option<usize>, guard: &Guard) -> SystemModel<'a> {
    let reductions = Reductions { partial_order: options.reductions.partial_order, symmetry: true };
    let model = SystemModel::new(system, reductions).with_interrupt(guard.interrupt());
    match pinned {
        Some(p) => model.with_pinned(p),
        None => model,
    }
}

/// The liveness verdict of `system` under symmetry reduction (see the module comment): the
/// verdict of the check without it, found in the quotient graph when it can be.
pub(super) fn check(system: &System, options: &LiveOptions, limits: &Limits, guard: &Guard) -> LiveOutcome {
    let sym = system.symmetry();
    let start = std::time::Instant::now();
    let goals = representative_goals(system, &sym);
    let mut stats = Stats { threads: 1, ..Stats::default() };
    let mut reductions = Reductions { partial_order: options.reductions.partial_order, symmetry: true };
    let mut graphs: BTreeMap<Option<usize>, Result<LiveGraph, Limit>> = BTreeMap::new();
    let mut found = Ok(None);
    for (i, &goal) in goals.iter().enumerate() {
        if let Some(limit) = guard.exceeded() {
            found = Err(limit);
            break;
        }
        let pinned = pinned_for(system, &sym, goal);
        let model = quotient(system, options, pinned, guard);
        let first_graph = graphs.is_empty();
        let graph = graphs.entry(pinned).or_insert_with(|| {
            let (graph, s) = record_graph(&model, limits, options.threads, guard);
            add(&mut stats, &s);
            if first_graph {
                // The allowed events of the model, as the first quotient counts them.
                stats.allowed = s.allowed;
            }
            graph
        });
        let graph = match graph {
            Ok(graph) => graph,
            Err(limit) => {
                found = Err(*limit);
                break;
            }
        };
        match search_goal(&model, graph, goal) {
            Answer::Absent => continue,
            Answer::Lasso(lasso) => {
                found = Ok(Some(lasso));
                break;
            }
            Answer::Undecided => {
                // The exact answer for this goal and the later ones: the check without symmetry.
                let exact = check_goals(system, options, &goals[i..], limits, guard);
                add(&mut stats, &exact.stats);
                reductions = exact.reductions;
                found = exact.found;
                break;
            }
        }
    }
    stats.elapsed = start.elapsed();
    stats.peak_rss_kb = crate::stats::peak_rss_kb();
    LiveOutcome { found, stats, reductions }
}

/// Adds the counts of a recording to `stats`.
fn add(stats: &mut Stats, s: &Stats) {
    stats.states += s.states;
    stats.transitions += s.transitions;
    stats.max_depth = stats.max_depth.max(s.max_depth);
    stats.stored_bytes += s.stored_bytes;
}

/// The goals of the model's properties, one thread per orbit for starvation, in the order of
/// [`goals`].
fn representative_goals(system: &System, sym: &Symmetry) -> Vec<Goal> {
    let orbits = sym.thread_orbits(system, None);
    goals(system)
        .into_iter()
        .filter(|g| match *g {
            Goal::Livelock => true,
            Goal::Starvation { starving, .. } => orbits[starving as usize] == starving,
        })
        .collect()
}

/// The instance a goal's quotient keeps in place: the starving thread's, if it is
/// interchangeable.
fn pinned_for(system: &System, sym: &Symmetry, goal: Goal) -> Option<usize> {
    match goal {
        Goal::Livelock => None,
        Goal::Starvation { starving, .. } => {
            let p = system.layout().threads[starving as usize].process;
            sym.is_interchangeable(p).then_some(p)
        }
    }
}

/// What the quotient says of one goal.
enum Answer {
    /// No component meets the necessary condition: no violation (exact).
    Absent,
    /// A lifted lasso that the unreduced model confirms.
    Lasso(Counterexample),
    /// Components meet the condition but no lift of them was confirmed.
    Undecided,
}

fn search_goal(model: &SystemModel<'_>, graph: &LiveGraph, goal: Goal) -> Answer {
    let system = model.system();
    let Some((sym, pinned)) = model.symmetry() else { return Answer::Undecided };
    let orbits = sym.thread_orbits(system, pinned);
    let components = component_map(graph, goal);
    let mut tried = 0;
    for component in candidates(graph, goal, &orbits, &components) {
        if tried == TRIED_COMPONENTS {
            break;
        }
        tried += 1;
        let inside = |s: u32| components.of[s as usize] == component;
        let scope = Scope { graph, goal, inside: &inside };
        let entry = components.first[component as usize];
        let Some(lifted) = lift(model, &scope, entry, &needs(system, goal)) else { continue };
        if let Some(lasso) = confirm(system, goal, &lifted.ordinals, lifted.cycle_start) {
            return Answer::Lasso(lasso);
        }
    }
    if tried == 0 {
        Answer::Absent
    } else {
        Answer::Undecided
    }
}

/// What a cycle must pass for `goal`: fairness of every thread, then the goal's own needs.
fn needs(system: &System, goal: Goal) -> Vec<Need> {
    let mut needs: Vec<Need> = (0..system.thread_count() as ThreadId).map(Need::Fair).collect();
    if let Goal::Starvation { mutex, starving } = goal {
        needs.push(Need::OtherAcquires(mutex, starving));
        needs.push(Need::Tries(mutex, starving));
    }
    needs
}

/// The strongly connected components of the goal's subgraph of the quotient.
struct Components {
    /// The component of each state.
    of: Vec<u32>,
    /// The smallest state of each component.
    first: Vec<u32>,
}

fn component_map(graph: &LiveGraph, goal: Goal) -> Components {
    let keep: Vec<bool> = graph.facts.iter().map(|f| goal.keeps(f)).collect();
    let mut of = vec![0u32; graph.graph.states()];
    let mut first = Vec::new();
    graph.components(&keep, &mut Tarjan::default(), &mut |states| {
        for &s in states {
            of[s as usize] = first.len() as u32;
        }
        first.push(states[0]);
    });
    Components { of, first }
}

/// The components that meet the necessary condition and the goal's needs (see the module
/// comment), in the order of their first state (breadth-first discovery: deterministic, and
/// near the start).
fn candidates(graph: &LiveGraph, goal: Goal, orbits: &[ThreadId], components: &Components) -> Vec<u32> {
    let count = components.first.len();
    let threads = graph.threads;
    let g = &graph.graph;
    // Per component: an inner edge; per orbit, a member moves or cannot move; the goal's needs.
    let mut inner = vec![false; count];
    let mut orbit_met = vec![vec![false; threads]; count];
    let mut others_acquire = vec![false; count];
    let mut tries = vec![false; count];
    for s in 0..g.states() as u32 {
        let c = components.of[s as usize] as usize;
        for e in g.row(s) {
            let f = graph.facts_in(s, e);
            if components.of[g.target(e) as usize] as usize != c || !goal.keeps(f) {
                continue;
            }
            inner[c] = true;
            for t in f.movers.iter().chain(&f.disabled_inside) {
                orbit_met[c][orbits[*t as usize] as usize] = true;
            }
            if let Goal::Starvation { mutex, starving } = goal {
                others_acquire[c] |= f.other_acquires(starving, mutex);
                tries[c] |= f.tries(starving, mutex);
            }
        }
        for t in 0..threads {
            if graph.unable(s, t as ThreadId) {
                orbit_met[c][orbits[t] as usize] = true;
            }
        }
        if let Goal::Starvation { mutex, starving } = goal {
            tries[c] |= graph.blocked_on(s, starving, mutex);
        }
    }
    let mut out: Vec<u32> = (0..count as u32)
        .filter(|&c| {
            let c = c as usize;
            let fair = (0..threads).all(|t| orbit_met[c][orbits[t] as usize]);
            let goal_met = match goal {
                Goal::Livelock => true,
                Goal::Starvation { .. } => others_acquire[c] && tries[c],
            };
            inner[c] && fair && goal_met
        })
        .collect();
    out.sort_unstable_by_key(|&c| components.first[c as usize]);
    out
}

/// The lasso of `ordinals` on the real model (from its real initial state), when
/// [`super::recheck`] confirms that its cycle is fair and breaks `goal`'s property.
pub(super) fn confirm(system: &System, goal: Goal, ordinals: &[u32], cycle_start: usize) -> Option<Counterexample> {
    let initial = system.initial_state();
    let mut steps: Vec<TraceStep> = Vec::with_capacity(ordinals.len());
    let mut successors = Vec::new();
    for &ordinal in ordinals {
        successors.clear();
        system.successors(steps.last().map_or(&initial, |s| &s.state), &mut successors);
        if ordinal as usize >= successors.len() {
            return None;
        }
        let (step, state) = successors.swap_remove(ordinal as usize);
        steps.push(TraceStep { step, state });
    }
    let states: Vec<State> = std::iter::once(initial.clone()).chain(steps.iter().map(|s| s.state.clone())).collect();
    let taken: Vec<_> = steps.iter().map(|s| s.step.clone()).collect();
    let violation = super::recheck(system, &states, &taken, cycle_start + 1).ok()?;
    let kind = match goal {
        Goal::Livelock => crate::ViolationKind::Livelock,
        Goal::Starvation { .. } => crate::ViolationKind::Starvation,
    };
    (violation.kind == kind).then(|| Counterexample {
        cycle_start: Some(cycle_start + 1),
        ..Counterexample::new(violation, initial, steps, false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn system(source: &str) -> System {
        let model = mutexcheck_lang::compile("t.mc", source.as_bytes()).unwrap();
        System::new(model).unwrap()
    }

    /// The states of each candidate component of `goal` in the quotient with `pinned`, and
    /// what the quotient says of the goal.
    fn judge(source: &str, goal: Goal, pinned: Option<usize>) -> (Vec<Vec<u32>>, &'static str) {
        let system = system(source);
        let sym = system.symmetry();
        let guard = Guard::new(&Limits::default());
        let options = LiveOptions { reductions: Reductions { partial_order: false, symmetry: true }, threads: 1 };
        let model = quotient(&system, &options, pinned, &guard);
        let graph = record_graph(&model, &Limits::default(), 1, &guard).0.unwrap();
        let orbits = sym.thread_orbits(&system, pinned);
        let components = component_map(&graph, goal);
        let states = candidates(&graph, goal, &orbits, &components)
            .into_iter()
            .map(|c| (0..graph.graph.states() as u32).filter(|&s| components.of[s as usize] == c).collect())
            .collect();
        let answer = match search_goal(&model, &graph, goal) {
            Answer::Absent => "absent",
            Answer::Lasso(_) => "lasso",
            Answer::Undecided => "undecided",
        };
        (states, answer)
    }

    #[test]
    fn a_component_unfair_to_a_thread_of_no_orbit_is_rejected_and_one_where_some_spinner_moves_accepted() {
        // Three spinners and p, which passes `progress` once. Quotient states, in discovery
        // order: 0 (p before, no spinner at skip), 1 (before, 1), 2 (after, 0), 3 (before, 2),
        // 4 (after, 1), 5 (before, 3), 6 (after, 2), 7 (after, 3). Without `progress`, the
        // states before and after are two components; before, p can always move and never
        // does (its only step is `progress`): rejected. After, p is finished and spinners move.
        let src = "model spin3\ncrashes 0\nprocess w[3] {\n    while true {\n        skip\n    }\n}\nprocess p {\n    progress\n}\n";
        assert_eq!(judge(src, Goal::Livelock, None), (vec![vec![2, 4, 6, 7]], "lasso"));
    }

    #[test]
    fn a_component_where_no_member_of_an_orbit_moves_or_is_unable_is_rejected() {
        // q spins without `progress`; the two workers can always move and only ever pass
        // `progress`: q's loop is no fair cycle, and the quotient proves it.
        let src = "model busy\ncrashes 0\nprocess w[2] {\n    while true {\n        progress\n    }\n}\nprocess q {\n    while true {\n        skip\n    }\n}\n";
        assert_eq!(judge(src, Goal::Livelock, None), (vec![], "absent"));
    }

    #[test]
    fn a_component_may_meet_the_orbit_condition_with_no_real_fair_cycle_in_it() {
        // The first worker through the atomic block spins without `progress`; the other
        // passes `progress` forever. The spinner's loop has a moving member of the orbit
        // {w[0], w[1]}, but the real other worker can always move there and never does: the
        // lift cannot be fair, and the goal is left undecided (to the check without symmetry).
        let src = "model roles\ncrashes 0\nshared taken: bool = false\nprocess w[2] {\n    var spinner: bool = false\n    atomic {\n        if !taken {\n            taken = true\n            spinner = true\n        }\n    }\n    while spinner {\n        skip\n    }\n    while true {\n        progress\n    }\n}\n";
        // One component per place of the other worker (before its atomic block, at `while
        // spinner`, at `while true`, at `progress`): its steps there never return.
        let (components, answer) = judge(src, Goal::Livelock, None);
        assert_eq!((components.len(), answer), (4, "undecided"));
    }

    #[test]
    fn starvation_is_judged_with_the_starving_instance_pinned() {
        // Three workers loop `wait m; skip; release m`. Pinned worker[0] keeps its place, so
        // "worker[0] does not acquire m" is a filter of the quotient; workers 1 and 2 form
        // one orbit. A component where they take turns while worker[0] is blocked is fair.
        let src = "model starve\ncrashes 0\nmutex m\nstarvation m\nprocess worker[3] {\n    while true {\n        wait m\n        skip\n        release m\n    }\n}\n";
        let system = system(src);
        assert_eq!(system.symmetry().thread_orbits(&system, Some(0)), [0, 1, 1]);
        let (components, answer) = judge(src, Goal::Starvation { mutex: 0, starving: 0 }, Some(0));
        assert!(!components.is_empty());
        assert_eq!(answer, "lasso");
    }
}
