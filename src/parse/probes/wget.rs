//! wget: `Connecting to host|addr|:port... failed: ...` and its status lines.

use super::{reason, ProbeResult, ProbeTool, St};
use crate::parse::textscan::{between, parse_ip};

/// A wget line.
pub(super) fn line(s: &mut St, _raw: &str, t: &str, no: usize) -> Option<bool> {
    if let Some(rest) = t.strip_prefix("Connecting to ") {
        // "Connecting to example.org (example.org)|203.0.113.10|:443... failed: Connection refused."
        if let Some(a) = between(rest, "|", "|").and_then(parse_ip) {
            s.target.addr = Some(a);
        }
        if let Some(p) = rest.split_once("|:").and_then(|(_, r)| r.split('.').next()) {
            s.target.port = p.parse().ok().or(s.target.port);
        }
        let result = match rest.split_once("... ") {
            Some((_, "connected.")) => ProbeResult::Connected,
            Some((_, outcome)) => reason(outcome),
            None => return Some(true),
        };
        s.probe(ProbeTool::Wget, result, no);
        return Some(true);
    }
    if let Some(rest) = t.strip_prefix("HTTP request sent, awaiting response... ") {
        let code = rest
            .split_whitespace()
            .next()
            .and_then(|c| c.parse::<u16>().ok());
        let result = code.map_or_else(|| reason(rest), |code| ProbeResult::HttpStatus { code });
        s.probe(ProbeTool::Wget, result, no);
        return Some(true);
    }
    // The request was sent and no answer has come yet (the paste stops, or
    // the server never answers): nothing to conclude from the line alone.
    if t == "HTTP request sent, awaiting response..." {
        return Some(true);
    }
    if t.starts_with("Resolving ")
        || t.starts_with("--20")
        || t.starts_with("Retrying.")
        || t.starts_with("Length:")
        || t.starts_with("Saving to:")
        || t.starts_with("Reusing existing connection")
    {
        return Some(true);
    }
    if let Some(rest) = t.strip_prefix("failed: ") {
        s.probe(ProbeTool::Wget, reason(rest), no);
        return Some(true);
    }
    None
}
