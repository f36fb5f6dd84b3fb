//! The driver side: runs a scenario on the real mutex, one OS process per actor, and records
//! each step's result beside the model's.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::actor::REPLY_PREFIX;
use super::scenario::{Actor, Model, Op, Reply, Request, Scenario, Step};
use super::shared_mutex::SharedMutex;

/// The environment variable that turns the actor "test" of a re-executed test binary into an
/// actor; its value is the shared file.
pub const ACTOR_ENV: &str = "MUTEXCHECK_POSIX_ACTOR";
/// The name of that test, for `--exact`.
pub const ACTOR_TEST: &str = "posix_conformance_actor";

/// How long an answer may take before the call counts as blocked. Far above the timedlock
/// deadline: only a call that blocks for good reaches it.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

/// One step as run: what the model expected and what the OS did.
pub struct StepRecord {
    pub step: Step,
    pub expected: Reply,
    pub found: Reply,
    pub note: &'static str,
}

/// Runs `scenario` and then the probe (a timedlock by a fresh process) on a fresh mutex. Stops
/// at the first step that gets no answer: the actors are killed then.
pub fn run(scenario: &Scenario) -> Vec<StepRecord> {
    let shared_file = SharedFile::create(scenario);
    let mut model = Model::new(scenario.attrs);
    let mut processes: HashMap<Actor, ActorProcess> = HashMap::new();
    let probe = Step { actor: Actor::Probe, op: Op::TimedLock };
    let mut records = Vec::new();
    for &step in scenario.steps.iter().chain([&probe]) {
        let planned = model.plan(step);
        let process =
            processes.entry(step.actor.process()).or_insert_with(|| ActorProcess::spawn(&shared_file.path, step.actor));
        assert!(process.alive, "{}: {:?} acts after its process died", scenario.name, step.actor);
        let found = process.perform(&planned.request, step.actor.is_second_thread());
        records.push(StepRecord { step, expected: planned.expected, found, note: planned.note });
        if matches!(found, Reply::NoAnswer | Reply::Crashed) {
            break;
        }
    }
    records
}

/// The temp file that holds the mutex; removed when dropped.
struct SharedFile {
    path: PathBuf,
}

impl SharedFile {
    fn create(scenario: &Scenario) -> SharedFile {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
        let name = format!("mutexcheck-posix-{}-{}", std::process::id(), COUNT.fetch_add(1, Ordering::Relaxed));
        let path = dir.join(name);
        SharedMutex::create(&path, scenario.attrs);
        SharedFile { path }
    }
}

impl Drop for SharedFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// An actor process: its stdin, and its answers as read by a reader thread.
struct ActorProcess {
    child: Child,
    stdin: ChildStdin,
    answers: Receiver<i32>,
    alive: bool,
}

impl ActorProcess {
    fn spawn(shared_file: &Path, actor: Actor) -> ActorProcess {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut child = Command::new(exe)
            .args(["--exact", ACTOR_TEST, "--nocapture", "--test-threads=1"])
            .env(ACTOR_ENV, shared_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start the actor process for {actor:?}: {error}"));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (sender, answers) = channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                // libtest may have begun the line ("test posix_conformance_actor ... ").
                if let Some((_, code)) = line.split_once(REPLY_PREFIX) {
                    let code = code.trim().parse().expect("a numeric answer");
                    if sender.send(code).is_err() {
                        return;
                    }
                }
            }
        });
        ActorProcess { child, stdin, answers, alive: true }
    }

    fn perform(&mut self, request: &Request, on_second_thread: bool) -> Reply {
        let prefix = if on_second_thread { "second " } else { "" };
        match request {
            Request::Call(command) => self.ask(&format!("{prefix}{command}")),
            Request::EndThread => match self.ask("second end") {
                Reply::Code(0) => Reply::Died,
                other => other,
            },
            Request::ExitThread => match self.ask("second pthread_exit") {
                Reply::Code(0) => Reply::Died,
                other => other,
            },
            Request::ExitProcess => {
                self.send("exit");
                self.wait_for_exit()
            }
            Request::KillProcess => {
                self.child.kill().expect("SIGKILL to an actor");
                self.wait_for_exit()
            }
        }
    }

    fn send(&mut self, command: &str) {
        writeln!(self.stdin, "{command}").and_then(|()| self.stdin.flush()).expect("an actor's stdin");
    }

    fn ask(&mut self, command: &str) -> Reply {
        self.send(command);
        match self.answers.recv_timeout(ANSWER_TIMEOUT) {
            Ok(code) => Reply::Code(code),
            // Its stdout closed: the process ended in the call (a crash in libc).
            Err(RecvTimeoutError::Disconnected) => match self.wait_for_exit() {
                Reply::Died => Reply::Crashed,
                other => other,
            },
            Err(RecvTimeoutError::Timeout) => Reply::NoAnswer,
        }
    }

    /// Waits until the process is gone: by then the kernel has walked its robust list.
    fn wait_for_exit(&mut self) -> Reply {
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        while Instant::now() < deadline {
            if self.child.try_wait().expect("waitpid on an actor").is_some() {
                self.alive = false;
                return Reply::Died;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Reply::NoAnswer
    }
}

impl Drop for ActorProcess {
    fn drop(&mut self) {
        if self.alive {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
