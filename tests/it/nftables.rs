//! Fixture tests of the nftables parser: structure, priorities, families,
//! matches and the lines rules come from.

use err521::firewall::model::{Action, Match, Policy, Rule, Ruleset};
use err521::net::Family;
use err521::parse::nftables;
use err521::text::lines;

fn load(name: &str) -> Ruleset {
    let path = format!(
        "{}/tests/fixtures/nftables/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "fixture {name} missing");
    nftables::parse(name, &lines(&text))
}

fn chain<'a>(rs: &'a Ruleset, name: &str) -> &'a err521::firewall::model::Chain {
    rs.chains
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no chain {name}"))
}

fn entry_names(rs: &Ruleset) -> Vec<&str> {
    rs.entry
        .iter()
        .filter_map(|i| rs.chains.get(*i))
        .map(|c| c.name.as_str())
        .collect()
}

fn rules_at(c: &err521::firewall::model::Chain, line: usize) -> Vec<&Rule> {
    c.rules.iter().filter(|r| r.source.line == line).collect()
}

fn ports(m: &Match) -> Option<Vec<(u16, u16)>> {
    match m {
        Match::DestPort {
            ports,
            negated: false,
        } => Some(ports.0.clone()),
        _ => None,
    }
}

#[test]
fn inet_filter_with_cloudflare_set_and_no_icmpv6() {
    let rs = load("inet-filter-cloudflare-set-no-icmpv6.nft");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    assert_eq!(rs.families, vec![Family::V4, Family::V6]);
    assert_eq!(entry_names(&rs), vec!["input"]);
    let input = chain(&rs, "input");
    assert_eq!(input.table, "inet filter");
    assert_eq!(input.policy, Some(Policy::Drop));
    assert_eq!(input.policy_line.as_ref().map(|l| l.line), Some(17));
    // The set: 14 IPv4 ranges over six lines, 131.0.72.0/22 missing.
    let set = rs.sets.iter().find(|s| s.name == "inet filter/cloudflare");
    let set = set.expect("set parsed");
    assert_eq!(set.source.line, 3);
    let members = &set.members;
    assert!(members.contains("173.245.48.1".parse().unwrap()));
    assert!(members.contains("198.41.200.9".parse().unwrap()));
    assert!(!members.contains("131.0.72.1".parse().unwrap()));
    assert_eq!(members.families(), vec![Family::V4]);
    // Rule on line 23 uses the set, line 24 drops the rest.
    let r = rules_at(input, 23);
    assert_eq!(r.len(), 1);
    assert!(matches!(r[0].action, Action::Accept));
    assert!(r[0].matches.iter().any(|m| matches!(m,
        Match::NamedSource { name, negated: false } if name == "inet filter/cloudflare")));
    assert!(r[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::Family { family: Family::V4 })));
    assert_eq!(
        r[0].matches.iter().find_map(ports),
        Some(vec![(80, 80), (443, 443)])
    );
    assert!(r[0].source.text.starts_with("ip saddr @cloudflare"));
    assert!(matches!(rules_at(input, 24)[0].action, Action::Drop));
    // No rule accepts ICMPv6.
    let any_icmpv6 = input.rules.iter().any(|r| {
        r.matches.iter().any(|m| matches!(m, Match::Protocol { names, .. } if names.iter().any(|n| n == "ipv6-icmp")))
    });
    assert!(!any_icmpv6);
}

