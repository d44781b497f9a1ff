//! One nft rule's expressions and statements as model matches: selectors
//! (`ip saddr`, `tcp dport`, `meta l4proto`, `ct state`, ...), values, sets
//! and verdict maps, and the verdict.

use super::lex::{parse_addr, parse_port, split_elems, Tk, Tok};
use super::structure::{SetKind, Table};
use crate::firewall::model::{Action, Match, PortSet, Undecided};
use crate::net::{AddrRange, AddrSet, Family};

/// What a rule's right-hand side was.
pub(super) enum Rhs<'t, 'a> {
    Values(Vec<&'a str>),
    Set(Vec<&'t [Tok<'a>]>),
    Named(&'a str),
    Vmap(Vec<&'t [Tok<'a>]>),
    VmapNamed(&'a str),
    Weird,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Sel {
    Addr {
        family: Family,
        src: bool,
    },
    Port {
        proto: Option<&'static str>,
        dst: bool,
    },
    L4proto {
        family: Option<Family>,
    },
    Nfproto,
    Iif,
    CtState,
    FibDaddrType,
    PktType,
    Icmp {
        family: Family,
    },
}

/// The outcome of one selector against a value.
pub(super) enum Cond {
    Always,
    Never,
    Match(Vec<Match>),
    /// One of these holds (a set of interface names): the rule is expanded.
    Any(Vec<Match>),
}

pub(super) struct RuleOut {
    /// Conjunction groups; a group with several alternatives expands the rule.
    pub(super) conj: Vec<Match>,
    pub(super) alts: Vec<Vec<Match>>,
    pub(super) vmap: Option<Vec<(Vec<Match>, Action)>>,
    pub(super) action: Option<Action>,
    pub(super) never: bool,
    pub(super) known: usize,
    pub(super) comment_verdict: Option<Action>,
}

pub(super) const KEYWORDS: &[&str] = &[
    "counter",
    "log",
    "comment",
    "limit",
    "quota",
    "accept",
    "drop",
    "reject",
    "return",
    "continue",
    "jump",
    "goto",
    "queue",
    "notrack",
    "flow",
    "meta",
    "iif",
    "iifname",
    "oif",
    "oifname",
    "mark",
    "l4proto",
    "nfproto",
    "pkttype",
    "ip",
    "ip6",
    "tcp",
    "udp",
    "udplite",
    "sctp",
    "dccp",
    "th",
    "icmp",
    "icmpv6",
    "ct",
    "fib",
    "xt",
    "snat",
    "dnat",
    "masquerade",
    "redirect",
    "tproxy",
    "add",
    "update",
    "set",
    "delete",
    "synproxy",
    "dup",
    "fwd",
    "ether",
    "vlan",
    "socket",
    "rt",
    "exthdr",
    "ipsec",
    "osf",
    "skuid",
    "skgid",
    "iiftype",
    "oiftype",
];

pub(super) fn is_keyword(t: &Tok<'_>) -> bool {
    t.kind == Tk::Word && KEYWORDS.contains(&t.text)
}

pub(super) struct Conv<'t, 'a, 's> {
    pub(super) toks: &'t [Tok<'a>],
    pub(super) pos: usize,
    pub(super) table: &'s Table<'a>,
    pub(super) names: &'s dyn Fn(&str) -> String,
    pub(super) out: RuleOut,
    pub(super) notes: Vec<String>,
}

