//! Deletion semantics: finalizers, propagation policies, namespace termination.

use crate::common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, PropagationPolicy};
use serde_json::json;
use std::time::Duration;

async fn owner_and_dependent(cms: &Api<ConfigMap>) -> String {
    let owner: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "owner"}})).unwrap();
    let owner = cms.create(&PostParams::default(), &owner).await.unwrap();
    let uid = owner.metadata.uid.unwrap();
    let dep: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "dep", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid, "blockOwnerDeletion": true}]}}))
    .unwrap();
    cms.create(&PostParams::default(), &dep).await.unwrap();
    uid
}

async fn gone(cms: &Api<ConfigMap>, name: &str) -> bool {
    let (cms, name) = (cms.clone(), name.to_string());
    eventually(Duration::from_secs(5), move || {
        let (cms, name) = (cms.clone(), name.clone());
        async move { cms.get_opt(&name).await.unwrap().is_none() }
    })
    .await
}

#[tokio::test]
async fn background_deletion_collects_dependents() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    owner_and_dependent(&cms).await;
    cms.delete("owner", &DeleteParams::background()).await.unwrap();
    assert!(gone(&cms, "owner").await && gone(&cms, "dep").await);
}

#[tokio::test]
async fn foreground_deletion_waits_for_dependents() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    owner_and_dependent(&cms).await;
    let dp = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Foreground),
        ..Default::default()
    };
    let resp = cms.delete("owner", &dp).await.unwrap();
    let pending = resp.left().expect("foreground deletion returns the object");
    assert!(pending.metadata.deletion_timestamp.is_some());
    assert!(
        pending
            .metadata
            .finalizers
            .unwrap()
            .contains(&"foregroundDeletion".to_string())
    );
    assert!(gone(&cms, "dep").await && gone(&cms, "owner").await);
}

#[tokio::test]
async fn orphan_deletion_keeps_dependents_without_owner() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    owner_and_dependent(&cms).await;
    let dp = DeleteParams {
        propagation_policy: Some(PropagationPolicy::Orphan),
        ..Default::default()
    };
    cms.delete("owner", &dp).await.unwrap();
    assert!(gone(&cms, "owner").await);
    let dep = cms.get("dep").await.unwrap();
    assert!(dep.metadata.owner_references.is_none_or(|r| r.is_empty()));
}

#[tokio::test]
async fn finalizers_hold_deletion_until_removed() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "held", "finalizers": ["example.com/hold"]}}))
            .unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    cms.delete("held", &DeleteParams::default()).await.unwrap();
    let held = cms.get("held").await.unwrap();
    assert!(held.metadata.deletion_timestamp.is_some());
    cms.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert!(gone(&cms, "held").await);
}

#[tokio::test]
async fn namespaces_terminate_and_take_their_contents() {
    let s = sim().await.unwrap();
    let nss: Api<Namespace> = Api::all(s.client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "team-a"}})).unwrap();
    nss.create(&PostParams::default(), &ns).await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "team-a");
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "c"}})).unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    assert!(
        eventually(Duration::from_secs(5), || {
            let cms = cms.clone();
            async move { cms.get_opt("kube-root-ca.crt").await.unwrap().is_some() }
        })
        .await
    );
    nss.delete("team-a", &DeleteParams::default()).await.unwrap();
    let term = nss.get_opt("team-a").await.unwrap();
    if let Some(t) = term {
        assert_eq!(t.status.unwrap().phase.as_deref(), Some("Terminating"));
    }
    let nss2 = nss.clone();
    let removed = eventually(Duration::from_secs(5), move || {
        let nss = nss2.clone();
        async move { nss.get_opt("team-a").await.unwrap().is_none() }
    })
    .await;
    assert!(removed, "namespace is removed once empty");
    let err = api_err(cms.create(&PostParams::default(), &cm).await.unwrap_err());
    assert_eq!(err.code, 404);
}