#[test]
fn openwrt_fw4_chains_vmaps_and_interface_sets() {
    let rs = load("openwrt-fw4.nft");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    // prerouting (hook order first) then input.
    assert_eq!(entry_names(&rs), vec!["prerouting", "input"]);
    let input = chain(&rs, "input");
    assert_eq!(input.policy, Some(Policy::Drop));
    // ct state vmap: one rule per element, same line.
    let vm = rules_at(input, 12);
    assert_eq!(vm.len(), 2);
    assert!(vm.iter().all(|r| matches!(r.action, Action::Accept)));
    // tcp flags & (fin | syn | rst | ack) == syn: a SYN matches.
    let syn = rules_at(input, 13);
    assert!(syn[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::TcpFlags { syn_matches: true })));
    assert!(matches!(&syn[0].action, Action::Jump(c) if c == "syn_flood"));
    // iifname { "wan", "br-lan.10" } expands into two rules.
    let wan = rules_at(input, 15);
    assert_eq!(wan.len(), 2);
    assert!(
        matches!(&wan[1].matches[0], Match::InInterface { pattern, negated: false } if pattern == "br-lan.10")
    );
    assert!(rs.interfaces.iter().any(|i| i == "wan"));
    let rej = chain(&rs, "handle_reject");
    assert!(matches!(&rej.rules[0].action, Action::Reject(w) if w == "tcp reset"));
    let syn_flood = chain(&rs, "syn_flood");
    assert!(matches!(
        syn_flood.rules[0].matches[0],
        Match::RateLimit {
            first_connection_matches: true,
            ..
        }
    ));
    // nat chains are not evaluated, and a note says so; flowtable noted.
    assert!(rs
        .chains
        .iter()
        .all(|c| c.name != "dstnat" && c.name != "srcnat"));
    assert!(rs
        .notes
        .iter()
        .any(|n| n.contains("dstnat") && n.contains("DNAT")));
    assert!(rs.notes.iter().any(|n| n.contains("flowtable")));
    let wan_in = chain(&rs, "input_wan");
    let https = rules_at(wan_in, 59);
    assert_eq!(
        https[0].matches.iter().find_map(ports),
        Some(vec![(443, 443)])
    );
}

#[test]
fn firewalld_backend_priorities_and_zones() {
    let rs = load("firewalld-nft-backend.nft");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    // raw + 10 = -290, mangle + 10 = -140, filter + 10 = 10.
    assert_eq!(
        entry_names(&rs),
        vec!["raw_PREROUTING", "mangle_PREROUTING", "filter_INPUT"]
    );
    let input = chain(&rs, "filter_INPUT");
    assert_eq!(input.policy, Some(Policy::Accept));
    assert!(
        matches!(&input.rules.last().map(|r| &r.action), Some(Action::Reject(w)) if w == "icmpx admin-prohibited")
    );
    // ct status dnat is kept as an unknown condition.
    assert!(rules_at(input, 45)[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::Unknown { text, .. } if text == "ct status dnat")));
    let zones = chain(&rs, "filter_INPUT_ZONES");
    assert!(matches!(&zones.rules[1].action, Action::Goto(c) if c == "filter_IN_public"));
    let allow = chain(&rs, "filter_IN_public_allow");
    let cf6 = rules_at(allow, 133);
    assert!(cf6[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::Family { family: Family::V6 })));
    assert!(cf6[0].matches.iter().any(|m| matches!(m, Match::ConnState { states, negated: false } if states == &["new", "untracked"])));
    // The reverse-path rule cannot match Internet traffic: kept, no effect, noted.
    let rp = rules_at(chain(&rs, "raw_PREROUTING"), 6);
    assert!(matches!(rp[0].action, Action::Continue));
    assert!(rs.notes.iter().any(|n| n.contains("reverse-path")));
}

#[test]
fn iptables_nft_tables_are_per_family_and_xt_comments_are_unknown() {
    let rs = load("iptables-nft-ufw-docker.nft");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    assert_eq!(
        entry_names(&rs),
        vec!["ip filter/INPUT", "ip6 filter/INPUT"]
    );
    assert_eq!(chain(&rs, "ip filter/INPUT").families, vec![Family::V4]);
    assert_eq!(chain(&rs, "ip6 filter/INPUT").families, vec![Family::V6]);
    // DOCKER exists in two tables: qualified, and jumps follow.
    let fwd = chain(&rs, "FORWARD");
    assert!(matches!(&fwd.rules[3].action, Action::Jump(c) if c == "ip filter/DOCKER"));
    let not_local = chain(&rs, "ufw-not-local");
    assert_eq!(not_local.rules.len(), 4);
    assert!(
        matches!(&not_local.rules[0].matches[0], Match::Unknown { text, .. } if text.starts_with("# xt_addrtype"))
    );
    assert!(matches!(not_local.rules[0].action, Action::Return));
    assert!(matches!(&not_local.rules[2].action, Action::Jump(c) if c == "ufw-logging-deny"));
    let user = chain(&rs, "ufw-user-input");
    assert!(
        matches!(&user.rules[3].matches.last(), Some(Match::Unknown { text, .. }) if text == "xt match \"recent\"")
    );
    assert!(rs
        .notes
        .iter()
        .any(|n| n.contains("ip nat PREROUTING") && n.contains("DNAT")));
}

