//! `authentication.k8s.io/v1` (TokenRequest, SelfSubjectReview) and `authorization.k8s.io/v1`
//! (access reviews and rules reviews), as sent by `kubectl create token`, `kubectl auth whoami`
//! and `kubectl auth can-i`.

use super::schema::Ty::{Bool, ExtraValue, I64, Msg, Str, Time};
use super::schema::{Message, Root, list, map, one, opt, req, root};
use super::schema_meta::{FIELD_SELECTOR_REQUIREMENT, LABEL_SELECTOR_REQUIREMENT, OBJECT_META};

/// Kinds of the authentication and authorization groups.
pub(crate) static ROOTS: &[Root] = &[
    root("authentication.k8s.io/v1", "TokenRequest", &TOKEN_REQUEST),
    root(
        "authentication.k8s.io/v1",
        "SelfSubjectReview",
        &SELF_SUBJECT_REVIEW,
    ),
    root(
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        &SELF_SUBJECT_ACCESS_REVIEW,
    ),
    root(
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
        &SELF_SUBJECT_RULES_REVIEW,
    ),
    root(
        "authorization.k8s.io/v1",
        "SubjectAccessReview",
        &SUBJECT_ACCESS_REVIEW,
    ),
    root(
        "authorization.k8s.io/v1",
        "LocalSubjectAccessReview",
        &SUBJECT_ACCESS_REVIEW,
    ),
];

static TOKEN_REQUEST: Message = Message {
    name: "TokenRequest",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&TOKEN_REQUEST_SPEC)),
        one(3, "status", Msg(&TOKEN_REQUEST_STATUS)),
    ],
};

/// expirationSeconds is a pointer: without `--duration` it is absent, not 0.
static TOKEN_REQUEST_SPEC: Message = Message {
    name: "TokenRequestSpec",
    fields: &[
        list(1, "audiences", Str),
        opt(4, "expirationSeconds", I64),
        opt(3, "boundObjectRef", Msg(&BOUND_OBJECT_REFERENCE)),
    ],
};

static BOUND_OBJECT_REFERENCE: Message = Message {
    name: "BoundObjectReference",
    fields: &[
        one(1, "kind", Str),
        one(2, "apiVersion", Str),
        one(3, "name", Str),
        one(4, "uid", Str),
    ],
};

static TOKEN_REQUEST_STATUS: Message = Message {
    name: "TokenRequestStatus",
    fields: &[one(1, "token", Str), one(2, "expirationTimestamp", Time)],
};

static SELF_SUBJECT_REVIEW: Message = Message {
    name: "SelfSubjectReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "status", Msg(&SELF_SUBJECT_REVIEW_STATUS)),
    ],
};

static SELF_SUBJECT_REVIEW_STATUS: Message = Message {
    name: "SelfSubjectReviewStatus",
    fields: &[one(1, "userInfo", Msg(&USER_INFO))],
};

static USER_INFO: Message = Message {
    name: "UserInfo",
    fields: &[
        one(1, "username", Str),
        one(2, "uid", Str),
        list(3, "groups", Str),
        map(4, "extra", ExtraValue),
    ],
};

static SELF_SUBJECT_ACCESS_REVIEW: Message = Message {
    name: "SelfSubjectAccessReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SELF_SUBJECT_ACCESS_REVIEW_SPEC)),
        one(3, "status", Msg(&SUBJECT_ACCESS_REVIEW_STATUS)),
    ],
};

static SELF_SUBJECT_ACCESS_REVIEW_SPEC: Message = Message {
    name: "SelfSubjectAccessReviewSpec",
    fields: &[
        opt(1, "resourceAttributes", Msg(&RESOURCE_ATTRIBUTES)),
        opt(2, "nonResourceAttributes", Msg(&NON_RESOURCE_ATTRIBUTES)),
    ],
};

static RESOURCE_ATTRIBUTES: Message = Message {
    name: "ResourceAttributes",
    fields: &[
        one(1, "namespace", Str),
        one(2, "verb", Str),
        one(3, "group", Str),
        one(4, "version", Str),
        one(5, "resource", Str),
        one(6, "subresource", Str),
        one(7, "name", Str),
        opt(8, "fieldSelector", Msg(&FIELD_SELECTOR_ATTRIBUTES)),
        opt(9, "labelSelector", Msg(&LABEL_SELECTOR_ATTRIBUTES)),
    ],
};

static FIELD_SELECTOR_ATTRIBUTES: Message = Message {
    name: "FieldSelectorAttributes",
    fields: &[
        one(1, "rawSelector", Str),
        list(2, "requirements", Msg(&FIELD_SELECTOR_REQUIREMENT)),
    ],
};

static LABEL_SELECTOR_ATTRIBUTES: Message = Message {
    name: "LabelSelectorAttributes",
    fields: &[
        one(1, "rawSelector", Str),
        list(2, "requirements", Msg(&LABEL_SELECTOR_REQUIREMENT)),
    ],
};

static NON_RESOURCE_ATTRIBUTES: Message = Message {
    name: "NonResourceAttributes",
    fields: &[one(1, "path", Str), one(2, "verb", Str)],
};

static SUBJECT_ACCESS_REVIEW_STATUS: Message = Message {
    name: "SubjectAccessReviewStatus",
    fields: &[
        req(1, "allowed", Bool),
        one(4, "denied", Bool),
        one(2, "reason", Str),
        one(3, "evaluationError", Str),
    ],
};

static SELF_SUBJECT_RULES_REVIEW: Message = Message {
    name: "SelfSubjectRulesReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SELF_SUBJECT_RULES_REVIEW_SPEC)),
        one(3, "status", Msg(&SUBJECT_RULES_REVIEW_STATUS)),
    ],
};

static SELF_SUBJECT_RULES_REVIEW_SPEC: Message = Message {
    name: "SelfSubjectRulesReviewSpec",
    fields: &[one(1, "namespace", Str)],
};

static SUBJECT_RULES_REVIEW_STATUS: Message = Message {
    name: "SubjectRulesReviewStatus",
    fields: &[
        list(1, "resourceRules", Msg(&RESOURCE_RULE)),
        list(2, "nonResourceRules", Msg(&NON_RESOURCE_RULE)),
        req(3, "incomplete", Bool),
        one(4, "evaluationError", Str),
    ],
};

static RESOURCE_RULE: Message = Message {
    name: "ResourceRule",
    fields: &[
        list(1, "verbs", Str),
        list(2, "apiGroups", Str),
        list(3, "resources", Str),
        list(4, "resourceNames", Str),
    ],
};

static NON_RESOURCE_RULE: Message = Message {
    name: "NonResourceRule",
    fields: &[list(1, "verbs", Str), list(2, "nonResourceURLs", Str)],
};

/// `SubjectAccessReview` and `LocalSubjectAccessReview` share their shape.
static SUBJECT_ACCESS_REVIEW: Message = Message {
    name: "SubjectAccessReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SUBJECT_ACCESS_REVIEW_SPEC)),
        one(3, "status", Msg(&SUBJECT_ACCESS_REVIEW_STATUS)),
    ],
};

static SUBJECT_ACCESS_REVIEW_SPEC: Message = Message {
    name: "SubjectAccessReviewSpec",
    fields: &[
        opt(1, "resourceAttributes", Msg(&RESOURCE_ATTRIBUTES)),
        opt(2, "nonResourceAttributes", Msg(&NON_RESOURCE_ATTRIBUTES)),
        one(3, "user", Str),
        list(4, "groups", Str),
        map(5, "extra", ExtraValue),
        one(6, "uid", Str),
    ],
};
