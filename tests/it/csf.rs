//! CSF/LFD fixtures: lists, conf, csf -g, csf -t, LFD logs; CSF order.
use crate::common::decide::{decide, Decided};
use err521::firewall::model::{Action, Policy};
use err521::parse::csf::{self, CsfFacts};
use err521::text::lines;

fn read(name: &str) -> CsfFacts {
    let text = std::fs::read_to_string(format!("tests/fixtures/csf/{name}")).unwrap_or_default();
    csf::parse(name, &lines(&text))
}

#[test]
fn allow_deny_conf_and_chain_order() {
    let f = read("csf-allow-deny.txt");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.allows.len(), 3);
    assert_eq!(f.denies.len(), 4);
    assert_eq!(f.includes, [("/etc/csf/cloudflare.allow".to_string(), 12)]);
    assert!(f
        .denies
        .first()
        .and_then(|d| d.comment.as_deref())
        .is_some_and(|c| c.starts_with("lfd: (sshd)")));
    assert_eq!(f.setting("TCP_IN").map(|s| s.line), Some(28));
    let rs = csf::ruleset(&f, "csf");
    // csf.allow (ALLOWIN) wins over csf.deny (DENYIN) for 162.158.1.1.
    assert_eq!(
        decide(&rs, "162.158.1.1", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 15))
    );
    // The advanced allow covers 443 only; 80 falls to TCP_IN.
    assert_eq!(
        decide(&rs, "173.245.48.9", 443, "eth0"),
        Some(Decided::Rule(Action::Accept, 14))
    );
    // 172.70.1.2 is denied before TCP_IN.
    assert_eq!(
        decide(&rs, "172.70.1.2", 443, "eth0"),
        Some(Decided::Rule(Action::Drop, 23))
    );
    // A Cloudflare IPv6 range denied; 443 is missing from TCP6_IN anyway.
    assert_eq!(
        decide(&rs, "2a06:98c0::1", 80, "eth0"),
        Some(Decided::Rule(Action::Drop, 24))
    );
    assert_eq!(
        decide(&rs, "2606:4700::1", 443, "eth0"),
        Some(Decided::Policy(Some(Policy::Drop)))
    );
    assert_eq!(
        decide(&rs, "2606:4700::1", 80, "eth0"),
        Some(Decided::Rule(Action::Accept, 29))
    );
    // Advanced deny on 8443 for 104.16.0.0/13; TCP_IN range 30000:35000.
    assert_eq!(
        decide(&rs, "104.17.0.1", 8443, "eth0"),
        Some(Decided::Rule(Action::Drop, 25))
    );
    assert_eq!(
        decide(&rs, "104.17.0.1", 34999, "eth0"),
        Some(Decided::Rule(Action::Accept, 28))
    );
    assert!(rs.notes.iter().any(|n| n.contains("CONNLIMIT")));
    assert!(rs.notes.iter().any(|n| n.contains("cloudflare.allow")));
}

#[test]
fn csf_grep_output() {
    let f = read("csf-grep.txt");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let chains: Vec<&str> = f.grep_hits.iter().map(|h| h.chain.as_str()).collect();
    assert_eq!(chains, ["DENYIN", "chain_DENY"]);
    assert_eq!(f.denies.first().map(|d| d.line), Some(11));
    assert_eq!(f.temp.len(), 1);
    assert!(f
        .temp
        .first()
        .is_some_and(|t| !t.allow && t.ttl.as_deref() == Some("3600")));
    // Without TCP_IN the default is undecided, but the deny decides.
    let rs = csf::ruleset(&f, "g");
    assert_eq!(
        decide(&rs, "162.158.1.1", 443, "eth0"),
        Some(Decided::Rule(Action::Drop, 12))
    );
    assert_eq!(
        decide(&rs, "162.158.1.2", 443, "eth0"),
        Some(Decided::Policy(None))
    );
}

#[test]
fn csf_temp_list() {
    let f = read("csf-temp.txt");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.temp.len(), 3);
    assert!(f
        .temp
        .get(1)
        .is_some_and(|t| t.port.as_deref() == Some("443") && t.ttl.as_deref() == Some("1h 2m 3s")));
    assert!(f.temp.get(2).is_some_and(|t| t.allow));
    let rs = csf::ruleset(&f, "t");
    assert_eq!(
        decide(&rs, "2400:cb00:2049:1::a29f:1804", 443, "eth0"),
        Some(Decided::Rule(Action::Drop, 4))
    );
    assert_eq!(
        decide(&rs, "172.70.9.9", 80, "eth0"),
        Some(Decided::Rule(Action::Drop, 3))
    );
}

#[test]
fn lfd_block_messages() {
    let f = read("lfd.log");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let got: Vec<(usize, Option<&str>, bool)> = f
        .lfd_blocks
        .iter()
        .map(|b| (b.line, b.trigger.as_deref(), b.temporary))
        .collect();
    assert_eq!(
        got,
        [
            (1, Some("LF_SSHD"), false),
            (2, Some("PS_LIMIT"), true),
            (3, Some("CT_LIMIT"), true)
        ]
    );
    assert!(f.lfd_blocks.get(2).is_some_and(|b| b.addrs.contains(
        "141.101.70.9"
            .parse()
            .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
    )));
    assert!(f.lfd_blocks.get(1).is_some_and(|b| b.reason == "Port Scan"));
}

fn ban_status(text: &str) -> (err521::diagnose::Status, String) {
    let r = err521::analyze(
        &[err521::parse::CaseInput::new("ticket", text)],
        &err521::options::Options::default(),
    );
    r.findings
        .iter()
        .find(|f| f.id == err521::diagnose::FindingId::BanBlocksCloudflare)
        .map(|f| (f.status, f.explanation.clone()))
        .unwrap_or((err521::diagnose::Status::Unknown, String::new()))
}

#[test]
fn csf_g_finding_a_cloudflare_address_in_a_deny_set_is_a_ban() {
    use err521::diagnose::Status;
    let hit = "root@server [~]# csf -g 162.158.1.1\nTable  Chain            num   pkts bytes target     prot opt in     out     source               destination\n\nIPSET: Set:chain_DENY Match:162.158.1.1 Setting:LF_IPSET file:/etc/csf/csf.deny\n";
    let (status, text) = ban_status(hit);
    assert_eq!(status, Status::Confirmed, "{text}");
    assert!(
        text.contains("162.158.1.1") && text.contains("522"),
        "{text}"
    );
    // The lookup of one address that is not Cloudflare's decides nothing.
    let miss = "root@server [~]# csf -g 198.51.100.7\nTable  Chain            num   pkts bytes target     prot opt in     out     source               destination\nNo matches found for 198.51.100.7 in iptables\n";
    assert_eq!(ban_status(miss).0, Status::Unknown);
}

#[test]
fn a_csf_deny_list_without_cloudflare_rules_bans_out() {
    use err521::diagnose::Status;
    let text = "$ cat /etc/csf/csf.deny\n198.51.100.7 # lfd: (sshd) Failed SSH login from 198.51.100.7\n203.0.113.9 # manual\n";
    let (status, why) = ban_status(text);
    assert_eq!(status, Status::RuledOut, "{why}");
    assert!(why.contains("CSF deny list"), "{why}");
}
