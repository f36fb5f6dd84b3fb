//! The syntax tree the parser builds and the checker lowers to IR. Every node keeps its source
//! range so that checks can point at it.
//!
//! Names borrow the source text (`'a`), and the rare large parts of a node are boxed, so
//! that a tree stays small next to its text: a 1 MiB model can be two hundred thousand
//! statements.

use crate::source::Sp;
use mutexcheck_core::ir::{BinOp, UnOp, Value, WaitMode};

/// A name as written, with its place.
#[derive(Clone, Debug)]
pub(crate) struct Ident<'a> {
    pub name: &'a str,
    pub sp: Sp,
}

/// A declared type: `LO..HI`, `bool`, `result`, an enum's name, or an array `[T; N]`.
/// Bounds and lengths are constant expressions, worked out by the checker.
#[derive(Clone, Debug)]
pub(crate) enum TypeAst<'a> {
    Range {
        lo: ExprAst<'a>,
        hi: ExprAst<'a>,
    },
    Bool,
    Result,
    /// A name: an `enum` type (or an error the checker reports).
    Named(Ident<'a>),
    Array {
        elem: Box<TypeAst<'a>>,
        len: ExprAst<'a>,
    },
}

/// `const NAME = EXPR` at the top level.
#[derive(Clone, Debug)]
pub(crate) struct ConstAst<'a> {
    pub name: Ident<'a>,
    pub value: ExprAst<'a>,
}

/// `enum NAME { A, B, C }` at the top level.
#[derive(Clone, Debug)]
pub(crate) struct EnumAst<'a> {
    pub name: Ident<'a>,
    pub members: Vec<Ident<'a>>,
    pub sp: Sp,
}

/// `shared NAME: TYPE = INIT` or `var NAME: TYPE = INIT`.
#[derive(Clone, Debug)]
pub(crate) struct VarAst<'a> {
    pub name: Ident<'a>,
    pub ty: Option<(TypeAst<'a>, Sp)>,
    pub init: Option<ExprAst<'a>>,
    /// `guarded_by M` and where it was written (from the keyword to the mutex).
    pub guard: Option<(MutexRefAst<'a>, Sp)>,
    pub sp: Sp,
}

/// `owned_by PROC[i].THREAD`.
#[derive(Clone, Debug)]
pub(crate) struct OwnerAst<'a> {
    pub process: Ident<'a>,
    pub instance: Option<ExprAst<'a>>,
    pub thread: Option<Ident<'a>>,
    pub sp: Sp,
}

/// `mutex NAME [owned_by ...]`, or an array of mutexes `mutex NAME[N] ...`.
#[derive(Clone, Debug)]
pub(crate) struct MutexAst<'a> {
    pub name: Ident<'a>,
    /// The number of elements of a mutex array: a constant expression.
    pub len: Option<ExprAst<'a>>,
    pub owner: Option<OwnerAst<'a>>,
    /// The POSIX attributes after `:`, as written: `recursive`, `robust`, ...
    pub attrs: Vec<Ident<'a>>,
    pub sp: Sp,
}

/// `thread NAME { ... }`, or the implicit `main` thread of a process without thread blocks.
#[derive(Clone, Debug)]
pub(crate) struct ThreadAst<'a> {
    pub name: Ident<'a>,
    /// `thread NAME may_die`: the thread may die alone while its process lives on.
    pub may_die: bool,
    pub vars: Vec<VarAst<'a>>,
    pub body: Vec<Stmt<'a>>,
}

/// `process NAME[N] [restart] { ... }`.
#[derive(Clone, Debug)]
pub(crate) struct ProcessAst<'a> {
    pub name: Ident<'a>,
    pub instances: Option<ExprAst<'a>>,
    pub restart: bool,
    /// Process memory (only when the process has `thread` blocks).
    pub vars: Vec<VarAst<'a>>,
    pub threads: Vec<ThreadAst<'a>>,
    pub sp: Sp,
}

/// Which property a `protect`, `invariant` or `at end` declaration states.
#[derive(Clone, Debug)]
pub(crate) enum PropKind<'a> {
    Protect(MutexRefAst<'a>),
    Invariant(Ident<'a>),
    AtEnd,
}

/// A property declaration.
#[derive(Clone, Debug)]
pub(crate) struct PropAst<'a> {
    pub kind: PropKind<'a>,
    pub cond: ExprAst<'a>,
}

