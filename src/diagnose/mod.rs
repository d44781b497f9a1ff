//! Facts in, findings out: which cause it is, how sure, proven by which
//! lines, ranked. Ids and statuses are those of FINDINGS.md. Each finding id
//! has its rule in `rules/<id>.rs`.
//!
//! **Architecture Invariant:** the diagnosis reads [`Facts`] only; it never
//! looks at raw text, and it never writes commands (that is [`crate::fix`]).

pub mod catalog;
pub mod codes;
mod collected;
pub mod evidence;
pub mod roles;
mod rules;
#[cfg(test)]
mod testkit;

use serde::{Deserialize, Serialize};

pub use catalog::FindingId;

use crate::facts::Facts;
use crate::firewall::coverage::{coverage, CoverageEntry};
use crate::firewall::eval::Context as FirewallContext;
use crate::net::{AddrRange, AddrSet, Family};
use crate::options::{Options, SslMode};
use crate::parse::hints::Hint;
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
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: FindingId,
    pub status: Status,
    pub title: String,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    /// What would confirm or rule it out, when the evidence does not.
    pub checks: Vec<String>,
}

impl Finding {
    pub fn new(id: FindingId, status: Status, explanation: impl Into<String>) -> Self {
        Finding {
            id,
            status,
            title: id.page().title.to_string(),
            explanation: explanation.into(),
            evidence: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// Nothing pasted speaks to this cause: say what would.
    pub fn unknown(id: FindingId, ctx: &Ctx<'_>) -> Self {
        let mut f = Finding::new(
            id,
            Status::Unknown,
            "Nothing pasted speaks to this cause yet.",
        );
        f.checks = (rules::rule(id).asks)(ctx)
            .into_iter()
            .map(|a| a.command)
            .collect();
        f
    }

    pub fn with_evidence(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self.evidence
            .sort_by(|a, b| (&a.input, a.line).cmp(&(&b.input, b.line)));
        self.evidence.dedup();
        self
    }

    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }
}

/// A command the person should run next, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskFor {
    pub kind: AskKind,
    pub command: String,
    pub why: String,
}

/// What an ask gathers; the collector knows which of these it already ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AskKind {
    ServiceStatus,
    ConfigTest,
    Firewall,
    CloudFirewall,
    Bans,
    Listeners,
    Resources,
    Dns,
    OriginRecord,
    OriginAddress,
    SslMode,
    /// Run collect.sh again (with root, or with the site's name).
    Collector,
}

impl AskKind {
    /// The name in JSON and in the page's `data-ask-kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            AskKind::ServiceStatus => "service-status",
            AskKind::ConfigTest => "config-test",
            AskKind::Firewall => "firewall",
            AskKind::CloudFirewall => "cloud-firewall",
            AskKind::Bans => "bans",
            AskKind::Listeners => "listeners",
            AskKind::Resources => "resources",
            AskKind::Dns => "dns",
            AskKind::OriginRecord => "origin-record",
            AskKind::OriginAddress => "origin-address",
            AskKind::SslMode => "ssl-mode",
            AskKind::Collector => "collector",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub primary: Option<FindingId>,
    /// Ranked: the first is the one to act on.
    pub findings: Vec<Finding>,
    pub ask_for: Vec<AskFor>,
    pub firewall: Option<FirewallCoverage>,
    /// The origin ports that mattered, and the site's host name.
    pub ports: Vec<u16>,
    pub host: Option<String>,
    /// The roles the rules judged with; the fixes name the same programs.
    pub roles: roles::Roles,
    /// The SSL mode the rules judged with (options, else stated in prose).
    pub ssl_mode: SslMode,
}

/// The firewall dumps' verdicts over every Cloudflare range and port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirewallCoverage {
    /// Address families some pasted dump governs; the others are unknown.
    pub families: Vec<Family>,
    pub coverage: Vec<CoverageEntry>,
    /// Caveats the dumps carry (assumptions made, what a listing cannot
    /// show, what to paste to decide), each once, in input order.
    #[serde(default)]
    pub notes: Vec<FirewallNote>,
}

/// One caveat of a pasted firewall dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirewallNote {
    pub input: String,
    pub text: String,
}

