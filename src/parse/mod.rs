//! Parsers: text in, typed facts with line numbers out. One module per input
//! family; [`split`] cuts a whole ticket into blocks and says which family
//! each block belongs to; `crate::case` sends each block to its parser.
//!
//! **Architecture Invariant:** parsing never fails and never panics: a parser
//! returns the facts it understood and the lines it did not, with reasons.

pub mod addrs;
pub mod bans;
pub mod cloud;
pub mod csf;
pub mod dns;
pub mod error_page;
pub mod firewalld;
pub mod formats;
pub mod hints;
pub mod html;
pub mod ipset;
pub mod iptables;
pub mod kind;
pub mod listeners;
pub mod nftables;
pub mod probes;
pub mod resources;
pub mod services;
pub mod sniff;
pub mod split;
pub mod textscan;
pub mod ufw;
pub mod webconfig;

// Kept here too: callers name the input of a case as the parsers' input.
pub use crate::text::CaseInput;
