//! `k8s.io/api/core/v1` containers: ports, environment, resources, mounts, probes, lifecycle
//! hooks and the container security context.

use super::schema::Ty::{Bool, I32, I64, IntOrString, Msg, Quantity, Str};
use super::schema::{Message, inline, list, map, one, opt};
use super::schema_core::LOCAL_OBJECT_REFERENCE;

/// `Container`. Pointers in Go: the three probes, lifecycle, securityContext, restartPolicy.
/// `resources` is a plain struct, so an empty one is dropped.
pub(crate) static CONTAINER: Message = Message {
    name: "Container",
    fields: &[
        one(1, "name", Str),
        one(2, "image", Str),
        list(3, "command", Str),
        list(4, "args", Str),
        one(5, "workingDir", Str),
        list(6, "ports", Msg(&CONTAINER_PORT)),
        list(19, "envFrom", Msg(&ENV_FROM_SOURCE)),
        list(7, "env", Msg(&ENV_VAR)),
        one(8, "resources", Msg(&RESOURCE_REQUIREMENTS)),
        list(23, "resizePolicy", Msg(&CONTAINER_RESIZE_POLICY)),
        opt(24, "restartPolicy", Str),
        list(9, "volumeMounts", Msg(&VOLUME_MOUNT)),
        list(21, "volumeDevices", Msg(&VOLUME_DEVICE)),
        opt(10, "livenessProbe", Msg(&PROBE)),
        opt(11, "readinessProbe", Msg(&PROBE)),
        opt(22, "startupProbe", Msg(&PROBE)),
        opt(12, "lifecycle", Msg(&LIFECYCLE)),
        one(13, "terminationMessagePath", Str),
        one(20, "terminationMessagePolicy", Str),
        one(14, "imagePullPolicy", Str),
        opt(15, "securityContext", Msg(&SECURITY_CONTEXT)),
        one(16, "stdin", Bool),
        one(17, "stdinOnce", Bool),
        one(18, "tty", Bool),
    ],
};

static CONTAINER_PORT: Message = Message {
    name: "ContainerPort",
    fields: &[
        one(1, "name", Str),
        one(2, "hostPort", I32),
        one(3, "containerPort", I32),
        one(4, "protocol", Str),
        one(5, "hostIP", Str),
    ],
};

static ENV_VAR: Message = Message {
    name: "EnvVar",
    fields: &[
        one(1, "name", Str),
        one(2, "value", Str),
        opt(3, "valueFrom", Msg(&ENV_VAR_SOURCE)),
    ],
};

static ENV_VAR_SOURCE: Message = Message {
    name: "EnvVarSource",
    fields: &[
        opt(1, "fieldRef", Msg(&OBJECT_FIELD_SELECTOR)),
        opt(2, "resourceFieldRef", Msg(&RESOURCE_FIELD_SELECTOR)),
        opt(3, "configMapKeyRef", Msg(&KEY_SELECTOR)),
        opt(4, "secretKeyRef", Msg(&KEY_SELECTOR)),
    ],
};

/// `ObjectFieldSelector` (downward API).
pub(crate) static OBJECT_FIELD_SELECTOR: Message = Message {
    name: "ObjectFieldSelector",
    fields: &[one(1, "apiVersion", Str), one(2, "fieldPath", Str)],
};

/// `ResourceFieldSelector`; `divisor` is a non-pointer Quantity, which Go renders as `"0"` when
/// unset, exactly as kubectl's JSON would carry it.
pub(crate) static RESOURCE_FIELD_SELECTOR: Message = Message {
    name: "ResourceFieldSelector",
    fields: &[
        one(1, "containerName", Str),
        one(2, "resource", Str),
        one(3, "divisor", Quantity),
    ],
};

/// `ConfigMapKeySelector` and `SecretKeySelector`: an inline name, a key, an optional flag.
static KEY_SELECTOR: Message = Message {
    name: "ConfigMapKeySelector",
    fields: &[
        inline(1, &LOCAL_OBJECT_REFERENCE),
        one(2, "key", Str),
        opt(3, "optional", Bool),
    ],
};

static ENV_FROM_SOURCE: Message = Message {
    name: "EnvFromSource",
    fields: &[
        one(1, "prefix", Str),
        opt(2, "configMapRef", Msg(&ENV_SOURCE)),
        opt(3, "secretRef", Msg(&ENV_SOURCE)),
    ],
};

/// `ConfigMapEnvSource` and `SecretEnvSource`.
static ENV_SOURCE: Message = Message {
    name: "ConfigMapEnvSource",
    fields: &[inline(1, &LOCAL_OBJECT_REFERENCE), opt(2, "optional", Bool)],
};

/// `ResourceRequirements` (also the pod-level `resources`).
pub(crate) static RESOURCE_REQUIREMENTS: Message = Message {
    name: "ResourceRequirements",
    fields: &[
        map(1, "limits", Quantity),
        map(2, "requests", Quantity),
        list(3, "claims", Msg(&RESOURCE_CLAIM)),
    ],
};

static RESOURCE_CLAIM: Message = Message {
    name: "ResourceClaim",
    fields: &[one(1, "name", Str), one(2, "request", Str)],
};

static CONTAINER_RESIZE_POLICY: Message = Message {
    name: "ContainerResizePolicy",
    fields: &[one(1, "resourceName", Str), one(2, "restartPolicy", Str)],
};

