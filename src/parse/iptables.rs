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

use std::borrow::Cow;
use std::collections::HashMap;

use crate::firewall::model::Undecided;
use crate::firewall::model::{
    Action, Chain, ChainId, Dialect, Match, NamedSet, Policy, PortSet, Rule, Ruleset, SourceLine,
};
use crate::net::{fast_v4, AddrRange, AddrSet, Family};
use crate::text::{Line, NotUnderstood};

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

#[derive(Clone, Copy)]
struct Cols {
    num: bool,
    counters: bool,
    ifaces: bool,
}

struct ListCtx {
    chain: ChainId,
    cols: Option<Cols>,
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
                c.policy_line = Some(src(line));
            }
        }
        self.understood += 1;
    }

    fn list_header(&mut self, line: Line<'_>, rest: &str) {
        self.saw_list = true;
        let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        let id = self.chain(None, name.trim());
        let tail = tail.trim();
        if let Some(p) = tail.strip_prefix("(policy ") {
            let word = p.split([' ', ')']).next().unwrap_or_default();
            match parse_policy(word) {
                Some(pol) => {
                    if let Some(c) = self.chains.get_mut(id) {
                        c.policy = Some(pol);
                        c.policy_line = Some(src(line));
                    }
                }
                None => {
                    // Not understood, so not counted as understood below.
                    self.nu(line, format!("unknown chain policy `{word}`"));
                    return;
                }
            }
        } else if let Some(c) = self.chains.get_mut(id) {
            // `(N references)`: a user chain.
            if !BUILTIN.contains(&name) {
                c.policy = None;
            }
        }
        self.list = Some(ListCtx {
            chain: id,
            cols: None,
        });
        self.understood += 1;
    }

    fn statement(&mut self, line: Line<'_>, text: &str) {
        let toks = match tokenize(text) {
            Ok(t) => t,
            Err(e) => {
                self.nu(line, e);
                return;
            }
        };
        let mut toks: &[Cow<'_, str>] = &toks;
        // `iptables-save -c` prefixes counters: `[5:300] -A INPUT ...`.
        if let Some(first) = toks.first() {
            if first.starts_with('[') && first.ends_with(']') {
                toks = toks.get(1..).unwrap_or_default();
            }
        }
        let mut table: Option<&str> = None;
        let mut i = 0;
        // Leading options before the command (`-t nat`, `-w`).
        while let Some(t) = toks.get(i) {
            match t.as_ref() {
                "-t" | "--table" => {
                    table = toks.get(i + 1).map(|s| s.as_ref());
                    i += 2;
                }
                "-w" | "--wait" | "-v" | "--verbose" => {
                    i += 1;
                    if toks.get(i).is_some_and(|t| t.parse::<u32>().is_ok()) {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        let Some(cmd) = toks.get(i) else {
            self.nu(line, "empty iptables command");
            return;
        };
        let chain_name = toks.get(i + 1).map(|s| s.as_ref());
        match (cmd.as_ref(), chain_name) {
            ("-P" | "--policy", Some(chain)) => {
                self.saw_rules = true;
                let pol = toks.get(i + 2).map(|s| s.as_ref()).and_then(parse_policy);
                let id = self.chain(table, chain);
                match pol {
                    Some(p) => {
                        if let Some(c) = self.chains.get_mut(id) {
                            c.policy = Some(p);
                            c.policy_line = Some(src(line));
                        }
                        self.understood += 1;
                    }
                    None => self.nu(line, "policy is not ACCEPT or DROP"),
                }
            }
            ("-N" | "--new-chain", Some(chain)) => {
                self.saw_rules = true;
                let id = self.chain(table, chain);
                if let Some(c) = self.chains.get_mut(id) {
                    c.policy = None;
                }
                self.understood += 1;
            }
            ("-A" | "--append" | "-I" | "--insert", Some(chain)) => {
                self.saw_rules = true;
                let mut j = i + 2;
                let mut pos = None;
                if matches!(cmd.as_ref(), "-I" | "--insert") {
                    pos = Some(0);
                    if let Some(n) = toks.get(j).and_then(|t| t.parse::<usize>().ok()) {
                        pos = Some(n.saturating_sub(1));
                        j += 1;
                    }
                }
                let rest = toks.get(j..).unwrap_or_default();
                match self.rule_tokens(rest) {
                    Ok((matches, action)) => {
                        let rule = Rule {
                            source: src(line),
                            matches,
                            action,
                        };
                        let id = self.chain(table, chain);
                        if let Some(c) = self.chains.get_mut(id) {
                            match pos {
                                Some(p) => c.rules.insert(p.min(c.rules.len()), rule),
                                None => c.rules.push(rule),
                            }
                        }
                        self.understood += 1;
                    }
                    Err(e) => self.nu(line, e),
                }
            }
            ("-F" | "-X" | "-Z" | "--flush" | "--delete-chain" | "--zero", _) => {
                self.understood += 1;
            }
            _ => self.nu(line, "not an iptables rule, policy or chain command"),
        }
    }

    fn note_addr(&mut self, set: &AddrSet) {
        for r in set.ranges() {
            match r.family {
                Family::V4 => self.v4_addr = true,
                Family::V6 => self.v6_addr = true,
            }
        }
    }

    fn addr_match(&mut self, v: &str, neg: bool, dest: bool) -> Match {
        match parse_addrs(v) {
            Some(set) => {
                self.note_addr(&set);
                if dest {
                    Match::DestAddr { set, negated: neg }
                } else {
                    Match::SourceAddr { set, negated: neg }
                }
            }
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

    /// Matches and action of one rule in option syntax.
    fn rule_tokens(&mut self, toks: &[Cow<'_, str>]) -> Result<(Vec<Match>, Action), String> {
        // long: every iptables match extension's option syntax in one match, the honest complexity
        // of iptables (issue 15 keeps it whole).
        let mut m: Vec<Match> = Vec::new();
        let mut target: Option<&str> = None;
        let mut goto = false;
        let mut reject_with: Option<String> = None;
        let mut in_target = false;
        let mut neg = false;
        let mut module: &str = "";
        let mut i = 0;
        while let Some(tok) = toks.get(i) {
            let t: &str = tok.as_ref();
            i += 1;
            if t == "!" {
                neg = !neg;
                continue;
            }
            let mut n = std::mem::take(&mut neg);
            // Value of an option; an old-style `!` after the option negates.
            macro_rules! val {
                () => {
                    match value(toks, &mut i, &mut n) {
                        Some(v) => v,
                        None => return Err(format!("option {t} without a value")),
                    }
                };
            }
            match t {
                "-s" | "--source" | "--src" => {
                    let v = val!();
                    let mm = self.addr_match(v, n, false);
                    m.push(mm);
                }
                "-d" | "--destination" | "--dst" => {
                    let v = val!();
                    let mm = self.addr_match(v, n, true);
                    m.push(mm);
                }
                "-p" | "--protocol" => {
                    let v = val!();
                    let p = proto_name(v);
                    if p == "ipv6-icmp" {
                        self.v6_hint = true;
                    }
                    if p == "all" {
                        if n {
                            m.push(never());
                        }
                    } else {
                        m.push(Match::Protocol {
                            names: vec![p.to_string()],
                            negated: n,
                        });
                    }
                }
                "-i" | "--in-interface" => {
                    let v = val!();
                    self.iface(v);
                    m.push(Match::InInterface {
                        pattern: v.to_string(),
                        negated: n,
                    });
                }
                "-o" | "--out-interface" => {
                    // A packet on its way in to a local process has no output
                    // interface: a named `-o` never matches there.
                    let v = val!();
                    if !n && v != "+" {
                        m.push(never());
                    }
                }
                "-f" | "--fragment" => {
                    // A SYN is never a non-first fragment.
                    if !n {
                        m.push(never());
                    }
                }
                // rpfilter passes ordinary traffic unless `--invert`.
                "-m" | "--match" => module = val!(),
                "-j" | "--jump" => {
                    target = Some(val!());
                    goto = false;
                    in_target = true;
                }
                "-g" | "--goto" => {
                    target = Some(val!());
                    goto = true;
                    in_target = true;
                }
                "-c" | "--set-counters" => {
                    i += 2;
                }
                "--dport" | "--destination-port" | "--dports" | "--destination-ports" => {
                    let v = val!();
                    m.push(match parse_ports(v) {
                        Some(ports) => Match::DestPort { ports, negated: n },
                        None => unknown(t, v, n),
                    });
                }
                "--sport" | "--source-port" | "--sports" | "--source-ports" => {
                    let v = val!();
                    m.push(match parse_ports(v) {
                        Some(ports) => Match::SourcePort { ports, negated: n },
                        None => unknown(t, v, n),
                    });
                }
                "--ports" => {
                    // Either port in the list: exact only when the list has
                    // no ephemeral port Cloudflare could use as source.
                    let v = val!();
                    m.push(match parse_ports(v) {
                        Some(ports) if ports.0.iter().all(|&(_, hi)| hi < 1024) => {
                            Match::DestPort { ports, negated: n }
                        }
                        _ => unknown(t, v, n),
                    });
                }
                "--syn" => m.push(Match::TcpFlags { syn_matches: !n }),
                // IPv6 routing-header match (`-m rt --rt-type 0`, ufw's
                // before6.rules): a SYN from Cloudflare carries no routing
                // header, so a positive match never holds; negated, it
                // always does.
                "--rt-type" | "--rt-segsleft" | "--rt-len" if module == "rt" => {
                    let _ = val!();
                    if !n {
                        m.push(never());
                    }
                }
                "--tcp-flags" => {
                    let mask = val!();
                    let comp = val!();
                    match (tcp_flag_bits(mask), tcp_flag_bits(comp)) {
                        (Some(mk), Some(cp)) => m.push(Match::TcpFlags {
                            syn_matches: ((mk & SYN) == cp) != n,
                        }),
                        _ => m.push(unknown(t, &format!("{mask} {comp}"), n)),
                    }
                }
                "--state" | "--ctstate" => {
                    let v = val!();
                    m.push(Match::ConnState {
                        states: v
                            .split(',')
                            .map(|s| s.trim().to_ascii_lowercase())
                            .collect(),
                        negated: n,
                    });
                }
                "--comment" => {
                    let _ = val!();
                }
                "--match-set" => {
                    let name = val!();
                    let flags = val!();
                    if flags.split(',').next() == Some("src") {
                        m.push(Match::NamedSource {
                            name: name.to_string(),
                            negated: n,
                        });
                    } else {
                        m.push(unknown(t, &format!("{name} {flags}"), n));
                    }
                }
                "--return-nomatch" | "--update-counters" | "--update-subcounters" => {}
                "--limit" | "--hashlimit" | "--hashlimit-upto" => {
                    let v = val!();
                    m.push(rate(format!("{t} {v}"), !n));
                }
                "--hashlimit-above" => {
                    let v = val!();
                    m.push(rate(format!("{t} {v}"), n));
                }
                "--connlimit-above" | "--connlimit-upto" => {
                    let v = val!();
                    // The first connection makes the count 1.
                    let first = match v.parse::<u64>() {
                        Ok(lim) if t == "--connlimit-above" => lim < 1,
                        Ok(lim) => lim >= 1,
                        Err(_) => {
                            m.push(unknown(t, v, n));
                            continue;
                        }
                    };
                    m.push(rate(format!("{t} {v}"), first != n));
                }
                "--set" if module == "recent" => m.push(rate("recent --set".into(), !n)),
                "--rcheck" | "--update" | "--remove" => {
                    // A first connection is not yet in the recent list.
                    m.push(rate(format!("recent {t}"), n));
                }
                "--src-range" | "--dst-range" => {
                    let v = val!();
                    match parse_iprange(v) {
                        Some(set) => {
                            self.note_addr(&set);
                            m.push(if t == "--src-range" {
                                Match::SourceAddr { set, negated: n }
                            } else {
                                Match::DestAddr { set, negated: n }
                            });
                        }
                        None => m.push(unknown(t, v, n)),
                    }
                }
                "--dst-type" | "--src-type" => {
                    let v = val!();
                    let holds = v.split(',').any(|ty| {
                        let ty = ty.to_ascii_uppercase();
                        if t == "--dst-type" {
                            ty == "LOCAL" || ty == "UNICAST"
                        } else {
                            ty == "UNICAST"
                        }
                    });
                    if holds == n {
                        m.push(never());
                    }
                }
                "--pkt-type" => {
                    let v = val!();
                    if v.eq_ignore_ascii_case("unicast") == n {
                        m.push(never());
                    }
                }
                "--invert" if module == "rpfilter" => {
                    if !n {
                        m.push(never());
                    }
                }
                "--pol" => {
                    let v = val!();
                    if (v == "none") == n {
                        m.push(never());
                    }
                }
                "--reject-with" => reject_with = Some(val!().to_string()),
                _ if t.starts_with("--") => {
                    let takes_value = !NO_VALUE.contains(&t);
                    let mut vals = Vec::new();
                    if takes_value {
                        while let Some(v) = toks.get(i) {
                            if v.starts_with('-') || v.as_ref() == "!" {
                                break;
                            }
                            vals.push(v.as_ref());
                            i += 1;
                        }
                    }
                    if !in_target && !IGNORED.contains(&t) {
                        let text = format!(
                            "{}-m {module} {t} {}",
                            if n { "! " } else { "" },
                            vals.join(" ")
                        );
                        m.push(Match::Unknown {
                            text: text.trim_end().to_string(),
                            why: Undecided::NotUnderstood,
                        });
                    }
                }
                _ => {
                    if !in_target {
                        m.push(Match::Unknown {
                            text: format!("unexpected word `{t}`"),
                            why: Undecided::NotUnderstood,
                        });
                    }
                }
            }
        }
        let action = match target {
            None => Action::Continue,
            Some(tg) => target_action(tg, goto, reject_with),
        };
        Ok((m, action))
    }

    fn list_row(&mut self, line: Line<'_>, t: &str) {
        let Some(ctx) = self.list.as_ref() else {
            return;
        };
        let chain = ctx.chain;
        let cols = ctx.cols.unwrap_or(Cols {
            num: false,
            counters: false,
            ifaces: false,
        });
        // Words with their byte offsets, so the match text after the
        // destination column can be re-read with its quoting intact.
        let words: Vec<(usize, &str)> = word_offsets(t);
        let mut k = 0;
        macro_rules! take {
            () => {{
                let w = words.get(k).map(|w| w.1);
                k += 1;
                w
            }};
        }
        let mut skip_ok = true;
        if cols.num {
            skip_ok &= take!().is_some_and(|w| w.parse::<u64>().is_ok());
        }
        if cols.counters {
            skip_ok &= take!().is_some_and(is_counter);
            skip_ok &= take!().is_some_and(is_counter);
        }
        let (Some(a), Some(b)) = (take!(), take!()) else {
            self.nu(line, "rule row with too few columns");
            return;
        };
        if !skip_ok {
            self.nu(line, "rule row does not match the column header");
            return;
        }
        let (target, prot) = if is_proto(a) && !is_proto(b) {
            // No target: `b` was already the next column.
            k -= 1;
            ("", a)
        } else {
            (a, b)
        };
        let mut w = take!();
        if w.is_some_and(|w| matches!(w, "--" | "-f" | "!f")) {
            // An `opt` column: `-f` matches non-first fragments only.
            if w == Some("-f") {
                self.skip_rule_fragment(line);
                return;
            }
            w = take!();
        }
        let (mut in_if, mut out_if) = (None, None);
        if cols.ifaces {
            in_if = w;
            out_if = take!();
            w = take!();
        }
        let source = w;
        let dest = take!();
        let (Some(source), Some(dest)) = (source, dest) else {
            self.nu(line, "rule row without source and destination");
            return;
        };
        let extra = words
            .get(k)
            .and_then(|(off, _)| t.get(*off..))
            .unwrap_or("");
        let mut m = Vec::new();
        if prot != "all" && prot != "0" {
            let (pn, neg) = match prot.strip_prefix('!') {
                Some(p) => (p, true),
                None => (prot, false),
            };
            let p = proto_name(pn);
            if p == "ipv6-icmp" {
                self.v6_hint = true;
            }
            m.push(Match::Protocol {
                names: vec![p.to_string()],
                negated: neg,
            });
        }
        if let Some(i) = in_if {
            if i != "*" {
                let (p, neg) = bang(i);
                self.iface(p);
                m.push(Match::InInterface {
                    pattern: p.to_string(),
                    negated: neg,
                });
            }
        }
        if let Some(o) = out_if {
            let (p, neg) = bang(o);
            if p != "*" && p != "+" && !neg {
                m.push(never());
            }
        }
        for (text, dest_side) in [(source, false), (dest, true)] {
            let (v, neg) = bang(text);
            if matches!(v, "0.0.0.0/0" | "::/0" | "anywhere") {
                if neg {
                    m.push(never());
                }
                continue;
            }
            let mm = self.addr_match(v, neg, dest_side);
            m.push(mm);
        }
        let (extra_m, goto, reject_with) = self.list_extra(extra, target);
        m.extend(extra_m);
        if !cols.ifaces && m.is_empty() {
            // Without `-v` the interface columns are hidden: a bare
            // `ACCEPT all -- anywhere anywhere` is usually `-i lo`.
            m.push(Match::Unknown {
                text: "interface not shown (`iptables -L` without `-v`; often `-i lo`)".into(),
                why: Undecided::InterfaceHidden,
            });
        }
        let action = if target.is_empty() {
            Action::Continue
        } else {
            target_action(target, goto, reject_with)
        };
        if let Some(c) = self.chains.get_mut(chain) {
            c.rules.push(Rule {
                source: src(line),
                matches: m,
                action,
            });
        }
        self.understood += 1;
    }

    fn skip_rule_fragment(&mut self, line: Line<'_>) {
        // Keep the line as a rule that never matches a SYN.
        if let Some(ctx) = self.list.as_ref() {
            let id = ctx.chain;
            if let Some(c) = self.chains.get_mut(id) {
                c.rules.push(Rule {
                    source: src(line),
                    matches: vec![never()],
                    action: Action::Continue,
                });
            }
        }
        self.understood += 1;
    }

    /// The match text `iptables -L` prints after the destination column.
    fn list_extra(&mut self, extra: &str, target: &str) -> (Vec<Match>, bool, Option<String>) {
        // long: the extension meanings again in `-L` wording; issue 15 item 5 writes them once in
        // iptables/ext.rs.
        let mut m = Vec::new();
        let mut goto = false;
        let mut reject_with = None;
        // Comments may hold any text; drop them first.
        let mut text = String::with_capacity(extra.len());
        let mut rest = extra;
        while let Some((before, after)) = rest.split_once("/*") {
            text.push_str(before);
            rest = after.split_once("*/").map(|(_, a)| a).unwrap_or("");
        }
        text.push_str(rest);
        let toks = match tokenize(&text) {
            Ok(t) => t,
            Err(_) => text.split_whitespace().map(Cow::Borrowed).collect(),
        };
        let w: Vec<&str> = toks.iter().map(|c| c.as_ref()).collect();
        let get = |i: usize| w.get(i).copied().unwrap_or("");
        let mut i = 0;
        let mut neg = false;
        let mut unknown_run: Vec<&str> = Vec::new();
        while let Some(&t) = w.get(i) {
            i += 1;
            if t == "!" {
                neg = !neg;
                continue;
            }
            let n = std::mem::take(&mut neg);
            let before = m.len();
            let mut known = true;
            if let Some((key, v)) = t.split_once(':').filter(|(k, _)| {
                matches!(
                    *k,
                    "dpt" | "dpts" | "spt" | "spts" | "flags" | "to" | "type"
                )
            }) {
                let (v, n2) = bang(v);
                let n = n != n2;
                match key {
                    "dpt" | "dpts" | "spt" | "spts" => {
                        let ports = parse_ports(v);
                        m.push(match (ports, key.starts_with('d')) {
                            (Some(ports), true) => Match::DestPort { ports, negated: n },
                            (Some(ports), false) => Match::SourcePort { ports, negated: n },
                            (None, _) => unknown(key, v, n),
                        });
                    }
                    "flags" => {
                        let parsed = v
                            .split_once('/')
                            .and_then(|(a, b)| Some((tcp_flag_bits(a)?, tcp_flag_bits(b)?)));
                        m.push(match parsed {
                            Some((mk, cp)) => Match::TcpFlags {
                                syn_matches: ((mk & SYN) == cp) != n,
                            },
                            None => unknown("flags", v, n),
                        });
                    }
                    _ => {}
                }
            } else {
                match t {
                    "tcp" | "udp" | "sctp" | "dccp" | "udplite" => {}
                    "multiport" => {
                        let kind = get(i);
                        let mut v = get(i + 1);
                        i += 2;
                        let mut n = n;
                        if v == "!" {
                            n = !n;
                            v = get(i);
                            i += 1;
                        }
                        let (v, n2) = bang(v);
                        let n = n != n2;
                        let ports = parse_ports(v);
                        m.push(match (kind, ports) {
                            ("dports", Some(ports)) => Match::DestPort { ports, negated: n },
                            ("sports", Some(ports)) => Match::SourcePort { ports, negated: n },
                            ("ports", Some(ports)) if ports.0.iter().all(|&(_, h)| h < 1024) => {
                                Match::DestPort { ports, negated: n }
                            }
                            _ => unknown("multiport", &format!("{kind} {v}"), n),
                        });
                    }
                    "state" | "ctstate" => {
                        let v = get(i);
                        i += 1;
                        let (v, n2) = bang(v);
                        m.push(Match::ConnState {
                            states: v.split(',').map(|s| s.to_ascii_lowercase()).collect(),
                            negated: n != n2,
                        });
                    }
                    "reject-with" => {
                        reject_with = Some(get(i).to_string());
                        i += 1;
                    }
                    "[goto]" => goto = true,
                    "match-set" => {
                        let (name, flags) = (get(i), get(i + 1));
                        i += 2;
                        if flags.split(',').next() == Some("src") {
                            m.push(Match::NamedSource {
                                name: name.to_string(),
                                negated: n,
                            });
                        } else {
                            m.push(unknown("match-set", &format!("{name} {flags}"), n));
                        }
                    }
                    "limit:" => {
                        // limit: `avg 3/min burst 5`; hashlimit: `up to ...`
                        // or `above ...` followed by `key value` pairs.
                        let first = get(i);
                        let ok = first != "above";
                        let start = i;
                        i += if first == "up" { 3 } else { 2 };
                        while matches!(
                            get(i),
                            "burst"
                                | "mode"
                                | "srcmask"
                                | "dstmask"
                                | "htable-size"
                                | "htable-max"
                                | "htable-expire"
                                | "htable-gcinterval"
                                | "rate-interval"
                        ) {
                            i += 2;
                        }
                        let txt = w.get(start..i.min(w.len())).unwrap_or_default().join(" ");
                        m.push(rate(format!("limit: {txt}"), ok != n));
                    }
                    "#conn" => {
                        // `#conn src/32 > 10` or `#conn src/32 <= 10`.
                        let (op, lim) = (get(i + 1), get(i + 2));
                        i += 3;
                        let first = match lim.parse::<u64>() {
                            Ok(l) if op == ">" => l < 1,
                            Ok(l) => l >= 1,
                            Err(_) => false,
                        };
                        m.push(rate(format!("#conn {op} {lim}"), first != n));
                    }
                    "recent:" => {
                        let what = get(i);
                        i += 1;
                        while get(i).ends_with(':') || matches!(get(i), "reap" | "rttl") {
                            i += if get(i).ends_with(':') { 2 } else { 1 };
                        }
                        m.push(rate(format!("recent: {what}"), (what == "SET") != n));
                    }
                    "source" | "destination" if get(i) == "IP" && get(i + 1) == "range" => {
                        let mut v = get(i + 2);
                        i += 3;
                        let mut n = n;
                        if v == "!" {
                            n = !n;
                            v = get(i);
                            i += 1;
                        }
                        match parse_iprange(v) {
                            Some(set) => {
                                self.note_addr(&set);
                                m.push(if t == "source" {
                                    Match::SourceAddr { set, negated: n }
                                } else {
                                    Match::DestAddr { set, negated: n }
                                });
                            }
                            None => m.push(unknown("IP range", v, n)),
                        }
                    }
                    "ADDRTYPE" if get(i) == "match" => {
                        i += 1;
                        while matches!(get(i), "src-type" | "dst-type" | "limit-in" | "limit-out") {
                            let key = get(i);
                            if key.starts_with("limit") {
                                i += 1;
                                continue;
                            }
                            let mut v = get(i + 1);
                            i += 2;
                            let mut n = n;
                            if v == "!" {
                                n = !n;
                                v = get(i);
                                i += 1;
                            }
                            let (v, n2) = bang(v);
                            let n = n != n2;
                            let holds = v
                                .split(',')
                                .any(|ty| ty == "UNICAST" || (key == "dst-type" && ty == "LOCAL"));
                            if holds == n {
                                m.push(never());
                            }
                        }
                    }
                    "icmptype" | "icmp" | "ipv6-icmptype" | "ipv6-icmp" | "icmpv6" => {
                        // Only ICMP rules print these; the protocol column
                        // already keeps them from matching TCP.
                        i += 1;
                        if get(i) == "code" {
                            i += 2;
                        }
                    }
                    "PKTTYPE" if get(i) == "=" => {
                        let v = get(i + 1);
                        i += 2;
                        if v.eq_ignore_ascii_case("unicast") == n {
                            m.push(never());
                        }
                    }
                    "policy" if get(i) == "match" => {
                        // `policy match dir in pol none`
                        i += 1;
                        while matches!(get(i), "dir" | "pol") {
                            if get(i) == "pol" && (get(i + 1) == "none") == n {
                                m.push(never());
                            }
                            i += 2;
                        }
                    }
                    _ => known = false,
                }
            }
            if known {
                if !unknown_run.is_empty() {
                    m.insert(
                        before,
                        Match::Unknown {
                            text: unknown_run.join(" "),
                            why: Undecided::NotUnderstood,
                        },
                    );
                    unknown_run.clear();
                }
            } else if is_target_section(t, target) {
                // Target options (LOG prefix, MARK values, DNAT address...)
                // end the match text.
                break;
            } else {
                if n {
                    unknown_run.push("!");
                }
                unknown_run.push(t);
            }
        }
        if !unknown_run.is_empty() {
            m.push(Match::Unknown {
                text: unknown_run.join(" "),
                why: Undecided::NotUnderstood,
            });
        }
        (m, goto, reject_with)
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
        let find = |t: &str, n: &str| self.index.get(t).and_then(|c| c.get(n)).copied();
        let mut entry = Vec::new();
        let mut notes = std::mem::take(&mut self.notes);
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
            None => notes.push(
                "the paste shows no INPUT chain of the filter table; paste `iptables-save` or `iptables -S`"
                    .to_string(),
            ),
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
            assumptions: Vec::new(),
            understood_lines: self.understood,
            not_understood: self.not_understood,
        }
    }
}

const SYN: u8 = 0x02;

/// Options that take no value (so the next word is not theirs).
const NO_VALUE: &[&str] = &[
    "--rttl",
    "--reap",
    "--rsource",
    "--rdest",
    "--connlimit-saddr",
    "--connlimit-daddr",
    "--limit-iface-in",
    "--limit-iface-out",
    "--log-uid",
    "--log-tcp-sequence",
    "--log-tcp-options",
    "--log-ip-options",
    "--log-macdecode",
    "--notrack",
    "--exist",
    "--clamp-mss-to-pmtu",
    "--checksum-fill",
    "--random",
    "--random-fully",
    "--persistent",
    "--restore-mark",
    "--save-mark",
    "--loose",
    "--validmark",
    "--accept-local",
    "--strict",
    "--next",
    "--hashlimit-rate-match",
    "--kerneltz",
];

/// Module options that do not change whether a first SYN matches.
const IGNORED: &[&str] = &[
    "--limit-burst",
    "--hashlimit-burst",
    "--hashlimit-mode",
    "--hashlimit-name",
    "--hashlimit-htable-size",
    "--hashlimit-htable-max",
    "--hashlimit-htable-expire",
    "--hashlimit-htable-gcinterval",
    "--hashlimit-srcmask",
    "--hashlimit-dstmask",
    "--hashlimit-rate-match",
    "--hashlimit-rate-interval",
    "--connlimit-mask",
    "--connlimit-saddr",
    "--connlimit-daddr",
    "--seconds",
    "--hitcount",
    "--name",
    "--mask",
    "--rttl",
    "--reap",
    "--rsource",
    "--rdest",
    "--icmp-type",
    "--icmpv6-type",
    "--limit-iface-in",
    "--limit-iface-out",
    "--dir",
    "--strict",
    "--loose",
    "--validmark",
    "--accept-local",
    "--log-prefix",
    "--log-level",
];

fn never() -> Match {
    // An empty source set: exact "never matches".
    Match::SourceAddr {
        set: AddrSet::empty(),
        negated: false,
    }
}

fn unknown(opt: &str, v: &str, neg: bool) -> Match {
    Match::Unknown {
        text: format!("{}{opt} {v}", if neg { "! " } else { "" }),
        why: Undecided::NotUnderstood,
    }
}

fn rate(text: String, first_connection_matches: bool) -> Match {
    Match::RateLimit {
        text,
        first_connection_matches,
    }
}

fn src(line: Line<'_>) -> SourceLine {
    SourceLine {
        line: line.no,
        text: line.text.trim_end().to_string(),
    }
}

fn bang(s: &str) -> (&str, bool) {
    match s.strip_prefix('!') {
        Some(r) => (r, true),
        None => (s, false),
    }
}

fn value<'t>(toks: &'t [Cow<'_, str>], i: &mut usize, neg: &mut bool) -> Option<&'t str> {
    let mut v = toks.get(*i)?;
    if v.as_ref() == "!" {
        *neg = !*neg;
        *i += 1;
        v = toks.get(*i)?;
    }
    *i += 1;
    Some(v.as_ref())
}

fn word_offsets(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                out.extend(s.get(st..i).map(|w| (st, w)));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.extend(s.get(st..).map(|w| (st, w)));
    }
    out
}

fn is_counter(w: &str) -> bool {
    let digits = w.trim_end_matches(['K', 'M', 'G', 'T', 'P']);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_proto(w: &str) -> bool {
    let w = w.strip_prefix('!').unwrap_or(w);
    matches!(
        w,
        "all"
            | "tcp"
            | "udp"
            | "udplite"
            | "icmp"
            | "ipv6-icmp"
            | "icmpv6"
            | "esp"
            | "ah"
            | "sctp"
            | "gre"
            | "dccp"
            | "mh"
            | "ipv6"
            | "ipip"
            | "igmp"
    ) || (!w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()))
}

fn is_iptables_prog(w: &str) -> bool {
    let base = w.rsplit('/').next().unwrap_or(w);
    matches!(
        base,
        "iptables"
            | "ip6tables"
            | "iptables-save"
            | "ip6tables-save"
            | "iptables-legacy"
            | "ip6tables-legacy"
            | "iptables-nft"
            | "ip6tables-nft"
            | "iptables-legacy-save"
            | "ip6tables-legacy-save"
            | "iptables-nft-save"
            | "ip6tables-nft-save"
    )
}

/// The command part of a shell command line, or `None` when the line is not
/// one. Recognises `$ cmd`, `# cmd`, `user@host:~# cmd`, `[root@h ~]# cmd`
/// and bare `iptables ...` / `sudo iptables ...`.
fn command_line(t: &str) -> Option<&str> {
    let cand = if t.starts_with('[') {
        prompt_end_scan(t)?
    } else {
        prompt_end_first_word(t)?
    };
    let mut words = cand.split_whitespace();
    let mut first = words.next()?;
    while first == "sudo" || first.starts_with('-') && cand.starts_with("sudo") {
        first = words.next()?;
    }
    let base = first.rsplit('/').next().unwrap_or(first);
    let known = is_iptables_prog(base)
        || matches!(
            base,
            "ipset" | "nft" | "ufw" | "cat" | "csf" | "firewall-cmd"
        );
    known.then_some(cand)
}

/// The text after a shell prompt (`user@host:~# `, `$ `, `[root@h ~]# `), or
/// the whole line when it has none.
fn prompt_end_scan(t: &str) -> Option<&str> {
    for sep in ["$ ", "# ", "> "] {
        if let Some(pos) = t.find(sep) {
            let before = t.get(..pos)?;
            let prompt_like = before.is_empty()
                || (!before.contains(' ') && (before.contains('@') || before.contains(':')))
                || (before.starts_with('[') && before.ends_with(']'));
            if prompt_like {
                return Some(t.get(pos + sep.len()..)?.trim_start());
            }
        }
    }
    Some(t)
}

/// [`prompt_end_scan`] for a line that does not start with `[`, without
/// searching the whole line: a prompt before `$ `/`# `/`> ` then has no
/// space, so the separator can only end the first space-delimited word.
fn prompt_end_first_word(t: &str) -> Option<&str> {
    let Some(sp) = t.bytes().position(|b| b == b' ') else {
        return Some(t);
    };
    let Some(mark) = sp.checked_sub(1) else {
        return Some(t);
    };
    let before = t.get(..mark)?;
    let ends_prompt = matches!(t.as_bytes().get(mark), Some(b'$' | b'#' | b'>'));
    if ends_prompt && (before.is_empty() || before.contains(['@', ':'])) {
        return Some(t.get(sp + 1..)?.trim_start());
    }
    Some(t)
}

fn parse_policy(p: &str) -> Option<Policy> {
    match p {
        "ACCEPT" => Some(Policy::Accept),
        "DROP" => Some(Policy::Drop),
        _ => None,
    }
}

fn proto_name(p: &str) -> &str {
    match p {
        "6" | "TCP" => "tcp",
        "17" | "UDP" => "udp",
        "1" | "ICMP" => "icmp",
        "58" | "icmpv6" | "ipv6-icmp" | "icmp6" => "ipv6-icmp",
        "132" => "sctp",
        "136" => "udplite",
        "47" => "gre",
        "50" => "esp",
        "51" => "ah",
        "0" => "all",
        _ => p,
    }
}

fn target_action(target: &str, goto: bool, reject_with: Option<String>) -> Action {
    match target {
        "ACCEPT" => Action::Accept,
        "DROP" => Action::Drop,
        // An empty string is filled with the family's default later.
        "REJECT" => Action::Reject(reject_with.unwrap_or_default()),
        "RETURN" => Action::Return,
        "LOG" | "NFLOG" | "ULOG" | "MARK" | "CONNMARK" | "CT" | "NOTRACK" | "TCPMSS"
        | "CHECKSUM" | "SET" | "TRACE" | "AUDIT" | "CLASSIFY" | "TOS" | "DSCP" | "TTL" | "HL"
        | "SECMARK" | "CONNSECMARK" | "SNAT" | "MASQUERADE" | "IDLETIMER" | "LED" | "TEE" => {
            Action::Continue
        }
        "DNAT" | "REDIRECT" | "NETMAP" => Action::Unknown(format!(
            "{target}: the connection is redirected; another chain or port decides its fate"
        )),
        "TARPIT" | "QUEUE" | "NFQUEUE" | "DELUDE" | "CHAOS" => {
            Action::Unknown(format!("target {target}"))
        }
        chain if goto => Action::Goto(chain.to_string()),
        chain => Action::Jump(chain.to_string()),
    }
}

/// Words that start the target part of `iptables -L` match text.
fn is_target_section(t: &str, target: &str) -> bool {
    !matches!(target, "ACCEPT" | "DROP" | "REJECT" | "RETURN" | "")
        && (t.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            || t.starts_with("to:")
            || matches!(t, "redir" | "masq" | "prefix" | "flags" | "level"))
}

fn parse_addrs(v: &str) -> Option<AddrSet> {
    if !v.contains(',') {
        let r = match fast_v4(v) {
            Some(r) => r,
            None => AddrRange::parse(v)?,
        };
        return Some(AddrSet::from_ranges([r]));
    }
    let mut out = Vec::new();
    for part in v.split(',') {
        out.push(match fast_v4(part) {
            Some(r) => r,
            None => AddrRange::parse(part)?,
        });
    }
    Some(AddrSet::from_ranges(out))
}

fn parse_iprange(v: &str) -> Option<AddrSet> {
    let (a, b) = v.split_once('-').unwrap_or((v, v));
    let a = AddrRange::parse(a)?;
    let b = AddrRange::parse(b)?;
    if a.family != b.family || a.first > b.last {
        return None;
    }
    Some(AddrSet::from_ranges([AddrRange {
        family: a.family,
        first: a.first,
        last: b.last,
    }]))
}

/// Port lists: `443`, `1000:2000`, `:1024`, `80,443,8000:8100`, service names.
pub(crate) fn parse_ports(v: &str) -> Option<PortSet> {
    if let Ok(p) = v.parse::<u16>() {
        // The common single port: nothing to sort or merge.
        return Some(PortSet(vec![(p, p)]));
    }
    let mut out: Vec<(u16, u16)> = Vec::new();
    for part in v.split(',') {
        let part = part.trim();
        let (lo, hi) = match part.split_once([':', '-']) {
            Some((a, b)) => (
                if a.is_empty() { 0 } else { port(a)? },
                if b.is_empty() { u16::MAX } else { port(b)? },
            ),
            None => {
                let p = port(part)?;
                (p, p)
            }
        };
        out.push((lo.min(hi), lo.max(hi)));
    }
    out.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::with_capacity(out.len());
    for (lo, hi) in out {
        if let Some(last) = merged.last_mut() {
            if u32::from(lo) <= u32::from(last.1) + 1 {
                last.1 = last.1.max(hi);
                continue;
            }
        }
        merged.push((lo, hi));
    }
    Some(PortSet(merged))
}

fn port(s: &str) -> Option<u16> {
    if let Ok(p) = s.parse::<u16>() {
        return Some(p);
    }
    // The names `iptables -L` prints without `-n` (from /etc/services).
    Some(match s {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "http" | "www" => 80,
        "kerberos" => 88,
        "pop3" => 110,
        "sunrpc" => 111,
        "ntp" => 123,
        "imap2" | "imap" => 143,
        "snmp" => 161,
        "ldap" => 389,
        "https" => 443,
        "submissions" | "smtps" | "urd" => 465,
        "submission" => 587,
        "imaps" => 993,
        "pop3s" => 995,
        "openvpn" => 1194,
        "mysql" => 3306,
        "ms-wbt-server" => 3389,
        "postgresql" => 5432,
        "http-alt" | "webcache" => 8080,
        _ => return None,
    })
}

/// TCP flag masks as iptables writes them: `SYN,RST,ACK,FIN`, `ALL`,
/// `NONE`, or hex `0x17` in `iptables -L -n`.
fn tcp_flag_bits(s: &str) -> Option<u8> {
    if let Some(h) = s.strip_prefix("0x") {
        return u8::from_str_radix(h, 16).ok();
    }
    let mut bits = 0u8;
    for f in s.split(',') {
        bits |= match f {
            "FIN" => 0x01,
            "SYN" => 0x02,
            "RST" => 0x04,
            "PSH" => 0x08,
            "ACK" => 0x10,
            "URG" => 0x20,
            "ECE" => 0x40,
            "CWR" => 0x80,
            "ALL" => 0xff,
            "NONE" => 0,
            _ => return None,
        };
    }
    Some(bits)
}

/// `char::is_whitespace` for an ASCII byte (it includes vertical tab).
fn is_ascii_space(b: u8) -> bool {
    BYTE_CLASS.get(usize::from(b)).copied().unwrap_or(0) & SPACE != 0
}

const SPACE: u8 = 1;
const QUOTE: u8 = 2;

/// Per byte: [`SPACE`] for what `char::is_whitespace` accepts in ASCII,
/// [`QUOTE`] for the shell quoting characters.
const BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[0x0b] = SPACE;
    t[0x0c] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[b'"' as usize] = QUOTE;
    t[b'\'' as usize] = QUOTE;
    t[b'\\' as usize] = QUOTE;
    t
};

/// Split a shell-quoted line into words. Words without quotes or escapes
/// borrow from the input.
pub(crate) fn tokenize(s: &str) -> Result<Vec<Cow<'_, str>>, &'static str> {
    // A rule line has a dozen or two words.
    let mut out = Vec::with_capacity(24);
    // ASCII lines (nearly all) are scanned byte by byte; others by char,
    // with the same (Unicode) notion of whitespace.
    let ascii = s.is_ascii();
    let mut rest = s;
    loop {
        rest = if ascii {
            let skip = rest
                .bytes()
                .position(|b| !is_ascii_space(b))
                .unwrap_or(rest.len());
            rest.get(skip..).unwrap_or("")
        } else {
            rest.trim_start()
        };
        if rest.is_empty() {
            return Ok(out);
        }
        let (end, plain) = if ascii {
            let mut special = 0u8;
            let end = rest
                .bytes()
                .position(|b| {
                    let class = BYTE_CLASS.get(usize::from(b)).copied().unwrap_or(0);
                    special |= class;
                    class & SPACE != 0
                })
                .unwrap_or(rest.len());
            (end, special & QUOTE == 0)
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = rest.get(..end).unwrap_or(rest);
            (end, !word.contains(['"', '\'', '\\']))
        };
        if plain {
            out.push(Cow::Borrowed(rest.get(..end).unwrap_or(rest)));
            rest = rest.get(end..).unwrap_or("");
            continue;
        }
        let mut buf = String::new();
        let mut chars = rest.char_indices();
        let mut consumed = rest.len();
        let mut quote: Option<char> = None;
        while let Some((idx, c)) = chars.next() {
            match (quote, c) {
                (None, c) if c.is_whitespace() => {
                    consumed = idx;
                    break;
                }
                (None, '"' | '\'') => quote = Some(c),
                (None, '\\') | (Some('"'), '\\') => match chars.next() {
                    Some((_, n)) => {
                        if quote.is_some() && !matches!(n, '"' | '\\' | '$' | '`') {
                            buf.push('\\');
                        }
                        buf.push(n);
                    }
                    None => return Err("line ends with a backslash"),
                },
                (Some(q), c) if c == q => quote = None,
                (_, c) => buf.push(c),
            }
        }
        if quote.is_some() {
            return Err("unterminated quote");
        }
        out.push(Cow::Owned(buf));
        rest = rest.get(consumed..).unwrap_or("");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines;

    #[test]
    fn tokenizes_quotes_and_escapes() {
        let t = tokenize(r#"-A INPUT -m comment --comment "allow cf \"x\"" -j ACCEPT 'a b'"#);
        let t: Vec<String> = t
            .unwrap_or_default()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            t,
            vec![
                "-A",
                "INPUT",
                "-m",
                "comment",
                "--comment",
                "allow cf \"x\"",
                "-j",
                "ACCEPT",
                "a b"
            ]
        );
        assert!(tokenize("\"open").is_err());
    }

    #[test]
    fn fast_v4_agrees_with_the_general_parser() {
        for t in [
            "1.2.3.4",
            "1.2.3.4/32",
            "10.0.0.0/8",
            "0.0.0.0/0",
            "255.255.255.255",
            "192.168.1.77/24",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.4/33",
            "1.2.3.4/024",
            "1.2.3.4/+8",
            "1.2.3.4/",
            "1.2.3.4/255.255.255.0",
            " 1.2.3.4",
            "1.2.3.4 ",
            "::1",
            "1.2.3.4x",
            "1..3.4",
            "",
        ] {
            let fast = fast_v4(t);
            if fast.is_some() {
                assert_eq!(fast, AddrRange::parse(t), "{t}");
            }
            assert_eq!(
                parse_addrs(t).map(|s| s.ranges().to_vec()),
                AddrRange::parse(t).map(|r| vec![r]),
                "{t}"
            );
        }
    }

    #[test]
    fn prompt_shortcut_agrees_with_the_scan() {
        for t in [
            "$ sudo iptables -S",
            "# iptables -S",
            "root@web:~# iptables-save",
            "web:~> iptables -L",
            "-A INPUT -m comment --comment \"a$ b\" -j ACCEPT",
            "-A$ INPUT",
            "a:b$ iptables -S",
            "x\ty@h# iptables -S",
            "#",
            "$",
            "iptables -S",
            "noprompt# iptables -S",
        ] {
            assert_eq!(prompt_end_first_word(t), prompt_end_scan(t), "{t}");
        }
    }

    #[test]
    fn tokenizer_whitespace_is_unicode_whitespace() {
        let words = |s: &str| -> Vec<String> {
            tokenize(s)
                .unwrap_or_default()
                .iter()
                .map(|c| c.to_string())
                .collect()
        };
        assert_eq!(
            words("-A\x0bINPUT\t-j  ACCEPT"),
            vec!["-A", "INPUT", "-j", "ACCEPT"]
        );
        assert_eq!(words("-A\u{a0}INPUT é"), vec!["-A", "INPUT", "é"]);
        assert_eq!(words("  a'b c'd  "), vec!["ab cd"]);
    }

    #[test]
    fn ports_and_flags() {
        assert_eq!(
            parse_ports("443,80,1000:2000,https").map(|p| p.0),
            Some(vec![(80, 80), (443, 443), (1000, 2000)])
        );
        assert_eq!(parse_ports(":1024").map(|p| p.0), Some(vec![(0, 1024)]));
        assert_eq!(parse_ports("nosuch"), None);
        assert_eq!(tcp_flag_bits("FIN,SYN,RST,ACK"), Some(0x17));
        assert_eq!(tcp_flag_bits("0x02"), Some(2));
    }

    #[test]
    fn prompts_are_commands_not_comments() {
        assert!(command_line("# iptables -S").is_some());
        assert!(command_line("root@web:~# iptables-save").is_some());
        assert!(command_line("[root@web ~]# ip6tables -nvL").is_some());
        assert!(command_line("$ sudo iptables -L -n -v").is_some());
        assert!(command_line("# Generated by iptables-save v1.8.7").is_none());
        assert!(command_line("-A INPUT -j ACCEPT").is_none());
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
}
