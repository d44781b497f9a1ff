//! Azure network security groups: `az network nsg show`, `nsg list`,
//! `nsg rule list` (JSON).

use serde_json::Value;

use super::{
    n, port_range, ports_match, proto_match, q, rule, ruleset, s, strs, table_rows, CloudFirewalls,
    Locator,
};
use crate::firewall::model::Undecided;
use crate::firewall::model::{Action, Dialect, Match, Rule, SourceLine};
use crate::net::{AddrRange, AddrSet, Family};
use crate::text::Line;

/// The name of an NSG whose listing does not show it (`nsg rule list`).
pub(super) const UNNAMED: &str = "NSG_NAME";

/// `az network nsg rule list --nsg-name web-nsg …` names the NSG its listing
/// leaves unnamed; the fix commands then name it too.
pub fn name_from_command(rulesets: &mut [crate::firewall::model::Ruleset], command: &str) {
    let words: Vec<&str> = command.split_whitespace().collect();
    if !words.windows(2).any(|w| w == ["network", "nsg"]) {
        return;
    }
    // `nsg rule list` names the NSG by --nsg-name, `nsg show` by --name.
    let flags: [&str; 2] = if words.contains(&"rule") {
        ["--nsg-name", "-n"]
    } else {
        ["--name", "-n"]
    };
    let mut value = None;
    for (i, w) in words.iter().enumerate() {
        for f in flags {
            if *w == f {
                value = words.get(i + 1).copied();
            } else if let Some(v) = w.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                value = Some(v);
            }
        }
    }
    let Some(name) = value
        .map(|v| v.trim_matches(['"', '\'']))
        .filter(|v| !v.is_empty())
    else {
        return;
    };
    for c in rulesets
        .iter_mut()
        .filter(|r| r.dialect == Dialect::CloudAzure)
        .flat_map(|r| r.chains.iter_mut())
        .filter(|c| c.name.split_whitespace().next() == Some(UNNAMED))
    {
        c.name = c.name.replacen(UNNAMED, name, 1);
    }
}

/// An NSG from JSON: each rule is located by its `"name"` line.
pub(super) fn azure_nsg(
    input: &str,
    name: &str,
    rules: &[Value],
    defaults: &[Value],
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    // The ARM / portal JSON view nests each rule's fields under
    // `properties`, next to its `name`: read them as one flat rule.
    let flat: Vec<Value> = rules.iter().chain(defaults.iter()).map(flatten).collect();
    let located: Vec<(&Value, SourceLine)> = flat
        .iter()
        .map(|r| {
            let rname = s(r, "name").unwrap_or("rule");
            (r, loc.find(&["\"name\"", &q(rname)]))
        })
        .collect();
    nsg(input, name, &located, !defaults.is_empty(), out);
}

