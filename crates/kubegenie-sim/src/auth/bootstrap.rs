//! The default RBAC policy of a fresh kube-apiserver (the parts clients notice), and helpers to
//! grant a user a role, so that e.g. a "read-only token" is simply a user bound to `view`.

use super::rbac::ClusterRoleIndex;
use serde_json::{Value, json};
use std::sync::Arc;

const READ: [&str; 3] = ["get", "list", "watch"];
const WRITE: [&str; 5] = ["create", "delete", "deletecollection", "patch", "update"];

const AGGREGATE_TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const AGGREGATE_TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const AGGREGATE_TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"verbs": verbs, "apiGroups": groups, "resources": resources})
}

fn url_rule(urls: &[&str], verbs: &[&str]) -> Value {
    json!({"verbs": verbs, "nonResourceURLs": urls})
}

/// Metadata kube-apiserver puts on the policy it creates at startup.
fn bootstrap_meta(name: &str, extra_labels: &[(&str, &str)]) -> Value {
    let mut labels = serde_json::Map::new();
    labels.insert("kubernetes.io/bootstrapping".into(), json!("rbac-defaults"));
    for (k, v) in extra_labels {
        labels.insert((*k).into(), json!(v));
    }
    json!({"name": name, "labels": labels,
        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}})
}

fn cluster_role(name: &str, labels: &[(&str, &str)], rules: Vec<Value>) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": bootstrap_meta(name, labels), "rules": rules})
}

fn aggregated_role(name: &str, labels: &[(&str, &str)], selector_label: &str) -> Value {
    let mut role = cluster_role(name, labels, Vec::new());
    role["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {selector_label: "true"}}]});
    role
}

fn group_binding(name: &str, role: &str, groups: &[&str]) -> Value {
    let subjects: Vec<Value> = groups
        .iter()
        .map(|g| json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": g}))
        .collect();
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": bootstrap_meta(name, &[]),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": subjects})
}

