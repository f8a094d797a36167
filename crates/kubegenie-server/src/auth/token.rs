//! API tokens: 256 random bits, shown once, stored as a SHA-256 digest (a fast hash is enough
//! for high-entropy secrets; there is nothing to brute-force), compared in constant time.

use crate::rbac::{Role, Verb};
use base64::Engine;
use jiff::Timestamp;
use kubegenie_store::{Store, StoreError, TokenRecord};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Prefix of every API token, so secret scanners and humans recognise one.
pub const TOKEN_PREFIX: &str = "kg_";

/// Name of the admin token created at first start.
pub const ADMIN_TOKEN_NAME: &str = "admin";

/// Why a token could not be created or revoked.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The system random source failed.
    #[error("cannot read random bytes: {0}")]
    Random(String),
    /// The input is wrong.
    #[error("{0}")]
    Invalid(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new token: 32 random bytes, base64url, prefixed.
pub fn generate() -> Result<String, TokenError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
    Ok(format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Hex SHA-256 of a token.
pub fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Constant-time equality of two digests.
pub fn digests_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// What a new token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpec {
    /// Unique name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Cluster globs (`*` for all).
    pub clusters: Vec<String>,
    /// Namespaces (`*` for all).
    pub namespaces: Vec<String>,
    /// Scopes narrowing the role.
    pub scopes: Vec<Verb>,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
}

impl TokenSpec {
    /// An unrestricted admin token.
    pub fn admin() -> Self {
        Self {
            name: ADMIN_TOKEN_NAME.into(),
            role: Role::Admin,
            clusters: vec!["*".into()],
            namespaces: vec!["*".into()],
            scopes: Vec::new(),
            expires_at: None,
        }
    }

    fn record(&self, token: &str) -> Result<TokenRecord, TokenError> {
        let name = self.name.trim();
        if name.is_empty() || name.len() > 63 || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(TokenError::Invalid(format!(
                "invalid token name {:?}: use 1-63 characters without spaces",
                self.name
            )));
        }
        let nonempty = |v: &Vec<String>, what: &str| {
            if v.is_empty() || v.iter().any(|s| s.trim().is_empty()) {
                Err(TokenError::Invalid(format!(
                    "{what} must not be empty (use * for all)"
                )))
            } else {
                Ok(v.clone())
            }
        };
        let now = Timestamp::now();
        if self.expires_at.is_some_and(|e| e <= now) {
            return Err(TokenError::Invalid("the expiry is in the past".into()));
        }
        Ok(TokenRecord {
            id: digest(token)[..12].to_string(),
            name: name.to_string(),
            digest: digest(token),
            role: self.role.as_str().into(),
            clusters: nonempty(&self.clusters, "clusters")?,
            namespaces: nonempty(&self.namespaces, "namespaces")?,
            scopes: self.scopes.iter().map(|s| s.as_str().to_string()).collect(),
            created_at: now,
            expires_at: self.expires_at,
            revoked_at: None,
        })
    }
}

/// Creates a token; returns the token (to show once) and its record.
pub async fn create(store: &Store, spec: &TokenSpec) -> Result<(String, TokenRecord), TokenError> {
    let token = generate()?;
    let record = spec.record(&token)?;
    store.insert_token(&record).await.map_err(|e| match e {
        StoreError::Duplicate(n) => TokenError::Invalid(format!("a token named {n:?} already exists")),
        e => TokenError::Store(e),
    })?;
    Ok((token, record))
}

/// Issues a token under `spec.name`, replacing any token of that name (how `kubegenie demo`
/// hands out a fresh session token on each start).
pub async fn issue_replacing(store: &Store, spec: &TokenSpec) -> Result<String, TokenError> {
    let token = generate()?;
    store.replace_token(&spec.record(&token)?).await?;
    Ok(token)
}

/// Makes sure an admin token exists. With `fixed` (from `KUBEGENIE_ADMIN_TOKEN`) that value
/// becomes the admin token; otherwise, when no admin token exists yet, one is generated and
/// returned so the caller prints it once.
pub async fn bootstrap_admin(store: &Store, fixed: Option<&str>) -> Result<Option<String>, TokenError> {
    if let Some(token) = fixed {
        if token.len() < 16 {
            return Err(TokenError::Invalid(
                "KUBEGENIE_ADMIN_TOKEN must be at least 16 characters".into(),
            ));
        }
        store.replace_token(&TokenSpec::admin().record(token)?).await?;
        return Ok(None);
    }
    let exists = store
        .list_tokens()
        .await?
        .iter()
        .any(|t| t.name == ADMIN_TOKEN_NAME && t.revoked_at.is_none());
    if exists {
        return Ok(None);
    }
    let token = generate()?;
    store.replace_token(&TokenSpec::admin().record(&token)?).await?;
    Ok(Some(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_stable() {
        let (a, b) = (generate().unwrap(), generate().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == 3 + 43);
        assert_eq!(digest("x"), digest("x"));
        assert_eq!(digest("x").len(), 64);
        assert!(digests_equal(&digest("x"), &digest("x")));
        assert!(!digests_equal(&digest("x"), &digest("y")));
    }

    #[tokio::test]
    async fn bootstrap_creates_once_and_env_replaces() {
        let store = Store::open_memory().await.unwrap();
        let first = bootstrap_admin(&store, None).await.unwrap();
        assert!(first.is_some());
        assert_eq!(bootstrap_admin(&store, None).await.unwrap(), None);
        bootstrap_admin(&store, Some("fixed-admin-token-123"))
            .await
            .unwrap();
        let all = store.list_tokens().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].digest, digest("fixed-admin-token-123"));
        assert!(bootstrap_admin(&store, Some("short")).await.is_err());
    }

    #[tokio::test]
    async fn bad_specs_are_refused() {
        let store = Store::open_memory().await.unwrap();
        let mut spec = TokenSpec::admin();
        spec.name = "has space".into();
        assert!(create(&store, &spec).await.is_err());
        spec.name = "ci".into();
        spec.clusters = vec![];
        assert!(
            create(&store, &spec)
                .await
                .unwrap_err()
                .to_string()
                .contains("clusters")
        );
        spec.clusters = vec!["*".into()];
        create(&store, &spec).await.unwrap();
        assert!(
            create(&store, &spec)
                .await
                .unwrap_err()
                .to_string()
                .contains("already exists")
        );
    }
}
