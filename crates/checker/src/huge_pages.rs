//! The visited set's tables, in memory they map themselves, on huge pages where the system
//! gives them.
//!
//! A visited table is read at a random slot for every transition, and at 3 to 50 MB a
//! shard it is far larger than what the processor's TLB covers with 4 KiB pages: nearly
//! every lookup, and every prefetch ahead of one, first walks the page tables (in a virtual
//! machine, two levels of them; a profile of repair 6 4 1 shows the search stalled on the
//! prefetch instruction itself). On Linux with transparent huge pages in `madvise` mode,
//! asking for huge pages on the table's range before it is first written gives it 2 MiB
//! pages where a whole aligned 2 MiB lies in the range: a TLB entry covering 512 times as
//! much, and a fault per 2 MiB. A [`Table`] is aligned so that its first 2 MiB, and every
//! whole 2 MiB after, are such ranges, and asks for all its pages at once, since a table is
//! written throughout anyway: this makes nothing resident that would not be.
//!
//! Only advice: where the system says no, or on other systems, the table is on small pages.

/// Tables smaller than this stay as they are: they fit the TLB, and a huge page is larger.
const HUGE_PAGE_BYTES: usize = 2 << 20;

/// Tables smaller than this come from the allocator's heap, with no system call, zeroed by
/// it: every set's first table (16 KiB at most), so a small model's 16 shards cost no
/// mapping each. Only those: the heap keeps what a growth frees for other blocks, and with
/// larger tables there (up to the 128 KiB from which the command line's allocator maps
/// blocks itself) repair 6 4 1's peak rose by about 0.2 MB.
const MAPPED_BYTES: usize = 32 << 10;

use std::mem::align_of;

/// A slot type whose all-zero bytes are a valid value, the empty slot of its table: what lets
/// a [`Table`] take fresh memory from the system, which is zero already, without writing it.
///
/// # Safety
/// The all-zero bit pattern must be a valid value of the type (no references, no niches).
pub(crate) unsafe trait Zeroed: Copy {}

// SAFETY: any bit pattern is a valid u64, so all zeros is.
unsafe impl Zeroed for u64 {}
// SAFETY: an array of u64 is valid for any bits.
unsafe impl Zeroed for [u64; 2] {}

/// A visited table's slots, all zero to start with. From 32 KiB ([`MAPPED_BYTES`]) on
/// Linux, in memory the table maps itself: an anonymous mapping of its own, aligned to a
/// huge page when at least one fits, advised onto huge pages and populated before it is
/// first written (see the module comment); smaller tables, and all of them elsewhere and
/// under Miri, are zeroed allocations. A fresh mapping is zero already, so a new table
/// costs no pass of its own before its states are put in (a `Vec` filled with empty slots
/// cost one).
///
/// The alignment is what makes the advice pay: the system gives a huge page only to a whole
/// aligned 2 MiB inside a mapping, and the allocator puts a 3 MiB table at an address where
/// one fits about half the time (repair 6 4 1's tables had huge pages for 1/3 of their
/// bytes before; aligned, 2/3).
pub(crate) struct Table<T: Zeroed> {
    ptr: std::ptr::NonNull<T>,
    len: usize,
}

// SAFETY: a Table owns its slots as a Vec does; sharing or sending it shares or sends them.
unsafe impl<T: Zeroed + Send> Send for Table<T> {}
// SAFETY: as above: &Table gives only shared access to the slots.
unsafe impl<T: Zeroed + Sync> Sync for Table<T> {}

impl<T: Zeroed> Table<T> {
    /// `len` (at least 1) empty, all-zero slots.
    pub(crate) fn zeroed(len: usize) -> Table<T> {
        assert!(len > 0 && std::mem::size_of::<T>() > 0, "a table has slots of some size");
        let bytes = Self::bytes_of(len);
        let ptr =
            if bytes < MAPPED_BYTES { heap::alloc(bytes, align_of::<T>()) } else { sys::map(bytes, align_of::<T>()) };
        Table { ptr: ptr.cast(), len }
    }

