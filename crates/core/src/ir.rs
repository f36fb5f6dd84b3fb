//! The model IR: what the language produces and the checker explores.
//!
//! A [`Model`] is plain data. Code is a flat list of instructions per thread, with jumps by
//! index, so that a program counter is one small number. [`crate::System::new`] validates a
//! model (every index in range, every initial value in its type) and lays out its state; an
//! ill-formed model is an [`crate::IrError`], never a panic.

/// The largest crash budget a model may have: the language's `crashes N` and the command
/// line's `--crashes N` both stop here. (A run of more crashes than a model has process
/// instances is possible only with `restart`; a thousand is far beyond what a search ends.)
pub const MAX_CRASHES: u32 = 1000;
use serde::{Deserialize, Serialize};

pub use crate::mutex::WaitMode;
pub use crate::posix::{MutexType, PosixAttributes};

/// Every variable, result and constant is a small integer; booleans are 0 and 1.
pub type Value = i32;

/// Index of a mutex in [`Model::mutexes`].
pub type MutexId = usize;

/// Index of an enum in [`Model::enums`].
pub type EnumId = usize;

/// Index of an instruction in a thread's code.
pub type Pc = usize;

pub use crate::result_values::{posix_result, result};

/// A place in the model's source text, for diagnostics and traces. Lines and columns count
/// from 1; a zero line means "no source" (a model built by hand).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// Line, from 1.
    pub line: u32,
    /// Column of the first character, from 1.
    pub col: u32,
    /// Length in bytes on that line.
    pub len: u32,
}

/// The flavor of mutex semantics a model runs under.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Semantics {
    /// Win32 named mutexes: `WAIT_ABANDONED`, recursion, `ERROR_NOT_OWNER`.
    #[default]
    Win32,
    /// Process-shared POSIX mutexes (`pthread_mutex_t`), robust or not: `EOWNERDEAD`,
    /// `pthread_mutex_consistent`, `ENOTRECOVERABLE` (see [`crate::posix`]).
    Posix,
}

impl Semantics {
    /// The name a model and a trace use: `win32`, `posix`.
    pub fn name(&self) -> &'static str {
        match self {
            Semantics::Win32 => "win32",
            Semantics::Posix => "posix",
        }
    }
}

/// The type of a variable: a bounded integer, a boolean, or a wait/release result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ty {
    /// An integer in `lo..=hi`.
    Int { lo: Value, hi: Value },
    /// `false` (0) or `true` (1).
    Bool,
    /// One of the [`result`] constants.
    Result,
    /// One of the [`posix_result`] constants (`result` in a `semantics posix` model).
    PosixResult,
    /// A member of enum `id` ([`Model::enums`]), which has `len` members: the values
    /// `0..len`, in the order the model lists them. The length is kept here so that a type
    /// knows its bounds without the model; validation checks it against the declaration.
    Enum { id: EnumId, len: u32 },
}

impl Ty {
    /// The smallest and largest value of the type.
    pub fn bounds(&self) -> (Value, Value) {
        match *self {
            Ty::Int { lo, hi } => (lo, hi),
            Ty::Bool => (0, 1),
            Ty::Result => (result::OK, result::NOT_OWNER),
            Ty::PosixResult => (posix_result::OK, posix_result::AGAIN),
            Ty::Enum { len, .. } => (0, len.saturating_sub(1).min(Value::MAX as u32) as Value),
        }
    }

    /// True when `v` is a value of this type.
    pub fn contains(&self, v: Value) -> bool {
        let (lo, hi) = self.bounds();
        lo <= v && v <= hi
    }

    /// `v` written the way a user reads it: `true`, `ABANDONED`, `3`. An enum member needs
    /// the model for its name: [`Model::render`] writes it; here it is its number.
    pub fn render(&self, v: Value) -> String {
        match self {
            Ty::Bool if v == 0 => "false".into(),
            Ty::Bool if v == 1 => "true".into(),
            Ty::Result if (0..result::NAMES.len() as Value).contains(&v) => result::NAMES[v as usize].into(),
            Ty::PosixResult if (0..posix_result::NAMES.len() as Value).contains(&v) => {
                posix_result::NAMES[v as usize].into()
            }
            _ => v.to_string(),
        }
    }
}