#[test]
fn variants_sets_maps_ranges_tables() {
    let rs = load("variants.nft");
    // One garbage line is reported, everything else understood.
    assert_eq!(rs.not_understood.len(), 1);
    assert_eq!(rs.not_understood[0].line, 89);
    assert!(rs.notes.iter().any(|n| n.contains("netdev filter")));
    assert!(rs.notes.iter().any(|n| n.contains("bridge filter")));
    assert!(rs
        .notes
        .iter()
        .any(|n| n.contains("raw_guard/banned") && n.contains("dynamic")));
    // prerouting raw (-300), input filter - 10, input 0, input security (50).
    assert_eq!(
        entry_names(&rs),
        vec!["pre", "in_early", "in_main", "input"]
    );
    assert_eq!(chain(&rs, "input").families, vec![Family::V6]);
    assert_eq!(chain(&rs, "pre").families, vec![Family::V4]);
    // Banned set with timeouts holds a Cloudflare address.
    let banned = rs
        .sets
        .iter()
        .find(|s| s.name == "ip raw_guard/banned")
        .expect("banned");
    assert!(banned.members.contains("162.158.10.20".parse().unwrap()));
    let allow = rs
        .sets
        .iter()
        .find(|s| s.name == "inet edge/allow_range")
        .expect("range set");
    assert!(allow.members.contains("10.0.0.5".parse().unwrap()));
    assert!(!allow.members.contains("10.0.0.10".parse().unwrap()));

    let early = chain(&rs, "in_early");
    assert_eq!(rules_at(early, 62).len(), 2);
    assert!(rules_at(early, 63)[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::SourceAddr { negated: true, .. })));

    let m = chain(&rs, "in_main");
    let at = |l| rules_at(m, l);
    assert_eq!(at(68).len(), 3);
    assert!(matches!(at(68)[2].action, Action::Drop));
    assert_eq!(at(70).len(), 2); // iifname @lan_ifs
    assert!(matches!(at(75)[0].action, Action::Continue)); // fib daddr type broadcast
    assert_eq!(
        at(76)[0].matches.iter().find_map(ports),
        Some(vec![(9000, 9000)])
    );
    // Named verdict map and anonymous vmap over ports.
    assert!(matches!(&at(77)[0].action, Action::Jump(c) if c == "ssh_in"));
    assert!(matches!(at(77)[1].action, Action::Drop));
    assert_eq!(at(78).len(), 2);
    assert_eq!(
        at(79)[0].matches.iter().find_map(ports),
        Some(vec![(5000, 5010)])
    );
    assert!(at(79)[0]
        .matches
        .iter()
        .all(|m| !matches!(m, Match::Protocol { .. })));
    assert!(at(80)[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::DestPort { negated: true, .. })));
    assert!(at(82)[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::NamedSource { name, .. } if name == "inet edge/cf6")));
    assert_eq!(
        at(82)[0].matches.iter().find_map(ports),
        Some(vec![(80, 80), (443, 443), (8443, 8443)])
    );
    // A set never defined in the paste: still a named source (undecidable).
    assert!(at(83)[0].matches.iter().any(
        |m| matches!(m, Match::NamedSource { name, .. } if name == "inet edge/cloudflare_v4")
    ));
    assert!(!rs.sets.iter().any(|s| s.name == "inet edge/cloudflare_v4"));
    assert_eq!(
        at(84)[0].matches.iter().find_map(ports),
        Some(vec![(80, 80), (443, 443), (8000, 8080)])
    );
    assert!(at(85)[0].matches.iter().any(|m| matches!(
        m,
        Match::RateLimit {
            first_connection_matches: false,
            ..
        }
    )));
    assert!(matches!(&at(86)[0].action, Action::Reject(w) if w == "tcp reset"));
    assert!(matches!(&at(90)[0].action, Action::Reject(w) if w == "icmpv6 admin-prohibited"));
    assert!(at(57).is_empty()); // line 57 belongs to chain ssh_in
    let ssh = chain(&rs, "ssh_in");
    assert!(matches!(&ssh.rules[2].action, Action::Reject(w) if w == "icmp host-prohibited"));
    assert!(matches!(at(92)[0].action, Action::Continue)); // log ... counter
}

