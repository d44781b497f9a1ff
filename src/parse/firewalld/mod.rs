//! firewalld output into the normalized [`Ruleset`]: `firewall-cmd
//! --list-all`, `--list-all-zones`, `--get-active-zones`,
//! `--get-default-zone`, `--zone=X --list-rich-rules|--list-services|
//! --list-ports|--list-sources|--list-interfaces|--get-target`,
//! `firewalld.conf`'s `DefaultZone=`, and zone XML files
//! (`/etc/firewalld/zones/*.xml`).
//!
//! **Guarantees:** never panics; every non-blank line is read or reported in
//! `not_understood`. The ruleset mirrors firewalld's own dispatch: entry
//! chain [`ENTRY`] sends a packet to the zone of its source address first,
//! then to the zone of its interface, then to the default zone (`goto`, like
//! firewalld's `INPUT_ZONES`). Each zone chain `IN_<zone>` holds, in
//! firewalld's order: rich rules with priority < 0 (ascending), priority-0
//! log rules, priority-0 deny (reject/drop) rules, the allow part (services,
//! ports, protocols, source ports, priority-0 accept rules), rich rules with
//! priority > 0, and last a rule for the zone target quoting the `target:`
//! line (`default`/`%%REJECT%%`/`REJECT` reject with icmp-host-prohibited,
//! `DROP`, `ACCEPT`). A zone whose target was not pasted ends in an
//! undecided rule; an unknown default zone leaves the entry chain without a
//! policy (undecided), never a guess, except when exactly one zone was
//! listed in full (what `--list-all` prints), which a note states.

mod build;
mod rich;
mod services;
mod xml;

pub use build::zone_chain_name;
pub use services::service_ports;

use crate::firewall::model::{Action, Match, Origin, PortSet, Rule, Ruleset, SourceLine};
use crate::net::{AddrRange, AddrSet};
use crate::text::{Line, NotUnderstood};
use build::build;
use rich::{rich_rules, Rich};
use services::{port_rule, service_rules};
use xml::{read_xml, xml_end};

/// Name of the entry chain that dispatches packets to zones.
pub const ENTRY: &str = "INPUT_ZONES";
/// Table name given to every chain of this ruleset.
pub const TABLE: &str = "firewalld";

/// How firewalld rejects for `default`/`%%REJECT%%` targets (iptables
/// backend; the nftables backend says `icmpx admin-prohibited`).
pub const DEFAULT_REJECT: &str = "icmp-host-prohibited";

/// Zone name used for output pasted without saying its zone, before the
/// default zone is known.
const UNNAMED: &str = "(default zone)";

/// Zones firewalld ships; used to tell a zone list from a service list.
const STOCK_ZONES: &[&str] = &[
    "block",
    "dmz",
    "drop",
    "external",
    "home",
    "internal",
    "nm-shared",
    "public",
    "trusted",
    "work",
    "docker",
    "libvirt",
    "libvirt-routed",
    "FedoraServer",
    "FedoraWorkstation",
];

#[derive(Debug, Clone, Default)]
struct Zone {
    name: String,
    first: Option<SourceLine>,
    target: Option<(String, SourceLine)>,
    interfaces: Vec<(String, SourceLine)>,
    sources: Vec<(Match, SourceLine)>,
    /// Services, ports, protocols, source ports: the zone's allow part.
    allows: Vec<Rule>,
    rich: Vec<Rich>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Unknown,
    ListAll,
    GetDefault,
    GetZones,
    ListServices,
    ListPorts,
    ListRich,
    ListSources,
    ListInterfaces,
    GetTarget,
    Other,
}

struct St {
    zones: Vec<Zone>,
    default: Option<(String, SourceLine)>,
    /// Zone named by `--zone=` on the last command, or by an XML file name.
    cmd_zone: Option<String>,
    cmd: Cmd,
    notes: Vec<String>,
    interfaces: Vec<String>,
    sets_named: Vec<String>,
}

fn sl(line: Line<'_>) -> SourceLine {
    SourceLine {
        line: line.no,
        text: line.text.trim().to_string(),
    }
}

