//! `k8s.io/apimachinery/pkg/apis/meta/v1`: object metadata, label selectors, delete options.

use super::schema::Ty::{Bool, FieldsV1, I64, Msg, Str, Time};
use super::schema::{Field, Message, list, map, one, opt};

/// `ObjectMeta`; deletionTimestamp and deletionGracePeriodSeconds are pointers in Go.
pub(crate) static OBJECT_META: Message = Message {
    name: "ObjectMeta",
    fields: &[
        one(1, "name", Str),
        one(2, "generateName", Str),
        one(3, "namespace", Str),
        one(4, "selfLink", Str),
        one(5, "uid", Str),
        one(6, "resourceVersion", Str),
        one(7, "generation", I64),
        one(8, "creationTimestamp", Time),
        opt(9, "deletionTimestamp", Time),
        opt(10, "deletionGracePeriodSeconds", I64),
        map(11, "labels", Str),
        map(12, "annotations", Str),
        list(13, "ownerReferences", Msg(&OWNER_REFERENCE)),
        list(14, "finalizers", Str),
        list(17, "managedFields", Msg(&MANAGED_FIELDS_ENTRY)),
    ],
};

static OWNER_REFERENCE: Message = Message {
    name: "OwnerReference",
    fields: &[
        one(5, "apiVersion", Str),
        one(1, "kind", Str),
        one(3, "name", Str),
        one(4, "uid", Str),
        opt(6, "controller", Bool),
        opt(7, "blockOwnerDeletion", Bool),
    ],
};

static MANAGED_FIELDS_ENTRY: Message = Message {
    name: "ManagedFieldsEntry",
    fields: &[
        one(1, "manager", Str),
        one(2, "operation", Str),
        one(3, "apiVersion", Str),
        opt(4, "time", Time),
        one(6, "fieldsType", Str),
        opt(7, "fieldsV1", FieldsV1),
        one(8, "subresource", Str),
    ],
};

/// `LabelSelector`.
pub(crate) static LABEL_SELECTOR: Message = Message {
    name: "LabelSelector",
    fields: &[
        map(1, "matchLabels", Str),
        list(2, "matchExpressions", Msg(&LABEL_SELECTOR_REQUIREMENT)),
    ],
};

/// `LabelSelectorRequirement` (also used by authorization's label selector attributes).
pub(crate) static LABEL_SELECTOR_REQUIREMENT: Message = Message {
    name: "LabelSelectorRequirement",
    fields: REQUIREMENT_FIELDS,
};

/// `FieldSelectorRequirement`: the same shape as a label selector requirement.
pub(crate) static FIELD_SELECTOR_REQUIREMENT: Message = Message {
    name: "FieldSelectorRequirement",
    fields: REQUIREMENT_FIELDS,
};

const REQUIREMENT_FIELDS: &[Field] = &[
    one(1, "key", Str),
    one(2, "operator", Str),
    list(3, "values", Str),
];

/// `DeleteOptions` (embedded in `policy/v1` Eviction); every scalar is a pointer in Go.
pub(crate) static DELETE_OPTIONS: Message = Message {
    name: "DeleteOptions",
    fields: &[
        opt(1, "gracePeriodSeconds", I64),
        opt(2, "preconditions", Msg(&PRECONDITIONS)),
        opt(3, "orphanDependents", Bool),
        opt(4, "propagationPolicy", Str),
        list(5, "dryRun", Str),
        opt(6, "ignoreStoreReadErrorWithClusterBreakingPotential", Bool),
    ],
};

static PRECONDITIONS: Message = Message {
    name: "Preconditions",
    fields: &[opt(1, "uid", Str), opt(2, "resourceVersion", Str)],
};

/// `Condition`, the standard status condition.
pub(crate) static CONDITION: Message = Message {
    name: "Condition",
    fields: &[
        one(1, "type", Str),
        one(2, "status", Str),
        one(3, "observedGeneration", I64),
        one(4, "lastTransitionTime", Time),
        one(5, "reason", Str),
        one(6, "message", Str),
    ],
};
