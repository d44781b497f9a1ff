//! An independent first-match walk over a ruleset for one address and port,
//! used by the layer tests to pin exact deciding lines; tests/it/layers_eval.rs
//! checks the same fixtures through `firewall::eval::evaluate`. It follows jumps and gotos by name, treats
//! the packet as a TCP SYN in state NEW arriving on `iface`, and returns
//! the action that decided and the line quoted for it.
#![allow(dead_code)]

use std::net::IpAddr;

use err521::firewall::model::{Action, Match, Policy, Ruleset};
use err521::net::Family;

#[derive(Debug, PartialEq, Eq)]
pub enum Decided {
    Rule(Action, usize),
    Policy(Option<Policy>),
}

fn holds(rs: &Ruleset, m: &Match, addr: IpAddr, port: u16, iface: &str) -> Option<bool> {
    Some(match m {
        Match::Family { family } => *family == Family::of(addr),
        Match::SourceAddr { set, negated } => set.contains(addr) != *negated,
        Match::Protocol { names, negated } => names.iter().any(|n| n == "tcp") != *negated,
        Match::DestPort { ports, negated } => ports.contains(port) != *negated,
        Match::InInterface { pattern, negated } => (pattern == iface) != *negated,
        Match::ConnState { states, negated } => states.iter().any(|s| s == "new") != *negated,
        Match::RateLimit {
            first_connection_matches,
            ..
        } => *first_connection_matches,
        Match::NamedSource { name, negated } => {
            rs.sets
                .iter()
                .find(|s| &s.name == name)?
                .members
                .contains(addr)
                != *negated
        }
        _ => return None,
    })
}

fn walk(
    rs: &Ruleset,
    chain: usize,
    addr: IpAddr,
    port: u16,
    iface: &str,
    depth: usize,
) -> Option<Decided> {
    let c = rs.chains.get(chain)?;
    if depth > 16 || !c.families.contains(&Family::of(addr)) {
        return None;
    }
    for r in &c.rules {
        // Known conditions first; an undecided one matters only if they hold.
        let got: Vec<Option<bool>> = r
            .matches
            .iter()
            .map(|m| holds(rs, m, addr, port, iface))
            .collect();
        if got.contains(&Some(false)) {
            continue;
        }
        if let Some(m) = r.matches.iter().zip(&got).find(|(_, g)| g.is_none()) {
            return Some(Decided::Rule(
                Action::Unknown(format!("{:?}", m.0)),
                r.source.line,
            ));
        }
        match &r.action {
            Action::Continue => {}
            Action::Return => return None,
            Action::Jump(n) | Action::Goto(n) => {
                let Some(t) = rs
                    .chains
                    .iter()
                    .position(|x| &x.name == n && x.table == c.table)
                else {
                    return Some(Decided::Rule(
                        Action::Unknown(format!("missing chain {n}")),
                        r.source.line,
                    ));
                };
                let got = walk(rs, t, addr, port, iface, depth + 1);
                if got.is_some() || matches!(r.action, Action::Goto(_)) {
                    return got;
                }
            }
            a => return Some(Decided::Rule(a.clone(), r.source.line)),
        }
    }
    if depth == 0 {
        Some(Decided::Policy(c.policy))
    } else {
        None
    }
}

/// What the first entry chain decides for `addr` to `port` on `iface`.
pub fn decide(rs: &Ruleset, addr: &str, port: u16, iface: &str) -> Option<Decided> {
    let addr: IpAddr = addr.parse().ok()?;
    let entry = *rs.entry.first()?;
    walk(rs, entry, addr, port, iface, 0)
}
