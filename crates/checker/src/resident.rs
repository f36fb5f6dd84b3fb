//! The process's resident memory, read cheaply enough to look every few milliseconds.
//!
//! The guard's watchdog looks at the resident memory every tick of a run with a memory bound
//! (the command line always sets one). `/proc/self/status` formats some fifty fields, the
//! signal masks and CPU lists among them, for the one the watchdog wants: opening and
//! reading it took about 1.7% of a core. `/proc/self/statm` is one line of seven numbers
//! (sizes in pages; the second is the resident size, the same count `VmRSS` shows in KiB),
//! and a [`Resident`] keeps it open and rereads it from offset 0, which makes the kernel
//! produce it afresh: one `pread` and a few bytes per look.

use std::fs::File;

/// `/proc/self/statm`, kept open for repeated looks at the resident memory.
#[derive(Debug)]
pub struct Resident {
    /// `None` off Linux, or when the file cannot be opened.
    statm: Option<File>,
    /// The size of a page in KiB.
    page_kb: u64,
}

impl Resident {
    /// Opens `/proc/self/statm`; a reader that answers `None` where there is none.
    pub fn open() -> Resident {
        Resident { statm: File::open("/proc/self/statm").ok(), page_kb: page_kb() }
    }

    /// The process's resident memory now, in KiB, or `None` where it cannot be read.
    pub fn kb(&self) -> Option<u64> {
        let file = self.statm.as_ref()?;
        // Seven numbers of at most 20 digits each, and their separators.
        let mut text = [0u8; 160];
        let n = read_from_start(file, &mut text)?;
        statm_resident_kb(&text[..n], self.page_kb)
    }
}

/// The resident size from the text of `/proc/<pid>/statm` (`size resident shared text lib
/// data dt`, in pages of `page_kb` KiB), in KiB; `None` when the text does not have it.
pub fn statm_resident_kb(text: &[u8], page_kb: u64) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?;
    let pages: u64 = text.split_ascii_whitespace().nth(1)?.parse().ok()?;
    pages.checked_mul(page_kb)
}

#[cfg(unix)]
fn read_from_start(file: &File, buf: &mut [u8]) -> Option<usize> {
    use std::os::unix::fs::FileExt;
    file.read_at(buf, 0).ok()
}

#[cfg(not(unix))]
fn read_from_start(_file: &File, _buf: &mut [u8]) -> Option<usize> {
    None
}

#[cfg(target_os = "linux")]
fn page_kb() -> u64 {
    // SAFETY: sysconf reads a setting and touches no memory of ours.
    let bytes = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if bytes > 0 {
        bytes as u64 / 1024
    } else {
        4
    }
}

#[cfg(not(target_os = "linux"))]
fn page_kb() -> u64 {
    4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resident_size_is_the_second_number_of_statm_in_pages() {
        assert_eq!(statm_resident_kb(b"5925 1474 1136 403 0 428 0\n", 4), Some(5896));
        assert_eq!(statm_resident_kb(b"5925 1474 1136 403 0 428 0\n", 64), Some(94_336));
        assert_eq!(statm_resident_kb(b"5925\n", 4), None, "no resident field");
        assert_eq!(statm_resident_kb(b"5925 x 1\n", 4), None, "not a number");
        assert_eq!(statm_resident_kb(b"", 4), None);
    }

    /// `VmRSS` of `/proc/self/status`, in KiB.
    fn status_rss_kb() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line["VmRSS:".len()..].trim().trim_end_matches("kB").trim().parse().unwrap()
    }

    #[test]
    fn a_kept_reader_agrees_with_vmrss_as_memory_grows() {
        if !cfg!(target_os = "linux") {
            assert_eq!(Resident::open().kb(), None);
            return;
        }
        let resident = Resident::open();
        let mut blocks = Vec::new();
        for _ in 0..3 {
            // 64 MiB more written, so a reader that did not read afresh would lag by as much.
            blocks.push(std::hint::black_box(vec![1u8; 64 << 20]));
            // Read around VmRSS: other tests' threads allocate and free meanwhile, but not
            // 4 MiB within the microseconds between the reads.
            let before = resident.kb().expect("statm is read on Linux");
            let status = status_rss_kb();
            let after = resident.kb().expect("read again");
            let (low, high) = (before.min(after), before.max(after));
            assert!(low <= status + 4096 && status <= high + 4096, "statm {before}, {after} KiB; VmRSS {status} KiB");
        }
    }
}
