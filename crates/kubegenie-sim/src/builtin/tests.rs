use super::*;
use crate::catalog::Catalog;

fn find(types: &[ResourceType], group: &str, plural: &str) -> ResourceType {
    types
        .iter()
        .find(|t| t.group == group && t.plural == plural)
        .cloned()
        .expect("type present")
}

/// (group, plural, kind, namespaced, shortNames, categories, number of verbs, subresources)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
    &'static [&'static str],
    usize,
    &'static [&'static str],
);

#[test]
fn facts_match_kube_apiserver() {
    let types = builtin_types();
    // (group, plural, kind, namespaced, shortNames, categories, verbs, subresources)
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("", "pods", "Pod", true, &["po"], &["all"], 8, &["binding", "ephemeralcontainers", "eviction", "log", "resize", "status"]),
        ("", "namespaces", "Namespace", false, &["ns"], &[], 7, &["finalize", "status"]),
        ("", "services", "Service", true, &["svc"], &["all"], 8, &["status"]),
        ("", "endpoints", "Endpoints", true, &["ep"], &[], 8, &[]),
        ("", "componentstatuses", "ComponentStatus", false, &["cs"], &[], 2, &[]),
        ("apps", "deployments", "Deployment", true, &["deploy"], &["all"], 8, &["scale", "status"]),
        ("apps", "daemonsets", "DaemonSet", true, &["ds"], &["all"], 8, &["status"]),
        ("batch", "jobs", "Job", true, &[], &["all"], 8, &["status"]),
        ("batch", "cronjobs", "CronJob", true, &["cj"], &["all"], 8, &["status"]),
        ("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, &["hpa"], &["all"], 8, &["status"]),
        ("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, &[], &[], 1, &[]),
        ("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", true, &[], &[], 1, &[]),
        ("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", false, &["crd", "crds"], &["api-extensions"], 8, &["status"]),
        ("scheduling.k8s.io", "priorityclasses", "PriorityClass", false, &["pc"], &[], 8, &[]),
        ("discovery.k8s.io", "endpointslices", "EndpointSlice", true, &[], &[], 8, &[]),
        ("coordination.k8s.io", "leases", "Lease", true, &[], &[], 8, &[]),
        ("networking.k8s.io", "networkpolicies", "NetworkPolicy", true, &["netpol"], &[], 8, &[]),
    ];
    for (group, plural, kind, namespaced, short, cats, nverbs, subs) in cases {
        let t = find(&types, group, plural);
        assert_eq!(&t.kind, kind, "{plural}");
        assert_eq!(t.namespaced, *namespaced, "{plural}");
        assert_eq!(t.short_names, *short, "{plural}");
        assert_eq!(t.categories, *cats, "{plural}");
        assert_eq!(t.verbs.len(), *nverbs, "{plural}");
        assert_eq!(t.subresources, *subs, "{plural}");
        assert_eq!(t.singular, kind.to_ascii_lowercase(), "{plural}");
    }
}

#[test]
fn events_v1_shares_core_storage() {
    let types = builtin_types();
    let ev = find(&types, "events.k8s.io", "events");
    assert_eq!(ev.storage, StorageKey::new("", "events"));
    assert_eq!(ev.conversion, Conversion::EventsV1);
    let catalog = Catalog::builtin();
    // The first registered type of a storage key is its preferred view.
    let key = StorageKey::new("", "events");
    let pref = catalog
        .all()
        .iter()
        .find(|t| t.storage == key)
        .expect("events stored");
    assert_eq!(pref.group, "", "core/v1 is the preferred view of stored events");
}

#[test]
fn group_order_follows_kube_apiserver() {
    let groups = Catalog::builtin().groups();
    let pos = |g: &str| groups.iter().position(|x| x == g).expect(g);
    let order = [
        "apiregistration.k8s.io",
        "apps",
        "events.k8s.io",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "networking.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "scheduling.k8s.io",
        "coordination.k8s.io",
        "node.k8s.io",
        "discovery.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "metrics.k8s.io",
    ];
    for w in order.windows(2) {
        assert!(pos(w[0]) < pos(w[1]), "{} before {}", w[0], w[1]);
    }
    assert_eq!(groups.len(), order.len());
}

#[test]
fn subresource_kinds() {
    let types = builtin_types();
    let pods = find(&types, "", "pods");
    let deploy = find(&types, "apps", "deployments");
    assert_eq!(
        subresource_info(&deploy, "scale"),
        SubresourceInfo {
            group: Some("autoscaling"),
            version: Some("v1"),
            kind: "Scale".into(),
            verbs: GET_PATCH_UPDATE
        }
    );
    let ev = subresource_info(&pods, "eviction");
    assert_eq!(
        (ev.group, ev.version, ev.kind.as_str(), ev.verbs),
        (Some("policy"), Some("v1"), "Eviction", &["create"][..])
    );
    let log = subresource_info(&pods, "log");
    assert_eq!(
        (log.group, log.kind.as_str(), log.verbs),
        (None, "Pod", &["get"][..])
    );
    let st = subresource_info(&deploy, "status");
    assert_eq!((st.kind.as_str(), st.verbs), ("Deployment", GET_PATCH_UPDATE));
    assert_eq!(subresource_info(&pods, "proxy").kind, "PodProxyOptions");
}

#[test]
fn no_duplicate_paths() {
    let types = builtin_types();
    let mut seen = std::collections::HashSet::new();
    for t in &types {
        assert!(
            seen.insert((t.group.clone(), t.version.clone(), t.plural.clone())),
            "{}",
            t.plural
        );
    }
}
