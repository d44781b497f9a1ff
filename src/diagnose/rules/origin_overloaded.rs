//! `origin-overloaded`: out of memory (OOM kills), file descriptors,
//! connection slots or CPU.

use super::{ask, Rule};
use super::{events, quote, web_services};
use crate::diagnose::{AskFor, AskKind};
use crate::diagnose::{Ctx, Finding, FindingId, Status};
use crate::parse::resources::Pressure;
use crate::parse::services::{is_web_server_name, EventKind};

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 11,
    asks,
};

/// Memory, load and OOM kills.
fn asks(_: &Ctx<'_>) -> Vec<AskFor> {
    vec![ask(
        AskKind::Resources,
        "free -m; uptime; nproc; dmesg -T | grep -i -E 'out of memory|oom' | tail -n 20",
        "is the origin out of memory or overloaded",
    )]
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::OriginOverloaded;
    let mut hard = Vec::new(); // proves the origin refused work
    let mut soft = Vec::new(); // pressure that may explain it
    let mut what = Shortage::default();
    for r in &ctx.facts.resources {
        for p in r.facts.pressure() {
            let (ev, strong) = match p {
                Pressure::OomKill {
                    process,
                    invoker,
                    line,
                } => {
                    // The web server itself starving for memory counts as
                    // much as its being killed.
                    let web = process.as_deref().is_some_and(is_web_server_name)
                        || invoker.as_deref().is_some_and(is_web_server_name);
                    what.killed(process);
                    (line, web)
                }
                Pressure::FdExhaustion { line } => {
                    what.fds = true;
                    (line, true)
                }
                Pressure::WorkerConnections { line } => {
                    what.slots = true;
                    (line, true)
                }
                Pressure::LowMemory {
                    available_mb,
                    total_mb,
                    line,
                } => {
                    what.memory.push(format!(
                        "only {available_mb} MB of {total_mb} MB is available"
                    ));
                    (line, false)
                }
                Pressure::SwapExhausted {
                    used_mb,
                    total_mb,
                    line,
                } => {
                    what.memory
                        .push(format!("swap is full ({used_mb} of {total_mb} MB)"));
                    (line, false)
                }
                Pressure::CpuSaturated { idle_percent, line } => {
                    what.cpu
                        .push(format!("the CPU is saturated ({idle_percent:.1}% idle)"));
                    (line, false)
                }
                Pressure::HighLoad { one, cpus, line } => {
                    what.cpu.push(format!(
                        "the load average {one:.2} is more than twice the {cpus} CPUs"
                    ));
                    (line, false)
                }
                Pressure::LowNofile { .. } => continue,
            };
            let q = quote(ctx, &r.input, ev);
            if strong {
                hard.push(q)
            } else {
                soft.push(q)
            }
        }
    }
    connection_pressure(ctx, &mut what, &mut soft);
    for (input, e) in events(ctx) {
        match &e.kind {
            EventKind::OomKill { process } => {
                if process.as_deref().is_some_and(is_web_server_name)
                    || e.service.as_deref().is_some_and(is_web_server_name)
                {
                    hard.push(quote(ctx, input, e.line));
                } else {
                    soft.push(quote(ctx, input, e.line));
                }
                what.killed(process.clone());
            }
            EventKind::TooManyOpenFiles => {
                hard.push(quote(ctx, input, e.line));
                what.fds = true;
            }
            EventKind::WorkerConnectionsExhausted => {
                hard.push(quote(ctx, input, e.line));
                what.slots = true;
            }
            _ => {}
        }
    }
    for (input, s) in web_services(ctx) {
        if s.result.as_deref() == Some("oom-kill") {
            hard.push(quote(ctx, input, s.state_line.unwrap_or(s.line)));
            what.killed(Some(s.name.clone()));
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
            format!("The origin is overloaded. {} An origin in this state refuses or drops new connections, so Cloudflare's attempts fail intermittently (521, or 522/524).", what.text()),
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

/// What ran out, per resource: the fix differs for each.
#[derive(Default)]
struct Shortage {
    memory: Vec<String>,
    /// Processes the OOM killer killed (the same kill may show in several
    /// pasted lines, so each name once).
    oom: Vec<String>,
    oom_unnamed: bool,
    fds: bool,
    slots: bool,
    /// Connection tables that show a full backlog or a saturated port.
    connections: Vec<String>,
    cpu: Vec<String>,
}

impl Shortage {
    fn killed(&mut self, process: Option<String>) {
        match process {
            Some(p) if !self.oom.contains(&p) => self.oom.push(p),
            Some(_) => {}
            None => self.oom_unnamed = true,
        }
    }

    /// One sentence per resource that ran out.
    fn text(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut memory = self.memory.clone();
        if !self.oom.is_empty() {
            memory.push(format!(
                "the kernel's OOM killer killed {}",
                self.oom.join(" and ")
            ));
        } else if self.oom_unnamed {
            memory.push("the kernel's OOM killer killed a process".to_string());
        }
        if !memory.is_empty() {
            out.push(format!("Memory: {}.", memory.join("; ")));
        }
        if self.fds {
            out.push(
                "File descriptors: the web server hit its open-file limit (Too many open files)."
                    .into(),
            );
        }
        if self.slots {
            out.push("Connection slots: all of nginx's worker_connections are in use.".into());
        }
        if !self.connections.is_empty() {
            out.push(format!("Connections: {}.", self.connections.join("; ")));
        }
        if !self.cpu.is_empty() {
            out.push(format!("CPU: {}.", self.cpu.join("; ")));
        }
        out.join(" ")
    }
}

/// Connection tables: many half-open connections fill the listen backlog;
/// a case port with thousands of connections is saturated.
fn connection_pressure(ctx: &Ctx<'_>, what: &mut Shortage, soft: &mut Vec<crate::text::Evidence>) {
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
            what.connections.push(format!(
                "{half_open} connections are half-open (SYN_RECV): the listen backlog may be full"
            ));
            soft.push(quote(ctx, &l.input, l.first_line));
        }
        for (port, n) in busy {
            what.connections
                .push(format!("{n} connections on port {port}"));
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
            what.connections.push(format!(
                "{} orphaned sockets",
                s.orphaned.unwrap_or_default()
            ));
            soft.push(quote(ctx, &r.input, s.line));
        }
    }
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn nginx_out_of_worker_connections() {
        verify(FindingId::OriginOverloaded, "2026/11/24 09:12:01 [alert] 812#812: *4096 1024 worker_connections are not enough while connecting to upstream\n");
    }

    #[test]
    fn free_m_with_plenty_available() {
        verify_ruled_out(FindingId::OriginOverloaded, "$ free -m\n               total        used        free      shared  buff/cache   available\nMem:            3924         812        2203          12         908        2840\nSwap:              0           0           0\n");
    }
}
