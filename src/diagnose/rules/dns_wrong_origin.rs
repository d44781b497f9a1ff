//! `dns-wrong-origin`: the proxied A/AAAA record does not point at the
//! origin: a private, reserved or loopback address, a Cloudflare address,
//! or an address different from the server's own.

use std::net::IpAddr;

use super::quote;
use super::{ask, Rule};
use crate::diagnose::{AskFor, AskKind};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::net::{classify, AddrClass};
use crate::parse::addrs::{AddrSource, Scope};
use crate::parse::dns::{DnsRecord, DnsSource};
use crate::text::Evidence;

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 9,
    asks,
};

/// The public answer for the name (or the record behind it) and the
/// origin's own addresses, to compare.
pub fn asks(ctx: &Ctx<'_>) -> Vec<AskFor> {
    let host = ctx.host.as_deref().unwrap_or("www.example.com");
    let mut v = Vec::new();
    if !fake_ip_answers(ctx).is_empty() {
        v.push(ask(AskKind::Dns, format!("dig +noall +answer A AAAA {host} @1.1.1.1"), "the pasted answer is a local proxy's fake IP (198.18.0.0/15): ask a public resolver directly, with the proxy tool off"));
    } else if proxied_answer_shown(ctx) {
        // The answer already shows the name is proxied: what is missing is
        // the record behind it.
        v.push(ask(AskKind::OriginRecord, format!("Cloudflare dashboard > DNS > Records: the A and AAAA values of {host}"), "the public answer shows Cloudflare's addresses; the origin record it hides is in the dashboard"));
    } else {
        v.push(ask(
            AskKind::Dns,
            format!("dig +noall +answer A AAAA {host} @1.1.1.1"),
            "is the name proxied (Cloudflare addresses in the answer)",
        ));
    }
    v.push(ask(AskKind::OriginAddress, "curl -4 -s https://ifconfig.me; echo; curl -6 -s https://ifconfig.me; echo; ip -br addr", "run on the origin: its own public addresses, to compare with the proxied A/AAAA records in the Cloudflare dashboard"));
    v
}

/// Records as configured in Cloudflare (zone file, export, API), or marked
/// proxied: these say where Cloudflare connects. Answers from public
/// resolvers for a proxied name are Cloudflare's own addresses instead;
/// a public answer that is another public address is the record itself
/// (the name is not proxied, or not yet).
pub fn origin_records<'a>(ctx: &'a Ctx<'_>) -> Vec<(&'a str, &'a DnsRecord)> {
    let cf = ctx.options.ranges.set();
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
                || (r.proxied.is_none()
                    && r.addr()
                        .is_some_and(|a| classify(a, &cf) == AddrClass::Public))
        })
        .filter(|(_, r)| r.addr().is_some())
        .collect()
}

/// What a resolver answered for the site: the records of `dig`, `host`,
/// `nslookup`, and the addresses a probe resolved a name to (`curl -v`'s
/// `Trying 2a01:...:443`). `(input, name, address, line)`.
pub fn resolver_answers<'a>(ctx: &'a Ctx<'_>) -> Vec<(&'a str, String, IpAddr, usize)> {
    let records = ctx.facts.dns.iter().flat_map(|d| {
        d.facts
            .records
            .iter()
            .filter(|r| {
                matches!(
                    r.source,
                    DnsSource::Dig | DnsSource::DigShort | DnsSource::Nslookup | DnsSource::Host
                ) && r.proxied.is_none()
            })
            .filter_map(move |r| Some((d.input.as_str(), r.name.clone(), r.addr()?, r.line)))
    });
    let probes = ctx.facts.probes.iter().flat_map(|p| {
        p.facts.probes.iter().filter_map(move |x| {
            let host = x.host.as_deref()?;
            // A name, not an address typed as the target.
            if host.parse::<IpAddr>().is_ok()
                || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok()
            {
                return None;
            }
            Some((p.input.as_str(), host.to_string(), x.addr?, x.line))
        })
    });
    records.chain(probes).collect()
}

/// True when a resolver's answer already shows Cloudflare addresses: the
/// name is proxied, and asking for `dig` again tells nothing new.
pub fn proxied_answer_shown(ctx: &Ctx<'_>) -> bool {
    let cf = ctx.options.ranges.set();
    resolver_answers(ctx)
        .iter()
        .any(|(_, _, a, _)| classify(*a, &cf) == AddrClass::Cloudflare)
}