/// `{"name": n, "properties": {...}}` as `{"name": n, ...}`; a flat rule
/// as it is.
fn flatten(r: &Value) -> Value {
    match (
        r.get("properties").and_then(Value::as_object),
        r.as_object(),
    ) {
        (Some(props), Some(outer)) => {
            let mut m = props.clone();
            for (k, v) in outer {
                if k != "properties" {
                    m.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            Value::Object(m)
        }
        _ => r.clone(),
    }
}

/// An NSG's inbound rules in priority order, over a drop; `shows_defaults`
/// when the paste lists the default rules (else DenyAllInBound is assumed).
fn nsg(
    input: &str,
    name: &str,
    rules: &[(&Value, SourceLine)],
    shows_defaults: bool,
    out: &mut CloudFirewalls,
) {
    let mut all: Vec<(i64, Rule)> = Vec::new();
    let mut notes = Vec::new();
    let mut head = None;
    for (r, line) in rules {
        let (r, line) = (*r, line.clone());
        head.get_or_insert_with(|| line.clone());
        if !s(r, "direction").is_some_and(|d| d.eq_ignore_ascii_case("Inbound")) {
            continue;
        }
        let priority = n(r, "priority").unwrap_or(i64::MAX);
        let mut m = Vec::new();
        m.extend(proto_match(s(r, "protocol").unwrap_or("*")));
        let mut ports: Vec<(u16, u16)> = Vec::new();
        let mut all_ports = false;
        for p in strs(r, "destinationPortRange")
            .into_iter()
            .chain(strs(r, "destinationPortRanges"))
        {
            match port_range(p) {
                Some(Some(x)) => ports.push(x),
                Some(None) => all_ports = true,
                None => notes.push(format!("line {}: port `{p}` not understood", line.line)),
            }
        }
        if !all_ports && !ports.is_empty() {
            m.push(ports_match(ports));
        }
        let prefixes: Vec<&str> = strs(r, "sourceAddressPrefix")
            .into_iter()
            .chain(strs(r, "sourceAddressPrefixes"))
            .collect();
        let mut set = Vec::new();
        let mut unknown = Vec::new();
        let mut internal_only = !prefixes.is_empty();
        for p in &prefixes {
            match *p {
                "*" | "Internet" | "Any" | "any" => {
                    set.push(AddrRange::all(Family::V4));
                    set.push(AddrRange::all(Family::V6));
                    internal_only = false;
                }
                "VirtualNetwork" | "AzureLoadBalancer" | "GatewayManager" => {}
                other => match AddrRange::parse(other) {
                    Some(a) => {
                        set.push(a);
                        internal_only = false;
                    }
                    None => {
                        unknown.push(other.to_string());
                        internal_only = false;
                    }
                },
            }
        }
        if prefixes.is_empty() && r.get("sourceApplicationSecurityGroups").is_some() {
            internal_only = true;
        }
        if internal_only {
            // VirtualNetwork, the load balancer probe: never Cloudflare.
            continue;
        }
        let action = match s(r, "access").map(str::to_ascii_lowercase).as_deref() {
            Some("allow") => Action::Accept,
            Some("deny") => Action::Drop,
            other => Action::Unknown(format!("access {other:?}")),
        };
        if !set.is_empty() {
            let mut mm = m.clone();
            mm.push(Match::SourceAddr {
                set: AddrSet::from_ranges(set),
                negated: false,
            });
            all.push((priority, rule(line.clone(), mm, action.clone())));
        }
        for u in unknown {
            let mut mm = m.clone();
            mm.push(Match::Unknown {
                text: format!(
                    "Azure service tag `{u}`: whether it covers Cloudflare is not known here"
                ),
                why: Undecided::SourceElsewhere,
            });
            all.push((priority, rule(line.clone(), mm, action.clone())));
        }
    }
    all.sort_by_key(|(p, _)| *p);
    let head = head.unwrap_or(SourceLine {
        line: 0,
        text: String::new(),
    });
    // The fix needs the resource group: az prints it, or the rule ids hold it.
    let group = rules.iter().find_map(|(r, _)| {
        s(r, "resourceGroup").map(str::to_string).or_else(|| {
            s(r, "id")?
                .split("/resourceGroups/")
                .nth(1)?
                .split('/')
                .next()
                .filter(|g| !g.is_empty())
                .map(str::to_string)
        })
    });
    let label = match &group {
        Some(g) => format!("{name} (resource group {g})"),
        None => name.to_string(),
    };
    let mut rs = ruleset(
        input,
        Dialect::CloudAzure,
        &label,
        head,
        all.into_iter().map(|(_, r)| r).collect(),
    );
    rs.chains.iter_mut().for_each(|c| c.policy_line = None);
    if !shows_defaults {
        rs.notes.push(
            "default rules not shown: every NSG ends with DenyAllInBound (65500), assumed"
                .to_string(),
        );
    }
    rs.notes.push(
        "an NSG on the subnet and one on the network interface must both allow the traffic"
            .to_string(),
    );
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}

/// `az network nsg rule list … -o table`: columns cut at the dashes under
/// the header (a cell may hold several space-separated prefixes). Column
/// order differs between az versions, so cells are read by header name.
/// `nsg rule list` omits the default rules unless asked
/// (`--include-default`): DenyAllInBound is then assumed.
pub(super) fn az_tables(
    input: &str,
    lines: &[Line<'_>],
    claimed: &mut [bool],
    out: &mut CloudFirewalls,
) {
    let mut k = 0usize;
    while let Some(l) = lines.get(k) {
        let words: Vec<&str> = l.text.split_whitespace().collect();
        let is_header = claimed.get(k) == Some(&false)
            && words.first() == Some(&"Name")
            && ["Priority", "Access", "Direction"]
                .iter()
                .all(|w| words.contains(w));
        let dashes = lines.get(k + 1).filter(|d| {
            claimed.get(k + 1) == Some(&false)
                && d.text.contains('-')
                && d.text.chars().all(|c| c == '-' || c == ' ')
        });
        let (true, Some(dashes)) = (is_header, dashes) else {
            k += 1;
            continue;
        };
        let cols = columns(l.text, dashes.text);
        for c in claimed.iter_mut().skip(k).take(2) {
            *c = true;
        }
        out.understood_lines += 2;
        let (rows, j) = table_rows(
            lines,
            claimed,
            k + 2,
            out,
            "az table row not understood",
            |row| {
                let line = SourceLine {
                    line: row.no,
                    text: row.text.trim().to_string(),
                };
                table_rule(row.text, &cols).map(|v| (v, line))
            },
        );
        let shows_defaults = rows
            .iter()
            .any(|(v, _)| s(v, "name") == Some("DenyAllInBound"));
        let refs: Vec<(&Value, SourceLine)> = rows.iter().map(|(v, l)| (v, l.clone())).collect();
        nsg(input, UNNAMED, &refs, shows_defaults, out);
        k = j;
    }
}

/// (header word, start byte, end byte) of each column of an az table.
fn columns(header: &str, dashes: &str) -> Vec<(String, usize, usize)> {
    let mut cols = Vec::new();
    let mut start = None;
    for (i, c) in dashes.char_indices().chain([(dashes.len(), ' ')]) {
        match (c, start) {
            ('-', None) => start = Some(i),
            (' ', Some(st)) => {
                let name = header.get(st..i.min(header.len())).unwrap_or("").trim();
                cols.push((name.to_string(), st, i));
                start = None;
            }
            _ => {}
        }
    }
    cols
}

/// One table row as the JSON shape [`nsg`] reads; `None` when it does not
/// look like a rule (no priority, access or direction).
fn table_rule(row: &str, cols: &[(String, usize, usize)]) -> Option<Value> {
    let last = cols.len().saturating_sub(1);
    let cell = |name: &str| -> Option<&str> {
        let i = cols.iter().position(|(n, _, _)| n == name)?;
        let (_, start, end) = cols.get(i)?;
        // The last column runs to the end of the line.
        let end = if i == last {
            row.len()
        } else {
            (*end).min(row.len())
        };
        row.get((*start).min(end)..end).map(str::trim)
    };
    let list = |a: &str, b: &str| -> Vec<Value> {
        cell(a)
            .or_else(|| cell(b))
            .unwrap_or("")
            .split([' ', ','])
            .filter(|x| !x.is_empty())
            .map(|x| Value::String(x.to_string()))
            .collect()
    };
    let priority: i64 = cell("Priority")?.parse().ok()?;
    let access = cell("Access")
        .filter(|a| a.eq_ignore_ascii_case("allow") || a.eq_ignore_ascii_case("deny"))?;
    let direction = cell("Direction")
        .filter(|d| d.eq_ignore_ascii_case("inbound") || d.eq_ignore_ascii_case("outbound"))?;
    let mut v = serde_json::Map::new();
    v.insert(
        "name".into(),
        Value::String(cell("Name").unwrap_or("rule").to_string()),
    );
    if let Some(g) = cell("ResourceGroup").filter(|g| !g.is_empty()) {
        v.insert("resourceGroup".into(), Value::String(g.to_string()));
    }
    v.insert("priority".into(), Value::from(priority));
    v.insert("access".into(), Value::String(access.to_string()));
    v.insert("direction".into(), Value::String(direction.to_string()));
    v.insert(
        "protocol".into(),
        Value::String(cell("Protocol").unwrap_or("*").to_string()),
    );
    v.insert(
        "destinationPortRanges".into(),
        Value::Array(list("DestinationPortRanges", "DestinationPortRange")),
    );
    v.insert(
        "sourceAddressPrefixes".into(),
        Value::Array(list("SourceAddressPrefixes", "SourceAddressPrefix")),
    );
    Some(Value::Object(v))
}
