//! The cost agent's analysis: what nodes cost ([`prices`]), who uses that cost over a window
//! ([`allocation`], OpenCost's model), and where money is wasted. Pure functions of cluster
//! objects, usage history and a price book.

pub mod allocation;
pub mod prices;

pub use allocation::{Allocation, Basis, ClusterInput, CostReport, CostRow, GroupBy, Usage, allocate};
pub use prices::{PriceBook, PriceFileError};

#[cfg(test)]
mod tests;
