//! The visited set's tables on huge pages, where the system gives them.
//!
//! A visited table is read at a random slot for every transition, and at 3 to 50 MB a
//! shard it is far larger than what the processor's TLB covers with 4 KiB pages: nearly
//! every lookup, and every prefetch ahead of one, first walks the page tables (in a virtual
//! machine, two levels of them). A table is also written all over as soon as it is made, so
//! with 4 KiB pages it takes one page fault per 4 KiB, two when a slot is read before it is
//! written (the zero page, then a copy). On Linux with transparent huge pages in `madvise`
//! mode, asking for huge pages on the table's range before it is first written gives it 2
//! MiB pages: a fault per 2 MiB and a TLB entry covering 512 times as much. A table is filled
//! throughout anyway, so this makes nothing resident that would not be.
//!
//! Only an advice: where the system says no, or on other systems, the table is the same
//! `Vec`, on small pages.

/// Tables smaller than this stay as they are: they fit the TLB, and a huge page is larger.
const HUGE_PAGE_BYTES: usize = 2 << 20;

/// A table of `len` copies of `empty`, its memory advised onto huge pages before it is
/// written when it is at least [`HUGE_PAGE_BYTES`] (see the module comment). Written once,
/// slot by slot, so each of its pages faults once.
pub(crate) fn table<T: Copy>(len: usize, empty: T) -> Vec<T> {
    let mut slots: Vec<T> = Vec::with_capacity(len);
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    if bytes >= HUGE_PAGE_BYTES {
        advise_huge(slots.as_mut_ptr().cast(), bytes);
    }
    slots.resize(len, empty);
    slots
}

/// Asks the system for huge pages on the pages that hold `bytes` bytes from `start`.
/// `MADV_HUGEPAGE` changes no contents (only how later faults are served), so rounding out
/// to whole pages, into memory beside the block, is harmless.
#[cfg(target_os = "linux")]
fn advise_huge(start: *mut u8, bytes: usize) {
    const PAGE: usize = 4096;
    let from = start as usize & !(PAGE - 1);
    let to = (start as usize + bytes).div_ceil(PAGE) * PAGE;
    // SAFETY: the range covers only pages that hold the block `start..start + bytes` this
    // process owns, so they are mapped; MADV_HUGEPAGE changes no byte of them. A refusal
    // (no transparent huge pages) leaves them as they were, which is fine.
    unsafe {
        libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_start: *mut u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_holds_exactly_len_empty_slots_small_or_huge() {
        for len in [0, 1, 1000, (HUGE_PAGE_BYTES / 16) + 3] {
            let t = table(len, [7u64, 9]);
            assert_eq!(t.len(), len);
            assert!(t.iter().all(|&s| s == [7, 9]), "{len} slots");
        }
    }

    /// On Linux, a table of a few huge pages is marked for them (`hg` in its mapping's
    /// VmFlags) whatever the system then does with the advice.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_large_table_is_advised_onto_huge_pages() {
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
            return; // a kernel without transparent huge pages refuses the advice
        }
        let t = table(3 * HUGE_PAGE_BYTES / 8, 0u64);
        let at = t.as_ptr() as usize;
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
