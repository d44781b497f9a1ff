//! Who is who in a case, decided once from the facts: the web server that
//! should serve the site, the programs in its way, the addresses the DNS
//! points at and the server's own addresses. Rules explain with these
//! roles and fixes name them, so a fix never starts the program that is in
//! the way, nor assumes nginx when the paste shows another server.

use std::net::IpAddr;

use serde::Serialize;

use crate::facts::Facts;
use crate::parse::services::{is_web_server_name, ContainerStatus, EventKind, ServiceState};

/// The family of a web server: decides the config syntax and the commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerKind {
    Nginx,
    Apache,
    Caddy,
    Litespeed,
    /// HAProxy, Traefik, lighttpd, ...: named, but no config written for it.
    Other,
}

impl ServerKind {
    pub fn of(name: &str) -> Option<ServerKind> {
        let n = name.to_ascii_lowercase();
        let n = n.trim_end_matches(".service");
        let base = n.split(['@', '-', ':', '/']).next().unwrap_or(n);
        Some(match base {
            "nginx" | "openresty" | "angie" | "tengine" => ServerKind::Nginx,
            "apache2" | "httpd" | "apache" => ServerKind::Apache,
            "caddy" => ServerKind::Caddy,
            "lsws" | "lshttpd" | "openlitespeed" | "litespeed" => ServerKind::Litespeed,
            _ if is_web_server_name(n) => ServerKind::Other,
            _ => return None,
        })
    }
}

/// How the case shows the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerState {
    /// It failed, stopped, or logged that it could not start or bind.
    Failed,
    Running,
    /// Only named (configuration, a log path, a jail): state not shown.
    Unknown,
}

/// The web server that should answer Cloudflare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerRole {
    /// The name commands use: the systemd unit (`nginx`, `apache2`,
    /// `httpd`, `caddy`, `lsws`), or the container's name.
    pub name: String,
    pub kind: ServerKind,
    pub state: ServerState,
    /// It runs in this Docker container: docker commands apply.
    pub container: Option<String>,
}

/// A program that holds a port the web server needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Squatter {
    /// The process name as the listener list printed it.
    pub process: String,
    pub pid: Option<u32>,
    pub ports: Vec<u16>,
    /// The systemd unit that runs it, when its name says (`httpd`).
    pub unit: Option<String>,
    /// The container that publishes the port, when a `docker ps` says.
    pub container: Option<String>,
    /// Another copy of the web server itself (a stray master process).
    pub same_program: bool,
    /// Where the paste shows it: (input, line).
    pub lines: Vec<(String, usize)>,
}

