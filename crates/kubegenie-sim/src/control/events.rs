//! Recording core/v1 Events as components do: one Event per (object, type, reason, message),
//! with `count` and `lastTimestamp` bumped when the same thing happens again (the kubelet's
//! "Back-off restarting failed container (x12 over 5m)").

use crate::handlers::write::{self, Opts};
use crate::object;
use crate::state::ClusterState;
use serde_json::{Value, json};
use std::sync::Arc;

/// Normal or Warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Expected operation.
    Normal,
    /// Something is wrong.
    Warning,
}

impl EventType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "Normal",
            Self::Warning => "Warning",
        }
    }
}

/// Who reports the event (`source.component`, `source.host`).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// E.g. `kubelet`, `default-scheduler`, `deployment-controller`.
    pub component: &'a str,
    /// Node name for kubelet events.
    pub host: Option<&'a str>,
}

/// Records an event about `involved` (a full object), aggregating repeats.
pub fn record(
    st: &Arc<ClusterState>,
    involved: &Value,
    field_path: Option<&str>,
    ty: EventType,
    reason: &str,
    message: &str,
    source: Source<'_>,
) {
    let ns = match object::namespace(involved) {
        "" => "default",
        ns => ns,
    };
    let uid = object::uid(involved);
    let key = format!(
        "{uid}/{}/{reason}/{message}/{}",
        ty.as_str(),
        field_path.unwrap_or_default()
    );
    let now = st.now_string();
    let Some(rt) = st.resource("", "v1", "events") else {
        return;
    };
    let existing = st
        .event_index
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .cloned();
    if let Some(name) = existing
        && let Some(cur) = st.store.get(&rt.storage, ns, &name)
    {
        let mut ev = cur.value.clone();
        let count = ev["count"].as_i64().unwrap_or(1) + 1;
        ev["count"] = json!(count);
        ev["lastTimestamp"] = json!(now);
        if write::update(
            st,
            &rt,
            Some(ns),
            &name,
            ev,
            None,
            &Opts::internal(source.component),
        )
        .is_ok()
        {
            return;
        }
    }
    let name = format!("{}.{:016x}", object::name(involved), st.random_u64());
    let mut involved_ref = json!({
        "kind": involved["kind"], "namespace": object::namespace(involved), "name": object::name(involved),
        "uid": uid, "apiVersion": involved["apiVersion"], "resourceVersion": object::resource_version(involved),
    });
    if let Some(fp) = field_path {
        involved_ref["fieldPath"] = json!(fp);
    }
    if object::namespace(involved).is_empty()
        && let Some(m) = involved_ref.as_object_mut()
    {
        m.remove("namespace");
    }
    let mut src = json!({"component": source.component});
    if let Some(h) = source.host {
        src["host"] = json!(h);
    }
    let ev = json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": ns},
        "involvedObject": involved_ref, "reason": reason, "message": message, "source": src,
        "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": ty.as_str(),
        "eventTime": null, "reportingComponent": source.component, "reportingInstance": source.host.unwrap_or_default(),
    });
    if write::create(st, &rt, Some(ns), ev, &Opts::internal(source.component)).is_ok() {
        st.event_index
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, name);
    }
}
