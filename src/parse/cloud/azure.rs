//! Azure network security groups: `az network nsg show`, `nsg list`,
//! `nsg rule list` (JSON).

use serde_json::Value;

use super::{
    n, port_range, ports_match, proto_match, q, rule, ruleset, s, strs, CloudFirewalls, Locator,
};
use crate::firewall::model::{Action, Dialect, Match, Rule, SourceLine};
use crate::net::{AddrRange, AddrSet, Family};

pub(super) fn azure_nsg(
    input: &str,
    name: &str,
    rules: &[Value],
    defaults: &[Value],
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let mut all: Vec<(i64, Rule)> = Vec::new();
    let mut notes = Vec::new();
    let mut head = None;
    for r in rules.iter().chain(defaults.iter()) {
        let rname = s(r, "name").unwrap_or("rule");
        let line = loc.find(&["\"name\"", &q(rname)]);
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
            });
            all.push((priority, rule(line.clone(), mm, action.clone())));
        }
    }
    all.sort_by_key(|(p, _)| *p);
    let head = head.unwrap_or(SourceLine {
        line: 0,
        text: String::new(),
    });
    let mut rs = ruleset(
        input,
        Dialect::CloudAzure,
        name,
        head,
        all.into_iter().map(|(_, r)| r).collect(),
    );
    rs.chains.iter_mut().for_each(|c| c.policy_line = None);
    if defaults.is_empty() {
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
