//! The Pod Security Standards analyzer: every baseline and restricted control, per workload,
//! one finding per failing control naming each offending field and carrying one patch that
//! fixes them all.

use super::pss_controls::{self as c, Level, Violation};
use super::workload::{Workload, workloads};
use super::{SecurityAnalyzer, SecurityInput};
use crate::health::analyzer::{Check, finding};
use kubegenie_core::finding::{Finding, Severity};
use serde_json::{Value, json};

/// A control: its check, level, what it protects against, and its evaluation.
pub struct Control {
    /// The check reported when it fails.
    pub check: Check,
    /// Baseline or restricted.
    pub level: Level,
    /// Why it matters.
    pub why: &'static str,
    /// Evaluation.
    pub eval: fn(&Workload<'_>) -> Vec<Violation>,
}

const fn ctl(
    id: &'static str,
    severity: Severity,
    title: &'static str,
    level: Level,
    why: &'static str,
    eval: fn(&Workload<'_>) -> Vec<Violation>,
) -> Control {
    Control {
        check: Check { id, severity, title },
        level,
        why,
        eval,
    }
}

use Level::{Baseline as B, Restricted as R};
use Severity::{Critical, High, Low, Medium};

/// Every control, baseline first, in the order of the upstream definition.
pub const CONTROLS: [Control; 17] = [
    ctl(
        "SEC-PSS-HOSTPROCESS-001",
        Critical,
        "Windows HostProcess container",
        B,
        "HostProcess containers run with full access to the Windows host.",
        c::host_process,
    ),
    ctl(
        "SEC-PSS-HOSTNS-001",
        High,
        "Pod shares host namespaces",
        B,
        "Sharing the host's network, PID or IPC namespace lets the pod see and reach host processes and traffic.",
        c::host_namespaces,
    ),
    ctl(
        "SEC-PSS-PRIV-001",
        Critical,
        "Privileged container",
        B,
        "A privileged container has every capability and all host devices: it is root on the node.",
        c::privileged,
    ),
    ctl(
        "SEC-PSS-CAPS-001",
        High,
        "Container adds capabilities beyond the baseline set",
        B,
        "Capabilities such as SYS_ADMIN or NET_ADMIN allow escaping the container.",
        c::capabilities_baseline,
    ),
    ctl(
        "SEC-PSS-HOSTPATH-001",
        High,
        "Pod mounts a hostPath volume",
        B,
        "hostPath volumes expose the node's filesystem and are a common way out of a container.",
        c::host_path,
    ),
    ctl(
        "SEC-PSS-HOSTPORT-001",
        Medium,
        "Container uses a host port",
        B,
        "Host ports bind on the node itself, bypassing network policies and limiting scheduling.",
        c::host_ports,
    ),
    ctl(
        "SEC-PSS-APPARMOR-001",
        Medium,
        "AppArmor profile is overridden",
        B,
        "An Unconfined AppArmor profile removes the runtime's default confinement.",
        c::app_armor,
    ),
    ctl(
        "SEC-PSS-SELINUX-001",
        Medium,
        "Custom SELinux options",
        B,
        "Custom SELinux users, roles or types can lift the container's labelling confinement.",
        c::selinux,
    ),
    ctl(
        "SEC-PSS-PROCMOUNT-001",
        High,
        "Unmasked /proc mount",
        B,
        "An Unmasked /proc exposes kernel interfaces the runtime normally hides.",
        c::proc_mount,
    ),
    ctl(
        "SEC-PSS-SECCOMP-001",
        Medium,
        "Seccomp is Unconfined",
        B,
        "Without seccomp every system call reaches the kernel, widening its attack surface.",
        c::seccomp_baseline,
    ),
    ctl(
        "SEC-PSS-SYSCTL-001",
        Medium,
        "Unsafe sysctl",
        B,
        "Sysctls outside the safe set change kernel behaviour for the whole node.",
        c::sysctls,
    ),
    ctl(
        "SEC-PSS-VOLUMES-001",
        Low,
        "Volume type not allowed by restricted",
        R,
        "Restricted allows only volume types that do not reach node or network storage directly.",
        c::volume_types,
    ),
    ctl(
        "SEC-PSS-PRIVESC-001",
        Medium,
        "Privilege escalation allowed",
        R,
        "Without allowPrivilegeEscalation=false a process can gain more privileges (setuid binaries).",
        c::privilege_escalation,
    ),
    ctl(
        "SEC-PSS-NONROOT-001",
        Medium,
        "Container may run as root",
        R,
        "Without runAsNonRoot=true the image's user, often root, is used.",
        c::run_as_non_root,
    ),
    ctl(
        "SEC-PSS-ROOTUSER-001",
        High,
        "Container runs as UID 0",
        R,
        "runAsUser 0 is root: any escape from the container lands as root on the node.",
        c::run_as_user,
    ),
    ctl(
        "SEC-PSS-SECCOMP-002",
        Low,
        "No seccomp profile",
        R,
        "Restricted requires the RuntimeDefault (or a Localhost) seccomp profile.",
        c::seccomp_restricted,
    ),
    ctl(
        "SEC-PSS-CAPS-002",
        Low,
        "Capabilities not dropped",
        R,
        "Restricted requires dropping ALL capabilities and adding back at most NET_BIND_SERVICE.",
        c::capabilities_restricted,
    ),
];

/// Every control's check.
pub static CHECKS: [Check; 17] = {
    let mut out = [CONTROLS[0].check; 17];
    let mut i = 0;
    while i < 17 {
        out[i] = CONTROLS[i].check;
        i += 1;
    }
    out
};

/// The level of the control behind a check id, if it is a PSS check.
pub fn level_of(id: &str) -> Option<Level> {
    CONTROLS.iter().find(|c| c.check.id == id).map(|c| c.level)
}

/// The Pod Security Standards analyzer.
pub struct PodSecurity;

impl SecurityAnalyzer for PodSecurity {
    fn name(&self) -> &'static str {
        "pss"
    }

    fn checks(&self) -> &'static [Check] {
        &CHECKS
    }

    fn analyze(&self, input: &SecurityInput, out: &mut Vec<Finding>) {
        for w in workloads(input) {
            for control in &CONTROLS {
                let v = (control.eval)(&w);
                if !v.is_empty() {
                    out.push(report(input, &w, control, v));
                }
            }
        }
    }
}

fn report(input: &SecurityInput, w: &Workload<'_>, control: &Control, v: Vec<Violation>) -> Finding {
    let mut patch = Value::Object(Default::default());
    let mut evidence = Vec::with_capacity(v.len());
    for x in v {
        super::patch::merge(&mut patch, x.patch);
        evidence.push(x.detail);
    }
    let level = control.level.as_str();
    let message = format!(
        "{} {} fails the Pod Security Standards {level} control \"{}\": {} {}",
        w.kind,
        w.name,
        control.check.title,
        evidence.join("; "),
        control.why
    );
    let summary = format!(
        "Change the pod spec so it passes the {level} policy ({}).",
        control.check.title
    );
    let mut f = finding(
        &control.check,
        &input.snap,
        w.target(),
        message,
        w.fix(&summary, patch),
        evidence,
    );
    f.evidence.push(format!("pss-level={level}"));
    f
}

/// An example of the fields a pod needs to pass restricted, for documentation and messages.
pub fn restricted_template() -> Value {
    json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]}}}]})
}