impl St {
    /// Run `f` on the zone called `name`, creating it on first mention.
    fn with_zone(&mut self, name: &str, line: Line<'_>, f: impl FnOnce(&mut Zone)) {
        let pos = match self.zones.iter().position(|z| z.name == name) {
            Some(p) => p,
            None => {
                self.zones.push(Zone {
                    name: name.to_string(),
                    ..Zone::default()
                });
                self.zones.len().saturating_sub(1)
            }
        };
        if let Some(zone) = self.zones.get_mut(pos) {
            if zone.first.is_none() && line.no > 0 {
                zone.first = Some(sl(line));
            }
            f(zone);
        }
    }

    /// Zone that zone-less output (`--list-services` without `--zone`)
    /// belongs to: the command's zone, else the default zone.
    fn current_zone_name(&self) -> String {
        self.cmd_zone
            .clone()
            .or_else(|| self.default.as_ref().map(|(n, _)| n.clone()))
            .unwrap_or_else(|| UNNAMED.to_string())
    }
}

/// Confidence (0-100) that `lines` are firewalld output or zone XML.
pub fn sniff(lines: &[Line<'_>]) -> u8 {
    let mut score: u32 = 0;
    for l in lines.iter().take(80) {
        let t = l.text.trim();
        if t.contains("firewall-cmd") || t.contains("/firewalld/") {
            score += 40;
        }
        if t.starts_with("target:") || t.starts_with("icmp-block-inversion:") {
            score += 30;
        }
        if t.starts_with("rich rules:") || t.starts_with("masquerade:") {
            score += 20;
        }
        if t.starts_with("<zone") || (t.starts_with("<rule") && t.contains("family=")) {
            score += 40;
        }
        if t.starts_with("rule ") && (t.contains("family=\"ipv") || t.ends_with(" accept")) {
            score += 30;
        }
    }
    score.min(100) as u8
}

/// Parse firewalld output (any mix of the forms in the module doc).
pub fn parse(input: &str, lines: &[Line<'_>]) -> Ruleset {
    let mut st = St {
        zones: Vec::new(),
        default: None,
        cmd_zone: None,
        cmd: Cmd::Unknown,
        notes: Vec::new(),
        interfaces: Vec::new(),
        sets_named: Vec::new(),
    };
    let mut not_understood = Vec::new();
    let mut understood = 0usize;
    // Zone whose `key: value` block is being read.
    let mut block_zone: Option<String> = None;
    let mut in_rich = false;
    let mut i = 0usize;
    while let Some(line) = lines.get(i).copied() {
        i += 1;
        let raw = line.text;
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        // Zone XML: read the whole document at once.
        if t.starts_with("<?xml") || t.starts_with("<zone") {
            let start = i.saturating_sub(1);
            let end = xml_end(lines, start);
            let doc = lines.get(start..end).unwrap_or(&[]);
            let (ok, bad) = read_xml(&mut st, doc);
            understood += ok;
            not_understood.extend(bad);
            i = end.max(i);
            block_zone = None;
            in_rich = false;
            continue;
        }
        if let Some((cmd, zone)) = command(t) {
            st.cmd = cmd;
            st.cmd_zone = zone;
            block_zone = None;
            in_rich = false;
            understood += 1;
            continue;
        }
        if let Some(name) = file_banner(t) {
            st.cmd = Cmd::Other;
            st.cmd_zone = Some(name);
            understood += 1;
            continue;
        }
        if let Some(z) = t.strip_prefix("DefaultZone=") {
            st.default = Some((z.trim().to_string(), sl(line)));
            understood += 1;
            continue;
        }
        // A prompt with no command after it (`[root@web01 ~]#`, `user@h:~$`).
        if (t.ends_with('#') || t.ends_with('$')) && (t.contains('@') || t.starts_with('[')) {
            understood += 1;
            continue;
        }
        if t.starts_with('#') {
            // A comment of firewalld.conf, or a bare root prompt.
            understood += 1;
            continue;
        }
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        // Rich rules under `rich rules:` (tab-indented) or from
        // `--list-rich-rules` (not indented).
        if t.starts_with("rule ") {
            let zone = match (&block_zone, in_rich) {
                (Some(z), true) => z.clone(),
                _ => st.current_zone_name(),
            };
            match rich_rules(t, line) {
                Ok(rules) => {
                    st.with_zone(&zone, line, |z| z.rich.extend(rules));
                    understood += 1;
                }
                Err(why) => not_understood.push(NotUnderstood::new(line, why)),
            }
            continue;
        }
        // A zone header indented by the paste (a quote or list item), its
        // `key:` lines indented as deep or deeper: `  home (active)` then `  target: default`.
        if indented && !t.contains(':') {
            let depth = |s: &str| s.len() - s.trim_start().len();
            let key_next = lines
                .get(i..)
                .unwrap_or(&[])
                .iter()
                .find(|l| !l.text.trim().is_empty())
                .is_some_and(|l| depth(l.text) >= depth(raw) && l.text.contains(':'));
            if let Some((name, markers)) = zone_header(t).filter(|_| key_next) {
                if markers.contains(&"default") {
                    st.default = Some((name.clone(), sl(line)));
                }
                st.with_zone(&name, line, |_| {});
                block_zone = Some(name);
                in_rich = false;
                understood += 1;
                continue;
            }
        }
        if indented {
            if let (Some((key, value)), Some(zone)) = (t.split_once(':'), block_zone.clone()) {
                in_rich = key.trim() == "rich rules";
                match zone_key(&mut st, &zone, key.trim(), value.trim(), line) {
                    Ok(()) => understood += 1,
                    Err(why) => not_understood.push(NotUnderstood::new(line, why)),
                }
                continue;
            }
            not_understood.push(NotUnderstood::new(
                line,
                "indented line outside a zone listing",
            ));
            continue;
        }
        // A zone header: `public (default, active)`, then indented `key:` lines.
        let next_is_key = lines
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .find(|l| !l.text.trim().is_empty())
            .is_some_and(|l| {
                (l.text.starts_with(' ') || l.text.starts_with('\t')) && l.text.contains(':')
            });
        if let Some((name, markers)) = zone_header(t) {
            if next_is_key || !markers.is_empty() {
                if markers.contains(&"default") {
                    st.default = Some((name.clone(), sl(line)));
                }
                st.with_zone(&name, line, |_| {});
                block_zone = Some(name);
                in_rich = false;
                understood += 1;
                continue;
            }
        }
        block_zone = None;
        in_rich = false;
        match bare_output(&mut st, t, line) {
            Ok(()) => understood += 1,
            Err(why) => not_understood.push(NotUnderstood::new(line, why)),
        }
    }
    build(input, st, understood, not_understood)
}

/// `firewall-cmd ...` on a prompt line: which listing follows, for which zone.
fn command(t: &str) -> Option<(Cmd, Option<String>)> {
    let pos = t.find("firewall-cmd")?;
    let before = t.get(..pos).unwrap_or("").trim_end();
    // A command when nothing or a prompt precedes it.
    if !(before.is_empty() || before.ends_with(['$', '#', '>']) || before.ends_with("sudo")) {
        return None;
    }
    let words: Vec<&str> = t.get(pos..).unwrap_or("").split_whitespace().collect();
    let mut zone = None;
    let mut cmd = Cmd::Other;
    for (k, w) in words.iter().enumerate() {
        if let Some(z) = w.strip_prefix("--zone=") {
            zone = Some(z.trim_matches(['"', '\'']).to_string());
        } else if *w == "--zone" {
            zone = words.get(k + 1).map(|z| z.to_string());
        }
        cmd = match *w {
            "--list-all" | "--list-all-zones" | "--get-active-zones" => Cmd::ListAll,
            "--get-default-zone" => Cmd::GetDefault,
            "--get-zones" => Cmd::GetZones,
            "--list-services" => Cmd::ListServices,
            "--list-ports" => Cmd::ListPorts,
            "--list-rich-rules" => Cmd::ListRich,
            "--list-sources" => Cmd::ListSources,
            "--list-interfaces" => Cmd::ListInterfaces,
            "--get-target" => Cmd::GetTarget,
            _ => cmd,
        };
    }
    Some((cmd, zone))
}

/// `==> /etc/firewalld/zones/public.xml <==` (head/tail) or `cat` of one.
fn file_banner(t: &str) -> Option<String> {
    let idx = t.find("zones/")?;
    let rest = t.get(idx + 6..)?;
    let end = rest.find(".xml")?;
    let name = rest.get(..end)?;
    if !is_zone_name(name) {
        return None;
    }
    let shaped = t.starts_with("==>")
        || t.contains("cat ")
        || t.contains("less ")
        || t.ends_with(".xml")
        || t.ends_with(".xml:");
    shaped.then(|| name.to_string())
}

fn is_zone_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// `public`, `public (active)`, `public (default, active)`.
fn zone_header(t: &str) -> Option<(String, Vec<&str>)> {
    let (name, rest) = match t.split_once(' ') {
        Some((n, r)) => (n, r.trim()),
        None => (t, ""),
    };
    if !is_zone_name(name) {
        return None;
    }
    if rest.is_empty() {
        return Some((name.to_string(), Vec::new()));
    }
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    let markers: Vec<&str> = inner.split(',').map(str::trim).collect();
    markers
        .iter()
        .all(|m| matches!(*m, "active" | "default"))
        .then(|| (name.to_string(), markers))
}

/// `8443/tcp`, `9000-9010/tcp`.
fn parse_port_token(tok: &str) -> Option<(PortSet, String)> {
    let (p, proto) = tok.split_once('/')?;
    let (lo, hi) = match p.split_once('-') {
        Some((a, b)) => (a.parse::<u16>().ok()?, b.parse::<u16>().ok()?),
        None => {
            let v = p.parse::<u16>().ok()?;
            (v, v)
        }
    };
    if lo > hi || proto.is_empty() || !proto.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return None;
    }
    Some((PortSet(vec![(lo, hi)]), proto.to_ascii_lowercase()))
}

fn source_match(addr: &str) -> Option<Match> {
    if let Some(set) = addr.strip_prefix("ipset:") {
        return Some(Match::NamedSource {
            name: set.to_string(),
            negated: false,
        });
    }
    let r = AddrRange::parse(addr)?;
    Some(Match::SourceAddr {
        set: AddrSet::from_ranges([r]),
        negated: false,
    })
}

fn zone_key(st: &mut St, zone: &str, key: &str, value: &str, line: Line<'_>) -> Result<(), String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    match key {
        "target" => {
            if value.is_empty() {
                return Err("empty zone target".into());
            }
            let t = (value.to_string(), sl(line));
            st.with_zone(zone, line, |z| z.target = Some(t));
        }
        "interfaces" => {
            for w in words {
                st.with_zone(zone, line, |z| z.interfaces.push((w.to_string(), sl(line))));
                if !st.interfaces.iter().any(|i| i == w) {
                    st.interfaces.push(w.to_string());
                }
            }
        }
        "sources" => {
            let mut ms = Vec::new();
            for w in &words {
                let m = source_match(w).ok_or_else(|| format!("source `{w}` not understood"))?;
                if let Match::NamedSource { name, .. } = &m {
                    st.sets_named.push(name.clone());
                }
                ms.push((m, sl(line)));
            }
            st.with_zone(zone, line, |z| z.sources.extend(ms));
        }
        "services" => {
            let rules: Vec<Rule> = words
                .iter()
                .flat_map(|w| service_rules(w, sl(line)))
                .collect();
            st.with_zone(zone, line, |z| z.allows.extend(rules));
        }
        "ports" | "source-ports" => {
            let mut rules = Vec::new();
            for w in &words {
                let (p, proto) =
                    parse_port_token(w).ok_or_else(|| format!("port `{w}` not understood"))?;
                let mut r = port_rule(p.clone(), &proto, sl(line));
                if key == "source-ports" {
                    r.matches = vec![
                        Match::Protocol {
                            names: vec![proto],
                            negated: false,
                        },
                        Match::SourcePort {
                            ports: p,
                            negated: false,
                        },
                    ];
                }
                rules.push(r);
            }
            st.with_zone(zone, line, |z| z.allows.extend(rules));
        }
        "protocols" => {
            let rules: Vec<Rule> = words
                .iter()
                .map(|w| Rule {
                    source: sl(line),
                    matches: vec![Match::Protocol {
                        names: vec![w.to_ascii_lowercase()],
                        negated: false,
                    }],
                    action: Action::Accept,
                    origin: Origin::Filter,
                })
                .collect();
            st.with_zone(zone, line, |z| z.allows.extend(rules));
        }
        "rich rules" => st.with_zone(zone, line, |_| {}),
        "forward-ports" => {
            if !words.is_empty() {
                st.notes.push(format!(
                    "zone {zone} forwards ports (line {}): forwarded traffic is not evaluated here",
                    line.no
                ));
            }
        }
        "icmp-block-inversion"
        | "masquerade"
        | "icmp-blocks"
        | "forward"
        | "summary"
        | "description"
        | "ingress-priority"
        | "egress-priority" => {}
        _ => return Err(format!("unknown firewalld zone field `{key}`")),
    }
    Ok(())
}

