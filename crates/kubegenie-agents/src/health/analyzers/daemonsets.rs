//! DaemonSets: pods not scheduled on every node that should run one, mis-scheduled pods, and
//! unavailable pods.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// Not every eligible node runs the daemon, or it runs where it should not.
pub const NOT_SCHEDULED: Check = Check {
    id: "DS-SCHEDULING-001",
    severity: Severity::High,
    title: "DaemonSet is not fully scheduled",
};
/// Some daemon pods are unavailable.
pub const UNAVAILABLE: Check = Check {
    id: "DS-UNAVAILABLE-001",
    severity: Severity::Medium,
    title: "DaemonSet has unavailable pods",
};

/// The DaemonSet analyzer.
pub struct DaemonSets;

impl Analyzer for DaemonSets {
    fn name(&self) -> &'static str {
        "daemonsets"
    }

    fn checks(&self) -> &'static [Check] {
        &[NOT_SCHEDULED, UNAVAILABLE]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for d in &snap.daemon_sets {
            let Some(st) = &d.status else { continue };
            let ns = d.metadata.namespace.as_deref().unwrap_or_default();
            let name = d.metadata.name.as_deref().unwrap_or_default();
            let t = Target::namespaced("DaemonSet", ns, name);
            let evidence = vec![format!(
                "desired={} scheduled={} misscheduled={} ready={} unavailable={}",
                st.desired_number_scheduled,
                st.current_number_scheduled,
                st.number_misscheduled,
                st.number_ready,
                st.number_unavailable.unwrap_or(0)
            )];
            if st.current_number_scheduled < st.desired_number_scheduled || st.number_misscheduled > 0 {
                out.push(finding(
                    &NOT_SCHEDULED,
                    snap,
                    t,
                    format!(
                        "daemonset {name} runs on {} of {} nodes ({} mis-scheduled)",
                        st.current_number_scheduled, st.desired_number_scheduled, st.number_misscheduled
                    ),
                    Recommendation::new(
                        "Check node taints against the DaemonSet's tolerations, and whether nodes have room for it.",
                        [t.describe(), "kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints".into()],
                    ),
                    evidence,
                ));
            } else if st.number_unavailable.unwrap_or(0) > 0
                && st.updated_number_scheduled.unwrap_or(0) >= st.desired_number_scheduled
            {
                out.push(finding(
                    &UNAVAILABLE,
                    snap,
                    t,
                    format!(
                        "daemonset {name} has {} of {} pods unavailable",
                        st.number_unavailable.unwrap_or(0),
                        st.desired_number_scheduled
                    ),
                    Recommendation::new(
                        "Look at the daemon's pods on the affected nodes.",
                        [format!("kubectl get pods -n {ns} -o wide"), t.describe()],
                    ),
                    evidence,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{ids, object, snapshot};
    use serde_json::json;

    fn ds(
        name: &str,
        desired: i32,
        scheduled: i32,
        unavailable: i32,
    ) -> k8s_openapi::api::apps::v1::DaemonSet {
        object(json!({"metadata": {"name": name, "namespace": "monitoring"},
            "status": {"desiredNumberScheduled": desired, "currentNumberScheduled": scheduled,
                "numberMisscheduled": 0, "numberReady": scheduled - unavailable,
                "numberUnavailable": unavailable, "updatedNumberScheduled": scheduled}}))
    }

    #[test]
    fn scheduling_and_availability() {
        let mut snap = snapshot();
        snap.daemon_sets = vec![ds("ok", 3, 3, 0), ds("partial", 3, 2, 0), ds("sick", 3, 3, 1)];
        assert_eq!(
            ids(&DaemonSets, &snap),
            ["DS-SCHEDULING-001 partial", "DS-UNAVAILABLE-001 sick"]
        );
    }
}
