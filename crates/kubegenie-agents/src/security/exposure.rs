//! Network exposure: namespaces running workloads with no NetworkPolicy, Services exposed
//! outside the cluster (LoadBalancer, NodePort), Ingresses serving plain HTTP.

use super::workload::workloads;
use super::{SecurityAnalyzer, SecurityInput};
use crate::health::analyzer::{Check, Target, finding};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use serde_json::json;
use std::collections::BTreeSet;

/// Namespace without NetworkPolicy.
pub const NETPOL: Check = Check {
    id: "SEC-NET-NETPOL-001",
    severity: Severity::Medium,
    title: "Namespace has no NetworkPolicy",
};
/// LoadBalancer.
pub const LB: Check = Check {
    id: "SEC-NET-LOADBALANCER-001",
    severity: Severity::Medium,
    title: "Service exposed through a LoadBalancer",
};
/// NodePort.
pub const NODEPORT: Check = Check {
    id: "SEC-NET-NODEPORT-001",
    severity: Severity::Low,
    title: "Service exposed on node ports",
};
/// Ingress without TLS.
pub const TLS: Check = Check {
    id: "SEC-NET-INGRESSTLS-001",
    severity: Severity::Medium,
    title: "Ingress without TLS",
};

static CHECKS: [Check; 4] = [NETPOL, LB, NODEPORT, TLS];

/// Namespaces the cluster itself runs in; their policies are the platform's business.
pub fn is_system_namespace(ns: &str) -> bool {
    matches!(ns, "kube-system" | "kube-public" | "kube-node-lease")
}

/// The exposure analyzer.
pub struct Exposure;

impl SecurityAnalyzer for Exposure {
    fn name(&self) -> &'static str {
        "exposure"
    }

    fn checks(&self) -> &'static [Check] {
        &CHECKS
    }

    fn analyze(&self, input: &SecurityInput, out: &mut Vec<Finding>) {
        network_policies(input, out);
        services(input, out);
        ingresses(input, out);
    }
}

fn network_policies(input: &SecurityInput, out: &mut Vec<Finding>) {
    if !input.access.has("networkpolicies") {
        return;
    }
    let covered: BTreeSet<&str> = input
        .access
        .network_policies
        .iter()
        .map(|p| p.metadata.namespace.as_deref().unwrap_or("default"))
        .collect();
    let used: BTreeSet<&str> = workloads(input).iter().map(|w| w.namespace).collect();
    for ns in used.difference(&covered).filter(|ns| !is_system_namespace(ns)) {
        let policy = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny-ingress", "namespace": ns},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}});
        let rec = Recommendation {
            summary: "Add a default-deny ingress policy, then allow the traffic each workload needs \
                      (the patch is the policy to apply)."
                .into(),
            commands: vec![],
            patch: Some(policy),
        };
        let message = format!(
            "Namespace {ns} runs workloads but has no NetworkPolicy: every pod in the cluster can reach them."
        );
        out.push(finding(
            &NETPOL,
            &input.snap,
            Target::cluster("Namespace", ns),
            message,
            rec,
            vec![],
        ));
    }
}

fn services(input: &SecurityInput, out: &mut Vec<Finding>) {
    for s in &input.snap.services {
        let Some(spec) = &s.spec else { continue };
        let (ns, name) = (
            s.metadata.namespace.as_deref().unwrap_or("default"),
            s.metadata.name.as_deref().unwrap_or(""),
        );
        let ports: Vec<String> = spec
            .ports
            .iter()
            .flatten()
            .map(|p| match p.node_port {
                Some(np) => format!("{}:{np}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")),
                None => format!("{}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")),
            })
            .collect();
        let check = match spec.type_.as_deref() {
            Some("LoadBalancer") => &LB,
            Some("NodePort") => &NODEPORT,
            _ => continue,
        };
        let open = spec
            .load_balancer_source_ranges
            .as_ref()
            .is_none_or(|r| r.is_empty() || r.iter().any(|x| x == "0.0.0.0/0"));
        if check.id == LB.id && !open {
            continue;
        }
        let target = Target::namespaced("Service", ns, name);
        let message = format!(
            "Service {name} is reachable from outside the cluster ({}, ports {}).",
            spec.type_.as_deref().unwrap_or(""),
            ports.join(", ")
        );
        let patch = if check.id == LB.id {
            json!({"spec": {"loadBalancerSourceRanges": ["10.0.0.0/8"]}})
        } else {
            json!({"spec": {"type": "ClusterIP"}})
        };
        let rec = Recommendation {
            summary: "Expose it through an Ingress or Gateway, or restrict who may connect \
                      (loadBalancerSourceRanges); the patch shows the restriction."
                .into(),
            commands: vec![],
            patch: Some(patch),
        };
        out.push(finding(check, &input.snap, target, message, rec, ports));
    }
}

fn ingresses(input: &SecurityInput, out: &mut Vec<Finding>) {
    for i in &input.snap.ingresses {
        let Some(spec) = &i.spec else { continue };
        if spec.tls.as_ref().is_some_and(|t| !t.is_empty()) {
            continue;
        }
        let (ns, name) = (
            i.metadata.namespace.as_deref().unwrap_or("default"),
            i.metadata.name.as_deref().unwrap_or(""),
        );
        let hosts: Vec<String> = spec
            .rules
            .iter()
            .flatten()
            .filter_map(|r| r.host.clone())
            .collect();
        let patch = json!({"spec": {"tls": [{"hosts": hosts, "secretName": format!("{name}-tls")}]}});
        let rec = Recommendation {
            summary: "Serve it over TLS: add a tls section naming a certificate secret.".into(),
            commands: vec![],
            patch: Some(patch),
        };
        let message = format!("Ingress {name} serves plain HTTP for {}.", hosts.join(", "));
        let target = Target::namespaced("Ingress", ns, name);
        out.push(finding(&TLS, &input.snap, target, message, rec, hosts));
    }
}
