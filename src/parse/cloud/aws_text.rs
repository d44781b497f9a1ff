//! AWS CLI `--output text` of `aws ec2 describe-security-groups` and
//! `describe-security-group-rules`.
//!
//! The text format prints one record per line: the upper-cased key of the
//! list it belongs to (`SECURITYGROUPS`, `IPPERMISSIONS`, `IPRANGES`, …),
//! then the record's scalar values in key order, tab-separated (`None`
//! where another record of the same list has a key this one lacks). Nested
//! lists follow their parent, so an `IPRANGES` line belongs to the last
//! `IPPERMISSIONS` (ingress) or `IPPERMISSIONSEGRESS` (egress, skipped).
//! Terminals often turn the tabs into spaces, so values are found by their
//! shape (`sg-…`, a CIDR, `True`/`False`) rather than by position wherever a
//! free-text description could shift them.

use super::aws::{group_source_note, permission_matches, prefix_list_match, GROUP_NOTE};
use super::{addr_match, rule, ruleset, CloudFirewalls};
use crate::firewall::model::{Action, Dialect, Match, Rule, SourceLine};
use crate::net::AddrRange;
use crate::text::{Line, NotUnderstood};

/// The record names this reader knows (the first word of a line).
const RECORDS: &[&str] = &[
    "SECURITYGROUPS",
    "IPPERMISSIONS",
    "IPPERMISSIONSEGRESS",
    "IPRANGES",
    "IPV6RANGES",
    "PREFIXLISTIDS",
    "USERIDGROUPPAIRS",
    "TAGS",
    "SECURITYGROUPRULES",
    "REFERENCEDGROUPINFO",
];

/// Whether `t` is a line of the AWS CLI text format.
pub(super) fn is_record(t: &str) -> bool {
    t.split_whitespace()
        .next()
        .is_some_and(|w| RECORDS.contains(&w))
}

/// The permission the next address records belong to.
enum Perm {
    /// No permission since the group's line.
    NoneYet,
    Ingress(Vec<Match>),
    /// Egress addresses: read, of no consequence to inbound traffic.
    Egress,
    /// A permission line not understood: its addresses cannot be used.
    Unread,
}

struct Group {
    label: String,
    head: SourceLine,
    rules: Vec<Rule>,
    notes: Vec<String>,
}

fn source_line(l: &Line<'_>) -> SourceLine {
    SourceLine {
        line: l.no,
        text: l.text.trim().to_string(),
    }
}

fn fields(t: &str) -> Vec<&str> {
    let t = t.trim();
    if t.contains('\t') {
        t.split('\t').map(str::trim).collect()
    } else {
        t.split_whitespace().collect()
    }
}

fn number(t: &str) -> Option<i64> {
    t.parse().ok()
}

