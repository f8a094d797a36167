//! CustomResourceDefinitions: live discovery, dynamic objects, printer columns, cleanup.

use crate::common::*;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, PostParams};
use kube::discovery::Discovery;
use serde_json::json;
use std::time::Duration;

fn widget_crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "shortNames": ["wd"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}},
                "subresources": {"status": {}},
                "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]}]}
    }))
    .unwrap()
}

#[tokio::test]
async fn crd_serves_dynamic_objects_and_cleans_up() {
    let s = sim().await.unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(s.client.clone());
    crds.create(&PostParams::default(), &widget_crd()).await.unwrap();
    let established = crds.get("widgets.example.com").await.unwrap();
    let conds = established.status.unwrap().conditions.unwrap();
    assert!(
        conds
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True")
    );

    let d = Discovery::new(s.client.clone()).run().await.unwrap();
    let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
    let (ar, _caps) = d.resolve_gvk(&gvk).expect("discovery sees the new kind");
    let widgets: Api<DynamicObject> = Api::namespaced_with(s.client.clone(), "default", &ar);
    let w: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}
    }))
    .unwrap();
    widgets.create(&PostParams::default(), &w).await.unwrap();
    let list = widgets.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].data["spec"]["size"], 3);

    let req = http::Request::get("/apis/example.com/v1/namespaces/default/widgets")
        .header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
        .body(Vec::new())
        .unwrap();
    let t: serde_json::Value = serde_json::from_str(&s.client.request_text(req).await.unwrap()).unwrap();
    let cols: Vec<_> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert!(cols.contains(&json!("Size")), "printer columns: {cols:?}");

    crds.delete("widgets.example.com", &DeleteParams::default())
        .await
        .unwrap();
    let gone = eventually(Duration::from_secs(5), || {
        let crds = crds.clone();
        async move { crds.get_opt("widgets.example.com").await.unwrap().is_none() }
    })
    .await;
    assert!(gone, "the CRD goes away after its resources are removed");
    let ar2 = ApiResource::from_gvk_with_plural(&gvk, "widgets");
    let widgets: Api<DynamicObject> = Api::namespaced_with(s.client.clone(), "default", &ar2);
    let err = api_err(widgets.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(err.code, 404);
}
