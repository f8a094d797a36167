//! The built-in resources of the simulated Kubernetes version (placeholder list; see table.rs
//! and discovery.rs for how they are printed and discovered).

use crate::catalog::ResourceType;

/// Every built-in resource served by a simulated cluster, preferred versions first.
pub fn builtin_types() -> Vec<ResourceType> {
    let mut ns = ResourceType::builtin("", "v1", "Namespace", "namespaces", false);
    ns.short_names = vec!["ns".into()];
    ns.subresources = vec!["status".into(), "finalize".into()];
    let mut pods = ResourceType::builtin("", "v1", "Pod", "pods", true);
    pods.short_names = vec!["po".into()];
    pods.categories = vec!["all".into()];
    pods.subresources = vec!["status".into(), "log".into(), "eviction".into()];
    let mut deploy = ResourceType::builtin("apps", "v1", "Deployment", "deployments", true);
    deploy.short_names = vec!["deploy".into()];
    deploy.categories = vec!["all".into()];
    deploy.subresources = vec!["status".into(), "scale".into()];
    let cm = ResourceType::builtin("", "v1", "ConfigMap", "configmaps", true);
    let mut crd = ResourceType::builtin(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    );
    crd.short_names = vec!["crd".into(), "crds".into()];
    crd.subresources = vec!["status".into()];
    let mut svc = ResourceType::builtin("", "v1", "Service", "services", true);
    svc.subresources = vec!["status".into()];
    let mut node = ResourceType::builtin("", "v1", "Node", "nodes", false);
    node.subresources = vec!["status".into()];
    let sa = ResourceType::builtin("", "v1", "ServiceAccount", "serviceaccounts", true);
    let ev = ResourceType::builtin("", "v1", "Event", "events", true);
    let rs = ResourceType::builtin("apps", "v1", "ReplicaSet", "replicasets", true);
    let lease = ResourceType::builtin("coordination.k8s.io", "v1", "Lease", "leases", true);
    let r = "rbac.authorization.k8s.io";
    let cr = ResourceType::builtin(r, "v1", "ClusterRole", "clusterroles", false);
    let crb = ResourceType::builtin(r, "v1", "ClusterRoleBinding", "clusterrolebindings", false);
    let ro = ResourceType::builtin(r, "v1", "Role", "roles", true);
    let rb = ResourceType::builtin(r, "v1", "RoleBinding", "rolebindings", true);
    let mut ssar = ResourceType::builtin(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        false,
    );
    ssar.verbs = vec!["create".into()];
    vec![
        ns, node, pods, svc, cm, sa, ev, deploy, rs, crd, lease, cr, crb, ro, rb, ssar,
    ]
}
