//! The resource catalog: every API resource a simulated cluster serves, built-in or defined by
//! a CustomResourceDefinition, with the facts discovery, routing, storage and printing need.

use std::collections::HashMap;
use std::sync::Arc;

/// Where a resource's objects are stored. Several served versions of one resource (a CRD with
/// v1beta1 and v1, or core/v1 and events.k8s.io/v1 Events) share one storage key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StorageKey {
    /// API group of the stored resource (`""` for core).
    pub group: String,
    /// Plural resource name.
    pub resource: String,
}

impl StorageKey {
    /// A storage key for `resource` in `group`.
    pub fn new(group: &str, resource: &str) -> Self {
        Self {
            group: group.to_string(),
            resource: resource.to_string(),
        }
    }
}

/// How objects of a served version relate to the stored form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Conversion {
    /// Same shape; only `apiVersion` differs (CRD versions with `strategy: None`).
    #[default]
    None,
    /// `events.k8s.io/v1` Event viewed over stored core/v1 Events.
    EventsV1,
    /// `autoscaling/v1` HorizontalPodAutoscaler viewed over stored `autoscaling/v2` ones.
    HpaV1,
}

/// A column of a CRD's `additionalPrinterColumns`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterColumn {
    /// Column header.
    pub name: String,
    /// OpenAPI type: `string`, `integer`, `number`, `boolean`, `date`.
    pub type_: String,
    /// Optional OpenAPI format.
    pub format: String,
    /// Description shown in the Table column definition.
    pub description: String,
    /// 0 = default columns, > 0 = shown only with `-o wide`.
    pub priority: i64,
    /// JSONPath into the object, e.g. `.spec.replicas`.
    pub json_path: String,
}

/// Scale subresource paths of a CRD (`spec.versions[].subresources.scale`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalePaths {
    /// JSONPath of the desired replicas, e.g. `.spec.replicas`.
    pub spec_replicas: String,
    /// JSONPath of the observed replicas, e.g. `.status.replicas`.
    pub status_replicas: String,
    /// JSONPath of the label selector string, if any.
    pub label_selector: Option<String>,
}

/// Everything known about one served resource (one group/version/plural).
#[derive(Debug, Clone)]
pub struct ResourceType {
    /// API group (`""` for core).
    pub group: String,
    /// API version within the group, e.g. `v1`.
    pub version: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Plural resource name, e.g. `deployments`.
    pub plural: String,
    /// Singular name, e.g. `deployment`.
    pub singular: String,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
    /// Short names, e.g. `deploy`.
    pub short_names: Vec<String>,
    /// Categories, e.g. `all`.
    pub categories: Vec<String>,
    /// Verbs served on the main resource.
    pub verbs: Vec<String>,
    /// Subresources served, e.g. `status`, `scale`, `log`, `eviction`.
    pub subresources: Vec<String>,
    /// Printer columns of a CRD (empty for built-ins, whose columns are in `table.rs`).
    pub printer_columns: Vec<PrinterColumn>,
    /// Scale subresource of a CRD.
    pub scale: Option<ScalePaths>,
    /// Where objects are stored.
    pub storage: StorageKey,
    /// Conversion between the served and the stored form.
    pub conversion: Conversion,
    /// `openAPIV3Schema` of a CRD version (used for unknown-field validation and OpenAPI).
    pub schema: Option<serde_json::Value>,
    /// Name of the defining CRD, `None` for built-ins.
    pub crd: Option<String>,
}

/// The usual verbs of a writable resource.
pub const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

impl ResourceType {
    /// A built-in resource type with the full verb set and no subresources.
    pub fn builtin(group: &str, version: &str, kind: &str, plural: &str, namespaced: bool) -> Self {
        Self {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            plural: plural.to_string(),
            singular: kind.to_ascii_lowercase(),
            namespaced,
            short_names: Vec::new(),
            categories: Vec::new(),
            verbs: ALL_VERBS.iter().map(|v| v.to_string()).collect(),
            subresources: Vec::new(),
            printer_columns: Vec::new(),
            scale: None,
            storage: StorageKey::new(group, plural),
            conversion: Conversion::None,
            schema: None,
            crd: None,
        }
    }

    /// `apiVersion` of objects served under this type: `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `plural` or `plural.group`, as used in error messages.
    pub fn qualified(&self) -> String {
        crate::error::qualified_resource(&self.group, &self.plural)
    }

    /// Whether the subresource is served.
    pub fn has_subresource(&self, sub: &str) -> bool {
        self.subresources.iter().any(|s| s == sub)
    }

    /// Whether the verb is served on the main resource.
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// Whether writes to the main resource ignore `status` (status is a subresource).
    pub fn status_is_subresource(&self) -> bool {
        self.has_subresource("status")
    }
}

/// The set of served resources of one cluster; changes when CRDs are created or deleted.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    types: Vec<Arc<ResourceType>>,
    by_path: HashMap<(String, String, String), usize>,
}

impl Catalog {
    /// A catalog of the given types.
    pub fn new(types: Vec<ResourceType>) -> Self {
        let mut c = Self::default();
        for t in types {
            c.insert(t);
        }
        c
    }

    /// The built-in resources of the simulated Kubernetes version.
    pub fn builtin() -> Self {
        Self::new(crate::builtin::builtin_types())
    }

    /// Adds or replaces a resource type.
    pub fn insert(&mut self, t: ResourceType) {
        let key = (t.group.clone(), t.version.clone(), t.plural.clone());
        match self.by_path.get(&key) {
            Some(&i) => self.types[i] = Arc::new(t),
            None => {
                self.by_path.insert(key, self.types.len());
                self.types.push(Arc::new(t));
            }
        }
    }

    /// Removes every type defined by the named CRD.
    pub fn remove_crd(&mut self, crd_name: &str) {
        let kept: Vec<ResourceType> = self
            .types
            .iter()
            .filter(|t| t.crd.as_deref() != Some(crd_name))
            .map(|t| (**t).clone())
            .collect();
        *self = Self::new(kept);
    }

    /// The type served at `/{group}/{version}/{plural}`.
    pub fn get(&self, group: &str, version: &str, plural: &str) -> Option<Arc<ResourceType>> {
        self.by_path
            .get(&(group.to_string(), version.to_string(), plural.to_string()))
            .map(|&i| self.types[i].clone())
    }

    /// The type of a kind in an apiVersion (`apps/v1`, `Deployment`).
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<Arc<ResourceType>> {
        let (group, version) = split_api_version(api_version);
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
            .cloned()
    }

    /// The preferred (first registered) served type stored under `key`.
    pub fn by_storage(&self, key: &StorageKey) -> Option<Arc<ResourceType>> {
        self.types.iter().find(|t| &t.storage == key).cloned()
    }

    /// All served types, in registration order.
    pub fn all(&self) -> &[Arc<ResourceType>] {
        &self.types
    }

    /// Served versions of a group, in registration order (preferred first).
    pub fn versions_of(&self, group: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in self.types.iter().filter(|t| t.group == group) {
            if !out.contains(&t.version) {
                out.push(t.version.clone());
            }
        }
        out
    }

    /// Groups (other than core), in registration order.
    pub fn groups(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in self.types.iter().filter(|t| !t.group.is_empty()) {
            if !out.contains(&t.group) {
                out.push(t.group.clone());
            }
        }
        out
    }
}

/// Splits `apps/v1` into (`apps`, `v1`) and `v1` into (`""`, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}
