//! Accuracy on the labelled corpus: the held-out test part must reach the acceptance bar
//! (97% intent, 93% exact slots); the training part is measured leave-one-out.

use kubegenie_nlu::Parser;
use kubegenie_nlu::eval::{demo_context, evaluate, load};

const TRAIN: &str = include_str!("../../data/train.jsonl");
const TEST: &str = include_str!("../../data/test.jsonl");

#[test]
fn held_out_test_set_meets_the_acceptance_bar() {
    let parser = Parser::new(demo_context());
    let cases = load(TEST).unwrap();
    assert!(cases.len() >= 150, "test part has {} utterances", cases.len());
    let r = evaluate(&parser, &cases, false);
    println!("test: {r}");
    assert!(r.intent_accuracy() >= 0.97, "intent accuracy below 97%:\n{r}");
    assert!(r.slot_accuracy() >= 0.93, "exact-slot accuracy below 93%:\n{r}");
}

#[test]
fn training_set_leave_one_out() {
    let parser = Parser::new(demo_context());
    let cases = load(TRAIN).unwrap();
    let r = evaluate(&parser, &cases, true);
    println!("train (leave-one-out): {r}");
    assert!(r.intent_accuracy() >= 0.97, "intent accuracy below 97%:\n{r}");
    assert!(r.slot_accuracy() >= 0.93, "exact-slot accuracy below 93%:\n{r}");
}

#[test]
fn corpus_covers_every_intent_in_both_parts() {
    use kubegenie_nlu::Intent;
    let (train, test) = (load(TRAIN).unwrap(), load(TEST).unwrap());
    assert!(train.len() + test.len() >= 400);
    for &i in Intent::ALL {
        assert!(
            train.iter().filter(|c| c.intent == i).count() >= 5,
            "{i} under-represented in train"
        );
        assert!(
            test.iter().filter(|c| c.intent == i).count() >= 3,
            "{i} under-represented in test"
        );
    }
    let train_texts: std::collections::HashSet<_> = train.iter().map(|c| (&c.text, &c.after)).collect();
    assert!(
        test.iter().all(|c| !train_texts.contains(&(&c.text, &c.after))),
        "test utterance also in train"
    );
}