/// A whole model file.
#[derive(Clone, Debug, Default)]
pub(crate) struct ModelAst<'a> {
    pub name: Option<Ident<'a>>,
    pub semantics: Option<Ident<'a>>,
    pub crashes: Option<ExprAst<'a>>,
    pub consts: Vec<ConstAst<'a>>,
    pub enums: Vec<EnumAst<'a>>,
    pub mutexes: Vec<MutexAst<'a>>,
    pub shared: Vec<VarAst<'a>>,
    pub processes: Vec<ProcessAst<'a>>,
    pub props: Vec<PropAst<'a>>,
    /// `starvation m` lines: the mutex named, and the whole line.
    pub starvation: Vec<(MutexRefAst<'a>, Sp)>,
    /// `allow KIND [m]` lines.
    pub allows: Vec<AllowAst<'a>>,
    /// `proc` declarations, in source order.
    pub procs: Vec<ProcAst<'a>>,
}

/// `allow KIND [m]`: an outcome declared intended, for one mutex or every mutex.
#[derive(Clone, Debug)]
pub(crate) struct AllowAst<'a> {
    pub kind: Ident<'a>,
    pub mutex: Option<Ident<'a>>,
    pub sp: Sp,
}

/// `NAME` or `NAME[INDEX]` where a mutex is named: a mutex, or an element of a mutex array.
#[derive(Clone, Debug)]
pub(crate) struct MutexRefAst<'a> {
    pub name: Ident<'a>,
    pub index: Option<Box<ExprAst<'a>>>,
    pub sp: Sp,
}

/// `NAME` or `NAME[INDEX]` on the left of `=`.
#[derive(Clone, Debug)]
pub(crate) struct PlaceAst<'a> {
    pub name: Ident<'a>,
    pub index: Option<Box<ExprAst<'a>>>,
    pub sp: Sp,
}

/// Where a wait or release stores its result.
#[derive(Clone, Debug)]
pub(crate) enum Target<'a> {
    /// `let r = ...`: a thread-local result variable, declared by its first `let`.
    Let(Ident<'a>),
    /// `place = ...`: an existing variable of type `result`.
    Place(PlaceAst<'a>),
}

/// A mutex operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MutexOp {
    Wait(WaitMode),
    Release,
    /// `lock`, `timedlock`, `trylock` (POSIX), as infinite, timeout and try waits.
    Lock(WaitMode),
    /// `unlock` (POSIX).
    Unlock,
    /// `consistent` (POSIX).
    Consistent,
}

impl MutexOp {
    /// The POSIX operation a word names, if it names one.
    pub fn posix(word: &str) -> Option<MutexOp> {
        Some(match word {
            "lock" => MutexOp::Lock(WaitMode::Infinite),
            "timedlock" => MutexOp::Lock(WaitMode::Timeout),
            "trylock" => MutexOp::Lock(WaitMode::Try),
            "unlock" => MutexOp::Unlock,
            "consistent" => MutexOp::Consistent,
            _ => return None,
        })
    }

    /// The word that writes the operation: `wait`, `try`, `lock`, `unlock`, ...
    pub fn word(self) -> &'static str {
        match self {
            MutexOp::Wait(WaitMode::Try) => "try",
            MutexOp::Wait(_) => "wait",
            MutexOp::Release => "release",
            MutexOp::Lock(WaitMode::Infinite) => "lock",
            MutexOp::Lock(WaitMode::Timeout) => "timedlock",
            MutexOp::Lock(WaitMode::Try) => "trylock",
            MutexOp::Unlock => "unlock",
            MutexOp::Consistent => "consistent",
        }
    }

    /// True for the POSIX operations.
    pub fn is_posix(self) -> bool {
        matches!(self, MutexOp::Lock(_) | MutexOp::Unlock | MutexOp::Consistent)
    }
}

/// A statement and the range of its text (for `if`/`while`, the head up to the condition's end).
#[derive(Clone, Debug)]
pub(crate) struct Stmt<'a> {
    pub kind: StmtKind<'a>,
    pub sp: Sp,
}

