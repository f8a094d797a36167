//! Server-side printing: `meta.k8s.io` Table output with kube-apiserver's columns per kind and
//! CRD `additionalPrinterColumns`.
//!
//! kubectl asks for `application/json;as=Table;v=v1;g=meta.k8s.io` and prints the cells
//! verbatim, so every header, cell type and cell text follows kube-apiserver's printers
//! (`pkg/printers/internalversion`), the default convertor (Name, Created At) for kinds without
//! a printer, and apiextensions-apiserver's convertor for custom resources. Like the
//! apiserver, all columns including `-o wide` ones (priority 1) are always generated; kubectl
//! hides the wide ones itself.

mod age;
mod columns_apps;
mod columns_cluster;
mod columns_config;
mod columns_core;
mod columns_net;
mod format;
mod jsonpath;
mod summary;

pub use age::human_duration;
pub use jsonpath::{JsonPath, JsonPathError};
pub(crate) use summary::SummaryFn;

use crate::catalog::{Conversion, PrinterColumn, ResourceType};
use jiff::Timestamp;
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

/// `ObjectMeta.name` description, as in kube-apiserver's column definitions.
const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/// `ObjectMeta.creationTimestamp` description.
const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// A column definition of a built-in printer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    name: &'static str,
    type_: &'static str,
    format: &'static str,
    description: &'static str,
    priority: i64,
}

/// A column of type `type_`.
pub(crate) const fn col(name: &'static str, type_: &'static str, description: &'static str) -> Col {
    Col {
        name,
        type_,
        format: "",
        description,
        priority: 0,
    }
}

/// The `Name` column every printer starts with.
pub(crate) const NAME: Col = Col {
    name: "Name",
    type_: "string",
    format: "name",
    description: NAME_DESC,
    priority: 0,
};

/// The `Age` column of the printers (a string cell such as `5m`).
pub(crate) const AGE: Col = col("Age", "string", AGE_DESC);

impl Col {
    /// The same column, shown only with `-o wide`.
    pub(crate) const fn wide(mut self) -> Self {
        self.priority = 1;
        self
    }

    /// The same column with format `name`.
    pub(crate) const fn name_format(mut self) -> Self {
        self.format = "name";
        self
    }

    fn to_json(self) -> Value {
        json!({"name": self.name, "type": self.type_, "format": self.format,
            "description": self.description, "priority": self.priority})
    }
}

/// One printed row: cells and optional row conditions (pods mark completed ones).
#[derive(Debug, Default)]
pub(crate) struct Row {
    pub(crate) cells: Vec<Value>,
    pub(crate) conditions: Option<Value>,
}

impl Row {
    /// A row of `cells`.
    pub(crate) fn new(cells: Vec<Value>) -> Self {
        Self {
            cells,
            conditions: None,
        }
    }
}

/// Prints one object at `now`.
pub(crate) type PrintFn = fn(&Value, Timestamp) -> Row;

