//! `loopback-only`: the web server listens only on 127.0.0.1 / ::1.

use super::not_listening::by_port;
use crate::diagnose::{ports_text, Ctx, Finding, FindingId, Status};

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::LoopbackOnly;
    if ctx.facts.listeners.is_empty() {
        return Finding::unknown(id, ctx);
    }
    let ports = by_port(ctx);
    let loopback_only: Vec<_> = ports
        .iter()
        .filter(|p| p.public.is_empty() && !p.loopback.is_empty())
        .collect();
    if !loopback_only.is_empty() {
        let which: Vec<u16> = loopback_only.iter().map(|p| p.port).collect();
        return Finding::new(
            id,
            Status::Confirmed,
            format!(
                "The server listens on {} only on a loopback address, which Cloudflare cannot reach: its connections to the public address are refused (521).",
                ports_text(&which)
            ),
        )
        .with_evidence(loopback_only.iter().flat_map(|p| p.loopback.iter().cloned()));
    }
    let public: Vec<_> = ports
        .iter()
        .flat_map(|p| p.public.iter().cloned())
        .collect();
    if public.is_empty() {
        return Finding::unknown(id, ctx);
    }
    Finding::new(
        id,
        Status::RuledOut,
        "The listeners are bound to public (or all) addresses.",
    )
    .with_evidence(public)
}
