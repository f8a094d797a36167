//! `k8s.io/api/core/v1` pod templates and pod specs, with the pod-level scheduling and security
//! settings. Containers are in `schema_container.rs`, volumes in `schema_volume.rs`.

use super::schema::Ty::{Bool, I32, I64, Msg, Quantity, Str};
use super::schema::{Message, inline, list, map, one, opt};
use super::schema_container::{
    APP_ARMOR_PROFILE, CONTAINER, RESOURCE_REQUIREMENTS, SE_LINUX_OPTIONS, SECCOMP_PROFILE, WINDOWS_OPTIONS,
};
use super::schema_core::LOCAL_OBJECT_REFERENCE;
use super::schema_meta::{LABEL_SELECTOR, OBJECT_META};
use super::schema_volume::VOLUME;

/// `PodTemplateSpec`.
pub(crate) static POD_TEMPLATE_SPEC: Message = Message {
    name: "PodTemplateSpec",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&POD_SPEC)),
    ],
};

/// `PodSpec`. Pointers in Go (kept when zero): terminationGracePeriodSeconds,
/// activeDeadlineSeconds, automountServiceAccountToken, shareProcessNamespace, securityContext,
/// affinity, priority, dnsConfig, runtimeClassName, enableServiceLinks, preemptionPolicy,
/// setHostnameAsFQDN, os, hostUsers, resources, hostnameOverride.
pub(crate) static POD_SPEC: Message = Message {
    name: "PodSpec",
    fields: &[
        list(1, "volumes", Msg(&VOLUME)),
        list(20, "initContainers", Msg(&CONTAINER)),
        list(2, "containers", Msg(&CONTAINER)),
        list(34, "ephemeralContainers", Msg(&EPHEMERAL_CONTAINER)),
        one(3, "restartPolicy", Str),
        opt(4, "terminationGracePeriodSeconds", I64),
        opt(5, "activeDeadlineSeconds", I64),
        one(6, "dnsPolicy", Str),
        map(7, "nodeSelector", Str),
        one(8, "serviceAccountName", Str),
        one(9, "serviceAccount", Str),
        opt(21, "automountServiceAccountToken", Bool),
        one(10, "nodeName", Str),
        one(11, "hostNetwork", Bool),
        one(12, "hostPID", Bool),
        one(13, "hostIPC", Bool),
        opt(27, "shareProcessNamespace", Bool),
        opt(14, "securityContext", Msg(&POD_SECURITY_CONTEXT)),
        list(15, "imagePullSecrets", Msg(&LOCAL_OBJECT_REFERENCE)),
        one(16, "hostname", Str),
        one(17, "subdomain", Str),
        opt(18, "affinity", Msg(&AFFINITY)),
        one(19, "schedulerName", Str),
        list(22, "tolerations", Msg(&TOLERATION)),
        list(23, "hostAliases", Msg(&HOST_ALIAS)),
        one(24, "priorityClassName", Str),
        opt(25, "priority", I32),
        opt(26, "dnsConfig", Msg(&POD_DNS_CONFIG)),
        list(28, "readinessGates", Msg(&POD_READINESS_GATE)),
        opt(29, "runtimeClassName", Str),
        opt(30, "enableServiceLinks", Bool),
        opt(31, "preemptionPolicy", Str),
        map(32, "overhead", Quantity),
        list(33, "topologySpreadConstraints", Msg(&TOPOLOGY_SPREAD_CONSTRAINT)),
        opt(35, "setHostnameAsFQDN", Bool),
        opt(36, "os", Msg(&POD_OS)),
        opt(37, "hostUsers", Bool),
        list(38, "schedulingGates", Msg(&NAME_ONLY)),
        list(39, "resourceClaims", Msg(&POD_RESOURCE_CLAIM)),
        opt(40, "resources", Msg(&RESOURCE_REQUIREMENTS)),
        opt(41, "hostnameOverride", Str),
    ],
};

/// `EphemeralContainer`: the container fields inlined, plus the target.
static EPHEMERAL_CONTAINER: Message = Message {
    name: "EphemeralContainer",
    fields: &[inline(1, &CONTAINER), one(2, "targetContainerName", Str)],
};

/// `PodSecurityContext`: everything but supplementalGroups and sysctls is a pointer.
static POD_SECURITY_CONTEXT: Message = Message {
    name: "PodSecurityContext",
    fields: &[
        opt(1, "seLinuxOptions", Msg(&SE_LINUX_OPTIONS)),
        opt(8, "windowsOptions", Msg(&WINDOWS_OPTIONS)),
        opt(2, "runAsUser", I64),
        opt(6, "runAsGroup", I64),
        opt(3, "runAsNonRoot", Bool),
        list(4, "supplementalGroups", I64),
        opt(12, "supplementalGroupsPolicy", Str),
        opt(5, "fsGroup", I64),
        list(7, "sysctls", Msg(&NAME_VALUE)),
        opt(9, "fsGroupChangePolicy", Str),
        opt(10, "seccompProfile", Msg(&SECCOMP_PROFILE)),
        opt(11, "appArmorProfile", Msg(&APP_ARMOR_PROFILE)),
        opt(13, "seLinuxChangePolicy", Str),
    ],
};

