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

/// A field with bits, in the order fields lie in the packed words: packing and unpacking
/// (done for every transition) stream through them, a shift and a mask per slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    slot: u32,
    /// 1 to 32.
    bits: u32,
    mask: u64,
    min: Value,
}

/// Packs and unpacks the states of one model.
#[derive(Clone, Debug)]
pub struct Packer {
    fields: Vec<Field>,
    /// The slots whose field has no bits (one possible value), with that value.
    constants: Vec<(u32, Value)>,
    /// The fields with at least one bit, in slot order.
    places: Vec<Place>,
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
        let places = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.bits > 0)
            .map(|(slot, f)| Place { slot: slot as u32, bits: f.bits, mask: (1u64 << f.bits) - 1, min: f.min })
            .collect();
        let constants =
            fields.iter().enumerate().filter(|(_, f)| f.bits == 0).map(|(slot, f)| (slot as u32, f.min)).collect();
        Packer { fields, constants, places, words: bits.div_ceil(64).max(1) as usize }
    }

    /// How many 64-bit words one packed state takes.
    pub fn words(&self) -> usize {
        self.words
    }

    /// How many bits one packed state takes.
    pub fn bits(&self) -> u32 {
        self.fields.iter().map(|f| f.bits).sum()
    }

    /// Packs `state` into `out` (which must hold [`Packer::words`] words).
    pub fn pack(&self, state: &State, out: &mut [u64]) {
        let slots = state.slots();
        // The word being filled, how many of its bits are taken, and where it goes.
        let (mut acc, mut fill, mut word) = (0u64, 0u32, 0usize);
        for p in &self.places {
            let raw = slots[p.slot as usize].wrapping_sub(p.min) as u32 as u64;
            acc |= raw << fill;
            fill += p.bits;
            if fill >= 64 {
                out[word] = acc;
                word += 1;
                fill -= 64;
                // The bits of this field that did not fit start the next word.
                acc = if fill == 0 { 0 } else { raw >> (p.bits - fill) };
            }
        }
        if word < out.len() {
            out[word] = acc;
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
    pub fn unpack_into(&self, packed: &[u64], state: &mut State) {
        let slots = &mut state.0;
        for &(slot, value) in &self.constants {
            slots[slot as usize] = value;
        }
        // The unread bits of the current word, at its bottom, and how many there are.
        let (mut cur, mut avail, mut word) = (packed.first().copied().unwrap_or(0), 64u32, 0usize);
        for p in &self.places {
            let raw = if p.bits <= avail {
                let raw = cur & p.mask;
                cur >>= p.bits;
                avail -= p.bits;
                raw
            } else {
                word += 1;
                let next = packed[word];
                let raw = (cur | (next << avail)) & p.mask;
                let used = p.bits - avail;
                cur = next >> used;
                avail = 64 - used;
                raw
            };
            slots[p.slot as usize] = p.min.wrapping_add(raw as u32 as Value);
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
