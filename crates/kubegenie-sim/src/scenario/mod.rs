//! Scenarios: a YAML description of a fleet of simulated clusters (providers, node pools,
//! namespaces, workloads with behaviours, raw manifests, faults on a timeline), the built-in
//! `demo` fleet, and the `scale:CLUSTERS:PODS` generator. The format is documented in
//! `docs/scenarios.md`.

pub mod apply;
pub mod demo;
pub mod fleet;
pub mod format;
pub mod history;
pub mod inventory;
pub mod load;
pub mod nodes;
pub mod scale;
pub mod timeline;

pub use fleet::{Fleet, FleetCluster, FleetError, StartOptions};
pub use format::Scenario;
pub use load::ScenarioError;

/// The scenario a command line names: `demo`, `scale:CLUSTERS:PODS`, or a file path.
pub fn resolve(spec: &str) -> Result<Scenario, ScenarioError> {
    if spec == "demo" {
        return demo::scenario();
    }
    if let Some(rest) = spec.strip_prefix("scale:") {
        return scale::parse_spec(rest);
    }
    load::load_file(std::path::Path::new(spec))
}
