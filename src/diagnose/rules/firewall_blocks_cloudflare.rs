//! `firewall-blocks-cloudflare`: a firewall does not let every Cloudflare
//! range reach the port Cloudflare uses. Partial coverage counts: some
//! ranges missing, IPv6 missing, one port missing.
//!
//! A REJECT answers at once (Cloudflare shows 521); a DROP makes Cloudflare
//! wait and show 522: the explanation says which.

use std::collections::BTreeSet;

use super::dns_wrong_origin::origin_records;
use super::quote;
use super::{ask, Rule};
use crate::diagnose::{ports_text, Ctx, Finding, FindingId, Status};
use crate::diagnose::{AskFor, AskKind};
use crate::firewall::coverage::{layer, CoverageEntry};
use crate::firewall::eval::Outcome;
use crate::firewall::model::{Dialect, Undecided};
use crate::net::Family;
use crate::parse::bans::{cloudflare_log_blocks, LogBlock};
use crate::parse::hints::{Hint, Provider};
use crate::text::Evidence;

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 4,
    asks,
};

/// The firewall listings, and the firewall of a provider the ticket names
/// (it has one of its own).
fn asks(ctx: &Ctx<'_>) -> Vec<AskFor> {
    let mut v =
        vec![ask(
        AskKind::Firewall,
        "sudo ufw status verbose; sudo iptables-save; sudo ip6tables-save; sudo nft list ruleset",
        format!("does the firewall let every Cloudflare range in on {}", ctx.ports_text()),
    )];
    for (_, h) in &ctx.facts.hints {
        let Hint::Provider(p) = &h.hint else { continue };
        let cloud = match p {
            Provider::Aws => Some(("aws ec2 describe-security-groups --group-ids sg-XXXX --output json", "the instance's security groups must allow Cloudflare too (they drop silently: 522)")),
            Provider::GoogleCloud => Some(("gcloud compute firewall-rules list --format=json", "the VPC firewall rules must allow Cloudflare too")),
            Provider::Azure => Some(("az network nsg show --resource-group RG --name NSG", "the network security group must allow Cloudflare too")),
            Provider::OracleCloud => Some(("sudo iptables-save; oci network security-list get --security-list-id ocid1.securitylist...", "Oracle Cloud images ship iptables rules that REJECT all but SSH (/etc/iptables/rules.v4), and the VCN security list must allow Cloudflare too")),
            Provider::Hetzner => Some(("hcloud firewall describe FIREWALL -o json", "a Hetzner Cloud firewall must allow Cloudflare too")),
            Provider::DigitalOcean => Some(("doctl compute firewall get FIREWALL_ID --output json", "a DigitalOcean cloud firewall must allow Cloudflare too")),
            // Hosting panels run on the host; its own firewall is asked above.
            Provider::CPanel | Provider::Plesk | Provider::CyberPanel => None,
        };
        if let Some((command, why)) = cloud {
            v.push(ask(AskKind::CloudFirewall, command, why));
        }
    }
    v
}

/// What the firewall's own kernel log says about Cloudflare addresses on
/// the ports that matter: refused new connections (evidence of a block) and
/// teardown noise (evidence of none), each with a sentence.
struct LogSays {
    blocked: Vec<Evidence>,
    blocked_text: Option<String>,
    noise: Vec<Evidence>,
    noise_text: Option<String>,
}

fn log_says(ctx: &Ctx<'_>) -> LogSays {
    let mut says = LogSays {
        blocked: Vec::new(),
        blocked_text: None,
        noise: Vec::new(),
        noise_text: None,
    };
    let mut blocked_lines = Vec::new();
    let mut noise_lines = Vec::new();
    for b in &ctx.facts.bans {
        let (blocked, noise) = cloudflare_log_blocks(&b.facts, &ctx.options.ranges);
        let on_port = |l: &&&LogBlock| l.dpt.is_none_or(|p| ctx.ports.contains(&p));
        for l in blocked.iter().filter(on_port) {
            says.blocked.push(quote(ctx, &b.input, l.line));
            blocked_lines.push(describe_log(l));
        }
        for l in noise.iter().filter(on_port) {
            says.noise.push(quote(ctx, &b.input, l.line));
            noise_lines.push(describe_log(l));
        }
    }
    if !blocked_lines.is_empty() {
        says.blocked_text = Some(format!(
            "The firewall's log shows new connections from Cloudflare refused: {}.",
            first_few(&blocked_lines)
        ));
    }
    if !noise_lines.is_empty() {
        says.noise_text = Some(format!(
            "The logged block of Cloudflare ({}) carries only RST/FIN flags: the late end of a connection that was already over, which connection tracking had forgotten. It is noise, not a block, and causes no 521.",
            first_few(&noise_lines)
        ));
    }
    says
}

fn describe_log(l: &LogBlock) -> String {
    let src = l
        .src
        .as_ref()
        .and_then(|s| s.ranges().first().map(|r| r.to_string()))
        .unwrap_or_default();
    let src = src.trim_end_matches("/32").trim_end_matches("/128");
    let port = l.dpt.map(|p| format!(" to port {p}")).unwrap_or_default();
    format!(
        "`{}` {src}{port} [{}], line {}",
        l.prefix,
        l.flags.join(" "),
        l.line
    )
}

