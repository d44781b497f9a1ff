//! `ban-blocks-cloudflare`: fail2ban, CSF/LFD, an ipset blacklist, a
//! connection limit or web-server throttling has blocked Cloudflare
//! addresses. Behind Cloudflare every visitor arrives from a Cloudflare
//! address, so a ban tool that reads the connecting address bans Cloudflare.

use super::quote;
use super::{ask, Rule};
use crate::diagnose::{AskFor, AskKind};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::firewall::coverage::CoverageEntry;
use crate::firewall::eval::{Outcome, RuleRef};
use crate::firewall::model::{BanTool, Origin, Undecided};
use crate::net::AddrSet;
use crate::parse::bans::{cloudflare_hits, HitKind};
use crate::text::Evidence;

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 5,
    asks,
};

/// Every ban tool's list.
fn asks(_: &Ctx<'_>) -> Vec<AskFor> {
    vec![ask(AskKind::Bans, "sudo fail2ban-client banned; sudo ipset list; sudo csf -t", "has a ban tool banned Cloudflare addresses (every jail's and set's list, and CSF's temporary blocks; on a hosting panel also `imunify360-agent blacklist ip list`)")]
}

/// Whether a firewall verdict came from a ban mechanism (a fail2ban chain,
/// a blacklist set, CSF's deny chains, a rate or connection limit) rather
/// than from the allowlist policy.
pub fn is_ban_rule(e: &CoverageEntry) -> bool {
    e.rule.as_ref().is_some_and(is_ban_ref)
}

/// An unknown verdict that hangs only on a ban list's members (a fail2ban
/// set or chain not pasted): the ban rule decides if the address is on
/// it, and the outcome when it is not.
pub fn pending_ban(e: &CoverageEntry) -> Option<(&RuleRef, Outcome)> {
    let (held, otherwise) = e.branches?;
    let alt = e.alt_rule.as_ref()?;
    (e.outcome == Outcome::Unknown
        && matches!(held, Outcome::Reject | Outcome::Drop)
        && is_ban_ref(alt))
    .then_some((alt, otherwise))
}

