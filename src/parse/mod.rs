//! Parsers: pasted text in, normalized facts out. Parsers never fail: they
//! return what they understood plus a `NotUnderstood` entry for every line of
//! their format they could not read.
pub mod ipset;
pub mod iptables;
