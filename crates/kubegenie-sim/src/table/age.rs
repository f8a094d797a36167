//! Ages as kube-apiserver prints them: `translateTimestampSince` over apimachinery's
//! `duration.HumanDuration` (`5s`, `3m20s`, `4h`, `2d3h`, `<unknown>`, `<invalid>`).

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

/// `HumanDuration` of apimachinery: two significant units at most, coarser as it grows.
pub fn human_duration(d: SignedDuration) -> String {
    // Up to two seconds in the future is tolerated as clock skew between machines.
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// Parses an RFC 3339 timestamp (`metav1.Time` or `metav1.MicroTime`); `None` when absent,
/// empty or malformed, which kube-apiserver treats as the zero time.
pub fn parse_time(v: &Value) -> Option<Timestamp> {
    v.as_str()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<Timestamp>().ok())
}

/// `translateTimestampSince`: the age of `ts` at `now`, `<unknown>` for a zero time.
pub fn since(ts: Option<Timestamp>, now: Timestamp) -> String {
    match ts {
        Some(t) => human_duration(now.duration_since(t)),
        None => "<unknown>".to_string(),
    }
}

/// The age of the RFC 3339 timestamp in `v` at `now`.
pub fn since_value(v: &Value, now: Timestamp) -> String {
    since(parse_time(v), now)
}

/// The `metadata.creationTimestamp` of `obj` as an age string.
pub fn age(obj: &Value, now: Timestamp) -> String {
    since_value(&obj["metadata"]["creationTimestamp"], now)
}

/// `creationTimestamp` formatted as kube-apiserver's default "Created At" cell: RFC 3339 in
/// UTC to the second, the zero time when absent.
pub fn created_at(obj: &Value) -> String {
    match parse_time(&obj["metadata"]["creationTimestamp"]) {
        Some(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => "0001-01-01T00:00:00Z".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn human_durations() {
        let cases: &[(i64, &str)] = &[
            (-5, "<invalid>"),
            (-2, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (5, "5s"),
            (119, "119s"),
            (120, "2m"),
            (200, "3m20s"),
            (599, "9m59s"),
            (600, "10m"),
            (3 * 3600 - 1, "179m"),
            (3 * 3600, "3h"),
            (4 * 3600 + 30 * 60, "4h30m"),
            (8 * 3600, "8h"),
            (47 * 3600 + 59 * 60, "47h"),
            (2 * 86400, "2d"),
            (2 * 86400 + 3 * 3600, "2d3h"),
            (8 * 86400, "8d"),
            (400 * 86400, "400d"),
            (2 * 365 * 86400, "2y"),
            (2 * 365 * 86400 + 10 * 86400, "2y10d"),
            (9 * 365 * 86400, "9y"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(SignedDuration::from_secs(*secs)), *want, "{secs}s");
        }
    }

    #[test]
    fn ages_of_objects() {
        let now: Timestamp = "2025-06-01T12:00:00Z".parse().expect("now");
        let obj = json!({"metadata": {"creationTimestamp": "2025-06-01T11:56:40Z"}});
        assert_eq!(age(&obj, now), "3m20s");
        assert_eq!(age(&json!({"metadata": {}}), now), "<unknown>");
        assert_eq!(
            age(&json!({"metadata": {"creationTimestamp": "not a time"}}), now),
            "<unknown>"
        );
        assert_eq!(since_value(&json!("2025-06-01T11:59:59.123456Z"), now), "0s");
        assert_eq!(created_at(&obj), "2025-06-01T11:56:40Z");
        assert_eq!(created_at(&json!({})), "0001-01-01T00:00:00Z");
    }
}
