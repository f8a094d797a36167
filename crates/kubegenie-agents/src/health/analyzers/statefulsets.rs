//! StatefulSets: replicas not ready once a rollout is over, and a governing Service that does
//! not exist (pods then get no stable DNS names).

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// Fewer ready replicas than desired.
pub const NOT_READY: Check = Check {
    id: "STS-NOTREADY-001",
    severity: Severity::High,
    title: "StatefulSet replicas are not ready",
};
/// `spec.serviceName` names a Service that does not exist.
pub const NO_SERVICE: Check = Check {
    id: "STS-SERVICE-001",
    severity: Severity::Medium,
    title: "StatefulSet's governing Service is missing",
};

/// The StatefulSet analyzer.
pub struct StatefulSets;

impl Analyzer for StatefulSets {
    fn name(&self) -> &'static str {
        "statefulsets"
    }

    fn checks(&self) -> &'static [Check] {
        &[NOT_READY, NO_SERVICE]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for s in &snap.stateful_sets {
            let ns = s.metadata.namespace.as_deref().unwrap_or_default();
            let name = s.metadata.name.as_deref().unwrap_or_default();
            let t = Target::namespaced("StatefulSet", ns, name);
            let desired = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let service = s
                .spec
                .as_ref()
                .and_then(|s| s.service_name.as_deref())
                .unwrap_or_default();
            if !service.is_empty()
                && snap.has("services")
                && !snap.services.iter().any(|v| {
                    v.metadata.name.as_deref() == Some(service) && v.metadata.namespace.as_deref() == Some(ns)
                })
            {
                out.push(finding(
                    &NO_SERVICE,
                    snap,
                    t,
                    format!("statefulset {name} names governing service {service}, which does not exist"),
                    Recommendation::new(
                        "Create the headless Service (clusterIP: None) the StatefulSet names.",
                        [format!(
                            "kubectl create service clusterip {service} -n {ns} --clusterip=None"
                        )],
                    ),
                    vec![format!("spec.serviceName={service}")],
                ));
            }
            let Some(st) = &s.status else { continue };
            let ready = st.ready_replicas.unwrap_or(0);
            let rolling = st.update_revision.is_some() && st.current_revision != st.update_revision;
            if desired == 0 || ready >= desired || rolling {
                continue;
            }
            out.push(finding(
                &NOT_READY,
                snap,
                t,
                format!("statefulset {name} has {ready} of {desired} replicas ready; later ordinals wait for earlier ones"),
                Recommendation::new(
                    "Look at the first pod that is not ready (and its PVC); StatefulSets start pods in order.",
                    [format!("kubectl get pods -n {ns} -l {}", selector(s)), t.describe()],
                ),
                vec![format!("replicas desired={desired} ready={ready} current={}", st.current_replicas.unwrap_or(0))],
            ));
        }
    }
}

fn selector(s: &k8s_openapi::api::apps::v1::StatefulSet) -> String {
    s.spec
        .as_ref()
        .and_then(|s| s.selector.match_labels.as_ref())
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{ids, object, snapshot};
    use serde_json::json;

    fn sts(name: &str, service: &str, ready: i32) -> k8s_openapi::api::apps::v1::StatefulSet {
        object(json!({"metadata": {"name": name, "namespace": "data"},
            "spec": {"replicas": 3, "serviceName": service, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "db"}]}}},
            "status": {"replicas": 3, "readyReplicas": ready, "currentRevision": "r1", "updateRevision": "r1"}}))
    }

    #[test]
    fn not_ready_and_missing_service() {
        let mut snap = snapshot();
        snap.services = vec![object(json!({"metadata": {"name": "db", "namespace": "data"}}))];
        snap.stateful_sets = vec![
            sts("db", "db", 3),
            sts("broken", "db", 1),
            sts("orphan", "nowhere", 3),
        ];
        assert_eq!(
            ids(&StatefulSets, &snap),
            ["STS-NOTREADY-001 broken", "STS-SERVICE-001 orphan"]
        );
    }
}
