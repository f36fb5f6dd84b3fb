//! `allow KIND [m]` declarations.

use super::{PResult, Parser};
use crate::ast::{AllowAst, Ident};
use crate::lexer::Tok;

impl<'a> Parser<'a> {
    /// `allow KIND [m]`. The mutex name is optional, so it must stand on the `allow` line:
    /// a name on the next line starts the next declaration (`starvation m`).
    pub(super) fn allow(&mut self) -> PResult<AllowAst<'a>> {
        let kw = self.bump();
        // A reserved word (`allow assert`) is read as a kind, to be told it cannot be allowed.
        let t = self.peek();
        let kind = if matches!(t.tok, Tok::Kw(_)) && !t.line_start {
            self.bump();
            Ident { name: self.slice(t.sp), sp: t.sp }
        } else {
            self.ident("an outcome to allow (`leaked_ownership` or `not_recoverable`)")?
        };
        let next = self.peek();
        let mutex = if next.tok == Tok::Ident && !next.line_start { Some(self.ident("a mutex name")?) } else { None };
        let sp = kw.sp.to(mutex.as_ref().map_or(kind.sp, |m| m.sp));
        Ok(AllowAst { kind, mutex, sp })
    }
}
