//! Observability surfaces of a simulated cluster: container usage from the behaviour model,
//! the `metrics.k8s.io` API, generated pod logs, a Prometheus text endpoint and an OpenMetrics
//! history exporter. Everything is computed from (seed, object, time) on demand, nothing is
//! stored, so memory stays flat however long a cluster runs.

pub mod history;
pub mod logs;
pub mod metrics_api;
pub mod prometheus;
mod templates;
pub mod usage;
