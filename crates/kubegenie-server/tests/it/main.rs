//! The server through real HTTP, with simulated clusters behind it.

mod api;
mod auth;
mod common;
mod rbac;
