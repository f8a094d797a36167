//! Every error class a client can meet, as a `Status` with the right code and reason, and
//! proof that a rejected write changed nothing.

use crate::common::*;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, PostParams};
use serde_json::json;

const CM: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test]
async fn already_exists_and_missing_namespace() {
    let s = sim().await.unwrap();
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}).to_string();
    assert_eq!(
        raw(&s.client, "POST", CM, "application/json", body.clone())
            .await
            .unwrap()
            .0,
        201
    );
    let (code, st) = raw(&s.client, "POST", CM, "application/json", body.clone())
        .await
        .unwrap();
    assert_eq!((code, st["reason"].as_str()), (409, Some("AlreadyExists")));
    assert_eq!(st["message"], "configmaps \"a\" already exists");
    let (code, st) = raw(
        &s.client,
        "POST",
        "/api/v1/namespaces/nope/configmaps",
        "application/json",
        body,
    )
    .await
    .unwrap();
    assert_eq!(
        (code, st["message"].as_str()),
        (404, Some("namespaces \"nope\" not found"))
    );
}

#[tokio::test]
async fn malformed_bodies_are_bad_requests() {
    let s = sim().await.unwrap();
    for body in ["{not json", "[1,2]", "\"x\"", ""] {
        let (code, st) = raw(&s.client, "POST", CM, "application/json", body)
            .await
            .unwrap();
        assert_eq!(code, 400, "{body:?} -> {st}");
        assert_eq!(st["kind"], "Status");
    }
    let wrong_kind =
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}).to_string();
    let (code, st) = raw(&s.client, "POST", CM, "application/json", wrong_kind)
        .await
        .unwrap();
    assert_eq!(code, 400);
    assert!(
        st["message"]
            .as_str()
            .unwrap()
            .contains("does not match the expected API version"),
        "{st}"
    );
    let (code, _) = raw(&s.client, "POST", CM, "text/csv", "a,b").await.unwrap();
    assert_eq!(code, 415);
}

#[tokio::test]
async fn body_name_must_match_url_name() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "a"}, "data": {"k": "v"}})).unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    let body =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"k": "changed"}});
    let (code, st) = raw(
        &s.client,
        "PUT",
        &format!("{CM}/a"),
        "application/json",
        body.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(code, 400, "{st}");
    assert!(
        st["message"]
            .as_str()
            .unwrap()
            .contains("does not match the name on the URL")
    );
    assert_eq!(cms.get("a").await.unwrap().data.unwrap()["k"], "v");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let s = sim().await.unwrap();
    let big = "x".repeat(3 * 1024 * 1024 + 10);
    let body =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"k": big}});
    let (code, st) = raw(&s.client, "POST", CM, "application/json", body.to_string())
        .await
        .unwrap();
    assert_eq!(
        (code, st["reason"].as_str()),
        (413, Some("RequestEntityTooLarge"))
    );
}

#[tokio::test]
async fn invalid_names_are_invalid_with_field_causes() {
    let s = sim().await.unwrap();
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}).to_string();
    let (code, st) = raw(&s.client, "POST", CM, "application/json", body)
        .await
        .unwrap();
    assert_eq!((code, st["reason"].as_str()), (422, Some("Invalid")), "{st}");
    assert_eq!(st["details"]["causes"][0]["field"], "metadata.name");
}

#[tokio::test]
async fn invalid_selectors_are_bad_requests() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let err = api_err(
        cms.list(&ListParams::default().labels("app in (a"))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 400, "{}", err.message);
    let err = api_err(
        cms.list(&ListParams::default().fields("spec.nodeName=x"))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 400);
    assert_eq!(
        err.message,
        "\"spec.nodeName\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
    );
}

#[tokio::test]
async fn unknown_paths_verbs_and_tokens() {
    let s = sim().await.unwrap();
    let (code, _) = raw(&s.client, "GET", "/api/v1/namespaces/default/widgets", "", "")
        .await
        .unwrap();
    assert_eq!(code, 404);
    let (code, st) = raw(&s.client, "PUT", CM, "application/json", "{}").await.unwrap();
    assert_eq!((code, st["reason"].as_str()), (405, Some("MethodNotAllowed")));
    let bad = client_for(&s.cluster, "not-a-token").unwrap();
    let (code, st) = raw(&bad, "GET", "/api/v1/namespaces", "", "").await.unwrap();
    assert_eq!((code, st["reason"].as_str()), (401, Some("Unauthorized")));
}

#[tokio::test]
async fn read_only_user_is_forbidden_to_write() {
    let s = sim().await.unwrap();
    let viewer = client_for(&s.cluster, "viewer-token").unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(viewer, "default");
    cms.list(&ListParams::default()).await.expect("viewers can list");
    let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap();
    let err = api_err(cms.create(&PostParams::default(), &cm).await.unwrap_err());
    assert_eq!((err.code, err.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        err.message,
        "configmaps is forbidden: User \"viewer\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\""
    );
}

#[tokio::test]
async fn bad_patches_leave_the_object_intact() {
    let s = sim().await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(s.client.clone(), "default");
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "p"}, "data": {"k": "v"}})).unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    let path = format!("{CM}/p");
    let (code, _) = raw(
        &s.client,
        "PATCH",
        &path,
        "application/json-patch+json",
        "{\"op\": 1}",
    )
    .await
    .unwrap();
    assert_eq!(code, 400);
    let failing_test =
        json!([{"op": "test", "path": "/data/k", "value": "other"}, {"op": "remove", "path": "/data"}]);
    let (code, _) = raw(
        &s.client,
        "PATCH",
        &path,
        "application/json-patch+json",
        failing_test.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(code, 422);
    let (code, _) = raw(
        &s.client,
        "PATCH",
        &path,
        "application/merge-patch+json",
        "{broken",
    )
    .await
    .unwrap();
    assert_eq!(code, 400);
    assert_eq!(cms.get("p").await.unwrap().data.unwrap()["k"], "v");
}

#[tokio::test]
async fn field_validation_strict_rejects_and_warn_warns() {
    let s = sim().await.unwrap();
    let body =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "u"}, "dataa": {"k": "v"}});
    let path = format!("{CM}?fieldValidation=Strict");
    let (code, st) = raw(&s.client, "POST", &path, "application/json", body.to_string())
        .await
        .unwrap();
    assert_eq!(code, 400, "{st}");
    assert_eq!(
        st["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"dataa\""
    );
    let req = http::Request::post(format!("{CM}?fieldValidation=Warn"))
        .header("content-type", "application/json")
        .body(kube::client::Body::from(body.to_string().into_bytes()))
        .unwrap();
    let resp = s.client.send(req).await.unwrap();
    assert_eq!(resp.status(), 201);
    let warning = resp
        .headers()
        .get("warning")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(warning, "299 - \"unknown field \\\"dataa\\\"\"");
}

#[tokio::test]
async fn malformed_yaml_is_a_bad_request() {
    let s = sim().await.unwrap();
    let (code, st) = raw(
        &s.client,
        "POST",
        CM,
        "application/yaml",
        "kind: ConfigMap\nmetadata: [unclosed",
    )
    .await
    .unwrap();
    assert_eq!(code, 400, "{st}");
    assert!(st["message"].as_str().unwrap().contains("YAML"), "{st}");
    let (code, _) = raw(
        &s.client,
        "POST",
        CM,
        "application/yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\n",
    )
    .await
    .unwrap();
    assert_eq!(code, 201, "YAML bodies are accepted");
}
