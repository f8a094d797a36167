//! What a node costs: unit prices (per vCPU-hour, GiB-hour, GPU-hour, storage GiB-month), a
//! table of common AWS/GCP/Azure instance types resolved from the node's
//! `node.kubernetes.io/instance-type` label, spot/preemptible discounts from the providers'
//! capacity labels, and a user price file that overrides both.
//!
//! The default unit prices are OpenCost's defaults for clusters without a billing integration
//! (`CPU 0.031611 $/vCPU-hour, RAM 0.004237 $/GiB-hour, GPU 0.95 $/hour, storage 0.04
//! $/GiB-month`); instance prices are the providers' public on-demand list prices
//! (`instances.csv`). On-prem nodes and unknown instance types are priced by the unit prices.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Hours in the month cost reports extrapolate to (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

const INSTANCES: &str = include_str!("instances.csv");

/// Prices per unit of capacity.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnitPrices {
    /// USD per vCPU-hour.
    pub cpu_core_hour: f64,
    /// USD per GiB-hour of memory.
    #[serde(rename = "memoryGiBHour")]
    pub memory_gib_hour: f64,
    /// USD per GPU-hour.
    pub gpu_hour: f64,
    /// USD per GiB-month of persistent storage.
    #[serde(rename = "storageGiBMonth")]
    pub storage_gib_month: f64,
}

impl Default for UnitPrices {
    fn default() -> Self {
        Self {
            cpu_core_hour: 0.031611,
            memory_gib_hour: 0.004237,
            gpu_hour: 0.95,
            storage_gib_month: 0.04,
        }
    }
}

/// One instance type's size and on-demand price.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstancePrice {
    /// USD per hour, on demand.
    pub hourly: f64,
    /// vCPUs.
    pub vcpu: f64,
    /// Memory in GiB.
    #[serde(rename = "memoryGiB")]
    pub memory_gib: f64,
    /// GPUs.
    #[serde(default)]
    pub gpus: f64,
}

/// Where a node's price came from.
#[derive(Debug, Clone, PartialEq)]
pub enum PriceSource {
    /// The instance-type table (built in or from the price file).
    InstanceType(String),
    /// Unit prices times capacity (on-prem, unknown or missing instance type).
    UnitPrices,
}

/// A node's price, split into per-unit prices so workloads can be charged for what they hold.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePrice {
    /// USD per hour for the whole node.
    pub hourly: f64,
    /// USD per vCPU-hour on this node.
    pub cpu_core_hour: f64,
    /// USD per GiB-hour on this node.
    pub memory_gib_hour: f64,
    /// USD per GPU-hour on this node.
    pub gpu_hour: f64,
    /// Spot or preemptible capacity.
    pub spot: bool,
    /// Where the price came from.
    pub source: PriceSource,
}

/// The capacity of a node, as its status reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Capacity {
    /// vCPUs.
    pub cpu_cores: f64,
    /// Memory in GiB.
    pub memory_gib: f64,
    /// GPUs.
    pub gpus: f64,
}

/// Why a price file was refused.
#[derive(Debug, thiserror::Error)]
pub enum PriceFileError {
    /// The file could not be read.
    #[error("cannot read price file {file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is malformed or a field is unknown or mistyped.
    #[error("price file {file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong and where (line, column, field).
        message: String,
    },
    /// A price or size is negative, zero where it divides, or not a number.
    #[error("price file {file}: {field} must be a positive number, got {value}")]
    OutOfRange {
        /// The file.
        file: String,
        /// The field path.
        field: String,
        /// The value given.
        value: f64,
    },
}

/// The user price file.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PriceFile {
    #[serde(default)]
    defaults: Option<UnitPrices>,
    #[serde(default)]
    spot_factor: Option<f64>,
    #[serde(default)]
    instance_types: BTreeMap<String, InstancePrice>,
}

/// Unit prices, instance types and the spot discount.
#[derive(Debug, Clone)]
pub struct PriceBook {
    /// Prices per unit of capacity.
    pub units: UnitPrices,
    /// Fraction of the on-demand price spot capacity costs (spot averages about 30 %).
    pub spot_factor: f64,
    instances: HashMap<String, InstancePrice>,
}

impl Default for PriceBook {
    fn default() -> Self {
        Self::builtin()
    }
}