impl Squatter {
    /// `httpd (pid 2210)`.
    pub fn label(&self) -> String {
        match (&self.container, self.pid) {
            (Some(c), _) => format!("container {c}"),
            (None, Some(pid)) => format!("{} (pid {pid})", self.process),
            (None, None) => self.process.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Roles {
    pub server: Option<ServerRole>,
    pub squatters: Vec<Squatter>,
    /// A/AAAA answers and records: (name, address).
    pub dns_targets: Vec<(String, IpAddr)>,
    /// The server's own public addresses (`ip addr` global scope, echo
    /// services).
    pub own_addrs: Vec<IpAddr>,
    /// The paste shows a Red Hat-style host (`httpd`, `/etc/httpd`).
    pub rhel: bool,
    /// Upstreams that point back at Cloudflare: the origin proxies to its
    /// own proxied name.
    pub loops: Vec<ProxyLoop>,
}

/// A `proxy_pass` (or upstream server) whose target is Cloudflare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyLoop {
    /// How the fix names the directive.
    pub directive: String,
    /// The target as written.
    pub target: String,
    pub input: String,
    pub line: usize,
}

impl Roles {
    /// Decide the roles of a case; `ports` are the origin ports Cloudflare
    /// connects to.
    pub fn new(facts: &Facts, ports: &[u16], ranges: &crate::cloudflare::Ranges) -> Roles {
        let rhel = shows_rhel(facts);
        let server = find_server(facts, ports, rhel);
        let squatters = server
            .as_ref()
            .map(|s| find_squatters(facts, ports, s))
            .unwrap_or_default();
        let mut dns_targets: Vec<(String, IpAddr)> = Vec::new();
        for r in facts.dns.iter().flat_map(|d| d.facts.records.iter()) {
            if let Some(a) = r.addr() {
                if !dns_targets.iter().any(|(n, x)| *n == r.name && *x == a) {
                    dns_targets.push((r.name.clone(), a));
                }
            }
        }
        let mut own_addrs: Vec<IpAddr> = Vec::new();
        for a in facts.addrs.iter().flat_map(|a| a.facts.public()) {
            if !own_addrs.contains(&a.addr) {
                own_addrs.push(a.addr);
            }
        }
        let loops = find_loops(facts, &dns_targets, ranges);
        Roles {
            server,
            squatters,
            dns_targets,
            own_addrs,
            rhel,
            loops,
        }
    }

    /// True when the listener at (input, line) belongs to a program in the
    /// web server's way.
    pub fn is_squatter_line(&self, input: &str, line: usize) -> bool {
        self.squatters
            .iter()
            .any(|s| s.lines.iter().any(|(i, l)| i == input && *l == line))
    }

    /// True when `name` (a unit or process) is a program in the way.
    pub fn is_squatter_name(&self, name: &str) -> bool {
        let unit = unit_of_process(name);
        self.squatters.iter().any(|s| {
            !s.same_program
                && (s.process.eq_ignore_ascii_case(name)
                    || (unit.is_some() && s.unit.as_deref() == unit.as_deref()))
        })
    }

    /// The server's name, or a neutral phrase when the case does not say.
    pub fn server_name(&self) -> &str {
        self.server
            .as_ref()
            .map_or("the web server", |s| s.name.as_str())
    }
}

/// The systemd unit that runs a process of this name, when the name is a
/// well-known daemon's.
pub fn unit_of_process(process: &str) -> Option<String> {
    let p = process.to_ascii_lowercase();
    let unit = match p.as_str() {
        "litespeed" | "lshttpd" | "openlitespeed" => "lsws",
        "varnishd" => "varnish",
        "apache2" | "httpd" | "nginx" | "caddy" | "haproxy" | "lighttpd" | "traefik" | "h2o"
        | "envoy" | "openresty" | "angie" | "varnish" | "squid" | "named" | "sshd" => {
            return Some(p)
        }
        _ => return None,
    };
    Some(unit.to_string())
}

/// Two names of the same program (nginx and its workers, httpd and
/// apache2 are both Apache).
fn same_program(a: &str, b: &str) -> bool {
    match (ServerKind::of(a), ServerKind::of(b)) {
        (Some(x), Some(y)) if x != ServerKind::Other => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}

fn shows_rhel(facts: &Facts) -> bool {
    let unit_httpd = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter())
        .any(|s| s.name == "httpd");
    let proc_httpd = facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .any(|l| l.process.as_deref() == Some("httpd"));
    let conf_httpd = facts.webconfig.iter().any(|w| {
        w.command.as_deref().is_some_and(|c| c.contains("httpd"))
            || w.facts
                .listens
                .iter()
                .any(|l| l.file.as_deref().is_some_and(|f| f.contains("/httpd/")))
    });
    let apache2 = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter())
        .any(|s| s.name == "apache2");
    (unit_httpd || proc_httpd || conf_httpd) && !apache2
}

/// The web server a log line is about: the syslog tag (`nginx[3391]:`),
/// the program prefix (`nginx: [emerg]`), or a message only one server
/// writes (Apache's `AH00072`, Caddy's `loading new config`, LiteSpeed's
/// `HttpListener::`).
fn program_in_text(text: &str) -> Option<String> {
    for tok in text.split_whitespace() {
        let t = tok
            .split('[')
            .next()
            .unwrap_or(tok)
            .trim_end_matches(':')
            .trim_end_matches(".service");
        if !t.is_empty() && is_web_server_name(t) {
            return Some(t.to_ascii_lowercase());
        }
    }
    let lower = text.to_ascii_lowercase();
    // nginx's error log: `2026/12/07 21:36:10 [emerg] 812#812: bind() to
    // 0.0.0.0:443 failed (98: ...)`: the PID#TID field names no program.
    let pid_tid = |t: &str| {
        t.strip_suffix(':')
            .and_then(|t| t.split_once('#'))
            .is_some_and(|(p, t)| {
                !p.is_empty()
                    && !t.is_empty()
                    && p.bytes().all(|c| c.is_ascii_digit())
                    && t.bytes().all(|c| c.is_ascii_digit())
            })
    };
    if text.split_whitespace().any(pid_tid) || lower.contains("bind() to ") {
        return Some("nginx".into());
    }
    if lower.contains("ah0") || lower.contains("make_sock") || lower.contains("apachectl") {
        return Some("apache".into());
    }
    if lower.contains("loading new config") || lower.contains("http app module") {
        return Some("caddy".into());
    }
    if lower.contains("httplistener::") || lower.contains("no listener is available") {
        return Some("lsws".into());
    }
    None
}

/// Events that say the server could not start.
fn is_start_failure(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::BindConflict { .. }
            | EventKind::AddressUnavailable { .. }
            | EventKind::PermissionDenied { port: Some(_), .. }
            | EventKind::ConfigTestFailed
            | EventKind::ConfigError { .. }
            | EventKind::MissingCertificate { .. }
            | EventKind::UpstreamNotFound { .. }
            | EventKind::StartFailed { .. }
            | EventKind::NoListener
    )
}

