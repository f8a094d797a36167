//! `apps/v1` Deployments and ControllerRevisions, `batch/v1` Jobs and CronJobs.

use super::schema::Ty::{Bool, I32, I64, IntOrString, Msg, RawExtension, Str, Time};
use super::schema::{Message, Root, list, one, opt, root};
use super::schema_core::OBJECT_REFERENCE;
use super::schema_meta::{LABEL_SELECTOR, OBJECT_META};
use super::schema_pod::POD_TEMPLATE_SPEC;

/// Kinds of the apps and batch groups.
pub(crate) static ROOTS: &[Root] = &[
    root("apps/v1", "Deployment", &DEPLOYMENT),
    root("apps/v1", "ControllerRevision", &CONTROLLER_REVISION),
    root("batch/v1", "Job", &JOB),
    root("batch/v1", "CronJob", &CRON_JOB),
];

static DEPLOYMENT: Message = Message {
    name: "Deployment",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&DEPLOYMENT_SPEC)),
        one(3, "status", Msg(&DEPLOYMENT_STATUS)),
    ],
};

/// `DeploymentSpec`: replicas, selector, revisionHistoryLimit and progressDeadlineSeconds are
/// pointers, so `kubectl create deployment --replicas=0` keeps `replicas: 0`.
static DEPLOYMENT_SPEC: Message = Message {
    name: "DeploymentSpec",
    fields: &[
        opt(1, "replicas", I32),
        opt(2, "selector", Msg(&LABEL_SELECTOR)),
        one(3, "template", Msg(&POD_TEMPLATE_SPEC)),
        one(4, "strategy", Msg(&DEPLOYMENT_STRATEGY)),
        one(5, "minReadySeconds", I32),
        opt(6, "revisionHistoryLimit", I32),
        one(7, "paused", Bool),
        opt(9, "progressDeadlineSeconds", I32),
    ],
};

static DEPLOYMENT_STRATEGY: Message = Message {
    name: "DeploymentStrategy",
    fields: &[
        one(1, "type", Str),
        opt(2, "rollingUpdate", Msg(&ROLLING_UPDATE_DEPLOYMENT)),
    ],
};

static ROLLING_UPDATE_DEPLOYMENT: Message = Message {
    name: "RollingUpdateDeployment",
    fields: &[
        opt(1, "maxUnavailable", IntOrString),
        opt(2, "maxSurge", IntOrString),
    ],
};

static DEPLOYMENT_STATUS: Message = Message {
    name: "DeploymentStatus",
    fields: &[
        one(1, "observedGeneration", I64),
        one(2, "replicas", I32),
        one(3, "updatedReplicas", I32),
        one(7, "readyReplicas", I32),
        one(4, "availableReplicas", I32),
        one(5, "unavailableReplicas", I32),
        opt(9, "terminatingReplicas", I32),
        list(6, "conditions", Msg(&DEPLOYMENT_CONDITION)),
        opt(8, "collisionCount", I32),
    ],
};

static DEPLOYMENT_CONDITION: Message = Message {
    name: "DeploymentCondition",
    fields: &[
        one(1, "type", Str),
        one(2, "status", Str),
        one(6, "lastUpdateTime", Time),
        one(7, "lastTransitionTime", Time),
        one(4, "reason", Str),
        one(5, "message", Str),
    ],
};

/// `ControllerRevision`: `data` is a RawExtension holding the recorded template as JSON.
static CONTROLLER_REVISION: Message = Message {
    name: "ControllerRevision",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "data", RawExtension),
        one(3, "revision", I64),
    ],
};

static JOB: Message = Message {
    name: "Job",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&JOB_SPEC)),
        one(3, "status", Msg(&JOB_STATUS)),
    ],
};

