//! How a simulated container behaves: its CPU and memory usage over time, the fault it suffers,
//! how slowly it starts, and how it logs. The kubelet, the metrics and log surfaces and the
//! scenarios all read the same model, so what a test scripts is what every agent sees.
//!
//! A behaviour comes from, in increasing precedence:
//! 1. image conventions any client can use: a tag `bad` or the registry host `invalid.example`
//!    fails to pull, tag `crash` exits 1 shortly after start, tag `oom` grows past its memory
//!    limit and is OOM-killed; any other image runs healthily;
//! 2. the pod annotation `sim.kubegenie.io/behaviour` (JSON or YAML), for every container;
//! 3. the pod annotation `sim.kubegenie.io/behaviour.<container>`, for one container.
//!
//! Usage samples are a pure function of (seed, series key, time), so live metrics, the history
//! exporter and a rerun with the same seed agree exactly.

use crate::clock::SimRng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// The annotation carrying a behaviour for every container of a pod.
pub const ANNOTATION: &str = "sim.kubegenie.io/behaviour";

/// A container's behaviour.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Behaviour {
    /// CPU usage in millicores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<UsageModel>,
    /// Memory usage (working set) in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<UsageModel>,
    /// The fault the container suffers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// Seconds between the container starting and becoming ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_seconds: Option<f64>,
    /// How the container logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logs: Option<LogProfile>,
}

/// Usage over time: a baseline with noise, a daily cycle, periodic spikes and a leak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsageModel {
    /// Baseline, as a Kubernetes quantity (`250m`, `0.5`, `300Mi`) or a plain number (millicores
    /// for CPU, bytes for memory).
    pub base: Amount,
    /// Relative standard deviation of the noise (0.05 = ±5 %).
    #[serde(default = "default_noise")]
    pub noise: f64,
    /// Extra usage at the daily peak, as a fraction of the baseline (0.5 = +50 % at the peak).
    #[serde(default)]
    pub daily_amplitude: f64,
    /// Hour of the daily peak (UTC, 0-24).
    #[serde(default = "default_peak_hour")]
    pub peak_hour: f64,
    /// Periodic spikes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spike: Option<Spike>,
    /// Growth per hour since the container started (a leak), in the same unit as `base`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leak_per_hour: Option<Amount>,
    /// When set, `base` is the load of the whole workload, shared by its ready replicas (so
    /// scaling out lowers per-pod usage, which is what an HPA acts on).
    #[serde(default)]
    pub shared_by_replicas: bool,
}

fn default_noise() -> f64 {
    0.05
}

fn default_peak_hour() -> f64 {
    14.0
}

/// Periodic spikes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Spike {
    /// Minutes between spike starts.
    pub every_minutes: f64,
    /// Minutes a spike lasts.
    pub duration_minutes: f64,
    /// Usage multiplier during a spike.
    pub factor: f64,
}

/// A quantity or a plain number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    /// A plain number.
    Number(f64),
    /// A Kubernetes quantity string.
    Quantity(String),
}

impl Amount {
    /// The value in base units (cores for CPU quantities, bytes for memory); `None` when the
    /// quantity does not parse.
    pub fn value(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Quantity(q) => crate::validation::parse_quantity(q),
        }
    }

    /// The value as millicores: quantities are cores, plain numbers are already millicores.
    pub fn millicores(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Quantity(q) => crate::validation::parse_quantity(q).map(|c| c * 1000.0),
        }
    }
}

/// A fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Fault {
    /// Exits shortly after every start (CrashLoopBackOff).
    #[serde(rename_all = "camelCase")]
    CrashOnStart {
        /// Exit code.
        #[serde(default = "default_exit_code")]
        exit_code: i32,
        /// Seconds of running before the exit.
        #[serde(default = "default_crash_seconds")]
        after_seconds: f64,
        /// Last log line before the exit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Exits after running for a while.
    #[serde(rename_all = "camelCase")]
    CrashAfter {
        /// Minutes of running before the exit.
        minutes: f64,
        /// Exit code.
        #[serde(default = "default_exit_code")]
        exit_code: i32,
    },
    /// Memory grows past the limit and the container is OOM-killed.
    Oom,
    /// The image cannot be pulled (ErrImagePull, then ImagePullBackOff).
    ImagePull,
    /// Runs but never passes its readiness probe.
    FailingReadiness,
}

fn default_exit_code() -> i32 {
    1
}

fn default_crash_seconds() -> f64 {
    3.0
}

