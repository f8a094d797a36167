//! Best practices per workload, covering Polaris's default checks that the Pod Security
//! Standards do not already cover: requests and limits, probes, image tags and digests, pull
//! policy, read-only root filesystems, service-account tokens, secrets in env vars, replicas
//! and disruption budgets.

use super::workload::{Ctr, Workload, workloads};
use super::{SecurityAnalyzer, SecurityInput};
use crate::health::analyzer::{Check, finding};
use crate::health::objects::label_selects;
use kubegenie_core::finding::{Finding, Severity};
use serde_json::{Value, json};

const fn check(id: &'static str, severity: Severity, title: &'static str) -> Check {
    Check { id, severity, title }
}

/// CPU requests missing.
pub const CPU_REQ: Check = check("SEC-BP-CPUREQ-001", Severity::Medium, "CPU requests missing");
/// Memory requests missing.
pub const MEM_REQ: Check = check("SEC-BP-MEMREQ-001", Severity::Medium, "Memory requests missing");
/// CPU limits missing.
pub const CPU_LIM: Check = check("SEC-BP-CPULIM-001", Severity::Low, "CPU limits missing");
/// Memory limits missing.
pub const MEM_LIM: Check = check("SEC-BP-MEMLIM-001", Severity::Medium, "Memory limits missing");
/// Liveness probe missing.
pub const LIVENESS: Check = check("SEC-BP-LIVENESS-001", Severity::Low, "Liveness probe missing");
/// Readiness probe missing.
pub const READINESS: Check = check("SEC-BP-READINESS-001", Severity::Low, "Readiness probe missing");
/// `:latest` or no tag.
pub const TAG: Check = check(
    "SEC-BP-IMAGETAG-001",
    Severity::High,
    "Image tag is latest or missing",
);
/// No digest.
pub const DIGEST: Check = check("SEC-BP-DIGEST-001", Severity::Info, "Image not pinned by digest");
/// Pull policy.
pub const PULL: Check = check(
    "SEC-BP-PULLPOLICY-001",
    Severity::Info,
    "Image pull policy is not Always",
);
/// Writable root filesystem.
pub const ROFS: Check = check("SEC-BP-ROFS-001", Severity::Medium, "Root filesystem is writable");
/// Default service account token.
pub const SA_TOKEN: Check = check(
    "SEC-BP-SATOKEN-001",
    Severity::Medium,
    "Default service account with an automounted token",
);
/// Secret in env.
pub const SECRET_ENV: Check = check("SEC-BP-SECRETENV-001", Severity::Low, "Secret exposed as env var");
/// Literal credential in env.
pub const LITERAL_ENV: Check = check(
    "SEC-BP-SECRETENV-002",
    Severity::High,
    "Credential written in an env var",
);
/// Single replica, no PDB.
pub const SINGLE: Check = check(
    "SEC-BP-REPLICAS-001",
    Severity::Low,
    "Single replica without a PodDisruptionBudget",
);
/// No PDB.
pub const NO_PDB: Check = check("SEC-BP-PDB-001", Severity::Low, "No PodDisruptionBudget");

static CHECKS: [Check; 15] = [
    CPU_REQ,
    MEM_REQ,
    CPU_LIM,
    MEM_LIM,
    LIVENESS,
    READINESS,
    TAG,
    DIGEST,
    PULL,
    ROFS,
    SA_TOKEN,
    SECRET_ENV,
    LITERAL_ENV,
    SINGLE,
    NO_PDB,
];

/// Env var names that hold credentials (Polaris's sensitive-name list, case-insensitive).
const SENSITIVE: [&str; 7] = [
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
];

/// The best-practice analyzer.
pub struct Practices;

impl SecurityAnalyzer for Practices {
    fn name(&self) -> &'static str {
        "practices"
    }

    fn checks(&self) -> &'static [Check] {
        &CHECKS
    }

    fn analyze(&self, input: &SecurityInput, out: &mut Vec<Finding>) {
        for w in workloads(input) {
            containers(input, &w, out);
            token(input, &w, out);
            disruption(input, &w, out);
        }
    }
}

/// Collects per-container problems of one check into one finding.
struct Acc<'a> {
    check: &'a Check,
    evidence: Vec<String>,
    patch: Value,
}

impl<'a> Acc<'a> {
    fn new(check: &'a Check) -> Self {
        Acc {
            check,
            evidence: Vec::new(),
            patch: json!({}),
        }
    }

    fn add(&mut self, w: &Workload<'_>, c: &Ctr<'_>, detail: String, fix: Option<Value>) {
        self.evidence.push(format!("{}[{}]: {detail}", c.field, c.name));
        if let Some(fix) = fix {
            super::patch::merge(&mut self.patch, w.wrap(c.patch(fix)));
        }
    }

