//! "Did you mean" hints: the declared name closest to a misspelt one.
//!
//! A hint compares the misspelt name with every visible name of the wanted kind. A hostile
//! model can make that expensive in three ways, each bounded here or by the caller:
//! - Very long names. The distance is computed only near the diagonal of the usual table
//!   and given up as soon as it must exceed [`MAX_EDITS`], the most a hint allows: comparing
//!   two names costs time in proportion to their length and constant memory (the full table
//!   for two names of 400,000 letters is 160 billion cells).
//! - Many misspelt names. The checker searches a hint only for an error that may still be
//!   shown (`ErrorList::may_show`), so a file with a hundred thousand unknown names gets
//!   about fifty searches, not a hundred thousand.
//! - Many names, or long ones, searched several times. All searches of one compilation
//!   share a [`Budget`] in proportion to the file's size; once it is spent, errors come
//!   without a hint. Real models use a small fraction of it.

/// A hint is given only for a name at most this many edits away.
pub const MAX_EDITS: usize = 2;

/// Search steps allowed per byte of source, and in any case (see [`Budget`]): a few
/// milliseconds of work, and a hundred times what fifty hints in a real model take.
const STEPS_PER_BYTE: u64 = 16;
const STEPS_AT_LEAST: u64 = 1 << 22;

/// What the hint searches of one compilation may still spend, in steps: one per name looked
/// at, one per table cell computed. A search that runs out gives no hint, so the hints given
/// never depend on where the budget ran out within a search.
pub(crate) struct Budget {
    /// Steps left.
    pub left: u64,
    /// Steps spent and searches made so far, for tests that bound the work.
    pub spent: u64,
    pub searches: u64,
}

impl Budget {
    /// The budget for a source of `len` bytes.
    pub fn for_source(len: usize) -> Budget {
        Budget { left: (len as u64).saturating_mul(STEPS_PER_BYTE).max(STEPS_AT_LEAST), spent: 0, searches: 0 }
    }

    /// Spends `steps`; false (and nothing left) when there were not that many.
    fn spend(&mut self, steps: u64) -> bool {
        let ok = steps <= self.left;
        let steps = steps.min(self.left);
        self.left -= steps;
        self.spent += steps;
        ok
    }
}

/// The candidate closest to a misspelt `name`: at most [`MAX_EDITS`] edits, and fewer than
/// half its letters. Ties go to the first in alphabetical order, so the hint is
/// deterministic. `None` when there is none, or when the budget runs out.
pub(crate) fn closest<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
    budget: &mut Budget,
) -> Option<&'c str> {
    budget.searches += 1;
    let letters = name.chars().count().max(2);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if !budget.spend(1) {
            return None;
        }
        let mut steps = 0;
        let d = distance_within(name.as_bytes(), candidate.as_bytes(), &mut steps);
        if !budget.spend(steps) {
            return None;
        }
        let Some(d) = d else { continue };
        if d * 2 >= letters {
            continue;
        }
        match best {
            Some(b) if b <= (d, candidate) => {}
            _ => best = Some((d, candidate)),
        }
    }
    best.map(|(_, s)| s)
}

/// The word of a short fixed list (keywords, result names) closest to a misspelt `name`, as
/// [`closest`] finds it. The list is a handful of short words, so the search costs little
/// whatever `name` is: it needs no share of the file's budget.
pub(crate) fn closest_word<'c>(name: &str, words: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    closest(name, words, &mut Budget::for_source(0))
}

/// Cells of the table kept per row: the diagonal and [`MAX_EDITS`] on each side.
const BAND: usize = 2 * MAX_EDITS + 1;
/// Any distance above [`MAX_EDITS`]; cells are capped at it.
const FAR: usize = MAX_EDITS + 1;

