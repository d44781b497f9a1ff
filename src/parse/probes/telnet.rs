//! telnet: `Trying`, `Connected to`, `telnet: Unable to connect`.

use super::{reason, Mode, ProbeResult, ProbeTool, St};
use crate::parse::textscan::{after_ci, parse_ip};

/// A telnet line.
pub(super) fn line(s: &mut St, _raw: &str, t: &str, no: usize) -> Option<bool> {
    if let Some(rest) = t.strip_prefix("Trying ") {
        s.mode = Mode::Telnet;
        let a = rest.trim_end_matches('.');
        s.target.addr = parse_ip(a).or(s.target.addr);
        return Some(true);
    }
    if let Some(rest) = t.strip_prefix("Connected to ") {
        if s.mode == Mode::Telnet || s.mode == Mode::None {
            let h = rest.trim_end_matches('.');
            if s.target.host.is_none() {
                s.target.host = Some(h.to_string());
            }
            s.probe(ProbeTool::Telnet, ProbeResult::Connected, no);
            return Some(true);
        }
    }
    if t.starts_with("Escape character is") || t.starts_with("Connection closed") {
        return Some(true);
    }
    if let Some(rest) = t.strip_prefix("telnet: ") {
        if let Some(a) = after_ci(rest, "connect to address ").and_then(|r| r.split(':').next()) {
            s.target.addr = parse_ip(a).or(s.target.addr);
        }
        s.probe(ProbeTool::Telnet, reason(rest), no);
        return Some(true);
    }
    None
}