/// Answers in 198.18.0.0/15: a local proxy tool (Clash, Surge, sing-box)
/// answered with a fake address, not the DNS.
pub fn fake_ip_answers(ctx: &Ctx<'_>) -> Vec<Evidence> {
    let cf = ctx.options.ranges.set();
    resolver_answers(ctx)
        .into_iter()
        .filter(|(_, _, a, _)| classify(*a, &cf) == AddrClass::FakeIp)
        .map(|(i, _, _, l)| quote(ctx, i, l))
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
    let own = own_addresses(ctx);
    if records.is_empty() {
        return from_answers(ctx, &own);
    }
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
            right.extend(
                same_family
                    .iter()
                    .filter(|(a, _, _)| *a == addr)
                    .map(|(_, _, e)| e.clone()),
            );
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
    prohibited_ip_page(ctx).unwrap_or_else(|| Finding::unknown(id, ctx))
}

/// A resolver's masked answer and the server's masked echo answer with the
/// very same text: both lines quoted. Different texts decide nothing (the
/// same address may be masked two ways).
fn masked_matches(ctx: &Ctx<'_>) -> Vec<Evidence> {
    let answers: Vec<(&str, &DnsRecord)> = ctx
        .facts
        .dns
        .iter()
        .flat_map(|d| d.facts.records.iter().map(move |r| (d.input.as_str(), r)))
        .filter(|(_, r)| r.rtype == "A" && r.addr().is_none() && r.proxied.is_none())
        .filter(|(_, r)| crate::parse::textscan::masked_ipv4(&r.value))
        .collect();
    let mut out = Vec::new();
    for a in &ctx.facts.addrs {
        for (text, line) in &a.facts.masked_echo {
            for (input, r) in answers.iter().filter(|(_, r)| &r.value == text) {
                out.push(quote(ctx, input, r.line));
                out.push(quote(ctx, &a.input, *line));
            }
        }
    }
    out.dedup();
    out
}

/// Error 1000/1002 "DNS points to prohibited IP": Cloudflare says the record
/// points at an address it refuses to connect to (one of its own, or a
/// reserved one). `likely`: the page speaks for the record, which is not
/// pasted.
fn prohibited_ip_page(ctx: &Ctx<'_>) -> Option<Finding> {
    let code = ctx.code.filter(|c| matches!(c, 1000 | 1002))?;
    let page = ctx.facts.error_page()?;
    Some(
        Finding::new(
            FindingId::DnsWrongOrigin,
            Status::Likely,
            format!("Cloudflare's Error {code} says the proxied A/AAAA record points at a prohibited address: one of Cloudflare's own addresses (for example a record set to 1.1.1.1, or to the site's own proxied name's address), or a reserved one. Point the record at the origin's public address, or, for a Worker-only site, at the 192.0.2.0 placeholder Cloudflare documents."),
        )
        .with_evidence(page.evidence.clone()),
    )
}

