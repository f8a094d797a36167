use super::allocation::{ContainerKey, IDLE, UNALLOCATED, workload_of};
use super::*;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use serde_json::json;
use std::collections::HashMap;

fn node(name: &str, itype: &str, cpu: &str, mem: &str) -> Node {
    serde_json::from_value(
        json!({"metadata": {"name": name, "labels": {"node.kubernetes.io/instance-type": itype}},
        "status": {"capacity": {"cpu": cpu, "memory": mem}}}),
    )
    .unwrap()
}

fn pod(ns: &str, name: &str, node: &str, cpu: &str, mem: &str, owner: Option<(&str, &str)>) -> Pod {
    let mut v = json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": "x",
            "resources": {"requests": {"cpu": cpu, "memory": mem}}}]},
        "status": {"phase": "Running"}});
    if let Some((kind, owner)) = owner {
        v["metadata"]["ownerReferences"] =
            json!([{"apiVersion": "apps/v1", "kind": kind, "name": owner, "uid": "u", "controller": true}]);
        v["metadata"]["labels"]["pod-template-hash"] = json!("abc12");
    }
    serde_json::from_value(v).unwrap()
}

fn ns(name: &str, team: &str) -> Namespace {
    serde_json::from_value(json!({"metadata": {"name": name, "labels": {"team": team}}})).unwrap()
}

const H: f64 = 24.0;

#[test]
fn rollups_sum_to_the_cost_of_the_nodes() {
    let nodes = [
        node("n1", "m5.xlarge", "4", "16Gi"),
        node("n2", "r5.xlarge", "4", "32Gi"),
    ];
    let pods = [
        pod(
            "shop",
            "web-1",
            "n1",
            "1",
            "2Gi",
            Some(("ReplicaSet", "web-abc12")),
        ),
        pod(
            "shop",
            "web-2",
            "n2",
            "1",
            "2Gi",
            Some(("ReplicaSet", "web-abc12")),
        ),
        pod("data", "etl", "n2", "2", "20Gi", None),
    ];
    let nss = [ns("shop", "checkout"), ns("data", "data")];
    let input = ClusterInput {
        cluster: "c1",
        nodes: &nodes,
        pods: &pods,
        namespaces: &nss,
        usage: None,
    };
    let r = allocate(&[input], &PriceBook::builtin(), H);
    let total = (0.192 + 0.252) * H;
    assert!((r.total() - total).abs() < 1e-9, "{}", r.total());
    assert_eq!(r.basis, Basis::RequestsOnly);
    for by in [
        GroupBy::Cluster,
        GroupBy::Namespace,
        GroupBy::Workload,
        GroupBy::Label("team".into()),
    ] {
        let rows = r.rollup(&by);
        let sum: f64 = rows.iter().map(|r| r.total).sum();
        assert!((sum - total).abs() < 1e-9, "{by:?}: {sum} vs {total}");
        assert!(rows.iter().any(|r| r.key == IDLE), "{by:?}");
    }
    let by_team = r.rollup(&GroupBy::Label("team".into()));
    assert!(
        by_team.iter().any(|r| r.key == "checkout"),
        "namespace labels back pod labels"
    );
    let by_app = r.rollup(&GroupBy::Label("tier".into()));
    assert!(by_app.iter().any(|r| r.key == UNALLOCATED));
    let wl = r.rollup(&GroupBy::Workload);
    assert!(wl.iter().any(|r| r.key == "c1/shop/Deployment/web"), "{wl:?}");
}

#[test]
fn containers_pay_for_the_larger_of_request_and_usage() {
    let nodes = [node("n1", "m5.xlarge", "4", "16Gi")];
    let pods = [pod("shop", "api", "n1", "500m", "1Gi", None)];
    let mut usage: HashMap<ContainerKey, Usage> = HashMap::new();
    let key = ("shop".to_string(), "api".to_string(), "app".to_string());
    usage.insert(
        key.clone(),
        Usage {
            cpu_cores: 1.5,
            memory_bytes: 512.0 * 1024.0 * 1024.0,
        },
    );
    let input = ClusterInput {
        cluster: "c",
        nodes: &nodes,
        pods: &pods,
        namespaces: &[],
        usage: Some(&usage),
    };
    let r = allocate(&[input], &PriceBook::builtin(), H);
    assert_eq!(r.basis, Basis::RequestsAndUsage);
    let a = &r.allocations[0];
    assert!(
        (a.cpu_cores - 1.5).abs() < 1e-12,
        "usage above the request is charged"
    );
    assert!(
        (a.memory_gib - 1.0).abs() < 1e-12,
        "the request above usage is charged"
    );
    let p = PriceBook::builtin().node_price(
        &nodes[0].metadata.labels.clone().unwrap(),
        prices::Capacity {
            cpu_cores: 4.0,
            memory_gib: 16.0,
            gpus: 0.0,
        },
    );
    assert!((a.cpu_cost - 1.5 * p.cpu_core_hour * H).abs() < 1e-12);
}

#[test]
fn over_committed_nodes_never_charge_beyond_their_capacity() {
    let nodes = [node("n1", "m5.large", "2", "8Gi")];
    let pods = [
        pod("a", "p1", "n1", "2", "1Gi", None),
        pod("a", "p2", "n1", "2", "1Gi", None),
    ];
    let input = ClusterInput {
        cluster: "c",
        nodes: &nodes,
        pods: &pods,
        namespaces: &[],
        usage: None,
    };
    let r = allocate(&[input], &PriceBook::builtin(), H);
    let cores: f64 = r.allocations.iter().map(|a| a.cpu_cores).sum();
    assert!((cores - 2.0).abs() < 1e-12, "{cores}");
    let sum: f64 = r.rollup(&GroupBy::Namespace).iter().map(|r| r.total).sum();
    assert!((sum - r.total()).abs() < 1e-9);
}

#[test]
fn finished_and_unscheduled_pods_cost_nothing() {
    let nodes = [node("n1", "m5.large", "2", "8Gi")];
    let mut done = pod("a", "done", "n1", "1", "1Gi", None);
    done.status.as_mut().unwrap().phase = Some("Succeeded".into());
    let mut pending = pod("a", "pending", "n1", "1", "1Gi", None);
    pending.spec.as_mut().unwrap().node_name = None;
    let pods = [done, pending];
    let input = ClusterInput {
        cluster: "c",
        nodes: &nodes,
        pods: &pods,
        namespaces: &[],
        usage: None,
    };
    let r = allocate(&[input], &PriceBook::builtin(), H);
    assert!(r.allocations.is_empty());
    assert!((r.nodes[0].idle - r.nodes[0].cost).abs() < 1e-12);
}

#[test]
fn workloads_are_named_after_their_controllers() {
    assert_eq!(
        workload_of(&pod(
            "a",
            "w-abc12-x",
            "n",
            "1",
            "1Gi",
            Some(("ReplicaSet", "web-abc12"))
        )),
        "Deployment/web"
    );
    assert_eq!(
        workload_of(&pod("a", "db-0", "n", "1", "1Gi", Some(("StatefulSet", "db")))),
        "StatefulSet/db"
    );
    assert_eq!(workload_of(&pod("a", "solo", "n", "1", "1Gi", None)), "Pod/solo");
}
