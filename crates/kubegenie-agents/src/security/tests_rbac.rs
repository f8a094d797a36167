//! The RBAC audit and the who-can evaluator on fixtures.

use super::fixtures::{input, run};
use super::rbac::Rbac;
use super::rbac_rules::Request;
use super::whocan::who_can;

const RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: search-default-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default, namespace: search}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: system:masters}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ops}
rules:
- {apiGroups: [''], resources: [pods/exec], verbs: [create]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, bind]}
- {apiGroups: [apps], resources: ['*'], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate-to-monitoring: 'true'}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-deleter, labels: {rbac.example.com/aggregate-to-monitoring: 'true'}}
rules: [{apiGroups: [''], resources: [pods], verbs: [delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-monitors}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects: [{kind: Group, name: system:authenticated}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: payments}
rules: [{apiGroups: [''], resources: [secrets], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: one-secret, namespace: payments}
rules: [{apiGroups: [''], resources: [pods], resourceNames: [api-0], verbs: [delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: contractor-secrets, namespace: payments}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects: [{kind: User, name: contractor@example.com}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bot, namespace: payments}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: one-secret}
subjects: [{kind: ServiceAccount, name: default}]
";

#[test]
fn rbac_audit_finds_each_risky_grant_and_skips_the_built_in_ones() {
    let got: Vec<String> = run(&Rbac, RBAC)
        .iter()
        .map(|f| format!("{} {}/{}", f.id, f.kind, f.name))
        .collect();
    assert_eq!(
        got,
        [
            "SEC-RBAC-WILDCARD-001 ClusterRole/ops",
            "SEC-RBAC-EXEC-001 ClusterRole/ops",
            "SEC-RBAC-ESCALATE-001 ClusterRole/ops",
            "SEC-RBAC-SECRETS-001 Role/secret-reader",
            "SEC-RBAC-ADMIN-001 ClusterRoleBinding/search-default-admin",
            "SEC-RBAC-DEFAULTSA-001 ClusterRoleBinding/search-default-admin",
            "SEC-RBAC-PUBLIC-001 ClusterRoleBinding/everyone-monitors",
            "SEC-RBAC-DEFAULTSA-001 RoleBinding/bot",
        ]
    );
    let admin = run(&Rbac, RBAC)
        .into_iter()
        .find(|f| f.id == "SEC-RBAC-ADMIN-001")
        .unwrap();
    assert!(
        admin.message.contains("ServiceAccount search/default"),
        "{}",
        admin.message
    );
    assert_eq!(
        admin.remediation.commands,
        ["kubectl delete clusterrolebinding search-default-admin"]
    );
    assert_eq!(admin.remediation.patch, Some(serde_json::json!({"subjects": []})));
}

#[test]
fn who_can_follows_bindings_aggregation_and_resource_names() {
    let i = input(RBAC);
    let who = |verb, res, ns| -> Vec<String> {
        who_can(&i.access, &Request::parse(verb, res), ns)
            .iter()
            .map(|g| {
                format!(
                    "{} {} {} {}",
                    g.subject_kind,
                    g.subject,
                    g.scope,
                    g.resource_names.join(",")
                )
            })
            .collect()
    };
    let del = who("delete", "pods", Some("payments"));
    assert!(
        del.contains(&"Group system:authenticated * ".to_string()),
        "{del:?}"
    );
    assert!(
        del.contains(&"ServiceAccount default payments api-0".to_string()),
        "{del:?}"
    );
    assert!(del.contains(&"ServiceAccount default * ".to_string()), "{del:?}");
    assert!(del.contains(&"Group system:masters * ".to_string()));
    let secrets = who("get", "secrets", Some("payments"));
    assert!(
        secrets.contains(&"User contractor@example.com payments ".to_string()),
        "{secrets:?}"
    );
    assert!(
        !who("get", "secrets", Some("shop"))
            .iter()
            .any(|s| s.contains("contractor"))
    );
    let exec = who("create", "pods/exec", None);
    assert!(
        exec.iter()
            .all(|s| s.contains("system:masters") || s.contains("default *")),
        "{exec:?}"
    );
    assert_eq!(exec.len(), 3, "{exec:?}");
    assert!(
        !who("get", "deployments", None)
            .iter()
            .any(|s| s.contains("authenticated"))
    );
    assert_eq!(
        Request::parse("GET", "deployments.apps/scale").resource,
        "deployments/scale"
    );
}
