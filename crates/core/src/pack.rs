//! Bit-packing of states: each slot stored in just the bits its range needs.
//!
//! Every slot of a [`State`] has a range the model fixes (a program counter is below its
//! code's length, a variable lies in its declared range, a recursion count is at most
//! [`crate::mutex::MAX_RECURSION`]), so a state packs into a few 64-bit words — most small
//! models into one. A checker stores packed states (or their fingerprints) instead of slices
//! of `i32`, and unpacks only the states it expands.

use crate::ir::{Model, Value, VarDecl};
use crate::mutex::MAX_RECURSION;
use crate::state::{Layout, State};

/// One slot's encoding: the smallest value and how many bits hold `value - min`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Field {
    min: Value,
    bits: u32,
}

/// How one slot is read from the word its (low) bits lie in: `(word >> shift) & mask`, plus
/// the low end of its range when that is not 0 (see `Packer::lows`). A slot with one
/// possible value has mask 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cut {
    shift: u32,
    mask: u32,
}

/// A field that starts in one word and ends in the next: its high bits, from the next word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Straddle {
    slot: u32,
    /// The word holding its low bits.
    word: u32,
    /// Where in that word it starts (33 to 63: fields are at most 32 bits).
    shift: u32,
    min: Value,
    mask: u64,
}

/// Packs and unpacks the states of one model.
///
/// Fields follow each other bit by bit in slot order, so the slots whose (low) bits lie in
/// one word are a contiguous run: packing and unpacking (done for every transition) go word
/// by word through their run with no index to check and no branch; the few fields that
/// straddle two words get their high bits in a second pass.
///
/// Packing a run is one multiply-add per slot: a word is `Σ (value - min) · 2^shift`, that
/// is `Σ value · 2^shift` less a constant of the word, `Σ min · 2^shift`, in wrapping 64-bit
/// arithmetic, exact for values in their ranges (every state of the system has them there).
/// Unpacking is a shift and a mask per slot, and the few slots whose range does not start
/// at 0 get its low end added in a pass of their own.
#[derive(Clone, Debug)]
pub struct Packer {
    fields: Vec<Field>,
    /// For each word, the end of its run of slots (the runs start at 0 and follow each other).
    word_ends: Vec<usize>,
    /// Each slot's `2^shift` in the word its low bits lie in, in slot order.
    scales: Vec<u64>,
    /// For each word, `Σ min · 2^shift` over its run (wrapping).
    offsets: Vec<u64>,
    /// Each slot's cut, in slot order.
    cuts: Vec<Cut>,
    /// The slots whose range's low end is not 0, with that low end.
    lows: Vec<(u32, Value)>,
    straddling: Vec<Straddle>,
    words: usize,
}

fn bits_for(span: u64) -> u32 {
    64 - span.leading_zeros()
}

fn field(min: Value, max: Value) -> Field {
    Field { min, bits: bits_for((max as i64 - min as i64) as u64) }
}

fn var_fields(vars: &[VarDecl], out: &mut Vec<Field>) {
    for v in vars {
        let (lo, hi) = v.ty.bounds();
        for _ in 0..v.slots() {
            out.push(field(lo, hi));
        }
    }
}

/// `value - min` as the field's raw bits (fields are at most 32 bits wide).
fn raw(value: Value, min: Value) -> u64 {
    value.wrapping_sub(min) as u32 as u64
}

impl Packer {
    /// The packer for a model laid out as `layout`.
    pub(crate) fn new(model: &Model, layout: &Layout) -> Packer {
        let threads = layout.threads.len() as Value;
        let mut fields = vec![field(0, model.crashes as Value), field(0, threads)];
        // The third slot: Win32's abandoned flag, or a POSIX mutex's consistency (0..=3).
        let flag_max = match model.semantics {
            crate::ir::Semantics::Win32 => 1,
            crate::ir::Semantics::Posix => 3,
        };
        for _ in &model.mutexes {
            fields.push(field(0, threads));
            fields.push(field(0, MAX_RECURSION as Value));
            fields.push(field(0, flag_max));
        }
        for t in &layout.threads {
            let p = &model.processes[layout.processes[t.process].decl];
            fields.push(field(0, p.threads[t.decl].code.len() as Value));
            fields.push(field(0, 2));
        }
        var_fields(&model.shared, &mut fields);
        for p in &layout.processes {
            let decl = &model.processes[p.decl];
            var_fields(&decl.vars, &mut fields);
            for t in &decl.threads {
                var_fields(&t.locals, &mut fields);
            }
        }
        debug_assert_eq!(fields.len(), layout.slots);
        Packer::from_fields(fields)
    }

