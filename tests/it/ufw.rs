//! Fixture tests of the `ufw status` parser.

use err521::firewall::model::{Action, Match, Policy, Ruleset};
use err521::net::Family;
use err521::parse::ufw;
use err521::text::lines;

fn load(name: &str) -> Ruleset {
    let path = format!("{}/tests/fixtures/ufw/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "fixture {name} missing");
    ufw::parse(name, &lines(&text))
}

fn family(ms: &[Match]) -> Option<Family> {
    ms.iter().find_map(|m| match m {
        Match::Family { family } => Some(*family),
        _ => None,
    })
}

fn ports(ms: &[Match]) -> Option<Vec<(u16, u16)>> {
    ms.iter().find_map(|m| match m {
        Match::DestPort { ports, .. } => Some(ports.0.clone()),
        _ => None,
    })
}

#[test]
fn verbose_glued_cloudflare_allowlist() {
    let rs = load("verbose-cloudflare-glued-list.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    assert_eq!(rs.entry, vec![0]);
    let c = &rs.chains[0];
    assert_eq!(c.policy, Some(Policy::Drop));
    assert_eq!(c.policy_line.as_ref().map(|l| l.line), Some(4));
    assert_eq!(c.rules.len(), 16);
    // 14 Cloudflare IPv4 ranges on 443/tcp; 131.0.72.0/22 and IPv6 missing.
    let cf: Vec<_> = c
        .rules
        .iter()
        .filter(|r| {
            r.matches
                .iter()
                .any(|m| matches!(m, Match::SourceAddr { .. }))
        })
        .collect();
    assert_eq!(cf.len(), 14);
    assert!(cf.iter().all(|r| family(&r.matches) == Some(Family::V4)
        && ports(&r.matches) == Some(vec![(443, 443)])
        && matches!(r.action, Action::Accept)));
    assert_eq!(cf[0].source.line, 10);
    let covers_131 = cf.iter().any(|r| {
        r.matches.iter().any(|m| matches!(m, Match::SourceAddr { set, .. } if set.contains("131.0.72.1".parse().unwrap())))
    });
    assert!(!covers_131);
    let last = c.rules.last().expect("rules");
    assert_eq!(family(&last.matches), Some(Family::V6));
    assert_eq!(rs.understood_lines, 23);
}

#[test]
fn numbered_every_row_form() {
    let rs = load("numbered-variants.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let c = &rs.chains[0];
    // No `Default:` line: an active ufw is read with its own default, as
    // an assumption quoting the `Status: active` line.
    assert_eq!(c.policy, Some(Policy::Drop));
    assert_eq!(c.policy_line.as_ref().map(|l| l.line), Some(2));
    assert!(rs.assumptions[0].contains("ufw status verbose"));
    let at = |line: usize| {
        c.rules
            .iter()
            .filter(|r| r.source.line == line)
            .collect::<Vec<_>>()
    };
    // [ 1] 22 ALLOW IN Anywhere: IPv4, both protocols.
    let r = at(6);
    assert_eq!(family(&r[0].matches), Some(Family::V4));
    assert!(!r[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::Protocol { .. })));
    assert_eq!(ports(&at(7)[0].matches), Some(vec![(80, 80), (443, 443)]));
    assert_eq!(ports(&at(8)[0].matches), Some(vec![(6000, 6007)]));
    // [ 4] Anywhere ALLOW IN 173.245.48.0/20/tcp # cloudflare
    let r = at(9);
    assert!(r[0].matches.iter().any(|m| matches!(m, Match::SourceAddr { set, .. } if set.contains("173.245.48.9".parse().unwrap()))));
    assert!(r[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::Protocol { names, .. } if names == &["tcp"])));
    assert_eq!(ports(&r[0].matches), None);
    assert!(at(10)[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::InInterface { pattern, .. } if pattern == "eth0")));
    assert!(at(12)[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::DestAddr { .. })));
    assert!(at(13)[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::SourcePort { .. })));
    assert!(matches!(at(14)[0].action, Action::Drop)); // DENY ... (log)
    assert!(matches!(&at(15)[0].action, Action::Reject(w) if w == "tcp-reset"));
    // LIMIT: rejects past the rate, accepts the first connection.
    let lim = at(17);
    assert_eq!(lim.len(), 2);
    assert!(lim[0].matches.iter().any(|m| matches!(
        m,
        Match::RateLimit {
            first_connection_matches: false,
            ..
        }
    )));
    assert!(matches!(lim[0].action, Action::Reject(_)));
    assert!(matches!(lim[1].action, Action::Accept));
    assert_eq!(ports(&at(18)[0].matches), Some(vec![(80, 80), (443, 443)])); // Nginx Full
    assert_eq!(ports(&at(19)[0].matches), Some(vec![(443, 443)])); // Apache Secure
    assert!(at(20)[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::Unknown { text, .. } if text.contains("Webmin"))));
    assert!(at(21).is_empty()); // ALLOW OUT: not input
    assert_eq!(family(&at(23)[0].matches), Some(Family::V6));
    // Row with an IPv6 source and no (v6) marker is IPv6.
    assert_eq!(family(&at(25)[0].matches), Some(Family::V6));
    assert_eq!(family(&at(26)[0].matches), Some(Family::V6));
    // ALLOW FWD: a route rule, read as undecided after every incoming row
    // (a published container may be reached on that path); its destination
    // is behind the host, so no DestAddr.
    let fwd = at(30);
    assert_eq!(fwd.len(), 1);
    assert!(matches!(&fwd[0].action, Action::Unknown(w) if w == ufw::ROUTED));
    assert!(!fwd[0]
        .matches
        .iter()
        .any(|m| matches!(m, Match::DestAddr { .. })));
    assert_eq!(c.rules.last().map(|r| r.source.line), Some(30));
    assert_eq!(rs.interfaces, vec!["eth0".to_string(), "wg0".to_string()]);
}