/// What every rule needs: the facts, the options, and what follows from
/// them (the SSL mode in force, the origin ports that matter, the host).
pub struct Ctx<'a> {
    pub facts: &'a Facts,
    pub options: &'a Options,
    /// The mode from the options, else one stated in prose (a weak hint).
    pub ssl_mode: SslMode,
    /// Where a prose hint gave the SSL mode.
    pub ssl_mode_stated: Option<Evidence>,
    /// Origin ports Cloudflare connects to in this case.
    pub ports: Vec<u16>,
    /// The error code of the pasted page or response.
    pub code: Option<u16>,
    /// The site's host name, from the error page or DNS.
    pub host: Option<String>,
    /// Firewall verdicts, when a firewall dump was pasted.
    pub firewall: Option<FirewallCoverage>,
    /// Which program should serve, which is in its way, which addresses.
    pub roles: roles::Roles,
}

impl<'a> Ctx<'a> {
    pub fn new(facts: &'a Facts, options: &'a Options) -> Self {
        let mut ssl_mode = options.ssl_mode;
        let mut ssl_mode_stated = None;
        if ssl_mode == SslMode::Unknown {
            if let Some((input, h)) = facts
                .hints
                .iter()
                .find(|(_, h)| matches!(h.hint, Hint::SslMode(_)))
            {
                if let Hint::SslMode(m) = h.hint {
                    ssl_mode = m;
                    ssl_mode_stated = Some(facts.quote(input, h.line));
                }
            }
        }
        let mut ports = ssl_mode.origin_ports();
        ports.extend(options.extra_ports.iter().copied());
        ports.sort_unstable();
        ports.dedup();
        let page = facts.error_page();
        let host = page.and_then(|p| p.host.clone()).or_else(|| {
            facts
                .dns
                .iter()
                .flat_map(|d| d.facts.records.iter())
                .find(|r| !r.name.is_empty() && matches!(r.rtype.as_str(), "A" | "AAAA" | "CNAME"))
                .map(|r| r.name.clone())
        });
        let firewall = firewall_coverage(facts, options, &ports);
        let roles = roles::Roles::new(facts, &ports, &options.ranges);
        Ctx {
            facts,
            options,
            ssl_mode,
            ssl_mode_stated,
            ports,
            code: page.and_then(|p| p.code),
            host,
            firewall,
            roles,
        }
    }

    /// Ports where a block surely matters: 443 for Full and Full (strict),
    /// 80 for Flexible and Off, plus the extra ports given. With the mode
    /// unknown, none is sure on its own.
    pub fn sure_ports(&self) -> Vec<u16> {
        let mut p: Vec<u16> = match self.ssl_mode {
            SslMode::Full | SslMode::Strict => vec![443],
            SslMode::Flexible | SslMode::Off => vec![80],
            SslMode::Unknown => Vec::new(),
        };
        p.extend(self.options.extra_ports.iter().copied());
        p
    }

    /// "port 443" or "ports 80 and 443".
    pub fn ports_text(&self) -> String {
        ports_text(&self.ports)
    }

    /// The site's name for explanations.
    pub fn site(&self) -> String {
        self.host.clone().unwrap_or_else(|| "the site".to_string())
    }
}

