//! Behaviour of the parser as a user sees it (one test binary for the crate).

mod behaviour;
mod dialogue;
mod eval;
