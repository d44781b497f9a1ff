//! `config-error`: the web server does not start because its configuration
//! is invalid (a failed config test, a missing certificate, an upstream host
//! that does not resolve, a privileged port it may not bind).

use super::{events, quote, web_services};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::parse::services::{EventKind, ServiceState};

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::ConfigError;
    let mut errors = Vec::new();
    let mut ok = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for (input, e) in events(ctx) {
        let reason = match &e.kind {
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
            EventKind::PermissionDenied { port: Some(p), .. } => {
                Some(format!("it may not bind port {p} (permission denied)"))
            }
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
    let down = web_services(ctx).any(|(_, s)| {
        matches!(
            s.state,
            ServiceState::Failed | ServiceState::Stopped | ServiceState::Activating
        )
    });
    if !errors.is_empty() {
        let why = reasons.join("; ");
        if running && !down {
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
        return Finding::new(
            id,
            status,
            format!("The web server cannot start because {why}. Until the configuration test passes it stays down, and Cloudflare's connections to {} are refused (521).", ctx.site()),
        )
        .with_evidence(errors);
    }
    if !ok.is_empty() {
        return Finding::new(id, Status::RuledOut, "The configuration test passes.")
            .with_evidence(ok);
    }
    Finding::unknown(id, ctx)
}