/// Output without a zone header: default zone, zone list, services, ports.
fn bare_output(st: &mut St, t: &str, line: Line<'_>) -> Result<(), String> {
    let words: Vec<&str> = t.split_whitespace().collect();
    let all_ports = !words.is_empty() && words.iter().all(|w| parse_port_token(w).is_some());
    let all_services = !words.is_empty() && words.iter().all(|w| service_ports(w).is_some());
    let cmd = match st.cmd {
        Cmd::Unknown | Cmd::Other | Cmd::ListAll | Cmd::ListRich => {
            if all_ports {
                Cmd::ListPorts
            } else if words.len() == 1 && words.iter().all(|w| is_zone_name(w)) && !all_services {
                Cmd::GetDefault
            } else if words.iter().all(|w| STOCK_ZONES.contains(w)) {
                Cmd::GetZones
            } else if all_services {
                Cmd::ListServices
            } else {
                return Err("not a line of firewall-cmd output".into());
            }
        }
        c => c,
    };
    let zone = st.current_zone_name();
    match cmd {
        Cmd::GetDefault => {
            let name = match words.as_slice() {
                [n] if is_zone_name(n) => *n,
                _ => return Err("expected one zone name".into()),
            };
            if st.cmd != Cmd::GetDefault {
                st.notes.push(format!(
                    "line {}: the lone word `{name}` is read as the default zone (`firewall-cmd --get-default-zone`)",
                    line.no
                ));
            }
            st.default = Some((name.to_string(), sl(line)));
            Ok(())
        }
        Cmd::GetZones => Ok(()),
        Cmd::ListServices => zone_key(st, &zone, "services", t, line),
        Cmd::ListPorts => zone_key(st, &zone, "ports", t, line),
        Cmd::ListSources => zone_key(st, &zone, "sources", t, line),
        Cmd::ListInterfaces => zone_key(st, &zone, "interfaces", t, line),
        Cmd::GetTarget => zone_key(st, &zone, "target", t, line),
        _ => Err("not a line of firewall-cmd output".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::rich::RichAction;
    use super::*;
    use crate::firewall::model::Chain;
    use crate::text::lines;

    fn chain<'a>(rs: &'a Ruleset, name: &str) -> Option<&'a Chain> {
        rs.chains.iter().find(|c| c.name == name)
    }

    fn one(t: &str) -> Result<Vec<Rich>, String> {
        rich_rules(t, Line { no: 1, text: t })
    }

    #[test]
    fn rich_rule_text() {
        let r = one(
            r#"rule family="ipv4" source address="173.245.48.0/20" service name="https" accept"#,
        );
        let r = r.ok().unwrap_or_default();
        assert_eq!(r.len(), 1);
        assert!(r
            .iter()
            .all(|r| r.action == RichAction::Accept && r.matches.len() == 4));
        // `NOT` in capitals is not firewalld syntax: reported, not guessed.
        assert!(one(r#"rule family="ipv6" source NOT address="2400:cb00::/32" accept"#).is_err());
        let r = one(r#"rule priority="-10" family="ipv6" source not address="2400:cb00::/32" port port="8443" protocol="tcp" reject type="tcp-reset""#)
            .ok()
            .unwrap_or_default();
        let r = r.first();
        assert_eq!(r.map(|r| r.priority), Some(-10));
        assert_eq!(r.map(|r| r.reject_with.as_str()), Some("tcp-reset"));
        assert!(r.is_some_and(|r| r
            .matches
            .iter()
            .any(|m| matches!(m, Match::SourceAddr { negated: true, .. }))));
        // dns has two ports: two rules on the same line.
        assert_eq!(
            one(r#"rule service name="dns" accept"#).map(|v| v.len()),
            Ok(2)
        );
        // A log limit is not an accept limit.
        let r = one(r#"rule family="ipv4" source address="1.2.3.4" log prefix="x y" level="info" limit value="1/m" drop"#)
            .ok()
            .unwrap_or_default();
        assert!(r.first().is_some_and(|r| r.action == RichAction::Drop
            && !r
                .matches
                .iter()
                .any(|m| matches!(m, Match::RateLimit { .. }))));
    }

    #[test]
    fn header_markers() {
        assert_eq!(
            zone_header("public (default, active)").map(|(n, m)| (n, m.len())),
            Some(("public".to_string(), 2))
        );
        assert!(zone_header("public (something else)").is_none());
        assert!(zone_header("Status for the jail").is_none());
    }

    #[test]
    fn order_within_zone() {
        let text = "public (active)\n  target: default\n  services: https\n  rich rules: \n\trule family=\"ipv4\" source address=\"1.2.3.4\" accept\n\trule family=\"ipv4\" source address=\"1.2.3.0/24\" drop\n\trule priority=\"5\" family=\"ipv4\" source address=\"5.6.7.8\" reject\n\trule priority=\"-1\" family=\"ipv4\" source address=\"9.9.9.9\" drop\n";
        let ls = lines(text);
        let rs = parse("t", &ls);
        let order: Vec<usize> = chain(&rs, "IN_public")
            .map(|c| c.rules.iter().map(|r| r.source.line).collect())
            .unwrap_or_default();
        assert_eq!(order, vec![8, 6, 3, 5, 7, 2]);
        assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
        // One fully listed zone and no default named: assumed, with a note.
        assert!(rs.notes.iter().any(|n| n.contains("assuming zone public")));
    }

    #[test]
    fn indented_listing_is_read() {
        // `firewall-cmd --list-all` quoted with a uniform indent in an issue.
        let text = "  home (active)\n  target: default\n  interfaces: br0\n  services: ssh\n  ports: 74/tcp\n  rich rules: \n";
        let ls = lines(text);
        let rs = parse("t", &ls);
        assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
        let n = chain(&rs, "IN_home").map(|c| c.rules.len()).unwrap_or(0);
        assert!(n >= 3, "ssh, 74/tcp and the target: {n} rules");
        // An indented line with no `key:` line after it stays unread.
        let rs = parse("t", &lines("  home (active)\nsomething\n"));
        assert!(chain(&rs, "IN_home").is_none());
    }

    #[test]
    fn garbage_is_reported() {
        let ls = lines("public (active)\n  target: default\n  bogus-field: 1\n%%% what\n");
        let rs = parse("t", &ls);
        assert_eq!(rs.not_understood.len(), 2, "{:?}", rs.not_understood);
    }

    #[test]
    fn default_zone_from_bare_commands() {
        let text = "# firewall-cmd --get-default-zone\npublic\n# firewall-cmd --list-services\nssh dhcpv6-client http\n# firewall-cmd --list-ports\n8443/tcp 9000-9010/tcp\n";
        let ls = lines(text);
        let rs = parse("t", &ls);
        assert!(rs.not_understood.is_empty(), "{:?}", rs.not_understood);
        let c = chain(&rs, "IN_public");
        // ssh, dhcpv6-client, http, 8443, 9000-9010, and the undecided end.
        assert_eq!(c.map(|c| c.rules.len()), Some(6));
        assert!(c
            .and_then(|c| c.rules.last())
            .is_some_and(|r| matches!(r.action, Action::Unknown(_))));
    }
}
