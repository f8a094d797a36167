//! Containers of pods: crash loops, image pulls, OOM kills, configuration errors, failing init
//! containers and high restart counts. One finding per container and problem; a crash loop
//! whose last exit was an OOM kill is reported as the OOM kill, its cause.

use crate::health::analyzer::{Analyzer, Check, Target, finding};
use crate::health::objects::{age, bytes, mebibytes, workload_of};
use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod};
use kubegenie_core::finding::{Finding, Recommendation, Severity};
use kubegenie_kube::snapshot::ClusterSnapshot;
use serde_json::json;
use std::time::Duration;

/// A container restarts in a back-off loop.
pub const CRASHLOOP: Check = Check {
    id: "POD-CRASHLOOP-001",
    severity: Severity::High,
    title: "Container is crash-looping",
};
/// The image cannot be pulled.
pub const IMAGE_PULL: Check = Check {
    id: "POD-IMAGEPULL-001",
    severity: Severity::High,
    title: "Container image cannot be pulled",
};
/// The container was killed for exceeding its memory limit.
pub const OOM_KILLED: Check = Check {
    id: "POD-OOMKILLED-001",
    severity: Severity::High,
    title: "Container was OOM-killed",
};
/// The container cannot be created (missing ConfigMap/Secret key, bad command).
pub const CONFIG: Check = Check {
    id: "POD-CONFIG-001",
    severity: Severity::High,
    title: "Container cannot be created",
};
/// An init container fails, so the pod never starts.
pub const INIT: Check = Check {
    id: "POD-INIT-001",
    severity: Severity::High,
    title: "Init container is failing",
};
/// The container restarted many times, though it runs now.
pub const RESTARTS: Check = Check {
    id: "POD-RESTARTS-001",
    severity: Severity::Medium,
    title: "Container restarts often",
};

/// Restarts from which a running container is reported.
const HIGH_RESTARTS: i32 = 5;
/// An OOM kill older than this, on a container running since, is history, not a finding.
const OOM_RECENT: Duration = Duration::from_secs(3600);
/// Memory limits are raised by this factor in the suggested patch.
const OOM_FACTOR: f64 = 1.5;

/// The container analyzer.
pub struct PodContainers;

impl Analyzer for PodContainers {
    fn name(&self) -> &'static str {
        "pod-containers"
    }

    fn checks(&self) -> &'static [Check] {
        &[CRASHLOOP, IMAGE_PULL, OOM_KILLED, CONFIG, INIT, RESTARTS]
    }

    fn analyze(&self, snap: &ClusterSnapshot, out: &mut Vec<Finding>) {
        for pod in &snap.pods {
            if pod.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let Some(status) = &pod.status else { continue };
            for cs in status.init_container_statuses.iter().flatten() {
                container(snap, pod, cs, true, out);
            }
            for cs in status.container_statuses.iter().flatten() {
                container(snap, pod, cs, false, out);
            }
        }
    }
}

struct Ctx<'a> {
    snap: &'a ClusterSnapshot,
    pod: &'a Pod,
    cs: &'a ContainerStatus,
    t: Target<'a>,
}

impl Ctx<'_> {
    fn ns(&self) -> &str {
        self.t.namespace.unwrap_or_default()
    }

    fn logs_cmd(&self) -> String {
        format!(
            "kubectl logs -n {} {} -c {} --previous",
            self.ns(),
            self.t.name,
            self.cs.name
        )
    }

    /// `deployment/web` when the pod belongs to a workload.
    fn workload(&self) -> Option<String> {
        workload_of(self.snap, self.pod).map(|(k, n)| format!("{}/{n}", k.to_ascii_lowercase()))
    }

    fn last_exit(&self) -> Option<String> {
        let t = self.cs.last_state.as_ref()?.terminated.as_ref()?;
        Some(format!(
            "last exit: {} (code {})",
            t.reason.as_deref().unwrap_or("Unknown"),
            t.exit_code
        ))
    }

    fn evidence(&self, state: &str) -> Vec<String> {
        let mut ev = vec![
            format!("container {}: {state}", self.cs.name),
            format!("restarts: {}", self.cs.restart_count),
        ];
        ev.extend(self.last_exit());
        ev
    }
}

