//! What operations return: objects and tables tagged with their cluster, and one error row per
//! cluster that failed, so a fleet-wide answer is never lost to one bad cluster.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why a cluster could not answer, as a class a user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ErrorClass {
    /// The API server's host name does not resolve.
    Dns,
    /// The TLS handshake or certificate verification failed.
    Tls,
    /// Nothing listens at the address, or the connection was reset.
    Unreachable,
    /// The cluster did not answer within the timeout.
    Timeout,
    /// 401: the credentials were not accepted.
    Unauthorized,
    /// 403: the credentials lack a permission.
    Forbidden,
    /// 404: the object or resource type does not exist there.
    NotFound,
    /// 409: a conflicting change or an existing object.
    Conflict,
    /// 422 or 400: the request was rejected as invalid.
    Invalid,
    /// 5xx: the server failed.
    Server,
    /// Credentials could not be obtained (kubeconfig, exec plugin, files).
    Credentials,
    /// Anything else.
    Other,
}

impl ErrorClass {
    /// The class of an HTTP status code returned by a cluster.
    pub fn from_status(code: u16) -> Self {
        match code {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            409 => Self::Conflict,
            400 | 422 => Self::Invalid,
            500..=599 => Self::Server,
            _ => Self::Other,
        }
    }

    /// What to do about it.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Dns => "check the server host name in the kubeconfig or registry entry",
            Self::Tls => "check the CA (certificate-authority / --ca-file) matches the server's certificate",
            Self::Unreachable => "check the cluster is running and the server URL and port are right",
            Self::Timeout => "the cluster is slow or unreachable; retry, or raise --timeout",
            Self::Unauthorized => "the token or certificate was rejected; refresh the credentials",
            Self::Forbidden => "ask for the RBAC permission named in the message, or use another identity",
            Self::NotFound => "check the name, namespace and kind exist on that cluster",
            Self::Conflict => "the object changed or already exists; re-read it and retry",
            Self::Invalid => "fix the request as the message says",
            Self::Server => "the API server failed; check its health and retry",
            Self::Credentials => "check the credential source (kubeconfig user, exec plugin, token file)",
            Self::Other => "see the message",
        }
    }
}

/// One cluster's failure inside a fleet-wide outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClusterError {
    /// Cluster name.
    pub cluster: String,
    /// Error class.
    pub reason: ErrorClass,
    /// The message from the cluster or the transport.
    pub message: String,
}

/// An object from one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClusterObject {
    /// Cluster name.
    pub cluster: String,
    /// The Kubernetes object.
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub object: Value,
}

/// Objects from many clusters: the `-o json` document of multi-cluster reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MultiClusterList {
    /// Always `MultiClusterList`.
    pub kind: MultiClusterListKind,
    /// Objects, each with its cluster.
    pub items: Vec<ClusterObject>,
    /// Clusters that failed.
    pub errors: Vec<ClusterError>,
}

/// The constant `kind` of a [`MultiClusterList`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum MultiClusterListKind {
    /// `MultiClusterList`.
    #[default]
    MultiClusterList,
}

impl MultiClusterList {
    /// Whether every cluster failed (the case that makes a command exit non-zero).
    pub fn all_failed(&self) -> bool {
        self.items.is_empty() && !self.errors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn multi_cluster_list_has_the_documented_shape() {
        let list = MultiClusterList {
            items: vec![ClusterObject {
                cluster: "a".into(),
                object: json!({"kind": "Pod"}),
            }],
            errors: vec![ClusterError {
                cluster: "b".into(),
                reason: ErrorClass::Forbidden,
                message: "no".into(),
            }],
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&list).unwrap(),
            json!({"kind": "MultiClusterList", "items": [{"cluster": "a", "object": {"kind": "Pod"}}],
                "errors": [{"cluster": "b", "reason": "Forbidden", "message": "no"}]})
        );
        assert!(!list.all_failed());
    }

    #[test]
    fn status_codes_map_to_classes() {
        assert_eq!(ErrorClass::from_status(403), ErrorClass::Forbidden);
        assert_eq!(ErrorClass::from_status(503), ErrorClass::Server);
        assert!(ErrorClass::Forbidden.hint().contains("RBAC"));
    }
}
