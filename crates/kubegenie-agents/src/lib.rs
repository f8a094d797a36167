//! The `Agent` trait and lifecycle (initialize, health_check, handle, self_heal, shutdown), the agent registry, the orchestrator with its bounded task queue and supervisor, and the agents themselves: health, remediation, cost, security, logs, anomaly, right-sizing, provisioning and GitOps drift.
//!
//! Analysis here is pure: analyzers are functions from cluster snapshots (plus history) to findings.
