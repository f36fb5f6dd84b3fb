//! The one timely dataflow of a cluster search: blobs of bytes routed to the worker they
//! name, one round (one timely epoch) at a time.
//!
//! Every worker builds the same dataflow: an input, an `exchange` on the destination
//! worker, and a sink that keeps what arrives. A round is: each worker sends its blobs, all
//! advance the input to the next epoch, and each steps the worker until the probe says the
//! epoch is complete everywhere, so every blob sent in the round has arrived. What goes in
//! the blobs (states, keys, counts) is the search's business (`search.rs`); arrival order is
//! not deterministic, so a round hands back what arrived indexed by sender.

use std::cell::RefCell;
use std::rc::Rc;

use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::generic::operator::Operator;
use timely::dataflow::operators::{Input, Probe};
use timely::dataflow::{InputHandle, ProbeHandle};
use timely::worker::Worker;

/// One routed blob: (destination worker, sending worker, round, bytes). The round is there
/// because a faster worker may already send the next round's blobs while this worker still
/// waits for the current round to complete. A blob is one message however large: timely
/// moves it within a process and streams it over TCP between processes.
type Record = (u32, u32, u64, Vec<u8>);

/// A worker's end of the routing dataflow.
pub struct Channel {
    input: InputHandle<u64, CapacityContainerBuilder<Vec<Record>>>,
    probe: ProbeHandle<u64>,
    inbox: Rc<RefCell<Vec<Record>>>,
    round: u64,
    me: usize,
    peers: usize,
    /// Workers per process: which destinations are in another process.
    workers: usize,
    /// Bytes this worker sent to workers of other processes (payload only).
    pub sent_remote: u64,
    /// Bytes this worker routed to workers of its own process, itself included.
    pub sent_local: u64,
}

impl Channel {
    /// Builds the dataflow in `worker`; `workers` is the number of workers per process.
    pub fn new(worker: &mut Worker, workers: usize) -> Channel {
        let mut input = InputHandle::new();
        let probe = ProbeHandle::new();
        let inbox = Rc::new(RefCell::new(Vec::new()));
        let sink = Rc::clone(&inbox);
        worker.dataflow::<u64, _, _>(|scope| {
            // The inbox takes the records it is handed (no copy of a blob), and emits nothing:
            // the probe after it passes a round once every record of the round is in it.
            scope
                .input_from(&mut input)
                .unary::<CapacityContainerBuilder<Vec<()>>, _, _, _>(
                    Exchange::new(|r: &Record| r.0 as u64),
                    "Inbox",
                    move |_, _| {
                        move |input, _output| {
                            input.for_each(|_, data| sink.borrow_mut().append(data));
                        }
                    },
                )
                .probe_with(&probe);
        });
        Channel {
            input,
            probe,
            inbox,
            round: 0,
            me: worker.index(),
            peers: worker.peers(),
            workers,
            sent_remote: 0,
            sent_local: 0,
        }
    }

    /// This worker's index among all workers of the cluster.
    pub fn me(&self) -> usize {
        self.me
    }

    /// Workers in the cluster.
    pub fn peers(&self) -> usize {
        self.peers
    }

    /// One round: sends `out[w]` to worker `w` (every worker must call this the same number of
    /// times), and returns what every worker sent to this one, by sender.
    pub fn exchange(&mut self, worker: &mut Worker, out: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
        debug_assert_eq!(out.len(), self.peers);
        for (dest, bytes) in out.into_iter().enumerate() {
            if dest / self.workers == self.me / self.workers {
                self.sent_local += bytes.len() as u64;
            } else {
                self.sent_remote += bytes.len() as u64;
            }
            if !bytes.is_empty() {
                self.input.send((dest as u32, self.me as u32, self.round, bytes));
            }
        }
        let round = self.round;
        self.round += 1;
        self.input.advance_to(self.round);
        while self.probe.less_than(self.input.time()) {
            // Park between steps: a worker waiting for a slower one (or for process 0 telling
            // the story of a counterexample) should leave the core to it.
            worker.step_or_park(Some(std::time::Duration::from_millis(1)));
        }
        let (arrived, early): (Vec<Record>, Vec<Record>) =
            std::mem::take(&mut *self.inbox.borrow_mut()).into_iter().partition(|r| r.2 == round);
        *self.inbox.borrow_mut() = early;
        let mut by_sender = vec![Vec::new(); self.peers];
        for (_, from, _, bytes) in arrived {
            by_sender[from as usize] = bytes; // one blob per sender and round
        }
        by_sender
    }

    /// One round in which every worker sends `bytes` to every worker: each gets every worker's
    /// bytes, by sender (the same vector everywhere).
    pub fn all_gather(&mut self, worker: &mut Worker, bytes: Vec<u8>) -> Vec<Vec<u8>> {
        let out = vec![bytes; self.peers];
        self.exchange(worker, out)
    }
}