/// Read every text-format record not yet claimed; claim what it reads.
pub(super) fn aws_text(
    input: &str,
    lines: &[Line<'_>],
    claimed: &mut [bool],
    out: &mut CloudFirewalls,
) {
    let mut groups: Vec<Group> = Vec::new();
    let mut perm = Perm::NoneYet;
    for (k, l) in lines.iter().enumerate() {
        if claimed.get(k) != Some(&false) || !is_record(l.text) {
            continue;
        }
        if let Some(c) = claimed.get_mut(k) {
            *c = true;
        }
        let f = fields(l.text);
        let record = f.first().copied().unwrap_or("");
        let values = f.get(1..).unwrap_or(&[]);
        let understood = match record {
            "SECURITYGROUPS" => {
                // Description, GroupId, GroupName, OwnerId, VpcId: the id is
                // the `sg-` value, the name the value after it.
                let at = values.iter().position(|v| v.starts_with("sg-"));
                match at {
                    Some(i) => {
                        let id = values.get(i).copied().unwrap_or("");
                        let name = values.get(i + 1).copied().unwrap_or("");
                        groups.push(Group {
                            label: if name.is_empty() || name == "None" {
                                id.to_string()
                            } else {
                                format!("{id} ({name})")
                            },
                            head: source_line(l),
                            rules: Vec::new(),
                            notes: Vec::new(),
                        });
                        perm = Perm::NoneYet;
                        true
                    }
                    None => false,
                }
            }
            "IPPERMISSIONS" => {
                // FromPort, IpProtocol, ToPort; or the protocol alone.
                let parsed = match values {
                    [proto] => Some((None, *proto, None)),
                    [from, proto, to] => Some((number(from), *proto, number(to))),
                    _ => None,
                };
                perm = match parsed {
                    Some((from, proto, to)) => Perm::Ingress(permission_matches(proto, from, to)),
                    None => Perm::Unread,
                };
                matches!(perm, Perm::Ingress(_)) && !groups.is_empty()
            }
            "IPPERMISSIONSEGRESS" => {
                perm = Perm::Egress;
                !groups.is_empty()
            }
            "IPRANGES" | "IPV6RANGES" => {
                let source_match = values
                    .first()
                    .and_then(|c| AddrRange::parse(c))
                    .map(addr_match);
                add_source(&perm, groups.last_mut(), source_match, l)
            }
            "PREFIXLISTIDS" => {
                let source_match = values
                    .iter()
                    .find(|v| v.starts_with("pl-"))
                    .map(|id| prefix_list_match(id));
                add_source(&perm, groups.last_mut(), source_match, l)
            }
            "USERIDGROUPPAIRS" | "REFERENCEDGROUPINFO" => {
                if let (Perm::Ingress(_), Some(g)) = (&perm, groups.last_mut()) {
                    g.notes.push(group_source_note(l.no));
                }
                true
            }
            "TAGS" => true,
            "SECURITYGROUPRULES" => group_rule(l, values, &mut groups),
            _ => false,
        };
        if understood {
            out.understood_lines += 1;
        } else {
            out.not_understood.push(NotUnderstood::new(
                *l,
                "AWS text-format record not understood",
            ));
        }
    }
    for g in groups {
        let mut rs = ruleset(input, Dialect::CloudAws, &g.label, g.head, g.rules);
        rs.notes.push(GROUP_NOTE.to_string());
        rs.notes.extend(g.notes);
        out.rulesets.push(rs);
    }
}

/// An address record (`IPRANGES`, `PREFIXLISTIDS`) under the current
/// permission: an accept rule for ingress, nothing for egress (read, of no
/// consequence inbound). False when it cannot be used.
fn add_source(perm: &Perm, group: Option<&mut Group>, source: Option<Match>, l: &Line<'_>) -> bool {
    match (perm, group, source) {
        (Perm::Ingress(base), Some(g), Some(m)) => {
            let mut matches = base.clone();
            matches.push(m);
            g.rules.push(rule(source_line(l), matches, Action::Accept));
            true
        }
        (Perm::Egress, Some(_), _) => true,
        _ => false,
    }
}

/// One `describe-security-group-rules` record: CidrIpv4, CidrIpv6,
/// Description, FromPort, GroupId, GroupOwnerId, IpProtocol, IsEgress,
/// PrefixListId, SecurityGroupRuleArn, SecurityGroupRuleId, ToPort (only the
/// keys some record of the list has). The `sg-` group id anchors the rest:
/// FromPort just before it, the protocol two after, ToPort last.
fn group_rule(l: &Line<'_>, values: &[&str], groups: &mut Vec<Group>) -> bool {
    let Some(at) = values.iter().position(|v| v.starts_with("sg-")) else {
        return false;
    };
    let gid = values.get(at).copied().unwrap_or("");
    let egress = values.iter().skip(at).any(|v| *v == "True");
    let from = at
        .checked_sub(1)
        .and_then(|i| values.get(i))
        .and_then(|v| number(v));
    let proto = values.get(at + 2).copied().unwrap_or("-1");
    let to = values.last().and_then(|v| number(v));
    let group = match groups.iter().position(|g| g.label == gid) {
        Some(i) => i,
        None => {
            groups.push(Group {
                label: gid.to_string(),
                head: source_line(l),
                rules: Vec::new(),
                notes: Vec::new(),
            });
            groups.len().saturating_sub(1)
        }
    };
    if egress {
        return true;
    }
    let Some(g) = groups.get_mut(group) else {
        return false;
    };
    let base = permission_matches(proto, from, to);
    let before = values.get(..at).unwrap_or(&[]);
    let cidr = before.iter().find_map(|v| AddrRange::parse(v));
    let prefix_list = values.iter().find(|v| v.starts_with("pl-"));
    match (cidr, prefix_list) {
        (Some(a), _) => {
            let mut m = base;
            m.push(addr_match(a));
            g.rules.push(rule(source_line(l), m, Action::Accept));
        }
        (None, Some(id)) => {
            let mut m = base;
            m.push(prefix_list_match(id));
            g.rules.push(rule(source_line(l), m, Action::Accept));
        }
        (None, None) => g.notes.push(group_source_note(l.no)),
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    fn read(text: &str) -> CloudFirewalls {
        let ls = lines(text);
        let mut claimed = vec![false; ls.len()];
        let mut out = CloudFirewalls::default();
        aws_text("t", &ls, &mut claimed, &mut out);
        out
    }

    #[test]
    fn records_out_of_place_or_malformed_are_reported() {
        // An address before any group, a permission with two values, a
        // group line without an id.
        let out = read("IPRANGES\t1.2.3.0/24\nSECURITYGROUPS\tno id here\nSECURITYGROUPS\tweb\tsg-1\tweb\t1\tvpc-1\nIPPERMISSIONS\ttcp\t80\nIPRANGES\t1.2.3.0/24\nIPPERMISSIONS\t443\ttcp\t443\nIPRANGES\tnot-a-cidr\n");
        let bad: Vec<usize> = out.not_understood.iter().map(|n| n.line).collect();
        // The address after the unreadable permission cannot be used either.
        assert_eq!(bad, [1, 2, 4, 5, 7]);
        let rules = out
            .rulesets
            .first()
            .and_then(|r| r.chains.first())
            .map(|c| c.rules.len());
        assert_eq!(rules, Some(0));
    }

    #[test]
    fn a_group_with_no_ingress_drops_everything() {
        let out = read("SECURITYGROUPS\tempty\tsg-1\tempty\t1\tvpc-1\nIPPERMISSIONSEGRESS\t-1\nIPRANGES\t0.0.0.0/0\n");
        assert!(out.not_understood.is_empty());
        let rules = out
            .rulesets
            .first()
            .and_then(|r| r.chains.first())
            .map(|c| c.rules.len());
        assert_eq!(rules, Some(0));
        assert_eq!(out.understood_lines, 3);
    }
}
