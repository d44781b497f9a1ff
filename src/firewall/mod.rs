//! Firewalls: the normalized rule model and its exact evaluation.
pub mod model;
