//! RBAC as the API server evaluates it: the effective rules of a role (ClusterRole aggregation
//! included), whether a rule allows a request, and the grants bindings make.

use crate::health::objects::label_selects;
use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule, RoleRef, Subject};
use kubegenie_kube::access::AccessObjects;

/// The rules of a ClusterRole: its own, plus, for an aggregated role, those of every ClusterRole
/// its selectors match (the controller copies them in a live cluster, manifests may not have).
pub fn cluster_role_rules<'a>(access: &'a AccessObjects, role: &'a ClusterRole) -> Vec<&'a PolicyRule> {
    let mut rules: Vec<&PolicyRule> = role.rules.iter().flatten().collect();
    if let Some(agg) = &role.aggregation_rule {
        for sel in agg.cluster_role_selectors.iter().flatten() {
            for other in &access.cluster_roles {
                if other.metadata.name != role.metadata.name
                    && label_selects(sel, other.metadata.labels.as_ref())
                {
                    for r in other.rules.iter().flatten() {
                        if !rules.contains(&r) {
                            rules.push(r);
                        }
                    }
                }
            }
        }
    }
    rules
}

/// The rules a binding's roleRef points at (empty when the role does not exist).
pub fn rules_of<'a>(
    access: &'a AccessObjects,
    role: &RoleRef,
    namespace: Option<&str>,
) -> Vec<&'a PolicyRule> {
    if role.kind == "ClusterRole" {
        access
            .cluster_roles
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some(&role.name))
            .map(|r| cluster_role_rules(access, r))
            .unwrap_or_default()
    } else {
        access
            .roles
            .iter()
            .find(|r| {
                r.metadata.name.as_deref() == Some(&role.name)
                    && r.metadata.namespace.as_deref().unwrap_or("default") == namespace.unwrap_or("default")
            })
            .map(|r| r.rules.iter().flatten().collect())
            .unwrap_or_default()
    }
}

fn has(list: &Option<Vec<String>>, want: &str) -> bool {
    list.iter().flatten().any(|x| x == "*" || x == want)
}

/// A request: verb, API group, resource (with `/subresource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `get`, `create`, ...
    pub verb: String,
    /// API group; `None` matches any group (resource given without one and not well known).
    pub group: Option<String>,
    /// `pods`, `pods/exec`.
    pub resource: String,
}

impl Request {
    /// Parses `VERB` and `RESOURCE[.GROUP][/SUBRESOURCE]` as kubectl auth can-i does.
    pub fn parse(verb: &str, resource: &str) -> Self {
        let (res, sub) = match resource.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (resource, None),
        };
        let (plural, group) = match res.split_once('.') {
            Some((p, g)) => (p.to_string(), Some(g.to_string())),
            None => (res.to_string(), well_known_group(res).map(str::to_string)),
        };
        let resource = match sub {
            Some(s) => format!("{plural}/{s}"),
            None => plural,
        };
        Request {
            verb: verb.to_ascii_lowercase(),
            group,
            resource: resource.to_ascii_lowercase(),
        }
    }

    /// Whether `rule` allows this request (ignoring resourceNames, see [`restricted_names`]).
    pub fn allowed_by(&self, rule: &PolicyRule) -> bool {
        let groups_ok = match &self.group {
            Some(g) => has(&rule.api_groups, g),
            None => rule.api_groups.as_ref().is_some_and(|g| !g.is_empty()),
        };
        let res_ok = rule.resources.iter().flatten().any(|r| {
            r == "*"
                || *r == self.resource
                || self
                    .resource
                    .split_once('/')
                    .is_some_and(|(_, sub)| r == &format!("*/{sub}"))
        });
        groups_ok && res_ok && has(&Some(rule.verbs.clone()), &self.verb)
    }
}

/// Names a rule is limited to (empty: every object).
pub fn restricted_names(rule: &PolicyRule) -> &[String] {
    rule.resource_names.as_deref().unwrap_or_default()
}

/// The API group of common resources, so `who-can get deployments` needs no discovery.
pub fn well_known_group(plural: &str) -> Option<&'static str> {
    Some(match plural {
        "pods"
        | "services"
        | "secrets"
        | "configmaps"
        | "namespaces"
        | "nodes"
        | "serviceaccounts"
        | "persistentvolumeclaims"
        | "persistentvolumes"
        | "endpoints"
        | "events"
        | "limitranges"
        | "resourcequotas"
        | "replicationcontrollers"
        | "*" => "",
        "deployments" | "statefulsets" | "daemonsets" | "replicasets" | "controllerrevisions" => "apps",
        "jobs" | "cronjobs" => "batch",
        "roles" | "rolebindings" | "clusterroles" | "clusterrolebindings" => "rbac.authorization.k8s.io",
        "ingresses" | "networkpolicies" | "ingressclasses" => "networking.k8s.io",
        "horizontalpodautoscalers" => "autoscaling",
        "poddisruptionbudgets" => "policy",
        "customresourcedefinitions" => "apiextensions.k8s.io",
        "storageclasses" => "storage.k8s.io",
        _ => return None,
    })
}

/// `Kind name` (`ServiceAccount search/default`) of a subject.
pub fn subject_ref(s: &Subject, binding_ns: Option<&str>) -> String {
    if s.kind == "ServiceAccount" {
        let ns = s.namespace.as_deref().or(binding_ns).unwrap_or("default");
        format!("ServiceAccount {ns}/{}", s.name)
    } else {
        format!("{} {}", s.kind, s.name)
    }
}

/// Whether a role is one Kubernetes creates itself (bootstrap roles).
pub fn is_builtin(name: &str, labels: Option<&std::collections::BTreeMap<String, String>>) -> bool {
    name.starts_with("system:")
        || matches!(name, "cluster-admin" | "admin" | "edit" | "view")
        || labels.is_some_and(|l| {
            l.get("kubernetes.io/bootstrapping")
                .is_some_and(|v| v == "rbac-defaults")
        })
}