fn first_few(items: &[String]) -> String {
    let mut s = items.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    if items.len() > 3 {
        s.push_str(&format!("; {} more", items.len() - 3));
    }
    s
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let f = judge_dumps(ctx);
    let says = log_says(ctx);
    stated_off(with_ufw_changes(with_log(f, says, ctx), ctx), ctx)
}

/// An allowlist script's ufw output with refused rules (`ERROR: Bad source
/// address`) and no status table: the ranges it failed on were never
/// allowed, so the allowlist is partial. Likely, since the table that would
/// show the result is not pasted.
fn with_ufw_changes(f: Finding, ctx: &Ctx<'_>) -> Finding {
    if f.status != Status::Unknown || ctx.firewall.is_some() {
        return f;
    }
    let runs: Vec<_> = ctx
        .facts
        .ufw_changes
        .iter()
        .filter(|c| !c.facts.errors.is_empty())
        .collect();
    if runs.is_empty() {
        return f;
    }
    let (v4, v6) = runs
        .iter()
        .fold((0, 0), |(a, b), c| (a + c.facts.v4, b + c.facts.v6));
    let published = |family| ctx.options.ranges.cidrs(family).len();
    let errors: Vec<Evidence> = runs
        .iter()
        .flat_map(|c| c.facts.errors.iter().map(|e| quote(ctx, &c.input, e.line)))
        .collect();
    let mut g = Finding::new(
        f.id,
        Status::Likely,
        format!(
            "ufw refused {} allow command(s) (`{}`): the ranges in them were never allowed, so Cloudflare's connections from them meet ufw's default policy. ufw put {v4} IPv4 and {v6} IPv6 rules in place; Cloudflare publishes {} IPv4 and {} IPv6 ranges. A script that joins ips-v4 and ips-v6 glues the last IPv4 range to the first IPv6 one (ips-v4 ends without a newline), so both go missing. The status table is not pasted: `sudo ufw status numbered` shows which ranges are in.",
            errors.len(),
            errors.first().map(|e| e.text.trim()).unwrap_or_default(),
            published(Family::V4),
            published(Family::V6),
        ),
    )
    .with_evidence(errors);
    g.checks = vec!["sudo ufw status numbered".to_string()];
    g
}

/// "The firewall is not active", with no dump: prose rules nothing out,
/// but it changes what to check next.
fn stated_off(mut f: Finding, ctx: &Ctx<'_>) -> Finding {
    if f.status != Status::Unknown || ctx.firewall.is_some() {
        return f;
    }
    let Some((input, h)) = ctx
        .facts
        .hints
        .iter()
        .find(|(_, h)| h.hint == crate::parse::hints::Hint::FirewallInactive)
    else {
        return f;
    };
    f.explanation = "The ticket says the host firewall is not active. That is the ticket's word, not output, and it leaves the firewalls it does not name: another host firewall (nftables, firewalld, CSF, a cloud-init iptables script) and the cloud or provider firewall in front of the server. Paste `sudo iptables-save; sudo nft list ruleset` and the cloud firewall's rules to rule them out.".to_string();
    f.with_evidence([ctx.facts.quote(input, h.line)])
}

/// Adds what the firewall log says. With no dump to decide, refused SYNs
/// make the block likely; with a dump, the log only supports or qualifies
/// its verdict (the log may be older than the dump).
fn with_log(mut f: Finding, says: LogSays, ctx: &Ctx<'_>) -> Finding {
    if let Some(text) = &says.blocked_text {
        if ctx.firewall.is_none() {
            let mut g = Finding::new(
                f.id,
                Status::Likely,
                format!("{text} A firewall rule refuses Cloudflare; the log shows it happened, and the rule set pasted next shows which rule and whether it still does."),
            )
            .with_evidence(says.blocked.clone());
            g.checks = f.checks.clone();
            f = g;
        } else {
            f.explanation.push(' ');
            f.explanation.push_str(text);
            f.evidence.extend(says.blocked.iter().cloned());
        }
    }
    if let Some(text) = &says.noise_text {
        f.explanation = if ctx.firewall.is_none() && says.blocked_text.is_none() {
            format!("{text} Whether the firewall lets Cloudflare in is not shown: paste its rules.")
        } else {
            format!("{} {text}", f.explanation)
        };
        f.evidence.extend(says.noise.iter().cloned());
    }
    f
}

