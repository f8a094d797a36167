//! Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`).
//!
//! kubectl 1.32 and later send the bodies of its typed clients (`kubectl create deployment`,
//! `kubectl auth can-i`, `kubectl create token`, …) as protobuf, not JSON. Such a body is the
//! 4-byte magic `k8s\0` followed by a `runtime.Unknown` message:
//!
//! ```text
//! Unknown { 1: TypeMeta { 1: apiVersion, 2: kind }, 2: raw (the object's message),
//!           3: contentEncoding, 4: contentType }
//! ```
//!
//! [`decode`] unwraps that envelope, picks the object's message by (apiVersion, kind) and turns it
//! into the JSON form the rest of the simulator stores, as if kubectl had sent JSON. The decoder
//! is a small hand-written wire reader ([`wire`]) driven by a static schema (`schema_*.rs`, one
//! file per API group) written after the `generated.proto` files of `k8s.io/api` and
//! `k8s.io/apimachinery`. Responses stay JSON: kubectl's `Accept` header allows it.
//!
//! The input is untrusted: decoding never panics, bounds nesting depth, and reports malformed
//! bodies as `400 BadRequest` and kinds it has no schema for as `415 UnsupportedMediaType`.

mod decode;
mod schema;
mod schema_apps;
mod schema_auth;
mod schema_autoscaling;
mod schema_container;
mod schema_core;
mod schema_meta;
mod schema_pod;
mod schema_policy;
mod schema_rbac;
mod schema_volume;
mod special;
mod wire;

use serde_json::{Map, Value};

use crate::error::ApiError;
use wire::{Reader, WireError, WireResult};

/// The media type of Kubernetes protobuf bodies.
pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The 4 bytes every Kubernetes protobuf body starts with.
pub const MAGIC: &[u8] = b"k8s\x00";

/// Decodes a Kubernetes protobuf request body into the object's JSON form, with `apiVersion` and
/// `kind` set.
///
/// Fields that gogo-protobuf always encodes are dropped when they hold their zero value, unless
/// the Go field is a pointer (so `spec.replicas: 0` survives); `bytes` become base64 strings,
/// timestamps RFC 3339 strings, quantities and int-or-strings their JSON forms.
///
/// # Errors
/// `400 BadRequest` for a body that is not valid protobuf for its kind (bad magic, truncated or
/// malformed fields, wrong wire types, nesting deeper than 64 levels); `415
/// UnsupportedMediaType` naming the kind when the simulator has no protobuf schema for it.
// ApiError is the crate-wide error every request handler returns; boxing it here alone would only
// force callers to unbox it again.
#[allow(clippy::result_large_err)]
pub fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let bad = |e: WireError| {
        ApiError::bad_request(format!(
            "the body of the request could not be decoded as protobuf: {e}"
        ))
    };
    let env = envelope(body).map_err(bad)?;
    let Some(message) = schema::lookup(&env.api_version, &env.kind) else {
        let message = format!(
            "the simulator cannot decode kind {:?} (apiVersion {:?}) from {CONTENT_TYPE}; \
             send it as application/json instead",
            env.kind, env.api_version
        );
        return Err(ApiError::new(415, "UnsupportedMediaType", message));
    };
    object(&env, message, 0).map_err(bad)
}

/// Whether [`decode`] has a schema for `(api_version, kind)`.
pub fn supports(api_version: &str, kind: &str) -> bool {
    schema::lookup(api_version, kind).is_some()
}

/// Every `(apiVersion, kind)` that [`decode`] understands.
pub fn supported_kinds() -> Vec<(&'static str, &'static str)> {
    schema::kinds().collect()
}

/// Decodes an object embedded in another one (a `RawExtension` holding protobuf).
fn decode_at(body: &[u8], depth: usize) -> WireResult<Value> {
    let env = envelope(body)?;
    let message = schema::lookup(&env.api_version, &env.kind)
        .ok_or_else(|| WireError::new(format!("embedded kind {:?} is not supported", env.kind)))?;
    object(&env, message, depth)
}

/// The unwrapped `runtime.Unknown`.
struct Envelope<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
}

fn envelope(body: &[u8]) -> WireResult<Envelope<'_>> {
    let rest = body
        .strip_prefix(MAGIC)
        .ok_or_else(|| WireError::new("the body does not start with the protobuf magic \"k8s\\x00\""))?;
    let mut env = Envelope {
        api_version: String::new(),
        kind: String::new(),
        raw: &[],
    };
    let mut encoding = String::new();
    let mut r = Reader::new(rest);
    while let Some((tag, v)) = r.next_field()? {
        match tag {
            1 => {
                let tm = decode::expect_len(v).map_err(|e| e.within("typeMeta"))?;
                let mut r = Reader::new(tm);
                while let Some((tag, v)) = r.next_field().map_err(|e| e.within("typeMeta"))? {
                    match tag {
                        1 => env.api_version = decode::string(decode::expect_len(v)?),
                        2 => env.kind = decode::string(decode::expect_len(v)?),
                        _ => {}
                    }
                }
            }
            2 => env.raw = decode::expect_len(v).map_err(|e| e.within("raw"))?,
            3 => encoding = decode::string(decode::expect_len(v).map_err(|e| e.within("contentEncoding"))?),
            _ => {}
        }
    }
    if env.kind.is_empty() || env.api_version.is_empty() {
        return Err(WireError::new("the envelope names no apiVersion and kind"));
    }
    // client-go never compresses the inner object; anything else cannot be read as-is.
    if !encoding.is_empty() {
        return Err(WireError::new(format!(
            "unsupported contentEncoding {encoding:?}"
        )));
    }
    Ok(env)
}

fn object(env: &Envelope<'_>, message: &'static schema::Message, depth: usize) -> WireResult<Value> {
    let mut out = Map::new();
    out.insert("apiVersion".into(), Value::String(env.api_version.clone()));
    out.insert("kind".into(), Value::String(env.kind.clone()));
    out.extend(decode::message(&[env.raw], message, depth + 1)?);
    Ok(Value::Object(out))
}
