//! Exact evaluation of a [`Ruleset`] for a new TCP connection (a bare SYN in
//! conntrack state NEW) from a set of source addresses to one port on the
//! public interface.
//!
//! **Guarantees:** the result partitions the input set (restricted to the
//! families the ruleset governs) exactly, by interval arithmetic, never by
//! sampling. A condition whose truth the paste cannot settle is followed both
//! ways: the main evaluation assumes it false while the "it holds" branch
//! runs as an *alternative stream*; wherever an alternative ends with another
//! verdict the result is [`Outcome::Unknown`] with the reason. Unknown is
//! never turned into accept or block. Alternative streams are bounded
//! ([`MAX_ALTS`]); past the bound the affected addresses become unknown.
//!
//! Cost: each rule is looked at once per stream; rules whose protocol, port,
//! state or interface cannot match are skipped without touching addresses,
//! and address matches are binary searches over the few pending ranges.

use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::model::{Action, ChainId, Dialect, Match, Origin, Policy, Rule, Ruleset, Undecided};
use crate::net::{AddrRange, AddrSet, Family};

/// What the evaluator knows about the host.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Name of the interface Cloudflare's packets arrive on, when known.
    pub public_interface: Option<String>,
    /// The origin's own addresses; empty = unknown.
    pub origin_addrs: AddrSet,
}

#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Accept,
    Reject,
    Drop,
    Unknown,
}

/// The rule that decided, quoted from its input.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
pub struct RuleRef {
    pub input: String,
    pub line: usize,
    pub text: String,
    /// The rate limit the rule matches under (`limit rate 5/second`): it
    /// decides only while connections stay below it; the rest fall
    /// through to the rules after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Why the rule is there: a ban tool's list or a limit; absent for
    /// the firewall's own filtering.
    #[serde(default, skip_serializing_if = "Origin::is_filter")]
    pub origin: Origin,
}

#[derive(Serialize, Clone, PartialEq, Eq, Debug)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reject_with: Option<String>,
    pub rule: Option<RuleRef>,
    /// e.g. "INPUT policy DROP" when the chain policy decided.
    pub policy: Option<String>,
    /// Why the outcome is unknown, or an assumption it rests on.
    pub reason: Option<String>,
    /// What is missing to decide an unknown outcome, typed.
    #[serde(skip)]
    pub undecided: Vec<Undecided>,
    /// For an outcome that hangs on one undecided condition: the outcome
    /// if it holds, and if it does not.
    #[serde(skip)]
    pub branches: Option<(Outcome, Outcome)>,
    /// The rule that decides if that condition holds.
    #[serde(skip)]
    pub alt_rule: Option<RuleRef>,
}

impl Verdict {
    fn unknown(reason: String, why: Vec<Undecided>) -> Verdict {
        Verdict {
            outcome: Outcome::Unknown,
            reason: Some(reason),
            undecided: why,
            ..Verdict::of(Outcome::Unknown)
        }
    }

    fn of(outcome: Outcome) -> Verdict {
        Verdict {
            outcome,
            reject_with: None,
            rule: None,
            policy: None,
            reason: None,
            undecided: Vec::new(),
            branches: None,
            alt_rule: None,
        }
    }

    fn describe(&self) -> String {
        let what = match self.outcome {
            Outcome::Accept => "accepted".to_string(),
            Outcome::Drop => "dropped".to_string(),
            Outcome::Reject => format!(
                "rejected ({})",
                self.reject_with.as_deref().unwrap_or("reject")
            ),
            Outcome::Unknown => "undecided".to_string(),
        };
        match (&self.rule, &self.policy) {
            (Some(r), _) => format!("{what} by line {} `{}`", r.line, r.text),
            (None, Some(p)) => format!("{what} by {p}"),
            _ => what,
        }
    }
}

/// Most alternative streams followed at once; beyond, addresses are unknown.
pub const MAX_ALTS: usize = 8;
/// Deepest chain nesting (jumps) followed; deeper means a loop.
const MAX_DEPTH: usize = 32;
/// Rule visits allowed per evaluation: a guard against rulesets whose jump
/// graph has exponentially many paths.
const MAX_WORK: usize = 20_000_000;

