//! Recovery after a syntax error: skip to where the next item starts, and remember the text
//! skipped, so that names written there are not reported as unknown afterwards.

use super::teach::{C_TYPES, DECLARATION_WORDS};
use super::{starts_item, starts_top_level, Parser};
use crate::check::closest_word;
use crate::lexer::Tok;
use crate::source::Sp;

impl<'a> Parser<'a> {
    /// Skips what is left of an item that failed to parse (it began at `from`, a `mark`): to the
    /// first token of a later line that can start a statement or declaration, or to a `}`
    /// that closes the enclosing block, or to the end of the file. Braces opened on the way
    /// are skipped as a whole, so a broken `if ... { ... }` is dropped with its block.
    ///
    /// The skipped text is remembered (see [`Parser::skipped`]): names declared or used there
    /// are not reported as unknown afterwards.
    pub(super) fn recover(&mut self, (from, start): (usize, usize)) {
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            let moved = self.pos > from;
            match t.tok {
                Tok::Eof => break,
                Tok::RBrace if depth == 0 && moved => break,
                Tok::RBrace => depth = depth.saturating_sub(1),
                Tok::LBrace => depth += 1,
                _ if depth == 0 && moved && t.line_start && starts_item(t.tok) => break,
                _ => {}
            }
            self.bump();
        }
        self.skipped.push(Sp::new(start, self.peek().sp.start.max(start)));
    }

    /// Where an item starts, for [`Parser::recover`]: the tokens consumed so far and the
    /// byte the item starts at.
    pub(super) fn mark(&self) -> (usize, usize) {
        (self.pos, self.peek().sp.start)
    }

    /// [`Parser::recover`] at the top level: skips to the next line that starts a
    /// declaration (or a misspelt one), stepping over stray `}`. Statements outside any
    /// process (after a `}` too many, say) are one error, not one per line.
    pub(super) fn recover_top(&mut self, (from, start): (usize, usize)) {
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            let moved = self.pos > from;
            match t.tok {
                Tok::Eof => break,
                Tok::RBrace => depth = depth.saturating_sub(1),
                Tok::LBrace => depth += 1,
                _ if depth == 0 && moved && t.line_start && self.starts_declaration() => break,
                _ => {}
            }
            self.bump();
        }
        self.skipped.push(Sp::new(start, self.peek().sp.start.max(start)));
    }

    /// True when the current token starts a top-level declaration, or is a misspelt word
    /// that does.
    fn starts_declaration(&self) -> bool {
        let t = self.peek();
        match t.tok {
            tok if starts_top_level(tok) => true,
            Tok::Ident => {
                let word = self.slice(t.sp);
                word == "starvation"
                    || word == "at"
                    || C_TYPES.contains(&word)
                    || closest_word(word, DECLARATION_WORDS.into_iter()).is_some()
            }
            _ => false,
        }
    }
}
