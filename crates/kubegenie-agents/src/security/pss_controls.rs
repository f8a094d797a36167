//! The Pod Security Standards controls, as kubernetes.io/docs/concepts/security/pod-security-standards
//! defines them (Kubernetes 1.33): each reads one workload and returns what violates the
//! control, with the patch fragment that would make it pass.

use super::workload::{Ctr, Workload};
use k8s_openapi::api::core::v1::{SELinuxOptions, SeccompProfile, Volume};
use serde_json::{Value, json};

/// Where a control sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Prevents known privilege escalations.
    Baseline,
    /// Current pod-hardening best practice.
    Restricted,
}

impl Level {
    /// `baseline` or `restricted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// One thing that violates a control, and the already wrapped patch that fixes it.
#[derive(Debug, Clone)]
pub struct Violation {
    /// Field path and value (`containers[app].securityContext.privileged=true`).
    pub detail: String,
    /// Strategic-merge patch of the workload.
    pub patch: Value,
}

fn on(w: &Workload<'_>, c: &Ctr<'_>, field: &str, value: impl std::fmt::Display, fix: Value) -> Violation {
    Violation {
        detail: format!("{}[{}].{field}={value}", c.field, c.name),
        patch: w.wrap(c.patch(fix)),
    }
}

fn pod(w: &Workload<'_>, field: &str, value: impl std::fmt::Display, fix: Value) -> Violation {
    Violation {
        detail: format!("spec.{field}={value}"),
        patch: w.wrap(fix),
    }
}

/// Capabilities baseline allows adding.
pub const BASELINE_CAPS: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Sysctls baseline allows (the kubelet's safe set).
pub const SAFE_SYSCTLS: [&str; 10] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// SELinux types baseline allows (besides unset and empty).
pub const SELINUX_TYPES: [&str; 4] = [
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// HostProcess: Windows host-process containers are forbidden.
pub fn host_process(w: &Workload<'_>) -> Vec<Violation> {
    let mut v = Vec::new();
    let pod_hp = w
        .spec
        .security_context
        .as_ref()
        .and_then(|s| s.windows_options.as_ref());
    if pod_hp.and_then(|o| o.host_process) == Some(true) {
        v.push(pod(
            w,
            "securityContext.windowsOptions.hostProcess",
            true,
            json!({"securityContext": {"windowsOptions": {"hostProcess": false}}}),
        ));
    }
    for c in w.containers() {
        if c.sc
            .and_then(|s| s.windows_options.as_ref())
            .and_then(|o| o.host_process)
            == Some(true)
        {
            let fix = json!({"securityContext": {"windowsOptions": {"hostProcess": false}}});
            v.push(on(w, &c, "securityContext.windowsOptions.hostProcess", true, fix));
        }
    }
    v
}

/// Host namespaces: hostNetwork, hostPID and hostIPC must be unset or false.
pub fn host_namespaces(w: &Workload<'_>) -> Vec<Violation> {
    let s = w.spec;
    [
        ("hostNetwork", s.host_network),
        ("hostPID", s.host_pid),
        ("hostIPC", s.host_ipc),
    ]
    .into_iter()
    .filter(|(_, set)| *set == Some(true))
    .map(|(f, _)| pod(w, f, true, json!({ f: false })))
    .collect()
}

/// Privileged containers are forbidden.
pub fn privileged(w: &Workload<'_>) -> Vec<Violation> {
    w.containers()
        .filter(|c| c.sc.and_then(|s| s.privileged) == Some(true))
        .map(|c| {
            let fix = json!({"securityContext": {"privileged": false}});
            on(w, &c, "securityContext.privileged", true, fix)
        })
        .collect()
}

fn added_caps<'a>(c: &Ctr<'a>) -> impl Iterator<Item = &'a String> + 'a {
    c.sc.and_then(|s| s.capabilities.as_ref())
        .and_then(|c| c.add.as_ref())
        .into_iter()
        .flatten()
}

/// Capabilities (baseline): only the default set may be added.
pub fn capabilities_baseline(w: &Workload<'_>) -> Vec<Violation> {
    let mut v = Vec::new();
    for c in w.containers() {
        let bad: Vec<&String> = added_caps(&c)
            .filter(|cap| !BASELINE_CAPS.contains(&cap.trim_start_matches("CAP_")))
            .collect();
        if !bad.is_empty() {
            let keep: Vec<&String> = added_caps(&c).filter(|cap| !bad.contains(cap)).collect();
            let fix = json!({"securityContext": {"capabilities": {"add": keep}}});
            let list = bad.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
            v.push(on(w, &c, "securityContext.capabilities.add", list, fix));
        }
    }
    v
}

/// Capabilities (restricted): drop ALL, add at most NET_BIND_SERVICE (not on Windows).
pub fn capabilities_restricted(w: &Workload<'_>) -> Vec<Violation> {
    if w.is_windows() {
        return Vec::new();
    }
    let mut v = Vec::new();
    for c in w.containers() {
        let caps = c.sc.and_then(|s| s.capabilities.as_ref());
        let drops_all = caps
            .and_then(|c| c.drop.as_ref())
            .is_some_and(|d| d.iter().any(|x| x == "ALL"));
        let extra: Vec<&str> = added_caps(&c)
            .map(String::as_str)
            .filter(|cap| *cap != "NET_BIND_SERVICE")
            .collect();
        if !drops_all || !extra.is_empty() {
            let keep: Vec<&String> = added_caps(&c).filter(|cap| *cap == "NET_BIND_SERVICE").collect();
            let mut caps = json!({"drop": ["ALL"]});
            if !extra.is_empty() {
                caps["add"] = json!(keep);
            }
            let what = if drops_all {
                format!("add={}", extra.join(","))
            } else {
                "drop does not include ALL".to_string()
            };
            v.push(on(
                w,
                &c,
                "securityContext.capabilities",
                what,
                json!({"securityContext": {"capabilities": caps}}),
            ));
        }
    }
    v
}

/// HostPath volumes are forbidden.
pub fn host_path(w: &Workload<'_>) -> Vec<Violation> {
    w.spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|vol| {
            let hp = vol.host_path.as_ref()?;
            Some(Violation {
                detail: format!("spec.volumes[{}].hostPath.path={}", vol.name, hp.path),
                patch: w.wrap(json!({"volumes": [{"name": vol.name, "hostPath": null, "emptyDir": {}}]})),
            })
        })
        .collect()
}

/// Host ports must be unset or 0.
pub fn host_ports(w: &Workload<'_>) -> Vec<Violation> {
    let mut v = Vec::new();
    for c in w.containers() {
        for p in c.ports.into_iter().flatten() {
            if let Some(hp) = p.host_port.filter(|hp| *hp != 0) {
                let fix = json!({"ports": [{"containerPort": p.container_port, "hostPort": null}]});
                v.push(on(w, &c, "ports.hostPort", hp, fix));
            }
        }
    }
    v
}

const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// AppArmor: profiles may only be RuntimeDefault or Localhost (fields and legacy annotations).
pub fn app_armor(w: &Workload<'_>) -> Vec<Violation> {
    let mut v = Vec::new();
    let ok_type = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    let pod_profile = w
        .spec
        .security_context
        .as_ref()
        .and_then(|s| s.app_armor_profile.as_ref());
    if let Some(p) = pod_profile.filter(|p| !ok_type(&p.type_)) {
        let fix = json!({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}});
        v.push(pod(w, "securityContext.appArmorProfile.type", &p.type_, fix));
    }
    for c in w.containers() {
        if let Some(p) =
            c.sc.and_then(|s| s.app_armor_profile.as_ref())
                .filter(|p| !ok_type(&p.type_))
        {
            let fix = json!({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}});
            v.push(on(w, &c, "securityContext.appArmorProfile.type", &p.type_, fix));
        }
    }
    for (k, val) in w.annotations().into_iter().flatten() {
        if k.starts_with(APPARMOR_PREFIX) && val != "runtime/default" && !val.starts_with("localhost/") {
            v.push(Violation {
                detail: format!("metadata.annotations[{k}]={val}"),
                patch: w.wrap_meta(json!({"annotations": {k: "runtime/default"}})),
            });
        }
    }
    v
}

