//! `not-listening`: nothing listens on the port Cloudflare connects to.

use super::{listener_list_complete, listeners, quote};
use crate::diagnose::{ports_text, Ctx, Finding, FindingId, Status};
use crate::options::SslMode;
use crate::text::Evidence;

/// Per needed port: public listeners, loopback-only listeners.
pub struct PortListeners {
    pub port: u16,
    pub public: Vec<Evidence>,
    pub loopback: Vec<Evidence>,
}

pub fn by_port(ctx: &Ctx<'_>) -> Vec<PortListeners> {
    ctx.ports
        .iter()
        .map(|&port| {
            let mut p = PortListeners {
                port,
                public: Vec::new(),
                loopback: Vec::new(),
            };
            for (input, _, l) in
                listeners(ctx).filter(|(_, _, l)| l.port == port && l.proto == "tcp")
            {
                let ev = quote(ctx, input, l.line);
                if l.loopback {
                    p.loopback.push(ev);
                } else {
                    p.public.push(ev);
                }
            }
            p
        })
        .collect()
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::NotListening;
    if ctx.facts.listeners.is_empty() {
        return Finding::unknown(id, ctx);
    }
    let ports = by_port(ctx);
    let missing: Vec<u16> = ports
        .iter()
        .filter(|p| p.public.is_empty() && p.loopback.is_empty())
        .map(|p| p.port)
        .collect();
    let present: Vec<&PortListeners> = ports.iter().filter(|p| !p.public.is_empty()).collect();
    let listed: Vec<Evidence> = ctx
        .facts
        .listeners
        .iter()
        .flat_map(|s| {
            s.facts
                .listeners
                .iter()
                .filter(|l| l.proto == "tcp")
                .map(move |l| (s.input.as_str(), l.line))
        })
        .take(8)
        .map(|(i, l)| quote(ctx, i, l))
        .collect();
    if missing.is_empty() {
        let ev: Vec<Evidence> = ports
            .iter()
            .flat_map(|p| p.public.iter().chain(p.loopback.iter()).cloned())
            .collect();
        return Finding::new(
            id,
            Status::RuledOut,
            format!("Something listens on {}.", ctx.ports_text()),
        )
        .with_evidence(ev);
    }
    let complete = listener_list_complete(ctx);
    let missing_text = ports_text(&missing);
    // With the SSL mode unknown both 80 and 443 are checked; a missing 443
    // next to a working 80 matters only if the mode is Full.
    let only_443_missing_mode_unknown =
        ctx.ssl_mode == SslMode::Unknown && missing == [443] && !present.is_empty();
    let status = if !complete || only_443_missing_mode_unknown || ctx.ssl_mode_stated.is_some() {
        Status::Likely
    } else {
        Status::Confirmed
    };
    let mut explanation = format!(
        "Nothing listens on {missing_text} in the listener list, so the origin refuses Cloudflare's connection there at once (521)."
    );
    if only_443_missing_mode_unknown {
        explanation.push_str(" Port 80 is served; if the SSL mode is Full or Full (strict), Cloudflare connects to 443 for HTTPS visitors and is refused.");
    }
    if !complete {
        explanation.push_str(" The list was filtered, so the port may be served after all: paste the whole `sudo ss -tlnp`.");
    }
    let mut f = Finding::new(id, status, explanation).with_evidence(listed);
    if let Some(ev) = &ctx.ssl_mode_stated {
        f = f.with_evidence([ev.clone()]);
    }
    f
}
