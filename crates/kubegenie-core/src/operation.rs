//! The typed operations every front end produces: the CLI parses flags into one, the NLU
//! classifies text into one, REST and MCP deserialize one. Each capability is one variant
//! carrying its own request struct; a handler turns it into an outcome (reads) or a
//! [`Plan`](crate::plan::Plan) (writes).
//!
//! Adding a capability is local: a request struct, one variant, and one line in each of the
//! `match`es of [`Operation::name`] and [`Operation::is_write`].

use crate::plan::DryRun;
use crate::selection::ClusterSelection;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One capability, with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "operation", rename_all = "snake_case")]
pub enum Operation {
    /// `get`: list or read objects.
    Get(GetRequest),
    /// `describe`: human description of objects with their events.
    Describe(DescribeRequest),
    /// `logs`: container logs.
    Logs(LogsRequest),
    /// `top`: resource usage from `metrics.k8s.io`.
    Top(TopRequest),
    /// `apply`: server-side apply of manifests.
    Apply(ApplyRequest),
    /// `delete`: delete objects.
    Delete(DeleteRequest),
    /// `scale`: set replicas through the scale subresource.
    Scale(ScaleRequest),
    /// `rollout restart|undo|status`.
    Rollout(RolloutRequest),
}

impl Operation {
    /// The operation's name as users type it (also the audit log's operation column).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Get(_) => "get",
            Self::Describe(_) => "describe",
            Self::Logs(_) => "logs",
            Self::Top(_) => "top",
            Self::Apply(_) => "apply",
            Self::Delete(_) => "delete",
            Self::Scale(_) => "scale",
            Self::Rollout(r) => r.action.name(),
        }
    }

    /// Whether it changes clusters (and so goes through a plan, confirmation and the audit log).
    pub fn is_write(&self) -> bool {
        match self {
            Self::Get(_) | Self::Describe(_) | Self::Logs(_) | Self::Top(_) => false,
            Self::Apply(_) | Self::Delete(_) | Self::Scale(_) => true,
            Self::Rollout(r) => r.action != RolloutAction::Status,
        }
    }
}

/// An operation and the clusters it targets: what REST and MCP receive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Targeted {
    /// Which clusters.
    #[serde(default)]
    pub clusters: ClusterSelection,
    /// What to do there.
    #[serde(flatten)]
    pub operation: Operation,
}

/// Where objects are looked for: a namespace, every namespace, or each cluster's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Scope {
    /// Namespace; `None` uses each cluster's default namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Every namespace (`-A`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_namespaces: bool,
}

/// Which objects of one kind: names, or a label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectSelector {
    /// Kind as typed (`po`, `deployments.apps`, `widgets`).
    pub kind: String,
    /// Object names; empty means every object matching `label_selector`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// `-l`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
}

impl ObjectSelector {
    /// Parses `kind`, `kind/name` or `kind name...` as kubectl does.
    pub fn parse(resource: &str, names: &[String]) -> Self {
        let (kind, mut all) = match resource.split_once('/') {
            Some((k, n)) => (k.to_string(), vec![n.to_string()]),
            None => (resource.to_string(), Vec::new()),
        };
        all.extend(names.iter().cloned());
        Self {
            kind,
            names: all,
            label_selector: None,
        }
    }
}

/// `get`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GetRequest {
    /// Kind as typed (`po`, `deployments.apps`, `widgets`).
    pub kind: String,
    /// Object names; empty lists the collection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Namespace; `None` uses each cluster's default namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Every namespace (`-A`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_namespaces: bool,
    /// `-l`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// `--field-selector`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<String>,
}

/// `describe`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DescribeRequest {
    /// Which objects.
    pub objects: ObjectSelector,
    /// Where.
    #[serde(default)]
    pub scope: Scope,
}

/// What `logs` reads from: a pod, a workload's pods, or pods matching a selector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogSource {
    /// One pod by name.
    Pod(String),
    /// The pods of a workload (`deploy/x`, `sts/x`, `rs/x`, `ds/x`, `job/x`).
    Workload {
        /// Kind as typed.
        kind: String,
        /// Workload name.
        name: String,
    },
    /// Pods matching a label selector (`-l`).
    Selector(String),
}

impl LogSource {
    /// Parses `pod`, `pod/x` or `kind/x`.
    pub fn parse(target: &str) -> Self {
        match target.split_once('/') {
            Some(("pod" | "pods" | "po", name)) => Self::Pod(name.to_string()),
            Some((kind, name)) => Self::Workload {
                kind: kind.to_string(),
                name: name.to_string(),
            },
            None => Self::Pod(target.to_string()),
        }
    }
}

/// `logs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LogsRequest {
    /// Where the logs come from.
    pub source: LogSource,
    /// Namespace; `None` uses each cluster's default namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Container (`-c`); `None` picks the default container (annotation, else the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Every container of each pod.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all_containers: bool,
    /// Keep streaming (`-f`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub follow: bool,
    /// Only lines newer than this many seconds (`--since`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_seconds: Option<u64>,
    /// Only the last lines (`--tail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail: Option<u64>,
    /// The previous container instance (`--previous`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub previous: bool,
    /// Prefix each line with its timestamp.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub timestamps: bool,
}

