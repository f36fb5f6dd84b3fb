//! The syntax tree the parser builds and the checker lowers to IR. Every node keeps its source
//! range so that checks can point at it.

use crate::source::Sp;
use mutexcheck_core::ir::{BinOp, UnOp, Value, WaitMode};

/// A name as written, with its place.
#[derive(Clone, Debug)]
pub(crate) struct Ident {
    pub name: String,
    pub sp: Sp,
}

/// A declared type: `LO..HI`, `bool`, `result`, or an array `[T; N]`.
#[derive(Clone, Debug)]
pub(crate) enum TypeAst {
    Range { lo: i64, hi: i64 },
    Bool,
    Result,
    Array { elem: Box<TypeAst>, len: i64, len_sp: Sp },
}

/// `shared NAME: TYPE = INIT` or `var NAME: TYPE = INIT`.
#[derive(Clone, Debug)]
pub(crate) struct VarAst {
    pub name: Ident,
    pub ty: Option<(TypeAst, Sp)>,
    pub init: Option<ExprAst>,
    pub sp: Sp,
}

/// `owned_by PROC[i].THREAD`.
#[derive(Clone, Debug)]
pub(crate) struct OwnerAst {
    pub process: Ident,
    pub instance: Option<(i64, Sp)>,
    pub thread: Option<Ident>,
    pub sp: Sp,
}

/// `mutex NAME [owned_by ...]`.
#[derive(Clone, Debug)]
pub(crate) struct MutexAst {
    pub name: Ident,
    pub owner: Option<OwnerAst>,
    pub sp: Sp,
}

/// `thread NAME { ... }`, or the implicit `main` thread of a process without thread blocks.
#[derive(Clone, Debug)]
pub(crate) struct ThreadAst {
    pub name: Ident,
    pub vars: Vec<VarAst>,
    pub body: Vec<Stmt>,
}

/// `process NAME[N] [restart] { ... }`.
#[derive(Clone, Debug)]
pub(crate) struct ProcessAst {
    pub name: Ident,
    pub instances: Option<(i64, Sp)>,
    pub restart: bool,
    /// Process memory (only when the process has `thread` blocks).
    pub vars: Vec<VarAst>,
    pub threads: Vec<ThreadAst>,
    pub sp: Sp,
}

/// Which property a `protect`, `invariant` or `at end` declaration states.
#[derive(Clone, Debug)]
pub(crate) enum PropKind {
    Protect(Ident),
    Invariant(Ident),
    AtEnd,
}

/// A property declaration.
#[derive(Clone, Debug)]
pub(crate) struct PropAst {
    pub kind: PropKind,
    pub cond: ExprAst,
}

/// A whole model file.
#[derive(Clone, Debug, Default)]
pub(crate) struct ModelAst {
    pub name: Option<Ident>,
    pub semantics: Option<Ident>,
    pub crashes: Option<(i64, Sp)>,
    pub mutexes: Vec<MutexAst>,
    pub shared: Vec<VarAst>,
    pub processes: Vec<ProcessAst>,
    pub props: Vec<PropAst>,
}

/// `NAME` or `NAME[INDEX]` on the left of `=`.
#[derive(Clone, Debug)]
pub(crate) struct PlaceAst {
    pub name: Ident,
    pub index: Option<ExprAst>,
    pub sp: Sp,
}

/// Where a wait or release stores its result.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    /// `let r = ...`: a thread-local result variable, declared by its first `let`.
    Let(Ident),
    /// `place = ...`: an existing variable of type `result`.
    Place(PlaceAst),
}

/// A mutex operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MutexOp {
    Wait(WaitMode),
    Release,
}

/// A statement and the range of its text (for `if`/`while`, the head up to the condition's end).
#[derive(Clone, Debug)]
pub(crate) struct Stmt {
    pub kind: StmtKind,
    pub sp: Sp,
}

/// One `if` or `else if` arm: its head range, condition and block.
#[derive(Clone, Debug)]
pub(crate) struct Arm {
    pub head: Sp,
    pub cond: ExprAst,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub(crate) enum StmtKind {
    Assign { place: PlaceAst, value: ExprAst },
    Mutex { target: Option<Target>, op: MutexOp, mutex: Ident },
    If { arms: Vec<Arm>, els: Option<(Sp, Vec<Stmt>)> },
    While { cond: ExprAst, body: Vec<Stmt> },
    Assert(ExprAst),
    Skip,
    Exit,
    Atomic(Vec<Stmt>),
    /// `either { } or { } ...`: each alternative with the range of its keyword.
    Either(Vec<(Sp, Vec<Stmt>)>),
}

/// An expression and its range.
#[derive(Clone, Debug)]
pub(crate) struct ExprAst {
    pub kind: ExprKind,
    pub sp: Sp,
}

#[derive(Clone, Debug)]
pub(crate) enum ExprKind {
    Int(i64),
    Bool(bool),
    Result(Value),
    Name(String),
    Index(Ident, Box<ExprAst>),
    SelfId,
    /// `held(m)`, `count(m)`, `owns(m)`, `abandoned(m)`.
    Call(Ident, Ident),
    Unary(UnOp, Box<ExprAst>),
    Binary(BinOp, Box<ExprAst>, Box<ExprAst>),
    /// A piece that failed to parse (already reported).
    Error,
}
