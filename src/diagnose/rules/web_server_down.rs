//! `web-server-down`: the web server is not running.

use super::{ask, Rule};
use super::{listeners, quote, web_services};
use crate::diagnose::{ports_text, Ctx, Finding, FindingId, Status};
use crate::diagnose::{AskFor, AskKind};
use crate::parse::services::{ContainerStatus, EventKind, ServiceState};
use crate::text::Evidence;

/// This finding's rule, found by [`super::rule`].
pub static RULE: Rule = Rule {
    judge: |ctx| Some(judge(ctx)),
    rank: |_| 3,
    asks,
};

/// The commands that decide whether the web server runs, and why not.
pub fn asks(_: &Ctx<'_>) -> Vec<AskFor> {
    vec![
        ask(
            AskKind::ServiceStatus,
            "sudo systemctl status nginx apache2 httpd lsws caddy --no-pager",
            "is the web server running, and if not, why it stopped",
        ),
        ask(
            AskKind::ConfigTest,
            "sudo nginx -t; sudo apachectl configtest",
            "a configuration error keeps the server from starting",
        ),
    ]
}

pub fn judge(ctx: &Ctx<'_>) -> Finding {
    let f = judge_services(ctx);
    if f.status != Status::Unknown {
        return f;
    }
    // No service or listener decided it: an answer from the origin's own
    // address shows a server runs there.
    let answered = super::answering_origin_probes(ctx);
    if !answered.is_empty() {
        return Finding::new(
            FindingId::WebServerDown,
            Status::RuledOut,
            "The origin itself answered a connection (its own response, not Cloudflare's), so a server is running there.",
        )
        .with_evidence(answered);
    }
    // `ps -ef | grep nginx`: a process of a web server is running.
    let running: Vec<Evidence> = ctx
        .facts
        .services
        .iter()
        .flat_map(|s| s.facts.processes.iter().map(move |p| (s.input.as_str(), p)))
        .filter(|(_, p)| crate::parse::services::is_web_server_name(&p.program))
        .map(|(input, p)| quote(ctx, input, p.line))
        .take(2)
        .collect();
    if !running.is_empty() {
        return Finding::new(
            FindingId::WebServerDown,
            Status::RuledOut,
            "The process list shows the web server running.",
        )
        .with_evidence(running);
    }
    // The server logged client requests it passed to a backend that failed:
    // it was up and serving; the failing backend gives a 502/504.
    let proxied: Vec<Evidence> = super::events(ctx)
        .filter(|(_, e)| matches!(e.kind, EventKind::UpstreamFailed { .. }))
        .map(|(input, e)| quote(ctx, input, e.line))
        .collect();
    if proxied.is_empty() {
        return f;
    }
    Finding::new(
        FindingId::WebServerDown,
        Status::RuledOut,
        "The web server logged client requests it passed on to its backend (upstream), so it was running and accepting connections; the backend behind it failed, which visitors see as a 502 or 504, not a 521.",
    )
    .with_evidence(proxied)
}

