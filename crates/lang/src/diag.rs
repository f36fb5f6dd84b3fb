//! Diagnostics: what is wrong with a model, where, and how it is shown to a user.
//!
//! Rendering is done by hand rather than with miette: the project promises a fixed,
//! rustc-like layout (`error:` / `-->` / gutter / carets) with columns counted in characters,
//! no colours and no dependence on terminal width, so that golden tests and CI logs are byte
//! for byte stable. miette's graphical handler has its own box-drawing layout and wraps by
//! width; bending it into this shape would cost more than the forty lines below.

use std::fmt;

/// One problem found in a model, anchored at a place in its source.
///
/// `line` and `col` count from 1; `col` and `len` count characters (Unicode scalar values),
/// so the caret lands under the right character in any UTF-8 text. `len` 0 marks a point
/// (e.g. the end of the file); it is drawn as a single caret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// One plain sentence saying what is wrong.
    pub message: String,
    /// Line of the offending text, from 1.
    pub line: u32,
    /// Column of its first character, from 1.
    pub col: u32,
    /// Its length in characters on that line.
    pub len: u32,
    /// A short note printed next to the carets.
    pub label: String,
    /// A suggestion of what to write instead, when there is an obvious one.
    pub help: Option<String>,
}

/// Every problem found in one model, in source order. Compilation fails if there is any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The problems, sorted by position (line, then column).
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// A single diagnostic.
    pub fn one(d: Diagnostic) -> Diagnostics {
        Diagnostics { items: vec![d] }
    }

    /// Renders every diagnostic as a user reads it in a terminal: the message, the file
    /// position, the source line with carets under the offending text, the help if any,
    /// then a count line. Deterministic and colour-free.
    pub fn render(&self, path: &str, source: &[u8]) -> String {
        let text = String::from_utf8_lossy(source);
        let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        let mut out = String::new();
        for d in &self.items {
            render_one(&mut out, d, path, &lines);
        }
        let n = self.items.len();
        out.push_str(&format!("error: could not compile `{path}`: {n} error{}\n", plural(n)));
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn render_one(out: &mut String, d: &Diagnostic, path: &str, lines: &[&str]) {
    let number = d.line.to_string();
    let pad = " ".repeat(number.len());
    out.push_str(&format!("error: {}\n", d.message));
    out.push_str(&format!("{pad}--> {path}:{}:{}\n", d.line, d.col));
    let source_line = (d.line as usize).checked_sub(1).and_then(|i| lines.get(i));
    if let Some(line) = source_line {
        // Control characters would garble a terminal; show them as U+FFFD, one per char so
        // the carets still line up.
        let shown: String = line.chars().map(|c| if c.is_control() && c != '\t' { '\u{fffd}' } else { c }).collect();
        out.push_str(&format!("{pad} |\n"));
        out.push_str(&format!("{number} | {shown}\n"));
        // Pad with the same whitespace as the source (tabs stay tabs) so carets align.
        let indent: String = shown
            .chars()
            .chain(std::iter::repeat(' '))
            .take(d.col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        // At least one caret, and none past the end of the line (+1 for a point after it).
        let room = shown.chars().count().saturating_sub(indent.chars().count()).max(1);
        let carets = "^".repeat((d.len as usize).clamp(1, room));
        let label = if d.label.is_empty() { String::new() } else { format!(" {}", d.label) };
        out.push_str(&format!("{pad} | {indent}{carets}{label}\n"));
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("{pad} = help: {help}\n"));
    }
    out.push('\n');
}

impl fmt::Display for Diagnostics {
    /// One line per error, `line:col: message`, without the file path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}: {}", d.line, d.col, d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
