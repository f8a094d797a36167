use crate::common::*;
use kubegenie_core::outcome::ErrorClass;
use kubegenie_kube::fanout::FanOut;
use kubegenie_kube::ops::get::Connected;
use kubegenie_kube::snapshot::{Scope, collect, collect_fleet};

#[tokio::test]
async fn snapshot_reads_every_kind_and_records_what_rbac_hides() {
    let sim = cluster("v1.33.1").await;
    let admin = Connected {
        name: "a".into(),
        client: admin(&sim),
    };
    let snap = collect(&admin, &Scope::default()).await.expect("snapshot");
    assert_eq!(snap.cluster, "a");
    assert_eq!(snap.nodes.len(), 1);
    assert!(
        snap.namespaces
            .iter()
            .any(|n| n.metadata.name.as_deref() == Some("kube-system"))
    );
    assert_eq!(snap.server_version.as_deref(), Some("v1.33.1"));
    assert!(snap.unreadable.is_empty(), "{:?}", snap.unreadable);

    // The `view` role cannot list cluster-scoped nodes: recorded, not fatal.
    let viewer = Connected {
        name: "v".into(),
        client: client(sim.url(), sim.ca_pem(), "viewer-token"),
    };
    let snap = collect(&viewer, &Scope::default())
        .await
        .expect("partial snapshot");
    let nodes = snap
        .unreadable
        .iter()
        .find(|u| u.resource == "nodes")
        .expect("nodes unreadable");
    assert_eq!(nodes.reason, ErrorClass::Forbidden);
    assert!(!snap.has("nodes") && snap.has("pods"));
}

#[tokio::test]
async fn a_cluster_that_answers_nothing_is_an_error_row() {
    let live = cluster("v1.33.1").await;
    let dead = cluster("v1.33.1").await;
    let (url, ca) = (dead.url().to_string(), dead.ca_pem().map(str::to_string));
    dead.shutdown().await;
    let clusters = vec![
        Connected {
            name: "live".into(),
            client: admin(&live),
        },
        Connected {
            name: "gone".into(),
            client: client(&url, ca.as_deref(), "x"),
        },
    ];
    let (snaps, errors) = collect_fleet(&clusters, &Scope::default(), FanOut::default()).await;
    assert_eq!(snaps.len(), 1);
    assert_eq!(snaps[0].cluster, "live");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].cluster, "gone");
    assert_eq!(errors[0].reason, ErrorClass::Unreachable);
}
