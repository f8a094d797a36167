//! Measuring the parser against a labelled corpus (`data/train.jsonl`, `data/test.jsonl`):
//! intent accuracy and exact-slot accuracy, with every miss listed. The corpus is labelled
//! against the fleet of [`demo_context`].

use crate::dialogue::Session;
use crate::error::NluError;
use crate::intent::Intent;
use crate::slots::Slots;
use crate::{ParseContext, Parser};
use serde::Deserialize;
use std::fmt;

/// One labelled utterance.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the user says.
    pub text: String,
    /// The previous turn, for follow-ups ("and in staging?").
    #[serde(default)]
    pub after: Option<String>,
    /// Expected intent.
    pub intent: Intent,
    /// Expected slots, exactly (unlisted slots must be unset).
    #[serde(default)]
    pub slots: Slots,
}

/// Reads a JSON-lines corpus; blank lines are skipped.
pub fn load(jsonl: &str) -> Result<Vec<Case>, NluError> {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).map_err(|e| NluError::Corpus {
                line: n + 1,
                reason: e.to_string(),
            })
        })
        .collect()
}

/// A miss.
#[derive(Debug, Clone)]
pub struct Miss {
    /// The utterance.
    pub text: String,
    /// Expected intent and slots.
    pub expected: (Intent, Slots),
    /// What the parser said.
    pub got: (Intent, Slots),
}

/// Accuracy over a corpus.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Utterances.
    pub total: usize,
    /// Utterances whose intent was right.
    pub intent_correct: usize,
    /// Utterances whose intent and every slot were exactly right.
    pub slots_correct: usize,
    /// Every miss.
    pub misses: Vec<Miss>,
}

impl Report {
    /// Intent accuracy, 0.0 to 1.0.
    pub fn intent_accuracy(&self) -> f64 {
        self.intent_correct as f64 / self.total.max(1) as f64
    }

    /// Exact-slot accuracy, 0.0 to 1.0.
    pub fn slot_accuracy(&self) -> f64 {
        self.slots_correct as f64 / self.total.max(1) as f64
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} utterances: intent {:.1}% ({}), exact slots {:.1}% ({})",
            self.total,
            100.0 * self.intent_accuracy(),
            self.intent_correct,
            100.0 * self.slot_accuracy(),
            self.slots_correct
        )?;
        for m in &self.misses {
            let js = |s: &Slots| serde_json::to_string(s).unwrap_or_default();
            writeln!(
                f,
                "  {:?}\n    expected {} {}\n    got      {} {}",
                m.text,
                m.expected.0,
                js(&m.expected.1),
                m.got.0,
                js(&m.got.1)
            )?;
        }
        Ok(())
    }
}

/// Parses every case (follow-ups after their previous turn). With `leave_one_out`, the
/// similarity feature ignores the labelled example identical to the utterance, so a training
/// corpus is not measured against itself.
pub fn evaluate(parser: &Parser, cases: &[Case], leave_one_out: bool) -> Report {
    let mut r = Report {
        total: cases.len(),
        ..Default::default()
    };
    for case in cases {
        let mut session = Session::new(parser);
        let exclude = |t: &str| leave_one_out.then(|| t.to_string());
        if let Some(prev) = &case.after {
            let _ = session.parse_excluding(prev, exclude(prev).as_deref());
        }
        let got = match session.parse_excluding(&case.text, exclude(&case.text).as_deref()) {
            Ok(p) => (p.intent, p.slots),
            Err(_) => (Intent::Unknown, Slots::default()),
        };
        let intent_ok = got.0 == case.intent;
        let slots_ok = intent_ok && got.1 == case.slots;
        r.intent_correct += usize::from(intent_ok);
        r.slots_correct += usize::from(slots_ok);
        if !slots_ok {
            r.misses.push(Miss {
                text: case.text.clone(),
                expected: (case.intent, case.slots.clone()),
                got,
            });
        }
    }
    r
}

/// The fleet the corpus is labelled against: the demo scenario's clusters, namespaces and
/// workloads, plus a development cluster and two CRD kinds.
pub fn demo_context() -> ParseContext {
    let mut ctx = ParseContext::default();
    ctx.add_cluster("hub", &[("env", "mgmt"), ("team", "platform")]);
    ctx.add_cluster("prod-us", &[("env", "prod"), ("tier", "1")]);
    ctx.add_cluster("prod-eu", &[("env", "prod"), ("tier", "1")]);
    ctx.add_cluster("staging", &[("env", "staging")]);
    ctx.add_cluster("dev", &[("env", "dev")]);
    ctx.add_namespace("fleet-system");
    ctx.add_namespace("monitoring");
    let objects = [
        ("checkout", "deployments", "checkout"),
        ("checkout", "deployments", "cart"),
        ("checkout", "deployments", "session-cache"),
        ("checkout", "ingresses", "shop"),
        ("payments", "deployments", "payments-api"),
        ("payments", "deployments", "ledger-worker"),
        ("payments", "deployments", "fraud-model"),
        ("search", "deployments", "search-api"),
        ("data", "statefulsets", "reporting-db"),
        ("data", "cronjobs", "etl-nightly"),
        ("data", "deployments", "ml-training"),
        ("data", "deployments", "notebook"),
        ("data", "persistentvolumeclaims", "etl-scratch"),
        ("monitoring", "daemonsets", "node-exporter"),
    ];
    for (ns, kind, name) in objects {
        ctx.add_object(None, Some(ns), kind, name);
    }
    ctx.add_kind(crate::KindInfo::new("widgets", "widget", &["wg"], true));
    ctx.add_kind(crate::KindInfo::new(
        "certificates",
        "certificate",
        &["cert", "certs"],
        true,
    ));
    ctx
}