/// The command name of a unit or program, normalised for commands.
fn unit_name(name: &str, rhel: bool) -> String {
    let n = name.trim_end_matches(".service").to_ascii_lowercase();
    match n.as_str() {
        "apache" if rhel => "httpd".into(),
        "apache" => "apache2".into(),
        "litespeed" | "lshttpd" | "openlitespeed" => "lsws".into(),
        _ => n,
    }
}

fn find_server(facts: &Facts, ports: &[u16], rhel: bool) -> Option<ServerRole> {
    let role = |name: &str, state: ServerState| {
        let name = unit_name(name, rhel);
        ServerRole {
            kind: ServerKind::of(&name).unwrap_or(ServerKind::Other),
            name,
            state,
            container: None,
        }
    };
    let services: Vec<_> = facts
        .services
        .iter()
        .flat_map(|s| s.facts.services.iter())
        .filter(|s| s.is_web_server())
        .collect();
    // 1. The server that failed: a failed unit, or one whose log says it
    // could not start. That is the one the person is trying to run.
    if let Some(s) = services
        .iter()
        .find(|s| matches!(s.state, ServiceState::Failed | ServiceState::Activating))
    {
        return Some(role(&s.name, ServerState::Failed));
    }
    for e in facts.services.iter().flat_map(|s| s.facts.events.iter()) {
        if !is_start_failure(&e.kind) {
            continue;
        }
        let named = match &e.kind {
            EventKind::StartFailed { unit: Some(u) } => u
                .split_whitespace()
                .next()
                .map(|u| u.trim_end_matches(".service").to_string())
                .filter(|u| is_web_server_name(u)),
            _ => None,
        };
        let who = named
            .or_else(|| e.service.clone().filter(|s| is_web_server_name(s)))
            .or_else(|| program_in_text(&e.text));
        if let Some(w) = who {
            return Some(role(&w, ServerState::Failed));
        }
    }
    // A stopped unit that is still enabled is meant to run.
    if let Some(s) = services
        .iter()
        .find(|s| s.state == ServiceState::Stopped && s.enabled.as_deref() != Some("disabled"))
    {
        if !services.iter().any(|x| x.state == ServiceState::Running) {
            return Some(role(&s.name, ServerState::Failed));
        }
    }
    // 2. A running unit.
    if let Some(s) = services.iter().find(|s| s.state == ServiceState::Running) {
        return Some(role(&s.name, ServerState::Running));
    }
    // 3. A container that runs a web server or publishes a needed port.
    for c in facts
        .services
        .iter()
        .flat_map(|s| s.facts.containers.iter())
    {
        let image_kind = c
            .image
            .as_deref()
            .map(|i| i.rsplit('/').next().unwrap_or(i))
            .and_then(|i| ServerKind::of(i.split(':').next().unwrap_or(i)));
        let publishes = c
            .published
            .iter()
            .any(|p| p.host_port.is_some_and(|hp| ports.contains(&hp)));
        if image_kind.is_none() && !publishes && ServerKind::of(&c.name).is_none() {
            continue;
        }
        let state = match c.status {
            ContainerStatus::Up => ServerState::Running,
            ContainerStatus::Exited | ContainerStatus::Restarting | ContainerStatus::Created => {
                ServerState::Failed
            }
            _ => ServerState::Unknown,
        };
        return Some(ServerRole {
            name: c.name.clone(),
            kind: image_kind
                .or_else(|| ServerKind::of(&c.name))
                .unwrap_or(ServerKind::Other),
            state,
            container: Some(c.name.clone()),
        });
    }
    // 4. The pasted configuration.
    if let Some(w) = facts.webconfig.first() {
        return Some(role(w.facts.server.name(), ServerState::Unknown));
    }
    // 5. A web server process listening on a needed port.
    if let Some(p) = facts
        .listeners
        .iter()
        .flat_map(|l| l.facts.listeners.iter())
        .filter(|l| ports.contains(&l.port))
        .filter_map(|l| l.process.as_deref())
        .find(|p| is_web_server_name(p))
    {
        return Some(role(p, ServerState::Running));
    }
    // 6. Names only: commands run on it, ban jails (`nginx-limit-req`).
    let named = facts
        .blocks
        .iter()
        .filter_map(|b| b.command.as_deref())
        .chain(
            facts
                .bans
                .iter()
                .flat_map(|b| b.facts.jails.iter().map(String::as_str)),
        )
        .find_map(|c| {
            c.split(|ch: char| ch.is_whitespace() || ch == '-' || ch == '/')
                .find(|t| is_web_server_name(t))
                .map(str::to_string)
        });
    named.map(|n| role(&n, ServerState::Unknown))
}

