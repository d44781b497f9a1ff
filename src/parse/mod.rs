//! Parsers: pasted text -> typed facts. One module per input family.
pub mod addrs;
pub mod dns;
pub mod listeners;
pub mod probes;
pub mod resources;
pub mod services;
pub mod textscan;
