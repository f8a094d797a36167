//! The SQLite store.

use crate::migrations::Embedded;
use crate::{ClusterRecord, OnConflict, StoreError};
use jiff::Timestamp;
use serde_json::Value;
use sqlx::Row;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// The KubeGenie database.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: SqlitePool,
}

const CLUSTER_COLUMNS: &str = "name, source, labels, added_at, seen_at, last_health";

impl Store {
    /// Opens (creating if needed) the database file at `path`, creating its directory, and
    /// migrates the schema.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(sqlx::Error::Io(e)))?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // WAL lets a `cluster list` read while a `cluster health` writes.
            .journal_mode(SqliteJournalMode::Wal)
            // Two CLI processes may write at once; wait for the lock instead of failing.
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(open_err)?;
        Self::migrated(pool).await
    }

    /// A private in-memory database (for tests and one-shot runs).
    pub async fn open_memory() -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::new().in_memory(true);
        // Every connection to `:memory:` is its own database: keep exactly one, forever.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(opts)
            .await
            .map_err(|source| StoreError::Open {
                path: ":memory:".into(),
                source,
            })?;
        Self::migrated(pool).await
    }

    async fn migrated(pool: SqlitePool) -> Result<Self, StoreError> {
        Migrator::new(Embedded).await?.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Every registered cluster, by name.
    pub async fn list_clusters(&self) -> Result<Vec<ClusterRecord>, StoreError> {
        let sql = format!("SELECT {CLUSTER_COLUMNS} FROM clusters ORDER BY name");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(cluster_from_row).collect()
    }

    /// One cluster.
    pub async fn get_cluster(&self, name: &str) -> Result<Option<ClusterRecord>, StoreError> {
        let sql = format!("SELECT {CLUSTER_COLUMNS} FROM clusters WHERE name = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(cluster_from_row).transpose()
    }

    /// Inserts clusters in one transaction: all of them or, on any error, none.
    pub async fn insert_clusters(&self, records: &[ClusterRecord]) -> Result<(), StoreError> {
        self.insert_clusters_with(records, OnConflict::Fail).await
    }

    /// Inserts clusters in one transaction, replacing existing names when `on_conflict` says so.
    pub async fn insert_clusters_with(
        &self,
        records: &[ClusterRecord],
        on_conflict: OnConflict,
    ) -> Result<(), StoreError> {
        let sql = match on_conflict {
            OnConflict::Fail => {
                "INSERT INTO clusters (name, source, labels, added_at, seen_at, last_health) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            }
            OnConflict::Replace => {
                "INSERT INTO clusters (name, source, labels, added_at, seen_at, last_health) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (name) DO UPDATE SET source = excluded.source, labels = excluded.labels"
            }
        };
        let mut tx = self.pool.begin().await?;
        for r in records {
            let res = sqlx::query(sql)
                .bind(&r.name)
                .bind(json_text(&r.source))
                .bind(labels_text(&r.labels))
                .bind(r.added_at.to_string())
                .bind(r.seen_at.map(|t| t.to_string()))
                .bind(r.last_health.as_ref().map(json_text))
                .execute(&mut *tx)
                .await;
            match res {
                Ok(_) => {}
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    // Dropping `tx` rolls the whole batch back.
                    return Err(StoreError::Duplicate(r.name.clone()));
                }
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Deletes clusters in one transaction; fails (deleting nothing) if one is not registered.
    /// Settings are opaque here, so the caller clears any that named a deleted cluster.
    pub async fn delete_clusters(&self, names: &[String]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for name in names {
            let done = sqlx::query("DELETE FROM clusters WHERE name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(name.clone()));
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a cluster's labels.
    pub async fn set_labels(&self, name: &str, labels: &BTreeMap<String, String>) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE clusters SET labels = $1 WHERE name = $2")
            .bind(labels_text(labels))
            .bind(name)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(name.to_string()));
        }
        Ok(())
    }

    /// Records a health check; `seen_at` is set only when the cluster answered, so the last
    /// time it was reachable survives later failures.
    pub async fn record_health(
        &self,
        name: &str,
        health: &Value,
        seen_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE clusters SET last_health = $1, seen_at = COALESCE($2, seen_at) WHERE name = $3",
        )
        .bind(json_text(health))
        .bind(seen_at.map(|t| t.to_string()))
        .bind(name)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(name.to_string()));
        }
        Ok(())
    }

    /// A setting's value.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("value")).transpose()?)
    }

    /// Sets a setting, or removes it with `None`.
    pub async fn set_setting(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(v) => {
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key)
                .bind(v)
                .execute(&self.pool)
                .await?
            }
            None => {
                sqlx::query("DELETE FROM settings WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?
            }
        };
        Ok(())
    }
}

fn json_text(v: &Value) -> String {
    v.to_string()
}

fn labels_text(labels: &BTreeMap<String, String>) -> String {
    serde_json::to_string(labels).unwrap_or_else(|_| "{}".into())
}

