//! The cluster registry: named clusters with their source (references to credentials, never
//! the credentials), labels, times and last health, and the current cluster. Rules live here;
//! rows live in a [`ClusterStore`] (SQLite through `kubegenie-store` today), so this crate
//! holds no SQL.

use crate::health::HealthReport;
use crate::provider::Discovered;
use crate::source::ClusterSource;
use jiff::Timestamp;
use kubegenie_core::selection::{Candidate, ClusterSelection, SelectionError};
use kubegenie_store::{ClusterRecord, OnConflict, Store, StoreError};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;

/// The setting that holds the current cluster.
const CURRENT: &str = "current_cluster";

/// Storage the registry needs. Implemented by [`kubegenie_store::Store`]; a PostgreSQL store
/// or a test double only has to provide these.
pub trait ClusterStore: Send + Sync {
    /// Every cluster, by name.
    fn list(&self) -> impl Future<Output = Result<Vec<ClusterRecord>, StoreError>> + Send;
    /// One cluster.
    fn get(&self, name: &str) -> impl Future<Output = Result<Option<ClusterRecord>, StoreError>> + Send;
    /// Inserts all records or none.
    fn insert(
        &self,
        records: &[ClusterRecord],
        on_conflict: OnConflict,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes all names or none.
    fn delete(&self, names: &[String]) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Replaces labels.
    fn set_labels(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records a health check.
    fn record_health(
        &self,
        name: &str,
        health: &Value,
        seen_at: Option<Timestamp>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A setting.
    fn setting(&self, key: &str) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Sets or clears a setting.
    fn set_setting(
        &self,
        key: &str,
        value: Option<&str>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl ClusterStore for Store {
    async fn list(&self) -> Result<Vec<ClusterRecord>, StoreError> {
        self.list_clusters().await
    }
    async fn get(&self, name: &str) -> Result<Option<ClusterRecord>, StoreError> {
        self.get_cluster(name).await
    }
    async fn insert(&self, records: &[ClusterRecord], on_conflict: OnConflict) -> Result<(), StoreError> {
        self.insert_clusters_with(records, on_conflict).await
    }
    async fn delete(&self, names: &[String]) -> Result<(), StoreError> {
        self.delete_clusters(names).await
    }
    async fn set_labels(&self, name: &str, labels: &BTreeMap<String, String>) -> Result<(), StoreError> {
        Store::set_labels(self, name, labels).await
    }
    async fn record_health(
        &self,
        name: &str,
        health: &Value,
        seen_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        Store::record_health(self, name, health, seen_at).await
    }
    async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Store::setting(self, key).await
    }
    async fn set_setting(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        Store::set_setting(self, key, value).await
    }
}

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The name is taken.
    #[error("cluster {0:?} is already registered (remove it first, or pick another name)")]
    AlreadyRegistered(String),
    /// The name is not registered.
    #[error("no cluster named {name:?}; registered clusters: {known}")]
    NotRegistered {
        /// The name.
        name: String,
        /// Registered names, or "none".
        known: String,
    },
    /// The name cannot be used.
    #[error("invalid cluster name {name:?}: {reason}")]
    InvalidName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A label is malformed.
    #[error("invalid label {input:?}: {reason}")]
    InvalidLabel {
        /// What was given.
        input: String,
        /// Why.
        reason: String,
    },
    /// A selection did not resolve.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// A stored source could not be read.
    #[error("registry entry {name:?} is unreadable: {message}")]
    Corrupt {
        /// The cluster.
        name: String,
        /// Why.
        message: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(StoreError),
}

/// A registered cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegisteredCluster {
    /// Unique name.
    pub name: String,
    /// How to reach it.
    pub source: ClusterSource,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// When it was registered.
    pub added_at: Timestamp,
    /// When it last answered a health check.
    pub seen_at: Option<Timestamp>,
    /// The last health check.
    pub last_health: Option<HealthReport>,
}

/// One change of `cluster label`: `key=value` sets, `key-` removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelChange {
    /// Set a label.
    Set(String, String),
    /// Remove a label.
    Remove(String),
}

/// Parses `key=value` and `key-` arguments.
pub fn parse_label_changes(args: &[String]) -> Result<Vec<LabelChange>, RegistryError> {
    args.iter()
        .map(|a| {
            if let Some((k, v)) = a.split_once('=') {
                validate_label(k, v).map_err(|reason| RegistryError::InvalidLabel {
                    input: a.clone(),
                    reason,
                })?;
                Ok(LabelChange::Set(k.to_string(), v.to_string()))
            } else if let Some(k) = a.strip_suffix('-') {
                validate_label(k, "").map_err(|reason| RegistryError::InvalidLabel {
                    input: a.clone(),
                    reason,
                })?;
                Ok(LabelChange::Remove(k.to_string()))
            } else {
                Err(RegistryError::InvalidLabel {
                    input: a.clone(),
                    reason: "expected key=value to set or key- to remove".into(),
                })
            }
        })
        .collect()
}

/// Parses `key=value` labels (for `--label`).
pub fn parse_labels(args: &[String]) -> Result<BTreeMap<String, String>, RegistryError> {
    let mut out = BTreeMap::new();
    for c in parse_label_changes(args)? {
        match c {
            LabelChange::Set(k, v) => {
                out.insert(k, v);
            }
            LabelChange::Remove(k) => {
                return Err(RegistryError::InvalidLabel {
                    input: format!("{k}-"),
                    reason: "expected key=value".into(),
                });
            }
        }
    }
    Ok(out)
}

/// Checks a label as Kubernetes does: `[prefix/]name` with a DNS-subdomain prefix, a name and
/// value of at most 63 characters of `[A-Za-z0-9._-]` that start and end alphanumeric.
pub fn validate_label(key: &str, value: &str) -> Result<(), String> {
    fn segment(s: &str, what: &str, allow_empty: bool) -> Result<(), String> {
        if s.is_empty() {
            return if allow_empty {
                Ok(())
            } else {
                Err(format!("empty {what}"))
            };
        }
        let ok = s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric());
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{what} {s:?} must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
            ))
        }
    }
    let name = match key.split_once('/') {
        Some((prefix, name)) => {
            let ok = !prefix.is_empty()
                && prefix.len() <= 253
                && prefix
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
            if !ok {
                return Err(format!("key prefix {prefix:?} must be a DNS subdomain"));
            }
            name
        }
        None => key,
    };
    segment(name, "key", false)?;
    segment(value, "value", true)
}

