//! The text layout of `kubectl describe`: `Key:<TAB>value` lines indented by nesting level and
//! aligned as Go's tabwriter aligns them (a column's width is set by the consecutive lines that
//! have a cell in it, plus two spaces), human ages, and the generic field printer used for any
//! kind.

use serde_json::Value;

/// Lines being written, cells separated by tabs.
#[derive(Debug, Default)]
pub struct Writer {
    lines: Vec<String>,
}

impl Writer {
    /// `Key:<TAB>value` at `level` (two spaces per level).
    pub fn field(&mut self, level: usize, key: &str, value: impl AsRef<str>) {
        self.lines
            .push(format!("{}{key}:\t{}", "  ".repeat(level), value.as_ref()));
    }

    /// A heading (`Containers:`) with nothing after it.
    pub fn heading(&mut self, level: usize, key: &str) {
        self.lines.push(format!("{}{key}:", "  ".repeat(level)));
    }

    /// A raw line of tab-separated cells at `level`.
    pub fn row(&mut self, level: usize, cells: &[&str]) {
        self.lines
            .push(format!("{}{}", "  ".repeat(level), cells.join("\t")));
    }

    /// `Key:` followed by `key=value` lines aligned under the first (`<none>` when empty).
    pub fn map(&mut self, level: usize, key: &str, map: &Value, sep: &str) {
        let entries: Vec<String> = map
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}{sep}{}", scalar(v)))
            .collect();
        self.list(level, key, &entries);
    }

    /// `Key:` with one value per line aligned under the first (`<none>` when empty).
    pub fn list(&mut self, level: usize, key: &str, items: &[String]) {
        match items.split_first() {
            None => self.field(level, key, "<none>"),
            Some((first, rest)) => {
                self.field(level, key, first);
                for item in rest {
                    self.lines.push(format!("{}\t{item}", "  ".repeat(level)));
                }
            }
        }
    }

    /// The aligned text.
    pub fn finish(self) -> String {
        let cells: Vec<Vec<&str>> = self.lines.iter().map(|l| l.split('\t').collect()).collect();
        let mut widths: Vec<Vec<usize>> = cells.iter().map(|c| vec![0; c.len()]).collect();
        let max_cols = cells.iter().map(Vec::len).max().unwrap_or(0);
        for col in 0..max_cols {
            // A block: consecutive lines with a cell in `col` that is followed by a tab.
            let mut i = 0;
            while i < cells.len() {
                if cells[i].len() <= col + 1 {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < cells.len() && cells[i].len() > col + 1 {
                    i += 1;
                }
                let w = (start..i)
                    .map(|j| cells[j][col].chars().count())
                    .max()
                    .unwrap_or(0)
                    + 2;
                for row in widths.iter_mut().take(i).skip(start) {
                    row[col] = w;
                }
            }
        }
        let mut out = String::new();
        for (row, w) in cells.iter().zip(&widths) {
            let mut line = String::new();
            for (j, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if j + 1 < row.len() {
                    let pad = w[j].saturating_sub(cell.chars().count()).max(2);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A JSON scalar as text (strings unquoted).
pub fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<none>".into(),
        other => other.to_string(),
    }
}

/// A string field or `<none>`.
pub fn text(o: &Value, pointer: &str) -> String {
    o.pointer(pointer).map_or_else(|| "<none>".into(), scalar)
}

/// kubectl's human-readable duration (`45s`, `3m12s`, `5h`, `2d3h`, `400d`).
pub fn human_duration(secs: i64) -> String {
    let s = secs.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86400);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        }
    } else if h < 3 {
        format!("{m}m")
    } else if h < 8 {
        match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        }
    } else if h < 48 {
        format!("{h}h")
    } else if d < 8 {
        match h % 24 {
            0 => format!("{d}d"),
            r => format!("{d}d{r}h"),
        }
    } else if d < 365 * 2 {
        format!("{d}d")
    } else {
        format!("{}y", d / 365)
    }
}

/// Seconds since an RFC 3339 time, if it parses.
pub fn age(now: jiff::Timestamp, time: Option<&str>) -> Option<i64> {
    let t: jiff::Timestamp = time?.parse().ok()?;
    Some(now.as_second() - t.as_second())
}

/// `creationTimestamp` as kubectl prints it (`Mon, 02 Jan 2006 15:04:05 +0000`).
pub fn rfc1123(time: Option<&str>) -> String {
    time.and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string())
        .unwrap_or_else(|| "<unknown>".into())
}

/// `camelCase` → `Camel Case`, as kubectl's generic describer titles fields.
pub fn title(key: &str) -> String {
    if let Some(acronym) = ["uid", "ip", "id", "url", "api", "dns", "tls"]
        .iter()
        .find(|a| **a == key)
    {
        return acronym.to_uppercase();
    }
    let mut out = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(' ');
        }
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(*c);
        }
    }
    out
}

/// Any JSON value as kubectl's generic describer prints it: maps nest by two spaces with
/// titled keys, lists of maps print each map's fields, scalars follow their key.
pub fn generic(w: &mut Writer, level: usize, key: &str, v: &Value) {
    match v {
        Value::Object(m) if m.is_empty() => w.heading(level, key),
        Value::Object(m) => {
            w.heading(level, key);
            for (k, v) in m {
                generic(w, level + 1, &title(k), v);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            w.heading(level, key);
            for i in items {
                w.row(level + 1, &[&scalar(i)]);
            }
        }
        Value::Array(items) => {
            w.heading(level, key);
            for i in items {
                match i {
                    Value::Object(m) => {
                        for (k, v) in m {
                            generic(w, level + 1, &title(k), v);
                        }
                    }
                    other => w.row(level + 1, &[&scalar(other)]),
                }
            }
        }
        scalar_value => w.field(level, key, scalar(scalar_value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aligns_like_tabwriter() {
        let mut w = Writer::default();
        w.field(0, "Name", "web");
        w.map(0, "Labels", &json!({"app": "web", "tier": "front"}), "=");
        w.heading(0, "Containers");
        w.field(1, "Image", "nginx");
        assert_eq!(
            w.finish(),
            "Name:    web\nLabels:  app=web\n         tier=front\nContainers:\n  Image:  nginx\n"
        );
    }

    #[test]
    fn durations_and_titles() {
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(192), "3m12s");
        assert_eq!(human_duration(5 * 3600), "5h");
        assert_eq!(human_duration(2 * 86400 + 3 * 3600), "2d3h");
        assert_eq!(title("creationTimestamp"), "Creation Timestamp");
        assert_eq!(title("podCIDR"), "Pod CIDR");
        assert_eq!(title("uid"), "UID");
        assert_eq!(
            rfc1123(Some("2026-01-02T15:04:05Z")),
            "Fri, 02 Jan 2026 15:04:05 +0000"
        );
    }
}
