//! Clients for simulated clusters.

use kube::Client;
use kubegenie_sim::{SimCluster, SimConfig, SimUser};

pub async fn cluster(version: &str) -> SimCluster {
    let mut cfg = SimConfig::named("kube-it");
    cfg.kubernetes_version = version.to_string();
    cfg.users.push(SimUser {
        name: "viewer".into(),
        groups: vec![],
        token: "viewer-token".into(),
        cluster_role: Some("view".into()),
    });
    SimCluster::start(cfg).await.expect("cluster starts")
}

pub fn client(url: &str, ca_pem: Option<&str>, token: &str) -> Client {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut cfg = kube::Config::new(url.parse().expect("url"));
    if let Some(ca) = ca_pem {
        let der: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(ca.as_bytes())
            .map(|c| c.expect("pem").to_vec())
            .collect();
        cfg.root_cert = Some(der);
    }
    cfg.auth_info.token = Some(token.to_string().into());
    Client::try_from(cfg).expect("client")
}

pub fn admin(c: &SimCluster) -> Client {
    client(c.url(), c.ca_pem(), c.admin_token())
}
