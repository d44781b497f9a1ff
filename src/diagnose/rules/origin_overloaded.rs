//! `origin-overloaded`: out of memory (OOM kills), file descriptors,
//! connection slots or CPU.

use super::{events, quote, web_services};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::parse::resources::Pressure;
use crate::parse::services::{is_web_server_name, EventKind};

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::OriginOverloaded;
    let mut hard = Vec::new(); // proves the origin refused work
    let mut soft = Vec::new(); // pressure that may explain it
    let mut what: Vec<String> = Vec::new();
    let note = |s: String, what: &mut Vec<String>| {
        if !what.contains(&s) {
            what.push(s);
        }
    };
    for r in &ctx.facts.resources {
        for p in r.facts.pressure() {
            let (ev, text, strong) = match p {
                Pressure::OomKill { process, line } => {
                    let web = process.as_deref().is_some_and(is_web_server_name);
                    let name = process.unwrap_or_else(|| "a process".into());
                    (
                        line,
                        format!("the kernel killed {name} for lack of memory"),
                        web,
                    )
                }
                Pressure::FdExhaustion { line } => (
                    line,
                    "it ran out of file descriptors (Too many open files)".into(),
                    true,
                ),
                Pressure::WorkerConnections { line } => (
                    line,
                    "the web server's worker_connections are exhausted".into(),
                    true,
                ),
                Pressure::LowMemory {
                    available_mb,
                    total_mb,
                    line,
                } => (
                    line,
                    format!("only {available_mb} MB of {total_mb} MB memory is available"),
                    false,
                ),
                Pressure::SwapExhausted {
                    used_mb,
                    total_mb,
                    line,
                } => (
                    line,
                    format!("swap is full ({used_mb} of {total_mb} MB)"),
                    false,
                ),
                Pressure::CpuSaturated { idle_percent, line } => (
                    line,
                    format!("the CPU is saturated ({idle_percent:.1}% idle)"),
                    false,
                ),
                Pressure::HighLoad { one, cpus, line } => (
                    line,
                    format!("the load average {one:.2} is more than twice the {cpus} CPUs"),
                    false,
                ),
                Pressure::LowNofile { .. } => continue,
            };
            note(text, &mut what);
            let q = quote(ctx, &r.input, ev);
            if strong {
                hard.push(q)
            } else {
                soft.push(q)
            }
        }
    }
    // Connection tables: many half-open connections fill the listen
    // backlog; a port with thousands of connections is saturated.
    for l in &ctx.facts.listeners {
        let half_open = l
            .facts
            .connection_states
            .iter()
            .filter(|(k, _)| k.replace('-', "_") == "SYN_RECV")
            .map(|(_, n)| *n)
            .sum::<usize>();
        let busy: Vec<(u16, usize)> = l
            .facts
            .connections_by_port
            .iter()
            .filter(|(p, _)| ctx.ports.contains(p))
            .map(|(p, states)| (*p, states.values().sum::<usize>()))
            .filter(|(_, n)| *n >= 5000)
            .collect();
        if half_open >= 256 {
            note(
                format!("{half_open} connections are half-open (SYN_RECV): the listen backlog may be full"),
                &mut what,
            );
            soft.push(quote(ctx, &l.input, l.first_line));
        }
        for (port, n) in busy {
            note(format!("{n} connections on port {port}"), &mut what);
            soft.push(quote(ctx, &l.input, l.first_line));
        }
    }
    for r in &ctx.facts.resources {
        for s in r
            .facts
            .sockets
            .iter()
            .filter(|s| s.orphaned.is_some_and(|o| o >= 5000))
        {
            note(
                format!("{} orphaned sockets", s.orphaned.unwrap_or_default()),
                &mut what,
            );
            soft.push(quote(ctx, &r.input, s.line));
        }
    }
    for (input, e) in events(ctx) {
        let text = match &e.kind {
            EventKind::OomKill { process } => {
                let name = process.clone().unwrap_or_else(|| "a process".into());
                if process.as_deref().is_some_and(is_web_server_name)
                    || e.service.as_deref().is_some_and(is_web_server_name)
                {
                    hard.push(quote(ctx, input, e.line));
                } else {
                    soft.push(quote(ctx, input, e.line));
                }
                format!("the kernel killed {name} for lack of memory")
            }
            EventKind::TooManyOpenFiles => {
                hard.push(quote(ctx, input, e.line));
                "it ran out of file descriptors (Too many open files)".into()
            }
            EventKind::WorkerConnectionsExhausted => {
                hard.push(quote(ctx, input, e.line));
                "the web server's worker_connections are exhausted".into()
            }
            _ => continue,
        };
        note(text, &mut what);
    }
    for (input, s) in web_services(ctx) {
        if s.result.as_deref() == Some("oom-kill") {
            hard.push(quote(ctx, input, s.state_line.unwrap_or(s.line)));
            note(
                format!("{} was stopped by the OOM killer", s.name),
                &mut what,
            );
        }
    }
    if !hard.is_empty() || !soft.is_empty() {
        let status = if hard.is_empty() {
            Status::Likely
        } else {
            Status::Confirmed
        };
        return Finding::new(
            id,
            status,
            format!("The origin is overloaded: {}. An origin in this state refuses or drops new connections, so Cloudflare's attempts fail intermittently (521, or 522/524).", what.join("; ")),
        )
        .with_evidence(hard.into_iter().chain(soft));
    }
    // Only figures that were read can show there is no pressure: a log
    // without an OOM line says nothing about memory.
    if !ctx.facts.resources.is_empty() {
        let ev: Vec<_> = ctx
            .facts
            .resources
            .iter()
            .flat_map(|r| {
                r.facts
                    .memory
                    .iter()
                    .map(|m| m.line)
                    .chain(r.facts.load.iter().map(|l| l.line))
                    .chain(r.facts.sockets.iter().map(|s| s.line))
                    .map(move |l| (r.input.as_str(), l))
            })
            .map(|(i, l)| quote(ctx, i, l))
            .collect();
        if ev.is_empty() {
            return Finding::unknown(id, ctx);
        }
        return Finding::new(
            id,
            Status::RuledOut,
            "Memory, load and limits in the pasted figures show no pressure.",
        )
        .with_evidence(ev);
    }
    Finding::unknown(id, ctx)
}
