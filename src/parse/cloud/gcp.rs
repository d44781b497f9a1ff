//! GCP VPC firewall rules: `gcloud compute firewall-rules list` as a table
//! (with its footer) or `--format=json`.

use serde_json::Value;

use super::{
    arr, n, port_range, ports_match, proto_match, q, rule, ruleset, s, strs, table_rows,
    CloudFirewalls, Locator,
};
use crate::firewall::model::Undecided;
use crate::firewall::model::{Action, Dialect, Match, Rule, SourceLine};
use crate::net::{AddrRange, AddrSet, Family};
use crate::text::Line;

/// A protocol and its port ranges (empty = all ports).
type ProtoPorts = (String, Vec<(u16, u16)>);

/// One GCP rule as read from JSON or a table row.
struct GcpRule {
    name: String,
    network: String,
    ingress: bool,
    priority: i64,
    deny: bool,
    /// (protocol, port ranges; empty = all ports).
    protos: Vec<ProtoPorts>,
    /// `None`: source ranges not shown (table without SRC_RANGES).
    sources: Option<Vec<AddrRange>>,
    /// Only tag/service-account sources: never Internet.
    tag_sources_only: bool,
    targets: Vec<String>,
    disabled: bool,
    line: SourceLine,
    /// The sources and targets are GCP's documented defaults for this rule
    /// name, standing in for columns the table does not show.
    assumed: bool,
}

/// The rules GCP creates in the `default` network (and the console's
/// "Allow HTTP/HTTPS traffic" boxes, which also tag the instance), by
/// name: their source ranges. Documented at
/// cloud.google.com/vpc/docs/firewalls#more_rules_default_vpc.
const DEFAULT_RULES: &[(&str, &str)] = &[
    ("default-allow-internal", "10.128.0.0/9"),
    ("default-allow-ssh", "0.0.0.0/0"),
    ("default-allow-rdp", "0.0.0.0/0"),
    ("default-allow-icmp", "0.0.0.0/0"),
    ("default-allow-http", "0.0.0.0/0"),
    ("default-allow-https", "0.0.0.0/0"),
];

fn gcp_rules(r: &GcpRule) -> Vec<Rule> {
    let mut base = Vec::new();
    match &r.sources {
        Some(src) => base.push(Match::SourceAddr {
            set: AddrSet::from_ranges(src.iter().copied()),
            negated: false,
        }),
        None => base.push(Match::Unknown {
            text: "source ranges are not in this table (paste `gcloud compute firewall-rules list --format=json`)".into(),
            why: Undecided::SourceElsewhere,
        }),
    }
    if !r.targets.is_empty() {
        base.push(Match::Unknown {
            text: format!(
                "applies only to instances tagged {} (is the origin one of them?)",
                r.targets.join(", ")
            ),
            why: Undecided::Other,
        });
    }
    let action = if r.deny { Action::Drop } else { Action::Accept };
    let mut out = Vec::new();
    for (proto, ports) in &r.protos {
        let mut m = base.clone();
        m.extend(proto_match(proto));
        if !ports.is_empty() {
            m.push(ports_match(ports.clone()));
        }
        out.push(rule(r.line.clone(), m, action.clone()));
    }
    out
}

