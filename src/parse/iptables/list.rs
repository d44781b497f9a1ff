//! The `iptables -L` table reader (with or without `-n`, `-v`, `-x`,
//! `--line-numbers`).

use std::borrow::Cow;

use super::ext::{never, origin, target_action, unknown, PortDir};
use super::lex::{bang, parse_policy, tokenize};
use super::{ext, Builder, BUILTIN};
use crate::firewall::model::{Action, ChainId, Match, Origin, Rule, SourceLine, Undecided};
use crate::text::Line;

#[derive(Clone, Copy)]
pub(super) struct Cols {
    pub(super) num: bool,
    pub(super) counters: bool,
    pub(super) ifaces: bool,
}

pub(super) struct ListCtx {
    pub(super) chain: ChainId,
    pub(super) cols: Option<Cols>,
}

impl Builder {
    pub(super) fn list_header(&mut self, line: Line<'_>, rest: &str) {
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
                        c.policy_line = Some(SourceLine::from(line));
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
    pub(super) fn list_row(&mut self, line: Line<'_>, t: &str) {
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
        let (pn, neg) = bang(prot);
        m.extend(self.protocol(pn, neg));
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
                origin: origin(&c.name, &m, &action),
                source: SourceLine::from(line),
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
                    source: SourceLine::from(line),
                    matches: vec![never()],
                    action: Action::Continue,
                    origin: Origin::Filter,
                });
            }
        }
        self.understood += 1;
    }

    /// The match text `iptables -L` prints after the destination column.
    fn list_extra(&mut self, extra: &str, target: &str) -> (Vec<Match>, bool, Option<String>) {
        // long: the `-L` wording of every match extension (their meanings are in ext.rs), in one
        // loop because a word's reading depends on the words before it.
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
                        let dir = if key.starts_with('d') {
                            PortDir::Dest
                        } else {
                            PortDir::Source
                        };
                        m.push(ext::ports(dir, v, n).unwrap_or_else(|| unknown(key, v, n)));
                    }
                    "flags" => {
                        let parsed = v
                            .split_once('/')
                            .and_then(|(mask, comp)| ext::tcp_flags(mask, comp, n));
                        m.push(parsed.unwrap_or_else(|| unknown("flags", v, n)));
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
                        let dir = match kind {
                            "dports" => Some(PortDir::Dest),
                            "sports" => Some(PortDir::Source),
                            "ports" => Some(PortDir::Either),
                            _ => None,
                        };
                        m.push(
                            dir.and_then(|dir| ext::ports(dir, v, n))
                                .unwrap_or_else(|| unknown("multiport", &format!("{kind} {v}"), n)),
                        );
                    }
                    "state" | "ctstate" => {
                        let v = get(i);
                        i += 1;
                        let (v, n2) = bang(v);
                        m.push(ext::conn_state(v, n != n2));
                    }
                    "reject-with" => {
                        reject_with = Some(get(i).to_string());
                        i += 1;
                    }
                    "[goto]" => goto = true,
                    "match-set" => {
                        let (name, flags) = (get(i), get(i + 1));
                        i += 2;
                        m.push(ext::match_set(name, flags, n).unwrap_or_else(|| {
                            unknown("match-set", &format!("{name} {flags}"), n)
                        }));
                    }
                    "limit:" => {
                        // limit: `avg 3/min burst 5`; hashlimit: `up to ...`
                        // or `above ...` followed by `key value` pairs.
                        let first = get(i);
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
                        m.push(ext::limit(format!("limit: {txt}"), first == "above", n));
                    }
                    "#conn" => {
                        // `#conn src/32 > 10` or `#conn src/32 <= 10`.
                        let (op, lim) = (get(i + 1), get(i + 2));
                        i += 3;
                        m.push(ext::connlimit(
                            format!("#conn {op} {lim}"),
                            op == ">",
                            lim,
                            n,
                        ));
                    }
                    "recent:" => {
                        let what = get(i);
                        i += 1;
                        while get(i).ends_with(':') || matches!(get(i), "reap" | "rttl") {
                            i += if get(i).ends_with(':') { 2 } else { 1 };
                        }
                        m.push(ext::recent(format!("recent: {what}"), what == "SET", n));
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
                        let dest = t == "destination";
                        m.push(
                            self.range_match(v, n, dest)
                                .unwrap_or_else(|| unknown("IP range", v, n)),
                        );
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
                            m.extend(ext::addr_type(key == "dst-type", v, n != n2));
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
                        m.extend(ext::pkt_type(v, n));
                    }
                    "policy" if get(i) == "match" => {
                        // `policy match dir in pol none`
                        i += 1;
                        while matches!(get(i), "dir" | "pol") {
                            if get(i) == "pol" {
                                m.extend(ext::ipsec_policy(get(i + 1), n));
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

/// Words that start the target part of `iptables -L` match text.
fn is_target_section(t: &str, target: &str) -> bool {
    !matches!(target, "ACCEPT" | "DROP" | "REJECT" | "RETURN" | "")
        && (t.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            || t.starts_with("to:")
            || matches!(t, "redir" | "masq" | "prefix" | "flags" | "level"))
}
