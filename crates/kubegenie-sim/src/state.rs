//! The shared state of one simulated cluster: store, catalog, identities and settings.

use crate::auth::{Authenticator, RbacSource};
use crate::catalog::{Catalog, ResourceType, StorageKey};
use crate::clock::{SimClock, SimRng};
use crate::config::SimConfig;
use crate::store::Store;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use tokio::sync::Notify;

/// Everything a request handler or controller of one cluster needs.
pub struct ClusterState {
    /// Settings the cluster was started with.
    pub config: SimConfig,
    /// Objects.
    pub store: Store,
    /// Served resources (changes with CRDs).
    pub catalog: RwLock<Catalog>,
    /// Token → user.
    pub authn: RwLock<Authenticator>,
    /// Wakes the in-process controllers (garbage collector, namespace and CRD lifecycle).
    pub kick: Notify,
    /// Next service cluster IP offset (10.96.0.0/16).
    pub next_ip: AtomicU32,
    /// Next node port offset (30000-32767).
    pub next_node_port: AtomicU32,
    /// PEM of the cluster CA (published in every namespace's `kube-root-ca.crt`).
    pub ca_pem: OnceLock<String>,
    /// The cluster's clock.
    pub clock: SimClock,
    /// The cluster's random stream (uids, generated names).
    rng: Mutex<SimRng>,
    /// Event aggregation key → Event name (see `control::events`).
    pub event_index: Mutex<HashMap<String, String>>,
}

impl ClusterState {
    /// Fresh state for a cluster.
    pub fn new(config: SimConfig) -> Arc<Self> {
        let store = Store::new(config.watch_history);
        Arc::new(Self {
            authn: RwLock::new(Authenticator::new(config.anonymous)),
            store,
            catalog: RwLock::new(Catalog::builtin()),
            kick: Notify::new(),
            // 10.96.0.1 is the `kubernetes` service; allocation starts after it.
            next_ip: AtomicU32::new(1),
            next_node_port: AtomicU32::new(0),
            ca_pem: OnceLock::new(),
            clock: SimClock::accelerated(config.clock_speed),
            rng: Mutex::new(SimRng::derived(config.seed, &config.name)),
            event_index: Mutex::new(HashMap::new()),
            config,
        })
    }

    /// The current time on the cluster clock, formatted as Kubernetes writes timestamps.
    pub fn now_string(&self) -> String {
        crate::object::format_time(self.clock.now())
    }

    /// A new object uid from the cluster's random stream.
    pub fn new_uid(&self) -> String {
        self.rng.lock().unwrap_or_else(|e| e.into_inner()).uuid()
    }

    /// 64 bits from the cluster's random stream.
    pub fn random_u64(&self) -> u64 {
        self.rng.lock().unwrap_or_else(|e| e.into_inner()).next_u64()
    }

    /// A suffix for `generateName`.
    pub fn name_suffix(&self) -> String {
        self.rng.lock().unwrap_or_else(|e| e.into_inner()).suffix(5)
    }

    /// A snapshot of the catalog.
    pub fn catalog(&self) -> Catalog {
        self.catalog.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The served type at group/version/plural.
    pub fn resource(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(group, version, plural)
    }

    /// A served type by apiVersion and kind.
    pub fn resource_by_kind(&self, api_version: &str, kind: &str) -> Option<Arc<ResourceType>> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_kind(api_version, kind)
    }

    /// The preferred served type of a storage key.
    pub fn resource_by_storage(&self, key: &StorageKey) -> Option<Arc<ResourceType>> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_storage(key)
    }

    /// Mutable access to the catalog.
    pub fn catalog_mut(&self) -> std::sync::RwLockWriteGuard<'_, Catalog> {
        self.catalog.write().unwrap_or_else(|e| e.into_inner())
    }

    fn values(&self, group: &str, resource: &str, ns: Option<&str>) -> Vec<Arc<Value>> {
        // RBAC objects are few; cloning them into Arcs keeps the trait free of store types.
        self.store
            .list(&StorageKey::new(group, resource), ns)
            .0
            .into_iter()
            .map(|s| Arc::new(s.value.clone()))
            .collect()
    }
}

impl RbacSource for ClusterState {
    fn cluster_roles(&self) -> Vec<Arc<Value>> {
        self.values("rbac.authorization.k8s.io", "clusterroles", None)
    }
    fn cluster_role_bindings(&self) -> Vec<Arc<Value>> {
        self.values("rbac.authorization.k8s.io", "clusterrolebindings", None)
    }
    fn roles(&self, namespace: &str) -> Vec<Arc<Value>> {
        self.values("rbac.authorization.k8s.io", "roles", Some(namespace))
    }
    fn role_bindings(&self, namespace: &str) -> Vec<Arc<Value>> {
        self.values("rbac.authorization.k8s.io", "rolebindings", Some(namespace))
    }
}
