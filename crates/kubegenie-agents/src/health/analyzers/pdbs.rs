//! PodDisruptionBudgets that block every voluntary eviction (node drains hang on them) or that
//! select no pods at all.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use crate::health::objects::label_selects;
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// No disruption is allowed: drains and evictions block.
pub const BLOCKING: Check = Check {
    id: "PDB-BLOCKING-001",
    severity: Severity::Medium,
    title: "PodDisruptionBudget allows no disruption",
};
/// The selector matches no pod.
pub const NO_PODS: Check = Check {
    id: "PDB-NOPODS-001",
    severity: Severity::Low,
    title: "PodDisruptionBudget selects no pods",
};

/// The PDB analyzer.
pub struct Pdbs;

impl Analyzer for Pdbs {
    fn name(&self) -> &'static str {
        "pdbs"
    }

    fn checks(&self) -> &'static [Check] {
        &[BLOCKING, NO_PODS]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for pdb in &snap.pdbs {
            let ns = pdb.metadata.namespace.as_deref().unwrap_or_default();
            let name = pdb.metadata.name.as_deref().unwrap_or_default();
            let t = Target::namespaced("PodDisruptionBudget", ns, name);
            let selector = pdb.spec.as_ref().and_then(|s| s.selector.as_ref());
            let selected = snap
                .pods
                .iter()
                .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
                .filter(|p| selector.is_some_and(|s| label_selects(s, p.metadata.labels.as_ref())))
                .count();
            if snap.has("pods") && selected == 0 {
                out.push(finding(
                    &NO_PODS,
                    snap,
                    t,
                    format!("poddisruptionbudget {name} selects no pods: it protects nothing"),
                    Recommendation::new(
                        "Fix its selector to match the workload's pod labels, or delete it.",
                        [t.describe(), format!("kubectl get pods -n {ns} --show-labels")],
                    ),
                    vec!["matching pods: 0".into()],
                ));
                continue;
            }
            let Some(st) = &pdb.status else { continue };
            let blocked = st
                .conditions
                .iter()
                .flatten()
                .any(|c| c.type_ == "DisruptionAllowed" && c.status == "False");
            if blocked && st.expected_pods > 0 && st.disruptions_allowed == 0 {
                out.push(finding(
                    &BLOCKING,
                    snap,
                    t,
                    format!(
                        "poddisruptionbudget {name} allows no disruption ({} of {} pods healthy, {} required): node drains will hang",
                        st.current_healthy, st.expected_pods, st.desired_healthy
                    ),
                    Recommendation::new(
                        "Add replicas or lower minAvailable (raise maxUnavailable) so one pod can be evicted.",
                        [t.describe()],
                    ),
                    vec![format!(
                        "disruptionsAllowed=0 currentHealthy={} desiredHealthy={}",
                        st.current_healthy, st.desired_healthy
                    )],
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{ids, object, pod, snapshot};
    use serde_json::json;

    fn pdb(name: &str, app: &str, allowed: i32) -> k8s_openapi::api::policy::v1::PodDisruptionBudget {
        object(json!({"metadata": {"name": name, "namespace": "shop"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": app}}},
            "status": {"currentHealthy": 1, "desiredHealthy": 1, "disruptionsAllowed": allowed, "expectedPods": 1,
                "conditions": [{"type": "DisruptionAllowed", "status": if allowed > 0 { "True" } else { "False" },
                    "reason": "InsufficientPods", "message": "", "lastTransitionTime": "2026-01-01T11:00:00Z"}]}}))
    }

    #[test]
    fn blocking_and_empty_budgets() {
        let mut snap = snapshot();
        snap.pods = vec![pod("shop", "web", json!({})), pod("shop", "db", json!({}))];
        snap.pdbs = vec![
            pdb("web", "web", 1),
            pdb("db", "db", 0),
            pdb("ghost", "nothing", 1),
        ];
        assert_eq!(ids(&Pdbs, &snap), ["PDB-BLOCKING-001 db", "PDB-NOPODS-001 ghost"]);
    }
}
