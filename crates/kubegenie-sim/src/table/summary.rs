//! Rows printed in two steps: what an object version says (computed once per version and
//! cached next to it) and what depends on the time of the request (ages, rendered per request).
//!
//! A Table of 10,000 pods spent most of its time walking 10,000 object trees (dozens of map
//! lookups per pod, each a cache miss); objects rarely change between two `kubectl get`s, so
//! the walk is done once per stored version.

use super::Row;
use super::age::since;
use jiff::Timestamp;
use serde_json::{Value, json};

/// One cell of a row, before the time of the request is known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// A cell that does not depend on time.
    Value(Value),
    /// The age of a timestamp (`<unknown>` when absent).
    Age(Option<Timestamp>),
    /// A count, followed by the age of the last occurrence when there was one and the count is
    /// not zero (pods' RESTARTS: `3 (5m ago)`).
    CountAgo(i64, Option<Timestamp>),
}

/// A row with its time-dependent cells left open.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    pub(crate) cells: Vec<Cell>,
    pub(crate) conditions: Option<Value>,
}

/// Computes the [`Summary`] of an object.
pub(crate) type SummaryFn = fn(&Value) -> Summary;

impl Summary {
    /// The row at `now`.
    pub(crate) fn render(&self, now: Timestamp) -> Row {
        let cells = self
            .cells
            .iter()
            .map(|c| match c {
                Cell::Value(v) => v.clone(),
                Cell::Age(t) => json!(since(*t, now)),
                Cell::CountAgo(n, Some(t)) if *n != 0 => json!(format!("{n} ({} ago)", since(Some(*t), now))),
                Cell::CountAgo(n, _) => json!(n.to_string()),
            })
            .collect();
        Row {
            cells,
            conditions: self.conditions.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_dependent_cells_render_at_the_request_time() {
        let t: Timestamp = "2026-01-15T09:30:00Z".parse().unwrap();
        let summary = Summary {
            cells: vec![
                Cell::Value(json!("web")),
                Cell::CountAgo(3, Some(t)),
                Cell::CountAgo(0, Some(t)),
                Cell::CountAgo(2, None),
                Cell::Age(Some(t)),
                Cell::Age(None),
            ],
            conditions: None,
        };
        let at = |s: &str| summary.render(s.parse().unwrap()).cells;
        assert_eq!(
            at("2026-01-15T09:35:00Z"),
            [
                json!("web"),
                json!("3 (5m ago)"),
                json!("0"),
                json!("2"),
                json!("5m"),
                json!("<unknown>")
            ]
        );
        assert_eq!(at("2026-01-15T12:30:00Z")[4], json!("3h"));
    }
}
