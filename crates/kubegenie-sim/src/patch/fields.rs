//! Field sets in the `FieldsV1` format of `metadata.managedFields`.
//!
//! A set is a tree of path elements, each encoded as in `fieldsV1`: `f:<field>`, `k:<json key
//! object>` for an item of an associative list, `v:<json value>` for an item of a set, `i:<index>`
//! for a list item without a key. A node that is itself a member (a leaf value, an atomic list,
//! a list item) is marked, and serialises as `".": {}` when it also has children.

use super::MAX_DEPTH;
use super::merge_keys::{ListStrategy, Schema, key_default};
use crate::error::{ApiError, Result};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A set of field paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    member: bool,
    children: BTreeMap<String, FieldSet>,
}

impl FieldSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no path is a member.
    pub fn is_empty(&self) -> bool {
        !self.member && self.children.values().all(FieldSet::is_empty)
    }

    /// Adds a path (of encoded elements).
    pub fn insert<S: AsRef<str>>(&mut self, path: &[S]) {
        let mut node = self;
        for p in path {
            node = node.children.entry(p.as_ref().to_string()).or_default();
        }
        node.member = true;
    }

    /// Whether `path` is a member.
    pub fn contains<S: AsRef<str>>(&self, path: &[S]) -> bool {
        self.node(path).is_some_and(|n| n.member)
    }

    /// The subtree at `path`, if any.
    pub fn node<S: AsRef<str>>(&self, path: &[S]) -> Option<&FieldSet> {
        let mut node = self;
        for p in path {
            node = node.children.get(p.as_ref())?;
        }
        Some(node)
    }

    fn child_mut(&mut self, elem: &str) -> &mut FieldSet {
        self.children.entry(elem.to_string()).or_default()
    }

    fn prune_empty(mut self) -> Self {
        self.children.retain(|_, c| !c.is_empty());
        self
    }

    /// Members of either set.
    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.member |= other.member;
        for (k, c) in &other.children {
            let merged = match out.children.get(k) {
                Some(mine) => mine.union(c),
                None => c.clone(),
            };
            out.children.insert(k.clone(), merged);
        }
        out
    }

    /// Members of `self` that are not members of `other`.
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            member: self.member && !other.member,
            children: BTreeMap::new(),
        };
        for (k, c) in &self.children {
            let d = match other.children.get(k) {
                Some(o) => c.difference(o),
                None => c.clone(),
            };
            out.children.insert(k.clone(), d);
        }
        out.prune_empty()
    }

    /// Members of both sets.
    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut out = FieldSet {
            member: self.member && other.member,
            children: BTreeMap::new(),
        };
        for (k, c) in &self.children {
            if let Some(o) = other.children.get(k) {
                out.children.insert(k.clone(), c.intersection(o));
            }
        }
        out.prune_empty()
    }

    /// Removes the whole subtree at `path`.
    pub fn remove_subtree<S: AsRef<str>>(&mut self, path: &[S]) {
        let Some((last, parents)) = path.split_last() else {
            *self = FieldSet::new();
            return;
        };
        let mut node = self;
        for p in parents {
            match node.children.get_mut(p.as_ref()) {
                Some(n) => node = n,
                None => return,
            }
        }
        node.children.remove(last.as_ref());
    }

    /// Keeps only the top-level subtree `elem`.
    pub fn retain_subtree(&mut self, elem: &str) {
        self.member = false;
        self.children.retain(|k, _| k == elem);
    }

    /// Unmarks `path` as a member, keeping anything below it.
    pub fn remove_member<S: AsRef<str>>(&mut self, path: &[S]) {
        let mut node = self;
        for p in path {
            match node.children.get_mut(p.as_ref()) {
                Some(n) => node = n,
                None => return,
            }
        }
        node.member = false;
    }

    /// All member paths, in sorted order.
    pub fn paths(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut cur = Vec::new();
        self.collect(&mut cur, &mut out);
        out
    }

    fn collect(&self, cur: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if self.member {
            out.push(cur.clone());
        }
        for (k, c) in &self.children {
            cur.push(k.clone());
            c.collect(cur, out);
            cur.pop();
        }
    }

    /// The `fieldsV1` JSON of this set.
    pub fn to_fields_v1(&self) -> Value {
        let mut m = Map::new();
        if self.member && !self.children.is_empty() {
            m.insert(".".into(), Value::Object(Map::new()));
        }
        for (k, c) in &self.children {
            if !c.is_empty() {
                m.insert(k.clone(), c.to_fields_v1());
            }
        }
        Value::Object(m)
    }

    /// Parses `fieldsV1` JSON; malformed parts are skipped, as a bad entry must not block writes.
    pub fn from_fields_v1(v: &Value) -> FieldSet {
        Self::parse(v, 0)
    }

    fn parse(v: &Value, depth: usize) -> FieldSet {
        let mut out = FieldSet::new();
        let Value::Object(m) = v else { return out };
        if depth > MAX_DEPTH {
            return out;
        }
        for (k, c) in m {
            if k == "." {
                out.member = true;
                continue;
            }
            let mut child = Self::parse(c, depth + 1);
            if child.children.is_empty() {
                child.member = true;
            }
            out.children.insert(k.clone(), child);
        }
        out
    }
}

