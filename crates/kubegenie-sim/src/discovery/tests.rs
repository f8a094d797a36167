use super::*;
use crate::catalog::{PrinterColumn, ResourceType};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroup, APIGroupList, APIResourceList, APIVersions};

fn catalog() -> Catalog {
    let mut c = Catalog::builtin();
    let mut crd = ResourceType::builtin("example.com", "v1", "Widget", "widgets", true);
    crd.crd = Some("widgets.example.com".into());
    crd.short_names = vec!["wd".into()];
    crd.subresources = vec!["status".into(), "scale".into()];
    crd.printer_columns = vec![PrinterColumn {
        name: "Size".into(),
        type_: "integer".into(),
        format: String::new(),
        description: String::new(),
        priority: 0,
        json_path: ".spec.size".into(),
    }];
    c.insert(crd);
    c
}

fn resource<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["name"] == name))
        .expect(name)
}

#[test]
fn version_document() {
    let v = version("v1.33.1");
    assert_eq!(v["major"], "1");
    assert_eq!(v["minor"], "33");
    assert_eq!(v["gitVersion"], "v1.33.1");
    assert_eq!(v["gitTreeState"], "clean");
    assert_eq!(v["goVersion"], "go1.24.2");
    assert_eq!(v["compiler"], "gc");
    assert_eq!(v["gitCommit"].as_str().map(str::len), Some(40));
    let k: k8s_openapi::apimachinery::pkg::version::Info = serde_json::from_value(v).expect("Info");
    assert_eq!(k.git_version, "v1.33.1");
    // Odd inputs never panic.
    for odd in ["", "v1", "garbage", "v1.30.0+k3s1"] {
        let _ = version(odd);
    }
    assert_eq!(version("v1.30.0+k3s1")["minor"], "30");
}

#[test]
fn core_list_matches_kube_apiserver() {
    let list = resource_list(&catalog(), "", "v1").expect("core");
    assert!(
        list.get("apiVersion").is_none(),
        "core list carries no apiVersion"
    );
    assert_eq!(list["groupVersion"], "v1");
    let names: Vec<&str> = list["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "sorted by name");
    // Known kube-apiserver storage version hashes.
    for (name, hash) in [
        ("configmaps", "qFsyl6wFWjQ="),
        ("pods", "xPOwRZ+Yhw8="),
        ("namespaces", "Q3oi5N2YM8M="),
        ("events", "r2yiGXH7wu8="),
        ("services", "0/CO1lhkEBI="),
        ("nodes", "XwShjMxG9Fs="),
    ] {
        assert_eq!(resource(&list, name)["storageVersionHash"], hash, "{name}");
    }
    assert!(resource(&list, "bindings").get("storageVersionHash").is_none());
    let pods = resource(&list, "pods");
    assert_eq!(pods["singularName"], "pod");
    assert_eq!(pods["shortNames"], json!(["po"]));
    assert_eq!(pods["categories"], json!(["all"]));
    let ev = resource(&list, "pods/eviction");
    assert_eq!(
        ev,
        &json!({"name": "pods/eviction", "singularName": "", "namespaced": true, "group": "policy",
            "version": "v1", "kind": "Eviction", "verbs": ["create"]})
    );
    assert_eq!(resource(&list, "pods/log")["verbs"], json!(["get"]));
    assert_eq!(resource(&list, "pods/status")["kind"], "Pod");
    assert_eq!(resource(&list, "namespaces/finalize")["verbs"], json!(["update"]));
    let typed: APIResourceList = serde_json::from_value(list).expect("APIResourceList");
    assert!(
        typed
            .resources
            .iter()
            .any(|r| r.name == "replicationcontrollers/scale" && r.kind == "Scale")
    );
}

#[test]
fn apps_list_and_scale() {
    let list = resource_list(&catalog(), "apps", "v1").expect("apps");
    assert_eq!(list["apiVersion"], "v1");
    assert_eq!(list["groupVersion"], "apps/v1");
    assert_eq!(
        resource(&list, "deployments")["storageVersionHash"],
        "8aSe+NMegvE="
    );
    assert_eq!(
        resource(&list, "daemonsets")["storageVersionHash"],
        "dd7pWHUlMKQ="
    );
    assert_eq!(
        resource(&list, "replicasets")["storageVersionHash"],
        "P1RzHs8/mWQ="
    );
    let scale = resource(&list, "statefulsets/scale");
    assert_eq!(
        (&scale["group"], &scale["version"], &scale["kind"]),
        (&json!("autoscaling"), &json!("v1"), &json!("Scale"))
    );
    assert_eq!(scale["verbs"], json!(["get", "patch", "update"]));
    let events = resource_list(&catalog(), "events.k8s.io", "v1").expect("events");
    assert_eq!(
        resource(&events, "events")["storageVersionHash"],
        "r2yiGXH7wu8=",
        "shares core storage"
    );
    assert!(resource_list(&catalog(), "apps", "v1beta1").is_none());
    assert!(resource_list(&catalog(), "nope", "v1").is_none());
}

#[test]
fn groups() {
    let c = catalog();
    let list = group_list(&c);
    let typed: APIGroupList = serde_json::from_value(list.clone()).expect("APIGroupList");
    assert_eq!(typed.groups[0].name, "apiregistration.k8s.io");
    assert_eq!(
        typed.groups.last().map(|g| g.name.as_str()),
        Some("example.com"),
        "CRD groups last"
    );
    assert!(list["groups"][0].get("kind").is_none(), "items carry no kind");
    let apps: APIGroup = serde_json::from_value(group(&c, "apps").expect("apps")).expect("APIGroup");
    assert_eq!(
        apps.preferred_version.map(|p| p.group_version),
        Some("apps/v1".into())
    );
    assert!(group(&c, "nope").is_none());
    let _: APIVersions = serde_json::from_value(core_versions()).expect("APIVersions");
}

#[test]
fn aggregated_apis_parse_with_kube() {
    let c = catalog();
    let doc = aggregated(&c, false);
    assert_eq!(doc["apiVersion"], "apidiscovery.k8s.io/v2");
    let typed: kube::core::discovery::v2::APIGroupDiscoveryList =
        serde_json::from_value(doc.clone()).expect("APIGroupDiscoveryList");
    assert_eq!(typed.items.len(), c.groups().len());
    let apps = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "apps")
        .expect("apps");
    let deploy = apps["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deployments")
        .expect("deployments");
    assert_eq!(
        deploy,
        &json!({"resource": "deployments", "responseKind": {"group": "", "version": "", "kind": "Deployment"},
            "scope": "Namespaced", "singularResource": "deployment",
            "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
            "shortNames": ["deploy"], "categories": ["all"],
            "subresources": [
                {"subresource": "scale", "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
                 "verbs": ["get", "patch", "update"]},
                {"subresource": "status", "responseKind": {"group": "", "version": "", "kind": "Deployment"},
                 "verbs": ["get", "patch", "update"]}]})
    );
    assert_eq!(apps["versions"][0]["freshness"], "Current");
}

