//! The control flow of one thread's code: where each instruction can go next.
//!
//! Program counters a thread can stand at are real instructions or the end of the code
//! (`code.len()`); control markers (`goto`, the bounds of `atomic`) are followed on the way,
//! as [`crate::System`] does when it moves a thread. The static analyses (live variables,
//! partial-order reduction) walk this graph.

use crate::ir::{Instr, Op, Pc};

/// The first real instruction at or after `pc`, following control markers (or the end of
/// the code). Validation guarantees that markers form no cycle.
pub(crate) fn settle(code: &[Instr], mut pc: Pc) -> Pc {
    // Bounded by the code length even on an unvalidated cycle, so this never hangs.
    for _ in 0..=code.len() {
        match code.get(pc).map(|i| &i.op) {
            Some(Op::Goto { target }) => pc = *target,
            Some(Op::AtomicBegin | Op::AtomicEnd) => pc += 1,
            _ => break,
        }
    }
    pc.min(code.len())
}

/// [`settle`] of every pc `0..=code.len()`, worked out in one pass: each marker chain is
/// followed once, however many pcs lead into it.
pub(crate) fn settled_table(code: &[Instr]) -> Vec<u32> {
    const UNKNOWN: u32 = u32::MAX;
    let n = code.len();
    let mut table = vec![UNKNOWN; n + 1];
    table[n] = n as u32;
    let mut chain = Vec::new();
    for start in 0..n {
        let mut pc = start;
        // Follow markers until a real instruction, the end, or a pc already settled; a chain
        // longer than the code is a cycle (which validation rejects): it settles at the end.
        let end = loop {
            if table[pc] != UNKNOWN {
                break table[pc];
            }
            if chain.len() > n {
                break n as u32;
            }
            chain.push(pc);
            pc = match code.get(pc).map(|i| &i.op) {
                Some(Op::Goto { target }) => (*target).min(n),
                Some(Op::AtomicBegin | Op::AtomicEnd) => pc + 1,
                _ => break pc as u32,
            };
        };
        for at in chain.drain(..) {
            table[at] = end;
        }
    }
    table
}

/// Numbers the outermost atomic blocks of a thread's code from 1 and tags each pc with its block.
pub(crate) fn atomic_blocks(code: &[Instr]) -> Vec<u32> {
    let (mut depth, mut current, mut next_id) = (0u32, 0u32, 0u32);
    code.iter()
        .map(|i| {
            match i.op {
                Op::AtomicBegin => {
                    if depth == 0 {
                        next_id += 1;
                        current = next_id;
                    }
                    depth += 1;
                }
                Op::AtomicEnd => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        let tag = current;
                        current = 0;
                        return tag;
                    }
                }
                _ => {}
            }
            current
        })
        .collect()
}

/// The settled places the real instruction at `pc` can go on at, appended to `out` (the
/// end of the code, `code.len()`, when it ends the thread). A faulting step goes nowhere,
/// which needs no edge: the run ends there.
pub(crate) fn next_pcs(code: &[Instr], pc: Pc, out: &mut Vec<Pc>) {
    match code.get(pc).map(|i| &i.op) {
        None => {}
        Some(Op::Branch { target, .. }) => {
            out.push(settle(code, pc + 1));
            out.push(settle(code, *target));
        }
        Some(Op::Choose { targets }) => out.extend(targets.iter().map(|&t| settle(code, t))),
        Some(Op::Exit) => out.push(code.len()),
        Some(Op::Goto { .. } | Op::AtomicBegin | Op::AtomicEnd) => out.push(settle(code, pc)),
        Some(_) => out.push(settle(code, pc + 1)),
    }
}

/// The instructions that lie on a cycle of the control-flow graph restricted to edges
/// between instructions of the same group (`group[pc]`, 0 for none: such an instruction has
/// no edge); an instruction with an edge to itself counts. Strongly connected components by
/// Tarjan's algorithm, iterative so that deep code cannot overflow the stack, and linear in
/// the code whatever the number of groups.
pub(crate) fn on_cycle(code: &[Instr], group: &[u32]) -> Vec<bool> {
    let n = code.len();
    let keep = |pc: usize| group[pc] != 0;
    let edges: Vec<Vec<Pc>> = (0..n)
        .map(|pc| {
            let mut out = Vec::new();
            if keep(pc) {
                next_pcs(code, pc, &mut out);
                out.retain(|&q| q < n && group[q] == group[pc]);
            }
            out
        })
        .collect();
    let mut cyclic = vec![false; n];
    const NONE: usize = usize::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    for root in 0..n {
        if !keep(root) || index[root] != NONE {
            continue;
        }
        // Each frame: the node and how many of its edges were followed.
        let mut frames = vec![(root, 0usize)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(v, edge)) = frames.last() {
            if let Some(&w) = edges[v].get(edge) {
                if let Some(top) = frames.last_mut() {
                    top.1 += 1;
                }
                if index[w] == NONE {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    frames.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                let cycle = members.len() > 1 || edges[v].contains(&v);
                for w in members {
                    cyclic[w] = cycle;
                }
            }
        }
    }
    cyclic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Expr, Span};

    fn instr(op: Op) -> Instr {
        Instr::new(op, Span::default(), "")
    }

    /// `0: while c { 1: skip; 2: goto 0 }` then `3: skip`.
    fn a_loop() -> Vec<Instr> {
        vec![
            instr(Op::Branch { cond: Expr::Const(1), target: 3 }),
            instr(Op::Skip),
            instr(Op::Goto { target: 0 }),
            instr(Op::Skip),
        ]
    }

    #[test]
    fn a_branch_goes_on_at_both_settled_places_and_exit_at_the_end() {
        let code = a_loop();
        let mut out = Vec::new();
        next_pcs(&code, 0, &mut out);
        assert_eq!(out, [1, 3]);
        out.clear();
        next_pcs(&code, 1, &mut out);
        assert_eq!(out, [0], "the goto is followed");
        out.clear();
        next_pcs(&code, 3, &mut out);
        assert_eq!(out, [4], "running off the end");
    }

    #[test]
    fn the_settled_table_is_settle_of_every_pc() {
        let code = a_loop();
        let table = settled_table(&code);
        assert_eq!(table, (0..=code.len()).map(|pc| settle(&code, pc) as u32).collect::<Vec<_>>());
        assert_eq!(table, [0, 1, 0, 3, 4]);
    }

    #[test]
    fn only_instructions_on_a_loop_within_one_group_are_on_a_cycle() {
        let code = a_loop();
        assert_eq!(on_cycle(&code, &[1; 4]), [true, true, false, false]);
        // Without the body, the loop test alone is no cycle.
        assert_eq!(on_cycle(&code, &[1, 0, 1, 1]), [false; 4]);
        // Nor when the body is in another group.
        assert_eq!(on_cycle(&code, &[1, 2, 2, 1]), [false; 4]);
        let self_loop = vec![instr(Op::Branch { cond: Expr::Const(1), target: 0 })];
        assert_eq!(on_cycle(&self_loop, &[1]), [true]);
    }
}
