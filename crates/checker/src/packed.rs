//! Unsigned integers of a few bits each, packed back to back in 64-bit words: the arrays of
//! a recorded state graph ([`crate::state_graph`]), whose edges, degrees and mark indices
//! need far fewer bits than the 32 or 64 of a machine word.
//!
//! The width is chosen as the values come: a value that does not fit makes the array
//! [`PackedInts::repack`] itself wider, in place, so it always holds the narrowest width of
//! what it was told to expect. Widths only grow; a graph recorded level by level needs
//! about one widening each time its state count doubles, and each costs one pass over what
//! is held so far (together less than two passes over the final array).

use crate::guard::Guard;
use crate::limits::Limit;

/// Below this size a vector that grows may be copied (the allocator moves it); above, the
/// system remaps its pages (glibc serves blocks of 32 MiB and more by `mmap` and grows them
/// with `mremap`).
const COPIED_BELOW: usize = 32 << 20;

/// Makes room for `more` items in `v` (at least doubling it) when the memory bound allows.
/// What becomes resident is the items written, plus the old block while a small vector is
/// copied: the unwritten rest of a doubled vector takes no memory yet, so a graph of a few
/// hundred million edges is not refused for the half of its last doubling it never uses.
pub(crate) fn room<T>(v: &mut Vec<T>, more: usize, guard: &Guard) -> Result<(), Limit> {
    if v.capacity() - v.len() >= more {
        return Ok(());
    }
    let size = std::mem::size_of::<T>();
    guard.room_for(more * size + (v.capacity() * size).min(COPIED_BELOW))?;
    let want = (v.len() + more).max(2 * v.capacity());
    v.reserve_exact(want - v.len());
    Ok(())
}

/// The bits an unsigned value needs (0 for 0).
pub fn bits_for(value: u64) -> u32 {
    64 - value.leading_zeros()
}

/// The mask of the low `bits` bits.
#[inline]
fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// A growable array of unsigned integers of `bits` bits each (0 to 64); see the module
/// comment. `words` always ends two words past the word where the next value starts (those
/// words zero but for values held), so a value is read or written with two word accesses
/// and no test of where it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedInts {
    words: Vec<u64>,
    bits: u32,
    mask: u64,
    len: usize,
}

impl Default for PackedInts {
    fn default() -> PackedInts {
        PackedInts::new(0)
    }
}

impl PackedInts {
    /// An empty array of `bits`-bit values.
    pub fn new(bits: u32) -> PackedInts {
        PackedInts::with_capacity(bits, 0)
    }

    /// An empty array of `bits`-bit values with room for `len` of them.
    pub fn with_capacity(bits: u32, len: usize) -> PackedInts {
        assert!(bits <= 64, "{bits} bits");
        let mut words = Vec::with_capacity(Self::words_for(len, bits));
        words.resize(2, 0);
        PackedInts { words, bits, mask: mask(bits), len: 0 }
    }

    /// The width of each value.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Words kept for `len` values of `bits` bits: through two words past the last bit.
    fn words_for(len: usize, bits: u32) -> usize {
        len * bits as usize / 64 + 2
    }

    /// Value `i`.
    #[inline]
    pub fn get(&self, i: usize) -> u64 {
        debug_assert!(i < self.len, "{i} of {}", self.len);
        read(&self.words, i, self.bits, self.mask)
    }

    /// Appends `value`, which must fit the width (see [`PackedInts::fits`]).
    #[inline]
    pub fn push(&mut self, value: u64) {
        debug_assert!(self.fits(value), "{value} in {} bits", self.bits);
        write(&mut self.words, self.len, self.bits, value);
        self.len += 1;
        // The next value starts at or before the second-last word: one more to keep two.
        if (self.len * self.bits as usize) / 64 + 2 > self.words.len() {
            self.grow();
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let end = Self::words_for(self.len, self.bits);
        self.words.resize(end, 0);
    }

    /// True when `value` fits the width.
    #[inline]
    pub fn fits(&self, value: u64) -> bool {
        value & !self.mask == 0
    }

    /// Keeps the first `len` values.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.len = len;
        let end = len * self.bits as usize;
        self.words.truncate(end / 64 + 1);
        if let Some(last) = self.words.last_mut() {
            *last &= mask((end % 64) as u32);
        }
        self.words.push(0);
    }

