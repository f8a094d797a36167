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
    vec![ns, pods, cm, deploy, crd]
}