/// The edit distance between two names, counting a swap of neighbours as one edit (optimal
/// string alignment, since `lokc` for `lock` is the commonest slip), or `None` when it is
/// more than [`MAX_EDITS`]. Names are ASCII (the lexer sees to it), so bytes are letters.
///
/// Cell `(i, j)` of the usual table is at least `|i - j|`, so only the [`BAND`] cells of a
/// row nearest the diagonal can be within the limit; the others count as [`FAR`], and so
/// does every value above the limit. Once a whole row is beyond the limit, every later one
/// is too, and the search stops. `steps` counts the cells computed: at most `BAND` per
/// letter of `a`.
fn distance_within(a: &[u8], b: &[u8], steps: &mut u64) -> Option<usize> {
    if a.len().abs_diff(b.len()) > MAX_EDITS {
        return None;
    }
    // Row i holds cells (i, i + c - MAX_EDITS) for c in 0..BAND.
    let cell = |row: &[usize; BAND], c: Option<usize>| c.and_then(|c| row.get(c)).copied().unwrap_or(FAR);
    let mut before = [FAR; BAND];
    let mut prev = [FAR; BAND];
    for (c, v) in prev.iter_mut().enumerate() {
        if let Some(j) = c.checked_sub(MAX_EDITS).filter(|&j| j <= b.len()) {
            *v = j;
        }
    }
    for i in 1..=a.len() {
        let mut row = [FAR; BAND];
        for c in 0..BAND {
            let Some(j) = (i + c).checked_sub(MAX_EDITS).filter(|&j| j <= b.len()) else { continue };
            row[c] = if j == 0 {
                i.min(FAR)
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let up = cell(&prev, Some(c + 1)) + 1;
                let left = cell(&row, c.checked_sub(1)) + 1;
                let mut v = up.min(left).min(prev[c] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(before[c] + 1);
                }
                v.min(FAR)
            };
        }
        *steps += BAND as u64;
        if row.iter().all(|&v| v > MAX_EDITS) {
            return None;
        }
        before = prev;
        prev = row;
    }
    let d = prev[b.len() + MAX_EDITS - a.len()];
    (d <= MAX_EDITS).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full table, as the checker computed it before: the reference.
    fn full_distance(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, v) in d[0].iter_mut().enumerate() {
            *v = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[a.len()][b.len()]
    }

    fn within(a: &str, b: &str) -> Option<usize> {
        distance_within(a.as_bytes(), b.as_bytes(), &mut 0)
    }

    #[test]
    fn the_band_agrees_with_the_full_table_up_to_two_edits() {
        // Every pair of words of up to 5 letters over a 3-letter alphabet.
        let mut words = vec![String::new()];
        for len in 1..=5 {
            let shorter: Vec<String> = words.iter().filter(|w| w.len() == len - 1).cloned().collect();
            for w in shorter {
                for c in ['a', 'b', 'c'] {
                    words.push(format!("{w}{c}"));
                }
            }
        }
        for a in &words {
            for b in &words {
                let full = full_distance(a, b);
                assert_eq!(within(a, b), (full <= MAX_EDITS).then_some(full), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn swaps_of_neighbours_count_as_one_edit() {
        assert_eq!(within("lokc", "lock"), Some(1));
        assert_eq!(within("rnud", "round"), Some(2));
        assert_eq!(within("count_b", "count_a"), Some(1));
        assert_eq!(within("abcdef", "badcfe"), None);
    }

    #[test]
    fn long_names_cost_steps_in_proportion_to_their_length() {
        let x = "x".repeat(400_000);
        let y = format!("{}y", &x[1..]);
        let mut steps = 0;
        assert_eq!(distance_within(x.as_bytes(), y.as_bytes(), &mut steps), Some(1));
        assert_eq!(steps, 400_000 * BAND as u64);
        // Two long names that differ early are given up at once.
        let z = format!("zzz{}", &x[3..]);
        let mut steps = 0;
        assert_eq!(distance_within(x.as_bytes(), z.as_bytes(), &mut steps), None);
        assert!(steps <= 3 * BAND as u64, "{steps}");
    }

    #[test]
    fn closest_prefers_fewer_edits_then_the_alphabet() {
        let mut budget = Budget::for_source(0);
        let names = ["lock", "lick", "clock", "lokc2"];
        assert_eq!(closest("lokc", names.into_iter(), &mut budget), Some("lock"));
        assert_eq!(closest("lxck", names.into_iter(), &mut budget), Some("lick"));
        assert_eq!(closest("zz", names.into_iter(), &mut budget), None);
        // Two edits must be fewer than half the letters: none for a three-letter name.
        assert_eq!(closest("rnd", ["round"].into_iter(), &mut budget), None);
    }

    #[test]
    fn a_spent_budget_gives_no_hint() {
        let mut budget = Budget { left: 10, spent: 0, searches: 0 };
        let names = ["lock"; 3];
        assert_eq!(closest("lokc", names.into_iter(), &mut budget), None);
        assert_eq!((budget.left, budget.spent), (0, 10));
        assert_eq!(closest("lokc", ["lock"].into_iter(), &mut budget), None);
    }
}
