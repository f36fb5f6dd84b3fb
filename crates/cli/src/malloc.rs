//! The C allocator's setting for a search's memory.
//!
//! glibc's `malloc` serves a block of 128 KiB or more with its own `mmap` only until the
//! first such block is freed: then it raises that threshold to the freed block's size (up to
//! 32 MiB). From there on the visited shards' arenas and tables, the level queues and the
//! batch buffers, each below 32 MiB, come from the heap: a block that grows is copied, and
//! the one it leaves stays resident as a hole the next blocks only partly reuse. Fixing the
//! threshold keeps every large block mapped: grown by `mremap` without a copy, and given
//! back to the system when freed. Measured on `models/bench/repair_n6_k4_c1.mc
//! --no-symmetry` (75 MB to 62 MB peak) and on issue #21's liveness model (359 MB to 283 MB),
//! the time within the noise (BENCHMARKS.md, "Large blocks stay mapped").

/// glibc's `M_MMAP_THRESHOLD` default before it adapts: 128 KiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// Fixes glibc's mmap threshold (see the module comment), unless the user set one with
/// `MALLOC_MMAP_THRESHOLD_`. Called first thing in `main`, before any thread starts.
pub fn keep_large_blocks_mapped() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: `mallopt` changes a setting of the allocator and touches no Rust memory;
        // no other thread runs yet to allocate meanwhile.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}
