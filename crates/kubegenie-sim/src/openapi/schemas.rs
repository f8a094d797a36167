//! Component schemas of the OpenAPI v3 documents: the shared `meta/v1` types, a compact
//! schema per built-in kind (its real top-level fields with descriptions; nested objects keep
//! unknown fields) and the `openAPIV3Schema` of custom resources.

use crate::catalog::ResourceType;
use serde_json::{Map, Value, json};

/// `#/components/schemas/{name}`.
pub fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The schema name kube-apiserver gives a kind: `io.k8s.api.apps.v1.Deployment`, or the
/// reversed group for custom resources (`com.example.v1.Widget`).
pub fn schema_name(group: &str, version: &str, kind: &str, custom: bool) -> String {
    if custom {
        let mut parts: Vec<&str> = group.split('.').collect();
        parts.reverse();
        return format!("{}.{version}.{kind}", parts.join("."));
    }
    match group {
        "apiextensions.k8s.io" => {
            format!("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{version}.{kind}")
        }
        "apiregistration.k8s.io" => {
            format!("io.k8s.kube-aggregator.pkg.apis.apiregistration.{version}.{kind}")
        }
        "" => format!("io.k8s.api.core.{version}.{kind}"),
        g => format!("io.k8s.api.{}.{version}.{kind}", g.split('.').next().unwrap_or(g)),
    }
}

/// The name of the schema of `rt`'s objects.
pub fn kind_schema_name(rt: &ResourceType) -> String {
    schema_name(&rt.group, &rt.version, &rt.kind, rt.crd.is_some())
}

pub(crate) const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
pub(crate) const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
pub(crate) const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
pub(crate) const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
pub(crate) const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
pub(crate) const SCALE: &str = "io.k8s.api.autoscaling.v1.Scale";
pub(crate) const EVICTION: &str = "io.k8s.api.policy.v1.Eviction";

const API_VERSION_DESC: &str = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const KIND_DESC: &str = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
const METADATA_DESC: &str = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

fn string(desc: &str) -> Value {
    json!({"type": "string", "default": "", "description": desc})
}

fn open_object(desc: &str) -> Value {
    json!({"type": "object", "description": desc, "x-kubernetes-preserve-unknown-fields": true})
}

fn string_map(desc: &str) -> Value {
    json!({"type": "object", "description": desc, "additionalProperties": {"type": "string", "default": ""}})
}

