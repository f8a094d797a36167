//! API tokens of the server, stored by digest. The store neither generates nor checks tokens:
//! `kubegenie-server` owns how digests are made and compared.

use crate::{Store, StoreError};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// One API token as stored (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// Stable id (shown by `token list`, used by `token revoke`).
    pub id: String,
    /// Unique human name.
    pub name: String,
    /// Hex SHA-256 digest of the token.
    pub digest: String,
    /// Role name (`viewer`, `operator`, `admin`).
    pub role: String,
    /// Cluster globs the role is bound to.
    pub clusters: Vec<String>,
    /// Namespaces the role is bound to (`*` for all).
    pub namespaces: Vec<String>,
    /// Scopes narrowing the role (empty: the role's full set).
    pub scopes: Vec<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

const COLUMNS: &str =
    "id, name, digest, role, clusters, namespaces, scopes, created_at, expires_at, revoked_at";

impl Store {
    /// Stores a new token; its name and digest must be unique.
    pub async fn insert_token(&self, t: &TokenRecord) -> Result<(), StoreError> {
        let list = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let res = sqlx::query(
            "INSERT INTO api_tokens (id, name, digest, role, clusters, namespaces, scopes, created_at, \
             expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&t.id)
        .bind(&t.name)
        .bind(&t.digest)
        .bind(&t.role)
        .bind(list(&t.clusters))
        .bind(list(&t.namespaces))
        .bind(list(&t.scopes))
        .bind(t.created_at.to_string())
        .bind(t.expires_at.map(|e| e.to_string()))
        .bind(t.revoked_at.map(|e| e.to_string()))
        .execute(&self.pool)
        .await;
        match res {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::Duplicate(t.name.clone()))
            }
            Err(e) => Err(e.into()),
            Ok(_) => Ok(()),
        }
    }

    /// Every token, oldest first.
    pub async fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens ORDER BY created_at, name");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// The token with this digest, revoked or not.
    pub async fn token_by_digest(&self, digest: &str) -> Result<Option<TokenRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE digest = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    /// Marks the token with this id or name revoked (idempotent); `NotFound` when none has it.
    pub async fn revoke_token(&self, id_or_name: &str, at: Timestamp) -> Result<TokenRecord, StoreError> {
        sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 OR name = $2")
            .bind(at.to_string())
            .bind(id_or_name)
            .execute(&self.pool)
            .await?;
        let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1 OR name = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id_or_name)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => token_from_row(&r),
            None => Err(StoreError::NotFound(id_or_name.to_string())),
        }
    }

    /// Replaces the digest of the token named `name` (creating it from `t` when absent): how a
    /// fixed admin token from the environment takes over the admin entry.
    pub async fn replace_token(&self, t: &TokenRecord) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM api_tokens WHERE name = $1 OR digest = $2")
            .bind(&t.name)
            .bind(&t.digest)
            .execute(&self.pool)
            .await?;
        self.insert_token(t).await
    }
}

fn token_from_row(row: &SqliteRow) -> Result<TokenRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let corrupt = |what: &'static str, message: String| StoreError::Corrupt {
        what,
        key: id.clone(),
        message,
    };
    let list = |what: &'static str| -> Result<Vec<String>, StoreError> {
        let text: String = row.try_get(what)?;
        serde_json::from_str(&text).map_err(|e| corrupt(what, e.to_string()))
    };
    let time = |what: &'static str| -> Result<Option<Timestamp>, StoreError> {
        let text: Option<String> = row.try_get(what)?;
        text.map(|t| t.parse::<Timestamp>().map_err(|e| corrupt(what, e.to_string())))
            .transpose()
    };
    Ok(TokenRecord {
        name: row.try_get("name")?,
        digest: row.try_get("digest")?,
        role: row.try_get("role")?,
        clusters: list("clusters")?,
        namespaces: list("namespaces")?,
        scopes: list("scopes")?,
        created_at: time("created_at")?.ok_or_else(|| corrupt("created_at", "missing".into()))?,
        expires_at: time("expires_at")?,
        revoked_at: time("revoked_at")?,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, digest: &str) -> TokenRecord {
        TokenRecord {
            id: format!("id-{name}"),
            name: name.into(),
            digest: digest.into(),
            role: "viewer".into(),
            clusters: vec!["prod-*".into()],
            namespaces: vec!["*".into()],
            scopes: vec![],
            created_at: Timestamp::now(),
            expires_at: None,
            revoked_at: None,
        }
    }

    #[tokio::test]
    async fn tokens_round_trip_and_revoke() {
        let store = Store::open_memory().await.unwrap();
        store.insert_token(&record("ci", "aa")).await.unwrap();
        assert!(matches!(
            store.insert_token(&record("ci", "bb")).await,
            Err(StoreError::Duplicate(_))
        ));
        let found = store.token_by_digest("aa").await.unwrap().unwrap();
        assert_eq!(found.clusters, vec!["prod-*".to_string()]);
        assert!(store.token_by_digest("zz").await.unwrap().is_none());
        let revoked = store.revoke_token("ci", Timestamp::now()).await.unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(matches!(
            store.revoke_token("nope", Timestamp::now()).await,
            Err(StoreError::NotFound(_))
        ));
        store.replace_token(&record("ci", "cc")).await.unwrap();
        let all = store.list_tokens().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].digest, "cc");
        assert!(all[0].revoked_at.is_none());
    }
}
