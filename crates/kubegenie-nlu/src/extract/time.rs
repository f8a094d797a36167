//! Time windows ("last week", "since 2h", "in the past 30 minutes", "yesterday") and log tail
//! lengths ("last 50 lines", "tail 20").

use super::Fill;
use crate::lexicon::time_unit;
use crate::slots::{Window, parse_window};

/// Words that introduce a window.
const LEAD: &[&str] = &["since", "last", "past", "over", "for", "within", "previous", "in"];

/// `last N lines`, `N lines`, `tail N`.
pub(super) fn tail(f: &mut Fill<'_>) {
    let n = f.u.toks.len();
    for i in 0..n {
        let Some(num) = f.free(i).and_then(|t| t.number) else {
            continue;
        };
        let next = f.u.word(i + 1).to_string();
        let prev = if i > 0 {
            f.u.word(i - 1).to_string()
        } else {
            String::new()
        };
        if matches!(next.as_str(), "lines" | "line") {
            f.s.tail.get_or_insert(num);
            f.take(i);
            f.take(i + 1);
            if matches!(prev.as_str(), "last" | "first") {
                f.take(i - 1);
            }
        } else if prev == "tail" {
            f.s.tail.get_or_insert(num);
            f.take(i);
        }
    }
}

/// Every window phrase; the first one wins.
pub(super) fn window(f: &mut Fill<'_>) {
    let n = f.u.toks.len();
    for i in 0..n {
        if f.free(i).is_none() {
            continue;
        }
        let w = f.u.word(i).to_string();
        let next = f.u.word(i + 1).to_string();
        let (secs, span) = match w.as_str() {
            "yesterday" => (Some(86_400), 1),
            "this" | "last" | "past" if matches!(next.as_str(), "week" | "month" | "day" | "hour") => {
                (time_unit(&next), 2)
            }
            _ if LEAD.contains(&w.as_str()) => lead_window(f, i),
            _ => (None, 0),
        };
        if let Some(secs) = secs.filter(|s| *s > 0) {
            if f.s.window.is_none() {
                f.s.window = Some(Window(secs));
            }
            for j in i..i + span {
                f.take(j);
            }
        }
    }
}

/// After a lead word: `2h`, `N unit`, `the last N unit`, `last hour`.
fn lead_window(f: &Fill<'_>, i: usize) -> (Option<u64>, usize) {
    let mut j = i + 1;
    // "in the last 2 hours", "over the past day"
    while matches!(f.u.word(j), "the" | "last" | "past") && j < i + 3 {
        j += 1;
    }
    let Some(t) = f.free(j) else { return (None, 0) };
    if let Some(w) = parse_window(&t.word) {
        return (Some(w.0), j + 1 - i);
    }
    if let Some(n) = t.number {
        let unit = f.u.word(j + 1);
        return match time_unit(unit) {
            Some(u) if unit.len() > 1 => (Some(u64::from(n) * u), j + 2 - i),
            _ => (None, 0),
        };
    }
    let lead_is_last = j > i + 1 || matches!(f.u.word(i), "last" | "past");
    match time_unit(&t.word) {
        Some(u) if lead_is_last && t.word.len() > 1 => (Some(u), j + 1 - i),
        _ => (None, 0),
    }
}
