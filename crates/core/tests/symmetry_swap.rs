//! Symmetry's renamings made explicit (`Swap`), and canonicalization with one pinned
//! instance: what liveness under symmetry relies on.

mod ir_builder;

use std::collections::{BTreeSet, VecDeque};

use ir_builder::{instr, int_var, local, model, process, release, successors, wait};
use mutexcheck_core::ir::{Expr, Op};
use mutexcheck_core::{Actor, State, System, WaitMode};

/// Three interchangeable instances of `w` (`wait m; k = 1; release m`, threads 0-2) and one
/// process `q` (thread 3) that runs the same code.
fn three_and_one() -> System {
    let code = || {
        vec![wait(WaitMode::Infinite, None), instr(Op::Assign { place: local(0), value: Expr::Const(1) }), release()]
    };
    let w = process("w", 3, vec![int_var("k", 0, 1, 0)], code());
    let q = process("q", 1, vec![int_var("k", 0, 1, 0)], code());
    System::new(model(0, vec![w, q])).unwrap()
}

/// Every reachable state, in breadth-first order.
fn reachable(sys: &System) -> Vec<State> {
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    let mut queue = VecDeque::from([sys.initial_state()]);
    while let Some(s) = queue.pop_front() {
        if !seen.insert(s.slots().to_vec()) {
            continue;
        }
        for (_, next) in successors(sys, &s) {
            queue.push_back(next);
        }
        order.push(s);
    }
    order
}

/// The six renamings of the three instances of `w`.
fn all_swaps(sys: &System) -> Vec<mutexcheck_core::symmetry::Swap> {
    let sym = sys.symmetry();
    let perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    perms.iter().map(|p| sym.swap_of(vec![p.to_vec()]).unwrap()).collect()
}

#[test]
fn canonicalize_swap_without_a_pin_is_canonicalize_and_returns_the_renaming_it_applied() {
    let sys = three_and_one();
    let sym = sys.symmetry();
    for s in reachable(&sys) {
        let mut plain = s.clone();
        sys.canonicalize(&sym, &mut plain);
        let mut tracked = s.clone();
        let swap = sys.canonicalize_swap(&sym, None, &mut tracked);
        assert_eq!(tracked, plain);
        let mut again = s.clone();
        sys.swap_state(&sym, &swap, &mut again);
        assert_eq!(again, plain, "the returned renaming maps the state to its canonical form");
        let mut back = plain.clone();
        sys.swap_state(&sym, &swap.inverse(), &mut back);
        assert_eq!(back, s, "its inverse maps the canonical form back");
    }
}

#[test]
fn a_pinned_instance_is_never_moved() {
    let sys = three_and_one();
    let sym = sys.symmetry();
    let states = reachable(&sys);
    for pinned in 0..3 {
        for s in &states {
            let mut c = s.clone();
            let swap = sys.canonicalize_swap(&sym, Some(pinned), &mut c);
            assert_eq!(sys.swap_actor(&sym, &swap, Actor::Process(pinned)), Actor::Process(pinned));
            let t = pinned as u16;
            assert_eq!((sys.pc(&c, t), sys.thread_status(&c, t)), (sys.pc(s, t), sys.thread_status(s, t)));
            assert_eq!(sys.mutex(&c, 0).owner == Some(t), sys.mutex(s, 0).owner == Some(t));
        }
    }
}

#[test]
fn pinned_classes_are_the_orbits_of_the_renamings_that_fix_the_pinned_instance() {
    let sys = three_and_one();
    let sym = sys.symmetry();
    let swaps = all_swaps(&sys);
    let states = reachable(&sys);
    // 4 threads, each at one of 4 places (waiting, blocked, after the wait, finished) with m
    // free or owned: the states this test compares are many enough to matter.
    assert!(states.len() > 30, "{} states", states.len());
    for pinned in 0..3 {
        let fixes = |g: &&mutexcheck_core::symmetry::Swap| {
            sys.swap_actor(&sym, g, Actor::Process(pinned)) == Actor::Process(pinned)
        };
        let form = |s: &State| {
            let mut c = s.clone();
            sys.canonicalize_swap(&sym, Some(pinned), &mut c);
            c
        };
        for a in &states {
            for b in &states {
                let related = swaps.iter().filter(fixes).any(|g| {
                    let mut ga = a.clone();
                    sys.swap_state(&sym, g, &mut ga);
                    ga == *b
                });
                assert_eq!(form(a) == form(b), related, "pinned {pinned}: {a:?} and {b:?}");
            }
        }
    }
}

#[test]
fn renamings_compose_invert_and_have_the_order_of_their_cycles() {
    let sys = three_and_one();
    let sym = sys.symmetry();
    let rotate = sym.swap_of(vec![vec![1, 2, 0]]).unwrap();
    let exchange = sym.swap_of(vec![vec![1, 0, 2]]).unwrap();
    assert_eq!((rotate.order(), exchange.order(), sym.identity().order()), (3, 2, 1));
    assert!(rotate.then(&rotate).then(&rotate).is_identity());
    assert!(rotate.then(&rotate.inverse()).is_identity());
    assert_eq!(rotate.then(&exchange), sym.swap_of(vec![vec![0, 2, 1]]).unwrap());
    assert_eq!(sys.swap_actor(&sym, &rotate, Actor::Thread(2)), Actor::Thread(0));
    assert_eq!(sys.swap_actor(&sym, &rotate, Actor::Thread(3)), Actor::Thread(3), "q is not renamed");
    assert_eq!(sym.swap_of(vec![vec![0, 0, 1]]), None, "not a permutation");
}

#[test]
fn thread_orbits_put_a_pinned_instance_alone() {
    let sys = three_and_one();
    let sym = sys.symmetry();
    assert_eq!(sym.thread_orbits(&sys, None), [0, 0, 0, 3]);
    assert_eq!(sym.thread_orbits(&sys, Some(0)), [0, 1, 1, 3]);
    assert_eq!(sym.thread_orbits(&sys, Some(1)), [0, 1, 0, 3]);
    assert!(sym.is_interchangeable(2) && !sym.is_interchangeable(3));
}