    fn from_fields(fields: Vec<Field>) -> Packer {
        let bits: u64 = fields.iter().map(|f| f.bits as u64).sum();
        let words = bits.div_ceil(64).max(1) as usize;
        let mut packer = Packer {
            word_ends: vec![0; words],
            scales: Vec::new(),
            offsets: vec![0; words],
            cuts: Vec::new(),
            lows: Vec::new(),
            straddling: Vec::new(),
            words,
            fields,
        };
        // A field that does not fit in what is left of a word continues at the bottom of
        // the next; a slot with no bits goes with the word the next bit would be in.
        let mut at = 0u64;
        for (slot, f) in packer.fields.iter().enumerate() {
            let (word, shift) = (((at / 64) as usize).min(words - 1), (at % 64) as u32);
            let mask = if f.bits == 0 { 0 } else { (1u64 << f.bits) - 1 };
            let scale = 1u64 << shift;
            packer.scales.push(scale);
            packer.offsets[word] = packer.offsets[word].wrapping_add((f.min as i64 as u64).wrapping_mul(scale));
            packer.cuts.push(Cut { shift, mask: mask as u32 });
            if f.min != 0 {
                packer.lows.push((slot as u32, f.min));
            }
            if shift + f.bits > 64 {
                packer.straddling.push(Straddle { slot: slot as u32, word: word as u32, shift, min: f.min, mask });
            }
            packer.word_ends[word] = slot + 1;
            at += f.bits as u64;
        }
        // A word no run starts in (none in practice) ends where the one before it ends.
        for w in 1..words {
            packer.word_ends[w] = packer.word_ends[w].max(packer.word_ends[w - 1]);
        }
        packer
    }

    /// How many 64-bit words one packed state takes.
    pub fn words(&self) -> usize {
        self.words
    }

    /// How many bits one packed state takes.
    pub fn bits(&self) -> u32 {
        self.fields.iter().map(|f| f.bits).sum()
    }

    /// Packs `state` into `out` (which must hold [`Packer::words`] words). Every slot must
    /// lie in its range, as in every state of the system: the words of a slot out of range
    /// are unspecified.
    #[inline(always)]
    pub fn pack(&self, state: &State, out: &mut [u64]) {
        let slots = state.slots();
        debug_assert!(
            slots.iter().zip(&self.fields).all(|(&v, f)| raw(v, f.min) >> f.bits == 0),
            "a slot out of its range"
        );
        let term = |v: Value, scale: u64| (v as i64 as u64).wrapping_mul(scale);
        // Each word's run split off the front: one length check per word, none per slot.
        let (mut values, mut scales, mut from) = (slots, &self.scales[..], 0);
        for ((word, &end), &offset) in out[..self.words].iter_mut().zip(&self.word_ends).zip(&self.offsets) {
            let (run, rest) = values.split_at(end - from);
            let (run_scales, rest_scales) = scales.split_at(end - from);
            (values, scales, from) = (rest, rest_scales, end);
            let mut acc = 0u64.wrapping_sub(offset);
            let (fours, scale_fours) = (run.chunks_exact(4), run_scales.chunks_exact(4));
            for (&v, &scale) in fours.remainder().iter().zip(scale_fours.remainder()) {
                acc = acc.wrapping_add(term(v, scale));
            }
            for (v, k) in fours.zip(scale_fours) {
                // Two sums of two: the products need not wait for each other.
                let low = term(v[0], k[0]).wrapping_add(term(v[1], k[1]));
                let high = term(v[2], k[2]).wrapping_add(term(v[3], k[3]));
                acc = acc.wrapping_add(low.wrapping_add(high));
            }
            *word = acc;
        }
        for p in &self.straddling {
            out[p.word as usize + 1] |= raw(slots[p.slot as usize], p.min) >> (64 - p.shift);
        }
    }

    /// Rebuilds the state `packed` was made from.
    pub fn unpack(&self, packed: &[u64]) -> State {
        let mut state = State::from_slots(vec![0; self.fields.len()].into_boxed_slice());
        self.unpack_into(packed, &mut state);
        state
    }

    /// Rebuilds the state `packed` was made from in `state`, a state of the same system,
    /// without allocating.
    #[inline(always)]
    pub fn unpack_into(&self, packed: &[u64], state: &mut State) {
        let slots = &mut state.0;
        let mut from = 0;
        for (&word, &end) in packed[..self.words].iter().zip(&self.word_ends) {
            for (v, c) in slots[from..end].iter_mut().zip(&self.cuts[from..end]) {
                *v = ((word >> c.shift) as u32 & c.mask) as Value;
            }
            from = end;
        }
        // The high bits of the straddling fields (their low bits are in already; low and
        // high bits do not overlap, so adding them is or-ing them).
        for p in &self.straddling {
            let high = (packed[p.word as usize + 1] << (64 - p.shift)) & p.mask;
            let v = &mut slots[p.slot as usize];
            *v = v.wrapping_add(high as u32 as Value);
        }
        for &(slot, min) in &self.lows {
            let v = &mut slots[slot as usize];
            *v = v.wrapping_add(min);
        }
    }
}

