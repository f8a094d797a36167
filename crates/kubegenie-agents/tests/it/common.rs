//! Clients for simulated clusters.

use kube::Client;
use kubegenie_sim::SimCluster;

pub fn admin(c: &SimCluster) -> Client {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut cfg = kube::Config::new(c.url().parse().expect("url"));
    if let Some(ca) = c.ca_pem() {
        let der: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(ca.as_bytes())
            .map(|c| c.expect("pem").to_vec())
            .collect();
        cfg.root_cert = Some(der);
    }
    cfg.auth_info.token = Some(c.admin_token().to_string().into());
    Client::try_from(cfg).expect("client")
}