/// Checks a cluster name: it is typed in `--clusters a,b,prod-*`, so no commas, glob
/// characters or spaces.
pub fn validate_name(name: &str) -> Result<(), RegistryError> {
    let bad = |reason| RegistryError::InvalidName {
        name: name.to_string(),
        reason,
    };
    if name.is_empty() {
        return Err(bad("empty"));
    }
    if name.len() > 253 {
        return Err(bad("longer than 253 characters"));
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '*' | '?' | '[' | ']'))
    {
        return Err(bad(
            "must not contain spaces, commas or glob characters (* ? [ ])",
        ));
    }
    Ok(())
}

/// The cluster registry over a store.
#[derive(Debug, Clone)]
pub struct Registry<S> {
    store: S,
}

impl<S: ClusterStore> Registry<S> {
    /// A registry over `store`.
    pub fn new(store: S) -> Self {
        Self { store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Every cluster, by name.
    pub async fn list(&self) -> Result<Vec<RegisteredCluster>, RegistryError> {
        let rows = self.store.list().await.map_err(RegistryError::Store)?;
        rows.into_iter().map(from_record).collect()
    }

    /// One cluster.
    pub async fn get(&self, name: &str) -> Result<RegisteredCluster, RegistryError> {
        match self.store.get(name).await.map_err(RegistryError::Store)? {
            Some(r) => from_record(r),
            None => Err(self.not_registered(name).await),
        }
    }

    /// Registers clusters: all of them, or — on any invalid or taken name — none.
    pub async fn add(&self, clusters: &[Discovered]) -> Result<(), RegistryError> {
        self.insert(clusters, OnConflict::Fail).await
    }

    /// Registers clusters, updating source and labels of names already registered (for
    /// repeated discovery); all or none.
    pub async fn upsert(&self, clusters: &[Discovered]) -> Result<(), RegistryError> {
        self.insert(clusters, OnConflict::Replace).await
    }

    async fn insert(&self, clusters: &[Discovered], on_conflict: OnConflict) -> Result<(), RegistryError> {
        let mut records = Vec::with_capacity(clusters.len());
        for (i, c) in clusters.iter().enumerate() {
            validate_name(&c.name)?;
            if clusters[..i].iter().any(|o| o.name == c.name) {
                return Err(RegistryError::AlreadyRegistered(c.name.clone()));
            }
            for (k, v) in &c.labels {
                validate_label(k, v).map_err(|reason| RegistryError::InvalidLabel {
                    input: format!("{k}={v}"),
                    reason,
                })?;
            }
            let source = serde_json::to_value(&c.source).map_err(|e| RegistryError::Corrupt {
                name: c.name.clone(),
                message: e.to_string(),
            })?;
            let mut r = ClusterRecord::new(&c.name, source);
            r.labels = c.labels.clone();
            records.push(r);
        }
        self.store
            .insert(&records, on_conflict)
            .await
            .map_err(|e| match e {
                StoreError::Duplicate(n) => RegistryError::AlreadyRegistered(n),
                other => RegistryError::Store(other),
            })
    }

    /// Removes clusters, all or none; clears the current cluster if it was one of them.
    pub async fn remove(&self, names: &[String]) -> Result<(), RegistryError> {
        match self.store.delete(names).await {
            Ok(()) => {}
            Err(StoreError::NotFound(n)) => return Err(self.not_registered(&n).await),
            Err(e) => return Err(RegistryError::Store(e)),
        }
        if let Some(cur) = self.current().await?
            && names.contains(&cur)
        {
            self.store
                .set_setting(CURRENT, None)
                .await
                .map_err(RegistryError::Store)?;
        }
        Ok(())
    }

    /// Applies label changes and returns the new labels.
    pub async fn label(
        &self,
        name: &str,
        changes: &[LabelChange],
    ) -> Result<BTreeMap<String, String>, RegistryError> {
        let mut labels = self.get(name).await?.labels;
        for c in changes {
            match c {
                LabelChange::Set(k, v) => {
                    labels.insert(k.clone(), v.clone());
                }
                LabelChange::Remove(k) => {
                    labels.remove(k);
                }
            }
        }
        self.store
            .set_labels(name, &labels)
            .await
            .map_err(RegistryError::Store)?;
        Ok(labels)
    }

    /// Makes `name` the current cluster (the default target of commands).
    pub async fn use_cluster(&self, name: &str) -> Result<(), RegistryError> {
        self.get(name).await?;
        self.store
            .set_setting(CURRENT, Some(name))
            .await
            .map_err(RegistryError::Store)
    }

    /// The current cluster.
    pub async fn current(&self) -> Result<Option<String>, RegistryError> {
        self.store.setting(CURRENT).await.map_err(RegistryError::Store)
    }

    /// The clusters a selection targets, in registry order.
    pub async fn select(
        &self,
        selection: &ClusterSelection,
    ) -> Result<Vec<RegisteredCluster>, RegistryError> {
        let all = self.list().await?;
        let current = self.current().await?;
        let candidates: Vec<Candidate<'_>> = all
            .iter()
            .map(|c| Candidate {
                name: &c.name,
                labels: &c.labels,
            })
            .collect();
        let names = selection.resolve(&candidates, current.as_deref())?;
        Ok(names
            .iter()
            .filter_map(|n| all.iter().find(|c| &c.name == n).cloned())
            .collect())
    }

    /// Stores a health check; `seen_at` moves only when the cluster answered.
    pub async fn record_health(&self, report: &HealthReport) -> Result<(), RegistryError> {
        let value = serde_json::to_value(report).map_err(|e| RegistryError::Corrupt {
            name: report.cluster.clone(),
            message: e.to_string(),
        })?;
        let seen = report.reachable.then_some(report.checked_at);
        match self.store.record_health(&report.cluster, &value, seen).await {
            // Removed while the check ran: nothing to record.
            Ok(()) | Err(StoreError::NotFound(_)) => Ok(()),
            Err(e) => Err(RegistryError::Store(e)),
        }
    }

    async fn not_registered(&self, name: &str) -> RegistryError {
        let known = match self.store.list().await {
            Ok(rows) => crate::provider::names_or_none(rows.iter().map(|r| r.name.as_str())),
            Err(_) => "unknown".into(),
        };
        RegistryError::NotRegistered {
            name: name.to_string(),
            known,
        }
    }
}

fn from_record(r: ClusterRecord) -> Result<RegisteredCluster, RegistryError> {
    let corrupt = |message: String| RegistryError::Corrupt {
        name: r.name.clone(),
        message,
    };
    let source: ClusterSource =
        serde_json::from_value(r.source.clone()).map_err(|e| corrupt(e.to_string()))?;
    // An unreadable old health record is dropped rather than making the cluster unusable.
    let last_health = r.last_health.clone().and_then(|h| serde_json::from_value(h).ok());
    Ok(RegisteredCluster {
        name: r.name,
        source,
        labels: r.labels,
        added_at: r.added_at,
        seen_at: r.seen_at,
        last_health,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn kc(name: &str, labels: &[(&str, &str)]) -> Discovered {
        Discovered {
            name: name.into(),
            source: ClusterSource::Kubeconfig {
                path: PathBuf::from("/k"),
                context: name.into(),
            },
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[tokio::test]
    async fn add_is_all_or_nothing_and_names_are_unique() {
        let r = Registry::new(Store::open_memory().await.unwrap());
        r.add(&[kc("a", &[("env", "prod")])]).await.unwrap();
        let e = r.add(&[kc("b", &[]), kc("a", &[])]).await.unwrap_err();
        assert!(
            matches!(e, RegistryError::AlreadyRegistered(ref n) if n == "a"),
            "{e}"
        );
        let e = r.add(&[kc("c", &[]), kc("bad,name", &[])]).await.unwrap_err();
        assert!(matches!(e, RegistryError::InvalidName { .. }), "{e}");
        let e = r.add(&[kc("d", &[]), kc("d", &[])]).await.unwrap_err();
        assert!(matches!(e, RegistryError::AlreadyRegistered(_)));
        assert_eq!(r.list().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn labels_use_remove_and_select() {
        let r = Registry::new(Store::open_memory().await.unwrap());
        r.add(&[kc("prod-us", &[("env", "prod")]), kc("dev", &[])])
            .await
            .unwrap();
        let changes = parse_label_changes(&["region=us".into(), "env-".into()]).unwrap();
        let l = r.label("prod-us", &changes).await.unwrap();
        assert_eq!(l, BTreeMap::from([("region".to_string(), "us".to_string())]));
        assert!(parse_label_changes(&["nope".into()]).is_err());
        assert!(parse_label_changes(&["-bad=x".into()]).is_err());

        let e = r.use_cluster("zz").await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "no cluster named \"zz\"; registered clusters: dev, prod-us"
        );
        r.use_cluster("dev").await.unwrap();
        let sel = r.select(&ClusterSelection::default()).await.unwrap();
        assert_eq!(sel[0].name, "dev");
        let sel = ClusterSelection {
            label_selector: kubegenie_core::selection::parse_label_selector("region=us").unwrap(),
            ..Default::default()
        };
        assert_eq!(r.select(&sel).await.unwrap()[0].name, "prod-us");

        let e = r.remove(&["dev".into(), "zz".into()]).await.unwrap_err();
        assert!(matches!(e, RegistryError::NotRegistered { .. }));
        assert_eq!(r.list().await.unwrap().len(), 2);
        r.remove(&["dev".into()]).await.unwrap();
        assert_eq!(r.current().await.unwrap(), None);
    }

    #[test]
    fn label_syntax() {
        assert!(validate_label("x-k8s.io/cluster-manager", "ocm").is_ok());
        assert!(validate_label("topology.kubernetes.io/region", "us-east-1").is_ok());
        assert!(validate_label("env", "").is_ok());
        assert!(validate_label("env", "has space").is_err());
        assert!(validate_label("/x", "a").is_err());
        assert!(validate_label(&"k".repeat(64), "a").is_err());
    }
}