/// A ban list's or a limit's rule, as the parser that read it knew.
fn is_ban_ref(r: &RuleRef) -> bool {
    r.origin.is_ban_or_limit()
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    // long: gathers the four kinds of ban evidence (ban-chain rules, fail2ban lists, ipset
    // members, CSF denies) into one verdict; they share the quoting and the Cloudflare set.
    let id = FindingId::BanBlocksCloudflare;
    let cf = ctx.options.ranges.set();
    let mut active: Vec<Evidence> = Vec::new();
    let mut past: Vec<Evidence> = Vec::new();
    let mut lifted: Vec<Evidence> = Vec::new();
    // Lines that point to a ban without showing it in force: throttling,
    // a list quoted in the person's own words.
    let mut throttled: Vec<Evidence> = Vec::new();
    let mut what: Vec<String> = Vec::new();
    let mut banned = AddrSet::empty();
    let mut answers: Vec<Answer> = Vec::new();
    let mut tools: Vec<String> = Vec::new();
    for b in &ctx.facts.bans {
        for h in cloudflare_hits(&b.facts, &ctx.options.ranges) {
            let ev = quote(ctx, &b.input, h.line);
            let addrs: Vec<String> = h
                .overlap
                .ranges()
                .iter()
                .take(4)
                .map(|r| r.to_string())
                .collect();
            banned = banned.union(&h.overlap);
            tools.push(h.tool.clone());
            if h.active != Some(false) {
                answers.push(match h.kind {
                    HitKind::LogBlock if h.list.to_ascii_uppercase().contains("REJECT") => {
                        Answer::Refused
                    }
                    HitKind::LogBlock if h.list.to_ascii_uppercase().contains("DROP") => {
                        Answer::Dropped
                    }
                    HitKind::Ban => tool_answer(&h.tool, &h.list),
                    _ => Answer::Either,
                });
            }
            match (h.kind, h.active) {
                (HitKind::Throttle, _) => {
                    throttled.push(ev);
                    what.push(format!(
                        "{} throttles Cloudflare address {}",
                        h.tool,
                        addrs.join(", ")
                    ));
                }
                (HitKind::LogBlock, _) => {
                    past.push(ev);
                    what.push(format!(
                        "the kernel log shows `{}` blocking Cloudflare address {}",
                        h.list,
                        addrs.join(", ")
                    ));
                }
                (HitKind::Ban, Some(false)) => lifted.push(ev),
                (HitKind::Ban, Some(true)) => {
                    // A list the person typed under their own sentence
                    // points to the ban; a tool's listing shows it.
                    if h.stated {
                        throttled.push(ev);
                    } else {
                        active.push(ev);
                    }
                    let list = if h.list.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", h.list)
                    };
                    what.push(format!(
                        "{}{list} has banned Cloudflare address {}",
                        h.tool,
                        addrs.join(", ")
                    ));
                }
                (HitKind::Ban, None) => {
                    past.push(ev);
                    let list = if h.list.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", h.list)
                    };
                    what.push(format!(
                        "{}{list} banned Cloudflare address {} (per the log)",
                        h.tool,
                        addrs.join(", ")
                    ));
                }
            }
        }
    }
    for c in &ctx.facts.csf {
        // csf.conf `DROP` names the target of CSF's deny chains (DROP by
        // default).
        let csf_answer = match c.facts.setting("DROP").map(|d| d.value.as_str()) {
            Some("REJECT") => Answer::Refused,
            _ => Answer::Dropped,
        };
        for d in c
            .facts
            .denies
            .iter()
            .filter_map(|d| d.addrs.as_ref().map(|a| (a, d.line)))
        {
            let o = d.0.intersect(&cf);
            if !o.is_empty() {
                active.push(quote(ctx, &c.input, d.1));
                answers.push(csf_answer);
                what.push(format!("csf.deny lists Cloudflare address {}", first(&o)));
                banned = banned.union(&o);
            }
        }
        for t in c.facts.temp.iter().filter(|t| !t.allow) {
            let o = t.addrs.intersect(&cf);
            if !o.is_empty() {
                active.push(quote(ctx, &c.input, t.line));
                answers.push(csf_answer);
                what.push(format!(
                    "CSF has a temporary block on Cloudflare address {}",
                    first(&o)
                ));
                banned = banned.union(&o);
            }
        }
        // `csf -g IP` finding the address in a deny chain or a deny set.
        for g in c.facts.grep_hits.iter().filter(|g| {
            let chain = g.chain.to_ascii_uppercase();
            chain.contains("DENY") || chain.contains("BLOCK") || g.target == "DROP"
        }) {
            let o = AddrSet::from_ranges(
                g.text
                    .split_whitespace()
                    .map(|w| w.strip_prefix("Match:").unwrap_or(w))
                    .filter_map(crate::parse::textscan::addr_token)
                    .filter(|r| r.to_string() != "0.0.0.0/0" && r.to_string() != "::/0"),
            )
            .intersect(&cf);
            if !o.is_empty() {
                active.push(quote(ctx, &c.input, g.line));
                answers.push(csf_answer);
                what.push(format!(
                    "CSF denies Cloudflare address {} (`csf -g`)",
                    first(&o)
                ));
                banned = banned.union(&o);
            }
        }
        for l in &c.facts.lfd_blocks {
            let o = l.addrs.intersect(&cf);
            if !o.is_empty() {
                past.push(quote(ctx, &c.input, l.line));
                tools.push("lfd".to_string());
                answers.push(csf_answer);
                what.push(format!(
                    "LFD blocked Cloudflare address {} ({})",
                    first(&o),
                    l.reason
                ));
                banned = banned.union(&o);
            }
        }
    }
    // Firewall rules of ban chains that reject or drop Cloudflare ranges.
    if let Some(fw) = &ctx.firewall {
        for e in fw
            .coverage
            .iter()
            .filter(|e| matches!(e.outcome, Outcome::Reject | Outcome::Drop) && is_ban_rule(e))
        {
            if let Some(r) = &e.rule {
                let ev = quote(ctx, &r.input, r.line);
                if !active.contains(&ev) {
                    active.push(ev);
                    answers.push(if e.outcome == Outcome::Drop {
                        Answer::Dropped
                    } else {
                        Answer::Refused
                    });
                    what.push(format!(
                        "the ban rule at line {} blocks {} on port {}",
                        r.line, e.range, e.port
                    ));
                }
            }
        }
    }
    // Ban rules whose members are not pasted, in front of rules that let
    // Cloudflare in: whether they hold Cloudflare is open.
    let mut pending: Vec<Evidence> = Vec::new();
    // The command that lists each pending ban list, by the tool that fills it.
    let mut pending_asks: Vec<String> = Vec::new();
    if let Some(fw) = &ctx.firewall {
        for (r, _) in fw.coverage.iter().filter_map(pending_ban) {
            let ev = quote(ctx, &r.input, r.line);
            if !pending.contains(&ev) {
                pending.push(ev);
            }
            let sets = fw
                .coverage
                .iter()
                .filter(|e| e.alt_rule.as_ref() == Some(r))
                .flat_map(|e| e.undecided.iter())
                .filter_map(|u| match u {
                    Undecided::SetMembers(name) => Some(name.clone()),
                    _ => None,
                });
            let asks: Vec<String> = match r.origin {
                Origin::Ban(BanTool::Fail2ban) => vec!["sudo fail2ban-client banned".into()],
                Origin::Ban(BanTool::Crowdsec) => vec!["sudo cscli decisions list".into()],
                Origin::Ban(BanTool::Csf) => vec!["sudo csf -t; cat /etc/csf/csf.deny".into()],
                _ => sets.map(|s| format!("sudo ipset list {s}")).collect(),
            };
            for a in asks {
                if !pending_asks.contains(&a) {
                    pending_asks.push(a);
                }
            }
        }
    }
    let what = merge_addresses(what);
    if !active.is_empty() || !throttled.is_empty() {
        let status = if active.is_empty() {
            Status::Likely
        } else {
            Status::Confirmed
        };
        return Finding::new(
            id,
            status,
            format!(
                "{}. Behind Cloudflare every visitor arrives from a Cloudflare address, so a ban on one blocks everyone served through it. {}",
                capitalize(&what.join("; ")),
                answer(&answers)
            ),
        )
        .with_evidence(active.into_iter().chain(throttled).chain(past));
    }
    if !past.is_empty() {
        return Finding::new(
            id,
            Status::Likely,
            format!(
                "{}. The log shows the ban happened; whether it is still in force is not shown: paste `{}`. {}",
                capitalize(&what.join("; ")),
                list_command(&tools),
                answer(&answers)
            ),
        )
        .with_evidence(past);
    }
    // Only a whole list can show that Cloudflare is not on it: a jail's
    // status, a ban set's members, csf.deny or `csf -t`. A lookup of one
    // address (`csf -g`), a log line or a sentence cannot.
    let mut lists: Vec<Evidence> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    // fail2ban's lists are whole only for every jail: the status of all
    // jails `Jail list:` names, or `fail2ban-client banned`.
    let jails: Vec<&String> = ctx.facts.bans.iter().flat_map(|b| &b.facts.jails).collect();
    let f2b: Vec<&String> = ctx
        .facts
        .bans
        .iter()
        .flat_map(|b| &b.facts.listings)
        .filter(|l| l.tool == "fail2ban")
        .map(|l| &l.list)
        .collect();
    let missing: Vec<&String> = jails.iter().filter(|j| !f2b.contains(j)).copied().collect();
    let f2b_whole = f2b.iter().any(|l| l.is_empty()) || (!jails.is_empty() && missing.is_empty());
    for b in &ctx.facts.bans {
        for l in b
            .facts
            .listings
            .iter()
            .filter(|l| l.tool != "fail2ban" || f2b_whole)
        {
            lists.push(quote(ctx, &b.input, l.line));
            names.push(if l.list.is_empty() {
                l.tool.clone()
            } else {
                format!("{} {}", l.tool, l.list)
            });
        }
        // An ignore list that holds every Cloudflare range keeps that
        // tool from banning them.
        for i in b
            .facts
            .ignore
            .iter()
            .filter(|i| i.addrs.intersect(&cf) == cf)
        {
            lists.push(quote(ctx, &b.input, i.line));
            names.push(format!("{} ignoreip [{}]", i.tool, i.jail));
        }
    }
    for c in &ctx.facts.csf {
        for l in &c.facts.deny_listings {
            lists.push(quote(ctx, &c.input, *l));
            names.push("CSF deny list".to_string());
        }
        // csf.ignore holding every Cloudflare range keeps LFD from
        // blocking them.
        let ignored = c
            .facts
            .ignores
            .iter()
            .filter_map(|i| i.addrs.as_ref())
            .fold(AddrSet::empty(), |acc, a| acc.union(a));
        if !c.facts.ignores.is_empty() && ignored.intersect(&cf) == cf {
            lists.extend(c.facts.ignores.iter().map(|i| quote(ctx, &c.input, i.line)));
            names.push("csf.ignore".to_string());
        }
    }
    names.dedup();
    if !pending.is_empty() {
        let mut f = Finding::new(
            id,
            Status::Unknown,
            format!(
                "Ban rules come before the rules that let Cloudflare in ({}): each refuses the addresses on its list, and the lists' members are not pasted, so whether Cloudflare's ranges are banned is open.",
                pending
                    .iter()
                    .map(|e| format!("line {} `{}`", e.line, e.text.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_evidence(pending);
        f.checks = pending_asks;
        return f;
    }
    if lists.is_empty() && lifted.is_empty() {
        if let Some(f) = from_prose(ctx) {
            return f;
        }
    }
    if lists.is_empty() || (!f2b.is_empty() && !f2b_whole) {
        let mut f = Finding::unknown(id, ctx);
        if !f2b.is_empty() && !f2b_whole {
            let jails: Vec<&str> = missing.iter().map(|j| j.as_str()).collect();
            f.explanation = if jails.is_empty() {
                "The pasted fail2ban status covers some jails only; the other jails' bans are not shown.".to_string()
            } else {
                format!(
                    "The pasted fail2ban status does not show the bans of the jails {}.",
                    jails.join(", ")
                )
            };
            f.checks = vec!["sudo fail2ban-client banned".to_string()];
        }
        if !lifted.is_empty() {
            f.explanation = "Cloudflare addresses were banned earlier and the log shows the bans lifted; whether any ban is in force now is not shown.".to_string();
        }
        return f.with_evidence(lifted);
    }
    let text = if lifted.is_empty() {
        format!(
            "No Cloudflare address is on the pasted ban lists ({}).",
            names.join(", ")
        )
    } else {
        format!(
            "No Cloudflare address is on the pasted ban lists ({}); earlier bans of Cloudflare addresses were lifted.",
            names.join(", ")
        )
    };
    Finding::new(id, Status::RuledOut, text).with_evidence(lists.into_iter().chain(lifted))
}

/// "it blocked CF IP with 330 connections", with no list that decides: the
/// ticket's word, `likely` at most, the sentence quoted.
fn from_prose(ctx: &Ctx<'_>) -> Option<Finding> {
    let (input, h) = ctx
        .facts
        .hints
        .iter()
        .find(|(_, h)| h.hint == crate::parse::hints::Hint::CloudflareBanned)?;
    let mut f = Finding::new(
        FindingId::BanBlocksCloudflare,
        Status::Likely,
        "The ticket says a ban tool or firewall blocked Cloudflare addresses. Behind Cloudflare every visitor arrives from a Cloudflare address, so a ban on one blocks everyone served through it; per-address connection or request limits ban Cloudflare first. This is the ticket's word, not a ban list: paste the lists to confirm.".to_string(),
    )
    .with_evidence([quote(ctx, input, h.line)]);
    f.checks = vec!["sudo fail2ban-client banned; sudo ipset list; sudo csf -t".to_string()];
    Some(f)
}

/// "X has banned Cloudflare address A" and "... address B" as one "X has
/// banned Cloudflare addresses A, B", in first-seen order.
fn merge_addresses(what: Vec<String>) -> Vec<String> {
    const KEY: &str = " Cloudflare address ";
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for w in what {
        let (head, addrs): (String, Vec<String>) = match w.split_once(KEY) {
            Some((h, a)) if a.split(", ").all(|x| !x.contains(' ')) => {
                (h.to_string(), a.split(", ").map(str::to_string).collect())
            }
            _ => (w.clone(), Vec::new()),
        };
        let same = out
            .iter()
            .position(|(h, a)| *h == head && a.is_empty() == addrs.is_empty());
        match same.and_then(|i| out.get_mut(i)) {
            Some((_, a)) => {
                for x in addrs {
                    if !a.contains(&x) {
                        a.push(x);
                    }
                }
            }
            None => out.push((head, addrs)),
        }
    }
    out.into_iter()
        .map(|(h, a)| match a.as_slice() {
            [] => h,
            [one] => format!("{h}{KEY}{one}"),
            many => format!("{h} Cloudflare addresses {}", many.join(", ")),
        })
        .collect()
}

/// What Cloudflare shows for a banned address: a ban that rejects answers
/// at once (521), one that drops makes Cloudflare wait (522).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Refused,
    /// fail2ban: its stock iptables actions reject; a jail may drop.
    RejectByDefault,
    /// An application firewall (CIDRAM): it answers with its own page.
    Page,
    Dropped,
    Either,
}

/// The default action of a ban tool's block: fail2ban's iptables actions
/// reject (`icmp-port-unreachable`); CSF/LFD, Imunify360 and BitNinja
/// blacklists drop; an ipset, a log prefix or a graylist does not say.
fn tool_answer(tool: &str, list: &str) -> Answer {
    let t = tool.to_ascii_lowercase();
    // A graylisted address gets a CAPTCHA page on the web ports, and is
    // dropped on the others.
    if list == "graylist" {
        Answer::Either
    } else if t == "cidram" {
        Answer::Page
    } else if t.starts_with("fail2ban") {
        Answer::RejectByDefault
    } else if ["csf", "lfd", "imunify", "bitninja"]
        .iter()
        .any(|k| t.contains(k))
    {
        Answer::Dropped
    } else {
        Answer::Either
    }
}

/// The command that lists the bans in force of the tools a log named.
fn list_command(tools: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for t in tools {
        let c = match t.as_str() {
            "imunify360" => {
                "sudo imunify360-agent blacklist ip list; sudo imunify360-agent graylist ip list"
            }
            "csf" | "lfd" => "sudo csf -t",
            "litespeed" => "grep BLOCKED_IP /tmp/lshttpd/.rtreport*",
            "cphulk" => "sudo whmapi1 read_cphulk_records list_name=black",
            _ => "sudo fail2ban-client status",
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        out.push("sudo fail2ban-client status");
    }
    out.join("; ")
}

fn answer(answers: &[Answer]) -> &'static str {
    if answers.iter().all(|a| *a == Answer::Page) && !answers.is_empty() {
        return "It blocks inside the web application, which answers with its own block page (HTTP 403): visitors see that page or a Cloudflare 5xx, not a refused connection.";
    }
    if answers.iter().all(|a| *a == Answer::RejectByDefault) && !answers.is_empty() {
        return "fail2ban's stock iptables actions reject, so the page reads 521; a jail whose action drops makes Cloudflare wait and show 522.";
    }
    let refused = answers
        .iter()
        .any(|a| matches!(a, Answer::Refused | Answer::RejectByDefault));
    let dropped = answers.contains(&Answer::Dropped);
    match (refused, dropped, answers.contains(&Answer::Either)) {
        (true, false, false) => "The ban rejects Cloudflare's connections, so the page reads 521.",
        (false, true, false) => "The ban drops Cloudflare's connections silently, so Cloudflare waits and the page reads 522, not 521.",
        (true, true, false) => "Bans that reject give 521, bans that drop give 522 (Cloudflare waits).",
        _ => "A ban that rejects gives 521, one that drops (the usual ipset/blacklist action) gives 522 after Cloudflare waits.",
    }
}

fn first(s: &AddrSet) -> String {
    s.ranges()
        .first()
        .map(|r| r.to_string())
        .unwrap_or_default()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f)
            if f.is_ascii_lowercase() && !s.starts_with("csf") && !s.starts_with("fail2ban") =>
        {
            f.to_uppercase().collect::<String>() + c.as_str()
        }
        Some(f) => f.to_string() + c.as_str(),
        None => String::new(),
    }
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_not};
    use crate::diagnose::FindingId;

    #[test]
    fn fail2ban_banning_a_cloudflare_address() {
        verify(FindingId::BanBlocksCloudflare, "2026-11-24 09:12:01,123 fail2ban.actions        [812]: NOTICE  [nginx-limit-req] Ban 162.158.88.14\n");
    }

    #[test]
    fn fail2ban_banning_a_visitor_outside_cloudflare() {
        verify_not(FindingId::BanBlocksCloudflare, "2026-11-24 09:12:01,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 198.51.100.7\n");
    }
}