/// A declared variable, or an array of `len` variables of one type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarDecl {
    /// The name the model gives it.
    pub name: String,
    /// Its type; every assignment is checked against it.
    pub ty: Ty,
    /// `Some(n)` for an array of `n` elements.
    pub len: Option<u32>,
    /// The initial value (of every element, for an array).
    pub init: Value,
    /// Where it was declared.
    pub span: Span,
}

impl VarDecl {
    /// How many values the variable holds (1 for a scalar).
    pub fn slots(&self) -> usize {
        self.len.unwrap_or(1) as usize
    }
}

/// Which table a variable lives in, which decides who sees it and what a crash does to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Cross-process shared memory ([`Model::shared`]): survives every crash.
    Shared,
    /// Memory of one process instance ([`ProcessDecl::vars`]): seen by all its threads, lost
    /// (reset to its initial value) when the process crashes and restarts.
    Process,
    /// A thread's own variable ([`ThreadDecl::locals`]).
    Local,
}

/// A reference to a declared variable: its scope and its index in that scope's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VarRef {
    /// The table.
    pub scope: Scope,
    /// The index in it.
    pub index: usize,
}

/// Something that can be assigned: a variable, or an element of an array variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The variable.
    pub var: VarRef,
    /// The element, for an array.
    pub index: Option<Box<Expr>>,
}

/// A unary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnOp {
    /// Arithmetic negation.
    Neg,
    /// Boolean not.
    Not,
}

/// A binary operator. Arithmetic overflow and division by zero are faults, not wraps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Short-circuit and.
    And,
    /// Short-circuit or.
    Or,
}

impl BinOp {
    /// The operator as written in the model language.
    pub fn symbol(&self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// An expression. Evaluation is side-effect free and happens within one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expr {
    /// A constant.
    Const(Value),
    /// The value of a scalar variable.
    Var(VarRef),
    /// An element of an array variable.
    Index(VarRef, Box<Expr>),
    /// The index of the running thread's process instance among its template's instances
    /// (`self` in the language: 0 for `worker[0]`).
    InstanceId,
    /// The recursion count of a mutex: 0 when free (`count(m)`; `held(m)` is `count(m) > 0`).
    MutexCount(MutexId),
    /// True when the running thread owns the mutex (`owns(m)`).
    Owns(MutexId),
    /// True when the mutex is free and abandoned (`abandoned(m)`).
    MutexAbandoned(MutexId),
    /// True while instance `index` of process template `process` runs (`alive(P[i])`,
    /// `alive(P)`): it has not crashed and not every one of its threads has ended (finished,
    /// exited or died). Reads only thread statuses, so properties may use it; an index
    /// outside the template's instances is a fault.
    Alive { process: usize, index: Box<Expr> },
    /// `count`, `owns` or `abandoned` of an element of a mutex array chosen when the
    /// expression is evaluated (`held(lock[i])`); an index outside the array is a fault.
    ElementQuery(MutexQuery, MutexElement),
    /// A unary operation.
    Unary(UnOp, Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// What an expression asks of a mutex: [`Expr::MutexCount`], [`Expr::Owns`] and
/// [`Expr::MutexAbandoned`] for a mutex chosen at run time ([`Expr::ElementQuery`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MutexQuery {
    /// The recursion count.
    Count,
    /// True when the running thread owns it.
    Owns,
    /// True when it is free and abandoned.
    Abandoned,
}

/// An element of a mutex array, chosen when a step runs: `lock[i]` with `i` computed. A
/// mutex array `lock[N]` is the `N` consecutive mutexes `base..base + len` of
/// [`Model::mutexes`] (named `lock[0]`, `lock[1]`, ...); an index outside `0..len` is a
/// fault ([`crate::Fault::IndexOutOfBounds`]) of the step that evaluates it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutexElement {
    /// The array's first element.
    pub base: MutexId,
    /// How many elements it has.
    pub len: u32,
    /// Which element: evaluated where the step runs.
    pub index: Box<Expr>,
}

impl MutexElement {
    /// The array's name as a model writes it: the first element's name without its `[0]`
    /// (the whole name for a hand-built IR that names its mutexes otherwise).
    pub fn array_name<'m>(&self, model: &'m Model) -> &'m str {
        let first = model.mutexes.get(self.base).map_or("", |m| m.name.as_str());
        first.strip_suffix("[0]").unwrap_or(first)
    }
}

