//! The subset of kubectl's JSONPath that CRD `additionalPrinterColumns` use: child access
//! (`.a.b`, `['a.b']`), indexes and slices (`[0]`, `[-1]`, `[1:3]`), wildcards (`[*]`, `.*`),
//! recursive descent (`..name`) and filters (`[?(@.type=="Ready")]`, `[?(@.ready)]`).

use serde_json::Value;
use std::fmt;

/// A parse error with a human-readable reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPathError(pub String);

impl fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSONPath: {}", self.0)
    }
}

impl std::error::Error for JsonPathError {}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Child(String),
    Recursive(String),
    Wildcard,
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    path: Vec<Step>,
    op: Option<(String, Value)>,
}

/// A compiled JSONPath expression.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    src: &'a str,
}

impl<'a> Parser<'a> {
    fn err<T>(&self, what: &str) -> Result<T, JsonPathError> {
        Err(JsonPathError(format!(
            "{what} at position {} in {:?}",
            self.i, self.src
        )))
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == b'.'
                || c == b'['
                || c == b' '
                || c == b')'
                || c == b'='
                || c == b'!'
                || c == b'<'
                || c == b'>'
            {
                break;
            }
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn quoted(&mut self) -> Result<String, JsonPathError> {
        let Some(q) = self.peek() else {
            return self.err("expected a quote");
        };
        self.i += 1;
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == b'\\' {
                if let Some(n) = self.peek() {
                    out.push(n);
                    self.i += 1;
                }
            } else if c == q {
                return Ok(String::from_utf8_lossy(&out).into_owned());
            } else {
                out.push(c);
            }
        }
        self.err("unterminated string")
    }

    fn number(&mut self) -> Option<i64> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok()
    }

    fn steps(&mut self, in_filter: bool) -> Result<Vec<Step>, JsonPathError> {
        let mut steps = Vec::new();
        loop {
            match self.peek() {
                None => break,
                Some(b'.') => {
                    self.i += 1;
                    if self.eat(b'.') {
                        let name = self.ident();
                        if name.is_empty() {
                            return self.err("expected a field after '..'");
                        }
                        steps.push(Step::Recursive(name));
                    } else if self.eat(b'*') {
                        steps.push(Step::Wildcard);
                    } else {
                        let name = self.ident();
                        if !name.is_empty() {
                            steps.push(Step::Child(name));
                        }
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    self.skip_ws();
                    steps.push(self.bracket()?);
                    self.skip_ws();
                    if !self.eat(b']') {
                        return self.err("expected ']'");
                    }
                }
                Some(_) if in_filter => break,
                Some(_) => {
                    let name = self.ident();
                    if name.is_empty() {
                        return self.err("unexpected character");
                    }
                    steps.push(Step::Child(name));
                }
            }
        }
        Ok(steps)
    }

    fn bracket(&mut self) -> Result<Step, JsonPathError> {
        match self.peek() {
            Some(b'*') => {
                self.i += 1;
                Ok(Step::Wildcard)
            }
            Some(b'\'') | Some(b'"') => Ok(Step::Child(self.quoted()?)),
            Some(b'?') => {
                self.i += 1;
                if !(self.eat(b'(') && self.eat(b'@')) {
                    return self.err("expected '(@' in filter");
                }
                let path = self.steps(true)?;
                self.skip_ws();
                let op = if self.peek() == Some(b')') {
                    None
                } else {
                    let start = self.i;
                    while self
                        .peek()
                        .is_some_and(|c| matches!(c, b'=' | b'!' | b'<' | b'>'))
                    {
                        self.i += 1;
                    }
                    let op = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                    if !matches!(op.as_str(), "==" | "!=" | "<" | ">" | "<=" | ">=") {
                        return self.err("unknown filter operator");
                    }
                    self.skip_ws();
                    let value = match self.peek() {
                        Some(b'\'') | Some(b'"') => Value::String(self.quoted()?),
                        _ => {
                            let start = self.i;
                            while self.peek().is_some_and(|c| c != b')' && c != b' ') {
                                self.i += 1;
                            }
                            let lit = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                            serde_json::from_str(&lit).unwrap_or(Value::String(lit))
                        }
                    };
                    Some((op, value))
                };
                self.skip_ws();
                if !self.eat(b')') {
                    return self.err("expected ')' closing the filter");
                }
                Ok(Step::Filter(Filter { path, op }))
            }
            _ => {
                let start = self.number();
                if self.eat(b':') {
                    let end = self.number();
                    Ok(Step::Slice(start, end))
                } else {
                    match start {
                        Some(n) => Ok(Step::Index(n)),
                        None => self.err("expected an index"),
                    }
                }
            }
        }
    }
}

fn resolve(len: usize, i: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if i < 0 { len + i } else { i };
    (0..len).contains(&i).then_some(i as usize)
}

