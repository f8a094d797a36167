//! Decoding of Kubernetes protobuf request bodies, against bodies captured from kubectl 1.33.
//!
//! Each `tests/data/protobuf/NAME.bin` is a request body exactly as sent on the wire, and
//! `NAME.json` is the object kubectl prints for the same command with `--dry-run=client -o json`
//! (nulls and empty non-pointer structs removed), or, for commands without a dry-run mode, the
//! JSON written by hand. See `tests/data/protobuf/README.md` for how they were made.

use std::path::{Path, PathBuf};

use kubegenie_sim::protobuf::{self, MAGIC};
use serde_json::{Value, json};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/protobuf")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(data_dir().join(format!("{name}.bin"))).expect("fixture exists")
}

fn decoded(name: &str) -> Value {
    protobuf::decode(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn all_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data_dir())
        .expect("data dir")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".bin").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_decodes_to_the_json_kubectl_would_send() {
    let names = all_fixtures();
    assert!(names.len() >= 40, "fixtures missing: {names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let want: Value = serde_json::from_slice(
            &std::fs::read(data_dir().join(format!("{name}.json"))).expect("expected JSON exists"),
        )
        .expect("expected JSON parses");
        let got = decoded(name);
        if got != want {
            failures.push(format!(
                "{name}:\n  got  {}\n  want {}",
                serde_json::to_string(&got).unwrap_or_default(),
                serde_json::to_string(&want).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn namespace_body_from_the_issue() {
    let body = [
        0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, 0x4e, 0x61, 0x6d, 0x65, 0x73,
        0x70, 0x61, 0x63, 0x65, 0x12, 0x1e, 0x0a, 0x16, 0x0a, 0x06, 0x74, 0x65, 0x61, 0x6d, 0x2d, 0x61, 0x12,
        0x00, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00, 0x12, 0x00, 0x1a, 0x02,
        0x0a, 0x00, 0x1a, 0x00, 0x22, 0x00,
    ];
    assert_eq!(
        protobuf::decode(&body).expect("decodes"),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    );
}

#[test]
fn pointer_zeros_survive_and_plain_zeros_do_not() {
    let d = decoded("deployment_zero");
    assert_eq!(d["spec"]["replicas"], json!(0));
    assert!(d["spec"].get("minReadySeconds").is_none());
    assert!(d["spec"].get("strategy").is_none());
    assert!(d["metadata"].get("creationTimestamp").is_none());
    assert!(d.get("status").is_none());

    assert_eq!(decoded("pdb_min_zero")["spec"]["minAvailable"], json!(0));
    assert_eq!(decoded("pdb_max")["spec"]["maxUnavailable"], json!("50%"));
    assert_eq!(decoded("priorityclass_zero")["value"], json!(0));

    let job = decoded("job_from_cronjob");
    let spec = &job["spec"];
    assert_eq!(spec["backoffLimit"], json!(0));
    assert_eq!(spec["parallelism"], json!(0));
    assert_eq!(spec["suspend"], json!(false));
    assert_eq!(spec["manualSelector"], json!(false));
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["terminationGracePeriodSeconds"], json!(0));
    assert_eq!(pod["activeDeadlineSeconds"], json!(0));
    assert_eq!(pod["automountServiceAccountToken"], json!(false));
    assert_eq!(pod["enableServiceLinks"], json!(false));
    assert_eq!(pod["securityContext"]["runAsUser"], json!(0));
    assert_eq!(pod["volumes"][0], json!({"name": "data", "emptyDir": {}}));
    assert!(pod.get("hostPID").is_none());
    let c = &pod["containers"][0];
    assert_eq!(c["securityContext"]["privileged"], json!(false));
    assert_eq!(c["securityContext"]["runAsGroup"], json!(0));
    assert_eq!(c["env"][1], json!({"name": "EMPTY"}));
    assert_eq!(
        c["env"][2]["valueFrom"]["configMapKeyRef"],
        json!({"name": "app-config", "key": "a", "optional": false})
    );
    assert_eq!(c["readinessProbe"]["tcpSocket"]["port"], json!("http"));
    assert_eq!(c["livenessProbe"]["httpGet"]["port"], json!(8080));
    assert_eq!(c["startupProbe"]["terminationGracePeriodSeconds"], json!(0));
    assert_eq!(c["resources"]["requests"]["nvidia.com/gpu"], json!("0"));
    assert_eq!(pod["tolerations"][1]["tolerationSeconds"], json!(0));
    assert_eq!(
        pod["initContainers"][0]["restartPolicy"],
        json!("Always"),
        "sidecar restartPolicy is a pointer"
    );
    let meta = &spec["template"]["metadata"];
    assert_eq!(meta["creationTimestamp"], json!("2026-11-23T12:00:00Z"));
    assert_eq!(meta["deletionGracePeriodSeconds"], json!(0));
    assert_eq!(meta["ownerReferences"][0]["blockOwnerDeletion"], json!(false));
    assert_eq!(
        meta["managedFields"][0]["fieldsV1"],
        json!({"f:metadata": {"f:labels": {".": {}, "f:job": {}}}})
    );
    assert_eq!(job["metadata"]["ownerReferences"][0]["controller"], json!(true));
}

#[test]
fn bytes_are_base64_and_strings_stay_strings() {
    let s = decoded("secret_generic");
    assert_eq!(
        s["data"],
        json!({"empty": "", "password": "czNjcjN0", "user": "YWRtaW4="})
    );
    let tls = decoded("secret_tls");
    assert_eq!(tls["type"], json!("kubernetes.io/tls"));
    assert!(
        tls["data"]["tls.crt"]
            .as_str()
            .is_some_and(|v| v.starts_with("LS0tLS1CRUdJTi"))
    );
    let cm = decoded("configmap");
    assert_eq!(cm["data"]["greeting"], json!("hello world"));
}

#[test]
fn token_and_access_reviews() {
    assert_eq!(decoded("token")["spec"]["expirationSeconds"], json!(3600));
    assert!(decoded("token_bound")["spec"].get("expirationSeconds").is_none());
    let ssar = decoded("ssar_selectors");
    let attrs = &ssar["spec"]["resourceAttributes"];
    assert_eq!(
        attrs["fieldSelector"]["requirements"][0]["key"],
        json!("spec.nodeName")
    );
    assert_eq!(attrs["labelSelector"]["rawSelector"], json!("app=web"));
    assert_eq!(
        decoded("cani_nonres")["spec"]["nonResourceAttributes"]["path"],
        json!("/healthz")
    );
}

// ---- hand-built bodies -------------------------------------------------------------------

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn len_field(tag: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    varint(u64::from(tag) << 3 | 2, &mut out);
    varint(payload.len() as u64, &mut out);
    out.extend_from_slice(payload);
    out
}

fn varint_field(tag: u32, v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    varint(u64::from(tag) << 3, &mut out);
    varint(v, &mut out);
    out
}

fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
    let type_meta = [
        len_field(1, api_version.as_bytes()),
        len_field(2, kind.as_bytes()),
    ]
    .concat();
    [MAGIC.to_vec(), len_field(1, &type_meta), len_field(2, raw)].concat()
}

fn meta_named(name: &str) -> Vec<u8> {
    len_field(1, &len_field(1, name.as_bytes()))
}

fn err_of(body: &[u8]) -> kubegenie_sim::error::ApiError {
    protobuf::decode(body).expect_err("must be rejected")
}

#[test]
fn unknown_kinds_get_415_naming_the_kind() {
    let e = err_of(&envelope("example.com/v1", "Widget", &meta_named("w")));
    assert_eq!(e.code, 415);
    assert_eq!(e.reason, "UnsupportedMediaType");
    assert!(
        e.message.contains("\"Widget\"") && e.message.contains("application/json"),
        "{}",
        e.message
    );
    assert!(protobuf::supports("apps/v1", "Deployment"));
    assert!(!protobuf::supports("apps/v1", "Widget"));
    assert!(protobuf::supported_kinds().contains(&("policy/v1", "Eviction")));
}

#[test]
fn malformed_envelopes_are_400() {
    for body in [
        &b""[..],
        b"k8s",
        b"{\"kind\":\"Namespace\"}",
        b"k8s\x00",                   // no type meta
        b"k8s\x00\x0a\x05\x0a\x02v1", // truncated type meta
    ] {
        let e = err_of(body);
        assert_eq!(e.code, 400, "{body:?}: {}", e.message);
        assert_eq!(e.reason, "BadRequest");
    }
    // A compressed inner object cannot be read.
    let mut body = envelope("v1", "Namespace", &meta_named("a"));
    body.extend(len_field(3, b"gzip"));
    assert_eq!(err_of(&body).code, 400);
}

#[test]
fn truncated_varints_huge_lengths_and_bad_wire_types_are_400() {
    // Namespace metadata whose length runs past the end.
    let mut raw = vec![0x0a, 0x10, 0x0a, 0x01];
    raw.push(b'a');
    assert!(
        err_of(&envelope("v1", "Namespace", &raw))
            .message
            .contains("exceeds")
    );
    // A length of 2^62.
    let mut raw = vec![0x0a];
    varint(1 << 62, &mut raw);
    assert_eq!(err_of(&envelope("v1", "Namespace", &raw)).code, 400);
    // A varint cut short.
    let raw = [0x08, 0xff, 0xff];
    let spec = len_field(2, &raw);
    assert!(
        err_of(&envelope("apps/v1", "Deployment", &spec))
            .message
            .contains("truncated varint")
    );
    // replicas (a varint) sent length-delimited: the error names the field.
    let spec = len_field(2, &len_field(1, b"3"));
    let e = err_of(&envelope("apps/v1", "Deployment", &spec));
    assert!(
        e.message.contains("spec.replicas") && e.message.contains("expected varint"),
        "{}",
        e.message
    );
    // metadata (a message) sent as a varint.
    let e = err_of(&envelope("v1", "Namespace", &varint_field(1, 5)));
    assert!(e.message.contains("metadata"), "{}", e.message);
    // A group wire type.
    assert_eq!(err_of(&envelope("v1", "Namespace", &[0x0b, 0x0c])).code, 400);
}

#[test]
fn deep_nesting_is_bounded() {
    // ControllerRevision.data is a RawExtension, which may itself hold a protobuf object:
    // nest revisions inside each other.
    let nest = |levels: usize| {
        let mut body = envelope("apps/v1", "ControllerRevision", &meta_named("leaf"));
        for _ in 0..levels {
            let data = len_field(1, &body);
            body = envelope("apps/v1", "ControllerRevision", &len_field(2, &data));
        }
        body
    };
    let ok = protobuf::decode(&nest(5)).expect("shallow nesting decodes");
    assert_eq!(
        ok["data"]["data"]["data"]["data"]["data"]["metadata"]["name"],
        json!("leaf")
    );
    let e = err_of(&nest(200));
    assert_eq!(e.code, 400);
    assert!(e.message.contains("nested deeper"), "{}", e.message);
}

#[test]
fn wire_semantics_unknown_fields_packed_lists_merges_negatives() {
    // Unknown fields of every wire type are skipped.
    let mut raw = meta_named("a");
    raw.extend(varint_field(99, 7));
    raw.extend([0xa1, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]); // field 100, 64-bit
    raw.extend([0xad, 0x06, 1, 2, 3, 4]); // field 101, 32-bit
    raw.extend(len_field(102, b"future"));
    assert_eq!(
        protobuf::decode(&envelope("v1", "Namespace", &raw)).expect("decodes")["metadata"]["name"],
        json!("a")
    );

    // A packed repeated int64 (supplementalGroups) next to an unpacked one.
    let mut packed = Vec::new();
    varint(1, &mut packed);
    varint(300, &mut packed);
    let psc = [len_field(4, &packed), varint_field(4, 5)].concat();
    let spec = len_field(14, &psc);
    let pod = protobuf::decode(&envelope("v1", "Pod", &len_field(2, &spec))).expect("decodes");
    assert_eq!(
        pod["spec"]["securityContext"]["supplementalGroups"],
        json!([1, 300, 5])
    );

    // Two occurrences of a message field merge; the last scalar wins.
    let raw = [
        len_field(1, &len_field(1, b"a")),
        len_field(1, &len_field(3, b"ns")),
        meta_named("b"),
    ]
    .concat();
    let ns = protobuf::decode(&envelope("v1", "Namespace", &raw)).expect("decodes");
    assert_eq!(ns["metadata"], json!({"name": "b", "namespace": "ns"}));

    // Negative int32 values arrive sign-extended to ten bytes.
    let raw = [meta_named("low"), varint_field(2, (-5i64) as u64)].concat();
    let pc = protobuf::decode(&envelope("scheduling.k8s.io/v1", "PriorityClass", &raw)).expect("decodes");
    assert_eq!(pc["value"], json!(-5));

    // Invalid UTF-8 is replaced, as Go's JSON encoder does.
    let raw = len_field(1, &len_field(1, b"a\xff"));
    let ns = protobuf::decode(&envelope("v1", "Namespace", &raw)).expect("decodes");
    assert_eq!(ns["metadata"]["name"], json!("a\u{fffd}"));
}

/// A small deterministic generator, so the mutation test needs no extra dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn assert_graceful(body: &[u8]) {
    if let Err(e) = protobuf::decode(body) {
        assert!(
            e.code == 400 || e.code == 415,
            "unexpected {} for {body:?}",
            e.code
        );
    }
}

#[test]
fn truncations_and_mutations_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for name in all_fixtures() {
        let body = fixture(&name);
        for cut in 0..body.len() {
            assert_graceful(&body[..cut]);
        }
        for _ in 0..300 {
            let mut b = body.clone();
            for _ in 0..1 + rng.next() % 4 {
                let i = (rng.next() % b.len() as u64) as usize;
                match rng.next() % 3 {
                    0 => b[i] = rng.next() as u8,
                    1 => b[i] ^= 0x80,
                    _ => {
                        b.insert(i, 0xff);
                    }
                }
            }
            assert_graceful(&b);
        }
    }
}