    /// Rewrites every value `v` as `f(v)`, of `bits` bits (no fewer than now), in place: the
    /// values are rewritten from the last to the first, so each lands at or past where it
    /// was, over values already rewritten from.
    pub fn repack(&mut self, bits: u32, f: impl Fn(u64) -> u64, guard: &Guard) -> Result<(), Limit> {
        assert!(bits >= self.bits && bits <= 64, "{} to {bits} bits", self.bits);
        let (old, old_mask, len) = (self.bits, self.mask, self.len);
        let words = Self::words_for(len, bits);
        let more = words.saturating_sub(self.words.len());
        room(&mut self.words, more, guard)?;
        self.words.resize(words, 0);
        let new_mask = mask(bits);
        for i in (0..len).rev() {
            let v = f(read(&self.words, i, old, old_mask));
            debug_assert!(v & !new_mask == 0, "{v} in {bits} bits");
            clear(&mut self.words, i, bits, new_mask);
            write(&mut self.words, i, bits, v);
        }
        (self.bits, self.mask) = (bits, new_mask);
        Ok(())
    }

    /// Rewrites every value `v` as `f(v)`, first to last, at `bits` bits (no more than now),
    /// in place: each value lands at or before where it was, over values already read.
    pub fn map_narrower(&mut self, bits: u32, mut f: impl FnMut(u64) -> u64) {
        assert!(bits <= self.bits, "{} to {bits} bits", self.bits);
        let (old, old_mask, new_mask) = (self.bits, self.mask, mask(bits));
        for i in 0..self.len {
            let v = f(read(&self.words, i, old, old_mask));
            debug_assert!(v & !new_mask == 0, "{v} in {bits} bits");
            clear(&mut self.words, i, bits, new_mask);
            write(&mut self.words, i, bits, v);
        }
        (self.bits, self.mask) = (bits, new_mask);
        // What is left past the last value is stale: truncating clears it.
        let len = self.len;
        self.len = usize::MAX;
        self.truncate(len);
    }

    /// [`PackedInts::repack`] to `bits` bits with the values unchanged.
    pub fn widen(&mut self, bits: u32, guard: &Guard) -> Result<(), Limit> {
        self.repack(bits, |v| v, guard)
    }

    /// Makes room for `more` values (see [`room`]).
    pub fn reserve(&mut self, more: usize, guard: &Guard) -> Result<(), Limit> {
        let need = Self::words_for(self.len + more, self.bits).saturating_sub(self.words.len());
        room(&mut self.words, need, guard)
    }

    /// Gives back the room beyond the values held.
    pub fn shrink_to_fit(&mut self) {
        self.words.shrink_to_fit();
    }

    /// The bytes it holds.
    pub fn bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    /// The values, in order.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.len).map(|i| read(&self.words, i, self.bits, self.mask))
    }
}

/// Value `i` of `bits` bits in `words` (`mask` is `bits` ones); the word after the one the
/// value starts in exists.
#[inline]
fn read(words: &[u64], i: usize, bits: u32, mask: u64) -> u64 {
    let at = i * bits as usize;
    let (w, shift) = (at / 64, (at % 64) as u32);
    // The high part comes from the next word; shifted in two steps, so a value that starts
    // at bit 0 takes nothing from it.
    let high = (words[w + 1] << 1) << (63 - shift);
    ((words[w] >> shift) | high) & mask
}

/// Sets value `i` of `bits` bits in `words` to zero.
#[inline]
fn clear(words: &mut [u64], i: usize, bits: u32, mask: u64) {
    let at = i * bits as usize;
    let (w, shift) = (at / 64, (at % 64) as u32);
    words[w] &= !(mask << shift);
    words[w + 1] &= !((mask >> 1) >> (63 - shift));
}

