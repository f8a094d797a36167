//! Workloads as the security checks see them: a pod template (Deployments, StatefulSets,
//! DaemonSets, ReplicaSets, Jobs, CronJobs) or a bare Pod, its containers of every kind, and the
//! patch path that changes its pod spec. Pods made by a controller present in the input are
//! judged through that controller's template, so a 50-replica Deployment is one finding, not 50.

use super::SecurityInput;
use super::patch::shell_quote;
use crate::health::analyzer::Target;
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvFromSource, EnvVar, PodSpec, PodTemplateSpec, Probe, ResourceRequirements,
    SecurityContext,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubegenie_core::finding::Recommendation;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

/// One workload: the object that owns a pod spec.
#[derive(Debug, Clone, Copy)]
pub struct Workload<'a> {
    /// `Deployment`, `Pod`, `CronJob`, ...
    pub kind: &'static str,
    /// Namespace (`default` when a manifest has none).
    pub namespace: &'a str,
    /// Name.
    pub name: &'a str,
    /// Metadata of the pods it makes (template metadata, or the Pod's own).
    pub pod_meta: Option<&'a ObjectMeta>,
    /// The pod spec.
    pub spec: &'a PodSpec,
    /// Desired replicas, for Deployments and StatefulSets (unset means 1).
    pub replicas: Option<i32>,
}

/// A container of any kind, with the fields the checks read.
#[derive(Debug, Clone, Copy)]
pub struct Ctr<'a> {
    /// `containers`, `initContainers` or `ephemeralContainers`.
    pub field: &'static str,
    /// Container name.
    pub name: &'a str,
    /// Image reference.
    pub image: Option<&'a str>,
    /// Pull policy.
    pub pull_policy: Option<&'a str>,
    /// Security context.
    pub sc: Option<&'a SecurityContext>,
    /// Ports.
    pub ports: Option<&'a Vec<ContainerPort>>,
    /// Env vars.
    pub env: Option<&'a Vec<EnvVar>>,
    /// envFrom sources.
    pub env_from: Option<&'a Vec<EnvFromSource>>,
    /// Requests and limits.
    pub resources: Option<&'a ResourceRequirements>,
    /// Liveness probe.
    pub liveness: Option<&'a Probe>,
    /// Readiness probe.
    pub readiness: Option<&'a Probe>,
}

impl<'a> Ctr<'a> {
    fn of(field: &'static str, c: &'a Container) -> Self {
        Ctr {
            field,
            name: &c.name,
            image: c.image.as_deref(),
            pull_policy: c.image_pull_policy.as_deref(),
            sc: c.security_context.as_ref(),
            ports: c.ports.as_ref(),
            env: c.env.as_ref(),
            env_from: c.env_from.as_ref(),
            resources: c.resources.as_ref(),
            liveness: c.liveness_probe.as_ref(),
            readiness: c.readiness_probe.as_ref(),
        }
    }

    /// A pod-spec patch setting `fields` on this container.
    pub fn patch(&self, fields: Value) -> Value {
        let mut item = json!({"name": self.name});
        super::patch::merge(&mut item, fields);
        json!({ self.field: [item] })
    }
}

impl<'a> Workload<'a> {
    /// The object a finding about this workload names.
    pub fn target(&self) -> Target<'a> {
        Target::namespaced(self.kind, self.namespace, self.name)
    }

    /// Every container: init, regular, then ephemeral.
    pub fn containers(&self) -> impl Iterator<Item = Ctr<'a>> + 'a {
        let s = self.spec;
        let init = s
            .init_containers
            .iter()
            .flatten()
            .map(|c| Ctr::of("initContainers", c));
        let main = s.containers.iter().map(|c| Ctr::of("containers", c));
        let eph = s.ephemeral_containers.iter().flatten().map(|c| Ctr {
            field: "ephemeralContainers",
            name: &c.name,
            image: c.image.as_deref(),
            pull_policy: c.image_pull_policy.as_deref(),
            sc: c.security_context.as_ref(),
            ports: c.ports.as_ref(),
            env: c.env.as_ref(),
            env_from: c.env_from.as_ref(),
            resources: c.resources.as_ref(),
            liveness: None,
            readiness: None,
        });
        init.chain(main).chain(eph)
    }

    /// Long-running containers (regular ones), which probes and limits apply to.
    pub fn app_containers(&self) -> impl Iterator<Item = Ctr<'a>> + 'a {
        self.spec.containers.iter().map(|c| Ctr::of("containers", c))
    }

    /// Whether the workload runs to completion (Jobs, CronJobs, and their Pods).
    pub fn is_batch(&self) -> bool {
        matches!(self.kind, "Job" | "CronJob")
    }

    /// Annotations of its pods.
    pub fn annotations(&self) -> Option<&'a BTreeMap<String, String>> {
        self.pod_meta.and_then(|m| m.annotations.as_ref())
    }

    /// Labels of its pods.
    pub fn labels(&self) -> Option<&'a BTreeMap<String, String>> {
        self.pod_meta.and_then(|m| m.labels.as_ref())
    }

    /// Whether the pod spec says it runs on Windows (some restricted controls do not apply).
    pub fn is_windows(&self) -> bool {
        self.spec.os.as_ref().is_some_and(|o| o.name == "windows")
    }

    /// Wraps a pod-spec patch into a strategic-merge patch of this object.
    pub fn wrap(&self, pod_spec: Value) -> Value {
        match self.kind {
            "Pod" => json!({"spec": pod_spec}),
            "CronJob" => json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": pod_spec}}}}}),
            _ => json!({"spec": {"template": {"spec": pod_spec}}}),
        }
    }

    /// A wrapped patch of the pod template's metadata (annotations).
    pub fn wrap_meta(&self, meta: Value) -> Value {
        match self.kind {
            "Pod" => json!({"metadata": meta}),
            "CronJob" => json!({"spec": {"jobTemplate": {"spec": {"template": {"metadata": meta}}}}}),
            _ => json!({"spec": {"template": {"metadata": meta}}}),
        }
    }

    /// A recommendation applying `patch` (already wrapped) to this object.
    pub fn fix(&self, summary: &str, patch: Value) -> Recommendation {
        let commands = if self.kind == "Pod" {
            // Most of a running pod's spec is immutable: the manifest must change.
            Vec::new()
        } else {
            vec![format!(
                "kubectl patch {} {} -n {} --type strategic -p {}",
                self.kind.to_ascii_lowercase(),
                self.name,
                self.namespace,
                shell_quote(&patch.to_string())
            )]
        };
        let summary = if self.kind == "Pod" {
            format!("{summary} (a pod's spec cannot be changed in place: fix its manifest and recreate it)")
        } else {
            summary.to_string()
        };
        Recommendation {
            summary,
            commands,
            patch: Some(patch),
        }
    }
}

