//! Source text positions: byte ranges while compiling, lines and character columns for users.

use mutexcheck_core::ir::Span;

/// A byte range `start..end` in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sp {
    pub start: usize,
    pub end: usize,
}

impl Sp {
    pub fn new(start: usize, end: usize) -> Sp {
        Sp { start, end }
    }

    /// The range from the start of `self` to the end of `other`.
    pub fn to(self, other: Sp) -> Sp {
        Sp { start: self.start, end: other.end.max(self.start) }
    }
}

/// The model text with its line starts, to turn byte ranges into what users read.
pub(crate) struct Source<'a> {
    pub text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Source<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { text, line_starts }
    }

    /// Line (from 1), character column (from 1) and the byte offset of that line's start.
    fn locate(&self, offset: usize) -> (u32, u32, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text.get(start..offset).map_or(0, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1, start)
    }

    /// The end of the line containing `offset` (excluding the newline and a `\r` before it).
    fn line_end(&self, line_start: usize) -> usize {
        let rest = &self.text[line_start..];
        let end = line_start + rest.find('\n').unwrap_or(rest.len());
        if end > line_start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// Line, column and length in characters of `sp`, clipped to its first line.
    pub fn diag_pos(&self, sp: Sp) -> (u32, u32, u32) {
        let (line, col, start) = self.locate(sp.start);
        let end = sp.end.min(self.line_end(start)).max(sp.start.min(self.text.len()));
        let len = self.text.get(sp.start.min(self.text.len())..end).map_or(0, |s| s.chars().count());
        (line, col, len as u32)
    }

    /// The IR span of `sp`: line, character column, length in bytes on its first line.
    pub fn span(&self, sp: Sp) -> Span {
        let (line, col, start) = self.locate(sp.start);
        let end = sp.end.min(self.line_end(start)).max(sp.start);
        Span { line, col, len: (end - sp.start.min(end)) as u32 }
    }

    /// The source text of `sp` with every run of whitespace (and any comment) shown as one
    /// space, so a statement spread over lines reads as one line in a trace.
    pub fn text_of(&self, sp: Sp) -> String {
        let raw = self.text.get(sp.start..sp.end.min(self.text.len())).unwrap_or("");
        let mut out = String::new();
        let mut rest = raw;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("//") {
                rest = r.find('\n').map_or("", |i| &r[i..]);
                out.push(' ');
            } else if let Some(r) = rest.strip_prefix("/*") {
                rest = r.find("*/").map_or("", |i| &r[i + 2..]);
                out.push(' ');
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                out.push(if c.is_whitespace() { ' ' } else { c });
                rest = &rest[c.len_utf8()..];
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}
