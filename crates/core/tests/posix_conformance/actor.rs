//! The actor side: one OS process of a scenario, a re-execution of this test binary.
//!
//! It maps the shared mutex, reads one command per line from stdin and answers each with one
//! line `REPLY_PREFIX <return value>` on stdout (libtest's own lines are ignored by the
//! driver). A command runs on the process's main thread, or, prefixed with `second `, on a
//! second thread of the process, started at its first command and kept until `second end`,
//! when it returns: whatever it holds is then released by the kernel's robust list.
//! `exit` ends the whole process at once with `_exit`, whatever it holds.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::shared_mutex::SharedMutex;

/// Marks the lines of stdout that answer a command.
pub const REPLY_PREFIX: &str = "posix-conformance-reply";

/// The process's second thread: where its commands go and where the answers come from.
struct SecondThread {
    commands: Sender<String>,
    answers: Receiver<i32>,
    handle: JoinHandle<()>,
}

/// Serves commands from stdin until it closes (or `exit`).
pub fn serve(shared_file: &Path) {
    let mutex = Arc::new(SharedMutex::open(shared_file));
    let mut second: Option<SecondThread> = None;
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin of an actor");
        let answer = match line.trim().strip_prefix("second ") {
            Some("end") => {
                let thread = second.take().expect("`second end` without a second thread");
                drop(thread.commands);
                thread.handle.join().expect("the second thread");
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
    let handle = std::thread::spawn(move || {
        // Returns, without unlocking anything, when the command channel closes.
        for command in commands_in {
            answers_out.send(perform(&mutex, &command)).expect("the main thread listens");
        }
    });
    SecondThread { commands, answers, handle }
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
