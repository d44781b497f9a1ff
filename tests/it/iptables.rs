//! Fixture tests: iptables/ip6tables/ipset dumps in the shapes the tools
//! print, parsed and evaluated for Cloudflare's ranges.

use err521::cloudflare::Ranges;
use err521::diagnose::{FindingId, Status};
use err521::firewall::coverage::coverage;
use err521::firewall::eval::{evaluate, Context, Outcome, Verdict};
use err521::firewall::model::{Dialect, Ruleset, Undecided};
use err521::net::{AddrRange, AddrSet, Family};
use err521::options::{Options, SslMode};
use err521::parse::CaseInput;
use err521::parse::{ipset, iptables};
use err521::report::{Report, ReportFinding};
use err521::text::lines;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/iptables/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load(name: &str) -> Ruleset {
    let text = fixture(name);
    iptables::parse(name, &lines(&text))
}

fn set(cidrs: &[&str]) -> AddrSet {
    AddrSet::from_ranges(cidrs.iter().filter_map(|c| AddrRange::parse(c)))
}

fn cf(family: Family) -> AddrSet {
    AddrSet::from_ranges(
        Ranges::bundled()
            .ranges
            .into_iter()
            .filter(|r| r.family == family),
    )
}

/// The verdict for one address.
fn at<'a>(parts: &'a [(AddrSet, Verdict)], addr: &str) -> Option<&'a Verdict> {
    let a = addr.parse().ok()?;
    parts.iter().find(|(s, _)| s.contains(a)).map(|(_, v)| v)
}

fn line_of(v: Option<&Verdict>) -> Option<usize> {
    v.and_then(|v| v.rule.as_ref()).map(|r| r.line)
}

fn outcome(v: Option<&Verdict>) -> Option<Outcome> {
    v.map(|v| v.outcome)
}

fn ctx() -> Context {
    Context::default()
}

fn assert_partition(parts: &[(AddrSet, Verdict)], input: &AddrSet) {
    let mut total = AddrSet::empty();
    for (s, _) in parts {
        assert!(total.intersect(s).is_empty(), "overlap");
        total = total.union(s);
    }
    assert_eq!(&total, input);
}

#[test]
fn ufw_save_splits_162_158_exactly() {
    let rs = load("ubuntu-ufw-save.txt");
    assert_eq!(rs.dialect, Dialect::IptablesSave);
    assert_eq!(rs.families, vec![Family::V4]);
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let input = set(&["162.158.0.0/15"]);
    let parts = evaluate(&rs, &input, 443, &ctx());
    assert_partition(&parts, &input);
    let shown: Vec<(String, Outcome, Option<usize>)> = parts
        .iter()
        .map(|(s, v)| {
            let ranges: Vec<String> = s.ranges().iter().map(|r| r.to_string()).collect();
            (ranges.join(" "), v.outcome, v.rule.as_ref().map(|r| r.line))
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            (
                "162.158.0.0/22 162.158.5.0-162.159.255.255".to_string(),
                Outcome::Accept,
                Some(106)
            ),
            ("162.158.4.0/24".to_string(), Outcome::Drop, Some(95)),
        ]
    );
    // 131.0.72.0/22 has no rule: the INPUT policy drops it.
    let all = evaluate(&rs, &cf(Family::V4), 443, &ctx());
    let v = at(&all, "131.0.72.1");
    assert_eq!(outcome(v), Some(Outcome::Drop));
    assert_eq!(
        v.and_then(|v| v.policy.clone()).as_deref(),
        Some("INPUT policy DROP")
    );
    // Port 80 is not opened at all.
    let p80 = evaluate(&rs, &cf(Family::V4), 80, &ctx());
    assert!(p80.iter().all(|(_, v)| v.outcome == Outcome::Drop));
}

#[test]
fn ufw_dash_s_with_prompt_and_quoted_comment() {
    let rs = load("ubuntu-ufw-S.txt");
    assert_eq!(rs.dialect, Dialect::IptablesRules);
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let parts = evaluate(&rs, &cf(Family::V4), 443, &ctx());
    assert_eq!(parts.len(), 1);
    let v = parts.first().map(|p| &p.1);
    assert_eq!(outcome(v), Some(Outcome::Accept));
    assert_eq!(line_of(v), Some(73));
    let p8443 = evaluate(&rs, &cf(Family::V4), 8443, &ctx());
    assert!(p8443.iter().all(|(_, v)| v.outcome == Outcome::Drop));
}