/// Partition of `sources` (restricted to the families the ruleset governs)
/// into sets with one verdict each.
pub fn evaluate(
    ruleset: &Ruleset,
    sources: &AddrSet,
    port: u16,
    ctx: &Context,
) -> Vec<(AddrSet, Verdict)> {
    let governed = AddrSet::from_ranges(ruleset.families.iter().map(|f| AddrRange::all(*f)));
    let set = sources.intersect(&governed);
    if set.is_empty() {
        return Vec::new();
    }
    let mut ev = Ev::new(ruleset, ctx, port);
    if ruleset.entry.is_empty() {
        let v = if ruleset.dialect == Dialect::Nftables {
            Verdict {
                reason: Some("no base chain hooks input, so nothing filters it".into()),
                ..Verdict::of(Outcome::Accept)
            }
        } else {
            Verdict::unknown(
                "the paste shows no INPUT chain to evaluate".into(),
                vec![Undecided::Other],
            )
        };
        return vec![(set, v)];
    }
    let mut streams = vec![Stream { set, cause: None }];
    let n = ruleset.entry.len();
    for (k, &cid) in ruleset.entry.iter().enumerate() {
        let Some(chain) = ruleset.chains.get(cid) else {
            continue;
        };
        ev.accept_continues = k + 1 < n;
        // Addresses of a family this chain does not see bypass it.
        let fam = AddrSet::from_ranges(chain.families.iter().map(|f| AddrRange::all(*f)));
        let mut inside = Vec::new();
        let mut bypass = Vec::new();
        for s in streams {
            let (i, o) = (s.set.intersect(&fam), s.set.subtract(&fam));
            if !i.is_empty() {
                inside.push(Stream {
                    set: i,
                    cause: s.cause.clone(),
                });
            }
            if !o.is_empty() {
                bypass.push(Stream {
                    set: o,
                    cause: s.cause,
                });
            }
        }
        let returned = ev.chain(cid, inside, 0);
        for s in returned {
            ev.policy(cid, s);
        }
        streams = std::mem::take(&mut ev.accepted);
        streams.extend(bypass);
    }
    for s in streams {
        let v = Verdict {
            reason: Some("no input chain of this dump applies to these addresses".into()),
            ..Verdict::of(Outcome::Accept)
        };
        ev.emit(s.set, v, s.cause);
    }
    ev.finish()
}

/// Addresses still being evaluated; `cause` is `None` for the main
/// evaluation and names the undecided condition for an alternative.
#[derive(Debug, Clone)]
struct Stream {
    set: AddrSet,
    cause: Option<Rc<Cause>>,
}

/// The undecided condition an alternative stream assumes holds: its words
/// for the reason, and what is missing, typed.
#[derive(Debug, PartialEq, Eq)]
struct Cause {
    text: String,
    why: Vec<Undecided>,
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

enum Tri {
    Yes,
    No,
    Maybe(String, Undecided),
}

struct Ev<'a> {
    rs: &'a Ruleset,
    ctx: &'a Context,
    port: u16,
    by_name: HashMap<(&'a str, &'a str), ChainId>,
    accept_continues: bool,
    /// Chains being evaluated, innermost last (loop detection).
    active: Vec<ChainId>,
    work: usize,
    accepted: Vec<Stream>,
    main: Vec<(AddrSet, Verdict)>,
    alts: Vec<(AddrSet, Verdict, Rc<Cause>)>,
}

impl<'a> Ev<'a> {
    fn new(rs: &'a Ruleset, ctx: &'a Context, port: u16) -> Self {
        let mut by_name = HashMap::new();
        for (i, c) in rs.chains.iter().enumerate() {
            by_name
                .entry((c.table.as_str(), c.name.as_str()))
                .or_insert(i);
        }
        Ev {
            rs,
            ctx,
            port,
            by_name,
            accept_continues: false,
            active: Vec::new(),
            work: 0,
            accepted: Vec::new(),
            main: Vec::new(),
            alts: Vec::new(),
        }
    }

    fn rule_ref(&self, rule: &Rule) -> RuleRef {
        let limit = rule.matches.iter().find_map(|m| match m {
            Match::RateLimit {
                text,
                first_connection_matches: true,
            } => Some(text.clone()),
            _ => None,
        });
        RuleRef {
            input: self.rs.input.clone(),
            line: rule.source.line,
            text: rule.source.text.clone(),
            limit,
            origin: rule.origin,
        }
    }

    fn emit(&mut self, set: AddrSet, v: Verdict, cause: Option<Rc<Cause>>) {
        if set.is_empty() {
            return;
        }
        match cause {
            None => self.main.push((set, v)),
            Some(c) => self.alts.push((set, v, c)),
        }
    }

