//! The registry over every kind of source, health checks with each failure class, and
//! ClusterProfile discovery on a hub — all against simulated clusters.

use crate::common::*;
use kube::api::{Api, DynamicObject, PostParams};
use kubegenie_core::outcome::ErrorClass;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::health::{self, HealthReport};
use kubegenie_kube::pool::ClientPool;
use kubegenie_kube::provider::baremetal::BareMetalProvider;
use kubegenie_kube::provider::clusterprofile::{ClusterProfileProvider, api_resource};
use kubegenie_kube::provider::kubeconfig::{Contexts, KubeconfigProvider};
use kubegenie_kube::provider::{ClusterProvider, Discovered};
use kubegenie_kube::registry::Registry;
use kubegenie_kube::source::ClusterSource;
use kubegenie_sim::SimCluster;
use kubegenie_store::Store;
use serde_json::json;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A script printing an ExecCredential with `token`; it also saves KUBERNETES_EXEC_INFO.
fn token_plugin(dir: &Path, token: &str) -> PathBuf {
    let script = format!(
        "#!/bin/sh\nprintf '%s' \"$KUBERNETES_EXEC_INFO\" > '{}/exec-info.json'\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'\n",
        dir.display()
    );
    let p = write(dir, "get-token.sh", &script);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn bare(server: &str, ca: &Path, token: Option<PathBuf>) -> ClusterSource {
    ClusterSource::BareMetal {
        server: server.into(),
        ca_file: Some(ca.to_path_buf()),
        token_file: token,
        token_env: None,
        client_cert_file: None,
        client_key_file: None,
        insecure: false,
    }
}

fn one(name: &str, source: ClusterSource) -> Discovered {
    Discovered {
        name: name.into(),
        source,
        labels: BTreeMap::new(),
    }
}

#[tokio::test]
async fn every_source_registers_and_health_classifies_each_failure() {
    let c = cluster("v1.33.1").await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reg = Registry::new(Store::open_memory().await.unwrap());

    // Kubeconfig: an admin and a viewer (bound to `view`, so listing nodes is a 403).
    let kc = d.join("config");
    c.write_kubeconfig(&kc, "sim-admin", true).unwrap();
    kubegenie_sim::kubeconfig::merge_into(&kc, &[c.context("sim-viewer", Some("viewer-token"))], None)
        .unwrap();
    let found = KubeconfigProvider {
        path: kc.clone(),
        contexts: Contexts::All,
        labels: BTreeMap::from([("env".into(), "dev".into())]),
    }
    .discover()
    .await
    .unwrap();
    assert_eq!(found.clusters.len(), 2);
    reg.add(&found.clusters).await.unwrap();

    // Bare metal: CA + token file; a rejected token (401).
    let ca = write(d, "ca.pem", c.ca_pem().unwrap());
    let token = write(d, "token", &format!("{}\n", c.admin_token()));
    let bad_token = write(d, "bad-token", "nope");
    // Client certificate.
    let (cert, key) = c.issue_client_cert("alice", &["system:masters".into()]).unwrap();
    let mut certs = bare(c.url(), &ca, None);
    if let ClusterSource::BareMetal {
        client_cert_file,
        client_key_file,
        ..
    } = &mut certs
    {
        *client_cert_file = Some(write(d, "alice.crt", &cert));
        *client_key_file = Some(write(d, "alice.key", &key));
    }
    // Exec credential plugin, as EKS/GKE/AKS kubeconfigs use.
    let plugin = token_plugin(d, c.admin_token());
    let exec_kc = write(
        d,
        "exec-config",
        &format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority: {}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\ncontexts:\n- name: exec\n  context: {{cluster: c, user: u}}\n",
            c.url(),
            ca.display(),
            plugin.display()
        ),
    );
    // Unreachable: a port nobody listens on. Slow: a listener that accepts and never answers.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("https://{}", closed.local_addr().unwrap());
    drop(closed);
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("https://{}", silent.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });

    let mut batch = Vec::new();
    for (name, source) in [
        ("bare", bare(c.url(), &ca, Some(token.clone()))),
        ("bare-401", bare(c.url(), &ca, Some(bad_token))),
        ("certs", certs),
    ] {
        let p = BareMetalProvider {
            name: name.into(),
            source,
            labels: BTreeMap::new(),
        };
        batch.extend(p.discover().await.unwrap().clusters);
    }
    batch.push(one(
        "exec",
        ClusterSource::Kubeconfig {
            path: exec_kc,
            context: "exec".into(),
        },
    ));
    batch.push(one("gone", bare(&closed_url, &ca, Some(token.clone()))));
    batch.push(one("slow", bare(&silent_url, &ca, Some(token.clone()))));
    reg.add(&batch).await.unwrap();
    assert_eq!(reg.list().await.unwrap().len(), 8);

    // A bare-metal endpoint whose token file is missing is refused before anything is stored.
    let e = BareMetalProvider {
        name: "typo".into(),
        source: bare(c.url(), &ca, Some(d.join("no-such-file"))),
        labels: BTreeMap::new(),
    }
    .discover()
    .await
    .unwrap_err();
    assert!(e.to_string().contains("no-such-file"), "{e}");

    let targets = reg
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.source))
        .collect();
    let fan = FanOut {
        concurrency: 8,
        timeout: Duration::from_secs(2),
    };
    let started = std::time::Instant::now();
    let reports = health::check(&ClientPool::new(), fan, targets).await;
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "the slow cluster costs one timeout"
    );
    let by: BTreeMap<&str, &HealthReport> = reports.iter().map(|r| (r.cluster.as_str(), r)).collect();
    for ok in ["sim-admin", "bare", "certs", "exec"] {
        let r = by[ok];
        assert!(r.healthy, "{ok}: {r:?}");
        assert_eq!(r.server_version.as_deref(), Some("v1.33.1"));
        assert!(r.latency_ms.is_some());
        assert!(r.nodes_total.unwrap() >= 1);
        assert_eq!(r.nodes_ready, r.nodes_total);
    }
    let class = |n: &str| by[n].error.as_ref().map(|e| e.class);
    assert_eq!(class("sim-viewer"), Some(ErrorClass::Forbidden));
    assert!(by["sim-viewer"].reachable && by["sim-viewer"].server_version.is_some());
    assert_eq!(class("bare-401"), Some(ErrorClass::Unauthorized));
    assert!(by["bare-401"].reachable);
    assert_eq!(class("gone"), Some(ErrorClass::Unreachable));
    assert_eq!(class("slow"), Some(ErrorClass::Timeout));
    assert!(!by["gone"].reachable && !by["slow"].reachable);
    assert!(
        by["bare-401"]
            .error
            .as_ref()
            .unwrap()
            .hint
            .contains("credentials")
    );

    for r in &reports {
        reg.record_health(r).await.unwrap();
    }
    let stored = reg.get("bare").await.unwrap();
    assert!(stored.seen_at.is_some());
    assert_eq!(stored.last_health.as_ref(), Some(by["bare"]));
    let gone = reg.get("gone").await.unwrap();
    assert!(gone.seen_at.is_none(), "an unreachable cluster was never seen");
    hold.abort();
}

