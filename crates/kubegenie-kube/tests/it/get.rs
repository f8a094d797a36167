use crate::common::*;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use kubegenie_core::outcome::ErrorClass;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::ops::get::{Connected, GetQuery, get};
use serde_json::json;

async fn add_cm(c: &kube::Client, ns: &str, name: &str) {
    let cm: ConfigMap = serde_json::from_value(
        json!({"metadata": {"name": name, "labels": {"app": "x"}}, "data": {"a": "1"}}),
    )
    .unwrap();
    Api::<ConfigMap>::namespaced(c.clone(), ns)
        .create(&PostParams::default(), &cm)
        .await
        .unwrap();
}

#[tokio::test]
async fn get_merges_clusters_and_keeps_partial_results() {
    let (a, b) = (cluster("v1.33.1").await, cluster("v1.31.0").await);
    let (ca, cb) = (admin(&a), admin(&b));
    add_cm(&ca, "default", "alpha").await;
    add_cm(&cb, "kube-system", "beta").await;
    let dead = cluster("v1.33.1").await;
    let dead_url = dead.url().to_string();
    let dead_ca = dead.ca_pem().map(str::to_string);
    dead.shutdown().await;
    let clusters = vec![
        Connected {
            name: "a".into(),
            client: ca.clone(),
        },
        Connected {
            name: "b".into(),
            client: cb.clone(),
        },
        Connected {
            name: "gone".into(),
            client: client(&dead_url, dead_ca.as_deref(), "t"),
        },
        Connected {
            name: "viewer".into(),
            client: client(a.url(), a.ca_pem(), "viewer-token"),
        },
    ];
    let q = GetQuery {
        kind: "cm".into(),
        all_namespaces: true,
        label_selector: Some("app=x".into()),
        ..Default::default()
    };
    let out = get(&clusters, &q, true, FanOut::default()).await;
    let t = out.to_text_table(false, true);
    assert_eq!(t.headers, ["CLUSTER", "NAMESPACE", "Name", "Data", "Age"]);
    let rows: Vec<(String, String, String)> = t
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("a".into(), "default".into(), "alpha".into()),
            ("b".into(), "kube-system".into(), "beta".into()),
            ("viewer".into(), "default".into(), "alpha".into())
        ]
    );
    assert_eq!(out.errors.len(), 1);
    assert_eq!(
        (out.errors[0].cluster.as_str(), out.errors[0].reason),
        ("gone", ErrorClass::Unreachable)
    );

    // -o json: one document, a cluster per item.
    let q = GetQuery {
        kind: "secrets".into(),
        ..Default::default()
    };
    let out = get(&clusters[..1], &q, false, FanOut::default()).await;
    let doc = serde_json::to_value(out.to_list()).unwrap();
    assert_eq!(doc["kind"], "MultiClusterList");
    let viewer = get(&clusters[3..], &q, false, FanOut::default()).await;
    assert_eq!(viewer.errors[0].reason, ErrorClass::Forbidden);
    assert!(viewer.all_failed());

    // Named objects, and a kind one cluster does not serve.
    let q = GetQuery {
        kind: "configmap".into(),
        names: vec!["alpha".into()],
        ..Default::default()
    };
    let out = get(&clusters[..1], &q, false, FanOut::default()).await;
    let list = out.to_list();
    assert_eq!(list.items[0].object["metadata"]["name"], "alpha");
    assert_eq!(list.items[0].object["kind"], "ConfigMap");
    let q = GetQuery {
        kind: "configmapz".into(),
        ..Default::default()
    };
    let out = get(&clusters[..1], &q, true, FanOut::default()).await;
    assert!(
        out.errors[0].message.contains("did you mean \"configmaps\""),
        "{}",
        out.errors[0].message
    );
}
