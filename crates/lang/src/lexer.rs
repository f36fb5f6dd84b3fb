//! The lexer: source text to tokens, skipping whitespace and comments.
//!
//! Newlines carry no meaning (statements never begin with an operator, so a statement's end
//! is where its expression cannot go on); `;` may separate statements on one line.

use crate::errors::ErrorList;
use crate::source::Sp;
use crate::RawDiag;

/// Reserved words. Built-in query names (`held`, `count`, `owns`, `abandoned`), type names
/// (`bool`, `result`), `at`, `end` and `win32` are not reserved: they mean something only in
/// their place, so users may still name a variable `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kw {
    Model,
    Semantics,
    Crashes,
    Mutex,
    OwnedBy,
    Shared,
    Process,
    Thread,
    Restart,
    Var,
    Let,
    Wait,
    Try,
    Release,
    Timeout,
    Assert,
    Skip,
    Atomic,
    Either,
    Or,
    Exit,
    If,
    Else,
    While,
    Protect,
    Invariant,
    True,
    False,
    SelfValue,
    Ok,
    Abandoned,
    TimeoutResult,
    NotOwner,
    Const,
    Enum,
    Allow,
    /// `proc NAME(PARAMS) { ... }`: a procedure, inlined at each call.
    Proc,
    /// `return [EXPR]`: ends a procedure.
    Return,
    /// `shared a: 0..3 guarded_by m`: the mutex a thread must own to touch `a`.
    GuardedBy,
}

const KEYWORDS: &[(&str, Kw)] = &[
    ("model", Kw::Model),
    ("semantics", Kw::Semantics),
    ("crashes", Kw::Crashes),
    ("mutex", Kw::Mutex),
    ("owned_by", Kw::OwnedBy),
    ("shared", Kw::Shared),
    ("process", Kw::Process),
    ("thread", Kw::Thread),
    ("restart", Kw::Restart),
    ("var", Kw::Var),
    ("let", Kw::Let),
    ("wait", Kw::Wait),
    ("try", Kw::Try),
    ("release", Kw::Release),
    ("timeout", Kw::Timeout),
    ("assert", Kw::Assert),
    ("skip", Kw::Skip),
    ("atomic", Kw::Atomic),
    ("either", Kw::Either),
    ("or", Kw::Or),
    ("exit", Kw::Exit),
    ("if", Kw::If),
    ("else", Kw::Else),
    ("while", Kw::While),
    ("protect", Kw::Protect),
    ("invariant", Kw::Invariant),
    ("true", Kw::True),
    ("false", Kw::False),
    ("self", Kw::SelfValue),
    ("OK", Kw::Ok),
    ("ABANDONED", Kw::Abandoned),
    ("TIMEOUT", Kw::TimeoutResult),
    ("NOT_OWNER", Kw::NotOwner),
    ("const", Kw::Const),
    ("enum", Kw::Enum),
    ("allow", Kw::Allow),
    ("proc", Kw::Proc),
    ("return", Kw::Return),
    ("guarded_by", Kw::GuardedBy),
];

impl Kw {
    pub fn text(self) -> &'static str {
        KEYWORDS.iter().find(|(_, k)| *k == self).map_or("?", |(s, _)| s)
    }
}

/// A token's kind. Identifiers and numbers keep their text in the source, found via the span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident,
    /// An integer literal; `None` when it does not fit in 32 bits (reported by the lexer).
    Int(Option<i64>),
    Kw(Kw),
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Colon,
    Semi,
    Comma,
    Dot,
    DotDot,
    Assign,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    AndAnd,
    OrOr,
    Bang,
    Eof,
}

impl Tok {
    /// How the token is named in "expected X, found Y" messages.
    pub fn describe(self, text: &str) -> String {
        match self {
            Tok::Ident => format!("`{text}`"),
            Tok::Int(_) => format!("the number `{text}`"),
            Tok::Kw(k) => format!("`{}`", k.text()),
            Tok::Eof => "the end of the file".into(),
            _ => format!("`{text}`"),
        }
    }
}

/// A token and where it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub sp: Sp,
    /// True when a newline separates it from the previous token (used to resynchronise
    /// after a syntax error at the start of the next line).
    pub line_start: bool,
}