fn cluster_from_row(row: &SqliteRow) -> Result<ClusterRecord, StoreError> {
    let name: String = row.try_get("name")?;
    let corrupt = |what: &'static str, message: String| StoreError::Corrupt {
        what,
        key: name.clone(),
        message,
    };
    let json = |what: &'static str, text: &str| {
        serde_json::from_str::<Value>(text).map_err(|e| corrupt(what, e.to_string()))
    };
    let time = |what: &'static str, text: &str| {
        text.parse::<Timestamp>()
            .map_err(|e| corrupt(what, e.to_string()))
    };
    let source = json("source", &row.try_get::<String, _>("source")?)?;
    let labels: BTreeMap<String, String> = serde_json::from_str(&row.try_get::<String, _>("labels")?)
        .map_err(|e| corrupt("labels", e.to_string()))?;
    let added_at = time("added_at", &row.try_get::<String, _>("added_at")?)?;
    let seen_at = row
        .try_get::<Option<String>, _>("seen_at")?
        .map(|t| time("seen_at", &t))
        .transpose()?;
    let last_health = row
        .try_get::<Option<String>, _>("last_health")?
        .map(|t| json("last_health", &t))
        .transpose()?;
    Ok(ClusterRecord {
        name,
        source,
        labels,
        added_at,
        seen_at,
        last_health,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(name: &str) -> ClusterRecord {
        let mut r = ClusterRecord::new(name, json!({"provider": "kubeconfig", "context": name}));
        r.labels.insert("env".into(), "dev".into());
        r
    }

    #[tokio::test]
    async fn clusters_round_trip_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/kubegenie.db");
        let store = Store::open(&path).await.unwrap();
        store.insert_clusters(&[rec("b"), rec("a")]).await.unwrap();
        store.close().await;

        // Reopening runs the migrations again, which must be a no-op.
        let store = Store::open(&path).await.unwrap();
        let all = store.list_clusters().await.unwrap();
        assert_eq!(
            all.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(all[0], {
            let mut a = rec("a");
            a.added_at = all[0].added_at;
            a
        });
        assert!(store.get_cluster("zz").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_batch_with_a_duplicate_inserts_nothing() {
        let store = Store::open_memory().await.unwrap();
        store.insert_clusters(&[rec("a")]).await.unwrap();
        let err = store.insert_clusters(&[rec("new"), rec("a")]).await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(ref n) if n == "a"), "{err}");
        assert_eq!(store.list_clusters().await.unwrap().len(), 1);

        let err = store.insert_clusters(&[rec("x"), rec("x")]).await.unwrap_err();
        assert!(matches!(err, StoreError::Duplicate(_)));
        assert_eq!(store.list_clusters().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn replace_keeps_times_and_health() {
        let store = Store::open_memory().await.unwrap();
        store.insert_clusters(&[rec("a")]).await.unwrap();
        let seen = Timestamp::now();
        store
            .record_health("a", &json!({"reachable": true}), Some(seen))
            .await
            .unwrap();
        let mut changed = rec("a");
        changed.source = json!({"provider": "bare_metal"});
        changed.labels.clear();
        store
            .insert_clusters_with(&[changed, rec("b")], OnConflict::Replace)
            .await
            .unwrap();
        let a = store.get_cluster("a").await.unwrap().unwrap();
        assert_eq!(a.source, json!({"provider": "bare_metal"}));
        assert!(a.labels.is_empty());
        assert_eq!(a.seen_at, Some(seen));
        assert_eq!(a.last_health, Some(json!({"reachable": true})));
        assert_eq!(store.list_clusters().await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn deletes_are_all_or_nothing() {
        let store = Store::open_memory().await.unwrap();
        store.insert_clusters(&[rec("a"), rec("b")]).await.unwrap();
        let err = store
            .delete_clusters(&["a".into(), "nope".into()])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(ref n) if n == "nope"));
        assert_eq!(store.list_clusters().await.unwrap().len(), 2);
        store.delete_clusters(&["a".into(), "b".into()]).await.unwrap();
        assert!(store.list_clusters().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn labels_health_and_settings() {
        let store = Store::open_memory().await.unwrap();
        store.insert_clusters(&[rec("a")]).await.unwrap();
        let labels: BTreeMap<String, String> = [("team".to_string(), "sre".to_string())].into();
        store.set_labels("a", &labels).await.unwrap();
        assert!(matches!(
            store.set_labels("zz", &labels).await.unwrap_err(),
            StoreError::NotFound(_)
        ));
        let t = Timestamp::now();
        store
            .record_health("a", &json!({"ok": true}), Some(t))
            .await
            .unwrap();
        // A failed check keeps the last time the cluster was seen.
        store
            .record_health("a", &json!({"ok": false}), None)
            .await
            .unwrap();
        let a = store.get_cluster("a").await.unwrap().unwrap();
        assert_eq!(a.labels, labels);
        assert_eq!(a.seen_at, Some(t));
        assert_eq!(a.last_health, Some(json!({"ok": false})));

        assert_eq!(store.setting("current").await.unwrap(), None);
        store.set_setting("current", Some("a")).await.unwrap();
        store.set_setting("current", Some("b")).await.unwrap();
        assert_eq!(store.setting("current").await.unwrap().as_deref(), Some("b"));
        store.set_setting("current", None).await.unwrap();
        assert_eq!(store.setting("current").await.unwrap(), None);
    }
}
