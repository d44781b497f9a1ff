//! Ban and throttle fixtures: fail2ban, ipset, kernel logs, web servers.
use err521::cloudflare::Ranges;
use err521::net::AddrRange;
use err521::parse::bans::{self, BanFacts};
use err521::text::lines;

fn read(name: &str) -> BanFacts {
    let text = std::fs::read_to_string(format!("tests/fixtures/bans/{name}")).unwrap_or_default();
    bans::parse(name, &lines(&text))
}

fn has(set: &err521::net::AddrSet, a: &str) -> bool {
    a.parse().is_ok_and(|ip| set.contains(ip))
}

#[test]
fn fail2ban_status_wrapped_and_banned_json() {
    let f = read("fail2ban-status.txt");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.jails, ["nginx-limit-req", "recidive", "sshd"]);
    let jail: Vec<_> = f
        .bans
        .iter()
        .filter(|b| b.list == "nginx-limit-req")
        .collect();
    // Line 14 and its wrapped continuation (line 15), then the banned JSON.
    assert!(jail
        .iter()
        .any(|b| b.line == 15 && has(&b.addrs, "108.162.216.4")));
    assert!(jail
        .iter()
        .any(|b| b.line == 14 && has(&b.addrs, "2400:cb00:2049:1::a29f:1804")));
    assert!(f.bans.iter().any(|b| b.list == "recidive" && b.line == 27));
    let hits = bans::cloudflare_hits(&f, &Ranges::bundled());
    // 162.158.1.2, 172.70.1.3, the IPv6 and 108.162.216.4 on 14/15; 162.158/172.70 and the /24 on 26.
    assert!(hits
        .iter()
        .any(|h| h.line == 14 && has(&h.overlap, "162.158.1.2")));
    assert!(hits
        .iter()
        .any(|h| h.line == 27 && h.list == "recidive" && has(&h.overlap, "141.101.70.255")));
    assert!(hits.iter().all(|h| !has(&h.overlap, "203.0.113.77")));
}

#[test]
fn jail_local_ignoreip_with_continuation() {
    let f = read("jail.local");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.ignore.len(), 2);
    let d = f.ignore.first().map(|i| (i.jail.clone(), i.addrs.clone()));
    assert!(d
        .as_ref()
        .is_some_and(|(j, a)| j == "DEFAULT" && has(a, "103.21.244.9") && has(a, "::1")));
    assert!(f
        .ignore
        .get(1)
        .is_some_and(|i| i.jail == "nginx-limit-req" && has(&i.addrs, "198.51.100.7")));
}

#[test]
fn fail2ban_log_ban_unban_restore() {
    let f = read("fail2ban.log");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.bans.len(), 4);
    // Banned at line 2, lifted at line 4.
    assert!(f
        .bans
        .iter()
        .any(|b| b.line == 2 && b.active == Some(false)));
    let hits = bans::cloudflare_hits(&f, &Ranges::bundled());
    let lines_hit: Vec<usize> = hits.iter().map(|h| h.line).collect();
    assert_eq!(lines_hit, [2, 5, 7]);
}

