//! How each state of a breadth-first search was first reached, in about two bytes a state.
//!
//! The search keeps the states of one level in discovery order. A state of level `d + 1` was
//! first reached from the state at position `pos` of level `d` by its successor number `ord`
//! (successors come in a fixed order). Within a level those `(pos, ord)` keys only grow, so
//! the trail stores, per state, the growth of `pos` and `ord` as variable-length integers —
//! usually one byte each. A counterexample is rebuilt from the successor numbers alone by
//! running the model again from its initial state, so the visited set need not keep states
//! (which is what lets it keep only fingerprints).

/// The key under which a search meets a transition: the position of its source state in its
/// level, and the transition's number among that state's successors. Key order is the order
/// in which a one-thread breadth-first search meets transitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// Position of the source state in its level.
    pub pos: u32,
    /// Number of the transition among the source's successors, from 0.
    pub ord: u32,
}

/// One level's keys, delta-encoded.
#[derive(Clone, Debug, Default)]
struct Level {
    bytes: Vec<u8>,
    last_pos: u32,
}

/// The discovery keys of every state but the initial one, level by level.
#[derive(Clone, Debug, Default)]
pub struct Trail {
    levels: Vec<Level>,
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut v = 0u32;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= ((b & 0x7f) as u32) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

impl Trail {
    /// An empty trail (only the initial state, at depth 0).
    pub fn new() -> Trail {
        Trail::default()
    }

    /// Opens the level of depth `levels() + 1`.
    pub fn open_level(&mut self) {
        if let Some(last) = self.levels.last_mut() {
            last.bytes.shrink_to_fit();
        }
        self.levels.push(Level::default());
    }

    /// The number of levels opened (the depth of the deepest one).
    pub fn levels(&self) -> usize {
        self.levels.len()
    }

    /// Records the key of the next state of the deepest level. Keys must come in increasing
    /// order within a level.
    pub fn push(&mut self, key: Key) {
        let level = self.levels.last_mut().expect("open_level before push");
        put_varint(&mut level.bytes, key.pos - level.last_pos);
        put_varint(&mut level.bytes, key.ord);
        level.last_pos = key.pos;
    }

    /// The successor numbers leading from the initial state to the state at position `pos`
    /// of level `depth`: one per step, first step first.
    pub fn ordinals_to(&self, depth: usize, mut pos: u32) -> Vec<u32> {
        let mut ordinals = Vec::with_capacity(depth);
        for level in self.levels[..depth].iter().rev() {
            let (mut at, mut p, mut ord) = (0, 0u32, 0u32);
            for _ in 0..=pos {
                p += get_varint(&level.bytes, &mut at);
                ord = get_varint(&level.bytes, &mut at);
            }
            ordinals.push(ord);
            pos = p;
        }
        ordinals.reverse();
        ordinals
    }

    /// The bytes the trail holds.
    pub fn bytes(&self) -> usize {
        self.levels.iter().map(|l| l.bytes.capacity()).sum::<usize>()
            + self.levels.capacity() * std::mem::size_of::<Level>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_walk_back_through_every_level() {
        let mut t = Trail::new();
        t.open_level(); // depth 1: from the initial state, successors 0, 2 and 300
        for ord in [0, 2, 300] {
            t.push(Key { pos: 0, ord });
        }
        t.open_level(); // depth 2: from positions 1 and 2 of depth 1
        t.push(Key { pos: 1, ord: 5 });
        t.push(Key { pos: 2, ord: 0 });
        t.push(Key { pos: 200_000, ord: 1 });
        assert_eq!(t.ordinals_to(2, 0), vec![2, 5]);
        assert_eq!(t.ordinals_to(2, 1), vec![300, 0]);
        assert_eq!(t.ordinals_to(1, 2), vec![300]);
        assert_eq!(t.ordinals_to(0, 0), Vec::<u32>::new());
        assert_eq!(t.levels(), 2);
    }

    #[test]
    fn small_steps_take_two_bytes_a_state() {
        let mut t = Trail::new();
        t.open_level();
        for pos in 0..1000 {
            t.push(Key { pos, ord: 3 });
        }
        assert_eq!(t.levels[0].bytes.len(), 2000);
    }
}