    /// A terminal outcome for `set`; an accept in a base chain that is not
    /// the last one only moves the addresses on to the next base chain.
    fn terminal(&mut self, set: AddrSet, v: Verdict, cause: Option<Rc<Cause>>) {
        if v.outcome == Outcome::Accept && self.accept_continues {
            push_stream(&mut self.accepted, set, cause);
        } else {
            self.emit(set, v, cause);
        }
    }

    fn policy(&mut self, cid: ChainId, s: Stream) {
        let Some(chain) = self.rs.chains.get(cid) else {
            return;
        };
        let (outcome, word) = match chain.policy {
            Some(Policy::Accept) => (Outcome::Accept, "accept"),
            Some(Policy::Drop) => (Outcome::Drop, "drop"),
            Some(Policy::Reject) => (Outcome::Reject, "reject"),
            None => {
                let v = Verdict::unknown(
                    format!("the policy of chain {} is not shown", chain.name),
                    vec![Undecided::PolicyHidden],
                );
                self.emit(s.set, v, s.cause);
                return;
            }
        };
        let policy = if self.rs.dialect == Dialect::Nftables {
            format!("{} {} policy {word}", chain.table, chain.name)
        } else {
            format!("{} policy {}", chain.name, word.to_ascii_uppercase())
        };
        let v = Verdict {
            policy: Some(policy),
            ..Verdict::of(outcome)
        };
        self.terminal(s.set, v, s.cause);
    }

    /// Run `streams` through chain `cid`; returns what falls off its end or
    /// RETURNs.
    fn chain(&mut self, cid: ChainId, mut streams: Vec<Stream>, depth: usize) -> Vec<Stream> {
        let rs = self.rs;
        let Some(chain) = rs.chains.get(cid) else {
            return streams;
        };
        let looped = self.active.contains(&cid);
        if depth > MAX_DEPTH || looped || self.work > MAX_WORK {
            let why = if looped {
                format!(
                    "chain {} jumps back into itself (a loop the kernel would refuse)",
                    chain.name
                )
            } else if self.work > MAX_WORK {
                "the ruleset has too many paths to follow exactly".to_string()
            } else {
                format!(
                    "chains nest deeper than {MAX_DEPTH} levels at {}",
                    chain.name
                )
            };
            for s in streams {
                let v = Verdict::unknown(why.clone(), vec![Undecided::Other]);
                self.emit(s.set, v, s.cause);
            }
            return Vec::new();
        }
        self.active.push(cid);
        let mut returned: Vec<Stream> = Vec::new();
        for rule in &chain.rules {
            if streams.is_empty() {
                break;
            }
            self.work += 1;
            // Address-independent conditions first: most rules end here.
            let mut maybe: Vec<(String, Undecided)> = Vec::new();
            if !self.static_holds(rule, &mut maybe) {
                continue;
            }
            let mut applies: Vec<Stream> = Vec::new();
            let mut k = 0;
            while k < streams.len() {
                let Some(s) = streams.get(k) else { break };
                let (yes, unk, why) = self.addr_cond(rule, &s.set, &maybe);
                let base_cause = s.cause.clone();
                if !unk.is_empty() {
                    let cause = base_cause.clone().unwrap_or_else(|| {
                        let why = why.unwrap_or_default();
                        let words: Vec<&str> = why.iter().map(|(w, _)| w.as_str()).collect();
                        Rc::new(Cause {
                            text: format!(
                                "line {} `{}`: {}",
                                rule.source.line,
                                rule.source.text,
                                words.join("; ")
                            ),
                            why: why.into_iter().map(|(_, u)| u).collect(),
                        })
                    });
                    // Undecided: the rule applies in an alternative stream,
                    // and the current stream carries on without it.
                    push_stream(&mut applies, unk, Some(cause));
                }
                if !yes.is_empty() {
                    if let Some(s) = streams.get_mut(k) {
                        s.set = s.set.subtract(&yes);
                    }
                    push_stream(&mut applies, yes, base_cause);
                }
                k += 1;
            }
            streams.retain(|s| !s.set.is_empty());
            if applies.is_empty() {
                continue;
            }
            match &rule.action {
                Action::Continue => {
                    // Nothing changes: the addresses carry on.
                    for a in applies {
                        push_stream(&mut streams, a.set, a.cause);
                    }
                }
                Action::Accept | Action::Drop | Action::Reject(_) | Action::Unknown(_) => {
                    let v = self.rule_verdict(rule);
                    for a in applies {
                        self.terminal(a.set, v.clone(), a.cause);
                    }
                }
                Action::Return => {
                    for a in applies {
                        push_stream(&mut returned, a.set, a.cause);
                    }
                }
                Action::Jump(name) | Action::Goto(name) => {
                    let target = self
                        .by_name
                        .get(&(chain.table.as_str(), name.as_str()))
                        .copied();
                    let Some(tid) = target else {
                        let v = Verdict {
                            rule: Some(self.rule_ref(rule)),
                            ..Verdict::unknown(
                                format!(
                                    "chain {name} is not in the paste; paste the whole ruleset"
                                ),
                                vec![Undecided::Other],
                            )
                        };
                        for a in applies {
                            self.emit(a.set, v.clone(), a.cause);
                        }
                        continue;
                    };
                    let back = self.chain(tid, applies, depth + 1);
                    let into = if matches!(rule.action, Action::Goto(_)) {
                        &mut returned
                    } else {
                        &mut streams
                    };
                    for b in back {
                        push_stream(into, b.set, b.cause);
                    }
                }
            }
            self.bound(&mut streams);
        }
        self.active.pop();
        for s in streams {
            push_stream(&mut returned, s.set, s.cause);
        }
        returned
    }