impl Op {
    /// True for a wait without a timeout (`wait m`, POSIX `lock m`), on a fixed mutex or an
    /// element of a mutex array: the operations that may block.
    pub fn waits_forever(&self) -> bool {
        match self {
            Op::Wait { mode, .. } => *mode == WaitMode::Infinite,
            Op::OnElement { op, .. } => op.waits_forever(),
            _ => false,
        }
    }

    /// The same mutex operation on mutex `m` (`self` is a `Wait`, `Release` or
    /// `Consistent`; anything else is returned unchanged): how a step runs an
    /// [`Op::OnElement`] once its element is chosen.
    pub fn on_mutex(&self, m: MutexId) -> Op {
        match self {
            Op::Wait { mode, result, .. } => Op::Wait { mutex: m, mode: *mode, result: result.clone() },
            Op::Release { result, .. } => Op::Release { mutex: m, result: result.clone() },
            Op::Consistent { result, .. } => Op::Consistent { mutex: m, result: result.clone() },
            other => other.clone(),
        }
    }
}

/// What one instruction does. Each one is a single atomic step, except `Goto`, `AtomicBegin`
/// and `AtomicEnd`, which are control markers taken on the way to the next real instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `place = value`. A value outside the place's type is a fault.
    Assign { place: Place, value: Expr },
    /// `wait m`, `wait m timeout`, `try m`, storing the outcome in `result` if given. Under
    /// POSIX semantics: `lock m` (infinite), `timedlock m` (timeout), `trylock m` (try).
    Wait { mutex: MutexId, mode: WaitMode, result: Option<Place> },
    /// `release m`. With a `result`, `NOT_OWNER` is stored there and is not an error. Under
    /// POSIX semantics: `unlock m` (`PERM` instead of `NOT_OWNER`).
    Release { mutex: MutexId, result: Option<Place> },
    /// `consistent m` (POSIX only): `pthread_mutex_consistent`, storing `OK` or `INVAL`.
    Consistent { mutex: MutexId, result: Option<Place> },
    /// A `Wait`, `Release` or `Consistent` (`op`, which names the array's first element) on
    /// the element of a mutex array its index chooses when the step runs (`wait
    /// lock[self]`): one step, which faults when the index is outside the array.
    OnElement { element: MutexElement, op: Box<Op> },
    /// `assert cond`: a fault when false.
    Assert { cond: Expr },
    /// Evaluate `cond` (one step) and go on at the next instruction if true, at `target` if not.
    Branch { cond: Expr, target: Pc },
    /// Nondeterministic choice: go on at any one of `targets` (one step).
    Choose { targets: Vec<Pc> },
    /// Go on at `target` (not a step of its own).
    Goto { target: Pc },
    /// A step that changes nothing but the program counter.
    Skip,
    /// Start of an `atomic` block: until `AtomicEnd`, no other thread moves and no process
    /// crashes (unless this thread blocks, which ends the atomicity, as in Promela).
    AtomicBegin,
    /// End of an `atomic` block.
    AtomicEnd,
    /// The thread ends now (one step), abandoning what it owns.
    Exit,
    /// `progress`: a step that changes nothing but the program counter and marks progress
    /// (SPIN's progress label): a fair run that passes no `progress` forever is a livelock.
    Progress,
}

/// One instruction with its source position and text (the trace shows both).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instr {
    /// What it does.
    pub op: Op,
    /// Where it was written.
    pub span: Span,
    /// The source text of the statement, e.g. `let r = wait m timeout`.
    pub text: String,
    /// For a statement of a procedure inlined into the thread's code: the calls that led
    /// here, outermost first; the last one names the procedure `span` is in. Empty for a
    /// statement written in the thread itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub called_from: Vec<CallSite>,
}

