//! The intents the classifier knows: one stable snake_case name each, whether it writes, and a
//! one-line description used in help replies and clarification questions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! intents {
    ($($variant:ident => $name:literal, $write:literal, $about:literal;)*) => {
        /// What the user wants done.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Intent {
            $(#[doc = $about] $variant,)*
        }

        impl Intent {
            /// Every intent, in declaration order.
            pub const ALL: &'static [Intent] = &[$(Intent::$variant,)*];

            /// The stable snake_case name (as in JSON).
            pub fn name(self) -> &'static str {
                match self { $(Intent::$variant => $name,)* }
            }

            /// Whether carrying it out changes a cluster or the registry.
            pub fn is_write(self) -> bool {
                match self { $(Intent::$variant => $write,)* }
            }

            /// One line saying what it does.
            pub fn about(self) -> &'static str {
                match self { $(Intent::$variant => $about,)* }
            }

            /// The intent with this stable name.
            pub fn from_name(name: &str) -> Option<Intent> {
                match name { $($name => Some(Intent::$variant),)* _ => None }
            }
        }
    };
}

intents! {
    ListClusters => "list_clusters", false, "list the registered clusters";
    SwitchContext => "switch_context", false, "switch the current cluster and/or namespace";
    AddCluster => "add_cluster", true, "register a cluster (kubeconfig context or API server URL)";
    RemoveCluster => "remove_cluster", true, "remove a cluster from the registry";
    ClusterHealth => "cluster_health", false, "check the health of clusters";
    NodeStatus => "node_status", false, "show node status and conditions";
    GetResources => "get_resources", false, "list resources (pods, deployments, services, ...)";
    DescribeResource => "describe_resource", false, "describe one object in detail";
    GetLogs => "get_logs", false, "show the logs of a pod or workload";
    TopUsage => "top_usage", false, "show CPU and memory usage";
    Diagnose => "diagnose", false, "find out why something is failing";
    ListAgents => "list_agents", false, "list the analysis agents and their state";
    ListTasks => "list_tasks", false, "list running and recent tasks";
    CostReport => "cost_report", false, "report costs by cluster, namespace or team";
    SecurityAudit => "security_audit", false, "audit security and compliance";
    RbacWhoCan => "rbac_who_can", false, "find who may perform an action";
    Rightsizing => "rightsizing", false, "recommend right-sized requests and limits";
    Anomalies => "anomalies", false, "find anomalies in metrics";
    LogAnalysis => "log_analysis", false, "find error patterns across logs";
    Scale => "scale", true, "scale a workload to a number of replicas";
    Restart => "restart", true, "restart a workload (rolling)";
    Rollback => "rollback", true, "roll a workload back to a previous revision";
    DeleteResource => "delete_resource", true, "delete an object";
    Heal => "heal", true, "fix detected problems automatically";
    CreateHpa => "create_hpa", true, "create a horizontal pod autoscaler";
    SetResources => "set_resources", true, "set CPU/memory requests and limits";
    CordonNode => "cordon_node", true, "mark a node unschedulable";
    DrainNode => "drain_node", true, "drain a node (evict its pods)";
    ProvisionCluster => "provision_cluster", true, "create a new cluster";
    ProvisionResource => "provision_resource", true, "create a database, bucket, cache or queue";
    Teardown => "teardown", true, "tear down a provisioned cluster or resource";
    DriftStatus => "drift_status", false, "compare clusters with their Git source";
    AuditLog => "audit_log", false, "show who did what (the audit log)";
    Help => "help", false, "explain what KubeGenie can do";
    Unknown => "unknown", false, "not understood";
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_json() {
        for &i in Intent::ALL {
            let json = serde_json::to_string(&i).unwrap();
            assert_eq!(json, format!("\"{}\"", i.name()));
            assert_eq!(Intent::from_name(i.name()), Some(i));
        }
        assert_eq!(Intent::ALL.len(), 35);
    }

    #[test]
    fn only_changes_are_writes() {
        assert!(Intent::Scale.is_write() && Intent::DrainNode.is_write());
        assert!(!Intent::GetResources.is_write() && !Intent::Unknown.is_write());
    }
}