#[test]
fn f2b_list_rejects_one_banned_cloudflare_address() {
    let rs = load("f2b-L-nv.txt");
    assert_eq!(rs.dialect, Dialect::IptablesList);
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let parts = evaluate(&rs, &cf(Family::V4), 443, &ctx());
    let banned = at(&parts, "162.158.4.12");
    assert_eq!(outcome(banned), Some(Outcome::Reject));
    assert_eq!(
        banned.and_then(|v| v.reject_with.clone()).as_deref(),
        Some("icmp-port-unreachable")
    );
    assert_eq!(line_of(banned), Some(22));
    // Line 10 accepts 443 on eth0 only. The dump alone does not say
    // Cloudflare arrives on eth0: the verdict hangs on that, typed.
    let ok = at(&parts, "162.158.4.13");
    assert_eq!(outcome(ok), Some(Outcome::Unknown));
    assert_eq!(
        ok.map(|v| v.undecided.clone()),
        Some(vec![Undecided::Interface("eth0".into())])
    );
    assert_eq!(
        ok.and_then(|v| v.branches),
        Some((Outcome::Accept, Outcome::Drop))
    );
    // With ip addr/route naming eth0 the public interface, it is exact.
    let eth0 = Context {
        public_interface: Some("eth0".into()),
        origin_addrs: AddrSet::empty(),
    };
    let parts = evaluate(&rs, &cf(Family::V4), 443, &eth0);
    let ok = at(&parts, "162.158.4.13");
    assert_eq!(outcome(ok), Some(Outcome::Accept));
    assert_eq!(line_of(ok), Some(10));
    let other = Context {
        public_interface: Some("ens3".into()),
        origin_addrs: AddrSet::empty(),
    };
    let parts = evaluate(&rs, &cf(Family::V4), 443, &other);
    let v = at(&parts, "162.158.4.13");
    assert_eq!(outcome(v), Some(Outcome::Drop));
}

