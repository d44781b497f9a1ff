//! The block structure of a ruleset: tables, chains (hooks, priorities,
//! policies), named sets and maps with their elements; each chain's rules
//! kept as token ranges for the rule reader.

use std::collections::HashMap;

use super::lex::{next_stmt, parse_addr, parse_port, split_elems, End, Tk, Tok};
use crate::firewall::model::{Policy, SourceLine};
use crate::net::{AddrRange, Family};
use crate::text::{Line, NotUnderstood};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum TableFamily {
    Ip,
    Ip6,
    Inet,
}

impl TableFamily {
    pub(super) fn families(self) -> Vec<Family> {
        match self {
            TableFamily::Ip => vec![Family::V4],
            TableFamily::Ip6 => vec![Family::V6],
            TableFamily::Inet => vec![Family::V4, Family::V6],
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum SetKind {
    Unknown,
    Addr,
    Port,
    Ifname,
    Other,
}

#[derive(Default)]
pub(super) struct SetDef<'a> {
    pub(super) kind: Option<SetKind>,
    pub(super) is_map: bool,
    pub(super) line: usize,
    pub(super) addrs: Vec<AddrRange>,
    pub(super) ports: Vec<(u16, u16)>,
    pub(super) names: Vec<String>,
    /// Map entries: key tokens, value tokens.
    pub(super) entries: Vec<(Vec<Tok<'a>>, Vec<Tok<'a>>)>,
    pub(super) dynamic: bool,
}

pub(super) struct BaseHook<'a> {
    pub(super) kind: &'a str,
    pub(super) hook: &'a str,
    pub(super) priority: Option<i64>,
}

pub(super) struct RawChain<'a> {
    pub(super) name: &'a str,
    pub(super) line: usize,
    pub(super) hook: Option<BaseHook<'a>>,
    pub(super) policy: Option<(Policy, usize)>,
    /// Each rule's tokens, as a range of its table's `rule_toks`.
    pub(super) rules: Vec<std::ops::Range<usize>>,
}

pub(super) struct Table<'a> {
    pub(super) family: TableFamily,
    pub(super) key: String,
    pub(super) sets: HashMap<&'a str, SetDef<'a>>,
    pub(super) chains: Vec<RawChain<'a>>,
    /// The tokens of all rules of the table's chains, one after another:
    /// one buffer instead of one allocation per rule.
    pub(super) rule_toks: Vec<Tok<'a>>,
}

#[derive(Clone, Copy)]
pub(super) enum Ctx {
    Top,
    Table(usize),
    Chain(usize, usize),
    /// A named set or map of a table; its name is on a side stack.
    Set(usize),
    Skip,
}

pub(super) struct State<'a, 'l> {
    pub(super) lines: &'l [Line<'a>],
    pub(super) bad: Vec<bool>,
    pub(super) not_understood: Vec<NotUnderstood>,
    pub(super) notes: Vec<String>,
    pub(super) tables: Vec<Table<'a>>,
    /// The chain (table, chain index) the paste ends inside, and the index
    /// of its last line: rules after the cut are not shown.
    pub(super) cut: Option<(usize, usize, usize)>,
}

