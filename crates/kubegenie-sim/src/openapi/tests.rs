use super::*;
use crate::catalog::ResourceType;

fn catalog() -> Catalog {
    let mut c = Catalog::builtin();
    let mut w = ResourceType::builtin("stable.example.com", "v1", "Widget", "widgets", true);
    w.crd = Some("widgets.stable.example.com".into());
    w.subresources = vec!["status".into(), "scale".into()];
    w.schema = Some(json!({"type": "object", "properties": {
        "spec": {"type": "object", "description": "Desired widget.", "properties": {"size": {"type": "integer"}}}}}));
    c.insert(w);
    c
}

fn doc(path: &str) -> Value {
    let d = serve_for(&catalog(), path, Some("application/json"), "v1.33.1").expect(path);
    assert_eq!(d.content_type, "application/json");
    serde_json::from_slice(&d.body).expect("json")
}

/// What kubectl's field-validation probe checks: a PATCH operation for the GVK that takes
/// the `fieldValidation` query parameter.
fn patch_supports_field_validation(doc: &Value, group: &str, version: &str, kind: &str) -> bool {
    doc["paths"].as_object().into_iter().flatten().any(|(_, item)| {
        let p = &item["patch"];
        p["x-kubernetes-group-version-kind"] == json!({"group": group, "version": version, "kind": kind})
            && p["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|x| x["name"] == "fieldValidation" && x["in"] == "query")
            })
    })
}

#[test]
fn root_lists_every_group_version_with_a_hash() {
    let root = doc("/openapi/v3");
    let paths = root["paths"].as_object().expect("paths");
    for key in [
        "api/v1",
        "apis/apps/v1",
        "apis/batch/v1",
        "apis/apiextensions.k8s.io/v1",
        "apis/stable.example.com/v1",
    ] {
        let url = paths[key]["serverRelativeURL"].as_str().expect(key);
        assert!(url.starts_with(&format!("/openapi/v3/{key}?hash=")), "{url}");
    }
    // The hash follows the content: a new CRD version changes its group's URL only.
    let mut c = catalog();
    let before = v3_root(&c, "v1.33.1");
    let mut w2 = ResourceType::builtin("stable.example.com", "v1", "Gadget", "gadgets", true);
    w2.crd = Some("gadgets.stable.example.com".into());
    c.insert(w2);
    let after = v3_root(&c, "v1.33.1");
    assert_ne!(
        before["paths"]["apis/stable.example.com/v1"],
        after["paths"]["apis/stable.example.com/v1"]
    );
    assert_eq!(before["paths"]["apis/apps/v1"], after["paths"]["apis/apps/v1"]);
}

#[test]
fn patch_operations_declare_field_validation() {
    let core = doc("/openapi/v3/api/v1?hash=ABC");
    for kind in ["Pod", "ConfigMap", "Service", "Namespace", "Node", "Secret"] {
        assert!(patch_supports_field_validation(&core, "", "v1", kind), "{kind}");
    }
    let apps = doc("/openapi/v3/apis/apps/v1");
    assert!(patch_supports_field_validation(&apps, "apps", "v1", "Deployment"));
    let p = &apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
    let content = p["requestBody"]["content"].as_object().expect("content");
    assert!(content.contains_key("application/merge-patch+json"));
    assert!(content.contains_key("application/apply-patch+yaml"));
    assert!(
        !content.contains_key("application/strategic-merge-patch+json"),
        "kubectl must use compiled-in types"
    );
    assert_eq!(
        apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["patch"]["x-kubernetes-group-version-kind"],
        json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
    );
    let crd = doc("/openapi/v3/apis/stable.example.com/v1");
    assert!(patch_supports_field_validation(
        &crd,
        "stable.example.com",
        "v1",
        "Widget"
    ));
    // Reviews are create-only: a POST, no PATCH.
    let authz = doc("/openapi/v3/apis/authorization.k8s.io/v1");
    let ssar = &authz["paths"]["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"];
    assert!(ssar["post"].is_object());
    assert!(ssar.get("patch").is_none());
}

#[test]
fn explain_finds_kinds_and_fields() {
    let core = doc("/openapi/v3/api/v1");
    // kubectl explain finds the GVK on the collection path's operations...
    let gvk = &core["paths"]["/api/v1/namespaces/{namespace}/pods"]["get"]["x-kubernetes-group-version-kind"];
    assert_eq!(gvk, &json!({"group": "", "version": "v1", "kind": "Pod"}));
    // ...then the component schema listing that GVK.
    let schemas = core["components"]["schemas"].as_object().expect("schemas");
    let pod = &schemas["io.k8s.api.core.v1.Pod"];
    assert!(
        pod["x-kubernetes-group-version-kind"]
            .as_array()
            .is_some_and(|l| l.contains(gvk))
    );
    assert!(pod["properties"]["spec"].is_object());
    let cm = &schemas["io.k8s.api.core.v1.ConfigMap"];
    assert!(cm["properties"]["data"].is_object() && cm["properties"].get("spec").is_none());
    assert!(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]["labels"].is_object());
    // Every $ref resolves inside the document.
    let text = core.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap_or("");
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    let crd = doc("/openapi/v3/apis/stable.example.com/v1");
    let w = &crd["components"]["schemas"]["com.example.stable.v1.Widget"];
    assert_eq!(w["properties"]["spec"]["properties"]["size"]["type"], "integer");
    assert_eq!(w["x-kubernetes-group-version-kind"][0]["kind"], "Widget");
}

#[test]
fn v2_is_protobuf_unless_json_is_asked() {
    let c = catalog();
    let pb = serve_for(&c, "/openapi/v2", Some(V2_PROTOBUF), "v1.33.1").expect("v2");
    assert_eq!(pb.content_type, "application/octet-stream");
    assert_eq!(pb.body[..5], [0x0a, 0x03, b'2', b'.', b'0']);
    assert_eq!(
        serve(&c, "/openapi/v2").expect("v2").content_type,
        "application/octet-stream"
    );
    let js = serve_for(&c, "/openapi/v2", Some("application/json"), "v1.33.1").expect("v2 json");
    let v: Value = serde_json::from_slice(&js.body).expect("json");
    assert_eq!(v["swagger"], "2.0");
}

#[test]
fn unknown_paths_are_not_found() {
    let c = catalog();
    for p in [
        "/openapi/v3/apis/nope/v1",
        "/openapi/v3/api/v9",
        "/openapi/v3/x",
        "/openapi/v4",
        "/openapi/v3/apis/apps",
    ] {
        assert_eq!(serve(&c, p).err().map(|e| e.code), Some(404), "{p}");
    }
}

#[test]
fn schema_names() {
    assert_eq!(schema_name("", "v1", "Pod", false), "io.k8s.api.core.v1.Pod");
    assert_eq!(
        schema_name("rbac.authorization.k8s.io", "v1", "Role", false),
        "io.k8s.api.rbac.v1.Role"
    );
    assert_eq!(
        schema_name("apiextensions.k8s.io", "v1", "CustomResourceDefinition", false),
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"
    );
    assert_eq!(
        schema_name("stable.example.com", "v1", "Widget", true),
        "com.example.stable.v1.Widget"
    );
}