/// What `top` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopTarget {
    /// Pods.
    Pods,
    /// Nodes.
    Nodes,
}

/// `top pods|nodes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TopRequest {
    /// Pods or nodes.
    pub target: TopTarget,
    /// Names; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Where (pods only).
    #[serde(default)]
    pub scope: Scope,
    /// `-l`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
}

/// One manifest document, already parsed, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Manifest {
    /// File name (or `-` for stdin) and 1-based document index, for messages.
    pub origin: String,
    /// The object.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub object: serde_json::Value,
}

/// `apply`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApplyRequest {
    /// The objects to apply.
    pub manifests: Vec<Manifest>,
    /// Namespace for namespaced objects that name none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Take over fields owned by other managers (`--force-conflicts`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_conflicts: bool,
    /// Clusters applied to at a time; a failing batch stops the rollout. `None`: all at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout_batch: Option<usize>,
    /// Skip invalid documents and apply the rest (default: an invalid document stops
    /// everything before anything is applied).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continue_on_error: bool,
    /// Dry run.
    #[serde(default)]
    pub dry_run: DryRun,
}

/// `delete`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeleteRequest {
    /// Which objects.
    pub objects: ObjectSelector,
    /// Where.
    #[serde(default)]
    pub scope: Scope,
    /// Every object of the kind (`--all`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// Allow what is refused by default (`--all` on several clusters, protected namespaces).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force: bool,
    /// Dry run.
    #[serde(default)]
    pub dry_run: DryRun,
}

/// Namespaces `delete` refuses to touch without `--force`.
pub const PROTECTED_NAMESPACES: [&str; 4] = ["kube-system", "kube-public", "kube-node-lease", "default"];

/// Why a `delete` is refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeleteRefusal {
    /// Neither names, `-l` nor `--all`.
    #[error("nothing to delete: name objects, pass -l SELECTOR, or --all")]
    NothingSelected,
    /// `--all` together with names.
    #[error("--all deletes every {kind}; do not also name objects")]
    AllWithNames {
        /// The kind.
        kind: String,
    },
    /// `--all` (or a selector only) over several clusters.
    #[error("refusing to delete every {kind} on {clusters} clusters; select one cluster or pass --force")]
    AllAcrossClusters {
        /// The kind.
        kind: String,
        /// How many clusters were selected.
        clusters: usize,
    },
    /// A protected namespace.
    #[error("refusing to delete in protected namespace {namespace:?}; pass --force if you mean it")]
    ProtectedNamespace {
        /// The namespace.
        namespace: String,
    },
    /// Deleting a protected namespace itself.
    #[error("refusing to delete the protected namespace {name:?}; pass --force if you mean it")]
    ProtectedNamespaceObject {
        /// The namespace name.
        name: String,
    },
}

impl DeleteRequest {
    /// Checks the request against the rules that hold before any cluster is asked: what must
    /// be selected, `--all` across several clusters, protected namespaces (checked again per
    /// object once namespaces are known, see [`DeleteRequest::check_namespace`]).
    pub fn check(&self, clusters: usize) -> Result<(), DeleteRefusal> {
        let o = &self.objects;
        if o.names.is_empty() && o.label_selector.is_none() && !self.all {
            return Err(DeleteRefusal::NothingSelected);
        }
        if self.all && !o.names.is_empty() {
            return Err(DeleteRefusal::AllWithNames { kind: o.kind.clone() });
        }
        if self.all && clusters > 1 && !self.force {
            return Err(DeleteRefusal::AllAcrossClusters {
                kind: o.kind.clone(),
                clusters,
            });
        }
        if let Some(ns) = &self.scope.namespace {
            self.check_namespace(ns)?;
        }
        let protected = o
            .names
            .iter()
            .find(|n| PROTECTED_NAMESPACES.contains(&n.as_str()));
        if let Some(name) = protected
            && matches!(o.kind.as_str(), "ns" | "namespace" | "namespaces")
            && !self.force
        {
            return Err(DeleteRefusal::ProtectedNamespaceObject { name: name.clone() });
        }
        Ok(())
    }

    /// Refuses objects in a protected namespace unless `--force`.
    pub fn check_namespace(&self, namespace: &str) -> Result<(), DeleteRefusal> {
        if !self.force && PROTECTED_NAMESPACES.contains(&namespace) {
            return Err(DeleteRefusal::ProtectedNamespace {
                namespace: namespace.to_string(),
            });
        }
        Ok(())
    }
}

/// `scale`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScaleRequest {
    /// Which workloads (deployments, statefulsets, replicasets).
    pub objects: ObjectSelector,
    /// Namespace; `None` uses each cluster's default namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Desired replicas.
    pub replicas: u32,
    /// Only scale where the current replicas equal this (`--current-replicas`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_replicas: Option<u32>,
    /// Dry run.
    #[serde(default)]
    pub dry_run: DryRun,
}

