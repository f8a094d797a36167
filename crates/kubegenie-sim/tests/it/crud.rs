//! Typed CRUD through kube-rs, discovery, pagination, subresources and output formats.

use crate::common::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::discovery::Discovery;
use serde_json::json;

fn pod(name: &str) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}
    }))
    .unwrap()
}

#[tokio::test]
async fn typed_pod_crud_round_trips_with_server_fields() {
    let s = sim().await.unwrap();
    let pods: Api<Pod> = Api::namespaced(s.client.clone(), "default");
    let created = pods.create(&PostParams::default(), &pod("web-1")).await.unwrap();
    let meta = &created.metadata;
    assert!(meta.uid.is_some() && meta.resource_version.is_some() && meta.creation_timestamp.is_some());
    assert_eq!(created.status.unwrap().phase.as_deref(), Some("Pending"));
    let spec = created.spec.unwrap();
    assert_eq!(
        spec.restart_policy.as_deref(),
        Some("Always"),
        "defaults are applied"
    );
    assert_eq!(
        spec.containers[0].image_pull_policy.as_deref(),
        Some("IfNotPresent")
    );

    pods.create(&PostParams::default(), &pod("other")).await.unwrap();
    let mut other = pod("db-1");
    other.metadata.labels = Some([("app".to_string(), "db".to_string())].into());
    pods.create(&PostParams::default(), &other).await.unwrap();
    let web = pods.list(&ListParams::default().labels("app=web")).await.unwrap();
    let mut names: Vec<_> = web
        .items
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["other", "web-1"]);

    let patched = pods
        .patch(
            "web-1",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "front"}}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.metadata.labels.unwrap()["tier"], "front");
    assert_ne!(
        patched.metadata.resource_version,
        created.metadata.resource_version
    );

    pods.delete("web-1", &DeleteParams::default()).await.unwrap();
    let err = api_err(pods.get("web-1").await.unwrap_err());
    assert_eq!((err.code, err.reason.as_str()), (404, "NotFound"));
    assert_eq!(err.message, "pods \"web-1\" not found");
}

#[tokio::test]
async fn stale_resource_version_is_a_conflict() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "c"}, "data": {"k": "1"}})).unwrap();
    let first = cms.create(&PostParams::default(), &cm).await.unwrap();
    let mut newer = first.clone();
    newer.data = Some([("k".to_string(), "2".to_string())].into());
    cms.replace("c", &PostParams::default(), &newer).await.unwrap();
    let mut stale = first.clone();
    stale.data = Some([("k".to_string(), "3".to_string())].into());
    let err = api_err(
        cms.replace("c", &PostParams::default(), &stale)
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));
    assert!(
        err.message.contains("the object has been modified"),
        "{}",
        err.message
    );
    assert_eq!(
        cms.get("c").await.unwrap().data.unwrap()["k"],
        "2",
        "the stale write changed nothing"
    );
}

#[tokio::test]
async fn discovery_finds_builtin_groups() {
    let s = sim().await.unwrap();
    let d = Discovery::new(s.client.clone()).run().await.unwrap();
    let apps = d.get("apps").expect("apps group");
    let (ar, caps) = apps.recommended_kind("Deployment").expect("Deployment");
    assert_eq!(ar.plural, "deployments");
    assert!(caps.supports_operation(kube::discovery::verbs::WATCH));
    assert!(d.get("").is_some(), "core group");
}

