//! Helpers shared by the integration tests (tests/it).

pub mod cli;
pub mod decide;
pub mod rng;
pub mod walk;