fn find_squatters(facts: &Facts, ports: &[u16], server: &ServerRole) -> Vec<Squatter> {
    // The ports the server could not bind, and, when it is down, every
    // port Cloudflare needs.
    let mut conflict_ports: Vec<u16> = facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .filter_map(|e| match e.kind {
            EventKind::BindConflict { port, .. } => port,
            _ => None,
        })
        .collect();
    let any_conflict = facts
        .services
        .iter()
        .flat_map(|s| s.facts.events.iter())
        .any(|e| matches!(e.kind, EventKind::BindConflict { .. }));
    // A conflict that names no port (LiteSpeed, nginx's summary line) is
    // about the ports Cloudflare needs.
    if any_conflict && conflict_ports.is_empty() {
        conflict_ports.extend_from_slice(ports);
    }
    let mut watched = conflict_ports.clone();
    if server.state == ServerState::Failed {
        watched.extend_from_slice(ports);
    }
    watched.sort_unstable();
    watched.dedup();
    let mut out: Vec<Squatter> = Vec::new();
    let mut add = |process: &str,
                   pid: Option<u32>,
                   port: u16,
                   container: Option<String>,
                   same: bool,
                   at: (String, usize)| {
        // One program per entry: a container is one whether docker-proxy
        // or `docker ps` showed it.
        let key_match = |s: &Squatter| match (&s.container, &container) {
            (Some(a), Some(b)) => a == b,
            (None, None) => s.process == process && (s.pid == pid || s.pid.is_none()),
            _ => false,
        };
        match out.iter_mut().find(|s| key_match(s)) {
            Some(s) => {
                if !s.ports.contains(&port) {
                    s.ports.push(port);
                }
                if !s.lines.contains(&at) {
                    s.lines.push(at);
                }
                // `docker ps` names the image; docker-proxy only the proxy.
                if s.process == "docker-proxy" && process != "docker-proxy" {
                    s.process = process.to_string();
                }
            }
            None => out.push(Squatter {
                process: process.to_string(),
                pid,
                ports: vec![port],
                unit: if container.is_some() {
                    None
                } else {
                    unit_of_process(process)
                },
                container,
                same_program: same,
                lines: vec![at],
            }),
        }
    };
    // The server's own container publishing its port is not in the way.
    let containers: Vec<_> = facts
        .services
        .iter()
        .flat_map(|s| {
            s.facts
                .containers
                .iter()
                .map(move |c| (s.input.as_str(), c))
        })
        .filter(|(_, c)| c.status == ContainerStatus::Up)
        .collect();
    let publisher = |port: u16| {
        containers
            .iter()
            .find(|(_, c)| c.published.iter().any(|p| p.host_port == Some(port)))
            .map(|(_, c)| c.name.clone())
    };
    for src in &facts.listeners {
        for l in src.facts.listeners.iter().filter(|l| l.proto == "tcp") {
            if !watched.contains(&l.port) {
                continue;
            }
            let Some(p) = l.process.as_deref() else {
                continue;
            };
            let at = (src.input.clone(), l.line);
            if p == "docker-proxy" || p == "dockerd" {
                let c = publisher(l.port);
                if server.container.is_some() && c == server.container {
                    continue;
                }
                add(p, l.pid, l.port, c, false, at);
                continue;
            }
            if server.container.is_none() && same_program(p, &server.name) {
                // Another copy of the server holds the port it could not
                // bind: a stray process outside its service manager.
                if server.state == ServerState::Failed && conflict_ports.contains(&l.port) {
                    add(p, l.pid, l.port, None, true, at);
                }
                continue;
            }
            add(p, l.pid, l.port, None, false, at);
        }
    }
    // `docker ps` alone: a running container, not the server, publishing
    // a port the server needs.
    for (input, c) in &containers {
        if server.container.is_some() {
            break;
        }
        for p in &c.published {
            let Some(hp) = p.host_port else { continue };
            if conflict_ports.contains(&hp) {
                let name = c.image.clone().unwrap_or_else(|| c.name.clone());
                add(
                    &name,
                    None,
                    hp,
                    Some(c.name.clone()),
                    false,
                    (input.to_string(), c.line),
                );
            }
        }
    }
    out
}

