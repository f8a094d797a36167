//! The RBAC audit: who holds cluster-admin, roles with wildcards or access to secrets,
//! `pods/exec`, `escalate`/`bind`/`impersonate`, and grants to default service accounts or to
//! everyone (`system:authenticated`, `system:anonymous`, `system:unauthenticated`).

use super::rbac_rules::{Request, cluster_role_rules, is_builtin, rules_of, subject_ref};
use super::{SecurityAnalyzer, SecurityInput};
use crate::health::analyzer::{Check, Target, finding};
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use serde_json::json;

const fn check(id: &'static str, severity: Severity, title: &'static str) -> Check {
    Check { id, severity, title }
}

/// Bound to cluster-admin.
pub const ADMIN: Check = check(
    "SEC-RBAC-ADMIN-001",
    Severity::High,
    "Subject bound to cluster-admin",
);
/// Wildcards.
pub const WILDCARD: Check = check(
    "SEC-RBAC-WILDCARD-001",
    Severity::Medium,
    "Role uses wildcard verbs or resources",
);
/// Secrets.
pub const SECRETS: Check = check("SEC-RBAC-SECRETS-001", Severity::Medium, "Role can read secrets");
/// Exec.
pub const EXEC: Check = check(
    "SEC-RBAC-EXEC-001",
    Severity::Medium,
    "Role can exec or attach into pods",
);
/// Escalation verbs.
pub const ESCALATE: Check = check(
    "SEC-RBAC-ESCALATE-001",
    Severity::High,
    "Role can escalate, bind or impersonate",
);
/// Default service account.
pub const DEFAULT_SA: Check = check(
    "SEC-RBAC-DEFAULTSA-001",
    Severity::High,
    "Role granted to a default service account",
);
/// Everyone.
pub const PUBLIC: Check = check(
    "SEC-RBAC-PUBLIC-001",
    Severity::Critical,
    "Role granted to every user or to anonymous requests",
);

static CHECKS: [Check; 7] = [ADMIN, WILDCARD, SECRETS, EXEC, ESCALATE, DEFAULT_SA, PUBLIC];

const PUBLIC_GROUPS: [&str; 3] = [
    "system:authenticated",
    "system:unauthenticated",
    "system:anonymous",
];

/// The RBAC analyzer.
pub struct Rbac;

impl SecurityAnalyzer for Rbac {
    fn name(&self) -> &'static str {
        "rbac"
    }

    fn checks(&self) -> &'static [Check] {
        &CHECKS
    }

    fn analyze(&self, input: &SecurityInput, out: &mut Vec<Finding>) {
        let a = &input.access;
        for r in &a.cluster_roles {
            let name = r.metadata.name.as_deref().unwrap_or("");
            if !is_builtin(name, r.metadata.labels.as_ref()) {
                rules(
                    input,
                    Target::cluster("ClusterRole", name),
                    &cluster_role_rules(a, r),
                    out,
                );
            }
        }
        for r in &a.roles {
            let name = r.metadata.name.as_deref().unwrap_or("");
            let ns = r.metadata.namespace.as_deref().unwrap_or("default");
            let list: Vec<&PolicyRule> = r.rules.iter().flatten().collect();
            rules(input, Target::namespaced("Role", ns, name), &list, out);
        }
        for b in &a.cluster_role_bindings {
            binding(
                input,
                "ClusterRoleBinding",
                &b.metadata,
                &b.role_ref,
                b.subjects.as_deref(),
                out,
            );
        }
        for b in &a.role_bindings {
            binding(
                input,
                "RoleBinding",
                &b.metadata,
                &b.role_ref,
                b.subjects.as_deref(),
                out,
            );
        }
    }
}

