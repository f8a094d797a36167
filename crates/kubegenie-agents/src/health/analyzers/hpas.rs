//! HorizontalPodAutoscalers: a missing scale target, metrics that cannot be computed, resource
//! metrics on containers without requests, and autoscalers pinned at their maximum.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// The scale target does not exist.
pub const NO_TARGET: Check = Check {
    id: "HPA-TARGET-001",
    severity: Severity::High,
    title: "HPA scale target does not exist",
};
/// Metrics cannot be computed: the HPA does not scale.
pub const NO_METRICS: Check = Check {
    id: "HPA-METRICS-001",
    severity: Severity::High,
    title: "HPA cannot compute its metrics",
};
/// A resource metric on containers without a request for that resource.
pub const NO_REQUESTS: Check = Check {
    id: "HPA-REQUESTS-001",
    severity: Severity::Medium,
    title: "HPA target's containers lack resource requests",
};
/// At its maximum and wanting more.
pub const MAXED: Check = Check {
    id: "HPA-MAXED-001",
    severity: Severity::Medium,
    title: "HPA is at its maximum replicas",
};

/// The HPA analyzer.
pub struct Hpas;

fn template<'a>(
    snap: &'a ClusterSnapshot,
    ns: &str,
    kind: &str,
    name: &str,
) -> Option<Option<&'a PodTemplateSpec>> {
    let same = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        m.name.as_deref() == Some(name) && m.namespace.as_deref() == Some(ns)
    };
    match kind {
        "Deployment" => snap
            .deployments
            .iter()
            .find(|d| same(&d.metadata))
            .map(|d| d.spec.as_ref().map(|s| &s.template)),
        "StatefulSet" => snap
            .stateful_sets
            .iter()
            .find(|d| same(&d.metadata))
            .map(|d| d.spec.as_ref().map(|s| &s.template)),
        "ReplicaSet" => snap
            .replica_sets
            .iter()
            .find(|d| same(&d.metadata))
            .map(|d| d.spec.as_ref().and_then(|s| s.template.as_ref())),
        // Custom scale targets (Argo Rollouts, ...) are not in the snapshot: not judged.
        _ => Some(None),
    }
}

fn resource_metrics(h: &HorizontalPodAutoscaler) -> Vec<String> {
    let spec = h.spec.as_ref();
    let metrics = spec.and_then(|s| s.metrics.as_ref());
    let mut out: Vec<String> = metrics
        .into_iter()
        .flatten()
        .filter_map(|m| m.resource.as_ref().map(|r| r.name.clone()))
        .collect();
    if metrics.is_none_or(|m| m.is_empty()) {
        out.push("cpu".into()); // the default metric: 80 % CPU utilisation
    }
    out
}

impl Analyzer for Hpas {
    fn name(&self) -> &'static str {
        "hpas"
    }

    fn checks(&self) -> &'static [Check] {
        &[NO_TARGET, NO_METRICS, NO_REQUESTS, MAXED]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for h in &snap.hpas {
            let Some(spec) = &h.spec else { continue };
            let ns = h.metadata.namespace.as_deref().unwrap_or_default();
            let name = h.metadata.name.as_deref().unwrap_or_default();
            let t = Target::namespaced("HorizontalPodAutoscaler", ns, name);
            let target = &spec.scale_target_ref;
            let tref = format!("{}/{}", target.kind.to_ascii_lowercase(), target.name);
            match template(snap, ns, &target.kind, &target.name) {
                None => out.push(finding(
                    &NO_TARGET,
                    snap,
                    t,
                    format!("hpa {name} scales {tref}, which does not exist"),
                    Recommendation::new(
                        "Point scaleTargetRef at an existing workload, or delete the HPA.",
                        [format!("kubectl get -n {ns} {tref}"), t.describe()],
                    ),
                    vec![format!("spec.scaleTargetRef={tref}")],
                )),
                Some(Some(tpl)) => requests(snap, h, tpl, t, &tref, out),
                Some(None) => {}
            }
            conditions(snap, h, t, &tref, out);
        }
    }
}

