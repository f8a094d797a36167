//! Watches: kube-rs watchers and reflectors, resumption, and 410 Gone.

use crate::common::*;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use serde_json::json;
use std::time::Duration;

fn cm(name: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name, "labels": {"w": "1"}}, "data": {"v": "0"}}))
        .unwrap()
}

#[tokio::test]
async fn watcher_sees_create_modify_delete() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let cfg = watcher::Config::default().labels("w=1");
    let mut events = watcher(cms.clone(), cfg).boxed();
    // The initial list completes before changes are made.
    loop {
        match tokio::time::timeout(Duration::from_secs(5), events.try_next())
            .await
            .unwrap()
            .unwrap()
        {
            Some(watcher::Event::InitDone) => break,
            Some(_) => {}
            None => panic!("stream ended"),
        }
    }
    cms.create(&PostParams::default(), &cm("w")).await.unwrap();
    cms.patch(
        "w",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "1"}})),
    )
    .await
    .unwrap();
    cms.delete("w", &DeleteParams::default()).await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let ev = tokio::time::timeout(Duration::from_secs(5), events.try_next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        match ev {
            watcher::Event::Apply(c) => seen.push(format!("apply:{}", c.data.unwrap()["v"])),
            watcher::Event::Delete(c) => seen.push(format!("delete:{}", c.metadata.name.unwrap())),
            _ => {}
        }
    }
    assert_eq!(seen, ["apply:0", "apply:1", "delete:w"]);
}

#[tokio::test]
async fn reflector_store_stays_in_sync() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let (reader, writer) = reflector::store();
    let stream = watcher(cms.clone(), watcher::Config::default().labels("w=1"))
        .default_backoff()
        .reflect(writer);
    let task = tokio::spawn(stream.applied_objects().for_each(|_| async {}));
    reader.wait_until_ready().await.unwrap();
    for i in 0..20 {
        cms.create(&PostParams::default(), &cm(&format!("c{i}")))
            .await
            .unwrap();
    }
    for i in 0..10 {
        cms.delete(&format!("c{i}"), &DeleteParams::default())
            .await
            .unwrap();
    }
    cms.patch(
        "c15",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "x"}})),
    )
    .await
    .unwrap();
    let synced = eventually(Duration::from_secs(5), || {
        let r = reader.clone();
        async move {
            let state = r.state();
            state.len() == 10
                && state
                    .iter()
                    .any(|c| c.data.as_ref().is_some_and(|d| d["v"] == "x"))
        }
    })
    .await;
    assert!(synced, "store has {} objects", reader.state().len());
    task.abort();
}

#[tokio::test]
async fn too_old_resource_version_is_gone() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    // History holds 64 events in tests; push the first ones out.
    for i in 0..80 {
        cms.create(&PostParams::default(), &cm(&format!("g{i}")))
            .await
            .unwrap();
    }
    let req = http::Request::get(
        "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2&timeoutSeconds=2",
    )
    .body(Vec::new())
    .unwrap();
    let text = s.client.request_text(req).await.unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["type"], "ERROR");
    assert_eq!(first["object"]["code"], 410);
    assert_eq!(first["object"]["reason"], "Expired");
}

#[tokio::test]
async fn watch_resumes_from_a_resource_version_and_sends_bookmarks() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let a = cms.create(&PostParams::default(), &cm("a")).await.unwrap();
    cms.create(&PostParams::default(), &cm("b")).await.unwrap();
    let rv = a.metadata.resource_version.unwrap();
    let path = format!(
        "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=1"
    );
    let text = s
        .client
        .request_text(http::Request::get(path).body(Vec::new()).unwrap())
        .await
        .unwrap();
    let events: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events[0]["type"], "ADDED");
    assert_eq!(
        events[0]["object"]["metadata"]["name"], "b",
        "only changes after the given resourceVersion"
    );
    assert!(
        events.iter().any(|e| e["type"] == "BOOKMARK"),
        "bookmarks are sent when allowed"
    );
}
