//! `autoscaling/v1` HorizontalPodAutoscalers over stored `autoscaling/v2` ones.
//!
//! v1 has a single CPU utilisation target; whatever v2 holds beyond it (other metrics, the
//! scaling behaviour, conditions, other current metrics) travels in the
//! `autoscaling.alpha.kubernetes.io/*` annotations, as kube-apiserver's conversion does, so a
//! read-modify-write through v1 loses nothing.

use serde_json::{Map, Value, json};

const METRICS: &str = "autoscaling.alpha.kubernetes.io/metrics";
const BEHAVIOR: &str = "autoscaling.alpha.kubernetes.io/behavior";
const CONDITIONS: &str = "autoscaling.alpha.kubernetes.io/conditions";
const CURRENT_METRICS: &str = "autoscaling.alpha.kubernetes.io/current-metrics";

fn is_cpu(metric: &Value) -> bool {
    metric["type"] == "Resource" && metric["resource"]["name"] == "cpu"
}

fn is_cpu_utilisation_target(metric: &Value) -> bool {
    is_cpu(metric) && metric["resource"]["target"]["type"] == "Utilization"
}

fn annotations(obj: &mut Value) -> &mut Map<String, Value> {
    let meta = obj
        .as_object_mut()
        .map(|o| o.entry("metadata").or_insert_with(|| json!({})));
    let Some(Value::Object(meta)) = meta else {
        unreachable!("an HPA is a JSON object");
    };
    match meta.entry("annotations").or_insert_with(|| json!({})) {
        Value::Object(a) => a,
        other => {
            *other = json!({});
            other.as_object_mut().expect("just set")
        }
    }
}

/// Moves a list (as JSON text) into an annotation when it is not empty.
fn annotate(obj: &mut Value, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        annotations(obj).insert(key.into(), Value::String(Value::Array(items).to_string()));
    }
}

/// Takes a JSON list back out of an annotation.
fn take_annotation(obj: &mut Value, key: &str) -> Option<Value> {
    let a = obj.pointer_mut("/metadata/annotations")?.as_object_mut()?;
    let text = a.remove(key)?;
    if a.is_empty()
        && let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.remove("annotations");
    }
    serde_json::from_str(text.as_str()?).ok()
}

/// The v1 view of a stored v2 HPA.
pub fn to_v1(mut v2: Value) -> Value {
    if !v2.is_object() {
        return v2;
    }
    let spec = v2.get("spec").cloned().unwrap_or_else(|| json!({}));
    let status = v2.get("status").cloned();
    let metrics: Vec<Value> = spec["metrics"].as_array().cloned().unwrap_or_default();
    let (cpu, others): (Vec<Value>, Vec<Value>) = metrics.into_iter().partition(is_cpu_utilisation_target);
    annotate(&mut v2, METRICS, others);
    if let Some(b) = spec.get("behavior").filter(|b| !b.is_null()) {
        annotations(&mut v2).insert(BEHAVIOR.into(), Value::String(b.to_string()));
    }
    let mut s1 = Map::new();
    for k in ["scaleTargetRef", "minReplicas", "maxReplicas"] {
        if let Some(v) = spec.get(k) {
            s1.insert(k.into(), v.clone());
        }
    }
    if let Some(p) = cpu
        .first()
        .and_then(|m| m["resource"]["target"].get("averageUtilization"))
    {
        s1.insert("targetCPUUtilizationPercentage".into(), p.clone());
    }
    v2["spec"] = Value::Object(s1);
    v2["apiVersion"] = json!("autoscaling/v1");
    if let Some(st) = status {
        let current: Vec<Value> = st["currentMetrics"].as_array().cloned().unwrap_or_default();
        let (cpu_now, other_now): (Vec<Value>, Vec<Value>) = current.into_iter().partition(is_cpu);
        annotate(&mut v2, CURRENT_METRICS, other_now);
        annotate(
            &mut v2,
            CONDITIONS,
            st["conditions"].as_array().cloned().unwrap_or_default(),
        );
        let mut s = Map::new();
        for k in [
            "observedGeneration",
            "lastScaleTime",
            "currentReplicas",
            "desiredReplicas",
        ] {
            if let Some(v) = st.get(k) {
                s.insert(k.into(), v.clone());
            }
        }
        if let Some(u) = cpu_now
            .first()
            .and_then(|m| m["resource"]["current"].get("averageUtilization"))
        {
            s.insert("currentCPUUtilizationPercentage".into(), u.clone());
        }
        s.entry("currentReplicas").or_insert(json!(0));
        s.entry("desiredReplicas").or_insert(json!(0));
        v2["status"] = Value::Object(s);
    }
    v2
}