fn selinux_bad(o: &SELinuxOptions) -> Option<String> {
    let t = o.type_.as_deref().unwrap_or("");
    if !t.is_empty() && !SELINUX_TYPES.contains(&t) {
        return Some(format!("type={t}"));
    }
    for (f, val) in [("user", &o.user), ("role", &o.role)] {
        if let Some(x) = val.as_deref().filter(|x| !x.is_empty()) {
            return Some(format!("{f}={x}"));
        }
    }
    None
}

/// SELinux: custom types, users and roles are forbidden.
pub fn selinux(w: &Workload<'_>) -> Vec<Violation> {
    let mut v = Vec::new();
    let fix = json!({"securityContext": {"seLinuxOptions": {"type": null, "user": null, "role": null}}});
    if let Some(bad) = w
        .spec
        .security_context
        .as_ref()
        .and_then(|s| s.se_linux_options.as_ref())
        .and_then(selinux_bad)
    {
        v.push(pod(w, "securityContext.seLinuxOptions", bad, fix.clone()));
    }
    for c in w.containers() {
        if let Some(bad) =
            c.sc.and_then(|s| s.se_linux_options.as_ref())
                .and_then(selinux_bad)
        {
            v.push(on(w, &c, "securityContext.seLinuxOptions", bad, fix.clone()));
        }
    }
    v
}