impl<'a> State<'a, '_> {
    pub(super) fn reject(&mut self, idx: usize, reason: &str) {
        if let Some(flag) = self.bad.get_mut(idx) {
            if !*flag {
                *flag = true;
                if let Some(line) = self.lines.get(idx) {
                    self.not_understood.push(NotUnderstood::new(*line, reason));
                }
            }
        }
    }

    pub(super) fn note(&mut self, s: String) {
        if !self.notes.contains(&s) {
            self.notes.push(s);
        }
    }

    pub(super) fn line_no(&self, idx: usize) -> usize {
        self.lines.get(idx).map_or(idx + 1, |l| l.no)
    }

    pub(super) fn source(&self, idx: usize) -> SourceLine {
        match self.lines.get(idx) {
            Some(l) => SourceLine {
                line: l.no,
                text: l.text.trim().to_string(),
            },
            None => SourceLine {
                line: idx + 1,
                text: String::new(),
            },
        }
    }
}
pub(super) fn read_structure<'a>(st: &mut State<'a, '_>, toks: &[Tok<'a>]) {
    let mut stack: Vec<Ctx> = vec![Ctx::Top];
    // Name of the set being read, per SetNamed context on the stack.
    let mut set_names: Vec<&'a str> = Vec::new();
    let mut pos = 0;
    let mut stmt: Vec<Tok<'a>> = Vec::new();
    loop {
        let ctx = stack.last().copied().unwrap_or(Ctx::Top);
        let blocks = matches!(ctx, Ctx::Top | Ctx::Table(_) | Ctx::Skip);
        let end = next_stmt(toks, &mut pos, blocks, &mut stmt);
        let first = stmt
            .iter()
            .find(|t| t.kind != Tk::Comment || matches!(ctx, Ctx::Chain(..)))
            .copied();
        match end {
            End::Open => {
                // A `{` with nothing before it is reported on its own line.
                let brace_line = pos
                    .checked_sub(1)
                    .and_then(|i| toks.get(i))
                    .map_or(0, |t| t.line);
                let new = open_block(st, ctx, &stmt, brace_line, &mut set_names);
                stack.push(new);
            }
            End::Normal | End::Close | End::Eof => {
                if let Some(first) = first {
                    statement(st, ctx, &stmt, first, set_names.last().copied());
                }
                if end == End::Close {
                    if let Some(Ctx::Set(_)) = stack.last() {
                        set_names.pop();
                    }
                    if stack.len() > 1 {
                        stack.pop();
                    } else if let Some(t) = toks.get(pos.saturating_sub(1)) {
                        st.reject(t.line, "closing brace without an open block");
                    }
                }
                if end == End::Eof {
                    let inner = stack.iter().rev().find_map(|c| match c {
                        Ctx::Chain(t, c) => Some((*t, *c)),
                        _ => None,
                    });
                    let last = toks
                        .iter()
                        .rev()
                        .find(|t| t.kind != Tk::Newline)
                        .map_or(0, |t| t.line);
                    if let Some((t, c)) = inner {
                        let name = st
                            .tables
                            .get(t)
                            .and_then(|tb| tb.chains.get(c))
                            .map_or("", |ch| ch.name);
                        st.note(format!(
                            "the paste stops inside chain {name} (no closing brace after line {}): the rules after it are not shown; paste the rest of `sudo nft list ruleset`",
                            st.line_no(last)
                        ));
                        st.cut = Some((t, c, last));
                    } else if stack.len() > 1 {
                        st.note(
                            "the paste ends inside an open block (truncated output?)".to_string(),
                        );
                    }
                    return;
                }
            }
        }
    }
}

pub(super) fn open_block<'a>(
    st: &mut State<'a, '_>,
    ctx: Ctx,
    head: &[Tok<'a>],
    brace_line: usize,
    set_names: &mut Vec<&'a str>,
) -> Ctx {
    let words: Vec<&Tok<'a>> = head.iter().filter(|t| t.kind != Tk::Comment).collect();
    let line = words.first().map_or(brace_line, |t| t.line);
    let w = |i: usize| words.get(i).map(|t| t.text);
    match ctx {
        Ctx::Top => {
            // `table inet filter {`, also `add table ...` in scripts.
            let off = usize::from(w(0) == Some("add") || w(0) == Some("create"));
            if w(off) != Some("table") {
                st.reject(line, "block that is not a table");
                return Ctx::Skip;
            }
            let (fam, name) = match (w(off + 1), w(off + 2)) {
                (Some(f), Some(n)) => (f, n),
                (Some(n), None) => ("ip", n),
                _ => {
                    st.reject(line, "table without a name");
                    return Ctx::Skip;
                }
            };
            let family = match fam {
                "ip" => TableFamily::Ip,
                "ip6" => TableFamily::Ip6,
                "inet" => TableFamily::Inet,
                "arp" | "bridge" | "netdev" => {
                    st.note(format!(
                        "table {fam} {name} (line {}) ignored: {fam} tables do not filter IP traffic to this host's input hook",
                        st.line_no(line)
                    ));
                    return Ctx::Skip;
                }
                _ => {
                    st.reject(line, "unknown table family");
                    return Ctx::Skip;
                }
            };
            st.tables.push(Table {
                family,
                key: format!("{fam} {name}"),
                sets: HashMap::new(),
                chains: Vec::new(),
                rule_toks: Vec::new(),
            });
            Ctx::Table(st.tables.len() - 1)
        }
        Ctx::Table(t) => match (w(0), w(1)) {
            (Some("chain"), Some(name)) => {
                let Some(table) = st.tables.get_mut(t) else {
                    return Ctx::Skip;
                };
                table.chains.push(RawChain {
                    name,
                    line,
                    hook: None,
                    policy: None,
                    rules: Vec::new(),
                });
                Ctx::Chain(t, table.chains.len() - 1)
            }
            (Some(kind @ ("set" | "map")), Some(name)) => {
                if let Some(table) = st.tables.get_mut(t) {
                    table.sets.insert(
                        name,
                        SetDef {
                            is_map: kind == "map",
                            line,
                            ..SetDef::default()
                        },
                    );
                }
                set_names.push(name);
                Ctx::Set(t)
            }
            (Some("flowtable"), _) => {
                st.note(format!(
                    "flowtable (line {}) ignored: it offloads established flows and does not decide new connections",
                    st.line_no(line)
                ));
                Ctx::Skip
            }
            (Some(_), _) => Ctx::Skip,
            _ => {
                st.reject(line, "block without a kind");
                Ctx::Skip
            }
        },
        _ => Ctx::Skip,
    }
}

