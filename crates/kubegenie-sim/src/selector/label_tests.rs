use super::*;
use serde_json::json;

fn err(s: &str) -> String {
    match LabelSelector::parse(s) {
        Ok(sel) => panic!("{s:?} parsed as {sel}"),
        Err(e) => {
            assert_eq!(e.code, 400, "{s}");
            e.message
        }
    }
}

fn labels(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

#[test]
fn parses_to_canonical_form() {
    let cases = [
        ("", ""),
        ("x=a", "x=a"),
        ("x==a", "x==a"),
        (" x != a ", "x!=a"),
        ("x in (b,a,b)", "x in (a,b)"),
        ("x notin(a)", "x notin (a)"),
        ("x,!y", "x,!y"),
        ("z=1,a=2", "a=2,z=1"),
        ("x>1,y<10", "x>1,y<10"),
        ("x=", "x="),
        ("x in ()", "x in ()"),
        ("x in (,a)", "x in (,a)"),
        ("in in (in,notin)", "in in (in,notin)"),
        ("example.com/app=web", "example.com/app=web"),
    ];
    for (input, want) in cases {
        let sel = LabelSelector::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(sel.to_string(), want, "{input}");
    }
}

#[test]
fn parse_errors_match_kube() {
    let cases = [
        (
            "x (",
            "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
        ),
        ("x in a", "unable to parse requirement: found 'a' expected: '('"),
        (
            "x in (a",
            "unable to parse requirement: found '', expected: ',' or ')'",
        ),
        ("x=a,", "found '', expected: identifier after ','"),
        ("x=a y=b", "found 'y', expected: ',' or 'end of string'"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        ("!x=a", "found '=', expected: ',' or 'end of string'"),
        (
            "x=(",
            "unable to parse requirement: found '(', expected: identifier",
        ),
        (
            "x>a",
            "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
        ),
        (
            "app=-x",
            "unable to parse requirement: values[0][app]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
        (
            "-x",
            "unable to parse requirement: <nil>: Invalid value: \"-x\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(err(input), want, "{input}");
    }
}

#[test]
fn matching_follows_requirement_semantics() {
    let l = labels(json!({"app": "web", "tier": "front", "n": "5"}));
    let cases = [
        ("app=web", true),
        ("app==web,tier=front", true),
        ("app!=web", false),
        ("missing!=x", true),
        ("app in (db,web)", true),
        ("app notin (web)", false),
        ("missing notin (web)", true),
        ("app", true),
        ("!app", false),
        ("!missing", true),
        ("n>4", true),
        ("n<5", false),
        ("app>1", false),
        ("missing>1", false),
    ];
    for (input, want) in cases {
        let sel = LabelSelector::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(sel.matches(Some(&l)), want, "{input}");
    }
    assert!(LabelSelector::parse("").is_ok_and(|s| s.is_empty() && s.matches(None)));
}

#[test]
fn from_object_handles_labels_and_expressions() {
    let sel = LabelSelector::from_object(&json!({
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "legacy", "operator": "DoesNotExist"}
        ]
    }))
    .unwrap_or_default();
    assert_eq!(sel.to_string(), "app=web,env in (dev,prod),!legacy");
    assert!(sel.matches(Some(&labels(json!({"app": "web", "env": "dev"})))));
    assert!(!sel.matches(Some(&labels(json!({"app": "web", "env": "dev", "legacy": "1"})))));

    let nothing = LabelSelector::from_object(&Value::Null).unwrap_or_default();
    assert!(!nothing.is_empty() && !nothing.matches(None));
    let everything = LabelSelector::from_object(&json!({})).unwrap_or_default();
    assert!(everything.is_empty() && everything.matches(None));

    let bad = LabelSelector::from_object(&json!({"matchExpressions": [{"key": "a", "operator": "Gt"}]}));
    assert_eq!(
        bad.err().map(|e| e.message).as_deref(),
        Some("\"Gt\" is not a valid label selector operator")
    );
    let empty_in = LabelSelector::from_object(&json!({"matchExpressions": [{"key": "a", "operator": "In"}]}));
    assert_eq!(
        empty_in.err().map(|e| e.message).as_deref(),
        Some("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty")
    );
}

#[test]
fn never_panics_on_odd_input() {
    for s in [
        "\0",
        "é=ü",
        "(((",
        "!!!",
        "x in (a,,b)",
        ",",
        "a=b=c",
        "x notin",
        "\u{2028}",
        "a<",
        "!=",
    ] {
        let _ = LabelSelector::parse(s);
    }
}
