//! Reads iptables and ip6tables dumps into a [`Ruleset`]: `iptables-save`
//! (every table), `iptables -S [CHAIN]`, script lines (`iptables -A ...`),
//! and `iptables -L` with or without `-n`, `-v`, `-x`, `--line-numbers`.
//! Prompt and command lines (`$ sudo iptables -S`) are recognised and skipped.
//!
//! **Guarantees:** every rule keeps its line; a match the parser cannot
//! decide (a hostname, an unknown module option) becomes
//! [`Match::Unknown`], never a guess; every line of the format that cannot be
//! read lands in `not_understood`. The filter `INPUT` chain is the entry,
//! preceded by raw/mangle/nat `PREROUTING` and mangle `INPUT` and followed by
//! security `INPUT` when those chains hold rules.

mod ext;
mod lex;
mod list;
mod save;

use std::collections::HashMap;

use crate::firewall::model::{
    ban_container, Action, Chain, ChainId, Dialect, Match, NamedSet, Origin, Policy, Rule, Ruleset,
    SourceLine, Undecided,
};
use crate::net::{AddrSet, Family};
use crate::text::{Line, NotUnderstood};
use ext::never;
use lex::{command_line, is_iptables_prog, parse_addrs, parse_iprange, parse_policy, proto_name};
use list::{Cols, ListCtx};

