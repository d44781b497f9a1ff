//! Facts in, findings out: which cause it is, how sure, proven by which
//! lines, ranked. Ids and statuses are those of FINDINGS.md.
//!
//! **Architecture Invariant:** the diagnosis reads [`Facts`] only; it never
//! looks at raw text, and it never writes commands (that is [`crate::fix`]).

pub mod catalog;
pub mod codes;

use serde::{Deserialize, Serialize};

pub use catalog::FindingId;

use crate::facts::Facts;
use crate::options::Options;
use crate::text::Evidence;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Confirmed,
    Likely,
    Unknown,
    RuledOut,
}

/// One conclusion, with what proves it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub id: FindingId,
    pub status: Status,
    pub title: String,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    /// What would confirm or rule it out, when the evidence does not.
    pub checks: Vec<String>,
}

/// A command the person should run next, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskFor {
    pub kind: String,
    pub command: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnosis {
    pub primary: Option<FindingId>,
    /// Ranked: the first is the one to act on.
    pub findings: Vec<Finding>,
    pub ask_for: Vec<AskFor>,
}

/// Weigh every fact of the case.
pub fn diagnose(facts: &Facts, options: &Options) -> Diagnosis {
    let mut findings = Vec::new();
    let code = facts.error_page().and_then(|p| p.code);
    if let Some(code) = code.filter(|c| *c != 521) {
        findings.push(different_error_code(facts, code));
    }
    for id in catalog::ALL {
        if id == FindingId::DifferentErrorCode || findings.iter().any(|f: &Finding| f.id == id) {
            continue;
        }
        findings.push(Finding {
            id,
            status: Status::Unknown,
            title: id.page().title.to_string(),
            explanation: "Nothing pasted speaks to this cause yet.".to_string(),
            evidence: Vec::new(),
            checks: ask_for_cause(id, options)
                .into_iter()
                .map(|a| a.command)
                .collect(),
        });
    }
    findings.sort_by_key(|f| f.status);
    let primary = findings
        .iter()
        .find(|f| f.status == Status::Confirmed)
        .or_else(|| findings.iter().find(|f| f.status == Status::Likely))
        .map(|f| f.id);
    let ask_for = if primary.is_none() {
        seed_order_ask_for(options)
    } else {
        Vec::new()
    };
    Diagnosis {
        primary,
        findings,
        ask_for,
    }
}

fn different_error_code(facts: &Facts, code: u16) -> Finding {
    let page = facts.error_page();
    let title = page
        .and_then(|p| p.title.clone())
        .unwrap_or_else(|| format!("Error {code}"));
    let explanation = match codes::info(code) {
        Some(info) => format!(
            "This is error {code} ({title}), not 521: {}. How it differs: {}. Still worth checking: {}.",
            info.meaning, info.differs, info.still_applies
        ),
        None => format!("This is error {code} ({title}), not a Cloudflare 521."),
    };
    Finding {
        id: FindingId::DifferentErrorCode,
        status: Status::Confirmed,
        title: format!("This is error {code}, not 521"),
        explanation,
        evidence: page.map(|p| p.evidence.clone()).unwrap_or_default(),
        checks: Vec::new(),
    }
}

/// The commands that decide one cause.
fn ask_for_cause(id: FindingId, options: &Options) -> Vec<AskFor> {
    let ports = options
        .ports()
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let ask = |kind: &str, command: &str, why: String| AskFor {
        kind: kind.to_string(),
        command: command.to_string(),
        why,
    };
    match id {
        FindingId::WebServerDown | FindingId::PortConflict | FindingId::ConfigError => vec![
            ask("service-status", "sudo systemctl status nginx apache2 httpd lsws caddy --no-pager", "is the web server running, and if not, why it stopped".into()),
            ask("config-test", "sudo nginx -t || sudo apachectl configtest", "a configuration error keeps the server from starting".into()),
        ],
        FindingId::FirewallBlocksCloudflare => vec![
            ask("firewall", "sudo ufw status verbose; sudo iptables-save; sudo ip6tables-save; sudo nft list ruleset", format!("does the firewall let every Cloudflare range in on port(s) {ports}")),
        ],
        FindingId::BanBlocksCloudflare => vec![
            ask("bans", "sudo fail2ban-client status; sudo ipset list -n", "has a ban tool banned Cloudflare addresses".into()),
        ],
        FindingId::NotListening | FindingId::LoopbackOnly => vec![
            ask("listeners", "sudo ss -tlnp", format!("is anything listening on port(s) {ports}, on a public address")),
        ],
        FindingId::OriginOverloaded => vec![
            ask("resources", "free -m; uptime; dmesg -T | grep -i -E 'out of memory|oom' | tail -n 20", "is the origin out of memory or overloaded".into()),
        ],
        FindingId::DnsWrongOrigin | FindingId::Ipv6OriginBroken => vec![
            ask("dns", "dig +noall +answer A AAAA www.example.com @1.1.1.1; curl -4 -s ifconfig.me; curl -6 -s ifconfig.me", "do the proxied records point at this server's own addresses (run the curl commands on the origin)".into()),
        ],
        FindingId::TlsPortMismatch => vec![
            ask("ssl-mode", "Cloudflare dashboard > SSL/TLS > Overview: the encryption mode", "the SSL mode decides whether Cloudflare connects to 80 or 443".into()),
        ],
        FindingId::DifferentErrorCode => Vec::new(),
    }
}

/// What to paste next, in the order the Cloudflare guidance checks causes.
fn seed_order_ask_for(options: &Options) -> Vec<AskFor> {
    let mut out: Vec<AskFor> = Vec::new();
    for id in [
        FindingId::WebServerDown,
        FindingId::FirewallBlocksCloudflare,
        FindingId::NotListening,
        FindingId::OriginOverloaded,
        FindingId::DnsWrongOrigin,
        FindingId::TlsPortMismatch,
    ] {
        for a in ask_for_cause(id, options) {
            if !out.iter().any(|o| o.command == a.command) {
                out.push(a);
            }
        }
    }
    if options.ssl_mode != crate::options::SslMode::Unknown {
        out.retain(|a| a.kind != "ssl-mode");
    }
    out
}
