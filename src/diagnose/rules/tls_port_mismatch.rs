//! `tls-port-mismatch`: the SSL mode and the origin's ports disagree.

use super::{listener_list_complete, not_listening::by_port, quote};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::options::SslMode;
use crate::parse::probes::ProbeResult;

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::TlsPortMismatch;
    // Plain HTTP answering on 443: curl/openssl say "wrong version number".
    let plain_on_443: Vec<_> = ctx
        .facts
        .probes
        .iter()
        .flat_map(|s| s.facts.probes.iter().map(move |p| (s.input.as_str(), p)))
        .filter(|(_, p)| p.port.is_none_or(|port| port == 443))
        .filter(|(_, p)| matches!(&p.result, ProbeResult::TlsError { text } if text.to_ascii_lowercase().contains("wrong version number")))
        .map(|(input, p)| quote(ctx, input, p.line))
        .collect();
    let mode = ctx.ssl_mode;
    let weak = ctx.ssl_mode_stated.is_some();
    let hedge = |s: Status| {
        if weak && s == Status::Confirmed {
            Status::Likely
        } else {
            s
        }
    };
    let stated: Vec<_> = ctx.ssl_mode_stated.iter().cloned().collect();
    if !plain_on_443.is_empty()
        && matches!(mode, SslMode::Full | SslMode::Strict | SslMode::Unknown)
    {
        let status = if mode == SslMode::Unknown {
            Status::Likely
        } else {
            hedge(Status::Confirmed)
        };
        return Finding::new(
            id,
            status,
            format!("Port 443 answers with plain HTTP, not TLS (\"wrong version number\"). With SSL mode {} Cloudflare expects HTTPS on 443, so the handshake fails.", mode.label()),
        )
        .with_evidence(plain_on_443.into_iter().chain(stated));
    }
    if mode == SslMode::Unknown || !listener_list_complete(ctx) {
        return Finding::unknown(id, ctx);
    }
    let ports = by_port(ctx);
    let serves = |port: u16| ports.iter().any(|p| p.port == port && !p.public.is_empty());
    let listening_anywhere = |port: u16| {
        ctx.facts
            .listeners
            .iter()
            .flat_map(|s| s.facts.listeners.iter())
            .any(|l| l.port == port && !l.loopback && l.proto == "tcp")
    };
    let evidence: Vec<_> = ports
        .iter()
        .flat_map(|p| p.public.iter().cloned())
        .chain(stated)
        .collect();
    match mode {
        SslMode::Full | SslMode::Strict if !serves(443) && listening_anywhere(80) => Finding::new(
            id,
            hedge(Status::Confirmed),
            format!("The SSL mode is {} but the origin serves only plain HTTP on port 80: Cloudflare connects to 443 for HTTPS visitors and nothing answers there. Add an HTTPS listener on 443 (a Cloudflare Origin CA certificate works) or use the mode the origin supports.", mode.label()),
        )
        .with_evidence(evidence),
        SslMode::Flexible | SslMode::Off if !serves(80) && listening_anywhere(443) => Finding::new(
            id,
            hedge(Status::Confirmed),
            format!("The SSL mode is {} so Cloudflare connects to port 80, but the origin serves only 443. Open a port 80 listener, or switch the mode to Full (strict) since the origin has HTTPS.", mode.label()),
        )
        .with_evidence(evidence),
        _ if ctx.ports.iter().all(|p| serves(*p)) => Finding::new(
            id,
            Status::RuledOut,
            format!("The origin listens on {}, which SSL mode {} uses.", ctx.ports_text(), mode.label()),
        )
        .with_evidence(evidence),
        _ => Finding::unknown(id, ctx),
    }
}
