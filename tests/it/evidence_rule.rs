//! The evidence rule of FINDINGS.md as a property of the engine: every
//! `confirmed` or `ruled-out` finding quotes at least one line that was read
//! from a block whose kind speaks to that cause. Checked over every fixture,
//! real sample and shipped example, the fuzz regressions, and seeded pairs
//! of them pasted together; and on the made-up instances of the classes
//! that broke it (a sentence, a bind() log, a one-address lookup, one
//! firewall log line).

use std::path::Path;

use err521::diagnose::{FindingId, Status};
use err521::options::{Options, SslMode};
use err521::parse::split::BlockKind;
use err521::parse::CaseInput;
use err521::report::Report;

use crate::common::rng::Rng;

/// The block kinds whose lines can decide a cause, stated here apart from
/// the engine: firewall dumps for the firewall, ban lists for bans, memory
/// figures for overload... A log shows that something happened, never
/// that it did not, so it only ever confirms.
fn may_decide(id: FindingId, status: Status, kind: BlockKind) -> bool {
    use BlockKind as K;
    let dump = matches!(
        kind,
        K::Ufw | K::Iptables | K::Nftables | K::Ipset | K::Firewalld | K::Csf | K::CloudFirewall
    );
    let confirms = status == Status::Confirmed;
    match id {
        FindingId::FirewallBlocksCloudflare => {
            dump || (confirms && matches!(kind, K::Bans | K::Logs))
        }
        FindingId::BanBlocksCloudflare => {
            matches!(
                kind,
                K::Bans | K::Csf | K::Ipset | K::Iptables | K::Nftables | K::Firewalld
            ) || (confirms && kind == K::Logs)
        }
        FindingId::OriginOverloaded => {
            kind == K::Resources || (confirms && matches!(kind, K::Logs | K::ServiceStatus))
        }
        FindingId::DnsWrongOrigin => matches!(kind, K::Dns | K::Addresses | K::Probe),
        FindingId::DifferentErrorCode => matches!(kind, K::ErrorPage | K::Probe | K::Logs),
        // An AAAA record (or none) decides whether IPv6 matters at all.
        FindingId::Ipv6OriginBroken => {
            dump || matches!(
                kind,
                K::Dns | K::Addresses | K::Listeners | K::Containers | K::Probe | K::Resources
            )
        }
        // The server's own causes: what runs, listens and is configured.
        _ => !matches!(
            kind,
            K::Prose | K::Unknown | K::ErrorPage | K::Dns | K::Bans | K::CloudFirewall
        ),
    }
}

fn violations(r: &Report) -> Vec<String> {
    let kind_of = |input: &str, line: usize| {
        let b = r
            .inputs
            .iter()
            .find(|b| b.input == input && b.first_line <= line && line <= b.last_line)?;
        let unread = r
            .not_understood
            .iter()
            .any(|u| u.input == input && u.line.line == line);
        (b.understood_lines > 0 && !unread).then_some(b.kind)
    };
    r.findings
        .iter()
        .filter(|f| matches!(f.status, Status::Confirmed | Status::RuledOut))
        .filter(|f| {
            !f.evidence
                .iter()
                .filter_map(|e| kind_of(&e.input, e.line))
                .any(|k| may_decide(f.id, f.status, k))
        })
        .map(|f| {
            let kinds: Vec<String> = f
                .evidence
                .iter()
                .map(|e| format!("{}:{} {:?}", e.input, e.line, kind_of(&e.input, e.line)))
                .collect();
            format!("{} {:?} quotes {:?}", f.id.as_str(), f.status, kinds)
        })
        .collect()
}

fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for d in ["tests/fixtures", "tests/real", "static/examples"] {
        crate::common::walk::files_under(
            &root.join(d),
            &|p| p.extension().is_none_or(|e| e != "expect"),
            &mut paths,
        );
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let name = p.strip_prefix(root).ok()?.display().to_string();
            Some((name, String::from_utf8_lossy(&bytes).into_owned()))
        })
        .collect()
}

fn run(inputs: &[CaseInput], mode: SslMode) -> Report {
    let options = Options {
        ssl_mode: mode,
        ..Options::default()
    };
    err521::analyze(inputs, &options)
}

