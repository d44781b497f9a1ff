//! `port-conflict`: the web server cannot bind its port because another
//! process holds it. A bind error on a port Cloudflare does not use is not
//! the cause. The program in the way answers Cloudflare on that port (a
//! wrong site, a 520): only the ports where nothing answers give 521.

use super::Rule;
use super::{events, listener_list_complete, listeners, quote, web_services};
use crate::diagnose::roles::Squatter;
use crate::diagnose::{ports_text, Ctx, Finding, FindingId, Status};
use crate::parse::services::{EventKind, ServiceState};

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 2,
    asks: super::web_server_down::asks,
};

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let id = FindingId::PortConflict;
    let mut relevant = Vec::new();
    let mut elsewhere = Vec::new();
    let mut ports: Vec<u16> = Vec::new();
    // `bind() to unix:/run/x.sock failed`: a socket file, not a TCP port.
    let mut sockets: Vec<String> = Vec::new();
    let server_failed = ctx
        .roles
        .server
        .as_ref()
        .is_some_and(|s| s.state == crate::diagnose::roles::ServerState::Failed);
    for (input, e) in events(ctx) {
        if let EventKind::BindConflict { port, addr } = &e.kind {
            if let Some(path) = addr.as_deref().and_then(|a| a.strip_prefix("unix:")) {
                if !sockets.iter().any(|s| s == path) {
                    sockets.push(path.to_string());
                }
            }
            // The web server itself failing on another port still exits:
            // every listen must bind, so it then serves nothing.
            let server_exits = server_failed
                && crate::diagnose::roles::program_of_line(&e.text)
                    .or_else(|| e.service.clone())
                    .is_some_and(|p| crate::diagnose::roles::ServerKind::of(&p).is_some());
            match port {
                Some(p) if !ctx.ports.contains(p) && !server_exits => {
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
    if !relevant.is_empty() {
        return conflict(ctx, relevant, &ports, &sockets);
    }
    if !elsewhere.is_empty() {
        let p: Vec<u16> = elsewhere.iter().map(|(p, _)| *p).collect();
        return Finding::new(
            id,
            Status::RuledOut,
            format!(
                "A bind conflict was logged on {}, which Cloudflare does not connect to here ({} matter), so it is not the cause.",
                ports_text(&p),
                ctx.ports_text()
            ),
        )
        .with_evidence(elsewhere.into_iter().map(|(_, e)| e));
    }
    // The web server itself holds every port Cloudflare uses: nothing is
    // in its way.
    let own: Vec<_> = listeners(ctx)
        .filter(|(_, _, l)| l.proto == "tcp" && ctx.ports.contains(&l.port))
        .filter(|(input, _, l)| {
            l.process
                .as_deref()
                .is_some_and(crate::diagnose::roles::is_web_process)
                && !ctx.roles.is_squatter_line(input, l.line)
        })
        .collect();
    if !ctx.ports.is_empty()
        && ctx
            .ports
            .iter()
            .all(|p| own.iter().any(|(_, _, l)| l.port == *p))
    {
        let names: Vec<String> = {
            let mut n: Vec<String> = own
                .iter()
                .filter_map(|(_, _, l)| l.process.as_deref())
                .map(crate::diagnose::roles::program)
                .collect();
            n.dedup();
            n
        };
        return Finding::new(
            id,
            Status::RuledOut,
            format!(
                "The web server ({}) holds {} itself: no other program is in its way.",
                names.join(", "),
                ctx.ports_text()
            ),
        )
        .with_evidence(own.iter().map(|(i, _, l)| quote(ctx, i, l.line)));
    }
    Finding::unknown(id, ctx)
}

fn conflict(
    ctx: &Ctx<'_>,
    evidence: Vec<crate::text::Evidence>,
    ports: &[u16],
    sockets: &[String],
) -> Finding {
    let roles = &ctx.roles;
    let server = roles.server_name().to_string();
    // The server still runs when a unit of its own (not the program in
    // its way) is active.
    // A listener of the server's own (not a stray copy) shows it runs now,
    // whatever failed before.
    let listening = listeners(ctx).any(|(i, _, l)| {
        l.proto == "tcp" && roles.is_server_listener(l.process.as_deref(), i, l.line)
    });
    let running = listening
        || web_services(ctx)
            .any(|(_, s)| s.state == ServiceState::Running && !roles.is_squatter_name(&s.name))
            && !roles
                .server
                .as_ref()
                .is_some_and(|s| s.state == crate::diagnose::roles::ServerState::Failed);
    let port_text = match (ports.is_empty(), sockets.is_empty()) {
        (false, _) => ports_text(ports),
        (true, false) => format!("its socket file {}", sockets.join(", ")),
        (true, true) => "its port".to_string(),
    };
    let held: Vec<&Squatter> = roles
        .squatters
        .iter()
        .filter(|s| ports.is_empty() || s.ports.iter().any(|p| ports.contains(p)))
        .collect();
    let mut text = format!(
        "{} could not bind {port_text} (Address already in use)",
        super::capitalized(&server)
    );
    let squatter_lines = held
        .iter()
        .flat_map(|s| s.lines.iter())
        .map(|(i, l)| quote(ctx, i, *l));
    if !sockets.is_empty() && ports.is_empty() {
        text.push_str(": another running copy holds the socket file, or a stale file left by a crash is in the way.");
    } else if let Some(stray) = held.iter().find(|s| s.same_program) {
        text.push_str(&format!(
            ": another {} process ({}) already holds it, started outside its service manager. That old copy answers Cloudflare with whatever configuration it loaded, and the service itself cannot start.",
            stray.process,
            stray.pid.map_or("pid not shown".to_string(), |p| format!("pid {p}"))
        ));
    } else if !held.is_empty() {
        let who: Vec<String> = held
            .iter()
            .map(|s| format!("{} holds {}", s.label(), ports_text(&s.ports)))
            .collect();
        let names: Vec<&str> = held.iter().map(|s| s.process.as_str()).collect();
        text.push_str(&format!(": {}.", who.join("; ")));
        if held
            .iter()
            .any(|s| s.ports.iter().any(|p| ctx.ports.contains(p)))
        {
            text.push_str(&format!(
                " Cloudflare's connections to that port reach {} instead of {server}: visitors get its answer there (another site, a default page, a redirect loop or a 520), not a refusal.",
                names.join(" and ")
            ));
        }
    } else if listener_list_complete(ctx)
        && !ports.is_empty()
        && !listeners(ctx).any(|(_, _, l)| ports.contains(&l.port))
    {
        text.push_str(": nothing in the pasted listener list holds it now, so the other program has stopped since, or the configuration binds the same address twice (two `listen` lines for one address and port).");
    } else {
        text.push_str(": another program holds it (`sudo ss -ltnp` names it).");
        if ports.is_empty() || ports.iter().any(|p| ctx.ports.contains(p)) {
            text.push_str(&format!(
                " Cloudflare's connections to {port_text} reach that program (another site or a 520), not a refusal."
            ));
        }
    }
    let stray = held.iter().any(|s| s.same_program);
    let (status, tail) = if stray {
        (
            Status::Confirmed,
            " Where that copy holds no port, Cloudflare is refused (521); stop the copy and start the service so one managed server holds every port.".to_string(),
        )
    } else if running {
        (
            Status::Likely,
            format!(" {} is running now, so this may be an old or a second instance; check which process answers Cloudflare.", super::capitalized(&server)),
        )
    } else if ports.is_empty() && !sockets.is_empty() {
        (
            Status::Confirmed,
            format!(
                " {} exits at start, so Cloudflare's connections are refused (521).",
                super::capitalized(&server)
            ),
        )
    } else {
        (
            Status::Confirmed,
            format!(" {} exits at start, so the ports only it would serve are refused: that is where Cloudflare shows 521.", super::capitalized(&server)),
        )
    };
    let other: Vec<u16> = ports
        .iter()
        .copied()
        .filter(|p| !ctx.ports.contains(p))
        .collect();
    if !other.is_empty() {
        text.push_str(&format!(
            " {} not where Cloudflare connects here, but {server} stops when any of its listens fails.",
            match other.as_slice() {
                [one] => format!("Port {one} is"),
                _ => format!("Ports {} are", ports_text(&other).trim_start_matches("ports ")),
            }
        ));
    }
    text.push_str(&tail);
    Finding::new(FindingId::PortConflict, status, text)
        .with_evidence(evidence)
        .with_evidence(squatter_lines)
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn nginx_failing_to_bind_port_80() {
        verify(
            FindingId::PortConflict,
            "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n",
        );
    }

    #[test]
    fn nginx_itself_holding_both_ports() {
        verify_ruled_out(FindingId::PortConflict, "$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511               0.0.0.0:80      0.0.0.0:*    users:((\"nginx\",pid=812,fd=6))\nLISTEN 0      511              0.0.0.0:443      0.0.0.0:*    users:((\"nginx\",pid=812,fd=7))\n");
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnose::testkit::{run, status};
    use crate::diagnose::{FindingId, Status};

    /// nginx failed on 80 (apache holds it), then runs with 443 on
    /// loopback only: the refusal (521) is on 443; the conflict on 80
    /// reaches apache, and nginx is not a stray copy of itself.
    #[test]
    fn the_server_started_since_on_another_port_is_not_a_stray_copy() {
        let d = run("2014/11/12 12:17:26 [emerg] 26659#0: bind() to 0.0.0.0:80 failed (98: Address already in use)\n2014/11/12 12:17:26 [emerg] 26659#0: still could not bind()\n\n$ sudo lsof -i :80\nCOMMAND   PID     USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\napache2 25997     root    4u  IPv6  34568      0t0  TCP *:http (LISTEN)\n\n# lsof -i :443\nCOMMAND   PID       USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\nnginx   27584       root    6u  IPv4  43582      0t0  TCP localhost:https (LISTEN)\n");
        assert_eq!(d.primary, Some(FindingId::LoopbackOnly));
        assert_eq!(status(&d, FindingId::PortConflict), Status::Likely);
    }
}
