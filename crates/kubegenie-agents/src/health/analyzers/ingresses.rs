//! Ingresses: an ingress class that does not exist, and backends naming missing Services.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;

/// The named ingress class does not exist: no controller serves the Ingress.
pub const NO_CLASS: Check = Check {
    id: "ING-CLASS-001",
    severity: Severity::High,
    title: "Ingress class does not exist",
};
/// A backend names a Service that does not exist.
pub const NO_BACKEND: Check = Check {
    id: "ING-BACKEND-001",
    severity: Severity::High,
    title: "Ingress backend Service does not exist",
};

/// The Ingress analyzer.
pub struct Ingresses;

fn backends(i: &Ingress) -> Vec<&IngressBackend> {
    let Some(spec) = &i.spec else { return Vec::new() };
    let rules = spec.rules.iter().flatten();
    let paths = rules
        .filter_map(|r| r.http.as_ref())
        .flat_map(|h| h.paths.iter().map(|p| &p.backend));
    spec.default_backend.iter().chain(paths).collect()
}

impl Analyzer for Ingresses {
    fn name(&self) -> &'static str {
        "ingresses"
    }

    fn checks(&self) -> &'static [Check] {
        &[NO_CLASS, NO_BACKEND]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for ing in &snap.ingresses {
            let ns = ing.metadata.namespace.as_deref().unwrap_or_default();
            let name = ing.metadata.name.as_deref().unwrap_or_default();
            let t = Target::namespaced("Ingress", ns, name);
            let class = ing
                .spec
                .as_ref()
                .and_then(|s| s.ingress_class_name.clone())
                .or_else(|| {
                    ing.metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get("kubernetes.io/ingress.class").cloned())
                });
            if let Some(class) = class
                && snap.has("ingressclasses")
                && !snap
                    .ingress_classes
                    .iter()
                    .any(|c| c.metadata.name.as_deref() == Some(&class))
            {
                out.push(finding(
                    &NO_CLASS,
                    snap,
                    t,
                    format!("ingress {name} uses ingress class {class}, which does not exist: no controller serves it"),
                    Recommendation::new(
                        "Use an existing ingress class, or install the controller that provides it.",
                        ["kubectl get ingressclass".into(), t.describe()],
                    ),
                    vec![format!("ingressClassName={class}")],
                ));
            }
            if !snap.has("services") {
                continue;
            }
            let mut missing: Vec<&str> = backends(ing)
                .into_iter()
                .filter_map(|b| b.service.as_ref().map(|s| s.name.as_str()))
                .filter(|svc| {
                    !snap.services.iter().any(|s| {
                        s.metadata.name.as_deref() == Some(*svc)
                            && s.metadata.namespace.as_deref() == Some(ns)
                    })
                })
                .collect();
            missing.dedup();
            for svc in missing {
                out.push(finding(
                    &NO_BACKEND,
                    snap,
                    t,
                    format!("ingress {name} routes to service {svc}, which does not exist in {ns}"),
                    Recommendation::new(
                        "Create the Service, or point the rule at the right one.",
                        [format!("kubectl get services -n {ns}"), t.describe()],
                    ),
                    vec![format!("backend service: {svc}")],
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

    fn ing(name: &str, class: Option<&str>, svc: &str) -> Ingress {
        let mut spec = json!({"rules": [{"host": "a.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": svc, "port": {"number": 80}}}}]}}]});
        if let Some(c) = class {
            spec["ingressClassName"] = json!(c);
        }
        object(json!({"metadata": {"name": name, "namespace": "shop"}, "spec": spec}))
    }

    #[test]
    fn classes_and_backends() {
        let mut snap = snapshot();
        snap.ingress_classes = vec![object(json!({"metadata": {"name": "nginx"}}))];
        snap.services = vec![object(json!({"metadata": {"name": "web", "namespace": "shop"}}))];
        snap.ingresses = vec![
            ing("ok", Some("nginx"), "web"),
            ing("noclass", None, "web"),
            ing("badclass", Some("traefik"), "web"),
            ing("dangling", Some("nginx"), "old-web"),
        ];
        assert_eq!(
            ids(&Ingresses, &snap),
            ["ING-CLASS-001 badclass", "ING-BACKEND-001 dangling"]
        );
    }
}
