//! The built-in health analyzers, one per file.

pub mod cronjobs;
pub mod daemonsets;
pub mod deployments;
pub mod events;
pub mod hpas;
pub mod ingresses;
pub mod jobs;
pub mod nodes;
pub mod pdbs;
pub mod pod_containers;
pub mod pod_lifecycle;
pub mod pvcs;
pub mod replicasets;
pub mod services;
pub mod statefulsets;

use crate::health::analyzer::Analyzer;

/// Every built-in analyzer, in report order.
pub fn all() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(nodes::Nodes),
        Box::new(pod_containers::PodContainers),
        Box::new(pod_lifecycle::PodLifecycle),
        Box::new(deployments::Deployments),
        Box::new(replicasets::ReplicaSets),
        Box::new(statefulsets::StatefulSets),
        Box::new(daemonsets::DaemonSets),
        Box::new(jobs::Jobs),
        Box::new(cronjobs::CronJobs),
        Box::new(hpas::Hpas),
        Box::new(services::Services),
        Box::new(ingresses::Ingresses),
        Box::new(pvcs::Pvcs),
        Box::new(pdbs::Pdbs),
        Box::new(events::Events),
    ]
}
