use crate::common::*;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ListParams, PostParams};
use kubegenie_core::outcome::ErrorClass;
use kubegenie_kube::classify::{classify, cluster_error};

#[tokio::test]
async fn failures_are_classified_with_the_server_message() {
    let c = cluster("v1.33.1").await;
    let bad_token = client(c.url(), c.ca_pem(), "nope");
    let e = Api::<Namespace>::all(bad_token)
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(classify(&e), ErrorClass::Unauthorized);

    let viewer = client(c.url(), c.ca_pem(), "viewer-token");
    let cm: ConfigMap = serde_json::from_value(serde_json::json!({"metadata": {"name": "x"}})).unwrap();
    let e = Api::<ConfigMap>::namespaced(viewer, "default")
        .create(&PostParams::default(), &cm)
        .await
        .unwrap_err();
    let row = cluster_error("c1", &e);
    assert_eq!(row.reason, ErrorClass::Forbidden);
    assert!(
        row.message.contains("cannot create resource \"configmaps\""),
        "{}",
        row.message
    );

    let other = cluster("v1.33.1").await;
    let wrong_ca = client(c.url(), other.ca_pem(), c.admin_token());
    let e = Api::<Namespace>::all(wrong_ca)
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(classify(&e), ErrorClass::Tls, "{e:?}");

    let url = c.url().to_string();
    c.shutdown().await;
    let gone = client(&url, other.ca_pem(), "t");
    let e = Api::<Namespace>::all(gone)
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(classify(&e), ErrorClass::Unreachable, "{e:?}");

    let dns = client("https://no-such-host.invalid:6443", None, "t");
    let e = Api::<Namespace>::all(dns)
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert_eq!(classify(&e), ErrorClass::Dns, "{e:?}");
}
