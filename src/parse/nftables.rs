//! `nft list ruleset` (also `nft list table ...`, `nft list chain ...`, with
//! or without `-a` handles and `-n`/`-nn`, and `/etc/nftables.conf`-style
//! files) into the normalized [`Ruleset`].
//!
//! **Guarantees:** linear in the input (a 50,000-element set is one pass);
//! never panics; every line is either understood (possibly as an
//! [`Match::Unknown`] the evaluator decides both ways) or reported in
//! `not_understood`. Tables `ip`, `ip6` and `inet` are read; `arp`,
//! `bridge` and `netdev` tables are skipped with a note. Only `type filter`
//! base chains on the `ingress` (inet), `prerouting` and `input` hooks become
//! entry chains, ordered by hook then numeric priority. Set names are
//! qualified `family table/name` in both [`NamedSet::name`] and
//! [`Match::NamedSource`]; chain names are qualified the same way only when
//! two tables use the same chain name.

use std::collections::HashMap;

use crate::firewall::model::Undecided;
use crate::firewall::model::{
    Action, Chain, ChainId, Dialect, Match, NamedSet, Policy, PortSet, Rule, Ruleset, SourceLine,
};
use crate::net::{AddrRange, AddrSet, Family};
use crate::text::{Line, NotUnderstood};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tk {
    Word,
    Str,
    LBrace,
    RBrace,
    Semi,
    Comma,
    Newline,
    Comment,
}

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    kind: Tk,
    text: &'a str,
    /// Index into the `lines` slice.
    line: usize,
}

impl Tok<'_> {
    fn is_word(&self, w: &str) -> bool {
        self.kind == Tk::Word && self.text == w
    }
}

/// A shell prompt or the command itself (`$ sudo nft list ruleset`,
/// `root@host:~# nft -a list ruleset`): not part of the ruleset.
fn is_prompt(text: &str) -> bool {
    let t = text.trim();
    let mut words = t.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    if matches!(first, "table" | "chain" | "set" | "map") {
        return false;
    }
    let has_nft = t
        .split_whitespace()
        .any(|w| w == "nft" || w.ends_with("/nft"));
    has_nft
        && (first == "$"
            || first == "#"
            || first == "sudo"
            || first == "nft"
            || first.ends_with('$')
            || first.ends_with('#')
            || first.ends_with('>')
            || first.ends_with('%'))
}

fn tokenize<'a>(lines: &[Line<'a>], out: &mut Vec<Tok<'a>>) {
    for (idx, line) in lines.iter().enumerate() {
        let text = line.text;
        // Blank by the pipeline's measure (`trim`, which also strips a
        // vertical tab or a no-break space): nothing to read or to reject.
        if is_prompt(text) || text.trim().is_empty() {
            continue;
        }
        let b = text.as_bytes();
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            let single = match c {
                b'{' => Some(Tk::LBrace),
                b'}' => Some(Tk::RBrace),
                b';' => Some(Tk::Semi),
                b',' => Some(Tk::Comma),
                _ => None,
            };
            if let Some(kind) = single {
                out.push(Tok {
                    kind,
                    text: text.get(i..i + 1).unwrap_or(""),
                    line: idx,
                });
                i += 1;
                continue;
            }
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            if c == b'"' {
                let start = i + 1;
                let end = b
                    .get(start..)
                    .and_then(|r| r.iter().position(|&x| x == b'"'))
                    .map_or(b.len(), |p| start + p);
                out.push(Tok {
                    kind: Tk::Str,
                    text: text.get(start..end).unwrap_or(""),
                    line: idx,
                });
                i = end + 1;
                continue;
            }
            if c == b'#' {
                out.push(Tok {
                    kind: Tk::Comment,
                    text: text.get(i + 1..).unwrap_or("").trim(),
                    line: idx,
                });
                break;
            }
            let start = i;
            while let Some(&x) = b.get(i) {
                if x.is_ascii_whitespace() || matches!(x, b'{' | b'}' | b';' | b',' | b'"' | b'#') {
                    break;
                }
                i += 1;
            }
            out.push(Tok {
                kind: Tk::Word,
                text: text.get(start..i).unwrap_or(""),
                line: idx,
            });
        }
        out.push(Tok {
            kind: Tk::Newline,
            text: "",
            line: idx,
        });
    }
}

