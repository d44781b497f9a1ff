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

use crate::firewall::model::{Action, Chain, Dialect, Match, PortSet, Rule, Ruleset, SourceLine};
use crate::firewall::model::{Origin, Undecided};
use crate::net::{AddrRange, AddrSet, Family};
use crate::text::{Line, NotUnderstood};

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

/// Ports of firewalld's bundled service definitions
/// (`/usr/lib/firewalld/services/*.xml`): name, (first, last, protocol).
type Service = (&'static str, &'static [(u16, u16, &'static str)]);

const SERVICES: &[Service] = &[
    ("http", &[(80, 80, "tcp")]),
    ("https", &[(443, 443, "tcp")]),
    ("http3", &[(443, 443, "udp")]),
    ("ssh", &[(22, 22, "tcp")]),
    ("cockpit", &[(9090, 9090, "tcp")]),
    ("dns", &[(53, 53, "tcp"), (53, 53, "udp")]),
    ("dns-over-tls", &[(853, 853, "tcp")]),
    ("smtp", &[(25, 25, "tcp")]),
    ("smtps", &[(465, 465, "tcp")]),
    ("smtp-submission", &[(587, 587, "tcp")]),
    ("imap", &[(143, 143, "tcp")]),
    ("imaps", &[(993, 993, "tcp")]),
    ("pop3", &[(110, 110, "tcp")]),
    ("pop3s", &[(995, 995, "tcp")]),
    ("managesieve", &[(4190, 4190, "tcp")]),
    ("ftp", &[(21, 21, "tcp")]),
    ("mysql", &[(3306, 3306, "tcp")]),
    ("postgresql", &[(5432, 5432, "tcp")]),
    ("redis", &[(6379, 6379, "tcp")]),
    ("mongodb", &[(27017, 27017, "tcp")]),
    ("memcache", &[(11211, 11211, "tcp"), (11211, 11211, "udp")]),
    ("mssql", &[(1433, 1433, "tcp")]),
    ("elasticsearch", &[(9200, 9200, "tcp"), (9300, 9300, "tcp")]),
    ("kube-apiserver", &[(6443, 6443, "tcp")]),
    ("kube-api", &[(6443, 6443, "tcp")]),
    ("kubelet", &[(10250, 10250, "tcp")]),
    ("kubelet-readonly", &[(10255, 10255, "tcp")]),
    ("kube-nodeport-services", &[(30000, 32767, "tcp")]),
    (
        "kube-control-plane",
        &[
            (2379, 2380, "tcp"),
            (6443, 6443, "tcp"),
            (10250, 10250, "tcp"),
            (10257, 10257, "tcp"),
            (10259, 10259, "tcp"),
        ],
    ),
    ("etcd-client", &[(2379, 2379, "tcp")]),
    ("etcd-server", &[(2380, 2380, "tcp")]),
    ("docker-registry", &[(5000, 5000, "tcp")]),
    (
        "docker-swarm",
        &[
            (2377, 2377, "tcp"),
            (7946, 7946, "tcp"),
            (7946, 7946, "udp"),
            (4789, 4789, "udp"),
        ],
    ),
    ("grafana", &[(3000, 3000, "tcp")]),
    ("prometheus", &[(9090, 9090, "tcp")]),
    ("zabbix-agent", &[(10050, 10050, "tcp")]),
    ("zabbix-server", &[(10051, 10051, "tcp")]),
    ("rdp", &[(3389, 3389, "tcp")]),
    ("vnc-server", &[(5900, 5903, "tcp")]),
    ("ldap", &[(389, 389, "tcp")]),
    ("ldaps", &[(636, 636, "tcp")]),
    ("kerberos", &[(88, 88, "tcp"), (88, 88, "udp")]),
    ("nfs", &[(2049, 2049, "tcp")]),
    ("rsyncd", &[(873, 873, "tcp"), (873, 873, "udp")]),
    ("git", &[(9418, 9418, "tcp")]),
    ("squid", &[(3128, 3128, "tcp")]),
    ("amqp", &[(5672, 5672, "tcp")]),
    ("amqps", &[(5671, 5671, "tcp")]),
    ("mqtt", &[(1883, 1883, "tcp")]),
    ("mqtt-tls", &[(8883, 8883, "tcp")]),
    ("puppetmaster", &[(8140, 8140, "tcp")]),
    ("salt-master", &[(4505, 4506, "tcp")]),
    ("minecraft", &[(25565, 25565, "tcp")]),
    ("plex", &[(32400, 32400, "tcp")]),
    ("ipp", &[(631, 631, "tcp"), (631, 631, "udp")]),
    ("telnet", &[(23, 23, "tcp")]),
    ("xmpp-client", &[(5222, 5222, "tcp")]),
    ("sip", &[(5060, 5060, "tcp"), (5060, 5060, "udp")]),
    ("netdata-dashboard", &[(19999, 19999, "tcp")]),
    ("wbem-https", &[(5989, 5989, "tcp")]),
    ("dhcpv6-client", &[(546, 546, "udp")]),
    ("dhcp", &[(67, 67, "udp")]),
    ("mdns", &[(5353, 5353, "udp")]),
    ("ntp", &[(123, 123, "udp")]),
    ("snmp", &[(161, 161, "udp")]),
    ("syslog", &[(514, 514, "udp")]),
    ("tftp", &[(69, 69, "udp")]),
    ("openvpn", &[(1194, 1194, "udp")]),
    ("wireguard", &[(51820, 51820, "udp")]),
    ("samba-client", &[(137, 138, "udp")]),
    (
        "samba",
        &[(137, 138, "udp"), (139, 139, "tcp"), (445, 445, "tcp")],
    ),
];

/// Ports of a firewalld service, when it is in the bundled table.
pub fn service_ports(name: &str) -> Option<&'static [(u16, u16, &'static str)]> {
    SERVICES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, p)| *p)
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RichAction {
    Accept,
    Reject,
    Drop,
    /// Log/audit only, mark: no verdict.
    None,
}