/// The `f:` element of a field.
pub fn field_elem(name: &str) -> String {
    format!("f:{name}")
}

/// The `v:` element of a set item.
pub fn value_elem(v: &Value) -> String {
    format!("v:{v}")
}

/// The `k:` element of an associative-list item, or `None` if a key field is missing.
pub fn key_elem(item: &Value, keys: &[String]) -> Option<String> {
    let obj = item.as_object()?;
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    let mut key = Map::new();
    for k in sorted {
        let v = match obj.get(k.as_str()) {
            Some(v) if !v.is_null() => v.clone(),
            _ => key_default(k)?,
        };
        key.insert(k.clone(), v);
    }
    Some(format!("k:{}", Value::Object(key)))
}

/// A path as kube-apiserver prints it in conflicts: `.spec.containers[name="nginx"].image`.
pub fn path_string<S: AsRef<str>>(path: &[S]) -> String {
    let mut out = String::new();
    for p in path {
        let p = p.as_ref();
        if let Some(f) = p.strip_prefix("f:") {
            out.push('.');
            out.push_str(f);
        } else if let Some(k) = p.strip_prefix("k:") {
            let fields: Vec<String> = match serde_json::from_str::<Map<String, Value>>(k) {
                Ok(m) => m.iter().map(|(k, v)| format!("{k}={v}")).collect(),
                Err(_) => vec![k.to_string()],
            };
            out.push_str(&format!("[{}]", fields.join(",")));
        } else if let Some(v) = p.strip_prefix("v:") {
            out.push_str(&format!("[={v}]"));
        } else if let Some(i) = p.strip_prefix("i:") {
            out.push_str(&format!("[{i}]"));
        }
    }
    out
}

/// Builds field sets of objects under a schema.
pub struct Walker<'a> {
    schema: Schema<'a>,
    /// Reject items of associative lists without keys, and duplicate keys (apply configs).
    strict: bool,
}

impl<'a> Walker<'a> {
    /// A walker for objects of `schema`; `strict` for apply configurations.
    pub fn new(schema: Schema<'a>, strict: bool) -> Self {
        Self { schema, strict }
    }

    /// The set of every field of `obj`: leaves, atomic values and list items.
    pub fn fields(&self, obj: &Value) -> Result<FieldSet> {
        let mut set = FieldSet::new();
        let mut spath = Vec::new();
        if let Value::Object(m) = obj {
            self.walk_map(m, &mut spath, &mut set)?;
        }
        Ok(set)
    }

