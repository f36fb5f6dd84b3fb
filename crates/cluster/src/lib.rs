//! The breadth-first search of mutexcheck over several processes and machines, as a timely
//! dataflow (issue #14), with the answer of one machine.
//!
//! - [`net`]: timely's process options (`-w`, `-n`, `-p`, `-h`) and the connections between
//!   the processes, with a deadline; a lost peer ends the process with a message.
//! - [`comm`]: the dataflow, one `exchange` of blobs routed by destination worker, one round
//!   per epoch.
//! - [`search`]: one worker's share of the search: its shard of the visited set, one
//!   breadth-first level per few rounds, counts and the first violation as one machine has
//!   them; [`key`]: the path keys that give one-machine order without a global position.
//! - [`check_cluster`]: runs it all in this process; process 0's first worker rebuilds the
//!   counterexample from the violation's key and finishes the result exactly as
//!   [`mutexcheck_checker::Request::check`] does, so the report and the trace are the ones a
//!   one-process run prints.

pub mod allowed;
pub mod comm;
pub mod key;
pub mod net;
pub mod request;
pub mod search;

use std::sync::Arc;

use mutexcheck_checker::result::{CheckResult, Verdict, VerdictKind};
use mutexcheck_checker::stats::Storage;
use mutexcheck_checker::{Checkable, Guard, Stats, Strategy, SystemModel};
use mutexcheck_core::System;
use timely::WorkerConfig;

pub use net::{ClusterConfig, ClusterError};
pub use request::ClusterRequest;

use crate::comm::Channel;
use crate::key::ords;
use crate::search::{End, Found, Hook};

/// What a cluster run gives this process.
#[derive(Debug)]
pub struct ClusterRun {
    /// The result as a one-process check would give it: in process 0 only.
    pub result: Option<CheckResult>,
    /// Process 0's verdict, which every process learns (so that all can end alike); `None`
    /// if its word did not arrive.
    pub verdict: Option<VerdictKind>,
    /// The search was complete, found no violation and left statements no run executed
    /// (known in every process).
    pub unreached: bool,
    /// One line about this process's share: states held, bytes sent to other processes.
    pub summary: String,
}

/// Checks `system` on the cluster `config` describes (every process of it calls this with
/// the same model and request). The verdict, counts and counterexample are those of
/// [`ClusterRequest::one_process`] checked on one process
/// ([`mutexcheck_checker::Request::check`]); time and memory bounds are each process's own
/// `guard`.
pub fn check_cluster(
    system: Arc<System>,
    request: ClusterRequest,
    config: &ClusterConfig,
    guard: Arc<Guard>,
) -> Result<ClusterRun, ClusterError> {
    let (builders, comms) = net::connect(config)?;
    // From here a lost peer is a panic of timely's network thread ("timely communication
    // error"): the caller's panic hook decides what the process does (the CLI's exits 2).
    let workers = config.workers;
    let process = config.process;
    let start = std::time::Instant::now();
    let guards = timely::execute::execute_from(builders, Box::new(comms), WorkerConfig::default(), move |worker| {
        let mut ch = Channel::new(worker, workers);
        let model = SystemModel::new(&system, request.reductions).with_interrupt(guard.interrupt());
        let found = search::search(&model, &request, &guard.interrupt(), &mut ch, worker);
        let mut result = None;
        let mut code = vec![encode(VerdictKind::Ok)];
        // Every worker takes part in the gather; process 0's worker 0 adds them up.
        let allowed = allowed::merge(&ch.all_gather(worker, found.allowed.encode()));
        // The statements each worker's moves ran: their union is the one-machine coverage
        // (a union, so the order of the workers does not matter).
        let words: Vec<u8> = model.coverage().words().iter().flat_map(|w| w.to_le_bytes()).collect();
        let ran = ch.all_gather(worker, words);
        if ch.me() == 0 {
            for blob in &ran {
                let words: Vec<u64> =
                    blob.chunks_exact(8).filter_map(|c| c.try_into().ok()).map(u64::from_le_bytes).collect();
                model.coverage().add_words(&words);
            }
            let mut stats = Stats {
                states: found.states,
                transitions: found.transitions,
                max_depth: found.max_depth,
                storage: Storage::of(request.fingerprints, model.packed_words()),
                ..Stats::default()
            };
            // Every worker's stored bytes are added up below, once they are gathered.
            stats.wrap_up(start, 0, ch.peers() as u32, allowed);
            let raw = CheckResult { verdict: verdict(&model, &found, &guard), stats, strategy: Strategy::Bfs };
            let done = mutexcheck_checker::finish(&system, &model, raw, &request.one_process(), &guard);
            code = vec![encode(done.verdict.kind()), u8::from(!done.unreached().is_empty())];
            result = Some(done);
        }
        // Every process learns process 0's verdict (the liveness check and a bound hit while
        // the counterexample was rebuilt happen there only).
        let gathered = ch.all_gather(worker, code).swap_remove(0);
        let code = (gathered.first().and_then(|&b| decode(b)), gathered.get(1) == Some(&1));
        let shares = ch.all_gather(worker, share(&found, &ch));
        let (stored, remote): (u64, u64) =
            shares.iter().map(|b| read_share(b)).fold((0, 0), |a, s| (a.0 + s.1, a.1 + s.2));
        if let Some(done) = &mut result {
            done.stats.stored_bytes = stored;
        }
        (result, code, found.held, ch.sent_remote, (remote, found.widest))
    })
    .map_err(|e| ClusterError(format!("cluster: cannot start the workers: {e}")))?;
    let mut run = ClusterRun { result: None, verdict: None, unreached: false, summary: String::new() };
    let (mut held, mut sent) = (0u64, 0u64);
    for joined in guards.join() {
        let (result, code, h, s, (remote_total, widest)) =
            joined.map_err(|e| ClusterError(format!("cluster: a worker failed: {e}")))?;
        (run.verdict, run.unreached) = code;
        held += h;
        sent += s;
        if result.is_some() {
            run.result = result;
        }
        run.summary = format!("all processes sent {remote_total} bytes to each other; widest level {widest} states");
    }
    run.summary = format!(
        "cluster process {process} of {}: {held} states held by {workers} worker(s), {sent} bytes sent to other processes; {}",
        config.processes, run.summary
    );
    Ok(run)
}

