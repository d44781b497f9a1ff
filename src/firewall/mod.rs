//! Firewalls: the normalized rule model and its exact evaluation.
pub mod coverage;
pub mod eval;
pub mod manager;
pub mod model;