    fn walk_map(&self, m: &Map<String, Value>, spath: &mut Vec<String>, node: &mut FieldSet) -> Result<()> {
        for (k, v) in m {
            spath.push(k.clone());
            let r = self.walk_value(v, spath, node.child_mut(&field_elem(k)));
            spath.pop();
            r?;
        }
        Ok(())
    }

    fn walk_value(&self, v: &Value, spath: &mut Vec<String>, node: &mut FieldSet) -> Result<()> {
        if spath.len() > MAX_DEPTH {
            return Err(ApiError::bad_request("object nesting is too deep"));
        }
        match v {
            Value::Object(m) if !m.is_empty() && !self.schema.atomic_map(spath) => {
                self.walk_map(m, spath, node)
            }
            Value::Array(items) if !items.is_empty() => match self.schema.list(spath).apply {
                ListStrategy::Atomic => {
                    node.member = true;
                    Ok(())
                }
                ListStrategy::Set => {
                    for it in items {
                        let elem = value_elem(it);
                        if self.strict && node.children.contains_key(&elem) {
                            return Err(self.dup(spath, &elem));
                        }
                        node.child_mut(&elem).member = true;
                    }
                    Ok(())
                }
                ListStrategy::Map(keys) => {
                    for (i, it) in items.iter().enumerate() {
                        let elem = match key_elem(it, &keys) {
                            Some(e) => e,
                            None if self.strict => return Err(missing_key(spath, i, &keys, it)),
                            None => format!("i:{i}"),
                        };
                        if self.strict && node.children.contains_key(&elem) {
                            return Err(self.dup(spath, &elem));
                        }
                        let child = node.child_mut(&elem);
                        child.member = true;
                        if let Value::Object(m) = it {
                            self.walk_map(m, spath, child)?;
                        }
                    }
                    Ok(())
                }
            },
            _ => {
                node.member = true;
                Ok(())
            }
        }
    }

    fn dup(&self, spath: &[String], elem: &str) -> ApiError {
        ApiError::new(
            422,
            "Invalid",
            format!(
                ".{}: duplicate entries for key {}",
                spath.join("."),
                path_string(&[elem])
            ),
        )
    }

    /// Fields of `new` that are not fields of `old`, fields of `old` gone from `new`, and
    /// fields of both whose values differ.
    pub fn compare(&self, old: &Value, new: &Value) -> Result<Comparison> {
        let a = self.fields(old)?;
        let b = self.fields(new)?;
        let mut modified = FieldSet::new();
        let mut spath = Vec::new();
        let mut epath = Vec::new();
        self.modified(old, new, &mut spath, &mut epath, &mut modified);
        Ok(Comparison {
            added: b.difference(&a),
            removed: a.difference(&b),
            modified,
        })
    }

    fn modified(
        &self,
        old: &Value,
        new: &Value,
        spath: &mut Vec<String>,
        epath: &mut Vec<String>,
        out: &mut FieldSet,
    ) {
        if spath.len() > MAX_DEPTH {
            return;
        }
        match (old, new) {
            (Value::Object(a), Value::Object(b))
                if (!a.is_empty() || !b.is_empty())
                    && (spath.is_empty() || !self.schema.atomic_map(spath)) =>
            {
                for (k, av) in a {
                    if let Some(bv) = b.get(k) {
                        spath.push(k.clone());
                        epath.push(field_elem(k));
                        self.modified(av, bv, spath, epath, out);
                        epath.pop();
                        spath.pop();
                    }
                }
            }
            (Value::Array(a), Value::Array(b)) if !a.is_empty() && !b.is_empty() => {
                match self.schema.list(spath).apply {
                    ListStrategy::Set => {}
                    ListStrategy::Map(keys) => {
                        for bi in b {
                            let Some(ek) = key_elem(bi, &keys) else { continue };
                            let Some(ai) = a.iter().find(|ai| key_elem(ai, &keys).as_ref() == Some(&ek))
                            else {
                                continue;
                            };
                            epath.push(ek);
                            self.modified(ai, bi, spath, epath, out);
                            epath.pop();
                        }
                    }
                    ListStrategy::Atomic => {
                        if old != new {
                            out.insert(epath);
                        }
                    }
                }
            }
            _ => {
                if old != new && !epath.is_empty() {
                    out.insert(epath);
                }
            }
        }
    }

