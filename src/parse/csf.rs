//! ConfigServer Security & Firewall (CSF) and its login failure daemon
//! (LFD): `csf.allow` / `csf.deny` / `csf.ignore` (plain addresses, CIDRs,
//! `# comments`, advanced filters `tcp|in|d=443|s=1.2.3.4`, `Include`),
//! `csf.conf` settings (`TCP_IN`, `TCP6_IN`, `TESTING`, `IPV6`, `LF_*`,
//! `CONNLIMIT`, `PORTFLOOD`...), `csf -g IP` output, `csf -t` temporary
//! entries, and LFD block messages in logs.
//!
//! **Guarantees:** never panics; every non-blank line is read or reported.
//! Which list an address line belongs to comes from the command or file
//! banner above it (`cat /etc/csf/csf.deny`, `==> csf.allow <==`), the
//! file's own header comment, or a `csf -g` prefix (`csf.deny: ...`); a bare
//! address with none of these is reported, never guessed. [`ruleset`] models
//! CSF's chain order: allow entries (`ALLOWIN`) before deny entries
//! (`DENYIN`), so `csf.allow` wins over `csf.deny` for the same address,
//! then per-port connection limits, then `TCP_IN`/`TCP6_IN`, then DROP.

use serde::Serialize;

use crate::firewall::model::{
    Action, BanTool, Chain, Dialect, Match, Origin, Policy, PortSet, Rule, Ruleset, SourceLine,
};
use crate::net::{AddrRange, AddrSet, Family};
use crate::parse::textscan::addr_token;
use crate::text::{Line, NotUnderstood};

