//! `policy/v1` (PodDisruptionBudget, Eviction), `scheduling.k8s.io/v1` (PriorityClass),
//! `networking.k8s.io/v1` (Ingress) and `coordination.k8s.io/v1` (Lease).

use super::schema::Ty::{Bool, I32, I64, IntOrString, MicroTime, Msg, Str, Time};
use super::schema::{Message, Root, inline, list, map, one, opt, req, root};
use super::schema_core::{PORT_STATUS, TYPED_LOCAL_OBJECT_REFERENCE};
use super::schema_meta::{CONDITION, DELETE_OPTIONS, LABEL_SELECTOR, OBJECT_META};

/// Kinds of the policy, scheduling and networking groups.
pub(crate) static ROOTS: &[Root] = &[
    root("policy/v1", "PodDisruptionBudget", &POD_DISRUPTION_BUDGET),
    root("policy/v1", "Eviction", &EVICTION),
    root("scheduling.k8s.io/v1", "PriorityClass", &PRIORITY_CLASS),
    root("networking.k8s.io/v1", "Ingress", &INGRESS),
    root("coordination.k8s.io/v1", "Lease", &LEASE),
];

static POD_DISRUPTION_BUDGET: Message = Message {
    name: "PodDisruptionBudget",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&PDB_SPEC)),
        one(3, "status", Msg(&PDB_STATUS)),
    ],
};

/// minAvailable and maxUnavailable are `*IntOrString`: `--min-available=0` keeps `0`.
static PDB_SPEC: Message = Message {
    name: "PodDisruptionBudgetSpec",
    fields: &[
        opt(1, "minAvailable", IntOrString),
        opt(2, "selector", Msg(&LABEL_SELECTOR)),
        opt(3, "maxUnavailable", IntOrString),
        opt(4, "unhealthyPodEvictionPolicy", Str),
    ],
};

static PDB_STATUS: Message = Message {
    name: "PodDisruptionBudgetStatus",
    fields: &[
        one(1, "observedGeneration", I64),
        map(2, "disruptedPods", Time),
        one(3, "disruptionsAllowed", I32),
        one(4, "currentHealthy", I32),
        one(5, "desiredHealthy", I32),
        one(6, "expectedPods", I32),
        list(7, "conditions", Msg(&CONDITION)),
    ],
};

static EVICTION: Message = Message {
    name: "Eviction",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        opt(2, "deleteOptions", Msg(&DELETE_OPTIONS)),
    ],
};

static PRIORITY_CLASS: Message = Message {
    name: "PriorityClass",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        req(2, "value", I32),
        one(3, "globalDefault", Bool),
        one(4, "description", Str),
        opt(5, "preemptionPolicy", Str),
    ],
};

static INGRESS: Message = Message {
    name: "Ingress",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&INGRESS_SPEC)),
        one(3, "status", Msg(&INGRESS_STATUS)),
    ],
};

static INGRESS_SPEC: Message = Message {
    name: "IngressSpec",
    fields: &[
        opt(4, "ingressClassName", Str),
        opt(1, "defaultBackend", Msg(&INGRESS_BACKEND)),
        list(2, "tls", Msg(&INGRESS_TLS)),
        list(3, "rules", Msg(&INGRESS_RULE)),
    ],
};

static INGRESS_BACKEND: Message = Message {
    name: "IngressBackend",
    fields: &[
        opt(4, "service", Msg(&INGRESS_SERVICE_BACKEND)),
        opt(3, "resource", Msg(&TYPED_LOCAL_OBJECT_REFERENCE)),
    ],
};

static INGRESS_SERVICE_BACKEND: Message = Message {
    name: "IngressServiceBackend",
    fields: &[one(1, "name", Str), one(2, "port", Msg(&SERVICE_BACKEND_PORT))],
};

static SERVICE_BACKEND_PORT: Message = Message {
    name: "ServiceBackendPort",
    fields: &[one(1, "name", Str), one(2, "number", I32)],
};

static INGRESS_TLS: Message = Message {
    name: "IngressTLS",
    fields: &[list(1, "hosts", Str), one(2, "secretName", Str)],
};

/// `IngressRule`: the host plus the inlined `IngressRuleValue`.
static INGRESS_RULE: Message = Message {
    name: "IngressRule",
    fields: &[one(1, "host", Str), inline(2, &INGRESS_RULE_VALUE)],
};

static INGRESS_RULE_VALUE: Message = Message {
    name: "IngressRuleValue",
    fields: &[opt(1, "http", Msg(&HTTP_INGRESS_RULE_VALUE))],
};

static HTTP_INGRESS_RULE_VALUE: Message = Message {
    name: "HTTPIngressRuleValue",
    fields: &[list(1, "paths", Msg(&HTTP_INGRESS_PATH))],
};

static HTTP_INGRESS_PATH: Message = Message {
    name: "HTTPIngressPath",
    fields: &[
        one(1, "path", Str),
        opt(3, "pathType", Str),
        one(2, "backend", Msg(&INGRESS_BACKEND)),
    ],
};

static INGRESS_STATUS: Message = Message {
    name: "IngressStatus",
    fields: &[one(1, "loadBalancer", Msg(&INGRESS_LOAD_BALANCER_STATUS))],
};

static INGRESS_LOAD_BALANCER_STATUS: Message = Message {
    name: "IngressLoadBalancerStatus",
    fields: &[list(1, "ingress", Msg(&INGRESS_LOAD_BALANCER_INGRESS))],
};

static INGRESS_LOAD_BALANCER_INGRESS: Message = Message {
    name: "IngressLoadBalancerIngress",
    fields: &[
        one(1, "ip", Str),
        one(2, "hostname", Str),
        list(4, "ports", Msg(&PORT_STATUS)),
    ],
};

static LEASE: Message = Message {
    name: "Lease",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&LEASE_SPEC)),
    ],
};

/// `LeaseSpec`: all pointers; the times are MicroTime (RFC 3339 with microseconds).
static LEASE_SPEC: Message = Message {
    name: "LeaseSpec",
    fields: &[
        opt(1, "holderIdentity", Str),
        opt(2, "leaseDurationSeconds", I32),
        opt(3, "acquireTime", MicroTime),
        opt(4, "renewTime", MicroTime),
        opt(5, "leaseTransitions", I32),
        opt(6, "strategy", Str),
        opt(7, "preferredHolder", Str),
    ],
};