fn ns(meta: &ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or("default")
}

fn name(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

/// Whether `meta` has a controller owner of `kind` present in `present`.
fn owned(meta: &ObjectMeta, kinds: &[&str], present: &HashSet<(&str, &str, &str)>) -> bool {
    meta.owner_references.iter().flatten().any(|o| {
        o.controller == Some(true) && kinds.contains(&o.kind.as_str()) && {
            let kind = kinds.iter().find(|k| **k == o.kind).copied().unwrap_or("");
            present.contains(&(kind, ns(meta), o.name.as_str()))
        }
    })
}

/// Every workload of the input. Objects made by a controller that is itself in the input are
/// left out (they share its template).
pub fn workloads(input: &SecurityInput) -> Vec<Workload<'_>> {
    let s = &input.snap;
    let mut present: HashSet<(&str, &str, &str)> = HashSet::new();
    for d in &s.deployments {
        present.insert(("Deployment", ns(&d.metadata), name(&d.metadata)));
    }
    for r in &s.replica_sets {
        present.insert(("ReplicaSet", ns(&r.metadata), name(&r.metadata)));
    }
    for x in &s.stateful_sets {
        present.insert(("StatefulSet", ns(&x.metadata), name(&x.metadata)));
    }
    for x in &s.daemon_sets {
        present.insert(("DaemonSet", ns(&x.metadata), name(&x.metadata)));
    }
    for x in &s.jobs {
        present.insert(("Job", ns(&x.metadata), name(&x.metadata)));
    }
    for x in &s.cron_jobs {
        present.insert(("CronJob", ns(&x.metadata), name(&x.metadata)));
    }
    let mut out = Vec::new();
    for d in &s.deployments {
        let spec = d.spec.as_ref();
        let t = spec.map(|s| &s.template);
        push_template(
            &mut out,
            "Deployment",
            &d.metadata,
            t,
            Some(spec.and_then(|s| s.replicas).unwrap_or(1)),
        );
    }
    for x in &s.stateful_sets {
        let spec = x.spec.as_ref();
        let t = spec.map(|s| &s.template);
        push_template(
            &mut out,
            "StatefulSet",
            &x.metadata,
            t,
            Some(spec.and_then(|s| s.replicas).unwrap_or(1)),
        );
    }
    for x in &s.daemon_sets {
        let t = x.spec.as_ref().map(|s| &s.template);
        push_template(&mut out, "DaemonSet", &x.metadata, t, None);
    }
    for x in s
        .replica_sets
        .iter()
        .filter(|r| !owned(&r.metadata, &["Deployment"], &present))
    {
        let t = x.spec.as_ref().and_then(|s| s.template.as_ref());
        push_template(&mut out, "ReplicaSet", &x.metadata, t, None);
    }
    for x in s
        .jobs
        .iter()
        .filter(|j| !owned(&j.metadata, &["CronJob"], &present))
    {
        let t = x.spec.as_ref().map(|s| &s.template);
        push_template(&mut out, "Job", &x.metadata, t, None);
    }
    for x in &s.cron_jobs {
        let t = x
            .spec
            .as_ref()
            .and_then(|s| s.job_template.spec.as_ref())
            .map(|s| &s.template);
        push_template(&mut out, "CronJob", &x.metadata, t, None);
    }
    let controllers = ["ReplicaSet", "StatefulSet", "DaemonSet", "Job"];
    for p in s
        .pods
        .iter()
        .filter(|p| !owned(&p.metadata, &controllers, &present))
    {
        push(
            &mut out,
            "Pod",
            &p.metadata,
            Some(&p.metadata),
            p.spec.as_ref(),
            None,
        );
    }
    out
}

/// [`push`] for a controller's pod template.
fn push_template<'a>(
    out: &mut Vec<Workload<'a>>,
    kind: &'static str,
    meta: &'a ObjectMeta,
    template: Option<&'a PodTemplateSpec>,
    replicas: Option<i32>,
) {
    let pod_meta = template.and_then(|t| t.metadata.as_ref());
    push(
        out,
        kind,
        meta,
        pod_meta,
        template.and_then(|t| t.spec.as_ref()),
        replicas,
    );
}

fn push<'a>(
    out: &mut Vec<Workload<'a>>,
    kind: &'static str,
    meta: &'a ObjectMeta,
    pod_meta: Option<&'a ObjectMeta>,
    spec: Option<&'a PodSpec>,
    replicas: Option<i32>,
) {
    if let Some(spec) = spec {
        out.push(Workload {
            kind,
            namespace: ns(meta),
            name: name(meta),
            pod_meta,
            spec,
            replicas,
        });
    }
}
