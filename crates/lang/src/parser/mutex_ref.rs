//! The pieces of syntax mutex arrays add: an array length and a mutex named with an index.

use super::{PResult, Parser};
use crate::ast::{ExprAst, MutexRefAst};
use crate::lexer::Tok;

impl<'a> Parser<'a> {
    /// The length of an array, between `[` and `]`: of an array variable (`[T; N]`) and of a
    /// mutex array (`mutex lock[N]`), so that both accept the same lengths.
    pub(super) fn array_len(&mut self) -> PResult<ExprAst<'a>> {
        self.const_expr("the array length", false)
    }

    /// `NAME` or `NAME[INDEX]` where a mutex is expected (`what` says what the name is).
    pub(super) fn mutex_ref(&mut self, what: &str) -> PResult<MutexRefAst<'a>> {
        let name = self.ident(what)?;
        let index = self.index_after()?;
        let sp = name.sp.to(self.prev_sp());
        Ok(MutexRefAst { name, index, sp })
    }

    /// `[INDEX]` after a name (of a mutex or of a variable), or nothing.
    pub(super) fn index_after(&mut self) -> PResult<Option<Box<ExprAst<'a>>>> {
        let Some(open) = self.eat(Tok::LBracket) else { return Ok(None) };
        self.enter(open.sp)?;
        let e = self.expr();
        self.leave();
        let index = Box::new(e?);
        self.expect(Tok::RBracket, "`]`")?;
        Ok(Some(index))
    }
}