    /// Keep at most [`MAX_ALTS`] alternative streams.
    fn bound(&mut self, streams: &mut Vec<Stream>) {
        let alts = streams.iter().filter(|s| s.cause.is_some()).count();
        if alts <= MAX_ALTS {
            return;
        }
        let mut extra = alts - MAX_ALTS;
        let mut keep = Vec::with_capacity(streams.len());
        for s in streams.drain(..) {
            match s.cause {
                Some(c) if extra > 0 => {
                    extra -= 1;
                    let v = Verdict::unknown(
                        format!("more than {MAX_ALTS} undecided conditions, among them {c}"),
                        c.why.clone(),
                    );
                    self.alts.push((s.set, v, c));
                }
                cause => keep.push(Stream { set: s.set, cause }),
            }
        }
        *streams = keep;
    }

    fn rule_verdict(&self, rule: &Rule) -> Verdict {
        let (outcome, reject_with, reason) = match &rule.action {
            Action::Accept => (Outcome::Accept, None, None),
            Action::Drop => (Outcome::Drop, None, None),
            Action::Reject(w) => (Outcome::Reject, Some(w.clone()), None),
            Action::Unknown(t) => (Outcome::Unknown, None, Some(t.clone())),
            _ => (Outcome::Unknown, None, None),
        };
        Verdict {
            reject_with,
            rule: Some(self.rule_ref(rule)),
            reason,
            ..Verdict::of(outcome)
        }
    }

    /// Address-independent matches: false as soon as one cannot hold;
    /// undecided ones are collected in `maybe`.
    fn static_holds(&mut self, rule: &Rule, maybe: &mut Vec<(String, Undecided)>) -> bool {
        for m in &rule.matches {
            let t = match m {
                Match::Protocol { names, negated } => {
                    tri((names.iter().any(|n| n == "tcp" || n == "6")) != *negated)
                }
                Match::DestPort { ports, negated } => tri(ports.contains(self.port) != *negated),
                Match::SourcePort { ports, negated } => source_port(ports, *negated),
                Match::ConnState { states, negated } => {
                    tri(states.iter().any(|s| s.eq_ignore_ascii_case("new")) != *negated)
                }
                Match::TcpFlags { syn_matches } => tri(*syn_matches),
                Match::RateLimit {
                    first_connection_matches,
                    ..
                } => tri(*first_connection_matches),
                Match::InInterface { pattern, negated } => self.iface(pattern, *negated),
                Match::Unknown { text, why } => Tri::Maybe(undecided(text, why), why.clone()),
                Match::Family { .. }
                | Match::SourceAddr { .. }
                | Match::DestAddr { .. }
                | Match::NamedSource { .. } => Tri::Yes,
            };
            match t {
                Tri::Yes => {}
                Tri::No => return false,
                Tri::Maybe(w, u) => maybe.push((w, u)),
            }
        }
        true
    }