/// What `rollout` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RolloutAction {
    /// Restart the pods (a new template annotation, as kubectl does).
    Restart,
    /// Go back to the previous revision, or to `to_revision`.
    Undo,
    /// Wait for the rollout to finish and report it.
    Status,
}

impl RolloutAction {
    /// The name used in messages and the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Self::Restart => "rollout restart",
            Self::Undo => "rollout undo",
            Self::Status => "rollout status",
        }
    }
}

/// `rollout restart|undo|status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RolloutRequest {
    /// What to do.
    pub action: RolloutAction,
    /// Which workloads.
    pub objects: ObjectSelector,
    /// Namespace; `None` uses each cluster's default namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `undo --to-revision`; `None` is the previous revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_revision: Option<i64>,
    /// `status`: wait until done (default), or report once (`--watch=false`).
    #[serde(default = "yes")]
    pub wait: bool,
    /// `status`: give up after this many seconds (`--timeout`); `None` waits for the fan-out
    /// timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// Dry run (restart and undo).
    #[serde(default)]
    pub dry_run: DryRun,
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations_round_trip_through_json_with_a_tag() {
        let op = Operation::Scale(ScaleRequest {
            objects: ObjectSelector::parse("deploy/web", &[]),
            replicas: 3,
            ..Default::default()
        });
        let v = serde_json::to_value(&op).unwrap();
        assert_eq!(v["operation"], "scale");
        assert_eq!(v["objects"], json!({"kind": "deploy", "names": ["web"]}));
        assert_eq!(serde_json::from_value::<Operation>(v).unwrap(), op);
        assert!(op.is_write());
        let t: Targeted = serde_json::from_value(
            json!({"clusters": {"all": true}, "operation": "get", "kind": "pods", "all_namespaces": true}),
        )
        .unwrap();
        assert!(t.clusters.all);
        assert!(!t.operation.is_write());
        assert_eq!(t.operation.name(), "get");
    }

    #[test]
    fn the_schema_names_every_operation() {
        let schema = serde_json::to_string(&schemars::schema_for!(Operation)).unwrap();
        for op in [
            "get", "describe", "logs", "top", "apply", "delete", "scale", "rollout",
        ] {
            assert!(
                schema.contains(&format!("\"{op}\"")),
                "{op} missing from the schema"
            );
        }
    }

    #[test]
    fn rollout_status_is_a_read() {
        let r = RolloutRequest {
            action: RolloutAction::Status,
            objects: ObjectSelector::parse("deploy", &["web".into()]),
            namespace: None,
            to_revision: None,
            wait: true,
            timeout_seconds: None,
            dry_run: DryRun::None,
        };
        assert!(!Operation::Rollout(r.clone()).is_write());
        assert_eq!(r.objects.names, ["web"]);
        let undo = Operation::Rollout(RolloutRequest {
            action: RolloutAction::Undo,
            ..r
        });
        assert!(undo.is_write());
        assert_eq!(undo.name(), "rollout undo");
    }

    #[test]
    fn delete_refusals() {
        let mut d = DeleteRequest {
            objects: ObjectSelector::parse("cm", &[]),
            all: true,
            ..Default::default()
        };
        assert!(d.check(1).is_ok());
        assert_eq!(
            d.check(3),
            Err(DeleteRefusal::AllAcrossClusters {
                kind: "cm".into(),
                clusters: 3
            })
        );
        d.force = true;
        assert!(d.check(3).is_ok());
        let mut d = DeleteRequest {
            objects: ObjectSelector::parse("cm/x", &[]),
            scope: Scope {
                namespace: Some("kube-system".into()),
                all_namespaces: false,
            },
            ..Default::default()
        };
        assert!(matches!(
            d.check(1),
            Err(DeleteRefusal::ProtectedNamespace { .. })
        ));
        d.force = true;
        assert!(d.check(1).is_ok());
        let d = DeleteRequest {
            objects: ObjectSelector::parse("ns/kube-public", &[]),
            ..Default::default()
        };
        assert!(matches!(
            d.check(1),
            Err(DeleteRefusal::ProtectedNamespaceObject { .. })
        ));
        let d = DeleteRequest {
            objects: ObjectSelector::parse("cm", &[]),
            ..Default::default()
        };
        assert_eq!(d.check(1), Err(DeleteRefusal::NothingSelected));
    }

    #[test]
    fn log_sources_parse_like_kubectl() {
        assert_eq!(LogSource::parse("web-1"), LogSource::Pod("web-1".into()));
        assert_eq!(LogSource::parse("pod/web-1"), LogSource::Pod("web-1".into()));
        assert_eq!(
            LogSource::parse("deploy/web"),
            LogSource::Workload {
                kind: "deploy".into(),
                name: "web".into()
            }
        );
    }
}
