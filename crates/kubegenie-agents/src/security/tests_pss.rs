//! The Pod Security Standards controls on fixtures: each control fails on the field it guards,
//! and a hardened pod passes restricted.

use super::fixtures::{CLEAN_SPEC, deployment, ids, input, run};
use super::pss::PodSecurity;
use super::{compliance, report};

fn pss(yaml: &str) -> Vec<String> {
    ids(&run(&PodSecurity, yaml))
        .into_iter()
        .map(String::from)
        .collect()
}

#[test]
fn a_hardened_pod_passes_restricted() {
    assert!(pss(&deployment("web", CLEAN_SPEC)).is_empty());
    let r = report(&[input(&deployment("web", CLEAN_SPEC))], vec![]);
    assert_eq!(r.compliance[0].namespaces[0].pss_level, "restricted");
}

#[test]
fn a_default_pod_passes_baseline_but_not_restricted() {
    let spec = "      containers: [{name: app, image: nginx:1.27}]\n";
    let got = pss(&deployment("web", spec));
    assert_eq!(
        got,
        [
            "SEC-PSS-CAPS-002",
            "SEC-PSS-NONROOT-001",
            "SEC-PSS-PRIVESC-001",
            "SEC-PSS-SECCOMP-002"
        ]
    );
    let r = report(&[input(&deployment("web", spec))], vec![]);
    assert_eq!(r.compliance[0].namespaces[0].pss_level, "baseline");
}

#[test]
fn privileged_containers_fail_baseline_with_a_patch_that_fixes_them() {
    let spec = "      containers:
      - {name: app, image: nginx:1.27, securityContext: {privileged: true}}
      initContainers:
      - {name: init, image: busybox:1.36, securityContext: {privileged: true}}
";
    let f = run(&PodSecurity, &deployment("web", spec));
    let priv_ = f
        .iter()
        .find(|f| f.id == "SEC-PSS-PRIV-001")
        .expect("privileged found");
    assert_eq!(priv_.severity, kubegenie_core::finding::Severity::Critical);
    assert!(
        priv_
            .evidence
            .iter()
            .any(|e| e == "initContainers[init].securityContext.privileged=true")
    );
    let patch = priv_.remediation.patch.as_ref().unwrap();
    assert_eq!(
        patch["spec"]["template"]["spec"]["containers"][0],
        serde_json::json!({"name": "app", "securityContext": {"privileged": false}})
    );
    assert_eq!(
        patch["spec"]["template"]["spec"]["initContainers"][0]["name"],
        "init"
    );
    assert!(
        priv_.remediation.commands[0].starts_with("kubectl patch deployment web -n shop --type strategic")
    );
    let r = report(&[input(&deployment("web", spec))], vec![]);
    assert_eq!(r.compliance[0].namespaces[0].pss_level, "privileged");
}

#[test]
fn every_baseline_control_fails_on_its_field() {
    let spec = "      hostNetwork: true
      hostPID: true
      securityContext:
        seccompProfile: {type: Unconfined}
        sysctls: [{name: kernel.msgmax, value: '1'}, {name: net.ipv4.tcp_syncookies, value: '1'}]
        seLinuxOptions: {type: spc_t}
        windowsOptions: {hostProcess: true}
      volumes: [{name: root, hostPath: {path: /}}]
      containers:
      - name: app
        image: nginx:1.27
        ports: [{containerPort: 80, hostPort: 80}]
        securityContext:
          capabilities: {add: [NET_ADMIN, CHOWN]}
          procMount: Unmasked
          appArmorProfile: {type: Unconfined}
";
    let got = pss(&deployment("web", spec));
    for id in [
        "SEC-PSS-HOSTPROCESS-001",
        "SEC-PSS-HOSTNS-001",
        "SEC-PSS-CAPS-001",
        "SEC-PSS-HOSTPATH-001",
        "SEC-PSS-HOSTPORT-001",
        "SEC-PSS-APPARMOR-001",
        "SEC-PSS-SELINUX-001",
        "SEC-PSS-PROCMOUNT-001",
        "SEC-PSS-SECCOMP-001",
        "SEC-PSS-SYSCTL-001",
        "SEC-PSS-VOLUMES-001",
    ] {
        assert!(got.iter().any(|g| g == id), "{id} missing from {got:?}");
    }
    let f = run(&PodSecurity, &deployment("web", spec));
    let caps = f.iter().find(|f| f.id == "SEC-PSS-CAPS-001").unwrap();
    assert_eq!(
        caps.evidence[0],
        "containers[app].securityContext.capabilities.add=NET_ADMIN"
    );
    let sysctl = f.iter().find(|f| f.id == "SEC-PSS-SYSCTL-001").unwrap();
    assert_eq!(sysctl.evidence[0], "spec.securityContext.sysctls=kernel.msgmax");
}

#[test]
fn allowed_values_pass_baseline() {
    let spec = "      securityContext:
        sysctls: [{name: net.ipv4.tcp_keepalive_time, value: '60'}]
        seLinuxOptions: {type: container_t, level: 's0:c123,c456'}
      containers:
      - name: app
        image: nginx:1.27
        ports: [{containerPort: 80, hostPort: 0}]
        securityContext: {capabilities: {add: [NET_BIND_SERVICE, CHOWN]}, procMount: Default}
";
    let got = pss(&deployment("web", spec));
    assert!(
        got.iter().all(|id| [
            "SEC-PSS-CAPS-002",
            "SEC-PSS-NONROOT-001",
            "SEC-PSS-PRIVESC-001",
            "SEC-PSS-SECCOMP-002"
        ]
        .contains(&id.as_str())),
        "{got:?}"
    );
}

#[test]
fn legacy_apparmor_annotations_are_checked() {
    let yaml = "apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: shop
  annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}
spec: {containers: [{name: app, image: nginx:1.27}]}
";
    assert!(pss(yaml).contains(&"SEC-PSS-APPARMOR-001".to_string()));
}

#[test]
fn root_user_and_non_root_overrides_are_caught() {
    let spec =
        "      securityContext: {runAsNonRoot: true, runAsUser: 0, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: nginx:1.27
        securityContext: {runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
";
    assert_eq!(
        pss(&deployment("web", spec)),
        ["SEC-PSS-NONROOT-001", "SEC-PSS-ROOTUSER-001"]
    );
}

#[test]
fn pods_of_a_controller_in_the_input_are_judged_through_its_template() {
    let yaml = format!(
        "{}---
apiVersion: v1
kind: Pod
metadata:
  name: web-abc
  namespace: shop
  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: u, controller: true}}]
spec: {{containers: [{{name: app, image: nginx:1.27, securityContext: {{privileged: true}}}}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-1
  namespace: shop
  ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: web, uid: u, controller: true}}]
spec: {{selector: {{matchLabels: {{app: web}}}}}}
",
        deployment("web", CLEAN_SPEC)
    );
    assert!(pss(&yaml).is_empty());
}

#[test]
fn windows_pods_skip_linux_only_restricted_controls() {
    let spec = "      os: {name: windows}
      securityContext: {runAsNonRoot: true}
      containers: [{name: app, image: mcr.microsoft.com/windows/nanoserver:ltsc2022}]
";
    assert!(pss(&deployment("win", spec)).is_empty());
    assert_eq!(compliance::pss_level(&Default::default()), "restricted");
}
