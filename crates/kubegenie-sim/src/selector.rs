//! Label and field selectors as kube-apiserver parses and matches them.
//!
//! Both are ports of k8s.io/apimachinery (`labels`, `fields`) plus the per-kind field label
//! tables of kube-apiserver 1.33, so errors and matching agree with a real cluster.

// `ApiError` is the crate-wide error type fixed by the shared interface (src/error.rs); its
// size is not this module's to change, so the lint is silenced here rather than by boxing.
#![allow(clippy::result_large_err)]

mod field;
mod label;
mod parser;

pub use field::FieldSelector;
pub use label::{LabelSelector, Operator, Requirement};
