//! `who-can VERB RESOURCE [-n NS]`: every subject the cluster's bindings allow to make a
//! request, and through which binding and role, evaluated like the RBAC authorizer (aggregated
//! ClusterRoles included, resourceNames reported as a restriction).

use super::rbac_rules::{Request, restricted_names, rules_of};
use k8s_openapi::api::rbac::v1::{RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubegenie_kube::access::AccessObjects;
use serde::Serialize;

/// One subject that may make the request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Grant {
    /// `User`, `Group` or `ServiceAccount`.
    pub subject_kind: String,
    /// Subject name.
    pub subject: String,
    /// The service account's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_namespace: Option<String>,
    /// Where the grant applies: `*` (cluster-wide) or a namespace.
    pub scope: String,
    /// `ClusterRoleBinding/name` or `RoleBinding/ns/name`.
    pub via: String,
    /// `ClusterRole/name` or `Role/name`.
    pub role: String,
    /// The only object names it applies to (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
}

/// Who can make `req`, in `namespace` (`None`: anywhere; RoleBinding grants then show their
/// namespace as scope). Sorted by subject.
pub fn who_can(access: &AccessObjects, req: &Request, namespace: Option<&str>) -> Vec<Grant> {
    let mut out = vec![Grant {
        subject_kind: "Group".into(),
        subject: "system:masters".into(),
        subject_namespace: None,
        scope: "*".into(),
        via: "(built in: members bypass RBAC)".into(),
        role: "-".into(),
        resource_names: vec![],
    }];
    for b in &access.cluster_role_bindings {
        let via = format!("ClusterRoleBinding/{}", b.metadata.name.as_deref().unwrap_or(""));
        grants(
            access,
            req,
            &b.role_ref,
            None,
            b.subjects.as_deref(),
            via,
            &mut out,
        );
    }
    for b in &access.role_bindings {
        let ns = b.metadata.namespace.as_deref().unwrap_or("default");
        if namespace.is_some_and(|want| want != ns) {
            continue;
        }
        let via = format!("RoleBinding/{ns}/{}", name(&b.metadata));
        grants(
            access,
            req,
            &b.role_ref,
            Some(ns),
            b.subjects.as_deref(),
            via,
            &mut out,
        );
    }
    out.sort();
    out.dedup();
    out
}

fn name(m: &ObjectMeta) -> &str {
    m.name.as_deref().unwrap_or("")
}

fn grants(
    access: &AccessObjects,
    req: &Request,
    role: &RoleRef,
    ns: Option<&str>,
    subjects: Option<&[Subject]>,
    via: String,
    out: &mut Vec<Grant>,
) {
    let rules = rules_of(access, role, ns);
    let matching: Vec<_> = rules.iter().filter(|r| req.allowed_by(r)).collect();
    if matching.is_empty() {
        return;
    }
    // Any rule without resourceNames grants every object; otherwise the union of the names.
    let names: Vec<String> = if matching.iter().any(|r| restricted_names(r).is_empty()) {
        vec![]
    } else {
        matching
            .iter()
            .flat_map(|r| restricted_names(r).iter().cloned())
            .collect()
    };
    for s in subjects.unwrap_or_default() {
        let subject_namespace = (s.kind == "ServiceAccount").then(|| {
            s.namespace
                .clone()
                .or(ns.map(str::to_string))
                .unwrap_or_else(|| "default".into())
        });
        out.push(Grant {
            subject_kind: s.kind.clone(),
            subject: s.name.clone(),
            subject_namespace,
            scope: ns.unwrap_or("*").to_string(),
            via: via.clone(),
            role: format!("{}/{}", role.kind, role.name),
            resource_names: names.clone(),
        });
    }
}
