//! Talking to clusters: kubeconfig contexts, bare-metal endpoints, exec credential plugins
//! (EKS, GKE, AKS), ClusterProfile discovery on a hub, the cluster registry, a pooled client per
//! cluster, the fan-out executor with per-cluster timeouts and partial results, discovery of
//! kinds (CRDs included), server-side Table printing and snapshots.
//!
//! It knows nothing of agents or language understanding.

pub mod access;
pub mod classify;
pub mod discovery;
pub mod discovery_cache;
pub mod exec_plugin;
pub mod fanout;
pub mod health;
pub mod kubeconfig;
pub mod ops;
pub mod pool;
pub mod provider;
pub mod registry;
pub mod snapshot;
pub mod source;
