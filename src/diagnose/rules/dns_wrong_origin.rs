//! `dns-wrong-origin`: the proxied A/AAAA record does not point at the
//! origin: a private, reserved or loopback address, a Cloudflare address,
//! or an address different from the server's own.

use std::net::IpAddr;

use super::quote;
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::net::{classify, AddrClass};
use crate::parse::addrs::{AddrSource, Scope};
use crate::parse::dns::{DnsRecord, DnsSource};
use crate::text::Evidence;

/// Records as configured in Cloudflare (zone file, export, API), or marked
/// proxied: these say where Cloudflare connects. Answers from public
/// resolvers for a proxied name are Cloudflare's own addresses instead.
pub fn origin_records<'a>(ctx: &'a Ctx<'_>) -> Vec<(&'a str, &'a DnsRecord)> {
    ctx.facts
        .dns
        .iter()
        .flat_map(|d| d.facts.records.iter().map(move |r| (d.input.as_str(), r)))
        .filter(|(_, r)| {
            r.proxied == Some(true)
                || (matches!(
                    r.source,
                    DnsSource::ZoneFile | DnsSource::CloudflareExport | DnsSource::CloudflareApi
                ) && r.proxied != Some(false))
        })
        .filter(|(_, r)| r.addr().is_some())
        .collect()
}

/// The server's own public addresses: global interface addresses, and what
/// an echo service saw (`curl ifconfig.me`: `true` in the pair).
pub fn own_addresses(ctx: &Ctx<'_>) -> Vec<(IpAddr, bool, Evidence)> {
    let cf = ctx.options.ranges.set();
    ctx.facts
        .addrs
        .iter()
        .flat_map(|a| a.facts.addrs.iter().map(move |x| (a.input.as_str(), x)))
        .filter(|(_, x)| {
            x.scope == Scope::Global && classify(x.addr, &cf) == AddrClass::Public
                || x.source == AddrSource::PublicEcho
        })
        .map(|(input, x)| {
            (
                x.addr,
                x.source == AddrSource::PublicEcho,
                quote(ctx, input, x.line),
            )
        })
        .collect()
}

/// 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32.
fn is_documentation(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => {
            let o = a.octets();
            matches!(
                (o[0], o[1], o[2]),
                (192, 0, 2) | (198, 51, 100) | (203, 0, 113)
            )
        }
        IpAddr::V6(a) => a.segments()[0] == 0x2001 && a.segments()[1] == 0x0db8,
    }
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::DnsWrongOrigin;
    let records = origin_records(ctx);
    if records.is_empty() {
        return Finding::unknown(id, ctx);
    }
    let own = own_addresses(ctx);
    let cf = ctx.options.ranges.set();
    let mut wrong = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    let mut differs = Vec::new();
    let mut echo_differs = false;
    let mut right = Vec::new();
    for (input, r) in &records {
        let Some(addr) = r.addr() else { continue };
        let ev = quote(ctx, input, r.line);
        let name = if r.name.is_empty() {
            "the record".to_string()
        } else {
            r.name.clone()
        };
        let class = match classify(addr, &cf) {
            // Redaction writes public addresses as documentation ones.
            AddrClass::Reserved if ctx.options.redacted && is_documentation(addr) => {
                AddrClass::Public
            }
            c => c,
        };
        let reason = match class {
            AddrClass::Private => Some("a private address Cloudflare cannot reach"),
            AddrClass::Loopback => Some("a loopback address"),
            AddrClass::LinkLocal => Some("a link-local address"),
            AddrClass::Cgnat => Some("a carrier-grade NAT address"),
            AddrClass::FakeIp => Some("a fake-IP address that local proxy tools hand out"),
            AddrClass::Reserved => Some("a reserved address"),
            AddrClass::Cloudflare => Some(
                "one of Cloudflare's own addresses (the record would point Cloudflare at itself)",
            ),
            AddrClass::Public => None,
        };
        if let Some(why) = reason {
            reasons.push(format!("{name} {} {addr}, {why}", r.rtype));
            wrong.push(ev);
            continue;
        }
        let same_family: Vec<_> = own
            .iter()
            .filter(|(a, _, _)| a.is_ipv4() == addr.is_ipv4())
            .collect();
        if same_family.is_empty() {
            continue;
        }
        if same_family.iter().any(|(a, _, _)| *a == addr) {
            right.push(ev);
        } else {
            echo_differs |= same_family.iter().any(|(_, echo, _)| *echo);
            let mine: Vec<String> = same_family.iter().map(|(a, _, _)| a.to_string()).collect();
            reasons.push(format!(
                "{name} {} {addr}, but the server's own address is {}",
                r.rtype,
                mine.join(", ")
            ));
            differs.push(ev);
            differs.extend(same_family.iter().map(|(_, _, e)| e.clone()));
        }
    }
    if !wrong.is_empty() {
        return Finding::new(
            id,
            Status::Confirmed,
            format!("The proxied record does not point at a reachable origin: {}. Cloudflare connects to whatever the record says.", reasons.join("; ")),
        )
        .with_evidence(wrong.into_iter().chain(differs));
    }
    if !differs.is_empty() {
        let status = if echo_differs {
            Status::Confirmed
        } else {
            Status::Likely
        };
        return Finding::new(
            id,
            status,
            format!("The proxied record points elsewhere: {}. After a migration the old address often stays in DNS; a load balancer or NAT in front of the server would also explain it.", reasons.join("; ")),
        )
        .with_evidence(differs);
    }
    if !right.is_empty() {
        return Finding::new(
            id,
            Status::RuledOut,
            "The proxied records point at the server's own address.",
        )
        .with_evidence(right);
    }
    Finding::unknown(id, ctx)
}
