//! The actor side: one OS process of a scenario, a re-execution of this test binary.
//!
//! It maps the shared mutex, reads one command per line from stdin and answers each with one
//! line `REPLY_PREFIX <return value>` on stdout (libtest's own lines are ignored by the
//! driver). A command runs on the process's main thread, or, prefixed with `second `, on a
//! second thread of the process, started at its first command and kept until `second end`,
//! when it returns, or `second pthread_exit`, when it calls `pthread_exit`: whatever it holds
//! is then released by the kernel's robust list.
//! `exit` ends the whole process at once with `_exit`, whatever it holds.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

use super::shared_mutex::SharedMutex;

/// Marks the lines of stdout that answer a command.
pub const REPLY_PREFIX: &str = "posix-conformance-reply";

/// The process's second thread: where its commands go and where the answers come from.
/// A raw pthread, not a `std::thread`: `pthread_exit` unwinds its stack, which must hold no
/// Rust frame with anything left to drop (std's thread start has some).
struct SecondThread {
    commands: Sender<String>,
    answers: Receiver<i32>,
    handle: libc::pthread_t,
}

/// What the second thread's start routine owns.
struct SecondArgs {
    mutex: Arc<SharedMutex>,
    commands: Receiver<String>,
    answers: Sender<i32>,
}

impl SecondThread {
    /// Waits until the thread has ended (returned or called `pthread_exit`).
    fn join(self) {
        drop(self.commands);
        // SAFETY: `handle` is a joinable thread this process created, joined once.
        let rc = unsafe { libc::pthread_join(self.handle, std::ptr::null_mut()) };
        assert_eq!(rc, 0, "pthread_join");
    }
}

/// Serves commands from stdin until it closes (or `exit`).
pub fn serve(shared_file: &Path) {
    let mutex = Arc::new(SharedMutex::open(shared_file));
    let mut second: Option<SecondThread> = None;
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin of an actor");
        let answer = match line.trim().strip_prefix("second ") {
            Some("end") => {
                second.take().expect("`second end` without a second thread").join();
                0
            }
            Some("pthread_exit") => {
                let thread = second.take().expect("`second pthread_exit` without a second thread");
                thread.commands.send("pthread_exit".into()).expect("the second thread runs");
                thread.join();
                0
            }
            Some(command) => {
                let thread = second.get_or_insert_with(|| start_second_thread(Arc::clone(&mutex)));
                thread.commands.send(command.to_string()).expect("the second thread runs");
                thread.answers.recv().expect("the second thread answers")
            }
            None => perform(&mutex, line.trim()),
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{REPLY_PREFIX} {answer}").and_then(|()| out.flush()).expect("stdout of an actor");
    }
}

fn start_second_thread(mutex: Arc<SharedMutex>) -> SecondThread {
    let (commands, commands_in) = channel::<String>();
    let (answers_out, answers) = channel();
    let args = Box::into_raw(Box::new(SecondArgs { mutex, commands: commands_in, answers: answers_out }));
    let mut handle = std::mem::MaybeUninit::<libc::pthread_t>::uninit();
    // `pthread_exit` unwinds through `second_main`, so it is a "C-unwind" function; libc
    // declares the start routine "C", the same calling convention.
    let start: extern "C-unwind" fn(*mut libc::c_void) -> *mut libc::c_void = second_main;
    // SAFETY: the two ABIs differ only in whether an unwind may cross the frame.
    let start: extern "C" fn(*mut libc::c_void) -> *mut libc::c_void = unsafe { std::mem::transmute(start) };
    // SAFETY: `second_main` takes ownership of `args`, a leaked box, exactly once.
    let rc = unsafe { libc::pthread_create(handle.as_mut_ptr(), std::ptr::null(), start, args.cast()) };
    assert_eq!(rc, 0, "pthread_create");
    // SAFETY: pthread_create succeeded, so it wrote the handle.
    SecondThread { commands, answers, handle: unsafe { handle.assume_init() } }
}

/// The second thread's start routine: serves commands until the channel closes (it then
/// returns) or until `pthread_exit` (it then calls it), without unlocking anything.
extern "C-unwind" fn second_main(args: *mut libc::c_void) -> *mut libc::c_void {
    // SAFETY: the box `start_second_thread` leaked for this thread alone.
    let args = unsafe { Box::from_raw(args.cast::<SecondArgs>()) };
    if serve_second(*args) {
        // SAFETY: everything this frame owned was dropped by `serve_second`; the frames
        // below are glibc's, so the forced unwind runs no Rust destructor.
        unsafe { libc::pthread_exit(std::ptr::null_mut()) }
    }
    std::ptr::null_mut()
}

/// True when the thread is to end by `pthread_exit`; drops everything it is given.
fn serve_second(args: SecondArgs) -> bool {
    for command in &args.commands {
        if command == "pthread_exit" {
            return true;
        }
        args.answers.send(perform(&args.mutex, &command)).expect("the main thread listens");
    }
    false
}

/// Performs one command on the mutex: the pthread call's return value.
fn perform(mutex: &SharedMutex, command: &str) -> i32 {
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["lock"] => mutex.lock(),
        ["trylock"] => mutex.trylock(),
        ["timedlock", millis] => mutex.timedlock(millis.parse().expect("milliseconds")),
        ["unlock"] => mutex.unlock(),
        ["consistent"] => mutex.consistent(),
        // SAFETY: ends this process at once; nothing of it is used after.
        ["exit"] => unsafe { libc::_exit(0) },
        _ => panic!("unknown actor command {command:?}"),
    }
}
