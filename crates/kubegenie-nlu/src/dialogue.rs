//! Dialogue context: a session remembers the last understood turn, so follow-ups reuse it —
//! "and in staging?" repeats the last request elsewhere, "restart it" / "show its logs" act on
//! the last subject.

use crate::error::NluError;
use crate::intent::Intent;
use crate::slots::Slots;
use crate::{Parsed, Parser, clarify};

/// Words that refer back to the last subject.
const PRONOUNS: &[&str] = &["it", "its", "them", "their", "that", "this", "those"];
/// Openings of a follow-up that changes only where or when.
const FOLLOW_UP: &[&str] = &["and", "what", "how", "same", "now", "also", "then", "ok", "okay"];

/// Intents that cannot act without an object name, so a follow-up without one means the last.
fn needs_name(i: Intent) -> bool {
    use Intent::*;
    matches!(
        i,
        Scale | Restart | Rollback | DescribeResource | GetLogs | DeleteResource | SetResources | CreateHpa
    )
}

/// One conversation.
#[derive(Debug)]
pub struct Session<'p> {
    parser: &'p Parser,
    last: Option<Parsed>,
}

impl<'p> Session<'p> {
    /// A new conversation.
    pub fn new(parser: &'p Parser) -> Self {
        Self { parser, last: None }
    }

    /// The last understood turn.
    pub fn last(&self) -> Option<&Parsed> {
        self.last.as_ref()
    }

    /// Forgets the context.
    pub fn reset(&mut self) {
        self.last = None;
    }

    /// Parses one turn in the context of the previous ones.
    pub fn parse(&mut self, text: &str) -> Result<Parsed, NluError> {
        self.parse_excluding(text, None)
    }

    pub(crate) fn parse_excluding(&mut self, text: &str, exclude: Option<&str>) -> Result<Parsed, NluError> {
        let (p, _) = self.parser.parse_explained(text, exclude)?;
        let merged = match &self.last {
            Some(last) => follow_up(text, p, last),
            None => p,
        };
        if merged.intent != Intent::Unknown {
            self.last = Some(merged.clone());
        }
        Ok(merged)
    }
}

fn scope_only(s: &Slots) -> bool {
    let scope = Slots {
        clusters: s.clusters.clone(),
        namespace: s.namespace.clone(),
        all_namespaces: s.all_namespaces,
        window: s.window,
        ..Default::default()
    };
    *s == scope && *s != Slots::default()
}

fn follow_up(text: &str, p: Parsed, last: &Parsed) -> Parsed {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first().copied().unwrap_or("");
    // "and in staging?", "what about payments", "same in all namespaces": the last request,
    // elsewhere or at another time.
    if scope_only(&p.slots) && (p.intent == Intent::Unknown || FOLLOW_UP.contains(&first)) {
        let mut m = last.clone();
        let s = &p.slots;
        if s.clusters.is_some() {
            m.slots.clusters = s.clusters.clone();
        }
        if s.namespace.is_some() {
            (m.slots.namespace, m.slots.all_namespaces) = (s.namespace.clone(), false);
        }
        if s.all_namespaces {
            (m.slots.namespace, m.slots.all_namespaces) = (None, true);
        }
        if s.window.is_some() {
            m.slots.window = s.window;
        }
        m.clarify = clarify::missing(m.intent, &m.slots);
        return m;
    }
    // "restart it", "show its logs", "scale it to 3": a new action on the last subject.
    let refers = words.iter().any(|w| PRONOUNS.contains(w));
    if p.intent == Intent::Unknown || !(refers || (needs_name(p.intent) && p.slots.name.is_none())) {
        return p;
    }
    let Some(name) = last.slots.name.clone() else {
        return p;
    };
    let mut m = p;
    let s = &mut m.slots;
    if s.name.is_none() {
        s.name = Some(name);
        if s.kind.is_none() {
            s.kind = last.slots.kind.clone();
        }
    }
    if s.namespace.is_none() && !s.all_namespaces {
        s.namespace = last.slots.namespace.clone();
    }
    if s.clusters.is_none() {
        s.clusters = last.slots.clusters.clone();
    }
    m.clarify = clarify::missing(m.intent, &m.slots);
    m
}
