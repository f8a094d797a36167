//! Integration tests of the simulator through real HTTP and the kube-rs client.

mod common;
mod crd;
mod crud;
mod errors;
mod lifecycle;
mod observe;
mod protobuf;
mod scenario;
mod watch;
