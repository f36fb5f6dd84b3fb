//! The errors of one compilation: the first [`MAX_ERRORS`] in source order are kept, the
//! rest only counted.
//!
//! A wrong or hostile file can hold an error every few bytes, hundreds of thousands in a
//! 1 MiB file. Only the first ones are ever shown, so only they are kept: the memory for
//! errors stays constant, and work done for an error's reader alone (a "did you mean"
//! search) is done only while the error may still be shown ([`ErrorList::may_show`]).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::source::{Source, Sp};
use crate::{Diagnostic, Diagnostics, RawDiag};

/// The most errors shown for one file; a last line then says how many more there are.
/// Parsing also stops after this many syntax errors.
pub const MAX_ERRORS: usize = 50;

/// A name or number longer than this is shown cut in a message (see [`clip_long_words`]).
const MAX_WORD: usize = 64;

/// An error with its place in the order errors are shown: by position, then as found.
struct Entry {
    key: (usize, u64),
    diag: RawDiag,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.key == other.key
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Entry) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Entry) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// The errors found so far: a max-heap of the [`MAX_ERRORS`] first (the last of them on
/// top, to be evicted by an earlier one) and a count of the others.
#[derive(Default)]
pub(crate) struct ErrorList {
    kept: BinaryHeap<Entry>,
    found: u64,
    dropped: usize,
}

impl ErrorList {
    pub fn push(&mut self, diag: RawDiag) {
        let key = (diag.sp.start, self.found);
        self.found += 1;
        if self.kept.len() < MAX_ERRORS {
            self.kept.push(Entry { key, diag });
            return;
        }
        self.dropped += 1;
        if self.kept.peek().is_some_and(|last| key < last.key) {
            self.kept.pop();
            self.kept.push(Entry { key, diag });
        }
    }

    /// Reports an error at `sp` built by `make` only if it may be shown, else only counts
    /// it: for a message that costs more than the text it points at (one quoting another
    /// name, which may be very long, or with a hint to search for).
    pub fn push_with(&mut self, sp: Sp, make: impl FnOnce() -> RawDiag) {
        if self.may_show(sp) {
            self.push(make());
        } else {
            self.found += 1;
            self.dropped += 1;
        }
    }

    /// True when an error at `sp` reported now would be among those shown. Once
    /// [`MAX_ERRORS`] errors before it are known it never will be: later errors only push
    /// it further out.
    pub fn may_show(&self, sp: Sp) -> bool {
        self.kept.len() < MAX_ERRORS || self.kept.peek().is_some_and(|last| sp.start < last.key.0)
    }

    /// Adds the errors of `other` that `keep` accepts (those `other` only counted are
    /// counted here too).
    pub fn absorb(&mut self, other: ErrorList, mut keep: impl FnMut(&RawDiag) -> bool) {
        let counted = other.dropped;
        for d in other.into_sorted().into_iter().filter(|d| keep(d)) {
            self.push(d);
        }
        self.found += counted as u64;
        self.dropped += counted;
    }