fn judge_dumps(ctx: &Ctx<'_>) -> Finding {
    // long: the verdict over every layer, family and port, with the sure/unsure split the SSL mode
    // implies and the caveats of hidden interfaces; one decision read top to bottom.
    let id = FindingId::FirewallBlocksCloudflare;
    let Some(fw) = &ctx.firewall else {
        return Finding::unknown(id, ctx);
    };
    // A verdict that hangs only on a ban list's members is the ban
    // finding's question: the firewall's own answer is the outcome for an
    // address not on the list.
    let view: Vec<CoverageEntry> = fw
        .coverage
        .iter()
        .map(|e| match super::ban_blocks_cloudflare::pending_ban(e) {
            Some((_, otherwise)) => CoverageEntry {
                outcome: otherwise,
                branches: None,
                alt_rule: None,
                undecided: Vec::new(),
                reason: None,
                ..e.clone()
            },
            None => e.clone(),
        })
        .collect();
    // Blocks by ban chains and limits are `ban-blocks-cloudflare`.
    let blocked: Vec<&CoverageEntry> = view
        .iter()
        .filter(|e| matches!(e.outcome, Outcome::Reject | Outcome::Drop))
        .filter(|e| !super::ban_blocks_cloudflare::is_ban_rule(e))
        .collect();
    let unknown: Vec<&CoverageEntry> = view
        .iter()
        .filter(|e| e.outcome == Outcome::Unknown)
        .collect();
    let evidence = deciding_lines(ctx, blocked.iter().copied());
    let aaaa_published = origin_records(ctx).iter().any(|(_, r)| r.rtype == "AAAA");
    let no_aaaa_known = !origin_records(ctx).is_empty() && !aaaa_published;

    if !blocked.is_empty() {
        let v4: Vec<&CoverageEntry> = blocked
            .iter()
            .copied()
            .filter(|e| is_v6(e) == Some(false))
            .collect();
        let ports: BTreeSet<u16> = blocked.iter().map(|e| e.port).collect();
        let sure = ctx.sure_ports();
        let on_sure_port = blocked.iter().any(|e| sure.contains(&e.port));
        // With the mode unknown, a block is sure when both 80 and 443 are
        // blocked for the same range.
        let both_web_ports = ctx.sure_ports().is_empty()
            && blocked.iter().any(|a| {
                a.port == 80 && blocked.iter().any(|b| b.port == 443 && b.range == a.range)
            });
        let v4_sure = v4.iter().any(|e| sure.contains(&e.port))
            || (sure.is_empty() && both_web_ports && !v4.is_empty());
        let only_v6 = v4.is_empty();
        let mut status = if on_sure_port || both_web_ports {
            Status::Confirmed
        } else {
            Status::Likely
        };
        if only_v6 && !aaaa_published {
            status = Status::Likely;
        }
        if ctx.ssl_mode_stated.is_some()
            && !v4_sure
            && status == Status::Confirmed
            && !both_web_ports
        {
            status = Status::Likely;
        }
        // Sure ports first: they are the ones the person must fix.
        let mut port_order: Vec<u16> = ports.iter().copied().collect();
        port_order.sort_by_key(|p| (!sure.contains(p), *p));
        let parts: Vec<String> = port_order
            .iter()
            .map(|port| {
                let on_port: Vec<&CoverageEntry> = blocked
                    .iter()
                    .copied()
                    .filter(|e| e.port == *port)
                    .collect();
                describe_port(*port, &on_port, ctx)
            })
            .collect();
        let rejects = blocked.iter().any(|e| e.outcome == Outcome::Reject);
        let drops = blocked.iter().any(|e| e.outcome == Outcome::Drop);
        let page = match (rejects, drops) {
            (true, false) => " The firewall rejects, so the origin answers at once with a refusal: Cloudflare shows 521.".to_string(),
            (false, true) => " The firewall drops silently, so Cloudflare waits about 19 seconds and the page would read 522 (Connection timed out), not 521.".to_string(),
            _ => " Rejected connections show as 521; dropped ones make Cloudflare wait and show 522.".to_string(),
        };
        let mut explanation = format!("{}{page}", parts.join(" "));
        if let Some(a) = assumed(ctx, &blocked) {
            // Read under a stated assumption: likely at most.
            if status == Status::Confirmed {
                status = Status::Likely;
            }
            explanation.push_str(&format!(" This rests on an assumption: {a}."));
        }
        explanation.push_str(&rate_limited(&blocked));
        explanation.push_str(&cut_paste(&unknown));
        if !on_sure_port && !both_web_ports {
            let p: Vec<u16> = ports.iter().copied().collect();
            explanation.push_str(&format!(
                " The block is on {} only: {}",
                ports_text(&p),
                match ctx.ssl_mode {
                    crate::options::SslMode::Unknown => "whether Cloudflare uses it depends on the SSL mode (Flexible connects to 80, Full to 443): set the SSL mode to decide.",
                    _ => "with this SSL mode Cloudflare uses it only for plain-HTTP visitors (unless Always Use HTTPS redirects them first).",
                }
            ));
        }
        if only_v6 {
            explanation.push_str(if aaaa_published {
                " The origin publishes an AAAA record, so Cloudflare connects over IPv6 too."
            } else if no_aaaa_known {
                " No AAAA record is published now, so only IPv6 connections would fail if one is added."
            } else {
                " This matters when the origin has an AAAA record (Cloudflare then connects over IPv6)."
            });
        }
        if !fw.families.contains(&Family::V4) {
            explanation.push_str(" No pasted dump covers IPv4 (paste `sudo iptables-save`).");
        }
        if !fw.families.contains(&Family::V6) {
            explanation.push_str(&format!(" {}", v6_caveat(aaaa_published, no_aaaa_known)));
        }
        return Finding::new(id, status, explanation).with_evidence(evidence);
    }

    if let Some(f) = interface_conditional(ctx, &unknown) {
        return f;
    }
    if let Some(f) = hidden_interface(ctx, &unknown) {
        return f;
    }

    if !unknown.is_empty() {
        // A cut paste is said once, by `cut_paste` below.
        let is_cut = |e: &&&CoverageEntry| {
            e.undecided
                .iter()
                .all(|u| matches!(u, Undecided::Cut | Undecided::PolicyHidden))
                && !e.undecided.is_empty()
        };
        let mut reasons: Vec<String> = unknown
            .iter()
            .filter(|e| !is_cut(e))
            .filter_map(|e| e.reason.clone())
            .collect();
        reasons.sort();
        reasons.dedup();
        let explanation = if reasons.is_empty() {
            "The firewall's verdict for some Cloudflare ranges cannot be decided from what was pasted.".to_string()
        } else {
            format!(
                "The firewall's verdict for some Cloudflare ranges cannot be decided from what was pasted: {}.",
                reasons.into_iter().take(3).collect::<Vec<_>>().join("; ")
            )
        };
        let mut f = Finding::new(id, Status::Unknown, explanation)
            .with_evidence(deciding_lines(ctx, unknown.iter().copied()));
        f.checks = asks(ctx).into_iter().map(|a| a.command).collect();
        let missing = |pred: &dyn Fn(&Undecided) -> bool| {
            unknown.iter().any(|e| e.undecided.iter().any(pred))
        };
        if missing(&|u| matches!(u, Undecided::Cut | Undecided::PolicyHidden)) {
            f.explanation.push_str(&cut_paste(&unknown));
        }
        if missing(&|u| matches!(u, Undecided::SetMembers(_))) {
            f.checks.insert(0, "sudo ipset list".to_string());
        }
        // `iptables -L` without `-v` hides each rule's interfaces.
        if missing(&|u| *u == Undecided::InterfaceHidden) {
            f.checks
                .insert(0, "sudo iptables -L INPUT -n -v --line-numbers".to_string());
        }
        return f;
    }

    // Everything pasted accepts. Say which families that covers.
    let accepted = deciding_lines(ctx, view.iter());
    let all: Vec<&CoverageEntry> = view.iter().collect();
    if let Some(a) = assumed(ctx, &all) {
        let mut f = Finding::new(
            id,
            Status::Unknown,
            format!(
                "Every Cloudflare range is let in on {}, but only under an assumption: {a}.",
                ctx.ports_text()
            ),
        )
        .with_evidence(accepted);
        f.checks = assumption_checks(ctx);
        return f;
    }
    let uncovered: Vec<Family> = [Family::V4, Family::V6]
        .into_iter()
        .filter(|f| !fw.families.contains(f))
        .collect();
    // One family decides for itself: Cloudflare uses IPv6 only towards an
    // AAAA record, so the missing IPv6 dump matters only when one is
    // published (then the cause is still open) or not known.
    if uncovered.contains(&Family::V6) && !uncovered.contains(&Family::V4) {
        let ipv4 = format!(
            "Ruled out for IPv4: every Cloudflare IPv4 range ({}) is accepted on {}.",
            family_count(ctx, Family::V4),
            ctx.ports_text()
        );
        let status = if aaaa_published {
            Status::Unknown
        } else {
            Status::RuledOut
        };
        let mut f = Finding::new(
            id,
            status,
            format!("{ipv4} {}", v6_caveat(aaaa_published, no_aaaa_known)),
        )
        .with_evidence(accepted);
        if !no_aaaa_known {
            f.checks = vec!["sudo ip6tables-save".to_string()];
        }
        return f;
    }
    if uncovered.contains(&Family::V4) {
        let mut f = Finding::new(
            id,
            Status::Unknown,
            format!(
                "Every Cloudflare IPv6 range is accepted on {}, but no pasted dump covers IPv4.",
                ctx.ports_text()
            ),
        )
        .with_evidence(accepted);
        f.checks = vec!["sudo iptables-save".to_string()];
        return f;
    }
    Finding::new(
        id,
        Status::RuledOut,
        format!(
            "Every Cloudflare range ({} IPv4 and {} IPv6) is accepted on {}.",
            ctx.options
                .ranges
                .ranges
                .iter()
                .filter(|r| r.family == Family::V4)
                .count(),
            ctx.options
                .ranges
                .ranges
                .iter()
                .filter(|r| r.family == Family::V6)
                .count(),
            ctx.ports_text()
        ),
    )
    .with_evidence(accepted)
}

