//! Parsers: text in, typed facts with line numbers out. One module per input
//! family; [`split`] cuts a whole ticket into blocks and says which family
//! each block belongs to.
//!
//! **Architecture Invariant:** parsing never fails and never panics: a parser
//! returns the facts it understood and the lines it did not, with reasons.

pub mod error_page;
pub mod html;
pub mod nftables;
pub mod ufw;
