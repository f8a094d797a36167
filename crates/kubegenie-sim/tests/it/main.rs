//! Integration tests of the simulator through real HTTP and the kube-rs client.

mod common;
mod crd;
mod crud;
mod errors;
mod kubelet;
mod lifecycle;
mod observe;
mod protobuf;
mod scenario;
mod watch;
mod workloads;
mod workloads_sets;
