//! The mutexcheck model language: source text to core IR, with diagnostics a user can act on.
//!
//! [`compile`] runs the whole front end: input checks (size, UTF-8), lexing, parsing, then
//! name resolution, type checks and lowering to [`mutexcheck_core::Model`]. Every error is a
//! [`Diagnostic`] with a line, a column and a plain sentence; several are reported at once
//! where the front end can go on. No input makes it panic, loop or overflow the stack.
//! The language is specified in `docs/language.md`.
//!
//! Every phase takes time and memory in proportion to the size of the input, which is at
//! most [`MAX_SOURCE_BYTES`]: tokens are made as the parser asks for them, positions are
//! found without scanning lines, names are looked up in maps, only the errors that are
//! shown are kept (and only they get a "did you mean" search), and a report quotes long
//! names and lines cut. `tests/size_bounds.rs` holds a 1 MiB model for each way this failed.

mod ast;
mod check;
mod diag;
mod errors;
mod expect;
mod lexer;
mod parser;
mod source;

pub use diag::{Diagnostic, Diagnostics};
pub use expect::{expected_verdict, Expect};
pub use parser::MAX_DEPTH;

use source::{Source, Sp};

/// The largest model file accepted, in bytes. Real models are a few kilobytes; the bound keeps
/// a mistaken argument (a log file, a binary) from costing memory and time.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// A diagnostic still holding a byte range, before positions are computed.
pub(crate) struct RawDiag {
    pub sp: Sp,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

impl RawDiag {
    pub fn new(sp: Sp, message: impl Into<String>, label: impl Into<String>) -> RawDiag {
        RawDiag { sp, message: message.into(), label: label.into(), help: None }
    }

    pub fn help(mut self, help: impl Into<String>) -> RawDiag {
        self.help = Some(help.into());
        self
    }
}

/// Compiles model source text into core IR. `path` is only used in messages.
///
/// The model returned is accepted by [`mutexcheck_core::System::new`].
pub fn compile(path: &str, source: &[u8]) -> Result<mutexcheck_core::Model, Diagnostics> {
    let _ = path;
    let point = |line, col, message: String, label: &str, help: Option<String>| {
        Diagnostics::one(Diagnostic { message, line, col, len: 0, label: label.into(), help })
    };
    if source.len() > MAX_SOURCE_BYTES {
        return Err(point(
            1,
            1,
            // Readers stop one byte past the limit (the file may be endless, like a device),
            // so the length itself is unknown here.
            format!("the file is longer than {MAX_SOURCE_BYTES} bytes (1 MiB), the most a model may have"),
            "file too large",
            Some("is this the right file?".into()),
        ));
    }
    let text = match std::str::from_utf8(source) {
        Ok(t) => t,
        Err(e) => {
            let good = &source[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let col = String::from_utf8_lossy(&good[line_start..]).chars().count() as u32 + 1;
            let byte = source[e.valid_up_to()];
            return Err(point(
                line,
                col,
                format!("the file is not UTF-8 text (byte 0x{byte:02X} cannot start a character here)"),
                "invalid UTF-8",
                Some("save the model as UTF-8 text".into()),
            ));
        }
    };
    // A byte-order mark (Notepad, Visual Studio) is no part of the model; lines and columns
    // are counted after it, as an editor shows them.
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let src = Source::new(text);
    let mut p = parser::Parser::new(text);
    let ast = p.model();
    let mut errors = p.finish();
    if errors.is_empty() {
        return check::lower(&src, ast).map_err(|errors| errors.finish(&src));
    }
    if !p.stopped() {
        // Name and type errors in the parts that parsed are reported with the syntax
        // errors, except "unknown" ones about a name written in skipped text (its
        // declaration, or the statement that declared it, was lost with the syntax error),
        // and each unknown name only once (its declaration may be what failed to parse).
        let lost = names_in(text, &p.skipped);
        let more = check::check_after_syntax_errors(&src, &ast);
        let mut unknown = std::collections::BTreeSet::new();
        errors.absorb(more, |d| {
            !d.message.starts_with("unknown ")
                || (!lost.contains(text.get(d.sp.start..d.sp.end).unwrap_or("")) && unknown.insert(d.message.clone()))
        });
    }
    Err(errors.finish(&src))
}

/// The UTF-8 byte-order mark, skipped at the start of a file.
const BOM: &str = "\u{feff}";

/// Every name (identifier) written in the ranges `spans` of `text`.
fn names_in<'t>(text: &'t str, spans: &[Sp]) -> std::collections::BTreeSet<&'t str> {
    let mut names = std::collections::BTreeSet::new();
    for sp in spans {
        let part = text.get(sp.start..sp.end).unwrap_or("");
        names.extend(
            part.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')),
        );
    }
    names
}