fn open_array(desc: &str) -> Value {
    json!({"type": "array", "description": desc,
        "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}})
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!([{"group": group, "version": version, "kind": kind}])
}

/// The `meta/v1` schemas every group-version document refers to.
pub fn meta_schemas() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        OBJECT_META.into(),
        json!({
            "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
            "type": "object",
            "properties": {
                "annotations": string_map("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata."),
                "creationTimestamp": {"type": "string", "format": "date-time", "description": "CreationTimestamp is a timestamp representing the server time when this object was created."},
                "deletionGracePeriodSeconds": {"type": "integer", "format": "int64", "description": "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system."},
                "deletionTimestamp": {"type": "string", "format": "date-time", "description": "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."},
                "finalizers": {"type": "array", "items": {"type": "string", "default": ""}, "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge", "description": "Must be empty before the object is deleted from the registry."},
                "generateName": string("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
                "generation": {"type": "integer", "format": "int64", "description": "A sequence number representing a specific generation of the desired state."},
                "labels": string_map("Map of string keys and values that can be used to organize and categorize (scope and select) objects."),
                "managedFields": open_array("ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow."),
                "name": string("Name must be unique within a namespace. Cannot be updated."),
                "namespace": string("Namespace defines the space within which each name must be unique."),
                "ownerReferences": {"type": "array", "description": "List of objects depended by this object.",
                    "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "x-kubernetes-list-map-keys": ["uid"], "x-kubernetes-list-type": "map",
                    "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge"},
                "resourceVersion": string("An opaque value that represents the internal version of this object."),
                "selfLink": string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
                "uid": string("UID is the unique in time and space value for this object.")
            }
        }),
    );
    m.insert(
        LIST_META.into(),
        json!({"description": "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
            "type": "object", "properties": {
                "continue": string("continue may be set if the user set a limit on the number of items returned."),
                "remainingItemCount": {"type": "integer", "format": "int64", "description": "The number of subsequent items in the list which are not included in this list response."},
                "resourceVersion": string("String that identifies the server's internal version of this object."),
                "selfLink": string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.")}}),
    );
    m.insert(
        STATUS.into(),
        json!({"description": "Status is a return value for calls that don't return other objects.", "type": "object",
            "properties": {"apiVersion": string(API_VERSION_DESC), "code": {"type": "integer", "format": "int32"},
                "details": open_object("Extended data associated with the reason."), "kind": string(KIND_DESC),
                "message": string("A human-readable description of the status of this operation."),
                "metadata": {"allOf": [reference(LIST_META)], "default": {}},
                "reason": string("A machine-readable description of why this operation is in the \"Failure\" status."),
                "status": string("Status of the operation. One of: \"Success\" or \"Failure\".")},
            "x-kubernetes-group-version-kind": gvk("", "v1", "Status")}),
    );
    m.insert(
        DELETE_OPTIONS.into(),
        json!({"description": "DeleteOptions may be provided when deleting an API object.", "type": "object",
            "properties": {"apiVersion": string(API_VERSION_DESC), "kind": string(KIND_DESC),
                "dryRun": {"type": "array", "items": {"type": "string", "default": ""}},
                "gracePeriodSeconds": {"type": "integer", "format": "int64"},
                "orphanDependents": {"type": "boolean"},
                "preconditions": open_object("Must be fulfilled before a deletion is carried out."),
                "propagationPolicy": string("Whether and how garbage collection will be performed.")}}),
    );
    m.insert(
        PATCH.into(),
        json!({"description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
            "type": "object"}),
    );
    m
}

/// Top-level fields (besides apiVersion, kind, metadata) of kinds without spec/status.
fn top_level(group: &str, kind: &str) -> Option<Vec<(&'static str, Value)>> {
    let v = match (group, kind) {
        ("", "ConfigMap") => vec![
            (
                "binaryData",
                json!({"type": "object", "additionalProperties": {"type": "string", "format": "byte"}, "description": "BinaryData contains the binary data."}),
            ),
            ("data", string_map("Data contains the configuration data.")),
            (
                "immutable",
                json!({"type": "boolean", "description": "Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated."}),
            ),
        ],
        ("", "Secret") => vec![
            (
                "data",
                json!({"type": "object", "additionalProperties": {"type": "string", "format": "byte"}, "description": "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'."}),
            ),
            (
                "immutable",
                json!({"type": "boolean", "description": "Immutable, if set to true, ensures that data stored in the Secret cannot be updated."}),
            ),
            (
                "stringData",
                string_map("stringData allows specifying non-binary secret data in string form."),
            ),
            (
                "type",
                string("Used to facilitate programmatic handling of secret data."),
            ),
        ],
        ("", "ServiceAccount") => vec![
            (
                "automountServiceAccountToken",
                json!({"type": "boolean", "description": "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted."}),
            ),
            (
                "imagePullSecrets",
                open_array(
                    "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.",
                ),
            ),
            (
                "secrets",
                open_array(
                    "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
                ),
            ),
        ],
        ("", "Endpoints") => vec![(
            "subsets",
            open_array("The set of all endpoints is the union of all subsets."),
        )],
        ("", "Binding") => vec![(
            "target",
            open_object("The target object that you want to bind to the standard object."),
        )],
        ("", "ComponentStatus") => vec![("conditions", open_array("List of component conditions observed"))],
        ("", "PodTemplate") => vec![(
            "template",
            open_object("Template defines the pods that will be created from this pod template."),
        )],
        ("", "Event") => vec![
            (
                "action",
                string("What action was taken/failed regarding to the Regarding object."),
            ),
            (
                "count",
                json!({"type": "integer", "format": "int32", "description": "The number of times this event has occurred."}),
            ),
            (
                "eventTime",
                json!({"type": "string", "format": "date-time", "description": "Time when this Event was first observed."}),
            ),
            (
                "firstTimestamp",
                json!({"type": "string", "format": "date-time", "description": "The time at which the event was first recorded."}),
            ),
            (
                "involvedObject",
                open_object("The object that this event is about."),
            ),
            (
                "lastTimestamp",
                json!({"type": "string", "format": "date-time", "description": "The time at which the most recent occurrence of this event was recorded."}),
            ),
            (
                "message",
                string("A human-readable description of the status of this operation."),
            ),
            (
                "reason",
                string(
                    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
                ),
            ),
            (
                "related",
                open_object("Optional secondary object for more complex actions."),
            ),
            (
                "reportingComponent",
                string("Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`."),
            ),
            (
                "reportingInstance",
                string("ID of the controller instance, e.g. `kubelet-xyzf`."),
            ),
            (
                "series",
                open_object(
                    "Data about the Event series this event represents or nil if it's a singleton Event.",
                ),
            ),
            ("source", open_object("The component reporting this event.")),
            (
                "type",
                string("Type of this event (Normal, Warning), new types could be added in the future"),
            ),
        ],
        ("events.k8s.io", "Event") => vec![
            (
                "action",
                string("action is what action was taken/failed regarding to the regarding object."),
            ),
            (
                "deprecatedCount",
                json!({"type": "integer", "format": "int32", "description": "deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type."}),
            ),
            (
                "deprecatedFirstTimestamp",
                json!({"type": "string", "format": "date-time", "description": "deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type."}),
            ),
            (
                "deprecatedLastTimestamp",
                json!({"type": "string", "format": "date-time", "description": "deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type."}),
            ),
            (
                "deprecatedSource",
                open_object(
                    "deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.",
                ),
            ),
            (
                "eventTime",
                json!({"type": "string", "format": "date-time", "description": "eventTime is the time when this Event was first observed. It is required."}),
            ),
            (
                "note",
                string("note is a human-readable description of the status of this operation."),
            ),
            (
                "reason",
                string("reason is why the action was taken. It is human-readable."),
            ),
            (
                "regarding",
                open_object("regarding contains the object this Event is about."),
            ),
            (
                "related",
                open_object("related is the optional secondary object for more complex actions."),
            ),
            (
                "reportingController",
                string(
                    "reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.",
                ),
            ),
            (
                "reportingInstance",
                string("reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`."),
            ),
            (
                "series",
                open_object(
                    "series is data about the Event series this event represents or nil if it's a singleton Event.",
                ),
            ),
            (
                "type",
                string(
                    "type is the type of this event (Normal, Warning), new types could be added in the future.",
                ),
            ),
        ],
        ("discovery.k8s.io", "EndpointSlice") => vec![
            (
                "addressType",
                string("addressType specifies the type of address carried by this EndpointSlice."),
            ),
            (
                "endpoints",
                open_array("endpoints is a list of unique endpoints in this slice."),
            ),
            (
                "ports",
                open_array(
                    "ports specifies the list of network ports exposed by each endpoint in this slice.",
                ),
            ),
        ],
        ("apps", "ControllerRevision") => vec![
            (
                "data",
                open_object("Data is the serialized representation of the state."),
            ),
            (
                "revision",
                json!({"type": "integer", "format": "int64", "default": 0, "description": "Revision indicates the revision of the state represented by Data."}),
            ),
        ],
        ("rbac.authorization.k8s.io", "Role") => vec![(
            "rules",
            open_array("Rules holds all the PolicyRules for this Role"),
        )],
        ("rbac.authorization.k8s.io", "ClusterRole") => vec![
            (
                "aggregationRule",
                open_object(
                    "AggregationRule is an optional field that describes how to build the Rules for this ClusterRole.",
                ),
            ),
            (
                "rules",
                open_array("Rules holds all the PolicyRules for this ClusterRole"),
            ),
        ],
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => vec![
            (
                "roleRef",
                open_object(
                    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
                ),
            ),
            (
                "subjects",
                open_array("Subjects holds references to the objects the role applies to."),
            ),
        ],
        ("scheduling.k8s.io", "PriorityClass") => vec![
            (
                "description",
                string(
                    "description is an arbitrary string that usually provides guidelines on when this priority class should be used.",
                ),
            ),
            (
                "globalDefault",
                json!({"type": "boolean", "description": "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."}),
            ),
            (
                "preemptionPolicy",
                string("preemptionPolicy is the Policy for preempting pods with lower priority."),
            ),
            (
                "value",
                json!({"type": "integer", "format": "int32", "default": 0, "description": "value represents the integer value of this priority class."}),
            ),
        ],
        ("storage.k8s.io", "StorageClass") => vec![
            (
                "allowVolumeExpansion",
                json!({"type": "boolean", "description": "allowVolumeExpansion shows whether the storage class allow volume expand."}),
            ),
            (
                "allowedTopologies",
                open_array(
                    "allowedTopologies restrict the node topologies where volumes can be dynamically provisioned.",
                ),
            ),
            (
                "mountOptions",
                json!({"type": "array", "items": {"type": "string", "default": ""}, "description": "mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class."}),
            ),
            (
                "parameters",
                string_map(
                    "parameters holds the parameters for the provisioner that should create volumes of this storage class.",
                ),
            ),
            (
                "provisioner",
                string("provisioner indicates the type of the provisioner."),
            ),
            (
                "reclaimPolicy",
                string(
                    "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
                ),
            ),
            (
                "volumeBindingMode",
                string(
                    "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
                ),
            ),
        ],
        ("storage.k8s.io", "CSIStorageCapacity") => vec![
            (
                "capacity",
                string(
                    "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest.",
                ),
            ),
            (
                "maximumVolumeSize",
                string(
                    "maximumVolumeSize is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest.",
                ),
            ),
            (
                "nodeTopology",
                open_object(
                    "nodeTopology defines which nodes have access to the storage for which capacity was reported.",
                ),
            ),
            (
                "storageClassName",
                string(
                    "storageClassName represents the name of the StorageClass that the reported capacity applies to.",
                ),
            ),
        ],
        ("node.k8s.io", "RuntimeClass") => vec![
            (
                "handler",
                string(
                    "handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.",
                ),
            ),
            (
                "overhead",
                open_object(
                    "overhead represents the resource overhead associated with running a pod for a given RuntimeClass.",
                ),
            ),
            (
                "scheduling",
                open_object(
                    "scheduling holds the scheduling constraints to ensure that pods running with this RuntimeClass are scheduled to nodes that support it.",
                ),
            ),
        ],
        (
            "admissionregistration.k8s.io",
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
        ) => {
            vec![(
                "webhooks",
                open_array("Webhooks is a list of webhooks and the affected resources and operations."),
            )]
        }
        _ => return None,
    };
    Some(v)
}

/// Kinds that have a spec but no status.
fn spec_only(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        ("", "LimitRange")
            | (
                "networking.k8s.io",
                "NetworkPolicy" | "IngressClass" | "IPAddress"
            )
            | ("coordination.k8s.io", "Lease")
            | ("storage.k8s.io", "CSIDriver" | "CSINode")
            | ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding")
    )
}

/// The compact schema of a built-in kind: real top-level fields, nested objects open.
pub fn builtin_kind_schema(rt: &ResourceType) -> Value {
    let mut props = Map::new();
    props.insert("apiVersion".into(), string(API_VERSION_DESC));
    props.insert("kind".into(), string(KIND_DESC));
    props.insert(
        "metadata".into(),
        json!({"allOf": [reference(OBJECT_META)], "default": {}, "description": METADATA_DESC}),
    );
    match top_level(&rt.group, &rt.kind) {
        Some(fields) => {
            for (k, v) in fields {
                props.insert(k.into(), v);
            }
        }
        None => {
            props.insert(
                "spec".into(),
                open_object(&format!("Spec defines the behavior of the {}.", rt.kind)),
            );
            if !spec_only(&rt.group, &rt.kind) {
                props.insert(
                    "status".into(),
                    open_object(&format!(
                        "Status is the most recently observed status of the {}.",
                        rt.kind
                    )),
                );
            }
        }
    }
    json!({
        "description": format!("{} is a Kubernetes {} resource.", rt.kind, rt.api_version()),
        "type": "object",
        "properties": props,
        "x-kubernetes-group-version-kind": gvk(&rt.group, &rt.version, &rt.kind),
    })
}

/// The schema of a custom resource: the CRD's `openAPIV3Schema` with `metadata` typed as
/// ObjectMeta, or an open object when the CRD has none.
pub fn custom_kind_schema(rt: &ResourceType) -> Value {
    let mut s = match &rt.schema {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
    };
    if let Some(m) = s.as_object_mut() {
        let props = m.entry("properties").or_insert_with(|| json!({}));
        if let Some(p) = props.as_object_mut() {
            p.entry("apiVersion").or_insert_with(|| string(API_VERSION_DESC));
            p.entry("kind").or_insert_with(|| string(KIND_DESC));
            p.insert(
                "metadata".into(),
                json!({"allOf": [reference(OBJECT_META)], "description": METADATA_DESC}),
            );
        }
        m.insert(
            "x-kubernetes-group-version-kind".into(),
            gvk(&rt.group, &rt.version, &rt.kind),
        );
    }
    s
}

/// The `{Kind}List` schema of `rt`.
pub fn list_schema(rt: &ResourceType) -> Value {
    json!({
        "description": format!("{}List is a list of {}.", rt.kind, rt.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": string(API_VERSION_DESC),
            "items": {"type": "array", "items": reference(&kind_schema_name(rt)),
                "description": format!("List of {}.", rt.plural)},
            "kind": string(KIND_DESC),
            "metadata": {"allOf": [reference(LIST_META)], "default": {}}
        },
        "x-kubernetes-group-version-kind": gvk(&rt.group, &rt.version, &format!("{}List", rt.kind)),
    })
}

/// Schemas of subresource kinds served in other groups (`Scale`, `Eviction`).
pub fn subresource_schema(name: &str) -> Value {
    let (group, version, kind) = if name == SCALE {
        ("autoscaling", "v1", "Scale")
    } else {
        ("policy", "v1", "Eviction")
    };
    let mut props = Map::new();
    props.insert("apiVersion".into(), string(API_VERSION_DESC));
    props.insert("kind".into(), string(KIND_DESC));
    props.insert(
        "metadata".into(),
        json!({"allOf": [reference(OBJECT_META)], "default": {}}),
    );
    if kind == "Scale" {
        props.insert(
            "spec".into(),
            open_object("spec defines the behavior of the scale."),
        );
        props.insert(
            "status".into(),
            open_object("status is the current status of the scale."),
        );
    } else {
        props.insert(
            "deleteOptions".into(),
            json!({"allOf": [reference(DELETE_OPTIONS)]}),
        );
    }
    json!({"description": format!("{kind} subresource."), "type": "object", "properties": props,
        "x-kubernetes-group-version-kind": gvk(group, version, kind)})
}
