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

/// Packs and unpacks the states of one model.
#[derive(Clone, Debug)]
pub struct Packer {
    fields: Vec<Field>,
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
        for _ in &model.mutexes {
            fields.push(field(0, threads));
            fields.push(field(0, MAX_RECURSION as Value));
            fields.push(field(0, 1));
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
        let bits: u64 = fields.iter().map(|f| f.bits as u64).sum();
        Packer { fields, words: bits.div_ceil(64).max(1) as usize }
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
        out.fill(0);
        let mut at = 0u32;
        for (f, &v) in self.fields.iter().zip(state.slots()) {
            if f.bits == 0 {
                continue;
            }
            let raw = (v as i64 - f.min as i64) as u64;
            let (word, shift) = ((at / 64) as usize, at % 64);
            out[word] |= raw << shift;
            if shift + f.bits > 64 {
                out[word + 1] |= raw >> (64 - shift);
            }
            at += f.bits;
        }
    }

    /// Rebuilds the state `packed` was made from.
    pub fn unpack(&self, packed: &[u64]) -> State {
        let mut slots = Vec::with_capacity(self.fields.len());
        let mut at = 0u32;
        for f in &self.fields {
            if f.bits == 0 {
                slots.push(f.min);
                continue;
            }
            let (word, shift) = ((at / 64) as usize, at % 64);
            let mut raw = packed[word] >> shift;
            if shift + f.bits > 64 {
                raw |= packed[word + 1] << (64 - shift);
            }
            let mask = if f.bits == 64 { u64::MAX } else { (1u64 << f.bits) - 1 };
            slots.push((f.min as i64 + (raw & mask) as i64) as Value);
            at += f.bits;
        }
        State::from_slots(slots.into_boxed_slice())
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
        let packer = Packer { words: 3, fields };
        let state = State::from_slots(vec![1, 2, 1 << 19, (1 << 20) - 1, 0, 77, 12345].into_boxed_slice());
        let mut words = vec![0; 3];
        packer.pack(&state, &mut words);
        assert_eq!(packer.unpack(&words), state);
    }

    #[test]
    fn negative_ranges_round_trip() {
        let packer = Packer { words: 1, fields: vec![field(-5, 5), field(Value::MIN, Value::MAX)] };
        let state = State::from_slots(vec![-5, Value::MIN].into_boxed_slice());
        let mut words = vec![0; 1];
        packer.pack(&state, &mut words);
        assert_eq!(packer.unpack(&words), state);
        let state = State::from_slots(vec![5, Value::MAX].into_boxed_slice());
        packer.pack(&state, &mut words);
        assert_eq!(packer.unpack(&words), state);
    }
}
