//! One `pthread_mutex_t` in a file mapped `MAP_SHARED` by every process of a scenario.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use mutexcheck_core::posix::{MutexType, PosixAttributes};

/// How many bytes of the file are mapped: one page, room for the mutex.
const MAPPED_BYTES: usize = 4096;

/// A process-shared mutex as this process sees it: a pointer into a shared mapping.
pub struct SharedMutex {
    mutex: *mut libc::pthread_mutex_t,
}

// SAFETY: a pthread mutex is made to be used from many threads at once; the mapping lives as
// long as the process (it is never unmapped).
unsafe impl Send for SharedMutex {}
// SAFETY: as above; every access goes through the pthread calls, which synchronise.
unsafe impl Sync for SharedMutex {}

impl SharedMutex {
    /// Creates `path`, maps it and initialises a process-shared mutex in it with `attrs`.
    /// The creator does not keep the mutex: it only initialises it.
    pub fn create(path: &Path, attrs: PosixAttributes) {
        let mapped = map(path, true);
        let mut attr = std::mem::MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
        // SAFETY: `attr` is initialised by pthread_mutexattr_init before any other use, and
        // `mapped.mutex` points to MAPPED_BYTES writable bytes, enough for a pthread_mutex_t.
        unsafe {
            check("pthread_mutexattr_init", libc::pthread_mutexattr_init(attr.as_mut_ptr()));
            let attr = attr.as_mut_ptr();
            check("setpshared", libc::pthread_mutexattr_setpshared(attr, libc::PTHREAD_PROCESS_SHARED));
            check("settype", libc::pthread_mutexattr_settype(attr, libc_type(attrs.kind)));
            let robustness = if attrs.robust { libc::PTHREAD_MUTEX_ROBUST } else { libc::PTHREAD_MUTEX_STALLED };
            check("setrobust", libc::pthread_mutexattr_setrobust(attr, robustness));
            check("pthread_mutex_init", libc::pthread_mutex_init(mapped.mutex, attr));
            libc::pthread_mutexattr_destroy(attr);
            libc::munmap(mapped.mutex.cast(), MAPPED_BYTES);
        }
    }

    /// Maps the mutex that [`SharedMutex::create`] put in `path`.
    pub fn open(path: &Path) -> SharedMutex {
        map(path, false)
    }

    pub fn lock(&self) -> i32 {
        // SAFETY: `self.mutex` points to an initialised process-shared mutex (see `open`).
        unsafe { libc::pthread_mutex_lock(self.mutex) }
    }

    pub fn trylock(&self) -> i32 {
        // SAFETY: as in `lock`.
        unsafe { libc::pthread_mutex_trylock(self.mutex) }
    }

    /// `pthread_mutex_timedlock` with a deadline `millis` from now (CLOCK_REALTIME, as POSIX
    /// says for timedlock).
    pub fn timedlock(&self, millis: u64) -> i32 {
        let deadline = realtime_in(millis);
        // SAFETY: as in `lock`; `deadline` is a valid timespec on the stack.
        unsafe { libc::pthread_mutex_timedlock(self.mutex, &deadline) }
    }

    pub fn unlock(&self) -> i32 {
        // SAFETY: as in `lock`.
        unsafe { libc::pthread_mutex_unlock(self.mutex) }
    }

    pub fn consistent(&self) -> i32 {
        // SAFETY: as in `lock`.
        unsafe { libc::pthread_mutex_consistent(self.mutex) }
    }
}

fn libc_type(kind: MutexType) -> libc::c_int {
    match kind {
        MutexType::Normal => libc::PTHREAD_MUTEX_NORMAL,
        MutexType::ErrorCheck => libc::PTHREAD_MUTEX_ERRORCHECK,
        MutexType::Recursive => libc::PTHREAD_MUTEX_RECURSIVE,
        MutexType::Default => libc::PTHREAD_MUTEX_DEFAULT,
    }
}

fn check(what: &str, code: libc::c_int) {
    assert_eq!(code, 0, "{what} failed with {code}");
}

fn map(path: &Path, create: bool) -> SharedMutex {
    let c_path = CString::new(path.as_os_str().as_bytes()).expect("a path without NUL");
    let flags = if create { libc::O_RDWR | libc::O_CREAT | libc::O_EXCL } else { libc::O_RDWR };
    // SAFETY: `c_path` is a NUL-terminated string that outlives the call.
    let fd = unsafe { libc::open(c_path.as_ptr(), flags | libc::O_CLOEXEC, 0o600) };
    assert!(fd >= 0, "cannot open {}: {}", path.display(), std::io::Error::last_os_error());
    if create {
        // SAFETY: `fd` is an open file of ours; the new bytes read as zeros.
        let grown = unsafe { libc::ftruncate(fd, MAPPED_BYTES as libc::off_t) };
        assert_eq!(grown, 0, "cannot size {}: {}", path.display(), std::io::Error::last_os_error());
    }
    // SAFETY: maps MAPPED_BYTES of the open file `fd`, shared, at an address the kernel picks.
    let address = unsafe {
        libc::mmap(std::ptr::null_mut(), MAPPED_BYTES, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd, 0)
    };
    assert_ne!(address, libc::MAP_FAILED, "cannot map {}: {}", path.display(), std::io::Error::last_os_error());
    // SAFETY: the mapping stays after the descriptor is closed.
    unsafe { libc::close(fd) };
    SharedMutex { mutex: address.cast() }
}

fn realtime_in(millis: u64) -> libc::timespec {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut now) };
    let nanos = now.tv_nsec as u64 + millis * 1_000_000;
    libc::timespec {
        tv_sec: now.tv_sec + (nanos / 1_000_000_000) as libc::time_t,
        tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
    }
}
