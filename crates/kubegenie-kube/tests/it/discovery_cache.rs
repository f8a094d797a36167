//! The on-disk discovery cache: used while fresh, refreshed when asked for a kind it does not
//! know (a CRD installed after it was written).

use crate::common::*;
use kubegenie_kube::discovery_cache::DiscoveryCache;
use serde_json::json;

#[tokio::test]
async fn cache_is_reused_and_refreshed_for_new_kinds() {
    let c = cluster("v1.33.1").await;
    let client = admin(&c);
    let dir = tempfile::tempdir().unwrap();
    let cache = DiscoveryCache::new(dir.path().join("discovery"));
    let idx = cache.index("c", &client, "pods").await.unwrap();
    assert_eq!(idx.resolve("po").unwrap().plural, "pods");
    let files: Vec<_> = std::fs::read_dir(dir.path().join("discovery")).unwrap().collect();
    assert_eq!(files.len(), 1);

    // A cached entry answers even when the server cannot be reached.
    let dead = client_for_closed_port();
    let idx = cache.index("c", &dead, "deploy").await.unwrap();
    assert_eq!(idx.resolve("deploy").unwrap().group, "apps");

    // A kind the entry does not know goes to the server, which now serves it.
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "shortNames": ["wg"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
    let req = http::Request::post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&crd).unwrap())
        .unwrap();
    client.request_text(req).await.unwrap();
    let mut found = None;
    for _ in 0..50 {
        if let Ok(idx) = cache.index("c", &client, "wg").await
            && let Ok(r) = idx.resolve("wg")
        {
            found = Some(r.plural.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(found.as_deref(), Some("widgets"));
    // ...and the refreshed entry is what the next command reads, offline.
    let idx = cache
        .index("c", &client_for_closed_port(), "widgets")
        .await
        .unwrap();
    assert_eq!(idx.resolve("widget").unwrap().kind, "Widget");
    cache.invalidate("c");
    assert!(cache.index("c", &client_for_closed_port(), "pods").await.is_err());
}

fn client_for_closed_port() -> kube::Client {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    client(&url, None, "t")
}
