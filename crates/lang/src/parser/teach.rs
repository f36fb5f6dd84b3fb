//! Syntax errors that teach: a misspelt keyword gets a "did you mean", a habit from C (`for`,
//! `elif`, `break`, `n++`, `x += 1`, `if x = 1`) gets the model language's way to write it.
//!
//! Where the intent is plain (`x += 1`, `if x = 1`, `wait m timeout 100`) the parser reports
//! the error and goes on as if the right text were written, so the checker still sees the
//! statement and no follow-on error appears; elsewhere the statement is skipped as usual.

use super::{PResult, Parser};
use crate::ast::*;
use crate::check::closest_word;
use crate::lexer::Tok;
use mutexcheck_core::ir::BinOp;

/// The words that start a statement (or may stand where one is expected), for hints.
const STATEMENT_WORDS: [&str; 17] = [
    "let", "wait", "try", "release", "assert", "skip", "atomic", "either", "or", "exit", "if", "else", "while", "var",
    "thread", "return", "progress",
];

/// The POSIX operations, statement words in a `semantics posix` model.
const POSIX_WORDS: [&str; 5] = ["lock", "trylock", "timedlock", "unlock", "consistent"];

/// The words that start a top-level declaration, for hints.
pub(super) const DECLARATION_WORDS: [&str; 13] = [
    "model",
    "semantics",
    "crashes",
    "const",
    "enum",
    "mutex",
    "shared",
    "process",
    "proc",
    "protect",
    "invariant",
    "allow",
    "starvation",
];

/// C's words that start a declaration: at the top level, they stand for `shared` (or
/// `mutex`, the last two).
pub(super) const C_TYPES: [&str; 10] =
    ["int", "unsigned", "long", "short", "char", "bool", "volatile", "static", "HANDLE", "pthread_mutex_t"];

/// The semantics a model may name.
const SEMANTICS: [&str; 2] = ["win32", "posix"];