/// A deciding rule that matches only under a rate limit is not a plain
/// block: new connections below the rate match it (and are refused), the
/// ones above the rate fall through to the rules after it.
fn rate_limited(blocked: &[&CoverageEntry]) -> String {
    let mut out = String::new();
    let mut seen: Vec<usize> = Vec::new();
    for e in blocked {
        let Some(r) = &e.rule else { continue };
        let Some(limit) = &r.limit else { continue };
        if seen.contains(&r.line) {
            continue;
        }
        seen.push(r.line);
        out.push_str(&format!(
            " Line {} is not a plain block: it matches only while new connections stay under its limit (`{}`). Below that rate Cloudflare's connections are {}; those over it fall through to the rules after line {}, so under load some requests get through and the errors come and go.",
            r.line,
            limit.trim(),
            if e.outcome == Outcome::Reject { "rejected" } else { "dropped" },
            r.line
        ));
    }
    out
}

/// The assumptions of the dumps the verdicts in `entries` come from.
fn assumed(ctx: &Ctx<'_>, entries: &[&CoverageEntry]) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for rs in ctx
        .facts
        .rulesets
        .iter()
        .filter(|r| !r.assumptions.is_empty())
    {
        let layers: Vec<_> = rs
            .families
            .iter()
            .map(|f| crate::firewall::coverage::layer(rs, *f))
            .collect();
        // ufw's one assumption is its hidden default policy: verdicts of
        // its explicit rows do not rest on it.
        let rests = |e: &&CoverageEntry| {
            layers.contains(&e.layer) && (rs.dialect != Dialect::Ufw || e.rule.is_none())
        };
        if entries.iter().any(rests) {
            out.extend(rs.assumptions.iter().map(String::as_str));
        }
    }
    out.dedup();
    (!out.is_empty()).then(|| out.join("; "))
}

