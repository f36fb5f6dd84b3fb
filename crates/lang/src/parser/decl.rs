//! Declarations: a mutex, a variable and its type, a process and its threads, and the
//! braced bodies they share.

use super::{Fail, PResult, Parser, MUTEX_ATTRIBUTES};
use crate::ast::*;
use crate::lexer::{Kw, Tok, Token};
use crate::source::Sp;

impl<'a> Parser<'a> {
    pub(super) fn mutex(&mut self) -> PResult<MutexAst<'a>> {
        let kw = self.bump();
        let name = self.ident("a mutex name")?;
        let mut len = None;
        if self.eat(Tok::LBracket).is_some() {
            len = Some(self.array_len()?);
            self.expect(Tok::RBracket, "`]`")?;
        }
        let mut owner = None;
        if let Some(o) = self.eat(Tok::Kw(Kw::OwnedBy)) {
            let process = self.ident("a process name")?;
            let mut instance = None;
            if self.eat(Tok::LBracket).is_some() {
                instance = Some(self.const_expr("an instance number", false)?);
                self.expect(Tok::RBracket, "`]`")?;
            }
            let mut thread = None;
            if self.eat(Tok::Dot).is_some() {
                thread = Some(self.ident("a thread name")?);
            }
            owner = Some(OwnerAst { process, instance, thread, sp: o.sp.to(self.prev_sp()) });
        }
        let mut attrs = Vec::new();
        if self.eat(Tok::Colon).is_some() {
            attrs.push(self.ident("a mutex attribute (`normal`, `errorcheck`, `recursive`, `default`, `robust`)")?);
            while self.at(Tok::Ident) && MUTEX_ATTRIBUTES.contains(&self.slice(self.peek().sp)) {
                attrs.push(self.ident("a mutex attribute")?);
            }
        }
        Ok(MutexAst { name, len, owner, attrs, sp: kw.sp.to(self.prev_sp()) })
    }

    /// `NAME [: TYPE] [= INIT]`, after `shared` or `var`.
    pub(super) fn var_decl(&mut self, start: Sp) -> PResult<VarAst<'a>> {
        self.operators = 0;
        let name = self.ident("a variable name")?;
        let mut ty = None;
        if self.eat(Tok::Colon).is_some() {
            let s = self.peek().sp;
            let t = self.ty()?;
            ty = Some((t, s.to(self.prev_sp())));
        }
        let mut init = None;
        if self.eat(Tok::Assign).is_some() {
            init = Some(self.expr()?);
        }
        let sp = start.to(self.prev_sp());
        let mut guard = None;
        if let Some(kw) = self.eat(Tok::Kw(Kw::GuardedBy)) {
            let m = self.mutex_ref("the mutex that guards the variable")?;
            guard = Some((m, kw.sp.to(self.prev_sp())));
        }
        Ok(VarAst { name, ty, init, guard, sp })
    }

    pub(super) fn ty(&mut self) -> PResult<TypeAst<'a>> {
        let t = self.peek();
        match t.tok {
            Tok::Ident if self.slice(t.sp) == "bool" => {
                self.bump();
                Ok(TypeAst::Bool)
            }
            Tok::Ident if self.slice(t.sp) == "result" => {
                self.bump();
                Ok(TypeAst::Result)
            }
            Tok::Ident if self.slice(t.sp) == "int" => Err(self.error(
                t.sp,
                "an integer variable needs bounds".into(),
                "unbounded",
                Some("write a range such as `0..3`, so the state space stays finite".into()),
            )),
            Tok::LBracket => {
                self.bump();
                self.enter(t.sp)?;
                let elem = self.ty();
                self.leave();
                let elem = elem?;
                self.expect(Tok::Semi, "`;` and the array length")?;
                let len = self.array_len()?;
                self.expect(Tok::RBracket, "`]`")?;
                Ok(TypeAst::Array { elem: Box::new(elem), len })
            }
            Tok::Int(_) | Tok::Minus | Tok::Ident | Tok::LParen => {
                let lo = self.const_expr("a lower bound", true)?;
                // A lone name is an enum type; a name followed by `..` a constant bound.
                if let (ExprKind::Name(name), false) = (&lo.kind, self.at(Tok::DotDot)) {
                    return Ok(TypeAst::Named(Ident { name, sp: lo.sp }));
                }
                self.expect(Tok::DotDot, "`..` and an upper bound")?;
                let hi = self.const_expr("an upper bound", true)?;
                Ok(TypeAst::Range { lo, hi })
            }
            _ => Err(self.expected("a type (`LO..HI`, `bool`, `result`, an enum or `[TYPE; N]`)")),
        }
    }

    pub(super) fn process(&mut self) -> PResult<ProcessAst<'a>> {
        let kw = self.bump();
        let name = self.ident("a process name")?;
        let mut instances = None;
        if self.eat(Tok::LBracket).is_some() {
            instances = Some(self.const_expr("the number of instances", false)?);
            self.expect(Tok::RBracket, "`]`")?;
        }
        let restart = self.eat(Tok::Kw(Kw::Restart)).is_some();
        if self.at(Tok::Ident) && self.slice(self.peek().sp) == "may_die" {
            let sp = self.peek().sp;
            return Err(self.error(
                sp,
                "`may_die` marks a thread, not a process".into(),
                "not allowed on a process",
                Some(
                    "write it on a thread block, `thread NAME may_die { ... }`; a whole process dies by a crash (`crashes N`)"
                        .into(),
                ),
            ));
        }
        let head = kw.sp.to(self.prev_sp());
        let open = self.expect(Tok::LBrace, "`{`")?;
        let mut vars = Vec::new();
        let mut threads: Vec<ThreadAst<'a>> = Vec::new();
        let mut body = Vec::new();
        let mut first_stmt: Option<Sp> = None;
        self.braced_items(open.sp, "process", |p, t| match t.tok {
            Tok::Kw(Kw::Var) => {
                p.bump();
                p.var_decl(t.sp).map(|v| vars.push(v))
            }
            Tok::Kw(Kw::Thread) => p.thread().map(|th| threads.push(th)),
            _ => {
                first_stmt.get_or_insert(t.sp);
                p.statement().map(|s| body.push(s))
            }
        })?;
        if let (Some(sp), false) = (first_stmt, threads.is_empty()) {
            return Err(self.error(
                sp,
                format!("process `{}` has `thread` blocks, so its statements must be inside one", name.name),
                "statement outside any thread",
                Some("move it into a `thread NAME { ... }` block".into()),
            ));
        }
        if threads.is_empty() {
            let main = Ident { name: "main", sp: name.sp };
            threads.push(ThreadAst { name: main, may_die: false, vars: std::mem::take(&mut vars), body });
        }
        Ok(ProcessAst { name, instances, restart, vars, threads, sp: head })
    }

    pub(super) fn thread(&mut self) -> PResult<ThreadAst<'a>> {
        self.bump();
        let name = self.ident("a thread name")?;
        // A contextual word, not a reserved one: `may_die` stays usable as a name elsewhere.
        let may_die = self.at(Tok::Ident) && self.slice(self.peek().sp) == "may_die";
        if may_die {
            self.bump();
        }
        let (vars, body) = self.vars_and_statements("thread")?;
        Ok(ThreadAst { name, may_die, vars, body })
    }

    /// `{ ... }` of `var` declarations and statements: a thread's or a procedure's body
    /// (`what` names it in errors).
    pub(super) fn vars_and_statements(&mut self, what: &str) -> PResult<(Vec<VarAst<'a>>, Vec<Stmt<'a>>)> {
        let open = self.expect(Tok::LBrace, "`{`")?;
        let mut vars = Vec::new();
        let mut body = Vec::new();
        self.braced_items(open.sp, what, |p, t| {
            if t.tok == Tok::Kw(Kw::Var) {
                p.bump();
                p.var_decl(t.sp).map(|v| vars.push(v))
            } else {
                p.statement().map(|s| body.push(s))
            }
        })?;
        Ok((vars, body))
    }

    /// Parses the items of a `{ ... }` body opened at `open` until its `}`, one `item` call
    /// per item (given the item's first token); after a failed item it recovers at the next
    /// line or brace and goes on, so one body reports several errors.
    pub(super) fn braced_items(
        &mut self,
        open: Sp,
        what: &str,
        mut item: impl FnMut(&mut Self, Token) -> PResult<()>,
    ) -> PResult<()> {
        self.enter(open)?;
        while !self.at(Tok::RBrace) && !self.at(Tok::Eof) && !self.fatal {
            let t = self.peek();
            let from = self.mark();
            if item(self, t).is_err() && !self.fatal {
                self.recover(from);
            }
        }
        self.leave();
        if self.fatal {
            return Err(Fail);
        }
        self.close(open, what)
    }
}
