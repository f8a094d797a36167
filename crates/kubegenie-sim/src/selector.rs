//! Label and field selectors as kube-apiserver parses and matches them.
//!
//! Both are ports of k8s.io/apimachinery (`labels`, `fields`) plus the per-kind field label
//! tables of kube-apiserver 1.33, so errors and matching agree with a real cluster.

mod field;
mod label;

pub use field::FieldSelector;
pub use label::{LabelSelector, Operator, Requirement};