/// How a container logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogProfile {
    /// Lines per minute in steady state.
    #[serde(default = "default_lines_per_minute")]
    pub lines_per_minute: f64,
    /// Share of lines at ERROR level in steady state.
    #[serde(default = "default_error_ratio")]
    pub error_ratio: f64,
    /// Log line style.
    #[serde(default)]
    pub format: LogFormat,
}

fn default_lines_per_minute() -> f64 {
    6.0
}

fn default_error_ratio() -> f64 {
    0.01
}

/// Log line style.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LogFormat {
    /// `2026-11-23T12:00:00Z INFO message`.
    #[default]
    Plain,
    /// One JSON object per line.
    Json,
}

/// Why a behaviour annotation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("annotation {annotation}: {message}")]
pub struct BehaviourError {
    /// Annotation key.
    pub annotation: String,
    /// What is wrong with it.
    pub message: String,
}

/// The behaviour an image name implies.
pub fn from_image(image: &str) -> Behaviour {
    let (repo, tag) = split_image(image);
    let host = repo
        .split('/')
        .next()
        .filter(|h| repo.contains('/') && (h.contains('.') || h.contains(':')));
    let fault = match tag {
        _ if host == Some("invalid.example") => Some(Fault::ImagePull),
        Some("bad") => Some(Fault::ImagePull),
        Some("crash") => Some(Fault::CrashOnStart {
            exit_code: 1,
            after_seconds: 3.0,
            message: None,
        }),
        Some("oom") => Some(Fault::Oom),
        _ => None,
    };
    Behaviour {
        fault,
        ..Default::default()
    }
}

/// (repository, tag) of an image reference; digests carry no tag.
fn split_image(image: &str) -> (&str, Option<&str>) {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].rfind(':') {
        Some(i) => (
            &without_digest[..last_slash + i],
            Some(&without_digest[last_slash + i + 1..]),
        ),
        None => (without_digest, None),
    }
}

fn parse_annotation(key: &str, text: &str) -> Result<Behaviour, BehaviourError> {
    serde_saphyr::from_str::<Behaviour>(text).map_err(|e| BehaviourError {
        annotation: key.to_string(),
        message: e.to_string(),
    })
}

/// The behaviour of container `container` (by name) of `pod`.
pub fn for_container(pod: &Value, container: &str) -> Result<Behaviour, BehaviourError> {
    let spec = pod.pointer("/spec/containers").and_then(Value::as_array);
    let image = spec
        .and_then(|cs| cs.iter().find(|c| c["name"] == container))
        .and_then(|c| c["image"].as_str())
        .unwrap_or_default();
    let mut b = from_image(image);
    let annotations = pod.pointer("/metadata/annotations").and_then(Value::as_object);
    let per_container = format!("{ANNOTATION}.{container}");
    for key in [ANNOTATION, per_container.as_str()] {
        if let Some(text) = annotations.and_then(|a| a.get(key)).and_then(Value::as_str) {
            b.overlay(parse_annotation(key, text)?);
        }
    }
    Ok(b)
}

impl Behaviour {
    /// Fields set in `other` replace those here.
    pub fn overlay(&mut self, other: Behaviour) {
        if other.cpu.is_some() {
            self.cpu = other.cpu;
        }
        if other.memory.is_some() {
            self.memory = other.memory;
        }
        if other.fault.is_some() {
            self.fault = other.fault;
        }
        if other.startup_seconds.is_some() {
            self.startup_seconds = other.startup_seconds;
        }
        if other.logs.is_some() {
            self.logs = other.logs;
        }
    }
}

impl UsageModel {
    /// A flat model at `base` with the default noise.
    pub fn flat(base: f64) -> Self {
        Self {
            base: Amount::Number(base),
            noise: default_noise(),
            daily_amplitude: 0.0,
            peak_hour: default_peak_hour(),
            spike: None,
            leak_per_hour: None,
            shared_by_replicas: false,
        }
    }

