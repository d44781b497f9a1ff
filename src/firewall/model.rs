//! One normalized rule model for every firewall layer the engine reads: host
//! dumps (iptables, ip6tables, nftables, ufw, firewalld, CSF's rules) and
//! cloud firewalls (AWS, GCP, Azure, Hetzner, DigitalOcean, Oracle).
//!
//! A parser turns its dump into a [`Ruleset`]; [`super::eval`] decides, for a
//! new TCP connection (a SYN in state NEW) from a set of source addresses to
//! one destination port on the public interface, what happens and which rule
//! decides. Parsers never evaluate and the evaluator never parses.
//!
//! **Architecture Invariant:** every [`Rule`] keeps the 1-based line number and
//! the original text of the line it came from, so any verdict can be quoted.

use serde::{Deserialize, Serialize};

use crate::net::{AddrSet, Family};
use crate::text::Line;

/// What kind of dump a ruleset was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    IptablesSave,
    IptablesList,
    IptablesRules,
    /// CSF's lists and `csf.conf` read as the iptables rules CSF writes.
    Csf,
    Nftables,
    Ufw,
    Firewalld,
    CloudAws,
    CloudGcp,
    CloudAzure,
    CloudOther,
}

/// A parsed firewall: its chains, which of them packets enter first, and the
/// address families it speaks about.
#[derive(Debug, Clone, Serialize)]
pub struct Ruleset {
    pub dialect: Dialect,
    /// Name of the input this came from.
    pub input: String,
    /// Address families this dump governs: an `iptables` dump says nothing
    /// about IPv6, an `ip6tables` dump nothing about IPv4, nft `inet` both.
    pub families: Vec<Family>,
    pub chains: Vec<Chain>,
    /// Base chains hooked on input, in the order packets traverse them (nft
    /// priority order; iptables: just INPUT of the filter table). A packet
    /// must be accepted by every one of them: `accept` in one base chain moves
    /// on to the next, `drop`/`reject` ends it.
    pub entry: Vec<ChainId>,
    /// Interface names the rules mention, to pick the public one.
    pub interfaces: Vec<String>,
    /// Named address sets (ipset, nft named sets) whose members were seen.
    pub sets: Vec<NamedSet>,
    /// Caveats a reader must know: nat/raw/mangle rules present, assumptions.
    pub notes: Vec<String>,
    /// Assumptions the rules were read under (a cloud default standing in
    /// for a column the listing hides): verdicts resting on them are
    /// `likely` at most.
    #[serde(skip)]
    pub assumptions: Vec<String>,
    pub understood_lines: usize,
    pub not_understood: Vec<crate::text::NotUnderstood>,
}

/// Index into [`Ruleset::chains`].
pub type ChainId = usize;

#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    pub name: String,
    /// Table (iptables `filter`, nft `inet filter`), for messages.
    pub table: String,
    /// Families this chain applies to (nft `ip` table: V4 only).
    pub families: Vec<Family>,
    /// Policy of a base chain; `None` for a user chain (falls back to the
    /// caller, like RETURN).
    pub policy: Option<Policy>,
    /// Line of the policy declaration, when the dump shows one.
    pub policy_line: Option<SourceLine>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    Accept,
    Drop,
    /// ufw's `default reject`: the kernel rule rejects.
    Reject,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceLine {
    pub line: usize,
    pub text: String,
}

impl From<Line<'_>> for SourceLine {
    /// The line as pasted, trimmed of trailing whitespace (as [`Evidence`]
    /// quotes it).
    ///
    /// [`Evidence`]: crate::text::Evidence
    fn from(line: Line<'_>) -> Self {
        SourceLine {
            line: line.no,
            text: line.text.trim_end().to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub source: SourceLine,
    /// Every match must hold for the rule to apply (a conjunction).
    pub matches: Vec<Match>,
    pub action: Action,
    /// Why the rule is there, as the parser that read it knows.
    #[serde(skip)]
    pub origin: Origin,
}

/// Why a rule is there: the firewall's own filtering, a ban tool's list, or
/// a rate or connection limit. Set by the parser that knows the tool's
/// conventions (chain and set names, modules); later stages read it instead
/// of the rule's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Allow and deny rules, policies: the firewall's allowlist.
    #[default]
    Filter,
    /// An address list a ban tool fills: fail2ban, CrowdSec, CSF/LFD,
    /// a blacklist set.
    Ban(BanTool),
    /// A rate or connection limit (`limit`, `hashlimit`, `connlimit`,
    /// `recent`, ufw `LIMIT`).
    RateLimit,
}

impl Origin {
    pub fn is_filter(&self) -> bool {
        *self == Origin::Filter
    }

    /// A ban or a limit: what `ban-blocks-cloudflare` speaks to.
    pub fn is_ban_or_limit(self) -> bool {
        matches!(self, Origin::Ban(_) | Origin::RateLimit)
    }