#[test]
fn kernel_log_teardown_noise() {
    let f = read("kernel-ufw-block.log");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    assert_eq!(f.log_blocks.len(), 5);
    let noise: Vec<usize> = f
        .log_blocks
        .iter()
        .filter(|b| b.teardown_noise)
        .map(|b| b.line)
        .collect();
    assert_eq!(noise, [1, 2]);
    let b3 = f.log_blocks.get(2);
    assert!(b3.is_some_and(|b| b.blocked && b.dpt == Some(443) && b.flags == ["SYN"]));
    assert_eq!(
        f.log_blocks.get(3).map(|b| b.prefix.as_str()),
        Some("IPTables-Dropped:")
    );
    assert!(f.log_blocks.get(4).is_some_and(|b| !b.blocked));
    // The firewall's own log is no ban list; of its Cloudflare lines only
    // the IPv6 SYN is a refused connection, RST/FIN lines are noise.
    assert!(bans::cloudflare_hits(&f, &Ranges::bundled()).is_empty());
    let (blocked, noise) = bans::cloudflare_log_blocks(&f, &Ranges::bundled());
    assert_eq!(blocked.iter().map(|b| b.line).collect::<Vec<_>>(), [3]);
    assert_eq!(noise.iter().map(|b| b.line).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn web_throttles_and_panels() {
    let f = read("web-throttles.log");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    let tools: Vec<&str> = f.throttles.iter().map(|t| t.tool.as_str()).collect();
    assert_eq!(
        tools,
        [
            "nginx limit_req",
            "nginx limit_conn",
            "modsecurity",
            "mod_evasive",
            "litespeed",
            "litespeed"
        ]
    );
    assert_eq!(
        f.throttles.first().and_then(|t| t.zone.as_deref()),
        Some("one")
    );
    assert!(f
        .bans
        .iter()
        .any(|b| b.tool == "cphulk" && has(&b.addrs, "190.93.240.7")));
    let hits = bans::cloudflare_hits(&f, &Ranges::bundled());
    let lines_hit: Vec<usize> = hits.iter().map(|h| h.line).collect();
    // 162.158/2a06/172.70/141.101/188.114 throttled, cPHulk 190.93.240.7.
    assert!(
        [1, 2, 3, 4, 5, 7].iter().all(|l| lines_hit.contains(l)),
        "{lines_hit:?}"
    );
    assert!(!lines_hit.contains(&6));
}

#[test]
fn ipset_ban_sets_only() {
    let f = read("ipset-list.txt");
    assert!(f.not_understood.is_empty(), "{:?}", f.not_understood);
    // The cloudflare-v4 allow set is not a ban.
    assert!(f.bans.iter().all(|b| b.list != "cloudflare-v4"));
    assert_eq!(f.bans.len(), 3);
    let hits = bans::cloudflare_hits(&f, &Ranges::bundled());
    let sub = AddrRange::parse("104.26.0.0/16").map(|r| err521::net::AddrSet::from_ranges([r]));
    assert!(hits
        .iter()
        .any(|h| h.list == "crowdsec-blacklists" && Some(&h.overlap) == sub.as_ref()));
    assert!(hits
        .iter()
        .any(|h| h.list == "f2b-nginx-limit-req" && h.line == 10));
}

fn diagnose(text: &str) -> err521::report::Report {
    err521::analyze(
        &[err521::parse::CaseInput::new("ticket", text)],
        &err521::options::Options::default(),
    )
}

fn ban_finding(r: &err521::report::Report) -> Option<&err521::report::ReportFinding> {
    r.findings
        .iter()
        .find(|f| f.id == err521::diagnose::FindingId::BanBlocksCloudflare)
}

#[test]
fn a_ban_list_introduced_in_a_sentence_is_read() {
    use err521::diagnose::Status;
    // Under its sentence after a blank line, or right below it; the
    // sentence names the jail, set or tool. A list in the person's own
    // words points to the ban (likely); a tool's listing shows it.
    for (text, tool, cf) in [
        (
            "These are banned in my recidive jail:\n\n104.23.11.0/24\n198.51.100.7\n",
            "fail2ban",
            "104.23.11.0/24",
        ),
        (
            "Hi,\nthe blacklist ipset has these now:\n172.68.4.0/24, 203.0.113.50\n",
            "ipset",
            "172.68.4.0/24",
        ),
        (
            "Imunify360 blacklisted:\n2400:cb00:2049:1::a29f:1804\n",
            "imunify360",
            "2400:cb00:2049:1::a29f:1804",
        ),
    ] {
        let r = diagnose(text);
        let f = ban_finding(&r);
        assert!(
            f.is_some_and(|f| f.status == Status::Likely
                && f.evidence.iter().any(|e| e.text.contains(cf))
                && f.explanation.to_ascii_lowercase().contains(tool)),
            "{text}: {f:?}"
        );
        assert_eq!(
            r.primary,
            Some(err521::diagnose::FindingId::BanBlocksCloudflare)
        );
    }
    // A list under a sentence that does not say banned is not a ban list.
    let r = diagnose("My server's addresses are:\n\n203.0.113.5\n2001:db8::5\n");
    assert!(ban_finding(&r).is_some_and(|f| f.status == Status::Unknown));
}

#[test]
fn a_ban_says_whether_cloudflare_shows_521_or_522() {
    // fail2ban's stock iptables actions reject: 521 (a jail may drop).
    // CSF denies drop: 522.
    let r = diagnose("$ sudo fail2ban-client status sshd\nStatus for the jail: sshd\n`- Actions\n   |- Currently banned:\t1\n   `- Banned IP list:\t162.158.1.2\n");
    assert!(ban_finding(&r)
        .is_some_and(|f| f.explanation.contains("reject") && f.explanation.contains("521")));
    let r = diagnose("$ cat /etc/csf/csf.deny\n162.158.1.2 # lfd: (mod_security) mod_security triggered by 162.158.1.2\n");
    assert!(
        ban_finding(&r).is_some_and(|f| f.explanation.contains("522")),
        "{:?}",
        ban_finding(&r)
    );
}

#[test]
fn hosting_panel_ban_tools_are_read() {
    use err521::diagnose::Status;
    let cases = [
        // `imunify360-agent blacklist ip list` table.
        ("[root@server ~]# imunify360-agent blacklist ip list\nIP                 TTL    COUNTRY  IMPORTED_FROM  COMMENT\n172.68.10.20       None   US       None           Manually blacklisted\n203.0.113.9        86400  CN       None           SensorAlert\n", Status::Confirmed, "172.68.10.20"),
        // `--json` of the gray list.
        ("# imunify360-agent graylist ip list --json --verbose\n{\n  \"items\": [\n    {\n      \"ip\": \"162.158.90.1\",\n      \"country\": \"US\"\n    }\n  ]\n}\n", Status::Confirmed, "162.158.90.1"),
        // Imunify360's console.log (line format from CloudLinux's FAQ).
        ("INFO [2017-04-15 18:30:00,889] defence360agent.plugins.protector.lazy_init: IP 108.162.221.7 is BLOCKED with 300 sec (expiration: 1492281300) (due to SensorAlert)\n", Status::Likely, "108.162.221.7"),
        // LiteSpeed per-client throttling and its real-time report.
        ("2025-06-30 09:25:36.470576 [WARN] [4733] [T0] [172.70.85.12] bot detected for vhost [N/A], reason: OverConnHardLimit, block\n", Status::Likely, "172.70.85.12"),
        ("$ grep BLOCKED_IP /tmp/lshttpd/.rtreport*\n/tmp/lshttpd/.rtreport:BLOCKED_IP: 141.101.99.4;C, 203.0.113.8;C\n", Status::Confirmed, "141.101.99.4"),
        // cPHulk's black list through the WHM API.
        ("# whmapi1 read_cphulk_records list_name=black\n---\ndata:\n  ip_list:\n    -\n      ip: 173.245.52.9\n", Status::Confirmed, "173.245.52.9"),
    ];
    for (text, want, addr) in cases {
        let r = diagnose(text);
        let f = ban_finding(&r);
        assert!(
            f.is_some_and(|f| f.status == want && f.evidence.iter().any(|e| e.text.contains(addr))),
            "{text}: {f:?}"
        );
    }
    // The same lists without Cloudflare rule bans out, quoting the list.
    let r = diagnose("[root@server ~]# imunify360-agent blacklist ip list\nIP                 TTL    COUNTRY  IMPORTED_FROM  COMMENT\n203.0.113.9        86400  CN       None           SensorAlert\n");
    assert!(
        ban_finding(&r).is_some_and(|f| f.status == Status::RuledOut
            && f.evidence.iter().any(|e| e.line == 2)
            && f.explanation.contains("imunify360 blacklist")),
        "{:?}",
        ban_finding(&r)
    );
}

#[test]
fn an_application_firewall_blocking_a_cloudflare_range_is_a_ban() {
    use err521::diagnose::Status;
    let r = diagnose("ID: 12\nScript Version: CIDRAM v2.3.0\nDate/Time: Mon, 01 Jan 2024 10:00:00\nIP Address: 172.70.130.5\nSignatures Count: 1\nSignatures Reference: 172.64.0.0/13\nWhy Blocked: Cloud service (\"Cloudflare\", L12:F0)!\n");
    let f = ban_finding(&r);
    assert!(
        f.is_some_and(|f| f.status == Status::Confirmed
            && f.explanation.contains("172.64.0.0/13")
            && f.explanation.contains("403")
            && f.evidence.iter().any(|e| e.line == 7)),
        "{f:?}"
    );
}
