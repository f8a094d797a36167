//! Resource arithmetic shared by the scheduler, the kubelets and the node lifecycle: a pod's
//! effective requests as kube-scheduler computes them, and node allocatable.

use crate::validation::parse_quantity;
use serde_json::Value;

/// CPU (millicores), memory (bytes) and a pod count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Resources {
    /// Millicores.
    pub cpu: f64,
    /// Bytes.
    pub memory: f64,
    /// Pods.
    pub pods: f64,
}

impl Resources {
    /// Component-wise sum.
    pub fn add(&mut self, o: &Resources) {
        self.cpu += o.cpu;
        self.memory += o.memory;
        self.pods += o.pods;
    }

    fn max(&mut self, o: &Resources) {
        self.cpu = self.cpu.max(o.cpu);
        self.memory = self.memory.max(o.memory);
    }
}

fn quantity(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_str).and_then(parse_quantity)
}

fn of(list: Option<&Value>) -> Resources {
    let Some(l) = list else {
        return Resources::default();
    };
    Resources {
        cpu: quantity(l, "cpu").map_or(0.0, |c| c * 1000.0),
        memory: quantity(l, "memory").unwrap_or(0.0),
        pods: 0.0,
    }
}

/// What one container asks for: its requests, or its limits where requests are unset (the
/// API server defaults requests to limits).
pub fn container_requests(c: &Value) -> Resources {
    let req = of(c.pointer("/resources/requests"));
    let lim = of(c.pointer("/resources/limits"));
    Resources {
        cpu: if c.pointer("/resources/requests/cpu").is_some() {
            req.cpu
        } else {
            lim.cpu
        },
        memory: if c.pointer("/resources/requests/memory").is_some() {
            req.memory
        } else {
            lim.memory
        },
        pods: 0.0,
    }
}

/// The memory limit of a container in bytes, if set.
pub fn memory_limit(c: &Value) -> Option<f64> {
    c.pointer("/resources/limits/memory")
        .and_then(Value::as_str)
        .and_then(parse_quantity)
}

/// A pod's effective requests (`computePodResourceRequest`): the sum over app containers and
/// restartable init containers, at least the largest plain init container, plus overhead.
pub fn pod_requests(pod: &Value) -> Resources {
    let spec = &pod["spec"];
    let mut sum = Resources::default();
    for c in spec["containers"].as_array().into_iter().flatten() {
        sum.add(&container_requests(c));
    }
    let mut init_max = Resources::default();
    let mut sidecars = Resources::default();
    for c in spec["initContainers"].as_array().into_iter().flatten() {
        let r = container_requests(c);
        if c["restartPolicy"] == "Always" {
            sidecars.add(&r);
            sum.add(&r);
        } else {
            // A plain init container runs next to the sidecars started before it.
            let mut with = sidecars;
            with.add(&r);
            init_max.max(&with);
        }
    }
    sum.max(&init_max);
    sum.add(&of(spec.get("overhead")));
    sum.pods = 1.0;
    sum
}

/// A node's allocatable resources (capacity when allocatable is missing).
pub fn allocatable(node: &Value) -> Resources {
    let st = &node["status"];
    let list = st.get("allocatable").or_else(|| st.get("capacity"));
    let mut r = of(list);
    r.pods = list.and_then(|l| quantity(l, "pods")).unwrap_or(110.0);
    r
}

/// Whether a pod still holds its node's resources (bound and not finished).
pub fn holds_resources(pod: &Value) -> bool {
    let bound = pod["spec"]["nodeName"].as_str().is_some_and(|n| !n.is_empty());
    bound && !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pod_requests_follow_the_scheduler() {
        let pod = json!({"spec": {
            "containers": [{"resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}},
                           {"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
            "initContainers": [{"resources": {"requests": {"cpu": "2"}}}]}});
        let r = pod_requests(&pod);
        assert_eq!(r.cpu, 2000.0, "the big init container dominates CPU");
        assert_eq!(r.memory, 64.0 * 1024.0 * 1024.0 + 1024.0 * 1024.0 * 1024.0);
        assert_eq!(r.pods, 1.0);
    }
}