#[tokio::test]
async fn list_pagination_returns_every_item_once() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    for i in 0..25 {
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": format!("cm-{i:02}")}})).unwrap();
        cms.create(&PostParams::default(), &cm).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut lp = ListParams::default().limit(10);
    let mut pages = 0;
    loop {
        let page = cms.list(&lp).await.unwrap();
        pages += 1;
        seen.extend(page.items.iter().filter_map(|c| c.metadata.name.clone()));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => lp = lp.continue_token(&c),
            None => break,
        }
    }
    let expected: Vec<String> = std::iter::once("kube-root-ca.crt".to_string())
        .chain((0..25).map(|i| format!("cm-{i:02}")))
        .collect();
    let mut sorted = seen.clone();
    sorted.sort();
    let mut exp = expected.clone();
    exp.sort();
    assert_eq!(sorted, exp);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn scale_subresource_reads_and_writes_replicas() {
    let s = sim().await.unwrap();
    let deps: Api<Deployment> = Api::namespaced(s.client.clone(), "default");
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
    }))
    .unwrap();
    let created = deps.create(&PostParams::default(), &d).await.unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    let scale = deps.get_scale("web").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(2));
    assert_eq!(scale.status.unwrap().selector.as_deref(), Some("app=web"));
    deps.patch_scale(
        "web",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": 5}})),
    )
    .await
    .unwrap();
    let after = deps.get("web").await.unwrap();
    assert_eq!(after.spec.unwrap().replicas, Some(5));
    assert_eq!(
        after.metadata.generation,
        Some(2),
        "a spec change bumps generation"
    );
}

#[tokio::test]
async fn status_writes_are_split_from_spec_writes() {
    let s = sim().await.unwrap();
    let deps: Api<Deployment> = Api::namespaced(s.client.clone(), "default");
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
        "status": {"replicas": 9}
    }))
    .unwrap();
    let created = deps.create(&PostParams::default(), &d).await.unwrap();
    assert!(
        created.status.is_none_or(|s| s.replicas.is_none()),
        "status is dropped on create"
    );
    let patch = json!({"status": {"replicas": 3}, "spec": {"replicas": 7}});
    let after = deps
        .patch_status("web", &PatchParams::default(), &Patch::Merge(patch))
        .await
        .unwrap();
    assert_eq!(after.status.unwrap().replicas, Some(3));
    assert_eq!(
        after.spec.unwrap().replicas,
        Some(1),
        "status writes leave spec alone"
    );
}

#[tokio::test]
async fn table_output_has_columns_and_rows() {
    let s = sim().await.unwrap();
    let req = http::Request::get("/api/v1/namespaces")
        .header(
            "accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )
        .body(Vec::new())
        .unwrap();
    let text = s.client.request_text(req).await.unwrap();
    let t: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(t["kind"], "Table");
    assert!(
        t["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Name")
    );
    let names: Vec<_> = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["object"]["metadata"]["name"].clone())
        .collect();
    assert!(names.contains(&json!("kube-system")));
}

#[tokio::test]
async fn dry_run_create_stores_nothing() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "dry"}})).unwrap();
    let pp = PostParams {
        dry_run: true,
        ..Default::default()
    };
    let out = cms.create(&pp, &cm).await.unwrap();
    assert!(out.metadata.uid.is_some());
    assert_eq!(api_err(cms.get("dry").await.unwrap_err()).code, 404);
}

#[tokio::test]
async fn generate_name_and_delete_collection() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let mut names = Vec::new();
    for _ in 0..3 {
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"generateName": "job-", "labels": {"batch": "1"}}}))
                .unwrap();
        let created = cms.create(&PostParams::default(), &cm).await.unwrap();
        let name = created.metadata.name.unwrap();
        assert!(
            name.starts_with("job-") && name.len() == "job-".len() + 5,
            "{name}"
        );
        names.push(name);
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 3, "generated names are unique");
    let keep: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "keep"}})).unwrap();
    cms.create(&PostParams::default(), &keep).await.unwrap();
    cms.delete_collection(&DeleteParams::default(), &ListParams::default().labels("batch=1"))
        .await
        .unwrap();
    let left: Vec<String> = cms
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|c| c.metadata.name)
        .collect();
    assert!(left.contains(&"keep".to_string()));
    assert!(!left.iter().any(|n| n.starts_with("job-")), "{left:?}");
}
