//! err521: explains Cloudflare's "Error 521: Web server is down" from pasted
//! diagnostics, and writes the commands that fix it.
//!
//! Data flows one way: text -> facts ([`parse`]) -> findings
//! ([`diagnose`]) -> fixes -> views ([`report`]). See docs/ARCHITECTURE.md.
#![forbid(unsafe_code)]

pub mod cloudflare;
pub mod firewall;
pub mod net;
pub mod parse;
pub mod text;
