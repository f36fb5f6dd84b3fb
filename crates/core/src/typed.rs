//! Typed values of a state's items: what a trace's `before_value` and `after_value` hold
//! beside the prose, so that a tool reading a trace need not parse English (trace format
//! version 4, `docs/trace-format.md`).

use serde::{Deserialize, Serialize};

use crate::ir::{Semantics, Ty, Value};
use crate::mutex::ThreadId;
use crate::posix::Consistency;
use crate::state::State;
use crate::system::System;

/// One item's value with its type: a number, a boolean, a name (a result such as `ABANDONED`,
/// an enum member, a thread's status such as `running`), or a mutex's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TypedValue {
    /// A `bool` variable.
    Bool(bool),
    /// An integer variable (or a result or enum value outside its names).
    Int(i64),
    /// A result name, an enum member, or a thread status.
    Name(String),
    /// A mutex.
    Mutex(MutexValue),
}

/// A mutex's state as data. Win32 mutexes carry `abandoned`, POSIX ones `consistency`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutexValue {
    /// The owning thread's name, `null` when free.
    pub owner: Option<String>,
    /// The recursion count (0 when free).
    pub count: u32,
    /// Win32: the last owner ended without releasing it and no one has acquired it since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandoned: Option<bool>,
    /// POSIX: `consistent`, `owner_died`, `inconsistent` or `not_recoverable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
}

impl System {
    /// A variable's value `v` of type `ty`, typed.
    pub fn typed_var(&self, ty: Ty, v: Value) -> TypedValue {
        match ty {
            Ty::Int { .. } => TypedValue::Int(v.into()),
            Ty::Bool if v == 0 || v == 1 => TypedValue::Bool(v == 1),
            Ty::Bool => TypedValue::Int(v.into()),
            Ty::Result | Ty::PosixResult | Ty::Enum { .. } => {
                let text = self.model.render(ty, v);
                // A value outside the names renders as its number: keep it a number.
                match text.parse::<i64>() {
                    Ok(n) => TypedValue::Int(n),
                    Err(_) => TypedValue::Name(text),
                }
            }
        }
    }

    /// Mutex `m` in the state slots `s`, typed, in the model's flavor.
    pub(crate) fn typed_mutex(&self, s: &[Value], m: usize) -> TypedValue {
        let owner = |t: Option<ThreadId>| t.map(|t| self.thread_name(t).to_string());
        let value = match self.model.semantics {
            Semantics::Win32 => {
                let st = self.layout.mutex(s, m);
                MutexValue { owner: owner(st.owner), count: st.count, abandoned: Some(st.abandoned), consistency: None }
            }
            Semantics::Posix => {
                let st = self.layout.posix_mutex(s, m);
                let consistency = match st.consistency {
                    Consistency::Consistent => "consistent",
                    Consistency::OwnerDied => "owner_died",
                    Consistency::Inconsistent => "inconsistent",
                    Consistency::NotRecoverable => "not_recoverable",
                };
                let consistency = Some(consistency.to_string());
                MutexValue { owner: owner(st.owner), count: st.count, abandoned: None, consistency }
            }
        };
        TypedValue::Mutex(value)
    }

    /// Thread `t`'s status in `state`, typed: its name.
    pub(crate) fn typed_status(&self, state: &State, t: ThreadId) -> TypedValue {
        TypedValue::Name(self.status_text(state, t).to_string())
    }
}
