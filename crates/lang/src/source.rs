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

/// Bytes per entry of [`Source`]'s character count table.
const CHUNK: usize = 64;

/// The model text with its line starts, to turn byte ranges into what users read.
///
/// Every position is found in constant time (a binary search over lines, then at most
/// [`CHUNK`] bytes counted), never by scanning its line: a 1 MiB model on one line has a
/// hundred thousand statements, and each one's span is computed.
pub(crate) struct Source<'a> {
    pub text: &'a str,
    line_starts: Vec<usize>,
    /// `chars_at[k]`: the number of characters in `text[..k * CHUNK]`.
    chars_at: Vec<u32>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Source<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut chars_at = Vec::with_capacity(text.len() / CHUNK + 1);
        let mut chars = 0u32;
        chars_at.push(0);
        for chunk in text.as_bytes().chunks(CHUNK) {
            chars += char_starts(chunk);
            chars_at.push(chars);
        }
        Source { text, line_starts, chars_at }
    }

    /// The number of characters before byte `offset` (a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let k = offset / CHUNK;
        self.chars_at[k] as usize + char_starts(&self.text.as_bytes()[k * CHUNK..offset]) as usize
    }

    /// The line (from 0) containing `offset`.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Line (from 1), character column (from 1) and the line's index (from 0).
    fn locate(&self, offset: usize) -> (u32, u32, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let col = self.chars_before(offset) - self.chars_before(self.line_starts[line]);
        (line as u32 + 1, col as u32 + 1, line)
    }

    /// The end of line `line` (from 0), excluding the newline and a `\r` before it.
    fn line_end(&self, line: usize) -> usize {
        let end = self.line_starts.get(line + 1).map_or(self.text.len(), |next| next - 1);
        if end > self.line_starts[line] && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        }
    }

    /// The line (from 1) of the start of `sp`.
    pub fn line(&self, sp: Sp) -> u32 {
        self.line_index(sp.start.min(self.text.len())) as u32 + 1
    }

    /// Line, column and length in characters of `sp`, clipped to its first line.
    pub fn diag_pos(&self, sp: Sp) -> (u32, u32, u32) {
        let (line, col, index) = self.locate(sp.start);
        let start = sp.start.min(self.text.len());
        let end = sp.end.min(self.line_end(index)).max(start);
        let len = self.chars_before(end) - self.chars_before(start);
        (line, col, len as u32)
    }

    /// The IR span of `sp`: line, character column, length in bytes on its first line.
    pub fn span(&self, sp: Sp) -> Span {
        let (line, col, index) = self.locate(sp.start);
        let end = sp.end.min(self.line_end(index)).max(sp.start);
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

/// The number of characters starting in `bytes` (every byte but UTF-8 continuation bytes).
fn char_starts(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward definition: count from the line's start.
    fn slow_pos(text: &str, sp: Sp) -> (u32, u32, u32) {
        let start = sp.start.min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..start].matches('\n').count() as u32 + 1;
        let col = text[line_start..start].chars().count() as u32 + 1;
        let rest = &text[line_start..];
        let mut line_end = line_start + rest.find('\n').unwrap_or(rest.len());
        if line_end > line_start && text.as_bytes()[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        let end = sp.end.min(line_end).max(start);
        (line, col, text[start..end].chars().count() as u32)
    }

    #[test]
    fn positions_match_counting_from_the_line_start() {
        let long = "é".repeat(100) + &"x".repeat(150);
        let text = format!("model t\r\n// überprüft\n\n{long} a = 1\nlast ü");
        let src = Source::new(&text);
        let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        for &s in &bounds {
            for &e in bounds.iter().filter(|&&e| e >= s).take(5).chain([&text.len()]) {
                let sp = Sp::new(s, e);
                assert_eq!(src.diag_pos(sp), slow_pos(&text, sp), "{sp:?}");
                assert_eq!(src.line(sp), slow_pos(&text, sp).0);
            }
        }
        assert_eq!(
            src.diag_pos(Sp::new(text.len() + 5, text.len() + 9)),
            slow_pos(&text, Sp::new(text.len(), text.len()))
        );
    }
}
