//! The call graph of the procedures: recursion, refused with an error naming the call and
//! the procedure, and what one call copies in (its size and whether it runs an `atomic`
//! block), callees included. Both walk the graph without recursing, so a chain of tens of
//! thousands of procedures cannot overflow the stack.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::Checker;
use crate::ast::*;
use crate::source::Sp;
use crate::RawDiag;

impl<'a> Checker<'a> {
    /// The calls each procedure makes, by name (a second declaration of a name is not one).
    pub(super) fn call_graph(&self) -> BTreeMap<&'a str, Vec<(&'a str, Sp)>> {
        self.procs.by_name.iter().map(|(n, i)| (*n, calls_in(&i.ast.body))).collect()
    }

    /// Refuses direct and mutual recursion: an error at the call that closes each cycle.
    pub(super) fn recursion(&mut self, ast: &ModelAst<'a>) {
        let calls = self.call_graph();
        // Iterative depth-first search: a chain of thousands of procedures must not
        // overflow the stack. 0 unseen, 1 on the path, 2 done.
        let mut color: BTreeMap<&str, u8> = BTreeMap::new();
        let mut reported: BTreeSet<usize> = BTreeSet::new();
        for root in &ast.procs {
            if !calls.contains_key(root.name.name) || color.get(root.name.name).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut path: Vec<(&str, usize)> = vec![(root.name.name, 0)];
            color.insert(root.name.name, 1);
            while let Some(&(p, i)) = path.last() {
                let edges = &calls[p];
                if i == edges.len() {
                    color.insert(p, 2);
                    path.pop();
                    continue;
                }
                path.last_mut().expect("not empty").1 += 1;
                let (q, sp) = edges[i];
                if !calls.contains_key(q) {
                    continue;
                }
                match color.get(q).copied().unwrap_or(0) {
                    0 => {
                        color.insert(q, 1);
                        path.push((q, 0));
                    }
                    1 if reported.insert(sp.start) => {
                        let from = path.iter().position(|(n, _)| *n == q).unwrap_or(0);
                        let cycle: Vec<&str> = path[from..].iter().map(|(n, _)| *n).collect();
                        self.recursive_call(q, p, sp, &cycle);
                    }
                    _ => {}
                }
            }
        }
    }

    fn recursive_call(&mut self, callee: &str, caller: &str, sp: Sp, cycle: &[&str]) {
        self.procs.recursion = true;
        let Some(decl) = self.procs.by_name.get(callee).map(|i| i.ast.name.sp) else { return };
        let line = self.line_of(decl);
        let message = if callee == caller {
            format!("`{callee}` calls itself: procedures cannot be recursive (`{callee}` is declared at line {line})")
        } else {
            let mut chain = format!("`{}` calls `{}`", cycle[0], cycle[1]);
            // A long cycle is named by its first and last procedures.
            let rest = &cycle[2..];
            let (shown, skipped) = if rest.len() > 4 { (&rest[..2], rest.len() - 3) } else { (rest, 0) };
            for n in shown {
                chain.push_str(&format!(", which calls `{n}`"));
            }
            if skipped > 0 {
                chain.push_str(&format!(", ... ({skipped} more), which calls `{}`", rest[rest.len() - 1]));
            }
            chain.push_str(&format!(", which calls `{callee}`"));
            format!(
                "recursive call: {chain} again (`{callee}` is declared at line {line}); procedures cannot be recursive"
            )
        };
        self.err(
            RawDiag::new(sp, message, "recursive call")
                .help("procedures are copied into each call, so a call cannot lead back to itself; use a `while` loop"),
        );
    }

    /// Each procedure's size once inlined and whether it has an `atomic` block, callees
    /// included, in an order where callees come first (calls that recurse count nothing).
    pub(super) fn sizes(&mut self, ast: &ModelAst<'a>) {
        let mut done: BTreeMap<&str, (u64, Option<Sp>)> = BTreeMap::new();
        let calls = self.call_graph();
        for root in ast.procs.iter().filter(|p| calls.contains_key(p.name.name)) {
            let mut path: Vec<(&str, usize)> = vec![(root.name.name, 0)];
            let mut on_path: BTreeSet<&str> = BTreeSet::from([root.name.name]);
            while let Some(&(p, i)) = path.last() {
                if done.contains_key(p) {
                    on_path.remove(p);
                    path.pop();
                    continue;
                }
                let edges = &calls[p];
                if i < edges.len() {
                    path.last_mut().expect("not empty").1 += 1;
                    let q = edges[i].0;
                    if calls.contains_key(q) && !done.contains_key(q) && on_path.insert(q) {
                        path.push((q, 0));
                    }
                    continue;
                }
                let body = &self.procs.by_name.get(p).map(|i| i.ast.body.clone()).unwrap_or_default();
                let mut size = 2 * count_stmts(body) + 2;
                let mut atomic = atomic_in(body);
                for (q, _) in edges {
                    if let Some((s, a)) = done.get(q) {
                        size = size.saturating_add(*s);
                        atomic = atomic.or(*a);
                    }
                }
                done.insert(p, (size, atomic));
                on_path.remove(p);
                path.pop();
            }
        }
        for (name, (size, atomic)) in done {
            if let Some(info) = self.procs.by_name.get_mut(name).and_then(Rc::get_mut) {
                info.size = size;
                info.atomic = atomic;
            }
        }
    }
}

/// The procedure calls in a body, in source order.
fn calls_in<'a>(body: &[Stmt<'a>]) -> Vec<(&'a str, Sp)> {
    let mut out = Vec::new();
    walk(body, &mut |s| {
        if let StmtKind::Call { call, .. } = &s.kind {
            out.push((call.name.name, call.sp));
        }
    });
    out
}

/// The first `atomic` block of a body.
fn atomic_in(body: &[Stmt]) -> Option<Sp> {
    let mut first = None;
    walk(body, &mut |s| {
        if let StmtKind::Atomic(_) = s.kind {
            first.get_or_insert(s.sp);
        }
    });
    first
}

fn count_stmts(body: &[Stmt]) -> u64 {
    let mut n = 0;
    walk(body, &mut |_| n += 1);
    n
}

/// Calls `f` on every statement of `body`, nested ones included.
fn walk<'a, 'b>(body: &'b [Stmt<'a>], f: &mut dyn FnMut(&'b Stmt<'a>)) {
    for s in body {
        f(s);
        match &s.kind {
            StmtKind::If { arms, els } => {
                for a in arms {
                    walk(&a.body, f);
                }
                if let Some((_, b)) = els {
                    walk(b, f);
                }
            }
            StmtKind::While { body, .. } | StmtKind::Atomic(body) => walk(body, f),
            StmtKind::Either(alts) => {
                for (_, b) in alts {
                    walk(b, f);
                }
            }
            _ => {}
        }
    }
}
