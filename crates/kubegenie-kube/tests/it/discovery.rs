use crate::common::*;
use kubegenie_kube::discovery::KindIndex;

#[tokio::test]
async fn aggregated_and_legacy_discovery_agree() {
    let new = cluster("v1.33.1").await;
    let old = cluster("v1.26.5").await;
    let a = KindIndex::discover(&admin(&new)).await.unwrap();
    let b = KindIndex::discover(&admin(&old)).await.unwrap();
    for idx in [&a, &b] {
        let pods = idx.resolve("po").unwrap();
        assert_eq!((pods.plural.as_str(), pods.namespaced), ("pods", true));
        assert!(pods.subresources.contains(&"log".to_string()));
        assert_eq!(idx.resolve("deploy").unwrap().api_version(), "apps/v1");
        assert_eq!(idx.resolve("crd").unwrap().kind, "CustomResourceDefinition");
        assert!(!idx.resolve("nodes").unwrap().namespaced);
        assert!(idx.category("all").iter().any(|r| r.plural == "deployments"));
    }
    assert_eq!(a.resources().len(), b.resources().len());
}