    fn emit(self, input: &SecurityInput, w: &Workload<'_>, summary: &str, out: &mut Vec<Finding>) {
        if self.evidence.is_empty() {
            return;
        }
        let message = format!(
            "{} {}: {} ({}).",
            w.kind,
            w.name,
            self.check.title,
            self.evidence.join("; ")
        );
        let rec = if self.patch == json!({}) {
            kubegenie_core::finding::Recommendation::new(summary, Vec::new())
        } else {
            w.fix(summary, self.patch)
        };
        out.push(finding(
            self.check,
            &input.snap,
            w.target(),
            message,
            rec,
            self.evidence,
        ));
    }
}

fn has(
    r: Option<&std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
    k: &str,
) -> bool {
    r.is_some_and(|m| m.contains_key(k))
}

/// `(repository, tag, digest)` of an image reference.
pub fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..]), digest),
        None => (rest, None, digest),
    }
}

fn containers(input: &SecurityInput, w: &Workload<'_>, out: &mut Vec<Finding>) {
    let [mut cpu_req, mut mem_req, mut cpu_lim, mut mem_lim] =
        [&CPU_REQ, &MEM_REQ, &CPU_LIM, &MEM_LIM].map(Acc::new);
    let [
        mut live,
        mut ready,
        mut tag,
        mut digest,
        mut pull,
        mut rofs,
        mut senv,
        mut lenv,
    ] = [
        &LIVENESS,
        &READINESS,
        &TAG,
        &DIGEST,
        &PULL,
        &ROFS,
        &SECRET_ENV,
        &LITERAL_ENV,
    ]
    .map(Acc::new);
    for c in w.app_containers() {
        let req = c.resources.and_then(|r| r.requests.as_ref());
        let lim = c.resources.and_then(|r| r.limits.as_ref());
        // A limit without a request defaults the request to the limit.
        if !has(req, "cpu") && !has(lim, "cpu") {
            cpu_req.add(
                w,
                &c,
                "resources.requests.cpu unset".into(),
                Some(json!({"resources": {"requests": {"cpu": "100m"}}})),
            );
        }
        if !has(req, "memory") && !has(lim, "memory") {
            mem_req.add(
                w,
                &c,
                "resources.requests.memory unset".into(),
                Some(json!({"resources": {"requests": {"memory": "128Mi"}}})),
            );
        }
        if !has(lim, "cpu") {
            cpu_lim.add(
                w,
                &c,
                "resources.limits.cpu unset".into(),
                Some(json!({"resources": {"limits": {"cpu": "1"}}})),
            );
        }
        if !has(lim, "memory") {
            mem_lim.add(
                w,
                &c,
                "resources.limits.memory unset".into(),
                Some(json!({"resources": {"limits": {"memory": "256Mi"}}})),
            );
        }
        if !w.is_batch() && c.liveness.is_none() {
            let probe = json!({"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10}});
            live.add(w, &c, "no livenessProbe".into(), Some(probe));
        }
        if !w.is_batch() && c.readiness.is_none() {
            let probe =
                json!({"readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5}});
            ready.add(w, &c, "no readinessProbe".into(), Some(probe));
        }
    }
    for c in w.containers() {
        image_checks(w, &c, &mut tag, &mut digest, &mut pull);
        if c.sc.and_then(|s| s.read_only_root_filesystem) != Some(true) {
            let fix = json!({"securityContext": {"readOnlyRootFilesystem": true}});
            rofs.add(
                w,
                &c,
                "securityContext.readOnlyRootFilesystem is not true".into(),
                Some(fix),
            );
        }
        env_checks(w, &c, &mut senv, &mut lenv);
    }
    let summaries = [
        (
            cpu_req,
            "Set CPU requests so the scheduler places the pod on a node with room for it.",
        ),
        (
            mem_req,
            "Set memory requests so the scheduler places the pod on a node with room for it.",
        ),
        (
            cpu_lim,
            "Set a CPU limit so one container cannot starve its neighbours.",
        ),
        (
            mem_lim,
            "Set a memory limit so a leak is contained to this container.",
        ),
        (live, "Add a liveness probe so a hung container is restarted."),
        (
            ready,
            "Add a readiness probe so traffic only reaches containers that can serve it.",
        ),
        (
            tag,
            "Pin the image to an explicit version tag (and ideally a digest).",
        ),
        (
            digest,
            "Pin the image by digest (image@sha256:...) so a pushed tag cannot change what runs.",
        ),
        (pull, "Set imagePullPolicy: Always, or pin images by digest."),
        (
            rofs,
            "Mount the root filesystem read-only; give writable paths an emptyDir volume.",
        ),
        (
            senv,
            "Mount the secret as a file instead of an env var (env vars leak into logs and crash dumps).",
        ),
        (
            lenv,
            "Move the credential into a Secret and reference it with secretKeyRef, then rotate it.",
        ),
    ];
    for (acc, summary) in summaries {
        acc.emit(input, w, summary, out);
    }
}

fn image_checks(w: &Workload<'_>, c: &Ctr<'_>, tag: &mut Acc<'_>, digest: &mut Acc<'_>, pull: &mut Acc<'_>) {
    let Some(image) = c.image else { return };
    let (repo, t, d) = split_image(image);
    if d.is_none() {
        match t {
            None => tag.add(
                w,
                c,
                format!("image {image} has no tag (means latest)"),
                Some(json!({"image": format!("{repo}:<version>")})),
            ),
            Some("latest") => tag.add(
                w,
                c,
                format!("image {image} uses latest"),
                Some(json!({"image": format!("{repo}:<version>")})),
            ),
            Some(_) => {}
        }
        digest.add(w, c, format!("image {image} has no digest"), None);
        if c.pull_policy != Some("Always") {
            let now = c.pull_policy.unwrap_or("<unset>");
            pull.add(
                w,
                c,
                format!("imagePullPolicy={now}"),
                Some(json!({"imagePullPolicy": "Always"})),
            );
        }
    }
}

fn env_checks(w: &Workload<'_>, c: &Ctr<'_>, senv: &mut Acc<'_>, lenv: &mut Acc<'_>) {
    for e in c.env.into_iter().flatten() {
        if let Some(r) = e.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref()) {
            senv.add(
                w,
                c,
                format!("env {} from secret {}/{}", e.name, r.name, r.key),
                None,
            );
        }
        let upper = e.name.to_ascii_uppercase();
        if e.value.as_deref().is_some_and(|v| !v.is_empty()) && SENSITIVE.iter().any(|s| upper.contains(s)) {
            // The value itself is never repeated in output.
            lenv.add(w, c, format!("env {} has a literal value", e.name), None);
        }
    }
    for f in c.env_from.into_iter().flatten() {
        if let Some(s) = f.secret_ref.as_ref() {
            senv.add(w, c, format!("envFrom secret {}", s.name), None);
        }
    }
}

fn token(input: &SecurityInput, w: &Workload<'_>, out: &mut Vec<Finding>) {
    let sa = w
        .spec
        .service_account_name
        .as_deref()
        .or(w.spec.service_account.as_deref())
        .unwrap_or("default");
    if sa != "default" || w.spec.automount_service_account_token == Some(false) {
        return;
    }
    let sa_off = input.access.service_accounts.iter().any(|s| {
        s.metadata.name.as_deref() == Some("default")
            && s.metadata.namespace.as_deref().unwrap_or("default") == w.namespace
            && s.automount_service_account_token == Some(false)
    });
    if w.spec.automount_service_account_token.is_none() && sa_off {
        return;
    }
    let message = format!(
        "{} {} runs as the namespace's default service account with its API token mounted: \
         anything granted to `default` is available to code in the pod.",
        w.kind, w.name
    );
    let patch = w.wrap(json!({"automountServiceAccountToken": false}));
    let summary = "Disable token automounting (or give the workload its own service account).";
    out.push(finding(
        &SA_TOKEN,
        &input.snap,
        w.target(),
        message,
        w.fix(summary, patch),
        vec![
            format!("serviceAccountName={sa}"),
            "automountServiceAccountToken unset".into(),
        ],
    ));
}

fn disruption(input: &SecurityInput, w: &Workload<'_>, out: &mut Vec<Finding>) {
    let Some(replicas) = w.replicas else { return };
    if replicas == 0 {
        return;
    }
    let covered = input.snap.pdbs.iter().any(|p| {
        p.metadata.namespace.as_deref().unwrap_or("default") == w.namespace
            && p.spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|sel| label_selects(sel, w.labels()))
    });
    if covered {
        return;
    }
    let labels = w.labels().cloned().unwrap_or_default();
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": w.name, "namespace": w.namespace},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels}}});
    let (check, message, summary) = if replicas == 1 {
        (
            &SINGLE,
            format!(
                "{} {} runs one replica and no PodDisruptionBudget: every node drain is an outage.",
                w.kind, w.name
            ),
            "Run at least 2 replicas and add a PodDisruptionBudget (the patch is the PDB to create).",
        )
    } else {
        (
            &NO_PDB,
            format!(
                "{} {} has {replicas} replicas but no PodDisruptionBudget: a drain may evict them all at once.",
                w.kind, w.name
            ),
            "Create a PodDisruptionBudget for it (the patch is the object to apply).",
        )
    };
    let rec = kubegenie_core::finding::Recommendation {
        summary: summary.into(),
        commands: vec![format!(
            "kubectl create pdb {} -n {} --max-unavailable=1 --selector={}",
            w.name,
            w.namespace,
            labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        )],
        patch: Some(pdb),
    };
    out.push(finding(
        check,
        &input.snap,
        w.target(),
        message,
        rec,
        vec![format!("replicas={replicas}")],
    ));
}