#[test]
fn aggregated_core() {
    let doc = aggregated(&catalog(), true);
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0]["metadata"].get("name").is_none());
    assert_eq!(items[0]["versions"][0]["version"], "v1");
    let nodes = items[0]["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "nodes")
        .expect("nodes");
    assert_eq!(nodes["scope"], "Cluster");
    assert_eq!(nodes["shortNames"], json!(["no"]));
}

#[test]
fn accept_negotiation() {
    let cases = [
        (
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json",
            true,
        ),
        (
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json",
            false,
        ),
        ("application/json, */*", false),
        (
            "application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList",
            true,
        ),
        ("", false),
    ];
    for (accept, want) in cases {
        assert_eq!(accepts_aggregated(accept), want, "{accept}");
    }
}

#[test]
fn negotiation_by_server_version() {
    let v2_first = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    let beta_only =
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
    let cases = [
        (v2_first, 33, Some("apidiscovery.k8s.io/v2")),
        (v2_first, 30, Some("apidiscovery.k8s.io/v2")),
        (v2_first, 29, Some("apidiscovery.k8s.io/v2beta1")),
        (beta_only, 33, None),
        (beta_only, 28, Some("apidiscovery.k8s.io/v2beta1")),
        (beta_only, 26, None),
        ("application/json, */*", 33, None),
    ];
    for (accept, minor, want) in cases {
        assert_eq!(
            negotiate_aggregated(accept, minor).map(|(v, _)| v),
            want,
            "{accept} @1.{minor}"
        );
    }
    let doc = aggregated_as(&catalog(), false, "apidiscovery.k8s.io/v2beta1");
    assert_eq!(doc["apiVersion"], "apidiscovery.k8s.io/v2beta1");
}

/// kube-rs discovers a running simulated cluster both ways, with the same result.
#[tokio::test]
async fn kube_discovery_legacy_and_aggregated() {
    use kube::discovery::{Discovery, Scope, verbs};
    let cluster = crate::SimCluster::start(crate::SimConfig::named("disc").http())
        .await
        .expect("cluster");
    let mut cfg = kube::Config::new(cluster.url().parse().expect("url"));
    cfg.auth_info.token = Some(cluster.admin_token().to_string().into());
    let client = kube::Client::try_from(cfg).expect("client");
    let legacy = Discovery::new(client.clone())
        .run()
        .await
        .expect("legacy discovery");
    let aggregated = Discovery::new(client)
        .run_aggregated()
        .await
        .expect("aggregated discovery");
    for d in [&legacy, &aggregated] {
        let gvk = kube::core::GroupVersionKind::gvk("apps", "v1", "Deployment");
        let (ar, caps) = d.resolve_gvk(&gvk).expect("deployments");
        assert_eq!(ar.plural, "deployments");
        assert_eq!(caps.scope, Scope::Namespaced);
        assert!(caps.supports_operation(verbs::WATCH));
        assert!(caps.subresources.iter().any(|(sr, _)| sr.plural == "scale"));
        let ev = kube::core::GroupVersionKind::gvk("events.k8s.io", "v1", "Event");
        assert!(d.resolve_gvk(&ev).is_some());
        let (node, caps) = d
            .resolve_gvk(&kube::core::GroupVersionKind::gvk("", "v1", "Node"))
            .expect("nodes");
        assert_eq!(
            (node.plural.as_str(), caps.scope.clone()),
            ("nodes", Scope::Cluster)
        );
    }
    let names = |d: &Discovery| d.groups().map(|g| g.name().to_string()).collect::<Vec<_>>();
    let mut a = names(&legacy);
    let mut b = names(&aggregated);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    cluster.shutdown().await;
}
