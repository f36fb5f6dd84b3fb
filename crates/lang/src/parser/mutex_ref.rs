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
        let mut index = None;
        if let Some(open) = self.eat(Tok::LBracket) {
            self.enter(open.sp)?;
            let e = self.expr();
            self.leave();
            index = Some(Box::new(e?));
            self.expect(Tok::RBracket, "`]`")?;
        }
        let sp = name.sp.to(self.prev_sp());
        Ok(MutexRefAst { name, index, sp })
    }
}