impl<'t, 'a> Conv<'t, 'a, '_> {
    pub(super) fn peek(&self) -> Option<&'t Tok<'a>> {
        self.toks.get(self.pos)
    }
    pub(super) fn peek_word(&self) -> Option<&'a str> {
        self.peek().filter(|t| t.kind == Tk::Word).map(|t| t.text)
    }
    pub(super) fn bump(&mut self) -> Option<&'t Tok<'a>> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
    pub(super) fn text_from(&self, start: usize) -> String {
        let mut s = String::new();
        for t in self.toks.get(start..self.pos).unwrap_or(&[]) {
            if !s.is_empty() && !matches!(t.kind, Tk::Comma) {
                s.push(' ');
            }
            match t.kind {
                Tk::Str => {
                    s.push('"');
                    s.push_str(t.text);
                    s.push('"');
                }
                Tk::Comment => {
                    s.push('#');
                    s.push_str(t.text);
                }
                _ => s.push_str(t.text),
            }
        }
        s
    }
    /// Skip tokens until the next keyword that starts a statement.
    pub(super) fn skip_to_keyword(&mut self) {
        while let Some(t) = self.peek() {
            if is_keyword(t) || t.kind == Tk::Comment {
                break;
            }
            self.skip_value();
        }
    }
    /// Skip one value: a word, string or a whole brace group.
    pub(super) fn skip_value(&mut self) {
        if let Some(t) = self.bump() {
            if t.kind == Tk::LBrace {
                let mut depth = 1usize;
                while let Some(t) = self.bump() {
                    match t.kind {
                        Tk::LBrace => depth += 1,
                        Tk::RBrace => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    pub(super) fn brace_group(&mut self) -> Vec<&'t [Tok<'a>]> {
        // At `{`.
        let start = self.pos + 1;
        self.skip_value();
        let end = self.pos.saturating_sub(1);
        let inner = self.toks.get(start..end).unwrap_or(&[]);
        split_elems(inner)
    }

    pub(super) fn unknown(&mut self, start: usize) {
        let text = self.text_from(start);
        self.out.conj.push(Match::Unknown {
            text,
            why: Undecided::NotUnderstood,
        });
    }

    pub(super) fn rhs(&mut self) -> (bool, Rhs<'t, 'a>) {
        let mut negated = false;
        match self.peek_word() {
            Some("!=" | "ne") => {
                negated = true;
                self.pos += 1;
            }
            Some("==" | "eq") => self.pos += 1,
            Some("<" | ">" | "<=" | ">=" | "lt" | "gt" | "le" | "ge" | "&" | "|" | "^") => {
                self.pos += 1;
                self.skip_value();
                // `& mask == value`
                if matches!(self.peek_word(), Some("==" | "!=" | "eq" | "ne")) {
                    self.pos += 1;
                    self.skip_value();
                }
                return (false, Rhs::Weird);
            }
            _ => {}
        }
        let Some(t) = self.peek() else {
            return (negated, Rhs::Weird);
        };
        match t.kind {
            Tk::LBrace => (negated, Rhs::Set(self.brace_group())),
            Tk::Word if t.text == "vmap" => {
                self.pos += 1;
                match self.peek() {
                    Some(t) if t.kind == Tk::LBrace => (negated, Rhs::Vmap(self.brace_group())),
                    Some(t) if t.text.starts_with('@') => {
                        self.pos += 1;
                        (negated, Rhs::VmapNamed(t.text.get(1..).unwrap_or("")))
                    }
                    _ => (negated, Rhs::Weird),
                }
            }
            Tk::Word if t.text == "map" => {
                self.pos += 1;
                self.skip_value();
                (negated, Rhs::Weird)
            }
            Tk::Word if t.text.starts_with('@') => {
                self.pos += 1;
                (negated, Rhs::Named(t.text.get(1..).unwrap_or("")))
            }
            Tk::Word | Tk::Str => {
                let mut vals = vec![t.text];
                self.pos += 1;
                while self.peek().is_some_and(|t| t.kind == Tk::Comma)
                    && self
                        .toks
                        .get(self.pos + 1)
                        .is_some_and(|t| matches!(t.kind, Tk::Word | Tk::Str))
                {
                    if let Some(v) = self.toks.get(self.pos + 1) {
                        vals.push(v.text);
                    }
                    self.pos += 2;
                }
                (negated, Rhs::Values(vals))
            }
            _ => (negated, Rhs::Weird),
        }
    }

    pub(super) fn verdict(toks: &[Tok<'a>], names: &dyn Fn(&str) -> String) -> Option<Action> {
        let w0 = toks.first()?.text;
        let w1 = toks.get(1).map(|t| t.text);
        Some(match (w0, w1) {
            ("accept", _) => Action::Accept,
            ("drop", _) => Action::Drop,
            ("return", _) => Action::Return,
            ("continue", _) => Action::Continue,
            ("jump", Some(c)) => Action::Jump(names(c)),
            ("goto", Some(c)) => Action::Goto(names(c)),
            ("reject", _) => {
                let rest: Vec<&str> = toks.iter().skip(2).map(|t| t.text).collect();
                Action::Reject(reject_text(&rest))
            }
            _ => return None,
        })
    }

    /// Turn a selector and its right-hand side into the rule's conditions.
    pub(super) fn apply(&mut self, sel: Sel, start: usize, negated: bool, rhs: Rhs<'t, 'a>) {
        let implied = implied(sel).into_iter().flatten();
        match rhs {
            Rhs::Weird => {
                self.out.conj.extend(implied);
                self.unknown(start);
            }
            Rhs::Values(vals) => {
                self.out.conj.extend(implied);
                let cond = value_cond(sel, negated, &vals);
                self.push_cond(cond, start);
            }
            Rhs::Set(elems) => {
                self.out.conj.extend(implied);
                let vals: Option<Vec<&str>> = elems
                    .iter()
                    .map(|e| match e {
                        [one] if matches!(one.kind, Tk::Word | Tk::Str) => Some(one.text),
                        _ => None,
                    })
                    .collect();
                let cond = vals.and_then(|v| value_cond(sel, negated, &v));
                self.push_cond(cond, start);
            }
            Rhs::Named(name) => {
                self.out.conj.extend(implied);
                self.named(sel, negated, name, start);
            }
            Rhs::Vmap(elems) => {
                self.out.conj.extend(implied);
                let mut entries = Vec::new();
                for e in elems {
                    let Some(sep) = e.iter().position(|t| t.is_word(":")) else {
                        continue;
                    };
                    let (k, v) = e.split_at(sep);
                    entries.push((k, v.get(1..).unwrap_or(&[])));
                }
                self.vmap(sel, start, &entries);
            }
            Rhs::VmapNamed(name) => {
                self.out.conj.extend(implied);
                let entries: Vec<(Vec<Tok<'a>>, Vec<Tok<'a>>)> = match self.table.sets.get(name) {
                    Some(s) if s.is_map => s.entries.clone(),
                    _ => {
                        self.unknown(start);
                        return;
                    }
                };
                let refs: Vec<(&[Tok<'a>], &[Tok<'a>])> = entries
                    .iter()
                    .map(|(k, v)| (k.as_slice(), v.as_slice()))
                    .collect();
                self.vmap(sel, start, &refs);
            }
        }
    }

    pub(super) fn vmap(&mut self, sel: Sel, start: usize, entries: &[(&[Tok<'a>], &[Tok<'a>])]) {
        let mut out = Vec::new();
        for (k, v) in entries {
            let action =
                Self::verdict(v, self.names).unwrap_or_else(|| Action::Unknown(join_text(v)));
            let cond = match k {
                [one] => value_cond(sel, false, &[one.text]),
                _ => None,
            };
            let matches = match cond {
                Some(Cond::Always) => vec![],
                Some(Cond::Never) => continue,
                Some(Cond::Match(m)) => m,
                Some(Cond::Any(alts)) => {
                    for a in alts {
                        out.push((vec![a], action.clone()));
                    }
                    continue;
                }
                None => vec![Match::Unknown {
                    text: format!("{} {}", self.text_from(start), join_text(k)),
                    why: Undecided::NotUnderstood,
                }],
            };
            out.push((matches, action));
        }
        self.out.vmap = Some(out);
    }

    pub(super) fn push_cond(&mut self, cond: Option<Cond>, start: usize) {
        match cond {
            Some(Cond::Always) => {}
            Some(Cond::Never) => self.out.never = true,
            Some(Cond::Match(m)) => self.out.conj.extend(m),
            Some(Cond::Any(a)) => self.out.alts.push(a),
            None => self.unknown(start),
        }
    }

    pub(super) fn named(&mut self, sel: Sel, negated: bool, name: &str, start: usize) {
        let set = self.table.sets.get(name);
        let qualified = format!("{}/{}", self.table.key, name);
        match (sel, set) {
            (Sel::Addr { src: true, .. }, Some(s)) if s.kind == Some(SetKind::Addr) => {
                self.out.conj.push(Match::NamedSource {
                    name: qualified,
                    negated,
                });
            }
            (Sel::Addr { src: true, .. }, None) => {
                self.out.conj.push(Match::NamedSource {
                    name: qualified,
                    negated,
                });
            }
            (Sel::Addr { src: false, .. }, Some(s)) if s.kind == Some(SetKind::Addr) => {
                self.out.conj.push(Match::DestAddr {
                    set: AddrSet::from_ranges(s.addrs.iter().copied()),
                    negated,
                });
            }
            (Sel::Port { dst, .. }, Some(s)) if s.kind == Some(SetKind::Port) => {
                let ports = PortSet::from_ranges(s.ports.clone());
                self.out.conj.push(if dst {
                    Match::DestPort { ports, negated }
                } else {
                    Match::SourcePort { ports, negated }
                });
            }
            (Sel::Iif, Some(s)) if s.kind == Some(SetKind::Ifname) => {
                let vals: Vec<&str> = s.names.iter().map(String::as_str).collect();
                let cond = value_cond(sel, negated, &vals);
                self.push_cond(cond, start);
            }
            _ => self.unknown(start),
        }
    }

    pub(super) fn run(&mut self) {
        // long: the statement grammar of nft rules, one arm per statement keyword, in one loop
        // because each statement consumes a varying number of tokens.
        while let Some(t) = self.peek() {
            let start = self.pos;
            match t.kind {
                Tk::Comment => {
                    self.pos += 1;
                    if t.text.starts_with("handle ") {
                        continue;
                    }
                    // An iptables-nft match nft cannot print: the comment runs
                    // to the end of the line and may hide the verdict.
                    self.out.known += 1;
                    self.out.conj.push(Match::Unknown {
                        text: format!("# {}", t.text),
                        why: Undecided::NotUnderstood,
                    });
                    self.out.comment_verdict = comment_verdict(t.text, self.names);
                    continue;
                }
                Tk::Word => {}
                _ => {
                    self.pos += 1;
                    self.unknown(start);
                    continue;
                }
            }
            let w = t.text;
            if is_keyword(t) {
                self.out.known += 1;
            }
            self.pos += 1;
            match w {
                "counter" => {
                    while matches!(self.peek_word(), Some("packets" | "bytes" | "name")) {
                        self.pos += 2;
                    }
                }
                "log" => {
                    while matches!(
                        self.peek_word(),
                        Some(
                            "prefix" | "level" | "flags" | "group" | "snaplen" | "queue-threshold"
                        )
                    ) {
                        self.pos += 1;
                        self.skip_value();
                    }
                }
                "comment" => self.skip_value(),
                "limit" => {
                    let over = self.peek_word() == Some("rate")
                        && self
                            .toks
                            .get(self.pos + 1)
                            .is_some_and(|t| t.is_word("over"));
                    if self.peek_word() == Some("name") {
                        self.pos += 2;
                        self.unknown(start);
                        continue;
                    }
                    while let Some(x) = self.peek_word() {
                        if x == "rate"
                            || x == "over"
                            || x == "burst"
                            || x == "packets"
                            || x.contains('/')
                            || x.chars().next().is_some_and(|c| c.is_ascii_digit())
                            || x.ends_with("bytes")
                        {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                    let text = self.text_from(start);
                    self.out.conj.push(Match::RateLimit {
                        text,
                        first_connection_matches: !over,
                    });
                }
                "quota" => {
                    self.skip_to_keyword();
                    self.unknown(start);
                }
                "accept" | "drop" | "return" | "continue" => {
                    self.out.action = Self::verdict(&[*t], self.names);
                }
                "jump" | "goto" => {
                    let target = self.bump().map_or("", |t| t.text);
                    self.out.action = Some(if w == "jump" {
                        Action::Jump((self.names)(target))
                    } else {
                        Action::Goto((self.names)(target))
                    });
                }
                "reject" => {
                    // `with tcp reset`, `with icmpx type admin-prohibited`,
                    // `with icmp host-prohibited`.
                    let mut rest = Vec::new();
                    if self.peek_word() == Some("with") {
                        self.pos += 1;
                        if let Some(fam) = self.bump() {
                            rest.push(fam.text);
                        }
                        if self.peek_word() == Some("type") {
                            self.pos += 1;
                        }
                        if let Some(code) = self.peek_word() {
                            rest.push(code);
                            self.pos += 1;
                        }
                    }
                    self.out.action = Some(Action::Reject(reject_text(&rest)));
                }
                "queue" => {
                    self.skip_to_keyword();
                    self.out.action = Some(Action::Unknown(self.text_from(start)));
                }
                "notrack" => {}
                "flow" => {
                    self.skip_to_keyword();
                    self.notes.push(
                        "`flow add @ft` offloads established flows only; ignored".to_string(),
                    );
                }
                "xt" => {
                    let kind = self.bump().map_or("", |t| t.text);
                    self.skip_value();
                    if kind == "target" {
                        self.out.action = Some(Action::Unknown(self.text_from(start)));
                    } else {
                        self.unknown(start);
                    }
                }
                "snat" | "dnat" | "masquerade" | "redirect" | "tproxy" => {
                    while self.peek().is_some_and(|t| !t.is_word("comment")) {
                        self.pos += 1;
                    }
                    self.out.action = Some(Action::Unknown(self.text_from(start)));
                }
                "add" | "update" | "delete" | "set" | "dup" | "fwd" | "synproxy" => {
                    // Dynamic set updates and packet copies: no verdict.
                    self.skip_value();
                    if self.peek().is_some_and(|t| t.kind == Tk::LBrace) {
                        self.skip_value();
                    } else {
                        self.skip_to_keyword();
                    }
                    if w == "synproxy" {
                        self.unknown(start);
                    }
                }
                "meta" => {
                    let key = self.bump().map_or("", |t| t.text);
                    self.meta(key, start);
                }
                "iif" | "iifname" | "oif" | "oifname" | "mark" | "l4proto" | "nfproto"
                | "pkttype" | "skuid" | "skgid" | "iiftype" | "oiftype" => self.meta(w, start),
                "ip" | "ip6" => {
                    let family = if w == "ip" { Family::V4 } else { Family::V6 };
                    let field = self.bump().map_or("", |t| t.text);
                    let sel = match field {
                        "saddr" => Some(Sel::Addr { family, src: true }),
                        "daddr" => Some(Sel::Addr { family, src: false }),
                        "protocol" | "nexthdr" => Some(Sel::L4proto {
                            family: Some(family),
                        }),
                        _ => None,
                    };
                    self.selector(sel, Some(family), start);
                }
                "tcp" | "udp" | "udplite" | "sctp" | "dccp" | "th" => {
                    let proto = match w {
                        "tcp" => Some("tcp"),
                        "udp" => Some("udp"),
                        "udplite" => Some("udplite"),
                        "sctp" => Some("sctp"),
                        "dccp" => Some("dccp"),
                        _ => None,
                    };
                    let field = self.bump().map_or("", |t| t.text);
                    if w == "tcp" && field == "flags" {
                        self.out.conj.push(Match::Protocol {
                            names: vec!["tcp".to_string()],
                            negated: false,
                        });
                        self.tcp_flags(start);
                        continue;
                    }
                    let sel = match field {
                        "dport" => Some(Sel::Port { proto, dst: true }),
                        "sport" => Some(Sel::Port { proto, dst: false }),
                        _ => None,
                    };
                    if sel.is_none() {
                        if let Some(p) = proto {
                            self.out.conj.push(proto_match(p));
                        }
                    }
                    self.selector(sel, None, start);
                }
                "icmp" | "icmpv6" => {
                    let family = if w == "icmp" { Family::V4 } else { Family::V6 };
                    self.bump();
                    self.selector(Some(Sel::Icmp { family }), None, start);
                }
                "ct" => {
                    let key = self.bump().map_or("", |t| t.text);
                    match key {
                        "state" => self.selector(Some(Sel::CtState), None, start),
                        "count" => {
                            let over = self.peek_word() == Some("over");
                            self.skip_to_keyword();
                            self.out.conj.push(Match::RateLimit {
                                text: self.text_from(start),
                                first_connection_matches: !over,
                            });
                        }
                        _ => {
                            if self.toks.get(self.pos).is_some_and(|t| t.is_word("set")) {
                                self.pos += 1;
                                self.skip_value();
                            } else {
                                self.selector(None, None, start);
                            }
                        }
                    }
                }
                "fib" => {
                    // `fib daddr type local`, `fib saddr . mark . iif oif missing`.
                    let mut words = Vec::new();
                    while let Some(x) = self.peek_word() {
                        if matches!(x, "accept" | "drop" | "reject" | "jump" | "goto" | "return") {
                            break;
                        }
                        self.pos += 1;
                        words.push(x);
                        if matches!(x, "type" | "oif" | "oifname") {
                            break;
                        }
                    }
                    if words.first() == Some(&"daddr") && words.last() == Some(&"type") {
                        self.selector(Some(Sel::FibDaddrType), None, start);
                    } else if words.first() == Some(&"saddr")
                        && matches!(words.last(), Some(&("oif" | "oifname")))
                    {
                        // Reverse-path check: a packet from a routable
                        // Internet address on the public interface passes it,
                        // so `... missing drop` never fires for it.
                        let (neg, _) = self.rhs();
                        if !neg {
                            self.out.never = true;
                        }
                        self.notes.push(format!(
                            "`{}` is a reverse-path filter; assumed to pass Internet traffic arriving on the public interface",
                            self.text_from(start)
                        ));
                    } else {
                        self.selector(None, None, start);
                    }
                }
                _ => {
                    // Not a keyword: an expression this parser does not know.
                    self.skip_to_keyword();
                    self.unknown(start);
                }
            }
        }
    }

    pub(super) fn meta(&mut self, key: &'a str, start: usize) {
        if self.peek_word() == Some("set") {
            // `meta mark set 0x1`: a mangling statement, no verdict.
            self.pos += 1;
            self.skip_value();
            return;
        }
        let sel = match key {
            "iif" | "iifname" => Some(Sel::Iif),
            "l4proto" => Some(Sel::L4proto { family: None }),
            "nfproto" | "protocol" => Some(Sel::Nfproto),
            "pkttype" => Some(Sel::PktType),
            _ => None,
        };
        self.selector(sel, None, start);
    }

    pub(super) fn selector(&mut self, sel: Option<Sel>, family: Option<Family>, start: usize) {
        let (neg, rhs) = self.rhs();
        match sel {
            Some(sel) => self.apply(sel, start, neg, rhs),
            None => {
                if let Some(family) = family {
                    self.out.conj.push(Match::Family { family });
                }
                match rhs {
                    Rhs::Vmap(_) | Rhs::VmapNamed(_) => {
                        self.out.vmap = Some(vec![(
                            vec![Match::Unknown {
                                text: self.text_from(start),
                                why: Undecided::NotUnderstood,
                            }],
                            Action::Unknown(self.text_from(start)),
                        )]);
                    }
                    _ => {
                        // Absorb the rest of the expression (`sctp chunk data exists`).
                        self.skip_to_keyword();
                        self.unknown(start);
                    }
                }
            }
        }
    }

    pub(super) fn tcp_flags(&mut self, start: usize) {
        let from = self.pos;
        while let Some(t) = self.peek() {
            let ok = match t.kind {
                Tk::Word => {
                    let x = t.text.trim_matches(|c| c == '(' || c == ')');
                    x.is_empty()
                        || matches!(x, "&" | "|" | "==" | "!=" | "/" | "eq" | "ne")
                        || x.split('|').all(|f| flag_bit(f).is_some())
                }
                Tk::Comma | Tk::LBrace | Tk::RBrace => true,
                _ => false,
            };
            if !ok {
                break;
            }
            self.pos += 1;
        }
        let expr: Vec<&str> = self
            .toks
            .get(from..self.pos)
            .unwrap_or(&[])
            .iter()
            .map(|t| t.text)
            .collect();
        match eval_flags(&expr) {
            Some(syn_matches) => self.out.conj.push(Match::TcpFlags { syn_matches }),
            None => self.unknown(start),
        }
    }
}

pub(super) fn comment_verdict(text: &str, names: &dyn Fn(&str) -> String) -> Option<Action> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let n = words.len();
    let last = *words.last()?;
    let prev = n.checked_sub(2).and_then(|i| words.get(i)).copied();
    match (prev, last) {
        (_, "accept") => Some(Action::Accept),
        (_, "drop") => Some(Action::Drop),
        (_, "return") => Some(Action::Return),
        (_, "reject") => Some(Action::Reject(reject_text(&[]))),
        (Some("jump"), c) => Some(Action::Jump(names(c))),
        (Some("goto"), c) => Some(Action::Goto(names(c))),
        _ => None,
    }
}

pub(super) fn join_text(toks: &[Tok<'_>]) -> String {
    toks.iter().map(|t| t.text).collect::<Vec<_>>().join(" ")
}

pub(super) fn reject_text(with: &[&str]) -> String {
    if with.is_empty() {
        return "icmp port-unreachable".to_string();
    }
    with.iter()
        .filter(|w| **w != "type")
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn flag_bit(name: &str) -> Option<u8> {
    Some(match name {
        "fin" => 0x01,
        "syn" => 0x02,
        "rst" => 0x04,
        "psh" => 0x08,
        "ack" => 0x10,
        "urg" => 0x20,
        "ecn" => 0x40,
        "cwr" => 0x80,
        _ => {
            let hex = name.strip_prefix("0x")?;
            return u8::from_str_radix(hex, 16).ok();
        }
    })
}

pub(super) fn flags_value(words: &[&str]) -> Option<u8> {
    let mut v = 0u8;
    let mut any = false;
    for w in words {
        for part in w.split(['|', ',', '(', ')']) {
            if part.is_empty() {
                continue;
            }
            v |= flag_bit(part)?;
            any = true;
        }
    }
    any.then_some(v)
}

/// Whether a bare SYN satisfies a `tcp flags` expression.
pub(super) fn eval_flags(expr: &[&str]) -> Option<bool> {
    const SYN: u8 = 0x02;
    let expr: Vec<&str> = expr.iter().copied().filter(|w| *w != ",").collect();
    // A set of exact values: `tcp flags { syn, syn | ack }`.
    if expr.first() == Some(&"{") {
        let inner = expr.get(1..expr.len().saturating_sub(1))?;
        let text = inner.join(" ");
        let mut hit = false;
        for elem in text.split(',') {
            let words: Vec<&str> = elem.split_whitespace().collect();
            if flags_value(&words)? == SYN {
                hit = true;
            }
        }
        return Some(hit);
    }
    let (mask, rest) = match expr.first() {
        Some(&"&") => {
            let op = expr
                .iter()
                .position(|w| matches!(*w, "==" | "!=" | "eq" | "ne"));
            match op {
                Some(i) => (Some(flags_value(expr.get(1..i)?)?), expr.get(i..)?),
                None => return Some(SYN & flags_value(expr.get(1..)?)? != 0),
            }
        }
        _ => (None, &expr[..]),
    };
    let (neg, rest) = match rest.first() {
        Some(&("==" | "eq")) => (Some(false), rest.get(1..)?),
        Some(&("!=" | "ne")) => (Some(true), rest.get(1..)?),
        _ => (None, rest),
    };
    // `syn / fin,syn,rst,ack`: value under a mask.
    let (value, mask) = match rest.iter().position(|w| *w == "/") {
        Some(i) => (
            flags_value(rest.get(..i)?)?,
            Some(flags_value(rest.get(i + 1..)?)?),
        ),
        None => (flags_value(rest)?, mask),
    };
    let result = match (mask, neg) {
        (Some(m), Some(n)) => ((SYN & m) == value) != n,
        (Some(m), None) => (SYN & m) == value,
        (None, Some(n)) => (SYN == value) != n,
        // `tcp flags syn`: the bits are set.
        (None, None) => SYN & value != 0,
    };
    Some(result)
}

pub(super) fn proto_match(p: &str) -> Match {
    Match::Protocol {
        names: vec![p.to_string()],
        negated: false,
    }
}

/// The matches a selector implies (`ip saddr` implies IPv4), without
/// allocating a list for them.
pub(super) fn implied(sel: Sel) -> [Option<Match>; 2] {
    match sel {
        Sel::Addr { family, .. }
        | Sel::L4proto {
            family: Some(family),
        } => [Some(Match::Family { family }), None],
        Sel::Port { proto: Some(p), .. } => [Some(proto_match(p)), None],
        Sel::Icmp { family } => [
            Some(Match::Family { family }),
            Some(proto_match(if family == Family::V4 {
                "icmp"
            } else {
                "ipv6-icmp"
            })),
        ],
        _ => [None, None],
    }
}

pub(super) fn proto_name(v: &str) -> String {
    match v {
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        "58" | "icmpv6" => "ipv6-icmp".to_string(),
        other => other.to_ascii_lowercase(),
    }
}

/// The condition of `selector [!=] v1, v2...` (a set: any of them).
pub(super) fn value_cond(sel: Sel, negated: bool, vals: &[&str]) -> Option<Cond> {
    Some(match sel {
        Sel::Addr { family, src } => {
            let ranges: Option<Vec<AddrRange>> = vals.iter().map(|v| parse_addr(v)).collect();
            let ranges = ranges?;
            if ranges.iter().any(|r| r.family != family) {
                return None;
            }
            let set = AddrSet::from_ranges(ranges);
            Cond::Match(vec![if src {
                Match::SourceAddr { set, negated }
            } else {
                Match::DestAddr { set, negated }
            }])
        }
        Sel::Port { dst, .. } => {
            let ports: Option<Vec<(u16, u16)>> = vals.iter().map(|v| parse_port(v)).collect();
            let ports = PortSet::from_ranges(ports?);
            Cond::Match(vec![if dst {
                Match::DestPort { ports, negated }
            } else {
                Match::SourcePort { ports, negated }
            }])
        }
        Sel::L4proto { .. } => Cond::Match(vec![Match::Protocol {
            names: vals.iter().map(|v| proto_name(v)).collect(),
            negated,
        }]),
        Sel::Nfproto => {
            let fams: Option<Vec<Family>> = vals
                .iter()
                .map(|v| match *v {
                    "ipv4" | "2" | "ip" => Some(Family::V4),
                    "ipv6" | "10" | "ip6" => Some(Family::V6),
                    _ => None,
                })
                .collect();
            let fams = fams?;
            let has = |f| fams.contains(&f) != negated;
            match (has(Family::V4), has(Family::V6)) {
                (true, true) => Cond::Always,
                (false, false) => Cond::Never,
                (true, false) => Cond::Match(vec![Match::Family { family: Family::V4 }]),
                (false, true) => Cond::Match(vec![Match::Family { family: Family::V6 }]),
            }
        }
        Sel::Iif => {
            let ms: Vec<Match> = vals
                .iter()
                .map(|v| Match::InInterface {
                    pattern: v.to_string(),
                    negated,
                })
                .collect();
            if negated || ms.len() == 1 {
                Cond::Match(ms)
            } else {
                Cond::Any(ms)
            }
        }
        Sel::CtState => Cond::Match(vec![Match::ConnState {
            states: vals.iter().map(|v| v.to_ascii_lowercase()).collect(),
            negated,
        }]),
        // A SYN to one of this host's unicast addresses.
        Sel::FibDaddrType => {
            if vals.contains(&"local") != negated {
                Cond::Always
            } else {
                Cond::Never
            }
        }
        Sel::PktType => {
            if vals.contains(&"host") != negated {
                Cond::Always
            } else {
                Cond::Never
            }
        }
        Sel::Icmp { family } => Cond::Match(vec![Match::Unknown {
            text: format!(
                "{} type {}{}",
                if family == Family::V4 {
                    "icmp"
                } else {
                    "icmpv6"
                },
                if negated { "!= " } else { "" },
                vals.join(", ")
            ),
            why: Undecided::NotUnderstood,
        }]),
    })
}
