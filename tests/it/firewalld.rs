//! firewalld fixtures: parse results and first-match decisions per
//! Cloudflare range and port.
use crate::common::decide::{decide, Decided};
use err521::firewall::model::{Action, Dialect};
use err521::parse::firewalld;
use err521::text::lines;

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/firewalld/{name}")).unwrap_or_default()
}

#[test]
fn list_all_zones_cloudflare_ipv4_only() {
    let text = read("list-all-zones-cloudflare-v4-only.txt");
    let ls = lines(&text);
    let rs = firewalld::parse("zones", &ls);
    assert_eq!(rs.dialect, Dialect::Firewalld);
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    assert!(firewalld::sniff(&ls) >= 60);
    let names: Vec<&str> = rs.chains.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "INPUT_ZONES",
            "IN_block",
            "IN_drop",
            "IN_public",
            "IN_trusted"
        ]
    );
    // Every IPv4 range reaches 443 through its rich rule, quoted by line.
    let r = decide(&rs, "173.245.48.10", 443, "eth0");
    assert!(
        matches!(r, Some(Decided::Rule(Action::Accept, 46))),
        "{r:?}"
    );
    let r = decide(&rs, "131.0.75.1", 443, "eth0");
    assert!(
        matches!(r, Some(Decided::Rule(Action::Accept, 61))),
        "{r:?}"
    );
    // The deny rich rule (priority 0) goes before the allows.
    let r = decide(&rs, "162.158.12.9", 443, "eth0");
    assert!(matches!(r, Some(Decided::Rule(Action::Drop, 49))), "{r:?}");
    // IPv6 is not allowed: target default rejects (icmp-host-prohibited).
    let r = decide(&rs, "2606:4700::1", 443, "eth0");
    assert_eq!(
        r,
        Some(Decided::Rule(
            Action::Reject("icmp-host-prohibited".into()),
            33
        ))
    );
    // Port 80 is not open for anyone.
    let r = decide(&rs, "173.245.48.10", 80, "eth0");
    assert!(
        matches!(r, Some(Decided::Rule(Action::Reject(_), 33))),
        "{r:?}"
    );
    // A source binding wins over the interface: the trusted zone accepts.
    let r = decide(&rs, "198.51.100.7", 80, "eth0");
    assert_eq!(r, Some(Decided::Rule(Action::Accept, 64)));
    // 9000-9010 is a whole range.
    assert!(matches!(
        decide(&rs, "203.0.113.9", 9005, "eth0"),
        Some(Decided::Rule(Action::Accept, 38))
    ));
}

#[test]
fn zone_xml_with_ipv6_priority_rules() {
    let text = read("zone-public.xml.txt");
    let ls = lines(&text);
    let rs = firewalld::parse("public.xml", &ls);
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    assert!(rs.chains.iter().any(|c| c.name == "IN_public"));
    // Named from the file, assumed default (the only zone), with a note.
    assert!(rs.notes.iter().any(|n| n.contains("assuming zone public")));
    // IPv4 Cloudflare range with a rich rule: accepted, quoting its source.
    let r = decide(&rs, "103.21.244.1", 443, "ens3");
    assert!(
        matches!(r, Some(Decided::Rule(Action::Accept, 16))),
        "{r:?}"
    );
    // A range without a rule: target DROP (the page would read 522).
    let r = decide(&rs, "141.101.64.1", 443, "ens3");
    assert_eq!(r, Some(Decided::Rule(Action::Drop, 3)));
    // IPv6 outside 2400:cb00::/32: the priority -10 reject comes first.
    let r = decide(&rs, "2606:4700::1", 443, "ens3");
    assert_eq!(
        r,
        Some(Decided::Rule(
            Action::Reject("icmp6-adm-prohibited".into()),
            31
        ))
    );
    // 2400:cb00::/32 has an accept with a rate limit a first SYN passes.
    let r = decide(&rs, "2400:cb00::5", 443, "ens3");
    assert!(
        matches!(r, Some(Decided::Rule(Action::Accept, 36))),
        "{r:?}"
    );
}

#[test]
fn bare_commands_and_unknown_service() {
    let text = read("bare-commands.txt");
    let ls = lines(&text);
    let rs = firewalld::parse("cmds", &ls);
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    // The default zone's target was never pasted: undecided, said so.
    assert!(rs
        .notes
        .iter()
        .any(|n| n.contains("zone public was only partly pasted")));
    let r = decide(&rs, "172.64.1.1", 443, "eth0");
    assert!(
        matches!(r, Some(Decided::Rule(Action::Accept, 13))),
        "{r:?}"
    );
    let r = decide(&rs, "162.158.1.1", 443, "eth0");
    assert!(
        matches!(r, Some(Decided::Rule(Action::Reject(ref w), 14)) if w == "icmp-port-unreachable"),
        "{r:?}"
    );
    // The unknown service makes its rule undecided, not an accept.
    let r = decide(&rs, "104.16.0.1", 8888, "eth0");
    assert!(
        matches!(r, Some(Decided::Rule(Action::Unknown(_), 15))),
        "{r:?}"
    );
    // 2083 from --list-ports; the 30000-30100 range end.
    assert!(matches!(
        decide(&rs, "104.24.0.1", 2083, "eth0"),
        Some(Decided::Rule(Action::Accept, 11))
    ));
    assert!(matches!(
        decide(&rs, "104.24.0.1", 30100, "eth0"),
        Some(Decided::Rule(Action::Accept, 11))
    ));
    // The trusted zone (source 10.0.0.0/8) has no target shown: undecided.
    assert!(matches!(
        decide(&rs, "10.1.2.3", 80, "eth0"),
        Some(Decided::Rule(Action::Unknown(_), _))
    ));
}