    /// The slots.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn bytes_of(len: usize) -> usize {
        len.checked_mul(std::mem::size_of::<T>()).expect("a table fits the address space")
    }
}

impl<T: Zeroed> std::ops::Deref for Table<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: `ptr` points at `len` initialised slots, aligned for T (zeroed by `sys::map`,
        // a valid `T` by `Zeroed`, or written since), owned by `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Zeroed> std::ops::DerefMut for Table<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Zeroed> Clone for Table<T> {
    fn clone(&self) -> Self {
        let mut copy = Table::zeroed(self.len);
        copy.copy_from_slice(self);
        copy
    }
}

impl<T: Zeroed> Drop for Table<T> {
    fn drop(&mut self) {
        let bytes = Self::bytes_of(self.len);
        // SAFETY: `ptr` holds `bytes` bytes with T's alignment, from `heap::alloc` or
        // `sys::map` by the same test of `bytes` as in `zeroed` (a table never changes its
        // length), freed once, here.
        unsafe {
            if bytes < MAPPED_BYTES {
                heap::free(self.ptr.cast(), bytes, align_of::<T>());
            } else {
                sys::unmap(self.ptr.cast(), bytes, align_of::<T>());
            }
        }
    }
}

impl<T: Zeroed> std::fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Table({} slots)", self.len)
    }
}

/// The memory of a [`Table`] on Linux: anonymous mappings, aligned to a huge page when at
/// least one fits.
#[cfg(all(target_os = "linux", not(miri)))]
mod sys {
    use super::HUGE_PAGE_BYTES;
    use std::ptr::NonNull;

    fn page() -> usize {
        // SAFETY: sysconf reads a constant of the system.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(page).ok().filter(|p| p.is_power_of_two()).unwrap_or(4096)
    }

    fn round_up(n: usize, to: usize) -> usize {
        n.div_ceil(to) * to
    }

    fn failed(bytes: usize) -> ! {
        std::alloc::handle_alloc_error(
            std::alloc::Layout::from_size_align(bytes, 1).unwrap_or(std::alloc::Layout::new::<u8>()),
        )
    }

    /// A fresh zeroed mapping of `bytes` (rounded up to pages; page-aligned, so aligned for
    /// any slot), aligned to and advised onto huge pages when it is at least one huge page
    /// long.
    pub(super) fn map(bytes: usize, _align: usize) -> NonNull<u8> {
        let len = round_up(bytes, page());
        let huge = len >= HUGE_PAGE_BYTES;
        // A huge table maps a huge page more and unmaps what lies outside the aligned part.
        let span = if huge { len + HUGE_PAGE_BYTES } else { len };
        // SAFETY: a new private anonymous mapping overlaps nothing the program holds.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                span,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            failed(bytes);
        }
        let start = p as usize;
        if !huge {
            populate(start, len);
            return NonNull::new(p.cast()).unwrap_or_else(|| failed(bytes));
        }
        let aligned = round_up(start, HUGE_PAGE_BYTES);
        // SAFETY: both ranges lie in the mapping just made and outside `aligned..aligned +
        // len`, which is all that is kept; unmapping whole pages of it is always allowed.
        unsafe {
            if aligned > start {
                libc::munmap(p, aligned - start);
            }
            if start + span > aligned + len {
                libc::munmap((aligned + len) as *mut libc::c_void, start + span - aligned - len);
            }
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
        populate(aligned, len);
        NonNull::new(aligned as *mut u8).unwrap_or_else(|| failed(bytes))
    }

