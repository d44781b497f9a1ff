//! Seeded random rulesets, rendered as iptables-restore / ip6tables-restore
//! input and as nft scripts, plus a reference model of their meaning for a
//! new TCP SYN. The model is deliberately naive and separate from the
//! engine: it checks the harness (a kernel/model mismatch is a generator or
//! harness bug), and stands in for the engine until the engine exists.

use std::net::IpAddr;

use err521::net::AddrRange;

/// The tests' one seeded generator, good enough to pick rules.
pub use crate::common::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fam {
    V4,
    V6,
}

impl Fam {
    pub fn of(a: IpAddr) -> Fam {
        if a.is_ipv4() {
            Fam::V4
        } else {
            Fam::V6
        }
    }
}

/// Source ranges rules use: most overlap Cloudflare's ranges partially
/// (a half, a superset, a retired range), some are unrelated.
pub const SRC_V4: &[&str] = &[
    "173.245.48.0/21",
    "173.245.0.0/16",
    "162.158.0.0/16",
    "162.158.0.0/15",
    "104.16.0.0/12",
    "104.16.0.0/13",
    "172.64.0.0/14",
    "198.41.128.0/18",
    "131.0.72.0/23",
    "0.0.0.0/0",
    "198.51.100.0/24",
    "203.0.113.9/32",
    "10.0.0.0/8",
];
pub const SRC_V6: &[&str] = &[
    "2400:cb00::/32",
    "2400:cb00::/48",
    "2606:4700::/33",
    "2606:4700:10::/48",
    "2a06:98c0::/30",
    "2a06:98c0::/29",
    "2000::/3",
    "::/0",
    "2001:db8:99::/48",
];
/// Addresses the probes come from (owned by the proxy namespace).
pub const PROBE_V4: &[&str] = &[
    "173.245.48.5",
    "173.245.60.9",
    "162.158.10.1",
    "162.159.200.3",
    "104.16.5.5",
    "104.28.1.1",
    "172.64.9.9",
    "172.70.1.1",
    "198.41.200.1",
    "131.0.73.1",
    "198.51.100.7",
    "203.0.113.9",
];
pub const PROBE_V6: &[&str] = &[
    "2400:cb00::5",
    "2400:cb00:1::5",
    "2606:4700::10",
    "2606:4700:10::6",
    "2a06:98c0:3::1",
    "2a06:98c4::1",
    "2001:db8:99::7",
];
pub const PROBE_PORTS: &[u16] = &[22, 80, 443, 2053, 2096, 8080, 8443];
const RULE_PORTS: &[(u16, u16)] = &[
    (80, 80),
    (443, 443),
    (8080, 8080),
    (8443, 8443),
    (2053, 2053),
    (22, 22),
    (3306, 3306),
    (53, 53),
    (8000, 8999),
    (2050, 2100),
    (1, 1024),
    (440, 450),
];

