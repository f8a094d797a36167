//! kubegenie-kube against simulated clusters over real HTTPS.

mod classify;
mod common;
mod discovery;
mod get;
mod pool;
mod registry;
mod source;