    /// Split `set` by the address matches of `rule`: (certainly matches,
    /// undecided, why undecided). `maybe` holds undecided static conditions.
    fn addr_cond(
        &self,
        rule: &Rule,
        set: &AddrSet,
        maybe: &[(String, Undecided)],
    ) -> (AddrSet, AddrSet, Option<Vec<(String, Undecided)>>) {
        // Fast exit without allocating: a plain source match that misses
        // every pending address (the common case in long ban lists).
        let misses = rule.matches.iter().any(|m| match m {
            Match::SourceAddr { set: s, negated } => !*negated && !overlaps(set, s),
            _ => false,
        });
        if misses {
            return (AddrSet::empty(), AddrSet::empty(), None);
        }
        let mut why: Vec<(String, Undecided)> = maybe.to_vec();
        let (mut yes, mut unk) = if maybe.is_empty() {
            (set.clone(), AddrSet::empty())
        } else {
            (AddrSet::empty(), set.clone())
        };
        for m in &rule.matches {
            if yes.is_empty() && unk.is_empty() {
                break;
            }
            let (my, mu): (AddrSet, AddrSet) = match m {
                Match::Family { family } => {
                    let all = AddrSet::all(*family);
                    (all, AddrSet::empty())
                }
                Match::SourceAddr { set: s, negated } => {
                    let cur = join(&yes, &unk);
                    if !*negated && !overlaps(&cur, s) {
                        return (AddrSet::empty(), AddrSet::empty(), None);
                    }
                    let hit = if *negated {
                        cur.subtract(s)
                    } else {
                        cur.intersect(s)
                    };
                    (hit, AddrSet::empty())
                }
                Match::NamedSource { name, negated } => {
                    match self.rs.sets.iter().find(|s| &s.name == name) {
                        Some(ns) => {
                            let cur = join(&yes, &unk);
                            let hit = if *negated {
                                cur.subtract(&ns.members)
                            } else {
                                cur.intersect(&ns.members)
                            };
                            (hit, AddrSet::empty())
                        }
                        None => {
                            why.push((
                                format!("the members of set {name} are not pasted (paste `ipset list {name}`)"),
                                Undecided::SetMembers(name.clone()),
                            ));
                            (AddrSet::empty(), join(&yes, &unk))
                        }
                    }
                }
                Match::DestAddr { set: d, negated } => {
                    let cur = join(&yes, &unk);
                    let mut my = Vec::new();
                    let mut mu = Vec::new();
                    for f in cur.families() {
                        let part = cur.intersect(&AddrSet::all(f));
                        match self.dest(d, *negated, f) {
                            Tri::Yes => my.extend(part.ranges().iter().copied()),
                            Tri::No => {}
                            Tri::Maybe(w, u) => {
                                why.push((w, u));
                                mu.extend(part.ranges().iter().copied());
                            }
                        }
                    }
                    (AddrSet::from_ranges(my), AddrSet::from_ranges(mu))
                }
                _ => continue,
            };
            // Three-valued AND per address.
            if mu.is_empty() && unk.is_empty() {
                yes = yes.intersect(&my);
                continue;
            }
            let either = join(&my, &mu);
            let new_yes = yes.intersect(&my);
            let new_unk = yes.intersect(&mu).union(&unk.intersect(&either));
            yes = new_yes;
            unk = new_unk;
        }
        let why = if unk.is_empty() { None } else { Some(why) };
        (yes, unk, why)
    }

