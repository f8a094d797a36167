//! The static schema that drives the decoder: which field numbers a Kubernetes message has, what
//! they are called in JSON, and how each value is rendered.
//!
//! Field numbers and names follow the `generated.proto` files of `k8s.io/api` and
//! `k8s.io/apimachinery`. The `keep_zero` flag mirrors the Go types (`*T` in `types.go`):
//! gogo-protobuf encodes every non-pointer field even when it holds its zero value, so the decoder
//! drops zero values of non-pointer fields (kubectl's JSON would have omitted them) and keeps
//! those of pointer fields (`replicas: 0` means something different from no `replicas` at all).
//! A few non-pointer scalars whose JSON tag has no `omitempty` and whose zero is meaningful
//! (`PriorityClass.value`, `SubjectAccessReviewStatus.allowed`) are kept too, because kubectl's
//! JSON always carries them and kube-apiserver always shows them.

use super::{schema_apps, schema_auth, schema_autoscaling, schema_core, schema_policy, schema_rbac};

/// How a single value on the wire is turned into JSON.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ty {
    /// `string` → JSON string.
    Str,
    /// `bytes` → base64 JSON string, as Go's `encoding/json` renders `[]byte`.
    Bytes,
    /// `int32` → JSON number.
    I32,
    /// `int64` → JSON number.
    I64,
    /// `bool` → JSON boolean.
    Bool,
    /// A nested message → JSON object.
    Msg(&'static Message),
    /// `meta/v1.Time` {1: seconds, 2: nanos} → RFC 3339 with second precision.
    Time,
    /// `meta/v1.MicroTime` {1: seconds, 2: nanos} → RFC 3339 with microseconds.
    MicroTime,
    /// `meta/v1.Duration` {1: nanoseconds} → Go duration string (`1h0m0s`). No built-in kind in
    /// the tables uses it today; it is kept so that adding one (or a test schema) needs no new code.
    #[allow(dead_code)]
    Duration,
    /// `intstr.IntOrString` {1: type, 2: intVal, 3: strVal} → number or string.
    IntOrString,
    /// `resource.Quantity` {1: string} → string.
    Quantity,
    /// `runtime.RawExtension` {1: raw} → the embedded JSON (or embedded protobuf object).
    RawExtension,
    /// `meta/v1.FieldsV1` {1: raw JSON} → the embedded JSON.
    FieldsV1,
    /// `ExtraValue` {1: repeated string} → JSON array of strings.
    ExtraValue,
}

/// How often a field occurs and how its occurrences are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Card {
    /// A single value; a repeated message occurrence is merged, a scalar's last one wins.
    One,
    /// `repeated` → JSON array (scalars may also arrive packed).
    List,
    /// `map<string, T>` → JSON object; each occurrence is an entry {1: key, 2: value}.
    Map,
    /// An embedded Go struct (`json:",inline"`): its fields appear in the parent's JSON object.
    Inline,
}

/// One field of a message.
#[derive(Debug)]
pub(crate) struct Field {
    /// Protobuf field number.
    pub tag: u32,
    /// JSON name (unused for [`Card::Inline`]).
    pub name: &'static str,
    /// Value type (the value type for maps).
    pub ty: Ty,
    /// Cardinality.
    pub card: Card,
    /// Keep the value when present, even if zero or empty: the Go field is a pointer, or a
    /// scalar without `omitempty`.
    pub keep_zero: bool,
}

/// A message type: its name (for error messages) and fields.
#[derive(Debug)]
pub(crate) struct Message {
    /// Go/proto type name, e.g. `DeploymentSpec`.
    pub name: &'static str,
    /// Fields, in the order their JSON keys should appear.
    pub fields: &'static [Field],
}

impl Message {
    /// The field with protobuf number `tag`, with its index in `fields`.
    pub fn field(&self, tag: u32) -> Option<(usize, &'static Field)> {
        self.fields.iter().enumerate().find(|(_, f)| f.tag == tag)
    }
}

/// A top-level object type that can arrive as a request body.
#[derive(Debug)]
pub(crate) struct Root {
    /// `apiVersion` as written in `TypeMeta` (`v1`, `apps/v1`).
    pub api_version: &'static str,
    /// `kind`.
    pub kind: &'static str,
    /// The message of the object.
    pub message: &'static Message,
}

/// A non-pointer field: dropped from the JSON when it holds its zero value.
pub(crate) const fn one(tag: u32, name: &'static str, ty: Ty) -> Field {
    Field {
        tag,
        name,
        ty,
        card: Card::One,
        keep_zero: false,
    }
}

/// A Go pointer field: kept whenever it is on the wire, even as `0`, `false`, `""` or `{}`.
pub(crate) const fn opt(tag: u32, name: &'static str, ty: Ty) -> Field {
    Field {
        tag,
        name,
        ty,
        card: Card::One,
        keep_zero: true,
    }
}

/// A non-pointer scalar without `omitempty` whose zero value is meaningful: always kept.
pub(crate) const fn req(tag: u32, name: &'static str, ty: Ty) -> Field {
    Field {
        tag,
        name,
        ty,
        card: Card::One,
        keep_zero: true,
    }
}

/// A repeated field; an empty list is dropped (the wire cannot tell it from a missing one).
pub(crate) const fn list(tag: u32, name: &'static str, ty: Ty) -> Field {
    Field {
        tag,
        name,
        ty,
        card: Card::List,
        keep_zero: false,
    }
}

/// A `map<string, T>` field; an empty map is dropped.
pub(crate) const fn map(tag: u32, name: &'static str, ty: Ty) -> Field {
    Field {
        tag,
        name,
        ty,
        card: Card::Map,
        keep_zero: false,
    }
}

/// An embedded struct whose fields are inlined into the parent's JSON object.
pub(crate) const fn inline(tag: u32, message: &'static Message) -> Field {
    Field {
        tag,
        name: "",
        ty: Ty::Msg(message),
        card: Card::Inline,
        keep_zero: false,
    }
}

/// A top-level kind.
pub(crate) const fn root(api_version: &'static str, kind: &'static str, message: &'static Message) -> Root {
    Root {
        api_version,
        kind,
        message,
    }
}

/// All root tables, one per API group file.
fn tables() -> [&'static [Root]; 6] {
    [
        schema_core::ROOTS,
        schema_apps::ROOTS,
        schema_autoscaling::ROOTS,
        schema_policy::ROOTS,
        schema_rbac::ROOTS,
        schema_auth::ROOTS,
    ]
}

/// The message for an (apiVersion, kind) pair, if the decoder knows it.
pub(crate) fn lookup(api_version: &str, kind: &str) -> Option<&'static Message> {
    tables()
        .into_iter()
        .flatten()
        .find(|r| r.api_version == api_version && r.kind == kind)
        .map(|r| r.message)
}

/// Every kind the decoder knows, as `(apiVersion, kind)`.
pub(crate) fn kinds() -> impl Iterator<Item = (&'static str, &'static str)> {
    tables().into_iter().flatten().map(|r| (r.api_version, r.kind))
}
