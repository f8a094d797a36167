//! JWT bearer tokens from an OIDC provider or a script: HS256 with a shared secret, or RS256
//! with keys from a JWKS document; issuer and audience are checked, `exp` is required.
//!
//! Claims: `sub`, and `kubegenie_role` (or `role`), optional `kubegenie_clusters` and
//! `kubegenie_namespaces` (lists; default `*`).

use crate::rbac::{Principal, Role};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

/// How JWTs are verified.
#[derive(Clone)]
pub struct JwtConfig {
    /// Shared HS256 secret.
    pub hs256_secret: Option<Vec<u8>>,
    /// RS256 keys (from a JWKS document).
    pub jwks: Option<JwkSet>,
    /// Required `iss`.
    pub issuer: Option<String>,
    /// Required `aud`.
    pub audience: Option<String>,
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("JwtConfig")
            .field("hs256", &self.hs256_secret.is_some())
            .field("jwks_keys", &self.jwks.as_ref().map(|j| j.keys.len()))
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(alias = "role")]
    kubegenie_role: Option<String>,
    #[serde(default)]
    kubegenie_clusters: Option<Vec<String>>,
    #[serde(default)]
    kubegenie_namespaces: Option<Vec<String>>,
}

impl JwtConfig {
    /// Verifies `token` and maps its claims to a principal; the error says why it was refused.
    pub fn verify(&self, token: &str) -> Result<Principal, String> {
        let header = decode_header(token).map_err(|e| format!("malformed JWT: {e}"))?;
        let key = match header.alg {
            Algorithm::HS256 => {
                let secret = self
                    .hs256_secret
                    .as_ref()
                    .ok_or("HS256 JWTs are not accepted by this server")?;
                DecodingKey::from_secret(secret)
            }
            Algorithm::RS256 => {
                let jwks = self
                    .jwks
                    .as_ref()
                    .ok_or("RS256 JWTs are not accepted (no JWKS configured)")?;
                let jwk = match &header.kid {
                    Some(kid) => jwks
                        .find(kid)
                        .ok_or_else(|| format!("no JWKS key with kid {kid:?}"))?,
                    None => jwks.keys.first().ok_or("the JWKS has no keys")?,
                };
                DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable JWKS key: {e}"))?
            }
            other => {
                return Err(format!(
                    "JWT algorithm {other:?} is not accepted (use HS256 or RS256)"
                ));
            }
        };
        let mut validation = Validation::new(header.alg);
        validation.set_required_spec_claims(&["exp", "sub"]);
        match &self.issuer {
            Some(i) => validation.set_issuer(&[i]),
            None => validation.iss = None,
        }
        match &self.audience {
            Some(a) => validation.set_audience(&[a]),
            None => validation.validate_aud = false,
        }
        let data = decode::<Claims>(token, &key, &validation).map_err(|e| format!("JWT rejected: {e}"))?;
        let c = data.claims;
        let role: Role = c
            .kubegenie_role
            .as_deref()
            .ok_or("JWT has no kubegenie_role claim")?
            .parse()?;
        Ok(Principal {
            subject: c.sub,
            method: "jwt".into(),
            role,
            clusters: c.kubegenie_clusters.unwrap_or_else(|| vec!["*".into()]),
            namespaces: c.kubegenie_namespaces.unwrap_or_else(|| vec!["*".into()]),
            scopes: Vec::new(),
        })
    }
}
