//! The client pool: one client per cluster, reused while the cluster's source is unchanged,
//! so an exec credential plugin runs once rather than once per command.

use crate::common::*;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use kubegenie_core::outcome::ErrorClass;
use kubegenie_kube::pool::ClientPool;
use kubegenie_kube::source::ClusterSource;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// A kubeconfig whose user gets its token from a plugin that logs each run to `runs`.
fn counting_exec_kubeconfig(
    dir: &Path,
    c: &kubegenie_sim::SimCluster,
    command: Option<&str>,
) -> ClusterSource {
    let plugin = dir.join("plugin.sh");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho run >> '{}/runs'\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\"}}}}'\n",
            dir.display(),
            c.admin_token()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, c.ca_pem().unwrap()).unwrap();
    let kc = dir.join("config");
    let command = command.map_or(plugin.display().to_string(), str::to_string);
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority: {}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {command}\n      installHint: run the installer\n      interactiveMode: Never\ncontexts:\n- name: ctx\n  context: {{cluster: c, user: u}}\n",
            c.url(),
            ca.display(),
        ),
    )
    .unwrap();
    ClusterSource::Kubeconfig {
        path: kc,
        context: "ctx".into(),
    }
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs")).map_or(0, |s| s.lines().count())
}

#[tokio::test]
async fn clients_are_reused_until_the_source_changes() {
    let c = cluster("v1.33.1").await;
    let dir = tempfile::tempdir().unwrap();
    let src = counting_exec_kubeconfig(dir.path(), &c, None);
    let pool = ClientPool::new();
    let mut after_first = None;
    for _ in 0..3 {
        let (ok, errors) = pool.connect(vec![("c".to_string(), src.clone())], 4).await;
        assert!(errors.is_empty(), "{errors:?}");
        let n = Api::<Namespace>::all(ok[0].client.clone())
            .list(&ListParams::default())
            .await
            .unwrap();
        assert!(!n.items.is_empty());
        after_first.get_or_insert(runs(dir.path()));
    }
    // kube runs the plugin while building a client (for a token and for a TLS identity);
    // reusing the client runs it no more.
    let built = after_first.unwrap();
    assert!(built >= 1);
    assert_eq!(runs(dir.path()), built, "reuse does not run the plugin again");
    assert_eq!(pool.len(), 1);

    // Another source under the same name is a new client; eviction forgets it.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let src2 = counting_exec_kubeconfig(&other, &c, None);
    pool.client("c", &src2).await.unwrap();
    assert_eq!(runs(&other), built);
    assert_eq!(pool.len(), 1);
    pool.evict("c");
    assert!(pool.is_empty());
}

#[tokio::test]
async fn a_missing_plugin_is_an_error_row_naming_it_and_its_hint() {
    let c = cluster("v1.33.1").await;
    let dir = tempfile::tempdir().unwrap();
    let good = counting_exec_kubeconfig(dir.path(), &c, None);
    let other = dir.path().join("missing");
    std::fs::create_dir(&other).unwrap();
    let missing = counting_exec_kubeconfig(&other, &c, Some("no-such-auth-plugin"));
    let pool = ClientPool::new();
    let (ok, errors) = pool
        .connect(vec![("good".into(), good), ("missing".into(), missing)], 2)
        .await;
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].name, "good");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].cluster, "missing");
    assert_eq!(errors[0].reason, ErrorClass::Credentials);
    assert_eq!(
        errors[0].message,
        "credential plugin \"no-such-auth-plugin\" not found (is it installed and on PATH?); install hint: run the installer"
    );
    assert_eq!(pool.len(), 1, "failures are not cached");
}