fn view_rules() -> Vec<Value> {
    vec![
        rule(
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
            ],
            &READ,
        ),
        rule(
            &[""],
            &[
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
            &READ,
        ),
        rule(&[""], &["namespaces"], &READ),
        rule(&["discovery.k8s.io"], &["endpointslices"], &READ),
        rule(
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
            &READ,
        ),
        rule(
            &["autoscaling"],
            &["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
            &READ,
        ),
        rule(
            &["batch"],
            &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
            &READ,
        ),
        rule(
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
            &READ,
        ),
        rule(
            &["networking.k8s.io"],
            &["ingresses", "ingresses/status", "networkpolicies"],
            &READ,
        ),
    ]
}

fn edit_rules() -> Vec<Value> {
    let pod_access = ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy"];
    vec![
        rule(
            &[""],
            &[&pod_access[..], &["secrets", "services/proxy"]].concat(),
            &READ,
        ),
        rule(&[""], &["serviceaccounts"], &["impersonate"]),
        rule(&[""], &[&["pods"], &pod_access[..]].concat(), &WRITE),
        rule(&[""], &["pods/eviction"], &["create"]),
        rule(
            &[""],
            &[
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
            &WRITE,
        ),
        rule(&[""], &["serviceaccounts/token"], &["create"]),
        rule(
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
            &WRITE,
        ),
        rule(&["autoscaling"], &["horizontalpodautoscalers"], &WRITE),
        rule(&["batch"], &["cronjobs", "jobs"], &WRITE),
        rule(&["policy"], &["poddisruptionbudgets"], &WRITE),
        rule(&["networking.k8s.io"], &["ingresses", "networkpolicies"], &WRITE),
        rule(&["coordination.k8s.io"], &["leases"], crate::catalog::ALL_VERBS),
    ]
}

fn admin_rules() -> Vec<Value> {
    vec![
        rule(
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
            &["create"],
        ),
        rule(
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
            crate::catalog::ALL_VERBS,
        ),
    ]
}

/// The default ClusterRoles and ClusterRoleBindings of a fresh cluster that clients notice:
/// `cluster-admin` (bound to `system:masters`), the user-facing `admin`/`edit`/`view` (aggregated,
/// with their rules already filled in as the aggregation controller leaves them), the
/// `system:aggregate-to-*` roles they aggregate, what metrics-server adds to them, and the
/// discovery/basic-user/public-info roles every authenticated user (or anyone, for public info) has.
pub fn bootstrap_policy() -> Vec<Value> {
    let t = "true";
    let mut roles = vec![
        cluster_role(
            "cluster-admin",
            &[],
            vec![rule(&["*"], &["*"], &["*"]), url_rule(&["*"], &["*"])],
        ),
        aggregated_role("admin", &[], AGGREGATE_TO_ADMIN),
        aggregated_role("edit", &[(AGGREGATE_TO_ADMIN, t)], AGGREGATE_TO_EDIT),
        aggregated_role("view", &[(AGGREGATE_TO_EDIT, t)], AGGREGATE_TO_VIEW),
        cluster_role(
            "system:aggregate-to-admin",
            &[(AGGREGATE_TO_ADMIN, t)],
            admin_rules(),
        ),
        cluster_role(
            "system:aggregate-to-edit",
            &[(AGGREGATE_TO_EDIT, t)],
            edit_rules(),
        ),
        cluster_role(
            "system:aggregate-to-view",
            &[(AGGREGATE_TO_VIEW, t)],
            view_rules(),
        ),
        // metrics-server's manifest ships this; the simulator serves metrics.k8s.io, so `view`
        // must cover it just as on a cluster with metrics-server installed.
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "system:aggregated-metrics-reader",
                "labels": {AGGREGATE_TO_ADMIN: t, AGGREGATE_TO_EDIT: t, AGGREGATE_TO_VIEW: t}},
            "rules": [rule(&["metrics.k8s.io"], &["pods", "nodes"], &READ)]}),
        cluster_role(
            "system:discovery",
            &[],
            vec![url_rule(
                &[
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                    "/healthz",
                    "/livez",
                    "/openapi",
                    "/openapi/*",
                    "/readyz",
                    "/version",
                    "/version/",
                ],
                &["get"],
            )],
        ),
        cluster_role(
            "system:basic-user",
            &[],
            vec![
                rule(
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                    &["create"],
                ),
                rule(&["authentication.k8s.io"], &["selfsubjectreviews"], &["create"]),
            ],
        ),
        cluster_role(
            "system:public-info-viewer",
            &[],
            vec![url_rule(
                &["/healthz", "/livez", "/readyz", "/version", "/version/"],
                &["get"],
            )],
        ),
    ];
    fill_aggregated_rules(&mut roles);

    let mut policy = roles;
    policy.push(group_binding(
        "cluster-admin",
        "cluster-admin",
        &["system:masters"],
    ));
    policy.push(group_binding(
        "system:discovery",
        "system:discovery",
        &["system:authenticated"],
    ));
    policy.push(group_binding(
        "system:basic-user",
        "system:basic-user",
        &["system:authenticated"],
    ));
    policy.push(group_binding(
        "system:public-info-viewer",
        "system:public-info-viewer",
        &["system:authenticated", "system:unauthenticated"],
    ));
    policy
}

/// Stores the aggregated rules in `admin`/`edit`/`view`, so `kubectl get clusterrole view -o
/// yaml` shows what it shows on a real cluster once the aggregation controller has run.
fn fill_aggregated_rules(roles: &mut [Value]) {
    let shared: Vec<Arc<Value>> = roles.iter().cloned().map(Arc::new).collect();
    let index = ClusterRoleIndex::new(&shared);
    for role in roles.iter_mut() {
        if role.get("aggregationRule").is_none() {
            continue;
        }
        let name = role["metadata"]["name"].as_str().unwrap_or_default();
        if let Ok(rules) = index.rules(name) {
            role["rules"] = Value::Array(rules.into_iter().cloned().collect());
        }
    }
}

/// A ClusterRoleBinding that grants `cluster_role` (e.g. `view`) to the user `user` everywhere.
///
/// The binding is named `kubegenie:<role>:<user>` (with `/` and `%`, which names may not
/// contain, replaced by `-`), so granting the same role twice replaces rather than duplicates.
pub fn bind_user_to_cluster_role(user: &str, cluster_role: &str) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": binding_name(cluster_role, user)},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
        "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": user}]})
}

/// A RoleBinding in `namespace` that grants `user` a Role (`role_kind` = `Role`) or a
/// ClusterRole (`role_kind` = `ClusterRole`) within that namespace only.
pub fn bind_user_to_role(namespace: &str, user: &str, role_kind: &str, role: &str) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": binding_name(role, user), "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": user}]})
}

fn binding_name(role: &str, user: &str) -> String {
    format!("kubegenie:{role}:{user}").replace(['/', '%'], "-")
}
