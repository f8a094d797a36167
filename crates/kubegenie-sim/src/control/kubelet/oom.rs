//! When the kernel OOM-kills a container: the first moment its working set, as the observability
//! surfaces compute it ([`crate::observe::usage::container_memory`]), passes its memory limit.
//! Deciding from the same curve keeps `kubectl top` and the OOMKilled time in agreement.

use super::container::{Ctr, after};
use crate::behaviour::{Amount, Fault};
use crate::observe::usage::{self, OOM_RAMP};
use jiff::Timestamp;
use serde_json::Value;
use std::time::Duration;

/// Longest look-ahead for a crossing; a container that survives it is checked again at its
/// next start.
const HORIZON: Duration = Duration::from_secs(24 * 3600);

/// Seconds after a start at `t` when container `c` of `pod` is OOM-killed, if it is.
pub fn oom_after(seed: u64, pod: &Value, c: &Ctr, replicas: u32, t: Timestamp) -> Option<f64> {
    let oom_fault = matches!(c.behaviour.fault, Some(Fault::Oom));
    let Some(limit) = c.mem_limit else {
        // Without a limit only the `oom` fault grows until the node's OOM killer acts.
        return oom_fault.then(|| OOM_RAMP.as_secs_f64() + 1.0);
    };
    let over = |secs: f64| {
        let running = Duration::from_secs_f64(secs);
        let at = after(t, secs);
        usage::container_memory(seed, pod, &c.name, &c.behaviour, at, running, replicas) > limit
    };
    if oom_fault {
        // The ramp reaches the limit at OOM_RAMP; the noise can make it a little earlier.
        let ramp = OOM_RAMP.as_secs();
        return Some(
            (1..=ramp + 5)
                .map(|s| s as f64)
                .find(|s| over(*s))
                .unwrap_or(ramp as f64 + 1.0),
        );
    }
    // An upper bound of the model without its leak tells from when a crossing is possible,
    // so a healthy model costs no scan at all.
    let m = usage::memory_model(seed, pod, &c.name, &c.behaviour);
    let base = m.base.value().unwrap_or(0.0)
        / if m.shared_by_replicas {
            f64::from(replicas.max(1))
        } else {
            1.0
        };
    let spike = m.spike.as_ref().map_or(1.0, |s| s.factor.max(1.0));
    let peak = base * (1.0 + m.daily_amplitude.max(0.0)) * spike * (1.0 + 4.0 * m.noise.abs());
    let leak = m.leak_per_hour.as_ref().and_then(Amount::value).unwrap_or(0.0);
    let from = if peak >= limit {
        0.0
    } else if leak > 0.0 {
        (limit - peak) / leak * 3600.0
    } else {
        return None;
    };
    // Minute steps: samples are drawn per minute of the clock.
    let first = (from / 60.0).floor().max(1.0) as u64;
    (first..first + HORIZON.as_secs() / 60)
        .map(|m| (m * 60) as f64)
        .find(|s| over(*s))
}