pub(super) fn statement<'a>(
    st: &mut State<'a, '_>,
    ctx: Ctx,
    stmt: &[Tok<'a>],
    first: Tok<'a>,
    set_name: Option<&'a str>,
) {
    match ctx {
        Ctx::Top => match first.text {
            "flush" | "define" | "include" | "delete" | "destroy" => {}
            _ if first.text.starts_with("#!") => {}
            _ => st.reject(first.line, "not part of an nftables ruleset"),
        },
        Ctx::Table(_) => match first.text {
            "flags" | "comment" => {}
            _ => st.reject(first.line, "unknown table statement"),
        },
        Ctx::Skip => {}
        Ctx::Chain(t, c) => chain_statement(st, t, c, stmt, first),
        Ctx::Set(t) => {
            if let Some(name) = set_name {
                set_statement(st, t, name, stmt, first);
            }
        }
    }
}

pub(super) fn chain_statement<'a>(
    st: &mut State<'a, '_>,
    t: usize,
    c: usize,
    stmt: &[Tok<'a>],
    first: Tok<'a>,
) {
    let line = first.line;
    // Only chain properties need the words; a rule is stored as tokens.
    let words: Vec<&str> = if first.is_word("type") || first.is_word("policy") {
        stmt.iter()
            .filter(|t| t.kind == Tk::Word || t.kind == Tk::Str)
            .map(|t| t.text)
            .collect()
    } else {
        Vec::new()
    };
    if first.is_word("type") && words.contains(&"hook") {
        let kind = words.get(1).copied().unwrap_or("");
        let hook = words
            .iter()
            .position(|w| *w == "hook")
            .and_then(|i| words.get(i + 1))
            .copied()
            .unwrap_or("");
        let priority = words
            .iter()
            .position(|w| *w == "priority")
            .and_then(|i| words.get(i + 1..))
            .and_then(parse_priority);
        if let Some(ch) = st.tables.get_mut(t).and_then(|tb| tb.chains.get_mut(c)) {
            ch.hook = Some(BaseHook {
                kind,
                hook,
                priority,
            });
        }
        return;
    }
    if first.is_word("policy") {
        let p = match words.get(1).copied() {
            Some("drop") => Some(Policy::Drop),
            Some("accept") => Some(Policy::Accept),
            _ => None,
        };
        match p {
            Some(p) => {
                if let Some(ch) = st.tables.get_mut(t).and_then(|tb| tb.chains.get_mut(c)) {
                    ch.policy = Some((p, line));
                }
            }
            None => st.reject(line, "unknown chain policy"),
        }
        return;
    }
    if matches!(first.text, "comment" | "devices" | "device") && first.kind == Tk::Word {
        return;
    }
    if let Some(tb) = st.tables.get_mut(t) {
        if let Some(ch) = tb.chains.get_mut(c) {
            let start = tb.rule_toks.len();
            tb.rule_toks.extend_from_slice(stmt);
            ch.rules.push(start..tb.rule_toks.len());
        }
    }
}

