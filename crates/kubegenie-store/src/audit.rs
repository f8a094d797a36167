//! The audit log: one entry per executed write (or dry run), appended and never edited.
//! The store does not interpret `objects` or `outcome`; the caller decides their shape and
//! must keep secrets out of them.

use crate::{Store, StoreError};
use jiff::Timestamp;
use serde_json::Value;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// One audited write.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Assigned by the store (0 before it is recorded).
    pub id: i64,
    /// When it was executed.
    pub at: Timestamp,
    /// Who: the OS user for the CLI, the authenticated subject for the server.
    pub actor: String,
    /// The operation (`apply`, `rollout undo`, ...).
    pub operation: String,
    /// Clusters it targeted.
    pub clusters: Vec<String>,
    /// References of the objects it touched (never their contents).
    pub objects: Value,
    /// `none`, `client` or `server`.
    pub dry_run: String,
    /// The result per cluster.
    pub outcome: Value,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries at or after this time.
    pub since: Option<Timestamp>,
    /// At most this many (the newest), `None` for all.
    pub limit: Option<i64>,
}

impl Store {
    /// Appends an entry and returns its id.
    pub async fn record_audit(&self, e: &AuditEntry) -> Result<i64, StoreError> {
        let clusters = serde_json::to_string(&e.clusters).unwrap_or_else(|_| "[]".into());
        let row = sqlx::query(
            "INSERT INTO audit (at_ms, at, actor, operation, clusters, objects, dry_run, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(e.at.as_millisecond())
        .bind(e.at.to_string())
        .bind(&e.actor)
        .bind(&e.operation)
        .bind(clusters)
        .bind(e.objects.to_string())
        .bind(&e.dry_run)
        .bind(e.outcome.to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Entries matching `filter`, oldest first.
    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT id, at, actor, operation, clusters, objects, dry_run, outcome \
             FROM audit WHERE at_ms >= $1 ORDER BY id DESC LIMIT $2) AS recent ORDER BY id",
        )
        .bind(filter.since.map_or(i64::MIN, |t| t.as_millisecond()))
        .bind(filter.limit.unwrap_or(-1))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from_row).collect()
    }
}

fn entry_from_row(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    let id: i64 = row.try_get("id")?;
    let corrupt = |what: &'static str, message: String| StoreError::Corrupt {
        what,
        key: id.to_string(),
        message,
    };
    let json = |col: &'static str| -> Result<Value, StoreError> {
        let text: String = row.try_get(col)?;
        serde_json::from_str(&text).map_err(|e| corrupt(col, e.to_string()))
    };
    let at: String = row.try_get("at")?;
    Ok(AuditEntry {
        id,
        at: at
            .parse()
            .map_err(|e: jiff::Error| corrupt("at", e.to_string()))?,
        actor: row.try_get("actor")?,
        operation: row.try_get("operation")?,
        clusters: serde_json::from_value(json("clusters")?)
            .map_err(|e| corrupt("clusters", e.to_string()))?,
        objects: json("objects")?,
        dry_run: row.try_get("dry_run")?,
        outcome: json("outcome")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(at: &str, op: &str) -> AuditEntry {
        AuditEntry {
            id: 0,
            at: at.parse().unwrap(),
            actor: "alice".into(),
            operation: op.into(),
            clusters: vec!["a".into(), "b".into()],
            objects: json!([{"cluster": "a", "object": "deployment.apps/web"}]),
            dry_run: "none".into(),
            outcome: json!({"a": "succeeded", "b": "failed"}),
        }
    }

    #[tokio::test]
    async fn entries_survive_reopening_and_filter_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kg.db");
        let store = Store::open(&path).await.unwrap();
        let first = store
            .record_audit(&entry("2026-01-01T10:00:00Z", "scale"))
            .await
            .unwrap();
        let second = store
            .record_audit(&entry("2026-01-01T10:00:05.5Z", "apply"))
            .await
            .unwrap();
        assert!(second > first);
        store.close().await;
        let store = Store::open(&path).await.unwrap();
        let all = store.list_audit(&AuditFilter::default()).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].operation, "scale");
        assert_eq!(
            all[1],
            AuditEntry {
                id: second,
                ..entry("2026-01-01T10:00:05.5Z", "apply")
            }
        );
        let since = AuditFilter {
            since: Some("2026-01-01T10:00:01Z".parse().unwrap()),
            limit: None,
        };
        let recent = store.list_audit(&since).await.unwrap();
        assert_eq!(recent.iter().map(|e| e.id).collect::<Vec<_>>(), [second]);
        let last = store
            .list_audit(&AuditFilter {
                since: None,
                limit: Some(1),
            })
            .await
            .unwrap();
        assert_eq!(last[0].id, second);
    }
}
