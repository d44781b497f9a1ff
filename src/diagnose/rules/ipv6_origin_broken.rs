//! `ipv6-origin-broken`: an AAAA record is published but the origin does
//! not accept IPv6 (no IPv6 listener, no IPv6 address, IPv6 firewall).

use std::net::IpAddr;

use super::{dns_wrong_origin::origin_records, listener_list_complete, listeners, quote};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::parse::addrs::Scope;
use crate::parse::listeners::ListenAddr;

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::Ipv6OriginBroken;
    let records = origin_records(ctx);
    let aaaa: Vec<_> = records.iter().filter(|(_, r)| r.rtype == "AAAA").collect();
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