fn container(snap: &ClusterSnapshot, pod: &Pod, cs: &ContainerStatus, init: bool, out: &mut Vec<Finding>) {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let c = Ctx {
        snap,
        pod,
        cs,
        t: Target::namespaced("Pod", ns, name),
    };
    let waiting = cs.state.as_ref().and_then(|s| s.waiting.as_ref());
    let reason = waiting.and_then(|w| w.reason.as_deref()).unwrap_or_default();
    let message = waiting.and_then(|w| w.message.as_deref()).unwrap_or_default();
    let last = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref());
    let oom_last = last.is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"));
    let before = out.len();
    match reason {
        "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull" => {
            out.push(image_pull(&c, reason, message))
        }
        "CreateContainerConfigError" | "CreateContainerError" | "RunContainerError" => {
            out.push(config(&c, reason, message))
        }
        "CrashLoopBackOff" if oom_last => out.push(oom(&c)),
        "CrashLoopBackOff" if init => out.push(init_failure(&c)),
        "CrashLoopBackOff" => out.push(crashloop(&c)),
        _ => {}
    }
    if out.len() > before {
        return;
    }
    let terminated = cs.state.as_ref().and_then(|s| s.terminated.as_ref());
    if init && terminated.is_some_and(|t| t.exit_code != 0) {
        out.push(init_failure(&c));
    } else if oom_last
        && last.is_some_and(|t| age(snap, t.finished_at.as_ref()).is_none_or(|a| a < OOM_RECENT))
    {
        out.push(oom(&c));
    } else if cs.restart_count >= HIGH_RESTARTS && !init {
        out.push(restarts(&c));
    }
}

fn crashloop(c: &Ctx<'_>) -> Finding {
    let mut commands = vec![c.logs_cmd()];
    if let Some(w) = c.workload() {
        if w.starts_with("deployment/") {
            commands.push(format!("kubectl rollout history -n {} {w}", c.ns()));
            commands.push(format!("kubectl rollout undo -n {} {w}", c.ns()));
        }
        commands.push(format!("kubegenie diagnose {w} -n {}", c.ns()));
    }
    finding(
        &CRASHLOOP,
        c.snap,
        c.t,
        format!(
            "container {} of pod {} keeps exiting and is in CrashLoopBackOff after {} restarts{}",
            c.cs.name,
            c.t.name,
            c.cs.restart_count,
            c.last_exit().map(|e| format!(" ({e})")).unwrap_or_default()
        ),
        Recommendation::new(
            "Read the previous container's logs for the cause; if a new rollout started it, roll back.",
            commands,
        ),
        c.evidence("waiting CrashLoopBackOff"),
    )
}

fn image_pull(c: &Ctx<'_>, reason: &str, message: &str) -> Finding {
    let image = c.cs.image.as_str();
    let mut commands = vec![c.t.describe()];
    if let Some(w) = c.workload() {
        commands.push(format!(
            "kubectl set image -n {} {w} {}=<image:tag>",
            c.ns(),
            c.cs.name
        ));
        if w.starts_with("deployment/") {
            commands.push(format!("kubectl rollout undo -n {} {w}", c.ns()));
        }
    }
    finding(
        &IMAGE_PULL,
        c.snap,
        c.t,
        format!(
            "container {} of pod {} cannot pull image {image} ({reason}){}",
            c.cs.name,
            c.t.name,
            if message.is_empty() {
                String::new()
            } else {
                format!(": {message}")
            }
        ),
        Recommendation::new(
            "Check the image name and tag exist and the registry credentials (imagePullSecrets) are right.",
            commands,
        ),
        vec![
            format!("container {}: waiting {reason}", c.cs.name),
            format!("image: {image}"),
        ],
    )
}

fn spec_container<'a>(c: &'a Ctx<'_>) -> Option<&'a Container> {
    let spec = c.pod.spec.as_ref()?;
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .find(|k| k.name == c.cs.name)
}

fn oom(c: &Ctx<'_>) -> Finding {
    let resources = spec_container(c).and_then(|k| k.resources.as_ref());
    let limit = resources
        .and_then(|r| r.limits.as_ref())
        .and_then(|l| l.get("memory"))
        .map(|q| q.0.clone());
    let mut rec = Recommendation::new(
        "Raise the container's memory limit (and request), or fix the leak the logs point to.",
        [c.logs_cmd()],
    );
    let raised = limit
        .as_deref()
        .and_then(bytes)
        .map(|b| mebibytes(b * OOM_FACTOR));
    if let (Some(w), Some(new)) = (c.workload(), &raised) {
        let patch = json!({"spec": {"template": {"spec": {"containers": [
            {"name": c.cs.name, "resources": {"limits": {"memory": new}}}]}}}});
        rec.commands.push(format!(
            "kubectl patch -n {} {w} --type strategic -p '{patch}'",
            c.ns()
        ));
        rec.patch = Some(patch);
    }
    finding(
        &OOM_KILLED,
        c.snap,
        c.t,
        format!(
            "container {} of pod {} was killed for exceeding its memory limit ({}) and has restarted {} times",
            c.cs.name,
            c.t.name,
            limit.as_deref().unwrap_or("no limit: node memory ran out"),
            c.cs.restart_count
        ),
        rec,
        c.evidence("last exit OOMKilled"),
    )
}

