//! The object store of one simulated cluster: objects by storage key, namespace and name, one
//! monotonically increasing resourceVersion per cluster, and a bounded event history that
//! watches resume from (older resourceVersions get 410 Gone, as after etcd compaction).
//!
//! Objects are kept with their serialized JSON next to the value, so a LIST of thousands of
//! objects is a concatenation of ready bytes rather than a re-serialization.

use crate::catalog::StorageKey;
use crate::object;
use bytes::Bytes;
use serde_json::Value;
use std::any::Any;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Range;
use std::sync::{Arc, OnceLock, RwLock};
use tokio::sync::broadcast;

/// One stored object version.
#[derive(Debug)]
pub struct Stored {
    /// The object, with `metadata.resourceVersion` set.
    pub value: Value,
    /// `value` serialized as JSON.
    pub json: Bytes,
    /// The resourceVersion of this version.
    pub rv: u64,
    /// Where `metadata` is within `json` (empty when the object has none).
    meta: Range<usize>,
    /// Data derived from this version by [`Stored::derived`].
    derived: OnceLock<Arc<dyn Any + Send + Sync>>,
}

impl Stored {
    fn new(mut value: Value, rv: u64) -> Arc<Self> {
        object::set_meta(&mut value, "resourceVersion", Some(Value::String(rv.to_string())));
        let (json, meta) = encode(&value);
        Arc::new(Self {
            value,
            json: Bytes::from(json),
            rv,
            meta,
            derived: OnceLock::new(),
        })
    }

    /// `metadata` serialized as JSON, a slice of [`Stored::json`]: Table rows and
    /// `PartialObjectMetadata` carry only the metadata, and re-serializing it (managedFields
    /// included) for every object of a large list cost more than the rest of the list.
    pub fn metadata_json(&self) -> Option<Bytes> {
        (!self.meta.is_empty()).then(|| self.json.slice(self.meta.clone()))
    }

    /// `f(value)`, computed on first use and kept with this version (a version never changes),
    /// e.g. its printed Table row. One derived type per object: asking for another type
    /// computes it without keeping it.
    pub fn derived<T: Any + Send + Sync>(&self, f: impl FnOnce(&Value) -> T) -> Arc<T> {
        if let Some(kept) = self.derived.get() {
            return kept
                .clone()
                .downcast::<T>()
                .unwrap_or_else(|_| Arc::new(f(&self.value)));
        }
        let t = Arc::new(f(&self.value));
        // Two requests may compute it at once; both results are the same.
        let _ = self.derived.set(t.clone());
        t
    }
}

/// `value` as compact JSON (the same bytes as `serde_json::to_vec`), and where its top-level
/// `metadata` value is within them.
fn encode(value: &Value) -> (Vec<u8>, Range<usize>) {
    let Some(map) = value.as_object() else {
        return (serde_json::to_vec(value).unwrap_or_default(), 0..0);
    };
    let mut out = Vec::with_capacity(1024);
    let mut meta = 0..0;
    out.push(b'{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing JSON into a Vec cannot fail (map keys are strings).
        let _ = serde_json::to_writer(&mut out, k);
        out.push(b':');
        let start = out.len();
        let _ = serde_json::to_writer(&mut out, v);
        if k == "metadata" {
            meta = start..out.len();
        }
    }
    out.push(b'}');
    (out, meta)
}

/// Watch event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Object created.
    Added,
    /// Object changed.
    Modified,
    /// Object removed.
    Deleted,
}

