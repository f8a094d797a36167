//! Persistence: SQLite by default (PostgreSQL by URL later, same schema), with embedded
//! migrations. Today it holds the cluster registry, user settings, the audit log of writes, task
//! history and API tokens (kept as digests only); metrics history follows.
//!
//! It holds no business rules: the registry's rules (names, labels, what "current" means) live
//! in `kubegenie-kube`. SQL is plain runtime queries in the subset SQLite and PostgreSQL share,
//! so no database is needed at compile time.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use kubegenie_store::{ClusterRecord, Store};
//! let store = Store::open_memory().await.unwrap();
//! store.insert_clusters(&[ClusterRecord::new("dev", serde_json::json!({"provider": "kubeconfig"}))])
//!     .await
//!     .unwrap();
//! assert_eq!(store.list_clusters().await.unwrap()[0].name, "dev");
//! # });
//! ```

mod audit;
mod migrations;
mod sqlite;
mod tasks;
mod tokens;

pub use audit::{AuditEntry, AuditFilter};
pub use sqlite::Store;
pub use tasks::TaskRow;
pub use tokens::TokenRecord;

use jiff::Timestamp;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or created.
    #[error("cannot open the database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: sqlx::Error,
    },
    /// Migrating the schema failed.
    #[error("cannot migrate the database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    /// A row already exists with that key.
    #[error("{0:?} already exists")]
    Duplicate(String),
    /// No row has that key.
    #[error("{0:?} not found")]
    NotFound(String),
    /// A stored value could not be decoded (the database was edited by hand, or is newer).
    #[error("stored {what} of {key:?} is corrupt: {message}")]
    Corrupt {
        /// Which column.
        what: &'static str,
        /// The row key.
        key: String,
        /// Why.
        message: String,
    },
}

/// One registered cluster as stored. The store does not interpret `source` or `last_health`;
/// the registry in `kubegenie-kube` owns their shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRecord {
    /// Unique name.
    pub name: String,
    /// Where the cluster's endpoint and credentials come from (references only, no secrets).
    pub source: Value,
    /// Cluster labels.
    pub labels: BTreeMap<String, String>,
    /// When it was registered.
    pub added_at: Timestamp,
    /// When it last answered a health check.
    pub seen_at: Option<Timestamp>,
    /// The last health check's result.
    pub last_health: Option<Value>,
}

impl ClusterRecord {
    /// A record added now, without labels or health.
    pub fn new(name: &str, source: Value) -> Self {
        Self {
            name: name.to_string(),
            source,
            labels: BTreeMap::new(),
            added_at: Timestamp::now(),
            seen_at: None,
            last_health: None,
        }
    }
}

/// What to do when an inserted cluster's name is already registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Fail, and insert nothing of the batch.
    Fail,
    /// Replace source and labels, keeping the added and seen times and the last health.
    Replace,
}
