//! nc: OpenBSD, traditional, ncat and macOS wordings.

use super::{reason, ProbeResult, ProbeTool, St, Target};
use crate::parse::textscan::{after_ci, between, contains_ci, parse_ip, split_host_port, SockHost};

/// An nc line.
pub(super) fn line(s: &mut St, _raw: &str, t: &str, no: usize) -> Option<bool> {
    if let Some(rest) = t.strip_prefix("Connection to ") {
        if t.contains("succeeded") {
            // "Connection to 1.2.3.4 443 port [tcp/https] succeeded!" /
            // macOS "Connection to host port 443 [tcp/https] succeeded!"
            let words: Vec<&str> = rest.split_whitespace().collect();
            let host = words.first().map(|h| h.to_string());
            let port = words.iter().find_map(|w| w.parse::<u16>().ok());
            s.target = Target {
                addr: host.as_deref().and_then(parse_ip),
                host,
                port,
            };
            s.probe(ProbeTool::Nc, ProbeResult::Connected, no);
            return Some(true);
        }
        if t.contains("closed by foreign host") {
            return Some(true);
        }
    }
    if t.starts_with("nc: connect") || t.starts_with("nc: getaddrinfo") || t.starts_with("nc: ") {
        // "nc: connect to 1.2.3.4 port 443 (tcp) failed: Connection refused"
        if let Some(after) = after_ci(t, " to ") {
            let words: Vec<&str> = after.split_whitespace().collect();
            if let Some(h) = words.first() {
                s.target.host = Some(h.to_string());
                s.target.addr = parse_ip(h);
            }
            s.target.port = words.get(2).and_then(|p| p.parse().ok());
        }
        s.probe(ProbeTool::Nc, reason(t), no);
        return Some(true);
    }
    if let Some(rest) = t.strip_prefix("Ncat: ") {
        if rest.starts_with("Version") {
            return Some(true);
        }
        if let Some(hp) = rest.strip_prefix("Connected to ") {
            if let Some((SockHost::Addr(a), p)) = split_host_port(hp.trim_end_matches('.')) {
                s.target.addr = Some(a);
                s.target.port = p.or(s.target.port);
            }
            s.probe(ProbeTool::Nc, ProbeResult::Connected, no);
        } else if contains_ci(rest, "bytes sent") {
            return Some(true);
        } else {
            s.probe(ProbeTool::Nc, reason(rest), no);
        }
        return Some(true);
    }
    if t.starts_with('(') || t.contains("] ") && t.contains(" [") {
        // traditional: "(UNKNOWN) [1.2.3.4] 80 (http) : Connection refused",
        // "example.com [1.2.3.4] 443 (https) open"
        if let Some(ip) = between(t, "[", "]").and_then(parse_ip) {
            s.target.addr = Some(ip);
            s.target.port = t
                .split_once("] ")
                .and_then(|(_, r)| r.split_whitespace().next())
                .and_then(|p| p.parse().ok());
            let head = t.split_whitespace().next().unwrap_or("");
            if !head.starts_with('(') {
                s.target.host = Some(head.to_string());
            }
            let result = if t.trim_end().ends_with(" open") {
                ProbeResult::Connected
            } else {
                reason(t)
            };
            s.probe(ProbeTool::Nc, result, no);
            return Some(true);
        }
    }
    None
}