fn judge_services(ctx: &Ctx<'_>) -> Finding {
    // long: one pass over every kind of service evidence (units, containers,
    // events, listeners), each weighed for or against a running server.
    let id = FindingId::WebServerDown;
    let (mut down, mut up) = units(ctx);
    if let Some(f) = already_running(ctx) {
        return f;
    }
    // No status pasted, but the log says the server failed to start.
    if down.is_empty() {
        if let Some(server) = ctx.roles.server.as_ref().filter(|s| s.container.is_none()) {
            // A start failure of this server, or one that names no program
            // (Apache's "no listening sockets available, shutting down").
            let same = |p: &str| {
                crate::diagnose::roles::ServerKind::of(p)
                    == crate::diagnose::roles::ServerKind::of(&server.name)
            };
            let failed: Vec<Evidence> = super::events(ctx)
                .filter(|(_, e)| matches!(e.kind, EventKind::StartFailed { .. }))
                .filter(|(_, e)| {
                    crate::diagnose::roles::program_of_line(&e.text).is_none_or(|p| same(&p))
                })
                .map(|(input, e)| quote(ctx, input, e.line))
                .collect();
            if !failed.is_empty() {
                down.push((format!("{} failed to start", server.name), failed));
            }
        }
    }
    containers(ctx, &mut down, &mut up);
    // A web server process holding a public listener on a needed port is
    // running, whatever else was pasted.
    let serving: Vec<Evidence> = listeners(ctx)
        .filter(|(_, _, l)| ctx.ports.contains(&l.port) && !l.loopback && l.proto == "tcp")
        .filter(|(input, _, l)| {
            l.process
                .as_deref()
                .is_some_and(crate::diagnose::roles::is_web_process)
                && !ctx.roles.is_other_program_line(input, l.line)
        })
        .map(|(input, _, l)| quote(ctx, input, l.line))
        .collect();

    if !down.is_empty() && up.is_empty() && serving.is_empty() {
        let what: Vec<&str> = down.iter().map(|(w, _)| w.as_str()).collect();
        let in_way: Vec<String> = ctx
            .roles
            .squatters
            .iter()
            .filter(|s| !s.same_program)
            .map(|s| format!("{} holds {}", s.label(), ports_text(&s.ports)))
            .collect();
        let text = if in_way.is_empty() {
            format!(
                "Not running: {}. With no web server accepting connections, the origin refuses Cloudflare's connection to {} on {} at once, which Cloudflare shows as 521.",
                what.join("; "),
                ctx.site(),
                ctx.ports_text()
            )
        } else {
            format!(
                "Not running: {}. Another program runs in its place ({}): Cloudflare reaches that program on those ports (a wrong site or a 520), and is refused (521) on the ports nothing holds.",
                what.join("; "),
                in_way.join("; ")
            )
        };
        return Finding::new(id, Status::Confirmed, text)
            .with_evidence(down.into_iter().flat_map(|(_, e)| e));
    }
    if let Some(f) = stopped_one_not_needed(ctx, &down, &serving) {
        return f;
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

/// What happened to a web server, with the lines that show it.
type States = Vec<(String, Vec<Evidence>)>;

/// Web server units that are down and up.
fn units(ctx: &Ctx<'_>) -> (States, States) {
    let mut down: States = Vec::new();
    let mut up: States = Vec::new();
    for (input, s) in web_services(ctx) {
        let mut ev = vec![quote(ctx, input, s.line)];
        if let Some(l) = s.state_line.filter(|l| *l != s.line) {
            ev.push(quote(ctx, input, l));
        }
        match s.state {
            // The program in the web server's way runs, the server does not.
            ServiceState::Running if ctx.roles.is_squatter_name(&s.name) => {}
            ServiceState::Running => up.push((s.name.clone(), ev)),
            ServiceState::Failed | ServiceState::Stopped => {
                let mut how = match (&s.state, &s.result) {
                    (ServiceState::Failed, Some(r)) => format!("failed ({r})"),
                    (ServiceState::Failed, None) => "failed".to_string(),
                    _ => "stopped".to_string(),
                };
                // Why it cannot simply be started again.
                if s.enabled.as_deref() == Some("masked") {
                    how.push_str(" and masked (systemd refuses to start a masked unit)");
                }
                if let Some(reason) = &s.load_error {
                    how.push_str(&format!("; systemd cannot load its unit file ({reason})"));
                }
                down.push((format!("{} is {how}", s.name), ev));
            }
            // activating (auto-restart): a start loop, not a running server.
            ServiceState::Activating => down.push((format!("{} keeps restarting", s.name), ev)),
            ServiceState::NotFound | ServiceState::Unknown => {}
        }
    }
    (down, up)
}

/// "httpd (pid 6759) already running": the start failed only because the
/// server runs (a copy started outside its unit).
fn already_running(ctx: &Ctx<'_>) -> Option<Finding> {
    let already: Vec<Evidence> = super::events(ctx)
        .filter(|(_, e)| matches!(e.kind, EventKind::AlreadyRunning { .. }))
        .map(|(input, e)| quote(ctx, input, e.line))
        .collect();
    (!already.is_empty()).then(|| {
        Finding::new(
            FindingId::WebServerDown,
            Status::RuledOut,
            format!(
                "The start failed only because {} already runs (a copy started outside its unit): the server is up. Stop that copy and start the unit so it is managed again, but it is not why Cloudflare shows an error.",
                ctx.roles.server_name()
            ),
        )
        .with_evidence(already)
    })
}

/// Web server containers that are down and up; a container in the web
/// server's way is neither.
fn containers(ctx: &Ctx<'_>, down: &mut States, up: &mut States) {
    for sf in &ctx.facts.services {
        for c in &sf.facts.containers {
            let web = c
                .published
                .iter()
                .any(|p| p.host_port.is_some_and(|hp| ctx.ports.contains(&hp)))
                || c.image
                    .as_deref()
                    .and_then(crate::diagnose::roles::image_server)
                    .is_some()
                || crate::parse::services::is_web_server_name(&c.name);
            if !web {
                continue;
            }
            let ev = vec![quote(ctx, &sf.input, c.line)];
            let in_way = ctx
                .roles
                .squatters
                .iter()
                .any(|s| s.container.as_deref() == Some(c.name.as_str()));
            if in_way {
                continue;
            }
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
}

/// Every port Cloudflare uses has a web server on a public address (in a
/// whole listener list): a stopped second server is not needed there.
fn stopped_one_not_needed(
    ctx: &Ctx<'_>,
    down: &[(String, Vec<Evidence>)],
    serving: &[Evidence],
) -> Option<Finding> {
    // A program in the server's way (another server, a stray copy) is why
    // it is stopped: then it is needed.
    if down.is_empty()
        || ctx.ports.is_empty()
        || !ctx.roles.squatters.is_empty()
        || !super::listener_list_complete(ctx)
    {
        return None;
    }
    let served_ports: Vec<u16> = listeners(ctx)
        .filter(|(_, _, l)| !l.loopback && l.proto == "tcp")
        .filter(|(_, _, l)| {
            l.process
                .as_deref()
                .is_some_and(crate::parse::services::is_web_server_name)
        })
        .map(|(_, _, l)| l.port)
        .collect();
    if !ctx.ports.iter().all(|p| served_ports.contains(p)) {
        return None;
    }
    let what: Vec<&str> = down.iter().map(|(w, _)| w.as_str()).collect();
    Some(
        Finding::new(
            FindingId::WebServerDown,
            Status::RuledOut,
            format!(
                "A web server listens on {} on a public address, so the stopped one is not needed there ({}).",
                ctx.ports_text(),
                what.join("; ")
            ),
        )
        .with_evidence(
            serving
                .iter()
                .cloned()
                .chain(down.iter().flat_map(|(_, e)| e.iter().cloned())),
        ),
    )
}

/// One-line cases: the pastes that raise this finding and the ones that
/// must not.
#[cfg(test)]
mod cases {
    use crate::diagnose::testkit::{verify, verify_ruled_out};
    use crate::diagnose::FindingId;

    #[test]
    fn a_failed_unit() {
        verify(FindingId::WebServerDown, "$ systemctl status nginx\n× nginx.service - A high performance web server and a reverse proxy server\n     Loaded: loaded (/lib/systemd/system/nginx.service; enabled; preset: enabled)\n     Active: failed (Result: exit-code) since Tue 2026-11-24 09:12:01 UTC; 3min ago\n");
    }

    #[test]
    fn a_running_unit() {
        verify_ruled_out(FindingId::WebServerDown, "$ systemctl status nginx\n● nginx.service - A high performance web server and a reverse proxy server\n     Loaded: loaded (/lib/systemd/system/nginx.service; enabled; preset: enabled)\n     Active: active (running) since Tue 2026-11-24 09:12:01 UTC; 3min ago\n");
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnose::testkit::{run, status};
    use crate::diagnose::{FindingId::WebServerDown, Status};

    #[test]
    fn a_proxy_logging_failed_upstreams_is_up() {
        let d = run("2020/08/08 13:17:26 [error] 19#19: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 198.51.100.7, server: a.example, request: \"GET / HTTP/1.1\", upstream: \"http://172.18.0.3:80/\", host: \"a.example\"\n");
        assert_eq!(status(&d, WebServerDown), Status::RuledOut);
        // The same server failing to start is down, whatever it logged before.
        let d = run("2020/08/08 13:17:26 [error] 19#19: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 198.51.100.7, server: a.example, request: \"GET / HTTP/1.1\"\n\n\u{25cf} nginx.service - A high performance web server and a reverse proxy server\n   Loaded: loaded (/lib/systemd/system/nginx.service; enabled; vendor preset: enabled)\n   Active: failed (Result: exit-code) since Sun 2020-08-09 10:00:00 UTC; 1min ago\n");
        assert_eq!(status(&d, WebServerDown), Status::Confirmed);
    }

    #[test]
    fn a_response_signed_by_the_web_server_is_the_origin_answering() {
        let d = run("HTTP/1.1 400 Bad Request\nServer: nginx/1.9.2\nDate: Sun, 12 Jul 2015 08:33:23 GMT\nContent-Type: text/html\n");
        assert_eq!(status(&d, WebServerDown), Status::RuledOut);
        // Cloudflare's edge answered: nothing about the origin.
        let d = run("HTTP/1.1 400 Bad Request\nServer: cloudflare\nDate: Sun, 12 Jul 2015 08:33:23 GMT\nCF-RAY: 4ee02a558935bdc3-AMS\n");
        assert_eq!(status(&d, WebServerDown), Status::Unknown);
    }
}