/// No record as configured in Cloudflare: what public answers say. A
/// Cloudflare address means the name is proxied (the origin record is
/// hidden); another public address is the record itself (DNS only), to
/// compare with the server's own; a fake-IP answer came from a proxy tool
/// on the client.
fn from_answers(ctx: &Ctx<'_>, own: &[(IpAddr, bool, Evidence)]) -> Finding {
    let id = FindingId::DnsWrongOrigin;
    let answers = resolver_answers(ctx);
    let fake = fake_ip_answers(ctx);
    let mut f = Finding::unknown(id, ctx);
    if !fake.is_empty() {
        f.explanation = "The answer lies in 198.18.0.0/15, the fake-IP range a local proxy tool (Clash, Surge, sing-box, a VPN client) hands out: it is not what the DNS says. Query a public resolver directly, from a machine without the proxy.".to_string();
        return f.with_evidence(fake);
    }
    let cf = ctx.options.ranges.set();
    let mut same = Vec::new();
    let mut differs = Vec::new();
    let mut reasons = Vec::new();
    for (input, name, addr, line) in &answers {
        if classify(*addr, &cf) != AddrClass::Public {
            continue;
        }
        let mine: Vec<&(IpAddr, bool, Evidence)> = own
            .iter()
            .filter(|(a, _, _)| a.is_ipv4() == addr.is_ipv4())
            .collect();
        if mine.is_empty() {
            continue;
        }
        let ev = quote(ctx, input, *line);
        if mine.iter().any(|(a, _, _)| a == addr) {
            same.push(ev);
            same.extend(
                mine.iter()
                    .filter(|(a, _, _)| a == addr)
                    .map(|(_, _, e)| e.clone()),
            );
        } else {
            let list: Vec<String> = mine.iter().map(|(a, _, _)| a.to_string()).collect();
            reasons.push(format!(
                "{name} resolves to {addr}, but the server's own address is {}",
                list.join(", ")
            ));
            differs.push(ev);
            differs.extend(mine.iter().map(|(_, _, e)| e.clone()));
        }
    }
    if !differs.is_empty() {
        return Finding::new(
            id,
            Status::Likely,
            format!("The public answer is not Cloudflare's, so the record is DNS-only and it points elsewhere: {}.", reasons.join("; ")),
        )
        .with_evidence(differs);
    }
    if !same.is_empty() {
        return Finding::new(
            id,
            Status::RuledOut,
            "The public answer is the server's own address: the name points at this origin (DNS only, not proxied).",
        )
        .with_evidence(same);
    }
    if let Some(page) = prohibited_ip_page(ctx) {
        return page;
    }
    // Both sides masked the same way (`47.236.*.180` from dig and from
    // `curl ifconfig.me`): the same text is the same address.
    let same_masked = masked_matches(ctx);
    if !same_masked.is_empty() {
        return Finding::new(
            id,
            Status::RuledOut,
            "The public answer is the server's own address (both masked identically in the paste): the name points at this origin (DNS only, not proxied).",
        )
        .with_evidence(same_masked);
    }
    if proxied_answer_shown(ctx) {
        f.explanation = "The public answers are Cloudflare's addresses: the name is proxied, and the origin record behind it is only visible in the Cloudflare dashboard.".to_string();
        return f;
    }
    // A lookup that failed says the name itself does not resolve: no
    // record to compare, and no 521 either (a browser cannot even reach
    // Cloudflare for a name that does not exist).
    let failed: Vec<(String, Evidence)> = ctx
        .facts
        .dns
        .iter()
        .flat_map(|d| d.facts.statuses.iter().map(move |s| (d.input.as_str(), s)))
        .filter(|(_, s)| s.status != "NOERROR")
        .map(|(input, s)| {
            let what = match &s.name {
                Some(name) => format!("{name}: {}", s.status),
                None => s.status.clone(),
            };
            (what, quote(ctx, input, s.line))
        })
        .collect();
    if answers.is_empty() && !failed.is_empty() {
        let what: Vec<&str> = failed.iter().map(|(w, _)| w.as_str()).collect();
        f.explanation = format!("The lookup failed ({}): the name does not resolve in public DNS, so there is no record to compare yet. Check the name's spelling and that the record exists in the Cloudflare DNS tab, then paste `dig +noall +answer A AAAA NAME @1.1.1.1` again.", what.join("; "));
        return f.with_evidence(failed.into_iter().map(|(_, e)| e));
    }
    f
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_not};
    use crate::diagnose::FindingId;

    #[test]
    fn a_proxied_record_pointing_at_a_private_address() {
        verify(
            FindingId::DnsWrongOrigin,
            "www.example.com.  300  IN  A  192.168.1.20 ; cf_tags=cf-proxied:true\n",
        );
    }

    #[test]
    fn the_public_answer_of_a_proxied_name_cloudflare_s_addresses() {
        verify_not(
            FindingId::DnsWrongOrigin,
            "$ dig +short www.example.com\n104.21.32.1\n172.67.160.1\n",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnose::testkit::{cited, run, status};
    use crate::diagnose::{FindingId::DnsWrongOrigin, Status};

    #[test]
    fn identically_masked_answer_and_echo_are_the_same_address() {
        let d = run("root@vps:~# dig +short A shop.example.net\n47.236.*.180\n\nroot@vps:~# curl -s -4 ifconfig.me\n47.236.*.180\n");
        assert_eq!(status(&d, DnsWrongOrigin), Status::RuledOut);
        assert_eq!(cited(&d, DnsWrongOrigin), vec![2, 5]);
        // Masked differently: maybe the same address, maybe not.
        let d = run("root@vps:~# dig +short A shop.example.net\n47.236.*.180\n\nroot@vps:~# curl -s -4 ifconfig.me\n47.236.12.*\n");
        assert_eq!(status(&d, DnsWrongOrigin), Status::Unknown);
    }

    #[test]
    fn error_1000_page_makes_a_prohibited_record_likely() {
        let d = run("Error 1000 Ray ID: 61686a768d28017a \u{2022} 2021-01-24 08:34:32 UTC\nDNS points to prohibited IP\n");
        assert_eq!(status(&d, DnsWrongOrigin), Status::Likely);
        // Another 1xxx code says nothing about the record.
        let d = run(
            "Error 1020 Ray ID: 61686a768d28017a \u{2022} 2021-01-24 08:34:32 UTC\nAccess denied\n",
        );
        assert_eq!(status(&d, DnsWrongOrigin), Status::Unknown);
    }

    #[test]
    fn a_failed_lookup_is_quoted_but_decides_nothing() {
        let d = run("$ dig shop.example.net\n\n; <<>> DiG 9.18.18 <<>> shop.example.net\n;; global options: +cmd\n;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 4242\n");
        assert_eq!(status(&d, DnsWrongOrigin), Status::Unknown);
        assert_eq!(cited(&d, DnsWrongOrigin), vec![6]);
    }
}
