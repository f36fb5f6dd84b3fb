//! Procedures: `proc NAME(PARAMS) [: TYPE] { ... }`, calls `NAME(ARGS)` and `return`.

use super::{PResult, Parser};
use crate::ast::*;
use crate::lexer::{Kw, Tok};

impl<'a> Parser<'a> {
    /// `proc NAME(P: TYPE, ...) [: TYPE] { var ...; statements }` at the top level.
    pub(super) fn proc_decl(&mut self) -> PResult<ProcAst<'a>> {
        let kw = self.bump();
        let name = self.ident("a procedure name")?;
        self.expect(Tok::LParen, "`(` and the parameters")?;
        let mut params = Vec::new();
        if self.eat(Tok::RParen).is_none() {
            loop {
                params.push(self.param()?);
                if self.eat(Tok::Comma).is_some() {
                    continue;
                }
                self.expect(Tok::RParen, "`,` or `)`")?;
                break;
            }
        }
        let mut ret = None;
        if self.eat(Tok::Colon).is_some() {
            let s = self.peek().sp;
            let t = self.ty()?;
            ret = Some((t, s.to(self.prev_sp())));
        }
        let sp = kw.sp.to(self.prev_sp());
        let (vars, body) = self.vars_and_statements("procedure")?;
        Ok(ProcAst { name, params, ret, vars, body, sp })
    }

    /// `NAME: TYPE`, where TYPE may also be `mutex`.
    fn param(&mut self) -> PResult<ParamAst<'a>> {
        let name = self.ident("a parameter name")?;
        self.expect(Tok::Colon, "`:` and the parameter's type")?;
        let start = self.peek().sp;
        let ty = if self.eat(Tok::Kw(Kw::Mutex)).is_some() { ParamTy::Mutex } else { ParamTy::Value(self.ty()?) };
        Ok(ParamAst { name, ty, ty_sp: start.to(self.prev_sp()) })
    }

    /// The arguments of a call after its name, from `(` to `)`.
    pub(super) fn call_after(&mut self, name: Ident<'a>) -> PResult<CallAst<'a>> {
        let open = self.expect(Tok::LParen, "`(`")?;
        self.enter(open.sp)?;
        let args = self.call_args();
        self.leave();
        let args = args?;
        Ok(CallAst { sp: name.sp.to(self.prev_sp()), name, args })
    }

    fn call_args(&mut self) -> PResult<Vec<ExprAst<'a>>> {
        let mut args = Vec::new();
        if self.eat(Tok::RParen).is_some() {
            return Ok(args);
        }
        loop {
            args.push(self.expr()?);
            if self.eat(Tok::Comma).is_some() {
                continue;
            }
            self.expect(Tok::RParen, "`,` or `)`")?;
            return Ok(args);
        }
    }

    /// `return` with an optional value: the value must start on the same line, so that a
    /// bare `return` followed by a statement on the next line reads as two statements.
    pub(super) fn return_stmt(&mut self) -> PResult<StmtKind<'a>> {
        self.bump();
        let t = self.peek();
        if t.line_start || matches!(t.tok, Tok::RBrace | Tok::Semi | Tok::Eof) {
            return Ok(StmtKind::Return(None));
        }
        Ok(StmtKind::Return(Some(self.expr()?)))
    }
}
