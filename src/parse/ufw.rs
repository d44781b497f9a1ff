//! `ufw status`, `ufw status verbose` and `ufw status numbered` into the
//! normalized [`Ruleset`].
//!
//! **Guarantees:** never panics; every non-blank line is a header, a rule
//! row, a prompt, or reported in `not_understood`. Incoming rows become one
//! entry chain `ufw-user-input` in printed order (ufw is first-match in that
//! order); `OUT` and `FWD` rows are read and skipped. Rows marked `(v6)` apply
//! to IPv6 only; other rows to IPv4 unless an address in them is IPv6. The
//! chain policy comes from the `Default:` line of `status verbose`; without
//! it an active ufw is read with ufw's own default (`deny` incoming) as a
//! stated assumption, so verdicts resting on it are `likely` at most.

use crate::firewall::model::{
    Action, Chain, Dialect, Match, Policy, PortSet, Rule, Ruleset, SourceLine,
};
use crate::firewall::model::{Origin, Undecided};
use crate::net::{AddrRange, AddrSet, Family};
use crate::text::{Line, NotUnderstood};
use serde::Serialize;

/// The chain name given to ufw's incoming rules (as in its iptables chains).
pub const CHAIN: &str = "ufw-user-input";

/// What an active ufw without its `Default:` line is read under.
pub const ASSUMED_DEFAULT: &str = "plain `ufw status` hides the default incoming policy: read as ufw's default `deny` (paste `sudo ufw status verbose` to confirm)";

/// Ports of the application profiles ufw ships or that web packages install
/// (`/etc/ufw/applications.d`): name, ports, protocol (`None`: tcp and udp).
/// Profile name, port ranges, protocol.
type App = (&'static str, &'static [(u16, u16)], Option<&'static str>);

const APPS: &[App] = &[
    ("OpenSSH", &[(22, 22)], Some("tcp")),
    ("Nginx Full", &[(80, 80), (443, 443)], Some("tcp")),
    ("Nginx HTTP", &[(80, 80)], Some("tcp")),
    ("Nginx HTTPS", &[(443, 443)], Some("tcp")),
    ("Nginx QUIC", &[(443, 443)], Some("udp")),
    ("Apache", &[(80, 80)], Some("tcp")),
    ("Apache Full", &[(80, 80), (443, 443)], Some("tcp")),
    ("Apache Secure", &[(443, 443)], Some("tcp")),
    ("WWW", &[(80, 80)], Some("tcp")),
    ("WWW Full", &[(80, 80), (443, 443)], Some("tcp")),
    ("WWW Secure", &[(443, 443)], Some("tcp")),
    ("WWW Cache", &[(8080, 8080)], Some("tcp")),
    ("CUPS", &[(631, 631)], None),
    ("Postfix", &[(25, 25)], Some("tcp")),
    ("Postfix SMTPS", &[(465, 465)], Some("tcp")),
    ("Postfix Submission", &[(587, 587)], Some("tcp")),
    ("Dovecot IMAP", &[(143, 143)], Some("tcp")),
    ("Dovecot Secure IMAP", &[(993, 993)], Some("tcp")),
    ("Dovecot POP3", &[(110, 110)], Some("tcp")),
    ("Dovecot Secure POP3", &[(995, 995)], Some("tcp")),
    ("Bind9", &[(53, 53)], None),
    ("Samba", &[(137, 139), (445, 445)], None),
    (
        "OpenLiteSpeed",
        &[(80, 80), (443, 443), (7080, 7080)],
        Some("tcp"),
    ),
];

/// What a run of ufw commands printed (`Rule added`, `Skipping adding
/// existing rule (v6)`, `ERROR: Bad source address`): the outcome of an
/// allowlist script when the status table itself is not pasted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UfwChanges {
    /// Rules added or already present, per family.
    pub v4: usize,
    pub v6: usize,
    /// Commands ufw refused, as printed.
    pub errors: Vec<SourceLine>,
}

impl UfwChanges {
    pub fn is_empty(&self) -> bool {
        self.v4 == 0 && self.v6 == 0 && self.errors.is_empty()
    }
}

/// One line of ufw's answer to `ufw allow|deny|insert|prepend ...`:
/// `Some(Some(is_v6))` for a rule in place, `Some(None)` for an error.
fn change_line(t: &str) -> Option<Option<bool>> {
    let v6 = t.ends_with("(v6)");
    let body = t.trim_end_matches("(v6)").trim_end();
    if matches!(
        body,
        "Rule added" | "Rule inserted" | "Rule updated" | "Skipping adding existing rule"
    ) {
        return Some(Some(v6));
    }
    // `ERROR: Bad source address`, `ERROR: Invalid syntax`: the rule was
    // not added. Other `ERROR:` lines are not about one rule.
    let err = t.strip_prefix("ERROR: ")?;
    (err.starts_with("Bad ") || err.starts_with("Invalid ") || err.starts_with("Wrong "))
        .then_some(None)
}

