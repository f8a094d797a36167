//! RBAC through the API: the role matrix on real routes, bindings to clusters and namespaces.

use crate::common::{ADMIN, Env, env};
use http::{Method, StatusCode};
use kubegenie_server::auth::token::{self, TokenSpec};
use kubegenie_server::rbac::Role;

async fn token_for(env: &Env, name: &str, role: Role, clusters: &[&str], namespaces: &[&str]) -> String {
    let spec = TokenSpec {
        name: name.into(),
        role,
        clusters: clusters.iter().map(|s| s.to_string()).collect(),
        namespaces: namespaces.iter().map(|s| s.to_string()).collect(),
        scopes: Vec::new(),
        expires_at: None,
    };
    token::create(&env.store, &spec).await.unwrap().0
}

/// Role × operation class on the routes that exist: read (resources), admin (remove a cluster).
#[tokio::test]
async fn role_matrix_on_routes() {
    let env = env().await;
    for (role, can_admin) in [
        (Role::Viewer, false),
        (Role::Operator, false),
        (Role::Admin, true),
    ] {
        let t = token_for(&env, &format!("role-{role}"), role, &["*"], &["*"]).await;
        let read = env.get("/api/v1/resources/pods?clusters=alpha", Some(&t)).await;
        assert_eq!(read.status, StatusCode::OK, "{role} read: {}", read.text);
        let remove = env
            .call(Method::DELETE, "/api/v1/clusters/nosuch", Some(&t), None)
            .await;
        if can_admin {
            remove.problem(404, "not-found");
        } else {
            let p = remove.problem(403, "forbidden");
            assert_eq!(p["missing"]["verb"], "admin", "{p}");
            assert_eq!(p["missing"]["resource"], "clusters");
            assert!(p["detail"].as_str().unwrap().contains("needs admin"), "{p}");
        }
    }
    env.shutdown().await;
}

#[tokio::test]
async fn bindings_limit_clusters_and_namespaces() {
    let env = env().await;
    let t = token_for(&env, "alpha-default", Role::Viewer, &["alp*"], &["default"]).await;
    let p = env
        .get("/api/v1/resources/pods?clusters=beta", Some(&t))
        .await
        .problem(403, "forbidden");
    assert_eq!(p["missing"]["cluster"], "beta");
    assert_eq!(p["missing"]["verb"], "read");
    assert_eq!(p["missing"]["resource"], "pods");

    let mixed = env.get("/api/v1/resources/pods", Some(&t)).await.json();
    assert!(
        mixed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["cluster"] == "alpha")
    );
    let errors = mixed["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{mixed}");
    assert_eq!(errors[0]["cluster"], "beta");
    assert_eq!(errors[0]["reason"], "Forbidden");

    let p = env
        .get(
            "/api/v1/resources/pods?clusters=alpha&namespace=kube-system",
            Some(&t),
        )
        .await
        .problem(403, "forbidden");
    assert_eq!(p["missing"]["namespace"], "kube-system");
    env.get(
        "/api/v1/resources/pods?clusters=alpha&allNamespaces=true",
        Some(&t),
    )
    .await
    .problem(403, "forbidden");
    // Nodes are cluster-scoped: a namespace-bound role does not read them.
    env.get("/api/v1/resources/nodes?clusters=alpha", Some(&t))
        .await
        .problem(403, "forbidden");

    let names: Vec<String> = env
        .get("/api/v1/clusters", Some(&t))
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["alpha"]);
    env.get("/api/v1/clusters/beta", Some(&t))
        .await
        .problem(403, "forbidden");
    assert_eq!(
        env.get("/api/v1/resources/nodes", Some(ADMIN)).await.status,
        StatusCode::OK
    );
    env.shutdown().await;
}
