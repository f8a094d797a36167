//! Services that route nowhere: a selector no pod matches (a typo, a renamed label), or
//! matching pods none of which is ready. Endpoints are read when the cluster has them;
//! otherwise the pods themselves are matched, as the endpoints controller would.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use crate::health::objects::{age, map_selects};
use k8s_openapi::api::core::v1::{Pod, Service};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// The selector matches no pod.
pub const SELECTOR: Check = Check {
    id: "SVC-SELECTOR-001",
    severity: Severity::High,
    title: "Service selector matches no pods",
};
/// Pods match, but none is ready: the Service has no endpoints.
pub const NO_ENDPOINTS: Check = Check {
    id: "SVC-NOENDPOINTS-001",
    severity: Severity::High,
    title: "Service has no ready endpoints",
};

/// Pods younger than this may still be starting.
const STARTUP_GRACE: Duration = Duration::from_secs(120);

/// The Service analyzer.
pub struct Services;

fn pod_ready(p: &Pod) -> bool {
    let conds = p.status.as_ref().and_then(|s| s.conditions.as_ref());
    conds
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

fn live(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && !matches!(
            p.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Succeeded" | "Failed")
        )
}

/// Ready and not-ready addresses of the Service's Endpoints, when the cluster publishes them.
fn endpoint_counts(snap: &ClusterSnapshot, ns: &str, name: &str) -> Option<(usize, usize)> {
    let ep = snap
        .endpoints
        .iter()
        .find(|e| e.metadata.name.as_deref() == Some(name) && e.metadata.namespace.as_deref() == Some(ns))?;
    let subsets = ep.subsets.iter().flatten();
    let ready = subsets
        .clone()
        .map(|s| s.addresses.as_ref().map_or(0, Vec::len))
        .sum();
    let not_ready = subsets
        .map(|s| s.not_ready_addresses.as_ref().map_or(0, Vec::len))
        .sum();
    Some((ready, not_ready))
}

/// Whether a workload's pod template in `ns` carries the selected labels (its pods are
/// coming, or it is scaled to zero, which the workload checks report).
fn workload_selected(snap: &ClusterSnapshot, ns: &str, sel: &BTreeMap<String, String>) -> bool {
    let in_ns =
        |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| m.namespace.as_deref() == Some(ns);
    let labels = |t: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>| {
        t.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone())
    };
    let templates = snap
        .deployments
        .iter()
        .filter(|d| in_ns(&d.metadata))
        .map(|d| labels(d.spec.as_ref().map(|s| &s.template)))
        .chain(
            snap.stateful_sets
                .iter()
                .filter(|d| in_ns(&d.metadata))
                .map(|d| labels(d.spec.as_ref().map(|s| &s.template))),
        )
        .chain(
            snap.daemon_sets
                .iter()
                .filter(|d| in_ns(&d.metadata))
                .map(|d| labels(d.spec.as_ref().map(|s| &s.template))),
        );
    templates.flatten().any(|l| map_selects(sel, Some(&l)))
}

fn selector_text(sel: &BTreeMap<String, String>) -> String {
    sel.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

impl Analyzer for Services {
    fn name(&self) -> &'static str {
        "services"
    }

    fn checks(&self) -> &'static [Check] {
        &[SELECTOR, NO_ENDPOINTS]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        if !snap.has("pods") {
            return;
        }
        // Pods by namespace once, so each Service scans only its namespace's pods.
        let mut by_ns: HashMap<&str, Vec<&Pod>> = HashMap::new();
        for p in snap.pods.iter().filter(|p| live(p)) {
            by_ns
                .entry(p.metadata.namespace.as_deref().unwrap_or_default())
                .or_default()
                .push(p);
        }
        for svc in &snap.services {
            let ns = svc.metadata.namespace.as_deref().unwrap_or_default();
            analyze_one(
                snap,
                svc,
                by_ns.get(ns).map(Vec::as_slice).unwrap_or_default(),
                out,
            );
        }
    }
}

