//! The HPA's replica calculation and behaviour normalisation, after kube-controller-manager's
//! `replica_calculator.go` and `horizontal.go`: tolerance 0.1, missing and unready pods
//! handled conservatively, scale-up/down stabilisation windows and rate policies.

use serde_json::Value;
use std::collections::HashMap;

/// Ratio band around 1.0 in which the HPA does not scale.
pub const TOLERANCE: f64 = 0.1;

/// Usage and request of one pod for the metric's resource (requests `None` when a container
/// lacks one).
#[derive(Debug, Clone)]
pub struct PodSample {
    /// Pod name.
    pub name: String,
    /// Usage (millicores or bytes); `None` when the pod has no metrics.
    pub usage: Option<f64>,
    /// Sum of container requests; `Err(container)` names a container without one.
    pub request: Result<f64, String>,
    /// Pending pods count as unready.
    pub pending: bool,
    /// Ready condition (only CPU treats unready pods specially).
    pub ready: bool,
}

/// What a metric target asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Percentage of the request.
    Utilization(i64),
    /// Usage per pod (millicores or bytes).
    AverageValue(f64),
}

/// A metric's proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Replicas the metric asks for.
    pub replicas: i32,
    /// Current utilization in percent (for Utilization targets).
    pub utilization: Option<i64>,
    /// Average usage per pod.
    pub average: f64,
}

/// Replicas for one resource metric; `Err` carries the reason the metric is unusable.
pub fn replicas_for(
    resource: &str,
    current: i32,
    pods: &[PodSample],
    target: Target,
) -> Result<Proposal, String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let is_cpu = resource == "cpu";
    let mut metrics: HashMap<&str, f64> = HashMap::new();
    let (mut missing, mut unready) = (Vec::new(), Vec::new());
    let mut ready_count = 0i32;
    for p in pods {
        if p.pending {
            unready.push(p);
            continue;
        }
        let Some(u) = p.usage else {
            missing.push(p);
            continue;
        };
        if is_cpu && !p.ready {
            unready.push(p);
            continue;
        }
        metrics.insert(&p.name, u);
        ready_count += 1;
    }
    if metrics.is_empty() {
        return Err(format!(
            "did not receive metrics for targeted pods (pods might be unready): no {resource} metrics"
        ));
    }
    let requests: HashMap<&str, f64> = match target {
        Target::Utilization(_) => pods
            .iter()
            .map(|p| {
                p.request.clone().map(|r| (p.name.as_str(), r)).map_err(|c| {
                    format!(
                        "missing request for {resource} in container {c} of Pod {}",
                        p.name
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Target::AverageValue(_) => HashMap::new(),
    };
    let ratio_of = |m: &HashMap<&str, f64>| -> Result<(f64, Option<i64>, f64), String> {
        let total: f64 = m.values().sum();
        let average = total / m.len().max(1) as f64;
        match target {
            Target::Utilization(t) => {
                let req: f64 = m.keys().filter_map(|k| requests.get(k)).sum();
                if req <= 0.0 {
                    return Err(format!("no metrics returned matched known pods for {resource}"));
                }
                let util = (total * 100.0 / req) as i64;
                Ok((util as f64 / t.max(1) as f64, Some(util), average))
            }
            Target::AverageValue(v) => Ok((average / v.max(f64::MIN_POSITIVE), None, average)),
        }
    };
    let (ratio, utilization, average) = ratio_of(&metrics)?;
    let proposal = |replicas| Proposal {
        replicas,
        utilization,
        average,
    };
    let scale_up_with_unready = !unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok(proposal(current));
        }
        return Ok(proposal((ratio * f64::from(ready_count)).ceil() as i32));
    }
    // Missing pods count against the direction of the change, so it stays conservative.
    for p in &missing {
        let v = if ratio < 1.0 {
            match target {
                Target::Utilization(t) => {
                    requests.get(p.name.as_str()).copied().unwrap_or(0.0) * (t.max(100) as f64) / 100.0
                }
                Target::AverageValue(v) => v,
            }
        } else {
            0.0
        };
        metrics.insert(&p.name, v);
    }
    if scale_up_with_unready {
        for p in &unready {
            metrics.insert(&p.name, 0.0);
        }
    }
    let (new_ratio, _, _) = ratio_of(&metrics)?;
    if (1.0 - new_ratio).abs() <= TOLERANCE
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(proposal(current));
    }
    let replicas = (new_ratio * metrics.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok(proposal(current));
    }
    Ok(proposal(replicas))
}

/// One scaling policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `Pods` or `Percent`.
    pub percent: bool,
    /// Pods or percent per period.
    pub value: i32,
    /// Period in seconds.
    pub period: i64,
}

