//! Authentication: API tokens, JWTs, and that nothing under /api/v1 answers without them.

use crate::common::{ADMIN, env, env_with};
use http::{Method, StatusCode, header};
use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::{EncodingKey, Header, encode};
use kubegenie_server::auth::jwt::JwtConfig;
use kubegenie_server::auth::token::{self, TokenSpec};
use kubegenie_server::rbac::Role;
use serde_json::json;

#[tokio::test]
async fn every_api_route_refuses_anonymous_and_bad_tokens() {
    let env = env().await;
    let doc = env.get("/openapi.json", None).await.json();
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if op.get("security").is_none() {
                continue;
            }
            let url = path.replace("{name}", "alpha").replace("{kind}", "pods");
            let m: Method = method.to_uppercase().parse().unwrap();
            let body = (m == Method::POST).then_some("{}");
            let anonymous = env.call(m.clone(), &url, None, body).await;
            let p = anonymous.problem(401, "unauthorized");
            assert!(p["detail"].as_str().unwrap().contains("Bearer"), "{p}");
            assert!(anonymous.headers.contains_key(header::WWW_AUTHENTICATE));
            env.call(m.clone(), &url, Some("kg_forged"), body)
                .await
                .problem(401, "unauthorized");
            checked += 1;
        }
    }
    assert!(checked >= 7, "only {checked} routes are documented as secured");
    env.shutdown().await;
}

#[tokio::test]
async fn api_tokens_expire_and_are_revoked() {
    let env = env().await;
    let (ci, _) = token::create(
        &env.store,
        &TokenSpec {
            name: "ci".into(),
            role: Role::Viewer,
            ..TokenSpec::admin()
        },
    )
    .await
    .unwrap();
    let me = env.get("/api/v1/whoami", Some(&ci)).await.json();
    assert_eq!(me["subject"], "ci");
    assert_eq!(me["role"], "viewer");
    env.store.revoke_token("ci", Timestamp::now()).await.unwrap();
    let p = env
        .get("/api/v1/whoami", Some(&ci))
        .await
        .problem(401, "unauthorized");
    assert!(p["detail"].as_str().unwrap().contains("revoked"), "{p}");

    let mut spec = TokenSpec::admin();
    spec.name = "short".into();
    spec.expires_at = Some(Timestamp::now() + SignedDuration::from_millis(300));
    let (short, _) = token::create(&env.store, &spec).await.unwrap();
    assert_eq!(
        env.get("/api/v1/whoami", Some(&short)).await.status,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let p = env
        .get("/api/v1/whoami", Some(&short))
        .await
        .problem(401, "unauthorized");
    assert!(p["detail"].as_str().unwrap().contains("expired"), "{p}");

    let p = env
        .call(Method::GET, "/api/v1/whoami", None, None)
        .await
        .problem(401, "unauthorized");
    assert!(p["detail"].as_str().unwrap().contains("no credentials"));
    env.shutdown().await;
}

fn jwt(secret: &[u8], claims: serde_json::Value) -> String {
    encode(&Header::default(), &claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[tokio::test]
async fn jwts_are_checked_for_signature_issuer_audience_and_expiry() {
    let env = env_with(|c| {
        c.jwt = Some(JwtConfig {
            hs256_secret: Some(b"the-shared-secret".to_vec()),
            jwks: None,
            issuer: Some("https://idp.example".into()),
            audience: Some("kubegenie".into()),
        })
    })
    .await;
    let exp = Timestamp::now().as_second() + 600;
    let good = json!({"sub": "alice", "iss": "https://idp.example", "aud": "kubegenie", "exp": exp,
        "kubegenie_role": "operator", "kubegenie_clusters": ["alpha"]});
    let me = env
        .get("/api/v1/whoami", Some(&jwt(b"the-shared-secret", good.clone())))
        .await
        .json();
    assert_eq!(me["subject"], "alice");
    assert_eq!(me["method"], "jwt");
    assert_eq!(me["clusters"], json!(["alpha"]));

    let forged = jwt(b"another-secret", good.clone());
    let p = env
        .get("/api/v1/whoami", Some(&forged))
        .await
        .problem(401, "unauthorized");
    assert!(p["detail"].as_str().unwrap().contains("JWT rejected"), "{p}");
    for (field, value) in [
        ("iss", json!("https://evil.example")),
        ("aud", json!("other")),
        ("exp", json!(Timestamp::now().as_second() - 3600)),
    ] {
        let mut claims = good.clone();
        claims[field] = value;
        env.get("/api/v1/whoami", Some(&jwt(b"the-shared-secret", claims)))
            .await
            .problem(401, "unauthorized");
    }
    let mut no_role = good.clone();
    no_role.as_object_mut().unwrap().remove("kubegenie_role");
    let p = env
        .get("/api/v1/whoami", Some(&jwt(b"the-shared-secret", no_role)))
        .await
        .problem(401, "unauthorized");
    assert!(p["detail"].as_str().unwrap().contains("kubegenie_role"));
    // The admin API token still works beside JWTs.
    assert_eq!(
        env.get("/api/v1/whoami", Some(ADMIN)).await.status,
        StatusCode::OK
    );
    env.shutdown().await;
}
