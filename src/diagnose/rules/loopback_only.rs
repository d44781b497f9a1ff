//! `loopback-only`: the web server listens only on 127.0.0.1 / ::1.

use super::not_listening::by_port;
use super::Rule;
use super::{config_listens, quote, CONFIRM_LIVE};
use crate::diagnose::{ports_text, Ctx, Finding, FindingId, Status};

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 7,
    asks: super::not_listening::asks,
};

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::LoopbackOnly;
    if ctx.facts.listeners.is_empty() {
        return from_config(ctx).unwrap_or_else(|| Finding::unknown(id, ctx));
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
    // A program in the web server's way listening publicly says nothing
    // about where the web server itself would listen.
    let public: Vec<_> = ports
        .iter()
        .flat_map(|p| p.public.iter().cloned())
        .filter(|e| !ctx.roles.is_squatter_line(&e.input, e.line))
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

/// With no listener list: the configuration binds a needed port only to
/// loopback addresses (sockets it opens; an Apache virtual host address
/// opens none).
fn from_config(ctx: &Ctx<'_>) -> Option<Finding> {
    let mut ports = Vec::new();
    let mut evidence = Vec::new();
    for &port in &ctx.ports {
        let socks: Vec<_> = config_listens(ctx)
            .filter(|(_, l)| l.binds && l.port == port)
            .collect();
        if !socks.is_empty() && socks.iter().all(|(_, l)| l.loopback()) {
            ports.push(port);
            evidence.extend(socks.iter().map(|(i, l)| quote(ctx, i, l.line)));
        }
    }
    if ports.is_empty() {
        return None;
    }
    let mut f = Finding::new(
        FindingId::LoopbackOnly,
        Status::Likely,
        format!(
            "The web server configuration binds {} only to a loopback address, which Cloudflare cannot reach: once loaded, connections to the public address are refused (521). This is the configuration, not the live sockets: `{CONFIRM_LIVE}` shows what is really bound.",
            ports_text(&ports)
        ),
    )
    .with_evidence(evidence);
    f.checks = vec![CONFIRM_LIVE.to_string()];
    Some(f)
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn a_filtered_listener_list_with_only_127_0_0_1_80() {
        verify(FindingId::LoopbackOnly, "$ sudo ss -tlnp | grep nginx\nLISTEN 0      511             127.0.0.1:80      0.0.0.0:*    users:((\"nginx\",pid=812,fd=6))\n");
    }

    #[test]
    fn listeners_on_every_ipv4_and_ipv6_address() {
        verify_ruled_out(FindingId::LoopbackOnly, "$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511               0.0.0.0:80      0.0.0.0:*    users:((\"nginx\",pid=812,fd=6))\nLISTEN 0      511                  [::]:80         [::]:*    users:((\"nginx\",pid=812,fd=7))\n");
    }
}
