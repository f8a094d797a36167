//! `resource.Quantity` parsing (`100m`, `1.5Gi`, `2e3`), enough to compare requests with limits
//! and to reject what kube-apiserver cannot decode.

use serde_json::Value;

/// The message kube-apiserver returns when a quantity cannot be decoded.
pub const QUANTITY_FORMAT_ERROR: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// Parses a Kubernetes quantity string to its numeric value (`"100m"` → 0.1, `"1Gi"` →
/// 1073741824). `None` when kube would reject the string.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, s.get(1..)?),
        b'+' => (false, s.get(1..)?),
        _ => (false, s),
    };
    let split = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(split);
    if number.matches('.').count() > 1 || !number.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let base: f64 = number.parse().ok()?;
    let mult = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => {
            // Decimal exponent: e/E followed by an optionally signed integer.
            let exp = suffix.strip_prefix(['e', 'E'])?;
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            10f64.powi(exp.parse::<i32>().ok()?)
        }
    };
    let v = base * mult;
    v.is_finite().then_some(if negative { -v } else { v })
}

/// A quantity given in JSON: kube accepts strings and bare numbers.
pub fn quantity_value(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => parse_quantity(s),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

/// The quantity as kube would echo it in a message (the given form; numbers as written).
pub fn quantity_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kube_quantities() {
        let cases: &[(&str, Option<f64>)] = &[
            ("100m", Some(0.1)),
            ("1", Some(1.0)),
            ("1.5Gi", Some(1.5 * 1024.0 * 1024.0 * 1024.0)),
            ("2e3", Some(2000.0)),
            ("2E3", Some(2000.0)),
            ("1E", Some(1e18)),
            ("128Mi", Some(134_217_728.0)),
            ("500k", Some(500_000.0)),
            ("-1", Some(-1.0)),
            ("+.5", Some(0.5)),
            ("1e-3", Some(0.001)),
            ("", None),
            ("abc", None),
            ("1K", None),
            ("1.2.3", None),
            ("1Gib", None),
            (".", None),
            ("1e", None),
            ("-", None),
            ("1 Gi", None),
        ];
        for (s, want) in cases {
            let got = parse_quantity(s);
            match (got, want) {
                (Some(g), Some(w)) => assert!((g - w).abs() <= w.abs() * 1e-12, "{s}: {g} != {w}"),
                _ => assert_eq!(got, *want, "{s}"),
            }
        }
    }
}