pub fn probe_sources() -> Vec<IpAddr> {
    PROBE_V4
        .iter()
        .chain(PROBE_V6.iter())
        .filter_map(|a| a.parse().ok())
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Any,
    Tcp,
    Udp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct {
    New,
    EstRel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectKind {
    TcpReset,
    PortUnreach,
    HostProhib,
    AdminProhib,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Accept,
    Drop,
    Reject(RejectKind),
    Log,
    /// Index of the target chain in the same table.
    Jump(usize),
    Goto(usize),
    Return,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SrcStyle {
    Plain,
    /// nft anonymous set `{ a, b }`.
    Anon,
    /// nft named set `@name`.
    Named(String),
}

#[derive(Debug, Clone)]
pub struct Src {
    pub fam: Fam,
    pub cidrs: Vec<&'static str>,
    pub neg: bool,
    pub style: SrcStyle,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub proto: Proto,
    pub src: Option<Src>,
    pub dports: Option<Vec<(u16, u16)>>,
    pub ct: Option<Ct>,
    /// Interface name and negation.
    pub iif: Option<(String, bool)>,
    /// A rate limit far above what the probes send: `Some(false)` matches
    /// while under it (`-m limit`, nft `limit rate`), `Some(true)` only over
    /// it (nft `limit rate over`), so a probe always sees the first case
    /// match and the second not.
    pub limit: Option<bool>,
    pub act: Act,
}

#[derive(Debug, Clone)]
pub struct Chain {
    pub name: String,
    /// Base chain: (policy is drop, priority).
    pub base: Option<(bool, i32)>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TFam {
    Inet,
    Ip,
    Ip6,
}

impl TFam {
    fn covers(self, f: Fam) -> bool {
        matches!(
            (self, f),
            (TFam::Inet, _) | (TFam::Ip, Fam::V4) | (TFam::Ip6, Fam::V6)
        )
    }
    fn fams(self) -> Vec<Fam> {
        match self {
            TFam::Inet => vec![Fam::V4, Fam::V6],
            TFam::Ip => vec![Fam::V4],
            TFam::Ip6 => vec![Fam::V6],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub fam: TFam,
    pub name: String,
    pub chains: Vec<Chain>,
}

/// A generated ruleset: iptables uses one table whose chain 0 is INPUT.
#[derive(Debug, Clone)]
pub struct Rs {
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Drop,
    Reject,
}

/// The probed packet: a TCP SYN, conntrack state NEW, on `iif`.
pub struct Pkt<'a> {
    pub src: IpAddr,
    pub port: u16,
    pub iif: &'a str,
}

/// An interface the rules may name that no probe arrives on (a second NIC):
/// a rule on it must not decide for the probes, and with the dump alone
/// the engine cannot know which interface the probes use.
pub const OTHER_IF: &str = "eth9";

// ---------- generation ----------

fn gen_src(rng: &mut Rng, fam: Fam, nft: bool, sets: &mut usize) -> Src {
    let pool = if fam == Fam::V4 { SRC_V4 } else { SRC_V6 };
    let mut neg = rng.chance(30);
    // iptables refuses `! -s a,b`; nft sets must not overlap.
    let n = if neg && !nft { 1 } else { 1 + rng.below(3) };
    let mut cidrs: Vec<&'static str> = Vec::new();
    for _ in 0..n {
        let c = *rng.pick(pool);
        let r = AddrRange::parse(c);
        let overlaps = cidrs.iter().any(|o| match (AddrRange::parse(o), r) {
            (Some(a), Some(b)) => a.first <= b.last && b.first <= a.last,
            _ => true,
        });
        if !overlaps {
            cidrs.push(c);
        }
    }
    // iptables-nft refuses `! -s 0.0.0.0/0` (it would match nothing).
    if neg && !nft && cidrs.iter().any(|c| c.ends_with("/0")) {
        neg = false;
    }
    let style = if !nft {
        SrcStyle::Plain
    } else if cidrs.len() > 1 || rng.chance(40) {
        if rng.chance(50) {
            SrcStyle::Anon
        } else {
            *sets += 1;
            SrcStyle::Named(format!("cf{}", sets))
        }
    } else {
        SrcStyle::Plain
    };
    Src {
        fam,
        cidrs,
        neg,
        style,
    }
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn gen_rule(
    rng: &mut Rng,
    tfam: TFam,
    nft: bool,
    chain: usize,
    nchains: usize,
    first_user: usize,
    origin_if: &str,
    sets: &mut usize,
) -> Rule {
    let proto = match rng.below(10) {
        0 => Proto::Udp,
        1 | 2 => Proto::Any,
        _ => Proto::Tcp,
    };
    let src = if rng.chance(55) {
        let fams = tfam.fams();
        let fam = *rng.pick(&fams);
        Some(gen_src(rng, fam, nft, sets))
    } else {
        None
    };
    let dports = if proto != Proto::Any && rng.chance(70) {
        let wide = if rng.chance(60) { 1 } else { 4 };
        let n = 1 + rng.below(wide);
        let mut v: Vec<(u16, u16)> = (0..n).map(|_| *rng.pick(RULE_PORTS)).collect();
        v.sort();
        // multiport and nft sets want disjoint items.
        let mut out: Vec<(u16, u16)> = Vec::new();
        for r in v {
            if out.iter().all(|o| r.1 < o.0 || o.1 < r.0) {
                out.push(r);
            }
        }
        Some(out)
    } else {
        None
    };
    let ct = match rng.below(10) {
        0 | 1 => Some(Ct::New),
        2 => Some(Ct::EstRel),
        _ => None,
    };
    let iif = match rng.below(14) {
        0 => Some(("lo".to_string(), false)),
        1 => Some(("lo".to_string(), true)),
        2 => Some((origin_if.to_string(), false)),
        3 => Some((origin_if.to_string(), true)),
        4 => Some((OTHER_IF.to_string(), false)),
        5 => Some((OTHER_IF.to_string(), true)),
        _ => None,
    };
    let limit = match rng.below(12) {
        0 => Some(false),
        1 if nft => Some(true),
        _ => None,
    };
    let can_jump = first_user.max(chain + 1) < nchains;
    let act = loop {
        let a = match rng.below(14) {
            0..=3 => Act::Accept,
            4 | 5 => Act::Drop,
            6 | 7 => Act::Reject(*rng.pick(&[
                RejectKind::TcpReset,
                RejectKind::PortUnreach,
                RejectKind::HostProhib,
                RejectKind::AdminProhib,
            ])),
            8 => Act::Log,
            9 | 10 if can_jump => {
                let lo = first_user.max(chain + 1);
                Act::Jump(lo + rng.below(nchains - lo))
            }
            11 if can_jump => {
                let lo = first_user.max(chain + 1);
                Act::Goto(lo + rng.below(nchains - lo))
            }
            12 => Act::Return,
            _ => continue,
        };
        // `reject with tcp reset` needs a rule that matches only TCP.
        if a == Act::Reject(RejectKind::TcpReset) && proto != Proto::Tcp {
            continue;
        }
        break a;
    };
    Rule {
        proto,
        src,
        dports,
        ct,
        iif,
        limit,
        act,
    }
}

fn gen_table(
    rng: &mut Rng,
    tfam: TFam,
    name: &str,
    nft: bool,
    nbase: usize,
    prios: &mut Vec<i32>,
    origin_if: &str,
) -> Table {
    let nuser = rng.below(4);
    let nchains = nbase + nuser;
    let mut sets = 0;
    let mut chains = Vec::new();
    for ci in 0..nchains {
        let base = if ci < nbase {
            // Distinct priorities: equal ones have no defined order.
            let prio = loop {
                let p = *rng.pick(&[-150, -10, 0, 5, 10, 100]);
                if !prios.contains(&p) {
                    break p;
                }
            };
            prios.push(prio);
            Some((rng.chance(50), prio))
        } else {
            None
        };
        let n = if base.is_some() {
            1 + rng.below(6)
        } else {
            1 + rng.below(4)
        };
        let rules = (0..n)
            .map(|_| gen_rule(rng, tfam, nft, ci, nchains, nbase, origin_if, &mut sets))
            .collect();
        let cname = if !nft && ci == 0 {
            "INPUT".to_string()
        } else if ci < nbase {
            format!("input{ci}")
        } else {
            format!("c{ci}")
        };
        chains.push(Chain {
            name: cname,
            base,
            rules,
        });
    }
    Table {
        fam: tfam,
        name: name.to_string(),
        chains,
    }
}

/// An iptables ruleset for one family.
pub fn gen_iptables(rng: &mut Rng, fam: Fam, origin_if: &str) -> Rs {
    let tfam = if fam == Fam::V4 { TFam::Ip } else { TFam::Ip6 };
    let mut prios = Vec::new();
    Rs {
        tables: vec![gen_table(
            rng, tfam, "filter", false, 1, &mut prios, origin_if,
        )],
    }
}

/// An nft ruleset: one to three tables, one or two base chains each.
pub fn gen_nft(rng: &mut Rng, origin_if: &str) -> Rs {
    let mut prios = Vec::new();
    let mut tables = Vec::new();
    let n = 1 + rng.below(3);
    for i in 0..n {
        let tfam = *rng.pick(&[TFam::Inet, TFam::Inet, TFam::Ip, TFam::Ip6]);
        let nbase = 1 + usize::from(rng.chance(30));
        tables.push(gen_table(
            rng,
            tfam,
            &format!("t{i}"),
            true,
            nbase,
            &mut prios,
            origin_if,
        ));
    }
    Rs { tables }
}

// ---------- rendering ----------

fn ipt_ports(p: &[(u16, u16)], sep: char) -> String {
    p.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}{sep}{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn ipt_rule(r: &Rule, fam: Fam, chains: &[Chain]) -> String {
    let mut s = String::new();
    if let Some((i, neg)) = &r.iif {
        s.push_str(&format!("{}-i {i} ", if *neg { "! " } else { "" }));
    }
    if let Some(src) = &r.src {
        s.push_str(&format!(
            "{}-s {} ",
            if src.neg { "! " } else { "" },
            src.cidrs.join(",")
        ));
    }
    match r.proto {
        Proto::Tcp => s.push_str("-p tcp "),
        Proto::Udp => s.push_str("-p udp "),
        Proto::Any => {}
    }
    if let Some(p) = &r.dports {
        if p.len() == 1 {
            s.push_str(&format!("--dport {} ", ipt_ports(p, ':')));
        } else {
            s.push_str(&format!("-m multiport --dports {} ", ipt_ports(p, ':')));
        }
    }
    match r.ct {
        Some(Ct::New) => s.push_str("-m conntrack --ctstate NEW "),
        Some(Ct::EstRel) => s.push_str("-m conntrack --ctstate RELATED,ESTABLISHED "),
        None => {}
    }
    if r.limit.is_some() {
        s.push_str("-m limit --limit 1000/sec --limit-burst 1000 ");
    }
    let v6 = fam == Fam::V6;
    let name = |i: usize| chains.get(i).map(|c| c.name.as_str()).unwrap_or("?");
    match r.act {
        Act::Accept => s.push_str("-j ACCEPT"),
        Act::Drop => s.push_str("-j DROP"),
        Act::Reject(k) => s.push_str(&format!(
            "-j REJECT --reject-with {}",
            match (k, v6) {
                (RejectKind::TcpReset, _) => "tcp-reset",
                (RejectKind::PortUnreach, false) => "icmp-port-unreachable",
                (RejectKind::PortUnreach, true) => "icmp6-port-unreachable",
                (RejectKind::HostProhib, false) => "icmp-host-prohibited",
                (RejectKind::AdminProhib, false) => "icmp-admin-prohibited",
                (_, true) => "icmp6-adm-prohibited",
            }
        )),
        Act::Log => s.push_str("-j LOG --log-prefix \"e521: \""),
        Act::Jump(t) => s.push_str(&format!("-j {}", name(t))),
        Act::Goto(t) => s.push_str(&format!("-g {}", name(t))),
        Act::Return => s.push_str("-j RETURN"),
    }
    s
}

/// iptables-restore input for a ruleset made by [`gen_iptables`].
pub fn render_iptables(rs: &Rs) -> String {
    let mut out = String::from("*filter\n");
    let Some(t) = rs.tables.first() else {
        return String::new();
    };
    let fam = if t.fam == TFam::Ip6 { Fam::V6 } else { Fam::V4 };
    for c in &t.chains {
        match c.base {
            Some((drop, _)) => out.push_str(&format!(
                ":{} {} [0:0]\n",
                c.name,
                if drop { "DROP" } else { "ACCEPT" }
            )),
            None => out.push_str(&format!(":{} - [0:0]\n", c.name)),
        }
    }
    out.push_str(":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for c in &t.chains {
        for r in &c.rules {
            out.push_str(&format!("-A {} {}\n", c.name, ipt_rule(r, fam, &t.chains)));
        }
    }
    out.push_str("COMMIT\n");
    out
}

fn nft_ports(p: &[(u16, u16)]) -> String {
    let items: Vec<String> = p
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    if items.len() == 1 {
        items.join("")
    } else {
        format!("{{ {} }}", items.join(", "))
    }
}

fn nft_rule(r: &Rule, t: &Table) -> String {
    let mut s = String::new();
    if let Some((i, neg)) = &r.iif {
        s.push_str(&format!(
            "iifname {}\"{i}\" ",
            if *neg { "!= " } else { "" }
        ));
    }
    if let Some(src) = &r.src {
        let kw = if src.fam == Fam::V4 { "ip" } else { "ip6" };
        let neg = if src.neg { "!= " } else { "" };
        let val = match &src.style {
            SrcStyle::Plain => src.cidrs.join(""),
            SrcStyle::Anon => format!("{{ {} }}", src.cidrs.join(", ")),
            SrcStyle::Named(n) => format!("@{n}"),
        };
        s.push_str(&format!("{kw} saddr {neg}{val} "));
    }
    let pname = match r.proto {
        Proto::Tcp => "tcp",
        Proto::Udp => "udp",
        Proto::Any => "",
    };
    match &r.dports {
        Some(p) if !pname.is_empty() => s.push_str(&format!("{pname} dport {} ", nft_ports(p))),
        _ if !pname.is_empty() => s.push_str(&format!("meta l4proto {pname} ")),
        _ => {}
    }
    match r.ct {
        Some(Ct::New) => s.push_str("ct state new "),
        Some(Ct::EstRel) => s.push_str("ct state established,related "),
        None => {}
    }
    match r.limit {
        Some(false) => s.push_str("limit rate 1000/second burst 1000 packets "),
        Some(true) => s.push_str("limit rate over 1000/second burst 1000 packets "),
        None => {}
    }
    let name = |i: usize| t.chains.get(i).map(|c| c.name.as_str()).unwrap_or("?");
    let icmp = match t.fam {
        TFam::Inet => "icmpx",
        TFam::Ip => "icmp",
        TFam::Ip6 => "icmpv6",
    };
    match r.act {
        Act::Accept => s.push_str("accept"),
        Act::Drop => s.push_str("drop"),
        Act::Reject(RejectKind::TcpReset) => s.push_str("reject with tcp reset"),
        Act::Reject(RejectKind::PortUnreach) => s.push_str("reject"),
        Act::Reject(RejectKind::HostProhib) if t.fam == TFam::Ip => {
            s.push_str("reject with icmp type host-prohibited")
        }
        Act::Reject(_) => s.push_str(&format!("reject with {icmp} type admin-prohibited")),
        Act::Log => s.push_str("log prefix \"e521 \""),
        Act::Jump(c) => s.push_str(&format!("jump {}", name(c))),
        Act::Goto(c) => s.push_str(&format!("goto {}", name(c))),
        Act::Return => s.push_str("return"),
    }
    s
}

/// An nft script for a ruleset made by [`gen_nft`].
pub fn render_nft(rs: &Rs) -> String {
    let mut out = String::new();
    for t in &rs.tables {
        let fam = match t.fam {
            TFam::Inet => "inet",
            TFam::Ip => "ip",
            TFam::Ip6 => "ip6",
        };
        out.push_str(&format!("table {fam} {} {{\n", t.name));
        for c in &t.chains {
            for r in &c.rules {
                if let Some(Src {
                    style: SrcStyle::Named(n),
                    fam,
                    cidrs,
                    ..
                }) = &r.src
                {
                    let ty = if *fam == Fam::V4 {
                        "ipv4_addr"
                    } else {
                        "ipv6_addr"
                    };
                    out.push_str(&format!(
                        "    set {n} {{\n        type {ty}\n        flags interval\n        elements = {{ {} }}\n    }}\n",
                        cidrs.join(", ")
                    ));
                }
            }
        }
        for c in &t.chains {
            out.push_str(&format!("    chain {} {{\n", c.name));
            if let Some((drop, prio)) = c.base {
                out.push_str(&format!(
                    "        type filter hook input priority {prio}; policy {};\n",
                    if drop { "drop" } else { "accept" }
                ));
            }
            for r in &c.rules {
                out.push_str(&format!("        {}\n", nft_rule(r, t)));
            }
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    }
    out
}

// ---------- the reference model ----------

fn src_matches(s: &Src, pkt: &Pkt) -> bool {
    if s.fam != Fam::of(pkt.src) {
        // `ip saddr` never matches an IPv6 packet, negated or not.
        return false;
    }
    let inside = s.cidrs.iter().filter_map(|c| AddrRange::parse(c)).any(|r| {
        let one = AddrRange::single(pkt.src);
        r.family == one.family && r.first <= one.first && one.first <= r.last
    });
    inside != s.neg
}

fn rule_matches(r: &Rule, pkt: &Pkt) -> bool {
    if r.proto == Proto::Udp {
        return false;
    }
    if let Some(p) = &r.dports {
        if !p.iter().any(|&(a, b)| a <= pkt.port && pkt.port <= b) {
            return false;
        }
    }
    if r.ct == Some(Ct::EstRel) {
        return false;
    }
    if let Some((i, neg)) = &r.iif {
        if (i == pkt.iif) == *neg {
            return false;
        }
    }
    // The probes stay far under every limit.
    if r.limit == Some(true) {
        return false;
    }
    if let Some(s) = &r.src {
        if !src_matches(s, pkt) {
            return false;
        }
    }
    true
}

/// `None`: the chain ended or returned without a verdict.
fn run_chain(t: &Table, ci: usize, pkt: &Pkt, depth: usize) -> Option<Verdict> {
    let c = t.chains.get(ci)?;
    if depth > 32 {
        return None;
    }
    for r in &c.rules {
        if !rule_matches(r, pkt) {
            continue;
        }
        match r.act {
            Act::Accept => return Some(Verdict::Accept),
            Act::Drop => return Some(Verdict::Drop),
            Act::Reject(_) => return Some(Verdict::Reject),
            Act::Log => {}
            Act::Return => return None,
            Act::Jump(j) => {
                if let Some(v) = run_chain(t, j, pkt, depth + 1) {
                    return Some(v);
                }
            }
            // The goto target's end returns to our caller.
            Act::Goto(j) => return run_chain(t, j, pkt, depth + 1),
        }
    }
    None
}

/// What the ruleset does with a new TCP connection.
pub fn model_verdict(rs: &Rs, pkt: &Pkt) -> Verdict {
    let fam = Fam::of(pkt.src);
    let mut bases: Vec<(i32, &Table, usize, bool)> = Vec::new();
    for t in &rs.tables {
        if !t.fam.covers(fam) {
            continue;
        }
        for (ci, c) in t.chains.iter().enumerate() {
            if let Some((drop, prio)) = c.base {
                bases.push((prio, t, ci, drop));
            }
        }
    }
    bases.sort_by_key(|b| b.0);
    for (_, t, ci, drop) in bases {
        let v =
            run_chain(t, ci, pkt, 0).unwrap_or(if drop { Verdict::Drop } else { Verdict::Accept });
        if v != Verdict::Accept {
            return v;
        }
    }
    Verdict::Accept
}

/// Families a ruleset speaks about.
pub fn families(rs: &Rs) -> Vec<Fam> {
    let mut f = Vec::new();
    for t in &rs.tables {
        for x in t.fam.fams() {
            if !f.contains(&x) {
                f.push(x);
            }
        }
    }
    f
}

/// Every (chain, rule) position, for the shrinker.
pub fn rule_positions(rs: &Rs) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for (ti, t) in rs.tables.iter().enumerate() {
        for (ci, c) in t.chains.iter().enumerate() {
            for ri in 0..c.rules.len() {
                out.push((ti, ci, ri));
            }
        }
    }
    out
}

pub fn without_rule(rs: &Rs, pos: (usize, usize, usize)) -> Rs {
    let mut r = rs.clone();
    if let Some(c) = r
        .tables
        .get_mut(pos.0)
        .and_then(|t| t.chains.get_mut(pos.1))
    {
        if pos.2 < c.rules.len() {
            c.rules.remove(pos.2);
        }
    }
    r
}
