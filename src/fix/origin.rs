//! Fixes on the origin itself: services, listeners, DNS, IPv6, overload and
//! restoring visitor addresses behind Cloudflare.

use super::firewall::Distro;
use super::{FixCtx, FixStep, Plan};
use crate::diagnose::roles::{ServerKind, ServerState};
use crate::diagnose::FindingId;
use crate::facts::Facts;
use crate::parse::services::EventKind;

fn step(title: impl Into<String>, commands: &[&str]) -> FixStep {
    FixStep {
        title: title.into(),
        commands: commands.iter().map(|c| c.to_string()).collect(),
    }
}

/// Debian-like or RHEL-like, from the names and paths the case shows.
pub fn distro(facts: &Facts) -> Distro {
    let names: Vec<&str> = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter().map(|x| x.name.as_str()))
        .collect();
    if names.contains(&"apache2")
        || facts
            .rulesets
            .iter()
            .any(|r| r.dialect == crate::firewall::model::Dialect::Ufw)
    {
        return Distro::Debian;
    }
    if names.contains(&"httpd") {
        return Distro::Rhel;
    }
    Distro::Unknown
}

/// The web server of the case, as the diagnosis decided it.
fn web_server(ctx: &FixCtx<'_>) -> String {
    seen_web_server(ctx).unwrap_or_else(|| "nginx".to_string())
}

/// The web server the case shows, if any.
fn seen_web_server(ctx: &FixCtx<'_>) -> Option<String> {
    ctx.diagnosis.roles.server.as_ref().map(|s| s.name.clone())
}

/// The container the web server runs in, when it does.
fn container<'a>(ctx: &'a FixCtx<'_>) -> Option<&'a str> {
    ctx.diagnosis
        .roles
        .server
        .as_ref()
        .and_then(|s| s.container.as_deref())
}

/// Whether the host uses systemd or sysvinit: a `service` command's output,
/// or a stated release without systemd (CentOS 6, an `el6` kernel) that no
/// `systemctl` output contradicts.
fn uses_systemd(facts: &Facts) -> bool {
    let ran = |prog: &str| {
        facts.services.iter().any(|s| {
            s.command
                .as_deref()
                .is_some_and(|c| c.trim_start_matches("sudo ").starts_with(prog))
        })
    };
    let stated = facts
        .hints
        .iter()
        .any(|(_, h)| h.hint == crate::parse::hints::Hint::PreSystemd);
    !(ran("service ") || (stated && !ran("systemctl ")))
}

/// Where the configuration of the case's web server lives, for a grep:
/// only its own directory when the case names it (Debian's `apache2`,
/// Red Hat's `httpd`), every usual one when it does not.
fn conf_dirs(server: Option<&str>) -> &'static str {
    match server {
        Some("nginx") => "/etc/nginx",
        Some("apache2") => "/etc/apache2",
        Some("httpd") => "/etc/httpd",
        Some("apache") => "/etc/apache2 /etc/httpd",
        Some("caddy") => "/etc/caddy",
        Some("lsws") => "/usr/local/lsws/conf",
        _ => "/etc/nginx /etc/apache2 /etc/httpd /etc/caddy",
    }
}

/// The configuration test, inside the server's container when it runs in
/// one.
fn config_test(ctx: &FixCtx<'_>, server: &str) -> String {
    let test = host_config_test(server);
    match in_container(ctx, server) {
        Some(c) => format!("docker exec {c} {}", test.trim_start_matches("sudo ")),
        None => test.to_string(),
    }
}

/// The container `server` runs in, when the case shows one.
fn in_container<'a>(ctx: &'a FixCtx<'_>, server: &str) -> Option<&'a str> {
    let role = ctx.diagnosis.roles.server.as_ref()?;
    let c = role.container.as_deref()?;
    (role.name == server || crate::diagnose::roles::same_program(&role.name, server)).then_some(c)
}

fn host_config_test(server: &str) -> &'static str {
    match ServerKind::of(server) {
        Some(ServerKind::Apache) => "sudo apachectl configtest",
        Some(ServerKind::Caddy) => "sudo caddy validate --config /etc/caddy/Caddyfile",
        Some(ServerKind::Litespeed) => "sudo /usr/local/lsws/bin/openlitespeed -t",
        _ if server == "haproxy" => "sudo haproxy -c -f /etc/haproxy/haproxy.cfg",
        _ => "sudo nginx -t",
    }
}

fn start(ctx: &FixCtx<'_>, server: &str) -> String {
    let facts = ctx.facts;
    if let Some(c) = in_container(ctx, server) {
        format!("docker start {c} && docker ps -a --filter name={c}")
    } else if uses_systemd(facts) {
        format!("sudo systemctl enable --now {server} && sudo systemctl status {server} --no-pager")
    } else if server == "httpd" || shows_rhel_hint(facts) {
        // Red Hat's sysvinit: chkconfig starts it at boot too.
        format!("sudo service {server} start && sudo chkconfig {server} on && sudo service {server} status")
    } else {
        format!("sudo service {server} start && sudo service {server} status")
    }
}

fn shows_rhel_hint(facts: &Facts) -> bool {
    facts
        .hints
        .iter()
        .any(|(_, h)| h.hint == crate::parse::hints::Hint::RedHatFamily)
}

/// Reload, or start when it is not running.
fn reload_or_restart(ctx: &FixCtx<'_>, server: &str) -> String {
    if let Some(c) = in_container(ctx, server) {
        format!("docker restart {c}")
    } else if uses_systemd(ctx.facts) {
        format!("sudo systemctl reload-or-restart {server}")
    } else {
        format!("sudo service {server} restart")
    }
}

fn reload(ctx: &FixCtx<'_>, server: &str) -> String {
    if let Some(c) = in_container(ctx, server) {
        match ServerKind::of(server) {
            Some(ServerKind::Nginx) => format!("docker exec {c} nginx -s reload"),
            Some(ServerKind::Apache) => format!("docker exec {c} apachectl graceful"),
            _ => format!("docker restart {c}"),
        }
    } else if uses_systemd(ctx.facts) {
        format!("sudo systemctl reload {server}")
    } else {
        format!("sudo service {server} reload")
    }
}

fn restart(ctx: &FixCtx<'_>, server: &str) -> String {
    if let Some(c) = in_container(ctx, server) {
        format!("docker restart {c}")
    } else if uses_systemd(ctx.facts) {
        format!("sudo systemctl restart {server}")
    } else {
        format!("sudo service {server} restart")
    }
}

/// `sudo ss -ltnp 'sport = :443'`, or one filter for several ports.
fn ss_ports(ports: &[u16]) -> String {
    let f: Vec<String> = ports.iter().map(|p| format!("sport = :{p}")).collect();
    match f.as_slice() {
        [one] => format!("sudo ss -ltnp '{one}'"),
        _ => format!("sudo ss -ltnp '( {} )'", f.join(" or ")),
    }
}

fn verify_http(ctx: &FixCtx<'_>) -> Vec<String> {
    let mut v = vec!["sudo ss -tlnp | grep -E ':(80|443)\\b'".to_string()];
    if let Some(h) = &ctx.host {
        v.push(format!("curl -sS -o /dev/null -w '%{{http_code}} via %{{remote_ip}}\\n' https://{h}/   # through Cloudflare: no 521"));
    }
    v
}

pub fn web_server_down(ctx: &FixCtx<'_>) -> Plan {
    if let Some(c) = container(ctx) {
        return Plan {
            fix: vec![
                step(
                    format!("Read why container {c} stopped"),
                    &[&format!("docker logs --tail 50 {c}")],
                ),
                step(
                    "Start it again, and keep it restarting after a crash or reboot",
                    &[&format!(
                        "docker start {c} && docker update --restart unless-stopped {c}"
                    )],
                ),
            ],
            verify: vec![
                format!("docker ps --filter name={c}"),
                "sudo ss -tlnp | grep -E ':(80|443)\\b'".to_string(),
            ],
        };
    }
    let server = web_server(ctx);
    let journal = if uses_systemd(ctx.facts) {
        format!("sudo journalctl -u {server} -n 50 --no-pager")
    } else {
        format!("sudo tail -n 50 /var/log/{server}/error.log")
    };
    let mut fix = Vec::new();
    // A masked unit, or one systemd cannot load, cannot be started until
    // that is undone: say so before anything else.
    let units: Vec<&crate::parse::services::Service> = ctx
        .facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter())
        .filter(|s| s.is_web_server())
        .collect();
    if let Some(s) = units
        .iter()
        .find(|s| s.enabled.as_deref() == Some("masked"))
    {
        fix.push(step(
            format!("Unmask {}: systemd refuses to start a masked unit (a package upgrade or an admin masked it)", s.name),
            &[&format!("sudo systemctl unmask {}", s.name)],
        ));
    }
    if let Some(s) = units.iter().find(|s| s.load_error.is_some()) {
        fix.push(step(
            format!(
                "Repair the unit file systemd cannot load ({}): show it, check it, then reload systemd",
                s.load_error.as_deref().unwrap_or("load error")
            ),
            &[
                &format!("systemctl cat {}", s.name),
                &format!("sudo systemd-analyze verify {}.service", s.name),
                "sudo systemctl daemon-reload",
            ],
        ));
    }
    fix.push(step(format!("Read why {server} stopped"), &[&journal]));
    // SIGKILL is what the kernel's OOM killer sends.
    let killed = ctx
        .facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .any(|e| {
            matches!(&e.kind, EventKind::ProcessExited { status } if status.starts_with("9/"))
                || matches!(e.kind, EventKind::OomKill { .. })
        });
    if killed {
        fix.push(step(
            format!("{server} was killed with SIGKILL, which is what the kernel's out-of-memory killer sends: check whether it was"),
            &["sudo dmesg -T | grep -iE 'out of memory|killed process' | tail -n 5", "free -m"],
        ));
    }
    fix.push(step(
        "Test the configuration before starting (a failing test keeps it down)",
        &[&config_test(ctx, &server)],
    ));
    // Another program on a port the server needs keeps it from binding:
    // move it out of the way first.
    let held: Vec<&crate::diagnose::roles::Squatter> = ctx
        .diagnosis
        .roles
        .squatters
        .iter()
        .filter(|s| !s.same_program && s.ports.iter().any(|p| ctx.ports.contains(p)))
        .collect();
    fix.extend(squatter_steps(&held, &server, uses_systemd(ctx.facts)));
    fix.push(step(
        format!("Start {server} and make it start at boot"),
        &[&start(ctx, &server)],
    ));
    Plan {
        fix,
        verify: verify_http(ctx),
    }
}

