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
        const WHAT: &str = "an outcome to allow (`leaked_ownership` or `not_recoverable`)";
        let t = self.peek();
        let kind = if t.line_start {
            return Err(self.expected(WHAT));
        } else if matches!(t.tok, Tok::Kw(_)) {
            self.bump();
            Ident { name: self.slice(t.sp), sp: t.sp }
        } else {
            self.ident(WHAT)?
        };
        let next = self.peek();
        let mutex = if next.tok == Tok::Ident && !next.line_start { Some(self.ident("a mutex name")?) } else { None };
        let sp = kw.sp.to(mutex.as_ref().map_or(kind.sp, |m| m.sp));
        Ok(AllowAst { kind, mutex, sp })
    }
}
