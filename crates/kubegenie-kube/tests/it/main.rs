//! kubegenie-kube against simulated clusters over real HTTPS.

mod classify;
mod common;
mod discovery;
mod get;
mod ops;
mod registry;
mod snapshot;
mod source;
