//! Helpers shared by the integration tests (tests/it).

pub mod decide;
pub mod rng;
pub mod walk;