    /// Usage at `at`, `running` after the container started, with `replicas` ready replicas
    /// sharing the load. `unit` converts `base`/`leak` (use [`Amount::millicores`] for CPU,
    /// [`Amount::value`] for memory). Deterministic in (seed, key, minute of `at`).
    pub fn sample(
        &self,
        seed: u64,
        key: &str,
        at: jiff::Timestamp,
        running: Duration,
        replicas: u32,
        unit: fn(&Amount) -> Option<f64>,
    ) -> f64 {
        let mut v = unit(&self.base).unwrap_or(0.0);
        if self.shared_by_replicas {
            v /= f64::from(replicas.max(1));
        }
        let secs = at.as_second() as f64;
        let hour = (secs / 3600.0).rem_euclid(24.0);
        let phase = 2.0 * std::f64::consts::PI * (hour - self.peak_hour) / 24.0;
        v *= 1.0 + self.daily_amplitude * (1.0 + phase.cos()) / 2.0;
        if let Some(s) = &self.spike
            && s.every_minutes > 0.0
            && (secs / 60.0).rem_euclid(s.every_minutes) < s.duration_minutes
        {
            v *= s.factor;
        }
        if let Some(leak) = self.leak_per_hour.as_ref().and_then(unit) {
            v += leak * running.as_secs_f64() / 3600.0;
        }
        let minute = at.as_second().div_euclid(60);
        let mut rng = SimRng::derived(seed, &format!("{key}@{minute}"));
        (v * (1.0 + self.noise * rng.normal())).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn image_conventions() {
        assert_eq!(from_image("nginx:bad").fault, Some(Fault::ImagePull));
        assert_eq!(
            from_image("invalid.example/app:1.0").fault,
            Some(Fault::ImagePull)
        );
        assert!(matches!(
            from_image("shop/api:crash").fault,
            Some(Fault::CrashOnStart { exit_code: 1, .. })
        ));
        assert_eq!(
            from_image("registry.local:5000/worker:oom").fault,
            Some(Fault::Oom)
        );
        assert_eq!(
            from_image("registry.local:5000/worker").fault,
            None,
            "a port is not a tag"
        );
        assert_eq!(from_image("nginx@sha256:abc").fault, None);
        assert_eq!(from_image("nginx:1.27").fault, None);
    }

    #[test]
    fn annotations_override_images_per_container() {
        let pod = json!({"metadata": {"annotations": {
            "sim.kubegenie.io/behaviour": "cpu: {base: 250m}\nstartupSeconds: 5",
            "sim.kubegenie.io/behaviour.sidecar": "{\"fault\": {\"type\": \"crashAfter\", \"minutes\": 30}}"}},
            "spec": {"containers": [{"name": "app", "image": "shop/app:crash"}, {"name": "sidecar", "image": "envoy"}]}});
        let app = for_container(&pod, "app").unwrap();
        assert!(
            matches!(app.fault, Some(Fault::CrashOnStart { .. })),
            "the image convention still applies"
        );
        assert_eq!(app.cpu.unwrap().base.millicores(), Some(250.0));
        let side = for_container(&pod, "sidecar").unwrap();
        assert_eq!(
            side.fault,
            Some(Fault::CrashAfter {
                minutes: 30.0,
                exit_code: 1
            })
        );
        assert_eq!(side.startup_seconds, Some(5.0));
    }

    #[test]
    fn bad_annotations_name_the_annotation() {
        let pod = json!({"metadata": {"annotations": {"sim.kubegenie.io/behaviour": "cpu: {bse: 1}"}},
            "spec": {"containers": [{"name": "a", "image": "x"}]}});
        let err = for_container(&pod, "a").unwrap_err();
        assert_eq!(err.annotation, ANNOTATION);
        assert!(err.message.contains("bse"), "{}", err.message);
    }

    #[test]
    fn samples_are_deterministic_and_follow_the_model() {
        let at: jiff::Timestamp = "2026-11-23T14:00:00Z".parse().unwrap();
        let night: jiff::Timestamp = "2026-11-23T02:00:00Z".parse().unwrap();
        let m = UsageModel {
            daily_amplitude: 1.0,
            noise: 0.0,
            ..UsageModel::flat(100.0)
        };
        let s = |t, running| m.sample(7, "ns/p/c", t, running, 1, Amount::millicores);
        assert_eq!(s(at, Duration::ZERO), 200.0, "peak hour doubles with amplitude 1");
        assert_eq!(
            s(night, Duration::ZERO),
            100.0,
            "12 h away from the peak is the baseline"
        );
        let leaky = UsageModel {
            leak_per_hour: Some(Amount::Number(50.0)),
            noise: 0.0,
            ..UsageModel::flat(100.0)
        };
        assert_eq!(
            leaky.sample(7, "k", night, Duration::from_secs(7200), 1, Amount::value),
            200.0
        );
        let noisy = UsageModel::flat(100.0);
        let a = noisy.sample(7, "k", at, Duration::ZERO, 1, Amount::value);
        assert_eq!(a, noisy.sample(7, "k", at, Duration::ZERO, 1, Amount::value));
        let shared = UsageModel {
            shared_by_replicas: true,
            noise: 0.0,
            ..UsageModel::flat(300.0)
        };
        assert_eq!(
            shared.sample(1, "k", night, Duration::ZERO, 3, Amount::value),
            100.0
        );
    }
}
