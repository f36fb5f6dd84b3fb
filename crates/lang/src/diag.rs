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
        // Columns are counted after a byte-order mark, as `compile` skips it.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
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

/// Source lines up to this many characters are shown whole.
const MAX_SHOWN_LINE: usize = 400;
/// Of a longer line, at most this many characters are shown before the column...
const WINDOW_BEFORE: usize = 80;
/// ...and this many in all, with `...` where the line is cut.
const WINDOW_WIDTH: usize = 240;

fn render_one(out: &mut String, d: &Diagnostic, path: &str, lines: &[&str]) {
    let number = d.line.to_string();
    let pad = " ".repeat(number.len());
    out.push_str(&format!("error: {}\n", d.message));
    out.push_str(&format!("{pad}--> {path}:{}:{}\n", d.line, d.col));
    let source_line = (d.line as usize).checked_sub(1).and_then(|i| lines.get(i));
    if let Some(line) = source_line {
        let col = d.col.saturating_sub(1) as usize;
        let (cut_before, part, cut_after, col) = window(line, col);
        // Control characters would garble a terminal; show them as U+FFFD, one per char so
        // the carets still line up.
        let shown: String = part.chars().map(|c| if c.is_control() && c != '\t' { '\u{fffd}' } else { c }).collect();
        let (before, after) = (if cut_before { "..." } else { "" }, if cut_after { "..." } else { "" });
        out.push_str(&format!("{pad} |\n"));
        out.push_str(&format!("{number} | {before}{shown}{after}\n"));
        // Pad with the same whitespace as the source (tabs stay tabs) so carets align.
        let indent: String =
            shown.chars().chain(std::iter::repeat(' ')).take(col).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        // At least one caret, and none past the end of the line (+1 for a point after it).
        let room = shown.chars().count().saturating_sub(col).max(1);
        let carets = "^".repeat((d.len as usize).clamp(1, room));
        let label = if d.label.is_empty() { String::new() } else { format!(" {}", d.label) };
        out.push_str(&format!("{pad} | {}{indent}{carets}{label}\n", " ".repeat(before.len())));
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("{pad} = help: {help}\n"));
    }
    out.push('\n');
}

/// The part of `line` to show for a diagnostic at character `col` (from 0): the whole line
/// when it is short, else a window around the column. Returns whether the line is cut
/// before and after the part, the part, and the column within it.
///
/// The window keeps a diagnostic readable and its rendering cheap (work in proportion to
/// the column, not the line): a 1 MiB model may be one line, and fifty errors on it would
/// otherwise print it fifty times.
fn window(line: &str, col: usize) -> (bool, &str, bool, usize) {
    if line.len() <= MAX_SHOWN_LINE || line.chars().nth(MAX_SHOWN_LINE).is_none() {
        return (false, line, false, col);
    }
    let first = col.saturating_sub(WINDOW_BEFORE);
    let byte_at = |s: &str, n: usize| s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    let start = byte_at(line, first);
    let rest = &line[start..];
    let len = byte_at(rest, WINDOW_WIDTH);
    (first > 0, &rest[..len], len < rest.len(), col - first)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_up_to_the_limit_are_shown_whole_and_longer_ones_as_a_window_at_the_column() {
        let short = "é".repeat(MAX_SHOWN_LINE);
        assert_eq!(window(&short, 399), (false, short.as_str(), false, 399));
        let long = format!("{}{}", "a".repeat(300), "é".repeat(MAX_SHOWN_LINE));
        assert_eq!(window(&long, 0), (false, &long[..WINDOW_WIDTH], true, 0));
        let (before, part, after, col) = window(&long, 350);
        assert_eq!((before, after, col), (true, true, WINDOW_BEFORE));
        assert_eq!(part, format!("{}{}", "a".repeat(30), "é".repeat(WINDOW_WIDTH - 30)));
        // A point just after the end of the line.
        let end = long.chars().count();
        let (before, part, after, col) = window(&long, end);
        assert_eq!((before, part.chars().count(), after, col), (true, WINDOW_BEFORE, false, WINDOW_BEFORE));
    }

    #[test]
    fn a_cut_line_keeps_its_carets_under_the_column_and_within_the_window() {
        let line = format!("{}\t{}", "x".repeat(1000), "y".repeat(1000));
        let d = Diagnostic { message: "m".into(), line: 1, col: 1001, len: 5000, label: "here".into(), help: None };
        let out = Diagnostics { items: vec![d] }.render("t.mc", line.as_bytes());
        let shown = format!("1 | ...{}\t{}...\n", "x".repeat(80), "y".repeat(159));
        // Three spaces stand under the `...` before the window.
        let carets = format!("  |    {}{} here\n", " ".repeat(80), "^".repeat(160));
        assert!(out.contains(&shown), "{out}");
        assert!(out.contains(&carets), "{out}");
    }
}
