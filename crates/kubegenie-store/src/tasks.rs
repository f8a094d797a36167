//! Task history: one row per orchestrator task, written as the task moves through its states.

use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// One task as stored. States and operations are opaque strings here; the orchestrator in
/// `kubegenie-agents` owns their meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRow {
    /// Task id.
    pub id: String,
    /// Agent that handles it.
    pub agent: String,
    /// What it does.
    pub operation: String,
    /// Current state.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// RFC 3339 submission time.
    pub submitted_at: String,
    /// RFC 3339 time the first attempt started.
    pub started_at: Option<String>,
    /// RFC 3339 time it reached a final state.
    pub finished_at: Option<String>,
    /// Last error.
    pub error: Option<String>,
    /// One line about the result.
    pub summary: Option<String>,
}

const COLUMNS: &str =
    "id, agent, operation, state, attempts, submitted_at, started_at, finished_at, error, summary";

fn from_row(r: &SqliteRow) -> Result<TaskRow, StoreError> {
    let attempts: i64 = r.try_get("attempts")?;
    Ok(TaskRow {
        id: r.try_get("id")?,
        agent: r.try_get("agent")?,
        operation: r.try_get("operation")?,
        state: r.try_get("state")?,
        attempts: u32::try_from(attempts).unwrap_or(0),
        submitted_at: r.try_get("submitted_at")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        error: r.try_get("error")?,
        summary: r.try_get("summary")?,
    })
}

impl Store {
    /// Inserts a task, or replaces the stored row of the same id.
    pub async fn upsert_task(&self, t: &TaskRow) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO tasks ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, \
             started_at = excluded.started_at, finished_at = excluded.finished_at, \
             error = excluded.error, summary = excluded.summary"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&t.id)
            .bind(&t.agent)
            .bind(&t.operation)
            .bind(&t.state)
            .bind(i64::from(t.attempts))
            .bind(&t.submitted_at)
            .bind(&t.started_at)
            .bind(&t.finished_at)
            .bind(&t.error)
            .bind(&t.summary)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The `limit` most recently submitted tasks, newest first.
    pub async fn recent_tasks(&self, limit: u32) -> Result<Vec<TaskRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM tasks ORDER BY submitted_at DESC, id DESC LIMIT $1");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// One task.
    pub async fn get_task(&self, id: &str) -> Result<Option<TaskRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM tasks WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, at: &str, state: &str) -> TaskRow {
        TaskRow {
            id: id.into(),
            agent: "health".into(),
            operation: "health.scan".into(),
            state: state.into(),
            attempts: 0,
            submitted_at: at.into(),
            started_at: None,
            finished_at: None,
            error: None,
            summary: None,
        }
    }

    #[tokio::test]
    async fn tasks_are_upserted_and_listed_newest_first() {
        let store = Store::open_memory().await.unwrap();
        store
            .upsert_task(&row("t1", "2026-01-01T10:00:00Z", "queued"))
            .await
            .unwrap();
        store
            .upsert_task(&row("t2", "2026-01-01T11:00:00Z", "queued"))
            .await
            .unwrap();
        let mut done = row("t1", "2026-01-01T10:00:00Z", "failed");
        done.attempts = 3;
        done.error = Some("boom".into());
        store.upsert_task(&done).await.unwrap();
        let all = store.recent_tasks(10).await.unwrap();
        assert_eq!(
            all.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["t2", "t1"]
        );
        assert_eq!(store.get_task("t1").await.unwrap().unwrap(), done);
        assert_eq!(store.recent_tasks(1).await.unwrap().len(), 1);
        assert!(store.get_task("nope").await.unwrap().is_none());
    }
}
