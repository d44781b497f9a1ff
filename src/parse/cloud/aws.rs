//! AWS: security groups (`aws ec2 describe-security-groups`,
//! `describe-security-group-rules`) and network ACLs (`describe-network-acls`).

use serde_json::Value;

use super::{
    addr_match, allow_sources, arr, n, ports_match, proto_match, q, rule, ruleset, s,
    CloudFirewalls, Locator,
};
use crate::firewall::model::Undecided;
use crate::firewall::model::{Action, Dialect, Match, Rule, Ruleset, SourceLine};
use crate::net::AddrRange;

/// The protocol and port conditions of one permission (`-1`: all traffic;
/// ports only count for tcp and udp, and `FromPort` -1 means all ports).
pub(super) fn permission_matches(proto: &str, from: Option<i64>, to: Option<i64>) -> Vec<Match> {
    let mut base: Vec<Match> = Vec::new();
    let pm = proto_match(proto);
    let is_l4 = matches!(&pm, Some(Match::Protocol { names, .. }) if names.iter().any(|x| x == "tcp" || x == "udp"));
    if let Some(m) = pm {
        base.push(m);
    }
    if is_l4 {
        if let (Some(from), Some(to)) = (from, to) {
            if from >= 0 {
                let lo = u16::try_from(from).unwrap_or(0);
                let hi = u16::try_from(to).unwrap_or(u16::MAX);
                base.push(ports_match(vec![(lo, hi.max(lo))]));
            }
        }
    }
    base
}

pub(super) const GROUP_NOTE: &str = "an instance with several security groups admits what any of them allows; a network ACL on the subnet must allow it too";

/// A prefix list as source: its CIDRs are elsewhere, so undecided.
pub(super) fn prefix_list_match(id: &str) -> Match {
    Match::Unknown {
        text: format!("prefix list {id}: its CIDRs are not in the paste (paste `aws ec2 get-managed-prefix-list-entries --prefix-list-id {id}`)"),
        why: Undecided::SourceElsewhere,
    }
}

/// Another security group as source admits instances, never the Internet.
pub(super) fn group_source_note(line: usize) -> String {
    format!("line {line}: rules with a security group as source admit only instances in that group, not Cloudflare")
}

fn aws_perm_rules(
    perm: &Value,
    loc: &mut Locator<'_, '_>,
    fallback: &SourceLine,
) -> (Vec<Rule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    let proto = s(perm, "IpProtocol")
        .map(str::to_string)
        .or_else(|| n(perm, "IpProtocol").map(|x| x.to_string()))
        .unwrap_or_else(|| "-1".to_string());
    let base = permission_matches(&proto, n(perm, "FromPort"), n(perm, "ToPort"));
    let cidrs: Vec<&str> = arr(perm, "IpRanges")
        .iter()
        .filter_map(|r| s(r, "CidrIp"))
        .chain(
            arr(perm, "Ipv6Ranges")
                .iter()
                .filter_map(|r| s(r, "CidrIpv6")),
        )
        .collect();
    allow_sources(&base, &cidrs, loc, &mut rules, &mut notes);
    for p in arr(perm, "PrefixListIds") {
        let id = s(p, "PrefixListId").unwrap_or("?");
        let line = loc.find(&[id]);
        let mut m = base.clone();
        m.push(prefix_list_match(id));
        rules.push(rule(line, m, Action::Accept));
    }
    let pairs = arr(perm, "UserIdGroupPairs");
    if !pairs.is_empty() {
        // Another security group as source: instances, never Internet.
        notes.push(group_source_note(fallback.line));
    }
    (rules, notes)
}

pub(super) fn aws_sg(input: &str, sg: &Value, loc: &mut Locator<'_, '_>, out: &mut CloudFirewalls) {
    let id = s(sg, "GroupId").unwrap_or("security group");
    let name = s(sg, "GroupName").unwrap_or("");
    // The CLI prints GroupName before IpPermissions and GroupId after.
    let head = if name.is_empty() {
        loc.find(&[&q(id)])
    } else {
        loc.find(&["GroupName", &q(name)])
    };
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    for perm in arr(sg, "IpPermissions") {
        let (r, n) = aws_perm_rules(perm, loc, &head);
        rules.extend(r);
        notes.extend(n);
    }
    // Skip past the egress rules so later lookups do not land in them.
    if !arr(sg, "IpPermissionsEgress").is_empty() {
        loc.find(&["IpPermissionsEgress"]);
    }
    let label = if name.is_empty() {
        id.to_string()
    } else {
        format!("{id} ({name})")
    };
    let mut rs = ruleset(input, Dialect::CloudAws, &label, head, rules);
    rs.notes.push(GROUP_NOTE.to_string());
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}

/// Security groups attached to one instance admit what any of them allows
/// (they hold no deny rules), so the groups pasted in one input are read as
/// one layer: their accept rules side by side in one chain, policy drop.
/// Reading them as separate layers would demand that every group allow
/// Cloudflare. Network ACLs stay layers of their own.
pub fn merge_security_groups(rulesets: &mut Vec<Ruleset>) {
    let is_group = |r: &Ruleset| {
        r.dialect == Dialect::CloudAws && r.chains.first().is_some_and(|c| !is_network_acl(&c.name))
    };
    let mut k = 0;
    while k < rulesets.len() {
        let Some(input) = rulesets
            .get(k)
            .filter(|r| is_group(r))
            .map(|r| r.input.clone())
        else {
            k += 1;
            continue;
        };
        let mut others = Vec::new();
        let mut j = k + 1;
        while j < rulesets.len() {
            if rulesets
                .get(j)
                .is_some_and(|r| is_group(r) && r.input == input)
            {
                others.push(rulesets.remove(j));
            } else {
                j += 1;
            }
        }
        if let (Some(first), false) = (rulesets.get_mut(k), others.is_empty()) {
            let count = others.len() + 1;
            for other in others {
                if let (Some(into), Some(from)) =
                    (first.chains.first_mut(), other.chains.into_iter().next())
                {
                    into.name = format!("{} + {}", into.name, from.name);
                    into.rules.extend(from.rules);
                }
                for n in other.notes {
                    if !first.notes.contains(&n) {
                        first.notes.push(n);
                    }
                }
                first.understood_lines += other.understood_lines;
                first.not_understood.extend(other.not_understood);
            }
            first.notes.push(format!(
                "{count} security groups pasted: read as attached to the same instance, which admits what any of them allows; if some are not attached to the origin, paste only its groups (`aws ec2 describe-instances --instance-ids i-… --query 'Reservations[].Instances[].SecurityGroups'`)"
            ));
        }
        k += 1;
    }
}