#[derive(Debug, Clone)]
struct Rich {
    priority: i32,
    matches: Vec<Match>,
    action: RichAction,
    reject_with: String,
    /// Not about TCP to this host (icmp-block, masquerade, forward-port).
    irrelevant: bool,
    source: SourceLine,
}

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

fn port_rule(ports: PortSet, proto: &str, source: SourceLine) -> Rule {
    Rule {
        source,
        matches: vec![
            Match::Protocol {
                names: vec![proto.to_string()],
                negated: false,
            },
            Match::DestPort {
                ports,
                negated: false,
            },
        ],
        action: Action::Accept,
        origin: Origin::Filter,
    }
}

/// Accept rules for one service; an unknown service gives an undecided rule.
fn service_rules(name: &str, source: SourceLine) -> Vec<Rule> {
    match service_ports(name) {
        Some(ports) => ports
            .iter()
            .map(|&(lo, hi, proto)| port_rule(PortSet(vec![(lo, hi)]), proto, source.clone()))
            .collect(),
        None => vec![Rule {
            source,
            matches: vec![Match::Unknown {
                text: format!(
                    "firewalld service `{name}`: its ports are not known here (paste `firewall-cmd --info-service={name}`)"
                ),
                why: Undecided::ServicePorts,
            }],
            action: Action::Accept,
            origin: Origin::Filter,
        }],
    }
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

/// Split a rich rule into words, keeping quoted values together and
/// dropping the quotes: `source address="1.2.3.4"` → `source`, `address=1.2.3.4`.
fn rich_words(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in t.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes"))
}

/// A rich rule being read; shared by the text and the XML forms.
#[derive(Default)]
struct RichBuilder {
    priority: i32,
    family: Option<Family>,
    matches: Vec<Match>,
    action: Option<RichAction>,
    reject_with: Option<String>,
    irrelevant: bool,
    service_unknown: Option<String>,
    service_ports: Vec<(u16, u16, &'static str)>,
}

impl RichBuilder {
    fn source(&mut self, attrs: &[(String, String)], not: bool) -> Result<(), String> {
        let not = not || is_true(attr(attrs, "invert"));
        if let Some(a) = attr(attrs, "address") {
            let r = AddrRange::parse(a).ok_or_else(|| format!("source address `{a}`"))?;
            self.matches.push(Match::SourceAddr {
                set: AddrSet::from_ranges([r]),
                negated: not,
            });
        } else if let Some(s) = attr(attrs, "ipset") {
            self.matches.push(Match::NamedSource {
                name: s.to_string(),
                negated: not,
            });
        } else if let Some(m) = attr(attrs, "mac") {
            self.matches.push(Match::Unknown {
                text: format!("source mac {m}"),
                why: Undecided::Other,
            });
        } else {
            return Err("source without address".into());
        }
        Ok(())
    }

    fn destination(&mut self, attrs: &[(String, String)], not: bool) -> Result<(), String> {
        let not = not || is_true(attr(attrs, "invert"));
        match attr(attrs, "address") {
            Some(a) => {
                let r = AddrRange::parse(a).ok_or_else(|| format!("destination address `{a}`"))?;
                self.matches.push(Match::DestAddr {
                    set: AddrSet::from_ranges([r]),
                    negated: not,
                });
            }
            None => self.matches.push(Match::Unknown {
                text: "destination ipset".into(),
                why: Undecided::Other,
            }),
        }
        Ok(())
    }

    fn service(&mut self, name: &str) {
        match service_ports(name) {
            Some(p) => self.service_ports.extend(p.iter().copied()),
            None => self.service_unknown = Some(name.to_string()),
        }
    }

    fn port(&mut self, attrs: &[(String, String)], source_port: bool) -> Result<(), String> {
        let port = attr(attrs, "port").ok_or("port without port=")?;
        let proto = attr(attrs, "protocol").unwrap_or("tcp");
        let (ports, proto) = parse_port_token(&format!("{port}/{proto}"))
            .ok_or_else(|| format!("port `{port}` not understood"))?;
        self.matches.push(Match::Protocol {
            names: vec![proto],
            negated: false,
        });
        self.matches.push(if source_port {
            Match::SourcePort {
                ports,
                negated: false,
            }
        } else {
            Match::DestPort {
                ports,
                negated: false,
            }
        });
        Ok(())
    }

    fn protocol(&mut self, attrs: &[(String, String)]) -> Result<(), String> {
        let v = attr(attrs, "value").ok_or("protocol without value")?;
        self.matches.push(Match::Protocol {
            names: vec![v.to_ascii_lowercase()],
            negated: false,
        });
        Ok(())
    }

    fn limit(&mut self, value: &str) {
        // An accept with a rate limit still lets a first connection in.
        self.matches.push(Match::RateLimit {
            text: format!("limit value={value}"),
            first_connection_matches: true,
        });
    }

    /// One rule per service port; they share the source line.
    fn finish(self, source: SourceLine) -> Vec<Rich> {
        let action = self.action.unwrap_or(RichAction::None);
        let mut base = self.matches;
        if let Some(f) = self.family {
            base.insert(0, Match::Family { family: f });
        }
        let reject_with = self
            .reject_with
            .unwrap_or_else(|| DEFAULT_REJECT.to_string());
        let mk = |matches: Vec<Match>| Rich {
            priority: self.priority,
            matches,
            action,
            reject_with: reject_with.clone(),
            irrelevant: self.irrelevant,
            source: source.clone(),
        };
        if let Some(name) = &self.service_unknown {
            let mut m = base;
            m.push(Match::Unknown {
                text: format!("firewalld service `{name}`: its ports are not known here"),
                why: Undecided::ServicePorts,
            });
            return vec![mk(m)];
        }
        if self.service_ports.is_empty() {
            return vec![mk(base)];
        }
        self.service_ports
            .iter()
            .map(|&(lo, hi, proto)| {
                let mut m = base.clone();
                m.push(Match::Protocol {
                    names: vec![proto.to_string()],
                    negated: false,
                });
                m.push(Match::DestPort {
                    ports: PortSet(vec![(lo, hi)]),
                    negated: false,
                });
                mk(m)
            })
            .collect()
    }
}

/// One rich rule in firewall-cmd's text form (several model rules when its
/// service has several ports).
fn rich_rules(t: &str, line: Line<'_>) -> Result<Vec<Rich>, String> {
    let words = rich_words(t);
    let mut b = RichBuilder::default();
    let mut k = 0usize;
    // `key=value` words from position `k` on.
    let collect = |k: &mut usize| -> Vec<(String, String)> {
        let mut out = Vec::new();
        while let Some((a, v)) = words.get(*k).and_then(|w| w.split_once('=')) {
            out.push((a.to_string(), v.to_string()));
            *k += 1;
        }
        out
    };
    if words.first().map(String::as_str) != Some("rule") {
        return Err("rich rule does not start with `rule`".into());
    }
    k += 1;
    for (key, v) in collect(&mut k) {
        match key.as_str() {
            "family" => {
                b.family = Some(match v.as_str() {
                    "ipv4" => Family::V4,
                    "ipv6" => Family::V6,
                    _ => return Err(format!("unknown family `{v}`")),
                })
            }
            "priority" => b.priority = v.parse().map_err(|_| format!("priority `{v}`"))?,
            _ => return Err(format!("unknown rule attribute `{key}`")),
        }
    }
    while let Some(w) = words.get(k).cloned() {
        k += 1;
        // firewalld accepts `not` in lower case only.
        let not = words.get(k).map(String::as_str) == Some("not");
        if not {
            k += 1;
        }
        let attrs = collect(&mut k);
        match w.as_str() {
            "source" => b.source(&attrs, not)?,
            "destination" => b.destination(&attrs, not)?,
            "service" => b.service(attr(&attrs, "name").ok_or("service without name")?),
            "port" => b.port(&attrs, false)?,
            "source-port" => b.port(&attrs, true)?,
            "protocol" => b.protocol(&attrs)?,
            "icmp-block" | "icmp-type" | "masquerade" | "forward-port" | "tcp-mss-clamp" => {
                b.irrelevant = true;
            }
            "log" | "nflog" | "audit" => {
                // `log ... limit value=...` limits the logging only.
                if words.get(k).map(String::as_str) == Some("limit") {
                    k += 1;
                    collect(&mut k);
                }
            }
            "accept" => b.action = Some(RichAction::Accept),
            "drop" => b.action = Some(RichAction::Drop),
            "reject" => {
                b.action = Some(RichAction::Reject);
                if let Some(t) = attr(&attrs, "type") {
                    b.reject_with = Some(t.to_string());
                }
            }
            "mark" => b.action = Some(RichAction::None),
            "limit" => {
                if let Some(v) = attr(&attrs, "value") {
                    b.limit(v);
                }
            }
            other => return Err(format!("unknown rich rule element `{other}`")),
        }
    }
    Ok(b.finish(sl(line)))
}

// ------------------------------------------------------------------ XML

struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    closing: bool,
    self_closing: bool,
    /// Index into the document's lines where the tag starts.
    at: usize,
}

/// One past the last line of the zone XML document starting at `start`.
fn xml_end(lines: &[Line<'_>], start: usize) -> usize {
    let mut k = start;
    while let Some(l) = lines.get(k) {
        k += 1;
        let t = l.text.trim();
        if t.contains("</zone>") || (t.starts_with("<zone") && t.ends_with("/>")) {
            return k;
        }
    }
    k
}

fn xml_tags(doc: &[Line<'_>]) -> Vec<Tag> {
    let mut tags = Vec::new();
    // Text of a tag still open at the end of a line, and where it began.
    let mut pending: Option<(String, usize)> = None;
    for (idx, l) in doc.iter().enumerate() {
        let (mut rest, mut start) = match pending.take() {
            Some((p, s)) => (format!("{p} {}", l.text), s),
            None => (l.text.to_string(), idx),
        };
        while let Some(open) = rest.find('<') {
            let after = rest.get(open + 1..).unwrap_or("").to_string();
            let Some(close) = after.find('>') else {
                pending = Some((rest.get(open..).unwrap_or("").to_string(), start));
                break;
            };
            let inner = after.get(..close).unwrap_or("").trim().to_string();
            rest = after.get(close + 1..).unwrap_or("").to_string();
            let at = start;
            start = idx;
            if inner.starts_with('?') || inner.starts_with('!') {
                continue;
            }
            let closing = inner.starts_with('/');
            let self_closing = inner.ends_with('/');
            let words = rich_words(inner.trim_start_matches('/').trim_end_matches('/'));
            let Some(name) = words.first() else {
                continue;
            };
            let attrs = words
                .iter()
                .skip(1)
                .filter_map(|w| {
                    w.split_once('=')
                        .map(|(a, v)| (a.to_string(), v.to_string()))
                })
                .collect();
            tags.push(Tag {
                name: name.clone(),
                attrs,
                closing,
                self_closing,
                at,
            });
        }
    }
    tags
}

fn read_xml(st: &mut St, doc: &[Line<'_>]) -> (usize, Vec<NotUnderstood>) {
    // long: a small XML walker for zone files: each element's meaning depends on the rule being
    // built around it.
    let tags = xml_tags(doc);
    let mut not_understood: Vec<NotUnderstood> = Vec::new();
    let line_of = |i: usize| doc.get(i).copied().unwrap_or(Line { no: 0, text: "" });
    // Zone name: the file name shown above the XML, else <short>.
    let short = doc.iter().find_map(|l| {
        l.text
            .trim()
            .strip_prefix("<short>")
            .and_then(|s| s.split_once("</short>"))
            .map(|(s, _)| s.trim().to_ascii_lowercase())
    });
    let named = st.cmd_zone.take();
    let name = match named {
        Some(n) => n,
        None => {
            let n = short
                .filter(|s| is_zone_name(s))
                .unwrap_or_else(|| "zone".to_string());
            st.notes.push(format!(
                "zone XML at line {} has no file name above it; called it `{n}` (paste it with `cat /etc/firewalld/zones/NAME.xml`)",
                line_of(0).no
            ));
            n
        }
    };
    // The rule being read: builder, index of its `<rule>` line, and the
    // line quoted for it (its source, else its service/port, else <rule>).
    let mut rule: Option<(RichBuilder, usize, Option<usize>)> = None;
    let mut in_action = false;
    for tag in &tags {
        let line = line_of(tag.at);
        let attrs = &tag.attrs;
        if let Some((b, start, anchor)) = rule.as_mut() {
            let res: Result<(), String> = match (tag.name.as_str(), tag.closing) {
                ("rule", true) => {
                    let quoted = line_of(anchor.unwrap_or(*start));
                    let rules = std::mem::take(b).finish(sl(quoted));
                    st.with_zone(&name, line, |z| z.rich.extend(rules));
                    rule = None;
                    in_action = false;
                    continue;
                }
                (n, true) => {
                    if matches!(n, "accept" | "reject" | "drop") {
                        in_action = false;
                    }
                    Ok(())
                }
                ("source", _) => {
                    *anchor = Some(tag.at);
                    b.source(attrs, false)
                }
                ("destination", _) => b.destination(attrs, false),
                ("service", _) => {
                    anchor.get_or_insert(tag.at);
                    match attr(attrs, "name") {
                        Some(n) => {
                            b.service(n);
                            Ok(())
                        }
                        None => Err("service without name".into()),
                    }
                }
                ("port", _) => {
                    anchor.get_or_insert(tag.at);
                    b.port(attrs, false)
                }
                ("source-port", _) => b.port(attrs, true),
                ("protocol", _) => b.protocol(attrs),
                ("accept" | "drop" | "reject", _) => {
                    b.action = Some(match tag.name.as_str() {
                        "accept" => RichAction::Accept,
                        "drop" => RichAction::Drop,
                        _ => RichAction::Reject,
                    });
                    if let Some(t) = attr(attrs, "type") {
                        b.reject_with = Some(t.to_string());
                    }
                    in_action = !tag.self_closing;
                    Ok(())
                }
                ("limit", _) => {
                    // A <limit> inside <log> limits logging only.
                    if in_action {
                        if let Some(v) = attr(attrs, "value") {
                            b.limit(v);
                        }
                    }
                    Ok(())
                }
                ("log" | "nflog" | "audit" | "mark", _) => Ok(()),
                (
                    "icmp-block" | "icmp-type" | "masquerade" | "forward-port" | "tcp-mss-clamp",
                    _,
                ) => {
                    b.irrelevant = true;
                    Ok(())
                }
                (other, _) => Err(format!("unknown rich rule element <{other}>")),
            };
            if let Err(why) = res {
                not_understood.push(NotUnderstood::new(line, why));
            }
            continue;
        }
        if tag.closing {
            continue;
        }
        let res: Result<(), String> = match tag.name.as_str() {
            "zone" => {
                // No target attribute means `default`.
                let target = (
                    attr(attrs, "target").unwrap_or("default").to_string(),
                    sl(line),
                );
                st.with_zone(&name, line, |z| z.target = Some(target));
                Ok(())
            }
            "short"
            | "description"
            | "icmp-block-inversion"
            | "masquerade"
            | "icmp-block"
            | "forward"
            | "forward-port" => Ok(()),
            "interface" => match attr(attrs, "name") {
                Some(n) => zone_key(st, &name, "interfaces", n, line),
                None => Err("interface without name".into()),
            },
            "source" => match (attr(attrs, "address"), attr(attrs, "ipset")) {
                (Some(a), _) => zone_key(st, &name, "sources", a, line),
                (None, Some(s)) => zone_key(st, &name, "sources", &format!("ipset:{s}"), line),
                _ => Err("source without address".into()),
            },
            "service" => match attr(attrs, "name") {
                Some(n) => zone_key(st, &name, "services", n, line),
                None => Err("service without name".into()),
            },
            "port" | "source-port" => match (attr(attrs, "port"), attr(attrs, "protocol")) {
                (Some(p), Some(pr)) => {
                    let key = if tag.name == "port" {
                        "ports"
                    } else {
                        "source-ports"
                    };
                    zone_key(st, &name, key, &format!("{p}/{pr}"), line)
                }
                _ => Err("port without port= or protocol=".into()),
            },
            "protocol" => match attr(attrs, "value") {
                Some(v) => zone_key(st, &name, "protocols", v, line),
                None => Err("protocol without value".into()),
            },
            "rule" => {
                let mut b = RichBuilder::default();
                let mut err = None;
                match attr(attrs, "family") {
                    Some("ipv4") => b.family = Some(Family::V4),
                    Some("ipv6") => b.family = Some(Family::V6),
                    Some(f) => err = Some(format!("unknown family `{f}`")),
                    None => {}
                }
                if let Some(p) = attr(attrs, "priority") {
                    match p.parse() {
                        Ok(v) => b.priority = v,
                        Err(_) => err = Some(format!("priority `{p}`")),
                    }
                }
                if !tag.self_closing && err.is_none() {
                    rule = Some((b, tag.at, None));
                }
                err.map_or(Ok(()), Err)
            }
            other => Err(format!("unknown zone element <{other}>")),
        };
        if let Err(why) = res {
            not_understood.push(NotUnderstood::new(line, why));
        }
    }
    if rule.is_some() {
        st.notes
            .push("zone XML ends inside a <rule> (truncated paste?)".to_string());
    }
    let ok = doc
        .iter()
        .filter(|l| !l.text.trim().is_empty() && !not_understood.iter().any(|n| n.line == l.no))
        .count();
    (ok, not_understood)
}

// ---------------------------------------------------------------- build

/// Chain name of a zone (as firewalld's iptables backend calls it).
pub fn zone_chain_name(zone: &str) -> String {
    format!("IN_{zone}")
}

fn rich_to_rule(r: &Rich) -> Option<Rule> {
    if r.irrelevant {
        return None;
    }
    let action = match r.action {
        RichAction::Accept => Action::Accept,
        RichAction::Drop => Action::Drop,
        RichAction::Reject => Action::Reject(r.reject_with.clone()),
        RichAction::None => Action::Continue,
    };
    Some(Rule {
        source: r.source.clone(),
        matches: r.matches.clone(),
        action,
        origin: Origin::Filter,
    })
}

fn zone_chain(z: &Zone) -> (Chain, Option<String>) {
    let mut rich: Vec<&Rich> = z.rich.iter().collect();
    // Stable: equal priorities keep the pasted order.
    rich.sort_by_key(|r| r.priority);
    let rank = |a: RichAction| match a {
        RichAction::None => 0,
        RichAction::Drop | RichAction::Reject => 1,
        RichAction::Accept => 2,
    };
    let mut rules: Vec<Rule> = rich
        .iter()
        .filter(|r| r.priority < 0)
        .filter_map(|r| rich_to_rule(r))
        .collect();
    let mut zero: Vec<&Rich> = rich.iter().copied().filter(|r| r.priority == 0).collect();
    zero.sort_by_key(|r| rank(r.action));
    rules.extend(
        zero.iter()
            .filter(|r| rank(r.action) < 2)
            .filter_map(|r| rich_to_rule(r)),
    );
    rules.extend(z.allows.iter().cloned());
    rules.extend(
        zero.iter()
            .filter(|r| rank(r.action) == 2)
            .filter_map(|r| rich_to_rule(r)),
    );
    rules.extend(
        rich.iter()
            .filter(|r| r.priority > 0)
            .filter_map(|r| rich_to_rule(r)),
    );
    let mut note = None;
    match &z.target {
        Some((target, line)) => {
            let action = match target.as_str() {
                "default" | "%%REJECT%%" | "REJECT" => Action::Reject(DEFAULT_REJECT.to_string()),
                "DROP" => Action::Drop,
                "ACCEPT" => Action::Accept,
                other => Action::Unknown(format!("zone target `{other}`")),
            };
            rules.push(Rule {
                source: line.clone(),
                matches: Vec::new(),
                action,
                origin: Origin::Filter,
            });
        }
        None => {
            let source = z.first.clone().unwrap_or(SourceLine {
                line: 0,
                text: String::new(),
            });
            rules.push(Rule {
                source,
                matches: Vec::new(),
                action: Action::Unknown(format!(
                    "the target of zone {0} is not shown; paste `firewall-cmd --zone={0} --list-all`",
                    z.name
                )),
                origin: Origin::Filter,
            });
            note = Some(format!(
                "zone {} was only partly pasted: traffic its rules do not accept is undecided",
                z.name
            ));
        }
    }
    let chain = Chain {
        name: zone_chain_name(&z.name),
        table: TABLE.to_string(),
        families: vec![Family::V4, Family::V6],
        policy: None,
        policy_line: None,
        rules,
    };
    (chain, note)
}

fn build(
    input: &str,
    mut st: St,
    understood: usize,
    not_understood: Vec<NotUnderstood>,
) -> Ruleset {
    // Output read before the default zone was named belongs to it.
    if let Some((def, _)) = st.default.clone() {
        if let Some(pos) = st.zones.iter().position(|z| z.name == UNNAMED) {
            let orphan = st.zones.remove(pos);
            let first = orphan.first.clone().map(|f| f.line).unwrap_or(0);
            let first_text = orphan.first.clone().map(|f| f.text).unwrap_or_default();
            st.with_zone(
                &def,
                Line {
                    no: first,
                    text: &first_text,
                },
                |z| {
                    z.allows.extend(orphan.allows);
                    z.rich.extend(orphan.rich);
                    z.interfaces.extend(orphan.interfaces);
                    z.sources.extend(orphan.sources);
                    if z.target.is_none() {
                        z.target = orphan.target;
                    }
                },
            );
        }
    }
    let mut notes = std::mem::take(&mut st.notes);
    if st.default.is_none() {
        if let [only] = st.zones.as_slice() {
            if let (Some(_), Some(first)) = (&only.target, &only.first) {
                notes.push(format!(
                    "assuming zone {} is the default zone (`firewall-cmd --list-all` lists the default zone); confirm with `firewall-cmd --get-default-zone`",
                    only.name
                ));
                st.default = Some((only.name.clone(), first.clone()));
            }
        }
    }
    let mut entry_rules = Vec::new();
    // Source bindings first, then interfaces, then the default zone.
    for z in &st.zones {
        for (m, line) in &z.sources {
            entry_rules.push(Rule {
                source: line.clone(),
                matches: vec![m.clone()],
                action: Action::Goto(zone_chain_name(&z.name)),
                origin: Origin::Filter,
            });
        }
    }
    for z in &st.zones {
        for (iface, line) in &z.interfaces {
            entry_rules.push(Rule {
                source: line.clone(),
                matches: vec![Match::InInterface {
                    pattern: iface.clone(),
                    negated: false,
                }],
                action: Action::Goto(zone_chain_name(&z.name)),
                origin: Origin::Filter,
            });
        }
    }
    match &st.default {
        Some((def, line)) => {
            entry_rules.push(Rule {
                source: line.clone(),
                matches: Vec::new(),
                action: Action::Goto(zone_chain_name(def)),
                origin: Origin::Filter,
            });
            if st.zones.iter().all(|z| &z.name != def) {
                notes.push(format!(
                    "the default zone {def} is not listed: paste `firewall-cmd --zone={def} --list-all`"
                ));
            }
        }
        None => notes.push(
            "the default zone is not shown: paste `firewall-cmd --get-default-zone` and `firewall-cmd --list-all`; traffic no source or interface binding sends to a zone is undecided".to_string(),
        ),
    }
    if !st.sets_named.is_empty() {
        notes.push(format!(
            "zone sources name ipsets ({}): paste `firewall-cmd --info-ipset=NAME` for their members",
            st.sets_named.join(", ")
        ));
    }
    let mut chains = vec![Chain {
        name: ENTRY.to_string(),
        table: TABLE.to_string(),
        families: vec![Family::V4, Family::V6],
        policy: None,
        policy_line: None,
        rules: entry_rules,
    }];
    for z in &st.zones {
        let (c, note) = zone_chain(z);
        chains.push(c);
        notes.extend(note);
    }
    Ruleset {
        dialect: Dialect::Firewalld,
        input: input.to_string(),
        families: vec![Family::V4, Family::V6],
        chains,
        entry: vec![0],
        interfaces: st.interfaces,
        sets: Vec::new(),
        notes,
        assumptions: Vec::new(),
        understood_lines: understood,
        not_understood,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
