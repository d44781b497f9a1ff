//! `ipv6-origin-broken`: an AAAA record is published but the origin does
//! not accept IPv6 (no IPv6 listener, no IPv6 address, IPv6 firewall).

use std::net::IpAddr;

use super::Rule;
use super::{dns_wrong_origin::origin_records, listener_list_complete, listeners, quote};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::firewall::model::{Action, Dialect, Match, Policy};
use crate::net::Family;
use crate::parse::addrs::Scope;
use crate::parse::listeners::ListenAddr;
use crate::text::Evidence;

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 10,
    asks: super::dns_wrong_origin::asks,
};

/// An IPv6 firewall whose input policy drops everything and that accepts no
/// ICMPv6 also drops neighbour discovery: the host is unreachable over IPv6
/// even for addresses the rules accept. Returns the policy lines.
fn drops_neighbour_discovery(ctx: &Ctx<'_>) -> Vec<Evidence> {
    let mut out = Vec::new();
    for rs in &ctx.facts.rulesets {
        // ufw, firewalld and CSF always let ICMPv6 through in rules their
        // listings do not print; cloud firewalls do not see neighbour
        // discovery.
        if !rs.families.contains(&Family::V6)
            || !matches!(
                rs.dialect,
                Dialect::IptablesSave
                    | Dialect::IptablesRules
                    | Dialect::IptablesList
                    | Dialect::Nftables
            )
        {
            continue;
        }
        let accepts_icmpv6 = rs.chains.iter().flat_map(|c| c.rules.iter()).any(|r| {
            r.action == Action::Accept
                && r.matches.iter().any(|m| {
                    matches!(m, Match::Protocol { names, negated: false } if names.iter().any(|n| matches!(n.as_str(), "ipv6-icmp" | "icmpv6" | "icmp6" | "58")))
                })
        });
        // A cut paste may accept ICMPv6 in the rules it does not show.
        let cut = rs.chains.iter().flat_map(|c| c.rules.iter()).any(|r| {
            r.matches.iter().any(
                |m| matches!(m, Match::Unknown { why, .. } if *why == crate::firewall::model::Undecided::Cut),
            )
        });
        if accepts_icmpv6 || cut {
            continue;
        }
        for chain in rs.entry.iter().filter_map(|&i| rs.chains.get(i)) {
            let v6 = chain.families.contains(&Family::V6);
            if v6 && matches!(chain.policy, Some(Policy::Drop | Policy::Reject)) {
                if let Some(pl) = &chain.policy_line {
                    out.push(quote(ctx, &rs.input, pl.line));
                }
            }
        }
    }
    out
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::Ipv6OriginBroken;
    let records = origin_records(ctx);
    let aaaa: Vec<_> = records.iter().filter(|(_, r)| r.rtype == "AAAA").collect();
    let nd_dropped = drops_neighbour_discovery(ctx);
    // A probe that reached for the origin's IPv6 address shows the AAAA
    // exists (the client resolved it) and that IPv6 fails.
    let v6_failed = super::failed_v6_origin_probes(ctx);
    if !v6_failed.is_empty() && nd_dropped.is_empty() {
        let silent = v6_failed.iter().any(|(s, _)| *s);
        let mut text = "A connection to the origin over IPv6 failed, so the name has an AAAA record the origin does not serve: Cloudflare's IPv6 connections fail the same way.".to_string();
        if silent {
            text.push_str(
                " It timed out (a silent drop): behind Cloudflare that reads 522, not 521.",
            );
        }
        let record_ev: Vec<Evidence> = aaaa.iter().map(|(i, r)| quote(ctx, i, r.line)).collect();
        return Finding::new(id, Status::Likely, text)
            .with_evidence(v6_failed.into_iter().map(|(_, e)| e).chain(record_ev));
    }
    if aaaa.is_empty() && !nd_dropped.is_empty() && !records.iter().any(|(_, r)| r.rtype == "A") {
        return Finding::new(
            id,
            Status::Likely,
            "The IPv6 firewall drops everything by default and accepts no ICMPv6, so neighbour discovery fails and the host is unreachable over IPv6, even for addresses the rules accept. If the name has an AAAA record, Cloudflare's IPv6 connections fail.",
        )
        .with_evidence(nd_dropped);
    }
    if aaaa.is_empty() {
        if records.iter().any(|(_, r)| r.rtype == "A") {
            return Finding::new(id, Status::RuledOut, "No AAAA record is published for the origin, so Cloudflare connects over IPv4 only.")
                .with_evidence(records.iter().map(|(i, r)| quote(ctx, i, r.line)));
        }
        return Finding::unknown(id, ctx);
    }
    let record_ev: Vec<_> = aaaa.iter().map(|(i, r)| quote(ctx, i, r.line)).collect();
    let mut problems: Vec<String> = Vec::new();
    let mut ev = record_ev.clone();
    // The server's own IPv6 addresses, when `ip addr` was pasted.
    let own_v6: Vec<_> = ctx
        .facts
        .addrs
        .iter()
        .flat_map(|a| a.facts.addrs.iter().map(move |x| (a.input.as_str(), x)))
        .filter(|(_, x)| x.addr.is_ipv6() && x.scope == Scope::Global)
        .collect();
    let addrs_pasted = ctx.facts.addrs.iter().any(|a| {
        a.facts.addrs.iter().any(|x| {
            matches!(
                x.source,
                crate::parse::addrs::AddrSource::IpAddr
                    | crate::parse::addrs::AddrSource::IpBrief
                    | crate::parse::addrs::AddrSource::Ifconfig
            )
        })
    });
    if addrs_pasted && own_v6.is_empty() {
        problems.push("the server has no global IPv6 address".to_string());
    }
    // `net.ipv6.conf.all.disable_ipv6 = 1`: the kernel drops every IPv6
    // address, whatever the interfaces were given.
    let disabled: Vec<Evidence> = ctx
        .facts
        .addrs
        .iter()
        .flat_map(|a| {
            a.facts
                .ipv6_sysctl
                .iter()
                .map(move |x| (a.input.as_str(), x))
        })
        .filter(|(_, x)| x.disabled && x.scope == "all")
        .map(|(i, x)| quote(ctx, i, x.line))
        .collect();
    if !disabled.is_empty() {
        problems.push("IPv6 is disabled on the host (sysctl disable_ipv6 = 1)".to_string());
        ev.extend(disabled);
    }
    if listener_list_complete(ctx) {
        let v6_ports: Vec<u16> = ctx
            .ports
            .iter()
            .copied()
            .filter(|port| {
                listeners(ctx).any(|(_, _, l)| {
                    l.port == *port
                        && l.proto == "tcp"
                        && !l.loopback
                        && matches!(
                            &l.addr,
                            ListenAddr::Any6
                                | ListenAddr::AnyBoth
                                | ListenAddr::Specific(IpAddr::V6(_))
                        )
                })
            })
            .collect();
        let missing: Vec<u16> = ctx
            .ports
            .iter()
            .copied()
            .filter(|p| !v6_ports.contains(p))
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "nothing listens on IPv6 on {}",
                crate::diagnose::ports_text(&missing)
            ));
            ev.extend(
                listeners(ctx)
                    .filter(|(_, _, l)| missing.contains(&l.port))
                    .map(|(i, _, l)| quote(ctx, i, l.line)),
            );
        }
    }
    if !nd_dropped.is_empty() {
        problems.push("the IPv6 firewall drops by default and accepts no ICMPv6, so neighbour discovery fails and the host is unreachable over IPv6".to_string());
        ev.extend(nd_dropped);
    }
    if !problems.is_empty() {
        return Finding::new(
            id,
            Status::Confirmed,
            format!("An AAAA record is published, so Cloudflare may connect over IPv6, but {}. Those connections fail while IPv4 works.", problems.join(" and ")),
        )
        .with_evidence(ev);
    }
    let mut f = Finding::unknown(id, ctx);
    f.explanation =
        "An AAAA record is published; whether the origin accepts IPv6 is not shown yet."
            .to_string();
    f.with_evidence(record_ev)
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify_not, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn only_an_a_record_is_published() {
        verify_ruled_out(
            FindingId::Ipv6OriginBroken,
            "www.example.com.  300  IN  A  203.0.113.10 ; cf_tags=cf-proxied:true\n",
        );
    }

    #[test]
    fn an_aaaa_record_with_nginx_listening_on_ipv6_too() {
        verify_not(FindingId::Ipv6OriginBroken, "www.example.com.\t300\tIN\tAAAA\t2001:db8:10::5 ; cf_tags=cf-proxied:true\n$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511              0.0.0.0:443      0.0.0.0:*    users:((\"nginx\",pid=812,fd=7))\nLISTEN 0      511                 [::]:443         [::]:*    users:((\"nginx\",pid=812,fd=8))\nLISTEN 0      511               0.0.0.0:80      0.0.0.0:*    users:((\"nginx\",pid=812,fd=6))\nLISTEN 0      511                  [::]:80         [::]:*    users:((\"nginx\",pid=812,fd=9))\n");
    }
}
