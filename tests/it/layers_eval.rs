//! The layer parsers through the evaluator: firewalld against the iptables
//! view of the same host, cloud groups dropping (522), CSF order.
use err521::cloudflare::Ranges;
use err521::firewall::coverage::coverage;
use err521::firewall::eval::{evaluate, Context, Outcome};
use err521::net::{AddrRange, AddrSet, Family};
use err521::parse::{cloud, csf, firewalld, iptables};
use err521::text::lines;

fn text(path: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/{path}")).unwrap_or_default()
}

fn ctx() -> Context {
    Context {
        public_interface: Some("eth0".into()),
        ..Context::default()
    }
}

fn v4_cloudflare() -> Vec<AddrRange> {
    Ranges::bundled()
        .ranges
        .into_iter()
        .filter(|r| r.family == Family::V4)
        .collect()
}

#[test]
fn firewalld_and_its_iptables_backend_agree() {
    let fw_text = text("firewalld/list-all-zones-cloudflare-v4-only.txt");
    let fw = firewalld::parse("zones", &lines(&fw_text));
    let ipt_text = text("firewalld/iptables-backend-public.save");
    let ipt = iptables::parse("iptables-save", &lines(&ipt_text));
    assert!(ipt.not_understood.is_empty(), "{:?}", ipt.not_understood);
    let mut checked = 0;
    for r in v4_cloudflare()
        .into_iter()
        .chain(AddrRange::parse("198.51.100.0/24"))
    {
        let set = AddrSet::from_ranges([r]);
        for port in [80, 443, 8443, 9005, 2053] {
            let a = evaluate(&fw, &set, port, &ctx());
            let b = evaluate(&ipt, &set, port, &ctx());
            for (sa, va) in &a {
                for (sb, vb) in &b {
                    if !sa.intersect(sb).is_empty() {
                        assert_eq!(
                            (va.outcome, &va.reject_with),
                            (vb.outcome, &vb.reject_with),
                            "{r} port {port}: firewalld {va:?} vs iptables {vb:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked >= 80);
    // The firewalld verdict quotes the rich rule line.
    let set = AddrSet::from_ranges(AddrRange::parse("131.0.72.0/22"));
    let v = evaluate(&fw, &set, 443, &ctx());
    assert!(v.iter().all(
        |(_, v)| v.outcome == Outcome::Accept && v.rule.as_ref().is_some_and(|r| r.line == 61)
    ));
    // IPv6 (which the iptables dump cannot speak about) is rejected.
    let v6 = AddrSet::from_ranges(AddrRange::parse("2606:4700::/32"));
    let v = evaluate(&fw, &v6, 443, &ctx());
    assert!(v.iter().all(|(_, v)| v.outcome == Outcome::Reject
        && v.reject_with.as_deref() == Some("icmp-host-prohibited")));
    assert!(evaluate(&ipt, &v6, 443, &ctx()).is_empty());
}

#[test]
fn security_group_drops_other_cloudflare_ranges() {
    let cf = cloud::parse(
        "sg",
        &lines(&text("cloud/aws-describe-security-groups.txt")),
    );
    let sg = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("no sg"));
    assert!(sg.notes.iter().any(|n| n.contains("522")));
    let all = Ranges::bundled().set();
    let parts = evaluate(&sg, &all, 443, &ctx());
    let accepted: AddrSet = parts
        .iter()
        .filter(|(_, v)| v.outcome == Outcome::Accept)
        .fold(AddrSet::empty(), |acc, (s, _)| acc.union(s));
    let want = AddrSet::from_ranges(
        [
            "173.245.48.0/20",
            "103.21.244.0/22",
            "141.101.64.0/18",
            "162.158.0.0/15",
        ]
        .iter()
        .filter_map(|c| AddrRange::parse(c)),
    );
    assert_eq!(accepted, want);
    let dropped: AddrSet = parts
        .iter()
        .filter(|(_, v)| v.outcome == Outcome::Drop && v.rule.is_none() && v.policy.is_some())
        .fold(AddrSet::empty(), |acc, (s, _)| acc.union(s));
    assert_eq!(dropped, all.subtract(&want));
    // Coverage names the layer.
    let cov = coverage(&[sg], &Ranges::bundled(), &[443], &ctx());
    assert!(!cov.is_empty() && cov.iter().all(|e| e.layer.name() == "aws"));
}

#[test]
fn gcp_tags_stay_unknown_and_azure_denies() {
    let cf = cloud::parse("gcp", &lines(&text("cloud/gcloud-table-src-ranges.txt")));
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    let set = AddrSet::from_ranges(AddrRange::parse("173.245.48.0/20"));
    let v = evaluate(&rs, &set, 443, &ctx());
    assert!(
        v.iter().all(|(_, v)| v.outcome == Outcome::Unknown),
        "{v:?}"
    );
    let cf = cloud::parse("nsg", &lines(&text("cloud/azure-nsg-show.json")));
    let rs = cf
        .rulesets
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("none"));
    let set = AddrSet::from_ranges(AddrRange::parse("104.16.0.0/13"));
    let v = evaluate(&rs, &set, 443, &ctx());
    assert!(v
        .iter()
        .all(|(_, v)| v.outcome == Outcome::Drop && v.rule.as_ref().is_some_and(|r| r.line == 32)));
}

#[test]
fn csf_allow_beats_deny_through_the_evaluator() {
    let f = csf::parse("csf", &lines(&text("csf/csf-allow-deny.txt")));
    let rs = csf::ruleset(&f, "csf");
    let set = AddrSet::from_ranges(AddrRange::parse("162.158.0.0/15"));
    let v = evaluate(&rs, &set, 443, &ctx());
    assert!(v.iter().all(
        |(_, v)| v.outcome == Outcome::Accept && v.rule.as_ref().is_some_and(|r| r.line == 15)
    ));
    let v6 = AddrSet::from_ranges(AddrRange::parse("2606:4700::/32"));
    let v = evaluate(&rs, &v6, 443, &ctx());
    assert!(v
        .iter()
        .all(|(_, v)| v.outcome == Outcome::Drop && v.rule.is_none()));
}
