//! Intent classification: a weighted feature model. Each rule of `rules.txt` adds its weight
//! to one intent when its word pattern occurs; kubectl syntax decides outright; similarity to
//! the labelled training utterances (character trigrams) adds evidence for phrasings no rule
//! covers and tolerates typos. The result lists every rule that fired, so a classification
//! can be explained.

use crate::analyze::Utterance;
use crate::error::NluError;
use crate::fuzzy::{dice, trigrams};
use crate::intent::Intent;
use crate::text::stem;
use std::collections::BTreeSet;

/// Below this score nothing is understood.
const MIN_SCORE: f32 = 2.5;
/// Weight of the nearest labelled example's similarity.
const EXAMPLE_WEIGHT: f32 = 4.0;
/// Similarity below which a labelled example says nothing.
const EXAMPLE_FLOOR: f32 = 0.45;
/// Words allowed between two consecutive elements of a pattern.
const MAX_GAP: usize = 3;

#[derive(Debug, Clone, PartialEq)]
enum Element {
    Words(Vec<String>),
    Kind,
    Node,
    Number,
    Cluster,
    Object,
    Namespace,
}

/// One feature: a pattern and what it adds to an intent.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    intent: Intent,
    weight: f32,
    anchored: bool,
    /// The last element must match the last word.
    ends: bool,
    /// Elements may occur anywhere, in any order.
    bag: bool,
    elements: Vec<Element>,
    source: String,
}

/// A labelled utterance used for similarity.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub text: String,
    pub intent: Intent,
    grams: Vec<u32>,
}

impl Example {
    pub(crate) fn new(text: &str, intent: Intent) -> Self {
        Self {
            text: text.to_string(),
            intent,
            grams: trigrams(&normalize(text)),
        }
    }
}

/// The outcome of classification.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// Chosen intent.
    pub intent: Intent,
    /// 0.0 to 1.0.
    pub confidence: f32,
    /// Score per intent, best first (only intents with a positive score).
    pub scores: Vec<(Intent, f32)>,
    /// The features that fired, as `intent +weight: pattern`.
    pub evidence: Vec<String>,
}

/// Parses `rules.txt`.
pub(crate) fn parse_rules(src: &str) -> Result<Vec<Rule>, NluError> {
    let mut rules = Vec::new();
    for (n, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| NluError::BadRule {
            line: n + 1,
            reason: why.to_string(),
        };
        let (head, pattern) = line.split_once(':').ok_or_else(|| bad("missing ':'"))?;
        let (name, weight) = head
            .trim()
            .split_once(' ')
            .ok_or_else(|| bad("expected `intent weight`"))?;
        let intent = Intent::from_name(name).ok_or_else(|| bad("unknown intent"))?;
        let weight: f32 = weight.trim().parse().map_err(|_| bad("weight is not a number"))?;
        let mut pattern = pattern.trim();
        let bag = pattern.starts_with('+');
        pattern = pattern.trim_start_matches('+').trim_start();
        let anchored = pattern.starts_with('^');
        pattern = pattern.trim_start_matches('^');
        let ends = pattern.ends_with('$') && !pattern.ends_with(" $");
        pattern = pattern.strip_suffix('$').filter(|_| ends).unwrap_or(pattern);
        let elements: Vec<Element> = pattern
            .split_whitespace()
            .map(|w| match w {
                "$kind" => Element::Kind,
                "$node" => Element::Node,
                "$num" => Element::Number,
                "$cluster" => Element::Cluster,
                "$object" => Element::Object,
                "$ns" => Element::Namespace,
                alts => Element::Words(
                    alts.split('/')
                        .map(|a| {
                            a.strip_prefix('=')
                                .map_or_else(|| stem(a), |exact| format!("={exact}"))
                        })
                        .collect(),
                ),
            })
            .collect();
        if elements.is_empty() {
            return Err(bad("empty pattern"));
        }
        rules.push(Rule {
            intent,
            weight,
            anchored,
            ends,
            bag,
            elements,
            source: pattern.trim().to_string(),
        });
    }
    Ok(rules)
}

/// Plain words of the rules, for the typo corrector.
pub(crate) fn rule_words(src: &str) -> BTreeSet<String> {
    src.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(':').map(|(_, p)| p))
        .flat_map(|p| p.split_whitespace())
        .flat_map(|e| e.split('/'))
        .map(|w| w.trim_start_matches(['^', '+', '=']).trim_end_matches('$'))
        .filter(|w| !w.starts_with('$') && w.len() > 1)
        .map(String::from)
        .collect()
}

fn element_matches(e: &Element, u: &Utterance, i: usize) -> bool {
    let t = &u.toks[i];
    match e {
        Element::Words(alts) => alts.iter().any(|a| match a.strip_prefix('=') {
            Some(exact) => exact == t.word,
            None => *a == t.stem || *a == t.word,
        }),
        Element::Kind => t.kind.as_deref().is_some_and(|k| k != "nodes"),
        Element::Node => t.kind.as_deref() == Some("nodes") || t.stem == "node" || t.stem == "nod",
        Element::Number => t.number.is_some(),
        Element::Cluster => t.clusters.is_some(),
        Element::Object => t.object,
        Element::Namespace => t.namespace,
    }
}

