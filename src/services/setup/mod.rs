//! What an installation is made from: the seed every installation holds, the demo population,
//! and the benchmarks' fixtures.

#[cfg(feature = "bench")]
pub mod bench;
pub mod demo;
pub mod seed;