/// Evaluate the pasted firewall dumps over Cloudflare's ranges.
fn firewall_coverage(facts: &Facts, options: &Options, ports: &[u16]) -> Option<FirewallCoverage> {
    if facts.rulesets.is_empty() {
        return None;
    }
    let own: Vec<AddrRange> = facts
        .addrs
        .iter()
        .flat_map(|a| a.facts.addrs.iter())
        .map(|a| AddrRange::single(a.addr))
        .collect();
    // The interface that carries a global address is the public one, when
    // `ip addr` shows exactly one such interface; with several (a private
    // second NIC), the one whose address is public.
    let cloudflare = options.ranges.set();
    let global = |public_only: bool| {
        let mut v: Vec<&str> = facts
            .addrs
            .iter()
            .flat_map(|a| a.facts.addrs.iter())
            .filter(|a| a.scope == crate::parse::addrs::Scope::Global)
            .filter(|a| !public_only || is_public(a.addr, &cloudflare))
            .filter_map(|a| a.interface.as_deref())
            .filter(|i| !crate::firewall::eval::is_internal(i))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut public_ifaces = global(false);
    if public_ifaces.len() > 1 {
        public_ifaces = global(true);
    }
    // `ip route`: the default route's interface is where the Internet
    // arrives, whatever the addresses say.
    let mut routes: Vec<&str> = facts
        .addrs
        .iter()
        .flat_map(|a| a.facts.default_routes.iter().map(String::as_str))
        .filter(|i| !crate::firewall::eval::is_internal(i))
        .collect();
    routes.sort_unstable();
    routes.dedup();
    if let [one] = routes.as_slice() {
        public_ifaces = vec![*one];
    }
    let public_interface =
        options
            .public_interface
            .clone()
            .or_else(|| match public_ifaces.as_slice() {
                [one] => Some((*one).to_string()),
                _ => None,
            });
    let ctx = FirewallContext {
        public_interface,
        origin_addrs: AddrSet::from_ranges(own),
    };
    let mut families: Vec<Family> = facts
        .rulesets
        .iter()
        .flat_map(|r| r.families.iter().copied())
        .collect();
    families.sort_unstable();
    families.dedup();
    Some(FirewallCoverage {
        families,
        coverage: coverage(&facts.rulesets, &options.ranges, ports, &ctx),
        notes: firewall_notes(facts),
    })
}

fn firewall_notes(facts: &Facts) -> Vec<FirewallNote> {
    let mut notes: Vec<FirewallNote> = Vec::new();
    let from_rulesets = facts
        .rulesets
        .iter()
        // An assumption a dump was read under is a caveat on every verdict
        // the grid shows for it.
        .flat_map(|r| {
            r.notes
                .iter()
                .chain(&r.assumptions)
                .map(move |n| (&r.input, n))
        });
    for (input, text) in from_rulesets.chain(facts.cloud_notes.iter().map(|(i, n)| (i, n))) {
        // Every cloud layer says it drops silently; the explanation of a
        // block already says what that means (522).
        if text == crate::parse::cloud::DROP_NOTE {
            continue;
        }
        let note = FirewallNote {
            input: input.clone(),
            text: text.clone(),
        };
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    notes
}

/// Not a private (RFC 1918, shared, unique-local), loopback or link-local
/// address: one the Internet may reach. Documentation addresses count as
/// public, since redacted pastes put them in place of public ones.
fn is_public(addr: std::net::IpAddr, cloudflare: &AddrSet) -> bool {
    use crate::net::AddrClass as C;
    !matches!(
        crate::net::classify(addr, cloudflare),
        C::Private | C::Cgnat | C::Loopback | C::LinkLocal
    )
}

pub fn ports_text(ports: &[u16]) -> String {
    let names: Vec<String> = ports.iter().map(u16::to_string).collect();
    match names.as_slice() {
        [] => "no port".to_string(),
        [one] => format!("port {one}"),
        [init @ .., last] => format!("ports {} and {last}", init.join(", ")),
    }
}

/// Weigh every fact of the case.
pub fn diagnose(facts: &Facts, options: &Options) -> Diagnosis {
    let ctx = Ctx::new(facts, options);
    let mut findings = rules::judge_all(&ctx);
    evidence::enforce(&ctx, &mut findings);
    if let Some(run) = &facts.collector {
        collected::apply_findings(run, &mut findings, |f| (rules::rule(f.id).asks)(&ctx));
    }
    findings.sort_by_key(|f| (f.status, (rules::rule(f.id).rank)(&ctx)));
    let primary = findings
        .iter()
        .find(|f| f.status == Status::Confirmed)
        .or_else(|| findings.iter().find(|f| f.status == Status::Likely))
        .map(|f| f.id);
    let ask_for = if primary.is_none() {
        let mut asks = rules::next_steps(&ctx, &findings);
        if let Some(run) = &facts.collector {
            collected::apply_asks(run, &mut asks);
        }
        asks
    } else {
        Vec::new()
    };
    Diagnosis {
        primary,
        findings,
        ask_for,
        firewall: ctx.firewall.clone(),
        ports: ctx.ports.clone(),
        host: ctx.host.clone(),
        roles: ctx.roles.clone(),
        ssl_mode: ctx.ssl_mode,
    }
}

#[cfg(test)]
mod tests {
    use super::AskKind;

    /// `as_str` (the page's `data-ask-kind`) and the JSON name agree.
    #[test]
    fn ask_kind_labels_are_their_json_names() {
        use AskKind::*;
        for k in [
            ServiceStatus,
            ConfigTest,
            Firewall,
            CloudFirewall,
            Bans,
            Listeners,
            Resources,
            Dns,
            OriginRecord,
            OriginAddress,
            SslMode,
            Collector,
        ] {
            let json = serde_json::to_string(&k).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
    }
}