/// The rule changes a block of ufw command output reports.
pub fn changes(lines: &[Line<'_>]) -> UfwChanges {
    let mut out = UfwChanges::default();
    for line in lines {
        match change_line(line.text.trim()) {
            Some(Some(false)) => out.v4 += 1,
            Some(Some(true)) => out.v6 += 1,
            Some(None) => out.errors.push(SourceLine::from(*line)),
            None => {}
        }
    }
    out
}

/// One side (To or From) of a row.
#[derive(Debug, Default)]
struct Loc {
    addr: Option<AddrRange>,
    ports: Option<PortSet>,
    proto: Option<String>,
    iface: Option<String>,
    v6: bool,
    /// Text this parser could not turn into a condition (unknown app).
    unknown: Option<String>,
}

fn port_spec(text: &str) -> Option<(PortSet, Option<String>)> {
    let (ports, proto) = match text.split_once('/') {
        Some((p, proto))
            if !proto.is_empty() && proto.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            (p, Some(proto.to_ascii_lowercase()))
        }
        Some(_) => return None,
        None => (text, None),
    };
    let mut v = Vec::new();
    for part in ports.split(',') {
        let (lo, hi) = match part.split_once(':') {
            Some((a, b)) => (a.parse::<u16>().ok()?, b.parse::<u16>().ok()?),
            None => {
                let p = part.parse::<u16>().ok()?;
                (p, p)
            }
        };
        if lo > hi {
            return None;
        }
        v.push((lo, hi));
    }
    v.sort_unstable();
    Some((PortSet(v), proto))
}

/// An address, optionally with ufw's protocol suffix: `173.245.48.0/20/tcp`.
fn addr_token(t: &str) -> Option<(AddrRange, Option<String>)> {
    if let Some(r) = AddrRange::parse(t) {
        return Some((r, None));
    }
    let (a, proto) = t.rsplit_once('/')?;
    if proto.is_empty() || !proto.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some((AddrRange::parse(a)?, Some(proto.to_ascii_lowercase())))
}

fn parse_loc(text: &str) -> Loc {
    let mut loc = Loc::default();
    let mut text = text.trim();
    // ` on eth0`: the interface (incoming rules show it under To).
    if let Some((head, iface)) = text.rsplit_once(" on ") {
        if !iface.trim().is_empty() && !iface.contains(' ') {
            loc.iface = Some(iface.trim().to_string());
            text = head.trim_end();
        }
    }
    if let Some(head) = text.strip_suffix("(v6)") {
        loc.v6 = true;
        text = head.trim_end();
    }
    // `status verbose` adds the profile in parentheses: `80,443/tcp (Nginx Full)`.
    if let Some(open) = text.find(" (") {
        if text.ends_with(')') {
            if text.get(open..).is_some_and(|s| s.contains("(v6)")) {
                loc.v6 = true;
            }
            text = text.get(..open).unwrap_or(text).trim_end();
        }
    }
    let mut words: Vec<&str> = text.split_whitespace().collect();
    if let Some(first) = words.first().copied() {
        if let Some(rest) = first.strip_prefix("Anywhere") {
            if let Some(p) = rest.strip_prefix('/') {
                loc.proto = Some(p.to_ascii_lowercase());
            } else if !rest.is_empty() {
                loc.unknown = Some(text.to_string());
                return loc;
            }
            words.remove(0);
        } else if let Some((addr, proto)) = addr_token(first) {
            loc.addr = Some(addr);
            loc.proto = proto;
            words.remove(0);
        }
    }
    if words.is_empty() {
        return loc;
    }
    let rest = words.join(" ");
    if let Some((ports, proto)) = port_spec(&rest) {
        loc.ports = Some(ports);
        if proto.is_some() {
            loc.proto = proto;
        }
        return loc;
    }
    match APPS
        .iter()
        .find(|(name, _, _)| name.eq_ignore_ascii_case(&rest))
    {
        Some((_, ports, proto)) => {
            loc.ports = Some(PortSet(ports.to_vec()));
            loc.proto = proto.map(str::to_string);
        }
        None => {
            loc.unknown = Some(format!(
                "ufw application profile `{rest}` (ports not known)"
            ))
        }
    }
    loc
}

