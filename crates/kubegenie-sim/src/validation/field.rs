//! `field.Error` of k8s.io/apimachinery as kube-apiserver renders it: users compare these texts
//! with what a real cluster prints, so the wording and value formatting follow Go exactly
//! (`%q` for strings, `%v` for numbers, `%#v` for maps and structs).

use crate::error::StatusCause;
use serde_json::{Map, Value};

/// The offending value of a field error, formatted as `field.Error.ErrorBody` formats it.
#[derive(Debug, Clone)]
pub enum Bad<'a> {
    /// A Go string, printed with `%q`.
    Str(&'a str),
    /// A Go integer, printed with `%v`.
    Int(i64),
    /// An already formatted value (`%#v` of a map or struct).
    Raw(String),
}

impl Bad<'_> {
    fn render(&self) -> String {
        match self {
            Bad::Str(s) => go_quote(s),
            Bad::Int(i) => i.to_string(),
            Bad::Raw(r) => r.clone(),
        }
    }
}

/// Quotes a string as Go's `strconv.Quote` / `%q` does.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `%#v` of a Go `map[string]string` built from a JSON object (keys sorted, as fmt sorts them).
pub fn go_string_map(m: Option<&Map<String, Value>>) -> String {
    let Some(m) = m else {
        return "map[string]string(nil)".to_string();
    };
    let mut pairs: Vec<(&String, &str)> = m
        .iter()
        .map(|(k, v)| (k, v.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
        .collect();
    format!("map[string]string{{{}}}", body.join(", "))
}

/// `%#v` of a Go `[]string`.
pub fn go_string_slice(v: &[String]) -> String {
    let body: Vec<String> = v.iter().map(|s| go_quote(s)).collect();
    format!("[]string{{{}}}", body.join(", "))
}

/// The error body after the field path: `Invalid value: "x": detail`.
pub fn error_body(type_: &str, value: Option<&Bad<'_>>, detail: &str) -> String {
    let mut s = match value {
        Some(v) => format!("{type_}: {}", v.render()),
        None => type_.to_string(),
    };
    if !detail.is_empty() {
        s.push_str(": ");
        s.push_str(detail);
    }
    s
}

/// `field.Invalid(path, value, detail).Error()`: `path: Invalid value: "x": detail`.
pub fn invalid_message(field: &str, value: &Bad<'_>, detail: &str) -> String {
    format!("{field}: {}", error_body("Invalid value", Some(value), detail))
}

/// An accumulating `field.ErrorList`, turned into `Status.details.causes`.
#[derive(Debug, Default)]
pub struct FieldErrors {
    causes: Vec<StatusCause>,
    /// A decoding failure (malformed quantity, ...) that kube-apiserver reports as 400
    /// before validation runs; it wins over field errors.
    pub decode: Option<String>,
}

impl FieldErrors {
    fn push(&mut self, reason: &str, field: &str, message: String) {
        // kube's ToAggregate drops identical messages; do the same so the text matches.
        if !self
            .causes
            .iter()
            .any(|c| c.field == field && c.message == message)
        {
            self.causes.push(StatusCause::new(reason, field, message));
        }
    }

    /// `field.Invalid`.
    pub fn invalid(&mut self, field: &str, value: Bad<'_>, detail: &str) {
        self.push(
            "FieldValueInvalid",
            field,
            error_body("Invalid value", Some(&value), detail),
        );
    }

    /// An error of another type with a value (`Too many`, ...), with its cause reason.
    pub fn invalid_typed(&mut self, reason: &str, field: &str, type_: &str, value: Bad<'_>, detail: &str) {
        self.push(reason, field, error_body(type_, Some(&value), detail));
    }

    /// `field.Required`.
    pub fn required(&mut self, field: &str, detail: &str) {
        self.push(
            "FieldValueRequired",
            field,
            error_body("Required value", None, detail),
        );
    }

    /// `field.NotSupported` with the list of supported values.
    pub fn not_supported(&mut self, field: &str, value: &str, valid: &[&str]) {
        let quoted: Vec<String> = valid.iter().map(|v| go_quote(v)).collect();
        let detail = if quoted.is_empty() {
            String::new()
        } else {
            format!("supported values: {}", quoted.join(", "))
        };
        self.push(
            "FieldValueNotSupported",
            field,
            error_body("Unsupported value", Some(&Bad::Str(value)), &detail),
        );
    }

    /// `field.Duplicate`.
    pub fn duplicate(&mut self, field: &str, value: Bad<'_>) {
        self.push(
            "FieldValueDuplicate",
            field,
            error_body("Duplicate value", Some(&value), ""),
        );
    }

    /// `field.NotFound`.
    pub fn not_found(&mut self, field: &str, value: Bad<'_>) {
        self.push(
            "FieldValueNotFound",
            field,
            error_body("Not found", Some(&value), ""),
        );
    }

    /// `field.Forbidden`.
    pub fn forbidden(&mut self, field: &str, detail: &str) {
        self.push(
            "FieldValueForbidden",
            field,
            error_body("Forbidden", None, detail),
        );
    }

    /// `field.TooLong` (1.32+ wording).
    pub fn too_long(&mut self, field: &str, max: usize) {
        let unit = if max == 1 { "byte" } else { "bytes" };
        self.push(
            "FieldValueTooLong",
            field,
            error_body("Too long", None, &format!("may not be more than {max} {unit}")),
        );
    }

    /// Records a decode failure; the first one is kept.
    pub fn decode_error(&mut self, message: String) {
        self.decode.get_or_insert(message);
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.causes.is_empty() && self.decode.is_none()
    }

    /// The causes collected so far.
    pub fn causes(&self) -> &[StatusCause] {
        &self.causes
    }

    /// Consumes the list.
    pub fn into_causes(self) -> Vec<StatusCause> {
        self.causes
    }
}