fn gcp_build(input: &str, mut rules: Vec<GcpRule>, out: &mut CloudFirewalls) {
    // Lower priority number first; at equal priority deny wins.
    rules.sort_by_key(|r| (r.priority, !r.deny));
    let mut networks: Vec<String> = rules.iter().map(|r| r.network.clone()).collect();
    networks.dedup();
    networks.sort();
    networks.dedup();
    for net in networks {
        let mut notes = Vec::new();
        let mut assumed: Vec<String> = Vec::new();
        let mut model = Vec::new();
        let mut head = None;
        for r in rules.iter().filter(|r| r.network == net) {
            head.get_or_insert_with(|| r.line.clone());
            if !r.ingress {
                continue;
            }
            if r.disabled {
                notes.push(format!("line {}: rule {} is disabled", r.line.line, r.name));
                continue;
            }
            if r.tag_sources_only {
                notes.push(format!(
                    "line {}: rule {} admits only instances by tag or service account, not Cloudflare",
                    r.line.line, r.name
                ));
                continue;
            }
            if r.assumed {
                assumed.push(r.name.clone());
            }
            model.extend(gcp_rules(r));
        }
        let head = head.unwrap_or(SourceLine {
            line: 0,
            text: String::new(),
        });
        let mut rs = ruleset(
            input,
            Dialect::CloudGcp,
            &format!("network {net}"),
            head,
            model,
        );
        rs.chains.iter_mut().for_each(|c| c.policy_line = None);
        rs.notes.push(
            "GCP ends every VPC network with an implied deny of all ingress (priority 65535)"
                .to_string(),
        );
        rs.notes.extend(notes);
        if !assumed.is_empty() {
            let a = format!(
                "the table has no SRC_RANGES column: {} read with GCP's documented default sources (the HTTP/HTTPS ones also assume the instance carries their tag); paste `gcloud compute firewall-rules list --format=json` to confirm",
                assumed.join(", ")
            );
            rs.notes.push(a.clone());
            rs.assumptions.push(a);
        }
        out.rulesets.push(rs);
    }
}

/// `tcp:80`, `tcp:0-65535,udp:0-65535,icmp`, `all`, `tcp:80,443`.
pub(super) fn gcp_allow_list(t: &str) -> Option<Vec<ProtoPorts>> {
    let mut out: Vec<ProtoPorts> = Vec::new();
    for tok in t.split(',').map(str::trim).filter(|x| !x.is_empty()) {
        let (proto, port) = match tok.split_once(':') {
            Some((p, port)) => (Some(p), Some(port)),
            None if tok.chars().all(|c| c.is_ascii_digit() || c == '-') => (None, Some(tok)),
            None => (Some(tok), None),
        };
        let range = match port {
            Some(p) => port_range(p)?,
            None => None,
        };
        match proto {
            Some(p) => out.push((p.to_ascii_lowercase(), range.into_iter().collect())),
            None => out.last_mut()?.1.extend(range),
        }
    }
    Some(out)
}

pub(super) fn gcp_json(
    input: &str,
    items: &[Value],
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let mut rules = Vec::new();
    for it in items {
        let name = s(it, "name").unwrap_or("rule").to_string();
        let line = loc.find(&["\"name\"", &q(&name)]);
        let network = s(it, "network")
            .and_then(|n| n.rsplit('/').next())
            .unwrap_or("default")
            .to_string();
        let ranges = strs(it, "sourceRanges");
        let has_tag_sources =
            !strs(it, "sourceTags").is_empty() || !strs(it, "sourceServiceAccounts").is_empty();
        let sources: Vec<AddrRange> = ranges.iter().filter_map(|r| AddrRange::parse(r)).collect();
        let sources = if ranges.is_empty() && !has_tag_sources {
            // No source at all: GCP applies 0.0.0.0/0.
            vec![AddrRange::all(Family::V4)]
        } else {
            sources
        };
        let (list, deny) = if it.get("denied").is_some() {
            (arr(it, "denied"), true)
        } else {
            (arr(it, "allowed"), false)
        };
        let mut protos = Vec::new();
        for a in list {
            let p = s(a, "IPProtocol").unwrap_or("all").to_string();
            let ports: Vec<(u16, u16)> = strs(a, "ports")
                .iter()
                .filter_map(|x| port_range(x).flatten())
                .collect();
            protos.push((p, ports));
        }
        let mut targets: Vec<String> = strs(it, "targetTags")
            .iter()
            .map(|t| t.to_string())
            .collect();
        targets.extend(
            strs(it, "targetServiceAccounts")
                .iter()
                .map(|t| format!("service account {t}")),
        );
        rules.push(GcpRule {
            name,
            network,
            ingress: s(it, "direction").is_none_or(|d| d.eq_ignore_ascii_case("INGRESS")),
            priority: n(it, "priority").unwrap_or(1000),
            deny,
            protos,
            sources: Some(sources.clone()),
            tag_sources_only: sources.is_empty() && has_tag_sources,
            targets,
            disabled: it.get("disabled").and_then(Value::as_bool).unwrap_or(false),
            line,
            assumed: false,
        });
    }
    gcp_build(input, rules, out);
}

