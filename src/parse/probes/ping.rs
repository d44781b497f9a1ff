//! ping/ping6 (Linux, BSD, Windows): target, replies, unreachables, loss.

use super::{reason, Mode, ProbeResult, ProbeTool, St, Target};
use crate::parse::textscan::{between, contains_ci, parse_ip};

/// A ping line.
pub(super) fn line(s: &mut St, _raw: &str, t: &str, no: usize) -> Option<bool> {
    if let Some(rest) = t
        .strip_prefix("PING ")
        .or_else(|| t.strip_prefix("Pinging "))
    {
        s.mode = Mode::Ping;
        let host = rest.split_whitespace().next().unwrap_or("").to_string();
        let addr = between(rest, "(", ")")
            .or_else(|| between(rest, "[", "]"))
            .and_then(parse_ip)
            .or_else(|| parse_ip(&host));
        s.target = Target {
            host: Some(host),
            addr,
            port: None,
        };
        return Some(true);
    }
    if contains_ci(t, "bytes from")
        || t.starts_with("Reply from") && !contains_ci(t, "unreachable")
        || t.starts_with("Request timeout")
        || t.starts_with("Request timed out")
        || t.starts_with("rtt ")
        || t.starts_with("round-trip")
        || t.starts_with("---") && t.contains("statistics")
        || t.starts_with("Ping statistics")
        || t.starts_with("Approximate round trip")
        || t.starts_with("Minimum =")
    {
        return Some(true);
    }
    if contains_ci(t, "unreachable")
        && (s.mode == Mode::Ping
            || t.starts_with("From ")
            || t.starts_with("ping")
            || t.starts_with("Reply from"))
    {
        s.probe(ProbeTool::Ping, ProbeResult::Unreachable, no);
        return Some(true);
    }
    if let Some(rest) = t
        .strip_prefix("ping: ")
        .or_else(|| t.strip_prefix("ping6: "))
    {
        s.probe(ProbeTool::Ping, reason(rest), no);
        return Some(true);
    }
    if t.contains("packets transmitted") || t.starts_with("Packets: Sent") {
        let loss = t
            .split([',', '('])
            .find(|p| p.contains('%'))
            .and_then(|p| p.split('%').next())
            .and_then(|p| p.split_whitespace().last())
            .and_then(|p| p.parse::<f64>().ok());
        let result = if loss.is_some_and(|x| x >= 100.0) {
            ProbeResult::Unreachable
        } else {
            ProbeResult::Connected
        };
        s.probe(ProbeTool::Ping, result, no);
        if let Some(p) = s.f.probes.last_mut() {
            p.loss_percent = loss;
        }
        return Some(true);
    }
    None
}
