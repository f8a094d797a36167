//! Authentication (bearer tokens and client certificates to users) and authorization (RBAC over
//! the cluster's own Role/ClusterRole/RoleBinding/ClusterRoleBinding objects), plus the
//! access-review APIs and the default policy of a fresh cluster.
//!
//! The rules follow kube-apiserver's: the first authenticator that recognises a request wins
//! (client certificate before bearer token), every authenticated user is in
//! `system:authenticated`, members of `system:masters` bypass RBAC, and a denial is a 403 whose
//! message is word for word what kube-apiserver sends, because users read it and tests compare it.

mod bootstrap;
mod proto;
mod rbac;
mod review;

pub use bootstrap::{bind_user_to_cluster_role, bind_user_to_role, bootstrap_policy};
pub use proto::{PROTOBUF_CONTENT_TYPE, decode_review};
pub use review::{
    self_subject_access_review, self_subject_review, self_subject_rules_review,
    validate_self_subject_access_review,
};

use crate::error::{ApiError, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Group every authenticated user belongs to.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
/// Group of requests without credentials (when anonymous access is on).
pub const UNAUTHENTICATED_GROUP: &str = "system:unauthenticated";
/// Group whose members are allowed everything, whatever RBAC says.
pub const MASTERS_GROUP: &str = "system:masters";
/// User name of requests without credentials.
pub const ANONYMOUS_USER: &str = "system:anonymous";

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// User name, e.g. `admin` or `system:serviceaccount:ns:sa`.
    pub name: String,
    /// Groups, e.g. `system:masters`, `system:authenticated`.
    pub groups: Vec<String>,
}

impl User {
    /// A user with the given groups, plus `system:authenticated` (as every authenticated user has).
    pub fn new(name: &str, groups: &[&str]) -> Self {
        let mut user = Self {
            name: name.to_string(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        };
        user.ensure_authenticated();
        user
    }

    /// The user of a service account token: `system:serviceaccount:<ns>:<name>`, in the groups
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        let user_name = format!("system:serviceaccount:{namespace}:{name}");
        let ns_group = format!("system:serviceaccounts:{namespace}");
        Self::new(&user_name, &["system:serviceaccounts", &ns_group])
    }

    /// The anonymous user (`system:anonymous`, group `system:unauthenticated`).
    pub fn anonymous() -> Self {
        Self {
            name: ANONYMOUS_USER.into(),
            groups: vec![UNAUTHENTICATED_GROUP.into()],
        }
    }

    /// Whether the user is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    fn ensure_authenticated(&mut self) {
        if !self.in_group(AUTHENTICATED_GROUP) {
            self.groups.push(AUTHENTICATED_GROUP.to_string());
        }
    }
}

/// The user of a verified client certificate: CN is the user name, each O is a group (this is how
/// kube-apiserver maps certificates, so `O=system:masters` makes a cluster admin).
pub fn user_from_cert(cn: &str, orgs: &[String]) -> User {
    let mut user = User {
        name: cn.to_string(),
        groups: orgs.to_vec(),
    };
    user.ensure_authenticated();
    user
}

/// Maps bearer tokens to users.
#[derive(Clone, Default)]
pub struct Authenticator {
    tokens: HashMap<String, User>,
    anonymous: bool,
}

// Tokens are credentials: never print them in logs or panics.
impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("tokens", &self.tokens.len())
            .field("anonymous", &self.anonymous)
            .finish()
    }
}

impl Authenticator {
    /// An authenticator; with `anonymous`, requests without a token are `system:anonymous`.
    pub fn new(anonymous: bool) -> Self {
        Self {
            tokens: HashMap::new(),
            anonymous,
        }
    }

    /// Registers a token for a user; the user is put in `system:authenticated`.
    pub fn add_token(&mut self, token: &str, mut user: User) {
        user.ensure_authenticated();
        self.tokens.insert(token.to_string(), user);
    }

    /// Forgets a token (a revoked credential); returns whether it existed.
    pub fn remove_token(&mut self, token: &str) -> bool {
        self.tokens.remove(token).is_some()
    }

    /// The user of an `Authorization` header value (or none), or 401.
    ///
    /// Like kube-apiserver: the scheme is case-insensitive, a header that is not a bearer token
    /// (or has an empty token) counts as no credentials, and an unknown token is 401 even when
    /// anonymous access is on.
    pub fn authenticate(&self, header: Option<&str>) -> Result<User> {
        match header.and_then(bearer_token) {
            Some(t) => self.tokens.get(t).cloned().ok_or_else(ApiError::unauthorized),
            None if self.anonymous => Ok(User::anonymous()),
            None => Err(ApiError::unauthorized()),
        }
    }

    /// The user of a request: a verified client certificate wins over the `Authorization` header,
    /// as kube-apiserver's x509 authenticator runs before the token authenticators.
    pub fn authenticate_request(&self, header: Option<&str>, cert_user: Option<&User>) -> Result<User> {
        match cert_user {
            Some(user) => Ok(user.clone()),
            None => self.authenticate(header),
        }
    }
}

fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
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

impl Attributes {
    /// Attributes of a resource request.
    pub fn resource(
        verb: &str,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Self {
        Self {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
            name: name.filter(|n| !n.is_empty()).map(str::to_string),
            ..Self::default()
        }
    }

    /// Attributes of a non-resource request (`/healthz`, `/version`, ...).
    pub fn non_resource(verb: &str, path: &str) -> Self {
        Self {
            verb: verb.into(),
            path: Some(path.into()),
            ..Self::default()
        }
    }

    /// The same attributes for a subresource (`log`, `status`, `scale`, ...).
    pub fn with_subresource(mut self, subresource: &str) -> Self {
        self.subresource = subresource.into();
        self
    }
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
pub fn authorize(user: &User, attrs: &Attributes, rbac: &dyn RbacSource) -> Result<()> {
    let decision = rbac::decide(user, attrs, rbac);
    if decision.allowed {
        return Ok(());
    }
    let mut err = forbidden(user, attrs);
    // kube-apiserver appends the authorizer's reason, e.g. a binding to a role that does not
    // exist: `...: RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`.
    if !decision.reason.is_empty() {
        err.message = format!("{}: {}", err.message, decision.reason);
    }
    Err(err)
}

/// The 403 kube-apiserver sends when `user` may not do `attrs` (without an authorizer reason).
pub fn forbidden(user: &User, attrs: &Attributes) -> ApiError {
    if let Some(path) = &attrs.path {
        return ApiError::new(
            403,
            "Forbidden",
            format!(
                "forbidden: User \"{}\" cannot {} path \"{path}\"",
                user.name, attrs.verb
            ),
        );
    }
    let mut err = ApiError::forbidden(
        &user.name,
        &attrs.verb,
        &attrs.group,
        &attrs.resource,
        attrs.namespace.as_deref(),
        attrs.name.as_deref(),
    );
    if !attrs.subresource.is_empty() {
        // kube-apiserver names `pods "web"` as the object but `pods/log` as the resource the
        // user cannot access; the shared helper only knows the plural, so patch that one spot.
        let plain = format!("cannot {} resource \"{}\"", attrs.verb, attrs.resource);
        let with_sub = format!(
            "cannot {} resource \"{}/{}\"",
            attrs.verb, attrs.resource, attrs.subresource
        );
        err.message = err.message.replacen(&plain, &with_sub, 1);
    }
    err
}

#[cfg(test)]
mod tests;