/// The pastes that settle the assumptions the dumps were read under.
fn assumption_checks(ctx: &Ctx<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rs in ctx
        .facts
        .rulesets
        .iter()
        .filter(|r| !r.assumptions.is_empty())
    {
        let check = match rs.dialect {
            Dialect::CloudGcp => "gcloud compute firewall-rules list --format=json",
            Dialect::Ufw => "sudo ufw status verbose",
            // Oracle Cloud: the subnet's other security lists.
            Dialect::CloudOther => "oci network subnet get --subnet-id SUBNET_OCID --query 'data.\"security-list-ids\"'",
            _ => continue,
        };
        if !out.iter().any(|c| c == check) {
            out.push(check.to_string());
        }
    }
    out
}

/// Verdicts a cut paste leaves open: said with the line where it stops.
fn cut_paste(unknown: &[&CoverageEntry]) -> String {
    let cut: Vec<&CoverageEntry> = unknown
        .iter()
        .copied()
        .filter(|e| e.undecided.contains(&Undecided::Cut))
        .collect();
    let Some(e) = cut.first() else {
        // A dump without its policy line (a grep'd `iptables -S`).
        let hidden: BTreeSet<u16> = unknown
            .iter()
            .filter(|e| e.undecided.contains(&Undecided::PolicyHidden))
            .map(|e| e.port)
            .collect();
        if hidden.is_empty() {
            return String::new();
        }
        let p: Vec<u16> = hidden.into_iter().collect();
        return format!(
            " The paste does not show INPUT's default policy (it looks filtered or cut), so the verdict on {} for the connections no rule matches is not known: paste the rest (the whole dump).",
            ports_text(&p)
        );
    };
    let at = e
        .alt_rule
        .as_ref()
        .or(e.rule.as_ref())
        .map(|r| format!(" after line {} `{}`", r.line, r.text.trim()))
        .unwrap_or_default();
    format!(
        " The paste stops early{at}: the verdict for the {} ranges it reaches is not known until you paste the rest.",
        if cut.iter().all(|e| is_v6(e) == Some(true)) {
            "IPv6"
        } else {
            "remaining"
        }
    )
}

fn family_count(ctx: &Ctx<'_>, family: Family) -> usize {
    ctx.options
        .ranges
        .ranges
        .iter()
        .filter(|r| r.family == family)
        .count()
}

/// What a dump without IPv6 leaves open, by what DNS says about AAAA.
fn v6_caveat(aaaa_published: bool, no_aaaa_known: bool) -> &'static str {
    if aaaa_published {
        "This covers IPv4 only: the origin publishes an AAAA record, so Cloudflare connects over IPv6 too, and no pasted dump covers IPv6 (paste `sudo ip6tables-save`)."
    } else if no_aaaa_known {
        "This covers IPv4 only; no AAAA record is published, so Cloudflare connects over IPv4 and IPv6 does not matter now."
    } else {
        "This covers IPv4 only: no pasted dump covers IPv6, which matters if the site has an AAAA record (then Cloudflare connects over IPv6 too: paste `sudo ip6tables-save`)."
    }
}

fn is_v6(e: &CoverageEntry) -> Option<bool> {
    crate::net::AddrRange::parse(&e.cloudflare_range).map(|r| r.family == Family::V6)
}

