//! The built-in resources of the simulated Kubernetes version (v1.33), as kube-apiserver 1.33
//! with default feature gates and API enablement reports them in discovery: names, kinds,
//! scope, verbs, short names, categories and subresources.
//!
//! Groups are registered in kube-apiserver's group priority order, because `/apis` and the
//! aggregated discovery document list groups in registration order and clients (kubectl's
//! resource resolution of short names in particular) prefer the first match.

use crate::catalog::{ALL_VERBS, Conversion, ResourceType, StorageKey};

/// Verb sets of built-in resources.
#[derive(Clone, Copy)]
enum Verbs {
    /// create, delete, deletecollection, get, list, patch, update, watch.
    All,
    /// Everything but deletecollection (namespaces).
    NoCollection,
    /// create only (reviews, bindings).
    Create,
    /// get and list only (componentstatuses).
    GetList,
}

impl Verbs {
    fn list(self) -> Vec<String> {
        let v: &[&str] = match self {
            Self::All => ALL_VERBS,
            Self::NoCollection => &["create", "delete", "get", "list", "patch", "update", "watch"],
            Self::Create => &["create"],
            Self::GetList => &["get", "list"],
        };
        v.iter().map(|s| s.to_string()).collect()
    }
}

/// One row of the built-in table.
struct Spec {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    categories: &'static [&'static str],
    verbs: Verbs,
    subresources: &'static [&'static str],
}

const fn spec(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
) -> Spec {
    Spec {
        group,
        version,
        kind,
        plural,
        namespaced,
        short: &[],
        categories: &[],
        verbs: Verbs::All,
        subresources: &[],
    }
}

impl Spec {
    const fn short(mut self, s: &'static [&'static str]) -> Self {
        self.short = s;
        self
    }
    const fn all(mut self) -> Self {
        self.categories = &["all"];
        self
    }
    const fn api_extensions(mut self) -> Self {
        self.categories = &["api-extensions"];
        self
    }
    const fn verbs(mut self, v: Verbs) -> Self {
        self.verbs = v;
        self
    }
    const fn subs(mut self, s: &'static [&'static str]) -> Self {
        self.subresources = s;
        self
    }
}

const CORE: &str = "";
const STATUS: &[&str] = &["status"];
const STATUS_SCALE: &[&str] = &["scale", "status"];

