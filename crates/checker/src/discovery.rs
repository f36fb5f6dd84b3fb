//! The discovery paths of a recorded state graph ([`crate::state_graph::RecordedGraph`]):
//! the shortest run from the initial state to a state, as the successor ordinals a run is
//! rebuilt from. Kept apart from the graph's storage: they read it only through its
//! methods, by the parents when the recorder kept them, else by a scan of the edges.

use crate::state_graph::{EdgeLabel, RecordedGraph};

impl<L: EdgeLabel> RecordedGraph<L> {
    /// The successor ordinals of the discovery path from the initial state to `state`.
    pub fn ordinals_to(&self, state: u32) -> Vec<u32> {
        self.discovery_path(state).into_iter().map(|(ordinal, _)| ordinal).collect()
    }

    /// The discovery path from the initial state to `state` as (ordinal, state reached) steps.
    pub fn discovery_path(&self, state: u32) -> Vec<(u32, u32)> {
        if self.parents.len() < state as usize {
            return self.scanned_path(state);
        }
        let mut path = Vec::new();
        let mut at = state;
        while at != 0 {
            let (parent, ordinal) = self.parents[at as usize - 1];
            path.push((ordinal, at));
            at = parent;
        }
        path.reverse();
        path
    }

    /// [`RecordedGraph::discovery_path`] without `parents`: states are numbered in the order
    /// the breadth-first search met them, row by row, so the edge that discovered a state is
    /// the first edge into it in row order.
    fn scanned_path(&self, state: u32) -> Vec<(u32, u32)> {
        const NONE: u32 = u32::MAX;
        let mut source = vec![NONE; (state as usize + 1).max(self.states())];
        for s in 0..self.states() as u32 {
            for (_, t, _) in self.edges(s) {
                if t != 0 && (t as usize) < source.len() && source[t as usize] == NONE {
                    source[t as usize] = s;
                }
            }
        }
        let mut path = Vec::new();
        let mut at = state;
        while at != 0 && source[at as usize] != NONE {
            let parent = source[at as usize];
            let ordinal = self.edges(parent).find(|&(_, t, _)| t == at).map_or(0, |(o, _, _)| o);
            path.push((ordinal, at));
            at = parent;
        }
        path.reverse();
        path
    }
}

#[cfg(test)]
mod tests {
    use crate::guard::Guard;
    use crate::limits::Limits;
    use crate::state_graph::{record, Recorder};
    use crate::test_model::Doubling;

    /// Labels an edge with its step's first byte; keeps the parents when `.0`.
    struct Steps(bool);

    impl Recorder<Doubling> for Steps {
        type Label = u8;
        fn label(&self, _: &u64, _: u32, step: &&'static str, _: &u64) -> u8 {
            step.as_bytes()[0]
        }
        fn parents(&self) -> bool {
            self.0
        }
    }

    /// Numbers mod `n`; no state is a violation.
    fn doubling(n: u64) -> Doubling {
        Doubling { n, target: u64::MAX }
    }

    #[test]
    fn without_parents_every_discovery_path_is_found_by_the_scan_and_is_the_recorded_one() {
        // Mod 1,009: long paths, and many states first reached by a `*2` edge.
        let model = doubling(1_009);
        let guard = Guard::new(&Limits::default());
        let kept = record(&model, &Steps(true), &Limits::default(), 2, &guard).graph;
        let lean = record(&model, &Steps(false), &Limits::default(), 2, &guard).graph;
        assert!(lean.parents.is_empty());
        assert_eq!(kept.parents.len(), 1_008);
        assert_eq!((lean.offsets(), lean.targets()), (kept.offsets(), kept.targets()));
        for s in 0..1_009 {
            assert_eq!(lean.discovery_path(s), kept.discovery_path(s), "state {s}");
        }
        // Mod 5 by hand: 4 is reached 0 -+1-> 1 -+1-> 2 -*2-> 4.
        let small = record(&doubling(5), &Steps(false), &Limits::default(), 1, &guard).graph;
        assert_eq!(small.discovery_path(4), [(0, 1), (0, 2), (1, 4)]);
        assert_eq!(small.ordinals_to(0), Vec::<u32>::new());
    }
}
