//! The built-in `demo` scenario. It is kept as YAML (`demo.yaml`) so it doubles as a complete
//! example of the scenario format and is checked by the same parser as user files.

use super::format::Scenario;
use super::load::{self, ScenarioError};

/// The demo scenario's text.
pub const YAML: &str = include_str!("demo.yaml");

/// Names of the demo's clusters, hub first.
pub const CLUSTERS: &[&str] = &["hub", "prod-us", "prod-eu", "staging"];

/// The demo scenario.
pub fn scenario() -> Result<Scenario, ScenarioError> {
    load::parse("<demo>", YAML)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_parses_and_names_its_clusters() {
        let s = scenario().unwrap();
        let names: Vec<&str> = s.clusters.iter().map(|c| c.name.value.as_str()).collect();
        assert_eq!(names, CLUSTERS);
        let pods: u32 = s
            .clusters
            .iter()
            .flat_map(|c| &c.workloads)
            .map(|w| w.replicas)
            .sum();
        assert!((60..400).contains(&pods), "a few hundred pods at most: {pods}");
    }
}