fn rules(input: &SecurityInput, target: Target<'_>, list: &[&PolicyRule], out: &mut Vec<Finding>) {
    let kind = target.kind.to_ascii_lowercase();
    let edit = format!("kubectl edit {kind} {}{}", target.ns_flag(), target.name);
    let mut emit = |check: &Check, what: Vec<String>, summary: &str| {
        if what.is_empty() {
            return;
        }
        let message = format!(
            "{} {} {}: {}.",
            target.kind,
            target.name,
            check.title.to_lowercase(),
            what.join("; ")
        );
        let rec = Recommendation::new(summary, [edit.clone()]);
        out.push(finding(check, &input.snap, target, message, rec, what));
    };
    let show = |r: &PolicyRule| {
        format!(
            "apiGroups={:?} resources={:?} verbs={:?}",
            r.api_groups.clone().unwrap_or_default(),
            r.resources.clone().unwrap_or_default(),
            r.verbs
        )
    };
    let wild: Vec<String> = list
        .iter()
        .filter(|r| r.verbs.iter().any(|v| v == "*") || r.resources.iter().flatten().any(|x| x == "*"))
        .map(|r| show(r))
        .collect();
    emit(
        &WILDCARD,
        wild,
        "List the verbs and resources the role needs instead of `*`.",
    );
    let secrets: Vec<String> = ["get", "list", "watch"]
        .iter()
        .flat_map(|v| {
            list.iter()
                .filter(move |r| Request::parse(v, "secrets").allowed_by(r))
        })
        .map(|r| show(r))
        .fold(Vec::new(), dedup);
    emit(
        &SECRETS,
        secrets,
        "Limit secret access to the named secrets the workload needs (resourceNames).",
    );
    let exec: Vec<String> = ["pods/exec", "pods/attach"]
        .iter()
        .flat_map(|res| {
            list.iter()
                .filter(move |r| Request::parse("create", res).allowed_by(r))
        })
        .map(|r| show(r))
        .fold(Vec::new(), dedup);
    emit(
        &EXEC,
        exec,
        "Remove pods/exec and pods/attach; use a break-glass role bound only when needed.",
    );
    let esc: Vec<String> = list
        .iter()
        .filter(|r| {
            r.verbs
                .iter()
                .any(|v| matches!(v.as_str(), "escalate" | "bind" | "impersonate"))
        })
        .map(|r| show(r))
        .collect();
    emit(
        &ESCALATE,
        esc,
        "Remove escalate, bind and impersonate: they let the holder grant itself any permission.",
    );
}

fn dedup(mut acc: Vec<String>, s: String) -> Vec<String> {
    if !acc.contains(&s) {
        acc.push(s);
    }
    acc
}

fn binding(
    input: &SecurityInput,
    kind: &'static str,
    meta: &ObjectMeta,
    role: &RoleRef,
    subjects: Option<&[Subject]>,
    out: &mut Vec<Finding>,
) {
    let name = meta.name.as_deref().unwrap_or("");
    if name.starts_with("system:") {
        return;
    }
    let ns = (kind == "RoleBinding").then(|| meta.namespace.as_deref().unwrap_or("default"));
    let target = match ns {
        Some(ns) => Target::namespaced(kind, ns, name),
        None => Target::cluster(kind, name),
    };
    let subjects = subjects.unwrap_or_default();
    let admin = role.kind == "ClusterRole" && role.name == "cluster-admin";
    let everything = admin
        || rules_of(&input.access, role, ns)
            .iter()
            .any(|r| r.verbs.iter().any(|v| v == "*") && r.resources.iter().flatten().any(|x| x == "*"));
    let scope = if ns.is_some() {
        format!("in namespace {}", ns.unwrap_or(""))
    } else {
        "cluster-wide".into()
    };
    let who: Vec<String> = subjects.iter().map(|s| subject_ref(s, ns)).collect();
    let delete = format!(
        "kubectl delete {} {}{name}",
        kind.to_ascii_lowercase(),
        target.ns_flag()
    );
    let remove_subject = |s: &Subject| {
        let mut rest: Vec<&Subject> = subjects.iter().filter(|x| *x != s).collect();
        rest.dedup();
        json!({"subjects": rest})
    };
    let mut emit = |check: &Check, s: &Subject, why: &str| {
        let message = format!(
            "{kind} {name} grants {} {} {scope} to {}: {why}",
            role.kind,
            role.name,
            subject_ref(s, ns)
        );
        let rec = Recommendation {
            summary:
                "Remove the subject from the binding (the patch keeps the others) or delete the binding, \
                      and grant a narrower role instead."
                    .into(),
            commands: vec![delete.clone()],
            patch: Some(remove_subject(s)),
        };
        out.push(finding(check, &input.snap, target, message, rec, who.clone()));
    };
    for s in subjects {
        if admin && !(s.kind == "Group" && s.name == "system:masters") {
            emit(
                &ADMIN,
                s,
                "cluster-admin can do anything to every object of the cluster.",
            );
        }
        if s.kind == "ServiceAccount" && s.name == "default" {
            let why = if everything {
                "every pod that does not name a service account gets full control of the cluster."
            } else {
                "every pod of the namespace that does not name a service account gets these permissions."
            };
            emit(&DEFAULT_SA, s, why);
        }
        if s.kind == "Group" && PUBLIC_GROUPS.contains(&s.name.as_str()) {
            emit(
                &PUBLIC,
                s,
                "anyone who can reach the API server holds these permissions.",
            );
        }
        if s.kind == "User" && s.name == "system:anonymous" {
            emit(&PUBLIC, s, "unauthenticated requests hold these permissions.");
        }
    }
}