/// "On port 443, 1 of 15 IPv4 ranges (131.0.72.0/22) and all 7 IPv6
/// ranges are refused: rejected by the default policy ...".
fn describe_port(port: u16, blocked: &[&CoverageEntry], ctx: &Ctx<'_>) -> String {
    let mut groups: Vec<String> = Vec::new();
    for family in [Family::V4, Family::V6] {
        let fam: Vec<&CoverageEntry> = blocked
            .iter()
            .copied()
            .filter(|e| is_v6(e) == Some(family == Family::V6))
            .collect();
        if fam.is_empty() {
            continue;
        }
        let total = ctx
            .options
            .ranges
            .ranges
            .iter()
            .filter(|r| r.family == family)
            .count();
        let name = if family == Family::V4 { "IPv4" } else { "IPv6" };
        let ranges: BTreeSet<&str> = fam.iter().map(|e| e.cloudflare_range.as_str()).collect();
        let mut listed: Vec<String> = Vec::new();
        for e in &fam {
            let item = if e.range == e.cloudflare_range {
                e.range.clone()
            } else {
                format!("{} of {}", e.range, e.cloudflare_range)
            };
            if !listed.contains(&item) {
                listed.push(item);
            }
        }
        if ranges.len() == total && listed.len() == total {
            groups.push(format!("all {total} {name} ranges"));
        } else {
            let more = listed.len().saturating_sub(5);
            listed.truncate(5);
            if more > 0 {
                listed.push(format!("{more} more"));
            }
            groups.push(format!(
                "{} of {total} {name} ranges ({})",
                ranges.len(),
                listed.join(", ")
            ));
        }
    }
    format!(
        "On port {port}, {} cannot connect: {}.",
        groups.join(" and "),
        deciders(blocked)
    )
}

/// "rejected by ufw-user-input line 22 `...`" for the distinct deciding rules.
fn deciders(blocked: &[&CoverageEntry]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in blocked {
        let how = match e.outcome {
            Outcome::Reject => "rejected",
            Outcome::Drop => "dropped",
            _ => "blocked",
        };
        let who = match (&e.rule, &e.policy) {
            (Some(r), _) => format!("{how} by line {} `{}`", r.line, r.text.trim()),
            (None, Some(p)) => format!("{how} by the default policy ({p})"),
            _ => how.to_string(),
        };
        let who = format!("{who} [{}]", e.layer);
        if !seen.contains(&who) {
            seen.push(who);
        }
    }
    let more = seen.len().saturating_sub(3);
    seen.truncate(3);
    let mut s = seen.join("; ");
    if more > 0 {
        s.push_str(&format!("; and {more} more rules"));
    }
    s
}

/// The rule (or policy) lines that decided, each once.
fn deciding_lines<'e>(
    ctx: &Ctx<'_>,
    entries: impl Iterator<Item = &'e CoverageEntry>,
) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::new();
    for e in entries {
        // The rule that decides if the undecided condition holds.
        if let Some(r) = &e.alt_rule {
            let ev = quote(ctx, &r.input, r.line);
            if !out.contains(&ev) {
                out.push(ev);
            }
        }
        if let Some(r) = &e.rule {
            let ev = quote(ctx, &r.input, r.line);
            if !out.contains(&ev) {
                out.push(ev);
            }
        } else if e.policy.is_some() {
            // Decided by a default policy: quote where the dump states it;
            // a listing that leaves it implied (a cloud firewall's final
            // deny) speaks through the rules it does show, none of which
            // admits the connection.
            for rs in ctx
                .facts
                .rulesets
                .iter()
                .filter(|rs| rs.families.iter().any(|f| layer(rs, *f) == e.layer))
            {
                for c in rs.entry.iter().filter_map(|&i| rs.chains.get(i)) {
                    let lines: Vec<usize> = match &c.policy_line {
                        Some(pl) => vec![pl.line],
                        None => c.rules.iter().map(|r| r.source.line).take(6).collect(),
                    };
                    for line in lines {
                        let ev = quote(ctx, &rs.input, line);
                        if !out.contains(&ev) {
                            out.push(ev);
                        }
                    }
                }
            }
        }
        if out.len() >= 12 {
            break;
        }
    }
    out
}

/// The command that shows which interface faces Cloudflare: the one with
/// the public address and the default route.
const HOST_INTERFACES: &str = "ip -br addr; ip route";

