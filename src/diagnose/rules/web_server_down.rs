//! `web-server-down`: the web server is not running.

use super::{listeners, quote, web_services};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::parse::services::{ContainerStatus, ServiceState};
use crate::text::Evidence;

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::WebServerDown;
    let mut down: Vec<(String, Vec<Evidence>)> = Vec::new();
    let mut up: Vec<(String, Vec<Evidence>)> = Vec::new();
    for (input, s) in web_services(ctx) {
        let mut ev = vec![quote(ctx, input, s.line)];
        if let Some(l) = s.state_line.filter(|l| *l != s.line) {
            ev.push(quote(ctx, input, l));
        }
        match s.state {
            ServiceState::Running => up.push((s.name.clone(), ev)),
            ServiceState::Failed | ServiceState::Stopped => {
                let how = match (&s.state, &s.result) {
                    (ServiceState::Failed, Some(r)) => format!("failed ({r})"),
                    (ServiceState::Failed, None) => "failed".to_string(),
                    _ => "stopped".to_string(),
                };
                down.push((format!("{} is {how}", s.name), ev));
            }
            // activating (auto-restart): a start loop, not a running server.
            ServiceState::Activating => down.push((format!("{} keeps restarting", s.name), ev)),
            ServiceState::NotFound | ServiceState::Unknown => {}
        }
    }
    for sf in &ctx.facts.services {
        for c in &sf.facts.containers {
            let web = c
                .published
                .iter()
                .any(|p| p.host_port.is_some_and(|hp| ctx.ports.contains(&hp)))
                || c.image
                    .as_deref()
                    .is_some_and(crate::parse::services::is_web_server_name)
                || crate::parse::services::is_web_server_name(&c.name);
            if !web {
                continue;
            }
            let ev = vec![quote(ctx, &sf.input, c.line)];
            match c.status {
                ContainerStatus::Up => up.push((format!("container {}", c.name), ev)),
                ContainerStatus::Exited
                | ContainerStatus::Restarting
                | ContainerStatus::Created => {
                    down.push((format!("container {} is {}", c.name, c.status_text), ev))
                }
                ContainerStatus::Paused | ContainerStatus::Other => {}
            }
        }
    }
    // A web server process holding a public listener on a needed port is
    // running, whatever else was pasted.
    let serving: Vec<Evidence> = listeners(ctx)
        .filter(|(_, _, l)| ctx.ports.contains(&l.port) && !l.loopback && l.proto == "tcp")
        .filter(|(_, _, l)| {
            l.process
                .as_deref()
                .is_some_and(crate::parse::services::is_web_server_name)
        })
        .map(|(input, _, l)| quote(ctx, input, l.line))
        .collect();

    if !down.is_empty() && up.is_empty() && serving.is_empty() {
        let what: Vec<&str> = down.iter().map(|(w, _)| w.as_str()).collect();
        return Finding::new(
            id,
            Status::Confirmed,
            format!(
                "Not running: {}. With no web server accepting connections, the origin refuses Cloudflare's connection to {} on {} at once, which Cloudflare shows as 521.",
                what.join("; "),
                ctx.site(),
                ctx.ports_text()
            ),
        )
        .with_evidence(down.into_iter().flat_map(|(_, e)| e));
    }
    // Every port Cloudflare uses has a web server on a public address (in
    // a whole listener list): a stopped second server is not needed.
    let served_ports: Vec<u16> = listeners(ctx)
        .filter(|(_, _, l)| !l.loopback && l.proto == "tcp")
        .filter(|(_, _, l)| {
            l.process
                .as_deref()
                .is_some_and(crate::parse::services::is_web_server_name)
        })
        .map(|(_, _, l)| l.port)
        .collect();
    let all_served = !ctx.ports.is_empty()
        && super::listener_list_complete(ctx)
        && ctx.ports.iter().all(|p| served_ports.contains(p));
    if !down.is_empty() && all_served {
        let what: Vec<&str> = down.iter().map(|(w, _)| w.as_str()).collect();
        return Finding::new(
            id,
            Status::RuledOut,
            format!(
                "A web server listens on {} on a public address, so the stopped one is not needed there ({}).",
                ctx.ports_text(),
                what.join("; ")
            ),
        )
        .with_evidence(serving.into_iter().chain(down.into_iter().flat_map(|(_, e)| e)));
    }
    if !down.is_empty() {
        let what: Vec<&str> = down.iter().map(|(w, _)| w.as_str()).collect();
        let running: Vec<&str> = up.iter().map(|(w, _)| w.as_str()).collect();
        return Finding::new(
            id,
            Status::Likely,
            format!(
                "Not running: {}, while {} is running. If the stopped one is the server that should answer Cloudflare, it is the cause; check which process holds {}.",
                what.join("; "),
                if running.is_empty() { "a web server process".to_string() } else { running.join(", ") },
                ctx.ports_text()
            ),
        )
        .with_evidence(down.into_iter().chain(up).flat_map(|(_, e)| e).chain(serving));
    }
    if !up.is_empty() || !serving.is_empty() {
        let names: Vec<&str> = up.iter().map(|(w, _)| w.as_str()).collect();
        let who = if names.is_empty() {
            "A web server process is listening".to_string()
        } else {
            format!("{} is active (running)", names.join(", "))
        };
        return Finding::new(
            id,
            Status::RuledOut,
            format!("{who}, so the server is not down."),
        )
        .with_evidence(up.into_iter().flat_map(|(_, e)| e).chain(serving));
    }
    Finding::unknown(id, ctx)
}
