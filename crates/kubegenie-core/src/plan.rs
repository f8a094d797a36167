//! Writes as plans: a [`Plan`] lists per-cluster [`Action`]s, is shown to the user, and is
//! executed only after confirmation (or not at all on a client dry run). Its
//! [`PlanOutcome`] says what happened per action and per cluster, and is what the audit log
//! records (object references and results, never object contents).

use crate::outcome::ClusterError;
use crate::render::TextTable;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Whether a write is really made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DryRun {
    /// Persist the change.
    #[default]
    None,
    /// Only compute the plan; send nothing.
    Client,
    /// Send the requests with `dryRun=All`: the server validates and admits but persists nothing.
    Server,
}

impl DryRun {
    /// Whether nothing is persisted.
    pub fn is_dry(self) -> bool {
        self != Self::None
    }

    /// kubectl's suffix for dry-run results (`(dry run)`, `(server dry run)`).
    pub fn suffix(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Client => " (dry run)",
            Self::Server => " (server dry run)",
        }
    }
}

/// An object on a cluster, by reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
pub struct ObjectRef {
    /// `v1`, `apps/v1`, ...
    pub api_version: String,
    /// `Deployment`, ...
    pub kind: String,
    /// The resource's plural (`deployments`), which addresses it in the API.
    pub resource: String,
    /// Namespace, for namespaced kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl ObjectRef {
    /// The group (empty for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// The API path of the object (`/apis/apps/v1/namespaces/ns/deployments/web`).
    pub fn path(&self) -> String {
        let base = if self.api_version.contains('/') {
            format!("/apis/{}", self.api_version)
        } else {
            format!("/api/{}", self.api_version)
        };
        match &self.namespace {
            Some(ns) => format!("{base}/namespaces/{ns}/{}/{}", self.resource, self.name),
            None => format!("{base}/{}/{}", self.resource, self.name),
        }
    }

    /// `kind.group/name` as kubectl names objects in messages (`deployment.apps/web`).
    pub fn display(&self) -> String {
        let kind = self.kind.to_ascii_lowercase();
        match self.group() {
            "" => format!("{kind}/{}", self.name),
            g => format!("{kind}.{g}/{}", self.name),
        }
    }
}

/// What an action changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// Apply: the object does not exist yet.
    Create,
    /// Apply: the object exists and some applied field differs.
    Configure,
    /// Apply: every applied field already has the applied value.
    Unchanged,
    /// Delete the object.
    Delete,
    /// Set replicas through the scale subresource.
    Scale {
        /// Replicas now.
        from: i64,
        /// Replicas wanted.
        to: i64,
    },
    /// Restart the pods by a new template annotation.
    Restart,
    /// Roll back to an older revision's pod template.
    Undo {
        /// Revision now.
        from_revision: i64,
        /// Revision whose template is restored.
        to_revision: i64,
    },
}

impl Change {
    /// The past-tense word kubectl prints for the result (`created`, `scaled`, ...).
    pub fn verb(&self) -> &'static str {
        match self {
            Self::Create => "created",
            Self::Configure => "configured",
            Self::Unchanged => "unchanged",
            Self::Delete => "deleted",
            Self::Scale { .. } => "scaled",
            Self::Restart => "restarted",
            Self::Undo { .. } => "rolled back",
        }
    }

    /// A short description for plan tables.
    pub fn describe(&self) -> String {
        match self {
            Self::Scale { from, to } => format!("scale {from} -> {to}"),
            Self::Undo {
                from_revision,
                to_revision,
            } => format!("undo revision {from_revision} -> {to_revision}"),
            Self::Create => "create".into(),
            Self::Configure => "configure".into(),
            Self::Unchanged => "unchanged".into(),
            Self::Delete => "delete".into(),
            Self::Restart => "restart".into(),
        }
    }
}

/// How an action's request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// `PATCH` with `application/apply-patch+yaml` (server-side apply).
    Apply,
    /// `PATCH` with `application/merge-patch+json`.
    MergePatch,
    /// `PATCH` with `application/strategic-merge-patch+json`.
    StrategicPatch,
    /// `PATCH` with `application/json-patch+json`.
    JsonPatch,
    /// `DELETE`.
    Delete,
}

/// One change to one object on one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Action {
    /// Cluster name.
    pub cluster: String,
    /// The object.
    pub target: ObjectRef,
    /// What changes.
    #[serde(flatten)]
    pub change: Change,
    /// How it is sent.
    pub request: Request,
    /// Sent to a subresource (`scale`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subresource: Option<String>,
    /// The request body (manifest or patch). It may hold secrets: never logged or audited, and
    /// left out of [`Plan::redacted`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub body: Option<Value>,
}

