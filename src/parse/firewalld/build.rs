//! From the zones read to the [`Ruleset`]: one chain per zone in firewalld's
//! order, and the entry chain that dispatches to them.

use super::rich::{Rich, RichAction};
use super::{St, Zone, DEFAULT_REJECT, ENTRY, TABLE, UNNAMED};
use crate::firewall::model::{Action, Chain, Dialect, Match, Rule, Ruleset, SourceLine};
use crate::net::Family;
use crate::text::{Line, NotUnderstood};

/// Chain name of a zone (as firewalld's iptables backend calls it).
pub fn zone_chain_name(zone: &str) -> String {
    format!("IN_{zone}")
}

pub(super) fn rich_to_rule(r: &Rich) -> Option<Rule> {
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
    })
}

pub(super) fn zone_chain(z: &Zone) -> (Chain, Option<String>) {
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

pub(super) fn build(
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
            });
        }
    }
    match &st.default {
        Some((def, line)) => {
            entry_rules.push(Rule {
                source: line.clone(),
                matches: Vec::new(),
                action: Action::Goto(zone_chain_name(def)),
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