/// Parse `ufw status [verbose|numbered]` output. `input` names the paste.
pub fn parse(input: &str, lines: &[Line<'_>]) -> Ruleset {
    let mut rs = Ruleset {
        dialect: Dialect::Ufw,
        input: input.to_string(),
        families: vec![Family::V4, Family::V6],
        chains: Vec::new(),
        entry: vec![0],
        interfaces: Vec::new(),
        sets: Vec::new(),
        notes: Vec::new(),
        assumptions: Vec::new(),
        understood_lines: 0,
        not_understood: Vec::new(),
    };
    let mut chain = Chain {
        name: CHAIN.to_string(),
        table: "ufw".to_string(),
        families: vec![Family::V4, Family::V6],
        policy: None,
        policy_line: None,
        rules: Vec::new(),
    };
    let mut status: Option<bool> = None;
    let mut status_line: Option<SourceLine> = None;
    let mut rows = 0usize;
    // Incoming rows without addresses, as (is IPv6, text without `(v6)`,
    // line): ufw prints each of them once per family, IPv4 first.
    let mut plain_rows: Vec<(bool, String, Line<'_>)> = Vec::new();
    let mut last_line = None;
    for line in lines {
        let t = line.text.trim();
        if t.is_empty() {
            continue;
        }
        last_line = Some(line.no);
        let ok = if crate::parse::textscan::runs_tool(t, "ufw") {
            true
        } else if let Some(s) = t.strip_prefix("Status:") {
            match s.trim() {
                "active" => status = Some(true),
                "inactive" => status = Some(false),
                _ => {}
            }
            status_line = Some(SourceLine::from(*line));
            status.is_some()
        } else if t.starts_with("Logging:") || t.starts_with("New profiles:") {
            true
        } else if change_line(t).is_some() {
            // Command output (`Rule added`): read by [`changes`].
            true
        } else if let Some(d) = t.strip_prefix("Default:") {
            default_policy(d, *line, &mut chain)
        } else if is_header(t) {
            true
        } else {
            match row(t, *line, &mut rs.interfaces) {
                Some(rules) => {
                    rows += 1;
                    if let Some(key) = plain_row(t, &rules) {
                        plain_rows.push((key.0, key.1, *line));
                    }
                    chain.rules.extend(rules);
                    true
                }
                None => false,
            }
        };
        if ok {
            rs.understood_lines += 1;
        } else {
            rs.not_understood.push(NotUnderstood::new(
                *line,
                "not a line of `ufw status` output",
            ));
        }
    }
    match status {
        Some(false) => {
            chain.policy = Some(Policy::Accept);
            chain.rules.clear();
            rs.notes.push(
                "ufw is inactive (`Status: inactive`): it filters nothing; other firewalls may still".to_string(),
            );
        }
        Some(true) | None => {
            if status.is_none() && rows > 0 {
                rs.notes
                    .push("no `Status:` line: assuming ufw is active".to_string());
            }
            if chain.policy.is_none() && status == Some(true) {
                // ufw installs with `default deny incoming`, and few change
                // it: plain `ufw status` does not print it, so read it as
                // an assumption the verdicts it decides must state.
                chain.policy = Some(Policy::Drop);
                chain.policy_line = status_line;
                rs.assumptions.push(ASSUMED_DEFAULT.to_string());
            } else if chain.policy.is_none() {
                rs.notes.push(
                    "default incoming policy not shown: paste `sudo ufw status verbose`; a connection no rule matches is undecided".to_string(),
                );
            }
        }
    }
    if let Some((line, why)) = cut_v6(&plain_rows, last_line) {
        rs.notes.push(why.clone());
        chain.rules.push(Rule::cut(line, Some(Family::V6), why));
    }
    rs.chains.push(chain);
    rs
}

/// An incoming row without addresses: whether it is the IPv6 copy, and its
/// text with the numbering and `(v6)` marks removed.
fn plain_row(t: &str, rules: &[Rule]) -> Option<(bool, String)> {
    let first = rules.first()?;
    let has_addr = rules.iter().any(|r| {
        r.matches
            .iter()
            .any(|m| matches!(m, Match::SourceAddr { .. } | Match::DestAddr { .. }))
    });
    if has_addr {
        return None;
    }
    let v6 = first
        .matches
        .iter()
        .any(|m| matches!(m, Match::Family { family: Family::V6 }));
    let t = match t.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(t, |(_, r)| r),
        None => t,
    };
    let key = t
        .replace("(v6)", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some((v6, key))
}

/// ufw prints every address-free rule twice, the IPv4 rows first and then
/// their `(v6)` copies in the same order. When the `(v6)` rows are only the
/// first few of those IPv4 rows and the paste ends on the last of them, the
/// paste was cut: the IPv6 rules after it are not shown.
fn cut_v6(
    rows: &[(bool, String, Line<'_>)],
    last_line: Option<usize>,
) -> Option<(SourceLine, String)> {
    let v4: Vec<&str> = rows.iter().filter(|r| !r.0).map(|r| r.1.as_str()).collect();
    let v6: Vec<&(bool, String, Line<'_>)> = rows.iter().filter(|r| r.0).collect();
    let last = v6.last()?;
    let is_prefix = v6.len() < v4.len() && v6.iter().zip(&v4).all(|(a, b)| a.1.as_str() == *b);
    if !is_prefix || last_line != Some(last.2.no) {
        return None;
    }
    Some((
        SourceLine {
            line: last.2.no,
            text: last.2.text.trim().to_string(),
        },
        format!(
            "the `(v6)` rows stop at line {}: they repeat only the first {} of the {} IPv4 rows, so the paste looks cut and the IPv6 rules after it are not shown (paste the rest of `sudo ufw status verbose`)",
            last.2.no,
            v6.len(),
            v4.len()
        ),
    ))
}

fn is_header(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    words == ["To", "Action", "From"]
        || (!words.is_empty() && words.iter().all(|w| w.chars().all(|c| c == '-')))
}

fn default_policy(text: &str, line: Line<'_>, chain: &mut Chain) -> bool {
    // `deny (incoming), allow (outgoing), disabled (routed)`
    for part in text.split(',') {
        let part = part.trim();
        if let Some(p) = part.strip_suffix("(incoming)") {
            chain.policy = match p.trim() {
                "deny" => Some(Policy::Drop),
                "reject" => Some(Policy::Reject),
                "allow" => Some(Policy::Accept),
                _ => return false,
            };
            chain.policy_line = Some(SourceLine {
                line: line.no,
                text: line.text.trim().to_string(),
            });
            return true;
        }
    }
    false
}

/// One rule row; `None` when the line is not a row.
fn row(t: &str, line: Line<'_>, interfaces: &mut Vec<String>) -> Option<Vec<Rule>> {
    // long: one ufw row carries numbering, comment, attributes, direction, ports and LIMIT
    // semantics, each read in print order.
    // `[ 1] ` from `status numbered`.
    let mut t = t;
    if let Some(rest) = t.strip_prefix('[') {
        let (num, rest) = rest.split_once(']')?;
        num.trim().parse::<u32>().ok()?;
        t = rest.trim_start();
    }
    // ` # comment` (ufw >= 0.36).
    if let Some((head, _)) = t.split_once(" # ") {
        t = head.trim_end();
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let ai = words
        .iter()
        .position(|w| matches!(*w, "ALLOW" | "DENY" | "REJECT" | "LIMIT"))?;
    let action = *words.get(ai)?;
    let mut rest_at = ai + 1;
    let dir = match words.get(ai + 1).copied() {
        Some(d @ ("IN" | "OUT" | "FWD")) => {
            rest_at += 1;
            d
        }
        _ => "IN",
    };
    let to_text = words.get(..ai)?.join(" ");
    let mut from_words: Vec<&str> = words.get(rest_at..).unwrap_or(&[]).to_vec();
    // Attributes: `(log)`, `(log-all)`, `(out)`, `(log, out)`.
    while let Some(last) = from_words.last().copied() {
        let is_attr = matches!(last, "(log)" | "(log-all)" | "(out)" | "out)")
            || (last.starts_with("(log") && last.ends_with(','));
        if is_attr && from_words.len() > 1 {
            from_words.pop();
        } else {
            break;
        }
    }
    if to_text.is_empty() || from_words.is_empty() {
        return None;
    }
    if dir != "IN" {
        // Outgoing and routed rules do not decide connections to this host.
        return Some(Vec::new());
    }
    let to = parse_loc(&to_text);
    let from = parse_loc(&from_words.join(" "));
    let source = SourceLine {
        line: line.no,
        text: line.text.trim().to_string(),
    };

    let mut matches = Vec::new();
    let v6 = to.v6
        || from.v6
        || [to.addr, from.addr]
            .iter()
            .flatten()
            .any(|a| a.family == Family::V6);
    matches.push(Match::Family {
        family: if v6 { Family::V6 } else { Family::V4 },
    });
    if let Some(a) = from.addr {
        matches.push(Match::SourceAddr {
            set: AddrSet::from_ranges([a]),
            negated: false,
        });
    }
    if let Some(a) = to.addr {
        matches.push(Match::DestAddr {
            set: AddrSet::from_ranges([a]),
            negated: false,
        });
    }
    let proto = to.proto.clone().or_else(|| from.proto.clone());
    if let Some(p) = &proto {
        matches.push(Match::Protocol {
            names: vec![p.clone()],
            negated: false,
        });
    }
    if let Some(p) = to.ports.clone() {
        matches.push(Match::DestPort {
            ports: p,
            negated: false,
        });
    }
    if let Some(p) = from.ports.clone() {
        matches.push(Match::SourcePort {
            ports: p,
            negated: false,
        });
    }
    if let Some(i) = &to.iface {
        matches.push(Match::InInterface {
            pattern: i.clone(),
            negated: false,
        });
        if !interfaces.contains(i) {
            interfaces.push(i.clone());
        }
    }
    if let Some(i) = &from.iface {
        matches.push(Match::Unknown {
            text: format!("outgoing interface {i} on an incoming rule"),
            why: Undecided::Other,
        });
    }
    for u in [&to.unknown, &from.unknown].into_iter().flatten() {
        matches.push(Match::Unknown {
            text: u.clone(),
            why: Undecided::NotUnderstood,
        });
    }
    // ufw rejects TCP with a reset when the rule names ports or tcp.
    let tcp_reset = proto.as_deref() == Some("tcp")
        || (proto.is_none() && (to.ports.is_some() || from.ports.is_some()));
    let reject = Action::Reject(if tcp_reset {
        "tcp-reset".to_string()
    } else {
        "icmp-port-unreachable".to_string()
    });
    Some(match action {
        "ALLOW" => vec![Rule {
            source,
            matches,
            action: Action::Accept,
            origin: Origin::Filter,
        }],
        "DENY" => vec![Rule {
            source,
            matches,
            action: Action::Drop,
            origin: Origin::Filter,
        }],
        "REJECT" => vec![Rule {
            source,
            matches,
            action: reject,
            origin: Origin::Filter,
        }],
        // ufw LIMIT: `-m recent --update --seconds 30 --hitcount 6` sends the
        // 6th new connection within 30 s from one address to a REJECT, the
        // rest are accepted. Cloudflare reuses few addresses, so this bites.
        _ => {
            let mut limited = matches.clone();
            limited.push(Match::RateLimit {
                text: "ufw LIMIT: the 6th new connection within 30 s from one address is rejected"
                    .to_string(),
                first_connection_matches: false,
            });
            vec![
                Rule {
                    source: source.clone(),
                    matches: limited,
                    action: Action::Reject("icmp-port-unreachable".to_string()),
                    origin: Origin::RateLimit,
                },
                Rule {
                    source,
                    matches,
                    action: Action::Accept,
                    origin: Origin::Filter,
                },
            ]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_allow_commands_printed() {
        let text = "Rule added\nSkipping adding existing rule\nERROR: Bad source address\nRule added (v6)\nRule updated (v6)\n";
        let ls = crate::text::lines(text);
        let c = changes(&ls);
        assert_eq!((c.v4, c.v6), (2, 2));
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].line, 3);
        // The status parser reads them as understood, not as rows.
        let rs = parse("t", &ls);
        assert!(rs.not_understood.is_empty());
        assert!(rs.chains[0].rules.is_empty());
        // A status table has no command output.
        let ls = crate::text::lines(
            "Status: active\n22/tcp ALLOW Anywhere\nERROR: problem running ufw-init\n",
        );
        assert!(changes(&ls).is_empty());
    }

    #[test]
    fn reads_locations() {
        let l = parse_loc("173.245.48.0/20/tcp");
        assert_eq!(l.proto.as_deref(), Some("tcp"));
        assert_eq!(
            l.addr.map(|a| a.to_string()),
            Some("173.245.48.0/20".into())
        );
        let l = parse_loc("10.0.0.5 443/tcp on eth0");
        assert_eq!(l.iface.as_deref(), Some("eth0"));
        assert_eq!(l.ports, Some(PortSet(vec![(443, 443)])));
        let l = parse_loc("6000:6007/tcp (v6)");
        assert!(l.v6);
        assert_eq!(l.ports, Some(PortSet(vec![(6000, 6007)])));
        let l = parse_loc("80,443/tcp (Nginx Full (v6))");
        assert!(l.v6);
        assert_eq!(l.ports, Some(PortSet(vec![(80, 80), (443, 443)])));
        let l = parse_loc("Nginx Full (v6)");
        assert!(l.v6 && l.ports.is_some());
        assert!(parse_loc("My Custom App").unknown.is_some());
        let l = parse_loc("Anywhere/udp");
        assert_eq!(l.proto.as_deref(), Some("udp"));
        assert!(l.addr.is_none());
    }
}