#[test]
fn reject_vs_drop_with_line_numbers_and_exact_counters() {
    let rs = load("line-numbers-nvx.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let p80 = evaluate(&rs, &cf(Family::V4), 80, &ctx());
    let v = p80.first().map(|p| &p.1);
    assert_eq!(p80.len(), 1);
    assert_eq!(outcome(v), Some(Outcome::Reject));
    assert_eq!(
        v.and_then(|v| v.reject_with.clone()).as_deref(),
        Some("tcp-reset")
    );
    let p8443 = evaluate(&rs, &cf(Family::V4), 8443, &ctx());
    assert_eq!(line_of(p8443.first().map(|p| &p.1)), Some(8));
    let p8080 = evaluate(&rs, &cf(Family::V4), 8080, &ctx());
    let v = p8080.first().map(|p| &p.1);
    assert_eq!(outcome(v), Some(Outcome::Drop));
    assert_eq!(line_of(v), Some(9));
    assert_eq!(v.and_then(|v| v.policy.clone()), None);
}

#[test]
fn related_established_does_not_accept_new() {
    // Line 1 of INPUT accepts only RELATED,ESTABLISHED: a SYN goes on.
    let rs = load("line-numbers-nvx.txt");
    let p2083 = evaluate(&rs, &cf(Family::V4), 2083, &ctx());
    assert_ne!(line_of(p2083.first().map(|p| &p.1)), Some(4));
}

#[test]
fn names_without_dash_n_stay_unknown_where_they_matter() {
    let rs = load("names-L.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    // Line 6: `ACCEPT all -- anywhere anywhere` hides its interface.
    let p2053 = evaluate(&rs, &cf(Family::V4), 2053, &ctx());
    let v = p2053.first().map(|p| &p.1);
    assert_eq!(outcome(v), Some(Outcome::Unknown));
    assert!(v
        .and_then(|v| v.reason.clone())
        .is_some_and(|r| r.contains("-v")));
    // http is accepted anyway, whatever the hidden interface.
    let p80 = evaluate(&rs, &cf(Family::V4), 80, &ctx());
    assert!(p80.iter().all(|(_, v)| v.outcome == Outcome::Accept));
    // https: named line accepts 173.245.48.0/20; the rest depends on line 6.
    let p443 = evaluate(&rs, &cf(Family::V4), 443, &ctx());
    assert_eq!(outcome(at(&p443, "173.245.48.1")), Some(Outcome::Accept));
    assert_eq!(outcome(at(&p443, "104.16.0.1")), Some(Outcome::Unknown));
    // `dpt:http-alt` is 8080; the source is a host name, so unknown.
    let rules = &rs
        .chains
        .first()
        .map(|c| c.rules.clone())
        .unwrap_or_default();
    let text = format!("{:?}", rules.get(5).map(|r| &r.matches));
    assert!(text.contains("one.one.one.one"), "{text}");
}

#[test]
fn csf_chains_policy_drop() {
    let rs = load("csf-L-nv.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let p443 = evaluate(&rs, &cf(Family::V4), 443, &ctx());
    assert_eq!(outcome(at(&p443, "162.158.4.9")), Some(Outcome::Drop));
    assert_eq!(line_of(at(&p443, "162.158.4.9")), Some(27));
    assert_eq!(line_of(at(&p443, "173.245.48.9")), Some(23));
    assert_eq!(line_of(at(&p443, "104.16.0.1")), Some(11));
    let p8443 = evaluate(&rs, &cf(Family::V4), 8443, &ctx());
    assert_eq!(outcome(at(&p8443, "173.245.48.9")), Some(Outcome::Accept));
    let v = at(&p8443, "104.16.0.1");
    assert_eq!(outcome(v), Some(Outcome::Drop));
    assert_eq!(line_of(v), Some(55));
}

#[test]
fn docker_dnat_port_is_unknown_and_host_port_accepted() {
    let rs = load("docker-save.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    assert!(rs.notes.iter().any(|n| n.contains("nat")));
    let p443 = evaluate(&rs, &cf(Family::V4), 443, &ctx());
    assert_eq!(p443.len(), 1);
    assert_eq!(outcome(p443.first().map(|p| &p.1)), Some(Outcome::Accept));
    let p8080 = evaluate(&rs, &cf(Family::V4), 8080, &ctx());
    let v = p8080.first().map(|p| &p.1);
    assert_eq!(outcome(v), Some(Outcome::Unknown));
    assert!(v
        .and_then(|v| v.reason.clone())
        .is_some_and(|r| r.contains("DNAT")));
}

#[test]
fn ip6tables_save_is_ipv6_only() {
    let rs = load("ip6tables-save.txt");
    assert_eq!(rs.families, vec![Family::V6]);
    // An IPv4 set is outside what this dump governs.
    assert!(evaluate(&rs, &cf(Family::V4), 443, &ctx()).is_empty());
    let parts = evaluate(&rs, &cf(Family::V6), 443, &ctx());
    assert_eq!(outcome(at(&parts, "2606:4700::1")), Some(Outcome::Accept));
    let v = at(&parts, "2405:b500::1");
    assert_eq!(outcome(v), Some(Outcome::Reject));
    assert_eq!(
        v.and_then(|v| v.reject_with.clone()).as_deref(),
        Some("icmp6-adm-prohibited")
    );
}

#[test]
fn ipset_match_unknown_without_members_exact_with_them() {
    let mut rs = load("ipset-S.txt");
    let input = cf(Family::V4);
    let parts = evaluate(&rs, &input, 443, &ctx());
    assert_eq!(parts.len(), 1);
    let v = parts.first().map(|p| &p.1);
    assert_eq!(outcome(v), Some(Outcome::Unknown));
    assert!(v
        .and_then(|v| v.reason.clone())
        .is_some_and(|r| r.contains("ipset list cf4")));
    let text = fixture("ipset-list.txt");
    let sets = ipset::parse("ipset-list.txt", &lines(&text));
    assert_eq!(sets.len(), 2);
    iptables::attach_sets(&mut rs, sets);
    let parts = evaluate(&rs, &input, 443, &ctx());
    assert_partition(&parts, &input);
    assert_eq!(outcome(at(&parts, "162.159.1.1")), Some(Outcome::Accept));
    let v = at(&parts, "104.16.0.1");
    assert_eq!(outcome(v), Some(Outcome::Reject));
    assert_eq!(
        v.and_then(|v| v.reject_with.clone()).as_deref(),
        Some("tcp-reset")
    );
}

#[test]
fn ipset_save_format() {
    let text = fixture("ipset-save.txt");
    let d = ipset::parse_dump("ipset-save.txt", &lines(&text));
    assert!(d.not_understood.is_empty(), "{:?}", d.not_understood);
    let names: Vec<&str> = d.sets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["cf6", "blocklist"]);
    let cf6 = d
        .sets
        .first()
        .map(|s| s.members.clone())
        .unwrap_or_default();
    assert_eq!(cf6.ranges().len(), 3);
    assert!(cf6.families() == vec![Family::V6]);
}

#[test]
fn jump_return_and_goto() {
    let rs = load("chains-jump-goto.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let input = set(&["173.245.48.0/20", "103.21.244.0/22", "104.16.0.0/13"]);
    let parts = evaluate(&rs, &input, 443, &ctx());
    assert_partition(&parts, &input);
    // CF drops its /24; the rest of the /20 falls off CF, which was reached
    // by goto, so it returns to INPUT after the jump: line 6, not line 9.
    assert_eq!(line_of(at(&parts, "173.245.48.1")), Some(10));
    assert_eq!(outcome(at(&parts, "173.245.48.1")), Some(Outcome::Drop));
    assert_eq!(line_of(at(&parts, "173.245.49.1")), Some(6));
    // RETURN from WEB: INPUT continues and its policy drops.
    let v = at(&parts, "103.21.244.1");
    assert_eq!(outcome(v), Some(Outcome::Drop));
    assert!(v.and_then(|v| v.policy.clone()).is_some());
    assert_eq!(line_of(at(&parts, "104.16.0.1")), Some(9));
    // `-i lo -j ACCEPT` never decides for Cloudflare.
    assert!(parts.iter().all(|(_, v)| line_of(Some(v)) != Some(4)));
}

#[test]
fn script_lines_with_insert_lists_and_ranges() {
    let rs = load("script-rules.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let input = cf(Family::V4);
    let p443 = evaluate(&rs, &input, 443, &ctx());
    // `-I INPUT 2` puts the iprange REJECT second.
    let v = at(&p443, "162.158.0.15");
    assert_eq!(outcome(v), Some(Outcome::Reject));
    assert_eq!(
        v.and_then(|v| v.reject_with.clone()).as_deref(),
        Some("icmp-port-unreachable")
    );
    assert_eq!(line_of(v), Some(9));
    assert_eq!(outcome(at(&p443, "103.21.244.1")), Some(Outcome::Accept));
    assert_eq!(outcome(at(&p443, "104.16.0.1")), Some(Outcome::Drop));
    // hashlimit-above does not hit a first connection.
    let p80 = evaluate(&rs, &input, 80, &ctx());
    assert_eq!(line_of(at(&p80, "104.16.0.1")), Some(11));
}

#[test]
fn coverage_merges_and_picks_the_exact_dump() {
    let v4 = load("ubuntu-ufw-save.txt");
    let v6 = load("ip6tables-save.txt");
    let list = load("f2b-L-nv.txt");
    let ranges = Ranges::bundled();
    let entries = coverage(&[list, v4, v6], &ranges, &[443], &ctx());
    let layers: std::collections::BTreeSet<&str> = entries.iter().map(|e| e.layer.name()).collect();
    assert_eq!(
        layers.into_iter().collect::<Vec<_>>(),
        vec!["ip6tables", "iptables"]
    );
    let e: Vec<_> = entries
        .iter()
        .filter(|e| e.cloudflare_range == "162.158.0.0/15")
        .collect();
    assert_eq!(e.len(), 3);
    assert_eq!(e.get(1).map(|e| e.range.as_str()), Some("162.158.4.0/24"));
    assert_eq!(e.get(1).map(|e| e.outcome), Some(Outcome::Drop));
    assert!(e
        .first()
        .and_then(|e| e.reason.clone())
        .is_some_and(|r| r.contains("less exact")));
    // Every other v4 range is one entry (adjacent pieces merged).
    let n173 = entries
        .iter()
        .filter(|e| e.cloudflare_range == "173.245.48.0/20")
        .count();
    assert_eq!(n173, 1);
    // No IPv6 dump: no IPv6 entries.
    let only4 = coverage(&[load("csf-L-nv.txt")], &ranges, &[443], &ctx());
    assert!(only4.iter().all(|e| e.layer.name() == "iptables"));
}

/// Found by the kernel differential test: ufw's before6.rules drop packets
/// with a type-0 routing header. A SYN has none, so the rule never matches
/// and the user rules decide (the kernel agrees).
#[test]
fn ipv6_routing_header_rule_never_matches_a_syn() {
    let text = "*filter\n:INPUT DROP [0:0]\n:ufw6-before-input - [0:0]\n\
        -A INPUT -j ufw6-before-input\n\
        -A ufw6-before-input -m rt --rt-type 0 -j DROP\n\
        -A ufw6-before-input -p tcp -m tcp --dport 443 -j REJECT --reject-with tcp-reset\n\
        COMMIT\n";
    let rs = iptables::parse_family("ip6tables-save", &lines(text), Some(Family::V6));
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let parts = evaluate(&rs, &set(&["2400:cb00::/32"]), 443, &ctx());
    let v = at(&parts, "2400:cb00::5");
    assert_eq!(outcome(v), Some(Outcome::Reject));
    assert_eq!(line_of(v), Some(6));
}

fn analyze(text: &str, mode: SslMode) -> Report {
    let options = Options {
        ssl_mode: mode,
        ..Options::default()
    };
    err521::analyze(&[CaseInput::new("ticket", text.to_string())], &options)
}

fn fw_finding(r: &Report) -> &ReportFinding {
    let f = r
        .findings
        .iter()
        .find(|f| f.id == FindingId::FirewallBlocksCloudflare);
    assert!(f.is_some(), "no firewall finding");
    f.unwrap_or_else(|| unreachable!())
}

const ETH1_DROP: &str = "$ sudo iptables-save
# Generated by iptables-save v1.8.7 on Mon Dec  7 10:00:00 2026
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -i eth1 -j DROP
COMMIT
# Completed on Mon Dec  7 10:00:00 2026
";

#[test]
fn interface_rule_without_host_addresses_is_conditional() {
    let r = analyze(ETH1_DROP, SslMode::Full);
    let f = fw_finding(&r);
    assert_eq!(f.status, Status::Likely, "{}", f.explanation);
    assert!(
        f.explanation
            .contains("dropped if Cloudflare arrives on eth1"),
        "{}",
        f.explanation
    );
    assert!(f.checks.iter().any(|c| c == "ip -br addr; ip route"));
    assert!(f
        .evidence
        .iter()
        .any(|e| e.text == "-A INPUT -i eth1 -j DROP"));
}

#[test]
fn interface_rule_with_host_addresses_is_exact() {
    // eth1 is a private NIC; the public address sits on eth0.
    let text = format!(
        "{ETH1_DROP}\n$ ip -br addr\nlo               UNKNOWN        127.0.0.1/8 ::1/128\neth0             UP             203.0.113.10/24\neth1             UP             10.0.0.5/24\n"
    );
    let r = analyze(&text, SslMode::Full);
    assert_ne!(fw_finding(&r).status, Status::Likely);
    assert_ne!(fw_finding(&r).status, Status::Confirmed);
    // The public address on eth1: the drop is certain (and reads 522).
    let text = format!(
        "{ETH1_DROP}\n$ ip -br addr\nlo               UNKNOWN        127.0.0.1/8 ::1/128\neth1             UP             203.0.113.10/24\n"
    );
    let r = analyze(&text, SslMode::Full);
    let f = fw_finding(&r);
    assert_eq!(f.status, Status::Confirmed, "{}", f.explanation);
    assert!(f.explanation.contains("522"));
}

#[test]
fn nft_iifname_drop_without_host_addresses_is_conditional() {
    let text = "$ sudo nft list ruleset
table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		iifname \"lo\" accept
		iifname \"eth1\" tcp dport 443 drop
	}
}
";
    let r = analyze(text, SslMode::Full);
    let f = fw_finding(&r);
    assert_eq!(f.status, Status::Likely, "{}", f.explanation);
    assert!(f.explanation.contains("if Cloudflare arrives on eth1"));
}

#[test]
fn accept_only_on_one_interface_is_not_ruled_out() {
    let text = "$ sudo iptables -S
-P INPUT DROP
-P FORWARD DROP
-P OUTPUT ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -i eth0 -p tcp -m multiport --dports 80,443 -j ACCEPT
";
    let r = analyze(text, SslMode::Full);
    let f = fw_finding(&r);
    assert_eq!(f.status, Status::Unknown, "{}", f.explanation);
    assert!(
        f.explanation
            .contains("accepted only if they arrive on eth0"),
        "{}",
        f.explanation
    );
    assert!(f.checks.iter().any(|c| c == "ip -br addr; ip route"));
}

const V4_ACCEPT_ALL: &str = "$ sudo iptables-save
*filter
:INPUT ACCEPT [120:9000]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [88:7000]
COMMIT
";

#[test]
fn ipv4_dump_that_accepts_rules_out_for_ipv4() {
    let r = analyze(V4_ACCEPT_ALL, SslMode::Full);
    let f = fw_finding(&r);
    assert_eq!(f.status, Status::RuledOut);
    assert!(f.explanation.contains("for IPv4"), "{}", f.explanation);
    assert!(!f.evidence.is_empty());
    // DNS unknown: the IPv6 question is open, so ask, and say why.
    assert!(f.checks.iter().any(|c| c == "sudo ip6tables-save"));
    assert!(f.explanation.contains("AAAA"));
}

#[test]
fn ipv4_dump_that_accepts_with_an_aaaa_stays_open() {
    let text = format!("{V4_ACCEPT_ALL}\n$ dig +short AAAA example.com @1.1.1.1\n2001:db8:10::5\n");
    let r = analyze(&text, SslMode::Full);
    let f = fw_finding(&r);
    assert!(
        f.explanation.contains("Ruled out for IPv4"),
        "{}",
        f.explanation
    );
    assert!(f.checks.iter().any(|c| c == "sudo ip6tables-save"));
}

#[test]
fn ipv4_reject_carries_an_ipv6_caveat_and_no_blind_ipv6_position() {
    let text = "$ sudo iptables-save
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -j REJECT --reject-with icmp-host-prohibited
COMMIT
";
    let r = analyze(text, SslMode::Full);
    let f = fw_finding(&r);
    assert_eq!(f.status, Status::Confirmed);
    assert!(f.explanation.contains("IPv4 only"), "{}", f.explanation);
    let titles: Vec<&str> = f.fix.iter().map(|s| s.title.as_str()).collect();
    let v4 = titles.iter().find(|t| t.contains("IPv4"));
    let v6 = titles.iter().find(|t| t.contains("IPv6"));
    assert!(
        v4.is_some_and(|t| t.contains("above the rule that blocks")),
        "{titles:?}"
    );
    assert!(
        v6.is_some_and(|t| !t.contains("above the rule that blocks")),
        "{titles:?}"
    );
}

#[test]
fn grepped_iptables_s_without_policy_lines_is_not_complete() {
    let text = "$ sudo iptables -S | grep INPUT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
";
    let rs = iptables::parse("ipt", &lines(text));
    assert!(
        rs.notes.iter().any(|n| n.contains("no `-P INPUT` line")),
        "{:?}",
        rs.notes
    );
    let r = analyze(text, SslMode::Flexible);
    let f = fw_finding(&r);
    // Port 80 reaches the policy the paste does not show: not ruled out.
    assert_eq!(f.status, Status::Unknown, "{}", f.explanation);
    assert!(
        f.explanation.contains("paste the rest"),
        "{}",
        f.explanation
    );
}

#[test]
fn the_default_route_names_the_interface_cloudflare_arrives_on() {
    // Two NICs with public-looking addresses: `ip route` decides.
    let addrs = "$ ip -br addr\nlo               UNKNOWN        127.0.0.1/8 ::1/128\neth0             UP             198.51.100.20/24\neth1             UP             203.0.113.10/24\n";
    let via = |dev: &str| {
        format!(
            "{ETH1_DROP}\n{addrs}\n$ ip route\ndefault via 203.0.113.1 dev {dev} proto static\n198.51.100.0/24 dev eth0 proto kernel scope link src 198.51.100.20\n203.0.113.0/24 dev eth1 proto kernel scope link src 203.0.113.10\n"
        )
    };
    let r = analyze(&via("eth1"), SslMode::Full);
    let f = fw_finding(&r);
    assert_eq!(f.status, Status::Confirmed, "{}", f.explanation);
    assert_eq!(r.not_understood_count, 0);
    let r = analyze(&via("eth0"), SslMode::Full);
    let f = fw_finding(&r);
    assert!(
        matches!(f.status, Status::RuledOut | Status::Unknown),
        "{:?} {}",
        f.status,
        f.explanation
    );
}