impl PriceBook {
    /// The built-in prices.
    pub fn builtin() -> Self {
        let instances = INSTANCES
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                let num = |i: usize| f.get(i).and_then(|v| v.trim().parse::<f64>().ok());
                let price = InstancePrice {
                    vcpu: num(2)?,
                    memory_gib: num(3)?,
                    gpus: num(4)?,
                    hourly: num(5)?,
                };
                Some((f.get(1)?.trim().to_string(), price))
            })
            .collect();
        Self {
            units: UnitPrices::default(),
            spot_factor: 0.3,
            instances,
        }
    }

    /// The built-in prices overridden by a price file.
    pub fn with_file(path: &Path) -> Result<Self, PriceFileError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| PriceFileError::Read {
            file: file.clone(),
            source,
        })?;
        Self::with_overrides(&file, &text)
    }

    /// The built-in prices overridden by the YAML `text` of a price file named `file`.
    pub fn with_overrides(file: &str, text: &str) -> Result<Self, PriceFileError> {
        let parsed: PriceFile = serde_saphyr::from_str(text).map_err(|e| PriceFileError::Invalid {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let mut book = Self::builtin();
        let positive = |field: String, value: f64, zero_ok: bool| {
            let ok = value.is_finite() && (value > 0.0 || (zero_ok && value == 0.0));
            ok.then_some(()).ok_or(PriceFileError::OutOfRange {
                file: file.to_string(),
                field,
                value,
            })
        };
        if let Some(u) = parsed.defaults {
            positive("defaults.cpuCoreHour".into(), u.cpu_core_hour, true)?;
            positive("defaults.memoryGiBHour".into(), u.memory_gib_hour, true)?;
            positive("defaults.gpuHour".into(), u.gpu_hour, true)?;
            positive("defaults.storageGiBMonth".into(), u.storage_gib_month, true)?;
            book.units = u;
        }
        if let Some(f) = parsed.spot_factor {
            positive("spotFactor".into(), f, false)?;
            book.spot_factor = f;
        }
        for (name, p) in parsed.instance_types {
            positive(format!("instanceTypes.{name}.hourly"), p.hourly, true)?;
            positive(format!("instanceTypes.{name}.vcpu"), p.vcpu, false)?;
            positive(format!("instanceTypes.{name}.memoryGiB"), p.memory_gib, false)?;
            book.instances.insert(name, p);
        }
        Ok(book)
    }

    /// The known price of an instance type.
    pub fn instance(&self, name: &str) -> Option<&InstancePrice> {
        self.instances.get(name)
    }

    /// The price of a node with these labels and this capacity.
    pub fn node_price(&self, labels: &BTreeMap<String, String>, capacity: Capacity) -> NodePrice {
        let spot = is_spot(labels);
        let factor = if spot { self.spot_factor } else { 1.0 };
        let u = &self.units;
        let known = instance_type(labels).and_then(|t| Some((t, self.instances.get(t)?)));
        let Some((name, inst)) = known else {
            let (cpu, mem, gpu) = (
                u.cpu_core_hour * factor,
                u.memory_gib_hour * factor,
                u.gpu_hour * factor,
            );
            return NodePrice {
                hourly: capacity.cpu_cores * cpu + capacity.memory_gib * mem + capacity.gpus * gpu,
                cpu_core_hour: cpu,
                memory_gib_hour: mem,
                gpu_hour: gpu,
                spot,
                source: PriceSource::UnitPrices,
            };
        };
        // The instance price is split over the node's reported capacity in the ratio of the
        // unit prices, as OpenCost does: a vCPU and a GiB keep their relative worth on every
        // node, and capacity times the per-unit prices is exactly the node's price.
        let hourly = inst.hourly * factor;
        let size = if capacity.cpu_cores > 0.0 || capacity.memory_gib > 0.0 {
            capacity
        } else {
            Capacity {
                cpu_cores: inst.vcpu,
                memory_gib: inst.memory_gib,
                gpus: inst.gpus,
            }
        };
        let weight =
            size.cpu_cores * u.cpu_core_hour + size.memory_gib * u.memory_gib_hour + size.gpus * u.gpu_hour;
        let scale = if weight > 0.0 { hourly / weight } else { 0.0 };
        NodePrice {
            hourly,
            cpu_core_hour: u.cpu_core_hour * scale,
            memory_gib_hour: u.memory_gib_hour * scale,
            gpu_hour: u.gpu_hour * scale,
            spot,
            source: PriceSource::InstanceType(name.to_string()),
        }
    }
}

/// The node's instance type label (current or beta).
pub fn instance_type(labels: &BTreeMap<String, String>) -> Option<&str> {
    labels
        .get("node.kubernetes.io/instance-type")
        .or_else(|| labels.get("beta.kubernetes.io/instance-type"))
        .map(String::as_str)
        .filter(|t| !t.is_empty())
}

/// Whether the providers' labels mark the node as spot or preemptible capacity.
pub fn is_spot(labels: &BTreeMap<String, String>) -> bool {
    let is = |k: &str, v: &str| labels.get(k).is_some_and(|x| x.eq_ignore_ascii_case(v));
    is("eks.amazonaws.com/capacityType", "SPOT")
        || is("karpenter.sh/capacity-type", "spot")
        || is("cloud.google.com/gke-spot", "true")
        || is("cloud.google.com/gke-preemptible", "true")
        || is("kubernetes.azure.com/scalesetpriority", "spot")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const M5: Capacity = Capacity {
        cpu_cores: 4.0,
        memory_gib: 16.0,
        gpus: 0.0,
    };

    #[test]
    fn known_instance_types_cost_their_list_price_split_by_unit_weights() {
        let book = PriceBook::builtin();
        let p = book.node_price(&labels(&[("node.kubernetes.io/instance-type", "m5.xlarge")]), M5);
        assert_eq!(p.source, PriceSource::InstanceType("m5.xlarge".into()));
        assert!((p.hourly - 0.192).abs() < 1e-12);
        let rebuilt = 4.0 * p.cpu_core_hour + 16.0 * p.memory_gib_hour;
        assert!((rebuilt - 0.192).abs() < 1e-12, "{rebuilt}");
        let ratio = p.cpu_core_hour / p.memory_gib_hour;
        assert!((ratio - 0.031611 / 0.004237).abs() < 1e-9);
    }

    #[test]
    fn spot_labels_of_each_provider_discount_the_price() {
        let book = PriceBook::builtin();
        for (k, v) in [
            ("eks.amazonaws.com/capacityType", "SPOT"),
            ("cloud.google.com/gke-spot", "true"),
            ("kubernetes.azure.com/scalesetpriority", "spot"),
        ] {
            let l = labels(&[("node.kubernetes.io/instance-type", "m5.xlarge"), (k, v)]);
            let p = book.node_price(&l, M5);
            assert!(p.spot, "{k}");
            assert!((p.hourly - 0.192 * 0.3).abs() < 1e-12);
        }
    }

    #[test]
    fn unknown_or_missing_types_use_unit_prices() {
        let book = PriceBook::builtin();
        for l in [
            labels(&[]),
            labels(&[("node.kubernetes.io/instance-type", "x9.huge")]),
        ] {
            let p = book.node_price(&l, M5);
            assert_eq!(p.source, PriceSource::UnitPrices);
            assert!((p.hourly - (4.0 * 0.031611 + 16.0 * 0.004237)).abs() < 1e-12);
        }
    }

    #[test]
    fn a_price_file_overrides_units_spot_and_instances() {
        let text = "defaults:\n  cpuCoreHour: 0.05\n  memoryGiBHour: 0.005\n  gpuHour: 1.0\n  storageGiBMonth: 0.1\nspotFactor: 0.5\ninstanceTypes:\n  m5.xlarge: {hourly: 0.1, vcpu: 4, memoryGiB: 16}\n";
        let book = PriceBook::with_overrides("prices.yaml", text).unwrap();
        assert_eq!(book.units.cpu_core_hour, 0.05);
        assert_eq!(book.spot_factor, 0.5);
        assert_eq!(book.instance("m5.xlarge").unwrap().hourly, 0.1);
        assert!(book.instance("r5.xlarge").is_some(), "built-in types stay");
    }

    #[test]
    fn a_malformed_price_file_names_the_file_and_the_field() {
        let e = PriceBook::with_overrides("prices.yaml", "spotFactr: 0.5\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("prices.yaml") && msg.contains("spotFactr"), "{msg}");
        let e = PriceBook::with_overrides(
            "p.yaml",
            "instanceTypes:\n  big: {hourly: 1, vcpu: 0, memoryGiB: 4}\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("instanceTypes.big.vcpu"), "{e}");
        let e = PriceBook::with_overrides("p.yaml", "defaults: [1, 2]\n").unwrap_err();
        assert!(e.to_string().contains("p.yaml"), "{e}");
    }
}
