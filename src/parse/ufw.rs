//! ufw status (stub).
use crate::firewall::model::Ruleset;
use crate::text::Line;
pub fn parse(input: &str, lines: &[Line<'_>]) -> Ruleset {
    crate::parse::nftables::parse(input, lines)
}
