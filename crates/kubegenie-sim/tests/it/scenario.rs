//! Scenarios: the demo fleet comes up with its hub inventory, teams, realistic nodes and the
//! scripted objects; the timeline acts; the same seed gives the same objects.

use crate::common::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use kube::api::{Api, ListParams};
use kubegenie_sim::scenario::{self, Fleet, StartOptions};
use std::time::Duration;

fn client(fleet: &Fleet, name: &str) -> kube::Client {
    let c = &fleet
        .get(name)
        .unwrap_or_else(|| panic!("cluster {name}"))
        .cluster;
    client_for(c, c.admin_token()).unwrap()
}

async fn demo(seed: u64, clock_speed: f64) -> Fleet {
    let s = scenario::resolve("demo").unwrap();
    let o = StartOptions {
        seed: Some(seed),
        clock_speed,
        ..StartOptions::default()
    };
    Fleet::start(&s, &o).await.unwrap()
}

#[tokio::test]
async fn demo_fleet_has_its_clusters_inventory_and_scripted_objects() {
    // 120x: the +1m bad rollout happens half a second in.
    let fleet = demo(42, 120.0).await;
    let names: Vec<&str> = fleet.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["hub", "prod-us", "prod-eu", "staging"]);
    assert_eq!(fleet.get("prod-eu").unwrap().labels["region"], "eu-west-1");
    assert_eq!(fleet.get("staging").unwrap().labels["provider"], "gcp");

    // The hub's ClusterProfiles point at the members.
    let hub = client(&fleet, "hub");
    let (code, list) = raw(
        &hub,
        "GET",
        "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/fleet-system/clusterprofiles",
        "application/json",
        "",
    )
    .await
    .unwrap();
    assert_eq!(code, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    let mut profiles: Vec<&str> = items
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    profiles.sort();
    assert_eq!(profiles, ["prod-eu", "prod-us", "staging"]);
    let us = items.iter().find(|p| p["metadata"]["name"] == "prod-us").unwrap();
    assert_eq!(us["metadata"]["labels"]["env"], "prod");
    assert_eq!(us["metadata"]["labels"]["x-k8s.io/cluster-manager"], "kubegenie");
    assert_eq!(us["spec"]["clusterManager"]["name"], "kubegenie");
    assert_eq!(us["status"]["conditions"][0]["type"], "ControlPlaneHealthy");
    assert_eq!(
        us["status"]["accessProviders"][0]["cluster"]["server"],
        fleet.get("prod-us").unwrap().cluster.url()
    );

    // Teams are namespaces with labels.
    let prod_us = client(&fleet, "prod-us");
    let ns: Api<Namespace> = Api::all(prod_us.clone());
    for team in ["payments", "checkout", "search", "data"] {
        let n = ns.get(team).await.unwrap();
        assert_eq!(n.metadata.labels.unwrap()["team"], team);
    }

    // Nodes come from the instance-type table.
    let nodes: Api<Node> = Api::all(prod_us.clone());
    let list = nodes.list(&ListParams::default()).await.unwrap().items;
    assert_eq!(list.len(), 11);
    let spot = list
        .iter()
        .filter(|n| n.metadata.labels.as_ref().unwrap()["eks.amazonaws.com/capacityType"] == "SPOT")
        .count();
    assert_eq!(spot, 3);
    for n in &list {
        let spec = n.spec.as_ref().unwrap();
        assert!(
            spec.provider_id
                .as_deref()
                .unwrap()
                .starts_with("aws:///us-east-1")
        );
        let l = n.metadata.labels.as_ref().unwrap();
        assert!(
            ["m5.xlarge", "r5.xlarge", "m5.2xlarge"]
                .contains(&l["node.kubernetes.io/instance-type"].as_str())
        );
        let info = n.status.as_ref().unwrap().node_info.as_ref().unwrap();
        assert_eq!(info.kubelet_version, "v1.32.3");
    }

    // Scripted objects first: the +10m node failure in the timeline later evicts debug-shell.
    let prod_eu = client(&fleet, "prod-eu");
    let crb: Api<ClusterRoleBinding> = Api::all(prod_eu.clone());
    let b = crb.get("search-default-admin").await.unwrap();
    assert_eq!(b.role_ref.name, "cluster-admin");
    assert_eq!(b.subjects.unwrap()[0].name, "default");
    let pods: Api<Pod> = Api::namespaced(prod_eu, "data");
    let debug = pods.get("debug-shell").await.unwrap();
    let sc = debug.spec.unwrap().containers[0]
        .security_context
        .clone()
        .unwrap();
    assert_eq!(sc.privileged, Some(true));
    // The bad rollout applied by the timeline.
    let deploys: Api<Deployment> = Api::namespaced(prod_us.clone(), "checkout");
    let crashed = eventually(Duration::from_secs(10), || {
        let deploys = deploys.clone();
        async move {
            let d = deploys.get("checkout").await.unwrap();
            let image = d.spec.unwrap().template.spec.unwrap().containers[0].image.clone();
            image.as_deref() == Some("registry.example.com/shop/checkout:crash")
        }
    })
    .await;
    assert!(crashed, "the +1m timeline step sets the crash image");
    let data: Api<Deployment> = Api::namespaced(prod_us, "data");
    let ml = data.get("ml-training").await.unwrap();
    let requests = ml.spec.unwrap().template.spec.unwrap().containers[0]
        .resources
        .clone()
        .unwrap()
        .requests
        .unwrap();
    assert_eq!(requests["cpu"].0, "64");
    fleet.shutdown().await;
}

#[tokio::test]
async fn same_seed_gives_the_same_objects() {
    async fn fingerprint(seed: u64) -> Vec<String> {
        let fleet = demo(seed, 1.0).await;
        let c = client(&fleet, "prod-us");
        let mut out: Vec<String> = Api::<Node>::all(c.clone())
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|n| {
                format!(
                    "{} {}",
                    n.metadata.name.unwrap(),
                    n.spec.unwrap().provider_id.unwrap()
                )
            })
            .collect();
        for d in Api::<Deployment>::all(c)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
        {
            out.push(format!(
                "{} {}",
                d.metadata.name.unwrap(),
                d.metadata.uid.unwrap()
            ));
        }
        fleet.shutdown().await;
        out
    }
    let a = fingerprint(7).await;
    assert_eq!(a, fingerprint(7).await);
    assert_ne!(a, fingerprint(8).await);
}

#[tokio::test]
async fn scale_scenario_starts_small_fleets() {
    let s = scenario::resolve("scale:3:50").unwrap();
    let fleet = Fleet::start(&s, &StartOptions::default()).await.unwrap();
    assert_eq!(fleet.clusters.len(), 3);
    let c = client(&fleet, "scale-002");
    let deploys = Api::<Deployment>::all(c)
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    let replicas: i32 = deploys
        .iter()
        .map(|d| d.spec.as_ref().unwrap().replicas.unwrap())
        .sum();
    assert_eq!(replicas, 50);
    fleet.shutdown().await;
}
