//! From the read structure to the [`Ruleset`]: chains and their entry order,
//! sets, notes, and each rule expanded into model rules.

use std::collections::HashMap;

use super::expr::{Conv, RuleOut};
use super::lex::Tok;
use super::structure::{SetKind, State, Table};
use crate::firewall::model::{
    ban_container, Action, Chain, ChainId, Dialect, Match, NamedSet, Origin, Policy, Rule, Ruleset,
    Undecided,
};
use crate::net::{AddrSet, Family};

pub(super) fn build(st: &mut State<'_, '_>, input: &str) -> Ruleset {
    let mut rs = Ruleset {
        dialect: Dialect::Nftables,
        input: input.to_string(),
        families: Vec::new(),
        chains: Vec::new(),
        entry: Vec::new(),
        interfaces: Vec::new(),
        sets: Vec::new(),
        notes: Vec::new(),
        assumptions: Vec::new(),
        understood_lines: 0,
        not_understood: Vec::new(),
    };
    // Chain names clash across tables (`input` in two tables): qualify those.
    let mut count: HashMap<&str, usize> = HashMap::new();
    for t in &st.tables {
        for c in &t.chains {
            *count.entry(c.name).or_default() += 1;
        }
    }
    let tables = std::mem::take(&mut st.tables);
    let mut entries: Vec<(u8, i64, ChainId)> = Vec::new();
    for (ti, table) in tables.iter().enumerate() {
        for f in table.family.families() {
            if !rs.families.contains(&f) {
                rs.families.push(f);
            }
        }
        let mut set_names: Vec<&&str> = table.sets.keys().collect();
        set_names.sort_by_key(|n| table.sets.get(**n).map_or(0, |s| s.line));
        for name in set_names {
            let Some(s) = table.sets.get(*name) else {
                continue;
            };
            if s.kind == Some(SetKind::Addr) && !s.is_map {
                rs.sets.push(NamedSet {
                    name: format!("{}/{}", table.key, name),
                    members: AddrSet::from_ranges(s.addrs.iter().copied()),
                    source: st.source(s.line),
                });
                if s.dynamic {
                    st.note(format!(
                        "set {}/{name} (line {}) is dynamic: its members (bans) change over time; this paste is one moment",
                        table.key,
                        st.line_no(s.line)
                    ));
                }
            }
        }
        let table_key = table.key.clone();
        let qualify = |name: &str| -> String {
            if count.get(name).copied().unwrap_or(0) > 1 {
                format!("{table_key}/{name}")
            } else {
                name.to_string()
            }
        };
        for (ci, raw) in table.chains.iter().enumerate() {
            let mut chain = Chain {
                name: qualify(raw.name),
                table: table.key.clone(),
                families: table.family.families(),
                policy: None,
                policy_line: None,
                rules: Vec::new(),
            };
            if let Some(h) = &raw.hook {
                if h.kind != "filter" {
                    // `rule_toks` holds exactly the rules of the table's chains.
                    let dnat = table
                        .rule_toks
                        .iter()
                        .any(|t| matches!(t.text, "dnat" | "redirect" | "tproxy"));
                    st.note(format!(
                        "chain {} {} (type {} hook {}, line {}) not evaluated{}",
                        table.key,
                        raw.name,
                        h.kind,
                        h.hook,
                        st.line_no(raw.line),
                        if dnat {
                            ": it rewrites destinations (DNAT/redirect), so the port a packet reaches may differ"
                        } else {
                            ""
                        }
                    ));
                    continue;
                }
                let (p, pl) = match raw.policy {
                    Some((p, l)) => (p, Some(st.source(l))),
                    // nft's default for a base chain.
                    None => (Policy::Accept, None),
                };
                chain.policy = Some(p);
                chain.policy_line = pl;
                let order = match h.hook {
                    "ingress" => Some(0u8),
                    "prerouting" => Some(1),
                    "input" => Some(2),
                    _ => None,
                };
                if let (Some(o), Some(prio)) = (order, h.priority) {
                    entries.push((o, prio, rs.chains.len()));
                } else if order.is_some() {
                    st.reject(raw.line, "base chain priority not understood");
                }
            }
            chain.rules.reserve(raw.rules.len());
            for range in &raw.rules {
                let stmt = table.rule_toks.get(range.clone()).unwrap_or_default();
                convert_rule(st, table, &qualify, stmt, &mut chain, &mut rs.interfaces);
            }
            if let Some((_, _, last)) = st.cut.filter(|&(t, c, _)| (t, c) == (ti, ci)) {
                chain.rules.push(Rule::cut(
                    st.source(last),
                    None,
                    format!(
                        "the paste stops inside chain {} after line {}: the rules after it are not shown (paste the rest)",
                        raw.name,
                        st.line_no(last)
                    ),
                ));
            }
            rs.chains.push(chain);
        }
    }
    entries.sort_by_key(|(o, p, _)| (*o, *p));
    rs.entry = entries.into_iter().map(|(_, _, id)| id).collect();
    rs.families.sort();
    for f in [Family::V4, Family::V6] {
        if rs.families.contains(&f)
            && !rs
                .entry
                .iter()
                .filter_map(|id| rs.chains.get(*id))
                .any(|c| c.families.contains(&f))
        {
            st.note(format!(
                "no {} filter chain on the input hook: nftables accepts {} traffic to this host",
                if f == Family::V4 { "IPv4" } else { "IPv6" },
                if f == Family::V4 { "IPv4" } else { "IPv6" },
            ));
        }
    }
    rs
}