/// iptables-nft prints a match nft cannot translate as a comment that
/// swallows the rest of the rule: `# xt_addrtype counter packets 0 ... return`.
fn is_xt_comment(text: &str) -> bool {
    text.starts_with("xt_") || text.contains("counter packets")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    Normal,
    Open,
    Close,
    Eof,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TableFamily {
    Ip,
    Ip6,
    Inet,
}

impl TableFamily {
    fn families(self) -> Vec<Family> {
        match self {
            TableFamily::Ip => vec![Family::V4],
            TableFamily::Ip6 => vec![Family::V6],
            TableFamily::Inet => vec![Family::V4, Family::V6],
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SetKind {
    Unknown,
    Addr,
    Port,
    Ifname,
    Other,
}

#[derive(Default)]
struct SetDef<'a> {
    kind: Option<SetKind>,
    is_map: bool,
    line: usize,
    addrs: Vec<AddrRange>,
    ports: Vec<(u16, u16)>,
    names: Vec<String>,
    /// Map entries: key tokens, value tokens.
    entries: Vec<(Vec<Tok<'a>>, Vec<Tok<'a>>)>,
    dynamic: bool,
}

struct BaseHook<'a> {
    kind: &'a str,
    hook: &'a str,
    priority: Option<i64>,
}

struct RawChain<'a> {
    name: &'a str,
    line: usize,
    hook: Option<BaseHook<'a>>,
    policy: Option<(Policy, usize)>,
    /// Each rule's tokens, as a range of its table's `rule_toks`.
    rules: Vec<std::ops::Range<usize>>,
}

struct Table<'a> {
    family: TableFamily,
    key: String,
    sets: HashMap<&'a str, SetDef<'a>>,
    chains: Vec<RawChain<'a>>,
    /// The tokens of all rules of the table's chains, one after another:
    /// one buffer instead of one allocation per rule.
    rule_toks: Vec<Tok<'a>>,
}

#[derive(Clone, Copy)]
enum Ctx {
    Top,
    Table(usize),
    Chain(usize, usize),
    /// A named set or map of a table; its name is on a side stack.
    Set(usize),
    Skip,
}

struct State<'a, 'l> {
    lines: &'l [Line<'a>],
    bad: Vec<bool>,
    not_understood: Vec<NotUnderstood>,
    notes: Vec<String>,
    tables: Vec<Table<'a>>,
    /// The chain (table, chain index) the paste ends inside, and the index
    /// of its last line: rules after the cut are not shown.
    cut: Option<(usize, usize, usize)>,
}

impl<'a> State<'a, '_> {
    fn reject(&mut self, idx: usize, reason: &str) {
        if let Some(flag) = self.bad.get_mut(idx) {
            if !*flag {
                *flag = true;
                if let Some(line) = self.lines.get(idx) {
                    self.not_understood.push(NotUnderstood::new(*line, reason));
                }
            }
        }
    }

    fn note(&mut self, s: String) {
        if !self.notes.contains(&s) {
            self.notes.push(s);
        }
    }

    fn line_no(&self, idx: usize) -> usize {
        self.lines.get(idx).map_or(idx + 1, |l| l.no)
    }

    fn source(&self, idx: usize) -> SourceLine {
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

/// Reads one statement: tokens up to a newline or `;` outside braces, or up
/// to a `{` that opens a block (when `blocks` is set), or a `}` closing the
/// current block.
fn next_stmt<'a>(toks: &[Tok<'a>], pos: &mut usize, blocks: bool, out: &mut Vec<Tok<'a>>) -> End {
    out.clear();
    let mut depth = 0usize;
    while let Some(t) = toks.get(*pos) {
        *pos += 1;
        match t.kind {
            Tk::Newline | Tk::Semi if depth == 0 => {
                if out
                    .iter()
                    .any(|t| t.kind != Tk::Comment || is_xt_comment(t.text))
                {
                    return End::Normal;
                }
                out.clear();
            }
            Tk::Newline => {}
            Tk::LBrace if depth == 0 && blocks => return End::Open,
            Tk::LBrace => {
                depth += 1;
                out.push(*t);
            }
            Tk::RBrace if depth == 0 => return End::Close,
            Tk::RBrace => {
                depth -= 1;
                out.push(*t);
            }
            _ => out.push(*t),
        }
    }
    End::Eof
}