/// A C habit at the start of a statement: the word, the message and the help.
fn c_habit(word: &str) -> Option<(&'static str, &'static str)> {
    Some(match word {
        "for" => (
            "there is no `for` loop: write a `while` loop",
            "count with a variable: `var i: 0..N = 0` at the top of the body, then `while i < N { ...; i = i + 1 }`",
        ),
        "elif" | "elsif" | "elseif" => ("write `else if`, not `elif`", "`if A { ... } else if B { ... } else { ... }`"),
        "break" => (
            "there is no `break`: a `while` loop ends when its condition is false",
            "set a flag the loop tests (`while running { ... running = false }`), or end the thread with `exit`",
        ),
        "continue" => (
            "there is no `continue`: the rest of a loop's body always runs",
            "put the rest of the body in an `if`, or set a flag the loop tests",
        ),
        "do" => (
            "there is no `do ... while` loop: write a `while` loop",
            "`while COND { ... }`; to run the body once first, copy it before the loop",
        ),
        "int" | "unsigned" | "long" | "short" | "char" | "bool" => (
            "a variable is declared with `var`",
            "`var NAME: LO..HI = INIT` (or `var NAME: bool = false`) at the top of a process, thread or procedure body",
        ),
        "switch" | "case" => (
            "there is no `switch`: write `if ... else if ...`",
            "`if x == 1 { ... } else if x == 2 { ... } else { ... }`",
        ),
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    /// A statement that began with the name `name`, not followed by `=` or `[`: a C habit
    /// (`for`, `elif`, `break`, ...) gets its own message.
    pub(super) fn c_statement_word(&mut self, name: &Ident<'a>) -> Option<super::Fail> {
        // Before `(`, only a word that is never a procedure's name in C: `int(x)` may call
        // a procedure the model calls `int`.
        if self.at(Tok::LParen) && !matches!(name.name, "for" | "switch" | "elif" | "elsif" | "elseif") {
            return None;
        }
        let (message, help) = c_habit(name.name)?;
        Some(self.error(name.sp, message.into(), "not in the model language", Some(help.into())))
    }

    /// A statement that began with the name `name` and does not go on as an assignment or a
    /// call: a misspelt keyword gets a "did you mean". `None` when no keyword is close, to
    /// report the usual "expected `=`".
    pub(super) fn misspelt_statement_word(&mut self, name: &Ident<'a>) -> Option<super::Fail> {
        let posix: &[&str] = if self.posix { &POSIX_WORDS } else { &[] };
        let words = STATEMENT_WORDS.iter().chain(posix).copied();
        let word = closest_word(name.name, words)?;
        Some(self.error(
            name.sp,
            format!("unknown statement `{}`", name.name),
            "not a statement",
            Some(format!("did you mean `{word}`?")),
        ))
    }

    /// `let r = wiat m`: a misspelt mutex operation after `let r =` gets a "did you mean".
    pub(super) fn misspelt_operation(&mut self, value: &ExprAst<'a>) -> Option<super::Fail> {
        let ExprKind::Name(n) = value.kind else { return None };
        let ops: &[&str] = if self.posix { &POSIX_WORDS } else { &["wait", "try", "release"] };
        let word = closest_word(n, ops.iter().copied())?;
        Some(self.error(
            value.sp,
            format!("unknown mutex operation `{n}`"),
            "not an operation",
            Some(format!("did you mean `{word}`?")),
        ))
    }

    /// `wait(m)`, as a C call would be written: reported, and read as `wait m`.
    pub(super) fn parenthesized_mutex(&mut self, op: MutexOp) -> PResult<MutexRefAst<'a>> {
        let open = self.bump();
        let mutex = self.mutex_ref("a mutex name")?;
        let close = self.expect(Tok::RParen, "`)`")?;
        let word = op.word();
        self.error(
            open.sp.to(close.sp),
            format!("a mutex operation names its mutex without parentheses: write `{word} {}`", self.slice(mutex.sp)),
            "no parentheses",
            Some("mutex operations are statements, not calls: `wait m`, `let r = wait m`".into()),
        );
        Ok(mutex)
    }

    /// A POSIX operation in a Win32 model: reported at the first one only, since every
    /// later one has the same cause (the missing `semantics posix` line).
    pub(super) fn posix_in_win32(&mut self, sp: crate::source::Sp, op: MutexOp) -> super::Fail {
        if std::mem::replace(&mut self.told_posix, true) {
            return super::Fail;
        }
        self.error(
            sp,
            format!("`{}` is a POSIX mutex operation, but this model uses Win32 semantics", op.word()),
            "POSIX only",
            Some(
                "add `semantics posix` at the top of the model for POSIX mutexes, or use `wait`, `try` and `release`"
                    .into(),
            ),
        )
    }

    /// A top-level word that is a misspelt `semantics` (`semntics posix`): the semantics it
    /// names are used for the rest of the model, so that the one error has no follow-on.
    pub(super) fn misspelt_semantics_line(&mut self, m: &mut ModelAst<'a>) {
        let t = self.peek();
        if t.tok != Tok::Ident || closest_word(self.slice(t.sp), DECLARATION_WORDS.into_iter()) != Some("semantics") {
            return;
        }
        self.bump();
        let s = self.peek();
        if s.tok == Tok::Ident && !s.line_start && SEMANTICS.contains(&self.slice(s.sp)) && m.semantics.is_none() {
            self.bump();
            let name = self.slice(s.sp);
            self.posix = name == "posix";
            m.semantics = Some(Ident { name, sp: s.sp });
        }
    }

    /// True at an arithmetic operator, which after a name starts C's `x++` or `x += 1`.
    pub(super) fn at_c_operator(&self) -> bool {
        matches!(self.peek().tok, Tok::Plus | Tok::Minus | Tok::Star | Tok::Slash | Tok::Percent)
    }

    /// The help for a word that cannot start a top-level declaration: a misspelt declaration
    /// keyword gets a "did you mean"; a statement, the reminder of where statements go.
    pub(super) fn declaration_help(&mut self, t: crate::lexer::Token) -> Option<String> {
        match self.slice(t.sp) {
            "HANDLE" | "pthread_mutex_t" => return Some("a mutex is declared as `mutex NAME`".into()),
            w if C_TYPES.contains(&w) => {
                return Some("a shared variable is declared as `shared NAME: LO..HI = INIT` (or `: bool`)".into())
            }
            _ => {}
        }
        if t.tok == Tok::Ident {
            if let Some(word) = closest_word(self.slice(t.sp), DECLARATION_WORDS.into_iter()) {
                return Some(format!("did you mean `{word}`?"));
            }
        }
        if super::starts_statement(t.tok) {
            return Some("statements belong inside a `process` block".into());
        }
        None
    }

    /// The semantics named by `semantics NAME`: an unknown one is reported at the word, with
    /// the closest known one if there is one, which the rest of the model is then read with
    /// (so `semantics posx` gives one error, not one per POSIX operation). `None` when no
    /// known semantics is close.
    pub(super) fn semantics_name(&mut self, s: Ident<'a>) -> Option<Ident<'a>> {
        if SEMANTICS.contains(&s.name) {
            return Some(s);
        }
        let guess = closest_word(s.name, SEMANTICS.into_iter());
        let help = match guess {
            Some(g) => format!("did you mean `{g}`?"),
            None => "the semantics are `win32` (the default) and `posix`".into(),
        };
        self.error(s.sp, format!("unknown semantics `{}`", s.name), "not supported", Some(help));
        guess.map(|g| Ident { name: g, sp: s.sp })
    }

    /// After a statement's place: `x++`, `x--`, `x += E`, `x -= E`, ... are C's; the error
    /// says how to write it, and the statement is read as that (`x = x + 1`). `None` when the
    /// next token is not such an operator.
    pub(super) fn c_assignment(&mut self, place: &PlaceAst<'a>) -> Option<PResult<StmtKind<'a>>> {
        let op_tok = self.peek();
        let (op, sym) = match op_tok.tok {
            Tok::Plus => (BinOp::Add, "+"),
            Tok::Minus => (BinOp::Sub, "-"),
            Tok::Star => (BinOp::Mul, "*"),
            Tok::Slash => (BinOp::Div, "/"),
            Tok::Percent => (BinOp::Mod, "%"),
            _ => return None,
        };
        self.bump();
        let target = self.slice(place.sp);
        let next = self.peek();
        let adjacent = next.sp.start == op_tok.sp.end;
        let step = matches!((op, next.tok), (BinOp::Add, Tok::Plus) | (BinOp::Sub, Tok::Minus));
        let value = if step && adjacent {
            self.bump();
            self.error(
                op_tok.sp.to(next.sp),
                format!("`{sym}{sym}` is not in the model language: write `{target} = {target} {sym} 1`"),
                "C's increment",
                Some("every assignment is written out: `NAME = EXPR`".into()),
            );
            ExprAst { kind: ExprKind::Int(1), sp: op_tok.sp.to(next.sp) }
        } else if next.tok == Tok::Assign && adjacent {
            self.bump();
            let value = match self.expr() {
                Ok(v) => v,
                Err(e) => return Some(Err(e)),
            };
            let shown = match value.kind {
                ExprKind::Binary(..) => format!("({})", self.slice(value.sp)),
                _ => self.slice(value.sp).to_string(),
            };
            self.error(
                op_tok.sp.to(next.sp),
                format!("`{sym}=` is not in the model language: write `{target} = {target} {sym} {shown}`"),
                "C's compound assignment",
                Some("every assignment is written out: `NAME = EXPR`".into()),
            );
            value
        } else {
            let found = next.tok.describe(self.slice(next.sp));
            return Some(Err(self.error(
                op_tok.sp,
                format!("expected `=` (an assignment), found `{sym}`"),
                "a statement cannot start with an expression",
                Some(format!("assign with `{target} = ...`; `{sym}` then {found} is not a statement")),
            )));
        };
        let current = match &place.index {
            Some(i) => ExprKind::Index(place.name.clone(), i.clone()),
            None => ExprKind::Name(place.name.name),
        };
        let current = ExprAst { kind: current, sp: place.sp };
        let sp = current.sp.to(value.sp);
        let value = ExprAst { kind: ExprKind::Binary(op, Box::new(current), Box::new(value)), sp };
        Some(Ok(StmtKind::Assign { place: place.clone(), value }))
    }

    /// The condition of `if`, `while` or `assert`: `if x = 1` is reported ("`=` assigns")
    /// and read as `if x == 1`.
    pub(super) fn condition(&mut self) -> PResult<ExprAst<'a>> {
        let l = self.expr()?;
        let Some(eq) = self.eat(Tok::Assign) else { return Ok(l) };
        self.error(
            eq.sp,
            "`=` assigns; to compare write `==`".into(),
            "an assignment in a condition",
            Some("a condition compares: `if x == 1 { ... }`".into()),
        );
        let r = self.add_expr()?;
        let sp = l.sp.to(r.sp);
        Ok(ExprAst { kind: ExprKind::Binary(BinOp::Eq, Box::new(l), Box::new(r)), sp })
    }

    /// After `wait m timeout` (`word` is `timeout`) or `timedlock m`: a value (`timeout 100`)
    /// is reported and skipped, since the checker explores every timeout whatever its
    /// length. `written` is how the operation is written.
    pub(super) fn timeout_value(&mut self, word: &str, written: &str) {
        let t = self.peek();
        if t.line_start || !matches!(t.tok, Tok::Int(_)) {
            return;
        }
        self.bump();
        self.error(
            t.sp,
            format!("`{word}` takes no value: every timeout is explored"),
            "no value here",
            Some(format!("write `{written}`: the checker tries both outcomes, the mutex taken and the timeout")),
        );
    }
}