#[test]
fn plain_status_and_inactive() {
    let rs = load("plain-status.txt");
    assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
    let c = &rs.chains[0];
    assert_eq!(c.rules.len(), 6);
    assert!(matches!(c.rules[2].action, Action::Drop));
    assert_eq!(family(&c.rules[5].matches), Some(Family::V6));

    let rs = load("inactive.txt");
    let c = &rs.chains[0];
    assert_eq!(c.policy, Some(Policy::Accept));
    assert!(c.rules.is_empty());
    assert!(rs.notes.iter().any(|n| n.contains("inactive")));
    assert_eq!(rs.understood_lines, 2);
}

#[test]
fn verbose_app_profiles_reject_default_and_junk() {
    let rs = load("verbose-apps-reject.txt");
    let c = &rs.chains[0];
    assert_eq!(c.policy, Some(Policy::Reject));
    assert_eq!(rs.not_understood.len(), 1);
    assert_eq!(rs.not_understood[0].line, 12);
    assert_eq!(ports(&c.rules[0].matches), Some(vec![(80, 80), (443, 443)]));
    assert_eq!(family(&c.rules[2].matches), Some(Family::V6));
    // A To column wider than 26 characters.
    let wide = &c.rules[3];
    assert_eq!(wide.source.line, 11);
    assert!(wide
        .matches
        .iter()
        .any(|m| matches!(m, Match::DestAddr { .. })));
    assert!(wide.matches.iter().any(|m| matches!(m, Match::SourceAddr { set, .. } if set.contains("2a06:98c0::1".parse().unwrap()))));
}

#[test]
fn rows_without_any_header() {
    let text = "443/tcp                    ALLOW       103.21.244.0/22\n443/tcp                    DENY        Anywhere\n";
    let rs = ufw::parse("rows", &lines(text));
    assert!(rs.not_understood.is_empty());
    assert_eq!(rs.chains[0].rules.len(), 2);
    assert!(rs.notes.iter().any(|n| n.contains("Status")));
}

#[test]
fn v6_rows_cut_after_a_prefix_of_the_v4_rows_are_not_complete() {
    let text = "$ sudo ufw status verbose
Status: active
Logging: on (low)
Default: deny (incoming), allow (outgoing), disabled (routed)
New profiles: skip

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW IN    Anywhere
80/tcp                     ALLOW IN    Anywhere
443/tcp                    ALLOW IN    Anywhere
22/tcp (v6)                ALLOW IN    Anywhere (v6)
";
    let options = err521::options::Options {
        ssl_mode: err521::options::SslMode::Full,
        ..Default::default()
    };
    let r = err521::analyze(
        &[err521::parse::CaseInput::new("ticket", text.to_string())],
        &options,
    );
    // The cut IPv6 section never becomes the cause.
    assert_ne!(
        r.primary,
        Some(err521::diagnose::FindingId::FirewallBlocksCloudflare)
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.id == err521::diagnose::FindingId::FirewallBlocksCloudflare);
    assert!(
        f.is_some_and(|f| f.status == err521::diagnose::Status::Unknown
            && f.explanation.contains("paste the rest")
            && f.evidence.iter().any(|e| e.line == 12))
    );
    // Complete output (every row has its copy) is not called cut.
    let whole = format!("{text}80/tcp (v6)                ALLOW IN    Anywhere (v6)\n443/tcp (v6)               ALLOW IN    Anywhere (v6)\n");
    let rs = err521::parse::ufw::parse("ufw", &lines(&whole));
    assert!(
        rs.notes.iter().all(|n| !n.contains("cut")),
        "{:?}",
        rs.notes
    );
    let rs = err521::parse::ufw::parse("ufw", &lines(text));
    assert!(
        rs.notes.iter().any(|n| n.contains("stop at line 12")),
        "{:?}",
        rs.notes
    );
}