    /// How many errors were reported so far, shown or not.
    pub fn found(&self) -> u64 {
        self.found
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The kept errors in the order they are shown.
    pub fn into_sorted(self) -> Vec<RawDiag> {
        self.kept.into_sorted_vec().into_iter().map(|e| e.diag).collect()
    }

    /// The diagnostics shown to the user: the kept errors in source order (errors at one
    /// position in the order they were found), then, if any were dropped, one last
    /// diagnostic saying how many.
    pub fn finish(self, src: &Source) -> Diagnostics {
        let more = self.dropped;
        let mut raw = self.into_sorted();
        // One mistake read twice (the place and the value of `b += 1`) is shown once.
        raw.dedup_by(|b, a| a.sp == b.sp && a.message == b.message);
        if more > 0 {
            let at = raw.last().map_or(Sp::default(), |r| r.sp);
            raw.push(RawDiag::new(at, format!("{more} more errors not shown"), "stopped here"));
        }
        let items = raw
            .into_iter()
            .map(|r| {
                let (line, col, len) = src.diag_pos(r.sp);
                Diagnostic {
                    message: clip_long_words(&r.message),
                    line,
                    col,
                    len,
                    label: clip_long_words(&r.label),
                    help: r.help.as_deref().map(clip_long_words),
                }
            })
            .collect();
        Diagnostics { items }
    }
}

/// `text` with every name or number longer than [`MAX_WORD`] characters cut to its first
/// and last characters around `...`: a message quoting a name of a hundred thousand
/// letters stays one readable line. Ordinary messages are returned unchanged.
pub(crate) fn clip_long_words(text: &str) -> String {
    const HEAD: usize = 24;
    const TAIL: usize = 8;
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len().min(1024));
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        // Words are ASCII, so these byte offsets are character boundaries.
        if i - start > MAX_WORD {
            out.push_str(&text[start..start + HEAD]);
            out.push_str("...");
            out.push_str(&text[i - TAIL..i]);
        } else {
            out.push_str(&text[start..i]);
        }
        let other = i;
        while i < bytes.len() && !is_word(bytes[i]) {
            i += 1;
        }
        out.push_str(&text[other..i]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: usize, message: &str) -> RawDiag {
        RawDiag::new(Sp::new(start, start + 1), message, "")
    }

    fn messages(list: ErrorList, text: &str) -> Vec<String> {
        list.finish(&Source::new(text)).items.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn keeps_the_first_errors_by_position_whatever_the_order_found() {
        let mut list = ErrorList::default();
        for i in (0..200).rev() {
            list.push(at(i, &format!("e{i}")));
        }
        let got = messages(list, &" ".repeat(300));
        let mut want: Vec<String> = (0..MAX_ERRORS).map(|i| format!("e{i}")).collect();
        want.push("150 more errors not shown".into());
        assert_eq!(got, want);
    }

    #[test]
    fn errors_at_one_position_keep_the_order_they_were_found_in() {
        let mut list = ErrorList::default();
        for i in 0..60 {
            list.push(at(7, &format!("e{i}")));
        }
        let got = messages(list, &" ".repeat(10));
        assert_eq!(got[..3], ["e0", "e1", "e2"]);
        assert_eq!(got[MAX_ERRORS - 1], "e49");
        assert_eq!(got[MAX_ERRORS], "10 more errors not shown");
    }

    #[test]
    fn an_error_may_show_until_fifty_earlier_ones_are_known() {
        let mut list = ErrorList::default();
        for i in 0..MAX_ERRORS {
            assert!(list.may_show(Sp::new(100, 101)));
            list.push(at(10 + i, "e"));
        }
        assert!(list.may_show(Sp::new(58, 59)));
        assert!(!list.may_show(Sp::new(59, 60)));
        assert!(!list.may_show(Sp::new(100, 101)));
    }

    #[test]
    fn an_error_that_cannot_show_is_counted_without_being_built() {
        let mut list = ErrorList::default();
        for i in 0..MAX_ERRORS {
            list.push_with(Sp::new(i, i + 1), || at(i, "e"));
        }
        list.push_with(Sp::new(999, 1000), || unreachable!("never shown, never built"));
        list.push_with(Sp::new(0, 1), || at(0, "first"));
        let got = messages(list, &" ".repeat(1000));
        assert_eq!((got[0].as_str(), got.len()), ("e", MAX_ERRORS + 1));
        assert_eq!(got[1], "first");
        assert_eq!(got[MAX_ERRORS], "2 more errors not shown");
    }

    #[test]
    fn long_words_are_cut_and_ordinary_text_is_kept() {
        let msg = "unknown name `count_b` (did you mean `count_a`?), 2147483648 > 1";
        assert_eq!(clip_long_words(msg), msg);
        let long = format!("unknown name `{}y`", "x".repeat(100_000));
        assert_eq!(clip_long_words(&long), format!("unknown name `{}...xxxxxxxy`", "x".repeat(24)));
        let exactly = "a".repeat(MAX_WORD);
        assert_eq!(clip_long_words(&exactly), exactly);
        assert_eq!(clip_long_words("é `ü` ..."), "é `ü` ...");
    }
}
