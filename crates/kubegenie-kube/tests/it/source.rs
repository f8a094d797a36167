use crate::common::*;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use kubegenie_kube::kubeconfig;
use kubegenie_kube::source::{ClusterSource, SourceError};
use std::os::unix::fs::PermissionsExt;

async fn can_list(src: &ClusterSource) -> usize {
    let client = kube::Client::try_from(src.config().await.expect("config")).expect("client");
    Api::<Namespace>::all(client)
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .len()
}

#[tokio::test]
async fn kubeconfig_contexts_bare_metal_certs_and_exec_plugins_all_connect() {
    let c = cluster("v1.33.1").await;
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("config");
    c.write_kubeconfig(&kc, "sim-a", true).unwrap();
    let ctxs = kubeconfig::contexts(&kc).unwrap();
    assert_eq!(ctxs.len(), 1);
    assert_eq!(ctxs[0].server, c.url());
    assert!(
        can_list(&ClusterSource::Kubeconfig {
            path: kc.clone(),
            context: "sim-a".into()
        })
        .await
            >= 4
    );

    // Bare metal: CA file + token file.
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, c.ca_pem().unwrap()).unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{}\n", c.admin_token())).unwrap();
    let bare = ClusterSource::BareMetal {
        server: c.url().into(),
        ca_file: Some(ca.clone()),
        token_file: Some(token),
        token_env: None,
        client_cert_file: None,
        client_key_file: None,
        insecure: false,
    };
    assert!(can_list(&bare).await >= 4);

    // Bare metal: client certificate in system:masters.
    let (cert, key) = c
        .issue_client_cert("alice", &["system:masters".to_string()])
        .unwrap();
    let (cf, kf) = (dir.path().join("alice.crt"), dir.path().join("alice.key"));
    std::fs::write(&cf, cert).unwrap();
    std::fs::write(&kf, key).unwrap();
    let certs = ClusterSource::BareMetal {
        server: c.url().into(),
        ca_file: Some(ca.clone()),
        token_file: None,
        token_env: None,
        client_cert_file: Some(cf),
        client_key_file: Some(kf),
        insecure: false,
    };
    assert!(can_list(&certs).await >= 4);

    // An exec credential plugin, as EKS/GKE/AKS kubeconfigs use.
    let plugin = dir.path().join("get-token.sh");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\"}}}}'\n",
            c.admin_token()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let exec_kc = dir.path().join("exec-config");
    std::fs::write(
        &exec_kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority: {}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\ncontexts:\n- name: exec\n  context: {{cluster: c, user: u}}\ncurrent-context: exec\n",
            c.url(),
            ca.display(),
            plugin.display()
        ),
    )
    .unwrap();
    assert!(
        can_list(&ClusterSource::Kubeconfig {
            path: exec_kc,
            context: "exec".into()
        })
        .await
            >= 4
    );
}

#[tokio::test]
async fn bad_kubeconfigs_name_the_file_line_and_contexts() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken");
    std::fs::write(
        &bad,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: [unclosed\n",
    )
    .unwrap();
    let err = kubeconfig::contexts(&bad).unwrap_err().to_string();
    assert!(err.starts_with(&format!("kubeconfig {}", bad.display())), "{err}");
    assert!(err.contains("line"), "the YAML error names a line: {err}");

    let c = cluster("v1.33.1").await;
    let kc = dir.path().join("config");
    c.write_kubeconfig(&kc, "real", true).unwrap();
    let err = ClusterSource::Kubeconfig {
        path: kc,
        context: "typo".into(),
    }
    .config()
    .await
    .unwrap_err();
    assert!(matches!(err, SourceError::MissingContext { .. }));
    assert!(err.to_string().contains("available contexts: real"), "{err}");
}
