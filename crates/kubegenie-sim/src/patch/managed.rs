//! `metadata.managedFields`: decoding, encoding, and the bookkeeping of non-apply writes.

use super::fields::{FieldSet, Walker, field_elem};
use super::merge_keys::Schema;
use serde_json::{Map, Value, json};

/// Update managers beyond this many are folded into one `ancient-changes` entry, as
/// kube-apiserver does, so that managedFields cannot grow without bound.
pub const MAX_UPDATE_MANAGERS: usize = 10;
const ANCIENT_CHANGES: &str = "ancient-changes";
/// The manager that owns what an object held before its first apply.
pub const BEFORE_FIRST_APPLY: &str = "before-first-apply";
/// Operation name of server-side apply entries.
pub const APPLY: &str = "Apply";
/// Operation name of every other write.
pub const UPDATE: &str = "Update";

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `manager`.
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    /// `apiVersion` the manager used.
    pub api_version: String,
    /// `time`, RFC 3339 with seconds.
    pub time: Option<String>,
    /// `subresource`, for writes through one (e.g. `status`).
    pub subresource: Option<String>,
    /// `fieldsV1`.
    pub set: FieldSet,
}

impl Entry {
    /// A new entry stamped now.
    pub fn new(
        manager: &str,
        operation: &str,
        api_version: &str,
        subresource: Option<&str>,
        set: FieldSet,
    ) -> Self {
        Self {
            manager: manager.to_string(),
            operation: operation.to_string(),
            api_version: api_version.to_string(),
            time: Some(now()),
            subresource: subresource.filter(|s| !s.is_empty()).map(str::to_string),
            set,
        }
    }

    /// Whether this entry is the one of (manager, operation, subresource), and for updates of
    /// the same apiVersion: appliers keep one entry across versions, updaters do not.
    pub fn is(&self, manager: &str, operation: &str, api_version: &str, subresource: Option<&str>) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource.as_deref() == subresource.filter(|s| !s.is_empty())
            && (operation == APPLY || self.api_version == api_version)
    }

    /// How kube-apiserver names this manager in conflict messages.
    pub fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == UPDATE {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("manager".into(), json!(self.manager));
        m.insert("operation".into(), json!(self.operation));
        m.insert("apiVersion".into(), json!(self.api_version));
        if let Some(t) = &self.time {
            m.insert("time".into(), json!(t));
        }
        m.insert("fieldsType".into(), json!("FieldsV1"));
        m.insert("fieldsV1".into(), self.set.to_fields_v1());
        if let Some(s) = &self.subresource {
            m.insert("subresource".into(), json!(s));
        }
        Value::Object(m)
    }
}

/// The current time as managedFields record it: RFC 3339 in UTC, whole seconds.
pub fn now() -> String {
    let ts = jiff::Timestamp::now();
    jiff::Timestamp::from_second(ts.as_second())
        .unwrap_or(ts)
        .to_string()
}

/// The `managedFields` of an object; unreadable entries are dropped rather than failing writes.
pub fn decode(obj: &Value) -> Vec<Entry> {
    let Some(list) = obj.pointer("/metadata/managedFields").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|e| {
            let s = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
            let operation = s("operation")?;
            if operation != APPLY && operation != UPDATE {
                return None;
            }
            Some(Entry {
                manager: s("manager").unwrap_or_default(),
                operation,
                api_version: s("apiVersion").unwrap_or_default(),
                time: s("time"),
                subresource: s("subresource").filter(|s| !s.is_empty()),
                set: e
                    .get("fieldsV1")
                    .map(FieldSet::from_fields_v1)
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Writes `entries` into `obj.metadata.managedFields` (removed when empty), in kube-apiserver's
/// order: appliers first, then by time, manager, apiVersion and subresource.
pub fn encode(obj: &mut Value, mut entries: Vec<Entry>) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    entries.retain(|e| !e.set.is_empty());
    if entries.is_empty() {
        meta.shift_remove("managedFields");
        return;
    }
    entries.sort_by(|a, b| {
        (&a.operation, &a.time, &a.manager, &a.api_version, &a.subresource).cmp(&(
            &b.operation,
            &b.time,
            &b.manager,
            &b.api_version,
            &b.subresource,
        ))
    });
    meta.insert(
        "managedFields".into(),
        Value::Array(entries.iter().map(Entry::to_json).collect()),
    );
}

/// The part of an object a write cannot change (kube-apiserver's reset fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// The write may change everything.
    Nothing,
    /// A write to the main resource of a type with a status subresource.
    Status,
    /// A write to the status subresource: only `status` changes.
    AllButStatus,
}

/// Removes fields no manager may own: identity and server-set metadata, and what `reset`
/// excludes.
pub fn strip_ignored(set: &mut FieldSet, reset: Reset) {
    for f in ["apiVersion", "kind", "metadata"] {
        set.remove_member(&[field_elem(f)]);
    }
    let meta = field_elem("metadata");
    for f in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ] {
        set.remove_member(&[meta.clone(), field_elem(f)]);
    }
    set.remove_subtree(&[meta, field_elem("managedFields")]);
    match reset {
        Reset::Nothing => {}
        Reset::Status => set.remove_subtree(&[field_elem("status")]),
        Reset::AllButStatus => set.retain_subtree(&field_elem("status")),
    }
}

/// `obj` without `metadata.managedFields`, for comparing and merging.
pub fn without_managed_fields(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        m.shift_remove("managedFields");
    }
    o
}

