//! `rbac.authorization.k8s.io/v1`: roles, cluster roles (with aggregation rules) and bindings.

use super::schema::Ty::{Msg, Str};
use super::schema::{Message, Root, list, one, opt, root};
use super::schema_meta::{LABEL_SELECTOR, OBJECT_META};

/// Kinds of the RBAC group.
pub(crate) static ROOTS: &[Root] = &[
    root("rbac.authorization.k8s.io/v1", "Role", &ROLE),
    root("rbac.authorization.k8s.io/v1", "ClusterRole", &CLUSTER_ROLE),
    root("rbac.authorization.k8s.io/v1", "RoleBinding", &BINDING),
    root("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", &BINDING),
];

static ROLE: Message = Message {
    name: "Role",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        list(2, "rules", Msg(&POLICY_RULE)),
    ],
};

static CLUSTER_ROLE: Message = Message {
    name: "ClusterRole",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        list(2, "rules", Msg(&POLICY_RULE)),
        opt(3, "aggregationRule", Msg(&AGGREGATION_RULE)),
    ],
};

static POLICY_RULE: Message = Message {
    name: "PolicyRule",
    fields: &[
        list(1, "verbs", Str),
        list(2, "apiGroups", Str),
        list(3, "resources", Str),
        list(4, "resourceNames", Str),
        list(5, "nonResourceURLs", Str),
    ],
};

static AGGREGATION_RULE: Message = Message {
    name: "AggregationRule",
    fields: &[list(1, "clusterRoleSelectors", Msg(&LABEL_SELECTOR))],
};

/// `RoleBinding` and `ClusterRoleBinding` share their shape.
static BINDING: Message = Message {
    name: "RoleBinding",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        list(2, "subjects", Msg(&SUBJECT)),
        one(3, "roleRef", Msg(&ROLE_REF)),
    ],
};

static SUBJECT: Message = Message {
    name: "Subject",
    fields: &[
        one(1, "kind", Str),
        one(2, "apiGroup", Str),
        one(3, "name", Str),
        one(4, "namespace", Str),
    ],
};

static ROLE_REF: Message = Message {
    name: "RoleRef",
    fields: &[one(1, "apiGroup", Str), one(2, "kind", Str), one(3, "name", Str)],
};