fn rule_matches(rule: &Rule, u: &Utterance) -> bool {
    let n = u.toks.len();
    if rule.bag {
        return rule
            .elements
            .iter()
            .all(|e| (0..n).any(|i| element_matches(e, u, i)));
    }
    let starts = if rule.anchored { 0..n.min(1) } else { 0..n };
    'start: for s in starts {
        if !element_matches(&rule.elements[0], u, s) {
            continue;
        }
        let mut at = s;
        for e in &rule.elements[1..] {
            let end = (at + 2 + MAX_GAP).min(n);
            match (at + 1..end).find(|&j| element_matches(e, u, j)) {
                Some(j) => at = j,
                None => continue 'start,
            }
        }
        if rule.ends && at + 1 != n {
            continue;
        }
        return true;
    }
    false
}

/// Lowercase words joined by single spaces.
pub(crate) fn normalize(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Classifies an analysed utterance. `exclude` leaves one labelled example out (for
/// leave-one-out evaluation of the training set).
pub(crate) fn classify(
    u: &Utterance,
    kubectl_intent: Option<Intent>,
    rules: &[Rule],
    examples: &[Example],
    exclude: Option<&str>,
) -> Classification {
    let mut scores = vec![0.0f32; Intent::ALL.len()];
    let mut evidence = Vec::new();
    let idx = |i: Intent| Intent::ALL.iter().position(|x| *x == i).unwrap_or(0);
    if let Some(i) = kubectl_intent {
        scores[idx(i)] += 20.0;
        evidence.push(format!("{i} +20: kubectl syntax"));
    }
    for r in rules {
        if rule_matches(r, u) {
            scores[idx(r.intent)] += r.weight;
            evidence.push(format!("{} {:+}: {}", r.intent, r.weight, r.source));
        }
    }
    let text: String = u
        .toks
        .iter()
        .map(|t| t.word.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let grams = trigrams(&text);
    let mut best: Vec<(Intent, f32)> = Vec::new();
    for ex in examples.iter().filter(|e| Some(e.text.as_str()) != exclude) {
        let sim = dice(&grams, &ex.grams);
        if sim >= EXAMPLE_FLOOR {
            match best.iter_mut().find(|(i, _)| *i == ex.intent) {
                Some((_, s)) => *s = s.max(sim),
                None => best.push((ex.intent, sim)),
            }
        }
    }
    for (i, sim) in best {
        let add = EXAMPLE_WEIGHT * (sim - EXAMPLE_FLOOR) / (1.0 - EXAMPLE_FLOOR);
        scores[idx(i)] += add;
        evidence.push(format!("{i} {add:+.2}: similar to a labelled example ({sim:.2})"));
    }
    finish(scores, evidence)
}

fn finish(scores: Vec<f32>, evidence: Vec<String>) -> Classification {
    let mut ranked: Vec<(Intent, f32)> = Intent::ALL
        .iter()
        .copied()
        .zip(scores)
        .filter(|(_, s)| *s > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (top, second) = match ranked.as_slice() {
        [] => (0.0, 0.0),
        [a] => (a.1, 0.0),
        [a, b, ..] => (a.1, b.1),
    };
    if top < MIN_SCORE {
        return Classification {
            intent: Intent::Unknown,
            confidence: 0.0,
            scores: ranked,
            evidence,
        };
    }
    // Strength of the evidence times how clearly it beats the runner-up.
    let strength = 1.0 - (-top / 4.0).exp();
    let margin = (top - second) / top;
    let confidence = (strength * (0.5 + 0.5 * margin)).clamp(0.0, 1.0);
    Classification {
        intent: ranked[0].0,
        confidence,
        scores: ranked,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_rules_cover_every_intent() {
        let rules = parse_rules(include_str!("rules.txt")).unwrap();
        for &i in Intent::ALL.iter().filter(|i| **i != Intent::Unknown) {
            assert!(
                rules.iter().any(|r| r.intent == i && r.weight > 0.0),
                "no rule for {i}"
            );
        }
    }

    #[test]
    fn malformed_rules_name_their_line() {
        let err = |src: &str| match parse_rules(src) {
            Err(NluError::BadRule { line, reason }) => (line, reason),
            other => panic!("{other:?}"),
        };
        assert_eq!(err("# c\nscale 2 scale"), (2, "missing ':'".into()));
        assert_eq!(err("scaling 2: scale"), (1, "unknown intent".into()));
        assert_eq!(err("scale x: scale"), (1, "weight is not a number".into()));
        assert_eq!(err("scale 1: ^"), (1, "empty pattern".into()));
    }
}