/// Folds the oldest update entries into `ancient-changes` until at most
/// [`MAX_UPDATE_MANAGERS`] remain.
pub fn cap_updates(entries: &mut Vec<Entry>) {
    loop {
        let mut updates: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].operation == UPDATE)
            .collect();
        if updates.len() <= MAX_UPDATE_MANAGERS {
            return;
        }
        updates.sort_by(|&a, &b| entries[a].time.cmp(&entries[b].time));
        let bucket = entries
            .iter()
            .position(|e| e.operation == UPDATE && e.manager == ANCIENT_CHANGES);
        let Some(&oldest) = updates.iter().find(|&&i| Some(i) != bucket) else {
            return;
        };
        let old = entries.remove(oldest);
        let bucket = bucket.map(|b| if b > oldest { b - 1 } else { b });
        match bucket {
            Some(b) => {
                let e = &mut entries[b];
                e.set = e.set.union(&old.set);
                e.time = e.time.clone().max(old.time);
            }
            // Renaming alone does not shrink the list; the next round folds another entry in.
            None => entries.push(Entry {
                manager: ANCIENT_CHANGES.to_string(),
                ..old
            }),
        }
    }
}

/// Records a non-apply write: fields the write added or changed move to `manager`'s
/// `Update` entry (for `subresource`) and leave every other entry; removed fields leave all.
pub fn record_update(old: Option<&Value>, new: &mut Value, manager: &str, subresource: Option<&str>) {
    if !new.get("metadata").is_some_and(Value::is_object) {
        return;
    }
    let api_version = new
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut entries = managers_for_write(old, new, subresource);
    let walker = Walker::new(Schema::Builtin, false);
    let live = old.map(without_managed_fields).unwrap_or_else(|| json!({}));
    let target = without_managed_fields(new);
    let Ok(cmp) = walker.compare(&live, &target) else {
        encode(new, entries);
        return;
    };
    let mut changed = cmp.changed();
    strip_ignored(&mut changed, Reset::Nothing);
    let mut removed = cmp.removed;
    strip_ignored(&mut removed, Reset::Nothing);
    for e in entries.iter_mut() {
        e.set = e.set.difference(&changed).difference(&removed);
    }
    if !changed.is_empty() {
        match entries
            .iter_mut()
            .find(|e| e.is(manager, UPDATE, &api_version, subresource))
        {
            Some(e) => {
                e.set = e.set.union(&changed);
                e.time = Some(now());
            }
            None => entries.push(Entry::new(manager, UPDATE, &api_version, subresource, changed)),
        }
    }
    entries.retain(|e| !e.set.is_empty());
    cap_updates(&mut entries);
    encode(new, entries);
}

/// kube-apiserver's `decodeLiveOrNew`: a request may reset managedFields (`[]` or `[{}]`) or
/// replace them, but one that drops them, or writes a subresource, keeps the live ones.
fn managers_for_write(old: Option<&Value>, new: &Value, subresource: Option<&str>) -> Vec<Entry> {
    let live = || old.map(decode).unwrap_or_default();
    if subresource.is_some_and(|s| !s.is_empty()) {
        return live();
    }
    match new.pointer("/metadata/managedFields") {
        Some(Value::Array(a)) if a.is_empty() => Vec::new(),
        Some(Value::Array(a)) if a.len() == 1 && a[0].as_object().is_some_and(Map::is_empty) => Vec::new(),
        Some(_) => {
            let mine = decode(new);
            if mine.is_empty() { live() } else { mine }
        }
        None => live(),
    }
}
