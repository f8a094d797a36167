//! Follow-ups reuse the previous turn.

use kubegenie_nlu::eval::demo_context;
use kubegenie_nlu::{Intent, Parser, Session};
use serde_json::json;

#[test]
fn where_and_when_follow_ups_repeat_the_last_request() {
    let parser = Parser::new(demo_context());
    let mut s = Session::new(&parser);
    s.parse("show pods in payments").unwrap();
    let p = s.parse("and in staging?").unwrap();
    assert_eq!(p.intent, Intent::GetResources);
    assert_eq!(
        serde_json::to_value(&p.slots).unwrap(),
        json!({"clusters": ["staging"], "namespace": "payments", "kind": "pods"})
    );
    let p = s.parse("same in all namespaces").unwrap();
    assert_eq!(
        serde_json::to_value(&p.slots).unwrap(),
        json!({"clusters": ["staging"], "all_namespaces": true, "kind": "pods"})
    );
}

#[test]
fn pronouns_act_on_the_last_subject() {
    let parser = Parser::new(demo_context());
    let mut s = Session::new(&parser);
    s.parse("why is checkout crash-looping on prod-us").unwrap();
    let p = s.parse("show its logs").unwrap();
    assert_eq!(
        (p.intent, p.slots.name.as_deref()),
        (Intent::GetLogs, Some("checkout"))
    );
    let p = s.parse("roll it back").unwrap();
    assert_eq!(p.intent, Intent::Rollback);
    assert_eq!(p.slots.cluster_names(), ["prod-us"]);
    assert!(p.clarify.is_none());
    // Something not understood keeps the context.
    s.parse("hmm").unwrap();
    assert_eq!(
        s.parse("scale it to 3").unwrap().slots.name.as_deref(),
        Some("checkout")
    );
}

#[test]
fn without_history_a_pronoun_is_a_question() {
    let parser = Parser::new(demo_context());
    let mut s = Session::new(&parser);
    let p = s.parse("restart it").unwrap();
    assert_eq!(p.intent, Intent::Restart);
    assert!(p.clarify.is_some());
    s.parse("describe deployment cart").unwrap();
    s.reset();
    assert!(s.parse("restart it").unwrap().clarify.is_some());
}