static VOLUME_MOUNT: Message = Message {
    name: "VolumeMount",
    fields: &[
        one(1, "name", Str),
        one(2, "readOnly", Bool),
        opt(7, "recursiveReadOnly", Str),
        one(3, "mountPath", Str),
        one(4, "subPath", Str),
        opt(5, "mountPropagation", Str),
        one(6, "subPathExpr", Str),
    ],
};

static VOLUME_DEVICE: Message = Message {
    name: "VolumeDevice",
    fields: &[one(1, "name", Str), one(2, "devicePath", Str)],
};

/// `Probe`: the handler is embedded inline; the thresholds are plain ints.
static PROBE: Message = Message {
    name: "Probe",
    fields: &[
        inline(1, &PROBE_HANDLER),
        one(2, "initialDelaySeconds", I32),
        one(3, "timeoutSeconds", I32),
        one(4, "periodSeconds", I32),
        one(5, "successThreshold", I32),
        one(6, "failureThreshold", I32),
        opt(7, "terminationGracePeriodSeconds", I64),
    ],
};

static PROBE_HANDLER: Message = Message {
    name: "ProbeHandler",
    fields: &[
        opt(1, "exec", Msg(&EXEC_ACTION)),
        opt(2, "httpGet", Msg(&HTTP_GET_ACTION)),
        opt(3, "tcpSocket", Msg(&TCP_SOCKET_ACTION)),
        opt(4, "grpc", Msg(&GRPC_ACTION)),
    ],
};

static EXEC_ACTION: Message = Message {
    name: "ExecAction",
    fields: &[list(1, "command", Str)],
};

static HTTP_GET_ACTION: Message = Message {
    name: "HTTPGetAction",
    fields: &[
        one(1, "path", Str),
        one(2, "port", IntOrString),
        one(3, "host", Str),
        one(4, "scheme", Str),
        list(5, "httpHeaders", Msg(&HTTP_HEADER)),
    ],
};

static HTTP_HEADER: Message = Message {
    name: "HTTPHeader",
    fields: &[one(1, "name", Str), one(2, "value", Str)],
};

static TCP_SOCKET_ACTION: Message = Message {
    name: "TCPSocketAction",
    fields: &[one(1, "port", IntOrString), one(2, "host", Str)],
};

static GRPC_ACTION: Message = Message {
    name: "GRPCAction",
    fields: &[one(1, "port", I32), opt(2, "service", Str)],
};

static LIFECYCLE: Message = Message {
    name: "Lifecycle",
    fields: &[
        opt(1, "postStart", Msg(&LIFECYCLE_HANDLER)),
        opt(2, "preStop", Msg(&LIFECYCLE_HANDLER)),
        opt(3, "stopSignal", Str),
    ],
};

static LIFECYCLE_HANDLER: Message = Message {
    name: "LifecycleHandler",
    fields: &[
        opt(1, "exec", Msg(&EXEC_ACTION)),
        opt(2, "httpGet", Msg(&HTTP_GET_ACTION)),
        opt(3, "tcpSocket", Msg(&TCP_SOCKET_ACTION)),
        opt(4, "sleep", Msg(&SLEEP_ACTION)),
    ],
};

static SLEEP_ACTION: Message = Message {
    name: "SleepAction",
    fields: &[one(1, "seconds", I64)],
};

/// `SecurityContext`: every field is a pointer in Go, so `privileged: false` survives.
static SECURITY_CONTEXT: Message = Message {
    name: "SecurityContext",
    fields: &[
        opt(1, "capabilities", Msg(&CAPABILITIES)),
        opt(2, "privileged", Bool),
        opt(3, "seLinuxOptions", Msg(&SE_LINUX_OPTIONS)),
        opt(10, "windowsOptions", Msg(&WINDOWS_OPTIONS)),
        opt(4, "runAsUser", I64),
        opt(8, "runAsGroup", I64),
        opt(5, "runAsNonRoot", Bool),
        opt(6, "readOnlyRootFilesystem", Bool),
        opt(7, "allowPrivilegeEscalation", Bool),
        opt(9, "procMount", Str),
        opt(11, "seccompProfile", Msg(&SECCOMP_PROFILE)),
        opt(12, "appArmorProfile", Msg(&APP_ARMOR_PROFILE)),
    ],
};

static CAPABILITIES: Message = Message {
    name: "Capabilities",
    fields: &[list(1, "add", Str), list(2, "drop", Str)],
};

/// `SELinuxOptions`.
pub(crate) static SE_LINUX_OPTIONS: Message = Message {
    name: "SELinuxOptions",
    fields: &[
        one(1, "user", Str),
        one(2, "role", Str),
        one(3, "type", Str),
        one(4, "level", Str),
    ],
};

/// `WindowsSecurityContextOptions`: all pointers.
pub(crate) static WINDOWS_OPTIONS: Message = Message {
    name: "WindowsSecurityContextOptions",
    fields: &[
        opt(1, "gmsaCredentialSpecName", Str),
        opt(2, "gmsaCredentialSpec", Str),
        opt(3, "runAsUserName", Str),
        opt(4, "hostProcess", Bool),
    ],
};

/// `SeccompProfile`.
pub(crate) static SECCOMP_PROFILE: Message = Message {
    name: "SeccompProfile",
    fields: &[one(1, "type", Str), opt(2, "localhostProfile", Str)],
};

/// `AppArmorProfile`: the same shape as a seccomp profile.
pub(crate) static APP_ARMOR_PROFILE: Message = Message {
    name: "AppArmorProfile",
    fields: &[one(1, "type", Str), opt(2, "localhostProfile", Str)],
};