/// Scaling rules of one direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Stabilization window in seconds.
    pub window: i64,
    /// `Max`, `Min` or `Disabled`.
    pub select: String,
    /// Policies.
    pub policies: Vec<Policy>,
}

impl Rules {
    /// The rules of `behavior.scaleUp` or `.scaleDown`, with Kubernetes' defaults.
    pub fn from_spec(v: Option<&Value>, up: bool) -> Self {
        let mut r = if up {
            Self {
                window: 0,
                select: "Max".into(),
                policies: vec![
                    Policy {
                        percent: false,
                        value: 4,
                        period: 15,
                    },
                    Policy {
                        percent: true,
                        value: 100,
                        period: 15,
                    },
                ],
            }
        } else {
            Self {
                window: 300,
                select: "Max".into(),
                policies: vec![Policy {
                    percent: true,
                    value: 100,
                    period: 15,
                }],
            }
        };
        let Some(v) = v else { return r };
        if let Some(w) = v["stabilizationWindowSeconds"].as_i64() {
            r.window = w;
        }
        if let Some(s) = v["selectPolicy"].as_str() {
            r.select = s.to_string();
        }
        if let Some(ps) = v["policies"].as_array() {
            r.policies = ps
                .iter()
                .map(|p| Policy {
                    percent: p["type"] == "Percent",
                    value: p["value"].as_i64().unwrap_or(0) as i32,
                    period: p["periodSeconds"].as_i64().unwrap_or(15),
                })
                .collect();
        }
        r
    }
}

/// Replica changes within a period.
fn change_in(events: &[(i64, i32)], now: i64, period: i64) -> i32 {
    events
        .iter()
        .filter(|(t, _)| *t > now - period)
        .map(|(_, n)| n)
        .sum()
}

/// The most replicas the scale-up rules allow now.
pub fn scale_up_limit(current: i32, up: &[(i64, i32)], down: &[(i64, i32)], r: &Rules, now: i64) -> i32 {
    if r.select == "Disabled" {
        return current;
    }
    let min_select = r.select == "Min";
    let mut result = if min_select { i32::MAX } else { i32::MIN };
    for p in &r.policies {
        let start = current - change_in(up, now, p.period) + change_in(down, now, p.period);
        let proposed = if p.percent {
            (f64::from(start) * (1.0 + f64::from(p.value) / 100.0)).ceil() as i32
        } else {
            start + p.value
        };
        result = if min_select {
            result.min(proposed)
        } else {
            result.max(proposed)
        };
    }
    result
}

/// The fewest replicas the scale-down rules allow now.
pub fn scale_down_limit(current: i32, up: &[(i64, i32)], down: &[(i64, i32)], r: &Rules, now: i64) -> i32 {
    if r.select == "Disabled" {
        return current;
    }
    let min_select = r.select == "Min";
    let mut result = if min_select { i32::MIN } else { i32::MAX };
    for p in &r.policies {
        let start = current - change_in(up, now, p.period) + change_in(down, now, p.period);
        let proposed = if p.percent {
            (f64::from(start) * (1.0 - f64::from(p.value) / 100.0)) as i32
        } else {
            start - p.value
        };
        result = if min_select {
            result.max(proposed)
        } else {
            result.min(proposed)
        };
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, usage: f64, request: f64) -> PodSample {
        PodSample {
            name: name.into(),
            usage: Some(usage),
            request: Ok(request),
            pending: false,
            ready: true,
        }
    }

    #[test]
    fn utilization_within_tolerance_keeps_replicas() {
        let pods = [pod("a", 105.0, 100.0), pod("b", 105.0, 100.0)];
        let p = replicas_for("cpu", 2, &pods, Target::Utilization(100)).unwrap();
        assert_eq!((p.replicas, p.utilization), (2, Some(105)));
        let hot = [pod("a", 200.0, 100.0), pod("b", 200.0, 100.0)];
        assert_eq!(
            replicas_for("cpu", 2, &hot, Target::Utilization(50))
                .unwrap()
                .replicas,
            8
        );
    }

    #[test]
    fn missing_requests_are_named() {
        let mut p = pod("web-1", 10.0, 1.0);
        p.request = Err("app".into());
        let err = replicas_for("cpu", 1, &[p], Target::Utilization(50)).unwrap_err();
        assert_eq!(err, "missing request for cpu in container app of Pod web-1");
    }

    #[test]
    fn default_rate_limits() {
        let up = Rules::from_spec(None, true);
        assert_eq!(scale_up_limit(1, &[], &[], &up, 0), 5, "4 pods beat 100 % of 1");
        assert_eq!(scale_up_limit(10, &[], &[], &up, 0), 20, "100 % beats 4 pods");
        let down = Rules::from_spec(None, false);
        assert_eq!((down.window, scale_down_limit(10, &[], &[], &down, 0)), (300, 0));
    }
}
