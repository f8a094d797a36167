//! `autoscaling/v1` HorizontalPodAutoscalers, what `kubectl autoscale` sends.

use super::schema::Ty::{I32, I64, Msg, Str, Time};
use super::schema::{Message, Root, one, opt, req, root};
use super::schema_meta::OBJECT_META;

/// Kinds of the autoscaling group.
pub(crate) static ROOTS: &[Root] = &[root("autoscaling/v1", "HorizontalPodAutoscaler", &HPA)];

static HPA: Message = Message {
    name: "HorizontalPodAutoscaler",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&HPA_SPEC)),
        one(3, "status", Msg(&HPA_STATUS)),
    ],
};

/// `maxReplicas` has no `omitempty`; the other bounds are pointers.
static HPA_SPEC: Message = Message {
    name: "HorizontalPodAutoscalerSpec",
    fields: &[
        one(1, "scaleTargetRef", Msg(&CROSS_VERSION_OBJECT_REFERENCE)),
        opt(2, "minReplicas", I32),
        req(3, "maxReplicas", I32),
        opt(4, "targetCPUUtilizationPercentage", I32),
    ],
};

static CROSS_VERSION_OBJECT_REFERENCE: Message = Message {
    name: "CrossVersionObjectReference",
    fields: &[
        one(1, "kind", Str),
        one(2, "name", Str),
        one(3, "apiVersion", Str),
    ],
};

static HPA_STATUS: Message = Message {
    name: "HorizontalPodAutoscalerStatus",
    fields: &[
        opt(1, "observedGeneration", I64),
        opt(2, "lastScaleTime", Time),
        req(3, "currentReplicas", I32),
        req(4, "desiredReplicas", I32),
        opt(5, "currentCPUUtilizationPercentage", I32),
    ],
};