/// Network ACL chains are named by their `acl-…` id.
pub fn is_network_acl(name: &str) -> bool {
    name.starts_with("acl-") || name == "network ACL"
}

pub(super) fn aws_sg_rules(
    input: &str,
    items: &[Value],
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let mut groups: Vec<(String, SourceLine, Vec<Rule>, Vec<String>)> = Vec::new();
    for r in items {
        let egress = r.get("IsEgress").and_then(Value::as_bool).unwrap_or(false);
        let gid = s(r, "GroupId").unwrap_or("security group").to_string();
        let rid = s(r, "SecurityGroupRuleId").unwrap_or("");
        let line = loc.find(&[rid]);
        if egress {
            continue;
        }
        // Same shape as IpPermissions, one address per rule.
        let mut perm = serde_json::Map::new();
        for k in ["IpProtocol", "FromPort", "ToPort"] {
            if let Some(x) = r.get(k) {
                perm.insert(k.to_string(), x.clone());
            }
        }
        if let Some(c) = s(r, "CidrIpv4") {
            perm.insert("IpRanges".into(), serde_json::json!([{ "CidrIp": c }]));
        }
        if let Some(c) = s(r, "CidrIpv6") {
            perm.insert("Ipv6Ranges".into(), serde_json::json!([{ "CidrIpv6": c }]));
        }
        if let Some(p) = s(r, "PrefixListId") {
            perm.insert(
                "PrefixListIds".into(),
                serde_json::json!([{ "PrefixListId": p }]),
            );
        }
        if r.get("ReferencedGroupInfo").is_some() {
            perm.insert("UserIdGroupPairs".into(), serde_json::json!([{}]));
        }
        let (rules, notes) = aws_perm_rules(&Value::Object(perm), loc, &line);
        match groups.iter_mut().find(|g| g.0 == gid) {
            Some(g) => {
                g.2.extend(rules);
                g.3.extend(notes);
            }
            None => groups.push((gid, line, rules, notes)),
        }
    }
    for (gid, line, rules, notes) in groups {
        let mut rs = ruleset(input, Dialect::CloudAws, &gid, line, rules);
        rs.notes.extend(notes);
        out.rulesets.push(rs);
    }
}

pub(super) fn aws_nacl(
    input: &str,
    acl: &Value,
    loc: &mut Locator<'_, '_>,
    out: &mut CloudFirewalls,
) {
    let id = s(acl, "NetworkAclId").unwrap_or("network ACL");
    let head = loc.find(&[&q(id)]);
    let mut entries: Vec<(i64, Rule)> = Vec::new();
    let mut notes = Vec::new();
    for e in arr(acl, "Entries") {
        let num = n(e, "RuleNumber").unwrap_or(i64::MAX);
        let cidr = s(e, "CidrBlock")
            .or_else(|| s(e, "Ipv6CidrBlock"))
            .unwrap_or("");
        // AWS prints keys sorted: the CIDR comes first in each entry.
        let line = loc.find(&[&q(cidr)]);
        if e.get("Egress").and_then(Value::as_bool).unwrap_or(false) {
            continue;
        }
        let Some(a) = AddrRange::parse(cidr) else {
            notes.push(format!("line {}: entry without a readable CIDR", line.line));
            continue;
        };
        let mut m = Vec::new();
        let proto = s(e, "Protocol")
            .map(str::to_string)
            .or_else(|| n(e, "Protocol").map(|x| x.to_string()))
            .unwrap_or_else(|| "-1".into());
        let pm = proto_match(&proto);
        let l4 = matches!(&pm, Some(Match::Protocol { names, .. }) if names.iter().any(|x| x == "tcp" || x == "udp"));
        m.extend(pm);
        if l4 {
            if let Some(pr) = e.get("PortRange") {
                if let (Some(f), Some(t)) = (n(pr, "From"), n(pr, "To")) {
                    let lo = u16::try_from(f).unwrap_or(0);
                    let hi = u16::try_from(t).unwrap_or(u16::MAX);
                    m.push(ports_match(vec![(lo, hi.max(lo))]));
                }
            }
        }
        m.push(addr_match(a));
        let action = match s(e, "RuleAction").map(str::to_ascii_lowercase).as_deref() {
            Some("allow") => Action::Accept,
            Some("deny") => Action::Drop,
            other => Action::Unknown(format!("rule action {other:?}")),
        };
        entries.push((num, rule(line, m, action)));
    }
    entries.sort_by_key(|(k, _)| *k);
    let mut rs = ruleset(
        input,
        Dialect::CloudAws,
        id,
        head,
        entries.into_iter().map(|(_, r)| r).collect(),
    );
    rs.notes.push("network ACLs are evaluated in rule-number order, first match wins, and are stateless: the outbound rules must also allow replies to ephemeral ports".to_string());
    rs.notes.extend(notes);
    out.rulesets.push(rs);
}