/// Parse an `nft list ruleset` dump. `input` names the paste.
pub fn parse(input: &str, lines: &[Line<'_>]) -> Ruleset {
    // About one token per four bytes in real rulesets; sized up front so a
    // large paste is not copied while it grows.
    let bytes: usize = lines.iter().map(|l| l.text.len()).sum();
    let mut toks = Vec::with_capacity(lines.len() + bytes / 4);
    tokenize(lines, &mut toks);
    let mut st = State {
        lines,
        bad: vec![false; lines.len()],
        not_understood: Vec::new(),
        notes: Vec::new(),
        tables: Vec::new(),
        cut: None,
    };
    read_structure(&mut st, &toks);
    let mut rs = build(&mut st, input);
    rs.understood_lines = lines
        .iter()
        .zip(st.bad.iter())
        .filter(|(l, bad)| !**bad && !l.text.trim().is_empty())
        .count();
    rs.not_understood = std::mem::take(&mut st.not_understood);
    rs.not_understood.sort_by_key(|n| n.line);
    rs.notes = std::mem::take(&mut st.notes);
    rs
}

fn read_structure<'a>(st: &mut State<'a, '_>, toks: &[Tok<'a>]) {
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

fn open_block<'a>(
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

fn statement<'a>(
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

fn chain_statement<'a>(
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
fn parse_priority(words: &[&str]) -> Option<i64> {
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

fn set_statement<'a>(
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

fn add_element(set: &mut SetDef<'_>, text: &str) -> bool {
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

/// Elements of a brace list, split at top-level commas.
fn split_elems<'t, 'a>(inner: &'t [Tok<'a>]) -> Vec<&'t [Tok<'a>]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in inner.iter().enumerate() {
        match t.kind {
            Tk::LBrace => depth += 1,
            Tk::RBrace => depth = depth.saturating_sub(1),
            Tk::Comma if depth == 0 => {
                if let Some(e) = inner.get(start..i) {
                    if !e.is_empty() {
                        out.push(e);
                    }
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some(e) = inner.get(start..) {
        if !e.is_empty() {
            out.push(e);
        }
    }
    out
}

/// `1.2.3.0/24`, `1.2.3.4`, `1.2.3.4-1.2.3.9`, IPv6 alike.
fn parse_addr(text: &str) -> Option<AddrRange> {
    if let Some(r) = crate::net::fast_v4(text).or_else(|| AddrRange::parse(text)) {
        return Some(r);
    }
    let (a, b) = text.split_once('-')?;
    let a = AddrRange::parse(a)?;
    let b = AddrRange::parse(b)?;
    (a.family == b.family && a.first <= b.last).then_some(AddrRange {
        family: a.family,
        first: a.first,
        last: b.last,
    })
}

fn service_port(name: &str) -> Option<u16> {
    Some(match name {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "http" | "www" => 80,
        "kerberos" => 88,
        "pop3" => 110,
        "ntp" => 123,
        "imap" | "imap2" => 143,
        "snmp" => 161,
        "bgp" => 179,
        "ldap" => 389,
        "https" => 443,
        "submissions" | "smtps" | "urd" => 465,
        "submission" => 587,
        "ldaps" => 636,
        "rsync" => 873,
        "imaps" => 993,
        "pop3s" => 995,
        "openvpn" => 1194,
        "mysql" => 3306,
        "ms-wbt-server" => 3389,
        "sip" => 5060,
        "postgresql" => 5432,
        "redis" => 6379,
        "http-alt" | "webcache" => 8080,
        _ => return None,
    })
}

fn port_value(text: &str) -> Option<u16> {
    text.parse().ok().or_else(|| service_port(text))
}

fn parse_port(text: &str) -> Option<(u16, u16)> {
    if let Some(p) = port_value(text) {
        return Some((p, p));
    }
    let (a, b) = text.split_once('-')?;
    let (a, b) = (port_value(a)?, port_value(b)?);
    (a <= b).then_some((a, b))
}

fn port_set(mut v: Vec<(u16, u16)>) -> PortSet {
    v.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(v.len());
    for (lo, hi) in v {
        if let Some(last) = out.last_mut() {
            if u32::from(last.1) + 1 >= u32::from(lo) {
                last.1 = last.1.max(hi);
                continue;
            }
        }
        out.push((lo, hi));
    }
    PortSet(out)
}

// ---------------------------------------------------------------------------
// Phase 2: rules.

/// What a rule's right-hand side was.
enum Rhs<'t, 'a> {
    Values(Vec<&'a str>),
    Set(Vec<&'t [Tok<'a>]>),
    Named(&'a str),
    Vmap(Vec<&'t [Tok<'a>]>),
    VmapNamed(&'a str),
    Weird,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sel {
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
enum Cond {
    Always,
    Never,
    Match(Vec<Match>),
    /// One of these holds (a set of interface names): the rule is expanded.
    Any(Vec<Match>),
}

struct RuleOut {
    /// Conjunction groups; a group with several alternatives expands the rule.
    conj: Vec<Match>,
    alts: Vec<Vec<Match>>,
    vmap: Option<Vec<(Vec<Match>, Action)>>,
    action: Option<Action>,
    never: bool,
    known: usize,
    comment_verdict: Option<Action>,
}

const KEYWORDS: &[&str] = &[
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

fn is_keyword(t: &Tok<'_>) -> bool {
    t.kind == Tk::Word && KEYWORDS.contains(&t.text)
}

struct Conv<'t, 'a, 's> {
    toks: &'t [Tok<'a>],
    pos: usize,
    table: &'s Table<'a>,
    names: &'s dyn Fn(&str) -> String,
    out: RuleOut,
    notes: Vec<String>,
}

impl<'t, 'a> Conv<'t, 'a, '_> {
    fn peek(&self) -> Option<&'t Tok<'a>> {
        self.toks.get(self.pos)
    }
    fn peek_word(&self) -> Option<&'a str> {
        self.peek().filter(|t| t.kind == Tk::Word).map(|t| t.text)
    }
    fn bump(&mut self) -> Option<&'t Tok<'a>> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
    fn text_from(&self, start: usize) -> String {
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
    fn skip_to_keyword(&mut self) {
        while let Some(t) = self.peek() {
            if is_keyword(t) || t.kind == Tk::Comment {
                break;
            }
            self.skip_value();
        }
    }
    /// Skip one value: a word, string or a whole brace group.
    fn skip_value(&mut self) {
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
    fn brace_group(&mut self) -> Vec<&'t [Tok<'a>]> {
        // At `{`.
        let start = self.pos + 1;
        self.skip_value();
        let end = self.pos.saturating_sub(1);
        let inner = self.toks.get(start..end).unwrap_or(&[]);
        split_elems(inner)
    }

    fn unknown(&mut self, start: usize) {
        let text = self.text_from(start);
        self.out.conj.push(Match::Unknown {
            text,
            why: Undecided::NotUnderstood,
        });
    }

    fn rhs(&mut self) -> (bool, Rhs<'t, 'a>) {
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

    fn verdict(toks: &[Tok<'a>], names: &dyn Fn(&str) -> String) -> Option<Action> {
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
    fn apply(&mut self, sel: Sel, start: usize, negated: bool, rhs: Rhs<'t, 'a>) {
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

    fn vmap(&mut self, sel: Sel, start: usize, entries: &[(&[Tok<'a>], &[Tok<'a>])]) {
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

    fn push_cond(&mut self, cond: Option<Cond>, start: usize) {
        match cond {
            Some(Cond::Always) => {}
            Some(Cond::Never) => self.out.never = true,
            Some(Cond::Match(m)) => self.out.conj.extend(m),
            Some(Cond::Any(a)) => self.out.alts.push(a),
            None => self.unknown(start),
        }
    }

    fn named(&mut self, sel: Sel, negated: bool, name: &str, start: usize) {
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
                let ports = port_set(s.ports.clone());
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

    fn run(&mut self) {
        // long: the statement grammar of nft rules in one loop over tokens; issue 15 item 5 splits
        // nftables along lex/structure/expr/build.
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

    fn meta(&mut self, key: &'a str, start: usize) {
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

    fn selector(&mut self, sel: Option<Sel>, family: Option<Family>, start: usize) {
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

    fn tcp_flags(&mut self, start: usize) {
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

fn comment_verdict(text: &str, names: &dyn Fn(&str) -> String) -> Option<Action> {
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

fn join_text(toks: &[Tok<'_>]) -> String {
    toks.iter().map(|t| t.text).collect::<Vec<_>>().join(" ")
}

fn reject_text(with: &[&str]) -> String {
    if with.is_empty() {
        return "icmp port-unreachable".to_string();
    }
    with.iter()
        .filter(|w| **w != "type")
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn flag_bit(name: &str) -> Option<u8> {
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

fn flags_value(words: &[&str]) -> Option<u8> {
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
fn eval_flags(expr: &[&str]) -> Option<bool> {
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

fn proto_match(p: &str) -> Match {
    Match::Protocol {
        names: vec![p.to_string()],
        negated: false,
    }
}

/// The matches a selector implies (`ip saddr` implies IPv4), without
/// allocating a list for them.
fn implied(sel: Sel) -> [Option<Match>; 2] {
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

fn proto_name(v: &str) -> String {
    match v {
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        "58" | "icmpv6" => "ipv6-icmp".to_string(),
        other => other.to_ascii_lowercase(),
    }
}

/// The condition of `selector [!=] v1, v2...` (a set: any of them).
fn value_cond(sel: Sel, negated: bool, vals: &[&str]) -> Option<Cond> {
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
            let ports = port_set(ports?);
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

// ---------------------------------------------------------------------------

fn build(st: &mut State<'_, '_>, input: &str) -> Ruleset {
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

fn convert_rule<'a>(
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
                    source: src,
                    matches: c,
                    action: act,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_by_name_and_offset() {
        assert_eq!(parse_priority(&["filter"]), Some(0));
        assert_eq!(parse_priority(&["filter", "-", "10"]), Some(-10));
        assert_eq!(parse_priority(&["raw", "+", "10"]), Some(-290));
        assert_eq!(parse_priority(&["mangle", "-5"]), Some(-155));
        assert_eq!(parse_priority(&["-150"]), Some(-150));
        assert_eq!(parse_priority(&["security"]), Some(50));
        assert_eq!(parse_priority(&["bogus"]), None);
    }

    #[test]
    fn tcp_flags_against_a_bare_syn() {
        let e = |s: &str| eval_flags(&s.split_whitespace().collect::<Vec<_>>());
        assert_eq!(e("& (fin | syn | rst | ack) == syn"), Some(true));
        assert_eq!(e("& (fin | syn | rst | ack) != syn"), Some(false));
        assert_eq!(e("syn"), Some(true));
        assert_eq!(e("syn / fin,syn,rst,ack"), Some(true));
        assert_eq!(e("ack"), Some(false));
        assert_eq!(e("== syn|ack"), Some(false));
        assert_eq!(e("& (syn | rst) == syn | rst"), Some(false));
        assert_eq!(e("bogus"), None);
    }

    #[test]
    fn garbage_never_panics_and_is_reported() {
        for text in [
            "}}}{{{",
            "table",
            "table inet x {\n\tchain y {\n\t\tip saddr { 1.2.3.4,\n",
            "table inet x { chain y { tcp dport vmap { : , : } ; ip saddr != ; } }",
            "\"unterminated",
            "table ip6 t { set s { type ipv6_addr; elements = { zz, ::1-::0 } } }",
        ] {
            let rs = parse("g", &crate::text::lines(text));
            assert!(rs.understood_lines + rs.not_understood.len() <= text.lines().count() + 1);
        }
        let rs = parse("g", &crate::text::lines("hello world\n"));
        assert_eq!(rs.not_understood.len(), 1);
    }

    #[test]
    fn prompts_are_not_rules() {
        assert!(is_prompt("$ sudo nft list ruleset"));
        assert!(is_prompt("root@host:~# nft -a list ruleset"));
        assert!(is_prompt("# nft list ruleset"));
        assert!(!is_prompt("table inet nft {"));
    }
}