/// /proc mount type must be Default.
pub fn proc_mount(w: &Workload<'_>) -> Vec<Violation> {
    w.containers()
        .filter_map(|c| {
            let pm = c.sc?.proc_mount.as_deref()?;
            (pm != "Default").then(|| {
                let fix = json!({"securityContext": {"procMount": "Default"}});
                on(w, &c, "securityContext.procMount", pm, fix)
            })
        })
        .collect()
}

fn seccomp_type(p: Option<&SeccompProfile>) -> Option<&str> {
    p.map(|p| p.type_.as_str())
}

/// Seccomp (baseline): the profile must not be Unconfined.
pub fn seccomp_baseline(w: &Workload<'_>) -> Vec<Violation> {
    let mut v = Vec::new();
    let fix = json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}});
    let pod_t = seccomp_type(
        w.spec
            .security_context
            .as_ref()
            .and_then(|s| s.seccomp_profile.as_ref()),
    );
    if pod_t == Some("Unconfined") {
        v.push(pod(
            w,
            "securityContext.seccompProfile.type",
            "Unconfined",
            fix.clone(),
        ));
    }
    for c in w.containers() {
        if seccomp_type(c.sc.and_then(|s| s.seccomp_profile.as_ref())) == Some("Unconfined") {
            v.push(on(
                w,
                &c,
                "securityContext.seccompProfile.type",
                "Unconfined",
                fix.clone(),
            ));
        }
    }
    v
}

/// Seccomp (restricted): RuntimeDefault or Localhost must be set, on the pod or every container.
pub fn seccomp_restricted(w: &Workload<'_>) -> Vec<Violation> {
    if w.is_windows() {
        return Vec::new();
    }
    let good = |t: Option<&str>| matches!(t, Some("RuntimeDefault" | "Localhost"));
    let pod_t = seccomp_type(
        w.spec
            .security_context
            .as_ref()
            .and_then(|s| s.seccomp_profile.as_ref()),
    );
    let mut v = Vec::new();
    for c in w.containers() {
        let t = seccomp_type(c.sc.and_then(|s| s.seccomp_profile.as_ref()));
        let effective = t.or(pod_t);
        if !good(effective) {
            v.push(Violation {
                detail: format!(
                    "{}[{}].securityContext.seccompProfile.type={}",
                    c.field,
                    c.name,
                    effective.unwrap_or("<unset>")
                ),
                patch: w.wrap(json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}})),
            });
        }
    }
    v
}

/// Sysctls: only the safe set.
pub fn sysctls(w: &Workload<'_>) -> Vec<Violation> {
    let Some(list) = w.spec.security_context.as_ref().and_then(|s| s.sysctls.as_ref()) else {
        return Vec::new();
    };
    let keep: Vec<&k8s_openapi::api::core::v1::Sysctl> = list
        .iter()
        .filter(|s| SAFE_SYSCTLS.contains(&s.name.as_str()))
        .collect();
    list.iter()
        .filter(|s| !SAFE_SYSCTLS.contains(&s.name.as_str()))
        .map(|s| {
            let fix = json!({"securityContext": {"sysctls": keep}});
            pod(w, "securityContext.sysctls", &s.name, fix)
        })
        .collect()
}

