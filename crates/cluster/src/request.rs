//! What a cluster run searches: the cluster's own run request. It has no engine to choose:
//! the cluster search is breadth-first, so a depth-first cluster run cannot be asked for,
//! and its threads are timely's workers ([`crate::ClusterConfig`]), not a thread count.

use mutexcheck_checker::{Bfs, Limits, Reductions, Request};

/// A breadth-first search over the processes of a cluster: fingerprints or whole states in
/// each worker's shard of the visited set, the reductions, the bounds (the time and memory
/// bounds are each process's own guard). Built like a [`Request`]:
/// `ClusterRequest::new().fingerprints(true).limits(l)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClusterRequest {
    /// Each worker's shard stores 64-bit fingerprints instead of whole packed states.
    pub fingerprints: bool,
    /// The reductions asked for.
    pub reductions: Reductions,
    /// Bounds on states and depth (counted over the whole cluster), memory and time (each
    /// process's own).
    pub limits: Limits,
}

impl ClusterRequest {
    /// Whole states, every reduction, no bounds.
    pub fn new() -> ClusterRequest {
        ClusterRequest::default()
    }

    /// This request with fingerprints on or off.
    pub fn fingerprints(self, on: bool) -> ClusterRequest {
        ClusterRequest { fingerprints: on, ..self }
    }

    /// This request with `reductions`.
    pub fn reductions(self, reductions: Reductions) -> ClusterRequest {
        ClusterRequest { reductions, ..self }
    }

    /// This request with `limits`.
    pub fn limits(self, limits: Limits) -> ClusterRequest {
        ClusterRequest { limits, ..self }
    }

    /// The request of one process that gives the same verdict, counts and counterexample:
    /// what the result is finished with and what its trace records.
    pub fn one_process(&self) -> Request {
        Request::new()
            .engine(Bfs::new().fingerprints(self.fingerprints))
            .reductions(self.reductions)
            .limits(self.limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mutexcheck_checker::{Engine, Strategy};

    #[test]
    fn the_one_process_request_is_breadth_first_with_the_same_storage_reductions_and_bounds() {
        let limits = Limits { max_depth: Some(3), ..Limits::default() };
        let cluster = ClusterRequest::new().fingerprints(true).reductions(Reductions::NONE).limits(limits);
        let one = cluster.one_process();
        assert_eq!(one.engine, Engine::Bfs(Bfs::new().fingerprints(true)));
        assert_eq!((one.strategy(), one.reductions, one.limits), (Strategy::Bfs, Reductions::NONE, limits));
        assert_eq!(ClusterRequest::new().one_process(), Request::new());
    }
}