    fn dest(&self, d: &AddrSet, negated: bool, f: Family) -> Tri {
        let all = AddrSet::all(f);
        let origin = self.ctx.origin_addrs.intersect(&all);
        let t = if !origin.is_empty() {
            if origin.subtract(d).is_empty() {
                Tri::Yes
            } else if origin.intersect(d).is_empty() {
                Tri::No
            } else {
                return Tri::Maybe(
                    "the destination covers only some of the origin's addresses".into(),
                    Undecided::DestAddr,
                );
            }
        } else {
            let dd = d.intersect(&all);
            if all.subtract(&dd).is_empty() {
                Tri::Yes
            } else if dd.is_empty() || dd.subtract(&never_origin(f)).is_empty() {
                Tri::No
            } else {
                return Tri::Maybe(
                    format!(
                        "destination {} may or may not be this server's address (give the origin address)",
                        dd.ranges()
                            .iter()
                            .map(|r| r.to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                    Undecided::DestAddr,
                );
            }
        };
        match (t, negated) {
            (Tri::Yes, false) | (Tri::No, true) => Tri::Yes,
            _ => Tri::No,
        }
    }

    /// Which interface Cloudflare's packets arrive on is known only from
    /// the host's addresses and routes: a dump naming one interface does
    /// not say it faces Cloudflare, so without them the rule is followed
    /// both ways.
    fn iface(&self, pattern: &str, negated: bool) -> Tri {
        let holds = if pattern == "+" || pattern == "*" || pattern.is_empty() {
            true
        } else if is_internal(pattern) {
            false
        } else if let Some(p) = &self.ctx.public_interface {
            wildcard(pattern, p)
        } else {
            return Tri::Maybe(
                format!("Cloudflare's traffic may or may not arrive on {pattern} (paste `ip -br addr; ip route`)"),
                Undecided::Interface(pattern.to_string()),
            );
        };
        tri(holds != negated)
    }

    /// Combine the main verdicts with the alternatives: where an
    /// alternative disagrees, the addresses become unknown.
    fn finish(self) -> Vec<(AddrSet, Verdict)> {
        // Group alternatives by outcome so many undecided rules stay cheap.
        let mut groups: Vec<(Verdict, Vec<AddrRange>, Rc<Cause>, usize)> = Vec::new();
        for (set, v, cause) in self.alts {
            match groups.iter_mut().find(|g| {
                g.0.outcome == v.outcome && g.0.reject_with == v.reject_with && g.2 == cause
            }) {
                Some(g) => {
                    g.1.extend(set.ranges().iter().copied());
                    g.3 += 1;
                }
                None => groups.push((v, set.ranges().to_vec(), cause, 1)),
            }
        }
        let groups: Vec<(Verdict, AddrSet, Rc<Cause>)> = groups
            .into_iter()
            .map(|(v, r, c, _)| (v, AddrSet::from_ranges(r), c))
            .collect();
        let mut pieces: Vec<(AddrSet, Verdict)> = Vec::new();
        for (set, v) in self.main {
            let mut todo = vec![(set, v)];
            for (av, aset, cause) in &groups {
                let mut next = Vec::new();
                for (s, v) in todo {
                    let disagree = v.outcome != Outcome::Unknown
                        && (av.outcome != v.outcome || av.reject_with != v.reject_with);
                    if !disagree || !overlaps(&s, aset) {
                        next.push((s, v));
                        continue;
                    }
                    let both = s.intersect(aset);
                    let rest = s.subtract(aset);
                    let u = Verdict {
                        rule: v.rule.clone(),
                        policy: v.policy.clone(),
                        reason: Some(format!(
                            "depends on {cause}: if it holds, {}; if not, {}",
                            av.describe(),
                            v.describe()
                        )),
                        undecided: cause.why.clone(),
                        branches: Some((av.outcome, v.outcome)),
                        alt_rule: av.rule.clone(),
                        ..Verdict::of(Outcome::Unknown)
                    };
                    if !rest.is_empty() {
                        next.push((rest, v));
                    }
                    next.push((both, u));
                }
                todo = next;
            }
            pieces.extend(todo);
        }
        // Merge pieces with equal verdicts.
        let mut out: Vec<(Vec<AddrRange>, Verdict)> = Vec::new();
        for (s, v) in pieces {
            match out.iter_mut().find(|o| o.1 == v) {
                Some(o) => o.0.extend(s.ranges().iter().copied()),
                None => out.push((s.ranges().to_vec(), v)),
            }
        }
        let mut out: Vec<(AddrSet, Verdict)> = out
            .into_iter()
            .map(|(r, v)| (AddrSet::from_ranges(r), v))
            .collect();
        out.sort_by_key(|(s, _)| s.ranges().first().map(|r| (r.family, r.first)));
        out
    }
}

/// Union that skips the sort when one side is empty.
fn join(a: &AddrSet, b: &AddrSet) -> AddrSet {
    if b.is_empty() {
        a.clone()
    } else if a.is_empty() {
        b.clone()
    } else {
        a.union(b)
    }
}

fn push_stream(list: &mut Vec<Stream>, set: AddrSet, cause: Option<Rc<Cause>>) {
    if set.is_empty() {
        return;
    }
    match list.iter_mut().find(|s| s.cause == cause) {
        Some(s) => s.set = s.set.union(&set),
        None => list.push(Stream { set, cause }),
    }
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::Yes
    } else {
        Tri::No
    }
}

/// Cloudflare connects from an ephemeral port (1024-65535): a source port
/// match is decided only when it covers all or none of them.
fn source_port(ports: &super::model::PortSet, negated: bool) -> Tri {
    let mut covered: u32 = 0;
    for &(lo, hi) in &ports.0 {
        let lo = lo.max(1024);
        if hi >= lo {
            covered += u32::from(hi) - u32::from(lo) + 1;
        }
    }
    let total = 65535 - 1024 + 1;
    let all = if negated {
        covered == 0
    } else {
        covered == total
    };
    let none = if negated {
        covered == total
    } else {
        covered == 0
    };
    if all {
        Tri::Yes
    } else if none {
        Tri::No
    } else {
        Tri::Maybe(
            "the source port is Cloudflare's ephemeral port, which the rule covers only in part"
                .into(),
            Undecided::SourcePort,
        )
    }
}

/// Interfaces that never carry Cloudflare's traffic to the origin.
pub fn is_internal(name: &str) -> bool {
    let n = name.trim_end_matches(['+', '*']);
    n == "lo"
        || [
            "docker",
            "br-",
            "virbr",
            "veth",
            "cni",
            "tailscale",
            "wg",
            "lxcbr",
            "lxdbr",
            "flannel",
            "cali",
            "cilium",
            "kube-",
            "podman",
            "tun",
            "tap",
            "zt",
        ]
        .iter()
        .any(|p| n.starts_with(p))
}

/// iptables `eth+` and nft `eth*` match by prefix.
fn wildcard(pattern: &str, name: &str) -> bool {
    match pattern
        .strip_suffix('+')
        .or_else(|| pattern.strip_suffix('*'))
    {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// Addresses a public origin never has: loopback, multicast, broadcast.
fn never_origin(f: Family) -> AddrSet {
    let cidrs: &[&str] = match f {
        Family::V4 => &["127.0.0.0/8", "224.0.0.0/4", "255.255.255.255/32"],
        Family::V6 => &["::1/128", "ff00::/8"],
    };
    AddrSet::from_ranges(cidrs.iter().filter_map(|c| AddrRange::parse(c)))
}

/// Whether two sets share an address: binary search of `b`'s ranges for
/// each range of `a` (the pending set is small).
fn overlaps(a: &AddrSet, b: &AddrSet) -> bool {
    let br = b.ranges();
    a.ranges().iter().any(|r| {
        let i = br.partition_point(|x| (x.family, x.last) < (r.family, r.first));
        br.get(i)
            .is_some_and(|x| x.family == r.family && x.first <= r.last)
    })
}

/// How an undecidable condition reads in a reason: a construct not
/// understood is quoted as the rule's own words; the other kinds carry a
/// sentence saying what is missing.
fn undecided(text: &str, why: &Undecided) -> String {
    if *why == Undecided::NotUnderstood {
        format!("`{text}` is not understood")
    } else {
        text.to_string()
    }
}

// The tests' one seeded generator.
#[cfg(test)]
#[path = "../../tests/common/rng.rs"]
mod test_rng;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firewall::model::{Chain, NamedSet, PortSet, SourceLine};

    fn set(cidrs: &[&str]) -> AddrSet {
        AddrSet::from_ranges(cidrs.iter().filter_map(|c| AddrRange::parse(c)))
    }

    fn rule(line: usize, matches: Vec<Match>, action: Action) -> Rule {
        Rule {
            source: SourceLine {
                line,
                text: format!("rule {line}"),
            },
            matches,
            action,
            origin: Origin::Filter,
        }
    }

    fn chain(name: &str, policy: Option<Policy>, rules: Vec<Rule>) -> Chain {
        Chain {
            name: name.into(),
            table: "filter".into(),
            families: vec![Family::V4],
            policy,
            policy_line: None,
            rules,
        }
    }

    fn ruleset(chains: Vec<Chain>) -> Ruleset {
        Ruleset {
            dialect: Dialect::IptablesSave,
            input: "t".into(),
            families: vec![Family::V4],
            chains,
            entry: vec![0],
            interfaces: Vec::new(),
            sets: Vec::new(),
            notes: Vec::new(),
            assumptions: Vec::new(),
            understood_lines: 0,
            not_understood: Vec::new(),
        }
    }

    use super::test_rng::Rng;

    fn random_match(r: &mut Rng) -> Match {
        match r.below(9) {
            0..=2 => {
                let base = 0xA29E_0000u32 as u128 + (r.below(1 << 17) as u128);
                let bits = 14 + r.below(19) as u32;
                Match::SourceAddr {
                    set: AddrSet::from_ranges([AddrRange::prefix(Family::V4, base, bits)]),
                    negated: r.below(4) == 0,
                }
            }
            3 => Match::DestPort {
                ports: PortSet(vec![(80, 80), (443, 443)]),
                negated: r.below(2) == 0,
            },
            4 => Match::InInterface {
                pattern: ["eth0", "eth1", "lo", "docker0"][r.below(4) % 4].into(),
                negated: r.below(3) == 0,
            },
            5 => Match::NamedSource {
                name: ["known", "missing"][r.below(2) % 2].into(),
                negated: r.below(2) == 0,
            },
            6 => Match::Unknown {
                text: "x".into(),
                why: Undecided::NotUnderstood,
            },
            7 => Match::ConnState {
                states: vec!["new".into()],
                negated: r.below(2) == 0,
            },
            _ => Match::Protocol {
                names: vec!["tcp".into()],
                negated: false,
            },
        }
    }

    #[test]
    fn partition_covers_the_input_exactly_once() {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let input = set(&["162.158.0.0/15", "173.245.48.0/20", "10.0.0.0/8"]);
        for round in 0..300 {
            let nchains = 1 + r.below(4);
            let mut chains = Vec::new();
            for c in 0..nchains {
                let mut rules = Vec::new();
                for l in 0..r.below(12) {
                    let matches = (0..r.below(3)).map(|_| random_match(&mut r)).collect();
                    let action = match r.below(8) {
                        0 => Action::Accept,
                        1 => Action::Drop,
                        2 => Action::Reject("tcp-reset".into()),
                        3 => Action::Return,
                        4 => Action::Continue,
                        5 => Action::Jump(format!("c{}", r.below(nchains + 1))),
                        6 => Action::Goto(format!("c{}", r.below(nchains))),
                        _ => Action::Unknown("TARPIT".into()),
                    };
                    rules.push(rule(l + 1, matches, action));
                }
                let policy = (c == 0).then_some(Policy::Drop);
                chains.push(chain(&format!("c{c}"), policy, rules));
            }
            let mut rs = ruleset(chains);
            rs.interfaces = vec!["eth0".into(), "eth1".into()];
            rs.sets.push(NamedSet {
                name: "known".into(),
                members: set(&["162.158.4.0/24"]),
                source: SourceLine {
                    line: 1,
                    text: "Name: known".into(),
                },
            });
            let parts = evaluate(&rs, &input, 443, &Context::default());
            let mut total = AddrSet::empty();
            for (s, _) in &parts {
                assert!(
                    total.intersect(s).is_empty(),
                    "round {round}: overlapping parts"
                );
                total = total.union(s);
            }
            assert_eq!(total, input, "round {round}: not a cover");
        }
    }

    #[test]
    fn unknown_condition_with_same_outcome_stands() {
        let rs = ruleset(vec![chain(
            "INPUT",
            Some(Policy::Drop),
            vec![
                rule(
                    1,
                    vec![Match::Unknown {
                        text: "x".into(),
                        why: Undecided::NotUnderstood,
                    }],
                    Action::Drop,
                ),
                rule(
                    2,
                    vec![Match::Unknown {
                        text: "y".into(),
                        why: Undecided::NotUnderstood,
                    }],
                    Action::Accept,
                ),
            ],
        )]);
        let parts = evaluate(&rs, &set(&["1.0.0.0/8"]), 443, &Context::default());
        let outcomes: Vec<Outcome> = parts.iter().map(|(_, v)| v.outcome).collect();
        assert_eq!(outcomes, vec![Outcome::Unknown]);
        let reason = parts
            .first()
            .and_then(|(_, v)| v.reason.clone())
            .unwrap_or_default();
        assert!(reason.contains("line 2"), "{reason}");
    }

    #[test]
    fn source_port_logic() {
        let low = PortSet(vec![(53, 53)]);
        assert!(matches!(source_port(&low, false), Tri::No));
        assert!(matches!(source_port(&low, true), Tri::Yes));
        let high = PortSet(vec![(1024, 65535)]);
        assert!(matches!(source_port(&high, false), Tri::Yes));
        assert!(matches!(
            source_port(&PortSet(vec![(2000, 3000)]), false),
            Tri::Maybe(..)
        ));
    }

    #[test]
    fn jump_cycle_is_unknown() {
        let mut a = chain(
            "INPUT",
            Some(Policy::Accept),
            vec![rule(1, vec![], Action::Jump("loop".into()))],
        );
        a.rules.push(rule(2, vec![], Action::Drop));
        let b = chain(
            "loop",
            None,
            vec![rule(3, vec![], Action::Jump("loop".into()))],
        );
        let rs = ruleset(vec![a, b]);
        let parts = evaluate(&rs, &set(&["1.0.0.0/8"]), 80, &Context::default());
        assert_eq!(parts.len(), 1);
        assert_eq!(parts.first().map(|p| p.1.outcome), Some(Outcome::Unknown));
    }
}
