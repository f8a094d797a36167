//! Conversion between a served version and the stored form (see `catalog::Conversion`).
//!
//! HorizontalPodAutoscalers are served as autoscaling/v1 over stored v2 ones (see [`hpa`]).
//! Events have two shapes too: `events.k8s.io/v1` renames and regroups the fields of the
//! core/v1 Event it is stored as (regarding ↔ involvedObject, note ↔ message,
//! reportingController ↔ reportingComponent, the `deprecated*` fields ↔ source, first and last
//! timestamps and count). Every other type differs only in `apiVersion`.

mod hpa;

use crate::catalog::{Conversion, ResourceType};
use serde_json::{Map, Value};

/// Field renames between events.k8s.io/v1 (left) and core/v1 (right).
const EVENT_FIELDS: &[(&str, &str)] = &[
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
    ("reportingController", "reportingComponent"),
];

/// Renames the Event fields of `obj` towards core/v1 (`to_core`) or events.k8s.io/v1.
fn rename(obj: Value, to_core: bool) -> Value {
    let Value::Object(map) = obj else { return obj };
    let mut out = Map::with_capacity(map.len());
    for (k, v) in map {
        let renamed = EVENT_FIELDS.iter().find_map(|(v1, core)| {
            if to_core && k == *v1 {
                Some(*core)
            } else if !to_core && k == *core {
                Some(*v1)
            } else {
                None
            }
        });
        match renamed {
            Some(new) => {
                out.insert(new.to_string(), v);
            }
            None => {
                // A field of the other shape that has no counterpart here is dropped, as
                // a typed conversion would.
                let foreign = EVENT_FIELDS
                    .iter()
                    .any(|(v1, core)| if to_core { k == *core } else { k == *v1 });
                if !foreign {
                    out.insert(k, v);
                }
            }
        }
    }
    Value::Object(out)
}

/// A stored core/v1 Event as an `events.k8s.io/v1` Event.
pub fn event_to_v1(core: Value) -> Value {
    let mut v = rename(core, false);
    if let Some(m) = v.as_object_mut() {
        // A core Event without a count is a singleton; events.k8s.io omits the zero count.
        if m.get("deprecatedCount").and_then(Value::as_i64) == Some(0) {
            m.remove("deprecatedCount");
        }
        m.insert("apiVersion".into(), Value::String("events.k8s.io/v1".into()));
        m.insert("kind".into(), Value::String("Event".into()));
    }
    v
}

/// An `events.k8s.io/v1` Event as the core/v1 Event it is stored as.
pub fn event_to_core(v1: Value) -> Value {
    let mut core = rename(v1, true);
    if let Some(m) = core.as_object_mut() {
        m.insert("apiVersion".into(), Value::String("v1".into()));
        m.insert("kind".into(), Value::String("Event".into()));
    }
    core
}

/// The object as served under `rt`, from its stored form.
pub fn to_served(rt: &ResourceType, stored: Value) -> Value {
    match rt.conversion {
        Conversion::EventsV1 => event_to_v1(stored),
        Conversion::HpaV1 => hpa::to_v1(stored),
        Conversion::None => {
            let mut stored = stored;
            if stored.is_object() {
                stored["apiVersion"] = Value::String(rt.api_version());
            }
            stored
        }
    }
}

/// The stored form of an object received under `rt`.
pub fn to_stored(rt: &ResourceType, served: Value) -> Value {
    match rt.conversion {
        Conversion::EventsV1 => event_to_core(served),
        Conversion::HpaV1 => hpa::to_v2(served),
        Conversion::None => served,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use serde_json::json;

    fn events_v1() -> ResourceType {
        (*Catalog::builtin()
            .get("events.k8s.io", "v1", "events")
            .expect("events.k8s.io"))
        .clone()
    }

    fn core_event() -> Value {
        json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "web-1.17f", "namespace": "default", "resourceVersion": "42"},
            "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-1", "fieldPath": "spec.containers{app}"},
            "reason": "BackOff", "message": "Back-off restarting failed container app",
            "source": {"component": "kubelet", "host": "node-1"},
            "firstTimestamp": "2025-06-01T11:00:00Z", "lastTimestamp": "2025-06-01T11:55:00Z",
            "count": 12, "type": "Warning", "eventTime": null,
            "reportingComponent": "kubelet", "reportingInstance": "node-1"
        })
    }

    #[test]
    fn core_to_v1_and_back() {
        let rt = events_v1();
        let v1 = to_served(&rt, core_event());
        assert_eq!(v1["apiVersion"], "events.k8s.io/v1");
        assert_eq!(v1["regarding"]["name"], "web-1");
        assert_eq!(v1["note"], "Back-off restarting failed container app");
        assert_eq!(v1["deprecatedSource"]["host"], "node-1");
        assert_eq!(v1["deprecatedFirstTimestamp"], "2025-06-01T11:00:00Z");
        assert_eq!(v1["deprecatedLastTimestamp"], "2025-06-01T11:55:00Z");
        assert_eq!(v1["deprecatedCount"], 12);
        assert_eq!(v1["reportingController"], "kubelet");
        assert_eq!(v1["reportingInstance"], "node-1");
        for gone in [
            "involvedObject",
            "message",
            "source",
            "firstTimestamp",
            "count",
            "reportingComponent",
        ] {
            assert!(v1.get(gone).is_none(), "{gone}");
        }
        let back = to_stored(&rt, v1);
        assert_eq!(back, core_event());
    }

    #[test]
    fn v1_to_core() {
        let rt = events_v1();
        let v1 = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "x", "namespace": "default"},
            "eventTime": "2025-06-01T11:00:00.000000Z", "reportingController": "example.com/ctl",
            "reportingInstance": "ctl-0", "action": "Reconcile", "reason": "Synced",
            "regarding": {"kind": "Deployment", "name": "web"}, "note": "synced", "type": "Normal",
            "series": {"count": 3, "lastObservedTime": "2025-06-01T11:05:00.000000Z"}});
        let core = to_stored(&rt, v1);
        assert_eq!(core["apiVersion"], "v1");
        assert_eq!(core["involvedObject"]["kind"], "Deployment");
        assert_eq!(core["message"], "synced");
        assert_eq!(core["reportingComponent"], "example.com/ctl");
        assert_eq!(core["series"]["count"], 3);
        assert_eq!(core["action"], "Reconcile");
    }

    #[test]
    fn other_types_only_change_api_version() {
        let mut rt = ResourceType::builtin("example.com", "v2", "Widget", "widgets", true);
        rt.crd = Some("widgets.example.com".into());
        let served = to_served(
            &rt,
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"a": 1}}),
        );
        assert_eq!(
            served,
            json!({"apiVersion": "example.com/v2", "kind": "Widget", "spec": {"a": 1}})
        );
        assert_eq!(to_stored(&rt, served.clone()), served);
        assert_eq!(to_served(&rt, json!("not an object")), json!("not an object"));
        assert_eq!(event_to_core(json!(null)), json!(null));
    }
}