/// One `if` or `else if` arm: its head range, condition and block.
#[derive(Clone, Debug)]
pub(crate) struct Arm<'a> {
    pub head: Sp,
    pub cond: ExprAst<'a>,
    pub body: Vec<Stmt<'a>>,
}

#[derive(Clone, Debug)]
pub(crate) enum StmtKind<'a> {
    Assign {
        place: PlaceAst<'a>,
        value: ExprAst<'a>,
    },
    Mutex {
        target: Option<Target<'a>>,
        op: MutexOp,
        mutex: MutexRefAst<'a>,
    },
    If {
        arms: Vec<Arm<'a>>,
        els: Option<(Sp, Vec<Stmt<'a>>)>,
    },
    While {
        cond: ExprAst<'a>,
        body: Vec<Stmt<'a>>,
    },
    Assert(ExprAst<'a>),
    Skip,
    /// `progress`: marks progress for the livelock check.
    Progress,
    Exit,
    Atomic(Vec<Stmt<'a>>),
    /// `either { } or { } ...`: each alternative with the range of its keyword.
    Either(Vec<(Sp, Vec<Stmt<'a>>)>),
    /// `NAME(ARGS)`, `let r = NAME(ARGS)`, `place = NAME(ARGS)`: a procedure call.
    Call {
        target: Option<Target<'a>>,
        call: CallAst<'a>,
    },
    /// `return` or `return EXPR` (in a procedure).
    Return(Option<ExprAst<'a>>),
}

/// An expression and its range.
#[derive(Clone, Debug)]
pub(crate) struct ExprAst<'a> {
    pub kind: ExprKind<'a>,
    pub sp: Sp,
}

#[derive(Clone, Debug)]
pub(crate) enum ExprKind<'a> {
    Int(i64),
    Bool(bool),
    Result(Value),
    Name(&'a str),
    Index(Ident<'a>, Box<ExprAst<'a>>),
    SelfId,
    /// `held(m)`, `count(m)`, `owns(m)`, `abandoned(m)`: the query and the mutex.
    Call(Box<(Ident<'a>, MutexRefAst<'a>)>),
    /// `alive(P)` or `alive(P[i])`: the process named and the instance index, if written.
    Alive(Box<(Ident<'a>, Option<ExprAst<'a>>)>),
    Unary(UnOp, Box<ExprAst<'a>>),
    Binary(BinOp, Box<ExprAst<'a>>, Box<ExprAst<'a>>),
    /// `NAME(ARGS)` that is not a mutex query: a procedure call, which is a statement of its
    /// own, never part of an expression (rejected with a hint, or lowered by its statement).
    ProcCall(Box<CallAst<'a>>),
    /// A piece that failed to parse (already reported).
    Error,
}

/// The type of a procedure parameter: which mutex to use, or a value of a declared type.
#[derive(Clone, Debug)]
pub(crate) enum ParamTy<'a> {
    Mutex,
    Value(TypeAst<'a>),
}

/// `NAME: TYPE` in a procedure's parameter list.
#[derive(Clone, Debug)]
pub(crate) struct ParamAst<'a> {
    pub name: Ident<'a>,
    pub ty: ParamTy<'a>,
    /// The type as written.
    pub ty_sp: Sp,
}

/// `proc NAME(PARAMS) [: TYPE] { var ...; statements }`.
#[derive(Clone, Debug)]
pub(crate) struct ProcAst<'a> {
    pub name: Ident<'a>,
    pub params: Vec<ParamAst<'a>>,
    /// The return type, if the procedure returns a value.
    pub ret: Option<(TypeAst<'a>, Sp)>,
    /// Its `var`s: locals of the calling thread, one set per thread and procedure.
    pub vars: Vec<VarAst<'a>>,
    pub body: Vec<Stmt<'a>>,
    /// `proc NAME(...)`, up to the return type.
    pub sp: Sp,
}

/// `NAME(ARG, ...)`: a call of a procedure.
#[derive(Clone, Debug)]
pub(crate) struct CallAst<'a> {
    pub name: Ident<'a>,
    pub args: Vec<ExprAst<'a>>,
    /// The whole call, name to `)`.
    pub sp: Sp,
}
