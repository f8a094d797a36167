//! What the parser may know about the fleet: cluster names and labels, resource kinds (built-in
//! and CRDs from discovery) and live object names. Everything is optional: with an empty context
//! the parser still understands built-in kinds and explicit names.

use std::collections::BTreeMap;

/// A registered cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownCluster {
    /// Registry name.
    pub name: String,
    /// Cluster labels (`env=prod`).
    pub labels: BTreeMap<String, String>,
}

/// A resource kind and the words that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindInfo {
    /// Lowercase plural resource name (`deployments`).
    pub plural: String,
    /// Lowercase singular (`deployment`).
    pub singular: String,
    /// Short names (`deploy`).
    pub short_names: Vec<String>,
    /// Namespaced (false for nodes, namespaces, CRDs declared cluster-scoped).
    pub namespaced: bool,
}

impl KindInfo {
    /// A kind from its names.
    pub fn new(plural: &str, singular: &str, short_names: &[&str], namespaced: bool) -> Self {
        Self {
            plural: plural.to_ascii_lowercase(),
            singular: singular.to_ascii_lowercase(),
            short_names: short_names.iter().map(|s| s.to_ascii_lowercase()).collect(),
            namespaced,
        }
    }

    /// Every word that names this kind.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        [self.plural.as_str(), self.singular.as_str()]
            .into_iter()
            .chain(self.short_names.iter().map(String::as_str))
    }
}

/// A live object, for fuzzy name matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownObject {
    /// Cluster it lives in, when known.
    pub cluster: Option<String>,
    /// Namespace (None for cluster-scoped objects).
    pub namespace: Option<String>,
    /// Lowercase plural kind.
    pub kind: String,
    /// Name.
    pub name: String,
}

/// Everything the parser may use; build it once per session and reuse it.
#[derive(Debug, Clone)]
pub struct ParseContext {
    /// Registered clusters.
    pub clusters: Vec<KnownCluster>,
    /// Kinds: built-in ones plus whatever discovery added.
    pub kinds: Vec<KindInfo>,
    /// Namespaces known to exist somewhere in the fleet.
    pub namespaces: Vec<String>,
    /// Live objects.
    pub objects: Vec<KnownObject>,
}

impl Default for ParseContext {
    fn default() -> Self {
        Self {
            clusters: Vec::new(),
            kinds: builtin_kinds(),
            namespaces: ["default", "kube-system", "kube-public", "kube-node-lease"]
                .map(String::from)
                .to_vec(),
            objects: Vec::new(),
        }
    }
}

impl ParseContext {
    /// Adds a kind (a CRD from discovery); a kind with the same plural is replaced.
    pub fn add_kind(&mut self, kind: KindInfo) {
        self.kinds.retain(|k| k.plural != kind.plural);
        self.kinds.push(kind);
    }

    /// Adds a cluster.
    pub fn add_cluster(&mut self, name: &str, labels: &[(&str, &str)]) {
        self.clusters.push(KnownCluster {
            name: name.to_string(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        });
    }

    /// Adds a live object (and its namespace).
    pub fn add_object(&mut self, cluster: Option<&str>, namespace: Option<&str>, kind: &str, name: &str) {
        if let Some(ns) = namespace {
            self.add_namespace(ns);
        }
        self.objects.push(KnownObject {
            cluster: cluster.map(String::from),
            namespace: namespace.map(String::from),
            kind: kind.to_string(),
            name: name.to_string(),
        });
    }

    /// Adds a namespace name.
    pub fn add_namespace(&mut self, ns: &str) {
        if !self.namespaces.iter().any(|n| n == ns) {
            self.namespaces.push(ns.to_string());
        }
    }

    /// The kind named by `word` (plural, singular, short name, or `plural.group`).
    pub fn kind(&self, word: &str) -> Option<&KindInfo> {
        let w = word.split_once('.').map_or(word, |(p, _)| p);
        self.kinds.iter().find(|k| k.words().any(|n| n == w))
    }
}

/// The kinds every cluster serves, with kubectl's short names.
pub fn builtin_kinds() -> Vec<KindInfo> {
    let k = KindInfo::new;
    vec![
        k("pods", "pod", &["po"], true),
        k("deployments", "deployment", &["deploy", "deploys"], true),
        k("services", "service", &["svc", "svcs"], true),
        k("nodes", "node", &["no"], false),
        k("namespaces", "namespace", &["ns"], false),
        k("replicasets", "replicaset", &["rs"], true),
        k("statefulsets", "statefulset", &["sts"], true),
        k("daemonsets", "daemonset", &["ds"], true),
        k("jobs", "job", &[], true),
        k("cronjobs", "cronjob", &["cj"], true),
        k("configmaps", "configmap", &["cm"], true),
        k("secrets", "secret", &[], true),
        k("ingresses", "ingress", &["ing"], true),
        k(
            "persistentvolumeclaims",
            "persistentvolumeclaim",
            &["pvc", "pvcs"],
            true,
        ),
        k("persistentvolumes", "persistentvolume", &["pv", "pvs"], false),
        k("storageclasses", "storageclass", &["sc"], false),
        k("serviceaccounts", "serviceaccount", &["sa"], true),
        k("roles", "role", &[], true),
        k("rolebindings", "rolebinding", &[], true),
        k("clusterroles", "clusterrole", &[], false),
        k("clusterrolebindings", "clusterrolebinding", &[], false),
        k("events", "event", &["ev"], true),
        k("endpoints", "endpoint", &["ep"], true),
        k(
            "horizontalpodautoscalers",
            "horizontalpodautoscaler",
            &["hpa", "hpas"],
            true,
        ),
        k("networkpolicies", "networkpolicy", &["netpol"], true),
        k(
            "poddisruptionbudgets",
            "poddisruptionbudget",
            &["pdb", "pdbs"],
            true,
        ),
        k(
            "customresourcedefinitions",
            "customresourcedefinition",
            &["crd", "crds"],
            false,
        ),
        k("limitranges", "limitrange", &[], true),
        k("resourcequotas", "resourcequota", &["quota"], true),
    ]
}
