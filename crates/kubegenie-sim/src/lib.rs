//! Simulated Kubernetes clusters that speak the real Kubernetes HTTP API.
//!
//! No real cluster exists on development machines or in CI, so every KubeGenie capability is
//! tested, demonstrated and benchmarked against these. A [`SimCluster`] is an HTTP(S) server on
//! 127.0.0.1 that behaves as kube-apiserver does for the operations KubeGenie and its users
//! perform: discovery, CRUD, the four patch types, watch, subresources, CRDs, Table output,
//! `Status` errors and RBAC. The installed `kubectl`, the kube-rs client and the Python
//! `kubernetes` client are the judges of its fidelity.
//!
//! Production code paths never depend on this crate.

// `ApiError` carries a whole Status (message, details, causes); errors are rare and never on a
// hot path, so boxing every Result for its size would only add noise.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod behaviour;
pub mod builtin;
pub mod catalog;
pub mod convert;
pub mod discovery;
pub mod error;
// Entry points for the cargo-fuzz targets in `fuzz/`; not part of the crate's API.
#[doc(hidden)]
pub mod fuzzing;
pub mod kubeconfig;
pub mod observe;
pub mod openapi;
pub mod patch;
pub mod protobuf;
pub mod scenario;
pub mod selector;
pub mod table;
pub mod tls;
pub mod validation;

mod clock;
mod config;
pub mod control;
mod crd;
mod defaults;
mod handlers;
mod object;
mod request;
mod seed;
mod server;
mod state;
mod store;

pub use clock::{SimClock, SimRng};
pub use config::{SimConfig, SimUser, random_token};
pub use server::{SimCluster, SimError};