fn requests(
    snap: &ClusterSnapshot,
    h: &HorizontalPodAutoscaler,
    tpl: &PodTemplateSpec,
    t: Target<'_>,
    tref: &str,
    out: &mut Vec<Finding>,
) {
    let containers = tpl
        .spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    for res in resource_metrics(h) {
        let missing: Vec<&str> = containers
            .iter()
            .filter(|c| {
                c.resources
                    .as_ref()
                    .and_then(|r| r.requests.as_ref())
                    .is_none_or(|r| !r.contains_key(&res))
            })
            .map(|c| c.name.as_str())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let ns = t.namespace.unwrap_or_default();
        out.push(finding(
            &NO_REQUESTS,
            snap,
            t,
            format!(
                "hpa {} scales on {res} utilisation, but container(s) {} of {tref} request no {res}",
                t.name,
                missing.join(", ")
            ),
            Recommendation::new(
                format!(
                    "Set {res} requests on every container of the target; utilisation is relative to them."
                ),
                [format!(
                    "kubectl set resources -n {ns} {tref} --requests={res}=<amount>"
                )],
            ),
            vec![format!(
                "containers without {res} requests: {}",
                missing.join(", ")
            )],
        ));
    }
}

fn conditions(
    snap: &ClusterSnapshot,
    h: &HorizontalPodAutoscaler,
    t: Target<'_>,
    tref: &str,
    out: &mut Vec<Finding>,
) {
    let Some(st) = &h.status else { return };
    let ns = t.namespace.unwrap_or_default();
    let conds = st.conditions.as_deref().unwrap_or_default();
    let failing = conds
        .iter()
        .find(|c| (c.type_ == "ScalingActive" || c.type_ == "AbleToScale") && c.status == "False");
    if let Some(c) = failing {
        out.push(finding(
            &NO_METRICS,
            snap,
            t,
            format!(
                "hpa {} cannot scale {tref} ({}): {}",
                t.name,
                c.reason.as_deref().unwrap_or(&c.type_),
                c.message.as_deref().unwrap_or("no message")
            ),
            Recommendation::new(
                "Check the metrics pipeline (metrics-server or the custom metrics adapter) and the metric names.",
                [t.describe(), "kubectl get apiservice v1beta1.metrics.k8s.io".into(), format!("kubectl top pods -n {ns}")],
            ),
            vec![format!("condition {}=False reason={}", c.type_, c.reason.as_deref().unwrap_or("-"))],
        ));
        return;
    }
    let max = h.spec.as_ref().map_or(0, |s| s.max_replicas);
    let limited = conds.iter().any(|c| {
        c.type_ == "ScalingLimited" && c.status == "True" && c.reason.as_deref() == Some("TooManyReplicas")
    });
    if st.current_replicas.unwrap_or(0) >= max && (limited || st.desired_replicas >= max) {
        out.push(finding(
            &MAXED,
            snap,
            t,
            format!(
                "hpa {} runs {tref} at its maximum of {max} replicas and would scale further",
                t.name
            ),
            Recommendation::new(
                "Raise maxReplicas if the cluster has room, or make each replica handle more load.",
                [format!(
                    "kubectl patch hpa -n {ns} {} -p '{{\"spec\":{{\"maxReplicas\":{}}}}}'",
                    t.name,
                    max * 2
                )],
            ),
            vec![format!(
                "currentReplicas={} desiredReplicas={} maxReplicas={max}",
                st.current_replicas.unwrap_or(0),
                st.desired_replicas
            )],
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{deployment, ids, object, snapshot};
    use serde_json::json;

    fn hpa(name: &str, target: &str, status: serde_json::Value) -> HorizontalPodAutoscaler {
        object(json!({"metadata": {"name": name, "namespace": "shop"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
                "minReplicas": 1, "maxReplicas": 5,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 70}}}]},
            "status": status}))
    }

    #[test]
    fn target_metrics_requests_and_max() {
        let mut snap = snapshot();
        snap.deployments = vec![
            deployment("shop", "web", 2, json!({})),
            deployment(
                "shop",
                "bare",
                2,
                json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "x"}]}}}}),
            ),
        ];
        snap.hpas = vec![
            hpa("ok", "web", json!({"currentReplicas": 2, "desiredReplicas": 2})),
            hpa(
                "lost",
                "gone",
                json!({"currentReplicas": 0, "desiredReplicas": 0}),
            ),
            hpa(
                "blind",
                "web",
                json!({"currentReplicas": 2, "desiredReplicas": 2, "conditions": [
                {"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric",
                 "message": "unable to get metrics for resource cpu"}]}),
            ),
            hpa(
                "noreq",
                "bare",
                json!({"currentReplicas": 2, "desiredReplicas": 2}),
            ),
            hpa(
                "max",
                "web",
                json!({"currentReplicas": 5, "desiredReplicas": 5, "conditions": [
                {"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas"}]}),
            ),
        ];
        assert_eq!(
            ids(&Hpas, &snap),
            [
                "HPA-TARGET-001 lost",
                "HPA-METRICS-001 blind",
                "HPA-REQUESTS-001 noreq",
                "HPA-MAXED-001 max"
            ]
        );
    }
}