fn clusterprofile_crd() -> serde_json::Value {
    // No status subresource, so the test can create profiles with their status in one go.
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "clusterprofiles.multicluster.x-k8s.io"},
        "spec": {"group": "multicluster.x-k8s.io", "scope": "Namespaced",
            "names": {"kind": "ClusterProfile", "plural": "clusterprofiles", "singular": "clusterprofile", "listKind": "ClusterProfileList"},
            "versions": [{"name": "v1alpha1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    })
}

async fn create_profile(hub: &SimCluster, ns: &str, name: &str, status: serde_json::Value) {
    let api: Api<DynamicObject> = Api::namespaced_with(admin(hub), ns, &api_resource());
    let obj: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ClusterProfile",
        "metadata": {"name": name, "namespace": ns, "labels": {"x-k8s.io/cluster-manager": "fleet", "team": "sre"}},
        "spec": {"displayName": name, "clusterManager": {"name": "fleet"}},
        "status": status,
    }))
    .unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
}

#[tokio::test]
async fn clusterprofiles_on_a_hub_map_to_contexts_or_exec_plugins() {
    let hub = cluster("v1.33.1").await;
    let spoke = cluster("v1.33.1").await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let kc = d.join("config");
    hub.write_kubeconfig(&kc, "hub", true).unwrap();
    spoke.write_kubeconfig(&kc, "spoke-a", false).unwrap();
    spoke.write_kubeconfig(&kc, "other-name", false).unwrap();

    let hub_client = admin(&hub);
    let crds: Api<DynamicObject> = Api::all_with(
        hub_client.clone(),
        &kube::api::ApiResource::from_gvk_with_plural(
            &kube::api::GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
            "customresourcedefinitions",
        ),
    );
    let hub_source = ClusterSource::Kubeconfig {
        path: kc.clone(),
        context: "hub".into(),
    };
    let provider =
        |provider_file: Option<PathBuf>, context_for: BTreeMap<String, String>| ClusterProfileProvider {
            hub_name: "hub".into(),
            hub: hub_source.clone(),
            kubeconfigs: vec![kc.clone()],
            context_for,
            provider_file,
            namespace: None,
        };
    // Before the CRD exists the hub says so clearly.
    let e = provider(None, BTreeMap::new()).discover().await.unwrap_err();
    assert!(e.to_string().contains("ClusterProfile CRD"), "{e}");

    crds.create(
        &PostParams::default(),
        &serde_json::from_value(clusterprofile_crd()).unwrap(),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ca_b64 = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(spoke.ca_pem().unwrap())
    };
    let props = json!([{"name": "topology.kubernetes.io/region", "value": "eu-west-1"},
        {"name": "note", "value": "not a label value!"}]);
    create_profile(&hub, "default", "spoke-a", json!({"properties": props})).await;
    create_profile(&hub, "kube-system", "mapped", json!({})).await;
    create_profile(
        &hub,
        "default",
        "via-plugin",
        json!({"accessProviders": [{"name": "token-plugin", "cluster": {
            "server": spoke.url(), "certificate-authority-data": ca_b64,
            "extensions": [{"name": "client.authentication.k8s.io/exec", "extension": {"audience": "spokes"}}]}}]}),
    )
    .await;
    create_profile(
        &hub,
        "default",
        "orphan",
        json!({"credentialProviders": [{"name": "unknown-plugin", "cluster": {"server": "https://x"}}]}),
    )
    .await;

    // --context-for must name a real context.
    let e = provider(None, BTreeMap::from([("mapped".into(), "typo".into())]))
        .discover()
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("available contexts: hub, other-name, spoke-a"),
        "{e}"
    );

    let plugin = token_plugin(d, spoke.admin_token());
    let provider_file = write(
        d,
        "providers.json",
        &json!({"providers": [{"name": "token-plugin", "execConfig": {
            "apiVersion": "client.authentication.k8s.io/v1", "command": plugin, "provideClusterInfo": true,
            "interactiveMode": "Never"}}]})
        .to_string(),
    );
    let found = provider(
        Some(provider_file.clone()),
        BTreeMap::from([("mapped".into(), "other-name".into())]),
    )
    .discover()
    .await
    .unwrap();
    let names: Vec<&str> = found.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(found.skipped.len(), 1);
    assert_eq!(found.skipped[0].name, "default/orphan");
    assert!(
        found.skipped[0].reason.contains("unknown-plugin"),
        "{}",
        found.skipped[0].reason
    );

    let get = |n: &str| found.clusters.iter().find(|c| c.name == n).unwrap();
    assert!(
        matches!(&get("spoke-a").source, ClusterSource::Kubeconfig { context, .. } if context == "spoke-a")
    );
    assert!(
        matches!(&get("mapped").source, ClusterSource::Kubeconfig { context, .. } if context == "other-name")
    );
    assert_eq!(get("via-plugin").source.provider(), "clusterprofile");
    let l = &get("spoke-a").labels;
    assert_eq!(l["x-k8s.io/cluster-manager"], "fleet");
    assert_eq!(l["team"], "sre");
    assert_eq!(l["topology.kubernetes.io/region"], "eu-west-1");
    assert!(!l.contains_key("note"), "invalid label values are left out");

    let reg = Registry::new(Store::open_memory().await.unwrap());
    reg.upsert(&found.clusters).await.unwrap();
    // Discovery again is idempotent.
    reg.upsert(&found.clusters).await.unwrap();
    assert_eq!(reg.list().await.unwrap().len(), 3);
    let targets = reg
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.name, c.source))
        .collect();
    let reports = health::check(&ClientPool::new(), FanOut::default(), targets).await;
    assert!(reports.iter().all(|r| r.healthy), "{reports:?}");
    // The plugin got the cluster and the profile's extension, as KEP-5339 specifies.
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("exec-info.json")).unwrap()).unwrap();
    assert_eq!(info["spec"]["cluster"]["server"], spoke.url());
    assert_eq!(info["spec"]["cluster"]["config"]["audience"], "spokes");
}
