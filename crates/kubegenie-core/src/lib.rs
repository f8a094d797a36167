//! Vocabulary shared by every KubeGenie crate: cluster ids and selectors, the typed `Operation` every front end produces, the typed `Outcome` every handler returns (tables, findings, recommendations, plans, charts), severities, errors and configuration.
//!
//! This crate does no I/O. See `ARCHITECTURE.md` in the project documentation for the layering.