/// The host of an upstream as written: `http://104.16.1.1:443/x` ->
/// `104.16.1.1`, `https://[2606:4700::1]/` -> `2606:4700::1`.
fn upstream_host(value: &str) -> &str {
    let v = value.split("://").nth(1).unwrap_or(value);
    let v = v.split('/').next().unwrap_or(v);
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match v.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => v,
    }
}

fn find_loops(
    facts: &Facts,
    dns: &[(String, IpAddr)],
    ranges: &crate::cloudflare::Ranges,
) -> Vec<ProxyLoop> {
    let cf = ranges.set();
    let site = facts.error_page().and_then(|p| p.host.clone());
    let mut out = Vec::new();
    for w in &facts.webconfig {
        for u in &w.facts.upstreams {
            if u.value.starts_with("unix:") {
                continue;
            }
            let host = upstream_host(&u.value)
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let to_cloudflare = match host.parse::<IpAddr>() {
                Ok(ip) => cf.contains(ip),
                // A name that the pasted DNS answers resolve to Cloudflare,
                // or the site's own name when the error page came through
                // Cloudflare.
                Err(_) => {
                    let answers: Vec<IpAddr> = dns
                        .iter()
                        .filter(|(n, _)| n.trim_end_matches('.') == host)
                        .map(|(_, a)| *a)
                        .collect();
                    (!answers.is_empty() && answers.iter().all(|a| cf.contains(*a)))
                        || site
                            .as_deref()
                            .is_some_and(|s| s.eq_ignore_ascii_case(&host))
                }
            };
            if to_cloudflare {
                out.push(ProxyLoop {
                    directive: format!("`{}`", u.value),
                    target: host,
                    input: w.input.clone(),
                    line: u.line,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::program_in_text;

    #[test]
    fn an_nginx_error_log_line_names_nginx() {
        for line in [
            "2026/12/07 21:36:10 [emerg] 812#812: bind() to 0.0.0.0:443 failed (98: Address already in use)",
            "2024/01/05 10:00:00 [emerg] 1#1: still could not bind()",
        ] {
            assert_eq!(program_in_text(line).as_deref(), Some("nginx"), "{line}");
        }
        assert_eq!(
            program_in_text("(98)Address already in use: AH00072: make_sock: could not bind to address [::]:443").as_deref(),
            Some("apache")
        );
        assert_eq!(program_in_text("listen tcp 10.0.0.1#53: refused"), None);
    }
}
