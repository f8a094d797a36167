//! Kubernetes types whose protobuf form differs from their JSON form: timestamps, durations,
//! int-or-string, quantities and embedded raw objects.

use serde_json::{Number, Value};

use super::decode::{expect_len, expect_varint, string};
use super::wire::{Reader, WireError, WireResult};

/// `Time` / `MicroTime` {1: seconds, 2: nanos}. A zero time is Go's `time.Time{}`, which
/// `metav1.Time` renders as `null`; it is returned as `Null` so that the field is dropped.
pub(crate) fn time(b: &[u8], micro: bool) -> WireResult<Value> {
    let (mut seconds, mut nanos) = (0i64, 0i64);
    let mut r = Reader::new(b);
    while let Some((tag, v)) = r.next_field()? {
        match tag {
            1 => seconds = expect_varint(v).map_err(|e| e.within("seconds"))? as i64,
            2 => nanos = i64::from(expect_varint(v).map_err(|e| e.within("nanos"))? as i32),
            _ => {}
        }
    }
    if seconds == 0 && nanos == 0 {
        return Ok(Value::Null);
    }
    let nanos = i32::try_from(nanos)
        .ok()
        .filter(|n| (0..1_000_000_000).contains(n))
        .ok_or_else(|| WireError::new(format!("nanos {nanos} out of range")))?;
    let ts = jiff::Timestamp::new(seconds, nanos)
        .map_err(|_| WireError::new(format!("timestamp {seconds}s out of range")))?;
    // Go refuses to marshal years outside [0, 9999] as RFC 3339, so they are invalid here too.
    let year = ts.to_zoned(jiff::tz::TimeZone::UTC).year();
    if year < 0 {
        return Err(WireError::new(format!("timestamp {seconds}s out of range")));
    }
    let base = ts.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    // metav1.Time marshals with second precision, MicroTime with exactly six fraction digits.
    Ok(Value::String(if micro {
        format!("{base}.{:06}Z", nanos / 1000)
    } else {
        format!("{base}Z")
    }))
}

/// `Duration` {1: nanoseconds} → Go's `time.Duration.String()`.
pub(crate) fn duration(b: &[u8]) -> WireResult<Value> {
    let mut ns = 0i64;
    let mut r = Reader::new(b);
    while let Some((tag, v)) = r.next_field()? {
        if tag == 1 {
            ns = expect_varint(v).map_err(|e| e.within("duration"))? as i64;
        }
    }
    Ok(Value::String(go_duration(ns)))
}

/// Formats nanoseconds as Go does: `0s`, `1.5µs`, `300ms`, `1m30s`, `1h0m0s`.
pub(crate) fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    let sign = if ns < 0 { "-" } else { "" };
    let u = ns.unsigned_abs();
    if u < 1_000_000_000 {
        // Below a second Go picks the largest unit that keeps a non-zero integer part.
        let (div, unit) = match u {
            0..=999 => (1, "ns"),
            1_000..=999_999 => (1_000, "µs"),
            _ => (1_000_000, "ms"),
        };
        return format!("{sign}{}{unit}", fraction(u, div));
    }
    let secs = u / 1_000_000_000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let s = fraction(s * 1_000_000_000 + u % 1_000_000_000, 1_000_000_000);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

/// `value / div` with the fraction printed without trailing zeros.
fn fraction(value: u64, div: u64) -> String {
    let (int, frac) = (value / div, value % div);
    if frac == 0 {
        return int.to_string();
    }
    let width = div.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{int}.{}", digits.trim_end_matches('0'))
}

/// `IntOrString` {1: type (0 int, 1 string), 2: intVal, 3: strVal}.
pub(crate) fn int_or_string(b: &[u8]) -> WireResult<Value> {
    let (mut kind, mut int_val, mut str_val) = (0u64, 0i32, String::new());
    let mut r = Reader::new(b);
    while let Some((tag, v)) = r.next_field()? {
        match tag {
            1 => kind = expect_varint(v).map_err(|e| e.within("type"))?,
            2 => int_val = expect_varint(v).map_err(|e| e.within("intVal"))? as i32,
            3 => str_val = string(expect_len(v).map_err(|e| e.within("strVal"))?),
            _ => {}
        }
    }
    Ok(if kind == 1 {
        Value::String(str_val)
    } else {
        Value::Number(Number::from(int_val))
    })
}

