//! Per-thread pools of emptied vectors: a search builds and drops buffers on every transition
//! (a step's abandoned mutexes, a partial-order move's steps), and handing the dropped ones
//! back to the next transition keeps the allocator off its hot path.
//!
//! A pool is a `thread_local!` `RefCell<Vec<Vec<T>>>` of its owner's; [`take`] and [`keep`]
//! are the two halves every pool shares. They never panic: during thread teardown, or when the
//! pool is borrowed already (a drop inside a drop), a vector is simply made anew or freed.

use std::cell::RefCell;
use std::thread::LocalKey;

/// A thread's pool of emptied vectors of `T`.
pub type Pool<T> = LocalKey<RefCell<Vec<Vec<T>>>>;

/// An empty vector from `pool`, with the room it had when it was kept; a new one with room for
/// `room` elements when the pool is empty.
#[inline]
pub fn take<T: 'static>(pool: &'static Pool<T>, room: usize) -> Vec<T> {
    pool.try_with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.pop()))
        .ok()
        .flatten()
        .unwrap_or_else(|| Vec::with_capacity(room))
}

/// Empties `v` and keeps it in `pool` for [`take`], unless the pool holds `most` already (then
/// `v` is freed) or `v` never had room (nothing to keep).
#[inline]
pub fn keep<T: 'static>(pool: &'static Pool<T>, mut v: Vec<T>, most: usize) {
    if v.capacity() == 0 {
        return;
    }
    // Emptied first: dropping the elements may use other pools (or this one).
    v.clear();
    let _ = pool.try_with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            if p.len() < most {
                p.push(v);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static POOL: RefCell<Vec<Vec<u32>>> = const { RefCell::new(Vec::new()) };
    }

    #[test]
    fn a_kept_vector_comes_back_empty_with_its_room_and_the_pool_is_bounded() {
        let mut v = take(&POOL, 4);
        assert!(v.is_empty() && v.capacity() >= 4);
        v.extend(0..100);
        let room = v.capacity();
        keep(&POOL, v, 2);
        let again = take(&POOL, 4);
        assert!(again.is_empty());
        assert_eq!(again.capacity(), room, "the very vector kept, not a new one");
        // Three kept, two held; a vector without room is not kept at all.
        for _ in 0..3 {
            keep(&POOL, Vec::with_capacity(8), 2);
        }
        keep(&POOL, Vec::new(), 2);
        assert_eq!(POOL.with(|p| p.borrow().len()), 2);
        assert_eq!(POOL.with(|p| p.borrow().iter().map(Vec::capacity).min()), Some(8));
    }
}
