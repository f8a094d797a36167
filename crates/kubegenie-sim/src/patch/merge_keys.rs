//! How lists and maps combine when two versions of an object meet, by field path.
//!
//! Built-in kinds carry this in Go struct tags (`patchStrategy`/`patchMergeKey` for strategic
//! merge patch, `listType`/`listMapKey`/`mapType` for server-side apply); the table below mirrors
//! those tags for the fields clients actually touch. Custom resources carry it in their
//! `openAPIV3Schema` (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`,
//! `x-kubernetes-map-type`). A path is the field names from the object root with list indices
//! elided, e.g. `["spec", "template", "spec", "containers", "env"]`.

use crate::catalog::ResourceType;
use serde_json::Value;

/// How the items of one list are combined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListStrategy {
    /// The list is one value: a patch or an apply replaces it whole.
    Atomic,
    /// An associative list: items are identified by these key fields. Strategic merge patch uses
    /// the first (its `patchMergeKey`); server-side apply uses all of them.
    Map(Vec<String>),
    /// A set of scalars, merged by value (e.g. `metadata.finalizers`).
    Set,
}

/// The strategies of one list for both merge engines; they differ for a few fields, e.g.
/// `status.podIPs` merges by `ip` in a strategic merge patch but is atomic for apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSchema {
    /// Strategy of strategic merge patch (`patchStrategy`/`patchMergeKey`).
    pub patch: ListStrategy,
    /// Strategy of server-side apply (`listType`/`listMapKey`).
    pub apply: ListStrategy,
}

impl ListSchema {
    fn both(s: ListStrategy) -> Self {
        Self {
            patch: s.clone(),
            apply: s,
        }
    }

    fn atomic() -> Self {
        Self::both(ListStrategy::Atomic)
    }
}

fn keys(k: &[&str]) -> ListStrategy {
    ListStrategy::Map(k.iter().map(|s| s.to_string()).collect())
}

const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// Lists inside a `PodSpec`, by path relative to the pod spec.
fn pod_spec_list(tail: &[&str]) -> Option<ListSchema> {
    let by_name = || ListSchema::both(keys(&["name"]));
    Some(match tail {
        [c] if CONTAINER_LISTS.contains(c) => by_name(),
        [c, "env"] if CONTAINER_LISTS.contains(c) => by_name(),
        [c, "ports"] if CONTAINER_LISTS.contains(c) => ListSchema {
            patch: keys(&["containerPort"]),
            apply: keys(&["containerPort", "protocol"]),
        },
        [c, "volumeMounts"] if CONTAINER_LISTS.contains(c) => ListSchema::both(keys(&["mountPath"])),
        [c, "volumeDevices"] if CONTAINER_LISTS.contains(c) => ListSchema::both(keys(&["devicePath"])),
        [c, "resources", "claims"] if CONTAINER_LISTS.contains(c) => ListSchema {
            patch: ListStrategy::Atomic,
            apply: keys(&["name"]),
        },
        ["volumes"] | ["imagePullSecrets"] | ["resourceClaims"] | ["schedulingGates"] => by_name(),
        ["hostAliases"] => ListSchema::both(keys(&["ip"])),
        ["topologySpreadConstraints"] => ListSchema {
            patch: keys(&["topologyKey"]),
            apply: keys(&["topologyKey", "whenUnsatisfiable"]),
        },
        _ => return None,
    })
}