fn descend<'v>(v: &'v Value, name: &str, out: &mut Vec<&'v Value>) {
    match v {
        Value::Object(m) => {
            if let Some(x) = m.get(name) {
                out.push(x);
            }
            for x in m.values() {
                descend(x, name, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| descend(x, name, out)),
        _ => {}
    }
}

fn compare(a: &Value, op: &str, b: &Value) -> bool {
    let ord = match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => Some(x.cmp(y)),
            _ => None,
        },
    };
    match op {
        "==" => ord == Some(std::cmp::Ordering::Equal) || a == b,
        "!=" => !(ord == Some(std::cmp::Ordering::Equal) || a == b),
        "<" => ord == Some(std::cmp::Ordering::Less),
        ">" => ord == Some(std::cmp::Ordering::Greater),
        "<=" => matches!(ord, Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)),
        ">=" => matches!(ord, Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)),
        _ => false,
    }
}

fn apply<'v>(steps: &[Step], input: Vec<&'v Value>) -> Vec<&'v Value> {
    let mut cur = input;
    for step in steps {
        let mut next = Vec::new();
        for v in cur {
            match step {
                Step::Child(name) => {
                    if let Some(x) = v.get(name.as_str()) {
                        next.push(x);
                    }
                }
                Step::Recursive(name) => descend(v, name, &mut next),
                Step::Wildcard => match v {
                    Value::Object(m) => next.extend(m.values()),
                    Value::Array(a) => next.extend(a.iter()),
                    _ => {}
                },
                Step::Index(i) => {
                    if let Some(a) = v.as_array()
                        && let Some(j) = resolve(a.len(), *i)
                    {
                        next.push(&a[j]);
                    }
                }
                Step::Slice(start, end) => {
                    if let Some(a) = v.as_array() {
                        let len = a.len() as i64;
                        let clamp = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                        let s = clamp(start.unwrap_or(0));
                        let e = clamp(end.unwrap_or(len));
                        if s < e {
                            next.extend(a[s as usize..e as usize].iter());
                        }
                    }
                }
                Step::Filter(f) => {
                    let candidates: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    for c in candidates {
                        let found = apply(&f.path, vec![c]);
                        let keep = match &f.op {
                            None => found
                                .iter()
                                .any(|x| !matches!(x, Value::Null | Value::Bool(false))),
                            Some((op, want)) => found.iter().any(|x| compare(x, op, want)),
                        };
                        if keep {
                            next.push(c);
                        }
                    }
                }
            }
        }
        cur = next;
    }
    cur
}

impl JsonPath {
    /// Compiles `.spec.replicas`, `{.status.phase}` or `$.metadata.name`.
    pub fn parse(expr: &str) -> Result<Self, JsonPathError> {
        let trimmed = expr.trim();
        let inner = trimmed
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(trimmed);
        let inner = inner.strip_prefix('$').unwrap_or(inner);
        let mut p = Parser {
            s: inner.as_bytes(),
            i: 0,
            src: expr,
        };
        let steps = p.steps(false)?;
        Ok(Self { steps })
    }

    /// Every value the path selects in `v` (missing keys select nothing).
    pub fn find<'v>(&self, v: &'v Value) -> Vec<&'v Value> {
        apply(&self.steps, vec![v])
    }

    /// The first value the path selects, as printer columns use.
    pub fn first<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        self.find(v).into_iter().next()
    }
}

/// A JSONPath result printed as kubectl prints it: strings bare, maps and lists as JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluates_column_paths() {
        let obj = json!({
            "metadata": {"name": "db", "annotations": {"example.com/tier": "gold"}},
            "spec": {"replicas": 3, "engine": {"version": "16.2"}},
            "status": {"conditions": [
                {"type": "Progressing", "status": "False"},
                {"type": "Ready", "status": "True", "observedGeneration": 4}],
                "nodes": ["a", "b", "c"]}
        });
        let cases: &[(&str, Option<Value>)] = &[
            (".spec.replicas", Some(json!(3))),
            ("{.spec.engine.version}", Some(json!("16.2"))),
            ("$.metadata.name", Some(json!("db"))),
            (
                ".status.conditions[?(@.type==\"Ready\")].status",
                Some(json!("True")),
            ),
            (
                ".status.conditions[?(@.type=='Progressing')].status",
                Some(json!("False")),
            ),
            (
                ".status.conditions[?(@.observedGeneration > 3)].type",
                Some(json!("Ready")),
            ),
            (
                ".status.conditions[?(@.observedGeneration)].type",
                Some(json!("Ready")),
            ),
            (".status.nodes[-1]", Some(json!("c"))),
            (".status.nodes[1:]", Some(json!("b"))),
            (".status.nodes[*]", Some(json!("a"))),
            (".metadata.annotations['example.com/tier']", Some(json!("gold"))),
            ("..version", Some(json!("16.2"))),
            (".spec.missing", None),
            (".status.nodes[9]", None),
            (".status.conditions[?(@.type==\"Nope\")].status", None),
        ];
        for (expr, want) in cases {
            let p = JsonPath::parse(expr).expect(expr);
            assert_eq!(p.first(&obj).cloned(), *want, "{expr}");
        }
        let all = JsonPath::parse(".status.nodes[*]")
            .expect("parse")
            .find(&obj)
            .len();
        assert_eq!(all, 3);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [".a[", ".a[?(@.x ~ 1)]", ".a['x", ".a[abc]", ".a[?(@.b==1"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(text(&json!({"a": 1})), "{\"a\":1}");
        assert_eq!(text(&json!(2)), "2");
    }
}