/// Splits the text into tokens, one at a time as the parser asks for them, ending with
/// `Eof` (returned again at every later call). Errors go to the list and lexing goes on
/// after each one (a run of unexpected characters is reported once).
///
/// Tokens are never all held at once: a 1 MiB file of `;` is a million of them.
pub(crate) struct Lexer<'a> {
    text: &'a str,
    at: usize,
    /// A newline was passed since the last token.
    newline: bool,
    /// Where the last token ended: the end of the file is shown there, not on an empty
    /// last line.
    last_end: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Lexer<'a> {
        Lexer { text, at: 0, newline: true, last_end: 0 }
    }

    pub fn next_token(&mut self, errors: &mut ErrorList) -> Token {
        let text = self.text;
        let bytes = text.as_bytes();
        while self.at < bytes.len() {
            let start = self.at;
            match self.token_at(start, errors) {
                Some((tok, end)) => {
                    self.at = end;
                    let t = Token { tok, sp: Sp::new(start, end), line_start: self.newline };
                    self.newline = false;
                    self.last_end = end;
                    return t;
                }
                None => debug_assert!(self.at > start, "the lexer moves on"),
            }
        }
        Token { tok: Tok::Eof, sp: Sp::new(self.last_end, self.last_end), line_start: true }
    }

    /// The token starting at byte `i` and its end, or `None` after skipping whitespace, a
    /// comment or a run of characters that cannot start a token (moving `self.at` past it).
    fn token_at(&mut self, i: usize, errors: &mut ErrorList) -> Option<(Tok, usize)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let c = bytes[i];
        if c == b'\n' {
            self.newline = true;
            self.at = i + 1;
            return None;
        }
        if c == b' ' || c == b'\t' || c == b'\r' {
            self.at = i + 1;
            return None;
        }
        if text[i..].starts_with("//") {
            self.at = i + text[i..].find('\n').unwrap_or(text.len() - i);
            return None;
        }
        if text[i..].starts_with("/*") {
            match text[i + 2..].find("*/") {
                Some(j) => {
                    self.newline |= text[i..i + 2 + j].contains('\n');
                    self.at = i + j + 4;
                }
                None => {
                    errors.push(RawDiag::new(
                        Sp::new(i, i + 2),
                        "this comment is never closed",
                        "`/*` without a matching `*/`",
                    ));
                    self.at = bytes.len();
                }
            }
            return None;
        }
        let word_end = |mut j: usize| {
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            j
        };
        if c.is_ascii_alphabetic() || c == b'_' {
            let end = word_end(i);
            let word = &text[i..end];
            let tok = KEYWORDS.iter().find(|(s, _)| *s == word).map_or(Tok::Ident, |(_, k)| Tok::Kw(*k));
            return Some((tok, end));
        }
        if c.is_ascii_digit() {
            let end = word_end(i);
            let word = &text[i..end];
            let tok = match word.parse::<i64>() {
                Ok(v) if v <= i32::MAX as i64 + 1 => Tok::Int(Some(v)),
                Ok(_) | Err(_) if word.bytes().all(|b| b.is_ascii_digit()) => {
                    errors.push(RawDiag::new(
                        Sp::new(i, end),
                        format!("the number {word} is too large; values are 32-bit integers"),
                        "larger than 2147483647",
                    ));
                    Tok::Int(None)
                }
                _ => {
                    errors.push(RawDiag::new(
                        Sp::new(i, end),
                        format!("`{word}` is not a number"),
                        "numbers are written in decimal digits only",
                    ));
                    Tok::Int(None)
                }
            };
            return Some((tok, end));
        }
        let two = bytes.get(i + 1).copied();
        let (tok, n) = match (c, two) {
            (b'.', Some(b'.')) => (Tok::DotDot, 2),
            (b'=', Some(b'=')) => (Tok::EqEq, 2),
            (b'!', Some(b'=')) => (Tok::Ne, 2),
            (b'<', Some(b'=')) => (Tok::Le, 2),
            (b'>', Some(b'=')) => (Tok::Ge, 2),
            (b'&', Some(b'&')) => (Tok::AndAnd, 2),
            (b'|', Some(b'|')) => (Tok::OrOr, 2),
            (b'{', _) => (Tok::LBrace, 1),
            (b'}', _) => (Tok::RBrace, 1),
            (b'[', _) => (Tok::LBracket, 1),
            (b']', _) => (Tok::RBracket, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b':', _) => (Tok::Colon, 1),
            (b';', _) => (Tok::Semi, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'.', _) => (Tok::Dot, 1),
            (b'=', _) => (Tok::Assign, 1),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', _) => (Tok::Gt, 1),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'*', _) => (Tok::Star, 1),
            (b'/', _) => (Tok::Slash, 1),
            (b'%', _) => (Tok::Percent, 1),
            (b'!', _) => (Tok::Bang, 1),
            _ => {
                // Skip the whole run of characters that cannot start a token.
                let mut j = i + text[i..].chars().next().map_or(1, char::len_utf8);
                while j < bytes.len() && !starts_token(&text[j..]) {
                    j += text[j..].chars().next().map_or(1, char::len_utf8);
                }
                let ch = text[i..].chars().next().unwrap_or('?');
                let shown = if ch.is_control() || ch.is_whitespace() {
                    format!("U+{:04X}", ch as u32)
                } else {
                    format!("`{ch}`")
                };
                let mut d = RawDiag::new(
                    Sp::new(i, j),
                    format!("unexpected character {shown}"),
                    "not part of the model language",
                );
                if ch == '&' || ch == '|' {
                    // C's `&m` (a mutex's address) or a single `&` / `|` for `&&` / `||`.
                    d = d.help(format!(
                        "a mutex is named without `&`; \"and\" is `&&`, \"or\" is `||` (`{ch}` alone means nothing)"
                    ));
                }
                errors.push(d);
                self.at = j;
                return None;
            }
        };
        Some((tok, i + n))
    }
}

/// True when a token (or whitespace, or a comment) may start here.
fn starts_token(s: &str) -> bool {
    let c = s.as_bytes()[0];
    c.is_ascii_alphanumeric()
        || c.is_ascii_whitespace()
        || b"_{}[]():;,.=<>+-*/%!".contains(&c)
        || s.starts_with("&&")
        || s.starts_with("||")
}