/// A write to make: actions per cluster, clusters that could not be planned, and how to run it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// The operation's name (`apply`, `scale`, ...).
    pub operation: String,
    /// Dry run or not.
    pub dry_run: DryRun,
    /// Actions, grouped by cluster in selection order.
    pub actions: Vec<Action>,
    /// Clusters that could not be planned (they are not written to).
    pub errors: Vec<ClusterError>,
    /// Objects a cluster rejected while planning (an invalid document, a missing CRD), named
    /// in the message. A plan with rejections is not executed unless the user asked to
    /// continue on error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<ClusterError>,
    /// Clusters written at a time; a batch with a failure stops the rest. `None`: all at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<usize>,
    /// Field manager for server-side apply and patches.
    pub field_manager: String,
    /// Take over conflicting fields on apply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_conflicts: bool,
}

/// The field manager KubeGenie writes as.
pub const FIELD_MANAGER: &str = "kubegenie";

impl Plan {
    /// An empty plan for `operation`.
    pub fn new(operation: &str, dry_run: DryRun) -> Self {
        Self {
            operation: operation.to_string(),
            dry_run,
            field_manager: FIELD_MANAGER.to_string(),
            ..Default::default()
        }
    }

    /// Clusters with actions, in plan order.
    pub fn clusters(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for a in &self.actions {
            if out.last() != Some(&a.cluster) && !out.contains(&a.cluster) {
                out.push(a.cluster.clone());
            }
        }
        out
    }

    /// Whether any action changes something (a plan of only `unchanged` needs no confirmation).
    pub fn changes_anything(&self) -> bool {
        self.actions.iter().any(|a| a.change != Change::Unchanged)
    }

    /// The plan without request bodies: what may be shown as JSON or stored.
    pub fn redacted(&self) -> Self {
        let mut p = self.clone();
        for a in &mut p.actions {
            a.body = None;
        }
        p
    }

    /// `CLUSTER KIND NAMESPACE NAME CHANGE`, one row per action.
    pub fn to_table(&self) -> TextTable {
        let mut t = TextTable::new(
            ["Cluster", "Object", "Namespace", "Change"]
                .map(String::from)
                .to_vec(),
        );
        for a in &self.actions {
            t.rows.push(vec![
                a.cluster.clone(),
                a.target.display(),
                a.target.namespace.clone().unwrap_or_default(),
                a.change.describe(),
            ]);
        }
        t
    }

    /// Per cluster: how many objects are created, configured, unchanged or otherwise changed.
    pub fn summary(&self) -> Vec<(String, String)> {
        let mut per: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for a in &self.actions {
            let word = match a.change {
                Change::Create => "to create",
                Change::Configure => "to configure",
                Change::Unchanged => "unchanged",
                Change::Delete => "to delete",
                Change::Scale { .. } => "to scale",
                Change::Restart => "to restart",
                Change::Undo { .. } => "to roll back",
            };
            *per.entry(&a.cluster).or_default().entry(word).or_default() += 1;
        }
        self.clusters()
            .into_iter()
            .map(|c| {
                let counts = &per[c.as_str()];
                let text = counts
                    .iter()
                    .map(|(w, n)| format!("{n} {w}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (c, text)
            })
            .collect()
    }
}

/// What became of one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ActionStatus {
    /// Done (or validated, on a dry run).
    Done,
    /// The cluster refused or failed.
    Failed {
        /// The error.
        error: ClusterError,
    },
    /// Not attempted: a client dry run, or an earlier batch failed.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// One action and its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActionResult {
    /// Cluster name.
    pub cluster: String,
    /// The object.
    pub target: ObjectRef,
    /// What was to change.
    #[serde(flatten)]
    pub change: Change,
    /// What happened.
    pub result: ActionStatus,
}

/// The result of executing a plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlanOutcome {
    /// The operation's name.
    pub operation: String,
    /// Dry run or not.
    pub dry_run: DryRun,
    /// One result per action, in plan order.
    pub results: Vec<ActionResult>,
    /// Clusters that failed as a whole (planning or connection).
    pub errors: Vec<ClusterError>,
}

/// A cluster's overall result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClusterStatus {
    /// Every action done.
    Succeeded,
    /// Some action failed, or the cluster could not be planned.
    Failed,
    /// Nothing attempted.
    Skipped,
}

