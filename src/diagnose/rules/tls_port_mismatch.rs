//! `tls-port-mismatch`: the SSL mode and the origin's ports disagree.

use super::{ask, Rule};
use super::{config_listens, listener_list_complete, not_listening::by_port, quote, CONFIRM_LIVE};
use crate::cloudflare::{HTTPS_PORTS, HTTP_PORTS};
use crate::diagnose::{AskFor, AskKind};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::options::SslMode;
use crate::parse::probes::ProbeResult;

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 8,
    asks,
};

/// The SSL mode, which only the dashboard shows.
fn asks(_: &Ctx<'_>) -> Vec<AskFor> {
    vec![ask(
        AskKind::SslMode,
        "Cloudflare dashboard > SSL/TLS > Overview: the encryption mode",
        "the SSL mode decides whether Cloudflare connects to port 80 or 443",
    )]
}

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
    let config = from_config(ctx);
    if mode == SslMode::Unknown || !listener_list_complete(ctx) {
        return config
            .or_else(|| from_prose(ctx))
            .unwrap_or_else(|| Finding::unknown(id, ctx));
    }
    let live = from_listeners(ctx, mode, hedge, stated);
    if matches!(live.status, Status::Confirmed | Status::Likely) {
        return live;
    }
    config.unwrap_or(live)
}

/// "Flexible works, with Full the site shows 521", with no output to say
/// more: HTTPS on 443 is not served (no TLS listener, or nothing on 443).
/// A weak hint, `likely` at most, the sentence quoted.
fn from_prose(ctx: &Ctx<'_>) -> Option<Finding> {
    let (input, h) = ctx
        .facts
        .hints
        .iter()
        .find(|(_, h)| h.hint == crate::parse::hints::Hint::HttpsFailsHttpWorks)?;
    let mut f = Finding::new(
        FindingId::TlsPortMismatch,
        Status::Likely,
        format!("The ticket says the site works with SSL mode Flexible and fails with Full: Cloudflare reaches the origin over plain HTTP on port 80, but not over HTTPS on 443. Either nothing serves TLS on 443 (no `listen 443 ssl` or `SSLEngine on`, or no listener on 443 at all) or a firewall lets 80 through and not 443. `{CONFIRM_LIVE}` and `curl -vk https://ORIGIN-IP/` on the origin tell which."),
    )
    .with_evidence([quote(ctx, input, h.line)]);
    f.checks = vec![CONFIRM_LIVE.to_string()];
    Some(f)
}

/// The configuration serves a port Cloudflare uses for HTTPS without TLS,
/// or one it uses for plain HTTP with TLS. Listener lists cannot show
/// TLS, so this holds beside them; `likely`, as the configuration may not
/// be the loaded one.
fn from_config(ctx: &Ctx<'_>) -> Option<Finding> {
    let mode = ctx.ssl_mode;
    let https_used = matches!(mode, SslMode::Full | SslMode::Strict | SslMode::Unknown);
    let http_used = matches!(mode, SslMode::Flexible | SslMode::Off | SslMode::Unknown);
    let needed = |p: u16| ctx.ports.contains(&p);
    let plain_https: Vec<_> = config_listens(ctx)
        .filter(|(_, l)| https_used && HTTPS_PORTS.contains(&l.port) && needed(l.port))
        .filter(|(_, l)| l.tls == Some(false) && !l.implicit)
        .collect();
    let tls_http: Vec<_> = config_listens(ctx)
        .filter(|(_, l)| http_used && HTTP_PORTS.contains(&l.port) && needed(l.port))
        .filter(|(_, l)| l.tls == Some(true))
        .collect();
    let stated: Vec<_> = ctx.ssl_mode_stated.iter().cloned().collect();
    let unknown = mode == SslMode::Unknown;
    let mut text = String::new();
    if !plain_https.is_empty() {
        let mut ports: Vec<u16> = plain_https.iter().map(|(_, l)| l.port).collect();
        ports.sort_unstable();
        ports.dedup();
        text.push_str(&format!(
            "The web server configuration serves {} without TLS (no `ssl` on the listen, no `SSLEngine on` in the virtual host). {}Cloudflare opens a TLS handshake there and meets plain HTTP, so the connection fails.",
            crate::diagnose::ports_text(&ports),
            if unknown { "If the SSL mode is Full or Full (strict), " } else { "With SSL mode Full or Full (strict) " }
        ));
    }
    if !tls_http.is_empty() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&format!(
            "The configuration has TLS on port 80. {}Cloudflare sends plain HTTP to port 80, which a TLS listener cannot read.",
            if unknown { "If the SSL mode is Flexible, " } else { "With SSL mode Flexible " }
        ));
    }
    if text.is_empty() {
        return None;
    }
    text.push_str(&format!(" This is the configuration, not the live server: `{CONFIRM_LIVE}` and `curl -vk https://ORIGIN-IP/ -H 'Host: {}'` confirm.", ctx.host.as_deref().unwrap_or("www.example.com")));
    let evidence: Vec<_> = plain_https
        .iter()
        .chain(tls_http.iter())
        .map(|(i, l)| quote(ctx, i, l.line))
        .chain(stated)
        .collect();
    let mut f =
        Finding::new(FindingId::TlsPortMismatch, Status::Likely, text).with_evidence(evidence);
    f.checks = vec![CONFIRM_LIVE.to_string()];
    Some(f)
}

fn from_listeners(
    ctx: &Ctx<'_>,
    mode: SslMode,
    hedge: impl Fn(Status) -> Status,
    stated: Vec<crate::text::Evidence>,
) -> Finding {
    let id = FindingId::TlsPortMismatch;
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

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn plain_http_answering_on_443() {
        verify(FindingId::TlsPortMismatch, "$ openssl s_client -connect 203.0.113.10:443 -servername www.example.com\nCONNECTED(00000003)\n40F7D2A3B47F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:354:\n");
    }

    #[test]
    fn flexible_with_a_listener_on_80() {
        verify_ruled_out(FindingId::TlsPortMismatch, "SSL/TLS encryption mode is Flexible.\n$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511               0.0.0.0:80      0.0.0.0:*    users:((\"nginx\",pid=812,fd=6))\n");
    }
}
