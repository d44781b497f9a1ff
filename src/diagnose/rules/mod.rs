//! One rule per finding id, each in the file named after the id. A rule
//! reads the [`Ctx`] and returns its finding with a status and the lines
//! that prove it.

mod ban_blocks_cloudflare;
mod config_error;
mod different_error_code;
mod dns_wrong_origin;
mod firewall_blocks_cloudflare;
mod ipv6_origin_broken;
mod loopback_only;
mod not_listening;
mod origin_overloaded;
mod port_conflict;
mod tls_port_mismatch;
mod web_server_down;

use super::catalog::ALL;
use super::{AskFor, AskKind, Ctx, Finding, FindingId, Status};
use crate::facts::Sourced;
use crate::parse::listeners::Listener;
use crate::parse::services::{Service, ServiceEvent};
use crate::text::Evidence;

/// One finding's rule: how the case is judged for it, where it ranks, and
/// what decides it when nothing pasted does.
pub struct Rule {
    /// The finding with its status and the lines that prove it; `None` when
    /// the cause does not arise in this case at all.
    pub judge: fn(&Ctx<'_>) -> Option<Finding>,
    /// Order among findings of one status: the cause to act on first ranks
    /// lowest. A cause that explains another (a config error explains a
    /// stopped server) ranks above it.
    pub rank: fn(&Ctx<'_>) -> u8,
    /// The commands that decide this cause.
    pub asks: fn(&Ctx<'_>) -> Vec<AskFor>,
}

/// The rule of every finding id, each in the file named after the id.
pub fn rule(id: FindingId) -> &'static Rule {
    match id {
        FindingId::FirewallBlocksCloudflare => &firewall_blocks_cloudflare::RULE,
        FindingId::BanBlocksCloudflare => &ban_blocks_cloudflare::RULE,
        FindingId::WebServerDown => &web_server_down::RULE,
        FindingId::PortConflict => &port_conflict::RULE,
        FindingId::ConfigError => &config_error::RULE,
        FindingId::NotListening => &not_listening::RULE,
        FindingId::LoopbackOnly => &loopback_only::RULE,
        FindingId::OriginOverloaded => &origin_overloaded::RULE,
        FindingId::DnsWrongOrigin => &dns_wrong_origin::RULE,
        FindingId::TlsPortMismatch => &tls_port_mismatch::RULE,
        FindingId::Ipv6OriginBroken => &ipv6_origin_broken::RULE,
        FindingId::DifferentErrorCode => &different_error_code::RULE,
    }
}

/// Every rule's finding, in catalog order (ranking comes later).
pub fn judge_all(ctx: &Ctx<'_>) -> Vec<Finding> {
    ALL.iter().filter_map(|id| (rule(*id).judge)(ctx)).collect()
}

/// An ask of one kind.
pub fn ask(kind: AskKind, command: impl Into<String>, why: impl Into<String>) -> AskFor {
    AskFor {
        kind,
        command: command.into(),
        why: why.into(),
    }
}

/// What to paste next when no cause is proven, in the order the guidance
/// checks causes: is the web server running, does the firewall let
/// Cloudflare in, is the origin listening, is it overloaded, does DNS point
/// at it, do SSL mode and port agree. Causes the case already decided are
/// skipped.
pub fn next_steps(ctx: &Ctx<'_>, findings: &[Finding]) -> Vec<AskFor> {
    let open = |id: FindingId| {
        findings
            .iter()
            .find(|f| f.id == id)
            .is_none_or(|f| f.status == Status::Unknown)
    };
    let mut out: Vec<AskFor> = Vec::new();
    for id in [
        FindingId::WebServerDown,
        FindingId::FirewallBlocksCloudflare,
        FindingId::NotListening,
        FindingId::OriginOverloaded,
        FindingId::DnsWrongOrigin,
        FindingId::TlsPortMismatch,
    ] {
        if !open(id) {
            continue;
        }
        for a in (rule(id).asks)(ctx) {
            if !out.iter().any(|o| o.command == a.command) {
                out.push(a);
            }
        }
    }
    if ctx.ssl_mode != crate::options::SslMode::Unknown {
        out.retain(|a| a.kind != AskKind::SslMode);
    }
    out
}

// Accessors shared by the rules.

/// Every service row with the input it came from.
pub fn services<'a>(ctx: &'a Ctx<'_>) -> impl Iterator<Item = (&'a str, &'a Service)> + 'a {
    ctx.facts
        .services
        .iter()
        .flat_map(|s: &'a Sourced<_>| s.facts.services.iter().map(move |x| (s.input.as_str(), x)))
}

/// Web server services only.
pub fn web_services<'a>(ctx: &'a Ctx<'_>) -> impl Iterator<Item = (&'a str, &'a Service)> + 'a {
    services(ctx).filter(|(_, s)| s.is_web_server())
}

pub fn events<'a>(ctx: &'a Ctx<'_>) -> impl Iterator<Item = (&'a str, &'a ServiceEvent)> + 'a {
    ctx.facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter().map(move |e| (s.input.as_str(), e)))
}

/// Listener rows, with their input and the command that printed them.
pub fn listeners<'a>(
    ctx: &'a Ctx<'_>,
) -> impl Iterator<Item = (&'a str, Option<&'a str>, &'a Listener)> + 'a {
    ctx.facts.listeners.iter().flat_map(|s| {
        s.facts
            .listeners
            .iter()
            .map(move |l| (s.input.as_str(), s.command.as_deref(), l))
    })
}

/// True when a listener list was pasted whole (not filtered with grep or
/// an ss filter), so an absent port is really absent. One whole list is
/// enough: a `docker ps` beside it shows only the containers' share.
pub fn listener_list_complete(ctx: &Ctx<'_>) -> bool {
    !ctx.facts.listeners.is_empty()
        && ctx.facts.listeners.iter().any(|s| {
            !s.facts.partial
                && s.command.as_deref().is_none_or(|c| {
                    !c.contains("grep")
                        && !c.contains("sport")
                        && !c.contains(':')
                        && !c.contains("findstr")
                })
        })
}

/// Listen entries of pasted web server configuration, with their input.
/// Configuration is what the server would do once loaded: rules use it
/// only when no listener list was pasted, and as `likely` at most.
pub fn config_listens<'a>(
    ctx: &'a Ctx<'_>,
) -> impl Iterator<Item = (&'a str, &'a crate::parse::webconfig::Listen)> + 'a {
    ctx.facts
        .webconfig
        .iter()
        .filter(|s| !in_proxy_manager_container(&s.facts))
        .flat_map(|s| s.facts.listens.iter().map(move |l| (s.input.as_str(), l)))
}