impl PlanOutcome {
    /// Each cluster's overall status, in plan order then error order.
    pub fn per_cluster(&self) -> Vec<(String, ClusterStatus)> {
        let mut out: Vec<(String, ClusterStatus)> = Vec::new();
        for r in &self.results {
            let s = match r.result {
                ActionStatus::Done => ClusterStatus::Succeeded,
                ActionStatus::Failed { .. } => ClusterStatus::Failed,
                ActionStatus::Skipped { .. } => ClusterStatus::Skipped,
            };
            match out.iter_mut().find(|(c, _)| *c == r.cluster) {
                Some((_, cur)) => {
                    *cur = match (*cur, s) {
                        (ClusterStatus::Failed, _) | (_, ClusterStatus::Failed) => ClusterStatus::Failed,
                        (ClusterStatus::Succeeded, _) | (_, ClusterStatus::Succeeded) => {
                            ClusterStatus::Succeeded
                        }
                        _ => ClusterStatus::Skipped,
                    }
                }
                None => out.push((r.cluster.clone(), s)),
            }
        }
        for e in &self.errors {
            if !out.iter().any(|(c, _)| *c == e.cluster) {
                out.push((e.cluster.clone(), ClusterStatus::Failed));
            }
        }
        out
    }

    /// Whether nothing succeeded while something failed (the case that exits non-zero).
    pub fn all_failed(&self) -> bool {
        let per = self.per_cluster();
        per.iter().any(|(_, s)| *s == ClusterStatus::Failed)
            && !per.iter().any(|(_, s)| *s == ClusterStatus::Succeeded)
    }

    /// Whether any cluster failed.
    pub fn any_failed(&self) -> bool {
        self.per_cluster()
            .iter()
            .any(|(_, s)| *s == ClusterStatus::Failed)
    }

    /// `CLUSTER OBJECT NAMESPACE RESULT`, one row per action, kubectl's words.
    pub fn to_table(&self) -> TextTable {
        let mut t = TextTable::new(
            ["Cluster", "Object", "Namespace", "Result"]
                .map(String::from)
                .to_vec(),
        );
        for r in &self.results {
            let result = match &r.result {
                ActionStatus::Done => format!("{}{}", r.change.verb(), self.dry_run.suffix()),
                ActionStatus::Failed { error } => format!("failed: {:?}: {}", error.reason, error.message),
                ActionStatus::Skipped { reason } => format!("skipped: {reason}"),
            };
            t.rows.push(vec![
                r.cluster.clone(),
                r.target.display(),
                r.target.namespace.clone().unwrap_or_default(),
                result,
            ]);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::ErrorClass;
    use serde_json::json;

    fn deploy(cluster: &str, change: Change) -> Action {
        Action {
            cluster: cluster.into(),
            target: ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                resource: "deployments".into(),
                namespace: Some("shop".into()),
                name: "web".into(),
            },
            change,
            request: Request::Apply,
            subresource: None,
            body: Some(json!({"kind": "Secret", "data": {"password": "aHVudGVyMg=="}})),
        }
    }

    #[test]
    fn object_paths_and_names() {
        let a = deploy("a", Change::Create);
        assert_eq!(a.target.path(), "/apis/apps/v1/namespaces/shop/deployments/web");
        assert_eq!(a.target.display(), "deployment.apps/web");
        let ns = ObjectRef {
            api_version: "v1".into(),
            kind: "Namespace".into(),
            resource: "namespaces".into(),
            namespace: None,
            name: "shop".into(),
        };
        assert_eq!(ns.path(), "/api/v1/namespaces/shop");
        assert_eq!(ns.display(), "namespace/shop");
    }

    #[test]
    fn summary_counts_changes_per_cluster_and_redaction_drops_bodies() {
        let mut p = Plan::new("apply", DryRun::None);
        p.actions = vec![
            deploy("b", Change::Create),
            deploy("b", Change::Unchanged),
            deploy("a", Change::Configure),
        ];
        assert_eq!(
            p.summary(),
            [
                ("b".to_string(), "1 to create, 1 unchanged".to_string()),
                ("a".to_string(), "1 to configure".to_string())
            ]
        );
        assert!(p.changes_anything());
        let shown = serde_json::to_string(&p.redacted()).unwrap();
        assert!(!shown.contains("aHVudGVyMg"), "{shown}");
        assert_eq!(p.to_table().rows[0][3], "create");
    }

    #[test]
    fn outcome_statuses_per_cluster() {
        let ok = |c: &str| ActionResult {
            cluster: c.into(),
            target: deploy(c, Change::Create).target,
            change: Change::Scale { from: 1, to: 3 },
            result: ActionStatus::Done,
        };
        let mut out = PlanOutcome {
            operation: "scale".into(),
            dry_run: DryRun::Server,
            results: vec![ok("a")],
            errors: vec![ClusterError {
                cluster: "b".into(),
                reason: ErrorClass::Unreachable,
                message: "refused".into(),
            }],
        };
        assert_eq!(
            out.per_cluster(),
            [
                ("a".to_string(), ClusterStatus::Succeeded),
                ("b".to_string(), ClusterStatus::Failed)
            ]
        );
        assert!(out.any_failed() && !out.all_failed());
        assert_eq!(out.to_table().rows[0][3], "scaled (server dry run)");
        out.results.clear();
        assert!(out.all_failed());
    }
}
