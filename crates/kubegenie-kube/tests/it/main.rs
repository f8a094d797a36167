//! kubegenie-kube against simulated clusters over real HTTPS.

mod classify;
mod common;
mod discovery;
mod discovery_cache;
mod get;
mod pool;
mod registry;
mod source;
