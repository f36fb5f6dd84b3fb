//! A recursive-descent parser from tokens to the syntax tree.
//!
//! Errors are collected: after a bad statement or declaration the parser skips to the next
//! line that starts a statement (or to a closing brace) and goes on, so one run reports
//! several mistakes. Nesting (blocks, parentheses, unary operators) is limited to
//! [`MAX_DEPTH`] levels so that no input can overflow the stack; reaching the limit, or
//! [`MAX_ERRORS`] errors, stops parsing.

mod allow;
mod consts;
mod decl;
mod expr;
mod mutex_ref;
pub(crate) use expr::QUERIES;
mod proc;
mod recover;
mod stmt;
mod teach;

use crate::ast::*;
use crate::check::closest_word;
use crate::errors::{ErrorList, MAX_ERRORS};
use crate::lexer::{Kw, Lexer, Tok, Token};
use crate::source::Sp;
use crate::RawDiag;

/// The deepest nesting of blocks, parentheses and unary operators a model may use.
pub const MAX_DEPTH: usize = 64;

/// Parsing gave up on the current item; the error is already recorded.
pub(crate) struct Fail;
pub(crate) type PResult<T> = Result<T, Fail>;

/// The words a POSIX mutex declaration may list after `:`.
pub(crate) const MUTEX_ATTRIBUTES: [&str; 5] = ["normal", "errorcheck", "recursive", "default", "robust"];

pub(crate) struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    /// The current token, not yet consumed.
    cur: Token,
    /// The range of the last token consumed.
    prev: Sp,
    /// How many tokens were consumed: a position to tell whether parsing moved.
    pos: usize,
    depth: usize,
    /// Binary operators in the statement or declaration being parsed.
    operators: usize,
    /// Syntax errors so far (lexical ones do not count).
    syntax_errors: usize,
    /// Stop everything: nesting too deep or too many errors.
    fatal: bool,
    /// Lexical and syntax errors, in the order found.
    pub errors: ErrorList,
    /// A `semantics posix` line was read: `lock`, `unlock`, ... are operations from here on.
    posix: bool,
    /// The text skipped after each syntax error, in order.
    pub skipped: Vec<Sp>,
    /// A POSIX operation in a Win32 model was reported (see `posix_in_win32`).
    told_posix: bool,
}

impl<'a> Parser<'a> {
    pub fn new(text: &'a str) -> Parser<'a> {
        let mut lexer = Lexer::new(text);
        let mut errors = ErrorList::default();
        let cur = lexer.next_token(&mut errors);
        Parser {
            text,
            lexer,
            cur,
            prev: cur.sp,
            pos: 0,
            depth: 0,
            operators: 0,
            syntax_errors: 0,
            fatal: false,
            errors,
            posix: false,
            skipped: Vec::new(),
            told_posix: false,
        }
    }

    /// Lexes what parsing left, so that every lexical error is counted.
    pub fn finish(&mut self) -> ErrorList {
        while self.lexer.next_token(&mut self.errors).tok != Tok::Eof {}
        std::mem::take(&mut self.errors)
    }

    /// True when parsing stopped early (nesting too deep, too many errors): the tree is cut
    /// short, so it is not checked.
    pub fn stopped(&self) -> bool {
        self.fatal
    }

    fn peek(&self) -> Token {
        self.cur
    }

    fn at(&self, tok: Tok) -> bool {
        self.peek().tok == tok
    }

    fn at_kw(&self, kw: Kw) -> bool {
        self.at(Tok::Kw(kw))
    }

    fn bump(&mut self) -> Token {
        let t = self.cur;
        if t.tok != Tok::Eof {
            self.prev = t.sp;
            self.cur = self.lexer.next_token(&mut self.errors);
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, tok: Tok) -> Option<Token> {
        if self.at(tok) {
            Some(self.bump())
        } else {
            None
        }
    }

    fn slice(&self, sp: Sp) -> &'a str {
        self.text.get(sp.start..sp.end).unwrap_or("")
    }

    /// The range of the previous token (the end of what was just parsed).
    fn prev_sp(&self) -> Sp {
        self.prev
    }

    /// Fills a top-level setting that may be given once; a second one is an error at `sp`
    /// and the first one stays.
    fn set_once<T>(&mut self, slot: &mut Option<T>, value: T, sp: Sp, message: &str, label: &str) {
        if slot.is_some() {
            self.error(sp, message.into(), label, None);
        } else {
            *slot = Some(value);
        }
    }

    pub(crate) fn error(&mut self, sp: Sp, message: String, label: &str, help: Option<String>) -> Fail {
        if !self.fatal {
            self.errors.push(RawDiag { sp, message, label: label.into(), help });
            self.syntax_errors += 1;
            if self.syntax_errors >= MAX_ERRORS {
                self.fatal = true;
            }
        }
        Fail
    }

    /// "expected X, found Y" at the current token.
    ///
    /// When that token starts a new line, the error is put at the end of the previous line:
    /// that is where something is missing, and newlines end statements in practice.
    fn expected(&mut self, what: &str) -> Fail {
        let t = self.peek();
        if t.line_start && self.pos > 0 && t.tok != Tok::Eof {
            let end = self.prev_sp().end;
            return self.error(
                Sp::new(end, end),
                format!("expected {what}, found the end of the line"),
                &format!("expected {what}"),
                None,
            );
        }
        let found = t.tok.describe(self.slice(t.sp));
        self.error(t.sp, format!("expected {what}, found {found}"), &format!("expected {what}"), None)
    }

    fn expect(&mut self, tok: Tok, what: &str) -> PResult<Token> {
        match self.eat(tok) {
            Some(t) => Ok(t),
            None => Err(self.expected(what)),
        }
    }

    fn ident(&mut self, what: &str) -> PResult<Ident<'a>> {
        let t = self.peek();
        if t.tok == Tok::Ident {
            self.bump();
            return Ok(Ident { name: self.slice(t.sp), sp: t.sp });
        }
        // A keyword starting the next line is the next statement: the name is missing.
        if let (Tok::Kw(k), false) = (t.tok, t.line_start && self.pos > 0) {
            return Err(self.error(
                t.sp,
                format!("expected {what}, found the reserved word `{}`", k.text()),
                "reserved word",
                Some("choose another name".into()),
            ));
        }
        Err(self.expected(what))
    }

