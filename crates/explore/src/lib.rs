//! `mutexcheck explore`: play a model by hand in the browser (issue #22).
//!
//! The user starts at the initial state (or at the end of a saved trace) and sees every
//! enabled move — each thread's next step with each outcome it may have, each crash, each
//! restart — described with the core's `describe` functions, picks one, can undo or go back
//! to any step and branch off, and can save the run as a trace `replay` accepts.
//!
//! - [`session`]: the run being played, a path of successor indices in the canonical order
//!   of `System::successors` (deterministic: the same clicks give the same run), with every
//!   property checked as the search checks it;
//! - [`server`]: a tiny_http server on 127.0.0.1 only, one page and a small JSON API;
//! - [`page`]: the page, the trace viewer's own elements, style and script (one way to draw
//!   a state) with the move list around them, everything inlined (it works offline).

pub mod page;
pub mod server;
pub mod session;

pub use server::Server;
pub use session::Session;
