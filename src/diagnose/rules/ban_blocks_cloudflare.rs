//! `ban-blocks-cloudflare`: fail2ban, CSF/LFD, an ipset blacklist, a
//! connection limit or web-server throttling has blocked Cloudflare
//! addresses. Behind Cloudflare every visitor arrives from a Cloudflare
//! address, so a ban tool that reads the connecting address bans Cloudflare.

use super::quote;
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::firewall::coverage::CoverageEntry;
use crate::firewall::eval::Outcome;
use crate::net::AddrSet;
use crate::parse::bans::{cloudflare_hits, HitKind};
use crate::text::Evidence;

/// Whether a firewall verdict came from a ban mechanism (a fail2ban chain,
/// a blacklist set, CSF's deny chains, a rate or connection limit) rather
/// than from the allowlist policy.
pub fn is_ban_rule(e: &CoverageEntry) -> bool {
    let Some(r) = &e.rule else { return false };
    let t = r.text.to_ascii_lowercase();
    // A deny-list entry (csf.deny, `csf -t`): a bare address line, or a
    // temporary DENY row.
    let first = r.text.split_whitespace().next().unwrap_or("");
    if r.text.starts_with("DENY")
        || t.contains("lfd")
        || crate::net::AddrRange::parse(first).is_some()
    {
        return true;
    }
    [
        "f2b-",
        "fail2ban",
        "crowdsec",
        "denyin",
        "chain_deny",
        "blacklist",
        "blocklist",
        "banned",
        "connlimit",
        "hashlimit",
        "--update",
        "--rcheck",
        "recent:",
    ]
    .iter()
    .any(|k| t.contains(k))
        || t.split_whitespace().any(|w| {
            w.trim_start_matches('@')
                .split(['/', ','])
                .any(crate::parse::bans::is_ban_set)
                && (t.contains("match-set") || t.contains('@'))
        })
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    // long: gathers the four kinds of ban evidence (ban-chain rules, fail2ban lists, ipset
    // members, CSF denies) into one verdict; they share the quoting and the Cloudflare set.
    let id = FindingId::BanBlocksCloudflare;
    let cf = ctx.options.ranges.set();
    let mut active: Vec<Evidence> = Vec::new();
    let mut past: Vec<Evidence> = Vec::new();
    let mut lifted: Vec<Evidence> = Vec::new();
    let mut throttled: Vec<Evidence> = Vec::new();
    let mut what: Vec<String> = Vec::new();
    let mut banned = AddrSet::empty();
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
                    active.push(ev);
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
        for d in c
            .facts
            .denies
            .iter()
            .filter_map(|d| d.addrs.as_ref().map(|a| (a, d.line)))
        {
            let o = d.0.intersect(&cf);
            if !o.is_empty() {
                active.push(quote(ctx, &c.input, d.1));
                what.push(format!("csf.deny lists Cloudflare address {}", first(&o)));
                banned = banned.union(&o);
            }
        }
        for t in c.facts.temp.iter().filter(|t| !t.allow) {
            let o = t.addrs.intersect(&cf);
            if !o.is_empty() {
                active.push(quote(ctx, &c.input, t.line));
                what.push(format!(
                    "CSF has a temporary block on Cloudflare address {}",
                    first(&o)
                ));
                banned = banned.union(&o);
            }
        }
        for l in &c.facts.lfd_blocks {
            let o = l.addrs.intersect(&cf);
            if !o.is_empty() {
                past.push(quote(ctx, &c.input, l.line));
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
                    what.push(format!(
                        "the ban rule at line {} blocks {} on port {}",
                        r.line, e.range, e.port
                    ));
                }
            }
        }
    }
    what.dedup();
    let whitelisted = ctx
        .facts
        .bans
        .iter()
        .any(|b| b.facts.ignore.iter().any(|i| i.addrs.intersect(&cf) == cf));
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
                "{}. Behind Cloudflare every visitor arrives from a Cloudflare address, so a ban on one blocks everyone served through it: Cloudflare's connections are refused (521) or dropped (522).",
                capitalize(&what.join("; "))
            ),
        )
        .with_evidence(active.into_iter().chain(throttled).chain(past));
    }
    if !past.is_empty() {
        return Finding::new(
            id,
            Status::Likely,
            format!(
                "{}. The log shows the ban happened; whether it is still in force is not shown: paste `sudo fail2ban-client status` (or `csf -t`).",
                capitalize(&what.join("; "))
            ),
        )
        .with_evidence(past);
    }
    if !lifted.is_empty() {
        return Finding::new(
            id,
            Status::RuledOut,
            "Cloudflare addresses were banned earlier but the bans were lifted.",
        )
        .with_evidence(lifted);
    }
    if !ctx.facts.bans.is_empty() || !ctx.facts.csf.is_empty() {
        let text = if whitelisted {
            "No Cloudflare address is banned in the pasted lists, and Cloudflare's ranges are on the ignore list."
        } else {
            "No Cloudflare address is banned in the pasted lists."
        };
        return Finding::new(id, Status::RuledOut, text);
    }
    Finding::unknown(id, ctx)
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