/// A proxy host file that Nginx Proxy Manager generated (it includes its
/// own `conf.d/include/...` snippets): its listens are ports inside the
/// container (8080/4443 in some images), which Docker maps to host ports.
/// They say nothing about what listens on the host.
fn in_proxy_manager_container(f: &crate::parse::webconfig::WebConfigFacts) -> bool {
    f.includes.iter().any(|i| {
        i.value
            .trim_start_matches("/etc/nginx/")
            .starts_with("conf.d/include/")
    })
}

/// True when a whole configuration was pasted (`nginx -T`, a Caddyfile
/// with no imports): a port it does not listen on is not served.
pub fn config_complete(ctx: &Ctx<'_>) -> bool {
    ctx.facts.webconfig.iter().any(|s| s.facts.complete)
}

/// The command that confirms what the configuration says.
pub const CONFIRM_LIVE: &str = "sudo ss -tlnp";

/// `nginx` stays as written; `the web server` starts a sentence as `The web server`.
pub fn capitalized(s: &str) -> String {
    match s.strip_prefix("the ") {
        Some(rest) => format!("The {rest}"),
        None => s.to_string(),
    }
}

pub fn quote(ctx: &Ctx<'_>, input: &str, line: usize) -> Evidence {
    ctx.facts.quote(input, line)
}

/// The address a probe tried: the one it printed, or the target typed as
/// an address.
fn probe_addr(p: &crate::parse::probes::Probe) -> Option<std::net::IpAddr> {
    p.addr.or_else(|| {
        p.host
            .as_deref()
            .and_then(|h| h.trim_matches(['[', ']']).parse().ok())
    })
}

/// Whether a probe's output shows Cloudflare's edge answered.
pub fn reached_cloudflare(f: &crate::parse::probes::ProbeFacts) -> bool {
    !f.cf_rays.is_empty()
        || f.headers
            .iter()
            .any(|h| h.name == "server" && h.value.trim().eq_ignore_ascii_case("cloudflare"))
}

/// Probes aimed at the origin itself: at an address that is not
/// Cloudflare's, or at `localhost`. A probe of a proxied name reaches
/// Cloudflare's edge and says nothing about the origin.
pub fn origin_probes<'a>(
    ctx: &'a Ctx<'_>,
) -> impl Iterator<Item = (&'a str, &'a crate::parse::probes::Probe)> + 'a {
    let cf = ctx.options.ranges.set();
    ctx.facts
        .probes
        .iter()
        // A CF-RAY or `server: cloudflare` in the answer: Cloudflare's edge
        // answered, whatever address was typed (a hosts-file entry, a
        // proxied name).
        .filter(|s| !reached_cloudflare(&s.facts))
        .flat_map(|s| s.facts.probes.iter().map(move |p| (s.input.as_str(), p)))
        .filter(move |(_, p)| match probe_addr(p) {
            Some(a) => !cf.contains(a),
            None => p.host.as_deref() == Some("localhost"),
        })
}