/// `JobSpec`: everything but the template is a pointer in Go (parallelism, completions,
/// backoffLimit, suspend, …), so explicit zeros survive.
static JOB_SPEC: Message = Message {
    name: "JobSpec",
    fields: &[
        opt(1, "parallelism", I32),
        opt(2, "completions", I32),
        opt(3, "activeDeadlineSeconds", I64),
        opt(11, "podFailurePolicy", Msg(&POD_FAILURE_POLICY)),
        opt(16, "successPolicy", Msg(&SUCCESS_POLICY)),
        opt(7, "backoffLimit", I32),
        opt(12, "backoffLimitPerIndex", I32),
        opt(13, "maxFailedIndexes", I32),
        opt(4, "selector", Msg(&LABEL_SELECTOR)),
        opt(5, "manualSelector", Bool),
        one(6, "template", Msg(&POD_TEMPLATE_SPEC)),
        opt(8, "ttlSecondsAfterFinished", I32),
        opt(9, "completionMode", Str),
        opt(10, "suspend", Bool),
        opt(14, "podReplacementPolicy", Str),
        opt(15, "managedBy", Str),
    ],
};

static POD_FAILURE_POLICY: Message = Message {
    name: "PodFailurePolicy",
    fields: &[list(1, "rules", Msg(&POD_FAILURE_POLICY_RULE))],
};

static POD_FAILURE_POLICY_RULE: Message = Message {
    name: "PodFailurePolicyRule",
    fields: &[
        one(1, "action", Str),
        opt(2, "onExitCodes", Msg(&ON_EXIT_CODES)),
        list(3, "onPodConditions", Msg(&ON_POD_CONDITIONS)),
    ],
};

static ON_EXIT_CODES: Message = Message {
    name: "PodFailurePolicyOnExitCodesRequirement",
    fields: &[
        opt(1, "containerName", Str),
        one(2, "operator", Str),
        list(3, "values", I32),
    ],
};

static ON_POD_CONDITIONS: Message = Message {
    name: "PodFailurePolicyOnPodConditionsPattern",
    fields: &[one(1, "type", Str), one(2, "status", Str)],
};

static SUCCESS_POLICY: Message = Message {
    name: "SuccessPolicy",
    fields: &[list(1, "rules", Msg(&SUCCESS_POLICY_RULE))],
};

static SUCCESS_POLICY_RULE: Message = Message {
    name: "SuccessPolicyRule",
    fields: &[opt(1, "succeededIndexes", Str), opt(2, "succeededCount", I32)],
};

static JOB_STATUS: Message = Message {
    name: "JobStatus",
    fields: &[
        list(1, "conditions", Msg(&JOB_CONDITION)),
        opt(2, "startTime", Time),
        opt(3, "completionTime", Time),
        one(4, "active", I32),
        one(5, "succeeded", I32),
        one(6, "failed", I32),
        opt(11, "terminating", I32),
        one(7, "completedIndexes", Str),
        opt(10, "failedIndexes", Str),
        opt(8, "uncountedTerminatedPods", Msg(&UNCOUNTED_TERMINATED_PODS)),
        opt(9, "ready", I32),
    ],
};

static JOB_CONDITION: Message = Message {
    name: "JobCondition",
    fields: &[
        one(1, "type", Str),
        one(2, "status", Str),
        one(3, "lastProbeTime", Time),
        one(4, "lastTransitionTime", Time),
        one(5, "reason", Str),
        one(6, "message", Str),
    ],
};

static UNCOUNTED_TERMINATED_PODS: Message = Message {
    name: "UncountedTerminatedPods",
    fields: &[list(1, "succeeded", Str), list(2, "failed", Str)],
};

static CRON_JOB: Message = Message {
    name: "CronJob",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&CRON_JOB_SPEC)),
        one(3, "status", Msg(&CRON_JOB_STATUS)),
    ],
};

static CRON_JOB_SPEC: Message = Message {
    name: "CronJobSpec",
    fields: &[
        one(1, "schedule", Str),
        opt(8, "timeZone", Str),
        opt(2, "startingDeadlineSeconds", I64),
        one(3, "concurrencyPolicy", Str),
        opt(4, "suspend", Bool),
        one(5, "jobTemplate", Msg(&JOB_TEMPLATE_SPEC)),
        opt(6, "successfulJobsHistoryLimit", I32),
        opt(7, "failedJobsHistoryLimit", I32),
    ],
};

static JOB_TEMPLATE_SPEC: Message = Message {
    name: "JobTemplateSpec",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&JOB_SPEC)),
    ],
};

static CRON_JOB_STATUS: Message = Message {
    name: "CronJobStatus",
    fields: &[
        list(1, "active", Msg(&OBJECT_REFERENCE)),
        opt(4, "lastScheduleTime", Time),
        opt(5, "lastSuccessfulTime", Time),
    ],
};