/// An advanced filter `proto|dir|d=port|s=ip`.
#[derive(Debug, Clone, Serialize)]
pub struct Advanced {
    pub proto: String,
    pub inbound: bool,
    pub dports: Option<PortSet>,
    pub src: Option<AddrSet>,
    /// `u=`/`g=` filters and outbound ones do not concern incoming traffic.
    pub applies_inbound: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CsfEntry {
    /// Plain address or CIDR entry.
    pub addrs: Option<AddrSet>,
    pub advanced: Option<Advanced>,
    pub comment: Option<String>,
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TempEntry {
    pub allow: bool,
    pub addrs: AddrSet,
    pub port: Option<String>,
    pub ttl: Option<String>,
    pub comment: Option<String>,
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LfdBlock {
    pub addrs: AddrSet,
    /// `LF_SSHD`, `PS_LIMIT`, `CT_LIMIT`...
    pub trigger: Option<String>,
    /// `sshd`, `Port Scan`, `CT`...
    pub reason: String,
    /// Temporary block (`*Blocked in csf* for 3600 secs`) or permanent.
    pub temporary: bool,
    pub line: usize,
    pub text: String,
}

/// A rule or set `csf -g IP` says the address hits.
#[derive(Debug, Clone, Serialize)]
pub struct GrepHit {
    pub chain: String,
    pub target: String,
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfSetting {
    pub key: String,
    pub value: String,
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CsfFacts {
    pub allows: Vec<CsfEntry>,
    pub denies: Vec<CsfEntry>,
    pub ignores: Vec<CsfEntry>,
    /// `Include /etc/csf/cloudflare.allow` lines: (path, line).
    pub includes: Vec<(String, usize)>,
    pub temp: Vec<TempEntry>,
    pub conf: Vec<ConfSetting>,
    pub lfd_blocks: Vec<LfdBlock>,
    pub grep_hits: Vec<GrepHit>,
    /// Lines that open a whole deny list (`cat /etc/csf/csf.deny`, its
    /// header, `csf -t`): what such a list does not hold CSF does not
    /// deny. `csf -g IP` looks up one address and is not one.
    pub deny_listings: Vec<usize>,
    pub understood_lines: usize,
    pub not_understood: Vec<NotUnderstood>,
}

impl CsfFacts {
    pub fn setting(&self, key: &str) -> Option<&ConfSetting> {
        self.conf.iter().rev().find(|c| c.key == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Allow,
    Deny,
    Ignore,
    Conf,
    Grep,
    Temp,
    Other,
}

/// Confidence (0-100) that `lines` are CSF/LFD output or files.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(80) {
        let t = l.text;
        if t.contains("csf.allow") || t.contains("csf.deny") || t.contains("/etc/csf/") {
            score += 40;
        }
        if t.contains("lfd[") || t.contains("*Blocked in csf*") || t.contains("# lfd:") {
            score += 40;
        }
        if t.starts_with("TCP_IN") || t.starts_with("TESTING =") || t.starts_with("LF_") {
            score += 30;
        }
        if t.starts_with("A/D ") || t.contains("chain_DENY") {
            score += 40;
        }
    }
    score.min(100) as u8
}

fn list_of_path(t: &str) -> Option<List> {
    let lower = t.to_ascii_lowercase();
    if lower.contains("csf.conf") {
        Some(List::Conf)
    } else if lower.contains("csf.ignore") || lower.contains(".ignore") {
        Some(List::Ignore)
    } else if lower.contains("csf.deny") || lower.contains(".deny") {
        Some(List::Deny)
    } else if lower.contains(".allow") {
        Some(List::Allow)
    } else {
        None
    }
}

fn is_command(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    let tools = [
        "cat",
        "csf",
        "grep",
        "tail",
        "head",
        "less",
        "sudo",
        "zgrep",
        "journalctl",
    ];
    let first = words.first().copied().unwrap_or("");
    // `$ csf -g`, `# cat ...` (a root prompt, not a comment), `[root@h ~]# csf -t`,
    // `root@server [~]# csf -g IP`, `==> /etc/csf/csf.deny <==`.
    t.starts_with("==>")
        || first == "$"
        || (first == "#" && words.get(1).is_some_and(|w| tools.contains(w)))
        || (first != "#" && tools.contains(&first))
        || words
            .iter()
            .take(3)
            .any(|w| w.len() > 1 && w.ends_with(['$', '#']) && !w.starts_with('#'))
}

/// Parse any mix of the inputs in the module doc.
pub fn parse(input: &str, lines: &[Line<'_>]) -> CsfFacts {
    parse_with(input, lines, None)
}

/// Parse the output of `command` (`cat /etc/csf/csf.deny`, `csf -t`): the
/// command line above the block names the list its lines belong to.
pub fn parse_with(_input: &str, lines: &[Line<'_>], command: Option<&str>) -> CsfFacts {
    let mut f = CsfFacts::default();
    let mut list: Option<List> = None;
    if let (Some(cmd), Some(first)) = (command, lines.iter().find(|l| !l.text.trim().is_empty())) {
        let mut seeded = CsfFacts::default();
        read_line(&mut seeded, &mut list, *first, cmd.trim());
        // The list a command opens is whole from the block's first line.
        if !seeded.deny_listings.is_empty() {
            f.deny_listings.push(first.no);
        }
    }
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        let ok = read_line(&mut f, &mut list, *line, t);
        if ok {
            f.understood_lines += 1;
        } else {
            f.not_understood
                .push(NotUnderstood::new(*line, "not a CSF/LFD line"));
        }
    }
    f
}

fn read_line(f: &mut CsfFacts, list: &mut Option<List>, line: Line<'_>, t: &str) -> bool {
    // long: one line dispatcher over CSF's shapes (list files, csf.conf, csf -g, csf -t, lfd log)
    // that share the current list context.
    // Commands and file banners set the context.
    if is_command(t) {
        *list = if t.contains("csf -g") || t.contains("csf --grep") {
            Some(List::Grep)
        } else if t.contains("csf -t") || t.contains("csf --temp") {
            Some(List::Temp)
        } else {
            list_of_path(t).or(Some(List::Other))
        };
        // A grep of a list shows only the lines that matched.
        if matches!(*list, Some(List::Deny | List::Temp)) && !t.contains("grep") {
            f.deny_listings.push(line.no);
        }
        return true;
    }
    if let Some(c) = t.strip_prefix('#') {
        // Header comments of the list files say what they hold.
        let lower = c.to_ascii_lowercase();
        // "The following IP addresses will be allowed/blocked/ignored";
        // other header lines say "(they will be ignored)" of domain names.
        if lower.contains("following") {
            if lower.contains("allowed") {
                *list = Some(List::Allow);
            } else if lower.contains("blocked") || lower.contains("denied") {
                if *list != Some(List::Deny) {
                    f.deny_listings.push(line.no);
                }
                *list = Some(List::Deny);
            } else if lower.contains("ignored") {
                *list = Some(List::Ignore);
            }
        }
        return true;
    }
    if let Some(path) = t
        .strip_prefix("Include ")
        .or_else(|| t.strip_prefix("include "))
    {
        f.includes.push((path.trim().to_string(), line.no));
        return true;
    }
    // LFD log lines (a list entry's comment may quote lfd too).
    let starts_with_addr = t
        .split_whitespace()
        .next()
        .is_some_and(|w| AddrRange::parse(w).is_some() || w.contains('|'));
    if !starts_with_addr
        && (t.contains("lfd[") || t.contains("lfd:") || t.contains("*Blocked in csf*"))
        && !t.starts_with("csf.")
    {
        return lfd_line(f, t, line);
    }
    // csf.conf settings.
    if let Some((k, v)) = t.split_once('=') {
        let key = k.trim();
        let val = v.trim();
        if !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && val.starts_with('"')
        {
            f.conf.push(ConfSetting {
                key: key.to_string(),
                value: val.trim_matches('"').to_string(),
                line: line.no,
                text: t.to_string(),
            });
            return true;
        }
    }
    // csf -g output.
    if t.starts_with("Table ") && t.contains("Chain")
        || t == "ip6tables:"
        || t == "iptables:"
        || t.starts_with("No matches found")
    {
        return true;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if let [table, chain, num, ..] = words.as_slice() {
        if matches!(*table, "filter" | "mangle" | "raw" | "nat") && num.parse::<u32>().is_ok() {
            let target = words.get(5).copied().unwrap_or("").to_string();
            f.grep_hits.push(GrepHit {
                chain: chain.to_string(),
                target,
                line: line.no,
                text: t.to_string(),
            });
            return true;
        }
    }
    if let Some(rest) = t.strip_prefix("IPSET:") {
        let set = rest
            .split_whitespace()
            .find_map(|w| w.strip_prefix("Set:"))
            .unwrap_or("")
            .to_string();
        f.grep_hits.push(GrepHit {
            chain: set,
            target: "ipset".into(),
            line: line.no,
            text: t.to_string(),
        });
        return true;
    }
    for (prefix, l) in [
        ("csf.allow:", List::Allow),
        ("csf.deny:", List::Deny),
        ("csf.ignore:", List::Ignore),
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return entry(f, l, rest.trim(), line);
        }
    }
    if let Some(rest) = t
        .strip_prefix("Temporary Blocks:")
        .or_else(|| t.strip_prefix("Temporary Allows:"))
    {
        let allow = t.starts_with("Temporary Allows");
        let addr = rest
            .split_whitespace()
            .find_map(|w| w.strip_prefix("IP:"))
            .and_then(addr_token);
        let port = rest
            .split_whitespace()
            .find_map(|w| w.strip_prefix("Port:"))
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        let ttl = rest
            .split_whitespace()
            .find_map(|w| w.strip_prefix("TTL:"))
            .map(str::to_string);
        let comment = rest
            .split_once('(')
            .map(|(_, c)| c.trim_end_matches(')').to_string());
        return match addr {
            Some(a) => {
                f.temp.push(TempEntry {
                    allow,
                    addrs: AddrSet::from_ranges([a]),
                    port,
                    ttl,
                    comment,
                    line: line.no,
                    text: t.to_string(),
                });
                true
            }
            None => false,
        };
    }
    // csf -t table.
    if t.starts_with("A/D ") || t.contains("no temporary IP entries") {
        if *list != Some(List::Temp) {
            f.deny_listings.push(line.no);
        }
        return true;
    }
    if let [ad @ ("DENY" | "ALLOW"), ip, rest @ ..] = words.as_slice() {
        let Some(a) = addr_token(ip) else {
            return false;
        };
        let port = rest.first().filter(|p| **p != "*").map(|p| p.to_string());
        // Columns: Port Dir TTL... Comment; the TTL is like `55m 12s`.
        let ttl_words: Vec<&str> = rest
            .iter()
            .skip(2)
            .take_while(|w| {
                w.ends_with(['s', 'm', 'h', 'd'])
                    && w.chars().next().is_some_and(|c| c.is_ascii_digit())
            })
            .copied()
            .collect();
        let comment_start = 2 + ttl_words.len();
        let comment = rest
            .get(comment_start..)
            .map(|c| c.join(" "))
            .filter(|c| !c.is_empty());
        f.temp.push(TempEntry {
            allow: *ad == "ALLOW",
            addrs: AddrSet::from_ranges([a]),
            port,
            ttl: (!ttl_words.is_empty()).then(|| ttl_words.join(" ")),
            comment,
            line: line.no,
            text: t.to_string(),
        });
        return true;
    }
    // A list line: address or advanced filter.
    let l = match *list {
        Some(l @ (List::Allow | List::Deny | List::Ignore)) => l,
        _ => {
            let lower = t.to_ascii_lowercase();
            if lower.contains("# lfd:")
                || lower.contains("manually denied")
                || lower.contains("blocked")
            {
                List::Deny
            } else if lower.contains("manually allowed") {
                List::Allow
            } else {
                return false;
            }
        }
    };
    entry(f, l, t, line)
}

fn ports(t: &str) -> Option<PortSet> {
    let mut v = Vec::new();
    for p in t.split([',', ';']) {
        let (a, b) = p.split_once(['_', ':']).unwrap_or((p, p));
        let (lo, hi) = (a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?);
        if lo > hi {
            return None;
        }
        v.push((lo, hi));
    }
    v.sort_unstable();
    Some(PortSet(v))
}

fn advanced(spec: &str) -> Option<Advanced> {
    let mut adv = Advanced {
        proto: "tcp".into(),
        inbound: true,
        dports: None,
        src: None,
        applies_inbound: true,
    };
    for part in spec.split('|').filter(|p| !p.is_empty()) {
        match part {
            "tcp" | "udp" | "icmp" => adv.proto = part.to_string(),
            "in" => adv.inbound = true,
            "out" => adv.inbound = false,
            _ => {
                let (k, v) = part.split_once('=')?;
                match k {
                    "d" | "s"
                        if v.chars()
                            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '_')) =>
                    {
                        if k == "d" {
                            adv.dports = Some(ports(v)?);
                        } else {
                            // A source port filter: not our connection's concern.
                            adv.applies_inbound = false;
                        }
                    }
                    "s" => adv.src = Some(AddrSet::from_ranges([AddrRange::parse(v)?])),
                    "d" => {}
                    "u" | "g" => adv.applies_inbound = false,
                    _ => return None,
                }
            }
        }
    }
    if !adv.inbound {
        adv.applies_inbound = false;
    }
    Some(adv)
}

fn entry(f: &mut CsfFacts, l: List, t: &str, line: Line<'_>) -> bool {
    let (body, comment) = match t.split_once('#') {
        Some((b, c)) => (b.trim(), Some(c.trim().to_string())),
        None => (t.trim(), None),
    };
    let (addrs, adv) = if body.contains('|') || body.starts_with("d=") || body.starts_with("s=") {
        match advanced(body) {
            Some(a) => (None, Some(a)),
            None => return false,
        }
    } else {
        match body.split_whitespace().next().and_then(AddrRange::parse) {
            Some(a) => (Some(AddrSet::from_ranges([a])), None),
            None => return false,
        }
    };
    let e = CsfEntry {
        addrs,
        advanced: adv,
        comment,
        line: line.no,
        text: t.to_string(),
    };
    match l {
        List::Allow => f.allows.push(e),
        List::Deny => f.denies.push(e),
        _ => f.ignores.push(e),
    }
    true
}

fn lfd_line(f: &mut CsfFacts, t: &str, line: Line<'_>) -> bool {
    let blocked =
        t.contains("*Blocked in csf*") || t.contains("*Port Scan*") || t.contains("Blocked in csf");
    // The address: the first after `from ` or `IP `, else the first at all.
    let after = |key: &str| {
        t.split_once(key)
            .and_then(|(_, r)| r.split_whitespace().next())
            .and_then(addr_token)
    };
    let addr = after(" from ")
        .or_else(|| after("IP "))
        .or_else(|| t.split_whitespace().find_map(addr_token));
    let trigger = t
        .rsplit_once('[')
        .and_then(|(_, r)| r.strip_suffix(']'))
        .filter(|x| x.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(str::to_string);
    let reason = if t.contains("*Port Scan*") {
        "Port Scan".to_string()
    } else if let Some((_, r)) = t.split_once(": (") {
        r.split(')').next().unwrap_or("").to_string()
    } else {
        String::new()
    };
    match (blocked, addr) {
        (true, Some(a)) => {
            f.lfd_blocks.push(LfdBlock {
                addrs: AddrSet::from_ranges([a]),
                trigger,
                reason,
                temporary: t.contains("for ") && t.contains(" secs") || t.contains("temporarily"),
                line: line.no,
                text: t.to_string(),
            });
            true
        }
        // Other lfd messages (startup, alerts): understood, not blocks.
        _ => true,
    }
}

fn src(line: usize, text: &str) -> SourceLine {
    SourceLine {
        line,
        text: text.to_string(),
    }
}

/// CSF's input filtering as a ruleset (see the module doc for the order).
pub fn ruleset(f: &CsfFacts, input: &str) -> Ruleset {
    // long: CSF's fixed filter order (ALLOWIN, allow lists, DENYIN, deny lists, per-port limits)
    // written in that order, so it reads like CSF's own chain.
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    let drop_action = match f.setting("DROP").map(|s| s.value.as_str()) {
        Some("REJECT") => Action::Reject("icmp-port-unreachable".into()),
        _ => Action::Drop,
    };
    let entry_rule = |e: &CsfEntry, action: Action| -> Option<Rule> {
        let mut m = Vec::new();
        if let Some(a) = &e.addrs {
            m.push(Match::SourceAddr {
                set: a.clone(),
                negated: false,
            });
        } else if let Some(adv) = &e.advanced {
            if !adv.applies_inbound {
                return None;
            }
            m.push(Match::Protocol {
                names: vec![adv.proto.clone()],
                negated: false,
            });
            if let Some(p) = &adv.dports {
                m.push(Match::DestPort {
                    ports: p.clone(),
                    negated: false,
                });
            }
            if let Some(s) = &adv.src {
                m.push(Match::SourceAddr {
                    set: s.clone(),
                    negated: false,
                });
            }
        }
        Some(Rule {
            // csf.deny and `csf -t` DENY entries are CSF/LFD's ban list.
            origin: if action == Action::Accept {
                Origin::Filter
            } else {
                Origin::Ban(BanTool::Csf)
            },
            source: src(e.line, &e.text),
            matches: m,
            action,
        })
    };
    let temp_rule = |t: &TempEntry, action: Action| -> Rule {
        let mut m = vec![Match::SourceAddr {
            set: t.addrs.clone(),
            negated: false,
        }];
        if let Some(p) = t.port.as_deref().and_then(ports) {
            m.push(Match::Protocol {
                names: vec!["tcp".into()],
                negated: false,
            });
            m.push(Match::DestPort {
                ports: p,
                negated: false,
            });
        }
        Rule {
            origin: if action == Action::Accept {
                Origin::Filter
            } else {
                Origin::Ban(BanTool::Csf)
            },
            source: src(t.line, &t.text),
            matches: m,
            action,
        }
    };
    // ALLOWIN
    rules.extend(
        f.temp
            .iter()
            .filter(|t| t.allow)
            .map(|t| temp_rule(t, Action::Accept)),
    );
    rules.extend(
        f.allows
            .iter()
            .filter_map(|e| entry_rule(e, Action::Accept)),
    );
    // DENYIN
    rules.extend(
        f.temp
            .iter()
            .filter(|t| !t.allow)
            .map(|t| temp_rule(t, drop_action.clone())),
    );
    rules.extend(
        f.denies
            .iter()
            .filter_map(|e| entry_rule(e, drop_action.clone())),
    );
    // Per-port connection limits: Cloudflare funnels many visitors through
    // few addresses, so these bite proxied sites.
    for key in ["CONNLIMIT", "PORTFLOOD"] {
        if let Some(s) = f.setting(key).filter(|s| !s.value.trim().is_empty()) {
            for part in s.value.split(',') {
                let port = part
                    .split(';')
                    .next()
                    .and_then(|p| p.trim().parse::<u16>().ok());
                if let Some(p) = port {
                    rules.push(Rule {
                        source: src(s.line, &s.text),
                        matches: vec![
                            Match::Protocol {
                                names: vec!["tcp".into()],
                                negated: false,
                            },
                            Match::DestPort {
                                ports: PortSet(vec![(p, p)]),
                                negated: false,
                            },
                            Match::RateLimit {
                                text: format!("{key} {}", part.trim()),
                                first_connection_matches: false,
                            },
                        ],
                        action: drop_action.clone(),
                        origin: Origin::RateLimit,
                    });
                }
            }
            notes.push(format!("{key} = \"{}\" (line {}) limits connections per source address; Cloudflare sends many visitors from few addresses", s.value, s.line));
        }
    }
    let ipv6 = f.setting("IPV6").map(|s| s.value.trim() == "1");
    let mut families = vec![Family::V4];
    if ipv6 != Some(false) {
        families.push(Family::V6);
    }
    let mut known_ports = false;
    for (key, fam) in [("TCP_IN", Family::V4), ("TCP6_IN", Family::V6)] {
        if let Some(s) = f.setting(key) {
            known_ports = true;
            match ports(&s.value) {
                Some(p) => rules.push(Rule {
                    source: src(s.line, &s.text),
                    matches: vec![
                        Match::Family { family: fam },
                        Match::Protocol {
                            names: vec!["tcp".into()],
                            negated: false,
                        },
                        Match::DestPort {
                            ports: p,
                            negated: false,
                        },
                    ],
                    action: Action::Accept,
                    origin: Origin::Filter,
                }),
                None => notes.push(format!("{key} on line {} not understood", s.line)),
            }
        }
    }
    if !known_ports {
        notes.push("TCP_IN not shown: paste `grep -E '^(TCP_IN|TCP6_IN|IPV6|TESTING) ' /etc/csf/csf.conf`; connections no list entry decides are undecided".to_string());
    }
    if ipv6.is_none() {
        notes.push("IPV6 setting not shown: assuming CSF also filters IPv6".into());
    }
    if f.setting("TESTING").is_some_and(|s| s.value.trim() == "1") {
        notes.push("TESTING = \"1\": csf flushes its rules every TESTING_INTERVAL minutes, so blocks come and go".into());
    }
    for (p, l) in &f.includes {
        notes.push(format!(
            "line {l} includes {p}: its entries count only if pasted"
        ));
    }
    Ruleset {
        // CSF writes iptables rules; a real iptables dump is more exact.
        dialect: Dialect::Csf,
        input: input.to_string(),
        families: families.clone(),
        chains: vec![Chain {
            name: "INPUT".into(),
            table: "csf".into(),
            families,
            policy: known_ports.then_some(Policy::Drop),
            policy_line: None,
            rules,
        }],
        entry: vec![0],
        interfaces: Vec::new(),
        sets: Vec::new(),
        notes,
        assumptions: Vec::new(),
        understood_lines: f.understood_lines,
        not_understood: f.not_understood.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    #[test]
    fn advanced_filters() {
        let a = advanced("tcp|in|d=443|s=1.2.3.4");
        assert!(a
            .as_ref()
            .is_some_and(|a| a.applies_inbound && a.dports == Some(PortSet(vec![(443, 443)]))));
        let a = advanced("d=22,80,443|s=44.33.22.11");
        assert_eq!(a.and_then(|a| a.dports).map(|p| p.0.len()), Some(3));
        assert!(advanced("tcp|out|d=80||u=99").is_some_and(|a| !a.applies_inbound));
        assert!(advanced("tcp|in|d=2000_3000|s=2400:cb00::/32").is_some());
        assert!(advanced("bogus|x=1").is_none());
    }

    #[test]
    fn bare_address_without_context_is_reported() {
        let f = parse("t", &lines("10.0.0.1\n"));
        assert_eq!(f.not_understood.len(), 1);
        let f = parse("t", &lines("162.158.1.1 # lfd: (sshd) Failed SSH login from 162.158.1.1 - Tue Nov 24 10:11:12 2026\n"));
        assert_eq!(f.denies.len(), 1);
    }
}