/// A built-in printer: its columns and row function.
pub(crate) type Printer = (&'static [Col], PrintFn);

/// kube-apiserver's default convertor, used for kinds without a printer (roles, limit ranges,
/// CRDs themselves...).
const DEFAULT_COLUMNS: &[Col] = &[NAME, col("Created At", "date", AGE_DESC)];

fn print_default(obj: &Value, _now: Timestamp) -> Row {
    Row::new(vec![obj["metadata"]["name"].clone(), json!(age::created_at(obj))])
}

/// The built-in printer of `rt`, if kube-apiserver has one.
fn builtin_printer(rt: &ResourceType) -> Option<Printer> {
    if rt.crd.is_some() {
        return None;
    }
    if rt.conversion == Conversion::EventsV1 {
        return columns_core::printer("", "events");
    }
    let (g, p) = (rt.group.as_str(), rt.plural.as_str());
    columns_core::printer(g, p)
        .or_else(|| columns_config::printer(g, p))
        .or_else(|| columns_apps::printer(g, p))
        .or_else(|| columns_net::printer(g, p))
        .or_else(|| columns_cluster::printer(g, p))
}

/// apiextensions-apiserver's columns when a CRD version declares none.
fn default_crd_columns() -> Vec<PrinterColumn> {
    vec![PrinterColumn {
        name: "Age".into(),
        type_: "date".into(),
        format: String::new(),
        description: AGE_DESC.into(),
        priority: 0,
        json_path: ".metadata.creationTimestamp".into(),
    }]
}

/// The two-step printer of `rt` when its rows are worth caching per object version (pods):
/// the same rows as [`to_table`] prints, by [`summary::Summary::render`].
pub(crate) fn summarizer(rt: &ResourceType) -> Option<SummaryFn> {
    if rt.crd.is_some() || rt.conversion != Conversion::None {
        return None;
    }
    columns_core::summarizer(&rt.group, &rt.plural)
}

/// The column definitions of `rt`'s built-in printer (the default convertor's for kinds
/// without one); custom resources get theirs from [`columns_and_rows`].
pub(crate) fn builtin_columns(rt: &ResourceType) -> Vec<Value> {
    let (cols, _) = builtin_printer(rt).unwrap_or((DEFAULT_COLUMNS, print_default));
    cols.iter().map(|c| c.to_json()).collect()
}

/// The column definitions of a Table of `objects` and one row per object, at `now`.
pub(crate) fn columns_and_rows(
    rt: &ResourceType,
    objects: &[&Value],
    now: Timestamp,
) -> (Vec<Value>, Vec<Row>) {
    if rt.crd.is_some() {
        return custom_rows(rt, objects, now);
    }
    let (cols, print) = builtin_printer(rt).unwrap_or((DEFAULT_COLUMNS, print_default));
    let rows = objects
        .iter()
        .map(|o| {
            // events.k8s.io/v1 Events print as the core Events they are stored as, and
            // v1 HPAs print from the v2 form the printer reads (metrics, currentMetrics).
            let viewed = match rt.conversion {
                Conversion::EventsV1 => o["apiVersion"] != "v1",
                Conversion::HpaV1 => o["apiVersion"] == "autoscaling/v1",
                Conversion::None => false,
            };
            if viewed {
                print(&crate::convert::to_stored(rt, (*o).clone()), now)
            } else {
                print(o, now)
            }
        })
        .collect();
    (cols.iter().map(|c| c.to_json()).collect(), rows)
}

/// A Table of `objects`. `table_api_version` is `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`;
/// `list_meta` is the list metadata (resourceVersion, continue). `now` is used for AGE cells.
pub fn to_table(
    rt: &ResourceType,
    objects: &[&Value],
    include: IncludeObject,
    list_meta: Value,
    table_api_version: &str,
    now: Timestamp,
) -> Value {
    let (columns, rows) = columns_and_rows(rt, objects, now);
    let rows: Vec<Value> = rows
        .into_iter()
        .zip(objects)
        .map(|(row, obj)| {
            let mut r = json!({"cells": row.cells});
            if let Some(c) = row.conditions {
                r["conditions"] = c;
            }
            r["object"] = match include {
                IncludeObject::None => Value::Null,
                IncludeObject::Object => (*obj).clone(),
                IncludeObject::Metadata => partial_metadata(obj),
            };
            r
        })
        .collect();
    json!({"kind": "Table", "apiVersion": table_api_version, "metadata": list_meta,
        "columnDefinitions": columns, "rows": rows})
}

/// The `PartialObjectMetadata` of an object, as Table rows carry by default.
pub fn partial_metadata(obj: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]})
}

/// Columns and rows of custom resources from the CRD's printer columns.
fn custom_rows(rt: &ResourceType, objects: &[&Value], now: Timestamp) -> (Vec<Value>, Vec<Row>) {
    let declared = if rt.printer_columns.is_empty() {
        default_crd_columns()
    } else {
        rt.printer_columns.clone()
    };
    let mut columns = vec![NAME.to_json()];
    let mut paths = Vec::new();
    for c in &declared {
        columns.push(json!({"name": c.name, "type": c.type_, "format": c.format,
            "description": c.description, "priority": c.priority}));
        // An unparsable path yields empty cells, as the apiserver rejects it at CRD creation.
        paths.push(JsonPath::parse(&c.json_path).ok());
    }
    let rows = objects
        .iter()
        .map(|o| {
            let mut cells = vec![o["metadata"]["name"].clone()];
            for (c, p) in declared.iter().zip(&paths) {
                let value = p.as_ref().and_then(|p| p.first(o));
                cells.push(custom_cell(&c.type_, value, now));
            }
            Row::new(cells)
        })
        .collect();
    (columns, rows)
}

/// apiextensions-apiserver's `cellForJSONValue`; strings print the JSONPath result as text.
fn custom_cell(type_: &str, value: Option<&Value>, now: Timestamp) -> Value {
    let Some(v) = value.filter(|v| !v.is_null()) else {
        return Value::Null;
    };
    match type_ {
        "string" => json!(jsonpath::text(v)),
        "integer" => v
            .as_i64()
            .or_else(|| v.as_f64().map(|f| f as i64))
            .map_or(Value::Null, |i| json!(i)),
        "number" => v.as_f64().map_or(Value::Null, |f| json!(f)),
        "boolean" => v.as_bool().map_or(Value::Null, |b| json!(b)),
        "date" => match v.as_str() {
            // The zero time (an empty string) has no age.
            Some("") => json!("<unknown>"),
            Some(s) => match s.parse::<Timestamp>() {
                Ok(t) => json!(age::since(Some(t), now)),
                Err(_) => json!("<invalid>"),
            },
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests;