    /// The origin of a rule from its own conditions: a refusal of a ban
    /// set's members, or a refusal under a rate or connection limit. The
    /// parser adds what it knows of the rule's chain or table.
    pub fn of_rule(matches: &[Match], action: &Action) -> Origin {
        if !matches!(action, Action::Drop | Action::Reject(_)) {
            return Origin::Filter;
        }
        let ban_set = matches.iter().find_map(|m| match m {
            Match::NamedSource {
                name,
                negated: false,
            } => ban_list(name),
            _ => None,
        });
        if let Some(tool) = ban_set {
            return Origin::Ban(tool);
        }
        // A limit that a first connection passes (`limit 5/sec ... reject`)
        // refuses everyone under the rate: the firewall's own block. One
        // that bites only over a count (`connlimit-above`, `recent
        // --update`) refuses busy sources, as bans do.
        if matches.iter().any(|m| {
            matches!(
                m,
                Match::RateLimit {
                    first_connection_matches: false,
                    ..
                }
            )
        }) {
            return Origin::RateLimit;
        }
        Origin::Filter
    }
}

/// The tool that fills a ban list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BanTool {
    Fail2ban,
    Crowdsec,
    Csf,
    /// A blacklist set or chain of no known tool.
    Blacklist,
}

/// The ban tool whose list a set name belongs to (`f2b-sshd`,
/// `crowdsec-blacklists`, `blacklist`, `block_ips`).
pub fn ban_list(name: &str) -> Option<BanTool> {
    ban_container(name).or_else(|| {
        // A set is a list of addresses: a name that says block or deny
        // names a ban list.
        let n = name.to_ascii_lowercase();
        ["bl_", "block", "deny", "drop"]
            .iter()
            .any(|p| n.starts_with(p))
            .then_some(BanTool::Blacklist)
    })
}

/// The ban tool a chain or table belongs to (`f2b-sshd`, `fail2ban-SSH`,
/// `inet f2b-table`, `ip crowdsec`, CSF's `DENYIN`, `blacklist`): every rule
/// in it serves the ban list. Stricter than [`ban_list`]: a chain named
/// `drop_invalid` is no ban list.
pub fn ban_container(name: &str) -> Option<BanTool> {
    let n = name.to_ascii_lowercase();
    let n = n.rsplit([' ', '/']).next().unwrap_or(&n);
    if n.starts_with("f2b-") || n.contains("fail2ban") {
        return Some(BanTool::Fail2ban);
    }
    if n.contains("crowdsec") {
        return Some(BanTool::Crowdsec);
    }
    if matches!(n, "denyin" | "denyout" | "chain_deny") {
        return Some(BanTool::Csf);
    }
    ["blacklist", "blocklist", "banned", "denylist", "badips"]
        .iter()
        .any(|p| n.contains(p))
        .then_some(BanTool::Blacklist)
}

/// A condition on the packet. The evaluator knows the packet is TCP, state
/// NEW, SYN only, to one port, arriving on the public interface, from a set of
/// source addresses.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Match {
    /// The packet's address family (nft `meta nfproto ipv6`, `ip saddr`).
    Family {
        family: Family,
    },
    SourceAddr {
        set: AddrSet,
        negated: bool,
    },
    /// Destination address: whether it covers the origin's own address is
    /// unknown unless the origin's addresses were given.
    DestAddr {
        set: AddrSet,
        negated: bool,
    },
    /// `tcp`, `udp`, `icmp`, ... lowercase; `all` never appears (no match).
    Protocol {
        names: Vec<String>,
        negated: bool,
    },
    DestPort {
        ports: PortSet,
        negated: bool,
    },
    SourcePort {
        ports: PortSet,
        negated: bool,
    },
    InInterface {
        pattern: String,
        negated: bool,
    },
    /// Conntrack/state match; NEW connections have state `new`.
    ConnState {
        states: Vec<String>,
        negated: bool,
    },
    /// TCP flags test; `syn_only` is true when a bare SYN satisfies it.
    TcpFlags {
        syn_matches: bool,
    },
    /// Membership in a named set (ipset `--match-set`, nft `@name`) by source.
    NamedSource {
        name: String,
        negated: bool,
    },
    /// Rate and connection limits: a first connection passes `limit`,
    /// `hashlimit` below the rate, not `connlimit --connlimit-above`, etc.
    /// `first_connection_matches` says what one new connection does.
    RateLimit {
        text: String,
        first_connection_matches: bool,
    },
    /// A construct the parser kept but cannot decide; evaluated both ways.
    /// `why` says what is missing, for later stages to act on without
    /// reading `text`.
    Unknown {
        text: String,
        #[serde(skip)]
        why: Undecided,
    },
}