/// `Sysctl` (and any other {1: name, 2: value} pair of plain strings).
static NAME_VALUE: Message = Message {
    name: "Sysctl",
    fields: &[one(1, "name", Str), one(2, "value", Str)],
};

/// `PodSchedulingGate`: a single name.
static NAME_ONLY: Message = Message {
    name: "PodSchedulingGate",
    fields: &[one(1, "name", Str)],
};

static POD_OS: Message = Message {
    name: "PodOS",
    fields: &[one(1, "name", Str)],
};

static POD_READINESS_GATE: Message = Message {
    name: "PodReadinessGate",
    fields: &[one(1, "conditionType", Str)],
};

static POD_RESOURCE_CLAIM: Message = Message {
    name: "PodResourceClaim",
    fields: &[
        one(1, "name", Str),
        opt(3, "resourceClaimName", Str),
        opt(4, "resourceClaimTemplateName", Str),
    ],
};

static TOLERATION: Message = Message {
    name: "Toleration",
    fields: &[
        one(1, "key", Str),
        one(2, "operator", Str),
        one(3, "value", Str),
        one(4, "effect", Str),
        opt(5, "tolerationSeconds", I64),
    ],
};

static HOST_ALIAS: Message = Message {
    name: "HostAlias",
    fields: &[one(1, "ip", Str), list(2, "hostnames", Str)],
};

static POD_DNS_CONFIG: Message = Message {
    name: "PodDNSConfig",
    fields: &[
        list(1, "nameservers", Str),
        list(2, "searches", Str),
        list(3, "options", Msg(&POD_DNS_CONFIG_OPTION)),
    ],
};

static POD_DNS_CONFIG_OPTION: Message = Message {
    name: "PodDNSConfigOption",
    fields: &[one(1, "name", Str), opt(2, "value", Str)],
};

static TOPOLOGY_SPREAD_CONSTRAINT: Message = Message {
    name: "TopologySpreadConstraint",
    fields: &[
        one(1, "maxSkew", I32),
        one(2, "topologyKey", Str),
        one(3, "whenUnsatisfiable", Str),
        opt(4, "labelSelector", Msg(&LABEL_SELECTOR)),
        opt(5, "minDomains", I32),
        opt(6, "nodeAffinityPolicy", Str),
        opt(7, "nodeTaintsPolicy", Str),
        list(8, "matchLabelKeys", Str),
    ],
};

static AFFINITY: Message = Message {
    name: "Affinity",
    fields: &[
        opt(1, "nodeAffinity", Msg(&NODE_AFFINITY)),
        opt(2, "podAffinity", Msg(&POD_AFFINITY)),
        opt(3, "podAntiAffinity", Msg(&POD_AFFINITY)),
    ],
};

static NODE_AFFINITY: Message = Message {
    name: "NodeAffinity",
    fields: &[
        opt(
            1,
            "requiredDuringSchedulingIgnoredDuringExecution",
            Msg(&NODE_SELECTOR),
        ),
        list(
            2,
            "preferredDuringSchedulingIgnoredDuringExecution",
            Msg(&PREFERRED_SCHEDULING_TERM),
        ),
    ],
};

static NODE_SELECTOR: Message = Message {
    name: "NodeSelector",
    fields: &[list(1, "nodeSelectorTerms", Msg(&NODE_SELECTOR_TERM))],
};

static NODE_SELECTOR_TERM: Message = Message {
    name: "NodeSelectorTerm",
    fields: &[
        list(1, "matchExpressions", Msg(&NODE_SELECTOR_REQUIREMENT)),
        list(2, "matchFields", Msg(&NODE_SELECTOR_REQUIREMENT)),
    ],
};

static NODE_SELECTOR_REQUIREMENT: Message = Message {
    name: "NodeSelectorRequirement",
    fields: &[
        one(1, "key", Str),
        one(2, "operator", Str),
        list(3, "values", Str),
    ],
};

static PREFERRED_SCHEDULING_TERM: Message = Message {
    name: "PreferredSchedulingTerm",
    fields: &[
        one(1, "weight", I32),
        one(2, "preference", Msg(&NODE_SELECTOR_TERM)),
    ],
};

/// `PodAffinity` and `PodAntiAffinity` share their shape.
static POD_AFFINITY: Message = Message {
    name: "PodAffinity",
    fields: &[
        list(
            1,
            "requiredDuringSchedulingIgnoredDuringExecution",
            Msg(&POD_AFFINITY_TERM),
        ),
        list(
            2,
            "preferredDuringSchedulingIgnoredDuringExecution",
            Msg(&WEIGHTED_POD_AFFINITY_TERM),
        ),
    ],
};

static POD_AFFINITY_TERM: Message = Message {
    name: "PodAffinityTerm",
    fields: &[
        opt(1, "labelSelector", Msg(&LABEL_SELECTOR)),
        list(2, "namespaces", Str),
        one(3, "topologyKey", Str),
        opt(4, "namespaceSelector", Msg(&LABEL_SELECTOR)),
        list(5, "matchLabelKeys", Str),
        list(6, "mismatchLabelKeys", Str),
    ],
};

static WEIGHTED_POD_AFFINITY_TERM: Message = Message {
    name: "WeightedPodAffinityTerm",
    fields: &[
        one(1, "weight", I32),
        one(2, "podAffinityTerm", Msg(&POD_AFFINITY_TERM)),
    ],
};