/// The list strategies of built-in kinds at `path`. Lists not in the table are atomic, as in
/// kube-apiserver for fields without a patch strategy (`tolerations`, `args`, `subsets`,
/// `spec.taints` of a Node, RBAC `rules`, ...).
pub fn list_strategy(path: &[&str]) -> ListSchema {
    if let Some(s) = metadata_list(path) {
        return s;
    }
    // A PodSpec sits under `spec` of a Pod, `spec.template.spec` of workloads and
    // `spec.jobTemplate.spec.template.spec` of CronJobs; the deepest `spec` that yields a
    // known pod-spec list wins, so no per-kind table is needed.
    for (i, seg) in path.iter().enumerate().rev() {
        if *seg == "spec"
            && let Some(s) = pod_spec_list(&path[i + 1..])
        {
            return s;
        }
    }
    match path {
        [.., "status", "conditions"] => ListSchema::both(keys(&["type"])),
        ["status", "podIPs"] | ["status", "hostIPs"] => ListSchema {
            patch: keys(&["ip"]),
            apply: ListStrategy::Atomic,
        },
        ["status", "addresses"] => ListSchema {
            patch: keys(&["type"]),
            apply: ListStrategy::Atomic,
        },
        // Service ports merge by port; apply also needs the protocol to tell TCP from UDP.
        ["spec", "ports"] => ListSchema {
            patch: keys(&["port"]),
            apply: keys(&["port", "protocol"]),
        },
        ["spec", "podCIDRs"] => ListSchema::both(ListStrategy::Set),
        // ServiceAccount.secrets.
        ["secrets"] => ListSchema::both(keys(&["name"])),
        _ => ListSchema::atomic(),
    }
}

fn metadata_list(path: &[&str]) -> Option<ListSchema> {
    match path {
        [.., "metadata", "finalizers"] => Some(ListSchema::both(ListStrategy::Set)),
        [.., "metadata", "ownerReferences"] => Some(ListSchema::both(keys(&["uid"]))),
        _ => None,
    }
}

/// Whether the map or struct at `path` of a built-in kind is atomic for server-side apply:
/// label selectors (`structType=atomic`), Service `spec.selector` and pod `nodeSelector`
/// (`mapType=atomic`).
pub fn builtin_atomic_map(path: &[&str]) -> bool {
    matches!(
        path.last(),
        Some(&"selector" | &"labelSelector" | &"namespaceSelector" | &"podSelector" | &"nodeSelector")
    ) && !path.contains(&"metadata")
}

/// Default of a key field that clients may omit; apply fills it in so that `ports` without a
/// protocol still have a complete key, as kube-apiserver's schema defaults do.
pub fn key_default(key: &str) -> Option<Value> {
    (key == "protocol").then(|| Value::String("TCP".into()))
}

/// The merge schema of one resource type.
#[derive(Debug, Clone, Copy)]
pub enum Schema<'a> {
    /// A built-in kind: the table of this module.
    Builtin,
    /// A custom resource, with the `openAPIV3Schema` of its version if known.
    Custom(Option<&'a Value>),
}

impl<'a> Schema<'a> {
    /// The schema of a resource type.
    pub fn of(rt: &'a ResourceType) -> Self {
        if rt.crd.is_some() {
            Schema::Custom(rt.schema.as_ref())
        } else {
            Schema::Builtin
        }
    }

    /// Whether this is a custom resource (no strategic merge patch).
    pub fn is_custom(&self) -> bool {
        matches!(self, Schema::Custom(_))
    }

    /// Strategies of the list at `path`.
    pub fn list<S: AsRef<str>>(&self, path: &[S]) -> ListSchema {
        let p: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
        match self {
            Schema::Builtin => list_strategy(&p),
            Schema::Custom(schema) => {
                if let Some(s) = (p.first() == Some(&"metadata"))
                    .then(|| metadata_list(&p))
                    .flatten()
                {
                    return s;
                }
                let s = schema
                    .and_then(|s| schema_at(s, &p))
                    .map(crd_list)
                    .unwrap_or(ListStrategy::Atomic);
                ListSchema::both(s)
            }
        }
    }

    /// Whether the map at `path` is atomic for server-side apply.
    pub fn atomic_map<S: AsRef<str>>(&self, path: &[S]) -> bool {
        let p: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
        match self {
            Schema::Builtin => builtin_atomic_map(&p),
            Schema::Custom(schema) => schema.and_then(|s| schema_at(s, &p)).is_some_and(|node| {
                node.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic")
            }),
        }
    }
}