impl EventType {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// A change to the store.
#[derive(Debug)]
pub struct Event {
    /// What happened.
    pub kind: EventType,
    /// Storage key of the object.
    pub key: StorageKey,
    /// The object after the change (for Deleted: the last state, with the deletion's rv).
    pub obj: Arc<Stored>,
    /// The object before the change, if any (lets watches with selectors emit transitions).
    pub prev: Option<Arc<Stored>>,
}

/// What a mutation closure decides.
pub enum Mutation {
    /// Store this value (create or update).
    Put(Value),
    /// Remove the object.
    Delete,
    /// Leave the object unchanged (no new resourceVersion, no event).
    Keep,
}

type Objects = BTreeMap<(String, String), Arc<Stored>>;

struct State {
    rv: u64,
    tables: HashMap<StorageKey, Objects>,
    history: VecDeque<Arc<Event>>,
    /// Events at or below this resourceVersion were compacted away.
    compacted: u64,
}

/// The object store of one cluster.
pub struct Store {
    state: RwLock<State>,
    tx: broadcast::Sender<Arc<Event>>,
    history_cap: usize,
}

/// The result of subscribing to changes from a resourceVersion.
pub struct Subscription {
    /// Events after the requested resourceVersion still in history, oldest first.
    pub backlog: Vec<Arc<Event>>,
    /// Live events after the backlog.
    pub rx: broadcast::Receiver<Arc<Event>>,
    /// The store's resourceVersion when subscribing.
    pub rv: u64,
}

impl Store {
    /// An empty store keeping `history_cap` events for watch resumption.
    pub fn new(history_cap: usize) -> Self {
        let (tx, _) = broadcast::channel(16 * 1024);
        let state = State {
            rv: 1,
            tables: HashMap::new(),
            history: VecDeque::new(),
            compacted: 1,
        };
        Self {
            state: RwLock::new(state),
            tx,
            history_cap: history_cap.max(16),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The current resourceVersion of the cluster.
    pub fn current_rv(&self) -> u64 {
        self.read().rv
    }

    /// The oldest resourceVersion a watch can resume from.
    pub fn compacted_rv(&self) -> u64 {
        self.read().compacted
    }

    /// One object.
    pub fn get(&self, key: &StorageKey, ns: &str, name: &str) -> Option<Arc<Stored>> {
        self.read()
            .tables
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// Objects of a key, in one namespace or all (`None`), sorted by namespace and name, with
    /// the resourceVersion the list is consistent with.
    pub fn list(&self, key: &StorageKey, ns: Option<&str>) -> (Vec<Arc<Stored>>, u64) {
        let st = self.read();
        let items = match st.tables.get(key) {
            None => Vec::new(),
            Some(objs) => match ns {
                None => objs.values().cloned().collect(),
                Some(ns) => objs
                    .range((ns.to_string(), String::new())..)
                    .take_while(|((n, _), _)| n == ns)
                    .map(|(_, v)| v.clone())
                    .collect(),
            },
        };
        (items, st.rv)
    }

    /// Number of objects of a key in a namespace (or all).
    pub fn count(&self, key: &StorageKey, ns: Option<&str>) -> usize {
        self.list(key, ns).0.len()
    }

    /// Storage keys that hold at least one object.
    pub fn keys(&self) -> Vec<StorageKey> {
        self.read()
            .tables
            .iter()
            .filter(|(_, o)| !o.is_empty())
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Atomically reads, decides and writes one object. `f` sees the current object (if any)
    /// and returns what to do; it runs under the store's write lock, so no other write can
    /// interleave (this is what makes resourceVersion preconditions sound).
    pub fn mutate<E>(
        &self,
        key: &StorageKey,
        ns: &str,
        name: &str,
        f: impl FnOnce(Option<&Arc<Stored>>) -> Result<Mutation, E>,
    ) -> Result<Option<Arc<Stored>>, E> {
        let mut st = self.write();
        let id = (ns.to_string(), name.to_string());
        let current = st.tables.get(key).and_then(|t| t.get(&id)).cloned();
        let (kind, obj) = match f(current.as_ref())? {
            Mutation::Keep => return Ok(current),
            Mutation::Put(value) => {
                st.rv += 1;
                let stored = Stored::new(value, st.rv);
                st.tables
                    .entry(key.clone())
                    .or_default()
                    .insert(id, stored.clone());
                let kind = if current.is_some() {
                    EventType::Modified
                } else {
                    EventType::Added
                };
                (kind, stored)
            }
            Mutation::Delete => {
                let Some(cur) = current.clone() else {
                    return Ok(None);
                };
                st.rv += 1;
                if let Some(t) = st.tables.get_mut(key) {
                    t.remove(&id);
                }
                (EventType::Deleted, Stored::new(cur.value.clone(), st.rv))
            }
        };
        let event = Arc::new(Event {
            kind,
            key: key.clone(),
            obj: obj.clone(),
            prev: current,
        });
        st.history.push_back(event.clone());
        while st.history.len() > self.history_cap {
            if let Some(old) = st.history.pop_front() {
                st.compacted = old.obj.rv;
            }
        }
        // Sent under the lock so subscribers see events in resourceVersion order.
        let _ = self.tx.send(event);
        Ok(Some(obj))
    }

    /// Subscribes to changes after `from_rv`. `None` when `from_rv` is older than the history
    /// (the caller answers 410 Gone).
    pub fn subscribe(&self, from_rv: u64) -> Option<Subscription> {
        let st = self.read();
        if from_rv < st.compacted {
            return None;
        }
        let backlog = st
            .history
            .iter()
            .filter(|e| e.obj.rv > from_rv)
            .cloned()
            .collect();
        Some(Subscription {
            backlog,
            rx: self.tx.subscribe(),
            rv: st.rv,
        })
    }

    /// Subscribes to live changes and returns a consistent snapshot of a key at the same
    /// resourceVersion (for watches that start with the current state).
    pub fn snapshot_and_subscribe(
        &self,
        key: &StorageKey,
        ns: Option<&str>,
    ) -> (Vec<Arc<Stored>>, broadcast::Receiver<Arc<Event>>, u64) {
        let st = self.read();
        let rx = self.tx.subscribe();
        let items = st
            .tables
            .get(key)
            .map(|objs| {
                objs.iter()
                    .filter(|((n, _), _)| ns.is_none_or(|ns| ns == n))
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default();
        (items, rx, st.rv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn put(store: &Store, key: &StorageKey, ns: &str, name: &str) -> Arc<Stored> {
        store
            .mutate::<()>(key, ns, name, |_| {
                Ok(Mutation::Put(
                    json!({"metadata": {"name": name, "namespace": ns}}),
                ))
            })
            .unwrap()
            .unwrap()
    }

    #[test]
    fn resource_versions_increase_and_lists_are_sorted() {
        let store = Store::new(100);
        let key = StorageKey::new("", "pods");
        let a = put(&store, &key, "b", "x");
        let b = put(&store, &key, "a", "y");
        assert!(b.rv > a.rv);
        assert_eq!(object::resource_version(&b.value), b.rv.to_string());
        let (items, rv) = store.list(&key, None);
        assert_eq!(rv, b.rv);
        let names: Vec<_> = items.iter().map(|o| object::namespace(&o.value)).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(store.list(&key, Some("b")).0.len(), 1);
    }

    #[test]
    fn stored_json_is_compact_json_with_a_metadata_slice() {
        let store = Store::new(100);
        let key = StorageKey::new("", "configmaps");
        let v = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "ns", "labels": {"a": "\"q\""}}, "data": {"k": "v\n"}});
        let s = store
            .mutate::<()>(&key, "ns", "c", |_| Ok(Mutation::Put(v)))
            .unwrap()
            .unwrap();
        assert_eq!(s.json, serde_json::to_vec(&s.value).unwrap());
        let meta: Value = serde_json::from_slice(&s.metadata_json().unwrap()).unwrap();
        assert_eq!(meta, s.value["metadata"]);
    }

    #[test]
    fn keep_does_not_bump_resource_version() {
        let store = Store::new(100);
        let key = StorageKey::new("", "configmaps");
        let a = put(&store, &key, "ns", "c");
        let same = store
            .mutate::<()>(&key, "ns", "c", |_| Ok(Mutation::Keep))
            .unwrap()
            .unwrap();
        assert_eq!(same.rv, a.rv);
        assert_eq!(store.current_rv(), a.rv);
    }

    #[test]
    fn history_is_compacted_and_old_watches_are_refused() {
        let store = Store::new(16);
        let key = StorageKey::new("", "configmaps");
        let first = put(&store, &key, "ns", "c0");
        for i in 1..40 {
            put(&store, &key, "ns", &format!("c{i}"));
        }
        assert!(
            store.subscribe(first.rv).is_none(),
            "too old resourceVersion must be refused"
        );
        let sub = store.subscribe(store.current_rv() - 3).unwrap();
        assert_eq!(sub.backlog.len(), 3);
    }

    #[test]
    fn delete_emits_event_with_new_resource_version() {
        let store = Store::new(100);
        let key = StorageKey::new("", "pods");
        let a = put(&store, &key, "ns", "p");
        let sub = store.subscribe(a.rv).unwrap();
        let deleted = store
            .mutate::<()>(&key, "ns", "p", |_| Ok(Mutation::Delete))
            .unwrap()
            .unwrap();
        assert!(deleted.rv > a.rv);
        assert!(store.get(&key, "ns", "p").is_none());
        let mut rx = sub.rx;
        let ev = rx.try_recv().unwrap();
        assert_eq!(ev.kind, EventType::Deleted);
    }
}