#[test]
fn one_line_config_and_nft_list_chain_without_ruleset() {
    let text = "#!/usr/sbin/nft -f\nflush ruleset\ntable inet f {\n\tchain i { type filter hook input priority 0; policy drop; }\n\tchain j { tcp dport 443 accept; tcp dport 80 accept }\n}\n";
    let rs = nftables::parse("conf", &lines(text));
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    assert_eq!(entry_names(&rs), vec!["i"]);
    assert_eq!(chain(&rs, "i").policy, Some(Policy::Drop));
    assert_eq!(chain(&rs, "j").rules.len(), 2);
    // `nft list chain inet filter input` prints the enclosing table too.
    let text = "# nft list chain inet filter input\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tip6 saddr 2400:cb00::/32 tcp dport 443 reject with tcp reset\n\t}\n}\n";
    let rs = nftables::parse("chain", &lines(text));
    assert!(rs.not_understood.is_empty());
    assert_eq!(rs.understood_lines, 7);
    assert_eq!(chain(&rs, "input").rules[0].source.line, 5);
}

#[test]
fn large_set_is_read_whole() {
    let mut text = String::from("table inet filter {\n\tset blocklist {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { ");
    for i in 0..50_000u32 {
        let a = 0x0b00_0000u32 + i * 4;
        if i > 0 {
            text.push_str(if i % 4 == 0 { ",\n\t\t\t     " } else { ", " });
        }
        text.push_str(&format!(
            "{}.{}.{}.{}/30",
            a >> 24,
            (a >> 16) & 255,
            (a >> 8) & 255,
            a & 255
        ));
    }
    text.push_str(" }\n\t}\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tip saddr @blocklist drop\n\t}\n}\n");
    let rs = nftables::parse("big", &lines(&text));
    assert!(rs.not_understood.is_empty());
    assert_eq!(rs.sets.len(), 1);
    assert!(rs.sets[0].members.contains("11.0.0.5".parse().unwrap()));
    // The last element is read too (speed is measured in benches/, not here).
    assert!(rs.sets[0].members.contains("11.3.13.61".parse().unwrap()));
}

fn analyze_full(text: &str) -> err521::report::Report {
    let options = err521::options::Options {
        ssl_mode: err521::options::SslMode::Full,
        ..Default::default()
    };
    err521::analyze(
        &[err521::parse::CaseInput::new("ticket", text.to_string())],
        &options,
    )
}

fn firewall_explanation(r: &err521::report::Report) -> (err521::diagnose::Status, String) {
    r.findings
        .iter()
        .find(|f| f.id == err521::diagnose::FindingId::FirewallBlocksCloudflare)
        .map(|f| (f.status, f.explanation.clone()))
        .unwrap_or((err521::diagnose::Status::Unknown, String::new()))
}

#[test]
fn rate_limited_reject_is_not_a_plain_reject() {
    // Under the limit the rule matches: a new connection is rejected; over
    // it, connections fall through to the accept below.
    let text = "$ sudo nft list ruleset
table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tiifname \"lo\" accept
\t\tct state established,related accept
\t\ttcp dport { 80, 443 } limit rate 5/second burst 10 packets reject with tcp reset
\t\ttcp dport { 80, 443 } accept
\t}
}
";
    let (status, why) = firewall_explanation(&analyze_full(text));
    assert_eq!(status, err521::diagnose::Status::Confirmed, "{why}");
    assert!(why.contains("not a plain block"), "{why}");
    assert!(why.contains("limit rate 5/second"), "{why}");
    assert!(why.contains("fall through"), "{why}");
}

#[test]
fn iptables_limit_reject_is_described_the_same_way() {
    let text = "$ sudo iptables -S
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443 -m limit --limit 5/sec --limit-burst 10 -j REJECT --reject-with tcp-reset
";
    let (_, why) = firewall_explanation(&analyze_full(text));
    assert!(why.contains("not a plain block"), "{why}");
    assert!(why.contains("--limit 5/sec"), "{why}");
}

#[test]
fn a_ruleset_that_ends_inside_a_chain_is_cut() {
    let text = "$ sudo nft list ruleset
table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tiifname \"lo\" accept
\t\tct state established,related accept
\t\ttcp dport 22 accept
";
    let rs = nftables::parse("nft", &lines(text));
    assert!(
        rs.notes
            .iter()
            .any(|n| n.contains("stops inside chain input")),
        "{:?}",
        rs.notes
    );
    let r = analyze_full(text);
    let (status, why) = firewall_explanation(&r);
    // Not "dropped by the policy": the rules after the cut may accept.
    assert_eq!(status, err521::diagnose::Status::Unknown, "{why}");
    assert!(why.contains("paste the rest"), "{why}");
    // Nor does the missing ICMPv6 accept count against IPv6.
    assert!(r
        .findings
        .iter()
        .all(|f| f.id != err521::diagnose::FindingId::Ipv6OriginBroken
            || f.status == err521::diagnose::Status::Unknown));
}