impl crate::System {
    /// A packer for this system's states.
    pub fn packer(&self) -> Packer {
        Packer::new(&self.model, &self.layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_for_a_range_span() {
        assert_eq!(bits_for(0), 0);
        assert_eq!(bits_for(1), 1);
        assert_eq!(bits_for(2), 2);
        assert_eq!(bits_for(255), 8);
        assert_eq!(bits_for(256), 9);
        assert_eq!(bits_for(u32::MAX as u64), 32);
    }

    #[test]
    fn fields_straddling_a_word_boundary_round_trip() {
        let fields = vec![field(0, (1 << 20) - 1); 7]; // 140 bits: crosses two boundaries
        let packer = Packer::from_fields(fields);
        assert_eq!(packer.words(), 3);
        let state = State::from_slots(vec![1, 2, 1 << 19, (1 << 20) - 1, 0, 77, 12345].into_boxed_slice());
        let mut words = vec![0; 3];
        packer.pack(&state, &mut words);
        assert_eq!(packer.unpack(&words), state);
    }

    #[test]
    fn fields_lie_bit_after_bit_and_straddle_into_the_next_word() {
        // 3 + 30 bits, then 32 bits from bit 33: the third field's top bit is word 1's bit 0.
        let packer = Packer::from_fields(vec![field(0, 7), field(0, (1 << 30) - 1), field(Value::MIN, Value::MAX)]);
        let state = State::from_slots(vec![5, 1, -1].into_boxed_slice());
        let mut words = vec![7; 2];
        packer.pack(&state, &mut words);
        let raw = (-1i64 - Value::MIN as i64) as u64; // 0x7fff_ffff
        assert_eq!(words, vec![5 | 1 << 3 | raw << 33, raw >> 31]);
        assert_eq!(packer.unpack(&words), state);
    }

    #[test]
    fn one_valued_slots_anywhere_and_a_word_only_a_straddler_reaches_round_trip() {
        // 4 x 20 bits: the fourth field starts at bit 60, no field starts in word 1; the
        // one-valued slots (no bits) lie before, between and after them.
        let wide = field(0, (1 << 20) - 1);
        let packer = Packer::from_fields(vec![field(7, 7), wide, wide, field(-2, -2), wide, wide, field(3, 3)]);
        assert_eq!(packer.words(), 2);
        let state = State::from_slots(vec![7, 1, 2, -2, 3, (1 << 20) - 1, 3].into_boxed_slice());
        let mut words = vec![0; 2];
        packer.pack(&state, &mut words);
        assert_eq!(words, vec![1 | 2 << 20 | 3 << 40 | 0xf << 60, 0xffff]);
        assert_eq!(packer.unpack(&words), state);
    }

    #[test]
    fn ranges_not_starting_at_zero_pack_their_offsets_from_the_low_end() {
        // Raw values 9, 5, 0x7fff_fff9, 1, 117 and 536633 at bits 0, 4, 7, 39, 41 and 52:
        // the last field (21 bits) straddles, its top 9 bits are word 1's bits 0 to 8.
        let packer = Packer::from_fields(vec![
            field(-5, 5),
            field(3, 10),
            field(Value::MIN, Value::MAX),
            field(-1, 1),
            field(-100, 1000),
            field(-(1 << 19), 1 << 19),
        ]);
        assert_eq!(packer.bits(), 73);
        let state = State::from_slots(vec![4, 8, -7, 0, 17, 12345].into_boxed_slice());
        let mut words = vec![0; 2];
        packer.pack(&state, &mut words);
        assert_eq!(words, vec![0x0390_eabf_ffff_fcd9, 0x83]);
        assert_eq!(packer.unpack(&words), state);
    }

    #[test]
    fn negative_ranges_round_trip() {
        let packer = Packer::from_fields(vec![field(-5, 5), field(Value::MIN, Value::MAX)]);
        let state = State::from_slots(vec![-5, Value::MIN].into_boxed_slice());
        let mut words = vec![0; 1];
        packer.pack(&state, &mut words);
        assert_eq!(packer.unpack(&words), state);
        let state = State::from_slots(vec![5, Value::MAX].into_boxed_slice());
        packer.pack(&state, &mut words);
        assert_eq!(packer.unpack(&words), state);
    }
}
