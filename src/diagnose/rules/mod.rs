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

use super::{AskFor, Ctx, Finding, FindingId, Status};
use crate::facts::Sourced;
use crate::parse::listeners::Listener;
use crate::parse::services::{Service, ServiceEvent};
use crate::text::Evidence;

pub fn judge_all(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = vec![
        web_server_down::judge(ctx),
        port_conflict::judge(ctx),
        config_error::judge(ctx),
        not_listening::judge(ctx),
        loopback_only::judge(ctx),
        origin_overloaded::judge(ctx),
        dns_wrong_origin::judge(ctx),
        tls_port_mismatch::judge(ctx),
        ipv6_origin_broken::judge(ctx),
        firewall_blocks_cloudflare::judge(ctx),
        ban_blocks_cloudflare::judge(ctx),
    ];
    if let Some(f) = different_error_code::judge(ctx) {
        out.push(f);
    }
    out
}

/// Order among findings of one status: the cause to act on first comes
/// first. A cause that explains another (a config error explains a stopped
/// server) ranks above it.
pub fn weight(id: FindingId, ctx: &Ctx<'_>) -> u8 {
    // Codes decided after the TCP connection succeeded: the neighbour's own
    // explanation is the answer.
    let connected_code = matches!(
        ctx.code,
        Some(520 | 524 | 525 | 526 | 530) | Some(1000..=1999)
    );
    match id {
        FindingId::DifferentErrorCode if connected_code => 0,
        FindingId::ConfigError => 1,
        FindingId::PortConflict => 2,
        FindingId::WebServerDown => 3,
        FindingId::FirewallBlocksCloudflare => 4,
        FindingId::BanBlocksCloudflare => 5,
        FindingId::NotListening => 6,
        FindingId::LoopbackOnly => 7,
        FindingId::TlsPortMismatch => 8,
        FindingId::DnsWrongOrigin => 9,
        FindingId::Ipv6OriginBroken => 10,
        FindingId::OriginOverloaded => 11,
        FindingId::DifferentErrorCode => 12,
    }
}

/// The commands that decide one cause.
pub fn ask_for(id: FindingId, ctx: &Ctx<'_>) -> Vec<AskFor> {
    let ports = ctx.ports_text();
    let host = ctx
        .host
        .clone()
        .unwrap_or_else(|| "www.example.com".to_string());
    let ask = |kind: &str, command: String, why: String| AskFor {
        kind: kind.to_string(),
        command,
        why,
    };
    match id {
        FindingId::WebServerDown | FindingId::PortConflict | FindingId::ConfigError => vec![
            ask("service-status", "sudo systemctl status nginx apache2 httpd lsws caddy --no-pager".into(), "is the web server running, and if not, why it stopped".into()),
            ask("config-test", "sudo nginx -t; sudo apachectl configtest".into(), "a configuration error keeps the server from starting".into()),
        ],
        FindingId::FirewallBlocksCloudflare => {
            let mut v = vec![ask(
                "firewall",
                "sudo ufw status verbose; sudo iptables-save; sudo ip6tables-save; sudo nft list ruleset".into(),
                format!("does the firewall let every Cloudflare range in on {ports}"),
            )];
            // A provider named in the ticket has a firewall of its own.
            for (_, h) in &ctx.facts.hints {
                let crate::parse::hints::Hint::Provider(p) = &h.hint else { continue };
                let cloud = match p.as_str() {
                    "AWS" => Some(("aws ec2 describe-security-groups --group-ids sg-XXXX --output json", "the instance's security groups must allow Cloudflare too (they drop silently: 522)")),
                    "Google Cloud" => Some(("gcloud compute firewall-rules list --format=json", "the VPC firewall rules must allow Cloudflare too")),
                    "Azure" => Some(("az network nsg show --resource-group RG --name NSG", "the network security group must allow Cloudflare too")),
                    "Oracle Cloud" => Some(("sudo iptables-save; oci network security-list get --security-list-id ocid1.securitylist...", "Oracle Cloud images ship iptables rules that REJECT all but SSH (/etc/iptables/rules.v4), and the VCN security list must allow Cloudflare too")),
                    "Hetzner" => Some(("hcloud firewall describe FIREWALL -o json", "a Hetzner Cloud firewall must allow Cloudflare too")),
                    "DigitalOcean" => Some(("doctl compute firewall get FIREWALL_ID --output json", "a DigitalOcean cloud firewall must allow Cloudflare too")),
                    _ => None,
                };
                if let Some((command, why)) = cloud {
                    v.push(ask("cloud-firewall", command.into(), why.into()));
                }
            }
            v
        }
        FindingId::BanBlocksCloudflare => vec![
            ask("bans", "sudo fail2ban-client banned; sudo ipset list; sudo csf -t".into(), "has a ban tool banned Cloudflare addresses (every jail's and set's list, and CSF's temporary blocks; on a hosting panel also `imunify360-agent blacklist ip list`)".into()),
        ],
        FindingId::NotListening | FindingId::LoopbackOnly => vec![
            ask("listeners", "sudo ss -tlnp".into(), format!("is anything listening on {ports}, on a public address")),
        ],
        FindingId::OriginOverloaded => vec![
            ask("resources", "free -m; uptime; nproc; dmesg -T | grep -i -E 'out of memory|oom' | tail -n 20".into(), "is the origin out of memory or overloaded".into()),
        ],
        FindingId::DnsWrongOrigin | FindingId::Ipv6OriginBroken => {
            let mut v = Vec::new();
            if !dns_wrong_origin::fake_ip_answers(ctx).is_empty() {
                v.push(ask("dns", format!("dig +noall +answer A AAAA {host} @1.1.1.1"), "the pasted answer is a local proxy's fake IP (198.18.0.0/15): ask a public resolver directly, with the proxy tool off".into()));
            } else if dns_wrong_origin::proxied_answer_shown(ctx) {
                // The answer already shows the name is proxied: what is
                // missing is the record behind it.
                v.push(ask("origin-record", format!("Cloudflare dashboard > DNS > Records: the A and AAAA values of {host}"), "the public answer shows Cloudflare's addresses; the origin record it hides is in the dashboard".into()));
            } else {
                v.push(ask("dns", format!("dig +noall +answer A AAAA {host} @1.1.1.1"), "is the name proxied (Cloudflare addresses in the answer)".into()));
            }
            v.push(ask("origin-address", "curl -4 -s https://ifconfig.me; echo; curl -6 -s https://ifconfig.me; echo; ip -br addr".into(), "run on the origin: its own public addresses, to compare with the proxied A/AAAA records in the Cloudflare dashboard".into()));
            v
        }
        FindingId::TlsPortMismatch => vec![
            ask("ssl-mode", "Cloudflare dashboard > SSL/TLS > Overview: the encryption mode".into(), "the SSL mode decides whether Cloudflare connects to port 80 or 443".into()),
        ],
        FindingId::DifferentErrorCode => Vec::new(),
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
        for a in ask_for(id, ctx) {
            if !out.iter().any(|o| o.command == a.command) {
                out.push(a);
            }
        }
    }
    if ctx.ssl_mode != crate::options::SslMode::Unknown {
        out.retain(|a| a.kind != "ssl-mode");
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
        .flat_map(|s| s.facts.listens.iter().map(move |l| (s.input.as_str(), l)))
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