/// Why a condition cannot be decided from the paste: the typed form of a
/// reason, so later stages ask for the right paste without reading words.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Undecided {
    /// A match or construct the parser does not understand (`text` is the
    /// rule's own words).
    #[default]
    NotUnderstood,
    /// `iptables -L` without `-v` hides each rule's interfaces.
    InterfaceHidden,
    /// Whether Cloudflare's traffic arrives on this interface is not known
    /// (the host's addresses and routes were not pasted).
    Interface(String),
    /// The members of this named set (ipset, nft set) are not pasted.
    SetMembers(String),
    /// A destination that may or may not be the origin's address.
    DestAddr,
    /// Cloudflare's source port is only partly covered.
    SourcePort,
    /// A host name where an address belongs: the host resolves it.
    HostName,
    /// A source defined elsewhere (prefix list, service tag, a table that
    /// hides the source column).
    SourceElsewhere,
    /// A firewalld service whose ports are not known here.
    ServicePorts,
    /// The paste is cut: rules after the cut are not shown.
    Cut,
    /// The chain's default policy is not in the paste.
    PolicyHidden,
    /// Something else the text explains (a MAC address, an outgoing
    /// interface on an incoming rule).
    Other,
}

impl Rule {
    /// The stand-in for the rules a cut paste does not show: it applies to
    /// whatever reaches it (in `family`, if given) with an unknown outcome,
    /// so the evaluator follows both ways and never decides past the cut.
    pub fn cut(source: SourceLine, family: Option<Family>, why: String) -> Rule {
        let mut matches: Vec<Match> = family
            .map(|family| Match::Family { family })
            .into_iter()
            .collect();
        matches.push(Match::Unknown {
            text: why.clone(),
            why: Undecided::Cut,
        });
        Rule {
            source,
            matches,
            action: Action::Unknown(why),
            origin: Origin::Filter,
        }
    }
}

/// Ports as inclusive ranges, sorted and disjoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortSet(pub Vec<(u16, u16)>);

impl PortSet {
    /// Inclusive ranges (each with `lo <= hi`) in any order, sorted and
    /// with overlapping or adjacent ranges merged.
    pub fn from_ranges(ranges: impl IntoIterator<Item = (u16, u16)>) -> PortSet {
        let mut v: Vec<(u16, u16)> = ranges.into_iter().collect();
        v.sort_unstable();
        let mut out: Vec<(u16, u16)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            if let Some(last) = out.last_mut() {
                if u32::from(lo) <= u32::from(last.1) + 1 {
                    last.1 = last.1.max(hi);
                    continue;
                }
            }
            out.push((lo, hi));
        }
        PortSet(out)
    }

    pub fn contains(&self, port: u16) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= port && port <= hi)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "detail")]
pub enum Action {
    Accept,
    Drop,
    /// REJECT with its `--reject-with` / `reject with` text.
    Reject(String),
    Return,
    Jump(String),
    Goto(String),
    /// LOG, counter, NFLOG, MARK...: do nothing to the verdict.
    Continue,
    /// A terminal or branching target not understood.
    Unknown(String),
}

/// A named address set and its members, as pasted.
#[derive(Debug, Clone, Serialize)]
pub struct NamedSet {
    pub name: String,
    pub members: AddrSet,
    pub source: SourceLine,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ban_list_names() {
        assert_eq!(ban_list("f2b-sshd"), Some(BanTool::Fail2ban));
        assert_eq!(ban_container("inet f2b-table"), Some(BanTool::Fail2ban));
        assert_eq!(ban_container("fail2ban-SSH"), Some(BanTool::Fail2ban));
        assert_eq!(ban_list("crowdsec6-blacklists"), Some(BanTool::Crowdsec));
        assert_eq!(ban_container("DENYIN"), Some(BanTool::Csf));
        assert_eq!(ban_list("blacklist_v4"), Some(BanTool::Blacklist));
        // A set named for blocking is a ban list; a chain so named is not.
        assert_eq!(ban_list("block_ips"), Some(BanTool::Blacklist));
        assert_eq!(ban_container("drop_invalid"), None);
        assert_eq!(ban_container("ufw-logging-deny"), None);
        assert_eq!(ban_list("cloudflare4"), None);
    }

    #[test]
    fn port_ranges_are_sorted_and_merged() {
        let p = PortSet::from_ranges([(443, 443), (80, 80), (81, 90), (85, 100), (8443, 8443)]);
        assert_eq!(p.0, [(80, 100), (443, 443), (8443, 8443)]);
        // Adjacent at the top of the range does not overflow.
        let p = PortSet::from_ranges([(65535, 65535), (1, 65534)]);
        assert_eq!(p.0, [(1, 65535)]);
        assert!(PortSet::from_ranges([]).0.is_empty());
    }
}
