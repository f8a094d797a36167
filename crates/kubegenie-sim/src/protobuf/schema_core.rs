//! `k8s.io/api/core/v1` objects other than the pod spec: namespaces, config maps, secrets,
//! service accounts, services, resource quotas, persistent volume claims, and the pod itself.

use super::schema::Ty::{Bool, Bytes, I32, I64, IntOrString, Msg, Quantity, Str, Time};
use super::schema::{Message, Root, list, map, one, opt, root};
use super::schema_meta::{CONDITION, LABEL_SELECTOR, OBJECT_META};
use super::schema_pod::POD_SPEC;

/// Kinds of the core group.
pub(crate) static ROOTS: &[Root] = &[
    root("v1", "Namespace", &NAMESPACE),
    root("v1", "ConfigMap", &CONFIG_MAP),
    root("v1", "Secret", &SECRET),
    root("v1", "ServiceAccount", &SERVICE_ACCOUNT),
    root("v1", "Service", &SERVICE),
    root("v1", "ResourceQuota", &RESOURCE_QUOTA),
    root("v1", "Pod", &POD),
    root("v1", "PersistentVolumeClaim", &PERSISTENT_VOLUME_CLAIM),
];

static NAMESPACE: Message = Message {
    name: "Namespace",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&NAMESPACE_SPEC)),
        one(3, "status", Msg(&NAMESPACE_STATUS)),
    ],
};

static NAMESPACE_SPEC: Message = Message {
    name: "NamespaceSpec",
    fields: &[list(1, "finalizers", Str)],
};

static NAMESPACE_STATUS: Message = Message {
    name: "NamespaceStatus",
    fields: &[
        one(1, "phase", Str),
        list(2, "conditions", Msg(&NAMESPACE_CONDITION)),
    ],
};

static NAMESPACE_CONDITION: Message = Message {
    name: "NamespaceCondition",
    fields: &[
        one(1, "type", Str),
        one(2, "status", Str),
        one(4, "lastTransitionTime", Time),
        one(5, "reason", Str),
        one(6, "message", Str),
    ],
};

static CONFIG_MAP: Message = Message {
    name: "ConfigMap",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        opt(4, "immutable", Bool),
        map(2, "data", Str),
        map(3, "binaryData", Bytes),
    ],
};

/// `data` is `map[string][]byte`: base64 in JSON, exactly as kubectl would have sent it.
static SECRET: Message = Message {
    name: "Secret",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        opt(5, "immutable", Bool),
        map(2, "data", Bytes),
        map(4, "stringData", Str),
        one(3, "type", Str),
    ],
};

static SERVICE_ACCOUNT: Message = Message {
    name: "ServiceAccount",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        list(2, "secrets", Msg(&OBJECT_REFERENCE)),
        list(3, "imagePullSecrets", Msg(&LOCAL_OBJECT_REFERENCE)),
        opt(4, "automountServiceAccountToken", Bool),
    ],
};

/// `ObjectReference`.
pub(crate) static OBJECT_REFERENCE: Message = Message {
    name: "ObjectReference",
    fields: &[
        one(1, "kind", Str),
        one(2, "namespace", Str),
        one(3, "name", Str),
        one(4, "uid", Str),
        one(5, "apiVersion", Str),
        one(6, "resourceVersion", Str),
        one(7, "fieldPath", Str),
    ],
};

/// `LocalObjectReference`, often embedded inline (`configMapKeyRef.name`).
pub(crate) static LOCAL_OBJECT_REFERENCE: Message = Message {
    name: "LocalObjectReference",
    fields: &[one(1, "name", Str)],
};

/// `TypedLocalObjectReference`; apiGroup is a pointer.
pub(crate) static TYPED_LOCAL_OBJECT_REFERENCE: Message = Message {
    name: "TypedLocalObjectReference",
    fields: &[opt(1, "apiGroup", Str), one(2, "kind", Str), one(3, "name", Str)],
};

static TYPED_OBJECT_REFERENCE: Message = Message {
    name: "TypedObjectReference",
    fields: &[
        opt(1, "apiGroup", Str),
        one(2, "kind", Str),
        one(3, "name", Str),
        opt(4, "namespace", Str),
    ],
};

static SERVICE: Message = Message {
    name: "Service",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SERVICE_SPEC)),
        one(3, "status", Msg(&SERVICE_STATUS)),
    ],
};

static SERVICE_SPEC: Message = Message {
    name: "ServiceSpec",
    fields: &[
        list(1, "ports", Msg(&SERVICE_PORT)),
        map(2, "selector", Str),
        one(3, "clusterIP", Str),
        list(18, "clusterIPs", Str),
        one(4, "type", Str),
        list(5, "externalIPs", Str),
        one(7, "sessionAffinity", Str),
        one(8, "loadBalancerIP", Str),
        list(9, "loadBalancerSourceRanges", Str),
        one(10, "externalName", Str),
        one(11, "externalTrafficPolicy", Str),
        one(12, "healthCheckNodePort", I32),
        one(13, "publishNotReadyAddresses", Bool),
        opt(14, "sessionAffinityConfig", Msg(&SESSION_AFFINITY_CONFIG)),
        list(19, "ipFamilies", Str),
        opt(17, "ipFamilyPolicy", Str),
        opt(20, "allocateLoadBalancerNodePorts", Bool),
        opt(21, "loadBalancerClass", Str),
        opt(22, "internalTrafficPolicy", Str),
        opt(23, "trafficDistribution", Str),
    ],
};

/// `targetPort` is a non-pointer IntOrString: an unset one arrives as `0` and is dropped, which
/// the API server defaults to `port`.
static SERVICE_PORT: Message = Message {
    name: "ServicePort",
    fields: &[
        one(1, "name", Str),
        one(2, "protocol", Str),
        opt(6, "appProtocol", Str),
        one(3, "port", I32),
        one(4, "targetPort", IntOrString),
        one(5, "nodePort", I32),
    ],
};