/// Ors `value` into the (zero) value `i` of `bits` bits in `words`.
#[inline]
fn write(words: &mut [u64], i: usize, bits: u32, value: u64) {
    let at = i * bits as usize;
    let (w, shift) = (at / 64, (at % 64) as u32);
    words[w] |= value << shift;
    words[w + 1] |= (value >> 1) >> (63 - shift);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;

    fn guard() -> Guard {
        Guard::new(&Limits::default())
    }

    #[test]
    fn values_of_every_width_read_back_exactly_across_word_boundaries() {
        for bits in [0u32, 1, 3, 7, 8, 13, 31, 32, 33, 63, 64] {
            let mut p = PackedInts::new(bits);
            let top = mask(bits);
            let values: Vec<u64> =
                (0..200u64).map(|i| if i % 3 == 0 { top } else { i.wrapping_mul(0x9e37_79b9) & top }).collect();
            for &v in &values {
                p.push(v);
            }
            assert_eq!(p.len(), 200);
            assert!(p.iter().eq(values.iter().copied()), "{bits} bits");
            assert!(p.bytes() >= (200 * bits as usize).div_ceil(64) * 8);
        }
    }

    #[test]
    fn a_value_one_past_the_width_does_not_fit_and_the_widest_does() {
        let p = PackedInts::new(5);
        assert!(p.fits(31) && !p.fits(32));
        assert!(PackedInts::new(64).fits(u64::MAX));
        assert!(PackedInts::new(0).fits(0) && !PackedInts::new(0).fits(1));
        assert_eq!((bits_for(0), bits_for(1), bits_for(255), bits_for(256), bits_for(u64::MAX)), (0, 1, 8, 9, 64));
    }

    #[test]
    fn widening_in_place_keeps_every_value_at_each_step_from_0_to_64_bits() {
        let mut p = PackedInts::new(0);
        let mut values = Vec::new();
        for bits in 0..=64u32 {
            if bits > p.bits() {
                p.widen(bits, &guard()).unwrap();
            }
            // The largest value of the width, then a small one: both ends survive widening.
            for v in [mask(bits), bits as u64 & mask(bits)] {
                p.push(v);
                values.push(v);
            }
            assert!(p.iter().eq(values.iter().copied()), "at {bits} bits");
        }
        assert_eq!(p.len(), 130);
    }

    #[test]
    fn repacking_rewrites_each_value_in_place() {
        // A 3-bit field below a 2-bit one becomes a 5-bit field below a 4-bit one.
        let mut p = PackedInts::new(5);
        let pairs: Vec<(u64, u64)> = (0..100).map(|i| (i % 4, i % 8)).collect();
        for &(hi, lo) in &pairs {
            p.push(hi << 3 | lo);
        }
        p.repack(9, |v| (v >> 3) << 5 | (v & 7), &guard()).unwrap();
        assert_eq!(p.bits(), 9);
        assert!(p.iter().eq(pairs.iter().map(|&(hi, lo)| hi << 5 | lo)));
    }

    #[test]
    fn mapping_to_a_narrower_width_rewrites_each_value_in_order_and_leaves_no_stale_bits() {
        let mut p = PackedInts::new(23);
        for i in 0..100u64 {
            p.push((1 << 22) | i);
        }
        let mut order = Vec::new();
        p.map_narrower(7, |v| {
            order.push(v & 127);
            (v & 127) ^ 1
        });
        assert!(order.iter().copied().eq(0..100), "first to last");
        assert_eq!((p.bits(), p.len()), (7, 100));
        assert!(p.iter().eq((0..100u64).map(|i| i ^ 1)));
        p.push(127);
        assert_eq!(p.get(100), 127);
        assert_eq!(p.words.len(), 101 * 7 / 64 + 2);
    }

    #[test]
    fn truncating_clears_the_dropped_values_so_new_ones_read_back() {
        let mut p = PackedInts::new(7);
        for _ in 0..20 {
            p.push(127);
        }
        p.truncate(11);
        assert_eq!(p.len(), 11);
        for _ in 0..9 {
            p.push(1);
        }
        assert!(p.iter().eq(std::iter::repeat_n(127, 11).chain(std::iter::repeat_n(1, 9))));
    }
}
