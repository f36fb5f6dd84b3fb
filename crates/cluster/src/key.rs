//! A state's key: the successor numbers (ordinals) of the transitions from the initial state
//! along the path that found it, in an encoding whose byte order is their order.
//!
//! An ordinal below 255 is one byte; any other is the byte 255 and the ordinal's four bytes,
//! most significant first. The encoding has no ambiguity (no encoded ordinal is the start of
//! another), so for two keys of the same level (as many ordinals each) comparing the bytes
//! compares the ordinals one by one, which is one-machine breadth-first order. Most keys are
//! one byte a level.
//!
//! Also the small byte writer and reader of the messages the workers exchange.

use std::cmp::Ordering;

use mutexcheck_checker::Limit;

use crate::search::Hook;

/// Appends ordinal `ord` to `key`.
pub fn push_ord(key: &mut Vec<u8>, ord: u32) {
    if ord < 255 {
        key.push(ord as u8);
    } else {
        key.push(255);
        key.extend_from_slice(&ord.to_be_bytes());
    }
}

/// The ordinals of `key`, from the initial state on.
pub fn ords(key: &[u8]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < key.len() {
        if key[at] < 255 {
            out.push(key[at] as u32);
            at += 1;
        } else {
            let bytes: [u8; 4] = key.get(at + 1..at + 5).and_then(|b| b.try_into().ok()).unwrap_or([255; 4]);
            out.push(u32::from_be_bytes(bytes));
            at += 5;
        }
    }
    out
}

/// The key of the source of the last transition, and that transition's ordinal.
pub fn split_last(key: &[u8]) -> (&[u8], u32) {
    let mut at = 0;
    let mut last = 0;
    while at < key.len() {
        last = at;
        at += if key[at] < 255 { 1 } else { 5 };
    }
    (&key[..last], ords(&key[last..]).first().copied().unwrap_or(0))
}

/// One-machine breadth-first order of two keys of the same level.
pub fn compare(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

/// Builds a message.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    /// A length-prefixed byte string.
    pub fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(&(b.len() as u32).to_le_bytes());
        self.0.extend_from_slice(b);
    }

    /// A bound that stopped this worker, if any.
    pub fn limit(&mut self, limit: Option<Limit>) {
        let (tag, value) = match limit {
            None => (0u8, 0u64),
            Some(Limit::MaxStates(n)) => (1, n),
            Some(Limit::MaxDepth(n)) => (2, n as u64),
            Some(Limit::MaxMemory(mb)) => (3, mb),
            Some(Limit::TimeLimit(d)) => (4, d.as_nanos().min(u64::MAX as u128) as u64),
            Some(Limit::Interrupted) => (5, 0),
        };
        self.0.push(tag);
        self.0.extend_from_slice(&value.to_le_bytes());
    }

    /// Where this worker would stop, if anywhere.
    pub fn stop(&mut self, stop: Option<&(Vec<u8>, Hook)>) {
        match stop {
            None => self.0.push(0),
            Some((key, hook)) => {
                self.0.push(if *hook == Hook::Step { 1 } else { 2 });
                self.bytes(key);
            }
        }
    }
}

/// Reads a message a [`Writer`] built (the workers run the same program, so a message
/// always has the shape expected; a short one reads as zeros).
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// True when everything was read.
    pub fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let end = (self.at + n).min(self.bytes.len());
        let out = &self.bytes[self.at.min(end)..end];
        self.at = end;
        out
    }

    /// One byte.
    pub fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    /// A little-endian `u64`.
    pub fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        let got = self.take(8);
        b[..got.len()].copy_from_slice(got);
        u64::from_le_bytes(b)
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self) -> Vec<u8> {
        let mut b = [0u8; 4];
        let got = self.take(4);
        b[..got.len()].copy_from_slice(got);
        self.take(u32::from_le_bytes(b) as usize).to_vec()
    }

    /// What [`Writer::limit`] wrote.
    pub fn limit(&mut self) -> Option<Limit> {
        let (tag, value) = (self.u8(), self.u64());
        match tag {
            1 => Some(Limit::MaxStates(value)),
            2 => Some(Limit::MaxDepth(value as u32)),
            3 => Some(Limit::MaxMemory(value)),
            4 => Some(Limit::TimeLimit(std::time::Duration::from_nanos(value))),
            5 => Some(Limit::Interrupted),
            _ => None,
        }
    }

    /// What [`Writer::stop`] wrote.
    pub fn stop(&mut self) -> Option<(Vec<u8>, Hook)> {
        match self.u8() {
            1 => Some((self.bytes(), Hook::Step)),
            2 => Some((self.bytes(), Hook::State)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ords: &[u32]) -> Vec<u8> {
        let mut k = Vec::new();
        for &o in ords {
            push_ord(&mut k, o);
        }
        k
    }

    #[test]
    fn byte_order_of_keys_is_the_order_of_their_ordinals() {
        let samples = [0u32, 1, 2, 100, 254, 255, 256, 300, 65_535, 65_536, u32::MAX - 1, u32::MAX];
        for &a1 in &samples {
            for &a2 in &samples[..4] {
                for &b1 in &samples {
                    for &b2 in &samples[..4] {
                        let (a, b) = ([a1, a2], [b1, b2]);
                        assert_eq!(compare(&key(&a), &key(&b)), a.cmp(&b), "{a:?} vs {b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn keys_decode_to_their_ordinals_and_split_off_the_last_one() {
        let ordinals = [3u32, 255, 0, 70_000, 254];
        let k = key(&ordinals);
        assert_eq!(ords(&k), ordinals);
        let (parent, last) = split_last(&k);
        assert_eq!((ords(parent), last), (ordinals[..4].to_vec(), 254));
        let k = key(&[1, 300]);
        assert_eq!(split_last(&k), (&k[..1], 300));
        assert_eq!(split_last(&[]), (&[][..], 0));
    }

    #[test]
    fn messages_read_back_as_written() {
        let mut w = Writer::default();
        w.limit(Some(Limit::TimeLimit(std::time::Duration::from_millis(1500))));
        w.stop(Some(&(vec![1, 2, 3], Hook::State)));
        w.limit(None);
        w.stop(None);
        let mut r = Reader::new(&w.0);
        assert_eq!(r.limit(), Some(Limit::TimeLimit(std::time::Duration::from_millis(1500))));
        assert_eq!(r.stop(), Some((vec![1, 2, 3], Hook::State)));
        assert_eq!((r.limit(), r.stop()), (None, None));
        assert!(r.done());
    }
}
