//! Where a crash or a thread's death caught each thread it killed: the statement the thread
//! was about to run (or, blocked, the wait it was blocked in). Reports name it, so that a
//! reader of `transfer crashed` knows which half of the transfer had happened.

use serde::{Deserialize, Serialize};

use crate::ir::{CallSite, Pc, Span};
use crate::mutex::ThreadId;
use crate::state::{State, ThreadStatus};
use crate::step::{Action, Step};
use crate::System;

/// One thread a crash or a death killed, and the statement it had not yet run when it died.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Killed {
    /// The thread, by id.
    pub thread: ThreadId,
    /// Its instruction index: the statement it would have run next.
    pub pc: Pc,
    /// True when it was blocked in that statement (an infinite wait on an owned mutex).
    pub blocked: bool,
}

impl System {
    /// The threads `action` kills when taken in state `before` (the state before the step),
    /// each with where it was: for a crash every running or blocked thread of the process,
    /// for a `may_die` thread's death that thread; nothing for any other step.
    pub fn killed(&self, before: &State, action: &Action) -> Vec<Killed> {
        let threads: Vec<ThreadId> = match *action {
            Action::Crash { process } => self.layout.processes[process].threads.clone().collect(),
            Action::Die { thread } => vec![thread],
            Action::Run { .. } | Action::Restart { .. } => return Vec::new(),
        };
        threads
            .into_iter()
            .filter_map(|t| {
                let status = self.thread_status(before, t);
                if matches!(status, ThreadStatus::Finished | ThreadStatus::Dead) {
                    return None;
                }
                let pc = crate::flow::settle(self.code(t), self.pc(before, t));
                (pc < self.code(t).len()).then_some(Killed { thread: t, pc, blocked: status == ThreadStatus::Blocked })
            })
            .collect()
    }

    /// The statement a killed thread was at: its source span, text and procedure calls.
    pub fn killed_at(&self, k: &Killed) -> (Span, &str, &[CallSite]) {
        let i = &self.code(k.thread)[k.pc];
        (i.span, &i.text, &i.called_from)
    }

    /// Where a killed thread was, in words: `at line 26, before: release ma`, or blocked in a
    /// wait `at line 31, blocked in: wait mb` (a statement of a procedure names its calls:
    /// `at line 3 in acquire, called at line 12, before: ...`).
    pub fn killed_text(&self, k: &Killed) -> String {
        let i = &self.code(k.thread)[k.pc];
        let how = if k.blocked { "blocked in" } else { "before" };
        if i.span.line > 0 {
            format!("at {}, {how}: {}", i.location(), i.text)
        } else {
            format!("{how}: {}", i.text)
        }
    }

    /// A step in one line, as [`System::step_text`], with a crash or death saying where each
    /// thread it killed was in `before`: `transfer crashed at line 26, before: release ma`;
    /// for a process of several threads `server crashed: server.a at line 5, blocked in:
    /// wait m; server.b at line 9, before: a = 1`.
    pub fn step_text_in(&self, before: &State, step: &Step) -> String {
        let text = self.step_text(step);
        let killed = self.killed(before, &step.action);
        let actor = self.actor(&step.action);
        match killed.as_slice() {
            [] => text,
            [k] if self.thread_name(k.thread) == actor => format!("{text} {}", self.killed_text(k)),
            _ => {
                let each: Vec<String> =
                    killed.iter().map(|k| format!("{} {}", self.thread_name(k.thread), self.killed_text(k))).collect();
                format!("{text}: {}", each.join("; "))
            }
        }
    }
}
