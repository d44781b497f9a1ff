//! Coverage of Cloudflare's ranges by the firewall dumps of one host: for
//! every family, port and Cloudflare range, which sub-ranges pass and which
//! rule decides.
//!
//! Per family the most exact dump decides: iptables-save / `iptables -S` /
//! `iptables -L` (in that order) over `nft list ruleset` over `ufw status`,
//! since ufw is a front end of the others (firewalld stands in for ufw when
//! no ufw listing is pasted). An nft ruleset that only mirrors iptables-nft
//! (upper-case `INPUT` base chains) is the same rule set; a native nft
//! ruleset beside iptables is a second layer and both apply. Cloud
//! firewalls are a layer of their own in front of the host.

use serde::{Deserialize, Serialize};

use super::eval::{evaluate, Context, Outcome, RuleRef, Verdict};
use super::model::{Dialect, Match, Ruleset, Undecided};
use crate::cloudflare::Ranges;
use crate::net::{AddrRange, AddrSet, Family};

/// The firewall layer a verdict comes from; serialises to its short name.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Iptables,
    Ip6tables,
    Nftables,
    Ufw,
    Firewalld,
    Aws,
    Gcp,
    Azure,
    Cloud,
}

impl Layer {
    pub fn name(self) -> &'static str {
        match self {
            Layer::Iptables => "iptables",
            Layer::Ip6tables => "ip6tables",
            Layer::Nftables => "nftables",
            Layer::Ufw => "ufw",
            Layer::Firewalld => "firewalld",
            Layer::Aws => "aws",
            Layer::Gcp => "gcp",
            Layer::Azure => "azure",
            Layer::Cloud => "cloud",
        }
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
pub struct CoverageEntry {
    pub layer: Layer,
    pub cloudflare_range: String,
    /// The sub-range of `cloudflare_range` this verdict covers.
    pub range: String,
    pub port: u16,
    pub outcome: Outcome,
    pub reject_with: Option<String>,
    pub rule: Option<RuleRef>,
    pub policy: Option<String>,
    pub reason: Option<String>,
    /// What is missing to decide an unknown outcome, typed. Serialized
    /// only when present, so the page's report equals the CLI's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecided: Vec<Undecided>,
    /// For an outcome that hangs on one undecided condition: the outcome
    /// if it holds, and if it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches: Option<(Outcome, Outcome)>,
    /// The rule that decides if that condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_rule: Option<RuleRef>,
}

fn rank(d: Dialect) -> u8 {
    match d {
        Dialect::IptablesSave => 0,
        Dialect::IptablesRules => 1,
        Dialect::IptablesList => 2,
        // CSF's configuration stands for the iptables rules it writes: any
        // real dump of them is more exact.
        Dialect::Csf => 3,
        Dialect::Nftables => 4,
        Dialect::Ufw => 5,
        // Front ends and other layers: never compete with kernel dumps.
        Dialect::Firewalld => 6,
        Dialect::CloudAws | Dialect::CloudGcp | Dialect::CloudAzure | Dialect::CloudOther => CLOUD,
    }
}

/// The rank of cloud firewalls: a layer of their own in front of the host.
const CLOUD: u8 = 7;

fn is_iptables(d: Dialect) -> bool {
    rank(d) <= 3
}

/// iptables-nft shows up in `nft list ruleset` as upper-case base chains.
fn mirrors_iptables(nft: &Ruleset) -> bool {
    !nft.entry.is_empty()
        && nft.entry.iter().all(|&id| {
            nft.chains
                .get(id)
                .is_some_and(|c| matches!(c.name.as_str(), "INPUT" | "PREROUTING"))
        })
}

/// An `iptables -L` listing without `-v`: some rule's interface is hidden.
fn hides_interfaces(r: &Ruleset) -> bool {
    r.dialect == Dialect::IptablesList
        && r.chains.iter().flat_map(|c| c.rules.iter()).any(|rule| {
            rule.matches.iter().any(
                |m| matches!(m, Match::Unknown { why, .. } if *why == Undecided::InterfaceHidden),
            )
        })
}

/// The dumps that govern `family`, each with a note on the choice.
fn choose(rulesets: &[Ruleset], family: Family) -> Vec<(&Ruleset, Option<String>)> {
    let gov: Vec<&Ruleset> = rulesets
        .iter()
        .filter(|r| r.families.contains(&family))
        .collect();
    let best = |pred: &dyn Fn(Dialect) -> bool| -> Option<&Ruleset> {
        gov.iter()
            .filter(|r| pred(r.dialect))
            .min_by_key(|r| (u8::from(r.entry.is_empty()), rank(r.dialect)))
            .copied()
    };
    let ipt = best(&is_iptables);
    let nft = best(&|d| d == Dialect::Nftables);
    let ufw = best(&|d| d == Dialect::Ufw).or_else(|| best(&|d| d == Dialect::Firewalld));
    let skipped_ipt = gov
        .iter()
        .filter(|r| is_iptables(r.dialect) && ipt.is_some_and(|b| !std::ptr::eq::<Ruleset>(**r, b)))
        .count();
    let mut notes: Vec<String> = Vec::new();
    if skipped_ipt > 0 {
        notes.push(format!(
            "{skipped_ipt} less exact iptables listing(s) of the same host not used"
        ));
    }
    let mut out = Vec::new();
    match (ipt, nft) {
        (Some(i), Some(n)) if mirrors_iptables(n) => {
            notes.push(
                "the nft ruleset is the iptables-nft view of the same rules; the iptables dump is used"
                    .into(),
            );
            out.push(i);
        }
        (Some(i), Some(n)) => {
            notes.push(
                "iptables and a separate nftables rule set both filter input; a connection must pass both"
                    .into(),
            );
            out.push(i);
            out.push(n);
        }
        (Some(i), None) => {
            out.push(i);
            // `iptables -L` without `-v` hides interfaces: it must not
            // erase what the front end's own listing of the same rules
            // says, so both are read and a block in either counts.
            if hides_interfaces(i) {
                if let Some(u) = ufw {
                    notes.push(
                        "`iptables -L` without `-v` hides interfaces, so the ufw/firewalld listing is read beside it"
                            .into(),
                    );
                    out.push(u);
                }
            }
        }
        (None, Some(n)) => out.push(n),
        (None, None) => {
            if let Some(u) = ufw {
                out.push(u);
            }
        }
    }
    if ufw.is_some_and(|u| !out.iter().any(|o| std::ptr::eq::<Ruleset>(*o, u)))
        && (ipt.is_some() || nft.is_some())
    {
        notes.push("ufw/firewalld listing not used: the kernel rule dump is more exact".into());
    }
    // Cloud firewalls are a layer of their own in front of the host.
    out.extend(gov.iter().copied().filter(|r| rank(r.dialect) == CLOUD));
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    out.into_iter().map(|r| (r, note.clone())).collect()
}

pub fn layer(r: &Ruleset, family: Family) -> Layer {
    match (r.dialect, family) {
        (Dialect::Nftables, _) => Layer::Nftables,
        (Dialect::Ufw, _) => Layer::Ufw,
        (Dialect::Firewalld, _) => Layer::Firewalld,
        (Dialect::CloudAws, _) => Layer::Aws,
        (Dialect::CloudGcp, _) => Layer::Gcp,
        (Dialect::CloudAzure, _) => Layer::Azure,
        (Dialect::CloudOther, _) => Layer::Cloud,
        (_, Family::V4) => Layer::Iptables,
        (_, Family::V6) => Layer::Ip6tables,
    }
}

/// Verdicts for every Cloudflare sub-range and port, per governing dump.
pub fn coverage(
    rulesets: &[Ruleset],
    ranges: &Ranges,
    ports: &[u16],
    ctx: &Context,
) -> Vec<CoverageEntry> {
    let mut out = Vec::new();
    for family in [Family::V4, Family::V6] {
        let cf: Vec<AddrRange> = ranges
            .ranges
            .iter()
            .filter(|r| r.family == family)
            .copied()
            .collect();
        if cf.is_empty() {
            continue;
        }
        let all = AddrSet::from_ranges(cf.iter().copied());
        for (rs, note) in choose(rulesets, family) {
            // One evaluation per port over all ranges, then split by range.
            let per_port: Vec<(u16, Vec<(AddrSet, Verdict)>)> = ports
                .iter()
                .map(|&p| (p, evaluate(rs, &all, p, ctx)))
                .collect();
            for r in &cf {
                let rset = AddrSet::from_ranges([*r]);
                for (port, parts) in &per_port {
                    let mut pieces: Vec<(AddrRange, &Verdict)> = Vec::new();
                    for (s, v) in parts {
                        for sub in s.intersect(&rset).ranges() {
                            pieces.push((*sub, v));
                        }
                    }
                    pieces.sort_by_key(|(r, _)| r.first);
                    let mut merged: Vec<(AddrRange, &Verdict)> = Vec::new();
                    for (sub, v) in pieces {
                        if let Some(last) = merged.last_mut() {
                            if last.1 == v && last.0.last.checked_add(1) == Some(sub.first) {
                                last.0.last = sub.last;
                                continue;
                            }
                        }
                        merged.push((sub, v));
                    }
                    for (sub, v) in merged {
                        let reason = match (&v.reason, &note) {
                            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                            (a, b) => a.clone().or_else(|| b.clone()),
                        };
                        out.push(CoverageEntry {
                            layer: layer(rs, family),
                            cloudflare_range: r.to_string(),
                            range: sub.to_string(),
                            port: *port,
                            outcome: v.outcome,
                            reject_with: v.reject_with.clone(),
                            rule: v.rule.clone(),
                            policy: v.policy.clone(),
                            reason,
                            undecided: v.undecided.clone(),
                            branches: v.branches,
                            alt_rule: v.alt_rule.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}