/// `Quantity` {1: string}. An absent string is the zero quantity, which Go prints as `0`.
pub(crate) fn quantity(b: &[u8]) -> WireResult<Value> {
    let mut s = String::new();
    let mut r = Reader::new(b);
    while let Some((tag, v)) = r.next_field()? {
        if tag == 1 {
            s = string(expect_len(v).map_err(|e| e.within("string"))?);
        }
    }
    Ok(Value::String(if s.is_empty() { "0".to_string() } else { s }))
}

/// `RawExtension` / `FieldsV1` {1: raw}: the raw bytes are JSON (or, for a RawExtension, may be
/// a nested protobuf-encoded object). Empty means unset.
pub(crate) fn raw_json(b: &[u8], depth: usize) -> WireResult<Value> {
    let mut raw: &[u8] = &[];
    let mut r = Reader::new(b);
    while let Some((tag, v)) = r.next_field()? {
        if tag == 1 {
            raw = expect_len(v).map_err(|e| e.within("raw"))?;
        }
    }
    if raw.is_empty() {
        return Ok(Value::Null);
    }
    if raw.starts_with(super::MAGIC) {
        return super::decode_at(raw, depth + 1).map_err(|e| e.within("raw"));
    }
    serde_json::from_slice(raw).map_err(|e| WireError::new(format!("embedded raw object is not JSON: {e}")))
}

/// `ExtraValue` {1: repeated string} → array of strings.
pub(crate) fn extra_value(b: &[u8]) -> WireResult<Value> {
    let mut items = Vec::new();
    let mut r = Reader::new(b);
    while let Some((tag, v)) = r.next_field()? {
        if tag == 1 {
            items.push(Value::String(string(
                expect_len(v).map_err(|e| e.within("items"))?,
            )));
        }
    }
    Ok(Value::Array(items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_duration_matches_go_formatting() {
        for (ns, want) in [
            (0, "0s"),
            (1, "1ns"),
            (1_500, "1.5µs"),
            (300_000_000, "300ms"),
            (1_000_000_000, "1s"),
            (1_500_000_000, "1.5s"),
            (90_000_000_000, "1m30s"),
            (3_600_000_000_000, "1h0m0s"),
            (-2_000_000_000, "-2s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ] {
            assert_eq!(go_duration(ns), want, "{ns}");
        }
    }

    #[test]
    fn times_render_as_rfc3339() {
        // 2026-11-23T12:00:00Z = 1795435200.
        let b = [0x08, 0xc0, 0xd5, 0x90, 0xd8, 0x06];
        assert_eq!(time(&b, false), Ok(json!("2026-11-23T12:00:00Z")));
        let with_nanos = [&b[..], &[0x10, 0xc0, 0x84, 0x3d]].concat(); // + 1_000_000 ns
        assert_eq!(time(&with_nanos, true), Ok(json!("2026-11-23T12:00:00.001000Z")));
        assert_eq!(time(&with_nanos, false), Ok(json!("2026-11-23T12:00:00Z")));
        assert_eq!(time(&[], false), Ok(Value::Null));
        // Far outside any representable date, and negative nanos.
        assert!(
            time(
                &[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
                false
            )
            .is_err()
        );
        assert!(time(&[0x08, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f], false).is_err());
    }

    #[test]
    fn int_or_string_and_quantity() {
        assert_eq!(
            int_or_string(&[0x08, 0x00, 0x10, 0x50, 0x1a, 0x00]),
            Ok(json!(80))
        );
        assert_eq!(
            int_or_string(&[0x08, 0x01, 0x10, 0x00, 0x1a, 0x02, b'5', b'%']),
            Ok(json!("5%"))
        );
        assert_eq!(quantity(&[0x0a, 0x03, b'1', b'G', b'i']), Ok(json!("1Gi")));
        assert_eq!(quantity(&[]), Ok(json!("0")));
    }

    #[test]
    fn raw_json_parses_or_rejects() {
        assert_eq!(raw_json(&[0x0a, 0x02, b'{', b'}'], 0), Ok(json!({})));
        assert_eq!(raw_json(&[], 0), Ok(Value::Null));
        assert!(raw_json(&[0x0a, 0x01, b'{'], 0).is_err());
    }
}