    /// Removes from `v` every member of `remove` whose subtree `keep` does not touch; when
    /// `keep` owns part of a subtree only the rest goes. Returns whether `v` changed.
    pub fn prune(&self, v: &mut Value, remove: &FieldSet, keep: &FieldSet) -> bool {
        let mut spath = Vec::new();
        self.prune_in(v, remove, Some(keep), &mut spath, &[])
    }

    fn prune_in(
        &self,
        v: &mut Value,
        remove: &FieldSet,
        keep: Option<&FieldSet>,
        spath: &mut Vec<String>,
        protected: &[String],
    ) -> bool {
        if spath.len() > MAX_DEPTH {
            return false;
        }
        let mut changed = false;
        match v {
            Value::Object(m) => {
                for (elem, r) in &remove.children {
                    let Some(name) = elem.strip_prefix("f:") else {
                        continue;
                    };
                    if protected.iter().any(|p| p == name) {
                        continue;
                    }
                    let k = keep.and_then(|k| k.children.get(elem));
                    let Some(cv) = m.get_mut(name) else { continue };
                    if r.member && k.is_none_or(FieldSet::is_empty) {
                        m.shift_remove(name);
                        changed = true;
                        continue;
                    }
                    spath.push(name.to_string());
                    let was_empty = is_empty_container(cv);
                    let c = self.prune_in(cv, r, k, spath, &[]);
                    spath.pop();
                    if c && !was_empty && is_empty_container(cv) && !k.is_some_and(|k| k.member) {
                        m.shift_remove(name);
                    }
                    changed |= c;
                }
            }
            Value::Array(items) => {
                let strategy = self.schema.list(spath).apply;
                let keys = match &strategy {
                    ListStrategy::Map(keys) => keys.clone(),
                    _ => Vec::new(),
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, mut it) in std::mem::take(items).into_iter().enumerate() {
                    let elem = match &strategy {
                        ListStrategy::Atomic => None,
                        ListStrategy::Set => Some(value_elem(&it)),
                        ListStrategy::Map(keys) => {
                            Some(key_elem(&it, keys).unwrap_or_else(|| format!("i:{i}")))
                        }
                    };
                    let r = elem.as_ref().and_then(|e| remove.children.get(e));
                    let k = elem.as_ref().and_then(|e| keep.and_then(|k| k.children.get(e)));
                    match r {
                        Some(r) if r.member && k.is_none_or(FieldSet::is_empty) => changed = true,
                        Some(r) => {
                            changed |= self.prune_in(&mut it, r, k, spath, &keys);
                            out.push(it);
                        }
                        None => out.push(it),
                    }
                }
                *items = out;
            }
            _ => {}
        }
        changed
    }
}

fn is_empty_container(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn missing_key(spath: &[String], i: usize, keys: &[String], item: &Value) -> ApiError {
    let missing = keys
        .iter()
        .find(|k| item.get(k.as_str()).is_none_or(Value::is_null) && key_default(k).is_none())
        .map(String::as_str)
        .unwrap_or_default();
    ApiError::new(
        422,
        "Invalid",
        format!(
            ".{}: element {i}: associative list with keys has an element that omits key field \"{missing}\" \
             (and doesn't have default value)",
            spath.join(".")
        ),
    )
}

/// The difference between two versions of an object.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// Fields present only in the new version.
    pub added: FieldSet,
    /// Fields present only in the old version.
    pub removed: FieldSet,
    /// Fields present in both with different values.
    pub modified: FieldSet,
}

impl Comparison {
    /// Fields the write set: added or modified.
    pub fn changed(&self) -> FieldSet {
        self.added.union(&self.modified)
    }
}