/// Verdicts that hang only on which interface Cloudflare arrives on (a rule
/// with `-i eth1` / `iifname "eth1"`, and no `ip addr` to say which one is
/// public): stated as conditions, never as certain. A block that happens
/// if Cloudflare arrives on the named interface is `likely`; a block that
/// happens unless it does (an accept limited to that interface) is
/// `unknown`. Either way the next paste is the host's addresses and routes.
fn interface_conditional(ctx: &Ctx<'_>, unknown: &[&CoverageEntry]) -> Option<Finding> {
    let id = FindingId::FirewallBlocksCloudflare;
    let on_iface = |e: &&CoverageEntry| -> Option<String> {
        match e.undecided.as_slice() {
            [Undecided::Interface(name)] => Some(name.clone()),
            _ => None,
        }
    };
    let blocks = |o: Outcome| matches!(o, Outcome::Drop | Outcome::Reject);
    let mut if_there: Vec<(&CoverageEntry, String, Outcome)> = Vec::new();
    let mut unless_there: Vec<(&CoverageEntry, String, Outcome)> = Vec::new();
    for e in unknown {
        let (Some(name), Some((holds, not))) = (on_iface(e), e.branches) else {
            // Something besides the interface is undecided: not only a
            // condition on the interface.
            return None;
        };
        if blocks(holds) && !blocks(not) {
            if_there.push((e, name, holds));
        } else if blocks(not) && !blocks(holds) {
            unless_there.push((e, name, not));
        } else {
            return None;
        }
    }
    if if_there.is_empty() && unless_there.is_empty() {
        return None;
    }
    let word = |o: Outcome| {
        if o == Outcome::Reject {
            "rejected"
        } else {
            "dropped"
        }
    };
    let mut parts: Vec<String> = Vec::new();
    let mut sentence = |list: &[(&CoverageEntry, String, Outcome)], unless: bool| {
        // One sentence per (interface, outcome, deciding rule), over all
        // the ports it covers.
        let mut groups: Vec<(String, Outcome, String, BTreeSet<u16>)> = Vec::new();
        for (e, name, o) in list {
            // The rule that blocks: the alternative's when the block
            // happens on the named interface, else the main verdict's.
            let rule = if unless { &e.rule } else { &e.alt_rule };
            let by = match (rule, &e.policy) {
                (Some(r), _) => format!("line {} `{}`", r.line, r.text.trim()),
                (None, Some(p)) => format!("the default policy ({p})"),
                (None, None) => "the firewall".to_string(),
            };
            match groups
                .iter_mut()
                .find(|g| g.0 == *name && g.1 == *o && g.2 == by)
            {
                Some(g) => {
                    g.3.insert(e.port);
                }
                None => groups.push((name.clone(), *o, by, BTreeSet::from([e.port]))),
            }
        }
        for (name, o, by, ports) in groups {
            let p: Vec<u16> = ports.into_iter().collect();
            parts.push(if unless {
                format!(
                    "On {}, Cloudflare's connections are accepted only if they arrive on {name}; on any other interface they are {} by {by}",
                    ports_text(&p),
                    word(o)
                )
            } else {
                format!(
                    "On {}, Cloudflare's connections are {} if Cloudflare arrives on {name} ({by})",
                    ports_text(&p),
                    word(o)
                )
            });
        }
    };
    sentence(&if_there, false);
    sentence(&unless_there, true);
    parts.truncate(4);
    let status = if if_there.is_empty() {
        Status::Unknown
    } else {
        Status::Likely
    };
    let all: Vec<&CoverageEntry> = if_there
        .iter()
        .chain(unless_there.iter())
        .map(|(e, _, _)| *e)
        .collect();
    let drops = if_there
        .iter()
        .chain(unless_there.iter())
        .any(|(_, _, o)| *o == Outcome::Drop);
    let mut f = Finding::new(
        id,
        status,
        format!(
            "{}.{} Which interface Cloudflare's traffic arrives on is not in the paste: the one with the public address and the default route decides (paste `{HOST_INTERFACES}`).",
            parts.join(". "),
            if drops {
                " A drop makes Cloudflare wait and show 522, not 521."
            } else {
                " A reject answers at once: Cloudflare shows 521."
            }
        ),
    )
    .with_evidence({
        let mut ev = deciding_lines(ctx, all.iter().copied());
        for e in &all {
            if let Some(r) = &e.alt_rule {
                let q = quote(ctx, &r.input, r.line);
                if !ev.contains(&q) {
                    ev.insert(0, q);
                }
            }
        }
        ev
    });
    f.checks = vec![HOST_INTERFACES.to_string()];
    Some(f)
}