impl Instr {
    /// An instruction written in the thread itself (no procedure call around it).
    pub fn new(op: Op, span: Span, text: impl Into<String>) -> Instr {
        Instr { op, span, text: text.into(), called_from: Vec::new() }
    }

    /// Where the instruction is, as reports say it: `line 12`, or for a statement of a
    /// procedure `line 12 in acquire, called at line 30` (each enclosing call named in turn:
    /// `line 5 in repair, called at line 13 in acquire, called at line 30`).
    pub fn location(&self) -> String {
        let mut out = format!("line {}", self.span.line);
        append_calls(&mut out, &self.called_from);
        out
    }
}

/// Appends ` in P, called at line N[ in Q, called at line M]...` for a call stack
/// (outermost first), as [`Instr::location`] writes it.
pub fn append_calls(out: &mut String, calls: &[CallSite]) {
    use std::fmt::Write;
    if let Some(last) = calls.last() {
        let _ = write!(out, " in {}", last.proc);
    }
    for k in (0..calls.len()).rev() {
        let _ = write!(out, ", called at line {}", calls[k].span.line);
        if k > 0 {
            let _ = write!(out, " in {}", calls[k - 1].proc);
        }
    }
}

/// One procedure call an inlined instruction sits in: the procedure called and where the
/// call statement is (in the thread, or in the procedure of the call before it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CallSite {
    /// The procedure called.
    pub proc: String,
    /// The call statement.
    pub span: Span,
}

/// One thread of a process template: its locals and its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadDecl {
    /// Its name (`main` for a process without `thread` blocks).
    pub name: String,
    /// Its own variables.
    pub locals: Vec<VarDecl>,
    /// Its instructions; running off the end ends the thread.
    pub code: Vec<Instr>,
    /// `thread NAME may_die`: the thread may die alone at any step while its process lives
    /// on (ExitThread, TerminateThread, `pthread_exit`), using one unit of the crash budget.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub may_die: bool,
}

/// A process template, instantiated `instances` times (`process worker[2]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessDecl {
    /// The template's name.
    pub name: String,
    /// How many identical processes run it.
    pub instances: u32,
    /// After a crash the process starts again from its first statement.
    pub restart: bool,
    /// Process memory, shared by its threads and lost on a crash.
    pub vars: Vec<VarDecl>,
    /// Its threads; mutex ownership is per thread.
    pub threads: Vec<ThreadDecl>,
    /// Where it was declared.
    pub span: Span,
}

/// A thread named by its place in the templates: `worker[1].main`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ThreadRef {
    /// Index in [`Model::processes`].
    pub process: usize,
    /// Which instance of it.
    pub instance: u32,
    /// Index in its [`ProcessDecl::threads`].
    pub thread: usize,
}

/// A named mutex shared by every process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutexDecl {
    /// Its name.
    pub name: String,
    /// Created with `bInitialOwner = TRUE` by this thread.
    pub initial_owner: Option<ThreadRef>,
    /// Type and robustness, under POSIX semantics (ignored under Win32).
    #[serde(default)]
    pub posix: PosixAttributes,
    /// Where it was declared.
    pub span: Span,
}

/// A property of the model. Property expressions read only shared variables and mutexes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Property {
    /// `protect m: cond`: `cond` holds whenever `m` is free and not abandoned (POSIX: free
    /// and consistent), and whenever a first (non-recursive) wait or lock on `m` returns `OK`.
    Protect { mutex: MutexId, cond: Expr, text: String, span: Span },
    /// `invariant name: cond`: holds in every reachable state.
    Invariant { name: String, cond: Expr, text: String, span: Span },
    /// `at end: cond`: holds in every state where every thread has finished or died.
    AtEnd { cond: Expr, text: String, span: Span },
}

/// An `enum NAME { A, B, C }` declaration: a type whose values are its members, `0` for the
/// first. Reports write a member by its name ([`Model::render`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumDecl {
    /// The type's name.
    pub name: String,
    /// The members' names, in declaration order (at least one).
    pub members: Vec<String>,
    /// Where it was declared.
    pub span: Span,
}