/// One step per program in the server's way, named: stop the stray copy,
/// the container, the unit, or find the unit of a bare process.
fn squatter_steps(
    held: &[&crate::diagnose::roles::Squatter],
    server: &str,
    systemd: bool,
) -> Vec<FixStep> {
    let mut fix = Vec::new();
    for s in held {
        let what = crate::diagnose::ports_text(&s.ports);
        let (title, commands) = if s.same_program {
            (
                format!("Stop the stray {} that holds {what} outside {server}'s service (its oldest process is the master)", s.process),
                vec![
                    format!("pgrep -a -x {}", s.process),
                    format!("sudo kill $(pgrep -o -x {})", s.process),
                ],
            )
        } else if let Some(c) = &s.container {
            (
                format!("Container {c} publishes {what}, which {server} needs: stop it and keep it from restarting (or publish it on another port)"),
                vec![format!("docker stop {c} && docker update --restart no {c}")],
            )
        } else if s.process == "docker-proxy" {
            (
                format!("A Docker container publishes {what} (docker-proxy), which {server} needs: find it, then stop it or publish it on another port"),
                vec![format!("docker ps --filter publish={}", s.ports.first().copied().unwrap_or(443))],
            )
        } else if let Some(unit) = &s.unit {
            let cmd = if systemd {
                format!("sudo systemctl disable --now {unit}")
            } else {
                format!("sudo service {unit} stop")
            };
            (
                format!("{} holds {what}, which {server} needs: stop it and keep it from starting at boot (if you still need {unit}, move it to another port instead)", s.label()),
                vec![cmd],
            )
        } else {
            let mut cmds = Vec::new();
            if let Some(pid) = s.pid {
                cmds.push(format!("ps -o pid,user,args -p {pid}"));
                cmds.push(format!(
                    "sudo systemctl status {pid} --no-pager   # names the unit that runs {}",
                    s.process
                ));
            }
            (
                format!("{} holds {what}, which {server} needs: stop the service that runs it (and disable it), or move it to another port", s.label()),
                cmds,
            )
        };
        fix.push(FixStep { title, commands });
    }
    fix
}

pub fn config_error(ctx: &FixCtx<'_>) -> Plan {
    let server = web_server(ctx);
    let roles = &ctx.diagnosis.roles;
    let mut fix: Vec<FixStep> = Vec::new();
    let mut push = |f: FixStep| {
        if !fix.iter().any(|x| x.title == f.title) {
            fix.push(f);
        }
    };
    for e in ctx
        .facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
    {
        match &e.kind {
            EventKind::MissingCertificate { path } => {
                let p = path.clone().unwrap_or_else(|| "/etc/ssl/certs/origin.pem".into());
                let grep = match ServerKind::of(&server) {
                    Some(ServerKind::Apache) => format!(
                        "sudo grep -rn SSLCertificate {} 2>/dev/null | head",
                        conf_dirs(Some(server.as_str()))
                    ),
                    Some(ServerKind::Caddy) => "sudo grep -n tls /etc/caddy/Caddyfile".into(),
                    _ => "sudo grep -rn ssl_certificate /etc/nginx/ 2>/dev/null | head".into(),
                };
                push(FixStep {
                    title: format!("Put the certificate back at {p} (or point the config at the right file); a Cloudflare Origin CA certificate works for Full (strict)"),
                    commands: vec![format!("sudo ls -l {p}"), grep],
                });
            }
            EventKind::UpstreamNotFound { host } => push(FixStep {
                title: format!("The upstream \"{host}\" must resolve when the server starts: fix the name, use an IP address, or start the service that provides it first"),
                commands: vec![format!("getent hosts {}", host.split(':').next().unwrap_or(host)), "sudo grep -rn upstream /etc/nginx/ 2>/dev/null | head".into()],
            }),
            EventKind::PermissionDenied { port: Some(p), .. } => push(permission_step(ctx, &server, *p)),
            EventKind::NoListener => push(step(
                "In LiteSpeed WebAdmin (https://SERVER-IP:7080) > Listeners, give the site's virtual host a mapping on the port 80 and 443 listeners (Virtual Host Mappings), or add those listeners; a listener that failed to start logs why just above this line",
                &["sudo grep -n -B3 'No listener is available' /usr/local/lsws/logs/error.log | tail -n 8"],
            )),
            EventKind::AddressUnavailable { addr, port } => {
                push(address_step(ctx, &server, addr.as_deref(), *port))
            }
            _ => {}
        }
    }
    for l in &roles.loops {
        push(FixStep {
            title: format!("Point the upstream {} (pasted line {}) at the application itself, an address on this host or its private network such as `http://127.0.0.1:PORT`: {} is Cloudflare in front of this same server, so each request comes back here", l.directive, l.line, l.target),
            commands: vec![format!("sudo grep -rn '{}' /etc/nginx/ 2>/dev/null", l.target)],
        });
    }
    fix.push(step(
        "Run the configuration test until it passes; it names the file and line of any error",
        &[&config_test(ctx, &server)],
    ));
    let apply = match roles.server.as_ref().map(|s| s.state) {
        Some(ServerState::Failed) => step(format!("Then start {server}"), &[&start(ctx, &server)]),
        Some(ServerState::Running) => {
            step(format!("Then reload {server}"), &[&reload(ctx, &server)])
        }
        // Not shown: reload it if it runs, start it if it does not.
        _ if uses_systemd(ctx.facts) => step(
            format!("Then apply it: reload {server}, or start it if it is stopped"),
            &[&reload_or_restart(ctx, &server)],
        ),
        _ => step(
            format!("Then restart {server}"),
            &[&format!("sudo service {server} restart")],
        ),
    };
    fix.push(apply);
    Plan {
        fix,
        verify: verify_http(ctx),
    }
}

/// errno 13 on a bind: a port below 1024 needs root or the capability; a
/// higher one on an SELinux host needs the http_port_t label.
fn permission_step(ctx: &FixCtx<'_>, server: &str, port: u16) -> FixStep {
    if port < 1024 {
        let how = match ServerKind::of(server) {
            Some(ServerKind::Caddy) => "start Caddy through its service (its unit grants CAP_NET_BIND_SERVICE), not as your user with `caddy run`".to_string(),
            Some(ServerKind::Nginx | ServerKind::Apache) => format!("start {server} as root through its service (the master binds, then drops to its user), not by hand as another user"),
            _ => format!("start {server} through its service as root, or grant it the capability"),
        };
        let cmds = if uses_systemd(ctx.facts) {
            vec![
                format!("sudo systemctl restart {server}"),
                format!("sudo setcap 'cap_net_bind_service=+ep' \"$(command -v {server})\"   # only if it must run without root"),
            ]
        } else {
            vec![format!("sudo service {server} restart")]
        };
        return FixStep {
            title: format!("Port {port} is privileged (below 1024): {how}"),
            commands: cmds,
        };
    }
    FixStep {
        title: format!("SELinux lets web servers bind only ports labelled http_port_t: label {port}, or use a port that has the label"),
        commands: vec![
            "getenforce; sudo semanage port -l | grep -w http_port_t".into(),
            format!("sudo semanage port -a -t http_port_t -p tcp {port}"),
        ],
    }
}

/// errno 99 on a bind: the address is not on this host.
fn address_step(ctx: &FixCtx<'_>, server: &str, addr: Option<&str>, port: Option<u16>) -> FixStep {
    let roles = &ctx.diagnosis.roles;
    let a = addr.unwrap_or("the listen address");
    let p = port.map(|p| p.to_string()).unwrap_or_else(|| "PORT".into());
    let on_host = addr
        .and_then(|x| x.trim_matches(['[', ']']).parse::<std::net::IpAddr>().ok())
        .map(|ip| roles.own_addrs.contains(&ip));
    match on_host {
        // The address is there now: the server started before the network
        // brought it up.
        Some(true) => FixStep {
            title: format!("{a} is on this host now, so {server} started before the network brought it up: make it wait for the network"),
            commands: vec![
                format!("sudo mkdir -p /etc/systemd/system/{server}.service.d && printf '[Unit]\\nWants=network-online.target\\nAfter=network-online.target\\n' | sudo tee /etc/systemd/system/{server}.service.d/wait-online.conf >/dev/null"),
                format!("sudo systemctl daemon-reload && sudo systemctl restart {server}"),
            ],
        },
        _ => {
            let own: Vec<String> = roles.own_addrs.iter().map(|x| x.to_string()).collect();
            let instead = if own.is_empty() {
                format!("listen on every address (`listen {p};` / `Listen {p}`) or on an address `ip -br addr` shows")
            } else {
                format!("listen on every address (`listen {p};` / `Listen {p}`) or on this host's address ({})", own.join(", "))
            };
            FixStep {
                title: format!("{a} is not an address of this host (an IP change or a migration): {instead}"),
                commands: vec![
                    "ip -br addr".into(),
                    format!(
                        "sudo grep -rnF '{a}' {} 2>/dev/null",
                        conf_dirs(seen_web_server(ctx).as_deref())
                    ),
                ],
            }
        }
    }
}