fn volume_type(v: &Volume) -> Option<&'static str> {
    let allowed = v.config_map.is_some()
        || v.csi.is_some()
        || v.downward_api.is_some()
        || v.empty_dir.is_some()
        || v.ephemeral.is_some()
        || v.persistent_volume_claim.is_some()
        || v.projected.is_some()
        || v.secret.is_some();
    if allowed {
        return None;
    }
    let named = [
        ("hostPath", v.host_path.is_some()),
        ("nfs", v.nfs.is_some()),
        ("gitRepo", v.git_repo.is_some()),
        ("iscsi", v.iscsi.is_some()),
        ("glusterfs", v.glusterfs.is_some()),
        ("rbd", v.rbd.is_some()),
        ("flexVolume", v.flex_volume.is_some()),
        ("cephfs", v.cephfs.is_some()),
        ("cinder", v.cinder.is_some()),
        ("fc", v.fc.is_some()),
        ("awsElasticBlockStore", v.aws_elastic_block_store.is_some()),
        ("gcePersistentDisk", v.gce_persistent_disk.is_some()),
        ("azureDisk", v.azure_disk.is_some()),
        ("azureFile", v.azure_file.is_some()),
    ];
    Some(named.iter().find(|(_, set)| *set).map_or("other", |(n, _)| n))
}

/// Volume types (restricted): only configMap, csi, downwardAPI, emptyDir, ephemeral,
/// persistentVolumeClaim, projected and secret.
pub fn volume_types(w: &Workload<'_>) -> Vec<Violation> {
    w.spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|vol| {
            let t = volume_type(vol)?;
            Some(Violation {
                detail: format!("spec.volumes[{}] is {t}", vol.name),
                patch: w.wrap(json!({"volumes": [{"name": vol.name, t: null,
                    "persistentVolumeClaim": {"claimName": vol.name}}]})),
            })
        })
        .collect()
}

/// Privilege escalation (restricted): allowPrivilegeEscalation must be false (not on Windows).
pub fn privilege_escalation(w: &Workload<'_>) -> Vec<Violation> {
    if w.is_windows() {
        return Vec::new();
    }
    w.containers()
        .filter(|c| c.sc.and_then(|s| s.allow_privilege_escalation) != Some(false))
        .map(|c| {
            let now = c.sc.and_then(|s| s.allow_privilege_escalation);
            let fix = json!({"securityContext": {"allowPrivilegeEscalation": false}});
            let shown = now.map_or("<unset>".to_string(), |b| b.to_string());
            on(w, &c, "securityContext.allowPrivilegeEscalation", shown, fix)
        })
        .collect()
}

/// Running as non-root (restricted): runAsNonRoot true on the pod (not overridden) or on
/// every container.
pub fn run_as_non_root(w: &Workload<'_>) -> Vec<Violation> {
    let pod_v = w.spec.security_context.as_ref().and_then(|s| s.run_as_non_root);
    w.containers()
        .filter_map(|c| {
            let mine = c.sc.and_then(|s| s.run_as_non_root);
            let effective = mine.or(pod_v);
            (effective != Some(true)).then(|| {
                let fix = json!({"securityContext": {"runAsNonRoot": true}});
                let shown = effective.map_or("<unset>".to_string(), |b| b.to_string());
                on(w, &c, "securityContext.runAsNonRoot", shown, fix)
            })
        })
        .collect()
}

/// Running as a non-root user (restricted): runAsUser must not be 0.
pub fn run_as_user(w: &Workload<'_>) -> Vec<Violation> {
    let mut v = Vec::new();
    if w.spec.security_context.as_ref().and_then(|s| s.run_as_user) == Some(0) {
        v.push(pod(
            w,
            "securityContext.runAsUser",
            0,
            json!({"securityContext": {"runAsUser": 10001}}),
        ));
    }
    for c in w.containers() {
        if c.sc.and_then(|s| s.run_as_user) == Some(0) {
            let fix = json!({"securityContext": {"runAsUser": 10001}});
            v.push(on(w, &c, "securityContext.runAsUser", 0, fix));
        }
    }
    v
}