/// Connections to the origin on one of the case's ports that were refused
/// at once (curl (7), nc, telnet, openssl errno 111), with the family of
/// the address tried (`None`: not shown). Cloudflare's edge never refuses
/// its proxied ports, so a refused name is not proxied: it is the origin.
pub fn refused_origin_probes(ctx: &Ctx<'_>) -> Vec<(Option<bool>, Evidence)> {
    let cf = ctx.options.ranges.set();
    let found: Vec<(Option<bool>, u16, Evidence)> = ctx
        .facts
        .probes
        .iter()
        .flat_map(|s| s.facts.probes.iter().map(move |p| (s.input.as_str(), p)))
        .filter(|(_, p)| probe_addr(p).is_none_or(|a| !cf.contains(a)))
        .filter(|(_, p)| p.result == crate::parse::probes::ProbeResult::Refused)
        .filter(|(_, p)| p.port.is_some_and(|port| ctx.ports.contains(&port)))
        .map(|(input, p)| {
            (
                probe_addr(p).map(|a| a.is_ipv6()),
                p.port.unwrap_or(0),
                quote(ctx, input, p.line),
            )
        })
        .collect();
    // curl's closing `curl: (7) Failed to connect to NAME port 443` names no
    // address: it is the family of the attempts before it on that port.
    let family_of = |input: &str, port: u16| -> Option<bool> {
        let known: Vec<bool> = found
            .iter()
            .filter(|(f, p, e)| e.input == input && *p == port && f.is_some())
            .filter_map(|(f, _, _)| *f)
            .collect();
        match known.as_slice() {
            [] => None,
            k if k.iter().all(|v6| *v6) => Some(true),
            k if k.iter().all(|v6| !*v6) => Some(false),
            _ => None,
        }
    };
    found
        .iter()
        .map(|(f, port, e)| (f.or_else(|| family_of(&e.input, *port)), e.clone()))
        .collect()
}

/// Probes over IPv6 to the origin that failed: refused, timed out, or a
/// ping6 that lost every packet. `true` in the pair for a silent drop
/// (timeout, total loss), which Cloudflare shows as 522. "Network is
/// unreachable" is the client's own missing route and is left out.
pub fn failed_v6_origin_probes(ctx: &Ctx<'_>) -> Vec<(bool, Evidence)> {
    use crate::parse::probes::{ProbeResult, ProbeTool};
    origin_probes(ctx)
        .filter(|(_, p)| probe_addr(p).is_some_and(|a| a.is_ipv6()))
        .filter_map(|(input, p)| {
            let silent = match (&p.result, p.tool) {
                (ProbeResult::Refused, _) => false,
                (ProbeResult::TimedOut, _) => true,
                (_, ProbeTool::Ping | ProbeTool::Mtr) => p.loss_percent.is_some_and(|l| l >= 100.0),
                _ => return None,
            };
            Some((silent, quote(ctx, input, p.line)))
        })
        .collect()
}

/// Probes the origin itself answered: a connection made, or an HTTP
/// status. Something is running and accepting there.
pub fn answering_origin_probes(ctx: &Ctx<'_>) -> Vec<Evidence> {
    use crate::parse::probes::ProbeResult;
    let mut out: Vec<Evidence> = origin_probes(ctx)
        .filter(|(_, p)| {
            matches!(
                p.result,
                ProbeResult::Connected | ProbeResult::HttpStatus { .. }
            )
        })
        .map(|(input, p)| quote(ctx, input, p.line))
        .collect();
    // A response pasted without the command that fetched it (or for the
    // site's own name), signed by a web server (`Server: nginx/1.9.2`) and
    // not by Cloudflare: the web server itself answered.
    for s in ctx
        .facts
        .probes
        .iter()
        .filter(|s| !reached_cloudflare(&s.facts))
    {
        let Some(server) = s.facts.headers.iter().find(|h| {
            h.name == "server"
                && crate::parse::services::is_web_server_name(
                    h.value.split(['/', ' ']).next().unwrap_or(""),
                )
        }) else {
            continue;
        };
        let unnamed = |p: &crate::parse::probes::Probe| {
            p.addr.is_none()
                && p.host
                    .as_deref()
                    .is_none_or(|h| ctx.host.as_deref() == Some(h))
        };
        for p in s.facts.probes.iter().filter(|p| unnamed(p)) {
            if matches!(p.result, ProbeResult::HttpStatus { .. }) {
                out.push(quote(ctx, &s.input, p.line));
                out.push(quote(ctx, &s.input, server.line));
            }
        }
    }
    out.sort_by_key(|e| (e.input.clone(), e.line));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{run, status};

    #[test]
    fn every_catalog_example_raises_its_finding() {
        let mut wrong = Vec::new();
        for id in ALL {
            let s = status(&run(id.page().bad_example), id);
            if !matches!(s, Status::Confirmed | Status::Likely) {
                wrong.push(format!("{id}: {s:?}"));
            }
        }
        assert!(wrong.is_empty(), "catalog examples not raised: {wrong:?}");
    }

    #[test]
    fn every_rule_judges_its_own_id_and_ranks_apart() {
        let facts = crate::facts::Facts::default();
        let options = crate::options::Options::default();
        let ctx = Ctx::new(&facts, &options);
        let mut ranks = Vec::new();
        for id in ALL {
            let r = rule(id);
            if let Some(f) = (r.judge)(&ctx) {
                assert_eq!(f.id, id);
            }
            ranks.push((r.rank)(&ctx));
        }
        ranks.sort_unstable();
        ranks.dedup();
        assert_eq!(ranks.len(), ALL.len(), "two findings share a rank");
    }
}
