//! Random ufw command sequences and their reference meaning for a new TCP
//! connection: the first matching user rule decides (limit lets a first
//! connection through), else the default incoming policy.

use std::net::IpAddr;

use err521::net::AddrRange;

use super::gen::{Fam, Rng, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UAct {
    Allow,
    Deny,
    Reject,
    Limit,
}

#[derive(Debug, Clone)]
pub struct URule {
    pub act: UAct,
    pub from: Option<&'static str>,
    /// `None`: every port.
    pub ports: Option<Vec<(u16, u16)>>,
    pub udp: bool,
    pub iface: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UfwSet {
    /// `deny`, `reject` or `allow`.
    pub default: &'static str,
    pub rules: Vec<URule>,
}

const FROM: &[&str] = &[
    "173.245.48.0/20",
    "173.245.48.0/21",
    "162.158.0.0/15",
    "162.158.0.0/16",
    "104.16.0.0/13",
    "104.24.0.0/14",
    "172.64.0.0/13",
    "198.41.128.0/17",
    "131.0.72.0/22",
    "198.51.100.0/24",
    "2400:cb00::/32",
    "2606:4700::/32",
    "2606:4700::/33",
    "2a06:98c0::/29",
    "2001:db8:99::/48",
];
const PORTS: &[(u16, u16)] = &[
    (80, 80),
    (443, 443),
    (22, 22),
    (8080, 8080),
    (8443, 8443),
    (2053, 2053),
    (8000, 8100),
    (2050, 2100),
];

pub fn gen_ufw(rng: &mut Rng, origin_if: &str) -> UfwSet {
    let default = *rng.pick(&["deny", "deny", "reject", "allow"]);
    let n = 1 + rng.below(7);
    let mut rules = Vec::new();
    for _ in 0..n {
        let act = match rng.below(10) {
            0..=4 => UAct::Allow,
            5 | 6 => UAct::Deny,
            7 | 8 => UAct::Reject,
            _ => UAct::Limit,
        };
        let udp = act != UAct::Limit && rng.chance(10);
        let from = if act != UAct::Limit && rng.chance(60) {
            Some(*rng.pick(FROM))
        } else {
            None
        };
        let ports = if from.is_some() && !udp && rng.chance(25) {
            None
        } else {
            let k = if rng.chance(70) { 1 } else { 2 };
            let mut v: Vec<(u16, u16)> = (0..k).map(|_| *rng.pick(PORTS)).collect();
            v.sort();
            v.dedup();
            if v.len() == 2 && v.first().map(|a| a.1) >= v.get(1).map(|b| b.0) {
                v.truncate(1);
            }
            Some(v)
        };
        // Sometimes the rule names the probes' interface, sometimes a second
        // NIC no probe arrives on.
        let iface = (from.is_none() && act != UAct::Limit && rng.chance(20)).then(|| {
            if rng.chance(35) {
                super::gen::OTHER_IF.to_string()
            } else {
                origin_if.to_string()
            }
        });
        rules.push(URule {
            act,
            from,
            ports,
            udp,
            iface,
        });
    }
    UfwSet { default, rules }
}

fn ports_text(p: &[(u16, u16)]) -> String {
    p.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}:{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The ufw command lines (without the leading `ufw`) that build the set.
pub fn commands(u: &UfwSet) -> Vec<Vec<String>> {
    let mut out = vec![vec![
        "default".to_string(),
        u.default.to_string(),
        "incoming".to_string(),
    ]];
    for r in &u.rules {
        let mut c: Vec<String> = vec![match r.act {
            UAct::Allow => "allow",
            UAct::Deny => "deny",
            UAct::Reject => "reject",
            UAct::Limit => "limit",
        }
        .to_string()];
        let proto = if r.udp { "udp" } else { "tcp" };
        match (&r.from, &r.ports, &r.iface) {
            (None, Some(p), None) => c.push(format!("{}/{proto}", ports_text(p))),
            (None, Some(p), Some(i)) => {
                c.extend(["in", "on", i.as_str(), "to", "any", "port"].map(String::from));
                c.push(ports_text(p));
                c.extend(["proto".to_string(), proto.to_string()]);
            }
            (Some(f), Some(p), _) => {
                c.extend(["from".to_string(), f.to_string()]);
                c.extend(["to", "any", "port"].map(String::from));
                c.push(ports_text(p));
                c.extend(["proto".to_string(), proto.to_string()]);
            }
            (Some(f), None, _) => c.extend(["from".to_string(), f.to_string()]),
            (None, None, _) => c.push("80/tcp".to_string()),
        }
        out.push(c);
    }
    out
}

/// The rules as ufw keeps them: a command that repeats an earlier rule's
/// match with another action updates that rule in place ("Rule updated").
fn effective(u: &UfwSet) -> Vec<URule> {
    let cmds = commands(u);
    let mut keys: Vec<Vec<String>> = Vec::new();
    let mut out: Vec<URule> = Vec::new();
    for (i, r) in u.rules.iter().enumerate() {
        let key: Vec<String> = cmds
            .get(i + 1)
            .map(|c| c.iter().skip(1).cloned().collect())
            .unwrap_or_default();
        match keys.iter().position(|k| *k == key) {
            Some(j) => {
                if let Some(e) = out.get_mut(j) {
                    e.act = r.act;
                }
            }
            None => {
                keys.push(key);
                out.push(r.clone());
            }
        }
    }
    out
}

pub fn model_verdict(u: &UfwSet, src: IpAddr, port: u16, iif: &str) -> Verdict {
    let fam = Fam::of(src);
    for r in &effective(u) {
        if r.udp {
            continue;
        }
        if let Some(f) = r.from {
            let Some(range) = AddrRange::parse(f) else {
                continue;
            };
            let one = AddrRange::single(src);
            if range.family != one.family || one.first < range.first || one.first > range.last {
                continue;
            }
        }
        let _ = fam;
        if let Some(i) = &r.iface {
            if i != iif {
                continue;
            }
        }
        let ports = r.ports.clone().unwrap_or_else(|| vec![(80, 80)]);
        let all_ports = r.from.is_some() && r.ports.is_none();
        if !all_ports && !ports.iter().any(|&(a, b)| a <= port && port <= b) {
            continue;
        }
        return match r.act {
            UAct::Allow | UAct::Limit => Verdict::Accept,
            UAct::Deny => Verdict::Drop,
            UAct::Reject => Verdict::Reject,
        };
    }
    match u.default {
        "allow" => Verdict::Accept,
        "reject" => Verdict::Reject,
        _ => Verdict::Drop,
    }
}
