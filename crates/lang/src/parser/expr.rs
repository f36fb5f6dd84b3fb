//! Expressions, by precedence climbing: `||` < `&&` < comparisons < `+ -` < `* / %` < unary.

use super::{PResult, Parser};
use crate::ast::*;
use crate::lexer::{Kw, Tok};
use mutexcheck_core::ir::{result, BinOp, UnOp};

/// The most binary operators one expression may contain: a long chain `a + a + ...` builds a
/// deep tree, and every later pass walks trees recursively.
pub const MAX_OPERATORS: usize = 256;

/// The built-in mutex queries, written like calls: `held(m)`. Any other `NAME(...)` is a
/// procedure call.
pub(crate) const QUERIES: [&str; 4] = ["held", "count", "owns", "abandoned"];

impl<'a> Parser<'a> {
    /// A full expression.
    pub(crate) fn expr(&mut self) -> PResult<ExprAst<'a>> {
        self.or_expr()
    }

    fn binary(&mut self, op: BinOp, l: ExprAst<'a>, r: ExprAst<'a>) -> PResult<ExprAst<'a>> {
        self.operators += 1;
        let sp = l.sp.to(r.sp);
        if self.operators > MAX_OPERATORS {
            let e = self.error(
                sp,
                format!("this expression has more than {MAX_OPERATORS} operators"),
                "too long",
                Some("split it over several statements".into()),
            );
            self.fatal = true;
            return Err(e);
        }
        Ok(ExprAst { kind: ExprKind::Binary(op, Box::new(l), Box::new(r)), sp })
    }

    fn or_expr(&mut self) -> PResult<ExprAst<'a>> {
        let mut l = self.and_expr()?;
        while self.eat(Tok::OrOr).is_some() {
            let r = self.and_expr()?;
            l = self.binary(BinOp::Or, l, r)?;
        }
        Ok(l)
    }

    fn and_expr(&mut self) -> PResult<ExprAst<'a>> {
        let mut l = self.cmp_expr()?;
        while self.eat(Tok::AndAnd).is_some() {
            let r = self.cmp_expr()?;
            l = self.binary(BinOp::And, l, r)?;
        }
        Ok(l)
    }

    fn cmp_op(&self) -> Option<BinOp> {
        Some(match self.peek().tok {
            Tok::EqEq => BinOp::Eq,
            Tok::Ne => BinOp::Ne,
            Tok::Lt => BinOp::Lt,
            Tok::Le => BinOp::Le,
            Tok::Gt => BinOp::Gt,
            Tok::Ge => BinOp::Ge,
            _ => return None,
        })
    }

    fn cmp_expr(&mut self) -> PResult<ExprAst<'a>> {
        let l = self.add_expr()?;
        let Some(op) = self.cmp_op() else { return Ok(l) };
        self.bump();
        let r = self.add_expr()?;
        let e = self.binary(op, l, r)?;
        if self.cmp_op().is_some() {
            let t = self.peek();
            return Err(self.error(
                t.sp,
                "comparisons cannot be chained".into(),
                "second comparison",
                Some("combine them with `&&`, e.g. `a < b && b < c`".into()),
            ));
        }
        Ok(e)
    }

    pub(super) fn add_expr(&mut self) -> PResult<ExprAst<'a>> {
        let mut l = self.mul_expr()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.mul_expr()?;
            l = self.binary(op, l, r)?;
        }
    }

    fn mul_expr(&mut self) -> PResult<ExprAst<'a>> {
        let mut l = self.unary_expr()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::Percent => BinOp::Mod,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.unary_expr()?;
            l = self.binary(op, l, r)?;
        }
    }

    fn unary_expr(&mut self) -> PResult<ExprAst<'a>> {
        let t = self.peek();
        let op = match t.tok {
            Tok::Bang => UnOp::Not,
            Tok::Minus => UnOp::Neg,
            _ => return self.primary(),
        };
        self.bump();
        self.enter(t.sp)?;
        let e = self.unary_expr();
        self.leave();
        let e = e?;
        // `-5` is a constant, so that `-2147483648` and negative initial values read naturally.
        if let (UnOp::Neg, ExprKind::Int(v)) = (op, &e.kind) {
            return Ok(ExprAst { kind: ExprKind::Int(-*v), sp: t.sp.to(e.sp) });
        }
        Ok(ExprAst { sp: t.sp.to(e.sp), kind: ExprKind::Unary(op, Box::new(e)) })
    }

    fn primary(&mut self) -> PResult<ExprAst<'a>> {
        let t = self.peek();
        let kind = match t.tok {
            Tok::Int(v) => {
                self.bump();
                v.map_or(ExprKind::Error, ExprKind::Int)
            }
            Tok::Kw(Kw::True) => {
                self.bump();
                ExprKind::Bool(true)
            }
            Tok::Kw(Kw::False) => {
                self.bump();
                ExprKind::Bool(false)
            }
            Tok::Kw(Kw::Ok) => self.result(result::OK),
            Tok::Kw(Kw::Abandoned) => self.result(result::ABANDONED),
            Tok::Kw(Kw::TimeoutResult) => self.result(result::TIMEOUT),
            Tok::Kw(Kw::NotOwner) => self.result(result::NOT_OWNER),
            Tok::Kw(Kw::SelfValue) => {
                self.bump();
                ExprKind::SelfId
            }
            Tok::LParen => {
                self.bump();
                self.enter(t.sp)?;
                let e = self.expr();
                self.leave();
                let e = e?;
                let close = self.expect(Tok::RParen, "`)`")?;
                return Ok(ExprAst { kind: e.kind, sp: t.sp.to(close.sp) });
            }
            Tok::Ident => {
                let name = self.ident("a name")?;
                if name.name == "alive" && self.at(Tok::LParen) {
                    return self.alive(name);
                }
                if self.at(Tok::LParen) && !QUERIES.contains(&name.name) {
                    let call = self.call_after(name)?;
                    return Ok(ExprAst { sp: call.sp, kind: ExprKind::ProcCall(Box::new(call)) });
                }
                if self.eat(Tok::LParen).is_some() {
                    let arg = self.mutex_ref("a mutex name")?;
                    let close = self.expect(Tok::RParen, "`)`")?;
                    return Ok(ExprAst {
                        kind: ExprKind::Call(Box::new((name.clone(), arg))),
                        sp: name.sp.to(close.sp),
                    });
                }
                if let Some(open) = self.eat(Tok::LBracket) {
                    self.enter(open.sp)?;
                    let i = self.expr();
                    self.leave();
                    let i = i?;
                    let close = self.expect(Tok::RBracket, "`]`")?;
                    return Ok(ExprAst { sp: name.sp.to(close.sp), kind: ExprKind::Index(name, Box::new(i)) });
                }
                ExprKind::Name(name.name)
            }
            Tok::Kw(Kw::Wait | Kw::Try | Kw::Release) => {
                return Err(self.error(
                    t.sp,
                    format!("`{}` is a statement, not part of an expression", self.slice(t.sp)),
                    "not allowed here",
                    Some("store its result first: `let r = wait m`, then test `r`".into()),
                ));
            }
            _ => return Err(self.expected("an expression")),
        };
        Ok(ExprAst { kind, sp: t.sp })
    }

    /// `alive(P)` or `alive(P[INDEX])`, after the word `alive`.
    fn alive(&mut self, word: Ident<'a>) -> PResult<ExprAst<'a>> {
        self.bump();
        let process = self.ident("a process name")?;
        let mut index = None;
        if let Some(open) = self.eat(Tok::LBracket) {
            self.enter(open.sp)?;
            let i = self.expr();
            self.leave();
            index = Some(i?);
            self.expect(Tok::RBracket, "`]`")?;
        }
        let close = self.expect(Tok::RParen, "`)`")?;
        Ok(ExprAst { kind: ExprKind::Alive(Box::new((process, index))), sp: word.sp.to(close.sp) })
    }

    fn result(&mut self, v: mutexcheck_core::ir::Value) -> ExprKind<'a> {
        self.bump();
        ExprKind::Result(v)
    }
}