pub(super) fn convert_rule<'a>(
    st: &mut State<'a, '_>,
    table: &Table<'a>,
    names: &dyn Fn(&str) -> String,
    stmt: &[Tok<'a>],
    chain: &mut Chain,
    interfaces: &mut Vec<String>,
) {
    // long: turns one nft rule into model rules: family and protocol dedup, impossibility checks,
    // interface-set expansion, in that order.
    let Some(first) = stmt.first() else { return };
    let mut conv = Conv {
        toks: stmt,
        pos: 0,
        table,
        names,
        out: RuleOut {
            conj: Vec::new(),
            alts: Vec::new(),
            vmap: None,
            action: None,
            never: false,
            known: 0,
            comment_verdict: None,
        },
        notes: Vec::new(),
    };
    conv.run();
    let notes = std::mem::take(&mut conv.notes);
    let had_notes = !notes.is_empty();
    let mut out = conv.out;
    // `ip saddr x ip daddr y` implies IPv4 twice; keep one.
    // A match is dropped when an equal family or protocol match precedes it.
    let keep: Vec<bool> = out
        .conj
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let earlier = out.conj.get(..i).unwrap_or_default();
            match m {
                Match::Family { family } => !earlier
                    .iter()
                    .any(|e| matches!(e, Match::Family { family: f } if f == family)),
                Match::Protocol { names, negated } => !earlier.iter().any(|e| {
                    matches!(e, Match::Protocol { names: n, negated: g } if n == names && g == negated)
                }),
                _ => true,
            }
        })
        .collect();
    let mut keep = keep.into_iter();
    out.conj.retain(|_| keep.next().unwrap_or(true));
    for n in notes {
        st.note(format!("line {}: {n}", st.line_no(first.line)));
    }
    if out.known == 0 {
        st.reject(first.line, "not an nftables rule");
        return;
    }
    let source = st.source(first.line);
    // Every rule of a ban tool's table or chain (`inet f2b-table`, `ip
    // crowdsec`) serves its list.
    let container = ban_container(&table.key)
        .or_else(|| ban_container(&chain.name))
        .map(Origin::Ban);
    if out.never {
        // The rule cannot match a new TCP connection to this host.
        if !had_notes {
            st.note(format!(
                "line {}: `{}` cannot match a new TCP connection to this host; it has no effect here",
                source.line, source.text
            ));
        }
        chain.rules.push(Rule {
            source,
            matches: Vec::new(),
            action: Action::Continue,
            origin: Origin::Filter,
        });
        return;
    }
    let action = out
        .action
        .or(out.comment_verdict)
        .unwrap_or(Action::Continue);
    // Expand alternatives (interface sets) into one rule each.
    let mut combos: Vec<Vec<Match>> = vec![out.conj];
    for group in out.alts {
        let mut next = Vec::with_capacity(combos.len() * group.len());
        for c in &combos {
            for a in &group {
                let mut m = c.clone();
                m.push(a.clone());
                next.push(m);
            }
        }
        combos = next;
        if combos.len() > 4096 {
            st.note(format!(
                "line {}: too many combinations to expand; kept as unknown",
                st.line_no(first.line)
            ));
            combos = vec![vec![Match::Unknown {
                text: source.text.clone(),
                why: Undecided::NotUnderstood,
            }]];
            break;
        }
    }
    for c in &combos {
        for m in c {
            if let Match::InInterface { pattern, .. } = m {
                if !interfaces.contains(pattern) {
                    interfaces.push(pattern.clone());
                }
            }
        }
    }
    match out.vmap {
        Some(entries) => {
            for c in &combos {
                for (m, a) in &entries {
                    for x in m {
                        if let Match::InInterface { pattern, .. } = x {
                            if !interfaces.contains(pattern) {
                                interfaces.push(pattern.clone());
                            }
                        }
                    }
                    let mut matches = c.clone();
                    matches.extend(m.iter().cloned());
                    chain.rules.push(Rule {
                        origin: container.unwrap_or_else(|| Origin::of_rule(&matches, a)),
                        source: source.clone(),
                        matches,
                        action: a.clone(),
                    });
                }
            }
        }
        None => {
            let n = combos.len();
            let mut source = Some(source);
            let mut action = Some(action);
            for (i, c) in combos.into_iter().enumerate() {
                // The last (usually only) rule takes the line and action.
                let last = i + 1 == n;
                let (Some(src), Some(act)) = (
                    if last { source.take() } else { source.clone() },
                    if last { action.take() } else { action.clone() },
                ) else {
                    break;
                };
                chain.rules.push(Rule {
                    origin: container.unwrap_or_else(|| Origin::of_rule(&c, &act)),
                    source: src,
                    matches: c,
                    action: act,
                });
            }
        }
    }
}
