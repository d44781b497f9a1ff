//! What people paste around tool output: collector prefixes, indentation,
//! Markdown, documents pasted back to back. Each test is one class.

use err521::parse::probes::ProbeResult;
use err521::parse::split::{split, BlockKind};
use err521::parse::{read_case, CaseInput};
use err521::text::lines;

fn kinds(text: &str) -> Vec<BlockKind> {
    split(&lines(text)).into_iter().map(|b| b.kind).collect()
}

fn facts(text: &str) -> err521::facts::Facts {
    read_case(&[CaseInput::new("paste", text)])
}

/// (address, port, result) of every probe in the paste.
fn probes(text: &str) -> Vec<(Option<String>, Option<u16>, ProbeResult)> {
    facts(text)
        .probes
        .iter()
        .flat_map(|p| p.facts.probes.iter())
        .map(|p| (p.addr.map(|a| a.to_string()), p.port, p.result.clone()))
        .collect()
}

fn refused_443(text: &str) -> bool {
    probes(text).iter().any(|(addr, port, r)| {
        addr.as_deref() == Some("203.0.113.5") && *port == Some(443) && *r == ProbeResult::Refused
    })
}

#[test]
fn ci_timestamps_before_curl_output_are_removed() {
    let text = "Here is what our CI job printed:\n\n\
        2024-01-01T00:00:00.0000000Z * Trying 203.0.113.5:443...\n\
        2024-01-01T00:00:00.0000000Z * connect to 203.0.113.5 port 443 failed: Connection refused\n\
        2024-01-01T00:00:01.0000000Z curl: (7) Failed to connect to 203.0.113.5 port 443 after 2 ms: Connection refused\n";
    assert_eq!(kinds(text), vec![BlockKind::Prose, BlockKind::Probe]);
    assert!(refused_443(text));
    assert!(facts(text).not_understood.is_empty());
}

#[test]
fn bracketed_times_and_curl_trace_times_are_removed() {
    assert!(refused_443(
        "[10:00:01] curl: (7) Failed to connect to 203.0.113.5 port 443: Connection refused\n"
    ));
    let trace = "09:12:01.000190 == Info:   Trying 203.0.113.5:443...\n\
        09:12:01.000250 == Info: connect to 203.0.113.5 port 443 failed: Connection refused\n\
        09:12:01.000290 == Info: Failed to connect to 203.0.113.5 port 443 after 0 ms: Connection refused\n";
    assert!(refused_443(trace));
    assert!(facts(trace).not_understood.is_empty());
}

#[test]
fn old_curl_wording_names_host_and_port() {
    assert!(refused_443(
        "curl: (7) Failed connect to 203.0.113.5:443; Connection refused\n"
    ));
    assert!(refused_443(
        "$ curl -v https://203.0.113.5\n* About to connect() to 203.0.113.5 port 443 (#0)\n*   Trying 203.0.113.5...\n* Failed connect to 203.0.113.5:443; Connection refused\n* Closing connection 0\n"
    ));
}

#[test]
fn a_uniformly_indented_dump_reads_as_the_tool_printed_it() {
    let zone = "public (active)\n  target: default\n  icmp-block-inversion: no\n  interfaces: eth0\n  sources: \n  services: dhcpv6-client ssh\n  ports: \n  protocols: \n  forward: yes\n  masquerade: no\n  forward-ports: \n  source-ports: \n  icmp-blocks: \n  rich rules: \n";
    let plain = facts(zone);
    for indent in ["  ", "    ", "\t"] {
        let indented: String = zone.lines().map(|l| format!("{indent}{l}\n")).collect();
        let text = format!("My firewall:\n\n{indented}");
        assert_eq!(kinds(&text), vec![BlockKind::Prose, BlockKind::Firewalld]);
        let f = facts(&text);
        assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
        assert_eq!(f.rulesets.len(), plain.rulesets.len());
        // Without the prose line above, too.
        assert_eq!(kinds(&indented), vec![BlockKind::Firewalld]);
    }
}