/// A verdict as one byte, for the other processes.
fn encode(kind: VerdictKind) -> u8 {
    match kind {
        VerdictKind::Ok => 0,
        VerdictKind::Violation => 1,
        VerdictKind::Incomplete => 3,
    }
}

/// The verdict [`encode`] made `byte`.
fn decode(byte: u8) -> Option<VerdictKind> {
    match byte {
        0 => Some(VerdictKind::Ok),
        1 => Some(VerdictKind::Violation),
        3 => Some(VerdictKind::Incomplete),
        _ => None,
    }
}

/// A worker's figures for the others: states held, stored bytes, bytes sent off-process.
fn share(found: &Found, ch: &Channel) -> Vec<u8> {
    [found.held, found.stored_bytes, ch.sent_remote].iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn read_share(b: &[u8]) -> (u64, u64, u64) {
    let v = |i: usize| b.get(i * 8..i * 8 + 8).and_then(|s| s.try_into().ok()).map_or(0, u64::from_le_bytes);
    (v(0), v(1), v(2))
}

/// The verdict of the search's end; for a violation, the run to it, rebuilt by re-running
/// the model from its initial state along the key's successor numbers (as the one-process
/// search re-runs its trail), and the violation the last step or state commits.
fn verdict(
    model: &SystemModel<'_>,
    found: &Found,
    guard: &Guard,
) -> Verdict<mutexcheck_core::State, mutexcheck_checker::Move> {
    let (key, hook) = match &found.end {
        End::Ok => return Verdict::Ok,
        End::Limit(limit) => return Verdict::Incomplete(*limit),
        End::Violation(key, hook) => (key.as_deref().unwrap_or_default(), *hook),
    };
    // The model stops early when a bound passed while the run was rebuilt.
    let Some(run) = mutexcheck_checker::path::rebuild(model, &ords(key)) else {
        return Verdict::Incomplete(guard.cut_short_by());
    };
    let violation = match (hook, run.steps.len()) {
        (Hook::State, _) => model.check_state(run.last_state()),
        (Hook::Step, 0) => None,
        (Hook::Step, n) => {
            let before = if n == 1 { &run.initial } else { &run.steps[n - 2].state };
            model.step_violation(before, &run.steps[n - 1].step, &run.steps[n - 1].state)
        }
    };
    match violation {
        Some(violation) => Verdict::Violation(run.into_counterexample(violation, true)),
        None => Verdict::Incomplete(guard.cut_short_by()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verdict_crosses_to_the_other_processes_as_one_byte_and_an_unknown_byte_is_none() {
        for kind in [VerdictKind::Ok, VerdictKind::Violation, VerdictKind::Incomplete] {
            assert_eq!(decode(encode(kind)), Some(kind));
        }
        assert_eq!(decode(2), None);
    }
}