fn config(c: &Ctx<'_>, reason: &str, message: &str) -> Finding {
    finding(
        &CONFIG,
        c.snap,
        c.t,
        format!(
            "container {} of pod {} cannot be created ({reason}): {message}",
            c.cs.name, c.t.name
        ),
        Recommendation::new(
            "Create the missing ConfigMap/Secret or key the pod refers to, or fix the container's command.",
            [
                c.t.describe(),
                format!("kubectl get configmaps,secrets -n {}", c.ns()),
            ],
        ),
        vec![format!("container {}: waiting {reason}", c.cs.name)],
    )
}

fn init_failure(c: &Ctx<'_>) -> Finding {
    finding(
        &INIT,
        c.snap,
        c.t,
        format!(
            "init container {} of pod {} fails ({} restarts{}); the pod's containers cannot start",
            c.cs.name,
            c.t.name,
            c.cs.restart_count,
            c.last_exit().map(|e| format!(", {e}")).unwrap_or_default()
        ),
        Recommendation::new(
            "Read the init container's logs; it usually waits for a dependency or a migration that fails.",
            [
                format!("kubectl logs -n {} {} -c {}", c.ns(), c.t.name, c.cs.name),
                c.t.describe(),
            ],
        ),
        c.evidence("init container failing"),
    )
}

fn restarts(c: &Ctx<'_>) -> Finding {
    finding(
        &RESTARTS,
        c.snap,
        c.t,
        format!(
            "container {} of pod {} has restarted {} times{}",
            c.cs.name,
            c.t.name,
            c.cs.restart_count,
            c.last_exit().map(|e| format!(" ({e})")).unwrap_or_default()
        ),
        Recommendation::new(
            "Find out why it exits (logs of the previous run, liveness probe events).",
            [c.logs_cmd(), c.t.describe()],
        ),
        c.evidence("running"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::fixtures::{ids, pod, running, snapshot, waiting};
    use serde_json::json;

    #[test]
    fn healthy_pods_have_no_findings() {
        let mut snap = snapshot();
        snap.pods = vec![pod("shop", "web", json!({}))];
        assert!(ids(&PodContainers, &snap).is_empty());
    }

    #[test]
    fn each_container_problem_has_its_id() {
        let mut snap = snapshot();
        let statuses = |v: serde_json::Value| json!({"status": {"containerStatuses": [v]}});
        snap.pods = vec![
            pod(
                "shop",
                "crash",
                statuses(waiting("app", "CrashLoopBackOff", 4, Some(("Error", 1)))),
            ),
            pod(
                "shop",
                "pull",
                statuses(waiting("app", "ImagePullBackOff", 0, None)),
            ),
            pod(
                "shop",
                "oom",
                statuses(waiting("app", "CrashLoopBackOff", 3, Some(("OOMKilled", 137)))),
            ),
            pod(
                "shop",
                "cfg",
                statuses(waiting("app", "CreateContainerConfigError", 0, None)),
            ),
            pod("shop", "flaky", statuses(running("app", 9))),
            pod(
                "shop",
                "init",
                json!({"status": {"initContainerStatuses": [waiting("migrate", "CrashLoopBackOff", 2, Some(("Error", 2)))]}}),
            ),
        ];
        assert_eq!(
            ids(&PodContainers, &snap),
            [
                "POD-CRASHLOOP-001 crash",
                "POD-IMAGEPULL-001 pull",
                "POD-OOMKILLED-001 oom",
                "POD-CONFIG-001 cfg",
                "POD-RESTARTS-001 flaky",
                "POD-INIT-001 init",
            ]
        );
    }

    #[test]
    fn oom_remediation_patches_the_owning_deployment() {
        let mut snap = snapshot();
        snap.replica_sets = vec![crate::health::fixtures::object(json!({
            "metadata": {"name": "worker-5d8f", "namespace": "shop",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker",
                    "uid": "d", "controller": true}]}}))];
        snap.pods = vec![pod(
            "shop",
            "worker-5d8f-abcde",
            json!({"metadata": {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "name": "worker-5d8f", "uid": "r", "controller": true}]},
                "status": {"containerStatuses": [waiting("app", "CrashLoopBackOff", 3, Some(("OOMKilled", 137)))]}}),
        )];
        let mut out = Vec::new();
        PodContainers.analyze(&snap, &mut out);
        let f = &out[0];
        assert_eq!(f.id, "POD-OOMKILLED-001");
        assert!(f.message.contains("512Mi"));
        assert_eq!(
            f.remediation.patch.as_ref().unwrap()["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
                ["memory"],
            "768Mi"
        );
        assert!(f.remediation.commands[1].starts_with("kubectl patch -n shop deployment/worker"));
    }
}
