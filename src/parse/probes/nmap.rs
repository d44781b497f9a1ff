//! nmap port scans: `Nmap scan report for NAME (ADDR)`, then one row per
//! port: `80/tcp  closed http` (a reset: nothing listens, or a REJECT),
//! `443/tcp open https`, `22/tcp filtered ssh` (no answer: a silent drop).

use super::{ProbeResult, ProbeTool, St};
use crate::parse::textscan::parse_ip;

/// An nmap line.
pub(super) fn line(s: &mut St, _raw: &str, t: &str, no: usize) -> Option<bool> {
    if let Some(rest) = t.strip_prefix("Nmap scan report for ") {
        // `NAME (ADDR)` or a bare address.
        let (host, addr) = match rest.split_once(" (") {
            Some((h, a)) => (h, a.trim_end_matches(')')),
            None => (rest, rest),
        };
        s.target.host = Some(host.trim().to_string());
        s.target.addr = parse_ip(addr).or_else(|| parse_ip(host));
        return Some(true);
    }
    if t.starts_with("Starting Nmap")
        || t.starts_with("Nmap done:")
        || t.starts_with("Host is up")
        || t.starts_with("rDNS record for ")
        || t.starts_with("Not shown: ")
        || t.starts_with("Other addresses for ")
        || t.split_whitespace().collect::<Vec<_>>() == ["PORT", "STATE", "SERVICE"]
    {
        return Some(true);
    }
    // `80/tcp  closed http`
    let mut w = t.split_whitespace();
    let (Some(port), Some(state)) = (w.next(), w.next()) else {
        return None;
    };
    let port: u16 = port.strip_suffix("/tcp")?.parse().ok()?;
    let result = match state {
        "open" => ProbeResult::Connected,
        "closed" => ProbeResult::Refused,
        "filtered" => ProbeResult::TimedOut,
        _ => return None,
    };
    s.target.port = Some(port);
    s.probe(ProbeTool::Nmap, result, no);
    Some(true)
}

#[cfg(test)]
mod tests {
    use crate::parse::probes::{parse, ProbeResult, ProbeTool};
    use crate::text::lines;

    #[test]
    fn reads_port_states_with_the_scanned_address() {
        let src = "$ nmap -p80,443,22 web.example.net\nStarting Nmap 7.70 ( https://nmap.org ) at 2021-11-30 23:59 CET\nNmap scan report for web.example.net (203.0.113.7)\nHost is up (0.00080s latency).\n\nPORT    STATE    SERVICE\n80/tcp  closed   http\n443/tcp open     https\n22/tcp  filtered ssh\n\nNmap done: 1 IP address (1 host up) scanned in 0.58 seconds\n";
        let f = parse("scan", &lines(src));
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        let got: Vec<(Option<u16>, ProbeResult)> = f
            .probes
            .iter()
            .map(|p| (p.port, p.result.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(80), ProbeResult::Refused),
                (Some(443), ProbeResult::Connected),
                (Some(22), ProbeResult::TimedOut)
            ]
        );
        assert!(f
            .probes
            .iter()
            .all(|p| p.tool == ProbeTool::Nmap && p.addr == "203.0.113.7".parse().ok()));
    }
}