/// The built-in table, group by group in kube-apiserver's order; within a group version,
/// resources are sorted by name as discovery lists them.
///
/// Subresources list only what the simulator serves. kube-apiserver also serves
/// `pods/{attach,exec,portforward,proxy}`, `nodes/proxy`, `services/proxy` and
/// `serviceaccounts/token`; [`subresource_info`] knows them, so listing them here is all it
/// takes to advertise them once they are handled.
const SPECS: &[Spec] = &[
    // core/v1
    spec(CORE, "v1", "Binding", "bindings", true).verbs(Verbs::Create),
    spec(CORE, "v1", "ComponentStatus", "componentstatuses", false)
        .short(&["cs"])
        .verbs(Verbs::GetList),
    spec(CORE, "v1", "ConfigMap", "configmaps", true).short(&["cm"]),
    spec(CORE, "v1", "Endpoints", "endpoints", true).short(&["ep"]),
    spec(CORE, "v1", "Event", "events", true).short(&["ev"]),
    spec(CORE, "v1", "LimitRange", "limitranges", true).short(&["limits"]),
    spec(CORE, "v1", "Namespace", "namespaces", false)
        .short(&["ns"])
        .verbs(Verbs::NoCollection)
        .subs(&["finalize", "status"]),
    spec(CORE, "v1", "Node", "nodes", false)
        .short(&["no"])
        .subs(STATUS),
    spec(
        CORE,
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
    )
    .short(&["pvc"])
    .subs(STATUS),
    spec(CORE, "v1", "PersistentVolume", "persistentvolumes", false)
        .short(&["pv"])
        .subs(STATUS),
    spec(CORE, "v1", "Pod", "pods", true).short(&["po"]).all().subs(&[
        "binding",
        "ephemeralcontainers",
        "eviction",
        "log",
        "resize",
        "status",
    ]),
    spec(CORE, "v1", "PodTemplate", "podtemplates", true),
    spec(
        CORE,
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        true,
    )
    .short(&["rc"])
    .all()
    .subs(STATUS_SCALE),
    spec(CORE, "v1", "ResourceQuota", "resourcequotas", true)
        .short(&["quota"])
        .subs(STATUS),
    spec(CORE, "v1", "Secret", "secrets", true),
    spec(CORE, "v1", "ServiceAccount", "serviceaccounts", true).short(&["sa"]),
    spec(CORE, "v1", "Service", "services", true)
        .short(&["svc"])
        .all()
        .subs(STATUS),
    // apiregistration.k8s.io
    spec("apiregistration.k8s.io", "v1", "APIService", "apiservices", false)
        .api_extensions()
        .subs(STATUS),
    // apps
    spec("apps", "v1", "ControllerRevision", "controllerrevisions", true),
    spec("apps", "v1", "DaemonSet", "daemonsets", true)
        .short(&["ds"])
        .all()
        .subs(STATUS),
    spec("apps", "v1", "Deployment", "deployments", true)
        .short(&["deploy"])
        .all()
        .subs(STATUS_SCALE),
    spec("apps", "v1", "ReplicaSet", "replicasets", true)
        .short(&["rs"])
        .all()
        .subs(STATUS_SCALE),
    spec("apps", "v1", "StatefulSet", "statefulsets", true)
        .short(&["sts"])
        .all()
        .subs(STATUS_SCALE),
    // events.k8s.io (stored as core/v1 events)
    spec("events.k8s.io", "v1", "Event", "events", true).short(&["ev"]),
    // authentication.k8s.io
    spec(
        "authentication.k8s.io",
        "v1",
        "SelfSubjectReview",
        "selfsubjectreviews",
        false,
    )
    .verbs(Verbs::Create),
    spec(
        "authentication.k8s.io",
        "v1",
        "TokenReview",
        "tokenreviews",
        false,
    )
    .verbs(Verbs::Create),
    // authorization.k8s.io
    spec(
        "authorization.k8s.io",
        "v1",
        "LocalSubjectAccessReview",
        "localsubjectaccessreviews",
        true,
    )
    .verbs(Verbs::Create),
    spec(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        false,
    )
    .verbs(Verbs::Create),
    spec(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
        false,
    )
    .verbs(Verbs::Create),
    spec(
        "authorization.k8s.io",
        "v1",
        "SubjectAccessReview",
        "subjectaccessreviews",
        false,
    )
    .verbs(Verbs::Create),
    // autoscaling: v2 is preferred and stored; v1 is a view of the same objects (what
    // `kubectl autoscale` creates).
    spec(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
    )
    .short(&["hpa"])
    .all()
    .subs(STATUS),
    spec(
        "autoscaling",
        "v1",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
    )
    .short(&["hpa"])
    .all()
    .subs(STATUS),
    // batch
    spec("batch", "v1", "CronJob", "cronjobs", true)
        .short(&["cj"])
        .all()
        .subs(STATUS),
    spec("batch", "v1", "Job", "jobs", true).all().subs(STATUS),
    // certificates.k8s.io
    spec(
        "certificates.k8s.io",
        "v1",
        "CertificateSigningRequest",
        "certificatesigningrequests",
        false,
    )
    .short(&["csr"])
    .subs(&["approval", "status"]),
    // networking.k8s.io
    spec("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false),
    spec("networking.k8s.io", "v1", "Ingress", "ingresses", true)
        .short(&["ing"])
        .subs(STATUS),
    spec("networking.k8s.io", "v1", "IPAddress", "ipaddresses", false).short(&["ip"]),
    spec(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
    )
    .short(&["netpol"]),
    spec("networking.k8s.io", "v1", "ServiceCIDR", "servicecidrs", false).subs(STATUS),
    // policy
    spec(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
    )
    .short(&["pdb"])
    .subs(STATUS),
    // rbac.authorization.k8s.io
    spec(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
    ),
    spec(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
    ),
    spec(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
    ),
    spec("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
    // storage.k8s.io
    spec("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false),
    spec("storage.k8s.io", "v1", "CSINode", "csinodes", false),
    spec(
        "storage.k8s.io",
        "v1",
        "CSIStorageCapacity",
        "csistoragecapacities",
        true,
    ),
    spec("storage.k8s.io", "v1", "StorageClass", "storageclasses", false).short(&["sc"]),
    spec(
        "storage.k8s.io",
        "v1",
        "VolumeAttachment",
        "volumeattachments",
        false,
    )
    .subs(STATUS),
    // admissionregistration.k8s.io
    spec(
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
    )
    .api_extensions(),
    spec(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        false,
    )
    .api_extensions()
    .subs(STATUS),
    spec(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        false,
    )
    .api_extensions(),
    spec(
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
    )
    .api_extensions(),
    // apiextensions.k8s.io
    spec(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    )
    .short(&["crd", "crds"])
    .api_extensions()
    .subs(STATUS),
    // scheduling.k8s.io
    spec(
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        false,
    )
    .short(&["pc"]),
    // coordination.k8s.io
    spec("coordination.k8s.io", "v1", "Lease", "leases", true),
    // node.k8s.io
    spec("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false),
    // discovery.k8s.io
    spec("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true),
    // flowcontrol.apiserver.k8s.io
    spec(
        "flowcontrol.apiserver.k8s.io",
        "v1",
        "FlowSchema",
        "flowschemas",
        false,
    )
    .subs(STATUS),
    spec(
        "flowcontrol.apiserver.k8s.io",
        "v1",
        "PriorityLevelConfiguration",
        "prioritylevelconfigurations",
        false,
    )
    .subs(STATUS),
    // metrics.k8s.io: metrics-server's aggregated API, served by the simulator itself
    // (`observe::metrics_api`), so `kubectl top` and HPAs work on every simulated cluster.
    spec("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", false).verbs(Verbs::GetList),
    spec("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", true).verbs(Verbs::GetList),
];

/// Every built-in resource served by a simulated cluster, in kube-apiserver's group order.
pub fn builtin_types() -> Vec<ResourceType> {
    SPECS
        .iter()
        .map(|s| {
            let mut t = ResourceType::builtin(s.group, s.version, s.kind, s.plural, s.namespaced);
            t.short_names = s.short.iter().map(|x| x.to_string()).collect();
            t.categories = s.categories.iter().map(|x| x.to_string()).collect();
            t.verbs = s.verbs.list();
            t.subresources = s.subresources.iter().map(|x| x.to_string()).collect();
            if s.group == "events.k8s.io" {
                // One storage for both Event APIs, as in kube-apiserver: an event created
                // through either API is visible through the other.
                t.storage = StorageKey::new("", "events");
                t.conversion = Conversion::EventsV1;
            }
            if s.group == "autoscaling" && s.version == "v1" {
                t.conversion = Conversion::HpaV1;
            }
            t
        })
        .collect()
}

/// What discovery reports about a subresource: the kind of object it takes and returns
/// (with its group and version when they differ from the parent's) and its verbs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubresourceInfo {
    /// Group of the subresource's kind, `None` when it is the parent's group.
    pub group: Option<&'static str>,
    /// Version of the subresource's kind, `None` when it is the parent's version.
    pub version: Option<&'static str>,
    /// Kind taken and returned by the subresource.
    pub kind: String,
    /// Verbs served on the subresource.
    pub verbs: &'static [&'static str],
}

const GET_PATCH_UPDATE: &[&str] = &["get", "patch", "update"];
const PROXY_VERBS: &[&str] = &["create", "delete", "get", "patch", "update"];

/// Discovery facts of subresource `sub` of `rt` (built-in or CRD), as kube-apiserver reports
/// them: `scale` is an `autoscaling/v1` `Scale`, `eviction` a `policy/v1` `Eviction`, `log` a
/// `Pod` with verb get, `status` the parent kind with get, patch and update.
pub fn subresource_info(rt: &ResourceType, sub: &str) -> SubresourceInfo {
    let parent = || rt.kind.clone();
    let same = |kind: String, verbs: &'static [&'static str]| SubresourceInfo {
        group: None,
        version: None,
        kind,
        verbs,
    };
    let other = |group, version, kind: &str, verbs| SubresourceInfo {
        group: Some(group),
        version: Some(version),
        kind: kind.to_string(),
        verbs,
    };
    match sub {
        "scale" => other("autoscaling", "v1", "Scale", GET_PATCH_UPDATE),
        "eviction" => other("policy", "v1", "Eviction", &["create"]),
        "token" => other("authentication.k8s.io", "v1", "TokenRequest", &["create"]),
        "log" => same(parent(), &["get"]),
        "binding" => same("Binding".into(), &["create"]),
        "finalize" => same(parent(), &["update"]),
        "attach" => same("PodAttachOptions".into(), &["create", "get"]),
        "exec" => same("PodExecOptions".into(), &["create", "get"]),
        "portforward" => same("PodPortForwardOptions".into(), &["create", "get"]),
        "proxy" => same(format!("{}ProxyOptions", rt.kind), PROXY_VERBS),
        // status, approval, ephemeralcontainers, resize and anything else: the parent kind.
        _ => same(parent(), GET_PATCH_UPDATE),
    }
}

#[cfg(test)]
mod tests;