/// `filter`, `-150`, `filter - 10`, `filter + 10`, `mangle -5`.
pub(super) fn parse_priority(words: &[&str]) -> Option<i64> {
    let first = *words.first()?;
    let base: i64 = match first {
        "raw" => -300,
        "mangle" => -150,
        "dstnat" => -100,
        "filter" => 0,
        "security" => 50,
        "srcnat" => 100,
        "out" => 100,
        other => return other.parse().ok(),
    };
    let off = match (words.get(1).copied(), words.get(2).copied()) {
        (Some("+"), Some(n)) => n.parse::<i64>().ok()?,
        (Some("-"), Some(n)) => n.parse::<i64>().ok()?.checked_neg()?,
        (Some(n), _) if n.starts_with('+') || n.starts_with('-') => n.parse().ok()?,
        _ => 0,
    };
    base.checked_add(off)
}

pub(super) fn set_statement<'a>(
    st: &mut State<'a, '_>,
    t: usize,
    name: &'a str,
    stmt: &[Tok<'a>],
    first: Tok<'a>,
) {
    let line = first.line;
    let Some(set) = st.tables.get_mut(t).and_then(|tb| tb.sets.get_mut(name)) else {
        return;
    };
    match first.text {
        "type" | "typeof" => {
            let words: Vec<&str> = stmt.iter().skip(1).map(|t| t.text).collect();
            let key: Vec<&str> = words.iter().take_while(|w| **w != ":").copied().collect();
            let kind = if key.contains(&".") && first.text == "type" {
                SetKind::Other
            } else if first.text == "typeof" {
                match key.as_slice() {
                    [_, "saddr" | "daddr"] => SetKind::Addr,
                    [_, "dport" | "sport"] => SetKind::Port,
                    ["iifname" | "oifname"] | ["meta", "iifname" | "oifname"] => SetKind::Ifname,
                    _ => SetKind::Other,
                }
            } else {
                match key.first().copied() {
                    Some("ipv4_addr" | "ipv6_addr") => SetKind::Addr,
                    Some("inet_service") => SetKind::Port,
                    Some("ifname") => SetKind::Ifname,
                    _ => SetKind::Other,
                }
            };
            set.kind = Some(kind);
        }
        "flags" => {
            if stmt
                .iter()
                .any(|t| t.text == "dynamic" || t.text == "timeout")
            {
                set.dynamic = true;
            }
        }
        "elements" => {
            let inner = stmt
                .iter()
                .position(|t| t.kind == Tk::LBrace)
                .and_then(|i| stmt.get(i + 1..))
                .unwrap_or(&[]);
            let inner = match inner.last() {
                Some(t) if t.kind == Tk::RBrace => inner.get(..inner.len() - 1).unwrap_or(&[]),
                _ => inner,
            };
            let mut bad_lines = Vec::new();
            for elem in split_elems(inner) {
                if set.is_map {
                    if let Some(sep) = elem.iter().position(|t| t.is_word(":")) {
                        let (k, v) = elem.split_at(sep);
                        set.entries
                            .push((k.to_vec(), v.get(1..).unwrap_or(&[]).to_vec()));
                        continue;
                    }
                }
                let Some(key) = elem.first() else { continue };
                if elem.iter().any(|t| t.is_word(".")) {
                    set.kind = Some(SetKind::Other);
                    continue;
                }
                if !add_element(set, key.text) {
                    bad_lines.push(key.line);
                }
            }
            for l in bad_lines {
                st.reject(l, "set element not understood");
            }
        }
        "timeout" | "gc-interval" | "size" | "policy" | "counter" | "auto-merge" | "comment" => {}
        _ => st.reject(line, "unknown set statement"),
    }
}

pub(super) fn add_element(set: &mut SetDef<'_>, text: &str) -> bool {
    let kind = set.kind.unwrap_or(SetKind::Unknown);
    if matches!(kind, SetKind::Addr | SetKind::Unknown) {
        if let Some(r) = parse_addr(text) {
            set.kind = Some(SetKind::Addr);
            set.addrs.push(r);
            return true;
        }
    }
    if matches!(kind, SetKind::Port | SetKind::Unknown) {
        if let Some(p) = parse_port(text) {
            set.kind = Some(SetKind::Port);
            set.ports.push(p);
            return true;
        }
    }
    if kind == SetKind::Ifname {
        set.names.push(text.to_string());
        return true;
    }
    kind == SetKind::Other
}
