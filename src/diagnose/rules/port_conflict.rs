//! `port-conflict`: the web server cannot bind its port because another
//! process holds it. A bind error on a port Cloudflare does not use is not
//! the cause.

use super::{events, listeners, quote, web_services};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::parse::services::{EventKind, ServiceState};

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::PortConflict;
    let mut relevant = Vec::new();
    let mut elsewhere = Vec::new();
    let mut ports: Vec<u16> = Vec::new();
    // `bind() to unix:/run/x.sock failed`: a socket file, not a TCP port.
    let mut sockets: Vec<String> = Vec::new();
    for (input, e) in events(ctx) {
        if let EventKind::BindConflict { port, addr } = &e.kind {
            if let Some(path) = addr.as_deref().and_then(|a| a.strip_prefix("unix:")) {
                if !sockets.iter().any(|s| s == path) {
                    sockets.push(path.to_string());
                }
            }
            match port {
                Some(p) if !ctx.ports.contains(p) => {
                    elsewhere.push((*p, quote(ctx, input, e.line)))
                }
                _ => {
                    if let Some(p) = port {
                        if !ports.contains(p) {
                            ports.push(*p);
                        }
                    }
                    relevant.push(quote(ctx, input, e.line));
                }
            }
        }
    }
    // The program in the way is running by definition: only another web
    // server running means the one that failed may be up after all.
    let in_the_way: Vec<String> = listeners(ctx)
        .filter(|(_, _, l)| ports.contains(&l.port))
        .filter_map(|(_, _, l)| l.process.clone())
        .collect();
    let other_running = web_services(ctx)
        .any(|(_, s)| s.state == ServiceState::Running && !in_the_way.contains(&s.name));
    let one_stopped = web_services(ctx).any(|(_, s)| {
        matches!(
            s.state,
            ServiceState::Failed | ServiceState::Stopped | ServiceState::Activating
        )
    });
    let holder_running = web_services(ctx)
        .any(|(_, s)| s.state == ServiceState::Running && in_the_way.contains(&s.name));
    // Running and holding the port itself, with no server down: the error
    // is old, or from a second copy.
    let running = other_running || (holder_running && !one_stopped);
    if !relevant.is_empty() {
        // Who holds the port, when a listener list shows it.
        let mut holders: Vec<String> = listeners(ctx)
            .filter(|(_, _, l)| ports.contains(&l.port))
            .filter_map(|(_, _, l)| {
                l.process
                    .clone()
                    .map(|p| format!("{p} holds port {}", l.port))
            })
            .collect();
        // IPv4 and IPv6 listeners of one program name it once.
        holders.sort_unstable();
        holders.dedup();
        let held = if holders.is_empty() {
            String::new()
        } else {
            format!(" ({})", holders.join(", "))
        };
        let (port_text, who) = match (ports.is_empty(), sockets.is_empty()) {
            (false, _) => (
                crate::diagnose::ports_text(&ports),
                format!("another process already holds it{held}"),
            ),
            (true, false) => (
                format!("its socket file {}", sockets.join(", ")),
                "another running copy holds it, or a stale file left by a crash is in the way"
                    .to_string(),
            ),
            (true, true) => (
                "its address".to_string(),
                format!("another process already holds it{held}"),
            ),
        };
        let (status, tail) = if running {
            (Status::Likely, "The server is running now, so this may be an old or a second instance; check which process answers Cloudflare.")
        } else {
            (
                Status::Confirmed,
                "The web server exits at start, so Cloudflare's connections are refused (521).",
            )
        };
        return Finding::new(
            id,
            status,
            format!("The web server could not bind {port_text}: {who}. {tail}"),
        )
        .with_evidence(relevant);
    }
    if !elsewhere.is_empty() {
        let p: Vec<u16> = elsewhere.iter().map(|(p, _)| *p).collect();
        return Finding::new(
            id,
            Status::RuledOut,
            format!(
                "A bind conflict was logged on {}, which Cloudflare does not connect to here ({} matter), so it is not the cause.",
                crate::diagnose::ports_text(&p),
                ctx.ports_text()
            ),
        )
        .with_evidence(elsewhere.into_iter().map(|(_, e)| e));
    }
    Finding::unknown(id, ctx)
}