fn analyze_one(snap: &ClusterSnapshot, svc: &Service, ns_pods: &[&Pod], out: &mut Vec<Finding>) {
    let Some(spec) = &svc.spec else { return };
    if spec.type_.as_deref() == Some("ExternalName") {
        return;
    }
    // Without a selector, endpoints are managed by hand (or by another controller).
    let Some(sel) = spec.selector.as_ref().filter(|s| !s.is_empty()) else {
        return;
    };
    let ns = svc.metadata.namespace.as_deref().unwrap_or_default();
    let name = svc.metadata.name.as_deref().unwrap_or_default();
    let t = Target::namespaced("Service", ns, name);
    let sel_text = selector_text(sel);
    let pods: Vec<&Pod> = ns_pods
        .iter()
        .copied()
        .filter(|p| map_selects(sel, p.metadata.labels.as_ref()))
        .collect();
    if let Some((ready, _)) = endpoint_counts(snap, ns, name)
        && ready > 0
    {
        return;
    }
    if pods.is_empty() {
        // Pods a workload is about to create, or a Service just created: not a mismatch yet.
        let young = age(snap, svc.metadata.creation_timestamp.as_ref()).is_some_and(|a| a < STARTUP_GRACE);
        if young || workload_selected(snap, ns, sel) {
            return;
        }
        let near: Vec<String> = snap
            .pods
            .iter()
            .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
            .filter_map(|p| p.metadata.labels.as_ref())
            .flat_map(|l| l.iter().filter(|(k, _)| sel.contains_key(*k)))
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .take(5)
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!("; pods in {ns} have {}", near.join(", "))
        };
        out.push(finding(
            &SELECTOR,
            snap,
            t,
            format!("service {name} selects {sel_text}, but no running pod in {ns} has those labels{hint}"),
            Recommendation::new(
                "Fix the Service's selector (or the pods' labels) so they match.",
                [
                    format!("kubectl get pods -n {ns} --show-labels"),
                    format!("kubectl get endpoints -n {ns} {name}"),
                ],
            ),
            vec![format!("spec.selector={sel_text}"), "matching pods: 0".into()],
        ));
        return;
    }
    if pods.iter().any(|p| pod_ready(p))
        || pods
            .iter()
            .all(|p| age(snap, p.metadata.creation_timestamp.as_ref()).is_some_and(|a| a < STARTUP_GRACE))
    {
        return;
    }
    let names: Vec<&str> = pods
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .take(5)
        .collect();
    out.push(finding(
        &NO_ENDPOINTS,
        snap,
        t,
        format!(
            "service {name} has no ready endpoints: {} pod(s) match {sel_text} but none is ready, so requests fail",
            pods.len()
        ),
        Recommendation::new(
            "Make the matching pods ready (they are reported separately with their cause).",
            [
                format!("kubectl get pods -n {ns} -l {sel_text}"),
                format!("kubectl get endpoints -n {ns} {name}"),
            ],
        ),
        vec![format!("matching pods, none ready: {}", names.join(", "))],
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{HOUR_AGO, ids, object, pod, snapshot};
    use serde_json::json;

    fn svc(name: &str, app: &str) -> Service {
        object(
            json!({"metadata": {"name": name, "namespace": "shop", "creationTimestamp": HOUR_AGO},
            "spec": {"selector": {"app": app}, "ports": [{"port": 80}]}}),
        )
    }

    #[test]
    fn selectors_and_endpoints() {
        let mut snap = snapshot();
        snap.pods = vec![
            pod("shop", "web", json!({})),
            pod(
                "shop",
                "api",
                json!({"status": {"conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": HOUR_AGO}]}}),
            ),
        ];
        snap.services = vec![
            svc("web", "web"),
            svc("typo", "webb"),
            svc("api", "api"),
            object(
                json!({"metadata": {"name": "db", "namespace": "shop"}, "spec": {"type": "ExternalName",
                "externalName": "db.example.com"}}),
            ),
            object(
                json!({"metadata": {"name": "manual", "namespace": "shop"}, "spec": {"ports": [{"port": 80}]}}),
            ),
        ];
        assert_eq!(
            ids(&Services, &snap),
            ["SVC-SELECTOR-001 typo", "SVC-NOENDPOINTS-001 api"]
        );
        let mut out = Vec::new();
        Services.analyze(&snap, &mut out);
        assert!(out[0].message.contains("app=api"), "{}", out[0].message);
    }

    #[test]
    fn ready_endpoints_win_over_pod_matching() {
        let mut snap = snapshot();
        snap.services = vec![svc("ext", "elsewhere")];
        snap.endpoints = vec![object(json!({"metadata": {"name": "ext", "namespace": "shop"},
            "subsets": [{"addresses": [{"ip": "10.0.0.9"}]}]}))];
        assert!(ids(&Services, &snap).is_empty());
    }

    #[test]
    fn pods_a_workload_will_create_are_not_a_mismatch() {
        let mut snap = snapshot();
        snap.deployments = vec![crate::health::fixtures::deployment("shop", "new", 0, json!({}))];
        let mut fresh = svc("fresh", "nothing");
        fresh.metadata.creation_timestamp = Some(crate::health::fixtures::object(json!(
            crate::health::fixtures::NOW
        )));
        snap.services = vec![svc("new", "new"), fresh];
        assert!(ids(&Services, &snap).is_empty());
    }
}