    /// Makes the pages of `start..start + len`, a fresh mapping, resident and writable in one
    /// call (Linux 5.14 and later): the table's first writes do not fault one page at a
    /// time, and a slot read before it is written (every probe of a rehash) does not map
    /// the shared zero page first and then fault again to copy it. An older system refuses
    /// and the pages fault as they are touched.
    fn populate(start: usize, len: usize) {
        // SAFETY: the range is a mapping this module just made; populating changes no byte.
        unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_POPULATE_WRITE) };
    }

    /// Releases a mapping of `bytes` from [`map`].
    ///
    /// # Safety
    /// `p` must be such a mapping, not used after the call.
    pub(super) unsafe fn unmap(p: NonNull<u8>, bytes: usize, _align: usize) {
        // SAFETY: the caller's mapping, whole.
        unsafe { libc::munmap(p.as_ptr().cast(), round_up(bytes, page())) };
    }
}

/// The memory of a small [`Table`], and of every table where there is no [`sys`] (under
/// Miri, which has no `mmap`, and on other systems): the global allocator's, zeroed by it.
mod heap {
    use std::alloc::Layout;
    use std::ptr::NonNull;

    fn layout(bytes: usize, align: usize) -> Layout {
        Layout::from_size_align(bytes, align).expect("a table fits the address space")
    }

    pub(super) fn alloc(bytes: usize, align: usize) -> NonNull<u8> {
        // SAFETY: the layout has a nonzero size (a table has at least one slot, of some size).
        let p = unsafe { std::alloc::alloc_zeroed(layout(bytes, align)) };
        NonNull::new(p).unwrap_or_else(|| std::alloc::handle_alloc_error(layout(bytes, align)))
    }

    /// # Safety
    /// `p` must be a block of `bytes` from [`alloc`] with `align`, not used after the call.
    pub(super) unsafe fn free(p: NonNull<u8>, bytes: usize, align: usize) {
        // SAFETY: the caller's block, with its layout.
        unsafe { std::alloc::dealloc(p.as_ptr(), layout(bytes, align)) };
    }
}

/// Where there are no mappings of its own to make, a large table is on the heap too.
#[cfg(not(all(target_os = "linux", not(miri))))]
mod sys {
    pub(super) use super::heap::{alloc as map, free as unmap};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_holds_exactly_len_zero_slots_small_or_huge_and_keeps_what_is_written() {
        for len in [2, 1000, MAPPED_BYTES / 16, (HUGE_PAGE_BYTES / 16) + 3] {
            let mut t: Table<[u64; 2]> = Table::zeroed(len);
            assert_eq!(t.len(), len);
            assert!(t.iter().all(|&s| s == [0, 0]), "{len} slots");
            t[len - 1] = [7, 9];
            t[0] = [1, 2];
            let copy = t.clone();
            t[0] = [3, 4];
            assert_eq!((copy[0], copy[len - 1], t[0]), ([1, 2], [7, 9], [3, 4]));
            assert_eq!(copy.iter().filter(|&&s| s != [0, 0]).count(), 2);
        }
    }

    /// On Linux, a table of a few huge pages starts at a huge page's boundary and is marked
    /// for them (`hg` in its mapping's VmFlags) whatever the system then does with the
    /// advice.
    #[cfg(all(target_os = "linux", not(miri)))]
    #[test]
    fn a_large_table_is_aligned_and_advised_onto_huge_pages() {
        let t: Table<u64> = Table::zeroed(3 * HUGE_PAGE_BYTES / 8 + 5);
        let at = t.as_ptr() as usize;
        assert_eq!(at % HUGE_PAGE_BYTES, 0, "aligned to a huge page");
        let mapped: Table<u64> = Table::zeroed(MAPPED_BYTES / 8);
        assert_eq!(mapped.as_ptr() as usize % 4096, 0, "a mapping of its own");
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
            return; // a kernel without transparent huge pages refuses the advice
        }
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        let mut flags = None;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ').filter(|(r, _)| r.contains('-') && !r.ends_with(':')) {
                let (a, b) = range.split_once('-').unwrap();
                let (a, b) = (usize::from_str_radix(a, 16).unwrap(), usize::from_str_radix(b, 16).unwrap());
                inside = a <= at && at < b;
            } else if inside && line.starts_with("VmFlags:") {
                flags = Some(line.to_string());
            }
        }
        let flags = flags.expect("the table's mapping is listed");
        assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
    }
}
