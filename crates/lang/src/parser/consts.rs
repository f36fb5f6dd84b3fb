//! Parsing of `const NAME = EXPR`, `enum NAME { A, B }` and of the constant expressions
//! that stand wherever the language wants a number at compile time.

use super::{PResult, Parser};
use crate::ast::*;
use crate::lexer::{Kw, Tok};

impl<'a> Parser<'a> {
    /// `const NAME = EXPR`.
    pub(super) fn const_decl(&mut self) -> PResult<ConstAst<'a>> {
        self.bump();
        let name = self.ident("a constant name")?;
        self.expect(Tok::Assign, "`=` and the constant's value")?;
        let value = self.const_expr("the constant's value", false)?;
        Ok(ConstAst { name, value })
    }

    /// `enum NAME { A, B, C }`: members separated by commas, a trailing comma allowed.
    pub(super) fn enum_decl(&mut self) -> PResult<EnumAst<'a>> {
        let kw = self.bump();
        let name = self.ident("an enum name")?;
        let open = self.expect(Tok::LBrace, "`{` and the enum's members")?;
        let mut members = Vec::new();
        while !self.at(Tok::RBrace) {
            if self.at(Tok::Eof) {
                self.close(open.sp, "enum")?;
            }
            members.push(self.ident("a member name")?);
            if self.eat(Tok::Comma).is_none() {
                break;
            }
        }
        self.close(open.sp, "enum")?;
        Ok(EnumAst { name, members, sp: kw.sp.to(self.prev_sp()) })
    }

    /// A compile-time integer as written: a number, a `const` name, or `+ - * / %` and unary
    /// `-` of them. The checker works out its value with `Checker::const_int` (and says
    /// what is not constant in it); `what` names it when nothing is there. A range bound
    /// is parsed as a sum (`bound`), so that `0..N-1` reads as a range; anything else as a
    /// whole expression.
    pub(crate) fn const_expr(&mut self, what: &str, bound: bool) -> PResult<ExprAst<'a>> {
        let starts = matches!(
            self.peek().tok,
            Tok::Int(_)
                | Tok::Minus
                | Tok::Bang
                | Tok::Ident
                | Tok::LParen
                | Tok::Kw(
                    Kw::True | Kw::False | Kw::SelfValue | Kw::Ok | Kw::Abandoned | Kw::TimeoutResult | Kw::NotOwner
                )
        );
        if !starts {
            return Err(self.expected(what));
        }
        if bound {
            self.add_expr()
        } else {
            self.expr()
        }
    }
}
