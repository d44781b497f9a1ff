//! Helpers for the kernel differential test: the namespace lab, seeded
//! random ruleset generators, and a reference model of what they mean.
pub mod gen;
pub mod netns;
pub mod ufw;