    /// Enters one nesting level, failing (fatally) beyond [`MAX_DEPTH`].
    fn enter(&mut self, sp: Sp) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let e = self.error(
                sp,
                format!("nesting is deeper than {MAX_DEPTH} levels"),
                "too deeply nested",
                Some("split the model into simpler statements".into()),
            );
            self.fatal = true;
            return Err(e);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The `}` that closes a block opened at `open`.
    pub(super) fn close(&mut self, open: Sp, what: &str) -> PResult<()> {
        if self.eat(Tok::RBrace).is_some() {
            return Ok(());
        }
        if self.at(Tok::Eof) {
            return Err(self.error(
                open,
                format!("this {what} is never closed"),
                "`{` without a matching `}`",
                Some("add a `}` at the end of the block".into()),
            ));
        }
        Err(self.expected("`}`"))
    }

    /// Parses a whole model file.
    pub fn model(&mut self) -> ModelAst<'a> {
        let mut m = ModelAst::default();
        if self.at(Tok::Eof) {
            self.error(
                self.peek().sp,
                "the model is empty".into(),
                "nothing here",
                Some("a model starts with `model NAME`".into()),
            );
            return m;
        }
        // A misspelt `model` (`modle t`) gets its "did you mean" from the declaration it
        // starts, not a second error.
        let misspelt_model =
            self.at(Tok::Ident) && closest_word(self.slice(self.peek().sp), ["model"].into_iter()).is_some();
        if !self.at_kw(Kw::Model) && !misspelt_model {
            let t = self.peek();
            self.error(
                t.sp,
                "a model file must start with `model NAME`".into(),
                "expected `model`",
                Some("add a first line such as `model my_protocol`".into()),
            );
        }
        while !self.at(Tok::Eof) && !self.fatal {
            let from = self.mark();
            if self.top_item(&mut m).is_err() {
                if self.fatal {
                    break;
                }
                self.recover_top(from);
            }
        }
        m
    }

    fn top_item(&mut self, m: &mut ModelAst<'a>) -> PResult<()> {
        self.operators = 0;
        let t = self.peek();
        match t.tok {
            Tok::Kw(Kw::Model) => {
                self.bump();
                let name = self.ident("a model name")?;
                let sp = t.sp.to(name.sp);
                self.set_once(&mut m.name, name, sp, "the model is named twice", "second `model` line");
            }
            Tok::Kw(Kw::Semantics) => {
                self.bump();
                let s = self.ident("a semantics name (`win32` or `posix`)")?;
                let sp = t.sp.to(s.sp);
                let Some(s) = self.semantics_name(s) else { return Ok(()) };
                // The POSIX words are operations only from this line on.
                if !m.processes.is_empty() {
                    return Err(self.error(
                        sp,
                        "`semantics` must come before the first process".into(),
                        "after a process",
                        Some("move it up, next to the `model` line".into()),
                    ));
                }
                if !m.procs.is_empty() {
                    return Err(self.error(
                        sp,
                        "`semantics` must come before the first procedure".into(),
                        "after a procedure",
                        Some("move it up, next to the `model` line".into()),
                    ));
                }
                self.posix = s.name == "posix";
                self.set_once(&mut m.semantics, s, sp, "`semantics` is given twice", "second `semantics` line");
            }
            Tok::Kw(Kw::Crashes) => {
                self.bump();
                let n = self.const_expr("the number of crashes", false)?;
                let sp = t.sp.to(n.sp);
                self.set_once(&mut m.crashes, n, sp, "`crashes` is given twice", "second `crashes` line");
            }
            Tok::Kw(Kw::Const) => {
                let c = self.const_decl()?;
                m.consts.push(c);
            }
            Tok::Kw(Kw::Enum) => {
                let e = self.enum_decl()?;
                m.enums.push(e);
            }
            Tok::Kw(Kw::Mutex) => {
                let mx = self.mutex()?;
                m.mutexes.push(mx);
            }
            Tok::Kw(Kw::Shared) => {
                self.bump();
                let v = self.var_decl(t.sp)?;
                m.shared.push(v);
            }
            Tok::Kw(Kw::Process) => {
                let p = self.process()?;
                m.processes.push(p);
            }
            Tok::Kw(Kw::Proc) => {
                let p = self.proc_decl()?;
                m.procs.push(p);
            }
            Tok::Kw(Kw::Protect) => {
                self.bump();
                let mutex = self.mutex_ref("a mutex name")?;
                self.expect(Tok::Colon, "`:`")?;
                let cond = self.expr()?;
                m.props.push(PropAst { kind: PropKind::Protect(mutex), cond });
            }
            Tok::Kw(Kw::Invariant) => {
                self.bump();
                let name = self.ident("an invariant name")?;
                self.expect(Tok::Colon, "`:`")?;
                let cond = self.expr()?;
                m.props.push(PropAst { kind: PropKind::Invariant(name), cond });
            }
            Tok::Kw(Kw::Allow) => {
                let a = self.allow()?;
                m.allows.push(a);
            }
            // `starvation` is a word, not a keyword: models may use it as a name.
            Tok::Ident if self.slice(t.sp) == "starvation" => {
                self.bump();
                let mutex = self.mutex_ref("a mutex name (as in `starvation m`)")?;
                let sp = t.sp.to(mutex.sp);
                m.starvation.push((mutex, sp));
            }
            Tok::Ident if self.slice(t.sp) == "at" => {
                self.bump();
                let e = self.peek();
                if !(e.tok == Tok::Ident && self.slice(e.sp) == "end") {
                    return Err(self.expected("`end` (as in `at end: EXPR`)"));
                }
                self.bump();
                self.expect(Tok::Colon, "`:`")?;
                let cond = self.expr()?;
                m.props.push(PropAst { kind: PropKind::AtEnd, cond });
            }
            _ => {
                let found = t.tok.describe(self.slice(t.sp));
                let help = self.declaration_help(t);
                let fail = self.error(
                    t.sp,
                    format!("expected a declaration, found {found}"),
                    "expected `mutex`, `shared`, `const`, `enum`, `process`, `proc`, `protect`, `invariant`, `at end`, `starvation` or `allow`",
                    help,
                );
                self.misspelt_semantics_line(m);
                return Err(fail);
            }
        }
        Ok(())
    }
}

/// Tokens that begin a statement.
fn starts_statement(t: Tok) -> bool {
    matches!(
        t,
        Tok::Ident
            | Tok::Kw(
                Kw::Let
                    | Kw::Wait
                    | Kw::Try
                    | Kw::Release
                    | Kw::Assert
                    | Kw::Skip
                    | Kw::Atomic
                    | Kw::Either
                    | Kw::Exit
                    | Kw::If
                    | Kw::While
                    | Kw::Var
                    | Kw::Return
            )
    )
}

/// Tokens that begin a statement or a declaration (a thread's too): where recovery may resume.
fn starts_item(t: Tok) -> bool {
    starts_statement(t) || starts_top_level(t) || t == Tok::Kw(Kw::Thread)
}

/// Keywords that begin a top-level declaration.
fn starts_top_level(t: Tok) -> bool {
    matches!(
        t,
        Tok::Kw(
            Kw::Model
                | Kw::Const
                | Kw::Enum
                | Kw::Semantics
                | Kw::Crashes
                | Kw::Mutex
                | Kw::Shared
                | Kw::Process
                | Kw::Proc
                | Kw::Protect
                | Kw::Allow
                | Kw::Invariant
        )
    )
}
