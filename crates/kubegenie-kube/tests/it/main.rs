//! kubegenie-kube against simulated clusters over real HTTPS.

mod classify;
mod common;
mod discovery;
mod discovery_cache;
mod get;
mod ops;
mod pool;
mod registry;
mod snapshot;
mod source;