/// Parse a dump, detecting its shape and family.
pub fn parse(input: &str, lines: &[Line<'_>]) -> Ruleset {
    parse_family(input, lines, None)
}

/// Parse a dump; `family` forces IPv4 or IPv6 when the caller knows it.
pub fn parse_family(input: &str, lines: &[Line<'_>], family: Option<Family>) -> Ruleset {
    let mut b = Builder::new(family);
    for line in lines {
        b.line(*line);
    }
    b.finish(input)
}

/// Attach ipset members to a ruleset so `--match-set` decides exactly.
pub fn attach_sets(ruleset: &mut Ruleset, sets: impl IntoIterator<Item = NamedSet>) {
    ruleset.sets.extend(sets);
}

struct Builder {
    forced: Option<Family>,
    chains: Vec<Chain>,
    /// Table -> chain name -> id; nested so lookups borrow their keys.
    index: HashMap<String, HashMap<String, ChainId>>,
    /// Last chain looked up: consecutive rules nearly always share a chain.
    last: Option<ChainId>,
    table: String,
    saw_save: bool,
    saw_rules: bool,
    saw_list: bool,
    v6_hint: bool,
    v4_addr: bool,
    v6_addr: bool,
    interfaces: Vec<String>,
    notes: Vec<String>,
    understood: usize,
    not_understood: Vec<NotUnderstood>,
    list: Option<ListCtx>,
}

const BUILTIN: [&str; 5] = ["INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"];

impl Builder {
    fn new(forced: Option<Family>) -> Self {
        Builder {
            forced,
            chains: Vec::new(),
            index: HashMap::new(),
            last: None,
            table: "filter".to_string(),
            saw_save: false,
            saw_rules: false,
            saw_list: false,
            v6_hint: false,
            v4_addr: false,
            v6_addr: false,
            interfaces: Vec::new(),
            notes: Vec::new(),
            understood: 0,
            not_understood: Vec::new(),
            list: None,
        }
    }

    /// The id of chain `name` of `table` (the current table when `None`),
    /// created on first use. Allocates only when the chain is new.
    fn chain(&mut self, table: Option<&str>, name: &str) -> ChainId {
        let table: &str = table.unwrap_or(self.table.as_str());
        if let Some(id) = self.last {
            if self
                .chains
                .get(id)
                .is_some_and(|c| c.name == name && c.table == table)
            {
                return id;
            }
        }
        let found = self.index.get(table).and_then(|t| t.get(name)).copied();
        let id = match found {
            Some(id) => id,
            None => {
                let id = self.chains.len();
                let builtin = BUILTIN.contains(&name);
                self.chains.push(Chain {
                    name: name.to_string(),
                    table: table.to_string(),
                    families: Vec::new(),
                    // iptables built-in chains default to ACCEPT.
                    policy: if builtin { Some(Policy::Accept) } else { None },
                    policy_line: None,
                    rules: Vec::new(),
                });
                self.index
                    .entry(table.to_string())
                    .or_default()
                    .insert(name.to_string(), id);
                id
            }
        };
        self.last = Some(id);
        id
    }

    fn nu(&mut self, line: Line<'_>, reason: impl Into<String>) {
        self.not_understood.push(NotUnderstood::new(line, reason));
    }

    fn line(&mut self, line: Line<'_>) {
        let t = line.text.trim();
        if t.is_empty() {
            return;
        }
        if let Some(cmd) = command_line(t) {
            self.command(line, cmd);
            return;
        }
        if let Some(c) = t.strip_prefix('#') {
            if c.contains("ip6tables") {
                self.v6_hint = true;
            }
            if c.contains("iptables-legacy tables present") {
                self.notes.push(format!(
                    "line {}: legacy iptables tables also exist and are not in this dump (run iptables-legacy-save)",
                    line.no
                ));
            }
            self.understood += 1;
            return;
        }
        if let Some(table) = t.strip_prefix('*') {
            self.table = table.trim().to_string();
            self.saw_save = true;
            self.list = None;
            self.understood += 1;
            return;
        }
        if t == "COMMIT" {
            self.understood += 1;
            return;
        }
        if let Some(decl) = t.strip_prefix(':') {
            self.chain_decl(line, decl);
            return;
        }
        if t.starts_with('-') || (t.starts_with('[') && t.contains("] -A ")) {
            self.statement(line, t);
            return;
        }
        if let Some(rest) = t.strip_prefix("Chain ") {
            self.list_header(line, rest);
            return;
        }
        if self.list.is_some() {
            let words: Vec<&str> = t.split_whitespace().collect();
            if words.contains(&"target") && words.contains(&"source") {
                let cols = Cols {
                    num: words.first() == Some(&"num"),
                    counters: words.contains(&"pkts"),
                    ifaces: words.contains(&"in"),
                };
                if let Some(l) = self.list.as_mut() {
                    l.cols = Some(cols);
                }
                self.understood += 1;
                return;
            }
            self.list_row(line, t);
            return;
        }
        self.nu(line, "not an iptables line");
    }

    /// A shell command line: note its table and family, or read it as a rule
    /// when it is a script line like `iptables -A INPUT ...`.
    fn command(&mut self, line: Line<'_>, cmd: &str) {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        let prog_idx = words
            .iter()
            .position(|w| is_iptables_prog(w) || w.ends_with("ipset") || *w == "nft");
        let prog = prog_idx.and_then(|i| words.get(i)).copied().unwrap_or("");
        if prog.contains("ip6tables") {
            self.v6_hint = true;
        }
        let args = prog_idx
            .and_then(|i| words.get(i + 1..))
            .unwrap_or_default();
        let is_rule = !prog.ends_with("-save")
            && is_iptables_prog(prog)
            && args
                .iter()
                .any(|a| matches!(*a, "-A" | "-I" | "-P" | "-N" | "--append" | "--insert"));
        if is_rule {
            // Re-slice the original text from the program onward.
            if let Some(pos) = cmd.find(prog) {
                if let Some(rest) = cmd.get(pos + prog.len()..) {
                    self.statement(line, rest.trim());
                    return;
                }
            }
        }
        let mut it = args.iter();
        self.table = "filter".to_string();
        while let Some(a) = it.next() {
            if *a == "-t" || *a == "--table" {
                if let Some(t) = it.next() {
                    self.table = t.to_string();
                }
            } else if let Some(t) = a.strip_prefix("--table=") {
                self.table = t.to_string();
            }
        }
        self.list = None;
        self.understood += 1;
    }

    fn chain_decl(&mut self, line: Line<'_>, decl: &str) {
        self.saw_save = true;
        let mut w = decl.split_whitespace();
        let (Some(name), Some(pol)) = (w.next(), w.next()) else {
            self.nu(line, "chain declaration without a policy field");
            return;
        };
        let id = self.chain(None, name);
        let policy = match pol {
            "-" => None,
            p => match parse_policy(p) {
                Some(p) => Some(p),
                None => {
                    self.nu(line, format!("unknown chain policy `{pol}`"));
                    return;
                }
            },
        };
        if let Some(c) = self.chains.get_mut(id) {
            c.policy = policy;
            if policy.is_some() {
                c.policy_line = Some(SourceLine::from(line));
            }
        }
        self.understood += 1;
    }
    fn note_addr(&mut self, set: &AddrSet) {
        for r in set.ranges() {
            match r.family {
                Family::V4 => self.v4_addr = true,
                Family::V6 => self.v6_addr = true,
            }
        }
    }

    /// A source or destination address set, noting its family.
    fn addr_set(&mut self, set: AddrSet, negated: bool, dest: bool) -> Match {
        self.note_addr(&set);
        if dest {
            Match::DestAddr { set, negated }
        } else {
            Match::SourceAddr { set, negated }
        }
    }

    /// `iprange` (`--src-range a-b`, `source IP range a-b`); `None` when the
    /// range does not read.
    fn range_match(&mut self, v: &str, negated: bool, dest: bool) -> Option<Match> {
        let set = parse_iprange(v)?;
        Some(self.addr_set(set, negated, dest))
    }

    /// A protocol match (`-p`, the `-L` prot column); `all` matches every
    /// packet, so it is no match, or never when negated.
    fn protocol(&mut self, p: &str, negated: bool) -> Option<Match> {
        let p = proto_name(p);
        if p == "ipv6-icmp" {
            self.v6_hint = true;
        }
        if p == "all" {
            return negated.then(never);
        }
        Some(Match::Protocol {
            names: vec![p.to_string()],
            negated,
        })
    }

    fn addr_match(&mut self, v: &str, neg: bool, dest: bool) -> Match {
        match parse_addrs(v) {
            Some(set) => self.addr_set(set, neg, dest),
            None => Match::Unknown {
                text: format!(
                    "{}{} {v} (not an address; a name is resolved by the host)",
                    if neg { "! " } else { "" },
                    if dest { "-d" } else { "-s" }
                ),
                why: Undecided::HostName,
            },
        }
    }

    fn iface(&mut self, name: &str) {
        if name != "+" && name != "*" && !self.interfaces.iter().any(|i| i == name) {
            self.interfaces.push(name.to_string());
        }
    }
    fn finish(mut self, input: &str) -> Ruleset {
        let dialect = if self.saw_save {
            Dialect::IptablesSave
        } else if self.saw_rules {
            Dialect::IptablesRules
        } else if self.saw_list {
            Dialect::IptablesList
        } else {
            Dialect::IptablesRules
        };
        let family = self.forced.unwrap_or({
            if self.v6_hint || (self.v6_addr && !self.v4_addr) {
                Family::V6
            } else {
                Family::V4
            }
        });
        let default_reject = match family {
            Family::V4 => "icmp-port-unreachable",
            Family::V6 => "icmp6-port-unreachable",
        };
        for c in &mut self.chains {
            c.families = vec![family];
            for r in &mut c.rules {
                if let Action::Reject(w) = &mut r.action {
                    if w.is_empty() {
                        *w = default_reject.to_string();
                    }
                }
            }
        }
        let mut notes = std::mem::take(&mut self.notes);
        self.stub_missing_chains(&mut notes, default_reject);
        let find = |t: &str, n: &str| self.index.get(t).and_then(|c| c.get(n)).copied();
        let mut entry = Vec::new();
        let mut assumptions = Vec::new();
        // `iptables -S` and `iptables-save` always print INPUT's policy
        // first: without it the paste was filtered (`| grep`) or cut, and
        // the policy is not the built-in ACCEPT it would otherwise read as.
        if let Some(c) = find("filter", "INPUT").and_then(|id| self.chains.get_mut(id)) {
            if matches!(dialect, Dialect::IptablesRules | Dialect::IptablesSave)
                && c.policy_line.is_none()
                && c.policy.is_some()
            {
                c.policy = None;
                let v6 = family == Family::V6;
                let (line, cmd) = match (dialect == Dialect::IptablesSave, v6) {
                    (true, false) => ("`:INPUT` line", "sudo iptables-save"),
                    (true, true) => ("`:INPUT` line", "sudo ip6tables-save"),
                    (false, false) => ("`-P INPUT` line", "sudo iptables -S"),
                    (false, true) => ("`-P INPUT` line", "sudo ip6tables -S"),
                };
                notes.push(format!(
                    "the paste has no {line}, which `{}` always prints before the rules: it looks filtered (grep) or cut, so INPUT's default policy is not known; paste the rest (the whole `{cmd}`)",
                    cmd.trim_start_matches("sudo ")
                ));
            }
        }
        match find("filter", "INPUT") {
            Some(input_id) => {
                let order = [
                    ("raw", "PREROUTING"),
                    ("mangle", "PREROUTING"),
                    ("nat", "PREROUTING"),
                    ("mangle", "INPUT"),
                    ("filter", "INPUT"),
                    ("security", "INPUT"),
                ];
                for (t, n) in order {
                    let Some(id) = find(t, n) else { continue };
                    if id != input_id {
                        let Some(c) = self.chains.get(id) else {
                            continue;
                        };
                        if c.rules.is_empty() && c.policy != Some(Policy::Drop) {
                            continue;
                        }
                        notes.push(format!(
                            "the {t} table's {n} chain has rules; new connections pass it {} filter INPUT, so it is evaluated too",
                            if t == "security" { "after" } else { "before" }
                        ));
                    }
                    entry.push(id);
                }
            }
            None => match shorewall_input(&self.chains) {
                // Shorewall's zone chain for new connections from the net
                // to this host: INPUT sends them there (by interface).
                Some(id) => {
                    let name = self.chains.get(id).map_or("", |c| c.name.as_str());
                    let a = format!(
                        "only chain {name} is pasted: read as the chain INPUT sends new connections from the internet to (Shorewall's net-to-firewall chain); paste `iptables -S` to confirm"
                    );
                    notes.push(a.clone());
                    assumptions.push(a);
                    entry.push(id);
                }
                None => notes.push(
                    "the paste shows no INPUT chain of the filter table; paste `iptables-save` or `iptables -S`"
                        .to_string(),
                ),
            },
        }
        Ruleset {
            dialect,
            input: input.to_string(),
            families: vec![family],
            chains: self.chains,
            entry,
            interfaces: self.interfaces,
            sets: Vec::new(),
            notes,
            assumptions,
            understood_lines: self.understood,
            not_understood: self.not_understood,
        }
    }
}

impl Builder {
    /// Chains the rules jump to that the paste does not show, where the
    /// tool's conventions say what they can do: a fail2ban or CrowdSec
    /// chain refuses the addresses on its list and returns the rest (never
    /// accepts); Shorewall's `Drop` and `Reject` actions drop or reject
    /// some packets (broadcasts, invalid ones) and return the rest. Read as
    /// such, the evaluator follows both ways exactly instead of stopping.
    fn stub_missing_chains(&mut self, notes: &mut Vec<String>, reject_with: &str) {
        let shorewall = shorewall_input(&self.chains).is_some();
        // (table, chain, the first line that jumps there: the stub quotes
        // it, as the line that hands packets to the list).
        let mut missing: Vec<(String, String, SourceLine)> = Vec::new();
        for c in &self.chains {
            for r in &c.rules {
                if let Action::Jump(t) | Action::Goto(t) = &r.action {
                    let known = self.index.get(&c.table).is_some_and(|m| m.contains_key(t));
                    if !known && !missing.iter().any(|(tb, n, _)| *tb == c.table && n == t) {
                        missing.push((c.table.clone(), t.clone(), r.source.clone()));
                    }
                }
            }
        }
        let mut ban_chains: Vec<String> = Vec::new();
        for (table, name, source) in missing {
            let rule = if let Some(tool) = ban_container(&name) {
                ban_chains.push(name.clone());
                Rule {
                    source,
                    matches: vec![Match::NamedSource {
                        name: name.clone(),
                        negated: false,
                    }],
                    action: Action::Reject(reject_with.to_string()),
                    origin: Origin::Ban(tool),
                }
            } else if shorewall && matches!(name.as_str(), "Drop" | "Reject") {
                notes.push(format!(
                    "chain {name} is not in the paste: read as Shorewall's {name} action (it {}s some packets, such as broadcasts, and returns the rest; it never accepts)",
                    name.to_ascii_lowercase()
                ));
                Rule {
                    source,
                    matches: vec![Match::Unknown {
                        text: format!("the packets Shorewall's {name} action catches"),
                        why: Undecided::Other,
                    }],
                    action: if name == "Drop" {
                        Action::Drop
                    } else {
                        Action::Reject(reject_with.to_string())
                    },
                    origin: Origin::Filter,
                }
            } else {
                continue;
            };
            let id = self.chain(Some(&table), &name);
            if let Some(c) = self.chains.get_mut(id) {
                c.rules.push(rule);
            }
        }
        if !ban_chains.is_empty() {
            notes.push(format!(
                "{} {} not in the paste: read as the ban lists they are (each refuses the addresses on it and returns the rest)",
                if ban_chains.len() == 1 { "chain" } else { "chains" },
                match ban_chains.len() {
                    1 => format!("{} is", ban_chains.join(", ")),
                    _ => format!("{} are", ban_chains.join(", ")),
                }
            ));
        }
    }
}

/// Shorewall's chain for new connections from the internet zone to the
/// firewall host itself (`net2fw`, `net-fw`), when INPUT is not pasted.
fn shorewall_input(chains: &[Chain]) -> Option<ChainId> {
    chains.iter().position(|c| {
        c.table == "filter" && matches!(c.name.as_str(), "net2fw" | "net-fw" | "wan2fw" | "inet2fw")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    #[test]
    fn missing_ban_chains_read_as_their_lists() {
        let text = "Chain INPUT (policy DROP)\ntarget     prot opt source               destination\nfail2ban-SSH  tcp  --  anywhere             anywhere             tcp dpt:ssh\nmy-rules   all  --  anywhere             anywhere\n";
        let rs = parse("t", &lines(text));
        let f2b = rs.chains.iter().find(|c| c.name == "fail2ban-SSH");
        let rule = f2b.and_then(|c| c.rules.first());
        assert!(rule.is_some_and(|r| r.source.line == 3
            && matches!(r.matches.first(), Some(Match::NamedSource { name, .. }) if name == "fail2ban-SSH")));
        // A chain of no known tool stays missing: its verdict is unknown.
        assert!(!rs.chains.iter().any(|c| c.name == "my-rules"));
    }

    #[test]
    fn a_lone_shorewall_zone_chain_is_the_entry_under_an_assumption() {
        let text = "Chain net2fw (1 references)\n pkts bytes target     prot opt in     out     source               destination\n  103 12822 ACCEPT     all  --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate RELATED,ESTABLISHED\n    7   377 Drop       all  --  *      *       0.0.0.0/0            0.0.0.0/0\n    7   377 DROP       all  --  *      *       0.0.0.0/0            0.0.0.0/0\n";
        let rs = parse("t", &lines(text));
        let entry = rs.entry.first().and_then(|&id| rs.chains.get(id));
        assert_eq!(entry.map(|c| c.name.as_str()), Some("net2fw"));
        assert_eq!(rs.assumptions.len(), 1);
        // Shorewall's Drop action never accepts.
        let drop = rs.chains.iter().find(|c| c.name == "Drop");
        assert!(drop.is_some_and(|c| c.rules.iter().all(|r| r.action == Action::Drop)));
        // With INPUT pasted, INPUT is the entry and nothing is assumed.
        let with_input = format!("Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target     prot opt in     out     source               destination\n{text}");
        let rs = parse("t", &lines(&with_input));
        assert!(rs.assumptions.is_empty());
        assert_eq!(
            rs.entry
                .last()
                .and_then(|&id| rs.chains.get(id))
                .map(|c| c.name.as_str()),
            Some("INPUT")
        );
    }

    #[test]
    fn rules_carry_their_origin() {
        use crate::firewall::model::{BanTool, Origin};
        let text = "-A INPUT -p tcp -m tcp --dport 80 -m connlimit --connlimit-above 20 -j DROP\n\
-A INPUT -p tcp -m tcp --dport 443 -m limit --limit 5/sec -j REJECT\n\
-A INPUT -m set --match-set crowdsec-blacklists src -j DROP\n\
-A INPUT -m set --match-set office src -j DROP\n\
-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT\n\
-A f2b-sshd -s 198.51.100.7/32 -j REJECT --reject-with icmp-port-unreachable\n\
-A f2b-sshd -j RETURN\n\
-A ufw-user-limit -j REJECT --reject-with icmp-port-unreachable\n\
-A DENYIN -s 198.51.100.8/32 -j DROP\n";
        let rs = parse("t", &lines(text));
        let origin = |line: usize| {
            rs.chains
                .iter()
                .flat_map(|c| c.rules.iter())
                .find(|r| r.source.line == line)
                .map(|r| r.origin)
        };
        // A limit over a count refuses busy sources; one a first
        // connection passes is the firewall's own block.
        assert_eq!(origin(1), Some(Origin::RateLimit));
        assert_eq!(origin(2), Some(Origin::Filter));
        assert_eq!(origin(3), Some(Origin::Ban(BanTool::Crowdsec)));
        assert_eq!(origin(4), Some(Origin::Filter));
        assert_eq!(origin(5), Some(Origin::Filter));
        assert_eq!(origin(6), Some(Origin::Ban(BanTool::Fail2ban)));
        assert_eq!(origin(7), Some(Origin::Ban(BanTool::Fail2ban)));
        assert_eq!(origin(8), Some(Origin::RateLimit));
        assert_eq!(origin(9), Some(Origin::Ban(BanTool::Csf)));
    }

    #[test]
    fn old_style_negation_and_lists() {
        let l =
            lines("-A INPUT -s ! 10.0.0.0/8 -j DROP\n-A INPUT -s 1.2.3.4,5.6.7.0/24 -j ACCEPT\n");
        let rs = parse("t", &l);
        let c = rs.chains.iter().find(|c| c.name == "INPUT");
        let rules = c.map(|c| c.rules.clone()).unwrap_or_default();
        assert!(matches!(
            rules.first().and_then(|r| r.matches.first()),
            Some(Match::SourceAddr { negated: true, .. })
        ));
        match rules.get(1).and_then(|r| r.matches.first()) {
            Some(Match::SourceAddr {
                set,
                negated: false,
            }) => assert_eq!(set.ranges().len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rate_limits_decide_first_connection() {
        let l = lines(
            "-A INPUT -p tcp -m connlimit --connlimit-above 20 --connlimit-mask 32 -j REJECT\n\
             -A INPUT -m hashlimit --hashlimit-above 10/sec --hashlimit-name x -j DROP\n\
             -A INPUT -m recent --update --seconds 60 --hitcount 4 --name ssh -j DROP\n\
             -A INPUT -m recent --set --name ssh\n\
             -A INPUT -m limit --limit 3/min --limit-burst 5 -j LOG\n",
        );
        let rs = parse("t", &l);
        let firsts: Vec<bool> = rs
            .chains
            .iter()
            .flat_map(|c| c.rules.iter())
            .flat_map(|r| r.matches.iter())
            .filter_map(|m| match m {
                Match::RateLimit {
                    first_connection_matches,
                    ..
                } => Some(*first_connection_matches),
                _ => None,
            })
            .collect();
        assert_eq!(firsts, vec![false, false, false, true, true]);
        assert!(rs.not_understood.is_empty());
        // No unknown leftovers from ignored options.
        assert!(!rs
            .chains
            .iter()
            .flat_map(|c| c.rules.iter())
            .flat_map(|r| r.matches.iter())
            .any(|m| matches!(m, Match::Unknown { .. })));
    }

    /// The matches of every rule of filter INPUT.
    fn input_matches(rs: &Ruleset) -> Vec<Vec<Match>> {
        rs.chains
            .iter()
            .filter(|c| c.name == "INPUT")
            .flat_map(|c| c.rules.iter().map(|r| r.matches.clone()))
            .collect()
    }

    #[test]
    fn connlimit_reads_the_same_in_save_and_list_wording() {
        let save = parse(
            "t",
            &lines(
                "-A INPUT -p tcp -m connlimit --connlimit-above 10 -j REJECT
                 -A INPUT -p tcp -m connlimit --connlimit-above lots -j REJECT
",
            ),
        );
        let list = parse(
            "t",
            &lines(
                "Chain INPUT (policy ACCEPT)
                 target     prot opt source               destination
                 REJECT     tcp  --  0.0.0.0/0            0.0.0.0/0            #conn src/32 > 10 reject-with tcp-reset
                 REJECT     tcp  --  0.0.0.0/0            0.0.0.0/0            #conn src/32 > lots reject-with tcp-reset
",
            ),
        );
        for rs in [save, list] {
            let rules = input_matches(&rs);
            assert_eq!(rules.len(), 2, "{:?}", rs.not_understood);
            // Over 10 connections: the first connection is not over it.
            assert!(rules[0].iter().any(|m| matches!(
                m,
                Match::RateLimit {
                    first_connection_matches: false,
                    ..
                }
            )));
            // A limit that does not read decides nothing: unknown, not "no match".
            assert!(!rules[1]
                .iter()
                .any(|m| matches!(m, Match::RateLimit { .. })));
            assert!(rules[1].iter().any(|m| matches!(
                m,
                Match::Unknown { text, why: Undecided::NotUnderstood } if text.contains("lots")
            )));
        }
    }
}
