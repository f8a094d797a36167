//! Probes, metrics, the OpenAPI document, clusters and resources.

use crate::common::{ADMIN, env, env_with};
use http::{Method, StatusCode, header};

#[tokio::test]
async fn probes_metrics_and_unknown_routes() {
    let env = env().await;
    assert_eq!(env.get("/healthz", None).await.json()["status"], "ok");
    assert_eq!(env.get("/readyz", None).await.status, StatusCode::OK);
    env.get("/api/v1/clusters", Some(ADMIN)).await;
    env.get("/nope", None).await.problem(404, "not-found");
    env.call(Method::PUT, "/api/v1/clusters", Some(ADMIN), None)
        .await
        .problem(405, "method-not-allowed");
    let m = env.get("/metrics", None).await;
    assert!(
        m.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(
        m.text.contains(
            "kubegenie_http_requests_total{method=\"GET\",route=\"/api/v1/clusters\",status=\"200\"} 1"
        ),
        "{}",
        m.text
    );
    assert!(
        m.text.contains("route=\"unmatched\",status=\"404\""),
        "{}",
        m.text
    );
    assert!(m.text.contains("kubegenie_clusters_registered 2"));
    env.shutdown().await;
}

#[tokio::test]
async fn openapi_document_and_docs_page() {
    let env = env().await;
    let doc = env.get("/openapi.json", None).await.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for p in [
        "/api/v1/clusters",
        "/api/v1/clusters/{name}",
        "/api/v1/resources/{kind}",
        "/api/v1/health",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let page = env.get("/docs/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("swagger"), "{}", page.text);
    let web = env.get("/", None).await;
    assert!(web.text.contains("KubeGenie"));
    assert!(
        web.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    env.shutdown().await;
}

#[tokio::test]
async fn resources_across_clusters_as_multi_cluster_list() {
    let env = env().await;
    let list = env.get("/api/v1/resources/nodes", Some(ADMIN)).await.json();
    assert_eq!(list["kind"], "MultiClusterList");
    let clusters: std::collections::BTreeSet<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cluster"].as_str().unwrap())
        .collect();
    assert_eq!(clusters.into_iter().collect::<Vec<_>>(), ["alpha", "beta"]);
    assert_eq!(list["items"][0]["object"]["kind"], "Node");

    let one = env
        .get(
            "/api/v1/resources/po?clusters=alph*&namespace=kube-system",
            Some(ADMIN),
        )
        .await
        .json();
    let items = one["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["cluster"] == "alpha"));
    assert!(
        items
            .iter()
            .all(|i| i["object"]["metadata"]["namespace"] == "kube-system")
    );

    let excluded = env
        .get(
            "/api/v1/resources/nodes?allClusters=true&exclude=beta",
            Some(ADMIN),
        )
        .await
        .json();
    assert!(
        excluded["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["cluster"] == "alpha")
    );

    let all_ns = env
        .get(
            "/api/v1/resources/pods?allNamespaces=true&clusters=beta",
            Some(ADMIN),
        )
        .await
        .json();
    assert!(all_ns["items"].as_array().unwrap().len() >= items.len());

    env.get("/api/v1/resources/nosuchkind", Some(ADMIN))
        .await
        .problem(404, "not-found");
    env.get("/api/v1/resources/pods?clusters=gamma", Some(ADMIN))
        .await
        .problem(404, "not-found");
    env.get(
        "/api/v1/resources/pods?namespace=a&allNamespaces=true",
        Some(ADMIN),
    )
    .await
    .problem(400, "invalid-request");
    env.get("/api/v1/resources/pods?allNamespaces=maybe", Some(ADMIN))
        .await
        .problem(400, "invalid-request");
    env.get("/api/v1/resources/pods?clusterSelector=%3D%3D", Some(ADMIN))
        .await
        .problem(400, "invalid-request");
    env.shutdown().await;
}

#[tokio::test]
async fn clusters_crud_health_and_bad_bodies() {
    let env = env().await;
    let list = env.get("/api/v1/clusters", Some(ADMIN)).await.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    assert_eq!(
        env.get("/api/v1/clusters/alpha", Some(ADMIN)).await.json()["provider"],
        "kubeconfig"
    );
    env.get("/api/v1/clusters/gamma", Some(ADMIN))
        .await
        .problem(404, "not-found");

    let health = env.get("/api/v1/health", Some(ADMIN)).await.json();
    let items = health["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|h| h["reachable"] == true && h["nodesTotal"].as_u64() > Some(0)),
        "{health}"
    );
    let m = env.get("/metrics", None).await.text;
    assert!(
        m.contains("kubegenie_cluster_reachable{cluster=\"alpha\"} 1"),
        "{m}"
    );

    let body = format!(
        r#"{{"kubeconfig": "{}", "contexts": ["alpha"], "name": "alpha-2", "labels": {{"env": "dev"}}}}"#,
        env.kubeconfig.display()
    );
    let added = env
        .call(Method::POST, "/api/v1/clusters", Some(ADMIN), Some(&body))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(added.json()["clusters"][0], "alpha-2");
    env.call(Method::POST, "/api/v1/clusters", Some(ADMIN), Some(&body))
        .await
        .problem(409, "conflict");
    env.call(Method::POST, "/api/v1/clusters", Some(ADMIN), Some("{not json"))
        .await
        .problem(400, "invalid-request");
    env.call(
        Method::POST,
        "/api/v1/clusters",
        Some(ADMIN),
        Some(r#"{"bogus": 1}"#),
    )
    .await
    .problem(400, "invalid-request");
    env.call(
        Method::POST,
        "/api/v1/clusters",
        Some(ADMIN),
        Some(r#"{"server": "https://x"}"#),
    )
    .await
    .problem(400, "invalid-request");
    let huge = format!(r#"{{"name": "{}"}}"#, "x".repeat(2 << 20));
    env.call(Method::POST, "/api/v1/clusters", Some(ADMIN), Some(&huge))
        .await
        .problem(413, "payload-too-large");

    let gone = env
        .call(Method::DELETE, "/api/v1/clusters/alpha-2", Some(ADMIN), None)
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    env.call(Method::DELETE, "/api/v1/clusters/alpha-2", Some(ADMIN), None)
        .await
        .problem(404, "not-found");
    env.shutdown().await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let env = env_with(|c| {
        c.rate_limit = 1;
        c.rate_burst = 2;
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            env.get("/api/v1/whoami", Some(ADMIN)).await.status,
            StatusCode::OK
        );
    }
    let limited = env.get("/api/v1/whoami", Some(ADMIN)).await;
    limited.problem(429, "rate-limited");
    assert_eq!(limited.headers[header::RETRY_AFTER], "1");
    // Probes are not limited.
    assert_eq!(env.get("/healthz", None).await.status, StatusCode::OK);
    env.shutdown().await;
}
