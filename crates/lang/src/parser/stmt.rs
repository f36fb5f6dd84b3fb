//! Statements and blocks.

use super::{starts_statement, Fail, PResult, Parser};
use crate::ast::*;
use crate::lexer::{Kw, Tok};
use mutexcheck_core::ir::WaitMode;

impl<'a> Parser<'a> {
    /// `{ statement* }`, one nesting level deeper.
    pub(super) fn block(&mut self) -> PResult<Vec<Stmt<'a>>> {
        let open = self.expect(Tok::LBrace, "`{`")?;
        self.enter(open.sp)?;
        let mut body = Vec::new();
        while !self.at(Tok::RBrace) && !self.at(Tok::Eof) && !self.fatal {
            let from = self.mark();
            match self.statement() {
                Ok(s) => body.push(s),
                Err(Fail) if !self.fatal => self.recover(from),
                Err(Fail) => {}
            }
        }
        self.leave();
        if self.fatal {
            return Err(Fail);
        }
        self.close(open.sp, "block")?;
        Ok(body)
    }

    /// One statement. Optional `;` after it is consumed.
    pub(super) fn statement(&mut self) -> PResult<Stmt<'a>> {
        let s = self.statement_inner()?;
        while self.eat(Tok::Semi).is_some() {}
        Ok(s)
    }

    fn statement_inner(&mut self) -> PResult<Stmt<'a>> {
        self.operators = 0;
        let t = self.peek();
        let start = t.sp;
        let kind = match t.tok {
            Tok::Kw(Kw::Skip) => {
                self.bump();
                StmtKind::Skip
            }
            Tok::Kw(Kw::Exit) => {
                self.bump();
                StmtKind::Exit
            }
            Tok::Kw(Kw::Assert) => {
                self.bump();
                StmtKind::Assert(self.condition()?)
            }
            Tok::Kw(Kw::Return) => self.return_stmt()?,
            Tok::Kw(Kw::Wait | Kw::Try | Kw::Release) => {
                let (op, mutex) = self.mutex_op()?;
                StmtKind::Mutex { target: None, op, mutex }
            }
            Tok::Kw(Kw::Let) => {
                self.bump();
                let name = self.ident("a result variable name")?;
                self.expect(Tok::Assign, "`=`")?;
                let t = self.peek();
                if let (false, Tok::Ident, Some(op)) = (self.posix, t.tok, MutexOp::posix(self.slice(t.sp))) {
                    return Err(self.posix_in_win32(t.sp, op));
                }
                if t.tok == Tok::Ident && !self.at_mutex_op() {
                    // `let r = f(ARGS)`: the value of a procedure.
                    let value = self.expr()?;
                    if let ExprKind::ProcCall(call) = value.kind {
                        let sp = start.to(self.prev_sp());
                        return Ok(Stmt { kind: StmtKind::Call { target: Some(Target::Let(name)), call: *call }, sp });
                    }
                    if let Some(fail) = self.misspelt_operation(&value) {
                        return Err(fail);
                    }
                    let ops = if self.posix { "a POSIX mutex operation" } else { "`wait`, `try`, `release`" };
                    return Err(self.error(
                        value.sp,
                        format!("`let` stores the result of {ops} or of a procedure call"),
                        "not a mutex operation or a call",
                        Some(format!("declare other variables with `var {}: LO..HI = INIT`", name.name)),
                    ));
                }
                if !self.at_mutex_op() {
                    let ops = if self.posix {
                        "`lock`, `trylock`, `timedlock`, `unlock` or `consistent`"
                    } else {
                        "`wait`, `try` or `release`"
                    };
                    return Err(self.error(
                        t.sp,
                        format!("`let` stores the result of {ops}"),
                        &format!("expected {ops}"),
                        Some(format!("declare other variables with `var {}: LO..HI = INIT`", name.name)),
                    ));
                }
                let (op, mutex) = self.mutex_op()?;
                StmtKind::Mutex { target: Some(Target::Let(name)), op, mutex }
            }
            Tok::Ident if self.at_mutex_op() => {
                let (op, mutex) = self.mutex_op()?;
                StmtKind::Mutex { target: None, op, mutex }
            }
            Tok::Ident => {
                let name = self.ident("a variable name")?;
                // `progress` is a word, not a keyword: it is a variable only when assigned.
                if name.name == "progress"
                    && !matches!(self.peek().tok, Tok::Assign | Tok::LBracket | Tok::EqEq | Tok::LParen)
                {
                    return Ok(Stmt { kind: StmtKind::Progress, sp: name.sp });
                }
                if !matches!(self.peek().tok, Tok::Assign | Tok::LBracket) {
                    if let Some(fail) = self.c_statement_word(&name) {
                        return Err(fail);
                    }
                }
                if self.at(Tok::LParen) {
                    let call = self.call_after(name)?;
                    return Ok(Stmt { kind: StmtKind::Call { target: None, call }, sp: start.to(self.prev_sp()) });
                }
                if let (Some(op), Tok::Ident) = (MutexOp::posix(name.name), self.peek().tok) {
                    // `lock m` in a Win32 model: the word is a variable name there.
                    return Err(self.posix_in_win32(name.sp, op));
                }
                if !matches!(self.peek().tok, Tok::Assign | Tok::LBracket | Tok::EqEq) && !self.at_c_operator() {
                    if let Some(fail) = self.misspelt_statement_word(&name) {
                        return Err(fail);
                    }
                }
                let place = self.place_after(name)?;
                if let Some(kind) = self.c_assignment(&place) {
                    return Ok(Stmt { kind: kind?, sp: start.to(self.prev_sp()) });
                }
                if self.at(Tok::EqEq) {
                    let t = self.peek();
                    return Err(self.error(
                        t.sp,
                        "a comparison is not a statement".into(),
                        "did you mean `=`?",
                        Some("assign with `=`; to check a condition write `assert EXPR`".into()),
                    ));
                }
                self.expect(Tok::Assign, "`=` (an assignment)")?;
                if self.at_mutex_op() {
                    let (op, mutex) = self.mutex_op()?;
                    StmtKind::Mutex { target: Some(Target::Place(place)), op, mutex }
                } else {
                    let value = self.expr()?;
                    match value.kind {
                        ExprKind::ProcCall(call) => StmtKind::Call { target: Some(Target::Place(place)), call: *call },
                        _ => StmtKind::Assign { place, value },
                    }
                }
            }
            Tok::Kw(Kw::If) => return self.if_stmt(),
            Tok::Kw(Kw::While) => {
                self.bump();
                let cond = self.condition()?;
                let head = start.to(self.prev_sp());
                let body = self.block()?;
                return Ok(Stmt { kind: StmtKind::While { cond, body }, sp: head });
            }
            Tok::Kw(Kw::Atomic) => {
                self.bump();
                let body = self.block()?;
                return Ok(Stmt { kind: StmtKind::Atomic(body), sp: start });
            }
            Tok::Kw(Kw::Either) => {
                self.bump();
                let mut alts = vec![(start, self.block()?)];
                while let Some(or) = self.eat(Tok::Kw(Kw::Or)) {
                    alts.push((or.sp, self.block()?));
                }
                if alts.len() < 2 {
                    let t = self.peek();
                    return Err(self.error(
                        t.sp,
                        "`either` needs at least one `or` alternative".into(),
                        "expected `or { ... }`",
                        None,
                    ));
                }
                return Ok(Stmt { kind: StmtKind::Either(alts), sp: start });
            }
            Tok::Kw(Kw::Var) => {
                return Err(self.error(
                    t.sp,
                    "variables are declared at the top level of a process or thread body".into(),
                    "`var` inside a block",
                    Some("move this declaration out of the block".into()),
                ));
            }
            Tok::Kw(Kw::Thread) => {
                return Err(self.error(
                    t.sp,
                    "a `thread` block must be directly inside a `process`".into(),
                    "nested thread",
                    None,
                ));
            }
            Tok::Kw(Kw::Else) => {
                return Err(self.error(t.sp, "`else` without an `if`".into(), "no `if` before it", None));
            }
            _ => {
                let found = t.tok.describe(self.slice(t.sp));
                let help = if starts_statement(t.tok) {
                    None
                } else {
                    Some("a statement starts with a variable name or one of `let`, `wait`, `try`, `release`, `if`, `while`, `assert`, `skip`, `atomic`, `either`, `exit`".into())
                };
                return Err(self.error(t.sp, format!("expected a statement, found {found}"), "not a statement", help));
            }
        };
        Ok(Stmt { kind, sp: start.to(self.prev_sp()) })
    }

    /// True when the next token starts a mutex operation: `wait`, `try`, `release`, and in a
    /// `semantics posix` model the POSIX words (`lock`, ...), which are names otherwise.
    fn at_mutex_op(&self) -> bool {
        let t = self.peek();
        match t.tok {
            Tok::Kw(Kw::Wait | Kw::Try | Kw::Release) => true,
            Tok::Ident => self.posix && MutexOp::posix(self.slice(t.sp)).is_some(),
            _ => false,
        }
    }

    /// `wait m [timeout]`, `try m`, `release m`; `lock m`, `trylock m`, `timedlock m`,
    /// `unlock m`, `consistent m`.
    fn mutex_op(&mut self) -> PResult<(MutexOp, MutexRefAst<'a>)> {
        let t = self.bump();
        let op = match t.tok {
            Tok::Kw(Kw::Wait) => MutexOp::Wait(WaitMode::Infinite),
            Tok::Kw(Kw::Try) => MutexOp::Wait(WaitMode::Try),
            Tok::Kw(Kw::Release) => MutexOp::Release,
            _ => MutexOp::posix(self.slice(t.sp)).unwrap_or(MutexOp::Release),
        };
        let mutex = match self.at(Tok::LParen) {
            true => self.parenthesized_mutex(op)?,
            false => self.mutex_ref("a mutex name")?,
        };
        if op == MutexOp::Wait(WaitMode::Infinite) && self.eat(Tok::Kw(Kw::Timeout)).is_some() {
            self.timeout_value("timeout", "wait m timeout");
            return Ok((MutexOp::Wait(WaitMode::Timeout), mutex));
        }
        if op == MutexOp::Lock(WaitMode::Timeout) {
            self.timeout_value("timedlock", "timedlock m");
        }
        Ok((op, mutex))
    }

    /// The rest of a place after its name: `[EXPR]` or nothing.
    fn place_after(&mut self, name: Ident<'a>) -> PResult<PlaceAst<'a>> {
        let index = self.index_after()?;
        let sp = name.sp.to(self.prev_sp());
        Ok(PlaceAst { name, index, sp })
    }

    /// `if C { } else if C { } else { }`, with the arms kept flat (no recursion per `else if`).
    fn if_stmt(&mut self) -> PResult<Stmt<'a>> {
        let start = self.bump().sp;
        let cond = self.condition()?;
        let head = start.to(self.prev_sp());
        let body = self.block()?;
        let mut arms = vec![Arm { head, cond, body }];
        let mut els = None;
        while let Some(e) = self.eat(Tok::Kw(Kw::Else)) {
            if let Some(i) = self.eat(Tok::Kw(Kw::If)) {
                // Each condition is its own expression for the operator limit.
                self.operators = 0;
                let cond = self.condition()?;
                let head = i.sp.to(self.prev_sp());
                let body = self.block()?;
                arms.push(Arm { head, cond, body });
            } else {
                els = Some((e.sp, self.block()?));
                break;
            }
        }
        Ok(Stmt { kind: StmtKind::If { arms, els }, sp: head })
    }
}