/// `gcloud compute firewall-rules list` tables (default or custom columns).
pub(super) fn gcloud_tables(
    input: &str,
    lines: &[Line<'_>],
    claimed: &mut [bool],
    out: &mut CloudFirewalls,
) {
    let mut k = 0usize;
    while let Some(l) = lines.get(k) {
        let words: Vec<&str> = l.text.split_whitespace().collect();
        let is_header = claimed.get(k) == Some(&false)
            && words.first() == Some(&"NAME")
            && words.contains(&"PRIORITY")
            && words.iter().any(|w| *w == "ALLOW" || *w == "DENY");
        if !is_header {
            k += 1;
            continue;
        }
        // Column starts (byte offsets of each header word).
        let mut cols: Vec<(String, usize)> = Vec::new();
        let mut pos = 0usize;
        for w in &words {
            let at = l
                .text
                .get(pos..)
                .and_then(|r| r.find(w))
                .map_or(pos, |i| i + pos);
            cols.push((w.to_string(), at));
            pos = at + w.len();
        }
        if let Some(c) = claimed.get_mut(k) {
            *c = true;
        }
        out.understood_lines += 1;
        let (rules, j) = table_rows(
            lines,
            claimed,
            k + 1,
            out,
            "gcloud table row not understood",
            |row| gcp_row(row, &cols),
        );
        gcp_build(input, rules, out);
        k = j;
    }
}

fn gcp_row(row: &Line<'_>, cols: &[(String, usize)]) -> Option<GcpRule> {
    let cell = |name: &str| -> Option<String> {
        let i = cols.iter().position(|(n, _)| n == name)?;
        let start = cols.get(i)?.1;
        let end = cols.get(i + 1).map(|c| c.1);
        let text = row.text;
        let v = match end {
            Some(e) => text.get(start.min(text.len())..e.min(text.len()))?,
            None => text.get(start.min(text.len())..)?,
        };
        Some(v.trim().to_string())
    };
    let name = cell("NAME").filter(|n| !n.is_empty())?;
    let priority = cell("PRIORITY")?.parse::<i64>().ok()?;
    let allow = cell("ALLOW").unwrap_or_default();
    let deny = cell("DENY").unwrap_or_default();
    let (list, is_deny) = if !deny.is_empty() {
        (deny, true)
    } else {
        (allow, false)
    };
    let protos = gcp_allow_list(&list)?;
    let src_col = ["SRC_RANGES", "SOURCE_RANGES", "SRC_RANGE"]
        .iter()
        .find_map(|c| cell(c));
    let hidden = src_col.is_none();
    let sources = match src_col {
        Some(t) if t.is_empty() => Some(vec![AddrRange::all(Family::V4)]),
        Some(t) => Some(
            t.split(',')
                .map(|x| AddrRange::parse(x.trim()))
                .collect::<Option<Vec<AddrRange>>>()?,
        ),
        None => DEFAULT_RULES
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, src)| AddrRange::parse(src))
            .map(|r| vec![r]),
    };
    let assumed = hidden && sources.is_some();
    let targets: Vec<String> = cell("TARGET_TAGS")
        .map(|t| {
            t.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(GcpRule {
        name,
        network: cell("NETWORK")
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into()),
        ingress: cell("DIRECTION")
            .is_none_or(|d| d.is_empty() || d.eq_ignore_ascii_case("INGRESS")),
        priority,
        deny: is_deny,
        protos,
        sources,
        tag_sources_only: false,
        targets,
        disabled: cell("DISABLED").is_some_and(|d| d.eq_ignore_ascii_case("true")),
        assumed,
        line: SourceLine {
            line: row.no,
            text: row.text.trim().to_string(),
        },
    })
}