/// `iptables -L` without `-v` hides each rule's interface. In the usual
/// layouts (firewalld, ufw) a bare `ACCEPT all` is the loopback rule
/// (`-i lo`) and a final bare REJECT/DROP applies on every interface: when
/// only such hidden interfaces stand between Cloudflare and a block, the
/// block is `likely`, and `-v` decides.
fn hidden_interface(ctx: &Ctx<'_>, unknown: &[&CoverageEntry]) -> Option<Finding> {
    let blocks = |o: Outcome| matches!(o, Outcome::Drop | Outcome::Reject);
    // Per entry: the outcome of the block and the rule (or policy) behind it.
    let mut blocked: Vec<(Outcome, String)> = Vec::new();
    for e in unknown {
        let (holds, not) = e.branches?;
        if e.undecided.as_slice() != [Undecided::InterfaceHidden] {
            return None;
        }
        let by = |r: Option<&crate::firewall::eval::RuleRef>| match (r, &e.policy) {
            (Some(r), _) => format!("line {} `{}`", r.line, r.text.trim()),
            (None, Some(p)) => format!("the default policy ({p})"),
            (None, None) => "the firewall".to_string(),
        };
        if blocks(holds) && not == Outcome::Accept {
            blocked.push((holds, by(e.alt_rule.as_ref())));
        } else if holds == Outcome::Accept && blocks(not) {
            blocked.push((not, by(e.rule.as_ref())));
        } else {
            return None;
        }
    }
    let first = blocked.first()?.1.clone();
    let ports: BTreeSet<u16> = unknown.iter().map(|e| e.port).collect();
    let p: Vec<u16> = ports.into_iter().collect();
    let rejects = blocked.iter().any(|(o, _)| *o == Outcome::Reject);
    let mut f = Finding::new(
        FindingId::FirewallBlocksCloudflare,
        Status::Likely,
        format!(
            "On {}, Cloudflare's connections are most likely {} by {first}. `iptables -L` without `-v` hides each rule's interface; in the usual layout (firewalld, ufw) a bare `ACCEPT all` is the loopback rule `-i lo`, which does not apply to Cloudflare, and a final bare REJECT or DROP applies on every interface. {} Paste `sudo iptables -L INPUT -n -v --line-numbers` to confirm.",
            ports_text(&p),
            if rejects { "rejected" } else { "dropped" },
            if rejects {
                "A reject answers at once: Cloudflare shows 521."
            } else {
                "A drop makes Cloudflare wait and show 522."
            }
        ),
    )
    .with_evidence(deciding_lines(ctx, unknown.iter().copied()));
    f.checks = vec!["sudo iptables -L INPUT -n -v --line-numbers".to_string()];
    Some(f)
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_not, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn an_iptables_input_policy_drop_with_only_ssh_allowed() {
        verify(FindingId::FirewallBlocksCloudflare, "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n");
    }

    #[test]
    fn ufw_allowing_80_and_443_from_anywhere_ipv4_and_ipv6() {
        verify_ruled_out(FindingId::FirewallBlocksCloudflare, "$ sudo ufw status verbose\nStatus: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\nNew profiles: skip\n\nTo                         Action      From\n--                         ------      ----\n80,443/tcp                 ALLOW IN    Anywhere\n80,443/tcp (v6)            ALLOW IN    Anywhere (v6)\n");
    }

    #[test]
    fn an_empty_iptables_ruleset_that_accepts_everything() {
        verify_not(
            FindingId::FirewallBlocksCloudflare,
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnose::{FindingId, Status};
    use crate::report::Report;
    use crate::text::CaseInput;

    fn run(text: &str) -> Report {
        crate::analyze(
            &[CaseInput::new("t", text)],
            &crate::options::Options::default(),
        )
    }

    fn status(r: &Report) -> Status {
        r.findings
            .iter()
            .find(|f| f.id == FindingId::FirewallBlocksCloudflare)
            .map_or(Status::Unknown, |f| f.status)
    }

    #[test]
    fn refused_ufw_allow_commands_make_a_partial_allowlist_likely() {
        let r = run("Rule added\nRule added\nERROR: Bad source address\nRule added (v6)\n");
        assert_eq!(status(&r), Status::Likely);
        assert_eq!(r.primary, Some(FindingId::FirewallBlocksCloudflare));
        let f = &r.findings[0];
        assert_eq!(f.evidence[0].text, "ERROR: Bad source address");
        // The fix goes through ufw, the program that printed the error.
        assert!(f.fix[0]
            .commands
            .iter()
            .any(|c| c.contains("ufw prepend allow")));
    }

    #[test]
    fn ufw_commands_that_all_succeeded_prove_nothing() {
        let r =
            run("Rule added\nRule added\nRule added (v6)\nSkipping adding existing rule (v6)\n");
        assert_eq!(status(&r), Status::Unknown);
    }

    #[test]
    fn plain_ufw_status_without_web_rules_is_likely_under_the_default_policy() {
        let r = run("Status: active\n\nTo                         Action      From\n--                         ------      ----\n22/tcp                     ALLOW       Anywhere\n22/tcp (v6)                ALLOW       Anywhere (v6)\n");
        assert_eq!(status(&r), Status::Likely);
        // With the web ports allowed, the hidden default does not matter.
        let r = run("Status: active\n\nTo                         Action      From\n--                         ------      ----\n80,443/tcp                 ALLOW       Anywhere\n80,443/tcp (v6)            ALLOW       Anywhere (v6)\n");
        assert_eq!(status(&r), Status::RuledOut);
    }

    fn of(r: &Report, id: FindingId) -> Status {
        r.findings
            .iter()
            .find(|f| f.id == id)
            .map_or(Status::Unknown, |f| f.status)
    }

    const SAVE: &str = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m set --match-set SET src -j REJECT --reject-with icmp-port-unreachable\n-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT\nCOMMIT\n";

    #[test]
    fn a_ban_set_in_front_of_the_allow_rules_is_the_ban_findings_question() {
        let r = run(&SAVE.replace("SET", "f2b-recidive"));
        assert_eq!(
            of(&r, FindingId::FirewallBlocksCloudflare),
            Status::RuledOut
        );
        let ban = r
            .findings
            .iter()
            .find(|f| f.id == FindingId::BanBlocksCloudflare)
            .expect("ban finding");
        assert_eq!(ban.status, Status::Unknown);
        assert_eq!(ban.evidence[0].line, 5);
        // fail2ban's set: its own command lists every jail's bans.
        assert_eq!(ban.checks, ["sudo fail2ban-client banned"]);
    }

    #[test]
    fn a_set_that_is_no_ban_list_keeps_the_firewall_open_question() {
        let r = run(&SAVE.replace("SET", "office"));
        assert_eq!(of(&r, FindingId::FirewallBlocksCloudflare), Status::Unknown);
    }
}
