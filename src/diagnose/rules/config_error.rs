//! `config-error`: the web server does not start because its configuration
//! is invalid (a failed config test, a missing certificate, an upstream host
//! that does not resolve, a privileged port it may not bind).

use super::Rule;
use super::{events, quote, web_services};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::parse::services::{EventKind, ServiceState};

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 1,
    asks: super::web_server_down::asks,
};

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::ConfigError;
    let mut errors = Vec::new();
    let mut ok = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    // `nginx -t` binds the listen sockets too: a test that fails next to a
    // bind conflict fails because of the port, which port-conflict tells.
    let bind_conflict = events(ctx).any(|(_, e)| matches!(e.kind, EventKind::BindConflict { .. }));
    for (input, e) in events(ctx) {
        let reason = match &e.kind {
            EventKind::ConfigTestFailed if bind_conflict => None,
            // An `[emerg]` with no file next to a bind conflict is that
            // conflict's line cut short, not a config error.
            EventKind::ConfigError { file: None, .. } if bind_conflict => None,
            EventKind::ConfigTestFailed => Some("the configuration test fails".to_string()),
            EventKind::ConfigError { file, file_line } => Some(match (file, file_line) {
                (Some(f), Some(n)) => format!("the configuration has an error at {f}:{n}"),
                (Some(f), None) => format!("the configuration has an error in {f}"),
                _ => "the configuration has an error".to_string(),
            }),
            EventKind::MissingCertificate { path } => Some(match path {
                Some(p) => format!("the certificate file {p} cannot be loaded"),
                None => "a certificate file cannot be loaded".to_string(),
            }),
            EventKind::UpstreamNotFound { host } => {
                Some(format!("the upstream host \"{host}\" does not resolve"))
            }
            EventKind::PermissionDenied { port: Some(p), .. } if *p < 1024 => Some(format!(
                "it may not bind port {p} (permission denied): ports below 1024 need root or the CAP_NET_BIND_SERVICE capability, so it was started as another user"
            )),
            EventKind::PermissionDenied { port: Some(p), .. } => Some(format!(
                "it may not bind port {p} (permission denied): on an SELinux host web servers may bind only ports labelled http_port_t"
            )),
            EventKind::AddressUnavailable { addr, port } => {
                let at = match (addr, port) {
                    (Some(a), Some(p)) => format!("{a}:{p}"),
                    (Some(a), None) => a.clone(),
                    _ => "its listen address".to_string(),
                };
                Some(format!("it cannot bind {at}: that address is not on this host (errno 99, \"Cannot assign requested address\"), after an IP change or a migration, or because the server started before the network brought the address up"))
            }
            // LiteSpeed: the virtual host has no listener (none configured
            // for it, or its listener failed to start: a bind conflict
            // then tells why).
            EventKind::NoListener if !bind_conflict => Some(
                "LiteSpeed has no listener for the site's virtual host (\"No listener is available\"): no listener maps it, or its listener did not start"
                    .to_string(),
            ),
            EventKind::ConfigTestOk => {
                ok.push(quote(ctx, input, e.line));
                None
            }
            _ => None,
        };
        if let Some(r) = reason {
            if !reasons.contains(&r) {
                reasons.push(r);
            }
            errors.push(quote(ctx, input, e.line));
        }
    }
    let running = web_services(ctx).any(|(_, s)| s.state == ServiceState::Running);
    // Down: a unit says so, or the log says the server failed to start.
    let down = web_services(ctx).any(|(_, s)| {
        matches!(
            s.state,
            ServiceState::Failed | ServiceState::Stopped | ServiceState::Activating
        )
    }) || ctx
        .roles
        .server
        .as_ref()
        .is_some_and(|s| s.state == crate::diagnose::roles::ServerState::Failed);
    let loops: Vec<_> = ctx.roles.loops.iter().collect();
    let loop_text = (!loops.is_empty()).then(|| {
        let targets: Vec<&str> = loops.iter().map(|l| l.directive.as_str()).collect();
        format!(
            "The configuration proxies to {}, which is Cloudflare in front of this same site: every request goes out through Cloudflare and comes back here, until Cloudflare gives up (a loop, seen as 520, 522 or a redirect error). Point the upstream at the application itself.",
            targets.join(", ")
        )
    });
    let loop_evidence: Vec<_> = loops.iter().map(|l| quote(ctx, &l.input, l.line)).collect();
    if !errors.is_empty() {
        let why = reasons.join("; ");
        if running && !down && loop_text.is_none() {
            // The running server keeps its old configuration: not today's
            // cause, but the next restart or reload will fail.
            return Finding::new(
                id,
                Status::RuledOut,
                format!("The web server is running, so a configuration error is not what refuses Cloudflare now; but {why}, and the next restart or reload will fail."),
            )
            .with_evidence(errors);
        }
        let status = if down {
            Status::Confirmed
        } else {
            Status::Likely
        };
        let mut text = format!("{} cannot start because {why}. Until that is fixed it stays down, and Cloudflare's connections to {} are refused (521).", super::capitalized(ctx.roles.server_name()), ctx.site());
        if let Some(l) = &loop_text {
            text.push(' ');
            text.push_str(l);
        }
        return Finding::new(id, status, text)
            .with_evidence(errors)
            .with_evidence(loop_evidence);
    }
    if let Some(text) = loop_text {
        return Finding::new(id, Status::Likely, text)
            .titled("The origin proxies to its own Cloudflare address (a loop)")
            .with_evidence(loop_evidence);
    }
    if !ok.is_empty() {
        return Finding::new(id, Status::RuledOut, "The configuration test passes.")
            .with_evidence(ok);
    }
    Finding::unknown(id, ctx)
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn a_failed_nginx_t() {
        verify(FindingId::ConfigError, "nginx: [emerg] unknown directive \"servername\" in /etc/nginx/sites-enabled/default:3\nnginx: configuration file /etc/nginx/nginx.conf test failed\n");
    }

    #[test]
    fn a_passing_nginx_t() {
        verify_ruled_out(FindingId::ConfigError, "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n");
    }

    #[test]
    fn a_passing_apachectl_configtest() {
        verify_ruled_out(FindingId::ConfigError, "Syntax OK\n");
    }
}
