//! A case that is `collect.sh` output: the script already ran every command
//! the asks would name, or found the tool missing. So a cause nothing
//! speaks to is "not present on this host", not "paste this", and the next
//! steps keep only what the script cannot gather (the SSL mode, a cloud
//! firewall, DNS without `--host`) or a rerun with root.

use super::{AskFor, AskKind, Finding, Status};
use crate::collector::CollectorRun;

/// The tools whose output speaks to an ask of `kind`; empty when the
/// collector cannot gather it (the SSL mode, a cloud firewall).
fn tools_for_ask(kind: AskKind) -> &'static [&'static str] {
    match kind {
        AskKind::Firewall => &["ufw", "iptables", "nft", "firewalld", "csf"],
        AskKind::Bans => &["fail2ban", "ipset", "csf", "imunify360"],
        AskKind::ServiceStatus | AskKind::ConfigTest => &["nginx", "apache", "caddy", "litespeed"],
        AskKind::Listeners => &["ss"],
        AskKind::Resources => &["free"],
        AskKind::Dns => &["dig"],
        AskKind::OriginAddress => &["ip"],
        AskKind::CloudFirewall | AskKind::OriginRecord | AskKind::SslMode | AskKind::Collector => {
            &[]
        }
    }
}

/// True when the collector's run already answers asks of `kind`: it ran
/// those commands, or found none of their tools.
fn answered(run: &CollectorRun, kind: AskKind) -> bool {
    let tools = tools_for_ask(kind);
    if tools.is_empty() {
        return false;
    }
    match kind {
        // Listings of rules and bans need root.
        AskKind::Firewall | AskKind::Bans => run.root,
        // Names are resolved and probed only for a name given with --host.
        AskKind::Dns => run.site.is_some() || run.lacks("dig"),
        _ => true,
    }
}

/// The tools of `kinds` the run found missing, each once.
fn absent_tools(run: &CollectorRun, kinds: &[AskKind]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for kind in kinds {
        for t in tools_for_ask(*kind) {
            if run.lacks(t) && !out.contains(t) {
                out.push(t);
            }
        }
    }
    out
}

/// Rewrite the unknown findings for a collector run. `asks_of` gives the
/// asks that decide a finding.
pub fn apply_findings(
    run: &CollectorRun,
    findings: &mut [Finding],
    asks_of: impl Fn(&Finding) -> Vec<AskFor>,
) {
    for f in findings.iter_mut() {
        if f.status != Status::Unknown || !f.evidence.is_empty() {
            continue;
        }
        let asks = asks_of(f);
        let kinds: Vec<AskKind> = asks.iter().map(|a| a.kind).collect();
        if kinds.is_empty() || !kinds.iter().all(|k| answered(run, *k)) {
            f.checks.retain(|c| {
                !asks
                    .iter()
                    .any(|a| &a.command == c && answered(run, a.kind))
            });
            continue;
        }
        let absent = absent_tools(run, &kinds);
        // Only where the script found every tool of this cause missing does
        // the absence speak: then nothing on this host could show it.
        let all_absent = kinds.iter().all(|k| {
            let tools = tools_for_ask(*k);
            !tools.is_empty() && tools.iter().all(|t| run.lacks(t))
        });
        if all_absent {
            f.explanation = format!(
                "Not present on this host: {} found no {}, so nothing here speaks to this cause.",
                run.label(),
                or_list(&absent)
            );
        } else {
            f.explanation = format!(
                "{} ran every check for this cause that applies here; none of its output speaks to it.",
                run.label()
            );
        }
        f.checks.clear();
    }
}

/// Keep the next steps the run cannot answer, and ask for a rerun where
/// it ran without root or without the site's name.
pub fn apply_asks(run: &CollectorRun, ask_for: &mut Vec<AskFor>) {
    ask_for.retain(|a| !answered(run, a.kind));
    if !run.root {
        ask_for.insert(
            0,
            AskFor {
                kind: AskKind::Collector,
                command: "sudo sh collect.sh".to_string(),
                why: "collect.sh ran without root, so the firewall and ban listings are missing or partial".to_string(),
            },
        );
    }
    if run.site.is_none() && ask_for.iter().any(|a| a.kind == AskKind::Dns) {
        ask_for.retain(|a| a.kind != AskKind::Dns);
        ask_for.push(AskFor {
            kind: AskKind::Collector,
            command: "sudo sh collect.sh --host www.example.com".to_string(),
            why: "with the site's name, collect.sh also resolves it and probes this origin as that site".to_string(),
        });
    }
}

fn or_list(items: &[&str]) -> String {
    match items {
        [] => "such tool".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{read_case, CaseInput};
    use crate::diagnose::FindingId;
    use crate::options::Options;

    const COLLECTED: &str = "# err521 collect.sh v1 2026-12-07T21:24:19Z host=web1 uid=0\n\n$ ufw status verbose\nStatus: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\nNew profiles: skip\n\nTo                         Action      From\n--                         ------      ----\n22/tcp                     ALLOW IN    Anywhere\n80,443/tcp                 ALLOW IN    Anywhere\n22/tcp (v6)                ALLOW IN    Anywhere (v6)\n80,443/tcp (v6)            ALLOW IN    Anywhere (v6)\n\n$ ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\nLISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:((\"nginx\",pid=812,fd=6))\nLISTEN 0      511          0.0.0.0:443       0.0.0.0:*    users:((\"nginx\",pid=812,fd=7))\n\n# collect.sh: not present on this host: firewalld csf fail2ban ipset imunify360 bitninja caddy litespeed docker\n# collect.sh: done in 2 s\n";

    fn diagnose(text: &str) -> crate::diagnose::Diagnosis {
        let facts = read_case(&[CaseInput::new("paste", text)]);
        crate::diagnose::diagnose(&facts, &Options::default())
    }

    #[test]
    fn absent_ban_tools_read_not_present_and_nothing_is_asked_twice() {
        let d = diagnose(COLLECTED);
        let bans = d
            .findings
            .iter()
            .find(|f| f.id == FindingId::BanBlocksCloudflare)
            .expect("ban finding");
        assert_eq!(bans.status, Status::Unknown);
        assert!(
            bans.explanation.starts_with("Not present on this host: collect.sh v1 (2026-12-07T21:24:19Z) found no fail2ban, ipset, csf or imunify360"),
            "{}",
            bans.explanation
        );
        assert!(bans.checks.is_empty());
        // The script ran the firewall, listener and service commands, or
        // found their tools missing: none is asked for again.
        for a in &d.ask_for {
            assert!(
                ![
                    "firewall",
                    "bans",
                    "listeners",
                    "service-status",
                    "config-test",
                    "resources"
                ]
                .contains(&a.kind.as_str()),
                "{a:?}"
            );
        }
    }

    #[test]
    fn the_same_paste_without_the_header_asks_for_it() {
        let plain: String = COLLECTED
            .lines()
            .filter(|l| !crate::collector::is_collector_line(l))
            .map(|l| format!("{l}\n"))
            .collect();
        let d = diagnose(&plain);
        let bans = d
            .findings
            .iter()
            .find(|f| f.id == FindingId::BanBlocksCloudflare)
            .expect("ban finding");
        assert!(!bans.explanation.contains("Not present"));
        assert!(!bans.checks.is_empty());
    }

    #[test]
    fn without_root_it_asks_for_a_rerun_with_sudo() {
        let d = diagnose(&COLLECTED.replace("uid=0", "uid=1000"));
        assert_eq!(
            d.ask_for.first().map(|a| a.command.as_str()),
            Some("sudo sh collect.sh")
        );
    }
}