/// The stored v2 form of an HPA received as v1.
pub fn to_v2(mut v1: Value) -> Value {
    if !v1.is_object() {
        return v1;
    }
    let mut metrics = match take_annotation(&mut v1, METRICS) {
        Some(Value::Array(m)) => m,
        _ => Vec::new(),
    };
    let behavior = take_annotation(&mut v1, BEHAVIOR);
    let conditions = take_annotation(&mut v1, CONDITIONS);
    let mut current = match take_annotation(&mut v1, CURRENT_METRICS) {
        Some(Value::Array(m)) => m,
        _ => Vec::new(),
    };
    if let Some(spec) = v1.get_mut("spec").and_then(Value::as_object_mut) {
        if let Some(p) = spec.remove("targetCPUUtilizationPercentage") {
            metrics.insert(
                0,
                json!({"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": p}}}),
            );
        }
        if !metrics.is_empty() {
            spec.insert("metrics".into(), Value::Array(metrics));
        }
        if let Some(b) = behavior {
            spec.insert("behavior".into(), b);
        }
    }
    if let Some(st) = v1.get_mut("status").and_then(Value::as_object_mut) {
        if let Some(u) = st.remove("currentCPUUtilizationPercentage") {
            current.insert(
                0,
                json!({"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": u}}}),
            );
        }
        if !current.is_empty() {
            st.insert("currentMetrics".into(), Value::Array(current));
        }
        if let Some(c) = conditions {
            st.insert("conditions".into(), c);
        }
    }
    v1["apiVersion"] = json!("autoscaling/v2");
    v1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> Value {
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2, "maxReplicas": 10,
                "metrics": [
                    {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}},
                    {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 70}}}],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}},
            "status": {"currentReplicas": 3, "desiredReplicas": 4,
                "currentMetrics": [
                    {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 81, "averageValue": "81m"}}},
                    {"type": "Resource", "resource": {"name": "memory", "current": {"averageUtilization": 40, "averageValue": "40Mi"}}}],
                "conditions": [{"type": "AbleToScale", "status": "True", "reason": "SucceededRescale"}]}})
    }

    #[test]
    fn v1_shows_the_cpu_target_and_keeps_the_rest_in_annotations() {
        let v1 = to_v1(stored());
        assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 50);
        assert!(v1["spec"].get("metrics").is_none());
        assert_eq!(v1["status"]["currentCPUUtilizationPercentage"], 81);
        let a = &v1["metadata"]["annotations"];
        assert!(a[METRICS].as_str().unwrap().contains("memory"));
        assert!(
            a[BEHAVIOR]
                .as_str()
                .unwrap()
                .contains("stabilizationWindowSeconds")
        );
        assert!(a[CONDITIONS].as_str().unwrap().contains("AbleToScale"));
        assert!(a[CURRENT_METRICS].as_str().unwrap().contains("40Mi"));
    }

    #[test]
    fn a_round_trip_through_v1_loses_nothing_v1_can_carry() {
        let mut back = to_v2(to_v1(stored()));
        let mut want = stored();
        // v1 carries only the utilisation of the current CPU metric.
        want["status"]["currentMetrics"][0]["resource"]["current"] = json!({"averageUtilization": 81});
        back["apiVersion"] = want["apiVersion"].clone();
        assert_eq!(back, want);
    }

    #[test]
    fn what_kubectl_autoscale_sends_becomes_a_v2_cpu_metric() {
        let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2, "maxReplicas": 10, "targetCPUUtilizationPercentage": 50}});
        let v2 = to_v2(v1);
        assert_eq!(v2["apiVersion"], "autoscaling/v2");
        assert_eq!(
            v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            50
        );
        assert!(v2["metadata"].get("annotations").is_none());
    }
}