static SESSION_AFFINITY_CONFIG: Message = Message {
    name: "SessionAffinityConfig",
    fields: &[opt(1, "clientIP", Msg(&CLIENT_IP_CONFIG))],
};

static CLIENT_IP_CONFIG: Message = Message {
    name: "ClientIPConfig",
    fields: &[opt(1, "timeoutSeconds", I32)],
};

static SERVICE_STATUS: Message = Message {
    name: "ServiceStatus",
    fields: &[
        one(1, "loadBalancer", Msg(&LOAD_BALANCER_STATUS)),
        list(2, "conditions", Msg(&CONDITION)),
    ],
};

static LOAD_BALANCER_STATUS: Message = Message {
    name: "LoadBalancerStatus",
    fields: &[list(1, "ingress", Msg(&LOAD_BALANCER_INGRESS))],
};

static LOAD_BALANCER_INGRESS: Message = Message {
    name: "LoadBalancerIngress",
    fields: &[
        one(1, "ip", Str),
        one(2, "hostname", Str),
        opt(3, "ipMode", Str),
        list(4, "ports", Msg(&PORT_STATUS)),
    ],
};

/// `PortStatus` (also the shape of networking's `IngressPortStatus`).
pub(crate) static PORT_STATUS: Message = Message {
    name: "PortStatus",
    fields: &[one(1, "port", I32), one(2, "protocol", Str), opt(3, "error", Str)],
};

static RESOURCE_QUOTA: Message = Message {
    name: "ResourceQuota",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&RESOURCE_QUOTA_SPEC)),
        one(3, "status", Msg(&RESOURCE_QUOTA_STATUS)),
    ],
};

static RESOURCE_QUOTA_SPEC: Message = Message {
    name: "ResourceQuotaSpec",
    fields: &[
        map(1, "hard", Quantity),
        list(2, "scopes", Str),
        opt(3, "scopeSelector", Msg(&SCOPE_SELECTOR)),
    ],
};

static SCOPE_SELECTOR: Message = Message {
    name: "ScopeSelector",
    fields: &[list(1, "matchExpressions", Msg(&SCOPED_REQUIREMENT))],
};

static SCOPED_REQUIREMENT: Message = Message {
    name: "ScopedResourceSelectorRequirement",
    fields: &[
        one(1, "scopeName", Str),
        one(2, "operator", Str),
        list(3, "values", Str),
    ],
};

static RESOURCE_QUOTA_STATUS: Message = Message {
    name: "ResourceQuotaStatus",
    fields: &[map(1, "hard", Quantity), map(2, "used", Quantity)],
};

static POD: Message = Message {
    name: "Pod",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&POD_SPEC)),
        one(3, "status", Msg(&POD_STATUS)),
    ],
};

/// The scalar part of `PodStatus`; container statuses are not decoded (clients never send them
/// in a create, and the server resets status anyway).
static POD_STATUS: Message = Message {
    name: "PodStatus",
    fields: &[
        one(17, "observedGeneration", I64),
        one(1, "phase", Str),
        list(2, "conditions", Msg(&POD_CONDITION)),
        one(3, "message", Str),
        one(4, "reason", Str),
        one(11, "nominatedNodeName", Str),
        one(5, "hostIP", Str),
        list(16, "hostIPs", Msg(&IP)),
        one(6, "podIP", Str),
        list(12, "podIPs", Msg(&IP)),
        opt(7, "startTime", Time),
        one(9, "qosClass", Str),
    ],
};

static POD_CONDITION: Message = Message {
    name: "PodCondition",
    fields: &[
        one(1, "type", Str),
        one(7, "observedGeneration", I64),
        one(2, "status", Str),
        one(3, "lastProbeTime", Time),
        one(4, "lastTransitionTime", Time),
        one(5, "reason", Str),
        one(6, "message", Str),
    ],
};

/// `PodIP` / `HostIP`.
static IP: Message = Message {
    name: "PodIP",
    fields: &[one(1, "ip", Str)],
};

static PERSISTENT_VOLUME_CLAIM: Message = Message {
    name: "PersistentVolumeClaim",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&PERSISTENT_VOLUME_CLAIM_SPEC)),
        one(3, "status", Msg(&PERSISTENT_VOLUME_CLAIM_STATUS)),
    ],
};

/// `PersistentVolumeClaimSpec` (also inside ephemeral volumes).
pub(crate) static PERSISTENT_VOLUME_CLAIM_SPEC: Message = Message {
    name: "PersistentVolumeClaimSpec",
    fields: &[
        list(1, "accessModes", Str),
        opt(4, "selector", Msg(&LABEL_SELECTOR)),
        one(2, "resources", Msg(&VOLUME_RESOURCE_REQUIREMENTS)),
        one(3, "volumeName", Str),
        opt(5, "storageClassName", Str),
        opt(6, "volumeMode", Str),
        opt(7, "dataSource", Msg(&TYPED_LOCAL_OBJECT_REFERENCE)),
        opt(8, "dataSourceRef", Msg(&TYPED_OBJECT_REFERENCE)),
        opt(9, "volumeAttributesClassName", Str),
    ],
};

static VOLUME_RESOURCE_REQUIREMENTS: Message = Message {
    name: "VolumeResourceRequirements",
    fields: &[map(1, "limits", Quantity), map(2, "requests", Quantity)],
};

static PERSISTENT_VOLUME_CLAIM_STATUS: Message = Message {
    name: "PersistentVolumeClaimStatus",
    fields: &[
        one(1, "phase", Str),
        list(2, "accessModes", Str),
        map(3, "capacity", Quantity),
    ],
};