/// A whole model: the unit the checker explores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    /// The name after `model`.
    pub name: String,
    /// Which mutex semantics apply.
    pub semantics: Semantics,
    /// How many process crashes and thread deaths (`may_die`) one run may contain (at most
    /// [`MAX_CRASHES`]).
    pub crashes: u32,
    /// The named mutexes.
    pub mutexes: Vec<MutexDecl>,
    /// Cross-process shared variables.
    pub shared: Vec<VarDecl>,
    /// Process templates.
    pub processes: Vec<ProcessDecl>,
    /// Properties to check besides the built-in ones.
    pub properties: Vec<Property>,
    /// Liveness properties: what must keep happening forever (see [`Liveness`]).
    #[serde(default)]
    pub liveness: Vec<Liveness>,
    /// The enum types its variables may have ([`Ty::Enum`]).
    #[serde(default)]
    pub enums: Vec<EnumDecl>,
    /// Outcomes declared intended (`allow KIND [m]`): not violations (see [`crate::allow`]).
    #[serde(default)]
    pub allowed: Vec<crate::allow::Allow>,
    /// Shared variables guarded by a mutex (`shared a: 0..3 guarded_by m`): a thread that
    /// reads or writes one without owning its mutex commits an `unguarded_access` (see
    /// [`crate::guarded`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<Guard>,
}

/// `shared NAME ... guarded_by M`: which mutex a thread must own to read or write a shared
/// variable (Clang's `GUARDED_BY`, checked on every step rather than by a lockset estimate).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    /// The guarded variable: an index in [`Model::shared`].
    pub var: usize,
    /// The mutex (or mutexes) that guard it.
    pub by: GuardedBy,
    /// Where `guarded_by` was written.
    pub span: Span,
}

/// The mutex a guarded variable needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardedBy {
    /// One mutex guards the variable (every element of an array variable).
    Mutex(MutexId),
    /// An array variable guarded element by element by a mutex array of the same length:
    /// element `k` by mutex `base + k` (`guarded_by lock[i]`).
    Elementwise { base: MutexId, len: u32 },
}

impl GuardedBy {
    /// The mutex that guards element `element` (`None` for a scalar), or `None` when the
    /// element is outside an element-wise guard (the access itself faults then).
    pub fn mutex_for(&self, element: Option<Value>) -> Option<MutexId> {
        match *self {
            GuardedBy::Mutex(m) => Some(m),
            GuardedBy::Elementwise { base, len } => {
                let k = element?;
                (k >= 0 && (k as u32) < len).then(|| base + k as usize)
            }
        }
    }
}

impl Model {
    /// The guard of shared variable `var`, if it is declared `guarded_by` a mutex.
    pub fn guard_of(&self, var: usize) -> Option<&GuardedBy> {
        self.guards.iter().find(|g| g.var == var).map(|g| &g.by)
    }

    /// True when the model declares `kind` intended for `mutex` (`allow KIND` or `allow KIND m`).
    pub fn allows(&self, kind: crate::allow::AllowKind, mutex: MutexId) -> bool {
        crate::allow::is_allowed(&self.allowed, kind, mutex)
    }

    /// A value of type `ty` written the way a user reads it: an enum member by its name
    /// (`Writing`), anything else as [`Ty::render`] writes it. Every report, trace, graph
    /// and page shows values through this function.
    pub fn render(&self, ty: Ty, v: Value) -> String {
        if let Ty::Enum { id, .. } = ty {
            let member = self.enums.get(id).and_then(|e| usize::try_from(v).ok().and_then(|i| e.members.get(i)));
            if let Some(name) = member {
                return name.clone();
            }
        }
        ty.render(v)
    }

    /// True when some thread has a `progress` statement: the model is then checked for
    /// livelock (a fair run that from some point on never passes one).
    pub fn has_progress(&self) -> bool {
        self.processes.iter().flat_map(|p| &p.threads).flat_map(|t| &t.code).any(|i| i.op == Op::Progress)
    }
}

/// A liveness property: checked on infinite runs under weak fairness of threads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Liveness {
    /// `starvation m`: no fair run has a thread that waits for or retries `m` forever and
    /// never gets it while other threads keep acquiring it.
    Starvation { mutex: MutexId, span: Span },
}