/// The schema node at `path`, descending through `items` of arrays (indices are elided).
fn schema_at<'v>(root: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut node = root;
    for seg in path {
        while let Some(items) = node.get("items") {
            node = items;
        }
        node = match node.get("properties").and_then(|p| p.get(*seg)) {
            Some(n) => n,
            None => node.get("additionalProperties").filter(|a| a.is_object())?,
        };
    }
    Some(node)
}

fn crd_list(node: &Value) -> ListStrategy {
    match node.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => ListStrategy::Set,
        Some("map") => {
            let keys: Vec<String> = node
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            if keys.is_empty() {
                ListStrategy::Atomic
            } else {
                ListStrategy::Map(keys)
            }
        }
        _ => ListStrategy::Atomic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(k: &[&str]) -> ListStrategy {
        keys(k)
    }

    #[test]
    fn builtin_table() {
        let cases: &[(&[&str], ListStrategy, ListStrategy)] = &[
            (&["spec", "containers"], map(&["name"]), map(&["name"])),
            (
                &["spec", "template", "spec", "containers"],
                map(&["name"]),
                map(&["name"]),
            ),
            (
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "spec",
                    "initContainers",
                    "env",
                ],
                map(&["name"]),
                map(&["name"]),
            ),
            (
                &["spec", "template", "spec", "containers", "ports"],
                map(&["containerPort"]),
                map(&["containerPort", "protocol"]),
            ),
            (
                &["spec", "template", "spec", "volumes"],
                map(&["name"]),
                map(&["name"]),
            ),
            (
                &["template", "spec", "containers", "volumeMounts"],
                map(&["mountPath"]),
                map(&["mountPath"]),
            ),
            (&["spec", "ports"], map(&["port"]), map(&["port", "protocol"])),
            (&["metadata", "finalizers"], ListStrategy::Set, ListStrategy::Set),
            (&["metadata", "ownerReferences"], map(&["uid"]), map(&["uid"])),
            (&["status", "conditions"], map(&["type"]), map(&["type"])),
            (&["status", "podIPs"], map(&["ip"]), ListStrategy::Atomic),
            (&["spec", "taints"], ListStrategy::Atomic, ListStrategy::Atomic),
            (
                &["spec", "template", "spec", "tolerations"],
                ListStrategy::Atomic,
                ListStrategy::Atomic,
            ),
            (
                &["spec", "containers", "args"],
                ListStrategy::Atomic,
                ListStrategy::Atomic,
            ),
            (&["subsets"], ListStrategy::Atomic, ListStrategy::Atomic),
            (&["secrets"], map(&["name"]), map(&["name"])),
        ];
        for (path, patch, apply) in cases {
            let s = list_strategy(path);
            assert_eq!(&s.patch, patch, "patch strategy of {path:?}");
            assert_eq!(&s.apply, apply, "apply strategy of {path:?}");
        }
        assert!(builtin_atomic_map(&["spec", "selector"]));
        assert!(!builtin_atomic_map(&["metadata", "labels"]));
    }

    #[test]
    fn crd_schema_drives_custom_resources() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "items": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"],
                "items": {"type": "object", "properties": {"tags": {"type": "array", "x-kubernetes-list-type": "set"}}}},
            "sel": {"type": "object", "x-kubernetes-map-type": "atomic"},
            "plain": {"type": "array"}
        }}}});
        let s = Schema::Custom(Some(&schema));
        assert_eq!(s.list(&["spec", "items"]).apply, map(&["id"]));
        assert_eq!(s.list(&["spec", "items", "tags"]).apply, ListStrategy::Set);
        assert_eq!(s.list(&["spec", "plain"]).apply, ListStrategy::Atomic);
        assert_eq!(s.list(&["metadata", "finalizers"]).apply, ListStrategy::Set);
        assert!(s.atomic_map(&["spec", "sel"]));
        assert!(!Schema::Custom(None).atomic_map(&["spec", "selector"]));
    }
}