#[test]
fn every_decided_finding_quotes_lines_that_speak_to_it() {
    let all = corpus();
    assert!(all.len() > 100, "corpus not found: {}", all.len());
    let mut bad = Vec::new();
    let mut decided = 0;
    for (name, text) in &all {
        for mode in [SslMode::Unknown, SslMode::Full, SslMode::Flexible] {
            let r = run(&[CaseInput::new(name.clone(), text.clone())], mode);
            decided += r
                .findings
                .iter()
                .filter(|f| matches!(f.status, Status::Confirmed | Status::RuledOut))
                .count();
            bad.extend(
                violations(&r)
                    .into_iter()
                    .map(|v| format!("{name} ({mode:?}): {v}")),
            );
        }
    }
    // Seeded pairs: two pastes in one case, and two pastes run together
    // in one input, as tickets do.
    let mut rng = Rng(0x5eed_e71d);
    for _ in 0..300 {
        let (Some(a), Some(b)) = (all.get(rng.below(all.len())), all.get(rng.below(all.len())))
        else {
            continue;
        };
        let two = [
            CaseInput::new(a.0.clone(), a.1.clone()),
            CaseInput::new(b.0.clone(), b.1.clone()),
        ];
        let one = [CaseInput::new("ticket", format!("{}\n{}", a.1, b.1))];
        for inputs in [&two[..], &one[..]] {
            let r = run(inputs, SslMode::Unknown);
            bad.extend(
                violations(&r)
                    .into_iter()
                    .map(|v| format!("{} + {}: {v}", a.0, b.0)),
            );
        }
    }
    assert!(decided > 100, "too few decided findings to mean anything");
    assert!(
        bad.is_empty(),
        "{} violations:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn one(text: &str) -> Report {
    run(&[CaseInput::new("ticket", text)], SslMode::Unknown)
}

#[test]
fn a_sentence_about_a_tool_is_prose_and_rules_nothing_out() {
    for text in [
        "Hi, I added the ranges to fail2ban ignoreip and restarted.\n",
        "We whitelisted Cloudflare in csf.allow and restarted the firewall, still the same.\n",
        "I checked free and there is plenty of memory available on the box.\n",
    ] {
        let r = one(text);
        assert!(
            r.inputs.iter().all(|b| b.kind == BlockKind::Prose),
            "{text}: {:?}",
            r.inputs
        );
        assert!(
            r.findings
                .iter()
                .all(|f| !matches!(f.status, Status::RuledOut | Status::Confirmed)),
            "{text}"
        );
    }
}

#[test]
fn a_bind_error_log_rules_out_neither_bans_nor_overload() {
    let log = "$ sudo tail -n 3 /var/log/nginx/error.log\n2026/03/01 10:00:00 [emerg] 1234#1234: bind() to 0.0.0.0:443 failed (98: Address already in use)\n2026/03/01 10:00:00 [emerg] 1234#1234: bind() to 0.0.0.0:80 failed (98: Address already in use)\n2026/03/01 10:00:00 [emerg] 1234#1234: still could not bind()\n";
    let r = one(log);
    assert_eq!(r.primary, Some(FindingId::PortConflict));
    assert_eq!(r.status_of(FindingId::BanBlocksCloudflare), Status::Unknown);
    assert_eq!(r.status_of(FindingId::OriginOverloaded), Status::Unknown);
}

#[test]
fn one_address_lookups_do_not_rule_out_bans_for_all_of_cloudflare() {
    let csf_g = "$ csf -g 198.51.100.7\n\nTable  Chain            num   pkts bytes target     prot opt in     out     source               destination\nNo matches found for 198.51.100.7 in iptables\n\nip6tables:\n\nNo matches found for 198.51.100.7 in ip6tables\n";
    let ufw_line = "Mar  1 10:00:00 web kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc SRC=198.51.100.7 DST=203.0.113.5 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=0 DF PROTO=TCP SPT=5555 DPT=443 WINDOW=65535 RES=0x00 SYN URGP=0\n";
    for text in [csf_g, ufw_line] {
        let r = one(text);
        assert_eq!(
            r.status_of(FindingId::BanBlocksCloudflare),
            Status::Unknown,
            "{text}"
        );
    }
}

#[test]
fn a_whole_ban_list_without_cloudflare_rules_bans_out_and_quotes_it() {
    let status_out = "$ sudo fail2ban-client status\nStatus\n|- Number of jail:\t1\n`- Jail list:\tsshd\n$ sudo fail2ban-client status sshd\nStatus for the jail: sshd\n|- Filter\n|  |- Currently failed:\t2\n|  |- Total failed:\t41\n|  `- File list:\t/var/log/auth.log\n`- Actions\n   |- Currently banned:\t1\n   |- Total banned:\t9\n   `- Banned IP list:\t198.51.100.7\n";
    let r = one(status_out);
    let f = r
        .findings
        .iter()
        .find(|f| f.id == FindingId::BanBlocksCloudflare);
    assert!(f.is_some_and(|f| f.status == Status::RuledOut
        && f.evidence.iter().any(|e| e.text.contains("Banned IP list"))
        && f.explanation.contains("sshd")));
    // The status of one jail out of two leaves the other's bans open.
    let partial = status_out.replace("Jail list:\tsshd", "Jail list:\tsshd, recidive");
    let r = one(&partial);
    assert_eq!(r.status_of(FindingId::BanBlocksCloudflare), Status::Unknown);
}