pub fn port_conflict(ctx: &FixCtx<'_>) -> Plan {
    let roles = &ctx.diagnosis.roles;
    let server = roles.server_name().to_string();
    let events = || {
        ctx.facts
            .services
            .iter()
            .flat_map(|s| s.facts.events.iter())
    };
    let mut ports: Vec<u16> = events()
        .filter_map(|e| match e.kind {
            EventKind::BindConflict { port, .. } => port,
            _ => None,
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    let mut sockets: Vec<&str> = events()
        .filter_map(|e| match &e.kind {
            EventKind::BindConflict { addr: Some(a), .. } => a.strip_prefix("unix:"),
            _ => None,
        })
        .collect();
    sockets.sort_unstable();
    sockets.dedup();
    let mut fix = Vec::new();
    for path in &sockets {
        fix.push(FixStep {
            title: format!("See whether a running process holds {path}; if none does, the file is stale (left by a crash) and can go"),
            commands: vec![
                format!("sudo ss -xlp | grep -F '{path}'"),
                format!("sudo fuser -v '{path}' || sudo rm -f '{path}'"),
            ],
        });
    }
    if ports.is_empty() && sockets.is_empty() {
        ports = ctx.ports.clone();
    }
    let held: Vec<_> = roles
        .squatters
        .iter()
        .filter(|s| s.ports.iter().any(|p| ports.contains(p)))
        .collect();
    let systemd = uses_systemd(ctx.facts);
    // The server's own bind error from inside its container: the holder is
    // in the container's network, not the host's (unless it runs with
    // `network_mode: host`), most often a second Listen for the same port.
    let inside = container(ctx).filter(|_| {
        held.is_empty()
            && events().any(|e| {
                matches!(e.kind, EventKind::BindConflict { .. })
                    && crate::diagnose::roles::program_in_text(&e.text)
                        .and_then(|p| ServerKind::of(&p))
                        .is_some_and(|k| k != ServerKind::Other)
            })
    });
    if let (Some(c), false) = (inside, ports.is_empty()) {
        let (dir, directive) = match ServerKind::of(&server) {
            Some(ServerKind::Apache) => ("/usr/local/apache2/conf", "Listen"),
            _ => ("/etc/nginx", "listen"),
        };
        fix.push(step(
            format!("The bind of {} failed inside container {c}: its own network holds nothing else there, so look for the port listed twice in its configuration (a host network, `network_mode: host`, shares the host's ports instead)", crate::diagnose::ports_text(&ports)),
            &[
                &format!("docker inspect -f '{{{{.HostConfig.NetworkMode}}}}' {c}   # host: find the holder with `sudo ss -ltnp` on the host"),
                &format!("docker cp {c}:{dir} - | tar -xO | grep -n '^[[:space:]]*{directive}'   # works on a stopped container; one line per port"),
            ],
        ));
    } else if held.is_empty() && !ports.is_empty() {
        fix.push(step(
            format!(
                "Find the program that holds {}",
                crate::diagnose::ports_text(&ports)
            ),
            &[&ss_ports(&ports)],
        ));
        fix.push(step(
            format!("Stop that program by its name and keep it from starting at boot, or move it to another port; if it is a second copy of {server}, stop that copy (`systemctl status PID` names the unit that runs a PID)"),
            &["sudo systemctl status PID --no-pager   # PID from the previous command"],
        ));
    }
    fix.extend(squatter_steps(&held, &server, systemd));
    if !ports.is_empty() || !sockets.is_empty() {
        match (container(ctx), roles.server.is_some()) {
            (Some(c), _) => fix.push(step(
                format!("Start container {c} again (`docker compose up -d` when compose runs it)"),
                &[&format!("docker start {c}")],
            )),
            (None, true) => fix.push(step(format!("Start {server}"), &[&start(ctx, &server)])),
            (None, false) => fix.push(step(
                "Then start the server whose bind failed again (its unit or container)",
                &[],
            )),
        }
    }
    let mut verify = Vec::new();
    if !ports.is_empty() {
        let holder = match container(ctx) {
            Some(c) => format!("docker-proxy (container {c})"),
            None => server.clone(),
        };
        verify.push(format!(
            "{}   # {holder} should hold it now",
            ss_ports(&ports)
        ));
    }
    if let Some(h) = &ctx.host {
        verify.push(format!(
            "curl -sS -o /dev/null -w '%{{http_code}}\\n' https://{h}/"
        ));
    }
    Plan { fix, verify }
}

pub fn listen_on_needed_ports(ctx: &FixCtx<'_>, id: FindingId) -> Plan {
    if id == FindingId::TlsPortMismatch {
        if let Some(plan) = plain_https_config_fix(ctx) {
            return plan;
        }
    }
    let roles = &ctx.diagnosis.roles;
    let role = roles.server.as_ref();
    let server = web_server(ctx);
    let kind = role.map_or(ServerKind::Nginx, |r| r.kind);
    let listed = !ctx.facts.listeners.is_empty();
    let serves = |port: u16| {
        ctx.facts
            .listeners
            .iter()
            .flat_map(|l| l.facts.listeners.iter())
            .any(|l| l.port == port && l.proto == "tcp" && !l.loopback)
    };
    let missing: Vec<u16> = ctx
        .ports
        .iter()
        .copied()
        .filter(|p| !listed || !serves(*p))
        .collect();
    let refused = refused_ports(ctx);
    let nothing_serves = (listed && !ctx.ports.iter().any(|p| serves(*p))) || !refused.is_empty();
    // The ports shown dead: every needed one from a listener list, the
    // refused ones from probes.
    let dead = if listed || refused.is_empty() {
        ctx.ports.clone()
    } else {
        refused
    };
    let down = role.is_some_and(|r| r.state == ServerState::Failed);
    let mut fix = Vec::new();
    // With no web server answering at all, the first step is to start the
    // one this host uses; a listen directive comes after.
    if down || nothing_serves {
        fix.push(match (role, container(ctx)) {
            (_, Some(c)) => step(
                format!("Nothing answers on {}: start container {c} (and read its log if it stops again)", crate::diagnose::ports_text(&dead)),
                &[&format!("docker start {c} && docker logs --tail 20 {c}")],
            ),
            (Some(_), None) => step(
                format!("Nothing answers on {}: start {server} first, the web server this host uses", crate::diagnose::ports_text(&dead)),
                &[&start(ctx, &server)],
            ),
            (None, None) => step(
                format!("Nothing answers on {}: find the web server this site uses and start it", crate::diagnose::ports_text(&dead)),
                &[
                    "systemctl list-unit-files --type=service | grep -Ei 'nginx|apache2|httpd|caddy|lsws|lshttpd|haproxy|traefik'",
                    "docker ps -a 2>/dev/null",
                ],
            ),
        });
    }
    let started = !fix.is_empty();
    let then = |port: u16| {
        if started {
            format!("If nothing listens on {port} once it runs, ")
        } else {
            String::new()
        }
    };
    let https = missing.contains(&443);
    // With the SSL mode unknown both ports are checked; port 80 gets its own
    // step only when HTTPS is served or not used (Flexible).
    let http = missing.contains(&80) && (!ctx.ports.contains(&443) || (listed && serves(443)));
    if let Some(c) = container(ctx) {
        let mut ports = Vec::new();
        if https {
            ports.push(443);
        }
        if http {
            ports.push(80);
        }
        if !ports.is_empty() {
            let flags: Vec<String> = ports.iter().map(|p| format!("-p {p}:{p}")).collect();
            let yaml: Vec<String> = ports.iter().map(|p| format!("\"{p}:{p}\"")).collect();
            fix.push(step(
                lead(&then(ports.first().copied().unwrap_or(443)), &format!("publish {} of container {c} on the host (`{}` with docker run, or {} under its `ports:` in the compose file), then recreate it", crate::diagnose::ports_text(&ports), flags.join(" "), yaml.join(" and "))),
                &["docker compose up -d"],
            ));
        }
    } else {
        if https {
            fix.extend(https_steps(ctx, kind, &server, &then(443)));
        }
        if http {
            fix.push(http_step(kind, &server, &then(80)));
        }
        fix.push(apply_step(ctx, kind, &server));
    }
    if id == FindingId::TlsPortMismatch {
        fix.extend(ssl_mode_alternative(ctx));
    }
    Plan {
        fix,
        verify: verify_http(ctx),
    }
}

/// The needed ports on which probes to the origin over IPv4 (or an unshown
/// family) were refused, when no probe got an answer on any needed port:
/// nothing answers there at all, so the first step is to start the web
/// server, not to add a listen directive to one. Empty otherwise.
fn refused_ports(ctx: &FixCtx<'_>) -> Vec<u16> {
    use crate::parse::probes::ProbeResult;
    let cf = ctx.options.ranges.set();
    let probes: Vec<&crate::parse::probes::Probe> = ctx
        .facts
        .probes
        .iter()
        .flat_map(|s| s.facts.probes.iter())
        .filter(|p| p.port.is_some_and(|port| ctx.ports.contains(&port)))
        .filter(|p| {
            let addr = p.addr.or_else(|| {
                p.host
                    .as_deref()
                    .and_then(|h| h.trim_matches(['[', ']']).parse().ok())
            });
            addr.is_none_or(|a| !a.is_ipv6() && !cf.contains(a))
        })
        .collect();
    let answered = probes.iter().any(|p| {
        matches!(
            p.result,
            ProbeResult::Connected
                | ProbeResult::HttpStatus { .. }
                | ProbeResult::TlsError { .. }
                | ProbeResult::EmptyReply
                | ProbeResult::Reset
        )
    });
    if answered {
        return Vec::new();
    }
    let refused: Vec<u16> = ctx
        .ports
        .iter()
        .copied()
        .filter(|&port| {
            probes
                .iter()
                .any(|p| p.port == Some(port) && p.result == ProbeResult::Refused)
        })
        .collect();
    // 443 alone refused is HTTPS missing beside a server that may well run
    // on 80; plain HTTP refused too means no web server answers at all.
    if refused.contains(&80) || refused == ctx.ports {
        refused
    } else {
        Vec::new()
    }
}

/// Changing the SSL mode instead: worth offering when the mode is
/// Flexible or unknown (Full (strict) is the better mode); with Full or
/// Full (strict) it would mean a weaker mode, so the origin gets fixed.
fn ssl_mode_alternative(ctx: &FixCtx<'_>) -> Option<FixStep> {
    use crate::options::SslMode;
    let full = matches!(ctx.diagnosis.ssl_mode, SslMode::Full | SslMode::Strict);
    (!full).then(|| step(
        "Or make Cloudflare's SSL mode match what the origin serves (SSL/TLS > Overview); prefer Full (strict) with an Origin CA certificate over Flexible",
        &[],
    ))
}

/// `then` (a condition such as "If it still does not listen: ") before a
/// step's text, which starts the sentence when there is none.
fn lead(then: &str, text: &str) -> String {
    if !then.is_empty() {
        return format!("{then}{text}");
    }
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const ORIGIN_CERT_STEP: &str = "sudo mkdir -p /etc/ssl/cloudflare && sudo nano /etc/ssl/cloudflare/origin.pem /etc/ssl/cloudflare/origin.key";

/// Serve HTTPS on 443 with the server the case shows.
fn https_steps(ctx: &FixCtx<'_>, kind: ServerKind, server: &str, then: &str) -> Vec<FixStep> {
    let cert = step(
        lead(then, "serve HTTPS on 443: create a Cloudflare Origin CA certificate (SSL/TLS > Origin Server) and save it on the origin"),
        &[ORIGIN_CERT_STEP],
    );
    let host = ctx.host.as_deref().unwrap_or("www.example.com");
    match kind {
        ServerKind::Nginx => vec![
            cert,
            FixStep {
                title: format!("Add a 443 listener to the site's {server} configuration"),
                commands: vec!["server {\n    listen 443 ssl;\n    listen [::]:443 ssl;\n    ssl_certificate     /etc/ssl/cloudflare/origin.pem;\n    ssl_certificate_key /etc/ssl/cloudflare/origin.key;\n    # ... your existing server_name / root / locations ...\n}".into()],
            },
        ],
        ServerKind::Apache => {
            let enable = if (server == "httpd" || ctx.diagnosis.roles.rhel)
                && !uses_systemd(ctx.facts)
            {
                // CentOS 6 and older have no dnf.
                "sudo yum install -y mod_ssl   # adds Listen 443 and /etc/httpd/conf.d/ssl.conf"
            } else if server == "httpd" || ctx.diagnosis.roles.rhel {
                "sudo dnf install -y mod_ssl   # adds Listen 443 and /etc/httpd/conf.d/ssl.conf"
            } else {
                "sudo a2enmod ssl && sudo a2ensite default-ssl   # Listen 443 comes with mod_ssl"
            };
            vec![
                cert,
                step(format!("Turn on TLS in {server}"), &[enable]),
                FixStep {
                    title: "Give the site a 443 virtual host with that certificate".into(),
                    commands: vec!["<VirtualHost *:443>\n    SSLEngine on\n    SSLCertificateFile /etc/ssl/cloudflare/origin.pem\n    SSLCertificateKeyFile /etc/ssl/cloudflare/origin.key\n    # ... your existing ServerName / DocumentRoot ...\n</VirtualHost>".into()],
                },
            ]
        }
        ServerKind::Caddy => vec![
            cert,
            FixStep {
                title: "In /etc/caddy/Caddyfile, name the site by its domain (not `:80` or `http://`) so Caddy serves HTTPS on 443, with the Origin CA certificate".into(),
                commands: vec![format!("{host} {{\n    tls /etc/ssl/cloudflare/origin.pem /etc/ssl/cloudflare/origin.key\n    # ... your existing directives ...\n}}")],
            },
        ],
        ServerKind::Litespeed => vec![
            cert,
            step(
                "In LiteSpeed WebAdmin (https://SERVER-IP:7080) > Listeners, add a listener on port 443 with Secure: Yes and that certificate and key, and map the site's virtual host to it",
                &[],
            ),
        ],
        ServerKind::Other => vec![
            cert,
            step(format!("Make {server} accept HTTPS on port 443 with that certificate"), &[]),
        ],
    }
}

/// Serve plain HTTP on 80 (Flexible mode) with the server the case shows.
fn http_step(kind: ServerKind, server: &str, then: &str) -> FixStep {
    let title = match kind {
        ServerKind::Nginx => lead(then, "add `listen 80;` (and `listen [::]:80;`) to the site's server block"),
        ServerKind::Apache => lead(then, &format!("make {server} listen on 80 (`Listen 80`) with a `<VirtualHost *:80>` for the site")),
        ServerKind::Caddy => lead(then, "Caddy serves port 80 only to redirect: name the site `http://HOST` for plain HTTP, or better switch Cloudflare to Full (strict)"),
        ServerKind::Litespeed => lead(then, "in LiteSpeed WebAdmin > Listeners, add a listener on port 80 and map the site's virtual host to it"),
        ServerKind::Other => lead(then, &format!("make {server} accept plain HTTP on port 80")),
    };
    step(title, &[])
}

/// Test the configuration and apply it, the way the server does.
fn apply_step(ctx: &FixCtx<'_>, kind: ServerKind, server: &str) -> FixStep {
    match kind {
        ServerKind::Litespeed => step("Apply it", &["sudo /usr/local/lsws/bin/lswsctrl restart"]),
        // reload-or-restart also starts a server that is not running.
        _ if uses_systemd(ctx.facts) => step(
            "Test and apply",
            &[&config_test(ctx, server), &reload_or_restart(ctx, server)],
        ),
        _ => step(
            "Test and reload",
            &[&config_test(ctx, server), &reload(ctx, server)],
        ),
    }
}

/// nginx listens of pasted configuration that serve a Cloudflare HTTPS port
/// the case needs without TLS (`listen 443;`): add `ssl` at their file and
/// line. The certificate step is skipped when the paste shows one.
fn plain_https_config_fix(ctx: &FixCtx<'_>) -> Option<Plan> {
    use crate::parse::webconfig::Server;
    let configs = || ctx.facts.webconfig.iter().map(|s| &s.facts);
    let plain: Vec<_> = configs()
        .flat_map(|c| c.listens.iter())
        .filter(|l| {
            l.server == Server::Nginx
                && l.binds
                && l.tls == Some(false)
                && crate::cloudflare::HTTPS_PORTS.contains(&l.port)
                && ctx.ports.contains(&l.port)
        })
        .collect();
    if plain.is_empty() {
        return None;
    }
    let has_certificate =
        configs().any(|c| c.certificates.iter().any(|n| n.server == Server::Nginx));
    let mut fix = Vec::new();
    if !has_certificate {
        fix.push(step(
            "Get a certificate first: a Cloudflare Origin CA certificate (SSL/TLS > Origin Server), saved on the origin",
            &["sudo mkdir -p /etc/ssl/cloudflare && sudo nano /etc/ssl/cloudflare/origin.pem /etc/ssl/cloudflare/origin.key"],
        ));
    }
    for l in &plain {
        // `listen 443;` -> `listen 443 ssl;`: ssl goes before the first `;`.
        let (title, commands) = match (&l.file, l.file_line) {
            (Some(file), Some(n)) => (
                format!("Turn TLS on for port {} at {file} line {n} (`listen … ssl;`)", l.port),
                vec![format!("sudo sed -i '{n}s/\\(listen[^;]*\\);/\\1 ssl;/' {file}")],
            ),
            _ => (
                format!("Turn TLS on for port {}: in the server block of pasted line {}, write `ssl` into the listen directive (`listen {} ssl;`)", l.port, l.line, l.port),
                Vec::new(),
            ),
        };
        fix.push(FixStep { title, commands });
    }
    if !has_certificate {
        fix.push(FixStep {
            title: "In the same server block, name the certificate (add these two lines)".into(),
            commands: vec!["ssl_certificate     /etc/ssl/cloudflare/origin.pem;\nssl_certificate_key /etc/ssl/cloudflare/origin.key;".into()],
        });
    }
    fix.push(step(
        "Test and reload",
        &[&format!(
            "{} && {}",
            config_test(ctx, "nginx"),
            reload(ctx, "nginx")
        )],
    ));
    if let Some(s) = ssl_mode_alternative(ctx) {
        fix.push(s);
    }
    Some(Plan {
        fix,
        verify: verify_http(ctx),
    })
}

/// `127\.0\.0\.1` / `\[::1\]`: an address as a sed pattern.
fn sed_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '.' | '[' | ']' | '*' | '/' | '\\' | '^' | '$' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// The loopback listens of pasted configuration on the needed ports, as
/// edits at their file and line when the paste named them.
fn loopback_config_fix(ctx: &FixCtx<'_>) -> Option<Plan> {
    use crate::parse::webconfig::Server;
    let loopback: Vec<_> = ctx
        .facts
        .webconfig
        .iter()
        .flat_map(|s| s.facts.listens.iter())
        .filter(|l| l.binds && l.loopback() && ctx.ports.contains(&l.port))
        .collect();
    let first = loopback.first()?;
    let server = first.server;
    let mut fix = Vec::new();
    for l in &loopback {
        let Some(addr) = l.addr else { continue };
        let written = match addr {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            std::net::IpAddr::V4(a) => a.to_string(),
        };
        // Keep the port, drop the address: `listen 80;` / `Listen 80`, and
        // `[::]:80` for an IPv6 loopback.
        let any = if addr.is_ipv6() { "[::]:" } else { "" };
        let from = format!("{}:{}", sed_escape(&written), l.port);
        let to = format!("{}{}", sed_escape(any), l.port);
        let (what, cmds) = match (&l.file, l.file_line) {
            (Some(file), Some(n)) => (
                format!("{file} line {n}"),
                vec![format!("sudo sed -i '{n}s/{from}/{to}/' {file}")],
            ),
            (Some(file), None) => (
                file.clone(),
                vec![format!("sudo grep -n '{from}' {file}   # then edit that line")],
            ),
            _ => (
                format!("the file with pasted line {}", l.line),
                vec![format!("sudo grep -rn '{from}' /etc/nginx /etc/apache2 /etc/httpd /etc/caddy 2>/dev/null")],
            ),
        };
        let example = match server {
            Server::Apache => format!("Listen {}{}", any, l.port),
            Server::Caddy => "remove the `bind` line".to_string(),
            _ => format!("listen {}{};", any, l.port),
        };
        fix.push(FixStep {
            title: format!("In {what}: listen on every address instead of {written} ({example})"),
            commands: cmds,
        });
    }
    let has_v6_any = ctx
        .facts
        .webconfig
        .iter()
        .flat_map(|s| s.facts.listens.iter())
        .any(|l| l.addr.is_some_and(|a| a.is_ipv6() && !a.is_loopback()));
    if server == Server::Nginx && !has_v6_any {
        fix.push(step(
            "For IPv6 visitors (an AAAA record), add `listen [::]:PORT;` next to each `listen PORT;`",
            &[],
        ));
    }
    let (test, reload) = match server {
        Server::Apache => {
            let unit = if distro(ctx.facts) == Distro::Rhel {
                "httpd"
            } else {
                "apache2"
            };
            ("sudo apachectl configtest".to_string(), restart(ctx, unit))
        }
        Server::Caddy => (
            "sudo caddy validate --config /etc/caddy/Caddyfile".to_string(),
            reload(ctx, "caddy"),
        ),
        Server::Litespeed => (
            "sudo /usr/local/lsws/bin/lswsctrl status".to_string(),
            "sudo /usr/local/lsws/bin/lswsctrl restart".to_string(),
        ),
        // A reload cannot bind *:80 while the old 127.0.0.1:80 socket is
        // open: a changed listen address needs a restart.
        Server::Nginx => ("sudo nginx -t".to_string(), restart(ctx, "nginx")),
    };
    fix.push(FixStep {
        title: "Test the configuration, then apply it".into(),
        commands: vec![format!("{test} && {reload}")],
    });
    Some(Plan {
        fix,
        verify: verify_http(ctx),
    })
}

pub fn loopback_only(ctx: &FixCtx<'_>) -> Plan {
    if let Some(plan) = loopback_config_fix(ctx) {
        return plan;
    }
    let server = web_server(ctx);
    // The needed ports that only a loopback address serves.
    let mut ports: Vec<u16> = ctx
        .facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .filter(|l| l.proto == "tcp" && l.loopback && ctx.ports.contains(&l.port))
        .map(|l| l.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    let p = ports.first().copied().unwrap_or(80);
    let (title, find) = match (container(ctx), ServerKind::of(&server)) {
        (Some(c), _) => (
            format!("Container {c} is published on 127.0.0.1 only: publish it on every address (`-p {p}:{p}` instead of `-p 127.0.0.1:{p}:{p}`, and the same under `ports:` in the compose file), then recreate it"),
            "docker compose up -d".to_string(),
        ),
        (None, Some(ServerKind::Apache)) => (
            format!("Make {server} listen on all addresses: change `Listen 127.0.0.1:{p}` to `Listen {p}`"),
            "sudo grep -rnE '^\\s*Listen\\s+(127\\.0\\.0\\.1|\\[::1\\])' /etc/apache2 /etc/httpd 2>/dev/null".to_string(),
        ),
        (None, Some(ServerKind::Caddy)) => (
            "Make Caddy listen on all addresses: remove the `bind 127.0.0.1` (or `bind localhost`) line from the site".to_string(),
            "sudo grep -n bind /etc/caddy/Caddyfile".to_string(),
        ),
        (None, Some(ServerKind::Litespeed)) => (
            "In LiteSpeed WebAdmin > Listeners, set the listener's IP Address to ANY instead of 127.0.0.1".to_string(),
            "sudo grep -n -A3 '^listener' /usr/local/lsws/conf/httpd_config.conf".to_string(),
        ),
        _ => (
            format!("Make {server} listen on all addresses: change `listen 127.0.0.1:{p};` to `listen {p};` (and `listen [::1]:{p};` to `listen [::]:{p};`)"),
            format!("sudo grep -rnE 'listen\\s+(127\\.0\\.0\\.1|\\[::1\\]|localhost):{p}' /etc/nginx 2>/dev/null"),
        ),
    };
    let mut fix = vec![step(title, &[&find])];
    if container(ctx).is_none() {
        let apply = match ServerKind::of(&server) {
            Some(ServerKind::Litespeed) => "sudo /usr/local/lsws/bin/lswsctrl restart".to_string(),
            _ => restart(ctx, &server),
        };
        fix.push(step(
            "Test and restart (a changed listen address needs a restart)",
            &[&config_test(ctx, &server), &apply],
        ));
    }
    Plan {
        fix,
        verify: verify_http(ctx),
    }
}

/// Which resource ran out, read from the facts the finding quoted.
#[derive(Default)]
struct Ran {
    memory: bool,
    killed: Vec<String>,
    fds: bool,
    slots: bool,
    cpu: bool,
}

fn what_ran_out(facts: &Facts) -> Ran {
    use crate::parse::resources::Pressure;
    let mut r = Ran::default();
    let kill = |p: Option<String>, r: &mut Ran| {
        r.memory = true;
        if let Some(p) = p {
            if !r.killed.contains(&p) {
                r.killed.push(p);
            }
        }
    };
    for res in &facts.resources {
        for p in res.facts.pressure() {
            match p {
                Pressure::OomKill { process, .. } => kill(process, &mut r),
                Pressure::LowMemory { .. } | Pressure::SwapExhausted { .. } => r.memory = true,
                Pressure::FdExhaustion { .. } => r.fds = true,
                Pressure::WorkerConnections { .. } => r.slots = true,
                Pressure::CpuSaturated { .. } | Pressure::HighLoad { .. } => r.cpu = true,
                Pressure::LowNofile { .. } => {}
            }
        }
    }
    for e in facts.services.iter().flat_map(|s| s.facts.events.iter()) {
        match &e.kind {
            EventKind::OomKill { process } => kill(process.clone(), &mut r),
            EventKind::TooManyOpenFiles => r.fds = true,
            EventKind::WorkerConnectionsExhausted => r.slots = true,
            _ => {}
        }
    }
    for s in facts.services.iter().flat_map(|s| s.facts.services.iter()) {
        if s.result.as_deref() == Some("oom-kill") {
            kill(Some(s.name.clone()), &mut r);
        }
    }
    r
}

/// The unit of a process the OOM killer named: Debian's `php-fpm8.2`
/// runs as `php8.2-fpm`.
fn unit_of_killed(process: &str) -> Option<String> {
    if let Some(v) = process.strip_prefix("php-fpm") {
        return Some(if v.is_empty() {
            "php-fpm".to_string()
        } else {
            format!("php{v}-fpm")
        });
    }
    crate::diagnose::roles::unit_of_process(process).or_else(|| {
        crate::parse::services::is_web_server_name(process).then(|| process.to_string())
    })
}

/// The container a killed program ran in: the server's own, or the one
/// its OOM kill line names (`task_memcg=/system.slice/docker-ID.scope`).
fn killed_in_container(ctx: &FixCtx<'_>, unit: &str) -> Option<String> {
    if let Some(c) = in_container(ctx, unit) {
        return Some(c.to_string());
    }
    let id = ctx
        .facts
        .resources
        .iter()
        .flat_map(|r| r.facts.oom.iter())
        .filter(|o| {
            o.process
                .as_deref()
                .is_some_and(|p| unit_of_killed(p).as_deref() == Some(unit))
        })
        .find_map(|o| o.container.clone())?;
    Some(if id.is_empty() {
        crate::diagnose::roles::UNNAMED_CONTAINER.to_string()
    } else {
        id
    })
}

pub fn overloaded(ctx: &FixCtx<'_>) -> Plan {
    let server = web_server(ctx);
    let ran = what_ran_out(ctx.facts);
    let mut fix = Vec::new();
    let mut verify = Vec::new();
    if ran.memory {
        fix.push(step(
            "Memory ran out: see which processes use it",
            &["ps aux --sort=-%mem | head -n 15"],
        ));
        if let Some(php) = ran.killed.iter().find(|k| k.starts_with("php-fpm")) {
            fix.push(FixStep {
                title: format!("The OOM killer picked {php}: lower pm.max_children so all its children fit in memory (free MB divided by the MB one child uses)"),
                commands: vec![
                    format!("ps -C {php} -o rss= | awk '{{s+=$1}} END {{if (NR) print s/NR/1024 \" MB per child\"}}'"),
                    "sudo grep -rn '^pm.max_children' /etc/php/*/fpm/pool.d/ /etc/php-fpm.d/ 2>/dev/null".into(),
                ],
            });
        }
        fix.push(step(
            "Add swap so short peaks do not trigger the OOM killer, and keep it after a reboot",
            &[
                "sudo fallocate -l 2G /swapfile && sudo chmod 600 /swapfile && sudo mkswap /swapfile && sudo swapon /swapfile",
                "echo '/swapfile none swap sw 0 0' | sudo tee -a /etc/fstab",
            ],
        ));
        let mut units: Vec<String> = ran
            .killed
            .iter()
            .filter_map(|k| unit_of_killed(k))
            .collect();
        units.dedup();
        // The report names the task that asked for memory, not always the
        // one killed: then say so instead of claiming the server was stopped.
        let title = if units.is_empty() {
            units.push(server.clone());
            format!("Restart {server} if it is not running (the paste does not show which process the OOM killer killed)")
        } else {
            format!(
                "Start again what the OOM killer stopped ({})",
                units.join(", ")
            )
        };
        // A server killed inside its container restarts with the container.
        let (boxed, host): (Vec<String>, Vec<String>) = units
            .into_iter()
            .partition(|u| killed_in_container(ctx, u).is_some());
        let mut commands: Vec<String> = boxed
            .iter()
            .filter_map(|u| killed_in_container(ctx, u))
            .map(|c| format!("docker restart {c}"))
            .collect();
        if !host.is_empty() {
            commands.push(format!("sudo systemctl restart {}", host.join(" ")));
        }
        fix.push(FixStep { title, commands });
        verify
            .push("free -m; sudo dmesg -T | grep -ci 'out of memory'   # no new kills".to_string());
    }
    if ran.fds {
        let mut commands = vec![format!(
            "sudo systemctl edit {server}   # add: [Service] LimitNOFILE=65535"
        )];
        commands.push(format!("sudo systemctl restart {server}"));
        let nginx = if ServerKind::of(&server) == Some(ServerKind::Nginx) {
            " (and for nginx's workers, `worker_rlimit_nofile 65535;` at the top level of nginx.conf)"
        } else {
            ""
        };
        fix.push(FixStep {
            title: format!("File descriptors ran out: raise {server}'s open-file limit{nginx}"),
            commands,
        });
        verify.push(format!(
            "grep 'open files' /proc/$(pgrep -o -x {server})/limits"
        ));
    }
    if ran.slots {
        fix.push(step(
            "Connection slots ran out: raise worker_connections in the events block of nginx.conf (each connection needs a file descriptor, so keep it below the open-file limit), then reload",
            &[
                "sudo sed -n '/events/,/}/p' /etc/nginx/nginx.conf",
                "sudo nginx -t && sudo systemctl reload nginx",
            ],
        ));
        verify.push("sudo tail -n 200 /var/log/nginx/error.log | grep -c 'worker_connections are not enough'   # 0".to_string());
    }
    if ran.cpu {
        fix.push(step(
            "The CPU is saturated: find the process that uses it, then cache, rate-limit or scale that part",
            &["top -b -n 1 -o %CPU | head -n 20"],
        ));
        verify.push("uptime; nproc".to_string());
    }
    if fix.is_empty() {
        fix.push(step(
            format!("See what is short right now, then restart {server}"),
            &[
                "free -m; uptime; ps aux --sort=-%mem | head -n 15",
                &restart(ctx, &server),
            ],
        ));
        verify.push("free -m; uptime".to_string());
    }
    Plan { fix, verify }
}

/// Not reachable from the Internet: private, shared (CGNAT), loopback,
/// link-local, unique-local.
fn is_internal(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(a) => {
            let o = a.octets();
            a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        std::net::IpAddr::V6(a) => {
            let s = a.segments()[0];
            a.is_loopback() || (s & 0xfe00) == 0xfc00 || (s & 0xffc0) == 0xfe80
        }
    }
}

pub fn dns(ctx: &FixCtx<'_>) -> Plan {
    let roles = &ctx.diagnosis.roles;
    let cf = ctx.options.ranges.set();
    let host = ctx.host.clone().unwrap_or_else(|| "your host name".into());
    // The records that point elsewhere than this server (and not at
    // Cloudflare, whose addresses a lookup of a proxied name returns).
    let mut wrong: Vec<String> = Vec::new();
    for (name, a) in &roles.dns_targets {
        if cf.contains(*a) || roles.own_addrs.contains(a) {
            continue;
        }
        let n = if name.is_empty() {
            host.clone()
        } else {
            name.clone()
        };
        let entry = format!("{n} ({a})");
        if !wrong.contains(&entry) {
            wrong.push(entry);
        }
    }
    let names = if wrong.is_empty() {
        format!("the proxied A/AAAA records of {host}")
    } else {
        format!("the proxied records {}", wrong.join(", "))
    };
    let public: Vec<String> = roles
        .own_addrs
        .iter()
        .filter(|a| !is_internal(**a))
        .map(|a| a.to_string())
        .collect();
    let mut fix = Vec::new();
    if public.is_empty() {
        fix.push(step(
            "Find the server's real public addresses (run on the origin; behind NAT they differ from `ip addr`)",
            &["curl -4 -s https://ifconfig.me; echo", "curl -6 -s https://ifconfig.me; echo"],
        ));
        fix.push(step(
            format!("In the Cloudflare dashboard (DNS > Records), set {names} to those addresses and keep them proxied; delete records pointing at private or old addresses"),
            &[],
        ));
    } else {
        fix.push(step(
            format!("In the Cloudflare dashboard (DNS > Records), set {names} to this server's public address {} (its interface shows it in the paste) and keep them proxied; delete records pointing at private or old addresses", public.join(" / ")),
            &[],
        ));
    }
    Plan {
        fix,
        verify: vec![
            format!("dig +short {host} @1.1.1.1   # Cloudflare addresses: proxied"),
            format!("curl -sS -o /dev/null -w '%{{http_code}}\\n' https://{host}/"),
        ],
    }
}

pub fn ipv6(ctx: &FixCtx<'_>) -> Plan {
    use crate::parse::listeners::ListenAddr;
    let server = web_server(ctx);
    let listed = !ctx.facts.listeners.is_empty();
    let v6_listener = ctx
        .facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .filter(|l| l.proto == "tcp" && ctx.ports.contains(&l.port) && !l.loopback)
        .any(|l| match l.addr {
            ListenAddr::Any6 | ListenAddr::AnyBoth => true,
            ListenAddr::Specific(a) => a.is_ipv6(),
            ListenAddr::Any4 => false,
        });
    let mut fix = Vec::new();
    if !(listed && v6_listener) {
        let how = match ServerKind::of(&server) {
            Some(ServerKind::Nginx) | None => {
                "`listen [::]:443 ssl;` and `listen [::]:80;` next to the IPv4 listens"
            }
            Some(ServerKind::Apache) => {
                "`Listen 443` and `Listen 80` without an address bind both families"
            }
            Some(ServerKind::Caddy) => "remove any `bind` line that names only IPv4 addresses",
            _ => "a listener on [::]",
        };
        if seen_web_server(ctx).is_none() && !listed {
            // Nothing names the server: say how each one listens on IPv6
            // and look first, rather than reload an nginx that may not be
            // there.
            fix.push(step(
                "Make the web server listen on IPv6 too, if `ss -tlnp` shows no [::] listener on the site's ports (nginx: `listen [::]:443 ssl;` and `listen [::]:80;`; Apache: `Listen 443` and `Listen 80` without an address; Caddy: no `bind` line naming only IPv4), then test its configuration and reload it",
                &["sudo ss -tlnp | grep -E ':(80|443)\\b'"],
            ));
        } else {
            let title = if listed {
                format!("Nothing listens on IPv6: make {server} listen on IPv6 too ({how})")
            } else {
                format!(
                    "Make {server} listen on IPv6 too, if `ss -tlnp` shows no [::] listener ({how})"
                )
            };
            fix.push(step(
                title,
                &[&config_test(ctx, &server), &reload(ctx, &server)],
            ));
        }
    }
    let v6_firewall = ctx
        .facts
        .rulesets
        .iter()
        .any(|r| r.families.contains(&crate::net::Family::V6));
    if v6_firewall {
        fix.push(icmpv6_step(ctx.facts));
    }
    fix.push(step(
        "Or, if the origin has no working IPv6, delete the AAAA record in the Cloudflare dashboard",
        &[],
    ));
    // The AAAA the paste shows is the address to test.
    let cf = ctx.options.ranges.set();
    let v6 = ctx
        .diagnosis
        .roles
        .dns_targets
        .iter()
        .map(|(_, a)| *a)
        .find(|a| a.is_ipv6() && !cf.contains(*a))
        .map_or("ORIGIN-IPV6".to_string(), |a| a.to_string());
    Plan {
        fix,
        verify: vec![format!(
            "curl -6 -sS -o /dev/null -w '%{{http_code}}\\n' -k https://[{v6}]/   # from another IPv6 host"
        )],
    }
}

/// Unban the Cloudflare addresses, whitelist Cloudflare in the ban tools
/// seen, and restore the visitor's address so bans hit visitors: behind
/// Cloudflare every request comes from a Cloudflare address.
pub fn real_ip(ctx: &FixCtx<'_>) -> Plan {
    let ranges: Vec<String> = ctx
        .options
        .ranges
        .ranges
        .iter()
        .map(|r| r.to_string())
        .collect();
    let mut fix = unban_and_whitelist(ctx, &ranges);
    // Config files written by the commands themselves: a config line is
    // not a shell command.
    let seen = seen_web_server(ctx).or_else(|| server_of_jails(ctx.facts));
    let seen = seen.as_deref();
    let is_apache = matches!(seen, Some("apache2" | "httpd" | "apache"));
    if !is_apache {
        let conf: Vec<String> = ranges
            .iter()
            .map(|r| format!("set_real_ip_from {r};"))
            .chain(["real_ip_header CF-Connecting-IP;".to_string()])
            .collect();
        fix.push(FixStep {
            title: "nginx: restore the visitor address so bans and limits see visitors (/etc/nginx/conf.d/cloudflare-realip.conf)".into(),
            commands: vec![
                format!(
                    "sudo tee /etc/nginx/conf.d/cloudflare-realip.conf >/dev/null <<'CONF'\n{}\nCONF",
                    conf.join("\n")
                ),
                format!("sudo nginx -t && {}", reload(ctx, "nginx")),
            ],
        });
    }
    if is_apache || seen != Some("nginx") {
        let trusted = format!(
            "RemoteIPHeader CF-Connecting-IP\nRemoteIPTrustedProxy {}",
            ranges.join(" ")
        );
        // Red Hat's httpd loads mod_remoteip by default and reads conf.d.
        let commands = if seen == Some("httpd") {
            vec![
                format!("sudo tee /etc/httpd/conf.d/cloudflare-remoteip.conf >/dev/null <<'CONF'\n{trusted}\nCONF"),
                "sudo apachectl configtest && sudo systemctl reload httpd".into(),
            ]
        } else {
            vec![
                "sudo a2enmod remoteip".into(),
                format!("sudo tee /etc/apache2/conf-available/cloudflare-remoteip.conf >/dev/null <<'CONF'\n{trusted}\nCONF"),
                "sudo a2enconf cloudflare-remoteip && sudo apachectl configtest && sudo systemctl restart apache2".into(),
            ]
        };
        fix.push(FixStep {
            title: "Apache: restore the visitor address with mod_remoteip (and log it: use %a, not %h, in LogFormat)".into(),
            commands,
        });
    }
    let log = if is_apache {
        if seen == Some("httpd") {
            "/var/log/httpd/access_log"
        } else {
            "/var/log/apache2/access.log"
        }
    } else {
        "/var/log/nginx/access.log"
    };
    Plan {
        fix,
        verify: vec![format!(
            "sudo tail -n 5 {log}   # visitor addresses, not Cloudflare's"
        )],
    }
}

/// The web server the ban jails watch, when their names say so and agree:
/// fail2ban's `nginx-limit-req`, `nginxrepeatoffender` or `apache-auth`
/// read that server's logs, so it is the one that must log visitors.
fn server_of_jails(facts: &Facts) -> Option<String> {
    let mut found: Option<&str> = None;
    let names = facts.bans.iter().flat_map(|b| {
        b.facts
            .bans
            .iter()
            .map(|x| x.list.as_str())
            .chain(b.facts.listings.iter().map(|l| l.list.as_str()))
            .chain(b.facts.ignore.iter().map(|i| i.jail.as_str()))
    });
    for name in names {
        let name = name.to_ascii_lowercase();
        let server = if name.starts_with("nginx") {
            "nginx"
        } else if name.starts_with("apache") {
            "apache"
        } else {
            continue;
        };
        if found.is_some_and(|f| f != server) {
            return None;
        }
        found = Some(server);
    }
    // No jail named for a server: the logs the jails watch may say.
    found
        .or_else(
            || match crate::diagnose::roles::server_of_watched_logs(facts)? {
                ServerKind::Nginx => Some("nginx"),
                ServerKind::Apache => Some("apache"),
                _ => None,
            },
        )
        .map(str::to_string)
}

/// Commands that lift the bans on Cloudflare addresses and whitelist
/// Cloudflare in the ban tools the case showed.
fn unban_and_whitelist(ctx: &FixCtx<'_>, ranges: &[String]) -> Vec<FixStep> {
    use crate::parse::bans::{cloudflare_hits, HitKind};
    let bare = |r: &crate::net::AddrRange| {
        let s = r.to_string();
        s.trim_end_matches("/32")
            .trim_end_matches("/128")
            .to_string()
    };
    let mut unban: Vec<String> = Vec::new();
    let mut push = |cmd: String| {
        if !unban.contains(&cmd) {
            unban.push(cmd);
        }
    };
    for b in &ctx.facts.bans {
        for h in cloudflare_hits(&b.facts, &ctx.options.ranges) {
            if h.kind != HitKind::Ban || h.active == Some(false) {
                continue;
            }
            for r in h.overlap.ranges() {
                let addr = bare(r);
                match h.tool.as_str() {
                    "fail2ban" if !h.list.is_empty() => push(format!(
                        "sudo fail2ban-client set {} unbanip {addr}",
                        h.list
                    )),
                    "fail2ban" => push(format!("sudo fail2ban-client unban {addr}")),
                    "ipset" if !h.list.is_empty() => {
                        push(format!("sudo ipset del {} {addr}", h.list))
                    }
                    "crowdsec" => push(format!("sudo cscli decisions delete --ip {addr}")),
                    "imunify360" => push(format!(
                        "sudo imunify360-agent {} ip delete {addr}",
                        if h.list == "graylist" {
                            "graylist"
                        } else {
                            "blacklist"
                        }
                    )),
                    "bitninja" => push(format!("sudo bitninjacli --blacklist --del={addr}")),
                    "cphulk" => push(format!(
                        "sudo whmapi1 delete_cphulk_record list_name=black ip={addr}"
                    )),
                    _ => {}
                }
            }
        }
    }
    let cf = ctx.options.ranges.set();
    for c in &ctx.facts.csf {
        for d in c.facts.denies.iter().filter_map(|d| d.addrs.as_ref()) {
            for r in d.intersect(&cf).ranges() {
                push(format!("sudo csf -dr {}", bare(r)));
            }
        }
        for t in c.facts.temp.iter().filter(|t| !t.allow) {
            for r in t.addrs.intersect(&cf).ranges() {
                push(format!("sudo csf -tr {}", bare(r)));
            }
        }
    }
    let mut fix = Vec::new();
    if !unban.is_empty() {
        fix.push(FixStep {
            title: "Lift the bans on Cloudflare addresses".into(),
            commands: unban,
        });
    }
    if !ctx.facts.csf.is_empty() {
        fix.push(FixStep {
            title: "Keep LFD from blocking Cloudflare again: add its ranges to /etc/csf/csf.ignore, then restart csf and lfd".into(),
            commands: vec![
                format!("printf '%s # Cloudflare\\n' {} | sudo tee -a /etc/csf/csf.ignore >/dev/null", ranges.join(" ")),
                "sudo csf -ra".into(),
            ],
        });
    }
    // Each ban tool the case showed gets its own never-ban list.
    let shown = |tool: &str| {
        ctx.facts.bans.iter().any(|b| {
            b.facts.bans.iter().any(|x| x.tool == tool)
                || b.facts.listings.iter().any(|l| l.tool == tool)
                || (tool == "fail2ban" && (!b.facts.jails.is_empty() || !b.facts.ignore.is_empty()))
        })
    };
    if shown("fail2ban") {
        fix.push(FixStep {
            title: "Keep fail2ban from banning Cloudflare again: set ignoreip in the [DEFAULT] section of /etc/fail2ban/jail.local, then reload".into(),
            commands: vec![format!("ignoreip = 127.0.0.1/8 ::1 {}", ranges.join(" ")), "sudo fail2ban-client reload".into()],
        });
    }
    if shown("crowdsec") {
        let cidrs: Vec<String> = ranges.iter().map(|r| format!("    - \"{r}\"")).collect();
        fix.push(FixStep {
            title: "Keep CrowdSec from banning Cloudflare again: a whitelist parser for its ranges, then reload".into(),
            commands: vec![
                format!("sudo tee /etc/crowdsec/parsers/s02-enrich/cloudflare-whitelist.yaml >/dev/null <<'YAML'\nname: local/cloudflare-whitelist\ndescription: \"Never ban Cloudflare's proxies\"\nwhitelist:\n  reason: \"Cloudflare\"\n  cidr:\n{}\nYAML", cidrs.join("\n")),
                "sudo systemctl reload crowdsec".into(),
            ],
        });
    }
    if shown("imunify360") {
        fix.push(FixStep {
            title: "Keep Imunify360 from blocking Cloudflare again: add its ranges to the white list".into(),
            commands: vec![format!("for net in {}; do sudo imunify360-agent whitelist ip add \"$net\" --comment Cloudflare; done", ranges.join(" "))],
        });
    }
    if shown("bitninja") {
        fix.push(FixStep {
            title: "Keep BitNinja from blocking Cloudflare again: add its ranges to the whitelist"
                .into(),
            commands: vec![format!(
                "for net in {}; do sudo bitninjacli --whitelist --add=\"$net\"; done",
                ranges.join(" ")
            )],
        });
    }
    if shown("cphulk") {
        fix.push(FixStep {
            title: "Keep cPHulk from blocking Cloudflare again: add its ranges to cPHulk's white list".into(),
            commands: vec![format!("for net in {}; do sudo whmapi1 create_cphulk_record list_name=white ip=\"$net\"; done", ranges.join(" "))],
        });
    }
    fix
}

/// Let neighbour discovery (and packet-too-big, for path MTU) through the
/// IPv6 firewall, with the tool the case showed; only those ICMPv6 types.
fn icmpv6_step(facts: &Facts) -> FixStep {
    let nft = facts.rulesets.iter().any(|r| {
        r.dialect == crate::firewall::model::Dialect::Nftables
            && r.families.contains(&crate::net::Family::V6)
    });
    let commands = if nft {
        vec!["sudo nft insert rule inet filter input icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, packet-too-big } accept".to_string()]
    } else {
        [
            "neighbour-solicitation",
            "neighbour-advertisement",
            "router-solicitation",
            "router-advertisement",
            "packet-too-big",
        ]
        .iter()
        .map(|t| format!("sudo ip6tables -I INPUT 1 -p ipv6-icmp --icmpv6-type {t} -j ACCEPT"))
        // `ip6tables -I` lasts until the next reboot: save it as the
        // distribution does.
        .chain([match distro(facts) {
            Distro::Rhel => "sudo service ip6tables save".to_string(),
            _ => "sudo apt-get install -y iptables-persistent && sudo netfilter-persistent save"
                .to_string(),
        }])
        .collect()
    };
    FixStep {
        title: "Let ICMPv6 neighbour discovery through the IPv6 firewall (without it the host is unreachable over IPv6)".into(),
        commands,
    }
}

#[cfg(test)]
mod tests {
    use super::conf_dirs;
    use crate::diagnose::FindingId;
    use crate::options::Options;
    use crate::parse::CaseInput;

    #[test]
    fn a_named_server_greps_only_its_own_config() {
        assert_eq!(conf_dirs(Some("apache2")), "/etc/apache2");
        assert_eq!(conf_dirs(Some("httpd")), "/etc/httpd");
        assert_eq!(conf_dirs(Some("apache")), "/etc/apache2 /etc/httpd");
        assert!(conf_dirs(None).contains("/etc/nginx") && conf_dirs(None).contains("/etc/caddy"));
    }

    #[test]
    fn a_debian_apache_missing_certificate_fix_stays_in_etc_apache2() {
        let paste = "* Starting Apache httpd web server apache2
AH00526: Syntax error on line 33 of /etc/apache2/sites-enabled/default-ssl.conf:
SSLCertificateFile: file '/etc/ssl/certs/site.pem' does not exist or is empty
Action 'start' failed.
";
        let fix = fix_of(paste, FindingId::ConfigError);
        assert!(fix.iter().any(|c| c.contains("/etc/apache2")), "{fix:?}");
        assert!(!fix.iter().any(|c| c.contains("/etc/httpd")), "{fix:?}");
    }

    /// The fix commands of the findings `keep` selects.
    fn fix_commands(paste: &str, keep: impl Fn(FindingId) -> bool) -> Vec<String> {
        let report = crate::analyze(&[CaseInput::new("t.txt", paste)], &Options::default());
        report
            .findings
            .iter()
            .filter(|f| keep(f.id))
            .flat_map(|f| f.fix.iter().flat_map(|s| s.commands.clone()))
            .collect()
    }

    /// Every fix command of every finding.
    fn all_fix(paste: &str) -> Vec<String> {
        fix_commands(paste, |_| true)
    }

    /// The fix commands of finding `id`.
    fn fix_of(paste: &str, id: FindingId) -> Vec<String> {
        fix_commands(paste, |f| f == id)
    }

    #[test]
    fn a_stated_centos_6_starts_httpd_with_service_and_chkconfig() {
        let bind = "(99)Cannot assign requested address: make_sock: could not bind to address 40.76.89.82:80
no listening sockets available, shutting down
Unable to open logs
";
        let fix = all_fix(&format!("We are running CentOS 6.6 on Azure.\n\n{bind}"));
        assert!(
            fix.iter()
                .any(|c| c.contains("service httpd start") && c.contains("chkconfig httpd on")),
            "{fix:?}"
        );
        assert!(
            !fix.iter()
                .any(|c| c.contains("systemctl") || c.contains("apache2") || c.contains("a2en")),
            "{fix:?}"
        );
        // CentOS 7 has systemd.
        let fix = all_fix(&format!("We are running CentOS 7.9 on Azure.\n\n{bind}"));
        assert!(
            fix.iter()
                .any(|c| c.contains("systemctl enable --now httpd")),
            "{fix:?}"
        );
        assert!(!fix.iter().any(|c| c.contains("chkconfig")), "{fix:?}");
    }

    #[test]
    fn a_server_in_a_compose_container_starts_with_docker() {
        let logs = "ad-reverse-proxy_1  | (98)Address already in use: AH00072: make_sock: could not bind to address 0.0.0.0:443
ad-reverse-proxy_1  | no listening sockets available, shutting down
ad-reverse-proxy_1  | AH00015: Unable to open logs
apachekerberosldapreverseproxy_ad-reverse-proxy_1 exited with code 1
";
        let fix = all_fix(logs);
        assert!(
            fix.iter()
                .any(|c| c == "docker start apachekerberosldapreverseproxy_ad-reverse-proxy_1"),
            "{fix:?}"
        );
        assert!(!fix.iter().any(|c| c.contains("systemctl")), "{fix:?}");
        // The holder is in the container's network: its configuration.
        assert!(fix.iter().any(|c| c.starts_with("docker cp apachekerberosldapreverseproxy_ad-reverse-proxy_1:/usr/local/apache2/conf -")), "{fix:?}");
        // The same lines from the host's journal: a systemd unit.
        let host: String = logs
            .lines()
            .filter_map(|l| l.strip_prefix("ad-reverse-proxy_1  | "))
            .map(|l| format!("{l}\n"))
            .collect();
        let fix = all_fix(&host);
        assert!(
            fix.iter().any(|c| c.contains("systemctl enable --now")),
            "{fix:?}"
        );
        assert!(!fix.iter().any(|c| c.starts_with("docker")), "{fix:?}");
        assert!(
            fix.iter().any(|c| c.starts_with("sudo ss -ltnp")),
            "{fix:?}"
        );
    }

    #[test]
    fn an_oom_kill_in_a_docker_scope_restarts_the_container() {
        let kill = |memcg: &str| {
            format!("[148588.070565] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset={},mems_allowed=0,global_oom,task_memcg={memcg},task=nginx,pid=812,uid=101
[148588.070576] Out of memory: Killed process 812 (nginx) total-vm:872480kB, anon-rss:3840kB, file-rss:0kB, shmem-rss:0kB, UID:101 pgtables:2404kB oom_score_adj:0
", if memcg.contains("docker") { "docker.service" } else { "/" })
        };
        let fix = all_fix(&kill("/system.slice/docker-3f1c0a9e2b7d55aa66bb77cc88dd99ee00ff11aa22bb33cc44dd55ee66ff7788.scope"));
        assert!(
            fix.iter().any(|c| c == "docker restart 3f1c0a9e2b7d"),
            "{fix:?}"
        );
        assert!(
            !fix.iter().any(|c| c.contains("systemctl restart")),
            "{fix:?}"
        );
        let fix = all_fix(&kill("/system.slice/nginx.service"));
        assert!(
            fix.iter().any(|c| c == "sudo systemctl restart nginx"),
            "{fix:?}"
        );
        assert!(!fix.iter().any(|c| c.contains("docker")), "{fix:?}");
    }

    #[test]
    fn refused_everywhere_starts_with_finding_the_server() {
        let both = "$ curl http://203.0.113.9
curl: (7) Failed to connect to 203.0.113.9 port 80: Connection refused
$ curl https://203.0.113.9
curl: (7) Failed to connect to 203.0.113.9 port 443: Connection refused
";
        let fix = fix_of(both, FindingId::NotListening);
        assert!(
            fix.first()
                .is_some_and(|c| c.starts_with("systemctl list-unit-files")),
            "{fix:?}"
        );
        // Only 80 was tried: the step names the port shown dead.
        let http = "curl: (7) Failed to connect to localhost port 80: Connection refused\n";
        let report = crate::analyze(&[CaseInput::new("t.txt", http)], &Options::default());
        let titles: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.id == FindingId::NotListening)
            .flat_map(|f| f.fix.iter().map(|s| s.title.clone()))
            .collect();
        assert!(
            titles
                .first()
                .is_some_and(|t| t.starts_with("Nothing answers on port 80:")),
            "{titles:?}"
        );
        // Only 443 refused: HTTPS is missing, the server may run on 80.
        let https = "curl: (7) Failed to connect to 203.0.113.9 port 443: Connection refused\n";
        let fix = fix_of(https, FindingId::NotListening);
        assert!(
            !fix.is_empty()
                && !fix
                    .iter()
                    .any(|c| c.starts_with("systemctl list-unit-files")),
            "{fix:?}"
        );
        // 80 answers: the server runs, only 443 is missing.
        let one = "$ curl -I http://203.0.113.9
HTTP/1.1 200 OK
Server: nginx
$ curl https://203.0.113.9
curl: (7) Failed to connect to 203.0.113.9 port 443: Connection refused
";
        let fix = fix_of(one, FindingId::NotListening);
        assert!(
            !fix.is_empty()
                && !fix
                    .iter()
                    .any(|c| c.starts_with("systemctl list-unit-files")),
            "{fix:?}"
        );
    }

    #[test]
    fn an_unnamed_server_is_not_assumed_to_be_nginx_for_ipv6() {
        let refused = "$ curl -v https://www.example.net/
*   Trying 2001:db8::7:443...
* connect to 2001:db8::7 port 443 failed: Connection refused
* Failed to connect to www.example.net port 443: Connection refused
";
        let fix = fix_of(refused, FindingId::Ipv6OriginBroken);
        assert!(
            fix.iter().any(|c| c.starts_with("sudo ss -tlnp")),
            "{fix:?}"
        );
        assert!(!fix.iter().any(|c| c.contains("nginx")), "{fix:?}");
        // A named server gets its own test and reload.
        let named = format!(
            "{refused}$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0      511          0.0.0.0:443       0.0.0.0:*     users:((\"nginx\",pid=990,fd=7))\n"
        );
        let fix = fix_of(&named, FindingId::Ipv6OriginBroken);
        assert!(fix.iter().any(|c| c == "sudo nginx -t"), "{fix:?}");
    }

    #[test]
    fn the_icmpv6_rules_are_saved() {
        let paste = "$ dig +short AAAA www.example.net
2001:db8::1
# ip6tables -S
-P INPUT DROP
-P FORWARD DROP
-P OUTPUT ACCEPT
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
";
        let fix = fix_of(paste, FindingId::Ipv6OriginBroken);
        let insert = fix
            .iter()
            .position(|c| c.contains("ip6tables -I INPUT 1 -p ipv6-icmp"));
        let save = fix
            .iter()
            .position(|c| c.contains("netfilter-persistent save"));
        assert!(insert.is_some() && save > insert, "{fix:?}");
    }

    fn ban_fix(paste: &str) -> String {
        fix_of(paste, FindingId::BanBlocksCloudflare).join("\n")
    }

    fn jail(name: &str) -> String {
        jail_watching(name, "/var/log/auth.log")
    }

    fn jail_watching(name: &str, files: &str) -> String {
        format!(
            "Status for the jail: {name}
|- Filter
|  |- Currently failed: 0
|  |- Total failed:     3
|  `- File list:        {files}
`- Actions
   |- Currently banned: 1
   |- Total banned:     1
   `- Banned IP list:   162.158.244.169
"
        )
    }

    #[test]
    fn the_logs_a_jail_watches_pick_its_real_ip_step() {
        let centminmod = ban_fix(&jail_watching(
            "wordpress-pingback",
            "/home/nginx/domains/domain.com/log/access.log /home/nginx/domains/demo.com/log/access.log",
        ));
        assert!(centminmod.contains("set_real_ip_from"), "{centminmod}");
        assert!(!centminmod.contains("RemoteIPTrustedProxy"), "{centminmod}");
        let apache = ban_fix(&jail_watching("wordpress", "/var/log/httpd/access_log"));
        assert!(apache.contains("RemoteIPTrustedProxy"), "{apache}");
        assert!(!apache.contains("set_real_ip_from"), "{apache}");
        // Logs of both servers: say nothing, keep both steps.
        let both = ban_fix(&jail_watching(
            "wordpress",
            "/var/log/nginx/access.log /var/log/apache2/access.log",
        ));
        assert!(
            both.contains("set_real_ip_from") && both.contains("RemoteIPTrustedProxy"),
            "{both}"
        );
    }

    #[test]
    fn a_jail_named_for_the_server_picks_its_real_ip_step() {
        let nginx = ban_fix(&jail("nginx-limit-req"));
        assert!(nginx.contains("set_real_ip_from"), "{nginx}");
        assert!(!nginx.contains("apache"), "{nginx}");
        let apache = ban_fix(&jail("apache-auth"));
        assert!(apache.contains("RemoteIPTrustedProxy"), "{apache}");
        assert!(!apache.contains("nginx"), "{apache}");
        // A jail that names no server leaves both steps.
        let either = ban_fix(&jail("wordpress-pingback"));
        assert!(
            either.contains("set_real_ip_from") && either.contains("RemoteIPTrustedProxy"),
            "{either}"
        );
    }
}
